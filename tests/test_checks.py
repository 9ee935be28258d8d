"""Each consistency rule catches a fault planted for it, and a clean ledger passes."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import case_workers, cases
from models.checks import run_checks
from models.rules.idcard import make_valid_id

TODAY = _dt.date(2026, 11, 26)
ID1 = make_valid_id("511322", _dt.date(1985, 3, 4), 1)


@pytest.fixture
def ledger(campaign_store):
    s = campaign_store
    cid = cases.register_case(s, {"registered_on": "2026-11-02", "employer_name": "甲公司", "amount_fen": 300000,
                                  "period_from": "2026-08-01", "period_to": "2026-10-31"})
    w = case_workers.add_worker(s, cid, {"name": "张三", "id_number": ID1, "owed_fen": 300000,
                                         "entered_on": "2026-05-01", "left_on": "2026-10-31"})
    case_workers.record_repayment(s, cid, {"worker_id": w, "paid_on": "2026-11-10", "amount_fen": 100000})
    assert run_checks(s, TODAY).passed, run_checks(s, TODAY).findings
    return s, cid, w


def _raw(s, sql, params=()):
    """Plant a fault the way a damaged import or a hand edit of the file would: around the
    program's own rules (bulk mode keeps the roll-up triggers out of it)."""
    s.bulk = True
    try:
        with s.tx():
            s.execute(sql, params)
    finally:
        s.bulk = False


PLANTS = {
    "worker_paid_le_owed": ("UPDATE worker SET paid_fen = owed_fen + 1 WHERE id = :w", "worker"),
    "case_paid_le_owed": ("UPDATE case_record SET w_paid_fen = w_owed_fen + 5 WHERE id = :c", "case_record"),
    "case_totals_match_workers": ("UPDATE case_record SET w_owed_fen = w_owed_fen + 7 WHERE id = :c", "case_record"),
    "resolved_means_paid": ("UPDATE case_record SET status = '已化解', verdict = '经核实存在欠薪，已支付完毕' "
                            "WHERE id = :c", "case_record"),
    "dates_in_order": ("UPDATE worker SET entered_on = '2026-12-01' WHERE id = :w", "worker"),
    "no_duplicate_worker": ("INSERT INTO worker(uuid, case_id, name, id_number, owed_fen) "
                            "SELECT qq_uuid(), case_id, '张三', id_number, 0 FROM worker WHERE id = :w", "worker"),
    "id_numbers_valid": ("UPDATE worker SET id_number = substr(id_number, 1, 17) || "
                         "CASE substr(id_number, 18) WHEN '1' THEN '2' ELSE '1' END WHERE id = :w", "worker"),
    "repayments_match_workers": ("UPDATE worker SET paid_fen = 50000 WHERE id = :w", "worker"),
}


@pytest.mark.parametrize("rule", sorted(PLANTS))
def test_each_rule_catches_its_planted_fault(ledger, rule):
    s, cid, w = ledger
    sql, table = PLANTS[rule]
    _raw(s, sql, {"c": cid, "w": w})
    report = run_checks(s, TODAY)
    hits = [f for f in report.findings if f.rule == rule]
    assert hits, (rule, report.findings)
    assert hits[0].table == table and hits[0].message
    assert not report.passed


def test_every_core_rule_has_a_planted_fault():
    from models.checks import RULES
    import models.checks as core
    own = {code for code, (_t, fn) in RULES.items() if fn.__module__ == core.__name__}
    assert own <= set(PLANTS), own - set(PLANTS)


def test_id_numbers_checked_in_bulk_find_exactly_the_bad_ones(ledger):
    """Thousands of workers go through the array check (models.io.columns); every number it
    does not clear is judged by the full rules, so the findings are exactly the invalid ones."""
    from models.db import new_uuids
    from models.rules.idcard import validate_id
    s, cid, _ = ledger
    numbers = [make_valid_id("110101", _dt.date(1960, 1, 1) + _dt.timedelta(days=i), i % 900 + 1) for i in range(3000)]
    numbers[10] = numbers[10][:17] + ("1" if numbers[10][17] != "1" else "2")       # wrong check digit
    numbers[20] = "99" + numbers[20][2:]                                             # no such region
    numbers[30] = numbers[30][:10] + "1340" + numbers[30][14:]                       # 13th month
    numbers[40] = numbers[40][:17].lower() + "x" if numbers[40].endswith("X") else numbers[40]
    numbers[50] = numbers[50][:17]                                                   # 17 characters
    rows = [(u, cid, f"工人{i}", n) for i, (u, n) in enumerate(zip(new_uuids(len(numbers)), numbers))]
    s.bulk = True
    try:
        with s.tx():
            s.conn.executemany("INSERT INTO worker(uuid, case_id, name, id_number) VALUES (?, ?, ?, ?)", rows)
    finally:
        s.bulk = False
    found = {f.record for f in run_checks(s, TODAY).findings if f.rule == "id_numbers_valid"}
    ids = dict(s.query("SELECT id_number, id FROM worker WHERE name LIKE '工人%'"))
    want = {ids[n] for n in numbers if not validate_id(n).ok}
    assert want and found == want


# -- work warnings: late work is followed up, it is not a fault in the data ------------------------
def test_an_overdue_case_is_a_warning_not_a_finding(ledger):
    s, cid, _w = ledger
    late = _dt.date(2027, 3, 1)                       # long after the case's 办结时限
    report = run_checks(s, late)
    assert report.passed and report.findings == []
    hits = [w for w in report.warnings if w.rule == "case_overdue"]
    assert [w.record for w in hits] == [cid] and "已过" in hits[0].message
    assert report.warning_counts["case_overdue"] == 1
    assert "预警：逾期问题 1 件" in report.summary() and report.summary().startswith("数据审核通过")
    # a closed case is no longer late work
    case_workers.record_repayment(s, cid, {"worker_id": _w, "paid_on": "2026-11-20", "amount_fen": 200000})
    cases.change_status(s, cid, cases.StatusChange("化解中", "2026-11-20"))
    cases.change_status(s, cid, cases.StatusChange("已化解", "2026-11-21", verdict="经核实存在欠薪，已支付完毕"))
    assert run_checks(s, late).warning_counts["case_overdue"] == 0


def test_reports_stay_passed_with_overdue_work(town, tmp_path):
    """The demo has overdue cases and 交办事项: its reports say 数据审核：通过 and list the warnings."""
    from pdftext import flat_of
    from models.reports import make_report
    r = make_report("stats", town, tmp_path / "stats.pdf", _dt.date(2026, 11, 26))
    t = flat_of(r.path)
    assert r.passed and "数据审核：通过" in t and "未通过" not in t
    assert "预警：逾期问题" in t and "工作预警" in t


def test_checks_page_lists_warnings_apart(town, tmp_path, qtbot, app_font):
    from models.db import Store
    from models.prefs import Prefs
    from views.checks_page import ChecksPage
    from views.context import AppContext, DataBus
    store = Store(town, "测试")
    try:
        ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
        ctx.today = lambda: _dt.date(2026, 11, 26)
        page = ChecksPage(ctx)
        qtbot.addWidget(page)
        report = run_checks(store, _dt.date(2026, 11, 26))
        page._done(report)
        assert report.passed and page.table.rowCount() == 0 and report.warnings
        assert page.warn_table.rowCount() == len(report.warnings)
        assert "数据审核通过" in page.status.text()
        labels = {page.warn_table.item(i, 1).text() for i in range(page.warn_table.rowCount())}
        assert {w.label for w in report.warnings} == labels
    finally:
        store.close()
