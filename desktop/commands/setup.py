"""phase and workstream: the campaign's phased targets and its workstreams' members, as the
专项行动设置 page keeps them (办公室 changes them; anyone may list them).

qingqian phase list --db PATH
qingqian phase set NAME --due YYYY-MM-DD --target PCT [--rename 新名称] --db PATH
qingqian phase remove NAME --db PATH
qingqian group list | add-member 姓名 --role 职务 [--title] | remove-member 姓名 --db PATH
qingqian workstream list --db PATH
qingqian workstream add 名称 [--duties 职责] | edit 专班 [--rename 新名称] [--duties 职责] --db PATH
qingqian workstream members 专班 --db PATH
qingqian workstream add-member 专班 --person 姓名 [--role 成员] [--unit --title --phone] --db PATH
qingqian workstream lead 专班 --person 姓名 [--old-role 副组长] --db PATH
qingqian workstream remove-member 专班 --person 姓名 --db PATH
"""
from __future__ import annotations

from desktop.commands._acting import NotFound, OFFICE, action, actions, parse_day, run, workstream
from desktop.commands._common import emit

ROLES = ("组长", "副组长", "成员", "联络员")
GROUP_ROLES = ("组长", "常务副组长", "副组长", "办公室主任", "成员")


def register(sub) -> None:
    subs = actions(sub, "phase", "专项行动的阶段目标：列出、新增或修改（日期和累计化解比例）、删除")
    action(subs, "list", "列出各阶段的完成日期和累计化解目标", cmd_phase_list)
    p = action(subs, "set", "新增一个阶段，或修改同名阶段的日期和目标（须办公室账号）", cmd_phase_set)
    p.add_argument("name", help="阶段名称，如 第二阶段")
    p.add_argument("--due", help="完成日期（如 2026-12-19）；修改已有阶段时不写则不变")
    p.add_argument("--target", type=int, help="累计化解目标（按欠薪金额计的百分比，0–100）；修改时不写则不变")
    p.add_argument("--rename", help="把阶段改叫这个名称")
    p = action(subs, "remove", "删除一个阶段（须办公室账号）", cmd_phase_remove)
    p.add_argument("name", help="要删除的阶段名称")

    subs = actions(sub, "campaign", "专项行动：查看，修改名称、填报单位、起止日期和办公室地点")
    action(subs, "show", "显示专项行动的名称、单位、起止日期和阶段目标", cmd_campaign_show)
    p = action(subs, "edit", "修改专项行动的基本情况（须办公室账号）", cmd_campaign_edit)
    p.add_argument("--name", help="专项行动名称")
    p.add_argument("--unit", help="填报单位，如 青山县青山镇人民政府")
    p.add_argument("--start", help="开始日期")
    p.add_argument("--end", help="截止日期（春节前）")
    p.add_argument("--office", help="办公室地点")

    subs = actions(sub, "group", "领导小组：列出成员，增加或修改成员，移除成员")
    action(subs, "list", "列出领导小组成员", cmd_group_list)
    p = action(subs, "add-member", "增加领导小组成员，或修改已有成员的职务（须办公室账号）", cmd_group_add)
    p.add_argument("person", help="姓名")
    p.add_argument("--role", choices=GROUP_ROLES, default="成员", help="职务：" + "、".join(GROUP_ROLES) + "（默认成员）")
    p.add_argument("--title", help="单位及职务，如 镇党委副书记、镇长")
    p.add_argument("--unit", help="所在单位")
    p = action(subs, "remove-member", "把一名成员移出领导小组（须办公室账号）", cmd_group_remove)
    p.add_argument("person", help="姓名")

    subs = actions(sub, "workstream", "工作专班：列出专班和成员，新增专班、改名称和职责，增加成员、更换组长、移除成员")
    action(subs, "list", "列出各专班、组长和成员人数", cmd_ws_list)
    p = action(subs, "add", "新增一个工作专班（须办公室账号）", cmd_ws_new)
    p.add_argument("name", help="专班名称")
    p.add_argument("--duties", default="", help="专班职责")
    p = action(subs, "edit", "修改专班名称或职责（须办公室账号）", cmd_ws_edit)
    p.add_argument("workstream", help="专班名称（可写其中能区分的一部分）")
    p.add_argument("--rename", help="新名称")
    p.add_argument("--duties", help="新的职责说明")
    p = action(subs, "members", "列出一个专班的成员", cmd_ws_members)
    p.add_argument("workstream", help="专班名称（可写其中能区分的一部分，如 欠薪化解）")
    p = action(subs, "add-member", "为专班增加一名成员，或修改已有成员的职务和联系方式（须办公室账号）", cmd_ws_add)
    _person_args(p)
    p.add_argument("--role", choices=ROLES, default="成员", help="职务：组长、副组长、成员或联络员（默认成员）")
    p = action(subs, "lead", "更换专班组长：指定的人任组长，原组长改任 --old-role 的职务（须办公室账号）", cmd_ws_lead)
    _person_args(p)
    p.add_argument("--old-role", choices=("副组长", "成员", "联络员", "不再任职"), default="成员",
                   help="原组长改任的职务（默认成员；“不再任职”则移出专班）")
    p = action(subs, "remove-member", "把一名成员移出专班（须办公室账号）", cmd_ws_remove)
    p.add_argument("workstream", help="专班名称（可写其中能区分的一部分）")
    p.add_argument("--person", required=True, help="成员姓名")


