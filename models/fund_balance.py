"""A 清欠资金's balance (到位 + 追回回流 − 已分配), from its live allocations and recoveries: asked by
the fund ledger's operations (``models.funds``) and by a repayment coming back from the recycle
bin with its allocation (``models.case_workers.restore_payments``)."""
from __future__ import annotations

from models.db import Store
from models.ledgers.funds import recovered_sql


def allocated(store: Store, fund_id: int) -> int:
    return int(store.scalar("SELECT COALESCE(SUM(amount_fen), 0) FROM fund_allocation "
                            "WHERE fund_id = ? AND deleted_at IS NULL", (fund_id,), 0))


def recovered(store: Store, fund_id: int) -> int:
    """Money recovered from employers for the live advances this fund paid: it returns to the fund."""
    return int(store.scalar(f"SELECT {recovered_sql('f')} FROM fund f WHERE f.id = ?", (fund_id,), 0) or 0)


def balance(store: Store, fund_id: int) -> int:
    """到位 + 追回回流 − 已分配, from the live allocations and recoveries."""
    received = store.scalar("SELECT received_fen FROM fund WHERE id = ?", (fund_id,), 0)
    return int(received) + recovered(store, fund_id) - allocated(store, fund_id)
