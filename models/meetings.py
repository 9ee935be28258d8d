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
import re
from dataclasses import asdict, dataclass, field

from models import campaign, meeting_schedule as S
from models.action_items import (SOURCE_SQL, MeetingClosed, add_decision, add_progress, close_item,  # noqa: F401
                                 decisions, effective_status, open_items, overdue_items, remove_decision,
                                 set_item_status, source_sql as _source_sql)
from models.cases import CLOSED_STATUSES, load_calendar
from models.db import Store, now_text
from models.ledger import registry
from models.ledger.repo import LedgerRepo, ValidationError
from models.meeting_schedule import next_meeting_date  # noqa: F401  (kept here: callers ask models.meetings)
from models.values import fen_to_wan_text

WEEKDAYS = "一二三四五六日"
OFFICE_ROW = "办公室及未分配"       # office-led items and cases with no workstream
_CLOSED = "('" + "', '".join(CLOSED_STATUSES) + "')"


def repo(store: Store, kind: str = "meetings") -> LedgerRepo:
    return LedgerRepo(store, registry.get(kind))


def cn_date(iso: str | _dt.date, weekday: bool = False) -> str:
    d = _dt.date.fromisoformat(iso) if isinstance(iso, str) else iso
    return f"{d.year}年{d.month}月{d.day}日" + (f"（星期{WEEKDAYS[d.weekday()]}）" if weekday else "")


def scope(store: Store) -> str:
    """The unit's own word, from its name (as the daily report and the briefing say 全乡 / 全镇):
    镇, 乡, 街道, or 县 for a county."""
    from models.reports.pdf_base import org_name
    c = campaign.current(store)
    name = org_name(c.unit if c else "")
    return "街道" if name.endswith("街道") else (name[-1:] if name[-1:] in ("镇", "乡", "县", "市", "区") else "镇")


def government(store: Store) -> str:
    """镇政府 / 乡政府 / 街道办事处 / 县政府."""
    word = scope(store)
    return "街道办事处" if word == "街道" else f"{word}政府"


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


def _name_of(line: str) -> str:
    return re.split(r"[（(:：]", line, maxsplit=1)[0].strip()


def _roster(store: Store) -> dict[str, tuple[int, str]]:
    """name → (place, 出席 line) over the leading group and the workstreams' members, in order."""
    c = campaign.current(store)
    people = campaign.leading_group(store, c.id) if c else []
    for ws in campaign.workstreams(store):
        people += campaign.members(store, ws["id"])
    out: dict[str, tuple[int, str]] = {}
    for p in people:
        out.setdefault(p["name"], (len(out), person_line(p)))
    return out


def carried_attendance(store: Store, last: dict) -> str:
    """The members of the last meeting, present and on leave together (who was away then is
    expected again), in the order of the leading group and the workstreams."""
    lines = [x.strip() for x in (last["attendees_present"] or "").splitlines() if x.strip()]
    roster = _roster(store)
    here = {_name_of(x) for x in lines}
    for away in (x.strip() for x in (last["absent_with_reason"] or "").splitlines()):
        name = _name_of(away)
        if not name or name in here:
            continue
        here.add(name)
        place, line = roster.get(name, (None, name))
        at = len(lines)
        if place is not None:        # after the last one listed before them
            at = 0
            for i, x in enumerate(lines):
                known = roster.get(_name_of(x))
                if known and known[0] < place:
                    at = i + 1
        lines.insert(at, line)
    return "\n".join(lines)


def meeting_defaults(store: Store, on: _dt.date, kind: str = "例会") -> dict:
    """A new meeting's fields: number, window, and place / host / recorder / attendance
    carried from the last meeting (else from the leading group)."""
    last = store.one("SELECT * FROM meeting WHERE deleted_at IS NULL ORDER BY date DESC, id DESC LIMIT 1")
    no = int(store.scalar("SELECT COALESCE(MAX(meeting_no), 0) + 1 FROM meeting", default=1))
    prev = store.one("SELECT * FROM meeting WHERE deleted_at IS NULL AND kind = '例会' AND date < ? "
                     "ORDER BY date DESC, id DESC LIMIT 1", (on.isoformat(),))   # the week starts there
    c = campaign.current(store)
    out = {"meeting_no": no, "date": on.isoformat(), "kind": kind, "since_date": S.window_start(store, on),
           "status": "筹备", "title": f"第{no}期周调度会议" if kind == "例会" else "专题会议", "time_text": "上午8:30"}
    last = prev if kind == "例会" and prev else last        # a 例会 takes after the last 例会
    if last:
        for k in ("place", "host", "recorder", "attending_nonvoting", "time_text"):
            out[k] = last[k] or out.get(k, "")
        out["attendees_present"] = carried_attendance(store, dict(last))
    elif c:
        lg = campaign.leading_group(store, c.id)
        head = next((p for p in lg if p["role"] == "组长"), None)
        office = next((p for p in lg if p["role"] == "办公室主任"), None)
        out.update(place=f"{government(store)}三楼会议室", host=head["name"] if head else "",
                   recorder=office["name"] if office else "",
                   attendees_present="\n".join(person_line(p) for p in lg))
    return out


