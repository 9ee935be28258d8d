"""The write half of an import: inserts and updates for a planned file, inside the
caller's transaction, in batches (``executemany``) with the audit and roll-up
triggers left on, so every imported row is audited like a typed one."""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from models.db import Store, now_text
from models.jobs import JobContext

if TYPE_CHECKING:
    from models.io.importer import ImportPlan

BATCH = 2000


def write_rows(store: Store, plan: "ImportPlan", ctx: JobContext) -> dict[str, int]:
    t = plan.ledger.table
    inserts = [r for r in plan.rows if r.action == "insert"]
    updates = [r for r in plan.rows if r.action == "update"]
    counts = {"insert": len(inserts), "update": len(updates),
              "unchanged": sum(1 for r in plan.rows if r.action == "unchanged")}
    total = len(inserts) + len(updates)
    done = 0
    ctx.progress(0, total, "正在写入数据库…")
    if inserts:
        cols = list(inserts[0].values)
        sql = (f'INSERT INTO "{t}" ("uuid", {", ".join(chr(34) + c + chr(34) for c in cols)}) '
               f'VALUES ({", ".join("?" * (len(cols) + 1))})')
        u4 = uuid.uuid4
        for start in range(0, len(inserts), BATCH):
            chunk = inserts[start:start + BATCH]
            store.conn.executemany(sql, [(str(u4()), *[r.values.get(c) for c in cols]) for r in chunk])
            done += len(chunk)
            ctx.progress(done, total, f"正在写入第 {done} 条，共 {total} 条")
    groups: dict[tuple, list] = {}
    for r in updates:
        groups.setdefault(tuple(r.changes or ()), []).append(r)
    stamp = now_text()
    for names, rows in groups.items():
        if not names:
            continue
        sets = ", ".join(f'"{c}" = ?' for c in names)
        sql = f'UPDATE "{t}" SET {sets}, "updated_at" = ? WHERE id = ?'
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            store.conn.executemany(sql, [(*[r.changes[c] for c in names], stamp, r.record_id) for r in chunk])
            done += len(chunk)
            ctx.progress(done, total, f"正在写入第 {done} 条，共 {total} 条")
    return counts
