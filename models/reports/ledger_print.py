"""台账打印: any declared ledger as a landscape A4 printout.

Derived from the declaration: the columns are the ledger's ``extra["print_fields"]`` when it
names them, else its printed table columns; widths follow ``Field.width``; ID, bank-card and
phone numbers are masked; the filter in force is printed at the top (``Query.describe``); a
合计 row sums the ledger's ``sum`` fields over every row printed (``LedgerRepo.totals``); the
header row repeats on every page; 填报人 / 审核人 / 日期 lines close it, never alone on a page.

Rows kept per case (a worker roster, repayments) print with 所属问题编号, 用人单位 and 项目,
case by case, each case closed by a 小计 row. The case ledger's 合计 counts every printed row,
经核实不存在欠薪 included, and says so beside it (the headline figures leave them out).
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from models.ledger import registry
from models.ledger.fields import Field, Ledger
from models.ledger.basis_note import basis_note
from models.ledger.repo import LedgerRepo, Query
from models.reports.pdf_base import LongTable, ReportDoc, finish, data_stamp, gap, para, scale_widths, signature_lines
from models.reports.result import ReportResult, ReportUnavailable

CASE_CONTEXT = (("case_no", "所属问题编号", 13), ("employer_name", "用人单位", 16), ("project_name", "项目", 16))
SIGN_GAP = 8 * mm

MAX_ROWS = 50_000          # ~1,200 pages: beyond this a filter is wanted, not paper
CHUNK = 2_000
# Columns for ledgers whose declaration names none and whose table columns are too many for A4
DEFAULT_LAYOUT = {"cases": ("case_no", "source", "registered_on", "employer_name", "project_name", "total_workers",
                            "total_owed_fen", "total_paid_fen", "outstanding_fen", "workstream_id", "owner_person",
                            "deadline", "status", "is_major")}


def print_fields(ledger: Ledger) -> list[Field]:
    named = ledger.extra.get("print_fields") or DEFAULT_LAYOUT.get(ledger.kind)
    if named:
        return [ledger.field(n) for n in named]
    fields = [f for f in ledger.fields if f.printed and f.in_table]
    return fields if len(fields) >= 3 else [f for f in ledger.fields if f.printed]


def ref_labels(store, ledger: Ledger, query: Query) -> dict[str, dict]:
    """Names for the ids a filter holds (责任专班 = 3 → 欠薪化解专班), for ``Query.describe``."""
    out: dict[str, dict] = {}
    for name, value in query.equals.items():
        try:
            f = ledger.field(name)
        except KeyError:
            continue
        if f.kind == "ref" and f.ref_table and value is not None:
            label = store.scalar(f'SELECT "{f.ref_label}" FROM "{f.ref_table}" WHERE id = ?', (value,))
            if label is not None:
                out.setdefault(name, {})[value] = str(label)
    return out


def cell(f: Field, row: dict, masked: bool) -> str:
    if f.kind == "ref":
        return str(row.get(f"{f.name}__label") or "")
    return f.format(row.get(f.name), masked=masked)


def build(store, out: Path, today: _dt.date, *, kind: str = "cases", query: Query | None = None, job=None,
          labels: dict | None = None, masked: bool = True) -> ReportResult:
    try:
        ledger = registry.get(kind)
    except KeyError as exc:
        raise ReportUnavailable(str(exc.args[0])) from exc
    query = query or Query()
    repo = LedgerRepo(store, ledger)
    if job:
        job.progress(0, 100, "正在审核数据…")
    stamp = data_stamp(store, today)
    ids = repo.ids(query)
    if len(ids) > MAX_ROWS:
        raise ReportUnavailable(f"{ledger.title}共 {len(ids):,} 条记录，超过一次打印的上限 {MAX_ROWS:,} 条。"
                                "请先筛选（如按专班、状态或日期）再打印。")
    fields = print_fields(ledger)
    by_case = per_case(ledger)
    fields = [f for f in fields if not (by_case and f.name == ledger.parent)]
    context: dict = {}
    if by_case:
        ids = _case_order(store, ledger, ids)
        context = _case_context(store, ledger, ids)
    rows: list[list[str]] = []
    band: list[int] = []
    group, sub, in_group = object(), {}, 0
    numeric = [f for f in fields if f.sum and f.numeric]

    def close_group() -> None:
        unit = "人" if ledger.kind == "workers" else "条"
        rows.append([f"小计（{in_group} {unit}）", "", ""] +
                    [f.format(sub.get(f.name, 0)) if f in numeric else "" for f in fields])
        band.append(len(rows) - 1)
    for start in range(0, len(ids), CHUNK):
        if job:
            job.progress(5 + 45 * start // max(len(ids), 1), 100, f"正在读取第 {start + 1} 条起的记录…")
        chunk = ids[start:start + CHUNK]
        got = repo.rows_by_ids(chunk)
        for i in chunk:
            if i not in got:
                continue
            row = got[i]
            cells = [ledger.cell_text(f, row, masked=masked) for f in fields]
            if by_case:
                key = row.get(ledger.parent)
                if key != group:
                    if in_group:
                        close_group()
                    group, sub, in_group = key, {}, 0
                in_group += 1
                for f in numeric:
                    sub[f.name] = sub.get(f.name, 0) + (row.get(f.name) or 0)
                cells = [*context.get(key, ("", "", "")), *cells]
            rows.append(cells)
    if by_case and in_group:
        close_group()
    n_records = len(rows) - len(band)
    if by_case:
        fields_shown = [None, None, None, *fields]
    else:
        fields_shown = fields
    sums = repo.totals(query)
    total = None
    if sums:
        total = ["" if f is None else sums_cell(f, sums) for f in fields_shown]
        total[0] = f"合计（{n_records:,} 条）"
    described = query.describe(ledger, {**ref_labels(store, ledger, query), **(labels or {})})
    doc = ReportDoc(out, ledger.title, stamp, wide=True,
                    progress=(lambda p, t, text: job.progress(50 + 50 * p // max(t, 1), 100, text)) if job else None,
                    pages_hint=max(1, len(rows) // 30))
    W = doc.width
    chars = ([w for _c, _l, w in CASE_CONTEXT] if by_case else []) + \
        [max(5 if f.kind == "bool" else 4, f.width) for f in fields]
    size = 8.0
    while size > 6.5 and sum(chars) * size * 1.05 > W:
        size -= 0.5
    aligns = ("LLL" if by_case else "") + \
        "".join(f.kind_of.align for f in fields)
    heads = ([label for _c, label, _w in CASE_CONTEXT] if by_case else []) + [f.header for f in fields]
    sign = signature_lines(W * 0.8)
    sign_h = SIGN_GAP + sign.wrap(W, 1000)[1] + 2
    story = [para(ledger.title, "title"),
             para(f"填报单位：{stamp.unit or '—'}　　打印日期：{today.year}年{today.month}月{today.day}日"
                  f"　　{stamp.full}", "note"),
             para(f"筛选条件：{described}　　共 {n_records:,} 条" + ("　　（身份证、银行卡、电话号码已部分隐藏）"
                                                                     if masked and any(f.sensitive for f in fields) else ""),
                  "note"),
             gap(2)]
    note = basis_note(store, ledger, query)
    if note:
        story.append(para(note, "note"))
    if not stamp.passed:
        story.append(para("注意：台账数据未通过一致性审核，请核对后再签字。", "alert"))
    if rows:
        widths = scale_widths(chars, W)
        story.append(LongTable(heads, rows, widths, aligns, size=size, max_lines=3, total=total,
                               keep_with_next=sign_h, band=band))
    else:
        story.append(para("（无符合条件的记录）", "plain"))
    story += [Spacer(1, SIGN_GAP), sign]
    pages = finish(doc, story)
    return ReportResult(out, ledger.title, pages, stamp.passed, stamp.check_text)


def per_case(ledger: Ledger) -> bool:
    """Rows kept per case print case by case, naming the case, with 小计 rows."""
    return bool(ledger.parent) and ledger.has(ledger.parent) and ledger.field(ledger.parent).ref_table == "case_record"


def _case_order(store, ledger: Ledger, ids: list[int]) -> list[int]:
    """The same rows, case by case (cases in registration order), in the ledger's order within a case."""
    pos = {i: n for n, i in enumerate(ids)}
    case_of: dict[int, int] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for rid, cid in store.query(f'SELECT id, "{ledger.parent}" FROM "{ledger.table}" WHERE id IN '
                                    f'({",".join("?" * len(chunk))})', chunk):
            case_of[rid] = cid
    return sorted(ids, key=lambda i: (case_of.get(i) or 0, pos[i]))


