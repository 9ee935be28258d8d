"""fund: the 清欠资金台账 as its page does it: funds and their balances, a fund received, its
money allocated to a case (which records the repayments it pays for), an allocation taken back.

qingqian fund list --db PATH
qingqian fund add --channel 渠道 --amount 金额 [--source 来源] [--date D] [--account 账户] --db PATH
qingqian fund allocate 资金编号 --case 问题编号 --amount 金额 [--worker 姓名] [--date D] [--notes] [--reason 修改理由] --db PATH
qingqian fund allocations 资金编号 --db PATH
qingqian fund cancel 分配编号 [--reason 理由] --db PATH
"""
from __future__ import annotations

from desktop.commands._acting import (NotFound, OFFICE_OR_FILLER, action, actions, case_id, money, parse_day, run,
                                      today_of, worker_id, yuan)
from desktop.commands._common import emit


def register(sub) -> None:
    from models.ledgers.funds import CHANNEL_WORKSTREAM
    channels = "、".join(CHANNEL_WORKSTREAM)
    subs = actions(sub, "fund", "清欠资金：列出余额、登记到位资金、分配给欠薪问题（按农民工逐人兑付）、撤销分配")
    action(subs, "list", "列出各笔清欠资金的到位金额、已分配和余额", cmd_list)
    p = action(subs, "add", "登记一笔到位的清欠资金（资金编号自动编排，责任专班按筹措渠道）", cmd_add)
    p.add_argument("--channel", required=True, help=f"筹措渠道：{channels}")
    p.add_argument("--amount", required=True, help="到位金额，如 500000、50万 或 ￥500,000.00")
    p.add_argument("--source", default="", help="资金来源说明")
    p.add_argument("--date", help="到位日期（默认今天）")
    p.add_argument("--account", default="", help="存放账户")
    p.add_argument("--notes", default="", help="备注")
    p = action(subs, "allocate", "把一笔资金分配给欠薪问题，同时逐人登记兑付记录", cmd_allocate)
    p.add_argument("fund", help="资金编号，如 ZJ2026-001")
    p.add_argument("--case", required=True, help="欠薪问题编号，如 QQ2026-0012")
    p.add_argument("--amount", required=True, help="分配金额，如 50000 或 5万")
    p.add_argument("--worker", help="只付给这名农民工（姓名或身份证号码）；不写则按名单顺序分给尚有欠发的农民工")
    p.add_argument("--date", help="分配（兑付）日期（默认今天）")
    p.add_argument("--notes", default="", help="备注")
    p.add_argument("--reason", default="", help="修改理由：改动已审核签字台账的记录时必填（记入审计日志）")
    p = action(subs, "allocations", "列出一笔资金的分配明细", cmd_allocations)
    p.add_argument("fund", help="资金编号，如 ZJ2026-001")
    p = action(subs, "cancel", "撤销一笔分配：分配和它的兑付记录一并移入回收站，余额和实发工资随之恢复", cmd_cancel)
    p.add_argument("allocation", type=int, help="分配编号（见 fund allocations）")
    p.add_argument("--reason", default="", help="撤销理由（记入审计日志；改动已审核签字台账时必填）")


def _fund(store, fund_no: str) -> dict:
    row = store.one("SELECT id, fund_no, channel, source, received_fen, received_on FROM fund "
                    "WHERE fund_no = ? AND deleted_at IS NULL", (fund_no.strip(),))
    if row is None:
        raise NotFound(f"没有编号为“{fund_no}”的清欠资金（或已移入回收站）")
    return dict(row)


def cmd_list(args) -> int:
    from models import funds

    def work(store) -> int:
        rows = [dict(r) for r in store.query(
            "SELECT f.id, f.fund_no, f.channel, f.source, f.received_on, f.received_fen, "
            "(SELECT name FROM workstream w WHERE w.id = f.workstream_id) AS workstream "
            "FROM fund f WHERE f.deleted_at IS NULL ORDER BY f.received_on, f.id")]
        for r in rows:
            r["allocated_fen"] = funds.allocated(store, r["id"])
            r["recovered_fen"] = funds.recovered(store, r["id"])          # 垫付追回, back in the fund
            r["balance_fen"] = funds.balance(store, r["id"])
        emit(args, rows, [f"{r['fund_no']}　{r['channel']}　{r['source'] or ''}　到位 {yuan(r['received_fen'])} 元"
                          f"（{r['received_on'] or '未到位'}），"
                          + (f"追回回流 {yuan(r['recovered_fen'])} 元，" if r["recovered_fen"] else "")
                          + f"已分配 {yuan(r['allocated_fen'])} 元，"
                          f"余额 {yuan(r['balance_fen'])} 元" for r in rows] or ["还没有清欠资金"])
    return run(args, work, roles=None, write=False)


