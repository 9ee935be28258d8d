"""Audit and guard triggers, generator version 1: a frozen copy of what ``models.audit.install_triggers``
and ``models.access.install_guard_triggers`` wrote when the numbered steps were frozen (step 15).

Frozen means this file never changes: the steps that call it must do tomorrow what they did the
day they shipped. Its output depends only on the table's columns at the time a step runs and on
what is written here (the masks of the declared ledgers' sensitive fields included), never on
today's ``models.audit``, ``models.access`` or ledger declarations.

When the live generators change, copy them beside this file as ``triggers_v2.py`` and append a
step that installs version 2 on every audited table (``models.migration_steps.reinstall_all``):
tests/test_migrations.py fails until that is done.
"""
from __future__ import annotations

import sqlite3

VERSION = 1

DERIVED_COLUMNS = {"w_count", "w_owed_fen", "w_paid_fen", "updated_at", "status_changed_at",
                   "last_activity_on"}
SKIP_COLUMNS = {"updated_at", "last_activity_on"}
BOOKKEEPING_COLUMNS = {"failed_count", "locked_until", "last_login"}
MASK_KEEP = {"id": (6, 4), "card": (6, 4), "phone": (3, 4)}
MASKED_BY_NAME = {"id_number": "id", "bank_card": "card", "phone": "phone"}
# the declared ledgers' sensitive fields (Field.sensitive) when this version was frozen
DECLARED_MASKS = {
    "project": {"labor_manager_phone": "phone"},
    "project_roster": {"id_number": "id", "phone": "phone", "bank_card": "card"},
    "project_attendance": {"id_number": "id"},
    "worker": {"id_number": "id", "phone": "phone", "bank_card": "card"},
    "employer": {"phone": "phone"},
    "project_payroll": {"id_number": "id", "bank_card": "card"},
    "petition": {"phone": "phone"},
}
SECRET_COLUMNS = {"pw_hash"}
SECRET_TEXT = "（不记录）"
STARS = 64
UNGUARDED = {"audit_log", "case_fts", "worker_fts"}
REFUSED = "'无权修改：当前账号不允许修改这条记录'"
SIGNED = "'已签字：该记录所属台账已审核签字，修改须填写理由'"


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_xinfo("{table}")') if r[6] in (0, 1)]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def masked_columns(table: str | None) -> dict[str, str]:
    return {**MASKED_BY_NAME, **DECLARED_MASKS.get(table or "", {})}


def mask_sql(expr: str, kind: str) -> str:
    head, tail = MASK_KEEP[kind]
    stars = "'" + "*" * STARS + "'"
    n = f"length({expr})"
    return (f"CASE WHEN {n} > {head + tail} THEN substr({expr}, 1, {head}) || substr({stars}, 1, {n} - {head + tail})"
            f" || substr({expr}, -{tail}) ELSE substr({stars}, 1, {n}) END")


def _json_obj(cols: list[str], alias: str, table: str) -> str:
    masked = masked_columns(table)
    parts = []
    for c in cols:
        if c in SKIP_COLUMNS:
            continue
        col = f"{alias}.{_q(c)}"
        if c in SECRET_COLUMNS:
            parts.append(f"'{c}', '{SECRET_TEXT}'")
        elif c in masked:
            parts.append(f"'{c}', {mask_sql(col, masked[c])}")
        else:
            parts.append(f"'{c}', {col}")
    return f"json_object({', '.join(parts)})"


def install_audit(conn: sqlite3.Connection, table: str) -> None:
    """(Re)create the three audit triggers of one table from its columns as they are now."""
    cols = _columns(conn, table)
    for action in ("insert", "update", "delete"):
        conn.execute(f'DROP TRIGGER IF EXISTS "audit_{table}_{action}"')
    has_uuid = "uuid" in cols
    uuid_new = "NEW.uuid" if has_uuid else "NULL"
    uuid_old = "OLD.uuid" if has_uuid else "NULL"

    def image(alias: str) -> str:
        return _json_obj(cols, alias, table)
    conn.execute(f"""
        CREATE TRIGGER "audit_{table}_insert" AFTER INSERT ON "{table}" WHEN qq_bulk() = 0
        BEGIN
            INSERT INTO audit_log(at, user, table_name, record_id, record_uuid, action, before, after, reason)
            VALUES (qq_now(), qq_user(), '{table}', NEW.id, {uuid_new}, 'insert', NULL,
                    {image('NEW')}, qq_reason());
        END""")
    watched = [c for c in cols if c not in DERIVED_COLUMNS and c not in BOOKKEEPING_COLUMNS]
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
                    {image('OLD')}, {image('NEW')}, qq_reason());
        END""" if "deleted_at" in cols else f"""
        CREATE TRIGGER "audit_{table}_update" AFTER UPDATE ON "{table}"
        WHEN qq_bulk() = 0 AND ({changed})
        BEGIN
            INSERT INTO audit_log(at, user, table_name, record_id, record_uuid, action, before, after, reason)
            VALUES (qq_now(), qq_user(), '{table}', NEW.id, {uuid_new}, 'update',
                    {image('OLD')}, {image('NEW')}, qq_reason());
        END""")
    conn.execute(f"""
        CREATE TRIGGER "audit_{table}_delete" AFTER DELETE ON "{table}" WHEN qq_bulk() = 0
        BEGIN
            INSERT INTO audit_log(at, user, table_name, record_id, record_uuid, action, before, after, reason)
            VALUES (qq_now(), qq_user(), '{table}', OLD.id, {uuid_old}, 'delete',
                    {image('OLD')}, NULL, qq_reason());
        END""")


def _workstream_expr(conn: sqlite3.Connection, table: str, alias: str) -> str:
    cols = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
    if "workstream_id" in cols:
        return f"{alias}.workstream_id"
    if "case_id" in cols:
        return f"(SELECT workstream_id FROM case_record WHERE id = {alias}.case_id)"
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
    signed_old = (f"qq_signed_ok('{table}', {old_ws}, OLD.created_at)" if "created_at" in cols else "1")
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
    """A table's audit and guard triggers, version 1."""
    install_audit(conn, table)
    install_guard(conn, table)


def mask_logged(conn: sqlite3.Connection) -> int:
    """Mask what the audit log already holds (rows written before it masked): personal numbers in
    the before / after images, password hashes replaced. Returns the images changed."""
    changed = 0
    tables = [t for (t,) in conn.execute("SELECT DISTINCT table_name FROM audit_log")]
    for table in tables:
        masked = masked_columns(table)
        secrets = SECRET_COLUMNS
        present = set(_columns(conn, table))
        if present:               # a table that still exists: only the columns it has (a dropped one: all)
            masked = {c: k for c, k in masked.items() if c in present}
            secrets = SECRET_COLUMNS & present
        if not masked and not secrets:
            continue
        for side in ("before", "after"):
            expr = side
            for col, kind in masked.items():
                path = f"'$.{_q(col)}'"
                expr = (f"(CASE WHEN json_type({side}, {path}) = 'text' THEN json_set({expr}, {path}, "
                        f"{mask_sql(f'json_extract({side}, {path})', kind)}) ELSE {expr} END)")
            for col in secrets:
                path = f"'$.{_q(col)}'"
                expr = (f"(CASE WHEN json_type({side}, {path}) IS NOT NULL THEN json_set({expr}, {path}, "
                        f"'{SECRET_TEXT}') ELSE {expr} END)")
            cur = conn.execute(f"UPDATE audit_log SET {side} = {expr} WHERE table_name = ? "
                               f"AND json_valid({side}) AND {side} IS NOT {expr}", (table,))
            changed += cur.rowcount
    return changed
