"""Demo rows of the workstreams' ledgers, drawn from the demo township's own cases so every
figure agrees with the case ledger: funds raised by channel and allocated to cases, the asset
items that produced them, contract arrears with repayment plans, inspections, petitions, the
blacklist and two weeks of daily returns.

Called from ``models.demo.build_demo`` once the cases, workers and repayments exist (township
scale, triggers on): ``add_demo_ledgers(ctx.store, ctx.rng, ctx.today)``. Nothing here imports Qt.
"""
from __future__ import annotations

import datetime as _dt
import random

from models import assets as A, contracts as K, funds as FU
from models.db import Store
from models.ledgers.assets import CATEGORY_WORKSTREAM, STAGES

WS_NAMES = ("欠薪化解专班", "拖欠工程款化解专班", "信访维稳工作专班", "国有资产处置专班", "宅基地处置专班",
            "产业发展专班", "项目资金及经费争取专班")


class DemoCtx:
    def __init__(self, store: Store, rng: random.Random, today: _dt.date) -> None:
        from models import campaign
        from models.cases import load_calendar
        self.store, self.rng, self.today = store, rng, today
        c = campaign.current(store)
        self.start = _dt.date.fromisoformat(c.start_date) if c else today - _dt.timedelta(weeks=10)
        self.end = _dt.date.fromisoformat(c.end_date) if c else today + _dt.timedelta(weeks=10)
        self.ws = {w["name"]: w["id"] for w in campaign.workstreams(store)}
        self.members = {}
        for w in campaign.workstreams(store):
            self.members[w["id"]] = campaign.members(store, w["id"])
        self.cal = load_calendar(store)
        from models.demo.words import Place
        self.place = Place.of_store(store)      # another township's place names in its items

    def local(self, spec: tuple) -> tuple:
        return tuple(self.place.local(v) if isinstance(v, str) else v for v in spec)

    def ws_id(self, name: str) -> int | None:
        return self.ws.get(name)

    def people(self, ws_name: str, roles=("组长", "副组长", "成员")) -> list[str]:
        return [m["name"] for m in self.members.get(self.ws.get(ws_name), []) if m["role"] in roles]

    def liaison(self, ws_id: int) -> str:
        names = [m["name"] for m in self.members.get(ws_id, []) if m["role"] == "联络员"]
        return names[0] if names else ""

    def workday_on_or_before(self, d: _dt.date) -> _dt.date:
        return self.cal.previous_workday(d)

    def day(self, lo: _dt.date, hi: _dt.date) -> _dt.date:
        """A working day between lo and hi (inclusive) when there is one, never after today."""
        hi = min(hi, self.today)
        if hi <= lo:
            return hi
        d = lo
        for _ in range(20):
            d = lo + _dt.timedelta(days=self.rng.randint(0, (hi - lo).days))
            if self.cal.is_workday(d):
                break
        return d


def add_demo_ledgers(store: Store, rng: random.Random, today: _dt.date) -> dict:
    """Fill the workstreams' ledgers of a demo database; returns how many rows each got.
    Does nothing (returns {}) when the funds ledger already has rows."""
    if store.scalar("SELECT COUNT(*) FROM fund", default=0):
        return {}
    if store.bulk:
        raise ValueError("演示台账须在逐行触发器开启时生成（兑付要计入农民工实发工资）")
    from models.demo import ledgers_office as O
    ctx = DemoCtx(store, rng, today)
    with store.tx(label="生成演示数据"):
        _funds_and_assets(ctx)
        _contracts(ctx)
        O.inspections(ctx)
        O.petitions(ctx)
        O.blacklist(ctx)
        O.daily_returns(ctx)
    tables = {"funds": "fund", "fund_allocations": "fund_allocation", "assets": "asset_item",
              "contract_arrears": "contract_arrear", "contract_instalments": "contract_instalment",
              "inspections": "inspection", "petitions": "petition", "blacklist": "blacklist_entry",
              "daily_reports": "daily_report"}
    return {k: store.scalar(f'SELECT COUNT(*) FROM "{t}" WHERE deleted_at IS NULL', default=0)
            for k, t in tables.items()}


