"""Operations of the 清欠资金台账: saving a fund, allocating its money to cases (which records
the repayments it pays for) and cancelling an allocation. Each is one transaction."""
from __future__ import annotations

import datetime as _dt

from models.case_workers import record_repayment, restore_payments, unpaid_shares
from models.db import Store
from models.fund_balance import allocated, balance, recovered  # noqa: F401 - the funds' figures, named here too
from models.ledger import registry
from models.ledger.repo import LedgerRepo, ValidationError, next_number
from models.ledger.service import LedgerService, service
from models.ledgers.funds import CHANNEL_WORKSTREAM, REPAYMENT_CHANNEL, recovered_sql
from models.money_ties import fund_ties, may_spend as _may_spend, take_back_payments
from models.values import fen_to_yuan_text as _y

EXCLUDED = "不存在欠薪"        # a case verified groundless: no wages owed, so no money paid to it (models.figures)


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

    def check_new(self, row: dict) -> list[tuple[str, str]]:
        return self._not_ahead(row.get("received_on"))

    def _not_ahead(self, value) -> list[tuple[str, str]]:
        """Money counts from the day it arrived: a 到位日期 after today is not money in hand."""
        day = str(value or "")[:10]
        if day and day > self.today.isoformat():
            return [("received_on", f"到位日期 {day} 晚于今天（{self.today.isoformat()}）：资金到位后才能登记")]
        return []

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        """The money already spent holds a fund in place: 到位金额 never below what is allocated
        (less what came back), nor changed on a fund an asset item's income formed; 到位日期 never
        after today nor after the first allocation; 筹措渠道 not changed once allocations paid
        through its channel or advances (which need 应急周转金) use the fund."""
        out: list[tuple[str, str]] = []
        no = current.get("fund_no") or ""
        if "received_fen" in changes:
            done = allocated(self.store, record_id) - recovered(self.store, record_id)
            if changes["received_fen"] < done:
                out.append(("received_fen", f"本笔资金已分配 {_y(done)} 元（已扣除追回回流），到位金额不能改为少于已分配金额"))
            items = [r["item_no"] for r in self.store.query(
                "SELECT item_no FROM asset_item WHERE fund_id = ? AND deleted_at IS NULL ORDER BY id", (record_id,))]
            if items:
                out.append(("received_fen", f"资金 {no} 的到位金额由资产事项 {'、'.join(items)} 的收入形成，"
                                            "不能在清欠资金台账中修改"))
        if "received_on" in changes:
            day = str(changes["received_on"] or "")[:10]
            first = self.store.scalar("SELECT MIN(allocated_on) FROM fund_allocation WHERE fund_id = ? "
                                      "AND deleted_at IS NULL", (record_id,))
            ahead = self._not_ahead(day)
            if ahead:
                out += ahead
            elif first and (not day or day > first):
                out.append(("received_on", f"资金 {no} 已于 {first} 起分配，到位日期不能晚于首笔分配日期"))
        if "channel" in changes:
            new = changes["channel"]
            advances = [r["advance_no"] for r in self.store.query(
                "SELECT advance_no FROM advance WHERE fund_id = ? AND deleted_at IS NULL ORDER BY id", (record_id,))]
            paid = self.store.scalar("SELECT COUNT(*) FROM fund_allocation WHERE fund_id = ? AND deleted_at IS NULL",
                                     (record_id,), 0)
            if advances and new != "应急周转金":
                out.append(("channel", f"资金 {no} 为垫付 {'、'.join(advances)} 的资金来源，垫付须动用应急周转金，"
                                       f"筹措渠道不能改为“{new}”"))
            elif paid and REPAYMENT_CHANNEL.get(new) != REPAYMENT_CHANNEL.get(current.get("channel")):
                out.append(("channel", f"资金 {no} 已分配兑付 {paid} 笔（兑付渠道“{REPAYMENT_CHANNEL.get(current.get('channel'))}”），"
                                       "筹措渠道不能再改；如确属登记有误，请先撤销分配"))
        return out

    def recycle(self, record_ids, reason: str = "") -> None:
        """Refused while the fund has paid cases (its allocations, its advances) or an asset item
        not in the bin formed it: the money would stay on the workers and leave the fund ledger."""
        with self.store.tx(reason):
            for fid in record_ids:
                problems = fund_ties(self.store, fid)
                if problems:
                    raise ValidationError(problems, self.ledger)
            self.repo.recycle(record_ids, reason)

    def restore(self, record_ids, reason: str = "") -> None:
        """A fund an asset item formed comes back with that item (``AssetService.restore``)."""
        with self.store.tx(reason):
            for fid in record_ids:
                items = [f"{r['item_no']}（{r['name']}）" for r in self.store.query(
                    "SELECT item_no, name FROM asset_item WHERE fund_id = ? AND deleted_at IS NOT NULL "
                    "AND NOT EXISTS (SELECT 1 FROM asset_item b WHERE b.fund_id = ? AND b.deleted_at IS NULL) "
                    "ORDER BY id", (fid, fid))]
                if items:
                    raise ValidationError([("fund_id", f"该笔资金由资产事项 {'、'.join(items)} 的收入形成，该事项在回收站中："
                                                       "请恢复该事项（所形成的资金随之恢复）")], self.ledger)
            self.repo.restore(record_ids, reason)


def save_fund(store: Store, values: dict, record_id: int | None = None, *, today: _dt.date | None = None) -> int:
    """New fund, or an edit that never brings 到位金额 below what has been allocated."""
    return FundService(store, today=today).save(values, record_id)


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
        case = store.one("SELECT case_no, w_count, status, registered_on, total_owed_fen - total_paid_fen AS outstanding "
                         "FROM case_record WHERE id = ? AND deleted_at IS NULL", (case_id,))
        if case is None:
            raise ValidationError([("case_id", "该欠薪问题不存在或已移入回收站")])
        if case["status"] == EXCLUDED:
            raise ValidationError([("case_id", f"问题 {case['case_no']} 经核实{EXCLUDED}，不能分配清欠资金")])
        if case["registered_on"] and on < str(case["registered_on"])[:10]:
            raise ValidationError([("allocated_on", f"分配日期 {on} 早于问题 {case['case_no']} 的登记日期 "
                                                    f"{str(case['registered_on'])[:10]}")])
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
    worker's paid amount and the fund's balance both return to what they were. Refused for an
    allocation an advance made (the advance goes with it) and when its case is marked 已化解
    (``models.money_ties.take_back_payments``)."""
    with store.tx(reason, label="撤销资金分配"):
        if store.scalar("SELECT id FROM fund_allocation WHERE id = ? AND deleted_at IS NULL", (allocation_id,)) is None:
            raise ValidationError([("fund_id", "该分配记录不存在或已撤销")])
        take_back_payments(store, allocation_ids=[allocation_id])


@service("fund_allocations")
class AllocationService(LedgerService):
    """An allocation goes to the recycle bin and comes back from it with its repayment, as 撤销分配
    takes them (``take_back_payments``, ``restore_payments``)."""

    def recycle(self, record_ids, reason: str = "") -> None:
        take_back_payments(self.store, allocation_ids=record_ids, reason=reason, label="资金分配移入回收站")

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
        f"AND status != '{EXCLUDED}' ORDER BY outstanding DESC LIMIT ?", (limit,))]
