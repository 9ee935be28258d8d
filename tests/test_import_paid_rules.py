"""已付 as a write leaves it, the file's values over the stored ones: a roster sent again with 实发
blank or lower may not drop money the 兑付台账 accounts for, 应发 may not fall below 实发, and a
file of 编号 and 已支付金额 only is judged against the stored 欠薪金额, not as owing 0."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import case_workers
from models.io.importer import commit_import, plan_import
from models.ledger.service import service_for
from models.rules.idcard import make_valid_id

ID = make_valid_id("511322", _dt.date(1980, 3, 1), 5)


@pytest.fixture
def paid_worker(campaign_store):
    s = campaign_store
    cid = service_for(s, "cases").insert({"case_no": "P-1", "registered_on": "2026-11-01"})
    wid = case_workers.add_worker(s, cid, {"name": "钱八", "id_number": ID, "owed_fen": 500_000})
    case_workers.record_repayment(s, cid, {"worker_id": wid, "paid_on": "2026-11-20", "amount_fen": 300_000})
    return s, wid


def _roster(store, tmp_path, owed, paid):
    path = tmp_path / "花名册.csv"
    path.write_text(f"姓名,身份证号码,应发工资,实发工资\n钱八,{ID},{owed},{paid}\n", encoding="utf-8")
    return commit_import(store, plan_import(store, path, "workers", case_no="P-1"))


def test_a_roster_with_paid_blank_keeps_the_stored_paid_wages(paid_worker, tmp_path):
    s, wid = paid_worker
    result = _roster(s, tmp_path, 5000, "")
    assert result["imported"] and result["unchanged"] == 1, result["problems"]
    assert any("实发工资（D列）”有 1 个空白单元格" in n for n in result["notes"])
    assert s.scalar("SELECT paid_fen FROM worker WHERE id = ?", (wid,)) == 300_000


@pytest.mark.parametrize("paid", ["0", "2000"])
def test_a_roster_may_not_drop_paid_money_the_repayments_account_for(paid_worker, tmp_path, paid):
    s, wid = paid_worker
    result = _roster(s, tmp_path, 5000, paid)
    assert result["imported"] is False
    [p] = result["problems"]
    assert p["column"] == "实发工资" and "1 笔兑付合计 3,000.00 元" in p["message"]
    assert s.scalar("SELECT paid_fen FROM worker WHERE id = ?", (wid,)) == 300_000


def test_owed_may_not_fall_below_paid_and_more_paid_is_taken(paid_worker, tmp_path):
    s, wid = paid_worker
    low = _roster(s, tmp_path, 2000, 3000)
    assert low["imported"] is False and "超过应付 2,000.00 元" in low["problems"][0]["message"]
    ok = _roster(s, tmp_path, 5000, 4000)          # 1,000 paid besides the recorded repayment
    assert ok["imported"] and ok["updated"] == 1
    assert s.scalar("SELECT paid_fen FROM worker WHERE id = ?", (wid,)) == 400_000


def test_a_file_of_number_and_paid_only_is_judged_with_the_stored_amount(campaign_store, tmp_path):
    s = campaign_store
    svc = service_for(s, "cases")
    svc.insert({"case_no": "P-2", "registered_on": "2026-11-01", "amount_fen": 90_000})
    svc.insert({"case_no": "P-3", "registered_on": "2026-11-01", "amount_fen": 90_000})
    path = tmp_path / "进度.csv"
    path.write_text("编号,已支付金额\nP-2,600\nP-3,1000\n", encoding="utf-8")
    plan = plan_import(s, path, "cases")
    assert not plan.problems                      # each row alone: no 欠薪金额 to compare with
    result = commit_import(s, plan, accept_partial=True)
    [p] = result["problems"]
    assert p["row"] == 3 and "已付 1,000.00 元，超过应付 900.00 元" in p["message"]
    assert dict(s.query("SELECT case_no, paid_fen FROM case_record")) == {"P-2": 60_000, "P-3": 0}


def test_repayments_the_roster_may_already_hold_are_named(campaign_store, tmp_path):
    """A roster's 实发 with no repayment records behind it, then repayments: the rows that money could
    already hold are named (imported as asked: they may be new payments)."""
    s = campaign_store
    cid = service_for(s, "cases").insert({"case_no": "P-5", "registered_on": "2026-11-01"})
    case_workers.add_worker(s, cid, {"name": "周九", "owed_fen": 900_000, "paid_fen": 250_000})
    case_workers.add_worker(s, cid, {"name": "吴十", "owed_fen": 900_000})
    path = tmp_path / "兑付.csv"
    path.write_text("问题编号,农民工,兑付日期,兑付金额\nP-5,周九,2026-11-20,1000\nP-5,周九,2026-11-21,1500\n"
                    "P-5,周九,2026-11-22,100\nP-5,吴十,2026-11-22,100\n", encoding="utf-8")
    plan = plan_import(s, path, "repayments")
    [note] = [n for n in plan.notes if "重复计算" in n]
    assert note.startswith("第 2、3 行的兑付（合计 2,500.00 元）")
    assert commit_import(s, plan)["inserted"] == 4            # a warning, not a refusal
