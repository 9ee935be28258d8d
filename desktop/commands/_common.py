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


def open_store(args, *, must_exist: bool = True, write: bool = False):
    """The store, or (None, exit code) with the message already printed.

    Once accounts exist, a command that writes must name its acting account
    (``--user``); the account's role then limits what it may change."""
    from pathlib import Path
    from models import access
    from models.db import Store, StoreError
    path = Path(args.db)
    if must_exist and not path.exists():
        return None, fail(f"找不到数据库文件：{path}")
    try:
        store = Store(path, getattr(args, "user", None))
    except StoreError as exc:
        return None, fail(str(exc))
    user = getattr(args, "user", None)
    if access.has_accounts(store.conn):
        if user:
            actor = access.find_actor(store.conn, user)
            if actor is None:
                store.close()
                return None, fail(f"没有名为“{user}”的有效账号")
            store.actor = actor
        elif write:
            store.close()
            return None, fail("本数据库已启用账号：写入数据的命令须用 --user 指定操作人")
    return store, 0
