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


NO_RATE = "—"                    # a rate over nothing: shown instead of 0.0%
NO_DATA = "暂无欠薪数据"          # a stage target with nothing owed yet: neither reached nor missed


def rate_text(part: int, whole: int) -> str:
    """A 清偿率 as shown: one decimal, or "—" when nothing is owed (0 of 0 is no rate at all)."""
    return f"{pct(part, whole):.1f}%" if whole else NO_RATE


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

    @property
    def cleared_text(self) -> str:
        """清偿率 as shown ("—" where nothing is owed, e.g. a 专班 with no cases)."""
        return rate_text(self.paid_fen, self.owed_fen)

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


def totals(store: Store, today: _dt.date | None = None, as_of: _dt.date | None = None,
           basis=None) -> Totals:
    """Cases by workstream and status, now or as of the end of day ``as_of`` (``models.figures``:
    one grouped pass over the case ledger as it stood; the headline figures are its sums)."""
    from models import figures
    from models.campaign import workstreams as ws_list
    b = basis or figures.Basis(store, today or _dt.date.today(), as_of)
    by_status = {s: Bucket() for s in STATUSES}
    all_, counted = Bucket(), Bucket()
    names = {w["id"]: w["name"] for w in ws_list(store)}
    ws: dict[Any, WorkstreamRow] = {i: WorkstreamRow(i, n) for i, n in names.items()}
    for wid, status, n, w, o, p in b.groups:
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
    if today is not None or basis is not None:
        for wid, n in b.warning_by("逾期", "t.workstream_id"):
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
    reached: bool                    # never with nothing owed (``measurable`` False)
    measurable: bool = True          # False while nothing is owed: no verdict either way


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
    measurable: bool = True          # something is owed: the stages can be reached or missed


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


def target_pct_on(campaign, day: _dt.date) -> float:
    """The target line in per cent on ``day``, from the campaign's dates alone: 0% at its start, each
    phase's target_pct at its due date, straight between (the line of ``target_points`` over 100%)."""
    return target_on(target_points(campaign, 100), day)


def target_progress(campaign, counted: Bucket, today: _dt.date) -> TargetProgress | None:
    """Repaid against the phased targets. With nothing owed (no cases, or none owing anything) there
    is nothing to measure: no stage is reached or missed (``measurable`` False), and the line's value
    today comes from the campaign's dates (``target_pct_on``)."""
    if campaign is None:
        return None
    owed, paid = counted.owed_fen, counted.paid_fen
    measurable = owed > 0
    phases = [PhaseTarget(p.name, p.due_date, p.target_pct, round(owed * p.target_pct / 100),
                          (_dt.date.fromisoformat(p.due_date) - today).days,
                          measurable and paid >= round(owed * p.target_pct / 100), measurable)
              for p in sorted(campaign.phases, key=lambda p: p.due_date)]
    current = next((p for p in phases if p.days_left >= 0), phases[-1] if phases else None)
    line = target_on(target_points(campaign, owed), today)
    return TargetProgress(campaign.start_date, campaign.end_date, campaign.deadline_label,
                          (_dt.date.fromisoformat(campaign.end_date) - today).days, counted.cleared_pct,
                          pct(line, owed) if measurable else target_pct_on(campaign, today), phases, current,
                          max(0, round(line) - paid), measurable)


# -- warnings and lists -----------------------------------------------------------------------
CASE_COLS = ("c.id, c.case_no, c.employer_name, c.project_name, c.deadline, c.status, c.owner_person, "
             "c.registered_on, c.is_major, c.is_sensitive, c.total_workers AS workers, c.total_owed_fen AS owed_fen, "
             "c.total_owed_fen - c.total_paid_fen AS outstanding_fen, "
             "(SELECT w.name FROM workstream w WHERE w.id = c.workstream_id) AS workstream")
SRC_COLS = CASE_COLS.replace("c.", "t.")
# what the home page and the briefing show (the rest, e.g. 按期化解率, is worked out when asked for)
DASHBOARD_FIGURES = ("cases", "open_cases", "closed_cases", "no_arrears_cases", "workers", "owed_fen", "paid_fen",
                     "unpaid_fen", "cleared_pct", "overdue", "due_soon", "stalled", "major_open", "sensitive_open",
                     "items_open", "items_overdue")


@dataclass
class Warnings:
    overdue: int = 0
    due_soon: int = 0
    stalled: int = 0
    major_open: int = 0
    sensitive_open: int = 0
    soon_until: str = ""


def _basis(store: Store, today: _dt.date, as_of: _dt.date | None, basis):
    from models import figures
    return basis or figures.Basis(store, today, as_of)


def warning_counts(store: Store, today: _dt.date, as_of: _dt.date | None = None, basis=None) -> Warnings:
    """Open cases only: the figures 逾期, 即将到期, 久拖未动, 在办重大, 在办敏感 (``models.figures``)."""
    from models import figures
    b = _basis(store, today, as_of, basis)
    return Warnings(figures.overdue(b), figures.due_soon(b), figures.stalled(b), figures.major_open(b),
                    figures.sensitive_open(b), soon_until=b.soon_until)


