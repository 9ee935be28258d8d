"""What the 会议纪要 says (review_meet §19, §20): what each 专班 reported and the problems raised
reach the minutes (in the generated body, and in a body written without them); a 乡 says 全乡 /
乡政府, and a meeting with no host set still has a sentence that reads."""
from __future__ import annotations

import datetime as _dt

from models import campaign, meetings as M
from models.db import Store
from models.reports.minutes import build_minutes_pdf, default_body

D = _dt.date.fromisoformat
MON = D("2026-11-23")
REPORT = "本周新增受理欠薪问题2件，督促兑付农民工工资3.20万元"
PROBLEM = "个别企业负责人失联，清偿资金来源不确定"


def _flat(path) -> str:
    from pdftext import text_of
    return "".join(text_of(path).split())


def test_the_workstreams_reports_reach_the_minutes(campaign_store, tmp_path):
    s = campaign_store
    ws = campaign.workstreams(s)
    mid = M.create_meeting(s, MON, host="")
    M.save_report(s, mid, ws[0]["id"], REPORT, PROBLEM)
    M.save_report(s, mid, ws[3]["id"], "", "部分资产权属资料不全")
    M.freeze_reports(s, mid, MON)
    body = default_body(s, mid, MON)
    assert f"{ws[0]['name']}汇报：{REPORT}。存在的问题：{PROBLEM}。" in body
    assert "部分资产权属资料不全" in body
    text = _flat(build_minutes_pdf(s, mid, tmp_path / "a.pdf", MON))
    assert REPORT in text and PROBLEM in text
    # a body written by hand, without them: the reports are still printed, once
    M.update_meeting(s, mid, {"body": "11月23日上午，召开周调度会议。\n会议要求，各专班抓紧落实。"})
    text = _flat(build_minutes_pdf(s, mid, tmp_path / "b.pdf", MON))
    assert text.count(PROBLEM) == 1 and text.index(REPORT) < text.index("会议要求")
    # the generated body already has them: not printed twice
    M.update_meeting(s, mid, {"body": body})
    assert _flat(build_minutes_pdf(s, mid, tmp_path / "c.pdf", MON)).count(PROBLEM) == 1


def test_a_township_called_xiang_is_a_xiang_in_the_minutes(tmp_path):
    s = Store(tmp_path / "x.sqlite", "测试员")
    try:
        campaign.create_campaign(s, "2026年根治欠薪冬季专项行动", "青山县白云乡人民政府", D("2026-11-02"))
        mid = M.create_meeting(s, D("2026-11-16"))
        m = M.get_meeting(s, mid)
        assert m["place"] == "乡政府三楼会议室"
        agenda = M.agenda_text(M.agenda_for(s, mid, D("2026-11-16")), m)
        assert "全乡合计" in agenda and "全镇" not in agenda
        M.freeze_reports(s, mid, D("2026-11-16"))
        body = default_body(s, mid, D("2026-11-16"))
        assert "全乡新增欠薪问题" in body and "镇" not in body
        assert "，在乡政府三楼会议室召开白云乡根治欠薪工作领导小组第1期周调度会议" in body   # no host: no gap
        text = _flat(build_minutes_pdf(s, mid, tmp_path / "m.pdf", D("2026-11-16")))
        assert "乡根治欠薪工作领导小组各成员" in text and "镇根治欠薪" not in text
    finally:
        s.close()
