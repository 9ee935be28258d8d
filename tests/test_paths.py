"""Paths (issue 14, break 8): folders and files named with # ? % spaces and Chinese open,
back up, restore and check like any other; --out writes only the file it names, never the
database, and replaces an existing file only with --force; a command that only reads never
creates a database."""
from __future__ import annotations

import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from desktop import cli
from models import backup, migrations, restore
from models.db import Store

# '?' is not allowed in Windows file names; these tests run where it is
AWKWARD = ["井号#文件夹", "问号?文件夹", "百分号%41文件夹", "空 格", "中文目录"]


def _run(monkeypatch, capsys, *argv):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.delenv("QINGQIAN_PASSWORD", raising=False)
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.fixture(params=AWKWARD)
def awkward_db(request, demo_db, tmp_path) -> Path:
    """The township demo in a folder, and under a file name, with the awkward characters."""
    folder = tmp_path / request.param / f"子目录 #1 ?x=1 %20"
    folder.mkdir(parents=True)
    target = folder / f"台账 #{request.param}?v=2%25.sqlite"
    s = Store(demo_db)
    backup.backup_to(s.conn, target)
    s.close()
    return target


def test_a_uri_names_exactly_the_file(tmp_path):
    from models.paths import sqlite_uri
    for name in ("a#b.sqlite", "a?mode=rw.sqlite", "100%25.sqlite", "空 格 中文.sqlite"):
        path = tmp_path / "x#?% 目录" / name
        path.parent.mkdir(exist_ok=True)
        c = sqlite3.connect(path)
        c.execute("CREATE TABLE t(name)")
        c.execute("INSERT INTO t VALUES (?)", (name,))
        c.commit()
        c.close()
        ro = sqlite3.connect(sqlite_uri(path), uri=True)
        assert ro.execute("SELECT name FROM t").fetchone()[0] == name
        with pytest.raises(sqlite3.OperationalError):       # and it is read-only
            ro.execute("INSERT INTO t VALUES ('x')")
        ro.close()
    assert sorted(p.name for p in (tmp_path / "x#?% 目录").iterdir()) == sorted(
        ["a#b.sqlite", "a?mode=rw.sqlite", "100%25.sqlite", "空 格 中文.sqlite"])    # no stray files


def test_open_read_only_backup_check_restore_in_awkward_paths(awkward_db, tmp_path):
    cases = Store(awkward_db).scalar("SELECT COUNT(*) FROM case_record")
    ro = Store(awkward_db, read_only=True)
    assert ro.scalar("SELECT COUNT(*) FROM case_record") == cases
    ro.close()
    assert migrations.version_of(awkward_db) == migrations.LATEST
    assert backup.full_check(awkward_db) == "ok"
    s = Store(awkward_db)
    auto = backup.auto_backup(s.conn, s.path, "close")
    manual = backup.backup_to(s.conn, awkward_db.parent / "手动 #备份?.sqlite")
    s.execute("UPDATE case_record SET summary = '备份后' WHERE id = (SELECT MIN(id) FROM case_record)")
    s.close()
    assert backup.latest_good(awkward_db) == auto
    assert backup.inspect(manual).holds_data
    kept = restore.restore(manual, awkward_db, confirmed=True)     # 备份后 is set aside knowingly
    s = Store(awkward_db)
    assert s.scalar("SELECT summary FROM case_record ORDER BY id LIMIT 1") != "备份后"
    assert s.scalar("SELECT COUNT(*) FROM case_record") == cases
    s.close()
    assert Store(kept).scalar("SELECT summary FROM case_record ORDER BY id LIMIT 1") == "备份后"


def test_a_damaged_backup_in_an_awkward_path_is_refused(awkward_db, monkeypatch, capsys):
    bad = awkward_db.parent / "坏 #备份?.sqlite"
    bad.write_bytes(awkward_db.read_bytes()[:4096 * 3] + b"\xff" * 4096 * 5)
    before = awkward_db.read_bytes()
    code, out, err = _run(monkeypatch, capsys, "restore", bad, "--db", awkward_db)
    assert code == 2 and out == ""
    _one_line(err)
    assert awkward_db.read_bytes() == before
    with pytest.raises(backup.BackupError):
        backup.check_file(bad)


def test_commands_in_awkward_paths(awkward_db, monkeypatch, capsys):
    code, out, err = _run(monkeypatch, capsys, "check", "--db", awkward_db, "--json", "--date", "2026-11-26")
    assert code in (0, 1), err
    assert "findings" in json.loads(out)
    code, out, err = _run(monkeypatch, capsys, "backup", "--db", awkward_db, "--json")
    assert code == 0, err
    made = Path(json.loads(out)["backup"])
    assert made.parent == backup.backup_dir(awkward_db) and backup.inspect(made).holds_data
    to = awkward_db.parent / "另存 #1?.sqlite"
    code, out, err = _run(monkeypatch, capsys, "backup", "--db", awkward_db, "--to", to)
    assert code == 0, err
    code, out, err = _run(monkeypatch, capsys, "restore", to, "--db", awkward_db)
    assert code == 0, err


