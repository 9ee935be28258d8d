"""Log in at start, and create the first administrator on a database with no accounts."""
from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout)

from models import access
from models.db import Store


def ask_credentials(title: str, note: str, ok_text: str, parent=None) -> tuple[str, str] | None:
    """A user name and password asked for one piece of work (not a log-in of the window), or None
    when the user cancels: the caller proves them (e.g. a restore, by the backup's own accounts)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    name, password = QLineEdit(), QLineEdit()
    password.setEchoMode(QLineEdit.EchoMode.Password)
    label = QLabel(note)
    label.setWordWrap(True)
    form = QFormLayout()
    form.addRow("用户名", name)
    form.addRow("密码", password)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    lay = QVBoxLayout(dialog)
    lay.addWidget(label)
    lay.addLayout(form)
    lay.addWidget(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return name.text(), password.text()


class LoginDialog(QDialog):
    def __init__(self, parent, store: Store, last_user: str = "") -> None:
        super().__init__(parent)
        self.store = store
        self.actor: access.Actor | None = None
        self.setWindowTitle("清欠工作台 — 登录")
        self.user = QLineEdit(last_user)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.stay = QCheckBox("在本机保持登录（仅限一人使用的电脑）")
        self.stay.setToolTip("只在这台电脑、这个系统用户、这个数据库上有效；改密码后须重新登录")
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("用户名", self.user)
        form.addRow("密码", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登录")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("<h3>清欠工作台</h3>"))
        lay.addLayout(form)
        lay.addWidget(self.stay)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        (self.password if last_user else self.user).setFocus()
        self.resize(380, 240)

    def try_login(self) -> None:
        try:
            self.actor = access.login(self.store, self.user.text(), self.password.text())
        except access.AuthError as exc:
            self.error.setText(str(exc))
            self.password.clear()
            return
        self.accept()


class CreateAdminDialog(QDialog):
    """The first account of a database is an 办公室 (administrator) account."""

    def __init__(self, parent, store: Store) -> None:
        super().__init__(parent)
        self.store = store
        self.actor: access.Actor | None = None
        self.setWindowTitle("清欠工作台 — 创建管理员账号")
        self.user = QLineEdit("办公室")
        self.name = QLineEdit()
        self.name.setPlaceholderText("如：张丽（领导小组办公室）")
        self.pw1 = QLineEdit()
        self.pw2 = QLineEdit()
        for w in (self.pw1, self.pw2):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        form = QFormLayout()
        form.addRow("用户名", self.user)
        form.addRow("姓名", self.name)
        form.addRow("密码（至少6位）", self.pw1)
        form.addRow("再输一次", self.pw2)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("创建并登录")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("这是本数据库第一次使用。请先创建办公室（管理员）账号，"
                             "之后可在“账号管理”中为各专班填报员和领导建账号。"))
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

    def create(self) -> None:
        if self.pw1.text() != self.pw2.text():
            self.error.setText("两次输入的密码不一致")
            return
        try:
            access.create_account(self.store, self.user.text(), self.pw1.text(), "办公室", self.name.text().strip())
            self.actor = access.login(self.store, self.user.text(), self.pw1.text())
        except access.AuthError as exc:
            self.error.setText(str(exc))
            return
        self.accept()
