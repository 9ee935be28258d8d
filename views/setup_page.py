"""专项行动设置: the campaign and its phased targets, the leading group, the
workstreams with members and duties, the holiday calendar and the verdict list."""
from __future__ import annotations

import datetime as _dt

from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QPlainTextEdit, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem,
                               QTabWidget, QVBoxLayout, QWidget)

from models import campaign, cases
from models.rules.workdays import WorkCalendar, spring_festival
from models.values import ValueProblem, parse_date
from views.context import AppContext


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _rows(t: QTableWidget) -> list[list[str]]:
    out = []
    for r in range(t.rowCount()):
        cells = [(t.item(r, c).text().strip() if t.item(r, c) else "") for c in range(t.columnCount())]
        if any(cells):
            out.append(cells)
    return out


def _fill(t: QTableWidget, rows: list[list[str]]) -> None:
    t.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, v in enumerate(cells):
            t.setItem(r, c, QTableWidgetItem(str(v)))


def _add_remove(t: QTableWidget) -> QHBoxLayout:
    bar = QHBoxLayout()
    add = QPushButton("添加一行")
    add.clicked.connect(lambda: t.insertRow(t.rowCount()))
    rem = QPushButton("删除所选行")
    rem.clicked.connect(lambda: [t.removeRow(r) for r in sorted({i.row() for i in t.selectedIndexes()}, reverse=True)])
    bar.addWidget(add)
    bar.addWidget(rem)
    bar.addStretch(1)
    return bar


