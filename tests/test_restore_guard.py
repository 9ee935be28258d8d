"""Restore is guarded (issue 14, breaks 1, 3 and 9): refused while a window or a command holds
the database, only a whole 清欠工作台 database of a known version with the program's triggers,
only by 办公室 with password, one line and nothing changed when refused; the replaced file is
kept and the restore is in the restored database's audit log. A busy database is named."""
from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from desktop import cli
from models import access, backup, migrations
from models.db import Store

ROOT = Path(__file__).resolve().parent.parent
BUSY = "数据库正被另一个窗口或命令使用"


def _run(monkeypatch, capsys, *argv, password=None):
    """The command line in this process, as a script runs it (no terminal to ask on)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    if password is None:
        monkeypatch.delenv("QINGQIAN_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("QINGQIAN_PASSWORD", password)
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_chinese_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "usage" not in err.lower()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0])
    return lines[0]


def _files(db: Path) -> dict[str, bytes]:
    """The database and whatever lies beside it that holds data, byte for byte (the shared-memory
    index and an empty write-ahead log, which a reader may leave, hold none)."""
    return {p.name: p.read_bytes() for p in sorted(db.parent.iterdir()) if p.is_file()
            and p.name.startswith(db.name) and not p.name.endswith((".lock", "-shm"))
            and not (p.name.endswith("-wal") and p.stat().st_size == 0)}


def _cases(db: Path) -> int:
    c = sqlite3.connect(db)
    try:
        return c.execute("SELECT COUNT(*) FROM case_record").fetchone()[0]
    finally:
        c.close()


@pytest.fixture
def with_backup(demo_db, tmp_path):
    """The township demo and a good backup of it taken before one more case was registered."""
    s = Store(demo_db, "测试")
    good = backup.backup_to(s.conn, tmp_path / "备份" / "good.sqlite")
    s.execute("UPDATE case_record SET summary = '备份之后的修改' WHERE id = (SELECT MIN(id) FROM case_record)")
    s.close()
    return demo_db, good


# -- break 1: the window's lock ----------------------------------------------------------------
def test_restore_is_refused_while_the_window_holds_the_database(with_backup, qtbot, monkeypatch, capsys):
    """The window opens the database as it does at start-up (its QLockFile and its Store); a
    restore from the command line is refused, and what the window saves afterwards is kept."""
    from desktop import startup
    db, good = with_backup
    opened = startup.open_database(db, "测试", None)
    assert opened is not None
    store, lock = opened
    try:
        before = _files(db)
        code, out, err = _run(monkeypatch, capsys, "restore", good, "--db", db)
        assert code == 2 and out == ""
        assert BUSY in _one_chinese_line(err)
        assert _files(db) == before                                    # not swapped, -wal not deleted
        assert not list(db.parent.glob("*.before-restore-*"))
        # the window goes on saving, and what it saves stays in the database
        store.execute("UPDATE case_record SET summary = '窗口随后保存' WHERE id = (SELECT MIN(id) FROM case_record)")
    finally:
        store.close()
        lock.unlock()
    s = Store(db)
    assert s.scalar("SELECT summary FROM case_record ORDER BY id LIMIT 1") == "窗口随后保存"
    s.close()
    # once the window has closed, the same restore goes through (the window's later save is set
    # aside with the replaced file: --force says so knowingly)
    code, out, err = _run(monkeypatch, capsys, "restore", good, "--db", db, "--json", "--force")
    assert code == 0, err
    assert json.loads(out)["previous_kept_as"]


def test_restore_is_refused_while_a_command_in_another_process_holds_the_database(with_backup, tmp_path):
    db, good = with_backup
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; sys.path.insert(0, sys.argv[2])\n"
         "from models.lockfile import DatabaseLock\n"
         "lock = DatabaseLock(sys.argv[1]).acquire(); print('held', flush=True); time.sleep(60)",
         str(db), str(ROOT)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = _files(db)
        r = subprocess.run([sys.executable, "-m", "desktop.cli", "restore", str(good), "--db", str(db)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert r.returncode == 2 and BUSY in _one_chinese_line(r.stderr)
        assert _files(db) == before
    finally:
        holder.kill()
        holder.wait()
    # the holder is gone: its lock is stale and no longer stands in the way
    r = subprocess.run([sys.executable, "-m", "desktop.cli", "restore", str(good), "--db", str(db), "--force"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_the_window_will_not_open_a_database_a_command_holds(demo_db, qtbot):
    from desktop import startup
    from models.lockfile import DatabaseLock
    with DatabaseLock(demo_db):
        assert startup.acquire_lock(demo_db) is None
    lock = startup.acquire_lock(demo_db)
    assert lock is not None
    lock.unlock()


def test_a_command_that_writes_is_refused_while_the_window_holds_the_database(demo_db, tmp_path, qtbot,
                                                                                 monkeypatch, capsys):
    from desktop import startup
    from models import lockfile
    monkeypatch.setattr(lockfile, "WAIT_SECONDS", 0.5)       # a window does not let go: no need to wait long
    f = tmp_path / "线索.csv"
    f.write_text("登记日期,用人单位,欠薪金额\n2026-11-20,某某建筑公司,1000\n", encoding="utf-8-sig")
    lock = startup.acquire_lock(demo_db)
    try:
        n = _cases(demo_db)
        code, out, err = _run(monkeypatch, capsys, "import", f, "--db", demo_db, "--kind", "cases")
        assert code == 2 and BUSY in _one_chinese_line(err)
        assert _cases(demo_db) == n
    finally:
        lock.unlock()


# -- break 3: what may be restored -------------------------------------------------------------
def _doctored(good: Path, tmp_path: Path, name: str, *sql: str) -> Path:
    bad = tmp_path / name
    bad.write_bytes(good.read_bytes())
    c = sqlite3.connect(bad)
    for stmt in sql:
        c.execute(stmt)
    c.commit()
    c.close()
    return bad


def test_restore_refuses_a_database_whose_triggers_were_dropped(with_backup, tmp_path, monkeypatch, capsys):
    db, good = with_backup
    c = sqlite3.connect(good)
    drops = [f'DROP TRIGGER "{n}"' for (n,) in c.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND (name LIKE 'audit_%' OR name LIKE 'guard_%')")]
    c.close()
    assert drops
    bad = _doctored(good, tmp_path, "no-triggers.sqlite", *drops,
                    "UPDATE account SET role = '办公室'")
    one = _doctored(good, tmp_path, "one-trigger.sqlite", "DROP TRIGGER audit_case_record_update")
    emptied = _doctored(good, tmp_path, "emptied.sqlite", "DROP TRIGGER guard_case_record_update",
                        "CREATE TRIGGER guard_case_record_update BEFORE UPDATE ON case_record BEGIN SELECT 1; END")
    before = _files(db)
    for candidate in (bad, one, emptied):
        code, out, err = _run(monkeypatch, capsys, "restore", candidate, "--db", db)
        assert code == 2 and out == ""
        assert "触发器" in _one_chinese_line(err)
        assert _files(db) == before
    assert not list(db.parent.glob("*.before-restore-*"))


@pytest.mark.parametrize("kind", ["foreign", "newer", "empty", "text", "zero", "no_version"])
def test_restore_refuses_what_is_not_a_database_of_this_program(with_backup, tmp_path, monkeypatch, capsys, kind):
    db, good = with_backup
    cand = tmp_path / f"{kind}.sqlite"
    if kind == "foreign":
        c = sqlite3.connect(cand)
        c.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        c.execute("INSERT INTO moz_places(url) VALUES ('https://example.org')")
        c.execute("PRAGMA user_version = 3")
        c.commit()
        c.close()
    elif kind == "newer":
        cand = _doctored(good, tmp_path, cand.name, f"PRAGMA user_version = {migrations.LATEST + 1}")
    elif kind == "empty":                       # a SQLite file with nothing in it
        c = sqlite3.connect(cand)
        c.execute("CREATE TABLE t(x)")
        c.execute("DROP TABLE t")
        c.commit()
        c.close()
    elif kind == "text":
        cand.write_text("这不是数据库，而是一份会议通知。\n" * 200, encoding="utf-8")
    elif kind == "zero":
        cand.write_bytes(b"")
    elif kind == "no_version":
        cand = _doctored(good, tmp_path, cand.name, "PRAGMA user_version = 0")
    candidate_bytes = cand.read_bytes()
    before = _files(db)
    code, out, err = _run(monkeypatch, capsys, "restore", cand, "--db", db)
    assert code == 2 and out == ""
    line = _one_chinese_line(err)
    assert ("不是清欠工作台数据库" in line) if kind != "newer" else ("更新版本" in line)
    assert _files(db) == before and cand.read_bytes() == candidate_bytes
    Store(db).close()                      # the database still opens, as it was


def test_restoring_a_damaged_backup_prints_one_line(with_backup, tmp_path, monkeypatch, capsys):
    """Hundreds of pages scribbled over: integrity_check finds hundreds of problems; the user
    reads one line, and nothing is changed."""
    db, good = with_backup
    data = bytearray(good.read_bytes())
    page = 4096
    pages = len(data) // page
    assert pages > 60
    for p in range(pages // 3, pages - 2, 3):          # the middle of many b-tree pages
        data[p * page + 100:p * page + 400] = b"\xff" * 300
    bad = tmp_path / "损坏的备份.sqlite"
    bad.write_bytes(bytes(data))
    before = _files(db)
    code, out, err = _run(monkeypatch, capsys, "restore", bad, "--db", db)
    assert code == 2 and out == ""
    line = _one_chinese_line(err)
    assert "损坏" in line or "检查未通过" in line
    assert _files(db) == before


# -- only 办公室, with password ------------------------------------------------------------------
@pytest.fixture
def accounts(with_backup):
    db, good = with_backup
    s = Store(db, "测试")
    ws = s.scalar("SELECT id FROM workstream ORDER BY id LIMIT 1")
    access.create_account(s, "office", "secret1", "办公室")
    s.actor = access.login(s, "office", "secret1")
    access.create_account(s, "clerk", "secret2", "专班填报员", workstream_id=ws)
    access.create_account(s, "leader", "secret3", "领导")
    s.close()
    return db, good


def test_restore_needs_the_office_account_and_its_password(accounts, monkeypatch, capsys):
    db, good = accounts
    for argv, password in (((), None), (("--user", "office"), None), (("--user", "office"), "wrong1"),
                           (("--user", "clerk"), "secret2"), (("--user", "leader"), "secret3")):
        code, out, err = _run(monkeypatch, capsys, "restore", good, "--db", db, *argv, password=password)
        assert code == 2 and out == ""
        _one_chinese_line(err)
        assert not list(db.parent.glob("*.before-restore-*"))
    s = Store(db)
    assert s.scalar("SELECT summary FROM case_record ORDER BY id LIMIT 1") == "备份之后的修改"   # not replaced
    failed = s.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed'")
    s.close()
    assert failed == 3          # no name, no password, a wrong password: each a failed log-in
    # the backup was taken before the accounts were made: restoring it switches log-ins off, so it
    # is refused until confirmed
    code, out, err = _run(monkeypatch, capsys, "restore", good, "--db", db, "--user", "office", "--json",
                          password="secret1")
    assert code == 2 and "账号" in err and "--force" in err
    code, out, err = _run(monkeypatch, capsys, "restore", good, "--db", db, "--user", "office", "--json", "--force",
                          password="secret1")
    assert code == 0, err
    kept = Path(json.loads(out)["previous_kept_as"])
    s = Store(db)
    assert s.scalar("SELECT summary FROM case_record ORDER BY id LIMIT 1") != "备份之后的修改"
    row = s.one("SELECT user, reason, before, after FROM audit_log WHERE action = 'restore_db'")
    s.close()
    assert row["user"] == "office" and "从备份恢复" in row["reason"]
    assert str(good) in row["after"] and str(kept) in row["before"]
    old = Store(kept)
    assert old.scalar("SELECT summary FROM case_record ORDER BY id LIMIT 1") == "备份之后的修改"
    old.close()


def test_a_damaged_database_is_restored_by_the_backups_own_office(accounts, tmp_path, monkeypatch, capsys):
    db, good = accounts
    s = Store(db)
    fresh = backup.backup_to(s.conn, tmp_path / "带账号的备份.sqlite")
    s.close()
    for side in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        side.unlink(missing_ok=True)
    db.write_bytes(b"\x00damaged" * 4000)
    code, out, err = _run(monkeypatch, capsys, "restore", fresh, "--db", db, "--user", "clerk", password="secret2")
    assert code == 2 and "办公室" in _one_chinese_line(err)
    assert db.read_bytes() == b"\x00damaged" * 4000
    code, out, err = _run(monkeypatch, capsys, "restore", fresh, "--db", db, "--user", "office", "--json",
                          password="secret1")
    assert code == 0, err
    assert Path(json.loads(out)["previous_kept_as"]).read_bytes() == b"\x00damaged" * 4000
    s = Store(db)
    assert s.scalar("SELECT user FROM audit_log WHERE action = 'restore_db'") == "office"
    s.close()


# -- break 9: a busy database is waited for, then named ------------------------------------------
def test_a_busy_database_is_named_in_one_line(demo_db, monkeypatch, capsys):
    """Another connection holds a write transaction past the busy timeout: the command says
    so in one Chinese line (not English, not a traceback)."""
    holder = sqlite3.connect(demo_db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setenv("QINGQIAN_PASSWORD", "secret1")
    try:
        code, out, err = _run(monkeypatch, capsys, "user", "add", "office", "--db", demo_db, "--role", "办公室",
                              password="secret1")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2
    assert BUSY in _one_chinese_line(err)
    s = Store(demo_db)
    assert not access.has_accounts(s.conn)
    s.close()


def test_an_unexpected_failure_is_one_line(monkeypatch, capsys, demo_db):
    from desktop.commands import check

    def boom(args):
        raise sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(check, "cmd_check", boom)
    code, out, err = _run(monkeypatch, capsys, "check", "--db", demo_db)
    assert code == 2 and "读写数据库文件时出错" in _one_chinese_line(err)
    with pytest.raises(SystemExit) as exit_:            # argparse's way out, still one line and 2
        _run(monkeypatch, capsys, "report", "--db", demo_db)
    assert exit_.value.code == 2
    line = _one_chinese_line(capsys.readouterr().err)
    assert "参数有误" in line and "required" not in line


def test_two_commands_that_write_take_turns(demo_db):
    """The lock a command takes is released when it is done: a second one then gets it."""
    from models.lockfile import DatabaseLock, holder
    first = Store(demo_db)
    first.hold_lock()
    assert holder(demo_db) is not None
    second = Store(demo_db)
    with pytest.raises(Exception) as err:
        second.hold_lock(wait=0)
    assert BUSY in str(err.value)
    first.close()
    assert holder(demo_db) is None
    second.hold_lock()
    second.close()
    done = []
    t = threading.Thread(target=lambda: done.append(DatabaseLock(demo_db).acquire().release()))
    t.start()
    t.join()
    assert done == [None]


# -- break 9: a dry run answers as the real run would ---------------------------------------------
def test_a_dry_run_is_refused_where_the_real_run_would_be(accounts, tmp_path, monkeypatch, capsys):
    db, _good = accounts
    s = Store(db)
    own, other = [r[0] for r in s.query("SELECT name FROM workstream ORDER BY id LIMIT 2")]
    s.close()
    f = tmp_path / "问题.csv"
    f.write_text("编号,登记日期,用人单位,欠薪金额（元）,责任专班\n"
                 f"X-1,2026-11-20,丙公司,1000,{other}\n", encoding="utf-8-sig")
    n = _cases(db)
    real = _run(monkeypatch, capsys, "import", f, "--db", db, "--kind", "cases", "--user", "clerk", password="secret2")
    dry = _run(monkeypatch, capsys, "import", f, "--db", db, "--kind", "cases", "--user", "clerk", "--dry-run",
               password="secret2")
    assert real[0] == 2 and dry[0] == 2
    assert "将会" not in dry[1] and "拒绝" in _one_chinese_line(dry[2])
    assert "只能修改本专班" in real[2] and "只能修改本专班" in dry[2]
    for who, pw in (("leader", "secret3"), ("clerk", "wrong!")):
        code, out, err = _run(monkeypatch, capsys, "import", f, "--db", db, "--kind", "cases", "--user", who,
                              "--dry-run", password=pw)
        assert code == 2 and "将会" not in out
        _one_chinese_line(err)
    # the office may: its dry run says what would happen, and writes nothing
    code, out, err = _run(monkeypatch, capsys, "import", f, "--db", db, "--kind", "cases", "--user", "office",
                          "--dry-run", password="secret1")
    assert code == 0 and "将会" in out, err
    assert _cases(db) == n
    f.write_text("编号,登记日期,用人单位,欠薪金额（元）,责任专班\n"
                 f"X-1,2026-11-20,丙公司,1000,{own}\n", encoding="utf-8-sig")
    code, out, err = _run(monkeypatch, capsys, "import", f, "--db", db, "--kind", "cases", "--user", "clerk",
                          "--dry-run", password="secret2")
    assert code == 0 and "将会" in out, err
    assert _cases(db) == n


def test_a_command_waits_for_another_to_finish(demo_db, monkeypatch, capsys):
    """Another command holds the database for a moment: the next one waits, then goes ahead."""
    from models.lockfile import DatabaseLock
    lock = DatabaseLock(demo_db).acquire()
    timer = threading.Timer(0.5, lock.release)
    timer.start()
    try:
        code, out, err = _run(monkeypatch, capsys, "user", "add", "office", "--db", demo_db, "--role", "办公室",
                              password="secret1")
    finally:
        timer.join()
    assert code == 0, err
    s = Store(demo_db)
    assert access.has_accounts(s.conn)
    s.close()
