"""日报告 / 零报告 after the hostile review (/tmp/review_meet.md §9–§14, §21): a return with
工作动态 is no 零报告; the daily PDF prints every return in full and names a return the ledgers
have since contradicted, and the command line can amend it with a reason; the Excel summary's
累计 line is ``models.figures`` of that day; no 未报送 alarm on a day off; a 专班 owes returns
from the day it was added; nothing before the campaign began; 报告人 is never the OS login."""
from __future__ import annotations

import datetime as _dt
import json

import pytest

from conftest import TODAY
from desktop.cli import main
from models import campaign, daily, figures
from models.db import Store
from models.ledger.repo import ValidationError
from models.values import fen_to_yuan_text
from pdftext import flat_of, page_count, page_texts

NOTE = ("今日走访锦绣华府项目工地，与建设单位、总包单位负责人座谈，核实农民工工资专用账户资金情况，督促总包单位于本周五前"
        "补足专户资金缺口约八十万元，其中优先保障农民工工资部分；下一步将会同劳动监察中队对该项目实名制考勤和工资代发银行"
        "流水逐月比对，发现问题即时交办；对两名反映欠薪的农民工已电话回访，告知办理进度，情绪稳定；明日计划走访翠湖名苑项目，"
        "联系人王建国，电话13812345678，并将情况报领导小组办公室。")


