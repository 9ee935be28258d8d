"""The generic ledger pages' search boxes show their hint whole (Qt elides a placeholder that
does not fit the box, as it paints it), and name every field searched in the tooltip."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyle, QStyleOptionFrame

from desktop.ledger_pages import LEDGER_PAGES


def _shown_hint(edit) -> str:
    """The placeholder as QLineEdit paints it: elided to its contents rectangle."""
    opt = QStyleOptionFrame()
    edit.initStyleOption(opt)
    r = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, opt, edit)
    m = edit.textMargins()
    width = r.width() - m.left() - m.right() - 2 * 2          # QLineEditPrivate::horizontalMargin
    return edit.fontMetrics().elidedText(edit.placeholderText(), Qt.TextElideMode.ElideRight, width)


@pytest.mark.parametrize("kind", [k for _o, k, _t, _g in LEDGER_PAGES])
def test_search_hint_whole_and_tooltip_complete(campaign_store, qtbot, kind):
    from models.ledger import registry
    from views.generic_ledger_page import FilterBar
    ledger = registry.get(kind)
    bar = FilterBar(campaign_store, ledger, lambda: None)
    qtbot.addWidget(bar)
    bar.resize(1300, 80)
    bar.show()
    qtbot.waitExposed(bar)
    edit = bar.search
    assert _shown_hint(edit) == edit.placeholderText()
    assert edit.placeholderText().startswith("检索") and edit.placeholderText().endswith("（Ctrl+F）")
    for f in ledger.search_fields:
        assert f.label in edit.toolTip()
    # within reason: never wider than 26 characters of text and its frame
    assert edit.width() <= edit.fontMetrics().horizontalAdvance("检" * 26) + 60


def test_a_narrow_window_narrows_the_search_rather_than_adding_a_row(campaign_store, qtbot):
    """At 1366×768 and 150 % the filters keep to as many rows as before: the search box gives
    up width (its whole hint stays in the tooltip) before another filter wraps."""
    from models.ledger import registry
    from views.generic_ledger_page import FilterBar
    bar = FilterBar(campaign_store, registry.get("funds"), lambda: None)
    qtbot.addWidget(bar)
    edit, lay = bar.search, bar.layout()
    one_row = lay.sizeHint().width()
    bar.resize(one_row + 10, lay.heightForWidth(one_row + 10))
    bar.show()
    qtbot.waitUntil(lambda: lay.rows() == 1 and edit.width() == edit.sizeHint().width())
    short = one_row - 20                        # too narrow for the box at its full width
    bar.resize(short, lay.heightForWidth(short))
    qtbot.waitUntil(lambda: edit.width() < edit.sizeHint().width())
    assert lay.rows() == 1 and edit.width() >= edit.minimumWidth()
    assert edit.width() == edit.sizeHint().width() - 20          # as little as it takes
    narrow = edit.minimumWidth() + 10           # no width saves the row: the box keeps its hint
    bar.resize(narrow, lay.heightForWidth(narrow))
    qtbot.waitUntil(lambda: lay.rows() > 1)
    assert edit.width() == edit.sizeHint().width()
