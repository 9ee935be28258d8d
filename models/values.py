"""How people type money, counts and dates, and how the program shows them.

Money is integer 分 (fen) everywhere inside the program; these functions are
the only place where text becomes fen and fen becomes text.
"""
from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation, ROUND_HALF_UP

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋：／　ＸｘＥｅ",
                           "0123456789.,-+:/ XxEe")


class ValueProblem(ValueError):
    """A value that cannot be understood; the message is Chinese and names the rule."""

    def __init__(self, message: str, rule: str = "格式") -> None:
        super().__init__(message)
        self.rule = rule


def halfwidth(text: str) -> str:
    return text.translate(_FULLWIDTH)


def plain_text(value: object) -> str:
    """Free text as a person wrote it, trimmed: Chinese punctuation stays Chinese (张三，李四：
    is not turned into 张三,李四:), as an import keeps it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value.strip() if isinstance(value, str) else str(value).strip()


def clean_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return halfwidth(str(value)).strip() if isinstance(value, str) else str(value).strip()


_MONEY_RE = re.compile(r"^[-+]?\d+(\.\d+)?([eE][-+]?\d{1,2})?$")      # 1.2E+4: a number Excel shows so, kept as text
_GROUPED_RE = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_money(value: object, unit: str = "元") -> int:
    """Text or number → 分. Understands "1,200.50元", "1.2万", "￥300", full-width digits.

    ``unit`` is the column's unit (元 or 万元) for bare numbers; a unit written in the
    cell wins over the column's.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        raise ValueProblem("金额不能是是/否", "金额")
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = Decimal(str(value))
        cell_unit = unit
    else:
        text = halfwidth(str(value)).strip().replace(" ", "")
        text = text.replace("￥", "").replace("¥", "").replace("RMB", "").replace("人民币", "")
        if text.endswith("元整"):                # 1000元整: "exactly", as on receipts
            text = text[:-1]
        if "," in text:
            # thousands separators only where they belong: "12,34" or "1.234,56" is not read as
            # 1,234 or 1.23 (a comma typed for a decimal point, or digits lost)
            if not _GROUPED_RE.match(re.sub(r"(万元|万|元)$", "", text)):
                raise ValueProblem(f"“{value}”的逗号位置不对，不是金额（千位分隔应每三位一个，小数点用“.”）", "金额")
            text = text.replace(",", "")
        cell_unit = unit
        if text.endswith("万元") or text.endswith("万"):
            cell_unit = "万元"
            text = text[:-2] if text.endswith("万元") else text[:-1]
        elif text.endswith("元"):
            cell_unit = "元"
            text = text[:-1]
        if not _MONEY_RE.match(text):
            raise ValueProblem(f"“{value}”不是金额", "金额")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueProblem(f"“{value}”不是金额", "金额") from exc
    factor = Decimal(1000000) if cell_unit == "万元" else Decimal(100)
    try:
        fen = (number * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValueProblem(f"“{value}”数额过大，不是有效金额", "金额") from exc
    if abs(fen) >= 10 ** 15:      # a hundred billion 元: beyond any wage case, and beyond exact float export
        raise ValueProblem(f"“{value}”数额过大，不是有效金额", "金额")
    return int(fen)


def fen_to_yuan_text(fen: int | None, *, thousands: bool = True) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    yuan, cents = divmod(fen, 100)
    body = f"{yuan:,}" if thousands else str(yuan)
    return f"{sign}{body}.{cents:02d}"


def fen_to_wan_text(fen: int | None, digits: int = 2) -> str:
    if fen is None:
        return ""
    wan = (Decimal(int(fen)) / Decimal(1000000)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{wan:,.{digits}f}"


def parse_int(value: object) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueProblem(f"“{value}”应为整数", "整数")
        return int(value)
    if isinstance(value, int):
        return value
    text = halfwidth(str(value)).strip()
    for suffix in ("人", "名", "户", "个", "次", "件"):
        if text.endswith(suffix):
            text = text[: -len(suffix)].strip()
    if "," in text:                         # 1,200 yes; 12,00 is no count (as for amounts)
        if not _GROUPED_RE.match(text) or "." in text:
            raise ValueProblem(f"“{value}”的逗号位置不对，应为整数（千位分隔应每三位一个）", "整数")
        text = text.replace(",", "")
    if not re.fullmatch(r"[-+]?\d+", text):
        raise ValueProblem(f"“{value}”应为整数", "整数")
    return int(text)


# after the day, only what leaves it as it is: 日 / 号, a time of day, a weekday in brackets.
# "2026-03-011", "2026/3/1-2026/4/1" (a span) or "2026年3月1日前" are not one date.
_DATE_TAIL = r"\s*[日号]?(?:\s*T?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:\s*[(（](?:周|星期)[一二三四五六日天][)）])?$"
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})" + _DATE_TAIL),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})" + _DATE_TAIL),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
EXCEL_EPOCH = _dt.date(1899, 12, 30)
FIRST_YEAR, LAST_YEAR = 1950, 2099     # the years a ledger's dates can be in (an Excel serial: 1954–2118)


def parse_date(value: object) -> str | None:
    """Any of 2026-11-05, 2026/11/5, 2026.11.05, 2026年11月5日, 20261105, an Excel serial
    number or a date object → ISO text; empty → None."""
    if value is None:
        return None
    if isinstance(value, _dt.date):         # a date cell: the same years as a typed date
        day = value.date() if isinstance(value, _dt.datetime) else value
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValueProblem(f"日期“{day.isoformat()}”的年份 {day.year} 不合理（应在 {FIRST_YEAR}～{LAST_YEAR} 年"
                               "之间），请检查是否写错" + ("（单元格设为日期格式，填的可能是一个数字）"
                                                       if day.year == 1900 else ""), "日期")
        return day.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= float(value) <= 80000:   # Excel serial numbers from 1954 to 2118
            return (EXCEL_EPOCH + _dt.timedelta(days=int(value))).isoformat()
        if 19000101 <= float(value) <= 21001231 and float(value).is_integer():    # 20260301 typed as a number
            return parse_date(str(int(value)))
        shown = int(value) if isinstance(value, float) and value.is_integer() else value
        raise ValueProblem(f"“{shown}”不是日期", "日期")
    text = halfwidth(str(value)).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return parse_date(float(text))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                day = _dt.date(y, mo, d).isoformat()
            except ValueError as exc:
                raise ValueProblem(f"日期“{value}”不存在", "日期") from exc
            if not FIRST_YEAR <= y <= LAST_YEAR:     # 0206 / 2206 for 2026: a slip of the keyboard
                raise ValueProblem(f"日期“{value}”的年份 {y} 不合理（应在 {FIRST_YEAR}～{LAST_YEAR} 年之间），"
                                   "请检查是否写错", "日期")
            return day
    raise ValueProblem(f"“{value}”不是日期（可写作 2026-11-05、2026/11/5 或 2026年11月5日）", "日期")


_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓", "对"}
_FALSE = {"否", "无", "n", "no", "false", "0", "×", "", "不是"}


def parse_bool(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return 1 if value else 0
    text = halfwidth(str(value)).strip().lower()
    if text in _TRUE:
        return 1
    if text in _FALSE:
        return 0
    raise ValueProblem(f"“{value}”应填“是”或“否”", "是否")


def format_bool(value: object) -> str:
    return "是" if value else "否"
