"""Every figure the dashboard, the charts and the reports show, defined once.

Plain functions over a ``Store`` returning dataclasses. Money is integer 分.

口径 (the bases the figures share):
- 在册问题 (live cases): ``case_record.deleted_at IS NULL``, every status.
- 计入金额的问题 (counted cases): live cases except status 不存在欠薪 (a claim found groundless
  owes nothing). 欠薪总额、已兑付、未兑付、清偿率 and 涉及农民工人数 are over these, from the
  case ledger's own ``total_owed_fen`` / ``total_paid_fen`` / ``total_workers`` (the worker
  roll-up where workers are listed, the case's registered figures otherwise).
- 在办 (open): status 待核实 or 化解中; 已办结 (closed): ``CLOSED_STATUSES``.

Figures that depend on ledgers other engineers declare (funds, inspections, blacklist,
action_items, daily_reports) are computed here and only here: ``OTHER_LEDGERS`` names the
fields each computation reads, so a renamed field is one line to change. Where a ledger is
not declared yet, the figure is 0 with ``available=False`` and a note.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from models.db import Store
from models.ledgers.cases import CLOSED_STATUSES, STATUSES

EXCLUDED = "不存在欠薪"
OPEN_STATUSES = tuple(s for s in STATUSES if s not in CLOSED_STATUSES)
LIVE = "c.deleted_at IS NULL"
COUNTED = f"c.deleted_at IS NULL AND c.status != '{EXCLUDED}'"
_OPEN_IN = "(" + ", ".join(f"'{s}'" for s in OPEN_STATUSES) + ")"
_CLOSED_IN = "(" + ", ".join(f"'{s}'" for s in CLOSED_STATUSES) + ")"
NOT_DECLARED = "（该台账尚未建立）"

# Fields read from the ledgers other engineers declare: (kind, role) → candidate field names, first
# found wins. Adjust here when a declaration changes.
OTHER_LEDGERS: dict[str, dict[str, tuple[str, ...]]] = {
    "funds": {"channel": ("channel",), "amount": ("received_fen", "amount_fen"),
              "date": ("received_on", "raised_on")},
    "inspections": {"name": ("target_name", "employer_name"), "type": ("target_type",),
                    "date": ("inspected_on", "checked_on", "date")},
    "blacklist": {"listed": ("listed_on",)},
    "action_items": {"content": ("content", "title"), "owner": ("owner_person", "owner"),
                     "workstream": ("workstream_id",), "due": ("due_date", "deadline"),
                     "status": ("status",), "closed_on": ("closed_on",), "meeting": ("meeting_id",)},
    "daily_reports": {"date": ("report_on", "report_date", "date"), "zero": ("is_zero",),
                      "workstream": ("workstream_id",)},
}
ACTION_DONE = ("已办结", "已完成", "办结销号", "已销号")


def other_ledger(kind: str):
    """The declared ledger of this kind and its fields by role, or (None, {})."""
    from models.ledger import registry
    if kind not in registry.kinds():
        return None, {}
    ledger = registry.get(kind)
    names = {f.name for f in ledger.fields}
    roles = {role: next((n for n in cands if n in names), "") for role, cands in OTHER_LEDGERS.get(kind, {}).items()}
    return ledger, roles


def _table_ready(store: Store, table: str) -> bool:
    return bool(store.scalar("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)))


def pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


# -- totals, by status, by workstream --------------------------------------------------------
@dataclass
class Bucket:
    cases: int = 0
    workers: int = 0
    owed_fen: int = 0
    paid_fen: int = 0

    @property
    def outstanding_fen(self) -> int:
        return self.owed_fen - self.paid_fen

    @property
    def cleared_pct(self) -> float:
        return pct(self.paid_fen, self.owed_fen)

    def add(self, n: int, w: int, o: int, p: int) -> None:
        self.cases += n
        self.workers += w
        self.owed_fen += o
        self.paid_fen += p


@dataclass
class WorkstreamRow:
    id: int | None
    name: str
    all: Bucket = field(default_factory=Bucket)        # every live case (case counts)
    counted: Bucket = field(default_factory=Bucket)    # money and workers
    open_cases: int = 0
    closed_cases: int = 0
    overdue: int = 0


@dataclass
class Totals:
    all: Bucket                          # every live case
    counted: Bucket                      # the money basis
    by_status: dict[str, Bucket]
    workstreams: list[WorkstreamRow]

    @property
    def open_cases(self) -> int:
        return sum(self.by_status[s].cases for s in OPEN_STATUSES)

    @property
    def closed_cases(self) -> int:
        return sum(self.by_status[s].cases for s in CLOSED_STATUSES)


def totals(store: Store, today: _dt.date | None = None) -> Totals:
    """One pass over the case ledger grouped by workstream and status (index case_totals)."""
    from models.campaign import workstreams as ws_list
    rows = store.query("SELECT c.workstream_id, c.status, COUNT(*), COALESCE(SUM(c.total_workers), 0), "
                       "COALESCE(SUM(c.total_owed_fen), 0), COALESCE(SUM(c.total_paid_fen), 0) "
                       f"FROM case_record c WHERE {LIVE} GROUP BY c.workstream_id, c.status")
    by_status = {s: Bucket() for s in STATUSES}
    all_, counted = Bucket(), Bucket()
    names = {w["id"]: w["name"] for w in ws_list(store)}
    ws: dict[Any, WorkstreamRow] = {i: WorkstreamRow(i, n) for i, n in names.items()}
    for wid, status, n, w, o, p in rows:
        by_status.setdefault(status, Bucket()).add(n, w, o, p)
        all_.add(n, w, o, p)
        row = ws.get(wid)
        if row is None:
            label = "未分配专班" if wid is None else (store.scalar("SELECT name FROM workstream WHERE id=?", (wid,))
                                                   or f"专班{wid}")
            row = ws[wid] = WorkstreamRow(wid, label)
        row.all.add(n, w, o, p)
        if status != EXCLUDED:
            counted.add(n, w, o, p)
            row.counted.add(n, w, o, p)
        if status in CLOSED_STATUSES:
            row.closed_cases += n
        else:
            row.open_cases += n
    if today is not None:
        for wid, n in store.query(f"SELECT c.workstream_id, COUNT(*) FROM case_record c WHERE {LIVE} AND "
                                  f"c.status IN {_OPEN_IN} AND c.deadline < ? GROUP BY +c.workstream_id",
                                  (today.isoformat(),)):
            if wid in ws:
                ws[wid].overdue = n
    return Totals(all_, counted, by_status, list(ws.values()))


# -- targets -----------------------------------------------------------------------------------
@dataclass
class PhaseTarget:
    name: str
    due_date: str
    target_pct: int
    target_fen: int
    days_left: int
    reached: bool


@dataclass
class TargetProgress:
    start_date: str
    deadline: str                    # the campaign's end: 春节前
    deadline_label: str
    days_left: int
    actual_pct: float
    target_today_pct: float          # the target line's value today (linear between phases)
    phases: list[PhaseTarget]
    current: PhaseTarget | None      # the next phase due (today or later), else the last
    shortfall_fen: int               # how far repaid is behind the line today (0 when ahead)


def target_points(campaign, owed_fen: int) -> list[tuple[_dt.date, int]]:
    """The target line: 0 at the campaign's start, then target_pct × 欠薪总额 at each phase's due date."""
    pts = [(_dt.date.fromisoformat(campaign.start_date), 0)]
    for p in sorted(campaign.phases, key=lambda p: p.due_date):
        pts.append((_dt.date.fromisoformat(p.due_date), round(owed_fen * p.target_pct / 100)))
    return pts


def target_on(points: list[tuple[_dt.date, int]], day: _dt.date) -> float:
    if not points or day <= points[0][0]:
        return 0.0
    for (d0, v0), (d1, v1) in zip(points, points[1:]):
        if day <= d1:
            span = (d1 - d0).days or 1
            return v0 + (v1 - v0) * (day - d0).days / span
    return float(points[-1][1])


def target_progress(campaign, counted: Bucket, today: _dt.date) -> TargetProgress | None:
    if campaign is None:
        return None
    owed, paid = counted.owed_fen, counted.paid_fen
    phases = [PhaseTarget(p.name, p.due_date, p.target_pct, round(owed * p.target_pct / 100),
                          (_dt.date.fromisoformat(p.due_date) - today).days,
                          paid >= round(owed * p.target_pct / 100))
              for p in sorted(campaign.phases, key=lambda p: p.due_date)]
    current = next((p for p in phases if p.days_left >= 0), phases[-1] if phases else None)
    line = target_on(target_points(campaign, owed), today)
    return TargetProgress(campaign.start_date, campaign.end_date, campaign.deadline_label,
                          (_dt.date.fromisoformat(campaign.end_date) - today).days, counted.cleared_pct,
                          pct(line, owed), phases, current, max(0, round(line) - paid))


# -- warnings and lists -----------------------------------------------------------------------
CASE_COLS = ("c.id, c.case_no, c.employer_name, c.project_name, c.deadline, c.status, c.owner_person, "
             "c.registered_on, c.is_major, c.is_sensitive, c.total_workers AS workers, c.total_owed_fen AS owed_fen, "
             "c.total_owed_fen - c.total_paid_fen AS outstanding_fen, "
             "(SELECT w.name FROM workstream w WHERE w.id = c.workstream_id) AS workstream")


@dataclass
class Warnings:
    overdue: int = 0
    due_soon: int = 0
    stalled: int = 0
    major_open: int = 0
    sensitive_open: int = 0
    soon_until: str = ""


def warning_counts(store: Store, today: _dt.date) -> Warnings:
    """Open cases only; the same conditions as ``models.cases.warning_conditions``."""
    from models import cases
    cal = cases.load_calendar(store)
    soon = cal.add_workdays(today, cases.setting(store, "warn.due_soon_days")).isoformat()
    stalled = (today - _dt.timedelta(days=cases.setting(store, "warn.stalled_days"))).isoformat()
    t = today.isoformat()
    r = store.one("SELECT COALESCE(SUM(c.deadline < ?), 0), COALESCE(SUM(c.deadline >= ? AND c.deadline <= ?), 0), "
                  "COALESCE(SUM(c.updated_at < ?), 0), COALESCE(SUM(c.is_major = 1), 0), "
                  f"COALESCE(SUM(c.is_sensitive = 1), 0) FROM case_record c WHERE {LIVE} AND c.status IN {_OPEN_IN}",
                  (t, t, soon, stalled))
    return Warnings(*[int(x) for x in r], soon_until=soon)


def case_list(store: Store, kind: str, today: _dt.date, limit: int | None = 50,
              workstream_id: Any = ..., soon_until: str = "") -> list[dict]:
    """Open cases: kind 逾期 (past deadline, most overdue first), 即将到期 (deadline today..soon),
    在办 (every open case, overdue first then by deadline) or 重大 (open major cases, largest first)."""
    t = today.isoformat()
    conds, params = [LIVE, f"c.status IN {_OPEN_IN}"], []
    order = "c.deadline, c.id"
    if kind == "逾期":
        conds.append("c.deadline < ?")
        params.append(t)
    elif kind == "即将到期":
        conds.append("c.deadline >= ? AND c.deadline <= ?")
        params += [t, soon_until or warning_counts(store, today).soon_until]
    elif kind == "重大":
        conds.append("c.is_major = 1")
        order = "outstanding_fen DESC, c.id"
    elif kind != "在办":
        raise ValueError(kind)
    if workstream_id is not ...:
        conds.append("c.workstream_id IS ?")
        params.append(workstream_id)
    sql = f"SELECT {CASE_COLS} FROM case_record c WHERE {' AND '.join(conds)} ORDER BY {order}"
    if limit:
        sql += f" LIMIT {int(limit)}"
    out = []
    for r in store.query(sql, params):
        d = dict(r)
        d["days_over"] = (today - _dt.date.fromisoformat(d["deadline"])).days if d["deadline"] else 0
        out.append(d)
    return out


def count_cases(store: Store, kind: str, today: _dt.date, workstream_id: Any = ...) -> int:
    extra, params = "", [today.isoformat()]
    if workstream_id is not ...:
        extra, params = " AND c.workstream_id IS ?", params + [workstream_id]
    cond = {"逾期": "c.deadline < ?", "重大": "c.is_major = 1 AND ? IS NOT NULL", "在办": "? IS NOT NULL"}[kind]
    return int(store.scalar(f"SELECT COUNT(*) FROM case_record c WHERE {LIVE} AND c.status IN {_OPEN_IN} "
                            f"AND {cond}{extra}", params, 0))


# -- action items (交办事项) -------------------------------------------------------------------
@dataclass
class ActionItems:
    available: bool
    rows: list[dict] = field(default_factory=list)   # content, workstream, owner, due, status, overdue
    open_count: int = 0
    overdue_count: int = 0
    note: str = ""


def action_items(store: Store, today: _dt.date, limit: int = 40) -> ActionItems:
    """Open 交办事项 (status not 已办结): the overdue ones and those due by the end of this week,
    earliest first; ``open_count`` / ``overdue_count`` count every open item."""
    ledger, f = other_ledger("action_items")
    if ledger is None or not _table_ready(store, ledger.table):
        return ActionItems(False, note="交办事项" + NOT_DECLARED)
    t, week_end = today.isoformat(), (today + _dt.timedelta(days=6 - today.weekday())).isoformat()

    def col(role: str, default: str = "''") -> str:
        return f'a."{f[role]}"' if f.get(role) else default
    done = ", ".join(f"'{s}'" for s in ACTION_DONE)
    ws = f"(SELECT w.name FROM workstream w WHERE w.id = {col('workstream')})" if f.get("workstream") else "''"
    due = col("due", "NULL")
    where = "a.deleted_at IS NULL" + (f" AND {col('status')} NOT IN ({done})" if f.get("status") else "")
    counts = store.one(f'SELECT COUNT(*), COALESCE(SUM({due} < ?), 0) FROM "{ledger.table}" a WHERE {where}', (t,))
    rows = store.query(
        f"SELECT a.id, {col('content')} AS content, {ws} AS workstream, {col('owner')} AS owner, "
        f"{due} AS due, {col('status')} AS status FROM \"{ledger.table}\" a "
        f"WHERE {where} AND ({due} IS NULL OR {due} <= ?) ORDER BY {due} IS NULL, {due}, a.id LIMIT {int(limit)}",
        (week_end,))
    out = [{**dict(r), "overdue": bool(r["due"] and r["due"] < t)} for r in rows]
    return ActionItems(True, out, int(counts[0]), int(counts[1]))


# -- the dashboard -----------------------------------------------------------------------------
@dataclass
class Dashboard:
    taken_at: str
    today: _dt.date
    campaign: Any
    totals: Totals
    target: TargetProgress | None
    warnings: Warnings
    overdue: list[dict]
    due_soon: list[dict]
    actions: ActionItems
    calendar_note: str = ""


def dashboard(store: Store, today: _dt.date, list_limit: int = 30) -> Dashboard:
    from models import campaign as campaigns, cases
    taken = _dt.datetime.now().isoformat(timespec="seconds")
    camp = campaigns.current(store)
    tot = totals(store, today)
    warn = warning_counts(store, today)
    note = ""
    if camp is not None:
        note = cases.calendar_notice(cases.load_calendar(store), today, _dt.date.fromisoformat(camp.end_date))
    return Dashboard(taken, today, camp, tot, target_progress(camp, tot.counted, today), warn,
                     case_list(store, "逾期", today, list_limit),
                     case_list(store, "即将到期", today, list_limit, soon_until=warn.soon_until),
                     action_items(store, today), note)


# -- series for the charts ---------------------------------------------------------------------
@dataclass
class WeekFlow:
    week_start: _dt.date
    new: int
    closed: int


def monday(d: _dt.date) -> _dt.date:
    return d - _dt.timedelta(days=d.weekday())


def weekly_flow(store: Store, today: _dt.date, start: _dt.date | None = None) -> list[WeekFlow]:
    """新增 = live cases by the week of 登记日期; 办结 = live cases now in a closed status by the
    week of 办结日期. Weeks run Monday to Sunday, from ``start`` (or the first case) to today."""
    t = today.isoformat()
    new, closed = [], []
    for reg, shut, is_closed, n in store.query(
            f"SELECT c.registered_on, c.closed_on, c.status IN {_CLOSED_IN}, COUNT(*) FROM case_record c NOT INDEXED "
            f"WHERE {LIVE} GROUP BY 1, 2, 3"):       # one scan: cheaper than a date index plus row lookups
        if reg <= t:
            new.append((reg, n))
        if is_closed and shut and shut <= t:
            closed.append((shut, n))
    days = [_dt.date.fromisoformat(r[0]) for r in (*new, *closed)]
    first = min([*days, start] if start else days or [today])
    weeks: dict[_dt.date, WeekFlow] = {}
    w = monday(first)
    while w <= today:
        weeks[w] = WeekFlow(w, 0, 0)
        w += _dt.timedelta(days=7)
    for (d, n), attr in [(r, "new") for r in new] + [(r, "closed") for r in closed]:
        row = weeks.get(monday(_dt.date.fromisoformat(d)))
        if row is not None:
            setattr(row, attr, getattr(row, attr) + n)
    return list(weeks.values())


@dataclass
class RepaidSeries:
    points: list[tuple[_dt.date, int]]   # cumulative 已兑付 after each day with a change
    from_repayments_fen: int            # dated repayment records of counted cases
    residual_fen: int                   # paid amounts with no repayment record (see below)
    total_fen: int                      # == totals().counted.paid_fen, to the fen


def repaid_series(store: Store, counted_paid: int | None = None) -> RepaidSeries:
    """Cumulative amount repaid over time, reconciled to the dashboard's 已兑付.

    Each live repayment record of a counted case counts on its 兑付日期. A case's 已付 may differ
    from its repayment records (paid amounts imported or typed without a record, or a record on a
    case whose workers are listed): that difference counts on the case's 办结日期, or its 登记日期
    while open. So the last point equals the sum of ``total_paid_fen`` over counted cases.
    (When the records add up to the cases' 已付 in total, the case-by-case comparison is skipped:
    it costs ~0.4 s on a county database and could only move offsetting errors in time.)"""
    cur = store.conn.cursor()
    cur.row_factory = None
    flow: dict[str, int] = dict(cur.execute(
        "SELECT paid_on, SUM(amount_fen) FROM repayment WHERE deleted_at IS NULL GROUP BY paid_on"))
    for d, a in cur.execute(f"SELECT r.paid_on, SUM(r.amount_fen) FROM case_record c CROSS JOIN repayment r "
                            f"ON r.case_id = c.id WHERE r.deleted_at IS NULL AND NOT ({COUNTED}) GROUP BY r.paid_on"):
        flow[d] -= a
    from_records = sum(flow.values())
    residual = 0
    if counted_paid is None:
        counted_paid = totals(store).counted.paid_fen
    odd: list[int] = []
    by_case: dict[int, int] = {}
    if counted_paid != from_records:
        # some case's 已付 differs from its records: find which, case by case (slower, so only then)
        by_case = dict(cur.execute("SELECT case_id, SUM(amount_fen) FROM repayment WHERE deleted_at IS NULL "
                                   "GROUP BY case_id"))
        odd = [cid for cid, paid in cur.execute(f"SELECT c.id, c.total_paid_fen FROM case_record c WHERE {COUNTED}")
               if paid != by_case.get(cid, 0)]
    for start in range(0, len(odd), 500):
        chunk = odd[start:start + 500]
        for cid, paid, day in cur.execute(
                "SELECT c.id, c.total_paid_fen, COALESCE(c.closed_on, c.registered_on) FROM case_record c "
                f"WHERE c.id IN ({','.join('?' * len(chunk))})", chunk):
            diff = paid - by_case.get(cid, 0)
            flow[day] = flow.get(day, 0) + diff
            residual += diff
    points, run = [], 0
    for d in sorted(flow):
        if flow[d]:
            run += flow[d]
            points.append((_dt.date.fromisoformat(d), run))
    return RepaidSeries(points, from_records, residual, run)


@dataclass
class FundsByChannel:
    available: bool
    rows: list[tuple[str, int]] = field(default_factory=list)   # (channel, 到位金额 fen)
    total_fen: int = 0
    note: str = ""


def funds_by_channel(store: Store) -> FundsByChannel:
    """清欠资金 raised by channel: live fund rows' 到位金额 summed by 筹措渠道."""
    ledger, f = other_ledger("funds")
    if ledger is None or not _table_ready(store, ledger.table) or not (f.get("channel") and f.get("amount")):
        return FundsByChannel(False, note="清欠资金台账" + NOT_DECLARED)
    got = dict(store.query(f'SELECT "{f["channel"]}", COALESCE(SUM("{f["amount"]}"), 0) FROM "{ledger.table}" '
                           f'WHERE deleted_at IS NULL GROUP BY "{f["channel"]}"'))
    order = list(ledger.field(f["channel"]).choices) + sorted(k for k in got if k not in ledger.field(f["channel"]).choices)
    rows = [(k, int(got[k])) for k in order if got.get(k)]
    return FundsByChannel(True, rows, sum(v for _k, v in rows))


