"""周调度材料: the Monday briefing pack for the leading group, a 情况报告 in the GB/T 9704 layout.

版头 and title; 一、总体进展 (headline figures, phased targets, cases by status);
二、各专班本周工作 (the case ledger per workstream, then every other workstream ledger's week:
assets, contract arrears, petitions, hazards, daily-report compliance, funds — each a sentence
and a table in 万元, ``models.reports.week``); 三、逾期及重大问题; 四、交办事项; 附件1 图表;
附件2 each workstream's open cases, most urgent first; 版记. Case figures come from
``models.figures`` / ``models.stats``.

Long lists are capped (``CASE_CAP`` per workstream, ``LIST_CAP`` for overdue and major cases)
with the total stated: the briefing is read at a meeting; the full lists are the ledger printouts.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from reportlab.platypus import CondPageBreak, KeepTogether, PageBreak

from models import stats
from models.reports.result import ReportResult
from models.reports.pdf_base import (LongTable, chart_image, data_stamp, fit_widths, gap, key_figures, measured,
                                     org_name, scale_widths, wan, yuan)

CASE_CAP = 30
LIST_CAP = 50
ACTION_CAP = 60
WEEKDAYS = "一二三四五六日"


def default_day(today: _dt.date, store=None) -> _dt.date:
    """The day a 周调度材料 describes when none is chosen: today, except on the day of a dispatch
    meeting, when it is yesterday: the pack then covers the meeting's whole window (Monday to
    Sunday of the week just ended; after a holiday Monday, the meeting's own [since, date), as
    its agenda and minutes do), not the meeting morning alone. Without ``store`` (no meetings to
    look at) the meeting day is taken to be Monday."""
    if store is not None and meeting_on(store, today) is not None:
        return today - _dt.timedelta(days=1)
    return today - _dt.timedelta(days=1) if today.weekday() == 0 else today


def meeting_on(store, day: _dt.date) -> dict | None:
    """The 例会 held on ``day`` (date, since_date), not in the recycle bin, if there is one."""
    if not store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meeting'"):
        return None
    r = store.one("SELECT date, since_date FROM meeting WHERE deleted_at IS NULL AND kind = '例会' "
                  "AND substr(date, 1, 10) = ? ORDER BY meeting_no LIMIT 1", (day.isoformat(),))
    return dict(r) if r else None


def window_start(store, day: _dt.date) -> _dt.date:
    """The first day of the period the pack for ``day`` reports: on the eve of a 例会, that
    meeting's window [since, date) (ten days after a holiday Monday); else the Monday of ``day``."""
    m = meeting_on(store, day + _dt.timedelta(days=1))
    if m and m.get("since_date"):
        since = _dt.date.fromisoformat(str(m["since_date"])[:10])
        if since <= day:
            return since
    return stats.monday(day)


def due_until(day: _dt.date) -> _dt.date:
    """The last day of the week being dispatched: the Sunday of the week of the day after
    ``day``. A pack for the Monday meeting (``day`` the Sunday before) lists the 交办事项 falling
    due in the week the meeting plans, not in the week just ended."""
    nxt = day + _dt.timedelta(days=1)
    return nxt + _dt.timedelta(days=6 - nxt.weekday())


def cn_date(d: _dt.date, weekday: bool = False) -> str:
    return f"{d.year}年{d.month}月{d.day}日" + (f"（星期{WEEKDAYS[d.weekday()]}）" if weekday else "")


def _week_label(camp, today: _dt.date) -> str:
    if camp is None:
        return ""
    n = (stats.monday(today) - stats.monday(_dt.date.fromisoformat(camp.start_date))).days // 7 + 1
    return f"专项行动第 {n} 周　" if n >= 1 else ""


def _step(job, done: int, text: str, total: int = 6) -> None:
    if job is not None:
        job.progress(done, total, text)


def _money(unit: str):
    """(cell text of an amount in 分, the unit's label): 万元 with two decimals for leaders' tables."""
    return (wan, "万元") if unit == "wan" else (yuan, "元")


