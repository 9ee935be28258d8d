"""meeting and item: the 周调度会 from preparing it to following up what it decided, as the
周调度会 page does (models.meetings does the work).

qingqian meeting create [--date D] [--kind 例会|专题会议] [--title --place --host --recorder --time] --db PATH
qingqian meeting list | show N | agenda N --db PATH
qingqian meeting report N --workstream 专班 [--text 汇报] [--problems 问题] --db PATH
qingqian meeting freeze N [--reason 重新冻结的理由] | close N --db PATH
qingqian meeting decide N --content 事项 [--workstream 专班] [--owner 责任人] [--due D] --db PATH
qingqian meeting edit N [--place … --present … --absent … --body …] [--reason 更正理由] --db PATH
qingqian meeting remove-decision 13-2 [--reason 修改理由] --db PATH
qingqian item list [--all] [--workstream 专班] --db PATH
qingqian item progress 12-3 --note 进展 | start 12-3 | done 12-3 --note 办结情况 | close 12-3 [--note] [--reason 修改理由] --db PATH

``done`` (办结) is the workstream's report that the work is finished, kept as a progress line and
shown as 已报办结 until the office verifies it and ``close`` (销号) marks it 已办结.

An item of a workstream whose ledger was signed off after the item was made changes only with the
person's own ``--reason`` (修改理由); a ``--note`` is what was done, never taken for one.

N is the meeting's number (第N期); an item is 期数-序号 (12-3) or its record number.
"""
from __future__ import annotations

import datetime as _dt

from desktop.commands._acting import (OFFICE, OFFICE_OR_FILLER, action, actions, item_id, meeting_id,
                                      parse_day, run, today_of, who, workstream, workstream_name)
from desktop.commands._common import emit

MEETING_HELP = "会议期数，如 13 或 第13期"


