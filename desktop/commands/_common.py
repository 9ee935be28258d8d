"""Pieces every subcommand shares: --db / --user, opening the store, Chinese errors,
and who is acting (``authenticated_actor``)."""
from __future__ import annotations

import argparse
import os
import sys

PASSWORD_ENV = "QINGQIAN_PASSWORD"        # the acting account's password, for scripts


class Refused(Exception):
    """The acting account could not be established or may not do this; the message is one
    Chinese line for standard error."""


def add_db(p: argparse.ArgumentParser, required: bool = True) -> None:
    """--db and --user, accepted before or after the command word (``desktop.cli`` moves them to
    the front). SUPPRESS keeps a --db given before the command word; a required --db is checked
    once the whole line is read (``db_required`` names the command for its --help)."""
    p.add_argument("--db", default=argparse.SUPPRESS,
                   help="数据库文件" + ("（必须给出；可写在命令之前或之后）" if required else ""))
    p.add_argument("--user", default=argparse.SUPPRESS, help="操作人（写入审计日志）")
    if required:
        p.set_defaults(db_required=p.prog)


def days(args) -> tuple:
    """(today, the day asked for with --date or None) from a command's --today / --date;
    ValueError for a date not written YYYY-MM-DD."""
    import datetime as _dt
    today = _dt.date.fromisoformat(args.today) if getattr(args, "today", None) else _dt.date.today()
    return today, (_dt.date.fromisoformat(args.date) if args.date else None)


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="以 JSON 输出（默认输出中文说明）")


def emit(args, data, lines) -> None:
    """A command's result: JSON with --json, else Chinese lines (``lines``: a string or a list
    of strings). The one way every command prints what it did."""
    if getattr(args, "json", False):
        import json
        if isinstance(data, (list, tuple)):     # the contract: one JSON object (a list: its rows, counted)
            data = {"rows": list(data), "count": len(data)}
        text = json.dumps(data, ensure_ascii=False, default=str)
        fallback = lambda: json.dumps(data, ensure_ascii=True, default=str)     # noqa: E731
    else:
        text = lines if isinstance(lines, str) else "\n".join(lines)
        fallback = lambda: text.encode(sys.stdout.encoding or "utf-8", "replace").decode(  # noqa: E731
            sys.stdout.encoding or "utf-8")
    try:
        sys.stdout.write(text + "\n")
    except UnicodeEncodeError:          # a console that cannot show every character (e.g. 䶮 in GBK)
        sys.stdout.write(fallback() + "\n")


def fail(message: str, code: int = 2) -> int:
    sys.stderr.write(message.rstrip() + "\n")
    return code


def open_store(args, *, must_exist: bool = True, write: bool = False, roles: tuple[str, ...] | None = None):
    """The store, or (None, exit code) with the message already printed.

    ``write``: the command writes, reveals or manages accounts, so once accounts exist it
    needs its acting account proven by password (``authenticated_actor``); the account's
    role then limits what it may change."""
    from pathlib import Path
    from models.db import LIGHT_CHECK_ABOVE, Store, StoreError
    path = Path(args.db)
    if must_exist and not path.exists():
        return None, fail(f"找不到数据库文件：{path}")
    try:
        # as the window opens it: a large file gets the cheap check (header, size, schema), not
        # PRAGMA quick_check (seconds on a county's file); a damaged page read later is reported
        # as a damaged file all the same (desktop.cli.failure_line)
        big = path.exists() and path.stat().st_size > LIGHT_CHECK_ABOVE
        store = Store(path, getattr(args, "user", None), check="light" if big else True)
        store.needs_full_check = big
    except StoreError as exc:
        return None, fail(str(exc))
    if write:
        try:
            store.hold_lock()           # the window's lock: refused while a window or command holds it
            authenticated_actor(store, args, roles=roles)
        except (Refused, StoreError) as exc:
            store.close()
            return None, fail(str(exc))
    # a command that only reads keeps --user as a name for the record: without a password it
    # grants nothing (``may_write`` refuses any write with no logged-in actor)
    return store, 0


def on_terminal() -> bool:
    """Whether a person can be asked for a password here (standard input is a terminal)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _ask_password(username: str) -> str | None:
    """The acting account's password: ``QINGQIAN_PASSWORD`` if set, else asked on the terminal
    (not echoed); None when there is neither (a script without the variable)."""
    pw = os.environ.get(PASSWORD_ENV)
    if pw is not None:
        return pw
    if not on_terminal():
        return None
    import getpass
    try:
        return getpass.getpass(f"账号“{username}”的密码：")
    except (EOFError, KeyboardInterrupt):
        return None


def authenticated_actor(store, args, *, roles: tuple[str, ...] | None = None):
    """Who is acting, proven by password, set on ``store.actor`` and returned.

    Returns None only when the database has no account yet (then nobody can log in and the
    first account is being made, or accounts are not in use). Otherwise ``--user`` names the
    account and its password comes from ``QINGQIAN_PASSWORD`` or the terminal; a missing name,
    a missing or wrong password, a locked account, or a role outside ``roles`` raises
    ``Refused``. Every failed log-in is written to the audit log and counts toward the
    account's lock, as in the window."""
    from models import access
    if not access.has_accounts(store.conn):
        return None
    username = (getattr(args, "user", None) or "").strip()
    if not username:
        access.record_login_refused(store, "", "命令行未指明操作人")
        raise Refused("本数据库已启用账号：请用 --user 指定操作人，并输入该账号的密码"
                      f"（脚本可用 {PASSWORD_ENV} 环境变量）")
    password = _ask_password(username)
    if password is None:
        access.record_login_refused(store, username, "未输入密码")
        raise Refused(f"须输入账号“{username}”的密码：请在终端中运行，或用 {PASSWORD_ENV} 环境变量给出")
    try:
        actor = access.login(store, username, password)
    except access.AuthError as exc:
        raise Refused(f"登录失败：{exc}") from None
    if roles and actor.role not in roles:
        raise Refused(f"账号“{username}”（{actor.role}）无权执行此操作，须由{'或'.join(roles)}账号执行")
    store.actor = actor
    return actor
