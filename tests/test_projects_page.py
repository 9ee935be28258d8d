"""The 一项目一档 page with pytest-qt, on the demo township with its projects: the list marks a
short deposit, an overdue settlement and a month whose registers disagree; the project file
shows its sections; the 三册 comparison marks exactly the disagreeing cells; a new project saved
through the form; the file printed from the page."""
from __future__ import annotations

import datetime as _dt
import random
from pathlib import Path

import pytest

from models.db import Store
from models.prefs import Prefs
from views.context import AppContext, DataBus

TODAY = _dt.date(2026, 11, 26)
SHOTS = Path("/tmp/shots")


@pytest.fixture
def page_ctx(demo_db, tmp_path):
    from models.demo import projects as demo_projects
    store = Store(demo_db, "办公室")
    store.today = TODAY
    got = demo_projects.populate(store, random.Random(19), TODAY)
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    ctx.today = lambda: TODAY
    ctx.demo = got
    yield ctx
    store.close()


def _page(ctx, qtbot):
    from desktop.app import register_font
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication
    from views.projects.project_page import ProjectPage
    register_font()
    QApplication.instance().setFont(QFont("WenQuanYi Micro Hei", 10))
    page = ProjectPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    return page


def _row_of(table, text: str) -> int:
    for r in range(table.rowCount()):
        if table.item(r, 0).text() == text:
            return r
    raise AssertionError(text)


def test_project_file_and_the_three_registers(page_ctx, qtbot):
    from PySide6.QtWidgets import QApplication
    from views.projects.project_page import BAD
    page = _page(page_ctx, qtbot)
    name, month = page_ctx.demo["bad_month"]
    overdue = page_ctx.demo["overdue"]
    # the list: every project, the overdue settlement and the disagreeing registers marked
    names = [page.list.item(r, 0).text() for r in range(page.list.rowCount())]
    assert set(page_ctx.demo["names"]) <= set(names)
    r = _row_of(page.list, overdue)
    assert page.list.item(r, 3).text() == "逾期未结算" and page.list.item(r, 3).background().color() == BAD
    r = _row_of(page.list, name)
    assert page.list.item(r, 4).text() == "不符" and page.list.item(r, 4).background().color() == BAD
    # the file of the project with a disagreeing month
    page.list.selectRow(r)
    assert page.name_label.text() == name
    assert "工资保证金：应存" in page.alerts.text() and f"{month} 不符" in page.alerts.text()
    texts = [page.months.item(i, 0).text() for i in range(page.months.rowCount())]
    assert len(texts) == 3 and month in texts
    # the disagreeing month is the one shown first, its wrong cells marked and explained
    assert page.month_title.text().startswith(f"{month} 逐人核对：2 人不符")
    marked = [(i, c) for i in range(page.detail.rowCount()) for c in range(page.detail.columnCount())
              if page.detail.item(i, c).background().color() == BAD]
    tips = {page.detail.item(i, c).toolTip() for i, c in marked}
    assert len(marked) == 3 and {c for _i, c in marked} == {2, 3, 4}
    assert any(t.startswith("出勤") and "计薪" in t for t in tips) and {"未列入花名册", "有工资发放、无考勤"} <= tips
    SHOTS.mkdir(exist_ok=True)
    QApplication.processEvents()
    page.grab().save(str(SHOTS / "project_file.png"))
    # another month agrees: nothing marked
    good = next(i for i, t in enumerate(texts) if t != month)
    page.months.selectRow(good)
    assert page.month_title.text().endswith("三册相符")
    assert not any(page.detail.item(i, c).background().color() == BAD for i in range(page.detail.rowCount())
                   for c in range(page.detail.columnCount()))
    # the overdue project's file says how late it is (opened as a finding of 数据审核 opens it)
    from models import projects as P
    assert page.select_project(P.project_id(page_ctx.store, overdue)) and page.name_label.text() == overdue
    assert "已逾期" in page.alerts.text() and "逾期未结算" in [b.text() for _a, b in page._cells["dates"]]
    QApplication.processEvents()
    page.grab().save(str(SHOTS / "project_overdue.png"))


def test_new_project_from_the_form_and_printing(page_ctx, qtbot, tmp_path, monkeypatch):
    import views.projects.project_page as pp
    from views.record_form import RecordForm
    page = _page(page_ctx, qtbot)
    before = page.list.rowCount()

    def fill_and_save(form):
        form.editors["name"].widget.setText("青山镇敬老院改造工程")
        form.editors["general_contractor"].widget.setText("四川守信建设有限公司")
        form.editors["labor_manager"].widget.setText("陈静")
        form.editors["contract_fen"].widget.setText("500万")
        form.save()
        assert form.result_value, form.summary.text()
        return 1
    monkeypatch.setattr(RecordForm, "exec", fill_and_save)
    page.new_project()
    assert page.list.rowCount() == before + 1
    assert page.name_label.text() == "青山镇敬老院改造工程"
    assert "应存 100,000.00 元（合同价款的 2%）" in page.alerts.text()
    assert "尚未导入考勤表和工资发放表" in page.month_title.text()
    out = tmp_path / "档案.pdf"
    monkeypatch.setattr(pp.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    page.print_file(".pdf")
    assert out.stat().st_size > 5_000


def test_rates_and_days_changed_from_the_page(page_ctx, qtbot, monkeypatch):
    from models import projects as P
    from views.projects import project_page as pp
    page = _page(page_ctx, qtbot)
    overdue = page_ctx.demo["overdue"]
    page.list.selectRow(_row_of(page.list, overdue))
    assert "（40 日内）" in page.alerts.text()

    def change(dlg):
        dlg.boxes[P.RATE_KEY].setValue(2.5)
        dlg.boxes[P.SETTLE_DAYS_KEY].setValue(90)
        dlg.save()
        return dlg.result()
    monkeypatch.setattr(pp.SettingsDialog, "exec", change)
    page.edit_settings()
    assert P.setting(page_ctx.store, P.RATE_KEY) == 2.5 and P.setting(page_ctx.store, P.SETTLE_DAYS_KEY) == 90
    # the list and the file follow: the project is within its (now 90) days and keeps 2.5 %
    r = _row_of(page.list, overdue)
    assert page.list.item(r, 3).text() == "结算期内" and page.name_label.text() == overdue
    assert "（90 日内）" in page.alerts.text() and "合同价款的 2.5%" in page.alerts.text()
