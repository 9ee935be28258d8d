"""The child ledger of the selected row on a ledger page (工程款分期还款计划, 清欠资金分配明细):
its rows, its own 合计 and the actions declared for it."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QToolBar, QVBoxLayout, QWidget

from models import ledger_refs
from models.ledger.fields import Ledger
from models.ledger.repo import LedgerRepo, Query
from models.ledger.service import service_for
from views import ledger_actions
from views.ledger_model import LedgerTableModel
from views.ledger_table import LedgerTableView
from views.record_form import RecordForm

USABLE_ROWS = 4         # with a row above chosen, the pane shows at least this many of its rows


class ChildPane(QWidget):
    def __init__(self, page, ledger: Ledger) -> None:
        super().__init__(page)
        self.page = page
        self.ledger = ledger
        self.parent_id: int | None = None
        self.repo = LedgerRepo(page.ctx.store, ledger)
        fields = [f for f in ledger.table_fields if f.name != ledger.parent]
        self.model = LedgerTableModel(self.repo, fields, self)
        self.table = LedgerTableView(self.model, page.ctx.prefs, f"ledger.{ledger.kind}", self)
        self.model.query = Query()
        self.caption = QLabel()
        self.caption.setStyleSheet("font-weight: bold;")
        self.totals = QLabel()
        tb = QToolBar()
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.generic = ledger.extra.get("generic_edit", True)
        if self.generic:
            tb.addAction("新增", self.new_record)
            tb.addAction("编辑", lambda: self.edit_record(self.table.current_id()))
            tb.addAction("移入回收站", self.recycle)
        for text, fn in ledger_actions.CHILD_ACTIONS.get((page.ledger.kind, ledger.kind), []):
            tb.addAction(text, lambda f=fn: f(page, self.table.current_id()))
        head = QHBoxLayout()
        head.addWidget(self.caption)
        head.addStretch(1)
        head.addWidget(tb)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addLayout(head)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.totals)
        if self.generic:
            self.table.activatedRecord.connect(self.edit_record)
        self.model.queryChanged.connect(self._update_totals)
        self.show_parent(None)

    def compact_height(self) -> int:
        """The pane while no row above is chosen: its caption line (which says to choose one)."""
        m = self.layout().contentsMargins()
        return max(self.caption.sizeHint().height(), self.findChild(QToolBar).sizeHint().height()) \
            + m.top() + m.bottom() + 4

    def usable_height(self) -> int:
        """The pane with a row above chosen: its caption line, its table's header and
        ``USABLE_ROWS`` rows, and its 合计 line (at 150 % it had been left one row)."""
        lay, t = self.layout(), self.table
        return (self.compact_height() + t.horizontalHeader().sizeHint().height() + 2 * t.frameWidth()
                + USABLE_ROWS * t.verticalHeader().defaultSectionSize() + self.totals.sizeHint().height()
                + 2 * lay.spacing())

    def show_parent(self, parent_id) -> None:
        self.parent_id = parent_id
        # with no row chosen, only the caption line that says to choose one (no empty table
        # squeezed under it)
        self.table.setVisible(parent_id is not None)
        self.totals.setVisible(parent_id is not None)
        q = Query()
        if parent_id is None:
            q.extra.append(("0", []))
            label = "（在上方选中一条记录，查看其明细）"
        else:
            q.equals[self.ledger.parent] = parent_id
            row = self.page.repo.get(parent_id) or {}
            label = f"（{row.get(self.page.ledger.label_field, '')}）" if self.page.ledger.label_field else ""
        self.caption.setText(f"{self.ledger.title}{label}")
        self.model.set_query(q)

    def reload(self) -> None:
        self.show_parent(self.parent_id)

    def _update_totals(self) -> None:
        sums = self.repo.totals(self.model.query)
        parts = [f"共 {self.model.rowCount()} 条"]
        for name, value in sums.items():
            f = self.ledger.field(name)
            parts.append(f"{f.label} {f.format(value)}{f.kind_of.unit}")
        self.totals.setText("　".join(parts) if self.parent_id is not None else "")

    def service(self):
        """The child ledger's write service: the same rules as an import of it."""
        return service_for(self.page.ctx.store, self.ledger.kind, today=self.page.ctx.today())

    def new_record(self) -> None:
        if self.parent_id is None:
            QMessageBox.information(self, "新增", "请先在上方台账中选中一条记录。")
            return
        fixed = {self.ledger.parent: self.parent_id}
        initial = {}
        if self.ledger.has("seq"):
            initial["seq"] = self.model.rowCount() + 1
        form = RecordForm(self, self.ledger, f"新增{self.ledger.title}", initial, fixed=fixed,
                          ref_options=ledger_refs.form_options(self.page.ctx.store, self.ledger),
                          on_save=lambda v, reason="": self.service().insert(v, reason))
        if form.exec():
            self.page.ctx.changed(self.ledger.table)

    def edit_record(self, record_id) -> None:
        if record_id is None:
            return
        row = self.repo.get(record_id)
        form = RecordForm(self, self.ledger, self.ledger.title, row,
                          ref_options=ledger_refs.form_options(self.page.ctx.store, self.ledger, row),
                          on_save=lambda v, reason="": self.service().update(record_id, v, reason))
        if form.exec():
            self.page.ctx.changed(self.ledger.table)

    def recycle(self) -> None:
        ids = self.table.selected_ids()
        if not ids:
            return
        from views.reason_prompt import recycle_with_reason, which
        svc = service_for(self.page.ctx.store, self.ledger.kind, today=self.page.ctx.today())
        if recycle_with_reason(self, "移入回收站", f"将选中的 {which(self.repo, ids, '条明细')}移入回收站。",
                               lambda why: svc.recycle(ids, why)):
            self.page.ctx.changed(self.ledger.table)
