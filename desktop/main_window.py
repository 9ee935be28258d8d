"""The window shell: navigation on the left, the current area on the right,
a status bar, and the menu. Areas are built on first visit."""
from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QStackedWidget, QWidget)

from desktop.pages import PageSpec, all_pages
from views.context import AppContext


class MainWindow(QMainWindow):
    pageShown = Signal(str, float)       # key, milliseconds to build and show

    def __init__(self, ctx: AppContext, pages: list[PageSpec] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.specs = list(pages or all_pages())
        self.built: dict[str, QWidget] = {}
        self.setWindowTitle(self._title())
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(176)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setStyleSheet("QListWidget#nav { font-size: 15px; } QListWidget#nav::item { padding: 9px 10px; }")
        for spec in self.specs:
            item = QListWidgetItem(spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.nav.addItem(item)
        self.stack = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.db_label = QLabel()
        self.statusBar().addPermanentWidget(self.db_label)
        self._update_status()
        ctx.bus.status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        ctx.bus.changed.connect(lambda _t: self._update_status())
        ctx.navigate = self.show_page
        self.nav.currentRowChanged.connect(lambda row: self.show_page(self.specs[row].key))
        self._build_menu()
        self.resize(1280, 800)

    def _title(self) -> str:
        from models import campaign
        c = campaign.current(self.ctx.store)
        return f"清欠工作台 — {c.name}" if c else "清欠工作台"

    def _update_status(self) -> None:
        actor = self.ctx.store.actor
        who = f"{actor.display_name}（{actor.role}{'·' + actor.workstream_name if actor.workstream_name else ''}）" \
            if actor is not None else self.ctx.user
        self.db_label.setText(f"操作人：{who}　数据库：{self.ctx.store_path}")

    def _build_menu(self) -> None:
        m = self.menuBar().addMenu("文件(&F)")
        act = QAction("立即备份…", self)
        act.triggered.connect(self.backup_now)
        m.addAction(act)
        m.addSeparator()
        quit_act = QAction("退出", self)
        quit_act.setShortcut(QKeySequence.StandardKey.Quit)
        quit_act.triggered.connect(self.close)
        m.addAction(quit_act)
        go = self.menuBar().addMenu("转到(&G)")
        for i, spec in enumerate(self.specs):
            a = QAction(spec.title, self)
            if i < 9:
                a.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            a.triggered.connect(lambda _=False, k=spec.key: self.show_page(k))
            go.addAction(a)
        h = self.menuBar().addMenu("帮助(&H)")
        about = QAction("关于清欠工作台", self)
        about.triggered.connect(self.about)
        h.addAction(about)

    def show_page(self, key: str) -> QWidget:
        start = time.perf_counter()
        idx = next(i for i, s in enumerate(self.specs) if s.key == key)
        widget = self.built.get(key)
        if widget is None:
            widget = self.specs[idx].build(self.ctx)
            self.built[key] = widget
            self.stack.addWidget(widget)
        self.stack.setCurrentWidget(widget)
        if self.nav.currentRow() != idx:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(idx)
            self.nav.blockSignals(False)
        self.pageShown.emit(key, (time.perf_counter() - start) * 1000)
        return widget

    def about(self) -> None:
        from views.about import AboutDialog
        AboutDialog(self, self.ctx).exec()

    def backup_now(self) -> None:
        from views.backup_dialog import backup_now
        backup_now(self, self.ctx)

    def closeEvent(self, event) -> None:
        for w in self.built.values():
            for table in w.findChildren(QWidget):
                if hasattr(table, "save_layout_now"):
                    table.save_layout_now()
        self.ctx.prefs.set("window.geometry", self.saveGeometry().toBase64().data().decode())
        from views.jobs import shutdown
        shutdown()          # a job still running (a report, a chart) is cancelled and waited for
        super().closeEvent(event)
