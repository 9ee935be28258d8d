"""One cell → one stored value, the way people type it; and which rows are not records.

Each mapped column gets a parser built once (``column_parser``), with a cache for
values that repeat (dates, choices, yes/no, workstream names), so a 100,000-row
file is checked in about a second. Parsers raise ``ValueProblem`` (Chinese, with a
rule name). ID and bank-card numbers that Excel stored as numbers have lost their
last digits: they are named as damaged, never imported as a wrong number.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any, Callable

from models import values as V
from models.ledger.fields import Field

MAX_ABS = 10 ** 15                  # beyond this a number is a typing accident (and overflows SQLite)
_SKIP_FIRST = re.compile(r"^(合\s*计|小\s*计|总\s*计|共\s*计|累\s*计|其中\s*[:：])")
_SIGN = re.compile(r"^(填\s*报\s*人|填\s*表\s*人|审\s*核\s*人|制\s*表\s*人|负\s*责\s*人|单位负责人|分管领导|主要领导|"
                   r"经\s*办\s*人|统\s*计\s*人|联\s*系\s*人|联系电话|填报日期|制表日期|审核日期|报送日期|日\s*期|"
                   r"注|说\s*明|备\s*注|签\s*字|盖\s*章)\s*[:：]")
_WS_SUFFIXES = ("工作专班", "专班", "工作组", "小组", "组")


def is_empty(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, str) and not v.strip())


_NOTHING = {"-", "--", "—", "——", "－", "/", "／", "\\", "无", "暂无", "空"}


def nothing(v: Any) -> bool:
    """Empty, or a dash / slash / 无 that people put in number and date cells for "none"."""
    return is_empty(v) or (type(v) is str and v.strip() in _NOTHING)


_SKIP_CHARS = set("合小总共累其填审制负单分主经统联日注说备签盖")
# a short label that ends in 合计 / 小计 / 汇总…: 本页合计, 以上合计, 第1页合计, 钢筋班小计, 全部汇总
# (one character before it only when it is 总/共/累/本/全: 王小计 may be a name)
_TOTAL_LABEL = re.compile(r"^(?:[总共累本全]?|[^,，。；;]{2,10}?)(合\s*计|小\s*计|总\s*计|共\s*计|累\s*计|汇\s*总)\s*[:：]?$")
# 共 3 人, 合计 12 名: a count of the rows above
_COUNT_LABEL = re.compile(r"^(共|合计|总计)\s*[:：]?\s*\d+\s*(人|名|户|条|件|家|个|项)[。.]?$")
# a section heading of a grouped roster: 二、钢筋班, （三）木工班, 3. 水电班
_SECTION = re.compile(r"^([一二三四五六七八九十百]+\s*[、.．]|[（(]\s*[一二三四五六七八九十百\d]+\s*[)）])\s*\S")


def row_kind(cells: list, mapped: list[int], header_labels: set[str]) -> str | None:
    """Why a row is not a record (空行, 合计行, 签字栏, 重复表头), or None for a record."""
    first = None
    for v in cells:
        if v is None or v == "" or (type(v) is str and not v.strip()):
            continue
        first = v
        break
    if first is None:
        return "空行"
    if type(first) is str:
        t = first.strip()
        if t[0] in _SKIP_CHARS or not t[0].isascii() or t[0] == "(":
            t = V.halfwidth(t)
            if _SKIP_FIRST.match(t) or _TOTAL_LABEL.match(t) or _COUNT_LABEL.match(t):
                return "合计行"
            if _SIGN.match(t):
                return "签字栏"
            if _SECTION.match(t):
                return "分组标题"
    width = len(cells)
    for i in mapped:
        if i < width:
            v = cells[i]
            if not (v is None or v == "" or (type(v) is str and not v.strip())):
                break
    else:
        return "空行"
    if type(first) is str and first.strip() in header_labels:
        texts = [str(v).strip() for v in cells if type(v) is str and v.strip()]
        if sum(1 for t in texts if t in header_labels) >= max(2, len(header_labels) * 0.6):
            return "重复表头"
    return None


def text_value(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, _dt.datetime):
        return raw.date().isoformat() if raw.time() == _dt.time(0) else raw.isoformat(sep=" ", timespec="minutes")
    if isinstance(raw, _dt.date):
        return raw.isoformat()
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return str(raw)
        if raw.is_integer():
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, str):
        return raw.strip()          # prose keeps its full-width punctuation
    return str(raw).strip()


def _check_number(value: Any, f: Field, raw: Any = None) -> Any:
    """``value`` as stored (分 for an amount); ``raw``, the cell as it shows, names it."""
    if isinstance(value, int) and abs(value) > MAX_ABS:
        shown = text_value(raw)[:30] if raw is not None else value
        raise V.ValueProblem(f"{f.label}“{shown}”数值过大，请核对", "数值范围")
    return value


def _damaged_number(raw: Any, f: Field, what: str) -> str:
    """An ID / card number typed into a number cell: its digits beyond the 15th are gone."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise TypeError
    if isinstance(raw, float) and not (math.isfinite(raw) and raw.is_integer()):
        raise V.ValueProblem(f"{what}“{raw}”已被 Excel 存成数字，号码已损坏，请把该列设为文本后重新录入", what)
    digits = str(int(raw))
    if len(digits) > 15:
        raise V.ValueProblem(f"{what}已被 Excel 存成数字，第 15 位以后的数字已丢失（显示为 {float(raw):.5E}），"
                             "请把该列设为文本后重新录入", what)
    return digits


