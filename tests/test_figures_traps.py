"""Places where a figure shown disagreed with the ledger (an outside reconciliation found them):
a repayment service reused for a second payment, the rows of a case in the recycle bin, the
case export's 合计."""
from __future__ import annotations

from models.case_workers import RepaymentService
from models.ledger.service import service_for


def _case(store, no="E-1", amount=250_000):
    return service_for(store, "cases").insert({"case_no": no, "registered_on": "2026-11-01", "amount_fen": amount})


def test_one_repayment_service_paying_twice_counts_each_payment_once(campaign_store):
    cid = _case(campaign_store)
    svc = RepaymentService(campaign_store)
    svc.insert({"case_id": cid, "paid_on": "2026-11-10", "amount_fen": 100_000})
    svc.insert({"case_id": cid, "paid_on": "2026-11-11", "amount_fen": 150_000})      # the exact remainder
    assert campaign_store.scalar("SELECT total_paid_fen FROM case_record WHERE id = ?", (cid,)) == 250_000


def test_the_rows_of_a_case_in_the_recycle_bin_are_out_of_every_ledger_view(campaign_store, tmp_path):
    from models.io.exporter import export_ledger
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo, Query
    from python_calamine import CalamineWorkbook
    keep, gone = _case(campaign_store, "E-1"), _case(campaign_store, "E-2")
    for cid, name in ((keep, "甲"), (gone, "乙"), (gone, "丙")):
        service_for(campaign_store, "workers").insert({"case_id": cid, "name": name, "owed_fen": 100_000})
    RepaymentService(campaign_store).insert({"case_id": gone, "worker_id": campaign_store.scalar(
        "SELECT id FROM worker WHERE name = '乙'"), "paid_on": "2026-11-10", "amount_fen": 60_000})
    LedgerRepo(campaign_store, registry.get("cases")).recycle([gone])

    workers = LedgerRepo(campaign_store, registry.get("workers"))
    pays = LedgerRepo(campaign_store, registry.get("repayments"))
    assert [r["name"] for r in workers.rows(Query())] == ["甲"]
    assert workers.count(Query()) == 1 and pays.count(Query()) == 0
    assert workers.rows(Query(search="乙")) == []
    assert workers.totals(Query())["owed_fen"] == 100_000 and pays.totals(Query()).get("amount_fen", 0) == 0
    book = CalamineWorkbook.from_path(str(export_ledger(campaign_store, "workers", tmp_path / "w.xlsx")))
    cells = [c for row in book.get_sheet_by_name(book.sheet_names[0]).to_python() for c in row]
    assert "甲" in cells and "乙" not in cells and "丙" not in cells
    LedgerRepo(campaign_store, registry.get("cases")).restore([gone])
    assert workers.count(Query()) == 3 and pays.count(Query()) == 1


def test_the_case_export_says_its_total_includes_groundless_cases(campaign_store, tmp_path):
    from models.io.exporter import export_ledger
    from python_calamine import CalamineWorkbook
    _case(campaign_store, "E-1")
    service_for(campaign_store, "cases").insert({"case_no": "E-2", "registered_on": "2026-11-01", "amount_fen": 50_000,
                                                 "status": "不存在欠薪", "verdict": "经核实不存在欠薪"})

    def texts(name):
        book = CalamineWorkbook.from_path(str(export_ledger(campaign_store, "cases", tmp_path / name)))
        return " ".join(str(c) for row in book.get_sheet_by_name(book.sheet_names[0]).to_python() for c in row)
    assert "合计含经核实不存在欠薪的问题 1 件" in texts("all.xlsx")
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo
    LedgerRepo(campaign_store, registry.get("cases")).recycle([campaign_store.scalar(
        "SELECT id FROM case_record WHERE case_no = 'E-2'")])
    assert "不存在欠薪的问题" not in texts("none.xlsx")


def test_a_payment_of_nothing_is_told_it_must_be_more_than_nothing(campaign_store):
    import pytest
    from models.ledger.repo import ValidationError
    cid = _case(campaign_store)
    with pytest.raises(ValidationError, match="兑付金额应大于 0"):
        RepaymentService(campaign_store).insert({"case_id": cid, "paid_on": "2026-11-10", "amount_fen": 0})
    with pytest.raises(ValidationError, match="兑付金额应大于 0"):
        RepaymentService(campaign_store).insert({"case_id": cid, "paid_on": "2026-11-10", "amount_fen": -5})


