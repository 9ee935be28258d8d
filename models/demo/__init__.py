"""Demo data: a realistic fictional township (or a county-sized database for benchmarks).

``build_demo(path, "township")`` fills an empty database with one special action
(2026年根治欠薪冬季专项行动 of 青山县青山镇), its leading group and seven workstreams with
members, employers and projects, about 150 wage-arrears cases registered over the last ten
weeks, 3,000 workers named in them and their repayments. All dates are relative to ``today``
so the demo always looks current: older cases are mostly closed, recent ones are still being
verified, a few are overdue or stalled, and about 60 % of the money has been repaid. The
other modules' demo rows (the workstreams' ledgers, the Monday meetings) are added on top.

``build_demo(path, "county")`` writes the same shape at county size (100,000 cases,
1,000,000 workers) in bulk mode (``store.bulk``): rows go in with ``executemany`` and
precomputed values; per-row triggers and secondary indexes are set aside inside the one
transaction and put back, byte for byte, at the end; the case roll-ups come from a GROUP BY
over the workers and both full-text indexes are filled from the tables with INSERT … SELECT
(what FTS5's 'rebuild' does), batch by batch while a second thread generates the next rows;
a single audit row records the load.

Everything is drawn from ``random.Random(seed)``: a seed and a ``today`` give the same data
(apart from the UUIDs and timestamps of the few rows written through ``models.campaign``).
Nothing here imports Qt.
"""
from __future__ import annotations

import datetime as _dt
import random
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from models import audit
from models.campaign import create_campaign, default_phases, set_leading_group, set_members
from models.db import Store
from models.rules.workdays import WorkCalendar, before_spring_festival, parse_schedule_text
from models.demo.bulk import _Producer, _bulk_load, _fts_tune
from models.demo.cases import _Gen
from models.demo.places import _setup_employers_projects
from models.demo.plan import _plan
from models.demo.words import COUNTY, GOV, _WS_NAMES, V_AGREED, V_COURT, V_NONE, V_PAID, V_POLICE

from models.demo.base import (DEMO_USER, SCALES, Progress, _BULK_CACHE, _Ctx, _Pick,
                               _mobile, _monday, _person_name)

__all__ = ["build_demo", "SCALES", "DEMO_USER"]

