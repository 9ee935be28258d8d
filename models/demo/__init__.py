"""Demo data: realistic fictional townships, a county of them, or one county-sized database.

``build_demo(path, "township")`` fills an empty database with one special action
(2026年根治欠薪冬季专项行动 of 青山县青山镇), its leading group and seven workstreams with
members, employers and projects, about 150 wage-arrears cases registered over the last ten
weeks, 3,000 workers named in them and their repayments. All dates are relative to ``today``
so the demo always looks current: older cases are mostly closed, recent ones are still being
verified, a few are overdue or stalled, and about 60 % of the money has been repaid. The
other modules' demo rows (the workstreams' ledgers, the Monday meetings) are added on top.
``township="白鹤镇"`` (and a ``seed``) makes another township: its own name and 9-digit code
(the county's six digits and three of its own), its own firms, people, cases and amounts, and
the township named in the database (``models.exchange.identity``) so it can send its 报送包 at
once. Without ``township`` the default demo is exactly what it always was.

``build_demo(path, "county")`` makes a real county (``models.demo.county``): a county database
that has received the 报送包 of 30 townships, 100,000 cases and 1,000,000 workers in all.
``build_demo(path, "big")`` writes one database of that size (the table, search and import
benchmarks use it).

A township of up to a few hundred cases is written row by row with every trigger on (audit,
roll-ups, search index, repayments applied). A bigger one is written as a large import is
(``models.demo.bulk``): each batch of rows through its ledger's write service and the
import's set-based commit, so the trigger work is done by the one set-based copy the import
uses, never by a copy of the demo's own.

Everything is drawn from ``random.Random(seed)``: a seed and a ``today`` give the same data
(apart from the UUIDs and timestamps of rows the program stamps itself). Nothing here imports Qt.
"""
from __future__ import annotations

import datetime as _dt
import random
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from models.campaign import create_campaign, default_phases, set_leading_group, set_members
from models.db import Store
from models.ledger import effects
from models.rules.workdays import WorkCalendar, parse_schedule_text
from models.demo.bulk import fts_tune, write_batch
from models.demo.cases import _Gen
from models.demo.places import _setup_employers_projects
from models.demo.plan import _plan
from models.demo.words import (COUNTY, DEFAULT_COUNTY_CODE, GOV, _WS_NAMES, V_AGREED, V_COURT, V_NONE, V_PAID,
                               V_POLICE, Place, firm_cores, township_code)

from models.demo.base import (COUNTY_PLAN, DEMO_USER, IMPORT_FROM, SCALES, Progress, _BULK_CACHE, _Ctx, _Pick,
                               _campaign_dates, _mobile, _monday, _person_name)

__all__ = ["build_demo", "SCALES", "DEMO_USER", "DEFAULT_SEED", "COUNTY_PLAN", "township_place"]

DEFAULT_SEED = 20261126


def township_place(township: str, *, seed: int = DEFAULT_SEED, code: str | None = None,
                   county: str | None = None, county_code: str | None = None) -> Place:
    """The township ``township`` of the county (青山县 511234 unless given): its code (given, or
    the county's six digits and three of its own) and its firms, drawn by ``seed``."""
    from models.exchange import identity
    county = (county or COUNTY).strip()
    county_code = identity.check_code(county_code or DEFAULT_COUNTY_CODE, "县代码")
    code = identity.check_code(code or township_code(township.strip(), county_code), "乡镇代码")
    return Place(township.strip(), code, county, county_code, firms=firm_cores(seed))


