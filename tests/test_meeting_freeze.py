"""冻结汇报数据 and closing (review_meet §1, §2, §3, §6, §8): the frozen 合计 includes the office's
row and equals the agenda and the headline figures; frozen figures are never rewritten without
a reason (closing freezes only what is missing); a frozen meeting moves only with a reason, and
its figures follow; a meeting still ahead cannot be frozen or closed; a past agenda counts the
交办事项 as ``models.figures`` does for its morning."""
from __future__ import annotations

import datetime as _dt
import json

import pytest

from models import audit, campaign, case_workers, cases, figures, meetings as M
from models.db import Store
from models.ledger.repo import ValidationError

D = _dt.date.fromisoformat
TODAY = D("2026-11-26")            # the demo's day (conftest), a Thursday
MON = D("2026-11-30")


@pytest.fixture
def demo(demo_db):
    s = Store(demo_db, "测试员")
    yield s
    s.close()


def items_repo(s: Store):
    return M.repo(s, "action_items")


def _office_work(s: Store) -> None:
    """A case with no 专班 and an office item with no meeting: the rows no workstream holds."""
    cases.register_case(s, {"registered_on": "2026-11-25", "employer_name": "青山县无名劳务有限公司",
                            "amount_fen": 3_000_000})
    items_repo(s).insert({"content": "领导小组办公室牵头梳理欠薪线索台账", "status": "待办", "due_date": "2026-12-20"})


