"""report: 周调度材料 / 会议纪要 / 台账打印 / 统计报表 / 日报告 as PDF (DESIGN.md §7), and on a
county database the county's 周调度材料, 通报 and 统计汇总表 (models.reports.county).

qingqian report weekly|bulletin|minutes|ledger|stats|daily --db PATH --out FILE.pdf|FILE.docx
                [--date YYYY-MM-DD] [--kind KIND] [--filter 字段=值 …] [--meeting N] [--json]
qingqian report period --from D --to D --db PATH --out FILE.pdf|FILE.docx     月度 / 季度书面报告
qingqian report certificate --employer NAME [--project NAME] [--date D] --db PATH --out FILE
                清欠审查证明 / 兑付证明 (registered with its number; refused while arrears remain,
                for a name no ledger knows, and for a day a later-registered case contradicts)

Prints what was written in Chinese lines, or with --json one JSON object (path, title, pages,
passed, check, extra files, seconds). Exit 0 when the file is written (whether or not the data
passed the checks: the report says so), 2 when it cannot be made, with one Chinese line on
standard error. A .docx path is handed to ``models.reports.make_report`` as it is; while that
writes PDF only, the command says so and leaves no file.
"""
from __future__ import annotations

import argparse

from desktop.commands._common import add_db, add_json, days, emit, fail, open_store

WHICH = ("weekly", "bulletin", "minutes", "ledger", "stats", "daily", "period", "certificate")
COUNTY_WHICH = ("weekly", "bulletin", "stats")       # made from the townships' packages on a county database
SUFFIXES = (".pdf", ".docx")


def register(sub) -> None:
    p = sub.add_parser("report", help="生成报表 PDF：周调度材料、通报、会议纪要、台账打印、统计报表、日报告")
    p.add_argument("which", choices=WHICH, help="weekly 周调度材料｜bulletin 通报（县级汇总数据库，各乡镇排名）｜"
                                                "minutes 会议纪要｜ledger 台账打印｜stats 统计报表（另存 Excel；"
                                                "县级汇总数据库为统计汇总表）｜daily 日报告 / 零报告｜"
                                                "period 月度 / 季度书面报告｜certificate 清欠审查证明 / 兑付证明")
    add_db(p)
    p.add_argument("--out", required=True, help="输出文件：.pdf，或 .docx（Word）；stats 另在同名 .xlsx 写 Excel")
    p.add_argument("--force", action="store_true", help="输出文件已存在时替换它（stats 连同同名 .xlsx）")
    p.add_argument("--date", help="报表日期（YYYY-MM-DD），默认今天（weekly 在周一默认为昨天：写上周一至周日的全周）；weekly / stats 按该日日终的情况统计；"
                                       "daily 为该日的日报告（不能晚于今天）")
    p.add_argument("--today", help=argparse.SUPPRESS)     # the day taken as today (scripts and tests)
    p.add_argument("--kind", help="ledger：台账种类，默认 cases（欠薪问题台账）")
    p.add_argument("--filter", action="append", default=[], metavar="字段=值",
                   help="ledger：筛选条件，可重复，如 --filter 状态=化解中 --filter 责任专班=欠薪化解专班")
    p.add_argument("--meeting", type=int, help="minutes：会议期数（默认最近一次已召开的会议）")
    p.add_argument("--from", dest="since", help="period：报告期开始日期（YYYY-MM-DD），如 2026-10-01")
    p.add_argument("--to", dest="until", help="period：报告期结束日期（YYYY-MM-DD），如 2026-12-31；不晚于今天")
    p.add_argument("--employer", default="", help="certificate：出具证明的用人单位名称（与欠薪问题台账所填一致）")
    p.add_argument("--project", default="", help="certificate：只为该单位的这一项目出具证明（项目名称）")
    p.add_argument("--cert-kind", default="清欠审查证明", choices=("清欠审查证明", "兑付证明"),
                   help="certificate：证明种类，默认 清欠审查证明")
    p.add_argument("--purpose", default="", help="certificate：证明用途，如 参加工程招投标")
    add_json(p)
    p.set_defaults(func=cmd_report)


