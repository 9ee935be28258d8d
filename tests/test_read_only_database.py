"""A sound database where it cannot be written (a read-only file, a write-protected USB stick)
is said to be that, in Chinese, never "damaged" (which would offer a needless restore); and the
reasons SQLite and the system give in English reach the office in Chinese."""
from __future__ import annotations

import os
import sqlite3

import pytest

from models.db import DamagedDatabase, ReadOnlyDatabase, Store
from models.errors import chinese_reason


def _db(tmp_path):
    path = tmp_path / "镇.sqlite"
    Store(path, "办公室").close()
    return path


def test_a_read_only_place_is_named_not_called_damaged(tmp_path, monkeypatch):
    path = _db(tmp_path)
    real = os.access
    # as a write-protected stick answers (root passes permission bits, so the answer is given here)
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if mode == os.W_OK and
                        str(p) in (str(path), str(path.parent)) else real(p, mode, *a, **k))
    with pytest.raises(ReadOnlyDatabase) as exc:
        Store(path, "办公室")
    assert not isinstance(exc.value, DamagedDatabase)
    text = str(exc.value)
    assert "只读" in text and "复制到电脑" in text and "并未损坏" in text and text.isascii() is False


def test_a_sqlite_refusal_to_write_is_told_as_read_only(tmp_path, monkeypatch):
    path = _db(tmp_path)
    import models.db as db
    monkeypatch.setattr(db.Store, "_configure", lambda self, read_only=False: (_ for _ in ()).throw(
        sqlite3.OperationalError("attempt to write a readonly database")))
    with pytest.raises(ReadOnlyDatabase, match="不能写入"):
        Store(path, "办公室")


def test_reading_commands_work_on_a_read_only_place_and_writing_ones_say_why(tmp_path, monkeypatch, capsys):
    import json
    from desktop import cli
    path = _db(tmp_path)
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if mode == os.W_OK and
                        str(p) == str(path.parent) else real(p, mode, *a, **k))
    code = cli.main(["figures", "--db", str(path), "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["cases"] == 0
    code = cli.main(["recycle", "move", "cases", "QQ2026-0001", "--reason", "误录", "--db", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "只读" in err and err.count("\n") == 1


def test_a_file_sqlite_cannot_read_in_place_is_read_as_immutable(tmp_path, monkeypatch):
    """On a write-protected stick SQLite cannot read a WAL-mode file in place; with no log left
    beside it, it is read as it is; with a log left, that is said."""
    import models.db as db
    path = _db(tmp_path)
    real_probe, calls = db._probe, []

    def probe(conn):
        calls.append(conn)
        if len(calls) == 1:
            raise sqlite3.OperationalError("unable to open database file")
        real_probe(conn)
    monkeypatch.setattr(db, "_probe", probe)
    monkeypatch.setattr(db, "read_only_place", lambda p: "文件所在的文件夹或磁盘是只读的")
    s = Store(path, read_only=True)
    assert s.scalar("SELECT COUNT(*) FROM case_record") == 0 and len(calls) == 2
    s.close()
    calls.clear()
    path.with_name(path.name + "-wal").write_bytes(b"x" * 100)
    with pytest.raises(ReadOnlyDatabase, match="上次未正常关闭"):
        Store(path, read_only=True)


@pytest.mark.parametrize("english, chinese", [
    ("database disk image is malformed", "文件内容已损坏"), ("file is not a database", "不是数据库文件"),
    ("disk I/O error", "磁盘读写出错"), ("database or disk is full", "磁盘已满")])
def test_sqlites_reasons_in_chinese(english, chinese):
    assert chinese_reason(sqlite3.DatabaseError(english)) == chinese
    assert chinese_reason(FileNotFoundError(2, "No such file or directory")) == "文件或文件夹不存在"


def test_a_truncated_file_is_damaged_in_chinese(tmp_path):
    path = _db(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2] + b"\0" * 1000 + data[len(data) // 2 + 1000:])
    try:
        Store(path, "办公室").close()
    except DamagedDatabase as exc:
        assert "malformed" not in str(exc)
