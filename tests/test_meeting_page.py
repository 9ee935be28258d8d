"""The 周调度会 page with pytest-qt: history, a new meeting prepared from the data, decisions,
freezing, closing, the minutes made off the GUI thread, follow-up, and a read-only closed meeting."""
from __future__ import annotations

import datetime as _dt
import random
from pathlib import Path

import pytest

from models import audit, meetings as M
from models.db import Store
from models.prefs import Prefs
from views.context import AppContext, DataBus

TODAY = _dt.date(2026, 11, 26)
SHOTS = Path("/tmp/shots")


@pytest.fixture
def page_ctx(demo_db, tmp_path):
    from models.demo.meetings import add_demo_meetings
    store = Store(demo_db, "办公室")
    add_demo_meetings(store, random.Random(7), TODAY)
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    ctx.today = lambda: TODAY
    yield ctx
    store.close()


@pytest.fixture(autouse=True)
def messages(monkeypatch):
    """Message boxes are modal: record them instead of waiting for a click."""
    import views.meeting_page as mp
    said: list[str] = []
    for name in ("warning", "information"):
        monkeypatch.setattr(mp.QMessageBox, name, staticmethod(lambda _p, _t, text, *a, **k: said.append(text)))
    monkeypatch.setattr(mp.QMessageBox, "question",
                        staticmethod(lambda *a, **k: mp.QMessageBox.StandardButton.Yes))
    return said


def _page(ctx, qtbot):
    from desktop.app import register_font
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication
    from views.meeting_page import MeetingPage
    register_font()
    QApplication.instance().setFont(QFont("WenQuanYi Micro Hei", 10))
    page = MeetingPage(ctx, "meetings")
    qtbot.addWidget(page)
    page.resize(1400, 860)
    page.show()
    return page


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SHOTS / name))


def test_closed_meeting_is_read_only_and_correction_is_audited(page_ctx, qtbot, messages):
    page = _page(page_ctx, qtbot)
    assert page.list.count() == len(M.list_meetings(page_ctx.store)) >= 11
    m = page.meeting
    assert m["status"] == "已关闭" and m["date"] == "2026-11-23"
    assert page.edits["place"].isReadOnly() and not page.buttons["save"].isEnabled()
    assert page.buttons["correct"].isEnabled() and page.buttons["pdf"].isEnabled()
    page.tabs.setCurrentIndex(2)
    assert page.report_table.rowCount() == 7 and "冻结" in page.report_note.text()
    page.start_correction("  ")                   # no reason: still read-only
    assert page.edits["place"].isReadOnly() and "理由" in messages[-1]
    page.start_correction("会议地点记录有误")
    assert not page.edits["place"].isReadOnly() and page.date_edit.isReadOnly()
    page.edits["place"].setText("镇政府二楼会议室")
    assert page.save()
    assert M.get_meeting(page_ctx.store, m["id"])["place"] == "镇政府二楼会议室"
    assert audit.history(page_ctx.store.conn, "meeting", m["id"])[-1]["reason"] == "会议地点记录有误"
    assert page.edits["place"].isReadOnly()      # back to read-only after saving


def test_a_new_meeting_from_preparation_to_minutes(page_ctx, qtbot, monkeypatch, tmp_path, messages):
    import views.meeting_page as mp
    page = _page(page_ctx, qtbot)
    # the new-meeting form is modal: accept it as filled in
    monkeypatch.setattr(mp.RecordForm, "exec", lambda self: (self.save(), self.result())[1])
    page.new_meeting("例会")
    m = page.meeting
    last = M.get_meeting(page_ctx.store, M.list_meetings(page_ctx.store)[1]["id"])
    assert m["date"] == "2026-11-30" and m["status"] == "筹备" and m["since_date"] == "2026-11-23"
    assert (m["place"], m["host"], m["recorder"]) == (last["place"], last["host"], last["recorder"])
    page.tabs.setCurrentIndex(1)                                       # figures are computed when shown
    agenda = M.agenda_for(page_ctx.store, m["id"], TODAY)
    assert page.fig_table.rowCount() == len(agenda.rows) + 1 >= 8      # the workstreams and 合计
    carried = M.carried_items(page_ctx.store, "2026-11-30", m["id"])
    assert page.carry_table.rowCount() == len(carried) > 0
    assert "二、通报前期交办事项办理情况" in page.edits["agenda"].toPlainText()
    qtbot.wait(50)
    _shot(page, "meeting.png")
    page.tabs.setCurrentIndex(2)
    assert not page.edits["place"].isReadOnly() and "尚未冻结" in page.report_note.text()

    M.add_decision(page_ctx.store, m["id"], "约谈恒通市政法定代表人，督促制定清偿计划", "欠薪化解专班", "卢成发",
                   "2026-12-04")
    page_ctx.changed("action_item")
    page.tabs.setCurrentIndex(3)
    assert page.decision_table.rowCount() == 1
    page.tabs.setCurrentIndex(2)
    page.report_table.selectRow(0)
    page.report_text.setPlainText("本周新增受理欠薪问题5件。")
    page.freeze()               # on 11-26 the meeting of 11-30 is still ahead: its figures cannot be taken yet
    assert M.frozen_rows(page_ctx.store, m["id"]) == [] and any("之后" in t or "尚未" in t for t in messages)
    messages.clear()
    page_ctx.today = lambda: _dt.date(2026, 11, 30)
    page.freeze()
    assert page.meeting["status"] == "已召开" and "冻结" in page.report_note.text()
    assert M.meeting_reports(page_ctx.store, m["id"])[0]["report_text"] == "本周新增受理欠薪问题5件。"
    page.generate_body()
    assert "第" in page.edits["body"].toPlainText() and "周调度会议" in page.edits["body"].toPlainText()
    page.tabs.setCurrentIndex(3)
    qtbot.wait(50)
    _shot(page, "meeting_decisions.png")

    out = tmp_path / "纪要.pdf"
    job = page.export_minutes(str(out))
    qtbot.waitUntil(lambda: page.last_pdf is not None, timeout=20000)
    job.wait()
    assert out.exists() and out.stat().st_size > 10_000 and not messages

    page.close_meeting()
    assert page.meeting["status"] == "已关闭" and page.edits["body"].isReadOnly()


def test_follow_up_closes_an_item(page_ctx, qtbot):
    page = _page(page_ctx, qtbot)
    page.tabs.setCurrentIndex(4)
    before = page.track_table.rowCount()
    assert before > 0 and "逾期" in page.track_note.text()
    page.track_table.selectRow(0)
    item_id = page._selected(page.track_table)
    page.add_progress("已约谈企业负责人")
    page.track_table.selectRow(0)
    page.close_item("已办结，经核实销号")
    assert page.track_table.rowCount() == before - 1
    row = page_ctx.store.one("SELECT status, closed_on, progress FROM action_item WHERE id = ?", (item_id,))
    assert row["status"] == "已办结" and row["closed_on"] == TODAY.isoformat() and "已约谈企业负责人" in row["progress"]
    qtbot.wait(50)
    _shot(page, "meeting_tracking.png")