# -- the county's indicators (冬季专项行动统计指标) --------------------------------------------
@dataclass
class Indicator:
    key: str
    name: str
    value: float
    unit: str
    text: str                 # as printed
    definition: str           # 口径
    available: bool = True
    note: str = ""
    num: int | None = None    # for rates: numerator and denominator
    den: int | None = None


def indicators(store: Store, today: _dt.date, tot: Totals | None = None) -> list[Indicator]:
    """The ten indicators the county asks for, each defined from the ledgers (口径 in ``definition``)."""
    from models.values import fen_to_wan_text
    tot = tot or totals(store, today)
    out: list[Indicator] = []

    def add(key, name, value, unit, definition, available=True, note="", num=None, den=None, text=None):
        shown = text if text is not None else (f"{value:.2f}" if unit == "%" else f"{value:,}")
        out.append(Indicator(key, name, value, unit, shown if available else f"0{NOT_DECLARED}",
                             definition, available, note, num, den))

    ledger, f = other_ledger("inspections")
    insp = ledger is not None and _table_ready(store, ledger.table) and bool(f.get("name"))
    name = f'"{f.get("name")}"'
    of_type = (lambda kind: f' AND "{f["type"]}" = \'{kind}\'') if f.get("type") else (lambda kind: "")
    n = int(store.scalar(f'SELECT COUNT(DISTINCT {name}) FROM "{ledger.table}" WHERE deleted_at IS NULL '
                         f"AND {name} != ''{of_type('用人单位')}", default=0)) if insp else 0
    add("employers_inspected", "检查用人单位户数", n, "户",
        "欠薪隐患排查台账中对象类型为“用人单位”的不同单位户数", insp, "" if insp else "排查台账尚未建立")
    add("workers", "涉及农民工人数", tot.counted.workers, "人", "计入金额的欠薪问题的人数合计（有实名名册的按名册人数）")
    add("problems", "处理欠薪问题数", tot.all.cases, "件", "问题总数：欠薪问题台账在册问题数（各状态，含经核实不存在欠薪）")
    add("repaid_wan", "追发工资及赔偿金额", tot.counted.paid_fen / 1_000_000, "万元",
        "计入金额的欠薪问题已付金额合计（有名册的按农民工实发合计），即首页“已兑付”",
        text=fen_to_wan_text(tot.counted.paid_fen, 2), num=tot.counted.paid_fen)
    projects = {r[0] for r in store.query(f"SELECT DISTINCT c.project_name FROM case_record c WHERE +{LIVE} "
                                          "AND c.gov_invested = 1 AND c.project_name != ''")}
    note = "" if insp else "排查台账尚未建立，仅计欠薪问题涉及的项目"
    if insp:
        projects |= {r[0] for r in store.query(
            f'SELECT DISTINCT i.{name} FROM "{ledger.table}" i JOIN project p ON p.name = i.{name} '
            f"WHERE i.deleted_at IS NULL AND p.gov_invested = 1{of_type('工程项目')}")}
    add("gov_projects", "检查政府投资工程项目数", len(projects), "个",
        "欠薪问题涉及的政府投资工程项目，加排查台账中排查的政府投资项目（项目库中标为政府投资），按项目名称去重", note=note)
    ledger, f = other_ledger("blacklist")
    bl = ledger is not None and _table_ready(store, ledger.table)
    listed = f" AND COALESCE(\"{f['listed']}\", '') != ''" if f.get("listed") else ""
    n = int(store.scalar(f'SELECT COUNT(*) FROM "{ledger.table}" WHERE deleted_at IS NULL{listed}', default=0)) if bl else 0
    add("blacklisted", "列入“黑名单”数", n, "个", "失信联合惩戒名单台账中已列入（填有列入日期）的记录数，含已移出", bl,
        "" if bl else "黑名单台账尚未建立")
    add("to_police", "移送公安机关数", tot.by_status["已移送"].cases, "件", "状态为“已移送”的欠薪问题数")
    closed = tot.closed_cases
    add("closed_rate", "办结率", pct(closed, tot.all.cases), "%", "已办结问题数 ÷ 问题总数（已办结：已化解、已移送、不存在欠薪）",
        num=closed, den=tot.all.cases)
    resolved, on_time = store.one(
        f"SELECT COALESCE(SUM(CASE WHEN c.status != '{EXCLUDED}' THEN c.resolved_fen ELSE 0 END), 0), "
        f"COALESCE(SUM(c.status IN {_CLOSED_IN} AND (c.deadline IS NULL OR c.closed_on IS NULL "
        f"OR c.closed_on <= c.deadline)), 0) FROM case_record c WHERE +{LIVE}")
    add("resolved_rate", "解决率", pct(resolved, tot.counted.owed_fen), "%",
        "解决金额合计 ÷ 欠薪金额合计（计入金额的问题；解决金额取台账“解决金额”栏）",
        num=resolved, den=tot.counted.owed_fen)
    add("on_time_rate", "按期化解率", pct(on_time, closed), "%",
        "在办结时限内办结的问题数 ÷ 已办结问题数（未设办结时限的计为按期）", num=on_time, den=closed)
    return out


