"""An automatic backup that fails where nobody sees it (a large database's, in a process of its
own; the window's daily one) leaves a note beside the backups; the window shows it at its next
start, and the next backup that succeeds removes it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from models import backup, backup_pages
from models.db import Store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def packing(monkeypatch):
    monkeypatch.setattr(backup_pages, "LARGE", 0)          # every database counts as large here


def _full_disk(*_a, **_k):
    raise OSError(28, "No space left on device")


def test_a_failed_background_backup_leaves_its_note_and_a_later_one_clears_it(packing, demo_db, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(backup, "auto_backup", lambda *a, **k: _full_disk())
        with pytest.raises(OSError):
            backup.auto_backup_recorded(demo_db, "close")
    note = backup.unfinished_backup(demo_db)
    assert note is not None and note["reason"] == "close" and note["message"] == "备份未完成（磁盘空间不足）"
    assert note["version"] and note["when"][:4].isdigit() and "T" in note["when"]
    on_disk = backup.backup_dir(demo_db) / backup.NOTE_NAME
    assert json.loads(on_disk.read_text(encoding="utf-8"))["message"] == note["message"]
    assert not (backup.backup_dir(demo_db) / backup.RUNNING_NAME).exists()      # the run is over
    assert [p.name for p in backup.backup_dir(demo_db).iterdir() if p.name.endswith(".part")] == []
    assert backup.unfinished_text(note).startswith("上次自动备份未完成（")
    assert "关闭窗口时）：备份未完成（磁盘空间不足）。" in backup.unfinished_text(note)

    made = backup.auto_backup_recorded(demo_db, "close")
    assert made is not None and backup.inspect(made).holds_data
    assert backup.unfinished_backup(demo_db) is None and not on_disk.exists()


def test_a_backup_error_is_kept_in_its_own_words(demo_db, monkeypatch):
    def refuse(*_a, **_k):
        raise backup.BackupError("备份文件检查未通过：X（发现结构错误，文件已损坏）")
    monkeypatch.setattr(backup, "check_file", refuse)
    with pytest.raises(backup.BackupError):
        backup.auto_backup_path(demo_db, "daily")            # the window's daily one, in its thread
    note = backup.unfinished_backup(demo_db)
    assert note["reason"] == "daily"
    assert note["message"].startswith("备份失败：") and "发现结构错误" in note["message"]
    assert "每日自动备份" in backup.unfinished_text(note)


def test_a_source_that_is_not_a_database(tmp_path):
    db = tmp_path / "账本.sqlite"
    db.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(backup.BackupError):
        backup.auto_backup_recorded(db, "close")
    note = backup.unfinished_backup(db)
    assert note is not None and note["message"]
    assert backup.list_backups(db) == []


def test_the_daily_backup_skipped_keeps_the_note(demo_db):
    """Today's backup exists already, so the daily one makes nothing: the failure still stands."""
    backup.auto_backup_recorded(demo_db, "daily")
    backup.record_unfinished(demo_db, "close", "备份失败：测试")
    assert backup.auto_backup_recorded(demo_db, "daily") is None
    assert backup.unfinished_backup(demo_db)["message"] == "备份失败：测试"
    backup.clear_unfinished_note(demo_db)
    assert backup.unfinished_backup(demo_db) is None


def test_any_backup_made_clears_the_note(demo_db):
    backup.record_unfinished(demo_db, "close", "备份失败：测试")
    s = Store(demo_db)
    try:
        backup.auto_backup(s.conn, s.path, "manual")
    finally:
        s.close()
    assert backup.unfinished_backup(demo_db) is None


def test_a_backup_folder_that_cannot_be_written_gets_the_note_beside_the_database(demo_db, monkeypatch):
    real = backup._write_json

    def folder_refuses(path, data, **kw):
        if path.parent == backup.backup_dir(demo_db):
            raise PermissionError(13, "Permission denied")
        real(path, data, **kw)
    monkeypatch.setattr(backup, "_write_json", folder_refuses)
    where = backup.record_unfinished(demo_db, "close", PermissionError(13, "Permission denied"))
    assert where == demo_db.with_name(f"{demo_db.name}.{backup.NOTE_NAME}")
    assert backup.unfinished_backup(demo_db)["message"] == "备份未完成（没有权限）"
    backup.clear_unfinished_note(demo_db)
    assert not where.exists() and backup.unfinished_backup(demo_db) is None


def test_a_note_that_cannot_be_read_is_no_note(demo_db):
    folder = backup.backup_dir(demo_db)
    folder.mkdir()
    (folder / backup.NOTE_NAME).write_text("{half", encoding="utf-8")
    assert backup.unfinished_backup(demo_db) is None


