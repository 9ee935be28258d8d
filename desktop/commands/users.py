"""user: manage accounts from the command line.

The first account (办公室) needs no log-in; after that every ``user`` command is done by an
account proven by its password (``--user`` and ``QINGQIAN_PASSWORD`` or the terminal):
办公室 adds, lists and resets any account; any account may change its own password. The
new password comes from ``QINGQIAN_NEW_PASSWORD`` or is asked twice on the terminal.
"""
from __future__ import annotations

import os
import sys

from desktop.commands._common import (PASSWORD_ENV, Refused, add_db, add_json, authenticated_actor, emit,
                                     fail, open_store)

NEW_PASSWORD_ENV = "QINGQIAN_NEW_PASSWORD"


def register(sub) -> None:
    p = sub.add_parser("user", help="账号管理：新增、重设密码、列出")
    p.add_argument("action", choices=("add", "passwd", "list"),
                   help="add 新增账号；passwd 重设密码（新密码取自 QINGQIAN_NEW_PASSWORD 或在终端输入两次）；list 列出账号")
    p.add_argument("name", nargs="?", help="用户名")
    add_db(p)
    add_json(p)
    p.add_argument("--role", choices=("办公室", "专班填报员", "领导"), default="办公室",
                   help="新账号的角色：办公室（全部功能）、专班填报员（只能改本专班）、领导（查看和打印）")
    p.add_argument("--workstream", help="专班填报员所属专班名称")
    p.add_argument("--display-name", default="", help="显示的姓名（不写则同用户名）")
    p.set_defaults(func=cmd_user)


def _new_password(name: str, env: str) -> str:
    """The password being set for ``name``: from ``env`` in scripts, else typed twice."""
    pw = os.environ.get(env)
    if pw is not None:
        return pw
    if not (sys.stdin is not None and sys.stdin.isatty()):
        raise Refused(f"须给出账号“{name}”的新密码：请在终端中运行，或用 {env} 环境变量给出")
    import getpass
    first = getpass.getpass(f"账号“{name}”的新密码：")
    if getpass.getpass("再输入一次：") != first:
        raise Refused("两次输入的密码不一致，未作改动")
    return first


def cmd_user(args) -> int:
    from models import access
    store, code = open_store(args)
    if store is None:
        return code
    try:
        first = not access.has_accounts(store.conn)
        if args.action != "list" and not args.name:
            return fail("请给出用户名")
        if args.action != "list":
            store.hold_lock()           # the window's lock: refused while a window or command holds it
        if first:
            if args.action == "list":
                emit(args, [], "本数据库还没有账号")      # nothing to list, nothing to protect
                return 0
            if args.action != "add":
                return fail("本数据库还没有账号：请先用 qingqian user add 建立办公室（管理员）账号")
            if args.role != "办公室":
                return fail("第一个账号须为办公室（管理员）账号")
            # the first account's own password: the same variable a script then logs in with
            access.create_account(store, args.name, _new_password(args.name, PASSWORD_ENV), "办公室",
                                  args.display_name, None)
            emit(args, {"ok": True, "user": args.name}, f"已新增办公室（管理员）账号“{args.name}”")
            return 0
        own_password = args.action == "passwd" and args.name == (getattr(args, "user", None) or "")
        actor = authenticated_actor(store, args, roles=None if own_password else ("办公室",))
        if args.action == "list":
            rows = access.accounts(store)
            emit(args, rows, [f"账号 {len(rows)} 个："] + [_account_line(r) for r in rows])
            return 0
        if args.action == "add":
            ws = None
            if args.workstream:
                ws = store.scalar("SELECT id FROM workstream WHERE name = ?", (args.workstream,))
                if ws is None:
                    return fail(f"没有名为“{args.workstream}”的专班")
            access.create_account(store, args.name, _new_password(args.name, NEW_PASSWORD_ENV), args.role,
                                  args.display_name, ws)
        else:
            if access.find_actor(store.conn, args.name) is None:
                return fail(f"没有名为“{args.name}”的有效账号")
            access.set_password(store, args.name, _new_password(args.name, NEW_PASSWORD_ENV))
        done = (f"已新增{args.role}账号“{args.name}”" if args.action == "add"
                else f"已重设账号“{args.name}”的密码")
        emit(args, {"ok": True, "user": args.name, "by": actor.username}, f"{done}（操作人：{actor.username}）")
        return 0
    except (access.AuthError, Refused) as exc:
        return fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - e.g. a refused write: one line, nothing changed
        from models.db import StoreError
        if isinstance(exc, StoreError):
            return fail(str(exc))
        raise
    finally:
        store.close()


def _account_line(row: dict) -> str:
    """One account as the 账号管理 page lists it."""
    parts = [row["role"] + (f"·{row['workstream']}" if row.get("workstream") else "")]
    if row.get("display_name") and row["display_name"] != row["username"]:
        parts.append(f"姓名 {row['display_name']}")
    parts.append("在用" if row.get("active") else "已停用")
    if row.get("locked_until"):
        parts.append(f"锁定至 {str(row['locked_until']).replace('T', ' ')[:16]}")
    parts.append(f"上次登录 {str(row['last_login']).replace('T', ' ')[:16]}" if row.get("last_login") else "从未登录")
    return f"  {row['username']}（{'，'.join(parts)}）"
