"""Operations of the 信访台账: 集体访 and 重复访 as the program recognises them, saving a
petition (filling in what its linked case already says) and the page's summary line."""
from __future__ import annotations

import datetime as _dt
from typing import Callable

from models.db import Store
from models.ledger import registry
from models.ledger.repo import LedgerRepo
from models.ledger.service import LedgerService, service
from models.ledgers.petitions import COLLECTIVE_MIN, REPEAT_DAYS


def repo(store: Store) -> LedgerRepo:
    return LedgerRepo(store, registry.get("petitions"))


def is_collective(people: int | None) -> bool:
    return (people or 0) >= COLLECTIVE_MIN


def earlier_petitions(store: Store, petitioner: str, phone: str, employer_name: str, visited_on: str,
                      case_id: int | None = None, exclude_id: int | None = None) -> list[dict]:
    """Live petitions within 90 days before ``visited_on`` by the same person (name and phone) or
    on the same matter (the same linked case; without a case, the same employer): a petition
    with any of these is a 重复访."""
    day = _dt.date.fromisoformat(visited_on)
    since = (day - _dt.timedelta(days=REPEAT_DAYS)).isoformat()
    rows = store.query(
        "SELECT id, visited_on, petitioner, phone, employer_name, case_id, result FROM petition "
        "WHERE deleted_at IS NULL AND id IS NOT ? AND visited_on BETWEEN ? AND ? AND ((petitioner = ? AND phone = ?) "
        "OR (? IS NOT NULL AND case_id = ?) OR (? IS NULL AND ? != '' AND employer_name = ?)) ORDER BY visited_on, id",
        (exclude_id, since, visited_on, petitioner, phone or "", case_id, case_id, case_id,
         employer_name or "", employer_name or ""))
    out = []
    for r in rows:
        if r["visited_on"] == visited_on and exclude_id is not None and r["id"] > exclude_id:
            continue        # same day: only the one registered first counts as earlier
        out.append(dict(r))
    return out


def repeat_of(store: Store, petition_id: int) -> list[dict]:
    row = store.one("SELECT petitioner, phone, employer_name, visited_on, case_id FROM petition WHERE id = ?",
                    (petition_id,))
    if row is None:
        return []
    return earlier_petitions(store, row["petitioner"], row["phone"], row["employer_name"], row["visited_on"],
                             case_id=row["case_id"], exclude_id=petition_id)


def new_defaults(store: Store, today: _dt.date) -> dict:
    ws = store.scalar("SELECT w.id FROM workstream w JOIN campaign c ON c.id = w.campaign_id "
                      "WHERE w.name = '信访维稳工作专班' ORDER BY c.is_current DESC LIMIT 1")
    return {"visited_on": today.isoformat(), "people_count": 1, "channel": "来访", "result": "已登记",
            "workstream_id": ws}


@service("petitions")
class PetitionService(LedgerService):
    """A petition linked to a case takes the case's employer and workstream where left blank."""

    def defaults(self) -> dict:
        return new_defaults(self.store, self.today)

    def _from_case(self, v: dict, current: dict | None = None) -> None:
        case_id = v.get("case_id", (current or {}).get("case_id"))
        if not case_id:
            return
        c = self.store.one("SELECT employer_name, project_name, workstream_id FROM case_record WHERE id = ?",
                           (case_id,))
        if c is None:
            return
        merged = {**(current or {}), **v}
        if not merged.get("employer_name"):
            v["employer_name"] = c["employer_name"] or c["project_name"]
        if not merged.get("workstream_id"):
            v["workstream_id"] = c["workstream_id"]

    def prepare_new(self, rows: list[dict]) -> None:
        for v in rows:
            self._from_case(v)
            v.setdefault("employer_name", v.get("employer_name") or "")
            v["workstream_id"] = v.get("workstream_id")

    def prepare_change(self, record_id: int, current: dict, changes: dict) -> None:
        if "case_id" in changes or "employer_name" in changes or "workstream_id" in changes:
            self._from_case(changes, current)


def save_petition(store: Store, values: dict, record_id: int | None = None) -> int:
    """A petition linked to a case takes the case's employer and workstream where left blank."""
    return PetitionService(store).save(values, record_id)


def counts(store: Store, since: str | None = None) -> dict[str, int]:
    led = registry.get("petitions")
    rp = repo(store)
    coll = rp.column_sql(led.field("is_collective"))
    rep = rp.column_sql(led.field("is_repeat"))
    where, params = "t.deleted_at IS NULL", []
    if since:
        where += " AND t.visited_on >= ?"
        params.append(since)
    row = store.one(f"SELECT COUNT(*), COALESCE(SUM(t.people_count), 0), COALESCE(SUM({coll}), 0), "
                    f"COALESCE(SUM({rep}), 0) FROM petition t WHERE {where}", params)
    return {"petitions": row[0], "people": row[1], "collective": row[2], "repeat": row[3]}


def banner(store: Store, today: _dt.date) -> str:
    c = counts(store)
    week = counts(store, (today - _dt.timedelta(days=6)).isoformat())
    return (f"共登记信访 {c['petitions']} 件 {c['people']} 人次，其中集体访（{COLLECTIVE_MIN} 人及以上）"
            f"{c['collective']} 件、重复访（{REPEAT_DAYS} 日内同一人或同一事项再次信访）{c['repeat']} 件；"
            f"近 7 日 {week['petitions']} 件。")


def decorator(store: Store, today: _dt.date) -> Callable[[dict], tuple[str | None, str]]:
    def decorate(row: dict) -> tuple[str | None, str]:
        tips = []
        if row.get("is_collective"):
            tips.append(f"集体访（{row.get('people_count')} 人）")
        if row.get("is_repeat"):
            tips.append("重复访：90 日内同一来访人或同一事项已有信访")
        colour = "#f8d7da" if row.get("is_collective") else "#fff3cd" if row.get("is_repeat") else None
        return colour, "；".join(tips)
    return decorate
