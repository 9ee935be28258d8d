"""Every report says whether its data passed the checks (DESIGN §4), truly: the daily report of a
past day is checked as the data stand today, as the weekly briefing and the statistics are (a
record entered after that day is not 登记日期在今天之后), and a day not yet come is refused; the
会议纪要 and the 清欠审查证明 carry the check's result in --json and on the page."""
from __future__ import annotations

import datetime as _dt
import json

import pytest
from pdftext import flat, flat_of

from desktop.cli import main
from models import certificates, checks
from models.db import Store
from models.reports import ReportUnavailable, make_report

TODAY = _dt.date(2026, 11, 26)
PAST = _dt.date(2026, 11, 17)          # cases were registered after it, up to TODAY


def check_of(db) -> checks.CheckReport:
    s = Store(db)
    try:
        return checks.run_checks(s, TODAY)
    finally:
        s.close()


def said(report: checks.CheckReport) -> str:
    """How a report's data stamp words the result (models.reports.pdf_base.data_stamp)."""
    return "数据审核通过" if report.passed else f"数据审核发现 {len(report.findings)} 处问题"


def report_json(capsys, *argv) -> dict:
    assert main(["report", *argv, "--today", TODAY.isoformat(), "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def break_the_data(db) -> None:
    """A case marked 已化解 with wages still unpaid: the checks must find it."""
    s = Store(db)
    with s.tx():
        s.execute("UPDATE worker SET owed_fen = owed_fen + 10000 WHERE id = (SELECT w.id FROM worker w "
                  "JOIN case_record c ON c.id = w.case_id WHERE c.status = '已化解' AND w.deleted_at IS NULL LIMIT 1)")
    s.close()


def test_a_past_days_daily_report_counts_the_problems_of_today(demo_db, tmp_path, capsys):
    s = Store(demo_db)
    later = s.scalar("SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND registered_on > ?",
                     (PAST.isoformat(),))
    s.close()
    assert later > 0                               # records the old way took for 登记日期在今天之后
    now = check_of(demo_db)
    out = tmp_path / "d.pdf"
    daily = report_json(capsys, "daily", "--date", PAST.isoformat(), "--db", str(demo_db), "--out", str(out))
    assert daily["passed"] == now.passed and daily["check"].startswith(said(now)), daily["check"]
    assert flat(said(now)) in flat_of(out) and "2026年11月17日" in flat_of(out)
    # as the weekly briefing of the same day says it
    weekly = report_json(capsys, "weekly", "--date", PAST.isoformat(), "--db", str(demo_db),
                         "--out", str(tmp_path / "w.pdf"))
    assert weekly["passed"] == daily["passed"] and weekly["check"].split("，")[0] == daily["check"].split("，")[0]
    # the window's way in: the day as of, checked today
    r = make_report("daily", demo_db, tmp_path / "d2.pdf", TODAY, as_of=PAST)
    assert r.passed == now.passed and r.check_text.startswith(said(now))


def test_a_daily_report_for_a_day_not_yet_come_is_refused(demo_db, tmp_path, capsys):
    out = tmp_path / "d.pdf"
    assert main(["report", "daily", "--date", "2027-01-01", "--db", str(demo_db), "--out", str(out),
                 "--today", TODAY.isoformat()]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "2027-01-01" in err and "晚于今天" in err
    assert not out.exists()
    with pytest.raises(ReportUnavailable, match="晚于今天"):
        make_report("daily", demo_db, out, TODAY, as_of=TODAY + _dt.timedelta(days=1))
    assert not out.exists()
    # today's own report is made as ever
    assert main(["report", "daily", "--db", str(demo_db), "--out", str(out), "--today", TODAY.isoformat()]) == 0


@pytest.mark.parametrize("broken", [False, True])
def test_minutes_carry_the_check(demo_db, tmp_path, capsys, broken):
    if broken:
        break_the_data(demo_db)
    now = check_of(demo_db)
    assert not (broken and now.passed)
    out = tmp_path / "m.pdf"
    got = report_json(capsys, "minutes", "--db", str(demo_db), "--out", str(out))
    assert got["passed"] == now.passed and got["check"].startswith(said(now)), got
    if broken:
        assert got["passed"] is False
    assert flat(said(now)) in flat_of(out)
    # the printed lines say it too
    assert main(["report", "minutes", "--db", str(demo_db), "--out", str(out), "--force",
                 "--today", TODAY.isoformat()]) == 0
    assert said(now) in capsys.readouterr().out


@pytest.mark.parametrize("broken", [False, True])
def test_a_certificate_carries_the_check(demo_db, tmp_path, capsys, broken):
    if broken:
        break_the_data(demo_db)
    s = Store(demo_db)
    clear = next(r[0] for r in s.query("SELECT DISTINCT employer_name FROM case_record WHERE deleted_at IS NULL "
                                       "AND employer_name != '' ORDER BY employer_name")
                 if certificates.review(s, TODAY, r[0]).clear)
    s.close()
    out = tmp_path / "c.pdf"
    got = report_json(capsys, "certificate", "--employer", clear, "--db", str(demo_db), "--out", str(out))
    now = check_of(demo_db)                     # the data with the certificate in them
    assert got["passed"] == now.passed and got["check"].startswith(said(now)), got
    if broken:
        assert got["passed"] is False
    text = flat_of(out)
    assert flat(said(now)) in text and got["figures"]["cert_no"] in text
    assert main(["report", "certificate", "--employer", clear, "--db", str(demo_db), "--out", str(tmp_path / "c2.pdf"),
                 "--cert-kind", "兑付证明", "--today", TODAY.isoformat()]) == 0
    assert said(now) in capsys.readouterr().out


def test_the_windows_daily_report_of_a_past_day(demo_db, tmp_path, qtbot, app_font):
    from PySide6.QtCore import QDate

    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    from views.reports_page import ReportsPage
    now = check_of(demo_db)
    store = Store(demo_db, "测试")
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus(), today=lambda: TODAY)
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.progress_after_ms = 60_000
    try:
        page.which.setCurrentIndex(page.which.findData("daily"))
        page.day.setDate(QDate(PAST.year, PAST.month, PAST.day))
        page.generate(tmp_path / "d.pdf")
        qtbot.waitUntil(lambda: page.job is None, timeout=60000)
        assert page.result is not None and page.result.check_text.startswith(said(now)), page.status.text()
        assert "2026年11月17日" in flat_of(page.result.path)        # (a day after today cannot be picked)
    finally:
        store.close()
