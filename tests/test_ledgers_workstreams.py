"""The workstreams' ledgers: each one's own rules, the fund reconciliation above all."""
from __future__ import annotations

import csv
import datetime as _dt
import random
from pathlib import Path

import pytest

from models import assets, campaign, case_workers, cases, contracts, daily, funds, inspections, petitions
from models.checks import RULES
from models.db import Store
from models.ledger import registry
from models.ledger.repo import LedgerRepo, Query, ValidationError
from models.rules.idcard import make_valid_id

TODAY = _dt.date(2026, 11, 26)
DATA = Path(__file__).parent / "data" / "ledgers"
MY_RULES = ("funds_reconcile", "assets_match_funds", "contract_arrears_consistent", "inspections_rectified",
            "petitions_linked", "daily_reports_unique", "blacklist_dates")


def findings(store: Store, code: str) -> list:
    registry.all_ledgers()
    return list(RULES[code][1](store, TODAY))


def counts(store: Store) -> tuple:
    return tuple(store.scalar(f"SELECT COUNT(*) FROM {t}") for t in ("repayment", "fund_allocation", "audit_log")) + (
        store.scalar("SELECT SUM(paid_fen) FROM worker"),)


@pytest.fixture
def owed_case(campaign_store):
    """A case with two listed workers owed 5,000 and 3,000 元."""
    s = campaign_store
    cid = cases.register_case(s, {"registered_on": "2026-10-08", "employer_name": "青山县宏达建筑劳务有限公司",
                                  "project_name": "青山镇安置房二期工程", "workstream_id": campaign.workstreams(s)[0]["id"]})
    for i, owed in enumerate((500_000, 300_000)):
        case_workers.add_worker(s, cid, {"name": f"工人{i}", "owed_fen": owed,
                                         "id_number": make_valid_id("511322", _dt.date(1980, 3, 1), i)})
    return s, cid


def _fund(store, received=600_000, channel="国有资产处置", on="2026-10-10") -> int:
    return funds.save_fund(store, {"fund_no": funds.next_fund_no(store, TODAY), "channel": channel,
                                   "source": "原青山粮站仓库拍卖", "planned_fen": received,
                                   "received_fen": received, "received_on": on})


def test_fund_allocation_records_repayments_and_reconciles(owed_case):
    s, cid = owed_case
    fid = _fund(s)
    assert s.scalar("SELECT name FROM workstream WHERE id = (SELECT workstream_id FROM fund WHERE id = ?)", (fid,)) \
        == "国有资产处置专班"
    ids = funds.allocate(s, fid, cid, 550_000, "2026-10-20")
    assert len(ids) == 2                          # 5,000 to the first worker, 500 to the second
    pays = s.query("SELECT worker_id, amount_fen, channel, voucher_no FROM repayment ORDER BY id")
    assert [p["amount_fen"] for p in pays] == [500_000, 50_000]
    assert {p["channel"] for p in pays} == {"资产处置资金"} and pays[0]["voucher_no"].startswith("ZJ")
    case = s.one("SELECT total_paid_fen, total_owed_fen FROM case_record WHERE id = ?", (cid,))
    assert case["total_paid_fen"] == 550_000 and case["total_owed_fen"] == 800_000
    row = funds.repo(s).get(fid)
    assert (row["allocated_fen"], row["balance_fen"]) == (550_000, 50_000) == (funds.allocated(s, fid), funds.balance(s, fid))
    assert funds.repo(s).totals()["balance_fen"] == 50_000
    assert all(a["repayment_id"] for a in s.query("SELECT repayment_id FROM fund_allocation"))
    assert findings(s, "funds_reconcile") == []


def test_over_allocation_is_refused_and_nothing_is_written(owed_case):
    s, cid = owed_case
    fid = _fund(s, received=600_000)
    funds.allocate(s, fid, cid, 400_000, "2026-10-20")
    other = _fund(s, received=5_000_000)
    before = counts(s)
    with pytest.raises(ValidationError, match="超过资金 .* 的余额 2,000.00 元"):
        funds.allocate(s, fid, cid, 250_000, "2026-10-21")
    with pytest.raises(ValidationError, match="早于资金到位日期"):
        funds.allocate(s, fid, cid, 10_000, "2026-10-01")
    with pytest.raises(ValidationError, match="尚未支付的 4,000.00 元"):
        funds.allocate(s, other, cid, 410_000, "2026-10-21")
    assert counts(s) == before
    with pytest.raises(ValidationError, match="不能改为少于已分配金额"):
        funds.save_fund(s, {"received_fen": 300_000}, fid)
    assert funds.balance(s, fid) == 200_000


def test_allocations_cannot_be_typed_or_imported_without_their_repayment(owed_case):
    s, cid = owed_case
    fid = _fund(s)
    with pytest.raises(ValidationError, match="分配资金"):
        funds.allocations_repo(s).insert({"fund_id": fid, "case_id": cid, "amount_fen": 1000, "allocated_on": "2026-10-20"})


def test_reconciliation_finds_a_deleted_repayment_and_cancelling_restores_everything(owed_case):
    s, cid = owed_case
    fid = _fund(s)
    a1, _a2 = funds.allocate(s, fid, cid, 550_000, "2026-10-20")
    rid = s.scalar("SELECT repayment_id FROM fund_allocation WHERE id = ?", (a1,))
    case_workers.repayments_repo(s).recycle([rid])
    found = findings(s, "funds_reconcile")
    assert len(found) == 1 and "兑付记录已删除" in found[0].message
    case_workers.repayments_repo(s).restore([rid])
    funds.cancel_allocation(s, a1)
    assert funds.balance(s, fid) == 550_000
    assert s.scalar("SELECT total_paid_fen FROM case_record WHERE id = ?", (cid,)) == 50_000
    assert findings(s, "funds_reconcile") == []
    s.execute("UPDATE fund SET received_fen = 10000 WHERE id = ?", (fid,))     # edited behind the program's back
    assert "超过到位金额" in findings(s, "funds_reconcile")[0].message


def test_asset_items_move_through_their_stages_and_produce_funds(campaign_store):
    s = campaign_store
    item = assets.save_item(s, {"category": "国有资产", "name": "原青山粮站仓库及场地", "appraised_fen": 92_000_000},
                            today=_dt.date(2026, 9, 20))
    row = assets.repo(s).get(item)
    assert (row["stage"], row["item_no"], row["workstream_id__label"]) == ("摸底登记", "GZ-001", "国有资产处置专班")
    assets.advance_stage(s, item, "资产评估", "2026-09-25")
    with pytest.raises(ValidationError, match="逐级退回"):
        assets.advance_stage(s, item, "摸底登记", "2026-09-26")
    with pytest.raises(ValidationError, match="收入到账"):
        assets.advance_stage(s, item, "收入到账", "2026-09-26")
    with pytest.raises(ValidationError, match="须先推进到“处置成交”"):
        assets.record_income(s, item, 85_000_000, "2026-09-30")
    with pytest.raises(ValidationError, match="早于上一进度日期"):
        assets.advance_stage(s, item, "审批报备", "2026-09-24")
    assets.advance_stage(s, item, "公开处置", "2026-09-27", "挂网公告")
    assets.advance_stage(s, item, "处置成交", "2026-09-29")
    fid = assets.record_income(s, item, 85_000_000, "2026-09-30")
    row, fund = assets.repo(s).get(item), funds.repo(s).get(fid)
    assert row["stage"] == "收入到账" and row["fund_id"] == fid and row["income_fen"] == 85_000_000
    assert (fund["channel"], fund["received_fen"], fund["received_on"]) == ("国有资产处置", 85_000_000, "2026-09-30")
    assert findings(s, "assets_match_funds") == []
    problems = registry.get("assets").validate({"category": "宅基地", "stage": "资产评估"})
    assert ("stage", "宅基地的进度只能是：摸底登记→土地调规→用地手续办理→公开出让→收入到账") in problems
    s.execute("UPDATE fund SET received_fen = 80000000 WHERE id = ?", (fid,))
    assert "不一致" in findings(s, "assets_match_funds")[0].message


def test_contract_arrears_plan_and_payments(owed_case):
    s, cid = owed_case
    r = contracts.repo(s)
    case_no = s.scalar("SELECT case_no FROM case_record WHERE id = ?", (cid,))
    aid = r.insert({"arrear_no": "GCK2026-001", "project_name": "青山镇安置房二期工程", "owner_unit": "青山县城乡建设投资有限公司",
                    "contractor": "巴中市华厦建工集团有限公司", "contract_fen": 10_000_000_00, "settled_fen": 9_800_000_00,
                    "paid_fen": 8_000_000_00, "labour_fen": 500_000_00, "case_nos": f"{case_no}、QS00000000999"})
    assert r.get(aid)["owed_fen"] == 1_800_000_00 and r.get(aid)["status"] == "未定计划"
    with pytest.raises(ValidationError, match="超过拖欠工程款"):
        contracts.set_plan(s, aid, [("2026-12-01", 1_000_000_00), ("2027-01-10", 900_000_00)])
    i1, i2 = contracts.set_plan(s, aid, [("2026-11-20", 1_000_000_00), ("2027-01-10", 800_000_00)])
    contracts.pay_instalment(s, i1, 1_000_000_00, "2026-11-19")
    row = r.get(aid)
    assert (row["paid_fen"], row["owed_fen"], row["plan_left_fen"], row["next_due"]) == \
        (9_000_000_00, 800_000_00, 800_000_00, "2027-01-10")
    assert row["labour_fen"] <= row["owed_fen"]
    with pytest.raises(ValidationError, match="尚余"):
        contracts.pay_instalment(s, i2, 900_000_00, "2026-12-01")
    assert [c["case_no"] for c in contracts.linked_cases(s, aid)] == [case_no, "QS00000000999"]
    found = findings(s, "contract_arrears_consistent")
    assert len(found) == 1 and "QS00000000999" in found[0].message
    assert registry.get("contract_arrears").validate({"contract_fen": 100, "paid_fen": 200})


