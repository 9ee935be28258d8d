"""One definition per headline figure (models.figures): now and as of past days of the township
demo, each checked against the records as they stood that day, worked out here by hand; the
``qingqian figures`` command; and the same numbers on the home page, in the case export, in the
weekly briefing's text and in the statistics workbook."""
from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import pytest

from models import figures
from models.db import Store
from models.ledgers.cases import CLOSED_STATUSES
from models.values import fen_to_wan_text, fen_to_yuan_text

TODAY = _dt.date(2026, 11, 26)
PAST_DAYS = (_dt.date(2026, 10, 12), _dt.date(2026, 11, 1), _dt.date(2026, 11, 18))
KEYS = ("cases", "open_cases", "closed_cases", "workers", "owed_fen", "paid_fen", "unpaid_fen", "cleared_pct",
        "overdue", "due_soon", "stalled", "major_open", "sensitive_open")


@pytest.fixture
def s(town):
    store = Store(town, "测试")
    yield store
    store.close()


def by_hand(s: Store, day: _dt.date | None) -> dict:
    """The campaign at the end of ``day`` (None: as the ledger is now), from the rows themselves:
    each case's status from its status log, its 已付 from its dated repayments, every item read
    one by one in Python."""
    from models import cases as case_rules
    d = (day or TODAY).isoformat()
    rows = [dict(r) for r in s.query("SELECT * FROM case_record WHERE deleted_at IS NULL")]
    logs: dict[int, list] = {}
    for r in s.query("SELECT case_id, id, changed_on, to_status FROM case_status_log"):
        logs.setdefault(r["case_id"], []).append((r["changed_on"][:10], r["id"], r["to_status"]))
    pays: dict[int, list] = {}
    for r in s.query("SELECT case_id, paid_on, amount_fen FROM repayment WHERE deleted_at IS NULL"):
        pays.setdefault(r["case_id"], []).append((r["paid_on"][:10], r["amount_fen"]))
    out = {"cases": 0, "open_cases": 0, "closed_cases": 0, "workers": 0, "owed_fen": 0, "paid_fen": 0,
           "overdue": 0, "due_soon": 0, "major_open": 0, "sensitive_open": 0}
    cal = case_rules.load_calendar(s)
    soon = cal.add_workdays(day or TODAY, case_rules.setting(s, "warn.due_soon_days")).isoformat()
    for c in rows:
        if day is None:
            status, paid = c["status"], c["total_paid_fen"]
        else:
            if c["registered_on"][:10] > d:
                continue
            then = sorted(e for e in logs.get(c["id"], []) if e[0] <= d)
            status = then[-1][2] if then else c["status"]
            mine = pays.get(c["id"], [])
            paid = sum(a for p, a in mine if p <= d)
            undated = c["total_paid_fen"] - sum(a for _p, a in mine)
            if (c["closed_on"] or c["registered_on"])[:10] <= d:
                paid += undated
        out["cases"] += 1
        is_open = status not in CLOSED_STATUSES
        out["open_cases" if is_open else "closed_cases"] += 1
        if status != "不存在欠薪":
            out["workers"] += c["total_workers"]
            out["owed_fen"] += c["total_owed_fen"]
            out["paid_fen"] += paid
        if is_open:
            if c["deadline"] and c["deadline"] < d:
                out["overdue"] += 1
            if c["deadline"] and d <= c["deadline"] <= soon:
                out["due_soon"] += 1
            out["major_open"] += bool(c["is_major"])
            out["sensitive_open"] += bool(c["is_sensitive"])
    out["unpaid_fen"] = out["owed_fen"] - out["paid_fen"]
    out["cleared_pct"] = round(100 * out["paid_fen"] / out["owed_fen"], 1) if out["owed_fen"] else 0.0
    items_open = items_overdue = 0
    for it in s.query("SELECT a.status, a.closed_on, a.due_date, m.date AS meeting_date, a.created_at FROM action_item a "
                      "LEFT JOIN meeting m ON m.id = a.meeting_id WHERE a.deleted_at IS NULL"):
        if day is None:
            still = it["status"] != "已办结"
        else:
            decided = (it["meeting_date"] or it["created_at"])[:10] <= d
            still = decided and not (it["status"] == "已办结" and (it["closed_on"] or "")[:10] <= d)
        if still:
            items_open += 1
            items_overdue += bool(it["due_date"] and it["due_date"] < d)
    out["items_open"], out["items_overdue"] = items_open, items_overdue
    return out


