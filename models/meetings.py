"""周调度会 (一周一调度): when the next meeting is, the agenda prepared from the
ledgers, the reports frozen at the meeting, decisions turned into action items
(交办事项) and followed until 办结销号, closing and audited correction. The county's 督办事项,
received in its 下发包, are action items too (no meeting; ``source`` 县督办; see
``models.exchange.apply_dispatch``).

The week of a meeting is [since, meeting date): since is the previous 例会's date, so
consecutive weeks neither overlap nor leave gaps. Figures, per workstream:
- 新增: cases registered in the week (registered_on);
- 办结: cases closed in the week (closed_on, status 已化解 / 已移送 / 不存在欠薪);
- 兑付: SUM(repayment.amount_fen) by paid_on in the week. Every repayment row is dated,
  including those to cases that list no workers (worker_id NULL). A paid amount typed
  straight into a case or worker (e.g. an imported 实发 column) has no date and is
  not counted in any week; it does lower 尚欠.
- 在办, 尚欠 and 逾期 are the headline figures (``models.figures``) per workstream: "now" when
  the meeting is today or later; for a meeting already past, as they stood at the end of the
  day before it (its morning), rebuilt from dated facts (status log, dated repayments).
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict, dataclass, field

from models import campaign
from models.cases import CLOSED_STATUSES, load_calendar
from models.db import Store, now_text
from models.ledger import registry
from models.ledger.repo import LedgerRepo, ValidationError
from models.ledgers.meetings import OPEN_ITEM_SQL
from models.rules.workdays import WorkCalendar
from models.values import fen_to_wan_text

WEEKDAYS = "一二三四五六日"
# an action item sent down by the county (a 督办事项 received in its 下发包): source = '县督办'
SOURCE_SQL = "(SELECT '县督办' FROM directive_received r WHERE r.uuid = t.uuid) AS source"


def _source_sql(store: Store) -> str:
    """``SOURCE_SQL``, or NULL on a database read as it is from before the 下发 (a backup, read-only)."""
    known = store.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'directive_received'")
    return SOURCE_SQL if known else "NULL AS source"
_CLOSED = "('" + "', '".join(CLOSED_STATUSES) + "')"


class MeetingClosed(ValidationError):
    def __init__(self, message: str = "会议已关闭，内容只读；如需更正请说明理由") -> None:
        super().__init__([("status", message)])


def repo(store: Store, kind: str = "meetings") -> LedgerRepo:
    return LedgerRepo(store, registry.get(kind))


def cn_date(iso: str | _dt.date, weekday: bool = False) -> str:
    d = _dt.date.fromisoformat(iso) if isinstance(iso, str) else iso
    return f"{d.year}年{d.month}月{d.day}日" + (f"（星期{WEEKDAYS[d.weekday()]}）" if weekday else "")


# -- when -----------------------------------------------------------------------------
def next_meeting_date(src: Store | WorkCalendar, after: _dt.date) -> _dt.date:
    """The first regular meeting on or after ``after``: the Monday of a week, or the next
    working day when that Monday is a holiday (国庆 2026-10-05 → 2026-10-08)."""
    cal = src if isinstance(src, WorkCalendar) else load_calendar(src)
    monday = after - _dt.timedelta(days=after.weekday())
    while True:
        day = cal.next_workday(monday)
        if day >= after:
            return day
        monday += _dt.timedelta(days=7)


# -- meetings -------------------------------------------------------------------------
def get_meeting(store: Store, meeting_id: int) -> dict:
    row = store.one('SELECT * FROM meeting WHERE id = ? AND deleted_at IS NULL', (meeting_id,))
    if row is None:
        raise ValidationError([("meeting_no", f"没有 id 为 {meeting_id} 的会议")])
    return dict(row)


def list_meetings(store: Store) -> list[dict]:
    return [dict(r) for r in store.query(
        "SELECT id, meeting_no, date, kind, title, status FROM meeting WHERE deleted_at IS NULL "
        "ORDER BY date DESC, meeting_no DESC")]


def resolve_meeting(store: Store, n: int) -> int:
    """``--meeting N`` on the command line: 第N期 (meeting_no), else the record id."""
    mid = store.scalar("SELECT id FROM meeting WHERE meeting_no = ? AND deleted_at IS NULL", (n,)) or \
        store.scalar("SELECT id FROM meeting WHERE id = ? AND deleted_at IS NULL", (n,))
    if mid is None:
        raise ValidationError([("meeting_no", f"没有第{n}期会议")])
    return int(mid)


def person_line(p: dict, post: str = "") -> str:
    """出席 lines: 姓名（单位职务）; the township government's own staff by their post alone."""
    unit = "" if (p.get("unit") or "").endswith("人民政府") else (p.get("unit") or "")
    post = post or f"{unit}{p.get('title') or ''}"
    return f"{p['name']}（{post}）" if post else p["name"]


