"""The office decides the clashes a 专班回报包 left (``exchange_liaison_clash``).

Keeping the office's side changes no record; keeping the liaison's writes the liaison's values
into the record through the office's triggers, judged and audited as the liaison's change
(the audit rows name the liaison, their reason names the office account that decided). Each
decision is one transaction with an audit row of its own naming who decided and which side.
"""
from __future__ import annotations

import json

from models.db import Store
from models.ledger import effects
from models.exchange.liaison_apply import _liaison_actor, describe

SIDES = {"office": "办公室", "liaison": "联络员"}


class DecideError(Exception):
    """A decision that cannot be made; the message is one Chinese line, nothing changed."""


def clashes(store: Store, *, open_only: bool = True) -> list[dict]:
    """The clashes, oldest first, each as ``describe`` gives it (fields side by side)."""
    if not store.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'exchange_liaison_clash'"):
        return []
    where = " WHERE decision IS NULL" if open_only else ""
    return [describe(dict(r)) for r in store.query(f"SELECT * FROM exchange_liaison_clash{where} ORDER BY id")]


def open_count(store: Store) -> int:
    return len(clashes(store))


def record_title(store: Store, clash: dict) -> str:
    """What a person calls the record: a case's 编号, a worker's name, else the table and id."""
    table, rid = clash["table"], clash["record_id"]
    label = clash["table_label"]
    if rid is None:
        return f"{label}（办公室已删除）"
    cols = {r[1] for r in store.query(f'PRAGMA table_info("{table}")')}
    for c in ("case_no", "name", "item_no", "fund_no", "insp_no", "meeting_no", "arrear_no"):
        if c in cols:
            found = store.query(f'SELECT "{c}" FROM "{table}" WHERE id = ?', (rid,))
            if found and found[0][0]:
                return f"{label} {found[0][0]}"
    return f"{label} 第 {rid} 条"


def decide(store: Store, clash_id: int, keep: str) -> dict:
    """Decide one clash: ``keep`` is "office" or "liaison". Returns the clash as decided.
    Written through the store's own connection, in one transaction."""
    import sqlite3
    from models.db import PermissionDenied
    if keep not in SIDES:
        raise DecideError("裁定须为 office（保留办公室的值）或 liaison（采用联络员的值）")
    rows = store.query("SELECT * FROM exchange_liaison_clash WHERE id = ?", (clash_id,))
    if not rows:
        raise DecideError(f"没有第 {clash_id} 号待裁定的冲突")
    row = rows[0]
    if row["decision"]:
        raise DecideError(f"第 {clash_id} 号冲突已裁定（保留{SIDES.get(row['decision'], row['decision'])}的值）")
    if keep == "liaison" and row["kind"] == "missing":
        raise DecideError(f"第 {clash_id} 号冲突的记录办公室已删除，只能保留办公室的处理")
    copy = store.query("SELECT workstream_id FROM exchange_liaison_copy WHERE copy_id = ?", (row["copy_id"],))
    office = store.actor
    who = office.display_name if office is not None and not office.is_system else store.user
    liaison = _liaison_actor(store, {"name": row["liaison"]}, copy[0]["workstream_id"] if copy else None)
    reason = f"办公室（{who}）裁定采用联络员 {row['liaison']} 的修改（专班回报包第 {row['return_seq']} 号）"
    fields = json.loads(row["fields"])
    table = row["table_name"]
    note = {"冲突": clash_id, "表": table, "记录": row["record_id"], "保留": SIDES[keep] + "的值",
            "联络员": row["liaison"], "字段": [f["field"] for f in fields]}
    try:
        with store.tx(reason=reason):
            if keep == "liaison":
                store.actor = liaison        # judged and audited as the liaison's change
                try:
                    _write_liaison(store.conn, table, row, fields)
                finally:
                    store.actor = office
            store.execute("UPDATE exchange_liaison_clash SET decision = ?, decided_by = ?, decided_at = qq_now() "
                          "WHERE id = ?", (keep, who, clash_id))
            store.execute("INSERT INTO audit_log(at, user, table_name, record_id, record_uuid, action, after, reason) "
                          "VALUES (qq_now(), ?, ?, ?, ?, 'decide', ?, ?)",
                          (who, table, row["record_id"], row["record_uuid"], json.dumps(note, ensure_ascii=False),
                           f"裁定专班回报包冲突：保留{SIDES[keep]}的值"))
    except PermissionDenied as exc:
        raise DecideError(f"无法采用联络员的值（{exc}），第 {clash_id} 号冲突未裁定") from exc
    except sqlite3.IntegrityError as exc:
        raise DecideError(f"无法采用联络员的值（与办公室现有的记录冲突：{exc}），第 {clash_id} 号冲突未裁定") from exc
    return describe(dict(store.query("SELECT * FROM exchange_liaison_clash WHERE id = ?", (clash_id,))[0]))


def _write_liaison(conn, table: str, row, fields: list[dict]) -> None:
    with effects.tracking(conn, table, [row["record_id"]] if row["record_id"] is not None else (),
                          new_above=True):
        _write_row(conn, table, row, fields)


def _write_row(conn, table: str, row, fields: list[dict]) -> None:
    rid = row["record_id"]
    if row["op"] == "update":
        sets = {f["field"]: f["liaison"] for f in fields}
        sql = ", ".join(f'"{c}" = ?' for c in sets)
        conn.execute(f'UPDATE "{table}" SET {sql} WHERE id = ?', (*sets.values(), rid))
    elif row["op"] == "delete":
        conn.execute(f'DELETE FROM "{table}" WHERE id = ?', (rid,))
    else:                                   # an added record that clashed (e.g. the same 编号)
        values = {f["field"]: f["liaison"] for f in fields}
        sql = ", ".join(f'"{c}"' for c in values)
        conn.execute(f'INSERT INTO "{table}" ({sql}) VALUES ({", ".join("?" * len(values))})', tuple(values.values()))


def decide_all(store: Store, keep: str) -> list[dict]:
    """Decide every open clash the same way, each in its own transaction; stops at the first
    that cannot be decided (``DecideError``), the ones before it decided."""
    return [decide(store, c["id"], keep) for c in clashes(store)]
