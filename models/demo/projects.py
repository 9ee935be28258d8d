"""The demo township's 一项目一档 (issue 19, item 3): three of its projects get their parties, wage
special account, deposit, guarantee and dates, a 花名册, and the 考勤表 and 工资发放表 of the
last three months, through the write services. One month of one project does not agree (a
worker paid for more days than he worked, and one paid who is on neither the roster nor the
attendance): the 三册相符 rule finds it. One project was completed more than 40 days ago and is
not settled; one project's general contractor has repeated arrears cases, so its deposit rate
is the offenders' one."""
from __future__ import annotations

import datetime as _dt

from models.db import Store

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_BANKS = ("中国农业银行青山支行", "中国建设银行青山支行", "四川农商银行青山支行", "中国邮政储蓄银行青山营业所")
_TEAMS = ("钢筋班组", "木工班组", "泥工班组", "架子班组")
_TRADES = {"钢筋班组": "钢筋工", "木工班组": "木工", "泥工班组": "泥瓦工", "架子班组": "架子工"}
_DAY_RATE = {"钢筋工": 380_00, "木工": 360_00, "泥瓦工": 340_00, "架子工": 330_00}


def _id_number(rng, born: _dt.date) -> str:
    body = rng.choice(("511322", "511902", "511921", "511923")) + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS)) % 11]
    return body + check


def _months_before(today: _dt.date, n: int) -> list[str]:
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(f"{y:04d}-{m:02d}")
    return sorted(out)


def _pick_projects(store: Store) -> list[dict]:
    """Three projects with a general contractor: one whose contractor has repeated arrears cases
    (the offenders' rate), one whose contractor has few (the default rate), one more."""
    from models.projects import offender_sql
    rows = [dict(r) for r in store.query(
        f"SELECT t.id, t.name, t.general_contractor, t.contract_fen, {offender_sql('t')} AS offender "
        "FROM project t WHERE t.deleted_at IS NULL AND t.general_contractor != '' ORDER BY t.contract_fen DESC, t.id")]
    bad = [r for r in rows if r["offender"]]
    good = [r for r in rows if not r["offender"]]
    chosen = bad[:1] + good[:1]
    return chosen + [r for r in rows if r not in chosen][:3 - len(chosen)]


def populate(store: Store, rng, today: _dt.date) -> dict:
    from models.demo.base import _person_name
    from models.ledger.service import service_for
    from models import projects as P
    chosen = _pick_projects(store)
    if not chosen:
        return {"projects": 0}
    psvc = service_for(store, "projects", today)
    roster_svc = service_for(store, "roster", today)
    att_svc = service_for(store, "attendance", today)
    pay_svc = service_for(store, "payroll", today)
    months = _months_before(today, 3)
    used: set[str] = set()
    out = {"projects": len(chosen), "names": [], "workers": 0, "attendance": 0, "payroll": 0,
           "months": months, "bad_month": None, "overdue": None}
    for i, p in enumerate(chosen):
        contract = p["contract_fen"] or (rng.randrange(800, 6000) * 1_000_000)
        started = today - _dt.timedelta(days=rng.randrange(300, 480))
        values = {"labor_manager": _person_name(rng, used), "labor_manager_phone": f"1390817{rng.randrange(10_000):04d}",
                  "wage_bank": _BANKS[i % len(_BANKS)],
                  "wage_account": f"2230{rng.randrange(10 ** 15):015d}",
                  "contract_fen": contract, "started_on": started.isoformat(),
                  "deposit_form": ("现金存储", "银行保函", "工程保证保险")[i % 3],
                  "deposit_on": (started + _dt.timedelta(days=rng.randrange(5, 20))).isoformat(),
                  "guarantee_form": ("银行保函", "工程担保公司保函", "工程保证保险")[i % 3],
                  "guarantee_fen": contract // 10}
        if i == 1:          # completed 70 days ago, not settled: past the 40 days
            values["completed_on"] = (today - _dt.timedelta(days=70)).isoformat()
            out["overdue"] = p["name"]
        elif i == 2:        # completed and settled in time
            done = today - _dt.timedelta(days=120)
            values.update(completed_on=done.isoformat(), settled_on=(done + _dt.timedelta(days=32)).isoformat(),
                          settlement_fen=contract + contract // 25)
        with store.tx(label="演示数据：一项目一档"):
            psvc.update(p["id"], values)
        due = P.deposit(store, p["id"])["due_fen"]
        with store.tx(label="演示数据：工资保证金足额存储"):
            psvc.update(p["id"], {"deposit_fen": due})
        # the roster and three months of attendance and payroll
        n = rng.randrange(9, 14)
        workers = []
        for _ in range(n):
            born = _dt.date(rng.randrange(1965, 2000), rng.randrange(1, 13), rng.randrange(1, 29))
            team = rng.choice(_TEAMS)
            w = {"project_id": p["id"], "name": _person_name(rng, used), "id_number": _id_number(rng, born),
                 "team": team, "trade": _TRADES[team], "entered_on": (started + _dt.timedelta(days=rng.randrange(0, 30))).isoformat(),
                 "contract_signed": 1, "bank_card": ""}
            with store.tx(label="演示数据：花名册"):
                roster_svc.insert(w)
            workers.append(w)
        out["workers"] += n
        bad = i == 0
        for k, month in enumerate(months):
            first, last = P.month_bounds(month)
            paid_on = (_dt.date.fromisoformat(last) + _dt.timedelta(days=10)).isoformat()
            for j, w in enumerate(workers):
                days = rng.randrange(18, 27)
                with store.tx(label="演示数据：考勤表"):
                    att_svc.insert({"project_id": p["id"], "month": month, "name": w["name"], "id_number": w["id_number"],
                                    "team": w["team"], "days": days})
                paid_days = days + 3 if (bad and k == 1 and j == 0) else days
                wage = paid_days * _DAY_RATE[w["trade"]]
                with store.tx(label="演示数据：工资发放表"):
                    pay_svc.insert({"project_id": p["id"], "month": month, "name": w["name"], "id_number": w["id_number"],
                                    "team": w["team"], "days": paid_days, "payable_fen": wage, "paid_fen": wage,
                                    "paid_on": paid_on})
                out["attendance"] += 1
                out["payroll"] += 1
            if bad and k == 1:      # one paid who is on neither the roster nor the attendance
                born = _dt.date(1988, 4, 17)
                with store.tx(label="演示数据：工资发放表"):
                    pay_svc.insert({"project_id": p["id"], "month": month, "name": _person_name(rng, used),
                                    "id_number": _id_number(rng, born), "days": 20, "payable_fen": 20 * 350_00,
                                    "paid_fen": 20 * 350_00, "paid_on": paid_on})
                out["payroll"] += 1
                out["bad_month"] = (p["name"], month)
        out["names"].append(p["name"])
    return out
