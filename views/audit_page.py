"""审计日志: who changed what and when, before and after; filtered and exportable."""
from __future__ import annotations

import html
import json

from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTextBrowser,
                               QVBoxLayout, QWidget)

from models import access, audit
from models.audit import ACTION_LABELS
from models.ledger import registry
from models.ledger.repo import LedgerRepo, Query
from models.values import ValueProblem, parse_date
from views.context import AppContext
from views.detail_split import DetailSplitter
from views.ledger_model import LedgerTableModel
from views.ledger_table import LedgerTableView


EMPTY_HINT = "在上方选中一条记录，这里显示它修改前后的内容。"


class AuditModel(LedgerTableModel):
    """The log's rows as people read them: times without "T", tables by their Chinese names."""

    def display(self, f, rec: dict) -> str:
        if f.name == "at":
            return audit.time_text(rec.get("at"))
        if f.name == "table_name":
            return audit.table_label(rec.get("table_name"))
        return super().display(f, rec)


class AuditPage(QWidget):
    title = "审计日志"

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.revealed: dict[str, str] = {}        # the full numbers last shown (办公室 only)
        self.ledger = registry.get("audit")
        self.repo = LedgerRepo(ctx.store, self.ledger)
        fields = [f for f in self.ledger.table_fields if f.name not in ("before", "after")]
        self.model = AuditModel(self.repo, fields, self)
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
        # the boxes narrow with the window (a long item is shown whole in the open list)
        for box, chars in ((self.user_box, 4), (self.table_box, 6), (self.action_box, 4)):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(chars)
        digits = self.fontMetrics().horizontalAdvance("0")
        self.record.setMinimumWidth(digits * 7 + 16)
        for w in (self.date_from, self.date_to):
            w.setMinimumWidth(self.fontMetrics().horizontalAdvance("2026-12-31") + 16)
        bar = QHBoxLayout()
        for w in (QLabel("操作人"), self.user_box, QLabel("数据表"), self.table_box, QLabel("操作"), self.action_box,
                  self.record, QLabel("日期"), self.date_from, QLabel("—"), self.date_to):
            bar.addWidget(w)
        bar.addStretch(1)
        buttons = QHBoxLayout()
        for w in (go, export, self.reveal_button):
            buttons.addWidget(w)
        buttons.addWidget(self.message, 1)
        self.detail = QTextBrowser()
        self.split = DetailSplitter(self.table, self.detail,
                                    lambda: self.detail.fontMetrics().lineSpacing() * 2 + 16)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addLayout(buttons)
        lay.addWidget(self.split, 1)
        self.count = QLabel()
        lay.addWidget(self.count)
        self.table.currentRecord.connect(self.show_detail)
        self.show_detail(None)
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
            self.table_box.addItem(audit.table_label(t), t)
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
        self.split.set_chosen(record_id is not None)
        if record_id is None:
            self.detail.setHtml(f"<p style='color:#777'>{EMPTY_HINT}</p>")
            self.reveal_button.setEnabled(False)
            return
        row = self.repo.get(record_id)
        self.reveal_button.setEnabled(bool(self._revealable(row)))
        before = json.loads(row["before"]) if row.get("before") else {}
        after = json.loads(row["after"]) if row.get("after") else {}
        keys = sorted(set(before) | set(after), key=lambda k: (before.get(k) == after.get(k), k))
        table = row["table_name"]
        changed = row["action"] == "update"
        cells = "".join(
            f"<tr style='background:{'#fff3cd' if changed and before.get(k) != after.get(k) else 'white'}'>"
            f"<td>{html.escape(audit.column_label(table, k))}</td><td>{html.escape(self._value(table, k, before.get(k)))}</td>"
            f"<td>{html.escape(self._value(table, k, after.get(k)))}</td></tr>" for k in keys)
        self.detail.setHtml(f"<p>{audit.time_text(row['at'])}　{html.escape(row['user'] or '')}　"
                            f"{ACTION_LABELS.get(row['action'], row['action'])}　"
                            f"{html.escape(audit.table_label(table))} #{row['record_id'] or ''}　"
                            f"{html.escape(row['reason'] or '')}</p>"
                            f"<table border='1' cellspacing='0' cellpadding='3'><tr><th>字段</th><th>修改前</th>"
                            f"<th>修改后</th></tr>{cells}</table>")

    def _value(self, table: str, column: str, value) -> str:
        """A logged value as its ledger shows it; a reference by the name it points to."""
        ledger = registry.by_table(table)
        if value is not None and ledger is not None and ledger.has(column) and ledger.field(column).kind == "ref":
            from models.ledger_refs import ref_options
            label = dict(ref_options(self.ctx.store, ledger.field(column), limit=0, keep=value)).get(value)
            return f"{label}（记录号 {value}）" if label is not None else str(value)
        return audit.value_text(table, column, value)

    def export(self) -> None:
        from views.ledger_io import open_export      # with the logged-in account; never unmasked
        open_export(self, self.ctx, "audit", self.model.query)