def test_frozen_total_is_the_agenda_total_and_the_headline_figures(demo, capsys):
    s = demo
    _office_work(s)
    mid = M.create_meeting(s, MON)
    agenda = M.agenda_for(s, mid, MON)
    office = next(r for r in agenda.rows if r.workstream_id is None)
    assert office.name == M.OFFICE_ROW and office.open_cases >= 1 and office.open_items >= 1
    M.freeze_reports(s, mid, MON)
    total = M.frozen_total(s, mid)
    assert {k: total[k] for k in M.FIGURE_KEYS} == {k: getattr(agenda.total, k) for k in M.FIGURE_KEYS}
    f = figures.figures(s, MON)
    assert (total["open_cases"], total["outstanding_fen"], total["open_items"]) == \
        (f.open_cases, f.unpaid_fen, f.items_open)
    from models.reports.minutes import default_body
    body = default_body(s, mid, MON)
    assert f"在办{f.open_cases}件" in body and f"前期交办事项未办结{f.items_open}项" in body
    # the command line's 合计 is the same
    from desktop.cli import main
    capsys.readouterr()
    assert main(["meeting", "show", str(M.get_meeting(s, mid)["meeting_no"]), "--db", str(s.path), "--json",
                 "--today", MON.isoformat()]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["frozen_total"]["open_items"] == f.items_open and shown["office"]["open_cases"] >= 1


def test_closing_freezes_only_what_is_missing_and_a_second_freeze_needs_a_reason(campaign_store):
    s = campaign_store
    ws = campaign.workstreams(s)
    cid = cases.register_case(s, {"registered_on": "2026-11-24", "employer_name": "青山县宏达建筑劳务有限公司",
                                  "amount_fen": 100_000, "workstream_id": ws[0]["id"]})
    M.create_meeting(s, D("2026-11-23"))
    mid = M.create_meeting(s, MON)
    M.freeze_reports(s, mid, MON)
    before = {r["workstream_id"]: r["figures"] for r in M.frozen_rows(s, mid)}
    case_workers.record_repayment(s, cid, {"paid_on": "2026-11-27", "amount_fen": 40_000})
    new_ws = campaign.add_workstream(s, campaign.current(s).id, "劳动监察专班")
    with pytest.raises(ValidationError, match="理由"):
        M.freeze_reports(s, mid, MON)                               # silently rewriting: refused
    M.close_meeting(s, mid, MON)
    after = {r["workstream_id"]: r["figures"] for r in M.frozen_rows(s, mid)}
    assert {k: v for k, v in after.items() if k != new_ws} == before    # the frozen rows stay as they were
    assert new_ws in after                                               # the new 专班 got its row
    # a second freeze of a meeting still open (已召开) rewrites only with the person's reason
    mid2 = M.create_meeting(s, D("2026-12-07"))
    M.freeze_reports(s, mid2, D("2026-12-07"))
    with pytest.raises(ValidationError, match="理由"):
        M.freeze_reports(s, mid2, D("2026-12-08"))
    M.freeze_reports(s, mid2, D("2026-12-08"), reason="冻结时漏录一笔兑付，重新冻结")
    rid = s.scalar("SELECT id FROM meeting_report WHERE meeting_id = ? AND workstream_id = ?", (mid2, ws[0]["id"]))
    assert audit.history(s.conn, "meeting_report", rid)[-1]["reason"].endswith("冻结时漏录一笔兑付，重新冻结")


def test_a_frozen_meeting_moves_only_with_a_reason_and_its_figures_follow(campaign_store):
    s = campaign_store
    M.create_meeting(s, D("2026-11-23"))
    mid = M.create_meeting(s, MON)
    M.freeze_reports(s, mid, MON)
    with pytest.raises(ValidationError, match="已冻结"):
        M.update_meeting(s, mid, {"date": "2026-12-01"}, today=D("2026-12-01"))
    assert M.get_meeting(s, mid)["date"] == MON.isoformat()
    with pytest.raises(ValidationError, match="尚未召开"):        # re-frozen for a day still ahead: nothing done
        M.update_meeting(s, mid, {"date": "2026-12-02"}, "会议改期", today=D("2026-12-01"))
    assert M.get_meeting(s, mid)["date"] == MON.isoformat()
    M.update_meeting(s, mid, {"date": "2026-12-01"}, "会议因故推迟一天", today=D("2026-12-01"))
    m, total = M.get_meeting(s, mid), M.frozen_total(s, mid)
    assert (m["date"], m["since_date"]) == ("2026-12-01", "2026-11-23")
    assert (total["since"], total["until"]) == ("2026-11-23", "2026-11-30")
    M.close_meeting(s, mid, D("2026-12-01"))
    with pytest.raises(ValidationError):
        M.correct_closed_meeting(s, mid, {"date": "2026-12-02"}, "改期")


def test_a_meeting_still_ahead_cannot_be_frozen_or_closed(campaign_store):
    s = campaign_store
    mid = M.create_meeting(s, D("2027-03-01"))
    for attempt in (lambda: M.freeze_reports(s, mid, TODAY), lambda: M.close_meeting(s, mid, TODAY)):
        with pytest.raises(ValidationError, match="尚未召开"):
            attempt()
    m = M.get_meeting(s, mid)
    assert m["status"] == "筹备" and not M.frozen_rows(s, mid)
    M.freeze_reports(s, mid, D("2027-03-01"))                     # on the day itself: allowed
    assert M.get_meeting(s, mid)["status"] == "已召开"


def test_a_past_agenda_counts_items_as_the_figures_do_for_its_morning(demo):
    s = demo
    past = next(m for m in M.list_meetings(s) if m["kind"] == "例会" and m["date"] < TODAY.isoformat())
    a = M.agenda_for(s, past["id"], TODAY)
    morning = D(past["date"]) - _dt.timedelta(days=1)
    assert a.total.open_items == figures.figures(s, TODAY, morning).items_open
    # a 县督办 / office item entered after that meeting is not on its agenda
    iid = items_repo(s).insert({"content": "【县督办】春节前对所有欠薪线索逐件回访", "status": "待办",
                                "due_date": "2027-02-10"})
    s.execute("UPDATE action_item SET created_at = ? WHERE id = ?", (f"{TODAY.isoformat()}T09:00:00", iid))
    again = M.agenda_for(s, past["id"], TODAY)
    assert iid not in {it["id"] for it in again.items}
    assert again.total.open_items == a.total.open_items == figures.figures(s, TODAY, morning).items_open
    # on the agenda of a meeting after it was entered, it is there
    nxt = M.create_meeting(s, MON)
    assert iid in {it["id"] for it in M.agenda_for(s, nxt, TODAY).items}
