"""The 首页's small tables in a narrow window (1366×768 at 125 % or 150 %): instead of scrolling
sideways, a table first wraps its main text (用人单位 / 项目, 交办事项) onto two lines, then puts
its other headers on two lines (包案 / 责任人, 未付 / （元）) and wraps its short text columns
(责任专班), and only then lets the main text take more lines. Where the table fits as it is
(100 %, a wide screen), it is laid out exactly as ``FitColumns`` lays it out: one line a row."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTableWidget

from views.table_fit import MAIN_CAP_CHARS, FitColumns
from views.text_measure import narrowest, split_header, text_lines

TEXT_MARGINS = 6        # a cell's text is this much narrower than its column (the style's 3 px a side)
MAIN_MIN_CHARS = 8      # the main column's narrowest, however narrow the window (then more lines)


class DashboardFit(FitColumns):
    """``FitColumns(table, main)``; ``wraps``: the other columns of short text that may go onto
    two lines in a narrow window. ``stage`` says how the table was last fitted: 0 as wide as its
    text, 1 main text wrapped, 2 headers on two lines as well, 3 main text on more lines."""

    def __init__(self, table: QTableWidget, main: int, wraps=(), row_height: int = 24) -> None:
        super().__init__(table, main, wrap=False)
        self.wraps = set(wraps)
        self.row_height = row_height
        self.stage = 0
        self.labels = [table.horizontalHeaderItem(c).text() if table.horizontalHeaderItem(c) else ""
                       for c in range(table.columnCount())]

    def header_width(self, col: int) -> int:
        """As wide as the header's longest line (it may be on two)."""
        item = self.t.horizontalHeaderItem(col)
        fm = self.t.horizontalHeader().fontMetrics()
        lines = (item.text() if item else "").split("\n")
        return max(fm.horizontalAdvance(line) for line in lines) + 2 * fm.horizontalAdvance("0") + 8

    def _fit(self) -> None:
        self._set_headers(False)
        self._set_wrapping(False)
        self.stage = 0
        super()._fit()                      # as wide as its text, as on a wide screen
        if not self.scrolls_sideways() or self.main < 0:
            return
        self._busy = True
        try:
            self._fit_narrow()
        finally:
            self._busy = False

    def natural_width(self, two_lines: bool = False) -> int:
        """What the table needs to show every row on one line, its headers on one line too (or,
        ``two_lines``, the other columns' headers on two)."""
        t = self.t
        fm = t.horizontalHeader().fontMetrics()
        em = t.fontMetrics().horizontalAdvance("中")
        pad = 2 * fm.horizontalAdvance("0") + 8
        total = 2 * t.frameWidth()
        for c in range(t.columnCount()):
            if not t.isColumnHidden(c):
                content = self.content_width(c)
                if c == self.main:
                    content = min(content, em * MAIN_CAP_CHARS)
                label = self.labels[c]
                if two_lines and c != self.main:
                    label = split_header(label, fm) or label
                total += max(max(fm.horizontalAdvance(line) for line in label.split("\n")) + pad, content)
        return total

    def elided_columns(self) -> list[int]:
        """Columns a reader sees cut: narrower than a cell's text on one line, or, wrapped, than
        a line of its header or a word, or not tall enough for the cell's lines."""
        t = self.t
        if not t.wordWrap():
            return super().elided_columns()
        h, fm = t.horizontalHeader(), t.fontMetrics()
        out = []
        for c in range(t.columnCount()):
            if t.isColumnHidden(c):
                continue
            room = h.sectionSize(c) - TEXT_MARGINS
            if self.header_width(c) > h.sectionSize(c):
                out.append(c)
                continue
            for r in range(t.rowCount()):
                item = t.item(r, c)
                text = item.text() if item is not None else ""
                if text and fm.boundingRect(0, 0, room, 10_000, Qt.TextFlag.TextWordWrap, text).height() > t.rowHeight(r):
                    out.append(c)
                    break
        return out

    # -- a narrow window ----------------------------------------------------------------------
    def _pad(self) -> int:
        return 2 * self.t.fontMetrics().horizontalAdvance("0") + 4

    def _lines_width(self, col: int, lines: int) -> int:
        """The narrowest the column's cells can be to take at most ``lines`` lines each."""
        t = self.t
        widest = 0
        for r in range(t.rowCount()):
            item = t.item(r, col)
            if item is not None and item.text():
                widest = max(widest, narrowest(item.text(), item.font(), lines))
        return widest + self._pad() if widest else 0

    def _two_lines_width(self, col: int) -> int:
        """The narrowest the column can be with each cell on at most two lines, and none with
        one character alone on its second line (欠薪化解专 / 班)."""
        t = self.t
        texts = [(it.text(), it.font()) for r in range(t.rowCount()) if (it := t.item(r, col)) and it.text()]
        if not texts:
            return 0
        width = max(narrowest(text, font, 2) for text, font in texts)
        full = max(QFontMetrics(font).horizontalAdvance(text) for text, font in texts)
        step = max(1, t.fontMetrics().horizontalAdvance("中") // 4)
        while width < full and any(_orphan(text, font, width) for text, font in texts):
            width += step
        return min(width, full) + TEXT_MARGINS

    def _side(self, col: int, narrow: bool) -> int:
        content = self.content_width(col)
        if narrow and col in self.wraps:
            content = min(content, self._two_lines_width(col))
        return max(self.header_width(col), content)

    def _fit_narrow(self) -> None:
        t, h = self.t, self.t.horizontalHeader()
        width = t.viewport().width()
        shown = [c for c in range(t.columnCount()) if c != self.main and not t.isColumnHidden(c)]
        em = t.fontMetrics().horizontalAdvance("中")
        main_two = max(self._lines_width(self.main, 2), self.header_width(self.main))
        self._set_wrapping(True)
        widths = {c: self._side(c, False) for c in shown}
        self.stage = 1
        if sum(widths.values()) + main_two > width:
            self._set_headers(True)
            widths = {c: self._side(c, True) for c in shown}
            self.stage = 2
            main_two = max(main_two, self.header_width(self.main))
        floor = main_two
        if sum(widths.values()) + floor > width:
            self.stage = 3
            floor = max(self.header_width(self.main), em * MAIN_MIN_CHARS + 12)
        # the main column takes the rest, set now (not stretched later) so rows are measured at it
        widths[self.main] = max(floor, width - sum(widths.values()))
        for c, w in widths.items():
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
            h.resizeSection(c, w)
        t.resizeRowsToContents()
        for r in range(t.rowCount()):
            if t.rowHeight(r) < self.row_height:
                t.setRowHeight(r, self.row_height)
        if self.after is not None:
            self.after()

    def _set_wrapping(self, on: bool) -> None:
        t = self.t
        if t.wordWrap() == on:
            return
        t.setWordWrap(on)
        t.setTextElideMode(Qt.TextElideMode.ElideNone if on else Qt.TextElideMode.ElideRight)
        if not on:
            for r in range(t.rowCount()):
                t.setRowHeight(r, self.row_height)

    def _set_headers(self, two: bool) -> None:
        """The other columns' headers on two lines, or back on one."""
        fm = self.t.horizontalHeader().fontMetrics()
        for c, label in enumerate(self.labels):
            item = self.t.horizontalHeaderItem(c)
            if item is None:
                continue
            text = (split_header(label, fm) or label) if two and c != self.main else label
            if item.text() != text:
                item.setText(text)


def _orphan(text: str, font, width: int) -> bool:
    """At this width, would ``text`` end on a line of a single character?"""
    lines = text_lines(text, font, width)
    return len(lines) > 1 and len(lines[-1].strip()) == 1
