"""打印 on 欠薪问题台账 and 农民工名册: the ledger's printout of the rows the page shows, with the
page's filter, the way every other ledger page prints (views.ledger_io.open_print); never the
old "报表模块未安装。" message from a dialog that did not exist."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QToolBar

from models.db import Store
from models.prefs import Prefs
from tests.pdftext import text_of
from views.context import AppContext, DataBus

TODAY = _dt.date(2026, 11, 26)


@pytest.fixture
def ctx(demo_db, tmp_path):
    store = Store(demo_db, "测试")
    c = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    c.today = lambda: TODAY
    yield c
    store.close()


@pytest.fixture
def printing(monkeypatch, tmp_path):
    """The save dialog answers a path in tmp_path; message boxes and the PDF reader are recorded."""
    said: list = []
    opened: list = []
    target = tmp_path / "printout.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    for name in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(lambda *a, **k: said.append(a[1:3])))
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    return target, said, opened


def _trigger(page, text: str) -> None:
    for tb in page.findChildren(QToolBar):
        for act in tb.actions():
            if act.text() == text:
                act.trigger()
                return
    from PySide6.QtWidgets import QPushButton
    for b in page.findChildren(QPushButton):
        if b.text() == text:
            b.click()
            return
    raise AssertionError(f"no {text} on the page")


def test_case_page_prints_the_rows_shown(ctx, qtbot, printing):
    from views.case_page import CasePage
    target, said, opened = printing
    page = CasePage(ctx)
    qtbot.addWidget(page)
    page.status_box.setCurrentIndex(page.status_box.findData("__open__"))
    qtbot.waitUntil(lambda: "未办结" in page.model.query.describe(page.repo.ledger))
    shown = page.model.rowCount()
    assert shown > 0
    _trigger(page, "打印…")
    assert said == []
    assert target.stat().st_size > 5000 and opened == [str(target)]
    text = text_of(target)
    assert "欠薪问题台账" in text and "未办结" in text
    first = page.model.data(page.model.index(0, page.model.fields.index(page.repo.ledger.field("case_no"))))
    assert first in text


def test_worker_page_prints_with_its_filter(ctx, qtbot, printing):
    from views.worker_page import WorkerPage
    target, said, opened = printing
    page = WorkerPage(ctx)
    qtbot.addWidget(page)
    page.unpaid.setChecked(True)
    qtbot.waitUntil(lambda: "仍有欠发" in page.model.query.notes)
    assert page.model.rowCount() > 0
    _trigger(page, "打印…")
    assert said == []
    assert target.stat().st_size > 5000 and opened == [str(target)]
    text = text_of(target)
    assert "农民工工资支付台账" in text and "仍有欠发" in text


def test_print_cancelled_writes_nothing(ctx, qtbot, printing, monkeypatch):
    from views import ledger_io
    target, said, opened = printing
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    from PySide6.QtWidgets import QWidget
    w = QWidget()
    qtbot.addWidget(w)
    assert ledger_io.open_print(w, ctx, "cases") is None
    assert not target.exists() and said == [] and opened == []


def test_no_view_hides_a_missing_module():
    """An ``except ImportError`` in views/ turned a call to a function that never existed into
    "报表模块未安装。"; every module the views import is part of the program."""
    views = Path(__file__).resolve().parent.parent / "views"
    offenders = [str(p.relative_to(views)) for p in views.rglob("*.py")
                 if "except ImportError" in p.read_text(encoding="utf-8")
                 or "except ModuleNotFoundError" in p.read_text(encoding="utf-8")]
    assert offenders == []
