"""A backup written over a file that is already there (``backup --to`` the same USB file every
week): the logs SQLite left beside the old file must not be applied to the new one, a file in use
is never replaced, and the result is checked as it will be opened. Used by
``models.backup.backup_to`` for every backup, manual and automatic."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from models.backup_check import BackupError, check_file
from models.paths import sqlite_uri


# what SQLite keeps beside a database: a log left there is applied to whatever file has that name next
_SIDES = ("-wal", "-shm", "-journal")


def sides(p: Path) -> list[Path]:
    return [p.with_name(p.name + s) for s in _SIDES]


IN_USE = "这个文件正被另一个窗口、命令或程序使用，不能替换它：请先关闭打开它的窗口或程序，或备份到另一个文件"


def refuse_if_held(target: Path) -> None:
    """A file a window or a command of this program holds (its lock file) is never replaced."""
    from models import lockfile
    if target.exists() and lockfile.holder(target) is not None:
        raise BackupError(f"备份失败：{target}（{IN_USE}）。原有文件未受影响。")


def clear_leftovers(target: Path) -> None:
    """Just before the copy is renamed to ``target``: the log files SQLite left beside the file it
    replaces (``-wal``, ``-shm``, ``-journal``: a process killed before its checkpoint leaves them)
    are removed, so that they cannot be applied to the copy (a stale write-ahead log of another
    database applied over it: "database disk image is malformed"). Refused (BackupError, nothing
    removed) while the file is in use: held by a window or a command of this program (its lock
    file), or open in another program. The latter is told by SQLite's own locks: leaving WAL mode
    (``journal_mode = DELETE``, which folds the old log into the old file) needs every other
    connection gone, and an exclusive lock then needs no reader left."""
    refuse_if_held(target)
    present = [f for f in sides(target) if f.exists()]
    if not present:
        return
    if target.is_file():
        try:
            old = sqlite3.connect(sqlite_uri(target, "rw"), uri=True, timeout=2, isolation_level=None)
        except sqlite3.Error:
            old = None                  # cannot be opened: nobody has it open as a database either
        if old is not None:
            try:
                old.execute("PRAGMA journal_mode = DELETE").fetchall()
                old.execute("BEGIN EXCLUSIVE")
                old.execute("ROLLBACK")
            except sqlite3.OperationalError as exc:
                text = str(exc).lower()
                if "locked" in text or "busy" in text:
                    raise BackupError(IN_USE) from exc
            except sqlite3.DatabaseError:
                pass                    # damaged or not a database: its logs are no one's
            finally:
                old.close()
    for f in sides(target):
        f.unlink(missing_ok=True)


def check_final(target: Path) -> None:
    """The backup checked under its own name, as it will be opened (with whatever lies beside it
    by then). One that fails is removed with its side files and the failure raised. With nothing
    beside it, it is the very file checked before the rename: not read a second time (a county
    database's check takes seconds)."""
    if not any(f.exists() for f in sides(target)):
        return
    try:
        check_file(target)
    except BackupError as exc:
        for f in (target, *sides(target)):
            try:
                f.unlink()
            except OSError:
                pass
        raise BackupError(f"备份失败：{target} 写好后以其文件名打开，检查未通过（{exc}），"
                          "这份备份已删除，请重新备份。") from exc
