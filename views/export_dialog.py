"""The export dialog: .xlsx (township layout) or .csv, 元 or 万元, masked or not, where to.

The export runs on a worker thread (``views.jobs.run_job``) with its own ``Store``;
the file appears only when it is complete.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QRadioButton, QVBoxLayout, QWidget)

from models.ledger import registry


class ExportDialog(QDialog):
    exported = Signal(str)           # the path written

    def __init__(self, parent: QWidget | None, store_path: str, kind: str, query=None,
                 user: str | None = None, may_unmask: bool = True, actor=None) -> None:
        super().__init__(parent)
        self.ledger = registry.get(kind)
        self.setWindowTitle(f"导出{self.ledger.title}")
        self.store_path = store_path
        self.kind = kind
        self.query = query
        self.user = user
        self.actor = actor
        self.job = None
        self.path: str | None = None

        self.xlsx_radio = QRadioButton("Excel 表格（.xlsx，含标题、合计、签字栏和打印设置）")
        self.csv_radio = QRadioButton("CSV 文本（.csv，供其他系统读取）")
        self.xlsx_radio.setChecked(True)
        self.xlsx_radio.toggled.connect(self._format_changed)
        self.encoding_combo = QComboBox()
        self.encoding_combo.addItem("UTF-8（带 BOM，新版 Excel / WPS）", "utf-8-sig")
        self.encoding_combo.addItem("GB18030（旧版 Excel）", "gb18030")
        self.unit_combo = QComboBox()
        self.unit_combo.addItem("元（两位小数）", False)
        self.unit_combo.addItem("万元", True)
        self.mask_box = QCheckBox("遮蔽身份证号码、银行卡号和电话（建议；报送上级时按要求选择）")
        self.mask_box.setChecked(True)
        self.mask_box.setEnabled(may_unmask)
        if not any(f.sensitive for f in self.ledger.export_fields):
            self.mask_box.setVisible(False)
        self.unit_edit = QLineEdit()
        self.unit_edit.setPlaceholderText("默认取当前专项行动的填报单位")
        self.out_edit = QLineEdit(str(Path.home() / f"{self.ledger.title}-{_dt.date.today():%Y%m%d}.xlsx"))
        browse = QPushButton("另存为…")
        browse.clicked.connect(self.choose_out)

        form = QFormLayout()
        fmt = QVBoxLayout()
        fmt.addWidget(self.xlsx_radio)
        fmt.addWidget(self.csv_radio)
        form.addRow("格式：", fmt)
        form.addRow("CSV 编码：", self.encoding_combo)
        form.addRow("金额单位：", self.unit_combo)
        form.addRow("填报单位：", self.unit_edit)
        form.addRow("", self.mask_box)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(browse)
        form.addRow("保存到：", out_row)
        if query is not None:
            form.addRow("范围：", QLabel(query.describe(self.ledger)))
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.export_button = QPushButton("导出")
        self.export_button.clicked.connect(self.export)
        self.close_button = QPushButton("取消")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.status_label)
        lay.addLayout(buttons)
        self._format_changed()

    def _format_changed(self, *_a) -> None:
        csv = self.csv_radio.isChecked()
        self.encoding_combo.setEnabled(csv)
        text = self.out_edit.text()
        if text:
            want = ".csv" if csv else ".xlsx"
            p = Path(text)
            if p.suffix.lower() in (".csv", ".xlsx") and p.suffix.lower() != want:
                self.out_edit.setText(str(p.with_suffix(want)))

    def choose_out(self) -> None:
        csv = self.csv_radio.isChecked()
        flt = "CSV 文件 (*.csv)" if csv else "Excel 表格 (*.xlsx)"
        path, _ = QFileDialog.getSaveFileName(self, "导出到", self.out_edit.text(), flt)
        if path:
            want = ".csv" if csv else ".xlsx"
            if Path(path).suffix.lower() != want:
                path += want
            self.out_edit.setText(path)

    def export(self) -> None:
        out = self.out_edit.text().strip()
        if not out:
            self.status_label.setText("请选择保存位置。")
            return
        store_path, kind, query, user, actor = self.store_path, self.kind, self.query, self.user, self.actor
        masked = self.mask_box.isChecked() or not self.mask_box.isEnabled()
        wan = bool(self.unit_combo.currentData())
        unit = self.unit_edit.text().strip()
        encoding = self.encoding_combo.currentData()

        def job(ctx):
            from models.db import Store
            from models.io.exporter import export_ledger
            store = Store(store_path, user, check=False)
            store.actor = actor
            try:
                if not masked:
                    from models.access import record_reveal
                    record_reveal(store, registry.get(kind).table, None, f"导出未遮蔽文件：{out}")
                return str(export_ledger(store, kind, out, query=query, masked=masked, wan=wan,
                                         unit_name=unit, ctx=ctx, encoding=encoding))
            finally:
                store.close()

        self.export_button.setEnabled(False)
        self.status_label.setStyleSheet("")
        self.status_label.setText("正在导出…")
        self.job = run_job_export(self, job)

    def _done(self, path: str) -> None:
        self.path = path
        self.export_button.setEnabled(True)
        self.status_label.setStyleSheet("color: #1e8449; font-weight: bold;")
        self.status_label.setText(f"已导出：{path}")
        self.close_button.setText("关闭")
        self.exported.emit(path)

    def _failed(self, exc: Exception) -> None:
        self.export_button.setEnabled(True)
        self.status_label.setStyleSheet("color: #c0392b;")
        if isinstance(exc, OSError):
            self.status_label.setText(f"无法写入文件：{exc.strerror or exc}（文件是否正在 Excel 中打开？）")
        else:
            self.status_label.setText(f"导出失败：{exc}")

    def _cancelled(self) -> None:
        self.export_button.setEnabled(True)
        self.status_label.setText("已取消导出，未生成文件。")

    def reject(self) -> None:
        if self.job is not None and self.job.thread.isRunning():
            self.job.cancel()
            self.job.wait(10000)
        super().reject()


def run_job_export(dialog: ExportDialog, job):
    from views.jobs import run_job
    return run_job(dialog, "正在导出", job, on_done=dialog._done, on_error=dialog._failed,
                   on_cancel=dialog._cancelled)
