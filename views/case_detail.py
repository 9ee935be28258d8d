"""The detail pane under the case table: summary, workers, repayments (each with its 付款凭证),
the case's 证据材料 (attachments, previewed), history."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QMessageBox, QPushButton, QSplitter, QTabWidget,
                               QTextBrowser, QVBoxLayout, QWidget)

from models import audit, case_workers, cases
from models.ledger.repo import Query, ValidationError
from models.values import ValueProblem, fen_to_yuan_text
from views.attachments.attachments_pane import AttachmentsPane
from views.case_dialogs import RepaymentDialog
from views.context import AppContext
from views.ledger_model import LedgerTableModel
from views.ledger_table import LedgerTableView
from views.record_form import RecordForm

FIELD_LABELS_SKIP = {"id", "uuid", "w_count", "w_owed_fen", "w_paid_fen", "created_at"}


class CaseDetail(QTabWidget):
    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id: int | None = None
        self.case_repo = cases.repo(ctx.store)
        self.summary = QTextBrowser()
        self.addTab(self.summary, "概况")

        self.workers_repo = case_workers.workers_repo(ctx.store)
        wfields = [f for f in self.workers_repo.ledger.table_fields if f.name != "case_id"]
        self.workers_model = LedgerTableModel(self.workers_repo, wfields, self)
        self.workers_table = LedgerTableView(self.workers_model, ctx.prefs, "case_workers", self)
        self.workers_table.activatedRecord.connect(self.edit_worker)
        wbox = QWidget()
        wl = QVBoxLayout(wbox)
        wl.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        for text, slot in (("添加农民工", self.add_worker), ("编辑", lambda: self.edit_worker(self.workers_table.current_id())),
                           ("移入回收站", self.recycle_worker), ("登记兑付", self.add_repayment),
                           ("导入名册…", self.import_workers)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        # 人数 / 应发 / 实发 / 欠发: on one line beside the buttons, or in a narrow window (1366×768
        # at 150 %) on two, broken only between its parts, instead of widening the page past it
        self.workers_total = QLabel()
        self.workers_total.setWordWrap(True)
        self.workers_total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar.addWidget(self.workers_total, 1)
        wl.addLayout(bar)
        wl.addWidget(self.workers_table)
        self.addTab(wbox, "农民工（实名）")

        self.pay_repo = case_workers.repayments_repo(ctx.store)
        pfields = [f for f in self.pay_repo.ledger.table_fields if f.name != "case_id"]
        self.pay_model = LedgerTableModel(self.pay_repo, pfields, self)
        self.pay_table = LedgerTableView(self.pay_model, ctx.prefs, "case_repayments", self)
        pbox = QWidget()
        pl = QVBoxLayout(pbox)
        pl.setContentsMargins(0, 0, 0, 0)
        pbar = QHBoxLayout()
        b = QPushButton("登记兑付")
        b.clicked.connect(self.add_repayment)
        pbar.addWidget(b)
        b2 = QPushButton("撤销所选兑付")
        b2.clicked.connect(self.recycle_repayment)
        pbar.addWidget(b2)
        pbar.addStretch(1)
        pl.addLayout(pbar)
        psplit = QSplitter(Qt.Orientation.Horizontal)
        psplit.addWidget(self.pay_table)
        # the selected repayment's 付款凭证 (回单, 签领表), beside the list
        self.pay_files = AttachmentsPane(ctx, self, default_evidence="付款凭证")
        psplit.addWidget(self.pay_files)
        psplit.setStretchFactor(0, 3)
        psplit.setStretchFactor(1, 2)
        pl.addWidget(psplit)
        self.pay_table.selectionModel().currentRowChanged.connect(lambda *_: self._show_pay_files())
        self.pay_model.modelReset.connect(self._show_pay_files)
        self.addTab(pbox, "兑付记录")

        self.files = AttachmentsPane(ctx, self)
        self.files.changed.connect(self._count_files)
        self.files_tab = self.addTab(self.files, "证据材料")

        self.history = QTextBrowser()
        self.addTab(self.history, "处理经过")
        self.show_case(None)

    def compact_height(self) -> int:
        """Height of the pane's page when no case is chosen: its one line of hint."""
        return self.fontMetrics().lineSpacing() * 2 + 16

    def show_case(self, case_id: int | None) -> None:
        self.case_id = case_id
        q = Query(equals={"case_id": case_id if case_id is not None else -1})
        self.workers_model.set_query(q)
        self.pay_model.set_query(Query(equals={"case_id": case_id if case_id is not None else -1}))
        self.files.set_record("case_record", case_id)
        self._count_files()
        if case_id is None:
            self.summary.setHtml("<p style='color:#777'>在上方台账中选中一条问题，这里显示它的概况、农民工、兑付记录和处理经过。</p>")
            self.history.clear()
            self.workers_total.clear()
            return
        row = self.case_repo.get(case_id)
        if row is None:
            return
        fields = self.case_repo.ledger.fields
        cells = []
        for f in fields:
            value = row.get(f"{f.name}__label") if f.kind == "ref" else f.format(row.get(f.name))
            if value in (None, ""):
                continue
            cells.append(f"<tr><td style='color:#555;padding-right:12px'>{f.label}</td><td>{value}</td></tr>")
        self.summary.setHtml(f"<table>{''.join(cells)}</table>")
        t = self.workers_repo.totals(q)
        parts = (f"{self.workers_model.rowCount()} 人", f"应发 {fen_to_yuan_text(t.get('owed_fen', 0))}",
                 f"实发 {fen_to_yuan_text(t.get('paid_fen', 0))}", f"欠发 {fen_to_yuan_text(t.get('outstanding_fen', 0))} 元")
        self.workers_total.setText("　".join(_unbroken(p) for p in parts))
        self._show_history(case_id)

    def _count_files(self) -> None:
        n = len(self.files.rows)
        self.setTabText(self.files_tab, f"证据材料（{n}）" if n else "证据材料")

    def _show_pay_files(self) -> None:
        self.pay_files.set_record("repayment", self.pay_table.current_id() if self.case_id is not None else None)

    def _show_history(self, case_id: int) -> None:
        lines = ["<h4>状态变更</h4><ul>"]
        for s in cases.status_log(self.ctx.store, case_id):
            frm = f"{s['from_status']} → " if s["from_status"] else ""
            note = f"（{s['note']}）" if s["note"] else ""
            lines.append(f"<li>{s['changed_on'].replace('T', ' ')[:16]}　{frm}{s['to_status']}　{s['user']}{note}</li>")
        lines.append("</ul><h4>修改记录（审计日志）</h4><ul>")
        labels = {f.name: f.label for f in self.case_repo.ledger.fields}
        for h in audit.history(self.ctx.store.conn, "case_record", case_id):
            changed = [c for c in h["changed"] if c not in FIELD_LABELS_SKIP]
            detail = "、".join(f"{labels.get(c, c)}：{h['before'].get(c, '')} → {h['after'].get(c, '')}"
                              for c in changed[:6]) if h["action"] == "update" else ""
            reason = f"（理由：{h['reason']}）" if h["reason"] else ""
            lines.append(f"<li>{h['at'].replace('T', ' ')}　{h['user']}　{h['action_label']}　{detail}{reason}</li>")
        lines.append("</ul>")
        self.history.setHtml("".join(lines))

    # -- actions -------------------------------------------------------------------
    def _need_case(self) -> bool:
        if self.case_id is None:
            QMessageBox.information(self, "提示", "请先在台账中选中一条问题。")
            return False
        return True

    def add_worker(self) -> None:
        if not self._need_case():
            return
        cid = self.case_id
        form = RecordForm(self, self.workers_repo.ledger, "添加农民工", {}, fixed={"case_id": cid},
                          on_save=lambda v, reason="": case_workers.add_worker(self.ctx.store, cid, v, reason))
        if form.exec():
            self.ctx.changed("worker")

    def edit_worker(self, worker_id: int | None) -> None:
        if worker_id is None:
            return
        row = self.workers_repo.get(worker_id)
        form = RecordForm(self, self.workers_repo.ledger, f"农民工：{row['name']}", row,
                          fixed={"case_id": row["case_id"]},
                          on_save=lambda v, reason="": case_workers.edit_worker(self.ctx.store, worker_id, v, reason))
        if form.exec():
            self.ctx.changed("worker")

    def import_workers(self) -> None:
        if not self._need_case():
            return
        from views import ledger_io
        row = self.case_repo.get(self.case_id)
        ledger_io.open_import(self, self.ctx, "workers", row["case_no"])

    def recycle_worker(self) -> None:
        ids = self.workers_table.selected_ids()
        if not ids:
            QMessageBox.information(self, "移入回收站", "请先选中要移入回收站的农民工。")
            return
        from models.ledger.service import service_for
        from views.reason_prompt import recycle_with_reason, which
        svc = service_for(self.ctx.store, "workers", today=self.ctx.today())
        if recycle_with_reason(self, "移入回收站", f"将选中的 {which(self.workers_repo, ids, '名农民工')}移入回收站。",
                               lambda why: svc.recycle(ids, why)):
            self.ctx.changed("worker")

    def add_repayment(self) -> None:
        if not self._need_case():
            return
        cid = self.case_id
        listed = case_workers.case_workers(self.ctx.store, cid)
        workers = [(w["id"], w["name"], w["outstanding_fen"]) for w in listed if w["outstanding_fen"] > 0]
        row = self.case_repo.get(cid)
        if listed and not workers:
            QMessageBox.information(self, "登记兑付", "本问题所列农民工的工资已全部付清。")
            return
        dlg = RepaymentDialog(self, workers, self.ctx.today(), row.get("employer_name", ""))
        from views.reason_prompt import with_reason
        while dlg.exec():
            try:
                values = dlg.values()
                done = with_reason(self, "登记兑付", lambda why: case_workers.record_repayment(
                    self.ctx.store, cid, values, why), raise_invalid=True)
            except (ValueProblem, ValidationError) as exc:
                dlg.show_error(str(exc))
                continue
            if done:
                self.ctx.changed("repayment")
            break

    def recycle_repayment(self) -> None:
        ids = self.pay_table.selected_ids()
        if not ids:
            QMessageBox.information(self, "撤销兑付", "请先选中要撤销的兑付记录。")
            return
        from models.ledger.service import service_for
        from views.reason_prompt import recycle_with_reason
        svc = service_for(self.ctx.store, "repayments", today=self.ctx.today())
        if recycle_with_reason(self, "撤销兑付", f"撤销选中的 {len(ids)} 笔兑付，已付金额将相应减少。",
                               lambda why: svc.recycle(ids, why)):
            self.ctx.changed("repayment")


def _unbroken(text: str) -> str:
    """``text`` kept on one line when its label wraps: Qt breaks Chinese text between any two
    characters (实 / 发), so each is joined to the next (U+2060) and spaces made non-breaking."""
    return "\u2060".join(text.replace(" ", "\u00a0"))
