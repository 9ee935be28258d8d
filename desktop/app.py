"""Start the window: fonts, the database (checked, locked, backed up), first run, shell."""
from __future__ import annotations

import sys
from pathlib import Path


def load_before_qt() -> None:
    """The program's own modules the window's first frame needs, imported before Qt: PySide6
    looks through the source of every module imported after it (for its ``__feature__`` switch),
    ~15 ms of the start for these. The ledgers' declarations are not among them: the sidebar
    lists their pages from desktop/ledger_pages.py, and the first page imports them."""
    import importlib
    for name in ("models.db", "models.access", "models.prefs", "models.campaign", "models.exchange.identity",
                 "desktop.ledger_pages"):
        importlib.import_module(name)


def collect_again() -> None:
    """After the window's first frame: what start-up made is set aside for good (gc.freeze: the
    collector no longer walks it) and cycle collection resumes (desktop.cli.main turned it off)."""
    import gc
    gc.freeze()
    gc.enable()


def make_app(argv: list[str] | None = None):
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    if getattr(sys, "frozen", False):
        _bundle_qt_conf()
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName("清欠工作台")
    app.setOrganizationName("Qingqian")
    register_font()
    from PySide6.QtGui import QIcon
    from resources import ROOT
    app.setWindowIcon(QIcon(str(ROOT / "icons" / "qingqian.png")))
    font = QFont("WenQuanYi Micro Hei")
    font.setPointSize(10)
    app.setFont(font)
    install_qt_translation(app)
    return app


QT_TRANSLATION = "qtbase_zh_CN"
_translator = None


def install_qt_translation(app) -> bool:
    """Qt's own texts in Chinese, whatever the system's language: 确定 / 取消 and 是 / 否 on the
    standard buttons, 撤销 / 复制 / 粘贴 in a text box's menu. The catalogue ships with PySide6 (its
    translations folder; build.spec bundles it). Installed once however often this is called."""
    global _translator
    if _translator is not None:
        return True
    from PySide6.QtCore import QLibraryInfo, QTranslator
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if not translator.load(QT_TRANSLATION, folder):
        sys.stderr.write(f"无法加载 Qt 中文翻译：{folder}/{QT_TRANSLATION}.qm\n")
        return False
    app.installTranslator(translator)
    _translator = translator
    return True


def _bundle_qt_conf() -> None:
    """What PyInstaller's PySide6 hook did at start (desktop/bundle_hook.py replaces it): give
    Qt an embedded qt.conf pointing into the bundle, unless PySide6 registered one itself."""
    import os
    try:
        from _pyi_rth_utils import qt as qt_rth_utils
    except ImportError:
        return
    base = getattr(sys, "_MEIPASS", "")
    qt = os.path.join(base, "PySide6") if sys.platform.startswith("win") else os.path.join(base, "PySide6", "Qt")
    qt_rth_utils.create_embedded_qt_conf("PySide6", qt)


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
    from models import paths
    db_path = Path(db) if db else paths.default_db_path()
    prefetch = start_prefetch(db_path)          # the home page's figures, read while Qt starts
    load_before_qt()
    app = make_app()
    from desktop.startup import open_database
    from models.prefs import Prefs

    prefs = Prefs(paths.settings_path())
    opened = open_database(db_path, user, prefs)
    if opened is None:
        return 2
    store, lock = opened
    if not log_in(store, prefs):
        store.close()
        lock.unlock()
        return 0
    install_error_hook()
    window = build_window(store, prefs, prefetch=prefetch, first_page_later=True)
    if window is None:
        store.close()
        return 0
    window.show_fitted()
    window.after_first_frame(collect_again)
    window.after_first_frame(lambda: _show_unfinished_backup(window))
    _schedule_daily_backup(window, store.path)
    if getattr(store, "needs_full_check", False):     # reads the whole file: not before the window shows
        window.after_first_frame(lambda: _schedule_full_check(window, store, prefs))
    if prefs.warning:
        window.statusBar().showMessage(prefs.warning, 15000)
    code = app.exec()
    store = getattr(app, "qq_store", store)
    close_store(store)
    lock.unlock()
    return code


READ_AHEAD_CPUS = 4     # logical processors a machine needs for the read-ahead to run beside the start


def start_prefetch(db_path, today=None):
    """models.warm_start.DashboardPrefetch for this file and day: a process of its own on another
    processor while the window starts. None on a machine with fewer than READ_AHEAD_CPUS logical
    processors: there (two, as the test machines have) it took CPU from the window's own start
    (first frame 295 → 350 ms median of 15, county database) and the home page reads its figures
    itself, once the window has painted its first frame."""
    import datetime as _dt
    import os
    if (os.cpu_count() or 1) < READ_AHEAD_CPUS and not os.environ.get("QINGQIAN_READ_AHEAD"):
        return None
    from models.warm_start import DashboardPrefetch
    return DashboardPrefetch(db_path, today or _dt.date.today())


