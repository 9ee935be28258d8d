"""Demo data generator: the township demo tells a believable story and passes every consistency
rule; a small bulk ("county"-mode) build does too. No Qt."""
from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from models import migrations

from models.demo import SCALES, build_demo
from models.demo.base import _IdMaker
from models.ledger.repo import trigram_match
from models.ledgers.cases import CHANNELS, CLOSED_STATUSES, REASONS, RESOLUTION_PATHS, SOURCES, STATUSES
from models.rules.credit_code import validate_credit_code
from models.rules.idcard import make_valid_id, validate_bank_card, validate_id, validate_phone
from models.rules.workdays import WorkCalendar, before_spring_festival

TODAY = date(2026, 11, 26)
OPEN = ("待核实", "化解中")


def _db(path) -> sqlite3.Connection:
    c = sqlite3.connect(str(path))
    c.row_factory = sqlite3.Row
    return c


def _one(c, sql, *args):
    return c.execute(sql, args).fetchone()[0]


def consistency_problems(c: sqlite3.Connection, today: date, strict: bool = True) -> list[str]:
    """The ledger rules (DESIGN §4) as SQL; each entry names a rule that some row breaks.
    ``strict`` adds the generator's own habits (timestamps, repayments inside a case's life…),
    which rows written by other modules' demo code need not follow."""
    t = today.isoformat()
    checks = {
        "worker paid > owed": "SELECT COUNT(*) FROM worker WHERE paid_fen > owed_fen",
        "case paid > owed": "SELECT COUNT(*) FROM case_record WHERE total_paid_fen > total_owed_fen "
                            "OR paid_fen > amount_fen",
        "negative amounts": "SELECT COUNT(*) FROM case_record WHERE workers_count < 0 OR amount_fen < 0 "
                            "OR paid_fen < 0 OR w_count < 0 OR w_owed_fen < 0 OR w_paid_fen < 0",
        "case w_* differ from live workers": """
            SELECT COUNT(*) FROM case_record c LEFT JOIN (
                SELECT case_id, COUNT(*) n, SUM(owed_fen) o, SUM(paid_fen) p FROM worker
                WHERE deleted_at IS NULL GROUP BY case_id) s ON s.case_id = c.id
            WHERE c.w_count != COALESCE(s.n, 0) OR c.w_owed_fen != COALESCE(s.o, 0)
               OR c.w_paid_fen != COALESCE(s.p, 0)""",
        "listed case totals differ from the reported ones": "SELECT COUNT(*) FROM case_record "
                                                            "WHERE w_count > 0 AND (workers_count != w_count OR amount_fen != w_owed_fen)",
        "已化解 with money outstanding": "SELECT COUNT(*) FROM case_record WHERE status = '已化解' "
                                   "AND total_owed_fen - total_paid_fen != 0",
        "closed without verdict": "SELECT COUNT(*) FROM case_record WHERE status IN ({}) AND verdict = ''".format(
            ",".join(f"'{s}'" for s in CLOSED_STATUSES)),
        "closed without closed_on / open with closed_on": "SELECT COUNT(*) FROM case_record WHERE "
            "(status IN ('已化解','已移送','不存在欠薪')) != (closed_on IS NOT NULL)",
        "verdict not in verdict_option": "SELECT COUNT(*) FROM case_record WHERE verdict != '' "
                                         "AND verdict NOT IN (SELECT text FROM verdict_option)",
        "closing verdict on an open case": "SELECT COUNT(*) FROM case_record c JOIN verdict_option v "
                                           "ON v.text = c.verdict WHERE c.status IN ('待核实','化解中') AND v.closes = 1",
        "unknown status": "SELECT COUNT(*) FROM case_record WHERE status NOT IN ({})".format(
            ",".join(f"'{s}'" for s in STATUSES)),
        "case dates out of order": f"""SELECT COUNT(*) FROM case_record WHERE
            period_from > period_to OR registered_on > '{t}'
            OR deadline < registered_on OR closed_on < registered_on OR closed_on > '{t}'""",
        "worker dates out of order": "SELECT COUNT(*) FROM worker WHERE entered_on > left_on",
        "repayment in the future": f"SELECT COUNT(*) FROM repayment WHERE paid_on > '{t}'",
        "repayment on a worker of another case": "SELECT COUNT(*) FROM repayment r JOIN worker w ON w.id = r.worker_id "
                                                 "WHERE w.case_id != r.case_id",
        "repayments per worker != worker.paid_fen": """
            SELECT COUNT(*) FROM worker w LEFT JOIN (SELECT worker_id, SUM(amount_fen) a FROM repayment
                WHERE deleted_at IS NULL AND worker_id IS NOT NULL GROUP BY worker_id) r ON r.worker_id = w.id
            WHERE w.paid_fen != COALESCE(r.a, 0)""",
        "case-level repayments != case.paid_fen": """
            SELECT COUNT(*) FROM case_record c LEFT JOIN (SELECT case_id, SUM(amount_fen) a FROM repayment
                WHERE deleted_at IS NULL AND worker_id IS NULL GROUP BY case_id) r ON r.case_id = c.id
            WHERE c.paid_fen != COALESCE(r.a, 0)""",
        "case-level repayment on a listed case": "SELECT COUNT(*) FROM repayment r JOIN case_record c "
                                                 "ON c.id = r.case_id WHERE r.worker_id IS NULL AND c.w_count > 0",
        "duplicate ID number within a case": "SELECT COUNT(*) FROM (SELECT case_id, id_number FROM worker "
                                             "GROUP BY case_id, id_number HAVING COUNT(*) > 1)",
        "status log does not start at 待核实": """SELECT COUNT(*) FROM case_record c WHERE
            (SELECT to_status FROM case_status_log l WHERE l.case_id = c.id ORDER BY l.id LIMIT 1) IS NOT '待核实'""",
        "status log does not end at the status": """SELECT COUNT(*) FROM case_record c WHERE
            (SELECT to_status FROM case_status_log l WHERE l.case_id = c.id ORDER BY l.id DESC LIMIT 1) IS NOT c.status
            OR (SELECT changed_on FROM case_status_log l WHERE l.case_id = c.id ORDER BY l.id DESC LIMIT 1)
               IS NOT c.status_changed_at""",
        "status log steps out of order": """SELECT COUNT(*) FROM case_status_log a JOIN case_status_log b
            ON b.case_id = a.case_id AND b.id > a.id WHERE b.changed_on < a.changed_on
            OR (b.id = (SELECT MIN(id) FROM case_status_log x WHERE x.case_id = a.case_id AND x.id > a.id)
                AND b.from_status IS NOT a.to_status)""",
        "is_major disagrees with headcount": "SELECT COUNT(*) FROM case_record WHERE is_major != (total_workers >= 30)",
        "foreign keys": "SELECT COUNT(*) FROM pragma_foreign_key_check",
    }
    strict_checks = {
        "case timestamps out of order": f"""SELECT COUNT(*) FROM case_record WHERE period_to > registered_on
            OR created_at > updated_at OR status_changed_at > updated_at
            OR substr(created_at, 1, 10) != registered_on OR updated_at > '{t}T23:59:59'""",
        "worker timestamps out of order": f"SELECT COUNT(*) FROM worker WHERE created_at > updated_at "
                                          f"OR updated_at > '{t}T23:59:59'",
        "repayment recorded another day": f"SELECT COUNT(*) FROM repayment WHERE created_at > '{t}T23:59:59' "
                                          "OR substr(created_at, 1, 10) != paid_on",
        "status log in the future": f"SELECT COUNT(*) FROM case_status_log WHERE changed_on > '{t}T23:59:59'",
        "worker entered after the case was registered": "SELECT COUNT(*) FROM worker w JOIN case_record c "
                                                        "ON c.id = w.case_id WHERE w.entered_on > c.registered_on",
        "repayment outside the case's life": """SELECT COUNT(*) FROM repayment r JOIN case_record c ON c.id = r.case_id
            WHERE r.paid_on < c.registered_on OR r.paid_on > COALESCE(c.closed_on, '9999')""",
        "deadline_days not 15": "SELECT COUNT(*) FROM case_record WHERE deadline_days != 15 OR deadline IS NULL",
        "case without workstream or owner": "SELECT COUNT(*) FROM case_record WHERE workstream_id IS NULL "
                                            "OR owner_person = ''",
        "owner not a member of the workstream": """SELECT COUNT(*) FROM case_record c WHERE NOT EXISTS (
            SELECT 1 FROM workstream_member m JOIN person p ON p.id = m.person_id
            WHERE m.workstream_id = c.workstream_id AND p.name = c.owner_person AND m.role != '联络员')""",
        "resolved more than paid": "SELECT COUNT(*) FROM case_record WHERE resolved_fen > total_paid_fen "
                                   "OR resolved_count > total_workers",
    }
    if strict:
        checks.update(strict_checks)
    bad = []
    for rule, sql in checks.items():
        n = c.execute(sql).fetchone()[0]
        if n:
            bad.append(f"{rule}: {n}")
    # vocabularies
    for col, allowed in (("source", SOURCES), ("reason", REASONS)):
        for (v,) in c.execute(f"SELECT DISTINCT {col} FROM case_record"):
            if v not in allowed:
                bad.append(f"{col} {v!r} not allowed")
    for (v,) in c.execute("SELECT DISTINCT channel FROM repayment"):
        if v not in CHANNELS:
            bad.append(f"channel {v!r} not allowed")
    for (v,) in c.execute("SELECT DISTINCT resolution_path FROM case_record WHERE resolution_path != ''"):
        if v not in RESOLUTION_PATHS:
            bad.append(f"resolution_path {v!r} not allowed")
    return bad


