"""The county's indicators (冬季专项行动统计指标) and the daily report's figures."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from models.db import Store
from models.stats.core import (CASE_COLS, COUNTED, EXCLUDED, LIVE, NOT_DECLARED, Totals, _CLOSED_IN, _table_ready,
                               other_ledger, pct, totals)


# -- the county's indicators (冬季专项行动统计指标) --------------------------------------------
@dataclass
class Indicator:
    key: str
    name: str
    value: float
    unit: str
    text: str                 # as printed
    definition: str           # 口径
    available: bool = True
    note: str = ""
    num: int | None = None    # for rates: numerator and denominator
    den: int | None = None


def indicators(store: Store, today: _dt.date, tot: Totals | None = None) -> list[Indicator]:
    """The ten indicators the county asks for, each defined from the ledgers (口径 in ``definition``)."""
    from models.values import fen_to_wan_text
    tot = tot or totals(store, today)
    out: list[Indicator] = []

    def add(key, name, value, unit, definition, available=True, note="", num=None, den=None, text=None):
        shown = text if text is not None else (f"{value:.2f}" if unit == "%" else f"{value:,}")
        out.append(Indicator(key, name, value, unit, shown if available else f"0{NOT_DECLARED}",
                             definition, available, note, num, den))

    ledger, f = other_ledger("inspections")
    insp = ledger is not None and _table_ready(store, ledger.table) and bool(f.get("name"))
    name = f'"{f.get("name")}"'
    of_type = (lambda kind: f' AND "{f["type"]}" = \'{kind}\'') if f.get("type") else (lambda kind: "")
    n = int(store.scalar(f'SELECT COUNT(DISTINCT {name}) FROM "{ledger.table}" WHERE deleted_at IS NULL '
                         f"AND {name} != ''{of_type('用人单位')}", default=0)) if insp else 0
    add("employers_inspected", "检查用人单位户数", n, "户",
        "欠薪隐患排查台账中对象类型为“用人单位”的不同单位户数", insp, "" if insp else "排查台账尚未建立")
    add("workers", "涉及农民工人数", tot.counted.workers, "人", "计入金额的欠薪问题的人数合计（有实名名册的按名册人数）")
    add("problems", "处理欠薪问题数", tot.all.cases, "件", "问题总数：欠薪问题台账在册问题数（各状态，含经核实不存在欠薪）")
    add("repaid_wan", "追发工资及赔偿金额", tot.counted.paid_fen / 1_000_000, "万元",
        "计入金额的欠薪问题已付金额合计（有名册的按农民工实发合计），即首页“已兑付”",
        text=fen_to_wan_text(tot.counted.paid_fen, 2), num=tot.counted.paid_fen)
    projects = {r[0] for r in store.query(f"SELECT DISTINCT c.project_name FROM case_record c WHERE +{LIVE} "
                                          "AND c.gov_invested = 1 AND c.project_name != ''")}
    note = "" if insp else "排查台账尚未建立，仅计欠薪问题涉及的项目"
    if insp:
        projects |= {r[0] for r in store.query(
            f'SELECT DISTINCT i.{name} FROM "{ledger.table}" i JOIN project p ON p.name = i.{name} '
            f"WHERE i.deleted_at IS NULL AND p.gov_invested = 1{of_type('工程项目')}")}
    add("gov_projects", "检查政府投资工程项目数", len(projects), "个",
        "欠薪问题涉及的政府投资工程项目，加排查台账中排查的政府投资项目（项目库中标为政府投资），按项目名称去重", note=note)
    ledger, f = other_ledger("blacklist")
    bl = ledger is not None and _table_ready(store, ledger.table)
    listed = f" AND COALESCE(\"{f['listed']}\", '') != ''" if f.get("listed") else ""
    n = int(store.scalar(f'SELECT COUNT(*) FROM "{ledger.table}" WHERE deleted_at IS NULL{listed}', default=0)) if bl else 0
    add("blacklisted", "列入“黑名单”数", n, "个", "失信联合惩戒名单台账中已列入（填有列入日期）的记录数，含已移出", bl,
        "" if bl else "黑名单台账尚未建立")
    add("to_police", "移送公安机关数", tot.by_status["已移送"].cases, "件", "状态为“已移送”的欠薪问题数")
    closed = tot.closed_cases
    add("closed_rate", "办结率", pct(closed, tot.all.cases), "%", "已办结问题数 ÷ 问题总数（已办结：已化解、已移送、不存在欠薪）",
        num=closed, den=tot.all.cases)
    resolved, on_time = store.one(
        f"SELECT COALESCE(SUM(CASE WHEN c.status != '{EXCLUDED}' THEN c.resolved_fen ELSE 0 END), 0), "
        f"COALESCE(SUM(c.status IN {_CLOSED_IN} AND (c.deadline IS NULL OR c.closed_on IS NULL "
        f"OR c.closed_on <= c.deadline)), 0) FROM case_record c WHERE +{LIVE}")
    add("resolved_rate", "解决率", pct(resolved, tot.counted.owed_fen), "%",
        "解决金额合计 ÷ 欠薪金额合计（计入金额的问题；解决金额取台账“解决金额”栏）",
        num=resolved, den=tot.counted.owed_fen)
    add("on_time_rate", "按期化解率", pct(on_time, closed), "%",
        "在办结时限内办结的问题数 ÷ 已办结问题数（未设办结时限的计为按期）", num=on_time, den=closed)
    return out


# -- the daily report ----------------------------------------------------------------------------
@dataclass
class DailyFigures:
    day: _dt.date
    new_cases: list[dict]
    closed_cases: list[dict]
    repaid: list[dict]               # per workstream: workstream, records, workers, amount_fen
    repaid_fen: int
    reports: list[dict] | None       # rows of the daily_reports ledger for the day, if declared
    reports_title: str = ""
    reports_all_zero: bool = True    # every workstream return of the day is itself a 零报告

    @property
    def zero(self) -> bool:
        """零报告: no new case, no case closed, nothing repaid that day, no return reporting anything."""
        return not (self.new_cases or self.closed_cases or self.repaid_fen) and self.reports_all_zero


def daily_figures(store: Store, day: _dt.date) -> DailyFigures:
    d = day.isoformat()
    new = [dict(r) for r in store.query(f"SELECT {CASE_COLS}, c.source, c.summary FROM case_record c "
                                        f"WHERE {LIVE} AND c.registered_on = ? ORDER BY c.case_no", (d,))]
    closed = [dict(r) for r in store.query(f"SELECT {CASE_COLS}, c.verdict FROM case_record c WHERE {LIVE} "
                                           f"AND c.status IN {_CLOSED_IN} AND c.closed_on = ? ORDER BY c.case_no", (d,))]
    repaid = [dict(r) for r in store.query(
        "SELECT COALESCE((SELECT w.name FROM workstream w WHERE w.id = c.workstream_id), '未分配专班') AS workstream, "
        "COUNT(*) AS records, COUNT(DISTINCT r.worker_id) AS workers, COUNT(DISTINCT r.case_id) AS cases, "
        f"SUM(r.amount_fen) AS amount_fen FROM repayment r JOIN case_record c ON c.id = r.case_id "
        f"WHERE r.deleted_at IS NULL AND {COUNTED} AND r.paid_on = ? GROUP BY c.workstream_id "
        "ORDER BY MIN((SELECT w.sort FROM workstream w WHERE w.id = c.workstream_id))", (d,))]
    reports, title, all_zero = None, "", True
    ledger, f = other_ledger("daily_reports")
    if ledger is not None and _table_ready(store, ledger.table) and f.get("date"):
        from models.ledger.repo import LedgerRepo, Query
        reports = LedgerRepo(store, ledger).rows(Query(ranges={f["date"]: (d, d)}))
        title = ledger.title
        all_zero = all(r.get(f["zero"]) for r in reports) if f.get("zero") else not reports
    return DailyFigures(day, new, closed, repaid, sum(r["amount_fen"] for r in repaid), reports, title, all_zero)
