"""The database half of an import.

``match_existing`` decides, for every row that passed its checks, whether it is new,
changed or unchanged: by the ledger's key, or, for rows without one, by content, one stored
record standing for at most one row (identical rows are never merged).
``write_rows`` does the inserts and updates inside the caller's transaction, in batches
(``executemany``) with the audit and guard triggers left on, so every imported row is audited
like a typed one; the cross-ledger effects (roll-ups, repayments, search index) follow from
``models.ledger.effects``, as for every other write."""
from __future__ import annotations

from typing import TYPE_CHECKING

from models.db import Store, new_uuids, now_text
from models.ledger import effects
from models.ledger.fields import empty_value
from models.io.problems import Problem, field_label
from models.jobs import JobContext

if TYPE_CHECKING:
    from models.io.plan import ImportPlan

BATCH = 2000


def write_rows(store: Store, plan: "ImportPlan", ctx: JobContext) -> dict[str, int]:
    t = plan.ledger.table
    inserts = [r for r in plan.rows if r.action == "insert"]
    updates = [r for r in plan.rows if r.action == "update"]
    counts = {"insert": len(inserts), "update": len(updates),
              "unchanged": sum(1 for r in plan.rows if r.action == "unchanged")}
    total = len(inserts) + len(updates)
    ctx.progress(0, total, "正在写入数据库…")
    with effects.tracking(store.conn, t, [r.record_id for r in updates], new_above=True):
        _write(store, t, inserts, updates, ctx, total)
    return counts


def _write(store: Store, t: str, inserts: list, updates: list, ctx: JobContext, total: int) -> None:
    done = 0
    if inserts:
        cols = list(inserts[0].values)
        has_uuid = any(r[1] == "uuid" for r in store.query(f'PRAGMA table_info("{t}")'))
        names = (['"uuid"'] if has_uuid else []) + [f'"{c}"' for c in cols]
        sql = f'INSERT INTO "{t}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'
        for start in range(0, len(inserts), BATCH):
            chunk = inserts[start:start + BATCH]
            if has_uuid:
                store.conn.executemany(sql, [(u, *[r.values.get(c) for c in cols])
                                             for u, r in zip(new_uuids(len(chunk)), chunk)])
            else:
                store.conn.executemany(sql, [[r.values.get(c) for c in cols] for r in chunk])
            done += len(chunk)
            ctx.progress(done, total, f"正在写入第 {done} 条，共 {total} 条")
    groups: dict[tuple, list] = {}
    for r in updates:
        groups.setdefault(tuple(r.changes or ()), []).append(r)
    stamp = now_text()
    has_updated_at = any(r[1] == "updated_at" for r in store.query(f'PRAGMA table_info("{t}")'))
    for names, rows in groups.items():
        if not names:
            continue
        sets = ", ".join(f'"{c}" = ?' for c in names)
        if has_updated_at:
            sql = f'UPDATE "{t}" SET {sets}, "updated_at" = ? WHERE id = ?'
        else:
            sql = f'UPDATE "{t}" SET {sets} WHERE id = ?'
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            store.conn.executemany(sql, [(*[r.changes[c] for c in names], *([stamp] if has_updated_at else []),
                                          r.record_id) for r in chunk])
            done += len(chunk)
            ctx.progress(done, total, f"正在写入第 {done} 条，共 {total} 条")


# -- matching against the database -----------------------------------------------------
def _changes(r, stored: tuple, compare: list, cpos: list, kept: dict[str, list[int]]) -> dict:
    """What a row of the file changes in its stored record. A blank cell changes nothing: a
    roster or case list imported again with a column left blank (实发 not yet known, 核处结论 not
    copied) keeps what the ledger holds, and the row is listed in ``kept`` ({field: [rows]}) for
    the plan's note; a value is cleared in the record's own form, with the audit's reason."""
    values = r.values
    changes = {}
    for c, p in zip(compare, cpos):
        new, old = values.get(c), stored[p]
        if new == old:
            continue
        if new is None or new == "":
            if old is not None and old != "" and old != 0:
                kept.setdefault(c, []).append(r.row)
            continue
        changes[c] = new
    return changes



