"""县级汇总: one row per township from its latest 报送包 (models.exchange.county) and the county
total, the sum of those rows, pinned below them; sortable by any column, with red and yellow
marks by the county's thresholds (清偿率 below the red line; more overdue cases than the yellow
line, a 报送 older than the stale line, a workstream without its 日报告 on the township's
数据截至 day) and a legend. The thresholds are the county database's settings (办公室 may change
them here). From here: a township's ledgers, read-only (views.exchange.township_view), and the
county's reports (models.reports.county), made on a worker thread."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QDoubleSpinBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QSpinBox, QTableView, QTabWidget, QVBoxLayout, QWidget)

from models.db import PermissionDenied
from models.exchange import county, identity
from models.values import fen_to_yuan_text
from views.context import AppContext

RED_BG, RED_FG = QColor("#fde2e1"), QColor("#b3261e")
YELLOW_BG, YELLOW_FG = QColor("#fff4c2"), QColor("#7a5a00")
TOTAL_BG = QColor("#eef1f5")

# (header, key, kind): kind says how a value shows and sorts
COLUMNS = (
    ("乡镇", "name", "text"), ("代码", "code", "text"), ("问题数", "cases", "int"), ("涉及人数", "workers", "int"),
    ("欠薪总额（元）", "owed_fen", "fen"), ("已兑付（元）", "paid_fen", "fen"), ("清偿率", "cleared_pct", "pct"),
    ("逾期", "overdue", "int"), ("久拖未动", "stalled", "int"), ("在办重大", "major_open", "int"),
    ("日报告未报", "daily_missing", "int"), ("数据截至", "as_of", "time"), ("距上次报送（天）", "days_since_report", "int"),
    ("报送序号", "sequence", "int"),
)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
CODE_ROLE = Qt.ItemDataRole.UserRole + 2
TOTAL_NAME = "全县合计"
DASH = "—"
TOTAL_KEYS = tuple(key for _t, key, kind in COLUMNS if kind in ("int", "fen", "pct")
                   and key not in ("days_since_report", "sequence"))


def mark(line: dict, key: str, limits: dict) -> str | None:
    """"red", "yellow" or None for one cell of a township's line."""
    if key == "cleared_pct" and line["owed_fen"] and line["cleared_pct"] < float(limits[identity.CLEARED_RED]):
        return "red"
    if key == "overdue" and line["overdue"] > int(limits[identity.OVERDUE_YELLOW]):
        return "yellow"
    if key == "days_since_report" and line["days_since_report"] > int(limits[identity.STALE_DAYS]):
        return "yellow"
    if key == "daily_missing" and (line.get("daily_missing") or 0) > 0:
        return "yellow"
    return None


def tip(key: str, limits: dict) -> str:
    return {"cleared_pct": f"清偿率低于 {limits[identity.CLEARED_RED]}%",
            "overdue": f"逾期问题多于 {limits[identity.OVERDUE_YELLOW]} 件",
            "days_since_report": f"超过 {limits[identity.STALE_DAYS]} 天未报送",
            "daily_missing": "数据截至日有专班未报日报告（零报告也算已报）"}[key]


