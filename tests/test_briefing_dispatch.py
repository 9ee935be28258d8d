"""The 周调度材料 made for a dispatch meeting (/tmp/review_meet.md §15, §16): it covers the meeting's
own window [since, date), also when a holiday moved the meeting off Monday, and its 交办事项 table
lists what falls due in the week the meeting dispatches, not in the week just ended."""
from __future__ import annotations

import datetime as _dt

from conftest import TODAY
from pdftext import flat_of

from models import stats
from models.db import Store
from models.reports import briefing


def _meeting(s: Store, day: _dt.date):
    return briefing.meeting_on(s, day)


def test_the_pack_of_a_holiday_shifted_meeting_covers_its_window(town, tmp_path):
    s = Store(town, "测试")
    try:
        thursday = _dt.date(2026, 10, 8)                       # 国庆: the 例会 moved to Thursday
        m = _meeting(s, thursday)
        assert m is not None and m["since_date"] == "2026-09-28"
        assert briefing.default_day(thursday, s) == _dt.date(2026, 10, 7)    # not the meeting morning
        assert briefing.default_day(thursday) == thursday                   # without the meetings: as before
        assert briefing.default_day(_dt.date(2026, 10, 12), s) == _dt.date(2026, 10, 11)
        assert briefing.default_day(TODAY, s) == TODAY                      # no meeting today
        assert briefing.window_start(s, _dt.date(2026, 10, 7)) == _dt.date(2026, 9, 28)
        assert briefing.window_start(s, _dt.date(2026, 10, 11)) == _dt.date(2026, 10, 8)   # the next one
        assert briefing.window_start(s, _dt.date(2026, 11, 25)) == _dt.date(2026, 11, 23)  # mid-week: Monday
        out = tmp_path / "w.pdf"
        briefing.build(s, out, TODAY, as_of=briefing.default_day(thursday, s))
    finally:
        s.close()
    assert "统计时段：2026年9月28日至2026年10月7日" in flat_of(out)


def test_the_monday_pack_lists_items_due_in_the_week_it_dispatches(town, tmp_path):
    monday = _dt.date(2026, 11, 23)
    s = Store(town, "测试")
    try:
        assert _meeting(s, monday) is not None
        day = briefing.default_day(monday, s)
        assert day == _dt.date(2026, 11, 22)
        due = briefing.due_until(day)
        assert due == _dt.date(2026, 11, 29)
        assert briefing.due_until(_dt.date(2026, 11, 25)) == _dt.date(2026, 11, 29)    # mid-week: this week
        items = stats.action_items(s, TODAY, 60, as_of=day, due_until=due)
        coming = [r for r in items.rows if r["due"] and day.isoformat() < r["due"] <= due.isoformat()]
        assert coming                                           # the week being dispatched has items due
        old = stats.action_items(s, TODAY, 60, as_of=day)       # other callers: the end of that day's week
        assert not [r for r in old.rows if r["due"] and r["due"] > day.isoformat()]
        out = tmp_path / "w.pdf"
        briefing.build(s, out, TODAY, as_of=day)
    finally:
        s.close()
    text = flat_of(out)
    assert "下表列出逾期和11月29日（含）以前到期的事项" in text
    for r in coming:
        assert r["content"][:12] in text
