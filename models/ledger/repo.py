"""Reading and writing any declared ledger: ordered ids, rows fetched by id,
validated inserts and updates, recycle bin. Sorting and filtering happen in SQL."""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from typing import Any, Iterable, Sequence

from models.db import Store, now_text
from models.ledger import effects
from models.ledger.fields import Field, Ledger
from models.values import ValueProblem

# control characters (as models.io.limits.CONTROL_CHARS): dropped from search text
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")

FTS_TABLES = {"case_record": "case_fts", "worker": "worker_fts"}


def trigram_match(text: str) -> str:
    """The MATCH text finding the records of a trigram index (``case_fts``, ``worker_fts``)
    that hold every three-character run of ``text`` (three characters or more): each run a
    one-term phrase, all of them required. The index keeps no positions (``detail=none``), so
    whether a record holds ``text`` itself is for the caller to ask (``LedgerRepo`` does)."""
    runs = dict.fromkeys(text[i:i + 3] for i in range(len(text) - 2))
    return " AND ".join('"' + r.replace('"', '""') + '"' for r in runs)


class ValidationError(ValueError):
    """Problems in a record, each (field name, Chinese message)."""

    def __init__(self, problems: list[tuple[str, str]], ledger: Ledger | None = None) -> None:
        self.problems = problems
        labels = {f.name: f.label for f in ledger.fields} if ledger else {}
        text = "；".join(f"{labels.get(n, n)}：{m}" if labels.get(n) and labels.get(n) not in m else m
                        for n, m in problems)
        super().__init__(text)


_SOFT: dict[str, bool] = {}


def _soft_deleted(store: Store, table: str) -> bool:
    """Whether ``table`` keeps deleted rows (has ``deleted_at``); the program's schema, the same
    in every database."""
    if table not in _SOFT:
        cols = [r[1] for r in store.query(f'PRAGMA table_info("{table}")')]
        if not cols:
            return False                        # not made yet in this database: ask again next time
        _SOFT[table] = "deleted_at" in cols
    return _SOFT[table]


@dataclass
class Query:
    """What a ledger view asks for: filters, search text, sort."""
    equals: dict[str, Any] = dc_field(default_factory=dict)        # field → value
    ranges: dict[str, tuple[Any, Any]] = dc_field(default_factory=dict)  # field → (from, to), inclusive
    search: str = ""
    sort: str = ""                  # field name; '' for the ledger's own order
    descending: bool = False
    extra: list[tuple[str, list]] = dc_field(default_factory=list)  # raw SQL conditions
    deleted: bool = False           # the recycle bin instead of live rows
    notes: list[str] = dc_field(default_factory=list)   # the extra conditions in words

    def describe(self, ledger: Ledger, labels: dict[str, dict[Any, str]] | None = None) -> str:
        """The filter in force, in words, for printouts."""
        parts = []
        for name, value in self.equals.items():
            f = ledger.field(name)
            shown = (labels or {}).get(name, {}).get(value, f.format(value))
            parts.append(f"{f.label}：{shown}")
        for name, (lo, hi) in self.ranges.items():
            f = ledger.field(name)
            parts.append(f"{f.label}：{lo or '…'} 至 {hi or '…'}")
        if self.search:
            parts.append(f"检索“{self.search}”")
        parts += self.notes
        return "；".join(parts) if parts else "全部记录"


