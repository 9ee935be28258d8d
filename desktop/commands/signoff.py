"""signoff: 审核签字 of a workstream's ledger, as the 数据审核 page does it (models.signoff).

qingqian signoff status --db PATH
qingqian signoff findings --workstream 专班 --db PATH
qingqian signoff sign --workstream 专班 [--as-of D] [--reason 问题代码=理由 …] [--reason-all 理由] --db PATH

A ledger is signed once its checks pass, or with a written reason for each finding left open
(the codes ``findings`` prints). After that, changes to its records need a reason.
"""
from __future__ import annotations

from desktop.commands._acting import NotFound, OFFICE_OR_FILLER, action, actions, parse_day, run, today_of, workstream
from desktop.commands._common import emit


def register(sub) -> None:
    subs = actions(sub, "signoff", "审核签字：查看各专班签字情况、列出待说明的审核问题、为专班台账签字")
    action(subs, "status", "列出各专班台账最近一次审核签字", cmd_status)
    p = action(subs, "findings", "列出一个专班台账的审核问题及其代码（签字时逐条说明理由用）", cmd_findings)
    p.add_argument("--workstream", required=True, help="专班名称（可写其中能区分的一部分）")
    p = action(subs, "sign", "为专班台账签字：审核通过即签，有问题须逐条说明理由（办公室或本专班账号）", cmd_sign)
    p.add_argument("--workstream", required=True, help="签字的专班（可写其中能区分的一部分）")
    p.add_argument("--as-of", help="台账截至日期（默认今天）")
    p.add_argument("--reason", action="append", default=[], metavar="代码=理由",
                   help="对一处审核问题说明理由（代码见 signoff findings），可重复")
    p.add_argument("--reason-all", metavar="理由", help="对其余每一处审核问题都用这条理由")


def _status_line(s: dict) -> str:
    if not s["signed_at"]:
        return f"{s['workstream']}：尚未签字"
    state = "审核通过" if s["passed"] else "有问题已说明理由"
    return f"{s['workstream']}：截至 {s['as_of']}，{s.get('signer') or s['signed_by']} 于 {s['signed_at'].replace('T', ' ')[:16]} 签字（{state}）"


def _status_json(s: dict) -> dict:
    return {k: s[k] for k in ("workstream", "as_of", "signed_by", "signed_at", "passed")}


def cmd_status(args) -> int:
    from models import signoff

    def work(store) -> int:
        rows = signoff.signoffs(store)
        emit(args, [_status_json(s) for s in rows], [_status_line(s) for s in rows])
    return run(args, work, roles=None, write=False)


def _findings(store, ws: int, today):
    from models import checks, signoff
    from models.checks_incremental import check
    # the kept result brought up to date (equal to a full run), not stored: a refused sign-off writes nothing
    report, _done = check(store, today, keep=False)
    return signoff.findings_for(store, report, ws), checks.rule_titles()


def cmd_findings(args) -> int:
    from models import signoff

    def work(store) -> int:
        ws = workstream(store, args.workstream)
        found, titles = _findings(store, ws, today_of(args))
        emit(args, [{"code": signoff.finding_key(f), **f.to_json()} for f in found],
             [f"审核问题{len(found)}处" + ("，可以直接签字。" if not found else "（签字时须逐条说明理由）：")] +
             [f"　　{signoff.finding_key(f)}　[{titles.get(f.rule, f.rule)}] {f.label}：{f.message}" for f in found])
    return run(args, work, roles=None, write=False)


def cmd_sign(args) -> int:
    from models import signoff

    def work(store) -> int:
        today = today_of(args)
        ws = workstream(store, args.workstream)
        as_of = parse_day(args.as_of, "截至日期", today)
        if as_of > today.isoformat():
            raise ValueError(f"截至日期 {as_of} 在今天（{today}）之后")
        reasons: dict[str, str] = {}
        for item in args.reason:
            code, sep, why = item.partition("=")
            if not sep or not code.strip() or not why.strip():
                raise ValueError(f"理由“{item}”应写成 代码=理由（代码见 qingqian signoff findings）")
            reasons[code.strip()] = why.strip()
        found, _titles = _findings(store, ws, today)
        keys = {signoff.finding_key(f) for f in found}
        unknown = [k for k in reasons if k not in keys]
        if unknown:
            raise NotFound(f"没有代码为“{unknown[0]}”的审核问题（用 qingqian signoff findings 查看）")
        if args.reason_all and args.reason_all.strip():
            for k in keys:
                reasons.setdefault(k, args.reason_all.strip())
        sid = signoff.sign_off(store, ws, as_of, reasons, today)
        s = next(x for x in signoff.signoffs(store) if x["workstream_id"] == ws)
        emit(args, {"ok": True, "signoff_id": sid, "findings": len(found), **_status_json(s)}, _status_line(s))
    return run(args, work, roles=OFFICE_OR_FILLER)
