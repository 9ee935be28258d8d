"""月度 / 季度书面报告: the campaign's written report for a period, drawn from the ledgers for the
period, in the GB/T 9704 layout (``models.reports.official``), due by the 10th of the month after
the period (``due_date``).

一、总体情况 gives the headline figures at the end of the period (``models.figures`` as of the
last day); 二、本期工作 what the ledgers record within the period (cases registered and closed,
repayments, funds received and allocated, petitions, hazards, contract instalments repaid,
meetings, certificates issued); 三、专班目标完成情况 (``models.targets``); 四、下一步工作. Every
number of 二 is one SQL sum over its ledger's dated rows in the period (``period_figures``), which
the tests compare with the ledgers.
"""
from __future__ import annotations

import calendar
import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

from models.db import Store
from models.reports.result import ReportResult, ReportUnavailable

DUE_DAY = 10


def due_date(until: _dt.date) -> _dt.date:
    """The 10th of the month after the period's last day."""
    y, m = (until.year + 1, 1) if until.month == 12 else (until.year, until.month + 1)
    return _dt.date(y, m, DUE_DAY)


def month_span(d: _dt.date) -> tuple[_dt.date, _dt.date]:
    return d.replace(day=1), d.replace(day=calendar.monthrange(d.year, d.month)[1])


def quarter_span(d: _dt.date) -> tuple[_dt.date, _dt.date]:
    q0 = (d.month - 1) // 3 * 3 + 1
    end = _dt.date(d.year, q0 + 2, calendar.monthrange(d.year, q0 + 2)[1])
    return _dt.date(d.year, q0, 1), end


def kind_of(since: _dt.date, until: _dt.date) -> str:
    """月度 / 季度 / 阶段 (any other span)."""
    if (since, until) == month_span(since):
        return "月度"
    if (since, until) == quarter_span(since):
        return "季度"
    return "阶段"


def period_label(since: _dt.date, until: _dt.date) -> str:
    k = kind_of(since, until)
    if k == "月度":
        return f"{since.year}年{since.month}月"
    if k == "季度":
        return f"{since.year}年第{'一二三四'[(since.month - 1) // 3]}季度"
    return f"{since.year}年{since.month}月{since.day}日至{until.year}年{until.month}月{until.day}日"


def next_due_text(today: _dt.date) -> str:
    """The dashboard's hint: which 月报 is due next and by when (the 10th)."""
    last = today.replace(day=1) - _dt.timedelta(days=1)
    if today.day <= DUE_DAY:
        since, until = month_span(last)
        due = due_date(until)
        left = (due - today).days
        text = f"{period_label(since, until)}书面报告（月报）应于 {due.isoformat()} 前报送，还有 {left} 天"
        if until.month % 3 == 0:
            text += f"；{period_label(*quarter_span(until))}报告同期报送"
        return text + "。"
    since, until = month_span(today)
    return f"下一期月报（{period_label(since, until)}）应于 {due_date(until).isoformat()} 前报送。"


@dataclass
class PeriodFigures:
    new_cases: int = 0
    new_workers: int = 0
    new_owed_fen: int = 0
    closed_cases: int = 0
    resolved_cases: int = 0
    repaid_fen: int = 0
    repayments: int = 0
    funds_received_fen: int = 0
    funds_allocated_fen: int = 0
    petitions: int = 0
    petition_people: int = 0
    inspections: int = 0
    hazards_found: int = 0
    hazards_closed: int = 0
    contract_repaid_fen: int = 0
    meetings: int = 0
    certificates: int = 0

    def to_json(self) -> dict:
        return dict(self.__dict__)


def _has(store: Store, table: str) -> bool:
    return bool(store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)))


