"""holidays: the holiday calendar (节假日安排) from the command line.

qingqian holidays import FILE --db PATH [--year 2027] [--dry-run] [--json]
qingqian holidays list --db PATH [--year 2027] [--json]

``import`` takes one year's 放假 and 调休 days as the State Council publishes them (a text, CSV
or spreadsheet file a clerk types; see ``models.holiday_import.FORMAT_HELP``), stores them as the
office's entry for that year, recomputes the working-day deadlines of open cases through the
case write service (each change audited) and says how many changed. 办公室 only.
"""
from __future__ import annotations

from desktop.commands._acting import OFFICE, action, actions, run, today_of
from desktop.commands._common import emit


def register(sub) -> None:
    from models.holiday_import import FORMAT_HELP
    subs = actions(sub, "holidays", "节假日安排：导入国务院公布的某年放假调休安排（重算在办问题的办结时限）、查看",
                   "节假日安排。" + FORMAT_HELP + "。")
    p = action(subs, "import", "导入一年的放假和调休上班日，重算在办问题的办结时限并记入审计日志（须办公室账号）",
               cmd_import)
    p.add_argument("file", help="放假安排文件（.txt / .csv / .xlsx / .xls / .ods）：" + FORMAT_HELP)
    p.add_argument("--year", type=int, help="安排所属年份（不写则从通知标题或写全的日期看出）")
    p.add_argument("--dry-run", action="store_true", help="只检查并统计会改动多少个办结时限，不写入")
    p = action(subs, "list", "列出各年份节假日安排的来源（用户录入、内置或未录入）", cmd_list)
    p.add_argument("--year", type=int, help="只看这一年，并列出每个放假日和调休上班日")


def cmd_import(args) -> int:
    from models import holiday_import as H

    def work(store) -> int:
        parsed = H.read_schedule(args.file, args.year)
        r = H.import_schedule(store, parsed, today_of(args), dry_run=args.dry_run)
        head = (f"（试运行，未写入）" if r.dry_run else "") + \
            f"{r.year}年节假日安排已{'替换原录入' if r.replaced and not r.dry_run else '导入' if not r.dry_run else '检查'}：" \
            f"放假{r.holidays}天，调休上班{r.workdays}天。"
        lines = [head, f"在办问题{r.open_cases}件，办结时限{'将' if r.dry_run else '已'}改动{len(r.changed)}件"
                       + (f"，{r.kept_by_hand}件的时限是手工填写的，未改动" if r.kept_by_hand else "") + "。"]
        lines += [f"　　{c.case_no}：{c.old or '（空）'} → {c.new}" for c in r.changed[:50]]
        if len(r.changed) > 50:
            lines.append(f"　　……另有{len(r.changed) - 50}件（--json 列出全部）")
        if parsed.skipped:
            lines.append(f"略过没有日期的说明文字{len(parsed.skipped)}行（{'、'.join(parsed.skipped[:3])}"
                         f"{'等' if len(parsed.skipped) > 3 else ''}）。")
        emit(args, {**r.to_json(), "skipped_lines": parsed.skipped}, lines)
        return 0
    return run(args, work, roles=OFFICE)


def cmd_list(args) -> int:
    from models import campaign
    from models import holiday_import as H

    def work(store) -> int:
        c = campaign.current(store)
        around = (int(c.start_date[:4]), int(c.end_date[:4])) if c else None
        rows = H.years(store, around)
        if args.year:
            rows = [r for r in rows if r["year"] == args.year] or \
                [r for r in H.years(store, (args.year, args.year)) if r["year"] == args.year]
            from models.cases import load_calendar
            sch = load_calendar(store).schedule_for(args.year)
            days = [] if sch is None else sorted(
                [{"date": d.isoformat(), "kind": "放假", "name": sch.names.get(d, "")} for d in sch.holidays] +
                [{"date": d.isoformat(), "kind": "上班", "name": sch.names.get(d, "")} for d in sch.workdays],
                key=lambda x: x["date"])
            rows[0]["days"] = days
        lines = []
        for r in rows:
            src = r["source"] or "未录入（期限暂按周末计算）"
            lines.append(f"{r['year']}年：{src}" + (f"，放假{r['holidays']}天，调休上班{r['workdays']}天" if r["source"] else "")
                         + (f"（录入于 {r['updated_at'][:16].replace('T', ' ')}）" if r["updated_at"] else ""))
            for d in r.get("days", []):
                lines.append(f"　　{d['date']} {d['kind']} {d['name']}".rstrip())
        emit(args, rows, lines or ["没有任何年份的节假日安排"])
        return 0
    return run(args, work, roles=None, write=False)
