"""交办事项 numbers and dates (review_meet §17, §18): a 期数-序号 is never given twice (a removed
decision keeps its number; a restore that would duplicate one is refused), the minutes number
decisions by their own number; progress and 办结 dates are neither in the future nor before the
item was given, and the latest-dated progress line is the last."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import campaign, meetings as M
from models.ledger.repo import ValidationError
from models.ledger.service import service_for

D = _dt.date.fromisoformat
MON = D("2026-11-23")
TODAY = D("2026-11-26")


def _meeting_with_three(s):
    ws = campaign.workstreams(s)[0]["id"]
    mid = M.create_meeting(s, MON)
    ids = [M.add_decision(s, mid, f"事项{i}", ws, "汤莉", "2026-12-18") for i in (1, 2, 3)]
    return mid, ids


def _numbers(s, mid) -> list[tuple[int, str]]:
    return [(it["decision_no"], it["content"]) for it in M.decisions(s, mid)]


def test_a_number_is_never_given_twice(campaign_store):
    s = campaign_store
    mid, (a, b, c) = _meeting_with_three(s)
    M.remove_decision(s, c)
    new = M.add_decision(s, mid, "新事项", None, "汤莉", "2026-12-18")
    assert _numbers(s, mid) == [(1, "事项1"), (2, "事项2"), (4, "新事项")]
    service_for(s, "action_items").restore([c])                    # back under its own number
    assert _numbers(s, mid) == [(1, "事项1"), (2, "事项2"), (3, "事项3"), (4, "新事项")]
    # a number given twice before this rule (an older database): the restore is refused, whole
    M.remove_decision(s, c)
    s.execute("UPDATE action_item SET decision_no = 3 WHERE id = ?", (new,))
    with pytest.raises(ValidationError, match="两项交办事项同为"):
        service_for(s, "action_items").restore([c, b])
    assert s.scalar("SELECT deleted_at FROM action_item WHERE id = ?", (c,)) is not None


def test_the_minutes_number_decisions_by_their_own_number(campaign_store, tmp_path):
    from models.reports.minutes import build_minutes_pdf
    from pdftext import text_of
    s = campaign_store
    mid, (a, b, c) = _meeting_with_three(s)
    M.remove_decision(s, b)
    text = "".join(text_of(build_minutes_pdf(s, mid, tmp_path / "m.pdf", TODAY)).split())
    assert "一、事项1" in text and "三、事项3" in text and "二、事项3" not in text


def test_progress_and_close_dates_are_checked(campaign_store):
    s = campaign_store
    mid, (a, b, c) = _meeting_with_three(s)
    for bad, why in (("2027-05-01", "之后"), ("2026-01-01", "早于交办的会议日期")):
        with pytest.raises(ValidationError, match=why):
            M.add_progress(s, a, "进展", bad, today=TODAY)
        with pytest.raises(ValidationError, match=why):
            M.close_item(s, a, bad, today=TODAY)
    assert s.scalar("SELECT progress FROM action_item WHERE id = ?", (a,)) == ""
    M.add_progress(s, a, "已约谈企业", "2026-11-25", "王五", today=TODAY)
    M.add_progress(s, a, "已召集相关单位研究", "2026-11-24", "王五", today=TODAY)   # typed later, dated earlier
    lines = s.scalar("SELECT progress FROM action_item WHERE id = ?", (a,)).splitlines()
    assert [x[:10] for x in lines] == ["2026-11-24", "2026-11-25"]                 # the last is the latest


def test_reporting_done_before_the_meeting_is_refused_on_the_command_line(campaign_store, capsys):
    from desktop.cli import main
    s = campaign_store
    mid, (a, b, c) = _meeting_with_three(s)
    no = M.get_meeting(s, mid)["meeting_no"]
    capsys.readouterr()
    code = main(["item", "done", f"{no}-1", "--note", "办完了", "--date", "2026-11-20", "--db", str(s.path),
                 "--today", TODAY.isoformat()])
    assert code == 2 and "早于交办的会议日期" in capsys.readouterr().err
    code = main(["item", "progress", f"{no}-1", "--note", "未来进展", "--date", "2027-05-01", "--db", str(s.path),
                 "--today", TODAY.isoformat()])
    assert code == 2 and "之后" in capsys.readouterr().err


def test_a_county_item_is_not_closed_before_the_county_gave_it(campaign_store):
    """Needs the county's 交办日期 kept with the received 督办事项 (``directive_received.issued_on``);
    the column is added here as the 下发包 would fill it."""
    s = campaign_store
    cols = {r[1] for r in s.query("PRAGMA table_info(directive_received)")}
    if "issued_on" not in cols:
        s.execute("ALTER TABLE directive_received ADD COLUMN issued_on TEXT")
    iid = service_for(s, "action_items").insert({"content": "【县督办】第四项督办", "status": "待办",
                                                  "due_date": "2026-12-20"})
    uuid = s.scalar("SELECT uuid FROM action_item WHERE id = ?", (iid,))
    s.insert("directive_received", {"uuid": uuid, "action_item_id": iid, "county": "青山县", "content": "第四项督办",
                                    "dispatch_sequence": 1, "received_at": "2026-11-24T09:00:00",
                                    "issued_on": "2026-11-23"})
    with pytest.raises(ValidationError, match="早于县级交办"):
        M.close_item(s, iid, "2026-01-01", today=TODAY)
    M.close_item(s, iid, "2026-11-25", today=TODAY)
    assert s.scalar("SELECT closed_on FROM action_item WHERE id = ?", (iid,)) == "2026-11-25"
