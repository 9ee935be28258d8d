"""After sign-off (审核签字), a record of the signed ledger changes only with a person's own
reason, whichever way the change comes: the program's name for what it does (清欠资金分配,
撤销资金分配, 垫付从回收站恢复) is kept in the audit but is no reason. And every such change can be
made, with a reason, on the command line and in the window: a record moved to the recycle bin
after sign-off can be restored (it could not be, so it was lost for good).

A repayment and the fund allocation that paid it leave and come back from the recycle bin
together; a restore that would spend a fund twice or overpay a worker is refused."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from models import campaign, case_workers, funds, signoff
from models.db import Store
from models.errors import PermissionDenied
from models.ledger.repo import ValidationError
from models.ledger.service import service_for

TODAY = dt.date.today()


@pytest.fixture
def signed(tmp_path) -> Path:
    return build_signed(tmp_path / "镇.sqlite")


def build_signed(db: Path) -> Path:
    """A case of 3,000 元 owed to one worker, a fund of 10,000 元, the ledger signed off."""
    s = Store(db, "办公室")
    campaign.create_campaign(s, "2026年根治欠薪冬季专项行动", "青山县青山镇人民政府", dt.date(2026, 9, 14))
    ws = campaign.workstreams(s)[0]
    cid = service_for(s, "cases").insert({"case_no": "S-1", "registered_on": "2026-10-08", "employer_name": "甲公司",
                                          "workstream_id": ws["id"]})
    service_for(s, "workers").insert({"case_id": cid, "name": "张三", "owed_fen": 300_000})
    funds.save_fund(s, {"channel": "财政",
                        "received_fen": 1_000_000, "received_on": "2026-10-01", "fund_no": "ZJ2026-001"})
    signoff.sign_off(s, ws["id"], TODAY.isoformat())
    s.close()
    return db


def _ids(s):
    return (s.scalar("SELECT id FROM case_record WHERE case_no = 'S-1'"), s.scalar("SELECT id FROM worker"),
            s.scalar("SELECT id FROM fund"))


def _paid(s) -> int:
    return s.scalar("SELECT paid_fen FROM worker")


def test_a_fund_allocation_to_a_signed_ledger_needs_a_persons_reason(signed):
    s = Store(signed, "办公室")
    try:
        cid, wid, fid = _ids(s)
        with pytest.raises(PermissionDenied, match="须填写理由"):
            funds.allocate(s, fid, cid, 100_000, TODAY, worker_id=wid)
        assert _paid(s) == 0 and funds.balance(s, fid) == 1_000_000
        funds.allocate(s, fid, cid, 100_000, TODAY, worker_id=wid, reason="签字后到位资金")
        assert _paid(s) == 100_000
        reasons = {r[0] for r in s.query("SELECT reason FROM audit_log WHERE table_name = 'worker' AND action != 'insert'")}
        assert reasons == {"清欠资金分配：签字后到位资金"}
        aid = s.scalar("SELECT id FROM fund_allocation")
        with pytest.raises(PermissionDenied):
            funds.cancel_allocation(s, aid)                 # the program's own words are no reason
        funds.cancel_allocation(s, aid, "分错了问题")
        assert _paid(s) == 0 and funds.balance(s, fid) == 1_000_000
    finally:
        s.close()


def test_a_record_moved_to_the_bin_after_sign_off_comes_back_with_a_reason(signed, capsys):
    from desktop import cli
    code = cli.main(["recycle", "move", "cases", "S-1", "--reason", "误操作", "--db", str(signed)])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    code = cli.main(["recycle", "restore", "cases", "S-1", "--db", str(signed)])
    assert code != 0 and "理由" in capsys.readouterr().err
    code = cli.main(["recycle", "restore", "cases", "S-1", "--db", str(signed), "--reason", "误删恢复", "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["ok"]
    s = Store(signed)
    try:
        assert s.scalar("SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL") == 1
        assert s.scalar("SELECT reason FROM audit_log WHERE table_name = 'case_record' ORDER BY id DESC LIMIT 1") == "误删恢复"
    finally:
        s.close()


def test_case_pay_on_the_command_line_takes_a_reason_after_sign_off(signed, capsys):
    from desktop import cli
    args = ["case", "pay", "S-1", "--amount", "1000", "--worker", "张三", "--date", "2026-11-02", "--db", str(signed)]
    assert cli.main(args) != 0 and "理由" in capsys.readouterr().err
    assert cli.main(args + ["--reason", "补录签字前已付的一笔"]) == 0
    s = Store(signed)
    try:
        assert _paid(s) == 100_000
    finally:
        s.close()


@pytest.fixture
def unsigned(tmp_path) -> Store:
    s = Store(tmp_path / "镇.sqlite", "办公室")
    campaign.create_campaign(s, "2026年根治欠薪冬季专项行动", "青山县青山镇人民政府", dt.date(2026, 9, 14))
    cid = service_for(s, "cases").insert({"case_no": "S-1", "registered_on": "2026-10-08", "employer_name": "甲公司"})
    service_for(s, "workers").insert({"case_id": cid, "name": "张三", "owed_fen": 300_000})
    funds.save_fund(s, {"channel": "财政", "received_fen": 200_000,
                        "received_on": "2026-10-01", "fund_no": "ZJ2026-001"})
    yield s
    s.close()


def _allocated_then_cancelled(s):
    """1,500 元 of the fund paid to the worker, then taken back: (case, worker, fund, allocation,
    repayment) ids."""
    cid, wid, fid = _ids(s)
    funds.allocate(s, fid, cid, 150_000, "2026-11-02", worker_id=wid)
    aid, rid = s.one("SELECT id, repayment_id FROM fund_allocation")
    funds.cancel_allocation(s, aid, "分错")
    return cid, wid, fid, aid, rid


def test_a_repayment_restored_from_the_bin_brings_its_allocation_back(unsigned):
    s = unsigned
    cid, wid, fid, aid, rid = _allocated_then_cancelled(s)
    assert (_paid(s), funds.balance(s, fid)) == (0, 200_000)
    service_for(s, "repayments").restore([rid])
    # both halves back: paid once, spent once
    assert (_paid(s), funds.balance(s, fid)) == (150_000, 50_000)
    assert s.scalar("SELECT deleted_at FROM fund_allocation WHERE id = ?", (aid,)) is None
    # and from the allocation's side the same
    funds.cancel_allocation(s, aid, "再撤")
    service_for(s, "fund_allocations").restore([aid])
    assert (_paid(s), funds.balance(s, fid)) == (150_000, 50_000)
    assert s.scalar("SELECT COUNT(*) FROM repayment WHERE deleted_at IS NULL") == 1


def test_a_restore_that_would_spend_a_fund_twice_or_overpay_is_refused(unsigned):
    s = unsigned
    cid, wid, fid, aid, rid = _allocated_then_cancelled(s)
    funds.allocate(s, fid, cid, 100_000, "2026-11-03", worker_id=wid)        # the fund spent elsewhere meanwhile
    with pytest.raises(ValidationError, match="余额 1,000.00 元已不足"):
        service_for(s, "repayments").restore([rid])
    assert (_paid(s), funds.balance(s, fid)) == (100_000, 100_000)
    # a plain repayment whose worker has been paid since
    other = case_workers.record_repayment(s, cid, {"paid_on": "2026-11-04", "amount_fen": 150_000, "worker_id": wid})
    service_for(s, "repayments").recycle([other], "重复")
    case_workers.record_repayment(s, cid, {"paid_on": "2026-11-05", "amount_fen": 200_000, "worker_id": wid})
    with pytest.raises(ValidationError, match="不能恢复"):
        service_for(s, "repayments").restore([other])
    assert _paid(s) == 300_000


def test_the_window_asks_for_the_reason_when_the_ledger_is_signed(signed, qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget
    from views.reason_prompt import with_reason
    s = Store(signed, "办公室")
    try:
        cid, wid, fid = _ids(s)
        asked = []
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (asked.append(a[2]) or ("签字后资金到位", True)))
        monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: pytest.fail(f"refused: {a[2]}"))
        parent = QWidget()
        qtbot.addWidget(parent)
        assert with_reason(parent, "分配清欠资金",
                           lambda why: funds.allocate(s, fid, cid, 50_000, TODAY, worker_id=wid, reason=why))
        assert asked and "审核签字" in asked[0] and _paid(s) == 50_000
    finally:
        s.close()
