"""Field kinds: what a kind of field is, in one place per kind — its SQL type, how text from a
form or a spreadsheet cell becomes the stored value (parse), how the value is shown (format),
whether it is a number, a personal number to mask, its unit, how a printout aligns it, how a
spreadsheet cell must hold it, and which editor and filter a screen gives it.

A declaration names a kind by its word (``F("amount_fen", "欠薪金额", "money")``);
``KINDS[word]`` is the kind. A new kind is one class here.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any, ClassVar

from models import values as V


class Kind:
    name: ClassVar[str] = "text"
    sql_type: ClassVar[str] = "TEXT NOT NULL DEFAULT ''"
    numeric: ClassVar[bool] = False
    sensitive: ClassVar[str | None] = None      # id / phone / card: masked unless revealed
    unit: ClassVar[str] = ""                    # shown after the label in headers: 金额（元）
    align: ClassVar[str] = "L"                  # printout: L, C or R
    text_cell: ClassVar[bool] = False           # a spreadsheet must keep it as text (long digit strings)
    editor: ClassVar[str] = "line"              # line, multiline, combo, date, check, number, reference
    filter: ClassVar[str] = "choice"            # a ledger page filters it by: choice, dates, yes_no
    hint: ClassVar[str] = ""                    # what a form's empty editor says about the format

    def edit_text(self, f, value: Any) -> str:
        """The value as a form's editor shows it for changing (no thousands separators)."""
        return "" if value is None else str(value)

    def parse(self, f, raw: Any, unit: str | None = None) -> Any:
        """Text from a person or a cell -> the stored value; ``ValueProblem`` in Chinese."""
        return V.plain_text(raw)

    def format(self, f, value: Any, *, masked: bool = False, wan: bool = False) -> str:
        return str(value)

    def empty(self, value: Any) -> bool:
        return value is None or value == ""

    # -- values that come from the program, not from a person or a cell ---------------------
    tidies_text: ClassVar[bool] = True          # text handed in is parsed as a form would (dates, numbers)

    def stored_problem(self, f, value: Any) -> str | None:
        """What is wrong with a non-empty ``value`` as this kind stores it (None: a typed record
        could hold it exactly so). The one form of the rule: a package's rows and every write
        are held to it."""
        return None if isinstance(value, str) else f"“{shown(value)}”不是文字"

    def at_door(self, f, value: Any) -> Any:
        """A value handed to a write by the program itself (a service call, the command line, a
        package) rather than typed or read from a cell: text a form would tidy is tidied the same
        way (2026/11/5, a phone with dashes), then the stored form is required; ``ValueProblem``."""
        if value is None:
            return None
        if isinstance(value, str) and self.tidies_text:
            value = self.parse(f, value)
            if value is None:
                return None
        problem = self.stored_problem(f, value)
        if problem:
            raise V.ValueProblem(problem, f.label)
        return value


def shown(value: Any) -> str:
    """A value as a message quotes it: short, and no raw bytes."""
    if isinstance(value, bytes):
        return "（二进制数据）"
    text = str(value)
    return text if len(text) <= 30 else text[:30] + "…"


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


class Text(Kind):
    name = "text"


class LongText(Kind):
    name = "longtext"
    editor = "multiline"


class Choice(Kind):
    name = "choice"
    editor = "combo"

    def parse(self, f, raw, unit=None):
        text = V.plain_text(raw)
        if text and f.choices and text not in f.choices and V.halfwidth(text) in f.choices:
            text = V.halfwidth(text)
        if text and f.choices and text not in f.choices:
            raise V.ValueProblem(f"“{text}”不在可选项中（{'、'.join(f.choices)}）", "可选值")
        return text

    def stored_problem(self, f, value):
        if not isinstance(value, str):
            return super().stored_problem(f, value)
        if value and f.choices and value not in f.choices:
            return f"“{shown(value)}”不在可选项中（{'、'.join(f.choices)}）"
        return None


class _Whole(Kind):
    """A whole number: money in 分, counts, areas. A program hands it in as a number, never text."""
    tidies_text = False
    what: ClassVar[str] = "整数"

    def stored_problem(self, f, value):
        return None if type(value) is int else f"“{shown(value)}”不是{self.what}"


class Int(_Whole):
    name = "int"
    sql_type = "INTEGER NOT NULL DEFAULT 0"
    numeric = True
    align = "R"
    editor = "number"

    def parse(self, f, raw, unit=None):
        return V.parse_int(raw)


class Money(_Whole):
    name = "money"
    sql_type = "INTEGER NOT NULL DEFAULT 0"
    numeric = True
    unit = "元"
    align = "R"
    editor = "number"
    hint = "元，如 1200.50 或 1.2万"
    what = "金额（应存为以分计的整数）"

    def edit_text(self, f, value):
        return "" if value in (None, "") else V.fen_to_yuan_text(value, thousands=False)

    def parse(self, f, raw, unit=None):
        return V.parse_money(raw, unit or f.unit)

    def format(self, f, value, *, masked=False, wan=False):
        return V.fen_to_wan_text(value, 4) if wan else V.fen_to_yuan_text(value)


