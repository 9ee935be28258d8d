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
        lines = {line["name"]: line for line in page.model.lines}
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
        for r, line in enumerate(model.lines):
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


# -- the columns, the total row, the legend ------------------------------------------------------
def page_for(store, qtbot, tmp_path, day=TODAY + dt.timedelta(days=1)):
    from desktop.app import register_font
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    from views.exchange.county_page import CountyPage
    register_font()
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / "p.json"), bus=DataBus())
    ctx.today = lambda: day
    page = CountyPage(ctx)
    qtbot.addWidget(page)
    return page


def shown_rows(page, col: int) -> list:
    return [page.proxy.index(r, col).data() for r in range(page.proxy.rowCount())]


def test_every_dashboard_column_and_a_total_row_that_is_the_sum(county_db, qtbot, tmp_path):
    from views.exchange.county_page import COLUMNS, TOTAL_NAME
    store = Store(county_db, "县办公室")
    try:
        page = page_for(store, qtbot, tmp_path)
        keys = [k for _t, k, _kind in COLUMNS]
        for k in ("cases", "workers", "owed_fen", "paid_fen", "cleared_pct", "overdue", "stalled", "major_open",
                  "days_since_report", "daily_missing"):
            assert k in keys, k
        col = {k: i for i, k in enumerate(keys)}
        lines = page.model.lines
        assert page.proxy.rowCount() == len(lines) and page.total_proxy.rowCount() == 1

        def total(k):
            return page.total_proxy.index(0, col[k]).data()
        assert total("name") == TOTAL_NAME
        # the sum of the rows shown, column by column, is the county's line shown below them
        from models.values import fen_to_yuan_text
        for k in ("cases", "workers", "overdue", "stalled", "major_open", "daily_missing"):
            assert total(k) == f"{sum(int(v.replace(',', '')) for v in shown_rows(page, col[k])):,}", k
        for k in ("owed_fen", "paid_fen"):
            assert total(k) == fen_to_yuan_text(sum(x[k] for x in lines)), k
        paid, owed = sum(x["paid_fen"] for x in lines), sum(x["owed_fen"] for x in lines)
        assert total("cleared_pct") == f"{round(100.0 * paid / owed, 1)}%"
        # the township's 日报告 missing on its 数据截至 day, as its package said (the demo's two late workstreams)
        assert {x["name"]: x["daily_missing"] for x in lines} == {"青山镇": 2, "白石镇": 2, "河口乡": 0}
        # sorted either way by any column: the townships in that order, the county's line still below
        for k in ("cases", "name", "daily_missing", "cleared_pct"):
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                page.table.sortByColumn(col[k], order)
                names = shown_rows(page, col["name"])
                assert sorted(names) == sorted(x["name"] for x in lines) and total("name") == TOTAL_NAME
                values = [page.proxy.index(r, col[k]).data(Qt.ItemDataRole.UserRole + 1) for r in range(len(lines))]
                assert values == sorted(values, reverse=order == Qt.SortOrder.DescendingOrder)
        # the county's line keeps the townships' column widths
        assert [page.footer.columnWidth(c) for c in range(len(COLUMNS))] == \
            [page.table.columnWidth(c) for c in range(len(COLUMNS))]
        assert "清偿率低于" in page.legend.text() and "红色" in page.legend.text() and "黄色" in page.legend.text()
        assert "未报日报告" in page.legend.text()
    finally:
        store.close()


