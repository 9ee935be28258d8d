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
    """A repayment plan's instalments. 实还金额 is recorded through 登记还款 (``pay``): each payment
    is a dated record of its own (``contract_payment``), the instalment keeps the latest 实还日期
    and the sum, and 已付工程款 is raised in the same transaction. An imported plan may bring its
    instalments' 实还金额 as history, under the same rules as ``pay`` (never lowered, never dated
    in the future, no date without an amount): what it adds is recorded as one payment on its
    实还日期, and 已付工程款 is raised to at least what the plan records as repaid (never counted
    twice when the contract's own figure already holds it)."""
    import_settable = ("paid_on", "paid_amount_fen")

    def __init__(self, store: Store, ledger=None, *, today: _dt.date | None = None) -> None:
        super().__init__(store, ledger, today=today or store.today)     # the program's today, as qq_today()
        self._file_dates: dict[int, str] = {}      # an import's 实还日期 of the payment it adds

    def _today(self) -> str:
        return self.today.isoformat()

    def check_new(self, row: dict) -> list[tuple[str, str]]:
        return self._paid_problems({"paid_on": None, "paid_amount_fen": 0}, row)

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        if "paid_on" not in changes and "paid_amount_fen" not in changes:
            return []
        return self._paid_problems(current, {**current, **changes})

    def _paid_problems(self, current: dict, after: dict) -> list[tuple[str, str]]:
        """What ``pay`` holds to, for a row that sets 实还日期 / 实还金额 (an import)."""
        was, now = int(current.get("paid_amount_fen") or 0), int(after.get("paid_amount_fen") or 0)
        was_on, on = current.get("paid_on") or "", after.get("paid_on") or ""
        if now < was:
            return [("paid_amount_fen", f"实还金额 {_y(now)} 元低于已登记的 {_y(was)} 元：已登记的还款已计入已付工程款，"
                                        "不能由导入减少")]
        if on and not now:
            return [("paid_amount_fen", "填写了实还日期，须填写实还金额")]
        if now > was and not on:
            return [("paid_on", "已还款的期次须填写还款日期")]
        if now == was and on != was_on:
            return [("paid_on", "实还日期只随新的还款登记，已登记还款的日期不能由导入改动")]
        if now > was and on > self._today():
            return [("paid_on", f"还款日期 {on} 在今天（{self._today()}）之后")]
        return []

    def prepare_change(self, record_id: int, current: dict, changes: dict) -> None:
        # the instalment's 实还日期 is its latest payment's: an earlier one does not move it back
        if changes.get("paid_on"):
            self._file_dates[record_id] = changes["paid_on"]
            if current.get("paid_on") and changes["paid_on"] < current["paid_on"]:
                changes["paid_on"] = current["paid_on"]

    def after_insert(self, ids) -> None:
        self._record_payments(ids)
        self._cover(ids)

    def after_update(self, ids) -> None:
        self._record_payments(ids)
        self._cover(ids)

    def _record_payments(self, ids) -> None:
        """What an instalment records as repaid beyond its payments (an import's history): one
        payment of the difference, on the date the file gives (or its 实还日期)."""
        ids = list(ids)
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            marks = ",".join("?" * len(part))
            for r in self.store.query(
                    "SELECT i.id, i.paid_on, i.paid_amount_fen - COALESCE((SELECT SUM(p.amount_fen) FROM "
                    "contract_payment p WHERE p.instalment_id = i.id AND p.deleted_at IS NULL), 0) AS more "
                    f"FROM contract_instalment i WHERE i.id IN ({marks}) AND i.deleted_at IS NULL", part):
                if r["more"] > 0 and r["paid_on"]:
                    on = self._file_dates.get(r["id"], r["paid_on"])
                    self.store.insert("contract_payment", {"instalment_id": r["id"], "paid_on": on,
                                                           "amount_fen": r["more"], "notes": "导入的实还金额"})

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

    def pay(self, instalment_id: int, amount_fen: int, on: str, reason: str = "") -> int:
        """Money the owner paid against one instalment, on ``on``: a payment of its own, added to
        the instalment's 实还金额 and to 已付工程款. Refused when dated in the future or before the
        contract could have been paid under the plan. ``reason``: a person's 修改理由, needed
        when the ledger has been signed off. Returns the payment's id."""
        store = self.store
        with store.tx(reason, label="登记工程款还款"):
            i = store.one("SELECT i.contract_id, i.seq, i.amount_fen, i.paid_amount_fen, i.paid_on, c.arrear_no, "
                          "c.created_at FROM contract_instalment i JOIN contract_arrear c ON c.id = i.contract_id "
                          "WHERE i.id = ? AND i.deleted_at IS NULL AND c.deleted_at IS NULL", (instalment_id,))
            if i is None:
                raise ValidationError([("amount_fen", "该期还款计划不存在")])
            left = i["amount_fen"] - i["paid_amount_fen"]
            if amount_fen <= 0 or amount_fen > left:
                raise ValidationError([("paid_amount_fen", f"第{i['seq']}期尚余 {_y(left)} 元，还款金额应在 0 与此之间")])
            problem = self.date_problem(on, i["arrear_no"], i["created_at"])
            if problem:
                raise ValidationError([("paid_on", problem)])
            pid = store.insert("contract_payment", {"instalment_id": instalment_id, "paid_on": on,
                                                    "amount_fen": amount_fen})
            self.repo.update(instalment_id, {"paid_amount_fen": i["paid_amount_fen"] + amount_fen,
                                             "paid_on": max(i["paid_on"] or "", on)})
            c = store.one("SELECT paid_fen, labour_fen FROM contract_arrear WHERE id = ?", (i["contract_id"],))
            left = owed(store, i["contract_id"]) - amount_fen
            # wages come first: what is left of the labour cost never exceeds what is left owed
            repo(store).update(i["contract_id"], {"paid_fen": c["paid_fen"] + amount_fen,
                                                  "labour_fen": max(0, min(c["labour_fen"], left))})
            return pid

    def date_problem(self, on: str, arrear_no: str, created_at: str | None) -> str:
        """A payment date no instalment of this contract can have: after today, or before the
        contract was on the ledger (its entry day, or the campaign's start when it was entered
        later: a clerk enters the campaign's earlier payments afterwards)."""
        today = self._today()
        if on > today:
            return f"还款日期 {on} 在今天（{today}）之后"
        entered = str(created_at or "")[:10]
        start = self.store.scalar("SELECT MIN(start_date) FROM campaign WHERE is_current = 1", default=None)
        earliest = min(d for d in (entered, start or entered) if d) if entered else (start or "")
        if earliest and on < earliest:
            return (f"还款日期 {on} 早于拖欠工程款 {arrear_no} 登记入账（{entered}）"
                    + (f"和本次专项行动开始（{start}）" if start and start < entered else "") + "，请核对日期")
        return ""


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


def pay_instalment(store: Store, instalment_id: int, amount_fen: int, on: str | _dt.date, reason: str = "",
                   today: _dt.date | None = None) -> int:
    """Money the owner paid against one instalment: a dated payment, added to the instalment's
    实还金额 and to 已付工程款. Returns the payment's id."""
    on = on.isoformat() if isinstance(on, _dt.date) else str(on)
    return InstalmentService(store, today=today).pay(instalment_id, int(amount_fen), on, reason)


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
