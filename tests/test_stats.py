"""Every figure of models/stats.py against an independent SQL query over the ledgers."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import stats
from models.db import Store

TODAY = _dt.date(2026, 11, 26)
OPEN = ("待核实", "化解中")
CLOSED = ("已化解", "已移送", "不存在欠薪")
# the case's totals written out again (not the generated columns): listed workers win
OWED = "(CASE WHEN w_count > 0 THEN w_owed_fen ELSE amount_fen END)"
PAID = "(CASE WHEN w_count > 0 THEN w_paid_fen ELSE paid_fen END)"
WORKERS = "(CASE WHEN w_count > 0 THEN w_count ELSE workers_count END)"
COUNTED = "deleted_at IS NULL AND status != '不存在欠薪'"


@pytest.fixture
def s(town):
    store = Store(town, "测试")
    yield store
    store.close()


@pytest.fixture
def copy(town, tmp_path):
    """A writable copy of the township for tests that change data."""
    from models.backup import backup_to
    src = Store(town, "测试")
    backup_to(src.conn, tmp_path / "copy.sqlite")
    src.close()
    store = Store(tmp_path / "copy.sqlite", "测试")
    yield store
    store.close()


def q1(s, sql, params=()):
    return s.conn.execute(sql, params).fetchone()[0]


def test_totals_equal_the_ledger(s):
    tot = stats.totals(s, TODAY)
    assert tot.counted.owed_fen == q1(s, f"SELECT SUM({OWED}) FROM case_record WHERE {COUNTED}")
    assert tot.counted.paid_fen == q1(s, f"SELECT SUM({PAID}) FROM case_record WHERE {COUNTED}")
    assert tot.counted.workers == q1(s, f"SELECT SUM({WORKERS}) FROM case_record WHERE {COUNTED}")
    assert tot.all.cases == q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL") == 150
    # where workers are listed, the money is the workers' own
    listed = q1(s, "SELECT SUM(w.owed_fen) FROM worker w JOIN case_record c ON c.id = w.case_id "
                   "WHERE w.deleted_at IS NULL AND c.deleted_at IS NULL AND c.status != '不存在欠薪'")
    unlisted = q1(s, f"SELECT COALESCE(SUM(amount_fen), 0) FROM case_record WHERE {COUNTED} AND w_count = 0")
    assert tot.counted.owed_fen == listed + unlisted
    assert tot.counted.outstanding_fen == tot.counted.owed_fen - tot.counted.paid_fen
    assert tot.counted.cleared_pct == pytest.approx(100 * tot.counted.paid_fen / tot.counted.owed_fen)
    for status, b in tot.by_status.items():
        n, w, o, p = s.conn.execute(f"SELECT COUNT(*), COALESCE(SUM({WORKERS}), 0), COALESCE(SUM({OWED}), 0), "
                                    f"COALESCE(SUM({PAID}), 0) FROM case_record WHERE deleted_at IS NULL AND status = ?",
                                    (status,)).fetchone()
        assert (b.cases, b.workers, b.owed_fen, b.paid_fen) == (n, w, o, p)
    assert tot.open_cases == q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND status IN (?, ?)", OPEN)
    assert tot.closed_cases == q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND status IN (?, ?, ?)",
                                  CLOSED)


def test_each_workstream_equals_the_ledger_and_they_add_up(s):
    tot = stats.totals(s, TODAY)
    assert [w.name for w in tot.workstreams][:2] == ["欠薪化解专班", "拖欠工程款化解专班"]
    for w in tot.workstreams:
        n, o, p, wk = s.conn.execute(f"SELECT COUNT(*), COALESCE(SUM({OWED}), 0), COALESCE(SUM({PAID}), 0), "
                                     f"COALESCE(SUM({WORKERS}), 0) FROM case_record WHERE {COUNTED} AND "
                                     "workstream_id IS ?", (w.id,)).fetchone()
        assert (w.counted.cases, w.counted.owed_fen, w.counted.paid_fen, w.counted.workers) == (n, o, p, wk)
        assert w.overdue == q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND status IN (?, ?) "
                                  "AND deadline < ? AND workstream_id IS ?", (*OPEN, TODAY.isoformat(), w.id))
        assert w.open_cases + w.closed_cases == w.all.cases
    assert sum(w.counted.paid_fen for w in tot.workstreams) == tot.counted.paid_fen
    assert sum(w.all.cases for w in tot.workstreams) == tot.all.cases


def test_targets_follow_the_campaign_phases(s):
    from models import campaign
    camp = campaign.current(s)
    tot = stats.totals(s, TODAY)
    tp = stats.target_progress(camp, tot.counted, TODAY)
    owed = tot.counted.owed_fen
    for p, row in zip(tp.phases, s.conn.execute("SELECT name, due_date, target_pct FROM campaign_phase "
                                                "ORDER BY due_date")):
        assert (p.name, p.due_date, p.target_pct) == tuple(row)
        assert p.target_fen == round(owed * row[2] / 100)
        assert p.reached == (tot.counted.paid_fen >= p.target_fen)
    pts = stats.target_points(camp, owed)
    assert pts[0] == (_dt.date.fromisoformat(camp.start_date), 0)
    assert stats.target_on(pts, _dt.date.fromisoformat(camp.end_date)) == owed
    assert tp.days_left == (_dt.date.fromisoformat(camp.end_date) - TODAY).days
    # the deadline is the day before the Spring Festival of the campaign's year
    from models.rules.workdays import spring_festival
    assert _dt.date.fromisoformat(tp.deadline) == spring_festival(2027) - _dt.timedelta(days=1)


def test_warnings_and_lists_match_the_warning_rules(s):
    from models import cases
    w = stats.warning_counts(s, TODAY)
    summary = cases.warnings_summary(s, TODAY)
    assert (w.overdue, w.due_soon, w.stalled) == (summary["逾期"], summary["即将到期"], summary["久拖未动"])
    assert w.major_open == q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND status IN (?, ?) "
                                 "AND is_major = 1", OPEN)
    overdue = stats.case_list(s, "逾期", TODAY, None)
    expect = [r[0] for r in s.conn.execute("SELECT case_no FROM case_record WHERE deleted_at IS NULL AND status IN "
                                            "(?, ?) AND deadline < ? ORDER BY deadline, id", (*OPEN, TODAY.isoformat()))]
    assert [r["case_no"] for r in overdue] == expect and len(expect) == w.overdue > 0
    assert all(r["days_over"] == (TODAY - _dt.date.fromisoformat(r["deadline"])).days for r in overdue)
    assert len(stats.case_list(s, "即将到期", TODAY, None)) == w.due_soon
    assert stats.count_cases(s, "在办", TODAY) == len(stats.case_list(s, "在办", TODAY, None))


def test_repaid_series_ends_at_the_dashboard_total(s):
    tot = stats.totals(s, TODAY)
    series = stats.repaid_series(s)
    records = q1(s, "SELECT SUM(r.amount_fen) FROM repayment r JOIN case_record c ON c.id = r.case_id "
                    "WHERE r.deleted_at IS NULL AND c.deleted_at IS NULL AND c.status != '不存在欠薪'")
    assert series.from_repayments_fen == records
    assert series.points[-1][1] == series.total_fen == tot.counted.paid_fen
    values = [v for _d, v in series.points]
    assert values == sorted(values)
    by_day = dict(s.conn.execute("SELECT paid_on, SUM(amount_fen) FROM repayment WHERE deleted_at IS NULL "
                                 "GROUP BY paid_on"))
    first_day = min(by_day)
    assert series.points[0] == (_dt.date.fromisoformat(first_day), by_day[first_day])


def test_repaid_series_places_paid_amounts_without_records(copy):
    """A case whose 已付 was typed in (no repayment record) counts on its 办结 / 登记 date."""
    from models import cases
    ws = copy.scalar("SELECT id FROM workstream ORDER BY sort LIMIT 1")
    cid = cases.register_case(copy, {"registered_on": "2026-10-08", "employer_name": "测试用人单位",
                                     "amount_fen": 500_000, "paid_fen": 123_456, "workers_count": 3,
                                     "workstream_id": ws})
    tot = stats.totals(copy, TODAY)
    series = stats.repaid_series(copy)
    assert series.residual_fen == 123_456
    assert series.total_fen == series.points[-1][1] == tot.counted.paid_fen
    day = _dt.date(2026, 10, 8)
    cum = dict(series.points)
    prior = max(v for d, v in series.points if d < day)
    records_that_day = copy.scalar("SELECT COALESCE(SUM(amount_fen), 0) FROM repayment WHERE deleted_at IS NULL "
                                   "AND paid_on = '2026-10-08'", default=0)
    assert cum[day] == prior + records_that_day + 123_456
    assert cid


def test_weekly_flow_counts_every_case(s):
    flows = stats.weekly_flow(s, TODAY, _dt.date(2026, 9, 14))
    assert flows[0].week_start == _dt.date(2026, 9, 14) and flows[-1].week_start == _dt.date(2026, 11, 23)
    assert sum(f.new for f in flows) == q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL "
                                              "AND registered_on <= ?", (TODAY.isoformat(),))
    assert sum(f.closed for f in flows) == q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND "
                                                 "status IN (?, ?, ?) AND closed_on <= ?", (*CLOSED, TODAY.isoformat()))
    wk = next(f for f in flows if f.week_start == _dt.date(2026, 10, 19))
    assert wk.new == q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND registered_on "
                           "BETWEEN '2026-10-19' AND '2026-10-25'")


def independent_indicators(s) -> dict:
    total = q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL")
    closed = q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND status IN (?, ?, ?)", CLOSED)
    owed = q1(s, f"SELECT SUM({OWED}) FROM case_record WHERE {COUNTED}")
    # 解决金额: what was paid on the cases 已化解 (not the typed 解决金额 column)
    resolved = q1(s, f"SELECT SUM({PAID}) FROM case_record WHERE deleted_at IS NULL AND status = '已化解'")
    on_time = q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND status IN (?, ?, ?) AND "
                    "deadline IS NOT NULL AND closed_on <= deadline", CLOSED)
    with_deadline = q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND status IN (?, ?, ?) AND "
                          "deadline IS NOT NULL", CLOSED)
    projects = {r[0] for r in s.conn.execute("SELECT project_name FROM case_record WHERE deleted_at IS NULL "
                                             "AND gov_invested = 1 AND project_name != ''")}
    out = {"workers": q1(s, f"SELECT SUM({WORKERS}) FROM case_record WHERE {COUNTED}"), "problems": total,
           "repaid_fen": q1(s, f"SELECT SUM({PAID}) FROM case_record WHERE {COUNTED}"),
           "to_police": q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND status = '已移送'"),
           "closed_rate": 100 * closed / total, "resolved_rate": 100 * resolved / owed,
           "on_time_rate": 100 * on_time / with_deadline}
    tables = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "inspection" in tables:
        out["employers_inspected"] = q1(s, "SELECT COUNT(DISTINCT target_name) FROM inspection WHERE deleted_at IS NULL "
                                           "AND target_type = '用人单位' AND target_name != ''")
        projects |= {r[0] for r in s.conn.execute(
            "SELECT i.target_name FROM inspection i JOIN project p ON p.name = i.target_name WHERE "
            "i.deleted_at IS NULL AND p.gov_invested = 1 AND i.target_type = '工程项目'")}
    from models.ledger import registry
    if "blacklist" in registry.kinds():
        t = registry.get("blacklist").table
        out["blacklisted"] = q1(s, f"SELECT COUNT(*) FROM {t} WHERE deleted_at IS NULL AND COALESCE(listed_on, '') != ''")
    out["gov_projects"] = len(projects)
    return out


def test_indicators_equal_independent_queries(s):
    items = {i.key: i for i in stats.indicators(s, TODAY)}
    assert list(items) == ["employers_inspected", "workers", "problems", "repaid_wan", "gov_projects", "blacklisted",
                           "to_police", "closed_rate", "resolved_rate", "on_time_rate"]
    want = independent_indicators(s)
    for key in ("workers", "problems", "to_police", "gov_projects", "employers_inspected", "blacklisted"):
        if key in want:
            assert items[key].value == want[key], key
    assert items["repaid_wan"].num == want["repaid_fen"]
    assert items["repaid_wan"].text == stats_wan(want["repaid_fen"])
    for key in ("closed_rate", "resolved_rate", "on_time_rate"):
        assert items[key].value == pytest.approx(want[key], abs=0.005), key     # two decimals
        assert items[key].text == f"{want[key]:.2f}"
    assert all(i.definition for i in items.values())


def stats_wan(fen: int) -> str:
    from decimal import Decimal, ROUND_HALF_UP
    return f"{(Decimal(fen) / Decimal(1_000_000)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def test_daily_figures_equal_the_ledger(s):
    day = _dt.date(2026, 11, 25)
    fig = stats.daily_figures(s, day)
    assert [r["case_no"] for r in fig.new_cases] == [r[0] for r in s.conn.execute(
        "SELECT case_no FROM case_record WHERE deleted_at IS NULL AND registered_on = ? ORDER BY case_no", (day.isoformat(),))]
    assert fig.repaid_fen == q1(s, "SELECT COALESCE(SUM(r.amount_fen), 0) FROM repayment r JOIN case_record c ON "
                                   "c.id = r.case_id WHERE r.deleted_at IS NULL AND c.deleted_at IS NULL AND "
                                   "c.status != '不存在欠薪' AND r.paid_on = ?", (day.isoformat(),))
    assert not fig.zero
    assert stats.daily_figures(s, _dt.date(2026, 12, 20)).zero


def test_other_ledgers_missing_gives_zero_with_a_note(s, monkeypatch):
    from models.ledger import registry
    real = registry.kinds()
    monkeypatch.setattr(registry, "kinds", lambda: [k for k in real if k not in
                                                    ("funds", "inspections", "blacklist", "action_items", "daily_reports")])
    items = {i.key: i for i in stats.indicators(s, TODAY)}
    for key in ("employers_inspected", "blacklisted"):
        assert not items[key].available and items[key].value == 0 and "尚未建立" in items[key].text
    assert not stats.funds_by_channel(s).available
    acts = stats.action_items(s, TODAY)
    assert not acts.available and "尚未建立" in acts.note
    assert stats.daily_figures(s, TODAY).reports is None
    assert items["workers"].available


def test_funds_and_action_items_when_declared(s):
    from models.ledger import registry
    if "funds" in registry.kinds():
        f = stats.funds_by_channel(s)
        assert f.available
        assert f.total_fen == (s.scalar("SELECT COALESCE(SUM(received_fen), 0) FROM fund WHERE deleted_at IS NULL",
                                        default=0))
    if "action_items" in registry.kinds():
        a = stats.action_items(s, TODAY)
        assert a.available
        assert a.open_count == q1(s, "SELECT COUNT(*) FROM action_item WHERE deleted_at IS NULL AND status != '已办结'")
        assert a.overdue_count == q1(s, "SELECT COUNT(*) FROM action_item WHERE deleted_at IS NULL AND status != '已办结' "
                                        "AND due_date < ?", (TODAY.isoformat(),))
        week_end = (TODAY + _dt.timedelta(days=6 - TODAY.weekday())).isoformat()
        assert all(r["due"] is None or r["due"] <= week_end for r in a.rows)


def test_dashboard_bundles_the_same_figures(s):
    d = stats.dashboard(s, TODAY)
    assert d.totals.counted.paid_fen == stats.totals(s).counted.paid_fen
    assert d.target is not None and d.target.actual_pct == pytest.approx(d.totals.counted.cleared_pct)
    assert len(d.overdue) == min(30, d.warnings.overdue)
    assert d.campaign.name.endswith("专项行动")
