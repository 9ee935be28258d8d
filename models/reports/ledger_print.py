"""台账打印: any declared ledger as a landscape A4 printout.

Derived from the declaration: the columns are the ledger's ``extra["print_fields"]`` when it
names them, else its printed table columns; widths follow ``Field.width``; ID, bank-card and
phone numbers are masked; the filter in force is printed at the top (``Query.describe``); a
合计 row sums the ledger's ``sum`` fields over every row printed (``LedgerRepo.totals``); the
header row repeats on every page; 填报人 / 审核人 / 日期 lines close it.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from models.ledger import registry
from models.ledger.fields import Field, Ledger
from models.ledger.repo import LedgerRepo, Query
from models.reports import ReportResult, ReportUnavailable
from models.reports.pdf_base import LongTable, ReportDoc, data_stamp, gap, para, scale_widths, signature_lines

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
    rows: list[list[str]] = []
    for start in range(0, len(ids), CHUNK):
        if job:
            job.progress(5 + 45 * start // max(len(ids), 1), 100, f"正在读取第 {start + 1} 条起的记录…")
        chunk = ids[start:start + CHUNK]
        got = repo.rows_by_ids(chunk)
        rows += [[cell(f, got[i], masked) for f in fields] for i in chunk if i in got]
    sums = repo.totals(query)
    total = None
    if sums:
        total = [sums_cell(f, sums) for f in fields]
        total[0] = f"合计（{len(rows):,} 条）"
    described = query.describe(ledger, {**ref_labels(store, ledger, query), **(labels or {})})
    doc = ReportDoc(out, ledger.title, stamp, wide=True,
                    progress=(lambda p, t, text: job.progress(50 + 50 * p // max(t, 1), 100, text)) if job else None,
                    pages_hint=max(1, len(rows) // 30))
    W = doc.width
    chars = [max(5 if f.kind == "bool" else 4, f.width) for f in fields]
    size = 8.0
    while size > 6.5 and sum(chars) * size * 1.05 > W:
        size -= 0.5
    aligns = "".join("R" if f.numeric else ("C" if f.kind in ("date", "bool") else "L") for f in fields)
    story = [para(ledger.title, "title"),
             para(f"填报单位：{stamp.unit or '—'}　　打印日期：{today.year}年{today.month}月{today.day}日"
                  f"　　{stamp.full}", "note"),
             para(f"筛选条件：{described}　　共 {len(rows):,} 条" + ("　　（身份证、银行卡、电话号码已部分隐藏）"
                                                                  if masked and any(f.sensitive for f in fields) else ""),
                  "note"),
             gap(2)]
    if not stamp.passed:
        story.append(para("注意：台账数据未通过一致性审核，请核对后再签字。", "alert"))
    if rows:
        widths = scale_widths(chars, W)
        story.append(LongTable([f.header for f in fields], rows, widths, aligns, size=size, max_lines=3,
                               total=total))
    else:
        story.append(para("（无符合条件的记录）", "plain"))
    story += [gap(8), signature_lines(W * 0.8)]
    doc.build(story)
    return ReportResult(out, ledger.title, doc.page, stamp.passed, stamp.check_text)


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