def meeting_defaults(store: Store, on: _dt.date, kind: str = "例会") -> dict:
    """A new meeting's fields: number, window, and place / host / recorder / attendance
    carried from the last meeting (else from the leading group)."""
    last = store.one("SELECT * FROM meeting WHERE deleted_at IS NULL ORDER BY date DESC, id DESC LIMIT 1")
    no = int(store.scalar("SELECT COALESCE(MAX(meeting_no), 0) + 1 FROM meeting", default=1))
    prev = store.one("SELECT * FROM meeting WHERE deleted_at IS NULL AND kind = '例会' AND date < ? "
                     "ORDER BY date DESC, id DESC LIMIT 1", (on.isoformat(),))   # the week starts there
    c = campaign.current(store)
    since = prev["date"] if prev else (c.start_date if c and c.start_date < on.isoformat()
                                       else (on - _dt.timedelta(days=7)).isoformat())
    out = {"meeting_no": no, "date": on.isoformat(), "kind": kind, "since_date": since, "status": "筹备",
           "title": f"第{no}期周调度会议" if kind == "例会" else "专题会议", "time_text": "上午8:30"}
    last = prev if kind == "例会" and prev else last        # a 例会 takes after the last 例会
    if last:
        for k in ("place", "host", "recorder", "attendees_present", "attending_nonvoting", "time_text"):
            out[k] = last[k] or out.get(k, "")
    elif c:
        lg = campaign.leading_group(store, c.id)
        head = next((p for p in lg if p["role"] == "组长"), None)
        office = next((p for p in lg if p["role"] == "办公室主任"), None)
        out.update(place="镇政府三楼会议室", host=head["name"] if head else "",
                   recorder=office["name"] if office else "",
                   attendees_present="\n".join(person_line(p) for p in lg))
    return out


def create_meeting(store: Store, on: _dt.date, kind: str = "例会", **values) -> int:
    row = {**meeting_defaults(store, on, kind), **values}
    return repo(store).insert(row)


def _check_open(store: Store, meeting_id: int) -> dict:
    m = get_meeting(store, meeting_id)
    if m["status"] == "已关闭":
        raise MeetingClosed()
    return m


def update_meeting(store: Store, meeting_id: int, values: dict) -> None:
    m = _check_open(store, meeting_id)
    values = {k: v for k, v in values.items() if k not in ("status", "closed_at")}
    if values.get("date") and values["date"] != m["date"] and "since_date" not in values:
        prev = store.scalar("SELECT date FROM meeting WHERE deleted_at IS NULL AND kind = '例会' AND date < ? "
                            "AND id != ? ORDER BY date DESC LIMIT 1", (values["date"], meeting_id))
        values["since_date"] = prev or m["since_date"]      # a moved meeting's week moves with it
    repo(store).update(meeting_id, values)


