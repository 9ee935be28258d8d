"""垫付追偿: an advance pays the workers (from the emergency fund through its allocations, from a
wage deposit through repayments), its recovery is followed to 已追回 or 核销, recovered money
returns to the fund's balance, and the reconciliation rule catches what no longer agrees."""
from __future__ import annotations

import datetime as _dt
import json
import random

import pytest

from desktop.cli import main
from models import advances, funds
from models.checks import run_checks
from models.db import Store
from models.ledger.repo import ValidationError

TODAY = _dt.date(2026, 11, 26)


@pytest.fixture
def town(demo_db):
    s = Store(demo_db, "办公室")
    s.today = TODAY
    yield s
    s.close()


def _fund(s, need=3_000_000):
    return dict(s.one("SELECT f.id, f.fund_no, f.received_on FROM fund f WHERE f.channel = '应急周转金' "
                      "AND f.deleted_at IS NULL AND f.received_on <= ? AND f.received_fen - COALESCE((SELECT SUM(a.amount_fen) "
                      "FROM fund_allocation a WHERE a.fund_id = f.id AND a.deleted_at IS NULL), 0) >= ? "
                      "ORDER BY f.id LIMIT 1", (TODAY.isoformat(), need)))


def _case(s, offset=0, need=2_000_000):
    return dict(s.one("SELECT id, case_no, employer_id, registered_on, total_paid_fen, "
                      "total_owed_fen - total_paid_fen AS left FROM case_record "
                      "WHERE deleted_at IS NULL AND w_count > 1 AND employer_id IS NOT NULL AND registered_on <= ? "
                      "AND total_owed_fen - total_paid_fen >= ? ORDER BY id LIMIT 1 OFFSET ?",
                      (TODAY.isoformat(), need, offset)))


def _findings(s, code):
    rep = run_checks(s, TODAY)
    return [f for f in rep.findings if f.rule == code]


def _advance(s, fund, case, amount=1_200_000, day=None):
    day = day or max(fund["received_on"], case["registered_on"])
    return advances.record_advance(s, {"source": "应急周转金", "fund_id": fund["id"], "case_id": case["id"],
                                       "amount_fen": amount, "advanced_on": day}, TODAY), day


def test_fund_advance_pays_workers_and_recovery_returns_to_the_fund(town):
    s = town
    fund, case = _fund(s), _case(s)
    before = funds.balance(s, fund["id"])
    aid, day = _advance(s, fund, case)
    a = advances.advance_rows(s, "AND a.id = ?", (aid,))[0]
    assert a["advance_no"].startswith("DF2026-") and a["status"] == "追偿中"
    assert a["employer"] == s.scalar("SELECT name FROM employer WHERE id = ?", (case["employer_id"],))
    # the fund's allocations for the advance equal the advance, one repayment per worker paid
    alloc = s.query("SELECT amount_fen, repayment_id, worker_id FROM fund_allocation WHERE advance_id = ? "
                    "AND deleted_at IS NULL", (aid,))
    assert sum(r["amount_fen"] for r in alloc) == 1_200_000 and a["workers_paid"] == len({r["worker_id"] for r in alloc})
    assert s.scalar("SELECT total_paid_fen FROM case_record WHERE id = ?", (case["id"],)) == case["total_paid_fen"] + 1_200_000
    assert funds.balance(s, fund["id"]) == before - 1_200_000
    # part recovered: back in the fund's balance, 追偿中
    advances.record_recovery(s, aid, 500_000, day, voucher_no="HK-1", today=TODAY)
    assert funds.balance(s, fund["id"]) == before - 700_000
    assert funds.recovered(s, fund["id"]) == 500_000
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo
    row = LedgerRepo(s, registry.get("funds")).get(fund["id"])
    assert (row["recovered_fen"], row["balance_fen"]) == (500_000, before - 700_000)
    a = advances.advance_rows(s, "AND a.id = ?", (aid,))[0]
    assert (a["recovered_fen"], a["outstanding_fen"], a["status"]) == (500_000, 700_000, "追偿中")
    # never more than what is left, never before the advance
    with pytest.raises(ValidationError, match="超过垫付"):
        advances.record_recovery(s, aid, 700_001, TODAY, today=TODAY)
    earlier = (_dt.date.fromisoformat(day) - _dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError, match="早于垫付日期"):
        advances.record_recovery(s, aid, 1, earlier, today=TODAY)
    advances.record_recovery(s, aid, 700_000, TODAY, today=TODAY)
    a = advances.advance_rows(s, "AND a.id = ?", (aid,))[0]
    assert (a["outstanding_fen"], a["status"]) == (0, "已追回")
    assert funds.balance(s, fund["id"]) == before
    assert _findings(s, "advances_reconcile") == [] and _findings(s, "funds_reconcile") == []