class TownshipModel(QAbstractTableModel):
    """The townships' lines, then the county's (``TOTAL_NAME``): each of its figures the sum of
    the lines above (``county.total_row``), "—" where some township's package lacks the figure."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.lines: list[dict] = []
        self.total: dict = {}
        self.limits: dict = dict(identity.DEFAULT_THRESHOLDS)
        self._cells: list[list[dict]] = []

    def set_lines(self, lines: list[dict], limits: dict) -> None:
        self.beginResetModel()
        self.lines, self.limits = lines, limits
        self.total = {"name": TOTAL_NAME, "code": "", **county.total_row(lines, TOTAL_KEYS)} if lines else {}
        # every cell's roles worked out once: the view asks a dozen roles of each cell on every paint
        self._cells = [[self._cell(r, c) for c in range(len(COLUMNS))] for r in range(self.rowCount())]
        self.endResetModel()

    def is_total(self, row: int) -> bool:
        return bool(self.lines) and row == len(self.lines)

    def line(self, row: int) -> dict:
        return self.total if self.is_total(row) else self.lines[row]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() or not self.lines else len(self.lines) + 1

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            from models.figures import DEFINITIONS
            d = DEFINITIONS.get(COLUMNS[section][1])
            return f"{d.name}：{d.basis}" if d else None
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        return self._cells[index.row()][index.column()].get(role)

    def _cell(self, row: int, col: int) -> dict:
        """{role: value} of one cell."""
        R = Qt.ItemDataRole
        total = self.is_total(row)
        line = self.line(row)
        _title, key, kind = COLUMNS[col]
        value = line.get(key)
        out = {R.DisplayRole: self._text(value, key, kind, total), SORT_ROLE: value,
               CODE_ROLE: None if total else line["code"]}
        if kind in ("int", "fen", "pct"):
            out[R.TextAlignmentRole] = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if total:
            f = QFont()
            f.setBold(True)
            out[R.FontRole] = f
            out[R.BackgroundRole] = QBrush(TOTAL_BG)
            if value is None and key in TOTAL_KEYS:
                out[R.ToolTipRole] = "有乡镇的报送包（旧版本程序制作）未含此项，不计合计"
            return out
        if value is None:
            out[R.ToolTipRole] = "该乡镇的报送包由旧版本程序制作，未含此项"
            return out
        m = mark(line, key, self.limits)
        if m:
            out[R.BackgroundRole] = QBrush(RED_BG if m == "red" else YELLOW_BG)
            out[R.ForegroundRole] = QBrush(RED_FG if m == "red" else YELLOW_FG)
            out[R.ToolTipRole] = tip(key, self.limits)
        return out

    @staticmethod
    def _text(value, key: str, kind: str, total: bool) -> str:
        if value is None:
            return "" if total and key not in TOTAL_KEYS else DASH
        if kind == "fen":
            return fen_to_yuan_text(value)
        if kind == "pct":
            return f"{value}%"
        if kind == "int":
            return f"{value:,}"
        if kind == "time":
            return str(value).replace("T", " ")[:16]
        return str(value)


class TownshipProxy(QSortFilterProxyModel):
    """The townships' rows, sorted; a figure a package lacks ("—") sorts below every number.
    The county's line is not among them: it stands in the footer below (``TotalProxy``), so it
    stays in sight however long the list and whichever the order."""

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802 - Qt's name
        return not self.sourceModel().is_total(row)

    def lessThan(self, left, right) -> bool:  # noqa: N802
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:
            return a is None and b is not None
        return a < b


class TotalProxy(QSortFilterProxyModel):
    """The county's line only."""

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802
        return self.sourceModel().is_total(row)


