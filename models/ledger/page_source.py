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
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

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
                 counts: Sequence[dict[str, Any]] = (), row_repo: Callable[[Store], LedgerRepo] | None = None) -> None:
        """``row_repo``: reads the rows (a repository that adds columns of its own, given this
        search's connection); the ledger's own repository otherwise."""
        self.path = Path(path)
        self.ledger = ledger
        self.query = copy.deepcopy(query)
        self.today = today
        self.prefix = prefix
        self.page = page
        self.want_rows = rows
        self.want_totals = totals
        self.want_counts = [dict(c) for c in counts]
        self.row_repo = row_repo
        self._lock = threading.Lock()
        self._cancelled = False
        self._store: Store | None = None
        self._identity: tuple | None = None
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
        # counted as running before it takes a connection: a restore that stops the searches
        # meanwhile stops this one too, and waits for it to let go
        with _running_changed:
            _running.setdefault(_key(self.path), set()).add(self)
        try:
            store, self._identity = _borrow(self.path)
        except BaseException:
            self._unregister()
            raise
        store.today = self.today
        with self._lock:
            if self._cancelled:
                _give_back(store, self._identity)      # untouched: good for the next search
                self._unregister()
                raise Cancelled()
            self._store = store
        return store

    def _unregister(self) -> None:
        with _running_changed:
            searches = _running.get(_key(self.path))
            if searches is not None:
                searches.discard(self)
                if not searches:
                    del _running[_key(self.path)]
            _running_changed.notify_all()

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
            reader = self.row_repo(store) if self.row_repo else repo
            rows = reader.rows_by_ids(ids[:self.page]) if self.want_rows else {}
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
        try:
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
            _give_back(store, self._identity)
        finally:
            self._unregister()


# read-only connections kept for the next search (at most two a database, for a few seconds): a
# new connection reads the schema and warms its page cache again (30-45 ms on a county's database
# on a busy machine, against 1-3 ms for a kept one). Not longer: an open connection would keep a
# restore from replacing the file (Windows), and one to a file replaced meanwhile is not reused.
_idle: dict[str, list[tuple[Store, tuple | None, float]]] = {}    # path -> (store, file identity, idle since)
_idle_lock = threading.Lock()
_reaper: threading.Timer | None = None
KEEP = 2
KEEP_SECONDS = 5.0


def _key(path: Path) -> str:
    return str(Path(path).resolve())


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _borrow(path: Path) -> tuple[Store, tuple | None]:
    """A read-only connection to ``path`` and the identity of the file it opened."""
    with _idle_lock:
        stack = _idle.get(_key(path)) or []
        kept = stack.pop() if stack else None
    now = _identity(path)
    if kept is not None:
        if kept[1] == now:
            return kept[0], now
        _shut(kept[0])              # the file was replaced (a restore) since
    return Store(path, read_only=True), now


def _give_back(store: Store, identity: tuple | None) -> None:
    with _idle_lock:
        stack = _idle.setdefault(_key(store.path), [])
        if len(stack) < KEEP:
            stack.append((store, identity, time.monotonic()))
            store = None
    if store is not None:
        _shut(store)
    _schedule_reaper()


def _schedule_reaper() -> None:
    global _reaper
    with _idle_lock:
        if _reaper is not None or not any(_idle.values()):
            return
        _reaper = threading.Timer(KEEP_SECONDS, _reap)
        _reaper.daemon = True
        _reaper.start()


def _reap() -> None:
    """Close the connections idle for ``KEEP_SECONDS``."""
    global _reaper
    now = time.monotonic()
    old = []
    with _idle_lock:
        _reaper = None
        for key, stack in _idle.items():
            old += [entry[0] for entry in stack if now - entry[2] >= KEEP_SECONDS - 0.05]
            stack[:] = [entry for entry in stack if now - entry[2] < KEEP_SECONDS - 0.05]
    for st in old:
        _shut(st)
    _schedule_reaper()


def _shut(store: Store) -> None:
    if not store.closed:
        store.conn.close()          # not Store.close: its PRAGMA optimize is the window's to run
        store.closed = True


# searches reading now (their connection open, not yet given back), by database: a restore stops
# them and waits for them to let go of the file before it replaces it (Windows refuses to replace
# a file that is open)
_running: dict[str, set[PageSearch]] = {}
_running_changed = threading.Condition()
STOP_WAIT_S = 5.0        # how long ``close_readers`` waits for searches it stopped to end


def close_readers(path: str | Path | None = None, *, stop_searches: bool = True,
                  wait_s: float = STOP_WAIT_S) -> int:
    """Close the connections searches hold to ``path`` (to every database when None) now, as before
    the window closes or restores its database: the searches still reading are stopped
    (``PageSearch.cancel``, which interrupts a statement) and waited for, at most ``wait_s``
    seconds, then the kept idle connections are closed. Returns how many connections were closed
    or let go."""
    global _reaper
    let_go = 0
    if stop_searches:
        with _running_changed:
            running = [s for k, ss in _running.items() if path is None or k == _key(Path(path)) for s in ss]
        for search in running:
            search.cancel()
        deadline = time.monotonic() + wait_s
        with _running_changed:
            while any(path is None or k == _key(Path(path)) for k in _running):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                _running_changed.wait(left)
        let_go = len(running)
    with _idle_lock:
        keys = [k for k in _idle if path is None or k == _key(Path(path))]
        stores = [entry[0] for k in keys for entry in _idle.pop(k)]
        if _reaper is not None and not any(_idle.values()):
            _reaper.cancel()
            _reaper = None
    for st in stores:
        _shut(st)
    return max(len(stores), let_go) if stop_searches else len(stores)


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