def check_people_and_numbers(c: sqlite3.Connection, today: date, sample: int | None = None) -> list[str]:
    """ID numbers, phones, bank cards and credit codes are valid text."""
    bad = []
    limit = f" ORDER BY id LIMIT {sample}" if sample else ""
    for r in c.execute(f"SELECT id, id_number, phone, bank_card, typeof(id_number) t FROM worker{limit}"):
        if r["t"] != "text" or not validate_id(r["id_number"], today=today).ok:
            bad.append(f"worker {r['id']}: bad ID {r['id_number']}")
        if not validate_phone(r["phone"])[0] or len(r["phone"]) != 11:
            bad.append(f"worker {r['id']}: bad phone {r['phone']}")
        ok, _ = validate_bank_card(r["bank_card"])
        if not ok or len(r["bank_card"]) != 19 or r["bank_card"][:4] not in ("6217", "6228", "6230"):
            bad.append(f"worker {r['id']}: bad card {r['bank_card']}")
    for r in c.execute("SELECT name, credit_code FROM employer"):
        if not validate_credit_code(r["credit_code"])[0]:
            bad.append(f"employer {r['name']}: bad credit code {r['credit_code']}")
    return bad


# ---------------------------------------------------------------------------------------------
# township
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def township(tmp_path_factory):
    """The generator's own output (cases, workers, repayments), without other modules' extras."""
    path = tmp_path_factory.mktemp("demo") / "township.sqlite"
    seen = []
    summary = build_demo(path, "township", today=TODAY, progress=lambda d, t, s: seen.append((d, t, s)),
                         _extras=False)
    return path, summary, seen


