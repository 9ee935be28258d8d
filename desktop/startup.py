"""Opening the database from the window: one writer at a time, damaged files
detected and a backup offered, newer files refused."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLockFile
from PySide6.QtWidgets import QFileDialog, QMessageBox

from models.db import LIGHT_CHECK_ABOVE, DamagedDatabase, NewerDatabase, ReadOnlyDatabase, Store


def acquire_lock(db_path: Path) -> QLockFile | None:
    lock = QLockFile(str(db_path) + ".lock")
    lock.setStaleLockTime(0)          # a lock is stale only when its process is gone
    if lock.tryLock(100):
        return lock
    lock.removeStaleLockFile()
    return lock if lock.tryLock(100) else None


def open_database(db_path: Path, user: str | None, prefs) -> tuple[Store, QLockFile] | None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock = acquire_lock(db_path)
    if lock is None:
        QMessageBox.critical(None, "清欠工作台",
                             f"数据库正被另一个窗口或命令使用：\n{db_path}\n\n"
                             "为防止两处同时写入造成数据混乱，本窗口不再打开它。"
                             "请切换到已打开的窗口，或等命令（导入、恢复等）结束后再打开。")
        return None
    notice = _before_upgrade(db_path)
    while True:
        try:
            # a large file is checked fully on a worker thread once the window shows
            light = db_path.exists() and db_path.stat().st_size > LIGHT_CHECK_ABOVE
            try:
                store = Store(db_path, user, check="light" if light else True)
            finally:
                if notice is not None:          # gone before any message about the file
                    notice.close()
                    notice = None
            store.needs_full_check = light
            return store, lock
        except (NewerDatabase, ReadOnlyDatabase) as exc:
            QMessageBox.critical(None, "清欠工作台", str(exc))
            lock.unlock()
            return None
        except DamagedDatabase as exc:
            if not _offer_restore(db_path, str(exc)):
                lock.unlock()
                return None


def _before_upgrade(db_path: Path):
    """A file from an earlier version of the program: say what is happening while it is copied
    as it is (models.migrations.backup_before_upgrade, on every path) and its format is brought
    up to date (a county-sized file takes some seconds). Returns the notice to close once the
    file is open, or None."""
    from models import migrations
    found = migrations.version_of(db_path)
    if not found or found >= migrations.LATEST:
        return None
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QProgressDialog
    notice = QProgressDialog("正在备份数据库，并升级为新版本的数据格式，请稍候…", None, 0, 0)
    notice.setWindowTitle("清欠工作台")
    notice.setWindowModality(Qt.WindowModality.ApplicationModal)
    notice.setMinimumDuration(0)
    notice.show()
    QApplication.processEvents()
    return notice                   # the copy before the upgrade is kept by the store itself


def offer_restore(db_path: Path, message: str, user: str = "") -> bool:
    """Tell the user the file is damaged and offer the latest good backup. True if restored.
    ``user``: who is logged in, for the restore's audit row (nobody yet at start-up)."""
    return _offer_restore(db_path, message, user)


def _offer_restore(db_path: Path, message: str, user: str = "") -> bool:
    # only a damaged file needs these (and the sockets, zip and copying they bring): not loaded
    # before the window shows
    from models import backup, restore
    latest = backup.latest_good(db_path)
    box = QMessageBox(QMessageBox.Icon.Critical, "数据库已损坏", message)
    restore_btn = None
    if latest is not None:
        box.setInformativeText(f"找到最近一份完好的自动备份：{latest.name}\n"
                               "恢复后，损坏的文件会另存一份，不会被直接覆盖。")
        restore_btn = box.addButton("从该备份恢复", QMessageBox.ButtonRole.AcceptRole)
    else:
        box.setInformativeText("没有找到可用的自动备份。可以选择一个备份文件恢复。")
    pick_btn = box.addButton("选择备份文件…", QMessageBox.ButtonRole.ActionRole)
    box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    if restore_btn is not None and clicked is restore_btn:
        try:            # this window holds the database's lock: nobody else can be using it
            if _restore_confirmed(latest, db_path, user):
                return True
            return _offer_restore(db_path, message, user)
        except backup.BackupError as exc:
            QMessageBox.critical(None, "恢复失败", str(exc))
            return _offer_restore(db_path, message, user)
    if clicked is pick_btn:
        path, _ = QFileDialog.getOpenFileName(None, "选择备份文件", str(backup.backup_dir(db_path)),
                                              "数据库备份 (*.sqlite *.db);;所有文件 (*)")
        if path:
            try:
                if _restore_confirmed(path, db_path, user):
                    return True
                return _offer_restore(db_path, message, user)
            except backup.BackupError as exc:
                QMessageBox.critical(None, "恢复失败", str(exc))
                return _offer_restore(db_path, message, user)
    return False


class _Declined(Exception):
    """The user closed the password dialog of a restore: nothing was changed."""


def _ask_login(who: str, backup_name: str) -> tuple[str, str] | None:
    """The user name and password of the account that restores (``who``: which accounts may), or
    None when the user cancels."""
    from views.login import ask_credentials
    return ask_credentials("恢复数据库 — 验证身份", f"备份“{backup_name}”中已有账号：恢复须由备份中的{who}输入用户名和密码。",
                           "验证并继续")


def _restore_confirmed(src, db_path: Path, user: str = "") -> bool:
    """``restore.restore`` from the window. When the backup has accounts, one of its 办公室 (in a
    liaison's copy, its liaison) proves who restores by password, as on the command line; whom it
    proves is the audit's. A backup of another unit, one lacking accounts the database has, one
    that would undo changes made since it was taken, or, over a file that cannot be read, one with
    no accounts (``restore.RestoreDiffers``), is put in place only once the user has read what
    differs and confirmed. True if restored, False if the user declined; BackupError otherwise."""
    from models import access, restore, restore_guard
    asked: dict = {}

    def authorize(store) -> None:
        if not access.has_accounts(store.conn):
            return
        if "login" not in asked:
            login = _ask_login(restore_guard.who_may(store.conn), Path(src).name)
            if login is None:
                raise _Declined()
            asked["login"] = login
        restore_guard.prove(store, *asked["login"])
    try:
        try:
            done = restore.restore_checked(src, db_path, holding_lock=True, user=user, authorize=authorize)
        except restore.RestoreDiffers as exc:
            box = QMessageBox(QMessageBox.Icon.Warning, "备份与当前数据库不同",
                              f"这份备份与当前数据库不同：\n{Path(src).name}")
            box.setInformativeText("\n".join(f"· {d}。" for d in exc.differences)
                                   + "\n\n确定仍要用这份备份替换当前数据库吗？当前数据库会另存一份，不会被直接覆盖。")
            box.setStyleSheet("QLabel#qt_msgbox_informativelabel { min-width: 440px; }")   # whole lines
            go = box.addButton("仍然恢复", QMessageBox.ButtonRole.DestructiveRole)
            cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(cancel)
            box.exec()
            if box.clickedButton() is not go:
                return False
            done = restore.restore_checked(src, db_path, holding_lock=True, user=user, authorize=authorize,
                                           confirmed=True)
    except _Declined:
        return False
    if done.lines():
        said = QMessageBox(QMessageBox.Icon.Information, "已从备份恢复", "已从备份恢复数据库。")
        said.setInformativeText("\n".join(done.lines()))
        said.exec()
    return True
