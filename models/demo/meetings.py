"""The demo township's dispatch meetings: every Monday since the campaign began (the next
working day when Monday is a holiday), one special meeting on the biggest group claim,
attendance, frozen reports, minutes text and 2–4 decisions each, followed up as a
township office would: most done on time, a few late, a few still open or overdue.

Called from ``models.demo.build_demo`` after the cases exist (the figures come from them):
``add_demo_meetings(ctx.store, ctx.rng, ctx.today)``.
"""
from __future__ import annotations

import datetime as _dt
import random

from models import campaign, meetings as M
from models.cases import load_calendar
from models.db import Store

ABSENCE_REASONS = ("参加县根治欠薪工作推进会", "带队到市里对接项目资金", "参加县委党校集中培训", "下村督导秋收秋种工作",
                   "病假", "参加县人大常委会会议", "到区自然资源局对接土地调规")

# (workstream index, content template, working days to do it); {emp} {proj} {n} {vil} from the data
DECISIONS = [
    (0, "对本周新增的{n}件欠薪线索逐件明确包案责任人，限期完成核实并反馈处理结果", 5),
    (0, "约谈{emp}法定代表人，督促制定工资清偿计划，按计划分批兑付到位", 5),
    (0, "全面核对农民工工资支付台账，确保问题合计与实名花名册一致，由专班组长签字把关后报领导小组办公室", 3),
    (1, "协调{proj}建设单位与总承包单位核对已完工程量，按合同约定拨付进度款，优先保障农民工工资", 8),
    (1, "督促{proj}总承包单位动用农民工工资保证金先行清偿，清偿情况每日报送", 5),
    (2, "落实专人盯守{proj}农民工集体讨薪问题，做好解释疏导和稳控工作，严防发生极端事件和负面舆情", 3),
    (2, "坚持零报告和日报告制度，各村（社区）每日17:00前报送欠薪信访动态", 2),
    (3, "完成镇农贸市场临街门面资产评估，拟定公开拍租方案报镇党委会研究", 10),
    (3, "对闲置的原{vil}村小学校舍开展清产核资，提出处置意见", 10),
    (4, "对接区自然资源局，加快{vil}村集中安置点地块土地调规手续办理", 10),
    (5, "核算{vil}村茶叶基地第三季度产业收益，收益资金优先用于化解欠薪", 8),
    (6, "向区发改局报送本镇项目库清单，积极争取上级项目资金用于{proj}欠款支付", 8),
    (6, "对接区财政局，争取{proj}剩余工程款和工作经费及时拨付到位", 10),
]
OFFICE = "领导小组办公室牵头，对前期交办事项逐项督办，逾期未办结的在下次会议上通报"
VILLAGES = ("友谊", "石桥", "江口", "双河", "白果", "青龙", "大垭")
REPORT_LINES = {
    3: ("已完成国有资产底数清查，涉及门面、校舍、办公用房{k}处。", "部分资产权属资料不全，评估进度偏慢。"),
    4: ("已摸清可处置宅基地地块{k}宗，土地调规资料已报区自然资源局。", "调规审批周期长，资金到位时间难以确定。"),
    5: ("已盘活农业设施{k}处，产业收益账正在核算。", "部分产业受市场行情影响，收益低于预期。"),
    6: ("已建立项目库清单，向上争取项目{k}个。", "上级资金拨付进度慢，需领导小组出面协调。"),
}


