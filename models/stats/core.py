"""Totals, targets, warnings, action items and the dashboard (口径: see models.stats)."""
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
