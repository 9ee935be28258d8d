"""When meetings are held (review_meet §4, §5, §7): consecutive 例会 windows stay chained when a
例会 is inserted, moved or re-labelled, a frozen neighbour's window is never moved, a second 例会
on one day is refused on edit as on create, a second 例会 in a week or one on a rest day or
holiday is allowed with a warning; a 专题会议 does not push the next 例会 back; the next
meeting's attendance keeps whoever was on leave at the last one."""
from __future__ import annotations

import datetime as _dt
import json

import pytest

from models import campaign, meetings as M
from models.ledger.repo import ValidationError

D = _dt.date.fromisoformat


def _regular(s) -> list[dict]:
    return [dict(r) for r in s.query("SELECT date, since_date FROM meeting WHERE kind = '例会' AND deleted_at IS NULL "
                                     "ORDER BY date")]


def _windows(s) -> list[tuple[str, str]]:
    return [(m["date"], m["since_date"]) for m in _regular(s)]


def _chained(s) -> bool:
    regular = _regular(s)
    return all(b["since_date"] == a["date"] for a, b in zip(regular, regular[1:]))


def test_inserting_and_moving_a_regular_meeting_keeps_the_weeks_chained(campaign_store):
    s = campaign_store
    M.create_meeting(s, D("2026-11-16"))
    late = M.create_meeting(s, D("2026-11-30"))
    mid = M.create_meeting(s, D("2026-11-23"))                     # inserted between the two
    assert _windows(s) == [("2026-11-16", "2026-09-14"), ("2026-11-23", "2026-11-16"), ("2026-11-30", "2026-11-23")]
    M.update_meeting(s, mid, {"date": "2026-12-07"})                # moved past its neighbour
    assert _windows(s) == [("2026-11-16", "2026-09-14"), ("2026-11-30", "2026-11-16"), ("2026-12-07", "2026-11-30")]
    with pytest.raises(ValidationError, match="已有一次例会"):
        M.update_meeting(s, mid, {"date": "2026-11-30"})           # onto another 例会: refused as on create
    M.update_meeting(s, late, {"kind": "专题会议"})                   # no longer a 例会: the gap closes
    assert _windows(s) == [("2026-11-16", "2026-09-14"), ("2026-12-07", "2026-11-16")]
    assert _chained(s)


def test_a_frozen_neighbour_keeps_its_week(campaign_store):
    s = campaign_store
    M.create_meeting(s, D("2026-11-16"))
    held = M.create_meeting(s, D("2026-11-23"))
    M.freeze_reports(s, held, D("2026-11-23"))
    with pytest.raises(ValidationError, match="统计区间"):
        M.create_meeting(s, D("2026-11-19"))                        # would shorten a frozen week
    assert len(_regular(s)) == 2 and _chained(s)
    nxt = M.create_meeting(s, D("2026-11-30"))
    with pytest.raises(ValidationError, match="统计区间"):
        M.update_meeting(s, nxt, {"date": "2026-11-20"})
    assert M.get_meeting(s, nxt)["date"] == "2026-11-30" and _chained(s)


def test_a_second_meeting_in_the_week_and_rest_days_are_warned(campaign_store, capsys):
    from models import meeting_schedule as S
    s = campaign_store
    M.create_meeting(s, D("2026-12-07"))
    assert S.schedule_warnings(s, "2026-12-10", "例会")[0].startswith("同一周已有第1期例会")
    assert any("休息日" in w for w in S.schedule_warnings(s, "2026-12-19", "例会"))
    assert any("元旦" in w for w in S.schedule_warnings(s, "2027-01-01", "例会"))
    assert S.schedule_warnings(s, "2026-12-14", "例会") == []
    assert S.schedule_warnings(s, "2026-12-10", "专题会议") == []
    mid = M.create_meeting(s, D("2026-12-14"))
    assert any("休息日" in w for w in M.update_meeting(s, mid, {"date": "2026-12-19"}))
    # the command line says it, in its lines and in its JSON result
    from desktop.cli import main
    capsys.readouterr()
    assert main(["meeting", "create", "--date", "2026-12-09", "--db", str(s.path), "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["warnings"] and "同一周" in made["warnings"][0]
    assert main(["meeting", "create", "--date", "2027-01-01", "--db", str(s.path)]) == 0
    assert "注意：2027-01-01 是元旦假期" in capsys.readouterr().out


def test_a_special_meeting_does_not_push_the_next_regular_one_back(campaign_store, capsys):
    s = campaign_store
    M.create_meeting(s, D("2026-12-07"))
    M.create_meeting(s, D("2026-12-15"), "专题会议", title="恒丰商贸城欠薪专题会议")
    from desktop.cli import main
    capsys.readouterr()
    assert main(["meeting", "create", "--db", str(s.path), "--today", "2026-12-08", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert (made["date"], made["since_date"]) == ("2026-12-14", "2026-12-07")


def test_the_next_meeting_keeps_who_was_on_leave(campaign_store):
    s = campaign_store
    c = campaign.current(s)
    campaign.set_leading_group(s, c.id, [
        {"role": "组长", "name": "赵镇长", "unit": "青山县青山镇人民政府", "title": "镇长"},
        {"role": "副组长", "name": "黄飞昌", "unit": "青山县青山镇人民政府", "title": "副镇长"},
        {"role": "成员", "name": "钱所长", "unit": "青山镇劳动保障所", "title": "所长"},
        {"role": "办公室主任", "name": "孙主任", "unit": "青山县青山镇人民政府", "title": "党政办主任"}])
    lg = campaign.leading_group(s, c.id)
    line = {p["name"]: M.person_line(p) for p in lg}
    M.create_meeting(s, D("2026-11-23"), attendees_present="\n".join(line[n] for n in ("赵镇长", "钱所长", "孙主任")),
                     absent_with_reason="黄飞昌：下村督导秋收秋种工作")
    nxt = M.get_meeting(s, M.create_meeting(s, D("2026-11-30")))
    names = [x.split("（")[0] for x in nxt["attendees_present"].splitlines()]
    assert names == [p["name"] for p in lg]                          # back in his place in the group
    assert line["黄飞昌"] in nxt["attendees_present"] and nxt["absent_with_reason"] == ""
