"""重大欠薪问题和敏感项目台账: the cases flagged 重大 or 敏感 (a view over the case ledger) and the
projects they concern, with its own printout."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QLabel, QSplitter,
                               QTableWidget, QTableWidgetItem, QToolBar, QVBoxLayout, QWidget)

from models import cases, reports_major
from models.ledger.repo import Query
from models.values import fen_to_yuan_text
from views.context import AppContext
from views.empty_note import EmptyNote, no_match
from views.legend import ColourLegend
from views.table_fit import FitColumns
from views.ledger_model import LedgerTableModel
from views.ledger_table import LedgerTableView

CASE_COLUMNS = ("case_no", "employer_name", "project_name", "total_workers", "total_owed_fen", "outstanding_fen",
                "status", "is_major", "is_sensitive", "deadline", "workstream_id", "owner_person", "registered_on")
PROJECT_HEADERS = ("项目名称", "建设单位", "总承包单位", "政府投资", "问题件数", "未办结", "涉及人数",
                   "未付工资（元）", "拖欠工程款（元）")


class MajorPage(QWidget):
    title = "重大敏感问题"

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.repo = cases.repo(ctx.store)
        fields = [self.repo.ledger.field(n) for n in CASE_COLUMNS]
        self.model = LedgerTableModel(self.repo, fields, self, decorate=cases.Warner(ctx.store, ctx.today()).decorate)
        self.table = LedgerTableView(self.model, ctx.prefs, "major_cases", self)
        self.model.query = Query()
        self.flag_box = QComboBox()
        self.flag_box.addItem("重大或敏感", None)
        for f in reports_major.FLAGS:
            self.flag_box.addItem(f"仅{f}", f)
        self.open_box = QComboBox()
        self.open_box.addItem("未办结", True)
        self.open_box.addItem("全部状态", False)
        for box in (self.flag_box, self.open_box):
            box.currentIndexChanged.connect(self.apply)
        tb = QToolBar()
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        tb.addAction("打开问题", lambda: self.open_case(self.table.current_id()))
        tb.addAction("打印…", self.print_view)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("标记："))
        bar.addWidget(self.flag_box)
        bar.addWidget(QLabel("状态："))
        bar.addWidget(self.open_box)
        bar.addStretch(1)
        bar.addWidget(tb)
        self.note = QLabel("重大：涉及人数或金额超过预警阈值；敏感：网络舆情、上级交办或可能引发群体性事件的问题。"
                           "标记在欠薪问题台账中维护。")
        self.note.setStyleSheet("color: #555;")
        self.totals = QLabel()
        self.projects = QTableWidget(0, len(PROJECT_HEADERS))
        self.projects.setHorizontalHeaderLabels(PROJECT_HEADERS)
        self.projects.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.projects.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.projects.setAlternatingRowColors(True)
        self.projects.verticalHeader().setDefaultSectionSize(24)
        self.projects.fitter = FitColumns(self.projects, 0)     # names whole: the table scrolls instead
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 4, 0, 0)
        caption = QLabel("涉及的工程项目")
        caption.setStyleSheet("font-weight: bold;")
        ll.addWidget(caption)
        ll.addWidget(self.projects)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.note.setWordWrap(True)
        self.legend = ColourLegend([(cases.WARNING_COLOURS[k], k) for k in cases.WARNING_KINDS], self)
        self.legend.setToolTip("各行按预警着底色；一行有几项预警时，取靠前一项的颜色。")
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.note)
        lay.addWidget(self.legend)
        self.empty = EmptyNote(self)
        lay.addWidget(self.empty)
        lay.addWidget(split, 1)
        lay.addWidget(self.totals)
        self.table.activatedRecord.connect(self.open_case)
        self.model.queryChanged.connect(self._update_totals)
        ctx.bus.changed.connect(lambda t: self.apply() if not ctx.store.closed and t in
                                ("", "case_record", "worker", "repayment", "contract_arrear") else None)
        self.apply()

    def build_query(self) -> Query:
        q = reports_major.query(self.flag_box.currentData())
        q.sort, q.descending = self.model.query.sort, self.model.query.descending
        if self.open_box.currentData():
            q.extra.append((cases.OPEN_SQL, []))
            q.notes.append("未办结")
        return q

    def apply(self) -> None:
        self.model.set_query(self.build_query())
        self._fill_projects()

    def _fill_projects(self) -> None:
        rows = reports_major.flagged_projects(self.ctx.store, self.flag_box.currentData(),
                                              open_only=bool(self.open_box.currentData()))
        self.projects.setRowCount(len(rows))
        for r, p in enumerate(rows):
            cells = (p["name"], p["owner_unit"] or "", p["general_contractor"] or "", "是" if p["gov_invested"] else "否",
                     str(p["cases"]), str(p["open"]), str(p["workers"]), fen_to_yuan_text(p["outstanding"]),
                     fen_to_yuan_text(p["contract_owed"]))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.projects.setItem(r, c, item)
        self.projects.fitter.fit()

    def _update_totals(self) -> None:
        t = self.repo.totals(self.model.query)
        self.totals.setText(f"共 {self.model.rowCount()} 件　涉及 {t.get('total_workers', 0):,} 人　"
                            f"欠薪 {fen_to_yuan_text(t.get('total_owed_fen', 0))} 元　"
                            f"未付 {fen_to_yuan_text(t.get('outstanding_fen', 0))} 元"
                            f"　（{self.model.query.describe(self.repo.ledger)}）")
        rows = self.model.rowCount()
        # the view always has a filter (重大或敏感, 未办结): "none matches" only while some case is flagged
        flagged = rows or self.repo.count(reports_major.query(None))
        self.empty.show_for(rows, filtered=bool(flagged), none_match=no_match("重大敏感问题"),
                            none_yet="目前没有标记为重大或敏感的欠薪问题。")

    def open_case(self, case_id) -> None:
        if case_id is None:
            return
        page = self.ctx.navigate("cases")
        if page is not None and hasattr(page, "table"):
            page.table.select_record(case_id)

    def print_view(self) -> None:
        default = str(Path.home() / f"重大欠薪问题和敏感项目台账-{self.ctx.today():%Y%m%d}.pdf")
        path, _ = QFileDialog.getSaveFileName(self, "打印（生成 PDF）", default, "PDF 文件 (*.pdf)")
        if path:
            out = reports_major.print_major(self.ctx.store, path, self.ctx.today())
            self.ctx.bus.status.emit(f"已生成 {out}")
