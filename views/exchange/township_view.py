"""A township's ledgers as the county keeps them (drill-down from 县级汇总), read-only.

The window opens the township's latest database received (``models.exchange.county.open_township``:
a read-only connection that also refuses every write statement) and shows each declared ledger
it holds with the ledger pages' own item model and table view. It has no editing, import,
recycle or save action: double-click and Enter open nothing, and the ledgers' numbers stay
masked as they travelled.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
                               QSplitter, QVBoxLayout, QWidget)

from models.db import Store
from models.exchange import county
from models.ledger import registry
from models.ledger.repo import LedgerRepo, Query
from views.ledger_model import LedgerTableModel
from views.ledger_table import LedgerTableView


class TownshipLedgers(QDialog):
    """One township's ledgers (台账), read-only, from the county database ``store``."""

    def __init__(self, store: Store, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.line = county.township_row(store, code)
        self.tstore = county.open_township(store, code)
        self.ledgers = county.township_ledgers(self.tstore)
        name = self.line["name"]
        self.setWindowTitle(f"{name}台账（只读）")
        head = QLabel(f"{name}（{code}）　第 {self.line['sequence']} 号报送包　数据截至 "
                      f"{str(self.line['as_of']).replace('T', ' ')[:16]}　接收于 "
                      f"{str(self.line['received_at']).replace('T', ' ')[:16]}")
        head.setStyleSheet("font-size: 15px; font-weight: bold;")
        note = QLabel("只读：这是县里保存的该乡镇最近一次报送的数据，在此只能查看，不能修改；"
                      + ("身份证号、银行卡号、电话按报送时的完整号码保存，显示时仍遮盖。" if self.line["full_ids"] else
                         "身份证号、银行卡号、电话报送时已遮盖。"))
        note.setWordWrap(True)
        note.setStyleSheet("color: #7a5a00; background: #fff8dc; padding: 4px;")
        self.list = QListWidget()
        for item in self.ledgers:
            w = QListWidgetItem(f"{item['title']}（{item['rows']:,}）")
            w.setData(Qt.ItemDataRole.UserRole, item["kind"])
            if item["missing"]:
                w.setFlags(w.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                w.setToolTip(f"该台账无法在此显示（{'、'.join(item['missing'][:3])}）")
            self.list.addItem(w)
        self.list.setMinimumWidth(200)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.search = QLineEdit()
        self.search.setPlaceholderText("在本台账中查找，回车开始")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self._search)
        self.count = QLabel()
        self.tables = QVBoxLayout()
        self.tables.setContentsMargins(0, 0, 0, 0)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count)
        rl.addLayout(bar)
        rl.addLayout(self.tables, 1)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 980])
        close = QPushButton("关闭")
        close.clicked.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(note)
        lay.addWidget(split, 1)
        foot = QHBoxLayout()
        foot.addStretch(1)
        foot.addWidget(close)
        lay.addLayout(foot)
        self.model: LedgerTableModel | None = None
        self.view: LedgerTableView | None = None
        self.list.currentRowChanged.connect(self._show)
        first = next((i for i, x in enumerate(self.ledgers) if not x["missing"]), None)
        if first is not None:
            self.list.setCurrentRow(first)
        self.resize(1280, 720)

    @property
    def kind(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _show(self, row: int) -> None:
        if row < 0 or self.tstore.closed or self.ledgers[row]["missing"]:
            return
        ledger = registry.get(self.ledgers[row]["kind"])
        model = LedgerTableModel(LedgerRepo(self.tstore, ledger), parent=self)
        view = LedgerTableView(model)       # no prefs: nothing of the township's is remembered or written
        view.setEditTriggers(LedgerTableView.EditTrigger.NoEditTriggers)
        if self.view is not None:
            self.tables.removeWidget(self.view)
            self.view.deleteLater()
            self.model._stop_stream()
            self.model.deleteLater()
        self.model, self.view = model, view
        self.tables.addWidget(view)
        self.search.clear()
        model.reload()
        self._count()

    def _search(self) -> None:
        if self.model is None:
            return
        q = Query()
        q.search = self.search.text().strip()
        q.sort, q.descending = self.model.query.sort, self.model.query.descending
        self.model.set_query(q)
        self._count()

    def _count(self) -> None:
        n = self.model.rowCount() if self.model is not None else 0
        self.count.setText(f"共 {n:,} 条")

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.release()
        super().closeEvent(event)

    def release(self) -> None:
        """Stop loading and close the township's file (the window may stay a moment longer)."""
        if self.model is not None:
            self.model._stop_stream()
        if not self.tstore.closed:
            self.tstore.conn.close()
            self.tstore.closed = True