def close_meeting(store: Store, meeting_id: int, today: _dt.date | None = None) -> None:
    """关闭会议: the reports are frozen (now, if nobody did) and the record becomes read-only."""
    m = _check_open(store, meeting_id)
    with store.tx("关闭会议"):
        if m["status"] == "筹备" or not all(r["figures"] for r in meeting_reports(store, meeting_id)):
            freeze_reports(store, meeting_id, today)
        store.update("meeting", m["id"], {"status": "已关闭", "closed_at": now_text(), "updated_at": now_text()})


def correct_closed_meeting(store: Store, meeting_id: int, values: dict, reason: str) -> None:
    """更正 a closed meeting: only with a reason, which the audit rows carry.
    ``values`` holds meeting fields, and optionally ``reports``: [{workstream_id, report_text, problems}]."""
    if not (reason or "").strip():
        raise ValidationError([("reason", "更正已关闭的会议须说明理由")])
    get_meeting(store, meeting_id)
    values = dict(values)
    reports = values.pop("reports", [])
    values = {k: v for k, v in values.items() if k not in ("status", "closed_at", "meeting_no")}
    with store.tx(reason.strip()):
        if values:
            repo(store).update(meeting_id, values, reason.strip())
        for r in reports:
            _save_report(store, meeting_id, r["workstream_id"], r.get("report_text"), r.get("problems"))


# -- agenda ---------------------------------------------------------------------------
@dataclass
class WsFigures:
    workstream_id: int | None
    name: str
    new_cases: int = 0
    closed_cases: int = 0
    repaid_fen: int = 0
    outstanding_fen: int = 0
    overdue_cases: int = 0
    open_cases: int = 0
    open_items: int = 0
    overdue_items: int = 0

    def sentence(self) -> str:
        return (f"本周新增欠薪问题{self.new_cases}件，办结{self.closed_cases}件，兑付{fen_to_wan_text(self.repaid_fen)}万元；"
                f"在办{self.open_cases}件，尚欠{fen_to_wan_text(self.outstanding_fen)}万元，逾期{self.overdue_cases}件；"
                f"未办结交办事项{self.open_items}项（逾期{self.overdue_items}项）。")


FIGURE_KEYS = ("new_cases", "closed_cases", "repaid_fen", "outstanding_fen", "overdue_cases", "open_cases",
               "open_items", "overdue_items")


@dataclass
class Agenda:
    meeting_date: str
    since: str
    as_of: str                      # "now", or the date the standing figures are rebuilt for
    rows: list[WsFigures]
    total: WsFigures
    items: list[dict] = field(default_factory=list)       # open action items carried over
    warnings: dict[str, int] = field(default_factory=dict)
    calendar_note: str = ""

    @property
    def until(self) -> str:           # last day in the window
        return (_dt.date.fromisoformat(self.meeting_date) - _dt.timedelta(days=1)).isoformat()


