"""Rules written once: where a rule has a second form (SQL for a set, Python for a row), the two
are made from one definition or tested equal here, on the township demo and on edge dates."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from models import cases
from models.db import Store
from models.ledgers import blacklist as BL
from models.ledgers.cases import CLOSED_STATUSES, OPEN_STATUSES, STATUSES, closed_sql

from conftest import TODAY


@pytest.fixture(scope="module")
def demo(town):
    s = Store(town, "测试")
    s.today = TODAY
    yield s
    s.close()


def test_one_status_list():
    assert set(OPEN_STATUSES) | set(CLOSED_STATUSES) == set(STATUSES)
    assert not set(OPEN_STATUSES) & set(CLOSED_STATUSES)
    c = sqlite3.connect(":memory:")
    for status in STATUSES:
        row = c.execute(f"SELECT {closed_sql('t')}, {closed_sql('t', closed=False)} FROM (SELECT ? AS status) t",
                        (status,)).fetchone()
        assert row == ((1, 0) if status in CLOSED_STATUSES else (0, 1)), status


@pytest.mark.parametrize("day", [TODAY, TODAY - dt.timedelta(days=20), TODAY + dt.timedelta(days=9),
                                 dt.date(2026, 10, 8)])
def test_warnings_in_sql_equal_warnings_in_python(demo, day):
    """The SQL that counts warnings and the Python that colours rows are both made from
    WARNING_RULES: every case gets the same kinds from each, on several days."""
    repo = cases.repo(demo)
    rows = repo.rows()
    assert len(rows) > 100
    warner = cases.Warner(demo, day)
    by_sql: dict[int, set[str]] = {r["id"]: set() for r in rows}
    for kind, (sql, params) in cases.warning_conditions(demo, day).items():
        for (rid,) in demo.query(f"SELECT t.id FROM case_record t WHERE t.deleted_at IS NULL AND {sql}", params):
            by_sql[rid].add(kind)
    seen = set()
    for r in rows:
        assert set(warner.kinds(r)) == by_sql[r["id"]], (day, r["case_no"])
        seen |= by_sql[r["id"]]
    if day == TODAY:        # the demo has every kind of warning today
        assert seen == set(cases.WARNING_KINDS)
    assert cases.warnings_summary(demo, day) == {k: sum(k in v for v in by_sql.values()) for k in cases.WARNING_KINDS}


def test_closed_cases_never_warn(demo):
    warner = cases.Warner(demo, TODAY)
    closed = [r for r in cases.repo(demo).rows() if r["status"] in CLOSED_STATUSES]
    assert closed and all(warner.kinds(r) == [] for r in closed)


@pytest.mark.parametrize("listed", ["2024-02-29", "2023-02-28", "2023-03-01", "2025-12-31", "2026-01-01",
                                    "2020-02-29", ""])
def test_blacklist_removal_date_in_sql_equals_python(listed):
    c = sqlite3.connect(":memory:")
    got = c.execute(f"SELECT {BL.removal_due_sql('t')} FROM (SELECT ? AS listed_on) t", (listed,)).fetchone()[0]
    assert got == BL.removal_due(listed or None)


def test_day_dependent_columns_follow_the_programs_today(demo):
    """期满待移出 and 逾期未还 are judged against the day the store is told, not the clock."""
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo
    repo = LedgerRepo(demo, registry.get("blacklist"))
    listed = [r for r in repo.rows() if r["listed_on"] and not r["removed_on"]]
    assert listed
    row = listed[0]
    due = dt.date.fromisoformat(BL.removal_due(row["listed_on"]))
    try:
        demo.today = due - dt.timedelta(days=1)
        assert repo.get(row["id"])["status"] == "惩戒中"
        demo.today = due
        assert repo.get(row["id"])["status"] == "期满待移出"
    finally:
        demo.today = TODAY
    contracts = LedgerRepo(demo, registry.get("contract_arrears"))
    planned = [r for r in contracts.rows() if r["next_due"]]
    assert planned
    c = planned[0]
    try:
        demo.today = dt.date.fromisoformat(c["next_due"])
        assert contracts.get(c["id"])["status"] == "按计划化解"
        demo.today = dt.date.fromisoformat(c["next_due"]) + dt.timedelta(days=1)
        assert contracts.get(c["id"])["status"] == "逾期未还"
    finally:
        demo.today = TODAY


def test_repeat_petition_in_sql_equals_the_list_of_earlier_ones(demo):
    """重复访 as the ledger column computes it (SQL) and as the petition page lists the earlier
    petitions (models.petitions.earlier_petitions) agree for every demo petition."""
    from models import petitions
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo
    rows = LedgerRepo(demo, registry.get("petitions")).rows()
    assert len(rows) >= 30
    repeats = 0
    for r in rows:
        earlier = petitions.repeat_of(demo, r["id"])
        assert bool(r["is_repeat"]) == bool(earlier), r["id"]
        repeats += bool(earlier)
    assert 0 < repeats < len(rows)
