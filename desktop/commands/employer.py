"""employer: 一企一策 — the employers and their arrears, one employer's page, and its printout.

qingqian employer list [--search 文字] --db PATH
qingqian employer show 单位名称 --db PATH [--json]
qingqian employer print 单位名称 --out F.pdf|F.docx --db PATH
qingqian employer plan 单位名称 --measure 措施 --responsible 责任人 --due D [--start D] --db PATH
"""
from __future__ import annotations

from desktop.commands._acting import NotFound, OFFICE_OR_FILLER, action, actions, parse_day, run, today_of, yuan
from desktop.commands._common import emit


def register(sub) -> None:
    subs = actions(sub, "employer", "一企一策：列出用人单位及其欠薪、查看一家单位的一企一策台账、打印、登记措施")
    p = action(subs, "list", "列出用人单位：欠薪问题数、尚未支付金额、措施数和失信名单状态", cmd_list)
    p.add_argument("--search", default="", help="按单位名称、信用代码或法定代表人筛选")
    p = action(subs, "show", "显示一家用人单位的一企一策台账（欠薪、工程款、失信、排查、信访、垫付、措施）", cmd_show)
    p.add_argument("name", help="单位名称（全称、统一社会信用代码，或能唯一确定单位的部分名称）")
    p = action(subs, "print", "把一家用人单位的一企一策台账打印为 PDF（文件名以 .docx 结尾则生成 Word）", cmd_print)
    p.add_argument("name", help="单位名称（全称、统一社会信用代码，或能唯一确定单位的部分名称）")
    p.add_argument("--out", required=True, help="输出文件路径（.pdf 或 .docx）")
    p = action(subs, "plan", "为一家用人单位登记一项一企一策措施", cmd_plan)
    p.add_argument("name", help="单位名称（全称、统一社会信用代码，或能唯一确定单位的部分名称）")
    p.add_argument("--measure", required=True, help="化解措施")
    p.add_argument("--responsible", required=True, help="责任人")
    p.add_argument("--due", required=True, help="完成时限，如 2026-12-31")
    p.add_argument("--start", help="开始日期（默认今天）")
    p.add_argument("--progress", default="", help="进展情况")


def _employer(store, text: str) -> dict:
    from models.employers import find_employer
    e = find_employer(store, text)
    if e is None:
        raise NotFound(f"没有名为“{text}”的用人单位（或名称不唯一，请写全称）")
    return e


def cmd_list(args) -> int:
    from models.employers import list_employers

    def work(store) -> int:
        rows = list_employers(store, args.search)
        emit(args, rows, [f"{r['name']}　欠薪问题 {r['case_count']} 件，尚未支付 {yuan(r['outstanding_fen'])} 元，"
                          f"措施 {r['plans']} 项" + (f"，失信名单：{r['blacklist_status']}" if r["blacklist_status"] else "")
                          for r in rows] or ["没有符合条件的用人单位"])
    return run(args, work, roles=None, write=False)


def cmd_show(args) -> int:
    from models.employers import employer_page

    def work(store) -> int:
        today = today_of(args)
        store.today = today
        e = _employer(store, args.name)
        p = employer_page(store, e["id"], today)
        t = p["totals"]
        lines = [f"一企一策：{e['name']}（截至 {today}）",
                 f"欠薪问题 {t['cases']} 件（在办 {t['open_cases']} 件），涉及农民工 {t['workers']} 人；"
                 f"拖欠 {yuan(t['owed_fen'])} 元，已支付 {yuan(t['paid_fen'])} 元，尚未支付 {yuan(t['outstanding_fen'])} 元",
                 f"拖欠工程款 {len(p['contracts'])} 笔 {yuan(p['contract_owed_fen'])} 元；失信名单：{p['blacklist_status']}；"
                 f"排查 {len(p['inspections'])} 次，未销号隐患 {p['open_hazards']} 条；信访 {len(p['petitions'])} 件",
                 f"垫付 {len(p['advances'])} 笔 {yuan(p['advance_fen'])} 元，已追回 {yuan(p['advance_recovered_fen'])} 元，"
                 f"尚未追回 {yuan(p['advance_outstanding_fen'])} 元",
                 f"一企一策措施 {len(p['plans'])} 项："]
        lines += [f"　　{n}. {x['measure']}（责任人 {x['responsible']}，时限 {x['due_on']}，{x['status']}"
                  f"{'，已逾期' if x['overdue'] else ''}，进度 {x['progress_pct'] or 0}%）"
                  for n, x in enumerate(p["plans"], 1)] or ["　　（尚未制定）"]
        emit(args, p, lines)
    return run(args, work, roles=None, write=False)


def cmd_print(args) -> int:
    from pathlib import Path

    from models.reports.employer import build

    def work(store) -> int:
        today = today_of(args)
        store.today = today
        e = _employer(store, args.name)
        out = Path(args.out)
        if out.suffix.lower() not in (".pdf", ".docx"):
            raise ValueError(f"输出文件“{out.name}”应以 .pdf 或 .docx 结尾")
        try:
            r = build(store, out, e["id"], today)
        except OSError as exc:
            raise ValueError(f"无法写入 {out}：{exc.strerror or exc}") from None
        emit(args, {"ok": True, "path": str(r.path), "pages": r.pages, "employer": e["name"], "passed": r.passed},
             f"已生成 {r.title}：{r.path}" + (f"（{r.pages} 页）" if r.pages else ""))
    return run(args, work, roles=None, write=False)


def cmd_plan(args) -> int:
    from models.ledger.service import service_for

    def work(store) -> int:
        today = today_of(args)
        store.today = today
        e = _employer(store, args.name)
        due = parse_day(args.due, "完成时限")
        start = parse_day(args.start, "开始日期", today)
        with store.tx(label="登记一企一策措施"):
            pid = service_for(store, "employer_plans", today).insert(
                {"employer_id": e["id"], "measure": args.measure.strip(), "responsible": args.responsible.strip(),
                 "start_on": start, "due_on": due, "progress": args.progress.strip(), "progress_pct": 0,
                 "status": "推进中"})
        emit(args, {"ok": True, "id": pid, "employer": e["name"]},
             f"已为 {e['name']} 登记一企一策措施：{args.measure.strip()}（责任人 {args.responsible.strip()}，时限 {due}）")
    return run(args, work, roles=OFFICE_OR_FILLER)
