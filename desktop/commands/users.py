"""user: manage accounts from the command line (the first one needs no login)."""
from __future__ import annotations

import getpass
import json
import os

from desktop.commands._common import add_db, fail, open_store


def register(sub) -> None:
    p = sub.add_parser("user", help="账号管理：新增、重设密码、列出")
    p.add_argument("action", choices=("add", "passwd", "list"))
    p.add_argument("name", nargs="?", help="用户名")
    add_db(p)
    p.add_argument("--role", choices=("办公室", "专班填报员", "领导"), default="办公室")
    p.add_argument("--workstream", help="专班填报员所属专班名称")
    p.add_argument("--display-name", default="")
    p.set_defaults(func=cmd_user)


def _password() -> str:
    # QINGQIAN_PASSWORD lets scripts set a password without a terminal
    pw = os.environ.get("QINGQIAN_PASSWORD")
    return pw if pw is not None else getpass.getpass("密码：")


def cmd_user(args) -> int:
    from models import access
    store, code = open_store(args)
    if store is None:
        return code
    try:
        first = not access.has_accounts(store.conn)
        if args.action == "list":
            print(json.dumps(access.accounts(store), ensure_ascii=False))
            return 0
        if not args.name:
            return fail("请给出用户名")
        if not first:
            user = getattr(args, "user", None)
            actor = access.find_actor(store.conn, user) if user else None
            if actor is None or actor.role != "办公室":
                return fail("须由办公室账号（--user）管理账号")
            store.actor = actor
        if args.action == "add":
            ws = None
            if args.workstream:
                ws = store.scalar("SELECT id FROM workstream WHERE name = ?", (args.workstream,))
                if ws is None:
                    return fail(f"没有名为“{args.workstream}”的专班")
            if first and args.role != "办公室":
                return fail("第一个账号须为办公室（管理员）账号")
            access.create_account(store, args.name, _password(), args.role, args.display_name, ws)
        else:
            access.set_password(store, args.name, _password())
        print(json.dumps({"ok": True, "user": args.name}, ensure_ascii=False))
        return 0
    except access.AuthError as exc:
        return fail(str(exc))
    finally:
        store.close()
