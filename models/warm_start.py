"""The home page's figures, worked out on a second thread while the window starts.

Start-up is mostly the GUI library loading and the window being built (Python, one core);
the home page's totals are mostly SQLite reading a county-sized ledger (C, which lets go of
the interpreter lock). So the figures are read on a read-only connection of their own from
the first moment, and the page takes them when it is built if the file is still the same
file with the same schema and no change since: every change to a ledger writes an audit row,
so an unchanged newest audit row means unchanged figures (a log-in's own audit row, on the
account table, does not count). Otherwise, or on any trouble, the page reads them itself as
it always has. The read-ahead never changes the file, and never creates a database.

The page's 专班目标 table (``models.targets.progress``) is read in the same pass: it sums the same
per-workstream groups the figures are made of (one ``figures.Basis``), so it costs the read-ahead a
few small queries and saves the window its one big one (about 0.1 s on a county database).
"""
from __future__ import annotations

import datetime as _dt
import os
import threading
from pathlib import Path

DASHBOARD_LIST_LIMIT = 30       # rows in the home page's 逾期 / 即将到期 lists


class DashboardPrefetch:
    def __init__(self, path: str | Path, today: _dt.date, list_limit: int = DASHBOARD_LIST_LIMIT) -> None:
        self.path = Path(path)
        self.today = today
        self.list_limit = list_limit
        self.result = None
        self.targets = None             # models.targets.Progress for the same day and state
        self.mark: int | None = None
        self._thread = threading.Thread(target=self._run, name="dashboard-prefetch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            if not self.path.is_file() or self.path.stat().st_size == 0:
                return                  # a new database: nothing to read, and nothing may be created here
            from models import figures, migrations, stats, targets
            from models.db import Store
            store = Store(self.path, read_only=True)
            try:
                if store.scalar("PRAGMA user_version") != migrations.LATEST:
                    return              # the window upgrades it first
                store.conn.execute("BEGIN")
                try:
                    mark = _state(store)
                    basis = figures.Basis(store, self.today)
                    result = stats.dashboard(store, self.today, self.list_limit, basis=basis)
                    progress = targets.progress(store, self.today, basis=basis)
                finally:
                    store.conn.execute("COMMIT")
                self.mark, self.targets, self.result = mark, progress, result
            finally:
                store.conn.close()
        except Exception:  # noqa: BLE001 - a damaged, locked or unreadable file: the page reads (and reports) it itself
            self.result = self.targets = None

    def take(self, store, today: _dt.date, list_limit: int):
        """The figures, if they were read for this day and list length from this same file
        and nothing has been written since; else None. Each read-ahead is handed out once.
        Waits for the read-ahead to finish (it started first, so that is never slower than
        reading afresh); the read-only connection gives up on a locked file within 2 s."""
        self._thread.join(WAIT_AT_MOST)
        result, self.result = self.result, None
        return result if self._usable(store, today) and list_limit == self.list_limit else None

    def take_targets(self, store, today: _dt.date):
        """The 专班目标 progress (``models.targets.progress(store, today)``) read with the figures,
        on the same terms as ``take``: this day, this same file, nothing written since; once."""
        self._thread.join(WAIT_AT_MOST)
        progress, self.targets = self.targets, None
        return progress if self._usable(store, today) else None

    def _usable(self, store, today: _dt.date) -> bool:
        """Whether what was read ahead stands: finished, for this day, and nothing written to
        this same file since."""
        if self._thread.is_alive() or today != self.today:
            return False
        try:
            return _state(store) == self.mark
        except Exception:  # noqa: BLE001 - unusable: read afresh
            return False


WAIT_AT_MOST = 60.0             # seconds; a read-ahead still busy after this is dropped


def _state(store) -> tuple:
    """Which file (a restored backup is another file), which schema, and the newest change."""
    info = os.stat(store.path)
    newest = store.scalar("SELECT id FROM audit_log WHERE table_name != 'account' ORDER BY id DESC LIMIT 1",
                          default=0)
    return (info.st_dev, info.st_ino, store.scalar("PRAGMA schema_version"), int(newest))