def case_figures(store: Store, since: str, until: str, as_of: str | None, today: str) -> dict[str, dict]:
    """measure → {workstream_id: value}: the week [since, until) (新增, 办结, 兑付 by their dates),
    and the standing figures (在办, 尚欠, 逾期) as the headline figures count them
    (``models.figures``): now when ``as_of`` is None, else as they stood at the end of the day
    before ``as_of`` (the meeting's morning), rebuilt from dated facts."""
    from models import figures
    closed = f"c.status IN {_CLOSED}"
    p = {"since": since, "until": until}
    out: dict[str, dict] = {k: {} for k in ("new_cases", "closed_cases", "outstanding_fen", "open_cases",
                                            "overdue_cases", "repaid_fen")}
    day = None if as_of is None else _dt.date.fromisoformat(as_of) - _dt.timedelta(days=1)
    now = _dt.date.fromisoformat(today)
    try:
        b = figures.Basis(store, now, day)
    except figures.NotKnown:
        b = None                      # the standing figures of that morning cannot be known: left at 0
    if b is not None:
        # the week's new and closed cases as they stood that morning: a case closed in the week
        # and reopened since still counts as closed there (the dates are ISO days, checked above)
        a, z = _dt.date.fromisoformat(since).isoformat(), _dt.date.fromisoformat(until).isoformat()
        for wid, new_n, closed_n in b.query(
                f"t.workstream_id, SUM(t.registered_on >= '{a}' AND t.registered_on < '{z}'), "
                f"SUM(t.status IN {_CLOSED} AND t.closed_on >= '{a}' AND t.closed_on < '{z}')",
                "1", (), "GROUP BY t.workstream_id"):
            out["new_cases"][wid], out["closed_cases"][wid] = new_n or 0, closed_n or 0
    else:
        for r in store.query(
                "SELECT c.workstream_id, SUM(c.registered_on >= :since AND c.registered_on < :until), "
                f"SUM({closed} AND c.closed_on >= :since AND c.closed_on < :until) "
                "FROM case_record c WHERE c.deleted_at IS NULL GROUP BY 1", p):
            out["new_cases"][r[0]], out["closed_cases"][r[0]] = r[1] or 0, r[2] or 0
    if b is not None:
        for wid, open_n, left in b.query(
                f"t.workstream_id, SUM(t.status IN {figures.OPEN_IN}), "
                f"SUM(CASE WHEN t.status != '{figures.EXCLUDED}' THEN t.total_owed_fen - t.total_paid_fen ELSE 0 END)",
                "1", (), "GROUP BY t.workstream_id"):
            out["open_cases"][wid], out["outstanding_fen"][wid] = open_n or 0, left or 0
        for wid, n in b.warning_by("逾期", "t.workstream_id"):
            out["overdue_cases"][wid] = n
    for r in store.query(
            "SELECT c.workstream_id, SUM(r.amount_fen) FROM repayment r JOIN case_record c ON c.id = r.case_id "
            "WHERE r.deleted_at IS NULL AND c.deleted_at IS NULL AND r.paid_on >= :since AND r.paid_on < :until "
            "GROUP BY 1", p):
        out["repaid_fen"][r[0]] = r[1] or 0
    return out


def carried_items(store: Store, meeting_date: str, exclude_meeting_id: int | None = None,
                  ref: str | None = None) -> list[dict]:
    """Action items from earlier meetings still open on the meeting's morning: they stay on
    every agenda until 办结销号; one closed before the meeting is gone."""
    rows = store.query(
        f"SELECT t.*, m.meeting_no, m.date AS meeting_date, w.name AS workstream, {_source_sql(store)} FROM action_item t "
        "LEFT JOIN meeting m ON m.id = t.meeting_id LEFT JOIN workstream w ON w.id = t.workstream_id "
        "WHERE t.deleted_at IS NULL AND (t.meeting_id IS NULL OR (m.date < ? AND t.meeting_id IS NOT ?)) "
        "AND (t.status != '已办结' OR t.closed_on >= ?) ORDER BY t.due_date, m.meeting_no, t.decision_no",
        (meeting_date, exclude_meeting_id, meeting_date))
    out = []
    for r in map(dict, rows):
        then = {**r, "status": "办理中"} if r["status"] == "已办结" else r   # closed since: open that morning
        out.append({**r, "state": effective_status(then, ref or meeting_date)})
    return out


def prepare_agenda(store: Store, meeting_date: _dt.date | str, since_date: _dt.date | str, *,
                   exclude_meeting_id: int | None = None, today: _dt.date | None = None) -> Agenda:
    d = str(meeting_date)
    since = str(since_date)
    today = today or _dt.date.today()
    now = d >= today.isoformat()
    figs = case_figures(store, since, d, None if now else d, today.isoformat())
    items = carried_items(store, d, exclude_meeting_id, today.isoformat() if now else d)
    figs["open_items"], figs["overdue_items"] = {}, {}
    for it in items:
        if it["state"] != "已办结":
            w = it["workstream_id"]
            figs["open_items"][w] = figs["open_items"].get(w, 0) + 1
            if it["state"] == "逾期":
                figs["overdue_items"][w] = figs["overdue_items"].get(w, 0) + 1
    rows = [WsFigures(ws["id"], ws["name"]) for ws in campaign.workstreams(store)]
    known = {r.workstream_id for r in rows}
    if any(k not in known and v for m in figs.values() for k, v in m.items()):
        rows.append(WsFigures(None, "办公室及未分配"))   # office items; cases with no workstream
    total = WsFigures(None, "合计")
    for r in rows:
        for key in FIGURE_KEYS:
            value = sum(v for k, v in figs[key].items() if k == r.workstream_id or
                        (r.workstream_id is None and k not in known))
            setattr(r, key, int(value))
            setattr(total, key, getattr(total, key) + int(value))
    from models.cases import calendar_notice
    cal = load_calendar(store)
    day = _dt.date.fromisoformat(d)
    return Agenda(d, since, "now" if now else d, rows, total, items, agenda_warnings(store, d, today),
                  calendar_notice(cal, day, day + _dt.timedelta(days=7)))


