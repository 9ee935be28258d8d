"""Where declared ledgers are found, and the tables they need."""
from __future__ import annotations

import importlib
import pkgutil
import sqlite3
import sys
import threading

from models.ledger.fields import Ledger

_LEDGERS: dict[str, Ledger] = {}
_AT_RUN_TIME: set[str] = set()      # kinds registered from outside models.ledgers
_loaded = False                     # the declarations' import has begun (in this thread: it may ask again)
_complete = False                   # … and ended
_load_lock = threading.RLock()      # another thread asking meanwhile waits for the whole list


def register(ledger: Ledger) -> Ledger:
    _LEDGERS[ledger.kind] = ledger
    if sys._getframe(1).f_globals.get("__name__", "").startswith("models.ledgers."):
        _AT_RUN_TIME.discard(ledger.kind)
    else:
        _AT_RUN_TIME.add(ledger.kind)
    return ledger


def unregister(kind: str) -> None:
    _LEDGERS.pop(kind, None)
    _AT_RUN_TIME.discard(kind)


def registered_at_run_time() -> list[Ledger]:
    """Ledgers registered while the program runs (a test, a ledger tried out), not declared in
    ``models.ledgers``: the numbered migration steps make the program's own ledgers' tables
    (tests/test_migration_steps_frozen.py holds them to it). Loads no declaration, so opening a
    file does not import the program's two dozen ledgers."""
    return [_LEDGERS[kind] for kind in sorted(_AT_RUN_TIME) if kind in _LEDGERS]


def _load() -> None:
    """Import the declarations in models/ledgers, once. The thread importing them that asks again
    (a declaration's module asking the registry) gets what is registered so far, as always;
    another thread waits until all are (the home page's read-ahead may run as a thread of the
    window's process while the window lists its pages). No module asks the registry as it is
    imported, so the waiting thread never holds a module's import lock the loading one needs."""
    global _loaded, _complete
    if _complete:
        return
    with _load_lock:
        if _loaded:
            return
        _loaded = True
        import models.ledgers as pkg
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
            importlib.import_module(f"models.ledgers.{info.name}")
        _complete = True


def declarations_loaded() -> bool:
    """Whether the declarations in models/ledgers have all been imported (not: are being imported)."""
    return _complete


def get(kind: str) -> Ledger:
    _load()
    try:
        return _LEDGERS[kind]
    except KeyError:
        raise KeyError(f"没有名为 {kind} 的台账（可用：{'、'.join(kinds())}）") from None


def all_ledgers() -> list[Ledger]:
    _load()
    return list(_LEDGERS.values())


def kinds() -> list[str]:
    _load()
    return list(_LEDGERS)


def by_table(table: str) -> Ledger | None:
    _load()
    for ledger in _LEDGERS.values():
        if ledger.table == table:
            return ledger
    return None


def _column_sql(f) -> str:
    col = f'"{f.name}" {f.sql_type}'
    if f.kind == "ref" and f.ref_table:
        col += f' REFERENCES "{f.ref_table}"(id)'
    return col


def _index_sql(ledger: Ledger, f) -> str | None:
    """The index a declared column has: references, dates, filters and key fields are looked up."""
    if f.kind in ("ref", "date") or f.filter or f.name in ledger.key:
        return f'CREATE INDEX "{ledger.table}_{f.name}" ON "{ledger.table}"("{f.name}")'
    return None


def create_table_sql(ledger: Ledger) -> list[str]:
    cols = ["id INTEGER PRIMARY KEY", "uuid TEXT NOT NULL UNIQUE"]
    cols += [_column_sql(f) for f in ledger.stored_fields]
    cols += ["created_at TEXT NOT NULL DEFAULT (qq_now())",
             "updated_at TEXT NOT NULL DEFAULT (qq_now())", "deleted_at TEXT"]
    stmts = [f'CREATE TABLE "{ledger.table}" (\n    ' + ",\n    ".join(cols) + "\n)"]
    stmts += [sql for f in ledger.stored_fields if (sql := _index_sql(ledger, f))]
    return stmts


def schema_changes(conn: sqlite3.Connection, ledgers: list[Ledger] | None = None) -> list[tuple[str, list[str]]]:
    """Tables to create and columns to add so every declared ledger (or each of ``ledgers``) has
    its storage; a column added to an existing table comes with the reference and the index a
    new table would have."""
    out = []
    for ledger in all_ledgers() if ledgers is None else ledgers:
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                              (ledger.table,)).fetchone()
        if not exists:
            if ledger.managed:
                out.append((ledger.table, create_table_sql(ledger)))
            continue
        have = {r[1] for r in conn.execute(f'PRAGMA table_xinfo("{ledger.table}")')}
        adds = []
        for f in ledger.stored_fields:
            if f.name in have:
                continue
            adds.append(f'ALTER TABLE "{ledger.table}" ADD COLUMN {_column_sql(f)}')
            if ledger.managed and (index := _index_sql(ledger, f)):
                adds.append(index)
        if adds:
            out.append((ledger.table, adds))
    return out