def log_in(store, prefs) -> bool:
    """Create the administrator on a database with no accounts, else log in (or stay
    logged in on a single-user PC). False when the user gave up."""
    from models import access
    from views.login import CreateAdminDialog, LoginDialog
    key = f"login.{store.path}"
    if not access.has_accounts(store.conn):
        dlg = CreateAdminDialog(None, store)
        if not dlg.exec():
            return False
        store.actor = dlg.actor
        return True
    remembered = prefs.get(key)
    # "stay logged in" is a token bound to this computer, OS user, database and password
    # (models.access.stay_token), never a name: a name written into the settings file is not enough
    actor = access.remembered_actor(store, remembered)
    if actor is not None:
        store.actor = actor
        return True
    last = remembered.get("user", "") if isinstance(remembered, dict) else ""
    dlg = LoginDialog(None, store, last if isinstance(last, str) else "")
    if not dlg.exec():
        return False
    store.actor = dlg.actor
    entry = {"user": dlg.actor.username}
    if dlg.stay.isChecked():
        entry["token"] = access.stay_token(store, dlg.actor.username)
    prefs.set(key, entry)
    return True


def install_error_hook() -> None:
    """A refused or invalid change reaches the user as a message, never as a crash."""
    from PySide6.QtWidgets import QMessageBox
    from models.db import StoreError
    from models.ledger.repo import ValidationError
    previous = sys.excepthook

    def hook(kind, exc, tb):
        if isinstance(exc, (StoreError, ValidationError)):
            QMessageBox.warning(None, "清欠工作台", str(exc))
            return
        previous(kind, exc, tb)
        QMessageBox.critical(None, "清欠工作台", f"程序出错：{exc}\n\n数据未受影响；如反复出现，请联系维护人员。")
    sys.excepthook = hook


def _schedule_full_check(window, store, prefs) -> None:
    """The full integrity check of a large file, off the GUI thread; if it fails, the
    user is offered the latest good backup and the window reopens on it."""
    from PySide6.QtWidgets import QApplication
    from views.jobs import run_job
    path = store.path

    def check(ctx) -> str:
        from models import backup          # loaded on the worker, after the window has painted
        return backup.full_check(path)

    def done(result: str) -> None:
        if result == "ok":
            return
        from desktop.startup import offer_restore
        from models.ledger import page_source
        window.hide()
        page_source.close_readers(store.path)  # a kept search connection would hold the file a restore replaces
        store.close()
        if offer_restore(path, f"数据库完整性检查未通过：{path}（{result}）", user=store.user):
            from models.db import Store
            new_store = Store(path, None)
            new_store.actor = store.actor
            new_window = build_window(new_store, prefs)
            app = QApplication.instance()
            app.qq_store, app.qq_window = new_store, new_window
            new_window.show()
        else:
            QApplication.instance().quit()
    run_job(None, "数据库完整性检查", check, on_done=done)


def _show_unfinished_backup(window) -> None:
    """An automatic backup that did not finish (the close's, in its own process; a daily one):
    said at the top of the window until a backup succeeds (views.backup_notice)."""
    from views.backup_notice import show_unfinished_backup
    show_unfinished_backup(window, window.ctx)


def _schedule_daily_backup(window, db_path) -> None:
    """Once a day, a backup on a worker thread a few seconds after start."""
    from PySide6.QtCore import QTimer

    def start() -> None:
        from models import backup          # not before the window's first paint: five seconds on
        from views.jobs import run_job
        run_job(None, "自动备份", lambda ctx: backup.auto_backup_path(db_path, "daily"),
                on_error=lambda exc: (window.statusBar().showMessage(f"自动备份未完成：{exc}", 15000),
                                      _show_unfinished_backup(window)))   # its note, said at once
    QTimer.singleShot(5000, start)


def build_window(store, prefs, *, today=None, interactive: bool = True, prefetch=None,
                 first_page_later: bool = False):
    """First run if the database has no campaign, then the shell. None if the user gave up.
    ``first_page_later``: the first page is built once the window has painted its first frame
    (start-up: the window is on the screen while the home page reads its figures)."""
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
    ctx = AppContext(store=store, prefs=prefs, bus=DataBus(), prefetch=prefetch)
    if today is not None:
        ctx.today = lambda: today
        store.today = today         # the day-dependent columns (逾期未还, 期满待移出) count from it too
    from desktop.pages import all_pages
    actor = store.actor
    pages = [p for p in all_pages(store) if not (p.key == "accounts" and actor is not None and actor.role != "办公室")]
    window = MainWindow(ctx, pages)
    if first_page_later:
        window.open_after_first_paint(pages[0].key)
    else:
        window.show_page(pages[0].key)
    return window


def close_store(store) -> None:
    """Back up on close: a database of ordinary size here (a quick check first: a damaged file is
    never copied over good backups); a large one in a process of its own, which checks its
    snapshot before keeping it, so closing never waits for it (``backup.close_backup``)."""
    from models import backup, backup_pages
    from models.ledger import page_source
    page_source.close_readers(store.path)      # the searches' read connections: none may outlive the window
    try:
        if not backup_pages.wants_packing(store.path):
            try:
                store.quick_check()
            except Exception as exc:  # noqa: BLE001 - a damaged file is not copied; said at the next start
                backup.record_unfinished(store.path, "close", exc)
                raise
        backup.close_backup(store.conn, store.path)
    except Exception as exc:  # noqa: BLE001 - closing must never lose the user's work over a backup
        sys.stderr.write(f"关闭时备份未完成：{exc}\n")
    store.close()
