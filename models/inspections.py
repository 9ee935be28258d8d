"""Operations of the 排查台账: numbering, open hazards and their 销号."""
from __future__ import annotations

import datetime as _dt
from typing import Callable

from models.db import Store
from models.ledger import registry
from models.ledger.repo import LedgerRepo, ValidationError, next_number
from models.ledger.service import LedgerService, service, service_for
from models.ledgers.inspections import OPEN_STATUSES


def repo(store: Store) -> LedgerRepo:
    return LedgerRepo(store, registry.get("inspections"))


def next_no(store: Store, day: _dt.date) -> str:
    return next_number(store, "inspection", "insp_no", f"PC{day.year}-")


def new_defaults(store: Store, today: _dt.date) -> dict:
    return {"insp_no": next_no(store, today), "inspected_on": today.isoformat(), "target_type": "工程项目",
            "status": "无隐患", "real_name": 1, "wage_account": 1, "gc_pays": 1, "deposit": 1,
            "notice_board": 1, "paid_in_full": 1}


@service("inspections")
class InspectionService(LedgerService):
    def defaults(self) -> dict:
        return new_defaults(self.store, self.today)


def open_hazards(store: Store, today: _dt.date) -> dict[str, int]:
    row = store.one("SELECT COUNT(*) AS n, COALESCE(SUM(rectify_by < ?), 0) AS late FROM inspection "
                    "WHERE deleted_at IS NULL AND status IN ('待整改', '整改中')", (today.isoformat(),))
    return {"open": row["n"], "overdue": row["late"]}


def banner(store: Store, today: _dt.date) -> str:
    c = open_hazards(store, today)
    if not c["open"]:
        return "排查发现的隐患均已整改销号。"
    late = f"，其中 {c['overdue']} 条已超过整改时限" if c["overdue"] else ""
    return f"未销号隐患 {c['open']} 条{late}。"


def decorator(store: Store, today: _dt.date) -> Callable[[dict], tuple[str | None, str]]:
    t = today.isoformat()

    def decorate(row: dict) -> tuple[str | None, str]:
        if row.get("status") in OPEN_STATUSES:
            if row.get("rectify_by") and row["rectify_by"] < t:
                return "#f8d7da", f"超过整改时限 {row['rectify_by']}，尚未销号"
            return "#fff3cd", f"隐患整改中，时限 {row.get('rectify_by') or '未定'}"
        return None, ""
    return decorate


def close_hazard(store: Store, inspection_id: int, closed_on: str | _dt.date, note: str = "",
                 reason: str = "") -> None:
    """销号: the hazard found in an inspection has been rectified. ``note`` (整改情况) is what was
    done, never a 修改理由; ``reason`` is the person's own, needed for a record of a ledger signed
    off since it was made (隐患整改销号 is only the program's label)."""
    closed_on = closed_on.isoformat() if isinstance(closed_on, _dt.date) else str(closed_on)
    r = repo(store)
    row = r.get(inspection_id)
    if row is None:
        raise ValidationError([("status", "该排查记录不存在")])
    if row["status"] not in OPEN_STATUSES:
        raise ValidationError([("status", f"整改状态为“{row['status']}”，无需销号")])
    values = {"status": "已销号", "closed_on": closed_on}
    if note:
        values["measures"] = (row["measures"] + "\n" if row["measures"] else "") + f"{closed_on} 销号：{note}"
    with store.tx((reason or "").strip(), label="隐患整改销号"):
        service_for(store, "inspections").update(inspection_id, values)
