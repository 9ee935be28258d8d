"""inspection: the 欠薪隐患排查台账's own action, as its page does it: list the hazards still being
rectified, and 整改销号.

qingqian inspection list [--all] --db PATH
qingqian inspection close 编号 [--date D] [--note 整改情况] [--reason 修改理由] --db PATH
"""
from __future__ import annotations

from desktop.commands._acting import NotFound, OFFICE_OR_FILLER, action, actions, parse_day, run, today_of
from desktop.commands._common import emit


def register(sub) -> None:
    subs = actions(sub, "inspection", "欠薪隐患排查：列出整改中的隐患、整改销号")
    p = action(subs, "list", "列出整改中的隐患", cmd_list)
    p.add_argument("--all", action="store_true", help="列出全部排查记录（含无隐患和已销号的）")
    p = action(subs, "close", "隐患整改销号（办公室或本专班账号）", cmd_close)
    p.add_argument("inspection", help="排查记录编号（见 inspection list）")
    p.add_argument("--date", help="销号日期（默认今天）")
    p.add_argument("--note", default="", help="整改情况")
    p.add_argument("--reason", default="", help="修改理由：该记录所属台账已审核签字时必填（记入审计日志）")


def _rows(store, everything: bool) -> list[dict]:
    from models.inspections import OPEN_STATUSES
    marks = ",".join("?" * len(OPEN_STATUSES))
    where = "" if everything else f" AND status IN ({marks})"
    return [dict(r) for r in store.query(
        "SELECT insp_no, inspected_on, target_name, hazard, status, rectify_by, closed_on FROM inspection "
        f"WHERE deleted_at IS NULL{where} ORDER BY inspected_on, id", () if everything else tuple(OPEN_STATUSES))]


def cmd_list(args) -> int:
    def work(store) -> int:
        rows = _rows(store, args.all)
        emit(args, rows, [f"{r['insp_no']}　{r['inspected_on']}　{r['target_name']}　{r['hazard'] or '（无隐患）'}　"
                          f"{r['status']}" + (f"，时限 {r['rectify_by']}" if r["rectify_by"] else "") for r in rows]
             or ["没有整改中的隐患"])
    return run(args, work, roles=None, write=False)


def cmd_close(args) -> int:
    from models import inspections

    def work(store) -> int:
        today = today_of(args)
        iid = store.scalar("SELECT id FROM inspection WHERE insp_no = ? AND deleted_at IS NULL",
                           (args.inspection.strip(),))
        if iid is None:
            raise NotFound(f"没有编号为“{args.inspection}”的排查记录")
        on = parse_day(args.date, "销号日期", today)
        if on > today.isoformat():
            raise ValueError(f"销号日期 {on} 在今天（{today}）之后")
        inspections.close_hazard(store, iid, on, args.note.strip(), reason=args.reason.strip())
        r = store.one("SELECT insp_no, target_name, status, closed_on FROM inspection WHERE id = ?", (iid,))
        emit(args, dict(r), f"已销号：{r['insp_no']} {r['target_name']}（{r['closed_on']}）")
    return run(args, work, roles=OFFICE_OR_FILLER)
