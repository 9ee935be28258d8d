"""A restore compares the backup with the database it replaces (outside tester, fault 2).

Restore used to accept any whole database of the program without a word: another township's
(the file became 白鹤镇's), or one made before accounts were set up (every account gone, log-ins
switched off, anyone then writing without a password). Now a backup of another unit (level,
township name and code, the campaign's 填报单位), or one that lacks accounts the current
database has, is refused with what differs (exit 2, one Chinese line, nothing changed) unless
the user confirms: ``--force`` on the command line, a dialog stating the differences in the
window. An older backup of the same township with the same accounts restores as before.
"""
from __future__ import annotations

import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from desktop import cli
from models import access, backup, restore
from models.db import Store
from tests.conftest import TODAY
from tests.test_restore_guard import _one_chinese_line, _run  # noqa: F401 - the command line as a script runs it


def _files(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(db.parent.iterdir()) if p.is_file()
            and p.name.startswith(db.name) and not p.name.endswith((".lock", "-shm"))
            and not (p.name.endswith("-wal") and p.stat().st_size == 0)}


def _state(db: Path) -> tuple:
    """What a refused restore must leave as it was: the unit, the accounts, the records, and no
    restore in the audit log (the files themselves change when the office logs in: last_login)."""
    c = sqlite3.connect(db)
    try:
        return (_unit(db), c.execute("SELECT username, role, active FROM account ORDER BY id").fetchall(),
                c.execute("SELECT COUNT(*), group_concat(summary, '|') FROM case_record").fetchone(),
                c.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'restore_db'").fetchone()[0])
    finally:
        c.close()


def _unit(db: Path) -> tuple[str, str]:
    c = sqlite3.connect(db)
    try:
        unit = c.execute("SELECT unit FROM campaign WHERE is_current = 1").fetchone()[0]
        name = c.execute("SELECT value FROM setting WHERE key = 'exchange.unit_name'").fetchone()
        return unit, json.loads(name[0]) if name else ""
    finally:
        c.close()


def _with_office(db: Path, *more: str) -> None:
    """The accounts: 办公室王 (办公室, password pw-office) and any ``more`` 领导 accounts."""
    s = Store(db, "测试")
    access.create_account(s, "办公室王", "pw-office", "办公室")
    s.actor = access.login(s, "办公室王", "pw-office")
    for name in more:
        access.create_account(s, name, "pw-more", "领导")
    s.close()


@pytest.fixture(scope="module")
def baihe(tmp_path_factory) -> Path:
    """Another township's demo (qingqian demo --township 白鹤镇 --seed 7), small."""
    from models import demo
    path = tmp_path_factory.mktemp("baihe") / "other.sqlite"
    demo.build_demo(path, "township", today=TODAY, township="白鹤镇", seed=7, _cases=12, _workers=80)
    return path


def test_another_townships_database_is_refused_then_restored_with_force(demo_db, baihe, monkeypatch, capsys):
    _with_office(demo_db)
    other = demo_db.with_name("other.sqlite")
    other.write_bytes(baihe.read_bytes())
    before = _state(demo_db)
    code, out, err = _run(monkeypatch, capsys, "restore", other, "--db", demo_db, "--user", "办公室王",
                          password="pw-office")
    assert code == 2 and out == ""
    line = _one_chinese_line(err)
    assert "白鹤镇" in line and "青山镇" in line and "单位不同" in line
    assert "账号" in line and "办公室王" in line           # the backup has none: log-ins would go
    assert "--force" in line and "未作任何改动" in line
    assert _state(demo_db) == before
    assert not list(demo_db.parent.glob("*.before-restore-*"))
    assert _unit(demo_db)[0] == "青山县青山镇人民政府"
    # confirmed: restored, the replaced file kept, what differed in the audit row
    code, out, err = _run(monkeypatch, capsys, "restore", other, "--db", demo_db, "--user", "办公室王", "--force",
                          "--json", password="pw-office")
    assert code == 0, err
    kept = Path(json.loads(out)["previous_kept_as"])
    assert kept.exists()
    assert _unit(demo_db) == ("青山县白鹤镇人民政府", "白鹤镇")
    s = Store(demo_db)
    after = json.loads(s.scalar("SELECT after FROM audit_log WHERE action = 'restore_db'"))
    s.close()
    assert any("白鹤镇" in d for d in after["确认恢复时与原数据库的不同"])


def test_another_township_is_refused_even_without_accounts(demo_db, baihe, monkeypatch, capsys):
    before = _files(demo_db)
    code, out, err = _run(monkeypatch, capsys, "restore", baihe, "--db", demo_db)
    assert code == 2
    line = _one_chinese_line(err)
    assert "白鹤镇" in line and "账号" not in line
    assert _files(demo_db) == before


def test_a_backup_made_before_accounts_existed_is_refused(demo_db, tmp_path, monkeypatch, capsys):
    s = Store(demo_db, "测试")
    early = backup.backup_to(s.conn, tmp_path / "备份" / "建账号之前.sqlite")
    s.close()
    _with_office(demo_db)
    before = _state(demo_db)
    code, out, err = _run(monkeypatch, capsys, "restore", early, "--db", demo_db, "--user", "办公室王",
                          password="pw-office")
    assert code == 2
    line = _one_chinese_line(err)
    assert "办公室王" in line and "备份中没有账号" in line and "登录" in line
    assert "单位不同" not in line                          # the same township
    assert _state(demo_db) == before
    assert not list(demo_db.parent.glob("*.before-restore-*")) and not list(demo_db.parent.glob("*.restoring*"))
    s = Store(demo_db)
    assert access.has_accounts(s.conn)
    s.close()
    code, out, err = _run(monkeypatch, capsys, "restore", early, "--db", demo_db, "--user", "办公室王", "--force",
                          password="pw-office")
    assert code == 0, err


def test_a_backup_lacking_an_account_added_since_is_refused(demo_db, tmp_path, monkeypatch, capsys):
    _with_office(demo_db)
    s = Store(demo_db, "测试")
    early = backup.backup_to(s.conn, tmp_path / "备份" / "早.sqlite")
    s.actor = access.login(s, "办公室王", "pw-office")
    access.create_account(s, "李领导", "pw-more", "领导")
    s.close()
    code, out, err = _run(monkeypatch, capsys, "restore", early, "--db", demo_db, "--user", "办公室王",
                          password="pw-office")
    assert code == 2
    line = _one_chinese_line(err)
    assert "李领导" in line and "不能再登录" in line and "办公室王" not in line.split("：", 2)[-1]


def test_an_older_backup_of_the_same_township_restores_once_what_it_undoes_is_confirmed(
        demo_db, tmp_path, monkeypatch, capsys):
    _with_office(demo_db, "李领导")
    s = Store(demo_db, "测试")
    good = backup.backup_to(s.conn, tmp_path / "备份" / "good.sqlite")
    s.actor = access.login(s, "办公室王", "pw-office")
    s.execute("UPDATE case_record SET summary = '备份之后的修改' WHERE id = (SELECT MIN(id) FROM case_record)")
    access.set_password(s, "李领导", "pw-changed")          # a password changed since: its old one comes back
    s.close()
    code, out, err = _run(monkeypatch, capsys, "restore", good, "--db", demo_db, "--user", "办公室王", "--json",
                          password="pw-office")
    assert code == 2 and "之后做的" in err and "李领导" in err, err           # said, nothing done
    code, out, err = _run(monkeypatch, capsys, "restore", good, "--db", demo_db, "--user", "办公室王", "--json",
                          "--force", password="pw-office")
    assert code == 0, err
    kept = Path(json.loads(out)["previous_kept_as"])
    assert kept.name.startswith("demo.sqlite.before-restore-")
    s = Store(demo_db)
    assert s.scalar("SELECT summary FROM case_record ORDER BY id LIMIT 1") != "备份之后的修改"
    after = json.loads(s.scalar("SELECT after FROM audit_log WHERE action = 'restore_db'"))
    s.close()
    assert after["恢复自"] == str(good)
    old = Store(kept)
    assert old.scalar("SELECT summary FROM case_record ORDER BY id LIMIT 1") == "备份之后的修改"
    old.close()


def test_a_restore_where_there_is_no_database_yet_needs_no_confirmation(baihe, tmp_path, monkeypatch, capsys):
    db = tmp_path / "新电脑" / "qingqian.sqlite"
    db.parent.mkdir()
    code, out, err = _run(monkeypatch, capsys, "restore", baihe, "--db", db)
    assert code == 0, err
    assert _unit(db)[1] == "白鹤镇"


def test_a_packed_backup_is_compared_too(demo_db, baihe, tmp_path):
    """An automatic backup of a large database is packed (models.backup_pages): it is rebuilt
    and compared as a plain one is."""
    from models import backup_pages
    packed = tmp_path / f"baihe{backup_pages.SUFFIX}"
    backup_pages.pack(baihe, packed, holds_data=True, base=None)
    with pytest.raises(restore.RestoreDiffers) as exc:
        restore.restore(packed, demo_db, user="测试")
    assert any("白鹤镇" in d for d in exc.value.differences)
    assert not list(demo_db.parent.glob("*.before-restore-*"))


def test_the_differences_in_words():
    I = restore.Identity
    town = I("township", "青山镇", "511234101", "青山县", "青山县青山镇人民政府", "行动", ("办公室王",))
    assert restore.differences(town, town) == []
    assert restore.differences(None, I()) == []                 # nothing known of the database replaced
    assert restore.differences(I(), town) == []                 # a new, empty database: nothing to lose
    # the same township, its 报送身份 set up since the backup: same 填报单位, nothing lost
    assert restore.differences(town, I(unit="青山县青山镇人民政府", accounts=("办公室王",))) == []
    # another code alone is another unit
    (d,) = restore.differences(town, I("township", "青山镇", "511234999", "青山县", "青山县青山镇人民政府", "",
                                       ("办公室王",)))
    assert "511234999" in d and "511234101" in d
    # a county's summary database in place of a township's
    county = I("county", "青山县", "511234", "", "青山县根治拖欠农民工工资工作领导小组办公室", "", ("办公室王",))
    ds = restore.differences(town, county)
    assert any("县级汇总数据库" in x for x in ds) and any("青山县根治" in x for x in ds)
    # a backup that knows no unit at all, over one that does
    (d,) = restore.differences(town, I(accounts=("办公室王",)))
    assert "没有单位信息" in d
    # accounts: all gone, or some
    (d,) = restore.differences(town, I("township", "青山镇", "511234101", "青山县", "青山县青山镇人民政府"))
    assert "备份中没有账号" in d and "不用密码" in d
    more = I(**{**town.__dict__, "accounts": ("办公室王", "张三", "李四")})
    (d,) = restore.differences(more, town)
    assert "张三、李四" in d


def test_the_window_asks_before_restoring_a_differing_backup(demo_db, baihe, qtbot, monkeypatch):
    """The damaged-file dialog's restore: what differs is shown; 取消 leaves the file as it
    was, 仍然恢复 restores."""
    from PySide6.QtWidgets import QMessageBox
    from desktop import startup
    _with_office(demo_db)
    shown = []

    def answer(choice):
        def exec_(box):
            shown.append(box.text() + "\n" + box.informativeText())
            for b in box.buttons():
                if b.text() == choice:
                    b.click()
            return 0
        return exec_
    before = _files(demo_db)
    monkeypatch.setattr(QMessageBox, "exec", answer("取消"))
    assert startup._restore_confirmed(baihe, demo_db, "办公室王") is False
    assert "白鹤镇" in shown[-1] and "备份中没有账号" in shown[-1]
    assert _files(demo_db) == before
    monkeypatch.setattr(QMessageBox, "exec", answer("仍然恢复"))
    assert startup._restore_confirmed(baihe, demo_db, "办公室王") is True
    assert _unit(demo_db)[1] == "白鹤镇"
    assert list(demo_db.parent.glob("*.before-restore-*"))