def _masked(text: str, what: str) -> None:
    if "*" in text or "＊" in text:
        raise V.ValueProblem(f"{what}“{text}”含有 * 号（导出时已遮蔽），不能作为号码导入，请使用未遮蔽的原始表格", what)


# -- fast paths: accept only what the full rules (models.rules.idcard) would accept unchanged;
# anything else goes through Field.parse, which gives the message.
_ID_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_ZERO = 48 * sum(_ID_W)
_birth_ok: dict[str, bool] = {}


def _id_fast_ok(s: str) -> bool:
    from models.rules.idcard import _PROVINCES
    if not (s.isascii() and s[:17].isdigit()) or s[:2] not in _PROVINCES:
        return False
    last = s[17]
    if not (last.isdigit() or last == "X"):
        return False
    if not _birth_valid(s[6:14]):
        return False
    total = sum(map(int.__mul__, s[:17].encode("ascii"), _ID_W)) - _ID_ZERO   # ord("0") = 48
    return "10X98765432"[total % 11] == last


def _birth_valid(born: str) -> bool:
    """YYYYMMDD is a real day between 1900 and today."""
    ok = _birth_ok.get(born)
    if ok is None:
        try:
            d = _dt.date(int(born[:4]), int(born[4:6]), int(born[6:8]))
            ok = 1900 <= d.year and d <= _dt.date.today()
        except ValueError:
            ok = False
        _birth_ok[born] = ok
    return ok


def _phone_fast_ok(s: str) -> bool:
    return len(s) == 11 and s.isascii() and s.isdigit() and s[0] == "1" and s[1] in "3456789"


def _card_fast_ok(s: str) -> bool:
    return 12 <= len(s) <= 19 and s.isascii() and s.isdigit()


def fuzzy_choice(text: str, choices: tuple | list) -> str | None:
    """A choice written a little differently: 无故拖欠工资 → 无故拖欠; only when unambiguous."""
    t = V.halfwidth(text).strip().replace(" ", "")
    hits = [c for c in choices if c and (c in t or t in c)]
    if len(hits) == 1 and len(t) >= 2:
        return hits[0]
    return None


def column_parser(f: Field, unit: str | None = None,
                  resolve: Callable[[str], Any] | None = None) -> Callable[[Any], Any]:
    labels = getattr(f, "value_labels", ())
    if labels:                          # a stored code shown as words (insert → 新增): words back to code
        inner = _column_parser(f, unit, resolve)
        back = {shown: stored for stored, shown in labels}

        def labelled(raw: Any) -> Any:
            if type(raw) is str and raw.strip() in back:
                return back[raw.strip()]
            return inner(raw)
        return labelled
    return _column_parser(f, unit, resolve)


