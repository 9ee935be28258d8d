"""数据审核: run the consistency checks, see each finding with its rule and record,
and sign a workstream's ledger off (审核签字). Late work (逾期问题, 逾期交办事项) is listed
below as 工作预警: it is followed up (督办), it is not a fault in the data and never stops a
signature."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from models import campaign, signoff
from models.checks import CheckReport, rule_titles
from models.completion import list_incomplete
from models.db import PermissionDenied, Store
from views.context import AppContext
from views.jobs import run_job

COLUMNS = ("规则", "台账", "记录", "问题", "签字说明（理由）")
WARNING_COLUMNS = ("预警", "记录", "情况")
TABLE_LABELS = {"case_record": "欠薪问题", "worker": "农民工", "repayment": "兑付", "action_item": "交办事项"}


class ChecksPage(QWidget):
    title = "数据审核"

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: CheckReport | None = None
        self.status = QLabel("尚未运行审核。")
        self.status.setWordWrap(True)
        run_btn = QPushButton("运行审核")
        run_btn.clicked.connect(self.run)
        self.ws_box = QComboBox()
        self.ws_box.addItem("全部专班", None)
        for ws in campaign.workstreams(ctx.store):
            self.ws_box.addItem(ws["name"], ws["id"])
        self.ws_box.currentIndexChanged.connect(self.show_report)
        top = QHBoxLayout()
        top.addWidget(run_btn)
        top.addWidget(QLabel("专班"))
        top.addWidget(self.ws_box)
        top.addWidget(self.status, 1)
        self.table = QTableWidget(0, len(COLUMNS))   # findings are few; a plain widget is right here
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.cellDoubleClicked.connect(self._open)
        self.warn_box = QGroupBox("工作预警（督办事项，不属于数据问题，不影响审核结论和签字）")
        self.warn_table = QTableWidget(0, len(WARNING_COLUMNS))
        self.warn_table.setHorizontalHeaderLabels(WARNING_COLUMNS)
        self.warn_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.warn_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.warn_table.cellDoubleClicked.connect(self._open_warning)
        QVBoxLayout(self.warn_box).addWidget(self.warn_table)
        self.warn_box.setVisible(False)
        sign_box = QGroupBox("审核签字")
        self.as_of = QLineEdit(ctx.today().isoformat())
        self.as_of.setMaximumWidth(110)
        sign_btn = QPushButton("为所选专班签字")
        sign_btn.clicked.connect(self.sign)
        self.sign_msg = QLabel()
        self.sign_msg.setWordWrap(True)
        self.signed = QLabel()
        self.signed.setWordWrap(True)
        sl = QVBoxLayout(sign_box)
        row = QHBoxLayout()
        row.addWidget(QLabel("截至日期"))
        row.addWidget(self.as_of)
        row.addWidget(sign_btn)
        row.addWidget(self.sign_msg, 1)
        sl.addLayout(row)
        rule = QLabel("审核通过即可签字；仍有问题的，须在上表最后一列逐条写明理由后签字。签字后修改该专班已签记录须填写理由，"
                      "并在下期报表中标注“签字后修改”。")
        rule.setWordWrap(True)          # wraps with the window instead of widening it
        sl.addWidget(rule)
        sl.addWidget(self.signed)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 2)
        lay.addWidget(self.warn_box, 1)
        lay.addWidget(self._gap_box(), 1)
        lay.addWidget(sign_box)
        self._show_signoffs()

    def run(self) -> None:
        path, today, user = self.ctx.store_path, self.ctx.today(), self.ctx.user

        def work(jc):
            s = Store(path, user, check=False)
            try:
                jc.progress(0, 1, "正在审核…")
                from models.checks_incremental import check
                report, _done = check(s, today)        # only what changed since the last check

                report.incomplete = list_incomplete(s)      # 待补录, shown apart
                return report
            finally:
                s.close()
        self.status.setText("正在审核…")
        run_job(self, "数据审核", work, on_done=self._done,
                on_error=lambda exc: self.status.setText(f"审核未完成：{exc}"))

    def _done(self, report: CheckReport) -> None:
        self.report = report
        self.show_report()
        self._show_gaps(getattr(report, "incomplete", []))

    # -- 待补录: records incomplete but not wrong (an old ledger's closed case without 核处结论) -------
    def _gap_box(self) -> QGroupBox:
        box = QGroupBox("待补录（不属于数据问题，照常计入台账；双击打开记录补录）")
        self.gap_table = QTableWidget(0, 3)
        self.gap_table.setHorizontalHeaderLabels(("记录", "待补栏目", "说明"))
        self.gap_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.gap_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.gap_table.cellDoubleClicked.connect(self._open_gap)
        self.gap_summary = QLabel("运行审核后列出。")
        gl = QVBoxLayout(box)
        gl.addWidget(self.gap_summary)
        gl.addWidget(self.gap_table)
        return box

    def _show_gaps(self, gaps) -> None:
        from models.completion import summary
        self.gap_summary.setText(summary(gaps) + "。")
        self.gap_table.setRowCount(len(gaps))
        for i, g in enumerate(gaps):
            for j, v in enumerate((g.label, g.field_label, g.message)):
                item = QTableWidgetItem(v)
                if j == 0:
                    item.setData(Qt.ItemDataRole.UserRole, (g.table, g.record))
                self.gap_table.setItem(i, j, item)
        self.gap_table.resizeColumnToContents(0)

    def _open_gap(self, row: int, _col: int) -> None:
        table, record = self.gap_table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        if table == "case_record":
            self.ctx.navigate("cases").table.select_record(record)

    def _visible_findings(self):
        ws = self.ws_box.currentData()
        if self.report is None:
            return []
        if ws is None:
            return self.report.findings
        return signoff.findings_for(self.ctx.store, self.report, ws)

    def show_report(self) -> None:
        if self.report is None:
            return
        titles = rule_titles()
        findings = self._visible_findings()
        self.status.setText(f"{self.report.summary()}；当前显示 {len(findings)} 处。" if findings else
                            f"{self.report.summary()}；所选范围内没有问题。")
        self.status.setStyleSheet("color: #2e7d32;" if not findings else "color: #c0392b;")
        self.table.setRowCount(len(findings))
        for i, f in enumerate(findings):
            cells = (titles.get(f.rule, f.rule), TABLE_LABELS.get(f.table, f.table), f.label, f.message, "")
            for j, v in enumerate(cells):
                item = QTableWidgetItem(v)
                if j < 4:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if j == 0:
                    item.setData(Qt.ItemDataRole.UserRole, signoff.finding_key(f))
                    item.setData(Qt.ItemDataRole.UserRole + 1, (f.table, f.record))
                self.table.setItem(i, j, item)
        self.table.resizeColumnToContents(0)
        self._show_warnings(titles)

    def _visible_warnings(self):
        ws = self.ws_box.currentData()
        warnings = self.report.warnings if self.report is not None else []
        if ws is None:
            return warnings
        return [w for w in warnings if signoff.workstream_of(self.ctx.store, w.table, w.record) == ws]

    def _show_warnings(self, titles: dict) -> None:
        rows = self._visible_warnings()
        self.warn_box.setVisible(bool(rows))
        if self.report is not None and rows:
            self.warn_box.setTitle(f"工作预警（{self.report.warning_text().removeprefix('预警：')}；"
                                   "督办事项，不属于数据问题，不影响审核结论和签字）")
        self.warn_table.setRowCount(len(rows))
        for i, w in enumerate(rows):
            for j, v in enumerate((titles.get(w.rule, w.rule), w.label, w.message)):
                item = QTableWidgetItem(v)
                if j == 0:
                    item.setData(Qt.ItemDataRole.UserRole + 1, (w.table, w.record))
                self.warn_table.setItem(i, j, item)
        self.warn_table.resizeColumnToContents(0)
        self.warn_table.resizeColumnToContents(1)

    def _open_warning(self, row: int, _col: int) -> None:
        table, record = self.warn_table.item(row, 0).data(Qt.ItemDataRole.UserRole + 1)
        if table == "case_record":
            page = self.ctx.navigate("cases")
            page.table.select_record(record)

    def sign(self) -> None:
        ws = self.ws_box.currentData()
        if ws is None:
            self.sign_msg.setText("请先在上方选择要签字的专班。")
            return
        if self.report is None:
            self.sign_msg.setText("请先运行审核。")
            return
        reasons = {}
        for r in range(self.table.rowCount()):
            key = self.table.item(r, 0).data(Qt.ItemDataRole.UserRole)
            reason = self.table.item(r, 4).text() if self.table.item(r, 4) else ""
            reasons[key] = reason
        try:
            signoff.sign_off(self.ctx.store, ws, self.as_of.text().strip(), reasons, self.ctx.today())
        except (ValueError, PermissionDenied) as exc:
            self.sign_msg.setStyleSheet("color: #c0392b;")
            self.sign_msg.setText(str(exc))
            return
        self.sign_msg.setStyleSheet("color: #2e7d32;")
        self.sign_msg.setText("已签字。")
        self._show_signoffs()
        self.ctx.changed("signoff")

    def _show_signoffs(self) -> None:
        lines = []
        for s in signoff.signoffs(self.ctx.store):
            if s["signed_at"]:
                state = "审核通过" if s["passed"] else "有问题已说明理由"
                lines.append(f"{s['workstream']}：截至 {s['as_of']}，{s.get('signer') or s['signed_by']} 于 {s['signed_at'].replace('T', ' ')} 签字（{state}）")
            else:
                lines.append(f"{s['workstream']}：尚未签字")
        self.signed.setText("\n".join(lines))

    def _open(self, row: int, _col: int) -> None:
        table, record = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole + 1)
        if table == "case_record":
            page = self.ctx.navigate("cases")
            page.table.select_record(record)
        elif table == "project":
            self.ctx.navigate("projects").select_project(record)
