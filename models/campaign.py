"""The special action (专项行动), its phased targets, leading group and workstreams."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from models.db import Store, now_text

SEED_WORKSTREAMS: list[tuple[str, str]] = [
    ("欠薪化解专班",
     "牵头做好欠薪相关情况排查统计，建立工作台账，并认真审核相关逻辑、数据等，并签字把关，确保统计情况真实有效。"
     "收集完善相关资料并归档。根据工作需要和实际情况，报请领导小组召开专门会议，研究安排相关工作，"
     "并适时通报专项行动工作开展情况。牵头制定欠薪化解工作方案。"),
    ("拖欠工程款化解专班",
     "牵头做好工程项目欠资情况排查统计，建立工作台账，并认真审核相关逻辑、数据等，并签字把关，确保统计情况真实有效。"
     "认真收集完善相关资料并归档。牵头制定拖欠工程款化解工作方案。"),
    ("信访维稳工作专班",
     "负责收集信访反映欠资欠薪情况，建立台账，并认真审核相关逻辑、数据等，并签字把关，确保统计情况真实有效，"
     "及时反馈相关情况给行业主管部门，跟踪督促回复办理，制定信访稳控方案，做好接访工作，确保稳定。"
     "负责坚持零报告和日报告制度，收集完善相关资料并归档。"),
    ("国有资产处置专班",
     "负责摸清国有资产底数，做好资产评估工作，按程序做好国有资产处置，及时筹措资金用于化解欠资欠薪。收集完善相关资料并归档。"),
    ("宅基地处置专班",
     "加强与区自然资源局对接，做好土地调规等工作。进一步摸清现有可作为宅基地处置的地块面积，对接上级主管部门办理相关用地手续，"
     "按程序做好宅基地处置，及时筹措资金用于化解欠资欠薪。收集完善相关资料并归档。"),
    ("产业发展专班",
     "进一步摸清现有农业设施及产业情况，盘活农业设施，确保发挥效益，做好产业发展事宜，算好产业收益账，"
     "及时筹措资金用于化解欠资欠薪。收集完善相关资料并归档。"),
    ("项目资金及经费争取专班",
     "结合本镇实际，建立项目库清单，积极向上争取项目。加强向上对接，根据工程项目资金支付情况积极争取拨付相关项目工程资金"
     "及工作经费用于化解欠资欠薪。收集完善相关资料并归档。"),
]

LEADING_GROUP_DUTIES = ("贯彻落实中央、省、市、区关于根治欠资欠薪工作的决策部署，负责统筹安排部署根治欠资欠薪相关工作，"
                        "实行一周一调度工作机制，原则上每周一召开专题会议。")


@dataclass
class Phase:
    name: str
    due_date: str
    target_pct: int


@dataclass
class Campaign:
    id: int
    name: str
    unit: str
    start_date: str
    end_date: str
    deadline_label: str
    office_location: str
    phases: list[Phase]

    @property
    def year(self) -> int:
        return _dt.date.fromisoformat(self.end_date).year


def default_phases(start: _dt.date, deadline: _dt.date) -> list[Phase]:
    """30% / 60% / 100% spread over the campaign, the last on the deadline."""
    span = (deadline - start).days
    return [Phase("第一阶段", (start + _dt.timedelta(days=span // 3)).isoformat(), 30),
            Phase("第二阶段", (start + _dt.timedelta(days=2 * span // 3)).isoformat(), 60),
            Phase("春节前全部办结", deadline.isoformat(), 100)]


def create_campaign(store: Store, name: str, unit: str, start: _dt.date,
                    end: _dt.date | None = None, phases: list[Phase] | None = None,
                    office_location: str = "") -> int:
    """A new campaign with the seed's seven workstreams and their duties (all editable).
    Without an end date, the campaign runs to the day before the Spring Festival."""
    from models.rules.workdays import before_spring_festival
    if end is None:
        end = before_spring_festival(start.year + (1 if start.month >= 6 else 0))
    phases = phases or default_phases(start, end)
    with store.tx():
        store.execute("UPDATE campaign SET is_current = 0")
        cid = store.insert("campaign", {"name": name, "unit": unit, "start_date": start.isoformat(),
                                        "end_date": end.isoformat(), "office_location": office_location,
                                        "is_current": 1})
        for p in phases:
            store.insert("campaign_phase", {"campaign_id": cid, "name": p.name, "due_date": p.due_date,
                                            "target_pct": p.target_pct})
        for i, (ws, duties) in enumerate(SEED_WORKSTREAMS):
            store.insert("workstream", {"campaign_id": cid, "name": ws, "duties": duties, "sort": i})
    return cid


def current(store: Store) -> Campaign | None:
    row = store.one("SELECT * FROM campaign WHERE is_current = 1 ORDER BY id DESC LIMIT 1")
    if row is None:
        return None
    phases = [Phase(r["name"], r["due_date"], r["target_pct"]) for r in
              store.query("SELECT * FROM campaign_phase WHERE campaign_id = ? ORDER BY due_date", (row["id"],))]
    return Campaign(row["id"], row["name"], row["unit"], row["start_date"], row["end_date"],
                    row["deadline_label"], row["office_location"], phases)


def update_campaign(store: Store, campaign_id: int, *, name: str, unit: str, start_date: str,
                    end_date: str, office_location: str, phases: list[Phase]) -> None:
    if end_date < start_date:
        raise ValueError("结束日期不能早于开始日期")
    for p in phases:
        if not (0 <= p.target_pct <= 100):
            raise ValueError(f"阶段“{p.name}”的目标比例应在 0 到 100 之间")
    pcts = [p.target_pct for p in sorted(phases, key=lambda p: p.due_date)]
    if pcts != sorted(pcts):
        raise ValueError("阶段目标应随日期递增")
    with store.tx():
        store.update("campaign", campaign_id, {"name": name, "unit": unit, "start_date": start_date,
                                               "end_date": end_date, "office_location": office_location,
                                               "updated_at": now_text()})
        store.execute("DELETE FROM campaign_phase WHERE campaign_id = ?", (campaign_id,))
        for p in phases:
            store.insert("campaign_phase", {"campaign_id": campaign_id, "name": p.name,
                                            "due_date": p.due_date, "target_pct": p.target_pct})


def workstreams(store: Store, campaign_id: int | None = None) -> list[dict]:
    if campaign_id is None:
        c = current(store)
        if c is None:
            return []
        campaign_id = c.id
    return [dict(r) for r in store.query(
        "SELECT id, name, duties, sort FROM workstream WHERE campaign_id = ? ORDER BY sort, id", (campaign_id,))]


def update_workstream(store: Store, ws_id: int, name: str, duties: str) -> None:
    if not name.strip():
        raise ValueError("专班名称不能为空")
    with store.tx():
        store.update("workstream", ws_id, {"name": name.strip(), "duties": duties.strip()})


def add_workstream(store: Store, campaign_id: int, name: str, duties: str = "") -> int:
    if not name.strip():
        raise ValueError("专班名称不能为空")
    with store.tx():
        sort = store.scalar("SELECT COALESCE(MAX(sort), -1) + 1 FROM workstream WHERE campaign_id = ?",
                            (campaign_id,), 0)
        return store.insert("workstream", {"campaign_id": campaign_id, "name": name.strip(),
                                           "duties": duties.strip(), "sort": sort})


def _person(store: Store, name: str, unit: str = "", title: str = "", phone: str = "") -> int:
    row = store.one("SELECT id FROM person WHERE name = ? AND unit = ?", (name, unit))
    if row:
        return row[0]
    return store.insert("person", {"name": name, "unit": unit, "title": title, "phone": phone})


def members(store: Store, ws_id: int) -> list[dict]:
    return [dict(r) for r in store.query(
        "SELECT m.id, m.role, p.name, p.unit, p.title, p.phone FROM workstream_member m "
        "JOIN person p ON p.id = m.person_id WHERE m.workstream_id = ? "
        "ORDER BY CASE m.role WHEN '组长' THEN 0 WHEN '副组长' THEN 1 WHEN '联络员' THEN 3 ELSE 2 END, m.sort, m.id",
        (ws_id,))]


def set_members(store: Store, ws_id: int, people: list[dict]) -> None:
    """Replace a workstream's members: each {role, name, unit?, title?, phone?}."""
    for p in people:
        if not p.get("name", "").strip():
            raise ValueError("成员姓名不能为空")
        if p.get("role") not in ("组长", "副组长", "成员", "联络员"):
            raise ValueError(f"职务“{p.get('role')}”无效（组长 / 副组长 / 成员 / 联络员）")
    with store.tx():
        store.execute("DELETE FROM workstream_member WHERE workstream_id = ?", (ws_id,))
        for i, p in enumerate(people):
            pid = _person(store, p["name"].strip(), p.get("unit", ""), p.get("title", ""), p.get("phone", ""))
            store.insert("workstream_member", {"workstream_id": ws_id, "person_id": pid,
                                               "role": p["role"], "sort": i})