def agenda_warnings(store: Store, meeting_date: str, today: _dt.date) -> dict[str, int]:
    """The warnings an agenda reports, as the headline figures count them (``models.figures``): now
    for a meeting today or later, else as they stood at the end of the day before the meeting.
    Empty when that day cannot be known."""
    from models import figures
    d = _dt.date.fromisoformat(meeting_date)
    as_of = None if d >= today else d - _dt.timedelta(days=1)
    try:
        f = figures.figures(store, today, as_of)
    except figures.NotKnown:
        return {}
    return {"逾期": f.overdue, "即将到期": f.due_soon, "久拖未动": f.stalled, "在办重大": f.major_open,
            "在办敏感": f.sensitive_open}


def agenda_for(store: Store, meeting_id: int, today: _dt.date | None = None) -> Agenda:
    m = get_meeting(store, meeting_id)
    since = m["since_date"] or (_dt.date.fromisoformat(m["date"]) - _dt.timedelta(days=7)).isoformat()
    return prepare_agenda(store, m["date"], since, exclude_meeting_id=meeting_id, today=today)


def agenda_text(agenda: Agenda, meeting: dict | None = None) -> str:
    """The agenda as the office writes it, for editing before the meeting."""
    lines = []
    if meeting:
        lines.append(f"时间：{cn_date(meeting['date'], True)}{meeting.get('time_text') or ''}　"
                     f"地点：{meeting.get('place') or ''}　主持：{meeting.get('host') or ''}")
    lines.append(f"统计区间：{cn_date(agenda.since)}至{cn_date(agenda.until)}")
    lines.append("一、各工作专班汇报本周工作情况、存在问题和下周打算")
    for i, r in enumerate(agenda.rows, 1):
        lines.append(f"　　{i}. {r.name}：{r.sentence()}")
    lines.append(f"　　全镇合计：{agenda.total.sentence()}")
    open_items = [it for it in agenda.items if it["state"] != "已办结"]
    overdue = sum(1 for it in open_items if it["state"] == "逾期")
    lines.append(f"二、通报前期交办事项办理情况（未办结{len(open_items)}项，其中逾期{overdue}项）")
    for it in open_items:
        where = "" if it.get("source") else f"第{it['meeting_no'] or '—'}期第{it['decision_no'] or '—'}项："
        lines.append(f"　　{where}{it['content']}"
                     f"（{it['workstream'] or '领导小组办公室'}，{it['owner_person'] or '未定'}，时限{it['due_date'] or '未定'}，"
                     f"{it['state']}）")
    w = agenda.warnings
    lines.append("三、通报预警情况：" + "，".join(f"{k}{v}件" for k, v in w.items()))
    lines.append("四、研究存在问题，议定下一步工作并交办")
    lines.append("五、组长讲话")
    if agenda.calendar_note:
        lines.append(f"（注：{agenda.calendar_note}）")
    return "\n".join(lines)


