"""The whole week in the Monday briefing: each workstream ledger's section (assets, contract
arrears, petitions, hazards, daily-report compliance, funds) has figures equal to that ledger's
own totals and filters (``LedgerRepo``, the pages' figures) and to ``qingqian figures``, and the
PDF prints them, in 万元 with two decimals."""
from __future__ import annotations

import datetime as _dt
import json

import pytest
from pdftext import flat, flat_of

from models.db import Store
from models.ledger import registry
from models.ledger.repo import LedgerRepo, Query
from models.reports import make_report
from models.values import fen_to_wan_text

TODAY = _dt.date(2026, 11, 26)          # a Thursday: the week is 23–26 November
MONDAY = _dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def brief(town, tmp_path_factory):
    r = make_report("weekly", town, tmp_path_factory.mktemp("week") / "weekly.pdf", TODAY)
    return r, flat_of(r.path)


@pytest.fixture
def s(town):
    store = Store(town)
    store.today = TODAY                 # the ledgers' computed columns (逾期未还) as of the briefing's day
    yield store
    store.close()


def repo(s, kind):
    return LedgerRepo(s, registry.get(kind))


def wan(fen):
    return fen_to_wan_text(fen, 2)


def week_range(name):
    return {name: (MONDAY.isoformat(), TODAY.isoformat())}


def test_every_section_is_in_the_briefing(brief):
    r, t = brief
    for title in ("（二）资产处置及资金筹措", "（三）拖欠工程款", "（四）信访维稳", "（五）欠薪隐患排查",
                  "（六）日报告报送", "（七）清欠资金"):
        assert flat(title) in t, title
    assert set(r.figures) == {"assets", "contracts", "petitions", "hazards", "compliance", "funds", "targets"}
    assert r.figures["targets"] == []          # no 专班目标 in this township: no section, nothing claimed


def test_assets_equal_the_ledger(brief, s):
    r, t = brief
    f = r.figures["assets"]
    totals = repo(s, "assets").totals(Query())
    assert f["income_fen"] == totals["income_fen"] and f["appraised_fen"] == totals["appraised_fen"]
    assert f["items"] == len(repo(s, "assets").ids(Query()))
    done = sum(len(repo(s, "assets").ids(Query(equals={"stage": st}))) for st in ("收入到账", "收益到账", "资金到位"))
    assert f["done"] == done
    assert flat(f"累计筹得资金{wan(totals['income_fen'])}万元") in t


def test_contract_arrears_equal_the_ledger(brief, s):
    r, t = brief
    f = r.figures["contracts"]
    rp = repo(s, "contract_arrears")
    totals = rp.totals(Query())
    assert f["owed_fen"] == totals["owed_fen"] and f["plan_left_fen"] == totals["plan_left_fen"]
    overdue = rp.ids(Query(equals={"status": "逾期未还"}))
    assert f["overdue"] == len(overdue) >= 1
    late = rp.totals(Query(equals={"status": "逾期未还"}))["owed_fen"]
    assert flat(f"逾期未还{len(overdue)}笔（{wan(late)}万元）") in t
    paid = s.scalar("SELECT COALESCE(SUM(paid_amount_fen), 0) FROM contract_instalment WHERE deleted_at IS NULL "
                    "AND paid_on BETWEEN ? AND ?", (MONDAY.isoformat(), TODAY.isoformat()))
    assert f["repaid_week_fen"] == paid
    assert flat(f"尚欠{wan(totals['owed_fen'])}万元") in t


def test_petitions_equal_the_ledger(brief, s):
    r, t = brief
    f = r.figures["petitions"]
    rp = repo(s, "petitions")
    week = Query(ranges=week_range("visited_on"))
    n = len(rp.ids(week))
    coll = len(rp.ids(Query(equals={"is_collective": 1}, ranges=week_range("visited_on"))))
    rep = len(rp.ids(Query(equals={"is_repeat": 1}, ranges=week_range("visited_on"))))
    answered = sum(len(rp.ids(Query(equals={"result": x}, ranges=week_range("visited_on"))))
                   for x in ("已答复", "已化解", "已办结"))
    assert f["week"][:5] == (n, rp.totals(week)["people_count"], coll, rep, answered)
    assert f["whole"][0] == len(rp.ids(Query())) and f["whole"][2] == len(rp.ids(Query(equals={"is_collective": 1})))
    assert flat(f"本周新登记信访{n}件") in t


def test_hazards_equal_the_ledger(brief, s):
    r, t = brief
    f = r.figures["hazards"]
    rp = repo(s, "inspections")
    open_ = sum(len(rp.ids(Query(equals={"status": x}))) for x in ("待整改", "整改中"))
    closed = len(rp.ids(Query(equals={"status": "已销号"})))
    found = len(rp.ids(Query())) - len(rp.ids(Query(equals={"status": "无隐患"})))
    assert (f["open"], f["closed"], f["found"]) == (open_, closed, found)
    late = s.scalar("SELECT COUNT(*) FROM inspection WHERE deleted_at IS NULL AND status IN ('待整改', '整改中') "
                    "AND rectify_by < ?", (TODAY.isoformat(),))
    assert f["late"] == late
    assert flat(f"未销号{open_}条") in t


def test_daily_report_compliance_names_who_missed_which_days(brief, s, town, capsys):
    r, t = brief
    f = r.figures["compliance"]
    from models import daily
    expect = {}
    for i in range(4):
        d = MONDAY + _dt.timedelta(days=i)
        if daily.is_workday(s, d):
            for w in daily.missing_on(s, d):
                expect.setdefault(w["name"], []).append(f"{d.month}月{d.day}日")
    assert f["missed"] == {k: "、".join(v) for k, v in expect.items()}
    assert expect, "the demo has a workstream that missed a day"
    for name, days in expect.items():
        assert flat(f"{name}未报{'、'.join(days)}") in t
    # today's count equals `qingqian figures`
    from desktop.cli import main
    assert main(["figures", "--db", str(town), "--date", TODAY.isoformat(), "--today", TODAY.isoformat(),
                 "--json"]) == 0
    figs = json.loads(capsys.readouterr().out)
    assert f["missing_today"] == figs["daily_missing"]


def test_funds_equal_the_ledger(brief, s):
    r, t = brief
    f = r.figures["funds"]
    totals = repo(s, "funds").totals(Query())
    for k in ("planned_fen", "received_fen", "allocated_fen", "balance_fen"):
        assert f[k] == totals[k], k
    assert f["received_fen"] + totals["recovered_fen"] == f["allocated_fen"] + f["balance_fen"]   # 追回回流
    assert flat(f"已到位{wan(totals['received_fen'])}万元，已分配兑付{wan(totals['allocated_fen'])}万元，"
                f"余额{wan(totals['balance_fen'])}万元") in t


def test_headline_figures_equal_qingqian_figures(brief, town, capsys):
    r, t = brief
    from desktop.cli import main
    assert main(["figures", "--db", str(town), "--date", TODAY.isoformat(), "--today", TODAY.isoformat(),
                 "--json"]) == 0
    figs = json.loads(capsys.readouterr().out)
    assert flat(f"共登记欠薪问题{figs['cases']:,}件，在办{figs['open_cases']:,}件，已办结{figs['closed_cases']:,}件") in t
    assert flat(f"欠薪{wan(figs['owed_fen'])}万元，已兑付{wan(figs['paid_fen'])}万元，未兑付{wan(figs['unpaid_fen'])}万元，"
                f"清偿率{figs['cleared_pct']:.1f}%") in t


def test_a_past_week_is_rebuilt_from_the_dates(s):
    """For a past day, funds and hazards are counted by their dates (到位, 分配, 销号); done for today,
    that rebuilding gives the ledgers' own figures, so the two ways agree."""
    from models.reports import week
    now = {x.key: x for x in week.sections(s, TODAY)}
    again = {x.key: x for x in week.sections(s, TODAY, past=True)}
    for key in week.DATED:
        assert now[key].figures == again[key].figures, key
    day = _dt.date(2026, 11, 10)
    f = {x.key: x for x in week.sections(s, day, past=True)}
    received = s.scalar("SELECT SUM(received_fen) FROM fund WHERE deleted_at IS NULL AND received_on <= ?",
                        (day.isoformat(),))
    allocated = s.scalar("SELECT SUM(a.amount_fen) FROM fund_allocation a JOIN fund f ON f.id = a.fund_id WHERE "
                         "a.deleted_at IS NULL AND f.deleted_at IS NULL AND a.allocated_on <= ?", (day.isoformat(),))
    assert f["funds"].figures["received_fen"] == received < now["funds"].figures["received_fen"]
    assert f["funds"].figures["allocated_fen"] == allocated
    closed = s.scalar("SELECT COUNT(*) FROM inspection WHERE deleted_at IS NULL AND closed_on <= ? AND "
                      "inspected_on <= ? AND status != '无隐患'", (day.isoformat(), day.isoformat()))
    assert f["hazards"].figures["closed"] == closed
    assert "台账现有记录" in f["assets"].note


def test_on_a_monday_the_pack_covers_the_week_just_ended(town, tmp_path, capsys):
    """The 周调度材料 made on the morning of the Monday meeting, with no day chosen, covers
    Monday to Sunday of the week just ended (as the meeting's agenda and minutes do), not the
    Monday alone; a day chosen is kept."""
    from desktop import cli
    from models.reports.briefing import default_day
    assert default_day(_dt.date(2026, 11, 30)) == _dt.date(2026, 11, 29)
    assert default_day(TODAY) == TODAY
    out = tmp_path / "周一.pdf"
    code = cli.main(["report", "weekly", "--db", str(town), "--out", str(out), "--today", "2026-11-30", "--json"])
    assert code == 0, capsys.readouterr().err
    assert "统计时段：2026年11月23日至2026年11月29日" in flat_of(out)
    out2 = tmp_path / "周一当天.pdf"
    code = cli.main(["report", "weekly", "--db", str(town), "--out", str(out2), "--today", "2026-11-30",
                     "--date", "2026-11-30"])
    assert code == 0 and "统计时段：2026年11月30日至2026年11月30日" in flat_of(out2)
