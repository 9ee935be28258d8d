"""directive: 县级督办事项, kept by a county database and sent down in its 下发包.

qingqian directive add --db 县级.sqlite --content 内容 --township 乡镇 [--township …] [--due YYYY-MM-DD] [--json] [--user U]
qingqian directive list --db 县级.sqlite [--json]          each item with each township's progress (from its 报送包)
qingqian directive close --db 县级.sqlite ID [--note 说明] [--json] [--user U]     县级销号
qingqian directive cancel --db 县级.sqlite ID [--note 说明] [--json] [--user U]    撤销

Exit 0 done, 2 refused (one Chinese line on standard error, nothing changed).
"""
from __future__ import annotations

import argparse

from desktop.commands._common import add_db, add_json, emit, fail, open_store

OFFICE = ("办公室",)


def register(sub) -> None:
    p = sub.add_parser("directive", help="县级督办事项：登记、查看各乡镇进展、销号、撤销（随下发包发往乡镇）")
    words = p.add_subparsers(dest="directive_command", required=True, parser_class=type(p))

    a = words.add_parser("add", help="登记一项督办事项")
    add_db(a)
    a.add_argument("--content", required=True, help="督办事项内容")
    a.add_argument("--township", action="append", required=True,
                   help="责任乡镇（名称或乡镇代码，可写多次；写“全部”即发往本县已报送过的全部乡镇）")
    a.add_argument("--due", help="完成时限（如 2026-12-31、2026/12/31 或 2026年12月31日）")
    a.add_argument("--today", help=argparse.SUPPRESS)     # the day taken as today (scripts and tests)
    add_json(a)
    a.set_defaults(func=cmd_add)

    ls = words.add_parser("list", help="列出督办事项及各乡镇的办理进展（据各乡镇最近的报送包）")
    add_db(ls)
    ls.add_argument("--today", help=argparse.SUPPRESS)
    add_json(ls)
    ls.set_defaults(func=cmd_list)

    for word, text in (("close", "督办事项销号（县级确认办结）"), ("cancel", "撤销督办事项（乡镇的交办事项随下一个下发包移入回收站）")):
        c = words.add_parser(word, help=text)
        c.add_argument("id", type=int, help="督办事项编号（directive list 所列）")
        add_db(c)
        c.add_argument("--note", default="", help="销号或撤销的说明")
        c.add_argument("--today", help=argparse.SUPPRESS)
        add_json(c)
        c.set_defaults(func=cmd_close, cancel=(word == "cancel"))


def _today(args):
    import datetime as _dt
    return _dt.date.fromisoformat(args.today) if getattr(args, "today", None) else _dt.date.today()


def _county_store(args, write: bool):
    from models.exchange import identity
    store, code = open_store(args, write=write, roles=OFFICE if write else None)
    if store is None:
        return None, code
    if not identity.is_county(store):
        store.close()
        return None, fail(f"这不是县级汇总数据库，没有督办事项：{args.db}")
    return store, 0


def cmd_add(args) -> int:
    from models.exchange import dispatch
    from models.ledger.repo import ValidationError
    from desktop.commands._acting import parse_day
    try:
        today = _today(args)
    except ValueError:
        return fail(f"日期格式不对：{args.today}（应为 YYYY-MM-DD）")
    try:
        due = parse_day(args.due, "完成时限")      # the date forms every other date option takes
    except ValueError as exc:
        return fail(str(exc))
    store, code = _county_store(args, write=True)
    if store is None:
        return code
    try:
        try:
            did = dispatch.add_directive(store, args.content, args.township, due, today)
        except ValidationError as exc:
            return fail(str(exc))
        d = next(x for x in dispatch.list_directives(store) if x["id"] == did)
    finally:
        store.close()
    emit(args, d, f"已登记督办事项 {did}：{d['content']}（{'、'.join(t['name'] for t in d['townships'])}；"
                  f"完成时限 {d['due_date'] or '未定'}），随下一个下发包发往乡镇")
    return 0


def cmd_list(args) -> int:
    from models.exchange import dispatch
    try:
        today = _today(args)
    except ValueError:
        return fail(f"日期格式不对：{args.today}（应为 YYYY-MM-DD）")
    store, code = _county_store(args, write=False)
    if store is None:
        return code
    try:
        items = dispatch.directive_progress(store, today)
    finally:
        store.close()
    emit(args, {"today": today.isoformat(), "directives": items}, dispatch.progress_lines(items))
    return 0


def cmd_close(args) -> int:
    from models.exchange import dispatch
    from models.ledger.repo import ValidationError
    try:
        today = _today(args)
    except ValueError:
        return fail(f"日期格式不对：{args.today}（应为 YYYY-MM-DD）")
    store, code = _county_store(args, write=True)
    if store is None:
        return code
    try:
        try:
            dispatch.close_directive(store, args.id, today, args.note, cancel=args.cancel)
        except ValidationError as exc:
            return fail(str(exc))
        d = dispatch.get_directive(store, args.id)
    finally:
        store.close()
    emit(args, d, f"督办事项 {d['id']} {d['status']}（{d['closed_on']}），随下一个下发包告知乡镇")
    return 0
