"""The database's lock file (``<database>.lock``): one writer at a time.

The window takes it with Qt's ``QLockFile``; the commands that write, and a restore, take
the same file here without Qt, in the same format (process id, program name, computer name
on three lines) and with the same operating-system lock on it (``flock`` on Linux), so the
window refuses while a command holds the database and a command refuses while a window
does. A lock left by a process that has gone (a crash, a killed window) is stale and is
removed, as the window removes it.
"""
from __future__ import annotations

import errno
import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BUSY = "数据库正被另一个窗口或命令使用"
# how long a command waits for another to finish before it says so (as SQLite's busy timeout)
WAIT_SECONDS = 10.0
# a lock file with nothing in it is being written, or was left by a crash while it was
EMPTY_STALE_AFTER = 10.0

try:                                   # POSIX
    import fcntl
except ImportError:                    # Windows
    fcntl = None


class DatabaseBusy(Exception):
    """The database is held by a window or another command (message in Chinese)."""


@dataclass(frozen=True)
class Holder:
    pid: int
    program: str
    host: str

    def describe(self) -> str:
        where = "" if self.host in ("", _host()) else f"，计算机 {self.host}"
        return f"进程 {self.pid}{where}"


def lock_path(db_path: str | os.PathLike) -> Path:
    return Path(str(db_path) + ".lock")


def _host() -> str:
    try:
        return socket.gethostname()
    except OSError:
        return ""


def _program_name(pid: int | None = None) -> str:
    """The running program's file name, as Qt writes it (Linux: the name behind /proc/PID/exe)."""
    try:
        return os.path.basename(os.readlink(f"/proc/{pid or 'self'}/exe"))
    except OSError:
        return "" if pid else os.path.basename(sys.executable)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        import ctypes
        kernel = ctypes.windll.kernel32
        handle = kernel.OpenProcess(0x1000, False, pid)       # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        try:
            kernel.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259                           # STILL_ACTIVE
        finally:
            kernel.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read(path: Path) -> Holder | None:
    try:
        lines = path.read_bytes().decode("utf-8", "replace").split("\n")
    except OSError:
        return None
    try:
        pid = int(lines[0].strip())
    except (ValueError, IndexError):
        return None
    program = lines[1].strip() if len(lines) > 1 else ""
    host = lines[2].strip() if len(lines) > 2 else ""
    return Holder(pid, program, host)


def _os_locked(path: Path) -> bool | None:
    """Whether another open handle holds the operating-system lock on the file
    (None where that cannot be told)."""
    if fcntl is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def holder(db_path: str | os.PathLike) -> Holder | None:
    """Who holds the database now (a window or a command), or None when nobody does.
    A stale lock (its process gone) counts as nobody."""
    path = lock_path(db_path)
    if not path.exists():
        return None
    info = _read(path)
    if _os_locked(path):
        return info or Holder(0, "", "")
    if info is None:
        try:
            age = time.time() - path.stat().st_mtime
        except OSError:
            return None
        return None if age > EMPTY_STALE_AFTER else Holder(0, "", "")
    if info.host and info.host != _host():
        return info                     # another computer's process cannot be checked: believe it
    if not _pid_alive(info.pid):
        return None
    if info.pid != os.getpid() and info.program:
        running = _program_name(info.pid)
        if running and running != info.program:     # the number now belongs to another program
            return None
    return info


def is_held(db_path: str | os.PathLike) -> bool:
    return holder(db_path) is not None


def busy_message(db_path: str | os.PathLike) -> str:
    return f"{BUSY}：{Path(db_path)}。请先关闭打开它的窗口或等命令结束后再试。"


class DatabaseLock:
    """The lock taken by a command: ``with DatabaseLock(path):`` or ``acquire()`` / ``release()``."""

    def __init__(self, db_path: str | os.PathLike) -> None:
        self.db_path = Path(db_path)
        self.path = lock_path(db_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, wait: float = 0.0) -> "DatabaseLock":
        """Take the lock, waiting up to ``wait`` seconds for its holder to let go; raises
        ``DatabaseBusy`` (one Chinese line) when it does not."""
        if self._fd is not None:
            return self
        deadline = time.monotonic() + wait
        tries = 0
        while tries < 3:
            tries += 1
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                if holder(self.db_path) is not None:
                    if time.monotonic() >= deadline:
                        raise DatabaseBusy(busy_message(self.db_path)) from None
                    time.sleep(0.2)
                    tries -= 1
                    continue
                self._remove_stale()
                continue
            except OSError as exc:
                from models.errors import chinese_reason
                if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                    raise DatabaseBusy(f"数据库文件所在的文件夹不能写入：{self.path.parent}（{chinese_reason(exc)}）。"
                                       "请把数据库复制到电脑上可写的文件夹后再打开") from exc
                raise DatabaseBusy(f"无法建立数据库锁文件：{self.path}（{chinese_reason(exc)}）") from exc
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.write(fd, f"{os.getpid()}\n{_program_name()}\n{_host()}\n".encode("utf-8"))
                os.fsync(fd)
            except OSError:
                os.close(fd)
                try:
                    os.unlink(self.path)
                except OSError:
                    pass
                raise DatabaseBusy(busy_message(self.db_path)) from None
            self._fd = fd
            return self
        raise DatabaseBusy(busy_message(self.db_path))

    def _remove_stale(self) -> None:
        """Remove a stale lock file, only while holding its operating-system lock (as Qt does),
        so two processes clearing the same stale lock cannot remove a fresh one."""
        try:
            fd = os.open(self.path, os.O_WRONLY)
        except OSError:
            return
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    return
            os.unlink(self.path)
        except OSError:
            pass
        finally:
            os.close(fd)

    def release(self) -> None:
        if self._fd is None:
            return
        try:                    # closed first: Windows removes no file that is still open
            os.close(self._fd)
        except OSError:
            pass
        self._fd = None
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def __enter__(self) -> "DatabaseLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def __del__(self) -> None:              # a lock never outlives its holder object
        try:
            self.release()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass
