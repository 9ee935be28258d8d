"""Choices a ledger page offers for its reference fields (责任专班, 关联问题 …): the rows of the
referenced table as (id, label), for forms and filters. Kept here so views hold no SQL."""
from __future__ import annotations

import importlib
from typing import Any, Callable

from models.db import Store
from models.ledger import registry
from models.ledger.fields import Field, Ledger

REF_LIMIT = 3000        # a form's drop-down is no place for 100,000 cases: the newest ones


def ref_options(store: Store, f: Field, limit: int = REF_LIMIT, keep: Any = None) -> list[tuple[Any, str]]:
    """(id, label) of the rows a ref field may point to; ``keep`` (the current value) is always included."""
    if f.kind != "ref" or not f.ref_table:
        return []
    if f.ref_table == "workstream":
        from models import campaign
        return [(w["id"], w["name"]) for w in campaign.workstreams(store)]
    cols = {r[1] for r in store.query(f'PRAGMA table_info("{f.ref_table}")')}
    where = "WHERE deleted_at IS NULL" if "deleted_at" in cols else ""
    rows = [(r[0], str(r[1] if r[1] is not None else r[0])) for r in store.query(
        f'SELECT id, "{f.ref_label}" FROM "{f.ref_table}" {where} ORDER BY id DESC LIMIT ?', (limit,))]
    rows.reverse()
    if keep is not None and all(v != keep for v, _ in rows):
        label = store.scalar(f'SELECT "{f.ref_label}" FROM "{f.ref_table}" WHERE id = ?', (keep,))
        if label is not None:
            rows.append((keep, str(label)))
    return rows


def form_options(store: Store, ledger: Ledger, values: dict | None = None) -> dict[str, list[tuple[Any, str]]]:
    return {f.name: ref_options(store, f, keep=(values or {}).get(f.name))
            for f in ledger.form_fields if f.kind == "ref"}


def children(ledger: Ledger) -> list[Ledger]:
    """Declared ledgers whose parent field points at this ledger's table (分期计划, 分配明细 …)."""
    out = []
    for other in registry.all_ledgers():
        if other.parent and other.has(other.parent) and other.field(other.parent).ref_table == ledger.table \
                and other.kind != ledger.kind:
            out.append(other)
    return out


def hook(spec: str | None) -> Callable | None:
    """"module:function" named in a declaration's ``extra`` → the function (None when absent)."""
    if not spec:
        return None
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)
