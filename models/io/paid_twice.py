"""A repayment ledger imported after a roster whose 实发 already holds those payments (an exported
roster and an exported repayment ledger brought into a new database, in that order) would count
the money twice: each repayment raises its worker's 实发. The program cannot tell such a file from
new payments made since, so it says so: the rows whose worker's 实发 already holds money that no
repayment record accounts for, at least this row's amount, are named in a note."""
from __future__ import annotations

from models.values import fen_to_yuan_text


def note_paid_twice(store, plan) -> None:
    if plan.kind != "repayments":
        return
    rows = [r for r in plan.rows if r.action == "insert" and not r.problems and r.values.get("worker_id")]
    if not rows:
        return
    workers = sorted({r.values["worker_id"] for r in rows})
    loose: dict[int, int] = {}           # worker -> 实发 not accounted for by a live repayment
    for start in range(0, len(workers), 500):
        part = workers[start:start + 500]
        marks = ",".join("?" * len(part))
        for wid, paid, booked in store.query(
                f"SELECT w.id, w.paid_fen, COALESCE((SELECT SUM(p.amount_fen) FROM repayment p WHERE p.worker_id = w.id "
                f"AND p.deleted_at IS NULL), 0) FROM worker w WHERE w.id IN ({marks})", part):
            if (paid or 0) > booked:
                loose[wid] = paid - booked
    hits, total = [], 0
    for r in rows:
        wid, amount = r.values["worker_id"], int(r.values.get("amount_fen") or 0)
        if amount and loose.get(wid, 0) >= amount:
            loose[wid] -= amount
            hits.append(r.row)
            total += amount
    if hits:
        shown = "、".join(str(n) for n in hits[:10]) + (f" 等 {len(hits)} 行" if len(hits) > 10 else " 行")
        plan.notes.append(
            f"第 {shown}的兑付（合计 {fen_to_yuan_text(total)} 元）付给的农民工，其实发工资中已有同样多的钱没有兑付记录。"
            "如果这些兑付已经算在花名册的实发工资里（例如先导入了导出的花名册），导入后会重复计算已付金额；"
            "如果是之后新付的钱，照常导入即可。")