def _person_args(p) -> None:
    p.add_argument("workstream", help="专班名称（可写其中能区分的一部分，如 欠薪化解）")
    p.add_argument("--person", required=True, help="成员姓名")
    p.add_argument("--unit", help="所在单位")
    p.add_argument("--title", help="单位职务，如 党委委员、副镇长")
    p.add_argument("--phone", help="联系电话")


# -- phases -------------------------------------------------------------------------------
def _phase_rows(c) -> list[dict]:
    return [{"name": p.name, "due_date": p.due_date, "target_pct": p.target_pct} for p in c.phases]


def _phase_lines(c) -> list[str]:
    return [f"{c.name}（{c.start_date} 至 {c.end_date}）"] + \
        [f"　　{p.name}：{p.due_date} 前累计化解 {p.target_pct}%" for p in c.phases]


def _campaign(store):
    from models import campaign
    c = campaign.current(store)
    if c is None:
        raise NotFound("数据库中还没有专项行动，请先用 qingqian init 新建")
    return c


def cmd_phase_list(args) -> int:
    def work(store) -> int:
        c = _campaign(store)
        emit(args, {"campaign": c.name, "start_date": c.start_date, "end_date": c.end_date,
                    "phases": _phase_rows(c)}, _phase_lines(c))
    return run(args, work, roles=None, write=False)


def _save_phases(store, c, phases) -> None:
    from models import campaign
    campaign.update_campaign(store, c.id, name=c.name, unit=c.unit, start_date=c.start_date, end_date=c.end_date,
                             office_location=c.office_location, phases=phases)


