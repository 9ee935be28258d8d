"""A row of buttons that wraps onto further rows when the window is too narrow for it (the
reports page's 生成 / 打印预览… / 打印… / 用阅读器打开 … at 1366×768, 150 %), instead of making
the page wider than the window and scrolling it sideways."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidgetItem


class FlowLayout(QLayout):
    """Items left to right, wrapped at the layout's width; as wide at least as its widest item."""

    def __init__(self, parent=None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._narrowable = None
        self.setContentsMargins(0, 0, 0, 0)

    def set_narrowable(self, widget) -> None:
        """``widget`` (a search box as wide as its hint) is laid out at its size hint, or narrower,
        down to its minimum width, where that keeps the flow to fewer rows."""
        self._narrowable = widget

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def add(self, widget) -> None:
        self.addChildWidget(widget)
        self.addItem(QWidgetItem(widget))

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """All in one row."""
        shown = self._shown()
        w = sum(i.sizeHint().width() for i in shown) + self._spacing * max(0, len(shown) - 1)
        h = max((i.sizeHint().height() for i in shown), default=0)
        m = self.contentsMargins()
        return QSize(w + m.left() + m.right(), h + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        """As wide as the widest item (the rest wrap)."""
        shown = self._shown()
        m = self.contentsMargins()
        return QSize(max((i.minimumSize().width() for i in shown), default=0) + m.left() + m.right(),
                     max((i.minimumSize().height() for i in shown), default=0) + m.top() + m.bottom())

    def rows(self) -> int:
        """How many rows the items take at the layout's present width."""
        tops = {i.geometry().top() for i in self._shown()}
        return len(tops)

    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _rows(self, widths: list[int], room: int) -> int:
        x, rows = 0, 1
        for w in widths:
            if x > 0 and x + w > room:
                x, rows = 0, rows + 1
            x += w + self._spacing
        return rows

    def _sizes(self, shown: list[QLayoutItem], room: int) -> list[QSize]:
        """Each item's size hint; the narrowable one's narrowed as little as it takes to save a row."""
        sizes = [i.sizeHint() for i in shown]
        k = next((n for n, i in enumerate(shown) if i.widget() is not None and i.widget() is self._narrowable), None)
        if k is None:
            return sizes
        widths = [s.width() for s in sizes]
        full, least = widths[k], min(widths[k], shown[k].minimumSize().width())

        def rows(w: int) -> int:
            widths[k] = w
            return self._rows(widths, room)
        fewest = rows(least)
        if fewest >= rows(full):
            return sizes
        lo, hi = least, full                # the widest that still takes only ``fewest`` rows
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if rows(mid) == fewest else (lo, mid - 1)
        sizes[k] = QSize(lo, sizes[k].height())
        return sizes

    def _place(self, rect: QRect, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = area.x(), area.y(), 0
        shown = self._shown()
        for item, size in zip(shown, self._sizes(shown, area.width())):
            if x > area.x() and x + size.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), size))
            x += size.width() + self._spacing
            line = max(line, size.height())
        return y + line - rect.y() + m.bottom()
