"""Operations of the 清欠资金台账: saving a fund, allocating its money to cases (which records
the repayments it pays for) and cancelling an allocation. Each is one transaction."""
from __future__ import annotations

import datetime as _dt

from models.case_workers import record_repayment, restore_payments, unpaid_shares
from models.access import check_write
from models.db import PermissionDenied, Store, now_text
from models.fund_balance import allocated, balance, recovered  # noqa: F401 - the funds' figures, named here too
from models.ledger import effects, registry
from models.ledger.repo import LedgerRepo, ValidationError, next_number
from models.ledger.service import LedgerService, service
from models.ledgers.funds import CHANNEL_WORKSTREAM, REPAYMENT_CHANNEL, recovered_sql
from models.values import fen_to_yuan_text as _y


def repo(store: Store) -> LedgerRepo:
    return LedgerRepo(store, registry.get("funds"))


def allocations_repo(store: Store) -> LedgerRepo:
    return LedgerRepo(store, registry.get("fund_allocations"))


def next_fund_no(store: Store, day: _dt.date) -> str:
    return next_number(store, "fund", "fund_no", f"ZJ{day.year}-")


def new_fund_defaults(store: Store, today: _dt.date) -> dict:
    return {"fund_no": next_fund_no(store, today), "received_on": today.isoformat()}


def workstream_for_channel(store: Store, channel: str) -> int | None:
    name = CHANNEL_WORKSTREAM.get(channel, "")
    return store.scalar("SELECT w.id FROM workstream w JOIN campaign c ON c.id = w.campaign_id "
                        "WHERE w.name = ? ORDER BY c.is_current DESC, w.id LIMIT 1", (name,))


@service("funds")
class FundService(LedgerService):
    """A new fund is numbered and goes to the workstream of its channel; 到位金额 never drops
    below what has been allocated."""

    def defaults(self) -> dict:
        return new_fund_defaults(self.store, self.today)

    def prepare_new(self, rows: list[dict]) -> None:
        found: dict[str, int | None] = {}
        for v in rows:
            if not v.get("workstream_id") and v.get("channel"):
                ch = v["channel"]
                if ch not in found:
                    found[ch] = workstream_for_channel(self.store, ch)
                v["workstream_id"] = found[ch]
            else:
                v["workstream_id"] = v.get("workstream_id")

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        if "received_fen" in changes:
            done = allocated(self.store, record_id) - recovered(self.store, record_id)
            if changes["received_fen"] < done:
                return [("received_fen", f"本笔资金已分配 {_y(done)} 元（已扣除追回回流），到位金额不能改为少于已分配金额")]
        return []


def save_fund(store: Store, values: dict, record_id: int | None = None) -> int:
    """New fund, or an edit that never brings 到位金额 below what has been allocated."""
    return FundService(store).save(values, record_id)


def allocate(store: Store, fund_id: int, case_id: int, amount_fen: int, on: str | _dt.date, *,
             worker_id: int | None = None, notes: str = "", payer: str = "",
             advance_id: int | None = None, reason: str = "") -> list[int]:
    """Pay ``amount_fen`` of a fund to a case: one repayment per worker paid (the named worker, or
    the case's workers with wages still unpaid, in order), one allocation per repayment.
    Refused, with nothing written, beyond the fund's balance or the wages still owed.
    ``reason``: a person's 修改理由, needed when the case's ledger has been signed off."""
    on = on.isoformat() if isinstance(on, _dt.date) else str(on)
    amount_fen = int(amount_fen)
    if amount_fen <= 0:
        raise ValidationError([("amount_fen", "分配金额应大于零")])
    with store.tx(reason, label="清欠资金分配"):
        fund = store.one("SELECT id, fund_no, channel, source, received_fen, received_on, workstream_id FROM fund "
                         "WHERE id = ? AND deleted_at IS NULL", (fund_id,))
        if fund is None:
            raise ValidationError([("fund_id", "该笔清欠资金不存在或已移入回收站")])
        _may_spend(store, fund, "分配")
        left = balance(store, fund_id)
        if amount_fen > left:
            raise ValidationError([("amount_fen",
                                    f"分配金额 {_y(amount_fen)} 元超过资金 {fund['fund_no']} 的余额 {_y(left)} 元"
                                    f"（到位 {_y(fund['received_fen'])} 元，已分配 {_y(allocated(store, fund_id))} 元），"
                                    "不能超额分配")])
        if not fund["received_on"] or on < fund["received_on"]:
            raise ValidationError([("allocated_on", f"分配日期 {on} 早于资金到位日期 {fund['received_on'] or '（未到位）'}")])
        case = store.one("SELECT case_no, w_count, total_owed_fen - total_paid_fen AS outstanding FROM case_record "
                         "WHERE id = ? AND deleted_at IS NULL", (case_id,))
        if case is None:
            raise ValidationError([("case_id", "该欠薪问题不存在或已移入回收站")])
        if amount_fen > case["outstanding"]:
            raise ValidationError([("amount_fen", f"分配金额 {_y(amount_fen)} 元超过问题 {case['case_no']} "
                                                  f"尚未支付的 {_y(case['outstanding'])} 元")])
        if worker_id:
            shares = [(worker_id, amount_fen)]
        elif case["w_count"] > 0:
            shares = unpaid_shares(store, case_id, amount_fen)
        else:
            shares = [(None, amount_fen)]
        payment = {"paid_on": on, "channel": REPAYMENT_CHANNEL.get(fund["channel"], "其他"),
                   "payer": payer or "清欠资金专户", "voucher_no": fund["fund_no"],
                   "notes": notes or f"清欠资金 {fund['fund_no']}（{fund['channel']}）"}
        ids = []
        arepo = allocations_repo(store)
        for wid, part in shares:
            rid = record_repayment(store, case_id, {**payment, "worker_id": wid, "amount_fen": part})
            ids.append(arepo.insert({"fund_id": fund_id, "case_id": case_id, "worker_id": wid,
                                     "amount_fen": part, "allocated_on": on, "repayment_id": rid,
                                     "notes": notes, "advance_id": advance_id}))
        return ids


