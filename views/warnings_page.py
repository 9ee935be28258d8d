"""预警: overdue, due soon, stalled, major and sensitive cases in one list."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from models import cases
from models.values import fen_to_yuan_text
from views.context import AppContext
from views.table_fit import FitColumns

COLUMNS = ("预警", "编号", "用人单位 / 项目", "责任专班", "包案责任人", "办结时限", "状态", "人数", "未付（元）")


class WarningsPage(QWidget):
    title = "预警"

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.summary = QLabel()
        self.table = QTableWidget(0, len(COLUMNS))   # at most a few hundred rows: a plain widget is fine
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.fitter = FitColumns(self.table, 2)   # 用人单位 / 项目 whole: the table scrolls instead
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.cellDoubleClicked.connect(self._open)
        self.empty = QLabel("目前没有预警。")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #2e7d32; font-size: 15px; padding: 30px;")
        settings = QGroupBox("预警阈值（可修改）")
        form = QFormLayout(settings)
        self.spins: dict[str, QSpinBox] = {}
        for key, label, hi in (("warn.due_soon_days", "到期前提醒（工作日）", 30),
                               ("warn.stalled_days", "久拖未动（天无变化）", 90),
                               ("major.workers", "重大：涉及人数达到", 1000)):
            s = QSpinBox()
            s.setRange(1, hi)
            s.setValue(cases.setting(ctx.store, key))
            s.setMaximumWidth(120)
            self.spins[key] = s
            form.addRow(label, s)
        self.major_wan = QSpinBox()
        self.major_wan.setRange(1, 100000)
        self.major_wan.setValue(cases.setting(ctx.store, "major.amount_fen") // 1_000_000)
        self.major_wan.setMaximumWidth(120)
        form.addRow("重大：欠薪金额达到（万元）", self.major_wan)
        save = QPushButton("保存阈值")
        save.setMaximumWidth(120)
        save.clicked.connect(self.save_settings)
        form.addRow("", save)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.empty)
        lay.addWidget(settings)
        ctx.bus.changed.connect(lambda _t: self.refresh())
        self.refresh()

    def save_settings(self) -> None:
        for key, s in self.spins.items():
            self.ctx.store.set_setting(key, s.value())
        self.ctx.store.set_setting("major.amount_fen", self.major_wan.value() * 1_000_000)
        self.ctx.bus.status.emit("预警阈值已保存")
        self.ctx.changed("setting")

    def refresh(self) -> None:
        today = self.ctx.today()
        rows = cases.warning_rows(self.ctx.store, today)
        counts = cases.warnings_summary(self.ctx.store, today)
        self.summary.setText("　".join(f"{k}：{counts.get(k, 0)} 件" for k in cases.WARNING_KINDS)
                             + f"　（截至 {today.isoformat()}）")
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            values = (r["kind"], r["case_no"], r["employer_name"] or r["project_name"], r["workstream"] or "",
                      r["owner_person"], r["deadline"] or "", r["status"], str(r["workers"]),
                      fen_to_yuan_text(r["outstanding_fen"]))
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                if j == 0:
                    item.setBackground(QBrush(QColor(cases.WARNING_COLOURS[r["kind"]])))
                    item.setData(Qt.ItemDataRole.UserRole, r["id"])
                if j >= 7:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, j, item)
        self.table.fitter.fit()
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)

    def _open(self, row: int, _col: int) -> None:
        case_id = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        page = self.ctx.navigate("cases")
        if page is not None and hasattr(page, "table"):
            page.table.select_record(case_id)
