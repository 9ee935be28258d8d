"""demo, backup, restore."""
from __future__ import annotations

import argparse
import sqlite3
import sys

from desktop.commands._common import add_db, add_json, emit, fail, open_store


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"“{text}”应大于0")
    return n


def register(sub) -> None:
    p = sub.add_parser("demo", help="生成演示数据（虚构乡镇，或由若干乡镇报送组成的县级汇总）")
    add_db(p)
    # "big" (one database of county size, for the benchmarks) is accepted but not offered
    p.add_argument("--scale", choices=("township", "county", "big"), default="township",
                   metavar="{township,county}",
                   help="township：一个虚构乡镇（约150个问题、3000名农民工）；county：县级汇总数据库，"
                        "接收约30个乡镇的报送包（共约10万个问题、100万名农民工）")
    p.add_argument("--seed", type=int, default=20261126,
                   help="随机数种子：同一种子、同一天生成的数据相同；不同种子生成不同的乡镇")
    p.add_argument("--township", help="乡镇名称，如 白鹤镇：生成这个乡镇（名称、代码、企业、人员、问题各不相同），"
                                      "并设好报送身份，可直接制作报送包")
    p.add_argument("--code", help="乡镇的行政区划代码（9位）；不写则取县代码加3位")
    p.add_argument("--county", help="所属县（或县级汇总的县）名称，默认 青山县")
    p.add_argument("--county-code", help="县的行政区划代码（6位），默认 511234")
    p.add_argument("--townships", type=_count, help="县级：乡镇个数（默认30）")
    p.add_argument("--cases", type=_count, help="问题总数（乡镇默认150；县级默认100000，按乡镇大小分配）")
    p.add_argument("--workers", type=_count, help="农民工总人数（乡镇默认3000；县级默认1000000）")
    p.add_argument("--today", help="以这一天为今天生成（YYYY-MM-DD，默认今天）")
    add_json(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("backup", help="备份数据库（SQLite 在线备份）")
    add_db(p)
    p.add_argument("--to", help="备份文件；不写则放入自动备份文件夹。备份含未遮蔽的身份证号码、银行卡号和电话："
                                "已启用账号时，备份到自选位置须办公室账号（专班副本为其联络员账号）和密码，并记入审计日志")
    p.add_argument("--force", action="store_true", help="--to 指定的文件已存在时替换它")
    p.add_argument("--auto", choices=("close", "daily"),
                   help="窗口关闭时或每日的自动备份（窗口在后台进程中调用，备份较大的数据库时窗口不必等待）")
    add_json(p)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从备份恢复数据库（须办公室账号和密码，专班副本为其联络员账号；原文件另存，不覆盖）")
    p.add_argument("file", help="备份文件")
    add_db(p)
    p.add_argument("--force", action="store_true",
                   help="备份与当前数据库不是同一单位（乡镇、代码、填报单位），当前数据库的账号在备份中没有，"
                        "当前数据库有备份之后的改动或改过的密码（恢复后不在数据库中、旧密码重新有效），"
                        "或当前数据库已损坏而备份中没有账号、看来不是本单位的备份时，"
                        "仍然恢复（不加此项时拒绝并说明有何不同）")
    add_json(p)
    p.set_defaults(func=cmd_restore)


def cmd_demo(args) -> int:
    import datetime as _dt
    from pathlib import Path
    from models import demo, lockfile
    from models.exchange import PackageRefused
    try:
        today = _dt.date.fromisoformat(args.today) if args.today else None
    except ValueError:
        return fail(f"日期“{args.today}”格式不对（应为 YYYY-MM-DD）")
    if args.scale != "county" and args.townships:
        return fail("--townships 只用于县级演示数据（--scale county）")
    if args.scale == "county" and (args.township or args.code):
        return fail("县级演示数据的各乡镇由程序命名，不用 --township / --code")
    if args.scale == "big" and (args.township or args.code):
        return fail("--township / --code 只用于乡镇演示数据")
    if (args.code or args.county or args.county_code) and args.scale == "township" and not args.township:
        return fail("--code、--county、--county-code 须与 --township 一起给出")
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
            summary = demo.build_demo(args.db, args.scale, seed=args.seed, today=today, progress=progress,
                                      township=args.township, code=args.code, county=args.county,
                                      county_code=args.county_code, townships=args.townships,
                                      _cases=args.cases, _workers=args.workers, actor=actor,
                                      plans=args.scale == "township")
    except (ValueError, lockfile.DatabaseBusy, PackageRefused) as exc:
        if last[0] >= 0:
            sys.stderr.write("\n")
        return fail(str(exc))
    sys.stderr.write("\n")
    emit(args, summary, demo_lines(summary))
    return 0


def demo_lines(s: dict) -> list[str]:
    """What a demo build made, in Chinese lines."""
    from models.values import fen_to_yuan_text as yuan
    money = (f"欠薪总额 {yuan(s['owed_fen'])} 元，已兑付 {yuan(s['paid_fen'])} 元，清偿率 {s['cleared_pct']}%")
    if s["scale"] == "county":
        out = [f"已生成县级演示数据：{s['county']}（代码 {s['code']}），已接收 {len(s['townships'])} 个乡镇的报送包；"
               f"全县欠薪问题 {s['cases']:,} 件，涉及农民工 {s['workers']:,} 人，{money}。",
               f"用时 {s['seconds']} 秒（生成各乡镇 {s['build_s']} 秒，制作报送包 {s['export_s']} 秒，"
               f"接收 {s['receive_s']} 秒）；数据库：{s['path']}",
               "各乡镇："]
        for t in s["townships"]:
            out.append(f"　　{t['name']}（{t['code']}）：问题 {t['cases']:,} 件，农民工 {t['workers']:,} 人，"
                       f"数据截至 {t['as_of'].replace('T', ' ')}")
        return out
    where = f"{s['county']}{s['township']}（代码 {s['code']}）" if s.get("township") else \
        ("县级规模的单个数据库" if s["scale"] == "big" else "演示乡镇")
    involved = s.get("involved_workers", s["workers"])
    out = [f"已生成{where}的演示数据：欠薪问题 {s['cases']:,} 件，涉及农民工 {involved:,} 人"
           f"（名册 {s['workers']:,} 人），"
           f"兑付记录 {s['repayments']:,} 条；{money}。",
           f"用时 {s['seconds']} 秒；数据库：{s['path']}"]
    if s.get("township"):
        out.append(f"报送身份已设好，可直接制作报送包：qingqian package export --db {s['path']} --out 报送包文件")
    return out


def cmd_backup(args) -> int:
    from models import backup
    from models.paths import out_problem
    if args.auto:                       # the window's background backup, in the installed program
        try:
            backup.auto_backup_recorded(args.db, args.auto)     # a failure is kept for the next start
        except Exception as exc:        # noqa: BLE001 - its stderr is discarded: one line, exit 2
            return fail(backup.failure_text(exc))
        return 0
    if args.to:
        problem = out_problem(args.to, args.db, args.force)
        if problem:
            return fail(problem)
    store, code = open_store(args)
    if store is None:
        return code
    if args.to:         # a full copy, every number unmasked, where the user chooses: as export --unmasked
        problem = _may_back_up_to(store, args)
        if problem:
            store.close()
            return fail(problem)
    earlier = backup.unfinished_backup(store.path)      # an automatic backup that failed unseen
    try:
        if args.to:
            from models import restore_guard
            restore_guard.record_backup(store, args.to)
            path = backup.backup_to(store.conn, args.to)
            backup.clear_unfinished_note(store.path)
        else:
            path = backup.auto_backup(store.conn, store.path, "manual")     # removes the note itself
    except backup.BackupError as exc:
        if earlier:
            sys.stderr.write(backup.unfinished_text(earlier) + "\n")
        return fail(str(exc))
    finally:
        store.close()
    lines = [f"已备份到：{path}"]
    if earlier:
        lines.append(f"（{backup.unfinished_text(earlier).rstrip('。')}；这次备份已补上。）")
    emit(args, {"backup": str(path), "unfinished_before": earlier}, lines)
    return 0


def _may_back_up_to(store, args) -> str:
    """Why this backup to a file of the user's choosing is refused ("" when it may go ahead): once
    the database has accounts, only its 办公室 (in a liaison's copy, its liaison), by password."""
    from desktop.commands._common import Refused, authenticated_actor
    from models import access, restore_guard
    from models.db import StoreError
    if restore_guard.own_folder(store.path, args.to) or not access.has_accounts(store.conn):
        return ""
    try:
        authenticated_actor(store, args, roles=restore_guard.roles(store.conn))
    except (Refused, StoreError) as exc:
        return f"{exc}（备份到自选位置的文件含未遮蔽的身份证号码、银行卡号和电话；未备份）"
    return restore_guard.may_back_up_to(store, args.to)


def cmd_restore(args) -> int:
    """Only while nobody holds the database, only by 办公室 (in a liaison's copy, its liaison) with
    password (proven against the database being replaced when it still opens, else against the
    backup), only a whole 清欠工作台 database with the program's triggers; a backup of another unit,
    one lacking accounts the database has, one that would undo changes made since it was taken,
    or, over a file that cannot be read, one with no accounts or of another unit than the file's
    leftovers tell, only with ``--force``. One line and nothing changed otherwise."""
    from pathlib import Path
    from desktop.commands._common import Refused
    from models import backup, lockfile, restore
    db, src = Path(args.db), Path(args.file)
    if not src.is_file():
        return fail(f"找不到备份文件：{src}")
    try:
        lock = lockfile.DatabaseLock(db).acquire()
    except lockfile.DatabaseBusy as exc:
        return fail(f"{exc}（恢复未进行，数据库未作任何改动）")
    try:
        restore.check_candidate(src)     # a file that cannot be restored is said so before anything else
        who, authorize = _restorer(db, args)
        done = restore.restore_checked(src, db, user=who, holding_lock=True, authorize=authorize,
                                       confirmed=getattr(args, "force", False))
    except Refused as exc:
        return fail(f"{exc}（恢复未进行）")
    except restore.RestoreDiffers as exc:
        return fail(f"{exc}。确认仍要用这份备份替换当前数据库，请加 --force")
    except backup.BackupError as exc:
        return fail(str(exc))
    finally:
        lock.release()
    kept, since = done.kept, done.since
    emit(args, {"restored": str(db), "previous_kept_as": str(kept) if kept else None,
                "confirmed_differences": done.differences,
                "changes_not_in_backup": since.count if since else 0,
                "changes_span": [since.first, since.last] if since and since.count else None,
                "passwords_reverted": list(since.passwords) if since else [],
                "notes": done.notes},
         [f"已从备份 {src} 恢复数据库：{db}",
          f"恢复前的数据库另存为：{kept}" if kept else "恢复前没有数据库文件，未另存", *done.lines()])
    return 0


def _restorer(db, args):
    """Who restores: (name for the audit, None) once proven as 办公室 (in a liaison's copy, its
    liaison: ``restore_guard.roles``) against the database being replaced, when it opens and has
    accounts; else (a name marked unproven, a check to run against the backup's own accounts:
    whom it proves is the audit's). Never the computer's log-in name. Raises ``Refused``."""
    from desktop.commands._common import authenticated_actor
    from models import restore, restore_guard
    from models.db import Store, StoreError

    def against_backup(store):
        authenticated_actor(store, args, roles=restore_guard.roles(store.conn))
    name = ((getattr(args, "user", None) or "").strip() or "未登录") + restore_guard.UNPROVEN
    if not db.exists() or restore.has_accounts(db) is False:
        return name, against_backup
    try:
        current = Store(db, getattr(args, "user", None), check="light", create=False)
    except (StoreError, OSError):
        return name, against_backup         # damaged or not ours: the backup's accounts decide
    try:
        authenticated_actor(current, args, roles=restore_guard.roles(current.conn))
        return current.user, None
    except sqlite3.DatabaseError:
        return name, against_backup
    finally:
        current.close()