def register(sub) -> None:
    subs = actions(sub, "meeting", "周调度会：新建、议程、各专班汇报、议定事项、冻结汇报数据、关闭")
    p = action(subs, "create", "新建会议（须办公室账号）；例会不写日期则取下一个周一（遇节假日顺延）", cmd_create)
    p.add_argument("--date", help="开会日期（如 2026-11-30）；例会默认下一个周一，专题会议默认今天")
    p.add_argument("--kind", choices=("例会", "专题会议"), default="例会", help="例会（每周一调度）或专题会议")
    p.add_argument("--title", help="会议名称（默认“第N期周调度会议”或“专题会议”）")
    p.add_argument("--place", help="地点（默认同上一次会议）")
    p.add_argument("--host", help="主持人（默认同上一次会议）")
    p.add_argument("--recorder", help="记录人（默认同上一次会议）")
    p.add_argument("--time", dest="time_text", help="开会时间，如 上午8:30")
    action(subs, "list", "列出所有会议（期数、日期、类别、状态）", cmd_list)
    p = action(subs, "show", "显示一次会议：基本情况、各专班汇报、议定事项", cmd_show)
    p.add_argument("meeting", help=MEETING_HELP)
    p = action(subs, "agenda", "按台账生成议程，写入会议并显示（须办公室账号）", cmd_agenda)
    p.add_argument("meeting", help=MEETING_HELP)
    p = action(subs, "report", "记录一个专班在会上的汇报和存在问题（办公室或本专班账号）", cmd_report)
    p.add_argument("meeting", help=MEETING_HELP)
    p.add_argument("--workstream", required=True, help="汇报的专班（可写其中能区分的一部分，如 欠薪化解）")
    p.add_argument("--text", help="本周工作情况和下周打算")
    p.add_argument("--problems", help="存在问题")
    p = action(subs, "freeze", "冻结汇报数据：把各专班和办公室此刻的台账数字存入会议，会议即算已召开；"
                              "会议当天或之后才能冻结（须办公室账号）", cmd_freeze)
    p.add_argument("meeting", help=MEETING_HELP)
    p.add_argument("--reason", help="已冻结过的会议重新冻结时必填：理由（记入修改记录）")
    p = action(subs, "decide", "记录一项议定事项，成为交办事项（须办公室账号）", cmd_decide)
    p.add_argument("meeting", help=MEETING_HELP)
    p.add_argument("--content", required=True, help="议定（交办）的事项")
    p.add_argument("--workstream", help="责任专班（不写或写“领导小组办公室”为办公室牵头）")
    p.add_argument("--owner", default="", help="责任人")
    p.add_argument("--due", help="完成时限（如 2026-12-04）")
    p = action(subs, "close", "关闭会议：尚未冻结的汇报数据此时冻结（已冻结的不变），此后内容只读；"
                             "会议当天或之后才能关闭（须办公室账号）", cmd_close)
    p.add_argument("meeting", help=MEETING_HELP)
    p = action(subs, "edit", "修改会议的基本情况、出席和纪要正文；已关闭的会议须用 --reason 说明更正理由（须办公室账号）",
               cmd_edit)
    p.add_argument("meeting", help=MEETING_HELP)
    p.add_argument("--date", help="改开会日期（只限未关闭的会议；统计区间和前后例会的区间随之移动；"
                                  "汇报数据已冻结的须用 --reason 说明理由，并按新区间重新冻结）")
    p.add_argument("--title", help="会议名称")
    p.add_argument("--place", help="地点")
    p.add_argument("--host", help="主持人")
    p.add_argument("--recorder", help="记录人")
    p.add_argument("--time", dest="time_text", help="开会时间，如 上午8:30")
    p.add_argument("--present", action="append", metavar="姓名（单位职务）",
                   help="出席人员，一人一个 --present（给出即替换原名单）")
    p.add_argument("--present-from-group", action="store_true", help="出席人员取领导小组名单（同窗口的“按领导小组填写”）")
    p.add_argument("--absent", action="append", metavar="姓名：事由", help="请假人员及事由，一人一个 --absent")
    p.add_argument("--nonvoting", action="append", metavar="姓名（单位职务）", help="列席人员，一人一个 --nonvoting")
    p.add_argument("--body", help="纪要正文")
    p.add_argument("--body-from-ledgers", action="store_true", help="按汇报和议定事项生成纪要正文（同窗口的“生成正文”）")
    p.add_argument("--reason", help="更正已关闭会议的理由（记入修改记录）；已关闭的会议必填，"
                                    "已冻结汇报数据的会议改日期时也必填")
    p.add_argument("--workstream", help="更正已关闭会议时，要更正汇报的专班")
    p.add_argument("--text", help="更正已关闭会议时，该专班的汇报内容")
    p.add_argument("--problems", help="更正已关闭会议时，该专班的存在问题")
    p = action(subs, "remove-decision", "删除一项议定事项（只限未关闭的会议，移入回收站；须办公室账号）", cmd_remove_decision)
    p.add_argument("item", help="议定事项：期数-序号（如 13-2）或编号")
    _reason(p)

    subs = actions(sub, "item", "交办事项：列出，登记办理进展，开始办理，办结销号")
    p = action(subs, "list", "列出未办结的交办事项（逾期的注明）", cmd_items)
    p.add_argument("--all", action="store_true", help="连同已办结销号的一起列出")
    p.add_argument("--workstream", help="只列这个专班的（写“领导小组办公室”列办公室牵头的）")
    p = action(subs, "progress", "登记一条办理进展（办公室或责任专班账号）", cmd_progress)
    p.add_argument("item", help="交办事项：期数-序号（如 12-3，即第12期第3项）或编号")
    p.add_argument("--note", required=True, help="办理进展")
    p.add_argument("--date", help="进展日期（默认今天）")
    _reason(p)
    p = action(subs, "start", "标为办理中（办公室或责任专班账号）", cmd_start)
    p.add_argument("item", help="交办事项：期数-序号（如 12-3）或编号")
    p.add_argument("--date", help="日期（默认今天）")
    _reason(p)
    p = action(subs, "done", "报办结：责任专班报告事项已办完，记入进展，待办公室核实销号（办公室或责任专班账号）", cmd_done)
    p.add_argument("item", help="交办事项：期数-序号（如 12-3）或编号")
    p.add_argument("--note", required=True, help="办结情况")
    p.add_argument("--date", help="办结日期（默认今天）")
    _reason(p)
    p = action(subs, "close", "办结销号：经办公室核实已办结（须办公室账号）", cmd_close_item)
    p.add_argument("item", help="交办事项：期数-序号（如 12-3）或编号")
    p.add_argument("--note", default="", help="办结情况（默认“办结销号”，记入办理进展，不是修改理由）")
    p.add_argument("--date", help="办结日期（默认今天）")
    _reason(p)


