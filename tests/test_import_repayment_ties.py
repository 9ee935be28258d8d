"""A repayment names its worker; two workers of a case may share a name (王伟 and 王伟). An export
writes each repayment's worker with the worker's 身份证号码 (masked, as every export masks it),
and an import reads that column to tell the two apart: an exported repayment ledger imports
again, each payment to its own worker. A number that fits none of the name's workers, or the
only one, is refused; without the column a shared name stays a problem, never a guess."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import case_workers
from models.io.exporter import export_ledger
from models.io.importer import commit_import, plan_import
from models.rules.idcard import make_valid_id
from models.ledger.service import service_for

ID_A = make_valid_id("511921", _dt.date(1980, 3, 1), 11)
ID_B = make_valid_id("511921", _dt.date(1985, 7, 9), 23)
ID_C = make_valid_id("511322", _dt.date(1990, 1, 5), 7)


def _build(store, pay: bool = True):
    """Case T-1 with two workers named 王伟 (different IDs) and one 李强; a repayment to each."""
    cid = service_for(store, "cases").insert({"case_no": "T-1", "registered_on": "2026-11-01", "amount_fen": 900_000})
    ids = {k: case_workers.add_worker(store, cid, {"name": n, "id_number": i, "owed_fen": 300_000})
           for k, n, i in (("A", "王伟", ID_A), ("B", "王伟", ID_B), ("C", "李强", ID_C))}
    if pay:
        for k, fen in (("A", 100_000), ("B", 250_000), ("C", 50_000)):
            case_workers.record_repayment(store, cid, {"worker_id": ids[k], "paid_on": "2026-11-20", "amount_fen": fen,
                                                       "payer": "总包单位", "voucher_no": f"V{k}"})
    return cid, ids


@pytest.fixture
def twins(campaign_store):
    return (campaign_store, *_build(campaign_store))


def _paid(store) -> dict[int, int]:
    return dict(store.query("SELECT worker_id, SUM(amount_fen) FROM repayment WHERE deleted_at IS NULL "
                            "GROUP BY worker_id"))


def test_masked_export_imports_again_each_payment_to_its_worker(twins, tmp_path):
    from models import campaign
    from models.db import Store
    s, _cid, ids = twins
    out = export_ledger(s, "repayments", tmp_path / "兑付.xlsx")          # masked, the default
    other = Store(tmp_path / "other.sqlite", "测试员")     # the same case and workers, no payments yet
    try:
        campaign.create_campaign(other, "2026年根治欠薪冬季专项行动", "青山县青山镇人民政府", _dt.date(2026, 9, 14))
        _cid2, ids2 = _build(other, pay=False)
        plan = plan_import(other, out, "repayments")
        assert not plan.problems, [p.message for p in plan.problems]
        assert any("用于核对农民工" in n for n in plan.notes)
        result = commit_import(other, plan)
        assert result["inserted"] == 3
        assert _paid(other) == {ids2["A"]: 100_000, ids2["B"]: 250_000, ids2["C"]: 50_000}
        assert _paid(s) == {ids["A"]: 100_000, ids["B"]: 250_000, ids["C"]: 50_000}
        again = commit_import(other, plan_import(other, out, "repayments"))   # the same file twice: nothing new
        assert again["unchanged"] == 3 and other.scalar("SELECT COUNT(*) FROM repayment") == 3
        back = commit_import(s, plan_import(s, out, "repayments"))           # and into the ledger it came from
        assert back["unchanged"] == 3 and s.scalar("SELECT COUNT(*) FROM repayment") == 3
    finally:
        other.close()


@pytest.mark.parametrize("written", [ID_B, ID_B.lower(), f"{ID_B[:6]}********{ID_B[-4:]}",
                                     f"{ID_B[:4]}**********{ID_B[-4:]}", f"{ID_B[:3]}***{ID_B[-3:]}",
                                     f" {ID_B[:6]} ******** {ID_B[-4:]} "])
def test_the_number_in_full_or_masked_any_width_picks_the_worker(twins, tmp_path, written):
    s, _cid, ids = twins
    path = tmp_path / "p.csv"
    path.write_text(f"问题编号,姓名,身份证号码,兑付日期,兑付金额\nT-1,王伟,{written},2026-11-25,300\n",
                    encoding="utf-8")
    plan = plan_import(s, path, "repayments")
    assert not plan.problems, [p.message for p in plan.problems]
    assert plan.rows[0].values["worker_id"] == ids["B"]


def test_a_number_that_fits_no_worker_of_the_name_is_refused(twins, tmp_path):
    s, *_ = twins
    path = tmp_path / "p.csv"
    path.write_text(f"问题编号,姓名,身份证号码,兑付日期,兑付金额\nT-1,王伟,{ID_C},2026-11-25,300\n"
                    f"T-1,李强,{ID_A},2026-11-25,300\n", encoding="utf-8")
    plan = plan_import(s, path, "repayments")
    msgs = {p.row: p.message for p in plan.problems}
    assert "对不上" in msgs[2] and "同名的 2 人" in msgs[2] and ID_C in msgs[2]
    assert "对不上" in msgs[3] and "登记的身份证号码不是这个" in msgs[3]  # one 李强, but not this one: a payment to the wrong person
    before = s.scalar("SELECT COUNT(*) FROM repayment")
    assert commit_import(s, plan)["imported"] is False and s.scalar("SELECT COUNT(*) FROM repayment") == before


def test_a_mask_both_workers_fit_asks_for_the_full_number(twins, tmp_path):
    s, *_ = twins
    path = tmp_path / "p.csv"
    path.write_text("问题编号,姓名,身份证号码,兑付日期,兑付金额\nT-1,王伟,511921**********,2026-11-25,300\n",
                    encoding="utf-8")
    [p] = plan_import(s, path, "repayments").problems
    assert "也无法区分" in p.message and "完整的身份证号码" in p.message


def test_without_the_column_a_shared_name_is_still_a_problem(twins, tmp_path):
    s, *_ = twins
    path = tmp_path / "p.csv"
    path.write_text("问题编号,姓名,兑付日期,兑付金额\nT-1,王伟,2026-11-25,300\nT-1,李强,2026-11-25,300\n",
                    encoding="utf-8")
    plan = plan_import(s, path, "repayments")
    [p] = plan.problems
    assert p.row == 2 and "有重名" in p.message and "身份证号码区分" in p.message


def test_a_worker_without_a_number_is_taken_when_the_name_is_his_alone(campaign_store, tmp_path):
    s = campaign_store
    cid = service_for(s, "cases").insert({"case_no": "T-2", "registered_on": "2026-11-01", "amount_fen": 90_000})
    wid = case_workers.add_worker(s, cid, {"name": "赵六", "owed_fen": 90_000})
    path = tmp_path / "p.csv"
    path.write_text(f"问题编号,姓名,身份证号码,兑付日期,兑付金额\nT-2,赵六,{ID_A},2026-11-25,300\n", encoding="utf-8")
    plan = plan_import(s, path, "repayments")
    assert not plan.problems and plan.rows[0].values["worker_id"] == wid


def test_the_export_masks_the_column_and_unmasked_shows_it(twins, tmp_path):
    from python_calamine import CalamineWorkbook
    s, *_ = twins
    for masked in (True, False):
        out = export_ledger(s, "repayments", tmp_path / f"r{masked}.xlsx", masked=masked)
        rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
        header = next(r for r in rows if "身份证号码" in r)
        col = header.index("身份证号码")
        assert header[col - 1] == "农民工"
        cells = {r[col] for r in rows[rows.index(header) + 1:] if r[col]}
        assert (f"{ID_A[:6]}********{ID_A[-4:]}" in cells) if masked else (ID_A in cells)
        assert masked == all("*" in c for c in cells)
