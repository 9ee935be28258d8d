"""The rules that only look cases up by number or link (``checks.CASE_NOS``: petitions, the
blacklist, contract arrears, fund allocations) are not run again after a change of a case's
figures or details, and are after a case is recycled, restored or renumbered; either way the
incremental result equals a full run."""
from __future__ import annotations

import datetime as _dt

from models import checks
from models.checks_incremental import check, same_findings
from models.db import Store

TODAY = _dt.date(2026, 12, 7)
LOOKUPS = {"petitions_linked", "blacklist_dates", "contract_arrears_consistent", "funds_reconcile"}
OTHERS = {"assets_match_funds", "daily_reports_unique", "inspections_rectified"}


def _rerun(s, sql, params=()):
    with s.tx("改动"):
        s.execute(sql, params)
    inc, done = check(s, TODAY)
    assert same_findings(inc, checks.run_checks(s, TODAY)), sql
    return set(done["rules_rerun"]), inc


def test_a_cases_details_do_not_run_the_lookups_again_its_number_and_bin_do(demo_db):
    s = Store(demo_db)
    try:
        assert all(checks.CASE_NOS in checks.META[c].reads for c in LOOKUPS)
        cid = s.scalar("SELECT MIN(id) FROM case_record WHERE deleted_at IS NULL")
        pid = s.scalar("SELECT MIN(id) FROM petition WHERE deleted_at IS NULL")
        assert cid is not None and pid is not None
        with s.tx("关联"):
            s.execute("UPDATE petition SET case_id = ? WHERE id = ?", (cid, pid))
        _first, done = check(s, TODAY)
        assert done["mode"] == "full"

        rerun, _inc = _rerun(s, "UPDATE case_record SET owner_person = owner_person || '乙' WHERE id = ?", (cid,))
        assert "case_paid_le_owed" in rerun and not rerun & (LOOKUPS | OTHERS), rerun

        rerun, inc = _rerun(s, "UPDATE case_record SET deleted_at = '2026-12-07T10:00:00' WHERE id = ?", (cid,))
        assert LOOKUPS <= rerun and not rerun & OTHERS, rerun
        assert any(f.rule == "petitions_linked" and f.record == pid for f in inc.findings)

        rerun, inc = _rerun(s, "UPDATE case_record SET deleted_at = NULL WHERE id = ?", (cid,))
        assert LOOKUPS <= rerun
        assert not any(f.rule == "petitions_linked" and f.record == pid for f in inc.findings)

        rerun, _inc = _rerun(s, "UPDATE case_record SET case_no = case_no || '-改' WHERE id = ?", (cid,))
        assert LOOKUPS <= rerun and not rerun & OTHERS, rerun
    finally:
        s.close()
