"""What every PDF report shares: the embedded Chinese font, A4 page templates with a header
(unit, title, the time the data was taken, whether it passed the checks) and "— N —" page
numbers, fast long tables with the header row on every page, signature lines.

reportlab is imported here, and this module is imported only when a report is made.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, Image, PageTemplate, Paragraph, Spacer, Table,
                                TableStyle)

from models.db import Store
from models.values import fen_to_wan_text, fen_to_yuan_text

FONT = "WQY"
MARGIN = 18 * mm
GRID = colors.HexColor("#7f7f7f")
HEAD_BG = colors.HexColor("#e8edf3")
TOTAL_BG = colors.HexColor("#f4f4f4")
ALERT = colors.HexColor("#b00020")
_widths: dict[str, float] = {}
_line_widths: dict[tuple[str, float], float] = {}
_KF_LABEL = _KF_VALUE = None


def register_font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        from resources import FONT_PATH
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH), subfontIndex=0))
        from reportlab.lib.fonts import addMapping
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(FONT, bold, italic, FONT)    # one weight: <b> falls back to the same face
    return FONT


def style(name: str) -> ParagraphStyle:
    register_font()
    base = dict(fontName=FONT, wordWrap="CJK", textColor=colors.black)
    table = {
        "title": dict(fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=6),
        "subtitle": dict(fontSize=12, leading=18, alignment=TA_CENTER, spaceAfter=4),
        "h1": dict(fontSize=15, leading=22, spaceBefore=8, spaceAfter=6),
        "h2": dict(fontSize=12, leading=18, spaceBefore=6, spaceAfter=4),
        "body": dict(fontSize=10.5, leading=17, firstLineIndent=21),
        "plain": dict(fontSize=10.5, leading=16),
        "small": dict(fontSize=8.5, leading=12, textColor=colors.HexColor("#444444")),
        "note": dict(fontSize=9, leading=13, textColor=colors.HexColor("#555555")),
        "alert": dict(fontSize=10, leading=15, textColor=ALERT),
    }[name]
    return ParagraphStyle(name, **{**base, **table})


def para(text: str, name: str = "plain") -> Paragraph:
    from xml.sax.saxutils import escape
    # reportlab treats U+3000 as a breakable space and collapses it: keep the 全角 gaps
    p = Paragraph(escape(text).replace("\n", "<br/>").replace("\u3000", "&nbsp;" * 3), style(name))
    p.qq_text = text              # the plain text, for the Word version (models.reports.word)
    return p


def org_name(unit: str) -> str:
    """青山县青山镇人民政府 → 青山镇 (a county keeps its own name: 青山县人民政府 → 青山县)."""
    import re
    unit = (unit or "").replace("人民政府", "").strip()
    m = re.search(r"([^县市区省州旗]+(?:镇|乡|街道))$", unit)
    return m.group(1) if m else unit


def yuan(fen: int | None) -> str:
    return fen_to_yuan_text(fen or 0)


def wan(fen: int | None, digits: int = 2) -> str:
    return fen_to_wan_text(fen or 0, digits)


# -- the data stamp: when the data was taken, and whether it passed the checks ----------------------
@dataclass
class Stamp:
    taken_at: str
    passed: bool
    check_text: str           # e.g. "数据审核通过（18 项规则，审核于 2026-11-26 10:32）"
    unit: str                 # 填报单位
    campaign: str
    signoff_text: str = ""    # who signed which workstream's ledger, and changes made since
    warning_text: str = ""    # work warnings (预警 / 督办): never a reason the data fail the check

    @property
    def short(self) -> str:
        return "数据审核：通过" if self.passed else "数据审核：未通过"

    @property
    def line(self) -> str:
        """The running header's right side."""
        return f"数据提取时间：{self.taken_at[:16].replace('T', ' ')}　{self.short}"

    @property
    def lines(self) -> list[str]:
        """The data block as separate lines of plain text (no markup: ``para`` breaks them)."""
        out = [f"数据提取时间：{self.taken_at[:16].replace('T', ' ')}；{self.check_text}"]
        if self.warning_text:
            out.append(f"{self.warning_text}（工作预警，不影响数据审核结论）")
        if self.signoff_text:
            out.append(self.signoff_text)
        return out

    @property
    def full(self) -> str:
        return "\n".join(self.lines)


