"""The set-based commit of a large import: what the per-row triggers would have done, done
once for all rows.

``models.io.writing.write_rows`` inserts and updates in batches with the table's triggers on:
an audit row and a guard check (role, workstream, signed ledger) per row. For a large import
that is most of the time. ``write_rows_bulk`` writes the same rows with the imported table's
triggers set aside and does their two jobs once for all rows, inside the caller's transaction,
so the database ends as the per-row path leaves it (audit rows with one timestamp):

1. permission: the guard triggers' own rule (``models.access.check_write``) asked once per
   workstream met, and the signed-ledger lock for records that would be updated, before
   anything is written (``PermissionDenied``);
2. the inserts and updates themselves (``executemany``);
3. audit rows, their images built by ``models.audit`` as it builds the triggers' (the before
   image of an update is copied to a temporary table first).

What the rows do to other records (a worker's figures into their case, a repayment into its
worker or case, the search indexes) is not done here: both paths hand the rows written to
``models.ledger.effects``, which does it once, set-based, with the other tables' triggers on
(an audited, guarded change of each worker or case).

``supported`` says whether a plan can go this way: a table carrying a trigger this module
does not know of is committed row by row, so a trigger added later is never skipped silently.
"""
from __future__ import annotations

import contextlib

from itertools import repeat
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any

from models import audit
from models.access import check_write
from models.db import PermissionDenied, Store, new_uuids
from models.jobs import JobContext
from models.ledger import effects

if TYPE_CHECKING:
    from models.io.plan import ImportPlan

BATCH = 2000
CACHE_KIB = 192 * 1024      # page cache while writing: 100,000 new rows with their indexes, search
                            # terms and audit rows (~110 MB) stay in memory until the commit
SIGNED_MESSAGE = "该记录所属台账已审核签字，修改须填写理由"

# Triggers, besides audit_<t>_* and guard_<t>_*, that may be set aside: case_touch stamps
# updated_at, which the bulk update stamps itself.
_OWN_TRIGGERS = {"case_record": {"case_touch"}}
_TEMP = ("qq_bulk_upd", "qq_bulk_old")
_values = attrgetter("values")


