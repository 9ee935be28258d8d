"""Start the window: fonts, the database (checked, locked, backed up), first run, shell."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def make_app(argv: list[str] | None = None):
    from PySide6.QtGui import QFont, QFontDatabase
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName("清欠工作台")
    app.setOrganizationName("Qingqian")
    register_font()
    font = QFont("WenQuanYi Micro Hei")
    font.setPointSize(10)
    app.setFont(font)
    return app


_font_done = False


def register_font() -> None:
    """The bundled CJK font for Qt (matplotlib and reportlab register it when they load)."""
    global _font_done
    if _font_done:
        return
    from PySide6.QtGui import QFontDatabase
    from resources import FONT_PATH
    if QFontDatabase.addApplicationFont(str(FONT_PATH)) < 0:
        sys.stderr.write(f"无法加载字体：{FONT_PATH}\n")
    _font_done = True


def run_window(db: str | None, user: str | None, started: float | None = None) -> int:
    app = make_app()
    from desktop.startup import open_database
    from models import paths
    from models.prefs import Prefs

    prefs = Prefs(paths.settings_path())
    db_path = Path(db) if db else paths.default_db_path()
    opened = open_database(db_path, user, prefs)
    if opened is None:
        return 2
    store, lock = opened
    window = build_window(store, prefs)
    if window is None:
        store.close()
        return 0
    window.show()
    _schedule_daily_backup(window, store.path)
    if prefs.warning:
        window.statusBar().showMessage(prefs.warning, 15000)
    code = app.exec()
    close_store(store)
    lock.unlock()
    return code


def _schedule_daily_backup(window, db_path) -> None:
    """Once a day, a backup on a worker thread a few seconds after start."""
    from PySide6.QtCore import QTimer
    from models import backup
    from views.jobs import run_job

    def start() -> None:
        run_job(None, "自动备份", lambda ctx: backup.auto_backup_path(db_path, "daily"),
                on_error=lambda exc: window.statusBar().showMessage(f"自动备份未完成：{exc}", 15000))
    QTimer.singleShot(5000, start)


def build_window(store, prefs, *, today=None, interactive: bool = True):
    """First run if the database has no campaign, then the shell. None if the user gave up."""
    from desktop.main_window import MainWindow
    from models import campaign
    from views.context import AppContext, DataBus

    if campaign.current(store) is None:
        if not interactive:
            return None
        from views.first_run import FirstRunDialog
        dlg = FirstRunDialog(None, store)
        if not dlg.exec():
            return None
    ctx = AppContext(store=store, prefs=prefs, bus=DataBus())
    if today is not None:
        ctx.today = lambda: today
    window = MainWindow(ctx)
    window.show_page("cases")
    return window


def close_store(store) -> None:
    """Back up on close (a quick check first: a damaged file is never copied over good backups)."""
    from models import backup
    try:
        store.quick_check()
        backup.auto_backup(store.conn, store.path, "close")
    except Exception as exc:  # noqa: BLE001 - closing must never lose the user's work over a backup
        sys.stderr.write(f"关闭时备份未完成：{exc}\n")
    store.close()
