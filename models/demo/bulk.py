"""Pouring a county-sized demo into SQLite quickly: triggers and indexes set aside while rows
go in (then recreated from their stored SQL), FTS5 tuned for big batches, and a generator thread
that makes the next batch while SQLite writes the last. Used by ``models.demo``."""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from models.db import Store

Progress = Callable[[int, int, str], None]


@contextlib.contextmanager
def _bulk_load(store: Store, tables: tuple[str, ...], report: Progress) -> Iterator[None]:
    """Inside the open transaction: set aside the triggers and secondary indexes of ``tables``
    while rows are poured in, then create them again from their stored SQL. Bulk mode makes the
    triggers no-ops anyway; this only saves evaluating them (and updating indexes row by row).
    The schema is exactly as before once this returns; on an error the transaction rolls back."""
    marks = ",".join("?" * len(tables))
    saved = store.query(
        f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({marks}) "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, rowid", tables)
    for r in saved:
        store.execute(f'DROP {r["type"].upper()} "{r["name"]}"')
    yield
    indexes = [r for r in saved if r["type"] == "index"]
    for i, r in enumerate(indexes):
        report(86 + 6 * i // max(1, len(indexes)), 100, f"正在建立索引 {r['name']}…")
        store.execute(r["sql"])
    for r in saved:
        if r["type"] == "trigger":
            store.execute(r["sql"])
    after = store.query(
        f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({marks}) "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL", tables)
    if sorted(map(tuple, after)) != sorted(map(tuple, saved)):   # never expected
        raise RuntimeError("批量写入后数据库结构未能复原，已撤销本次生成")


def _fts_tune(store: Store, table: str, fast: bool) -> None:
    """While loading, let an FTS5 index gather terms in large in-memory batches and not merge
    segments as it goes (about twice as fast); afterwards put the usual settings back."""
    from models.migrations import FTS_HASHSIZE
    if fast:
        store.execute(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', 0)")
        store.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', {64 * 1024 * 1024})")
    else:
        store.execute(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', 4)")
        store.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', {FTS_HASHSIZE})")


class _Producer:
    """Runs ``make(step)`` for step 0, 1, 2… on a worker thread, as many at a time as requested.

    SQLite releases the GIL while it works, so a batch of chunks is generated (Python) while
    the consumer's long statements index the previous batch (C). Between requests the thread
    is idle: two threads fighting over the GIL during ``executemany`` would slow both.
    Leaving the ``with`` block early (an error, a cancel) stops the thread; an error raised by
    ``make`` is re-raised in the consumer."""

    def __init__(self, make: Callable[[int], tuple], steps: int) -> None:
        import queue
        import threading
        self.make, self.steps = make, steps
        self.q: queue.Queue = queue.Queue()
        self.turns = threading.Semaphore(0)
        self.stop = False
        self.thread = threading.Thread(target=self._run, name="demo-generator", daemon=True)

    def _run(self) -> None:
        try:
            for step in range(self.steps):
                self.turns.acquire()
                if self.stop:
                    return
                self.q.put(("chunk", self.make(step)))
            self.q.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            self.q.put(("error", exc))

    def request(self, k: int) -> None:
        for _ in range(k):
            self.turns.release()

    def next(self) -> tuple | None:
        """The next chunk in order, or None after the last."""
        kind, item = self.q.get()
        if kind == "error":
            raise item
        if kind == "end":
            self.q.put(("end", None))   # later calls see the end too
            return None
        return item

    def __enter__(self) -> "_Producer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop = True
        self.turns.release()
        self.thread.join()
