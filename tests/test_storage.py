"""Storage: migrations, refusing newer files, damage detection, backups, audit, crash safety."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models import backup, migrations, restore
from models.db import DamagedDatabase, NewerDatabase, Store
from conftest import damaged_copies

ROOT = Path(__file__).resolve().parent.parent


def test_new_database_is_at_latest_version_with_pragmas(tmp_path):
    s = Store(tmp_path / "a.sqlite")
    assert s.schema_version() == migrations.LATEST
    assert s.scalar("PRAGMA journal_mode") == "wal"
    assert s.scalar("PRAGMA foreign_keys") == 1
    assert s.scalar("PRAGMA busy_timeout") == 10000
    tables = {r[0] for r in s.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"campaign", "workstream", "case_record", "worker", "repayment", "audit_log"} <= tables
    s.close()


def test_reopening_does_not_migrate_again(tmp_path):
    Store(tmp_path / "a.sqlite").close()
    s = Store(tmp_path / "a.sqlite")
    assert s.scalar("SELECT COUNT(*) FROM verdict_option") == len(migrations.VERDICTS)
    s.close()


def test_newer_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "future.sqlite"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 5}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerDatabase) as err:
        Store(path)
    assert "更新版本" in str(err.value)
    assert path.read_bytes() == before


def test_failed_migration_rolls_back(tmp_path, monkeypatch):
    path = tmp_path / "m.sqlite"
    Store(path).close()

    def broken(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS + [broken])
    monkeypatch.setattr(migrations, "LATEST", migrations.LATEST + 1)
    with pytest.raises(RuntimeError):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST - 1
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name='half_done'").fetchone()[0] == 0


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_damaged_file_is_detected_at_open(tmp_path, campaign_store, damage):
    path = campaign_store.path
    from models import cases
    for i in range(200):
        cases.register_case(campaign_store, {"registered_on": "2026-11-02", "employer_name": f"单位{i}" * 20,
                                             "summary": "拖欠工资" * 200})
    campaign_store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    campaign_store.close()
    data = bytearray(path.read_bytes())
    if damage == "garbage":
        import random
        rnd = random.Random(7)
        for off in range(4096, len(data), 4096):      # every page header after the first
            data[off: off + 64] = bytes(rnd.randrange(256) for _ in range(64))
    else:
        data = data[: len(data) // 3]
    path.write_bytes(bytes(data))
    with pytest.raises(DamagedDatabase):
        Store(path)


def test_light_check_catches_truncation_and_bad_header(tmp_path, campaign_store):
    from models import cases
    for i in range(100):
        cases.register_case(campaign_store, {"registered_on": "2026-11-02", "summary": "拖欠工资" * 300})
    campaign_store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = campaign_store.path
    campaign_store.close()
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(DamagedDatabase, match="不完整|损坏"):
        Store(path, check="light")
    path.write_bytes(b"PK\x03\x04" + good[4:])
    with pytest.raises(DamagedDatabase):
        Store(path, check="light")
    path.write_bytes(good)
    Store(path, check="light").close()
    assert backup.full_check(path) == "ok"


def test_backup_and_restore_round_trip(tmp_path, campaign_store):
    from models import cases
    cid = cases.register_case(campaign_store, {"registered_on": "2026-11-02", "employer_name": "甲公司",
                                               "amount_fen": 123456})
    target = backup.backup_to(campaign_store.conn, tmp_path / "b.sqlite")
    campaign_store.execute("UPDATE case_record SET amount_fen = 1 WHERE id = ?", (cid,))
    db_path = campaign_store.path
    campaign_store.close()
    with pytest.raises(restore.BackupError, match="之后做的"):     # the change since the backup is named
        restore.restore(target, db_path)
    kept = restore.restore(target, db_path, confirmed=True)
    assert kept is not None and kept.exists()
    s = Store(db_path)
    assert s.scalar("SELECT amount_fen FROM case_record WHERE id = ?", (cid,)) == 123456
    s.close()
    old = Store(kept)
    assert old.scalar("SELECT amount_fen FROM case_record WHERE id = ?", (cid,)) == 1
    old.close()


def test_auto_backups_keep_the_newest(tmp_path, store):
    for i in range(5):
        p = backup.auto_backup(store.conn, store.path, f"close{i}", keep=3)
        os.utime(p)
        time.sleep(0.01)
        # names carry the second; make them distinct
        p.rename(p.with_name(f"2026010{i}-000000-close.sqlite"))
        backup.auto_backup(store.conn, store.path, "x", keep=3)
    assert len(backup.list_backups(store.path)) == 3
    assert backup.latest_good(store.path) is not None


def test_restore_refuses_a_damaged_backup(tmp_path, store):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(backup.BackupError):
        restore.restore(bad, store.path)


def test_audit_rows_for_every_kind_of_change(campaign_store):
    from models import cases
    from models.ledger.repo import LedgerRepo
    from models.ledger import registry
    s = campaign_store
    cid = cases.register_case(s, {"registered_on": "2026-11-02", "employer_name": "甲公司"})
    cases.edit_case(s, cid, {"employer_name": "乙公司"}, reason="更正单位名称")
    repo = LedgerRepo(s, registry.get("cases"))
    repo.recycle([cid])
    repo.restore([cid])
    with s.tx():
        s.execute("DELETE FROM case_status_log WHERE case_id = ?", (cid,))
        s.execute("DELETE FROM case_record WHERE id = ?", (cid,))
    rows = s.query("SELECT action, user, before, after, reason FROM audit_log WHERE table_name='case_record' "
                   "AND record_id = ? ORDER BY id", (cid,))
    actions = [r["action"] for r in rows]
    assert actions == ["insert", "update", "recycle", "restore", "delete"]
    assert all(r["user"] == "测试员" for r in rows)
    upd = rows[1]
    assert json.loads(upd["before"])["employer_name"] == "甲公司"
    assert json.loads(upd["after"])["employer_name"] == "乙公司"
    assert upd["reason"] == "更正单位名称"
    assert rows[0]["before"] is None and rows[-1]["after"] is None


def test_audit_is_in_the_same_transaction(campaign_store):
    s = campaign_store
    n = s.scalar("SELECT COUNT(*) FROM audit_log")
    with pytest.raises(RuntimeError):
        with s.tx():
            s.insert("employer", {"name": "回滚公司"})
            raise RuntimeError("stop")
    assert s.scalar("SELECT COUNT(*) FROM audit_log") == n
    assert s.scalar("SELECT COUNT(*) FROM employer WHERE name='回滚公司'") == 0


WRITER = r"""
import sys, datetime
sys.path.insert(0, sys.argv[2])
from models.db import Store
from models import cases
from models.ledger import registry
from models.ledger.repo import LedgerRepo
s = Store(sys.argv[1], "写入进程")
workers = LedgerRepo(s, registry.get("workers"))
i = 0
while True:
    i += 1
    with s.tx():
        cid = cases.register_case(s, {"case_no": f"K{i:06d}", "registered_on": "2026-11-02",
                                      "employer_name": "单位", "amount_fen": i})
        workers.insert({"case_id": cid, "name": "工人", "owed_fen": i})
    print(i, flush=True)