def create_meeting(store: Store, on: _dt.date, kind: str = "例会", **values) -> int:
    """A new meeting. A 例会 on the date of another is refused; one put between two 例会 starts
    the later one's week at its date (refused when that one's figures are frozen)."""
    row = {**meeting_defaults(store, on, kind), **values}
    S.refuse_same_day(store, row["date"], row["kind"])
    chain = S.chain_changes(store, None, None, row["date"], row["kind"], f"在 {row['date']} 新建例会")
    with store.tx(label="新建会议"):
        S.apply_chain(store, chain)
        return repo(store).insert(row)


def schedule_warnings(store: Store, meeting_id: int) -> list[str]:
    """What the office should look at twice about a meeting's date (``meeting_schedule``)."""
    m = get_meeting(store, meeting_id)
    return S.schedule_warnings(store, m["date"], m["kind"], meeting_id)


def _check_open(store: Store, meeting_id: int) -> dict:
    m = get_meeting(store, meeting_id)
    if m["status"] == "已关闭":
        raise MeetingClosed()
    return m


def _refuse_ahead(m: dict, today: _dt.date, doing: str) -> None:
    """Figures are taken on the meeting's day or after: a meeting still ahead cannot be frozen or closed."""
    if m["date"] > today.isoformat():
        raise ValidationError([("date", f"第{m['meeting_no']}期会议定于 {m['date']} 召开，今天（{today.isoformat()}）"
                                        f"尚未召开，不能{doing}")])


def update_meeting(store: Store, meeting_id: int, values: dict, reason: str = "",
                   today: _dt.date | None = None) -> list[str]:
    """Change an open meeting; the warnings about its (new) date are returned. A 例会 moved (or
    made a 专题会议, or the other way) keeps the weeks chained: its own start and its neighbours'
    follow, a move onto another 例会's date is refused, and so is one that would move the week of
    a meeting whose figures are frozen. A meeting whose own figures are frozen moves only with a
    ``reason``: its figures are then frozen again for the new week."""
    m = _check_open(store, meeting_id)
    values = {k: v for k, v in values.items() if k not in ("status", "closed_at")}
    date, kind = str(values.get("date") or m["date"]), values.get("kind") or m["kind"]
    moved = date != m["date"] or kind != m["kind"]
    chain: dict[int, str] = {}
    refreeze = False
    if moved:
        S.refuse_same_day(store, date, kind, meeting_id, moving=True)
        if _frozen_report_rows(store, meeting_id):
            if not (reason or "").strip():
                raise ValidationError([("date", f"第{m['meeting_no']}期会议的汇报数据已冻结（统计区间 {m['since_date']} 至 "
                                                f"{_day_before(m['date'])}），不能改开会日期或会议类别；如确需改期，"
                                                "请说明理由，汇报数据将按新的统计区间重新冻结")])
            refreeze = True
        chain = S.chain_changes(store, meeting_id, m, date, kind, f"把第{m['meeting_no']}期会议改到 {date}")
        if "since_date" not in values:
            values["since_date"] = S.window_start(store, date, meeting_id)
    with store.tx((reason or "").strip(), label="修改会议"):
        S.apply_chain(store, chain)
        repo(store).update(meeting_id, values, (reason or "").strip())
        if refreeze:
            freeze_reports(store, meeting_id, today, reason=reason)
    m = get_meeting(store, meeting_id)
    return S.schedule_warnings(store, m["date"], m["kind"], meeting_id) if moved else []


def _day_before(iso: str) -> str:
    return (_dt.date.fromisoformat(iso) - _dt.timedelta(days=1)).isoformat()


