"""首页, 欠薪问题台账 with a case chosen, 一项目一档 and 清欠资金台账 on 1366×768 at 125 % and 150 %
(pytest-qt): nothing a clerk works by scrolls sideways or is squeezed.

A scaling is simulated by the window's logical size, as in tests/test_layout_small_screens.py:
Qt's scaling multiplies every logical pixel alike, so a maximised window on 1366×768 at 150 %
lays out as a 911 × (512 − 72) window at 100 %."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from small_screen import logical, town_window

SMALL = [1.25, 1.5]


@pytest.fixture
def window(town, qtbot, tmp_path, app_font):
    win, store = town_window(town, tmp_path / "prefs.json")
    qtbot.addWidget(win)
    yield win
    win.close()
    store.close()


def _open(win, qtbot, key: str, scale: float, size=(1366, 768)):
    win.resize(*logical(scale, size))
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


def _dashboard_tables(page):
    return [t for t in (page.phases, page.status_table, page.ws_table, page.target_table, page.overdue,
                        page.due_soon, page.actions) if t.isVisibleTo(page) and t.rowCount()]


def _lines(table, r: int, c: int) -> int:
    from views.text_measure import line_count
    item = table.item(r, c)
    return line_count(item.text(), item.font(), table.columnWidth(c) - 6) if item and item.text() else 0


@pytest.mark.parametrize("scale", [1.0] + SMALL)
def test_the_dashboard_does_not_scroll_sideways(window, qtbot, scale):
    """首页 on 1366×768 at 100 %, 125 % and 150 %: no table scrolls sideways; their main text
    (用人单位 / 项目, 交办事项) wraps instead, every row as tall as its lines and every table as
    tall as its rows."""
    page = _open(window, qtbot, "dashboard", scale)
    _no_sideways_scrolling(window, page)
    assert page.scroll.horizontalScrollBar().maximum() == 0
    tables = _dashboard_tables(page)
    assert page.overdue in tables and page.due_soon in tables and page.actions in tables
    for t in tables:
        head = t.horizontalHeaderItem(0).text()
        assert t.horizontalHeader().length() <= t.viewport().width(), (head, scale)
        assert t.horizontalScrollBar().maximum() == 0, head
        assert t.fitter.elided_columns() == [], head               # nothing cut to "…"
        assert t.verticalScrollBar().maximum() == 0, head           # the table as tall as its rows
        assert t.viewport().height() >= t.verticalHeader().length(), head
        fm = t.fontMetrics()
        for r in range(t.rowCount()):
            for c in range(t.columnCount()):
                assert t.rowHeight(r) >= _lines(t, r, c) * fm.lineSpacing(), (head, r, c)
    # the lists of cases and the 交办事项 keep to at most two lines a name at 125 %
    if scale == 1.25:
        for t in (page.overdue, page.due_soon, page.actions):
            main = t.fitter.main
            assert t.wordWrap() and max(_lines(t, r, main) for r in range(t.rowCount())) <= 2
    # 100 %: 阶段目标进度 beside 按办理状态 (its headers on two lines: it had scrolled sideways)
    if scale == 1.0:
        from PySide6.QtWidgets import QBoxLayout
        assert page.middle.direction() == QBoxLayout.Direction.LeftToRight
    # 150 %: 阶段目标进度 above 按办理状态 (side by side neither table had room), headers on two lines
    if scale == 1.5:
        from PySide6.QtWidgets import QBoxLayout
        assert page.middle.direction() == QBoxLayout.Direction.TopToBottom
        assert any("\n" in page.overdue.horizontalHeaderItem(c).text() for c in range(page.overdue.columnCount()))


def test_the_dashboard_on_a_wide_screen_is_as_before(window, qtbot):
    """1920×1080 at 100 %: panels side by side, one line a row, headers on one line."""
    from PySide6.QtWidgets import QBoxLayout
    page = _open(window, qtbot, "dashboard", 1.0, (1920, 1080))
    assert page.middle.direction() == QBoxLayout.Direction.LeftToRight
    for t in _dashboard_tables(page):
        assert not t.wordWrap() and t.fitter.stage == 0
        assert all(t.rowHeight(r) == 24 for r in range(t.rowCount()))
        assert not any("\n" in t.horizontalHeaderItem(c).text() for c in range(t.columnCount()))
        assert t.fitter.elided_columns() == [] and t.horizontalScrollBar().maximum() == 0
    # narrowed and widened again, the tables come back to one line a row
    window.resize(*logical(1.5))
    qtbot.waitUntil(lambda: page.overdue.wordWrap())
    window.resize(*logical(1.0, (1920, 1080)))
    qtbot.waitUntil(lambda: not page.overdue.wordWrap())
    assert page.middle.direction() == QBoxLayout.Direction.LeftToRight
    assert all(page.overdue.rowHeight(r) == 24 for r in range(page.overdue.rowCount()))


@pytest.mark.parametrize("scale", SMALL)
def test_the_project_page_does_not_scroll_sideways(window, qtbot, scale):
    """一项目一档: its buttons wrap instead of widening the page (at 150 % it needed 836 px in
    759), the file's sections go one above the other when the pane is narrow, and the list's
    names wrap rather than being cut or scrolled."""
    page = _open(window, qtbot, "projects", scale)
    qtbot.waitUntil(lambda: page.list.rowCount() > 0)
    _no_sideways_scrolling(window, page)
    assert page.scroll.horizontalScrollBar().maximum() == 0       # the file's pane neither
    for b in page.buttons.values():
        right = b.mapTo(page, b.rect().topRight()).x()
        assert b.isVisibleTo(page) and right <= page.width(), (b.text(), right, page.width())
    t = page.list
    assert t.horizontalHeader().length() <= t.viewport().width()
    fm = t.fontMetrics()
    if t.wordWrap():                      # a list narrower than its columns: names whole, wrapped
        for r in range(t.rowCount()):
            for c in (0, 1):
                text, room = t.item(r, c).text(), t.columnWidth(c) - 6
                need = fm.boundingRect(0, 0, room, 10_000, Qt.TextFlag.TextWordWrap, text).height()
                assert t.rowHeight(r) >= need, (text, t.rowHeight(r), need)
    if scale == 1.5:
        from PySide6.QtWidgets import QBoxLayout
        assert page.button_row.layout().rows() == 2 and t.wordWrap()
        assert page.section_row.direction() == QBoxLayout.Direction.TopToBottom


def test_the_project_page_on_a_wide_screen_is_as_before(window, qtbot):
    from PySide6.QtWidgets import QBoxLayout
    from views.projects.project_page import LIST_WIDTHS, MONTHS_TITLE
    page = _open(window, qtbot, "projects", 1.0, (1920, 1080))
    qtbot.waitUntil(lambda: page.list.rowCount() > 0)
    assert page.button_row.layout().rows() == 1
    assert page.section_row.direction() == QBoxLayout.Direction.LeftToRight
    assert page.months_box.title() == MONTHS_TITLE
    assert tuple(page.list.columnWidth(c) for c in range(4)) == LIST_WIDTHS[:4] and not page.list.wordWrap()
    # the buttons keep to the right, as after a stretch
    last = page.buttons["settings"]
    assert page.width() - last.mapTo(page, last.rect().topRight()).x() < 20


@pytest.mark.parametrize("scale", SMALL)
def test_the_allocation_pane_has_room_for_its_rows(window, qtbot, scale):
    """清欠资金台账: with a fund chosen, its 分配明细 pane shows several of its rows (at 150 % it
    had been left one) while the ledger above keeps three of its own; with none chosen, the
    pane is its caption line alone, not a table squeezed under it."""
    from views.generic_ledger_page import LEDGER_KEEP_ROWS
    page = _open(window, qtbot, "ledger:funds", scale)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    child, split, table = page.child, page.split, page.table
    qtbot.waitUntil(lambda: sum(split.sizes()) > 0)
    assert not child.table.isVisibleTo(page) and split.sizes()[1] <= child.compact_height() + 2
    assert child.caption.height() >= child.caption.sizeHint().height()      # the caption whole
    row = next(r for r in range(page.model.rowCount())
               if child.repo.count(_query_for(child, page.model.id_at(r))) >= 4)
    table.selectRow(row)
    qtbot.waitUntil(lambda: child.parent_id is not None and child.model.rowCount() >= 4)
    qtbot.wait(20)
    shown = child.table.viewport().height() // child.table.verticalHeader().defaultSectionSize()
    assert shown >= 3, (split.sizes(), child.table.viewport().height())
    assert child.height() >= 150
    kept = -(-LEDGER_KEEP_ROWS // (2 if table.wrapped_cells else 1))    # rows of two lines: as many lines
    assert table.viewport().height() >= kept * table.rowHeight(0) - 1   # the ledger stays
    if scale == 1.25:
        assert shown >= 4
    table.setCurrentIndex(page.model.index(-1, -1))
    qtbot.waitUntil(lambda: split.sizes()[1] <= child.compact_height() + 2)


def _query_for(child, parent_id):
    from models.ledger.repo import Query
    return Query(equals={child.ledger.parent: parent_id})
