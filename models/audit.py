"""Audit log written by triggers, so every path (window, import, command line)
records who changed what inside the same transaction as the change.

The triggers call ``qq_user()``, ``qq_now()``, ``qq_reason()`` and ``qq_bulk()``,
which ``models.db.Store`` registers on every connection.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any

# Columns kept up to date by other triggers: changes to them alone are not edits.
DERIVED_COLUMNS = {"w_count", "w_owed_fen", "w_paid_fen", "updated_at", "status_changed_at"}
SKIP_COLUMNS = {"updated_at"}


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    # table_xinfo lists generated columns too (hidden=2/3); audit only stored ones.
    return [r[1] for r in conn.execute(f'PRAGMA table_xinfo("{table}")') if r[6] in (0, 1)]


def _json_obj(cols: list[str], alias: str) -> str:
    parts = ", ".join(f"'{c}', {alias}.\"{c}\"" for c in cols if c not in SKIP_COLUMNS)
    return f"json_object({parts})"


def install_triggers(conn: sqlite3.Connection, table: str) -> None:
    """(Re)create the three audit triggers of one table from its current columns."""
    cols = _columns(conn, table)
    for action in ("insert", "update", "delete"):
        conn.execute(f'DROP TRIGGER IF EXISTS "audit_{table}_{action}"')
    has_uuid = "uuid" in cols
    uuid_new = "NEW.uuid" if has_uuid else "NULL"
    uuid_old = "OLD.uuid" if has_uuid else "NULL"
    conn.execute(f"""
        CREATE TRIGGER "audit_{table}_insert" AFTER INSERT ON "{table}" WHEN qq_bulk() = 0
        BEGIN
            INSERT INTO audit_log(at, user, table_name, record_id, record_uuid, action, before, after, reason)
            VALUES (qq_now(), qq_user(), '{table}', NEW.id, {uuid_new}, 'insert', NULL,
                    {_json_obj(cols, 'NEW')}, qq_reason());
        END""")
    watched = [c for c in cols if c not in DERIVED_COLUMNS]
    changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in watched) or "0"
    conn.execute(f"""
        CREATE TRIGGER "audit_{table}_update" AFTER UPDATE ON "{table}"
        WHEN qq_bulk() = 0 AND ({changed})
        BEGIN
            INSERT INTO audit_log(at, user, table_name, record_id, record_uuid, action, before, after, reason)
            VALUES (qq_now(), qq_user(), '{table}', NEW.id, {uuid_new},
                    CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'recycle'
                         WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN 'restore'
                         ELSE 'update' END,
                    {_json_obj(cols, 'OLD')}, {_json_obj(cols, 'NEW')}, qq_reason());
        END""" if "deleted_at" in cols else f"""
        CREATE TRIGGER "audit_{table}_update" AFTER UPDATE ON "{table}"
        WHEN qq_bulk() = 0 AND ({changed})
        BEGIN
            INSERT INTO audit_log(at, user, table_name, record_id, record_uuid, action, before, after, reason)
            VALUES (qq_now(), qq_user(), '{table}', NEW.id, {uuid_new}, 'update',
                    {_json_obj(cols, 'OLD')}, {_json_obj(cols, 'NEW')}, qq_reason());
        END""")
    conn.execute(f"""
        CREATE TRIGGER "audit_{table}_delete" AFTER DELETE ON "{table}" WHEN qq_bulk() = 0
        BEGIN
            INSERT INTO audit_log(at, user, table_name, record_id, record_uuid, action, before, after, reason)
            VALUES (qq_now(), qq_user(), '{table}', OLD.id, {uuid_old}, 'delete',
                    {_json_obj(cols, 'OLD')}, NULL, qq_reason());
        END""")


ACTION_LABELS = {"insert": "新增", "update": "修改", "delete": "删除", "recycle": "移入回收站",
                 "restore": "从回收站恢复", "bulk": "批量写入"}


def record_bulk(conn: sqlite3.Connection, table: str, summary: dict[str, Any], user: str) -> None:
    """One audit row standing for a bulk load done with per-row triggers off."""
    conn.execute(
        "INSERT INTO audit_log(at, user, table_name, record_id, record_uuid, action, before, after, reason)"
        " VALUES (qq_now(), ?, ?, NULL, NULL, 'bulk', NULL, ?, ?)",
        (user, table, json.dumps(summary, ensure_ascii=False), summary.get("reason", "")))


def history(conn: sqlite3.Connection, table: str, record_id: int) -> list[dict[str, Any]]:
    """Changes of one record, oldest first, with the fields that changed."""
    out = []
    for r in conn.execute(
            "SELECT id, at, user, action, before, after, reason FROM audit_log "
            "WHERE table_name = ? AND record_id = ? ORDER BY id", (table, record_id)):
        before = json.loads(r["before"]) if r["before"] else {}
        after = json.loads(r["after"]) if r["after"] else {}
        changed = sorted(k for k in set(before) | set(after)
                         if before.get(k) != after.get(k) and k not in ("id", "uuid"))
        out.append({"at": r["at"], "user": r["user"], "action": r["action"],
                    "action_label": ACTION_LABELS.get(r["action"], r["action"]),
                    "changed": changed, "before": before, "after": after, "reason": r["reason"]})
    return out
