"""The window passes the logged-in account to every import and export, a 领导 cannot import,
and the audit viewer shows full numbers only to 办公室, on record (issue 14 break 6, issue 20)."""
from __future__ import annotations

import datetime as _dt
import json

import pytest

from models import access, case_workers
from models.db import Store
from models.prefs import Prefs
from models.rules.idcard import make_valid_id
from views.context import AppContext, DataBus

ID_NO = make_valid_id("511322", _dt.date(1985, 3, 4), 17)
PETITIONS = ("来访日期,来访人,联系电话,信访形式,反映问题\n"
             "2026-11-20,赵六,13812345678,来访,反映工地欠薪\n"
             "2026-11-21,钱七,13912345678,来电,反映工资拖欠\n")


@pytest.fixture
def accounts_db(demo_db):
    s = Store(demo_db, "测试")
    access.create_account(s, "office", "secret1", "办公室")
    s.actor = access.login(s, "office", "secret1")
    ws = s.scalar("SELECT workstream_id FROM case_record WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    access.create_account(s, "clerk", "secret2", "专班填报员", workstream_id=ws)
    access.create_account(s, "leader", "secret3", "领导")
    s.close()
    return demo_db


def _ctx(db, tmp_path, username, password):
    store = Store(db)
    store.actor = access.login(store, username, password)
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    ctx.today = lambda: _dt.date(2026, 11, 26)
    return ctx


def _drive_import(file, qtbot, seen):
    """Stands in for the user in the import dialog: choose the file, wait for the check, press 导入."""
    def run(dlg):
        seen.append(dlg)
        dlg.set_file(str(file))
        qtbot.waitUntil(lambda: dlg.plan is not None, timeout=20000)
        if dlg.import_button.isEnabled():
            dlg.import_button.click()
            qtbot.waitUntil(lambda: dlg.result is not None or "导入失败" in dlg.status_label.text(), timeout=20000)
        return 0
    return run


def _petitions(db):
    s = Store(db, check=False)
    try:
        return s.scalar("SELECT COUNT(*) FROM petition")
    finally:
        s.close()


def test_a_leader_cannot_import_from_a_ledger_page(accounts_db, tmp_path, qtbot, monkeypatch, app_font):
    from PySide6.QtWidgets import QMessageBox
    from views import import_dialog
    from views.generic_ledger_page import GenericLedgerPage
    file = tmp_path / "信访.csv"
    file.write_text(PETITIONS, encoding="utf-8-sig")
    seen, told = [], []
    monkeypatch.setattr(import_dialog.ImportDialog, "exec", _drive_import(file, qtbot, seen))
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: told.append(text))
    before = _petitions(accounts_db)
    ctx = _ctx(accounts_db, tmp_path, "leader", "secret3")
    page = GenericLedgerPage(ctx, "petitions")
    qtbot.addWidget(page)
    page.import_file()
    assert _petitions(accounts_db) == before
    assert told and "领导账号只能查看和打印" in told[0] and not seen
    assert not page.act_import.isEnabled()      # and the button says so before anyone presses it
    ctx.store.close()


def test_the_ledger_page_imports_as_the_logged_in_clerk(accounts_db, tmp_path, qtbot, monkeypatch, app_font):
    from views import import_dialog
    from views.generic_ledger_page import GenericLedgerPage
    ctx = _ctx(accounts_db, tmp_path, "clerk", "secret2")
    file = tmp_path / "信访.csv"
    lines = PETITIONS.splitlines()
    file.write_text("\n".join([lines[0] + ",交办专班"] + [f"{x},{ctx.actor.workstream_name}" for x in lines[1:]]) + "\n",
                    encoding="utf-8-sig")
    seen = []
    monkeypatch.setattr(import_dialog.ImportDialog, "exec", _drive_import(file, qtbot, seen))
    before = _petitions(accounts_db)
    page = GenericLedgerPage(ctx, "petitions")
    qtbot.addWidget(page)
    page.import_file()
    assert seen and seen[0].actor == ctx.store.actor
    assert seen[0].result and seen[0].result["inserted"] == 2, seen[0].status_label.text()
    assert _petitions(accounts_db) == before + 2
    s = Store(accounts_db, check=False)
    assert [r[0] for r in s.query("SELECT user FROM audit_log WHERE table_name = 'petition' "
                                  "AND action = 'insert' ORDER BY id DESC LIMIT 2")] == ["clerk", "clerk"]
    s.close()
    ctx.store.close()