def close_meeting(store: Store, meeting_id: int, today: _dt.date | None = None) -> None:
    """关闭会议: the record becomes read-only. Figures not frozen yet are frozen now: all of them if
    nobody froze them, else only the rows still without (a workstream added since); frozen rows
    stay as they were. A meeting still ahead cannot be closed."""
    m = _check_open(store, meeting_id)
    today = today or _dt.date.today()
    _refuse_ahead(m, today, "关闭")
    with store.tx(label="关闭会议"):
        freeze_reports(store, meeting_id, today, missing_only=bool(_frozen_report_rows(store, meeting_id)))
        store.update("meeting", m["id"], {"status": "已关闭", "closed_at": now_text(), "updated_at": now_text()})


def correct_closed_meeting(store: Store, meeting_id: int, values: dict, reason: str) -> None:
    """更正 a closed meeting: only with a reason, which the audit rows carry.
    ``values`` holds meeting fields, and optionally ``reports``: [{workstream_id, report_text, problems}]."""
    if not (reason or "").strip():
        raise ValidationError([("reason", "更正已关闭的会议须说明理由")])
    m = get_meeting(store, meeting_id)
    values = dict(values)
    reports = values.pop("reports", [])
    values = {k: v for k, v in values.items() if k not in ("status", "closed_at", "meeting_no")}
    if any(k in values and str(values[k] or "") != str(m[k] or "") for k in ("date", "kind", "since_date")):
        raise ValidationError([("date", "已关闭的会议不能改开会日期、会议类别或统计区间（汇报数据已按原区间冻结）")])
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
    scope: str = "镇"               # 镇 / 乡 / 街道: the unit's own word (全乡合计)

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


def _items_open_sql(today: _dt.date, as_of: _dt.date | None) -> tuple[str, list]:
    """The headline figures' rule for an open 交办事项 (``figures.Basis.item_open_sql``, over
    ``action_item a LEFT JOIN meeting m``) for the end of ``as_of`` (None: now), without
    rebuilding the case ledger it does not need."""
    from models import figures

    class _Day(figures.Basis):
        def __init__(self) -> None:              # the items' rule reads only the day
            self.past = figures.check_day(today, as_of)
            self.day = self.past or today
    return _Day().item_open_sql()


def carried_items(store: Store, meeting_date: str, exclude_meeting_id: int | None = None,
                  ref: str | None = None, today: _dt.date | None = None) -> list[dict]:
    """Action items from earlier meetings (and the county's 督办事项) still open on the meeting's
    morning, counted as the headline figures count them (``models.figures``): now for a meeting
    today or later, else as they stood at the end of the day before it, so an item received or
    decided later is not there. They stay on every agenda until 办结销号."""
    today = today or _dt.date.today()
    d = _dt.date.fromisoformat(str(meeting_date))
    where, params = _items_open_sql(today, None if d >= today else d - _dt.timedelta(days=1))
    rows = store.query(
        f"SELECT a.*, m.meeting_no, m.date AS meeting_date, w.name AS workstream, "
        f"{_source_sql(store, 'a')} FROM action_item a "
        "LEFT JOIN meeting m ON m.id = a.meeting_id LEFT JOIN workstream w ON w.id = a.workstream_id "
        f"WHERE {where} AND (a.meeting_id IS NULL OR (m.date < ? AND a.meeting_id IS NOT ?)) "
        "ORDER BY a.due_date, m.meeting_no, a.decision_no", (*params, str(meeting_date), exclude_meeting_id))
    out = []
    for r in map(dict, rows):
        then = {**r, "status": "办理中"} if r["status"] == "已办结" else r   # closed since: open that morning
        out.append({**r, "state": effective_status(then, ref or str(meeting_date))})
    return out


def prepare_agenda(store: Store, meeting_date: _dt.date | str, since_date: _dt.date | str, *,
                   exclude_meeting_id: int | None = None, today: _dt.date | None = None) -> Agenda:
    d = str(meeting_date)
    since = str(since_date)
    today = today or _dt.date.today()
    now = d >= today.isoformat()
    figs = case_figures(store, since, d, None if now else d, today.isoformat())
    items = carried_items(store, d, exclude_meeting_id, today.isoformat() if now else d, today)
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
        rows.append(WsFigures(None, OFFICE_ROW))       # office items; cases with no workstream
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
                  calendar_notice(cal, day, day + _dt.timedelta(days=7)), scope(store))


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
    lines.append(f"　　全{agenda.scope}合计：{agenda.total.sentence()}")
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
def _frozen_report_rows(store: Store, meeting_id: int) -> dict[int | None, dict]:
    """workstream id (None: the office row) → the stored row, for the rows with frozen figures."""
    return {r["workstream_id"]: dict(r) for r in store.query(
        "SELECT * FROM meeting_report WHERE meeting_id = ? AND deleted_at IS NULL AND figures_json != ''",
        (meeting_id,))}


