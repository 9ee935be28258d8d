"""清欠资金 dated after today is not money received: `fund add` refuses it, and the "today" sums
(targets, the 专班目标台账's 实际金额, the weekly briefing) leave out a fund dated after the day.
An amount typed on the command line finer than a 分 is refused, not rounded. The weekly
briefing's 清欠资金 table shows 追回回流 and its 合计 row adds up (or says why not)."""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal

import pytest

from models.db import Store
from models.reports import week

TODAY = _dt.date(2026, 11, 26)          # the demo's day (tests/conftest.py)


def _cli(capsys, *args) -> tuple[int, str]:
    from desktop.cli import main
    code = main([*args, "--today", TODAY.isoformat()])
    out = capsys.readouterr()
    return code, out.out + out.err


def _future_fund(s: Store, ws_name: str = "项目资金及经费争取专班") -> int:
    """A fund dated after today, written raw (whatever the write service says of it later)."""
    wid = s.scalar("SELECT id FROM workstream WHERE name = ?", (ws_name,))
    with s.tx():
        return s.insert("fund", {"fund_no": "ZJ2027-901", "channel": "财政", "source": "明年的预算",
                                 "planned_fen": 10_000_000_00, "received_fen": 10_000_000_00,
                                 "received_on": "2027-05-01", "workstream_id": wid})


def test_fund_add_refuses_a_date_after_today(demo_db, capsys):
    s = Store(demo_db, "测试")
    n = s.scalar("SELECT COUNT(*) FROM fund")
    s.close()
    code, text = _cli(capsys, "fund", "add", "--channel", "财政", "--amount", "1000万", "--date", "2027-05-01",
                      "--db", str(demo_db))
    assert code != 0 and "到位日期 2027-05-01 在今天（2026-11-26）之后" in text
    code, text = _cli(capsys, "fund", "add", "--channel", "财政", "--amount", "1000", "--date", TODAY.isoformat(),
                      "--db", str(demo_db))
    assert code == 0, text
    s = Store(demo_db, "测试")
    assert s.scalar("SELECT COUNT(*) FROM fund") == n + 1
    s.close()


def test_todays_sums_leave_out_a_fund_dated_after_today(demo_db):
    from models import targets
    from models.ledgers.targets import actual_fen_sql
    s = Store(demo_db, "测试")
    s.today = TODAY
    try:
        wid = s.scalar("SELECT id FROM workstream WHERE name = '项目资金及经费争取专班'")
        with s.tx():
            tid = s.insert("workstream_target", {"workstream_id": wid, "due_on": "2026-12-31", "amount_basis": "筹措到位金额",
                                                 "sure_fen": 100_000_00, "strive_fen": 200_000_00})
        received = s.scalar("SELECT COALESCE(SUM(received_fen), 0) FROM fund WHERE deleted_at IS NULL "
                            "AND workstream_id = ?", (wid,))
        before = week.funds(s, TODAY).figures
        _future_fund(s)
        [line] = [ln for ln in targets.progress(s, TODAY).lines if ln.workstream_id == wid and ln.money]
        assert line.actual == received
        assert s.scalar(f"SELECT {actual_fen_sql('t')} FROM workstream_target t WHERE t.id = ?", (tid,)) == received
        after = week.funds(s, TODAY).figures
        for k in ("received_fen", "balance_fen", "received_week_fen"):
            assert after[k] == before[k], k
        assert after["planned_fen"] == before["planned_fen"] + 10_000_000_00      # planned, not received
    finally:
        s.close()


@pytest.mark.parametrize("text", ["1.005", "0.004", "1.2345678万", "0.001元"])
def test_an_amount_finer_than_a_fen_is_refused(text):
    from desktop.commands._acting import money
    with pytest.raises(ValueError, match=r"金额最多两位小数（分）"):
        money(text, "分配金额")


@pytest.mark.parametrize("text, fen", [("1.01", 101), ("1.234567万", 1_234_567), ("1,234.5元", 123_450),
                                        ("１２３．４５", 12_345), ("1.2E+4", 1_200_000), ("5万", 5_000_000)])
def test_whole_fen_amounts_are_read_exactly(text, fen):
    from desktop.commands._acting import money
    assert money(text) == fen


def test_fund_allocate_with_three_decimals_writes_nothing(demo_db, capsys):
    s = Store(demo_db, "测试")
    fund_no = s.scalar("SELECT fund_no FROM fund WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    n = s.scalar("SELECT COUNT(*) FROM fund_allocation")
    case_no = s.scalar("SELECT case_no FROM case_record WHERE deleted_at IS NULL AND status NOT IN "
                       "('已化解', '不存在欠薪', '已移送') AND total_owed_fen > total_paid_fen ORDER BY id LIMIT 1")
    s.close()
    code, text = _cli(capsys, "fund", "allocate", fund_no, "--case", case_no, "--amount", "1.005",
                      "--db", str(demo_db))
    assert code != 0 and "金额最多两位小数（分）" in text
    s = Store(demo_db, "测试")
    assert s.scalar("SELECT COUNT(*) FROM fund_allocation") == n
    s.close()


def _dec(fen: int) -> Decimal:
    return Decimal(week.wan(fen).replace(",", ""))


@pytest.mark.parametrize("past", [False, True])
def test_the_weekly_fund_table_shows_the_recoveries_and_adds_up(demo_db, past):
    s = Store(demo_db, "测试")
    try:
        # a recovery returned to a fund, so the table has 追回回流 to show
        fid = s.scalar("SELECT id FROM fund WHERE deleted_at IS NULL AND channel = '应急周转金' ORDER BY id LIMIT 1")
        case = s.scalar("SELECT id FROM case_record WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
        with s.tx():
            aid = s.insert("advance", {"advance_no": "DF-T-9", "source": "应急周转金", "fund_id": fid, "case_id": case,
                                       "amount_fen": 1_000_00, "advanced_on": "2026-11-01"})
            s.insert("advance_recovery", {"advance_id": aid, "recovered_on": "2026-11-02", "amount_fen": 400_33})
        sec = week.funds(s, TODAY, past=past)
        assert sec.header[4] == "追回回流（万元）"
        f = sec.figures
        assert f["recovered_fen"] >= 400_33
        assert f["received_fen"] + f["recovered_fen"] - f["allocated_fen"] == f["balance_fen"]
        for row in sec.rows:
            got, back, alloc, bal = (row[i][1] for i in (3, 4, 5, 6))
            assert got + back - alloc == bal, row[0]
        for col in range(2, 7):
            exact = sum(row[col][1] for row in sec.rows)
            assert exact == sec.total[col][1]
            printed = sum(_dec(row[col][1]) for row in sec.rows)
            assert printed == _dec(sec.total[col][1]) or "四舍五入" in sec.note, col
        assert "追回回流" in sec.sentence
    finally:
        s.close()


def test_a_rounding_difference_is_said_under_the_table():
    rows = [["甲", 1, ("fen", 6_000)], ["乙", 1, ("fen", 6_000)]]   # 0.01 + 0.01 printed, 合计 0.01 (120 元)
    assert "四舍五入" in week._rounding_note(rows, [12_000])
    rows = [["甲", 1, ("fen", 10_000)], ["乙", 1, ("fen", 20_000)]]
    assert week._rounding_note(rows, [30_000]) == ""

