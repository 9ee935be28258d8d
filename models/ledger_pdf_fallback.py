"""Printouts of declared ledgers (台账打印): a landscape A4 table with the title, the unit and
the filter in force, the header repeated on every page, a 合计 row and the 填报人 / 审核人 /
日期 lines, built from the ledger's declaration (its printed fields, widths and sums).

``print_ledger_pdf`` is what pages call: it uses the shared report machinery
(``models.reports.ledger_print.build``) when that exists and this module's simple layout
otherwise; ``table_pdf`` also lays out the 重大欠薪问题和敏感项目台账.
"""
from __future__ import annotations

import datetime as _dt
import importlib
from pathlib import Path

from models.db import Store
from models.ledger import registry
from models.ledger.repo import LedgerRepo, Query

FONT = "WQY"
CHUNK = 400            # rows per reportlab Table: one big Table is slow to lay out


def print_ledger_pdf(store: Store, kind: str, out: str | Path, query: Query | None = None,
                     today: _dt.date | None = None) -> Path:
    try:
        shared = importlib.import_module("models.reports.ledger_print")
    except ImportError:
        shared = None
    if shared is not None and hasattr(shared, "build"):
        shared.build(store, Path(out), today or _dt.date.today(), kind=kind, query=query)
        return Path(out)
    if shared is not None and hasattr(shared, "print_ledger"):
        result = shared.print_ledger(store, kind, out, query=query)
        return Path(result) if result else Path(out)
    return print_ledger(store, kind, out, query=query, today=today)


def register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from resources import FONT_PATH
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH), subfontIndex=0))
    return FONT


def unit_name(store: Store) -> str:
    return store.scalar("SELECT unit FROM campaign WHERE is_current = 1 ORDER BY id DESC LIMIT 1", default="") or ""


def town(unit: str) -> str:
    """青山县青山镇人民政府 → 青山镇, for titles (a county keeps its own name)."""
    import re
    core = unit.replace("人民政府", "").strip()
    m = re.search(r"([^县市区省州旗]+(?:镇|乡|街道))$", core)
    return m.group(1) if m else core


