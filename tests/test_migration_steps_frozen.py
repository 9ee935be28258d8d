"""The numbered steps are frozen (models.migration_steps): what a step does never changes after it
ships. A step calls no live code; the triggers the last step leaves are what today's generators
make, and the declared ledgers' tables what today's declarations make, so a developer who changes
either is told here to add a step (models/migrations.py says how)."""
from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest

from models import access, audit, migrations
from models.db import Store
from models.ledger import registry

STEPS = Path(migrations.__file__).with_name("migration_steps")
ADD_A_STEP = "add a numbered step (models/migrations.py: How to add a step)"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> sqlite3.Connection:
    path = tmp_path_factory.mktemp("fresh") / "new.sqlite"
    Store(path, "新").close()
    c = sqlite3.connect(path)
    yield c
    c.close()


def _norm(sql: str) -> str:
    return " ".join(sql.split())


class _Capture:
    """A connection that answers the generators' questions and keeps what they would create."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn, self.made = conn, []

    def execute(self, sql: str, *args):
        if sql.lstrip().upper().startswith(("PRAGMA", "SELECT")):
            return self.conn.execute(sql, *args)
        if sql.lstrip().upper().startswith("CREATE"):
            self.made.append(_norm(sql))
        return None


def test_a_step_imports_no_live_code():
    """A step's SQL, triggers and declared tables are written in models/migration_steps; nothing
    there imports models.audit, models.access, the ledger declarations or anything else that
    changes, inside a function or not."""
    found = {}
    for path in sorted(STEPS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            bad = [n for n in names if n not in ("__future__", "sqlite3")
                   and not n.startswith("models.migration_steps")]
            if bad:
                found[path.name] = bad
    assert found == {}
    assert len(list(STEPS.glob("*.py"))) >= 5


def test_the_triggers_the_last_step_left_are_what_the_generators_make_today(fresh):
    """Every audited table of a new database (the steps' list, every declared ledger's table)
    has the audit and guard triggers models.audit / models.access make today, word for word."""
    tables = set(migrations.AUDITED_TABLES)
    tables |= {ledger.table for ledger in registry.all_ledgers() if ledger.table != "audit_log"}
    tables |= {t for (t,) in fresh.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                                           "AND (name LIKE 'audit%' OR name LIKE 'guard%')")}
    assert len(tables) >= 40
    differ = []
    for table in sorted(tables):
        cap = _Capture(fresh)
        audit.install_triggers(cap, table)
        access.install_guard_triggers(cap, table)
        today = sorted(cap.made)
        have = sorted(_norm(sql) for (sql,) in fresh.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
            "AND (name LIKE 'audit%' OR name LIKE 'guard%')", (table,)))
        if have != today:
            differ.append(table)
    assert differ == [], (f"the audit / guard triggers of {differ} differ from what the generators make "
                          f"today: freeze the generators as models/migration_steps/triggers_vN.py and {ADD_A_STEP}")


def _table(conn: sqlite3.Connection, table: str) -> dict:
    cols = {r[1]: (r[2].upper(), r[3], r[4], r[5]) for r in conn.execute(f'PRAGMA table_xinfo("{table}")')}
    fks = sorted((r[2], r[3], r[4]) for r in conn.execute(f'PRAGMA foreign_key_list("{table}")'))
    indexes = {(tuple(x[2] for x in conn.execute(f'PRAGMA index_info("{r[1]}")')), r[2])
               for r in conn.execute(f'PRAGMA index_list("{table}")')}
    return {"columns": cols, "foreign_keys": fks, "indexes": indexes}


def test_the_declared_ledgers_tables_are_what_their_declarations_make(fresh):
    """A new database needs nothing of the declarations that the steps did not make (nothing is
    left for the run-time sync), and each declared table has the columns, references and indexes
    its declaration gives a table made from it."""
    assert registry.schema_changes(fresh) == [], f"a ledger's declaration gained a table or column: {ADD_A_STEP}"
    differ = []
    managed = [ledger for ledger in registry.all_ledgers() if ledger.managed]
    for ledger in managed:
        scratch = sqlite3.connect(":memory:")
        for stmt in registry.create_table_sql(ledger):
            scratch.execute(stmt)
        if _table(scratch, ledger.table) != _table(fresh, ledger.table):
            differ.append(ledger.table)
        scratch.close()
    assert differ == [], f"the declarations of {differ} differ from the tables the steps make: {ADD_A_STEP}"
    assert {ledger.table for ledger in managed} <= set(migrations.LEDGERS_V1)


def test_the_steps_make_a_new_database_without_the_live_generators(tmp_path, monkeypatch):
    """Every step run with models.audit's, models.access's and the declarations' table makers
    out of reach: nothing is asked of them (the run-time sync, which is, finds nothing to do)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a step called live code")
    for target, name in ((audit, "install_triggers"), (audit, "mask_logged"),
                         (access, "install_guard_triggers"), (registry, "create_table_sql")):
        monkeypatch.setattr(target, name, refuse)
    Store(tmp_path / "n.sqlite", "新").close()
    assert migrations.version_of(tmp_path / "n.sqlite") == migrations.LATEST


def test_a_ledger_declared_at_run_time_is_made_after_a_copy(tmp_path):
    """A ledger registered while the program runs (no step makes it) gets its table from the
    run-time sync, with its triggers, after the file as it was is copied beside its backups."""
    from models.ledger.fields import Field as F, Ledger
    path = tmp_path / "镇.sqlite"
    Store(path, "新").close()
    ledger = registry.register(Ledger(kind="test_boats", title="测试船只台账", table="test_boat",
                                      fields=(F("name", "船名", required=True),)))
    try:
        Store(path, "再开").close()
    finally:
        registry.unregister(ledger.kind)
    [kept] = (tmp_path / "镇.sqlite.backups").glob(f"*-upgrade-v{migrations.LATEST}.sqlite")
    c = sqlite3.connect(kept)
    assert c.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'test_boat'").fetchone()[0] == 0
    c.close()
    c = sqlite3.connect(path)
    assert c.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'test_boat'"
                     ).fetchone()[0] == 6
    c.close()
