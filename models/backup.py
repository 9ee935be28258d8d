"""Backups with SQLite's online backup API, checked before they are trusted.

Automatic backups live in a folder beside the database (``<name>.backups/``),
one per day plus one at every close, keeping the newest ``KEEP``.
"""
from __future__ import annotations

import datetime as _dt
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Callable

KEEP = 14


class BackupError(Exception):
    pass


def backup_dir(db_path: str | os.PathLike) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".backups")


def _check(path: Path) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份文件已损坏：{path}（{exc}）") from exc
    finally:
        conn.close()
    if result != "ok":
        raise BackupError(f"备份文件检查未通过：{path}（{result}）")


def backup_to(conn: sqlite3.Connection, target: str | os.PathLike,
              progress: Callable[[int, int], None] | None = None) -> Path:
    """Copy a live database to ``target`` (written beside it first, then renamed, so a
    full disk or a crash never leaves a half file under the real name)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    if tmp.exists():
        tmp.unlink()
    try:
        dest = sqlite3.connect(str(tmp))
        try:
            conn.backup(dest, pages=256,
                        progress=(lambda status, remaining, total: progress(total - remaining, total))
                        if progress else None)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        _check(tmp)
        os.replace(tmp, target)
    except (OSError, sqlite3.Error, BackupError) as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        if isinstance(exc, OSError) and exc.errno == 28 or "full" in str(exc).lower():
            raise BackupError(f"磁盘空间不足，备份未完成：{target}。原有文件未受影响。") from exc
        raise BackupError(f"备份失败：{target}（{exc}）。原有文件未受影响。") from exc
    return target


def full_check(db_path: str | os.PathLike) -> str:
    """``PRAGMA quick_check`` on a connection of its own: 'ok' or what is wrong."""
    conn = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True, timeout=30)
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
        return "; ".join(r[0] for r in rows)[:300]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        conn.close()


def list_backups(db_path: str | os.PathLike) -> list[Path]:
    """Automatic backups, newest first."""
    d = backup_dir(db_path)
    if not d.exists():
        return []
    return sorted((p for p in d.glob("*.sqlite") if p.is_file()), key=lambda p: p.name, reverse=True)


def latest_good(db_path: str | os.PathLike) -> Path | None:
    for p in list_backups(db_path):
        try:
            _check(p)
            return p
        except BackupError:
            continue
    return None


def auto_backup(conn: sqlite3.Connection, db_path: str | os.PathLike, reason: str = "close",
                keep: int = KEEP) -> Path | None:
    """A backup named by time; 'daily' is skipped when today's exists already."""
    d = backup_dir(db_path)
    today = _dt.date.today().strftime("%Y%m%d")
    if reason == "daily" and any(p.name.startswith(today) for p in list_backups(db_path)):
        return None
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = backup_to(conn, d / f"{stamp}-{reason}.sqlite")
    for old in list_backups(db_path)[keep:]:
        try:
            old.unlink()
        except OSError:
            pass
    return path


def backup_file(db_path: str | os.PathLike, target: str | os.PathLike,
                progress: Callable[[int, int], None] | None = None) -> Path:
    """``backup_to`` on a connection of its own (for a worker thread)."""
    conn = sqlite3.connect(str(db_path), timeout=30)
    try:
        return backup_to(conn, target, progress)
    finally:
        conn.close()


def auto_backup_path(db_path: str | os.PathLike, reason: str = "daily", keep: int = KEEP) -> Path | None:
    """The same, on a connection of its own (for a worker thread)."""
    conn = sqlite3.connect(str(db_path), timeout=30)
    try:
        return auto_backup(conn, db_path, reason, keep)
    finally:
        conn.close()


def restore(backup_file: str | os.PathLike, db_path: str | os.PathLike) -> Path | None:
    """Put a checked backup in place of the database. The file it replaces is kept
    beside it (``.before-restore-<time>``), never overwritten silently. Returns that path."""
    src = Path(backup_file)
    if not src.exists():
        raise BackupError(f"找不到备份文件：{src}")
    _check(src)
    db = Path(db_path)
    kept = None
    if db.exists():
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = db.with_name(f"{db.name}.before-restore-{stamp}")
        shutil.copy2(db, kept)
        for suffix in ("-wal", "-shm"):
            side = db.with_name(db.name + suffix)
            if side.exists():
                shutil.copy2(side, kept.with_name(kept.name + suffix))
                side.unlink()
    tmp = db.with_name(db.name + ".restoring")
    shutil.copy2(src, tmp)
    os.replace(tmp, db)
    return kept
