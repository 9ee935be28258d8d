"""县级督办事项 (a county database): each 督办事项 with its addressees' progress as their latest
报送包 carried it (``models.exchange.dispatch.directive_progress``), late ones in red; a small form
to add one (content, townships, 完成时限), and 销号 / 撤销 of the selected one. What is added
here goes down in the county's next 下发包."""
from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QCheckBox, QDateEdit, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from models.db import PermissionDenied
from models.exchange import dispatch
from models.ledger.repo import ValidationError
from views.context import AppContext

COLUMNS = ("督办事项 / 责任乡镇", "完成时限", "状态 / 办理情况", "最近进展", "办结日期", "依据")
RED_BG, RED_FG = QColor("#fde2e1"), QColor("#b3261e")
DONE_FG, GREY_FG = QColor("#2e7d32"), QColor("#777777")
ID_ROLE = Qt.ItemDataRole.UserRole


class DirectivesView(QWidget):
    """``DirectivesView(ctx)``: ctx is the window's AppContext on a county database (its store,
    today and data bus). Refreshes itself when ``directive`` or ``exchange_township`` changes."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.items: list[dict] = []
        self.title = QLabel("县级督办事项")
        f = self.title.font()
        f.setPointSize(f.pointSize() + 3)
        f.setBold(True)
        self.title.setFont(f)
        self.note = QLabel()
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setAlternatingRowColors(True)
        self.tree.setRootIsDecorated(True)
        head = self.tree.header()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2, 4, 5):
            head.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.close_btn = QPushButton("销号")
        self.cancel_btn = QPushButton("撤销")
        self.close_btn.clicked.connect(lambda: self.close_selected(cancel=False))
        self.cancel_btn.clicked.connect(lambda: self.close_selected(cancel=True))
        self.tree.currentItemChanged.connect(lambda *_: self._enable())

        # the form
        self.content = QLineEdit()
        self.content.setPlaceholderText("督办事项内容，如：督促城东安置房项目总包单位兑付农民工工资")
        self.towns = QListWidget()
        self.towns.setMaximumHeight(72)
        self.all_towns = QCheckBox("全部乡镇")
        self.all_towns.toggled.connect(lambda on: self.towns.setEnabled(not on))
        self.due = QDateEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.add_btn = QPushButton("登记督办事项")
        self.add_btn.clicked.connect(self.add)
        self.message = QLabel()
        self.message.setWordWrap(True)

        form = QGroupBox("新增督办事项（随下一个下发包发往乡镇）")
        fl = QVBoxLayout(form)
        row1 = QHBoxLayout()
        row1.addWidget(QLabel("内容："))
        row1.addWidget(self.content, 1)
        fl.addLayout(row1)
        row2 = QHBoxLayout()
        col = QVBoxLayout()
        col.addWidget(QLabel("责任乡镇："))
        col.addWidget(self.all_towns)
        col.addStretch(1)
        row2.addLayout(col)
        row2.addWidget(self.towns, 1)
        right = QVBoxLayout()
        due_row = QHBoxLayout()
        due_row.addWidget(QLabel("完成时限："))
        due_row.addWidget(self.due)
        right.addLayout(due_row)
        right.addWidget(self.add_btn)
        right.addStretch(1)
        row2.addLayout(right)
        fl.addLayout(row2)
        fl.addWidget(self.message)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.note, 1)
        top.addWidget(self.close_btn)
        top.addWidget(self.cancel_btn)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.tree, 1)
        lay.addWidget(form)
        ctx.bus.changed.connect(self._on_changed)
        self.refresh()

    # -- loading -----------------------------------------------------------------------------
    def _on_changed(self, table: str) -> None:
        if table in ("", "directive", "exchange_township"):
            self.refresh()

    def refresh(self) -> None:
        today = self.ctx.today()
        store = self.ctx.store
        self.items = dispatch.directive_progress(store, today)
        keep = self.selected_id()
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for d in self.items:
            top = QTreeWidgetItem([f"{d['id']}. {d['content']}", d["due_date"] or "未定",
                                   d["status"] + (f"（{d['closed_on']}）" if d["closed_on"] else ""),
                                   d["close_note"] or "", "",
                                   f"{d['issued_by'] or '—'} {d['issued_on']} 交办，" +
                                   (f"第 {d['sent_in']} 号下发包" if d["sent_in"] else "尚未下发")])
            top.setData(0, ID_ROLE, d["id"])
            top.setToolTip(0, d["content"])
            top.setFont(0, bold)
            if d["status"] != "督办中":
                for c in range(len(COLUMNS)):
                    top.setForeground(c, QBrush(GREY_FG))
            elif d["overdue"]:
                top.setForeground(0, QBrush(RED_FG))
                top.setToolTip(0, f"{d['overdue']} 个乡镇逾期未办结")
            for t in d["townships"]:
                last = (t["progress"] or "").strip().splitlines()
                child = QTreeWidgetItem([f"{t['name']}（{t['code']}）", "", t["state"] + ("（逾期）" if t["overdue"] and
                                         t["state"] != "逾期" else ""), last[-1] if last else "",
                                         t["closed_on"] or "",
                                         f"第 {t['sequence']} 号报送包（{t['as_of'][:16].replace('T', ' ')}）"
                                         if t["as_of"] else ""])
                child.setData(0, ID_ROLE, d["id"])
                if t["overdue"]:
                    for c in range(len(COLUMNS)):
                        child.setBackground(c, QBrush(RED_BG))
                        child.setForeground(c, QBrush(RED_FG))
                elif t["state"] == "已办结":
                    child.setForeground(2, QBrush(DONE_FG))
                if len(last) > 1:
                    child.setToolTip(3, "\n".join(last))
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
            if d["id"] == keep:
                self.tree.setCurrentItem(top)
        open_n = sum(1 for d in self.items if d["status"] == "督办中")
        late = sum(1 for d in self.items if d["overdue"])
        self.note.setText(f"　督办中 {open_n} 项，其中有乡镇逾期的 {late} 项（截至 {today.isoformat()}；各乡镇进展据其最近的报送包）")
        self._fill_towns()
        if not self.due.date().isValid() or self.due.date() < QDate(today.year, today.month, today.day):
            self.due.setDate(QDate(today.year, today.month, today.day).addDays(7))
        self._enable()

    def _fill_towns(self) -> None:
        checked = {self.towns.item(i).data(ID_ROLE) for i in range(self.towns.count())
                   if self.towns.item(i).checkState() == Qt.CheckState.Checked}
        self.towns.clear()
        for t in dispatch.registered(self.ctx.store):
            it = QListWidgetItem(f"{t['name']}（{t['code']}）")
            it.setData(ID_ROLE, t["code"])
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Checked if t["code"] in checked else Qt.CheckState.Unchecked)
            self.towns.addItem(it)
        if not self.towns.count():
            self.message.setText("尚未接收任何乡镇的报送包：督办事项只能交办已报送过的乡镇。")

    def selected_id(self) -> int | None:
        it = self.tree.currentItem() if hasattr(self, "tree") else None
        return it.data(0, ID_ROLE) if it is not None else None

    def _enable(self) -> None:
        did = self.selected_id()
        d = next((x for x in self.items if x["id"] == did), None)
        live = d is not None and d["status"] == "督办中"
        self.close_btn.setEnabled(live)
        self.cancel_btn.setEnabled(live)

    # -- actions -----------------------------------------------------------------------------
    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b3261e;" if error else "color: #2e6da4;")

    def add(self) -> int | None:
        if self.all_towns.isChecked():
            towns = [dispatch.ALL]
        else:
            towns = [self.towns.item(i).data(ID_ROLE) for i in range(self.towns.count())
                     if self.towns.item(i).checkState() == Qt.CheckState.Checked]
        due = self.due.date().toPython() if self.due.date().isValid() else None
        try:
            did = dispatch.add_directive(self.ctx.store, self.content.text(), towns, due, self.ctx.today())
        except (ValidationError, PermissionDenied) as exc:
            self._say(str(exc), error=True)
            return None
        self.content.clear()
        self._say(f"已登记督办事项 {did}，随下一个下发包发往乡镇（package export）。")
        self.ctx.changed("directive")
        return did

    def close_selected(self, cancel: bool = False, note: str = "") -> bool:
        did = self.selected_id()
        if did is None:
            return False
        try:
            dispatch.close_directive(self.ctx.store, did, self.ctx.today(), note, cancel=cancel)
        except (ValidationError, PermissionDenied) as exc:
            self._say(str(exc), error=True)
            return False
        self._say(f"督办事项 {did} 已{'撤销' if cancel else '销号'}，随下一个下发包告知乡镇。")
        self.ctx.changed("directive")
        return True

    def check_towns(self, codes) -> None:
        """Tick the townships ``codes`` in the form (what a click does)."""
        for i in range(self.towns.count()):
            it = self.towns.item(i)
            it.setCheckState(Qt.CheckState.Checked if it.data(ID_ROLE) in codes else Qt.CheckState.Unchecked)

    def set_due(self, day: _dt.date) -> None:
        self.due.setDate(QDate(day.year, day.month, day.day))