"""


def test_killed_writer_loses_nothing_committed(tmp_path, campaign_store):
    path = campaign_store.path
    campaign_store.close()
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    for run in range(3):
        proc = subprocess.Popen([sys.executable, str(script), str(path), str(ROOT)], stdout=subprocess.PIPE,
                                text=True)
        # killed after it reported 5, 15, 25 commits (events, not a clock): mid-way through the next
        seen = [proc.stdout.readline() for _ in range(5 + 10 * run)]
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        out = "".join(seen) + out
        committed = [int(x) for x in out.split()]
        assert len(committed) >= 5 + 10 * run
        s = Store(path)
        assert s.scalar("PRAGMA integrity_check") == "ok"
        have = {r[0] for r in s.query("SELECT case_no FROM case_record WHERE case_no LIKE 'K%'")}
        assert {f"K{i:06d}" for i in committed} <= have
        # no half-written case: every case has its worker, and the roll-up matches
        assert s.scalar("SELECT COUNT(*) FROM case_record c WHERE case_no LIKE 'K%' AND "
                        "(SELECT COUNT(*) FROM worker w WHERE w.case_id = c.id) != 1") == 0
        assert s.scalar("SELECT COUNT(*) FROM case_record WHERE w_owed_fen != amount_fen AND case_no LIKE 'K%'") == 0
        s.execute("DELETE FROM worker")
        s.execute("DELETE FROM case_status_log")
        s.execute("DELETE FROM case_record")
        s.close()


def test_import_contracts_hold():
    """models/ imports no Qt, views or desktop; views/ never touches SQLite."""
    exe = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_new_uuids_are_version_7_unique_and_increasing():
    import uuid
    from models.db import new_uuids
    made = []
    for n in (1, 7, 4095, 4096, 5000, 1, 9000):
        batch = new_uuids(n)
        assert len(batch) == n
        made += batch
    parsed = [uuid.UUID(u) for u in made]
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in parsed)
    assert made == sorted(made) and len(set(made)) == len(made)
    assert all(str(p) == u for p, u in zip(parsed, made))


# -- issue 14, break 2: a file that is not this program's database is never taken for a new one --
def _foreign(path: Path, kind: str) -> None:
    if kind == "zero":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("姓名,身份证号码\n张三,1\n", encoding="utf-8")
    elif kind == "other_program":
        c = sqlite3.connect(path)
        c.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
        c.execute("INSERT INTO contacts(name) VALUES ('张三')")
        c.commit()
        c.close()
    elif kind == "empty_sqlite":
        c = sqlite3.connect(path)
        c.execute("CREATE TABLE t(x)")
        c.execute("DROP TABLE t")
        c.commit()
        c.close()


@pytest.mark.parametrize("kind", ["zero", "text", "other_program", "empty_sqlite"])
def test_a_file_that_is_not_ours_is_refused_at_open_and_left_alone(tmp_path, kind):
    from models.db import NotOurDatabase
    path = tmp_path / "清欠工作台.sqlite"
    _foreign(path, kind)
    before = path.read_bytes()
    with pytest.raises(NotOurDatabase) as err:
        Store(path)
    assert "不是清欠工作台数据库" in str(err.value) and str(path) in str(err.value)
    assert path.read_bytes() == before
    assert not path.with_name(path.name + "-wal").exists()


@pytest.mark.parametrize("kind", ["zero", "other_program"])
def test_every_command_reports_a_file_that_is_not_ours(tmp_path, kind, monkeypatch, capsys):
    from desktop.cli import main
    path = tmp_path / "清欠工作台.sqlite"
    _foreign(path, kind)
    before = path.read_bytes()
    csv = tmp_path / "线索.csv"
    csv.write_text("登记日期,用人单位\n2026-11-20,某公司\n", encoding="utf-8-sig")
    monkeypatch.delenv("QINGQIAN_PASSWORD", raising=False)
    for argv in (["check"], ["backup"], ["report", "daily", "--out", str(tmp_path / "r.pdf")],
                 ["export", "cases", "--out", str(tmp_path / "e.xlsx")],
                 ["import", str(csv), "--kind", "cases"], ["import", str(csv), "--kind", "cases", "--dry-run"]):
        assert main([*argv, "--db", str(path)]) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "不是清欠工作台数据库" in err[0], (argv, err)
    assert path.read_bytes() == before
    assert not backup.list_backups(path)          # no backup of it counts toward the kept ones


def test_a_missing_file_is_created_only_when_asked(tmp_path):
    from models.db import StoreError
    with pytest.raises(StoreError, match="找不到数据库文件"):
        Store(tmp_path / "没有.sqlite", create=False)
    assert not (tmp_path / "没有.sqlite").exists()
    Store(tmp_path / "新建.sqlite").close()
    assert migrations.version_of(tmp_path / "新建.sqlite") == migrations.LATEST


def test_rotation_keeps_the_newest_backups_with_data_whatever_comes_after(tmp_path, campaign_store):
    """Fourteen good backups, then twenty that hold nothing (an empty database, a 0-byte file,
    a foreign or truncated one) written after them: the fourteen stay."""
    path = campaign_store.path
    folder = backup.backup_dir(path)
    good = []
    for day in range(1, 15):
        p = backup.backup_to(campaign_store.conn, folder / f"202611{day:02d}-120000-close.sqlite")
        good.append(p)
    empty = Store(tmp_path / "空库.sqlite")
    for i in range(20):
        name = folder / f"202612{i + 1:02d}-120000-close.sqlite"
        if i % 4 == 0:
            backup.backup_to(empty.conn, name)                 # a database with nothing in it
        elif i % 4 == 1:
            name.write_bytes(b"")
        elif i % 4 == 2:
            _foreign(name, "other_program")
        else:
            name.write_bytes(good[0].read_bytes()[:8192])       # cut short
    empty.close()
    newest = backup.auto_backup(campaign_store.conn, path, "close", keep=14)
    left = backup.list_backups(path)
    with_data = [p for p in left if backup.inspect(p).holds_data]
    assert newest in with_data and len(with_data) == 14
    assert with_data[1:] == sorted(good[1:], reverse=True)      # the 13 newest older ones
    assert len(left) <= 28                                        # the folder does not grow without end
    assert backup.latest_good(path) == newest
    # an empty or broken backup is never offered before one with data
    assert backup.inspect(folder / "20261201-120000-close.sqlite").holds_data is False


def test_large_write_leaves_its_checkpoint_to_a_thread(tmp_path):
    """Inside ``checkpoint_afterwards`` the COMMIT writes (and syncs) the write-ahead log only: the
    database file does not grow until the background copy, which ``close`` waits for; the rows
    are readable by another connection at once, and the connection's own settings come back."""
    path = tmp_path / "big.sqlite"
    store = Store(path, "测试")
    store.conn.execute("CREATE TABLE bulk_probe (id INTEGER PRIMARY KEY, t TEXT)")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    rows = [("数据" * 200,) for _ in range(3000)]         # ~3.6 MB: far past 1,000 pages of log
    with store.checkpoint_afterwards():
        with store.tx():
            store.conn.executemany("INSERT INTO bulk_probe(t) VALUES (?)", rows)
        assert path.stat().st_size == size              # committed into the log only
        other = sqlite3.connect(path)
        assert other.execute("SELECT COUNT(*) FROM bulk_probe").fetchone()[0] == 3000
        other.close()
    assert store.scalar("PRAGMA wal_autocheckpoint") == 1000
    assert store.scalar("PRAGMA synchronous") == 1         # NORMAL again (FULL for the large commit)
    store.wait_for_checkpoint()
    assert path.stat().st_size > size + 3_000_000       # copied into the database file meanwhile
    with store.tx():                                    # the next write goes on as usual
        store.conn.execute("INSERT INTO bulk_probe(t) VALUES ('后来')")
    store.close()
    again = Store(path, "测试")
    assert again.scalar("SELECT COUNT(*) FROM bulk_probe") == 3001
    again.close()


