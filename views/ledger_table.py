"""The table view every ledger page uses: sorting in SQL, chosen and reordered
columns remembered, copy as tab-separated text, Enter to open."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView

from models.prefs import Prefs
from views.ledger_model import LedgerTableModel


class LedgerTableView(QTableView):
    activatedRecord = Signal(int)      # record id (Enter or double-click)
    currentRecord = Signal(object)     # record id or None

    def __init__(self, model: LedgerTableModel, prefs: Prefs | None = None, prefs_key: str = "",
                 parent=None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.prefs = prefs
        # the remembered layout belongs to one set of columns: a new column starts afresh
        import zlib
        sig = zlib.crc32("|".join(f.name for f in model.fields).encode()) if prefs_key else 0
        self.prefs_key = f"{prefs_key}.{sig:08x}" if prefs_key else ""
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        # no sort indicator before sorting is enabled: enabling it would sort by the first column
        # at once, a full sort of the ledger before anything is shown
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(24)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        h = self.horizontalHeader()
        h.setSectionsMovable(True)
        h.setHighlightSections(False)
        h.setSortIndicatorShown(True)
        h.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        h.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        h.customContextMenuRequested.connect(self._header_menu)
        for i, f in enumerate(model.fields):
            self.setColumnWidth(i, max(56, min(300, f.width * 11 + 14)))
        self._restore_layout()
        h.sectionMoved.connect(lambda *a: self._save_layout())
        h.sectionResized.connect(lambda *a: self._save_layout())
        self.doubleClicked.connect(lambda idx: self._emit_activated(idx.row()))
        copy = QAction("复制选中行", self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.triggered.connect(self.copy_selection)
        self.addAction(copy)
        model.modelReset.connect(self._after_reset)

    # -- layout ------------------------------------------------------------------
    def _restore_layout(self) -> None:
        if not (self.prefs and self.prefs_key):
            return
        state = self.prefs.get(f"table.{self.prefs_key}")
        if state:
            self.horizontalHeader().restoreState(QByteArray.fromBase64(state.encode()))
            self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

    def _save_layout(self) -> None:
        if self.prefs and self.prefs_key:
            state = self.horizontalHeader().saveState().toBase64().data().decode()
            self.prefs.data[f"table.{self.prefs_key}"] = state

    def save_layout_now(self) -> None:
        self._save_layout()
        if self.prefs:
            self.prefs.save()

    def _header_menu(self, pos) -> None:
        menu = QMenu(self)
        model: LedgerTableModel = self.model()
        h = self.horizontalHeader()
        for i, f in enumerate(model.fields):
            act = menu.addAction(f.label)
            act.setCheckable(True)
            act.setChecked(not h.isSectionHidden(i))
            act.toggled.connect(lambda on, col=i: (h.setSectionHidden(col, not on), self.save_layout_now()))
        menu.addSeparator()
        menu.addAction("恢复默认列").triggered.connect(self.reset_columns)
        menu.exec(h.mapToGlobal(pos))

    def reset_columns(self) -> None:
        h = self.horizontalHeader()
        for i in range(h.count()):
            h.setSectionHidden(i, False)
            h.moveSection(h.visualIndex(i), i)
        self.save_layout_now()

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
        self.currentRecord.emit(None)

    def select_record(self, record_id: int) -> None:
        row = self.model().row_of(record_id)
        if row >= 0:
            self.selectRow(row)
            self.scrollTo(self.model().index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