def test_deposit_advance_write_off_and_recycle(town):
    s = town
    case = _case(s, 1)
    paid0 = case["total_paid_fen"]
    aid = advances.record_advance(s, {"source": "工资保证金", "deposit_ref": "柏林村便民桥工程工资保证金",
                                      "case_id": case["id"], "amount_fen": 800_000,
                                      "advanced_on": case["registered_on"]}, TODAY)
    reps = s.query("SELECT channel, amount_fen, voucher_no FROM repayment WHERE voucher_no = "
                   "(SELECT advance_no FROM advance WHERE id = ?) AND deleted_at IS NULL", (aid,))
    assert {r["channel"] for r in reps} == {"工资保证金"} and sum(r["amount_fen"] for r in reps) == 800_000
    advances.record_recovery(s, aid, 300_000, TODAY, today=TODAY)
    with pytest.raises(ValidationError, match="核销原因"):
        advances.write_off(s, aid, TODAY, "  ", TODAY)
    advances.write_off(s, aid, TODAY, "企业破产清算，经领导小组研究同意核销", TODAY)
    a = advances.advance_rows(s, "AND a.id = ?", (aid,))[0]
    assert (a["status"], a["outstanding_fen"], a["recovered_fen"]) == ("核销", 0, 300_000)
    with pytest.raises(ValidationError, match="已于 .* 核销"):
        advances.record_recovery(s, aid, 1, TODAY, today=TODAY)
    # what was paid is never edited
    from models.ledger.service import service_for
    with pytest.raises(ValidationError, match="不能修改"):
        service_for(s, "advances", TODAY).update(aid, {"amount_fen": 900_000})
    assert _findings(s, "advances_reconcile") == []
    # recycled: its repayments go with it, the workers' paid amounts return
    service_for(s, "advances", TODAY).recycle([aid])
    assert s.scalar("SELECT total_paid_fen FROM case_record WHERE id = ?", (case["id"],)) == paid0
    assert _findings(s, "advances_reconcile") == []
    # restored: with them again
    service_for(s, "advances", TODAY).restore([aid])
    assert s.scalar("SELECT total_paid_fen FROM case_record WHERE id = ?", (case["id"],)) == paid0 + 800_000
    assert _findings(s, "advances_reconcile") == []
    # recycled around the service (the advance alone), the repayments it made are caught
    with s.tx():
        s.execute("UPDATE advance SET deleted_at = '2026-11-26 09:00:00' WHERE id = ?", (aid,))
    assert [f.record for f in _findings(s, "advances_reconcile")] == [aid]


def test_refusals_nothing_written(town):
    s = town
    case = _case(s)
    other = s.one("SELECT id, received_on FROM fund WHERE channel != '应急周转金' AND received_fen > 0 LIMIT 1")
    n = s.scalar("SELECT COUNT(*) FROM repayment")
    with pytest.raises(ValidationError, match="须动用应急周转金"):
        advances.record_advance(s, {"source": "应急周转金", "fund_id": other["id"], "case_id": case["id"],
                                    "amount_fen": 100, "advanced_on": TODAY.isoformat()}, TODAY)
    fund = _fund(s)
    with pytest.raises(ValidationError, match="余额"):
        advances.record_advance(s, {"source": "应急周转金", "fund_id": fund["id"], "case_id": case["id"],
                                    "amount_fen": funds.balance(s, fund["id"]) + 1, "advanced_on": TODAY.isoformat()}, TODAY)
    with pytest.raises(ValidationError, match="尚未支付"):
        advances.record_advance(s, {"source": "工资保证金", "deposit_ref": "x", "case_id": case["id"],
                                    "amount_fen": case["left"] + 1, "advanced_on": TODAY.isoformat()}, TODAY)
    with pytest.raises(ValidationError, match="垫付资金"):
        advances.record_advance(s, {"source": "应急周转金", "case_id": case["id"], "amount_fen": 100,
                                    "advanced_on": TODAY.isoformat()}, TODAY)
    assert s.scalar("SELECT COUNT(*) FROM repayment") == n and s.scalar("SELECT COUNT(*) FROM advance") == 0


def test_reconciliation_catches_what_no_longer_agrees(town):
    s = town
    fund, case = _fund(s), _case(s)
    aid, day = _advance(s, fund, case, 600_000)
    assert _findings(s, "advances_reconcile") == []
    # one allocation of the advance taken back around the services (fund cancel refuses an
    # advance's allocation): the fund no longer pays the advance
    first = s.scalar("SELECT id FROM fund_allocation WHERE advance_id = ? ORDER BY id LIMIT 1", (aid,))
    part = s.scalar("SELECT amount_fen FROM fund_allocation WHERE id = ?", (first,))
    with pytest.raises(ValidationError, match="垫付"):
        funds.cancel_allocation(s, first)
    with s.tx():
        s.execute("UPDATE fund_allocation SET deleted_at = '2026-11-26 10:00:00' WHERE id = ?", (first,))
    found = _findings(s, "advances_reconcile")
    assert len(found) == 1 and found[0].table == "advance" and found[0].record == aid
    assert f"{fund['fund_no']} 为本笔垫付的分配合计" in found[0].message and "与垫付金额 6,000.00 元不符" in found[0].message
    assert f"分配合计 {(600_000 - part) // 100:,}.00 元" in found[0].message
    # recoveries beyond the advance (written around the service) and a fund whose money is over-spent
    with s.tx():
        s.execute("INSERT INTO advance_recovery(uuid, advance_id, recovered_on, amount_fen) VALUES ('x1', ?, ?, ?)",
                  (aid, day, 700_000))
    msgs = [f.message for f in _findings(s, "advances_reconcile")]
    assert any("超过垫付金额" in m for m in msgs)
    # an advance recycled around its service leaves its allocations paying for nothing
    aid2, _day = _advance(s, fund, _case(s, 1), 300_000)
    with s.tx():
        s.execute("UPDATE advance SET deleted_at = '2026-11-26 10:00:00' WHERE id = ?", (aid2,))
    found = _findings(s, "advances_reconcile")
    left = s.scalar("SELECT COUNT(*) FROM fund_allocation WHERE advance_id = ? AND deleted_at IS NULL", (aid2,))
    assert left >= 1 and len([f for f in found if f.table == "fund_allocation" and "已移入回收站" in f.message]) == left