def freeze_reports(store: Store, meeting_id: int, today: _dt.date | None = None,
                   agenda: Agenda | None = None, reason: str = "", *, missing_only: bool = False) -> list[dict]:
    """冻结汇报数据: each workstream's figures as they stand (or as ``agenda`` has them), and the
    office's row (its items, cases with no workstream), kept with the meeting, so the frozen rows
    add up to the agenda's 合计; written reports are kept. The meeting counts as held from then.
    Figures are taken on the meeting's day or after, never ahead. Figures once frozen are not
    rewritten silently: freezing again needs the person's ``reason``; ``missing_only`` freezes only
    the rows that have none yet (a workstream added since)."""
    m = _check_open(store, meeting_id)
    today = today or _dt.date.today()
    _refuse_ahead(m, today, "冻结汇报数据")
    frozen = _frozen_report_rows(store, meeting_id)
    reason = (reason or "").strip()
    if frozen and not missing_only and not reason:
        at = max(r["frozen_at"] for r in frozen.values()).replace("T", " ")[:16]
        raise ValidationError([("reason", f"第{m['meeting_no']}期会议的汇报数据已于 {at} 冻结；重新冻结会改写冻结的数字，"
                                          "须说明理由")])
    agenda = agenda or agenda_for(store, meeting_id, today)
    rows = list(agenda.rows)
    if not any(r.workstream_id is None for r in rows):
        rows.append(WsFigures(None, OFFICE_ROW))        # kept even when empty: the total is the rows' sum
    stamp = now_text()
    with store.tx(reason, label="冻结汇报数据"):
        for r in rows:
            if missing_only and r.workstream_id in frozen:
                continue
            figures = {**asdict(r), "since": agenda.since, "until": agenda.until, "as_of": agenda.as_of}
            text = json.dumps(figures, ensure_ascii=False)
            rid = store.scalar("SELECT id FROM meeting_report WHERE meeting_id = ? AND workstream_id IS ? "
                               "AND deleted_at IS NULL", (meeting_id, r.workstream_id))
            if rid:
                store.update("meeting_report", rid, {"figures_json": text, "frozen_at": stamp, "updated_at": stamp})
            else:
                store.insert("meeting_report", {"meeting_id": meeting_id, "workstream_id": r.workstream_id,
                                                "figures_json": text, "frozen_at": stamp})
        if m["status"] == "筹备":
            store.update("meeting", meeting_id, {"status": "已召开", "updated_at": stamp})
    return meeting_reports(store, meeting_id)


def frozen_rows(store: Store, meeting_id: int) -> list[dict]:
    """The frozen figures, one row per workstream (in order) and the office's row last:
    {workstream_id, workstream, figures, frozen_at}; empty until frozen."""
    rows = _frozen_report_rows(store, meeting_id)
    out = [{"workstream_id": ws["id"], "workstream": ws["name"], "figures": json.loads(rows[ws["id"]]["figures_json"]),
            "frozen_at": rows[ws["id"]]["frozen_at"]} for ws in campaign.workstreams(store) if ws["id"] in rows]
    if None in rows:
        out.append({"workstream_id": None, "workstream": OFFICE_ROW, "figures": json.loads(rows[None]["figures_json"]),
                    "frozen_at": rows[None]["frozen_at"]})
    return out


def frozen_total(store: Store, meeting_id: int) -> dict | None:
    """The frozen 合计 (every frozen row, the office's included), with the window the figures
    cover; None until frozen."""
    rows = frozen_rows(store, meeting_id)
    if not rows:
        return None
    first = rows[0]["figures"]
    return {**{k: sum(int(r["figures"].get(k, 0)) for r in rows) for k in FIGURE_KEYS},
            "since": first.get("since"), "until": first.get("until"), "as_of": first.get("as_of"),
            "frozen_at": max(r["frozen_at"] for r in rows)}


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
