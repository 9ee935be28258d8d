"""The table view every ledger page uses: sorting in SQL, chosen and reordered
columns remembered, copy as tab-separated text, Enter to open.

Default layout (until the user resizes, moves or hides a column): each column as wide as its
header and its first rows need (a key column's whole text, other names at most CAP_CHARS), the
ledger's key columns (``extra["key_columns"]`` in its declaration; views/ledger_keys.py)
first; the other columns follow to the right. Where the window is too small for the key columns
(1366×768 at 125 % or 150 %), they are made to fit in steps, each only if the one before was not
enough: their headers on two lines (未付金额 / （元）), then names (用人单位, 资金来源) on two lines
in taller rows, the one that gains most first and only as many as it takes, and only then names
narrowed and cut ("…", the whole text in the tooltip). Codes, numbers and dates never wrap or narrow.
Once the user changes the layout it is remembered as it is."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QStyle, QTableView

from models.prefs import Prefs
from views.ledger_model import LedgerTableModel
from views.text_measure import narrowest, split_header

SAMPLE_ROWS = 60            # rows measured for a column's default width
CAP_CHARS = 22              # a text column's default width: at most this many Chinese characters
FLOOR_CHARS = 5             # narrowed to fit the window: never below this (nor below its header)
ELASTIC_KINDS = ("text", "longtext", "ref")
ELASTIC_FROM = 10           # a text column declared at least this wide (names, not codes) may narrow
ROW_HEIGHT = 24             # a row of one line
WRAP_LINES = 2              # a small window's key headers and names wrap onto at most this many lines


def _elastic(f) -> bool:
    """Names and references may narrow to fit the window; numbers, codes and dates never do."""
    return f.kind == "ref" or (f.kind in ELASTIC_KINDS and f.width >= ELASTIC_FROM)


def _old_default_width(f) -> int:
    """The width every column had before widths were measured (a layout saved with exactly these
    widths, nothing moved or hidden, is an untouched default, not a choice)."""
    return max(56, min(300, f.width * 11 + 14))


class TwoLineHeader(QHeaderView):
    """The table's header; a section in ``two_lines`` shows that text (its header on two lines)."""

    def __init__(self, parent) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(True)
        self.two_lines: dict[int, str] = {}

    def initStyleOptionForIndex(self, option, logical: int) -> None:  # noqa: N802 - Qt's name
        super().initStyleOptionForIndex(option, logical)
        text = self.two_lines.get(logical)
        if text:
            option.text = text