def period_figures(store: Store, since: _dt.date, until: _dt.date, today: _dt.date | None = None,
                   basis=None) -> PeriodFigures:
    """What the ledgers record within [since, until], each by its own date. The cases registered
    in the period are counted as they stood at its end (a case found 不存在欠薪 since still counts
    its workers and amount there), as section 一 counts the totals (``models.figures``' basis)."""
    from models.figures import case_source
    a, b = since.isoformat(), until.isoformat()
    nxt = (until + _dt.timedelta(days=1)).isoformat()
    f = PeriodFigures()
    src, src_params = (basis.src, basis.src_params) if basis is not None else \
        case_source(until if today is not None and until < today else None)
    r = store.one("SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.status != '不存在欠薪' THEN t.total_workers END), 0), "
                  "COALESCE(SUM(CASE WHEN t.status != '不存在欠薪' THEN t.total_owed_fen END), 0) "
                  f"FROM {src} t WHERE t.deleted_at IS NULL AND t.registered_on >= ? AND t.registered_on < ?",
                  (*src_params, a, nxt))
    f.new_cases, f.new_workers, f.new_owed_fen = (int(v) for v in r)
    # closed within the period: the case's last closing status change falls in it (办结日期 when no
    # log); for a period that has ended, as the cases stood at its end (one closed then and
    # reopened since still counts in it)
    if src == "case_record":
        r = store.one(
            "SELECT COUNT(*), COALESCE(SUM(c.status = '已化解'), 0) FROM case_record c WHERE c.deleted_at IS NULL "
            "AND c.status IN ('已化解', '已移送', '不存在欠薪') AND substr(COALESCE((SELECT MAX(l.changed_on) FROM "
            "case_status_log l WHERE l.case_id = c.id AND l.to_status = c.status), c.closed_on), 1, 10) "
            "BETWEEN ? AND ?", (a, b))
    else:
        r = store.one("SELECT COUNT(*), COALESCE(SUM(t.status = '已化解'), 0) FROM "
                      f"{src} t WHERE t.deleted_at IS NULL AND t.status IN ('已化解', '已移送', '不存在欠薪') "
                      "AND t.closed_on BETWEEN ? AND ?", (*src_params, a, b))
    f.closed_cases, f.resolved_cases = int(r[0]), int(r[1])
    r = store.one("SELECT COUNT(*), COALESCE(SUM(p.amount_fen), 0) FROM repayment p JOIN case_record c ON "
                  "c.id = p.case_id WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL AND p.paid_on >= ? "
                  "AND p.paid_on < ?", (a, nxt))
    f.repayments, f.repaid_fen = int(r[0]), int(r[1])
    if _has(store, "fund"):
        f.funds_received_fen = int(store.scalar("SELECT COALESCE(SUM(received_fen), 0) FROM fund WHERE deleted_at IS "
                                                "NULL AND received_on BETWEEN ? AND ?", (a, b), 0))
        f.funds_allocated_fen = int(store.scalar(
            "SELECT COALESCE(SUM(a.amount_fen), 0) FROM fund_allocation a JOIN fund f ON f.id = a.fund_id WHERE "
            "a.deleted_at IS NULL AND f.deleted_at IS NULL AND a.allocated_on BETWEEN ? AND ?", (a, b), 0))
    if _has(store, "petition"):
        r = store.one("SELECT COUNT(*), COALESCE(SUM(people_count), 0) FROM petition WHERE deleted_at IS NULL AND "
                      "visited_on BETWEEN ? AND ?", (a, b))
        f.petitions, f.petition_people = int(r[0]), int(r[1])
    if _has(store, "inspection"):
        r = store.one("SELECT COALESCE(SUM(inspected_on BETWEEN ? AND ?), 0), COALESCE(SUM(inspected_on BETWEEN ? "
                      "AND ? AND status != '无隐患'), 0), COALESCE(SUM(closed_on BETWEEN ? AND ?), 0) FROM inspection "
                      "WHERE deleted_at IS NULL", (a, b, a, b, a, b))
        f.inspections, f.hazards_found, f.hazards_closed = (int(v) for v in r)
    if _has(store, "contract_payment"):
        # each payment by its own date (an instalment paid twice keeps only its latest 实还日期)
        from models.ledgers.contract_arrears import REPAID_BETWEEN_SQL
        f.contract_repaid_fen = int(store.scalar(REPAID_BETWEEN_SQL, (a, b), 0))
    if _has(store, "meeting"):
        f.meetings = int(store.scalar("SELECT COUNT(*) FROM meeting WHERE deleted_at IS NULL AND date BETWEEN ? AND ?",
                                      (a, b), 0))
    if _has(store, "certificate"):
        f.certificates = int(store.scalar("SELECT COUNT(*) FROM certificate WHERE deleted_at IS NULL AND issued_on "
                                          "BETWEEN ? AND ?", (a, b), 0))
    return f


