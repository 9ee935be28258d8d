"""When a 周调度会 is held, and the weeks its figures cover (``models.meetings`` does the rest).

一周一调度: the 例会 follow one another, and the week of a 例会 is [since, meeting date), since
being the date of the 例会 before it (the campaign's first day for the first one). So consecutive
windows neither overlap nor leave gaps, whatever is inserted, moved or re-labelled:

- a 例会 inserted between two others takes the earlier one's date as its start, and the later one
  now starts at the new date (``chain_changes``);
- a 例会 moved (or turned into a 专题会议) leaves its old place closed up: the 例会 after it starts
  where it started;
- a 例会 whose figures are frozen (已召开 / 已关闭) keeps its window: a change that would move it is
  refused, naming that meeting;
- two 例会 on one day are refused; a second 例会 in the same week, or one on a rest day or a
  holiday, is allowed with a warning (``schedule_warnings``).

A 专题会议 is not part of the chain: it neither starts nor ends a week, and the default date of the
next 例会 follows the last 例会 only (``default_date``).
"""
from __future__ import annotations

import datetime as _dt

from models import campaign
from models.cases import load_calendar
from models.db import Store
from models.ledger import registry
from models.ledger.repo import LedgerRepo, ValidationError
from models.rules.workdays import WorkCalendar

REGULAR = "例会"
WEEKDAYS = "一二三四五六日"
# statutory holidays on fixed dates, for a year whose schedule is not yet entered
FIXED_HOLIDAYS = {(1, 1): "元旦", (5, 1): "劳动节", (10, 1): "国庆节", (10, 2): "国庆节", (10, 3): "国庆节"}


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


def regular_meetings(store: Store, exclude_id: int | None = None) -> list[dict]:
    """The live 例会, in date order."""
    return [dict(r) for r in store.query(
        "SELECT id, meeting_no, date, since_date, status FROM meeting WHERE deleted_at IS NULL AND kind = ? "
        "AND id IS NOT ? ORDER BY date, id", (REGULAR, exclude_id))]


def window_start(store: Store, on: _dt.date | str, exclude_id: int | None = None) -> str:
    """Where the week of a 例会 on ``on`` starts: the previous 例会's date, else the campaign's
    first day (else a week before)."""
    day = str(on)
    before = [m for m in regular_meetings(store, exclude_id) if m["date"] < day]
    if before:
        return before[-1]["date"]
    c = campaign.current(store)
    if c and c.start_date and c.start_date < day:
        return c.start_date
    return (_dt.date.fromisoformat(day) - _dt.timedelta(days=7)).isoformat()


def default_date(store: Store, kind: str, today: _dt.date) -> _dt.date:
    """A new meeting's date when none is given: a 例会 on the first regular meeting day after the
    last 例会 (and not before today); a 专题会议 today. A 专题会议 already scheduled does not push
    the next 例会 back."""
    if kind != REGULAR:
        return today
    regular = regular_meetings(store)
    after = today
    if regular:
        after = max(today, _dt.date.fromisoformat(regular[-1]["date"]) + _dt.timedelta(days=1))
    return next_meeting_date(store, after)


def _frozen(store: Store, m: dict) -> bool:
    return m["status"] != "筹备" or bool(store.scalar(
        "SELECT 1 FROM meeting_report WHERE meeting_id = ? AND deleted_at IS NULL AND figures_json != '' LIMIT 1",
        (m["id"],)))


def refuse_same_day(store: Store, on: str, kind: str, exclude_id: int | None = None, moving: bool = False) -> None:
    """Two 例会 on one day are refused, on create and on edit alike."""
    if kind != REGULAR:
        return
    other = next((m for m in regular_meetings(store, exclude_id) if m["date"] == on), None)
    if other:
        doing = "不能改到这一天" if moving else "不再新建"
        raise ValidationError([("date", f"{on} 已有一次例会（第{other['meeting_no']}期），{doing}"
                                        "（专题会议用 --kind 专题会议）")])


def chain_changes(store: Store, meeting_id: int | None, old: dict | None, new_date: str, new_kind: str,
                  doing: str) -> dict[int, str]:
    """The other 例会 whose start (since_date) must move so that the windows stay chained when the
    meeting ``meeting_id`` (None: a new one) goes from ``old`` (its row, None when new) to
    ``new_date`` / ``new_kind``: {meeting id: new since_date}. A meeting whose figures are frozen
    cannot move: the change is refused, saying which one (``doing``: what was being done)."""
    others = regular_meetings(store, meeting_id)
    out: dict[int, str] = {}
    if old and old["kind"] == REGULAR:               # its old place closes up
        nxt = next((m for m in others if m["date"] > old["date"]), None)
        if nxt:
            before = [m for m in others if m["date"] < nxt["date"]]
            out[nxt["id"]] = before[-1]["date"] if before else (old["since_date"] or nxt["since_date"])
    if new_kind == REGULAR:                          # the 例会 after its new place starts there
        nxt = next((m for m in others if m["date"] > new_date), None)
        if nxt:
            out[nxt["id"]] = new_date
    by_id = {m["id"]: m for m in others}
    out = {k: v for k, v in out.items() if by_id[k]["since_date"] != v}
    for mid, since in out.items():
        m = by_id[mid]
        if _frozen(store, m):
            state = "已关闭" if m["status"] == "已关闭" else "的汇报数据已冻结"
            raise ValidationError([("date", f"{doing}会改变第{m['meeting_no']}期会议（{m['date']}）的统计区间"
                                            f"（{m['since_date']} 起改为 {since} 起），而该会议{state}；未作改动")])
    return out


def apply_chain(store: Store, changes: dict[int, str]) -> None:
    """Write the neighbours' new starts (inside the caller's transaction)."""
    meetings = LedgerRepo(store, registry.get("meetings"))
    for mid, since in changes.items():
        meetings.update(mid, {"since_date": since})


def schedule_warnings(store: Store, on: _dt.date | str, kind: str, exclude_id: int | None = None) -> list[str]:
    """What to tell the office about a 例会 on ``on`` (allowed, but worth a second look): a second
    例会 in the same week, a rest day or a holiday."""
    if kind != REGULAR:
        return []
    day = _dt.date.fromisoformat(str(on))
    out = []
    monday = day - _dt.timedelta(days=day.weekday())
    sunday = monday + _dt.timedelta(days=6)
    same = [m for m in regular_meetings(store, exclude_id) if monday.isoformat() <= m["date"] <= sunday.isoformat()]
    for m in same:
        out.append(f"同一周已有第{m['meeting_no']}期例会（{m['date']}）；一周一调度，第二次会议如为专题研究请用专题会议")
    cal = load_calendar(store)
    name = cal.holiday_name(day)
    if name is None and not cal.is_known(day.year):
        name = FIXED_HOLIDAYS.get((day.month, day.day))
    if name:
        out.append(f"{day.isoformat()} 是{name}假期")
    elif not cal.is_workday(day):
        out.append(f"{day.isoformat()}（星期{WEEKDAYS[day.weekday()]}）是休息日")
    return out
