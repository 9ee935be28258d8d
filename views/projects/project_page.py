"""一项目一档: the projects on the left (deposit, settlement, 三册 at a glance), the chosen
project's file on the right — the parties, the wage special account, the deposit and guarantee,
the dates with the 40-day settlement, and 三册相符 month by month: a line a month, and the
chosen month worker by worker with each cell that does not agree marked (red, the reason in
its tooltip and in the 核对结果 column). Import of the roster, attendance and payroll goes
through the ledgers' import dialog with the project filled in; the file prints as PDF or Word
(``models.reports.project``)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QBoxLayout, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QLayout, QLineEdit, QMessageBox, QPushButton, QScrollArea, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from models import projects as P
from models.errors import StoreError
from models.values import fen_to_yuan_text as yuan
from views.context import AppContext
from views.empty_note import STYLE as EMPTY_STYLE
from views.flow_layout import FlowLayout

BAD = QColor("#f8d7da")
BAD_TEXT = QColor("#a61b29")
OK_TEXT = QColor("#1e7b34")
TABLES = ("", "project", "project_roster", "project_attendance", "project_payroll", "case_record", "blacklist_entry",
          "setting")
# 三册 detail columns: header, the Line attribute a problem is reported on
MONTHS_TITLE = "三册相符（花名册、考勤表、工资发放表逐月核对）"
NAME_STYLE = "font-size: 15px; font-weight: bold;"
LIST_WIDTHS = (165, 112, 52, 76, 52)    # 项目名称, 总包单位, 保证金, 结算, 三册 where the list has room
FILE_MIN_CHARS = 22     # the project's file never narrower than this (the list gives way first)
SECTION_VALUE_CHARS = 7   # a section's value column at least this wide before the sections stack
DETAIL = (("姓名", None), ("身份证号码", None), ("花名册", "roster"), ("出勤天数", "days_worked"),
          ("计薪天数", "days_paid"), ("应发工资", None), ("实发工资", None), ("核对结果", None))


def _item(text: str, align=Qt.AlignmentFlag.AlignLeft) -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
    it.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    return it


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


class RightFlowLayout(FlowLayout):
    """A flow of buttons whose rows keep to the right, as a row of buttons after a stretch does."""

    def _place(self, rect: QRect, move: bool) -> int:
        height = super()._place(rect, move=False)
        if not move:
            return height
        m = self.contentsMargins()
        right = rect.right() - m.right()
        rows: dict[int, list] = {}
        super()._place(rect, move=True)
        for item in self._shown():
            rows.setdefault(item.geometry().top(), []).append(item)
        for items in rows.values():
            shift = right - max(i.geometry().right() for i in items)
            for i in items:
                i.setGeometry(QRect(i.geometry().topLeft() + QPoint(shift, 0), i.geometry().size()))
        return height


class ProjectPage(QWidget):
    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pid: int | None = None
        self.file: dict | None = None
        self._rows: list[dict] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        bar = QHBoxLayout()
        title = QLabel("一项目一档")
        title.setStyleSheet("font-size: 16px; font-weight: bold;")
        bar.addWidget(title)
        self.search = QLineEdit()
        self.search.setPlaceholderText("检索项目名称、建设单位、总包单位")
        self.search.setToolTip("检索项目名称、建设单位、总包单位")
        self.search.setMaximumWidth(240)
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance("检索项目名称、建设单位") + 16)
        self.search.textChanged.connect(self.fill_list)
        bar.addWidget(self.search)
        # the buttons keep to the right on one row, or wrap onto a second in a narrow window
        # (1366×768 at 150 %) instead of widening the page past it
        self.button_row = QWidget()
        flow = RightFlowLayout(self.button_row)
        bar.addWidget(self.button_row, 1)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, fn in (("new", "新增项目", self.new_project), ("edit", "编辑项目", self.edit_project),
                              ("roster", "导入花名册", lambda: self.import_kind("roster")),
                              ("attendance", "导入考勤表", lambda: self.import_kind("attendance")),
                              ("payroll", "导入工资发放表", lambda: self.import_kind("payroll")),
                              ("pdf", "打印档案", lambda: self.print_file(".pdf")),
                              ("docx", "导出 Word", lambda: self.print_file(".docx")),
                              ("settings", "比例与期限", self.edit_settings)):
            b = QPushButton(text)
            b.clicked.connect(fn)
            flow.add(b)
            self.buttons[key] = b
        outer.addLayout(bar)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.list = _table(["项目名称", "总包单位", "保证金", "结算", "三册"])
        self.list.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, w in enumerate(LIST_WIDTHS):
            self.list.setColumnWidth(i, w)
        self.list.itemSelectionChanged.connect(self._picked)
        self.list.viewport().installEventFilter(self)       # its names wrap when it is narrowed
        split.addWidget(self.list)

        self.body = QWidget()
        lay = QVBoxLayout(self.body)
        lay.setContentsMargins(6, 0, 6, 6)
        lay.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)    # taller than the view: it scrolls
        self.name_label = QLabel()
        self.name_label.setStyleSheet(NAME_STYLE)
        self.name_label.setWordWrap(True)
        lay.addWidget(self.name_label)
        self.alerts = QLabel()
        self.alerts.setWordWrap(True)
        self.alerts.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.alerts)
        self.sections: dict[str, QGridLayout] = {}
        self.detail_boxes: list[QGroupBox] = []     # the file's panels, hidden while no project is chosen
        self._cells: dict[str, list[tuple[QLabel, QLabel]]] = {}
        # 各方单位, 工资专户与保证金, 工期与结算: side by side, or one above the other when the pane is
        # too narrow for three columns of label and value
        self.section_row = row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        for key, title_text in (("parties", "各方单位"), ("account", "工资专户与保证金"), ("dates", "工期与结算")):
            box = QGroupBox(title_text)
            grid = QGridLayout(box)
            grid.setColumnStretch(1, 1)
            grid.setVerticalSpacing(3)
            grid.setRowStretch(40, 1)      # the rows keep together at the top
            self.sections[key] = grid
            row.addWidget(box, 1)
            self.detail_boxes.append(box)
        lay.addLayout(row)
        self.months_box = box = QGroupBox(MONTHS_TITLE)
        box.setToolTip(MONTHS_TITLE)
        b = QVBoxLayout(box)
        self.months = _table(["月份", "人数", "出勤天数", "计薪天数", "实发工资（元）", "核对结果"])
        self.months.itemSelectionChanged.connect(self._month_picked)
        b.addWidget(self.months)
        self.month_title = QLabel()
        self.month_title.setWordWrap(True)
        b.addWidget(self.month_title)
        self.detail = _table([h for h, _a in DETAIL])
        b.addWidget(self.detail)
        lay.addWidget(box)
        self.detail_boxes.append(box)
        rbox = QGroupBox("农民工花名册")
        r = QVBoxLayout(rbox)
        self.roster = _table(["姓名", "身份证号码", "班组", "工种", "进场日期", "退场日期", "劳动合同"])
        r.addWidget(self.roster)
        lay.addWidget(rbox)
        self.detail_boxes.append(rbox)
        lay.addStretch(1)
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        scroll.viewport().installEventFilter(self)
        split.addWidget(scroll)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        # a narrow window takes from the list too, not only from the file (at 150 % it had 262 px)
        scroll.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * FILE_MIN_CHARS)
        split.setSizes([475, 865])
        outer.addWidget(split, 1)
        ctx.bus.changed.connect(lambda t: self.reload() if t in TABLES else None)
        self.reload()

    # -- a narrow window ----------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and obj is self.scroll.viewport():
            self._reflow()
        elif event.type() == QEvent.Type.Resize and obj is self.list.viewport():
            self._fit_list()
        return False

    def _fit_list(self) -> None:
        """The list's columns as they always were where they fit; in a narrower list the project
        and contractor names share what the three marks leave and wrap onto two lines (rows as
        tall), rather than the list scrolling sideways."""
        t, h = self.list, self.list.horizontalHeader()
        width = t.viewport().width()
        narrow = width < sum(LIST_WIDTHS)
        if narrow:
            em = self.fontMetrics().horizontalAdvance("中")
            rest = max(width - sum(LIST_WIDTHS[2:]), 10 * em)
            widths = (rest * 3 // 5, rest - rest * 3 // 5, *LIST_WIDTHS[2:])
        else:
            widths = LIST_WIDTHS
        for i, w in enumerate(widths):
            if h.sectionSize(i) != w:
                t.setColumnWidth(i, w)
        if t.wordWrap() != narrow:
            t.setWordWrap(narrow)
            t.setTextElideMode(Qt.TextElideMode.ElideNone if narrow else Qt.TextElideMode.ElideRight)
        if narrow:
            t.resizeRowsToContents()
        else:
            for r in range(t.rowCount()):
                t.setRowHeight(r, t.verticalHeader().defaultSectionSize())

    def _reflow(self) -> None:
        """The file's three sections side by side while each has room for its labels and a dozen
        characters of value; one above the other in a narrower pane."""
        em = self.fontMetrics().horizontalAdvance("中")
        need = 0
        for key, grid in self.sections.items():
            labels = [a.sizeHint().width() for a, _b in self._cells.get(key, [])] or [em * 6]
            m = grid.contentsMargins()
            need += max(labels) + grid.horizontalSpacing() + em * SECTION_VALUE_CHARS + m.left() + m.right() + 8
        m = self.body.layout().contentsMargins()
        room = self.scroll.viewport().width() - m.left() - m.right() - 2 * self.section_row.spacing()
        direction = QBoxLayout.Direction.LeftToRight if need <= room else QBoxLayout.Direction.TopToBottom
        if self.section_row.direction() != direction:
            self.section_row.setDirection(direction)
        # a group box's title does not wrap: in a narrow pane the 三册 box says only what it is
        full = self.months_box.fontMetrics().horizontalAdvance(MONTHS_TITLE) + 4 * em
        self.months_box.setTitle(MONTHS_TITLE if full <= room else MONTHS_TITLE.split("（")[0])

    # -- data -------------------------------------------------------------------------------
    def reload(self) -> None:
        self.ctx.store.today = self.ctx.today()
        self._rows = P.projects(self.ctx.store)
        for r in self._rows:
            r["_months"] = P.compare(self.ctx.store, r["id"])
        self.fill_list()

    def fill_list(self) -> None:
        text = self.search.text().strip()
        rows = [r for r in self._rows if not text or any(text in (r[k] or "") for k in
                                                          ("name", "owner_unit", "general_contractor"))]
        keep = self.pid
        self.list.blockSignals(True)
        self.list.setRowCount(len(rows))
        pick = 0
        for i, r in enumerate(rows):
            started = bool(r["started_on"])
            short = started and r["deposit_fen"] < r["deposit_due_fen"]
            bad = [m.month for m in r["_months"] if not m.agrees]
            three = "未导入" if not r["_months"] else ("不符" if bad else "相符")
            cells = [r["name"], r["general_contractor"] or "", ("不足" if short else "足额") if started else "未开工",
                     r["settle_state"] or "", three]
            for c, text_ in enumerate(cells):
                it = _item(text_)
                if (c == 2 and short) or (c == 3 and r["settle_state"] == "逾期未结算") or (c == 4 and bad):
                    it.setForeground(QBrush(BAD_TEXT))
                    it.setBackground(QBrush(BAD))
                if c == 0:
                    it.setData(Qt.ItemDataRole.UserRole, r["id"])
                if c in (0, 1):
                    it.setToolTip(text_)
                self.list.setItem(i, c, it)
            if r["id"] == keep:
                pick = i
        self.list.blockSignals(False)
        self._fit_list()
        if rows:
            self.list.selectRow(pick)
            self._picked()
        else:
            self.show_project(None)

    def select_project(self, pid: int) -> bool:
        """Show project ``pid`` (a finding of 数据审核 opened here); False when it is not listed."""
        self.search.clear()
        for i in range(self.list.rowCount()):
            if self.list.item(i, 0).data(Qt.ItemDataRole.UserRole) == pid:
                self.list.selectRow(i)
                return True
        return False

    def _picked(self) -> None:
        rows = self.list.selectionModel().selectedRows()
        if rows:
            self.show_project(self.list.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole))

    def show_project(self, pid: int | None) -> None:
        self.pid = pid
        for b in ("edit", "roster", "attendance", "payroll", "pdf", "docx"):
            self.buttons[b].setEnabled(pid is not None)
        self.name_label.setStyleSheet(NAME_STYLE if pid is not None else EMPTY_STYLE)
        for box in self.detail_boxes:
            box.setVisible(pid is not None)
        if pid is None:
            # nothing of the project shown before stays on the page
            self.file = None
            self.name_label.setText(self.empty_text())
            self.alerts.setText("")
            for key in self.sections:
                self._fill(key, [])
            for table in (self.months, self.detail, self.roster):
                table.setRowCount(0)
            self.month_title.setText("")
            return
        f = self.file = P.project_file(self.ctx.store, pid, self.ctx.today())
        rec, dep, st = f["record"], f["deposit"], f["settlement"]
        self.name_label.setText(rec["name"])
        notes = []
        bad_months = [m.month for m in f["months"] if not m.agrees]
        for text, bad in ((f"工资保证金：{P.deposit_text(dep)}", dep["short_fen"] > 0),
                          (f"结算：{P.settlement_text(st)}", st["state"] == "逾期未结算"),
                          ("三册相符：" + ("尚未导入考勤表和工资发放表" if not f["months"] else
                                         (f"{'、'.join(bad_months)} 不符" if bad_months else
                                          f"{len(f['months'])} 个月逐月相符")), bool(bad_months))):
            colour = "#a61b29" if bad else "#333333"
            mark = "⚠ " if bad else ""
            notes.append(f"<div style='color:{colour}'>{mark}{_esc(text)}</div>")
        self.alerts.setText("".join(notes))
        manager = rec["labor_manager"] + (f"（{rec['labor_manager_phone']}）" if rec["labor_manager_phone"] else "")
        self._fill("parties", [("建设单位", rec["owner_unit"]), ("施工总承包单位", rec["general_contractor"]),
                               ("分包单位", rec["subcontractor"]), ("劳资专管员", manager),
                               ("项目地址", rec["address"]), ("政府投资", "是" if rec["gov_invested"] else "否")])
        guarantee = (rec["guarantee_form"] or "") + (f" {yuan(rec['guarantee_fen'])} 元" if rec["guarantee_fen"] else "")
        self._fill("account", [("专户开户银行", rec["wage_bank"]), ("专户账号", rec["wage_account"]),
                               ("合同价款", f"{yuan(rec['contract_fen'])} 元"),
                               ("保证金比例", f"{dep['rate_pct']:g}%" + ("（较高比例）" if dep["offender"] else "")),
                               ("应存保证金", f"{yuan(dep['due_fen'])} 元"), ("已存保证金", f"{yuan(dep['kept_fen'])} 元"),
                               ("存储方式", " ".join(x for x in (rec["deposit_form"], rec["deposit_on"] or "") if x)),
                               ("支付担保", guarantee)])
        self._fill("dates", [("开工日期", rec["started_on"]), ("竣工验收", rec["completed_on"]),
                             ("结算期限", st["due"]), ("结算日期", rec["settled_on"]),
                             ("结算金额", f"{yuan(rec['settlement_fen'])} 元" if rec["settlement_fen"] else ""),
                             ("结算情况", st["state"])])
        self.months.blockSignals(True)
        self.months.setRowCount(len(f["months"]))
        pick = len(f["months"]) - 1
        for i, m in enumerate(f["months"]):
            t = m.totals()
            cells = [m.month, str(t["workers"]), str(t["days_worked"]), str(t["days_paid"]), yuan(t["paid_fen"]),
                     "相符" if m.agrees else f"不符（{len(m.disagreeing)} 人）"]
            for c, text in enumerate(cells):
                it = _item(text, Qt.AlignmentFlag.AlignRight if c in (1, 2, 3, 4) else Qt.AlignmentFlag.AlignLeft)
                if not m.agrees:
                    it.setBackground(QBrush(BAD))
                    if c == 5:
                        it.setForeground(QBrush(BAD_TEXT))
                self.months.setItem(i, c, it)
            if not m.agrees and pick == len(f["months"]) - 1 and i < pick:
                pick = i
        self.months.blockSignals(False)
        _fit_height(self.months, 6)
        if f["months"]:
            self.months.selectRow(pick)
            self._month_picked()
        else:
            self.month_title.setText("尚未导入考勤表和工资发放表：用上方“导入考勤表”“导入工资发放表”导入。")
            self.detail.setRowCount(0)
        from models.rules.idcard import mask_id
        self.roster.setRowCount(len(f["roster"]))
        for i, r in enumerate(f["roster"]):
            for c, text in enumerate((r["name"], mask_id(r["id_number"]) if r["id_number"] else "", r["team"],
                                      r["trade"], r["entered_on"] or "", r["left_on"] or "",
                                      "已签" if r["contract_signed"] else "未签")):
                self.roster.setItem(i, c, _item(text))
        _fit_height(self.roster, 8)

    def empty_text(self) -> str:
        """What the file's place says while no project is shown: none registered yet, none
        matching the search, or none chosen."""
        text = self.search.text().strip()
        if not self._rows:
            return "还没有工程项目。可点右上方“新增项目”逐个登记。"
        if text:
            return f"没有项目名称、建设单位或总包单位含「{text}」的工程项目。"
        return "请在左侧选择工程项目。"

    def _fill(self, key: str, pairs: list[tuple[str, str | None]]) -> None:
        """The section's label / value pairs: its labels made once, their texts set each time."""
        grid = self.sections[key]
        cells = self._cells.setdefault(key, [])
        while len(cells) < len(pairs):
            a = QLabel()
            a.setStyleSheet("color: #555555;")
            b = QLabel()
            b.setWordWrap(True)
            b.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            i = len(cells)
            grid.addWidget(a, i, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
            grid.addWidget(b, i, 1)
            cells.append((a, b))
        for i, (a, b) in enumerate(cells):
            if i < len(pairs):
                a.setText(pairs[i][0] + "：")
                b.setText(pairs[i][1] or "—")
            a.setVisible(i < len(pairs))
            b.setVisible(i < len(pairs))

    def _month_picked(self) -> None:
        if not self.file:
            return
        rows = self.months.selectionModel().selectedRows()
        if not rows:
            return
        m = self.file["months"][rows[0].row()]
        self.show_month(m)

    def show_month(self, m: P.Month) -> None:
        from models.rules.idcard import mask_id
        self.month_title.setText(f"{m.month} 逐人核对：" + ("三册相符" if m.agrees else
                                                        f"{len(m.disagreeing)} 人不符，不符的格子标红（鼠标停留可见原因）"))
        self.detail.setRowCount(len(m.lines))
        for i, x in enumerate(sorted(m.lines, key=lambda x: x.agrees)):    # the disagreeing first
            roster = "在册" if x.on_roster and x.on_site else ("不在进退场期间" if x.on_roster else "未在册")
            values = [x.name, mask_id(x.id_number) if x.id_number else "", roster,
                      "—" if x.days_worked is None else str(x.days_worked),
                      "—" if x.days_paid is None else str(x.days_paid),
                      "—" if x.payable_fen is None else yuan(x.payable_fen),
                      "—" if x.paid_fen is None else yuan(x.paid_fen),
                      "；".join(x.problems.values()) or "相符"]
            for c, ((_h, attr), text) in enumerate(zip(DETAIL, values)):
                it = _item(text, Qt.AlignmentFlag.AlignRight if c in (3, 4, 5, 6) else Qt.AlignmentFlag.AlignLeft)
                if attr and attr in x.problems:
                    it.setBackground(QBrush(BAD))
                    it.setForeground(QBrush(BAD_TEXT))
                    it.setToolTip(x.problems[attr])
                if c == 7:
                    it.setForeground(QBrush(BAD_TEXT if x.problems else OK_TEXT))
                self.detail.setItem(i, c, it)
        _fit_height(self.detail, 10)

    # -- actions ----------------------------------------------------------------------------
    def _service(self):
        from models.ledger.service import service_for
        return service_for(self.ctx.store, "projects", today=self.ctx.today())

    def new_project(self) -> None:
        self._form(None)

    def edit_project(self) -> None:
        if self.pid is not None:
            self._form(self.pid)

    def _form(self, pid: int | None) -> None:
        from models.ledger import registry
        from models.ledger.repo import LedgerRepo
        from views.record_form import RecordForm
        ledger = registry.get("projects")
        values = LedgerRepo(self.ctx.store, ledger).get(pid) if pid else self._service().defaults()
        title = f"工程项目　{values.get('name', '')}" if pid else "新增工程项目"
        form = RecordForm(self, ledger, title, values, on_save=lambda v, reason="": self._service().save(v, pid, reason))
        if form.exec():
            if pid is None and form.result_value:
                self.pid = form.result_value
            self.ctx.changed("project")

    def edit_settings(self) -> None:
        """The deposit rates, the cases that make a contractor a repeat offender, the settlement
        days: shown to anyone, changed by the office."""
        dlg = SettingsDialog(self, self.ctx)
        if dlg.exec():
            self.ctx.changed("setting")

    def import_kind(self, kind: str) -> None:
        if self.pid is None:
            return
        from views.ledger_io import open_import
        name = self.file["record"]["name"] if self.file else None
        open_import(self, self.ctx, kind, case_no=name, on_imported=lambda _t: self.ctx.changed(""))

    def print_file(self, suffix: str) -> None:
        if self.pid is None or not self.file:
            return
        name = self.file["record"]["name"]
        default = str(Path.home() / f"工程项目档案-{name}-{self.ctx.today():%Y%m%d}{suffix}")
        flt = "PDF 文件 (*.pdf)" if suffix == ".pdf" else "Word 文件 (*.docx)"
        path, _ = QFileDialog.getSaveFileName(self, "打印工程项目档案", default, flt)
        if not path:
            return
        try:
            out = self.print_to(path)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "打印工程项目档案", f"未能生成：{exc}")
            return
        self.ctx.bus.status.emit(f"已生成 {out}")

    def print_to(self, path: str | Path) -> Path:
        from models.reports.project import build
        self.ctx.store.today = self.ctx.today()
        return build(self.ctx.store, self.pid, Path(path), self.ctx.today()).path


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget, ctx: AppContext) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("工资保证金比例与结算期限")
        actor = ctx.actor
        self.may_change = actor is None or actor.may_change_campaign_settings
        form = QFormLayout(self)
        self.boxes: dict[str, QDoubleSpinBox] = {}
        for key, title in P.SETTING_TITLES.items():
            box = QDoubleSpinBox()
            pct = key.endswith("_pct")
            box.setDecimals(1 if pct else 0)
            box.setRange(0, 30) if pct else box.setRange(1, 365)
            box.setSingleStep(0.5 if pct else 1)
            box.setValue(P.setting(ctx.store, key))
            box.setEnabled(self.may_change)
            box.setToolTip(f"默认 {P.DEFAULTS[key]}")
            form.addRow(title, box)
            self.boxes[key] = box
        note = QLabel("应存工资保证金 = 合同价款 × 比例；总包单位在失信联合惩戒名单中、涉及欠薪问题达到上述件数，"
                      "或经认定有拖欠工资行为的，按较高比例。竣工验收后超过结算天数仍未结算的，数据审核列为问题。"
                      + ("" if self.may_change else "\n（只有办公室账号可以修改）"))
        note.setWordWrap(True)
        note.setStyleSheet("color: #555555;")
        form.addRow(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def save(self) -> None:
        if not self.may_change:
            self.reject()
            return
        try:
            for key, box in self.boxes.items():
                if abs(box.value() - P.setting(self.ctx.store, key)) > 1e-9:
                    P.set_setting(self.ctx.store, key, box.value())
        except (ValueError, StoreError) as exc:
            QMessageBox.warning(self, "工资保证金比例与结算期限", str(exc))
            return
        self.accept()


def _esc(text: str) -> str:
    from html import escape
    return escape(text)


def _fit_height(t: QTableWidget, max_rows: int) -> None:
    """A table as tall as its rows (up to ``max_rows``), so the file reads as one page."""
    t.resizeRowsToContents()
    rows = min(t.rowCount(), max_rows)
    head = max(t.horizontalHeader().height(), t.horizontalHeader().sizeHint().height())
    body = sum(t.rowHeight(i) for i in range(rows)) if rows else t.verticalHeader().defaultSectionSize()
    scroll = t.horizontalScrollBar().sizeHint().height() if t.horizontalScrollBar().isVisible() else 0
    t.setFixedHeight(head + body + 2 * t.frameWidth() + scroll + 2)
