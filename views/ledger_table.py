"""The table view every ledger page uses: sorting in SQL, chosen and reordered
columns remembered, copy as tab-separated text, Enter to open.

Default layout (until the user resizes, moves or hides a column): each column as wide as its
header and its first rows need, the ledger's key columns (``extra["key_columns"]``) first and
narrowed, where the window is small, until they all fit in the view; the other columns follow
to the right. Once the user changes the layout it is remembered as it is."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QStyle, QTableView

from models.prefs import Prefs
from views.ledger_model import LedgerTableModel

SAMPLE_ROWS = 60            # rows measured for a column's default width
CAP_CHARS = 22              # a text column's default width: at most this many Chinese characters
FLOOR_CHARS = 5             # narrowed to fit the window: never below this (nor below its header)
ELASTIC_KINDS = ("text", "longtext", "ref")
ELASTIC_FROM = 16           # a text column declared at least this wide (names, not codes) may narrow


def _elastic(f) -> bool:
    """Names and references may narrow to fit the window; numbers, codes and dates never do."""
    return f.kind == "ref" or (f.kind in ELASTIC_KINDS and f.width >= ELASTIC_FROM)


def _old_default_width(f) -> int:
    """The width every column had before widths were measured (a layout saved with exactly these
    widths, nothing moved or hidden, is an untouched default, not a choice)."""
    return max(56, min(300, f.width * 11 + 14))


class LedgerTableView(QTableView):
    activatedRecord = Signal(int)      # record id (Enter or double-click)
    currentRecord = Signal(object)     # record id or None

    def __init__(self, model: LedgerTableModel, prefs: Prefs | None = None, prefs_key: str = "",
                 parent=None, key_columns: tuple[str, ...] | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.prefs = prefs
        # the remembered layout belongs to one set of columns: a new column starts afresh
        import zlib
        sig = zlib.crc32("|".join(f.name for f in model.fields).encode()) if prefs_key else 0
        self.prefs_key = f"{prefs_key}.{sig:08x}" if prefs_key else ""
        names = [f.name for f in model.fields]
        wanted = key_columns if key_columns is not None else model.repo.ledger.extra.get("key_columns", ())
        self.key_columns: list[int] = [names.index(n) for n in wanted if n in names]
        self.user_layout = False           # True once the user resized, moved or hid a column
        self._quiet = 0                    # >0 while the program itself lays the columns out
        self._natural: dict[int, int] = {}
        self._measured_rows = False
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        # no sort indicator before sorting is enabled: enabling it would sort by the first column
        # at once, a full sort of the ledger before anything is shown
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(24)
        self.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        h = self.horizontalHeader()
        h.setSectionsMovable(True)
        h.setHighlightSections(False)
        h.setSortIndicatorShown(True)
        h.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        h.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        h.customContextMenuRequested.connect(self._header_menu)
        if not self._restore_layout():
            self.apply_default_layout()
        h.sectionMoved.connect(lambda *a: self._user_changed())
        h.sectionResized.connect(lambda *a: self._user_changed())
        self.doubleClicked.connect(lambda idx: self._emit_activated(idx.row()))
        copy = QAction("复制选中行", self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.triggered.connect(self.copy_selection)
        self.addAction(copy)
        model.modelReset.connect(self._after_reset)

    # -- layout ------------------------------------------------------------------
    def _restore_layout(self) -> bool:
        """The user's remembered layout; False when there is none (or only an untouched default)."""
        if not (self.prefs and self.prefs_key):
            return False
        state = self.prefs.get(f"table.{self.prefs_key}")
        if isinstance(state, dict):
            text, chosen = state.get("state"), bool(state.get("user"))
        else:
            text, chosen = state, False
        if not isinstance(text, str) or not text:
            return False
        h = self.horizontalHeader()
        self._quiet += 1
        try:
            if not h.restoreState(QByteArray.fromBase64(text.encode())):
                return False
            h.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            if not chosen and self._is_old_default():
                return False
        finally:
            self._quiet -= 1
        self.user_layout = True
        return True

    def _is_old_default(self) -> bool:
        h = self.horizontalHeader()
        fields = self.model().fields
        return h.count() == len(fields) and all(
            not h.isSectionHidden(i) and h.visualIndex(i) == i and h.sectionSize(i) == _old_default_width(f)
            for i, f in enumerate(fields))

    def _user_changed(self) -> None:
        if self._quiet:
            return
        self.user_layout = True
        self._save_layout()

    def _save_layout(self) -> None:
        if self.prefs and self.prefs_key and self.user_layout:
            state = self.horizontalHeader().saveState().toBase64().data().decode()
            self.prefs.data[f"table.{self.prefs_key}"] = {"state": state, "user": True}

    def save_layout_now(self) -> None:
        self._save_layout()
        if self.prefs and self.user_layout:
            self.prefs.save()

    def _header_menu(self, pos) -> None:
        menu = QMenu(self)
        model: LedgerTableModel = self.model()
        h = self.horizontalHeader()
        for i, f in enumerate(model.fields):
            act = menu.addAction(f.label)
            act.setCheckable(True)
            act.setChecked(not h.isSectionHidden(i))
            act.toggled.connect(lambda on, col=i: self.set_column_shown(col, on))
        menu.addSeparator()
        menu.addAction("恢复默认列").triggered.connect(self.reset_columns)
        menu.exec(h.mapToGlobal(pos))

    def set_column_shown(self, column: int, shown: bool) -> None:
        self.horizontalHeader().setSectionHidden(column, not shown)
        self.user_layout = True
        self.save_layout_now()

    def reset_columns(self) -> None:
        """Back to the default layout; the remembered one is forgotten."""
        self.user_layout = False
        if self.prefs and self.prefs_key:
            self.prefs.data.pop(f"table.{self.prefs_key}", None)
            self.prefs.save()
        self.apply_default_layout()

    def default_order(self) -> list[int]:
        """Logical columns in their default visual order: the key columns first."""
        rest = [i for i in range(len(self.model().fields)) if i not in self.key_columns]
        return self.key_columns + rest

    def apply_default_layout(self) -> None:
        h = self.horizontalHeader()
        self._quiet += 1
        try:
            for visual, logical in enumerate(self.default_order()):
                h.setSectionHidden(logical, False)
                if h.visualIndex(logical) != visual:
                    h.moveSection(h.visualIndex(logical), visual)
            self._fit_widths()
        finally:
            self._quiet -= 1

    def _header_width(self, col: int) -> int:
        f = self.model().fields[col]
        fm = self.horizontalHeader().fontMetrics()
        # margins on both sides and room for the sort arrow, so a sorted header is not cut either
        return fm.horizontalAdvance(f.header) + 2 * fm.horizontalAdvance("0") + 12

    def _content_width(self, col: int) -> int:
        model: LedgerTableModel = self.model()
        f = model.fields[col]
        fm = self.fontMetrics()
        rows = min(model.rowCount(), SAMPLE_ROWS)
        if rows:
            texts = [model.data(model.index(r, col)) or "" for r in range(rows)]
            widest = max(fm.horizontalAdvance(str(t)) for t in texts)
        else:
            widest = fm.horizontalAdvance("0") * min(f.width, 12)
        return widest + 2 * fm.horizontalAdvance("0") + 4

    def natural_width(self, col: int) -> int:
        """What a column needs to show its header and its first rows without eliding."""
        if col not in self._natural:
            f = self.model().fields[col]
            want = self._content_width(col)
            if f.kind in ELASTIC_KINDS:
                want = min(want, self.fontMetrics().horizontalAdvance("中") * CAP_CHARS)
            self._natural[col] = max(self._header_width(col), want)
        return self._natural[col]

    def _floor_width(self, col: int) -> int:
        return min(self.natural_width(col),
                   max(self._header_width(col), self.fontMetrics().horizontalAdvance("中") * FLOOR_CHARS + 12))

    def _fit_widths(self) -> None:
        """Natural widths; key columns narrowed (the text ones) until they fit the view."""
        n = len(self.model().fields)
        widths = {c: self.natural_width(c) for c in range(n)}
        avail = self._viewport_width()
        keys = self.key_columns
        need = sum(widths[c] for c in keys)
        if keys and avail > 0 and need > avail:
            elastic = [c for c in keys if _elastic(self.model().fields[c])]
            room = {c: widths[c] - self._floor_width(c) for c in elastic}
            total_room = sum(room.values())
            cut = min(need - avail, total_room)
            if total_room > 0:
                for c in elastic:
                    widths[c] -= -(-cut * room[c] // total_room)       # rounded up: never a pixel short
        for c, w in widths.items():
            if self.columnWidth(c) != w:
                self.setColumnWidth(c, w)

    def _viewport_width(self) -> int:
        """The width the columns share once the view is laid out (0 before it is)."""
        if not self.isVisible() and not self.testAttribute(Qt.WidgetAttribute.WA_Resized):
            return 0
        w = self.viewport().width()
        sb = self.verticalScrollBar()
        model = self.model()
        rows_h = model.rowCount() * self.verticalHeader().defaultSectionSize()
        if not sb.isVisible() and rows_h > self.viewport().height() > 0:
            w -= self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return w

    def key_columns_fit(self) -> bool:
        """Every key column's right edge inside the view, with no sideways scrolling."""
        h = self.horizontalHeader()
        return all(not h.isSectionHidden(c) and h.sectionViewportPosition(c) >= 0
                   and h.sectionViewportPosition(c) + h.sectionSize(c) <= self.viewport().width()
                   for c in self.key_columns)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if not self.user_layout:
            self._quiet += 1
            try:
                self._fit_widths()
            finally:
                self._quiet -= 1

    # -- records -----------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.selectionModel().selectedRows()})

    def selected_ids(self) -> list[int]:
        model: LedgerTableModel = self.model()
        return [rid for r in self.selected_rows() if (rid := model.id_at(r)) is not None]

    def current_id(self) -> int | None:
        idx = self.currentIndex()
        return self.model().id_at(idx.row()) if idx.isValid() else None

    def copy_selection(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        h = self.horizontalHeader()
        cols = [h.logicalIndex(v) for v in range(h.count()) if not h.isSectionHidden(h.logicalIndex(v))]
        QGuiApplication.clipboard().setText(self.model().as_tsv(rows, cols))

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._emit_activated(self.currentIndex().row())
            return
        super().keyPressEvent(event)

    def currentChanged(self, current, previous) -> None:
        super().currentChanged(current, previous)
        self.currentRecord.emit(self.model().id_at(current.row()) if current.isValid() else None)

    def _emit_activated(self, row: int) -> None:
        rid = self.model().id_at(row)
        if rid is not None:
            self.activatedRecord.emit(rid)

    def _after_reset(self) -> None:
        # a new order or filter starts at the top (staying at row 900,000 of a new order would
        # make the model read every id up to there at once)
        self.scrollToTop()
        if not self._measured_rows and self.model().rowCount():
            self._measured_rows = True          # widths from the first rows shown, measured once
            self._natural.clear()
            if not self.user_layout:
                self._quiet += 1
                try:
                    self._fit_widths()
                finally:
                    self._quiet -= 1
        self.currentRecord.emit(None)

    def select_record(self, record_id: int) -> None:
        row = self.model().row_of(record_id)
        if row >= 0:
            self.selectRow(row)
            self.scrollTo(self.model().index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
