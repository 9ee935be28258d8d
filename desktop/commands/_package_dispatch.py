"""package export / import for 下发包 (county → townships). Routed here by ``package``:
``export`` on a county database writes its 下发包; ``import`` of a package whose kind is
``dispatch`` applies it to a township database."""
from __future__ import annotations

from desktop.commands._common import emit, fail
from desktop.commands._package_common import now_of, run_step

def cmd_export(args) -> int:
    from pathlib import Path
    from models.exchange.dispatch import export_dispatch
    from models.paths import out_problem
    try:
        now_of(args)
    except ValueError:
        return fail(f"时间格式不对：{args.now}")
    unused = [o for o, v in (("--full-ids", args.full_ids), ("--township", args.township), ("--code", args.code),
                             ("--county", args.county), ("--county-code", args.county_code)) if v]
    if unused:
        return fail(f"这是县级汇总数据库，制作的是下发包，{'、'.join(unused)} 不适用")
    problem = out_problem(args.out, args.db, args.force)
    if problem:
        return fail(problem)
    summary = run_step(args, lambda store, now: export_dispatch(store, Path(args.out), now=now))
    if isinstance(summary, int):
        return summary
    c = summary["counts"]
    emit(args, summary, f"已制作{summary['county']}第 {summary['sequence']} 号下发包：{summary['out']}（督办事项 "
                        f"{c['directive']} 项，发往 {len(summary['townships'])} 个乡镇；节假日安排 {c['calendar_year']} 年，"
                        f"失信名单 {c['blacklist_entry']} 条，阈值 {c['threshold']} 项）")
    return 0


def cmd_import(args) -> int:
    from models.exchange.apply_dispatch import apply_dispatch
    summary = run_step(args, lambda store, now: apply_dispatch(store, args.file, now=now))
    if isinstance(summary, int):
        return summary
    if summary["already_applied"]:
        lines = f"{summary['county']}第 {summary['sequence']} 号下发包此前已接收，未作改动"
    else:
        lines = (f"已接收{summary['county']}第 {summary['sequence']} 号下发包：督办事项 {summary['directives']} 项；"
                 f"新增 {summary['added']} 条，修改 {summary['changed']} 条，未变 {summary['unchanged']} 条")
    emit(args, summary, lines)
    return 0
