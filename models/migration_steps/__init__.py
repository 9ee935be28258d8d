"""The numbered schema steps, frozen: what a step does never changes after it ships.

Step N is ``models.migrations.MIGRATIONS[N - 1]``; ``models.migrations.upgrade`` runs each step
not yet applied inside ``BEGIN EXCLUSIVE`` and sets ``PRAGMA user_version`` to N in the same
transaction. A step reads nothing that can change later: its SQL is written out here, the audit
and guard triggers of the tables it creates or alters come from a frozen generator
(``triggers_v1``), the declared ledgers' tables from a frozen description (``ledgers_v1``). Live
code (``models.audit``, ``models.access``, the ledger declarations) is never called from a step.

- ``steps_001``: the first schema (step 1).
- ``steps_002_013``: steps 2 to 13.
- ``steps_014_015``: the declared ledgers' tables (14), every audited table's triggers brought
  to generator version 1 (15).

The helpers below are part of the frozen steps too: change none of them (a step that needs
something else gets a new helper). How to add a step: see ``models/migrations.py``.
"""
from __future__ import annotations

import sqlite3

# The tables whose audit and guard triggers the steps install (the declared ledgers' tables are
# listed in ``ledgers_v1``). Part of the frozen steps: a table audited from a later step on is
# named by that step.
AUDITED_TABLES = (
    "campaign", "campaign_phase", "person", "leading_group_member", "workstream",
    "workstream_member", "employer", "project", "verdict_option", "case_record",
    "worker", "repayment", "calendar_year", "setting", "account", "signoff",
    "directive", "directive_target",
)


def split_sql(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies whole."""
    out, buf = [], []
    for line in script.splitlines():
        buf.append(line)
        text = "\n".join(buf).strip()
        if text and sqlite3.complete_statement(text):
            out.append(text)
            buf = []
    rest = "\n".join(buf).strip()
    if rest and not all(l.strip().startswith("--") or not l.strip() for l in buf):
        out.append(rest)
    return out


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run a step's script statement by statement, inside the step's transaction."""
    for stmt in split_sql(script):
        conn.execute(stmt)


def has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    return any(r[1] == column for r in conn.execute(f'PRAGMA table_info("{table}")'))


def table_exists(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone() is not None


def reinstall_all(conn: sqlite3.Connection, generator, also: tuple[str, ...] = ()) -> None:
    """Every audited table's audit and guard triggers made again by ``generator`` (a frozen
    ``triggers_vN`` module): the tables listed above, those in ``also`` (the declared ledgers'),
    and any other table that has audit or guard triggers (one made by the program that wrote
    the file). Tables not in the database are passed over."""
    have = {t for (t,) in conn.execute(
        "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' "
        "AND (name LIKE 'audit%insert' OR name LIKE 'guard%insert')")}
    for table in dict.fromkeys((*AUDITED_TABLES, *also, *sorted(have))):
        if table_exists(conn, table):
            generator.install(conn, table)
