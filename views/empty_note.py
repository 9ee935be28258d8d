"""The line a page shows above a table with no rows, so an empty table never reads as a fault:
either nothing matches the filter in force (没有符合条件的…), or nothing has been entered yet
(…还没有记录, and where to start). Every ledger page uses it (views/generic_ledger_page.py,
views/case_page.py, views/worker_page.py, views/major_page.py, views/accounts_page.py)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

STYLE = "color: #777; padding: 12px;"


def no_match(what: str) -> str:
    """欠薪问题 → 没有符合条件的欠薪问题。"""
    return f"没有符合条件的{what}。"


class EmptyNote(QLabel):
    """Hidden while the table has rows; otherwise says why it has none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("empty")
        self.setStyleSheet(STYLE)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.hide()

    def show_for(self, rows: int, *, filtered: bool, none_match: str, none_yet: str) -> None:
        """``none_match`` when a filter or search leaves no rows, ``none_yet`` when there are none
        at all; hidden when there are rows."""
        if rows:
            self.hide()
            return
        self.setText(none_match if filtered else none_yet)
        self.show()