# damaged copies per test: 150 by default (about 5 s each), more for a longer search
DAMAGE_RUNS = int(os.environ.get("QINGQIAN_DAMAGE_RUNS", "150"))


def test_a_database_damaged_anywhere_opens_or_is_refused_in_one_line(tmp_path):
    """Bytes changed anywhere in a database file (a failing disk, a copy cut off): it opens, or is
    refused as damaged in one line — never a traceback (names in the schema that are no longer
    text raised UnicodeDecodeError; quick_check's report ran over several lines)."""
    Store(tmp_path / "a.sqlite", "测试").close()
    base = (tmp_path / "a.sqlite").read_bytes()
    refused = 0
    for k, data in enumerate(damaged_copies(base, 9, DAMAGE_RUNS)):
        path = tmp_path / f"c{k % 5}.sqlite"
        for side in ("-wal", "-shm"):
            Path(f"{path}{side}").unlink(missing_ok=True)
        path.write_bytes(data)
        try:
            Store(path, "测试").close()
        except DamagedDatabase as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)
            refused += 1
    assert refused > DAMAGE_RUNS // 3


def test_a_backup_damaged_anywhere_is_refused_in_one_line_before_restoring(tmp_path):
    import sqlite3 as _sqlite3
    from models.backup import BackupError
    Store(tmp_path / "a.sqlite", "测试").close()
    plain = tmp_path / "plain.sqlite"
    src, dst = _sqlite3.connect(tmp_path / "a.sqlite"), _sqlite3.connect(plain)
    src.backup(dst)
    dst.close()
    src.close()
    refused = 0
    for k, data in enumerate(damaged_copies(plain.read_bytes(), 5, DAMAGE_RUNS)):
        path = tmp_path / f"b{k % 5}.sqlite"
        path.write_bytes(data)
        try:
            restore.check_candidate(path)
        except BackupError as exc:
            assert "\n" not in str(exc)
            refused += 1
    assert refused > DAMAGE_RUNS // 3
