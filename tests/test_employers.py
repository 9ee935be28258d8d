"""一企一策: one employer's page gathers its cases (by id, or by the same name when a case has
none), contract arrears, blacklist, inspections, petitions, advances and plans; the printout's
figures are the ledgers' (read back from the PDF); the page, the commands and the export."""
from __future__ import annotations

import datetime as _dt
import json
import random
from pathlib import Path

import pytest

from desktop.cli import main
from models.db import Store
from models.ledger.repo import ValidationError
from models.prefs import Prefs
from views.context import AppContext, DataBus

TODAY = _dt.date(2026, 11, 26)
SHOTS = Path("/tmp/shots")


@pytest.fixture
def town(demo_db):
    from models.demo.employers import populate
    s = Store(demo_db, "办公室")
    s.today = TODAY
    populate(s, random.Random(5), TODAY)
    yield s
    s.close()


def _busiest(s) -> dict:
    """The employer with an advance (the demo's partly recovered one)."""
    return dict(s.one("SELECT e.* FROM employer e JOIN advance a ON a.employer_id = e.id "
                      "WHERE a.source = '应急周转金' LIMIT 1"))


def test_page_figures_are_the_ledgers(town):
    from models.employers import employer_page, list_employers
    s = town
    e = _busiest(s)
    # a case typed without the employer's id but with its name belongs to it too
    loose = s.one("SELECT id FROM case_record WHERE employer_id != ? AND deleted_at IS NULL LIMIT 1", (e["id"],))["id"]
    with s.tx():
        s.execute("UPDATE case_record SET employer_id = NULL, employer_name = ? WHERE id = ?", (e["name"], loose))
    p = employer_page(s, e["id"], TODAY)
    mine = "deleted_at IS NULL AND (employer_id = ? OR (employer_id IS NULL AND employer_name = ?))"
    want = s.one(f"SELECT SUM(status != '不存在欠薪') AS n, SUM(total_owed_fen) FILTER (WHERE status != '不存在欠薪') "
                 f"AS owed, SUM(total_paid_fen) FILTER (WHERE status != '不存在欠薪') AS paid, COUNT(*) AS n_all "
                 f"FROM case_record WHERE {mine}", (e["id"], e["name"]))
    t = p["totals"]
    assert loose in {c["id"] for c in p["cases"]}
    assert (t["cases"], t["counted_cases"], t["owed_fen"], t["paid_fen"], t["outstanding_fen"]) == \
        (want["n_all"], want["n"], want["owed"], want["paid"], want["owed"] - want["paid"])
    # a case found 不存在欠薪 is listed but its amounts are not counted, as in the program's figures
    with s.tx():
        s.execute("UPDATE case_record SET status = '不存在欠薪' WHERE id = ?", (loose,))
    p2 = employer_page(s, e["id"], TODAY)
    gone = [c for c in p["cases"] if c["id"] == loose][0]
    assert p2["totals"]["cases"] == t["cases"] and p2["totals"]["owed_fen"] == t["owed_fen"] - gone["owed_fen"]
    with s.tx():
        s.execute("UPDATE case_record SET status = ? WHERE id = ?", (gone["status"], loose))
    assert p["advance_outstanding_fen"] == sum(a["outstanding_fen"] for a in p["advances"]) > 0
    assert len(p["plans"]) == s.scalar("SELECT COUNT(*) FROM employer_plan WHERE employer_id = ? "
                                       "AND deleted_at IS NULL", (e["id"],)) >= 2
    listed = {r["name"]: r for r in list_employers(s)}
    assert listed[e["name"]]["outstanding_fen"] == t["outstanding_fen"]
    assert e["name"] in [r["name"] for r in list_employers(s, e["name"][2:6])]
    assert list_employers(s, "没有这个单位") == []
    # the ledger declared over the employer table computes the same summary (its export)
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo
    row = LedgerRepo(s, registry.get("employers")).get(e["id"])
    assert (row["case_count"], row["outstanding_fen"]) == (t["cases"], t["outstanding_fen"])


