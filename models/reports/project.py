"""工程项目档案（一项目一档）as PDF or Word: the parties, the wage special account, the wage
deposit and payment guarantee, the dates and the 40-day settlement, 三册相符 month by month
(each disagreeing worker's row shaded and the disagreement named), the roster and the
project's cases. Drawn from ``models.projects.project_file``."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from models.reports.pdf_base import (LongTable, ReportDoc, close_with_signature, data_stamp, finish, gap, para,
                                     scale_widths, yuan)
from models.reports.result import ReportResult

TITLE = "工程项目档案"


def _money(fen) -> str:
    return f"{yuan(fen)} 元" if fen else "—"


def _pairs(items: list[tuple[str, str]], width: float) -> LongTable:
    """Label / value pairs, two to a row."""
    rows = []
    for i in range(0, len(items), 2):
        a = items[i]
        b = items[i + 1] if i + 1 < len(items) else ("", "")
        rows.append([a[0], a[1] or "—", b[0], b[1] or "—" if b[0] else ""])
    return LongTable(["项目", "内容", "项目", "内容"], rows, scale_widths([11, 25, 11, 25], width), "LLLL",
                     size=9, max_lines=3)


def month_rows(m) -> tuple[list[list[str]], list[int]]:
    """One month of 三册相符 as table rows, and the rows that disagree."""
    from models.rules.idcard import mask_id
    rows, shade = [], []
    for i, x in enumerate(m.lines):
        roster = "在册" if x.on_roster and x.on_site else ("不在进退场期间" if x.on_roster else "未在册")
        rows.append([x.name, mask_id(x.id_number) if x.id_number else "",
                     roster,
                     "—" if x.days_worked is None else str(x.days_worked),
                     "—" if x.days_paid is None else str(x.days_paid),
                     "—" if x.payable_fen is None else yuan(x.payable_fen),
                     "—" if x.paid_fen is None else yuan(x.paid_fen),
                     "；".join(x.problems.values()) or "相符"])
        if x.problems:
            shade.append(i)
    return rows, shade


MONTH_HEADER = ["姓名", "身份证号码", "花名册", "出勤天数", "计薪天数", "应发工资（元）", "实发工资（元）", "核对结果"]


def build(store, pid: int, out: Path, today: _dt.date) -> ReportResult:
    from models import projects as P
    f = P.project_file(store, pid, today)
    rec, dep, st = f["record"], f["deposit"], f["settlement"]
    stamp = data_stamp(store, today)
    doc = ReportDoc(out, TITLE, stamp)
    W = doc.width
    story = [para(f"{TITLE}（一项目一档）", "title"), para(rec["name"], "subtitle"),
             para(stamp.full, "note"), gap(2)]
    manager = rec["labor_manager"] + (f"（{rec['labor_manager_phone']}）" if rec["labor_manager_phone"] else "")
    story += [para("一、项目基本情况", "h2"), _pairs([
        ("项目名称", rec["name"]), ("建设单位", rec["owner_unit"]),
        ("施工总承包单位", rec["general_contractor"]), ("分包单位", rec["subcontractor"]),
        ("劳资专管员", manager), ("项目地址", rec["address"]),
        ("合同价款", _money(rec["contract_fen"])), ("政府投资项目", "是" if rec["gov_invested"] else "否"),
    ], W)]
    story += [para("二、农民工工资专用账户与工资保证金", "h2"), _pairs([
        ("专户开户银行", rec["wage_bank"]), ("专户账号", rec["wage_account"]),
        ("保证金比例", f"{dep['rate_pct']:g}%"), ("应存保证金", _money(dep["due_fen"])),
        ("已存保证金", _money(dep["kept_fen"])), ("存储方式", rec["deposit_form"]),
        ("存储日期", rec["deposit_on"] or ""), ("工程款支付担保",
                                           (rec["guarantee_form"] or "") + (f" {_money(rec['guarantee_fen'])}"
                                                                            if rec["guarantee_fen"] else "")),
    ], W), gap(1), para(P.deposit_text(dep), "alert" if dep["short_fen"] else "plain")]
    story += [para("三、工期与结算", "h2"), _pairs([
        ("开工日期", rec["started_on"] or ""), ("竣工验收日期", rec["completed_on"] or ""),
        ("结算期限", st["due"] or ""), ("结算日期", rec["settled_on"] or ""),
        ("结算金额", _money(rec["settlement_fen"])), ("结算情况", st["state"]),
    ], W), gap(1), para(P.settlement_text(st), "alert" if st["state"] == "逾期未结算" else "plain")]
    months = f["months"]
    bad = [m for m in months if not m.agrees]
    story.append(para("四、三册相符（花名册、考勤表、工资发放表逐月核对）", "h2"))
    if not months:
        story.append(para("尚未导入考勤表和工资发放表。", "note"))
    else:
        story.append(para(f"共核对 {len(months)} 个月，" + (f"{len(bad)} 个月不符（{'、'.join(m.month for m in bad)}），"
                                                         "不符的人员行加底色标出。" if bad else "逐月相符。"),
                          "alert" if bad else "plain"))
    for m in months:
        t = m.totals()
        story += [gap(1.5), para(f"{m.month}：{'相符' if m.agrees else '不符'}　{t['workers']} 人，出勤 {t['days_worked']} 天，"
                                 f"计薪 {t['days_paid']} 天，实发 {yuan(t['paid_fen'])} 元", "plain" if m.agrees else "alert")]
        rows, shade = month_rows(m)
        story.append(LongTable(MONTH_HEADER, rows, scale_widths([6, 15, 7, 6, 6, 10, 10, 20], W), "LLCRRRRL",
                               size=8, max_lines=3, shade=shade))
    story.append(para(f"五、农民工花名册（{len(f['roster'])} 人）", "h2"))
    if f["roster"]:
        from models.rules.idcard import mask_id
        story.append(LongTable(["姓名", "身份证号码", "班组", "工种", "进场日期", "退场日期", "劳动合同"],
                               [[r["name"], mask_id(r["id_number"]) if r["id_number"] else "", r["team"], r["trade"],
                                 r["entered_on"] or "", r["left_on"] or "", "已签" if r["contract_signed"] else "未签"]
                                for r in f["roster"]],
                               scale_widths([6, 15, 10, 7, 9, 9, 6], W), "LLLLCCC", size=8, max_lines=2))
    else:
        story.append(para("尚未登记花名册。", "note"))
    story.append(para(f"六、本项目的欠薪问题（{len(f['cases'])} 件）", "h2"))
    if f["cases"]:
        story.append(LongTable(["编号", "用人单位", "办理状态", "未付金额（元）"],
                               [[c["case_no"], c["employer_name"], c["status"], yuan(c["outstanding_fen"])]
                                for c in f["cases"]], scale_widths([14, 24, 8, 12], W), "LLCR", size=8.5))
    else:
        story.append(para("无。", "note"))
    close_with_signature(story, W * 0.9, ("劳资专管员", "审核人", "日期"))
    pages = finish(doc, story)
    return ReportResult(Path(out), f"{TITLE}（{rec['name']}）", pages, stamp.passed, stamp.check_text)
