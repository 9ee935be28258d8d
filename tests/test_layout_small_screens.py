"""The window on an office PC's screen: 1366×768 at 100 %, 125 % and 150 % scaling (pytest-qt).

One QApplication serves the whole session, so a scaling is simulated by its logical size: Qt's
scaling (QT_SCALE_FACTOR, or Windows' 125 %) multiplies every logical pixel alike, so a maximised
window on 1366×768 at 125 % lays out exactly as a 1093 × (614 − 72) window at 100 %.
(``qingqian selftest --scale 1.25``, tested in tests/test_selftest.py, runs the real scaling.)"""
from __future__ import annotations

import datetime as _dt
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics

from models import cases
from small_screen import TODAY, cut_cells, logical, town_window

CASE_KEYS = ["编号", "用人单位", "人数", "未付金额（元）", "状态", "责任专班", "包案责任人", "办结时限"]
WORKER_KEYS = ["姓名", "所属问题", "用人单位", "应发工资（元）", "实发工资（元）", "欠发工资（元）"]


@pytest.fixture
def window(town, qtbot, tmp_path, app_font):
    win, store = town_window(town, tmp_path / "prefs.json")
    qtbot.addWidget(win)
    yield win
    win.close()
    store.close()


def _show(win, qtbot, key: str, scale: float):
    win.resize(*logical(scale))
    win.show()
    qtbot.waitExposed(win)
    page = win.show_page(key)
    qtbot.waitUntil(lambda: page.table.viewport().width() > 100 and page.model.rowCount() > 0)
    return page


def _in_view(table) -> dict[str, tuple[int, int, int]]:
    """Each shown column's header text → (left, right, viewport width), by the header's own measure."""
    h = table.horizontalHeader()
    out = {}
    for c, f in enumerate(table.model().fields):
        if not h.isSectionHidden(c):
            left = h.sectionViewportPosition(c)
            out[f.header] = (left, left + h.sectionSize(c), table.viewport().width())
    return out


def _header_lines(table, c: int) -> list[str]:
    """The header of column ``c`` as shown: its own text, or on two lines on a small screen."""
    return (table.horizontalHeader().two_lines.get(c) or table.model().fields[c].header).split("\n")


@pytest.mark.parametrize("scale", [1.0, 1.25, 1.5])
@pytest.mark.parametrize("key, wanted", [("cases", CASE_KEYS), ("workers", WORKER_KEYS)])
def test_the_key_columns_are_in_view_without_scrolling_sideways(window, qtbot, scale, key, wanted):
    page = _show(window, qtbot, key, scale)
    assert window.width() <= logical(scale)[0]          # the window did not outgrow the screen
    assert page.table.horizontalScrollBar().value() == 0
    cols = _in_view(page.table)
    for header in wanted:
        left, right, width = cols[header]
        assert 0 <= left and right <= width, (header, left, right, width, scale)
    # the key columns come first, in the order a clerk reads them
    h = page.table.horizontalHeader()
    order = [page.table.model().fields[h.logicalIndex(v)].header for v in range(h.count())]
    assert order[:len(wanted)] == wanted
    # headers are never cut: each key column is at least as wide as each line of its header (one
    # line, or two on a small screen: 未付金额 / （元）, the whole text kept), the header as tall
    fm = h.fontMetrics()
    for c in page.table.key_columns:
        lines = _header_lines(page.table, c)
        assert "".join(lines) == page.table.model().fields[c].header and len(lines) <= 2
        assert all(len(line) >= 2 for line in lines)
        assert h.sectionSize(c) >= max(fm.horizontalAdvance(line) for line in lines) + 8
        assert h.height() >= len(lines) * fm.lineSpacing()
    if scale == 1.0:                                     # 100 %: nothing wrapped, rows of one line
        assert not page.table.wrapped_headers and not page.table.wrapped_cells
        assert page.table.verticalHeader().defaultSectionSize() == 24