def case_table(rows: list[dict], width: float, today: _dt.date, with_ws: bool = False, unit: str = "yuan") -> LongTable:
    money, label = _money(unit)
    head = ["编号", "用人单位 / 项目", *(["责任专班"] if with_ws else []), "包案责任人", "办结时限", "状态",
            "人数", f"未付（{label}）", "预警"]
    chars = [14, 19 if with_ws else 26, *([10] if with_ws else []), 7, 11, 6, 5, 11, 9]    # a date on one line
    body, shade = [], []
    for i, r in enumerate(rows):
        flags = []
        if r["deadline"] and r["deadline"] < today.isoformat():
            flags.append(f"逾期{r['days_over']}天")
            shade.append(i)
        if r["is_major"]:
            flags.append("重大")
        if r["is_sensitive"]:
            flags.append("敏感")
        who = r["employer_name"] or ""
        if r["project_name"]:
            who = f"{who}（{r['project_name']}）" if who else r["project_name"]
        body.append([r["case_no"], who, *([r["workstream"] or ""] if with_ws else []), r["owner_person"],
                     r["deadline"] or "", r["status"], f"{r['workers']:,}", money(r["outstanding_fen"]),
                     "、".join(flags)])
    aligns = "LL" + ("L" if with_ws else "") + "LCCRRL"
    return LongTable(head, body, scale_widths(chars, width), aligns, size=8, max_lines=2, shade=shade)


def workstream_table(tot: stats.Totals, width: float, unit: str = "yuan") -> LongTable:
    yuan, label = _money(unit)
    head = ["专班", "问题数", "在办", "已办结", "逾期", "涉及人数", f"欠薪金额（{label}）", f"已兑付（{label}）",
            f"未兑付（{label}）", "清偿率"]
    body = [[w.name, f"{w.all.cases:,}", f"{w.open_cases:,}", f"{w.closed_cases:,}", f"{w.overdue:,}",
             f"{w.counted.workers:,}", yuan(w.counted.owed_fen), yuan(w.counted.paid_fen),
             yuan(w.counted.outstanding_fen), w.counted.cleared_text] for w in tot.workstreams]
    c = tot.counted
    total = ["合计", f"{tot.all.cases:,}", f"{tot.open_cases:,}", f"{tot.closed_cases:,}",
             f"{sum(w.overdue for w in tot.workstreams):,}", f"{c.workers:,}", yuan(c.owed_fen),
             yuan(c.paid_fen), yuan(c.outstanding_fen), c.cleared_text]
    return LongTable(head, body, scale_widths([12, 6, 6, 6, 5, 7, 15, 15, 15, 8], width), "LRRRRRRRRR",
                     size=8, total=total)


def status_table(tot: stats.Totals, width: float, unit: str = "yuan") -> LongTable:
    """Cases by status; 不存在欠薪 counts as a case but owes nothing, so its money is not shown
    and the 合计 row's money and people are the headline figures."""
    yuan, label = _money(unit)
    head = ["状态", "问题数（件）", "涉及人数", f"欠薪金额（{label}）", f"已兑付（{label}）", f"未兑付（{label}）", "清偿率"]
    body = []
    for s, b in tot.by_status.items():
        if s == stats.EXCLUDED:
            body.append([s, f"{b.cases:,}", "—", "—", "—", "—", "—"])
        else:
            body.append([s, f"{b.cases:,}", f"{b.workers:,}", yuan(b.owed_fen), yuan(b.paid_fen),
                         yuan(b.outstanding_fen), b.cleared_text])
    c = tot.counted
    return LongTable(head, body, scale_widths([10, 8, 8, 14, 14, 14, 7], width), "LRRRRRR", size=8.5,
                     total=["合计", f"{tot.all.cases:,}", f"{c.workers:,}", yuan(c.owed_fen), yuan(c.paid_fen),
                            yuan(c.outstanding_fen), c.cleared_text])


