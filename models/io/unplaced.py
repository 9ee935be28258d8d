"""What an import cannot place, said and never dropped silently: columns that no field takes
(named, with what they look like; money, dates and ID numbers stop the import until the user
maps or leaves them), a second column for the same field, columns beyond the header, a computed
column (未付) checked against the computation. Used by ``models.io.importer`` while planning."""
from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING

from models import values as V
from models.io import cells as C
from models.io import columns as CL
from models.io.case_column import CASE_CHECK
from models.io.header import Column, Header, Matcher, norm, part_of, unit_of
from models.io.problems import Problem
from models.ledger import registry
from models.ledger.fields import Ledger

if TYPE_CHECKING:
    from models.io.plan import ImportPlan


# -- columns that no field takes ------------------------------------------------------------
BLOCKING = ("金额", "日期", "身份证号码", "银行卡号")
_MONEY_WORDS = ("金额", "工资", "薪", "款", "费", "资金", "报酬", "补偿", "补贴", "奖金", "扣", "元", "价", "兑", "付",
                "偿")
_DATE_WORDS = ("日期", "时间", "年月", "日", "时段", "期间")
_COUNT_WORDS = ("人数", "数量", "天数", "个数", "户数", "次数", "工日", "序号", "编号", "号码", "电话", "卡号")
_ID = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")
_CARD = re.compile(r"^\d{12,19}$")
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_MONTH = re.compile(r"^\d{4}\s*[年./-]\s*\d{1,2}\s*(月|$|[至到~—\-－])")


def _columns_beyond_header(header: Header, rows: list[list]) -> None:
    """Data further right than the header reaches: columns without a header, so they are named too."""
    width = max((len(r) for r in rows[header.data_start:]), default=0)
    if header.found_width is None:
        header.found_width = len(header.columns)        # the remembered mapping's key stays the header's
    for c in range(len(header.columns), width):
        header.columns.append(Column(c, ""))