def test_inspection_rules_and_closing_a_hazard(campaign_store):
    s = campaign_store
    led = registry.get("inspections")
    base = {"insp_no": "PC2026-001", "inspected_on": "2026-11-02", "target_type": "工程项目",
            "target_name": "青山镇污水管网改造工程", "real_name": 1, "wage_account": 1, "gc_pays": 1, "deposit": 1,
            "notice_board": 0, "paid_in_full": 1, "status": "无隐患"}
    msgs = [m for _n, m in led.validate(base)]
    assert any("维权信息告示牌未落实" in m for m in msgs)
    assert led.validate({**base, "notice_board": 1, "target_type": "用人单位"}) == []
    assert led.validate({**base, "target_type": "用人单位", "notice_board": 0}) == []      # not asked of employers
    assert any("整改时限" in m for _n, m in led.validate({**base, "status": "待整改", "hazard": "未设告示牌"}))
    iid = inspections.repo(s).insert({**base, "status": "待整改", "hazard": "未设置维权信息告示牌",
                                      "rectify_by": "2026-11-12"})
    assert inspections.open_hazards(s, TODAY) == {"open": 1, "overdue": 1}
    assert "已超过整改时限" in inspections.banner(s, TODAY)
    inspections.close_hazard(s, iid, "2026-11-10", "已设置告示牌")
    row = inspections.repo(s).get(iid)
    assert (row["status"], row["closed_on"]) == ("已销号", "2026-11-10") and "销号" in row["measures"]
    with pytest.raises(ValidationError, match="无需销号"):
        inspections.close_hazard(s, iid, "2026-11-11")
    assert findings(s, "inspections_rectified") == []
    s.execute("UPDATE inspection SET closed_on = NULL WHERE id = ?", (iid,))
    assert "销号日期" in findings(s, "inspections_rectified")[0].message


def _petition(s, **kw) -> int:
    v = {"visited_on": "2026-11-02", "petitioner": "王德明", "phone": "13812345678", "people_count": 1,
         "employer_name": "青山县宏达建筑劳务有限公司", "channel": "来访", "result": "已登记", **kw}
    return petitions.save_petition(s, v)


def test_collective_and_repeat_petitions(owed_case):
    s, cid = owed_case
    r = petitions.repo(s)
    p1 = _petition(s, people_count=5, case_id=cid)
    p2 = _petition(s, people_count=4, visited_on="2026-11-20", employer_name="别的单位")
    p3 = _petition(s, petitioner="李秀英", phone="13912345678", visited_on="2027-03-01")   # 119 days on
    p4 = _petition(s, petitioner="张国华", phone="13712345678", case_id=cid, visited_on="2026-11-25")
    p5 = _petition(s, petitioner="赵春梅", phone="13612345678", visited_on="2026-11-26", employer_name="青山县某服装厂")
    got = {rid: r.get(rid) for rid in (p1, p2, p3, p4, p5)}
    assert [got[i]["is_collective"] for i in (p1, p2)] == [1, 0] and petitions.is_collective(5)
    assert [got[i]["is_repeat"] for i in (p1, p2, p3, p4, p5)] == [0, 1, 0, 1, 0]
    assert got[p1]["workstream_id"] is not None          # taken from the linked case
    for rid, row in got.items():                          # the Python answer agrees with the column
        assert bool(petitions.repeat_of(s, rid)) == bool(row["is_repeat"])
    assert petitions.counts(s) == {"petitions": 5, "people": 12, "collective": 1, "repeat": 2}
    assert r.count(Query(equals={"is_repeat": 1})) == 2 and r.count(Query(equals={"is_collective": 1})) == 1


