"""What the after-edit and backup benchmarks share: a working copy of the county database (the
shared one is never edited), the program run as a user runs it (a fresh process of
``qingqian``), and a real edit through that program (``qingqian case pay``).

Not a benchmark itself (no ``bench_`` prefix): ``python -m bench`` does not run it."""
from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EDITOR = "基准测试"          # the name the edits are recorded under (the county demo has no accounts)


def qingqian() -> list[str]:
    """The program's command as ``make run`` installs it, else the module."""
    exe = Path(sys.executable).with_name("qingqian.exe" if sys.platform == "win32" else "qingqian")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "desktop"]


_home: list[Path] = []       # the program's own folder for this run's processes (set by work_copy)


def env() -> dict:
    """As on an office PC: compiled modules written and reused, Qt off-screen, and one home
    folder kept from run to run (matplotlib's font cache is built there once, as on a PC,
    not again in every process)."""
    out = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    home = _home[-1] if _home else Path(tempfile.mkdtemp(prefix="qq-bench-home-"))
    out.update(QT_QPA_PLATFORM="offscreen", QINGQIAN_HOME=str(home))
    return out


def work_copy(src: Path, folder_name: str) -> tuple[Path, float]:
    """A fresh copy of ``src`` in ``bench/.qq-county-<folder_name>/`` (git ignores these), made
    with SQLite's backup API so that a write-ahead log's pages are in it. Returns (path, seconds)."""
    folder = HERE / f".qq-county-{folder_name}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "home").mkdir()
    _home[:] = [folder / "home"]
    dst = folder / src.name
    t0 = time.perf_counter()
    plain_copy(src, dst)
    return dst, time.perf_counter() - t0


def plain_copy(src: Path, dst: Path) -> None:
    """SQLite's online backup API, the whole file in one step: the naive backup."""
    a = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    b = sqlite3.connect(str(dst))
    try:
        a.backup(b)
    finally:
        b.close()
        a.close()


def drop(folder_name: str) -> None:
    _home.clear()
    shutil.rmtree(HERE / f".qq-county-{folder_name}", ignore_errors=True)


def timed(cmd: list[str], env_: dict | None = None, timeout: float = 900) -> tuple[float, float, str]:
    """Run ``cmd`` to its exit: (wall seconds from spawn to exit, CPU seconds of the child, stdout).
    Raises with the child's standard error when it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env_ or env(), timeout=timeout)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if res.returncode not in (0, 1):        # `check` exits 1 when it finds something: still a run
        raise RuntimeError(f"{' '.join(cmd[-6:])} exited {res.returncode}: {res.stderr.strip()[-500:]}")
    return wall, cpu, res.stdout


def payees(db: Path, n: int) -> list[tuple[str, str]]:
    """``n`` (问题编号, 姓名) of workers still owed at least 100 元, each in an open case of its
    own and the only one of that name in it (``case pay --worker`` finds them by name)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT c.case_no, w.name FROM worker w JOIN case_record c ON c.id = w.case_id "
            "WHERE c.deleted_at IS NULL AND w.deleted_at IS NULL AND c.status = '化解中' "
            "AND w.owed_fen - w.paid_fen >= 10000 AND NOT EXISTS (SELECT 1 FROM worker x WHERE "
            "x.case_id = w.case_id AND x.name = w.name AND x.id != w.id AND x.deleted_at IS NULL) "
            "GROUP BY c.id ORDER BY c.id DESC LIMIT ?", (n,)).fetchall()
    finally:
        conn.close()
    if len(rows) < n:
        raise RuntimeError(f"only {len(rows)} workers to pay in {db}")
    return [(r[0], r[1]) for r in rows]


def pay(db: Path, payee: tuple[str, str]) -> float:
    """One edit through the program: 登记兑付 of 1 元 to a worker (a repayment row, the worker's
    paid amount and the case's totals, each with its audit row). Returns its wall seconds."""
    case_no, name = payee
    wall, _cpu, _out = timed(qingqian() + ["case", "pay", case_no, "--amount", "1", "--worker", name,
                                           "--db", str(db), "--user", EDITOR, "--json"])
    return wall