def _reason(p) -> None:
    p.add_argument("--reason", default="", help="修改理由：该事项所属专班台账已审核签字时必填（记入审计日志）；"
                                                "--note 不算修改理由")


# -- meetings -----------------------------------------------------------------------------
def _brief(m: dict) -> dict:
    return {k: m.get(k) for k in ("id", "meeting_no", "date", "kind", "title", "status")}


def _line(m: dict) -> str:
    from models.meetings import cn_date
    return f"第{m['meeting_no']}期　{cn_date(m['date'], True)}　{m['kind']}　{m['title']}　{m['status']}"


def cmd_create(args) -> int:
    from models import meetings as M

    def work(store) -> int:
        from models.meeting_schedule import default_date
        today = today_of(args)
        if args.date:
            day = _dt.date.fromisoformat(parse_day(args.date, "开会日期"))
        else:
            day = default_date(store, args.kind, today)
        values = {k: getattr(args, k) for k in ("title", "place", "host", "recorder", "time_text")
                  if getattr(args, k)}
        mid = M.create_meeting(store, day, args.kind, **values)
        m = M.get_meeting(store, mid)
        warnings = M.schedule_warnings(store, mid)
        emit(args, {**_brief(m), "since_date": m["since_date"], "warnings": warnings},
             [f"已新建会议：{_line(m)}", f"统计区间：{m['since_date']} 至 {(day - _dt.timedelta(days=1)).isoformat()}"]
             + [f"注意：{w}" for w in warnings])
    return run(args, work, roles=OFFICE)


def cmd_list(args) -> int:
    from models import meetings as M

    def work(store) -> int:
        ms = M.list_meetings(store)
        emit(args, ms, [_line(m) for m in ms] or ["还没有会议"])
    return run(args, work, roles=None, write=False)


def cmd_show(args) -> int:
    from models import meetings as M

    def work(store) -> int:
        mid = meeting_id(store, args.meeting)
        m = M.get_meeting(store, mid)
        reports = M.meeting_reports(store, mid)
        office = next((r for r in M.frozen_rows(store, mid) if r["workstream_id"] is None), None)
        total = M.frozen_total(store, mid)
        items = [{**it, "meeting_no": m["meeting_no"]} for it in M.decisions(store, mid, today_of(args))]
        data = {**{k: v for k, v in m.items() if k not in ("uuid",)},
                "reports": [{"workstream": r["workstream"], "report_text": r["report_text"] or "",
                             "problems": r["problems"] or "", "frozen": bool(r["figures"]), "figures": r["figures"]}
                            for r in reports],
                "office": office["figures"] if office else {}, "frozen_total": total or {},
                "decisions": [_item_json(it) for it in items]}
        lines = [_line(m), f"时间：{m['time_text'] or ''}　地点：{m['place'] or ''}　主持：{m['host'] or ''}　"
                           f"记录：{m['recorder'] or ''}", "各专班汇报："]
        for r in reports:
            text = (r["report_text"] or "（未记录）") + (f" 存在问题：{r['problems']}" if r["problems"] else "")
            lines.append(f"　　{r['workstream']}{'（数据已冻结）' if r['figures'] else ''}：{text}")
        if total:
            lines.append(f"冻结数据合计（含{M.OFFICE_ROW}）：{_total_sentence(total)}")
        lines.append(f"议定事项（{len(items)}项）：")
        lines += [f"　　{_item_line(it)}" for it in items]
        emit(args, data, lines)
    return run(args, work, roles=None, write=False)


