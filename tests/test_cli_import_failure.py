"""An import that fails inside its commit says why in Chinese, from the same words as every
other command (``cli.failure_line``), never SQLite's English."""
from __future__ import annotations

import sqlite3

from desktop import cli
from models.io import importer


def test_a_locked_database_is_named_in_chinese(tmp_path, capsys, monkeypatch):
    db = tmp_path / "t.sqlite"
    assert cli.main(["init", "--db", str(db), "--name", "青山镇", "--unit", "青山镇人民政府", "--start", "2026-11-01"]) == 0
    path = tmp_path / "cases.csv"
    path.write_text("编号,登记日期,欠薪单位,拖欠金额\nQ-1,2026-10-01,某公司,1000\n", encoding="utf-8")

    def locked(*_a, **_k):
        raise sqlite3.OperationalError("database is locked")
    monkeypatch.setattr(importer, "commit_import", locked)
    capsys.readouterr()
    assert cli.main(["import", str(path), "--db", str(db), "--kind", "cases"]) != 0
    err = capsys.readouterr().err
    assert "导入失败，数据库未作任何改动：数据库正被另一个窗口或命令使用" in err
    assert "database is locked" not in err and "数据库未作改动" not in err
