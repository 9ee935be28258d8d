"""The parts a ledger is declared from.

A ledger is a list of typed fields with Chinese labels, validators, header
synonyms for import and a print / export layout. Tables, forms, filters, the
import mapping, Excel export and PDF printout are all derived from it.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import Any, Callable, Sequence

from models.ledger.kinds import KINDS, Kind

Validator = Callable[[Any, dict], "str | None"]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"
    required: bool = False
    choices: Sequence[str] = ()
    synonyms: Sequence[str] = ()
    width: int = 10                 # characters, for table, export and print
    unit: str = "元"                 # for money: the unit of bare numbers in imports
    ref_table: str = ""             # for ref: the table and its label column
    ref_label: str = "name"
    stored: bool = True             # False: computed in SQL (expr) and read-only
    # computed fields: the SQL of the value for a row called by the given alias (LedgerRepo.column_sql)
    expr: Callable[[str], str] | None = None
    editable: bool = True
    in_table: bool = True
    in_form: bool = True
    export: bool = True
    printed: bool = True
    filter: bool = False            # offered as a filter on the ledger page
    search: bool = False            # part of the text search
    sum: bool = False               # summed in 合计 rows
    min_value: int | None = 0
    help: str = ""
    validators: Sequence[Validator] = ()
    value_labels: Sequence[tuple[str, str]] = ()   # stored value → what a person reads
    # choice: other words offices write for a choice, (written, choice): 办理中 → 化解中 (imports)
    choice_synonyms: Sequence[tuple[str, str]] = ()
    # a computed column naming the record a reference field points to by another of its columns
    # (a repayment's 身份证号码 for its 农民工: ``ref_label`` of the referenced table): exported
    # beside the name, and read on import to tell two workers of the same name apart
    identifies: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r} for {self.name}")

    @property
    def kind_of(self) -> Kind:
        """What this kind of field is (models.ledger.kinds): parse, format, SQL type, editor …"""
        return KINDS[self.kind]

    @property
    def sql_type(self) -> str:
        return self.kind_of.sql_type

    @property
    def sensitive(self) -> str | None:
        return self.kind_of.sensitive

    @property
    def numeric(self) -> bool:
        return self.kind_of.numeric

    @property
    def header(self) -> str:
        """Column header with its unit, as township spreadsheets write it."""
        unit = self.kind_of.unit
        return f"{self.label}（{unit}）" if unit else self.label

    def all_names(self) -> list[str]:
        return [self.label, self.header, self.name, *self.synonyms]

    # -- text in ------------------------------------------------------------
    def parse(self, raw: Any, unit: str | None = None) -> Any:
        """Turn what a person typed (or a spreadsheet cell) into the stored value.
        Raises ``ValueProblem`` with a Chinese message."""
        return self.kind_of.parse(self, raw, unit)

    @property
    def below_min(self) -> str:
        """What a value under ``min_value`` is told: 不能为负数 (0 the least), 应大于 0 (1: an
        amount paid, a count of 期次), or the least allowed."""
        if not self.min_value:
            return f"{self.label}不能为负数"
        if self.min_value == 1:
            return f"{self.label}应大于 0"
        return f"{self.label}不能小于 {self.min_value}"

    def check(self, value: Any, row: dict) -> str | None:
        """Rules on the parsed value: required, non-negative, custom validators."""
        empty = self.kind_of.empty(value)
        if self.required and empty:
            return f"{self.label}不能为空"
        if self.numeric and value is not None and self.min_value is not None and value < self.min_value:
            return self.below_min
        for validator in self.validators:
            message = validator(value, row)
            if message:
                return message
        return None

    # -- text out -----------------------------------------------------------
    def format(self, value: Any, *, masked: bool = False, wan: bool = False) -> str:
        if value is None:
            return ""
        if self.value_labels:
            for stored, shown in self.value_labels:
                if value == stored:
                    return shown
        return self.kind_of.format(self, value, masked=masked, wan=wan)


def column_rule(rule: Callable[[dict], list[tuple[str, str]]], reads: tuple[str, ...],
                may_fire: Callable[..., list[int]]) -> Callable[[dict], list[tuple[str, str]]]:
    """A row rule that can also be asked of whole columns: ``may_fire(*columns)``, given the
    columns of the fields it ``reads`` (in that order; None where a row has no value), gives
    the positions of the rows it may have something to say about. It may name more rows than
    the rule would (the rule still decides each), never fewer. An import of 100,000 rows asks
    the rule of those rows only (models.io.row_checks)."""
    rule.reads = tuple(reads)           # type: ignore[attr-defined]
    rule.may_fire = may_fire            # type: ignore[attr-defined]
    return rule


@dataclass(frozen=True)
class Ledger:
    """One ledger declared once."""
    kind: str                       # import/export name: cases, workers, funds …
    title: str                      # 欠薪问题台账
    table: str
    fields: tuple[Field, ...]
    key: tuple[str, ...] = ()       # fields that identify a record on re-import
    # a row whose key is blank (a worker without ID number): the record these fields name, when
    # exactly one stored record without a key and one such row of the file share them
    key_when_blank: tuple[str, ...] = ()
    order_by: str = "id DESC"
    managed: bool = True            # table created from this declaration
    parent: str = ""                # e.g. workers belong to a case: the ref field name
    workstream_field: str = ""      # the field holding the responsible workstream
    row_rules: tuple[Callable[[dict], list[tuple[str, str]]], ...] = ()
    label_field: str = ""           # the field naming a record in messages
    soft_delete: bool = True
    extra: dict = dc_field(default_factory=dict)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def has(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)

    @property
    def stored_fields(self) -> list[Field]:
        return [f for f in self.fields if f.stored]

    @property
    def table_fields(self) -> list[Field]:
        """Columns of the ledger's table: ``extra["table_columns"]`` orders them when given."""
        order = self.extra.get("table_columns")
        if order:
            return [self.field(n) for n in order]
        return [f for f in self.fields if f.in_table]

    @property
    def form_fields(self) -> list[Field]:
        return [f for f in self.fields if f.in_form and f.stored and f.editable]

    @property
    def export_fields(self) -> list[Field]:
        return [f for f in self.fields if f.export]

    @property
    def print_fields(self) -> list[Field]:
        return [f for f in self.fields if f.printed]

    @property
    def filter_fields(self) -> list[Field]:
        return [f for f in self.fields if f.filter]

    @property
    def search_fields(self) -> list[Field]:
        return [f for f in self.fields if f.search]

    def cell_text(self, f: Field, row: dict, *, masked: bool = False, wan: bool = False) -> str:
        """What a cell shows, the same on screen, in a printout and in a copy: a reference by its
        label; blank for a zero amount named in ``extra["blank_zero"]`` (面积 of a project, 结算金额
        not yet settled); "—" for a field of ``extra["blank_when"]`` = {field: (other, value)} that
        does not apply to the row (工地 checks for a non-project employer)."""
        if f.name in self.extra.get("blank_zero", ()) and not row.get(f.name):
            return ""
        when = self.extra.get("blank_when", {}).get(f.name)
        if when and row.get(when[0]) == when[1]:
            return "—"
        if f.kind == "ref":
            return str(row.get(f"{f.name}__label") or "")
        return f.format(row.get(f.name), masked=masked, wan=wan)

    def validate(self, row: dict) -> list[tuple[str, str]]:
        """(field name, message) for every problem in a parsed row."""
        problems = []
        for f in self.fields:
            if not f.stored or f.kind == "ref" and f.name not in row:
                continue
            if f.name not in row and not f.required:
                continue
            message = f.check(row.get(f.name), row)
            if message:
                problems.append((f.name, message))
        for rule in self.row_rules:
            problems.extend(rule(row))
        return problems


def empty_value(ledger: Ledger, name: str):
    """What a field of a new record holds when nothing is given: its column's DEFAULT '' or 0, else None."""
    if ledger.has(name):
        sql = ledger.field(name).sql_type
        if "DEFAULT ''" in sql:
            return ""
        if "DEFAULT 0" in sql:
            return 0
    return None
