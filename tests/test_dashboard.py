"""首页, 图表 and 报表 pages with pytest-qt: the numbers shown are the ledger's, the page follows
data changes, charts save as PNG / SVG, a report is made off the GUI thread and previewed.
Screenshots go to /tmp/shots for a person to look at."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest

from models.db import Store
from models.prefs import Prefs
from models.values import fen_to_wan_text
from views.context import AppContext, DataBus

TODAY = _dt.date(2026, 11, 26)
SHOTS = Path("/tmp/shots")
COUNTED = "deleted_at IS NULL AND status != '不存在欠薪'"


@pytest.fixture
def ctx(town, tmp_path, app_font):
    from models.backup import backup_to
    src = Store(town)
    backup_to(src.conn, tmp_path / "t.sqlite")
    src.close()
    store = Store(tmp_path / "t.sqlite", "测试")
    c = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    c.today = lambda: TODAY
    yield c
    store.close()


def shot(widget, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    assert widget.grab().save(str(path))
    return path


def q1(s, sql, params=()):
    return s.conn.execute(sql, params).fetchone()[0]


def test_dashboard_shows_the_ledger_figures(ctx, qtbot):
    from views.dashboard_page import DashboardPage
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 1700)
    page.show()
    qtbot.waitExposed(page)
    s = ctx.store
    owed = q1(s, f"SELECT SUM(total_owed_fen) FROM case_record WHERE {COUNTED}")
    paid = q1(s, f"SELECT SUM(total_paid_fen) FROM case_record WHERE {COUNTED}")
    t = page.tiles
    assert t["owed"].value.text() == fen_to_wan_text(owed)
    assert t["paid"].value.text() == fen_to_wan_text(paid)
    assert t["left"].value.text() == fen_to_wan_text(owed - paid)
    assert t["pct"].value.text() == f"{100 * paid / owed:.1f}%"
    assert t["cases"].value.text() == f"{q1(s, 'SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL'):,}"
    assert t["workers"].value.text() == f"{q1(s, f'SELECT SUM(total_workers) FROM case_record WHERE {COUNTED}'):,}"
    overdue = q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND status IN ('待核实', '化解中') "
                    "AND deadline < ?", (TODAY.isoformat(),))
    assert t["overdue"].value.text() == str(overdue) and page.overdue.rowCount() == min(30, overdue)
    assert t["countdown"].value.text() == f"{(_dt.date(2027, 2, 5) - TODAY).days} 天"
    # every workstream, its cases and money
    rows = s.conn.execute("SELECT w.name, COUNT(c.id) FROM workstream w LEFT JOIN case_record c ON c.workstream_id = w.id "
                          "AND c.deleted_at IS NULL GROUP BY w.id ORDER BY w.sort").fetchall()
    assert page.ws_table.rowCount() == len(rows)
    for i, (name, n) in enumerate(rows):
        assert page.ws_table.item(i, 0).text() == name and page.ws_table.item(i, 1).text() == f"{n:,}"
    # by status (and the 合计 row's money is the headline's)
    assert page.status_table.rowCount() == 6
    assert page.status_table.item(5, 4).text() == fen_to_wan_text(paid)
    assert page.phases.rowCount() == 3
    assert "清偿率" in page.progress.format()
    shot(page, "dashboard.png")


def test_dashboard_follows_data_changes(ctx, qtbot):
    from models import cases
    from views.dashboard_page import DashboardPage
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    before = page.data.totals.all.cases
    ws = ctx.store.scalar("SELECT id FROM workstream ORDER BY sort LIMIT 1")
    cases.register_case(ctx.store, {"registered_on": TODAY.isoformat(), "employer_name": "测试劳务公司",
                                    "amount_fen": 1_000_000, "workers_count": 2, "workstream_id": ws})
    ctx.changed("case_record")
    qtbot.waitUntil(lambda: page.data.totals.all.cases == before + 1, timeout=3000)
    assert page.tiles["cases"].value.text() == f"{before + 1:,}"
    # hidden: refreshed when shown again
    page.hide()
    cases.register_case(ctx.store, {"registered_on": TODAY.isoformat(), "employer_name": "测试劳务公司二",
                                    "amount_fen": 1_000, "workstream_id": ws})
    ctx.changed("case_record")
    qtbot.wait(400)
    assert page.data.totals.all.cases == before + 1
    page.show()
    qtbot.waitUntil(lambda: page.data.totals.all.cases == before + 2, timeout=3000)


def test_charts_page_embeds_and_saves(ctx, qtbot, tmp_path):
    from views.charts_page import ChartsPage
    page = ChartsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 650)
    page.show()
    qtbot.waitUntil(lambda: not page.busy and page.chart_tabs["repaid"].canvas is not None, timeout=20000)
    assert all(tab.canvas is not None for tab in page.chart_tabs.values())
    paid = q1(ctx.store, f"SELECT SUM(total_paid_fen) FROM case_record WHERE {COUNTED}")
    assert f"{paid / 1_000_000:,.2f} 万元" in page.info.text()
    png = page.chart_tabs["repaid"].save(tmp_path / "repaid.png")
    svg = page.chart_tabs["weekly"].save(tmp_path / "weekly.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:400]
    for i in range(page.tabs.count()):
        page.tabs.setCurrentIndex(i)
        qtbot.wait(50)
        shot(page, f"charts_{i + 1}.png")


def test_reports_page_makes_and_previews_a_pdf(ctx, qtbot, tmp_path):
    from PySide6.QtPrintSupport import QPrintPreviewWidget
    from views.reports_page import ReportsPage, renderer_name
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 750)
    page.show()
    page.progress_after_ms = 60_000      # no progress dialog here (see the note in the report)
    page.which.setCurrentIndex(page.which.findData("stats"))
    page.generate(tmp_path / "stats.pdf")
    qtbot.waitUntil(lambda: page.job is None, timeout=30000)
    assert page.result is not None and page.result.path.exists(), page.status.text()
    assert "已生成" in page.status.text() and page.preview_btn.isEnabled()
    assert renderer_name() == "pdfium"          # pypdfium2 is one of the program's own dependencies
    assert page.thumbs.count() == page.result.pages
    page._no_exec = True
    dlg = page.preview()
    qtbot.addWidget(dlg)
    widget = dlg.findChild(QPrintPreviewWidget)
    dlg.resize(900, 1000)
    dlg.show()
    widget.updatePreview()
    assert widget.pageCount() == page.result.pages
    shot(page, "reports_page.png")
    shot(dlg, "print_preview.png")


def test_reports_page_ledger_filter(ctx, qtbot, tmp_path):
    from views.reports_page import ReportsPage
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.progress_after_ms = 60_000
    page.which.setCurrentIndex(page.which.findData("ledger"))
    opts = page.ledger
    opts.kind.setCurrentIndex(opts.kind.findData("cases"))
    status = next(w for kind, f, w in opts.widgets if kind == "eq" and f.name == "status")
    status.setCurrentIndex(status.findData("已移送"))
    assert opts.query().equals == {"status": "已移送"}
    page.generate(tmp_path / "moved.pdf")
    qtbot.waitUntil(lambda: page.job is None, timeout=30000)
    assert page.result is not None and page.result.pages >= 1, page.status.text()


def test_home_page_figures_read_ahead_are_used_only_while_nothing_changed(ctx, qtbot):
    """The figures read on a second thread while the window starts (models.warm_start) are
    the page's own figures; after any change, or for another day, the page reads afresh."""
    from models import stats
    from models.warm_start import DASHBOARD_LIST_LIMIT, DashboardPrefetch
    from views.dashboard_page import DashboardPage
    s = ctx.store
    own = stats.dashboard(s, TODAY, DASHBOARD_LIST_LIMIT)
    ahead = DashboardPrefetch(s.path, TODAY)
    got = ahead.take(s, TODAY, DASHBOARD_LIST_LIMIT)
    assert got is not None and got.totals == own.totals and got.warnings == own.warnings
    assert [c["case_no"] for c in got.overdue] == [c["case_no"] for c in own.overdue]
    assert ahead.take(s, TODAY, DASHBOARD_LIST_LIMIT) is None            # handed out once

    assert DashboardPrefetch(s.path, TODAY + _dt.timedelta(days=1)).take(s, TODAY, DASHBOARD_LIST_LIMIT) is None
    stale = DashboardPrefetch(s.path, TODAY)
    stale._thread.join()
    cid = q1(s, f"SELECT id FROM case_record WHERE {COUNTED} AND total_owed_fen > 0 LIMIT 1")
    with s.tx(reason="测试"):
        s.execute("UPDATE case_record SET amount_fen = amount_fen + 100 WHERE id = ?", (cid,))
    assert stale.take(s, TODAY, DASHBOARD_LIST_LIMIT) is None

    # the page takes a fresh read-ahead and shows the same figures as when it reads them itself
    ctx.prefetch = DashboardPrefetch(s.path, TODAY)
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    assert ctx.prefetch is None and page.data is not None
    assert page.data.totals == stats.dashboard(s, TODAY, DASHBOARD_LIST_LIMIT).totals


