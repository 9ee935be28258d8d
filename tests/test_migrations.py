"""Migrations: a database made by any earlier version and brought up to date has the same schema
as a new one (tables, columns, foreign keys, indexes, triggers), and is backed up before it is
changed, whichever path opens it. That the steps are frozen: tests/test_migration_steps_frozen.py."""
from __future__ import annotations

import datetime as _dt
import re
import sqlite3
from pathlib import Path

import pytest

from models import migrations
from models.db import Store
from models.rules.idcard import make_valid_id


def _schema(path: Path) -> dict:
    """What a database's structure promises, independent of the order columns were added in."""
    c = sqlite3.connect(path)
    out: dict = {}
    tables = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                      "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' "
                                      "AND name NOT LIKE '%fts_%'")]
    for t in tables:
        cols = {r[1]: (r[2].upper(), r[3], r[4], r[5]) for r in c.execute(f'PRAGMA table_xinfo("{t}")')}
        fks = sorted((r[2], r[3], r[4]) for r in c.execute(f'PRAGMA foreign_key_list("{t}")'))
        indexes = set()
        for r in c.execute(f'PRAGMA index_list("{t}")'):
            cols_of = tuple(x[2] for x in c.execute(f'PRAGMA index_info("{r[1]}")'))
            indexes.add((cols_of, r[2]))          # columns, unique
        out[t] = {"columns": cols, "foreign_keys": fks, "indexes": indexes}
    # a trigger's words, in any order: an audit trigger lists a table's columns in the table's
    # order, which differs where a column was added to an existing table
    out["triggers"] = {r[0]: sorted(re.sub(r"[(),;]", " ", r[1]).split()) for r in c.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}
    out["virtual"] = {r[0]: " ".join(r[1].split()) for r in c.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'")}
    out["user_version"] = c.execute("PRAGMA user_version").fetchone()[0]
    c.close()
    return out


def _old(path: Path, version: int, monkeypatch) -> None:
    """A database as version ``version`` of the program left it: the numbered steps up to it, and
    none of the declared ledgers' tables (the oldest program had none of them)."""
    with monkeypatch.context() as m:
        m.setattr(migrations, "LATEST", version)
        m.setattr(migrations, "_sync_declared_ledgers", lambda conn, **kw: None)
        s = Store(path, "旧版本")
        s.close()
    assert migrations.version_of(path) == version


def _as_programs_before_14_left_it(path: Path, unmasked: tuple[str, ...] = ()) -> None:
    """What a program before step 14 did on every open of a version-13 file: the declared
    ledgers' tables made from its declarations (here: today's), with the triggers of its own
    generators; ``unmasked``: tables whose triggers an older generator made (numbers unmasked)."""
    from models import access, audit
    from models.ledger import registry
    c = sqlite3.connect(path)
    c.create_function("qq_now", 0, lambda: "2026-01-01T00:00:00")
    for table, statements in registry.schema_changes(c):
        for stmt in statements:
            c.execute(stmt)
        audit.install_triggers(c, table)
        access.install_guard_triggers(c, table)
    saved = audit.masked_columns
    audit.masked_columns = lambda table: {}
    try:
        for table in unmasked:
            audit.install_triggers(c, table)
    finally:
        audit.masked_columns = saved
    c.commit()
    c.close()


@pytest.mark.parametrize("version", range(1, migrations.LATEST))
def test_an_upgraded_database_is_a_new_one(tmp_path, monkeypatch, version):
    new = tmp_path / "new.sqlite"
    Store(new, "新").close()
    old = tmp_path / "old.sqlite"
    _old(old, version, monkeypatch)
    Store(old, "升级").close()
    a, b = _schema(old), _schema(new)
    assert a.keys() == b.keys()
    for name in b:
        assert a[name] == b[name], name


def test_a_backup_is_kept_before_any_upgrade(tmp_path, monkeypatch):
    """Opening an older database from any path (a command, a report, the window) keeps a copy of
    it as it was, before the first step changes it."""
    old = tmp_path / "镇 #1.sqlite"
    _old(old, 3, monkeypatch)
    before = old.read_bytes()
    Store(old, "升级").close()
    kept = sorted((tmp_path / "镇 #1.sqlite.backups").glob("*-upgrade-v3.sqlite"))
    assert len(kept) == 1
    assert migrations.version_of(kept[0]) == 3
    c = sqlite3.connect(kept[0])
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    c.close()
    assert before[:16] == b"SQLite format 3\x00"
    assert migrations.version_of(old) == migrations.LATEST
    Store(old, "再开").close()                  # nothing to upgrade: no second copy
    assert len(list((tmp_path / "镇 #1.sqlite.backups").glob("*-upgrade-*.sqlite"))) == 1


def test_a_new_database_needs_no_backup(tmp_path):
    Store(tmp_path / "n.sqlite", "新").close()
    assert not (tmp_path / "n.sqlite.backups").exists()


def test_a_version_13_file_with_declared_ledgers_is_a_new_one(tmp_path, monkeypatch):
    """Step 14 over a file whose declared ledgers' tables an older program made: a table it
    lacks is made, a column it lacks (here: 清欠资金台账's 责任专班, a reference with an index)
    comes with its foreign key and index, and step 15 makes every table's triggers as a new
    database has them, stale ones (made before the log masked numbers) included."""
    new = tmp_path / "new.sqlite"
    Store(new, "新").close()
    old = tmp_path / "old.sqlite"
    _old(old, 13, monkeypatch)
    _as_programs_before_14_left_it(old, unmasked=("worker", "petition"))
    c = sqlite3.connect(old)
    for (name,) in c.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') "
                             "AND tbl_name = 'fund' AND sql LIKE '%workstream_id%'").fetchall():
        kind = c.execute("SELECT type FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
        c.execute(f'DROP {kind.upper()} "{name}"')
    c.execute("ALTER TABLE fund DROP COLUMN workstream_id")
    c.execute("DROP TABLE daily_report")
    c.commit()
    c.close()
    before = _schema(old)
    assert "workstream_id" not in before["fund"]["columns"] and "daily_report" not in before
    assert before["triggers"]["audit_petition_insert"] != _schema(new)["triggers"]["audit_petition_insert"]
    with monkeypatch.context() as m:            # the numbered steps alone
        m.setattr(migrations, "_sync_declared_ledgers", lambda conn, **kw: None)
        Store(old, "升级").close()
    a, b = _schema(old), _schema(new)
    assert a.keys() == b.keys()
    for name in b:
        assert a[name] == b[name], name
    assert not list((tmp_path / "old.sqlite.backups").glob("*-upgrade-v14.sqlite"))   # one copy, of v13
    assert len(list((tmp_path / "old.sqlite.backups").glob("*-upgrade-v13.sqlite"))) == 1


def test_the_last_steps_run_again_over_a_file_that_has_them(tmp_path):
    """A package's copy whose version number was set back runs the last steps again (and a test
    of step 8 sets a file back to 7): from step 8 on, a step run twice leaves what it left once."""
    new = tmp_path / "new.sqlite"
    Store(new, "新").close()
    again = tmp_path / "again.sqlite"
    Store(again, "新").close()
    c = sqlite3.connect(again)
    c.execute("PRAGMA user_version = 7")
    c.close()
    Store(again, "再升级").close()
    a, b = _schema(again), _schema(new)
    for name in b:
        assert a[name] == b[name], name


def test_projects_of_an_older_database_become_ledger_records(tmp_path, monkeypatch):
    """Step 12: the project table of a version-11 database gains the columns of 一项目一档, its
    projects are live records of the projects ledger (not in the recycle bin, dated) and keep
    what they had."""
    old = tmp_path / "old.sqlite"
    _old(old, 11, monkeypatch)
    with monkeypatch.context() as m:
        m.setattr(migrations, "LATEST", 11)
        m.setattr(migrations, "_sync_declared_ledgers", lambda conn, **kw: None)
        s = Store(old, "旧版本")
        with s.tx():
            s.execute("INSERT INTO project(uuid, name, general_contractor, contract_fen, deposit_fen) VALUES "
                      "('p-1', '青山镇安置房二期工程', '巴中市华厦建工集团有限公司', 18600000000, 372000000)")
        s.close()
    s = Store(old, "升级")
    try:
        assert s.schema_version() == migrations.LATEST >= 12
        row = dict(s.one("SELECT * FROM project WHERE uuid = 'p-1'"))
        assert row["deleted_at"] is None and row["created_at"] and row["completed_on"] is None
        assert (row["contract_fen"], row["deposit_fen"], row["wage_account"]) == (18600000000, 372000000, "")
        from models import projects
        [rec] = projects.projects(s)
        assert rec["name"] == "青山镇安置房二期工程" and rec["deposit_due_fen"] == 372000000
        assert rec["settle_state"] == "未竣工"
    finally:
        s.close()


def test_step_18_keeps_what_a_search_finds_and_drops_the_column_sizes(tmp_path, monkeypatch):
    """The trigram indexes made again without column sizes: a version-17 file's workers and cases
    are found by the same searches after the upgrade, and no index keeps a size per record."""
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo, Query
    old = tmp_path / "v17.sqlite"
    _old(old, 17, monkeypatch)
    with monkeypatch.context() as m:
        m.setattr(migrations, "LATEST", 17)
        s = Store(old, "旧版本")
        case = LedgerRepo(s, registry.get("cases")).insert(
            {"case_no": "QQ-2026-017", "registered_on": "2026-11-01", "employer_name": "白鹤建筑劳务公司"})
        workers = LedgerRepo(s, registry.get("workers"))
        for i, name in enumerate(("欧阳建国", "张三", "李四")):
            workers.insert({"case_id": case, "name": name, "id_number": make_valid_id("511921", _dt.date(1990, 1, 1), i)})
        assert s.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'worker_fts_docsize'") == 1
        s.close()

    def found(store, kind, text):
        repo = LedgerRepo(store, registry.get(kind))
        return sorted(repo.ids(Query(search=text)))

    s = Store(old, "升级")
    try:
        assert s.schema_version() == migrations.LATEST
        assert s.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%fts_docsize'") == 0
        assert len(found(s, "workers", "欧阳建")) == 1
        assert len(found(s, "workers", "1990010")) == 3            # inside the ID numbers
        assert len(found(s, "cases", "建筑劳务")) == 1
        # and the indexes follow later writes as before
        w = LedgerRepo(s, registry.get("workers"))
        wid = found(s, "workers", "欧阳建")[0]
        w.update(wid, {"name": "欧阳红梅"})
        assert found(s, "workers", "欧阳建") == [] and found(s, "workers", "欧阳红") == [wid]
    finally:
        s.close()
