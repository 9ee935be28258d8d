"""Workers of a case (实名) and the repayments made to them."""
from __future__ import annotations

from models.db import Store
from models.ledger import registry
from models.ledger.repo import LedgerRepo, ValidationError
from models.values import fen_to_yuan_text


def workers_repo(store: Store) -> LedgerRepo:
    return LedgerRepo(store, registry.get("workers"))


def repayments_repo(store: Store) -> LedgerRepo:
    return LedgerRepo(store, registry.get("repayments"))


def _duplicate_check(store: Store, case_id: int, id_number: str, worker_id: int | None = None) -> None:
    if not id_number:
        return
    other = store.scalar("SELECT name FROM worker WHERE case_id = ? AND id_number = ? AND deleted_at IS NULL "
                         "AND id IS NOT ?", (case_id, id_number, worker_id))
    if other:
        raise ValidationError([("id_number", f"该身份证号码已登记在本问题的农民工“{other}”名下")])


def add_worker(store: Store, case_id: int, values: dict) -> int:
    values = {**values, "case_id": case_id}
    _duplicate_check(store, case_id, values.get("id_number", ""))
    return workers_repo(store).insert(values)


def edit_worker(store: Store, worker_id: int, values: dict, reason: str = "") -> None:
    row = store.one("SELECT case_id FROM worker WHERE id = ?", (worker_id,))
    if row is None:
        raise ValidationError([("name", "该农民工记录不存在")])
    if "id_number" in values:
        _duplicate_check(store, row["case_id"], values["id_number"], worker_id)
    workers_repo(store).update(worker_id, values, reason)


def record_repayment(store: Store, case_id: int, values: dict) -> int:
    """Money paid to a worker (raising their paid amount) or, for a case that lists no
    workers, to the case. Never more than what is still owed."""
    case = store.one("SELECT w_count, total_owed_fen, total_paid_fen FROM case_record WHERE id = ?", (case_id,))
    if case is None:
        raise ValidationError([("case_id", "该问题不存在")])
    amount = int(values.get("amount_fen") or 0)
    wid = values.get("worker_id")
    if case["w_count"] > 0 and not wid:
        raise ValidationError([("worker_id", "本问题已列出农民工名单，兑付须落到具体农民工")])
    if wid:
        w = store.one("SELECT name, owed_fen - paid_fen AS outstanding FROM worker "
                      "WHERE id = ? AND case_id = ? AND deleted_at IS NULL", (wid, case_id))
        if w is None:
            raise ValidationError([("worker_id", "该农民工不属于本问题")])
        if amount > w["outstanding"]:
            raise ValidationError([("amount_fen", f"兑付金额超过{w['name']}未付工资 {fen_to_yuan_text(w['outstanding'])} 元")])
    else:
        outstanding = case["total_owed_fen"] - case["total_paid_fen"]
        if amount > outstanding:
            raise ValidationError([("amount_fen", f"兑付金额超过本问题未付金额 {fen_to_yuan_text(outstanding)} 元")])
    return repayments_repo(store).insert({**values, "case_id": case_id})


def case_workers(store: Store, case_id: int) -> list[dict]:
    return [dict(r) for r in store.query(
        "SELECT id, name, owed_fen, paid_fen, owed_fen - paid_fen AS outstanding_fen FROM worker "
        "WHERE case_id = ? AND deleted_at IS NULL ORDER BY id", (case_id,))]
