"""A Qt table model over any declared ledger, fit for a million rows.

It holds the ordered list of record ids (sorting and filtering are done in SQL)
and fetches the rows themselves a page at a time when the view asks for them.
The first screenful is shown from a small prefix of the ids; the rest of the
list streams in on a timer so the window never freezes.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor

from models.ledger.fields import Field
from models.ledger.repo import LedgerRepo, Query

PAGE = 200
PREFIX = 2000
CHUNK = 100_000
MAX_PAGES = 64

RowDecorator = Callable[[dict], "tuple[str | None, str]"]   # row → (background colour, tooltip)


class LedgerTableModel(QAbstractTableModel):
    loaded = Signal()          # the whole id list is known
    queryChanged = Signal()

    def __init__(self, repo: LedgerRepo, fields: list[Field] | None = None, parent=None,
                 decorate: RowDecorator | None = None) -> None:
        super().__init__(parent)
        self.repo = repo
        self.fields: list[Field] = list(fields or repo.ledger.table_fields)
        self.query = Query()
        self.decorate = decorate
        self.masked = True
        self._ids: list[int] = []
        self._total = 0
        self._pages: OrderedDict[int, dict[int, dict]] = OrderedDict()
        self._cursor = None
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._load_more)

    # -- loading -----------------------------------------------------------------
    def set_query(self, query: Query) -> None:
        self.query = query
        self.reload()

    def reload(self) -> None:
        if self.repo.store.closed:      # a page outliving its database (closing down)
            return
        self.beginResetModel()
        self._pages.clear()
        self._stop_stream()
        self._total = self.repo.count(self.query)
        sql, params = self.repo.id_query(self.query)
        cur = self.repo.store.conn.cursor()
        cur.row_factory = None
        cur.execute(sql, params)
        self._ids = [r[0] for r in cur.fetchmany(PREFIX)]
        if len(self._ids) < self._total:
            self._cursor = cur
            self._timer.start()
        else:
            self._total = len(self._ids)
            cur.close()
        self.endResetModel()
        self.queryChanged.emit()
        if self._cursor is None:
            self.loaded.emit()

    def _load_more(self, until: int | None = None) -> None:
        if self._cursor is None:
            return
        need = CHUNK if until is None else max(CHUNK, until - len(self._ids) + 1)
        rows = self._cursor.fetchmany(need)
        self._ids.extend(r[0] for r in rows)
        if len(rows) < need:
            self._stop_stream()
            if len(self._ids) != self._total:    # data changed meanwhile: tell the view
                self.beginResetModel()
                self._total = len(self._ids)
                self.endResetModel()
            self.loaded.emit()

    def _stop_stream(self) -> None:
        self._timer.stop()
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None

    def finish_loading(self) -> None:
        """Load the whole id list now (tests, and before printing the ledger)."""
        while self._cursor is not None:
            self._load_more()

    @property
    def fully_loaded(self) -> bool:
        return self._cursor is None

    def id_at(self, row: int) -> int | None:
        if row < 0 or row >= self._total:
            return None
        if row >= len(self._ids):
            self._load_more(until=row)
            if row >= len(self._ids):
                return None
        return self._ids[row]

    def row_of(self, record_id: int) -> int:
        self.finish_loading()
        try:
            return self._ids.index(record_id)
        except ValueError:
            return -1

    def record(self, row: int) -> dict | None:
        rid = self.id_at(row)
        if rid is None:
            return None
        page_no = row // PAGE
        page = self._pages.get(page_no)
        if page is None or rid not in page:
            start = page_no * PAGE
            ids = [self.id_at(r) for r in range(start, min(start + PAGE, self._total))]
            page = self.repo.rows_by_ids([i for i in ids if i is not None])
            self._pages[page_no] = page
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page.get(rid)

    def refresh_rows(self) -> None:
        """Data changed but not the order: drop cached rows and repaint."""
        self._pages.clear()
        if self._total:
            self.dataChanged.emit(self.index(0, 0), self.index(self._total - 1, len(self.fields) - 1))

    # -- Qt model API ------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.fields)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.fields):
                f = self.fields[section]
                return f.header
            return None
        return str(section + 1)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._total or index.column() >= len(self.fields):
            return None
        f = self.fields[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.UserRole):
            rec = self.record(index.row())
            if rec is None:
                return None
            if role == Qt.ItemDataRole.UserRole:
                return rec.get(f.name)
            if role == Qt.ItemDataRole.ToolTipRole:
                tip = self.decorate(rec)[1] if self.decorate else ""
                if f.kind in ("text", "longtext", "ref") and f.width >= 16:
                    text = self.display(f, rec)      # a long name narrowed to fit: whole in the tooltip
                    if len(text) > 8:
                        tip = f"{text}\n{tip}" if tip else text
                return tip or None
            return self.display(f, rec)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if f.numeric:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and self.decorate:
            rec = self.record(index.row())
            if rec is not None:
                colour = self.decorate(rec)[0]
                if colour:
                    return QBrush(QColor(colour))
        return None

    def display(self, f: Field, rec: dict) -> str:
        return self.repo.ledger.cell_text(f, rec, masked=self.masked)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not (0 <= column < len(self.fields)):
            return
        self.query.sort = self.fields[column].name
        self.query.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def as_tsv(self, rows: list[int], columns: list[int]) -> str:
        """Selected cells as tab-separated text that pastes cleanly into Excel / WPS.
        Long digit strings (IDs, cards) keep their digits: Excel would round them, so
        they are prefixed with a tab-safe apostrophe-free text marker."""
        lines = ["\t".join(self.fields[c].header for c in columns)]
        for r in rows:
            rec = self.record(r) or {}
            cells = []
            for c in columns:
                text = self.display(self.fields[c], rec).replace("\t", " ").replace("\n", " ")
                if self.fields[c].sensitive and text.isdigit() and len(text) > 11:
                    text = f'="{text}"'     # keeps all digits when pasted into Excel / WPS
                cells.append(text)
            lines.append("\t".join(cells))
        return "\n".join(lines) + "\n"
