"""回收站: deleted records of every ledger, restorable; nothing is erased by one click."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from models.ledger import registry
from models.ledger.repo import LedgerRepo, Query
from views.context import AppContext
from views.ledger_model import LedgerTableModel
from views.ledger_table import LedgerTableView


class RecyclePage(QWidget):
    title = "回收站"

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind_box = QComboBox()
        first = ("cases", "workers", "repayments")      # the ledgers deleted from most often
        ordered = sorted(registry.all_ledgers(), key=lambda l: (first.index(l.kind) if l.kind in first else 9))
        for ledger in ordered:
            if ledger.soft_delete:
                self.kind_box.addItem(ledger.title, ledger.kind)
        self.restore_btn = QPushButton("恢复所选")
        self.restore_btn.clicked.connect(self.restore)
        self.info = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(QLabel("台账"))
        bar.addWidget(self.kind_box)
        bar.addWidget(self.restore_btn)
        bar.addStretch(1)
        bar.addWidget(self.info)
        self.lay = QVBoxLayout(self)
        self.lay.addLayout(bar)
        self.table: LedgerTableView | None = None
        self.kind_box.currentIndexChanged.connect(self.show_kind)
        ctx.bus.changed.connect(lambda _t: self.model.reload() if self.table else None)
        self.show_kind()

    def show_kind(self) -> None:
        ledger = registry.get(self.kind_box.currentData())
        self.repo = LedgerRepo(self.ctx.store, ledger)
        self.model = LedgerTableModel(self.repo, parent=self)
        self.model.set_query(Query(deleted=True))
        if self.table is not None:
            self.lay.removeWidget(self.table)
            self.table.deleteLater()
        self.table = LedgerTableView(self.model, None, "", self)
        self.lay.addWidget(self.table, 1)
        self.info.setText(f"回收站中有 {self.model.rowCount()} 条" if self.model.rowCount() else "回收站是空的")

    def restore(self) -> None:
        ids = self.table.selected_ids() if self.table else []
        if not ids:
            QMessageBox.information(self, "恢复", "请先选中要恢复的记录。")
            return
        self.repo.restore(ids)
        self.ctx.changed(self.repo.t)
        self.show_kind()
