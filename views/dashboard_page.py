"""首页 (dashboard): what the leading group looks at on Monday.

Headline totals, the cleared percentage against the phased targets and the 春节前 countdown,
cases and workers by status, each workstream's progress, overdue and due-soon cases, and this
week's 交办事项. Every number comes from ``models.stats`` / ``models.figures`` (one indexed pass
over the case ledger); each tile's tooltip gives its 口径. The page refreshes when the data
changes, or when it is next shown if hidden.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QBoxLayout, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QProgressBar,
                               QPushButton, QScrollArea, QSizePolicy, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from models import figures, stats
from models.values import fen_to_wan_text, fen_to_yuan_text
from models.warm_start import DASHBOARD_LIST_LIMIT
from views.context import AppContext
from views.dashboard_tables import DashboardFit

RED, AMBER, GREEN = "#b00020", "#9a6700", "#1e7b34"
GREY = "#666666"               # nothing to measure yet (nothing owed): no verdict
BAR_RED, BAR_GREEN, BAR_GREY = "#f4b4b4", "#9fd8a8", "#d0d0d0"
LIST_LIMIT = DASHBOARD_LIST_LIMIT
ROW_H = 24


def _wan(fen: int) -> str:
    return fen_to_wan_text(fen, 2)


class Tile(QFrame):
    """One headline figure: a small caption over a large number."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setObjectName("tile")
        self.setStyleSheet("#tile { background: #f6f8fb; border: 1px solid #d5dce6; border-radius: 6px; }")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: #555; font-size: 12px;")
        self.value = QLabel("—")
        self.value.setStyleSheet("font-size: 22px; font-weight: 600; color: #1f3b5c;")
        self.detail = QLabel("")
        self.detail.setStyleSheet("color: #666; font-size: 11px;")
        for w in (self.caption, self.value, self.detail):
            lay.addWidget(w)

    def set(self, value: str, detail: str = "", colour: str = "#1f3b5c") -> None:
        self.value.setText(value)
        self.value.setStyleSheet(f"font-size: 22px; font-weight: 600; color: {colour};")
        self.detail.setText(detail)


def _table(headers: tuple[str, ...], stretch: int = -1, wraps: tuple[int, ...] = ()) -> QTableWidget:
    t = QTableWidget(0, len(headers))      # a few dozen rows at most: a plain widget is fine
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    t.verticalHeader().setDefaultSectionSize(ROW_H)
    t.setWordWrap(False)
    t.setAlternatingRowColors(True)
    # the main column never squeezed to "…"; in a narrow window wrapped instead of scrolling sideways
    t.fitter = DashboardFit(t, stretch, wraps, ROW_H)
    return t


def _fill(t: QTableWidget, rows: list[list], right: set[int] = frozenset(), colour: list[str | None] | None = None,
          ids: list | None = None) -> None:
    t.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            item = QTableWidgetItem(str(v))
            if j in right:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if colour and colour[i]:
                item.setForeground(QBrush(QColor(colour[i])))
            if ids is not None and j == 0:
                item.setData(Qt.ItemDataRole.UserRole, ids[i])
            t.setItem(i, j, item)
    t.fitter.after = lambda: _fit_height(t)
    t.fitter.fit()


def _fit_height(t: QTableWidget) -> None:
    """Tall enough for every row as it is (two lines where the text wraps), and for the sideways
    scroll bar should the window still be too narrow."""
    height = t.horizontalHeader().sizeHint().height() + t.verticalHeader().length() + 2 * t.frameWidth() + 2
    if t.fitter.scrolls_sideways():
        height += t.horizontalScrollBar().sizeHint().height()
    t.setFixedHeight(max(60, min(height, 420)))