# -- can this plan go the set-based way? -----------------------------------------------------
def _triggers(store: Store, tables: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """name -> (table, SQL) of the triggers on ``tables``, temporary ones included."""
    marks = ",".join("?" * len(tables))
    return {r[0]: (r[1], r[2] or "") for r in store.query(
        f"SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks}) "
        f"UNION ALL SELECT name, tbl_name, sql FROM sqlite_temp_master WHERE type = 'trigger' "
        f"AND tbl_name IN ({marks})", tables * 2)}


def _honours_bulk(sql: str) -> bool:
    return "qq_bulk()=0" in sql.replace(" ", "")


def _norm(sql: str) -> str:
    """A trigger's SQL with spacing and the final semicolon left out."""
    sql = sql[sql.upper().find("CREATE"):].strip().rstrip(";")
    return " ".join(sql.replace("(", " ( ").replace(")", " ) ").replace(",", " , ").replace(";", " ; ").split())


class _Capture:
    """A connection stand-in that answers PRAGMAs and keeps the statements it is given."""

    def __init__(self, conn) -> None:
        self.conn, self.made = conn, []

    def execute(self, sql: str, *args):
        if sql.lstrip().upper().startswith("PRAGMA"):
            return self.conn.execute(sql, *args)
        self.made.append(sql)
        return None


def _expected(store: Store, tables: tuple[str, ...]) -> dict[str, str]:
    """The triggers this module repeats, as models.migrations / models.audit / models.access
    write them today: a trigger changed since is not repeated from an old idea of it."""
    from models import access
    from models.migration_steps import split_sql
    from models.migration_steps.steps_001 import M001
    out = {}
    own = set().union(*_OWN_TRIGGERS.values())
    for stmt in split_sql(M001):
        text = _norm(stmt)
        if text.startswith("CREATE TRIGGER") and text.split()[2] in own:
            out[text.split()[2]] = text
    for table in tables:
        cap = _Capture(store.conn)
        audit.install_triggers(cap, table)
        access.install_guard_triggers(cap, table)
        for stmt in cap.made:
            text = _norm(stmt)
            if text.startswith("CREATE TRIGGER"):
                out[text.split()[2].strip('"')] = text
    return out


def supported(store: Store, plan: "ImportPlan") -> bool:
    """Whether the set-based commit knows every trigger the plan's writes would fire."""
    t = plan.ledger.table
    if t in ("account", "audit_log", "setting") or t.endswith("_fts"):
        return False
    if t == "repayment" and any(r.action == "update" for r in plan.rows):
        return False            # never happens (no key); the triggers' reversal is not repeated here
    tables = (t,)
    expected = _expected(store, tables)
    for name, (table, sql) in _triggers(store, tables).items():
        own = _OWN_TRIGGERS.get(table, set())
        if not (name in own or name.startswith((f"audit_{table}_", f"guard_{table}_"))):
            return False        # a trigger this module does not know of
        if _norm(sql) != expected.get(name):
            return False        # known by name, but not as it is written here
        if not _honours_bulk(sql):
            return False        # it would run as well as be repeated
    # a workstream or case left out of the file must default to NULL, as the guard then sees it
    first = next((r for r in plan.rows if r.action == "insert"), None)
    if first is not None:
        cols = {r[1]: r[4] for r in store.query(f'PRAGMA table_info("{t}")')}
        for c in ("workstream_id", "case_id"):
            if c in cols and c not in first.values and cols[c] is not None and cols[c].upper() != "NULL":
                return False
    return True


# -- the table in hand ---------------------------------------------------------------------------
class _Table:
    def __init__(self, store: Store, table: str) -> None:
        self.name = table
        self.columns = {r[1]: r for r in store.query(f'PRAGMA table_info("{table}")')}
        self.audited = audit._columns(store.conn, table)          # stored columns, as the triggers have them
        self.watched = [c for c in self.audited if c not in audit.DERIVED_COLUMNS]
        self.has_uuid = "uuid" in self.columns
        self.has_deleted = "deleted_at" in self.columns
        self.ws_mode = "ws" if "workstream_id" in self.columns else "case" if "case_id" in self.columns else ""
        self.triggers = _triggers(store, (table,))

    def has(self, name: str) -> bool:
        return name in self.columns

    def image(self, alias: str) -> str:
        return audit._json_obj(self.audited, alias, self.name)   # masked as the triggers mask

    def changed(self, old: str, new: str) -> str:
        return " OR ".join(f'{old}."{c}" IS NOT {new}."{c}"' for c in self.watched) or "0"

    def action(self, old: str, new: str) -> str:
        if not self.has_deleted:
            return "'update'"
        return (f"CASE WHEN {old}.deleted_at IS NULL AND {new}.deleted_at IS NOT NULL THEN 'recycle' "
                f"WHEN {old}.deleted_at IS NOT NULL AND {new}.deleted_at IS NULL THEN 'restore' ELSE 'update' END")



# -- permission ----------------------------------------------------------------------------------
class _Guard:
    """The guard triggers' own two rules (``qq_may_write`` is ``access.check_write``,
    ``qq_signed_ok`` is ``Store._signed_ok``), asked once per workstream instead of per row."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.asked: set[tuple[str, Any]] = set()
        self.case_ws: dict[Any, Any] = {}
        self.signed: set[tuple[Any, str]] = set()

    def workstream_of_cases(self, case_ids) -> None:
        todo = sorted({c for c in case_ids if c is not None and c not in self.case_ws}, key=str)
        for start in range(0, len(todo), 500):
            part = todo[start:start + 500]
            found = dict(self.store.query(
                f"SELECT id, workstream_id FROM case_record WHERE id IN ({','.join('?' * len(part))})", part))
            for c in part:
                self.case_ws[c] = found.get(c)

    def may_write(self, table: str, ws: Any) -> None:
        if (table, ws) in self.asked:
            return
        self.asked.add((table, ws))
        ok, why = check_write(self.store.conn, self.store.actor, table, ws, None)
        if not ok:
            self.store.last_denial = why
            raise PermissionDenied(why)

    def signed_ok(self, table: str, ws: Any, created_at: Any) -> None:
        """The guard triggers' signed-ledger lock (``Store._signed_ok``), asked once per
        workstream and day of creation."""
        key = (ws, str(created_at or "")[:10])
        if key in self.signed:
            return
        self.signed.add(key)
        if not self.store._signed_ok(table, ws, created_at):
            raise PermissionDenied(self.store.last_denial or SIGNED_MESSAGE)


# -- the commit ----------------------------------------------------------------------------------
def write_rows_bulk(store: Store, plan: "ImportPlan", ctx: JobContext) -> dict[str, int]:
    """``write_rows`` done set-based, inside the caller's transaction. Raises
    ``PermissionDenied`` before writing anything when the acting account may not write a row."""
    conn = store.conn
    tb = _Table(store, plan.ledger.table)
    t = tb.name
    inserts = [r for r in plan.rows if r.action == "insert"]
    updates = [r for r in plan.rows if r.action == "update"]
    counts = {"insert": len(inserts), "update": len(updates),
              "unchanged": sum(1 for r in plan.rows if r.action == "unchanged")}
    updates = [r for r in updates if r.changes]
    total = len(inserts) + len(updates)
    ctx.progress(0, total, "正在写入数据库…")
    stamp = store.scalar("SELECT qq_now()")
    user, reason = store.user, store.audit_reason
    ins_cols = list(inserts[0].values) if inserts else []
    try:
        _drop_temp(store)
        if updates:
            conn.execute("CREATE TEMP TABLE qq_bulk_upd (id INTEGER PRIMARY KEY)")
            conn.executemany("INSERT INTO temp.qq_bulk_upd(id) VALUES (?)", [(r.record_id,) for r in updates])
        _check(store, tb, inserts, updates)
        old_bulk = store.bulk
        old_cache = store.scalar("PRAGMA cache_size")
        tracker = effects.Tracker(conn)
        tracker.before(t, [r.record_id for r in updates], new_above=True)
        store.bulk = True
        try:
            if old_cache >= 0 or -old_cache < CACHE_KIB:
                conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
            _write(store, tb, inserts, ins_cols, updates, stamp, user, reason, total, ctx)
            store.bulk = old_bulk
            ctx.progress(total, total, "正在汇总、更新检索索引…")
            tracker.after()                     # with the other tables' triggers on
        finally:
            tracker.close()
            store.bulk = old_bulk
            conn.execute(f"PRAGMA cache_size = {int(old_cache)}")
    finally:
        _drop_temp(store)
    return counts


def _drop_temp(store: Store) -> None:
    for name in _TEMP:
        store.conn.execute(f"DROP TABLE IF EXISTS temp.{name}")


def _check(store: Store, tb: _Table, inserts: list, updates: list) -> None:
    """Step 1: every row's workstream against the actor, and the signed lock, before writing."""
    g = _Guard(store)
    t = tb.name
    # the rows of this table: the new ones, and the updated ones before and after
    old: dict[int, tuple] = {}                  # id -> (workstream_id or case_id, created_at)
    if updates:
        key = {"ws": "t.workstream_id", "case": "t.case_id"}.get(tb.ws_mode, "NULL")
        created = "t.created_at" if tb.has("created_at") else "NULL"
        old = {r[0]: (r[1], r[2]) for r in store.query(
            f'SELECT t.id, {key}, {created} FROM "{t}" t JOIN temp.qq_bulk_upd u ON u.id = t.id')}
    key_col = {"ws": "workstream_id", "case": "case_id"}.get(tb.ws_mode)
    new_keys = {r.values.get(key_col) for r in inserts} if key_col else ({None} if inserts else set())
    if tb.ws_mode == "case":
        g.workstream_of_cases(new_keys | {r.changes.get("case_id") for r in updates} | {k for k, _ in old.values()})

    def ws(key_value):
        return g.case_ws.get(key_value) if tb.ws_mode == "case" else key_value if tb.ws_mode else None

    for key_value in new_keys:
        g.may_write(t, ws(key_value))
    locked = []
    for r in updates:
        key_value, created_at = old.get(r.record_id, (None, None))
        g.may_write(t, ws(key_value))
        g.may_write(t, ws(r.changes.get(key_col, key_value)) if key_col else None)
        locked.append((ws(key_value), created_at))
    for w, created_at in locked:
        g.signed_ok(t, w, created_at)


def _write(store: Store, tb: _Table, inserts: list, cols: list, updates: list, stamp: str, user: str,
           reason: str, total: int, ctx: JobContext) -> None:
    t = tb.name
    uuid_sql = "n.uuid" if tb.has_uuid else "NULL"
    first_new = int(store.scalar(f'SELECT COALESCE(MAX(id), 0) FROM "{t}"', default=0))
    done = 0
    with store.triggers_set_aside(t), _indexes_rebuilt_if_faster(store, t, len(inserts)):
        done = _write_rows(store, tb, inserts, cols, updates, stamp, total, ctx)
    _audit(store, tb, inserts, updates, stamp, user, reason, done, total, ctx, uuid_sql, first_new)


REBUILD_FROM = 20_000          # rows: below this, indexes are always kept and written row by row


@contextlib.contextmanager
def _indexes_rebuilt_if_faster(store: Store, table: str, new_rows: int):
    """When an import brings at least as many rows as the table has (a first load of a big
    ledger), its secondary indexes are dropped and built again afterwards, in the same
    transaction: building an index from sorted keys costs less than as many random inserts
    (100,000 workers into an empty table: commit 1.9-2.2 s -> 1.5-1.9 s). The UNIQUE
    constraints' own indexes stay."""
    have = int(store.scalar(f'SELECT COUNT(*) FROM "{table}"', default=0))
    if new_rows < REBUILD_FROM or new_rows < have:
        yield
        return
    made = store.query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                       "AND sql IS NOT NULL", (table,))
    for name, _sql in made:
        store.conn.execute(f'DROP INDEX "{name}"')
    yield
    for _name, sql in made:
        store.conn.execute(sql)


