"""The page every simple declared ledger gets: toolbar (新增 / 编辑 / 移入回收站 / 导入… / 导出… /
打印… and the ledger's own actions), filters derived from the fields marked ``filter``, a search
box, the lazy SQL-backed table, a 合计 line, and the child ledger (分期计划, 分配明细 …) of the
selected row. Everything comes from the declaration; ``extra`` names the few hooks a ledger
needs (defaults, save, banner, row colours, actions)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QToolBar, QVBoxLayout, QWidget)

from models import ledger_refs
from models.ledger import registry
from models.ledger.fields import Ledger
from models.ledger.service import service_for
from models.ledger.repo import LedgerRepo, Query
from models.values import ValueProblem, parse_date
from views import ledger_actions
from views.background_search import search_in_background
from views.context import AppContext
from views.detail_split import DetailSplitter
from views.empty_note import EmptyNote, no_match
from views.flow_layout import FlowLayout
from views.legend import ColourLegend
from views.ledger_keys import key_columns_for
from views.ledger_model import LedgerTableModel
from views.ledger_table import WRAP_LINES, LedgerTableView
from views.record_form import RecordForm

LEDGER_KEEP_ROWS = 3    # with a row chosen, the ledger above keeps at least this many rows in view
#                         (of rows on two lines, a small screen's wrapped names: as many as hold as many lines)
SHORT_PAGE = 480        # a page lower than this (1366×768 at 150 %) draws its parts closer together


SEARCH_CHARS = (10, 26)     # a search box: at least this many characters wide, and at most for its hint


class SearchBox(QLineEdit):
    """A search box whose size hint shows its hint whole (``fit_hint``); the filter bar's flow
    narrows it, down to its minimum width, where that saves a row (1366×768 at 150 %)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.preferred_width = 0

    def fit_hint(self, text: str) -> None:
        """``text`` as the placeholder, the box wide enough for it (its frame, margins and clear
        button measured as Qt sizes the box), between SEARCH_CHARS Chinese characters."""
        self.setPlaceholderText(text)
        fm = self.fontMetrics()
        # QLineEdit's own size hint is 17 "x" and what surrounds the text: keep the surroundings
        around = super().sizeHint().width() - 17 * fm.horizontalAdvance("x") + 4
        lo, hi = (fm.horizontalAdvance("检" * n) for n in SEARCH_CHARS)
        self.setMinimumWidth(lo + around)
        self.preferred_width = min(max(fm.horizontalAdvance(text), lo), hi) + around
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().sizeHint()
        return QSize(max(hint.width(), self.preferred_width), hint.height())


