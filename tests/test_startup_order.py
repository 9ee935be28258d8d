"""Start-up in the order a person sees it: the window's first frame (title, sidebar with the first
page chosen, menu, status bar, 正在打开首页) comes before the home page is built; the page follows
at once, and the work nobody waits for (the clash count of the 数据交换 menu) after it. Opening a
file imports none of the program's ledger declarations, and the figures read ahead in a second
process equal the figures read in this one."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject

from models.db import Store

ROOT = Path(__file__).resolve().parent.parent


def test_the_first_frame_comes_before_the_home_page(demo_db, qtbot, tmp_path, monkeypatch):
    from desktop.app import build_window
    from models.prefs import Prefs
    from views.exchange import exchange_menu
    order: list[str] = []
    real_refresh = exchange_menu.ExchangeMenu.refresh_counts
    monkeypatch.setattr(exchange_menu.ExchangeMenu, "refresh_counts",
                        lambda self: (order.append("clash count"), real_refresh(self)))
    store = Store(demo_db, None)
    window = build_window(store, Prefs(tmp_path / "p.json"), first_page_later=True)
    qtbot.addWidget(window)
    window.firstPageShown.connect(lambda key: order.append(f"page {key}"))
    assert "dashboard" not in window.built                         # not built before the window shows
    assert window.stack.currentWidget().text() == "正在打开首页…"
    assert window.nav.currentItem().text() == "首页"

    class Watch(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and not order:
                order.append("first frame" if "dashboard" not in window.built else "page before frame")
            return False
    watch = Watch()
    window.installEventFilter(watch)
    window.show()
    qtbot.waitUntil(lambda: "clash count" in order, timeout=20000)
    assert order[:3] == ["first frame", "page dashboard", "clash count"]
    page = window.built["dashboard"]
    assert window.stack.currentWidget() is page and window.stack.count() == 1     # the notice is gone
    assert page.data is not None
    window.close()
    store.close()


def test_a_page_chosen_before_the_first_page_is_built_stays_chosen(demo_db, qtbot, tmp_path):
    from desktop.app import build_window
    from models.prefs import Prefs
    store = Store(demo_db, None)
    window = build_window(store, Prefs(tmp_path / "p.json"), first_page_later=True)
    qtbot.addWidget(window)
    window.show_page("cases")                   # a click in the sidebar before the home page was built
    window.show()
    qtbot.waitUntil(lambda: window._first_key is None, timeout=20000)
    assert window.stack.currentWidget() is window.built["cases"] and "dashboard" not in window.built
    window.close()
    store.close()


def test_opening_a_file_imports_no_ledger_declaration(demo_db):
    code = ("import sys\nfrom models.db import Store\ns = Store(sys.argv[1], None)\n"
            "print(sorted(m for m in sys.modules if m.startswith('models.ledgers.')))\ns.close()\n")
    out = subprocess.run([sys.executable, "-c", code, str(demo_db)], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


FIRST_FRAME = """
import sys
from pathlib import Path
from desktop.app import build_window, load_before_qt, make_app
load_before_qt()
app = make_app()
from PySide6.QtCore import QEvent, QObject
import PySide6.QtWidgets as widgets
from models.db import Store
from models.prefs import Prefs
store = Store(sys.argv[1], None)
window = build_window(store, Prefs(Path(sys.argv[2])), interactive=False, first_page_later=True)
seen = []

class Watch(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not seen:
            seen.append(sorted(m for m in sys.modules if m in ("models.exchange.package", "models.exchange.liaison")
                               or m.startswith("models.ledgers.")))
            seen.append(sorted(c for c in ("QStyle", "QWizard", "QFileDialog", "QMessageBox")
                               if c in widgets.__dict__))
        return False

watch = Watch()
window.installEventFilter(watch)
window.show()
while not seen:
    app.processEvents()
print(seen)
"""


def test_the_first_frame_sets_up_no_more_of_qt_than_it_shows(demo_db, tmp_path):
    """PySide makes each Qt class's enumerations when the class is first used (some 600 names
    for QStyle), and asking Qt for a widget it made itself (a list's viewport) sets up every
    widget class: the first frame does neither, and loads no module of the 报送 exchange and no
    ledger declaration (the sidebar lists their pages from desktop/ledger_pages.py)."""
    out = subprocess.run([sys.executable, "-c", FIRST_FRAME, str(demo_db), str(tmp_path / "prefs.json")],
                         capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[[], []]"


def test_a_ledger_registered_at_run_time_still_gets_its_table(tmp_path):
    from models.ledger import registry
    from models.ledger.fields import Field, Ledger
    ledger = registry.register(Ledger(kind="test_sheds", title="测试工棚台账", table="test_shed",
                                      fields=(Field("name", "名称", required=True),)))
    try:
        assert ledger in registry.registered_at_run_time()
        assert registry.get("cases") not in registry.registered_at_run_time()
        s = Store(tmp_path / "a.sqlite", None)
        assert s.scalar("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='test_shed'") == 1
        s.close()
    finally:
        registry.unregister("test_sheds")
    assert ledger not in registry.registered_at_run_time()


def test_the_read_ahead_process_reads_what_this_process_reads(demo_db):
    from models.warm_start import DASHBOARD_LIST_LIMIT, DashboardPrefetch
    today = dt.date(2026, 12, 7)
    store = Store(demo_db, None)
    ahead = DashboardPrefetch(demo_db, today)                       # a second process
    here = DashboardPrefetch(demo_db, today, in_process=True)       # a thread of this one
    assert ahead._proc is not None and here._proc is None
    a, b = ahead.take(store, today, DASHBOARD_LIST_LIMIT), here.take(store, today, DASHBOARD_LIST_LIMIT)
    assert a is not None and b is not None
    # the same figures; the moment each was read (to the second) may differ on a busy machine
    import dataclasses
    assert dataclasses.replace(a, taken_at="") == dataclasses.replace(b, taken_at="")
    store.close()
