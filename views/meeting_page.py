"""周调度会: the meetings (history) on the left; on the right one meeting in five tabs,
from preparing its agenda to following up what it decided. A closed meeting is read-only;
更正 asks for a reason, which the audit log keeps. The figures of a tab are computed when
the tab is shown (a county database takes a moment per agenda)."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QFormLayout, QFrame, QGroupBox,
                               QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLayout, QLineEdit, QListWidget,
                               QListWidgetItem, QMessageBox, QPlainTextEdit, QPushButton, QScrollArea, QSplitter, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from models import campaign, meetings as M
from models.ledger.repo import ValidationError
from models.ledgers.meetings import KINDS
from models.values import ValueProblem, fen_to_wan_text
from views.context import AppContext
from views.reason_prompt import with_reason
from views.record_form import RecordForm
from views.table_fit import FitColumns

FIG_COLS = ("专班", "新增（件）", "办结（件）", "兑付（万元）", "在办（件）", "尚欠（万元）", "逾期（件）", "交办未结", "交办逾期")
ITEM_COLS = ("期数", "序号", "交办事项", "责任专班", "责任人", "完成时限", "状态", "最近进展")
STATE_COLOURS = {"逾期": "#f8d7da", "已办结": "#d4edda", "办理中": "#fff3cd"}
TEXT_FIELDS = {"time_text": "开会时间", "title": "会议名称", "place": "地点", "host": "主持", "recorder": "记录"}
PEOPLE = {"attendees_present": ("出席", "一行一人：姓名（单位职务）"), "absent_with_reason": ("请假（缺席）", "一行一人：姓名：事由"),
          "attending_nonvoting": ("列席", "一行一人：姓名（单位职务）")}
NOTES = {"筹备": "筹备中：议程按台账数据生成，开会前可修改。", "已召开": "已召开：汇报数据已冻结；记录议定事项后请关闭会议。",
         "已关闭": "已关闭（{at}），内容只读；如需更正请点“更正…”并说明理由。"}


def _table(headers, stretch: int, wrap: bool = False) -> QTableWidget:
    """``stretch``: the main column; ``wrap``: a table of text (交办事项), whose long cells wrap."""
    t = QTableWidget(0, len(headers))       # dozens of rows at most: a plain widget is fine
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(24)
    t.setAlternatingRowColors(True)
    t.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    t.fitter = FitColumns(t, stretch, wrap)
    return t


def _fill(t: QTableWidget, rows: list[tuple], data: list | None = None, colour_col: int = -1,
          right: range | tuple = ()) -> None:
    t.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            text = "" if v is None else str(v)
            item = QTableWidgetItem(text.splitlines()[-1] if "\n" in text else text)   # the latest progress note
            item.setToolTip(text if len(text) > 12 else "")
            if j in right:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if j == colour_col and text in STATE_COLOURS:
                item.setBackground(QBrush(QColor(STATE_COLOURS[text])))
            if j == 0 and data is not None:
                item.setData(Qt.ItemDataRole.UserRole, data[i])
            t.setItem(i, j, item)
    t.fitter.fit()


def _fig_row(name: str, f: dict) -> tuple:
    return (name, f.get("new_cases", 0), f.get("closed_cases", 0), fen_to_wan_text(f.get("repaid_fen", 0)),
            f.get("open_cases", 0), fen_to_wan_text(f.get("outstanding_fen", 0)), f.get("overdue_cases", 0),
            f.get("open_items", 0), f.get("overdue_items", 0))


def _item_row(it: dict) -> tuple:
    return (it.get("meeting_no") or it.get("source") or "—", it.get("decision_no") or "", it["content"],
            it.get("workstream") or "领导小组办公室", it.get("owner_person") or "", it.get("due_date") or "",
            it["state"], (it.get("progress") or "").strip())


def _scrolling(w: QWidget) -> QScrollArea:
    """A tab that scrolls within itself on a short screen, so the buttons under the tabs
    (保存, 关闭会议 …) stay in view."""
    area = QScrollArea()
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(w)
    return area


def _boxed(title: str, w: QWidget) -> QGroupBox:
    g = QGroupBox(title)
    QVBoxLayout(g).addWidget(w)
    return g


def _lay(layout: QLayout, *parts, stretch_last: bool = False) -> QLayout:
    for p in parts:
        layout.addLayout(p) if isinstance(p, QLayout) else layout.addWidget(p)
    if stretch_last:
        layout.addStretch(1)
    return layout


def _button(text: str, fn) -> QPushButton:
    b = QPushButton(text)
    b.clicked.connect(lambda _checked=False: fn())
    return b


def _split(*parts: QWidget, sizes: list[int] | None = None) -> QSplitter:
    s = QSplitter(Qt.Orientation.Vertical)
    for p in parts:
        s.addWidget(p)
    if sizes:
        s.setSizes(sizes)
    return s


class MeetingPage(QWidget):
    title = "周调度会"

    def __init__(self, ctx: AppContext, kind: str = "meetings", parent=None) -> None:
        super().__init__(parent)
        self.ctx, self.kind, self.store = ctx, kind, ctx.store
        self.meeting: dict | None = None
        self.correction_reason = ""
        self.reports: list[dict] = []
        self.report_cache: dict[int, tuple[str, str]] = {}
        self.current_ws: int | None = None
        self.stale: set[int] = set()
        self.job = None
        self.last_pdf: Path | None = None
        self.list = QListWidget()
        self.list.setObjectName("meeting_list")
        self.list.setStyleSheet("QListWidget#meeting_list::item { padding: 4px 2px; border-bottom: 1px solid #e3e3e3; }"
                                "QListWidget#meeting_list::item:selected { background: #2e6da4; color: white; }")
        self.list.setMinimumWidth(200)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentItemChanged.connect(
            lambda cur, _prev: self.open_meeting(cur.data(Qt.ItemDataRole.UserRole) if cur else None))
        left = QWidget()
        _lay(QVBoxLayout(left), _lay(QHBoxLayout(), _button("新建会议", lambda: self.new_meeting("例会")),
                                     _button("新建专题会议", lambda: self.new_meeting("专题会议"))), self.list)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.state_note = QLabel()
        self.state_note.setWordWrap(True)
        self.tabs = QTabWidget()
        for build, title in ((self._info_tab, "基本信息与出席"), (self._agenda_tab, "议程"), (self._reports_tab, "专班汇报"),
                             (self._decisions_tab, "议定事项"), (self._tracking_tab, "交办事项跟踪")):
            self.tabs.addTab(_scrolling(build()), title)
        self.tabs.currentChanged.connect(lambda _i: self._refresh_visible())
        self.buttons = {key: _button(text, fn) for key, text, fn in (
            ("save", "保存", self.save), ("freeze", "冻结汇报数据", self.freeze), ("close", "关闭会议", self.close_meeting),
            ("correct", "更正…", self.start_correction), ("pdf", "生成会议纪要 PDF", self.export_minutes))}
        right = QWidget()
        _lay(QVBoxLayout(right), self.heading, self.state_note, self.tabs,
             _lay(QHBoxLayout(), *self.buttons.values(), stretch_last=True))
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 4)
        split.setSizes([290, 1000])
        QVBoxLayout(self).addWidget(split)
        ctx.bus.changed.connect(self._on_changed)
        self.reload()

    # -- tabs ------------------------------------------------------------------------
    def _info_tab(self) -> QWidget:
        form = QFormLayout()
        self.no_label, self.kind_box, self.date_edit = QLabel(), QComboBox(), QLineEdit()
        self.kind_box.addItems(list(KINDS))
        self.edits: dict[str, QLineEdit | QPlainTextEdit] = {k: QLineEdit() for k in TEXT_FIELDS}
        for label, w in (("期数", self.no_label), ("会议类别", self.kind_box), ("会议日期", self.date_edit),
                         *((TEXT_FIELDS[k], self.edits[k]) for k in TEXT_FIELDS)):
            form.addRow(label, w)
        people = QHBoxLayout()
        for k, (label, hint) in PEOPLE.items():
            self.edits[k] = QPlainTextEdit()
            self.edits[k].setPlaceholderText(hint)
            people.addWidget(_boxed(label, self.edits[k]))
        self.fill_btn = _button("按领导小组名单填入出席", self.fill_attendance)
        w = QWidget()
        lay = _lay(QVBoxLayout(w), form, people, _lay(QHBoxLayout(), self.fill_btn, stretch_last=True))
        lay.setStretch(1, 1)
        return w

    def _agenda_tab(self) -> QWidget:
        self.agenda_note = QLabel()
        self.agenda_note.setWordWrap(True)
        self.fig_table, self.carry_table = _table(FIG_COLS, 0), _table(ITEM_COLS, 2, wrap=True)
        self.edits["agenda"] = QPlainTextEdit()
        self.regen_btn = _button("按台账数据重新生成议程", self.regenerate_agenda)
        w = QWidget()
        _lay(QVBoxLayout(w), self.agenda_note,
             _split(_boxed("各专班本周数据（自台账统计）", self.fig_table),
                    _boxed("前期交办未办结事项（办结销号前每次会议都列入）", self.carry_table),
                    _boxed("会议议程（可修改）", self.edits["agenda"]), sizes=[300, 200, 220]),
             _lay(QHBoxLayout(), self.regen_btn, stretch_last=True))
        return w

    def _reports_tab(self) -> QWidget:
        self.report_note = QLabel()
        self.report_table = _table(FIG_COLS + ("冻结时间",), 0)
        self.report_table.currentCellChanged.connect(lambda r, *_: self._select_report(r))
        self.report_text, self.report_problems = QPlainTextEdit(), QPlainTextEdit()
        self.report_text.setPlaceholderText("本周工作情况、下周打算")
        self.report_problems.setPlaceholderText("存在问题、需领导小组协调的事项")
        texts, w = QWidget(), QWidget()
        _lay(QHBoxLayout(texts), _boxed("汇报内容", self.report_text), _boxed("存在问题", self.report_problems))
        _lay(QVBoxLayout(w), self.report_note, _split(self.report_table, texts, sizes=[420, 260]))
        return w

    def _decisions_tab(self) -> QWidget:
        self.edits["body"] = QPlainTextEdit()
        self.edits["body"].setPlaceholderText("会议纪要正文；空着时按汇报数据自动生成")
        self.decision_table = _table(("序号", "议定事项", "责任专班", "责任人", "完成时限", "状态"), 1, wrap=True)
        self.body_btn = _button("按汇报数据生成正文", self.generate_body)
        self.add_btn = _button("新增议定事项…", self.add_decision)
        self.del_btn = _button("删除选中事项", self.remove_decision)
        w = QWidget()
        _lay(QVBoxLayout(w), _split(_boxed("会议纪要正文", self.edits["body"]),
                                    _boxed("议定事项（即交办事项，印入纪要）", self.decision_table)),
             _lay(QHBoxLayout(), self.body_btn, self.add_btn, self.del_btn, stretch_last=True))
        return w

    def _tracking_tab(self) -> QWidget:
        self.track_note = QLabel()
        self.show_closed = QCheckBox("显示已办结")
        self.show_closed.toggled.connect(lambda _on: self.refresh_tracking())
        self.track_table = _table(ITEM_COLS, 2, wrap=True)
        row = _lay(QHBoxLayout(), self.track_note, self.show_closed, _button("标为办理中", self.mark_doing),
                   _button("添加进展…", self.add_progress), _button("办结销号…", self.close_item))
        row.setStretch(0, 1)
        w = QWidget()
        _lay(QVBoxLayout(w), row, self.track_table)
        return w

    # -- loading ---------------------------------------------------------------------
    def reload(self, select: int | None = None) -> None:
        keep = select or (self.meeting["id"] if self.meeting else None)
        self.list.blockSignals(True)
        self.list.clear()
        for m in M.list_meetings(self.store):
            d = _dt.date.fromisoformat(m["date"])
            item = QListWidgetItem(f"第{m['meeting_no']}期　{d:%m-%d} 星期{M.WEEKDAYS[d.weekday()]}　{m['kind']}"
                                   f"\n{m['title']}【{m['status']}】")
            item.setData(Qt.ItemDataRole.UserRole, m["id"])
            if m["status"] == "已关闭":
                item.setForeground(QBrush(QColor("#555")))
            self.list.addItem(item)
            if m["id"] == keep:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        current = self.list.currentItem()
        self.open_meeting(current.data(Qt.ItemDataRole.UserRole) if current else None)

    def open_meeting(self, meeting_id: int | None) -> None:
        self.correction_reason, self.current_ws = "", None
        self.report_cache.clear()
        self.meeting = M.get_meeting(self.store, meeting_id) if meeting_id else None
        m = self.meeting or {}
        self.heading.setText(f"第{m['meeting_no']}期　{m['title']}" if m else "还没有会议，请点“新建会议”")
        self.no_label.setText(str(m.get("meeting_no", "")))
        self.kind_box.setCurrentText(m.get("kind") or "例会")
        self.date_edit.setText(m.get("date") or "")
        for k, e in self.edits.items():
            e.setPlainText(m.get(k) or "") if isinstance(e, QPlainTextEdit) else e.setText(m.get(k) or "")
        self.stale = {1, 2, 3, 4} if m else {4}
        self._apply_mode()
        self._refresh_visible()

    def _refresh_visible(self) -> None:
        i = self.tabs.currentIndex()
        if i in self.stale:
            self.stale.discard(i)
            (None, self.refresh_agenda, self.refresh_reports, self.refresh_decisions, self.refresh_tracking)[i]()

    def refresh_agenda(self) -> None:
        a = M.agenda_for(self.store, self.meeting["id"], self.ctx.today())
        when = "截至当前" if a.as_of == "now" else f"按{a.as_of}会前数据还原"
        self.agenda_note.setText(f"统计区间：{a.since} 至 {a.until}（{when}）　预警："
                                 + "，".join(f"{k}{v}件" for k, v in a.warnings.items())
                                 + (f"\n{a.calendar_note}" if a.calendar_note else ""))
        _fill(self.fig_table, [_fig_row(r.name, r.__dict__) for r in a.rows] + [_fig_row("合计", a.total.__dict__)],
              right=range(1, 9))
        _fill(self.carry_table, [_item_row(it) for it in a.items], [it["id"] for it in a.items], 6, (0, 1))
        if not self.edits["agenda"].toPlainText().strip() and self.meeting["status"] == "筹备":
            self.edits["agenda"].setPlainText(M.agenda_text(a, self.meeting))

    def refresh_reports(self) -> None:
        reports = M.meeting_reports(self.store, self.meeting["id"])
        frozen = any(r["figures"] for r in reports)
        live = {} if frozen else {r.workstream_id: r.__dict__ for r in
                                  M.agenda_for(self.store, self.meeting["id"], self.ctx.today()).rows}
        self.report_note.setText("以下为会议时冻结的数据，不随台账变化。" if frozen else
                                 "尚未冻结：以下为当前台账数据，开会时请点“冻结汇报数据”。")
        self.reports, self.current_ws = reports, None
        _fill(self.report_table, [_fig_row(r["workstream"], r["figures"] or live.get(r["workstream_id"], {}))
                                  + ((r["frozen_at"] or "").replace("T", " ")[:16],) for r in reports],
              [r["workstream_id"] for r in reports], right=range(1, 9))
        if reports:
            self.report_table.selectRow(0)
            self._select_report(0)

    def _select_report(self, row: int) -> None:
        """Keep what was typed for the workstream left, show the one chosen."""
        if self.current_ws is not None:
            self.report_cache[self.current_ws] = (self.report_text.toPlainText(), self.report_problems.toPlainText())
        if 0 <= row < len(self.reports):
            r = self.reports[row]
            self.current_ws = r["workstream_id"]
            text, problems = self.report_cache.get(self.current_ws, (r["report_text"] or "", r["problems"] or ""))
            self.report_text.setPlainText(text)
            self.report_problems.setPlainText(problems)

    def refresh_decisions(self) -> None:
        items = M.decisions(self.store, self.meeting["id"], self.ctx.today())
        _fill(self.decision_table, [(it["decision_no"], it["content"], it["workstream"] or "领导小组办公室",
                                     it["owner_person"], it["due_date"] or "", it["state"]) for it in items],
              [it["id"] for it in items], 5, (0,))

    def refresh_tracking(self) -> None:
        items = M.open_items(self.store, self.ctx.today(), self.show_closed.isChecked())
        late = sum(1 for it in items if it["state"] == "逾期")
        self.track_note.setText(f"未办结 {sum(1 for it in items if it['state'] != '已办结')} 项，其中逾期 {late} 项"
                                f"（截至 {self.ctx.today()}）")
        _fill(self.track_table, [_item_row(it) for it in items], [it["id"] for it in items], 6, (0, 1))

    def _apply_mode(self) -> None:
        m, fixing = self.meeting, bool(self.correction_reason)
        closed = bool(m) and m["status"] == "已关闭" and not fixing
        editable = bool(m) and not closed
        for e in [*self.edits.values(), self.report_text, self.report_problems]:
            e.setReadOnly(not editable)
        self.date_edit.setReadOnly(not editable or fixing)
        self.kind_box.setEnabled(editable and not fixing)
        for w in (self.fill_btn, self.regen_btn, self.body_btn, self.add_btn, self.del_btn,
                  self.buttons["freeze"], self.buttons["close"]):
            w.setEnabled(editable and not fixing)
        self.buttons["save"].setEnabled(editable)
        self.buttons["correct"].setEnabled(closed)
        self.buttons["pdf"].setEnabled(bool(m))
        note = "" if not m else (f"正在更正已关闭的会议（理由：{self.correction_reason}），保存后记入修改记录。" if fixing
                                 else NOTES[m["status"]].format(at=(m["closed_at"] or "").replace("T", " ")[:16]))
        self.state_note.setText(note)
        self.state_note.setStyleSheet("color: #8a6d3b;" if closed or fixing else "color: #2e6da4;")

    def _on_changed(self, table: str) -> None:
        if table in ("", "meeting", "action_item", "meeting_report"):
            self.reload()
        elif table in ("case_record", "repayment", "workstream") and self.meeting:
            self.stale |= {1, 2}            # figures only: what is being typed here stays
            self._refresh_visible()

    # -- actions -----------------------------------------------------------------------
    def save(self) -> bool:
        if not self.meeting:
            return False
        self._select_report(-1)
        warnings: list[str] = []
        try:
            values = {k: (e.toPlainText() if isinstance(e, QPlainTextEdit) else e.text()).strip()
                      for k, e in self.edits.items()}
            values["kind"] = self.kind_box.currentText()
            reports = [{"workstream_id": ws, "report_text": t, "problems": p} for ws, (t, p) in self.report_cache.items()]
            if self.correction_reason:
                M.correct_closed_meeting(self.store, self.meeting["id"], {**values, "reports": reports},
                                         self.correction_reason)
            else:
                values["date"] = M.repo(self.store).ledger.field("date").parse(self.date_edit.text())
                reason = ""
                moved = values["date"] != self.meeting["date"] or values["kind"] != self.meeting["kind"]
                if moved and M.frozen_rows(self.store, self.meeting["id"]):
                    reason, ok = QInputDialog.getText(
                        self, "改期", "本次会议的汇报数据已冻结。改开会日期或会议类别须说明理由（记入修改记录），"
                                    "汇报数据将按新的统计区间重新冻结：")
                    if not ok or not reason.strip():
                        return False
                warnings = M.update_meeting(self.store, self.meeting["id"], values, reason.strip(), today=self.ctx.today())
                for r in reports:
                    M.save_report(self.store, self.meeting["id"], r["workstream_id"], r["report_text"], r["problems"])
        except (ValidationError, ValueProblem) as exc:
            QMessageBox.warning(self, "保存会议", str(exc))
            return False
        if warnings:
            QMessageBox.information(self, "保存会议", "会议已保存。请再看一下开会日期：\n" + "\n".join(warnings))
        self.ctx.bus.status.emit("会议已保存")
        self.ctx.changed("meeting")
        return True

    def _run(self, title: str, fn) -> None:
        if self.meeting and self.save():
            try:
                fn()
            except ValidationError as exc:
                QMessageBox.warning(self, title, str(exc))
            self.ctx.changed("meeting")

    def freeze(self) -> None:
        reason = ""
        if self.meeting and M.frozen_rows(self.store, self.meeting["id"]):
            reason, ok = QInputDialog.getText(self, "冻结汇报数据", "汇报数据已经冻结过。重新冻结会改写冻结的数字，"
                                                                  "请说明理由（记入修改记录）：")
            if not ok or not reason.strip():
                return
        self._run("冻结汇报数据", lambda: M.freeze_reports(self.store, self.meeting["id"], self.ctx.today(),
                                                          reason=reason.strip()))

    def close_meeting(self) -> None:
        if QMessageBox.question(self, "关闭会议", "关闭后会议内容只读，更正须说明理由。确定关闭？") \
                == QMessageBox.StandardButton.Yes:
            self._run("关闭会议", lambda: M.close_meeting(self.store, self.meeting["id"], self.ctx.today()))

    def start_correction(self, reason: str | None = None) -> None:
        if reason is None:
            reason, ok = QInputDialog.getText(self, "更正已关闭的会议", "更正理由（必填，记入修改记录）：")
            if not ok:
                return
        if not reason.strip():
            QMessageBox.warning(self, "更正", "更正已关闭的会议须说明理由。")
            return
        self.correction_reason = reason.strip()
        self._apply_mode()

    def new_meeting(self, kind: str) -> None:
        from models.meeting_schedule import default_date      # a 专题会议 ahead does not push the 例会 back
        initial = M.meeting_defaults(self.store, default_date(self.store, kind, self.ctx.today()), kind)
        ledger = M.repo(self.store).ledger
        fields = [ledger.field(n) for n in ("date", "time_text", "title", "place", "host", "recorder")]
        form = RecordForm(self, ledger, "新建周调度会议" if kind == "例会" else "新建专题会议", initial, fields=fields,
                          fixed={"meeting_no": initial["meeting_no"]},
                          on_save=lambda v: M.create_meeting(self.store, _dt.date.fromisoformat(v.pop("date")),
                                                             kind, **v))
        if form.exec():
            self.reload(select=form.result_value)
            self.ctx.changed("meeting")
            warnings = M.schedule_warnings(self.store, form.result_value) if form.result_value else []
            if warnings:
                QMessageBox.information(self, "新建会议", "会议已新建。请再看一下开会日期：\n" + "\n".join(warnings))

    def fill_attendance(self) -> None:
        c = campaign.current(self.store)
        people = campaign.leading_group(self.store, c.id) if c else []
        self.edits["attendees_present"].setPlainText("\n".join(M.person_line(p) for p in people))

    def regenerate_agenda(self) -> None:
        a = M.agenda_for(self.store, self.meeting["id"], self.ctx.today())
        self.edits["agenda"].setPlainText(M.agenda_text(a, self.meeting))

    def generate_body(self) -> None:
        from models.reports.minutes import default_body
        self.edits["body"].setPlainText(default_body(self.store, self.meeting["id"], self.ctx.today()))

    def add_decision(self) -> None:
        ledger = M.repo(self.store, "action_items").ledger
        fields = [ledger.field(n) for n in ("content", "workstream_id", "owner_person", "due_date")]
        options = {"workstream_id": [(w["id"], w["name"]) for w in campaign.workstreams(self.store)]}
        mid = self.meeting["id"]
        form = RecordForm(self, ledger, "新增议定事项", {}, fields=fields, ref_options=options,
                          on_save=lambda v: M.add_decision(self.store, mid, v.get("content", ""), v.get("workstream_id"),
                                                           v.get("owner_person", ""), v.get("due_date")))
        if form.exec():
            self.ctx.changed("action_item")

    def _selected(self, table: QTableWidget) -> int | None:
        row = table.currentRow()
        return table.item(row, 0).data(Qt.ItemDataRole.UserRole) if row >= 0 and table.item(row, 0) else None

    def _on_item(self, table: QTableWidget, fn) -> None:
        item_id = self._selected(table)
        if item_id is not None and fn(item_id) is not False:
            self.ctx.changed("action_item")

    # an item of a signed-off ledger changes with the person's 修改理由, asked when it is needed
    def remove_decision(self) -> None:
        self._on_item(self.decision_table, lambda i: with_reason(
            self, "删除议定事项", lambda why: M.remove_decision(self.store, i, why)))

    def mark_doing(self) -> None:
        self._on_item(self.track_table, lambda i: with_reason(
            self, "开始办理", lambda why: M.set_item_status(self.store, i, "办理中", self.ctx.today(), reason=why)))

    def add_progress(self, note: str | None = None) -> None:
        if note is None:
            note, ok = QInputDialog.getMultiLineText(self, "添加进展", "办理进展：")
            if not ok or not note.strip():
                return
        self._on_item(self.track_table, lambda i: with_reason(
            self, "添加进展", lambda why: M.add_progress(self.store, i, note, self.ctx.today(), self.ctx.user,
                                                     reason=why)))

    def close_item(self, note: str | None = None) -> None:
        if note is None:
            note, ok = QInputDialog.getText(self, "办结销号", "办结情况：", text="已办结，经核实销号")
            if not ok:
                return
        self._on_item(self.track_table, lambda i: with_reason(
            self, "办结销号", lambda why: M.close_item(self.store, i, self.ctx.today(), note, reason=why)))

    def export_minutes(self, path: str | None = None):
        """生成会议纪要 PDF on a worker thread, which opens its own connection to the database."""
        if not self.meeting or (self.meeting["status"] != "已关闭" and not self.save()):
            return None
        m = self.meeting
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "保存会议纪要", f"第{m['meeting_no']}期会议纪要.pdf", "PDF 文件 (*.pdf)")
            if not path:
                return None
        from models.reports.minutes import minutes_job
        from views.jobs import run_job

        def done(result) -> None:
            self.last_pdf = Path(result)
            self.ctx.bus.status.emit(f"会议纪要已保存：{result}")
            self.state_note.setText(f"会议纪要已保存：{result}")

        self.job = run_job(self, "生成会议纪要", minutes_job(self.ctx.store_path, m["id"], path), on_done=done,
                           on_error=lambda exc: QMessageBox.warning(self, "生成会议纪要", f"未能生成：{exc}"))
        return self.job
