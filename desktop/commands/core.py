"""demo, backup, restore."""
from __future__ import annotations

import json
import sqlite3
import sys

from desktop.commands._common import add_db, fail, open_store


def register(sub) -> None:
    p = sub.add_parser("demo", help="生成演示数据（虚构乡镇或县级规模）")
    add_db(p)
    p.add_argument("--scale", choices=("township", "county"), default="township",
                   help="township：一个虚构乡镇（约150个问题、3000名农民工）；county：县级规模（10万个问题、100万名农民工）")
    p.add_argument("--seed", type=int, default=20261126, help="随机数种子：同一种子、同一天生成的数据相同")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("backup", help="备份数据库（SQLite 在线备份）")
    add_db(p)
    p.add_argument("--to", help="备份文件；不写则放入自动备份文件夹")
    p.add_argument("--force", action="store_true", help="--to 指定的文件已存在时替换它")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从备份恢复数据库（须办公室账号和密码；原文件另存，不覆盖）")
    p.add_argument("file", help="备份文件")
    add_db(p)
    p.set_defaults(func=cmd_restore)


def cmd_demo(args) -> int:
    from pathlib import Path
    from models import demo, lockfile
    actor = None
    if Path(args.db).exists():       # a database with accounts: only its 办公室, by password
        store, code = open_store(args, write=True, roles=("办公室",))
        if store is None:
            return code
        actor = store.actor
        store.close()
    last = [-1]

    def progress(done: int, total: int, text: str = "") -> None:
        pct = int(done * 100 / total) if total else 0
        if pct != last[0]:
            last[0] = pct
            sys.stderr.write(f"\r{text} {pct}%   ")
    try:
        with lockfile.DatabaseLock(args.db):       # no window or command writes meanwhile
            summary = demo.build_demo(args.db, args.scale, seed=args.seed, progress=progress, actor=actor)
    except (ValueError, lockfile.DatabaseBusy) as exc:
        return fail(str(exc))
    sys.stderr.write("\n")
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def cmd_backup(args) -> int:
    from models import backup
    from models.paths import out_problem
    if args.to:
        problem = out_problem(args.to, args.db, args.force)
        if problem:
            return fail(problem)
    store, code = open_store(args)
    if store is None:
        return code
    try:
        if args.to:
            path = backup.backup_to(store.conn, args.to)
        else:
            path = backup.auto_backup(store.conn, store.path, "manual")
    except backup.BackupError as exc:
        return fail(str(exc))
    finally:
        store.close()
    print(json.dumps({"backup": str(path)}, ensure_ascii=False))
    return 0


OFFICE = ("办公室",)


def cmd_restore(args) -> int:
    """Only while nobody holds the database, only by 办公室 with password (proven against the
    database being replaced when it still opens, else against the backup), only a whole
    清欠工作台 database with the program's triggers. One line and nothing changed otherwise."""
    from pathlib import Path
    from desktop.commands._common import Refused
    from models import backup, lockfile
    db, src = Path(args.db), Path(args.file)
    if not src.is_file():
        return fail(f"找不到备份文件：{src}")
    try:
        lock = lockfile.DatabaseLock(db).acquire()
    except lockfile.DatabaseBusy as exc:
        return fail(f"{exc}（恢复未进行，数据库未作任何改动）")
    try:
        backup.check_candidate(src)     # a file that cannot be restored is said so before anything else
        who, authorize = _restorer(db, args)
        kept = backup.restore(src, db, user=who, holding_lock=True, authorize=authorize)
    except Refused as exc:
        return fail(f"{exc}（恢复未进行）")
    except backup.BackupError as exc:
        return fail(str(exc))
    finally:
        lock.release()
    print(json.dumps({"restored": str(db), "previous_kept_as": str(kept) if kept else None},
                     ensure_ascii=False))
    return 0


def _restorer(db, args):
    """Who restores: (name for the audit, None) once proven as 办公室 against the database being
    replaced, when it opens and has accounts; else (name, a check to run against the backup's
    own accounts). Raises ``Refused``."""
    from desktop.commands._common import authenticated_actor
    from models import backup
    from models.db import Store, StoreError, default_user

    def against_backup(store):
        authenticated_actor(store, args, roles=OFFICE)
    name = getattr(args, "user", None) or default_user()
    if not db.exists() or backup.has_accounts(db) is False:
        return name, against_backup
    try:
        current = Store(db, getattr(args, "user", None), check="light", create=False)
    except (StoreError, OSError):
        return name, against_backup         # damaged or not ours: the backup's accounts decide
    try:
        authenticated_actor(current, args, roles=OFFICE)
        return current.user, None
    except sqlite3.DatabaseError:
        return name, against_backup
    finally:
        current.close()
