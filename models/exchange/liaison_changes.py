"""What travels in a 专班回报包: the liaison's own changes since the copy, as a SQLite changeset.

The changeset is computed by SQLite's session extension (through APSW): ``Session.diff`` of
each record table of the liaison's database against the pristine base kept beside it since
the copy was set up. A live session recording every write is not possible here: the window,
the imports and the command line write through Python's ``sqlite3`` module, and a session
can only record on the connection that makes the change (APSW's); the diff needs nothing
from the write paths and survives restarts and crashes of the liaison's program.

The diff holds the rows' final values, derived columns included. Those are the office's
triggers' business, so the changeset that travels carries facts only (``facts``):

- a case's worker totals (``w_count``, ``w_owed_fen``, ``w_paid_fen``) are left out: the
  office's roll-up triggers add the workers that arrive; a new case arrives with them at 0;
- a worker's or a case's ``paid_fen`` carries only what the liaison changed directly: the
  part that repayments explain (live repayments now minus live repayments in the base) is
  taken off, since the office's repayment triggers add it again when the repayments arrive;
- stamps (``updated_at``, ``last_activity_on``) are left out of updates and kept aside: the
  office takes the later of its own and the liaison's after applying (``STAMPS``).

So a derived column never makes a false clash and is never applied twice. Row ids differ
between the two databases once either side adds records, so the package also carries the
``uuid`` of every row a change names or refers to (``keys``): the office maps them to its own
ids before applying (``models.exchange.liaison_apply``).
"""
from __future__ import annotations

import sqlite3

# tables whose rows never travel: bookkeeping, accounts, settings, indexes, the exchange's own
SKIP_TABLES = {"setting", "audit_log", "account", "sqlite_stat1", "sqlite_sequence", "signoff",
               "search_chars_state"}
SKIP_PREFIXES = ("exchange_", "sqlite_")
ROLLUP = {"case_record": ("w_count", "w_owed_fen", "w_paid_fen")}
STAMPS = ("updated_at", "last_activity_on")
# paid_fen kept by repayment triggers: table -> the repayments' condition naming the row
PAID_BY_REPAYMENTS = {"worker": "worker_id = ?", "case_record": "case_id = ? AND worker_id IS NULL"}