def test_petition_sample_imports_with_collective_computed(demo_db):
    from models.io.importer import commit_import, plan_import
    s = Store(demo_db, "测试")
    try:
        src = DATA / "信访台账.csv"
        plan = plan_import(s, src, "petitions")
        assert not plan.problems and plan.totals()["workers"] == 409 and len(plan.rows) == 60
        assert commit_import(s, plan)["imported"]
        with open(src, encoding="gbk", newline="") as fh:
            claimed = {(r["来访人"], r["联系电话"]): r["是否集体访"] == "是" for r in csv.DictReader(fh)}
        for row in petitions.repo(s).rows():
            if (row["petitioner"], row["phone"]) in claimed:
                assert bool(row["is_collective"]) == claimed[(row["petitioner"], row["phone"])]
        assert s.scalar("SELECT COUNT(*) FROM petition WHERE workstream_id IS NULL") == 0
    finally:
        s.close()


def test_daily_returns_missing_unique_and_zero(campaign_store, tmp_path):
    s = campaign_store
    ws = campaign.workstreams(s)
    assert len(daily.missing_on(s, TODAY)) == 7
    daily.submit_return(s, {"report_on": TODAY.isoformat(), "workstream_id": ws[0]["id"], "new_cases": 2,
                            "repaid_fen": 1_234_500, "notes": "新增线索2件"})
    zero = daily.submit_return(s, {"report_on": TODAY.isoformat(), "workstream_id": ws[3]["id"]})
    assert daily.repo(s).get(zero)["is_zero"] == 1
    missing = [w["name"] for w in daily.missing_on(s, TODAY)]
    assert len(missing) == 5 and ws[0]["name"] not in missing and ws[3]["name"] not in missing
    assert daily.banner(s, TODAY).startswith("今日（11月26日）未报：")
    with pytest.raises(ValidationError, match="已报送"):
        daily.submit_return(s, {"report_on": TODAY.isoformat(), "workstream_id": ws[0]["id"], "new_cases": 1})
    with pytest.raises(ValidationError, match="零报告不应"):
        daily.submit_return(s, {"report_on": "2026-11-25", "workstream_id": ws[0]["id"], "is_zero": 1, "new_cases": 1})
    assert findings(s, "daily_reports_unique") == []
    out = daily.export_day_xlsx(s, TODAY, tmp_path / "日报.xlsx")
    import openpyxl
    sheet = openpyxl.load_workbook(out).active
    text = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert "日报告汇总表" in text[0][0] and text[2][0] == "序号"
    body = {r[1]: r for r in text[3:10]}
    assert body[ws[0]["name"]][2] == "已报" and body[ws[0]["name"]][6] == pytest.approx(12345.0)
    assert body[ws[3]["name"]][2] == "零报告" and body[ws[1]["name"]][2] == "未报"
    assert any("未报送专班" in str(r[0]) for r in text[10:])


def test_blacklist_three_years_and_early_removal(campaign_store):
    from models.ledgers.blacklist import removal_due
    s = campaign_store
    r = LedgerRepo(s, registry.get("blacklist"))
    assert removal_due("2026-03-10") == "2029-03-10" and removal_due("2028-02-29") == "2031-02-28"
    base = {"employer_name": "青山县鑫隆页岩砖厂", "reason": "拒不支付劳动报酬", "reported_on": "2025-02-20",
            "listed_on": "2025-03-10"}
    rid = r.insert(base)
    leap = r.insert({**base, "employer_name": "闰日公司", "reported_on": "2028-02-01", "listed_on": "2028-02-29"})
    assert r.get(rid)["removal_due"] == "2028-03-10" and r.get(leap)["removal_due"] == "2031-02-28"
    assert r.get(rid)["status"] == "惩戒中"
    with pytest.raises(ValidationError, match="提前移出，须写明移出原因"):
        r.update(rid, {"removed_on": "2026-06-01"})
    with pytest.raises(ValidationError, match="满1年"):
        r.update(rid, {"removed_on": "2026-01-10", "removal_reason": "信用修复提前移出"})
    r.update(rid, {"removed_on": "2026-06-01", "removal_reason": "信用修复提前移出"})
    assert r.get(rid)["status"] == "已移出"
    with pytest.raises(ValidationError, match="早于上报日期"):
        r.insert({**base, "employer_name": "乙公司", "listed_on": "2025-01-01"})
    pending = r.insert({**base, "employer_name": "丙公司", "listed_on": None, "case_nos": "QS404"})
    assert r.get(pending)["status"] == "已上报待列入" and r.get(pending)["removal_due"] is None
    assert ["QS404" in f.message for f in findings(s, "blacklist_dates")] == [True]


