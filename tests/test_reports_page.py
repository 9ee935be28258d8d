"""The 报表 page offers PDF and Word: the format chosen names the file, the Word file is made on
the worker thread, and the page says where it is and how to open it (Word or WPS paginates it,
so there is no print preview of a .docx)."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest

from models.db import Store

TODAY = _dt.date(2026, 11, 26)
SHOTS = Path("/tmp/shots")


@pytest.fixture
def ctx(town, tmp_path, app_font):
    from models.backup import backup_to
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    src = Store(town)
    backup_to(src.conn, tmp_path / "t.sqlite")
    src.close()
    store = Store(tmp_path / "t.sqlite", "测试")
    c = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    c.today = lambda: TODAY
    yield c
    store.close()


def test_the_page_makes_a_word_version(ctx, qtbot, tmp_path):
    from views.reports_page import ReportsPage
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 750)
    page.show()
    page.progress_after_ms = 60_000
    assert [page.format.itemData(i) for i in range(page.format.count())] == [".pdf", ".docx"]
    page.which.setCurrentIndex(page.which.findData("weekly"))
    page.format.setCurrentIndex(page.format.findData(".docx"))
    assert page.out_path("weekly", TODAY).suffix == ".docx"
    page.generate(tmp_path / "weekly.docx")
    qtbot.waitUntil(lambda: page.job is None, timeout=60000)
    assert page.result is not None and page.result.path.suffix == ".docx", page.status.text()
    assert "已生成 Word 文件" in page.status.text()
    assert not page.preview_btn.isEnabled() and not page.print_btn.isEnabled() and page.open_btn.isEnabled()
    assert "Word" in page.open_btn.text()
    qtbot.wait(50)
    from docx import Document
    assert "一、总体进展" in [p.text for p in Document(str(page.result.path)).paragraphs]
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SHOTS / "reports_page_word.png"))
    # back to PDF: preview and print again
    page.format.setCurrentIndex(page.format.findData(".pdf"))
    page.which.setCurrentIndex(page.which.findData("minutes"))
    page.generate(tmp_path / "minutes.pdf")
    qtbot.waitUntil(lambda: page.job is None, timeout=60000)
    assert page.result.path.suffix == ".pdf" and page.preview_btn.isEnabled() and page.thumbs.count() >= 2


def test_each_report_opens_on_its_own_default_day(ctx, qtbot):
    """On a Monday the 周调度材料 is of the week just ended (Sunday); a 日报告 chosen after it is of
    today, not of the Sunday the weekly pack left in the date box."""
    from views.reports_page import ReportsPage
    monday = _dt.date(2026, 11, 30)
    ctx.today = lambda: monday
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.which.setCurrentIndex(page.which.findData("weekly"))
    assert page.day.date().toPython() == monday - _dt.timedelta(days=1)
    page.which.setCurrentIndex(page.which.findData("daily"))
    assert page.day.date().toPython() == monday
