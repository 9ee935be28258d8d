"""Asset items of the four fund-raising workstreams: saving, moving through the stages in
their order, and turning income into a 清欠资金台账 row."""
from __future__ import annotations

import datetime as _dt
from typing import Sequence

from models.db import Store
from models.ledger import registry
from models.ledger.repo import LedgerRepo, ValidationError, next_number
from models.ledger.service import LedgerService, service
from models.ledgers.assets import CATEGORY_CHANNEL, CATEGORY_WORKSTREAM, FINAL_STAGE, STAGES
from models.money_ties import fund_ties
from models.values import fen_to_yuan_text as _y

PREFIX = {"国有资产": "GZ", "宅基地": "ZJD", "产业设施": "CY", "项目库": "XM"}


def repo(store: Store) -> LedgerRepo:
    return LedgerRepo(store, registry.get("assets"))


def next_item_no(store: Store, category: str) -> str:
    return next_number(store, "asset_item", "item_no", PREFIX.get(category, "ZC") + "-")


def new_item_defaults(store: Store, today: _dt.date) -> dict:
    return {"category": "国有资产"}


def _ws(store: Store, name: str) -> int | None:
    return store.scalar("SELECT w.id FROM workstream w JOIN campaign c ON c.id = w.campaign_id "
                        "WHERE w.name = ? ORDER BY c.is_current DESC, w.id LIMIT 1", (name,))


@service("assets")
class AssetService(LedgerService):
    """A new item starts at its category's first stage (an imported one may bring its stage);
    its number and workstream are filled in; the category is fixed once it has moved on."""

    def defaults(self) -> dict:
        return new_item_defaults(self.store, self.today)

    def prepare_new(self, rows: list[dict]) -> None:
        numbers: dict[str, int] = {}
        wss: dict[str, int | None] = {}
        for v in rows:
            cat = v["category"] = v.get("category") or "国有资产"
            if not v.get("stage"):
                v["stage"] = STAGES.get(cat, ("",))[0]
            v["stage_on"] = v.get("stage_on") or self.today.isoformat()
            if not v.get("item_no"):
                prefix = PREFIX.get(cat, "ZC") + "-"
                if prefix not in numbers:
                    numbers[prefix] = int(next_item_no(self.store, cat)[len(prefix):]) - 1
                numbers[prefix] += 1
                v["item_no"] = f"{prefix}{numbers[prefix]:03d}"
            if not v.get("workstream_id"):
                name = CATEGORY_WORKSTREAM.get(cat, "")
                if name not in wss:
                    wss[name] = _ws(self.store, name)
                v["workstream_id"] = wss[name]

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        if changes.get("category") and current["stage"] not in ("", STAGES.get(current["category"], ("",))[0]):
            return [("category", "事项已推进，不能再改类别")]
        return []

    def recycle(self, record_ids: Sequence[int], reason: str = "") -> None:
        """An item whose income formed a 清欠资金 goes to the recycle bin with that fund (they were
        made together, ``record_income``): refused while the fund has paid cases or is shared
        with another item (``models.money_ties.fund_ties``)."""
        with self.store.tx(reason):
            gone = set(record_ids)
            fund_ids = []
            for r in self.store.query(
                    f"SELECT a.item_no, a.fund_id, f.fund_no FROM asset_item a JOIN fund f ON f.id = a.fund_id "
                    f"AND f.deleted_at IS NULL WHERE a.deleted_at IS NULL AND a.id IN ({','.join('?' * len(gone)) or 'NULL'})",
                    sorted(gone)):
                problems = fund_ties(self.store, r["fund_id"], with_assets=False, then="再把事项移入回收站")
                others = [o["item_no"] for o in self.store.query(
                    "SELECT id, item_no FROM asset_item WHERE fund_id = ? AND deleted_at IS NULL", (r["fund_id"],))
                    if o["id"] not in gone]
                if others:
                    problems.append(("fund_id", f"资金 {r['fund_no']} 还由事项 {'、'.join(others)} 的收入共同形成"))
                if problems:
                    raise ValidationError([(f, f"事项 {r['item_no']} 已形成清欠资金 {r['fund_no']}，不能移入回收站：{m}")
                                           for f, m in problems], self.ledger)
                fund_ids.append(r["fund_id"])
            self.repo.recycle(record_ids, reason)
            if fund_ids:
                LedgerRepo(self.store, registry.get("funds")).recycle(sorted(set(fund_ids)), reason)

    def restore(self, record_ids: Sequence[int], reason: str = "") -> None:
        """Back from the recycle bin with the fund its income formed."""
        with self.store.tx(reason):
            self.repo.restore(record_ids, reason)
            fund_ids = [r["fund_id"] for r in self.store.query(
                "SELECT DISTINCT a.fund_id FROM asset_item a JOIN fund f ON f.id = a.fund_id AND f.deleted_at IS NOT NULL "
                f"WHERE a.id IN ({','.join('?' * len(record_ids)) or 'NULL'})", list(record_ids))]
            if fund_ids:
                LedgerRepo(self.store, registry.get("funds")).restore(fund_ids, reason)


