"""A table above, the chosen row's detail below. While no row is chosen the detail pane keeps
only a line of hint (it does not take a third of a small screen for nothing); once a row is
chosen it opens to its share, which the user may change by dragging the handle."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget


class DetailSplitter(QSplitter):
    def __init__(self, top: QWidget, detail: QWidget, compact_height: Callable[[], int],
                 share: float = 0.4, parent=None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.addWidget(top)
        self.addWidget(detail)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.setCollapsible(0, False)
        self.setCollapsible(1, False)
        self.detail = detail
        self.compact_height = compact_height
        self.share = share
        self.chosen = False
        detail.setMinimumHeight(compact_height())
        self.splitterMoved.connect(lambda *_a: self._remember())

    def set_chosen(self, chosen: bool) -> None:
        if chosen == self.chosen:
            return
        self.chosen = chosen
        self._apply()

    def _apply(self) -> None:
        total = sum(self.sizes()) or self.height() - self.handleWidth()
        if total <= 0:
            return
        h = self.compact_height() if not self.chosen else int(total * self.share)
        self.setSizes([max(0, total - h), h])

    def _remember(self) -> None:
        sizes = self.sizes()
        if self.chosen and sum(sizes) > 0:
            self.share = min(0.8, max(0.15, sizes[1] / sum(sizes)))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if not self.chosen:
            self._apply()
