"""The official-document layout (党政机关公文格式, GB/T 9704-2012) shared by the 会议纪要, the
周调度材料 and any 通报 / 情况报告:

- A4; 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm (so 26 mm right, 35 mm at the foot);
- the body in a 仿宋-style face, 三号, 28 characters a line and 22 lines a page (the size is
  版心 width / 28 ≈ 15.7 pt, the line pitch 225 mm / 22); 一、 in 黑体, （一） in 楷体, 1. and （1）
  in the body face, every paragraph (headings too) indented two characters;
- the red 版头 (发文机关标志 in a 小标宋-style face), 期号 or 发文字号, and the red separator line
  4 mm below; the title in 小标宋 二号;
- page numbers "— N —" in 四号 7 mm below the 版心, one character in from the outer side (odd
  pages right, even pages left);
- the 版记 (抄送 / 印发机关 and 印发日期 between its rules) at the foot of the last page.

Faces (``resources/fonts``, built by ``build_fonts.py``): QQSong-Bold (小标宋 style), QQFangSong
(the body; no free 仿宋 face covering simplified Chinese exists, so a light Song stands in),
QQKai (楷体), WQY (黑体, the window's face). A character a subset lacks is drawn in WQY.

Every flowable here carries what a Word version needs (``role``, ``text``; see ``models.reports.word``).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

TOP, BOTTOM, LEFT, RIGHT = 37 * mm, 35 * mm, 28 * mm, 26 * mm
WIDTH, HEIGHT = 156 * mm, 225 * mm
SIZE = WIDTH / 28            # 三号 on the 28-character grid (≈ 15.7 pt)
LEAD = HEIGHT / 22           # 22 lines a page
TITLE_SIZE = 22              # 二号
PAGE_NO_SIZE = 14            # 四号
RED = colors.red             # 发文机关标志 and separator: pure red, "1 0 0 rg" in the file
SONG, FANG, KAI, HEI = "QQSong-Bold", "QQFangSong", "QQKai", "WQY"
FACE_FILES = {SONG: "qq-song-bold.ttf", FANG: "qq-fangsong.ttf", KAI: "qq-kai.ttf"}
# the faces a Word version names (each office's Windows has them; Word substitutes one it lacks)
WORD_FACES = {SONG: "方正小标宋简体", FANG: "仿宋_GB2312", KAI: "楷体_GB2312", HEI: "黑体"}
_glyphs: dict[str, set[int]] = {}


def register_faces() -> None:
    """Register the four faces with reportlab (once). A face whose file is missing is replaced by
    the bundled WQY, so a report is still made."""
    from reportlab.pdfbase.ttfonts import TTFont

    from models.reports.pdf_base import register_font
    from resources import ROOT
    register_font()
    if HEI not in _glyphs:
        _glyphs[HEI] = set(pdfmetrics.getFont(HEI).face.charToGlyph)
    for name, file in FACE_FILES.items():
        if name in pdfmetrics.getRegisteredFontNames():
            continue
        path = ROOT / "fonts" / file
        if path.exists():
            pdfmetrics.registerFont(TTFont(name, str(path)))
            _glyphs[name] = set(pdfmetrics.getFont(name).face.charToGlyph)
        else:
            from resources import FONT_PATH
            pdfmetrics.registerFont(TTFont(name, str(FONT_PATH), subfontIndex=0))
            _glyphs[name] = _glyphs[HEI]


def runs(text: str, font: str) -> list[tuple[str, str]]:
    """(font, text) runs: characters the face lacks go to WQY (which covers far more)."""
    register_faces()
    have = _glyphs.get(font)
    if have is None or font == HEI:
        return [(font, text)]
    out: list[tuple[str, str]] = []
    for ch in text:
        f = font if (ord(ch) in have or ch in " \u3000") else HEI
        if out and out[-1][0] == f:
            out[-1] = (f, out[-1][1] + ch)
        else:
            out.append((f, ch))
    return out


def width_of(text: str, font: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(t, f, size) for f, t in runs(text, font))


# 禁则: what may not start or end a line of Chinese text
NO_START = set("，。、；：！？）》〉」』”’】〕…—%·")
NO_END = set("（《〈「『“‘【〔")
_ALNUM = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,:%-")


def break_lines(text: str, width: float, font: str, size: float, first_indent: float = 0,
                left_indent: float = 0) -> list[tuple[float, str, bool]]:
    """Chinese line breaking: (x offset, text, justify) per line. A character that may not start
    a line pulls the one before it down (推出) rather than hanging in the margin; numbers and
    Latin words are not split."""
    widths: dict[str, float] = {}
    lines, pos, first = [], 0, True
    while pos < len(text):
        x = left_indent + (first_indent if first else 0)
        room, used, j = width - x, 0.0, pos
        while j < len(text):
            ch = text[j]
            w = widths.get(ch)
            if w is None:
                w = widths[ch] = width_of(ch, font, size)
            if used + w > room + 0.01:
                break
            used += w
            j += 1
        if j == pos:                       # not even one character fits: take it anyway
            j = pos + 1
        if j < len(text):
            k = j
            while k > pos + 1 and (text[k] in NO_START or text[k - 1] in NO_END
                                   or (text[k] in _ALNUM and text[k - 1] in _ALNUM)):
                k -= 1
            j = k if k > pos + 1 else j
        lines.append((x, text[pos:j], j < len(text)))
        pos, first = j, False
    return lines or [(left_indent + first_indent, "", False)]


class Text(Flowable):
    """A paragraph on the character grid: broken by ``break_lines``, justified, split across pages
    line by line. ``label``: a lead-in in another face on the first line (出席： in 黑体) with the
    continuation lines aligned after it. ``align``: "justify", "centre" or "right".
    ``role`` names it for the Word version: title, body, h1–h4, note, attend, plain."""

    def __init__(self, text: str, font: str = FANG, size: float = SIZE, leading: float = LEAD, *,
                 first_indent: float | None = None, left_indent: float = 0.0, align: str = "justify",
                 colour=colors.black, role: str = "body", label: str = "", label_font: str = HEI,
                 space_before: float = 0.0, space_after: float = 0.0, _lines=None) -> None:
        super().__init__()
        self.text, self.font, self.size, self.leading = text, font, size, leading
        self.first_indent = 2 * size if first_indent is None else first_indent
        self.left_indent, self.align, self.colour, self.role = left_indent, align, colour, role
        self.label, self.label_font = label, label_font
        self.spaceBefore, self.spaceAfter = space_before, space_after
        self.lines = _lines
        self.aw = 0.0

    def _layout(self, aw: float) -> None:
        if self.lines is None:
            lw = width_of(self.label, self.label_font, self.size) if self.label else 0.0
            if self.label:
                self.lines = break_lines(self.text, aw, self.font, self.size, 0.0,
                                         self.left_indent + self.first_indent + lw)
            else:
                self.lines = break_lines(self.text, aw, self.font, self.size, self.first_indent, self.left_indent)

    def wrap(self, aw, ah):
        self.aw = aw
        self._layout(aw)
        return aw, len(self.lines) * self.leading

    def split(self, aw, ah):
        self.wrap(aw, ah)
        n = int((ah + 0.01) // self.leading)
        if n <= 0 or n >= len(self.lines):
            return [] if n <= 0 else [self]
        keep = dict(font=self.font, size=self.size, leading=self.leading, align=self.align, colour=self.colour,
                    role=self.role, label_font=self.label_font, first_indent=self.first_indent,
                    left_indent=self.left_indent)
        head = Text(self.text, label=self.label, _lines=self.lines[:n], **keep)
        tail = Text(self.text, _lines=self.lines[n:], **keep)
        tail.role = self.role + ":cont"
        head.spaceBefore, tail.spaceAfter = self.spaceBefore, self.spaceAfter
        return [head, tail]

    def draw(self):
        c = self.canv
        c.setFillColor(self.colour)
        for i, (x, line, justify) in enumerate(self.lines):
            y = (len(self.lines) - i) * self.leading - self.leading / 2 - self.size * 0.36
            if i == 0 and self.label:
                t = c.beginText(self.left_indent + self.first_indent, y)
                for f, part in runs(self.label, self.label_font):
                    t.setFont(f, self.size)
                    t.textOut(part)
                c.drawText(t)
            w = width_of(line, self.font, self.size)
            if self.align == "centre":
                x = (self.aw - w) / 2
            elif self.align == "right":
                x = self.aw - w
            t = c.beginText(x, y)
            if self.align == "justify" and justify and len(line) > 1:
                t.setCharSpace((self.aw - x - w) / (len(line) - 1))
            for f, part in runs(line, self.font):
                t.setFont(f, self.size)
                t.textOut(part)
            c.drawText(t)


# -- the parts of a document --------------------------------------------------------------------
def title(text: str) -> list[Flowable]:
    """The title: 小标宋 二号, centred, one blank line below; several lines for a long one."""
    return [Text(line, SONG, TITLE_SIZE, TITLE_SIZE * 1.5, first_indent=0, align="centre", role="title",
                 space_after=0) for line in text.split("\n")] + [Blank(LEAD * 0.6)]


def body(text: str) -> Text:
    return Text(text)


HEADING_FACE = {1: HEI, 2: KAI, 3: FANG, 4: FANG}


def heading(level: int, text: str) -> Text:
    """一、 (黑体), （一） (楷体), 1. and （1） (the body face), indented two characters like the body."""
    return Text(text, HEADING_FACE[level], role=f"h{level}")


def note(text: str) -> Text:
    """A small note (四号 楷体): data stamps, 口径 remarks under a table."""
    return Text(text, KAI, 12, 18, first_indent=0, role="note")


def alert(text: str) -> Text:
    return Text(text, HEI, 12, 18, first_indent=0, colour=colors.HexColor("#b00020"), role="note")


def attendance(label: str, names: Sequence[str]) -> Text:
    """出席 / 请假 / 列席: the label and colon in 黑体 two characters in, the names in the body face,
    continuation lines aligned after the colon (GB/T 9704-2012 §10.3)."""
    return Text("，".join(names) if names else "无", label=f"{label}：", role="attend")


class Blank(Flowable):
    """Vertical space that is dropped at the top of a page."""

    def __init__(self, height: float) -> None:
        super().__init__()
        self.height = height
        self.role = "blank"

    def wrap(self, aw, ah):
        return aw, min(self.height, ah)

    def split(self, aw, ah):
        return []

    def draw(self):
        pass


@dataclass
class Masthead:
    """What the 版头 holds: the 发文机关标志 (one or more lines), the 期号 or 发文字号, and the line
    under it (编印单位 on the left, date on the right) when the document is a 纪要 or 简报."""
    org_lines: Sequence[str]
    number: str = ""
    left: str = ""
    right: str = ""
    top: float = 35 * mm          # the mark's upper edge below the 版心's (§7.2.2, §10.3: 35 mm)


class RedHeader(Flowable):
    """The 版头: the 发文机关标志 in red 小标宋 (sized to the 版心, at most 42 pt), its upper edge
    35 mm below the 版心's, 期号 centred, 编印单位 / date, and the red separator line 4 mm below,
    as wide as the 版心."""

    role = "masthead"

    def __init__(self, head: Masthead) -> None:
        super().__init__()
        self.head = head

    def _mark_size(self, aw: float) -> float:
        longest = max(self.head.org_lines, key=len)
        return min(42.0, aw / max(len(longest), 1) * 0.98)

    def wrap(self, aw, ah):
        self.aw = aw
        size = self._mark_size(aw)
        h = len(self.head.org_lines) * size * 1.25 + 8 * mm
        if self.head.number:
            h += LEAD
        if self.head.left or self.head.right:
            h += LEAD
        self.height = h + 4 * mm + 2 * mm + self.head.top
        return aw, self.height

    def draw(self):
        c, aw = self.canv, self.aw
        size = self._mark_size(aw)
        y = self.height - self.head.top
        c.saveState()
        c.setFillColor(RED)
        for line in self.head.org_lines:
            y -= size * 1.1
            w = width_of(line, SONG, size)
            t = c.beginText((aw - w) / 2, y)
            for f, part in runs(line, SONG):
                t.setFont(f, size)
                t.textOut(part)
            c.drawText(t)
            y -= size * 0.15
        y -= 8 * mm
        c.setFillColor(colors.black)
        if self.head.number:
            y -= LEAD * 0.75
            _draw(c, self.head.number, FANG, SIZE, aw / 2, y, "centre")
            y -= LEAD * 0.25
        if self.head.left or self.head.right:
            y -= LEAD * 0.75
            _draw(c, self.head.left, FANG, SIZE, SIZE, y, "left")
            _draw(c, self.head.right, FANG, SIZE, aw - SIZE, y, "right")
            y -= LEAD * 0.25
        c.setStrokeColor(RED)
        c.setLineWidth(1.0)
        y -= 4 * mm
        c.line(0, y, aw, y)
        c.restoreState()


def _draw(c, text: str, font: str, size: float, x: float, y: float, align: str) -> None:
    if not text:
        return
    w = width_of(text, font, size)
    x = {"left": x, "right": x - w, "centre": x - w / 2}[align]
    t = c.beginText(x, y)
    for f, part in runs(text, font):
        t.setFont(f, size)
        t.textOut(part)
    c.drawText(t)


@dataclass
class Imprint:
    """The 版记: 抄送 (may be empty), 印发机关 and 印发日期."""
    cc: str
    printer: str
    printed_on: _dt.date


class ImprintBlock(Flowable):
    """The 版记 at the foot of the last page: 抄送 and 印发 lines in 四号 between a thick rule above
    and below and a thin one between them. Put last in the story: it takes the rest of the page
    (a new page when it does not fit)."""

    role = "imprint"
    SIZE = 14

    def __init__(self, imprint: Imprint) -> None:
        super().__init__()
        self.imprint = imprint
        self._cc_lines: list[tuple[float, str, bool]] = []

    def _need(self, aw: float) -> float:
        s = self.SIZE
        lw = width_of("抄送：", FANG, s)
        self._cc_lines = break_lines(self.imprint.cc, aw - s, FANG, s, 0, s + lw) if self.imprint.cc else []
        return s * 2.0 * (1 + len(self._cc_lines)) + 4          # a row per 抄送 line, one for 印发

    def wrap(self, aw, ah):
        self.aw = aw
        need = self._need(aw)
        self.need = need
        self.height = max(need, ah - 0.5) if ah >= need else need
        return aw, self.height

    def split(self, aw, ah):
        return []

    def draw(self):
        c, aw, s = self.canv, self.aw, self.SIZE
        row = s * 2.0
        c.saveState()
        c.setStrokeColor(colors.black)
        y = self.need - 2
        c.setLineWidth(0.35 * mm)
        c.line(0, y, aw, y)                              # first rule (thick)
        if self._cc_lines:
            for i, (x, line, _j) in enumerate(self._cc_lines):
                base = y - row * (i + 1) + row * 0.32
                if i == 0:
                    _draw(c, "抄送：", FANG, s, s, base, "left")
                _draw(c, line, FANG, s, x, base, "left")
            y -= row * len(self._cc_lines)
            c.setLineWidth(0.25 * mm)
            c.line(0, y, aw, y)                          # thin rule between 抄送 and 印发
        base = y - row + row * 0.32
        d = self.imprint.printed_on
        _draw(c, self.imprint.printer, FANG, s, s, base, "left")
        _draw(c, f"{d.year}年{d.month}月{d.day}日印发", FANG, s, aw - s, base, "right")
        y -= row
        c.setLineWidth(0.35 * mm)
        c.line(0, y, aw, y)                              # last rule (thick)
        c.restoreState()


def page_number_position(page: int) -> tuple[float, str]:
    """(x, "right"/"left") of "— N —": odd pages one character in from the right of the 版心, even
    pages one character in from the left."""
    if page % 2:
        return LEFT + WIDTH - PAGE_NO_SIZE, "right"
    return LEFT + PAGE_NO_SIZE, "left"


PAGE_NO_Y = BOTTOM - 7 * mm - PAGE_NO_SIZE * 0.75     # the 一字线 7 mm below the 版心


class OfficialDoc(BaseDocTemplate):
    """An A4 document in the GB/T 9704 layout: the 版心 as the one frame, page numbers outside it."""

    def __init__(self, path: str | Path, title: str, author: str, *, subject: str = "", progress=None) -> None:
        register_faces()
        super().__init__(str(path), pagesize=A4, leftMargin=LEFT, rightMargin=RIGHT, topMargin=TOP,
                         bottomMargin=BOTTOM, title=title, author=author, creator="清欠工作台", subject=subject,
                         initialFontName=FANG, initialFontSize=SIZE)
        self._progress = progress
        frame = Frame(LEFT, BOTTOM, WIDTH, HEIGHT, id="body", leftPadding=0, rightPadding=0, topPadding=0,
                      bottomPadding=0)
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._decorate)])

    def _decorate(self, canvas, doc) -> None:
        canvas.saveState()
        x, side = page_number_position(doc.page)
        text = f"— {doc.page} —"
        canvas.setFillColor(colors.black)
        canvas.setFont(FANG, PAGE_NO_SIZE)
        (canvas.drawRightString if side == "right" else canvas.drawString)(x, PAGE_NO_Y, text)
        canvas.restoreState()
        if self._progress:
            self._progress(doc.page)