def match_existing(store: Store, plan: "ImportPlan") -> None:
    """Decide insert / update / unchanged for every valid row (run again inside the commit)."""
    ledger, t = plan.ledger, plan.ledger.table
    valid = [r for r in plan.rows if not r.problems]
    if not valid:
        return
    key_fields = [k for k in ledger.key if k != "uuid"]
    compare = [n for n in valid[0].values if n not in plan.defaults or n == ledger.parent]
    alt = [k for k in ledger.key_when_blank if k in compare] if key_fields else []
    if len(alt) != len(ledger.key_when_blank):
        alt = []
    cols = list(dict.fromkeys(key_fields + compare))
    where = f' WHERE "{ledger.parent}" = ?' if plan.parent_id and ledger.parent else ""
    params = [plan.parent_id] if where else []
    sel = ", ".join(f'"{c}"' for c in cols)
    by_key: dict[tuple, tuple] = {}
    by_content: dict[tuple, list[int]] = {}
    by_alt: dict[tuple, list[tuple]] = {}       # key_when_blank -> the stored records without a key
    deleted: set[tuple] = set()
    kpos = [cols.index(k) for k in key_fields]
    cpos = [cols.index(c) for c in compare]
    cur = store.conn.cursor()
    cur.row_factory = None
    has_deleted = any(r[1] == "deleted_at" for r in store.query(f'PRAGMA table_info("{t}")'))
    gone_sql = "deleted_at" if has_deleted else "NULL"
    for rec in cur.execute(f'SELECT id, {gone_sql}, {sel} FROM "{t}"{where} ORDER BY id', params):
        rid, gone, vals = rec[0], rec[1], rec[2:]
        key = tuple(vals[p] for p in kpos)
        if gone is not None:
            deleted.add(key)
            continue
        if key_fields:
            by_key.setdefault(key, (rid, vals))
        by_content.setdefault(tuple(vals[p] for p in cpos), []).append(rid)
        if alt and any(x in (None, "") for x in key):
            by_alt.setdefault(tuple(vals[cols.index(k)] for k in alt), []).append((rid, vals))
    kept: dict[str, list[int]] = {}
    plan.kept_blank = kept
    if not by_key and not by_content and not deleted:     # nothing there yet: every row is new
        for r in valid:
            r.record_id, r.action, r.changes = None, "insert", None
        return
    # 1. rows with a key: the record of that key
    taken: set[int] = set()
    by_content_rows = []
    for r in valid:
        v = r.values
        key = tuple(v.get(k) for k in key_fields)
        hit = None
        keyed = bool(key_fields) and all(x not in (None, "") for x in key)
        if keyed:
            hit = by_key.get(key)
            if hit is None and key in deleted:
                r.action = "reject"
                r.problems.append(Problem(r.row, field_label(ledger, key_fields[-1]), "重复",
                                          "回收站中已有相同的记录，请先在回收站中恢复或彻底删除后再导入",
                                          key_fields[-1]))
                continue
        if hit is not None:
            rid, vals = hit
            taken.add(rid)
            changes = _changes(r, vals, compare, cpos, kept)
            r.record_id, r.action, r.changes = rid, ("update" if changes else "unchanged"), changes or None
        elif keyed:                     # a key not yet stored: a new record, whatever it looks like
            r.record_id, r.action, r.changes = None, "insert", None
        else:
            by_content_rows.append(r)
    # 2. rows without a key (repayments; a worker without ID number): one stored record with the
    # same content for one row of the file, never one record for several rows. A file imported
    # twice matches every row; two identical genuine payments in one file stay two; a ledger file
    # that has grown since brings only its new rows.
    unmatched = []
    zeros = {c for c in compare if empty_value(ledger, c) == 0}     # a blank amount is a stored 0 (ImportWrite)
    for r in by_content_rows:
        rids = by_content.get(tuple(0 if c in zeros and r.values.get(c) is None else r.values.get(c)
                                    for c in compare))
        rid = None
        while rids:
            candidate = rids.pop(0)
            if candidate not in taken:
                rid = candidate
                break
        if rid is not None:
            taken.add(rid)
            r.record_id, r.action, r.changes = rid, "unchanged", None
        else:
            r.record_id, r.action, r.changes = None, "insert", None
            unmatched.append(r)
    # 3. a row without a key that changed since (a worker without ID number paid since): the one
    # stored record without a key of the same case and name, when it and the row are each the
    # only one so named; two 张伟 in a case stay content-matched
    if alt and unmatched:
        named: dict[tuple, list] = {}
        for r in unmatched:
            named.setdefault(tuple(r.values.get(k) for k in alt), []).append(r)
        for name_key, rows in named.items():
            stored = [(rid, vals) for rid, vals in by_alt.get(name_key, ()) if rid not in taken]
            if len(rows) != 1 or len(stored) != 1 or len(by_alt.get(name_key, ())) != 1 or "" in name_key \
                    or None in name_key:
                continue
            (r,), ((rid, vals),) = rows, stored
            taken.add(rid)
            changes = _changes(r, vals, compare, cpos, kept)
            r.record_id, r.action, r.changes = rid, ("update" if changes else "unchanged"), changes or None
