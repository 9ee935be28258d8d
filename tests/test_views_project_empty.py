"""一项目一档 with nothing to show: no project yet, or a search that matches none. The message
says which, names only buttons the page has, and nothing of the project shown before stays."""
from __future__ import annotations

import datetime as _dt
import random

import pytest

from models.db import Store
from models.prefs import Prefs
from views.context import AppContext, DataBus

TODAY = _dt.date(2026, 11, 26)


def _ctx(store, tmp_path) -> AppContext:
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    ctx.today = lambda: TODAY
    return ctx


@pytest.fixture
def with_projects(demo_db, tmp_path):
    from models.demo import projects as demo_projects
    store = Store(demo_db, "办公室")
    store.today = TODAY
    demo_projects.populate(store, random.Random(19), TODAY)
    yield _ctx(store, tmp_path)
    store.close()


def _page(ctx, qtbot):
    from views.projects.project_page import ProjectPage
    page = ProjectPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    return page


def _values_shown(page) -> list[str]:
    return [b.text() for cells in page._cells.values() for _a, b in cells if b.isVisibleTo(page)]


def test_a_search_matching_nothing_says_so_and_clears_the_file(with_projects, qtbot):
    page = _page(with_projects, qtbot)
    for row in range(page.list.rowCount()):              # a project with a roster and months
        page.list.selectRow(row)
        if page.roster.rowCount() and page.months.rowCount():
            break
    assert page.pid is not None and page.roster.rowCount() > 0 and _values_shown(page)
    page.search.setText("不存在的名字")
    assert page.list.rowCount() == 0 and page.pid is None
    text = page.name_label.text()
    assert "「不存在的名字」" in text and "还没有" not in text and "导入" not in text
    assert _values_shown(page) == []
    assert page.months.rowCount() == page.detail.rowCount() == page.roster.rowCount() == 0
    assert page.alerts.text() == "" and page.month_title.text() == ""
    assert not any(box.isVisibleTo(page) for box in page.detail_boxes)
    assert not page.buttons["edit"].isEnabled() and not page.buttons["pdf"].isEnabled()
    page.search.clear()                                  # the projects and a file come back
    assert page.list.rowCount() > 0 and page.pid is not None
    assert all(box.isVisibleTo(page) for box in page.detail_boxes) and _values_shown(page)
    assert page.name_label.text() == page.file["record"]["name"]


def test_no_project_yet(campaign_store, tmp_path, qtbot):
    page = _page(_ctx(campaign_store, tmp_path), qtbot)
    text = page.name_label.text()
    assert text.startswith("还没有工程项目") and "新增项目" in text and "导入" not in text
    assert not any(box.isVisibleTo(page) for box in page.detail_boxes)
    for word in ("新增项目",):                              # the button the message names is on the page
        assert word in [b.text() for b in page.buttons.values()]
