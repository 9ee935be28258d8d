"""First run on an empty database: set up a new campaign, or open the demo township."""
from __future__ import annotations

import datetime as _dt

from PySide6.QtWidgets import (QDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QPushButton, QVBoxLayout)

from models import campaign
from models.db import Store
from models.rules.workdays import before_spring_festival
from models.values import ValueProblem, parse_date
from views.jobs import run_job


class FirstRunDialog(QDialog):
    def __init__(self, parent, store: Store, today: _dt.date | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("清欠工作台 — 开始使用")
        today = today or _dt.date.today()
        year = today.year + (1 if today.month >= 6 else 0)
        deadline = before_spring_festival(year)
        head = QLabel("<h2>欢迎使用清欠工作台</h2><p>这个数据库还是空的。请新建本镇的专项行动，或先打开演示乡镇看看。</p>")
        head.setWordWrap(True)
        box = QGroupBox("新建专项行动")
        self.name = QLineEdit(f"{today.year}年根治欠薪冬季专项行动")
        self.unit = QLineEdit()
        self.unit.setPlaceholderText("如：青山县青山镇人民政府")
        self.start = QLineEdit(today.isoformat())
        self.end = QLineEdit(deadline.isoformat())
        form = QFormLayout(box)
        form.addRow("行动名称", self.name)
        form.addRow("填报单位", self.unit)
        form.addRow("开始日期", self.start)
        form.addRow("截止日期", self.end)
        form.addRow("", QLabel(f"默认截止到 {year} 年春节前（春节为 {deadline + _dt.timedelta(days=1)}）；"
                               "七个工作专班及其职责按方案预置，之后都可修改。"))
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        create = QPushButton("新建专项行动")
        create.setDefault(True)
        create.clicked.connect(self.create)
        demo = QPushButton("打开演示乡镇")
        demo.clicked.connect(self.open_demo)
        quit_btn = QPushButton("退出")
        quit_btn.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(demo)
        buttons.addStretch(1)
        buttons.addWidget(quit_btn)
        buttons.addWidget(create)
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(box)
        lay.addWidget(self.error)
        lay.addLayout(buttons)
        self.resize(620, 400)

    def create(self) -> None:
        try:
            start = parse_date(self.start.text())
            end = parse_date(self.end.text())
            if not (self.name.text().strip() and self.unit.text().strip()):
                raise ValueProblem("请填写行动名称和填报单位")
            if not start or not end or end < start:
                raise ValueProblem("请填写开始和截止日期，截止不能早于开始")
        except ValueProblem as exc:
            self.error.setText(str(exc))
            return
        campaign.create_campaign(self.store, self.name.text().strip(), self.unit.text().strip(),
                                 _dt.date.fromisoformat(start), _dt.date.fromisoformat(end))
        self.accept()

    def open_demo(self) -> None:
        from models import demo
        path, actor = str(self.store.path), self.store.actor     # the administrator just created
        self.setEnabled(False)
        run_job(self, "正在生成演示乡镇", lambda ctx: demo.build_demo(path, "township", progress=ctx.progress,
                                                                    actor=actor, plans=True),
                on_done=lambda _r: self.accept(),
                on_error=lambda exc: (self.setEnabled(True), QMessageBox.critical(self, "演示数据", str(exc))))