def test_a_background_backup_cut_off_is_said_once_it_is_stale(packing, demo_db):
    running = backup.backup_dir(demo_db) / backup.RUNNING_NAME
    running.parent.mkdir()
    running.write_text(json.dumps({"when": "2026-12-06T18:02:00", "reason": "close", "pid": 1}), encoding="utf-8")
    assert backup.unfinished_backup(demo_db) is None               # may still be under way
    old = time.time() - backup.UNFINISHED_STALE_AFTER - 60
    os.utime(running, (old, old))
    note = backup.unfinished_backup(demo_db)
    assert note["interrupted"] and "中断" in note["message"] and note["when"] == "2026-12-06T18:02:00"
    backup.auto_backup_recorded(demo_db, "close")
    assert backup.unfinished_backup(demo_db) is None and not running.exists()


def test_close_backup_of_a_small_database_records_its_failure(demo_db, monkeypatch):
    monkeypatch.setattr(backup, "backup_to", _full_disk)
    s = Store(demo_db)
    try:
        with pytest.raises(OSError):
            backup.close_backup(s.conn, s.path)
    finally:
        s.close()
    assert backup.unfinished_backup(demo_db)["reason"] == "close"


def test_a_damaged_database_at_close_is_not_copied_and_says_so(demo_db, monkeypatch):
    """The window's close checks a small database before copying it: a damaged one is not
    backed up (the good backups stay), and the next start says why."""
    from desktop.app import close_store
    from models.errors import DamagedDatabase
    store = Store(demo_db, "测试")
    before = sorted(p.name for p in backup.backup_dir(demo_db).glob("*")) if backup.backup_dir(demo_db).exists() else []

    def damaged():
        raise DamagedDatabase(f"数据库完整性检查未通过：{demo_db}（row 7 missing from index）")
    monkeypatch.setattr(store, "quick_check", damaged)
    close_store(store)
    assert store.closed
    note = backup.unfinished_backup(demo_db)
    assert note is not None and note["reason"] == "close"
    assert note["message"].startswith("数据库未通过完整性检查，没有备份") and "row 7" in note["message"]
    after = sorted(p.name for p in backup.backup_dir(demo_db).glob("*") if p.name != backup.NOTE_NAME)
    assert [n for n in after if n not in before] == []


