"""日报告 / 零报告 for one day: cases registered and closed that day, money repaid that day per
workstream, and each workstream's own return when the daily_reports ledger exists. A day with
nothing new is reported as 零报告 (zero report), as the 信访维稳专班's duties require.

A past day's report is checked as the data stand today, as the weekly briefing and the
statistics are (``data_stamp`` with today, not with the report's day: a record entered after
that day is not 登记日期在今天之后); a day that has not come yet is refused."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from models import stats
from models.reports.result import ReportResult, ReportUnavailable
from models.reports.briefing import cn_date
from models.reports.pdf_base import (LongTable, ReportDoc, finish, close_with_signature, data_stamp, gap, para, scale_widths,
                                     yuan)


def _who(r: dict) -> str:
    who = r.get("employer_name") or ""
    if r.get("project_name"):
        who = f"{who}（{r['project_name']}）" if who else r["project_name"]
    return who


def build(store, out: Path, today: _dt.date, job=None, as_of: _dt.date | None = None) -> ReportResult:
    """The report of day ``as_of`` (``today`` when not given), its data checked as of ``today``."""
    from models import campaign as campaigns
    day = as_of or today
    if day > today:
        raise ReportUnavailable(f"报告日期 {day.isoformat()} 晚于今天（{today.isoformat()}），"
                                "不能为尚未到来的日子出日报告或零报告")
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
                               scale_widths([14, 12, 30, 5, 11, 11, 7], W), "LLLRRLL", size=8, max_lines=2))
    else:
        story.append(para("无。", "note"))
    story.append(para(f"二、当日办结问题（{len(fig.closed_cases)} 件）", "h2"))
    if fig.closed_cases:
        story.append(LongTable(["编号", "用人单位 / 项目", "办结状态", "核处结论", "责任专班"],
                               [[r["case_no"], _who(r), r["status"], r["verdict"], r["workstream"] or ""]
                                for r in fig.closed_cases],
                               scale_widths([14, 28, 8, 28, 11], W), "LLCLL", size=8, max_lines=2))
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
    story += _returns(store, fig, W, campaigns)
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


def _returns(store, fig: stats.DailyFigures, width: float, campaigns) -> list:
    """Section 四: each workstream's return from the daily_reports ledger, and who has not reported."""
    if fig.reports is None:
        return [para("四、各专班日报告", "h2"), para("日报告台账" + stats.NOT_DECLARED + "，以上为台账自动汇总。", "note")]
    from models.ledger import registry
    from models.reports.ledger_print import cell, print_fields
    ledger = registry.get("daily_reports")
    fields = [f for f in print_fields(ledger) if f.name not in ("report_on",)]
    out = [para(f"四、各专班日报告（{len(fig.reports)} 份）", "h2")]
    if fig.reports:
        out.append(LongTable([f.header for f in fields], [[cell(f, r, True) for f in fields] for r in fig.reports],
                             scale_widths([max(4, f.width) for f in fields], width),
                             "".join("R" if f.numeric else ("C" if f.kind == "bool" else "L") for f in fields),
                             size=8, max_lines=4))
    reported = {r.get("workstream_id") for r in fig.reports}
    missing = [w["name"] for w in campaigns.workstreams(store) if w["id"] not in reported]
    if missing:
        out.append(para(f"未报送：{'、'.join(missing)}。", "alert" if fig.reports else "note"))
    return out
