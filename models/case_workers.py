"""Workers of a case (实名) and the repayments made to them."""
from __future__ import annotations

import datetime as _dt
from itertools import count, repeat
from typing import Sequence

from models.db import Store
from models.ledger import registry
from models.ledger.repo import LedgerRepo, ValidationError
from models.ledger.service import LedgerService, service
from models.money_ties import deposit_advances, paired, take_back_payments, worker_ties
from models.paid_rule import paid_problems
from models.values import fen_to_yuan_text


def unpaid_shares(store: Store, case_id: int, amount_fen: int) -> list[tuple[int, int]]:
    """An amount paid to a case split over its workers with wages unpaid, in order, each paid up
    to what they are still owed (empty when none is owed anything)."""
    shares, rest = [], amount_fen
    for w in store.query("SELECT id, owed_fen - paid_fen AS left FROM worker WHERE case_id = ? "
                         "AND deleted_at IS NULL AND paid_fen < owed_fen ORDER BY id", (case_id,)):
        take = min(rest, w["left"])
        shares.append((w["id"], take))
        rest -= take
        if rest == 0:
            break
    return shares


def workers_repo(store: Store) -> LedgerRepo:
    return LedgerRepo(store, registry.get("workers"))


def repayments_repo(store: Store) -> LedgerRepo:
    return LedgerRepo(store, registry.get("repayments"))


@service("workers")
class WorkerService(LedgerService):
    """A worker is listed once per case (by ID number)."""

    def check_new(self, row: dict) -> list[tuple[str, str]]:
        return _duplicate(self.store, row.get("case_id"), row.get("id_number", ""))

    def _duplicates_batch(self, rows: list[dict]) -> list[list[tuple[str, str]]]:
        """One query for all rows: the ID numbers already listed in the cases the rows go to."""
        none: list[tuple[str, str]] = []          # shared, never changed: most rows have no problem
        taken: dict[tuple, str] = {}
        cases = sorted({v.get("case_id") for v in rows} - {None})
        for start in range(0, len(cases), 500):
            part = cases[start:start + 500]
            for r in self.store.query("SELECT case_id, id_number, name FROM worker WHERE deleted_at IS NULL "
                                      f"AND id_number != '' AND case_id IN ({','.join('?' * len(part))})", part):
                taken.setdefault((r[0], r[1]), r[2])
        if not taken:                               # a first roster for its case: nothing to clash with
            return [none] * len(rows)
        out = []
        for v in rows:
            other = taken.get((v.get("case_id"), v.get("id_number")))
            out.append([("id_number", f"该身份证号码已登记在本问题的农民工“{other}”名下")] if other else [])
        return out

    def check_new_batch(self, rows: list[dict]) -> list[list[tuple[str, str]]]:
        out = self._duplicates_batch(rows)
        paid = map(dict.get, rows, repeat("paid_fen"))      # 已付 above 应付 (a file without 应发 owes 0)
        owed = map(dict.get, rows, repeat("owed_fen"))
        for i in [i for i, p, o in zip(count(), paid, owed) if p and p > (o or 0)]:
            out[i] = out[i] + paid_problems(self.store, rows[i], "该农民工")
        return out

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        merged = {**current, **changes}
        if {"paid_fen", "owed_fen"} & set(changes):
            found = paid_problems(self.store, merged, "该农民工", worker_id=record_id if "paid_fen" in changes else None)
            if found:
                return found
        if "id_number" in changes or "case_id" in changes:
            return _duplicate(self.store, merged["case_id"], merged.get("id_number", ""), record_id)
        return []

    def recycle(self, record_ids: Sequence[int], reason: str = "") -> None:
        """Refused for a worker paid from a fund or by an advance (``models.money_ties.worker_ties``):
        the fund would keep counting money paid to no one on the roster."""
        with self.store.tx(reason):
            for wid in record_ids:
                problems = worker_ties(self.store, wid)
                if problems:
                    raise ValidationError(problems, self.ledger)
            self.repo.recycle(record_ids, reason)