def cmd_phase_set(args) -> int:
    from models import campaign

    def work(store) -> int:
        c = _campaign(store)
        name = args.name.strip()
        if not name:
            raise ValueError("阶段名称不能为空")
        due = parse_day(args.due, "完成日期")
        if args.target is not None and not 0 <= args.target <= 100:
            raise ValueError(f"累计化解目标应在 0 到 100 之间，而不是 {args.target}")
        phases = list(c.phases)
        old = next((p for p in phases if p.name == name), None)
        if old is None:
            if due is None or args.target is None:
                raise ValueError(f"新增阶段“{name}”须同时给出 --due 完成日期和 --target 目标比例")
            phases.append(campaign.Phase(args.rename or name, due, args.target))
        else:
            if due is None and args.target is None and not args.rename:
                raise ValueError(f"阶段“{name}”已有：请用 --due、--target 或 --rename 说明要改什么")
            phases[phases.index(old)] = campaign.Phase((args.rename or name).strip(), due or old.due_date,
                                                       old.target_pct if args.target is None else args.target)
        if len({p.name for p in phases}) != len(phases):
            raise ValueError(f"已有名为“{args.rename}”的阶段")
        if not (c.start_date <= (due or c.start_date) <= c.end_date):
            raise ValueError(f"完成日期 {due} 不在专项行动期间（{c.start_date} 至 {c.end_date}）")
        _save_phases(store, c, phases)
        c = _campaign(store)
        emit(args, {"ok": True, "added": old is None, "phases": _phase_rows(c)},
             [f"已{'新增' if old is None else '修改'}阶段“{args.rename or name}”。"] + _phase_lines(c)[1:])
    return run(args, work, roles=OFFICE)


def cmd_phase_remove(args) -> int:
    def work(store) -> int:
        c = _campaign(store)
        phases = [p for p in c.phases if p.name != args.name.strip()]
        if len(phases) == len(c.phases):
            raise NotFound(f"没有名为“{args.name}”的阶段（现有：{'、'.join(p.name for p in c.phases) or '无'}）")
        if not phases:
            raise ValueError("专项行动至少要有一个阶段目标")
        _save_phases(store, c, phases)
        c = _campaign(store)
        emit(args, {"ok": True, "phases": _phase_rows(c)}, [f"已删除阶段“{args.name}”。"] + _phase_lines(c)[1:])
    return run(args, work, roles=OFFICE)


def cmd_campaign_show(args) -> int:
    def work(store) -> int:
        c = _campaign(store)
        emit(args, {"name": c.name, "unit": c.unit, "start_date": c.start_date, "end_date": c.end_date,
                    "office_location": c.office_location, "phases": _phase_rows(c)},
             [f"{c.name}", f"填报单位：{c.unit}", f"起止日期：{c.start_date} 至 {c.end_date}",
              f"办公室地点：{c.office_location or '（未填）'}", "阶段目标："] + _phase_lines(c)[1:])
    return run(args, work, roles=None, write=False)


def cmd_campaign_edit(args) -> int:
    from models import campaign

    def work(store) -> int:
        c = _campaign(store)
        if all(getattr(args, k) is None for k in ("name", "unit", "start", "end", "office")):
            raise ValueError("请给出要修改的内容（--name、--unit、--start、--end 或 --office）")
        name = (args.name if args.name is not None else c.name).strip()
        unit = (args.unit if args.unit is not None else c.unit).strip()
        if not name or not unit:
            raise ValueError("专项行动名称和填报单位不能为空")
        start = parse_day(args.start, "开始日期") or c.start_date
        end = parse_day(args.end, "截止日期") or c.end_date
        late = [p.name for p in c.phases if not start <= p.due_date <= end]
        if late:
            raise ValueError(f"阶段“{late[0]}”的完成日期不在新的起止日期之内，请先用 qingqian phase set 调整")
        campaign.update_campaign(store, c.id, name=name, unit=unit, start_date=start, end_date=end,
                                 office_location=(args.office if args.office is not None else c.office_location).strip(),
                                 phases=c.phases)
        c = _campaign(store)
        emit(args, {"ok": True, "name": c.name, "unit": c.unit, "start_date": c.start_date, "end_date": c.end_date,
                    "office_location": c.office_location}, f"已修改专项行动：{c.name}（{c.start_date} 至 {c.end_date}）")
    return run(args, work, roles=OFFICE)


# -- workstreams --------------------------------------------------------------------------
def _member_line(m: dict) -> str:
    extra = "，".join(x for x in (m.get("unit"), m.get("title"), m.get("phone")) if x)
    return f"　　{m['role']}：{m['name']}" + (f"（{extra}）" if extra else "")


