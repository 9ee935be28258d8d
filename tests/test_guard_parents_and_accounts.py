"""The guard triggers after sign-off and for records without a workstream of their own.

- The signed-ledger lock is for ledger records: after a workstream's ledger is signed off, its
  clerks still log in (the log-in bookkeeping writes the ``account`` row) and wrong passwords still
  count toward the lock.
- An advance's recovery and a contract's instalment (and an instalment's payment) belong to their
  parent's workstream: that workstream's 专班填报员 may write them, another's may not.
- A database made before the fix (guard triggers of generator version 1) gets the fixed triggers
  when it is opened (migration step 19)."""
from __future__ import annotations

import datetime as _dt
import sqlite3

import pytest

from models import access, advances, campaign, contracts, migrations
from models.db import PermissionDenied, Store
from models.migration_steps import reinstall_all, triggers_v1

TODAY = _dt.date(2026, 11, 26)          # the demo's day (tests/conftest.py)


def _accounts(s: Store) -> dict:
    ws = {w["name"]: w["id"] for w in campaign.workstreams(s)}
    access.create_account(s, "office", "secret1", "办公室")
    s.actor = access.login(s, "office", "secret1")
    names = {"欠薪化解专班": "qx", "拖欠工程款化解专班": "gck"}
    for w, wid in ws.items():                   # one 专班填报员 for each workstream
        access.create_account(s, names.get(w, f"w{wid}"), "secret2", "专班填报员", workstream_id=wid)
    return ws


def _sign(s: Store, ws_id: int) -> None:
    with s.tx():
        s.insert("signoff", {"workstream_id": ws_id, "as_of": _dt.date.today().isoformat(), "signed_by": "office",
                             "passed": 1})


def _logs_in_after_sign_off(s: Store, ws: dict) -> None:
    _sign(s, ws["欠薪化解专班"])
    with pytest.raises(access.AuthError, match="还可再试 4 次"):
        access.login(s, "qx", "wrong")
    assert s.scalar("SELECT failed_count FROM account WHERE username = 'qx'") == 1
    assert access.login(s, "qx", "secret2").username == "qx"
    assert s.scalar("SELECT failed_count FROM account WHERE username = 'qx'") == 0
    assert s.scalar("SELECT last_login FROM account WHERE username = 'qx'")


def test_a_clerk_of_a_signed_workstream_still_logs_in_and_wrong_passwords_count(demo_db):
    s = Store(demo_db, "测试")
    try:
        ws = _accounts(s)
        _logs_in_after_sign_off(s, ws)
        # the lock itself still holds for the workstream's ledger records
        s.actor = access.login(s, "qx", "secret2")
        case = s.scalar("SELECT id FROM case_record WHERE workstream_id = ? AND deleted_at IS NULL "
                        "ORDER BY id LIMIT 1", (ws["欠薪化解专班"],))
        from models import cases
        with pytest.raises(PermissionDenied, match="须填写理由"):
            cases.edit_case(s, case, {"summary": "签字后悄悄改"})
        cases.edit_case(s, case, {"summary": "签字后更正"}, reason="核实后更正")
    finally:
        s.close()