@pytest.mark.parametrize("scale", [1.0, 1.25, 1.5])
@pytest.mark.parametrize("key", ["cases", "workers"])
def test_nothing_in_the_key_columns_is_cut(window, qtbot, scale, key):
    """At 1366×768, 100 %, 125 % and 150 %, the first rows of the key columns show whole (no "…"):
    on one line, or on a small screen a name on two lines in taller rows."""
    page = _show(window, qtbot, key, scale)
    table, model = page.table, page.model
    assert cut_cells(table) == []
    # the longest 用人单位 on the first page: whole, on at most two lines of the column
    c = next(c for c in table.key_columns if model.fields[c].label == "用人单位")
    fm = table.fontMetrics()
    longest = max((model.data(model.index(r, c)) or "" for r in range(min(20, model.rowCount()))),
                  key=fm.horizontalAdvance)
    lines = 2 if table.wordWrap() else 1
    assert fm.horizontalAdvance(longest) <= lines * (table.columnWidth(c) - 6), (longest, table.columnWidth(c))
    if lines == 2:
        assert table.rowHeight(0) >= 2 * fm.lineSpacing()
    if scale == 1.5 and key == "cases":
        # 1366×768 at 150 %: the names wrap (they cannot all fit on one line) but are not cut
        assert table.wrapped_cells and table.columnWidth(c) < fm.horizontalAdvance(longest) + 6


def test_the_users_column_choice_is_kept(window, qtbot, tmp_path):
    """Hidden or moved by the user, a column stays so in the next session; 恢复默认列 undoes it."""
    from views.ledger_table import LedgerTableView
    page = _show(window, qtbot, "cases", 1.0)
    table = page.table
    status = [f.name for f in table.model().fields].index("status")
    table.set_column_shown(status, False)
    table.save_layout_now()
    again = LedgerTableView(page.model, window.ctx.prefs, "cases")
    qtbot.addWidget(again)
    assert again.user_layout and again.horizontalHeader().isSectionHidden(status)
    again.reset_columns()
    assert not again.horizontalHeader().isSectionHidden(status) and not again.user_layout
    assert window.ctx.prefs.get(f"table.{again.prefs_key}") is None


def test_an_untouched_old_layout_gives_way_to_the_new_defaults(window, qtbot):
    """A layout saved by an older version without any change by the user (every column at its
    old default width, nothing moved or hidden) is not a choice: the new defaults apply."""
    from views.ledger_table import LedgerTableView, _old_default_width
    page = _show(window, qtbot, "cases", 1.0)
    old = LedgerTableView(page.model, None, "")
    qtbot.addWidget(old)
    h = old.horizontalHeader()
    for v in range(h.count()):                               # the old layout: declared order, old widths
        h.moveSection(h.visualIndex(v), v)
        old.setColumnWidth(v, _old_default_width(page.model.fields[v]))
    state = h.saveState().toBase64().data().decode()
    prefs = window.ctx.prefs
    key = f"table.{page.table.prefs_key}"
    prefs.data[key] = state
    fresh = LedgerTableView(page.model, prefs, "cases")
    qtbot.addWidget(fresh)
    assert not fresh.user_layout
    assert fresh.horizontalHeader().logicalIndex(1) == [f.name for f in page.model.fields].index("employer_name")
    # a layout the user did change is kept as it is
    old.setColumnWidth(0, 333)
    prefs.data[key] = old.horizontalHeader().saveState().toBase64().data().decode()
    kept = LedgerTableView(page.model, prefs, "cases")
    qtbot.addWidget(kept)
    assert kept.user_layout and kept.columnWidth(0) == 333


def test_the_empty_detail_pane_keeps_to_a_line(window, qtbot):
    page = _show(window, qtbot, "cases", 1.25)
    split = page.split
    qtbot.waitUntil(lambda: sum(split.sizes()) > 0)
    total = sum(split.sizes())
    assert split.sizes()[1] <= page.detail_compact_height() + 2 and split.sizes()[1] < total / 3
    page.table.selectRow(0)
    assert page.detail.case_id is not None
    assert split.sizes()[1] >= total / 3 - 2                # a chosen case opens the pane
    page.table.setCurrentIndex(page.model.index(-1, -1))
    assert split.sizes()[1] <= page.detail_compact_height() + 2