def test_blacklist_inspection_petition_and_contract_on_the_page(town):
    from models.employers import employer_page
    from models.ledger.service import service_for
    s = town
    e = _busiest(s)
    service_for(s, "blacklist", TODAY).insert({"employer_name": e["name"], "reason": "拖欠农民工工资数额较大",
                                               "reported_on": "2026-10-10", "listed_on": "2026-10-20"})
    service_for(s, "inspections", TODAY).insert({"insp_no": "PC-T1", "inspected_on": "2026-11-20",
                                                 "target_type": "用人单位", "target_name": e["name"],
                                                 "status": "待整改", "hazard": "工资未按月足额发放",
                                                 "rectify_by": "2026-12-10", "paid_in_full": 0})
    service_for(s, "petitions", TODAY).insert({"visited_on": "2026-11-21", "petitioner": "王某", "phone": "13800000000",
                                               "people_count": 3, "employer_name": e["name"], "demand": "讨要工资"})
    service_for(s, "contract_arrears", TODAY).insert({"arrear_no": "GCK-T1", "project_name": "测试工程",
                                                      "owner_unit": "青山镇人民政府", "contractor": e["name"],
                                                      "contract_fen": 10_000_000, "paid_fen": 4_000_000})
    p = employer_page(s, e["id"], TODAY)
    assert p["blacklist_status"] == "惩戒中"
    assert p["open_hazards"] == 1 and [i["insp_no"] for i in p["inspections"]] == ["PC-T1"]
    assert "王某" in [x["petitioner"] for x in p["petitions"]]
    c = [c for c in p["contracts"] if c["arrear_no"] == "GCK-T1"][0]
    assert (c["role"], c["owed_fen"], c["status"]) == ("施工单位", 6_000_000, "未定计划")


def test_plan_rules(town):
    from models.checks import run_checks
    from models.ledger.service import service_for
    s = town
    e = _busiest(s)
    svc = service_for(s, "employer_plans", TODAY)
    with pytest.raises(ValidationError, match="早于开始日期"):
        svc.insert({"employer_id": e["id"], "measure": "测试措施", "responsible": "甲", "start_on": "2026-11-20",
                    "due_on": "2026-11-10", "status": "推进中"})
    with pytest.raises(ValidationError, match="完成日期"):
        svc.insert({"employer_id": e["id"], "measure": "测试措施", "responsible": "甲", "due_on": "2026-11-30",
                    "status": "已完成", "progress_pct": 100})
    pid = svc.insert({"employer_id": e["id"], "measure": "测试逾期措施", "responsible": "甲", "start_on": "2026-11-01",
                      "due_on": "2026-11-20", "status": "推进中", "progress_pct": 40})
    rep = run_checks(s, TODAY)
    overdue = [f for f in rep.warnings if f.rule == "employer_plans_overdue" and f.record == pid]
    assert len(overdue) == 1 and "2026-11-20 已过" in overdue[0].message
    assert [f for f in rep.findings if f.rule == "employer_plans_consistent"] == []


def test_printout_figures_equal_the_ledgers(town, tmp_path):
    from models.employers import employer_page
    from models.reports.employer import build
    from models.values import fen_to_yuan_text as y
    from tests.pdftext import text_of
    s = town
    e = _busiest(s)
    p = employer_page(s, e["id"], TODAY)
    r = build(s, tmp_path / "e.pdf", e["id"], TODAY)
    assert r.pages >= 1
    text = text_of(r.path)
    flat = text.replace("\n", "")
    t = p["totals"]
    for fen in (t["owed_fen"], t["paid_fen"], t["outstanding_fen"], p["advance_outstanding_fen"]):
        assert f"{y(fen)} 元" in flat
    for c in p["cases"]:
        assert c["case_no"] in text
    for a in p["advances"]:
        assert a["advance_no"] in text and y(a["recovered_fen"]) in text
    for x in p["plans"]:
        assert x["responsible"] in flat
    assert e["name"] in text and "一企一策工作台账" in text
    # the 合计 row of the cases equals the ledger's totals
    total_line = [ln for ln in text.split("\n") if ln.startswith("合计") and y(t["owed_fen"]) in ln][0]
    assert [y(t["owed_fen"]), y(t["paid_fen"]), y(t["outstanding_fen"])] == total_line.split()[-3:]
    w = build(s, tmp_path / "e.docx", e["id"], TODAY)
    from docx import Document
    doc = Document(str(w.path))
    cells = {c.text for tbl in doc.tables for row in tbl.rows for c in row.cells}
    assert y(t["outstanding_fen"]) in cells and p["cases"][0]["case_no"] in cells


def _q(capsys, db, *argv, ok=True, as_json=True):
    try:
        code = main([str(a) for a in argv] + ["--db", str(db), "--today", TODAY.isoformat()]
                    + (["--json"] if as_json else []))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    if ok:
        assert code == 0, f"{argv}: {err}"
        return json.loads(out) if as_json else out
    assert code == 2 and out == "" and err.count("\n") == 1, (argv, out, err)
    return err


def test_employer_commands_and_export(demo_db, capsys, tmp_path):
    from models.demo.employers import populate
    s = Store(demo_db, "办公室")
    populate(s, random.Random(5), TODAY)
    e = _busiest(s)
    s.close()
    rows = _q(capsys, demo_db, "employer", "list")["rows"]
    assert e["name"] in [r["name"] for r in rows]
    shown = _q(capsys, demo_db, "employer", "show", e["name"])
    assert shown["employer"]["name"] == e["name"] and shown["totals"]["cases"] >= 1
    lines = _q(capsys, demo_db, "employer", "show", e["name"], as_json=False)
    assert "一企一策措施" in lines and "尚未支付" in lines
    got = _q(capsys, demo_db, "employer", "plan", e["name"], "--measure", "约谈法人代表", "--responsible", "李四",
             "--due", "2026-12-20")
    assert got["ok"]
    again = _q(capsys, demo_db, "employer", "show", e["name"])
    assert "约谈法人代表" in [p["measure"] for p in again["plans"]]
    out = tmp_path / "e.pdf"
    got = _q(capsys, demo_db, "employer", "print", e["name"], "--out", out)
    assert out.exists() and got["pages"] >= 1
    assert "没有名为" in _q(capsys, demo_db, "employer", "show", "不存在的公司", ok=False)
    assert ".pdf 或 .docx" in _q(capsys, demo_db, "employer", "print", e["name"], "--out", tmp_path / "x.txt", ok=False)
    # qingqian export employers: the employers with their summary
    xl = tmp_path / "employers.xlsx"
    assert main(["export", "employers", "--db", str(demo_db), "--out", str(xl)]) == 0
    from openpyxl import load_workbook
    ws = load_workbook(xl).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in values if "单位名称" in r)
    mine = next(r for r in values if e["name"] in r)
    assert mine[header.index("欠薪问题数")] == shown["totals"]["cases"]
    xl2 = tmp_path / "plans.xlsx"
    assert main(["export", "employer_plans", "--db", str(demo_db), "--out", str(xl2)]) == 0


def test_employer_page(town, qtbot, tmp_path, monkeypatch):
    from desktop.app import register_font
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication
    from views.employers.employer_page import EmployerPage
    register_font()
    QApplication.instance().setFont(QFont("WenQuanYi Micro Hei", 10))
    ctx = AppContext(store=town, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    ctx.today = lambda: TODAY
    page = EmployerPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    e = _busiest(town)
    n_all = page.list.count()
    assert n_all == town.scalar("SELECT COUNT(*) FROM employer") and not page.print_btn.isEnabled()
    page.search.setText(e["name"][:6])
    qtbot.waitUntil(lambda: page.list.count() < n_all)
    assert page.select_name(e["name"])
    assert page.page["employer"]["id"] == e["id"] and page.print_btn.isEnabled()
    html = page.view.toPlainText()
    assert "一企一策措施" in html and "垫付及追偿" in html and page.page["advances"][0]["advance_no"] in html
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SHOTS / "employer_page.png"))
    # a plan added elsewhere shows at once
    from models.ledger.service import service_for
    service_for(town, "employer_plans", TODAY).insert({"employer_id": e["id"], "measure": "新措施：督促总包代发",
                                                       "responsible": "赵六", "due_on": "2026-12-30", "status": "推进中"})
    ctx.changed("employer_plan")
    assert "新措施：督促总包代发" in page.view.toPlainText()
    # 更新进展 from the page: the form writes through the plan's service, the page shows it at once
    import views.record_form as rf

    def fill_and_save(form):
        form.editors["progress_pct"].set_value(100)
        form.editors["status"].set_value("已完成")
        form.editors["done_on"].set_value("2026-11-25")
        form.editors["progress"].set_value("总包已代发全部工资")
        form.save()
        return form.result() == rf.QDialog.DialogCode.Accepted
    monkeypatch.setattr(rf.RecordForm, "exec", fill_and_save)
    pid = town.scalar("SELECT id FROM employer_plan WHERE measure = '新措施：督促总包代发'")
    assert f"plan:{pid}" in page.view.toHtml()
    page.view.anchorClicked.emit(__import__("PySide6.QtCore", fromlist=["QUrl"]).QUrl(f"plan:{pid}"))
    row = town.one("SELECT status, progress_pct, done_on FROM employer_plan WHERE id = ?", (pid,))
    assert tuple(row) == ("已完成", 100, "2026-11-25")
    assert "总包已代发全部工资" in page.view.toPlainText()
    out = page.print_to(tmp_path / "p.pdf")
    assert out.exists() and out.stat().st_size > 1000
