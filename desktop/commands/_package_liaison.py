"""package export / import / decide for 专班副本 and 专班回报包 (office ↔ liaison). Routed here by
``package``.

qingqian package export --db 办公室.sqlite --out F --workstream 专班 [--user U]    专班副本 (办公室账号)
qingqian package import F --db 联络员.sqlite --user 账号                            the liaison's database from the copy
qingqian package export --db 联络员.sqlite --out R --for office --user 账号         专班回报包 (联络员账号)
qingqian package export --db 联络员.sqlite --out R --for office --again N          the refused #N made again
qingqian package export --db 联络员.sqlite --out R --for office --after N-xxxxxxxx what follows the return the office applied
qingqian package import R --db 办公室.sqlite [--json]                               applied; exit 1 if clashes are left
qingqian package decide --db 办公室.sqlite [--list] [--clash N --keep office|liaison] [--all-keep office|liaison]
"""
from __future__ import annotations

import os

from desktop.commands._common import PASSWORD_ENV, add_db, add_json, emit, fail, on_terminal, open_store

OFFICE = ("办公室",)
LIAISON = ("专班填报员",)
SIDE_NAMES = {"office": "办公室", "liaison": "联络员"}


def register_export(e) -> None:
    """The liaison's options of ``package export``: a return made again."""
    e.add_argument("--again", type=int, metavar="N",
                   help="联络员重新导出被办公室拒收的第 N 号回报包（按办公室的提示）：包含办公室已应用的第 N-1 号之后的"
                        "全部改动，替换此前导出的第 N 号及其后各号")
    e.add_argument("--after", metavar="代码",
                   help="联络员导出办公室已应用的回报包（代码如 2-3f9a2c1b，见办公室的提示）之后的全部改动，作为其下一号")


def register_decide(words) -> None:
    d = words.add_parser("decide", help="办公室裁定专班回报包中双方都改过的记录（列出冲突、保留某一方的值）")
    add_db(d)
    d.add_argument("--list", action="store_true", help="逐条列出待裁定的冲突：字段、办公室的值、联络员的值")
    d.add_argument("--clash", type=int, help="要裁定的冲突编号（--list 所列）")
    d.add_argument("--keep", choices=("office", "liaison"), help="与 --clash 一起用：office 保留办公室的值，liaison 采用联络员的值")
    d.add_argument("--all-keep", choices=("office", "liaison"), help="所有待裁定的冲突都保留办公室（office）或联络员（liaison）的值")
    add_json(d)
    d.set_defaults(func=cmd_decide)


def _now(args):
    from desktop.commands._package_common import now_of
    return now_of(args)


# -- export ---------------------------------------------------------------------------------
def cmd_export(args) -> int:
    from models.exchange import PackageRefused
    from models.paths import out_problem
    redo = args.again is not None or args.after is not None
    if args.workstream and (args.target == "office" or redo):
        return fail("--workstream（办公室制作专班副本）与 --for office、--again、--after（联络员交回改动）不能同时使用")
    if args.target == "county":
        return fail(("--again、--after 用于联络员重新导出专班回报包" if redo else "--workstream 用于办公室制作专班副本")
                    + "，不能与 --for county 同时使用")
    try:
        now = _now(args)
    except ValueError:
        return fail(f"时间格式不对：{args.now}")
    problem = out_problem(args.out, args.db, args.force)
    if problem:
        return fail(problem)
    store, code = open_store(args, write=True, roles=OFFICE if args.workstream else LIAISON)
    if store is None:
        return code
    try:
        if args.workstream:
            from models.exchange.liaison import make_copy
            summary = make_copy(store, args.out, args.workstream, now=now)
            line = (f"已为{summary['workstream']}制作第 {summary['sequence']} 号专班副本：{summary['out']}"
                    f"（交给该专班联络员，用 package import 导入为其数据库）")
        else:
            from models.exchange.liaison import make_return, return_text
            summary = make_return(store, args.out, now=now, again=args.again, after=args.after)
            line = return_text(summary)
    except PackageRefused as exc:
        return fail(str(exc))
    finally:
        store.close()
    emit(args, summary, line)
    return 0


# -- import ---------------------------------------------------------------------------------
def _new_password(username: str) -> str | None:
    pw = os.environ.get(PASSWORD_ENV)
    if pw is not None:
        return pw
    if not on_terminal():
        return None
    import getpass
    try:
        first = getpass.getpass(f"为联络员账号“{username}”设定密码（至少 6 位）：")
        again = getpass.getpass("再输入一次：")
    except (EOFError, KeyboardInterrupt):
        return None
    return first if first == again else ""