def test_the_background_process_on_a_missing_file_leaves_a_note_and_exits_2(tmp_path):
    db = tmp_path / "不见了.sqlite"
    done = subprocess.run([sys.executable, "-m", "models.backup", str(db), "close"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "找不到数据库文件" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    note = backup.unfinished_backup(db)
    assert note["reason"] == "close" and "找不到数据库文件" in note["message"]
    assert not db.exists()


def test_a_database_in_a_folder_that_is_gone_leaves_no_folder_behind(tmp_path):
    db = tmp_path / "移走了" / "乡镇.sqlite"
    with pytest.raises(backup.BackupError):
        backup.auto_backup_recorded(db, "close")
    assert backup.unfinished_backup(db) is None and not db.parent.exists()


def test_the_installed_programs_background_backup_records_too(tmp_path):
    db = tmp_path / "乡镇.sqlite"
    db.write_bytes(b"not a database" * 200)
    done = subprocess.run([sys.executable, "-m", "desktop", "backup", "--db", str(db), "--auto", "daily"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert backup.unfinished_backup(db)["reason"] == "daily"


def test_qingqian_backup_says_what_it_made_up_for(demo_db):
    backup.record_unfinished(demo_db, "close", "备份失败：测试")
    done = subprocess.run([sys.executable, "-m", "desktop", "backup", "--db", str(demo_db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "上次自动备份未完成" in done.stdout and "这次备份已补上" in done.stdout
    assert backup.unfinished_backup(demo_db) is None


# -- the window's bar -------------------------------------------------------------------------------
def _window(qtbot):
    from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QMainWindow, QWidget
    win = QMainWindow()
    central = QWidget()
    row = QHBoxLayout(central)
    row.setContentsMargins(0, 0, 0, 0)
    nav = QListWidget()
    nav.addItems(["首页", "欠薪问题台账", "兑付记录", "报表"])
    nav.setFixedWidth(160)
    row.addWidget(nav)
    row.addWidget(QLabel("（页面）"), 1)
    win.setCentralWidget(central)
    win.statusBar().showMessage("数据库：乡镇.sqlite")
    win.resize(1000, 420)
    qtbot.addWidget(win)
    return win, nav


def test_the_window_shows_the_note_with_its_buttons(demo_db, qtbot, app_font, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QPushButton
    from views import backup_dialog
    from views.backup_notice import BackupNotice, show_unfinished_backup
    backup.record_unfinished(demo_db, "close", backup.BackupError(
        f"磁盘空间不足，备份未完成：{backup.backup_dir(demo_db)}/20261207-180200-close.qqbak。原有文件未受影响。"))
    win, nav = _window(qtbot)
    win.show()
    qtbot.waitExposed(win)
    ctx = SimpleNamespace(store_path=str(demo_db))          # what the bar takes of the window's AppContext
    bar = show_unfinished_backup(win, ctx, recheck_ms=0)
    assert isinstance(bar, BackupNotice) and bar.isVisible()
    text = bar.findChild(QLabel, "backupNoticeText").text()
    assert text.startswith("上次自动备份未完成（") and "关闭窗口时）：磁盘空间不足，备份未完成" in text
    assert text.endswith("原有文件未受影响。请立即备份一份。")
    buttons = {b.text(): b for b in bar.findChildren(QPushButton) if b.isVisible()}
    assert set(buttons) == {"立即备份", "知道了"}
    assert nav.isVisible() and win.centralWidget().isAncestorOf(nav)      # the window's own parts stay
    assert bar.geometry().top() == 0
    assert bar.mapTo(win, bar.rect().bottomLeft()).y() <= nav.mapTo(win, nav.rect().topLeft()).y()
    qtbot.wait(50)
    assert win.grab().save("/tmp/backup_notice.png")

    # 立即备份: the File menu's backup; once it is made the note is gone and so is the bar
    asked = []

    def fake_backup_now(parent, ctx, then=None):
        asked.append((parent, ctx))
        backup.clear_unfinished_note(demo_db)
        then(demo_db)
    monkeypatch.setattr(backup_dialog, "backup_now", fake_backup_now)
    qtbot.mouseClick(buttons["立即备份"], Qt.MouseButton.LeftButton)
    assert asked == [(win, ctx)] and not bar.isVisible()
    assert show_unfinished_backup(win, ctx, recheck_ms=0) is None


def test_in_the_programs_own_window(demo_db, qtbot, app_font, tmp_path):
    """Above the sidebar and the page of the real window; the window's pages still open."""
    from desktop.app import build_window
    from models.prefs import Prefs
    from views.backup_notice import show_unfinished_backup
    backup.record_unfinished(demo_db, "daily", backup.BackupError(
        "备份失败：D:/清欠/乡镇.sqlite.backups/20261207-090005-daily.qqbak（正被另一个窗口或命令使用）。原有文件未受影响。"))
    store = Store(demo_db, "测试")
    try:
        win = build_window(store, Prefs(tmp_path / "p.json"), interactive=False)
        qtbot.addWidget(win)
        win.resize(1100, 560)
        win.show()
        qtbot.waitExposed(win)
        bar = show_unfinished_backup(win, win.ctx, recheck_ms=0)
        assert bar is not None and bar.backup_button.isVisible() and win.nav.isVisible()
        assert bar.mapTo(win, bar.rect().bottomLeft()).y() <= win.nav.mapTo(win, win.nav.rect().topLeft()).y()
        win.show_page(win.specs[1].key)
        qtbot.wait(50)
        assert win.grab().save("/tmp/backup_notice_window.png")
    finally:
        store.close()


def test_know_it_hides_the_bar_for_this_note_only(demo_db, qtbot, app_font):
    from PySide6.QtCore import Qt
    from views.backup_notice import show_unfinished_backup
    backup.record_unfinished(demo_db, "daily", "备份失败：测试一")
    win, _nav = _window(qtbot)
    bar = show_unfinished_backup(win, str(demo_db), recheck_ms=0)
    assert bar is not None and not bar.backup_button.isVisibleTo(win)     # no context: no 立即备份
    qtbot.mouseClick(bar.close_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisibleTo(win)
    assert show_unfinished_backup(win, str(demo_db), recheck_ms=0) is None     # the same note: still hidden
    assert backup.unfinished_backup(demo_db) is not None                  # and still kept
    time.sleep(1.1)
    backup.record_unfinished(demo_db, "daily", "备份失败：测试二")
    assert show_unfinished_backup(win, str(demo_db), recheck_ms=0) is bar and "测试二" in bar.label.text()


def test_no_note_no_bar(demo_db, qtbot, app_font):
    from views.backup_notice import BackupNotice, show_unfinished_backup
    win, _nav = _window(qtbot)
    central = win.centralWidget()
    assert show_unfinished_backup(win, str(demo_db), recheck_ms=0) is None
    assert win.findChildren(BackupNotice) == [] and win.centralWidget() is central


def test_a_failure_while_the_window_is_open_shows_at_the_next_look(demo_db, qtbot, app_font):
    from views.backup_notice import show_unfinished_backup
    win, _nav = _window(qtbot)
    assert show_unfinished_backup(win, str(demo_db), recheck_ms=50) is None
    backup.record_unfinished(demo_db, "daily", "备份失败：测试")
    qtbot.waitUntil(lambda: win._backup_notice_state["bar"] is not None
                    and win._backup_notice_state["bar"].isVisibleTo(win), timeout=3000)
    backup.clear_unfinished_note(demo_db)
    qtbot.waitUntil(lambda: not win._backup_notice_state["bar"].isVisibleTo(win), timeout=3000)