@pytest.fixture(scope="module")
def township_full(tmp_path_factory):
    """What users get: the same, plus the workstreams' ledgers and meetings from their modules."""
    path = tmp_path_factory.mktemp("demo") / "full.sqlite"
    return path, build_demo(path, "township", today=TODAY)


def test_summary(township):
    path, s, _ = township
    assert s["cases"] == 150
    assert s["workers"] == 3000
    assert s["repayments"] > 1000
    assert 0 < s["paid_fen"] < s["owed_fen"]
    assert 0.4 <= s["paid_fen"] / s["owed_fen"] <= 0.8
    assert s["seconds"] > 0 and s["file_bytes"] > 0
    c = _db(path)
    assert _one(c, "SELECT COUNT(*) FROM case_record") == s["cases"]
    assert _one(c, "SELECT COUNT(*) FROM worker") == s["workers"]
    assert _one(c, "SELECT COUNT(*) FROM repayment") == s["repayments"]
    # the headline 口径: cases found to owe nothing (不存在欠薪) count as cases, not as money
    assert _one(c, "SELECT SUM(total_owed_fen) FROM case_record WHERE status != '不存在欠薪'") == s["owed_fen"]
    assert _one(c, "SELECT SUM(total_paid_fen) FROM case_record WHERE status != '不存在欠薪'") == s["paid_fen"]
    assert s["cleared_pct"] == round(100 * s["paid_fen"] / s["owed_fen"], 1)
    # every fen repaid is in the repayment ledger
    assert _one(c, "SELECT SUM(amount_fen) FROM repayment") == _one(c, "SELECT SUM(total_paid_fen) FROM case_record")