# -- reports at the meeting -----------------------------------------------------------
def freeze_reports(store: Store, meeting_id: int, today: _dt.date | None = None,
                   agenda: Agenda | None = None) -> list[dict]:
    """冻结汇报数据: each workstream's figures as they stand (or as ``agenda`` has them), kept
    with the meeting; written reports are kept. The meeting counts as held from then."""
    m = _check_open(store, meeting_id)
    agenda = agenda or agenda_for(store, meeting_id, today)
    stamp = now_text()
    with store.tx("冻结汇报数据"):
        for r in agenda.rows:
            if r.workstream_id is None:
                continue
            figures = {**asdict(r), "since": agenda.since, "until": agenda.until, "as_of": agenda.as_of}
            text = json.dumps(figures, ensure_ascii=False)
            rid = store.scalar("SELECT id FROM meeting_report WHERE meeting_id = ? AND workstream_id = ? "
                               "AND deleted_at IS NULL", (meeting_id, r.workstream_id))
            if rid:
                store.update("meeting_report", rid, {"figures_json": text, "frozen_at": stamp, "updated_at": stamp})
            else:
                store.insert("meeting_report", {"meeting_id": meeting_id, "workstream_id": r.workstream_id,
                                                "figures_json": text, "frozen_at": stamp})
        if m["status"] == "筹备":
            store.update("meeting", meeting_id, {"status": "已召开", "updated_at": stamp})
    return meeting_reports(store, meeting_id)


def meeting_reports(store: Store, meeting_id: int) -> list[dict]:
    """One row per workstream (in order), with its frozen figures (empty until frozen)."""
    out = []
    rows = {r["workstream_id"]: dict(r) for r in store.query(
        "SELECT * FROM meeting_report WHERE meeting_id = ? AND deleted_at IS NULL", (meeting_id,))}
    for ws in campaign.workstreams(store):
        r = rows.get(ws["id"], {"id": None, "figures_json": "", "report_text": "", "problems": "", "frozen_at": ""})
        out.append({**r, "workstream_id": ws["id"], "workstream": ws["name"],
                    "figures": json.loads(r["figures_json"]) if r["figures_json"] else {}})
    return out


def _save_report(store: Store, meeting_id: int, ws_id: int, text: str | None, problems: str | None) -> None:
    rid = store.scalar("SELECT id FROM meeting_report WHERE meeting_id = ? AND workstream_id = ? "
                       "AND deleted_at IS NULL", (meeting_id, ws_id))
    values = {k: v for k, v in (("report_text", text), ("problems", problems)) if v is not None}
    if rid:
        store.update("meeting_report", rid, {**values, "updated_at": now_text()})
    else:
        store.insert("meeting_report", {"meeting_id": meeting_id, "workstream_id": ws_id, **values})


def save_report(store: Store, meeting_id: int, ws_id: int, report_text: str, problems: str) -> None:
    _check_open(store, meeting_id)
    with store.tx():
        _save_report(store, meeting_id, ws_id, report_text, problems)


# -- decisions and action items -------------------------------------------------------
def _ws_id(store: Store, workstream: int | str | None) -> int | None:
    if workstream is None or isinstance(workstream, int):
        return workstream
    wid = store.scalar("SELECT id FROM workstream WHERE name = ? ORDER BY id DESC LIMIT 1", (workstream,))
    if wid is None:
        raise ValidationError([("workstream_id", f"没有名为“{workstream}”的专班")])
    return int(wid)


def add_decision(store: Store, meeting_id: int, content: str, workstream: int | str | None,
                 owner: str, due: _dt.date | str | None) -> int:
    """议定事项 → 交办事项 (待办), numbered within the meeting."""
    _check_open(store, meeting_id)
    with store.tx():
        no = int(store.scalar("SELECT COALESCE(MAX(decision_no), 0) + 1 FROM action_item "
                              "WHERE meeting_id = ? AND deleted_at IS NULL", (meeting_id,), 1))
        return repo(store, "action_items").insert({
            "meeting_id": meeting_id, "decision_no": no, "content": (content or "").strip(),
            "workstream_id": _ws_id(store, workstream), "owner_person": (owner or "").strip(),
            "due_date": str(due) if due else None, "status": "待办"})


