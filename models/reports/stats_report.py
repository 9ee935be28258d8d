"""统计报表 for the county: the winter-action indicators (defined in ``models.stats.indicators``),
the figures per workstream and by status, as PDF and as an Excel workbook beside it."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from reportlab.platypus import KeepTogether

from models import stats
from models.stats.core import NO_RATE
from models.reports.result import ReportResult
from models.reports.briefing import cn_date, status_table, workstream_table
from models.reports.pdf_base import LongTable, ReportDoc, finish, data_stamp, gap, para, scale_widths, signature_lines, yuan

TITLE = "根治欠薪专项行动统计报表"
SIGNERS = ("单位负责人", "审核人", "填报人", "报出日期")


def indicator_rows(items: list[stats.Indicator]) -> list[list[str]]:
    rows = []
    for i, it in enumerate(items, 1):
        value = it.text if it.available else "0"
        note = it.definition + (f"；{it.note}" if it.note else "")
        if it.key == "resolved_rate":
            note += f"（{yuan(it.num)} 元 ÷ {yuan(it.den)} 元）"
        elif it.unit == "%" and it.den is not None:
            note += f"（{it.num:,} ÷ {it.den:,}）"
        rows.append([str(i), it.name, it.unit, value, note])
    return rows


def build(store, out: Path, today: _dt.date, job=None, *, excel: bool = True,
          as_of: _dt.date | None = None) -> ReportResult:
    """The statistics as they stood at the end of day ``as_of`` (default: today); a day whose figures
    cannot be known is refused (``models.figures.NotKnown``)."""
    from models import figures
    basis = figures.Basis(store, today, as_of)
    if job:
        job.progress(0, 4, "正在审核数据…")
    stamp = data_stamp(store, today)
    if job:
        job.progress(1, 4, "正在计算统计指标…")
    tot = stats.totals(store, today, basis=basis)
    items = stats.indicators(store, today, tot, basis=basis)
    rebuilt = basis.past is not None
    today = basis.day                 # from here on, the day the statistics describe
    figs = figures.figures(store, basis.today, basis=basis)
    if rebuilt:
        stamp.warning_text = ""       # today's warnings do not belong on a past day's figures (below: that day's)
    if job:
        job.progress(2, 4, "正在生成 PDF…")
    doc = ReportDoc(out, "统计报表", stamp)
    W = doc.width
    story = [para(TITLE, "title"),
             para(f"填报单位：{stamp.unit or '—'}　　统计截至：{cn_date(today)}日终", "subtitle"),
             para(stamp.full, "note"), gap(3)]
    if rebuilt:
        story.append(para(f"本表按登记、状态变更、兑付等日期还原{cn_date(today)}日终的情况，与当前台账数字不同属正常。",
                          "note"))
    story.append(para(f"工作预警（截至统计日）：逾期问题 {figs.overdue} 件，即将到期 {figs.due_soon} 件，"
                      f"在办重大问题 {figs.major_open} 件，逾期交办事项 {figs.items_overdue} 项。"
                      "预警为督办事项，不属于数据审核问题。", "note"))
    if not stamp.passed:
        story.append(para("注意：报表数据未通过一致性审核，请核对台账后再报送。", "alert"))
    story += [para("一、主要指标", "h2"),
              LongTable(["序号", "指标", "单位", "数值", "口径说明"], indicator_rows(items),
                        scale_widths([4, 15, 5, 12, 44], W), "CLCRL", size=8.5, max_lines=8)]
    missing = [it.name for it in items if not it.available]
    if missing:
        story.append(para(f"注：{'、'.join(missing)}所依据的台账尚未建立，暂按 0 填报。", "note"))
    story += [gap(3), para("二、分专班情况", "h2"), workstream_table(tot, W), gap(3),
              KeepTogether([para("三、按办理状态", "h2"), status_table(tot, W),
                            para("注：经核实不存在欠薪的问题计入问题数和办结数，不计人数和金额。", "note"),
                            gap(10), signature_lines(W, SIGNERS)])]
    pages = finish(doc, story)
    extra = []
    if excel:
        if job:
            job.progress(3, 4, "正在导出 Excel…")
        extra.append(write_excel(out.with_suffix(".xlsx"), items, tot, stamp, today))
    if job:
        job.progress(4, 4, "统计报表已生成")
    return ReportResult(out, "统计报表", pages, stamp.passed, stamp.check_text, extra)


def write_excel(path: Path, items: list[stats.Indicator], tot: stats.Totals, stamp, today: _dt.date) -> Path:
    """The indicators (sheet 统计指标) and the per-workstream figures (sheet 分专班) as a workbook:
    title row, 填报单位 / 日期 row, frozen header, A4 landscape fitted to one page wide.
    Text is always written as text (never a formula), numbers as numbers."""
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
    f_title = wb.add_format({"font_name": "黑体", "font_size": 16, "align": "center", "valign": "vcenter"})
    f_sub = wb.add_format({"font_name": "宋体", "font_size": 10})
    f_head = wb.add_format({**base, "bold": True, "align": "center", "bg_color": "#E8EDF3", "text_wrap": True})
    f_text = wb.add_format({**base, "text_wrap": True})
    f_int = wb.add_format({**base, "num_format": "#,##0"})
    f_wan = wb.add_format({**base, "num_format": "#,##0.00"})
    f_yuan = wb.add_format({**base, "num_format": "#,##0.00"})
    f_pct = wb.add_format({**base, "num_format": "0.00%"})        # 办结率、解决率、按期化解率: two decimals (口径)
    f_cleared = wb.add_format({**base, "num_format": "0.0%"})     # 清偿率: one decimal, as the PDF and ``figures``
    f_none = wb.add_format({**base, "align": "right"})          # a rate over nothing: —

    ws = wb.add_worksheet("统计指标")
    heads = ["序号", "指标", "单位", "数值", "口径说明"]
    ws.merge_range(0, 0, 0, len(heads) - 1, TITLE, f_title)
    ws.write_string(1, 0, "　　".join([f"填报单位：{stamp.unit}", f"统计截至：{today.isoformat()}", *stamp.lines]), f_sub)
    for j, h in enumerate(heads):
        ws.write_string(2, j, h, f_head)
    for i, it in enumerate(items):
        r = 3 + i
        ws.write_number(r, 0, i + 1, f_int)
        ws.write_string(r, 1, it.name, f_text)
        ws.write_string(r, 2, it.unit, f_text)
        if it.unit == "%" and not it.den:
            ws.write_string(r, 3, NO_RATE, f_none)
        elif it.unit == "%":
            ws.write_number(r, 3, (it.num or 0) / it.den, f_pct)
        elif it.unit == "万元":
            ws.write_number(r, 3, (it.num or 0) / 1_000_000, f_wan)
        else:
            ws.write_number(r, 3, int(it.value), f_int)
        ws.write_string(r, 4, it.definition + (f"；{it.note}" if it.note else ""), f_text)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 2, 6)
    ws.set_column(3, 3, 16)
    ws.set_column(4, 4, 70)
    _page(ws, len(items) + 3, len(heads))
    last = len(items) + 5
    ws.write_string(last, 0, "　　".join(f"{s}：" for s in SIGNERS), f_sub)

    ws2 = wb.add_worksheet("分专班")
    heads2 = ["专班", "问题数", "在办", "已办结", "逾期", "涉及人数", "欠薪金额（元）", "已兑付（元）", "未兑付（元）", "清偿率"]
    ws2.merge_range(0, 0, 0, len(heads2) - 1, f"{TITLE}（分专班）", f_title)
    ws2.write_string(1, 0, f"填报单位：{stamp.unit}　　统计截至：{today.isoformat()}", f_sub)
    for j, h in enumerate(heads2):
        ws2.write_string(2, j, h, f_head)
    rows = [(w.name, w.all.cases, w.open_cases, w.closed_cases, w.overdue, w.counted) for w in tot.workstreams]
    rows.append(("合计", tot.all.cases, tot.open_cases, tot.closed_cases, sum(w.overdue for w in tot.workstreams),
                 tot.counted))
    for i, (name, n, op, cl, od, c) in enumerate(rows):
        r = 3 + i
        ws2.write_string(r, 0, name, f_text)
        for j, v in enumerate((n, op, cl, od, c.workers), 1):
            ws2.write_number(r, j, v, f_int)
        for j, v in enumerate((c.owed_fen, c.paid_fen, c.outstanding_fen), 6):
            ws2.write_number(r, j, v / 100, f_yuan)
        if c.owed_fen:
            # the rate as its 口径 rounds it (models.figures.cleared_pct, one decimal), not Excel's own
            # rounding of the unrounded quotient: the cell holds 63.3%, never 63.26% or a 63.2 / 63.3 split
            ws2.write_number(r, 9, round(stats.pct(c.paid_fen, c.owed_fen), 1) / 100, f_cleared)
        else:                               # nothing owed: no rate (0.0% would read as nothing paid)
            ws2.write_string(r, 9, NO_RATE, f_none)
    ws2.set_column(0, 0, 24)
    ws2.set_column(1, 5, 9)
    ws2.set_column(6, 8, 17)
    ws2.set_column(9, 9, 9)
    _page(ws2, len(rows) + 3, len(heads2))
    wb.close()
    return path


def _page(ws, rows: int, cols: int) -> None:
    ws.freeze_panes(3, 0)
    ws.set_landscape()
    ws.set_paper(9)                 # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(2)
    ws.print_area(0, 0, rows, cols - 1)
    ws.set_footer("&C— &P —")