def _fingerprint(store: Store, today: _dt.date) -> str:
    last = store.scalar("SELECT MAX(id) FROM audit_log WHERE table_name != 'setting'", default=0)
    return f"{last}:{store.schema_version()}:{today.isoformat()}"


def data_stamp(store: Store, today: _dt.date, progress: Callable[[str], None] | None = None) -> Stamp:
    """Run the consistency checks, or reuse the last result while nothing has changed since
    (the result is kept in setting ``reports.check_cache``); after a change the check is
    incremental (``models.checks_incremental``: 0.7 s after one edit on a county database,
    where a whole run takes 20 s)."""
    from models import campaign as campaigns, checks
    from models.ledger import registry
    registry.all_ledgers()        # ledger modules register their rules on load: compare like with like
    taken = _dt.datetime.now().isoformat(timespec="seconds")
    camp = campaigns.current(store)
    fp = _fingerprint(store, today)
    cached = store.get_setting("reports.check_cache") or {}
    rules = sorted(checks.RULES) + sorted(checks.WARNINGS)
    if cached.get("fingerprint") == fp and cached.get("rules") == rules and "warnings" in cached:
        passed, text, warn = cached["passed"], cached["text"] + "，此后数据未变", cached["warnings"]
    else:
        if progress:
            progress("正在审核数据（一致性检查）…")
        from models.checks_incremental import check
        report, _done = check(store, today)     # exact; after an edit only what it touched is checked again
        passed, warn = report.passed, report.warning_text()
        when = report.at[:16].replace("T", " ")
        text = (f"数据审核通过（{len(report.rules_run)} 项规则，审核于 {when}" if passed else
                f"数据审核发现 {len(report.findings)} 处问题，请核对后再用（审核于 {when}")
        try:
            store.set_setting("reports.check_cache", {"fingerprint": fp, "passed": passed, "text": text,
                                                     "warnings": warn, "rules": rules})
        except Exception:  # noqa: BLE001 - a read-only or busy file: the report is still right, just not cached
            pass
    text += "）"
    return Stamp(taken, passed, text, camp.unit if camp else "", camp.name if camp else "", signoff_line(store), warn)


def signoff_line(store: Store) -> str:
    """审核签字 as reports print it: who signed each workstream's ledger and when, and how many
    signed records were changed afterwards (each with a reason in the audit log)."""
    from models import signoff
    signed, unsigned = [], []
    for s in signoff.signoffs(store):
        if s["signed_at"]:
            note = "" if s["passed"] else "，有说明事项"
            signed.append(f"{s['workstream']} {s.get('signer') or s['signed_by']} {s['signed_at'][:10]}（截至 {s['as_of']}{note}）")
        else:
            unsigned.append(s["workstream"])
    if not signed:
        return "审核签字：各专班台账尚未签字"
    parts = ["审核签字：" + "；".join(signed)]
    if unsigned:
        parts.append("未签字：" + "、".join(unsigned))
    changed = signoff.changed_after_signoff(store)
    if changed:
        parts.append(f"签字后修改 {len(changed)} 处（均已填写理由，见审计日志）")
    return "。".join(parts) + "。"