def cancel_allocation(store: Store, allocation_id: int, reason: str = "") -> None:
    """Take an allocation back: it and its repayment go to the recycle bin together, so the
    worker's paid amount and the fund's balance both return to what they were."""
    with store.tx(reason, label="撤销资金分配"):
        a = store.one("SELECT a.repayment_id, f.id, f.fund_no, f.workstream_id FROM fund_allocation a "
                      "LEFT JOIN fund f ON f.id = a.fund_id WHERE a.id = ? AND a.deleted_at IS NULL",
                      (allocation_id,))
        if a is None:
            raise ValidationError([("fund_id", "该分配记录不存在或已撤销")])
        if a["id"] is not None:
            _may_spend(store, a, "撤销分配")
        stamp = now_text()
        store.execute("UPDATE fund_allocation SET deleted_at = ? WHERE id = ?", (stamp, allocation_id))
        if a["repayment_id"]:
            with effects.tracking(store.conn, "repayment", [a["repayment_id"]]):
                store.execute("UPDATE repayment SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                              (stamp, a["repayment_id"]))


def _may_spend(store: Store, fund, what: str) -> None:
    """Allocating a fund's money (or taking it back) changes that fund's balance: only an account
    that may write the fund's own workstream may do it (each workstream keeps its own rows), as
    well as the case's, which the repayment's own guard asks."""
    ok, why = check_write(store.conn, store.actor, "fund", fund["workstream_id"], fund["id"])
    if not ok:
        owner = store.scalar("SELECT name FROM workstream WHERE id = ?", (fund["workstream_id"],)) \
            if fund["workstream_id"] else None
        if store.actor is not None and store.actor.workstream_id and store.actor.role != "领导":
            why = (f"该笔资金属于{owner or '未分配专班'}，专班填报员只能动用本专班的资金，"
                   "跨专班分配请由办公室账号办理")
        store.last_denial = f"无权{what}资金 {fund['fund_no']}：{why}"
        raise PermissionDenied(store.last_denial)


@service("fund_allocations")
class AllocationService(LedgerService):
    """An allocation comes back from the recycle bin with its repayment (``restore_payments``)."""

    def restore(self, record_ids, reason: str = "") -> None:
        restore_payments(self.store, allocation_ids=record_ids, reason=reason, today=self.today)


def fund_options(store: Store) -> list[dict]:
    """Funds with money left to allocate, for the allocation dialog."""
    return [dict(r) for r in store.query(
        f"SELECT f.id, f.fund_no, f.channel, f.source, f.received_on, f.received_fen + {recovered_sql('f')} - COALESCE("
        "(SELECT SUM(a.amount_fen) FROM fund_allocation a WHERE a.fund_id = f.id AND a.deleted_at IS NULL), 0) "
        "AS balance FROM fund f WHERE f.deleted_at IS NULL ORDER BY f.received_on, f.id")]


def open_cases(store: Store, limit: int = 3000) -> list[dict]:
    """Cases with wages still unpaid, biggest first (allocation targets)."""
    return [dict(r) for r in store.query(
        "SELECT id, case_no, employer_name, project_name, total_owed_fen - total_paid_fen AS outstanding "
        "FROM case_record WHERE deleted_at IS NULL AND total_paid_fen < total_owed_fen "
        "AND status NOT IN ('不存在欠薪') ORDER BY outstanding DESC LIMIT ?", (limit,))]