def cmd_ws_list(args) -> int:
    from models import campaign

    def work(store) -> int:
        out, lines = [], []
        for w in campaign.workstreams(store):
            ms = campaign.members(store, w["id"])
            lead = next((m["name"] for m in ms if m["role"] == "组长"), "")
            out.append({"id": w["id"], "name": w["name"], "lead": lead, "members": len(ms), "duties": w["duties"]})
            lines.append(f"{w['name']}：组长 {lead or '（未定）'}，成员 {len(ms)} 人")
        emit(args, out, lines or ["还没有工作专班"])
    return run(args, work, roles=None, write=False)


def _members_out(store, ws_id: int) -> list[dict]:
    from models import campaign
    return [{k: m[k] for k in ("role", "name", "unit", "title", "phone")} for m in campaign.members(store, ws_id)]


def _show(args, store, ws_id: int, head: str) -> None:
    from desktop.commands._acting import workstream_name
    ms = _members_out(store, ws_id)
    name = workstream_name(store, ws_id)
    emit(args, {"workstream": name, "members": ms}, ([head] if head else []) + [f"{name}成员："] +
         [_member_line(m) for m in ms])


def cmd_ws_members(args) -> int:
    def work(store) -> int:
        _show(args, store, workstream(store, args.workstream), "")
    return run(args, work, roles=None, write=False)


def _person(args, old: dict | None, role: str) -> dict:
    old = old or {}
    return {"role": role, "name": args.person.strip(),
            "unit": args.unit if args.unit is not None else old.get("unit") or "",
            "title": args.title if args.title is not None else old.get("title") or "",
            "phone": args.phone if args.phone is not None else old.get("phone") or ""}


def _find(ms: list[dict], name: str) -> dict | None:
    return next((m for m in ms if m["name"] == name.strip()), None)


def cmd_ws_add(args) -> int:
    from models import campaign

    def work(store) -> int:
        ws = workstream(store, args.workstream)
        ms = _members_out(store, ws)
        if not args.person.strip():
            raise ValueError("成员姓名不能为空")
        old = _find(ms, args.person)
        if args.role == "组长" and any(m["role"] == "组长" and m is not old for m in ms):
            raise ValueError("本专班已有组长：更换组长请用 qingqian workstream lead")
        new = _person(args, old, args.role)
        ms = [new if m is old else m for m in ms] if old else ms + [new]
        campaign.set_members(store, ws, ms)
        _show(args, store, ws, f"已{'修改' if old else '增加'}成员 {new['name']}（{new['role']}）。")
    return run(args, work, roles=OFFICE)


def cmd_ws_lead(args) -> int:
    from models import campaign

    def work(store) -> int:
        ws = workstream(store, args.workstream)
        ms = _members_out(store, ws)
        if not args.person.strip():
            raise ValueError("组长姓名不能为空")
        current = next((m for m in ms if m["role"] == "组长"), None)
        if current is not None and current["name"] == args.person.strip():
            raise ValueError(f"{args.person} 已是本专班组长")
        out = []
        for m in ms:
            if m is current:
                if args.old_role != "不再任职":
                    out.append({**m, "role": args.old_role})
            elif m["name"] != args.person.strip():
                out.append(m)
        out.insert(0, _person(args, _find(ms, args.person), "组长"))
        campaign.set_members(store, ws, out)
        was = f"，原组长 {current['name']} " + ("移出专班" if args.old_role == "不再任职" else f"改任{args.old_role}") \
            if current else ""
        _show(args, store, ws, f"组长已改为 {args.person.strip()}{was}。")
    return run(args, work, roles=OFFICE)


