"""What a record's 已付 may be once a write leaves it (the file's values over the stored ones):
a worker's or a case's, asked by their ledgers' services (models.case_workers, models.cases)."""
from __future__ import annotations

from typing import Any

# the words of the two findings a liaison return may see cured by its own later changes
# (models.exchange.liaison_checks asks for them by these words): one wording, written here
ABOVE_OWED = "超过应付"
UNPAID_RESOLVED = "元未支付，不能标为已化解"


def above_owed(what: str, paid_fen: int, owed_fen: int) -> str:
    """该农民工已付 3,000.00 元，超过应付 2,000.00 元"""
    from models.values import fen_to_yuan_text as y
    return f"{what}已付 {y(paid_fen)} 元，{ABOVE_OWED} {y(owed_fen)} 元"


def unpaid_resolved(unpaid_fen: int, prefix: str = "") -> str:
    """尚有 2,000.00 元未支付，不能标为已化解"""
    from models.values import fen_to_yuan_text as y
    return f"{prefix}尚有 {y(unpaid_fen)} {UNPAID_RESOLVED}"


def paid_problems(store: Any, merged: dict, what: str, *, worker_id: int | None = None,
                  case_id: int | None = None) -> list[tuple[str, str]]:
    """A record's 已付 as a whole write leaves it (the file's values over the stored ones): not
    above what is owed, and, when it is set, not below the repayments recorded for it (a roster
    sent again with 实发 blank or lower would drop paid money that the 兑付台账 accounts for)."""
    from models.values import fen_to_yuan_text as y
    owed_name = "owed_fen" if "owed_fen" in merged else "amount_fen"
    o, p = int(merged.get(owed_name) or 0), int(merged.get("paid_fen") or 0)
    if p > o:
        return [("paid_fen", above_owed(what, p, o))]
    if worker_id is None and case_id is None:
        return []
    where = "worker_id = ?" if worker_id is not None else "case_id = ? AND worker_id IS NULL"
    booked, n = store.one(f"SELECT COALESCE(SUM(amount_fen), 0), COUNT(*) FROM repayment WHERE {where} "
                          "AND deleted_at IS NULL", (worker_id if worker_id is not None else case_id,))
    if p < booked:
        return [("paid_fen", f"已付 {y(p)} 元少于兑付台账中已登记的 {n} 笔兑付合计 {y(booked)} 元，请核对"
                             "（兑付记录有误的，请先在兑付台账中移入回收站）")]
    return []
