"""审计日志: who changed what and when, before and after; filtered and exportable."""
from __future__ import annotations

import html
import json

from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSplitter, QTextBrowser,
                               QVBoxLayout, QWidget)
from PySide6.QtCore import Qt

from models import access, audit
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
        self.revealed: dict[str, str] = {}        # the full numbers last shown (办公室 only)
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
        # the log keeps personal numbers masked; 办公室 may look up the record's full numbers,
        # and that look-up is itself written to the log
        self.reveal_button = QPushButton("显示完整号码")
        self.reveal_button.setToolTip("仅办公室账号：显示所选记录现有的完整身份证号码、银行卡号和电话（记入审计日志）")
        self.reveal_button.clicked.connect(self.reveal)
        self.reveal_button.setVisible(self._may_reveal())
        self.reveal_button.setEnabled(False)
        bar = QHBoxLayout()
        for w in (QLabel("操作人"), self.user_box, QLabel("数据表"), self.table_box, QLabel("操作"), self.action_box,
                  self.record, QLabel("日期"), self.date_from, QLabel("—"), self.date_to, go, export,
                  self.reveal_button):
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

    def _may_reveal(self) -> bool:
        actor = self.ctx.actor
        return actor.is_office if actor is not None else not access.has_accounts(self.ctx.store.conn)

    def _revealable(self, row) -> list[str]:
        """The masked columns of the audited record that its table still has."""
        if not row or not row.get("record_id") or row.get("table_name") in (None, "audit_log", "account"):
            return []
        table = row["table_name"]
        cols = {r[1] for r in self.ctx.store.query(f'PRAGMA table_info("{table}")')}
        return [c for c in audit.masked_columns(table) if c in cols]

    def reveal(self) -> None:
        """办公室 only: the full numbers the selected record holds now, audited as a reveal."""
        audit_id = self.table.current_id()
        if audit_id is None or not self._may_reveal():
            return
        row = self.repo.get(audit_id)
        cols = self._revealable(row)
        if not cols:
            self.message.setText("所选记录没有身份证号码、银行卡号或电话。")
            return
        table, record_id = row["table_name"], row["record_id"]
        live = self.ctx.store.one(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{table}" '
                                  "WHERE id = ?", (record_id,))
        if live is None:
            self.message.setText("该记录已被删除，没有可显示的号码。")
            return
        access.record_reveal(self.ctx.store, table, record_id, "审计日志：所记录的完整号码")
        ledger = registry.by_table(table)
        names = {f.name: f.label for f in ledger.fields} if ledger else {}
        self.revealed = {names.get(c, c): live[c] for c in cols}
        cells = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v or ''))}</td></tr>"
                        for k, v in self.revealed.items())
        self.detail.append(f"<p><b>该记录现有的完整号码</b>（此次查看已记入审计日志）</p>"
                           f"<table border='1' cellspacing='0' cellpadding='3'>{cells}</table>")

    def show_detail(self, record_id: int | None) -> None:
        self.revealed = {}
        if record_id is None:
            self.detail.clear()
            self.reveal_button.setEnabled(False)
            return
        row = self.repo.get(record_id)
        self.reveal_button.setEnabled(bool(self._revealable(row)))
        before = json.loads(row["before"]) if row.get("before") else {}
        after = json.loads(row["after"]) if row.get("after") else {}
        keys = sorted(set(before) | set(after), key=lambda k: (before.get(k) == after.get(k), k))
        ledger = registry.by_table(row["table_name"])
        names = {f.name: f.label for f in ledger.fields} if ledger else {}
        names.update({"pw_hash": "密码", "created_at": "创建时间", "updated_at": "修改时间", "deleted_at": "移入回收站时间",
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
        from views.ledger_io import open_export      # with the logged-in account; never unmasked
        open_export(self, self.ctx, "audit", self.model.query)
