"""工作方案 / 通报 as dated, versioned documents: a new version never overwrites the old one."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import campaign, documents
from models.ledger.repo import ValidationError
from models.ledger.service import service_for

TODAY = _dt.date(2026, 11, 26)


def test_versions_are_kept(campaign_store, tmp_path):
    s = campaign_store
    ws = campaign.workstreams(s)[0]["id"]
    a = documents.add_version(s, TODAY, kind="工作方案", title="欠薪化解工作方案", workstream_id=ws,
                              dated="2026-09-17", text="第一版：确保60%，力争80%。")
    f = tmp_path / "v2.txt"
    f.write_text("第二版：确保70%，力争90%。", encoding="utf-8")
    b = documents.add_version(s, TODAY, kind="工作方案", title="欠薪化解工作方案", workstream_id=ws,
                              dated="2026-10-15", file=f)
    other = documents.add_version(s, TODAY, kind="通报", title="第一阶段工作情况通报", dated="2026-10-20",
                                  text="特此通报。")
    vs = documents.versions(s, "工作方案", "欠薪化解工作方案", ws)
    assert [(v["id"], v["version"], v["content"]) for v in vs] == [
        (a, 1, "第一版：确保60%，力争80%。"), (b, 2, "第二版：确保70%，力争90%。")]
    assert vs[1]["file_name"] == "v2.txt"
    assert s.scalar("SELECT version FROM work_document WHERE id = ?", (other,)) == 1
    svc = service_for(s, "documents", TODAY)
    with pytest.raises(ValidationError, match="已登记的版本不能修改"):
        svc.update(a, {"content": "改过的"})
    svc.update(a, {"notes": "已被第二版取代"})            # a note on an old version is allowed
    assert s.scalar("SELECT content FROM work_document WHERE id = ?", (a,)) == "第一版：确保60%，力争80%。"
    # a version in the recycle bin keeps its number: the next is 3, never a second 2
    svc.recycle([b])
    c = documents.add_version(s, TODAY, kind="工作方案", title="欠薪化解工作方案", workstream_id=ws,
                              dated="2026-11-01", text="第三版")
    assert s.scalar("SELECT version FROM work_document WHERE id = ?", (c,)) == 3


def test_refusals(campaign_store, tmp_path):
    with pytest.raises(documents.DocumentProblem, match="正文不能为空"):
        documents.add_version(campaign_store, TODAY, kind="通报", title="x", dated="2026-10-01")
    with pytest.raises(documents.DocumentProblem, match="文件种类"):
        documents.add_version(campaign_store, TODAY, kind="通知", title="x", dated="2026-10-01", text="y")
    bad = tmp_path / "a.xls"
    bad.write_bytes(b"x")
    with pytest.raises(documents.DocumentProblem, match="只能读取"):
        documents.add_version(campaign_store, TODAY, kind="通报", title="x", dated="2026-10-01", file=bad)
