"""Packed backups of a large database: a compressed base, then deltas of the changed pages;
each restorable on its own base, checked, and rotation never strands a delta."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest

from models import backup, backup_pages, restore
from models.db import Store


@pytest.fixture
def packing(monkeypatch):
    monkeypatch.setattr(backup_pages, "LARGE", 0)          # every database counts as large here


def _amount(path, cid):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT amount_fen FROM case_record WHERE id = ?", (cid,)).fetchone()[0]
    finally:
        conn.close()


def _edit(path, cid, amount):
    s = Store(path)
    with s.tx("测试改动"):
        s.execute("UPDATE case_record SET amount_fen = ? WHERE id = ?", (amount, cid))
    s.close()


def _backup(path, reason="close", keep=backup.KEEP):
    s = Store(path)
    try:
        return backup.auto_backup(s.conn, s.path, reason, keep=keep)
    finally:
        s.close()


def test_base_then_deltas_each_restores_its_own_moment(packing, demo_db, tmp_path):
    cid = Store(demo_db).scalar("SELECT MIN(id) FROM case_record")
    made = []
    for amount in (111, 222, 333):
        _edit(demo_db, cid, amount)
        made.append(_backup(demo_db))
    kinds = [backup_pages.read_header(p).kind for p in made]
    assert kinds == ["base", "delta", "delta"]
    size = demo_db.stat().st_size
    assert made[0].stat().st_size < size / 2                 # compressed
    assert all(p.stat().st_size < made[0].stat().st_size / 10 for p in made[1:])   # only changed pages
    assert backup.list_backups(demo_db)[:3] == made[::-1]
    assert all(backup.inspect(p).usable and backup.inspect(p).holds_data for p in made)
    assert backup.latest_good(demo_db) == made[-1]
    for p, amount in zip(made, (111, 222, 333)):
        out = tmp_path / f"{amount}.sqlite"
        backup_pages.unpack(p, out)
        assert _amount(out, cid) == amount
        assert backup.full_check(out) == "ok"
    _edit(demo_db, cid, 999)
    kept = restore.restore(made[1], demo_db)
    assert _amount(demo_db, cid) == 222 and _amount(kept, cid) == 999


def test_rotation_keeps_the_base_a_kept_delta_needs(packing, demo_db, monkeypatch):
    monkeypatch.setattr(backup_pages, "DELTAS_PER_BASE", 100)
    cid = Store(demo_db).scalar("SELECT MIN(id) FROM case_record")
    made = []
    for amount in range(1, 6):
        _edit(demo_db, cid, amount)
        made.append(_backup(demo_db, keep=2))
    left = backup.list_backups(demo_db)
    assert left == [made[4], made[3], made[0]]               # the two newest and the base they rest on
    assert backup_pages.read_header(made[0]).kind == "base"
    assert backup.latest_good(demo_db) == made[4]


def test_a_new_base_after_enough_deltas(packing, demo_db, monkeypatch):
    monkeypatch.setattr(backup_pages, "DELTAS_PER_BASE", 2)
    made = [_backup(demo_db) for _ in range(5)]
    assert [backup_pages.read_header(p).kind for p in made] == ["base", "delta", "delta", "base", "delta"]
    assert backup_pages.read_header(made[4]).base == made[3].name


def test_altered_or_orphaned_packed_backups_are_refused(packing, demo_db, tmp_path):
    base = _backup(demo_db)
    delta = _backup(demo_db)
    bad = tmp_path / "bad.qqbak"
    raw = bytearray(base.read_bytes())
    raw[-100] ^= 0xFF
    bad.write_bytes(bytes(raw))
    with pytest.raises(backup.BackupError):
        restore.check_candidate(bad)
    cut = tmp_path / "cut.qqbak"
    cut.write_bytes(base.read_bytes()[:5000])
    with pytest.raises(backup.BackupError):
        restore.restore(cut, demo_db)
    orphan = tmp_path / delta.name
    shutil.copy2(delta, orphan)                              # its base is not beside it
    assert not backup.inspect(orphan).usable
    with pytest.raises(backup.BackupError, match="完整备份已不存在"):
        restore.restore(orphan, demo_db)
    assert backup.full_check(demo_db) == "ok"


def test_close_backup_runs_apart_for_a_large_database(packing, demo_db, monkeypatch):
    started = []
    monkeypatch.setattr(backup, "spawn_background", lambda db, reason: started.append((db, reason)))
    s = Store(demo_db)
    try:
        assert backup.close_backup(s.conn, s.path) is None
    finally:
        s.close()
    assert started == [(demo_db, "close")]


def test_close_backup_of_a_small_database_is_taken_at_once(demo_db):
    s = Store(demo_db)
    try:
        made = backup.close_backup(s.conn, s.path)
    finally:
        s.close()
    assert made is not None and made.suffix == ".sqlite" and backup.inspect(made).holds_data


def test_the_background_command_takes_the_backup(demo_db):
    done = subprocess.run(backup.background_command(demo_db, "close"), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    made = backup.list_backups(demo_db)
    assert len(made) == 1 and made[0].name.endswith("-close.sqlite") and backup.inspect(made[0]).holds_data
