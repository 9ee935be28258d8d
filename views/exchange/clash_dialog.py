"""专班回报包冲突裁定: the records a liaison's return changed where the office had changed the
same fields since the copy, side by side (字段, 副本中的值, 办公室的值, 联络员的值; the fields whose
two values differ are highlighted), with a button to keep either side. Decisions go through
``models.exchange.liaison_decide`` (one transaction each, audited); nothing here touches SQLite."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QHeaderView, QLabel, QListWidget, QListWidgetItem,
                               QMessageBox, QPushButton, QSplitter, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from models.exchange import liaison_decide

CLASH_BG, CLASH_FG = QColor("#fff4c2"), QColor("#7a5a00")      # both sides changed it, differently
LIAISON_BG = QColor("#e8f1fb")                                   # only the liaison changed it
HEADERS = ("字段", "副本中的值", "办公室的值", "联络员的值")
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class ClashDialog(QDialog):
    """Open with the office's store (its acting account set); ``decided`` is emitted after each
    decision with the clash's id, so the pages showing the records can reload."""
    decided = Signal(object)

    def __init__(self, store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("专班回报包冲突裁定")
        self.resize(980, 560)
        self.intro = QLabel("以下记录在联络员交回改动之前，办公室也改过同一字段（黄色：双方改得不同；"
                            "浅蓝：只有联络员改过）。请逐条选择保留哪一方的值：采用联络员的值即写入该记录上联络员改过的全部字段。"
                            "未裁定前保留办公室的值。裁定记入审计日志。")
        self.intro.setWordWrap(True)
        self.list = QListWidget()
        self.title = QLabel()
        f = QFont(self.title.font())
        f.setBold(True)
        self.title.setFont(f)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for c in (1, 2, 3):
            self.table.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)
        self.keep_office = QPushButton("保留办公室的值")
        self.keep_liaison = QPushButton("采用联络员的值")
        self.status = QLabel()
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.title)
        rl.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep_office)
        buttons.addWidget(self.keep_liaison)
        rl.addLayout(buttons)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        split.setSizes([260, 700])
        close = QPushButton("关闭")
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        self.keep_office.clicked.connect(lambda: self.decide("office"))
        self.keep_liaison.clicked.connect(lambda: self.decide("liaison"))
        close.clicked.connect(self.accept)
        self.reload()

    # -- data ------------------------------------------------------------------------------
    def reload(self, select: int | None = None) -> None:
        self._clashes = {c["id"]: c for c in liaison_decide.clashes(self.store)}
        self.list.blockSignals(True)
        self.list.clear()
        for c in self._clashes.values():
            item = QListWidgetItem(f"第 {c['id']} 号 · {liaison_decide.record_title(self.store, c)}\n"
                                   f"{c['kind_label']}（联络员 {c['liaison']}）")
            item.setData(ID_ROLE, c["id"])
            self.list.addItem(item)
        self.list.blockSignals(False)
        n = len(self._clashes)
        self.status.setText(f"待裁定 {n} 条" if n else "没有待裁定的冲突")
        if n:
            ids = list(self._clashes)
            self.list.setCurrentRow(ids.index(select) if select in self._clashes else 0)
        self._show_current()

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def _show_current(self) -> None:
        cid = self.current_id()
        c = self._clashes.get(cid) if cid is not None else None
        self.keep_office.setEnabled(c is not None)
        self.keep_liaison.setEnabled(c is not None and c["kind"] != "missing")
        self.table.setRowCount(0)
        if c is None:
            self.title.setText("没有待裁定的冲突")
            return
        self.title.setText(f"{liaison_decide.record_title(self.store, c)}：{c['kind_label']}")
        self.table.setRowCount(len(c["fields"]))
        for r, f in enumerate(c["fields"]):
            values = (f["label"], f["base_text"], f["office_text"], f["liaison_text"])
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if f["conflict"]:
                    item.setBackground(QBrush(CLASH_BG))
                    item.setForeground(QBrush(CLASH_FG))
                    if col == 0:
                        font = QFont(item.font())
                        font.setBold(True)
                        item.setFont(font)
                elif f["differs"]:
                    item.setBackground(QBrush(LIAISON_BG))
                self.table.setItem(r, col, item)
        self.table.resizeRowsToContents()

    # -- deciding --------------------------------------------------------------------------
    def decide(self, keep: str) -> bool:
        cid = self.current_id()
        if cid is None:
            return False
        try:
            liaison_decide.decide(self.store, cid, keep)
        except liaison_decide.DecideError as exc:
            QMessageBox.warning(self, "无法裁定", str(exc))
            return False
        ids = list(self._clashes)
        following = ids[ids.index(cid) + 1] if ids.index(cid) + 1 < len(ids) else None
        self.reload(select=following)
        self.decided.emit(cid)
        return True