# ---------------------------------------------------------------------------------------------
# The build
# ---------------------------------------------------------------------------------------------
def build_demo(path: str | Path, scale: str = "township", *, seed: int = 20261126,
               today: date | None = None, progress: Progress | None = None,
               _cases: int | None = None, _workers: int | None = None, _extras: bool = True,
               actor=None) -> dict:
    """Fill the database at ``path`` with demo data and return a summary.

    ``scale`` is "township" (150 cases, 3,000 workers, written through the normal triggers) or
    "county" (100,000 cases, 1,000,000 workers, bulk mode). ``_cases`` / ``_workers`` change the
    size (the tests use a small bulk build); ``_extras=False`` leaves out the other modules' demo
    ledgers and meetings (see ``_add_other_ledgers``). Refuses (ValueError) a database that already holds
    cases. The build is one transaction: an error, or ``Cancelled`` raised from ``progress``,
    leaves the file as it was.

    Returns {scale, path, today, cases, workers, repayments, owed_fen, paid_fen, cleared_pct,
    seconds, file_bytes}.
    """
    if scale not in SCALES:
        raise ValueError(f"未知的演示数据规模“{scale}”（可选：township 乡镇、county 县级）")
    sc = SCALES[scale]
    if _cases is not None or _workers is not None:
        nc = _cases or sc.cases
        sc = replace(sc, cases=nc, workers=_workers or sc.workers,
                     employers=min(sc.employers, max(40, nc // 50)) if sc.employers else 0,
                     projects=min(sc.projects, max(15, nc // 140)) if sc.projects else 0)
    if sc.cases < 1 or sc.workers < 0:
        raise ValueError("演示数据的问题数应大于0")
    today = today or date.today()
    t0 = time.perf_counter()
    report = progress or (lambda done, total, text: None)

    store = Store(path, user=DEMO_USER)
    store.actor = actor      # a database that already has accounts: its logged-in 办公室 (no actor, no write)
    try:
        if store.scalar("SELECT COUNT(*) FROM case_record", default=0):
            raise ValueError(f"数据库“{Path(path).name}”中已有欠薪问题记录，为免与真实数据混在一起，"
                             "不能再生成演示数据。请另选一个新的数据库文件。")
        rng = random.Random(seed)
        start = _monday(today - timedelta(weeks=10))
        base = int(_dt.datetime.combine(start - timedelta(days=30), _dt.time(8, 0)).timestamp() * 1000)
        ctx = _Ctx(store, rng, today, sc, start, base)
        # deadlines on the office's own holiday calendar where it has entered one (as the program does)
        ctx.cal = WorkCalendar({r["year"]: parse_schedule_text(r["year"], r["schedule_text"])
                                for r in store.query("SELECT year, schedule_text FROM calendar_year")})
        old_cache = store.scalar("PRAGMA cache_size")
        if sc.bulk:
            store.execute(f"PRAGMA cache_size = {_BULK_CACHE}")   # while loading
        try:
            with store.tx(reason="生成演示数据"):
                report(0, 100, "正在建立专项行动、领导小组和工作专班…")
                _setup_campaign(ctx)
                report(1, 100, "正在生成用人单位和工程项目…")
                _setup_employers_projects(ctx)
                counts = _build_cases(ctx, report)
                store.bulk = False
                extras = _add_other_ledgers(ctx, report) if _extras else {}
        finally:
            store.bulk = False
            store.execute(f"PRAGMA cache_size = {int(old_cache)}")
        report(99, 100, "正在整理数据库文件…")
        store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # the headline figures, counted as every screen and report counts them (models.figures)
        from models.figures import figures
        fig = figures(store, today, keys=("cases", "owed_fen", "paid_fen", "cleared_pct"))
        summary = {
            "scale": scale,
            "path": str(Path(path)),
            "today": today.isoformat(),
            "cases": fig.cases,
            "workers": counts["workers"],
            "repayments": store.scalar("SELECT COUNT(*) FROM repayment WHERE deleted_at IS NULL", default=0),
            "owed_fen": fig.owed_fen,
            "paid_fen": fig.paid_fen,
            "cleared_pct": fig.cleared_pct,
            "seconds": 0.0,
            **extras,
        }
    finally:
        store.close()
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    summary["file_bytes"] = Path(path).stat().st_size
    report(100, 100, "演示数据已生成")
    return summary


def _add_other_ledgers(ctx: _Ctx, report: Progress) -> dict:
    """The rest of a working township, drawn from the cases just written (inside the same
    transaction, triggers on): the workstreams' ledgers (funds, assets, contract arrears,
    petitions…) and the Monday dispatch meetings with their action items. Each lives in its own
    module. Township only: at county size these modules'
    row-by-row queries would take longer than the whole bulk load."""
    extras: dict = {}
    if ctx.scale.bulk:
        return extras
    from models.demo.ledgers import add_demo_ledgers
    from models.demo.meetings import add_demo_meetings
    for i, (add, text) in enumerate(((add_demo_ledgers, "正在生成各专班台账…"),
                                     (add_demo_meetings, "正在生成周调度会和交办事项…"))):
        report(97 + i, 100, text)
        out = add(ctx.store, ctx.rng, ctx.today)
        if isinstance(out, dict):
            extras.update(out)
    return extras


# ---------------------------------------------------------------------------------------------
# Campaign, people
# ---------------------------------------------------------------------------------------------
def _campaign_dates(today: date) -> tuple[date, date, int]:
    """Start: the Monday ten weeks before today; end: the eve of the next Spring Festival
    (the winter action's 春节前 deadline); and the year the action is named after."""
    start = _monday(today - timedelta(weeks=10))
    year = start.year + (1 if start.month >= 6 else 0)
    end = before_spring_festival(year)
    while end <= today:
        year += 1
        end = before_spring_festival(year)
    return start, end, year - 1


def _setup_campaign(ctx: _Ctx) -> None:
    rng, store = ctx.rng, ctx.store
    start, end, name_year = _campaign_dates(ctx.today)
    county = ctx.scale.employers > 0
    unit = f"{COUNTY}人民政府" if county else f"{COUNTY}{GOV}"
    cid = create_campaign(store, f"{name_year}年根治欠薪冬季专项行动", unit, start, end,
                          phases=default_phases(start, end),
                          office_location="县人力资源和社会保障局三楼" if county else "镇便民服务中心二楼社会事务办公室")
    used: set[str] = set()

    def nm(female: bool | None = None) -> str:
        return _person_name(rng, used, female)

    town = GOV
    leaders = {
        "mayor": dict(name=nm(False), unit=town, title="镇党委副书记、镇长"),
        "exec": dict(name=nm(), unit=town, title="镇党委委员、常务副镇长"),
        "vice_build": dict(name=nm(False), unit=town, title="镇党委委员、副镇长"),
        "politics": dict(name=nm(False), unit=town, title="镇党委委员、政法委员"),
        "office": dict(name=nm(), unit=town, title="镇社会事务办公室主任"),
        "finance": dict(name=nm(), unit="青山镇财政所", title="所长"),
        "justice": dict(name=nm(), unit="青山镇司法所", title="所长"),
        "police": dict(name=nm(False), unit="青山派出所", title="所长"),
        "stability": dict(name=nm(), unit=town, title="镇综治中心主任"),
    }
    lg = [("组长", "mayor"), ("常务副组长", "exec"), ("副组长", "vice_build"), ("副组长", "politics"),
          ("办公室主任", "office"), ("成员", "finance"), ("成员", "justice"), ("成员", "police"),
          ("成员", "stability")]
    set_leading_group(store, cid, [dict(role=r, **leaders[k]) for r, k in lg])
    extra = {
        "labour": dict(name=nm(), unit="青山镇劳动保障所", title="所长"),
        "planning": dict(name=nm(False), unit=town, title="镇规划建设办公室主任"),
        "org": dict(name=nm(), unit=town, title="镇党委委员、组织委员"),
        "pr": dict(name=nm(), unit=town, title="镇党委委员、宣传委员"),
        "armed": dict(name=nm(False), unit=town, title="镇党委委员、武装部部长"),
        "npc": dict(name=nm(False), unit=town, title="镇人大主席"),
        "agri": dict(name=nm(), unit=town, title="镇农业农村服务中心主任"),
        "land": dict(name=nm(), unit="青山自然资源所", title="所长"),
        "econ": dict(name=nm(), unit=town, title="镇经济发展办公室主任"),
    }
    people = {**leaders, **extra}
    # (组长, 副组长) of each workstream, in _WS_NAMES order
    heads = [("exec", "labour"), ("vice_build", "planning"), ("politics", "stability"), ("org", "finance"),
             ("npc", "land"), ("pr", "agri"), ("armed", "econ")]
    member_units = {0: ["青山镇劳动保障所", town, "青山镇劳动保障所"], 1: [town, town, "青山镇劳动保障所"],
                    2: ["青山派出所", town, town], 3: ["青山镇财政所", town, town],
                    4: ["青山自然资源所", town, town], 5: [town, town, town], 6: [town, "青山镇财政所", town]}
    staff_titles = ["科员", "一级科员", "四级主任科员", "工作人员", "事业干部"]
    rows = store.query("SELECT id, name FROM workstream WHERE campaign_id = ? ORDER BY sort, id", (cid,))
    by_name = {r["name"]: r["id"] for r in rows}
    for i, ws_name in enumerate(_WS_NAMES):
        lead, dep = heads[i]
        members = [dict(role="组长", phone=_mobile(rng), **people[lead]),
                   dict(role="副组长", phone=_mobile(rng), **people[dep])]
        n_staff = 2 + (rng.random() < 0.5)
        if i == 2:  # 信访维稳: the justice office head sits in it
            members.append(dict(role="成员", phone=_mobile(rng), **people["justice"]))
            n_staff -= 1
        for u in member_units[i][:n_staff]:
            members.append(dict(role="成员", name=nm(), unit=u, title=rng.choice(staff_titles), phone=_mobile(rng)))
        members.append(dict(role="联络员", name=nm(), unit=town, title="联络员", phone=_mobile(rng)))
        ws_id = by_name.get(ws_name) or rows[i]["id"]
        set_members(store, ws_id, members)
        owners = [(m["name"], {"组长": 1, "副组长": 2, "成员": 3}[m["role"]]) for m in members if m["role"] != "联络员"]
        ctx.ws.append({"id": ws_id, "name": ws_name, "owners": _Pick(owners), "liaison": members[-1]["name"]})


# ---------------------------------------------------------------------------------------------
# Writing the cases, workers, repayments
# ---------------------------------------------------------------------------------------------
_CASE_COLS = ("id, uuid, case_no, source, registered_on, industry_type, industry, employer_name, employer_id, "
              "project_name, project_id, owner_unit, general_contractor, subcontractor, gov_invested, "
              "workers_count, amount_fen, paid_fen, period_from, period_to, reason, summary, workstream_id, "
              "owner_person, deadline_days, deadline, status, verdict, resolved_count, resolved_fen, "
              "resolution_path, is_major, is_sensitive, flags_manual, closed_on, notes, status_changed_at, "
              "created_at, updated_at")
_WORKER_COLS = ("id, uuid, case_id, name, id_number, phone, bank_card, bank_name, trade, entered_on, left_on, "
                "owed_fen, paid_fen, signed, notes, created_at, updated_at")
_REPAY_COLS = ("id, uuid, case_id, worker_id, paid_on, amount_fen, payer, channel, voucher_no, notes, "
               "created_at, updated_at")
_LOG_SQL = ("INSERT INTO case_status_log(case_id, from_status, to_status, changed_on, user, note) "
            "VALUES (?, ?, ?, ?, ?, ?)")


def _insert_sql(ctx: _Ctx, table: str, cols: str, table_no: int) -> str:
    n = cols.count(",") + 1
    marks = ["?1", ctx.uuid_sql(table_no)] + [f"?{i}" for i in range(3, n + 1)]
    return f"INSERT INTO {table}({cols}) VALUES ({', '.join(marks)})"


def _build_cases(ctx: _Ctx, report: Progress) -> dict:
    store, sc = ctx.store, ctx.scale
    n = sc.cases
    verdict_texts = {r[0] for r in store.query("SELECT text FROM verdict_option")}
    for v in (V_PAID, V_AGREED, V_COURT, V_POLICE, V_NONE):
        if v not in verdict_texts:   # an edited list: put the platform wording back for the demo
            store.insert("verdict_option", {"text": v, "closes": 0 if v == V_COURT else 1, "sort": 90})
    report(2, 100, "正在安排欠薪问题的时间线…")
    plans = _plan(ctx)
    g = _Gen(ctx)
    g.next_case = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM case_record", default=0)) + 1
    g.next_worker = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM worker", default=0)) + 1
    g.next_repay = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM repayment", default=0)) + 1
    first_case, first_worker = g.next_case, g.next_worker
    case_sql = _insert_sql(ctx, "case_record", _CASE_COLS, 3)
    worker_sql = _insert_sql(ctx, "worker", _WORKER_COLS, 4)
    repay_sql = _insert_sql(ctx, "repayment", _REPAY_COLS, 5)

    steps = (n + sc.chunk - 1) // sc.chunk
    counts = {"workers": 0, "repayments": 0}

    def make(step: int) -> tuple[list, list, list, list]:
        cases, workers, repays, logs = [], [], [], []
        for p in plans[step * sc.chunk:(step + 1) * sc.chunk]:
            g.case(p, cases, workers, repays, logs)
        return cases, workers, repays, logs

    def done(step: int, workers: list, repays: list) -> None:
        counts["workers"] += len(workers)
        counts["repayments"] += len(repays)
        report(3 + (step + 1) * (83 if sc.bulk else 87) // steps, 100,
               f"正在生成欠薪问题、农民工和兑付记录…（{min((step + 1) * sc.chunk, n)}/{n} 件，"
               f"农民工 {counts['workers']} 人）")

    if not sc.bulk:
        all_repays: list[tuple] = []
        for step in range(steps):
            cases, workers, repays, logs = make(step)
            store.executemany(case_sql, cases)
            store.executemany(_LOG_SQL, logs)
            store.executemany(worker_sql, workers)
            all_repays.extend(repays)
            done(step, workers, repays)
        # through the triggers: each repayment raises its worker's (or case's) paid amount
        report(91, 100, "正在登记工资兑付…")
        all_repays.sort(key=lambda r: (r[4], r[0]))
        store.executemany(repay_sql, all_repays)
        # the roll-up triggers stamped updated_at with the clock; put back the case's own history
        store.executemany("UPDATE case_record SET updated_at = ?, status_changed_at = ? WHERE id = ?", g.touch)
        from models.cases import refresh_activity
        refresh_activity(store, first_case - 1, with_edits=True)
        return counts

    # Bulk: while SQLite (which releases the GIL) indexes one batch of chunks for full-text
    # search and rolls its workers up into the cases, a second thread generates the next batch.
    store.bulk = True
    fts = ("case_fts", "worker_fts")
    for t in fts:
        _fts_tune(store, t, fast=True)
    batch_size = 4
    step = 0
    with _bulk_load(store, ("case_record", "case_status_log", "worker", "repayment"), report), \
            _Producer(make, steps) as producer:
        producer.request(batch_size)
        while True:
            # the whole batch first: the generator thread is idle while rows are bound
            batch = []
            while len(batch) < batch_size and (chunk := producer.next()) is not None:
                batch.append(chunk)
            ranges = []
            while batch:
                cases, workers, repays, logs = batch.pop(0)
                store.executemany(case_sql, cases)
                store.executemany(_LOG_SQL, logs)
                store.executemany(worker_sql, workers)
                store.executemany(repay_sql, repays)
                ranges.append((cases[0][0], cases[-1][0], workers[0][0] if workers else None,
                               workers[-1][0] if workers else None))
                done(step, workers, repays)
                step += 1
                del cases, workers, repays, logs
            if not ranges:
                break
            producer.request(batch_size)     # generated while the statements below run
            c0, c1 = ranges[0][0], ranges[-1][1]
            store.execute("INSERT INTO case_fts(rowid, case_no, employer_name, project_name, summary, owner_person) "
                          "SELECT id, case_no, employer_name, project_name, summary, owner_person FROM case_record "
                          "WHERE id BETWEEN ? AND ?", (c0, c1))
            ws = [r for r in ranges if r[2] is not None]
            if ws:
                w0, w1 = ws[0][2], ws[-1][3]
                store.execute("INSERT INTO worker_fts(rowid, name, id_number, trade) "
                              "SELECT id, name, id_number, trade FROM worker WHERE id BETWEEN ? AND ?",
                              (w0, w1))
                # the case roll-ups: one GROUP BY over the batch's workers (a case's workers are
                # all in one chunk)
                store.execute(
                    "UPDATE case_record SET w_count = s.c, w_owed_fen = s.o, w_paid_fen = s.p "
                    "FROM (SELECT case_id, COUNT(*) AS c, SUM(owed_fen) AS o, SUM(paid_fen) AS p FROM worker "
                    "WHERE id BETWEEN ? AND ? AND deleted_at IS NULL GROUP BY case_id) AS s "
                    "WHERE s.case_id = case_record.id", (w0, w1))
    for t in fts:
        _fts_tune(store, t, fast=False)
    from models.cases import refresh_activity
    refresh_activity(store, first_case - 1, with_edits=True)
    report(96, 100, "正在写入数据库文件…")
    audit.record_bulk(store.conn, "case_record", {
        "reason": "生成演示数据（县级规模）", "employers": len(ctx.employers), "projects": len(ctx.projects),
        "cases": n, "workers": counts["workers"],
        "repayments": counts["repayments"], "first_case_id": first_case, "first_worker_id": first_worker},
        store.user)
    return counts


