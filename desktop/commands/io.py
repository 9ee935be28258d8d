"""``qingqian import`` and ``qingqian export`` (DESIGN.md §7).

    qingqian import FILE --db PATH --kind KIND [--case NO] [--sheet NAME] [--dry-run] [--json]
                    [--accept-partial] [--map '表头=字段' …] [--ignore '表头' …]
    qingqian export KIND --db PATH --out FILE.xlsx|.csv [--unmasked] [--wan] [--encoding gb18030|utf-8-sig]
    qingqian export attachments --db PATH --out FOLDER|FILE.zip     (every attachment file and 附件清单.xlsx)

Exit status: 0 done; 1 rows were rejected; 2 the file or the arguments cannot be used (one
Chinese sentence on standard error, nothing written). A column holding money, dates or ID
numbers that no field takes makes the arguments incomplete: exit 2, the sentence names the
columns and the --map / --ignore that settle them, and ``--json`` still prints the whole plan
(``unmapped``, ``fatal``) on standard output. Heavy modules are imported inside
the handlers: the window's start-up must not pay for them.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop.commands._common import add_db, add_json, emit


def register(subparsers) -> None:
    p = subparsers.add_parser("import", help="从 Excel / WPS / CSV 文件导入台账",
                              description="导入台账：先检查每一行，全部通过（或 --accept-partial）才写入，一次事务。")
    p.add_argument("file", help="要导入的文件（.xlsx .xls .ods .csv）")
    add_db(p)
    p.add_argument("--kind", required=True, help="台账类型：cases、workers、repayments、petitions …")
    p.add_argument("--case", dest="case_no", help="导入农民工名册时所属问题的编号")
    p.add_argument("--sheet", help="工作表名称（默认自动查找）")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    add_json(p)
    p.add_argument("--accept-partial", action="store_true", help="有被拒绝的行时仍导入其余各行")
    p.add_argument("--reason", default="", metavar="理由",
                   help="修改理由：导入要改动已审核签字台账的记录时必须填写，记入审计日志，报表注明“签字后修改”")
    p.add_argument("--map", dest="maps", action="append", default=[], metavar="表头=字段",
                   help="指定某列对应的台账栏目（栏目写中文名称或字段名，可重复），如 --map '实付金额=已支付金额'")
    p.add_argument("--ignore", dest="ignores", action="append", default=[], metavar="表头",
                   help="不导入某列（可重复）；含金额、日期、身份证号码而程序认不出的列，须 --map 或 --ignore 后才导入")
    p.set_defaults(func=run_import)

    e = subparsers.add_parser("export", help="把台账导出为 Excel（.xlsx）或 CSV",
                              description="导出台账：标题、填报单位、表头、合计行、签字栏与打印设置。")
    e.add_argument("kind", help="台账类型：cases、workers、repayments …")
    add_db(e)
    e.add_argument("--out", required=True,
                   help="输出文件（.xlsx 或 .csv）；导出 attachments（证据材料）时可给文件夹或 .zip：导出全部附件文件和附件清单")
    e.add_argument("--force", action="store_true", help="输出文件已存在时替换它")
    e.add_argument("--unmasked", action="store_true", help="身份证号码、银行卡号、电话不遮蔽")
    e.add_argument("--wan", action="store_true", help="金额以万元为单位")
    e.add_argument("--encoding", choices=("utf-8-sig", "gb18030"), default="utf-8-sig",
                   help="CSV 的编码（默认 UTF-8 带 BOM；GB18030 供旧版 Excel）")
    e.add_argument("--unit", default="", help="填报单位（默认取当前专项行动的单位）")
    add_json(e)
    e.set_defaults(func=run_export)


def _fail(message: str, as_json: bool = False) -> int:
    if as_json:
        _print_json({"error": message, "imported": False})
    print(message.replace("\n", " "), file=sys.stderr)
    return 2


def _print_json(obj: dict) -> None:
    emit(argparse.Namespace(json=True), obj, [])


def _open_store(args: argparse.Namespace, must_exist: bool, write: bool):
    """The store with its acting account: once accounts exist, writing or revealing needs
    --user and that account's password (``authenticated_actor``)."""
    from desktop.commands._common import Refused, authenticated_actor
    from models.db import Store, StoreError
    if must_exist and not Path(args.db).exists():
        raise StoreError(f"找不到数据库文件：{args.db}")
    store = Store(args.db, getattr(args, "user", None))
    if write:
        try:
            store.hold_lock()           # the window's lock: refused while a window or command holds it
            authenticated_actor(store, args)
        except (Refused, StoreError) as exc:
            store.close()
            raise StoreError(str(exc)) from None
    return store


