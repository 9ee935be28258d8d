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
