"""Keeps a small table (a few dozen rows: the dashboard's, a meeting's) readable at any window
size: the other columns as wide as their header and contents (capped and wrapped in a table of
text), the main column taking the rest but never squeezed below its header or a dozen
characters (the table scrolls sideways instead), rows as tall as their wrapped text."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTableWidget

SIDE_CAP_CHARS = 9      # a side column (责任专班, 最近进展 …) of a text table: at most this wide, then wrapped
TEXT_FLOOR_CHARS = 12   # a wrapped main column (交办事项) never narrower than this
MAIN_CAP_CHARS = 40     # an unwrapped main column (专班, 用人单位 / 项目) as wide as its text, up to this


class FitColumns(QObject):
    """Attach with ``FitColumns(table, main, wrap)``; call ``fit()`` after filling the table (it
    is called again whenever the table changes width). ``main`` -1: no main column."""

    def __init__(self, table: QTableWidget, main: int, wrap: bool = False) -> None:
        super().__init__(table)
        self.t, self.main, self.wrap = table, main, wrap
        self._width = -1
        self._busy = False
        self._pending = False           # asked to fit while hidden: fitted when it shows
        self.after = None               # called after each fit (a table sized to its rows re-sizes)
        table.setWordWrap(wrap)
        if wrap:
            table.setTextElideMode(Qt.TextElideMode.ElideNone)
        table.viewport().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if not self._busy and ((kind == QEvent.Type.Resize and obj.width() != self._width)
                               or (kind == QEvent.Type.Show and self._pending)):
            self.fit()
        return False

    def fit(self) -> None:
        """Lay the columns out for the table's width now; a hidden table (a page being built, a
        tab not shown) is laid out when it shows, at the width it shows at, not at the width a
        widget has before it is laid out (the home page fitted its tables six times so)."""
        if not self.t.isVisible():
            self._pending = True
            return
        self._pending = False
        self._fit()

    def header_width(self, col: int) -> int:
        item = self.t.horizontalHeaderItem(col)
        fm = self.t.horizontalHeader().fontMetrics()
        return fm.horizontalAdvance(item.text() if item else "") + 2 * fm.horizontalAdvance("0") + 8

    def content_width(self, col: int) -> int:
        t = self.t
        widest = 0
        for r in range(t.rowCount()):
            item = t.item(r, col)
            if item is not None and item.text():
                fm = t.fontMetrics() if item.font() == t.font() else QFontMetrics(item.font())
                widest = max(widest, max(fm.horizontalAdvance(line) for line in item.text().splitlines()))
        return widest + 2 * t.fontMetrics().horizontalAdvance("0") + 4 if widest else 0

    def _fit(self) -> None:
        t, h = self.t, self.t.horizontalHeader()
        self._busy = True
        try:
            self._width = t.viewport().width()
            cap = t.fontMetrics().horizontalAdvance("中") * SIDE_CAP_CHARS + 12
            others = 0
            for c in range(t.columnCount()):
                if c == self.main or t.isColumnHidden(c):
                    continue
                content = self.content_width(c)
                w = max(self.header_width(c), min(content, cap) if self.wrap else content)
                h.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
                h.resizeSection(c, w)
                others += w
            if self.main >= 0:
                em = t.fontMetrics().horizontalAdvance("中")
                # wrapped text needs a dozen characters a line; unwrapped, the whole of its longest cell
                floor = max(self.header_width(self.main),
                            em * TEXT_FLOOR_CHARS + 12 if self.wrap
                            else min(self.content_width(self.main), em * MAIN_CAP_CHARS))
                if self._width - others >= floor:
                    h.setSectionResizeMode(self.main, QHeaderView.ResizeMode.Stretch)
                else:
                    h.setSectionResizeMode(self.main, QHeaderView.ResizeMode.Interactive)
                    h.resizeSection(self.main, floor)
            if self.wrap:
                t.resizeRowsToContents()
            if self.after is not None:
                self.after()
        finally:
            self._busy = False

    def scrolls_sideways(self) -> bool:
        return self.t.horizontalHeader().length() > self.t.viewport().width()

    def elided_columns(self) -> list[int]:
        """Columns (visible, unwrapped) narrower than a cell's text: what a reader sees cut to "…"."""
        h = self.t.horizontalHeader()
        return [c for c in range(self.t.columnCount()) if not self.t.isColumnHidden(c) and not self.wrap
                and h.sectionSize(c) < max(self.content_width(c), self.header_width(c)) - 1]