def add_demo_meetings(store: Store, rng: random.Random, today: _dt.date) -> dict:
    """Write the meetings into ``store`` (one transaction, nested if the caller holds one)."""
    c = campaign.current(store)
    if c is None or store.scalar("SELECT COUNT(*) FROM meeting", default=0):
        return {}                    # no campaign, or meetings already there: add nothing
    cal = load_calendar(store)
    wss = campaign.workstreams(store)
    heads = [campaign.members(store, w["id"]) for w in wss]
    lg = campaign.leading_group(store, c.id)
    dates, d = [], M.next_meeting_date(cal, _dt.date.fromisoformat(c.start_date))
    while d <= today:
        dates.append(d)
        d = M.next_meeting_date(cal, d + _dt.timedelta(days=1))
    special = _special_meeting(store, cal, dates)
    plan = sorted([(x, "例会") for x in dates] + ([(special[0], "专题会议")] if special else []))
    # a few items decided two to six weeks ago are still not done: they are the overdue ones
    late = [x for x, k in plan if k == "例会" and 14 <= (today - x).days <= 45]
    laggards = set(rng.sample(late, min(len(late), rng.choice((2, 3, 3)))))
    made, n_items = [], 0
    with store.tx(label="生成演示数据：周调度会"):
        for i, (day, kind) in enumerate(plan):
            mid, agenda = _meeting(store, rng, day, kind, i, lg, heads, special, today)
            made.append((mid, day, agenda))
            if day < today:
                n_items += _decide(store, rng, mid, day, kind, wss, heads, lg, special, today, day in laggards)
        for mid, day, agenda in made:
            if day >= today:
                continue             # today's meeting is still being prepared
            M.freeze_reports(store, mid, today, agenda)
            _reports(store, rng, mid, wss)
            from models.reports.minutes import default_body
            store.update("meeting", mid, {"body": default_body(store, mid, today)})
            at = f"{day.isoformat()}T{rng.randint(9, 10):02d}:{rng.randint(0, 59):02d}:00"
            store.execute("UPDATE meeting_report SET frozen_at = ? WHERE meeting_id = ?", (at, mid))
            if (today - day).days >= 2:
                M.close_meeting(store, mid, today)
                store.update("meeting", mid, {"closed_at": f"{cal.next_workday(day + _dt.timedelta(days=1))}T16:30:00"})
    return {"meetings": len(made), "action_items": n_items}


def _special_meeting(store: Store, cal, dates: list[_dt.date]):
    """The biggest group claim on a project in the middle weeks gets a special meeting."""
    if len(dates) < 4:
        return None
    row = store.one("SELECT id, registered_on, project_name, employer_name, total_workers, workstream_id "
                    "FROM case_record WHERE deleted_at IS NULL AND project_name != '' AND registered_on >= ? "
                    "AND registered_on < ? ORDER BY total_workers DESC LIMIT 1",
                    (dates[2].isoformat(), dates[-2].isoformat()))
    if row is None or row["total_workers"] < 30:
        return None
    day = cal.add_workdays(_dt.date.fromisoformat(row["registered_on"]), 1)
    if day.weekday() == 0 or day in dates:
        day = cal.add_workdays(day, 1)
    return day, dict(row)


def _meeting(store, rng, day, kind, i, lg, heads, special, today) -> tuple[int, M.Agenda]:
    people = {p["name"]: p for p in lg}
    for ms in heads:
        for m in ms[:2]:
            people.setdefault(m["name"], m)
    names = list(people)
    absent = rng.sample(names[1:], rng.choice((0, 1, 1, 2))) if kind == "例会" else []
    present = [M.person_line(people[n]) for n in names if n not in absent]
    liaisons = [(m, ws["name"]) for ws, ms in zip(campaign.workstreams(store), heads) for m in ms
                if m["role"] == "联络员"]
    nonvoting = [M.person_line(m, f"{ws}{m['title']}") for m, ws in rng.sample(liaisons, 2)]
    values = {"place": "镇政府三楼会议室" if kind == "例会" else "镇政府二楼小会议室",
              "host": lg[0]["name"], "recorder": next((p["name"] for p in lg if p["role"] == "办公室主任"), ""),
              "time_text": "上午8:30" if kind == "例会" else "下午3:00",
              "attendees_present": "\n".join(present), "attending_nonvoting": "\n".join(nonvoting),
              "absent_with_reason": "\n".join(f"{n}：{rng.choice(ABSENCE_REASONS)}" for n in absent)}
    if kind == "例会" and i == 0:
        values["title"] = "专项行动动员部署暨第1期周调度会议"
    if kind == "专题会议":
        case = special[1]
        values["title"] = f"{case['project_name']}农民工工资问题专题会议"
        values["attending_nonvoting"] += f"\n{case['employer_name']}负责人"
        values["since_date"] = day.isoformat()
    mid = M.create_meeting(store, day, kind, **values)
    agenda = M.agenda_for(store, mid, today)
    store.update("meeting", mid, {"agenda": M.agenda_text(agenda, M.get_meeting(store, mid)),
                                  "created_at": f"{day - _dt.timedelta(days=3)}T16:00:00"})
    return mid, agenda


