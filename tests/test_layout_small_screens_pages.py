"""首页, 欠薪问题台账 with a case chosen, 一项目一档 and 清欠资金台账 on 1366×768 at 125 % and 150 %
(pytest-qt): nothing a clerk works by scrolls sideways or is squeezed.

A scaling is simulated by the window's logical size, as in tests/test_layout_small_screens.py:
Qt's scaling multiplies every logical pixel alike, so a maximised window on 1366×768 at 150 %
lays out as a 911 × (512 − 72) window at 100 %."""
from __future__ import annotations

import datetime as _dt

import pytest
from PySide6.QtCore import Qt

from models.db import Store
from models.prefs import Prefs

TODAY = _dt.date(2026, 11, 26)
SMALL = [1.25, 1.5]


def _logical(scale: float, size=(1366, 768)) -> tuple[int, int]:
    from desktop.commands.selftest import window_size
    return window_size(size, scale)


@pytest.fixture
def window(town, qtbot, tmp_path, app_font):
    from desktop.app import build_window
    store = Store(town, "测试")
    win = build_window(store, Prefs(tmp_path / "prefs.json"), today=TODAY, interactive=False)
    qtbot.addWidget(win)
    yield win
    win.close()
    store.close()


def _open(win, qtbot, key: str, scale: float, size=(1366, 768)):
    win.resize(*_logical(scale, size))
    win.show()
    qtbot.waitExposed(win)
    page = win.show_page(key)
    qtbot.wait(20)
    return page


def _no_sideways_scrolling(win, page) -> None:
    area = win.stack.area
    assert page.minimumSizeHint().width() <= area.viewport().width(), \
        (page.minimumSizeHint().width(), area.viewport().width())
    assert area.horizontalScrollBar().maximum() == 0


@pytest.mark.parametrize("scale", SMALL)
def test_the_case_page_with_a_case_chosen_does_not_scroll_sideways(window, qtbot, scale):
    page = _open(window, qtbot, "cases", scale)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    detail = page.detail
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: detail.case_id is not None)
    for tab in range(detail.count()):                   # on every tab of the detail pane
        detail.setCurrentIndex(tab)
        qtbot.wait(10)
        _no_sideways_scrolling(window, page)
    detail.setCurrentIndex(1)                           # 农民工（实名）: its 合计 line wraps
    for r in range(min(30, page.model.rowCount())):     # whichever case is chosen
        page.table.selectRow(r)
        qtbot.wait(5)
        _no_sideways_scrolling(window, page)
    total = detail.workers_total
    assert total.text() and total.wordWrap()
