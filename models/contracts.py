"""Operations of the 拖欠工程款台账: the repayment plan, paying an instalment (which also
raises 已付工程款, in one transaction) and the wage cases a contract arrear caused."""
from __future__ import annotations

import datetime as _dt

from models.db import Store, now_text
from models.ledger import registry
from models.ledger.repo import LedgerRepo, ValidationError, next_number
from models.ledger.service import LedgerService, service
from models.ledgers.contract_arrears import owed_sql, split_case_nos
from models.values import fen_to_yuan_text as _y


def repo(store: Store) -> LedgerRepo:
    return LedgerRepo(store, registry.get("contract_arrears"))


def instalments_repo(store: Store) -> LedgerRepo:
    return LedgerRepo(store, registry.get("contract_instalments"))


def next_no(store: Store, day: _dt.date) -> str:
    return next_number(store, "contract_arrear", "arrear_no", f"GCK{day.year}-")


def new_defaults(store: Store, today: _dt.date) -> dict:
    return {"arrear_no": next_no(store, today)}


@service("contract_arrears")
class ContractService(LedgerService):
    def defaults(self) -> dict:
        return new_defaults(self.store, self.today)


@service("contract_instalments")
class InstalmentService(LedgerService):
    """A repayment plan's instalments. 实还金额 is recorded through 登记还款 (``pay``), which adds
    it to the contract's 已付工程款 in the same transaction; an imported plan may bring its
    instalments' 实还金额 as history, and then 已付工程款 is raised to at least what the plan
    records as repaid (never counted twice when the contract's own figure already holds it)."""
    import_settable = ("paid_on", "paid_amount_fen")

    def after_insert(self, ids) -> None:
        self._cover(ids)

    def after_update(self, ids) -> None:
        self._cover(ids)

    def _cover(self, ids) -> None:
        ids = list(ids)
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            marks = ",".join("?" * len(part))
            contracts = [r[0] for r in self.store.query(
                f"SELECT DISTINCT contract_id FROM contract_instalment WHERE id IN ({marks})", part)]
            for cid in contracts:
                repaid = int(self.store.scalar(
                    "SELECT COALESCE(SUM(paid_amount_fen), 0) FROM contract_instalment "
                    "WHERE contract_id = ? AND deleted_at IS NULL", (cid,), 0))
                c = self.store.one("SELECT paid_fen, labour_fen FROM contract_arrear WHERE id = ?", (cid,))
                if c is not None and repaid > c["paid_fen"]:
                    left = owed(self.store, cid) - (repaid - c["paid_fen"])
                    repo(self.store).update(cid, {"paid_fen": repaid,
                                                  "labour_fen": max(0, min(c["labour_fen"], left))})

    def pay(self, instalment_id: int, amount_fen: int, on: str, reason: str = "") -> None:
        """Money the owner paid against one instalment: recorded on it and added to 已付工程款.
        ``reason``: a person's 修改理由, needed when the ledger has been signed off."""
        store = self.store
        with store.tx(reason, label="登记工程款还款"):
            i = store.one("SELECT contract_id, seq, amount_fen, paid_amount_fen FROM contract_instalment "
                          "WHERE id = ? AND deleted_at IS NULL", (instalment_id,))
            if i is None:
                raise ValidationError([("amount_fen", "该期还款计划不存在")])
            left = i["amount_fen"] - i["paid_amount_fen"]
            if amount_fen <= 0 or amount_fen > left:
                raise ValidationError([("paid_amount_fen", f"第{i['seq']}期尚余 {_y(left)} 元，还款金额应在 0 与此之间")])
            self.repo.update(instalment_id, {"paid_amount_fen": i["paid_amount_fen"] + amount_fen, "paid_on": on})
            c = store.one("SELECT paid_fen, labour_fen FROM contract_arrear WHERE id = ?", (i["contract_id"],))
            left = owed(store, i["contract_id"]) - amount_fen
            # wages come first: what is left of the labour cost never exceeds what is left owed
            repo(store).update(i["contract_id"], {"paid_fen": c["paid_fen"] + amount_fen,
                                                  "labour_fen": max(0, min(c["labour_fen"], left))})


def owed(store: Store, contract_id: int) -> int:
    return int(store.scalar(f"SELECT {owed_sql()} FROM contract_arrear t WHERE t.id = ?", (contract_id,), 0))


def set_plan(store: Store, contract_id: int, plan: list[tuple[str, int]], reason: str = "") -> list[int]:
    """Replace the unpaid part of the plan with ``plan`` = [(due date, amount in 分), …]; it must
    add up to no more than what is still owed. ``reason``: a person's 修改理由 (a signed ledger)."""
    ir = instalments_repo(store)
    with store.tx(reason, label="制定分期还款计划"):
        left = owed(store, contract_id) - int(store.scalar(
            "SELECT COALESCE(SUM(amount_fen - paid_amount_fen), 0) FROM contract_instalment "
            "WHERE contract_id = ? AND deleted_at IS NULL AND paid_amount_fen > 0", (contract_id,), 0))
        total = sum(int(a) for _d, a in plan)
        if total > left:
            raise ValidationError([("amount_fen", f"计划还款合计 {_y(total)} 元超过拖欠工程款 {_y(left)} 元")])
        store.execute("UPDATE contract_instalment SET deleted_at = ? "
                      "WHERE contract_id = ? AND deleted_at IS NULL AND paid_amount_fen = 0", (now_text(), contract_id))
        seq = int(store.scalar("SELECT COALESCE(MAX(seq), 0) FROM contract_instalment WHERE contract_id = ? "
                               "AND deleted_at IS NULL", (contract_id,), 0))
        ids = []
        for i, (due, amount) in enumerate(sorted(plan), 1):
            ids.append(ir.insert({"contract_id": contract_id, "seq": seq + i, "due_on": str(due),
                                  "amount_fen": int(amount)}))
        return ids


def pay_instalment(store: Store, instalment_id: int, amount_fen: int, on: str | _dt.date, reason: str = "") -> None:
    """Money the owner paid against one instalment: recorded on it and added to 已付工程款."""
    on = on.isoformat() if isinstance(on, _dt.date) else str(on)
    InstalmentService(store).pay(instalment_id, int(amount_fen), on, reason)


def linked_cases(store: Store, contract_id: int) -> list[dict]:
    """The wage cases listed against a contract arrear; unknown numbers come back with id None."""
    return cases_by_nos(store, store.scalar("SELECT case_nos FROM contract_arrear WHERE id = ?", (contract_id,), ""))


def cases_by_nos(store: Store, text: str | None) -> list[dict]:
    """The cases named in a 关联欠薪问题 cell, in its order; unknown numbers come back with id None."""
    nos = split_case_nos(text)
    if not nos:
        return []
    marks = ",".join("?" * len(nos))
    found = {r["case_no"]: dict(r) for r in store.query(
        "SELECT id, case_no, employer_name, status, total_workers, total_owed_fen, total_paid_fen FROM case_record "
        f"WHERE deleted_at IS NULL AND case_no IN ({marks})", nos)}
    return [found.get(n, {"id": None, "case_no": n}) for n in nos]