def cmd_agenda(args) -> int:
    from models import meetings as M

    def work(store) -> int:
        mid = meeting_id(store, args.meeting)
        a = M.agenda_for(store, mid, today_of(args))
        text = M.agenda_text(a, M.get_meeting(store, mid))
        M.update_meeting(store, mid, {"agenda": text})
        emit(args, {"meeting_id": mid, "agenda": text, "since": a.since, "until": a.until,
                    "total": a.total.__dict__, "warnings": a.warnings}, text)
    return run(args, work, roles=OFFICE)


def cmd_report(args) -> int:
    from models import meetings as M

    def work(store) -> int:
        if args.text is None and args.problems is None:
            raise ValueError("请用 --text 给出汇报内容，或用 --problems 给出存在问题")
        mid = meeting_id(store, args.meeting)
        ws = workstream(store, args.workstream)
        old = next(r for r in M.meeting_reports(store, mid) if r["workstream_id"] == ws)
        text = args.text if args.text is not None else old["report_text"] or ""
        problems = args.problems if args.problems is not None else old["problems"] or ""
        M.save_report(store, mid, ws, text.strip(), problems.strip())
        m = M.get_meeting(store, mid)
        emit(args, {"ok": True, "meeting_no": m["meeting_no"], "workstream": workstream_name(store, ws),
                    "report_text": text.strip(), "problems": problems.strip()},
             f"已记录第{m['meeting_no']}期会议上{workstream_name(store, ws)}的汇报。")
    return run(args, work, roles=OFFICE_OR_FILLER)


def cmd_freeze(args) -> int:
    from models import meetings as M

    def work(store) -> int:
        mid = meeting_id(store, args.meeting)
        M.freeze_reports(store, mid, today_of(args), reason=args.reason or "")
        m = M.get_meeting(store, mid)
        rows = M.frozen_rows(store, mid)
        total = M.frozen_total(store, mid)
        n = sum(1 for r in rows if r["workstream_id"] is not None)
        office = next((r["figures"] for r in rows if r["workstream_id"] is None), {})
        emit(args, {"ok": True, "meeting_no": m["meeting_no"], "status": m["status"], "total": total, "office": office,
                    "reports": [{"workstream": r["workstream"], "figures": r["figures"]} for r in rows
                                if r["workstream_id"] is not None]},
             [f"第{m['meeting_no']}期会议汇报数据已{'重新' if args.reason else ''}冻结（{n}个专班及{M.OFFICE_ROW}），"
              f"会议状态：{m['status']}。", f"合计：{_total_sentence(total)}"])
    return run(args, work, roles=OFFICE)


def _total_sentence(t: dict) -> str:
    from models.values import fen_to_wan_text
    return (f"统计区间 {t['since']} 至 {t['until']}，新增{t['new_cases']}件，办结{t['closed_cases']}件，"
            f"兑付{fen_to_wan_text(t['repaid_fen'])}万元；在办{t['open_cases']}件，尚欠{fen_to_wan_text(t['outstanding_fen'])}万元，"
            f"逾期{t['overdue_cases']}件；未办结交办事项{t['open_items']}项（逾期{t['overdue_items']}项）。")


def cmd_decide(args) -> int:
    from models import meetings as M

    def work(store) -> int:
        mid = meeting_id(store, args.meeting)
        if not args.content.strip():
            raise ValueError("议定事项的内容不能为空")
        ws = workstream(store, args.workstream, office_ok=True)
        due = parse_day(args.due, "完成时限")
        m = M.get_meeting(store, mid)
        if due and due < m["date"]:
            raise ValueError(f"完成时限 {due} 早于开会日期 {m['date']}")
        iid = M.add_decision(store, mid, args.content, ws, args.owner, due)
        it = next(x for x in M.decisions(store, mid, today_of(args)) if x["id"] == iid)
        emit(args, _item_json({**it, "meeting_no": m["meeting_no"]}),
             f"已记录议定事项 {m['meeting_no']}-{it['decision_no']}：{it['content']}"
             f"（{workstream_name(store, ws)}，{it['owner_person'] or '责任人未定'}，时限{it['due_date'] or '未定'}）")
    return run(args, work, roles=OFFICE)