def test_read_ahead_never_creates_or_changes_a_file(tmp_path):
    from models.warm_start import DashboardPrefetch
    missing = tmp_path / "none.sqlite"
    ahead = DashboardPrefetch(missing, TODAY)
    ahead._thread.join()
    assert ahead.result is None and not missing.exists()
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database" * 100)
    ahead = DashboardPrefetch(garbage, TODAY)
    ahead._thread.join()
    assert ahead.result is None and garbage.read_bytes() == b"not a database" * 100


def test_read_ahead_leaves_the_file_as_it_is_and_ignores_log_ins(ctx, tmp_path):
    """Read-only: a file in rollback-journal mode (as a restored backup is) stays so; a
    log-in's audit row does not spoil the figures; a restored file is another file."""
    import os
    import shutil
    import sqlite3
    from models.warm_start import DASHBOARD_LIST_LIMIT, DashboardPrefetch
    s = ctx.store
    path = tmp_path / "journal.sqlite"
    shutil.copy(s.path, path)
    for side in ("-wal", "-shm"):
        if s.path.with_name(s.path.name + side).exists():
            shutil.copy(s.path.with_name(s.path.name + side), path.with_name(path.name + side))
    c = sqlite3.connect(path)
    assert c.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    c.close()
    before = path.read_bytes()
    ahead = DashboardPrefetch(path, TODAY)
    ahead._thread.join()
    assert ahead.result is not None and path.read_bytes() == before

    ahead = DashboardPrefetch(s.path, TODAY)
    ahead._thread.join()
    with s.tx(reason="登录"):
        s.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, reason) "
                  "VALUES (qq_now(), '测试', 'account', 1, 'update', '登录')")
    assert ahead.take(s, TODAY, DASHBOARD_LIST_LIMIT) is not None

    other = tmp_path / "restored.sqlite"
    shutil.copy(s.path, other)
    ahead = DashboardPrefetch(other, TODAY)
    ahead._thread.join()
    shutil.copy(s.path, tmp_path / "copy.sqlite")
    os.replace(tmp_path / "copy.sqlite", other)     # the same bytes, but another file (as a restore does)
    from models.db import Store
    s2 = Store(other, "测试")
    try:
        assert ahead.take(s2, TODAY, DASHBOARD_LIST_LIMIT) is None
    finally:
        s2.close()


