"""What a write to the case, worker or repayment ledger does to the other records: done once,
set-based, for one record or a hundred thousand.

- a worker's 应发 / 实发 roll up into their case (``w_count``, ``w_owed_fen``, ``w_paid_fen``);
- a repayment raises its worker's 实发, or, made to a case without listed workers, the case's
  已付; a new repayment's date is the case's latest dated fact (``last_activity_on``) when it
  is later;
- the trigram search indexes (``case_fts``, ``worker_fts``) follow the searched fields.

Every path that writes these tables goes through here: the form and the services
(``LedgerRepo``), the row import and the bulk import (``models.io``), the liaison's returns
(``models.exchange``) and the recycle bin. There are no triggers for this work; the triggers
that remain are the ones that must hold even for a raw write (audit, guards, ``case_touch``).

How: ``Tracker.before(table, ids)`` keeps the before image of the records about to change
(the columns this module reads) and, with ``new_above=True``, the highest id, so that rows
added afterwards count as new; the write happens; ``Tracker.after()`` compares each touched
record's before image with the record as it is now and applies the differences: a repayment's
differences to its worker and case (an audited update of each, whose triggers run as in any
edit), then a worker's differences to its case, then the search indexes. ``tracking`` wraps the
two around a block. ``conn`` is a ``sqlite3`` connection or an APSW one (the liaison's apply):
only ``execute`` is used, inside the caller's transaction.
"""
from __future__ import annotations

import contextlib
import itertools
from typing import Iterable, Iterator

TRACKED = ("repayment", "worker", "case_record")
FTS = {"case_record": "case_fts", "worker": "worker_fts"}
# the columns each table's effects read, besides the search fields
_READS = {"repayment": ("case_id", "worker_id", "amount_fen", "deleted_at", "paid_on"),
          "worker": ("case_id", "owed_fen", "paid_fen", "deleted_at"),
          "case_record": ()}
_serial = itertools.count(1)
_ACTIVE: dict[int, "Tracker"] = {}     # id(connection) -> the tracker whose after() will apply
_LEFT: list[str] = []                  # image tables emptied but not yet dropped


def _rows(conn, sql: str, params=()) -> list[tuple]:
    return [tuple(r) for r in conn.execute(sql, params)]


def fts_columns(conn, table: str) -> list[str]:
    """The columns of ``table``'s trigram search index (none for a table without one); a
    search checks the text in these (``models.ledger.repo``)."""
    fts = FTS.get(table)
    if not fts:
        return []
    return [r[1] for r in _rows(conn, f"PRAGMA table_info({fts})")]


