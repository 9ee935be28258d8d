"""What a table's row colours mean: a line of coloured swatches with their meaning, shown above
the table. A swatch can be a button (the case ledger's: click to list those rows)."""
from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

SWATCH_STYLE = "background: {colour}; padding: 2px 8px; border: 1px solid #c8c8c8; border-radius: 3px;"


class ColourLegend(QWidget):
    """``entries``: (colour, meaning). With ``on_click`` each swatch is a flat button calling
    ``on_click(index)``; ``set_text`` changes a swatch's words (a count beside the meaning)."""

    def __init__(self, entries: Sequence[tuple[str, str]], parent=None, *, title: str = "行底色：",
                 note: str = "", on_click: Callable[[int], None] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("legend")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self.title = QLabel(title)
        self.title.setStyleSheet("color: #555;")
        lay.addWidget(self.title)
        self.swatches: list[QWidget] = []
        for i, (colour, meaning) in enumerate(entries):
            if on_click is not None:
                w: QWidget = QPushButton(meaning)
                w.setFlat(True)
                w.clicked.connect(lambda _=False, k=i: on_click(k))
            else:
                w = QLabel(meaning)
            w.setStyleSheet(SWATCH_STYLE.format(colour=colour))
            w.setProperty("colour", colour)
            self.swatches.append(w)
            lay.addWidget(w)
        if note:
            tip = QLabel(note)
            tip.setStyleSheet("color: #777;")
            lay.addWidget(tip)
        lay.addStretch(1)

    def set_text(self, index: int, text: str) -> None:
        self.swatches[index].setText(text)

    def meanings(self) -> list[tuple[str, str]]:
        return [(w.property("colour"), w.text()) for w in self.swatches]
