"""Every declared ledger with the generic page (清欠资金台账, 垫付追偿台账, 排查台账, 信访台账 …) on
1366×768 at 100 %, 125 % and 150 % (pytest-qt): the columns a clerk works by (views/ledger_keys.py)
are in view without scrolling sideways (moved first where the declared order would not show them)
and none of their cells on the first page is cut to "…"; at 100 % nothing is wrapped, and on
1920×1080 the declared order and natural widths are kept.

A scaling is simulated by the window's logical size, as in tests/test_layout_small_screens.py."""
from __future__ import annotations

import datetime as _dt

import pytest

from models.db import Store
from models.prefs import Prefs
from small_screen import cut_cells, logical

TODAY = _dt.date(2026, 11, 26)
FIRST_ROWS = 20


def _generic_ledgers() -> list[str]:
    import models.ledgers  # noqa: F401 - the ledgers' declarations
    from desktop.pages import CUSTOM_PAGES
    from models.ledger import registry
    return [lg.kind for lg in registry.all_ledgers() if lg.extra.get("page") and lg.kind not in CUSTOM_PAGES]


GENERIC = _generic_ledgers()


@pytest.fixture(scope="module")
def full_town(tmp_path_factory):
    """The demo township as `qingqian demo` makes it: with 垫付追偿, 一企一策措施, 专班目标 and
    清欠证明 (the session's shared demo leaves those ledgers empty)."""
    from models import demo
    path = tmp_path_factory.mktemp("full-town") / "demo.sqlite"
    demo.build_demo(path, "township", today=TODAY, plans=True)
    return path


@pytest.fixture(scope="module")
def window(full_town, qapp, tmp_path_factory):
    from desktop.app import build_window, register_font
    from PySide6.QtGui import QFont
    register_font()
    qapp.setFont(QFont("WenQuanYi Micro Hei", 10))
    store = Store(full_town, "测试")
    win = build_window(store, Prefs(tmp_path_factory.mktemp("prefs") / "prefs.json"), today=TODAY,
                       interactive=False)
    yield win
    win.close()
    store.close()


def _show(win, qtbot, kind: str, scale: float):
    win.resize(*logical(scale))
    win.show()
    qtbot.waitExposed(win)
    page = win.show_page(f"ledger:{kind}")
    qtbot.waitUntil(lambda: page.table.viewport().width() > 100 and page.model.rowCount() > 0)
    qtbot.wait(20)
    return page


def test_every_generic_ledger_names_its_key_columns():
    """Each generic ledger declares its key columns (five to eight, all of them its fields, no long
    text), so none is left out of the fitting; a ledger added later gets its first columns."""
    from models.ledger import registry
    from views.ledger_keys import key_columns_for
    assert len(GENERIC) >= 10
    for kind in GENERIC:
        ledger = registry.get(kind)
        assert ledger.extra.get("key_columns"), kind            # declared beside its fields
        keys = key_columns_for(ledger)
        names = [f.name for f in ledger.table_fields]
        assert keys and 5 <= len(keys) <= 8 and len(set(keys)) == len(keys), kind
        assert set(keys) <= set(names), (kind, set(keys) - set(names))
        assert not any(ledger.field(k).kind == "longtext" for k in keys), kind   # a long text is never whole


@pytest.mark.parametrize("scale", [1.0, 1.25, 1.5])
@pytest.mark.parametrize("kind", GENERIC)
def test_the_key_columns_fit_and_show_whole(window, qtbot, kind, scale):
    page = _show(window, qtbot, kind, scale)
    table = page.table
    h = table.horizontalHeader()
    fields = table.model().fields
    assert table.key_columns, kind
    assert h.length() > 0 and table.horizontalScrollBar().value() == 0
    # in the declared order while that shows them all whole, else first, in the order a clerk reads them
    order = [h.logicalIndex(v) for v in range(h.count())]
    if order != list(range(len(fields))):
        assert order[:len(table.key_columns)] == table.key_columns, (kind, scale)
    if table.wrapped_headers:                            # fitted to the window: they come first
        assert order[:len(table.key_columns)] == table.key_columns, (kind, scale)
    width = table.viewport().width()
    fm = h.fontMetrics()
    for c in table.key_columns:
        left = h.sectionViewportPosition(c)
        assert not h.isSectionHidden(c) and 0 <= left and left + h.sectionSize(c) <= width, \
            (kind, scale, fields[c].header, left, h.sectionSize(c), width)
        # the header whole: on one line, or on two lines (未付金额 / （元）) under a taller header
        lines = (h.two_lines.get(c) or fields[c].header).split("\n")
        assert "".join(lines) == fields[c].header and len(lines) <= 2
        assert h.sectionSize(c) >= max(fm.horizontalAdvance(line) for line in lines) + 8, (kind, fields[c].header)
        assert h.height() >= len(lines) * fm.lineSpacing()
    assert table.key_columns_fit()
    assert cut_cells(table, FIRST_ROWS) == [], (kind, scale)
    if scale == 1.0:                                     # 100 %: nothing wrapped, rows of one line
        assert not table.wrapped_headers and not table.wrapped_cells, kind
        assert table.verticalHeader().defaultSectionSize() == 24


@pytest.mark.parametrize("kind", GENERIC)
def test_a_large_screen_keeps_every_column_as_wide_as_it_needs(window, qtbot, kind):
    """1920×1080 at 100 %: no fitting at all; the declared order, each column its natural width,
    rows of one line."""
    window.resize(*logical(1.0, (1920, 1080)))
    window.show()
    qtbot.waitExposed(window)
    page = window.show_page(f"ledger:{kind}")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    qtbot.wait(20)
    table = page.table
    assert not table.wrapped_headers and not table.wrapped_cells
    h = table.horizontalHeader()
    assert [h.logicalIndex(v) for v in range(h.count())] == list(range(h.count()))
    assert all(table.columnWidth(c) == table.natural_width(c) for c in range(len(table.model().fields)))


def test_a_ledger_not_named_gets_its_first_columns_as_keys():
    from models.ledger import registry
    from views.ledger_keys import FALLBACK_KEYS, key_columns_for
    ledger = registry.get("meetings")                       # a page of its own, no key columns declared
    assert not ledger.extra.get("key_columns")
    keys = key_columns_for(ledger)
    short = [f.name for f in ledger.table_fields if f.kind != "longtext"]
    assert keys == tuple(short[:FALLBACK_KEYS]) and keys
    assert key_columns_for(registry.get("cases")) == tuple(registry.get("cases").extra["key_columns"])
