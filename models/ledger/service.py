"""The one door to a ledger: every write — a form, a row import, a bulk import, the command
line, the demo — goes through the ledger's write service, which applies the ledger's own rules
once: defaults and derived fields of a new record, what follows a change (a deadline that
follows its registration date, a status change that is logged), and the effects on other
ledgers (an instalment's repayment raising its contract's paid amount).

The rules are written for a batch: a form's save is a batch of one, an import of 100,000 rows
one batch of 100,000, so the bulk path is the same rules called once, not a second copy.

    svc = service_for(store, "cases")
    case_id = svc.insert({...})                    # a form
    svc.update(case_id, {...}, reason="…")
    svc.prepare_new(rows); ...write...; svc.after_insert(new_ids)     # an import (models.io.importer)

What must hold even for a raw write (audit rows, permission, roll-ups of paid amounts, the
search index) stays in the database's triggers (models.migrations, models.audit, models.access).

A ledger's service is a subclass registered with ``@service("kind")`` in the ledger's domain
module; ``SERVICE_MODULES`` names those modules, so a lookup finds them without the views or the
declarations naming functions by string.
"""
from __future__ import annotations

import datetime as _dt
import importlib
from itertools import repeat
from typing import Any, ClassVar, Iterable, Sequence

from models.db import Store
from models.ledger import registry
from models.ledger.fields import Ledger, empty_value as _empty
from models.ledger.repo import LedgerRepo, ValidationError

# Modules that register a ledger's own service; every other ledger gets the plain one.
SERVICE_MODULES = ("models.cases", "models.contracts", "models.funds", "models.assets", "models.petitions",
                   "models.daily", "models.case_workers", "models.advances", "models.action_items",
                   "models.documents", "models.inspections", "models.targets", "models.attachments",
                   "models.projects", "models.certificates")

_SERVICES: dict[str, type["LedgerService"]] = {}
_loaded = False


def service(kind: str):
    """Class decorator: the write service of the ledger ``kind``."""
    def deco(cls: type[LedgerService]) -> type[LedgerService]:
        cls.kind = kind
        _SERVICES[kind] = cls
        return cls
    return deco


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for name in SERVICE_MODULES:
            importlib.import_module(name)


def service_class(kind: str) -> type["LedgerService"]:
    _load()
    return _SERVICES.get(kind, LedgerService)


def service_for(store: Store, kind: str, today: _dt.date | None = None) -> "LedgerService":
    ledger = registry.get(kind)
    return service_class(kind)(store, ledger, today=today)