class LedgerTableView(QTableView):
    activatedRecord = Signal(int)      # record id (Enter or double-click)
    currentRecord = Signal(object)     # record id or None

    def __init__(self, model: LedgerTableModel, prefs: Prefs | None = None, prefs_key: str = "",
                 parent=None, key_columns: tuple[str, ...] | None = None, keys_first: bool = True) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.prefs = prefs
        # the remembered layout belongs to one set of columns: a new column starts afresh
        import zlib
        sig = zlib.crc32("|".join(f.name for f in model.fields).encode()) if prefs_key else 0
        self.prefs_key = f"{prefs_key}.{sig:08x}" if prefs_key else ""
        names = [f.name for f in model.fields]
        wanted = key_columns if key_columns is not None else model.repo.ledger.extra.get("key_columns", ())
        self.key_columns: list[int] = [names.index(n) for n in wanted if n in names]
        # False: the declared order while it shows every key column whole, key columns first once not
        self.keys_first = keys_first
        self.user_layout = False           # True once the user resized, moved or hid a column
        self._quiet = 0                    # >0 while the program itself lays the columns out
        self._natural: dict = {}            # column → default width (("wrap", column) → on two lines)
        self._texts: dict[int, list[str]] = {}
        self.wrapped_headers = False       # a small window: key headers on two lines …
        self.wrapped_cells = False         # … and names on two lines, in taller rows
        self._measured_rows = False
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setHorizontalHeader(TwoLineHeader(self))
        # no sort indicator before sorting is enabled: enabling it would sort by the first column
        # at once, a full sort of the ledger before anything is shown
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        h = self.horizontalHeader()
        h.setSectionsMovable(True)
        h.setHighlightSections(False)
        h.setSortIndicatorShown(True)
        h.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        h.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        h.customContextMenuRequested.connect(self._header_menu)
        if not self._restore_layout():
            self.apply_default_layout()
        h.sectionMoved.connect(lambda *a: self._user_changed())
        h.sectionResized.connect(lambda *a: self._user_changed())
        self.doubleClicked.connect(lambda idx: self._emit_activated(idx.row()))
        copy = QAction("复制选中行", self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.triggered.connect(self.copy_selection)
        self.addAction(copy)
        model.modelReset.connect(self._after_reset)

    # -- layout ------------------------------------------------------------------
    def _restore_layout(self) -> bool:
        """The user's remembered layout; False when there is none (or only an untouched default)."""
        if not (self.prefs and self.prefs_key):
            return False
        state = self.prefs.get(f"table.{self.prefs_key}")
        if isinstance(state, dict):
            text, chosen = state.get("state"), bool(state.get("user"))
        else:
            text, chosen = state, False
        if not isinstance(text, str) or not text:
            return False
        h = self.horizontalHeader()
        self._quiet += 1
        try:
            if not h.restoreState(QByteArray.fromBase64(text.encode())):
                return False
            h.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            if not chosen and self._is_old_default():
                return False
        finally:
            self._quiet -= 1
        self.user_layout = True
        return True

    def _is_old_default(self) -> bool:
        h = self.horizontalHeader()
        fields = self.model().fields
        return h.count() == len(fields) and all(
            not h.isSectionHidden(i) and h.visualIndex(i) == i and h.sectionSize(i) == _old_default_width(f)
            for i, f in enumerate(fields))

    def _user_changed(self) -> None:
        if self._quiet:
            return
        self.user_layout = True
        self._save_layout()

    def _save_layout(self) -> None:
        if self.prefs and self.prefs_key and self.user_layout:
            state = self.horizontalHeader().saveState().toBase64().data().decode()
            self.prefs.data[f"table.{self.prefs_key}"] = {"state": state, "user": True}

    def save_layout_now(self) -> None:
        self._save_layout()
        if self.prefs and self.user_layout:
            self.prefs.save()

    def _header_menu(self, pos) -> None:
        menu = QMenu(self)
        model: LedgerTableModel = self.model()
        h = self.horizontalHeader()
        for i, f in enumerate(model.fields):
            act = menu.addAction(f.label)
            act.setCheckable(True)
            act.setChecked(not h.isSectionHidden(i))
            act.toggled.connect(lambda on, col=i: self.set_column_shown(col, on))
        menu.addSeparator()
        menu.addAction("恢复默认列").triggered.connect(self.reset_columns)
        menu.exec(h.mapToGlobal(pos))

    def set_column_shown(self, column: int, shown: bool) -> None:
        self.horizontalHeader().setSectionHidden(column, not shown)
        self.user_layout = True
        self.save_layout_now()

    def reset_columns(self) -> None:
        """Back to the default layout; the remembered one is forgotten."""
        self.user_layout = False
        if self.prefs and self.prefs_key:
            self.prefs.data.pop(f"table.{self.prefs_key}", None)
            self.prefs.save()
        self.apply_default_layout()

    def default_order(self) -> list[int]:
        """Logical columns in their default visual order: the key columns first (with
        ``keys_first`` False, only once the declared order no longer shows them all whole)."""
        n = len(self.model().fields)
        if not self.keys_first and self._declared_order_fits():
            return list(range(n))
        rest = [i for i in range(n) if i not in self.key_columns]
        return self.key_columns + rest

    def _declared_order_fits(self) -> bool:
        """Every key column in view at its natural width in the declared order (a window not yet
        laid out counts as wide: it is decided again once it is)."""
        avail = self._viewport_width()
        keys = self.key_columns
        return not keys or avail <= 0 or sum(self.natural_width(c) for c in range(max(keys) + 1)) <= avail

    def _apply_order(self) -> None:
        h = self.horizontalHeader()
        for visual, logical in enumerate(self.default_order()):
            if h.visualIndex(logical) != visual:
                h.moveSection(h.visualIndex(logical), visual)

    def apply_default_layout(self) -> None:
        h = self.horizontalHeader()
        self._quiet += 1
        try:
            for logical in range(h.count()):
                h.setSectionHidden(logical, False)
            self._fit_widths()
        finally:
            self._quiet -= 1

    def _header_width(self, col: int, lines: int = 1) -> int:
        f = self.model().fields[col]
        h = self.horizontalHeader()
        fm = h.fontMetrics()
        text = fm.horizontalAdvance(f.header)
        if lines > 1 and (two := split_header(f.header, fm)):
            text = min(text, max(fm.horizontalAdvance(line) for line in two.split("\n")))
        # margins on both sides and room for the sort arrow, so a sorted header is not cut either
        return text + 2 * fm.horizontalAdvance("0") + 12

    def _text_pad(self) -> int:
        """A cell's text margins as the style draws them (3 px a side in most), and 4 px of air."""
        return 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1) + 4

    def _samples(self, col: int) -> list[str]:
        """The texts of the first rows (those a default width is measured by)."""
        if col not in self._texts:
            model: LedgerTableModel = self.model()
            self._texts[col] = [str(model.data(model.index(r, col)) or "")
                                for r in range(min(model.rowCount(), SAMPLE_ROWS))]
        return self._texts[col]

    def _content_width(self, col: int) -> int:
        fm = self.fontMetrics()
        texts = self._samples(col)
        if texts:
            widest = max(fm.horizontalAdvance(t) for t in texts)
        else:
            widest = fm.horizontalAdvance("0") * min(self.model().fields[col].width, 12)
        return widest + self._text_pad()

    def _body_width(self, col: int) -> int:
        """What the column's first rows need on one line (a name at most CAP_CHARS wide, but a key
        column's whole: where that is too wide for the window, it wraps instead)."""
        want = self._content_width(col)
        if self.model().fields[col].kind in ELASTIC_KINDS and col not in self.key_columns:
            want = min(want, self.fontMetrics().horizontalAdvance("中") * CAP_CHARS)
        return want

    def natural_width(self, col: int) -> int:
        """What a column needs to show its header and its first rows without eliding."""
        if col not in self._natural:
            self._natural[col] = max(self._header_width(col), self._body_width(col))
        return self._natural[col]

    def _words(self, col: int) -> bool:
        """The column's first rows hold Chinese words (a code such as GCK2026-001 is all ASCII)."""
        return any(not t.isascii() for t in self._samples(col))

    def narrows(self, col: int) -> bool:
        """A name (用人单位, 资金来源) may be narrowed and cut, last of all; a code, number or date never."""
        return _elastic(self.model().fields[col]) and self._words(col)

    def wraps(self, col: int) -> bool:
        """Chinese words (用人单位, 责任专班, 状态) may wrap; a code, number or date never does."""
        f = self.model().fields[col]
        return (_elastic(f) or f.kind == "choice") and self._words(col)

    def _wrapped_width(self, col: int) -> int:
        """The narrowest width showing each of the first rows' texts whole on WRAP_LINES lines."""
        if ("wrap", col) not in self._natural:
            font, fm = self.font(), self.fontMetrics()
            need = 0
            for t in sorted(self._samples(col), key=fm.horizontalAdvance, reverse=True):
                if fm.horizontalAdvance(t) <= need:
                    break                       # the rest are shorter than what one already needs
                need = max(need, narrowest(t, font, WRAP_LINES))
            self._natural[("wrap", col)] = min(self.natural_width(col),
                                               max(self._header_width(col, WRAP_LINES), need + self._text_pad()))
        return self._natural[("wrap", col)]

    def _floor_width(self, col: int, lines: int) -> int:
        return min(self.natural_width(col), max(self._header_width(col, lines),
                                                self.fontMetrics().horizontalAdvance("中") * FLOOR_CHARS + 12))

    def _fit_widths(self) -> None:
        """Natural widths; where the key columns do not fit the view, in steps until they do:
        their headers on two lines, then their names on two lines, then names narrowed (cut)."""
        self._apply_order()
        n = len(self.model().fields)
        natural = {c: self.natural_width(c) for c in range(n)}
        widths = dict(natural)
        avail = self._viewport_width()
        keys = self.key_columns
        heads = cells = False
        if keys and avail > 0 and sum(widths[c] for c in keys) > avail:
            heads = True
            for c in keys:
                widths[c] = max(self._header_width(c, WRAP_LINES), self._body_width(c))
            # names on two lines, the one that gains most first, only as many as it takes
            wrapping = []
            for c in sorted((c for c in keys if self.wraps(c)),
                            key=lambda c: (self._wrapped_width(c) - widths[c], keys.index(c))):
                if sum(widths[k] for k in keys) <= avail:
                    break
                if self._wrapped_width(c) < widths[c]:
                    cells = True
                    wrapping.append(c)
                    widths[c] = self._wrapped_width(c)
            need = sum(widths[c] for c in keys)
            if need > avail:
                elastic = [c for c in keys if self.narrows(c)]
                room = {c: max(0, widths[c] - self._floor_width(c, WRAP_LINES)) for c in elastic}
                total_room = sum(room.values())
                cut = min(need - avail, total_room)
                if total_room > 0:
                    for c in elastic:
                        widths[c] -= -(-cut * room[c] // total_room)       # rounded up: never a pixel short
            elif not cells:                 # room to spare: headers back on one line, the cheapest first
                spare = avail - need
                for c in sorted(keys, key=lambda c: natural[c] - widths[c]):
                    if 0 < natural[c] - widths[c] <= spare:
                        spare -= natural[c] - widths[c]
                        widths[c] = natural[c]
            else:                           # room to spare goes back to the wrapped names
                room = {c: natural[c] - widths[c] for c in wrapping}
                total_room = sum(room.values())
                if total_room > 0:
                    for c in wrapping:
                        widths[c] += min(room[c], (avail - need) * room[c] // total_room)
        fm = self.horizontalHeader().fontMetrics()
        two_lines = {c: two for c in keys if heads and widths[c] < self._header_width(c)
                     and (two := self._two_line_header(c, widths[c], fm))}
        self.horizontalHeader().two_lines = two_lines
        self._set_wrapping(bool(two_lines), cells)      # a taller header only for a header on two lines
        for c, w in widths.items():
            if self.columnWidth(c) != w:
                self.setColumnWidth(c, w)

    def _two_line_header(self, col: int, width: int, fm) -> str | None:
        """The header on two lines: before its unit (已兑付工资 / （元）) where the column is wide
        enough for that, else as evenly as it splits (已兑付工 / 资（元）)."""
        header = self.model().fields[col].header
        unit = header.find("（")
        if unit >= 2 and len(header) - unit >= 2:
            a, b = header[:unit], header[unit:]
            if max(fm.horizontalAdvance(a), fm.horizontalAdvance(b)) + 2 * fm.horizontalAdvance("0") + 12 <= width:
                return f"{a}\n{b}"
        return split_header(header, fm)

    def _row_height(self, lines: int) -> int:
        """A row of one line, or of ``lines`` lines with a little less air around them."""
        return ROW_HEIGHT if lines == 1 else ROW_HEIGHT - 3 + (lines - 1) * self.fontMetrics().lineSpacing()

    def _set_wrapping(self, heads: bool, cells: bool) -> None:
        """Headers on (up to) two lines in a taller header; cells on two lines in taller rows."""
        h = self.horizontalHeader()
        if heads != self.wrapped_headers:
            self.wrapped_headers = heads
            h.setTextElideMode(Qt.TextElideMode.ElideNone if heads else Qt.TextElideMode.ElideRight)
            h.setMinimumHeight(h.sizeHint().height() + (WRAP_LINES - 1) * h.fontMetrics().lineSpacing()
                               if heads else 0)
        if cells != self.wrapped_cells:
            self.wrapped_cells = cells
            self.setWordWrap(cells)
            self.verticalHeader().setDefaultSectionSize(self._row_height(WRAP_LINES if cells else 1))

    def _viewport_width(self) -> int:
        """The width the columns share once the view is laid out (0 before it is)."""
        if not self.isVisible() and not self.testAttribute(Qt.WidgetAttribute.WA_Resized):
            return 0
        w = self.viewport().width()
        sb = self.verticalScrollBar()
        model = self.model()
        # rows as tall as they would be wrapped: the scroll bar they would need is kept room for
        rows_h = model.rowCount() * self._row_height(WRAP_LINES)
        if not sb.isVisible() and rows_h > self.viewport().height() > 0:
            w -= self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return w

    def key_columns_fit(self) -> bool:
        """Every key column's right edge inside the view, with no sideways scrolling."""
        h = self.horizontalHeader()
        return all(not h.isSectionHidden(c) and h.sectionViewportPosition(c) >= 0
                   and h.sectionViewportPosition(c) + h.sectionSize(c) <= self.viewport().width()
                   for c in self.key_columns)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if not self.user_layout:
            self._quiet += 1
            try:
                self._fit_widths()
            finally:
                self._quiet -= 1

    # -- records -----------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.selectionModel().selectedRows()})

    def selected_ids(self) -> list[int]:
        model: LedgerTableModel = self.model()
        return [rid for r in self.selected_rows() if (rid := model.id_at(r)) is not None]

    def current_id(self) -> int | None:
        idx = self.currentIndex()
        return self.model().id_at(idx.row()) if idx.isValid() else None

    def copy_selection(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        h = self.horizontalHeader()
        cols = [h.logicalIndex(v) for v in range(h.count()) if not h.isSectionHidden(h.logicalIndex(v))]
        QGuiApplication.clipboard().setText(self.model().as_tsv(rows, cols))

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._emit_activated(self.currentIndex().row())
            return
        super().keyPressEvent(event)

    def currentChanged(self, current, previous) -> None:
        super().currentChanged(current, previous)
        self.currentRecord.emit(self.model().id_at(current.row()) if current.isValid() else None)

    def _emit_activated(self, row: int) -> None:
        rid = self.model().id_at(row)
        if rid is not None:
            self.activatedRecord.emit(rid)

    def _after_reset(self) -> None:
        # a new order or filter starts at the top (staying at row 900,000 of a new order would
        # make the model read every id up to there at once)
        self.scrollToTop()
        if not self._measured_rows and self.model().rowCount():
            self._measured_rows = True          # widths from the first rows shown, measured once
            self._natural.clear()
            self._texts.clear()
            if not self.user_layout:
                self._quiet += 1
                try:
                    self._fit_widths()
                finally:
                    self._quiet -= 1
        self.currentRecord.emit(None)

    def select_record(self, record_id: int) -> None:
        row = self.model().row_of(record_id)
        if row >= 0:
            self.selectRow(row)
            self.scrollTo(self.model().index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
