"""A check gives the verdict the import gives. The ledger's write rules (a repayment above what
is still owed, two payments that together exceed it, a payment that must name its worker) run
at commit; a dry run and the window's 检查 rehearse them in a rolled-back transaction, so the
rows the real import refuses are refused there too, and nothing is written."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import case_workers
from models.io.importer import commit_import, plan_import
from models.io.rehearsal import rehearse
from models.ledger.service import service_for

ROWS = ("问题编号,农民工,兑付日期,兑付金额\n"
        "R-1,孙七,2026-11-20,2001\n"            # 2,000 owed: over by 1 元
        "R-1,孙七,2026-11-21,1500\n"            # within what is owed
        "R-1,孙七,2026-11-22,600\n"             # with the row above: over
        "R-2,,2026-11-20,999999\n"              # a case without a roster owed 1,235 元
        "R-1,,2026-11-20,10\n")                 # a case with a roster: the worker must be named


@pytest.fixture
def owed(campaign_store, tmp_path):
    s = campaign_store
    cases = service_for(s, "cases")
    r1 = cases.insert({"case_no": "R-1", "registered_on": "2026-11-01"})
    cases.insert({"case_no": "R-2", "registered_on": "2026-11-01", "amount_fen": 123_500})
    case_workers.add_worker(s, r1, {"name": "孙七", "owed_fen": 200_000})
    path = tmp_path / "兑付.csv"
    path.write_text(ROWS, encoding="utf-8")
    return s, path


def _state(store):
    return [store.scalar(f"SELECT COUNT(*) FROM {t}") for t in ("repayment", "audit_log", "case_status_log")] + \
        [store.scalar("SELECT SUM(paid_fen) FROM worker"), store.scalar("SELECT SUM(paid_fen) FROM case_record")]


def test_rehearsal_refuses_what_the_commit_refuses_and_writes_nothing(owed):
    s, path = owed
    before = _state(s)
    for write in (False, True):
        plan = plan_import(s, path, "repayments")
        assert not plan.problems                 # each row alone is well formed
        assert rehearse(s, plan, write=write) == ""
        assert _state(s) == before
        refused = {p.row: p.message for p in plan.problems}
        assert set(refused) == {2, 4, 5, 6}, refused
        assert "超过孙七未付工资" in refused[2] and "超过本问题未付金额" in refused[5]
        assert "落到具体农民工" in refused[6]
        assert [r.row for r in plan.rows if r.action != "reject"] == [3]
    real = commit_import(s, plan_import(s, path, "repayments"))
    assert real["imported"] is False and {p["row"] for p in real["problems"]} == {2, 4, 5, 6}
    assert _state(s) == before


def test_the_dry_run_says_what_the_real_run_says(owed, tmp_path, capsys):
    from desktop.cli import main
    s, path = owed
    db = str(s.path)
    s.close()
    outs = []
    for extra in (["--dry-run"], []):
        code = main(["import", str(path), "--kind", "repayments", "--db", db, *extra])
        out = capsys.readouterr().out
        assert code == 1
        outs.append([ln for ln in out.splitlines() if ln.startswith(("读取", "  第"))])
    assert outs[0] == outs[1] and "读取 5 行，可导入 1 行，拒绝 4 行。" in outs[0]


def test_the_window_check_shows_the_rows_the_commit_would_refuse(owed, qtbot, qapp):
    from views.import_dialog import ImportDialog
    s, path = owed
    db = str(s.path)
    s.close()
    dlg = ImportDialog(None, db, "repayments", "测试员")
    qtbot.addWidget(dlg)
    dlg.set_file(str(path))
    qtbot.waitUntil(lambda: dlg.plan is not None, timeout=15000)
    assert {p.row for p in dlg.plan.problems} == {2, 4, 5, 6}
    assert "可导入 1 行，拒绝 4 行" in dlg.totals_label.text()
    assert dlg.problem_table.rowCount() == 4
