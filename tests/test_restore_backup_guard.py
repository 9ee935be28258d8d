"""Restore and backup, guarded further (outside reviewer, accounts review F5–F8).

F5: a restore used to drop every change made after the backup without a word (a repayment, a
password reset: a revoked password worked again). Now the changes since (audit rows newer than the
backup's last one) and the accounts whose password changed are named, and the restore is refused
without ``--force`` (the window asks); once forced, the result says what was undone and where it is.
F6: over a file that cannot be read, any backup was taken from anyone: one with no accounts, or of
another unit than what the damaged file left tells, now needs ``--force``; a backup with accounts
needs one of its own 办公室 by password; the audit names that account, never the computer's log-in.
F7: a liaison's copy (its office accounts are switched off) is restored by its liaison account.
F8: ``backup --to`` (a full, unmasked copy where the user chooses) needs the 办公室 (in a liaison's
copy, its liaison) once accounts exist, and is audited as a reveal, as ``export --unmasked`` is.
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
import sqlite3
from pathlib import Path

import pytest

from models import access, backup, restore, restore_guard
from models.db import Store
from tests.conftest import TODAY
from tests.test_restore_guard import _one_chinese_line, _run  # noqa: F401 - the command line as a script runs it

NOW = dt.datetime(2026, 11, 26, 16, 30)
WS = "欠薪化解专班"


def _summary(db: Path) -> str:
    c = sqlite3.connect(db)
    try:
        return c.execute("SELECT summary FROM case_record ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        c.close()


def _restore_rows(db: Path) -> list[tuple]:
    c = sqlite3.connect(db)
    try:
        return c.execute("SELECT user, after FROM audit_log WHERE action = 'restore_db' ORDER BY id").fetchall()
    finally:
        c.close()


def _damage(db: Path) -> None:
    """The header overwritten: SQLite cannot open the file, the rest of its bytes are still there."""
    for side in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        side.unlink(missing_ok=True)
    with open(db, "r+b") as fh:
        fh.write(b"\0" * 100)


@pytest.fixture
def office_db(demo_db) -> Path:
    """The demo with an 办公室 (office / secret1), a 专班填报员 (clerk / secret2) and a 领导
    (leader / secret3)."""
    s = Store(demo_db, "测试")
    ws = s.scalar("SELECT id FROM workstream WHERE name = ?", (WS,))
    access.create_account(s, "office", "secret1", "办公室")
    s.actor = access.login(s, "office", "secret1")
    access.create_account(s, "clerk", "secret2", "专班填报员", workstream_id=ws)
    access.create_account(s, "leader", "secret3", "领导")
    s.close()
    return demo_db


def _after_backup(db: Path, target: Path, monkeypatch, capsys) -> None:
    """A backup by the office, then a change of a case and a reset of the clerk's password."""
    code, out, err = _run(monkeypatch, capsys, "backup", "--db", db, "--to", target, "--user", "office",
                          password="secret1")
    assert code == 0, err
    s = Store(db)
    s.actor = access.login(s, "office", "secret1")
    s.execute("UPDATE case_record SET summary = '备份之后的修改' WHERE id = (SELECT MIN(id) FROM case_record)")
    access.set_password(s, "clerk", "revoked-now")
    s.close()


# -- F5: what a restore would undo ------------------------------------------------------------------
def test_a_restore_that_would_undo_later_changes_says_so_and_needs_force(office_db, tmp_path, monkeypatch, capsys):
    good = tmp_path / "good.sqlite"
    _after_backup(office_db, good, monkeypatch, capsys)
    code, out, err = _run(monkeypatch, capsys, "restore", good, "--db", office_db, "--user", "office",
                          password="secret1")
    assert code == 2 and out == ""
    line = _one_chinese_line(err)
    assert "处改动" in line and "备份之后" in line and "--force" in line
    assert "clerk" in line and "密码" in line and "旧密码重新有效" in line
    assert _summary(office_db) == "备份之后的修改"                      # nothing replaced
    assert not list(office_db.parent.glob("*.before-restore-*"))
    code, out, err = _run(monkeypatch, capsys, "restore", good, "--db", office_db, "--user", "office", "--force",
                          password="secret1")
    assert code == 0, err
    assert "恢复前的" in out and "处改动" in out and "不在备份中，已随原文件另存为" in out
    kept = next(office_db.parent.glob("*.before-restore-*"))
    assert str(kept) in out and "clerk" in out
    assert _summary(office_db) != "备份之后的修改" and _summary(kept) == "备份之后的修改"
    ((user, after),) = _restore_rows(office_db)
    assert user == "office"
    assert any("处改动" in d for d in json.loads(after)["确认恢复时与原数据库的不同"])


