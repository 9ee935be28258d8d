"""The errors the storage layer tells a user about, in Chinese: here, where both the store and
its migrations can raise them without importing each other (models.db re-exports them)."""
from __future__ import annotations


class StoreError(Exception):
    """A problem the user must be told about, in Chinese."""


class DamagedDatabase(StoreError):
    pass


class ReadOnlyDatabase(StoreError):
    """A sound database where it cannot be written (a read-only file, a write-protected USB
    stick): said so, never taken for a damaged one (no restore is offered)."""


class NewerDatabase(StoreError):
    pass


class DatabaseLocked(StoreError):
    pass


class NotOurDatabase(DamagedDatabase):
    """A file at the database's path that is not a 清欠工作台 database (empty, another
    program's SQLite file, text): never taken for a new database, never changed."""


class PermissionDenied(StoreError):
    """A change the acting account may not make (role, workstream, or a signed ledger)."""


# SQLite's and the system's words, as the office reads them
_REASONS = (("database disk image is malformed", "文件内容已损坏"), ("file is not a database", "不是数据库文件"),
            ("file is encrypted", "不是数据库文件"), ("unable to open database file", "无法打开该文件"),
            ("attempt to write a readonly database", "文件只读，不能写入"), ("disk i/o error", "磁盘读写出错"),
            ("database or disk is full", "磁盘已满"), ("no such file or directory", "文件或文件夹不存在"),
            ("permission denied", "没有访问权限"), ("read-only file system", "所在磁盘只读"),
            ("no space left on device", "磁盘已满"), ("database is locked", "正被其他程序使用"))


def chinese_reason(exc) -> str:
    """An error's reason in Chinese when it is one an office meets (a damaged file, a full or
    read-only disk, a missing folder); else its own words on one line."""
    text = " ".join(str(getattr(exc, "strerror", None) or exc).split())
    low = text.lower()
    return next((cn for en, cn in _REASONS if en in low), text)