class Tracker:
    """Before images of the records a write touches, and the effects applied after it.

    One tracker applies per connection: a tracker opened while another is open on the same
    connection (a service's write inside a tracked batch) hands its records to the outer one
    and applies nothing itself, so no effect is ever applied twice."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.tag = f"qq_fx{next(_serial)}"
        self.cols: dict[str, list[str]] = {}     # table -> the columns kept in its before images
        self.marks: dict[str, int] = {}         # table -> highest id before the write
        outer = _ACTIVE.get(id(conn))
        self.outer = outer if outer is not None and outer.conn is conn else None   # (an id reused: not it)
        if self.outer is None:
            _ACTIVE[id(conn)] = self

    def _old(self, table: str) -> str:
        return f"temp.{self.tag}_{table}"

    def _prepare(self, table: str) -> None:
        if table in self.cols:
            return
        cols = list(dict.fromkeys([*_READS[table], *fts_columns(self.conn, table)]))
        self.cols[table] = cols
        spec = ", ".join(["id INTEGER PRIMARY KEY", "gone INTEGER NOT NULL DEFAULT 0", *[f'"{c}"' for c in cols]])
        self.conn.execute(f"CREATE TEMP TABLE {self.tag}_{table} ({spec})")

    def before(self, table: str, ids: Iterable[int] = (), *, new_above: bool = False) -> None:
        """Keep the before images of ``table``'s records ``ids``; an id not (yet) stored is kept
        as absent, so a record added under it later counts as new. With ``new_above``, every
        record added above today's highest id counts as new. The first image kept wins."""
        if table not in TRACKED:
            return
        if self.outer is not None:
            self.outer.before(table, ids, new_above=new_above)
            return
        self._prepare(table)
        cols = self.cols[table]
        names = ", ".join(f'"{c}"' for c in cols)
        old = self._old(table)
        if new_above and table not in self.marks:
            self.marks[table] = int(_rows(self.conn, f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')[0][0])
        mark = self.marks.get(table)
        ids = [i for i in ids if mark is None or i <= mark]   # above the mark: new, whatever comes
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            marks = ",".join("?" * len(part))
            self.conn.execute(f'INSERT OR IGNORE INTO {old} (id, {names}) SELECT id, {names} FROM "{table}" '
                              f"WHERE id IN ({marks})", part)
            # ids not stored yet: absent before (a record the write adds under that id is new)
            self.conn.execute(f"INSERT OR IGNORE INTO {old} (id, gone) SELECT value, 1 FROM json_each(?)",
                              (_json_ids(part),))

    def after(self) -> None:
        """Apply the effects of everything written since ``before``; then forget the images.
        (A tracker inside another leaves that to the outer one.)"""
        if self.outer is not None:
            return
        try:
            if "repayment" in self.cols:
                self._repayments()
            if "worker" in self.cols:
                self._workers()
            for table in ("worker", "case_record"):
                if table in self.cols:
                    self._search_index(table)
        finally:
            self.close()

    def close(self) -> None:
        if self.outer is not None:
            return
        if _ACTIVE.get(id(self.conn)) is self:
            del _ACTIVE[id(self.conn)]
        for table in self.cols:
            try:
                self.conn.execute(f"DROP TABLE IF EXISTS {self._old(table)}")
            except Exception:  # noqa: BLE001 - SQLite refuses a DROP while a read on the connection is unfinished
                self.conn.execute(f"DELETE FROM {self._old(table)}")      # (a long list still loading); emptied,
                _LEFT.append(self._old(table))                           # dropped by a later tracker
        for name in list(_LEFT):
            try:
                self.conn.execute(f"DROP TABLE IF EXISTS {name}")
                _LEFT.remove(name)
            except Exception:  # noqa: BLE001 - still refused: a later one drops it
                break
        self.cols.clear()
        self.marks.clear()

    # -- the touched records, before and now ------------------------------------------------
    def _now(self, table: str, select: str, where: str = "1") -> str:
        """SQL selecting ``select`` from the records of ``table`` (alias t) written since ``before``
        that match ``where``: those with a kept image, and those added above the mark."""
        old = self._old(table)
        sql = f'SELECT {select} FROM "{table}" t WHERE t.id IN (SELECT id FROM {old}) AND ({where})'
        mark = self.marks.get(table)
        if mark is not None:         # a rowid range, not a list of ids: a big import stays cheap
            sql += (f' UNION ALL SELECT {select} FROM "{table}" t WHERE t.id > {int(mark)} '
                    f"AND t.id NOT IN (SELECT id FROM {old}) AND ({where})")
        return sql

    def _pairs(self, table: str, cols: list[str]) -> str:
        """``(sign, id, cols…)``: -1 for each live before image, +1 for each live record now."""
        old = self._old(table)
        names = ", ".join(f'"{c}"' for c in cols)
        t_names = ", ".join(f't."{c}"' for c in cols)
        return (f"SELECT -1 AS sign, id, {names} FROM {old} WHERE gone = 0 AND deleted_at IS NULL "
                f"UNION ALL {self._now(table, f'1, t.id, {t_names}', 't.deleted_at IS NULL')}")

    # -- repayments -> workers, cases ---------------------------------------------------------
    def _repayments(self) -> None:
        conn = self.conn
        pairs = self._pairs("repayment", ["case_id", "worker_id", "amount_fen"])
        # each repayment's net change to its worker (or, without one, its case), in repayment order
        moves = _rows(conn, f"SELECT id, worker_id, case_id, SUM(sign * amount_fen) AS d FROM ({pairs}) "
                            "GROUP BY id, worker_id, case_id HAVING d <> 0 ORDER BY id")
        to_workers: dict[int, list[int]] = {}
        to_cases: dict[int, list[int]] = {}
        for _rid, worker, case, d in moves:
            if worker is not None:
                to_workers.setdefault(worker, []).append(d)
            elif case is not None:
                to_cases.setdefault(case, []).append(d)
        if to_workers:
            self.before("worker", list(to_workers))
        # in rounds: the first repayment of each worker, then the second …, so that each is an
        # audited change of its own, with the figures as they stood, as when typed one by one
        for table, target in (("worker", to_workers), ("case_record", to_cases)):
            for k in range(max((len(v) for v in target.values()), default=0)):
                step = [(i, v[k]) for i, v in target.items() if len(v) > k]
                for i in range(0, len(step), 500):
                    conn.execute(f'UPDATE "{table}" SET paid_fen = paid_fen + d.amount FROM '
                                 "(SELECT json_extract(value, '$[0]') AS rid, json_extract(value, '$[1]') AS amount "
                                 f' FROM json_each(?)) AS d WHERE "{table}".id = d.rid', (_json_pairs(step[i:i + 500]),))
        # a new repayment: the case's latest dated fact is at least its date
        old = self._old("repayment")
        added = self._now("repayment", "t.case_id, t.paid_on",
                          f"t.deleted_at IS NULL AND t.id NOT IN (SELECT id FROM {old} WHERE gone = 0)")
        conn.execute(
            "UPDATE case_record SET last_activity_on = s.d FROM (SELECT case_id, MAX(paid_on) AS d "
            f"  FROM ({added}) GROUP BY case_id) AS s "
            "WHERE case_record.id = s.case_id AND (last_activity_on IS NULL OR last_activity_on < s.d)")

    # -- workers -> cases ----------------------------------------------------------------------
    def _workers(self) -> None:
        pairs = self._pairs("worker", ["case_id", "owed_fen", "paid_fen"])
        self.conn.execute(
            "UPDATE case_record SET w_count = w_count + d.c, w_owed_fen = w_owed_fen + d.o, "
            "w_paid_fen = w_paid_fen + d.p FROM (SELECT case_id, SUM(sign) AS c, SUM(sign * owed_fen) AS o, "
            f"SUM(sign * paid_fen) AS p FROM ({pairs}) GROUP BY case_id) AS d "
            "WHERE case_record.id = d.case_id AND (d.c <> 0 OR d.o <> 0 OR d.p <> 0)")

    # -- search indexes --------------------------------------------------------------------------
    def _search_index(self, table: str) -> None:
        fts = FTS[table]
        cols = fts_columns(self.conn, table)
        if not cols:
            return
        old = self._old(table)
        names = ", ".join(f'"{c}"' for c in cols)
        o_names = ", ".join(f'o."{c}"' for c in cols)
        differs = " OR ".join(f'o."{c}" IS NOT t."{c}"' for c in cols)
        # records whose searched text changed or that are gone: their old terms out
        stale = (f'SELECT o.id FROM {old} o LEFT JOIN "{table}" t ON t.id = o.id '
                 f"WHERE o.gone = 0 AND (t.id IS NULL OR {differs})")
        self.conn.execute(f"INSERT INTO {fts}({fts}, rowid, {names}) SELECT 'delete', o.id, {o_names} "
                          f"FROM {old} o WHERE o.id IN ({stale})")
        # records new, or whose searched text changed: their terms in
        t_names = ", ".join(f't."{c}"' for c in cols)
        changed = (f"SELECT {t_names} FROM {old} o WHERE o.id = t.id AND (o.gone = 1 OR {differs})")
        fresh = self._now(table, f"t.id, {t_names}",
                          f"t.id NOT IN (SELECT id FROM {old}) OR EXISTS ({changed})")
        self.conn.execute(f"INSERT INTO {fts}(rowid, {names}) {fresh}")


def _json_ids(ids) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"


def _json_pairs(pairs) -> str:
    return "[" + ",".join(f"[{int(a)},{int(b)}]" for a, b in pairs) + "]"


@contextlib.contextmanager
def tracking(conn, table: str, ids: Iterable[int] = (), *, new_above: bool = False) -> Iterator[Tracker | None]:
    """``before`` / the block / ``after``, on one table (the tracker takes more with ``before``).
    On an error inside the block nothing is applied (the caller's transaction rolls back)."""
    if table not in TRACKED:        # a write to any other ledger does nothing to other records
        yield None
        return
    tracker = Tracker(conn)
    tracker.before(table, ids, new_above=new_above)
    try:
        yield tracker
    except BaseException:
        try:
            tracker.close()
        except Exception:  # noqa: BLE001 - the error in the block is the one to report
            pass
        raise
    tracker.after()


def tracks(table: str) -> bool:
    return table in TRACKED


# The triggers this module replaces (step 16 drops them from older databases).
REPLACED_TRIGGERS = ("worker_roll_insert", "worker_roll_update", "worker_roll_delete",
                     "repayment_apply_insert", "repayment_apply_update", "repayment_apply_delete",
                     "repayment_activity", "worker_fts_ai", "worker_fts_au", "worker_fts_ad",
                     "case_fts_ai", "case_fts_au", "case_fts_ad")
