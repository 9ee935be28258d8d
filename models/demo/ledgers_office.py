"""Demo rows of the office's own ledgers (排查、信访、失信名单、日报告), drawn from the demo cases.
Part of ``models.demo.ledgers.add_demo_ledgers``."""
from __future__ import annotations

import datetime as _dt

from models import daily, inspections as I, petitions as P
from models.ledger import registry
from models.ledger.repo import LedgerRepo
from models.ledgers.blacklist import removal_due

D = _dt.timedelta

# failed check → (hazard found, measure ordered)
_HAZARDS = {
    "real_name": ("施工现场未落实实名制管理，{n}名农民工无考勤记录，用工花名册与考勤记录不符",
                  "限期补录实名制信息和考勤记录，做到用工花名册、考勤记录、工资发放表“三册”相符"),
    "wage_account": ("未按规定开设农民工工资专用账户，人工费用未与工程款分账管理",
                     "督促总承包单位开设工资专用账户，建设单位按月将人工费用拨付至专用账户"),
    "gc_pays": ("分包单位以现金方式发放工资，未由总承包单位委托银行代发",
                "责令总承包单位落实代发工资制度，通过工资专用账户直接发放至农民工本人银行卡"),
    "deposit": ("工资保证金未足额存储（应按合同价款2%存储，实存{pct}%）",
                "限期补足工资保证金，逾期未补足的暂停办理相关手续"),
    "notice_board": ("施工现场未设置维权信息告示牌，农民工不清楚投诉举报渠道",
                     "在施工现场醒目位置设置维权信息告示牌，公示劳资专管员和投诉举报电话"),
    "paid_in_full": ("{m}月工资未按时足额发放，涉及{n}人{amt}万元",
                     "约谈企业负责人，责令限期足额支付拖欠工资，逾期未付的立案查处"),
}