def _case_context(store, ledger: Ledger, ids: list[int]) -> dict:
    cols = ", ".join(f"c.{c}" for c, _l, _w in CASE_CONTEXT)
    out = {}
    for r in store.query(f'SELECT c.id, {cols} FROM case_record c WHERE c.id IN (SELECT DISTINCT "{ledger.parent}" '
                         f'FROM "{ledger.table}")'):
        out[r[0]] = tuple(str(v or "") for v in r[1:])
    return out


def sums_cell(f: Field, sums: dict) -> str:
    if f.name not in sums:
        return ""
    return f.format(sums[f.name])

def filter_options(store, ledger: Ledger, limit: int = 500) -> list[tuple[Field, list[tuple[object, str]]]]:
    """The ledger's filters a print dialog offers: choice, yes/no and reference fields with their values."""
    out = []
    for f in ledger.filter_fields:
        if f.kind == "choice":
            out.append((f, [(c, c) for c in f.choices]))
        elif f.kind == "bool":
            out.append((f, [(1, "是"), (0, "否")]))
        elif f.kind == "ref" and f.ref_table:
            cols = {r[1] for r in store.query(f'PRAGMA table_info("{f.ref_table}")')}
            live = " WHERE deleted_at IS NULL" if "deleted_at" in cols else ""
            order = "sort, id" if "sort" in cols else "id"
            out.append((f, [(r[0], str(r[1])) for r in store.query(
                f'SELECT id, "{f.ref_label}" FROM "{f.ref_table}"{live} ORDER BY {order} LIMIT {int(limit)}')]))
    return out


def date_filter(ledger: Ledger) -> Field | None:
    """The date a printout can be limited by (登记日期, 兑付日期 …): the first date filter field."""
    return next((f for f in ledger.filter_fields if f.kind == "date"), None)