def save_item(store: Store, values: dict, record_id: int | None = None, today: _dt.date | None = None) -> int:
    """A new item starts at its category's first stage; its number and workstream are filled in."""
    return AssetService(store, today=today).save(values, record_id)


def next_stages(category: str, stage: str) -> list[str]:
    order = STAGES.get(category, ())
    if stage not in order:
        return list(order)
    return list(order[order.index(stage) + 1:])


def advance_stage(store: Store, item_id: int, to_stage: str, on: str | _dt.date, note: str = "",
                  reason: str = "") -> None:
    """Forward to any later stage of the item's category; back by one stage only with a reason.
    The final stage is reached through ``record_income`` (it needs the money)."""
    on = on.isoformat() if isinstance(on, _dt.date) else str(on)
    r = repo(store)
    with store.tx(reason, label=f"推进至“{to_stage}”"):
        row = r.get(item_id)
        if row is None:
            raise ValidationError([("stage", "该事项不存在")])
        order = STAGES[row["category"]]
        if to_stage not in order:
            raise ValidationError([("stage", f"{row['category']}没有“{to_stage}”这一进度")])
        here = order.index(row["stage"]) if row["stage"] in order else -1
        there = order.index(to_stage)
        if there == here:
            raise ValidationError([("stage", f"已处于“{to_stage}”")])
        if there < here:
            if there != here - 1 or not reason:
                raise ValidationError([("stage", "进度只能逐级退回一步，并须写明退回原因")])
            if row["fund_id"]:
                raise ValidationError([("stage", "已形成清欠资金的事项不能退回")])
        if to_stage == FINAL_STAGE[row["category"]]:
            raise ValidationError([("stage", f"“{to_stage}”须登记到账金额（用“收入到账”办理）")])
        if row["stage_on"] and on < row["stage_on"]:
            raise ValidationError([("stage_on", f"日期 {on} 早于上一进度日期 {row['stage_on']}")])
        values = {"stage": to_stage, "stage_on": on}
        if note:
            values["progress_note"] = (row["progress_note"] + "\n" if row["progress_note"] else "") + f"{on} {note}"
        r.update(item_id, values, reason)


def record_income(store: Store, item_id: int, amount_fen: int, on: str | _dt.date, *,
                  fund_no: str | None = None, source: str = "", reason: str = "",
                  today: _dt.date | None = None) -> int:
    """The money an item brought in: the item reaches its final stage and a 清欠资金 row of the
    matching channel is created with it as 到位金额. Returns the fund id."""
    from models import funds
    on_d = on if isinstance(on, _dt.date) else _dt.date.fromisoformat(str(on))
    if int(amount_fen) <= 0:
        raise ValidationError([("income_fen", "到账金额应大于零")])
    r = repo(store)
    with store.tx(reason, label="收入到账，形成清欠资金"):
        row = r.get(item_id)
        if row is None:
            raise ValidationError([("income_fen", "该事项不存在")])
        if row["fund_id"]:
            raise ValidationError([("income_fen", f"该事项已形成清欠资金 {row['fund_id__label']}")])
        order = STAGES[row["category"]]
        if row["stage"] != order[-2]:
            raise ValidationError([("stage", f"进度为“{row['stage'] or '未填'}”，须先推进到“{order[-2]}”才能登记收入到账")])
        if row["stage_on"] and on_d.isoformat() < row["stage_on"]:
            raise ValidationError([("stage_on", f"到账日期早于上一进度日期 {row['stage_on']}")])
        if row["category"] == "项目库" and row["applied_fen"] and amount_fen > row["applied_fen"]:
            raise ValidationError([("income_fen", f"到位金额超过申请金额 {_y(row['applied_fen'])} 元")])
        channel = CATEGORY_CHANNEL[row["category"]]
        fund_id = funds.save_fund(store, {
            "fund_no": fund_no or funds.next_fund_no(store, on_d), "channel": channel,
            "source": source or row["name"], "workstream_id": row["workstream_id"],
            "planned_fen": max(int(amount_fen), row["appraised_fen"] or row["applied_fen"] or 0),
            "received_fen": int(amount_fen), "received_on": on_d.isoformat(),
            "notes": f"由{row['category']}事项 {row['item_no']} 形成"}, today=today)
        r.update(item_id, {"income_fen": int(amount_fen), "fund_id": fund_id,
                           "stage": FINAL_STAGE[row["category"]], "stage_on": on_d.isoformat()})
        return fund_id