def inspections(ctx) -> None:
    store, rng, today = ctx.store, ctx.rng, ctx.today
    r = I.repo(store)
    projects = [row["name"] for row in store.query("SELECT name FROM project ORDER BY id")]
    biz = [row["employer_name"] for row in store.query(
        "SELECT DISTINCT employer_name FROM case_record WHERE industry_type = '非工程建设' AND employer_name != '' "
        "ORDER BY employer_name")]
    targets = [("工程项目", p) for p in projects] + [("用人单位", b) for b in rng.sample(biz, min(8, len(biz)))]
    rng.shuffle(targets)
    inspectors = ctx.people("欠薪化解专班") + ctx.people("拖欠工程款化解专班")
    span = (today - ctx.start).days
    overdue_made = False
    for i, (kind, name) in enumerate(targets[:20]):
        day = ctx.day(ctx.start + D(days=span * i // 20), ctx.start + D(days=span * (i + 1) // 20))
        checks = {k: 1 for k in _HAZARDS}
        if rng.random() < 0.55:
            pool = list(_HAZARDS) if kind == "工程项目" else ["paid_in_full"]
            for k in rng.sample(pool, rng.randint(1, min(2, len(pool)))):
                checks[k] = 0
        failed = [k for k, v in checks.items() if not v]
        v = {"insp_no": I.next_no(store, day), "inspected_on": day.isoformat(), "target_type": kind,
             "target_name": name, "inspectors": "、".join(rng.sample(inspectors, min(2, len(inspectors)))),
             "workstream_id": ctx.ws_id("拖欠工程款化解专班" if kind == "工程项目" else "欠薪化解专班"), **checks,
             "status": "无隐患"}
        if failed:
            fill = {"n": rng.randint(3, 18), "pct": rng.choice((0.5, 1, 1.2)), "m": max(1, day.month - 1),
                    "amt": f"{rng.randint(20, 160) / 10:.1f}"}
            v["hazard"] = "；".join(_HAZARDS[k][0].format(**fill) for k in failed)
            v["measures"] = "；".join(_HAZARDS[k][1] for k in failed)
            due = day + D(days=rng.choice((7, 10, 15, 20)))
            v["rectify_by"] = due.isoformat()
            if due < today - D(days=2) and (rng.random() < 0.8 or overdue_made):
                v["status"], v["closed_on"] = "已销号", ctx.day(day + D(days=3), due).isoformat()
            elif due < today and not overdue_made:
                v["status"], overdue_made = "整改中", True
            else:
                v["status"] = "整改中" if (today - day).days > 4 else "待整改"
        r.insert(v)


def _phone(rng) -> str:
    return rng.choice(("138", "139", "152", "158", "177", "182", "187", "199")) + f"{rng.randrange(10 ** 8):08d}"


_DEMANDS = ("反映{emp}拖欠{n}名农民工{months}工资约{amt}万元，要求尽快足额兑付",
            "反映在{proj}务工期间工资被拖欠，包工头失联，要求总包单位先行清偿",
            "反映{emp}以工程款未到位为由拖欠工资{amt}万元，要求政府协调解决",
            "再次反映{emp}拖欠工资问题，称前期承诺的还款未兑现，要求加快办理")
_REPLIES = {"已化解": "经协调，拖欠工资已于{closed}全部兑付到农民工本人银行卡，反映人表示满意",
            "已移送": "经核实，用人单位经责令限期支付后仍拒不支付，已于{closed}移送公安机关立案侦查，已告知反映人",
            "不存在欠薪": "经核实，反映人工资已按约定结清，不存在欠薪情况，已当面向反映人说明",
            "化解中": "已交责任专班办理，正在督促用人单位制定还款计划",
            "待核实": "已交责任专班核实"}


def petitions(ctx) -> None:
    store, rng, today = ctx.store, ctx.rng, ctx.today
    r = P.repo(store)
    cases = [dict(c) for c in store.query(
        "SELECT id, case_no, source, registered_on, employer_name, project_name, workstream_id, status, closed_on, "
        "total_workers, total_owed_fen FROM case_record WHERE deleted_at IS NULL ORDER BY registered_on, id")]
    direct = [c for c in cases if c["source"] in ("信访来访", "信访来信", "来电")]
    others = [c for c in cases if c not in direct and c["source"] in ("12345", "全国根治欠薪线索反映平台", "上级交办")]
    chosen = direct + rng.sample(others, min(len(others), max(0, 44 - len(direct))))
    stability = ctx.ws_id("信访维稳工作专班")
    for c in sorted(chosen, key=lambda c: c["registered_on"]):
        w = store.one("SELECT name, phone FROM worker WHERE case_id = ? AND deleted_at IS NULL ORDER BY owed_fen DESC "
                      "LIMIT 1", (c["id"],))
        name = w["name"] if w else rng.choice("王李张刘陈杨黄赵") + rng.choice(("德明", "建国", "秀英", "国华", "志强", "春梅"))
        phone = (w["phone"] if w and w["phone"] else _phone(rng))
        first = _dt.date.fromisoformat(c["registered_on"])
        channel = {"信访来访": "来访", "信访来信": "来信", "来电": "来电", "12345": "12345转办",
                   "上级交办": "上级交办"}.get(c["source"], "来访")
        people = 1
        if channel == "来访" and c["total_workers"] > 1:
            people = min(c["total_workers"], rng.choice((1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 7, 12, 20)))
        visits = [first]
        closed = _dt.date.fromisoformat(c["closed_on"]) if c["closed_on"] else None
        end = min(today, closed - D(days=1)) if closed else today
        if rng.random() < 0.35 and (end - first).days > 8:
            visits.append(ctx.day(first + D(days=7), min(end, first + D(days=60))))
        for k, day in enumerate(visits):
            fill = {"emp": c["employer_name"] or c["project_name"], "proj": c["project_name"] or "该工程",
                    "n": c["total_workers"], "months": f"{max(1, day.month - 3)}—{max(1, day.month - 1)}月",
                    "amt": f"{c['total_owed_fen'] / 1_000_000:.1f}"}
            build = bool(c["project_name"])
            text = _DEMANDS[3 if k else (1 if build and rng.random() < 0.3 else 2 if build and rng.random() < 0.4 else 0)]
            last = k == len(visits) - 1
            status = c["status"] if last else "化解中"
            result = {"已化解": "已化解", "已移送": "已答复", "不存在欠薪": "已答复"}.get(
                status, "正在处理" if status == "化解中" else "已交办")
            reply = _REPLIES[status].format(closed=f"{closed.month}月{closed.day}日" if closed else "")
            r.insert({"visited_on": day.isoformat(), "petitioner": name, "phone": phone,
                      "people_count": people if k == 0 else max(1, people // 2 + (people >= 10) * 5),
                      "channel": channel if k == 0 else "来访", "demand": text.format(**fill),
                      "employer_name": c["employer_name"] or c["project_name"], "case_id": c["id"],
                      "workstream_id": stability if people >= 5 else c["workstream_id"],
                      "result": result, "reply": reply})


def blacklist(ctx) -> None:
    store, rng, today = ctx.store, ctx.rng, ctx.today
    repo = LedgerRepo(store, registry.get("blacklist"))
    ws = ctx.ws_id("欠薪化解专班")
    moved = [dict(c) for c in store.query(
        "SELECT c.case_no, c.employer_name, c.closed_on, c.amount_fen, c.total_workers, e.credit_code, e.legal_person "
        "FROM case_record c LEFT JOIN employer e ON e.name = c.employer_name WHERE c.deleted_at IS NULL "
        "AND c.status = '已移送' AND c.employer_name != '' AND c.closed_on IS NOT NULL ORDER BY c.closed_on")]
    by_emp: dict[str, list] = {}
    for c in moved:
        by_emp.setdefault(c["employer_name"], []).append(c)
    used = set(by_emp)
    spare = [dict(e) for e in store.query("SELECT name, credit_code, legal_person FROM employer ORDER BY id")
             if e["name"] not in used]
    rng.shuffle(spare)
    old = [("拒不支付劳动报酬，经人力资源社会保障部门责令限期支付后逾期仍未支付，涉及农民工{n}人、工资{amt}万元",
            today - D(days=3 * 365 + 40), True, "期满移出"),
           ("克扣、无故拖欠农民工工资达到认定拒不支付劳动报酬罪数额标准，涉及{n}人",
            today - D(days=560), True, "信用修复提前移出"),
           ("因拖欠农民工工资引发群体性事件，造成不良社会影响", today - D(days=410), None, "")]
    for (reason, listed, removed, why), e in zip(old, spare):
        listed = ctx.workday_on_or_before(listed)
        v = {"employer_name": e["name"], "credit_code": e["credit_code"], "legal_person": e["legal_person"],
             "reason": reason.format(n=rng.randint(12, 46), amt=f"{rng.randint(30, 180) / 10:.1f}"),
             "reported_on": (listed - D(days=rng.randint(10, 25))).isoformat(), "listed_on": listed.isoformat(),
             "workstream_id": ws, "notes": "专项行动前列入，名单由县人力资源社会保障局公布"}
        if removed:
            due = _dt.date.fromisoformat(removal_due(listed))
            early = ctx.workday_on_or_before(listed + D(days=420))
            v["removed_on"] = (due if why == "期满移出" else early).isoformat()
            v["removal_reason"] = why
            if why != "期满移出":
                v["notes"] = "已全额清偿拖欠工资，列入满1年未再发生欠薪，经本人申请、县人社局审核提前移出"
        repo.insert(v)
    for k, (emp, rows) in enumerate(list(by_emp.items())[:2]):
        c = rows[0]
        reported = min(today, _dt.date.fromisoformat(c["closed_on"]) + D(days=rng.randint(3, 8)))
        listed = reported + D(days=rng.randint(12, 20))
        repo.insert({"employer_name": emp, "credit_code": c["credit_code"] or "", "legal_person": c["legal_person"] or "",
                     "reason": f"拒不支付劳动报酬，涉及农民工{c['total_workers']}人、工资{c['amount_fen'] / 1_000_000:.1f}万元，"
                               "经责令限期支付逾期仍未支付，已移送公安机关",
                     "reported_on": reported.isoformat(), "listed_on": listed.isoformat() if listed <= today else None,
                     "case_nos": "、".join(x["case_no"] for x in rows), "workstream_id": ws})


_LEADS = {"欠薪化解专班": "逐件明确包案责任人，督促用人单位限期兑付",
          "拖欠工程款化解专班": "督促建设单位按计划拨付工程款，优先保障农民工工资",
          "信访维稳工作专班": "来访群众已做好解释疏导，交责任专班办理",
          "国有资产处置专班": "推进闲置资产评估和处置", "宅基地处置专班": "对接区自然资源局办理用地手续",
          "产业发展专班": "核算产业收益", "项目资金及经费争取专班": "跟进上级项目资金拨付"}


def _note(ws_name: str, v: dict) -> str:
    parts = []
    if v["new_cases"]:
        parts.append(f"新增欠薪线索{v['new_cases']}件")
    if v["new_petitions"]:
        parts.append(f"接待信访{v['new_petitions']}件")
    if v["new_resolved"]:
        parts.append(f"化解{v['new_resolved']}件")
    if v["repaid_fen"]:
        parts.append(f"兑付农民工工资{v['repaid_fen'] / 1_000_000:.2f}万元")
    return "，".join(parts) + "；" + _LEADS.get(ws_name, "按计划推进") + "。"


def daily_returns(ctx) -> None:
    store, rng, today = ctx.store, ctx.rng, ctx.today
    days, d = [], today
    while len(days) < 10 and d >= ctx.start:
        if ctx.cal.is_workday(d):
            days.append(d)
        d -= D(days=1)
    names = {v: k for k, v in ctx.ws.items()}
    late_today = {ctx.ws_id("宅基地处置专班"), ctx.ws_id("产业发展专班")}
    for day in reversed(days):
        for ws_id in ctx.ws.values():
            if day == today and ws_id in late_today:
                continue
            v = daily.suggest(store, ws_id, day)
            if not v["is_zero"]:
                v["notes"] = _note(names[ws_id], v)
            else:                       # a 零报告 says nothing more (a note would make it a return)
                v["notes"] = ""
                rng.random()            # the draw the note once took: the rest of the demo stays as it was
            v["reporter"] = ctx.liaison(ws_id)
            daily.submit_return(store, v)
