"""The demo township's workstream targets, one certificate issued, two versions of a 工作方案 and a
通报 (issue 19, items 5–7), added to an already built township through the write services."""
from __future__ import annotations

import datetime as _dt

from models.db import Store

RAISING = ("国有资产处置专班", "宅基地处置专班", "产业发展专班", "项目资金及经费争取专班")


def _clear_employer(store: Store, today: _dt.date) -> str | None:
    """An employer whose every case is closed and paid (the one the demo's certificate is for)."""
    from models import certificates
    rows = store.query("SELECT employer_name, COUNT(*) AS n FROM case_record WHERE deleted_at IS NULL AND "
                       "employer_name != '' GROUP BY employer_name HAVING SUM(status IN ('待核实', '化解中')) = 0 "
                       "AND SUM(status = '已化解') > 0 ORDER BY n DESC, employer_name LIMIT 20")
    for r in rows:
        if certificates.review(store, today, r["employer_name"]).clear:
            return r["employer_name"]
    return None


def populate(store: Store, rng, today: _dt.date) -> dict:
    from models import campaign, certificates, documents
    from models.ledger.service import service_for
    camp = campaign.current(store)
    wss = campaign.workstreams(store)
    by_name = {w["name"]: w["id"] for w in wss}
    svc = service_for(store, "targets", today)
    targets = 0
    end = camp.end_date if camp else (today + _dt.timedelta(days=60)).isoformat()
    for w in wss:
        n_cases = store.scalar("SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND workstream_id = ?",
                               (w["id"],), 0)
        n_funds = store.scalar("SELECT COUNT(*) FROM fund WHERE deleted_at IS NULL AND workstream_id = ?",
                               (w["id"],), 0)
        if n_funds and w["name"] in RAISING:       # the fund-raising workstreams: money raised
            svc.insert({"workstream_id": w["id"], "due_on": end, "amount_basis": "筹措到位金额"})
        elif n_cases:
            svc.insert({"workstream_id": w["id"], "due_on": end, "amount_basis": "兑付金额"})
        else:
            continue
        targets += 1
    out: dict = {"targets": targets}
    employer = _clear_employer(store, today)
    if employer:
        _cid, row, _r = certificates.issue(store, today, employer, purpose="参加工程招投标", issued_by="办公室")
        out["certificate"] = row["cert_no"]
        out["certificate_employer"] = employer
    lead = by_name.get("欠薪化解专班")
    start = _dt.date.fromisoformat(camp.start_date) if camp else today - _dt.timedelta(days=60)
    title = "欠薪化解工作方案"
    plan = ("一、工作目标\n对排查出的欠薪问题逐件建立台账，明确包案责任人和办结时限，确保{sure}的问题在春节前化解，力争{strive}。\n"
            "二、工作措施\n（一）逐件核实欠薪事实和金额；（二）约谈欠薪单位，督促制定还款计划；（三）对拒不支付的依法移送。\n"
            "三、工作要求\n各包案责任人每周向专班报告进展，专班每周一向领导小组报告。")
    documents.add_version(store, today, kind="工作方案", title=title, workstream_id=lead,
                          dated=start + _dt.timedelta(days=3), doc_no="青欠专〔2026〕1号",
                          text=plan.format(sure="60%", strive="80%"))
    documents.add_version(store, today, kind="工作方案", title=title, workstream_id=lead,
                          dated=start + _dt.timedelta(days=31), doc_no="青欠专〔2026〕4号",
                          text=plan.format(sure="70%", strive="90%") + "\n四、调整说明\n根据第一阶段进展，提高确保和力争目标。",
                          notes="第一阶段后提高目标比例")
    documents.add_version(store, today, kind="通报", title="关于根治欠薪专项行动第一阶段工作情况的通报",
                          dated=start + _dt.timedelta(days=35), doc_no="第1期",
                          text="各工作专班：\n专项行动第一阶段，各专班按照工作方案要求，排查欠薪问题，建立工作台账。"
                               "欠薪化解专班按期完成第一阶段目标；个别专班日报告报送不及时，请限期整改。\n特此通报。")
    out["documents"] = 3
    return out
