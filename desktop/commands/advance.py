"""advance: 垫付追偿 — wages advanced from the emergency fund or a wage deposit, and their
recovery from the employer until 已追回 (or 核销).

qingqian advance list [--status 追偿中|已追回|核销] --db PATH
qingqian advance add --case 问题编号 --amount 金额 (--fund 资金编号 | --deposit 保证金) [--date D] [--reason 修改理由] --db PATH
qingqian advance recover 垫付编号 --amount 金额 [--date D] [--voucher 凭证号] [--reason 修改理由] --db PATH
qingqian advance writeoff 垫付编号 --reason 核销原因 [--date D] --db PATH
qingqian advance show 垫付编号 --db PATH

A signed-off (审核签字) ledger changes only with a person's own reason: --reason (for writeoff the
核销原因, the person's own words for the change).
"""
from __future__ import annotations

from desktop.commands._acting import (NotFound, OFFICE, OFFICE_OR_FILLER, action, actions, case_id, money, parse_day,
                                      run, today_of, yuan)
from desktop.commands._common import emit

REASON_HELP = "修改理由：改动已审核签字台账的记录时必填（记入审计日志）"


def register(sub) -> None:
    subs = actions(sub, "advance", "垫付追偿：登记应急周转金或工资保证金垫付（同时逐人兑付）、登记追回、核销")
    p = action(subs, "list", "列出垫付及追偿情况", cmd_list)
    p.add_argument("--status", choices=("追偿中", "已追回", "核销"), help="只列出该追偿状态的垫付")
    p = action(subs, "add", "登记一笔垫付，同时按农民工名单逐人登记兑付", cmd_add)
    p.add_argument("--case", required=True, help="欠薪问题编号")
    p.add_argument("--amount", required=True, help="垫付金额，如 30000 或 3万")
    p.add_argument("--fund", help="动用的应急周转金的资金编号，如 ZJ2026-002")
    p.add_argument("--deposit", help="动用的工资保证金（项目或账户名称）；与 --fund 二选一")
    p.add_argument("--date", help="垫付日期（默认今天）")
    p.add_argument("--responsible", default="", help="追偿责任人")
    p.add_argument("--notes", default="", help="备注")
    p.add_argument("--reason", default="", help=REASON_HELP)
    p = action(subs, "recover", "登记向用人单位追回的一笔垫付资金（追回应急周转金的，回到该笔资金余额）", cmd_recover)
    p.add_argument("advance", help="垫付编号，如 DF2026-001")
    p.add_argument("--amount", required=True, help="追回金额")
    p.add_argument("--date", help="追回日期（默认今天）")
    p.add_argument("--voucher", default="", help="收款凭证号")
    p.add_argument("--payer", default="", help="缴回单位（默认追偿对象）")
    p.add_argument("--reason", default="", help=REASON_HELP)
    p = action(subs, "writeoff", "经批准核销一笔垫付尚未追回的部分（须办公室账号）", cmd_writeoff)
    p.add_argument("advance", help="垫付编号，如 DF2026-001")
    p.add_argument("--reason", required=True, help="核销原因（如经领导小组研究同意核销）；记入审计日志，"
                                                    "也作为改动已审核签字台账的修改理由")
    p.add_argument("--date", help="核销日期（默认今天）")
    p = action(subs, "show", "显示一笔垫付及其追回明细", cmd_show)
    p.add_argument("advance", help="垫付编号，如 DF2026-001")


def _advance(store, no: str) -> dict:
    from models.advances import advance_rows
    rows = advance_rows(store, "AND a.advance_no = ?", (no.strip(),))
    if not rows:
        raise NotFound(f"没有编号为“{no}”的垫付（或已移入回收站）")
    return rows[0]


def _line(a: dict) -> str:
    src = a["source"] + (f" {a['fund_no']}" if a["fund_no"] else (f"（{a['deposit_ref']}）" if a["deposit_ref"] else ""))
    return (f"{a['advance_no']}　{a['advanced_on']}　{src}　{a['case_no']}　{a['employer'] or '（未定追偿对象）'}　"
            f"垫付 {yuan(a['amount_fen'])} 元，已追回 {yuan(a['recovered_fen'])} 元，尚未追回 {yuan(a['outstanding_fen'])} 元，"
            f"{a['status']}")


