"""Screens of the case ledger, with pytest-qt."""
from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from models import case_workers, cases
from models.ledger.repo import Query
from models.prefs import Prefs
from views.context import AppContext, DataBus
from views.ledger_model import LedgerTableModel

TODAY = _dt.date(2026, 11, 26)


def _ctx(store, tmp_path):
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    ctx.today = lambda: TODAY
    return ctx


def test_model_passes_qtmodeltester(filled, qtmodeltester):
    model = LedgerTableModel(cases.repo(filled))
    model.reload()
    qtmodeltester.check(model)
    workers = LedgerTableModel(case_workers.workers_repo(filled))
    workers.reload()
    qtmodeltester.check(workers)


def test_model_streams_ids_and_sorts_in_sql(filled, qtbot, monkeypatch):
    import views.ledger_model as lm
    monkeypatch.setattr(lm, "PREFIX", 10)
    monkeypatch.setattr(lm, "CHUNK", 7)
    model = LedgerTableModel(cases.repo(filled))
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.reload()
    assert model.rowCount() == 60 and model.fully_loaded
    col = [f.name for f in model.fields].index("total_owed_fen")
    model.sort(col, Qt.SortOrder.DescendingOrder)
    model.finish_loading()
    values = [model.data(model.index(r, col), Qt.ItemDataRole.UserRole) for r in range(60)]
    assert values == sorted(values, reverse=True)
    assert model.data(model.index(0, col)) == "6,000.00"


def test_filters_and_search(filled, qtbot, tmp_path):
    from views.case_page import CasePage
    page = CasePage(_ctx(filled, tmp_path))
    qtbot.addWidget(page)
    assert page.model.rowCount() == 60
    page.source_box.setCurrentIndex(page.source_box.findData("信访来访"))
    assert page.model.rowCount() == 30
    page.search.setText("华厦")
    qtbot.waitUntil(lambda: page.model.rowCount() == 30, timeout=2000)
    page.search.setText("宏达建筑")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=2000)
    page.source_box.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.model.rowCount() == 30, timeout=2000)
    assert "检索“宏达建筑”" in page.totals.text()
    page.search.clear()
    page.date_from.setText("2026-10-01")
    page.date_to.setText("2026/10/2")
    page.apply_filters()
    assert page.model.rowCount() == 6     # days 1 and 2 of each 28-day round: i, i+28, i+56


def test_copy_rows_as_tsv(filled, qtbot, tmp_path):
    from views.case_page import CasePage
    page = CasePage(_ctx(filled, tmp_path))
    qtbot.addWidget(page)
    page.table.selectRow(0)
    page.table.copy_selection()
    text = QApplication.clipboard().text()
    lines = text.strip("\n").split("\n")
    assert lines[0].split("\t")[0] == "编号" and len(lines) == 2
    assert lines[1].split("\t")[0].startswith("QQ2026-")


def test_worker_table_masks_personal_numbers(filled, qtbot, tmp_path):
    from views.worker_page import WorkerPage
    page = WorkerPage(_ctx(filled, tmp_path))
    qtbot.addWidget(page)
    names = [f.name for f in page.model.fields]
    row = [page.model.data(page.model.index(0, c)) for c in range(len(names))]
    idn = row[names.index("id_number")]
    assert "*" in idn and len(idn) == 18
    assert row[names.index("phone")] == "138****5678"
    # the search box names what the search looks at: the declared search fields, no phone
    assert page.search.placeholderText() == "检索姓名、身份证号码、工种（Ctrl+F）"


def test_new_case_form_refuses_bad_input_then_saves(filled, qtbot, tmp_path):
    from views.record_form import RecordForm
    s = filled
    repo = cases.repo(s)
    fields = [f for f in repo.ledger.form_fields if f.name not in ("status", "verdict", "deadline")]
    form = RecordForm(None, repo.ledger, "新增欠薪问题", {"case_no": "QQ2026-0099", "registered_on": "2026-11-20"}, fields=fields,
                      on_save=lambda v: cases.register_case(s, v))
    qtbot.addWidget(form)
    form.editors["amount_fen"].widget.setText("一千")
    form.editors["period_from"].widget.setText("2026-10-01")
    form.editors["period_to"].widget.setText("2026-09-01")
    before = s.scalar("SELECT COUNT(*) FROM case_record")
    form.save()
    assert form.result() == 0
    assert "不是金额" in form.editors["amount_fen"].error.text()
    assert s.scalar("SELECT COUNT(*) FROM case_record") == before
    form.editors["amount_fen"].widget.setText("1.2万")
    form.save()
    assert "早于开始日期" in form.editors["period_to"].error.text()
    form.editors["period_to"].widget.setText("2026-10-31")
    form.save()
    assert form.result() == 1
    row = repo.get(form.result_value)
    assert row["amount_fen"] == 1_200_000


def test_window_shows_every_page(filled, qtbot, tmp_path):
    from desktop.app import build_window, register_font
    register_font()
    window = build_window(filled, Prefs(tmp_path / "p.json"), today=TODAY, interactive=False)
    qtbot.addWidget(window)
    window.show()
    for spec in window.specs:
        page = window.show_page(spec.key)
        assert page.isVisible()
    shots = tmp_path / "shots"
    shots.mkdir()
    window.show_page("cases")
    window.grab().save(str(shots / "cases.png"))
    assert (shots / "cases.png").stat().st_size > 10000
