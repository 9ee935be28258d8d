"""The county's indicators (冬季专项行动统计指标) and the daily report's figures."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from models.db import Store
from models.stats.core import (CASE_COLS, COUNTED, LIVE, NOT_DECLARED, NO_RATE, Totals, _CLOSED_IN, _table_ready,
                               other_ledger, totals)


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


def indicators(store: Store, today: _dt.date, tot: Totals | None = None, as_of: _dt.date | None = None,
               basis=None) -> list[Indicator]:
    """The ten indicators the county asks for (口径 in ``definition``), now or as of the end of day
    ``as_of``. Those that are headline figures come from ``models.figures`` with its 口径."""
    from models import figures
    from models.values import fen_to_wan_text
    b = basis or figures.Basis(store, today, as_of)
    tot = tot or totals(store, today, basis=b)
    figs = figures.figures(store, today, basis=b)
    day = b.day.isoformat()
    past = b.past is not None
    out: list[Indicator] = []

    def add(key, name, value, unit, definition, available=True, note="", num=None, den=None, text=None):
        shown = text if text is not None else (NO_RATE if unit == "%" and den == 0 else
                                               f"{value:.2f}" if unit == "%" else f"{value:,}")
        out.append(Indicator(key, name, value, unit, shown if available else f"0{NOT_DECLARED}",
                             definition, available, note, num, den))

    def fig(key: str) -> str:
        return figures.DEFINITIONS[key].basis

    ledger, f = other_ledger("inspections")
    insp = ledger is not None and _table_ready(store, ledger.table) and bool(f.get("name"))
    name = f'"{f.get("name")}"'
    of_type = (lambda kind: f' AND "{f["type"]}" = \'{kind}\'') if f.get("type") else (lambda kind: "")
    dated = (lambda alias="": f' AND substr({alias}"{f["date"]}", 1, 10) <= \'{day}\'') if f.get("date") else \
        (lambda alias="": "")
    n = int(store.scalar(f'SELECT COUNT(DISTINCT {name}) FROM "{ledger.table}" WHERE deleted_at IS NULL '
                         f"AND {name} != ''{of_type('用人单位')}{dated()}", default=0)) if insp else 0
    add("employers_inspected", "检查用人单位户数", n, "户",
        "欠薪隐患排查台账中对象类型为“用人单位”的不同单位户数（排查日期在统计日及以前）", insp,
        "" if insp else "排查台账尚未建立")
    add("workers", "涉及农民工人数", figs.workers, "人", fig("workers"))
    add("problems", "处理欠薪问题数", figs.cases, "件", fig("cases"))
    add("repaid_wan", "追发工资及赔偿金额", figs.paid_fen / 1_000_000, "万元", fig("paid_fen") + "即首页“已兑付”。",
        text=fen_to_wan_text(figs.paid_fen, 2), num=figs.paid_fen)
    projects = {r[0] for r in b.query("DISTINCT t.project_name", "t.gov_invested = 1 AND t.project_name != ''")}
    note = "" if insp else "排查台账尚未建立，仅计欠薪问题涉及的项目"
    if insp:
        projects |= {r[0] for r in store.query(
            f'SELECT DISTINCT i.{name} FROM "{ledger.table}" i JOIN project p ON p.name = i.{name} '
            f"WHERE i.deleted_at IS NULL AND p.gov_invested = 1{of_type('工程项目')}{dated('i.')}")}
    add("gov_projects", "检查政府投资工程项目数", len(projects), "个",
        "欠薪问题涉及的政府投资工程项目，加排查台账中排查的政府投资项目（项目库中标为政府投资），按项目名称去重", note=note)
    ledger, f = other_ledger("blacklist")
    bl = ledger is not None and _table_ready(store, ledger.table)
    listed = ""
    if f.get("listed"):
        listed = f" AND COALESCE(\"{f['listed']}\", '') != ''" + (f" AND \"{f['listed']}\" <= '{day}'" if past else "")
    n = int(store.scalar(f'SELECT COUNT(*) FROM "{ledger.table}" WHERE deleted_at IS NULL{listed}', default=0)) if bl else 0
    add("blacklisted", "列入“黑名单”数", n, "个", "失信联合惩戒名单台账中已列入（填有列入日期）的记录数，含已移出", bl,
        "" if bl else "黑名单台账尚未建立")
    add("to_police", "移送公安机关数", figs.referred_cases, "件", fig("referred_cases"))
    add("closed_rate", "办结率", figs.closed_pct, "%", fig("closed_pct"), num=figs.closed_cases, den=figs.cases)
    add("resolved_rate", "解决率", figs.resolved_pct, "%", fig("resolved_pct") + "解决金额：" + fig("resolved_fen"),
        num=figs.resolved_fen, den=figs.owed_fen)
    done, with_deadline, _none = b.on_time
    add("on_time_rate", "按期化解率", figs.on_time_pct, "%", fig("on_time_pct"), num=done, den=with_deadline,
        note=(f"另有 {figs.closed_without_deadline} 件已办结问题未填办结时限，未计入" if figs.closed_without_deadline else ""))
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