def test_fund_received_cannot_drop_below_what_recoveries_do_not_cover(town):
    s = town
    fund, case = _fund(s), _case(s)
    aid, day = _advance(s, fund, case, 400_000)
    advances.record_recovery(s, aid, 400_000, day, today=TODAY)
    spent = funds.allocated(s, fund["id"]) - funds.recovered(s, fund["id"])
    with pytest.raises(ValidationError, match="不能改为少于已分配金额"):
        funds.save_fund(s, {"received_fen": spent - 1}, fund["id"])
    funds.save_fund(s, {"received_fen": spent}, fund["id"])
    assert funds.balance(s, fund["id"]) == 0 and _findings(s, "funds_reconcile") == []


def test_demo_populate_shows_an_advance_being_recovered(town):
    from models.demo.employers import populate
    got = populate(town, random.Random(3), TODAY)
    assert got["plans"] >= 8 and len(got["advances"]) == 2
    rows = {r["status"]: r for r in advances.advance_rows(town)}
    assert set(rows) == {"追偿中", "已追回"}
    partly = rows["追偿中"]
    assert 0 < partly["recovered_fen"] < partly["amount_fen"] and partly["source"] == "应急周转金"
    assert rows["已追回"]["outstanding_fen"] == 0
    assert town.scalar("SELECT COUNT(DISTINCT employer_id) FROM employer_plan WHERE deleted_at IS NULL") >= 4
    rep = run_checks(town, TODAY)
    assert [f for f in rep.findings if f.rule in ("advances_reconcile", "funds_reconcile",
                                                  "employer_plans_consistent")] == []


def _q(capsys, db, *argv, ok=True):
    try:
        code = main([str(a) for a in argv] + ["--db", str(db), "--today", TODAY.isoformat(), "--json"])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    if ok:
        assert code == 0, f"{argv}: {err}"
        got = json.loads(out)
        assert isinstance(got, dict), "--json gives one object"
        return got["rows"] if set(got) == {"rows", "count"} else got
    assert code == 2 and out == "" and err.count("\n") == 1, (argv, out, err)
    return err


def test_advance_commands(demo_db, capsys, tmp_path):
    s = Store(demo_db, "测试")
    fund, case = _fund(s), _case(s)
    s.close()
    day = max(fund["received_on"], case["registered_on"])
    got = _q(capsys, demo_db, "advance", "add", "--case", case["case_no"], "--amount", "1万", "--fund", fund["fund_no"],
             "--date", day)
    no = got["advance_no"]
    assert got["amount_fen"] == 1_000_000 and got["status"] == "追偿中" and got["workers_paid"] >= 1
    got = _q(capsys, demo_db, "advance", "recover", no, "--amount", "4000", "--date", TODAY.isoformat(), "--voucher", "HK9")
    assert (got["recovered_fen"], got["outstanding_fen"]) == (400_000, 600_000)
    assert "超过垫付" in _q(capsys, demo_db, "advance", "recover", no, "--amount", "7000", ok=False)
    assert "二选一" in _q(capsys, demo_db, "advance", "add", "--case", case["case_no"], "--amount", "1", ok=False)
    assert "没有编号" in _q(capsys, demo_db, "advance", "show", "DF2099-001", ok=False)
    shown = _q(capsys, demo_db, "advance", "show", no)
    assert [r["amount_fen"] for r in shown["recoveries"]] == [400_000]
    got = _q(capsys, demo_db, "advance", "writeoff", no, "--reason", "经领导小组研究同意核销")
    assert got["written_off_fen"] == 600_000
    assert [r["status"] for r in _q(capsys, demo_db, "advance", "list")] == ["核销"]
    # the export of the ledger
    out = tmp_path / "advances.xlsx"
    assert main(["export", "advances", "--db", str(demo_db), "--out", str(out)]) == 0
    from openpyxl import load_workbook
    cells = [c.value for row in load_workbook(out).active.iter_rows() for c in row]
    assert no in cells and "垫付追偿台账" in "".join(str(c) for c in cells if c)
