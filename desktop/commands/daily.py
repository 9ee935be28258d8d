"""daily: 日报告 (坚持零报告和日报告制度) as its page does it: who has not reported today, a
workstream's return drawn from the ledgers (or a 零报告), a return corrected once the ledgers
have moved on, the day's consolidated sheet.

qingqian daily missing [--date D] --db PATH
qingqian daily submit --workstream 专班 [--date D] [--notes 工作动态] [--reporter 报告人] --db PATH
qingqian daily submit --workstream 专班 --amend --reason 理由 [--date D] [--notes …] [--reporter …] --db PATH
qingqian daily export --out FILE.xlsx [--date D] [--force] --db PATH
"""
from __future__ import annotations

from desktop.commands._acting import OFFICE_OR_FILLER, action, actions, parse_day, run, today_of, workstream
from desktop.commands._common import emit


def register(sub) -> None:
    subs = actions(sub, "daily", "日报告：查看未报送的专班、按台账生成并报送（无新增即零报告）、修改已报送的日报告、导出当日汇总表")
    p = action(subs, "missing", "列出某日尚未报送日报告的专班（休息日注明）", cmd_missing)
    p.add_argument("--date", help="报告日期（默认今天）")
    p = action(subs, "submit", "按台账统计专班当日新增线索、信访、化解和兑付，报送日报告（办公室或本专班账号）；"
                               "加 --amend 按台账重新统计并修改已报送的日报告", cmd_submit)
    p.add_argument("--workstream", required=True, help="报送的专班（可写其中能区分的一部分）")
    p.add_argument("--date", help="报告日期（默认今天）")
    p.add_argument("--notes", default=None, help="工作动态（不写且当日无新增即为零报告；写了工作动态即不是零报告）")
    p.add_argument("--reporter", default="", help="报告人（默认当前账号的姓名；专班填报员只能是本人，"
                                                   "办公室账号代录专班电话报送的日报告时写报送人）")
    p.add_argument("--amend", action="store_true",
                   help="修改已报送的日报告：按台账重新统计各项数字（不写 --notes 则保留原工作动态），须写 --reason")
    p.add_argument("--reason", default="", help="修改理由（与 --amend 一起用）")
    p = action(subs, "export", "导出某日各专班日报告汇总表（Excel）", cmd_export)
    p.add_argument("--out", required=True, help="输出的 .xlsx 文件")
    p.add_argument("--date", help="报告日期（默认今天）")
    p.add_argument("--force", action="store_true", help="输出文件已存在时替换它")


def cmd_missing(args) -> int:
    import datetime as _dt

    from models import daily

    def work(store) -> int:
        day = parse_day(args.date, "报告日期", today_of(args))
        start = daily.campaign_start(store)
        if start and day < start:
            emit(args, {"date": day, "rest_day": False, "before_start": True, "missing": []},
                 f"{day}：专项行动（{start} 开始）尚未开始，无须报送日报告")
            return 0
        rest = not daily.is_workday(store, _dt.date.fromisoformat(day))
        missing = daily.missing_on(store, day)
        emit(args, {"date": day, "rest_day": rest, "missing": [w["name"] for w in missing]},
             f"{day}{'（休息日）' if rest else ''}：" +
             (f"未报送 {len(missing)} 个专班：{'、'.join(w['name'] for w in missing)}" if missing else "各专班均已报送"))
    return run(args, work, roles=None, write=False)


def _reporter(store, args) -> str:
    """报告人: the logged-in account's name (display name); else the operator named with --user;
    never the computer's login name (blank then). A different --reporter is for an office account
    recording a return a liaison phoned in (naming them; the audit shows who typed it): a
    专班填报员 is refused one by the daily-report service (``models.daily``), on every path."""
    given = (args.reporter or "").strip()
    a = store.actor
    if given:
        return given
    if a is not None:
        return a.display_name or a.username
    return (getattr(args, "user", None) or "").strip()


def cmd_submit(args) -> int:
    from models import daily
    from models.values import fen_to_yuan_text

    def work(store) -> int:
        today = today_of(args)
        day = parse_day(args.date, "报告日期", today)
        if day > today.isoformat():
            raise ValueError(f"报告日期 {day} 在今天（{today}）之后")
        daily.refuse_before_start(store, day)
        if args.reason.strip() and not args.amend:
            raise ValueError("--reason 只与 --amend（修改已报送的日报告）一起用")
        ws = workstream(store, args.workstream)
        name = store.scalar("SELECT name FROM workstream WHERE id = ?", (ws,), "")
        if args.amend:
            if not args.reason.strip():
                raise ValueError(f"修改{name} {day} 已报送的日报告须用 --reason 写明理由")
            before = daily.return_of(store, ws, day)
            rid = daily.amend_return(store, ws, day, args.reason, notes=args.notes,
                                     reporter=(args.reporter or "").strip() or None)
            done = "已修改" if daily.return_of(store, ws, day) != before else "与台账一致，未作修改"
        else:
            if daily.return_of(store, ws, day) is not None:
                raise ValueError(f"{name}已报送 {day} 的日报告；要按台账重新统计并修改，请加 --amend --reason 理由")
            values = daily.suggest(store, ws, day)
            values.update(notes=(args.notes or "").strip(), reporter=_reporter(store, args))
            rid = daily.submit_return(store, values)
            done = "已报送"
        r = dict(store.one("SELECT * FROM daily_report WHERE id = ?", (rid,)))
        emit(args, {"ok": True, "id": rid, "workstream": name, "amended": bool(args.amend), **{k: r[k] for k in (
            "report_on", "is_zero", "new_cases", "new_petitions", "new_resolved", "repaid_fen", "notes", "reporter")}},
             f"{name} {day} 日报告{done}" + ("（零报告）。" if r["is_zero"] else
                                          f"：新增线索{r['new_cases']}件，新增信访{r['new_petitions']}件，"
                                          f"化解{r['new_resolved']}件，兑付 {fen_to_yuan_text(r['repaid_fen'])} 元"
                                          + ("，另有工作动态。" if (r["notes"] or "").strip() else "。")))
    return run(args, work, roles=OFFICE_OR_FILLER)


def cmd_export(args) -> int:
    from pathlib import Path

    from models.reports.daily import export_xlsx

    def work(store) -> int:
        today = today_of(args)
        day = parse_day(args.date, "报告日期", today)
        if day > today.isoformat():
            raise ValueError(f"报告日期 {day} 在今天（{today}）之后")
        out = Path(args.out)
        if out.suffix.lower() != ".xlsx":
            raise ValueError(f"输出文件应为 .xlsx：{out}")
        if out.exists() and not args.force:
            raise ValueError(f"文件已存在：{out}（要替换请加 --force）")
        path = export_xlsx(store, day, out, today)
        emit(args, {"ok": True, "path": str(path), "date": day}, f"已导出 {day} 日报告汇总表：{path}")
    return run(args, work, roles=None, write=False)