def _write_rows(store: Store, tb: "_Table", inserts: list, cols: list, updates: list, stamp: str, total: int,
                ctx: JobContext) -> int:
    conn = store.conn
    t = tb.name
    done = 0
    # 2a. inserts
    if inserts:
        # columns stamped by DEFAULT (qq_now()) get the one timestamp of this import, not a
        # call back into Python per row (the audit rows carry the same value)
        clock = [c for c, info in tb.columns.items() if c not in cols and c != "uuid"
                 and (info[4] or "").replace(" ", "").strip("()").lower() == "qq_now"]
        names = (['"uuid"'] if tb.has_uuid else []) + [f'"{c}"' for c in cols + clock]
        sql = f'INSERT INTO "{t}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'
        for start in range(0, len(inserts), BATCH):
            chunk = inserts[start:start + BATCH]
            k = len(chunk)
            # the parameters a column at a time (C-level passes; a tuple built per row cost more)
            values = list(map(_values, chunk))
            try:
                columns = [list(map(itemgetter(c), values)) for c in cols]
            except KeyError:
                columns = [[v.get(c) for v in values] for c in cols]
            columns += [repeat(stamp, k) for _ in clock]
            if tb.has_uuid:
                columns.insert(0, new_uuids(k))
            conn.executemany(sql, zip(*columns))
            done += k
            ctx.progress(done, total, f"正在写入第 {done} 条，共 {total} 条")
    # 2b. updates: the before images first
    if updates:
        sel = ", ".join(f'o."{c}"' for c in tb.audited)
        conn.execute(f'CREATE TEMP TABLE qq_bulk_old AS SELECT {sel} FROM "{t}" o '
                     "WHERE o.id IN (SELECT id FROM temp.qq_bulk_upd)")
        groups: dict[tuple, list] = {}
        for r in updates:
            groups.setdefault(tuple(r.changes), []).append(r)
        has_updated_at = tb.has("updated_at")
        for names, rows in groups.items():
            sets = ", ".join(f'"{c}" = ?' for c in names)
            sql = (f'UPDATE "{t}" SET {sets}, "updated_at" = ? WHERE id = ?' if has_updated_at
                   else f'UPDATE "{t}" SET {sets} WHERE id = ?')
            for start in range(0, len(rows), BATCH):
                chunk = rows[start:start + BATCH]
                conn.executemany(sql, [(*[r.changes[c] for c in names], *([stamp] if has_updated_at else []),
                                        r.record_id) for r in chunk])
                done += len(chunk)
                ctx.progress(done, total, f"正在写入第 {done} 条，共 {total} 条")
    return done


def _audit(store: Store, tb: "_Table", inserts: list, updates: list, stamp: str, user: str, reason: str,
           done: int, total: int, ctx: JobContext, uuid_sql: str, first_new: int) -> None:
    """3. the audit rows of the rows written, as the set-aside triggers would have written them."""
    conn = store.conn
    t = tb.name
    ctx.progress(done, total, "正在写入审计记录…")
    audit_sql = ("INSERT INTO audit_log(at, user, table_name, record_id, record_uuid, action, before, after, reason) ")
    if inserts:
        conn.execute(audit_sql + f"SELECT ?, ?, ?, n.id, {uuid_sql}, 'insert', NULL, {tb.image('n')}, ? "
                     f'FROM "{t}" n WHERE n.id > ? ORDER BY n.id', (stamp, user, t, reason, first_new))
    if updates:
        conn.execute(audit_sql + f"SELECT ?, ?, ?, n.id, {uuid_sql}, {tb.action('o', 'n')}, {tb.image('o')}, "
                     f'{tb.image("n")}, ? FROM "{t}" n JOIN temp.qq_bulk_old o ON o.id = n.id '
                     f"WHERE {tb.changed('o', 'n')} ORDER BY n.id", (stamp, user, t, reason))