def test_the_sidebar_is_grouped(window, qtbot):
    window.resize(*logical(1.25))
    window.show()
    groups = window.nav_groups()
    assert [g for g, _ in groups] == ["", "台账", "会议与督办", "报表", "管理"]
    named = dict(groups)
    assert named[""] == ["首页"]
    assert named["台账"][:2] == ["欠薪问题台账", "农民工名册"] and "信访台账" in named["台账"]
    assert {"周调度会", "预警", "日报告 / 零报告"} <= set(named["会议与督办"])
    assert named["报表"] == ["图表", "报表", "数据审核"]
    assert named["管理"][0] == "审计日志" and "专项行动设置" in named["管理"]
    # a heading is not a page: it cannot be chosen, and choosing a page under it shows that page
    nav = window.nav
    heads = [i for i in range(nav.count()) if nav.item(i).data(Qt.ItemDataRole.UserRole) is None]
    assert len(heads) == 4 and all(nav.item(i).flags() == Qt.ItemFlag.NoItemFlags for i in heads)
    nav.setCurrentRow(window.nav_rows["ledger:meetings"])
    assert type(window.stack.currentWidget()).__name__ == "MeetingPage"
    # no title is cut, with room for the scroll bar a short screen needs
    for compact in (False, True):
        window._style_nav(compact)
        font = nav.font()
        font.setPixelSize(12 if compact else 14)
        fm = QFontMetrics(font)
        widest = max(fm.horizontalAdvance(nav.item(i).text()) for i in range(nav.count()))
        assert nav.width() >= widest + 18 + nav.verticalScrollBar().sizeHint().width()


def test_the_sidebar_does_not_scroll_on_a_short_screen(window, qtbot):
    """1366×768 at 150 %: the sidebar's groups fold (the current page's stays open), so it never
    scrolls; a heading opens its group on a click, a page reached from elsewhere opens its own."""
    from desktop.main_window import CLOSED, OPEN
    window.resize(*logical(1.5))
    window.show()
    qtbot.waitExposed(window)
    nav = window.nav
    bar = nav.verticalScrollBar()

    def still() -> bool:
        return not bar.isVisible() and bar.maximum() == 0

    qtbot.wait(50)
    assert still() and window.nav_closed                 # as first shown (首页): folded to fit
    window.show_page("cases")
    qtbot.waitUntil(still)
    assert window.nav_compact and "台账" not in window.nav_closed and window.nav_closed
    assert not nav.isRowHidden(window.nav_rows["cases"])
    for group, row in window.nav_heads.items():         # each heading says whether it is folded
        assert nav.item(row).text() == f"{CLOSED if group in window.nav_closed else OPEN} {group}"
        assert not nav.isRowHidden(row)
    head = nav.item(window.nav_heads["管理"])
    assert "管理" in window.nav_closed
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualItemRect(head).center())
    assert "管理" not in window.nav_closed and not nav.isRowHidden(window.nav_rows["audit"])
    assert type(window.stack.currentWidget()).__name__ == "CasePage"       # a heading is not a page
    qtbot.waitUntil(still)
    window.show_page("cases")                  # reached from elsewhere (转到, a link): its group opens
    assert "台账" not in window.nav_closed and not nav.isRowHidden(window.nav_rows["cases"])
    qtbot.waitUntil(still)
    # a tall window: every group open
    window.resize(*logical(1.0, (1920, 1080)))
    qtbot.waitUntil(lambda: not window.nav_closed)
    assert not any(nav.isRowHidden(r) for r in range(nav.count()))


@pytest.mark.parametrize("scale", [1.25, 1.5])
def test_the_reports_page_does_not_scroll_sideways(window, qtbot, scale):
    """Whichever report is chosen, the page fits the window's width: its buttons wrap instead."""
    window.resize(*logical(scale))
    window.show()
    qtbot.waitExposed(window)
    page = window.show_page("reports")
    area = window.stack.area
    for i in range(page.which.count()):
        page.which.setCurrentIndex(i)
        qtbot.wait(20)
        assert page.minimumSizeHint().width() <= area.viewport().width(), page.which.itemText(i)
        assert area.horizontalScrollBar().maximum() == 0, page.which.itemText(i)
        for b in (page.make_btn, page.save_btn, page.folder_btn):
            right = b.mapTo(page, b.rect().topRight()).x()
            assert b.isVisibleTo(page) and right <= page.width(), (b.text(), right, page.width())
    if scale == 1.5:
        assert page.buttons.layout().rows() >= 2


