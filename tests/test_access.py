"""Accounts, roles and sign-off locks, enforced below every path."""
from __future__ import annotations

import datetime as _dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from models import access, campaign, case_workers, cases
from models.db import PermissionDenied, Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def two_streams(campaign_store):
    s = campaign_store
    ws = campaign.workstreams(s)
    a = cases.register_case(s, {"registered_on": "2026-11-02", "employer_name": "甲", "workstream_id": ws[0]["id"]})
    b = cases.register_case(s, {"registered_on": "2026-11-02", "employer_name": "乙", "workstream_id": ws[1]["id"]})
    access.create_account(s, "office", "secret1", "办公室")      # the first account: nobody to log in yet
    s.actor = access.login(s, "office", "secret1")                # from now on every write has an actor
    access.create_account(s, "clerk", "secret2", "专班填报员", workstream_id=ws[0]["id"])
    access.create_account(s, "leader", "secret3", "领导")
    return s, ws, a, b


def test_passwords_are_hashed_slowly_and_verified(campaign_store):
    h = access.hash_password("abc123")
    assert h.startswith("scrypt$16384$") and "abc123" not in h
    assert access.verify_password("abc123", h) and not access.verify_password("abc124", h)


def test_five_wrong_tries_lock_the_account(two_streams):
    s, *_ = two_streams
    now = _dt.datetime(2026, 11, 26, 9, 0)
    for i in range(4):
        with pytest.raises(access.AuthError, match="还可再试"):
            access.login(s, "clerk", "wrong", now)
    with pytest.raises(access.AuthError, match="已锁定"):
        access.login(s, "clerk", "wrong", now)
    with pytest.raises(access.AuthError, match="已锁定"):
        access.login(s, "clerk", "secret2", now + _dt.timedelta(minutes=5))
    assert access.login(s, "clerk", "secret2", now + _dt.timedelta(minutes=16)).role == "专班填报员"


def test_clerk_changes_only_own_workstream_by_any_model_path(two_streams):
    s, ws, a, b = two_streams
    s.actor = access.login(s, "clerk", "secret2")
    cases.edit_case(s, a, {"summary": "本专班可以改"})
    with pytest.raises(PermissionDenied, match="只能修改本专班"):
        cases.edit_case(s, b, {"summary": "不能改别人的"})
    with pytest.raises(PermissionDenied):
        case_workers.add_worker(s, b, {"name": "张三", "owed_fen": 100})
    with pytest.raises(PermissionDenied):
        cases.repo(s).recycle([b])
    with pytest.raises(PermissionDenied):            # moving its own case to another workstream
        cases.edit_case(s, a, {"workstream_id": ws[1]["id"]})
    with pytest.raises(PermissionDenied):            # raw SQL through the store: the trigger still refuses
        with s.tx():
            s.execute("UPDATE case_record SET summary = 'x' WHERE id = ?", (b,))
    with pytest.raises(PermissionDenied):
        campaign.update_workstream(s, ws[0]["id"], "改名", "")
    assert cases.repo(s).get(b)["summary"] == ""


def test_leader_reads_only(two_streams):
    s, ws, a, b = two_streams
    s.actor = access.login(s, "leader", "secret3")
    assert cases.repo(s).get(a)["employer_name"] == "甲"
    with pytest.raises(PermissionDenied, match="只能查看和打印"):
        cases.edit_case(s, a, {"summary": "x"})


def test_signed_ledger_changes_need_a_reason(two_streams):
    s, ws, a, b = two_streams
    with s.tx():
        s.insert("signoff", {"workstream_id": ws[0]["id"], "as_of": _dt.date.today().isoformat(), "signed_by": "office",
                             "passed": 1})
    with pytest.raises(PermissionDenied, match="须填写理由"):
        cases.edit_case(s, a, {"summary": "悄悄改"})
    cases.edit_case(s, a, {"summary": "更正"}, reason="核实后更正摘要")
    row = s.one("SELECT reason FROM audit_log WHERE table_name='case_record' AND record_id=? "
                "ORDER BY id DESC LIMIT 1", (a,))
    assert row["reason"] == "核实后更正摘要"
    cases.edit_case(s, b, {"summary": "别的专班未签字，可以改"})


def _cli(*args, env=None):
    import os
    e = {**os.environ, **(env or {}), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, capture_output=True, text=True, env=e)


def test_command_line_needs_a_user_once_accounts_exist(two_streams, tmp_path):
    s, ws, a, b = two_streams
    path = str(s.path)
    s.close()
    r = _cli("user", "add", "clerk2", "--db", path, env={"QINGQIAN_PASSWORD": "secret9"})
    assert r.returncode == 2 and "--user" in r.stderr
    r = _cli("user", "add", "clerk2", "--db", path, "--user", "clerk", "--role", "专班填报员",
             "--workstream", ws[1]["name"], env={"QINGQIAN_PASSWORD": "secret2", "QINGQIAN_NEW_PASSWORD": "secret9"})
    assert r.returncode == 2 and "须由办公室账号执行" in r.stderr
    r = _cli("user", "add", "clerk2", "--db", path, "--user", "office", "--role", "专班填报员",
             "--workstream", ws[1]["name"], env={"QINGQIAN_PASSWORD": "secret1", "QINGQIAN_NEW_PASSWORD": "secret9"})
    assert r.returncode == 0, r.stderr
    r = _cli("user", "list", "--db", path, "--user", "office", "--json", env={"QINGQIAN_PASSWORD": "secret1"})
    assert [u["username"] for u in json.loads(r.stdout)["rows"]] == ["office", "clerk", "leader", "clerk2"]
    check = Store(path)
    assert access.login(check, "clerk2", "secret9").workstream_id == ws[1]["id"]
    check.close()


