"""A work warning counted in SQL lists only the first ones (oldest 办结时限 first), and the
count, the listing and the incremental check agree with reading every warning."""
from __future__ import annotations

import datetime as _dt

from models import cases, checks
from models.checks_incremental import check

LATE = _dt.date(2027, 6, 1)        # after every case's 办结时限


def _register(s, n: int) -> list[int]:
    return [cases.register_case(s, {"registered_on": f"2026-11-{i + 1:02d}", "employer_name": f"单位{i}",
                                    "amount_fen": 100000}) for i in range(n)]


def test_counted_warning_lists_the_oldest_and_counts_all(campaign_store):
    s = campaign_store
    ids = _register(s, 5)
    report = checks.run_checks(s, LATE, limit_per_rule=2)
    listed = [w for w in report.warnings if w.rule == "case_overdue"]
    assert report.warning_counts["case_overdue"] == 5
    deadlines = sorted((s.scalar("SELECT deadline FROM case_record WHERE id = ?", (i,)), i) for i in ids)
    assert [w.record for w in listed] == [i for _d, i in deadlines[:2]]
    # the same as reading every warning and keeping the first two
    every = list(checks.WARNINGS["case_overdue"][1](s, LATE))
    assert len(every) == 5 and listed == every[:2]
    assert "预警：逾期问题 5 件" in report.summary()


def test_incremental_check_counts_the_same(campaign_store):
    s = campaign_store
    _register(s, 3)
    full = checks.run_checks(s, LATE, limit_per_rule=1)
    kept, _done = check(s, LATE, limit_per_rule=1)
    assert kept.warning_counts == full.warning_counts and kept.warning_counts["case_overdue"] == 3
    assert kept.warnings == full.warnings and len([w for w in kept.warnings if w.rule == "case_overdue"]) == 1
    assert checks.WARNING_COUNTS["case_overdue"](s, LATE) == 3