def _list_where(b, kind: str, workstream_id: Any) -> tuple[list[str], list, str]:
    conds, params, order = [], [], "t.deadline, t.id"
    if kind in ("逾期", "即将到期"):
        sql, p = b.warning_sql[kind]
        conds.append(f"({sql})")
        params += p
    elif kind == "重大":
        sql, p = b.warning_sql["重大"]
        conds += [f"({sql})", f"t.status IN {_OPEN_IN}"]
        params += p
        order = "outstanding_fen DESC, t.id"
    elif kind == "在办":
        conds.append(f"t.status IN {_OPEN_IN}")
    else:
        raise ValueError(kind)
    if workstream_id is not ...:
        conds.append("t.workstream_id IS ?")
        params.append(workstream_id)
    return conds, params, order


def case_list(store: Store, kind: str, today: _dt.date, limit: int | None = 50,
              workstream_id: Any = ..., soon_until: str = "", as_of: _dt.date | None = None,
              basis=None) -> list[dict]:
    """Open cases (now, or as of the end of day ``as_of``): kind 逾期 (past deadline, most overdue
    first), 即将到期 (deadline today..soon), 在办 (every open case, by deadline) or 重大 (open
    major cases, largest first). The conditions are the warnings' (``models.cases``)."""
    b = _basis(store, today, as_of, basis)
    conds, params, order = _list_where(b, kind, workstream_id)
    rows = b.query(SRC_COLS, " AND ".join(conds), params,
                   f"ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit else ""))
    out = []
    for r in rows:
        d = dict(r)
        d["days_over"] = (b.day - _dt.date.fromisoformat(d["deadline"][:10])).days if d["deadline"] else 0
        out.append(d)
    return out


def count_cases(store: Store, kind: str, today: _dt.date, workstream_id: Any = ...,
                as_of: _dt.date | None = None, basis=None) -> int:
    b = _basis(store, today, as_of, basis)
    conds, params, _order = _list_where(b, kind, workstream_id)
    return b.count(" AND ".join(conds), params)


# -- action items (交办事项) -------------------------------------------------------------------
@dataclass
class ActionItems:
    available: bool
    rows: list[dict] = field(default_factory=list)   # content, workstream, owner, due, status, overdue
    open_count: int = 0
    overdue_count: int = 0
    note: str = ""


def action_items(store: Store, today: _dt.date, limit: int = 40, as_of: _dt.date | None = None,
                 basis=None, due_until: _dt.date | None = None) -> ActionItems:
    """Open 交办事项 (not 办结销号; as of the end of day ``as_of`` when given): the overdue ones and
    those due by ``due_until`` (default: the end of that day's week), earliest first;
    ``open_count`` / ``overdue_count`` are the figures 未办结交办事项 / 逾期交办事项 (``models.figures``)."""
    from models import figures
    ledger, _f = other_ledger("action_items")
    if ledger is None or not _table_ready(store, ledger.table):
        return ActionItems(False, note="交办事项" + NOT_DECLARED)
    b = _basis(store, today, as_of, basis)
    day = b.day
    t = day.isoformat()
    week_end = (due_until or day + _dt.timedelta(days=6 - day.weekday())).isoformat()
    where, params = b.item_open_sql()
    rows = store.query(
        "SELECT a.id, a.content, (SELECT w.name FROM workstream w WHERE w.id = a.workstream_id) AS workstream, "
        "a.owner_person AS owner, a.due_date AS due, CASE WHEN a.status = '逾期' THEN '办理中' ELSE a.status END "
        "AS status FROM action_item a LEFT JOIN meeting m ON m.id = a.meeting_id "
        f"WHERE {where} AND (a.due_date IS NULL OR a.due_date <= ?) "
        f"ORDER BY a.due_date IS NULL, a.due_date, a.id LIMIT {int(limit)}", [*params, week_end])
    out = [{**dict(r), "overdue": bool(r["due"] and r["due"] < t)} for r in rows]
    if b.past is not None:
        for r in out:            # closed since: it was still being worked on that day
            if r["status"] == figures.ITEM_DONE:
                r["status"] = "办理中"
    return ActionItems(True, out, figures.items_open(b), figures.items_overdue(b))


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
    figures: Any = None               # models.figures.Figures: every headline figure, with its 口径

    @property
    def day(self) -> _dt.date:
        """The day the figures describe (``today``, or the past day asked for)."""
        return self.figures.as_of if self.figures is not None else self.today


def dashboard(store: Store, today: _dt.date, list_limit: int = 30, as_of: _dt.date | None = None,
              basis=None) -> Dashboard:
    """Everything the home page and the briefing show, now or as of the end of day ``as_of``."""
    from models import campaign as campaigns, cases, figures
    b = basis or figures.Basis(store, today, as_of)
    day = b.day
    taken = _dt.datetime.now().isoformat(timespec="seconds")
    camp = campaigns.current(store)
    tot = totals(store, today, basis=b)
    warn = warning_counts(store, today, basis=b)
    figs = figures.figures(store, today, basis=b, keys=DASHBOARD_FIGURES)
    note = ""
    if camp is not None:
        note = cases.calendar_notice(cases.load_calendar(store), day, _dt.date.fromisoformat(camp.end_date))
    return Dashboard(taken, today, camp, tot, target_progress(camp, tot.counted, day), warn,
                     case_list(store, "逾期", today, list_limit, basis=b),
                     case_list(store, "即将到期", today, list_limit, basis=b),
                     action_items(store, today, basis=b), note, figs)
