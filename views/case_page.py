"""欠薪问题台账 page: filters, search, the case table, its detail pane and warnings."""
from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QToolBar, QVBoxLayout, QWidget)

from models import campaign, cases
from models.ledger.repo import Query, ValidationError
from models.ledgers.cases import SOURCES, STATUSES
from models.values import ValueProblem, fen_to_yuan_text, parse_date
from views import ledger_io
from views.background_search import search_in_background
from views.case_detail import CaseDetail
from views.case_dialogs import StatusDialog
from views.context import AppContext
from views.detail_split import DetailSplitter
from views.empty_note import EmptyNote, no_match
from views.legend import ColourLegend
from views.ledger_model import LedgerTableModel
from views.ledger_table import LedgerTableView
from views.record_form import RecordForm


SHORT_PAGE = 480        # a page less tall than this (150 % scaling) has narrower margins


GROUNDLESS = "不存在欠薪"


class CasePage(QWidget):
    title = "欠薪问题台账"

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.repo = cases.repo(ctx.store)
        self.warner = cases.Warner(ctx.store, ctx.today())
        self.model = LedgerTableModel(self.repo, parent=self, decorate=self.warner.decorate)
        self.table = LedgerTableView(self.model, ctx.prefs, "cases", self)
        self.detail = CaseDetail(ctx, self)
        self._build_filters()
        self._build_toolbar()
        self.totals = QLabel()
        self.totals.setObjectName("totals")
        self.totals.setWordWrap(True)
        # the row colours and what they mean; each swatch lists its cases when clicked
        self.legend = ColourLegend([(cases.WARNING_COLOURS[k], k) for k in cases.WARNING_KINDS], self,
                                   note="点击可只看该类",
                                   on_click=lambda i: self._show_warning(cases.WARNING_KINDS[i]))
        self.legend.setToolTip("台账各行按预警着底色；一行有几项预警时，取靠前一项的颜色。点击色块只看该类问题。")
        self.warn_buttons: dict[str, QPushButton] = dict(zip(cases.WARNING_KINDS, self.legend.swatches))
        self.calendar_note = QLabel()
        self.calendar_note.setStyleSheet("color: #8a6d3b;")
        self.calendar_note.setWordWrap(True)
        self.empty = EmptyNote(self)

        self.split = split = DetailSplitter(self.table, self.detail, self.detail_compact_height)
        lay = QVBoxLayout(self)
        lay.addWidget(self.toolbar)
        lay.addLayout(self.filter_bar)
        lay.addWidget(self.legend)
        lay.addWidget(self.calendar_note)
        lay.addWidget(self.empty)
        lay.addWidget(split, 1)
        lay.addWidget(self.totals)

        self.table.currentRecord.connect(self.detail.show_case)
        self.table.currentRecord.connect(lambda rid: split.set_chosen(rid is not None))
        self.table.activatedRecord.connect(self.edit_case)
        self.model.queryChanged.connect(self._update_totals)
        ctx.bus.changed.connect(self._on_data_changed)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.apply_filters)
        search_in_background(self.table, self.model, totals=True,     # a search never holds up the window
                             counts=({"status": GROUNDLESS},))
        self.refresh()

    # -- the detail pane: one line of hint while no case is chosen, its share once one is -------
    def detail_compact_height(self) -> int:
        return self.detail.tabBar().sizeHint().height() + self.detail.compact_height()

    # -- building ------------------------------------------------------------------
    def _build_filters(self) -> None:
        self.status_box = QComboBox()
        self.status_box.addItem("全部状态", None)
        for s in STATUSES:
            self.status_box.addItem(s, s)
        self.status_box.addItem("未办结", "__open__")
        self.ws_box = QComboBox()
        self.source_box = QComboBox()
        self.source_box.addItem("全部来源", None)
        for s in SOURCES:
            self.source_box.addItem(s, s)
        self.warn_box = QComboBox()
        self.warn_box.addItem("全部预警", None)
        for k in cases.WARNING_KINDS:
            self.warn_box.addItem(k, k)
        self.date_from = QLineEdit()
        self.date_from.setPlaceholderText("登记日期从")
        self.date_to = QLineEdit()
        self.date_to.setPlaceholderText("至")
        for w in (self.date_from, self.date_to):
            w.setMaximumWidth(110)
            w.setMinimumWidth(self.fontMetrics().horizontalAdvance("2026-12-31") + 16)
            w.editingFinished.connect(self.apply_filters)
        self.search = QLineEdit()
        self.search.setPlaceholderText("检索编号、单位、责任人…")
        self.search.setToolTip("检索编号、用人单位、项目、摘要、包案责任人（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda: self._search_timer.start())
        for box in (self.status_box, self.ws_box, self.source_box, self.warn_box):
            box.currentIndexChanged.connect(self.apply_filters)
        self.filter_bar = QHBoxLayout()
        self.search.setMinimumWidth(120)
        self.filter_bar.addWidget(self.search, 3)
        # the boxes may narrow with the window (a long item is shown whole in the open list)
        for w, chars in ((self.status_box, 4), (self.ws_box, 4), (self.source_box, 4), (self.warn_box, 4)):
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(chars)
            w.view().setMinimumWidth(w.view().sizeHintForColumn(0) + 24)
            self.filter_bar.addWidget(w, 1)
        for w in (QLabel("登记日期"), self.date_from, QLabel("—"), self.date_to):
            self.filter_bar.addWidget(w)
        self.filter_message = QLabel()
        self.filter_message.setStyleSheet("color: #c0392b;")
        self.filter_bar.addWidget(self.filter_message)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(find)

    def _build_toolbar(self) -> None:
        tb = QToolBar()
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.act_new = tb.addAction("新增问题", self.new_case)
        self.act_new.setShortcut(QKeySequence.StandardKey.New)
        self.act_new.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.act_new)
        tb.addAction("打开 / 编辑", lambda: self.edit_case(self.table.current_id()))
        tb.addAction("变更状态", self.change_status)
        tb.addSeparator()
        tb.addAction("移入回收站", self.recycle)
        tb.addSeparator()
        tb.addAction("导入…", lambda: ledger_io.open_import(self, self.ctx, "cases"))
        tb.addAction("导出…", lambda: ledger_io.open_export(self, self.ctx, "cases", self.model.query))
        tb.addAction("打印…", lambda: ledger_io.open_print(self, self.ctx, "cases", self.model.query))
        tb.addAction("复制选中行", self.table.copy_selection)
        tb.addAction("列设置…", lambda: self.table._header_menu(self.table.horizontalHeader().rect().center()))
        self.toolbar = tb

    # -- data ----------------------------------------------------------------------
    def refresh(self) -> None:
        self.warner = cases.Warner(self.ctx.store, self.ctx.today())
        self.model.decorate = self.warner.decorate
        current = self.ws_box.currentData()
        self.ws_box.blockSignals(True)
        self.ws_box.clear()
        self.ws_box.addItem("全部专班", None)
        for ws in campaign.workstreams(self.ctx.store):
            self.ws_box.addItem(ws["name"], ws["id"])
        if current is not None:
            self.ws_box.setCurrentIndex(max(0, self.ws_box.findData(current)))
        self.ws_box.blockSignals(False)
        self.apply_filters()
        self._update_warnings()

    def build_query(self) -> Query:
        q = Query(sort=self.model.query.sort, descending=self.model.query.descending)
        status = self.status_box.currentData()
        if status == "__open__":
            q.extra.append((cases.OPEN_SQL, []))
            q.notes.append("状态：未办结")
        elif status:
            q.equals["status"] = status
        if self.ws_box.currentData() is not None:
            q.equals["workstream_id"] = self.ws_box.currentData()
        if self.source_box.currentData():
            q.equals["source"] = self.source_box.currentData()
        kind = self.warn_box.currentData()
        if kind:
            sql, params = cases.warning_conditions(self.ctx.store, self.ctx.today())[kind]
            q.extra.append((sql, params))
            q.notes.append(f"预警：{kind}")
        self.filter_message.clear()
        try:
            lo = parse_date(self.date_from.text())
            hi = parse_date(self.date_to.text())
            if lo or hi:
                q.ranges["registered_on"] = (lo, hi)
        except ValueProblem as exc:
            self.filter_message.setText(str(exc))
        q.search = self.search.text().strip()
        return q

    def apply_filters(self) -> None:
        self.model.set_query(self.build_query())

    def _update_totals(self) -> None:
        t = self.model.totals()
        self.totals.setText(
            f"共 {self.model.rowCount():,} 件　涉及 {t.get('total_workers', 0):,} 人　"
            f"应付 {fen_to_yuan_text(t.get('total_owed_fen', 0))} 元　已付 {fen_to_yuan_text(t.get('total_paid_fen', 0))} 元　"
            f"未付 {fen_to_yuan_text(t.get('outstanding_fen', 0))} 元　（{self.model.query.describe(self.repo.ledger)}）"
            + self._basis_note())
        self.empty.show_for(self.model.rowCount(),
                            filtered=self.model.query.describe(self.repo.ledger) != "全部记录",
                            none_match=no_match("欠薪问题"),
                            none_yet="欠薪问题台账还没有记录。可点“新增问题”逐条登记，或点“导入…”从 Excel 表格导入。")

    def _basis_note(self) -> str:
        """The 合计 counts every listed case; say so where it includes cases found groundless,
        which the headline figures (models.figures) leave out."""
        q = self.model.query
        if q.equals.get("status", GROUNDLESS) != GROUNDLESS:
            return ""
        n = self.model.count_with({"status": GROUNDLESS})
        return f"　注：合计含经核实不存在欠薪的问题 {n} 件，首页和报表的欠薪总额不含此类问题" if n else ""

    def _update_warnings(self) -> None:
        counts = cases.warnings_summary(self.ctx.store, self.ctx.today())
        for kind, b in self.warn_buttons.items():
            b.setText(f"{kind} {counts.get(kind, 0)}")
        c = campaign.current(self.ctx.store)
        if c:
            cal = cases.load_calendar(self.ctx.store)
            note = cases.calendar_notice(cal, _dt.date.fromisoformat(c.start_date), _dt.date.fromisoformat(c.end_date))
            self._calendar_text = note
            self._fit_calendar_note()
            self.calendar_note.setVisible(bool(note))

    def _fit_calendar_note(self) -> None:
        """The calendar notice on one line: whole where it fits, else its first sentence (what is
        wrong) with the whole (where to mend it) in the tooltip — a short screen keeps its rows."""
        note = getattr(self, "_calendar_text", "")
        label = self.calendar_note
        first = note.split("。")[0] + "。" if "。" in note.rstrip("。") else note
        whole = label.fontMetrics().horizontalAdvance(note) <= label.contentsRect().width()
        label.setText(note if whole else first)
        label.setToolTip("" if whole else note)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        # a short window (1366×768 at 150 %: about 400 px for the page) spends less on margins
        short = self.height() < SHORT_PAGE
        self.layout().setContentsMargins(9, 3 if short else 9, 9, 3 if short else 9)
        self.layout().setSpacing(3 if short else 6)
        self._fit_calendar_note()

    def _show_warning(self, kind: str) -> None:
        self.warn_box.setCurrentIndex(self.warn_box.findData(kind))

    def _on_data_changed(self, table: str) -> None:
        if table in ("", "case_record", "worker", "repayment", "workstream"):
            if table == "workstream":
                self.refresh()
                return
            keep = self.table.current_id()
            self.model.reload()
            self._update_warnings()
            if keep is not None:
                self.table.select_record(keep)

    # -- actions --------------------------------------------------------------------
    def _ref_options(self) -> dict:
        return {"workstream_id": [(w["id"], w["name"]) for w in campaign.workstreams(self.ctx.store)]}

    def new_case(self) -> None:
        store = self.ctx.store
        today = self.ctx.today()
        from views.case_numbering import proposed_case_no
        initial = {"case_no": proposed_case_no(self.repo, today), "registered_on": today.isoformat(),
                   "deadline_days": cases.setting(store, "case.deadline_days"), "status": "待核实",
                   "source": SOURCES[0], "industry_type": "工程建设"}
        fields = [f for f in self.repo.ledger.form_fields if f.name not in ("status", "verdict", "deadline")]
        form = RecordForm(self, self.repo.ledger, "新增欠薪问题", initial, fields=fields,
                          ref_options=self._ref_options(),
                          on_save=lambda v: cases.register_case(store, {**v, "status": "待核实"}))
        if form.exec():
            self.ctx.changed("case_record")
            self.table.select_record(form.result_value)

    def edit_case(self, case_id: int | None) -> None:
        if case_id is None:
            return
        row = self.repo.get(case_id)
        if row is None:
            return
        fields = [f for f in self.repo.ledger.form_fields if f.name not in ("status",)]
        form = RecordForm(self, self.repo.ledger, f"欠薪问题 {row['case_no']}", row, fields=fields,
                          ref_options=self._ref_options(),
                          on_save=lambda v, reason="": cases.edit_case(self.ctx.store, case_id, v, reason))
        if form.exec():
            self.ctx.changed("case_record")

    def change_status(self) -> None:
        case_id = self.table.current_id()
        if case_id is None:
            QMessageBox.information(self, "变更状态", "请先在台账中选中一条问题。")
            return
        row = self.repo.get(case_id)
        dlg = StatusDialog(self, row, cases.verdicts(self.ctx.store), self.ctx.today())
        while dlg.exec():
            try:
                cases.change_status(self.ctx.store, case_id, dlg.change())
            except ValidationError as exc:
                dlg.show_error(str(exc))
                continue
            self.ctx.changed("case_record")
            break

    def recycle(self) -> None:
        ids = self.table.selected_ids()
        if not ids:
            QMessageBox.information(self, "移入回收站", "请先在台账中选中要移入回收站的问题。")
            return
        from models.ledger.service import service_for
        from views.reason_prompt import recycle_with_reason, which
        svc = service_for(self.ctx.store, "cases", today=self.ctx.today())
        if recycle_with_reason(self, "移入回收站", f"将选中的 {which(self.repo, ids, '条问题')}移入回收站。",
                               lambda why: svc.recycle(ids, why)):
            self.ctx.changed("case_record")
