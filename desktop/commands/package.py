"""package: the exchange's packages, one command for every kind.

qingqian package export --db 乡镇.sqlite --out FILE [--for county] [--full-ids]
                        [--township 名称 --code 代码 --county 县] [--json] [--user U]     报送包 (township → county)
qingqian package export --db 县级.sqlite --out FILE [...]                                 下发包 (county → townships)
qingqian package export --db 乡镇.sqlite --out FILE --workstream 专班 [...]                专班副本 (office → liaison)
qingqian package export --db 副本.sqlite --out FILE --for office [...]                    专班回报包 (liaison → office)
qingqian package import FILE --db D [--json] [--user U]      by the package's kind (read from its manifest)
qingqian package decide --db D ...                            the office decides a clash left by a 专班回报包

Exit 0 done, 1 clashes left to decide, 2 refused (one Chinese line on standard error, nothing
changed). This module reads the arguments and routes; each kind's work is in its own module
(``_package_dispatch``, ``_package_liaison``) and in ``models.exchange``.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json

from desktop.commands._common import add_db, fail, open_store

OFFICE = ("办公室",)


def register(sub) -> None:
    p = sub.add_parser("package", help="数据包：报送包（乡镇→县级）、下发包（县级→乡镇）、专班副本与回报包（办公室↔联络员），制作（export）或导入（import）")
    words = p.add_subparsers(dest="package_command", required=True, parser_class=type(p))

    e = words.add_parser("export", help="制作本乡镇的报送包（身份证号码、银行卡号、电话默认部分隐藏）")
    add_db(e)
    e.add_argument("--out", required=True, help="报送包文件（建议以 .qqpkg 结尾）")
    e.add_argument("--for", dest="target", choices=("county", "office"), default=None,
                   help="报送对象：county 县级（乡镇数据库的默认）；office 办公室（专班联络员交回其改动）")
    e.add_argument("--workstream", help="办公室为该专班的联络员制作专班副本（专班名称）")
    e.add_argument("--full-ids", action="store_true", help="含完整身份证号码、银行卡号和电话（实名核对用，记入审计日志）")
    e.add_argument("--township", help="乡镇名称（第一次报送前须设定）")
    e.add_argument("--code", help="乡镇代码（行政区划代码）")
    e.add_argument("--county", help="所属县名称")
    e.add_argument("--county-code", help="所属县的区划代码")
    e.add_argument("--force", action="store_true", help="--out 指定的文件已存在时替换它")
    e.add_argument("--json", action="store_true", help="以 JSON 输出")
    e.add_argument("--now", help=argparse.SUPPRESS)       # the moment taken as now (scripts and tests)
    e.set_defaults(func=cmd_export)
    from desktop.commands import _package_liaison
    _package_liaison.register_export(e)

    i = words.add_parser("import", help="导入数据包，按包的种类：县级接收乡镇报送包（较新的替换旧的）；乡镇导入县级下发包；"
                                           "联络员导入专班副本；办公室应用专班回报包")
    i.add_argument("file", help="报送包文件")
    add_db(i)
    i.add_argument("--json", action="store_true", help="以 JSON 输出")
    i.add_argument("--now", help=argparse.SUPPRESS)
    i.set_defaults(func=cmd_import)

    _package_liaison.register_decide(words)


def _now(args) -> _dt.datetime | None:
    from desktop.commands._package_common import now_of
    return now_of(args)


def cmd_export(args) -> int:
    if args.workstream or args.target == "office" or args.again is not None or args.after is not None:
        from desktop.commands import _package_liaison
        return _package_liaison.cmd_export(args)
    if args.target is None and _is_county(args.db):
        from desktop.commands import _package_dispatch
        return _package_dispatch.cmd_export(args)
    return cmd_export_report(args)


def _is_county(db: str) -> bool:
    """Whether ``db`` is a county database (read without the lock; a missing or unreadable
    file is left to the command that opens it, which says what is wrong)."""
    from pathlib import Path
    if not Path(db).is_file():
        return False
    from models.db import Store, StoreError
    from models.exchange import identity
    try:
        store = Store(Path(db))
    except StoreError:
        return False
    try:
        return identity.is_county(store)
    finally:
        store.close()


def _kind_of(path: str) -> str | None:
    from models.exchange import PackageRefused, package
    try:
        return package.read(path).kind
    except PackageRefused:
        return None             # the report path reads it again and says what is wrong


def cmd_export_report(args) -> int:
    from pathlib import Path
    from models.exchange import PackageRefused, identity
    from models.exchange.export import export_package
    from models.paths import out_problem
    try:
        now = _now(args)
    except ValueError:
        return fail(f"时间格式不对：{args.now}")
    problem = out_problem(args.out, args.db, args.force)
    if problem:
        return fail(problem)
    given = (args.township, args.code, args.county)
    if any(given) and not all(given):
        return fail("--township、--code、--county 须一起给出（乡镇名称、乡镇代码、所属县）")
    store, code = open_store(args, write=True, roles=OFFICE)
    if store is None:
        return code
    try:
        if all(given):
            try:
                identity.set_township(store, name=args.township, code=args.code, county_name=args.county,
                                      county_code=args.county_code or "")
            except ValueError as exc:
                return fail(str(exc))
        try:
            summary = export_package(store, Path(args.out), now=now, full_ids=args.full_ids)
        except PackageRefused as exc:
            return fail(str(exc))
    finally:
        store.close()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"已制作{summary['township']}第 {summary['sequence']} 号报送包：{summary['out']}"
              f"（数据截至 {summary['as_of'].replace('T', ' ')}，{sum(summary['counts'].values())} 条记录，"
              f"{'含完整号码' if summary['full_ids'] else '号码部分隐藏'}）")
    return 0


def cmd_import(args) -> int:
    kind = _kind_of(args.file)
    if kind == "dispatch":
        from desktop.commands import _package_dispatch
        return _package_dispatch.cmd_import(args)
    if kind in ("liaison_copy", "liaison_return"):
        from desktop.commands import _package_liaison
        return _package_liaison.cmd_import(args)
    return cmd_import_report(args)


def cmd_import_report(args) -> int:
    from desktop.commands._package_common import run_step
    from models.exchange.receive import receive_package
    summary = run_step(args, lambda store, now: receive_package(store, args.file, now=now))
    if isinstance(summary, int):
        return summary
    summary["conflicts"] = []          # a report package replaces the township's copy whole: nothing to decide
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    elif summary["already_received"]:
        print(f"{summary['township']}第 {summary['sequence']} 号报送包此前已接收，未作改动")
    else:
        print(f"已接收{summary['township']}第 {summary['sequence']} 号报送包（数据截至 "
              f"{summary['as_of'].replace('T', ' ')}）：新增 {summary['added']} 条，修改 {summary['changed']} 条，"
              f"未变 {summary['unchanged']} 条，删除 {summary['removed']} 条")
    return 0
