"""Writing a big demo through the import's own path: the rows of one batch go through their
ledger's write service (``models.ledger.service.ImportWrite``: defaults, derived fields, the
ledger's checks and effects) and are committed by the import's set-based commit
(``models.io.bulk_commit``: audit rows, search index, roll-ups, repayments applied), exactly as
a large imported file is. The demo keeps nothing of its own that a trigger or the bulk commit
already does. Used by ``models.demo`` for townships of more than a few hundred cases and for
the county-sized benchmark database."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Callable

from models.db import Store

Progress = Callable[[int, int, str], None]


class DemoRowsRefused(RuntimeError):
    """A generated row that the ledger's own rules refuse: a fault of the generator."""


def write_batch(store: Store, kind: str, rows: list[dict], today, *, effects: bool = True) -> int:
    """Insert ``rows`` (dicts of stored columns, ``id`` included, no ``uuid``) into the ledger
    ``kind`` inside the open transaction, as an import of that many new rows would. ``effects``
    False leaves out the service's ``after_insert`` (the demo writes a case's status history
    itself: it knows each step, where an imported ledger only knows 登记 and 办结).
    Returns the number of rows written."""
    if not rows:
        return 0
    from models.io import bulk_commit
    from models.io.importer import BULK_THRESHOLD
    from models.io.plan import RowResult
    from models.io.writing import write_rows
    from models.jobs import NULL
    from models.ledger import registry
    from models.ledger.service import ImportWrite, service_for
    ledger = registry.get(kind)
    results = [RowResult(i + 1, v, [], "insert", None, None, None) for i, v in enumerate(rows)]
    svc = service_for(store, kind, today=today)
    write = ImportWrite(svc, results, users_reason=store.audit_reason or "生成演示数据",
                        problem=lambda r, name, rule, message: f"{name}：{message}")
    write.prepare()
    bad = [(r.row, p) for r in results for p in r.problems]
    if bad:
        raise DemoRowsRefused(f"演示数据第 {bad[0][0]} 条{ledger.title}不合规则（{bad[0][1]}），共 {len(bad)} 条")
    plan = SimpleNamespace(ledger=ledger, rows=results)
    if len(results) > BULK_THRESHOLD and bulk_commit.supported(store, plan):
        bulk_commit.write_rows_bulk(store, plan, NULL)
    else:
        write_rows(store, plan, NULL)
    if effects:
        write.finish()
    return len(results)


def fts_tune(store: Store, fast: bool) -> None:
    """While a big demo loads, let the FTS5 indexes gather terms in large in-memory batches and
    not merge segments as they go; afterwards put the usual settings back. A setting of the
    index, not a change to what it holds."""
    from models.migrations import FTS_HASHSIZE
    for table in ("case_fts", "worker_fts"):
        if fast:
            store.execute(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', 0)")
            store.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', {64 * 1024 * 1024})")
        else:
            store.execute(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', 4)")
            store.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', {FTS_HASHSIZE})")
