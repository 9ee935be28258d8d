"""审计日志: who changed what and when, before and after; filtered and exportable."""
from __future__ import annotations

import json

from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSplitter, QTextBrowser,
                               QVBoxLayout, QWidget)
from PySide6.QtCore import Qt

from models.audit import ACTION_LABELS
from models.ledger import registry
from models.ledger.repo import LedgerRepo, Query
from models.values import ValueProblem, parse_date
from views.context import AppContext
from views.ledger_model import LedgerTableModel
from views.ledger_table import LedgerTableView


class AuditPage(QWidget):
    title = "审计日志"

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ledger = registry.get("audit")
        self.repo = LedgerRepo(ctx.store, self.ledger)
        fields = [f for f in self.ledger.table_fields if f.name not in ("before", "after")]
        self.model = LedgerTableModel(self.repo, fields, self)
        self.table = LedgerTableView(self.model, ctx.prefs, "audit", self)
        self.table.setSortingEnabled(False)
        self.user_box = QComboBox()
        self.table_box = QComboBox()
        self.action_box = QComboBox()
        self.record = QLineEdit()
        self.record.setPlaceholderText("记录号")
        self.record.setMaximumWidth(90)
        self.date_from = QLineEdit()
        self.date_from.setPlaceholderText("日期从")
        self.date_to = QLineEdit()
        self.date_to.setPlaceholderText("至")
        for w in (self.date_from, self.date_to):
            w.setMaximumWidth(110)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c0392b;")
        go = QPushButton("查询")
        go.clicked.connect(self.apply)
        export = QPushButton("导出…")
        export.clicked.connect(self.export)
        bar = QHBoxLayout()
        for w in (QLabel("操作人"), self.user_box, QLabel("数据表"), self.table_box, QLabel("操作"), self.action_box,
                  self.record, QLabel("日期"), self.date_from, QLabel("—"), self.date_to, go, export):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.message)
        self.detail = QTextBrowser()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(split, 1)
        self.count = QLabel()
        lay.addWidget(self.count)
        self.table.currentRecord.connect(self.show_detail)
        self._fill_boxes()
        for box in (self.user_box, self.table_box, self.action_box):
            box.currentIndexChanged.connect(self.apply)
        self.record.returnPressed.connect(self.apply)
        self.apply()

    def _fill_boxes(self) -> None:
        self.user_box.addItem("全部", None)
        for (u,) in self.ctx.store.query("SELECT DISTINCT user FROM audit_log ORDER BY user"):
            self.user_box.addItem(u, u)
        self.table_box.addItem("全部", None)
        for (t,) in self.ctx.store.query("SELECT DISTINCT table_name FROM audit_log ORDER BY table_name"):
            ledger = registry.by_table(t)
            self.table_box.addItem(ledger.title if ledger else t, t)
        self.action_box.addItem("全部", None)
        for a, label in ACTION_LABELS.items():
            self.action_box.addItem(label, a)
        self.action_box.addItem("查看完整号码", "reveal")

    def build_query(self) -> Query:
        q = Query()
        for name, box in (("user", self.user_box), ("table_name", self.table_box), ("action", self.action_box)):
            if box.currentData():
                q.equals[name] = box.currentData()
        if self.record.text().strip().isdigit():
            q.equals["record_id"] = int(self.record.text().strip())
        self.message.clear()
        try:
            lo, hi = parse_date(self.date_from.text()), parse_date(self.date_to.text())
        except ValueProblem as exc:
            self.message.setText(str(exc))
            lo = hi = None
        if lo or hi:
            q.ranges["at"] = (lo, (hi + "T99") if hi else None)
        return q

    def apply(self) -> None:
        self.model.set_query(self.build_query())
        self.count.setText(f"共 {self.model.rowCount():,} 条（{self.model.query.describe(self.ledger)}）")

    def show_detail(self, record_id: int | None) -> None:
        if record_id is None:
            self.detail.clear()
            return
        row = self.repo.get(record_id)
        before = json.loads(row["before"]) if row.get("before") else {}
        after = json.loads(row["after"]) if row.get("after") else {}
        keys = sorted(set(before) | set(after), key=lambda k: (before.get(k) == after.get(k), k))
        ledger = registry.by_table(row["table_name"])
        names = {f.name: f.label for f in ledger.fields} if ledger else {}
        names.update({"created_at": "创建时间", "updated_at": "修改时间", "deleted_at": "移入回收站时间",
                      "uuid": "唯一标识", "id": "记录号", "closed_on": "办结日期", "flags_manual": "手工标记",
                      "status_changed_at": "状态变更时间", "w_count": "名单人数", "w_owed_fen": "名单应发",
                      "w_paid_fen": "名单实发"})
        cells = "".join(
            f"<tr style='background:{'#fff3cd' if before.get(k) != after.get(k) and row['action'] == 'update' else 'white'}'>"
            f"<td>{names.get(k, k)}</td><td>{'' if before.get(k) is None else before.get(k)}</td>"
            f"<td>{'' if after.get(k) is None else after.get(k)}</td></tr>" for k in keys)
        self.detail.setHtml(f"<p>{row['at']}　{row['user']}　{ACTION_LABELS.get(row['action'], row['action'])}　"
                            f"{ledger.title if ledger else row['table_name']} #{row['record_id'] or ''}　{row['reason'] or ''}</p>"
                            f"<table border='1' cellspacing='0' cellpadding='3'><tr><th>字段</th><th>修改前</th>"
                            f"<th>修改后</th></tr>{cells}</table>")

    def export(self) -> None:
        try:
            from views.export_dialog import ExportDialog
        except ImportError:
            self.message.setText("导出功能尚未安装")
            return
        ExportDialog(self, self.ctx.store_path, "audit", self.model.query).exec()
