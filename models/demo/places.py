"""The demo's employers (with valid credit codes) and construction projects, for a township
or a whole county. Used by ``models.demo``."""
from __future__ import annotations

import random

from models.demo.base import _Ctx, _mobile, _person_name
from models.demo.words import (COUNTY, _CONSTRUCTION_KINDS, _CORES, _OTHER_KINDS, _PLACES, _PROJECT_KINDS,
                               _TOWNSHIPS, _TOWN_EMPLOYERS, _TOWN_PROJECTS, _VILLAGES)
from models.rules.credit_code import make_credit_code

def _address(rng: random.Random, name: str, home: tuple[str, str] = ("青山县", "青山县青山镇")) -> str:
    street = rng.choice(["正街", "新华街", "滨河路", "迎宾大道", "工业园区", "学府街", "人民路", "建设路"])
    for place, district in (home, ("巴中市", "巴中市巴州区"), ("南充市", "南充市顺庆区"),
                            ("达州市", "达州市通川区"), ("广安市", "广安市广安区"), ("重庆", "重庆市渝北区")):
        if name.startswith(place):
            return f"{district}{street}{rng.randint(1, 260)}号"
    return f"四川省成都市{rng.choice(['武侯区', '成华区', '金牛区', '高新区'])}{street}{rng.randint(1, 260)}号"


def _setup_employers_projects(ctx: _Ctx) -> None:
    rng, store, sc, place = ctx.rng, ctx.store, ctx.scale, ctx.place
    used: set[str] = set()
    if sc.employers:
        emps = _county_employers(rng, sc.employers)
        projs = _county_projects(rng, sc.projects, emps)
    else:
        f = place.firm
        emps = [dict(name=f(n), kind=k, industry=ind, dept=dept) for n, k, ind, dept in _TOWN_EMPLOYERS]
        projs = [dict(name=f(p), owner=f(o), gc=f(g), sub=f(s), gov=gv, contract_wan=c, address=place.local(a))
                 for p, o, g, s, gv, c, a in _TOWN_PROJECTS]
    areas = ["511322"] * 6 + ["511902", "511300", "511900", "510000"]
    home = (place.county, f"{place.county}{place.town}")
    rows = []
    for e in emps:
        area = "511322" if e["name"].startswith(place.county) else rng.choice(areas)
        rows.append((rng.getrandbits(62), e["name"], make_credit_code(rng.getrandbits(40), area, e["dept"]),
                     _person_name(rng, used), _mobile(rng), _address(rng, e["name"], home)))
    # a database with employers already in it keeps them (names are unique)
    base = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM employer", default=0))
    store.executemany(
        "INSERT OR IGNORE INTO employer(id, uuid, name, credit_code, legal_person, phone, address) "
        f"VALUES (?1, {ctx.uuid_sql(1)}, ?3, ?4, ?5, ?6, ?7)",
        [(base + i + 1, *r) for i, r in enumerate(rows)])
    ids = {r["name"]: r["id"] for r in store.query("SELECT id, name FROM employer")}
    for e in emps:
        e["id"] = ids[e["name"]]
    base = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM project", default=0))
    prow = []
    for i, p in enumerate(projs):
        contract = p["contract_wan"] * 1_000_000   # 万元 → 分
        prow.append((base + i + 1, rng.getrandbits(62), p["name"], p["owner"], p["gc"], p["sub"], p["gov"], contract,
                     contract * 2 // 100 if rng.random() < 0.85 else 0, p["address"],
                     "农民工工资专用账户已开设" if rng.random() < 0.7 else ""))
    store.executemany(
        "INSERT OR IGNORE INTO project(id, uuid, name, owner_unit, general_contractor, subcontractor, gov_invested, "
        f"contract_fen, deposit_fen, address, notes) "
        f"VALUES (?1, {ctx.uuid_sql(2)}, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        prow)
    ids = {r["name"]: r["id"] for r in store.query("SELECT id, name FROM project")}
    for p in projs:
        p["id"] = ids[p["name"]]
    ctx.employers = emps
    ctx.projects = projs


def _county_employers(rng: random.Random, n: int) -> list[dict]:
    out, seen = [], set()
    n_build = n * 45 // 100
    while len(out) < n:
        place = rng.choice(_PLACES)
        core = rng.choice(_CORES) + (rng.choice(_CORES) if rng.random() < 0.35 else "")
        if len(out) < n_build:
            kind_word = rng.choice(_CONSTRUCTION_KINDS)
            kind = "lab" if kind_word in ("建筑劳务", "装饰工程", "钢结构工程", "园林绿化工程", "电力安装工程",
                                         "土石方工程") else "gc"
            industry = "建筑业"
        else:
            kind_word, industry = rng.choice(_OTHER_KINDS)
            kind = "biz"
        name = f"{place}{core}{kind_word}有限公司"
        if name in seen:
            continue
        seen.add(name)
        out.append(dict(name=name, kind=kind, industry=industry, dept="91"))
    return out


def _county_projects(rng: random.Random, n: int, emps: list[dict]) -> list[dict]:
    gcs = [e["name"] for e in emps if e["kind"] == "gc"]
    labs = [e["name"] for e in emps if e["kind"] == "lab"]
    owners_gov = ["青山县城乡建设投资有限公司", "青山县住房和城乡建设局", "青山县水利局", "青山县交通运输局",
                  "青山县教育和科学技术局", "青山县农业农村局", "青山县卫生健康局", "青山县兴业投资有限公司"]
    out, seen = [], set()
    while len(out) < n:
        town = rng.choice(_TOWNSHIPS)
        kind = rng.choice(_PROJECT_KINDS)
        name = f"{town}镇{kind}" + (f"（{rng.choice(['一', '二', '三'])}期）" if rng.random() < 0.4 else "")
        if name in seen:
            name = f"{town}镇{rng.choice(_VILLAGES)}村{kind}"
            if name in seen:
                continue
        seen.add(name)
        gov = 1 if rng.random() < 0.65 else 0
        owner = rng.choice(owners_gov + [f"{town}镇人民政府"]) if gov else \
            f"{COUNTY}{rng.choice(_CORES)}房地产开发有限公司"
        out.append(dict(name=name, owner=owner, gc=rng.choice(gcs), sub=rng.choice(labs), gov=gov,
                        contract_wan=rng.choice([rng.randint(300, 3000), rng.randint(1000, 20000)]),
                        address=f"{COUNTY}{town}镇"))
    return out
