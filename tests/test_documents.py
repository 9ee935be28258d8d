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


def test_page_lists_versions_and_registers_a_new_one(qtbot, campaign_store, tmp_path):
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    from views.documents.documents_page import DocumentsPage
    s = campaign_store
    ws = campaign.workstreams(s)[0]["id"]
    documents.add_version(s, TODAY, kind="工作方案", title="欠薪化解工作方案", workstream_id=ws, dated="2026-09-17",
                          text="一、工作目标\n确保60%，力争80%。")
    documents.add_version(s, TODAY, kind="通报", title="第一阶段工作情况通报", dated="2026-10-20", text="特此通报。")
    ctx = AppContext(store=s, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus(), today=lambda: TODAY)
    page = DocumentsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    assert page.table.rowCount() == 2
    row = next(i for i, r in enumerate(page.rows) if r["doc_kind"] == "工作方案")
    page.table.selectRow(row)
    assert "确保60%" in page.view.toPlainText() and "第1版" in page.history.text()
    page._no_exec = True
    dlg = page.open_dialog(page.current())
    assert not dlg.title.isEnabled() and dlg.title.text() == "欠薪化解工作方案"
    dlg.text.setPlainText("一、工作目标\n确保70%，力争90%。")
    dlg.notes.setText("提高目标")
    dlg.dated.setDate(dlg.dated.date().addDays(-10))
    dlg.save()
    assert dlg.new_id is not None and dlg.result() == dlg.DialogCode.Accepted
    assert page.table.rowCount() == 3
    texts = [page.table.item(i, 3).text() for i in range(3)]
    assert "第2版（现行）" in texts and "第1版" in texts
    vs = documents.versions(s, "工作方案", "欠薪化解工作方案", ws)
    assert [v["content"] for v in vs] == ["一、工作目标\n确保60%，力争80%。", "一、工作目标\n确保70%，力争90%。"]
    page.table.selectRow(next(i for i, r in enumerate(page.rows) if r["version"] == 2))
    page.show()
    qtbot.waitExposed(page)
    page.grab().save(str(tmp_path / "documents.png"))
    assert "第2版" in page.view.toPlainText() and "确保70%" in page.view.toPlainText()
    assert "第1版" in page.history.text() and "第2版" in page.history.text()
    empty = page.open_dialog(None)
    empty.title.setText("新方案")
    empty.save()
    assert "正文不能为空" in empty.error.text() and empty.new_id is None
