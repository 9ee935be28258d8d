"""Login, 数据审核 and the audit viewer on screen."""
from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import pytest

from models import access, campaign, cases
from models.prefs import Prefs
from views.context import AppContext, DataBus

SHOTS = Path(os.environ.get("QINGQIAN_SHOTS", "")) if os.environ.get("QINGQIAN_SHOTS") else None


def _shot(widget, name):
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / name))


@pytest.fixture
def office(campaign_store):
    s = campaign_store
    ws = campaign.workstreams(s)
    for i in range(3):
        cases.register_case(s, {"registered_on": "2026-11-02", "employer_name": f"单位{i}", "workstream_id": ws[0]["id"],
                                "amount_fen": 100000})
    with s.tx():
        # planted: marked 已化解 with its 1,000 元 unpaid (and no 核处结论: that alone is only 待补录)
        s.execute("UPDATE case_record SET status = '已化解' WHERE id = 1")
    access.create_account(s, "office", "secret1", "办公室", "张丽")
    s.actor = access.login(s, "office", "secret1")
    return s


def _ctx(store, tmp_path):
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / "p.json"), bus=DataBus())
    ctx.today = lambda: _dt.date(2026, 11, 26)
    return ctx


def test_login_dialog(office, qtbot, app_font):
    from views.login import LoginDialog
    dlg = LoginDialog(None, office, "office")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.password.setText("wrong")
    dlg.try_login()
    assert "还可再试 4 次" in dlg.error.text() and dlg.actor is None
    _shot(dlg, "login.png")
    dlg.password.setText("secret1")
    dlg.try_login()
    assert dlg.actor is not None and dlg.actor.role == "办公室"


def test_create_admin_dialog(store, qtbot, app_font):
    from views.login import CreateAdminDialog
    dlg = CreateAdminDialog(None, store)
    qtbot.addWidget(dlg)
    dlg.pw1.setText("abcdef")
    dlg.pw2.setText("abcdeg")
    dlg.create()
    assert "不一致" in dlg.error.text()
    dlg.pw2.setText("abcdef")
    dlg.create()
    assert dlg.actor.role == "办公室" and access.has_accounts(store.conn)


def test_checks_page_finds_planted_fault_and_signs(office, qtbot, tmp_path, app_font):
    from views.checks_page import ChecksPage
    page = ChecksPage(_ctx(office, tmp_path))
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    page.run()
    qtbot.waitUntil(lambda: page.report is not None, timeout=10000)
    texts = [page.table.item(r, 3).text() for r in range(page.table.rowCount())]
    assert any("已化解" in t and "未付" in t for t in texts)
    page.ws_box.setCurrentIndex(1)
    page.sign()
    assert "未说明理由" in page.sign_msg.text()
    for r in range(page.table.rowCount()):
        page.table.item(r, 4).setText("已核实，结论待补录")
    page.sign()
    assert page.sign_msg.text() == "已签字。"
    _shot(page, "checks.png")


def test_audit_viewer_filters(office, qtbot, tmp_path, app_font):
    from views.audit_page import AuditPage
    cases.edit_case(office, 2, {"summary": "补充情况"}, reason="核实后补充")
    page = AuditPage(_ctx(office, tmp_path))
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    total = page.model.rowCount()
    page.table_box.setCurrentIndex(page.table_box.findData("case_record"))
    page.action_box.setCurrentIndex(page.action_box.findData("update"))
    assert 0 < page.model.rowCount() < total
    page.table.selectRow(0)
    page.show_detail(page.table.current_id())
    assert "补充情况" in page.detail.toHtml() and "核实后补充" in page.detail.toHtml()
    _shot(page, "audit.png")


def test_first_run_opens_the_demo_township(store, qtbot, app_font):
    from views.first_run import FirstRunDialog
    dlg = FirstRunDialog(None, store)
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.accepted, timeout=60000):
        dlg.open_demo()
    assert store.scalar("SELECT COUNT(*) FROM case_record") > 100
    assert campaign.current(store) is not None


def test_first_run_refuses_a_campaign_without_unit(store, qtbot, app_font):
    from views.first_run import FirstRunDialog
    dlg = FirstRunDialog(None, store)
    qtbot.addWidget(dlg)
    dlg.create()
    assert "填报单位" in dlg.error.text() and campaign.current(store) is None
    dlg.unit.setText("青山县青山镇人民政府")
    dlg.create()
    assert campaign.current(store).unit == "青山县青山镇人民政府"
    assert len(campaign.workstreams(store)) == 7