def cmd_close(args) -> int:
    from models import meetings as M

    def work(store) -> int:
        mid = meeting_id(store, args.meeting)
        M.close_meeting(store, mid, today_of(args))
        m = M.get_meeting(store, mid)
        n = len(M.decisions(store, mid, today_of(args)))
        emit(args, {"ok": True, **_brief(m), "decisions": n},
             f"第{m['meeting_no']}期会议已关闭（议定事项{n}项），内容只读；更正用 qingqian meeting edit 并以 --reason 说明理由。")
    return run(args, work, roles=OFFICE)


def cmd_edit(args) -> int:
    from models import campaign
    from models import meetings as M

    def work(store) -> int:
        mid = meeting_id(store, args.meeting)
        m = M.get_meeting(store, mid)
        values = {k: getattr(args, k).strip() for k in ("title", "place", "host", "recorder", "time_text", "body")
                  if getattr(args, k) is not None}
        if args.present_from_group:
            c = campaign.current(store)
            values["attendees_present"] = "\n".join(M.person_line(p) for p in campaign.leading_group(store, c.id))
        for key, given in (("attendees_present", args.present), ("absent_with_reason", args.absent),
                           ("attending_nonvoting", args.nonvoting)):
            if given is not None:
                values[key] = "\n".join(x.strip() for x in given if x.strip())
        if args.body_from_ledgers:
            from models.reports.minutes import default_body
            values["body"] = default_body(store, mid, today_of(args))
        reports, warnings = [], []
        if args.workstream or args.text is not None or args.problems is not None:
            if m["status"] != "已关闭":
                raise ValueError("未关闭的会议请用 qingqian meeting report 记录汇报")
            ws = workstream(store, args.workstream)
            reports.append({"workstream_id": ws, "report_text": args.text, "problems": args.problems})
        if m["status"] == "已关闭":
            if not (args.reason or "").strip():
                raise ValueError(f"第{m['meeting_no']}期会议已关闭：更正须用 --reason 说明理由")
            if args.date:
                raise ValueError("已关闭的会议不能改开会日期")
            if not values and not reports:
                raise ValueError("请给出要更正的内容")
            M.correct_closed_meeting(store, mid, {**values, "reports": reports}, args.reason)
        else:
            if args.date:
                values["date"] = parse_day(args.date, "开会日期")
            if not values:
                raise ValueError("请给出要修改的内容（如 --place、--present、--body）")
            warnings = M.update_meeting(store, mid, values, args.reason or "", today_of(args))
        m = M.get_meeting(store, mid)
        emit(args, {"ok": True, **_brief(m), "since_date": m["since_date"], "warnings": warnings,
                    "changed": sorted(values) + (["reports"] if reports else [])},
             [f"已{'更正' if args.reason and m['status'] == '已关闭' else '修改'}：{_line(m)}"]
             + [f"注意：{w}" for w in warnings])
    return run(args, work, roles=OFFICE)


def cmd_remove_decision(args) -> int:
    from models import meetings as M

    def work(store) -> int:
        iid = item_id(store, args.item)
        it = _item(store, iid, today_of(args))
        if not it.get("meeting_id"):
            raise ValueError(f"交办事项 {args.item} 不是会议的议定事项")
        M.remove_decision(store, iid, reason=args.reason.strip())
        emit(args, {"ok": True, **_item_json(it)}, f"已删除议定事项 {args.item}：{it['content']}")
    return run(args, work, roles=OFFICE)


# -- action items -------------------------------------------------------------------------
def _item_json(it: dict) -> dict:
    return {"id": it["id"], "ref": f"{it.get('meeting_no') or ''}-{it.get('decision_no') or ''}".strip("-"),
            "meeting_no": it.get("meeting_no"), "decision_no": it.get("decision_no"), "content": it["content"],
            "workstream": it.get("workstream") or "领导小组办公室", "owner": it.get("owner_person") or "",
            "due_date": it.get("due_date"), "status": it.get("status"), "state": it.get("state"),
            "closed_on": it.get("closed_on"), "progress": it.get("progress") or "", "reported_done": _reported_done(it)}


DONE_MARK = "报办结："


def _reported_done(it: dict) -> bool:
    return it.get("status") != "已办结" and DONE_MARK in (it.get("progress") or "")


