"""农民工名册: every listed worker across all cases, searchable, fit for a million rows."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from models import case_workers
from models.ledger.repo import Query
from views.context import AppContext
from views.ledger_model import LedgerTableModel
from views.ledger_table import LedgerTableView


class WorkerPage(QWidget):
    title = "农民工名册"

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.repo = case_workers.workers_repo(ctx.store)
        fields = list(self.repo.ledger.table_fields)
        case_field = self.repo.ledger.field("case_id")
        fields = [case_field] + [f for f in fields if f.name != "case_id"]
        self.model = LedgerTableModel(self.repo, fields, self)
        self.table = LedgerTableView(self.model, ctx.prefs, "workers", self)
        self.search = QLineEdit()
        words = "、".join(f.label for f in self.repo.ledger.search_fields)      # what the search looks at
        self.search.setPlaceholderText(f"检索{words}（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.unpaid = QCheckBox("只看仍有欠发的")
        self.reveal = QCheckBox("显示完整号码")
        actor = ctx.store.actor
        self.reveal.setEnabled(actor is None or actor.may_reveal)
        self.reveal.setToolTip("身份证号码、银行卡号、电话默认部分隐藏；显示完整号码会记入审计日志")
        self.reveal.toggled.connect(self._reveal)
        self.count = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.unpaid)
        bar.addWidget(self.reveal)
        bar.addWidget(self.count)
        from PySide6.QtWidgets import QPushButton
        from views import ledger_io
        for text, slot in (("导出…", lambda: ledger_io.open_export(self, ctx, "workers", self.model.query)),
                           ("打印…", lambda: ledger_io.open_print(self, ctx, "workers", self.model.query))):
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.table, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.apply)
        self.search.textChanged.connect(lambda: self._timer.start())
        self.unpaid.toggled.connect(self.apply)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(find)
        self.model.queryChanged.connect(lambda: self.count.setText(f"共 {self.model.rowCount():,} 人"))
        self.table.activatedRecord.connect(self._open_case)
        ctx.bus.changed.connect(lambda t: self.model.reload() if t in ("", "worker", "repayment") else None)
        self.apply()

    def _reveal(self, on: bool) -> None:
        if on:
            from models.access import record_reveal
            record_reveal(self.ctx.store, "worker", None, f"农民工名册（{self.model.query.describe(self.repo.ledger)}）")
        self.model.masked = not on
        self.model.refresh_rows()

    def apply(self) -> None:
        q = Query(search=self.search.text().strip(), sort=self.model.query.sort,
                  descending=self.model.query.descending)
        if self.unpaid.isChecked():
            q.extra.append(("t.paid_fen < t.owed_fen", []))
            q.notes.append("仍有欠发")
        self.model.set_query(q)

    def _open_case(self, worker_id: int) -> None:
        row = self.repo.get(worker_id)
        if row is None:
            return
        page = self.ctx.navigate("cases")
        if page is not None and hasattr(page, "table"):
            page.table.select_record(row["case_id"])