def cmd_list(args) -> int:
    from models.advances import advance_rows

    def work(store) -> int:
        rows = advance_rows(store)
        if args.status:
            rows = [r for r in rows if r["status"] == args.status]
        emit(args, rows, [_line(r) for r in rows] or ["还没有垫付记录"])
    return run(args, work, roles=None, write=False)


def cmd_add(args) -> int:
    from models.advances import record_advance

    def work(store) -> int:
        today = today_of(args)
        store.today = today
        if bool(args.fund) == bool(args.deposit):
            raise ValueError("请用 --fund 指明动用的应急周转金，或用 --deposit 指明动用的工资保证金（二选一）")
        cid = case_id(store, args.case)
        amount = money(args.amount, "垫付金额")
        if amount <= 0:
            raise ValueError("垫付金额应大于零")
        on = parse_day(args.date, "垫付日期", today)          # a day after today: refused by the service
        values = {"case_id": cid, "amount_fen": amount, "advanced_on": on, "responsible": args.responsible.strip(),
                  "notes": args.notes.strip()}
        if args.fund:
            fid = store.scalar("SELECT id FROM fund WHERE fund_no = ? AND deleted_at IS NULL", (args.fund.strip(),))
            if fid is None:
                raise NotFound(f"没有编号为“{args.fund}”的清欠资金（或已移入回收站）")
            values.update(source="应急周转金", fund_id=fid)
        else:
            values.update(source="工资保证金", deposit_ref=args.deposit.strip())
        aid = record_advance(store, values, today, reason=args.reason.strip())
        a = _advance(store, store.scalar("SELECT advance_no FROM advance WHERE id = ?", (aid,)))
        whom = (f"兑付给 {a['workers_paid']} 名农民工" if a["workers_paid"]
                else f"兑付给问题 {a['case_no']}（未列农民工名单）")
        emit(args, {"ok": True, **a}, [f"已登记垫付 {a['advance_no']}：{yuan(amount)} 元{whom}（{on}）。",
                                       f"追偿对象：{a['employer'] or '（未定）'}，状态：{a['status']}。"])
    return run(args, work, roles=OFFICE_OR_FILLER)


def cmd_recover(args) -> int:
    from models.advances import record_recovery

    def work(store) -> int:
        today = today_of(args)
        store.today = today
        a = _advance(store, args.advance)
        amount = money(args.amount, "追回金额")
        on = parse_day(args.date, "追回日期", today)          # a day after today: refused by the service
        record_recovery(store, a["id"], amount, on, payer=args.payer.strip(), voucher_no=args.voucher.strip(),
                        today=today, reason=args.reason.strip())
        a = _advance(store, args.advance)
        back = f"，已回到资金 {a['fund_no']}" if a["fund_no"] else ""
        emit(args, {"ok": True, **a}, f"已登记 {a['advance_no']} 追回 {yuan(amount)} 元（{on}）{back}；"
                                      f"累计追回 {yuan(a['recovered_fen'])} 元，尚未追回 {yuan(a['outstanding_fen'])} 元，{a['status']}。")
    return run(args, work, roles=OFFICE_OR_FILLER)


def cmd_writeoff(args) -> int:
    from models.advances import write_off

    def work(store) -> int:
        today = today_of(args)
        store.today = today
        a = _advance(store, args.advance)
        if a["status"] != "追偿中":
            raise ValueError(f"垫付 {a['advance_no']} 已是“{a['status']}”，无需核销")
        on = parse_day(args.date, "核销日期", today)
        write_off(store, a["id"], on, args.reason, today)
        emit(args, {"ok": True, "advance_no": a["advance_no"], "written_off_fen": a["outstanding_fen"]},
             f"已核销 {a['advance_no']} 尚未追回的 {yuan(a['outstanding_fen'])} 元（{on}）：{args.reason.strip()}")
    return run(args, work, roles=OFFICE)


def cmd_show(args) -> int:
    from models.advances import recoveries

    def work(store) -> int:
        a = _advance(store, args.advance)
        rec = recoveries(store, a["id"])
        emit(args, {**a, "recoveries": rec}, [_line(a)] + [
            f"　　{r['recovered_on']}　追回 {yuan(r['amount_fen'])} 元　{r['payer'] or ''}　{r['voucher_no'] or ''}"
            for r in rec] + ([f"　　核销：{a['written_off_on']}，{a['writeoff_reason']}"] if a["written_off_on"] else []))
    return run(args, work, roles=None, write=False)
