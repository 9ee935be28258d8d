"""asset: the 资产处置及资金筹措台账's own actions, as its page does them: list, 推进进度 (forward,
or back one stage with a reason), 收入到账 (the money in: the item's last stage and a new 清欠资金).

qingqian asset list --db PATH
qingqian asset advance 编号 --to 进度 [--date D] [--note 进展] [--reason 退回原因] --db PATH
qingqian asset income 编号 --amount 金额 [--date D] [--reason 修改理由] --db PATH
"""
from __future__ import annotations

from desktop.commands._acting import NotFound, OFFICE_OR_FILLER, action, actions, money, parse_day, run, today_of, yuan
from desktop.commands._common import emit


def register(sub) -> None:
    subs = actions(sub, "asset", "资产处置及资金筹措：列出事项、推进进度、登记收入到账（形成清欠资金）")
    action(subs, "list", "列出各事项的类别、进度和到账金额", cmd_list)
    p = action(subs, "advance", "推进事项进度（可跳过中间步骤；退回只能一步，须写原因；办公室或本专班账号）", cmd_advance)
    p.add_argument("item", help="事项编号（见 asset list）")
    p.add_argument("--to", required=True, help="推进至哪一进度，如 评估、挂牌")
    p.add_argument("--date", help="进度日期（默认今天）")
    p.add_argument("--note", default="", help="进展情况")
    p.add_argument("--reason", default="", help="退回原因（退回一步时必填）")
    p = action(subs, "income", "登记收入到账：事项到最后一步，并在清欠资金台账生成一笔资金（办公室或本专班账号）", cmd_income)
    p.add_argument("item", help="事项编号（见 asset list）")
    p.add_argument("--amount", required=True, help="到账金额，如 650000 或 65万")
    p.add_argument("--date", help="到账日期（默认今天）")
    p.add_argument("--reason", default="", help="修改理由：改动已审核签字台账的记录时必填（记入审计日志）")


def _item(store, no: str) -> dict:
    row = store.one("SELECT id, item_no, category, name, stage, stage_on, income_fen, "
                    "(SELECT fund_no FROM fund f WHERE f.id = a.fund_id) AS fund_no FROM asset_item a "
                    "WHERE item_no = ? AND deleted_at IS NULL", (no.strip(),))
    if row is None:
        raise NotFound(f"没有编号为“{no}”的资产处置或资金筹措事项")
    return dict(row)


def _line(r: dict) -> str:
    money = f"，到账 {yuan(r['income_fen'])} 元（{r['fund_no']}）" if r.get("fund_no") else ""
    return f"{r['item_no']}　{r['category']}　{r['name']}　进度：{r['stage'] or '未填'}（{r['stage_on'] or '—'}）{money}"


def cmd_list(args) -> int:
    def work(store) -> int:
        rows = [_item(store, r[0]) for r in store.query(
            "SELECT item_no FROM asset_item WHERE deleted_at IS NULL ORDER BY workstream_id, item_no")]
        emit(args, rows, [_line(r) for r in rows] or ["还没有资产处置或资金筹措事项"])
    return run(args, work, roles=None, write=False)


def cmd_advance(args) -> int:
    from models import assets

    def work(store) -> int:
        today = today_of(args)
        it = _item(store, args.item)
        on = parse_day(args.date, "进度日期", today)
        if on > today.isoformat():
            raise ValueError(f"进度日期 {on} 在今天（{today}）之后")
        assets.advance_stage(store, it["id"], args.to.strip(), on, args.note.strip(), reason=args.reason.strip())
        it = _item(store, args.item)
        emit(args, it, f"已推进：{_line(it)}")
    return run(args, work, roles=OFFICE_OR_FILLER)


def cmd_income(args) -> int:
    from models import assets

    def work(store) -> int:
        today = today_of(args)
        it = _item(store, args.item)
        on = parse_day(args.date, "到账日期", today)
        if on > today.isoformat():
            raise ValueError(f"到账日期 {on} 在今天（{today}）之后")
        assets.record_income(store, it["id"], money(args.amount, "到账金额"), on, reason=args.reason.strip())
        it = _item(store, args.item)
        emit(args, it, f"已登记收入到账，形成清欠资金 {it['fund_no']}：{_line(it)}")
    return run(args, work, roles=OFFICE_OR_FILLER)