def _column_parser(f: Field, unit: str | None, resolve: Callable[[str], Any] | None) -> Callable[[Any], Any]:
    k = f.kind
    if k == "money":
        factor = 1_000_000 if (unit or f.unit) == "万元" else 100
        the_unit = unit or f.unit

        def money(raw: Any) -> int:
            if raw is None or raw == "" or (type(raw) is str and nothing(raw)):
                return 0
            if type(raw) is float or type(raw) is int:
                if not math.isfinite(raw):
                    raise V.ValueProblem(f"“{raw}”不是金额", "金额")
                x = raw * factor
                r = round(x)
                if abs(x - r) < 1e-6:
                    return _check_number(int(r), f, raw)
            try:
                return _check_number(V.parse_money(raw, the_unit), f, raw)
            except ArithmeticError:             # Decimal gives up on 40-digit numbers
                raise V.ValueProblem(f"{f.label}“{str(raw)[:30]}”数值过大，请核对", "数值范围") from None
        return money

    if k in ("text", "longtext"):
        return text_value

    if k == "id_number":
        def id_number(raw: Any) -> str:
            if type(raw) is str and len(raw) == 18 and _id_fast_ok(raw):
                return raw
            if is_empty(raw):
                return ""
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                raw = _damaged_number(raw, f, "身份证号码")
            text = text_value(raw)
            _masked(text, "身份证号码")
            return f.parse(text)
        return id_number

    if k in ("bank_card", "phone"):
        what = "银行卡号" if k == "bank_card" else "联系电话"

        fast = _phone_fast_ok if k == "phone" else _card_fast_ok

        def number_text(raw: Any) -> str:
            if type(raw) is str and fast(raw):
                return raw
            if is_empty(raw):
                return ""
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                raw = _damaged_number(raw, f, what)
            text = text_value(raw)
            _masked(text, what)
            return f.parse(text)
        return number_text

    if k == "ref":
        if resolve is None:
            return lambda raw: None if is_empty(raw) else text_value(raw)
        return _cached(lambda raw: None if is_empty(raw) else resolve(text_value(raw)))

    if k == "choice":
        other_words = {V.halfwidth(w).replace(" ", ""): c for w, c in f.choice_synonyms}

        def choice(raw: Any) -> str:
            text = text_value(raw)
            try:
                return f.parse(text)
            except V.ValueProblem:
                hit = other_words.get(V.halfwidth(text).replace(" ", "")) or fuzzy_choice(text, f.choices)
                if hit is None:
                    raise
                return hit
        return _cached(choice)

    if k in ("int", "area"):
        return _cached(lambda raw: 0 if nothing(raw) else _check_number(f.parse(_num_or_text(raw)), f))

    if k == "date":
        def date(raw: Any) -> str | None:
            if nothing(raw):
                return None
            if isinstance(raw, str):
                raw = raw.strip()
                m = re.match(r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})[ T]\d{1,2}:\d{2}", V.halfwidth(raw))
                if m:
                    raw = m.group(1)
            return f.parse(raw)
        return _cached(date)

    return _cached(f.parse)


def _num_or_text(raw: Any) -> Any:
    if isinstance(raw, float) and not math.isfinite(raw):
        return str(raw)
    return raw