def record_tables(conn) -> list[str]:
    """Tables whose changes travel, parents before children (foreign keys), so that a case
    arrives before its workers and a worker before its repayments (the triggers need them)."""
    rows = list(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    virtual = [r[0] for r in rows if (r[1] or "").upper().startswith("CREATE VIRTUAL")]
    names = []
    for name, _sql in rows:
        if name in SKIP_TABLES or name.startswith(SKIP_PREFIXES) or name in virtual:
            continue
        if any(name.startswith(v + "_") for v in virtual):
            continue
        pk = [r for r in conn.execute(f'PRAGMA table_info("{name}")') if r[5]]
        if len(pk) == 1 and pk[0][1] == "id":           # records, keyed by their id
            names.append(name)
    parents = {n: {r[2] for r in conn.execute(f'PRAGMA foreign_key_list("{n}")')} & set(names) - {n} for n in names}
    order: list[str] = []
    while len(order) < len(names):
        ready = sorted(n for n in names if n not in order and parents[n] <= set(order))
        if not ready:                       # a cycle: the rest in name order
            ready = sorted(n for n in names if n not in order)
        order.extend(ready)
    return order


def columns(conn, table: str, schema: str = "main") -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA {schema}.table_info("{table}")')]


def foreign_keys(conn, table: str) -> dict[str, str]:
    """column -> parent table, for single-column foreign keys to the parent's id."""
    return {r[3]: r[2] for r in conn.execute(f'PRAGMA foreign_key_list("{table}")') if r[4] in (None, "id")}


def _repaid(conn, schema: str, table: str, row_id) -> int:
    where = PAID_BY_REPAYMENTS[table]
    return int(next(iter(conn.execute(
        f"SELECT COALESCE(SUM(amount_fen), 0) FROM {schema}.repayment WHERE {where} AND deleted_at IS NULL",
        (row_id,))))[0])


def facts(conn, raw: bytes) -> tuple[bytes, list[tuple[str, int, str]], dict[str, int], list[tuple]]:
    """The changeset that travels, made from the diff ``raw`` (see the module's docstring), on
    ``conn``: an APSW connection to the liaison's database with the base attached as ``base``.
    Returns (changeset, keys [(table, id, uuid)], changes per table, stamps [(table, id,
    column, value)] of the updates that travel)."""
    import apsw
    nc = apsw.no_change
    tables = record_tables(conn)
    by_table: dict[str, list] = {t: [] for t in tables}
    for ch in apsw.Changeset.iter(raw):
        if ch.name in by_table:
            by_table[ch.name].append((ch.op, ch.old, ch.new))
    builder = apsw.ChangesetBuilder()
    builder.schema(conn, "main")
    keys: dict[tuple[str, int], str] = {}
    counts: dict[str, int] = {}
    stamped: list[tuple] = []
    uuid_sql = {}
    for t in tables:
        cols = columns(conn, t)
        if "uuid" in cols:
            uuid_sql[t] = f'SELECT uuid FROM main."{t}" WHERE id = ? UNION ALL SELECT uuid FROM base."{t}" WHERE id = ?'

    def key(table: str, row_id) -> None:
        if row_id is None or row_id is nc or (table, row_id) in keys or table not in uuid_sql:
            return
        found = list(conn.execute(uuid_sql[table], (row_id, row_id)))
        if found:
            keys[(table, row_id)] = found[0][0]

    for t in tables:
        changes = by_table[t]
        if not changes:
            continue
        cols = columns(conn, t)
        idx = {c: i for i, c in enumerate(cols)}
        fks = {idx[c]: p for c, p in foreign_keys(conn, t).items() if c in idx}
        rollup = {idx[c] for c in ROLLUP.get(t, ()) if c in idx}
        stamps = {idx[c] for c in STAMPS if c in idx}
        paid = idx.get("paid_fen") if t in PAID_BY_REPAYMENTS else None
        n = 0
        for op, old, new in changes:
            pk = (old if op == "DELETE" else new if op == "INSERT" else old)[0]
            if op == "INSERT":
                row = list(new)
                for i in rollup:
                    row[i] = 0
                if paid is not None:
                    row[paid] = int(row[paid]) - (_repaid(conn, "main", t, pk) - _repaid(conn, "base", t, pk))
                builder.add_insert(t, False, row)
                values = [row]
            elif op == "DELETE":
                builder.add_delete(t, False, list(old))
                values = [old]
            else:
                o, w = list(old), list(new)
                for i in rollup | stamps:
                    o[i] = w[i] = nc
                if paid is not None and w[paid] is not nc:
                    direct = int(w[paid]) - int(o[paid]) - (_repaid(conn, "main", t, pk) - _repaid(conn, "base", t, pk))
                    if direct == 0:
                        o[paid] = w[paid] = nc
                    else:
                        w[paid] = int(o[paid]) + direct
                if all(v is nc for i, v in enumerate(w) if i != 0):
                    continue                        # only derived columns changed
                builder.add_update(t, False, o, w)
                values = [o, w]
                stamped.extend((t, pk, cols[i], new[i]) for i in stamps if new[i] is not nc and new[i] is not None)
            n += 1
            key(t, pk)
            for row in values:
                for i, parent in fks.items():
                    if row[i] is not nc:
                        key(parent, row[i])
        if n:
            counts[t] = n
    out = builder.output()
    builder.close()
    return out, [(t, i, u) for (t, i), u in keys.items()], counts, stamped


def quiet(conn) -> None:
    """The functions the triggers name, on an APSW connection, with bulk mode on: every
    trigger skips itself (the liaison's own files: a scratch copy, a state rebuilt)."""
    conn.create_scalar_function("qq_bulk", lambda: 1, 0)
    for name, n in (("qq_user", 0), ("qq_now", 0), ("qq_reason", 0), ("qq_uuid", 0), ("qq_today", 0),
                    ("qq_may_write", 3), ("qq_signed_ok", 3)):
        conn.create_scalar_function(name, lambda *a: 1, n)


def replay(path: str, changesets: list[bytes]) -> None:
    """Apply ``changesets`` in turn to the database file at ``path`` (the triggers quiet, in one
    transaction): a state of the liaison's records rebuilt from another (``liaison.state_of``).
    Any conflict means the history does not fit the file: ``ValueError``, nothing written."""
    import apsw
    conn = apsw.Connection(path)
    try:
        quiet(conn)
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN")
        try:
            for cs in changesets:
                apsw.Changeset.apply(cs, conn, conflict=lambda why, ch: apsw.SQLITE_CHANGESET_ABORT)
        except apsw.Error as exc:
            conn.execute("ROLLBACK")
            raise ValueError(str(exc)) from exc
        conn.execute("COMMIT")
    finally:
        conn.close()


def invert(changeset: bytes) -> bytes:
    import apsw
    return apsw.Changeset.invert(changeset)


def diff(snapshot: str, base: str, scratch: str) -> bytes:
    """The changes that bring ``base`` to ``snapshot`` (two files of the same schema), as a
    changeset recorded by a session: on ``scratch``, a copy of the base, SQLite deletes the
    rows the snapshot no longer has, updates the rows whose stored values differ and inserts
    the new ones, table by table, while a session records them (old and new values); the
    triggers do nothing meanwhile. ``sqlite3session_diff`` would do the same without the
    scratch copy, but it refuses tables with generated columns (``case_record`` has three:
    "database schema has changed"), so the session records real writes instead."""
    import shutil
    import apsw
    shutil.copyfile(base, scratch)
    conn = apsw.Connection(scratch)
    try:
        quiet(conn)
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("ATTACH DATABASE ? AS snap", (snapshot,))
        tables = record_tables(conn)
        session = apsw.Session(conn, "main")
        for t in tables:
            session.attach(t)
        conn.execute("BEGIN")
        for t in tables:
            cols = ", ".join(f'"{c}"' for c in columns(conn, t))
            conn.execute(f'DELETE FROM main."{t}" WHERE id NOT IN (SELECT id FROM snap."{t}")')
            sets = ", ".join(f'"{c}" = s."{c}"' for c in columns(conn, t) if c != "id")
            conn.execute(f'UPDATE main."{t}" SET {sets} FROM snap."{t}" AS s WHERE s.id = main."{t}".id '
                         f'AND main."{t}".id IN (SELECT id FROM (SELECT {cols} FROM snap."{t}" '
                         f'EXCEPT SELECT {cols} FROM main."{t}"))')
            conn.execute(f'INSERT INTO main."{t}" ({cols}) SELECT {cols} FROM snap."{t}" '
                         f'WHERE id NOT IN (SELECT id FROM main."{t}")')
        out = session.changeset()
        session.close()
        conn.execute("ROLLBACK")
        return out
    finally:
        conn.close()


def content_schema(conn: sqlite3.Connection) -> None:
    """The tables of a return package's ``content.sqlite``."""
    conn.executescript("""
        CREATE TABLE liaison_return (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE liaison_changeset (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
        CREATE TABLE liaison_key (tbl TEXT NOT NULL, id INTEGER NOT NULL, uuid TEXT NOT NULL,
                                  PRIMARY KEY (tbl, id));
        CREATE TABLE liaison_stamp (tbl TEXT NOT NULL, id INTEGER NOT NULL, col TEXT NOT NULL, value);
    """)