class Area(_Whole):
    name = "area"
    sql_type = "INTEGER NOT NULL DEFAULT 0"
    numeric = True
    unit = "平方米"
    align = "R"
    editor = "number"

    def format(self, f, value, *, masked=False, wan=False):
        return f"{int(value):,}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)

    def parse(self, f, raw, unit=None):
        if isinstance(raw, str) and raw.strip():
            try:
                return V.parse_money(raw.replace("平方米", "").replace("㎡", ""), "元") // 100
            except V.ValueProblem:
                pass
        return V.parse_int(raw)


class Date(Kind):
    name = "date"
    sql_type = "TEXT"
    align = "C"
    editor = "date"
    filter = "dates"
    hint = "如 2026-11-05"

    def parse(self, f, raw, unit=None):
        return V.parse_date(raw)

    def at_door(self, f, value):
        return super().at_door(f, value.isoformat() if isinstance(value, _dt.date) else value)

    def stored_problem(self, f, value):
        if not isinstance(value, str):
            return super().stored_problem(f, value)
        if not _ISO.fullmatch(value):
            return f"“{shown(value)}”不是日期（应写作 2026-11-05）"
        try:
            _dt.date.fromisoformat(value)
        except ValueError:
            return f"日期“{value}”不存在"
        return None


class Bool(Kind):
    name = "bool"
    sql_type = "INTEGER NOT NULL DEFAULT 0"
    align = "C"
    editor = "check"
    filter = "yes_no"

    def parse(self, f, raw, unit=None):
        return V.parse_bool(raw)

    tidies_text = False

    def at_door(self, f, value):
        return super().at_door(f, int(value) if isinstance(value, bool) else value)

    def stored_problem(self, f, value):
        return None if type(value) is int and value in (0, 1) else f"“{shown(value)}”不是“是”或“否”"

    def format(self, f, value, *, masked=False, wan=False):
        return V.format_bool(value)


class Reference(Kind):
    """A record of another table, stored by its id and shown by its label."""
    name = "ref"
    sql_type = "INTEGER"
    editor = "reference"

    def parse(self, f, raw, unit=None):
        return raw                      # resolved to an id by the caller (a list, a name lookup)

    tidies_text = False

    def stored_problem(self, f, value):
        return None if type(value) is int else f"“{shown(value)}”不是记录编号"

    def empty(self, value):
        return not value


class _Number(Kind):
    """Personal and official numbers: text, never numbers (Excel would round them)."""
    text_cell = True
    check: ClassVar[str] = ""       # models.rules.idcard's validator: (ok, message)
    rule: ClassVar[str] = ""        # the rule a refusal names

    def parse(self, f, raw, unit=None):
        if isinstance(raw, float) and raw >= 1e15 and self.name in ("id_number", "bank_card"):
            # Excel keeps 15 significant digits: an 18-digit number typed into a number cell is already wrong
            raise V.ValueProblem(f"{f.label}已被Excel存成数字，第15位以后的数字已丢失，请把该列设为文本后重新录入",
                                 f.label)
        text = V.clean_text(raw)
        if self.name != "id_number":
            text = text.replace(" ", "")
        return self.check_number(text) if text else ""

    def stored_problem(self, f, value):
        if not isinstance(value, str):
            return super().stored_problem(f, value)
        if value:
            try:
                parsed = self.parse(f, value)
            except V.ValueProblem as exc:
                return str(exc)
            if parsed != value:
                return f"“{shown(value)}”的写法不规范（应为 {parsed}）"
        return None

    def check_number(self, text: str) -> str:
        if self.check:
            from models.rules import idcard
            ok, message = getattr(idcard, self.check)(text)
            if not ok:
                raise V.ValueProblem(message, self.rule)
        return text

    def format(self, f, value, *, masked=False, wan=False):
        if masked and self.sensitive and value:
            from models.rules import idcard
            return {"id": idcard.mask_id, "card": idcard.mask_bank_card, "phone": idcard.mask_phone}[
                self.sensitive](str(value))
        return str(value)


class IdNumber(_Number):
    name = "id_number"
    sensitive = "id"
    hint = "18位身份证号码"

    def check_number(self, text):
        from models.rules.idcard import validate_id
        res = validate_id(text)
        if not res.ok:
            raise V.ValueProblem(res.message, "身份证号码")
        return res.value


class Phone(_Number):
    name = "phone"
    sensitive = "phone"
    check, rule = "validate_phone", "联系电话"

    def check_number(self, text: str) -> str:
        from models.rules.idcard import normalize_phone
        return normalize_phone(super().check_number(text))      # 138-0013-8000, +86… → 13800138000


class BankCard(_Number):
    name = "bank_card"
    sensitive = "card"
    check, rule = "validate_bank_card", "银行卡号"

    def check_number(self, text: str) -> str:
        from models.rules.idcard import normalize_bank_card
        return normalize_bank_card(super().check_number(text))  # 6222-0202-…, '6222… → digits


class CreditCode(_Number):
    name = "credit_code"

    def parse(self, f, raw, unit=None):
        text = V.clean_text(raw)
        if not text:
            return ""
        from models.rules.credit_code import validate_credit_code
        ok, message = validate_credit_code(text)
        if not ok:
            raise V.ValueProblem(message, "统一社会信用代码")
        return V.halfwidth(text).upper()


KINDS: dict[str, Kind] = {k.name: k() for k in (Text, LongText, Choice, Int, Money, Area, Date, Bool, Reference,
                                                  IdNumber, Phone, BankCard, CreditCode)}