def target_text(tp: stats.TargetProgress | None, tot: stats.Totals, today: _dt.date) -> str:
    if tp is None:
        return "尚未设置专项行动及阶段目标。"
    deadline = _dt.date.fromisoformat(tp.deadline)
    if not tp.measurable:         # nothing owed: no stage reached or missed; the line from the dates alone
        lead = (f"截至{cn_date(today)}，{stats.NO_DATA}（尚未登记欠薪金额），清偿率及各阶段目标是否达到暂无从衡量；"
                f"按阶段时间，进度线当日应达 {tp.target_today_pct:.1f}%。")
        if tp.current:
            cur = tp.current
            lead += (f"当前阶段“{cur.name}”要求{cn_date(_dt.date.fromisoformat(cur.due_date))}前清偿率达到 "
                     f"{cur.target_pct}%，剩余 {max(cur.days_left, 0)} 天。")
        return lead + f"距{tp.deadline_label}（{cn_date(deadline)}）还有 {tp.days_left} 天。"
    lead = (f"截至{cn_date(today)}，累计兑付 {wan(tot.counted.paid_fen)} 万元，清偿率 {tp.actual_pct:.1f}%；"
            f"按阶段目标进度线当日应达 {tp.target_today_pct:.1f}%，")
    lead += (f"落后 {wan(tp.shortfall_fen)} 万元。" if tp.shortfall_fen else "进度符合要求。")
    if tp.current:
        cur = tp.current
        need = max(0, cur.target_fen - tot.counted.paid_fen)
        lead += (f"当前阶段“{cur.name}”要求{cn_date(_dt.date.fromisoformat(cur.due_date))}前清偿率达到 "
                 f"{cur.target_pct}%（{wan(cur.target_fen)} 万元），" +
                 (f"还需兑付 {wan(need)} 万元，" if need else "已经达到，") +
                 f"剩余 {max(cur.days_left, 0)} 天。")
    lead += f"距{tp.deadline_label}（{cn_date(deadline)}）还有 {tp.days_left} 天。"
    return lead


def phase_table(tp: stats.TargetProgress, paid_fen: int, width: float, unit: str = "yuan") -> LongTable:
    yuan, label = _money(unit)
    head = ["阶段", "完成时限", "目标清偿率", f"目标金额（{label}）", f"已兑付（{label}）", f"差额（{label}）", "剩余天数",
            "是否达到"]
    none = stats.NO_RATE          # nothing owed: no target amount, no gap, no verdict
    body = [[p.name, p.due_date, f"{p.target_pct}%", yuan(p.target_fen) if p.measurable else none, yuan(paid_fen),
             yuan(max(0, p.target_fen - paid_fen)) if p.measurable else none,
             str(p.days_left) if p.days_left >= 0 else "已到期",
             ("已达到" if p.reached else "未达到") if p.measurable else none] for p in tp.phases]
    return LongTable(head, body, scale_widths([12, 10, 8, 14, 14, 14, 7, 7], width), "LCRRRRRC", size=8.5,
                     shade=[i for i, p in enumerate(tp.phases) if p.measurable and p.days_left < 0 and not p.reached])


CC_SETTING = "reports.briefing_cc"
DEFAULT_CC = "县根治欠薪工作领导小组办公室，镇根治欠薪工作领导小组各成员"
_CN = "一二三四五六七八九十"