# -- the document ---------------------------------------------------------------------------------
class ReportDoc(BaseDocTemplate):
    """A4 portrait (or landscape) with the running header and "— N —" at the foot."""

    def __init__(self, path: str | Path, title: str, stamp: Stamp, *, wide: bool = False,
                 progress: Callable[[int, int, str], None] | None = None, pages_hint: int = 0) -> None:
        register_font()
        size = landscape(A4) if wide else A4
        super().__init__(str(path), pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN,
                         topMargin=MARGIN + 4 * mm, bottomMargin=MARGIN, title=title,
                         author=stamp.unit or "清欠工作台", creator="清欠工作台", subject=stamp.line,
                         initialFontName=FONT, initialFontSize=10)
        self.report_title = title
        self.stamp = stamp
        self.out_path = Path(path)
        self.wide = wide
        self._progress = progress
        self._pages_hint = pages_hint
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._decorate)])

    def _decorate(self, canvas, doc) -> None:
        w, h = self.pagesize
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        top = h - MARGIN + 2 * mm
        canvas.drawString(MARGIN, top, f"{self.stamp.unit}　{self.report_title}".strip())
        if not self.stamp.passed:
            canvas.setFillColor(ALERT)
        canvas.drawRightString(w - MARGIN, top, self.stamp.line)
        canvas.setStrokeColor(colors.HexColor("#999999"))
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, top - 1.8 * mm, w - MARGIN, top - 1.8 * mm)
        canvas.setFillColor(colors.black)
        canvas.setFont(FONT, 10.5)
        canvas.drawCentredString(w / 2, MARGIN / 2, f"— {doc.page} —")
        canvas.restoreState()
        if self._progress:
            total = max(self._pages_hint, doc.page)
            self._progress(doc.page, total, f"正在排版第 {doc.page} 页…")


def finish(doc: ReportDoc, story: list) -> int:
    """Write ``story`` as the PDF ``doc`` was made for, or as Word when its path ends in .docx (the
    same title, headings, paragraphs and tables; ``models.reports.word``). Returns the PDF's pages
    (0 for Word, which paginates when opened)."""
    if doc.out_path.suffix.lower() == ".docx":
        from models.reports.word import write_docx
        write_docx(story, doc.out_path, doc.report_title, doc.stamp.unit or "清欠工作台", wide=doc.wide,
                   header_left=f"{doc.stamp.unit}　{doc.report_title}".strip(), header_right=doc.stamp.line)
        return 0
    doc.build(story)
    return doc.page


# -- long tables ------------------------------------------------------------------------------------
def text_width(text: str, size: float) -> float:
    key = (text, size)
    w = _line_widths.get(key)
    if w is None:
        if len(_line_widths) > 200_000:
            _line_widths.clear()
        w = _line_widths[key] = _measure(text) * size / 1000
    return w


def _measure(text: str) -> float:
    total = 0.0
    for ch in text:
        w = _widths.get(ch)
        if w is None:
            w = _widths[ch] = pdfmetrics.stringWidth(ch, FONT, 1000)
        total += w
    return total


_NO_LINE_START = set("）)]】〕》」』、，,。.：:；;！!？?%％")
_NO_LINE_END = set("（([【〔《「『“")


def fit_lines(text: str, width: float, size: float, max_lines: int) -> str:
    """Break text into lines no wider than ``width`` (Chinese breaks anywhere), at most
    ``max_lines`` lines, the last cut with "…"."""
    text = " ".join(str(text).split()) if text is not None else ""
    if len(text) * size * 1.18 <= width or text_width(text, size) <= width:   # no glyph is wider than 1.18 em
        return text
    lines, line, lw = [], "", 0.0
    for ch in text:
        cw = text_width(ch, size)
        if lw + cw > width and line:
            carry = ""
            if ch in _NO_LINE_START and len(line) > 1:   # 禁则: no line opens with ）、，% …
                line, carry = line[:-1], line[-1]
            while len(line) > 1 and line[-1] in _NO_LINE_END:   # … nor ends with （《“
                line, carry = line[:-1], line[-1] + carry
            lines.append(line)
            line, lw = carry, text_width(carry, size) if carry else 0.0
            if len(lines) == max_lines:
                break
        line += ch
        lw += cw
    else:
        lines.append(line)
    if len(lines) > max_lines or (len(lines) == max_lines and "".join(lines) != text):
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return "\n".join(lines)


