"""Moving records to the recycle bin from the window goes through each ledger's service, as the
command line's ``recycle move`` does: the person gives the reason (it is the audit's reason and
the 修改理由 a signed ledger asks for, never a label of the program's), and the ledger's rules
about money tied to the record are kept (a fund that has paid workers is refused)."""
from __future__ import annotations

import pytest

from tests.test_ledger_pages import _ctx, ledger_store  # noqa: F401 - the fixture


def _dialogs(monkeypatch, answers):
    from PySide6.QtWidgets import QInputDialog, QMessageBox
    said = {"info": [], "warning": []}
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: answers.pop(0))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: said["info"].append(a[2]))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: said["warning"].append(a[2]))
    return said


def test_the_window_asks_why_and_writes_it_to_the_audit(ledger_store, qtbot, tmp_path, monkeypatch):  # noqa: F811
    from views.generic_ledger_page import GenericLedgerPage
    s = ledger_store
    page = GenericLedgerPage(_ctx(s, tmp_path), "petitions")
    qtbot.addWidget(page)
    pid = s.scalar("SELECT id FROM petition WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    page.table.select_record(pid)
    said = _dialogs(monkeypatch, [("  ", True), ("来访登记重复", True)])    # a blank reason is asked again
    page.recycle()
    assert said["info"] == ["移入回收站须说明理由。"] and not said["warning"]
    assert s.scalar("SELECT deleted_at FROM petition WHERE id = ?", (pid,)) is not None
    assert s.scalar("SELECT reason FROM audit_log WHERE table_name = 'petition' AND record_id = ? "
                    "ORDER BY id DESC LIMIT 1", (pid,)) == "来访登记重复"
    # cancelled: nothing moved
    other = s.scalar("SELECT id FROM petition WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    page.table.select_record(other)
    _dialogs(monkeypatch, [("", False)])
    page.recycle()
    assert s.scalar("SELECT deleted_at FROM petition WHERE id = ?", (other,)) is None
    page.close()


def test_a_fund_that_paid_workers_is_refused_in_the_window_too(ledger_store, qtbot, tmp_path, monkeypatch):  # noqa: F811
    from views.generic_ledger_page import GenericLedgerPage
    s = ledger_store
    fid = s.scalar("SELECT fund_id FROM fund_allocation WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    if fid is None:
        pytest.fail("the demo ledgers have no fund allocation")
    page = GenericLedgerPage(_ctx(s, tmp_path), "funds")
    qtbot.addWidget(page)
    page.table.select_record(fid)
    said = _dialogs(monkeypatch, [("误录", True)])
    page.recycle()
    assert said["warning"] and "分配" in said["warning"][0]
    assert s.scalar("SELECT deleted_at FROM fund WHERE id = ?", (fid,)) is None
    page.close()