def build(store, out: Path, today: _dt.date, job=None, *, naive: bool = False,
          as_of: _dt.date | None = None) -> ReportResult:
    """The briefing as the campaign stood at the end of day ``as_of`` (default: today), every figure
    from ``models.figures`` / ``models.stats`` and, for the other workstreams, their ledgers
    (``models.reports.week``); a day whose figures cannot be known is refused
    (``models.figures.NotKnown``). In the GB/T 9704 layout (``models.reports.official``): 版头
    周调度材料 with the campaign week as 期号, the sections, two 附件 (charts; each workstream's open
    cases), and the 版记. ``naive`` lays every list out as one plain reportlab Table (the benchmark's
    baseline). An ``out`` ending in .docx is written as Word from the same story."""
    from models import campaign as campaigns, figures
    from models.charts import chart_specs
    import models.reports.official as O
    import models.reports.week as week
    basis = figures.Basis(store, today, as_of)      # refuses a day it cannot know, before any work
    _step(job, 0, "正在审核数据…")
    stamp = data_stamp(store, today)
    _step(job, 1, "正在汇总各项数据…")
    camp = campaigns.current(store)
    dash = stats.dashboard(store, today, list_limit=LIST_CAP, basis=basis)
    tot = dash.totals
    day = dash.day
    series = stats.repaid_series(store, tot.counted.paid_fen, until=None if dash.figures.now else day,
                                 today=today, basis=basis)
    start = _dt.date.fromisoformat(camp.start_date) if camp else None
    flows = stats.weekly_flow(store, day, start)
    funds = stats.funds_by_channel(store, until=None if dash.figures.now else day)
    majors = stats.case_list(store, "重大", today, LIST_CAP, basis=basis)
    n_major = stats.count_cases(store, "重大", today, basis=basis)
    per_ws = [(w, stats.case_list(store, "在办", today, CASE_CAP, workstream_id=w.id, basis=basis))
              for w in tot.workstreams]
    sections = week.sections(store, day, past=not dash.figures.now)
    _step(job, 2, "正在绘制图表…")
    charts = chart_specs(store, day, data={"totals": tot, "campaign": camp, "series": series, "flows": flows,
                                          "funds": funds})
    today = day                   # from here on, "today" is the day the briefing describes
    if not dash.figures.now:
        stamp.warning_text = ""   # today's warnings do not belong on a past day (section 一 gives that day's)
    _step(job, 3, "正在排版…")
    O.register_faces()
    W = O.WIDTH
    org = org_name(stamp.unit)
    office = f"{org}根治欠薪工作领导小组办公室"
    n_week = (stats.monday(today) - stats.monday(start)).days // 7 + 1 if start else 0
    mon = window_start(store, today)
    story: list = [O.RedHeader(O.Masthead(["周调度材料"], f"第{n_week}期" if n_week >= 1 else "",
                                          office, cn_date(today))), O.Blank(O.LEAD * 0.5)]
    story += O.title(f"{org}根治欠薪专项行动\n{f'第{n_week}周' if n_week >= 1 else '本周'}工作进展情况")
    story.append(O.note(f"统计时段：{cn_date(mon)}至{cn_date(today)}；数据截至{cn_date(today)}日终" +
                        ("" if dash.figures.now else "（按登记、状态变更、兑付、到位、分配、销号等日期还原当日情况）")
                        + "。" + "".join(f"{ln.rstrip('。')}。" for ln in stamp.lines)))
    if not stamp.passed:
        story.append(O.alert("注意：本材料所用数据未通过一致性审核，请先核对台账后再作决策。"))
    if dash.calendar_note:
        story.append(O.note(dash.calendar_note))
    story.append(O.Blank(O.LEAD * 0.5))
    # 一、总体进展
    c, f = tot.counted, dash.figures
    story += [O.heading(1, "一、总体进展"),
              O.body(f"截至{cn_date(today)}，全{org[-1:] or '镇'}共登记欠薪问题 {f.cases:,} 件，在办 {f.open_cases:,} 件，"
                     f"已办结 {f.closed_cases:,} 件；涉及农民工 {f.workers:,} 人，欠薪 {wan(f.owed_fen)} 万元，已兑付 "
                     f"{wan(f.paid_fen)} 万元，未兑付 {wan(f.unpaid_fen)} 万元，" +
                     (f"清偿率 {f.cleared_pct:.1f}%。" if f.owed_fen else f"尚无清偿率可计（{stats.NO_DATA}）。")),
              key_figures([
                  ("欠薪总额（万元）", wan(f.owed_fen)), ("已兑付（万元）", wan(f.paid_fen)),
                  ("未兑付（万元）", wan(f.unpaid_fen)), ("清偿率", f"{f.cleared_pct:.1f}%" if f.owed_fen else stats.NO_RATE),
                  ("欠薪问题（件）", f"{f.cases:,}"), ("在办 / 已办结（件）", f"{f.open_cases:,} / {f.closed_cases:,}"),
                  ("涉及农民工（人）", f"{f.workers:,}"), ("逾期 / 即将到期（件）", f"{f.overdue:,} / {f.due_soon:,}"),
              ], W),
              O.note("注：欠薪总额、已兑付、未兑付、涉及农民工均不含经核实不存在欠薪的问题；各项口径见“qingqian figures”"
                     "或统计报表的口径说明。"),
              O.body(target_text(dash.target, tot, today))]
    if dash.target and dash.target.phases:
        story += [gap(1), phase_table(dash.target, c.paid_fen, W, "wan")]
    story += [O.heading(2, "（一）欠薪问题按状态"), status_table(tot, W, "wan"),
              O.note("注：经核实不存在欠薪的问题只计件数，不计人数和金额。"),
              O.note(f"预警：逾期 {dash.warnings.overdue} 件，{dash.warnings.soon_until} 前到期 {dash.warnings.due_soon} 件，"
                     f"久拖未动 {dash.warnings.stalled} 件，在办重大问题 {dash.warnings.major_open} 件，"
                     f"在办敏感问题 {dash.warnings.sensitive_open} 件；逾期交办事项 {dash.figures.items_overdue} 项。"
                     "以上为工作预警（督办事项），不属于数据审核问题。")]
    target_part, target_prog = _targets(store, today, basis, W)
    story += target_part
    # 二、各专班本周工作
    story += [O.heading(1, "二、各专班本周工作"), O.heading(2, "（一）欠薪问题化解"),
              O.body(f"各专班在办欠薪问题 {tot.open_cases:,} 件，其中逾期 {sum(w.overdue for w in tot.workstreams):,} 件；"
                     f"累计兑付 {wan(c.paid_fen)} 万元。各专班在办问题清单见附件2。"),
              workstream_table(tot, W, "wan")]
    for i, sec in enumerate(sections, 2):
        head = O.heading(2, f"（{_CN[i - 1]}）{sec.title}")
        if not sec.available:
            story += [head, O.note("该台账" + stats.NOT_DECLARED + "。")]
            continue
        story += [head, O.body(sec.sentence)]
        aligns = "L" + "R" * (len(sec.header) - 1)
        if sec.key == "compliance":
            aligns = "LRRL"
        elif sec.key == "assets":
            aligns = "LRLRRRR"
        chars: list = [max(6, len(h) + 1) for h in sec.header]
        if sec.key == "assets":
            chars[2] = 26
        if sec.key == "compliance":
            chars[3] = 24
        cells = [[week.cell_text(v) for v in r] for r in sec.rows]
        # the first column (a 专班 or a row's name) as wide as its longest cell: names on one line
        chars[0] = measured([r[0] for r in cells] + ([week.cell_text(sec.total[0])] if sec.total else []),
                            sec.header[0], 0.3)
        story.append(LongTable(sec.header, cells, fit_widths(chars, W, 8.5), aligns, size=8.5, max_lines=3,
                               total=[week.cell_text(v) for v in sec.total] if sec.total else None))
        if sec.note:
            story.append(O.note(sec.note))
    # 三、逾期及重大问题
    story += [O.heading(1, "三、逾期及重大问题"), O.heading(2, f"（一）逾期未办结问题（{dash.warnings.overdue} 件）")]
    story.append(case_table(dash.overdue, W, today, with_ws=True, unit="wan") if dash.overdue else O.note("无逾期问题。"))
    if dash.warnings.overdue > len(dash.overdue):
        story.append(O.note(f"以上列出逾期最久的 {len(dash.overdue)} 件。"))
    story += [O.heading(2, f"（二）在办重大问题（{n_major} 件）"),
              case_table(majors, W, today, with_ws=True, unit="wan") if majors else O.note("无在办重大问题。")]
    if n_major > len(majors):
        story.append(O.note(f"以上列出未付金额最大的 {len(majors)} 件。"))
    story += [O.heading(1, "四、交办事项")]
    due = due_until(today)
    story += _actions(store, stats.action_items(store, today, ACTION_CAP, basis=basis, due_until=due), W, due)
    story += [O.Blank(O.LEAD), O.Text("1．图表", label="附件：", label_font=O.FANG, role="body"),
              O.Text("2．各专班在办问题清单", left_indent=3 * O.SIZE, role="body")]
    # 附件
    story += [PageBreak(), O.Text("附件1", O.HEI, first_indent=0, role="annex"), O.Blank(O.LEAD * 0.5),
              *O.title("图表")]
    for key in ("repaid", "workstreams", "weekly", "status", "funds"):
        story += [KeepTogether([chart_image(charts[key], W * 0.92)]), gap(3)]
    story += [PageBreak(), O.Text("附件2", O.HEI, first_indent=0, role="annex"), O.Blank(O.LEAD * 0.5),
              *O.title("各专班在办问题清单")]
    for w, rows in per_ws:
        if not w.all.cases:
            continue
        story += [CondPageBreak(60), O.heading(3, f"{w.name}：在办 {w.open_cases} 件，逾期 {w.overdue} 件，"
                                                   f"已兑付 {wan(w.counted.paid_fen)} 万元，清偿率 {w.counted.cleared_text}")]
        if rows:
            story.append(case_table(rows, W, today, unit="wan"))
            if w.open_cases > len(rows):
                story.append(O.note(f"共 {w.open_cases} 件在办，以上列出最紧迫的 {len(rows)} 件，其余见欠薪问题台账打印件。"))
        else:
            story.append(O.note("无在办问题。"))
    cc = store.get_setting(CC_SETTING) or DEFAULT_CC
    story.append(O.ImprintBlock(O.Imprint(cc, office, today)))
    _step(job, 4, "正在生成文件…")
    title_text = f"{org}周调度材料（{cn_date(today)}）"
    if Path(out).suffix.lower() == ".docx":
        from models.reports.word import write_docx
        write_docx(story, out, title_text, office, official=True)
        _step(job, 6, "周调度材料已生成")
        return ReportResult(Path(out), "周调度材料", 0, stamp.passed, stamp.check_text,
                            figures={**{s.key: s.figures for s in sections},
                                     "targets": [ln.to_json() for ln in target_prog.lines]})
    if naive:
        _naive(story)
    doc = O.OfficialDoc(out, title_text, office, subject=stamp.line)
    doc.build(story)
    _step(job, 6, "周调度材料已生成")
    return ReportResult(out, "周调度材料", doc.page, stamp.passed, stamp.check_text,
                        figures={**{s.key: s.figures for s in sections},
                                     "targets": [ln.to_json() for ln in target_prog.lines]})


