"""What makes a check after an edit cheap gives what the full way gives: a work warning counted
in SQL lists only the first ones (oldest 办结时限 first), with the count, the listing and the
incremental check as reading every warning gives them; a few ID numbers checked one by one are
judged as the array pass judges them."""
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


def test_few_id_numbers_one_by_one_find_what_the_array_pass_finds(campaign_store, monkeypatch):
    """A check after an edit reads a few workers' numbers: one by one (no array module), with
    the same findings as the array pass over the same rows."""
    from models import case_workers
    from models.db import new_uuids
    from models.rules.idcard import make_valid_id
    s = campaign_store
    cid = cases.register_case(s, {"registered_on": "2026-11-02", "employer_name": "甲公司", "amount_fen": 0})
    numbers = [make_valid_id("110101", _dt.date(1970, 1, 1) + _dt.timedelta(days=i), i + 1) for i in range(40)]
    numbers[3] = numbers[3][:17] + ("1" if numbers[3][17] != "1" else "2")       # wrong check digit
    numbers[7] = "99" + numbers[7][2:]                                           # no such region
    numbers[9] = numbers[9][:17]                                                 # 17 characters
    s.bulk = True
    try:
        with s.tx():
            s.conn.executemany("INSERT INTO worker(uuid, case_id, name, id_number) VALUES (?, ?, ?, ?)",
                               [(u, cid, f"工人{i}", n) for i, (u, n) in enumerate(zip(new_uuids(40), numbers))])
    finally:
        s.bulk = False
    assert case_workers.case_workers(s, cid)

    def found(one_by_one: int) -> list:
        monkeypatch.setattr(checks, "_ONE_BY_ONE", one_by_one)
        return sorted((f.record, f.message) for f in checks.RULES["id_numbers_valid"][1](s, LATE))
    few, array = found(10 ** 6), found(0)
    assert few == array and len(few) == 3