def _wrapped(text: str) -> QLabel:
    """A sentence that wraps with the window instead of widening it."""
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class SetupPage(QTabWidget):
    title = "专项行动设置"

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.c = campaign.current(ctx.store)
        self.addTab(self._campaign_tab(), "专项行动与阶段目标")
        self.addTab(self._group_tab(), "领导小组")
        self.addTab(self._workstream_tab(), "工作专班")
        self.addTab(self._calendar_tab(), "节假日安排")
        self.addTab(self._verdict_tab(), "核处结论选项")
        self.addTab(self._evidence_tab(), "证据材料")
        self._read_only_unless_office()

    def _read_only_unless_office(self) -> None:
        """Campaign-wide settings are 办公室's (the database's guard refuses anyone else): for
        other accounts the buttons that would save them are off and say why."""
        actor = self.ctx.actor
        if actor is None or actor.may_change_campaign_settings:
            return
        from PySide6.QtWidgets import QPushButton
        from models.access import CAMPAIGN_SETTINGS
        for button in self.findChildren(QPushButton):
            button.setEnabled(False)
            button.setToolTip(CAMPAIGN_SETTINGS)
        self.setToolTip(CAMPAIGN_SETTINGS)

    def _message(self, label: QLabel, text: str, ok: bool) -> None:
        label.setStyleSheet("color: #2e7d32;" if ok else "color: #c0392b;")
        label.setText(text)

    # -- campaign ------------------------------------------------------------------
    def _campaign_tab(self) -> QWidget:
        c = self.c
        w = QWidget()
        self.name = QLineEdit(c.name)
        self.unit = QLineEdit(c.unit)
        self.start = QLineEdit(c.start_date)
        self.end = QLineEdit(c.end_date)
        self.office = QLineEdit(c.office_location)
        sf = spring_festival(c.year)
        form = QFormLayout()
        form.addRow("行动名称", self.name)
        form.addRow("填报单位", self.unit)
        form.addRow("开始日期", self.start)
        form.addRow("截止日期（春节前）", self.end)
        form.addRow("", QLabel(f"{c.year} 年春节：{sf.isoformat()}，“春节前”即 {(sf - _dt.timedelta(days=1)).isoformat()}"))
        form.addRow("办公室地点", self.office)
        self.phases = _table(["阶段名称", "完成日期", "累计化解目标（%）"])
        _fill(self.phases, [[p.name, p.due_date, str(p.target_pct)] for p in c.phases])
        self.campaign_msg = QLabel()
        self.campaign_msg.setWordWrap(True)
        save = QPushButton("保存")
        save.clicked.connect(self.save_campaign)
        lay = QVBoxLayout(w)
        lay.addLayout(form)
        lay.addWidget(QLabel("阶段目标（按欠薪金额计的累计化解比例）"))
        lay.addWidget(self.phases)
        lay.addLayout(_add_remove(self.phases))
        lay.addWidget(self.campaign_msg)
        lay.addWidget(save)
        return w

    def save_campaign(self) -> None:
        try:
            start, end = parse_date(self.start.text()), parse_date(self.end.text())
            phases = []
            for name, due, pct in _rows(self.phases):
                d = parse_date(due)
                if not name or not d or not pct.strip().isdigit():
                    raise ValueProblem(f"阶段“{name or '（未命名）'}”须有名称、日期和 0–100 的目标比例")
                phases.append(campaign.Phase(name, d, int(pct)))
            campaign.update_campaign(self.ctx.store, self.c.id, name=self.name.text().strip(),
                                     unit=self.unit.text().strip(), start_date=start or "", end_date=end or "",
                                     office_location=self.office.text().strip(), phases=phases)
        except (ValueProblem, ValueError) as exc:
            self._message(self.campaign_msg, str(exc), False)
            return
        self.c = campaign.current(self.ctx.store)
        self._message(self.campaign_msg, "已保存。", True)
        self.ctx.changed("campaign")

    # -- leading group ---------------------------------------------------------------
    def _group_tab(self) -> QWidget:
        w = QWidget()
        self.group = _table(["职务（组长/常务副组长/副组长/办公室主任/成员）", "姓名", "单位及职务"])
        _fill(self.group, [[m["role"], m["name"], m["title"] or m["unit"]]
                           for m in campaign.leading_group(self.ctx.store, self.c.id)])
        self.group_msg = QLabel()
        self.group_msg.setWordWrap(True)
        save = QPushButton("保存领导小组")
        save.clicked.connect(self.save_group)
        lay = QVBoxLayout(w)
        lay.addWidget(_wrapped(campaign.LEADING_GROUP_DUTIES))
        lay.addWidget(self.group)
        lay.addLayout(_add_remove(self.group))
        lay.addWidget(self.group_msg)
        lay.addWidget(save)
        return w

    def save_group(self) -> None:
        people = [{"role": r, "name": n, "title": t} for r, n, t in _rows(self.group)]
        try:
            campaign.set_leading_group(self.ctx.store, self.c.id, people)
        except ValueError as exc:
            self._message(self.group_msg, str(exc), False)
            return
        self._message(self.group_msg, "已保存。", True)

    # -- workstreams -----------------------------------------------------------------
    def _workstream_tab(self) -> QWidget:
        w = QWidget()
        self.ws_list = QListWidget()
        self.ws_list.setMaximumWidth(220)
        self.ws_name = QLineEdit()
        self.ws_duties = QPlainTextEdit()
        self.ws_duties.setFixedHeight(110)
        self.ws_members = _table(["职务（组长/副组长/成员/联络员）", "姓名", "单位及职务", "电话"])
        self.ws_msg = QLabel()
        self.ws_msg.setWordWrap(True)
        save = QPushButton("保存本专班")
        save.clicked.connect(self.save_workstream)
        add = QPushButton("新增专班")
        add.clicked.connect(self.add_workstream)
        right = QVBoxLayout()
        form = QFormLayout()
        form.addRow("专班名称", self.ws_name)
        form.addRow("职责", self.ws_duties)
        right.addLayout(form)
        right.addWidget(QLabel("成员"))
        right.addWidget(self.ws_members)
        right.addLayout(_add_remove(self.ws_members))
        right.addWidget(self.ws_msg)
        right.addWidget(save)
        left = QVBoxLayout()
        left.addWidget(self.ws_list)
        left.addWidget(add)
        lay = QHBoxLayout(w)
        lay.addLayout(left)
        lay.addLayout(right, 1)
        self.ws_list.currentRowChanged.connect(self._show_ws)
        self._load_ws()
        return w

    def _load_ws(self, select: int = 0) -> None:
        self.workstreams = campaign.workstreams(self.ctx.store, self.c.id)
        self.ws_list.blockSignals(True)
        self.ws_list.clear()
        self.ws_list.addItems([ws["name"] for ws in self.workstreams])
        self.ws_list.blockSignals(False)
        if self.workstreams:
            self.ws_list.setCurrentRow(min(select, len(self.workstreams) - 1))
            self._show_ws(self.ws_list.currentRow())

    def _show_ws(self, row: int) -> None:
        if not (0 <= row < len(self.workstreams)):
            return
        ws = self.workstreams[row]
        self.ws_name.setText(ws["name"])
        self.ws_duties.setPlainText(ws["duties"])
        _fill(self.ws_members, [[m["role"], m["name"], m["title"] or m["unit"], m["phone"]]
                                for m in campaign.members(self.ctx.store, ws["id"])])
        self.ws_msg.clear()

    def save_workstream(self) -> None:
        row = self.ws_list.currentRow()
        if row < 0:
            return
        ws = self.workstreams[row]
        people = [{"role": r, "name": n, "title": t, "phone": p} for r, n, t, p in _rows(self.ws_members)]
        try:
            campaign.update_workstream(self.ctx.store, ws["id"], self.ws_name.text(), self.ws_duties.toPlainText())
            campaign.set_members(self.ctx.store, ws["id"], people)
        except ValueError as exc:
            self._message(self.ws_msg, str(exc), False)
            return
        self._load_ws(row)
        self._message(self.ws_msg, "已保存。", True)
        self.ctx.changed("workstream")

    def add_workstream(self) -> None:
        campaign.add_workstream(self.ctx.store, self.c.id, f"新专班{len(self.workstreams) + 1}")
        self._load_ws(len(self.workstreams))
        self.ctx.changed("workstream")

    # -- calendar --------------------------------------------------------------------
    def _calendar_tab(self) -> QWidget:
        w = QWidget()
        self.cal_year = QSpinBox()
        self.cal_year.setRange(2004, 2099)
        self.cal_year.setValue(_dt.date.fromisoformat(self.c.end_date).year)
        self.cal_status = QLabel()
        self.cal_status.setWordWrap(True)
        self.cal_text = QPlainTextEdit()
        self.cal_text.setPlaceholderText("每行一项，例如：\n2027-01-01 至 2027-01-03 放假\n2027-02-05 至 2027-02-13 放假\n"
                                         "2027-02-14 上班\n（按国务院办公厅公布的节假日安排录入）")
        self.cal_msg = QLabel()
        self.cal_msg.setWordWrap(True)
        save = QPushButton("保存该年安排")
        save.clicked.connect(self.save_calendar)
        top = QHBoxLayout()
        top.addWidget(QLabel("年份"))
        top.addWidget(self.cal_year)
        top.addWidget(self.cal_status, 1)
        lay = QVBoxLayout(w)
        lay.addLayout(top)
        lay.addWidget(self.cal_text, 1)
        lay.addWidget(self.cal_msg)
        lay.addWidget(save)
        self.cal_year.valueChanged.connect(self._show_calendar)
        self._show_calendar()
        return w

    def _show_calendar(self) -> None:
        from models.rules.workdays import schedule_to_text
        year = self.cal_year.value()
        cal: WorkCalendar = cases.load_calendar(self.ctx.store)
        source = cal.source_of(year)
        sched = cal.schedule_for(year)
        self.cal_text.setPlainText(schedule_to_text(sched) if sched else "")
        if source is None:
            self.cal_status.setText(f"{year} 年的法定节假日安排尚未录入：期限暂按周末计算。请录入后保存。")
            self.cal_status.setStyleSheet("color: #8a6d3b;")
        else:
            self.cal_status.setText(f"{year} 年安排来源：{source}。如有调整可修改后保存。")
            self.cal_status.setStyleSheet("")
        self.cal_msg.clear()

    def save_calendar(self) -> None:
        """The year stored and the open cases' deadlines that followed the old calendar moved
        (each change audited), as ``qingqian holidays import`` does."""
        from models.holiday_import import import_text
        try:
            result = import_text(self.ctx.store, self.cal_year.value(), self.cal_text.toPlainText(), self.ctx.today())
        except ValueError as exc:
            self._message(self.cal_msg, str(exc), False)
            return
        moved = len(result.changed)
        extra = f"，另有 {result.kept_by_hand} 件的时限为人工设定，未改" if result.kept_by_hand else ""
        self._show_calendar()
        self._message(self.cal_msg, f"已保存。在办问题中 {moved} 件的办结时限按新安排重算（已记入审计日志）{extra}；"
                                    "此后新登记问题按新安排计算。", True)
        self.ctx.changed("calendar_year")
        if moved:
            self.ctx.changed("case_record")

    # -- verdicts --------------------------------------------------------------------
    def _verdict_tab(self) -> QWidget:
        w = QWidget()
        self.verdicts = QPlainTextEdit("\n".join(cases.verdicts(self.ctx.store)))
        self.verdict_msg = QLabel()
        self.verdict_msg.setWordWrap(True)
        save = QPushButton("保存")
        save.clicked.connect(self.save_verdicts)
        lay = QVBoxLayout(w)
        lay.addWidget(_wrapped("核处结论可选项，每行一条（全国根治欠薪线索反映平台的结论已预置，可按本省要求增删）："))
        lay.addWidget(self.verdicts, 1)
        lay.addWidget(self.verdict_msg)
        lay.addWidget(save)
        return w

    def _evidence_tab(self) -> QWidget:
        from PySide6.QtWidgets import QCheckBox
        from models import attachments
        w = QWidget()
        self.proof_box = QCheckBox("问题改为“已化解”前，须在问题或其兑付记录上附有付款凭证")
        self.proof_box.setChecked(attachments.proof_required(self.ctx.store))
        self.max_mb = QSpinBox()
        self.max_mb.setRange(1, 500)
        self.max_mb.setSuffix(" MB")
        self.max_mb.setValue(max(1, attachments.max_bytes(self.ctx.store) // (1024 * 1024)))
        self.evidence_msg = QLabel()
        self.evidence_msg.setWordWrap(True)
        save = QPushButton("保存")
        save.clicked.connect(self.save_evidence)
        lay = QVBoxLayout(w)
        lay.addWidget(_wrapped("付款凭证、承诺书、还款计划、照片等证据材料随数据库保存（数据库旁的 .files 文件夹，"
                               "逐个核对校验值），随备份和报送包一起走。"))
        lay.addWidget(self.proof_box)
        row = QHBoxLayout()
        row.addWidget(QLabel("单个附件大小上限："))
        row.addWidget(self.max_mb)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.evidence_msg)
        lay.addWidget(save)
        lay.addStretch(1)
        return w

    def save_evidence(self) -> None:
        from models import attachments
        with self.ctx.store.tx(label="证据材料设置"):
            self.ctx.store.set_setting(attachments.PROOF_SETTING, 1 if self.proof_box.isChecked() else 0)
            self.ctx.store.set_setting(attachments.MAX_SETTING, self.max_mb.value())
        self._message(self.evidence_msg, "已保存。", True)

    def save_verdicts(self) -> None:
        texts = self.verdicts.toPlainText().splitlines()
        if not any(t.strip() for t in texts):
            self._message(self.verdict_msg, "至少保留一条核处结论。", False)
            return
        cases.set_verdicts(self.ctx.store, texts)
        self._message(self.verdict_msg, "已保存。", True)
