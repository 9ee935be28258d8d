"""周调度会: agenda figures against the ledger's own queries, carry-over of action items,
holiday Mondays, closing and audited correction, the minutes PDF, the demo's meetings."""
from __future__ import annotations

import datetime as _dt
import random
from pathlib import Path

import pytest

from models import audit, campaign, case_workers, cases, meetings as M
from models.checks import run_checks
from models.db import Store
from models.ledger import registry
from models.ledger.repo import LedgerRepo, Query, ValidationError
from models.rules.workdays import WorkCalendar

TODAY = _dt.date(2026, 11, 26)          # a Thursday, as in conftest
D = _dt.date.fromisoformat
SHOTS = Path("/tmp/shots")


@pytest.fixture
def demo(demo_db):
    s = Store(demo_db, "测试员")
    yield s
    s.close()


@pytest.fixture
def demo_meetings(demo):
    from models.demo.meetings import add_demo_meetings
    add_demo_meetings(demo, random.Random(7), TODAY)
    return demo


# -- the agenda's figures --------------------------------------------------------------
def test_agenda_figures_equal_the_ledgers_own_queries(demo):
    """A meeting today: the week since Monday's meeting, standing figures as the ledger has them now."""
    since, until = "2026-11-23", "2026-11-25"               # [since, meeting day)
    a = M.prepare_agenda(demo, TODAY, since, today=TODAY)
    case_repo = cases.repo(demo)
    pay_repo = LedgerRepo(demo, registry.get("repayments"))
    overdue_sql, overdue_params = cases.warning_conditions(demo, TODAY)["逾期"]
    assert [r.name for r in a.rows][:7] == [w["name"] for w in campaign.workstreams(demo)]
    for row in a.rows:
        ws = {"workstream_id": row.workstream_id}
        assert row.new_cases == case_repo.count(Query(equals=ws, ranges={"registered_on": (since, until)}))
        assert row.closed_cases == case_repo.count(Query(equals=ws, ranges={"closed_on": (since, until)},
                                                         extra=[("t.status IN ('已化解', '已移送', '不存在欠薪')", [])]))
        in_ws = ("t.case_id IN (SELECT id FROM case_record WHERE workstream_id = ? AND deleted_at IS NULL)",
                 [row.workstream_id])
        assert row.repaid_fen == pay_repo.totals(Query(ranges={"paid_on": (since, until)}, extra=[in_ws]))["amount_fen"]
        assert row.outstanding_fen == case_repo.totals(
            Query(equals=ws, extra=[("t.status != '不存在欠薪'", [])]))["outstanding_fen"]
        assert row.overdue_cases == case_repo.count(Query(equals=ws, extra=[(overdue_sql, overdue_params)]))
        assert row.open_cases == case_repo.count(Query(equals=ws, extra=[(cases.OPEN_SQL, [])]))
    assert a.total.overdue_cases == cases.warnings_summary(demo, TODAY)["逾期"]
    assert a.total.new_cases == sum(r.new_cases for r in a.rows) > 0
    assert a.total.repaid_fen > 0


def test_weekly_windows_partition_the_campaign(demo_meetings):
    """Consecutive 例会 windows neither overlap nor leave gaps: their weeks add up to the ledger."""
    s = demo_meetings
    regular = sorted((m for m in M.list_meetings(s) if m["kind"] == "例会"), key=lambda m: m["date"])
    first, last = regular[0]["date"], regular[-1]["date"]
    new = repaid = 0
    for m in regular[1:]:
        a = M.agenda_for(s, m["id"], TODAY)
        new += a.total.new_cases
        repaid += a.total.repaid_fen
    assert new == s.scalar("SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND registered_on >= ? "
                           "AND registered_on < ?", (first, last))
    assert repaid == s.scalar("SELECT SUM(amount_fen) FROM repayment WHERE deleted_at IS NULL AND paid_on >= ? "
                              "AND paid_on < ?", (first, last))


def test_figures_frozen_at_the_meeting_survive_later_entries(campaign_store):
    s = campaign_store
    ws = campaign.workstreams(s)
    cid = cases.register_case(s, {"registered_on": "2026-11-17", "employer_name": "青山县宏达建筑劳务有限公司",
                                  "amount_fen": 100_000, "workstream_id": ws[0]["id"]})
    case_workers.record_repayment(s, cid, {"paid_on": "2026-11-18", "amount_fen": 30_000})
    mid = M.create_meeting(s, D("2026-11-23"))
    assert M.get_meeting(s, mid)["since_date"] == "2026-09-14"          # the campaign's first day
    M.freeze_reports(s, mid, today=D("2026-11-23"))
    frozen = M.meeting_reports(s, mid)[0]["figures"]
    assert (frozen["new_cases"], frozen["repaid_fen"], frozen["outstanding_fen"], frozen["open_cases"]) == \
        (1, 30_000, 70_000, 1)
    # later in the week the rest is paid and the case closed
    case_workers.record_repayment(s, cid, {"paid_on": "2026-11-25", "amount_fen": 70_000})
    cases.change_status(s, cid, cases.StatusChange("化解中", "2026-11-24"))
    cases.change_status(s, cid, cases.StatusChange("已化解", "2026-11-25", verdict="经核实存在欠薪，已支付完毕"))
    assert M.meeting_reports(s, mid)[0]["figures"] == frozen
    then = M.agenda_for(s, mid, today=TODAY).rows[0]                 # rebuilt for that morning
    assert (then.repaid_fen, then.outstanding_fen, then.open_cases) == (30_000, 70_000, 1)
    nxt = M.prepare_agenda(s, "2026-11-30", "2026-11-23", today=TODAY).rows[0]
    assert (nxt.new_cases, nxt.closed_cases, nxt.repaid_fen, nxt.outstanding_fen, nxt.open_cases) == (0, 1, 70_000, 0, 0)