class DashboardPage(QWidget):
    title = "首页"

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: stats.Dashboard | None = None
        self._dirty = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)             # a burst of changes refreshes once
        self._timer.timeout.connect(self._refresh_if_visible)

        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.stamp = QLabel()
        self.stamp.setStyleSheet("color: #666;")
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.refresh)
        brief = QPushButton("生成周调度材料…")
        brief.clicked.connect(lambda: self.ctx.navigate("reports"))
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.stamp)
        top.addWidget(refresh)
        top.addWidget(brief)

        self.tiles = {k: Tile(c) for k, c in (
            ("owed", "欠薪总额（万元）"), ("paid", "已兑付（万元）"), ("left", "未兑付（万元）"), ("pct", "清偿率"),
            ("cases", "欠薪问题（件）"), ("workers", "涉及农民工（人）"), ("overdue", "逾期问题（件）"),
            ("countdown", "距春节前"))}
        basis = {"owed": ("owed_fen",), "paid": ("paid_fen",), "left": ("unpaid_fen",), "pct": ("cleared_pct",),
                 "cases": ("cases", "open_cases", "closed_cases"), "workers": ("workers",),
                 "overdue": ("overdue", "due_soon", "stalled", "major_open")}
        grid = QGridLayout()
        for i, (key, t) in enumerate(self.tiles.items()):
            grid.addWidget(t, i // 4, i % 4)
            if key in basis:             # the 口径 of each figure, where a clerk can read it
                t.setToolTip("\n".join(f"{figures.DEFINITIONS[k].name}：{figures.DEFINITIONS[k].basis}"
                                       for k in basis[key]))

        self.target_box = QGroupBox("阶段目标进度")
        tl = QVBoxLayout(self.target_box)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setMinimumHeight(26)
        self.target_text = QLabel()
        self.target_text.setWordWrap(True)
        self.phases = _table(("阶段", "完成时限", "目标清偿率", "目标金额（万元）", "还需兑付（万元）", "剩余天数", "情况"), 0)
        tl.addWidget(self.progress)
        tl.addWidget(self.target_text)
        tl.addWidget(self.phases)

        self.status_table = _table(("状态", "问题数（件）", "涉及人数", "欠薪金额（万元）", "已兑付（万元）"), 0)
        self.ws_table = _table(("专班", "问题数", "在办", "已办结", "逾期", "欠薪金额（万元）", "已兑付（万元）", "清偿率"), 0)
        self.overdue = _table(("编号", "用人单位 / 项目", "责任专班", "包案责任人", "办结时限", "逾期天数", "未付（元）"), 1, (2, 3))
        self.due_soon = _table(("编号", "用人单位 / 项目", "责任专班", "包案责任人", "办结时限", "未付（元）"), 1, (2, 3))
        for t in (self.overdue, self.due_soon):
            t.cellDoubleClicked.connect(lambda r, _c, t=t: self._open_case(t, r))
        self.actions = _table(("交办事项", "责任专班", "责任人", "完成时限", "状态"), 0, (1, 2))
        self.actions_note = QLabel()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(f"color: {AMBER};")
        self.overdue_box, self.soon_box, self.actions_box = (QGroupBox("逾期未办结"), QGroupBox("即将到期"),
                                                             QGroupBox("本周交办事项"))
        for box, widgets in ((self.overdue_box, (self.overdue,)), (self.soon_box, (self.due_soon,)),
                             (self.actions_box, (self.actions_note, self.actions))):
            lay = QVBoxLayout(box)
            for w in widgets:
                lay.addWidget(w)
        self.target_table = _table(("专班", "指标", "确保", "力争", "实际", "差距", "情况"), 0, (1,))
        self.targets_box = QGroupBox("专班目标（确保 / 力争）")
        tv = QVBoxLayout(self.targets_box)
        self.report_hint = QLabel()
        self.report_hint.setStyleSheet("color: #555;")
        tv.addWidget(self.report_hint)
        tv.addWidget(self.target_table)
        self.status_box = status_box = QGroupBox("按办理状态")
        ws_box = QGroupBox("各专班进展")
        for box in (status_box, ws_box, self.targets_box, self.target_box, self.overdue_box, self.soon_box, self.actions_box):
            box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        QVBoxLayout(status_box).addWidget(self.status_table)
        QVBoxLayout(ws_box).addWidget(self.ws_table)
        # side by side, or one above the other when the window is too narrow for both tables
        self.middle = middle = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        middle.addWidget(self.target_box, 3)
        middle.addWidget(status_box, 2)

        body = QWidget()
        lay = QVBoxLayout(body)
        lay.addLayout(top)
        lay.addWidget(self.note)
        lay.addLayout(grid)
        lay.addLayout(middle)
        lay.addWidget(ws_box)
        lay.addWidget(self.targets_box)
        lay.addWidget(self.overdue_box)
        lay.addWidget(self.soon_box)
        lay.addWidget(self.actions_box)
        lay.addStretch(1)
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        scroll.viewport().installEventFilter(self)      # the panels reflow as its width changes
        ctx.bus.changed.connect(self._on_changed)
        self.refresh()

    # -- a narrow window --------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and obj is self.scroll.viewport():
            self._reflow()
        return False

    def _reflow(self) -> None:
        """阶段目标进度 beside 按办理状态 (3 : 2) while both tables have room for their rows on one
        line (headers on two if need be); one above the other in a narrower window (125 %, 150 %)."""
        room = self.scroll.viewport().width() - self.scroll.widget().layout().contentsMargins().left() \
            - self.scroll.widget().layout().contentsMargins().right() - self.middle.spacing()
        fits = True
        if self.target_box.isVisibleTo(self):
            for box, table, share in ((self.target_box, self.phases, 3), (self.status_box, self.status_table, 2)):
                frame = box.width() - table.width() if box.width() > table.width() > 0 else 24
                fits = fits and table.fitter.natural_width(two_lines=True) + frame <= room * share // 5
        direction = QBoxLayout.Direction.LeftToRight if fits else QBoxLayout.Direction.TopToBottom
        if self.middle.direction() != direction:
            self.middle.setDirection(direction)

    # -- refreshing -------------------------------------------------------------------------
    def _on_changed(self, _table: str = "") -> None:
        self._dirty = True
        self._timer.start()

    def _refresh_if_visible(self) -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        today = self.ctx.today()
        prefetch, self.ctx.prefetch = self.ctx.prefetch, None
        d = prefetch.take(self.ctx.store, today, LIST_LIMIT) if prefetch is not None else None
        ahead = prefetch.take_targets(self.ctx.store, today) if d is not None else None
        self.data = d = d or stats.dashboard(self.ctx.store, today, LIST_LIMIT)
        self._dirty = False
        tot, c = d.totals, d.totals.counted
        self.heading.setText(d.campaign.name if d.campaign else "尚未设置专项行动")
        self.stamp.setText(f"截至 {today.isoformat()}　数据时间 {d.taken_at[11:16]}")
        self.note.setText(d.calendar_note)
        self.note.setVisible(bool(d.calendar_note))
        self.tiles["owed"].set(_wan(c.owed_fen), "不含经核实不存在欠薪")
        self.tiles["paid"].set(_wan(c.paid_fen), f"{fen_to_yuan_text(c.paid_fen)} 元", GREEN)
        self.tiles["left"].set(_wan(c.outstanding_fen), f"{fen_to_yuan_text(c.outstanding_fen)} 元",
                               RED if c.outstanding_fen else GREEN)
        self.tiles["pct"].set(c.cleared_text, self._pct_detail(d))
        self.tiles["cases"].set(f"{tot.all.cases:,}", f"在办 {tot.open_cases:,}　已办结 {tot.closed_cases:,}")
        self.tiles["workers"].set(f"{c.workers:,}")
        w = d.warnings
        self.tiles["overdue"].set(f"{w.overdue:,}", f"即将到期 {w.due_soon}　久拖未动 {w.stalled}　在办重大 {w.major_open}",
                                  RED if w.overdue else GREEN)
        self._fill_target(d)
        _fill(self.status_table, [[s, f"{b.cases:,}", *(["—", "—", "—"] if s == stats.EXCLUDED else
                                   [f"{b.workers:,}", _wan(b.owed_fen), _wan(b.paid_fen)])]
                                  for s, b in tot.by_status.items()]
              + [["合计", f"{tot.all.cases:,}", f"{c.workers:,}", _wan(c.owed_fen), _wan(c.paid_fen)]], {1, 2, 3, 4})
        _fill(self.ws_table, [[r.name, f"{r.all.cases:,}", f"{r.open_cases:,}", f"{r.closed_cases:,}", f"{r.overdue:,}",
                               _wan(r.counted.owed_fen), _wan(r.counted.paid_fen), r.counted.cleared_text]
                              for r in tot.workstreams], {1, 2, 3, 4, 5, 6, 7})
        for i, r in enumerate(tot.workstreams):
            if r.overdue:
                self.ws_table.item(i, 4).setForeground(QBrush(QColor(RED)))
        self._fill_targets(today, ahead)
        self.overdue_box.setTitle(f"逾期未办结（{w.overdue} 件" + (f"，列出最久的 {len(d.overdue)} 件）" if w.overdue > len(d.overdue) else "）"))
        _fill(self.overdue, [[r["case_no"], _who(r), r["workstream"] or "", r["owner_person"], r["deadline"],
                              f"{r['days_over']} 天", fen_to_yuan_text(r["outstanding_fen"])] for r in d.overdue],
              {5, 6}, [RED] * len(d.overdue), [r["id"] for r in d.overdue])
        self.soon_box.setTitle(f"即将到期（{w.soon_until} 前，{w.due_soon} 件）")
        _fill(self.due_soon, [[r["case_no"], _who(r), r["workstream"] or "", r["owner_person"], r["deadline"],
                               fen_to_yuan_text(r["outstanding_fen"])] for r in d.due_soon],
              {5}, [AMBER] * len(d.due_soon), [r["id"] for r in d.due_soon])
        a = d.actions
        if not a.available:
            self.actions_note.setText(a.note)
            self.actions.setVisible(False)
        else:
            self.actions_note.setText(f"未办结 {a.open_count} 项，其中逾期 {a.overdue_count} 项；下表为逾期和本周内到期的事项。"
                                      if a.rows else f"未办结 {a.open_count} 项；本周没有到期的交办事项。")
            self.actions.setVisible(bool(a.rows))
            _fill(self.actions, [[r["content"], r["workstream"] or "", r["owner"] or "", r["due"] or "",
                                  ("逾期 · " if r["overdue"] else "") + (r["status"] or "")] for r in a.rows],
                  colour=[RED if r["overdue"] else None for r in a.rows])
        self._reflow()

    def _fill_targets(self, today, ahead=None) -> None:
        """专班目标: 确保 / 力争 / 实际 / 差距 (``models.targets``), and when the next 书面报告 is due."""
        from models import targets
        from models.reports.period import next_due_text
        self.targets = prog = ahead or targets.progress(self.ctx.store, today)
        self.report_hint.setText(next_due_text(today))
        self.target_table.setVisible(prog.available)
        if not prog.available:
            self.report_hint.setText(next_due_text(today) + "　尚未设置专班目标（在“专班目标”台账中登记）。")
            return
        _fill(self.target_table, targets.table_rows(prog), {2, 3, 4, 5},
              [RED if ln.actual < ln.sure else (GREEN if ln.actual >= ln.strive else None) for ln in prog.lines])

    def _pct_detail(self, d: stats.Dashboard) -> str:
        t = d.target
        if t is None:
            return ""
        if not t.measurable:
            return f"进度线今日应达 {t.target_today_pct:.1f}%（按阶段时间）"
        return f"进度线今日应达 {t.target_today_pct:.1f}%" + (f"，落后 {_wan(t.shortfall_fen)} 万元" if t.shortfall_fen else "")

    def _fill_target(self, d: stats.Dashboard) -> None:
        t = d.target
        c = d.totals.counted
        self.target_box.setVisible(t is not None)
        if t is None:
            self.tiles["countdown"].set("—", "请先在“专项行动设置”中设置专项行动")
            return
        self.progress.setValue(int(round(min(c.cleared_pct, 100) * 10)))
        # nothing owed: no rate and no verdict (neutral), the line's value from the campaign's dates
        rate = f"{c.cleared_pct:.1f}%" if t.measurable else f"{stats.NO_RATE}　{stats.NO_DATA}"
        self.progress.setFormat(f"清偿率 {rate}　（进度线今日应达 {t.target_today_pct:.1f}%）")
        behind = t.measurable and t.shortfall_fen > 0
        # light tints of the verdict colours: the bar's black text must read on the filled part too
        chunk = (BAR_RED if behind else BAR_GREEN) if t.measurable else BAR_GREY
        self.progress.setStyleSheet(f"QProgressBar::chunk {{ background: {chunk}; }}")
        cur = t.current
        text = ""
        if cur and not t.measurable:
            text = (f"当前阶段“{cur.name}”：{cur.due_date} 前清偿率达到 {cur.target_pct}%，剩余 {max(cur.days_left, 0)} 天。"
                    f"{stats.NO_DATA}（尚未登记欠薪金额），各阶段目标暂无从衡量。")
        elif cur:
            need = max(0, cur.target_fen - c.paid_fen)
            text = (f"当前阶段“{cur.name}”：{cur.due_date} 前清偿率达到 {cur.target_pct}%，"
                    + (f"还需兑付 {_wan(need)} 万元，剩余 {max(cur.days_left, 0)} 天。" if need else "已经达到。"))
        self.target_text.setText(text + ("　进度落后于目标线，请加快兑付。" if behind else ""))
        days = t.days_left
        self.tiles["countdown"].set(f"{days} 天" if days >= 0 else "已过期", f"{t.deadline_label}期限 {t.deadline}",
                                    RED if days < 15 else "#1f3b5c")
        rows, colours = [], []
        for p in t.phases:
            days = str(p.days_left) if p.days_left >= 0 else "已到期"
            if not p.measurable:          # nothing owed: neither reached nor missed
                rows.append([p.name, p.due_date, f"{p.target_pct}%", stats.NO_RATE, stats.NO_RATE, days, stats.NO_DATA])
                colours.append(GREY)
                continue
            need = max(0, p.target_fen - c.paid_fen)
            state = "已达到" if p.reached else ("未按期达到" if p.days_left < 0 else "进行中")
            rows.append([p.name, p.due_date, f"{p.target_pct}%", _wan(p.target_fen), _wan(need), days, state])
            colours.append(GREEN if p.reached else (RED if p.days_left < 0 else None))
        _fill(self.phases, rows, {2, 3, 4, 5}, colours)

    def _open_case(self, table: QTableWidget, row: int) -> None:
        item = table.item(row, 0)
        page = self.ctx.navigate("cases")
        if item is not None and page is not None and hasattr(page, "table"):
            page.table.select_record(item.data(Qt.ItemDataRole.UserRole))


def _who(r: dict) -> str:
    who = r.get("employer_name") or ""
    if r.get("project_name"):
        who = f"{who}（{r['project_name']}）" if who else r["project_name"]
    return who