def run_import(args: argparse.Namespace) -> int:
    from models.db import PermissionDenied, StoreError
    from models.io.importer import commit_import, plan_import
    from models.io.reading import UnusableFile
    try:
        store = _open_store(args, must_exist=True, write=not args.dry_run)   # never a new, empty database
    except StoreError as exc:
        return _fail(str(exc), args.json)
    try:
        try:
            plan = plan_import(store, args.file, args.kind, case_no=args.case_no, sheet=args.sheet,
                               maps=args.maps, ignores=args.ignores)
        except UnusableFile as exc:
            return _fail(str(exc), args.json)
        if plan.fatal:
            if plan.blocking and args.json:          # the columns to decide on, for a script
                _print_json(plan.to_json(imported=False))
                print(plan.fatal, file=sys.stderr)
                return 2
            return _fail(plan.fatal, args.json)
        if args.dry_run or plan.check_only:
            if args.dry_run and not plan.check_only:    # answer for the account, as the real run would
                from desktop.commands._dry_run import refusal_of_real_run
                refused = refusal_of_real_run(store, plan, args)
                if refused:
                    return _fail(refused, args.json)
            # after the rehearsal: the rows the ledger's rules refuse at commit (a repayment over what
            # is owed, a status the flow does not allow) are refused here too, as the real run would
            result = plan.to_json(imported=False)
        else:
            try:
                result = commit_import(store, plan, accept_partial=args.accept_partial, reason=args.reason)
            except PermissionDenied as exc:
                return _fail(f"导入被拒绝，数据库未作任何改动：{exc}", args.json)
            except Exception as exc:  # noqa: BLE001 - the transaction was rolled back; say why in one line
                from desktop.cli import failure_line
                why = failure_line(exc, getattr(args, "db", None))
                return _fail(f"导入失败，数据库未作任何改动：{why.replace('，数据库未作改动', '')}", args.json)
    finally:
        store.close()
    emit(args, result, [] if args.json else _human_lines(result, args))
    return 1 if result["rows_rejected"] else 0


def _human_lines(result: dict, args: argparse.Namespace) -> list[str]:
    from models.io.importer import summary_text
    from models.io.plan import totals_text
    out = [f"文件：{result['file']}（工作表“{result['sheet']}”，表头在第 {'、'.join(map(str, result['header_rows']))} 行）",
           f"读取 {result['rows_read']} 行，可导入 {result['rows_imported']} 行，拒绝 {result['rows_rejected']} 行。"]
    for note in result["notes"]:
        out.append(f"提示：{note}")
    from models.io.plan import skipped_text
    skipped = skipped_text(result.get("skipped") or [], limit=20)
    if skipped:
        out.append(f"提示：{skipped}。")
    from models.io.importer import unmapped_text
    left = unmapped_text(result)
    if left:
        out.append(f"提示：{left}。")
    gaps = result.get("incomplete") or []
    if gaps:
        out.append(f"待补录 {len(gaps)} 行（照常导入，导入后在“数据审核”中补录）：")
        for g in gaps[:50]:
            out.append(f"  第 {g['row']} 行〔{g['column']}〕{g['message']}")
        if len(gaps) > 50:
            out.append(f"  ……另有 {len(gaps) - 50} 行（用 --json 查看全部）")
    for p in result["problems"][:200]:
        out.append(f"  第 {p['row']} 行〔{p['column']}〕{p['message']}")
    if len(result["problems"]) > 200:
        out.append(f"  ……另有 {len(result['problems']) - 200} 个问题（用 --json 查看全部）")
    t = result["totals"]
    out.append(f"合计（仅计可导入的行）：{totals_text(t)}。")
    counts = dict(result, incomplete=[], unmapped=[], ignored=[])     # those were listed above
    if result["imported"]:
        out.append("已导入：" + summary_text(counts) + "。")
    elif args.dry_run:
        out.append("试运行（--dry-run），未写入。将会：" + summary_text(counts) + "。")
    elif result["rows_rejected"]:
        out.append("有被拒绝的行，未写入任何数据。请修改文件后重试，或加 --accept-partial 只导入通过检查的行。")
    else:
        out.append("未写入。")
    return out