def _item_line(it: dict) -> str:
    ref = f"{it['meeting_no']}-{it['decision_no']}" if it.get("meeting_no") else f"#{it['id']}"
    last = (it.get("progress") or "").strip().splitlines()
    return (f"{ref}　{it['content']}（{it.get('workstream') or '领导小组办公室'}，{it.get('owner_person') or '未定'}，"
            f"时限{it.get('due_date') or '未定'}）{it['state']}" + ("（已报办结，待销号）" if _reported_done(it) else "")
            + (f"；最近进展：{last[-1]}" if last else ""))


def _item(store, iid: int, today: _dt.date) -> dict:
    from models import meetings as M
    return next(it for it in M.open_items(store, today, include_closed=True) if it["id"] == iid)


def cmd_items(args) -> int:
    from models import meetings as M

    def work(store) -> int:
        items = M.open_items(store, today_of(args), include_closed=args.all)
        if args.workstream:
            ws = workstream(store, args.workstream, office_ok=True)
            items = [it for it in items if it["workstream_id"] == ws]
        late = sum(1 for it in items if it["state"] == "逾期")
        head = f"交办事项{len(items)}项" + ("（含已办结）" if args.all else "（未办结）") + f"，其中逾期{late}项："
        emit(args, [_item_json(it) for it in items], [head] + [f"　　{_item_line(it)}" for it in items])
    return run(args, work, roles=None, write=False)


def _open_item(store, ref: str, today: _dt.date) -> dict:
    it = _item(store, item_id(store, ref), today)
    if it["status"] == "已办结":
        raise ValueError(f"交办事项 {ref} 已于 {it['closed_on']} 办结销号")
    return it


def cmd_progress(args) -> int:
    from models import meetings as M

    def work(store) -> int:
        today = today_of(args)
        it = _open_item(store, args.item, today)
        on = parse_day(args.date, "进展日期", today)
        M.add_progress(store, it["id"], args.note, on, who(store), today, reason=args.reason.strip())
        it = _item(store, it["id"], today)
        emit(args, _item_json(it), f"已登记进展：{_item_line(it)}")
    return run(args, work, roles=OFFICE_OR_FILLER)


def cmd_start(args) -> int:
    from models import meetings as M

    def work(store) -> int:
        today = today_of(args)
        it = _open_item(store, args.item, today)
        if it["status"] == "办理中":
            raise ValueError(f"交办事项 {args.item} 已在办理中")
        M.set_item_status(store, it["id"], "办理中", parse_day(args.date, "日期", today), today=today,
                          reason=args.reason.strip())
        it = _item(store, it["id"], today)
        emit(args, _item_json(it), f"已标为办理中：{_item_line(it)}")
    return run(args, work, roles=OFFICE_OR_FILLER)


def cmd_done(args) -> int:
    from models import meetings as M

    def work(store) -> int:
        today = today_of(args)
        it = _open_item(store, args.item, today)
        if _reported_done(it):
            raise ValueError(f"交办事项 {args.item} 已报办结，待办公室核实销号")
        if not args.note.strip():
            raise ValueError("请用 --note 写明办结情况")
        on = parse_day(args.date, "办结日期", today)
        from models.action_items import check_item_day
        check_item_day(it, on, "办结日期", today)            # not before the meeting, not after today
        with store.tx(args.reason.strip(), label="报办结"):
            if it["status"] == "待办":
                M.set_item_status(store, it["id"], "办理中", on, today=today)
            M.add_progress(store, it["id"], DONE_MARK + args.note.strip(), on, who(store), today)
        it = _item(store, it["id"], today)
        emit(args, _item_json(it), f"已报办结，待办公室核实销号：{_item_line(it)}")
    return run(args, work, roles=OFFICE_OR_FILLER)


def cmd_close_item(args) -> int:
    from models import meetings as M

    def work(store) -> int:
        today = today_of(args)
        it = _open_item(store, args.item, today)
        on = parse_day(args.date, "办结日期", today)
        M.close_item(store, it["id"], on, args.note.strip(), today, reason=args.reason.strip())
        it = _item(store, it["id"], today)
        emit(args, _item_json(it), f"已办结销号：{_item_line(it)}")
    return run(args, work, roles=OFFICE)