def _cached(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Remember results (and problems) for values that repeat."""
    cache: dict = {}

    def parse(raw: Any) -> Any:
        try:
            key = (type(raw), raw)
            hit = cache.get(key, cache)
        except TypeError:
            return fn(raw)
        if hit is cache:
            try:
                hit = fn(raw)
            except V.ValueProblem as exc:
                hit = exc
            if len(cache) < 50000:
                cache[key] = hit
        if isinstance(hit, V.ValueProblem):
            raise V.ValueProblem(str(hit), hit.rule)
        return hit
    return parse


def ref_core(name: str) -> str:
    s = re.sub(r"\s", "", V.halfwidth(name))
    for suffix in _WS_SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix) + 1:
            return s[: -len(suffix)]
    return s


class RefResolver:
    """Names in a file → ids of the referenced table (责任专班 → workstream.id), by the
    field's ref_label; written a little differently (欠薪化解 / 欠薪化解专班) still matches.
    When the referenced table belongs to the same parent (a repayment's 农民工 is a worker
    of the repayment's case), the name is looked up within the row's parent (``scoped``).
    A name that fits two records is a problem, never a guess. With ``tie`` (a column of the
    referenced table: id_number), a row's value of that column tells records of the same name
    apart, written in full or masked as exports and other systems write it (511921********0016,
    5119**********0016), and must agree with the record the name finds."""

    AMBIGUOUS = -1

    def __init__(self, store, f: Field, scope_col: str = "", tie: str = "") -> None:
        self.f = f
        table, label = f.ref_table, f.ref_label
        cols = {r[1] for r in store.query(f'PRAGMA table_info("{table}")')}
        self.scoped = bool(scope_col) and scope_col in cols
        self.tie = tie if tie in cols else ""
        where, params = [], []
        if "deleted_at" in cols:
            where.append("deleted_at IS NULL")
        if "campaign_id" in cols:
            current = store.scalar("SELECT id FROM campaign WHERE is_current = 1 ORDER BY id DESC LIMIT 1")
            if current is not None:
                where.append("campaign_id = ?")
                params.append(current)
        scope_sql = f', "{scope_col}"' if self.scoped else ", NULL"
        tie_sql = f', "{self.tie}"' if self.tie else ", NULL"
        sql = f'SELECT id, "{label}"{scope_sql}{tie_sql} FROM "{table}"' + \
            (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY id"
        self.exact: dict[tuple, int] = {}
        self.core: dict[tuple, int] = {}
        self.ties: dict[tuple, list[tuple[int, str]]] = {}     # (scope, name key) -> [(id, tie value)]
        self.names: list[str] = []
        for rid, name, scope, tie_value in store.query(sql, params):
            text = str(name or "").strip()
            if len(self.names) < 50:
                self.names.append(text)
            for index, key in ((self.exact, _ref_key(text)), (self.core, ref_core(text))):
                k = (scope, key)
                index[k] = rid if index.get(k, rid) == rid else self.AMBIGUOUS
            if self.tie:
                for k in {(scope, _ref_key(text)), (scope, ref_core(text))}:
                    self.ties.setdefault(k, []).append((rid, str(tie_value or "")))

    def __call__(self, text: str, scope: Any = None, tie: Any = None) -> int:
        s = scope if self.scoped else None
        key = (s, _ref_key(text))
        hit = self.exact.get(key)
        if hit is None:
            key = (s, ref_core(text))
            hit = self.core.get(key)
        given = _tie_text(tie) if self.tie else ""
        if given and hit is not None:
            return self._by_tie(text, key, given)
        if hit == self.AMBIGUOUS:
            raise V.ValueProblem(f"{self.f.label}“{text}”有重名，无法确定是哪一条，请核对后改用唯一的名称或编号"
                                 + ("，或填写身份证号码区分" if self.tie else ""), "引用")
        if hit is not None:
            return hit
        if self.scoped:
            raise V.ValueProblem(f"{self.f.label}“{text}”在该问题中不存在", "引用")
        shown = "、".join(self.names[:8]) + ("等" if len(self.names) > 8 else "")
        hint = f"（现有：{shown}）" if shown else "（尚未建立任何记录）"
        raise V.ValueProblem(f"{self.f.label}“{text}”不存在{hint}", "引用")

    def _by_tie(self, text: str, key: tuple, given: str) -> int:
        """The one record of this name whose tie column the row's value fits; a record without
        one is taken only when it is the name's only record (nothing there to disagree)."""
        candidates = self.ties.get(key, [])
        fits = [rid for rid, value in candidates if value and _tie_fits(given, value)]
        if len(fits) == 1:
            return fits[0]
        if len(candidates) == 1 and not candidates[0][1]:
            return candidates[0][0]
        shown = given if len(given) <= 30 else given[:30] + "…"
        if fits:
            raise V.ValueProblem(f"{self.f.label}“{text}”有重名，身份证号码“{shown}”也无法区分，"
                                 "请填写完整的身份证号码", "引用")
        where = "该问题中" if self.scoped else ""
        who = f"{where}的“{text}”登记的身份证号码不是这个" if len(candidates) == 1 else \
            f"{where}同名的 {len(candidates)} 人都不是这个身份证号码"
        raise V.ValueProblem(f"{self.f.label}“{text}”与身份证号码“{shown}”对不上：{who}，请核对", "引用")


def _tie_text(raw: Any) -> str:
    if raw is None or is_empty(raw):
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return re.sub(r"\s", "", V.halfwidth(str(raw))).upper()


def _tie_fits(given: str, stored: str) -> bool:
    """Whether a value written in full or masked (a run of * for the hidden middle, however many
    stars) is the stored one."""
    stored = stored.strip().upper()
    if "*" not in given:
        return given == stored
    head, _, rest = given.partition("*")
    tail = rest.lstrip("*")
    if "*" in tail:
        return False
    return len(stored) >= len(head) + len(tail) + 1 and stored.startswith(head) and stored.endswith(tail)


def _ref_key(text: str) -> str:
    return re.sub(r"\s", "", V.halfwidth(text))
