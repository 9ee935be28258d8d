"""A case's status changed by an import keeps the rules of the form's 变更状态: along the flow (a
newer ledger may take a case from 待核实 past 化解中 in one step, never back), a 核处结论 to close,
nothing unpaid for 已化解, no repayment for 不存在欠薪; and a case closed by an import gets its
办结日期 (the day its status log says), so the on-time figures count it."""
from __future__ import annotations

import pytest

from models import case_workers
from models.io.importer import commit_import, plan_import
from models.ledger.service import service_for


@pytest.fixture
def three(campaign_store):
    s = campaign_store
    svc = service_for(s, "cases")
    done = svc.insert({"case_no": "S-1", "registered_on": "2026-11-01", "amount_fen": 50_000, "paid_fen": 50_000,
                       "status": "已化解", "verdict": "已支付完毕", "closed_on": "2026-11-10"})
    owing = svc.insert({"case_no": "S-2", "registered_on": "2026-11-01", "status": "化解中"})
    case_workers.add_worker(s, owing, {"name": "甲", "owed_fen": 300_000, "paid_fen": 100_000})
    svc.insert({"case_no": "S-3", "registered_on": "2026-11-01", "amount_fen": 80_000, "paid_fen": 80_000})
    return s, done


def _import(store, tmp_path, text):
    path = tmp_path / "状态.csv"
    path.write_text(text, encoding="utf-8")
    return plan_import(store, path, "cases")


def test_status_changes_against_the_rules_are_refused_and_nothing_written(three, tmp_path):
    s, done = three
    before = s.query("SELECT case_no, status, verdict, closed_on FROM case_record ORDER BY id")
    plan = _import(s, tmp_path, "编号,状态,核处结论\nS-1,待核实,\nS-2,已化解,已付清\nS-3,不存在欠薪,\n")
    result = commit_import(s, plan)
    got = {p["row"]: p["message"] for p in result["problems"]}
    assert result["imported"] is False
    assert got[2] == "状态不能从“已化解”直接改为“待核实”（可改为：化解中）"
    assert got[3] == "尚有 2,000.00 元未支付，不能标为已化解"
    assert "须填写核处结论" in got[4]
    assert s.query("SELECT case_no, status, verdict, closed_on FROM case_record ORDER BY id") == before


def test_a_case_closed_by_an_import_gets_its_closing_day_and_log(three, tmp_path):
    s, _ = three
    s3 = s.scalar("SELECT id FROM case_record WHERE case_no = 'S-3'")
    # 待核实 → 已化解 in one step: the sheet moved it on twice between two imports
    plan = _import(s, tmp_path, "编号,状态,核处结论\nS-3,已化解,经核实已支付完毕\n")
    result = commit_import(s, plan, today=None)
    assert result["imported"] and result["updated"] == 1, result["problems"]
    row = s.one("SELECT status, verdict, closed_on FROM case_record WHERE id = ?", (s3,))
    log = s.one("SELECT from_status, to_status, changed_on FROM case_status_log WHERE case_id = ? "
                "ORDER BY id DESC LIMIT 1", (s3,))
    assert row["status"] == "已化解" and row["verdict"] == "经核实已支付完毕"
    assert row["closed_on"] is not None and row["closed_on"] == log["changed_on"]
    assert (log["from_status"], log["to_status"]) == ("待核实", "已化解")


def test_a_closing_that_pays_in_the_same_row_is_judged_on_the_row(campaign_store, tmp_path):
    s = campaign_store
    service_for(s, "cases").insert({"case_no": "S-4", "registered_on": "2026-11-01", "amount_fen": 90_000,
                                    "status": "化解中"})
    plan = _import(s, tmp_path, "编号,状态,核处结论,已支付金额\nS-4,已化解,已付清,900\n")
    assert commit_import(s, plan)["imported"]
    assert s.scalar("SELECT status FROM case_record WHERE case_no = 'S-4'") == "已化解"
