"""``import --dry-run`` answers for the same account as the real run: it proves the account
(once the database has accounts) and finds what the real run would be refused for by running
the commit in a transaction that is rolled back, so nothing is written."""
from __future__ import annotations

import sqlite3


def refusal_of_real_run(store, plan, args) -> str:
    """One Chinese line saying why the real import would be refused, or '' when it would not."""
    from desktop.commands._common import Refused, authenticated_actor
    from models import access
    from models.db import PermissionDenied
    from models.io.importer import commit_import
    if access.has_accounts(store.conn):
        try:
            authenticated_actor(store, args)
        except Refused as exc:
            return f"试运行：{exc}"
    conn = store.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        commit_import(store, plan, accept_partial=True, reason=getattr(args, "reason", "") or "")
    except PermissionDenied as exc:
        return f"试运行：实际导入会被拒绝：{exc}"
    except sqlite3.IntegrityError as exc:
        text = str(exc)
        if text.startswith(("无权", "已签字")):
            return f"试运行：实际导入会被拒绝：{store.last_denial or text}"
        return f"试运行：实际导入会失败：{text}"
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    return ""