# -- action items ------------------------------------------------------------------------
def test_open_items_carry_over_and_closed_ones_do_not(campaign_store):
    s = campaign_store
    ws = campaign.workstreams(s)
    m1 = M.create_meeting(s, D("2026-11-16"))
    a = M.add_decision(s, m1, "约谈宏达劳务法定代表人，督促制定还款计划", ws[0]["id"], "张三", "2026-11-27")
    b = M.add_decision(s, m1, "核对安置房二期工程量", "拖欠工程款化解专班", "李四", "2026-11-20")
    c = M.add_decision(s, m1, "落实专人盯守讨薪农民工", ws[2]["id"], "王五", "2026-11-19")
    assert [d["decision_no"] for d in M.decisions(s, m1)] == [1, 2, 3]
    M.close_item(s, b, "2026-11-20", "工程量已核对，进度款已拨付")
    m2 = M.create_meeting(s, D("2026-11-23"))
    own = M.add_decision(s, m2, "本次会议新交办的事项", ws[1]["id"], "赵六", "2026-12-04")
    items = {it["id"]: it for it in M.agenda_for(s, m2, TODAY).items}
    assert set(items) == {a, c}                          # b was closed; m2's own item is not "carried"
    assert items[c]["state"] == "逾期" and items[a]["state"] == "待办"
    text = M.agenda_text(M.agenda_for(s, m2, TODAY))
    assert "未办结2项，其中逾期1项" in text and "核对安置房二期工程量" not in text
    M.close_item(s, a, "2026-11-23")                     # 办结销号 at the meeting itself
    assert {it["id"] for it in M.agenda_for(s, m2, TODAY).items} == {a, c}   # it was open that morning
    m3 = M.create_meeting(s, D("2026-11-30"))
    assert {it["id"] for it in M.agenda_for(s, m3, TODAY).items} == {c, own}
    assert [f.record for f in run_checks(s, TODAY).warnings if f.rule == "action_items_overdue"] == [c]
    assert [it["id"] for it in M.overdue_items(s, TODAY)] == [c]
    with pytest.raises(ValidationError):
        M.set_item_status(s, c, "逾期", TODAY)           # 逾期 follows from the date, never stored
    M.add_progress(s, c, "已落实三名干部轮流值守", TODAY, "王五")
    assert "王五：已落实三名干部轮流值守" in s.scalar("SELECT progress FROM action_item WHERE id = ?", (c,))


# -- dates -----------------------------------------------------------------------------------
def test_a_holiday_monday_moves_to_the_next_working_day(store):
    cal = WorkCalendar()
    assert M.next_meeting_date(cal, D("2026-09-29")) == D("2026-10-08")    # Monday 10-05 is 国庆
    assert M.next_meeting_date(cal, D("2026-10-01")) == D("2026-10-08")
    assert M.next_meeting_date(cal, D("2026-10-09")) == D("2026-10-12")
    assert M.next_meeting_date(cal, D("2026-11-23")) == D("2026-11-23")
    assert M.next_meeting_date(cal, D("2026-11-24")) == D("2026-11-30")
    # 2027 is not in the package: weekends only, until the office enters the State Council's schedule
    assert M.next_meeting_date(store, D("2027-02-03")) == D("2027-02-08")
    cases.save_calendar_year(store, 2027, "春节：2027-02-06 至 2027-02-14 放假\n2027-02-20 上班")
    assert M.next_meeting_date(store, D("2027-02-03")) == D("2027-02-15")