class FilterBar(QWidget):
    """Search box plus one widget per filter field; ``query()`` turns them into a Query. The
    widgets flow onto a second row in a narrow window (1366×768 at 150 %) rather than being
    squeezed until 全部办理结果 reads 全部办理 or the page scrolls sideways."""

    def __init__(self, store, ledger: Ledger, on_change: Callable[[], None], parent=None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.boxes: dict[str, QComboBox] = {}
        self.ranges: dict[str, tuple[QLineEdit, QLineEdit]] = {}
        lay = FlowLayout(self, spacing=4)
        self.search = SearchBox()
        self.search.setClearButtonEnabled(True)
        labels = [f.label for f in ledger.search_fields or []]
        # the hint names the first few fields searched, as many as a box of reasonable width shows whole
        widest = self.search.fontMetrics().horizontalAdvance("检" * SEARCH_CHARS[1])
        hint = "检索（Ctrl+F）"
        for n in range(min(4, len(labels)), 0, -1):
            hint = f"检索{'、'.join(labels[:n])}（Ctrl+F）"
            if self.search.fontMetrics().horizontalAdvance(hint) <= widest:
                break
        self.search.fit_hint(hint)
        self.search.setToolTip(f"检索{'、'.join(labels)}（Ctrl+F）" if labels else hint)    # every field searched
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(on_change)
        self.search.textChanged.connect(lambda: self._timer.start())
        lay.add(self.search)
        lay.set_narrowable(self.search)
        for f in ledger.filter_fields:
            if f.kind_of.filter == "dates":
                lo, hi = QLineEdit(), QLineEdit()
                lo.setPlaceholderText(f"{f.label}从")
                hi.setPlaceholderText("至")
                for w in (lo, hi):
                    w.setMaximumWidth(104)
                    w.setMinimumWidth(self.fontMetrics().horizontalAdvance("2026-12-31") + 16)
                    w.editingFinished.connect(on_change)
                self.ranges[f.name] = (lo, hi)
                pair = QWidget()                # 从 — 至 stay on one row together
                row = QHBoxLayout(pair)
                row.setContentsMargins(0, 0, 0, 0)
                row.setSpacing(4)
                row.addWidget(lo)
                row.addWidget(QLabel("—"))
                row.addWidget(hi)
                lay.add(pair)
                continue
            box = QComboBox()
            box.setObjectName(f"filter_{f.name}")
            # as wide as its "all" item (a longer choice is shown whole in the open list)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            if f.kind_of.filter == "yes_no":
                box.addItem(f"{f.label}：全部", None)
                box.addItem(f"{f.label}：是", 1)
                box.addItem(f"{f.label}：否", 0)
            else:
                box.addItem(f"全部{f.label}", None)
                options = ledger_refs.ref_options(store, f) if f.kind == "ref" else [(c, c) for c in f.choices]
                for value, label in options:
                    box.addItem(label, value)
            # minimumContentsLength counts Latin characters: a Chinese one is about two
            x = max(1, self.fontMetrics().horizontalAdvance("x"))
            box.setMinimumContentsLength(-(-self.fontMetrics().horizontalAdvance(box.itemText(0)) // x) + 1)
            box.currentIndexChanged.connect(on_change)
            self.boxes[f.name] = box
            lay.add(box)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c0392b;")
        lay.add(self.message)

    def query(self, base: Query) -> Query:
        q = Query(sort=base.sort, descending=base.descending, search=self.search.text().strip())
        for name, box in self.boxes.items():
            if box.currentData() is not None:
                q.equals[name] = box.currentData()
        self.message.clear()
        for name, (lo, hi) in self.ranges.items():
            try:
                a, b = parse_date(lo.text()), parse_date(hi.text())
            except ValueProblem as exc:
                self.message.setText(str(exc))
                continue
            if a or b:
                q.ranges[name] = (a, b)
        return q


class GenericLedgerPage(QWidget):
    def __init__(self, ctx: AppContext, kind: str, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.ledger = registry.get(kind)
        self.title = self.ledger.extra.get("page_title", self.ledger.title)
        self.repo = LedgerRepo(ctx.store, self.ledger)
        self.model = LedgerTableModel(self.repo, parent=self, decorate=self._decorator())
        self.table = LedgerTableView(self.model, ctx.prefs, f"ledger.{kind}", self,
                                     key_columns=key_columns_for(self.ledger), keys_first=False)
        # the view sorts by its first column when sorting is switched on; start in the declared order
        self.model.query = Query()
        self.filters = FilterBar(ctx.store, self.ledger, self.apply_filters, self)
        search_in_background(self.table, self.model, totals=True)     # a search never holds up the window
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #8a6d3b; padding: 2px;")
        self.totals = QLabel()
        self.totals.setObjectName("totals")
        self.totals.setWordWrap(True)
        self.empty = EmptyNote(self)
        self._build_toolbar()
        self.child = None
        kids = ledger_refs.children(self.ledger)
        body = self.table
        if kids:
            from views.ledger_child import ChildPane
            self.child = ChildPane(self, kids[0])
            # the child pane keeps only its caption line until a row above is chosen
            self.split = split = DetailSplitter(self.table, self.child, self.child.compact_height)
            body = split
            self.table.currentRecord.connect(self.child.show_parent)
            self.table.currentRecord.connect(lambda rid: self._child_room(rid is not None))
            self.table.currentRecord.connect(lambda rid: split.set_chosen(rid is not None))
            split.installEventFilter(self)
        lay = QVBoxLayout(self)
        self._roomy = (lay.contentsMargins(), lay.spacing())       # the style's, for a page of normal height
        self._short = False
        lay.addWidget(self.toolbar)
        lay.addWidget(self.banner)
        lay.addWidget(self.filters)
        self.legend = None
        if self.ledger.extra.get("legend"):         # what the row colours mean
            self.legend = ColourLegend(self.ledger.extra["legend"], self)
            lay.addWidget(self.legend)
        lay.addWidget(self.empty)
        lay.addWidget(body, 1)
        lay.addWidget(self.totals)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: (self.filters.search.setFocus(), self.filters.search.selectAll()))
        self.addAction(find)
        self.table.activatedRecord.connect(self.edit_record)
        self.model.queryChanged.connect(self._update_totals)
        ctx.bus.changed.connect(self._on_changed)
        self.apply_filters()

    # -- the child pane -----------------------------------------------------------------
    def _child_room(self, chosen: bool) -> None:
        """A chosen row's details get room for a few of their rows, however short the window
        (1366×768 at 150 %), as long as the ledger above keeps a few of its own."""
        child, split, t = self.child, self.split, self.table
        h = child.compact_height()
        if chosen:
            total = sum(split.sizes()) or split.height() - split.handleWidth()
            kept = -(-LEDGER_KEEP_ROWS // (WRAP_LINES if t.wrapped_cells else 1))
            rows = max((t.rowHeight(r) for r in range(min(kept, self.model.rowCount()))),
                       default=t.verticalHeader().defaultSectionSize())
            keep = (t.horizontalHeader().height() + kept * rows + 2 * t.frameWidth()
                    + t.horizontalScrollBar().sizeHint().height())
            h = max(h, min(child.usable_height(), total - keep))
        if child.minimumHeight() != h:
            child.setMinimumHeight(h)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """On a short page the margins and gaps shrink: the ledger and its child pane get the room."""
        short = self.height() < SHORT_PAGE
        if short != self._short:
            self._short = short
            lay, (margins, spacing) = self.layout(), self._roomy
            lay.setContentsMargins(margins.left(), min(3, margins.top()), margins.right(),
                                   min(3, margins.bottom())) if short else lay.setContentsMargins(margins)
            lay.setSpacing(min(3, spacing) if short else spacing)
        super().resizeEvent(event)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is getattr(self, "split", None) and event.type() == QEvent.Type.Resize and self.split.chosen:
            self._child_room(True)
        return False

    # -- building -------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        tb = QToolBar()
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.act_new = tb.addAction("新增", self.new_record)
        self.act_new.setShortcut(QKeySequence.StandardKey.New)
        self.act_new.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.act_new)
        tb.addAction("编辑", lambda: self.edit_record(self.table.current_id()))
        tb.addAction("移入回收站", self.recycle)
        tb.addSeparator()
        self.act_import = tb.addAction("导入…", self.import_file)
        if self.ctx.actor is not None and self.ctx.actor.read_only:
            self.act_import.setEnabled(False)
            self.act_import.setToolTip("领导账号只能查看和打印")
        tb.addAction("导出…", self.export_file)
        tb.addAction("打印…", self.print_ledger)
        self.action_buttons: dict[str, QAction] = {}
        if ledger_actions.ACTIONS.get(self.ledger.kind):
            tb.addSeparator()
            for text, fn in ledger_actions.ACTIONS[self.ledger.kind]:
                self.action_buttons[text] = tb.addAction(text, lambda f=fn: self.run_action(f))
        self.toolbar = tb

    def _decorator(self):
        fn = ledger_refs.hook(self.ledger.extra.get("decorate"))
        return fn(self.ctx.store, self.ctx.today()) if fn else None

    # -- data -----------------------------------------------------------------------
    def apply_filters(self) -> None:
        self.model.set_query(self.filters.query(self.model.query))

    def _update_totals(self) -> None:
        q = self.model.query
        sums = self.model.totals()
        parts = [f"共 {self.model.rowCount():,} 条"]
        for name, value in (sums.items() if self.model.rowCount() else ()):
            f = self.ledger.field(name)
            parts.append(f"{f.label} {f.format(value)}{f.kind_of.unit}")
        self.totals.setText("　".join(parts) + f"　（{q.describe(self.ledger, self._labels())}）")
        banner = ledger_refs.hook(self.ledger.extra.get("banner"))
        text = banner(self.ctx.store, self.ctx.today()) if banner else ""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))
        self.empty.show_for(self.model.rowCount(), filtered=q.describe(self.ledger) != "全部记录",
                            none_match=no_match(f"{self.ledger.title}记录"),
                            none_yet=f"{self.ledger.title}还没有记录。可点“新增”逐条登记，或点“导入…”从 Excel 表格导入。")

    def _labels(self) -> dict[str, dict[Any, str]]:
        return {name: {box.itemData(i): box.itemText(i) for i in range(box.count())}
                for name, box in self.filters.boxes.items()}

    def _on_changed(self, table: str) -> None:
        if self.ctx.store.closed:
            return
        keep = self.table.current_id()
        self.model.decorate = self._decorator()
        self.model.reload()
        if keep is not None:
            self.table.select_record(keep)
        if self.child is not None:
            self.child.reload()

    # -- records ----------------------------------------------------------------------
    def service(self):
        """The ledger's write service: the form saves through the same rules as an import."""
        return service_for(self.ctx.store, self.ledger.kind, today=self.ctx.today())

    def save(self, values: dict, record_id: int | None = None, reason: str = "") -> int:
        return self.service().save(values, record_id, reason)

    def new_record(self) -> None:
        initial = self.service().defaults()
        form = RecordForm(self, self.ledger, f"新增{self.ledger.title}记录", initial,
                          ref_options=ledger_refs.form_options(self.ctx.store, self.ledger, initial),
                          on_save=lambda v, reason="": self.save(v, None, reason))
        if form.exec():
            self.ctx.changed(self.ledger.table)
            if form.result_value:
                self.table.select_record(form.result_value)

    def edit_record(self, record_id: int | None) -> None:
        if record_id is None:
            QMessageBox.information(self, "编辑", "请先在台账中选中一条记录。")
            return
        row = self.repo.get(record_id)
        if row is None:
            return
        name = row.get(self.ledger.label_field) if self.ledger.label_field else ""
        form = RecordForm(self, self.ledger, f"{self.ledger.title}　{name or ''}", row,
                          ref_options=ledger_refs.form_options(self.ctx.store, self.ledger, row),
                          on_save=lambda v, reason="": self.save(v, record_id, reason))
        if form.exec():
            self.ctx.changed(self.ledger.table)

    def recycle(self) -> None:
        ids = self.table.selected_ids()
        if not ids:
            QMessageBox.information(self, "移入回收站", "请先选中要移入回收站的记录。")
            return
        from models.ledger.service import service_for
        from views.reason_prompt import recycle_with_reason, which
        svc = service_for(self.ctx.store, self.ledger.kind, today=self.ctx.today())
        note = self.ledger.extra.get("recycle_note", "")
        if recycle_with_reason(self, "移入回收站", f"将选中的 {which(self.repo, ids)}移入回收站。" + (f"\n{note}" if note else ""),
                               lambda why: svc.recycle(ids, why)):
            self.ctx.changed(self.ledger.table)

    def run_action(self, fn: Callable) -> None:
        fn(self, self.table.current_id())

    # -- files ------------------------------------------------------------------------
    def import_file(self) -> None:
        from views.ledger_io import open_import          # the logged-in account goes with the dialog
        open_import(self, self.ctx, self.kind, on_imported=lambda _t: self.ctx.changed(self.ledger.table))

    def export_file(self) -> None:
        from views.ledger_io import open_export
        open_export(self, self.ctx, self.kind, self.model.query)

    def print_ledger(self) -> None:
        from views.ledger_io import open_print
        open_print(self, self.ctx, self.kind, self.model.query)

    def print_to(self, path: str | Path) -> Path:
        from models.ledger_pdf_fallback import print_ledger_pdf
        return print_ledger_pdf(self.ctx.store, self.kind, path, query=self.model.query, today=self.ctx.today())

