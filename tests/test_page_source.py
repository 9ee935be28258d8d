"""models.ledger.page_source: a ledger query read on a connection of its own (no Qt here)."""
from __future__ import annotations

import datetime as _dt
import threading
import time

import pytest

from models import campaign, case_workers, cases
from models.ledger import chars_index, page_source
from models.ledger.repo import Query
from models.rules.idcard import make_valid_id


@pytest.fixture
def roster(campaign_store):
    s = campaign_store
    ws = campaign.workstreams(s)
    for i in range(12):
        cid = cases.register_case(s, {"registered_on": f"2026-10-{1 + i:02d}", "amount_fen": 10000 * (i + 1),
                                      "employer_name": ["青山县宏达建筑劳务有限公司", "巴中市华厦建工集团有限公司"][i % 2],
                                      "workstream_id": ws[0]["id"], "source": "12345"})
        for j in range(5):
            case_workers.add_worker(s, cid, {"name": ["张伟", "李娜", "王芳", "张伟华", "刘洋"][j] + str(i),
                                             "id_number": make_valid_id("511322", _dt.date(1980, 1, 1), i * 10 + j),
                                             "owed_fen": 50000})
    return s


def test_first_page_equals_the_window_connection(roster):
    repo = case_workers.workers_repo(roster)
    for text in ("张伟", "伟", "华", "5113", "zz", "张伟华"):
        q = Query(search=text)
        got = page_source.first_page(roster.path, repo.ledger, q, prefix=7, page=3)
        want = repo.ids(q)
        assert got.count == len(want), text
        assert got.ids == want[:7] and got.complete == (len(want) <= 7), text
        assert sorted(got.rows) == sorted(want[:3]), text
        assert got.rows and all(got.rows[i]["name"] == repo.get(i)["name"] for i in got.rows) or not want
    assert page_source.first_page(roster.path, repo.ledger, Query(search="张伟")).count == 24   # 张伟n, 张伟华n


def test_rest_streams_the_remaining_ids_in_one_snapshot(roster):
    repo = case_workers.workers_repo(roster)
    q = Query(search="伟", sort="owed_fen", descending=True)
    search = page_source.PageSearch(roster.path, repo.ledger, q, prefix=5, page=2, totals=True)
    try:
        first = search.first()
        # a write after the search began is not seen by it: its count and ids agree
        case_workers.add_worker(roster, 1, {"name": "赵伟", "id_number": make_valid_id("511322", _dt.date(1990, 1, 1), 999),
                                            "owed_fen": 1})
        chunks = list(search.rest(chunk=4))
    finally:
        search.close()
    ids = first.ids + [i for c in chunks for i in c]
    assert not first.complete and all(len(c) <= 4 for c in chunks)
    assert len(ids) == first.count == 24
    assert first.totals == repo.totals(Query(search="伟", extra=[("t.name != '赵伟'", [])]))
    assert set(ids) < set(repo.ids(q))      # the new 赵伟 is in the window's list only


def test_short_search_catches_its_index_up_on_its_own_connection(roster, monkeypatch):
    repo = case_workers.workers_repo(roster)
    assert chars_index.is_current(roster.conn, "worker") is False         # rows added since the index's mark
    seen = []
    real = chars_index.catch_up
    monkeypatch.setattr(chars_index, "catch_up", lambda store, table: seen.append(store) or real(store, table))
    got = page_source.first_page(roster.path, repo.ledger, Query(search="李娜"))
    assert got.count == 12
    assert seen and all(s is not roster for s in seen)                    # never the window's connection
    assert chars_index.is_current(roster.conn, "worker") is True
    assert chars_index.is_current(roster.conn, "repayment") is None       # a table with no such index


SLOW = "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000) SELECT COUNT(*) FROM c) > 0"


def _slow_search(path, ledger) -> tuple:
    """A search whose count runs for a minute, started on a thread of its own: (the search, the
    thread, its outcome list: "finished" or "cancelled")."""
    search = page_source.PageSearch(path, ledger, Query(search="宏达", extra=[(SLOW, [])]))
    outcome: list[str] = []

    def run():
        try:
            search.first()
            outcome.append("finished")
        except page_source.Cancelled:
            outcome.append("cancelled")
        finally:
            search.close()
    worker = threading.Thread(target=run)
    worker.start()
    return search, worker, outcome


def test_cancel_interrupts_a_running_statement(roster):
    repo = cases.repo(roster)
    search, worker, outcome = _slow_search(roster.path, repo.ledger)
    time.sleep(0.2)
    t = time.perf_counter()
    search.cancel()
    worker.join(10)
    assert outcome == ["cancelled"] and time.perf_counter() - t < 2
    # the connection goes back for the next search, still good
    assert page_source.first_page(roster.path, repo.ledger, Query(search="宏达")).count == 6
    assert page_source.close_readers(roster.path) >= 1
    assert page_source.close_readers(roster.path) == 0


def test_kept_connections_close_soon_and_never_outlive_their_file(roster, monkeypatch, tmp_path):
    import os
    from models.backup import backup_to
    from models.db import Store
    page_source.close_readers()
    monkeypatch.setattr(page_source, "KEEP_SECONDS", 0.3)
    repo = case_workers.workers_repo(roster)
    path = tmp_path / "b.sqlite"
    backup_to(roster.conn, path, files=False)
    assert page_source.first_page(path, repo.ledger, Query(search="李娜")).count == 12
    assert page_source.close_readers(path) == 1             # kept for the next search
    page_source.first_page(path, repo.ledger, Query(search="李娜"))
    time.sleep(1.0)
    assert page_source.close_readers(path) == 0             # closed again by itself
    # the file replaced (a restore) while a connection to it is kept: a new one reads the new file
    page_source.first_page(path, repo.ledger, Query(search="李娜"))
    other = tmp_path / "c.sqlite"
    backup_to(roster.conn, other, files=False)
    s = Store(other, "测试", check=False)
    with s.tx():
        s.execute("UPDATE worker SET name = '周敏' WHERE name LIKE '李娜%'")
    s.close()
    os.replace(other, path)
    assert page_source.first_page(path, repo.ledger, Query(search="李娜")).count == 0
    assert page_source.first_page(path, repo.ledger, Query(search="周敏")).count == 12


def test_closing_the_readers_stops_a_running_search_and_waits_for_it(roster, tmp_path):
    """Before a restore replaces the file (Windows refuses to replace an open file), the searches
    still reading it are stopped and waited for, and no connection to it is left open."""
    import os
    from models.backup import backup_to
    page_source.close_readers()
    path = tmp_path / "r.sqlite"
    backup_to(roster.conn, path, files=False)
    repo = cases.repo(roster)
    search, worker, outcome = _slow_search(path, repo.ledger)
    deadline = time.monotonic() + 10
    while not page_source._running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert page_source._running                          # reading now
    t = time.perf_counter()
    assert page_source.close_readers(path) == 1           # stopped, waited for, its connection closed
    assert time.perf_counter() - t < 3 and outcome == ["cancelled"] and not page_source._running
    assert page_source.close_readers(path) == 0
    worker.join(5)
    fds = os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else []
    assert not any(os.path.realpath(f"/proc/self/fd/{fd}") == str(path.resolve()) for fd in fds)