class LedgerService:
    """The plain service: the declaration's checks, nothing derived. Subclasses override the
    ``prepare_*`` / ``after_*`` hooks; the entry points below call them in the same order for
    every path."""
    kind: ClassVar[str] = ""
    # stored fields that are not typed in a form but that a file may carry (history), applied
    # through this service's rules (e.g. an instalment's 实还金额)
    import_settable: ClassVar[tuple[str, ...]] = ()

    def __init__(self, store: Store, ledger: Ledger | None = None, *, today: _dt.date | None = None) -> None:
        self.store = store
        self.ledger = ledger or registry.get(self.kind)
        self.repo = LedgerRepo(store, self.ledger)
        self.today = today or _dt.date.today()
        self.source = ""                 # "form", "import": said in status logs and messages

    # -- hooks ------------------------------------------------------------------------
    def defaults(self) -> dict:
        """Values a new record starts with in a form (shown before the clerk types)."""
        return {}

    def prepare_new(self, rows: list[dict]) -> None:
        """Defaults and derived fields of new records, in place."""

    def prepare_change(self, record_id: int, current: dict, changes: dict) -> None:
        """Derived fields that follow a change, in place (``changes`` holds only what changes)."""

    def check_new(self, row: dict) -> list[tuple[str, str]]:
        """Rules beyond the declaration for a new record, as (field, message)."""
        return []

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        return []

    def check_new_batch(self, rows: list[dict]) -> list[list[tuple[str, str]]]:
        """``check_new`` for many new records at once (an import); a ledger whose rule asks the
        database overrides it to ask once for all rows."""
        return [self.check_new(v) for v in rows]

    def after_insert(self, ids: Sequence[int]) -> None:
        """Effects of new records on this and other ledgers, set-based."""

    def after_update(self, ids: Sequence[int]) -> None:
        """Effects of changed records (what ``prepare_change`` noted), set-based."""

    # -- entry points -------------------------------------------------------------------
    def insert(self, values: dict[str, Any], reason: str = "") -> int:
        values = dict(values)
        self._refuse_not_editable(values)
        self._at_door(values)
        self.fill_defaults([values])
        self.prepare_new([values])
        problems = self.check_new(values)
        if problems:
            raise ValidationError(problems, self.ledger)
        with self.store.tx(reason):
            rid = self.repo.insert(values)
            self.after_insert([rid])
        return rid

    def update(self, record_id: int, values: dict[str, Any], reason: str = "") -> None:
        values = dict(values)
        self._refuse_not_editable(values)
        self._at_door(values)
        current = self.current(record_id)
        changes = {k: v for k, v in values.items() if current.get(k) != v}
        if not changes:
            return
        self.prepare_change(record_id, current, changes)
        problems = self.check_change(record_id, current, changes)
        if problems:
            raise ValidationError(problems, self.ledger)
        with self.store.tx(reason):
            self.repo.update(record_id, changes, reason)
            self.after_update([record_id])

    def save(self, values: dict[str, Any], record_id: int | None = None, reason: str = "") -> int:
        """A form's save: a new record, or the changes to ``record_id``. Returns the record's id."""
        if record_id is None:
            return self.insert(values, reason)
        self.update(record_id, values, reason)
        return record_id

    def recycle(self, record_ids: Sequence[int], reason: str = "") -> None:
        self.repo.recycle(record_ids, reason)

    def restore(self, record_ids: Sequence[int], reason: str = "") -> None:
        """Back from the recycle bin. ``reason``: a person's 修改理由, needed for a record of a
        ledger signed off since it was made."""
        self.repo.restore(record_ids, reason)

    # -- helpers -------------------------------------------------------------------------
    def fill_defaults(self, rows: list[dict], only: Iterable[str] | None = None) -> None:
        """A field left blank (a blank cell, an empty form field) or left out (a file without the
        column) takes the table's default, the same on every path (兑付渠道 企业自行支付, 线索来源 其他).
        ``only``: these fields alone (an import's own columns, before its rows are matched)."""
        wanted = None if only is None else set(only)
        for name, value in self._table_defaults().items():
            if wanted is not None and name not in wanted:
                continue
            # a column at a time: the rows where it is blank (C-level passes), then those alone
            got = list(map(dict.get, rows, repeat(name)))
            if got.count(None) + got.count(""):
                for v, have in zip(rows, got):
                    if have is None or have == "":
                        v[name] = value

    def _table_defaults(self) -> dict[str, Any]:
        cache = getattr(type(self), "_defaults_cache", None)
        if cache is None:
            cache = type(self)._defaults_cache = {}
        key = self.ledger.table           # the program's schema: the same defaults in every database
        if key not in cache:
            out = {}
            for r in self.store.query(f'PRAGMA table_info("{self.ledger.table}")'):
                name, default = r[1], r[4]
                if not self.ledger.has(name) or default is None or not self.ledger.field(name).stored:
                    continue
                if default.startswith("'") and default.endswith("'") and len(default) > 2:
                    out[name] = default[1:-1].replace("''", "'")
            cache[key] = out
        return cache[key]

    def current(self, record_id: int) -> dict:
        row = self.store.one(f'SELECT * FROM "{self.ledger.table}" WHERE id = ?', (record_id,))
        if row is None:
            raise ValidationError([(self.ledger.label_field or "id", "该记录不存在或已被删除")], self.ledger)
        return dict(row)

    def _refuse_not_editable(self, values: dict) -> None:
        """A field the declaration marks not editable is set by the program's own rules
        (进度 through 推进, 实还金额 through 登记还款), never typed over."""
        problems = []
        for name in values:
            if self.ledger.has(name):
                f = self.ledger.field(name)
                if not f.stored or not f.editable:
                    problems.append((name, f"“{f.label}”由程序按规则填写，不能直接修改"))
        if problems:
            raise ValidationError(problems, self.ledger)

    def _at_door(self, values: dict) -> None:
        """Values in their stored form before any rule reads them (``LedgerRepo.at_door``)."""
        problems = self.repo.at_door(values)
        if problems:
            raise ValidationError(problems, self.ledger)

    def import_problems(self, names: Iterable[str]) -> list[tuple[str, str]]:
        """Fields of an import that this ledger does not let a file set."""
        out = []
        for name in names:
            if self.ledger.has(name):
                f = self.ledger.field(name)
                if f.stored and not f.editable and name not in self.import_settable:
                    out.append((name, f"“{f.label}”由程序按规则填写，不能从文件导入"))
        return out


# -- an import through the service -------------------------------------------------------------
SIGNED_MESSAGE = "该记录所属台账已审核签字，导入修改须填写理由（命令行 --reason，导入预览中的“修改理由”）"


