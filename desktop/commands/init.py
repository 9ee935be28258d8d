"""init: a new database, a township's (the default) or a county's.

qingqian init --db PATH --name 专项行动名称 --unit 填报单位 --start YYYY-MM-DD [--end YYYY-MM-DD]
              [--township 乡镇名称 --code 乡镇代码 --county 所属县 [--county-code 县代码]]
qingqian init --db PATH --level county --name 县名称 [--code 县代码] [--campaign 只接收的专项行动名称]
"""
from __future__ import annotations

import argparse
import datetime as _dt

from desktop.commands._common import add_db, add_json, emit, fail, open_store


def register(sub) -> None:
    p = sub.add_parser("init", help="新建数据库：乡镇（默认）或县级汇总（--level county）")
    add_db(p)
    p.add_argument("--level", choices=("township", "county"), default="township",
                   help="township 乡镇（默认）；county 县级汇总，接收各乡镇报送包")
    p.add_argument("--name", required=True, help="乡镇：专项行动名称；县级：县名称，如 青山县")
    p.add_argument("--unit", help="乡镇：填报单位，如 青山县青山镇人民政府")
    p.add_argument("--start", help="乡镇：专项行动开始日期 YYYY-MM-DD")
    p.add_argument("--end", help="乡镇：专项行动结束日期（默认春节前一天）")
    p.add_argument("--township", help="乡镇名称（报送时用），如 青山镇")
    p.add_argument("--code", help="乡镇或县的行政区划代码（报送时用）")
    p.add_argument("--county", help="乡镇所属的县，如 青山县")
    p.add_argument("--county-code", help="所属县的区划代码")
    p.add_argument("--campaign", help="县级：只接收这个专项行动的报送包（不写则不限）")
    p.add_argument("--today", help=argparse.SUPPRESS)
    add_json(p)
    p.set_defaults(func=cmd_init)


def _date(text: str | None, what: str) -> _dt.date | None:
    if not text:
        return None
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what}“{text}”格式不对（应为 YYYY-MM-DD）") from None


def cmd_init(args) -> int:
    from models import campaign
    from models.exchange import identity
    try:
        today = _date(args.today, "日期") or _dt.date.today()
        start, end = _date(args.start, "开始日期"), _date(args.end, "结束日期")
        if args.level == "township":
            if not args.unit or not start:
                return fail("新建乡镇数据库须给出 --unit 填报单位和 --start 开始日期")
            if any((args.township, args.code, args.county)) and not all((args.township, args.code, args.county)):
                return fail("--township、--code、--county 须一起给出（乡镇名称、乡镇代码、所属县）")
            identity.check_code(args.code, "乡镇代码")
            identity.check_code(args.county_code, "县代码")
        else:
            identity.check_code(args.code, "县代码")
            if args.township or args.county:
                return fail("县级数据库不用 --township / --county")
        if end and start and end <= start:
            return fail("结束日期须晚于开始日期")
    except ValueError as exc:
        return fail(str(exc))
    store, code = open_store(args, must_exist=False, write=True, roles=("办公室",))
    if store is None:
        return code
    try:
        if campaign.current(store) is not None:
            return fail(f"数据库中已有专项行动，不再新建：{store.path}")
        try:
            with store.tx(label="新建数据库"):
                if args.level == "county":
                    name = args.name.strip()
                    campaign.create_campaign(store, args.campaign or f"{name}根治欠薪专项行动汇总",
                                             f"{name}根治拖欠农民工工资工作领导小组办公室", start or today, end)
                    identity.set_county(store, name=name, code=args.code or "", campaign=args.campaign or "")
                else:
                    campaign.create_campaign(store, args.name.strip(), args.unit.strip(), start, end)
                    if args.township:
                        identity.set_township(store, name=args.township, code=args.code, county_name=args.county,
                                              county_code=args.county_code or "")
        except ValueError as exc:
            return fail(str(exc))
        u = identity.unit(store)
        c = campaign.current(store)
        data = {"db": str(store.path), "level": u.level, "name": u.name or args.name, "code": u.code,
                "county": u.county_name}
        if u.level == "county":
            line = f"已新建县级汇总数据库：{store.path}（{u.name or args.name}" + (f"，代码 {u.code}" if u.code else "") + "）"
        else:
            where = f"；乡镇：{u.name}（{u.code}），所属县：{u.county_name}" if args.township else ""
            line = (f"已新建乡镇数据库：{store.path}（专项行动：{c.name}，填报单位：{c.unit}，"
                    f"{c.start_date} 至 {c.end_date}{where}）")
        emit(args, data, line)
        return 0
    finally:
        store.close()
