"""A backup written over an existing file is whole as it will be opened (outside tester, fault 1).

The file being replaced may have SQLite's log files beside it: a process killed before its
checkpoint leaves ``<file>-wal`` (and ``-shm``). SQLite applies a log it finds beside a file to
whatever file has that name, so a backup renamed over such a file was "database disk image is
malformed" the moment it was opened, after the command had said 已备份到 and exited 0. Now the
leftovers go before the rename (refused while the file is in use: held by a window or a command
of the program, or open in another program), the backup is checked under its final name before
it is reported done, and the automatic backups, which share the code, are protected alike. A
``.part`` file a cut-off ``backup --to X`` left is cleared by the next backup to X.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from models import backup
from models.db import Store
from tests.test_restore_guard import _run  # the command line as a script runs it

ROOT = Path(__file__).resolve().parent.parent

# opens a database in WAL mode, rewrites thousands of rows in one transaction, commits, and is
# killed (SIGKILL) before any checkpoint: the -wal file stays beside the database
_KILLED_WRITER = textwrap.dedent("""
    import os, re, signal, sqlite3, sys
    c = sqlite3.connect(sys.argv[1], isolation_level=None)
    names = set()
    for (sql,) in c.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"):
        names |= set(re.findall(r"qq_\\w+", sql))
    for n in names:                      # the program's functions, which its triggers call
        c.create_function(n, -1, lambda *a: None)
    c.execute("PRAGMA journal_mode = WAL")
    c.execute("PRAGMA wal_autocheckpoint = 0")
    c.execute("BEGIN")
    changed = 0
    for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                          "AND name NOT LIKE '%fts%'").fetchall():
        try:
            changed += c.execute(f'UPDATE "{t}" SET rowid = rowid + 1000000 WHERE rowid IN '
                                 f'(SELECT rowid FROM "{t}" ORDER BY rowid DESC LIMIT 2000)').rowcount
        except sqlite3.Error:
            pass
    c.execute("COMMIT")
    print(changed, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
""")


@pytest.fixture(scope="module")
def stale_wal(town, tmp_path_factory) -> tuple[bytes, bytes]:
    """Another database's file and the write-ahead log a killed process left beside it."""
    d = tmp_path_factory.mktemp("stale")
    other = d / "other.sqlite"
    other.write_bytes(town.read_bytes())
    r = subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(other)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode != 0 and int(r.stdout.split()[0]) > 1000, r.stderr
    wal = other.with_name(other.name + "-wal")
    assert wal.stat().st_size > 100_000
    return other.read_bytes(), wal.read_bytes()


def _place(stale_wal, target: Path) -> None:
    """``target`` as the tester left o3.sqlite: another database with its stale -wal beside it."""
    data, wal = stale_wal
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    target.with_name(target.name + "-wal").write_bytes(wal)


@pytest.fixture
def source(tmp_path) -> Path:
    """A small database of the program (another layout than the stale log's database)."""
    path = tmp_path / "t.sqlite"
    s = Store(path, "测试")
    s.set_setting("test.marker", "新备份")
    s.close()
    return path


def _opened_as_a_user_opens_it(path: Path) -> tuple[list, str | None]:
    """integrity_check and the marker, through a read-write connection under the file's name."""
    c = sqlite3.connect(path)
    try:
        rows = [r[0] for r in c.execute("PRAGMA integrity_check")]
        marker = c.execute("SELECT value FROM setting WHERE key = 'test.marker'").fetchone()
        return rows, marker[0] if marker else None
    finally:
        c.close()


def test_the_stale_log_would_corrupt_the_copy(stale_wal, source, tmp_path):
    """The hazard itself: a whole copy renamed beside another file's stale log opens malformed."""
    target = tmp_path / "plain" / "o3.sqlite"
    _place(stale_wal, target)
    target.write_bytes(source.read_bytes())         # what a bare rename does
    try:
        rows, _ = _opened_as_a_user_opens_it(target)
        assert rows != ["ok"]
    except sqlite3.DatabaseError:
        pass


def test_backup_with_force_over_a_file_with_a_stale_log_is_whole(stale_wal, source, tmp_path, monkeypatch, capsys):
    target = tmp_path / "o3.sqlite"
    _place(stale_wal, target)
    code, out, err = _run(monkeypatch, capsys, "backup", "--db", source, "--to", target, "--force")
    assert code == 0, err
    assert "已备份到" in out
    left = target.with_name(target.name + "-wal").exists()
    rows, marker = _opened_as_a_user_opens_it(target)
    assert rows == ["ok"] and marker == '"新备份"'
    assert not left
    assert not list(tmp_path.glob("o3.sqlite.part*"))


def test_backup_to_over_a_stale_log_in_the_model(stale_wal, source, tmp_path):
    target = tmp_path / "o4.sqlite"
    _place(stale_wal, target)
    target.with_name(target.name + "-shm").write_bytes(b"\0" * 32768)
    s = Store(source, "测试")
    try:
        backup.backup_to(s.conn, target)
    finally:
        s.close()
    left = [side for side in ("-wal", "-shm", "-journal") if target.with_name(target.name + side).exists()]
    assert _opened_as_a_user_opens_it(target) == (["ok"], '"新备份"')
    assert left == []


def test_a_stale_rollback_journal_is_not_applied_either(source, tmp_path, town):
    """A hot -journal (a rollback-mode writer killed mid-transaction) beside the target."""
    target = tmp_path / "o5.sqlite"
    target.write_bytes(town.read_bytes())
    c = sqlite3.connect(target)
    c.execute("PRAGMA journal_mode = DELETE")
    c.close()
    script = textwrap.dedent("""
        import os, signal, sqlite3, sys
        c = sqlite3.connect(sys.argv[1], isolation_level=None)
        c.execute("PRAGMA journal_mode = DELETE")
        c.execute("PRAGMA cache_size = 1")           # pages spill into the file before the commit
        c.execute("BEGIN")
        c.execute("CREATE TABLE filler(x)")
        c.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
                  "INSERT INTO filler SELECT randomblob(3000) FROM n")
        print("written", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    subprocess.run([sys.executable, "-c", script, str(target)], capture_output=True, text=True, timeout=120)
    journal = target.with_name(target.name + "-journal")
    assert journal.exists() and journal.stat().st_size > 0
    s = Store(source, "测试")
    try:
        backup.backup_to(s.conn, target)
    finally:
        s.close()
    left = journal.exists()
    assert _opened_as_a_user_opens_it(target) == (["ok"], '"新备份"')
    assert not left


def test_a_target_open_in_another_program_is_not_replaced(stale_wal, source, tmp_path, monkeypatch, capsys):
    """Another process has the file open (WAL mode): its log is live, not stale. Refused, one
    line, nothing replaced or deleted."""
    target = tmp_path / "open.sqlite"
    target.write_bytes(stale_wal[0])
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time\n"
         "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "c.execute('PRAGMA journal_mode = WAL')\n"
         "c.execute('CREATE TABLE IF NOT EXISTS held(x)'); c.execute('INSERT INTO held VALUES (1)')\n"
         "print('held', flush=True); time.sleep(60)", str(target)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        wal = target.with_name(target.name + "-wal")
        assert wal.exists()
        before = target.read_bytes(), wal.read_bytes()
        code, out, err = _run(monkeypatch, capsys, "backup", "--db", source, "--to", target, "--force")
        assert code == 2 and out == ""
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "正被" in lines[0] and "原有文件未受影响" in lines[0], err
        assert (target.read_bytes(), wal.read_bytes()) == before
        assert not list(tmp_path.glob("open.sqlite.part*"))
    finally:
        holder.kill()
        holder.wait()


def test_a_target_a_window_or_command_holds_is_not_replaced(demo_db, source, monkeypatch, capsys):
    """The file is another database of the program, held by a command (its lock file)."""
    from models.lockfile import DatabaseLock
    before = demo_db.read_bytes()
    with DatabaseLock(demo_db):
        code, out, err = _run(monkeypatch, capsys, "backup", "--db", source, "--to", demo_db, "--force")
    assert code == 2 and "正被" in err
    assert demo_db.read_bytes() == before


def test_the_backup_is_checked_under_its_final_name(stale_wal, source, tmp_path, monkeypatch):
    """A log that turns up beside the file at the last moment (after the leftovers were cleared)
    is caught by the check under the final name: never reported done, the bad file removed."""
    target = tmp_path / "race.sqlite"
    real_replace = os.replace

    def replace_then_a_log_appears(src, dst):
        real_replace(src, dst)
        if Path(dst) == target:
            target.with_name(target.name + "-wal").write_bytes(stale_wal[1])
    monkeypatch.setattr(backup.os, "replace", replace_then_a_log_appears)
    s = Store(source, "测试")
    try:
        with pytest.raises(backup.BackupError) as exc:
            backup.backup_to(s.conn, target)
    finally:
        s.close()
    assert "检查未通过" in str(exc.value)
    assert not target.exists() and not target.with_name(target.name + "-wal").exists()


def test_automatic_backups_get_the_same_protection(stale_wal, source, monkeypatch):
    """An automatic backup's name with another file's stale log beside it (a folder restored
    from elsewhere, a clock set back): the backup is whole all the same."""
    stamp = "20261126-090000"
    monkeypatch.setattr(backup, "_free_stamp", lambda folder, reason: stamp)
    folder = backup.backup_dir(source)
    folder.mkdir()
    folder.joinpath(f"{stamp}-manual.sqlite-wal").write_bytes(stale_wal[1])
    s = Store(source, "测试")
    try:
        made = backup.auto_backup(s.conn, source, "manual")
    finally:
        s.close()
    assert made == folder / f"{stamp}-manual.sqlite"
    left = made.with_name(made.name + "-wal").exists()
    assert _opened_as_a_user_opens_it(made) == (["ok"], '"新备份"')
    assert not left


def test_a_manual_backup_clears_what_its_own_cut_off_run_left(source, tmp_path, monkeypatch, capsys, town):
    """``backup --to X`` killed midway leaves X.part (and its journal); the next ``backup --to X``
    clears them, whatever their age, and writes X whole."""
    target = tmp_path / "手动.sqlite"
    part = target.with_name(target.name + ".part")
    part.write_bytes(town.read_bytes()[: 200 * 4096])
    part.with_name(part.name + "-journal").write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + b"\x01" * 4000)
    part.with_name(part.name + "-wal").write_bytes(b"\x00" * 1000)
    code, out, err = _run(monkeypatch, capsys, "backup", "--db", source, "--to", target)
    assert code == 0, err
    assert not list(tmp_path.glob("手动.sqlite.part*"))
    assert _opened_as_a_user_opens_it(target) == (["ok"], '"新备份"')
