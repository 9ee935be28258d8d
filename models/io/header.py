"""Where the header sits, and which column is which field.

Township files carry a title row, a 填报单位 / 日期 line and often a two-row merged
header above the data. The header is the row (or pair of rows) whose cells name
the most fields of the ledger, by the field's label, its declared synonyms and a
dictionary of common variants. Units come from the header text ("（万元）"), or
from a "单位：万元" line above it. A mapping the user corrected is remembered per
header (``import_mapping:<sha1 of the header cells>``).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field as dc_field
from typing import Any

from models import values as V
from models.io.xlsxfast import col_letter
from models.ledger.fields import Ledger

SCAN_ROWS = 30
# Variants seen in county and platform layouts, on top of each field's declared synonyms.
VARIANTS: dict[str, tuple[str, ...]] = {
    "case_no": ("线索编号", "问题编号", "编号"),
    "registered_on": ("线索登记时间", "登记时间", "受理时间", "收到时间", "交办日期"),
    "employer_name": ("用人单位名称", "欠薪企业", "拖欠工资单位", "用工单位", "施工单位"),
    "project_name": ("项目名称", "工程项目名称"),
    "workers_count": ("欠薪人数", "涉及人数", "涉及农民工人数", "拖欠人数"),
    "amount_fen": ("拖欠金额", "欠薪金额", "拖欠工资金额", "涉及金额"),
    "paid_fen": ("已支付金额", "已兑付金额", "已发放金额", "实发工资", "实发金额"),
    "resolution_path": ("化解措施", "处置措施", "解决措施"),
    "summary": ("基本情况", "欠薪基本情况摘要", "反映内容"),
    "owed_fen": ("应发工资", "应发金额", "应付工资"),
    "id_number": ("身份证号码", "公民身份号码", "身份证号", "证件号码"),
    "name": ("姓名", "农民工姓名"),
    "notes": ("备注",),
}
NEVER = {"序号", "序", "编号序号", "no", "no.", "行号"}
_NEGATIVE = ("未", "剩余", "尚欠", "欠发")
_PAREN = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_DATE_IN_TEXT = re.compile(r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)")
SKIP_SHEET_WORDS = ("说明", "填表", "填写", "示例", "样例", "字典", "参数", "下拉", "选项", "目录", "封面", "指标解释")


def norm(text: Any) -> str:
    s = V.halfwidth(str(text or ""))
    s = _PAREN.sub("", s)
    s = re.sub(r"[\s*:：#\"'“”]", "", s)
    return s.lower()


def norm_full(text: Any) -> str:
    """Like ``norm`` but keeping the bracketed part: 办结时限（工作日） is not 办结时限."""
    s = V.halfwidth(str(text or "")).replace("（", "(").replace("）", ")")
    return re.sub(r"[\s*:：#\"'“”]", "", s).lower()


def unit_of(text: Any) -> str | None:
    s = V.halfwidth(str(text or ""))
    if "万元" in s or re.search(r"[（(]\s*万\s*[)）]", s):
        return "万元"
    if re.search(r"[（(]\s*元\s*[)）]", s) or s.rstrip().endswith("元") or "单位：元" in s or "单位:元" in s:
        return "元"
    return None


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass
class Column:
    index: int
    label: str                      # the header as written (the lower cell of a two-row header)
    parent: str = ""                # the upper cell of a two-row header
    field: str | None = None        # ledger field name, or None (not imported)
    unit: str | None = None         # for money: 元 or 万元
    how: str = ""                   # auto, remembered, user; or why not mapped

    @property
    def letter(self) -> str:
        return col_letter(self.index)

    @property
    def key(self) -> str:
        """Names the column in a mapping: the header text with its parent."""
        return f"{self.parent}/{self.label}" if self.parent and self.parent != self.label else self.label


@dataclass
class Header:
    row: int                        # 0-based index of the first header row
    height: int                     # 1 or 2 rows
    columns: list[Column]
    score: float
    meta: dict = dc_field(default_factory=dict)     # unit_name, date, money_unit from lines above

    @property
    def data_start(self) -> int:
        return self.row + self.height

    @property
    def signature(self) -> str:
        return hashlib.sha1("\x1f".join(c.key for c in self.columns).encode("utf-8")).hexdigest()

    def mapping(self) -> dict[str, str]:
        """{column key: field name, or "field|万元" with a money column's unit, or "" for not imported}."""
        return {c.key: (f"{c.field}|{c.unit}" if c.field and c.unit else c.field or "")
                for c in self.columns if c.label or c.parent}


class Matcher:
    """Header text → field name for one ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.exact: dict[str, str] = {}
        for f in ledger.fields:
            names = [*f.all_names(), *VARIANTS.get(f.name, ())]
            for n in names:
                k = norm(n)
                if k and k not in NEVER:
                    self.exact.setdefault(k, f.name)
        for f in ledger.fields:                 # a field's own label wins over another's synonym
            self.exact[norm(f.label)] = f.name
        self.full: dict[str, str] = {}
        for f in ledger.fields:
            for n in (f.label, f.header, *f.synonyms):
                k = norm_full(n)
                if "(" in k:
                    self.full.setdefault(k, f.name)
        self.keys_by_len = sorted((k for k in self.exact if len(k) >= 2), key=len, reverse=True)

    def match(self, text: str, parent: str = "") -> tuple[str | None, float]:
        """(field, score): 1 for an exact name, 0.7 for a name inside the header text."""
        full = norm_full(text)
        if full in self.full:
            return self.full[full], 1.0
        for candidate in (text, parent + text if parent else "", parent if not text else ""):
            k = norm(candidate)
            if not k or k in NEVER:
                continue
            if k in self.exact:
                return self.exact[k], 1.0
        k = norm(text) or norm(parent)
        if len(k) < 2 or k in NEVER:
            return None, 0.0
        for key in self.keys_by_len:
            if key in k and len(key) * 2 >= len(k) - 2:
                if any(n in k and n not in key for n in _NEGATIVE):
                    continue
                return self.exact[key], 0.7
        return None, 0.0


def _fill_merged_row(row: list, r: int, merged: list[tuple[int, int, int, int]], width: int) -> list[str]:
    out = [cell_text(row[c]) if c < len(row) else "" for c in range(width)]
    for r0, c0, r1, c1 in merged:
        if r0 <= r <= r1 and c1 > c0 and r0 == r:
            for c in range(c0 + 1, min(c1 + 1, width)):
                if not out[c]:
                    out[c] = out[c0]
    return out


def _columns(rows: list[list], r: int, height: int, merged: list, width: int) -> list[Column]:
    top = _fill_merged_row(rows[r], r, merged, width)
    if height == 1:
        return [Column(c, top[c]) for c in range(width)]
    bottom = [cell_text(rows[r + 1][c]) if c < len(rows[r + 1]) else "" for c in range(width)]
    if not merged:   # no merge information (csv, html): a blank upper cell continues the group on its left
        for c in range(1, width):
            if not top[c] and bottom[c] and bottom[c - 1] and top[c - 1]:
                top[c] = top[c - 1]
    cols = []
    for c in range(width):
        if bottom[c] and bottom[c] != top[c]:
            cols.append(Column(c, bottom[c], parent=top[c]))
        else:
            cols.append(Column(c, top[c]))
    return cols


def _score(cols: list[Column], matcher: Matcher) -> float:
    seen: dict[str, float] = {}
    for col in cols:
        name, s = matcher.match(col.label, col.parent)
        col.field, col.how = (name, "auto") if name else (None, "")
        if name and s > seen.get(name, 0):
            seen[name] = s
    return sum(seen.values())


def find_header(rows: list[list], merged: list, ledger: Ledger) -> Header | None:
    """The best header among the first rows, or None when nothing looks like one."""
    matcher = Matcher(ledger)
    limit = min(len(rows), SCAN_ROWS)
    width = max((len(r) for r in rows[:limit + 2]), default=0)
    singles: dict[int, tuple[float, list[Column]]] = {}
    for r in range(min(len(rows), limit + 1)):
        if any(cell_text(v) for v in rows[r]):
            cols = _columns(rows, r, 1, merged, width)
            singles[r] = (_score(cols, matcher), cols)
    best: Header | None = None
    for r in range(limit):
        if r not in singles:
            continue
        score, cols = singles[r]
        if best is None or score > best.score:
            best = Header(r, 1, cols, score)
        # a two-row header: the upper row names groups (拖欠情况 / 化解情况), the lower the columns
        below = singles.get(r + 1, (0.0, []))[0] if r + 1 < len(rows) else None
        distinct_top = {cell_text(v) for v in rows[r] if cell_text(v)}
        if below is None or len(distinct_top) < 2:
            continue
        cols2 = _columns(rows, r, 2, merged, width)
        score2 = _score(cols2, matcher)
        if score2 > max(score, below) + 0.25 and (best is None or score2 > best.score):
            best = Header(r, 2, cols2, score2)
    needed = 2 if len(ledger.stored_fields) > 2 else 1
    if best is None or best.score < needed:
        return None
    _dedupe(best)
    _ignore_computed(best, ledger)
    best.meta = preamble(rows[:best.row])
    for col in best.columns:
        if col.field and ledger.field(col.field).kind == "money":
            col.unit = unit_of(col.label) or unit_of(col.parent) or best.meta.get("money_unit")
    return best


def _dedupe(header: Header) -> None:
    """A field taken by two columns: keep the exact match (or the first)."""
    matcher_scores: dict[str, Column] = {}
    for col in header.columns:
        if not col.field:
            continue
        other = matcher_scores.get(col.field)
        if other is None:
            matcher_scores[col.field] = col
        else:
            col.field, col.how = None, "重复"


def _ignore_computed(header: Header, ledger: Ledger) -> None:
    """Computed columns (欠发 = 应发 − 实发 …) are known but not imported."""
    for col in header.columns:
        if col.field and not ledger.field(col.field).stored:
            col.field, col.how = None, "计算列"


def preamble(rows: list[list]) -> dict:
    """What the lines above the header say: 填报单位, 日期, 金额单位."""
    meta: dict = {}
    for row in rows:
        for v in row:
            t = V.halfwidth(cell_text(v))
            if not t:
                continue
            if "单位" in t and "万元" in t:
                meta["money_unit"] = "万元"
            elif re.search(r"单位\s*[:：]\s*元", t):
                meta["money_unit"] = "元"
            m = re.search(r"填报单位[^:：]*[:：]\s*(\S+)", t)
            if m:
                meta["unit_name"] = m.group(1)
            if "日期" in t or "时间" in t or re.fullmatch(r"\s*\d{4}年\d{1,2}月\d{1,2}日\s*", t):
                d = _DATE_IN_TEXT.search(t)
                if d:
                    try:
                        meta["date"] = V.parse_date(re.sub(r"\s", "", d.group(1)))
                    except V.ValueProblem:
                        pass
    return meta


def choose_sheet(book, ledger: Ledger, sheet: str | None = None) -> tuple[str, Header | None]:
    """The sheet holding the ledger: the one named, or the best-scoring one that is not an
    instruction sheet (填表说明 …)."""
    if sheet:
        s = book.load(sheet, nrows=SCAN_ROWS + 5) if book.fmt not in ("csv", "html") else book.load(sheet)
        return sheet, find_header(s.rows, s.merged, ledger)
    names = [n for n in book.sheet_names if n not in book.hidden] or list(book.sheet_names)
    preferred = [n for n in names if not any(w in n for w in SKIP_SHEET_WORDS)]
    best: tuple[str, Header | None] = (names[0], None)
    for name in preferred + [n for n in names if n not in preferred]:
        s = book.load(name, nrows=SCAN_ROWS + 5) if book.fmt not in ("csv", "html") else book.load(name)
        h = find_header(s.rows, s.merged, ledger)
        if h is not None and (best[1] is None or h.score > best[1].score):
            best = (name, h)
        if best[1] is not None and name in preferred and best[1].score >= 3 and name == preferred[0]:
            break
    return best


def apply_mapping(header: Header, ledger: Ledger, mapping: dict[str, str] | None, how: str) -> None:
    """Set fields from a {column key: field name or ''} mapping (remembered or the user's)."""
    if not mapping:
        return
    for col in header.columns:
        if col.key not in mapping:
            continue
        name, _, unit = str(mapping[col.key] or "").partition("|")
        name = name or None
        if name and (not ledger.has(name) or not ledger.field(name).stored):
            continue
        col.field, col.how = name, how if name else "user" if how == "user" else col.how
        if name and ledger.field(name).kind == "money":
            col.unit = (unit if unit in ("元", "万元") else None) or unit_of(col.label) or unit_of(col.parent) \
                or header.meta.get("money_unit") or col.unit
        elif not name or ledger.field(name).kind != "money":
            col.unit = None
    seen: set[str] = set()
    for col in header.columns:         # a field chosen twice: the later column is dropped
        if col.field in seen:
            col.field, col.how = None, "重复"
        elif col.field:
            seen.add(col.field)


def remembered(store, header: Header, kind: str) -> dict[str, str] | None:
    saved = store.get_setting("import_mapping:" + header.signature)
    if isinstance(saved, dict) and isinstance(saved.get(kind), dict):
        return saved[kind]
    return None


def remember(store, header: Header, kind: str, mapping: dict[str, str] | None = None) -> None:
    key = "import_mapping:" + header.signature
    saved = store.get_setting(key) or {}
    if not isinstance(saved, dict):
        saved = {}
    saved[kind] = mapping if mapping is not None else header.mapping()
    store.set_setting(key, saved)