def test_the_json_result_counts_what_was_undone(office_db, tmp_path, monkeypatch, capsys):
    good = tmp_path / "good.sqlite"
    _after_backup(office_db, good, monkeypatch, capsys)
    code, out, err = _run(monkeypatch, capsys, "restore", good, "--db", office_db, "--user", "office", "--force",
                          "--json", password="secret1")
    assert code == 0, err
    got = json.loads(out)
    assert got["changes_not_in_backup"] >= 2 and got["passwords_reverted"] == ["clerk"]
    assert got["changes_span"][0] <= got["changes_span"][1]


def test_log_ins_reveals_and_restores_are_not_changes(office_db, tmp_path):
    """A failed log-in, a number shown, the office logging in to restore: nothing a restore undoes."""
    s = Store(office_db)
    good = backup.backup_to(s.conn, tmp_path / "good.sqlite")
    with pytest.raises(access.AuthError):
        access.login(s, "office", "wrong!")
    s.actor = access.login(s, "office", "secret1")
    access.record_reveal(s, "worker", None, "农民工名册")
    s.close()
    kept = restore.restore(good, office_db, user="office")
    assert kept is not None
    # restoring the same backup once more: the first restore is no change either
    assert restore.restore(good, office_db, user="office") is not None


def test_the_changes_since_a_backup_of_another_history_are_counted_by_time(office_db, tmp_path):
    """A database restored from an older backup since, then worked on: its audit rows no longer
    line up with a newer backup's, and what was written after that backup's last row counts."""
    s = Store(office_db)
    older = backup.backup_to(s.conn, tmp_path / "older.sqlite")
    s.actor = access.login(s, "office", "secret1")
    s.execute("UPDATE case_record SET summary = '第二份备份之前' WHERE id = (SELECT MIN(id) FROM case_record)")
    newer = backup.backup_to(s.conn, tmp_path / "newer.sqlite")
    s.close()
    restore.restore(older, office_db, user="office", confirmed=True)
    mark = restore_guard.audit_mark(newer)
    c = sqlite3.connect(newer)
    try:
        assert not restore_guard.changes_since(office_db, mark, c)       # nothing written after it
        s = Store(office_db)
        s.actor = access.login(s, "office", "secret1")
        s.execute("UPDATE case_record SET summary = '之后又改' WHERE id = (SELECT MIN(id) FROM case_record)")
        s.close()
        since = restore_guard.changes_since(office_db, mark, c)
    finally:
        c.close()
    assert since.count == 1 and "1 处改动" in since.sentences()[0]


