"""数据审核 checks again only what a change touched, and its result equals a full run's:
every fault of every rule is planted after a full check, and each incremental result is
compared with a full run of ``models.checks.run_checks``. The faults are planted by raw SQL
on the columns a record's audit covers (a write of the derived totals alone, which no program
path makes, is found by the weekly whole run)."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import checks
from models.checks_incremental import check, same_findings
from models.db import Store

TODAY = _dt.date(2026, 12, 7)


def _one(s, sql, params=()):
    v = s.scalar(sql, params)
    assert v is not None, sql
    return v


def _worker_with_repayment(s):
    return _one(s, "SELECT w.id FROM worker w JOIN repayment p ON p.worker_id = w.id AND p.deleted_at IS NULL "
                   "WHERE w.deleted_at IS NULL ORDER BY w.id LIMIT 1")


def _open_case_with_unpaid(s):
    return _one(s, "SELECT id FROM case_record WHERE deleted_at IS NULL AND total_paid_fen < total_owed_fen "
                   "AND status != '已化解' ORDER BY id DESC LIMIT 1")


def _copy_worker(s):
    wid = _one(s, "SELECT id FROM worker WHERE deleted_at IS NULL AND id_number != '' ORDER BY id DESC LIMIT 1")
    cols = [r[1] for r in s.query("PRAGMA table_info(worker)") if r[1] not in ("id", "uuid")]
    names = ", ".join(f'"{c}"' for c in cols)
    s.execute(f"INSERT INTO worker(uuid, {names}) SELECT lower(hex(randomblob(16))), {names} FROM worker WHERE id = ?",
              (wid,))


def _bad_id(s):
    wid = _one(s, "SELECT id FROM worker WHERE deleted_at IS NULL AND length(id_number) = 18 ORDER BY id LIMIT 1")
    number = s.scalar("SELECT id_number FROM worker WHERE id = ?", (wid,))
    last = "0" if number[-1] != "0" else "1"
    s.execute("UPDATE worker SET id_number = ? WHERE id = ?", (number[:-1] + last, wid))


def _certificate_before_a_later_case(s):
    r = s.one("SELECT employer_name, period_from FROM case_record WHERE deleted_at IS NULL AND employer_name != '' "
              "AND period_from IS NOT NULL AND period_from < registered_on AND status != '不存在欠薪' ORDER BY id LIMIT 1")
    s.execute("INSERT INTO certificate(uuid, cert_no, cert_kind, employer_name, project_name, as_of, issued_on) "
              "VALUES (lower(hex(randomblob(16))), '清欠证〔2026〕99号', '清欠审查证明', ?, '', ?, ?)", (r[0], r[1], r[1]))


# rule → how to plant one fault of it (raw SQL: the kind of damage the rules exist to find)
PLANT = {
    "worker_paid_le_owed": lambda s: s.execute(
        "UPDATE worker SET paid_fen = owed_fen + 100 WHERE id = (SELECT MIN(id) FROM worker WHERE deleted_at IS NULL)"),
    # a case without workers: its paid amount is its own (an audited column)
    "case_paid_le_owed": lambda s: s.execute(
        "UPDATE case_record SET paid_fen = amount_fen + 100 WHERE id = (SELECT MAX(id) FROM case_record "
        "WHERE deleted_at IS NULL AND w_count = 0 AND amount_fen > 0)"),
    # the registered amount no longer the workers' total
    "case_totals_match_workers": lambda s: s.execute(
        "UPDATE case_record SET amount_fen = amount_fen + 100 WHERE id = (SELECT MAX(case_id) FROM worker)"),
    "resolved_means_paid": lambda s: s.execute(
        "UPDATE case_record SET status = '已化解' WHERE id = ?", (_open_case_with_unpaid(s),)),
    "dates_in_order": lambda s: s.execute(
        "UPDATE case_record SET period_from = '2026-06-30', period_to = '2026-01-01' "
        "WHERE id = (SELECT MIN(id) FROM case_record WHERE deleted_at IS NULL)"),
    "no_duplicate_worker": _copy_worker,
    "id_numbers_valid": _bad_id,
    "repayments_match_workers": lambda s: s.execute(
        "UPDATE worker SET paid_fen = 0 WHERE id = ?", (_worker_with_repayment(s),)),
    "assets_match_funds": lambda s: s.execute(
        "UPDATE asset_item SET income_fen = income_fen + 1 WHERE id = (SELECT MIN(id) FROM asset_item "
        "WHERE fund_id IS NOT NULL AND deleted_at IS NULL)"),
    "blacklist_dates": lambda s: s.execute(
        "UPDATE blacklist_entry SET case_nos = '无此编号-0001' WHERE id = (SELECT MIN(id) FROM blacklist_entry)"),
    "contract_arrears_consistent": lambda s: s.execute(
        "UPDATE contract_arrear SET case_nos = '无此编号-0002' WHERE id = (SELECT MIN(id) FROM contract_arrear)"),
    "daily_reports_unique": lambda s: s.execute(
        "UPDATE daily_report SET is_zero = 1, new_cases = 3 WHERE id = (SELECT MIN(id) FROM daily_report)"),
    "funds_reconcile": lambda s: s.execute(
        "UPDATE fund_allocation SET amount_fen = amount_fen + 1 WHERE id = (SELECT MIN(id) FROM fund_allocation)"),
    "inspections_rectified": lambda s: s.execute(
        "UPDATE inspection SET closed_on = NULL, status = '已销号' WHERE id = (SELECT MIN(id) FROM inspection)"),
    "petitions_linked": lambda s: s.execute(
        "UPDATE petition SET result = '已答复', reply = '' WHERE id = (SELECT MIN(id) FROM petition)"),
    "advances_reconcile": lambda s: s.execute(
        "INSERT INTO advance(uuid, advance_no, source, fund_id, case_id, amount_fen, advanced_on) SELECT 'plant-adv', "
        "'DF-PLANT', '应急周转金', (SELECT MIN(id) FROM fund), (SELECT MIN(id) FROM case_record), 100, '2026-11-01'"),
    "employer_plans_consistent": lambda s: s.execute(
        "INSERT INTO employer_plan(uuid, employer_id, measure, responsible, start_on, due_on, status) SELECT "
        "'plant-plan', (SELECT MIN(id) FROM employer), '植入措施', '甲', '2026-11-20', '2026-11-10', '推进中'"),
    "certificates_clear": _certificate_before_a_later_case,
    "project_deposit": lambda s: s.execute(
        "UPDATE project SET started_on = '2026-01-05', deposit_fen = 0, deposit_form = '' "
        "WHERE id = (SELECT MIN(id) FROM project WHERE contract_fen > 0 AND deleted_at IS NULL)"),
    "project_three_registers": lambda s: s.execute(
        "INSERT INTO project_payroll(uuid, project_id, month, name, days, paid_fen) VALUES (lower(hex(randomblob(16))), "
        "(SELECT MIN(id) FROM project WHERE deleted_at IS NULL), '2026-10', '无考勤工人', 10, 350000)"),
}


def _full(s, today=TODAY):
    return checks.run_checks(s, today)


def _count(report, code):
    return sum(1 for f in report.findings if f.rule == code)


def _diff(a, b):
    x = {(f.rule, f.table, f.record, f.message) for f in a.findings}
    y = {(f.rule, f.table, f.record, f.message) for f in b.findings}
    return {"only incremental": x - y, "only full": y - x}


def _of(report, code):
    return {(f.table, f.record, f.message) for f in report.findings if f.rule == code}


def test_every_rule_has_a_planted_fault():
    from models.ledger import registry
    registry.all_ledgers()
    assert set(PLANT) == {c for c in checks.RULES if c not in checks.WARNINGS}


def test_every_planted_fault_is_found_as_a_full_run_finds_it(demo_db):
    s = Store(demo_db)
    try:
        first, done = check(s, TODAY)
        assert done["mode"] == "full" and same_findings(first, _full(s))
        again, done = check(s, TODAY)
        assert done["mode"] == "unchanged" and same_findings(again, first), done
        for code, plant in PLANT.items():
            before = _of(_full(s), code)
            with s.tx(f"植入{code}"):
                plant(s)
            inc, done = check(s, TODAY)
            full = _full(s)
            assert _of(full, code) - before, code               # a new finding: the fault is one the rule finds
            assert same_findings(inc, full), (code, _diff(inc, full))
            assert done["mode"] == "incremental", code
            if checks.META[code].scope == "case":
                assert done["cases"] <= 3, (code, done)         # only the touched cases were checked
    finally:
        s.close()


def test_deleting_moving_and_recycling_are_followed(demo_db):
    s = Store(demo_db)
    try:
        with s.tx("植入"):
            PLANT["worker_paid_le_owed"](s)
            _bad_id(s)
        check(s, TODAY)
        bad = s.scalar("SELECT MIN(id) FROM worker WHERE deleted_at IS NULL")
        other = s.scalar("SELECT MAX(id) FROM case_record WHERE deleted_at IS NULL")
        steps = [
            ("UPDATE worker SET case_id = ? WHERE id = ?", (other, bad)),           # moved to another case
            ("UPDATE case_record SET deleted_at = '2026-12-07T10:00:00' WHERE id = ?", (other,)),   # recycled
            ("UPDATE case_record SET deleted_at = NULL WHERE id = ?", (other,)),    # restored
            ("DELETE FROM repayment WHERE worker_id = ?", (bad,)),
            ("DELETE FROM worker WHERE id = ?", (bad,)),                            # purged
        ]
        for sql, params in steps:
            with s.tx("改动"):
                s.execute(sql, params)
            inc, _done = check(s, TODAY)
            assert same_findings(inc, _full(s)), sql
    finally:
        s.close()


def test_a_new_day_checks_the_rules_of_the_day_again(demo_db):
    s = Store(demo_db)
    try:
        cid = s.scalar("SELECT MIN(id) FROM case_record WHERE deleted_at IS NULL")
        with s.tx("植入"):
            s.execute("UPDATE case_record SET registered_on = '2026-12-09' WHERE id = ?", (cid,))
        later = TODAY + _dt.timedelta(days=3)
        inc, _ = check(s, TODAY)
        assert same_findings(inc, _full(s)) and _count(inc, "dates_in_order") >= 1
        inc, done = check(s, later)                 # nothing changed, but the day did
        assert same_findings(inc, _full(s, later)) and "dates_in_order" in done["rules_rerun"]
    finally:
        s.close()


@pytest.mark.parametrize("what", ["schema", "rules"])
def test_anything_unknown_means_a_full_run(demo_db, what):
    s = Store(demo_db)
    try:
        check(s, TODAY)
        from models.checks_incremental import STATE_KEY
        state = s.get_setting(STATE_KEY)
        state[what] = 0 if what == "schema" else ["另一套规则"]
        s.set_setting(STATE_KEY, state)
        _, done = check(s, TODAY)
        assert done["mode"] == "full"
    finally:
        s.close()


def test_a_whole_run_at_least_once_a_week(demo_db):
    from models.checks_incremental import FULL_EVERY_DAYS
    s = Store(demo_db)
    try:
        check(s, TODAY)
        _, done = check(s, TODAY + _dt.timedelta(days=FULL_EVERY_DAYS - 1))
        assert done["mode"] != "full"
        _, done = check(s, TODAY + _dt.timedelta(days=FULL_EVERY_DAYS))
        assert done["mode"] == "full"
    finally:
        s.close()


def test_a_changed_rate_or_day_count_checks_its_rules_again(demo_db):
    s = Store(demo_db)
    try:
        with s.tx("植入"):
            PLANT["project_deposit"](s)                          # a started project with no deposit at 2 %
        check(s, TODAY)
        s.set_setting("project.deposit_rate_pct", 0)           # no deposit due: no finding
        inc, done = check(s, TODAY)
        assert "project_deposit" in done["rules_rerun"] and same_findings(inc, _full(s))
        s.set_setting("reports.check_cache", {"x": 1})          # bookkeeping: nothing to check again
        _, done = check(s, TODAY)
        assert done["mode"] == "unchanged"
    finally:
        s.close()


FULL_DUE = """
import sys
from models.checks_incremental import full_due
from models.db import Store
s = Store(sys.argv[1], None)
print(full_due(s))
s.close()
"""


def test_a_kept_check_is_not_due_again_in_a_fresh_process(demo_db):
    """``qingqian check`` asks ``full_due`` right after opening the file, before anything has
    loaded the ledgers' declarations (their rules are part of the kept result): a check kept
    today is not due again, or every check of a large file would run PRAGMA quick_check."""
    import subprocess
    import sys
    from pathlib import Path
    s = Store(demo_db)
    try:
        check(s, _dt.date.today())
    finally:
        s.close()
    out = subprocess.run([sys.executable, "-c", FULL_DUE, str(demo_db)], capture_output=True, text=True,
                         timeout=120, cwd=Path(__file__).resolve().parent.parent)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_the_log_is_read_after_its_mark_only_whatever_the_statistics(demo_db):
    """The check after an edit and the short-search index's catch-up read the audit log's rows
    after their mark by id. With a county file's statistics (ANALYZE: 2.4 million rows, 220,000
    a table) SQLite preferred to walk the (table, record) index through the whole log for three
    of these reads: 0.2 s each on the county database, for a handful of rows."""
    from models.ledger import chars_index
    s = Store(demo_db)
    try:
        check(s, TODAY)
        assert chars_index.catch_up(s, "worker")
        s.execute("ANALYZE")
        s.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'audit_log'")
        s.execute("INSERT INTO sqlite_stat1 VALUES ('audit_log', 'audit_log_record', '2427625 220694 2'), "
                  "('audit_log', 'audit_log_at', '2427625 30730')")
        s.execute("ANALYZE sqlite_schema")          # the planner reads the statistics again
        with s.tx("植入"):
            PLANT["worker_paid_le_owed"](s)
        seen: list[str] = []
        s.conn.set_trace_callback(seen.append)
        try:
            _inc, done = check(s, TODAY)
            assert chars_index.catch_up(s, "worker")
        finally:
            s.conn.set_trace_callback(None)
        assert done["mode"] == "incremental"
        reads = [q for q in seen if "FROM audit_log" in q and "id > " in q]
        assert len(reads) >= 4, seen
        for q in reads:
            steps = [r[3] for r in s.conn.execute("EXPLAIN QUERY PLAN " + q)]
            log = [x for x in steps if x.split()[1] in ("audit_log", "a")]       # the log's own step
            assert log and all(x.endswith("USING INTEGER PRIMARY KEY (rowid>?)") for x in log), (q, steps)
            assert not any("audit_log_record" in x or "audit_log_at" in x for x in steps), (q, steps)
    finally:
        s.close()