def test_progress_reported_in_chinese(township):
    _, _, seen = township
    assert seen and seen[-1][0] == seen[-1][1]
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)
    assert any("农民工" in text for _, _, text in seen)


def test_township_consistent(township):
    path, _, _ = township
    c = _db(path)
    assert consistency_problems(c, TODAY) == []
    assert check_people_and_numbers(c, TODAY) == []


def test_full_township_consistent(township_full, township):
    path, s = township_full
    c = _db(path)
    assert consistency_problems(c, TODAY, strict=False) == []
    assert check_people_and_numbers(c, TODAY) == []
    # the extras do not change the cases themselves
    assert s["cases"] == 150 and s["workers"] == 3000
    from models.figures import figures
    from models.db import Store as _Store
    st = _Store(s["path"])
    try:       # what the summary says 涉及 is what every screen and report counts
        assert s["involved_workers"] == figures(st, TODAY, keys=("workers",)).workers
    finally:
        st.close()
    assert 0.4 <= s["paid_fen"] / s["owed_fen"] <= 0.8
    assert _one(c, "SELECT SUM(amount_fen) FROM repayment WHERE deleted_at IS NULL") == s["paid_fen"]
    mine = _db(township[0])
    cols = "case_no, source, registered_on, employer_name, amount_fen, status, verdict, deadline"
    assert [tuple(r) for r in c.execute(f"SELECT {cols} FROM case_record ORDER BY id")] == \
        [tuple(r) for r in mine.execute(f"SELECT {cols} FROM case_record ORDER BY id")]


def test_money_and_types(township):
    c = _db(township[0])
    for table, cols in (("worker", ("id_number", "phone", "bank_card")), ("employer", ("credit_code",))):
        for col in cols:
            assert _one(c, f"SELECT COUNT(*) FROM {table} WHERE typeof({col}) != 'text'") == 0
    for table, col in (("worker", "owed_fen"), ("worker", "paid_fen"), ("repayment", "amount_fen"),
                       ("case_record", "amount_fen"), ("project", "contract_fen")):
        assert _one(c, f"SELECT COUNT(*) FROM {table} WHERE typeof({col}) != 'integer'") == 0
    # owed 3,000–60,000 元 per worker
    assert _one(c, "SELECT MIN(owed_fen) FROM worker") >= 300_000
    assert _one(c, "SELECT MAX(owed_fen) FROM worker") <= 6_000_000


def test_campaign_and_people(township):
    c = _db(township[0])
    camp = c.execute("SELECT * FROM campaign WHERE is_current = 1").fetchone()
    assert camp["name"] == "2026年根治欠薪冬季专项行动"
    assert camp["unit"] == "青山县青山镇人民政府"
    start = date.fromisoformat(camp["start_date"])
    assert start.weekday() == 0 and start == TODAY - timedelta(days=TODAY.weekday()) - timedelta(weeks=10)
    assert camp["end_date"] == before_spring_festival(2027).isoformat() == "2027-02-05"
    assert _one(c, "SELECT COUNT(*) FROM campaign_phase WHERE campaign_id = ?", camp["id"]) == 3
    roles = [r[0] for r in c.execute(
        "SELECT role FROM leading_group_member WHERE campaign_id = ? ORDER BY sort", (camp["id"],))]
    assert roles.count("组长") == 1 and roles.count("常务副组长") == 1 and roles.count("副组长") == 2
    assert roles.count("办公室主任") == 1 and roles.count("成员") == 4
    assert _one(c, "SELECT p.title FROM leading_group_member m JOIN person p ON p.id = m.person_id "
                   "WHERE m.role = '组长'") == "镇党委副书记、镇长"
    wss = c.execute("SELECT id, name FROM workstream WHERE campaign_id = ?", (camp["id"],)).fetchall()
    assert len(wss) == 7
    for ws in wss:
        roles = [r[0] for r in c.execute("SELECT role FROM workstream_member WHERE workstream_id = ?", (ws["id"],))]
        assert roles.count("组长") == 1 and roles.count("副组长") == 1 and roles.count("联络员") == 1, ws["name"]
        assert 2 <= roles.count("成员") <= 3, ws["name"]
    # names look like names, and nobody is two people
    names = [r[0] for r in c.execute("SELECT name FROM person")]
    assert len(names) == len(set(names)) and all(2 <= len(n) <= 3 for n in names)