def test_the_daily_missing_mark_and_a_package_without_the_figure(county_db, qtbot, tmp_path):
    import json
    import shutil
    import sqlite3
    from views.exchange.county_page import COLUMNS, YELLOW_BG
    c = tmp_path / "c.sqlite"
    shutil.copy(county_db, c)
    conn = sqlite3.connect(c)
    figs = json.loads(conn.execute("SELECT figures FROM exchange_township WHERE code = '511234101'").fetchone()[0])
    del figs["daily_missing"]          # as a package of the previous program version carries them
    conn.execute("UPDATE exchange_township SET figures = ? WHERE code = '511234101'", (json.dumps(figs),))
    conn.commit()
    conn.close()
    store = Store(c, "县办公室")
    try:
        page = page_for(store, qtbot, tmp_path)
        col = [k for _t, k, _kind in COLUMNS].index("daily_missing")
        cells = {page.proxy.index(r, 0).data(): page.proxy.index(r, col) for r in range(page.proxy.rowCount())}
        cells["全县合计"] = page.total_proxy.index(0, col)
        assert cells["青山镇"].data() == "—" and cells["全县合计"].data() == "—"
        assert "旧版本" in cells["青山镇"].data(Qt.ItemDataRole.ToolTipRole)
        assert cells["白石镇"].data() == "2" and cells["白石镇"].data(Qt.ItemDataRole.BackgroundRole).color() == YELLOW_BG
        assert cells["河口乡"].data() == "0" and cells["河口乡"].data(Qt.ItemDataRole.BackgroundRole) is None
        assert "日报告未报" not in page.summary.text()
    finally:
        store.close()


# -- drill-down: a township's ledgers, read-only --------------------------------------------------
def test_drill_down_shows_every_ledger_of_the_township_and_writes_nothing(county_db, qtbot, tmp_path):
    import hashlib
    import sqlite3
    from models.exchange import county
    from views.exchange.township_view import TownshipLedgers
    store = Store(county_db, "县办公室")
    try:
        page = page_for(store, qtbot, tmp_path)
        path = county.township_file(store, "511234102")
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        county_before = hashlib.sha256(county_db.read_bytes()).hexdigest()
        row = next(r for r in range(page.proxy.rowCount()) if page.proxy.index(r, 0).data() == "白石镇")
        page.table.selectRow(row)
        assert page.open_btn.isEnabled()
        page.open_btn.click()                           # the button opens it as double-click does
        assert [w.line["code"] for w in page.drill] == ["511234102"]
        first = page.drill[0]
        first.close()
        assert first.tstore.closed and page.drill == []   # closed: its file let go, the page holds it no more
        page.footer.doubleClicked.emit(page.total_proxy.index(0, 1))
        assert page.drill == []                         # the county's line is no township
        page.table.doubleClicked.emit(page.proxy.index(row, 1))
        win = page.drill[-1]
        qtbot.addWidget(win)
        assert isinstance(win, TownshipLedgers) and "白石镇" in win.windowTitle() and "只读" in win.windowTitle()
        # every declared ledger the township's file holds, with its rows
        from models.ledger import registry
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        conn.close()
        assert {x["kind"] for x in win.ledgers} == {lg.kind for lg in registry.all_ledgers() if lg.table in tables}
        for k in ("cases", "workers", "repayments"):
            assert k in {x["kind"] for x in win.ledgers}
        line = next(x for x in page.model.lines if x["code"] == "511234102")
        for i, item in enumerate(win.ledgers):
            if item["missing"]:         # declared columns the file lacks: listed, not shown
                continue
            win.list.setCurrentRow(i)
            win.model.finish_loading()
            assert win.model.rowCount() == item["rows"], item["kind"]
            if item["kind"] == "cases":
                assert item["rows"] == line["cases"]
                assert win.view.editTriggers() == win.view.EditTrigger.NoEditTriggers
                win.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
                win.search.setText("工程")
                win.search.returnPressed.emit()
                assert 0 < win.model.rowCount() <= item["rows"]
        # the connection refuses any write
        with pytest.raises(sqlite3.OperationalError):
            win.tstore.conn.execute("UPDATE case_record SET employer_name = 'x'")
        win.resize(1366, 768)
        win.show()
        shot = tmp_path / "drill.png"
        assert win.grab().save(str(shot)) and shot.stat().st_size > 10_000
        win.close()
        assert win.tstore.closed
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before
        assert hashlib.sha256(county_db.read_bytes()).hexdigest() == county_before
    finally:
        store.close()


