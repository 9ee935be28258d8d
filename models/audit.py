"""Audit log written by triggers, so every path (window, import, command line)
records who changed what inside the same transaction as the change.

The triggers call ``qq_user()``, ``qq_now()``, ``qq_reason()`` and ``qq_bulk()``,
which ``models.db.Store`` registers on every connection.

The log keeps no secret in the clear: personal numbers (ID, bank card, phone) are kept
masked as the screen masks them, and a password hash is never copied (``_json_obj``, which
the set-based import uses too; ``mask_logged`` masks what older versions wrote).
"""
from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

# Columns kept up to date by other triggers: changes to them alone are not edits.
DERIVED_COLUMNS = {"w_count", "w_owed_fen", "w_paid_fen", "updated_at", "status_changed_at",
                   "last_activity_on"}
SKIP_COLUMNS = {"updated_at", "last_activity_on"}   # stamps, not facts: kept out of the images
# The log-in bookkeeping of an account (tries, lock, last log-in) is not an edit of it; a
# failed log-in has an audit row of its own (action ``login_failed``, models.access).
BOOKKEEPING_COLUMNS = {"failed_count", "locked_until", "last_login"}

# digits kept at the head and the tail, as models.rules.idcard masks them on screen
MASK_KEEP = {"id": (6, 4), "card": (6, 4), "phone": (3, 4)}
MASKED_BY_NAME = {"id_number": "id", "bank_card": "card", "phone": "phone"}
SECRET_COLUMNS = {"pw_hash"}
SECRET_TEXT = "（不记录）"


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    # table_xinfo lists generated columns too (hidden=2/3); audit only stored ones.
    return [r[1] for r in conn.execute(f'PRAGMA table_xinfo("{table}")') if r[6] in (0, 1)]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def masked_columns(table: str | None) -> dict[str, str]:
    """The columns of ``table`` the audit log keeps masked, with their mask kind: every column
    named like a personal number, and every field a ledger declares sensitive."""
    out = dict(MASKED_BY_NAME)
    if table:
        from models.ledger import registry
        ledger = registry.by_table(table)
        for f in (ledger.fields if ledger else ()):
            if f.sensitive and f.stored:
                out[f.name] = f.sensitive
    return out


STARS = 64       # at most this many stars stand for the hidden middle of a (malformed) long value


def mask_sql(expr: str, kind: str) -> str:
    """SQL that masks ``expr`` as ``mask_value`` does: the first and last digits kept, stars
    between (a value too short to keep any is all stars; NULL stays NULL). Pure SQL, no per-row
    call into Python: the set-based import masks 100,000 rows' three numbers in ~0.3 s."""
    head, tail = MASK_KEEP[kind]
    stars = "'" + "*" * STARS + "'"
    n = f"length({expr})"
    return (f"CASE WHEN {n} > {head + tail} THEN substr({expr}, 1, {head}) || substr({stars}, 1, {n} - {head + tail})"
            f" || substr({expr}, -{tail}) ELSE substr({stars}, 1, {n}) END")


def mask_value(value: Any, kind: str) -> Any:
    """The audit log's masked form of one value: the Python twin of ``mask_sql`` (tested equal).
    For a well-formed number it is the screen's mask (511322********1234, 138****5678)."""
    if value is None:
        return None
    head, tail = MASK_KEEP[kind]
    s = str(value)
    if len(s) > head + tail:
        return s[:head] + "*" * min(len(s) - head - tail, STARS) + s[-tail:]
    return "*" * len(s)


def _json_obj(cols: list[str], alias: str, table: str | None = None) -> str:
    """The audit image of a row: its stored columns, personal numbers masked, secrets left out.
    The triggers and the set-based import (models.io.bulk_commit) both build images here."""
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


def mask_logged(conn: sqlite3.Connection) -> int:
    """Mask what the audit log already holds (rows written before it masked): personal numbers
    in the before / after images, password hashes replaced. Returns the images changed."""
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


def install_triggers(conn: sqlite3.Connection, table: str) -> None:
    """(Re)create the three audit triggers of one table from its current columns."""
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


ACTION_LABELS = {"insert": "新增", "update": "修改", "delete": "删除", "recycle": "移入回收站",
                 "restore": "从回收站恢复", "bulk": "批量写入", "login_failed": "登录失败",
                 "restore_db": "从备份恢复数据库"}


# -- how the audit viewer shows a logged row: 元, Chinese names, times without "T" ------------
COLUMN_LABELS = {"pw_hash": "密码", "created_at": "创建时间", "updated_at": "修改时间", "deleted_at": "移入回收站时间",
                 "uuid": "唯一标识", "id": "记录号", "closed_on": "办结日期", "flags_manual": "手工标记",
                 "status_changed_at": "状态变更时间", "w_count": "名单人数", "w_owed_fen": "名单应发",
                 "w_paid_fen": "名单实发", "employer_id": "用人单位记录号", "project_id": "工程项目记录号",
                 "last_activity_on": "最近进展日期", "record_uuid": "记录唯一标识"}
_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?$")


def time_text(value: Any) -> str:
    """``2026-12-07T01:40:45`` as people write it: ``2026-12-07 01:40:45``."""
    if value is None:
        return ""
    m = _TIME.match(str(value))
    return f"{m.group(1)} {m.group(2)}" if m else str(value)


def table_label(table: str | None) -> str:
    """A table by its Chinese name (欠薪问题, 周调度会议 …); an unknown one by its own name."""
    if not table:
        return ""
    from models.ledgers.audit import TABLE_LABELS
    labels = dict(TABLE_LABELS)
    if table in labels:
        return labels[table]
    from models.ledger import registry
    ledger = registry.by_table(table)
    return ledger.title if ledger else table


def _field(table: str | None, column: str):
    from models.ledger import registry
    ledger = registry.by_table(table) if table else None
    if ledger is not None and ledger.has(column):
        return ledger.field(column)
    return None


def column_label(table: str | None, column: str) -> str:
    """A logged column by the label its ledger gives it (money with its unit: 欠薪金额（元）)."""
    f = _field(table, column)
    if f is not None:
        return f.header
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column] + ("（元）" if column.endswith("_fen") else "")
    return column


def value_text(table: str | None, column: str, value: Any) -> str:
    """A logged value as the ledger shows it: amounts in 元 (分 are stored), yes/no, the choice's
    words, times without "T"; masked numbers stay masked."""
    if value is None:
        return ""
    f = _field(table, column)
    if f is not None and f.kind != "ref":
        try:
            return time_text(f.format(value))
        except (TypeError, ValueError):
            return str(value)
    if column.endswith("_fen") and isinstance(value, int) and not isinstance(value, bool):
        from models.values import fen_to_yuan_text
        return fen_to_yuan_text(value)
    if isinstance(value, str):
        return time_text(value)
    return str(value)


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
