"""A Qt table model over any declared ledger, fit for a million rows.

It holds the ordered list of record ids (sorting and filtering are done in SQL)
and fetches the rows themselves a page at a time when the view asks for them.
The first screenful is shown from a small prefix of the ids; the rest of the
list streams in on a timer so the window never freezes.

A model whose page sets ``background`` runs every search (a query with search text) on a worker
thread instead (``models.ledger.page_source``, its own read-only connection): the old rows stay
shown, ``searching`` tells the view to say 正在检索…, and the count, the first ids and rows arrive
on the window's thread by a queued signal; the rest of the ids follow from the worker. A
newer query supersedes an older one: each has a generation number, the older search is
interrupted, and anything it still sends is dropped.
"""
from __future__ import annotations

import queue
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor

from models.ledger import page_source
from models.ledger.fields import Field
from models.ledger.repo import LedgerRepo, Query

PAGE = 200
PREFIX = 2000
CHUNK = 100_000
MAX_PAGES = 64

RowDecorator = Callable[[dict], "tuple[str | None, str]"]   # row → (background colour, tooltip)


class LedgerTableModel(QAbstractTableModel):
    loaded = Signal()          # the whole id list is known
    queryChanged = Signal()
    searching = Signal(bool)   # a search went to the worker (True) / its first rows are shown (False)
    recordFound = Signal(object)   # a record ``row_of`` asked for while its search ran is now listed

    def __init__(self, repo: LedgerRepo, fields: list[Field] | None = None, parent=None,
                 decorate: RowDecorator | None = None) -> None:
        super().__init__(parent)
        self.repo = repo
        self.fields: list[Field] = list(fields or repo.ledger.table_fields)
        self.query = Query()
        self.decorate = decorate
        self.masked = True
        self._ids: list[int] = []
        self._total = 0
        self._pages: OrderedDict[int, dict[int, dict]] = OrderedDict()
        self._cursor = None
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._load_more)
        # searches on a worker thread (see the module's note)
        self.background = False
        self.background_totals = False      # the worker also reads the ledger's sums (``totals``)
        self.background_counts: list[dict] = []     # and these narrowed counts (``count_with``)
        self.row_repo: Callable | None = None       # (store) -> the repository reading rows, if not a plain one
        self._gen = 0
        self._job: page_source.PageSearch | None = None
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._heard = False                 # connected to the workers' relay (on the first search)
        self._sums: tuple[Query, dict] | None = None
        self._counts: tuple[Query, dict] | None = None
        self._want: int | None = None       # a record asked for (row_of) before its search answered
        self._waiting = False               # between a search's start and its first rows

    # -- loading -----------------------------------------------------------------
    def set_query(self, query: Query) -> None:
        self.query = query
        self.reload()

    def reload(self) -> None:
        if self.repo.store.closed:      # a page outliving its database (closing down)
            return
        self._gen += 1
        self._drop_job()
        if self._off_thread():
            self._start_job()
            return
        self._reload_now()

    def _reload_now(self) -> None:
        self._sums = self._counts = None
        self.beginResetModel()
        self._pages.clear()
        self._stop_stream()
        self._total = self.repo.count(self.query)
        sql, params = self.repo.id_query(self.query)
        cur = self.repo.store.conn.cursor()
        cur.row_factory = None
        cur.execute(sql, params)
        self._ids = [r[0] for r in cur.fetchmany(PREFIX)]
        if len(self._ids) < self._total:
            self._cursor = cur
            self._timer.start()
        else:
            self._total = len(self._ids)
            cur.close()
        self.endResetModel()
        self.queryChanged.emit()
        if self._cursor is None:
            self.loaded.emit()

    # -- searching on a worker thread ------------------------------------------------
    def _off_thread(self) -> bool:
        path = str(self.repo.store.path)
        return bool(self.background and self.query.search.strip() and path != ":memory:")

    def _start_job(self) -> None:
        self._stop_stream()
        store = self.repo.store
        job = page_source.PageSearch(store.path, self.repo.ledger, self.query, today=store.today, prefix=PREFIX,
                                     page=PAGE, rows=self.row_repo is not None or type(self.repo) is LedgerRepo,
                                     totals=self.background_totals, counts=self.background_counts,
                                     row_repo=self.row_repo)
        self._job = job
        if not self._heard:
            _relay().arrived.connect(self._answer_arrived)
            self._heard = True
        _pool().submit(_work, job, self._gen, self._inbox, _relay())
        self._waiting = True
        self.searching.emit(True)

    def _drop_job(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self._want = None
        if self._waiting:
            self._waiting = False
            self.searching.emit(False)

    def _answer_arrived(self, inbox: queue.SimpleQueue) -> None:
        if inbox is self._inbox:
            self._take_answers()

    def _take_answers(self) -> None:
        while True:
            try:
                gen, kind, value = self._inbox.get_nowait()
            except queue.Empty:
                break
            if gen != self._gen or self._job is None:
                continue                    # a superseded search's answer
            if kind == "first":
                self._show_first(value)
            elif kind == "more":
                self._add_ids(value)
            elif kind == "done":
                self._finish_job()
            else:                           # the worker failed: the old way, on this thread
                self._drop_job()
                self._reload_now()

    def _show_first(self, first: page_source.FirstPage) -> None:
        job = self._job
        self.beginResetModel()
        self._pages.clear()
        self._total = first.count
        self._ids = first.ids
        if first.rows:
            self._pages[0] = {rid: first.rows[rid] for rid in first.ids[:PAGE] if rid in first.rows}
        self._sums = (job.query, first.totals) if first.totals is not None else None
        self._counts = (job.query, first.counts)
        self.endResetModel()
        self._waiting = False
        self.searching.emit(False)
        self.queryChanged.emit()
        self._look_for_wanted()
        if first.complete:
            self._finish_job()

    def _add_ids(self, ids: list[int]) -> None:
        start = len(self._ids)
        self._ids.extend(ids)
        end = min(len(self._ids), self._total) - 1
        if end >= start:
            self.dataChanged.emit(self.index(start, 0), self.index(end, max(0, len(self.fields) - 1)))
        self._look_for_wanted()

    def _finish_job(self) -> None:
        self._job = None
        if len(self._ids) != self._total:          # cannot happen in one snapshot; kept honest
            self.beginResetModel()
            self._total = len(self._ids)
            self.endResetModel()
        self._want = None
        self.loaded.emit()

    def _look_for_wanted(self) -> None:
        if self._want is not None and self._want in self._ids:
            rid, self._want = self._want, None
            self.recordFound.emit(rid)

    @property
    def waiting(self) -> bool:
        """A search is on its way from the worker (its first rows not yet shown)."""
        return self._waiting

    def totals(self) -> dict[str, int]:
        """The ledger's sums over the rows listed: as the worker read them with its search, else now."""
        if self._sums is not None and self._sums[0] == self.query:
            return dict(self._sums[1])
        return self.repo.totals(self.query)

    def count_with(self, equals: dict) -> int:
        """How many of the rows listed also have these values: as the worker read it with its
        search (``background_counts``), else now."""
        if self._counts is not None and self._counts[0] == self.query:
            got = self._counts[1].get(page_source.counted(equals))
            if got is not None:
                return got
        return self.repo.count(page_source.narrowed(self.query, equals))

    def _load_more(self, until: int | None = None) -> None:
        if self._cursor is None:
            return
        need = CHUNK if until is None else max(CHUNK, until - len(self._ids) + 1)
        rows = self._cursor.fetchmany(need)
        self._ids.extend(r[0] for r in rows)
        if len(rows) < need:
            self._stop_stream()
            if len(self._ids) != self._total:    # data changed meanwhile: tell the view
                self.beginResetModel()
                self._total = len(self._ids)
                self.endResetModel()
            self.loaded.emit()

    def _stop_stream(self) -> None:
        self._timer.stop()
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None

    def finish_loading(self) -> None:
        """Load the whole id list now (tests, and before printing the ledger): a search still on
        the worker is read again here instead."""
        if self._job is not None:
            self._gen += 1
            self._drop_job()
            self._reload_now()
        while self._cursor is not None:
            self._load_more()

    @property
    def fully_loaded(self) -> bool:
        return self._cursor is None and self._job is None

    def id_at(self, row: int) -> int | None:
        if row < 0 or row >= self._total:
            return None
        if row >= len(self._ids):
            if self._job is not None:
                return None         # still coming from the worker: shown when it arrives
            self._load_more(until=row)
            if row >= len(self._ids):
                return None
        return self._ids[row]

    def row_of(self, record_id: int) -> int:
        """The row showing ``record_id``, or -1. While a search is on the worker and the record
        is not among the ids arrived so far, -1 now and ``recordFound`` once it arrives."""
        if self._job is not None:
            if record_id in self._ids and not self._waiting:
                return self._ids.index(record_id)
            self._want = record_id
            return -1
        self.finish_loading()
        try:
            return self._ids.index(record_id)
        except ValueError:
            return -1

    def record(self, row: int) -> dict | None:
        rid = self.id_at(row)
        if rid is None:
            return None
        page_no = row // PAGE
        page = self._pages.get(page_no)
        if page is None or rid not in page:
            start = page_no * PAGE
            ids = [self.id_at(r) for r in range(start, min(start + PAGE, self._total))]
            page = self.repo.rows_by_ids([i for i in ids if i is not None])
            self._pages[page_no] = page
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page.get(rid)

    def refresh_rows(self) -> None:
        """Data changed but not the order: drop cached rows and repaint."""
        self._pages.clear()
        if self._total:
            self.dataChanged.emit(self.index(0, 0), self.index(self._total - 1, len(self.fields) - 1))

    # -- Qt model API ------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.fields)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.fields):
                f = self.fields[section]
                return f.header
            return None
        return str(section + 1)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._total or index.column() >= len(self.fields):
            return None
        f = self.fields[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.UserRole):
            rec = self.record(index.row())
            if rec is None:
                return None
            if role == Qt.ItemDataRole.UserRole:
                return rec.get(f.name)
            if role == Qt.ItemDataRole.ToolTipRole:
                tip = self.decorate(rec)[1] if self.decorate else ""
                if f.kind in ("text", "longtext", "ref") and f.width >= 16:
                    text = self.display(f, rec)      # a long name narrowed to fit: whole in the tooltip
                    if len(text) > 8:
                        tip = f"{text}\n{tip}" if tip else text
                return tip or None
            return self.display(f, rec)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if f.numeric:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and self.decorate:
            rec = self.record(index.row())
            if rec is not None:
                colour = self.decorate(rec)[0]
                if colour:
                    return QBrush(QColor(colour))
        return None

    def display(self, f: Field, rec: dict) -> str:
        return self.repo.ledger.cell_text(f, rec, masked=self.masked)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not (0 <= column < len(self.fields)):
            return
        self.query.sort = self.fields[column].name
        self.query.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def as_tsv(self, rows: list[int], columns: list[int]) -> str:
        """Selected cells as tab-separated text that pastes cleanly into Excel / WPS.
        Long digit strings (IDs, cards) keep their digits: Excel would round them, so
        they are prefixed with a tab-safe apostrophe-free text marker."""
        lines = ["\t".join(self.fields[c].header for c in columns)]
        for r in rows:
            rec = self.record(r) or {}
            cells = []
            for c in columns:
                text = self.display(self.fields[c], rec).replace("\t", " ").replace("\n", " ")
                if self.fields[c].sensitive and text.isdigit() and len(text) > 11:
                    text = f'="{text}"'     # keeps all digits when pasted into Excel / WPS
                cells.append(text)
            lines.append("\t".join(cells))
        return "\n".join(lines) + "\n"


_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    """The searches' worker threads, started once (starting a thread per search would make the
    window wait for it to be scheduled) and kept for the next search; two, so that one page's
    search need not wait for another's."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ledger-search")
    return _POOL


class _Relay(QObject):
    """Tells the window's thread that a worker put an answer in a model's inbox. One for the
    program, made on the window's thread and never deleted: a worker may still emit it after the
    page that asked has gone (a model's own signal would then be a deleted object's)."""
    arrived = Signal(object)        # the inbox


_RELAY: _Relay | None = None


def _relay() -> _Relay:
    global _RELAY
    if _RELAY is None:
        _RELAY = _Relay()
    return _RELAY


def _work(job: page_source.PageSearch, gen: int, inbox: queue.SimpleQueue, relay: _Relay) -> None:
    """On a worker thread: the search's answers into ``inbox``, each tagged with its generation."""
    def put(kind: str, value) -> None:
        inbox.put((gen, kind, value))
        relay.arrived.emit(inbox)       # queued to the window's thread
    try:
        put("first", job.first())
        for ids in job.rest(CHUNK):
            put("more", ids)
        put("done", None)
    except page_source.Cancelled:
        pass
    except Exception as exc:  # noqa: BLE001 - any failure: the window reads the query itself
        if not job.cancelled:
            put("failed", exc)
    finally:
        job.close()
