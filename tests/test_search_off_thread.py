"""A ledger page's search runs on a worker thread: the window keeps turning while it runs, the
right rows arrive, a newer search wins over an older one, and the short-search index is caught up
off the window's thread. Screenshots: /tmp/shots/search-case-during.png, search-case-after.png."""
from __future__ import annotations

import datetime as _dt
import threading
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel

from models import case_workers, cases
from models.ledger import chars_index, page_source
from models.ledger.repo import Query
from models.prefs import Prefs
from models.rules.idcard import make_valid_id
from views.context import AppContext, DataBus

TODAY = _dt.date(2026, 11, 26)


def _ctx(store, tmp_path) -> AppContext:
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    ctx.today = lambda: TODAY
    return ctx


def _plant_delay(monkeypatch, delays: dict[str, float]) -> list[str]:
    """Searches for these texts take this long on the worker (a county's LIKE scan, say)."""
    started: list[str] = []
    real = page_source.PageSearch.first

    def first(self):
        started.append(self.query.search)
        time.sleep(delays.get(self.query.search, 0))
        return real(self)
    monkeypatch.setattr(page_source.PageSearch, "first", first)
    return started


class Meter:
    """Ticks of a 5 ms timer: how the window's event loop keeps turning."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(5)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> float:
        self.ticks.append(time.perf_counter())
        self.timer.stop()
        return max(b - a for a, b in zip(self.ticks, self.ticks[1:]))


def _shot(page, folder, name: str) -> None:
    assert page.grab().save(str(folder / f"search-{name}.png"))


def test_a_slow_search_keeps_the_window_turning(filled, qtbot, tmp_path, monkeypatch, app_font):
    from views.case_page import CasePage
    started = _plant_delay(monkeypatch, {"华厦": 0.8})
    page = CasePage(_ctx(filled, tmp_path))
    qtbot.addWidget(page)
    page.resize(1400, 760)
    page.show()
    QApplication.processEvents()
    assert page.model.rowCount() == 60 and page.model.background and page.model.background_totals
    note = page.table.viewport().findChild(QLabel, "searchNote")
    on_window: list[str] = []           # what the window's own connection runs from here on
    filled.conn.set_trace_callback(on_window.append)
    page.search.setText("华厦")          # the debounce fires 250 ms later
    qtbot.waitUntil(lambda: page.model.waiting, timeout=3000)
    t = time.perf_counter()
    page.apply_filters()                 # as the debounce does: back to the event loop at once
    returned_ms = (time.perf_counter() - t) * 1000
    meter = Meter()
    meter.start()
    qtbot.wait(600)                      # inside the planted 800 ms
    gap = meter.stop()
    assert page.model.waiting and returned_ms < 50
    # a 5 ms timer kept ticking all along: no stall near the search's 800 ms (a loaded machine's
    # scheduler alone makes gaps of some tens of ms)
    assert len(meter.ticks) > 40 and gap < 0.25, (len(meter.ticks), gap)
    assert page.model.rowCount() == 60   # the old rows stay while the search runs
    assert note.isVisible()
    _shot(page, tmp_path, "case-during")
    qtbot.waitUntil(lambda: not page.model.waiting, timeout=10000)
    assert started == ["华厦", "华厦"]   # the debounce's search, then the one started here
    assert not note.isVisible()
    filled.conn.set_trace_callback(None)
    # the count, ids, rows, 合计 and the groundless cases' count all came from the worker (the
    # window's connection read only the detail pane's empty lists)
    assert on_window and not [sql for sql in on_window if "MATCH" in sql or "LIKE" in sql or "chars" in sql
                              or '"case_record"' in sql and ("COUNT(" in sql or "SUM(" in sql)]
    want = cases.repo(filled).ids(Query(search="华厦"))
    assert page.model.rowCount() == 30 and [page.model.id_at(r) for r in range(30)] == want
    assert page.model.fully_loaded
    assert "共 30 件" in page.totals.text() and "检索“华厦”" in page.totals.text()
    _shot(page, tmp_path, "case-after")


def test_a_stale_search_does_not_overwrite_a_newer_one(filled, qtbot, tmp_path, monkeypatch, qtmodeltester):
    from views.case_page import CasePage
    started = _plant_delay(monkeypatch, {"宏达": 0.6})
    page = CasePage(_ctx(filled, tmp_path))
    qtbot.addWidget(page)
    shown: list[str] = []
    page.model.queryChanged.connect(lambda: shown.append(page.model.query.search))
    page.search.blockSignals(True)       # the searches started here, not by the debounce
    page.search.setText("宏达")
    page.apply_filters()
    qtbot.waitUntil(lambda: started == ["宏达"], timeout=3000)
    page.search.setText("华厦")
    page.apply_filters()
    qtbot.waitUntil(lambda: not page.model.waiting, timeout=5000)
    qtbot.wait(900)                      # the older search has finished on its worker by now
    assert started == ["宏达", "华厦"] and shown == ["华厦"]
    col = [f.name for f in page.model.fields].index("employer_name")
    employers = {page.model.data(page.model.index(r, col)) for r in range(page.model.rowCount())}
    assert page.model.rowCount() == 30 and employers == {"巴中市华厦建工集团有限公司"}
    qtmodeltester.check(page.model)
    # a query without search text is read at once, and supersedes a search still running
    page.search.setText("宏达")
    page.apply_filters()
    page.search.clear()
    page.apply_filters()
    assert page.model.rowCount() == 60 and not page.model.waiting
    qtbot.wait(800)
    assert page.model.rowCount() == 60 and shown[-1] == ""


def test_the_chosen_case_stays_chosen_when_a_search_reads_again(filled, qtbot, tmp_path):
    from views.case_page import CasePage
    ctx = _ctx(filled, tmp_path)
    page = CasePage(ctx)
    qtbot.addWidget(page)
    page.search.setText("华厦")
    qtbot.waitUntil(lambda: page.model.rowCount() == 30 and not page.model.waiting, timeout=5000)
    keep = page.model.id_at(17)
    page.table.select_record(keep)
    assert page.table.current_id() == keep
    ctx.bus.changed.emit("case_record")          # another window saved a case: the page reads again
    assert page.model.waiting
    qtbot.waitUntil(lambda: not page.model.waiting, timeout=5000)
    qtbot.waitUntil(lambda: page.table.current_id() == keep, timeout=3000)


def test_the_short_search_index_is_caught_up_off_the_window_thread(filled, qtbot, tmp_path, monkeypatch):
    from views.worker_page import WorkerPage
    ctx = _ctx(filled, tmp_path)
    page = WorkerPage(ctx)
    qtbot.addWidget(page)
    for i in range(40):                          # as an import would: the index is now behind
        case_workers.add_worker(filled, 1, {"name": f"欧阳娜{i}", "owed_fen": 100,
                                            "id_number": make_valid_id("511322", _dt.date(1991, 1, 1), 500 + i)})
    assert chars_index.is_current(filled.conn, "worker") is False
    threads = []
    real = chars_index.catch_up
    monkeypatch.setattr(chars_index, "catch_up",
                        lambda store, table: threads.append(threading.current_thread()) or real(store, table))
    on_window: list[str] = []
    filled.conn.set_trace_callback(on_window.append)
    page.search.setText("阳娜")
    qtbot.waitUntil(lambda: page.model.rowCount() == 40 and not page.model.waiting, timeout=5000)
    employer = page.model.data(page.model.index(0, len(page.model.fields) - 1))    # the roster's own column
    filled.conn.set_trace_callback(None)
    assert employer == cases.repo(filled).get(1)["employer_name"]
    assert not [sql for sql in on_window if 'FROM "worker"' in sql or "chars" in sql]   # rows too from the worker
    assert threads and threading.main_thread() not in threads
    assert chars_index.is_current(filled.conn, "worker") is True
    assert page.count.text() == "共 40 人"
    col = [f.name for f in page.model.fields].index("name")
    assert page.model.data(page.model.index(0, col)) == "欧阳娜0"


def test_finish_loading_reads_a_running_search_at_once(filled, qtbot, tmp_path, monkeypatch):
    from views.case_page import CasePage
    _plant_delay(monkeypatch, {"宏达": 2})
    page = CasePage(_ctx(filled, tmp_path))
    qtbot.addWidget(page)
    page.search.setText("宏达")
    page.apply_filters()
    assert page.model.waiting and not page.model.fully_loaded
    page.model.finish_loading()                  # printing, tests: the whole list now
    assert page.model.fully_loaded and not page.model.waiting and page.model.rowCount() == 30
    assert page.model.row_of(page.model.id_at(29)) == 29
