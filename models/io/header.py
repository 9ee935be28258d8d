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
# Header wordings in use for each field, on top of each field's declared label and synonyms:
# the national platform's export, the 人社 农民工工资支付台账 / 工资发放表 / 花名册 templates, the
# 欠薪问题台账 and 欠薪线索台账 kept by townships and counties, and bank pay-roll lists. Fields whose
# words mean different things in different ledgers (金额 is what is owed in a case and what is
# paid in a repayment) are listed per ledger in ``KIND_VARIANTS``.
VARIANTS: dict[str, tuple[str, ...]] = {
    "case_no": ("线索编号", "问题编号", "编号", "案件编号", "登记编号", "受理编号", "工单编号", "投诉编号"),
    "registered_on": ("线索登记时间", "登记时间", "受理时间", "收到时间", "交办日期", "接收日期", "接收时间",
                      "受理日期", "投诉日期", "立案日期", "线索接收时间", "交办时间"),
    "employer_name": ("用人单位名称", "欠薪企业", "拖欠工资单位", "用工单位", "施工单位", "欠薪单位", "欠薪单位名称",
                      "企业名称", "被投诉单位", "被投诉企业", "被反映单位", "被反映企业", "欠薪主体", "拖欠单位",
                      "涉事企业", "涉事单位", "用人单位（企业）名称"),
    "project_name": ("项目名称", "工程项目名称", "工程名称", "拖欠工资项目名称", "所在项目", "项目（工程）名称",
                     "欠薪项目"),
    "workers_count": ("欠薪人数", "涉及人数", "涉及农民工人数", "拖欠人数", "涉及劳动者人数", "反映人数", "投诉人数",
                      "被欠薪人数", "欠薪农民工人数"),
    "resolution_path": ("化解措施", "处置措施", "解决措施", "化解方式", "处置方式"),
    "summary": ("基本情况", "欠薪基本情况摘要", "反映内容", "投诉内容", "诉求内容", "问题描述", "反映问题"),
    "id_number": ("身份证号码", "公民身份号码", "身份证号", "证件号码", "身份证件号码", "居民身份证号码",
                  "身份证号码（18位）", "身份证件号"),
    "phone": ("联系电话", "手机号码", "手机号", "电话号码", "联系方式", "手机"),
    "bank_card": ("银行卡号", "工资卡号", "银行账号", "工资卡账号", "银行卡账号", "工资卡银行账号", "卡号",
                  "工资支付银行卡号", "收款账号"),
    "bank_name": ("开户行", "开户银行", "银行名称", "开户银行名称", "开户行名称", "工资卡开户行", "所属银行",
                  "发卡银行", "开户网点"),
    "trade": ("工种", "岗位", "工种岗位", "工作岗位", "从事工种", "工种（岗位）", "职务"),
    "entered_on": ("进场日期", "进场时间", "入场日期", "入场时间", "进场", "入职日期", "进场（入职）日期"),
    "left_on": ("离场日期", "离场时间", "退场日期", "退场时间", "出场日期", "离职日期", "离场（离职）日期"),
    "notes": ("备注",),
}
_PAID = ("已付", "已付金额", "已发", "已发金额", "已发放金额", "实发", "实发金额", "已支付", "已支付金额",
         "已清偿", "已清偿金额", "已兑付", "已兑付金额", "实付金额", "实付", "已结清金额", "已偿还金额")
_UNPAID = ("未付", "未付金额", "欠发", "欠发金额", "尚欠", "尚欠金额", "剩余欠款", "剩余欠薪", "未支付金额",
           "未清偿金额", "未兑付金额", "未发金额", "欠付金额", "剩余未付金额", "未结清金额", "仍欠金额")