def cmd_add(args) -> int:
    from models import funds
    from models.ledgers.funds import CHANNEL_WORKSTREAM

    def work(store) -> int:
        today = today_of(args)
        if args.channel not in CHANNEL_WORKSTREAM:
            raise ValueError(f"筹措渠道“{args.channel}”无效（可选：{'、'.join(CHANNEL_WORKSTREAM)}）")
        amount = money(args.amount, "到位金额")
        if amount <= 0:
            raise ValueError("到位金额应大于零")
        on = parse_day(args.date, "到位日期", today)
        if on > today.isoformat():          # money not yet received is not 到位 (as allocate, advance, income)
            raise ValueError(f"到位日期 {on} 在今天（{today}）之后：资金到位后再登记")
        svc_today = today
        from models.ledger.service import service_for
        svc = service_for(store, "funds", svc_today)
        fid = svc.insert({"fund_no": funds.next_fund_no(store, today), "channel": args.channel,
                          "source": args.source.strip(), "received_fen": amount, "planned_fen": amount,
                          "received_on": on, "account": args.account.strip(), "notes": args.notes.strip()})
        f = store.one("SELECT fund_no, (SELECT name FROM workstream w WHERE w.id = fund.workstream_id) AS ws "
                      "FROM fund WHERE id = ?", (fid,))
        emit(args, {"ok": True, "id": fid, "fund_no": f["fund_no"], "received_fen": amount, "received_on": on,
                    "workstream": f["ws"]},
             f"已登记清欠资金 {f['fund_no']}：{args.channel}，到位 {yuan(amount)} 元（{on}），责任专班 {f['ws'] or '未定'}。")
    return run(args, work, roles=OFFICE_OR_FILLER)


def cmd_allocate(args) -> int:
    from models import funds

    def work(store) -> int:
        today = today_of(args)
        f = _fund(store, args.fund)
        cid = case_id(store, args.case)
        amount = money(args.amount, "分配金额")
        on = parse_day(args.date, "分配日期", today)
        if on > today.isoformat():
            raise ValueError(f"分配日期 {on} 在今天（{today}）之后")
        wid = worker_id(store, cid, args.worker) if args.worker else None
        ids = funds.allocate(store, f["id"], cid, amount, on, worker_id=wid, notes=args.notes.strip(),
                             reason=args.reason.strip())
        left = funds.balance(store, f["id"])
        owed = store.scalar("SELECT total_owed_fen - total_paid_fen FROM case_record WHERE id = ?", (cid,), 0)
        emit(args, {"ok": True, "fund_no": f["fund_no"], "case_no": args.case.strip(), "amount_fen": amount,
                    "allocations": ids, "repayments": len(ids), "balance_fen": left, "case_outstanding_fen": owed},
             [f"已从 {f['fund_no']} 分配 {yuan(amount)} 元给 {args.case.strip()}，登记兑付 {len(ids)} 笔（{on}）。",
              f"资金余额 {yuan(left)} 元；该问题尚未支付 {yuan(owed)} 元。"])
    return run(args, work, roles=OFFICE_OR_FILLER)


def cmd_allocations(args) -> int:
    def work(store) -> int:
        f = _fund(store, args.fund)
        rows = [dict(r) for r in store.query(
            "SELECT a.id, c.case_no, w.name AS worker, a.amount_fen, a.allocated_on, a.repayment_id "
            "FROM fund_allocation a "
            "JOIN case_record c ON c.id = a.case_id LEFT JOIN worker w ON w.id = a.worker_id "
            "WHERE a.fund_id = ? AND a.deleted_at IS NULL ORDER BY a.allocated_on, a.id", (f["id"],))]
        emit(args, rows, [f"{f['fund_no']} 的分配明细（{len(rows)}笔）："] +
             [f"　　{r['id']}　{r['allocated_on']}　{r['case_no']}　{r['worker'] or '（未列名单）'}　{yuan(r['amount_fen'])} 元"
              for r in rows])
    return run(args, work, roles=None, write=False)


def cmd_cancel(args) -> int:
    from models import funds

    def work(store) -> int:
        row = store.one("SELECT a.amount_fen, f.fund_no, c.case_no FROM fund_allocation a "
                        "JOIN fund f ON f.id = a.fund_id JOIN case_record c ON c.id = a.case_id "
                        "WHERE a.id = ? AND a.deleted_at IS NULL", (args.allocation,))
        if row is None:
            raise NotFound(f"没有编号为 {args.allocation} 的分配记录（或已撤销）")
        if not args.reason.strip():
            raise ValueError("撤销分配须说明理由")
        funds.cancel_allocation(store, args.allocation, args.reason.strip())
        emit(args, {"ok": True, "allocation": args.allocation, "fund_no": row["fund_no"], "case_no": row["case_no"],
                    "amount_fen": row["amount_fen"]},
             f"已撤销 {row['fund_no']} 给 {row['case_no']} 的 {yuan(row['amount_fen'])} 元分配，兑付记录一并移入回收站。")
    return run(args, work, roles=OFFICE_OR_FILLER)