class LedgerRepo:
    def __init__(self, store: Store, ledger: Ledger) -> None:
        self.store = store
        self.ledger = ledger
        self.t = ledger.table

    # -- SQL pieces ----------------------------------------------------------
    def column_sql(self, f: Field, alias: str = "t") -> str:
        if f.kind == "ref" and f.ref_table:
            return f'(SELECT r."{f.ref_label}" FROM "{f.ref_table}" r WHERE r.id = {alias}."{f.name}")'
        if not f.stored and f.expr is not None:
            return "(" + f.expr(alias) + ")"
        return f'{alias}."{f.name}"'

    def sort_sql(self, f: Field) -> str:
        # a reference sorts by the referenced record's number (indexed; workstreams keep their
        # set-up order, cases their registration order), not by its label: that would sort a
        # million rows through a sub-query
        if f.kind == "ref":
            return f't."{f.name}"'
        return self.column_sql(f)

    def where(self, q: Query) -> tuple[str, list]:
        conds: list[str] = []
        if self.ledger.soft_delete:
            conds.append("t.deleted_at IS NOT NULL" if q.deleted else "t.deleted_at IS NULL")
        if not q.deleted:
            conds += self._parent_live()
        params: list[Any] = []
        for name, value in q.equals.items():
            f = self.ledger.field(name)
            if value is None:
                conds.append(f't."{name}" IS NULL')
            else:
                conds.append(f'{self.column_sql(f) if not f.stored else "t." + chr(34) + name + chr(34)} = ?')
                params.append(value)
        for name, (lo, hi) in q.ranges.items():
            if lo:
                conds.append(f't."{name}" >= ?')
                params.append(lo)
            if hi:
                conds.append(f't."{name}" <= ?')
                params.append(hi)
        if q.search.strip():
            c, p = self.search_condition(q.search.strip())
            conds.append(c)
            params += p
        for sql, p in q.extra:
            conds.append(f"({sql})")
            params += list(p)
        return " AND ".join(conds) or "1", params

    def _parent_live(self) -> list[str]:
        """The rows of a record in the recycle bin (the workers and repayments of a recycled case)
        are out of the ledger with it: listed, counted, summed, exported and printed nowhere but
        in the recycle bin, as the figures and checks leave them out. Nothing while no parent is
        there (an index probe: case_status starts with deleted_at)."""
        parent = self.ledger.parent
        if not parent:
            return []
        ref = self.ledger.field(parent).ref_table
        if not ref or not _soft_deleted(self.store, ref):
            return []
        if self.store.scalar(f'SELECT EXISTS(SELECT 1 FROM "{ref}" WHERE deleted_at IS NOT NULL)') == 0:
            return []
        return [f'(t."{parent}" IS NULL OR t."{parent}" NOT IN '
                f'(SELECT id FROM "{ref}" WHERE deleted_at IS NOT NULL))']

    def _index_for(self, text: str) -> tuple[str, str, str, list] | None:
        """(index table, MATCH text, a condition on ``t`` the rows found must also meet, its
        parameters) answering a search of ``text`` exactly: the trigram index for three
        characters or more, the short-search index (``chars_index``) for one or two.

        The trigram index keeps which records hold each run of three characters, not where
        (FTS5 ``detail=none``, step 18): it finds the records holding every run of the text,
        and the condition keeps those that hold the text itself in one searched field."""
        fts = FTS_TABLES.get(self.t)
        if fts and len(text) >= 3:
            cond, params = self._like_any(effects.fts_columns(self.store.conn, self.t), text)
            return fts, trigram_match(text), cond, params
        if fts and text:
            from models.ledger import chars_index
            match = chars_index.phrase(text)
            if match and chars_index.catch_up(self.store, self.t):
                return chars_index.INDEXES[self.t][0], match, "1", []
        return None

    @staticmethod
    def _like_any(columns: list[str], text: str) -> tuple[str, list]:
        """``t.<column> LIKE %text%`` for any of ``columns``, the text taken literally."""
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        ors = " OR ".join(f't."{c}" LIKE ? ESCAPE \'\\\'' for c in columns)
        return f"({ors or '0'})", [like] * len(columns)

    def search_condition(self, text: str) -> tuple[str, list]:
        """From a search index where one answers it (``_index_for``); else LIKE."""
        text = _CONTROL.sub("", text).strip()       # a NUL or ESC typed or pasted in is no search
        found = self._index_for(text)
        if found:
            index, match, cond, params = found
            return f"(t.id IN (SELECT rowid FROM {index} WHERE {index} MATCH ?) AND {cond})", [match, *params]
        fields = self.ledger.search_fields or [f for f in self.ledger.fields if f.kind == "text"][:3]
        return self._like_any([f.name for f in fields if f.stored], text)

    def order(self, q: Query) -> str:
        if q.sort:
            f = self.ledger.field(q.sort)
            d = "DESC" if q.descending else "ASC"
            return f"{self.sort_sql(f)} {d}, t.id {d}"
        return ", ".join(f"t.{part.strip()}" for part in self.ledger.order_by.split(","))

    # -- reading ---------------------------------------------------------------
    def id_query(self, q: Query) -> tuple[str, list]:
        """SQL for the ordered ids. A text search in id order reads the search index in its own
        rowid order, so the first page comes without collecting every match first."""
        text = _CONTROL.sub("", q.search).strip()
        by_id = (not q.sort and self.ledger.order_by.replace(" ", "").lower() in ("id", "idasc", "iddesc")) \
            or q.sort == "id"
        found = self._index_for(text) if by_id else None
        if found:
            index, match, cond, cond_params = found
            rest = Query(**{**q.__dict__, "search": ""})
            where, params = self.where(rest)
            desc = "DESC" if (q.descending if q.sort else "desc" in self.ledger.order_by.lower()) else "ASC"
            return (f'SELECT t.id FROM {index} f JOIN "{self.t}" t ON t.id = f.rowid '
                    f"WHERE {index} MATCH ? AND {cond} AND {where} ORDER BY f.rowid {desc}",
                    [match, *cond_params, *params])
        where, params = self.where(q)
        return f'SELECT t.id FROM "{self.t}" t WHERE {where} ORDER BY {self.order(q)}', params

    def ids(self, q: Query | None = None, limit: int | None = None) -> list[int]:
        q = q or Query()
        sql, params = self.id_query(q)
        if limit:
            sql += f" LIMIT {int(limit)}"
        cur = self.store.conn.cursor()
        cur.row_factory = None
        return [r[0] for r in cur.execute(sql, params)]

    def count(self, q: Query | None = None) -> int:
        where, params = self.where(q or Query())
        return int(self.store.scalar(f'SELECT COUNT(*) FROM "{self.t}" t WHERE {where}', params, 0))

    def _uuid_sql(self) -> str:
        """The record's uuid: its own column, the audit log's record_uuid, or none."""
        if self.ledger.soft_delete or self.ledger.has("uuid"):
            return "t.uuid"
        have = {r[1] for r in self.store.conn.execute(f'PRAGMA table_info("{self.t}")')}
        if "uuid" in have:
            return "t.uuid"
        return "t.record_uuid AS uuid" if "record_uuid" in have else "NULL AS uuid"

    def select_list(self, fields: Iterable[Field] | None = None, raw_refs: bool = False) -> str:
        cols = ["t.id", self._uuid_sql()]
        for f in fields or self.ledger.fields:
            if f.kind == "ref":
                cols.append(f't."{f.name}" AS "{f.name}"')
                if not raw_refs:
                    cols.append(f'{self.column_sql(f)} AS "{f.name}__label"')
            else:
                cols.append(f'{self.column_sql(f)} AS "{f.name}"')
        return ", ".join(cols)

    def rows_by_ids(self, ids: Sequence[int]) -> dict[int, dict]:
        out: dict[int, dict] = {}
        sel = self.select_list()
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            for r in self.store.query(f'SELECT {sel} FROM "{self.t}" t WHERE t.id IN ({marks})', chunk):
                out[r["id"]] = dict(r)
        return out

    def get(self, record_id: int) -> dict | None:
        return self.rows_by_ids([record_id]).get(record_id)

    def rows(self, q: Query | None = None, limit: int | None = None) -> list[dict]:
        q = q or Query()
        where, params = self.where(q)
        sql = f'SELECT {self.select_list()} FROM "{self.t}" t WHERE {where} ORDER BY {self.order(q)}'
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [dict(r) for r in self.store.query(sql, params)]

    def totals(self, q: Query | None = None) -> dict[str, int]:
        sums = [f for f in self.ledger.fields if f.sum]
        if not sums:
            return {}
        where, params = self.where(q or Query())
        cols = ", ".join(f"COALESCE(SUM({self.column_sql(f)}), 0)" for f in sums)
        row = self.store.one(f'SELECT {cols} FROM "{self.t}" t WHERE {where}', params)
        return {f.name: int(row[i]) for i, f in enumerate(sums)}

    def find_by_key(self, values: dict) -> int | None:
        key = [k for k in self.ledger.key if k != "uuid"]
        if not key or any(values.get(k) in (None, "") for k in key):
            return None
        cond = " AND ".join(f'"{k}" = ?' for k in key)
        return self.store.scalar(f'SELECT id FROM "{self.t}" WHERE {cond} AND deleted_at IS NULL',
                                 [values[k] for k in key])

    # -- writing ---------------------------------------------------------------
    def parse(self, raw: dict[str, Any]) -> tuple[dict, list[tuple[str, str]]]:
        """Text from a form or a file → stored values, with every problem found."""
        values: dict = {}
        problems = self._each_stored(raw, values, lambda f, text: f.parse(text))
        return values, problems

    def _each_stored(self, given: dict, into: dict, turn) -> list[tuple[str, str]]:
        """``turn(field, value)`` for each stored field of ``given``, into ``into``; the
        ``ValueProblem``s as (field, message)."""
        problems = []
        for name, value in given.items():
            try:
                f = self.ledger.field(name)
            except KeyError:
                continue
            if not f.stored:
                continue
            try:
                into[name] = turn(f, value)
            except ValueProblem as exc:
                problems.append((name, str(exc)))
        return problems

    def validate(self, values: dict, record_id: int | None = None) -> list[tuple[str, str]]:
        row = dict(values)
        if record_id is not None:
            current = self.store.one(f'SELECT * FROM "{self.t}" WHERE id = ?', (record_id,))
            if current is not None:
                row = {**dict(current), **values}
        return self.ledger.validate(row)

    def at_door(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        """The values handed to a write in their stored form, in place (a date written
        2026/11/5 becomes 2026-11-05, a phone loses its dashes), and what no form or cell could
        have put there: an ID number with a wrong check digit, a status not in the list, an
        amount that is not whole 分. Forms and files parse before they write; this is the same
        rule for every other caller (the command line, a package, the program's own code)."""
        return self._each_stored(dict(values), values, lambda f, value: f.kind_of.at_door(f, value))

    def insert(self, values: dict[str, Any]) -> int:
        problems = self.at_door(values) or self.validate(values)
        if problems:
            raise ValidationError(problems, self.ledger)
        stored = {k: v for k, v in values.items() if self._is_column(k)}
        with self.store.tx(), effects.tracking(self.store.conn, self.t, new_above=True):
            return self.store.insert(self.t, stored)

    def update(self, record_id: int, values: dict[str, Any], reason: str = "") -> None:
        problems = self.at_door(values) or self.validate(values, record_id)
        if problems:
            raise ValidationError(problems, self.ledger)
        stored = {k: v for k, v in values.items() if self._is_column(k)}
        stored["updated_at"] = now_text()
        with self.store.tx(reason), effects.tracking(self.store.conn, self.t, [record_id]):
            self.store.update(self.t, record_id, stored)

    def recycle(self, record_ids: Sequence[int], reason: str = "") -> None:
        with self.store.tx(reason), effects.tracking(self.store.conn, self.t, record_ids):
            for rid in record_ids:
                self.store.execute(f'UPDATE "{self.t}" SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL',
                                   (now_text(), rid))

    def restore(self, record_ids: Sequence[int], reason: str = "") -> None:
        with self.store.tx(reason), effects.tracking(self.store.conn, self.t, record_ids):
            for rid in record_ids:
                self.store.execute(f'UPDATE "{self.t}" SET deleted_at = NULL WHERE id = ?', (rid,))

    def _is_column(self, name: str) -> bool:
        try:
            return self.ledger.field(name).stored
        except KeyError:
            return name in ("uuid", "deleted_at")


def next_number(store: Store, table: str, column: str, prefix: str, width: int = 3) -> str:
    """The next record number after ``prefix`` (ZJ2026-001, PC2026-002 …) in ``table.column``."""
    last = store.scalar(f'SELECT MAX(CAST(SUBSTR("{column}", ?) AS INTEGER)) FROM "{table}" WHERE "{column}" LIKE ?',
                        (len(prefix) + 1, prefix + "%"), 0)
    return f"{prefix}{int(last) + 1:0{width}d}"


def missing_case_nos(store: Store, case_nos: Sequence[str]) -> list[str]:
    """Case numbers a ledger row links to that are not (or no longer) in the case ledger."""
    if not case_nos:
        return []
    marks = ",".join("?" * len(case_nos))
    found = {r[0] for r in store.query(
        f"SELECT case_no FROM case_record WHERE deleted_at IS NULL AND case_no IN ({marks})", list(case_nos))}
    return [n for n in case_nos if n not in found]

