"""The week of every workstream's ledger, for the Monday briefing: assets and fund-raising,
contract arrears, petitions, hazards, daily-report compliance and the funds, each as a short
table and a sentence. Pure data (no reportlab): the briefing lays it out, the tests compare it
with the ledgers.

The week is Monday to the day described (``day``), never past it. Columns a ledger computes
(a fund's 已分配 / 余额, a contract's 拖欠 / 计划待还 / 化解情况) are read through the ledger's own
SQL (``LedgerRepo.column_sql``), so the figures are the ledger pages' figures. Amounts are in
分; the briefing prints them in 万元 with two decimals.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from models.db import Store


@dataclass
class Section:
    key: str
    title: str                      # 资产处置及资金筹措 …
    sentence: str
    header: list[str]
    rows: list[list]                # cells as values: int (count), ("fen", n) money, str
    total: list | None = None
    note: str = ""
    figures: dict = field(default_factory=dict)     # the section's own totals, for the tests
    available: bool = True


def monday(d: _dt.date) -> _dt.date:
    return d - _dt.timedelta(days=d.weekday())


def _has(store: Store, table: str) -> bool:
    return bool(store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)))


def _col(store: Store, kind: str, name: str) -> str:
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo
    ledger = registry.get(kind)
    return LedgerRepo(store, ledger).column_sql(ledger.field(name))


def _money(fen: int) -> tuple[str, int]:
    return ("fen", int(fen or 0))


def _span(since: _dt.date, day: _dt.date) -> str:
    return f"{since.month}月{since.day}日至{day.month}月{day.day}日" if day > since else f"{day.month}月{day.day}日"


def wan(fen: int) -> str:
    from models.values import fen_to_wan_text
    return fen_to_wan_text(fen or 0, 2)


def assets(store: Store, day: _dt.date) -> Section:
    from models.ledgers.assets import CATEGORIES, FINAL_STAGE, STAGES
    since, d = monday(day).isoformat(), day.isoformat()
    rows, tot = [], [0, 0, 0, 0, 0]
    for cat in CATEGORIES:
        n, done, moved, appraised, income = store.one(
            "SELECT COUNT(*), COALESCE(SUM(stage = ?), 0), COALESCE(SUM(stage_on BETWEEN ? AND ?), 0), "
            "COALESCE(SUM(appraised_fen), 0), COALESCE(SUM(income_fen), 0) FROM asset_item "
            "WHERE deleted_at IS NULL AND category = ?", (FINAL_STAGE[cat], since, d, cat))
        stages = store.query("SELECT stage, COUNT(*) FROM asset_item WHERE deleted_at IS NULL AND category = ? "
                             "GROUP BY stage", (cat,))
        order = {s: i for i, s in enumerate(STAGES[cat])}
        spread = "、".join(f"{s}{k}" for s, k in sorted(((r[0], r[1]) for r in stages),
                                                        key=lambda x: order.get(x[0], 99)))
        rows.append([cat, n, spread or "—", done, moved, _money(appraised), _money(income)])
        for i, v in enumerate((n, done, moved, appraised, income)):
            tot[i] += v
    sentence = (f"资产处置及资金筹措事项 {tot[0]} 项，已完成（收入或资金到账）{tot[1]} 项，累计筹得资金 {wan(tot[4])} 万元；"
                f"本周（{_span(monday(day), day)}）推进 {tot[2]} 项。")
    return Section("assets", "资产处置及资金筹措", sentence,
                   ["类别", "事项（项）", "进度分布", "已到账（项）", "本周推进（项）", "评估价值（万元）", "收入/到位（万元）"],
                   rows, ["合计", tot[0], "", tot[1], tot[2], _money(tot[3]), _money(tot[4])],
                   figures={"items": tot[0], "done": tot[1], "moved": tot[2], "appraised_fen": tot[3],
                            "income_fen": tot[4]})


def _sum(store: Store, table: str, col: str) -> int:
    return int(store.scalar(f"SELECT COALESCE(SUM({col}), 0) FROM {table} WHERE deleted_at IS NULL", default=0))


def contracts(store: Store, day: _dt.date) -> Section:
    from models.ledgers.contract_arrears import REPAID_BETWEEN_SQL, STATUSES, next_due_sql, owed_sql, plan_left_sql
    since, d = monday(day).isoformat(), day.isoformat()
    status = (f"CASE WHEN {owed_sql()} <= 0 THEN '已结清' WHEN (SELECT COUNT(*) FROM contract_instalment i "
              "WHERE i.contract_id = t.id AND i.deleted_at IS NULL) = 0 THEN '未定计划' "
              f"WHEN {next_due_sql()} < ? THEN '逾期未还' ELSE '按计划化解' END")
    got = {r[0]: (r[1], r[2], r[3]) for r in store.query(
        f"SELECT {status} AS st, COUNT(*), COALESCE(SUM({owed_sql()}), 0), COALESCE(SUM({plan_left_sql()}), 0) "
        "FROM contract_arrear t WHERE t.deleted_at IS NULL GROUP BY st", (d,))}
    rows, n, owed, left = [], 0, 0, 0
    for s in STATUSES:
        k, o, p = got.get(s, (0, 0, 0))
        rows.append([s, k, _money(o), _money(p)])
        n, owed, left = n + k, owed + o, left + p
    # each payment by its own date (an instalment paid twice keeps only its latest 实还日期)
    repaid = int(store.scalar(REPAID_BETWEEN_SQL, (since, d), default=0)) if _has(store, "contract_payment") else 0
    late = store.query(f"SELECT t.project_name, t.contractor, {owed_sql()} AS owed, {next_due_sql()} AS due "
                       f"FROM contract_arrear t WHERE t.deleted_at IS NULL AND ({status}) = '逾期未还' "
                       "ORDER BY due, t.arrear_no", (d,))
    od = got.get("逾期未还", (0, 0, 0))
    sentence = (f"拖欠工程款 {n} 笔，尚欠 {wan(owed)} 万元，已定还款计划待还 {wan(left)} 万元；未定计划 "
                f"{got.get('未定计划', (0,))[0]} 笔，逾期未还 {od[0]} 笔（{wan(od[1])} 万元）；本周按计划收回 {wan(repaid)} 万元。")
    note = ("逾期未还：" + "；".join(f"{r['project_name']}（{r['contractor'] or '施工单位未填'}，尚欠 {wan(r['owed'])} 万元，"
                                    f"应于 {r['due']} 还款）" for r in late) + "。") if late else ""
    return Section("contracts", "拖欠工程款", sentence, ["化解情况", "笔数", "拖欠工程款（万元）", "计划待还（万元）"],
                   rows, ["合计", n, _money(owed), _money(left)], note,
                   figures={"count": n, "owed_fen": owed, "plan_left_fen": left, "overdue": od[0],
                            "repaid_week_fen": repaid})


def petitions(store: Store, day: _dt.date) -> Section:
    since, d = monday(day).isoformat(), day.isoformat()
    coll, rep = _col(store, "petitions", "is_collective"), _col(store, "petitions", "is_repeat")
    answered = "t.result IN ('已答复', '已化解', '已办结')"

    def count(where: str, params) -> tuple:
        r = store.one(f"SELECT COUNT(*), COALESCE(SUM(t.people_count), 0), COALESCE(SUM({coll}), 0), "
                      f"COALESCE(SUM({rep}), 0), COALESCE(SUM({answered}), 0) FROM petition t "
                      f"WHERE t.deleted_at IS NULL AND {where}", params)
        return tuple(int(v) for v in r)
    week = count("t.visited_on BETWEEN ? AND ?", (since, d))
    whole = count("t.visited_on <= ?", (d,))
    rows = [["本周", *week], ["累计", *whole]]
    sentence = (f"本周新登记信访 {week[0]} 件 {week[1]} 人次，其中集体访 {week[2]} 件、重复访 {week[3]} 件，已答复 {week[4]} 件；"
                f"累计 {whole[0]} 件，已答复 {whole[4]} 件，待答复 {whole[0] - whole[4]} 件。")
    return Section("petitions", "信访维稳", sentence, ["", "信访（件）", "人次", "集体访（件）", "重复访（件）", "已答复（件）"],
                   rows, figures={"week": week, "whole": whole})


def hazards(store: Store, day: _dt.date, past: bool = False) -> Section:
    """``past``: a day before today, rebuilt from the dates (销号 on ``closed_on``), not the status."""
    since, d = monday(day).isoformat(), day.isoformat()
    found = "t.status != '无隐患'"
    if past:
        closed = f"({found} AND t.closed_on IS NOT NULL AND t.closed_on <= '{d}')"
        still = f"({found} AND NOT {closed})"
        r = store.one(
            f"SELECT COALESCE(SUM(t.inspected_on BETWEEN ? AND ?), 0), COALESCE(SUM(t.inspected_on BETWEEN ? AND ? AND "
            f"{found}), 0), COALESCE(SUM(t.closed_on BETWEEN ? AND ?), 0), COUNT(*), COALESCE(SUM({found}), 0), "
            f"COALESCE(SUM({closed}), 0), COALESCE(SUM({still}), 0), COALESCE(SUM({still} AND t.rectify_by < ?), 0) "
            "FROM inspection t WHERE t.deleted_at IS NULL AND t.inspected_on <= ?", (since, d, since, d, since, d, d, d))
        return _hazards(r)
    r = store.one(
        f"SELECT COALESCE(SUM(t.inspected_on BETWEEN ? AND ?), 0), COALESCE(SUM(t.inspected_on BETWEEN ? AND ? AND {found}), 0), "
        "COALESCE(SUM(t.closed_on BETWEEN ? AND ?), 0), COUNT(*), COALESCE(SUM(" + found + "), 0), "
        "COALESCE(SUM(t.status = '已销号'), 0), COALESCE(SUM(t.status IN ('待整改', '整改中')), 0), "
        "COALESCE(SUM(t.status IN ('待整改', '整改中') AND t.rectify_by < ?), 0) FROM inspection t "
        "WHERE t.deleted_at IS NULL AND t.inspected_on <= ?", (since, d, since, d, since, d, d, d))
    return _hazards(r)


def _hazards(r) -> Section:
    wk_insp, wk_found, wk_closed, n, n_found, n_closed, n_open, n_late = (int(v) for v in r)
    rows = [["本周", wk_insp, wk_found, wk_closed, "—", "—"], ["累计", n, n_found, n_closed, n_open, n_late]]
    sentence = (f"本周排查 {wk_insp} 家（处），发现隐患 {wk_found} 条，整改销号 {wk_closed} 条；累计发现隐患 {n_found} 条，"
                f"已销号 {n_closed} 条，未销号 {n_open} 条" + (f"，其中 {n_late} 条超过整改时限。" if n_late else "。"))
    return Section("hazards", "欠薪隐患排查", sentence, ["", "排查（家/处）", "发现隐患（条）", "整改销号（条）",
                                                   "未销号（条）", "超过整改时限（条）"], rows,
                   figures={"week_found": wk_found, "week_closed": wk_closed, "found": n_found, "closed": n_closed,
                            "open": n_open, "late": n_late})


def compliance(store: Store, day: _dt.date) -> Section:
    """Who missed which workdays of the week (Monday to ``day``); a day off is not counted."""
    from models import daily
    days = [monday(day) + _dt.timedelta(days=i) for i in range((day - monday(day)).days + 1)]
    workdays = [x for x in days if daily.is_workday(store, x)]
    from models import campaign as campaigns
    wss = campaigns.workstreams(store)
    missed: dict[int, list[_dt.date]] = {w["id"]: [] for w in wss}
    for x in workdays:
        for w in daily.missing_on(store, x):
            missed.setdefault(w["id"], []).append(x)
    since = daily.expected_from(store)          # a workstream owes returns from the day it was set up
    rows, owed = [], 0
    for w in wss:
        m = missed.get(w["id"], [])
        due = [x for x in workdays if x.isoformat() >= since.get(w["id"], "")]
        owed += len(due)
        rows.append([w["name"], len(due) - len(m), len(m),
                     "、".join(f"{x.month}月{x.day}日" for x in m) if m else "按时报送"])
    late = [r for r in rows if r[2]]
    sentence = (f"本周 {len(workdays)} 个工作日，{len(wss)} 个专班应报 {owed} 份日报告（零报告也算已报），"
                f"已报 {sum(r[1] for r in rows)} 份；" +
                ("；".join(f"{r[0]}未报 {r[3]}" for r in late) + "。" if late else "各专班均按时报送。"))
    return Section("compliance", "日报告报送", sentence, ["专班", "已报（天）", "未报（天）", "未报日期"], rows,
                   figures={"workdays": [x.isoformat() for x in workdays],
                            "missed": {r[0]: r[3] for r in late},
                            "missing_today": len(daily.missing_on(store, day)) if day in workdays else 0})


def funds(store: Store, day: _dt.date, past: bool = False) -> Section:
    """``past``: a day before today, money counted by its dates (到位日期, 分配日期, 追回日期) up to
    that day. For today too, a fund whose 到位日期 is after the day is not yet received. The table
    shows 追回回流 (垫付追回, back in its fund), so each row reads 到位 + 回流 − 已分配 = 余额."""
    since, d = monday(day).isoformat(), day.isoformat()
    received = f"(CASE WHEN t.received_on IS NULL OR t.received_on <= '{d}' THEN t.received_fen ELSE 0 END)"
    if past:
        alloc = ("(SELECT COALESCE(SUM(a.amount_fen), 0) FROM fund_allocation a WHERE a.fund_id = t.id AND "
                 f"a.deleted_at IS NULL AND a.allocated_on <= '{d}')")
        back = ("(SELECT COALESCE(SUM(r.amount_fen), 0) FROM advance_recovery r JOIN advance v ON v.id = r.advance_id "
                f"WHERE v.fund_id = t.id AND v.deleted_at IS NULL AND r.deleted_at IS NULL AND r.recovered_on <= '{d}')")
    else:
        alloc, back = _col(store, "funds", "allocated_fen"), _col(store, "funds", "recovered_fen")
    bal = f"({received} + {back} - {alloc})"          # the ledger's 余额, money received by the day
    got = store.query(f"SELECT t.channel, COUNT(*), COALESCE(SUM(t.planned_fen), 0), COALESCE(SUM({received}), 0), "
                      f"COALESCE(SUM({back}), 0), COALESCE(SUM({alloc}), 0), COALESCE(SUM({bal}), 0), "
                      "COALESCE(SUM(CASE WHEN t.received_on BETWEEN ? AND ? THEN t.received_fen ELSE 0 END), 0) "
                      "FROM fund t WHERE t.deleted_at IS NULL GROUP BY t.channel ORDER BY t.channel", (since, d))
    rows, tot = [], [0] * 7
    for r in got:
        rows.append([r[0], r[1], *(_money(v) for v in r[2:7])])
        for i in range(7):
            tot[i] += int(r[i + 1])
    week_alloc = int(store.scalar("SELECT COALESCE(SUM(a.amount_fen), 0) FROM fund_allocation a JOIN fund f ON "
                                  "f.id = a.fund_id WHERE a.deleted_at IS NULL AND f.deleted_at IS NULL AND "
                                  "a.allocated_on BETWEEN ? AND ?", (since, d), default=0))
    sentence = (f"清欠资金计划筹措 {wan(tot[1])} 万元，已到位 {wan(tot[2])} 万元，已分配兑付 {wan(tot[4])} 万元，余额 {wan(tot[5])} 万元"
                + (f"（含垫付追回回流 {wan(tot[3])} 万元）" if tot[3] else "")
                + f"；本周到位 {wan(tot[6])} 万元，分配 {wan(week_alloc)} 万元。")
    return Section("funds", "清欠资金", sentence, ["筹措渠道", "笔数", "计划筹措（万元）", "到位（万元）", "追回回流（万元）",
                                               "已分配（万元）", "余额（万元）"], rows,
                   ["合计", tot[0], *(_money(v) for v in tot[1:6])], _rounding_note(rows, tot[1:6]),
                   figures={"planned_fen": tot[1], "received_fen": tot[2], "recovered_fen": tot[3],
                            "allocated_fen": tot[4], "balance_fen": tot[5], "received_week_fen": tot[6],
                            "allocated_week_fen": week_alloc})


def _rounding_note(rows: list[list], totals: list[int]) -> str:
    """Each row is printed in 万元 rounded to two decimals and 合计 is the exact sum rounded once,
    so the printed rows can add up to a cent of 万元 more or less than 合计: said under the table
    when they do."""
    from decimal import Decimal
    for i, total in enumerate(totals):
        printed = sum(Decimal(wan(r[2 + i][1]).replace(",", "")) for r in rows)
        if printed != Decimal(wan(total).replace(",", "")):
            return "各行金额分别四舍五入到 0.01 万元，合计按各笔金额相加后折算，与各行相加可能相差 0.01 万元。"
    return ""


BUILDERS = (("asset_item", assets), ("contract_arrear", contracts), ("petition", petitions),
            ("inspection", hazards), ("daily_report", compliance), ("fund", funds))


DATED = {"hazards", "funds"}          # sections rebuilt from their dates for a past day


def sections(store: Store, day: _dt.date, past: bool = False) -> list[Section]:
    """Every workstream ledger's section for the week ending ``day``; a ledger the database does not
    have yet gives a section that says so. ``past``: ``day`` is before today; hazards and funds are
    rebuilt from their dates, the others (stages, contract payments, petition results) are as the
    ledgers hold them now and the section says so."""
    out = []
    for table, fn in BUILDERS:
        if _has(store, table):
            sec = fn(store, day, past=True) if past and fn.__name__ in DATED else fn(store, day)
            if past and fn.__name__ not in DATED and fn.__name__ != "compliance":
                sec.note = (sec.note + " " if sec.note else "") + "（进度、还款和办理结果按台账现有记录统计。）"
            out.append(sec)
        else:
            out.append(Section(fn.__name__, fn.__name__, "", [], [], available=False))
    return out


def cell_text(v) -> str:
    if isinstance(v, tuple) and v and v[0] == "fen":
        return wan(v[1])
    if isinstance(v, int):
        return f"{v:,}"
    return "" if v is None else str(v)
