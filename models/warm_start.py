"""The home page's figures, worked out on a second thread while the window starts.

Start-up is mostly the GUI library loading and the window being built (Python, one core);
the home page's totals are mostly SQLite reading a county-sized ledger (C, which lets go of
the interpreter lock). So the figures are read on their own connection from the first
moment, and the page takes them when it is built, if nothing has been changed since: every
change to a ledger writes an audit row, so an unchanged newest audit row means unchanged
figures. Otherwise, or on any trouble, the page reads them itself as it always has.
"""
from __future__ import annotations

import datetime as _dt
import threading
from pathlib import Path

DASHBOARD_LIST_LIMIT = 30       # rows in the home page's 逾期 / 即将到期 lists


class DashboardPrefetch:
    def __init__(self, path: str | Path, today: _dt.date, list_limit: int = DASHBOARD_LIST_LIMIT) -> None:
        self.path = Path(path)
        self.today = today
        self.list_limit = list_limit
        self.result = None
        self.mark: int | None = None
        self._thread = threading.Thread(target=self._run, name="dashboard-prefetch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            if not self.path.is_file() or self.path.stat().st_size == 0:
                return                  # a new database: nothing to read, and nothing may be created here
            from models import migrations, stats
            from models.db import Store
            store = Store(self.path, check=False, migrate=False)
            try:
                if store.scalar("PRAGMA user_version") != migrations.LATEST:
                    return              # the window upgrades it first
                store.conn.execute("BEGIN")
                try:
                    mark = _newest_change(store)
                    result = stats.dashboard(store, self.today, self.list_limit)
                finally:
                    store.conn.execute("COMMIT")
                self.mark, self.result = mark, result
            finally:
                store.conn.close()      # no PRAGMA optimize: this connection only read
        except Exception:  # noqa: BLE001 - a damaged or locked file: the page reads (and reports) it itself
            self.result = None

    def take(self, store, today: _dt.date, list_limit: int, wait: float = 3.0):
        """The figures, if they were read for this day and list length and nothing has been
        written since; else None. Each prefetch is handed out once."""
        self._thread.join(wait)
        result, self.result = self.result, None
        if result is None or self._thread.is_alive() or today != self.today or list_limit != self.list_limit:
            return None
        try:
            if Path(store.path).resolve() != self.path.resolve() or _newest_change(store) != self.mark:
                return None
        except Exception:  # noqa: BLE001 - unusable: read afresh
            return None
        return result


def _newest_change(store) -> int:
    return int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM audit_log", default=0))