def test_employers_and_projects(township):
    c = _db(township[0])
    assert 20 <= _one(c, "SELECT COUNT(*) FROM employer") <= 30
    assert 10 <= _one(c, "SELECT COUNT(*) FROM project") <= 14
    assert _one(c, "SELECT COUNT(*) FROM project WHERE gov_invested = 1") >= 5
    assert _one(c, "SELECT COUNT(*) FROM project WHERE contract_fen <= 0 OR owner_unit = '' "
                   "OR general_contractor = '' OR subcontractor = ''") == 0
    assert _one(c, "SELECT COUNT(*) FROM employer WHERE name LIKE '青山县%有限公司'") >= 10
    # case copies of project parties agree with the project
    assert _one(c, "SELECT COUNT(*) FROM case_record c JOIN project p ON p.id = c.project_id "
                   "WHERE c.project_name != p.name OR c.owner_unit != p.owner_unit "
                   "OR c.general_contractor != p.general_contractor OR c.gov_invested != p.gov_invested") == 0
    assert _one(c, "SELECT COUNT(*) FROM case_record c JOIN employer e ON e.id = c.employer_id "
                   "WHERE c.employer_name != e.name") == 0


def test_the_story(township):
    c = _db(township[0])
    t = TODAY.isoformat()
    weeks = [r[1] for r in c.execute(
        "SELECT strftime('%Y-%W', registered_on) w, COUNT(*) FROM case_record GROUP BY w ORDER BY w")]
    assert len(weeks) >= 9
    peak = weeks.index(max(weeks))
    assert 3 <= peak <= 6                      # a rise in weeks 3–6 ...
    assert weeks[-2] < max(weeks) * 0.7        # ... then a decline
    # sources: the platform most, then 12345
    src = [r[0] for r in c.execute("SELECT source FROM case_record GROUP BY source ORDER BY COUNT(*) DESC")]
    assert set(src[:2]) == {"全国根治欠薪线索反映平台", "12345"}
    assert 0.6 <= _one(c, "SELECT AVG(industry_type = '工程建设') FROM case_record") <= 0.8
    ws = dict(c.execute("SELECT w.name, COUNT(c.id) FROM workstream w LEFT JOIN case_record c "
                        "ON c.workstream_id = w.id GROUP BY w.id").fetchall())
    assert ws["欠薪化解专班"] + ws["拖欠工程款化解专班"] >= 90
    assert ws["信访维稳工作专班"] >= 5
    status = dict(c.execute("SELECT status, COUNT(*) FROM case_record GROUP BY status").fetchall())
    assert set(status) == set(STATUSES)
    assert status["已化解"] > status["化解中"] > 0
    assert 1 <= status["待核实"] <= 15 and 1 <= status["已移送"] <= 20 and 1 <= status["不存在欠薪"] <= 20
    # 待核实 are recent; old cases are mostly closed
    assert _one(c, "SELECT MIN(registered_on) FROM case_record WHERE status = '待核实'") >= \
        (TODAY - timedelta(days=14)).isoformat()
    old = c.execute("SELECT AVG(status IN ('已化解','已移送','不存在欠薪')) FROM case_record "
                    "WHERE registered_on < ?", ((TODAY - timedelta(weeks=5)).isoformat(),)).fetchone()[0]
    assert old > 0.8
    assert _one(c, "SELECT COUNT(*) FROM case_record WHERE status = '已移送' "
                   "AND verdict = '尚未支付，涉嫌犯罪，已移送公安机关'") == status["已移送"]
    assert _one(c, "SELECT COUNT(*) FROM case_record WHERE status = '不存在欠薪' "
                   "AND verdict = '经核实不存在欠薪情况'") == status["不存在欠薪"]
    # warnings have something to show
    overdue = _one(c, "SELECT COUNT(*) FROM case_record WHERE status IN ('待核实','化解中') AND deadline < ?", t)
    assert 1 <= overdue <= 15
    cal = WorkCalendar()
    soon = cal.add_workdays(TODAY, 3).isoformat()
    assert _one(c, "SELECT COUNT(*) FROM case_record WHERE status IN ('待核实','化解中') "
                   "AND deadline BETWEEN ? AND ?", t, soon) >= 1
    stalled = (TODAY - timedelta(days=10)).isoformat()
    assert _one(c, "SELECT COUNT(*) FROM case_record WHERE status IN ('待核实','化解中') "
                   "AND updated_at < ?", stalled) >= 1
    assert _one(c, "SELECT COUNT(*) FROM case_record WHERE is_major = 1") >= 1
    assert 1 <= _one(c, "SELECT COUNT(*) FROM case_record WHERE is_sensitive = 1") <= 15
    # some cases carry totals only (no worker list)
    assert 5 <= _one(c, "SELECT COUNT(*) FROM case_record WHERE w_count = 0 AND workers_count > 0") <= 50