def test_demo_ledgers_are_realistic_and_pass_their_checks(demo_db):
    from models.demo.ledgers import add_demo_ledgers
    s = Store(demo_db, "测试")
    try:
        paid_before = s.scalar("SELECT SUM(total_paid_fen) FROM case_record")
        add_demo_ledgers(s, random.Random(7), TODAY)     # nothing when models.demo already added them
        assert add_demo_ledgers(s, random.Random(7), TODAY) == {}
        n = {t: s.scalar(f"SELECT COUNT(*) FROM {t}") for t in (
            "fund", "fund_allocation", "asset_item", "contract_arrear", "contract_instalment", "inspection",
            "petition", "blacklist_entry", "daily_report")}
        assert n["fund"] >= 6 and n["fund_allocation"] > 50 and 12 <= n["asset_item"] <= 20
        assert 4 <= n["contract_arrear"] <= 8 and n["contract_instalment"] >= 8
        assert 18 <= n["inspection"] <= 22 and 45 <= n["petition"] <= 80 and 3 <= n["blacklist_entry"] <= 5
        assert n["daily_report"] >= 60
        channels = {r[0] for r in s.query("SELECT DISTINCT channel FROM fund")}
        assert {"应急周转金", "国有资产处置", "宅基地处置", "产业收益", "项目资金争取"} <= channels
        assert s.scalar("SELECT COUNT(*) FROM inspection WHERE status IN ('待整改', '整改中')") >= 1
        assert s.scalar("SELECT COUNT(*) FROM petition WHERE people_count >= 5") >= 1
        assert len(daily.missing_on(s, TODAY)) == 2
        assert s.scalar("SELECT SUM(total_paid_fen) FROM case_record") - paid_before < 0.03 * paid_before
        for code in MY_RULES:
            assert findings(s, code) == [], code
        from models.checks import run_checks
        report = run_checks(s, TODAY)
        assert not [f for f in report.findings if f.rule in MY_RULES]
    finally:
        s.close()


def test_every_ledger_prints(demo_db, tmp_path):
    from models.demo.ledgers import add_demo_ledgers
    from models.ledger_pdf_fallback import print_ledger_pdf
    from models.reports_major import flagged_cases, print_major
    s = Store(demo_db, "测试")
    try:
        add_demo_ledgers(s, random.Random(7), TODAY)
        from models.ledger_pdf_fallback import print_ledger
        for kind in ("funds", "assets", "contract_arrears", "inspections", "petitions", "daily_reports", "blacklist"):
            out = print_ledger_pdf(s, kind, tmp_path / f"{kind}.pdf", today=TODAY)
            assert out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 5000
            own = print_ledger(s, kind, tmp_path / f"{kind}-own.pdf", today=TODAY)    # without models.reports
            assert own.read_bytes()[:5] == b"%PDF-" and own.stat().st_size > 5000
        assert flagged_cases(s)
        assert print_major(s, tmp_path / "major.pdf", TODAY).stat().st_size > 5000
    finally:
        s.close()


@pytest.mark.parametrize("kind", ("funds", "assets", "contract_arrears", "contract_instalments", "inspections",
                                  "petitions", "daily_reports", "blacklist"))
def test_each_ledger_exports_and_reimports_unchanged(demo_db, tmp_path, kind):
    from models.io import exporter
    from models.io import importer
    from models.demo.ledgers import add_demo_ledgers
    s = Store(demo_db, "测试")
    try:
        add_demo_ledgers(s, random.Random(7), TODAY)
        n = LedgerRepo(s, registry.get(kind)).count()
        out = exporter.export_ledger(s, kind, tmp_path / f"{kind}.xlsx", masked=False, today=TODAY)
        plan = importer.plan_import(s, out, kind)
        assert not plan.problems and not plan.fatal
        assert plan.counts() == {"insert": 0, "update": 0, "unchanged": n, "reject": 0}
    finally:
        s.close()


def test_allocations_are_refused_on_import(demo_db, tmp_path):
    from models.io import exporter
    from models.io import importer
    from models.demo.ledgers import add_demo_ledgers
    s = Store(demo_db, "测试")
    try:
        add_demo_ledgers(s, random.Random(7), TODAY)
        out = exporter.export_ledger(s, "fund_allocations", tmp_path / "分配.xlsx", today=TODAY)
        from models.io.reading import UnusableFile
        with pytest.raises(UnusableFile, match="不能从文件导入"):
            importer.plan_import(s, out, "fund_allocations")
    finally:
        s.close()