def test_a_township_whose_kept_file_is_gone_is_one_line(county_db, qtbot, tmp_path):
    import shutil
    from models.exchange import county
    c = tmp_path / "c.sqlite"
    shutil.copy(county_db, c)
    store = Store(c, "县办公室")           # its townships' folder was not copied
    try:
        page = page_for(store, qtbot, tmp_path)
        assert page.open_township("511234101") is None
        assert "不见了" in page.status.text() and "青山镇" in page.status.text()
        with pytest.raises(county.TownshipMissing, match="尚未接收"):
            county.township_row(store, "511234199")
    finally:
        store.close()


# -- the county's reports from the page, off the GUI thread ------------------------------------------
@pytest.mark.parametrize("which", ["weekly", "bulletin", "stats"])
def test_county_reports_from_the_page(county_db, qtbot, tmp_path, which):
    from pdftext import flat_of
    store = Store(county_db, "县办公室")
    try:
        page = page_for(store, qtbot, tmp_path)
        out = tmp_path / f"{which}.pdf"
        assert page.report_btns[which].isEnabled()
        page.make_report(which, out=out)
        assert not page.report_btns[which].isEnabled()          # one report at a time
        qtbot.waitUntil(lambda: page.job is None, timeout=60_000)
        assert out.read_bytes()[:4] == b"%PDF" and "已生成" in page.status.text()
        lines = page.model.lines
        if which == "bulletin":          # its table ranks by 清偿率 first
            pct = round(100.0 * sum(x["paid_fen"] for x in lines) / sum(x["owed_fen"] for x in lines), 1)
            assert f"全县合计{pct}%" in flat_of(out)
        else:
            assert f"全县合计{sum(x['cases'] for x in lines)}" in flat_of(out)
        if which == "stats":
            assert out.with_suffix(".xlsx").exists()
        assert page.report_btns[which].isEnabled()
        page.report_btns[which].click()                          # the button: a file in the reports folder
        qtbot.waitUntil(lambda: page.job is None, timeout=60_000)
        made = page.last_report.path
        assert made != out and made.read_bytes()[:4] == b"%PDF" and str(tmp_path) in str(made)
    finally:
        store.close()


def test_dashboard_screenshot_at_1366_by_768(county_db, qtbot, tmp_path):
    store = Store(county_db, "县办公室")
    try:
        page = page_for(store, qtbot, tmp_path)
        page.red.setValue(sorted(x["cleared_pct"] for x in page.model.lines)[1] + 0.1)
        page.yellow.setValue(1)
        page.resize(1366, 768)
        page.show()
        qtbot.waitExposed(page)
        shot = tmp_path / "county-1366.png"
        assert page.grab().save(str(shot)) and shot.stat().st_size > 20_000
        # nothing cut off: every column fits the page's width
        assert page.table.horizontalHeader().length() <= page.table.viewport().width()
    finally:
        store.close()


def test_the_county_page_holds_the_county_directives(county_db, qtbot, tmp_path):
    from desktop.app import register_font
    from models.exchange import dispatch
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    from views.exchange.county_page import CountyPage
    from views.exchange.directives_view import DirectivesView
    register_font()
    store = Store(county_db, "县办公室")
    try:
        ctx = AppContext(store=store, prefs=Prefs(tmp_path / "p.json"), bus=DataBus())
        ctx.today = lambda: TODAY + dt.timedelta(days=1)
        page = CountyPage(ctx)
        qtbot.addWidget(page)
        assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["各乡镇情况", "县级督办事项"]
        assert isinstance(page.directives, DirectivesView)
        before = len(dispatch.list_directives(store))
        page.tabs.setCurrentWidget(page.directives)
        page.resize(1366, 768)
        page.show()
        qtbot.waitExposed(page)
        page.grab().save(str(tmp_path / "county-directives.png"))
        assert len(dispatch.list_directives(store)) == before
    finally:
        store.close()