# -- --out -------------------------------------------------------------------------------------
def test_report_stats_never_overwrites_an_excel_file_it_was_not_told_to(town, tmp_path, monkeypatch, capsys):
    pdf, xlsx = tmp_path / "统计.pdf", tmp_path / "统计.xlsx"
    xlsx.write_bytes(b"the user's own workbook")
    code, out, err = _run(monkeypatch, capsys, "report", "stats", "--db", town, "--out", pdf,
                          "--date", "2026-11-26", "--today", "2026-11-26")
    assert code == 2 and "统计.xlsx" in _one_line(err) and "--force" in err
    assert xlsx.read_bytes() == b"the user's own workbook" and not pdf.exists()
    code, out, err = _run(monkeypatch, capsys, "report", "stats", "--db", town, "--out", pdf, "--force",
                          "--date", "2026-11-26", "--today", "2026-11-26", "--json")
    assert code == 0, err
    assert json.loads(out)["extra"] == [str(xlsx)]          # the second file is named in the output
    assert pdf.read_bytes()[:4] == b"%PDF" and xlsx.read_bytes()[:2] == b"PK"


def test_an_existing_output_is_replaced_only_with_force(town, tmp_path, monkeypatch, capsys):
    out_file = tmp_path / "日报.pdf"
    out_file.write_bytes(b"yesterday's report")
    code, out, err = _run(monkeypatch, capsys, "report", "daily", "--db", town, "--out", out_file)
    assert code == 2 and "--force" in _one_line(err)
    assert out_file.read_bytes() == b"yesterday's report"
    book = tmp_path / "台账.xlsx"
    book.write_bytes(b"kept")
    code, out, err = _run(monkeypatch, capsys, "export", "cases", "--db", town, "--out", book)
    assert code == 2 and "--force" in _one_line(err) and book.read_bytes() == b"kept"
    code, out, err = _run(monkeypatch, capsys, "export", "cases", "--db", town, "--out", book, "--force")
    assert code == 0, err
    assert book.read_bytes()[:2] == b"PK"
    to = tmp_path / "备份.sqlite"
    to.write_bytes(b"an older copy")
    code, out, err = _run(monkeypatch, capsys, "backup", "--db", town, "--to", to)
    assert code == 2 and "--force" in _one_line(err) and to.read_bytes() == b"an older copy"


@pytest.mark.parametrize("db_name, argv", [
    ("数据.pdf", ("report", "daily", "--out", "{db}", "--force")),
    ("统计.xlsx", ("report", "stats", "--out", "{dir}/统计.pdf", "--force")),    # its Excel file would be the database
    ("数据.xlsx", ("export", "cases", "--out", "{db}", "--force")),
    ("数据.sqlite", ("backup", "--to", "{db}", "--force")),
    ("数据.sqlite", ("backup", "--to", "{db}-wal", "--force")),
])
def test_an_output_never_replaces_the_database(demo_db, tmp_path, monkeypatch, capsys, db_name, argv):
    """Whatever the database is called, an --out (or --to) that names it, or a file beside it,
    is refused, with --force as well."""
    db = tmp_path / db_name
    demo_db.rename(db)
    Store(db).close()
    before = db.read_bytes()
    args = [a.format(db=db, dir=tmp_path) for a in argv]
    code, out, err = _run(monkeypatch, capsys, *args, "--db", db)
    assert code == 2 and "数据库" in _one_line(err)
    assert db.read_bytes() == before
    Store(db).close()


# -- reading never creates ---------------------------------------------------------------------
@pytest.mark.parametrize("argv", [
    ("check",), ("report", "daily", "--out", "{out}"), ("export", "cases", "--out", "{xlsx}"),
    ("backup",), ("import", "{csv}", "--kind", "cases"), ("import", "{csv}", "--kind", "cases", "--dry-run"),
    ("restore", "{csv}"),
])
def test_a_mistyped_database_is_named_and_never_created(tmp_path, monkeypatch, capsys, argv):
    missing = tmp_path / "错字.sqlite"
    csv = tmp_path / "线索.csv"
    csv.write_text("登记日期,用人单位\n2026-11-20,某公司\n", encoding="utf-8-sig")
    args = [a.format(out=tmp_path / "x.pdf", xlsx=tmp_path / "x.xlsx", csv=csv) for a in argv]
    code, out, err = _run(monkeypatch, capsys, *args[:1], *args[1:], "--db", missing)
    assert code == 2
    line = _one_line(err)
    assert "错字.sqlite" in line or "线索.csv" in line
    assert not missing.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name != "home"] == ["线索.csv"]      # nothing made