def cmd_ws_remove(args) -> int:
    from models import campaign

    def work(store) -> int:
        ws = workstream(store, args.workstream)
        ms = _members_out(store, ws)
        old = _find(ms, args.person)
        if old is None:
            raise NotFound(f"本专班没有名为“{args.person}”的成员")
        if old["role"] == "组长":
            raise ValueError(f"{old['name']} 是组长：请先用 qingqian workstream lead 另定组长")
        campaign.set_members(store, ws, [m for m in ms if m is not old])
        _show(args, store, ws, f"已把 {old['name']} 移出专班。")
    return run(args, work, roles=OFFICE)


def cmd_ws_new(args) -> int:
    from models import campaign

    def work(store) -> int:
        c = _campaign(store)
        name = args.name.strip()
        if any(w["name"] == name for w in campaign.workstreams(store)):
            raise ValueError(f"已有名为“{name}”的专班")
        wid = campaign.add_workstream(store, c.id, name, args.duties)
        emit(args, {"ok": True, "id": wid, "name": name}, f"已新增工作专班“{name}”。")
    return run(args, work, roles=OFFICE)


def cmd_ws_edit(args) -> int:
    from models import campaign

    def work(store) -> int:
        ws = workstream(store, args.workstream)
        row = next(w for w in campaign.workstreams(store) if w["id"] == ws)
        if args.rename is None and args.duties is None:
            raise ValueError("请用 --rename 或 --duties 说明要改什么")
        name = (args.rename if args.rename is not None else row["name"]).strip()
        if name != row["name"] and any(w["name"] == name for w in campaign.workstreams(store)):
            raise ValueError(f"已有名为“{name}”的专班")
        campaign.update_workstream(store, ws, name, args.duties if args.duties is not None else row["duties"])
        emit(args, {"ok": True, "id": ws, "name": name}, f"已修改工作专班“{name}”。")
    return run(args, work, roles=OFFICE)


# -- the leading group --------------------------------------------------------------------
def _group(store, c) -> list[dict]:
    from models import campaign
    return [{"role": m["role"], "name": m["name"], "unit": m["unit"] or "", "title": m["title"] or ""}
            for m in campaign.leading_group(store, c.id)]


def _group_out(args, store, c, head: str) -> None:
    ms = _group(store, c)
    emit(args, ms, ([head] if head else []) + ["领导小组："] +
         [f"　　{m['role']}：{m['name']}" + (f"（{m['title'] or m['unit']}）" if m['title'] or m['unit'] else "")
          for m in ms])


def cmd_group_list(args) -> int:
    def work(store) -> int:
        _group_out(args, store, _campaign(store), "")
    return run(args, work, roles=None, write=False)


def cmd_group_add(args) -> int:
    from models import campaign

    def work(store) -> int:
        c = _campaign(store)
        ms = _group(store, c)
        name = args.person.strip()
        if not name:
            raise ValueError("成员姓名不能为空")
        old = _find(ms, name)
        if args.role in ("组长", "办公室主任") and any(m["role"] == args.role and m is not old for m in ms):
            holder = next(m["name"] for m in ms if m["role"] == args.role)
            raise ValueError(f"领导小组已有{args.role}（{holder}）：请先把其改任其他职务")
        new = {"role": args.role, "name": name,
               "unit": args.unit if args.unit is not None else (old or {}).get("unit", ""),
               "title": args.title if args.title is not None else (old or {}).get("title", "")}
        campaign.set_leading_group(store, c.id, [new if m is old else m for m in ms] if old else ms + [new])
        _group_out(args, store, c, f"已{'修改' if old else '增加'}领导小组成员 {name}（{args.role}）。")
    return run(args, work, roles=OFFICE)


def cmd_group_remove(args) -> int:
    from models import campaign

    def work(store) -> int:
        c = _campaign(store)
        ms = _group(store, c)
        old = _find(ms, args.person)
        if old is None:
            raise NotFound(f"领导小组中没有名为“{args.person}”的成员")
        campaign.set_leading_group(store, c.id, [m for m in ms if m is not old])
        _group_out(args, store, c, f"已把 {old['name']} 移出领导小组。")
    return run(args, work, roles=OFFICE)