# ---------------------------------------------------------------------------------------------
# Funds and the asset items behind them
# ---------------------------------------------------------------------------------------------
# (category, name, location, area ㎡, appraised 万元, method, applied 万元, stage index) for items
# still under way; the ones that produced money are made from _INCOME below.
_UNDER_WAY = [
    ("国有资产", "原青山乡卫生院旧址房屋及场地", "青山镇健康路12号", 1860, 96, "公开拍卖", 0, 1),
    ("国有资产", "镇农贸市场临街门面（14间）", "青山镇正街", 520, 0, "租赁经营", 0, 2),
    ("国有资产", "原白果村小学闲置校舍", "青山镇白果村三组", 1240, 0, "", 0, 0),
    ("宅基地", "江口村旧村复垦结余地块", "青山镇江口村五组", 6400, 0, "挂牌出让", 0, 1),
    ("宅基地", "双河村集中安置点剩余宅基地（9宗）", "青山镇双河村二组", 2160, 0, "挂牌出让", 0, 2),
    ("产业设施", "双河村柑橘种植基地", "青山镇双河村", 186000, 0, "承包经营", 0, 1),
    ("项目库", "青山镇高标准农田建设项目（二期）", "青山镇双河村、白果村", 0, 0, "上级补助", 860, 1),
    ("项目库", "G347线青山镇过境段改建工程省级补助资金", "青山镇", 0, 0, "上级补助", 1200, 2),
    ("项目库", "江口水乡乡村振兴衔接资金项目", "青山镇江口村", 0, 0, "上级补助", 300, 0),
]
# money-producing items: (category, name, location, area, method, share of appraisal realised)
_ASSET_SALES = [
    ("国有资产", "原青山粮站仓库及场地", "青山镇滨河路8号", 3250, "公开拍卖", 0.93),
    ("宅基地", "石桥村集中安置点剩余宅基地（12宗）", "青山镇石桥村一组", 2880, "挂牌出让", 1.0),
    ("国有资产", "镇属公司闲置车辆（3台）", "青山镇人民政府院内", 0, "公开拍卖", 0.88),
    ("宅基地", "友谊村土地整理结余地块", "青山镇友谊村四组", 4100, "挂牌出让", 0.97),
]
_INDUSTRY = [("产业设施", "青龙村茶叶加工厂房及设备", "青山镇青龙村", 2400, "租赁经营", 18),
             ("产业设施", "大垭村生猪代养场", "青山镇大垭村", 5200, "承包经营", 12)]
_PROJECT = ("项目库", "友谊水库灌区渠系工程中央预算内投资（第二批）", "青山镇友谊村、石桥村", 0, "上级补助", 80, 300)