def target_table(prog, width: float) -> LongTable:
    """专班目标: 确保 / 力争 / 实际 / 差距 per workstream (``models.targets``)."""
    from models import targets
    rows = targets.table_rows(prog)
    return LongTable(list(targets.HEADER), rows, scale_widths([13, 15, 9, 9, 9, 9, 8], width), "LLRRRRC",
                     size=8.5, shade=[i for i, ln in enumerate(prog.lines) if ln.actual < ln.sure])


def _targets(store, day: _dt.date, basis, width: float) -> tuple[list, object]:
    """各专班目标完成情况, when targets are set: a sentence and the table."""
    from models import targets
    import models.reports.official as O
    prog = targets.progress(store, day, basis=basis)
    if not prog.available:
        return [], prog
    behind = [ln for ln in prog.lines if ln.actual < ln.sure]
    text = (f"各专班目标（确保 / 力争）{len(prog.lines)} 项，已达到确保目标 {len(prog.lines) - len(behind)} 项，"
            f"其中达到力争目标 {sum(ln.actual >= ln.strive for ln in prog.lines)} 项" +
            ("；未达到确保目标的：" + "、".join(f"{ln.workstream}{ln.measure.split('（')[0]}（差 {targets.cell(ln, ln.gap_sure)}"
                                             f"{'万元' if ln.money else '件'}）" for ln in behind) + "。" if behind else "。"))
    return [O.heading(2, "（二）专班目标完成情况"), O.body(text), target_table(prog, width),
            O.note("注：化解问题为状态“已化解”的件数；兑付金额为已兑付工资（不含经核实不存在欠薪），与总体进展的口径相同；"
                   "筹措到位金额为清欠资金台账中该专班的到位金额；差距为距确保目标之数。")], prog