def leading_group(store: Store, campaign_id: int) -> list[dict]:
    return [dict(r) for r in store.query(
        "SELECT m.id, m.role, p.name, p.unit, p.title FROM leading_group_member m "
        "JOIN person p ON p.id = m.person_id WHERE m.campaign_id = ? "
        "ORDER BY CASE m.role WHEN '组长' THEN 0 WHEN '常务副组长' THEN 1 WHEN '副组长' THEN 2 "
        "WHEN '办公室主任' THEN 4 ELSE 3 END, m.sort", (campaign_id,))]


def set_leading_group(store: Store, campaign_id: int, people: list[dict]) -> None:
    for p in people:
        if not p.get("name", "").strip():
            raise ValueError("成员姓名不能为空")
        if p.get("role") not in ("组长", "常务副组长", "副组长", "成员", "办公室主任"):
            raise ValueError(f"职务“{p.get('role')}”无效")
    with store.tx():
        store.execute("DELETE FROM leading_group_member WHERE campaign_id = ?", (campaign_id,))
        for i, p in enumerate(people):
            pid = _person(store, p["name"].strip(), p.get("unit", ""), p.get("title", ""))
            store.insert("leading_group_member", {"campaign_id": campaign_id, "person_id": pid,
                                                  "role": p["role"], "sort": i})
