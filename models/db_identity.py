"""Whether a file is a 清欠工作台 database at all, before anything is written to it: not an empty
file, a workbook or a text under the database's name (``refuse_foreign_file``), nor another
program's SQLite file or one from a newer version of this program (``refuse_foreign_schema``).
``models.db`` asks both when it opens a file, and names them for the other places that do."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from models import migrations
from models.errors import DamagedDatabase, NewerDatabase, NotOurDatabase, StoreError, chinese_reason

# tables every version of the program's database has (migration 1)
OWN_TABLES = ("setting", "audit_log", "campaign", "workstream", "case_record", "worker", "repayment")


def refuse_foreign_file(path: Path) -> None:
    """Raise ``NotOurDatabase`` for an existing file that cannot be a SQLite database at
    all: 0 bytes (with nothing in a write-ahead log beside it), or another kind of file."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            header = fh.read(16)
    except IsADirectoryError:
        raise NotOurDatabase(f"数据库路径是一个文件夹，不是清欠工作台数据库：{path}") from None
    except OSError as exc:
        raise StoreError(f"无法读取数据库文件：{path}（{exc.strerror or exc}）") from exc
    if size == 0:
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            return                      # a database whose pages are all still in its log
        raise NotOurDatabase(f"数据库文件是空的（0 字节），不是清欠工作台数据库：{path}。"
                             "可能在复制或保存时出了错；请从备份恢复，不要当作新数据库使用")
    if header != b"SQLite format 3\x00":
        what = _file_kind(header)
        if what:
            raise NotOurDatabase(f"不是数据库文件（这是{what}），不是清欠工作台数据库：{path}"
                                 "（若原是本程序的数据库，则已损坏，请从备份恢复）")
        raise NotOurDatabase(f"不是数据库文件，不是清欠工作台数据库：{path}（文件头不是 SQLite 数据库；"
                             "若原是本程序的数据库则已损坏，请从备份恢复）")


def _file_kind(header: bytes) -> str:
    """What a file's first bytes say it is, in a few words ("" when they say nothing known)."""
    if header.startswith(b"PK\x03\x04"):
        return "压缩包或 Excel / Word 文件（xlsx、docx、zip）"
    if header.startswith(b"\xd0\xcf\x11\xe0"):
        return "旧版 Excel 或 Word 文件（xls、doc）"
    if header.startswith(b"%PDF"):
        return "PDF 文件"
    try:
        text = header.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = header.decode("gbk")
        except UnicodeDecodeError:
            return ""
    return "文本文件" if text and all(ch.isprintable() or ch in "\r\n\t" for ch in text) else ""


def refuse_foreign_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Raise ``NotOurDatabase`` for a SQLite file of another program (or an empty one),
    ``NewerDatabase`` for one from a newer version of this program. Reads only."""
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise DamagedDatabase(f"数据库文件已损坏：{path}（{chinese_reason(exc)}）") from exc
    except UnicodeDecodeError as exc:       # damaged bytes where the tables' names are kept
        raise DamagedDatabase(f"数据库文件已损坏：{path}（表结构中有无法读取的文字）") from exc
    missing = [t for t in OWN_TABLES if t not in tables]
    if version == 0 and not tables:
        raise NotOurDatabase(f"这是一个空的 SQLite 文件，不是清欠工作台数据库：{path}。"
                             "如要在此新建数据库，请先把该文件改名或删除")
    if version == 0 or (missing and version <= migrations.LATEST):
        raise NotOurDatabase(f"这是其他程序的 SQLite 数据库，不是清欠工作台数据库：{path}"
                             f"（缺少本程序的数据表 {'、'.join(missing[:3])}{'等' if len(missing) > 3 else ''}）"
                             if missing else f"这是其他程序的 SQLite 数据库，不是清欠工作台数据库：{path}")
    if version > migrations.LATEST:
        raise NewerDatabase(
            f"此数据库由更新版本的清欠工作台创建（数据结构第 {version} 版，本程序只认识到第 {migrations.LATEST} 版），"
            f"为免损坏数据，本程序不打开它：{path}。请安装新版本后再打开。")
