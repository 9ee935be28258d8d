"""report: 周调度材料 / 会议纪要 / 台账打印 / 统计报表 / 日报告 as PDF (DESIGN.md §7).

qingqian report weekly|minutes|ledger|stats|daily --db PATH --out FILE.pdf [--date YYYY-MM-DD]
                [--kind KIND] [--filter 字段=值 …] [--meeting N]

Prints one JSON object (path, title, pages, passed, extra files, seconds). Exit 0 when the
file is written (whether or not the data passed the checks: the report says so), 2 when it
cannot be made, with one Chinese line on standard error.
"""
from __future__ import annotations

import argparse
import json

from desktop.commands._common import add_db, days, fail, open_store

WHICH = ("weekly", "minutes", "ledger", "stats", "daily")


def register(sub) -> None:
    p = sub.add_parser("report", help="生成报表 PDF：周调度材料、会议纪要、台账打印、统计报表、日报告")
    p.add_argument("which", choices=WHICH, help="weekly 周调度材料｜minutes 会议纪要｜ledger 台账打印｜"
                                                "stats 统计报表（另存 Excel）｜daily 日报告 / 零报告")
    add_db(p)
    p.add_argument("--out", required=True, help="输出的 PDF 文件（stats 另在同名 .xlsx 写 Excel）")
    p.add_argument("--force", action="store_true", help="输出文件已存在时替换它（stats 连同同名 .xlsx）")
    p.add_argument("--date", help="报表日期（YYYY-MM-DD），默认今天；weekly / stats 按该日日终的情况统计")
    p.add_argument("--today", help=argparse.SUPPRESS)     # the day taken as today (scripts and tests)
    p.add_argument("--kind", default="cases", help="ledger：台账种类，默认 cases（欠薪问题台账）")
    p.add_argument("--filter", action="append", default=[], metavar="字段=值",
                   help="ledger：筛选条件，可重复，如 --filter 状态=化解中 --filter 责任专班=欠薪化解专班")
    p.add_argument("--meeting", type=int, help="minutes：会议期数（默认最近一次会议）")
    p.set_defaults(func=cmd_report)


def parse_filters(store, kind: str, items: list[str]):
    """``字段=值`` (field name or Chinese label) → a Query; a 责任专班 may be given by name."""
    from models.ledger import registry
    from models.ledger.repo import Query
    ledger = registry.get(kind)
    q = Query()
    for item in items:
        if "=" not in item:
            raise ValueError(f"筛选条件“{item}”应写成 字段=值")
        key, value = (s.strip() for s in item.split("=", 1))
        f = next((f for f in ledger.fields if key in (f.name, f.label, f.header)), None)
        if f is None:
            raise ValueError(f"{ledger.title}没有“{key}”这一栏")
        if f.kind == "ref" and f.ref_table:
            rid = store.scalar(f'SELECT id FROM "{f.ref_table}" WHERE "{f.ref_label}" = ?', (value,))
            if rid is None and value.isdigit():
                rid = int(value)
            if rid is None:
                raise ValueError(f"{f.label}“{value}”不存在")
            q.equals[f.name] = rid
        else:
            from models.values import ValueProblem
            try:
                q.equals[f.name] = f.parse(value)
            except ValueProblem as exc:
                raise ValueError(f"{f.label}：{exc}") from exc
    return q


def cmd_report(args) -> int:
    from models.reports import ReportUnavailable, make_report
    try:
        today, day = days(args)
        day = day or today
    except ValueError:
        return fail(f"日期格式不对：{args.date or args.today}（应为 YYYY-MM-DD）")
    if args.which == "ledger" and day != today:
        return fail("台账打印按当前记录打印，不能标为以前的日期；以前某日的数字请用 report stats 或 report weekly 加 --date")
    if not args.out.lower().endswith(".pdf"):
        return fail(f"输出文件应为 .pdf：{args.out}")
    if args.which == "minutes":
        try:
            import models.reports.minutes  # noqa: F401
        except ImportError:
            return fail("会议纪要功能尚未安装，无法生成会议纪要。")
    store, code = open_store(args)
    if store is None:
        return code
    try:
        query = None
        if args.which == "ledger":
            from models.ledger import registry
            if args.kind not in registry.kinds():
                return fail(f"没有名为 {args.kind} 的台账（可用：{'、'.join(registry.kinds())}）")
            query = parse_filters(store, args.kind, args.filter)
        from pathlib import Path
        from models.paths import out_problem
        # the files this report writes: never the database, an existing one only with --force
        companions = (Path(args.out).with_suffix(".xlsx"),) if args.which == "stats" else ()
        problem = out_problem(args.out, args.db, args.force, companions)
        if problem:
            return fail(problem)
        if args.which in ("weekly", "stats"):       # as the campaign stood at the end of that day
            result = make_report(args.which, store, args.out, today, as_of=day, meeting=args.meeting)
        else:
            result = make_report(args.which, store, args.out, day, kind=args.kind, query=query,
                                 meeting=args.meeting)
    except (ReportUnavailable, ValueError) as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"无法写入文件：{args.out}（{exc.strerror or exc}）")
    finally:
        store.close()
    print(json.dumps({"path": str(result.path), "title": result.title, "pages": result.pages,
                      "passed": result.passed, "check": result.check_text,
                      "extra": [str(p) for p in result.extra], "seconds": round(result.seconds, 2)},
                     ensure_ascii=False))
    return 0
