"""contract: the 拖欠工程款台账's own action, as its page does it: list the arrears and their
instalments, 登记还款 against one instalment (added to 已付工程款).

qingqian contract list --db PATH
qingqian contract pay 编号 --seq 期次 --amount 金额 [--date D] [--reason 修改理由] --db PATH
"""
from __future__ import annotations

from desktop.commands._acting import NotFound, OFFICE_OR_FILLER, action, actions, money, parse_day, run, today_of, yuan
from desktop.commands._common import emit


def register(sub) -> None:
    subs = actions(sub, "contract", "拖欠工程款：列出台账和还款计划、按期登记还款")
    action(subs, "list", "列出拖欠工程款及各期还款计划", cmd_list)
    p = action(subs, "pay", "按期登记还款，计入已付工程款（办公室或本专班账号）", cmd_pay)
    p.add_argument("arrear", help="拖欠工程款编号（见 contract list）")
    p.add_argument("--seq", type=int, required=True, help="还款计划的期次，如 1")
    p.add_argument("--amount", required=True, help="还款金额，如 200000 或 20万")
    p.add_argument("--date", help="还款日期（默认今天）")
    p.add_argument("--reason", default="", help="修改理由：改动已审核签字台账的记录时必填（记入审计日志）")


def _rows(store) -> list[dict]:
    out = []
    for c in store.query("SELECT id, arrear_no, project_name FROM contract_arrear WHERE deleted_at IS NULL "
                         "ORDER BY arrear_no"):
        plan = [dict(r) for r in store.query(
            "SELECT id, seq, due_on, amount_fen, paid_amount_fen FROM contract_instalment WHERE contract_id = ? "
            "AND deleted_at IS NULL ORDER BY seq", (c["id"],))]
        out.append({"arrear_no": c["arrear_no"], "project_name": c["project_name"], "instalments": plan})
    return out


def cmd_list(args) -> int:
    def work(store) -> int:
        rows = _rows(store)
        lines = []
        for c in rows:
            lines.append(f"{c['arrear_no']}　{c['project_name']}")
            lines += [f"　　第{i['seq']}期　{i['due_on']}　计划 {yuan(i['amount_fen'])} 元，已还 {yuan(i['paid_amount_fen'])} 元"
                      for i in c["instalments"]]
        emit(args, rows, lines or ["还没有拖欠工程款记录"])
    return run(args, work, roles=None, write=False)


def cmd_pay(args) -> int:
    from models import contracts

    def work(store) -> int:
        today = today_of(args)
        row = store.one("SELECT i.id, c.arrear_no FROM contract_instalment i "
                        "JOIN contract_arrear c ON c.id = i.contract_id "
                        "WHERE c.arrear_no = ? AND i.seq = ? AND i.deleted_at IS NULL AND c.deleted_at IS NULL",
                        (args.arrear.strip(), args.seq))
        if row is None:
            raise NotFound(f"拖欠工程款“{args.arrear}”没有第{args.seq}期还款计划")
        on = parse_day(args.date, "还款日期", today)
        amount = money(args.amount, "还款金额")
        # the dates a payment may have (not after today, not before the contract was on the
        # ledger) are the service's rules, the same for every path
        contracts.pay_instalment(store, row["id"], amount, on, args.reason.strip(), today=today)
        i = store.one("SELECT amount_fen, paid_amount_fen FROM contract_instalment WHERE id = ?", (row["id"],))
        emit(args, {"ok": True, "arrear_no": row["arrear_no"], "seq": args.seq, "amount_fen": amount,
                    "paid_amount_fen": i["paid_amount_fen"], "planned_fen": i["amount_fen"]},
             f"已登记 {row['arrear_no']} 第{args.seq}期还款 {yuan(amount)} 元（{on}），本期已还 {yuan(i['paid_amount_fen'])} 元。")
    return run(args, work, roles=OFFICE_OR_FILLER)
