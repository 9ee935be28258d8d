"""专班目标: 确保 / 力争 per workstream, filled from the percentages when left blank; 实际 on the home
page and in the briefing equals the headline figures (``models.figures``) where they overlap."""
from __future__ import annotations

import datetime as _dt

import pytest
from pdftext import flat_of

from models import campaign, figures, targets
from models.db import Store
from models.ledger.repo import ValidationError
from models.ledger.service import service_for
from models.values import fen_to_wan_text

TODAY = _dt.date(2026, 11, 26)


@pytest.fixture
def s(town_targets):
    store = Store(town_targets[0], "测试")
    yield store
    store.close()


def test_demo_has_targets_a_certificate_and_documents(town_targets, s):
    _path, out = town_targets
    assert out["targets"] == s.scalar("SELECT COUNT(*) FROM workstream_target WHERE deleted_at IS NULL") >= 5
    assert out["certificate"].startswith("清欠证〔2026〕")
    assert s.scalar("SELECT COUNT(*) FROM certificate WHERE cert_no = ?", (out["certificate"],)) == 1
    assert s.scalar("SELECT COUNT(*) FROM work_document WHERE doc_kind = '工作方案'") == 2
    assert s.scalar("SELECT COUNT(*) FROM work_document WHERE doc_kind = '通报'") == 1
    assert s.scalar("SELECT COUNT(*) FROM workstream_target WHERE amount_basis = '筹措到位金额'") >= 1


def test_blank_numbers_come_from_60_and_80_percent(campaign_store):
    s = campaign_store
    ws = campaign.workstreams(s)[0]["id"]
    cases = service_for(s, "cases", TODAY)
    for i, (owed, status) in enumerate(((100_000, "化解中"), (300_000, "化解中"), (50_000, "不存在欠薪"))):
        cases.insert({"case_no": f"T{i}", "registered_on": "2026-10-01", "employer_name": "甲公司",
                      "workstream_id": ws, "workers_count": 2, "amount_fen": owed, "status": status,
                      **({"verdict": "经核实已按时足额支付"} if status == "不存在欠薪" else {})})
    tid = service_for(s, "targets", TODAY).insert({"workstream_id": ws, "due_on": "2027-01-31"})
    t = s.one("SELECT * FROM workstream_target WHERE id = ?", (tid,))
    # two counted cases (不存在欠薪 left out), 400,000 分 owed
    assert (t["sure_pct"], t["strive_pct"]) == (60, 80)
    assert (t["sure_cases"], t["strive_cases"]) == (2, 2)             # ceil(1.2), ceil(1.6)
    assert (t["sure_fen"], t["strive_fen"]) == (240_000, 320_000)


def test_stretch_below_binding_is_refused(campaign_store):
    ws = campaign.workstreams(campaign_store)[0]["id"]
    with pytest.raises(ValidationError, match="力争件数不能低于确保件数"):
        service_for(campaign_store, "targets", TODAY).insert(
            {"workstream_id": ws, "due_on": "2027-01-31", "sure_cases": 10, "strive_cases": 5, "sure_fen": 1,
             "strive_fen": 2})


def test_actual_sums_to_the_headline_figures(s):
    prog = targets.progress(s, TODAY)
    f = figures.figures(s, TODAY)
    assert prog.resolved_cases == f.resolved_cases
    assert prog.paid_fen == f.paid_fen
    # each workstream's line: the ledger's own computed 实际 columns agree with the progress
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo
    repo = LedgerRepo(s, registry.get("targets"))
    rows = {r["workstream_id"]: r for r in (dict(x) for x in s.query(
        f"SELECT t.workstream_id, {repo.column_sql(repo.ledger.field('actual_cases'))} AS ac, "
        f"{repo.column_sql(repo.ledger.field('actual_fen'))} AS af FROM workstream_target t WHERE t.deleted_at IS NULL"))}
    for ln in prog.lines:
        assert ln.actual == (rows[ln.workstream_id]["af"] if ln.money else rows[ln.workstream_id]["ac"])
    paid_lines = [ln for ln in prog.lines if ln.measure.startswith(targets.PAID)]
    resolved = {ln.workstream_id: ln.actual for ln in prog.lines if not ln.money}
    by_ws = {w: 0 for w in resolved}
    for wid, status, n, *_ in figures.Basis(s, TODAY).groups:
        if wid in by_ws and status == "已化解":
            by_ws[wid] += n
    assert resolved == by_ws
    assert paid_lines


def test_briefing_prints_the_targets_table(s, town_targets, tmp_path):
    from models.reports import make_report
    r = make_report("weekly", town_targets[0], tmp_path / "w.pdf", TODAY)
    text = flat_of(r.path)
    prog = targets.progress(s, TODAY)
    assert "专班目标完成情况" in text
    assert r.figures["targets"] == [ln.to_json() for ln in prog.lines]
    for ln in prog.lines:
        for v in (ln.sure, ln.strive, ln.actual):
            assert (fen_to_wan_text(v, 2) if ln.money else f"{v:,}") in text


def test_dashboard_shows_the_targets(qtbot, s, tmp_path):
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    from views.dashboard_page import DashboardPage
    ctx = AppContext(store=s, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus(), today=lambda: TODAY)
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    prog = targets.progress(s, TODAY)
    t = page.target_table
    assert t.rowCount() == len(prog.lines)
    for i, ln in enumerate(prog.lines):
        assert [t.item(i, j).text() for j in range(7)] == targets.table_rows(prog)[i]
    assert "月报" in page.report_hint.text() and "2026-12-10" in page.report_hint.text()
    page.show()
    qtbot.waitExposed(page)
    page.targets_box.grab().save(str(tmp_path / "targets.png"))


def test_a_past_day_is_counted_as_it_stood(s):
    day = _dt.date(2026, 10, 31)
    prog = targets.progress(s, TODAY, day)
    f = figures.figures(s, TODAY, day)
    assert (prog.resolved_cases, prog.paid_fen) == (f.resolved_cases, f.paid_fen)
    assert prog.paid_fen < figures.figures(s, TODAY).paid_fen
    raised = {ln.workstream_id: ln.actual for ln in prog.lines if ln.measure.startswith(targets.RAISED)}
    for wid, actual in raised.items():
        assert actual == s.scalar("SELECT COALESCE(SUM(received_fen), 0) FROM fund WHERE deleted_at IS NULL AND "
                                  "workstream_id = ? AND received_on <= ?", (wid, day.isoformat()))
    assert raised


def test_export_and_import_round_trip(town_targets, tmp_path, capsys):
    import shutil

    import openpyxl

    from desktop.cli import main
    db = tmp_path / "copy.sqlite"
    shutil.copy(town_targets[0], db)
    out = tmp_path / "targets.xlsx"
    assert main(["export", "targets", "--db", str(db), "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    head = [c.value for c in ws[3]]
    assert head[:3] == ["序号", "专班", "目标时限"] and "确保化解件数" in head and "力争金额（元）" in head
    ws.cell(4, head.index("力争化解件数") + 1).value = 99
    wb.save(out)
    capsys.readouterr()
    assert main(["import", str(out), "--kind", "targets", "--db", str(db)]) == 0
    assert "更新 1 条" in capsys.readouterr().out
    s = Store(db)
    try:
        assert s.scalar("SELECT COUNT(*) FROM workstream_target WHERE strive_cases = 99") == 1
    finally:
        s.close()
