"""账号管理 (办公室 only): create accounts, reset passwords."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from models import access, campaign
from models.db import PermissionDenied
from views.context import AppContext
from views.empty_note import EmptyNote


class AccountsPage(QWidget):
    title = "账号管理"

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["用户名", "姓名", "角色", "所属专班", "最近登录", "状态"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        box = QGroupBox("新建账号 / 重设密码")
        self.username = QLineEdit()
        self.display = QLineEdit()
        self.role = QComboBox()
        self.role.addItems(list(access.ROLES))
        self.ws = QComboBox()
        self.ws.addItem("（不属于专班）", None)
        for w in campaign.workstreams(ctx.store):
            self.ws.addItem(w["name"], w["id"])
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.msg = QLabel()
        self.msg.setWordWrap(True)
        form = QFormLayout(box)
        form.addRow("用户名", self.username)
        form.addRow("姓名", self.display)
        form.addRow("角色", self.role)
        form.addRow("所属专班", self.ws)
        form.addRow("密码（至少6位）", self.password)
        row = QHBoxLayout()
        add = QPushButton("新建账号")
        add.clicked.connect(self.add)
        reset = QPushButton("重设该用户名的密码")
        reset.clicked.connect(self.reset)
        row.addWidget(add)
        row.addWidget(reset)
        form.addRow(row)
        form.addRow(self.msg)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("办公室：全部功能；专班填报员：可查看全部，只能修改本专班的记录；领导：查看和打印。"))
        self.empty = EmptyNote(self)
        lay.addWidget(self.empty)
        lay.addWidget(self.table, 1)
        lay.addWidget(box)
        self.refresh()

    def refresh(self) -> None:
        rows = access.accounts(self.ctx.store)
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            state = "已锁定" if r["locked_until"] else ("正常" if r["active"] else "停用")
            for j, v in enumerate((r["username"], r["display_name"], r["role"], r["workstream"] or "",
                                   (r["last_login"] or "").replace("T", " "), state)):
                self.table.setItem(i, j, QTableWidgetItem(v))
        self.empty.show_for(len(rows), filtered=False, none_match="",
                            none_yet="还没有账号。请在下方先新建一个“办公室”账号；有账号后，打开程序须用账号登录。")

    def _say(self, text: str, ok: bool) -> None:
        self.msg.setStyleSheet("color: #2e7d32;" if ok else "color: #c0392b;")
        self.msg.setText(text)

    def add(self) -> None:
        try:
            access.create_account(self.ctx.store, self.username.text(), self.password.text(), self.role.currentText(),
                                  self.display.text().strip(), self.ws.currentData())
        except (access.AuthError, PermissionDenied) as exc:
            self._say(str(exc), False)
            return
        self.password.clear()
        self._say("账号已建立。", True)
        self.refresh()

    def reset(self) -> None:
        try:
            if not self.ctx.store.scalar("SELECT 1 FROM account WHERE username = ?", (self.username.text().strip(),)):
                raise access.AuthError("没有这个用户名")
            access.set_password(self.ctx.store, self.username.text().strip(), self.password.text())
        except (access.AuthError, PermissionDenied) as exc:
            self._say(str(exc), False)
            return
        self.password.clear()
        self._say("密码已重设，锁定已解除。", True)
        self.refresh()