KIND_VARIANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "cases": {
        "amount_fen": ("拖欠金额", "欠薪金额", "拖欠工资金额", "涉及金额", "欠薪总额", "涉及欠薪金额", "反映金额",
                       "投诉金额", "拖欠农民工工资金额", "欠薪金额（元）"),
        "paid_fen": _PAID + ("实发工资", "已清偿工资"),
        "outstanding_fen": _UNPAID + ("未解决金额",),
        "owner_person": ("包案领导", "包案人", "包案责任人", "责任人", "承办人"),
        "status": ("办理状态", "处理状态", "办结情况", "化解状态", "进展情况", "办理进度"),
        "verdict": ("核查结论", "核处结论", "处理结果", "办理结果", "处理意见", "核实情况", "核查情况"),
        "deadline": ("办结时限", "办结期限", "截止日期", "限办日期", "限办时间", "办理时限（日期）"),
        "period_from": ("欠薪起始时间", "欠薪开始时间", "拖欠起始日期", "拖欠开始日期", "欠薪起始日期"),
        "period_to": ("欠薪截止时间", "欠薪结束时间", "拖欠截止日期", "拖欠结束日期"),
        "source": ("线索来源", "来源渠道", "反映渠道", "问题来源", "案件来源"),
        "owner_unit": ("建设单位", "业主单位", "项目建设单位", "发包单位"),
        "general_contractor": ("总承包单位", "施工总承包单位", "总包单位", "总包企业", "总承包企业"),
        "subcontractor": ("分包单位", "劳务分包单位", "专业分包单位", "劳务公司", "分包企业"),
    },
    "workers": {
        "name": ("姓名", "农民工姓名", "工人姓名", "职工姓名", "劳动者姓名", "务工人员姓名", "员工姓名"),
        "owed_fen": ("应发工资", "应发金额", "应付工资", "应发", "应付金额", "应发工资总额", "应付工资总额",
                     "应结工资", "应结金额", "工资总额", "拖欠工资", "拖欠金额", "欠薪金额"),
        "paid_fen": _PAID + ("已发工资", "已付工资", "实付工资", "实发工资"),
        "outstanding_fen": _UNPAID + ("未发工资", "未付工资", "尚欠工资", "欠发工资"),
    },
    "repayments": {
        "case_id": ("问题编号", "线索编号", "编号", "所属问题编号", "案件编号"),
        "worker_id": ("农民工", "姓名", "农民工姓名", "收款人", "收款人姓名", "领款人", "领款人姓名"),
        "paid_on": ("兑付日期", "支付日期", "清偿日期", "发放日期", "付款日期", "兑付时间", "支付时间", "发放时间"),
        "amount_fen": ("兑付金额", "支付金额", "清偿金额", "发放金额", "金额", "付款金额", "实付金额", "实发金额"),
        "payer": ("支付主体", "付款单位", "支付单位", "付款人", "付款方"),
        "channel": ("兑付渠道", "支付方式", "清偿方式", "资金来源", "兑付方式", "支付渠道"),
        "voucher_no": ("凭证号", "凭证编号", "单据号", "流水号", "银行流水号"),
    },
}
NEVER = {"序号", "序", "编号序号", "no", "no.", "行号"}
# The lower cell of a two-row header that stands for its upper cell's whole: 应发工资 over 基本工资 /
# 加班工资 / 小计 — the 小计 column is the 应发工资, the others are its parts.
TOTALS = {"小计", "合计", "总计", "共计", "金额", "总额", "总金额", "合计金额", "小计金额", "金额合计", "金额小计",
          "汇总", "合计数", "小计数"}
IGNORE = "-"            # in a mapping: the user chose to leave this column out (不导入)
IGNORE_WORDS = {IGNORE, "不导入", "忽略", "（不导入）", "(不导入)"}
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
    repeated: bool = False          # another column of the header has the same header text
    checks: str = ""                # a column read to tell records of this reference field apart (核对列)

    @property
    def letter(self) -> str:
        return col_letter(self.index)

    @property
    def title(self) -> str:
        """The header text with its parent, as a person reads it: 应发工资/小计."""
        return f"{self.parent}/{self.label}" if self.parent and self.parent != self.label else self.label

    @property
    def key(self) -> str:
        """Names the column in a mapping (and in a remembered one): its ``title``, and for a header
        text that several columns share, its letter too (应发工资（F列）), so that a choice made for
        one of them is never applied to the others."""
        title = self.title
        return f"{title}（{self.letter}列）" if self.repeated and title else title


@dataclass
class Header:
    row: int                        # 0-based index of the first header row
    height: int                     # 1 or 2 rows
    columns: list[Column]
    score: float
    meta: dict = dc_field(default_factory=dict)     # unit_name, date, money_unit from lines above
    found_width: int | None = None  # columns found with the header; later ones hold data further right

    def __post_init__(self) -> None:
        mark_repeated(self.columns)

    @property
    def data_start(self) -> int:
        return self.row + self.height

    @property
    def signature(self) -> str:
        cols = self.columns if self.found_width is None else self.columns[:self.found_width]
        return hashlib.sha1("\x1f".join(c.key for c in cols).encode("utf-8")).hexdigest()

    def mapping(self) -> dict[str, str]:
        """{column key: field name, or "field|万元" with a money column's unit, ``IGNORE`` for a column
        the user chose to leave out, or "" for not imported}."""
        return {_key(c): (f"{c.field}|{c.unit}" if c.field and c.unit else c.field or
                          (IGNORE if c.how == "ignored" else ""))
                for c in self.columns if c.label or c.parent or c.field or c.how == "ignored"}


