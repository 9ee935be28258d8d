"""A ledger page's searches off the window's thread (``LedgerTableModel.background``).

While a search runs the table keeps its rows and, if the search takes longer than a moment, says
正在检索… quietly in its top corner; a record the page asked to keep selected (after its data
changed) is selected again once the search lists it.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from views.ledger_model import LedgerTableModel
from views.ledger_table import LedgerTableView

TEXT = "正在检索…"
SHOW_AFTER_MS = 150        # a search quicker than this shows no note at all


class SearchNote(QLabel):
    """正在检索… over the table's top right corner, shown only while a search is slow."""

    def __init__(self, table: LedgerTableView) -> None:
        super().__init__(TEXT, table.viewport())
        self.table = table
        self.setObjectName("searchNote")
        self.setStyleSheet("QLabel#searchNote { color: #555; background: rgba(255, 255, 240, 230); "
                           "border: 1px solid #ddd; border-radius: 3px; padding: 2px 8px; }")
        self.hide()
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(SHOW_AFTER_MS)
        self._delay.timeout.connect(self._appear)

    def set_busy(self, busy: bool) -> None:
        if busy:
            self._delay.start()
        else:
            self._delay.stop()
            self.hide()

    def _appear(self) -> None:
        self.adjustSize()
        port = self.table.viewport()
        self.move(max(0, port.width() - self.width() - 8), 6)
        self.show()
        self.raise_()


def search_in_background(table: LedgerTableView, model: LedgerTableModel, totals: bool = False,
                         counts: tuple[dict, ...] = (), rows: Callable | None = None) -> SearchNote:
    """Run ``model``'s searches on a worker thread; ``totals``: the worker also reads the
    ledger's sums, for a page whose 合计 line reads ``model.totals()``; ``counts``: and how many
    rows have these values besides, for ``model.count_with``; ``rows``: (store) -> the page's
    own repository, when its rows carry more than the ledger's columns (its first page is then
    read by the worker too)."""
    model.background = True
    model.background_totals = totals
    model.background_counts = [dict(c) for c in counts]
    model.row_repo = rows
    note = SearchNote(table)
    model.searching.connect(note.set_busy)
    model.recordFound.connect(table.select_record)
    return note