def test_the_window_warns_of_later_changes_and_proves_who_restores(office_db, tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    from desktop import startup
    s = Store(office_db)
    good = backup.backup_to(s.conn, tmp_path / "good.sqlite")
    s.actor = access.login(s, "office", "secret1")
    access.set_password(s, "clerk", "revoked-now")
    s.close()
    shown, asked = [], []

    def answer(choice):
        def exec_(box):
            shown.append(box.text() + "\n" + box.informativeText())
            for b in box.buttons():
                if b.text() == choice:
                    b.click()
            return 0
        return exec_
    monkeypatch.setattr(startup, "_ask_login", lambda who, name: asked.append(who) or ("office", "secret1"))
    monkeypatch.setattr(QMessageBox, "exec", answer("取消"))
    assert startup._restore_confirmed(good, office_db) is False
    assert "clerk" in shown[-1] and "处改动" in shown[-1] and asked == ["办公室账号"]
    assert not _restore_rows(office_db)
    monkeypatch.setattr(QMessageBox, "exec", answer("仍然恢复"))
    assert startup._restore_confirmed(good, office_db) is True
    assert "不在备份中，已随原文件另存为" in shown[-1]                 # said once done
    assert [u for u, _ in _restore_rows(office_db)] == ["office"]


def test_the_window_refuses_a_wrong_password_and_a_leader(office_db, tmp_path, qtbot, monkeypatch):
    from desktop import startup
    s = Store(office_db)
    good = backup.backup_to(s.conn, tmp_path / "good.sqlite")
    s.close()
    for login, words in ((("office", "wrong!"), "登录失败"), (("leader", "secret3"), "办公室账号")):
        monkeypatch.setattr(startup, "_ask_login", lambda who, name, login=login: login)
        with pytest.raises(backup.BackupError, match=words):
            startup._restore_confirmed(good, office_db)
    monkeypatch.setattr(startup, "_ask_login", lambda who, name: None)      # 取消
    assert startup._restore_confirmed(good, office_db) is False
    assert not _restore_rows(office_db) and not list(office_db.parent.glob("*.before-restore-*"))


# -- F6: a database that cannot be read -------------------------------------------------------------
def test_an_account_less_backup_over_a_damaged_file_needs_force_and_is_not_audited_as_the_os_user(
        demo_db, tmp_path, monkeypatch, capsys):
    s = Store(demo_db, "测试")
    early = backup.backup_to(s.conn, tmp_path / "建账号之前.sqlite")
    access.create_account(s, "office", "secret1", "办公室")
    s.close()
    office_db = demo_db
    _damage(office_db)
    damaged = office_db.read_bytes()
    code, out, err = _run(monkeypatch, capsys, "restore", early, "--db", office_db)
    assert code == 2
    line = _one_chinese_line(err)
    assert "备份中没有账号" in line and "--force" in line
    assert office_db.read_bytes() == damaged
    code, out, err = _run(monkeypatch, capsys, "restore", early, "--db", office_db, "--force")
    assert code == 0, err
    ((user, _after),) = _restore_rows(office_db)
    assert user != getpass.getuser() and restore_guard.UNPROVEN in user


def test_another_townships_backup_over_a_damaged_file_needs_its_office_and_force(
        office_db, tmp_path, monkeypatch, capsys):
    from models import demo
    other = tmp_path / "白鹤镇.sqlite"
    demo.build_demo(other, "township", today=TODAY, township="白鹤镇", seed=7, _cases=12, _workers=80)
    s = Store(other, "测试")
    access.create_account(s, "baihe", "pw-baihe", "办公室")
    s.close()
    _damage(office_db)
    damaged = office_db.read_bytes()
    code, out, err = _run(monkeypatch, capsys, "restore", other, "--db", office_db)          # no password
    assert code == 2 and "--user" in _one_chinese_line(err)
    code, out, err = _run(monkeypatch, capsys, "restore", other, "--db", office_db, "--user", "office",
                          password="secret1")                   # this township's office: not in the backup
    assert code == 2 and "登录失败" in _one_chinese_line(err)
    code, out, err = _run(monkeypatch, capsys, "restore", other, "--db", office_db, "--user", "baihe",
                          password="pw-baihe")
    assert code == 2
    line = _one_chinese_line(err)
    assert "白鹤镇" in line and "--force" in line
    assert office_db.read_bytes() == damaged
    code, out, err = _run(monkeypatch, capsys, "restore", other, "--db", office_db, "--user", "baihe", "--force",
                          password="pw-baihe")
    assert code == 0, err
    assert [u for u, _ in _restore_rows(office_db)] == ["baihe"]


def test_the_damaged_files_own_backup_restores_and_what_cannot_be_told_is_said(office_db, tmp_path,
                                                                               monkeypatch, capsys):
    s = Store(office_db)
    own = backup.auto_backup(s.conn, office_db, "close")
    s.close()
    _damage(office_db)
    code, out, err = _run(monkeypatch, capsys, "restore", own, "--db", office_db, "--user", "office",
                          password="secret1")
    assert code == 0, err
    assert [u for u, _ in _restore_rows(office_db)] == ["office"]
    # a file overwritten through and through, and a backup kept elsewhere: nothing tells whose it was
    s = Store(office_db)
    elsewhere = backup.backup_to(s.conn, tmp_path / "别处" / "b.sqlite")
    s.close()
    for p in [*office_db.parent.glob("*.before-restore-*"), *backup.list_backups(office_db)]:
        p.unlink()
    office_db.write_bytes(b"\x00garbage" * 4000)
    code, out, err = _run(monkeypatch, capsys, "restore", elsewhere, "--db", office_db, "--user", "office",
                          password="secret1")
    assert code == 0, err
    assert "无法判断它原属哪个单位" in out


def test_the_window_asks_before_an_account_less_backup_replaces_a_damaged_file(demo_db, tmp_path, qtbot,
                                                                                monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    from desktop import startup
    s = Store(demo_db)
    good = backup.backup_to(s.conn, tmp_path / "good.sqlite")
    access.create_account(s, "office", "secret1", "办公室")         # accounts made after that backup
    s.close()
    _damage(demo_db)
    shown = []

    def cancel(box):
        shown.append(box.informativeText())
        next(b for b in box.buttons() if b.text() == "取消").click()
        return 0
    monkeypatch.setattr(QMessageBox, "exec", cancel)
    monkeypatch.setattr(startup, "_ask_login", lambda who, name: pytest.fail("the backup has no accounts"))
    assert startup._restore_confirmed(good, demo_db) is False
    assert "备份中没有账号" in shown[-1]


# -- F7: a liaison's copy ---------------------------------------------------------------------------
def test_a_liaison_restores_their_own_copy(office_db, tmp_path, monkeypatch, capsys):
    from models.exchange import liaison
    s = Store(office_db)
    s.actor = access.login(s, "office", "secret1")
    liaison.make_copy(s, tmp_path / "副本.qqpkg", WS, now=NOW)
    s.close()
    db = tmp_path / "联络员.sqlite"
    liaison.import_copy(tmp_path / "副本.qqpkg", db, username="zhang", password="secret9")
    bak = tmp_path / "联络员备份.sqlite"
    code, out, err = _run(monkeypatch, capsys, "backup", "--db", db, "--to", bak, "--user", "zhang",
                          password="secret9")
    assert code == 0, err
    code, out, err = _run(monkeypatch, capsys, "restore", bak, "--db", db, "--user", "zhang", password="secret9")
    assert code == 0, err
    assert [u for u, _ in _restore_rows(db)] == ["zhang"]
    # every other check still holds: the office's database is not this copy
    code, out, err = _run(monkeypatch, capsys, "restore", office_db, "--db", db, "--user", "zhang",
                          password="secret9")
    assert code == 2 and "专班副本" in _one_chinese_line(err)
    # the copy's damaged: its own backup's liaison proves who restores
    _damage(db)
    code, out, err = _run(monkeypatch, capsys, "restore", bak, "--db", db, "--user", "zhang", password="secret9")
    assert code == 0, err
    # in the office's own database a 专班填报员 still may not restore
    code, out, err = _run(monkeypatch, capsys, "restore", bak, "--db", office_db, "--user", "clerk",
                          password="secret2")
    assert code == 2 and "办公室" in _one_chinese_line(err)


# -- F8: a backup where the user chooses ------------------------------------------------------------
def test_backup_to_a_chosen_file_needs_the_office_and_is_audited(office_db, tmp_path, monkeypatch, capsys):
    for argv, password in (((), None), (("--user", "leader"), "secret3"), (("--user", "clerk"), "secret2"),
                           (("--user", "office"), "wrong!")):
        target = tmp_path / "copy.sqlite"
        code, out, err = _run(monkeypatch, capsys, "backup", "--db", office_db, "--to", target, *argv,
                              password=password)
        assert code == 2 and out == "" and not target.exists()
        _one_chinese_line(err)
    code, out, err = _run(monkeypatch, capsys, "backup", "--db", office_db, "--to", tmp_path / "copy.sqlite",
                          "--user", "office", password="secret1")
    assert code == 0, err
    c = sqlite3.connect(office_db)
    rows = c.execute("SELECT user, after FROM audit_log WHERE action = 'reveal'").fetchall()
    c.close()
    assert len(rows) == 1 and rows[0][0] == "office" and "copy.sqlite" in rows[0][1]
    # the program's own backup folder (no --to) is as before: no log-in, no reveal
    code, out, err = _run(monkeypatch, capsys, "backup", "--db", office_db)
    assert code == 0, err


def test_the_windows_backup_to_a_chosen_file_follows_the_same_rule(office_db, tmp_path):
    s = Store(office_db)
    try:
        s.actor = access.login(s, "leader", "secret3")
        assert "领导" in restore_guard.may_back_up_to(s, tmp_path / "x.sqlite")
        assert restore_guard.may_back_up_to(s, backup.backup_dir(office_db) / "手动.sqlite") == ""
        s.actor = access.login(s, "office", "secret1")
        assert restore_guard.may_back_up_to(s, tmp_path / "x.sqlite") == ""
    finally:
        s.close()