def test_deadlines_are_fifteen_working_days(township):
    c = _db(township[0])
    cal = WorkCalendar()
    for r in c.execute("SELECT registered_on, deadline FROM case_record"):
        assert cal.add_workdays(date.fromisoformat(r[0]), 15).isoformat() == r[1]


def test_repaid_grows_week_by_week(township):
    c = _db(township[0])
    rows = c.execute("SELECT strftime('%Y-%W', paid_on) w, SUM(amount_fen) FROM repayment GROUP BY w ORDER BY w").fetchall()
    assert len(rows) >= 8
    total = _one(c, "SELECT SUM(total_owed_fen) FROM case_record")
    cum, shares = 0, []
    for _, a in rows:
        cum += a
        shares.append(cum / total)
    assert shares[0] < 0.1 and 0.4 <= shares[-1] <= 0.8
    # 已化解 cases were paid in full, 化解中 ones in part
    assert _one(c, "SELECT COUNT(*) FROM case_record WHERE status = '化解中' AND total_paid_fen > 0") >= 5
    assert _one(c, "SELECT COUNT(*) FROM worker WHERE paid_fen > 0 AND paid_fen < owed_fen") >= 10


def test_audit_trail_and_search(township):
    c = _db(township[0])
    # written through the normal triggers: per-row audit, FTS kept by triggers
    assert _one(c, "SELECT COUNT(*) FROM audit_log WHERE table_name = 'worker' AND action = 'insert'") == 3000
    assert _one(c, "SELECT COUNT(*) FROM audit_log WHERE action = 'insert' AND reason = '生成演示数据'") > 3000
    assert _one(c, "SELECT COUNT(*) FROM worker_fts WHERE worker_fts MATCH ?", trigram_match('511322')) >= 1
    assert _one(c, "SELECT COUNT(*) FROM case_fts WHERE case_fts MATCH ?", trigram_match('安置房二期')) >= 1
    assert _one(c, "SELECT COUNT(*) FROM case_record WHERE uuid NOT GLOB "
                   "'[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-*'") == 0


def test_refuses_database_with_cases(township):
    path, _, _ = township
    with pytest.raises(ValueError, match="已有欠薪问题"):
        build_demo(path, "township", today=TODAY)


def test_unknown_scale(tmp_path):
    with pytest.raises(ValueError, match="规模"):
        build_demo(tmp_path / "x.sqlite", "province", today=TODAY)


def test_deterministic(tmp_path, township):
    build_demo(tmp_path / "again.sqlite", "township", today=TODAY, _extras=False)
    cols = ("case_no, uuid, source, registered_on, employer_name, project_name, amount_fen, total_paid_fen, status, "
            "verdict, owner_person, deadline, summary")
    a = _db(township[0]).execute(f"SELECT {cols} FROM case_record ORDER BY id").fetchall()
    b = _db(tmp_path / "again.sqlite").execute(f"SELECT {cols} FROM case_record ORDER BY id").fetchall()
    assert [tuple(r) for r in a] == [tuple(r) for r in b]
    wa = _db(township[0]).execute("SELECT name, id_number, bank_card, owed_fen, paid_fen FROM worker ORDER BY id")
    wb = _db(tmp_path / "again.sqlite").execute("SELECT name, id_number, bank_card, owed_fen, paid_fen FROM worker ORDER BY id")
    assert [tuple(r) for r in wa] == [tuple(r) for r in wb]


