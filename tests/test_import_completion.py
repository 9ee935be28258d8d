"""待补录 after importing an old-style ledger: the closed cases without 核处结论 come in, are
listed by ``qingqian check --json`` (``incomplete``) and on the 数据审核 page, and leave the
list once completed."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from desktop.cli import main as cli
from models import completion
from models.io.importer import commit_import, plan_import

TODAY = dt.date(2026, 11, 26)


def _old_ledger(path: Path) -> Path:
    """A 2025 ledger kept before 核处结论 was a column of its own: 办理结果 is often blank."""
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("台账")
    ws.write_row(0, 0, ["青山镇欠薪问题台账（2025年）"])
    ws.write_row(1, 0, ["问题编号", "受理日期", "欠薪单位", "拖欠人数", "拖欠金额（元）", "已清偿金额（元）", "处理状态",
                        "办理结果"])
    rows = [["J-01", "2025.3.5", "甲公司", 4, "12,000.00", "12,000.00", "已化解", ""],
            ["J-02", "2025年4月1日", "乙公司", 2, "8000", "8000", "已化解", "经核实存在欠薪，已支付完毕"],
            ["J-03", "20250502", "丙公司", 1, "3000", "0", "不存在欠薪", ""],
            ["J-04", 45800, "丁公司", 6, "1.2万", "0.3万", "化解中", ""]]
    for i, r in enumerate(rows, 2):
        for j, v in enumerate(r):
            (ws.write_string if isinstance(v, str) else ws.write_number)(i, j, v)
    wb.close()
    return path


def test_check_json_and_the_checks_page_list_what_to_complete(campaign_store, tmp_path, capsys, qtbot, app_font):
    f = _old_ledger(tmp_path / "2025年台账.xlsx")
    plan = plan_import(campaign_store, f, "cases")
    j = plan.to_json()
    assert j["problems"] == [] and [g["row"] for g in j["incomplete"]] == [3, 5]
    assert j["totals"]["amount_fen"] == 3_500_000 and j["totals"]["paid_fen"] == 2_300_000
    result = commit_import(campaign_store, plan, today=TODAY)
    assert result["imported"] and result["inserted"] == 4
    assert [tuple(r) for r in campaign_store.query("SELECT case_no, registered_on FROM case_record ORDER BY case_no")] == [
        ("J-01", "2025-03-05"), ("J-02", "2025-04-01"), ("J-03", "2025-05-02"), ("J-04", "2025-05-23")]
    db = str(campaign_store.path)

    assert cli(["check", "--db", db, "--json", "--date", TODAY.isoformat()]) in (0, 1)
    out = json.loads(capsys.readouterr().out)
    assert [(g["label"], g["field"], g["field_label"]) for g in out["incomplete"]] == [
        ("J-01", "verdict", "核处结论"), ("J-03", "verdict", "核处结论")]

    from models.prefs import Prefs
    from views.checks_page import ChecksPage
    from views.context import AppContext, DataBus
    from models.checks import run_checks
    ctx = AppContext(store=campaign_store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    ctx.today = lambda: TODAY
    page = ChecksPage(ctx)
    qtbot.addWidget(page)
    report = run_checks(campaign_store, TODAY)
    report.incomplete = completion.list_incomplete(campaign_store)
    page._done(report)
    assert page.gap_table.rowCount() == 2
    assert [page.gap_table.item(i, 0).text() for i in range(2)] == ["J-01", "J-03"]
    assert page.gap_summary.text() == "待补录 2 条（核处结论 2 条）。"

    with campaign_store.tx():
        campaign_store.execute("UPDATE case_record SET verdict = '经核实存在欠薪，已支付完毕' WHERE case_no = 'J-01'")
    assert cli(["check", "--db", db, "--json", "--date", TODAY.isoformat()]) in (0, 1)
    assert [g["label"] for g in json.loads(capsys.readouterr().out)["incomplete"]] == ["J-03"]