def cmd_import(args) -> int:
    from models.exchange import PackageRefused, package
    try:
        kind = package.read(args.file).kind
    except PackageRefused as exc:
        return fail(str(exc))
    if kind == "liaison_copy":
        return _import_copy(args)
    return _import_return(args)


def _import_copy(args) -> int:
    from models.exchange import PackageRefused
    from models.exchange.liaison import import_copy
    username = (getattr(args, "user", None) or "").strip()
    if not username:
        return fail("导入专班副本须用 --user 给出联络员账号的用户名（导入后用它登录，只能修改本专班的记录）")
    password = _new_password(username)
    if password is None:
        return fail(f"须为联络员账号设定密码：请在终端中运行，或用 {PASSWORD_ENV} 环境变量给出")
    if password == "":
        return fail("两次输入的密码不一致，未导入")
    try:
        summary = import_copy(args.file, args.db, username=username, password=password)
    except PackageRefused as exc:
        return fail(str(exc))
    emit(args, summary, f"已导入{summary['workstream']}的专班副本：{summary['db']}（联络员账号 {username}，"
                        f"只能修改本专班的记录；改完用 package export --for office 制作回报包）")
    return 0


def _import_return(args) -> int:
    from desktop.commands._package_common import run_step
    from models.exchange.liaison_apply import apply_return
    summary = run_step(args, lambda store, now: apply_return(store, args.file, now=now), roles=OFFICE)
    if isinstance(summary, int):
        return summary
    n = len(summary["conflicts"])
    lines = [f"已应用{summary['workstream']}第 {summary['sequence']} 号专班回报包（联络员 {summary['liaison']}）："
             f"新增 {summary['added']} 条，修改 {summary['changed']} 条，未变 {summary['unchanged']} 条，"
             f"待裁定冲突 {n} 条"]
    if summary["renumbered"]:
        lines.append("联络员新增的问题与办公室新增的问题编号相同，已改为下一个空号：" +
                     "、".join(f"{r['from']} → {r['to']}" for r in summary["renumbered"]))
    if n:
        lines.append("双方都改过的记录已保留办公室的值，联络员的值待裁定：用 package decide --list 查看")
    emit(args, summary, lines)
    return 1 if n else 0


# -- decide ---------------------------------------------------------------------------------
def _clash_lines(store, c: dict) -> list[str]:
    from models.exchange.liaison_decide import record_title
    head = (f"第 {c['id']} 号冲突 · {record_title(store, c)}（{c['kind_label']}；联络员 {c['liaison']}）")
    rows = [head]
    for f in c["fields"]:
        note = "（双方改得不同）" if f["conflict"] else "（只有联络员改过）" if f["differs"] else "（相同）"
        rows.append(f"    {f['label']}：办公室“{f['office_text']}” ｜ 联络员“{f['liaison_text']}”{note}")
    return rows


def cmd_decide(args) -> int:
    from models.exchange.liaison_decide import DecideError, clashes, decide, decide_all
    if args.clash is not None and not args.keep:
        return fail("--clash 须与 --keep office 或 --keep liaison 一起使用")
    if args.keep and args.clash is None:
        return fail("--keep 须与 --clash（冲突编号）一起使用；全部裁定用 --all-keep")
    if args.clash is not None and args.all_keep:
        return fail("--clash 与 --all-keep 不能同时使用")
    deciding = args.clash is not None or bool(args.all_keep)
    store, code = open_store(args, write=deciding, roles=OFFICE if deciding else None)
    if store is None:
        return code
    try:
        decided = []
        try:
            if args.clash is not None:
                decided = [decide(store, args.clash, args.keep)]
            elif args.all_keep:
                decided = decide_all(store, args.all_keep)
        except DecideError as exc:
            return fail(str(exc))
        left = clashes(store)
        lines = [f"已裁定第 {c['id']} 号冲突：保留{SIDE_NAMES[c['decision']]}的值" for c in decided]
        if not deciding or args.list:
            for c in left:
                lines.extend(_clash_lines(store, c))
        lines.append(f"待裁定冲突 {len(left)} 条" if left else "没有待裁定的冲突")
        emit(args, {"decided": decided, "open": left}, lines)
        return 1 if left else 0
    finally:
        store.close()