class LongTable(Flowable):
    """A table of any length, laid out in O(rows): each row's height is known in advance (text is
    broken into lines by measuring characters), so a page's worth of rows becomes one reportlab
    ``Table`` with fixed row heights and the header row repeated at the top of every page.
    (One reportlab Table of 10,000 rows takes 8–11 s to split; this takes well under a second.)"""

    def __init__(self, header: Sequence[str], rows: Sequence[Sequence], widths: Sequence[float],
                 aligns: str = "", size: float = 8.0, max_lines: int = 3, total: Sequence | None = None,
                 shade: Sequence[int] = (), _prepared: tuple | None = None, keep_with_next: float = 0,
                 band: Sequence[int] = ()) -> None:
        """``keep_with_next``: the height of what must follow the last row on the same page (a
        signature block): rows are carried over so that it never stands alone on a page.
        ``band``: rows drawn on the 合计 shade (subtotals)."""
        super().__init__()
        self.widths = list(widths)
        self.size = size
        self.leading = size * 1.25
        self.aligns = (aligns or "L" * len(self.widths)).ljust(len(self.widths), "L")
        self.keep_with_next = keep_with_next
        if _prepared is not None:
            self.header, self.hh, self.rows, self.heights, self.total, self.th, self.shade, self.band = _prepared
            return
        self.band = set(band)
        # the cells as given (before fitting to the column), for the Word version
        self.raw = (list(header), rows, list(total) if total else None, set(shade), set(band))
        pad = 2 * 2.5
        self.header = [fit_lines(h, w - 4, size, 3) for h, w in zip(header, self.widths)]
        self.hh = max(h.count("\n") + 1 for h in self.header) * self.leading + pad
        self.rows, self.heights = [], []
        for r in rows:
            cells = [fit_lines("" if v is None else v, w - 4, size, max_lines) for v, w in zip(r, self.widths)]
            self.rows.append(cells)
            self.heights.append(max(c.count("\n") + 1 for c in cells) * self.leading + pad)
        self.total = [fit_lines(v, w - 4, size, 2) for v, w in zip(total, self.widths)] if total else None
        self.th = (max(c.count("\n") + 1 for c in self.total) * self.leading + pad) if self.total else 0
        self.shade = set(shade)

    def wrap(self, availWidth, availHeight):
        self._h = self.hh + sum(self.heights) + self.th
        if self._h <= availHeight < self._h + self.keep_with_next:
            return sum(self.widths), self._h + self.keep_with_next     # too tall with its tail: split
        return sum(self.widths), self._h

    def _table(self, start: int, end: int, with_total: bool) -> "Grid":
        return Grid(self, start, end, with_total)

    def plain_table(self) -> Table:
        """All rows as one ordinary reportlab Table that measures and splits itself (slow when long)."""
        data = [self.header] + self.rows + ([self.total] if self.total else [])
        return Table(data, colWidths=self.widths, repeatRows=1,
                     style=self._style(0, len(self.rows), self.total is not None))

    def _style(self, start: int, end: int, with_total: bool) -> TableStyle:
        cmds = [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), self.size),
                ("LEADING", (0, 0), (-1, -1), self.leading), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("GRID", (0, 0), (-1, -1), 0.4, GRID), ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                ("ALIGN", (0, 0), (-1, 0), "CENTER"), ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
        for j, a in enumerate(self.aligns):
            cmds.append(("ALIGN", (j, 1), (j, -1), {"R": "RIGHT", "C": "CENTER"}.get(a, "LEFT")))
        if with_total:
            cmds.append(("BACKGROUND", (0, -1), (-1, -1), TOTAL_BG))
        for i in range(start, end):
            if i in self.shade:
                cmds.append(("TEXTCOLOR", (0, i - start + 1), (-1, i - start + 1), ALERT))
        return TableStyle(cmds)

    def split(self, availWidth, availHeight):
        room = availHeight - self.hh
        n, used = 0, 0.0
        while n < len(self.rows) and used + self.heights[n] <= room:
            used += self.heights[n]
            n += 1
        if n == len(self.rows) and used + self.th + self.keep_with_next <= room:
            return [self._table(0, n, self.total is not None)]
        if n == len(self.rows):
            n -= 1                                   # keep the 合计 row (and what follows) with at least one row
        if n <= 0:
            return []                                # not even one row: let the frame move on
        rest = LongTable([], [], self.widths, self.aligns, self.size, keep_with_next=self.keep_with_next, _prepared=(
            self.header, self.hh, self.rows[n:], self.heights[n:], self.total, self.th,
            {i - n for i in self.shade if i >= n}, {i - n for i in self.band if i >= n}))
        return [self._table(0, n, False), rest]

    def draw(self):
        Grid(self, 0, len(self.rows), self.total is not None).drawOn(self.canv, 0, 0)


