"""The demo township's 一企一策 plans and 垫付追偿: measures for the employers with the most wages
still unpaid, one advance from the emergency fund partly recovered, one from a wage deposit
fully recovered. Added to a built township demo through the write services."""
from __future__ import annotations

import datetime as _dt
import random

from models.db import Store

MEASURES = (
    ("约谈企业法定代表人，签订工资支付承诺书，明确{date}前付清", "镇人社所所长"),
    ("督促建设单位按合同进度拨付工程款，专项用于支付农民工工资", "分管副镇长"),
    ("核实农民工名单和欠薪金额，逐人确认，建立一人一档", "欠薪化解专班"),
    ("协调总承包单位先行清偿，再向分包单位追偿", "包案领导"),
    ("对拒不支付的，移送劳动保障监察立案查处，涉嫌犯罪的移送公安机关", "劳动保障监察员"),
)


def _pick_people(store: Store) -> list[str]:
    names = [r["name"] for r in store.query("SELECT DISTINCT owner_person AS name FROM case_record "
                                             "WHERE owner_person != '' ORDER BY owner_person LIMIT 12")]
    return names or ["张桂"]


def populate(store: Store, rng: random.Random, today: _dt.date) -> dict:
    from models.advances import record_advance, record_recovery
    from models.ledger.service import service_for
    from models.ledgers.employers import case_match_sql
    people = _pick_people(store)
    plans = service_for(store, "employer_plans", today)
    employers = [dict(r) for r in store.query(
        f"SELECT e.id, e.name, (SELECT COALESCE(SUM(c.total_owed_fen - c.total_paid_fen), 0) FROM case_record c "
        f"WHERE {case_match_sql('e')}) AS left FROM employer e ORDER BY left DESC, e.id LIMIT 5")]
    plan_count = 0
    for n, e in enumerate(employers):
        if e["left"] <= 0:
            continue
        for k in range(2 + n % 2):
            text, who = MEASURES[(n + k) % len(MEASURES)]
            start = today - _dt.timedelta(days=30 - 3 * k)
            due = today + _dt.timedelta(days=rng.choice((-5, 10, 20, 35)) if k == 0 and n == 1 else 15 + 10 * k)
            status = "已完成" if (n == 0 and k == 0) else ("推进中" if k < 2 else "未启动")
            pct = 100 if status == "已完成" else (0 if status == "未启动" else rng.choice((30, 50, 60, 80)))
            plans.insert({"employer_id": e["id"], "measure": text.format(date=f"{due.month}月{due.day}日"),
                          "responsible": people[(n + k) % len(people)] if "专班" not in who else who,
                          "start_on": start.isoformat(), "due_on": due.isoformat(), "progress_pct": pct,
                          "progress": "已约谈，企业承诺分期支付" if pct else "",
                          "status": status, "done_on": (today - _dt.timedelta(days=3)).isoformat()
                          if status == "已完成" else None})
            plan_count += 1
    # the advances: cases with workers still unpaid, of employers on the list
    out = {"plans": plan_count, "advances": []}
    fund = store.one("SELECT f.id, f.fund_no, f.received_on FROM fund f WHERE f.deleted_at IS NULL "
                     "AND f.channel = '应急周转金' AND f.received_on <= ? AND f.received_fen - COALESCE((SELECT SUM(a.amount_fen) "
                     "FROM fund_allocation a WHERE a.fund_id = f.id AND a.deleted_at IS NULL), 0) >= 3000000 "
                     "ORDER BY f.received_on DESC, f.id LIMIT 1", (today.isoformat(),))
    cases = [dict(r) for r in store.query(
        "SELECT c.id, c.case_no, c.registered_on, c.total_owed_fen - c.total_paid_fen AS left FROM case_record c "
        "WHERE c.deleted_at IS NULL AND c.employer_id IS NOT NULL AND c.w_count > 0 AND c.registered_on <= ? "
        "AND c.status NOT IN ('不存在欠薪') AND c.total_owed_fen - c.total_paid_fen >= 3000000 "
        "ORDER BY c.total_owed_fen - c.total_paid_fen DESC, c.id LIMIT 2", (today.isoformat(),))]
    if fund and cases:
        day = max(_dt.date.fromisoformat(fund["received_on"]), _dt.date.fromisoformat(cases[0]["registered_on"]),
                  today - _dt.timedelta(days=20))
        amount = min(cases[0]["left"], 2600000)
        aid = record_advance(store, {"source": "应急周转金", "fund_id": fund["id"], "case_id": cases[0]["id"],
                                     "amount_fen": amount, "advanced_on": day.isoformat(),
                                     "responsible": people[0], "notes": "春节前应急垫付，企业承诺分两期归还"}, today)
        back = day + _dt.timedelta(days=min(7, max((today - day).days, 0)))
        record_recovery(store, aid, amount * 2 // 5, back.isoformat(), voucher_no="HK-001", today=today)
        out["advances"].append(aid)
    if len(cases) > 1:
        c = cases[1]
        day = max(_dt.date.fromisoformat(c["registered_on"]), today - _dt.timedelta(days=25))
        amount = min(c["left"], 1500000)
        aid = record_advance(store, {"source": "工资保证金", "deposit_ref": "工程项目工资保证金专户",
                                     "case_id": c["id"], "amount_fen": amount, "advanced_on": day.isoformat(),
                                     "responsible": people[1 % len(people)]}, today)
        first = day + _dt.timedelta(days=min(5, max((today - day).days, 0)))
        second = day + _dt.timedelta(days=min(12, max((today - day).days, 0)))
        record_recovery(store, aid, amount // 2, first.isoformat(), voucher_no="HK-002", today=today)
        record_recovery(store, aid, amount - amount // 2, second.isoformat(), voucher_no="HK-003", today=today)
        out["advances"].append(aid)
    return out
