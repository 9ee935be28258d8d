"""What the small-screen tests share: the window's logical size at a screen size and scale (as
``qingqian selftest --size --scale`` sets it), and a window on the test township."""
from __future__ import annotations

import datetime as _dt

TODAY = _dt.date(2026, 11, 26)


def logical(scale: float, size=(1366, 768)) -> tuple[int, int]:
    from desktop.commands.selftest import window_size
    return window_size(size, scale)


def town_window(town, prefs_path):
    """(window, store) on a copy's database, built as the program builds it, not shown yet."""
    from desktop.app import build_window
    from models.db import Store
    from models.prefs import Prefs
    store = Store(town, "测试")
    return build_window(store, Prefs(prefs_path), today=TODAY, interactive=False), store


def cut_cells(table, rows: int = 20) -> list[tuple[str, str]]:
    """(column, text) of the key columns' first rows that do not show whole: wider than the cell
    on one line, or, where the table wraps, taller than the row (or more than two lines)."""
    from PySide6.QtCore import Qt
    model = table.model()
    fm = table.fontMetrics()
    out = []
    for c in table.key_columns:
        room = table.columnWidth(c) - 6                  # the style's text margins, 3 px a side
        for r in range(min(rows, model.rowCount())):
            text = model.data(model.index(r, c)) or ""
            if fm.horizontalAdvance(text) <= room:
                continue
            tall = fm.boundingRect(0, 0, room, 10_000, Qt.TextFlag.TextWordWrap, text).height()
            if not table.wordWrap() or tall > table.rowHeight(r) or tall >= 3 * fm.height():
                out.append((model.fields[c].label, text))
    return out
