"""Audit and guard triggers, generator version 2: a frozen copy of what ``models.audit.install_triggers``
and ``models.access.install_guard_triggers`` wrote when step 19 shipped.

What changed from version 1 (the guard only; the audit triggers are version 1's, unchanged):
- the signed-ledger lock no longer covers the ``account`` table (log-in bookkeeping, a new
  password) nor ``signoff``: they hold no ledger records. Who may write them is still guarded.
- a record with neither a workstream nor a case of its own belongs to its parent's workstream:
  an advance's recovery (``advance_id``), a contract's instalment (``contract_id``), an
  instalment's payment (``instalment_id``). Version 1 gave them none, so every 专班填报员 was
  refused and the signed lock never applied.

Frozen means this file never changes (see ``triggers_v1``): a later change is a ``triggers_v3``.
"""
from __future__ import annotations

import sqlite3

from models.migration_steps.triggers_v1 import REFUSED, SIGNED, UNGUARDED, install_audit

VERSION = 2

NOT_SIGNED = {"account", "signoff"}
PARENT_WORKSTREAM = {
    "advance_id": "(SELECT workstream_id FROM advance WHERE id = {v})",
    "contract_id": "(SELECT workstream_id FROM contract_arrear WHERE id = {v})",
    "instalment_id": ("(SELECT c.workstream_id FROM contract_instalment i JOIN contract_arrear c "
                      "ON c.id = i.contract_id WHERE i.id = {v})"),
}


def _workstream_expr(conn: sqlite3.Connection, table: str, alias: str) -> str:
    cols = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
    if "workstream_id" in cols:
        return f"{alias}.workstream_id"
    if "case_id" in cols:
        return f"(SELECT workstream_id FROM case_record WHERE id = {alias}.case_id)"
    for col, sql in PARENT_WORKSTREAM.items():
        if col in cols:
            return sql.format(v=f"{alias}.{col}")
    return "NULL"


def install_guard(conn: sqlite3.Connection, table: str) -> None:
    """(Re)create the three guard triggers (who may write, signed ledgers) of one table."""
    if table in UNGUARDED:
        return
    for action in ("insert", "update", "delete"):
        conn.execute(f'DROP TRIGGER IF EXISTS "guard_{table}_{action}"')
    new_ws, old_ws = _workstream_expr(conn, table, "NEW"), _workstream_expr(conn, table, "OLD")
    cols = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
    new_id, old_id = ("NEW.key", "OLD.key") if table == "setting" else ("NEW.id", "OLD.id")
    signed_old = (f"qq_signed_ok('{table}', {old_ws}, OLD.created_at)"
                  if "created_at" in cols and table not in NOT_SIGNED else "1")
    conn.execute(f"""CREATE TRIGGER "guard_{table}_insert" BEFORE INSERT ON "{table}" WHEN qq_bulk() = 0
        BEGIN SELECT RAISE(ABORT, {REFUSED}) WHERE qq_may_write('{table}', {new_ws}, {new_id}) = 0; END""")
    conn.execute(f"""CREATE TRIGGER "guard_{table}_update" BEFORE UPDATE ON "{table}" WHEN qq_bulk() = 0
        BEGIN
            SELECT RAISE(ABORT, {REFUSED}) WHERE qq_may_write('{table}', {old_ws}, {old_id}) = 0
                OR qq_may_write('{table}', {new_ws}, {new_id}) = 0;
            SELECT RAISE(ABORT, {SIGNED}) WHERE {signed_old} = 0;
        END""")
    conn.execute(f"""CREATE TRIGGER "guard_{table}_delete" BEFORE DELETE ON "{table}" WHEN qq_bulk() = 0
        BEGIN
            SELECT RAISE(ABORT, {REFUSED}) WHERE qq_may_write('{table}', {old_ws}, {old_id}) = 0;
            SELECT RAISE(ABORT, {SIGNED}) WHERE {signed_old} = 0;
        END""")


def install(conn: sqlite3.Connection, table: str) -> None:
    """A table's audit and guard triggers, version 2."""
    install_audit(conn, table)
    install_guard(conn, table)
