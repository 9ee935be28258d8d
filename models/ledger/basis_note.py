"""The line beside a printed or exported 合计 of the case ledger where it counts otherwise than
the headline figures: the ledger lists every case, the figures leave out those found to owe
nothing (经核实不存在欠薪)."""
from __future__ import annotations

from models.ledger.fields import Ledger
from models.ledger.repo import LedgerRepo, Query


def basis_note(store, ledger: Ledger, query: Query) -> str:
    """"" where the 合计 and the figures agree."""
    if ledger.kind != "cases":
        return ""
    from models.figures import EXCLUDED
    repo = LedgerRepo(store, ledger)
    where, params = repo.where(query)
    n = store.scalar(f'SELECT COUNT(*) FROM "{ledger.table}" t WHERE {where} AND t.status = ?', [*params, EXCLUDED], 0)
    if not n:
        return ""
    return (f"注：合计含经核实不存在欠薪的问题 {n} 件（逐件列出，计入人数和金额）；首页、周调度材料和统计报表的"
            "欠薪总额、已兑付、涉及人数不含此类问题（口径见统计报表或 qingqian figures）。")