# ---------------------------------------------------------------------------------------------
# The build
# ---------------------------------------------------------------------------------------------
def build_demo(path: str | Path, scale: str = "township", *, seed: int = DEFAULT_SEED,
               today: date | None = None, progress: Progress | None = None,
               township: str | None = None, code: str | None = None, county: str | None = None,
               county_code: str | None = None, townships: int | None = None,
               _cases: int | None = None, _workers: int | None = None, _extras: bool = True,
               _cleared: tuple[float, float] | None = None, actor=None, plans: bool = False) -> dict:
    """Fill the database at ``path`` with demo data and return a summary.

    ``scale`` is "township" (150 cases, 3,000 workers), "county" (a county database receiving
    ``townships`` townships' packages, 100,000 cases and 1,000,000 workers in all; see
    ``models.demo.county.build_county``) or "big" (one database of 100,000 cases and 1,000,000
    workers). ``township`` / ``code`` / ``county`` / ``county_code`` name another township (see
    ``township_place``). ``_cases`` / ``_workers`` change the size (the tests build small ones);
    ``_extras=False`` leaves out the other modules' demo ledgers and meetings (see
    ``_add_other_ledgers``); ``_cleared`` the range the share repaid by today is drawn from
    (about 60 % unless given; a county's townships differ). Refuses (ValueError) a database that already holds cases. The
    build is one transaction: an error, or ``Cancelled`` raised from ``progress``, leaves the
    file as it was.

    Returns {scale, path, today, cases, workers, repayments, owed_fen, paid_fen, cleared_pct,
    seconds, file_bytes} (and, for a named township, township and code).
    """
    if scale == "county":
        from models.demo.county import build_county
        return build_county(path, build_demo, seed=seed, today=today, progress=progress, county=county,
                            county_code=county_code, townships=townships, cases=_cases, workers=_workers,
                            extras=_extras, actor=actor)
    if scale not in SCALES:
        raise ValueError(f"未知的演示数据规模“{scale}”（可选：township 乡镇、county 县级）")
    place = township_place(township, seed=seed, code=code, county=county, county_code=county_code) \
        if township else Place()
    if township and not place.town:
        raise ValueError("乡镇名称不能为空")
    sc = SCALES[scale]
    if _cases is not None or _workers is not None:
        nc = _cases or sc.cases
        sc = replace(sc, cases=nc, workers=_workers or sc.workers * nc // sc.cases,
                     employers=min(sc.employers, max(40, nc // 50)) if sc.employers else 0,
                     projects=min(sc.projects, max(15, nc // 140)) if sc.projects else 0)
        if scale == "township" and nc > IMPORT_FROM:
            # a big township: written as an import is, with the county's share of 重大 cases
            sc = replace(sc, via_import=True, big_share=0.05, big_range=(30, 90), chunk=2000)
    if _cleared is not None:
        sc = replace(sc, cleared=_cleared)
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
        ctx = _Ctx(store, rng, today, sc, start, base, place=place)
        # deadlines on the office's own holiday calendar where it has entered one (as the program does)
        ctx.cal = WorkCalendar({r["year"]: parse_schedule_text(r["year"], r["schedule_text"])
                                for r in store.query("SELECT year, schedule_text FROM calendar_year")})
        old_cache = store.scalar("PRAGMA cache_size")
        if sc.via_import:
            store.execute(f"PRAGMA cache_size = {_BULK_CACHE}")   # while loading
        try:
            with store.tx(label="生成演示数据"):
                report(0, 100, "正在建立专项行动、领导小组和工作专班…")
                if township:
                    from models.exchange import identity
                    identity.set_township(store, name=place.town, code=place.code, county_name=place.county,
                                          county_code=place.county_code)
                _setup_campaign(ctx)
                report(1, 100, "正在生成用人单位和工程项目…")
                _setup_employers_projects(ctx)
                counts = _build_cases(ctx, report)
                extras = _add_other_ledgers(ctx, report) if _extras else {}
        finally:
            store.execute(f"PRAGMA cache_size = {int(old_cache)}")
        if plans and _extras and not sc.employers:
            extras.update(_add_plan_parts(store, random.Random(seed + 19), today, report))
        report(99, 100, "正在整理数据库文件…")
        store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # the headline figures, counted as every screen and report counts them (models.figures)
        from models.figures import figures
        fig = figures(store, today, keys=("cases", "workers", "owed_fen", "paid_fen", "cleared_pct"))
        summary = {
            "scale": scale,
            "path": str(Path(path)),
            "today": today.isoformat(),
            **({"township": place.town, "code": place.code, "county": place.county} if township else {}),
            "cases": fig.cases,
            "workers": counts["workers"],          # the rosters' rows made
            "involved_workers": fig.workers,       # 涉及农民工 as figures counts it (欠薪人数 where no roster)
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


def _add_plan_parts(store, rng: random.Random, today: date, report: Progress) -> dict:
    """The plans' other parts, each from its own module, through the write services: projects
    with deposits and the three registers (one month that does not agree), employers' 一企一策
    measures and advances being recovered, evidence files on cases and repayments, then the
    workstreams' targets, a certificate and the 工作方案 versions (last: the certificate looks at
    the finished ledgers). The demo a user makes (``qingqian demo``, the first run's window) has
    them; ``plans=False``, the default for code, leaves them out (tests' townships, the county's)."""
    from models.demo import attachments, employers, projects, targets
    out: dict = {}
    for module, text in ((projects, "正在生成工程项目档案…"), (employers, "正在生成一企一策和垫付追偿…"),
                         (attachments, "正在生成证据材料…"), (targets, "正在生成专班目标和工作方案…")):
        report(98, 100, text)
        got = module.populate(store, rng, today)
        out[module.__name__.rsplit(".", 1)[1]] = got
    return {"plans": out}


def _add_other_ledgers(ctx: _Ctx, report: Progress) -> dict:
    """The rest of a working township, drawn from the cases just written (inside the same
    transaction, triggers on): the workstreams' ledgers (funds, assets, contract arrears,
    petitions…) and the Monday dispatch meetings with their action items. Each lives in its own
    module. Townships only: the county-sized database has no one township's ledgers."""
    extras: dict = {}
    if ctx.scale.employers:
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
def _setup_campaign(ctx: _Ctx) -> None:
    rng, store = ctx.rng, ctx.store
    start, end, name_year = _campaign_dates(ctx.today)
    county = ctx.scale.employers > 0
    place = ctx.place
    unit = f"{place.county}人民政府" if county else place.local(f"{COUNTY}{GOV}")
    cid = create_campaign(store, f"{name_year}年根治欠薪冬季专项行动", unit, start, end,
                          phases=default_phases(start, end),
                          office_location="县人力资源和社会保障局三楼" if county else
                          place.title("镇便民服务中心二楼社会事务办公室"))
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
    for d in leaders.values():
        d["unit"], d["title"] = place.local(d["unit"]), place.title(d["title"])
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
    for d in extra.values():
        d["unit"], d["title"] = place.local(d["unit"]), place.title(d["title"])
    town = place.local(town)
    people = {**leaders, **extra}
    # (组长, 副组长) of each workstream, in _WS_NAMES order
    heads = [("exec", "labour"), ("vice_build", "planning"), ("politics", "stability"), ("org", "finance"),
             ("npc", "land"), ("pr", "agri"), ("armed", "econ")]
    member_units = {0: ["青山镇劳动保障所", town, "青山镇劳动保障所"], 1: [town, town, "青山镇劳动保障所"],
                    2: ["青山派出所", town, town], 3: ["青山镇财政所", town, town],
                    4: ["青山自然资源所", town, town], 5: [town, town, town], 6: [town, "青山镇财政所", town]}
    member_units = {i: [place.local(u) for u in us] for i, us in member_units.items()}
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
    first_case = g.next_case

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
        report(3 + (step + 1) * 87 // steps, 100,
               f"正在生成欠薪问题、农民工和兑付记录…（{min((step + 1) * sc.chunk, n)}/{n} 件，"
               f"农民工 {counts['workers']} 人）")

    if sc.via_import:
        _write_as_import(ctx, make, done, steps)
    else:
        tracker = effects.Tracker(store.conn)       # roll-ups, repayments applied, search index
        for table in effects.TRACKED:
            tracker.before(table, new_above=True)
        case_sql = _insert_sql(ctx, "case_record", _CASE_COLS, 3)
        worker_sql = _insert_sql(ctx, "worker", _WORKER_COLS, 4)
        repay_sql = _insert_sql(ctx, "repayment", _REPAY_COLS, 5)
        all_repays: list[tuple] = []
        try:
            for step in range(steps):
                cases, workers, repays, logs = make(step)
                store.executemany(case_sql, cases)
                store.executemany(_LOG_SQL, logs)
                store.executemany(worker_sql, workers)
                all_repays.extend(repays)
                done(step, workers, repays)
            # each repayment raises its worker's (or case's) paid amount
            report(91, 100, "正在登记工资兑付…")
            all_repays.sort(key=lambda r: (r[4], r[0]))
            store.executemany(repay_sql, all_repays)
            tracker.after()
        finally:
            tracker.close()
    # the roll-ups stamped updated_at with the clock; put back the case's own history
    report(94, 100, "正在整理各问题的办理时间…")
    store.executemany("UPDATE case_record SET updated_at = ?, status_changed_at = ? WHERE id = ?", g.touch)
    from models.cases import refresh_activity
    refresh_activity(store, first_case - 1, with_edits=True)
    return counts


def _keys(cols: str) -> list[str]:
    return [c.strip() for c in cols.split(",")]


def _write_as_import(ctx: _Ctx, make, done, steps: int) -> None:
    """Each batch of cases, their status history, workers and repayments written as an import
    of that many rows is (``models.demo.bulk.write_batch``): the case ledger's service sets its
    flags and dates and the bulk commit writes the audit rows and search index; the workers'
    and repayments' services check them and the commit rolls the workers up into their cases
    and applies each repayment to its worker or case. The history (status log, timestamps) is
    the demo's own: an import knows no history."""
    store, today = ctx.store, ctx.today
    case_keys, worker_keys, repay_keys = _keys(_CASE_COLS), _keys(_WORKER_COLS), _keys(_REPAY_COLS)

    def dicts(keys: list[str], rows: list[tuple]) -> list[dict]:
        return [{k: v for k, v in zip(keys, r) if k != "uuid"} for r in rows]
    big = ctx.scale.cases > 20_000
    if big:
        fts_tune(store, fast=True)
    for step in range(steps):
        cases, workers, repays, logs = make(step)
        write_batch(store, "cases", dicts(case_keys, cases), today, effects=False)
        store.executemany(_LOG_SQL, logs)
        write_batch(store, "workers", dicts(worker_keys, workers), today)
        repays.sort(key=lambda r: (r[4], r[0]))
        write_batch(store, "repayments", dicts(repay_keys, repays), today)
        done(step, workers, repays)
    if big:
        fts_tune(store, fast=False)
