"""How text breaks in a table cell or header, measured as Qt's item views break it: the lines a
text takes at a width, the narrowest width for a number of lines, a header split onto two lines.
Shared by the ledger tables and the home page's small tables; loads nothing but QtGui."""
from __future__ import annotations

from PySide6.QtGui import QFontMetrics, QTextLayout, QTextOption


_MEASURED: dict[tuple, object] = {}     # (what, text, font, width or lines) → result: a table
MEASURED_AT_MOST = 20_000              # is fitted again at every resize, with the same texts


def _remember(key: tuple, value):
    if len(_MEASURED) >= MEASURED_AT_MOST:
        _MEASURED.clear()
    _MEASURED[key] = value
    return value


def text_lines(text: str, font, width: int) -> list[str]:
    """``text`` broken at ``width`` pixels as an item view breaks a cell's text (at a word, a
    long word anywhere; between any two Chinese characters)."""
    key = ("lines", text, font.key(), width)
    found = _MEASURED.get(key)
    return list(found) if found is not None else list(_remember(key, tuple(_text_lines(text, font, width))))


def _text_lines(text: str, font, width: int) -> list[str]:
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    lines = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(max(1, width))
        lines.append(text[line.textStart():line.textStart() + line.textLength()])
    layout.endLayout()
    return lines


def line_count(text: str, font, width: int) -> int:
    """How many lines ``text`` takes at ``width`` pixels (see ``text_lines``)."""
    return len(text_lines(text, font, width))


def split_header(text: str, fm: QFontMetrics) -> str | None:
    """A header on two lines of about equal width: before its unit (未付金额 / （元）) where that
    is as narrow, else the shorter line first (包案 / 责任人). None when a line would have a single
    character (人数) or the header is already short."""
    best = None
    for k in range(2, len(text) - 1):
        a, b = text[:k], text[k:]
        key = (max(fm.horizontalAdvance(a), fm.horizontalAdvance(b)), not b.startswith("（"), k)
        if best is None or key < best[0]:
            best = (key, f"{a}\n{b}")
    return best[1] if best else None


def narrowest(text: str, font, lines: int) -> int:
    """The narrowest text width at which ``text`` takes at most ``lines`` lines."""
    key = ("narrowest", text, font.key(), lines)
    found = _MEASURED.get(key)
    return found if found is not None else _remember(key, _narrowest(text, font, lines))


def _narrowest(text: str, font, lines: int) -> int:
    full = QFontMetrics(font).horizontalAdvance(text)
    lo, hi = (full + lines - 1) // lines, full
    while lo < hi:
        mid = (lo + hi) // 2
        if line_count(text, font, mid) <= lines:
            hi = mid
        else:
            lo = mid + 1
    return hi