def _duplicate(store: Store, case_id, id_number: str, worker_id: int | None = None) -> list[tuple[str, str]]:
    if not id_number or not case_id:
        return []
    other = store.scalar("SELECT name FROM worker WHERE case_id = ? AND id_number = ? AND deleted_at IS NULL "
                         "AND id IS NOT ?", (case_id, id_number, worker_id))
    if other:
        return [("id_number", f"该身份证号码已登记在本问题的农民工“{other}”名下")]
    return []


@service("repayments")
class RepaymentService(LedgerService):
    """Money paid to a worker (raising their paid amount) or, for a case that lists no workers,
    to the case; never more than what is still owed, counting the other repayments of the same
    batch (an import)."""

    def check_new(self, row: dict) -> list[tuple[str, str]]:
        return self.check_new_batch([row])[0]

    def check_new_batch(self, rows: list[dict]) -> list[list[tuple[str, str]]]:
        """The cases and workers the rows pay are read once, then each row is checked in turn
        against what the rows before it have already paid."""
        cases = self._read("SELECT id, w_count, total_owed_fen, total_paid_fen FROM case_record",
                           {v.get("case_id") for v in rows})
        workers = self._read("SELECT id, case_id, name, owed_fen - paid_fen AS outstanding FROM worker "
                             "WHERE deleted_at IS NULL", {v.get("worker_id") for v in rows}, where=True)
        pending: dict[tuple[str, int], int] = {}       # ("w"|"c", id) -> paid by the rows before, this batch only
        return [self._check(v, cases, workers, pending) for v in rows]

    def _read(self, sql: str, ids: set, where: bool = False) -> dict:
        ids = sorted(i for i in ids if i is not None)
        out = {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            cond = f"{' AND' if where else ' WHERE'} id IN ({','.join('?' * len(part))})"
            for r in self.store.query(sql + cond, part):
                out[r["id"]] = r
        return out

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        return self._not_ahead(changes.get("paid_on"))

    def recycle(self, record_ids: Sequence[int], reason: str = "") -> None:
        """To the recycle bin with the fund allocation that paid it (as 撤销分配); refused for a
        payment an advance made and for a case marked 已化解 (``models.money_ties.take_back_payments``)."""
        take_back_payments(self.store, repayment_ids=record_ids, reason=reason)

    def restore(self, record_ids: Sequence[int], reason: str = "") -> None:
        """Back from the recycle bin with the fund allocation that paid it, held to the rules of
        a new repayment (``restore_payments``)."""
        restore_payments(self.store, repayment_ids=record_ids, reason=reason, today=self.today)

    def _not_ahead(self, paid_on) -> list[tuple[str, str]]:
        """A repayment is entered after the money is paid: a 兑付日期 after today is a slip of the
        keyboard (2062 for 2026), and would count in figures of days still to come."""
        today = self.today.isoformat()
        if isinstance(paid_on, str) and paid_on[:10] > today:
            return [("paid_on", f"兑付日期 {paid_on[:10]} 晚于今天（{today}）：兑付须在支付之后登记")]
        return []

    def _check(self, row: dict, cases: dict, workers: dict, pending: dict) -> list[tuple[str, str]]:
        ahead = self._not_ahead(row.get("paid_on"))
        if ahead:
            return ahead
        case_id = row.get("case_id")
        case = cases.get(case_id)
        if case is None:
            return [("case_id", "该问题不存在")]
        amount = int(row.get("amount_fen") or 0)
        wid = row.get("worker_id")
        if case["w_count"] > 0 and not wid:
            return [("worker_id", "本问题已列出农民工名单，兑付须落到具体农民工")]
        if wid:
            w = workers.get(wid)
            if w is None or w["case_id"] != case_id:
                return [("worker_id", "该农民工不属于本问题")]
            key, left, whose = ("w", wid), w["outstanding"], f"{w['name']}未付工资"
        else:
            key, left, whose = ("c", case_id), case["total_owed_fen"] - case["total_paid_fen"], "本问题未付金额"
        left -= pending.get(key, 0)
        if amount > left:
            return [("amount_fen", f"兑付金额超过{whose} {fen_to_yuan_text(max(left, 0))} 元")]
        pending[key] = pending.get(key, 0) + amount
        return []


def add_worker(store: Store, case_id: int, values: dict, reason: str = "") -> int:
    return WorkerService(store).insert({**values, "case_id": case_id}, reason)


def edit_worker(store: Store, worker_id: int, values: dict, reason: str = "") -> None:
    WorkerService(store).update(worker_id, values, reason)


def record_repayment(store: Store, case_id: int, values: dict, reason: str = "") -> int:
    """Money paid to a worker (raising their paid amount) or, for a case that lists no
    workers, to the case. Never more than what is still owed. ``reason``: a person's 修改理由
    (a worker of a signed ledger)."""
    return RepaymentService(store).insert({**values, "case_id": case_id}, reason)


def case_workers(store: Store, case_id: int) -> list[dict]:
    return [dict(r) for r in store.query(
        "SELECT id, name, owed_fen, paid_fen, owed_fen - paid_fen AS outstanding_fen FROM worker "
        "WHERE case_id = ? AND deleted_at IS NULL ORDER BY id", (case_id,))]


def restore_payments(store: Store, *, repayment_ids=(), allocation_ids=(), reason: str = "",
                     today: _dt.date | None = None) -> None:
    """Repayments and fund allocations back from the recycle bin, each with its other half (an
    allocation's repayment, a repayment's allocation), or nothing: refused when the fund has
    since spent the money elsewhere or is itself in the bin, or when the worker or case has since
    been paid so that the payment would pay more than is owed (the repayment's own rules, as
    for a new one). Restoring one half alone counted the money twice or not at all."""
    from models.fund_balance import balance
    svc = RepaymentService(store, today=today)
    with store.tx(reason, label="从回收站恢复兑付"):
        rids, aids = paired(store, repayment_ids, allocation_ids, live=False)
        allocs = [dict(r) for r in store.query(
            "SELECT a.id, a.fund_id, a.amount_fen, f.fund_no, f.deleted_at AS fund_gone, v.advance_no FROM fund_allocation a "
            "JOIN fund f ON f.id = a.fund_id LEFT JOIN advance v ON v.id = a.advance_id AND v.deleted_at IS NOT NULL "
            f"WHERE a.deleted_at IS NOT NULL AND a.id IN ({','.join('?' * len(aids)) or 'NULL'})",
            sorted(aids))]
        gone_advance = [a["advance_no"] for a in allocs if a["advance_no"]] + \
            list(deposit_advances(store, rids, live=False).values())
        if gone_advance:          # an advance's payments come back only with it (垫付从回收站恢复)
            raise ValidationError([("advance_id", f"该兑付是垫付 {gone_advance[0]} 的兑付，垫付在回收站中：请恢复垫付 "
                                                  f"{gone_advance[0]}（其分配与兑付随之恢复）")])
        need: dict[int, int] = {}
        for a in allocs:
            if a["fund_gone"]:
                raise ValidationError([("fund_id", f"清欠资金 {a['fund_no']} 已移入回收站，请先恢复该笔资金")])
            need[a["fund_id"]] = need.get(a["fund_id"], 0) + a["amount_fen"]
        for fid, amount in need.items():
            left = balance(store, fid)
            if amount > left:
                no = next(a["fund_no"] for a in allocs if a["fund_id"] == fid)
                raise ValidationError([("amount_fen", f"清欠资金 {no} 的余额 {fen_to_yuan_text(left)} 元已不足恢复的分配 "
                                                      f"{fen_to_yuan_text(amount)} 元（撤销后已另行分配），不能恢复")])
        rows = [dict(r) for r in store.query(
            f"SELECT * FROM repayment WHERE deleted_at IS NOT NULL AND id IN ({','.join('?' * len(rids)) or 'NULL'}) "
            "ORDER BY id", sorted(rids))]
        for row, problems in zip(rows, svc.check_new_batch(rows)):
            if problems:
                raise ValidationError([(f, f"兑付记录（{row['paid_on']}，{fen_to_yuan_text(row['amount_fen'])} 元）不能恢复：{m}")
                                       for f, m in problems], svc.ledger)
        if rows:
            svc.repo.restore([r["id"] for r in rows])
        for a in allocs:
            store.execute("UPDATE fund_allocation SET deleted_at = NULL WHERE id = ?", (a["id"],))
