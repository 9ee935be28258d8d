"""The window shell: navigation on the left, the current area on the right,
a status bar, and the menu. Areas are built on first visit."""
from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtCore import QByteArray, QSize
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QScrollArea, QStackedWidget, QWidget)

from desktop.pages import PageSpec, all_pages
from views.context import AppContext


NAV_STYLE = ("QListWidget#nav {{ font-size: {px}px; }}"
             "QListWidget#nav::item {{ padding: {pad}px 6px {pad}px 18px; }}"
             "QListWidget#nav::item:disabled {{ padding: {head}px 6px 1px 4px; }}")
NARROW = 1000           # a window narrower than this (1366×768 at 150 %) gets the compact sidebar
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1       # a heading's group name
OPEN, CLOSED = "▾", "▸"
PREFERRED = QSize(1280, 800)


def default_size(available: QSize) -> tuple[int, int]:
    """The window's first size: 1280×800, or the whole of a smaller screen (1366×768 at 125 %
    leaves about 1093×580 logical pixels)."""
    return min(PREFERRED.width(), available.width()), min(PREFERRED.height(), available.height())


class PageStack(QStackedWidget):
    """The pages, one shown at a time, in a frameless scroll area. The stack asks only for what
    the page shown needs: on a screen smaller than that page can shrink to (150 % scaling of
    1366×768), the page scrolls inside the window instead of the window outgrowing the screen;
    otherwise it fills the area and nothing scrolls but its own tables."""

    def __init__(self) -> None:
        super().__init__()
        self.currentChanged.connect(lambda _i: self.updateGeometry())
        self.area = QScrollArea()
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setWidgetResizable(True)
        self.area.setWidget(self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        page = self.currentWidget()
        return page.minimumSizeHint().expandedTo(page.minimumSize()) if page is not None else QSize(0, 0)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        page = self.currentWidget()
        return page.sizeHint() if page is not None else QSize(0, 0)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        # a page with wrapped text asks the scroll area for its *preferred* height at this width;
        # the area should only ever grow the page past the window to reach its minimum
        return self.minimumSizeHint().height()


class NavList(QListWidget):
    """The sidebar's list: a click on a group heading folds or opens the group. (Handled here, not
    by a filter on the list's viewport: asking Qt for the viewport makes PySide set up every
    widget class and its enumerations before the first frame, some 10 ms of the start.)"""

    def __init__(self, on_heading) -> None:
        super().__init__()
        self._on_heading = on_heading

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            item = self.itemAt(event.position().toPoint())
            group = item.data(GROUP_ROLE) if item is not None else None
            if group:
                self._on_heading(group)
                event.accept()
                return
        super().mouseReleaseEvent(event)


class MainWindow(QMainWindow):
    pageShown = Signal(str, float)       # key, milliseconds to build and show
    firstPageShown = Signal(str)         # start-up: the first page built after the first frame

    def __init__(self, ctx: AppContext, pages: list[PageSpec] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.specs = list(pages or all_pages())
        self.built: dict[str, QWidget] = {}
        self.setWindowTitle(self._title())
        self.nav = self._build_nav()
        self._style_nav(False)
        self.stack = PageStack()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack.area, 1)
        self.setCentralWidget(central)
        self.db_label = QLabel()
        self.statusBar().addPermanentWidget(self.db_label)
        self._update_status()
        ctx.bus.status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        ctx.bus.changed.connect(lambda _t: self._update_status())
        ctx.navigate = self.show_page
        self.nav.currentRowChanged.connect(self._nav_row_changed)
        self._after_first: list | None = []     # run once the first frame is out (None: it is)
        self._first_key: str | None = None
        self.installEventFilter(self)           # … to see that first frame
        self._build_menu()
        self.resize(*default_size(self.screen().availableGeometry().size()))

    def _build_nav(self) -> QListWidget:
        """The sidebar: the pages under their group headings (台账 / 会议与督办 / 报表 / 管理)."""
        nav = NavList(self.toggle_nav_group)
        nav.setObjectName("nav")
        nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        nav.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.nav_rows: dict[str, int] = {}
        heading_font = nav.font()
        heading_font.setBold(True)
        group = None
        self.nav_group_of: dict[int, str] = {}       # page row → its group ("" above the first heading)
        self.nav_heads: dict[str, int] = {}          # group → its heading's row
        for spec in self.specs:
            if spec.group and spec.group != group:
                head = QListWidgetItem(f"{OPEN} {spec.group}")
                head.setFlags(Qt.ItemFlag.NoItemFlags)          # a heading: not a page, never chosen
                head.setData(Qt.ItemDataRole.UserRole, None)
                head.setData(GROUP_ROLE, spec.group)
                head.setToolTip(f"点击收起或展开“{spec.group}”")
                self.nav_heads[spec.group] = nav.count()
                head.setData(Qt.ItemDataRole.AccessibleDescriptionRole, "分组")
                head.setFont(heading_font)
                head.setForeground(QColor("#6b7480"))
                nav.addItem(head)
            group = spec.group
            item = QListWidgetItem(spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            item.setToolTip(spec.title)
            self.nav_rows[spec.key] = nav.count()
            self.nav_group_of[nav.count()] = spec.group or ""
            nav.addItem(item)
        self.nav_compact: bool | None = None
        self.nav_closed: set[str] = set()            # groups folded now
        self._nav_user_closed: set[str] = set()      # … of them, those the user folded
        self._nav_chosen_group: str | None = None    # the group a short sidebar keeps open
        nav.installEventFilter(self)
        return nav

    # -- the sidebar's groups fold: a short window shows one group's pages at a time ------------
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self and event.type() == QEvent.Type.Paint and self._after_first is not None:
            self.removeEventFilter(self)
            QTimer.singleShot(0, self._open_first_page)     # once this first frame is out
            return False
        nav = getattr(self, "nav", None)
        if nav is not None and obj is nav and event.type() == QEvent.Type.Resize:
            self._fold_nav()
        return super().eventFilter(obj, event)

    def toggle_nav_group(self, group: str) -> None:
        """A heading clicked: its group folds, or opens (on a short sidebar, in place of the others)."""
        if group in self.nav_closed:
            self._nav_user_closed.discard(group)
            self._nav_chosen_group = group
        else:
            self._nav_user_closed.add(group)
            if self._nav_chosen_group == group:
                self._nav_chosen_group = None
        self._fold_nav()

    def _nav_height(self, closed: set[str], heights: list[int]) -> int:
        heads = set(self.nav_heads.values())
        return sum(h for r, h in enumerate(heights) if self.nav_group_of.get(r, "") not in closed or r in heads)

    def _fold_nav(self) -> None:
        """Every group open while all fits (but those the user folded); on a short sidebar the current
        page's group (or the one the user opened) and, in order, the others that fit: it never
        scrolls (1366×768 at 150 %: 台账 open, the other three folded)."""
        nav = self.nav
        groups = set(self.nav_heads)
        current = self.nav_group_of.get(nav.currentRow(), "")
        closed = set(self._nav_user_closed)
        room = nav.contentsRect().height()          # the viewport's, up to date even as the list resizes
        heights = [nav.sizeHintForRow(r) for r in range(nav.count())]
        if self._nav_height(closed, heights) > room > 0:
            keep = self._nav_chosen_group or current
            closed = groups - {keep}
            for group in self.nav_heads:            # then the others, in order, while they fit
                if group not in self._nav_user_closed and self._nav_height(closed - {group}, heights) <= room:
                    closed.discard(group)
        self.nav_closed = closed
        for r, group in self.nav_group_of.items():
            nav.setRowHidden(r, group in closed)
        for group, r in self.nav_heads.items():
            nav.item(r).setText(f"{CLOSED if group in closed else OPEN} {group}")

    def _style_nav(self, compact: bool) -> None:
        """Page titles at 14 px, or 12 px with less air in a narrow window; the sidebar exactly as
        wide as its longest title (with the scroll bar a short screen needs): no title is cut."""
        if compact == self.nav_compact:
            return
        self.nav_compact = compact
        px = 12 if compact else 14
        self.nav.setStyleSheet(NAV_STYLE.format(px=px, pad=2 if compact else 4, head=4 if compact else 7))
        font = QFont(self.nav.font())
        font.setPixelSize(px)
        fm = QFontMetrics(font)
        widest = max(fm.horizontalAdvance(self.nav.item(i).text()) for i in range(self.nav.count()))
        # the scroll bar's width (the style's PM_ScrollBarExtent): asked of the bar, as importing
        # QStyle would set up its ten enumerations (some 600 names) before the first frame
        bar = self.nav.verticalScrollBar().sizeHint().width()
        self.nav.setFixedWidth(widest + 18 + 6 + 2 * self.nav.frameWidth() + bar + 4)
        self._fold_nav()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._style_nav(self.width() < NARROW)
        super().resizeEvent(event)

    def nav_groups(self) -> list[tuple[str, list[str]]]:
        """(heading, page titles) in sidebar order; the pages above the first heading under ""."""
        out: list[tuple[str, list[str]]] = [("", [])]
        for i in range(self.nav.count()):
            item = self.nav.item(i)
            if item.data(Qt.ItemDataRole.UserRole) is None:
                out.append((item.data(GROUP_ROLE), []))
            else:
                out[-1][1].append(item.text())
        return [g for g in out if g[1]]

    def _nav_row_changed(self, row: int) -> None:
        item = self.nav.item(row) if row >= 0 else None
        key = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if key is not None:
            self.show_page(key)

    def show_fitted(self) -> None:
        """Shown as the user left it last time; the first time, maximised on a screen smaller than
        the preferred size (an office PC's 1366×768)."""
        saved = self.ctx.prefs.get("window.geometry")
        if isinstance(saved, str) and saved and self.restoreGeometry(QByteArray.fromBase64(saved.encode())):
            self.show()
            return
        avail = self.screen().availableGeometry().size()
        if avail.width() < PREFERRED.width() or avail.height() < PREFERRED.height():
            self.showMaximized()
        else:
            self.show()

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
        from views.exchange.exchange_menu import ExchangeMenu
        self.exchange = ExchangeMenu(self, self.ctx)
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

    def open_after_first_paint(self, key: str) -> None:
        """Start-up: the sidebar shows ``key`` chosen and the window paints at once (its title,
        sidebar, menu and status bar, and 正在打开 in the page's place); the page itself is built
        as soon as that first frame is on the screen (the home page reads and lays out a county's
        figures: some tenths of a second), then ``firstPageShown`` says it is there."""
        self._opening = QLabel(f"正在打开{self.specs[self._index(key)].title}…")
        self._opening.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._opening.setStyleSheet("color: #6b7480;")
        self.stack.addWidget(self._opening)
        self.stack.setCurrentWidget(self._opening)
        self._select_nav(key)
        self._first_key = key
        QTimer.singleShot(2000, self._open_first_page)     # a window never painted (minimised) too

    def after_first_frame(self, fn) -> None:
        """Run ``fn`` once the window's first frame (and the first page) is out: work the user
        needs not wait for to see the window (a menu's counts, a check in the background)."""
        if self._after_first is None:
            QTimer.singleShot(0, fn)
        else:
            self._after_first.append(fn)

    def _open_first_page(self) -> None:
        key, self._first_key = self._first_key, None
        try:
            if key is not None:
                if self.stack.currentWidget() is self._opening:     # nothing else chosen meanwhile
                    self.show_page(key)
                self.stack.removeWidget(self._opening)
                self._opening.deleteLater()
                self.firstPageShown.emit(key)
        finally:
            # even when the page failed to build: the collector comes back on, the full check
            # and the backup notice still run
            waiting, self._after_first = self._after_first, None
            for fn in waiting or ():
                QTimer.singleShot(0, fn)

    def _index(self, key: str) -> int:
        return next(i for i, s in enumerate(self.specs) if s.key == key)

    def show_page(self, key: str) -> QWidget:
        start = time.perf_counter()
        idx = self._index(key)
        widget = self.built.get(key)
        if widget is None:
            widget = self.specs[idx].build(self.ctx)
            self.built[key] = widget
            self.stack.addWidget(widget)
        self.stack.setCurrentWidget(widget)
        self._select_nav(key)
        self.pageShown.emit(key, (time.perf_counter() - start) * 1000)
        return widget

    def _select_nav(self, key: str) -> None:
        row = self.nav_rows[key]
        group = self.nav_group_of.get(row, "")
        if self.nav.currentRow() != row or group in self.nav_closed:
            if group in self.nav_closed:        # a page of a folded group (转到, a link): its group opens
                self._nav_user_closed.discard(group)
                self._nav_chosen_group = group
            elif group != self._nav_chosen_group:
                self._nav_chosen_group = None
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
            self._fold_nav()

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