# -- the daily report ----------------------------------------------------------------------------
@dataclass
class DailyFigures:
    day: _dt.date
    new_cases: list[dict]
    closed_cases: list[dict]
    repaid: list[dict]               # per workstream: workstream, records, workers, amount_fen
    repaid_fen: int
    reports: list[dict] | None       # rows of the daily_reports ledger for the day, if declared
    reports_title: str = ""
    reports_all_zero: bool = True    # every workstream return of the day is itself a 零报告

    @property
    def zero(self) -> bool:
        """零报告: no new case, no case closed, nothing repaid that day, no return reporting anything."""
        return not (self.new_cases or self.closed_cases or self.repaid_fen) and self.reports_all_zero


def daily_figures(store: Store, day: _dt.date) -> DailyFigures:
    d = day.isoformat()
    new = [dict(r) for r in store.query(f"SELECT {CASE_COLS}, c.source, c.summary FROM case_record c "
                                        f"WHERE {LIVE} AND c.registered_on = ? ORDER BY c.case_no", (d,))]
    closed = [dict(r) for r in store.query(f"SELECT {CASE_COLS}, c.verdict FROM case_record c WHERE {LIVE} "
                                           f"AND c.status IN {_CLOSED_IN} AND c.closed_on = ? ORDER BY c.case_no", (d,))]
    repaid = [dict(r) for r in store.query(
        "SELECT COALESCE((SELECT w.name FROM workstream w WHERE w.id = c.workstream_id), '未分配专班') AS workstream, "
        "COUNT(*) AS records, COUNT(DISTINCT r.worker_id) AS workers, COUNT(DISTINCT r.case_id) AS cases, "
        f"SUM(r.amount_fen) AS amount_fen FROM repayment r JOIN case_record c ON c.id = r.case_id "
        f"WHERE r.deleted_at IS NULL AND {COUNTED} AND r.paid_on = ? GROUP BY c.workstream_id "
        "ORDER BY MIN((SELECT w.sort FROM workstream w WHERE w.id = c.workstream_id))", (d,))]
    reports, title, all_zero = None, "", True
    ledger, f = other_ledger("daily_reports")
    if ledger is not None and _table_ready(store, ledger.table) and f.get("date"):
        from models.ledger.repo import LedgerRepo, Query
        reports = LedgerRepo(store, ledger).rows(Query(ranges={f["date"]: (d, d)}))
        title = ledger.title
        all_zero = all(r.get(f["zero"]) for r in reports) if f.get("zero") else not reports
    return DailyFigures(day, new, closed, repaid, sum(r["amount_fen"] for r in repaid), reports, title, all_zero)
