"""Where the program keeps its data on each kind of PC."""
from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "Qingqian"


def data_dir() -> Path:
    """%LOCALAPPDATA%\\Qingqian on Windows, ~/.local/share/qingqian elsewhere
    (QINGQIAN_HOME overrides both, for portable installs and tests)."""
    override = os.environ.get("QINGQIAN_HOME")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP_DIR_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_DIR_NAME
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "qingqian"


def default_db_path() -> Path:
    return data_dir() / "清欠工作台.sqlite"


def settings_path() -> Path:
    return data_dir() / "settings.json"


def sqlite_uri(path: str | os.PathLike, mode: str = "ro") -> str:
    """A ``file:`` URI for sqlite3.connect(..., uri=True) that names exactly this file.

    ``Path.as_uri()`` leaves ``?`` and ``#`` as they are, and an f-string leaves ``%`` too:
    SQLite then reads part of the name as the query or a %-escape and opens another file (or
    none). Every character but the path separators is percent-encoded here."""
    from urllib.parse import quote
    p = Path(os.path.abspath(os.fspath(path)))
    text = p.as_posix()
    if sys.platform == "win32":
        # C:/... -> file:/C:/... (the drive's colon stays); \\server\share -> file:////server/share
        quoted = quote(text if text.startswith("/") else "/" + text, safe="/:")
    else:
        quoted = quote(text, safe="/")
    uri = f"file://{quoted}" if quoted.startswith("//") else f"file:{quoted}"
    return f"{uri}?mode={mode}" if mode else uri


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name one file (through links, case-insensitive file systems and
    relative names alike); False when either is missing and the names differ."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def database_files(db_path: str | os.PathLike) -> list[Path]:
    """The database and the files SQLite and the program keep beside it."""
    p = Path(db_path)
    return [p] + [p.with_name(p.name + s) for s in ("-wal", "-shm", "-journal", ".lock")]


def out_problem(out: str | os.PathLike, db_path: str | os.PathLike | None, force: bool,
                companions: tuple[str | os.PathLike, ...] = ()) -> str | None:
    """Why an output file may not be written (one Chinese line), or None.

    An output never replaces the database or the files beside it; an existing file is
    replaced only with ``--force``. ``companions``: other files the same command writes."""
    for target in (out, *companions):
        if db_path is not None:
            for f in database_files(db_path):
                if same_file(target, f):
                    return f"输出文件不能是数据库本身或其附属文件：{target}"
        if Path(target).is_dir():
            return f"输出文件的位置是一个文件夹：{target}"
        parent = Path(target).parent
        if not parent.is_dir():         # a typo in the folder: said, not made (only the file named is written)
            return (f"保存位置的文件夹不存在：{parent}（请先建好该文件夹或换一个位置；程序只写指定的文件，"
                    "不会自行新建文件夹）")
        if Path(target).exists() and not force:
            return f"文件已存在：{target}（要替换它，请加 --force）"
    return None


def os_error_text(exc: OSError) -> str:
    """Why a file could not be read or written, in Chinese (``strerror`` is English)."""
    import errno
    reasons = {errno.ENOENT: "找不到文件或文件夹", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
               errno.ENOSPC: "磁盘空间不足", errno.EISDIR: "这是一个文件夹", errno.EROFS: "磁盘只读",
               errno.ENOTDIR: "路径中有一段不是文件夹", errno.EEXIST: "文件已存在",
               errno.ENAMETOOLONG: "文件名太长", errno.EBUSY: "文件正被占用", errno.EIO: "读写出错（磁盘或网络盘故障）",
               errno.EXDEV: "不能跨磁盘移动"}
    if getattr(exc, "winerror", None) == 32:
        return "文件正被另一个程序打开"
    return reasons.get(exc.errno, f"系统错误 {exc.errno}")


def read_only_place(path: Path) -> str:
    """Why a database file at ``path`` cannot be written where it lies ("" when it can): the
    file is read-only, or its folder is (a write-protected USB stick, a CD); SQLite needs to
    write beside the file even to read it in WAL mode."""
    try:
        if path.exists() and not os.access(path, os.W_OK):
            return "文件是只读的"
        if not os.access(path.parent, os.W_OK):
            return "文件所在的文件夹或磁盘是只读的（如写保护的U盘、光盘）"
    except OSError:
        return ""
    return ""


def read_only_message(path: Path, why: str) -> str:
    return (f"数据库文件不能写入：{path}（{why}）。请把它复制到电脑上可写的文件夹后再打开；"
            "文件本身并未损坏")
