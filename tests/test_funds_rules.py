"""The rules of a fund and its allocations that hold on every path: no money to a case verified
不存在欠薪 nor dated before the case was registered; a fund's 到位日期, 筹措渠道 and 到位金额 held
in place by the money already spent from it (an import goes through the same rules); the fund
ledger's table shows 追回回流, so 到位 + 回流 − 已分配 = 余额 reads right."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import assets, funds
from models.db import Store
from models.ledger import registry
from models.ledger.repo import ValidationError
from models.ledger.service import service_for

TODAY = _dt.date(2026, 11, 26)


@pytest.fixture
def town(demo_db):
    s = Store(demo_db, "办公室")
    s.today = TODAY
    yield s
    s.close()


def _fund_with_money(s, need=1_000_000) -> dict:
    return dict(s.one("SELECT f.id, f.fund_no, f.received_on FROM fund f WHERE f.deleted_at IS NULL "
                      "AND f.received_on <= ? AND f.received_fen - COALESCE((SELECT SUM(a.amount_fen) FROM "
                      "fund_allocation a WHERE a.fund_id = f.id AND a.deleted_at IS NULL), 0) >= ? ORDER BY f.id LIMIT 1",
                      (TODAY.isoformat(), need)))


def _count(s, table):
    return s.scalar(f"SELECT COUNT(*) FROM {table} WHERE deleted_at IS NULL")


# -- F11 / F16: where and when a fund's money may go -------------------------------------------------

def test_no_allocation_to_a_case_verified_groundless(town):
    s = town
    fund = _fund_with_money(s)
    case = s.one("SELECT id, case_no FROM case_record WHERE deleted_at IS NULL AND status = '不存在欠薪' "
                 "AND total_owed_fen - total_paid_fen >= 10000 ORDER BY id LIMIT 1")
    n = _count(s, "fund_allocation"), _count(s, "repayment")
    with pytest.raises(ValidationError, match=f"问题 {case['case_no']} 经核实不存在欠薪，不能分配清欠资金"):
        funds.allocate(s, fund["id"], case["id"], 10_000, TODAY)
    assert (_count(s, "fund_allocation"), _count(s, "repayment")) == n


def test_no_allocation_dated_before_the_case_was_registered(town):
    s = town
    fund = _fund_with_money(s)
    case = s.one("SELECT id, case_no, registered_on FROM case_record WHERE deleted_at IS NULL AND status = '化解中' "
                 "AND registered_on > ? AND total_owed_fen - total_paid_fen >= 10000 ORDER BY id LIMIT 1",
                 (fund["received_on"],))
    day = _dt.date.fromisoformat(case["registered_on"][:10]) - _dt.timedelta(days=1)
    assert day.isoformat() >= fund["received_on"]
    n = _count(s, "fund_allocation")
    with pytest.raises(ValidationError, match=f"分配日期 {day.isoformat()} 早于问题 {case['case_no']} 的登记日期"):
        funds.allocate(s, fund["id"], case["id"], 100, day)
    assert _count(s, "fund_allocation") == n
    funds.allocate(s, fund["id"], case["id"], 100, case["registered_on"][:10])
    assert _count(s, "fund_allocation") == n + 1


# -- F13: a fund's own fields held by the money spent from it ---------------------------------------

def _spent_fund(s) -> dict:
    """A fund that has paid cases itself (no advance uses it, no asset item formed it)."""
    return dict(s.one("SELECT f.id, f.fund_no, f.channel, f.received_on, MIN(a.allocated_on) AS first FROM fund f "
                      "JOIN fund_allocation a ON a.fund_id = f.id AND a.deleted_at IS NULL WHERE f.deleted_at IS NULL "
                      "AND NOT EXISTS (SELECT 1 FROM advance v WHERE v.fund_id = f.id) "
                      "AND NOT EXISTS (SELECT 1 FROM asset_item i WHERE i.fund_id = f.id) "
                      "GROUP BY f.id ORDER BY f.id LIMIT 1"))


def test_received_on_stays_before_the_first_allocation_and_today(town):
    s = town
    f = _spent_fund(s)
    svc = service_for(s, "funds", TODAY)
    after = (_dt.date.fromisoformat(f["first"]) + _dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError, match=f"已于 {f['first']} 起分配，到位日期不能晚于首笔分配日期"):
        svc.update(f["id"], {"received_on": after}, "更正")
    with pytest.raises(ValidationError, match="晚于今天"):
        svc.update(f["id"], {"received_on": "2027-01-01"}, "更正")
    assert s.scalar("SELECT received_on FROM fund WHERE id = ?", (f["id"],)) == f["received_on"]
    svc.update(f["id"], {"received_on": f["first"]}, "更正")          # on the day of the first allocation: fine


def test_channel_stays_while_advances_or_allocations_use_it(town):
    s = town
    svc = service_for(s, "funds", TODAY)
    from models import advances
    fund = s.one("SELECT f.id, f.received_on FROM fund f WHERE f.channel = '应急周转金' AND f.deleted_at IS NULL "
                 "AND f.received_fen - COALESCE((SELECT SUM(a.amount_fen) FROM fund_allocation a WHERE "
                 "a.fund_id = f.id AND a.deleted_at IS NULL), 0) >= 100000 ORDER BY f.id LIMIT 1")
    case = s.one("SELECT id, registered_on FROM case_record WHERE deleted_at IS NULL AND status = '化解中' "
                 "AND w_count > 0 AND total_owed_fen - total_paid_fen >= 100000 ORDER BY id LIMIT 1")
    advances.record_advance(s, {"source": "应急周转金", "fund_id": fund["id"], "case_id": case["id"], "amount_fen": 100_000,
                                "advanced_on": max(fund["received_on"], case["registered_on"][:10])}, TODAY)
    fid = fund["id"]
    with pytest.raises(ValidationError, match="垫付须动用应急周转金，筹措渠道不能改为“财政”"):
        svc.update(fid, {"channel": "财政"}, "更正")
    f = _spent_fund(s)
    other = "产业收益" if f["channel"] != "产业收益" else "财政"
    with pytest.raises(ValidationError, match="筹措渠道不能再改"):
        svc.update(f["id"], {"channel": other}, "更正")
    assert s.scalar("SELECT channel FROM fund WHERE id = ?", (f["id"],)) == f["channel"]


def test_received_amount_of_a_fund_formed_by_an_asset_item_stays(town):
    s = town
    item = assets.save_item(s, {"category": "产业设施", "name": "测试冷库"}, today=TODAY)
    assets.advance_stage(s, item, "盘活方案", TODAY)
    assets.advance_stage(s, item, "经营运行", TODAY)
    fid = assets.record_income(s, item, 50_000, TODAY)
    with pytest.raises(ValidationError, match="到位金额由资产事项 CY-.* 的收入形成"):
        service_for(s, "funds", TODAY).update(fid, {"received_fen": 60_000}, "更正")
    assert s.scalar("SELECT received_fen FROM fund WHERE id = ?", (fid,)) == 50_000


def test_a_fund_import_is_held_by_the_same_rules(town, tmp_path):
    s = town
    from models.io import importer
    f = _spent_fund(s)
    after = (_dt.date.fromisoformat(f["first"]) + _dt.timedelta(days=1)).isoformat()
    row = s.one("SELECT fund_no, channel, source, planned_fen, received_fen FROM fund WHERE id = ?", (f["id"],))
    path = tmp_path / "funds.csv"
    path.write_text("资金编号,筹措渠道,资金来源,计划筹措金额（元）,到位金额（元）,到位日期\n"
                    f"{row['fund_no']},{row['channel']},{row['source']},{row['planned_fen'] / 100:.2f},"
                    f"{row['received_fen'] / 100:.2f},{after}\n", encoding="utf-8")
    plan = importer.plan_import(s, path, "funds")
    result = importer.commit_import(s, plan, today=TODAY)
    assert not result["imported"]
    assert any("首笔分配日期" in str(p) for r in plan.rows for p in r.problems)
    assert s.scalar("SELECT received_on FROM fund WHERE id = ?", (f["id"],)) == f["received_on"]


# -- F18: the fund ledger's table adds up --------------------------------------------------------------

def test_the_fund_table_shows_what_came_back():
    ledger = registry.get("funds")
    names = [f.name for f in ledger.table_fields]
    assert names.index("received_fen") < names.index("allocated_fen") < names.index("recovered_fen") \
        < names.index("balance_fen")
    from models.reports.ledger_print import print_fields
    printed = [f.name for f in print_fields(ledger)]
    assert printed.index("allocated_fen") < printed.index("recovered_fen") < printed.index("balance_fen")


def test_a_new_fund_dated_after_today_is_refused_on_every_path(town, tmp_path):
    s = town
    n = _count(s, "fund")
    with pytest.raises(ValidationError, match="到位日期 2027-05-01 晚于今天（2026-11-26）"):
        funds.save_fund(s, {"channel": "财政", "source": "明年的预算", "planned_fen": 100_000,
                            "received_fen": 100_000, "received_on": "2027-05-01"}, today=TODAY)
    # an import of the same row: refused, row and column named, nothing written
    from models.io.importer import commit_import, plan_import
    path = tmp_path / "资金.csv"
    path.write_text("筹措渠道,资金来源,计划筹措金额（元）,到位金额（元）,到位日期\n财政,明年的预算,1000,1000,2027-05-01\n",
                    encoding="utf-8")
    result = commit_import(s, plan_import(s, path, "funds"), today=TODAY)
    assert result["imported"] is False and "晚于今天" in result["problems"][0]["message"]
    assert _count(s, "fund") == n
