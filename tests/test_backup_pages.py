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
    kept = restore.restore(made[1], demo_db, confirmed=True)    # the 999 made since is set aside knowingly
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


def test_the_daily_backup_of_a_large_database_runs_apart(packing, demo_db, monkeypatch):
    """The window waits for its jobs when it closes: a large database's daily backup is not one."""
    started = []
    monkeypatch.setattr(backup, "spawn_background", lambda db, reason: started.append((db, reason)))
    assert backup.auto_backup_path(demo_db, "daily") is None
    assert started == [(demo_db, "daily")] and backup.list_backups(demo_db) == []


def test_what_a_cut_off_backup_left_is_cleared(packing, demo_db):
    """A background backup killed half-way (the computer shut down after the window closed)
    leaves its snapshot and parts, each as large as the database: the next backup clears them,
    but not those of a backup still being written."""
    import os
    import time
    first = _backup(demo_db)
    folder = backup.backup_dir(demo_db)
    old = [folder / n for n in ("20260101-080000-close.snapshot", "20260101-080000-close.snapshot.part",
                                "20260101-080000-close.snapshot.part-journal", "20260101-080000-close.qqbak.part",
                                f"{first.name}.checking")]
    fresh = folder / "20260101-090000-daily.snapshot.part"
    hour_ago = time.time() - backup.UNFINISHED_STALE_AFTER - 60
    for p in old:
        p.write_bytes(b"x" * 4096)
        os.utime(p, (hour_ago, hour_ago))
    fresh.write_bytes(b"x" * 4096)
    second = _backup(demo_db)
    assert not any(p.exists() for p in old) and fresh.exists()
    assert backup.list_backups(demo_db) == [second, first]
    assert restore.check_candidate(second) is None


def test_a_backup_apart_finishes_while_another_connection_writes(demo_db, tmp_path):
    """SQLite restarts a copy taken in steps at every write of another connection: the
    background process copies in one step, whatever a window opened meanwhile writes."""
    import threading
    stop = threading.Event()

    def write() -> None:
        conn = sqlite3.connect(demo_db, timeout=30, isolation_level=None)
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS t_tick(x)")
            while not stop.wait(0.001):       # a write every millisecond or so, as a busy window might
                conn.execute("INSERT INTO t_tick VALUES (randomblob(64))")
        finally:
            conn.close()
    writer = threading.Thread(target=write)
    writer.start()
    done = []
    copier = threading.Thread(target=lambda: done.append(backup.backup_file(demo_db, tmp_path / "apart.sqlite")),
                              daemon=True)
    try:
        copier.start()
        copier.join(120)
    finally:
        stop.set()
        writer.join()
    assert done == [tmp_path / "apart.sqlite"]
    assert backup.full_check(done[0]) == "ok" and backup.inspect(done[0]).holds_data


def test_the_copy_kept_before_an_upgrade_is_packed_by_the_next_backup_apart(packing, demo_db, tmp_path):
    """The copy ``models.migrations`` keeps before an upgrade is plain (the file is being opened):
    a large database's would hold its whole size for fourteen backups. The background backup
    packs it, checked, and it restores as it was."""
    import hashlib
    cid = Store(demo_db).scalar("SELECT MIN(id) FROM case_record")
    _edit(demo_db, cid, 4242)
    folder = backup.backup_dir(demo_db)
    s = Store(demo_db)
    try:
        plain = backup.backup_to(s.conn, folder / "20260101-080000-upgrade-v9.sqlite", files=False)
    finally:
        s.close()
    damaged = folder / "20260101-070000-upgrade-v8.sqlite"
    damaged.write_bytes(b"SQLite format 3\0" + b"\xff" * 8000)
    digest = hashlib.sha256(plain.read_bytes()).hexdigest()
    _edit(demo_db, cid, 5353)
    made = backup.auto_backup_here(demo_db, "close")
    packed = plain.with_suffix(backup_pages.SUFFIX)
    assert not plain.exists() and damaged.exists()          # the damaged one is left as it was
    assert backup.list_backups(demo_db) == [made, packed, damaged]
    assert backup_pages.read_header(packed).sha256 == digest and backup.inspect(packed).holds_data
    restore.check_candidate(packed)
    out = backup_pages.unpack(packed, tmp_path / "v9.sqlite")
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest and _amount(out, cid) == 4242
