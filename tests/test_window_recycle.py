"""Moving records to the recycle bin from the window goes through each ledger's service, as the
command line's ``recycle move`` does: the person gives the reason (it is the audit's reason and
the 修改理由 a signed ledger asks for, never a label of the program's), and the ledger's rules
about money tied to the record are kept (a fund that has paid workers is refused)."""
from __future__ import annotations

import pytest

from tests.test_ledger_pages import _ctx, ledger_store  # noqa: F401 - the fixture


def _dialogs(monkeypatch, answers):
    from PySide6.QtWidgets import QInputDialog, QMessageBox
    said = {"info": [], "warning": [], "asked": []}
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (said["asked"].append(a[2]) or answers.pop(0)))
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
    name = s.scalar("SELECT petitioner FROM petition WHERE id = ?", (pid,))
    assert said["asked"][0].startswith(f"将选中的 1 条记录（{name}）移入回收站。")      # the person sees which
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


def test_a_form_on_a_signed_ledger_asks_for_the_reason_and_saves_with_it(tmp_path, qtbot, monkeypatch):
    """Editing a record of a signed ledger in a form: the write is refused for want of a 修改理由,
    the form asks for one and saves with it (before, the refusal escaped the form as an error)."""
    from PySide6.QtWidgets import QInputDialog, QMessageBox
    from models import cases
    from models.ledger import registry
    from models.db import Store
    from tests.test_signed_reasons import build_signed
    from views.record_form import RecordForm
    s = Store(build_signed(tmp_path / "镇.sqlite"), "办公室")
    try:
        cid = s.scalar("SELECT id FROM case_record WHERE case_no = 'S-1'")
        row = dict(s.one("SELECT * FROM case_record WHERE id = ?", (cid,)))
        asked, warned = [], []
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (asked.append(a[2]) or ("核实后更正单位名称", True)))
        monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))
        form = RecordForm(None, registry.get("cases"), "编辑问题", row,
                          on_save=lambda v, reason="": cases.edit_case(s, cid, {"employer_name": "甲建筑公司"}, reason))
        qtbot.addWidget(form)
        form.save()
        assert asked and "审核签字" in asked[0] and not warned
        assert s.scalar("SELECT employer_name FROM case_record WHERE id = ?", (cid,)) == "甲建筑公司"
        assert "核实后更正单位名称" in s.scalar("SELECT reason FROM audit_log WHERE table_name = 'case_record' "
                                                "AND record_id = ? ORDER BY id DESC LIMIT 1", (cid,))
    finally:
        s.close()