# -- closing and correcting ---------------------------------------------------------------------
def test_a_closed_meeting_is_read_only_and_a_correction_needs_a_reason(campaign_store):
    s = campaign_store
    ws = campaign.workstreams(s)
    mid = M.create_meeting(s, D("2026-11-23"), place="镇政府三楼会议室")
    M.add_decision(s, mid, "督促总包单位先行清偿", ws[1]["id"], "李四", "2026-11-30")
    M.save_report(s, mid, ws[0]["id"], "本周新增2件", "企业负责人失联")
    M.close_meeting(s, mid, TODAY)
    m = M.get_meeting(s, mid)
    assert m["status"] == "已关闭" and m["closed_at"]
    assert len(M.meeting_reports(s, mid)) == 7 and all(r["figures"] for r in M.meeting_reports(s, mid))
    for attempt in (lambda: M.update_meeting(s, mid, {"place": "别处"}),
                    lambda: M.add_decision(s, mid, "再加一项", None, "", None),
                    lambda: M.save_report(s, mid, ws[0]["id"], "改", ""),
                    lambda: M.freeze_reports(s, mid, TODAY)):
        with pytest.raises(M.MeetingClosed):
            attempt()
    with pytest.raises(ValidationError, match="理由"):
        M.correct_closed_meeting(s, mid, {"place": "镇政府二楼会议室"}, "  ")
    M.correct_closed_meeting(s, mid, {"place": "镇政府二楼会议室",
                                      "reports": [{"workstream_id": ws[0]["id"], "report_text": "本周新增3件"}]},
                             "会议地点记录有误")
    assert M.get_meeting(s, mid)["place"] == "镇政府二楼会议室"
    assert M.get_meeting(s, mid)["status"] == "已关闭"
    last = audit.history(s.conn, "meeting", mid)[-1]
    assert last["reason"] == "会议地点记录有误" and last["after"]["place"] == "镇政府二楼会议室"
    assert s.scalar("SELECT reason FROM audit_log WHERE table_name = 'meeting_report' ORDER BY id DESC LIMIT 1") \
        == "会议地点记录有误"


# -- the minutes ---------------------------------------------------------------------------------
def test_minutes_pdf_in_the_jiyao_layout(demo_meetings, tmp_path):
    from models.reports.minutes import build_minutes_pdf
    s = demo_meetings
    mid = next(m["id"] for m in M.list_meetings(s) if m["status"] == "已关闭" and m["kind"] == "例会")
    out = build_minutes_pdf(s, mid, tmp_path / "minutes.pdf")
    from pdftext import fonts, markup_in, text_of
    text = text_of(out)
    assert markup_in(text) == []
    m = M.get_meeting(s, mid)
    for needle in ("青山镇根治欠薪工作领导小组", "周调度会议纪要", f"第{m['meeting_no']}期", "会议议定事项",
                   "出席：", "请假：", "列席：", "— 1 —", "一、", "（责任单位：", "完成时限：",
                   f"主持：{m['host']}", f"记录：{m['recorder']}", "时间：", "地点："):
        assert needle in text, needle
    for it in M.decisions(s, mid):
        assert it["owner_person"] in text
    found = fonts(out)
    assert found and all(embedded for _name, embedded in found)            # every font embedded
    assert M.resolve_meeting(s, m["meeting_no"]) == mid
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("minutes-*.png"):
        old.unlink()
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(out))
    for i in range(len(pdf)):
        pdf[i].render(scale=70 / 72).to_pil().save(SHOTS / f"minutes-{i + 1}.png")
    pdf.close()
    assert (SHOTS / "minutes-1.png").exists()


# -- the demo ---------------------------------------------------------------------------------------
def test_demo_meetings_every_monday_with_realistic_follow_up(demo_meetings):
    s = demo_meetings
    ms = sorted(M.list_meetings(s), key=lambda m: m["date"])
    regular = [m["date"] for m in ms if m["kind"] == "例会"]
    assert "2026-10-05" not in regular and "2026-10-08" in regular     # 国庆 Monday moved
    assert len(regular) >= 10 and all(D(d).weekday() == 0 or d == "2026-10-08" for d in regular)
    assert any(m["kind"] == "专题会议" for m in ms)
    assert all(m["status"] == "已关闭" for m in ms)                     # today is Thursday
    states = [it["state"] for it in M.open_items(s, TODAY, include_closed=True)]
    assert states.count("已办结") > len(states) / 2
    assert 1 <= states.count("逾期") <= 4 and states.count("办理中") + states.count("待办") >= 2
    for m in ms:
        assert 2 <= len(M.decisions(s, m["id"])) <= 5
        assert all(r["figures"] and r["report_text"] for r in M.meeting_reports(s, m["id"]))
        assert M.get_meeting(s, m["id"])["body"]


def test_demo_on_a_monday_leaves_todays_meeting_in_preparation(demo):
    from models.demo.meetings import add_demo_meetings
    assert add_demo_meetings(demo, random.Random(3), TODAY) == {}        # never twice
    with demo.tx():
        for table in ("action_item", "meeting_report", "meeting"):
            demo.execute(f"DELETE FROM {table}")
    assert add_demo_meetings(demo, random.Random(3), D("2026-11-23"))["meetings"] >= 11
    latest = M.list_meetings(demo)[0]
    assert latest["date"] == "2026-11-23" and latest["status"] == "筹备"
    assert M.decisions(demo, latest["id"]) == [] and M.get_meeting(demo, latest["id"])["agenda"]
