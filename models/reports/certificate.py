"""清欠审查证明 / 兑付证明 as a document: the certificate the office issues for an employer (or one
of its projects) as of a day, with its number from the register (``models.certificates``), the
cases cleared and the money paid, in the official layout (``models.reports.official``).

``build`` registers the certificate and writes it; while arrears remain, for a name no ledger
knows, or for a day a later-registered case contradicts, it writes nothing and raises
``ReportUnavailable`` with the refusal line. Like every report it says whether its data passed
the consistency checks (数据审核), on the page and in its result."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from models.db import Store
from models.reports.result import ReportResult, ReportUnavailable

CASE_CAP = 40


def build(store: Store, out: str | Path, today: _dt.date, employer: str = "", project: str = "", *,
          as_of: _dt.date | None = None, kind: str = "清欠审查证明", purpose: str = "") -> ReportResult:
    from models import certificates
    try:
        review = certificates.review(store, today, employer, project, as_of)
        if not review.clear:
            raise certificates.Refused(review.refusal())
        cid, row, review = certificates.issue(store, today, employer, project, as_of=as_of, kind=kind,
                                              purpose=purpose)
    except certificates.Refused as exc:
        raise ReportUnavailable(str(exc)) from exc
    try:
        from models.reports.pdf_base import data_stamp
        return write(store, out, row, review, data_stamp(store, today))   # the data with the certificate in it
    except Exception:
        # the file could not be written: the number stays registered (never reused) but is marked
        from models.ledger.service import service_for
        with store.tx(label="证明文件未能写出"):           # a register of no workstream: no lock to open
            service_for(store, "certificates", today).recycle([cid])
        raise


def write(store: Store, out: str | Path, row: dict, review, stamp=None) -> ReportResult:
    """The certificate ``row`` (a register row) and its ``review`` as a PDF or Word file;
    ``stamp``: the data check's result (``pdf_base.data_stamp``, taken on the issuing day when
    not given), printed as the page's last line."""
    import models.reports.official as O
    from models import campaign as campaigns
    from models.reports.briefing import cn_date
    from models.reports.pdf_base import LongTable, data_stamp, gap, org_name, scale_widths, yuan
    O.register_faces()
    if stamp is None:
        stamp = data_stamp(store, _dt.date.fromisoformat(row["issued_on"]))
    camp = campaigns.current(store)
    org = org_name(camp.unit if camp else "")
    office = f"{org}根治欠薪工作领导小组办公室"
    as_of = _dt.date.fromisoformat(row["as_of"])
    issued = _dt.date.fromisoformat(row["issued_on"])
    W = O.WIDTH
    story: list = [O.Blank(O.LEAD)]
    story += O.title(row["cert_kind"])
    story.append(O.Text(f"{row['cert_no']}", first_indent=0, align="right", role="plain"))
    story.append(O.Blank(O.LEAD * 0.5))
    who = review.who
    counted = review.counted
    if counted:
        story.append(O.body(
            f"经查{org}欠薪问题台账、拖欠工程款台账，截至{cn_date(as_of)}，{who}在本{org[-1:] or '镇'}登记的欠薪问题 "
            f"{len(review.cases)} 件均已办结，涉及农民工 {review.workers:,} 人，应付工资 {yuan(review.owed_fen)} 元，"
            f"已全部兑付（已兑付 {yuan(review.paid_fen)} 元）；{'该项目' if review.project else '该单位'}无未化解的欠薪问题，无尚欠的工程款。"))
    else:
        story.append(O.body(
            f"经查{org}欠薪问题台账、拖欠工程款台账，截至{cn_date(as_of)}，{who}在本{org[-1:] or '镇'}无欠薪问题登记，"
            "无尚欠的工程款。"))
    story.append(O.body("特此证明。" + (f"（用途：{row['purpose']}）" if row.get("purpose") else "")))
    if counted:
        story += [gap(2), O.Text("已化解欠薪问题明细", O.HEI, first_indent=0, align="centre", role="h3")]
        body = [[str(i), c["case_no"], c["project_name"] or "—", c["status"], f"{c['workers'] or 0:,}",
                 yuan(c["owed_fen"]), yuan(c["paid_fen"]), c["closed_on"] or ""]
                for i, c in enumerate(counted[:CASE_CAP], 1)]
        story.append(LongTable(["序号", "问题编号", "项目名称", "状态", "人数", "应付（元）", "已兑付（元）", "办结日期"],
                               body, scale_widths([4, 14, 20, 6, 5, 11, 11, 9], W), "CLLCRRRC", size=8.5,
                               total=["合计", "", "", "", f"{review.workers:,}", yuan(review.owed_fen),
                                      yuan(review.paid_fen), ""]))
        if len(counted) > CASE_CAP:
            story.append(O.note(f"共 {len(counted)} 件，以上列出前 {CASE_CAP} 件。"))
    story += [O.Blank(O.LEAD * 1.5),
              O.Text(f"{office}（盖章）", first_indent=0, align="right", role="plain"),
              O.Text(cn_date(issued), first_indent=0, align="right", role="plain"),
              O.Blank(O.LEAD * 0.5),
              O.note(f"说明：本证明依据截至{cn_date(as_of)}日终的台账记录出具，只证明该日以前的情况；"
                     f"证明编号 {row['cert_no']} 已登记于清欠证明登记簿，可向{office}核实。"),
              # whether the data passed the checks, as every report says it; red when they did not
              (O.note if stamp.passed else O.alert)(stamp.check_text)]
    title_text = f"{row['cert_kind']}（{row['cert_no']}）"
    out = Path(out)
    figs = {"cert_no": row["cert_no"], "cases": len(counted), "workers": review.workers, "paid_fen": review.paid_fen}
    if out.suffix.lower() == ".docx":
        from models.reports.word import write_docx
        write_docx(story, out, title_text, office, official=True)
        return ReportResult(out, row["cert_kind"], 0, stamp.passed, stamp.check_text, figures=figs)
    doc = O.OfficialDoc(out, title_text, office, subject=stamp.line)
    doc.build(story)
    return ReportResult(out, row["cert_kind"], doc.page, stamp.passed, stamp.check_text, figures=figs)


def refuse_if_owing(store: Store, today: _dt.date, employer: str, project: str = "",
                    as_of: _dt.date | None = None) -> None:
    """``ReportUnavailable`` with the refusal line while arrears remain (nothing written)."""
    from models import certificates
    try:
        r = certificates.review(store, today, employer, project, as_of)
    except certificates.Refused as exc:
        raise ReportUnavailable(str(exc)) from exc
    if not r.clear:
        raise ReportUnavailable(r.refusal())