def test_reports_page_reports_as_of_the_chosen_day(ctx, qtbot, tmp_path):
    """The 统计截至 day of the 报表 page: the statistics as they stood at the end of that day; a
    day after today cannot be chosen, and a ledger printout is never dated back."""
    from PySide6.QtCore import QDate
    from pdftext import flat_of
    from models import figures
    from views.reports_page import ReportsPage
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.progress_after_ms = 60_000
    page.which.setCurrentIndex(page.which.findData("stats"))
    assert page.day_label.text() == "统计截至" and page.day.maximumDate() == QDate(TODAY)
    page.day.setDate(QDate(2026, 11, 1))
    page.generate(tmp_path / "stats.pdf")
    qtbot.waitUntil(lambda: page.job is None, timeout=30000)
    assert page.result is not None, page.status.text()
    then = figures.figures(ctx.store, TODAY, _dt.date(2026, 11, 1))
    text = flat_of(page.result.path)
    assert "统计截至：2026年11月1日日终" in text and f"处理欠薪问题数件{then.cases:,}" in text
    page.which.setCurrentIndex(page.which.findData("ledger"))
    assert page.day_label.text() == "打印日期" and page.day.date() == QDate(TODAY) and not page.day.isEnabled()


def test_every_row_of_the_home_pages_tables_shows(ctx, qtbot):
    """本周交办事项 and the other lists show every row they hold, whole, however the page was built:
    the box of 交办事项 kept the height its table had before it was laid out (it showed none or
    some of its rows, differently from start to start)."""
    from models.ledger.service import service_for
    from views.dashboard_page import DashboardPage
    items = service_for(ctx.store, "action_items", TODAY)
    for i in range(12):                       # more than the table's first, unfitted height holds
        items.insert({"content": f"测试交办事项第 {i + 1} 项：核实欠薪线索并督促兑付", "owner_person": "张三",
                      "due_date": (TODAY - _dt.timedelta(days=i)).isoformat(), "status": "办理中"})
    page = DashboardPage(ctx)                 # built hidden, as the window builds its first page
    qtbot.addWidget(page)
    page.resize(1280, 2600)
    page.show()
    qtbot.waitExposed(page)
    qtbot.wait(50)
    assert page.actions.rowCount() > 0 and page.actions.isVisible()
    for box, table in ((page.actions_box, page.actions), (page.overdue_box, page.overdue),
                       (page.soon_box, page.due_soon)):
        rows = min(table.rowCount(), 12)           # a long list scrolls inside its table (at most 420 px)
        last = table.visualRect(table.model().index(rows - 1, 0))
        assert last.bottom() <= table.viewport().height(), (box.title(), last.bottom(), table.viewport().height())
        top_left = table.mapTo(box, table.rect().topLeft())
        assert top_left.y() + table.height() <= box.height(), box.title()       # the box holds its table whole