def _advance(s: Store) -> dict:
    """An advance of 信访维稳工作专班 paid from a wage deposit (written as the office, raw: what
    matters here is who may record its recovery)."""
    wid = s.scalar("SELECT id FROM workstream WHERE name = '信访维稳工作专班'")
    case = s.scalar("SELECT id FROM case_record WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    saved = s.actor
    s.actor = access.Actor.system()
    try:
        with s.tx():
            aid = s.insert("advance", {"advance_no": "DF-T-1", "source": "工资保证金", "deposit_ref": "保证金X",
                                       "case_id": case, "amount_fen": 50_000, "advanced_on": "2026-11-01",
                                       "workstream_id": wid})
    finally:
        s.actor = saved
    return {"id": aid, "workstream_id": wid}


def _instalment(s: Store) -> int:
    return s.scalar("SELECT i.id FROM contract_instalment i JOIN contract_arrear c ON c.id = i.contract_id "
                    "WHERE c.arrear_no = 'GCK2026-001' AND i.paid_amount_fen < i.amount_fen AND i.deleted_at IS NULL "
                    "ORDER BY i.seq LIMIT 1")


def _clerk_of(s: Store, ws_id: int) -> str:
    return s.scalar("SELECT username FROM account WHERE workstream_id = ?", (ws_id,))


def test_the_owning_clerk_records_a_recovery_and_pays_an_instalment(demo_db):
    s = Store(demo_db, "测试")
    try:
        ws = _accounts(s)
        adv = _advance(s)
        owner = _clerk_of(s, adv["workstream_id"])
        other = "gck" if owner != "gck" else "qx"
        s.actor = access.login(s, other, "secret2")
        with pytest.raises(PermissionDenied, match="只能修改本专班"):
            advances.record_recovery(s, adv["id"], 100, TODAY, today=TODAY)
        s.actor = access.login(s, owner, "secret2")
        rid = advances.record_recovery(s, adv["id"], 100, TODAY, today=TODAY)
        assert s.scalar("SELECT amount_fen FROM advance_recovery WHERE id = ?", (rid,)) == 100

        iid = _instalment(s)
        s.actor = access.login(s, "qx", "secret2")
        with pytest.raises(PermissionDenied, match="只能修改本专班"):
            contracts.pay_instalment(s, iid, 100, TODAY, today=TODAY)
        s.actor = access.login(s, "gck", "secret2")
        pid = contracts.pay_instalment(s, iid, 100, TODAY, today=TODAY)
        assert s.scalar("SELECT amount_fen FROM contract_payment WHERE id = ?", (pid,)) == 100
        # now that they belong to a workstream, the signed lock covers them too
        _sign(s, ws["拖欠工程款化解专班"])
        with pytest.raises(PermissionDenied, match="须填写理由"):
            contracts.pay_instalment(s, iid, 100, TODAY, today=TODAY)
        contracts.pay_instalment(s, iid, 100, TODAY, reason="签字后补登", today=TODAY)
    finally:
        s.close()


def test_a_database_with_the_old_triggers_gets_the_fixed_ones(demo_db):
    """A file at version 18 whose guard triggers are generator version 1's (the account row under
    the signed lock; recoveries and instalments of no workstream): opening it brings step 19."""
    c = sqlite3.connect(demo_db)
    c.execute("BEGIN")
    reinstall_all(c, triggers_v1)
    c.execute("DROP TABLE IF EXISTS contract_payment")
    c.execute("PRAGMA user_version = 18")
    c.execute("COMMIT")
    old_guard = c.execute("SELECT sql FROM sqlite_master WHERE name = 'guard_account_update'").fetchone()[0]
    assert "qq_signed_ok" in old_guard
    c.close()
    s = Store(demo_db, "测试")
    try:
        assert s.scalar("PRAGMA user_version") == migrations.LATEST
        assert "qq_signed_ok" not in s.scalar("SELECT sql FROM sqlite_master WHERE name = 'guard_account_update'")
        assert "advance" in s.scalar("SELECT sql FROM sqlite_master WHERE name = 'guard_advance_recovery_insert'")
        # the instalments' payments so far carried over, one for each paid instalment, on its date
        assert s.scalar("SELECT COUNT(*) FROM contract_instalment WHERE paid_amount_fen > 0") == \
            s.scalar("SELECT COUNT(*) FROM contract_payment")
        assert s.scalar("SELECT COUNT(*) FROM contract_instalment i JOIN contract_payment p ON "
                        "p.instalment_id = i.id WHERE p.amount_fen != i.paid_amount_fen OR p.paid_on != i.paid_on") == 0
        ws = _accounts(s)
        _logs_in_after_sign_off(s, ws)
        adv = _advance(s)
        s.actor = access.login(s, _clerk_of(s, adv["workstream_id"]), "secret2")
        advances.record_recovery(s, adv["id"], 100, TODAY, today=TODAY)
    finally:
        s.close()
