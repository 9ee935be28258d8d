"""demo, backup, restore."""
from __future__ import annotations

import json
import sys

from desktop.commands._common import add_db, fail, open_store


def register(sub) -> None:
    p = sub.add_parser("demo", help="生成演示数据（虚构乡镇或县级规模）")
    add_db(p)
    p.add_argument("--scale", choices=("township", "county"), default="township")
    p.add_argument("--seed", type=int, default=20261126)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("backup", help="备份数据库（SQLite 在线备份）")
    add_db(p)
    p.add_argument("--to", help="备份文件；不写则放入自动备份文件夹")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从备份恢复数据库（原文件另存，不覆盖）")
    p.add_argument("file", help="备份文件")
    add_db(p)
    p.set_defaults(func=cmd_restore)


def cmd_demo(args) -> int:
    from pathlib import Path
    from models import demo
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
        summary = demo.build_demo(args.db, args.scale, seed=args.seed, progress=progress, actor=actor)
    except ValueError as exc:
        return fail(str(exc))
    sys.stderr.write("\n")
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def cmd_backup(args) -> int:
    from models import backup
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


def cmd_restore(args) -> int:
    from models import backup
    try:
        kept = backup.restore(args.file, args.db)
    except (backup.BackupError, OSError) as exc:
        return fail(str(exc))
    print(json.dumps({"restored": str(args.db), "previous_kept_as": str(kept) if kept else None},
                     ensure_ascii=False))
    return 0
