"""一企一策 printout: one employer's page (models.employers.employer_page) as PDF, or Word when
the path ends in .docx — the employer, its arrears in figures, its cases, contract arrears and
repayment plans, blacklist status, inspections and hazards, petitions, advances and their
recovery, and its 一企一策 measures, closed with the signature lines."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from models.db import Store
from models.reports.result import ReportResult


def _dash(v) -> str:
    return "—" if v in (None, "") else str(v)


def build(store: Store, out: Path, employer_id: int, today: _dt.date, job=None) -> ReportResult:
    from models.employers import employer_page
    from models.reports.briefing import cn_date
    from models.reports.pdf_base import (LongTable, ReportDoc, close_with_signature, data_stamp, finish, gap,
                                         key_figures, para, scale_widths, yuan)
    out = Path(out)
    if job:
        job.progress(0, 3, "正在审核数据…")
    stamp = data_stamp(store, today)
    page = employer_page(store, employer_id, today)
    e, t = page["employer"], page["totals"]
    title = f"一企一策工作台账（{e['name']}）"
    doc = ReportDoc(out, title, stamp)
    W = doc.width
    if job:
        job.progress(1, 3, "正在汇总该单位的台账…")
    story = [para("一企一策工作台账", "title"), para(e["name"], "subtitle"),
             para(f"统一社会信用代码：{_dash(e['credit_code'])}　　法定代表人：{_dash(e['legal_person'])}　　"
                  f"联系电话：{_dash(e['phone'])}", "plain"),
             para(f"地址：{_dash(e['address'])}　　截至：{cn_date(today)}　　失信名单：{page['blacklist_status']}", "plain"),
             para(stamp.full, "note"), gap(2),
             key_figures([("欠薪问题", f"{t['cases']} 件"), ("涉及农民工", f"{t['workers']} 人"),
                          ("拖欠工资", f"{yuan(t['owed_fen'])} 元"), ("已支付", f"{yuan(t['paid_fen'])} 元"),
                          ("尚未支付", f"{yuan(t['outstanding_fen'])} 元"),
                          ("涉及拖欠工程款", f"{yuan(page['contract_owed_fen'])} 元"),
                          ("垫付待追回", f"{yuan(page['advance_outstanding_fen'])} 元"),
                          ("未销号隐患", f"{page['open_hazards']} 条")], W), gap(2)]

    def section(head: str, header: list[str], rows: list[list], widths: list[float], aligns: str,
                total: list | None = None) -> None:
        story.append(para(head, "h2"))
        if rows:
            story.append(LongTable(header, rows, scale_widths(widths, W), aligns, size=8, max_lines=3, total=total))
        else:
            story.append(para("无。", "note"))

    cases = page["cases"]
    section(f"一、欠薪问题（{t['cases']} 件）",
            ["编号", "登记日期", "项目", "人数", "拖欠金额（元）", "已支付（元）", "尚未支付（元）", "状态", "包案责任人"],
            [[c["case_no"], c["registered_on"], c["project_name"] or "", str(c["total_workers"] or 0),
              yuan(c["owed_fen"]), yuan(c["paid_fen"]), yuan(c["outstanding_fen"]), c["status"], c["owner_person"] or ""]
             for c in cases], [13, 9, 16, 5, 11, 11, 11, 8, 7], "LLLRRRRLL",
            total=["合计" + ("（不含经核实不存在欠薪的）" if t["counted_cases"] < t["cases"] else ""), "", "",
                   str(t["workers"]), yuan(t["owed_fen"]), yuan(t["paid_fen"]),
                   yuan(t["outstanding_fen"]), "", ""] if cases else None)
    rows = []
    for c in page["contracts"]:
        rows.append([c["arrear_no"], c["project_name"], c["role"], yuan(c["contract_fen"]), yuan(c["paid_fen"]),
                     yuan(c["owed_fen"]), c["status"],
                     "；".join(f"第{i['seq']}期 {i['due_on']} {yuan(i['amount_fen'])}元"
                              + (f"（已还 {yuan(i['paid_amount_fen'])}）" if i["paid_amount_fen"] else "")
                              for i in c["instalments"]) or "未定计划"])
    section(f"二、拖欠工程款及还款计划（{len(rows)} 笔）",
            ["编号", "项目", "身份", "合同金额（元）", "已付（元）", "拖欠（元）", "化解情况", "分期还款计划"],
            rows, [8, 14, 6, 11, 11, 11, 7, 26], "LLLRRRLL")
    section(f"三、失信联合惩戒名单（{page['blacklist_status']}）",
            ["上报日期", "列入日期", "期满日期", "移出日期", "状态", "列入事由"],
            [[_dash(b["reported_on"]), _dash(b["listed_on"]), _dash(b["removal_due"]), _dash(b["removed_on"]),
              b["status"], b["reason"]] for b in page["blacklist"]], [9, 9, 9, 9, 8, 36], "LLLLLL")
    section(f"四、隐患排查（{len(page['inspections'])} 次，未销号 {page['open_hazards']} 条）",
            ["编号", "排查日期", "整改状态", "发现隐患", "整改时限", "销号日期"],
            [[i["insp_no"], i["inspected_on"], i["status"], i["hazard"] or "—", _dash(i["rectify_by"]),
              _dash(i["closed_on"])] for i in page["inspections"]], [8, 9, 7, 38, 9, 9], "LLLLLL")
    section(f"五、信访（{len(page['petitions'])} 件）",
            ["来访日期", "来访人", "人数", "形式", "反映问题", "关联问题", "办理结果"],
            [[p["visited_on"], p["petitioner"], str(p["people_count"] or ""), p["channel"] or "", p["demand"] or "",
              p["case_no"] or "", p["result"] or ""] for p in page["petitions"]], [9, 7, 4, 7, 30, 13, 8], "LLRLLLL")
    adv = page["advances"]
    section(f"六、垫付及追偿（{len(adv)} 笔）",
            ["垫付编号", "资金来源", "问题编号", "垫付日期", "垫付金额（元）", "已追回（元）", "尚未追回（元）", "状态"],
            [[a["advance_no"], a["source"] + (f" {a['fund_no']}" if a["fund_no"] else ""), a["case_no"] or "",
              a["advanced_on"], yuan(a["amount_fen"]), yuan(a["recovered_fen"]), yuan(a["outstanding_fen"]),
              a["status"]] for a in adv], [10, 15, 13, 9, 11, 11, 11, 7], "LLLLRRRL",
            total=["合计", "", "", "", yuan(page["advance_fen"]), yuan(page["advance_recovered_fen"]),
                   yuan(page["advance_outstanding_fen"]), ""] if adv else None)
    section(f"七、一企一策措施（{len(page['plans'])} 项）",
            ["序号", "化解措施", "责任人", "开始日期", "完成时限", "进度", "进展情况", "状态"],
            [[str(n), p["measure"], p["responsible"], _dash(p["start_on"]), _dash(p["due_on"]),
              f"{p['progress_pct'] or 0}%", p["progress"] or "",
              p["status"] + ("（逾期）" if p["overdue"] else "")] for n, p in enumerate(page["plans"], 1)],
            [4, 30, 7, 9, 9, 5, 24, 9], "RLLLLRLL")
    story.append(gap(4))
    close_with_signature(story, W * 0.9)
    if job:
        job.progress(2, 3, "正在生成文件…")
    pages = finish(doc, story)
    if job:
        job.progress(3, 3, f"{title}已生成")
    return ReportResult(out, title, pages, stamp.passed, stamp.check_text)