def run(capsys, *argv):
    code = main([str(x) for x in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _ws(s: Store, part: str) -> int:
    return next(w["id"] for w in campaign.workstreams(s) if part in w["name"])


def _unreported(s: Store, day: _dt.date) -> int:
    return next(w["id"] for w in daily.missing_on(s, day))


# §9 ---------------------------------------------------------------------------------------
def test_a_return_with_notes_is_not_a_zero_report(campaign_store):
    s = campaign_store
    ws = campaign.workstreams(s)
    v = daily.suggest(s, ws[0]["id"], TODAY)
    assert v["is_zero"] == 1                              # the ledgers show nothing new
    rid = daily.submit_return(s, {**v, "notes": "走访锦绣华府项目，督促补足专户资金"})
    assert daily.repo(s).get(rid)["is_zero"] == 0          # but the return says something: not 零报告
    zero = daily.submit_return(s, {**daily.suggest(s, ws[1]["id"], TODAY), "notes": "  "})
    assert daily.repo(s).get(zero)["is_zero"] == 1
    # the window's form: 零报告 ticked, then notes typed, on a change too
    daily.submit_return(s, {"notes": "补充：已电话回访", "is_zero": 1}, zero)
    assert daily.repo(s).get(zero)["is_zero"] == 0
    daily.submit_return(s, {"notes": ""}, zero)
    assert daily.repo(s).get(zero)["is_zero"] == 1
    with pytest.raises(ValidationError, match="零报告不应"):       # numbers with 零报告 ticked: still refused
        daily.submit_return(s, {"report_on": TODAY.isoformat(), "workstream_id": ws[2]["id"], "is_zero": 1,
                                "new_cases": 1})


def test_cli_submit_with_notes_says_no_zero_report(demo_db, capsys):
    s = Store(demo_db, "测试")
    day = TODAY - _dt.timedelta(days=1)
    s.execute("UPDATE daily_report SET deleted_at = '2026-11-26T08:00:00' WHERE report_on = ?", (day.isoformat(),))
    name = next(w["name"] for w in daily.missing_on(s, day) if daily.suggest(s, w["id"], day)["is_zero"])
    s.close()
    code, out, err = run(capsys, "daily", "submit", "--workstream", name, "--date", day, "--notes", NOTE, "--db", demo_db,
                         "--today", TODAY, "--json")
    assert code == 0, err
    assert json.loads(out)["is_zero"] == 0


# §10 and §21 (names on one line) ------------------------------------------------------------
def test_daily_pdf_prints_each_return_in_full(demo_db, tmp_path, capsys):
    s = Store(demo_db, "测试")
    ws = _unreported(s, TODAY)
    daily.submit_return(s, {**daily.suggest(s, ws, TODAY), "notes": NOTE * 6})     # several pages' worth
    longest = max((w["name"] for w in campaign.workstreams(s)), key=len)
    s.close()
    out = tmp_path / "d.pdf"
    code, _o, err = run(capsys, "report", "daily", "--db", demo_db, "--out", out, "--today", TODAY)
    assert code == 0, err
    text = flat_of(out)
    assert text.count("联系人王建国") == 6 and text.count("并将情况报领导小组办公室。") == 6   # nothing cut
    assert "…" not in text.split("四、各专班日报告")[1]
    assert page_count(out) >= 2 and "（续）" in text

    lines = [ln.strip() for p in page_texts(out) for ln in p.splitlines()]
    assert any(ln.startswith(longest) for ln in lines)          # the longest 专班 name on one line


# §11 --------------------------------------------------------------------------------------
def _pay_today(s: Store, ws: int) -> str:
    """A repayment today on one of the workstream's open cases with a worker still owed."""
    from models import case_workers
    r = s.one("SELECT c.id, c.case_no, w.id AS wid, w.owed_fen - w.paid_fen AS owed FROM case_record c "
              "JOIN worker w ON w.case_id = c.id AND w.deleted_at IS NULL WHERE c.deleted_at IS NULL "
              "AND c.workstream_id = ? AND c.status IN ('待核实', '化解中') AND w.owed_fen > w.paid_fen "
              "ORDER BY c.id LIMIT 1", (ws,))
    case_workers.RepaymentService(s, today=TODAY).save(
        {"case_id": r["id"], "worker_id": r["wid"], "paid_on": TODAY.isoformat(), "amount_fen": min(300000, r["owed"])})
    return r["case_no"]


def test_a_return_the_ledgers_contradict_is_flagged_and_can_be_amended(demo_db, tmp_path, capsys):
    s = Store(demo_db, "测试")
    ws = next(w for w in daily.missing_on(s, TODAY)
              if s.scalar("SELECT COUNT(*) FROM case_record WHERE workstream_id = ? AND status IN ('待核实', '化解中')",
                          (w["id"],)))
    assert daily.contradicted(s) == []                     # the demo's returns agree with its ledgers
    s.close()
    code, out, err = run(capsys, "daily", "submit", "--workstream", ws["name"], "--db", demo_db, "--today", TODAY,
                         "--json")
    assert code == 0, err
    first = json.loads(out)["repaid_fen"]
    s = Store(demo_db, "测试")
    _pay_today(s, ws["id"])
    wrong = daily.contradicted(s, TODAY)
    assert [c["workstream"] for c in wrong] == [ws["name"]]
    said, ledgers = wrong[0]["diff"]["repaid_fen"]
    assert said == first and ledgers > first
    found = list(daily.contradicted_findings(s, TODAY))          # what `check` is to list (a work warning)
    assert [f.record for f in found] == [wrong[0]["id"]] and "与当日台账不符" in found[0].message
    s.close()
    pdf = tmp_path / "d.pdf"
    assert run(capsys, "report", "daily", "--db", demo_db, "--out", pdf, "--today", TODAY)[0] == 0
    assert "与当日台账不符" in flat_of(pdf) and f"{ws['name']}（报兑付{fen_to_yuan_text(first)}元" in flat_of(pdf)
    # a second plain submit says how to amend; --amend needs a reason; with one it takes the ledgers
    code, out, err = run(capsys, "daily", "submit", "--workstream", ws["name"], "--db", demo_db, "--today", TODAY)
    assert code == 2 and "--amend" in err
    code, out, err = run(capsys, "daily", "submit", "--workstream", ws["name"], "--amend", "--db", demo_db,
                         "--today", TODAY)
    assert code == 2 and "理由" in err
    code, out, err = run(capsys, "daily", "submit", "--workstream", ws["name"], "--amend", "--reason", "补记当日兑付",
                         "--db", demo_db, "--today", TODAY, "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["repaid_fen"] == ledgers and got["is_zero"] == 0 and got["amended"]
    s = Store(demo_db, "测试")
    try:
        assert daily.contradicted(s, TODAY) == []
        assert s.scalar("SELECT reason FROM audit_log WHERE table_name = 'daily_report' AND action = 'update' "
                        "ORDER BY id DESC LIMIT 1") == "补记当日兑付"
    finally:
        s.close()
    pdf2 = pdf.with_name("d2.pdf")
    assert run(capsys, "report", "daily", "--db", demo_db, "--out", pdf2, "--today", TODAY)[0] == 0
    assert "与当日台账不符" not in flat_of(pdf2)


def test_amend_through_the_service_keeps_notes_and_needs_a_reason(campaign_store):
    s = campaign_store
    ws = campaign.workstreams(s)[0]["id"]
    with pytest.raises(ValueError, match="尚未报送"):
        daily.amend_return(s, ws, TODAY, "理由")
    daily.submit_return(s, {**daily.suggest(s, ws, TODAY), "notes": "原工作动态"})
    with pytest.raises(ValueError, match="理由"):
        daily.amend_return(s, ws, TODAY, " ")
    rid = daily.amend_return(s, ws, TODAY, "重新统计")
    assert daily.repo(s).get(rid)["notes"] == "原工作动态"


# §12 --------------------------------------------------------------------------------------
@pytest.mark.parametrize("day", [TODAY, TODAY - _dt.timedelta(days=7)])
def test_excel_to_date_line_is_the_figures_of_that_day(demo_db, tmp_path, day):
    import openpyxl
    from models.values import fen_to_wan_text
    s = Store(demo_db, "测试")
    try:
        from models.reports.daily import export_xlsx
        out = export_xlsx(s, day, tmp_path / "d.xlsx", TODAY)
        f = figures.figures(s, TODAY, day)
    finally:
        s.close()
    lines = [str(r[0]) for r in openpyxl.load_workbook(out).active.iter_rows(values_only=True) if r[0]]
    line = next(x for x in lines if x.startswith("截至"))
    assert (f"累计登记欠薪问题 {f.cases} 件，已化解 {f.resolved_cases} 件；涉及欠薪 {fen_to_wan_text(f.owed_fen)} 万元，"
            f"已兑付 {fen_to_wan_text(f.paid_fen)} 万元（{f.cleared_pct:.1f}%）") in line


# §13 --------------------------------------------------------------------------------------
def test_no_unreported_alarm_on_a_rest_day(demo_db, tmp_path, capsys):
    sunday = TODAY - _dt.timedelta(days=TODAY.weekday() + 1)
    s = Store(demo_db, "测试")
    assert not daily.is_workday(s, sunday)
    daily.submit_return(s, daily.suggest(s, campaign.workstreams(s)[0]["id"], sunday))
    s.close()
    out = tmp_path / "sun.pdf"
    assert run(capsys, "report", "daily", "--db", demo_db, "--date", sunday, "--out", out, "--today", TODAY)[0] == 0
    text = flat_of(out)
    assert "未报送：" not in text and "休息日" in text
    s = Store(demo_db, "测试")
    try:
        data = daily.consolidated(s, sunday)
    finally:
        s.close()
    assert data["missing"] == [] and "未报" not in {r["state"] for r in data["rows"]}


# §14 --------------------------------------------------------------------------------------
def test_a_workstream_owes_returns_from_the_day_it_was_added(demo_db, capsys):
    s = Store(demo_db, "测试")
    before = {w["name"] for w in daily.missing_on(s, TODAY - _dt.timedelta(days=1))}
    camp = campaign.current(s)
    new = campaign.add_workstream(s, camp.id, "劳动监察专班")
    added = s.scalar("SELECT substr(MIN(at), 1, 10) FROM audit_log WHERE table_name = 'workstream' "
                     "AND action = 'insert' AND record_id = ?", (new,))
    try:
        assert daily.expected_from(s)[new] == added
        assert daily.expected_from(s)[campaign.workstreams(s)[0]["id"]] == camp.start_date
        day = min(TODAY, _dt.date.fromisoformat(added)) - _dt.timedelta(days=1)
        assert "劳动监察专班" not in {w["name"] for w in daily.missing_on(s, day)}
        assert {w["name"] for w in daily.missing_on(s, TODAY - _dt.timedelta(days=1))} == before
        assert "劳动监察专班" in {w["name"] for w in daily.missing_on(s, added)}
        assert figures.figures(s, TODAY, day, keys=("daily_missing",)).daily_missing == \
            (len(daily.missing_on(s, day)) if daily.is_workday(s, day) else 0)
    finally:
        s.close()


def test_workstreams_set_up_with_the_campaign_owe_from_its_start(campaign_store):
    s = campaign_store
    start = campaign.current(s).start_date
    assert set(daily.expected_from(s).values()) == {start}
    # added later but before any return was filed (still setting up): from the start as well
    extra = campaign.add_workstream(s, campaign.current(s).id, "综合协调专班")
    assert daily.expected_from(s)[extra] == start


# §21 --------------------------------------------------------------------------------------
def test_nothing_before_the_campaign_began(demo_db, tmp_path, capsys):
    s = Store(demo_db, "测试")
    name = campaign.workstreams(s)[0]["name"]
    ws = campaign.workstreams(s)[0]["id"]
    with pytest.raises(ValidationError, match="早于专项行动开始日期"):
        daily.submit_return(s, daily.suggest(s, ws, "2020-01-01"))
    s.close()
    code, _o, err = run(capsys, "daily", "submit", "--workstream", name, "--date", "2020-01-01", "--db", demo_db,
                        "--today", TODAY)
    assert code == 2 and "早于专项行动开始日期" in err
    code, _o, err = run(capsys, "report", "daily", "--db", demo_db, "--date", "2020-01-01",
                        "--out", tmp_path / "x.pdf", "--today", TODAY)
    assert code == 2 and "早于专项行动开始日期" in err and not (tmp_path / "x.pdf").exists()


def test_reporter_is_the_operator_never_the_os_login(demo_db, capsys):
    import getpass
    s = Store(demo_db, "测试")
    a, b = (w["name"] for w in daily.missing_on(s, TODAY)[:2])
    s.close()
    code, out, err = run(capsys, "daily", "submit", "--workstream", a, "--db", demo_db, "--today", TODAY, "--json")
    assert code == 0, err
    assert json.loads(out)["reporter"] in ("", None) and json.loads(out)["reporter"] != getpass.getuser()
    code, out, err = run(capsys, "daily", "submit", "--workstream", b, "--db", demo_db, "--today", TODAY,
                         "--user", "王联络", "--json")
    assert code == 0, err
    assert json.loads(out)["reporter"] == "王联络"


def test_directive_due_takes_every_date_form(capsys, tmp_path):
    from models.exchange import dispatch
    assert dispatch._date("2026/12/31", "完成时限") == "2026-12-31"
    assert dispatch._date("2026年12月31日", "完成时限") == "2026-12-31"
    assert dispatch._date("20261231", "完成时限") == "2026-12-31"
    assert dispatch._date(" ", "完成时限") is None
    with pytest.raises(ValidationError, match="完成时限"):
        dispatch._date("2026-02-30", "完成时限")
    code, _o, err = run(capsys, "directive", "add", "--db", tmp_path / "c.db", "--content", "x", "--township", "全部",
                        "--due", "明天")
    assert code == 2 and "完成时限" in err and "2026年12月7日" in err
