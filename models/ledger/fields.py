"""The parts a ledger is declared from.

A ledger is a list of typed fields with Chinese labels, validators, header
synonyms for import and a print / export layout. Tables, forms, filters, the
import mapping, Excel export and PDF printout are all derived from it.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import Any, Callable, Sequence

from models import values as V

# kind → SQL type; every kind is also a parse/format rule below.
SQL_TYPES = {
    "text": "TEXT NOT NULL DEFAULT ''", "longtext": "TEXT NOT NULL DEFAULT ''",
    "choice": "TEXT NOT NULL DEFAULT ''", "int": "INTEGER NOT NULL DEFAULT 0",
    "money": "INTEGER NOT NULL DEFAULT 0", "date": "TEXT", "bool": "INTEGER NOT NULL DEFAULT 0",
    "id_number": "TEXT NOT NULL DEFAULT ''", "phone": "TEXT NOT NULL DEFAULT ''",
    "bank_card": "TEXT NOT NULL DEFAULT ''", "credit_code": "TEXT NOT NULL DEFAULT ''",
    "ref": "INTEGER", "area": "INTEGER NOT NULL DEFAULT 0",
}
NUMERIC_KINDS = {"int", "money", "area"}
SENSITIVE_KINDS = {"id_number": "id", "phone": "phone", "bank_card": "card"}

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

    def __post_init__(self) -> None:
        if self.kind not in SQL_TYPES:
            raise ValueError(f"unknown field kind {self.kind!r} for {self.name}")

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]

    @property
    def sensitive(self) -> str | None:
        return SENSITIVE_KINDS.get(self.kind)

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def header(self) -> str:
        """Column header with its unit, as township spreadsheets write it."""
        if self.kind == "money":
            return f"{self.label}（元）"
        if self.kind == "area":
            return f"{self.label}（平方米）"
        return self.label

    def all_names(self) -> list[str]:
        return [self.label, self.header, self.name, *self.synonyms]

    # -- text in ------------------------------------------------------------
    def parse(self, raw: Any, unit: str | None = None) -> Any:
        """Turn what a person typed (or a spreadsheet cell) into the stored value.
        Raises ``ValueProblem`` with a Chinese message."""
        k = self.kind
        if k == "money":
            return V.parse_money(raw, unit or self.unit)
        if k in ("int", "area"):
            if k == "area" and isinstance(raw, str) and raw.strip():
                try:
                    return V.parse_money(raw.replace("平方米", "").replace("㎡", ""), "元") // 100
                except V.ValueProblem:
                    pass
            return V.parse_int(raw)
        if k == "date":
            return V.parse_date(raw)
        if k == "bool":
            return V.parse_bool(raw)
        if k == "ref":
            return raw
        if k in ("id_number", "bank_card") and isinstance(raw, float):
            # Excel keeps 15 significant digits: an 18-digit number typed into a number cell is already wrong
            if raw >= 1e15:
                raise V.ValueProblem(f"{self.label}已被Excel存成数字，第15位以后的数字已丢失，请把该列设为文本后重新录入",
                                     self.label)
        text = V.clean_text(raw)
        if k == "id_number":
            from models.rules.idcard import validate_id
            if not text:
                return ""
            res = validate_id(text)
            if not res.ok:
                raise V.ValueProblem(res.message, "身份证号码")
            return res.value
        if k == "credit_code":
            from models.rules.credit_code import validate_credit_code
            if not text:
                return ""
            ok, message = validate_credit_code(text)
            if not ok:
                raise V.ValueProblem(message, "统一社会信用代码")
            return V.halfwidth(text).upper()
        if k == "phone":
            from models.rules.idcard import validate_phone
            text = text.replace(" ", "")
            if not text:
                return ""
            ok, message = validate_phone(text)
            if not ok:
                raise V.ValueProblem(message, "联系电话")
            return text
        if k == "bank_card":
            from models.rules.idcard import validate_bank_card
            text = text.replace(" ", "")
            if not text:
                return ""
            ok, message = validate_bank_card(text)
            if not ok:
                raise V.ValueProblem(message, "银行卡号")
            return text
        if k == "choice" and text and self.choices and text not in self.choices:
            raise V.ValueProblem(f"“{text}”不在可选项中（{'、'.join(self.choices)}）", "可选值")
        return text

    def check(self, value: Any, row: dict) -> str | None:
        """Rules on the parsed value: required, non-negative, custom validators."""
        empty = value is None or value == "" or (self.kind == "ref" and not value)
        if self.required and empty:
            return f"{self.label}不能为空"
        if self.numeric and value is not None and self.min_value is not None and value < self.min_value:
            return f"{self.label}不能为负数"
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
        k = self.kind
        if k == "money":
            return V.fen_to_wan_text(value, 4) if wan else V.fen_to_yuan_text(value)
        if k == "bool":
            return V.format_bool(value)
        if masked and self.sensitive and value:
            from models.rules import idcard
            fn = {"id": idcard.mask_id, "card": idcard.mask_bank_card, "phone": idcard.mask_phone}
            return fn[self.sensitive](str(value))
        return str(value)


@dataclass(frozen=True)
class Ledger:
    """One ledger declared once."""
    kind: str                       # import/export name: cases, workers, funds …
    title: str                      # 欠薪问题台账
    table: str
    fields: tuple[Field, ...]
    key: tuple[str, ...] = ()       # fields that identify a record on re-import
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
