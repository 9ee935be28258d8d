"""垫付追偿 held to one set of rules on every path: an advance or a recovery coming back from the
recycle bin is checked as a new one would be (the fund's balance, the fund and the case not in
the bin, each worker's wages, what is left to recover, a write-off); a recovery the fund has
since spent cannot be taken away; a signed ledger changes only with a person's own reason (the
program's label 登记垫付 is none); an advance never goes to a case verified 不存在欠薪 nor before
its 登记日期; a write-off is dated neither ahead of today nor before the last recovery; and
垫付人数 is counted one way whatever paid."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from models import advances, campaign, funds, signoff
from models.db import Store
from models.errors import PermissionDenied
from models.ledger.repo import ValidationError
from models.ledger.service import service_for

TODAY = dt.date.today()
DAY = "2026-10-10"          # the day of the advances (cases registered 2026-10-08, fund 2026-10-01)


def _town(db: Path) -> None:
    """A case with two workers (300,000 / 200,000 分 owed), a case without a roster (500,000 分
    owed, 3 people), another (2,000,000 分), a case verified 不存在欠薪, an emergency fund of 1,000,000 分."""
    s = Store(db, "办公室")
    campaign.create_campaign(s, "2026年根治欠薪冬季专项行动", "青山县青山镇人民政府", dt.date(2026, 9, 14))
    ws = campaign.workstreams(s)[0]
    cases = service_for(s, "cases")
    a = cases.insert({"case_no": "S-1", "registered_on": "2026-10-08", "employer_name": "甲公司",
                      "workstream_id": ws["id"]})
    service_for(s, "workers").insert({"case_id": a, "name": "张三", "owed_fen": 300_000})
    service_for(s, "workers").insert({"case_id": a, "name": "李四", "owed_fen": 200_000})
    cases.insert({"case_no": "S-2", "registered_on": "2026-10-08", "employer_name": "乙公司",
                  "workstream_id": ws["id"], "amount_fen": 500_000, "workers_count": 3})
    cases.insert({"case_no": "S-4", "registered_on": "2026-10-08", "employer_name": "丁公司",
                  "workstream_id": ws["id"], "amount_fen": 2_000_000, "workers_count": 9})
    cases.insert({"case_no": "S-3", "registered_on": "2026-10-08", "employer_name": "丙公司",
                  "workstream_id": ws["id"], "amount_fen": 100_000, "status": "不存在欠薪",
                  "verdict": "经核实已结清"})
    funds.save_fund(s, {"channel": "应急周转金", "received_fen": 1_000_000, "received_on": "2026-10-01",
                        "fund_no": "ZJ2026-001"})
    s.close()


@pytest.fixture
def town(tmp_path):
    db = tmp_path / "镇.sqlite"
    _town(db)
    s = Store(db, "办公室")
    yield s
    s.close()


def _ids(s):
    case = {r["case_no"]: r["id"] for r in s.query("SELECT id, case_no FROM case_record")}
    return case, s.scalar("SELECT id FROM fund WHERE fund_no = 'ZJ2026-001'")


def _fund_advance(s, amount=300_000, case_no="S-1", **kw):
    case, fid = _ids(s)
    return advances.record_advance(s, {"source": "应急周转金", "fund_id": fid, "case_id": case[case_no],
                                       "amount_fen": amount, "advanced_on": DAY}, TODAY, **kw)


def _state(s):
    """Everything a refused write must leave as it was."""
    return (s.scalar("SELECT group_concat(id || ':' || COALESCE(deleted_at, ''), ',') FROM advance"),
            s.scalar("SELECT group_concat(id || ':' || COALESCE(deleted_at, ''), ',') FROM fund_allocation"),
            s.scalar("SELECT group_concat(id || ':' || COALESCE(deleted_at, ''), ',') FROM repayment"),
            s.scalar("SELECT group_concat(id || ':' || COALESCE(deleted_at, ''), ',') FROM advance_recovery"),
            s.scalar("SELECT group_concat(paid_fen, ',') FROM worker"))


# -- F2: an advance back from the recycle bin -------------------------------------------------
def test_restoring_an_advance_refused_when_the_fund_has_spent_the_money_since(town):
    s = town
    case, fid = _ids(s)
    aid = _fund_advance(s, 300_000)
    advances.record_recovery(s, aid, 100_000, DAY, today=TODAY)
    svc = service_for(s, "advances", TODAY)
    svc.recycle([aid])
    assert funds.balance(s, fid) == 1_000_000
    # the fund's money spent elsewhere: 250,000 left, the advance needs 300,000 less its 100,000 recovered
    funds.allocate(s, fid, case["S-2"], 500_000, DAY)
    funds.allocate(s, fid, case["S-4"], 250_000, DAY)
    # fits: 250,000 + 100,000 recovered - 300,000 = 50,000
    svc.restore([aid])
    assert funds.balance(s, fid) == 50_000
    svc.recycle([aid])
    funds.allocate(s, fid, case["S-4"], 100_000, DAY)        # now 150,000 left: 150,000 + 100,000 < 300,000
    before = _state(s)
    with pytest.raises(ValidationError, match="DF2026-001 不能恢复.*ZJ2026-001 的余额"):
        svc.restore([aid])
    assert _state(s) == before and funds.balance(s, fid) == 150_000


def test_restoring_an_advance_refused_when_a_worker_has_been_paid_since(town):
    s = town
    case, fid = _ids(s)
    aid = _fund_advance(s, 300_000)                          # all to 张三 (300,000 owed)
    svc = service_for(s, "advances", TODAY)
    svc.recycle([aid])
    zhang = s.scalar("SELECT id FROM worker WHERE name = '张三'")
    # 李四 is still owed 200,000, so the case could take 300,000 more — 张三 could not
    service_for(s, "repayments", TODAY).insert({"case_id": case["S-1"], "worker_id": zhang, "amount_fen": 200_000,
                                                "paid_on": DAY, "channel": "企业自行支付"})
    before = _state(s)
    with pytest.raises(ValidationError, match="DF2026-001 不能恢复.*超过张三未付工资"):
        svc.restore([aid])
    assert _state(s) == before
    assert s.scalar("SELECT paid_fen FROM worker WHERE id = ?", (zhang,)) == 200_000


def test_restoring_a_deposit_advance_refused_when_a_worker_has_been_paid_since(town):
    s = town
    case, _fid = _ids(s)
    aid = advances.record_advance(s, {"source": "工资保证金", "deposit_ref": "X", "case_id": case["S-1"],
                                      "amount_fen": 300_000, "advanced_on": DAY}, TODAY)
    svc = service_for(s, "advances", TODAY)
    svc.recycle([aid])
    zhang = s.scalar("SELECT id FROM worker WHERE name = '张三'")
    service_for(s, "repayments", TODAY).insert({"case_id": case["S-1"], "worker_id": zhang, "amount_fen": 1,
                                                "paid_on": DAY, "channel": "企业自行支付"})
    before = _state(s)
    with pytest.raises(ValidationError, match="超过张三未付工资"):
        svc.restore([aid])
    assert _state(s) == before


def test_restoring_an_advance_refused_while_its_fund_or_case_is_in_the_bin(town):
    s = town
    case, fid = _ids(s)
    aid = _fund_advance(s, 300_000)
    svc = service_for(s, "advances", TODAY)
    svc.recycle([aid])
    service_for(s, "funds", TODAY).recycle([fid])
    before = _state(s)
    with pytest.raises(ValidationError, match="ZJ2026-001 已移入回收站，请先恢复该笔资金"):
        svc.restore([aid])
    assert _state(s) == before
    service_for(s, "funds", TODAY).restore([fid])
    service_for(s, "cases", TODAY).recycle([case["S-1"]])
    with pytest.raises(ValidationError, match="S-1 已移入回收站"):
        svc.restore([aid])
    service_for(s, "cases", TODAY).restore([case["S-1"]])
    svc.restore([aid])                                        # with both back, it comes back whole
    assert funds.balance(s, fid) == 700_000
    assert s.scalar("SELECT COUNT(*) FROM fund_allocation WHERE advance_id = ? AND deleted_at IS NULL", (aid,)) == 1
    assert s.scalar("SELECT SUM(paid_fen) FROM worker") == 300_000


# -- F7: recoveries and the recycle bin --------------------------------------------------------
def test_restoring_a_recovery_keeps_the_rules_of_a_new_one(town):
    s = town
    case, fid = _ids(s)
    aid = _fund_advance(s, 300_000)
    first = advances.record_recovery(s, aid, 100_000, DAY, today=TODAY)
    rec = service_for(s, "advance_recoveries", TODAY)
    rec.recycle([first])
    advances.record_recovery(s, aid, 300_000, DAY, today=TODAY)       # all of it, another way
    before = _state(s)
    with pytest.raises(ValidationError, match="不能恢复.*超过垫付 DF2026-001 尚未追回"):
        rec.restore([first])
    assert _state(s) == before and funds.balance(s, fid) == 1_000_000


def test_restoring_a_recovery_onto_a_written_off_advance_refused(town):
    s = town
    aid = _fund_advance(s, 300_000)
    first = advances.record_recovery(s, aid, 100_000, "2026-10-20", today=TODAY)
    rec = service_for(s, "advance_recoveries", TODAY)
    rec.recycle([first])
    advances.write_off(s, aid, "2026-10-15", "经研究核销", TODAY)
    with pytest.raises(ValidationError, match="已于 2026-10-15 核销"):
        rec.restore([first])
    assert s.scalar("SELECT deleted_at IS NOT NULL FROM advance_recovery WHERE id = ?", (first,)) == 1


def test_a_recovery_the_fund_has_spent_cannot_be_taken_away(town):
    s = town
    case, fid = _ids(s)
    aid = _fund_advance(s, 300_000)
    first = advances.record_recovery(s, aid, 100_000, DAY, today=TODAY)
    funds.allocate(s, fid, case["S-2"], 500_000, DAY)
    funds.allocate(s, fid, case["S-4"], 150_000, DAY)        # balance 1,000,000 - 300,000 + 100,000 - 650,000 = 150,000
    rec = service_for(s, "advance_recoveries", TODAY)
    rec.recycle([first])                                      # 150,000 - 100,000 ≥ 0: allowed
    rec.restore([first])
    funds.allocate(s, fid, case["S-4"], 50_002, DAY)          # 99,998 left
    before = _state(s)
    with pytest.raises(ValidationError, match="已回到资金 ZJ2026-001.*余额为负"):
        rec.recycle([first])
    with pytest.raises(ValidationError, match="余额为负"):
        rec.update(first, {"amount_fen": 1})
    assert _state(s) == before and funds.balance(s, fid) == 99_998
    rec.update(first, {"amount_fen": 2})                      # takes back 99,998: allowed
    assert funds.balance(s, fid) == 0


# -- F9: a signed ledger changes only with the person's own reason ----------------------------
@pytest.fixture
def signed(tmp_path) -> Path:
    db = tmp_path / "签.sqlite"
    _town(db)
    s = Store(db, "办公室")
    for ws in campaign.workstreams(s):
        signoff.sign_off(s, ws["id"], TODAY.isoformat())
    s.close()
    return db


def test_advance_writes_to_a_signed_ledger_need_a_persons_reason(signed):
    s = Store(signed, "办公室")
    try:
        case, fid = _ids(s)
        before = _state(s)
        with pytest.raises(PermissionDenied, match="须填写理由"):
            _fund_advance(s, 100_000)
        with pytest.raises(PermissionDenied, match="须填写理由"):
            advances.record_advance(s, {"source": "工资保证金", "deposit_ref": "X", "case_id": case["S-1"],
                                        "amount_fen": 100_000, "advanced_on": DAY}, TODAY)
        assert _state(s) == before and funds.balance(s, fid) == 1_000_000
        aid = _fund_advance(s, 100_000, reason="签字后补录垫付")
        reasons = {r[0] for r in s.query("SELECT reason FROM audit_log WHERE table_name = 'worker' AND action != 'insert'")}
        assert reasons == {"清欠资金分配：签字后补录垫付"}
        assert s.scalar("SELECT reason FROM audit_log WHERE table_name = 'advance' ORDER BY id DESC LIMIT 1") \
            == "登记垫付：签字后补录垫付"
        # the recycle bin: the program's words are no reason
        with pytest.raises(PermissionDenied):
            service_for(s, "advances", TODAY).recycle([aid])
        assert s.scalar("SELECT deleted_at FROM advance WHERE id = ?", (aid,)) is None
        service_for(s, "advances", TODAY).recycle([aid], "登记错了问题")
        assert s.scalar("SELECT paid_fen FROM worker WHERE name = '张三'") == 0
    finally:
        s.close()


def _cli(capsys, db, *argv):
    from desktop.cli import main
    try:
        code = main([str(a) for a in argv] + ["--db", str(db), "--today", TODAY.isoformat(), "--json"])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_advance_commands_take_a_reason_for_a_signed_ledger(signed, capsys):
    code, out, err = _cli(capsys, signed, "advance", "add", "--case", "S-1", "--amount", "1000", "--deposit", "X",
                          "--date", DAY)
    assert code == 2 and "理由" in err
    code, out, err = _cli(capsys, signed, "advance", "add", "--case", "S-1", "--amount", "1000", "--deposit", "X",
                          "--date", DAY, "--reason", "签字后补录")
    assert code == 0, err
    no = json.loads(out)["advance_no"]
    # a recovery touches no signed record: allowed without one, and --reason is taken
    code, out, err = _cli(capsys, signed, "advance", "recover", no, "--amount", "100", "--date", DAY,
                          "--reason", "补录追回")
    assert code == 0, err
    s = Store(signed, "办公室")
    try:
        assert s.scalar("SELECT reason FROM audit_log WHERE table_name = 'advance_recovery' ORDER BY id DESC LIMIT 1") \
            == "登记垫付追回：补录追回"
        assert s.scalar("SELECT reason FROM audit_log WHERE table_name = 'worker' AND action = 'update' "
                        "ORDER BY id DESC LIMIT 1") == "登记垫付：签字后补录"
    finally:
        s.close()
    code, out, err = _cli(capsys, signed, "advance", "writeoff", no, "--reason", "经领导小组研究同意核销", "--date", DAY)
    assert code == 0, err


# -- F11 / F16: the case, and the dates --------------------------------------------------------
def test_an_advance_goes_to_a_case_owing_wages_from_its_registration_on(town):
    s = town
    case, fid = _ids(s)
    before = _state(s)
    with pytest.raises(ValidationError, match="S-3 已核实为不存在欠薪"):
        advances.record_advance(s, {"source": "工资保证金", "deposit_ref": "X", "case_id": case["S-3"],
                                    "amount_fen": 1_000, "advanced_on": DAY}, TODAY)
    with pytest.raises(ValidationError, match="不存在欠薪"):
        _fund_advance(s, 1_000, case_no="S-3")
    with pytest.raises(ValidationError, match="垫付日期 2026-10-01 早于问题 S-1 的登记日期 2026-10-08"):
        advances.record_advance(s, {"source": "工资保证金", "deposit_ref": "X", "case_id": case["S-1"],
                                    "amount_fen": 1_000, "advanced_on": "2026-10-01"}, TODAY)
    ahead = (TODAY + dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError, match="在今天"):
        advances.record_advance(s, {"source": "工资保证金", "deposit_ref": "X", "case_id": case["S-1"],
                                    "amount_fen": 1_000, "advanced_on": ahead}, TODAY)
    assert _state(s) == before and funds.balance(s, fid) == 1_000_000


def test_a_write_off_is_dated_after_the_last_recovery_and_not_ahead_of_today(town):
    s = town
    aid = _fund_advance(s, 300_000)
    advances.record_recovery(s, aid, 100_000, "2026-10-20", today=TODAY)
    ahead = (TODAY + dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError, match="核销日期 .* 在今天"):
        advances.write_off(s, aid, ahead, "经研究核销", TODAY)
    with pytest.raises(ValidationError, match="核销日期 2026-10-15 早于垫付 DF2026-001 最近一次追回日期 2026-10-20"):
        advances.write_off(s, aid, "2026-10-15", "经研究核销", TODAY)
    with pytest.raises(ValidationError, match="在今天"):
        advances.record_recovery(s, aid, 1, ahead, today=TODAY)
    assert s.scalar("SELECT written_off_on FROM advance WHERE id = ?", (aid,)) is None
    advances.write_off(s, aid, "2026-10-20", "经研究核销", TODAY)
    assert advances.advance_rows(s, "AND a.id = ?", (aid,))[0]["status"] == "核销"


# -- F19: 垫付人数 --------------------------------------------------------------------------------
def test_workers_paid_counted_one_way_for_fund_and_deposit(town):
    s = town
    case, fid = _ids(s)
    by_fund = _fund_advance(s, 1_000, case_no="S-2")
    by_deposit = advances.record_advance(s, {"source": "工资保证金", "deposit_ref": "X", "case_id": case["S-2"],
                                             "amount_fen": 1_000, "advanced_on": DAY}, TODAY)
    paid = {r["id"]: r["workers_paid"] for r in advances.advance_rows(s)}
    assert paid[by_fund] == paid[by_deposit] == 0          # a case without a roster names no worker paid
    both = _fund_advance(s, 350_000)                        # 张三 300,000 + 李四 50,000
    one = advances.record_advance(s, {"source": "工资保证金", "deposit_ref": "X", "case_id": case["S-1"],
                                      "amount_fen": 100_000, "advanced_on": DAY}, TODAY)
    paid = {r["id"]: r["workers_paid"] for r in advances.advance_rows(s)}
    assert (paid[both], paid[one]) == (2, 1)


def test_an_advance_that_paid_a_resolved_case_in_full_stays_out_of_the_bin(town):
    s = town
    case, _fid = _ids(s)
    aid = _fund_advance(s, 500_000)                 # both workers of S-1 paid in full
    from models import cases
    cases.change_status(s, case["S-1"], cases.StatusChange("化解中", DAY))
    cases.change_status(s, case["S-1"], cases.StatusChange("已化解", DAY, verdict="经垫付已支付完毕"))
    before = _state(s)
    with pytest.raises(ValidationError, match="S-1 已化解，撤销 5,000.00 元兑付后将有工资未付"):
        service_for(s, "advances").recycle([aid], "录错")
    assert _state(s) == before
