"""Whether a file is a whole 清欠工作台 backup: identified, checked and looked at (``check_file``,
``identify``, ``inspect``), and a SQLite or file error said in a few Chinese words (``why``).
Used by the backups (``models.backup``, which re-exports these) and the restore (``models.restore``)."""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from models.paths import sqlite_uri


# tables whose rows are not the user's data: a database with rows only here holds nothing
_NOT_DATA = {"setting", "audit_log", "verdict_option", "calendar_year", "case_status_log", "search_chars_state"}


class BackupError(Exception):
    pass


def _one_line(rows: list[str]) -> str:
    """integrity_check can report thousands of problems (in English): how many, in one line."""
    n = len([r for r in rows if r])
    return f"发现 {n} 处结构错误，文件已损坏" if n > 1 else "发现结构错误，文件已损坏"


_SQLITE_WORDS = (("not a database", "不是数据库文件"), ("malformed", "文件结构已损坏"),
                 ("disk i/o", "读写出错（磁盘或网络盘故障）"), ("full", "磁盘空间不足"),
                 ("unable to open", "无法打开文件"), ("locked", "正被另一个窗口或命令使用"),
                 ("busy", "正被另一个窗口或命令使用"), ("readonly", "文件只读"), ("read-only", "文件只读"),
                 ("no such table", "缺少数据表"), ("corrupt", "文件已损坏"))


def why(exc: BaseException) -> str:
    """A SQLite or file-system error in a few Chinese words (their own text is English)."""
    if isinstance(exc, OSError) and not isinstance(exc, sqlite3.Error):
        from models.paths import os_error_text
        return os_error_text(exc)
    text = str(exc).lower()
    for en, zh in _SQLITE_WORDS:
        if en in text:
            return zh
    return f"SQLite 错误 {getattr(exc, 'sqlite_errorname', '') or type(exc).__name__}"


def _unpacked(path: Path) -> Path:
    """A packed backup rebuilt beside itself (the caller removes it), as BackupError on failure."""
    from models import backup_pages
    target = path.with_name(path.name + ".checking")
    try:
        return backup_pages.unpack(path, target)
    except backup_pages.PackError as exc:
        raise BackupError(str(exc)) from exc
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise BackupError(f"备份文件无法还原：{path}（{why(exc)}）") from exc


def check_file(path: Path, pragma: str = "quick_check") -> None:
    """The file opens as SQLite and passes ``quick_check`` (or ``integrity_check``); a packed
    backup is rebuilt first and its rebuilt database checked."""
    from models import backup_pages
    if backup_pages.is_packed(path):
        plain = _unpacked(path)
        try:
            identify(plain)
            return check_file(plain, pragma)
        finally:
            plain.unlink(missing_ok=True)
    try:
        conn = sqlite3.connect(sqlite_uri(path), uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise BackupError(f"备份文件无法打开：{path}（{why(exc)}）") from exc
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份文件已损坏：{path}（{why(exc)}）") from exc
    finally:
        conn.close()
    if rows != ["ok"]:
        raise BackupError(f"备份文件检查未通过：{path}（{_one_line(rows)}）")


def identify(path: Path) -> None:
    """Raise BackupError unless ``path`` is a 清欠工作台 database of a known version."""
    from models.db import StoreError, refuse_foreign_file, refuse_foreign_schema
    try:
        refuse_foreign_file(path)
        conn = sqlite3.connect(sqlite_uri(path), uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise BackupError(f"备份文件无法打开：{path}（{why(exc)}）") from exc
    except StoreError as exc:
        raise BackupError(str(exc)) from exc
    try:
        refuse_foreign_schema(conn, path)
    except StoreError as exc:
        raise BackupError(str(exc)) from exc
    finally:
        conn.close()


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    usable: bool          # a 清欠工作台 database that opens and looks whole
    holds_data: bool      # with at least one record of the user's own
    problem: str = ""


def inspect(path: str | os.PathLike) -> BackupInfo:
    """A cheap look at a backup (no full check: run at every rotation, over every file):
    is it a 清欠工作台 database, is it whole as far as its header says, does it hold data."""
    path = Path(path)
    from models import backup_pages
    if backup_pages.is_packed(path):
        try:
            h = backup_pages.read_header(path)
            if h.kind == "delta" and not path.with_name(h.base or "").is_file():
                return BackupInfo(path, False, h.holds_data, f"备份文件所依据的完整备份已不存在：{path}")
            if path.stat().st_size < h.body_at:
                return BackupInfo(path, False, False, f"备份文件不完整：{path}")
        except (backup_pages.PackError, OSError) as exc:      # OSError: removed meanwhile (another rotation)
            return BackupInfo(path, False, False, str(exc))
        return BackupInfo(path, True, h.holds_data)
    try:
        identify(path)
        conn = sqlite3.connect(sqlite_uri(path), uri=True, timeout=30)
    except (BackupError, sqlite3.Error) as exc:
        return BackupInfo(path, False, False, str(exc))
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        if path.stat().st_size < pages * page_size:
            return BackupInfo(path, False, False, f"备份文件不完整：{path}")
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%fts%' AND name NOT LIKE '%chars%'")]          # search indexes
        for t in tables:
            if t in _NOT_DATA:
                continue
            if conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() is not None:
                return BackupInfo(path, True, True)
        return BackupInfo(path, True, False)
    except (sqlite3.Error, OSError) as exc:
        return BackupInfo(path, False, False, f"备份文件已损坏：{path}（{why(exc)}）")
    finally:
        conn.close()
