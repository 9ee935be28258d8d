"""Saving a year's holidays in the window moves the open cases' deadlines that followed the
old calendar, audited, as ``qingqian holidays import`` does, and says how many moved."""
from __future__ import annotations

import datetime as dt

from models.db import Store


def test_saving_a_year_in_the_window_recomputes_open_deadlines(demo_db, qtbot, app_font, tmp_path):
    from models.cases import register_case
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    from views.setup_page import SetupPage
    store = Store(demo_db, "办公室")
    try:
        today = dt.date(2026, 12, 10)
        store.today = today
        cid = register_case(store, {"registered_on": "2026-12-10", "employer_name": "测试建筑公司",
                                    "amount_fen": 100000, "deadline_days": 20}, today=today)
        before = store.scalar("SELECT deadline FROM case_record WHERE id = ?", (cid,))
        ctx = AppContext(store=store, prefs=Prefs(tmp_path / "p.json"), bus=DataBus())
        ctx.today = lambda: today
        page = SetupPage(ctx)
        qtbot.addWidget(page)
        page.cal_year.setValue(2027)
        page.cal_text.setPlainText("2027-01-01 至 2027-01-03 放假\n2027-01-04 至 2027-01-06 放假")
        audits = store.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'case_record' AND action = 'update'")
        page.save_calendar()
        after = store.scalar("SELECT deadline FROM case_record WHERE id = ?", (cid,))
        assert after > before                                   # three more days off: later
        assert "办结时限按新安排重算" in page.cal_msg.text() and "件" in page.cal_msg.text()
        assert store.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'case_record' "
                            "AND action = 'update'") > audits
    finally:
        store.close()


def test_the_evidence_settings_are_saved_from_the_window(demo_db, qtbot, app_font, tmp_path):
    from models import attachments
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    from views.setup_page import SetupPage
    store = Store(demo_db, "办公室")
    try:
        ctx = AppContext(store=store, prefs=Prefs(tmp_path / "p.json"), bus=DataBus())
        page = SetupPage(ctx)
        qtbot.addWidget(page)
        assert not page.proof_box.isChecked() and page.max_mb.value() == 20
        page.proof_box.setChecked(True)
        page.max_mb.setValue(5)
        page.save_evidence()
        assert attachments.proof_required(store) and attachments.max_bytes(store) == 5 * 1024 * 1024
        assert page.evidence_msg.text() == "已保存。"
    finally:
        store.close()
