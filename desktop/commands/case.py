"""case: what the 欠薪问题台账 page does to one case beyond a file's import: show it, move its
status (变更状态, with the flow and the 核处结论 the form asks for), register a repayment (登记兑付).

qingqian case show 问题编号 --db PATH
qingqian case status 问题编号 --to 状态 [--verdict 核处结论] [--path 化解途径] [--date D] [--note 说明] --db PATH
qingqian case pay 问题编号 --amount 金额 [--worker 姓名] [--date D] [--payer 支付主体] [--channel 渠道] [--reason 修改理由] --db PATH
"""
from __future__ import annotations

from desktop.commands._acting import (OFFICE_OR_FILLER, action, actions, case_id, money, parse_day, run,
                                      today_of, worker_id, workstream_name, yuan)
from desktop.commands._common import emit

CASE_HELP = "欠薪问题编号，如 QQ2026-0012"


def register(sub) -> None:
    from models.ledgers.cases import STATUSES       # the declaration only: the holiday library loads when used
    subs = actions(sub, "case", "欠薪问题：查看一件问题、变更状态（办结须填核处结论）、登记兑付")
    p = action(subs, "show", "显示一件问题：状态、金额、办结时限和状态变更记录", cmd_show)
    p.add_argument("case", help=CASE_HELP)
    p = action(subs, "status", "变更问题状态（按状态流转规则；办结须有核处结论；办公室或本专班账号）", cmd_status)
    p.add_argument("case", help=CASE_HELP)
    p.add_argument("--to", required=True, choices=STATUSES, help="新状态：" + "、".join(STATUSES))
    p.add_argument("--verdict", help="核处结论（办结时必填，可写核处结论选项中的一条）")
    p.add_argument("--path", dest="resolution_path", help="化解途径，如 企业自行支付、总包先行清偿")
    p.add_argument("--date", help="状态变更日期（默认今天）")
    p.add_argument("--note", default="", help="说明（记入状态变更记录和审计日志）")
    p = action(subs, "pay", "登记一笔兑付：付给名册中的一名农民工，或付给未列名册的问题（办公室或本专班账号）", cmd_pay)
    p.add_argument("case", help=CASE_HELP)
    p.add_argument("--amount", required=True, help="兑付金额，如 3000、0.3万")
    p.add_argument("--worker", help="农民工姓名或身份证号码（问题列有名册时必填）")
    p.add_argument("--date", help="兑付日期（默认今天）")
    p.add_argument("--payer", default="", help="支付主体，如 用人单位、总包单位")
    p.add_argument("--channel", help="兑付渠道（默认企业自行支付）")
    p.add_argument("--voucher", default="", help="凭证号")
    p.add_argument("--notes", default="", help="备注")
    p.add_argument("--reason", default="", help="修改理由：改动已审核签字台账的记录时必填（记入审计日志）")


def _case(store, cid: int) -> dict:
    row = dict(store.one("SELECT id, case_no, employer_name, project_name, status, registered_on, deadline_days, "
                         "deadline, closed_on, verdict, resolution_path, workstream_id, total_workers, total_owed_fen, "
                         "total_paid_fen, total_owed_fen - total_paid_fen AS outstanding_fen, w_count "
                         "FROM case_record WHERE id = ?", (cid,)))
    row["workstream"] = workstream_name(store, row.pop("workstream_id")) if row.get("workstream_id") else ""
    return row


def _line(c: dict) -> str:
    return (f"{c['case_no']}　{c['employer_name'] or c['project_name']}　{c['status']}　{c['total_workers']}人　"
            f"应付 {yuan(c['total_owed_fen'])} 元，已付 {yuan(c['total_paid_fen'])} 元，未付 {yuan(c['outstanding_fen'])} 元　"
            f"办结时限 {c['deadline'] or '未定'}　{c['workstream'] or '未分配专班'}")


def cmd_show(args) -> int:
    from models import cases

    def work(store) -> int:
        cid = case_id(store, args.case)
        c = _case(store, cid)
        log = cases.status_log(store, cid)
        emit(args, {**c, "status_log": log}, [_line(c), "状态变更记录："] +
             [f"　　{r['changed_on']} {r['from_status'] or '—'} → {r['to_status']}（{r['user']}）{r['note'] or ''}"
              for r in log])
    return run(args, work, roles=None, write=False)


def cmd_status(args) -> int:
    from models.cases import CaseService, StatusChange

    def work(store) -> int:
        today = today_of(args)
        cid = case_id(store, args.case)
        on = parse_day(args.date, "状态变更日期", today)
        if on > today.isoformat():
            raise ValueError(f"状态变更日期 {on} 在今天（{today}）之后")
        svc = CaseService(store, today=today)
        svc.change_status(cid, StatusChange(args.to, on, args.note.strip(), args.verdict, args.resolution_path))
        c = _case(store, cid)
        emit(args, c, f"已变更状态：{_line(c)}")
    return run(args, work, roles=OFFICE_OR_FILLER)


def cmd_pay(args) -> int:
    from models.case_workers import record_repayment

    def work(store) -> int:
        today = today_of(args)
        cid = case_id(store, args.case)
        amount = money(args.amount, "兑付金额")
        on = parse_day(args.date, "兑付日期", today)
        if on > today.isoformat():
            raise ValueError(f"兑付日期 {on} 在今天（{today}）之后")
        wid = None
        if args.worker:
            wid = worker_id(store, cid, args.worker)
        elif store.scalar("SELECT w_count FROM case_record WHERE id = ?", (cid,), 0):
            raise ValueError(f"问题 {args.case} 列有农民工名册：请用 --worker 指明付给谁")
        values = {"paid_on": on, "amount_fen": amount, "worker_id": wid, "payer": args.payer.strip(),
                  "voucher_no": args.voucher.strip(), "notes": args.notes.strip()}
        if args.channel:
            values["channel"] = args.channel.strip()
        rid = record_repayment(store, cid, values, reason=args.reason.strip())
        c = _case(store, cid)
        emit(args, {"ok": True, "repayment_id": rid, "amount_fen": amount, "paid_on": on, **c},
             [f"已登记兑付 {yuan(amount)} 元（{on}）。", _line(c)])
    return run(args, work, roles=OFFICE_OR_FILLER)