def test_figures_now_equal_the_ledger(s):
    f = figures.figures(s, TODAY)
    want = by_hand(s, None)
    got = {k: f.values[k] for k in want}
    assert got == want
    assert f.now and f.as_of == TODAY
    # the status lists and warning conditions are the ledger's: 在办 + 已办结 = 问题数
    assert f.open_cases + f.closed_cases == f.cases
    from models.cases import warning_conditions
    sql, params = warning_conditions(s, TODAY)["久拖未动"]
    assert f.stalled == s.scalar(f"SELECT COUNT(*) FROM case_record t WHERE t.deleted_at IS NULL AND {sql}", params)


@pytest.mark.parametrize("day", PAST_DAYS, ids=str)
def test_figures_as_of_a_past_day_equal_the_records_as_they_stood(s, day):
    f = figures.figures(s, TODAY, day)
    want = by_hand(s, day)
    got = {k: f.values[k] for k in want}
    assert got == want, day
    assert not f.now and f.as_of == day
    now = figures.figures(s, TODAY)
    assert f.cases < now.cases and f.paid_fen < now.paid_fen      # never today's numbers under an older date


def test_as_of_today_rebuilt_agrees_with_the_ledger_now(s):
    """Rebuilding today from dated facts gives today's figures (the stalled count aside: now it
    reads the ledger's own last-change dates)."""
    tomorrow = TODAY + _dt.timedelta(days=1)
    rebuilt = figures.figures(s, tomorrow, TODAY)
    now = figures.figures(s, TODAY)
    assert {k: v for k, v in rebuilt.values.items() if k != "stalled"} == \
        {k: v for k, v in now.values.items() if k != "stalled"}


def test_a_day_that_cannot_be_known_is_refused(s, tmp_path):
    with pytest.raises(figures.NotKnown, match="晚于今天"):
        figures.figures(s, TODAY, TODAY + _dt.timedelta(days=3))
    from models.backup import backup_to
    backup_to(s.conn, tmp_path / "x.sqlite")
    x = Store(tmp_path / "x.sqlite", "测试")
    try:
        cid = x.scalar("SELECT id FROM case_record WHERE status = '已化解' ORDER BY id LIMIT 1")
        with x.tx():       # a closed case with neither status log nor 办结日期: its past cannot be known
            x.execute("DELETE FROM case_status_log WHERE case_id = ?", (cid,))
            x.execute("UPDATE case_record SET closed_on = NULL WHERE id = ?", (cid,))
        with pytest.raises(figures.NotKnown, match="无法确定"):
            figures.figures(x, TODAY, _dt.date(2026, 11, 20))
        assert figures.figures(x, TODAY).cases == figures.figures(s, TODAY).cases    # today is still known
    finally:
        x.close()


def test_every_figure_states_its_basis():
    assert set(KEYS) <= set(figures.DEFINITIONS)
    for key, d in figures.DEFINITIONS.items():
        assert d.name and d.unit and len(d.basis) >= 8, key
        assert all("\u4e00" <= ch <= "\u9fff" for ch in d.basis[:2]), key     # said in Chinese


def figures_cli(argv, capsys) -> tuple[int, str, str]:
    from desktop.cli import main
    code = main(argv)
    got = capsys.readouterr()
    return code, got.out, got.err


