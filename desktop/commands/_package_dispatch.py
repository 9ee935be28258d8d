"""package export / import for 下发包 (county → townships). Routed here by ``package``:
``export`` on a county database writes its 下发包; ``import`` of a package whose kind is
``dispatch`` applies it to a township database."""
from __future__ import annotations

from desktop.commands._common import emit, fail, open_store

OFFICE = ("办公室",)


def _now(args):
    import datetime as _dt
    return _dt.datetime.fromisoformat(args.now) if getattr(args, "now", None) else None


def cmd_export(args) -> int:
    from pathlib import Path
    from models.exchange import PackageRefused
    from models.exchange.dispatch import export_dispatch
    from models.paths import out_problem
    try:
        now = _now(args)
    except ValueError:
        return fail(f"时间格式不对：{args.now}")
    unused = [o for o, v in (("--full-ids", args.full_ids), ("--township", args.township), ("--code", args.code),
                             ("--county", args.county), ("--county-code", args.county_code)) if v]
    if unused:
        return fail(f"这是县级汇总数据库，制作的是下发包，{'、'.join(unused)} 不适用")
    problem = out_problem(args.out, args.db, args.force)
    if problem:
        return fail(problem)
    store, code = open_store(args, write=True, roles=OFFICE)
    if store is None:
        return code
    try:
        try:
            summary = export_dispatch(store, Path(args.out), now=now)
        except PackageRefused as exc:
            return fail(str(exc))
    finally:
        store.close()
    c = summary["counts"]
    emit(args, summary, f"已制作{summary['county']}第 {summary['sequence']} 号下发包：{summary['out']}（督办事项 "
                        f"{c['directive']} 项，发往 {len(summary['townships'])} 个乡镇；节假日安排 {c['calendar_year']} 年，"
                        f"失信名单 {c['blacklist_entry']} 条，阈值 {c['threshold']} 项）")
    return 0


def cmd_import(args) -> int:
    from models.exchange import PackageRefused
    from models.exchange.apply_dispatch import apply_dispatch
    try:
        now = _now(args)
    except ValueError:
        return fail(f"时间格式不对：{args.now}")
    store, code = open_store(args, write=True, roles=OFFICE)
    if store is None:
        return code
    try:
        try:
            summary = apply_dispatch(store, args.file, now=now)
        except PackageRefused as exc:
            return fail(str(exc))
    finally:
        store.close()
    if summary["already_applied"]:
        lines = f"{summary['county']}第 {summary['sequence']} 号下发包此前已接收，未作改动"
    else:
        lines = (f"已接收{summary['county']}第 {summary['sequence']} 号下发包：督办事项 {summary['directives']} 项；"
                 f"新增 {summary['added']} 条，修改 {summary['changed']} 条，未变 {summary['unchanged']} 条")
    emit(args, summary, lines)
    return 0
