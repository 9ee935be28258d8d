"""The home page's 专班目标 progress read ahead with its figures (models.warm_start): the same as
``models.targets.progress`` read afresh, handed out once, and only for the same day while nothing
has been written to the file."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import targets
from models.db import Store

TODAY = _dt.date(2026, 11, 26)


@pytest.fixture
def store(town, tmp_path):
    from models.backup import backup_to
    src = Store(town)
    backup_to(src.conn, tmp_path / "t.sqlite")
    src.close()
    s = Store(tmp_path / "t.sqlite", "测试")
    yield s
    s.close()


def _with_a_target(s: Store) -> None:
    from models import campaign
    wid = campaign.workstreams(s)[0]["id"]
    from models.ledger.service import service_for
    service_for(s, "targets").insert({"workstream_id": wid, "due_on": "2026-12-31", "sure_cases": 3,
                                      "strive_cases": 5, "sure_fen": 100_000, "strive_fen": 200_000})


def test_targets_read_ahead_equal_a_fresh_read_and_are_handed_out_once(store):
    from models.warm_start import DashboardPrefetch
    _with_a_target(store)
    own = targets.progress(store, TODAY)
    assert own.available
    ahead = DashboardPrefetch(store.path, TODAY)
    assert ahead.take_targets(store, TODAY) == own
    assert ahead.take_targets(store, TODAY) is None                       # once
    assert DashboardPrefetch(store.path, TODAY).take(store, TODAY, ahead.list_limit) is not None


def test_targets_read_ahead_refused_for_another_day_or_after_a_change(store):
    from models.warm_start import DashboardPrefetch
    _with_a_target(store)
    other_day = DashboardPrefetch(store.path, TODAY + _dt.timedelta(days=1))
    assert other_day.take_targets(store, TODAY) is None
    stale = DashboardPrefetch(store.path, TODAY)
    stale._thread.join()
    cid = store.scalar("SELECT id FROM case_record WHERE deleted_at IS NULL AND total_owed_fen > 0 LIMIT 1")
    with store.tx(reason="测试"):
        store.execute("UPDATE case_record SET amount_fen = amount_fen + 100 WHERE id = ?", (cid,))
    assert stale.take_targets(store, TODAY) is None
    fresh = DashboardPrefetch(store.path, TODAY)
    assert fresh.take_targets(store, TODAY) == targets.progress(store, TODAY)