def test_row_colours_have_a_legend(window, qtbot):
    page = _show(window, qtbot, "cases", 1.0)
    legend = dict(page.legend.meanings())
    assert set(legend) == {cases.WARNING_COLOURS[k] for k in cases.WARNING_KINDS}
    for colour, text in legend.items():                      # each swatch names its kind (and count)
        kind = next(k for k in cases.WARNING_KINDS if cases.WARNING_COLOURS[k] == colour)
        assert text.startswith(kind)
    # every colour a row of the ledger has is one the legend explains
    model = page.model
    seen = set()
    for r in range(model.rowCount()):
        brush = model.data(model.index(r, 0), Qt.ItemDataRole.BackgroundRole)
        if brush is not None:
            seen.add(brush.color().name())
    assert seen and seen <= {QColor(c).name() for c in legend}
    for key in ("ledger:inspections", "ledger:petitions", "major"):
        other = window.show_page(key)
        assert other.legend is not None and len(other.legend.meanings()) >= 2, key


def test_the_agenda_does_not_squeeze_its_items(window, qtbot):
    """议程 → 前期交办未结事项: each item's text shows whole (wrapped), under a whole header."""
    window.resize(*logical(1.25))
    window.show()
    qtbot.waitExposed(window)
    page = window.show_page("ledger:meetings")
    page.tabs.setCurrentIndex(1)
    table = page.carry_table
    qtbot.waitUntil(lambda: table.rowCount() > 0)
    h = table.horizontalHeader()
    col = 2
    assert table.horizontalHeaderItem(col).text() == "交办事项"
    assert h.sectionSize(col) >= h.fontMetrics().horizontalAdvance("交办事项") + 8
    assert table.textElideMode() == Qt.TextElideMode.ElideNone and table.wordWrap()
    fm = table.fontMetrics()
    for r in range(table.rowCount()):
        text = table.item(r, col).text()
        need = fm.boundingRect(0, 0, h.sectionSize(col) - 8, 10_000, Qt.TextFlag.TextWordWrap, text).height()
        assert table.rowHeight(r) >= need, (text, table.rowHeight(r), need)
    # the other small tables of the window: the dashboard's cut nothing either
    home = window.show_page("dashboard")
    for t in (home.phases, home.status_table, home.ws_table, home.overdue, home.due_soon):
        assert t.fitter.elided_columns() == []


def test_the_audit_viewer_speaks_as_the_ledgers_do(window, qtbot):
    page = window.show_page("audit")
    model = page.model
    model.finish_loading()
    fields = [f.name for f in model.fields]
    at, table_col = fields.index("at"), fields.index("table_name")
    for r in range(min(200, model.rowCount())):
        assert "T" not in model.data(model.index(r, at))
        assert not re.fullmatch(r"[a-z_]+", model.data(model.index(r, table_col)))    # 周调度会议, not meeting
    boxes = [page.table_box.itemText(i) for i in range(page.table_box.count())]
    assert "周调度会议" in boxes and not any(re.fullmatch(r"[a-z_]+", b) for b in boxes)
    # a case's change, in 元 under labelled columns, times without "T"
    row = next(r for r in range(model.rowCount())
               if model.data(model.index(r, table_col)) == "欠薪问题" and model.data(model.index(r, fields.index("action"))) == "修改")
    page.show_detail(model.id_at(row))
    html = page.detail.toPlainText()
    assert "欠薪金额（元）" in html and "状态变更时间" in html
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", html)
    before = page.repo.get(model.id_at(row))["before"]
    import json
    fen = json.loads(before)["amount_fen"]
    from models.values import fen_to_yuan_text
    assert fen_to_yuan_text(fen) in html and f"\n{fen}\n" not in f"\n{html}\n".replace("\t", "\n")


def test_audit_formatting_helpers():
    from models import audit
    import models.ledgers  # noqa: F401 - the ledgers' declarations
    assert audit.time_text("2026-12-07T01:40:45") == "2026-12-07 01:40:45"
    assert audit.time_text("2026-12-07") == "2026-12-07" and audit.time_text(None) == ""
    assert audit.value_text("case_record", "amount_fen", 7514500) == "75,145.00"
    assert audit.column_label("case_record", "amount_fen") == "欠薪金额（元）"
    assert audit.value_text("case_record", "w_owed_fen", 150) == "1.50"
    assert audit.column_label("case_record", "w_owed_fen") == "名单应发（元）"
    assert audit.value_text("case_record", "is_major", 1) == "是"
    assert audit.value_text("case_record", "created_at", "2026-10-12T15:06:15") == "2026-10-12 15:06:15"
    assert audit.table_label("meeting_report") == "专班汇报" and audit.table_label("no_such") == "no_such"