def test_a_dialog_opened_without_the_account_writes_nothing(accounts_db, tmp_path, qtbot, app_font):
    """A call site that forgets the account cannot write: the database refuses a write with no actor."""
    from views.import_dialog import ImportDialog
    file = tmp_path / "信访.csv"
    file.write_text(PETITIONS, encoding="utf-8-sig")
    before = _petitions(accounts_db)
    dlg = ImportDialog(None, str(accounts_db), "petitions", "someone")
    qtbot.addWidget(dlg)
    _drive_import(file, qtbot, [])(dlg)
    assert "须先登录" in dlg.status_label.text() and dlg.result is None
    assert _petitions(accounts_db) == before


def test_the_audit_viewer_reveals_full_numbers_to_the_office_only_and_on_record(accounts_db, tmp_path, qtbot,
                                                                                 app_font):
    from views.audit_page import AuditPage
    ctx = _ctx(accounts_db, tmp_path, "office", "secret1")
    case_id = ctx.store.scalar("SELECT id FROM case_record WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    wid = case_workers.add_worker(ctx.store, case_id, {"name": "王五", "id_number": ID_NO, "phone": "13812345678",
                                                       "owed_fen": 100000})
    page = AuditPage(ctx)
    qtbot.addWidget(page)
    page.table_box.setCurrentIndex(page.table_box.findData("worker"))
    page.record.setText(str(wid))
    page.apply()
    assert page.model.rowCount() == 1
    page.table.selectRow(0)
    page.show_detail(page.table.current_id())
    html = page.detail.toHtml()
    assert ID_NO not in html and ID_NO[:6] + "********" + ID_NO[-4:] in html
    assert page.reveal_button.isVisibleTo(page) and page.reveal_button.isEnabled()
    page.reveal()
    assert page.revealed == {"身份证号码": ID_NO, "联系方式": "13812345678", "银行卡号": ""}
    assert ID_NO in page.detail.toHtml()
    row = ctx.store.one("SELECT user, action, table_name, record_id, after FROM audit_log ORDER BY id DESC LIMIT 1")
    assert (row["user"], row["action"], row["table_name"], row["record_id"]) == ("office", "reveal", "worker", wid)
    assert "审计日志" in json.loads(row["after"])["显示"]
    ctx.store.close()
    # a clerk sees the masked log and no way to the full numbers
    ctx = _ctx(accounts_db, tmp_path, "clerk", "secret2")
    page = AuditPage(ctx)
    qtbot.addWidget(page)
    assert not page.reveal_button.isVisibleTo(page)
    page.table_box.setCurrentIndex(page.table_box.findData("worker"))
    page.record.setText(str(wid))
    page.apply()
    page.table.selectRow(0)
    page.show_detail(page.table.current_id())
    page.reveal()
    assert page.revealed == {} and ID_NO not in page.detail.toHtml()
    ctx.store.close()


def test_campaign_settings_are_read_only_on_screen_for_a_clerk(accounts_db, tmp_path, qtbot, app_font):
    from PySide6.QtWidgets import QPushButton
    from views.setup_page import SetupPage
    ctx = _ctx(accounts_db, tmp_path, "clerk", "secret2")
    page = SetupPage(ctx)
    qtbot.addWidget(page)
    buttons = page.findChildren(QPushButton)
    assert buttons and not any(b.isEnabled() for b in buttons)
    assert "只有办公室账号可以修改" in buttons[0].toolTip()
    ctx.store.close()
    ctx = _ctx(accounts_db, tmp_path, "office", "secret1")
    page = SetupPage(ctx)
    qtbot.addWidget(page)
    assert all(b.isEnabled() for b in page.findChildren(QPushButton) if b.text().startswith("保存"))
    ctx.store.close()


def test_the_demo_township_opens_after_the_administrator_is_created(store, qtbot, app_font):
    """First run in the window: the administrator is created first, then the demo is generated as
    that account (with no account logged in the database would refuse it)."""
    from views.first_run import FirstRunDialog
    from views.login import CreateAdminDialog
    admin = CreateAdminDialog(None, store)
    qtbot.addWidget(admin)
    admin.pw1.setText("abcdef")
    admin.pw2.setText("abcdef")
    admin.create()
    store.actor = admin.actor
    dlg = FirstRunDialog(None, store)
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.accepted, timeout=60000):
        dlg.open_demo()
    assert store.scalar("SELECT COUNT(*) FROM case_record") > 100
    assert store.scalar("SELECT user FROM audit_log WHERE table_name = 'campaign' ORDER BY id LIMIT 1") == "办公室"