def _fill(store: Store, template: str, ws_id: int, day: _dt.date, rng) -> str:
    row = store.one("SELECT employer_name, project_name FROM case_record WHERE workstream_id = ? AND registered_on < ? "
                    "AND deleted_at IS NULL AND project_name != '' ORDER BY total_owed_fen - total_paid_fen DESC LIMIT 1",
                    (ws_id, day.isoformat())) or \
        store.one("SELECT employer_name, project_name FROM case_record WHERE registered_on < ? AND project_name != '' "
                  "ORDER BY total_owed_fen DESC LIMIT 1", (day.isoformat(),))
    new = store.scalar("SELECT COUNT(*) FROM case_record WHERE registered_on >= ? AND registered_on < ?",
                       ((day - _dt.timedelta(days=7)).isoformat(), day.isoformat()), 0)
    emp = row["employer_name"] if row else "相关企业"
    proj = row["project_name"] if row else "相关项目"
    return template.format(emp=emp, proj=proj, n=max(new, 1), vil=rng.choice(VILLAGES))


def _decide(store, rng, mid, day, kind, wss, heads, lg, special, today, laggard) -> int:
    cal = load_calendar(store)
    if kind == "专题会议":
        case = special[1]
        picks = [(1, f"督促{case['project_name']}总承包单位先行垫付{case['total_workers']}名农民工工资，"
                     "3个工作日内拿出具体兑付方案", 3),
                 (2, f"落实专人盯守{case['project_name']}讨薪农民工，做好政策解释和情绪疏导，防止事态扩大", 1),
                 (6, f"对接区住建局、财政局，核实{case['project_name']}政府投资项目资金拨付情况", 5)]
    else:
        pool = list(DECISIONS)
        rng.shuffle(pool)
        picks, seen = [], set()
        for p in pool:
            if p[0] not in seen and len(picks) < rng.choice((2, 3, 3, 4)):
                picks.append(p)
                seen.add(p[0])
        if rng.random() < 0.3:
            picks.append((None, OFFICE, 5))
    for ws_i, template, days in picks:
        ws_id = wss[ws_i]["id"] if ws_i is not None else None
        owner = heads[ws_i][rng.choice((0, 1, 1))]["name"] if ws_i is not None else \
            next((p["name"] for p in lg if p["role"] == "办公室主任"), "")
        content = _fill(store, template, ws_id, day, rng) if ws_id else template
        due = cal.add_workdays(day, days + rng.choice((0, 0, 1, 2)))
        M.add_decision(store, mid, content, ws_id, owner, due)
    _follow_up(store, rng, mid, day, today, cal, laggard)
    return len(picks)


def _follow_up(store, rng, mid, day, today, cal, laggard: bool) -> None:
    """Most items are done on or near time; a laggard meeting leaves one item open past its due date."""
    for k, it in enumerate(M.decisions(store, mid, today)):
        due = _dt.date.fromisoformat(it["due_date"])
        notes = []
        first = min(cal.add_workdays(day, rng.randint(1, 3)), today - _dt.timedelta(days=1))
        notes.append(f"{first} 已召集相关单位研究落实，明确专人负责")
        stays_open = due >= today or (laggard and k == 0)
        if stays_open:
            status = "办理中" if first < today and rng.random() < 0.8 else "待办"
            if status == "待办":
                notes = []
            elif due < today:
                notes.append(f"{min(due + _dt.timedelta(days=2), today - _dt.timedelta(days=1))} 因上级资金未到位，"
                             "尚未办结，正在协调")
            store.update("action_item", it["id"], {"status": status, "progress": "\n".join(notes)})
            continue
        late = rng.random() < 0.15
        closed = cal.add_workdays(due, rng.randint(1, 4)) if late else \
            max(first, cal.add_workdays(due, -rng.randint(0, 2)))
        closed = min(closed, today - _dt.timedelta(days=1))
        notes.append(f"{closed} 已办结，经领导小组办公室核实销号")
        store.update("action_item", it["id"], {"status": "已办结", "closed_on": closed.isoformat(),
                                               "progress": "\n".join(notes)})


def _reports(store: Store, rng, mid: int, wss) -> None:
    for r in M.meeting_reports(store, mid):
        f = r["figures"]
        i = next(k for k, w in enumerate(wss) if w["id"] == r["workstream_id"])
        if i in REPORT_LINES:
            text, problem = REPORT_LINES[i]
            text = text.format(k=rng.randint(2, 9))
            problem = problem if rng.random() < 0.5 else ""
        else:
            text = (f"本周新增受理欠薪问题{f.get('new_cases', 0)}件，办结{f.get('closed_cases', 0)}件，"
                    f"督促兑付农民工工资{f.get('repaid_fen', 0) / 1_000_000:.2f}万元。")
            problem = "个别企业负责人失联，清偿资金来源不确定。" if f.get("overdue_cases") else ""
        store.update("meeting_report", r["id"], {"report_text": text, "problems": problem})
