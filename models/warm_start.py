"""The home page's figures, worked out in a second process while the window starts.

Start-up is mostly the GUI library loading and the window being built (Python, one core); the
home page's totals are a county-sized ledger read by SQLite, and the code that reads them has
to be imported first (some 80 modules, about 0.1 s of Python). On a thread of the window's own
process that import competed with the window's for the one interpreter lock and put its first
frame about 80 ms later; so the read-ahead is a process of its own, on the machine's other core
(``python -m models.warm_start``, or the bundle's program with ``READ_AHEAD_ARG``), started at the
first moment. Its result comes back through a pipe, read by a thread that only waits.

The page takes the figures when it is built if they were read from the same file with the same
schema and no change since: every change to a ledger writes an audit row, so an unchanged newest
audit row means unchanged figures (a log-in's own audit row, on the account table, does not
count). Otherwise, or on any trouble (no second process, a damaged or locked file), the page reads
them itself as it always has. The read-ahead never changes the file, and never creates a
database.

The page's 专班目标 table (``models.targets.progress``) is read in the same pass: it sums the same
per-workstream groups the figures are made of (one ``figures.Basis``), so it costs the read-ahead a
few small queries and saves the window its one big one (about 0.1 s on a county database).
"""
from __future__ import annotations

import datetime as _dt
import os
import sys
import threading
from pathlib import Path

DASHBOARD_LIST_LIMIT = 30       # rows in the home page's 逾期 / 即将到期 lists
READ_AHEAD_ARG = "--read-ahead-figures"     # the bundle's program, started as the read-ahead
WAIT_AT_MOST = 60.0             # seconds; a read-ahead still busy after this is dropped


class DashboardPrefetch:
    def __init__(self, path: str | Path, today: _dt.date, list_limit: int = DASHBOARD_LIST_LIMIT,
                 *, in_process: bool = False) -> None:
        self.path = Path(path)
        self.today = today
        self.list_limit = list_limit
        self.result = None
        self.targets = None             # models.targets.Progress for the same day and state
        self.mark: tuple | None = None
        self._proc = None
        if not in_process and self.path.is_file() and self.path.stat().st_size > 0:
            self._proc = _spawn(self.path, today, list_limit)
        target = self._receive if self._proc is not None else self._run
        self._thread = threading.Thread(target=target, name="dashboard-prefetch", daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        """The second process's answer: (mark, figures, targets), pickled; nothing on trouble."""
        import pickle
        try:
            data = self._proc.stdout.read()         # waits without the interpreter lock
            if self._proc.wait() == 0 and data:
                self.mark, self.result, self.targets = pickle.loads(data)
        except Exception:  # noqa: BLE001 - the page reads (and reports) the figures itself
            self.result = self.targets = None

    def _run(self) -> None:
        """On this process's own thread (no second process could be started)."""
        try:
            answer = read(self.path, self.today, self.list_limit)
            if answer is not None:
                self.mark, self.result, self.targets = answer
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


def read(path: Path, today: _dt.date, list_limit: int) -> tuple | None:
    """(mark, figures, targets) of the file at ``path`` on ``today``, read on a read-only
    connection in one transaction; None for a new, empty or older-format file."""
    if not path.is_file() or path.stat().st_size == 0:
        return None                  # a new database: nothing to read, and nothing may be created here
    from models import figures, migrations, stats, targets
    from models.db import Store
    store = Store(path, read_only=True)
    try:
        if store.scalar("PRAGMA user_version") != migrations.LATEST:
            return None              # the window upgrades it first
        store.conn.execute("BEGIN")
        try:
            mark = _state(store)
            basis = figures.Basis(store, today)
            result = stats.dashboard(store, today, list_limit, basis=basis)
            progress = targets.progress(store, today, basis=basis)
        finally:
            store.conn.execute("COMMIT")
        return mark, result, progress
    finally:
        store.conn.close()


def _command(path: Path, today: _dt.date, list_limit: int) -> list[str]:
    args = [str(path), today.isoformat(), str(list_limit)]
    if getattr(sys, "frozen", False):           # the bundle: its program, told to read ahead
        return [sys.executable, READ_AHEAD_ARG, *args]
    return [sys.executable, "-m", "models.warm_start", *args]


def _spawn(path: Path, today: _dt.date, list_limit: int):
    """The read-ahead process, or None when none can be started (the thread does the work)."""
    import subprocess
    kw: dict = {"stdin": subprocess.DEVNULL, "stdout": subprocess.PIPE, "stderr": subprocess.DEVNULL,
                "close_fds": True}
    if sys.platform.startswith("win"):
        kw["creationflags"] = subprocess.CREATE_NO_WINDOW
    try:
        return subprocess.Popen(_command(path, today, list_limit), **kw)
    except OSError:
        return None


def child_main(argv: list[str]) -> int:
    """The read-ahead process: PATH DAY LIMIT → the pickled answer on standard output."""
    import pickle
    if hasattr(os, "nice"):
        os.nice(10)
    try:
        answer = read(Path(argv[0]), _dt.date.fromisoformat(argv[1]), int(argv[2]))
    except Exception:  # noqa: BLE001 - a damaged, locked or unreadable file: the window reads it itself
        return 1
    if answer is None:
        return 1
    try:        # a windowed program (the bundle on Windows) may have no sys.stdout: the pipe's descriptor
        out = sys.stdout.buffer if sys.stdout is not None else os.fdopen(1, "wb", closefd=False)
        out.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
        out.flush()
    except (OSError, ValueError):
        return 1
    return 0


def _state(store) -> tuple:
    """Which file (a restored backup is another file), which schema, and the newest change."""
    info = os.stat(store.path)
    newest = store.scalar("SELECT id FROM audit_log WHERE table_name != 'account' ORDER BY id DESC LIMIT 1",
                          default=0)
    return (info.st_dev, info.st_ino, store.scalar("PRAGMA schema_version"), int(newest))


if __name__ == "__main__":
    raise SystemExit(child_main(sys.argv[1:]))