def test_figures_command(town, tmp_path, capsys):
    code, out, _err = figures_cli(["figures", "--db", str(town), "--json", "--today", TODAY.isoformat()], capsys)
    assert code == 0
    j = json.loads(out)
    assert set(KEYS) <= set(j) and set(KEYS) <= set(j["definitions"])
    s = Store(town, "测试")
    try:
        assert {k: j[k] for k in KEYS} == {k: figures.figures(s, TODAY).values[k] for k in KEYS}
        past = json.loads(figures_cli(["figures", "--db", str(town), "--json", "--today", TODAY.isoformat(),
                                       "--date", "2026-11-01"], capsys)[1])
        assert past["as_of"] == "2026-11-01" and past["cases"] == by_hand(s, _dt.date(2026, 11, 1))["cases"]
    finally:
        s.close()
    code, out, _err = figures_cli(["figures", "--db", str(town), "--today", TODAY.isoformat()], capsys)
    assert code == 0 and "统计截至：2026年11月26日日终（今天）" in out
    assert f"已兑付（已付）：{fen_to_yuan_text(j['paid_fen'])} 元" in out and "口径：" in out
    # read-only: a database that does not exist is not created
    missing = tmp_path / "无此库.sqlite"
    code, out, err = figures_cli(["figures", "--db", str(missing)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "找不到数据库文件" in err
    assert not missing.exists() and list(tmp_path.iterdir()) == []
    code, _out, err = figures_cli(["figures", "--db", str(town), "--date", "2026-13-01"], capsys)
    assert code == 2 and "日期格式不对" in err
    code, _out, err = figures_cli(["figures", "--db", str(town), "--today", TODAY.isoformat(),
                                   "--date", "2026-12-01"], capsys)
    assert code == 2 and "晚于今天" in err


def test_the_same_numbers_everywhere(town, tmp_path, capsys, qtbot, app_font):
    """``figures --json`` against the home page, the case export (the sum of 已付), the weekly
    briefing's text and the statistics workbook."""
    import csv

    import openpyxl
    from pdftext import flat_of

    from models.io.exporter import export_ledger
    from models.prefs import Prefs
    from models.reports import make_report
    from views.context import AppContext, DataBus
    from views.dashboard_page import DashboardPage
    j = json.loads(figures_cli(["figures", "--db", str(town), "--json", "--today", TODAY.isoformat()], capsys)[1])

    store = Store(town, "测试")
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    ctx.today = lambda: TODAY
    try:
        page = DashboardPage(ctx)
        qtbot.addWidget(page)
        t = page.tiles
        assert t["owed"].value.text() == fen_to_wan_text(j["owed_fen"])
        assert t["paid"].value.text() == fen_to_wan_text(j["paid_fen"])
        assert t["paid"].detail.text() == f"{fen_to_yuan_text(j['paid_fen'])} 元"
        assert t["left"].value.text() == fen_to_wan_text(j["unpaid_fen"])
        assert t["pct"].value.text() == f"{j['cleared_pct']:.1f}%"
        assert t["cases"].value.text() == f"{j['cases']:,}"
        assert t["cases"].detail.text() == f"在办 {j['open_cases']:,}　已办结 {j['closed_cases']:,}"
        assert t["workers"].value.text() == f"{j['workers']:,}"
        assert t["overdue"].value.text() == f"{j['overdue']:,}"
        assert f"在办重大 {j['major_open']}" in t["overdue"].detail.text()

        out = export_ledger(store, "cases", tmp_path / "cases.csv", today=TODAY)
        with open(out, encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        paid = sum(round(float(r["已付金额（元）"]) * 100) for r in rows if r["状态"] != "不存在欠薪")
        owed = sum(round(float(r["应付金额（元）"]) * 100) for r in rows if r["状态"] != "不存在欠薪")
        unpaid = sum(round(float(r["未付金额（元）"]) * 100) for r in rows if r["状态"] != "不存在欠薪")
        assert (paid, owed, unpaid) == (j["paid_fen"], j["owed_fen"], j["unpaid_fen"])
        assert len(rows) == j["cases"]
    finally:
        store.close()

    weekly = make_report("weekly", town, tmp_path / "weekly.pdf", TODAY)
    text = flat_of(weekly.path)
    # the briefing's tables are in 万元 (the official layout); the same figures to the 分 are in the workbook below
    for needle in (fen_to_wan_text(j["owed_fen"]), fen_to_wan_text(j["paid_fen"]), fen_to_wan_text(j["unpaid_fen"]),
                   f"{j['cleared_pct']:.1f}%", f"{j['cases']:,}",
                   f"{j['open_cases']:,}/{j['closed_cases']:,}", f"{j['workers']:,}",
                   f"{j['overdue']:,}/{j['due_soon']:,}", f"在办重大问题{j['major_open']}件",
                   f"在办敏感问题{j['sensitive_open']}件", f"久拖未动{j['stalled']}件"):
        assert needle in text, needle

    stats = make_report("stats", town, tmp_path / "stats.pdf", TODAY)
    wb = openpyxl.load_workbook(stats.extra[0])
    ws = wb["统计指标"]
    rows = {ws.cell(r, 2).value: ws.cell(r, 4).value for r in range(4, ws.max_row + 1) if ws.cell(r, 2).value}
    assert rows["处理欠薪问题数"] == j["cases"] and rows["涉及农民工人数"] == j["workers"]
    assert round(rows["追发工资及赔偿金额"] * 1_000_000) == j["paid_fen"]
    ws2 = wb["分专班"]
    total = next(r for r in range(4, ws2.max_row + 1) if ws2.cell(r, 1).value == "合计")
    assert [ws2.cell(total, c).value for c in (2, 3, 4, 5, 6)] == \
        [j["cases"], j["open_cases"], j["closed_cases"], j["overdue"], j["workers"]]
    assert [round(ws2.cell(total, c).value * 100) for c in (7, 8, 9)] == [j["owed_fen"], j["paid_fen"], j["unpaid_fen"]]
    assert "<br" not in str(ws.cell(2, 1).value)


def test_reports_as_of_a_past_day_show_that_day(town, tmp_path):
    """report stats / weekly --date D: the figures of the end of D, said to be of D."""
    from pdftext import flat_of
    import openpyxl
    from models.reports import make_report
    day = _dt.date(2026, 11, 1)
    s = Store(town, "测试")
    try:
        want = by_hand(s, day)
        now = figures.figures(s, TODAY)
    finally:
        s.close()
    st = make_report("stats", town, tmp_path / "stats.pdf", TODAY, as_of=day)
    t = flat_of(st.path)
    assert "统计截至：2026年11月1日日终" in t and "还原2026年11月1日日终的情况" in t
    assert f"处理欠薪问题数件{want['cases']:,}" in t and fen_to_wan_text(want["paid_fen"]) in t
    assert f"处理欠薪问题数件{now.cases:,}" not in t
    wb = openpyxl.load_workbook(st.extra[0])
    assert "统计截至：2026-11-01" in wb["统计指标"].cell(2, 1).value
    w = make_report("weekly", town, tmp_path / "weekly.pdf", TODAY, as_of=day)
    t = flat_of(w.path)
    assert "数据截至2026年11月1日日终" in t
    for needle in (fen_to_wan_text(want["owed_fen"]), fen_to_wan_text(want["paid_fen"]),
                   f"{want['open_cases']:,}/{want['closed_cases']:,}", f"{want['overdue']:,}/{want['due_soon']:,}"):
        assert needle in t, needle
    assert fen_to_wan_text(now.paid_fen) not in t


def test_export_carries_the_screens_amounts_and_imports_back_unchanged(demo_db, tmp_path):
    from models.io.exporter import export_ledger
    from models.io.importer import commit_import, plan_import
    s = Store(demo_db, "测试")
    try:
        before = [tuple(r) for r in s.query("SELECT * FROM case_record ORDER BY id")]
        for suffix in (".xlsx", ".csv"):
            out = export_ledger(s, "cases", tmp_path / f"cases{suffix}", masked=False, today=TODAY)
            plan = plan_import(s, out, "cases")
            j = plan.to_json()
            assert not plan.fatal and j["problems"] == [], (suffix, plan.fatal)
            computed = {c["column"] for c in j["columns"] if c["how"] == "计算列"}
            assert {"应付金额（元）", "已付金额（元）", "未付金额（元）"} <= computed
            r = commit_import(s, plan)
            assert (r["inserted"], r["updated"], r["unchanged"]) == (0, 0, 150), suffix
        assert [tuple(r) for r in s.query("SELECT * FROM case_record ORDER BY id")] == before
    finally:
        s.close()


def test_worker_export_names_the_case_and_subtotals_each(demo_db, tmp_path):
    import openpyxl
    from models.io.exporter import export_ledger
    s = Store(demo_db, "测试")
    try:
        out = export_ledger(s, "workers", tmp_path / "workers.xlsx", today=TODAY)
        n_cases, n_workers, owed = s.one("SELECT COUNT(DISTINCT w.case_id), COUNT(*), SUM(w.owed_fen) FROM worker w "
                                         "WHERE w.deleted_at IS NULL")
        first = s.one("SELECT c.case_no, c.employer_name, c.project_name, COUNT(*) AS n, SUM(w.owed_fen) AS owed "
                      "FROM worker w JOIN case_record c ON c.id = w.case_id WHERE w.deleted_at IS NULL "
                      "GROUP BY w.case_id ORDER BY w.case_id LIMIT 1")
    finally:
        s.close()
    ws = openpyxl.load_workbook(out).active
    head = [c.value for c in ws[3]]
    assert head[1:4] == ["所属问题编号", "用人单位", "项目名称"]
    owed_col = head.index("应发工资（元）") + 1
    subtotals = [r for r in range(4, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith("小计")]
    assert len(subtotals) == n_cases
    first_rows = [r for r in range(4, subtotals[0])]
    assert len(first_rows) == first["n"] and ws.cell(subtotals[0], 1).value == f"小计（{first['n']} 人）"
    assert {ws.cell(r, 2).value for r in first_rows} == {first["case_no"]}
    assert ws.cell(first_rows[0], 3).value == first["employer_name"]
    assert ws.cell(first_rows[0], 4).value == (first["project_name"] or None)
    assert round(ws.cell(subtotals[0], owed_col).value * 100) == first["owed"]
    total = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    assert round(ws.cell(total, owed_col).value * 100) == owed
    assert sum(1 for r in range(4, total) if isinstance(ws.cell(r, 1).value, int)) == n_workers


def test_agenda_and_briefing_count_major_and_sensitive_alike(town):
    from models import meetings as M
    s = Store(town, "测试")
    try:
        f = figures.figures(s, TODAY)
        a = M.prepare_agenda(s, TODAY + _dt.timedelta(days=4), TODAY - _dt.timedelta(days=3), today=TODAY)
        assert a.warnings["在办重大"] == f.major_open and a.warnings["在办敏感"] == f.sensitive_open
        assert a.warnings["逾期"] == f.overdue
        past = M.prepare_agenda(s, _dt.date(2026, 11, 2), _dt.date(2026, 10, 26), today=TODAY)
        then = figures.figures(s, TODAY, _dt.date(2026, 11, 1))
        assert past.warnings["在办重大"] == then.major_open and past.warnings["逾期"] == then.overdue
        assert (past.total.open_cases, past.total.outstanding_fen, past.total.overdue_cases) == \
            (then.open_cases, then.unpaid_fen, then.overdue)
        assert (a.total.open_cases, a.total.outstanding_fen, a.total.overdue_cases) == \
            (f.open_cases, f.unpaid_fen, f.overdue)
    finally:
        s.close()


def test_check_passes_on_the_demo_and_lists_the_work_warnings(town, capsys):
    from desktop.cli import main
    code = main(["check", "--db", str(town), "--json", "--date", TODAY.isoformat()])
    j = json.loads(capsys.readouterr().out)
    assert code == 0 and j["passed"] and j["findings"] == []
    s = Store(town, "测试")
    try:
        f = figures.figures(s, TODAY)
        overdue_cases = {r[0] for r in s.query(
            "SELECT case_no FROM case_record WHERE deleted_at IS NULL AND status IN ('待核实', '化解中') "
            "AND deadline < ?", (TODAY.isoformat(),))}
    finally:
        s.close()
    assert f.overdue and f.items_overdue        # the demo has late work: it must show as warnings
    assert {w["label"] for w in j["warnings"] if w["rule"] == "case_overdue"} == overdue_cases
    assert sum(1 for w in j["warnings"] if w["rule"] == "action_items_overdue") == f.items_overdue
    counts = j["warning_counts"]
    assert {k: counts[k] for k in ("case_overdue", "action_items_overdue")} == \
        {"case_overdue": f.overdue, "action_items_overdue": f.items_overdue}
    code = main(["check", "--db", str(town), "--date", TODAY.isoformat()])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("数据审核通过") and f"预警：逾期问题 {f.overdue} 件" in out
    assert out.count("[预警·") == f.overdue + f.items_overdue


def test_case_ledger_footer_says_where_it_counts_otherwise(town, tmp_path, qtbot, app_font):
    """The case ledger's 合计 counts every listed case; it says so beside the figure when the list
    holds cases found groundless, which the headline figures leave out."""
    from models.prefs import Prefs
    from views.case_page import CasePage
    from views.context import AppContext, DataBus
    store = Store(town, "测试")
    try:
        ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
        ctx.today = lambda: TODAY
        page = CasePage(ctx)
        qtbot.addWidget(page)
        page._update_totals()
        f = figures.figures(store, TODAY)
        assert f"注：合计含经核实不存在欠薪的问题 {f.no_arrears_cases} 件" in page.totals.text()
        assert f"共 {f.cases:,} 件" in page.totals.text()
    finally:
        store.close()


def test_daily_missing_is_the_workstreams_the_daily_page_lists_as_not_reported(s):
    """日报告未报专班数: on a workday, the workstreams without a return that day (a 零报告 counts as
    sent), counted here from the returns themselves; 0 on a day off; the same now and as of a day."""
    from models import campaign, daily

    def not_reported(day: _dt.date) -> int:
        sent = {r[0] for r in s.query("SELECT workstream_id FROM daily_report WHERE report_on = ? "
                                      "AND deleted_at IS NULL", (day.isoformat(),))}
        return sum(1 for w in campaign.workstreams(s) if w["id"] not in sent)
    # the demo: two workstreams late today; every workstream sent on the nine workdays before
    assert figures.figures(s, TODAY).daily_missing == not_reported(TODAY) == 2
    assert figures.one(s, "daily_missing", TODAY) == len(daily.missing_on(s, TODAY))
    assert "未报" in daily.banner(s, TODAY) and daily.is_workday(s, TODAY)
    workday = _dt.date(2026, 11, 25)
    assert figures.figures(s, TODAY, workday).daily_missing == not_reported(workday) == 0
    early = _dt.date(2026, 11, 2)                         # a Monday before the demo's returns begin
    assert figures.figures(s, TODAY, early).daily_missing == not_reported(early) == len(campaign.workstreams(s)) > 0
    sunday = _dt.date(2026, 11, 22)
    assert not daily.is_workday(s, sunday) and not_reported(sunday) > 0
    assert figures.figures(s, TODAY, sunday).daily_missing == 0
    d = figures.DEFINITIONS["daily_missing"]
    assert d.unit == "个" and "零报告也算已报" in d.basis and "休息日" in d.basis
