"""县级汇总: one row per township from its latest 报送包 (models.exchange.county), the county
total above, sortable by any column, with red and yellow marks by the county's thresholds:
清偿率 below the red line, more overdue cases than the yellow line, a 报送 older than the
stale line. The thresholds are the county database's settings (办公室 may change them here)."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QDoubleSpinBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSpinBox,
                               QTableView, QVBoxLayout, QWidget)

from models.db import PermissionDenied
from models.exchange import county, identity
from models.values import fen_to_yuan_text
from views.context import AppContext

RED_BG, RED_FG = QColor("#fde2e1"), QColor("#b3261e")
YELLOW_BG, YELLOW_FG = QColor("#fff4c2"), QColor("#7a5a00")

# (header, key, kind): kind says how a value shows and sorts
COLUMNS = (
    ("乡镇", "name", "text"), ("代码", "code", "text"), ("问题数", "cases", "int"), ("涉及人数", "workers", "int"),
    ("欠薪总额（元）", "owed_fen", "fen"), ("已兑付（元）", "paid_fen", "fen"), ("清偿率", "cleared_pct", "pct"),
    ("逾期", "overdue", "int"), ("久拖未动", "stalled", "int"), ("在办重大", "major_open", "int"),
    ("数据截至", "as_of", "time"), ("距今（天）", "days_since_report", "int"), ("报送序号", "sequence", "int"),
)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def mark(line: dict, key: str, limits: dict) -> str | None:
    """"red", "yellow" or None for one cell of a township's line."""
    if key == "cleared_pct" and line["owed_fen"] and line["cleared_pct"] < float(limits[identity.CLEARED_RED]):
        return "red"
    if key == "overdue" and line["overdue"] > int(limits[identity.OVERDUE_YELLOW]):
        return "yellow"
    if key == "days_since_report" and line["days_since_report"] > int(limits[identity.STALE_DAYS]):
        return "yellow"
    return None


class TownshipModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.lines: list[dict] = []
        self.limits: dict = dict(identity.DEFAULT_THRESHOLDS)

    def set_lines(self, lines: list[dict], limits: dict) -> None:
        self.beginResetModel()
        self.lines, self.limits = lines, limits
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        _title, key, kind = COLUMNS[index.column()]
        value = line.get(key)
        if role == Qt.ItemDataRole.DisplayRole:
            if kind == "fen":
                return fen_to_yuan_text(value)
            if kind == "pct":
                return f"{value}%"
            if kind == "int":
                return f"{value:,}"
            if kind == "time":
                return str(value).replace("T", " ")[:16]
            return str(value)
        if role == SORT_ROLE:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and kind in ("int", "fen", "pct"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        m = mark(line, key, self.limits)
        if m and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(RED_BG if m == "red" else YELLOW_BG)
        if m and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(RED_FG if m == "red" else YELLOW_FG)
        if m and role == Qt.ItemDataRole.ToolTipRole:
            return {"cleared_pct": f"清偿率低于 {self.limits[identity.CLEARED_RED]}%",
                    "overdue": f"逾期问题多于 {self.limits[identity.OVERDUE_YELLOW]} 件",
                    "days_since_report": f"超过 {self.limits[identity.STALE_DAYS]} 天未报送"}[key]
        return None


class CountyPage(QWidget):
    title = "县级汇总"

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = TownshipModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COLUMNS.index(("清偿率", "cleared_pct", "pct")), Qt.SortOrder.AscendingOrder)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.red = QDoubleSpinBox()
        self.red.setRange(0, 100)
        self.red.setDecimals(1)
        self.red.setSuffix(" %")
        self.yellow = QSpinBox()
        self.yellow.setRange(0, 100000)
        self.yellow.setSuffix(" 件")
        self.stale = QSpinBox()
        self.stale.setRange(1, 365)
        self.stale.setSuffix(" 天")
        save = QPushButton("保存阈值")
        save.clicked.connect(self.save_thresholds)
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.refresh)
        limits = QHBoxLayout()
        red_tag = QLabel("　红色：清偿率低于")
        red_tag.setStyleSheet(f"color: {RED_FG.name()};")
        limits.addWidget(red_tag)
        limits.addWidget(self.red)
        yellow_tag = QLabel("　黄色：逾期问题多于")
        yellow_tag.setStyleSheet(f"color: {YELLOW_FG.name()};")
        limits.addWidget(yellow_tag)
        limits.addWidget(self.yellow)
        stale_tag = QLabel("　或超过")
        stale_tag.setStyleSheet(f"color: {YELLOW_FG.name()};")
        limits.addWidget(stale_tag)
        limits.addWidget(self.stale)
        limits.addWidget(QLabel("未报送"))
        limits.addWidget(save)
        limits.addStretch(1)
        limits.addWidget(refresh)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addWidget(self.summary)
        lay.addLayout(limits)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.note)
        ctx.bus.changed.connect(lambda _t: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        store = self.ctx.store
        today = self.ctx.today()
        cf = county.county_figures(store, today)
        limits = identity.thresholds(store)
        self.red.setValue(float(limits[identity.CLEARED_RED]))
        self.yellow.setValue(int(limits[identity.OVERDUE_YELLOW]))
        self.stale.setValue(int(limits[identity.STALE_DAYS]))
        self.model.set_lines(cf.townships, limits)
        self.heading.setText(f"{cf.county or '本县'}各乡镇清欠情况（{len(cf.townships)} 个乡镇已报送）")
        t = cf.totals
        if cf.townships:
            self.summary.setText(
                f"全县合计：欠薪问题 {t['cases']:,} 件，涉及农民工 {t['workers']:,} 人，欠薪总额 "
                f"{fen_to_yuan_text(t['owed_fen'])} 元，已兑付 {fen_to_yuan_text(t['paid_fen'])} 元，"
                f"清偿率 {t['cleared_pct']}%；逾期 {t['overdue']} 件，久拖未动 {t['stalled']} 件，"
                f"在办重大 {t['major_open']} 件。")
        else:
            self.summary.setText("尚未接收任何乡镇的报送包。用 qingqian package import 报送包文件 --db 本数据库 接收。")
        self.note.setText(f"各乡镇的数字取自其最近一次报送包（报送时按该乡镇数据计算，接收时核对无误）；"
                          f"全县合计为各乡镇之和，清偿率按合计金额计算。统计日：{today.isoformat()}。")

    def save_thresholds(self) -> None:
        store = self.ctx.store
        try:
            with store.tx(reason="修改县级汇总阈值"):
                store.set_setting(identity.CLEARED_RED, round(self.red.value(), 1))
                store.set_setting(identity.OVERDUE_YELLOW, self.yellow.value())
                store.set_setting(identity.STALE_DAYS, self.stale.value())
        except PermissionDenied as exc:
            self.ctx.bus.status.emit(str(exc))
            return
        self.ctx.bus.status.emit("阈值已保存")
        self.refresh()
