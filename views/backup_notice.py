"""A yellow bar at the top of the window when the last automatic backup did not finish.

A large database's backup at close runs in a process of its own whose errors nobody sees, and
the daily one says its failure in the status bar for a few seconds; either leaves a note beside
the backups (``models.backup.record_unfinished``). The window shows it here, without a dialog
in the way, with 「立即备份」 (the File menu's 备份, ``views.backup_dialog.backup_now``) and
「知道了」 (hidden for this session; the note stays until a backup succeeds). The note is looked
at again every half minute, so a daily backup that fails while the window is open shows too,
and the bar goes once any backup has succeeded.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QTimer, Qt
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QMainWindow, QPushButton, QStyle,
                               QVBoxLayout, QWidget)

from models import backup

RECHECK_MS = 30_000
STYLE = ("QFrame#backupNotice { background: #fff3c4; border: none; border-bottom: 1px solid #e2c25c; }"
         "QFrame#backupNotice QLabel { color: #5a4300; background: transparent; }")


class BackupNotice(QFrame):
    """The bar: the note in one or two lines, 「立即备份」 and 「知道了」."""

    def __init__(self, window: QMainWindow, db_path: str, ctx=None) -> None:
        super().__init__()
        self.setObjectName("backupNotice")
        self.setStyleSheet(STYLE)
        self.window_ = window
        self.db_path = db_path
        self.ctx = ctx
        self.note: dict | None = None
        self.dismissed: str | None = None        # the note 「知道了」 hid (its time): not shown again
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 8, 6)
        row.setSpacing(8)
        icon = QLabel()
        size = self.fontMetrics().height()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        row.addWidget(icon)
        self.label = QLabel()
        self.label.setObjectName("backupNoticeText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.label, 1)
        self.backup_button = QPushButton("立即备份")
        self.backup_button.setObjectName("backupNoticeBackup")
        self.backup_button.setToolTip("把数据库备份一份（与“文件”菜单中的备份相同）")
        self.backup_button.clicked.connect(self.backup_now)
        self.backup_button.setVisible(ctx is not None)
        row.addWidget(self.backup_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.close_button = QPushButton("知道了")
        self.close_button.setObjectName("backupNoticeClose")
        self.close_button.setToolTip("本次不再提示；下次打开时若仍未有新的备份，会再次提示")
        self.close_button.clicked.connect(self.dismiss)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def show_note(self, note: dict) -> None:
        self.note = note
        self.label.setText(backup.unfinished_text(note) + "请立即备份一份。")
        self.setToolTip(f"记录于：{backup.backup_dir(self.db_path)}")
        self.show()

    def dismiss(self) -> None:
        if self.note is not None:
            self.dismissed = self.note.get("when")
        self.hide()

    def backup_now(self) -> None:
        from views import backup_dialog
        backup_dialog.backup_now(self.window_, self.ctx, then=lambda _made: self.refresh())

    def refresh(self) -> None:
        """Show the note if there is one not dismissed, else hide."""
        note = backup.unfinished_backup(self.db_path)
        if note is None or note.get("when") == self.dismissed:
            self.note = None
            self.hide()
        else:
            self.show_note(note)


def _place(window: QMainWindow, bar: BackupNotice) -> None:
    """At the top of the window's central area, above the sidebar and the page; in the status bar
    for a window without one."""
    central = window.centralWidget()
    if central is None:
        window.statusBar().addPermanentWidget(bar, 1)
        return
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    column.addWidget(bar)
    window.takeCentralWidget()
    column.addWidget(central, 1)
    window.setCentralWidget(holder)
    holder.show()               # at once, with the window's parts (their parent changed: else a frame later)


def show_unfinished_backup(window: QMainWindow, ctx_or_db_path, *, recheck_ms: int = RECHECK_MS) -> BackupNotice | None:
    """If the last automatic backup of the window's database did not finish, the bar at the top of
    the window (made once, then shown or hidden); and, every ``recheck_ms``, a look at the note
    again (a few bytes read). ``ctx_or_db_path``: the window's ``AppContext`` (「立即备份」 needs
    it), or the database's path. Returns the bar when it shows."""
    if isinstance(ctx_or_db_path, (str, os.PathLike)):
        db_path, ctx = str(ctx_or_db_path), getattr(window, "ctx", None)
    else:
        ctx = ctx_or_db_path
        db_path = ctx.store_path
    state = getattr(window, "_backup_notice_state", None)
    if state is None:
        state = window._backup_notice_state = {"bar": None, "timer": None}

    def look() -> BackupNotice | None:
        bar = state["bar"]
        if bar is None:
            if backup.unfinished_backup(db_path) is None:
                return None                     # no bar made, nothing in the window changed
            bar = state["bar"] = BackupNotice(window, db_path, ctx)
            _place(window, bar)
        bar.refresh()
        return None if bar.isHidden() else bar

    if recheck_ms and state["timer"] is None:
        timer = state["timer"] = QTimer(window)
        timer.setInterval(recheck_ms)
        timer.timeout.connect(look)
        timer.start()
    return look()
