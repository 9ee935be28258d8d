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
