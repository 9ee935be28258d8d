"""回收站: deleted records of every ledger, restorable; nothing is erased by one click."""
from __future__ import annotations

from PySide6.QtCore import Qt
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
        # an empty bin says so where the table would be, not as a grid of nothing
        self.empty = QLabel()
        self.empty.setObjectName("empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #777; padding: 24px;")
        self.lay = QVBoxLayout(self)
        self.lay.addLayout(bar)
        self.lay.addWidget(self.empty, 1)
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
        self.model.queryChanged.connect(self._update_count)
        self._update_count()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        title = self.kind_box.currentText()
        self.info.setText(f"回收站中有 {n} 条" if n else "回收站是空的")
        self.empty.setText(f"{title}的回收站是空的。\n在台账中“移入回收站”的记录会列在这里，选中后可点“恢复所选”放回台账。")
        self.empty.setVisible(n == 0)
        self.table.setVisible(n > 0)
        self.restore_btn.setEnabled(n > 0)

    def restore(self) -> None:
        ids = self.table.selected_ids() if self.table else []
        if not ids:
            QMessageBox.information(self, "恢复", "请先选中要恢复的记录。")
            return
        from models.ledger.service import service_for
        from views.reason_prompt import with_reason
        svc = service_for(self.ctx.store, self.repo.ledger.kind, today=self.ctx.today())
        if not with_reason(self, "恢复", lambda why: svc.restore(ids, why)):
            return
        self.ctx.changed(self.repo.t)
        self.show_kind()