def test_cancel_leaves_nothing(tmp_path):
    class Stop(Exception):
        pass

    def progress(done, total, text):
        if done > 20:
            raise Stop

    path = tmp_path / "cancel.sqlite"
    with pytest.raises(Stop):
        build_demo(path, "township", today=TODAY, progress=progress)
    c = _db(path)
    for table in ("campaign", "person", "employer", "case_record", "worker", "repayment", "case_status_log"):
        assert _one(c, f"SELECT COUNT(*) FROM {table}") == 0, table


def test_fast_id_maker_matches_make_valid_id():
    idm = _IdMaker(date(1963, 1, 1), date(2006, 12, 31), exact=False)
    import random
    rng = random.Random(7)
    for _ in range(2000):
        area = rng.choice(list(idm.area_sum))
        i = rng.randrange(len(idm.births))
        seq = rng.randrange(1000)
        assert idm.make(area, i, seq) == make_valid_id(area, idm.dates[i], seq)


def test_other_dates_still_tell_the_story(tmp_path):
    """The demo is relative to today: another day (and seed) gives the same shape."""
    today = date(2027, 5, 12)
    s = build_demo(tmp_path / "may.sqlite", "township", today=today, seed=3, _extras=False)
    c = _db(tmp_path / "may.sqlite")
    assert consistency_problems(c, today) == []
    assert 0.4 <= s["paid_fen"] / s["owed_fen"] <= 0.8
    assert _one(c, "SELECT MAX(registered_on) FROM case_record") <= today.isoformat()
    assert _one(c, "SELECT name FROM campaign") == "2027年根治欠薪冬季专项行动"


# ---------------------------------------------------------------------------------------------
# the county-sized database ("big"), small: written as an import is
# ---------------------------------------------------------------------------------------------
def _schema(path) -> list[tuple]:
    c = sqlite3.connect(str(path))
    # sqlite_stat1 appears when Store.close() runs PRAGMA optimize on a big database: not schema
    return sorted(c.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                            "WHERE name NOT LIKE 'sqlite_stat%'").fetchall(),
                  key=lambda r: (r[0], r[1]))


@pytest.fixture(scope="module")
def big_small(tmp_path_factory):
    d = tmp_path_factory.mktemp("big")
    path = d / "big.sqlite"
    summary = build_demo(path, "big", today=TODAY, _cases=2000, _workers=20000)
    return path, summary


def test_big_counts(big_small):
    path, s = big_small
    assert SCALES["big"].cases == 100_000 and SCALES["big"].workers == 1_000_000
    assert s["cases"] == 2000 and s["workers"] == 20000
    c = _db(path)
    assert _one(c, "SELECT COUNT(*) FROM worker") == 20000
    assert _one(c, "SELECT COUNT(*) FROM repayment") == s["repayments"] > 5000
    assert 0.4 <= s["paid_fen"] / s["owed_fen"] <= 0.8
    assert _one(c, "SELECT SUM(amount_fen) FROM repayment") == s["paid_fen"]


def test_big_consistent(big_small):
    path, _ = big_small
    c = _db(path)
    assert consistency_problems(c, TODAY) == []
    assert check_people_and_numbers(c, TODAY) == []