class CountyPage(QWidget):
    title = "县级汇总"
    progress_after_ms = 500

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.job = None
        self.last_report = None
        self.drill: list = []           # the township windows open (kept referenced)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = TownshipModel(self)
        self.proxy = TownshipProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COLUMNS.index(("清偿率", "cleared_pct", "pct")), Qt.SortOrder.AscendingOrder)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.doubleClicked.connect(lambda idx: self.open_township(self.code_at(idx.row())))
        # the county's line, below the townships and kept in step with their columns
        self.total_proxy = TotalProxy(self)
        self.total_proxy.setSourceModel(self.model)
        self.footer = QTableView()
        self.footer.setModel(self.total_proxy)
        self.footer.horizontalHeader().setVisible(False)
        self.footer.verticalHeader().setVisible(False)
        self.footer.verticalHeader().setDefaultSectionSize(26)
        self.footer.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.footer.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.footer.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.footer.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.footer.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.footer.setFixedHeight(26 + 2 * self.footer.frameWidth())
        self.table.horizontalHeader().sectionResized.connect(lambda c, _o, w: self.footer.setColumnWidth(c, w))
        self.table.horizontalScrollBar().valueChanged.connect(self.footer.horizontalScrollBar().setValue)
        self.red = QDoubleSpinBox()
        self.red.setRange(0, 100)
        self.red.setDecimals(1)
        self.red.setSuffix(" %")
        self.yellow = QSpinBox()
        self.yellow.setRange(0, 100000)
        self.yellow.setSuffix(" 件")
        self.stale = QSpinBox()
        self.stale.setRange(1, 365)
        self.stale.setSuffix(" 天")
        save = QPushButton("保存阈值")
        save.clicked.connect(self.save_thresholds)
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.refresh)
        limits = QHBoxLayout()
        limits.addWidget(QLabel("阈值："))
        limits.addWidget(QLabel("清偿率红线"))
        limits.addWidget(self.red)
        limits.addWidget(QLabel("　逾期黄线"))
        limits.addWidget(self.yellow)
        limits.addWidget(QLabel("　未报送黄线"))
        limits.addWidget(self.stale)
        limits.addWidget(save)
        limits.addStretch(1)
        limits.addWidget(refresh)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.open_btn = QPushButton("查看乡镇台账（只读）")
        self.open_btn.setToolTip("打开所选乡镇最近一次报送的台账，只能查看；也可双击该乡镇")
        self.open_btn.clicked.connect(lambda: self.open_township(self.selected_code()))
        self.report_btns = {}
        actions = QHBoxLayout()
        actions.addWidget(self.open_btn)
        actions.addSpacing(16)
        actions.addWidget(QLabel("县级报表："))
        from models.reports.county import REPORTS
        for which, label in (("weekly", "周调度材料"), ("bulletin", "通报（含排名）"), ("stats", "统计汇总表（PDF＋Excel）")):
            b = QPushButton(label)
            b.setToolTip(f"生成{REPORTS[which]}（PDF），各乡镇按其最近一次报送的数字，全县合计为各乡镇之和")
            b.clicked.connect(lambda _c=False, w=which: self.make_report(w))
            self.report_btns[which] = b
            actions.addWidget(b)
        actions.addStretch(1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addWidget(self.summary)
        townships = QWidget()
        t_lay = QVBoxLayout(townships)
        t_lay.addLayout(limits)
        t_lay.addWidget(self.legend)
        tables = QVBoxLayout()
        tables.setSpacing(0)
        tables.addWidget(self.table, 1)
        tables.addWidget(self.footer)
        tables.addStretch(0)            # a short list: the county's line right below it, the space after
        t_lay.addLayout(tables, 1)
        t_lay.addLayout(actions)
        t_lay.addWidget(self.status)
        t_lay.addWidget(self.note)
        from views.exchange.directives_view import DirectivesView
        self.directives = DirectivesView(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(townships, "各乡镇情况")
        self.tabs.addTab(self.directives, "县级督办事项")
        lay.addWidget(self.tabs, 1)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._enable())
        ctx.bus.changed.connect(lambda _t: self.refresh())
        self.refresh()

    # -- the table ---------------------------------------------------------------------------
    def refresh(self) -> None:
        store = self.ctx.store
        today = self.ctx.today()
        cf = county.county_figures(store, today)
        limits = identity.thresholds(store)
        self.red.setValue(float(limits[identity.CLEARED_RED]))
        self.yellow.setValue(int(limits[identity.OVERDUE_YELLOW]))
        self.stale.setValue(int(limits[identity.STALE_DAYS]))
        self.model.set_lines(cf.townships, limits)
        self._fit_columns()
        self.heading.setText(f"{cf.county or '本县'}各乡镇清欠情况（{len(cf.townships)} 个乡镇已报送）")
        t = self.model.total
        if cf.townships:
            self.summary.setText(
                f"全县合计：欠薪问题 {t['cases']:,} 件，涉及农民工 {t['workers']:,} 人，欠薪总额 "
                f"{fen_to_yuan_text(t['owed_fen'])} 元，已兑付 {fen_to_yuan_text(t['paid_fen'])} 元，"
                f"清偿率 {t['cleared_pct']}%；逾期 {t['overdue']} 件，久拖未动 {t['stalled']} 件，"
                f"在办重大 {t['major_open']} 件"
                + (f"；日报告未报 {t['daily_missing']} 个专班。" if t.get("daily_missing") is not None else "。"))
        else:
            self.summary.setText("尚未接收任何乡镇的报送包。用 qingqian package import 报送包文件 --db 本数据库 接收。")
        self.legend.setText(self.legend_html(limits))
        self.note.setText(f"各乡镇的数字取自其最近一次报送包（报送时按该乡镇数据计算，接收时核对无误），"
                          f"“日报告未报”按各乡镇数据截至日计；最后一行“全县合计”为各乡镇之和，清偿率按合计金额计算。"
                          f"“{DASH}”：该乡镇的报送包由旧版本程序制作，未含此项。统计日：{today.isoformat()}。")
        self._enable()

    def _fit_columns(self) -> None:
        """Each column as wide as its widest cell, the county's line included (once per refresh,
        not on every paint); the list no taller than its rows."""
        self.table.resizeColumnsToContents()
        for c in range(len(COLUMNS)):
            w = max(self.table.columnWidth(c), self.footer.sizeHintForColumn(c))
            self.table.setColumnWidth(c, w)
            self.footer.setColumnWidth(c, w)
        rows = self.table.verticalHeader().length()
        bar = self.table.horizontalScrollBar().sizeHint().height()
        self.table.setMaximumHeight(self.table.horizontalHeader().sizeHint().height() + rows + bar
                                    + 2 * self.table.frameWidth())

    @staticmethod
    def legend_html(limits: dict) -> str:
        def swatch(bg: QColor, fg: QColor, text: str) -> str:
            return (f'<span style="background:{bg.name()}; color:{fg.name()};">&nbsp;&nbsp;{text}&nbsp;&nbsp;</span>')
        red = swatch(RED_BG, RED_FG, "红色")
        yellow = swatch(YELLOW_BG, YELLOW_FG, "黄色")
        gap = "&nbsp;" * 6              # rich text folds runs of spaces, 全角 ones too
        return gap.join([f"{red} 清偿率低于 {float(limits[identity.CLEARED_RED]):g}%",
                         f"{yellow} 逾期问题多于 {int(limits[identity.OVERDUE_YELLOW])} 件；距上次报送超过 "
                         f"{int(limits[identity.STALE_DAYS])} 天；数据截至日有专班未报日报告",
                         f"“{DASH}”：报送包未含此项", "双击乡镇查看其台账（只读）"])

    def code_at(self, proxy_row: int) -> str | None:
        if proxy_row < 0:
            return None
        return self.proxy.index(proxy_row, 0).data(CODE_ROLE)

    def selected_code(self) -> str | None:
        idx = self.table.currentIndex()
        return self.code_at(idx.row()) if idx.isValid() else None

    def _enable(self) -> None:
        self.open_btn.setEnabled(self.selected_code() is not None)
        for b in self.report_btns.values():
            b.setEnabled(self.job is None and bool(self.model.lines))

    def save_thresholds(self) -> None:
        store = self.ctx.store
        try:
            with store.tx(label="修改县级汇总阈值"):
                store.set_setting(identity.CLEARED_RED, round(self.red.value(), 1))
                store.set_setting(identity.OVERDUE_YELLOW, self.yellow.value())
                store.set_setting(identity.STALE_DAYS, self.stale.value())
        except PermissionDenied as exc:
            self.ctx.bus.status.emit(str(exc))
            return
        self.ctx.bus.status.emit("阈值已保存")
        self.refresh()

    # -- drill-down ---------------------------------------------------------------------------
    def open_township(self, code: str | None):
        """The township's ledgers as received, read-only, in a window of their own."""
        if not code:
            return None
        from views.exchange.township_view import TownshipLedgers
        try:
            win = TownshipLedgers(self.ctx.store, code, self)
        except Exception as exc:  # noqa: BLE001 - a missing or damaged kept file: one line, not a trace
            self.status.setText(f"无法打开该乡镇的台账：{exc}")
            self.status.setStyleSheet("color: #b00020;")
            return None
        self.drill = [w for w in self.drill if w.isVisible()] + [win]
        win.finished.connect(lambda _r, w=win: self._closed(w))
        win.show()
        return win

    def _closed(self, win) -> None:
        win.release()
        if win in self.drill:
            self.drill.remove(win)

    # -- reports --------------------------------------------------------------------------------
    def out_path(self, which: str):
        import datetime as _dt
        from pathlib import Path
        from models.paths import data_dir
        from models.reports.county import REPORTS
        folder = Path(self.ctx.prefs.get("reports.dir", "") or data_dir() / "报表")
        stamp = _dt.datetime.now().strftime("%H%M%S")
        return folder / f"{REPORTS[which]}_{self.ctx.today().isoformat()}_{stamp}.pdf"

    def make_report(self, which: str, out=None):
        """Make a county report on a worker thread (its own read-only connection); a progress
        dialog shows when it takes longer than half a second."""
        if self.job is not None:
            return None
        from pathlib import Path
        from models.reports.county import REPORTS, make_county_report
        from views.jobs import Job
        path = Path(out) if out else self.out_path(which)
        db, today = self.ctx.store_path, self.ctx.today()

        def work(job):
            return make_county_report(which, db, path, today, job=job)
        self.status.setStyleSheet("")
        self.status.setText(f"正在生成{REPORTS[which]}…")
        job = Job(self, f"正在生成{REPORTS[which]}", work, show_after_ms=self.progress_after_ms)
        job.done.connect(self._report_done)
        job.error.connect(self._report_failed)
        job.cancelled.connect(self._report_cancelled)
        self.job = job.start()
        self._enable()
        return self.job

    def _report_done(self, result) -> None:
        self.job = None
        self.last_report = result
        extra = "".join(f"；另存 Excel：{p}" for p in result.extra)
        self.status.setText(f"{result.title}已生成：{result.path}（{result.pages} 页，用时 {result.seconds:.1f} 秒）{extra}")
        self.ctx.bus.status.emit(f"{result.title}已生成：{result.path}")
        self._enable()

    def _report_failed(self, exc: Exception) -> None:
        from models.reports.result import ReportUnavailable
        self.job = None
        text = str(exc) if isinstance(exc, (ReportUnavailable, ValueError, OSError)) else f"{type(exc).__name__}：{exc}"
        self.status.setText(f"生成失败：{text}")
        self.status.setStyleSheet("color: #b00020;")
        self._enable()

    def _report_cancelled(self) -> None:
        self.job = None
        self.status.setText("已取消，没有生成文件。")
        self._enable()
