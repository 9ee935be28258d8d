"""A township that restores a backup keeps counting its 报送包 from the highest number it sent,
so the county takes its next package; a package whose data is newer than the one received but
whose number is not (an old database file put back by hand) is refused saying so and what to do."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from models.db import Store
from models.exchange import PackageRefused, identity
from models.restore import restore
from tests.test_exchange import SENT, export, make_county, make_town, receive, seq


@pytest.fixture(scope="module")
def _town_template(tmp_path_factory):
    return make_town(tmp_path_factory.mktemp("tpl") / "t.sqlite", 5, "红岩乡", "511234105")


@pytest.fixture
def town(_town_template, tmp_path):
    """A fresh copy of the township for each test (exports and restores change it)."""
    return Path(shutil.copy(_town_template, tmp_path / "t.sqlite"))


def test_a_restored_township_numbers_its_next_package_after_the_highest_sent(town, tmp_path):
    county_db = make_county(tmp_path / "county.sqlite")
    export(town, tmp_path / "p1.qqpkg", now=SENT - dt.timedelta(days=3))
    kept = tmp_path / "备份.sqlite"
    s = Store(town, "镇办公室")
    try:
        from models.backup import backup_to
        backup_to(s.conn, kept)                  # counter 1 in the backup
    finally:
        s.close()
    for day, n in ((2, 2), (1, 3)):
        export(town, tmp_path / f"p{n}.qqpkg", now=SENT - dt.timedelta(days=day))
        receive(county_db, tmp_path / f"p{n}.qqpkg")
    restore(kept, town, user="镇办公室")
    s = Store(town, "镇办公室")
    try:
        assert int(s.get_setting(identity.SEQUENCE)) == 3
    finally:
        s.close()
    export(town, tmp_path / "p4.qqpkg", now=SENT)
    assert seq(tmp_path / "p4.qqpkg") == 4
    assert receive(county_db, tmp_path / "p4.qqpkg")["sequence"] == 4


def test_newer_data_under_an_old_number_is_refused_saying_why(town, tmp_path):
    county_db = make_county(tmp_path / "county.sqlite")
    old_file = tmp_path / "old.sqlite"
    shutil.copy(town, old_file)                  # an old database file put back by hand, not restored
    for day, n in ((2, 1), (1, 2)):
        export(town, tmp_path / f"p{n}.qqpkg", now=SENT - dt.timedelta(days=day))
        receive(county_db, tmp_path / f"p{n}.qqpkg")
    export(old_file, tmp_path / "again.qqpkg", now=SENT)
    assert seq(tmp_path / "again.qqpkg") == 1
    with pytest.raises(PackageRefused, match="数据.*比已接收的第 2 号新，序号却没有往后排.*序号须大于第 2 号"):
        receive(county_db, tmp_path / "again.qqpkg")


def test_the_receive_summary_counts_the_recycle_bin_as_removed_not_changed(town, tmp_path):
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo
    county_db = make_county(tmp_path / "county.sqlite")
    export(town, tmp_path / "p1.qqpkg", now=SENT - dt.timedelta(days=2))
    receive(county_db, tmp_path / "p1.qqpkg")
    s = Store(town, "镇办公室")
    try:
        repo = LedgerRepo(s, registry.get("petitions"))
        ids = [r[0] for r in s.query("SELECT id FROM petition WHERE deleted_at IS NULL ORDER BY id LIMIT 2")]
        repo.recycle(ids)
        live = s.scalar("SELECT COUNT(*) FROM petition WHERE deleted_at IS NULL")
    finally:
        s.close()
    export(town, tmp_path / "p2.qqpkg", now=SENT - dt.timedelta(days=1))
    got = receive(county_db, tmp_path / "p2.qqpkg")["tables"]["petition"]
    assert got == {"added": 0, "changed": 0, "unchanged": live, "removed": 2}