def test_big_is_written_as_an_import_is(big_small, tmp_path):
    """No copy of the triggers' work: every row has the audit row, search entry and roll-up that
    the import's commit writes; the schema is the program's own, untouched."""
    path, _ = big_small
    from models.db import Store
    fresh = tmp_path / "fresh.sqlite"
    Store(fresh).close()
    assert _schema(path) == _schema(fresh)
    c = _db(path)
    assert _one(c, "PRAGMA integrity_check") == "ok"
    for table, n in (("case_record", 2000), ("worker", 20000)):
        assert _one(c, f"SELECT COUNT(*) FROM audit_log WHERE table_name = '{table}' AND action = 'insert'") == n
    assert _one(c, "SELECT COUNT(*) FROM audit_log WHERE table_name = 'repayment' AND action = 'insert'") == \
        _one(c, "SELECT COUNT(*) FROM repayment")
    # each repayment raised its worker's paid amount as an audited change
    assert _one(c, "SELECT COUNT(*) FROM audit_log WHERE table_name = 'worker' AND action = 'update'") == \
        _one(c, "SELECT COUNT(*) FROM repayment WHERE worker_id IS NOT NULL")
    assert _one(c, "SELECT COUNT(*) FROM audit_log WHERE action = 'bulk'") == 0
    assert _one(c, "SELECT COUNT(*) FROM worker_fts") == 20000
    # the index finds the records holding every run of the text; those holding the text itself
    # among them (the program's search asks each) are the ones LIKE finds
    held = "(t.id_number LIKE '%511322%' OR t.name LIKE '%511322%')"
    n = _one(c, f"SELECT COUNT(*) FROM worker_fts f JOIN worker t ON t.id = f.rowid WHERE worker_fts MATCH ? AND {held}",
             trigram_match('511322'))
    assert n == _one(c, f"SELECT COUNT(*) FROM worker t WHERE {held}") > 0
    assert _one(c, "SELECT COUNT(*) FROM case_fts WHERE case_fts MATCH ?", trigram_match('农民工')) == 2000
    c.execute("INSERT INTO worker_fts(worker_fts) VALUES ('integrity-check')")
    c.execute("INSERT INTO case_fts(case_fts) VALUES ('integrity-check')")
    cfg = dict(c.execute("SELECT k, v FROM worker_fts_config").fetchall())
    assert cfg.get("automerge", 4) == 4 and cfg.get("hashsize") == migrations.FTS_HASHSIZE
    assert _one(c, "SELECT COUNT(DISTINCT uuid) FROM worker") == 20000
    # the case service's rules: 重大 by headcount or amount, as a typed case gets it
    assert _one(c, "SELECT COUNT(*) FROM case_record WHERE is_major != "
                   "(workers_count >= 30 OR amount_fen >= 100000000)") == 0


def test_big_triggers_work_after_build(big_small, tmp_path):
    """A new repayment after the build rolls up as any other does."""
    import shutil
    from models.db import Store
    copy = tmp_path / "copy.sqlite"
    shutil.copy(big_small[0], copy)
    st = Store(copy, user="测试")
    w = st.one("SELECT id, case_id, owed_fen, paid_fen FROM worker WHERE paid_fen < owed_fen LIMIT 1")
    before = st.one("SELECT w_paid_fen FROM case_record WHERE id = ?", (w["case_id"],))[0]
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo
    LedgerRepo(st, registry.get("repayments")).insert({"case_id": w["case_id"], "worker_id": w["id"],
                                                       "paid_on": TODAY.isoformat(), "amount_fen": 100})
    assert st.one("SELECT paid_fen FROM worker WHERE id = ?", (w["id"],))[0] == w["paid_fen"] + 100
    assert st.one("SELECT w_paid_fen FROM case_record WHERE id = ?", (w["case_id"],))[0] == before + 100
    assert st.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'repayment' AND user = '测试'") == 1
    st.close()


def test_big_cancel_rolls_back(tmp_path):
    """A cancel in the middle leaves an empty database with its schema whole."""
    from models.db import Store

    class Stop(Exception):
        pass

    def progress(done, total, text):
        if done >= 40:
            raise Stop

    path = tmp_path / "cancel.sqlite"
    with pytest.raises(Stop):
        build_demo(path, "big", today=TODAY, _cases=3000, _workers=15000, progress=progress)
    c = _db(path)
    for table in ("campaign", "employer", "case_record", "worker", "repayment", "case_status_log", "audit_log"):
        assert _one(c, f"SELECT COUNT(*) FROM {table}") == 0, table
    fresh = tmp_path / "fresh.sqlite"
    Store(fresh).close()
    assert _schema(path) == _schema(fresh)
    assert build_demo(path, "big", today=TODAY, _cases=500, _workers=3000)["cases"] == 500
