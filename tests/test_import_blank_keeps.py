"""A blank cell in a file imported again keeps what the ledger holds: a case list re-sent with
核处结论 not copied does not clear the verdict, a roster re-sent before 实发 is known does not
set paid wages to nothing. The plan says so in a note naming the column and rows; a value is
cleared in the record's own form."""
from __future__ import annotations

import datetime as dt

from models import case_workers
from models.io.importer import commit_import, plan_import
from models.ledger.service import service_for
from models.rules.idcard import make_valid_id


def _csv(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_blank_verdict_and_amount_keep_the_stored_ones(campaign_store, tmp_path):
    s = campaign_store
    svc = service_for(s, "cases")
    svc.insert({"case_no": "K-1", "registered_on": "2026-11-01", "amount_fen": 50_000, "paid_fen": 50_000,
                "status": "已化解", "verdict": "已支付完毕", "closed_on": "2026-11-10", "employer": "某建筑公司"})
    svc.insert({"case_no": "K-2", "registered_on": "2026-11-01", "amount_fen": 70_000, "status": "化解中"})
    path = _csv(tmp_path, "问题.csv", "编号,状态,核处结论,欠薪金额,已支付金额\n"
                                       "K-1,已化解,,500,\n"
                                       "K-2,化解中,,,100\n")
    plan = plan_import(s, path, "cases")
    result = commit_import(s, plan)
    assert result["imported"], result["problems"]
    assert (result["updated"], result["unchanged"]) == (1, 1)
    k1 = s.one("SELECT status, verdict, amount_fen, paid_fen, closed_on FROM case_record WHERE case_no = 'K-1'")
    assert dict(k1) == {"status": "已化解", "verdict": "已支付完毕", "amount_fen": 50_000, "paid_fen": 50_000,
                        "closed_on": "2026-11-10"}
    k2 = s.one("SELECT amount_fen, paid_fen FROM case_record WHERE case_no = 'K-2'")
    assert (k2["amount_fen"], k2["paid_fen"]) == (70_000, 10_000)
    notes = "\n".join(result["notes"])
    assert "“核处结论（C列）”有 1 个空白单元格是已有记录的（第 2 行）" in notes
    assert "“欠薪金额（D列）”有 1 个空白单元格是已有记录的（第 3 行）" in notes
    assert "“已支付金额（E列）”有 1 个空白单元格是已有记录的（第 2 行）" in notes
    # K-2 had no verdict: its blank cell keeps nothing and is not named
    assert "第 2、3 行" not in notes


def test_a_roster_sent_again_with_paid_blank_keeps_paid_wages(campaign_store, tmp_path):
    s = campaign_store
    case = service_for(s, "cases").insert({"case_no": "K-3", "registered_on": "2026-11-01", "status": "化解中"})
    ids = [make_valid_id("511921", dt.date(1980, 1, 1), n) for n in (1, 2)]
    case_workers.add_worker(s, case, {"name": "王伟", "id_number": ids[0], "owed_fen": 300_000, "paid_fen": 100_000})
    case_workers.add_worker(s, case, {"name": "李娜", "id_number": ids[1], "owed_fen": 200_000, "paid_fen": 0})
    before = s.scalar("SELECT paid_fen FROM case_record WHERE id = ?", (case,))
    path = _csv(tmp_path, "花名册.csv", f"姓名,身份证号码,应发工资,实发工资\n王伟,{ids[0]},3000,\n李娜,{ids[1]},2000,\n")
    plan = plan_import(s, path, "workers", case_no="K-3")
    result = commit_import(s, plan)
    assert result["imported"] and result["unchanged"] == 2, result
    paid = dict(s.query("SELECT name, paid_fen FROM worker ORDER BY id"))
    assert paid == {"王伟": 100_000, "李娜": 0}
    assert s.scalar("SELECT paid_fen FROM case_record WHERE id = ?", (case,)) == before
    assert any("实发工资（D列）”有 1 个空白单元格" in n and "第 2 行" in n for n in result["notes"])
