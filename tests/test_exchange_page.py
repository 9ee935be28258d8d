"""The county dashboard (县级汇总): one row per township, sortable, red and yellow marks by the
county's thresholds, and the window of a county database opens on it."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from conftest import TODAY
from models.db import Store
from models.exchange import identity
from test_exchange import SENT, TOWNS, export, make_county, make_town, receive


@pytest.fixture(scope="module")
def county_db(tmp_path_factory):
    root = tmp_path_factory.mktemp("county-page")
    c = make_county(root / "county.sqlite")
    for seed, name, code in TOWNS:
        t = make_town(root / f"{code}.sqlite", seed + 10, name, code)
        # 河口乡 last sent ten days ago
        when = SENT - dt.timedelta(days=10) if code == "511234103" else SENT
        export(t, root / f"{code}.qqpkg", now=when)
        receive(c, root / f"{code}.qqpkg")
    return c


def test_county_page_rows_marks_and_sorting(county_db, qtbot, tmp_path):
    from desktop.app import register_font
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    from views.exchange.county_page import COLUMNS, SORT_ROLE, CountyPage, RED_BG, YELLOW_BG
    register_font()
    store = Store(county_db, "县办公室")
    try:
        ctx = AppContext(store=store, prefs=Prefs(tmp_path / "p.json"), bus=DataBus())
        ctx.today = lambda: TODAY + dt.timedelta(days=1)
        page = CountyPage(ctx)
        qtbot.addWidget(page)
        lines = {page.model.lines[r]["name"]: page.model.lines[r] for r in range(page.model.rowCount())}
        assert set(lines) == {name for _s, name, _c in TOWNS}
        # a red line between the townships' 清偿率: those below it red, the others not
        rates = sorted(line["cleared_pct"] for line in lines.values())
        assert rates[0] < rates[-1]
        red_line = round((rates[0] + rates[-1]) / 2, 1)
        page.red.setValue(red_line)
        page.yellow.setValue(0)
        page.stale.setValue(7)
        page.save_thresholds()
        assert identity.thresholds(store)[identity.CLEARED_RED] == red_line
        col = {key: i for i, (_t, key, _k) in enumerate(COLUMNS)}
        model = page.model
        for r in range(model.rowCount()):
            line = model.lines[r]
            bg = model.data(model.index(r, col["cleared_pct"]), Qt.ItemDataRole.BackgroundRole)
            assert (bg is not None and bg.color() == RED_BG) == (line["cleared_pct"] < red_line)
            od = model.data(model.index(r, col["overdue"]), Qt.ItemDataRole.BackgroundRole)
            assert (od is not None and od.color() == YELLOW_BG) == (line["overdue"] > 0)
            stale = model.data(model.index(r, col["days_since_report"]), Qt.ItemDataRole.BackgroundRole)
            assert (stale is not None) == (line["name"] == "河口乡")
        # sorted by 问题数, largest first
        page.table.sortByColumn(col["cases"], Qt.SortOrder.DescendingOrder)
        shown = [page.proxy.index(r, col["cases"]).data(SORT_ROLE) for r in range(page.proxy.rowCount())]
        assert shown == sorted((line["cases"] for line in lines.values()), reverse=True)
        total = sum(line["cases"] for line in lines.values())
        assert f"欠薪问题 {total:,} 件" in page.summary.text()
        page.resize(1300, 420)
        page.show()
        shot = tmp_path / "county.png"
        assert page.grab().save(str(shot)) and shot.stat().st_size > 10_000
    finally:
        store.close()


def test_the_window_of_a_county_database_opens_on_its_townships(county_db, qtbot, tmp_path):
    from desktop.app import build_window
    from models.prefs import Prefs
    store = Store(county_db, "县办公室")
    try:
        window = build_window(store, Prefs(tmp_path / "p.json"), today=TODAY, interactive=False)
        qtbot.addWidget(window)
        assert window.specs[0].key == "county"
        assert type(window.stack.currentWidget()).__name__ == "CountyPage"
    finally:
        store.close()


def test_a_township_window_has_no_county_page(demo_db, qtbot, tmp_path):
    from desktop.pages import all_pages
    store = Store(demo_db, "测试")
    try:
        assert "county" not in [p.key for p in all_pages(store)]
    finally:
        store.close()
