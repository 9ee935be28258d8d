"""Numbered schema migrations: the runner.

``PRAGMA user_version`` holds the schema version. Step N is ``MIGRATIONS[N - 1]``; each step runs
inside ``BEGIN EXCLUSIVE`` and either lands whole (with the new version number) or not at all. A
database written by a newer program (user_version above what we know) is refused, never
changed. Before the first step changes a file it is copied beside its backups
(``backup_before_upgrade``), whichever path opens it.

The steps are frozen (``models.migration_steps``): what a step does never changes after it
ships, the audit and guard triggers and the declared ledgers' tables included. The runner adds
nothing of its own between steps.

How to add a step N (the next number):
1. Write ``def m0NN(conn)`` in a module of ``models/migration_steps/`` (a new one, e.g.
   ``steps_0NN.py``: no module there over 600 lines), its SQL written out in the module. It
   runs inside the step's transaction: no BEGIN / COMMIT, no ``PRAGMA user_version``. It calls
   no live code (``models.audit``, ``models.access``, ``models.ledger``...): what it needs is
   written into the step or a frozen helper, so it does the same next year
   (tests/test_migration_steps_frozen.py reads its imports).
2. If it creates or alters an audited table, it installs that table's triggers itself with the
   newest frozen generator (``triggers_v1.install(conn, table)``). A change to the trigger
   generators (``models.audit.install_triggers``, ``models.access.install_guard_triggers``, a
   ledger field's ``sensitive``) is a step too: copy the generators as
   ``migration_steps/triggers_v2.py`` and call ``reinstall_all(conn, triggers_v2, tables)``.
3. A declared ledger gaining a table or a column is a step too: describe what it adds, written
   out (as ``steps_014_015.LEDGERS_V1`` does), and make it as ``m014`` does.
4. Append it to ``MIGRATIONS`` below. Make it safe to run twice (``IF EXISTS`` / ``IF NOT
   EXISTS``): a package's copy whose version number was set back runs the last steps again.
5. tests/test_migrations.py builds a database at every earlier version and checks the upgraded
   one equals a new one; tests/test_migration_steps_frozen.py fails while the live generators
   or declarations differ from what the steps left.

The run-time sync (``_sync_declared_ledgers``) stays for ledgers no step knows: one registered
while the program runs (``registry.register``: tests, a ledger tried out). The program's own
declarations never reach it (tests/test_migration_steps_frozen.py: a new database leaves it
nothing to do); when it does act, the file is copied first and the change is one transaction.
"""
from __future__ import annotations

import datetime as _dt
import os
import sqlite3
import sys
from pathlib import Path
from typing import Callable

from models.migration_steps import AUDITED_TABLES, split_sql
from models.migration_steps.steps_001 import M001, VERDICTS, m001
from models.migration_steps.steps_002_013 import (
    FTS_HASHSIZE, M002, M003, M006, M007, M009, M010, M011, M012_COLUMNS, M013,
    m002, m003, m004, m005, m006, m007, m008, m009, m010, m011, m012, m013)
from models.migration_steps.steps_014_015 import LEDGERS_V1, m014, m015
from models.migration_steps.steps_016 import m016
from models.migration_steps.steps_017 import m017
from models.migration_steps.steps_018 import m018
from models.migration_steps.steps_019 import m019

__all__ = ["AUDITED_TABLES", "FTS_HASHSIZE", "LATEST", "LEDGERS_V1", "M001", "M002", "M003", "M006", "M007",
           "M009", "M010", "M011", "M012_COLUMNS", "M013", "MIGRATIONS", "VERDICTS", "backup_before_upgrade",
           "upgrade", "version_of"]

MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001, m002, m003, m004, m005, m006, m007, m008, m009, m010, m011, m012, m013,
    m014,       # the declared ledgers' tables, numbered (LEDGERS_V1)
    m015,       # every audited table's triggers from generator version 1
    m016,       # the roll-up, repayment and search-index triggers dropped (models.ledger.effects)
    m017,       # case_record(updated_at) indexed: the check after an edit finds touched cases by it
    m018,       # the trigram search indexes made again with record ids only (detail=none, columnsize=0)
    m019,       # contract_payment (each contract payment dated); triggers from generator version 2
]
LATEST = len(MIGRATIONS)
_split_sql = split_sql          # models.io.bulk_commit reads the steps' scripts with it


def version_of(path) -> int | None:
    """The schema version of a database file, read without changing it; None for a missing,
    empty or unreadable file."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        from models.paths import sqlite_uri
        conn = sqlite3.connect(sqlite_uri(path.resolve()), uri=True, timeout=5)
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except (sqlite3.Error, OSError, ValueError):
        return None


def upgrade(conn: sqlite3.Connection) -> int:
    """Bring the schema to LATEST. Returns the version found before."""
    from models.errors import NewerDatabase

    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > LATEST:
        raise NewerDatabase(
            f"此数据库由更新版本的清欠工作台创建（数据结构第 {found} 版，本程序只认识到第 {LATEST} 版），"
            "为免损坏数据，本程序不打开它。请安装新版本后再打开。")
    backed_up = 0 < found < LATEST and backup_before_upgrade(conn, found) is not None
    for version in range(found + 1, LATEST + 1):
        conn.execute("BEGIN EXCLUSIVE")
        try:
            MIGRATIONS[version - 1](conn)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    _sync_declared_ledgers(conn, keep_copy=found > 0 and not backed_up)
    return found


def backup_before_upgrade(conn: sqlite3.Connection, found: int) -> Path | None:
    """A copy of the database as it is, before the first step changes it, beside its automatic
    backups (``<db>.backups/<time>-upgrade-v<N>.sqlite``): whoever opens an older file (the
    window, a command, a report) keeps it. Written under a temporary name, then renamed."""
    row = conn.execute("PRAGMA database_list").fetchone()
    if row is None or not row[2]:
        return None                     # in memory: nothing to keep
    db = Path(row[2])
    folder = db.with_name(db.name + ".backups")
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{stamp}-upgrade-v{found}.sqlite"
    part = target.with_name(target.name + ".part")
    dest = sqlite3.connect(str(part))
    try:
        conn.backup(dest)
    finally:
        dest.close()
    os.replace(part, target)
    return target




def _sync_declared_ledgers(conn: sqlite3.Connection, keep_copy: bool = False) -> None:
    """Tables for ledgers declared but not made by a numbered step: a ledger registered while
    the program runs (``registry.register``; the program's own declarations are all made by
    steps, tests/test_migrations.py holds them to it). A new ledger or column is made here with
    the live generators' triggers, in one transaction, after a copy of the file as it was
    (``keep_copy``: a file that existed and was not just copied before an upgrade)."""
    registry = sys.modules.get("models.ledger.registry")
    if registry is None:                # not imported: nothing can have been registered (the window's
        return                          # start opens its file without the ledgers' declarations)
    todo = registry.schema_changes(conn, registry.registered_at_run_time())
    if not todo:
        return
    from models import access, audit
    if keep_copy:
        backup_before_upgrade(conn, conn.execute("PRAGMA user_version").fetchone()[0])
    conn.execute("BEGIN EXCLUSIVE")
    try:
        for table, statements in todo:
            for stmt in statements:
                conn.execute(stmt)
            audit.install_triggers(conn, table)
            access.install_guard_triggers(conn, table)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
