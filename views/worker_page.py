"""农民工名册: every listed worker across all cases, searchable, fit for a million rows."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from models import case_workers, cases
from models.ledger.fields import Field
from models.ledger.repo import LedgerRepo, Query
from views.background_search import search_in_background
from views.context import AppContext
from views.empty_note import EmptyNote, no_match
from views.ledger_model import LedgerTableModel
from views.ledger_table import LedgerTableView


# the case's 用人单位 beside each worker: shown, never stored, exported or imported (a roster's own
# 用人单位 column describes its case, models.io)
EMPLOYER = Field("case_employer", "用人单位", width=20, stored=False, editable=False, in_form=False,
                 export=False, printed=False)


class WorkerRows(LedgerRepo):
    """The worker ledger's rows with their case's 用人单位, read a page at a time."""

    def __init__(self, store) -> None:
        base = case_workers.workers_repo(store)
        super().__init__(store, base.ledger)
        self.cases = cases.repo(store)

    def rows_by_ids(self, ids) -> dict[int, dict]:
        out = super().rows_by_ids(ids)
        case_ids = sorted({r["case_id"] for r in out.values() if r.get("case_id") is not None})
        names = {cid: row.get("employer_name") or "" for cid, row in self.cases.rows_by_ids(case_ids).items()}
        for r in out.values():
            r[EMPLOYER.name] = names.get(r.get("case_id"), "")
        return out


class WorkerModel(LedgerTableModel):
    def sort(self, column: int, order=None) -> None:
        if 0 <= column < len(self.fields) and self.fields[column] is EMPLOYER:
            return              # sorted by the case instead would mislead; the view puts the arrow back
        super().sort(column, order) if order is not None else super().sort(column)


class WorkerPage(QWidget):
    title = "农民工名册"

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.repo = WorkerRows(ctx.store)
        fields = list(self.repo.ledger.table_fields)
        case_field = self.repo.ledger.field("case_id")
        fields = [case_field] + [f for f in fields if f.name != "case_id"] + [EMPLOYER]
        self.model = WorkerModel(self.repo, fields, self)
        self.table = LedgerTableView(self.model, ctx.prefs, "workers", self,
                                     key_columns=("name", "case_id", EMPLOYER.name, "owed_fen", "paid_fen",
                                                  "outstanding_fen"))
        self._sorted = (-1, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sort_indicator)
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
        self.empty = EmptyNote(self)
        lay.addWidget(self.empty)
        lay.addWidget(self.table, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.apply)
        search_in_background(self.table, self.model, rows=WorkerRows)     # a search never holds up the window
        self.search.textChanged.connect(lambda: self._timer.start())
        self.unpaid.toggled.connect(self.apply)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(find)
        self.model.queryChanged.connect(self._update_count)
        self.table.activatedRecord.connect(self._open_case)
        ctx.bus.changed.connect(lambda t: self.model.reload() if t in ("", "worker", "repayment") else None)
        self.apply()

    def _update_count(self) -> None:
        self.count.setText(f"共 {self.model.rowCount():,} 人")
        self.empty.show_for(self.model.rowCount(),
                            filtered=self.model.query.describe(self.repo.ledger) != "全部记录",
                            none_match=no_match("农民工"),
                            none_yet="农民工名册还没有人。农民工随欠薪问题登记：在“欠薪问题台账”选中一条问题，"
                                     "在下方“农民工（实名）”页点“添加农民工”或“导入名册…”。")

    def _sort_indicator(self, column: int, order) -> None:
        h = self.table.horizontalHeader()
        if 0 <= column < len(self.model.fields) and self.model.fields[column] is EMPLOYER:
            h.blockSignals(True)
            h.setSortIndicator(*self._sorted)
            h.blockSignals(False)
            self.ctx.bus.status.emit("用人单位列不能排序：可按“所属问题”排序")
            return
        self._sorted = (column, order)

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