def _actions(store, items: stats.ActionItems, width: float, due: _dt.date) -> list:
    if not items.available:
        from models.reports.official import note
        return [note(items.note)]
    import models.reports.official as O
    out = [O.body(f"未办结交办事项 {items.open_count} 项，其中逾期 {items.overdue_count} 项；"
                  f"下表列出逾期和{due.month}月{due.day}日（含）以前到期的事项。")]
    if not items.rows:
        return out + [O.note(f"无逾期或{due.month}月{due.day}日（含）以前到期的交办事项。")]
    body = [[str(i), r["content"], r["workstream"] or "", r["owner"] or "", r["due"] or "",
             r["status"] or "", "逾期" if r["overdue"] else ""] for i, r in enumerate(items.rows, 1)]
    return out + [LongTable(["序号", "交办事项", "责任专班", "责任人", "完成时限", "状态", "预警"], body,
                            fit_widths([measured([b[0] for b in body], "序号"), 40,
                                        *(measured([b[k] for b in body], h, 0.25) for k, h in
                                          ((2, "责任专班"), (3, "责任人"), (4, "完成时限"), (5, "状态"), (6, "预警")))],
                                       width, 8.5), "CLLLCCC", size=8.5, max_lines=4,
                            shade=[i for i, r in enumerate(items.rows) if r["overdue"]])]


def _naive(story: list) -> None:
    """Replace every LongTable by one plain reportlab Table of all its rows (the benchmark's baseline)."""
    for i, f in enumerate(story):
        if isinstance(f, LongTable):
            story[i] = f.plain_table()
