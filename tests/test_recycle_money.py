"""The recycle bin never leaves money counted on one side and gone on the other: an allocation
and its repayment go together (as 撤销分配 takes them), an advance's payments only with the
advance, a closed case keeps nothing unpaid, and a fund, a case or a worker that money was paid
from or to is refused with what to do first; ``check`` catches what a write around the
services left behind."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import assets, cases, funds
from models.checks import run_checks
from models.db import Store
from models.ledger.repo import ValidationError
from models.ledger.service import service_for

TODAY = _dt.date(2026, 11, 26)


@pytest.fixture
def town(demo_db):
    s = Store(demo_db, "办公室")
    s.today = TODAY
    yield s
    s.close()


def _findings(s, code):
    return [f for f in run_checks(s, TODAY).findings if f.rule == code]


def _alloc(s, closed: bool) -> dict:
    """A live allocation of a fund (not an advance's) to a case marked 已化解 or not."""
    op = "=" if closed else "!="
    return dict(s.one("SELECT a.id, a.fund_id, a.case_id, a.worker_id, a.amount_fen, a.repayment_id, c.case_no "
                      "FROM fund_allocation a JOIN case_record c ON c.id = a.case_id "
                      f"WHERE a.deleted_at IS NULL AND a.advance_id IS NULL AND c.status {op} '已化解' "
                      "AND a.worker_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fund_allocation b WHERE "
                      "b.worker_id = a.worker_id AND b.advance_id IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM advance v "
                      "WHERE v.case_id = a.case_id AND v.source != '应急周转金') ORDER BY a.id LIMIT 1"))


def _live(s, table, rid) -> bool:
    return s.scalar(f"SELECT deleted_at IS NULL FROM {table} WHERE id = ?", (rid,)) == 1


def _paid(s, worker_id) -> int:
    return s.scalar("SELECT paid_fen FROM worker WHERE id = ?", (worker_id,))


def _fund_advance(s) -> dict:
    """An advance paid from the emergency fund (one is recorded on the demo's first fit case)."""
    if not s.scalar("SELECT COUNT(*) FROM advance WHERE deleted_at IS NULL AND source = '应急周转金'"):
        from models import advances
        fund = s.one("SELECT f.id, f.received_on FROM fund f WHERE f.channel = '应急周转金' AND f.deleted_at IS NULL "
                     "AND f.received_fen - COALESCE((SELECT SUM(a.amount_fen) FROM fund_allocation a WHERE "
                     "a.fund_id = f.id AND a.deleted_at IS NULL), 0) >= 200000 ORDER BY f.id LIMIT 1")
        case = s.one("SELECT id, registered_on FROM case_record WHERE deleted_at IS NULL AND status = '化解中' "
                     "AND w_count > 1 AND employer_id IS NOT NULL AND total_owed_fen - total_paid_fen >= 200000 "
                     "ORDER BY id LIMIT 1")
        advances.record_advance(s, {"source": "应急周转金", "fund_id": fund["id"], "case_id": case["id"],
                                    "amount_fen": 200_000,
                                    "advanced_on": max(fund["received_on"], case["registered_on"][:10])}, TODAY)
    return dict(s.one("SELECT v.id, v.advance_no, a.id AS alloc, a.repayment_id FROM advance v "
                      "JOIN fund_allocation a ON a.advance_id = v.id AND a.deleted_at IS NULL "
                      "WHERE v.deleted_at IS NULL AND v.source = '应急周转金' ORDER BY a.id LIMIT 1"))


# -- F1: an allocation moved to the bin takes its repayment ---------------------------------------

def test_allocation_to_the_bin_takes_its_repayment(town):
    s = town
    a = _alloc(s, closed=False)
    before, paid = funds.balance(s, a["fund_id"]), _paid(s, a["worker_id"])
    service_for(s, "fund_allocations", TODAY).recycle([a["id"]], "分错了问题")
    assert not _live(s, "fund_allocation", a["id"]) and not _live(s, "repayment", a["repayment_id"])
    assert _paid(s, a["worker_id"]) == paid - a["amount_fen"]
    assert funds.balance(s, a["fund_id"]) == before + a["amount_fen"]
    assert _findings(s, "funds_reconcile") == []
    # and back together
    service_for(s, "fund_allocations", TODAY).restore([a["id"]], "")
    assert _live(s, "fund_allocation", a["id"]) and _live(s, "repayment", a["repayment_id"])
    assert _paid(s, a["worker_id"]) == paid and funds.balance(s, a["fund_id"]) == before


# -- F20: a case marked 已化解 keeps nothing unpaid --------------------------------------------------

def test_cancelling_an_allocation_of_a_resolved_case_is_refused_until_reopened(town):
    s = town
    a = _alloc(s, closed=True)
    paid = _paid(s, a["worker_id"])
    for take in (lambda: funds.cancel_allocation(s, a["id"], "分错"),
                 lambda: service_for(s, "fund_allocations", TODAY).recycle([a["id"]], "分错"),
                 lambda: service_for(s, "repayments", TODAY).recycle([a["repayment_id"]], "分错")):
        with pytest.raises(ValidationError, match=f"问题 {a['case_no']} 已化解.*改回“化解中”"):
            take()
        assert _live(s, "fund_allocation", a["id"]) and _live(s, "repayment", a["repayment_id"])
        assert _paid(s, a["worker_id"]) == paid
    cases.change_status(s, a["case_id"], cases.StatusChange("化解中", TODAY.isoformat(), note="兑付有误，重新办理"))
    funds.cancel_allocation(s, a["id"], "分错")
    assert not _live(s, "fund_allocation", a["id"]) and not _live(s, "repayment", a["repayment_id"])
    assert _findings(s, "resolved_means_paid") == []


# -- F6: an advance's allocation is never taken back alone -----------------------------------------

def test_an_advances_allocation_is_not_cancelled_alone(town):
    s = town
    v = _fund_advance(s)
    for take in (lambda: funds.cancel_allocation(s, v["alloc"], "撤销"),
                 lambda: service_for(s, "fund_allocations", TODAY).recycle([v["alloc"]], "撤销"),
                 lambda: service_for(s, "repayments", TODAY).recycle([v["repayment_id"]], "撤销")):
        with pytest.raises(ValidationError, match=f"垫付 {v['advance_no']} 的兑付.*将垫付移入回收站"):
            take()
        assert _live(s, "fund_allocation", v["alloc"]) and _live(s, "repayment", v["repayment_id"])
    assert [f for f in _findings(s, "advances_reconcile") if f.record == v["id"]] == []


def test_an_advances_allocation_comes_back_only_with_the_advance(town):
    s = town
    v = _fund_advance(s)
    service_for(s, "advances", TODAY).recycle([v["id"]], "登记有误")
    assert not _live(s, "fund_allocation", v["alloc"])
    with pytest.raises(ValidationError, match=f"请恢复垫付 {v['advance_no']}"):
        service_for(s, "fund_allocations", TODAY).restore([v["alloc"]], "")
    with pytest.raises(ValidationError, match=f"请恢复垫付 {v['advance_no']}"):
        service_for(s, "repayments", TODAY).restore([v["repayment_id"]], "")
    assert not _live(s, "fund_allocation", v["alloc"]) and not _live(s, "repayment", v["repayment_id"])


# -- F5: a fund-paid repayment or worker -----------------------------------------------------------

def test_a_repayment_to_the_bin_takes_its_allocation(town):
    s = town
    a = _alloc(s, closed=False)
    before = funds.balance(s, a["fund_id"])
    service_for(s, "repayments", TODAY).recycle([a["repayment_id"]], "重复登记")
    assert not _live(s, "fund_allocation", a["id"]) and not _live(s, "repayment", a["repayment_id"])
    assert funds.balance(s, a["fund_id"]) == before + a["amount_fen"]
    assert _findings(s, "funds_reconcile") == []


def test_a_deposit_advances_repayment_is_not_recycled_alone(town):
    s = town
    from models import advances
    case = dict(s.one("SELECT id, registered_on FROM case_record WHERE deleted_at IS NULL AND status = '化解中' "
                      "AND w_count > 0 AND total_owed_fen - total_paid_fen >= 100000 ORDER BY id LIMIT 1"))
    aid = advances.record_advance(s, {"source": "工资保证金", "deposit_ref": "保证金", "case_id": case["id"],
                                      "amount_fen": 100_000, "advanced_on": case["registered_on"]}, TODAY)
    rid = int(s.scalar("SELECT repayment_ids FROM advance WHERE id = ?", (aid,)).split(",")[0])
    with pytest.raises(ValidationError, match="是垫付 DF.* 的兑付"):
        service_for(s, "repayments", TODAY).recycle([rid], "重复")
    assert _live(s, "repayment", rid)
    assert [f for f in _findings(s, "advances_reconcile") if f.record == aid] == []


def test_a_worker_paid_from_a_fund_is_not_recycled(town):
    s = town
    a = _alloc(s, closed=False)
    name = s.scalar("SELECT name FROM worker WHERE id = ?", (a["worker_id"],))
    with pytest.raises(ValidationError, match=f"农民工 {name} 的工资有 .*由清欠资金 .*#{a['id']}.*撤销"):
        service_for(s, "workers", TODAY).recycle([a["worker_id"]], "信息有误")
    assert _live(s, "worker", a["worker_id"])
    # once the fund's money is taken back, the worker may go
    for (aid,) in s.query("SELECT a.id FROM fund_allocation a JOIN repayment p ON p.id = a.repayment_id "
                          "WHERE p.worker_id = ? AND a.deleted_at IS NULL", (a["worker_id"],)):
        funds.cancel_allocation(s, aid, "分错")
    service_for(s, "workers", TODAY).recycle([a["worker_id"]], "信息有误")
    assert not _live(s, "worker", a["worker_id"])


# -- F3: a fund that has paid workers --------------------------------------------------------------

def test_a_fund_that_paid_cases_is_not_recycled(town):
    s = town
    a = _alloc(s, closed=False)
    no = s.scalar("SELECT fund_no FROM fund WHERE id = ?", (a["fund_id"],))
    with pytest.raises(ValidationError, match=f"资金 {no} 已分配兑付 .*请先撤销这些分配"):
        service_for(s, "funds", TODAY).recycle([a["fund_id"]], "登记有误")
    assert _live(s, "fund", a["fund_id"])
    # a fund that paid nobody goes
    fid = funds.save_fund(s, {"fund_no": "ZJ2026-901", "channel": "财政", "received_fen": 100,
                              "received_on": TODAY.isoformat()})
    service_for(s, "funds", TODAY).recycle([fid], "登记重复")
    assert not _live(s, "fund", fid)


def test_a_fund_of_an_advance_is_not_recycled(town):
    s = town
    v = _fund_advance(s)
    fid = s.scalar("SELECT fund_id FROM advance WHERE id = ?", (v["id"],))
    with pytest.raises(ValidationError, match=f"垫付 .*{v['advance_no']}.*先将垫付移入回收站"):
        service_for(s, "funds", TODAY).recycle([fid], "x")


def test_check_flags_allocations_of_a_fund_in_the_bin(town):
    s = town
    a = _alloc(s, closed=False)
    with s.tx():          # around the service, as an older version let it happen
        s.execute("UPDATE fund SET deleted_at = '2026-11-26 09:00:00' WHERE id = ?", (a["fund_id"],))
    found = [f for f in _findings(s, "funds_reconcile") if f.table == "fund_allocation" and f.record == a["id"]]
    assert found and "已移入回收站" in found[0].message


# -- F4: a case paid from funds --------------------------------------------------------------------

def test_a_case_paid_from_funds_is_not_recycled(town):
    s = town
    a = _alloc(s, closed=True)
    with pytest.raises(ValidationError, match=f"问题 {a['case_no']} 已由清欠资金 .*请先撤销这些分配"):
        service_for(s, "cases", TODAY).recycle([a["case_id"]], "重复登记")
    assert _live(s, "case_record", a["case_id"])
    v = _fund_advance(s)
    case_id = s.scalar("SELECT case_id FROM advance WHERE id = ?", (v["id"],))
    with pytest.raises(ValidationError, match=f"有垫付 .*{v['advance_no']}"):
        service_for(s, "cases", TODAY).recycle([case_id], "重复登记")
    # a case nobody paid from funds goes as before
    free = s.scalar("SELECT c.id FROM case_record c WHERE c.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM "
                    "fund_allocation a WHERE a.case_id = c.id AND a.deleted_at IS NULL) AND NOT EXISTS (SELECT 1 "
                    "FROM advance v WHERE v.case_id = c.id AND v.deleted_at IS NULL) ORDER BY c.id LIMIT 1")
    service_for(s, "cases", TODAY).recycle([free], "重复登记")
    assert not _live(s, "case_record", free)


def test_check_flags_allocations_to_a_case_in_the_bin(town):
    s = town
    a = _alloc(s, closed=True)
    with s.tx():
        s.execute("UPDATE case_record SET deleted_at = '2026-11-26 09:00:00' WHERE id = ?", (a["case_id"],))
    found = [f for f in _findings(s, "funds_reconcile") if f.table == "fund_allocation" and f.record == a["id"]]
    assert found and f"欠薪问题 {a['case_no']} 已移入回收站" in found[0].message


# -- F21: an asset item that formed a fund ---------------------------------------------------------

def _new_item_with_income(s) -> tuple[int, int]:
    item = assets.save_item(s, {"category": "产业设施", "name": "测试光伏电站"}, today=TODAY)
    assets.advance_stage(s, item, "盘活方案", TODAY)
    assets.advance_stage(s, item, "经营运行", TODAY)
    fund_id = assets.record_income(s, item, 50_000, TODAY)
    return item, fund_id


def test_an_asset_item_goes_to_the_bin_with_its_fund(town):
    s = town
    item, fund_id = _new_item_with_income(s)
    no = s.scalar("SELECT fund_no FROM fund WHERE id = ?", (fund_id,))
    # the fund alone: refused, pointing to the item
    with pytest.raises(ValidationError, match="由资产事项 CY-.* 的收入形成，请把该事项移入回收站"):
        service_for(s, "funds", TODAY).recycle([fund_id], "x")
    service_for(s, "assets", TODAY).recycle([item], "登记有误")
    assert not _live(s, "asset_item", item) and not _live(s, "fund", fund_id)
    assert _findings(s, "assets_match_funds") == []
    with pytest.raises(ValidationError, match="请恢复该事项"):
        service_for(s, "funds", TODAY).restore([fund_id], "")
    service_for(s, "assets", TODAY).restore([item], "")
    assert _live(s, "asset_item", item) and _live(s, "fund", fund_id)
    # a fund that has paid cases holds its item in place
    case = s.one("SELECT id, registered_on FROM case_record WHERE deleted_at IS NULL AND status = '化解中' "
                 "AND w_count > 0 AND total_owed_fen - total_paid_fen >= 10000 ORDER BY id LIMIT 1")
    funds.allocate(s, fund_id, case["id"], 10_000, TODAY)
    with pytest.raises(ValidationError, match=f"已形成清欠资金 {no}.*请先撤销这些分配"):
        service_for(s, "assets", TODAY).recycle([item], "登记有误")
    assert _live(s, "asset_item", item) and _live(s, "fund", fund_id)


def test_check_flags_a_fund_whose_item_is_in_the_bin(town):
    s = town
    item = s.one("SELECT id, item_no, fund_id FROM asset_item WHERE fund_id IS NOT NULL AND deleted_at IS NULL "
                 "ORDER BY id LIMIT 1")
    with s.tx():
        s.execute("UPDATE asset_item SET deleted_at = '2026-11-26 09:00:00' WHERE id = ?", (item["id"],))
    found = [f for f in _findings(s, "assets_match_funds") if f.table == "fund" and f.record == item["fund_id"]]
    assert found and f"资产事项 {item['item_no']} 已移入回收站" in found[0].message