def table_pdf(out: str | Path, title: str, headers: list[str], widths: list[float], rows: list[list[str]],
              *, unit: str = "", subtitle: str = "", numeric: set[int] | None = None, mins: list[float] | None = None,
              totals: list[str] | None = None, sections: list[tuple[str, list[str], list[float], list[list[str]]]] = (),
              today: _dt.date | None = None) -> Path:
    """A landscape ledger table (and optional further sections) as PDF, written whole or not at all."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, Table
    font = register_font()
    today = today or _dt.date.today()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.part{out.suffix}")
    page_w, page_h = landscape(A4)
    usable = page_w - 24 * mm
    st_title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=TA_CENTER)
    st_meta = ParagraphStyle("m", fontName=font, fontSize=9, leading=13)
    st_cell = ParagraphStyle("c", fontName=font, fontSize=8, leading=10)
    st_head = ParagraphStyle("h", parent=st_cell, alignment=TA_CENTER)

    def block(headers_, widths_, rows_, numeric_, totals_, mins_=None) -> list:
        col_w = fit_widths(widths_, mins_ or [0] * len(widths_), usable)
        head = [Paragraph(h, st_head) for h in headers_]
        body = [[c if i in numeric_ or len(c) * 8 < col_w[i] - 4 else Paragraph(c, st_cell)
                 for i, c in enumerate(r)] for r in rows_]
        if totals_:
            body.append(totals_)
        if not body:
            body = [["（无记录）"] + [""] * (len(headers_) - 1)]
        style = [("FONT", (0, 0), (-1, -1), font, 8), ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                 ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9E1F2")),
                 ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 2),
                 ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
        for i in numeric_:
            style.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
        if totals_:
            style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F2F2F2")))
            if len(totals_) > 1 and totals_[1] == "":
                style.append(("SPAN", (0, -1), (1, -1)))
        parts = []
        for start in range(0, len(body), CHUNK):
            chunk = body[start:start + CHUNK]
            t = LongTable([head] + chunk, colWidths=col_w, repeatRows=1)
            local = list(style)
            if totals_ and start + CHUNK < len(body):
                local = [s for s in local if not (s[0] in ("BACKGROUND", "SPAN") and s[1] == (0, -1))]
            t.setStyle(local)
            parts.append(t)
        return parts

    story = [Paragraph(title, st_title), Spacer(1, 3 * mm),
             Paragraph(f"填报单位（盖章）：{unit}　　　　打印日期：{today.year}年{today.month}月{today.day}日"
                       + (f"　　　　{subtitle}" if subtitle else ""), st_meta), Spacer(1, 2 * mm)]
    story += block(headers, widths, rows, numeric or set(), totals, mins)
    for sec_title, sec_headers, sec_widths, sec_rows in sections:
        story += [Spacer(1, 5 * mm), Paragraph(sec_title, ParagraphStyle("s", fontName=font, fontSize=11, leading=16)),
                  Spacer(1, 2 * mm)]
        story += block(sec_headers, sec_widths, sec_rows, set(), None)
    sign = Table([[Paragraph("填报人：", st_meta), Paragraph("审核人：", st_meta),
                   Paragraph(f"日期：{today.year}年{today.month}月{today.day}日", st_meta)]], colWidths=[usable / 3] * 3)
    story += [Spacer(1, 6 * mm), sign]

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawCentredString(page_w / 2, 7 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    doc = SimpleDocTemplate(str(tmp), pagesize=(page_w, page_h), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=14 * mm, title=title, author=unit or "清欠工作台")
    try:
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def fit_widths(weights: list[float], mins: list[float], total: float) -> list[float]:
    """Column widths in proportion to ``weights`` filling ``total``, none below its minimum
    (dates and amounts must not wrap); the others give way."""
    scale = total / max(sum(weights), 1)
    w = [max(m, x * scale) for x, m in zip(weights, mins)]
    for _ in range(8):
        excess = sum(w) - total
        if excess <= 0.5:
            break
        room = [max(0.0, x - m) for x, m in zip(w, mins)]
        spare = sum(room)
        if spare <= 0:
            break
        w = [x - excess * r / spare for x, r in zip(w, room)]
    return w


MIN_POINTS = {"date": 50, "money": 58, "int": 24, "area": 34, "bool": 20, "phone": 58, "credit_code": 84, "ref": 64,
              "id_number": 88, "bank_card": 96}


def print_ledger(store: Store, kind: str, out: str | Path, query: Query | None = None,
                 today: _dt.date | None = None) -> Path:
    """The ledger's printed fields for the rows ``query`` selects; personal numbers masked."""
    ledger = registry.get(kind)
    repo = LedgerRepo(store, ledger)
    q = query or Query()
    fields = ledger.print_fields
    recs = repo.rows(q)
    headers = ["序号"] + [f.header for f in fields]
    widths = [3.0] + [max(float(f.width), len(f.header) * 0.9) for f in fields]
    rows = [[str(i)] + [ledger.cell_text(f, r, masked=True) for f in fields] for i, r in enumerate(recs, 1)]
    numeric = {i + 1 for i, f in enumerate(fields) if f.numeric}
    mins = [20.0] + [float(MIN_POINTS.get(f.kind, 30)) for f in fields]
    totals = None
    sums = repo.totals(q)
    if sums:
        totals = ["合计"] + [f.format(sums[f.name]) if f.name in sums else "" for f in fields]
    unit = unit_name(store)
    title = f"{town(unit)}{ledger.title}"
    return table_pdf(out, title, headers, widths, rows, unit=unit, numeric=numeric, totals=totals, mins=mins,
                     subtitle=f"共 {len(recs)} 条；{q.describe(ledger)}", today=today)
