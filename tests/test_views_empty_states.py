"""An empty table says why (views.empty_note.EmptyNote, as on every generic ledger page): nothing
entered yet, and where to start, or nothing matching the filter. 欠薪问题台账, 农民工名册,
重大敏感问题, 账号管理; 一企一策's heading when its list is empty."""
from __future__ import annotations

import datetime as _dt

import pytest

from models.db import Store
from models.prefs import Prefs
from views.context import AppContext, DataBus

TODAY = _dt.date(2026, 11, 26)
NOWHERE = "不存在的名字"


def _ctx(store, tmp_path) -> AppContext:
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    ctx.today = lambda: TODAY
    return ctx


@pytest.fixture
def demo(demo_db):
    s = Store(demo_db, "测试")
    yield s
    s.close()


def _show(page, qtbot):
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    return page


def _search(page, qtbot, text: str) -> None:
    page.search.setText(text)
    qtbot.waitUntil(lambda: page.model.query.search == text)


def test_case_ledger_empty_and_no_match(campaign_store, demo, tmp_path, qtbot):
    from views.case_page import CasePage
    page = _show(CasePage(_ctx(campaign_store, tmp_path)), qtbot)
    assert page.model.rowCount() == 0 and page.empty.isVisible()
    assert page.empty.text().startswith("欠薪问题台账还没有记录") and "新增问题" in page.empty.text()
    page = _show(CasePage(_ctx(demo, tmp_path)), qtbot)
    assert page.model.rowCount() > 0 and not page.empty.isVisible()
    _search(page, qtbot, NOWHERE)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert page.empty.isVisible() and page.empty.text() == "没有符合条件的欠薪问题。"
    _search(page, qtbot, "")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    assert not page.empty.isVisible()


def test_worker_roster_empty_and_no_match(campaign_store, demo, tmp_path, qtbot):
    from views.worker_page import WorkerPage
    page = _show(WorkerPage(_ctx(campaign_store, tmp_path)), qtbot)
    assert page.empty.isVisible() and page.empty.text().startswith("农民工名册还没有人")
    assert "添加农民工" in page.empty.text()
    page = _show(WorkerPage(_ctx(demo, tmp_path)), qtbot)
    assert page.model.rowCount() > 0 and not page.empty.isVisible()
    _search(page, qtbot, NOWHERE)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert page.empty.isVisible() and page.empty.text() == "没有符合条件的农民工。"


def test_major_view_none_flagged_and_none_matching(filled, tmp_path, qtbot):
    from views.major_page import MajorPage
    filled.execute("UPDATE case_record SET is_major = 0, is_sensitive = 0")
    page = _show(MajorPage(_ctx(filled, tmp_path)), qtbot)
    assert page.model.rowCount() == 0 and page.empty.isVisible()
    assert page.empty.text() == "目前没有标记为重大或敏感的欠薪问题。"
    filled.execute("UPDATE case_record SET is_sensitive = 1 WHERE id = (SELECT MIN(id) FROM case_record)")
    page.apply()
    assert page.model.rowCount() == 1 and not page.empty.isVisible()
    page.flag_box.setCurrentIndex(page.flag_box.findData("重大"))       # only 重大: none
    assert page.model.rowCount() == 0 and page.empty.text() == "没有符合条件的重大敏感问题。"


def test_accounts_none_yet(campaign_store, tmp_path, qtbot):
    from models import access
    from views.accounts_page import AccountsPage
    page = _show(AccountsPage(_ctx(campaign_store, tmp_path)), qtbot)
    assert page.table.rowCount() == 0 and page.empty.isVisible() and page.empty.text().startswith("还没有账号")
    access.create_account(campaign_store, "bangongshi", "secret123", "办公室", "张丽")
    page.refresh()
    assert page.table.rowCount() == 1 and not page.empty.isVisible()


def test_employer_page_with_an_empty_list(campaign_store, demo, tmp_path, qtbot):
    from views.employers.employer_page import CHOOSE, EmployerPage
    page = _show(EmployerPage(_ctx(campaign_store, tmp_path)), qtbot)
    assert page.list.count() == 0 and page.heading.text() == "还没有用人单位。"
    page = _show(EmployerPage(_ctx(demo, tmp_path)), qtbot)
    assert page.list.count() > 0 and page.heading.text() == CHOOSE and page.view.isVisible()
    page.list.setCurrentRow(0)
    assert page.heading.text().startswith("一企一策：")
    page.search.setText(NOWHERE)                         # the list follows the search after a moment
    qtbot.waitUntil(lambda: page.list.count() == 0)
    assert page.heading.text() == f"没有名称、信用代码或法定代表人含「{NOWHERE}」的用人单位。"
    assert not page.view.isVisible() and not page.print_btn.isEnabled()
    page.search.setText("")
    qtbot.waitUntil(lambda: page.list.count() > 0)
    assert not page._search_timer.isActive()
    assert page.heading.text() == CHOOSE and page.view.isVisible()
