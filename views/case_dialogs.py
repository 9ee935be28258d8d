"""Small dialogs of the case ledger: status change and repayment."""
from __future__ import annotations

import datetime as _dt

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QVBoxLayout)

from models.cases import FLOW, StatusChange
from models.ledgers.cases import CHANNELS, CLOSED_STATUSES, RESOLUTION_PATHS
from models.values import ValueProblem, fen_to_yuan_text, parse_date, parse_money


def _buttons(dlg: QDialog, ok_text: str) -> QDialogButtonBox:
    b = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    b.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    b.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    b.accepted.connect(dlg.accept)
    b.rejected.connect(dlg.reject)
    return b


class StatusDialog(QDialog):
    def __init__(self, parent, row: dict, verdicts: list[str], today: _dt.date) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"变更状态：{row['case_no']}")
        self.row = row
        self.to_box = QComboBox()
        for s in FLOW.get(row["status"], ()):
            self.to_box.addItem(s)
        self.on = QLineEdit(today.isoformat())
        self.verdict = QComboBox()
        self.verdict.setEditable(True)
        self.verdict.addItem("")
        self.verdict.addItems(verdicts)
        if row.get("verdict"):
            self.verdict.setCurrentText(row["verdict"])
        self.path = QComboBox()
        self.path.setEditable(True)
        self.path.addItem("")
        self.path.addItems(list(RESOLUTION_PATHS))
        if row.get("resolution_path"):
            self.path.setCurrentText(row["resolution_path"])
        self.note = QPlainTextEdit()
        self.note.setFixedHeight(60)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("当前状态", QLabel(f"{row['status']}（未付 {fen_to_yuan_text(row.get('outstanding_fen') or 0)} 元）"))
        form.addRow("改为", self.to_box)
        form.addRow("日期", self.on)
        form.addRow("核处结论", self.verdict)
        form.addRow("化解途径", self.path)
        form.addRow("说明", self.note)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(_buttons(self, "确定"))
        self.to_box.currentTextChanged.connect(self._hint)
        self._hint(self.to_box.currentText())
        self.resize(520, 360)

    def _hint(self, status: str) -> None:
        self.verdict.setEnabled(True)
        self.error.setText("办结须填写核处结论。" if status in CLOSED_STATUSES else "")

    def change(self) -> StatusChange:
        try:
            on = parse_date(self.on.text()) or _dt.date.today().isoformat()
        except ValueProblem as exc:
            from models.ledger.repo import ValidationError
            raise ValidationError([("status", str(exc))]) from exc
        return StatusChange(self.to_box.currentText(), on, self.note.toPlainText().strip(),
                            self.verdict.currentText().strip(), self.path.currentText().strip())

    def show_error(self, message: str) -> None:
        self.error.setText(message)


class RepaymentDialog(QDialog):
    """Record money paid: to one worker, or to the case when it lists no workers."""

    def __init__(self, parent, workers: list[tuple[int, str, int]], today: _dt.date,
                 default_payer: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("登记兑付")
        self.worker_box = QComboBox()
        if workers:
            for wid, name, outstanding in workers:
                self.worker_box.addItem(f"{name}（未付 {fen_to_yuan_text(outstanding)} 元）", (wid, outstanding))
        else:
            self.worker_box.addItem("（本问题未列农民工，计入问题）", (None, None))
        self.on = QLineEdit(today.isoformat())
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("元")
        self.payer = QLineEdit(default_payer)
        self.channel = QComboBox()
        self.channel.addItems(list(CHANNELS))
        self.voucher = QLineEdit()
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        form = QFormLayout()
        form.addRow("农民工", self.worker_box)
        form.addRow("兑付日期＊", self.on)
        form.addRow("金额（元）＊", self.amount)
        form.addRow("支付主体", self.payer)
        form.addRow("兑付渠道", self.channel)
        form.addRow("凭证号", self.voucher)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(_buttons(self, "登记"))
        self.worker_box.currentIndexChanged.connect(self._fill_amount)
        self._fill_amount()

    def _fill_amount(self) -> None:
        _wid, outstanding = self.worker_box.currentData()
        if outstanding:
            self.amount.setText(fen_to_yuan_text(outstanding, thousands=False))

    def values(self) -> dict:
        """Raises ValueProblem with a Chinese message."""
        wid, outstanding = self.worker_box.currentData()
        on = parse_date(self.on.text())
        if not on:
            raise ValueProblem("请填写兑付日期")
        amount = parse_money(self.amount.text())
        if amount <= 0:
            raise ValueProblem("兑付金额须大于零")
        if outstanding is not None and amount > outstanding:
            raise ValueProblem(f"兑付金额超过该农民工未付工资 {fen_to_yuan_text(outstanding)} 元")
        return {"worker_id": wid, "paid_on": on, "amount_fen": amount, "payer": self.payer.text().strip(),
                "channel": self.channel.currentText(), "voucher_no": self.voucher.text().strip()}

    def show_error(self, message: str) -> None:
        self.error.setText(message)