class Grid(Flowable):
    """One page's rows of a LongTable, drawn straight onto the canvas: fills, one path of grid
    lines and one text object (a reportlab Table spends most of its time per cell on styles)."""

    def __init__(self, t: LongTable, start: int, end: int, with_total: bool) -> None:
        super().__init__()
        self.t, self.start, self.end, self.with_total = t, start, end, with_total
        self.heights = [t.hh] + t.heights[start:end] + ([t.th] if with_total else [])
        self.width, self.height = sum(t.widths), sum(self.heights)

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def draw(self):
        t, c = self.t, self.canv
        rows = [t.header] + t.rows[self.start:self.end] + ([t.total] if self.with_total else [])
        xs = [0.0]
        for w in t.widths:
            xs.append(xs[-1] + w)
        ys = [self.height]
        for h in self.heights:
            ys.append(ys[-1] - h)
        c.saveState()
        c.setFillColor(HEAD_BG)
        c.rect(0, ys[1], self.width, t.hh, stroke=0, fill=1)
        c.setFillColor(TOTAL_BG)
        for i in range(self.start, self.end):
            if i in t.band:                          # subtotal rows
                k = i - self.start + 1
                c.rect(0, ys[k + 1], self.width, self.heights[k], stroke=0, fill=1)
        if self.with_total:
            c.setFillColor(TOTAL_BG)
            c.rect(0, 0, self.width, t.th, stroke=0, fill=1)
        c.setStrokeColor(GRID)
        c.setLineWidth(0.4)
        c.lines([(0, y, self.width, y) for y in ys] + [(x, 0, x, self.height) for x in xs])
        text = c.beginText()
        text.setFont(FONT, t.size, t.leading)
        colour = colors.black
        text.setFillColor(colour)
        # PDF text operators written directly, each distinct string encoded once per document
        # (reportlab's textOut re-encodes and re-formats every call: most of a long printout's time)
        doc, font, code = c._doc, pdfmetrics.getFont(FONT), text._code
        cache = doc.__dict__.setdefault("_qq_encoded", {})
        size_op = f"{t.size:g} Tf {t.leading:g} TL"
        current = [-1]

        def out(line: str, x: float, y: float) -> None:
            parts = cache.get(line)
            if parts is None:
                parts = cache[line] = [(sub, font.getSubsetInternalName(sub, doc), c._escape(b))
                                       for sub, b in font.splitString(line, doc)]
            code.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm")
            for sub, name, esc in parts:
                if sub != current[0]:
                    code.append(f"{name} {size_op}")
                    current[0] = sub
                code.append(f"({esc}) Tj")
        for i, row in enumerate(rows):
            want = ALERT if (i > 0 and (self.start + i - 1) in t.shade and not (self.with_total and i == len(rows) - 1)) \
                else colors.black
            if want is not colour:
                text.setFillColor(want)
                colour = want
            top, h = ys[i], self.heights[i]
            for j, cell in enumerate(row):
                if not cell:
                    continue
                lines = cell.split("\n")
                y = top - (h - len(lines) * t.leading) / 2 - t.size * 0.93
                align = "C" if i == 0 else t.aligns[j]
                for line in lines:
                    if align == "R":
                        x = xs[j + 1] - 2 - text_width(line, t.size)
                    elif align == "C":
                        x = (xs[j] + xs[j + 1] - text_width(line, t.size)) / 2
                    else:
                        x = xs[j] + 2
                    out(line, x, y)
                    y -= t.leading
        text._curSubset = current[0]
        c.drawText(text)
        c.restoreState()


def scale_widths(chars: Sequence[float], total: float) -> list[float]:
    s = sum(chars) or 1
    return [total * c / s for c in chars]