def remove_decision(store: Store, item_id: int) -> None:
    row = store.one("SELECT meeting_id FROM action_item WHERE id = ?", (item_id,))
    if row and row["meeting_id"]:
        _check_open(store, row["meeting_id"])
    repo(store, "action_items").recycle([item_id], "删除议定事项")


def decisions(store: Store, meeting_id: int, today: _dt.date | None = None) -> list[dict]:
    ref = (today or _dt.date.today()).isoformat()
    return [{**dict(r), "state": effective_status(dict(r), ref)} for r in store.query(
        f"SELECT t.*, w.name AS workstream, {_source_sql(store)} FROM action_item t "
        "LEFT JOIN workstream w ON w.id = t.workstream_id "
        "WHERE t.meeting_id = ? AND t.deleted_at IS NULL ORDER BY t.decision_no, t.id", (meeting_id,))]


def effective_status(row: dict, on: str) -> str:
    """逾期 is computed: not 已办结 and 完成时限 before ``on``. An imported 逾期 reads as 办理中."""
    if row.get("status") == "已办结":
        return "已办结"
    if row.get("due_date") and row["due_date"] < on:
        return "逾期"
    return "办理中" if row.get("status") == "逾期" else (row.get("status") or "待办")


def open_items(store: Store, today: _dt.date, include_closed: bool = False) -> list[dict]:
    where = "t.deleted_at IS NULL" + ("" if include_closed else f" AND {OPEN_ITEM_SQL}")
    ref = today.isoformat()
    return [{**dict(r), "state": effective_status(dict(r), ref)} for r in store.query(
        f"SELECT t.*, m.meeting_no, m.date AS meeting_date, w.name AS workstream, {_source_sql(store)} FROM action_item t "
        "LEFT JOIN meeting m ON m.id = t.meeting_id LEFT JOIN workstream w ON w.id = t.workstream_id "
        f"WHERE {where} ORDER BY t.status = '已办结', t.due_date IS NULL, t.due_date, m.meeting_no, t.decision_no")]


def overdue_items(store: Store, today: _dt.date) -> list[dict]:
    return [r for r in open_items(store, today) if r["state"] == "逾期"]


def _live_item(store: Store, item_id: int) -> dict:
    row = store.one("SELECT * FROM action_item WHERE id = ?", (item_id,))
    if row is None:
        raise ValidationError([("id", f"没有编号为 {item_id} 的交办事项")])
    if row["deleted_at"]:
        raise ValidationError([("id", "该交办事项已移入回收站，不能再登记进展或办结")])
    return dict(row)


def _items_service(store: Store):
    from models.ledger.service import service_for
    return service_for(store, "action_items")


def add_progress(store: Store, item_id: int, note: str, on: _dt.date | str, who: str = "") -> None:
    """One dated line added to the item's 办理进展 (through the ledger's write service)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError([("progress", "进展内容不能为空")])
    with store.tx():
        old = _live_item(store, item_id)["progress"] or ""
        line = f"{on} {who + '：' if who else ''}{note}"
        _items_service(store).update(item_id, {"progress": (old + "\n" + line).strip()})


def set_item_status(store: Store, item_id: int, status: str, on: _dt.date | str, note: str = "") -> None:
    """待办 / 办理中 / 已办结 (办结销号, dated). 逾期 is never stored: it follows from the date."""
    if status not in ("待办", "办理中", "已办结"):
        raise ValidationError([("status", f"状态“{status}”不能直接设置（逾期由完成时限自动判断）")])
    with store.tx(note):
        _live_item(store, item_id)
        _items_service(store).update(item_id, {"status": status,
                                               "closed_on": str(on) if status == "已办结" else None}, note)
        if note:
            add_progress(store, item_id, note, on)


def close_item(store: Store, item_id: int, on: _dt.date | str, note: str = "") -> None:
    """办结销号."""
    set_item_status(store, item_id, "已办结", on, note or "办结销号")
