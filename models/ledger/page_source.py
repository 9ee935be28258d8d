"""A ledger query read on a connection of its own, so that a search never holds up the window.

A search of a county's million workers may take a second (a LIKE scan, or the short-search index
being caught up after a big import). ``views.ledger_model`` runs ``PageSearch`` on a worker thread:
it opens its own read-only ``Store`` on the database file, catches up the short-search index
(``chars_index``) on a short-lived writing connection when that index is behind, and reads the
count, the first ids and the first page of rows inside one read transaction (so the count and the
ids agree), then the rest of the ids a chunk at a time. ``cancel`` — from any thread — stops it,
interrupting a statement that is running: a newer search supersedes an older one.

``first_page`` is the same for one call: given a database path and a ``Query``, the count and the
first page.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from models.db import Store, StoreError
from models.jobs import gc_paused
from models.ledger import chars_index
from models.ledger.fields import Ledger
from models.ledger.repo import LedgerRepo, Query

PREFIX = 2000        # ids read before the first answer (a screenful is some 40)
PAGE = 200           # rows read with them (views.ledger_model's page)
CHUNK = 100_000      # ids read at a time after that
CATCH_UP_WAIT_MS = 500   # how long a catch-up of the short-search index waits for another writer


class Cancelled(Exception):
    """The search was superseded (or its page closed) before it finished."""


@dataclass
class FirstPage:
    count: int                       # every row the query lists
    ids: list[int]                   # the first ``prefix`` of them, in order
    rows: dict[int, dict] = field(default_factory=dict)   # the first ``page`` ids' rows ({}: not asked)
    totals: dict[str, int] | None = None                   # the ledger's sums over the query (None: not asked)
    complete: bool = True            # ``ids`` holds every row
    counts: dict[tuple, int] = field(default_factory=dict)  # ``counted(equals)`` → rows of the query narrowed so


def counted(equals: dict[str, Any]) -> tuple:
    """The key of ``FirstPage.counts`` for the query narrowed by ``equals``."""
    return tuple(sorted(equals.items()))


def narrowed(query: Query, equals: dict[str, Any]) -> Query:
    return dataclasses.replace(query, equals={**query.equals, **equals})


class PageSearch:
    """One query's count, first ids and rows, then the rest of its ids, each read once.

    ``first()`` opens the connection and keeps a read transaction open; ``rest()`` yields the
    remaining ids; ``close()`` (always, in a ``finally``) ends both. Not for use by two threads at
    once, except ``cancel``."""

    def __init__(self, path: str | Path, ledger: Ledger, query: Query, *, today: _dt.date | None = None,
                 prefix: int = PREFIX, page: int = PAGE, rows: bool = True, totals: bool = False,
                 counts: Sequence[dict[str, Any]] = ()) -> None:
        self.path = Path(path)
        self.ledger = ledger
        self.query = copy.deepcopy(query)
        self.today = today
        self.prefix = prefix
        self.page = page
        self.want_rows = rows
        self.want_totals = totals
        self.want_counts = [dict(c) for c in counts]
        self._lock = threading.Lock()
        self._cancelled = False
        self._store: Store | None = None
        self._cursor: sqlite3.Cursor | None = None

    # -- from any thread -------------------------------------------------------------
    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._store is not None and not self._store.closed:
                self._store.conn.interrupt()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    # -- on the worker ------------------------------------------------------------------
    def _check(self) -> None:
        if self._cancelled:
            raise Cancelled()

    def _open(self) -> Store:
        store = _borrow(self.path)
        store.today = self.today
        with self._lock:
            if self._cancelled:
                store.close()
                raise Cancelled()
            self._store = store
        return store

    def _catch_up_index(self, store: Store) -> None:
        """A one- or two-character search reads the short-search index: bring it up to date here,
        on a writing connection of this thread's own, rather than on the window's."""
        text = self.query.search.strip()
        table = self.ledger.table
        if not text or len(text) >= 3 or table not in chars_index.INDEXES or not chars_index.phrase(text):
            return
        if chars_index.is_current(store.conn, table) is not False:
            return              # current, or no index in this database
        self._check()
        catch_up_file(self.path, table)

    def first(self) -> FirstPage:
        """The count and the first ids (and rows, and sums when asked), read in one transaction."""
        self._check()
        store = self._open()
        try:
            self._catch_up_index(store)
            self._check()
            repo = LedgerRepo(store, self.ledger)
            store.conn.execute("BEGIN")         # one snapshot: the count and the ids agree
            count = repo.count(self.query)
            self._check()
            sql, params = repo.id_query(self.query)
            cur = store.conn.cursor()
            cur.row_factory = None
            cur.execute(sql, params)
            ids = [r[0] for r in cur.fetchmany(self.prefix)]
            complete = len(ids) >= count or len(ids) < self.prefix
            if complete:
                cur.close()
                count = len(ids)
            else:
                self._cursor = cur
            self._check()
            rows = repo.rows_by_ids(ids[:self.page]) if self.want_rows else {}
            sums = repo.totals(self.query) if self.want_totals else None
            counts = {counted(c): repo.count(narrowed(self.query, c)) for c in self.want_counts}
            return FirstPage(count, ids, rows, sums, complete, counts)
        except sqlite3.OperationalError as exc:
            if self._cancelled and "interrupt" in str(exc).lower():
                raise Cancelled() from exc
            raise

    def rest(self, chunk: int = CHUNK) -> Iterator[list[int]]:
        """The ids after the first ``prefix``, ``chunk`` at a time (nothing when ``first`` had them all)."""
        cur = self._cursor
        if cur is None:
            return
        try:
            while True:
                self._check()
                got = [r[0] for r in cur.fetchmany(chunk)]
                if got:
                    yield got
                if len(got) < chunk:
                    return
        except sqlite3.OperationalError as exc:
            if self._cancelled and "interrupt" in str(exc).lower():
                raise Cancelled() from exc
            raise
        finally:
            cur.close()
            self._cursor = None

    def close(self) -> None:
        """End the read transaction; the connection is kept for the next search."""
        with self._lock:                # after this, ``cancel`` no longer interrupts the connection
            store, self._store = self._store, None
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None
        if store is None or store.closed:
            return
        try:
            if store.conn.in_transaction:
                store.conn.execute("COMMIT")
        except sqlite3.Error:
            _shut(store)
            return
        _give_back(store)


# read-only connections kept for the next search (at most two a database): a new connection would
# read the schema and warm its page cache again every time (some 30 ms on a county's database)
_idle: dict[str, list[Store]] = {}
_idle_lock = threading.Lock()
KEEP = 2


def _key(path: Path) -> str:
    return str(Path(path).resolve())


def _borrow(path: Path) -> Store:
    with _idle_lock:
        stack = _idle.get(_key(path))
        if stack:
            return stack.pop()
    return Store(path, read_only=True)


def _give_back(store: Store) -> None:
    with _idle_lock:
        stack = _idle.setdefault(_key(store.path), [])
        if len(stack) < KEEP:
            stack.append(store)
            return
    _shut(store)


def _shut(store: Store) -> None:
    if not store.closed:
        store.conn.close()          # not Store.close: its PRAGMA optimize is the window's to run
        store.closed = True


def close_readers(path: str | Path | None = None) -> int:
    """Close the kept read-only connections to ``path`` (to every database when None), as when the
    window closes its database; returns how many there were."""
    with _idle_lock:
        keys = [k for k in _idle if path is None or k == _key(Path(path))]
        stores = [st for k in keys for st in _idle.pop(k)]
    for st in stores:
        _shut(st)
    return len(stores)


def catch_up_file(path: str | Path, table: str) -> bool:
    """``chars_index.catch_up`` on a writing connection of its own to the database at ``path``,
    closed again at once: the work is the worker thread's, not the window connection's."""
    try:
        store = Store(path, check=False, migrate=False, create=False)
    except StoreError:
        return False
    try:
        # a long write elsewhere (an import) holds the lock: rather than wait for it, this search
        # reads by LIKE (``chars_index.catch_up`` answers False when the database is busy)
        store.conn.execute(f"PRAGMA busy_timeout = {CATCH_UP_WAIT_MS}")
        # the catch-up makes some 100,000 short-lived rows after an import: the cycle collector's
        # full passes over them held the interpreter (and so the window's thread) 60-120 ms each
        with gc_paused():
            return chars_index.catch_up(store, table)
    finally:
        store.conn.close()          # not Store.close: its PRAGMA optimize is the window's to run
        store.closed = True


def first_page(path: str | Path, ledger: Ledger, query: Query, *, today: _dt.date | None = None,
               prefix: int = PREFIX, page: int = PAGE, totals: bool = False) -> FirstPage:
    """The count and first page of ``query`` on ``ledger``, read on a read-only connection of
    its own (the short-search index caught up first when it is behind)."""
    search = PageSearch(path, ledger, query, today=today, prefix=prefix, page=page, totals=totals)
    try:
        return search.first()
    finally:
        search.close()