def measured(texts, header: str = "", most: float = 0.3) -> tuple:
    """A column as wide as its longest cell (a 专班 name on one line) and its header, at most
    ``most`` of the table's width."""
    return ("fit", [str(t or "") for t in texts] + ([header] if header else []), most)


def fit_widths(spec: list, width: float, size: float = 8.0) -> list[float]:
    """Column widths: a number is a share of what is left; ``measured(...)`` is measured."""
    pad = 4 + 1.5                  # the cell's padding, and a little room
    fixed = {i: min(max((text_width(t, size) for t in c[1]), default=0) + pad, width * c[2])
             for i, c in enumerate(spec) if isinstance(c, tuple)}
    flex = {i: c for i, c in enumerate(spec) if not isinstance(c, tuple)}
    rest = max(width - sum(fixed.values()), width * 0.2)
    shares = scale_widths(list(flex.values()), rest)
    out = [0.0] * len(spec)
    for i, w in fixed.items():
        out[i] = w
    for i, w in zip(flex, shares):
        out[i] = w
    return out


def signature_lines(width: float, labels: Sequence[str] = ("填报人", "审核人", "日期")) -> Table:
    cells = [f"{label}：" for label in labels]
    col = width / len(labels)
    t = Table([cells], colWidths=[col] * len(labels), rowHeights=[26])
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 11),
                           ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                           *[("LINEBELOW", (j, 0), (j, 0), 0.6, colors.black) for j in range(len(labels))],
                           ("RIGHTPADDING", (0, 0), (-1, -1), 18)]))
    t.qq_signature = list(labels)
    return t


def close_with_signature(story: list, width: float, labels: Sequence[str] = ("填报人", "审核人", "日期"),
                         space: float = 10) -> None:
    """End ``story`` with signature lines that never stand alone on a page: the last table keeps
    room for them below its last rows, any other last flowable is kept on their page."""
    from reportlab.platypus import KeepTogether
    sign = signature_lines(width, labels)
    tail = [gap(space), sign]
    last = story[-1] if story else None
    if isinstance(last, LongTable):
        last.keep_with_next = space * mm + sign.wrap(width, 1000)[1] + 2
        story += tail
    elif last is not None:
        story[-1] = KeepTogether([last, *tail])
    else:
        story += tail


def chart_image(fig, width: float, dpi: int = 130) -> Image:
    """A matplotlib figure, or an undrawn ``models.charts.Chart`` (its PNG kept between reports
    while its values stay the same), as a PNG image ``width`` points wide."""
    import io

    from models.charts import Chart, png_bytes, png_cached
    if isinstance(fig, Chart):
        w_in, h_in = fig.size
        data = png_cached(fig, dpi)
    else:
        w_in, h_in = fig.get_size_inches()
        data = png_bytes(fig, dpi)
    img = Image(io.BytesIO(data), width=width, height=width * h_in / w_in)
    img.qq_png = data
    return img


def key_figures(items: Sequence[tuple[str, str]], width: float, cols: int = 4) -> Table:
    """Headline figures as a grid of (label, value) boxes."""
    global _KF_LABEL, _KF_VALUE
    register_font()
    _KF_LABEL = ParagraphStyle("kf_label", fontName=FONT, fontSize=8.5, leading=12, textColor=colors.HexColor("#555555"))
    _KF_VALUE = ParagraphStyle("kf_value", fontName=FONT, fontSize=14, leading=19)
    cells, row = [], []
    for label, value in items:
        row.append([Paragraph(label, _KF_LABEL), Paragraph(value, _KF_VALUE)])
        if len(row) == cols:
            cells.append(row)
            row = []
    if row:
        cells.append(row + [""] * (cols - len(row)))
    t = Table(cells, colWidths=[width / cols] * cols)
    t.qq_pairs = list(items)
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
                           ("BOX", (0, 0), (-1, -1), 0.6, GRID), ("INNERGRID", (0, 0), (-1, -1), 0.4, GRID),
                           ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 4),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 6), ("BACKGROUND", (0, 0), (-1, -1), "#fafbfc")]))
    return t


def gap(h: float = 4) -> Spacer:
    return Spacer(1, h * mm)