class ImportWrite:
    """An import's rows (``models.io.importer.RowResult``) through a ledger's service:
    ``prepare`` before the rows are written (derived fields, what a file may not set, the
    signed-ledger lock), ``finish`` after (status logs and other effects). The row path and
    the bulk path write what ``prepare`` left in the rows, so both end the same."""

    def __init__(self, svc: LedgerService, rows: list, *, users_reason: str = "", problem=None) -> None:
        self.svc, self.rows, self.users_reason = svc, rows, users_reason
        self.problem = problem          # (row, field, rule, message) -> a Problem for the row
        self.first_new = 0
        self.updated: list[int] = []

    def _refuse(self, r, field: str, rule: str, message: str) -> None:
        if self.problem is not None:
            r.problems.append(self.problem(r, field, rule, message))
        r.action = "reject"

    def prepare(self) -> None:
        svc, store, t = self.svc, self.svc.store, self.svc.ledger.table
        svc.source = "导入"
        live = [r for r in self.rows if not r.problems]
        updates = [r for r in live if r.action == "update" and r.changes]
        current: dict[int, dict] = {}
        for part in _chunks([r.record_id for r in updates]):
            marks = ",".join("?" * len(part))
            for row in store.query(f'SELECT * FROM "{t}" WHERE id IN ({marks})', part):
                current[row["id"]] = dict(row)
        for r in updates:
            for name, message in svc.import_problems(r.changes):
                self._refuse(r, name, "由程序填写", message)
        if not self.users_reason:
            self._signed_lock([r for r in live if r.action in ("insert", "update")], current)
        updates = [r for r in updates if r.action == "update"]
        for r in updates:
            for name, message in svc.check_change(r.record_id, current[r.record_id], r.changes):
                self._refuse(r, name, "规则", message)
        updates = [r for r in updates if r.action == "update"]
        for r in updates:
            svc.prepare_change(r.record_id, current[r.record_id], r.changes)
        inserts = [r for r in self.rows if r.action == "insert" and not r.problems]
        _blank_numbers_zero(svc.ledger, [r.values for r in inserts])
        svc.fill_defaults([r.values for r in inserts])
        svc.prepare_new([r.values for r in inserts])
        for r, problems in zip(inserts, svc.check_new_batch([r.values for r in inserts])):
            for name, message in problems:
                self._refuse(r, name, "规则", message)
        new_rows = [r.values for r in inserts if r.action == "insert"]
        _same_columns(svc.ledger, new_rows)
        self.first_new = int(store.scalar(f'SELECT COALESCE(MAX(id), 0) FROM "{t}"', default=0))
        self.updated = [r.record_id for r in updates]

    def finish(self) -> None:
        svc, store = self.svc, self.svc.store
        if type(svc).after_insert is not LedgerService.after_insert:     # only a ledger with effects asks
            new_ids = [r[0] for r in store.query(f'SELECT id FROM "{svc.ledger.table}" WHERE id > ? ORDER BY id',
                                                 (self.first_new,))]
            if new_ids:
                svc.after_insert(new_ids)
        if self.updated:
            svc.after_update(self.updated)

    def _signed_lock(self, rows: list, current: dict[int, dict]) -> None:
        """Without the user's own reason an import may not change a record of a signed ledger:
        the record itself (an update) or the case it adds to (a worker, a repayment)."""
        store, ledger = self.svc.store, self.svc.ledger
        try:
            signed = dict(store.query("SELECT workstream_id, MAX(as_of) FROM signoff WHERE revoked_at IS NULL "
                                      "GROUP BY workstream_id"))
        except Exception:  # noqa: BLE001 - no signoff table yet: nothing is signed
            return
        if not signed:
            return
        ws_field = ledger.workstream_field or ("workstream_id" if ledger.has("workstream_id") else "")
        case_ids = {(current.get(r.record_id) or r.values).get("case_id") for r in rows} - {None}
        cases: dict[int, tuple] = {}
        for part in _chunks(sorted(case_ids)):
            marks = ",".join("?" * len(part))
            for row in store.query(f"SELECT id, workstream_id, created_at FROM case_record WHERE id IN ({marks})",
                                   part):
                cases[row[0]] = (row[1], row[2])
        for r in rows:
            marks = []
            if r.action == "update":
                cur = current[r.record_id]
                if ws_field:
                    marks.append((cur.get(ws_field), cur.get("created_at")))
            case_id = (current.get(r.record_id) or r.values).get("case_id") if r.action == "update" \
                else r.values.get("case_id")
            if case_id in cases:
                marks.append(cases[case_id])
            for ws, created_at in marks:
                as_of = signed.get(ws)
                if as_of and created_at and str(created_at)[:10] <= as_of:
                    self._refuse(r, ledger.label_field or "", "签字", SIGNED_MESSAGE)
                    break


def _same_columns(ledger: Ledger, rows: list[dict]) -> None:
    """Every new row names the same columns (a batch insert binds the first row's), a column a
    rule filled for some rows only taking its empty value in the others."""
    if not rows:
        return
    first = rows[0].keys()
    odd = [v for v in rows if v.keys() != first]
    if not odd:
        return
    names = dict.fromkeys([*first, *(k for v in odd for k in v)])
    for v in rows:
        for name in names:
            if name not in v:
                v[name] = _empty(ledger, name)


def _blank_numbers_zero(ledger: Ledger, rows: list[dict]) -> None:
    """A new record's blank amount or count is 0, as its column's DEFAULT (an import reads a
    blank number cell as None, so that an existing record's figure stays)."""
    if not rows:
        return
    for name in [n for n in rows[0] if ledger.has(n) and ledger.field(n).numeric and _empty(ledger, n) == 0]:
        got = list(map(dict.get, rows, repeat(name)))
        if None in got:
            for v, have in zip(rows, got):
                if have is None:
                    v[name] = 0


def _chunks(ids, size: int = 500):
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