# the options that belong to one report or another: given to a report they do not belong to, they
# would be ignored without a word (report weekly --meeting 3 printing this week's pack)
OPTION_OWNERS = {"meeting": ("--meeting", ("minutes",)), "kind": ("--kind", ("ledger",)),
                 "filter": ("--filter", ("ledger",)), "since": ("--from", ("period",)),
                 "until": ("--to", ("period",)), "employer": ("--employer", ("certificate",)),
                 "project": ("--project", ("certificate",)), "purpose": ("--purpose", ("certificate",))}


def _options_not_for(args) -> list[str]:
    return [flag for dest, (flag, owners) in OPTION_OWNERS.items()
            if getattr(args, dest, None) and args.which not in owners]


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
    from pathlib import Path

    from models.reports import ReportUnavailable, make_report
    stray = _options_not_for(args)
    if stray:
        return fail(f"{'、'.join(stray)} 不适用于 report {args.which}（请去掉，或换用相应的报表）")
    args.kind = args.kind or "cases"
    try:
        today, day = days(args)
        given = day is not None
        if day is None and args.which == "weekly":
            from models.reports.briefing import default_day
            day = default_day(today)        # on a Monday: the week just ended
        day = day or today
    except ValueError:
        return fail(f"日期格式不对：{args.date or args.today}（应为 YYYY-MM-DD）")
    if args.which == "ledger" and day != today:
        return fail("台账打印按当前记录打印，不能标为以前的日期；以前某日的数字请用 report stats 或 report weekly 加 --date")
    suffix = Path(args.out).suffix.lower()
    if suffix not in SUFFIXES:
        return fail(f"输出文件应为 .pdf 或 .docx（Word）：{args.out}")
    if args.which in ("period", "certificate"):
        return _period_or_certificate(args, today, day, suffix)
    if args.which == "minutes":
        try:
            import models.reports.minutes  # noqa: F401
        except ImportError:
            return fail("会议纪要功能尚未安装，无法生成会议纪要。")
    store, code = open_store(args)
    if store is None:
        return code
    out = _Replacing(args.out)
    try:
        from models.exchange import identity
        county = identity.is_county(store) and args.which in COUNTY_WHICH
        if args.which == "bulletin" and not county:
            return fail("通报是县级汇总数据库的报表（各乡镇排名），乡镇数据库不生成通报；"
                        "本乡镇的情况请用 report weekly（周调度材料）")
        if county and not given:
            day = today                         # the townships' latest 报送, not the Monday default of a township
        elif args.which == "weekly" and not given:
            from models.reports.briefing import default_day
            day = default_day(today, store)     # on a 例会's day (Monday, or after a holiday): its window
        if county and day != today:
            return fail("县级报表按各乡镇最近一次报送的数字汇总，不能按以前某日统计（请去掉 --date）")
        query = None
        if args.which == "ledger":
            from models.ledger import registry
            if args.kind not in registry.kinds():
                return fail(f"没有名为 {args.kind} 的台账（可用：{'、'.join(registry.kinds())}）")
            query = parse_filters(store, args.kind, args.filter)
        from models.paths import out_problem
        # the files this report writes: never the database, an existing one only with --force
        companions = (Path(args.out).with_suffix(".xlsx"),) if args.which == "stats" else ()
        problem = out_problem(args.out, args.db, args.force, companions)
        if problem:
            return fail(problem)
        if suffix == ".docx":
            out.set_aside()
        if county:
            from models.reports.county import build
            result = build(args.which, store, args.out, today)
        elif args.which in ("weekly", "stats", "daily"):     # that day's report, its data checked as of today
            result = make_report(args.which, store, args.out, today, as_of=day, meeting=args.meeting)
        else:                                    # a ledger printout is of today (above); minutes checked today
            result = make_report(args.which, store, args.out, today, kind=args.kind, query=query,
                                 meeting=args.meeting)
        if suffix == ".docx" and not _is_word(result.path):
            for p in (result.path, *result.extra):
                Path(p).unlink(missing_ok=True)
            return fail(f"本版本的报表只能生成 PDF，尚不能生成 Word 文件，未写入：{args.out}（请改用 .pdf）")
        out.written()
    except (ReportUnavailable, ValueError) as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"无法写入文件：{args.out}（{exc.strerror or exc}）")
    finally:
        store.close()
        out.put_back()
    data = {"path": str(result.path), "title": result.title, "pages": result.pages, "passed": result.passed,
            "check": result.check_text, "extra": [str(p) for p in result.extra], "seconds": round(result.seconds, 2)}
    pages = f"{result.pages} 页，" if result.pages else ""          # a Word file's pages are the reader's to count
    lines = [f"{result.title}已生成：{result.path}（{pages}用时 {result.seconds:.1f} 秒）"]
    lines += [f"另存 Excel：{p}" for p in result.extra]
    if result.check_text:
        lines.append(result.check_text if result.passed else f"注意：{result.check_text}")
    emit(args, data, lines)
    return 0


