"""Pieces every subcommand shares: --db / --user, opening the store, Chinese errors."""
from __future__ import annotations

import argparse
import sys


def add_db(p: argparse.ArgumentParser, required: bool = True) -> None:
    # SUPPRESS keeps a --db given before the subcommand name
    p.add_argument("--db", default=argparse.SUPPRESS, required=required, help="数据库文件")
    p.add_argument("--user", default=argparse.SUPPRESS, help="操作人（写入审计日志）")


def fail(message: str, code: int = 2) -> int:
    sys.stderr.write(message.rstrip() + "\n")
    return code


def open_store(args, *, must_exist: bool = True):
    """The store, or (None, exit code) with the message already printed."""
    from pathlib import Path
    from models.db import Store, StoreError
    path = Path(args.db)
    if must_exist and not path.exists():
        return None, fail(f"找不到数据库文件：{path}")
    try:
        return Store(path, getattr(args, "user", None)), 0
    except StoreError as exc:
        return None, fail(str(exc))
