"""The demo township shows every part of the plans: evidence files on cases and repayments,
employers with 一企一策 measures, projects with deposits and the three registers (one month
that does not agree, caught by the check), an advance being recovered, workstream targets, a
certificate and versioned 工作方案."""
from __future__ import annotations

import pytest

from conftest import TODAY
from models.db import Store


@pytest.fixture(scope="module")
def full_demo(tmp_path_factory):
    from models import demo
    path = tmp_path_factory.mktemp("full-demo") / "demo.sqlite"
    summary = demo.build_demo(path, "township", today=TODAY, plans=True)      # as `qingqian demo` makes it
    return path, summary


def test_every_part_is_in_the_demo(full_demo):
    path, summary = full_demo
    assert set(summary["plans"]) == {"projects", "employers", "attachments", "targets"}
    s = Store(path)
    try:
        n = {t: s.scalar(f"SELECT COUNT(*) FROM {t}") for t in (
            "attachment", "employer_plan", "advance", "advance_recovery", "project_roster", "project_attendance",
            "project_payroll", "workstream_target", "certificate", "work_document")}
        assert all(v > 0 for v in n.values()), n
        tables = {r[0] for r in s.query("SELECT DISTINCT record_table FROM attachment WHERE deleted_at IS NULL")}
        assert {"case_record", "repayment"} <= tables
        recovered = s.scalar("SELECT COUNT(DISTINCT advance_id) FROM advance_recovery WHERE deleted_at IS NULL")
        assert recovered >= 1                                   # an advance being recovered
        assert s.scalar("SELECT COUNT(*) FROM project WHERE deposit_fen > 0 AND deleted_at IS NULL") > 0
        files = list((path.parent / (path.name + ".files")).rglob("*"))
        assert any(f.is_file() for f in files)
    finally:
        s.close()


def test_the_check_finds_the_month_that_does_not_agree(full_demo):
    from models.checks import run_checks
    path, _summary = full_demo
    s = Store(path)
    try:
        report = run_checks(s, TODAY)
        rules = {f.rule for f in report.findings}
        assert "project_three_registers" in rules
        assert rules <= {"project_three_registers"}, rules       # nothing else in the demo is wrong
    finally:
        s.close()