def _period_or_certificate(args, today, day, suffix: str) -> int:
    """report period / report certificate: the written report for a period, or a certificate
    (which is registered, so the command acts as the acting account of the office)."""
    import datetime as _dt

    from models.paths import out_problem
    from models.reports import ReportUnavailable
    if args.which == "period":
        if not args.since or not args.until:
            return fail("书面报告须用 --from 和 --to 给出报告期，如 --from 2026-10-01 --to 2026-10-31")
        from desktop.commands._common import DayProblem, day_of
        try:
            since, until = day_of(args.since), day_of(args.until)
        except DayProblem as exc:
            return fail(str(exc))
        store, code = open_store(args)
    else:
        if not (args.employer or "").strip() and not (args.project or "").strip():
            return fail("出具证明须用 --employer 写明用人单位名称（或用 --project 写明项目名称）")
        store, code = open_store(args, write=True, roles=("办公室",))
    if store is None:
        return code
    problem = out_problem(args.out, args.db, args.force, ())
    if problem:
        store.close()
        return fail(problem)
    out = _Replacing(args.out)
    if args.force:
        out.set_aside()
    try:
        if args.which == "period":
            from models.reports.period import build
            result = build(store, args.out, today, since, until)
        else:
            from models.reports.certificate import build
            result = build(store, args.out, today, args.employer, args.project,
                           as_of=day if day != today else None, kind=args.cert_kind, purpose=args.purpose)
        out.written()
    except (ReportUnavailable, ValueError) as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"无法写入文件：{args.out}（{exc.strerror or exc}）")
    finally:
        store.close()
        out.put_back()
    data = {"path": str(result.path), "title": result.title, "pages": result.pages, "passed": result.passed,
            "check": result.check_text, "figures": result.figures}
    pages = f"{result.pages} 页" if result.pages else "Word 文件"
    lines = [f"{result.title}已生成：{result.path}（{pages}）"]
    if args.which == "certificate":
        lines.append(f"证明编号：{result.figures['cert_no']}（已登记于清欠证明登记簿）")
        if not result.figures["cases"]:
            lines.append("注意：欠薪问题台账中没有该单位（项目）的欠薪问题，证明写明“无欠薪问题登记”；请核对名称是否与台账一致。")
    else:
        lines.append(f"本报告应于 {result.figures['due']} 前报送。")
    if result.check_text:                # as every report: whether its data passed the checks
        lines.append(result.check_text if result.passed else f"注意：{result.check_text}")
    emit(args, data, lines)
    return 0


class _Replacing:
    """The file a report replaces (with --force): ``set_aside`` moves it beside itself until the
    new one is known to be good (``written``); ``put_back`` (always called) puts it back when the
    new one never came, so a refused report leaves the file as it was."""

    def __init__(self, out) -> None:
        from pathlib import Path
        self.out = Path(out)
        self.kept = None

    def set_aside(self) -> None:
        import os
        if self.out.exists():
            self.kept = self.out.with_name(f".{self.out.name}.kept")
            os.replace(self.out, self.kept)

    def written(self) -> None:
        if self.kept is not None:
            self.kept.unlink(missing_ok=True)
            self.kept = None

    def put_back(self) -> None:
        import os
        if self.kept is not None and self.kept.exists():
            os.replace(self.kept, self.out)


def _is_word(path) -> bool:
    """A Word file (a zip package), not a PDF written under a .docx name."""
    from pathlib import Path
    try:
        with open(Path(path), "rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False