def looks_like(header_text: str, values: list) -> str:
    """What a column's non-empty cells hold, as far as losing them would matter: 身份证号码,
    银行卡号, 日期, 金额 (these stop an import until the user decides), 电话号码, or "" (text,
    counts, anything else)."""
    if not values:
        return ""
    h = norm(header_text)
    step = max(1, len(values) // 2000)
    sample = values[::step]
    n = len(sample)
    ids = cards = phones = dates = money = plain = 0
    money_hint = (any(w in h for w in _MONEY_WORDS) or unit_of(header_text) is not None) \
        and not any(w in h for w in _COUNT_WORDS)
    date_hint = any(w in h for w in _DATE_WORDS)
    for v in sample:
        if isinstance(v, (_dt.date, _dt.datetime)):
            dates += 1
            continue
        if isinstance(v, bool):
            continue
        if isinstance(v, (int, float)):
            if abs(v) >= 1e14:
                ids += 1                       # an ID or card number Excel stored as a number
            elif date_hint and 20000 <= v <= 80000:
                dates += 1
            else:
                plain += 1
                if money_hint:
                    money += 1
            continue
        t = V.halfwidth(str(v)).strip().replace(" ", "")
        if _ID.match(t):
            ids += 1
        elif _PHONE.match(t):
            phones += 1
        elif _CARD.match(t):
            cards += 1
        elif _MONTH.match(t) or _is_date(t):
            dates += 1
        elif re.search(r"\d", t) and (t.endswith(("元", "万", "万元")) or t.startswith(("￥", "¥"))):
            money += 1
        elif money_hint and _is_money(t):
            money += 1
    need = max(1, (n * 6 + 9) // 10)           # at least 60 % of the cells
    if ids >= need or ("身份证" in h or "证件号" in h) and ids:
        return "身份证号码"
    if cards >= need:
        return "银行卡号"
    if dates >= need:
        return "日期"
    if money >= need:
        return "金额"
    if phones >= need:
        return "电话号码"
    return ""


def _is_date(t: str) -> bool:
    if t.isdigit():                                     # 20260305; other digit runs are numbers
        return bool(re.fullmatch(r"(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])", t))
    try:
        return V.parse_date(t) is not None
    except V.ValueProblem:
        return False


def _is_money(t: str) -> bool:
    try:
        V.parse_money(t)
        return True
    except V.ValueProblem:
        return False


def _scan_unmapped(plan: "ImportPlan", rows: list[list], row_index: list[int]) -> None:
    """Columns that hold data in the record rows and that no field takes; and the columns the
    user chose to leave out, with how many filled cells each one leaves behind. Two kinds of
    column lose nothing and are only noted: a second column for a field holding the same text
    in every row (所属问题 beside 所属问题编号), and, in a ledger of one case's rows, a column
    describing the case itself (用人单位, 项目名称: kept with the case)."""
    ledger = plan.ledger
    matcher = Matcher(ledger)
    parent = _parent_ledger(ledger) if (plan.case_no or any(c.field == ledger.parent for c in plan.header.columns)) \
        else None
    of_parent = []
    for col in plan.header.columns:
        if col.field or col.how in ("计算列", "序号", CASE_CHECK):
            continue
        c = col.index
        values = [rows[i][c] for i in row_index if c < len(rows[i]) and not C.is_empty(rows[i][c])]
        if not values:
            continue
        header = col.title or "（无表头）"
        if col.how == "核对列":
            plan.notes.append(f"{col.letter} 列“{header}”用于核对{ledger.field(col.checks).label}"
                              "（同名时据此区分），不单独导入。")
            continue
        entry = {"header": header, "letter": col.letter, "cells": len(values)}
        if col.how == "ignored":
            plan.ignored.append(entry)
            continue
        why = ""
        if col.how == "重复":
            same = matcher.match(col.label, col.parent)[0]
            other = next((o for o in plan.header.columns if o.field and o.index != c and o.field == same), None)
            if other is not None:
                if _same_text(rows, row_index, c, other.index):
                    plan.notes.append(f"{col.letter} 列“{header}”与 {other.letter} 列“{other.title}”逐行相同，按 "
                                      f"{other.letter} 列导入。")
                    continue
                why = f"与 {other.letter} 列同为“{ledger.field(other.field).label}”"
        elif parent is not None and col.label and parent.has(Matcher(parent).match(col.label, col.parent)[0] or ""):
            of_parent.append(f"“{header}”")
            continue
        kind = looks_like(col.label or col.parent, values)
        blocks = kind in BLOCKING
        part = part_of(plan.header, col, matcher)
        if part is not None:            # 基本工资 under 应发工资: a part of the group's whole
            whole, total = part
            if total is not None:       # the group's 小计 is imported: a part is only noted
                why = f"“{col.parent}”的分项，“{ledger.field(whole).label}”按 {total.letter} 列“{total.title}”导入"
                blocks = False
            else:
                why = f"“{col.parent}”的分项，表中没有“{col.parent}”的小计或合计列"
        entry.update({"looks_like": kind, "blocks": blocks, "why": why})
        plan.unmapped.append(entry)
    if of_parent:
        pf = ledger.field(ledger.parent)
        plan.notes.append(f"{'、'.join(of_parent)}列是{pf.label}本身的信息，以{parent.title}中的记录为准，不随本表导入。")


def _parent_ledger(ledger: Ledger) -> Ledger | None:
    """The ledger of the records this one's rows belong to (a worker's case)."""
    if not ledger.parent:
        return None
    table = ledger.field(ledger.parent).ref_table
    return next((lg for lg in registry.all_ledgers() if lg.table == table), None)


def _same_text(rows: list[list], row_index: list[int], a: int, b: int) -> bool:
    for i in row_index:
        r = rows[i]
        x = C.text_value(r[a]) if a < len(r) else ""
        y = C.text_value(r[b]) if b < len(r) else ""
        if x != y:
            return False
    return True


def blocking_message(plan: "ImportPlan") -> str:
    """One sentence: which columns stop the import, and how to decide."""
    parts = [f"{u['letter']} 列“{u['header']}”（{u['cells']} 个{u['looks_like']}）" for u in plan.blocking]
    first = plan.blocking[0]["header"]
    # a header text that several columns share names no one column: the letter does
    if first == "（无表头）" or sum(1 for c in plan.header.columns if c.title == first) > 1:
        first = plan.blocking[0]["letter"]
    text = (f"文件“{plan.path.name}”中的 {'、'.join(parts)}没有对应的{plan.ledger.title}栏目，为免丢失数据，导入已停止："
            f"请在“列对应”中为它选择栏目或选“不导入”（命令行用 --map '{first}=栏目名称' 或 --ignore '{first}'）。")
    return text + _parts_without_total(plan)


def _parts_without_total(plan: "ImportPlan") -> str:
    """For the parts of a two-row header's group that has no 小计 / 合计 column (应发工资 over
    基本工资 / 加班工资): that no part is taken as the whole, and how to say which is."""
    matcher = Matcher(plan.ledger)
    groups: dict[str, tuple[str, list[Column]]] = {}
    blocking = {u["letter"] for u in plan.blocking}
    for col in plan.header.columns:
        part = part_of(plan.header, col, matcher) if col.letter in blocking else None
        if part is not None and part[1] is None:
            groups.setdefault(col.parent, (part[0], []))[1].append(col)
    out = []
    for parent, (whole, cols) in groups.items():
        label = plan.ledger.field(whole).label
        shown = "、".join(f"{c.letter} 列“{c.label}”" for c in cols)
        out.append(f"“{parent}”分为 {shown}，表中没有它的小计或合计列，程序不会自行选用其中一列作为“{label}”："
                   f"如其中一列就是{label}的总额，用 --map '{cols[-1].letter}={label}' 指明，其余各列用 --ignore 列字母；"
                   f"或在文件中加一列“小计”后再导入。")
    return "".join(out)


def unmapped_text(result: dict) -> str:
    """The columns left out, for the summary: 未导入的列：F 列“反映人电话”（120 个）…"""
    out = []
    un = result.get("unmapped") or []
    if un:
        out.append("未导入的列：" + "、".join(
            f"{u['letter']} 列“{u['header']}”（{u['cells']} 个{u.get('looks_like') or '有内容的单元格'}"
            + (f"，{u['why']}" if u.get("why") else "") + "）" for u in un))
    ig = result.get("ignored") or []
    if ig:
        out.append("按选择不导入的列：" + "、".join(f"{u['letter']} 列“{u['header']}”（{u['cells']} 个）" for u in ig))
    return "；".join(out)


def _check_computed(plan: "ImportPlan", rows: list[list], store=None) -> None:
    """A computed column in the file (未付 = 应付 − 已付) is not imported; say whether the
    file's figures agree with the computation, row by row."""
    ledger = plan.ledger
    owed = next((n for n in ("amount_fen", "owed_fen") if ledger.has(n) and ledger.field(n).stored), None)
    if owed is None or not ledger.has("paid_fen"):
        return
    for col in plan.header.columns:
        if col.how != "计算列" or not ledger.has("outstanding_fen"):
            continue
        name, _ = Matcher(ledger).match(col.label, col.parent)
        if name != "outstanding_fen":
            continue
        unit = unit_of(col.label) or unit_of(col.parent) or plan.header.meta.get("money_unit") or "元"
        parse = C.column_parser(ledger.field("outstanding_fen"), unit)
        differ, checked = [], 0
        for r in plan.rows:
            if r.problems or owed not in r.values or "paid_fen" not in r.values:
                continue
            raw = rows[r.row - 1][col.index] if col.index < len(rows[r.row - 1]) else None
            if C.is_empty(raw):
                continue
            try:
                v = parse(raw)
            except (V.ValueProblem, ArithmeticError, ValueError, TypeError):
                continue
            checked += 1
            if v != (r.values.get(owed) or 0) - (r.values.get("paid_fen") or 0):
                differ.append(r)
        # a case that lists its workers owes what they are owed: the file may be our own export,
        # whose 未付 is the screen's (应付 − 已付 over the workers), not the typed amounts'
        differ = [r.row for r in differ if not _agrees_with_stored(store, plan, r, col, rows, parse)]
        label = col.title
        if differ:
            shown = "、".join(map(str, differ[:10])) + ("等" if len(differ) > 10 else "")
            plan.notes.append(f"“{label}”列由程序按“{ledger.field(owed).label} − {ledger.field('paid_fen').label}”计算，不导入；"
                              f"其中 {len(differ)} 行与文件所填不符（第 {shown} 行），请核对。")
        elif checked:
            plan.notes.append(f"“{label}”列由程序按“{ledger.field(owed).label} − {ledger.field('paid_fen').label}”计算，不导入；"
                              f"文件所填 {checked} 行与计算结果一致。")


def _agrees_with_stored(store, plan: "ImportPlan", r, col, rows: list[list], parse) -> bool:
    """Whether a row's 未付 equals the stored record's 应付 − 已付 (the case of the same number)."""
    ledger = plan.ledger
    if not ledger.has("total_owed_fen") or not ledger.key:
        return False
    key = [k for k in ledger.key if k != "uuid"]
    if not key or any(r.values.get(k) in (None, "") for k in key):
        return False
    cond = " AND ".join(f'"{k}" = ?' for k in key)
    if store is None:
        return False
    got = store.scalar(f'SELECT total_owed_fen - total_paid_fen FROM "{ledger.table}" WHERE {cond} '
                       "AND deleted_at IS NULL", [r.values[k] for k in key])
    raw = rows[r.row - 1][col.index]
    return got is not None and parse(raw) == got


# -- 欠发 beside 应发 and 实发 ----------------------------------------------------------------
def computed_column(plan: "ImportPlan", records: list, names: list, columns: list, problems_at: dict) -> None:
    """A roster's 欠发 column (欠发 = 应发 − 实发, computed and never stored) is not dropped
    unread. With 应发 and 实发, a row whose 欠发 disagrees with them is refused, naming the three
    columns. Without 实发, 实发 is derived as 应发 − 欠发 (a note says so), and a row whose 欠发 is
    blank, not a number, negative or above its 应发 is refused. ``names`` / ``columns`` are the
    parsed columns (``FAILED`` where a cell could not be read); a derived column is added to them.
    A case's 未付 is left to ``_check_computed`` (it may be the sum over the case's workers)."""
    ledger = plan.ledger
    if ledger.has("total_owed_fen") or not all(ledger.has(n) for n in ("owed_fen", "paid_fen", "outstanding_fen")) \
            or "owed_fen" not in names or not records or not any(c.how == "计算列" for c in plan.header.columns):
        return
    matcher = Matcher(ledger)
    col = next((c for c in plan.header.columns
                if c.how == "计算列" and matcher.match(c.label, c.parent)[0] == "outstanding_fen"), None)
    if col is None:
        return
    by_field = {c.field: c.title for c in plan.header.columns if c.field}
    owed_t, out_t = by_field.get("owed_fen", "应发工资"), col.title
    unit = unit_of(col.label) or unit_of(col.parent) or plan.header.meta.get("money_unit") or "元"
    f = ledger.field("outstanding_fen")
    parse = C.column_parser(f, unit)
    idx = col.index
    raws = [cells[idx] if idx < len(cells) else None for _, cells in records]
    vals, _errors = CL.parse_column(parse, raws, CL.fast_path(f, unit, parse))
    owed = columns[names.index("owed_fen")]
    failed, y = CL.FAILED, V.fen_to_yuan_text

    def refuse(pos: int, rule: str, message: str, name: str) -> None:
        problems_at.setdefault(pos, []).append(Problem(records[pos][0] + 1, out_t, rule, message, name))

    if "paid_fen" in names:
        paid = columns[names.index("paid_fen")]
        paid_t = by_field.get("paid_fen", "实发工资")
        for pos, (o, p, v) in enumerate(zip(owed, paid, vals)):
            if o is failed or p is failed or v is failed or C.nothing(raws[pos]):
                continue
            o, p = o or 0, p or 0
            if v != o - p:
                refuse(pos, "不符", f"“{out_t}”{y(v)} 元与“{owed_t}”−“{paid_t}”（{y(o)} − {y(p)} = {y(o - p)} 元）不符，"
                                  "请核对这三列后再导入", "outstanding_fen")
        return
    derived, done = [], 0
    for pos, (o, v) in enumerate(zip(owed, vals)):
        if o is failed:                         # 应发 unreadable: the row is refused for that already
            derived.append(None)
            continue
        o = o or 0
        raw = raws[pos]
        why = ""
        if C.is_empty(raw):
            if o:
                why = f"“{out_t}”为空，无法由“{owed_t}”推算实发工资（没有欠发请填 0）"
            else:
                v = 0
        elif v is failed:
            why = f"“{out_t}”“{C.text_value(raw)[:30]}”不是金额，无法由“{owed_t}”推算实发工资"
        elif v < 0:
            why = f"“{out_t}”{y(v)} 元是负数，无法由“{owed_t}”推算实发工资"
        elif v > o:
            why = f"“{out_t}”{y(v)} 元大于“{owed_t}”{y(o)} 元，无法推算实发工资，请核对"
        if why:
            refuse(pos, "推算", why, "paid_fen")
            derived.append(failed)
            continue
        derived.append(o - v)
        done += 1
    names.append("paid_fen")
    columns.append(derived)
    plan.derived["paid_fen"] = col.letter
    paid_label = ledger.field("paid_fen").label
    plan.notes.append(f"文件中没有“{paid_label}”列，已按“{owed_t}”−“{out_t}”推算{paid_label}（{done} 行）；"
                      f"{col.letter} 列“{out_t}”本身由程序计算，不单独导入。")
