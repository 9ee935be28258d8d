"""The short-search index: one- and two-character searches of names, units and numbers.

The trigram index (``case_fts``, ``worker_fts``) cannot match fewer than three characters, and
most Chinese names have two: such a search read every row (about a second on a county's million
workers). Here each searched field is also kept with a space between its characters, in an
FTS5 table of the ``unicode61`` tokenizer (``case_chars``, ``worker_chars``): every character is
a token, so the phrase ``"张 伟"`` finds exactly the fields that contain 张伟, and ``"伟"`` the
ones that contain 伟 — the same rows as ``LIKE '%张伟%'``, from the index, in id order.

The index is kept up to date without triggers, so that no write path (the form, the bulk
import, the exchange's changesets) carries its cost: before a search reads it, ``catch_up``
indexes again the rows the audit log shows changed since its mark and every row added since
(ids above the last indexed), in one short transaction. ``search_chars_state`` holds the marks.
The window's searches run on a worker thread (``page_source``), which checks ``is_current`` on its
read-only connection and catches up on a writing connection of its own, so that the catch-up after
a big import (about a second for 100,000 rows) never runs on the window's thread.
A search of anything but Chinese (letters outside ASCII), or on a database that cannot be written
(a backup opened read-only), does not use the index.
"""
from __future__ import annotations

import sqlite3

# table -> (index table, the fields it holds: the ledger's search fields, in this order)
INDEXES = {
    "case_record": ("case_chars", ("case_no", "employer_name", "project_name", "summary", "owner_person")),
    "worker": ("worker_chars", ("name", "trade")),     # 身份证号码 holds no Chinese: see ``phrase``
}
_BATCH = 20_000


def spaced(text) -> str:
    """``张伟`` → ``张 伟``: every character a token."""
    return " ".join(str(text)) if text else ""


def phrase(text: str) -> str | None:
    """The MATCH text for a short search, or None when the index cannot answer it exactly: it
    answers Chinese (any letter outside ASCII); digits, Latin letters and punctuation go to LIKE
    (one or two digits are no useful search of ID numbers, and the index leaves those out)."""
    if not text or not all(ch.isalnum() and not ch.isascii() for ch in text):
        return None
    return '"' + " ".join(text) + '"'


def _fill(conn: sqlite3.Connection, table: str, where: str = "", params: tuple = ()) -> int:
    chars, fields = INDEXES[table]
    cols = ", ".join(f'"{f}"' for f in fields)
    cur = conn.execute(f'SELECT id, {cols} FROM "{table}" {where}', params)
    marks = ", ".join("?" * (len(fields) + 1))
    n = 0
    while rows := cur.fetchmany(_BATCH):
        conn.executemany(f"INSERT INTO {chars}(rowid, {cols}) VALUES ({marks})",
                         [(r[0], *(spaced(v) for v in r[1:])) for r in rows])
        n += len(rows)
    return n


def rebuild(conn: sqlite3.Connection, table: str) -> int:
    """Index every row of ``table`` again (inside the caller's transaction); returns the rows."""
    chars, _fields = INDEXES[table]
    mark = conn.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()[0]
    top = conn.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()[0]
    conn.execute(f"DELETE FROM {chars}")
    n = _fill(conn, table)
    conn.execute("INSERT INTO search_chars_state(tbl, mark, max_id) VALUES (?, ?, ?) "
                 "ON CONFLICT(tbl) DO UPDATE SET mark = excluded.mark, max_id = excluded.max_id", (table, mark, top))
    return n


def _marks(conn: sqlite3.Connection, table: str):
    """(the index's state row or None, the audit log's last id, the table's last id)."""
    state = conn.execute("SELECT mark, max_id FROM search_chars_state WHERE tbl = ?", (table,)).fetchone()
    mark = conn.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()[0]
    top = conn.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()[0]
    return state, mark, top


def is_current(conn: sqlite3.Connection, table: str) -> bool | None:
    """Whether ``table``'s index is up to date, read without writing (a read-only connection
    will do); None when this database has no such index."""
    if table not in INDEXES:
        return None
    try:
        state, mark, top = _marks(conn, table)
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc).lower():
            return None
        raise
    return state is not None and state[0] == mark and state[1] == top


def catch_up(store, table: str) -> bool:
    """Bring ``table``'s index up to date; False when it cannot be used (no index in this
    database, or the database cannot be written)."""
    if table not in INDEXES:
        return False
    conn = store.conn
    chars, _fields = INDEXES[table]
    try:
        state, mark, top = _marks(conn, table)
        if state is not None and state[0] == mark and state[1] == top:
            return True
        with store.tx():
            if state is None:
                rebuild(conn, table)
                return True
            # the log's rows after the mark, by id (NOT INDEXED: with a county file's statistics
            # SQLite would walk the (table, record) index through every worker's row, 0.23 s)
            changed = [r[0] for r in conn.execute(
                "SELECT DISTINCT record_id FROM audit_log NOT INDEXED WHERE id > ? AND table_name = ? "
                "AND record_id IS NOT NULL AND record_id <= ?", (state[0], table, state[1]))]
            for i in range(0, len(changed), 500):
                part = changed[i:i + 500]
                q = ",".join("?" * len(part))
                conn.execute(f"DELETE FROM {chars} WHERE rowid IN ({q})", part)
                _fill(conn, table, f"WHERE id IN ({q})", tuple(part))
            conn.execute(f"DELETE FROM {chars} WHERE rowid > ?", (state[1],))
            _fill(conn, table, "WHERE id > ?", (state[1],))
            conn.execute("UPDATE search_chars_state SET mark = ?, max_id = ? WHERE tbl = ?", (mark, top, table))
        return True
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if "readonly" in text or "read-only" in text or "no such table" in text or "locked" in text or "busy" in text:
            return False
        raise
