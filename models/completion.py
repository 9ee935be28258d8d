"""待补录: records that today's rules call incomplete but that are not wrong.

An older ledger brought in by import holds cases closed before a field was asked for (a
resolved case without 核处结论). Such a record is not an error in the data and is never
refused: it is imported, and listed here until a clerk completes it. The typed-in form keeps
asking for the field when a clerk closes a case (the ledger's row rule does that).

A ledger marks a row rule as a completion rule by giving the rule function a ``completion``
attribute naming the field to be completed:

    def _closed_has_verdict(row): ...
    _closed_has_verdict.completion = "verdict"
    _closed_has_verdict.completion_sql = closed_sql("t")     # optional: the rows it can speak of

Imports apply every other rule as ever, and these ones only to list the row (``row_gaps``);
``list_incomplete`` finds the stored records that still wait, for ``qingqian check --json``
(key ``incomplete``) and the 数据审核 page.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Callable

from models.db import Store
from models.ledger.fields import Ledger


@dataclass(frozen=True)
class Gap:
    kind: str           # the ledger (cases …)
    table: str
    record: int | None
    label: str          # how the record is named to a person (编号, 姓名…)
    field: str          # the field to fill in
    field_label: str
    message: str        # Chinese

    def to_json(self) -> dict:
        return asdict(self)


def completion_rules(ledger: Ledger) -> list[Callable[[dict], list]]:
    """The row rules of a ledger that say "to be completed", not "wrong"."""
    return [r for r in ledger.row_rules if is_completion_rule(r)]


def is_completion_rule(rule: Any) -> bool:
    return bool(getattr(rule, "completion", None))


def row_gaps(rules: list[Callable[[dict], list]], row: dict) -> list[tuple[str, str]]:
    """(field, message) for each thing a parsed row still lacks."""
    out: list[tuple[str, str]] = []
    for rule in rules:
        out.extend(rule(row))
    return out


def list_incomplete(store: Store, limit: int | None = None) -> list[Gap]:
    """The live records of every ledger that still wait for a field (待补录), oldest first.
    Only records whose field is empty are read, so a large ledger costs a single indexed scan."""
    from models.ledger import registry
    out: list[Gap] = []
    for ledger in registry.all_ledgers():
        rules = completion_rules(ledger)
        if not rules:
            continue
        t = ledger.table
        cols = {r[1] for r in store.query(f'PRAGMA table_info("{t}")')}
        if not cols:
            continue
        wanted = [r for r in rules if r.completion in cols]
        if not wanted:
            continue
        # a record whose field is empty and that the rule can speak of (``completion_sql``, on
        # alias t); a rule without one reads every record whose field is empty
        empty = " OR ".join(dict.fromkeys(
            f'(TRIM(COALESCE(t."{r.completion}", \'\')) = \'\'' + (f" AND ({r.completion_sql})" if
                                                              getattr(r, "completion_sql", None) else "") + ")"
            for r in wanted))
        live = " AND t.deleted_at IS NULL" if "deleted_at" in cols else ""
        names = [f.name for f in ledger.stored_fields if f.name in cols]
        label = ledger.label_field if ledger.label_field in cols else "id"
        sel = ", ".join(f't."{n}"' for n in dict.fromkeys(["id", label, *names]))
        for rec in store.query(f'SELECT {sel} FROM "{t}" t WHERE ({empty}){live} ORDER BY t.id'):
            row = dict(rec)
            for name, message in row_gaps(rules, row):
                field_label = ledger.field(name).label if ledger.has(name) else name
                out.append(Gap(ledger.kind, t, row["id"], str(row.get(label) or row["id"]), name, field_label,
                               message))
                if limit is not None and len(out) >= limit:
                    return out
    return out


def summary(gaps: list[Gap]) -> str:
    """待补录 12 条（核处结论 12 条）."""
    if not gaps:
        return "没有待补录的记录"
    by: dict[str, int] = {}
    for g in gaps:
        by[g.field_label] = by.get(g.field_label, 0) + 1
    return f"待补录 {len(gaps)} 条（" + "，".join(f"{k} {v} 条" for k, v in by.items()) + "）"
