"""阶段目标 with nothing owed: no stage is 已达到 (0 of 0 is not 30%), the rate is "—", and the
progress line of the day comes from the campaign's dates. In ``models.stats``, on the home page and
in the Monday briefing; a database with money owed keeps its verdicts."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest

from models import stats

TODAY = _dt.date(2026, 11, 26)
# the conftest's campaign: 2026-09-14 → 2027-02-05, phases 30% on 2026-11-01, 60% on 2026-12-19, 100% at the end;
# on TODAY the line is 30% + 30% × 25 / 48 of the way to the second phase
LINE_TODAY = 30 + 30 * (TODAY - _dt.date(2026, 11, 1)).days / (_dt.date(2026, 12, 19) - _dt.date(2026, 11, 1)).days
SHOTS = Path("/tmp/shots")


def _case(store, amount_fen: int) -> int:
    from models import campaign, cases
    ws = campaign.workstreams(store)
    return cases.register_case(store, {"registered_on": "2026-10-01", "employer_name": "青山县宏达建筑劳务有限公司",
                                       "amount_fen": amount_fen, "workstream_id": ws[0]["id"], "source": "12345"})


def _assert_nothing_measured(tp) -> None:
    assert tp is not None and not tp.measurable
    assert tp.phases and not any(p.reached for p in tp.phases)
    assert not any(p.measurable for p in tp.phases)
    assert tp.shortfall_fen == 0
    assert tp.target_today_pct == pytest.approx(LINE_TODAY)


def test_no_cases_no_stage_reached(campaign_store):
    d = stats.dashboard(campaign_store, TODAY)
    _assert_nothing_measured(d.target)
    assert d.totals.counted.cleared_text == "—"
    assert all(w.counted.cleared_text == "—" for w in d.totals.workstreams)


def test_cases_owing_nothing_reach_no_stage(campaign_store):
    """A case registered with 0 owed, and one found groundless (不存在欠薪): still nothing to measure."""
    from models import cases
    _case(campaign_store, 0)
    cid = _case(campaign_store, 120_000)
    cases.change_status(campaign_store, cid, cases.StatusChange("不存在欠薪", "2026-10-05", verdict="经核实不存在欠薪情况"))
    d = stats.dashboard(campaign_store, TODAY)
    assert d.totals.all.cases == 2 and d.totals.counted.owed_fen == 0
    _assert_nothing_measured(d.target)


def test_the_line_by_date_alone(campaign_store):
    from models import campaign
    camp = campaign.current(campaign_store)
    on = lambda day: stats.target_pct_on(camp, _dt.date.fromisoformat(day))  # noqa: E731
    assert on("2026-09-14") == 0 and on("2026-09-01") == 0
    assert on("2026-11-01") == 30 and on("2026-12-19") == 60 and on("2027-02-05") == 100 and on("2027-03-01") == 100
    assert stats.target_pct_on(camp, TODAY) == pytest.approx(LINE_TODAY)


def test_money_owed_keeps_the_verdicts(campaign_store):
    """Owed 1,000.00 元, paid nothing: the 30% stage, past due, is missed; the figures as before."""
    _case(campaign_store, 100_000)
    d = stats.dashboard(campaign_store, TODAY)
    tp = d.target
    assert tp.measurable and all(p.measurable for p in tp.phases)
    assert [p.reached for p in tp.phases] == [False, False, False]
    assert [p.target_fen for p in tp.phases] == [30_000, 60_000, 100_000]
    line = stats.target_on(stats.target_points(d.campaign, 100_000), TODAY)
    assert tp.target_today_pct == stats.pct(line, 100_000)
    assert tp.shortfall_fen == round(line) > 0
    assert d.totals.counted.cleared_text == "0.0%"


def test_rate_text():
    assert stats.rate_text(0, 0) == "—" and stats.Bucket().cleared_text == "—"
    assert stats.rate_text(100, 300) == "33.3%" and stats.Bucket(1, 1, 300, 100).cleared_text == "33.3%"
    assert stats.rate_text(0, 300) == "0.0%"


# -- the home page ---------------------------------------------------------------------------------
@pytest.fixture
def ctx(campaign_store, tmp_path, app_font):
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    c = AppContext(store=campaign_store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    c.today = lambda: TODAY
    return c


def _page(ctx, qtbot):
    from views.dashboard_page import DashboardPage
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 1400)
    page.show()
    qtbot.waitExposed(page)
    return page


def _column(table, j: int) -> list[str]:
    return [table.item(i, j).text() for i in range(table.rowCount())]


def test_home_page_on_an_empty_database(ctx, qtbot):
    from views.dashboard_page import GREEN
    page = _page(ctx, qtbot)
    states = _column(page.phases, 6)
    assert len(states) == 3 and states == ["暂无欠薪数据"] * 3
    for i in range(page.phases.rowCount()):
        for j in range(page.phases.columnCount()):
            assert page.phases.item(i, j).foreground().color().name() != GREEN
    assert _column(page.phases, 3) == ["—"] * 3 and _column(page.phases, 4) == ["—"] * 3
    assert "已经达到" not in page.target_text.text() and "暂无欠薪数据" in page.target_text.text()
    assert "落后" not in page.target_text.text()
    assert page.tiles["pct"].value.text() == "—"
    assert f"进度线今日应达 {LINE_TODAY:.1f}%" in page.tiles["pct"].detail.text()
    assert f"进度线今日应达 {LINE_TODAY:.1f}%" in page.progress.format() and "0.0%" not in page.progress.format()
    assert GREEN not in page.progress.styleSheet()
    assert page.ws_table.rowCount() == 7 and _column(page.ws_table, 7) == ["—"] * 7
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SHOTS / "stage_targets_empty.png"))


def test_home_page_with_money_owed_gives_verdicts(ctx, qtbot):
    _case(ctx.store, 100_000)
    page = _page(ctx, qtbot)
    assert _column(page.phases, 6) == ["未按期达到", "进行中", "进行中"]
    assert page.tiles["pct"].value.text() == "0.0%"
    assert "还需兑付" in page.target_text.text() and "落后" in page.tiles["pct"].detail.text()
    assert _column(page.ws_table, 7)[0] == "0.0%" and _column(page.ws_table, 7)[1:] == ["—"] * 6


# -- the Monday briefing ------------------------------------------------------------------------------
def test_briefing_on_an_empty_database(campaign_store, tmp_path):
    from pdftext import flat_of
    from models.reports import make_report
    r = make_report("weekly", campaign_store.path, tmp_path / "weekly.pdf", TODAY)
    t = flat_of(r.path)
    assert "一、总体进展" in t
    assert "已达到" not in t and "已经达到" not in t and "未达到" not in t
    assert "进度符合要求" not in t and "清偿率0.0%" not in t
    assert "暂无欠薪数据" in t
    assert f"进度线当日应达{LINE_TODAY:.1f}%" in t
    assert "当前阶段“第二阶段”要求2026年12月19日前清偿率达到60%，剩余23天" in t
