"""日报告 / 零报告 for one day: cases registered and closed that day, money repaid that day per
workstream, and each workstream's own return when the daily_reports ledger exists. A day with
nothing new is reported as 零报告 (zero report), as the 信访维稳专班's duties require.

A past day's report is checked as the data stand today, as the weekly briefing and the
statistics are (``data_stamp`` with today, not with the report's day: a record entered after
that day is not 登记日期在今天之后); a day that has not come yet, or one before the campaign
began, is refused.

Section 四 prints each return in full: a long 工作动态 runs on over as many rows (and pages) as it
needs. A return the ledgers now contradict (something registered, resolved or repaid for that
day after it was filed) is shown in red and named below the table; who has not reported is
said on a workday only (a 专班 counts from the day it was added, ``models.daily``)."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from models import stats
from models.reports.result import ReportResult, ReportUnavailable
from models.reports.briefing import cn_date
from models.reports.pdf_base import (LongTable, ReportDoc, finish, close_with_signature, data_stamp, fit_lines,
                                     fit_widths, gap, measured, para, scale_widths, text_width, yuan)

SIZE = 8                    # the tables' type size
CHUNK = 12                  # lines of 工作动态 per row: a longer one runs on in further rows (and pages)


def _who(r: dict) -> str:
    who = r.get("employer_name") or ""
    if r.get("project_name"):
        who = f"{who}（{r['project_name']}）" if who else r["project_name"]
    return who


def build(store, out: Path, today: _dt.date, job=None, as_of: _dt.date | None = None) -> ReportResult:
    """The report of day ``as_of`` (``today`` when not given), its data checked as of ``today``."""
    from models import daily
    day = as_of or today
    if day > today:
        raise ReportUnavailable(f"报告日期 {day.isoformat()} 晚于今天（{today.isoformat()}），"
                                "不能为尚未到来的日子出日报告或零报告")
    try:
        daily.refuse_before_start(store, day)
    except ValueError as exc:
        raise ReportUnavailable(str(exc)) from None
    if job:
        job.progress(0, 3, "正在审核数据…")
    stamp = data_stamp(store, today)
    if day != today:
        stamp.warning_text = ""       # today's warnings do not belong on a past day's report
    today = day                       # from here on, the day the report describes
    if job:
        job.progress(1, 3, "正在汇总当日数据…")
    fig = stats.daily_figures(store, today)
    zero = fig.zero
    title = "欠薪问题零报告" if zero else "欠薪问题日报告"
    doc = ReportDoc(out, title, stamp)
    W = doc.width
    story = [para(title, "title"),
             para(f"填报单位：{stamp.unit or '—'}　　报告日期：{cn_date(today, weekday=True)}", "subtitle"),
             para(stamp.full, "note"), gap(3)]
    if zero:
        story.append(para(f"{cn_date(today)}，全{_scope(stamp.unit)}无新增欠薪问题线索，无办结问题，无工资兑付，特此零报告。",
                          "body"))
    else:
        story.append(para(f"{cn_date(today)}，新增欠薪问题线索 {len(fig.new_cases)} 件，办结 {len(fig.closed_cases)} 件，"
                          f"兑付工资 {yuan(fig.repaid_fen)} 元。", "body"))
    story += [gap(2), para(f"一、当日新增欠薪问题（{len(fig.new_cases)} 件）", "h2")]
    if fig.new_cases:
        story.append(LongTable(["编号", "线索来源", "用人单位 / 项目", "人数", "欠薪金额（元）", "责任专班", "包案责任人"],
                               [[r["case_no"], r["source"], _who(r), f"{r['workers']:,}", yuan(r["owed_fen"]),
                                 r["workstream"] or "", r["owner_person"]] for r in fig.new_cases],
                               fit_widths([14, 12, 30, 5, 11, measured([r["workstream"] for r in fig.new_cases], "责任专班"),
                                           measured([r["owner_person"] for r in fig.new_cases], "包案责任人")], W),
                               "LLLRRLL", size=SIZE, max_lines=2))
    else:
        story.append(para("无。", "note"))
    story.append(para(f"二、当日办结问题（{len(fig.closed_cases)} 件）", "h2"))
    if fig.closed_cases:
        story.append(LongTable(["编号", "用人单位 / 项目", "办结状态", "核处结论", "责任专班"],
                               [[r["case_no"], _who(r), r["status"], r["verdict"], r["workstream"] or ""]
                                for r in fig.closed_cases],
                               fit_widths([14, 28, measured([r["status"] for r in fig.closed_cases], "办结状态"), 28,
                                           measured([r["workstream"] for r in fig.closed_cases], "责任专班")], W),
                               "LLCLL", size=SIZE, max_lines=2))
    else:
        story.append(para("无。", "note"))
    story.append(para(f"三、当日工资兑付（{yuan(fig.repaid_fen)} 元）", "h2"))
    if fig.repaid:
        story.append(LongTable(["责任专班", "兑付笔数", "兑付人数", "涉及问题（件）", "兑付金额（元）"],
                               [[r["workstream"], f"{r['records']:,}", f"{r['workers']:,}", f"{r['cases']:,}",
                                 yuan(r["amount_fen"])] for r in fig.repaid],
                               scale_widths([20, 10, 10, 10, 16], W), "LRRRR", size=8.5,
                               total=["合计", f"{sum(r['records'] for r in fig.repaid):,}",
                                      f"{sum(r['workers'] for r in fig.repaid):,}",
                                      f"{sum(r['cases'] for r in fig.repaid):,}", yuan(fig.repaid_fen)]))
    else:
        story.append(para("无。", "note"))
    story += _returns(store, fig, W)
    close_with_signature(story, W * 0.9)
    if job:
        job.progress(2, 3, "正在生成 PDF…")
    pages = finish(doc, story)
    if job:
        job.progress(3, 3, f"{title}已生成")
    return ReportResult(out, title, pages, stamp.passed, stamp.check_text)


def _scope(unit: str) -> str:
    from models.reports.pdf_base import org_name
    name = org_name(unit)
    return name[-1] if name else "镇"




# the narrowest a column's header breaks cleanly into (characters): 新增欠薪 / 线索, 当日兑付金额 / （元）
HEAD_CHARS = {"is_zero": 3, "new_cases": 4, "new_petitions": 2, "new_resolved": 2, "repaid_fen": 6, "reporter": 3}


def _returns(store, fig: stats.DailyFigures, width: float) -> list:
    """Section 四: each workstream's return from the daily_reports ledger, printed in full; the
    returns the ledgers now contradict; who has not reported (on a workday)."""
    if fig.reports is None:
        return [para("四、各专班日报告", "h2"), para("日报告台账" + stats.NOT_DECLARED + "，以上为台账自动汇总。", "note")]
    from models import daily
    from models.ledger import registry
    from models.reports.ledger_print import cell, print_fields
    ledger = registry.get("daily_reports")
    fields = [f for f in print_fields(ledger) if f.name not in ("report_on",)]
    out = [para(f"四、各专班日报告（{len(fig.reports)} 份）", "h2")]
    wrong = {c["workstream_id"]: c for c in daily.contradicted(store, fig.day)}
    if fig.reports:
        cells = [[cell(f, r, True) for f in fields] for r in fig.reports]
        spec = []
        for j, f in enumerate(fields):
            if f.kind == "longtext":
                spec.append(max(4, f.width))
            else:
                chars = HEAD_CHARS.get(f.name)
                head = f.header if chars is None else f.header[:chars]
                spec.append(measured([c[j] for c in cells], head, 0.3))
        widths = fit_widths(spec, width)
        rows, shade = [], []
        for r, c in zip(fig.reports, cells):
            first = len(rows)
            rows += _full_rows(fields, c, widths)
            if r.get("workstream_id") in wrong:
                shade += range(first, len(rows))
        out.append(LongTable([f.header for f in fields], rows, widths,
                             "".join("R" if f.numeric else ("C" if f.kind == "bool" else "L") for f in fields),
                             size=SIZE, max_lines=CHUNK + 2, shade=shade))
    if wrong:
        out.append(para("以下日报告与当日台账不符（报送后台账又有登记、办结或兑付，或所报数字台账中没有），"
                        "请核对后修改日报告（命令行：daily submit --amend --reason 理由）：" +
                        "；".join(f"{c['workstream']}（{daily.contradiction_text(c)}）" for c in wrong.values()) + "。",
                        "alert"))
    missing = [w["name"] for w in daily.missing_on(store, fig.day)]
    if missing and not daily.is_workday(store, fig.day):
        out.append(para("当日为休息日，不要求报送日报告。", "note"))
    elif missing:
        out.append(para(f"未报送：{'、'.join(missing)}。", "alert" if fig.reports else "note"))
    return out


def _full_rows(fields, cells: list[str], widths: list[float]) -> list[list[str]]:
    """One return as table rows: its 工作动态 in full, ``CHUNK`` lines a row, the rows after the
    first marked （续） so that a long return runs on over pages instead of being cut."""
    j = next((k for k, f in enumerate(fields) if f.kind == "longtext"), None)
    if j is None:
        return [cells]
    lines = fit_lines(cells[j], widths[j] - 4, SIZE, 10 ** 6).split("\n")
    if len(lines) <= CHUNK:
        return [cells]
    out = []
    for k in range(0, len(lines), CHUNK):
        part = "".join(lines[k:k + CHUNK])
        if k == 0:
            out.append([*cells[:j], part, *cells[j + 1:]])
        else:                      # the 专班 again, so a page that opens with it says whose it is
            row = [""] * len(fields)
            row[0], row[j] = f"{cells[0]}（续）" if j else "", part
            out.append(row)
    return out


def to_date(store, day: _dt.date, today: _dt.date) -> dict:
    """The campaign to the end of ``day``: the headline figures of ``models.figures`` as they stood
    then (cases, 已化解, 应付, 已付, 清偿率), for the 日报告汇总表's 截至…累计 line."""
    from models import figures
    f = figures.figures(store, today, day, keys=("cases", "resolved_cases", "owed_fen", "paid_fen", "cleared_pct"))
    return {"n": f.cases, "done": f.resolved_cases, "owed": f.owed_fen, "paid": f.paid_fen,
            "cleared_pct": f.cleared_pct}


def export_xlsx(store, day: _dt.date | str, out, today: _dt.date | None = None, unit_name: str = "") -> Path:
    """The day's 日报告汇总表 (.xlsx, ``models.daily.export_day_xlsx``) with the campaign to that day
    from ``models.figures``. A day after ``today`` (default: the clock's) or before the campaign
    began is refused (ValueError: ``models.figures.NotKnown`` is one)."""
    from models import daily
    d = day if isinstance(day, _dt.date) else _dt.date.fromisoformat(str(day)[:10])
    today = today or max(_dt.date.today(), d)
    daily.refuse_before_start(store, d)
    return daily.export_day_xlsx(store, d, out, unit_name, to_date=to_date(store, d, today))