def test_a_case_with_money_paid_cannot_be_found_to_owe_nothing(campaign_store):
    import datetime as dt
    import pytest
    from models.cases import StatusChange, change_status
    from models.ledger.repo import ValidationError
    cid = _case(campaign_store)
    RepaymentService(campaign_store).insert({"case_id": cid, "paid_on": "2026-11-10", "amount_fen": 50_000})
    with pytest.raises(ValidationError, match="已登记兑付 500.00 元，不能标为不存在欠薪"):
        change_status(campaign_store, cid, StatusChange("不存在欠薪", dt.date(2026, 11, 12).isoformat(),
                                                       verdict="经核实不存在欠薪"))
    assert campaign_store.scalar("SELECT status FROM case_record WHERE id = ?", (cid,)) != "不存在欠薪"


def test_the_period_report_counts_new_cases_as_they_stood_at_its_end(campaign_store):
    import datetime as dt
    from models.cases import StatusChange, change_status
    from models.reports.period import period_figures
    cid = _case(campaign_store, "P-1", amount=300_000)
    change_status(campaign_store, cid, StatusChange("化解中", "2026-11-05", "测试"))
    change_status(campaign_store, cid, StatusChange("不存在欠薪", "2026-11-20", "测试", "经核实不存在欠薪"))
    since, until, today = dt.date(2026, 11, 1), dt.date(2026, 11, 15), dt.date(2026, 11, 26)
    from models import figures
    pf = period_figures(campaign_store, since, until, today)
    before = figures.figures(campaign_store, today, since - dt.timedelta(days=1)).values["owed_fen"]
    after = figures.figures(campaign_store, today, until).values["owed_fen"]
    assert pf.new_cases == 1 and pf.new_owed_fen == after - before == 300_000
    assert period_figures(campaign_store, since, dt.date(2026, 11, 26), today).new_owed_fen == 0   # found so by then


def test_a_case_closed_in_a_period_and_reopened_since_still_counts_as_closed_there(campaign_store):
    """The period report and the meeting agenda of a past week count the cases closed in it as
    they stood at its end, like their totals: reopening a case later does not take it back out."""
    import datetime as dt
    from models import campaign, case_workers, cases, meetings as M
    from models.reports.period import period_figures
    s = campaign_store
    ws = campaign.workstreams(s)[0]["id"]
    cid = service_for(s, "cases").insert({"case_no": "R-1", "registered_on": "2026-11-02", "amount_fen": 100_000,
                                          "workstream_id": ws})
    cases.change_status(s, cid, cases.StatusChange("化解中", "2026-11-03"))
    case_workers.record_repayment(s, cid, {"paid_on": "2026-11-04", "amount_fen": 100_000})
    cases.change_status(s, cid, cases.StatusChange("已化解", "2026-11-05", verdict="经核实存在欠薪，已支付完毕"))
    today = dt.date(2026, 11, 26)
    week = M.prepare_agenda(s, "2026-11-09", "2026-11-02", today=today).rows
    month = period_figures(s, dt.date(2026, 11, 1), dt.date(2026, 11, 15), today)
    assert sum(r.closed_cases for r in week) == 1 and (month.closed_cases, month.resolved_cases) == (1, 1)
    cases.change_status(s, cid, cases.StatusChange("化解中", "2026-11-20", "工人反映仍有欠款"))     # reopened
    week = M.prepare_agenda(s, "2026-11-09", "2026-11-02", today=today).rows
    month = period_figures(s, dt.date(2026, 11, 1), dt.date(2026, 11, 15), today)
    assert sum(r.closed_cases for r in week) == 1 and sum(r.new_cases for r in week) == 1
    assert (month.closed_cases, month.resolved_cases) == (1, 1)
    # and the week it was reopened in does not count it as closed
    later = M.prepare_agenda(s, "2026-11-23", "2026-11-16", today=today).rows
    assert sum(r.closed_cases for r in later) == 0 and sum(r.open_cases for r in later) == 1