def mark_repeated(columns: list[Column]) -> None:
    """Flag the columns whose header text another column shares (two columns headed 应发工资)."""
    count: dict[str, int] = {}
    for c in columns:
        if c.title:
            count[c.title] = count.get(c.title, 0) + 1
    for c in columns:
        c.repeated = count.get(c.title, 0) > 1 if c.title else False


class Matcher:
    """Header text → field name for one ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.exact: dict[str, str] = {}
        own = KIND_VARIANTS.get(ledger.kind, {})
        for f in ledger.fields:
            names = [*f.all_names(), *VARIANTS.get(f.name, ()), *own.get(f.name, ())]
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

    def exact_field(self, text: str) -> str | None:
        """The field a header text names outright (no name inside a longer text)."""
        full = norm_full(text)
        if full in self.full:
            return self.full[full]
        k = norm(text)
        return self.exact.get(k) if k and k not in NEVER else None

    def match(self, text: str, parent: str = "") -> tuple[str | None, float]:
        """(field, score): 1 for an exact name, 0.7 for a name inside the header text. The 小计 /
        合计 / 金额 under an upper cell naming a field is that field (应发工资/小计 is 应发工资)."""
        full = norm_full(text)
        if full in self.full:
            return self.full[full], 1.0
        if parent and norm(text) in TOTALS:
            whole = self.exact_field(parent)
            if whole:
                return whole, 1.0
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


def _score(cols: list[Column], matcher: Matcher, groups: bool = False) -> float:
    """The header's worth: each field it names counts once (1 for an exact name, 0.7 for a name
    inside a text). With ``groups``, an upper cell naming a field over several lower cells counts
    for that field even when none of them is its total (应发工资 over 基本工资 / 加班工资)."""
    seen: dict[str, float] = {}
    for col in cols:
        name, s = matcher.match(col.label, col.parent)
        col.field, col.how = (name, "auto") if name else (None, "")
        if name and s > seen.get(name, 0):
            seen[name] = s
    if groups:
        for name in groups_of(cols, matcher).values():
            seen[name] = 1.0
    return sum(seen.values())


def groups_of(cols: list[Column], matcher: Matcher) -> dict[str, str]:
    """{upper cell: field} of a two-row header's upper cells that name a field and stand over two
    or more lower cells (应发工资 over 基本工资 / 加班工资 / 小计)."""
    under: dict[str, int] = {}
    for col in cols:
        if col.parent and col.label and col.parent != col.label:
            under[col.parent] = under.get(col.parent, 0) + 1
    out = {}
    for parent, n in under.items():
        name = matcher.exact_field(parent) if n >= 2 else None
        if name:
            out[parent] = name
    return out


def _merged_down(rows: list[list], r: int, merged: list) -> bool:
    """Whether a cell of row ``r`` holding text is merged down over the next row (序号 / 姓名 over
    both rows of a two-row header)."""
    for r0, c0, r1, c1 in merged:
        if r0 == r and r1 > r and c0 < len(rows[r]) and cell_text(rows[r][c0]):
            return True
    return False


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
        score2 = _score(cols2, matcher, groups=True)
        # cells merged down over both rows, or an upper cell naming a field over lower cells that
        # split it: the two rows are one header even when they name no more fields than the upper
        # one alone (the lower row is no data row)
        evident = score2 > 0 and (_merged_down(rows, r, merged) or bool(groups_of(cols2, matcher)))
        if evident and score2 >= max(score, below) and (best is None or score2 > best.score or best.row == r):
            best = Header(r, 2, cols2, score2)
        elif score2 > max(score, below) + 0.25 and (best is None or score2 > best.score):
            best = Header(r, 2, cols2, score2)
    needed = 2 if len(ledger.stored_fields) > 2 else 1
    if best is None or best.score < needed:
        return None
    _dedupe(best)
    _ignore_computed(best, ledger)
    for col in best.columns:            # 序号: the row's number in the file, never data of the record
        if not col.field and not col.how and norm(col.label or col.parent) in NEVER:
            col.how = "序号"
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


def part_of(header: Header, col: Column, matcher: Matcher) -> tuple[str, Column | None] | None:
    """For a part of a two-row header's group (基本工资 under 应发工资): (the field its upper cell
    names, the column of the group that supplies that field as the group's own total, or None
    when no column does). None for a column that is no such part or that a field takes."""
    if header.height < 2 or col.field or not col.parent or col.parent == col.label:
        return None
    name = groups_of(header.columns, matcher).get(col.parent)
    if name is None:
        return None
    total = next((c for c in header.columns if c.parent == col.parent and c.field == name
                  and matcher.match(c.label, c.parent)[0] == name), None)
    return name, total


def _ignore_computed(header: Header, ledger: Ledger) -> None:
    """Computed columns (欠发 = 应发 − 实发 …) are known but not imported; a column naming a
    referenced record another way (a repayment's 身份证号码 for its 农民工) is read to tell two
    records of the same name apart (``Column.checks``)."""
    for col in header.columns:
        if col.field and not ledger.field(col.field).stored:
            f = ledger.field(col.field)
            if f.identifies and any(c.field == f.identifies for c in header.columns):
                col.field, col.how, col.checks = None, "核对列", f.identifies
            else:
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
    """Set fields from a {column key: field name, ``IGNORE`` or ''} mapping (remembered or the user's).
    ``IGNORE`` is a decision to leave the column out; '' only says the column is not imported."""
    if not mapping:
        return
    for col in header.columns:
        key = col.key if (col.label or col.parent) else "@" + col.letter     # a column without a header
        if key not in mapping:
            continue
        name, _, unit = str(mapping[key] or "").partition("|")
        if name in IGNORE_WORDS:
            col.field, col.how, col.unit = None, "ignored", None
            continue
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


class ChoiceProblem(ValueError):
    """A --map / --ignore that names no column or no field (the message is Chinese)."""


def find_column(header: Header, text: str) -> Column:
    """The column a person names: its header as written (with or without the upper header cell
    of a two-row header, spacing and full-width forms aside) or its letter (F, F列)."""
    want = norm_full(text)
    named = [c for c in header.columns if c.label or c.parent]
    for getter in (lambda c: norm_full(c.key), lambda c: norm_full(c.label),
                   lambda c: norm_full(c.parent + c.label), lambda c: norm(c.label)):
        hits = [c for c in named if getter(c) == want]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            letters = "、".join(c.letter for c in hits)
            if len({c.title for c in hits}) > 1:
                raise ChoiceProblem(f"有 {len(hits)} 列的表头都是“{text}”（{letters} 列），"
                                    f"请用“上层表头/表头”或列字母（如 {hits[0].letter}）指明")
            raise ChoiceProblem(f"有 {len(hits)} 列的表头都是“{text}”（{letters} 列），请用列字母指明是哪一列"
                                f"（如 {hits[-1].letter}）")
    letter = V.halfwidth(str(text)).strip().upper().removesuffix("列")
    if re.fullmatch(r"[A-Z]{1,3}", letter):
        for c in header.columns:
            if c.letter == letter:
                return c
    shown = "、".join(f"“{c.key}”" for c in named[:12]) + ("等" if len(named) > 12 else "")
    raise ChoiceProblem(f"文件中没有表头为“{text}”的列（现有：{shown}）")


def find_field(ledger: Ledger, text: str) -> str:
    """A field named by its Chinese label (with or without its unit), a synonym, or its name."""
    t = str(text).strip()
    for f in ledger.stored_fields:
        if t == f.name or norm_full(t) in (norm_full(f.label), norm_full(f.header)):
            return f.name
    hits = {f.name for f in ledger.stored_fields if norm(t) in {norm(n) for n in f.all_names()}}
    if len(hits) == 1:
        return hits.pop()
    labels = "、".join(f.label for f in ledger.stored_fields if f.editable or f.name == ledger.parent)
    raise ChoiceProblem(f"{ledger.title}没有名为“{text}”的栏目（可选：{labels}）")


def user_choices(header: Header, ledger: Ledger, maps: list[str] | tuple = (), ignores: list[str] | tuple = (),
                 ) -> dict[str, str]:
    """``--map '表头=字段'`` and ``--ignore '表头'`` as a mapping for ``apply_mapping``. Raises
    ``ChoiceProblem`` for a column or field that is not there."""
    out: dict[str, str] = {}
    for item in maps or ():
        head, sep, target = str(item).rpartition("=")
        if not sep or not head.strip() or not target.strip():
            raise ChoiceProblem(f"--map 的写法应为“表头=字段”，如 --map '实付金额=已支付金额'（收到的是“{item}”）")
        col = find_column(header, head.strip())
        target = target.strip()
        out[_key(col)] = IGNORE if target in IGNORE_WORDS else find_field(ledger, target)
    for head in ignores or ():
        out[_key(find_column(header, str(head).strip()))] = IGNORE
    return out


def _key(col: Column) -> str:
    return col.key if (col.label or col.parent) else "@" + col.letter


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