def test_the_new_case_form_proposes_the_ledgers_own_numbering(window, qtbot, monkeypatch):
    from views import case_page
    from views.case_numbering import propose, proposed_case_no
    page = window.show_page("cases")
    latest = [r["case_no"] for r in page.repo.rows(limit=300)]
    assert re.fullmatch(r"QS\d{11}", latest[0])           # the demo numbers by day: QS + date + 3 digits
    today = [n for n in latest if n.startswith(f"QS{TODAY:%Y%m%d}")]
    expected = f"QS{TODAY:%Y%m%d}{max((int(n[-3:]) for n in today), default=0) + 1:03d}"
    assert proposed_case_no(page.repo, TODAY) == expected
    shown = {}

    class Form:
        def __init__(self, parent, ledger, title, initial, **kw):
            shown.update(initial)

        def exec(self):
            return False
    monkeypatch.setattr(case_page, "RecordForm", Form)
    page.new_case()
    assert shown["case_no"] == expected
    # other schemes are followed too; a ledger with none gets the program's own
    assert propose(["QS20261207002", "QS20261207001"], _dt.date(2026, 12, 8)) == "QS20261208001"
    assert propose(["QQ2026-0007", "QQ2026-0012"], _dt.date(2026, 12, 8)) == "QQ2026-0013"
    assert propose(["QS202612070009"], _dt.date(2026, 12, 7)) == "QS202612070010"
    assert propose(["欠薪-17", "欠薪-9"], _dt.date(2026, 12, 8)) == "欠薪-18"
    assert propose(["甲"], _dt.date(2026, 12, 8)) is None and propose([], _dt.date(2026, 12, 8)) is None


def test_an_empty_recycle_bin_says_so_in_place_of_the_table(window, qtbot):
    page = window.show_page("recycle")
    page.kind_box.setCurrentIndex(page.kind_box.findData("blacklist"))
    assert page.model.rowCount() == 0
    assert page.empty.isVisibleTo(page) and not page.table.isVisibleTo(page)
    assert "回收站是空的" in page.empty.text() and not page.restore_btn.isEnabled()
    repo = page.repo
    rid = repo.ids()[0] if repo.count() else None
    if rid is None:                          # the demo's list has entries; the bin gets one of them
        pytest.fail("the demo has no 失信联合惩戒名单 entries")
    from models.ledger.service import service_for
    service_for(window.ctx.store, "blacklist", today=TODAY).recycle([rid], "测试")
    window.ctx.changed("blacklist_entry")
    page = window.show_page("recycle")
    assert page.model.rowCount() == 1 and page.table.isVisibleTo(page) and not page.empty.isVisibleTo(page)


def test_the_window_fits_the_screen_and_comes_back_as_it_was_left(window, qtbot):
    from desktop.main_window import PREFERRED, default_size
    avail = window.screen().availableGeometry().size()
    assert default_size(avail) == (min(1280, avail.width()), min(800, avail.height()))
    window.show_fitted()
    small = avail.width() < PREFERRED.width() or avail.height() < PREFERRED.height()
    assert window.isMaximized() == small
    window.showNormal()
    window.resize(700, 450)
    window.close()                               # remembers its geometry
    window.ctx.prefs.save()
    window.show_fitted()
    qtbot.waitUntil(lambda: window.isVisible())
    assert (window.width(), window.height()) == (700, 450) and not window.isMaximized()


def test_the_case_form_is_never_taller_than_the_screen(window, qtbot):
    from views.record_form import RecordForm
    page = window.show_page("cases")
    ledger = page.repo.ledger
    form = RecordForm(page, ledger, "新增欠薪问题", {}, fields=ledger.form_fields)
    qtbot.addWidget(form)
    screen = page.screen().availableGeometry()
    assert len(ledger.form_fields) > 20                      # its fields would want more than a short screen
    assert form.height() <= screen.height() - 60 and form.width() <= screen.width() - 40