def run_export(args: argparse.Namespace) -> int:
    from models.db import StoreError
    from models.io.exporter import export_ledger
    from models.ledger import registry
    out = Path(args.out)
    if args.kind == "attachments" and out.suffix.lower() not in (".xlsx", ".csv"):
        return run_export_files(args, out)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        return _fail(f"输出文件须以 .xlsx 或 .csv 结尾：{args.out}")
    from models.paths import out_problem
    problem = out_problem(out, args.db, args.force)     # never the database; replacing needs --force
    if problem:
        return _fail(problem)
    try:
        registry.get(args.kind)
    except KeyError as exc:
        return _fail(str(exc.args[0]))
    try:
        # the audit log is exported by an account only (any role: it holds no full number)
        store = _open_store(args, must_exist=True, write=args.unmasked or args.kind == "audit")
    except StoreError as exc:
        return _fail(str(exc))
    if args.unmasked and args.kind == "audit":
        store.close()
        return _fail("审计日志只保存部分遮蔽的身份证号码、银行卡号和电话，没有完整号码可导出")
    if args.unmasked:
        if store.actor is not None and not store.actor.may_reveal:
            store.close()
            return _fail("当前账号不能导出未遮蔽的身份证号码、银行卡号和电话")
        from models.access import record_reveal
        record_reveal(store, registry.get(args.kind).table, None, f"导出未遮蔽文件：{out}")
    ledger = registry.get(args.kind)
    try:
        path = export_ledger(store, args.kind, out, masked=not args.unmasked, wan=args.wan,
                             unit_name=args.unit, encoding=args.encoding)
    except OSError as exc:
        return _fail(f"无法写入文件“{out}”：{exc.strerror or exc}（文件是否正在 Excel 中打开？）")
    finally:
        store.close()
    emit(args, {"exported": str(path), "kind": args.kind, "ledger": ledger.title, "masked": not args.unmasked,
                "wan": args.wan, "encoding": args.encoding if Path(path).suffix.lower() == ".csv" else None},
         f"已导出{ledger.title}：{path}" + ("（身份证号码、银行卡号、电话未遮蔽）" if args.unmasked else ""))
    return 0


def run_export_files(args: argparse.Namespace, out: Path) -> int:
    """``export attachments`` to a folder or a .zip: every live attachment's file (hash checked)
    and the index sheet 附件清单.xlsx (``models.attachments.export_all``)."""
    from models import attachments
    from models.db import StoreError
    if out.suffix.lower() not in ("", ".zip"):
        return _fail(f"导出证据材料时输出须为文件夹、.zip、.xlsx 或 .csv：{args.out}")
    if out.suffix.lower() == ".zip":
        from models.paths import out_problem
        problem = out_problem(out, args.db, args.force)
        if problem:
            return _fail(problem)
    elif out.exists() and (not out.is_dir() or (any(out.iterdir()) and not args.force)):
        return _fail(f"输出文件夹“{out}”已存在且不是空文件夹（替换请加 --force）" if out.is_dir()
                     else f"“{out}”已存在且不是文件夹")
    if args.unmasked:
        return _fail("证据材料的文件按原样导出，没有遮蔽与否之分：请去掉 --unmasked")
    try:
        store = _open_store(args, must_exist=True, write=False)
    except StoreError as exc:
        return _fail(str(exc))
    try:
        done = attachments.export_all(store, out)
    except OSError as exc:
        return _fail(f"无法写入“{out}”：{exc.strerror or exc}")
    finally:
        store.close()
    lines = f"已导出证据材料 {done.files} 个文件及附件清单：{done.out}"
    if done.missing:
        lines += f"（另有 {done.missing} 个附件文件缺失或已被改动，未导出，清单中已注明）"
    emit(args, {"exported": str(done.out), "kind": "attachments", "files": done.files, "missing": done.missing},
         lines)
    return 0