def test_sign_off_needs_passing_checks_or_reasons(two_streams):
    from models import signoff
    from models.checks import run_checks
    s, ws, a, b = two_streams
    with s.tx():        # plant a fault in workstream 0: a case marked 已化解 with money still unpaid
        s.execute("UPDATE case_record SET status = '已化解', verdict = '经核实存在欠薪，已支付完毕', "
                  "amount_fen = 100000 WHERE id = ?", (a,))
    report = run_checks(s)
    mine = signoff.findings_for(s, report, ws[0]["id"])
    assert any(f.rule == "resolved_means_paid" for f in mine)
    with pytest.raises(ValueError, match="未说明理由"):
        signoff.sign_off(s, ws[0]["id"], "2026-11-26")
    reasons = {signoff.finding_key(f): "已电话核实，结论待补录" for f in mine}
    signoff.sign_off(s, ws[0]["id"], _dt.date.today().isoformat(), reasons)
    signoff.sign_off(s, ws[1]["id"], _dt.date.today().isoformat())
    latest = {x["workstream"]: x for x in signoff.signoffs(s)}
    assert latest[ws[0]["name"]]["passed"] == 0 and latest[ws[1]["name"]]["passed"] == 1
    cases.edit_case(s, b, {"summary": "签字后更正"}, reason="补充情况")
    changed = signoff.changed_after_signoff(s)
    assert [(c["record_id"], c["reason"]) for c in changed] == [(b, "补充情况")]


def test_reports_print_who_signed_and_changes_after(two_streams, tmp_path):
    from models import signoff
    from models.reports.pdf_base import signoff_line
    s, ws, a, b = two_streams
    today = _dt.date.today().isoformat()
    assert signoff_line(s) == "审核签字：各专班台账尚未签字"
    s.actor = access.login(s, "office", "secret1")
    signoff.sign_off(s, ws[1]["id"], today)
    cases.edit_case(s, b, {"summary": "签字后补充"}, reason="补充核实情况")
    line = signoff_line(s)
    assert f"{ws[1]['name']} office {today}" in line and "签字后修改 1 处" in line
    from pdftext import flat_of
    from models.reports import daily
    out = tmp_path / "daily.pdf"
    daily.build(s, out, _dt.date.today())
    text = flat_of(out)
    assert "审核签字" in text and "签字后修改" in text


def test_clerk_cannot_import_another_workstreams_rows_from_the_command_line(two_streams, tmp_path):
    s, ws, a, b = two_streams
    path = str(s.path)
    s.close()
    f = tmp_path / "问题.csv"
    f.write_text("编号,登记日期,用人单位,欠薪金额（元）,责任专班\n"
                 f"X-1,2026-11-20,丙公司,1000,{ws[1]['name']}\n", encoding="utf-8-sig")
    r = _cli("import", str(f), "--db", path, "--kind", "cases")
    assert r.returncode == 2 and "--user" in r.stderr
    r = _cli("import", str(f), "--db", path, "--kind", "cases", "--user", "clerk",
             env={"QINGQIAN_PASSWORD": "secret2"})
    assert r.returncode == 2 and "只能修改本专班" in r.stderr, r.stderr
    r = _cli("import", str(f), "--db", path, "--kind", "cases", "--user", "office",
             env={"QINGQIAN_PASSWORD": "secret1"})
    assert r.returncode == 0, r.stderr
    check = Store(path)
    assert check.scalar("SELECT COUNT(*) FROM case_record WHERE case_no = 'X-1'") == 1
    assert check.scalar("SELECT user FROM audit_log WHERE table_name = 'case_record' ORDER BY id DESC LIMIT 1") == "office"
    check.close()


def test_a_clerk_spends_only_own_workstreams_funds(two_streams):
    """Allocating a fund's money changes that fund's balance: a clerk of the case's workstream may
    not spend another workstream's fund (nor take an allocation of it back); the office may."""
    from models import funds
    s, ws, a, _b = two_streams
    case_workers.add_worker(s, a, {"name": "张三", "owed_fen": 500_000})
    theirs = funds.save_fund(s, {"fund_no": "ZJ2026-901", "channel": "国有资产处置", "source": "仓库拍卖",
                                 "received_fen": 300_000, "received_on": "2026-11-01",
                                 "workstream_id": ws[1]["id"]})
    ours = funds.save_fund(s, {"fund_no": "ZJ2026-902", "channel": "应急周转金", "source": "周转金",
                               "received_fen": 300_000, "received_on": "2026-11-01", "workstream_id": ws[0]["id"]})
    kept = funds.allocate(s, theirs, a, 100_000, "2026-11-05")          # the office: any fund
    s.actor = access.login(s, "clerk", "secret2")
    before = s.scalar("SELECT COUNT(*) FROM repayment"), s.scalar("SELECT COUNT(*) FROM fund_allocation")
    with pytest.raises(PermissionDenied, match=f"无权分配资金 ZJ2026-901：该笔资金属于{ws[1]['name']}.*办公室"):
        funds.allocate(s, theirs, a, 50_000, "2026-11-06")
    with pytest.raises(PermissionDenied, match="无权撤销分配资金 ZJ2026-901"):
        funds.cancel_allocation(s, kept[0], "核对有误")
    assert (s.scalar("SELECT COUNT(*) FROM repayment"), s.scalar("SELECT COUNT(*) FROM fund_allocation")) == before
    assert funds.balance(s, theirs) == 200_000
    assert len(funds.allocate(s, ours, a, 50_000, "2026-11-06")) == 1       # its own workstream's fund
    assert funds.balance(s, ours) == 250_000
