"""Backups of the county database (a working copy of ``bench/county.sqlite``, 100,000 cases and
1,000,000 workers) as the window takes them when it closes (``desktop.app.close_store``): a
database this large is handed to a process of its own (``models.backup``), which snapshots it,
checks the snapshot and packs it (``models.backup_pages``: a zstd base, then page deltas).

ROUNDS closes, each after a real edit through the program (``qingqian case pay`` in a process of
its own), so rotation (``backup.KEEP`` = 14 kept) has removed some by the end.

- backup_county_s: the background backup, spawn to exit, median of the ROUNDS. Baseline: a plain
  copy of the same file with SQLite's backup API.
- close_wait_county_s: what the window's close waits for (``close_store``: starting that process,
  closing the connection), median. Baseline: the backup made in the window's own process.
- backups_county_disk_ratio: the bytes the backup folder holds after the ROUNDS (the 14 kept
  and the bases they rest on) over the database's size. Baseline: 14 plain copies, 14.
"""
from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import _county_copy as cc
from bench.county import county_db

FOLDER = "backup"


class _Watched(subprocess.Popen):
    """``subprocess.Popen`` that remembers what it started (to wait for the background backup)."""
    started: list["_Watched"] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _Watched.started.append(self)


def _close_once(db: Path) -> tuple[float, float, float]:
    """Open the store as the window does, close it as the window does: (close wait, background
    backup's wall seconds from its spawn to its exit, its CPU seconds)."""
    from desktop.app import close_store
    from models.db import Store
    store = Store(db, cc.EDITOR, check="light")
    _Watched.started.clear()
    real, subprocess.Popen = subprocess.Popen, _Watched
    try:
        t0 = time.perf_counter()
        close_store(store)
        wait = time.perf_counter() - t0
    finally:
        subprocess.Popen = real
    if len(_Watched.started) != 1:
        raise RuntimeError(f"the close started {len(_Watched.started)} processes, expected one backup")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    code = _Watched.started[0].wait(timeout=900)
    done = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != 0:
        raise RuntimeError(f"the background backup exited {code}")
    return wait, done, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _in_window(db: Path) -> float:
    """The backup made in the caller's process, as a database under ``backup_pages.LARGE`` is."""
    from models import backup
    from models.db import Store
    store = Store(db, cc.EDITOR, check="light")
    try:
        t0 = time.perf_counter()
        backup.auto_backup(store.conn, store.path, "close")
        return time.perf_counter() - t0
    finally:
        store.close()


def _folder_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.iterdir() if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def measure(rounds: int) -> dict:
    from models import backup, backup_pages
    db, _copy_s = cc.work_copy(county_db(), FOLDER)
    m: dict = {"waits": [], "walls": [], "cpus": [], "kinds": [], "plain": []}
    try:
        from models.db import Store
        Store(db, cc.EDITOR, check="light").close()      # any upgrade made now, its own backup set aside
        folder = backup.backup_dir(db)
        shutil.rmtree(folder, ignore_errors=True)
        for _ in range(2):
            target = db.with_name("plain-copy.sqlite")
            t0 = time.perf_counter()
            cc.plain_copy(db, target)
            m["plain"].append(time.perf_counter() - t0)
            target.unlink()
        who = iter(cc.payees(db, rounds + 1))
        for _ in range(rounds):
            cc.pay(db, next(who))
            wait, wall, cpu = _close_once(db)
            newest = backup.list_backups(db)[0]
            m["kinds"].append(backup_pages.read_header(newest).kind if backup_pages.is_packed(newest) else "plain")
            m["waits"].append(wait)
            m["walls"].append(wall)
            m["cpus"].append(cpu)
        m["db_bytes"] = db.stat().st_size
        m["folder_bytes"], m["files"] = _folder_bytes(folder)
        cc.pay(db, next(who))
        m["in_window"] = _in_window(db)
    finally:
        cc.drop(FOLDER)
    return m


def run(figures: list, rounds: int | None = None) -> None:
    from models import backup
    rounds = rounds or backup.KEEP + 2
    m = measure(rounds)
    by_kind: dict[str, list[float]] = {}
    for k, w in zip(m["kinds"], m["walls"]):
        by_kind.setdefault(k, []).append(w)
    kinds = ", ".join(f"{len(v)} {k}s median {statistics.median(v):.1f} s" for k, v in by_kind.items())
    plain = min(m["plain"])
    ratio = m["folder_bytes"] / m["db_bytes"]
    gb = 1024 ** 3
    kept = (f"{backup.KEEP} kept and the base the oldest kept delta rests on" if m["files"] > backup.KEEP
            else "all kept")
    figures.append({
        "name": "backup_county_s", "value": round(statistics.median(m["walls"]), 2), "unit": "s", "budget": 30,
        "baseline": (f"plain copy with SQLite's backup API {plain:.2f} s (no check, not packed, "
                     f"{m['db_bytes'] / gb:.2f} GB a copy); ours in a process of its own, spawn to exit: {kinds}; "
                     f"CPU median {statistics.median(m['cpus']):.1f} s; {rounds} closes, each after an edit")})
    figures.append({
        "name": "close_wait_county_s", "value": round(statistics.median(m["waits"]), 3), "unit": "s", "budget": 1,
        "baseline": (f"the backup made in the window's own process (as for a small database) "
                     f"{m['in_window']:.1f} s; ours slowest of {rounds}: {max(m['waits']):.3f} s")})
    figures.append({
        "name": "backups_county_disk_ratio", "value": round(ratio, 2), "unit": "x", "budget": 3,
        "baseline": (f"14 plain copies 14.0 ({14 * m['db_bytes'] / gb:.1f} GB); ours after {rounds} closes "
                     f"{m['files']} files ({kept}, "
                     f"{m['kinds'].count('base')} bases written in all), {m['folder_bytes'] / gb:.2f} GB for a "
                     f"{m['db_bytes'] / gb:.2f} GB database")})


if __name__ == "__main__":
    out: list = []
    run(out, int(sys.argv[1]) if len(sys.argv) > 1 else None)
    for f in out:
        print(f)