def _wan_up(fen: int, step_wan: int = 5) -> int:
    step = step_wan * 1_000_000
    return -(-fen // step) * step


def _tranches(ctx: DemoCtx, repayments: list, first_day: _dt.date, lookahead: int, minimum_wan: int):
    """Cover ``repayments`` (by date) with funds received in tranches, first in first out:
    [(received day, amount, [repayment rows])]."""
    out, cur, used = [], None, 0
    days = [_dt.date.fromisoformat(p["paid_on"]) for p in repayments]
    for i, p in enumerate(repayments):
        day = days[i]
        if cur is None or cur[1] - used < p["amount_fen"]:
            limit = day + _dt.timedelta(days=lookahead)
            soon = 0
            for j in range(i, len(repayments)):      # by date: stop at the first one beyond the look-ahead
                if days[j] > limit:
                    break
                soon += repayments[j]["amount_fen"]
            amount = max(_wan_up(int(soon * ctx.rng.uniform(1.05, 1.25))), minimum_wan * 1_000_000)
            lo = first_day if cur is None else cur[0]
            got = ctx.workday_on_or_before(day - _dt.timedelta(days=ctx.rng.randint(1, 4)))
            cur = (min(max(got, lo), day), amount, [])
            used = 0
            out.append(cur)
        cur[2].append(p)
        used += p["amount_fen"]
    return out


def _sales(ctx: DemoCtx, repayments: list):
    """Asset-disposal money in up to three sales (粮站仓库, 宅基地, 车辆 …), each received a few
    days before the first repayment it pays for: [(received day, amount, [repayment rows])]."""
    k = min(3, len(repayments))
    out, last = [], ctx.start
    for j in range(k):
        rows = repayments[len(repayments) * j // k: len(repayments) * (j + 1) // k]
        first = _dt.date.fromisoformat(rows[0]["paid_on"])
        got = ctx.workday_on_or_before(first - _dt.timedelta(days=ctx.rng.randint(1, 4)))
        got = min(max(got, last), first)
        amount = _wan_up(int(sum(p["amount_fen"] for p in rows) * ctx.rng.uniform(1.03, 1.2)))
        out.append((got, amount, rows))
        last = got
    return out


def _link(store: Store, fund_id: int, rows: list) -> None:
    arepo = FU.allocations_repo(store)
    for p in rows:
        arepo.insert({"fund_id": fund_id, "case_id": p["case_id"], "worker_id": p["worker_id"],
                      "amount_fen": p["amount_fen"], "allocated_on": p["paid_on"], "repayment_id": p["id"]})


def _item(ctx: DemoCtx, cat: str, name: str, loc: str, area: int, method: str, stage_idx: int,
          appraised: int = 0, applied: int = 0, note: str = "", stage_on: _dt.date | None = None) -> int:
    ws = CATEGORY_WORKSTREAM[cat]
    owners = ctx.people(ws)
    stage_on = stage_on or ctx.day(ctx.start, ctx.today - _dt.timedelta(days=3))
    return A.repo(ctx.store).insert({
        "item_no": A.next_item_no(ctx.store, cat), "category": cat, "name": name, "location": loc,
        "workstream_id": ctx.ws_id(ws), "owner_person": owners[-1] if owners else "",
        "stage": STAGES[cat][stage_idx], "stage_on": stage_on.isoformat(), "area": area,
        "appraised_fen": appraised, "method": method, "applied_fen": applied,
        "progress_note": note or f"{stage_on.month}月{stage_on.day}日：{STAGES[cat][stage_idx]}阶段工作推进中。"})


def _produce(ctx: DemoCtx, spec, amount: int, day: _dt.date, source: str, appraised: int = 0,
             applied: int = 0) -> int:
    cat, name, loc, area, method = spec[:5]
    stages = STAGES[cat]
    steps = len(stages) - 2                      # stages between the first and the final one
    gap = ctx.rng.randint(6, 10)
    first = day - _dt.timedelta(days=gap * (steps + 1))
    item = _item(ctx, cat, name, loc, area, method, 0, appraised, applied, stage_on=first,
                 note=f"{first.month}月{first.day}日：完成摸底登记。")
    for j, stage in enumerate(stages[1:-1], 1):
        A.advance_stage(ctx.store, item, stage, min(day, first + _dt.timedelta(days=gap * j)))
    A.repo(ctx.store).update(item, {"progress_note": (
        f"{day.month}月{day.day}日{'成交' if cat in ('国有资产', '宅基地') else '到账'}，"
        f"{amount / 1_000_000:.2f} 万元已缴入镇清欠资金专户，用于化解欠薪。")})
    return A.record_income(ctx.store, item, amount, day, source=source, today=ctx.today)


def _funds_and_assets(ctx: DemoCtx) -> None:
    store, rng = ctx.store, ctx.rng
    pays = [dict(r) for r in store.query(
        "SELECT p.id, p.case_id, p.worker_id, p.amount_fen, p.paid_on, p.channel FROM repayment p "
        "JOIN case_record c ON c.id = p.case_id WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL "
        "AND p.channel IN ('应急周转金', '资产处置资金') AND p.paid_on <= ? ORDER BY p.paid_on, p.id",
        (ctx.today.isoformat(),))]
    # the township's emergency revolving fund, topped up in tranches as it is spent
    relief = [p for p in pays if p["channel"] == "应急周转金"]
    nth = "一二三四五六七八九十"
    for i, (day, amount, rows) in enumerate(_tranches(ctx, relief, ctx.start - _dt.timedelta(days=3), 28, 50)):
        fid = FU.save_fund(store, {
            "fund_no": FU.next_fund_no(store, day), "channel": "应急周转金",
            "source": f"镇财政安排农民工工资应急周转金（第{nth[min(i, 9)]}批）",
            "workstream_id": ctx.ws_id("欠薪化解专班"), "planned_fen": amount, "received_fen": amount,
            "received_on": day.isoformat(), "account": ctx.place.local("青山镇农民工工资应急周转金专户"),
            "notes": "按“先垫付、后追偿”使用，垫付款由镇欠薪化解专班向用人单位追偿"}, today=ctx.today)
        _link(store, fid, rows)
    # asset disposal money: each tranche is one item sold
    disposal = [p for p in pays if p["channel"] == "资产处置资金"]
    for i, (day, amount, rows) in enumerate(_sales(ctx, disposal)):
        spec = ctx.local(_ASSET_SALES[i % len(_ASSET_SALES)])
        if i >= len(_ASSET_SALES):
            spec = (spec[0], f"{spec[1]}（续）", *spec[2:])
        appraised = _wan_up(int(amount / spec[5]), 1)
        fid = _produce(ctx, spec, amount, day, f"{spec[1]}处置收入", appraised=appraised)
        _link(store, fid, rows)
    # industry income and project money raised this month, allocated through the real operation
    fresh = []
    for spec in map(ctx.local, _INDUSTRY):
        day = ctx.day(ctx.today - _dt.timedelta(days=20), ctx.today - _dt.timedelta(days=12))
        fresh.append(_produce(ctx, spec, spec[5] * 1_000_000, day, f"{spec[1]}{spec[4]}收益（第三季度）"))
    day = ctx.day(ctx.today - _dt.timedelta(days=14), ctx.today - _dt.timedelta(days=8))
    project = ctx.local(_PROJECT)
    fresh.append(_produce(ctx, project, project[5] * 1_000_000, day, project[1], applied=project[6] * 1_000_000))
    FU.save_fund(store, {"fund_no": FU.next_fund_no(store, ctx.today), "channel": "财政",
                         "source": "县财政清欠专项补助资金（已申请，待拨付）", "workstream_id": ctx.ws_id("项目资金及经费争取专班"),
                         "planned_fen": 100 * 1_000_000, "received_fen": 0,
                         "notes": "已向县财政局报送申请，预计春节前拨付"}, today=ctx.today)
    targets = [dict(r) for r in store.query(
        "SELECT id, registered_on, total_owed_fen - total_paid_fen AS left FROM case_record WHERE deleted_at IS NULL "
        "AND status = '化解中' AND w_count > 0 AND total_paid_fen < total_owed_fen ORDER BY left DESC")]
    rng.shuffle(targets)
    for fid in fresh:
        fund = store.one("SELECT received_on FROM fund WHERE id = ?", (fid,))
        budget = int(FU.balance(store, fid) * rng.uniform(0.35, 0.5))
        while targets and budget > 500_000:
            t = targets.pop()
            amount = min(budget, int(t["left"] * rng.uniform(0.35, 0.7)) // 100 * 100)
            if amount <= 0:
                continue
            # paid once the money is in and the case is registered (never before its 登记日期)
            lo = max(_dt.date.fromisoformat(fund["received_on"]) + _dt.timedelta(days=1),
                     _dt.date.fromisoformat(t["registered_on"][:10]))
            on = ctx.day(lo, ctx.today)
            FU.allocate(store, fid, t["id"], amount, max(on.isoformat(), fund["received_on"], t["registered_on"][:10]))
            budget -= amount
    for spec in map(ctx.local, _UNDER_WAY):
        cat, name, loc, area, appraised, method, applied, stage = spec
        _item(ctx, cat, name, loc, area, method, stage, appraised * 1_000_000, applied * 1_000_000)


# ---------------------------------------------------------------------------------------------
# Contract arrears and their repayment plans
# ---------------------------------------------------------------------------------------------
def _contracts(ctx: DemoCtx) -> None:
    store, rng = ctx.store, ctx.rng
    projects = [dict(r) for r in store.query(
        "SELECT p.name, p.owner_unit, p.general_contractor, p.gov_invested, p.contract_fen, "
        "SUM(c.reason = '拖欠工程款') AS upstream, COUNT(c.id) AS n FROM project p "
        "JOIN case_record c ON c.project_name = p.name AND c.deleted_at IS NULL "
        "GROUP BY p.id HAVING upstream > 0 OR n >= 3 ORDER BY upstream DESC, n DESC LIMIT 6")]
    ws = ctx.ws_id("拖欠工程款化解专班")
    owners = ctx.people("拖欠工程款化解专班") or [""]
    for i, p in enumerate(projects):
        settled = 0 if i % 3 == 2 else p["contract_fen"] * rng.randint(90, 104) // 100 // 10_000 * 10_000
        basis = settled or p["contract_fen"]
        paid = basis * rng.randint(76, 92) // 100 // 10_000 * 10_000
        owed = basis - paid
        nos = [r[0] for r in store.query("SELECT case_no FROM case_record WHERE project_name = ? AND deleted_at IS NULL "
                                         "ORDER BY (reason = '拖欠工程款') DESC, registered_on LIMIT 4", (p["name"],))]
        made = ctx.day(ctx.start + _dt.timedelta(days=3), ctx.start + _dt.timedelta(days=35))
        cid = K.repo(store).insert({
            "arrear_no": K.next_no(store, ctx.start), "project_name": p["name"], "owner_unit": p["owner_unit"],
            "contractor": p["general_contractor"], "gov_invested": p["gov_invested"], "contract_fen": p["contract_fen"],
            "settled_fen": settled, "paid_fen": paid, "labour_fen": owed * rng.randint(12, 28) // 100 // 100 * 100,
            "workstream_id": ws, "owner_person": owners[i % len(owners)], "case_nos": "、".join(nos),
            "notes": ("工程已竣工，审计结算已完成" if settled else "工程未完成结算，按已完工程量核定欠款")
                     + f"；{made.month}月{made.day}日专班组织建设单位与施工单位对账"})
        if i == len(projects) - 1:
            continue                                   # plan still being negotiated
        behind = i == 1
        k = 3 if behind else rng.randint(2, 4)
        weights = [rng.randint(20, 40) for _ in range(k)]
        parts = [owed * w // sum(weights) // 10_000 * 10_000 for w in weights[:-1]]
        parts.append(owed - sum(parts))
        # plans end before the Spring Festival; one owner has already paid off, one is behind
        first = made + _dt.timedelta(days=rng.randint(10, 16))
        last = ctx.today - _dt.timedelta(days=4) if i == 2 else ctx.end - _dt.timedelta(days=rng.randint(5, 20))
        dues = [first + (last - first) * j // max(1, k - 1) for j in range(k)]
        if behind:
            dues[1] = ctx.today - _dt.timedelta(days=rng.randint(8, 20))
        ids = K.set_plan(store, cid, list(zip([d.isoformat() for d in dues], parts)))
        for j, (iid, due, amount) in enumerate(zip(ids, dues, parts)):
            if due > ctx.today or (behind and j > 0):
                continue
            on = min(ctx.today, ctx.day(due - _dt.timedelta(days=3), due + _dt.timedelta(days=2)))
            K.pay_instalment(store, iid, amount, on, today=ctx.today)