CC_SETTING = "reports.period_cc"
DEFAULT_CC = "县根治欠薪工作领导小组办公室"


def build(store: Store, out: str | Path, today: _dt.date, since: _dt.date, until: _dt.date) -> ReportResult:
    """The written report for [since, until] (``until`` no later than today)."""
    from models import campaign as campaigns, figures, targets
    import models.reports.official as O
    from models.reports.briefing import cn_date, target_table
    from models.reports.pdf_base import data_stamp, gap, org_name, wan
    if until < since:
        raise ReportUnavailable("报告期的结束日期不能早于开始日期")
    if until > today:
        raise ReportUnavailable(f"报告期结束日期 {until.isoformat()} 晚于今天（{today.isoformat()}），"
                                "报告期结束后才能报告该期情况")
    try:
        basis = figures.Basis(store, today, until)
    except figures.NotKnown as exc:
        raise ReportUnavailable(str(exc)) from exc
    f = figures.figures(store, today, basis=basis)
    pf = period_figures(store, since, until, today, basis=basis)
    prog = targets.progress(store, today, basis=basis)
    camp = campaigns.current(store)
    stamp = data_stamp(store, today)
    if until != today:
        stamp.warning_text = ""       # today's warnings do not belong to a past period
    org = org_name(stamp.unit or (camp.unit if camp else ""))
    office = f"{org}根治欠薪工作领导小组办公室"
    label, kind = period_label(since, until), kind_of(since, until)
    due = due_date(until)
    O.register_faces()
    W = O.WIDTH
    head = "工作报告" if kind == "阶段" else f"{kind}工作报告"
    story: list = [O.RedHeader(O.Masthead([f"根治欠薪{head}"], label, office, cn_date(today))), O.Blank(O.LEAD * 0.5)]
    story += O.title(f"{org}根治欠薪专项行动\n{label}工作情况的报告")
    story.append(O.Text("县根治欠薪工作领导小组办公室：", first_indent=0, role="plain"))
    span = "" if kind == "阶段" else f"（{cn_date(since)}至{cn_date(until)}）"     # a 阶段's label is its span
    story.append(O.body(f"现将{org}{label}{span}根治欠薪工作情况报告如下。"))
    story.append(O.note(f"报告期：{cn_date(since)}至{cn_date(until)}；累计数截至{cn_date(until)}日终。本报告应于"
                        f"{cn_date(due)}前报送。" + "".join(f"{ln.rstrip('。')}。" for ln in stamp.lines)))
    if not stamp.passed:
        story.append(O.alert("注意：本报告所用数据未通过一致性审核，请先核对台账。"))
    story += [O.heading(1, "一、总体情况"),
              O.body(f"截至{cn_date(until)}，累计登记欠薪问题 {f.cases:,} 件，已办结 {f.closed_cases:,} 件，在办 "
                     f"{f.open_cases:,} 件；涉及农民工 {f.workers:,} 人，欠薪 {wan(f.owed_fen)} 万元，已兑付 "
                     f"{wan(f.paid_fen)} 万元，未兑付 {wan(f.unpaid_fen)} 万元，"
                     f"{f'清偿率 {f.cleared_pct:.1f}%' if f.owed_fen else '尚无欠薪金额，清偿率无从计算'}；"
                     f"逾期未办结 {f.overdue:,} 件。"),
              O.heading(1, "二、本期工作"),
              O.heading(2, "（一）欠薪问题化解"),
              O.body(f"本期新登记欠薪问题 {pf.new_cases:,} 件，涉及农民工 {pf.new_workers:,} 人、欠薪 "
                     f"{wan(pf.new_owed_fen)} 万元；办结 {pf.closed_cases:,} 件，其中已化解 {pf.resolved_cases:,} 件；"
                     f"登记兑付 {pf.repayments:,} 笔，兑付农民工工资 {wan(pf.repaid_fen)} 万元。"),
              O.heading(2, "（二）资金筹措和工程款"),
              O.body(f"本期清欠资金到位 {wan(pf.funds_received_fen)} 万元，分配兑付 {wan(pf.funds_allocated_fen)} 万元；"
                     f"按还款计划收回拖欠工程款 {wan(pf.contract_repaid_fen)} 万元。"),
              O.heading(2, "（三）信访维稳和隐患排查"),
              O.body(f"本期登记信访 {pf.petitions:,} 件 {pf.petition_people:,} 人次；排查用人单位和工地 "
                     f"{pf.inspections:,} 家（处），发现欠薪隐患 {pf.hazards_found:,} 条，整改销号 {pf.hazards_closed:,} 条。"),
              O.heading(2, "（四）调度和证明"),
              O.body(f"本期召开调度会议 {pf.meetings:,} 次；出具清欠证明 {pf.certificates:,} 份。")]
    story.append(O.heading(1, "三、专班目标完成情况"))
    if prog.available:
        behind = sum(ln.actual < ln.sure for ln in prog.lines)
        story += [O.body(f"截至{cn_date(until)}，各专班目标 {len(prog.lines)} 项，已达到确保目标 "
                         f"{len(prog.lines) - behind} 项，未达到 {behind} 项。"), gap(1), target_table(prog, W)]
    else:
        story.append(O.body("尚未设置专班目标。"))
    story += [O.heading(1, "四、下一步工作"),
              O.body("坚持“一周一调度”工作机制，对未达到确保目标的专班逐项分析原因、倒排工期；对逾期未办结的问题"
                     "压实包案责任，跟踪督办，确保春节前欠薪问题动态清零。"),
              O.Blank(O.LEAD),
              O.Text(office, first_indent=0, align="right", role="plain"),
              O.Text(cn_date(today), first_indent=0, align="right", role="plain")]
    nxt_since = until + _dt.timedelta(days=1)
    story.append(O.note(f"下一期{'月报' if kind != '季度' else '季度报告'}应于"
                        f"{cn_date(due_date(month_span(nxt_since)[1] if kind != '季度' else quarter_span(nxt_since)[1]))}"
                        "前报送。"))
    cc = store.get_setting(CC_SETTING) or DEFAULT_CC
    story.append(O.ImprintBlock(O.Imprint(cc, office, today)))
    title_text = f"{org}根治欠薪{label}工作情况的报告"
    figs = {"period": pf.to_json(), "headline": {k: f.values[k] for k in ("cases", "closed_cases", "open_cases",
                                                                            "workers", "owed_fen", "paid_fen",
                                                                            "unpaid_fen", "cleared_pct")},
            "targets": [ln.to_json() for ln in prog.lines], "due": due.isoformat(), "kind": kind}
    out = Path(out)
    if out.suffix.lower() == ".docx":
        from models.reports.word import write_docx
        write_docx(story, out, title_text, office, official=True)
        return ReportResult(out, f"{kind}书面报告", 0, stamp.passed, stamp.check_text, figures=figs)
    doc = O.OfficialDoc(out, title_text, office, subject=stamp.line)
    doc.build(story)
    return ReportResult(out, f"{kind}书面报告", doc.page, stamp.passed, stamp.check_text, figures=figs)

