"""The 证据材料 pane: the list of a record's attachments, an image scaled into the preview, a PDF's
pages rendered, a missing or altered file shown as such, and 添加 / 移除 / 另存为; the case detail
pane holds one for the case and one for the selected repayment."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from conftest import TODAY
from models import attachments as att
from models.db import Store
from models.demo.attachments import commitment_pdf, receipt_png
from models.prefs import Prefs
from views.context import AppContext, DataBus

SHOTS = Path(os.environ.get("QQ_SHOTS", "")) if os.environ.get("QQ_SHOTS") else None


@pytest.fixture
def ctx(demo_db, tmp_path, app_font):
    store = Store(demo_db, "测试")
    yield AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus(), today=lambda: TODAY)
    store.close()


def _files(tmp_path: Path) -> tuple[Path, Path]:
    png = tmp_path / "付款回单.png"
    png.write_bytes(receipt_png("8000.00", "2026-11-20"))
    pdf = commitment_pdf(tmp_path / "还款计划.pdf", "分 期 还 款 计 划", "青山建工有限公司",
                         ["第一期：十日内支付 40%；", "第二期：二十日内支付 30%；", "第三期：三十日内付清余款。"], "2026-11-20")
    return png, pdf


def _shot(widget, name: str) -> None:
    if SHOTS is not None:
        from PySide6.QtWidgets import QApplication
        QApplication.processEvents()            # the layout of what was just set, as a user sees it
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / name))


def test_pane_lists_previews_and_adds(ctx, qtbot, tmp_path):
    from views.attachments.attachments_pane import AttachmentsPane
    png, pdf = _files(tmp_path)
    cid = ctx.store.scalar("SELECT MIN(id) FROM case_record WHERE deleted_at IS NULL")
    pane = AttachmentsPane(ctx)
    qtbot.addWidget(pane)
    pane.resize(900, 520)
    pane.show()
    assert not pane.add_button.isEnabled() and "选中一条记录后" in pane.preview.text()
    pane.set_record("case_record", cid)
    assert pane.add_button.isEnabled() and pane.list.count() == 0 and "还没有附件" in pane.preview.text()
    with qtbot.waitSignal(pane.changed):
        assert pane.add_file(png, "付款凭证", "银行回单") is not None
    assert pane.list.count() == 1 and "付款凭证" in pane.list.item(0).text()
    pix = pane.preview_pixmap()
    assert not pix.isNull() and pix.width() <= pane.scroll.viewport().width()     # scaled into the pane
    pane.add_file(pdf, "还款计划")
    assert pane.list.count() == 2 and pane.list.currentRow() == 1               # the new one is shown
    assert pane.page_count() == 1 and not pane.preview_pixmap().isNull()
    assert pane.preview_pixmap().width() > 300                                  # a page, rendered
    assert "共 2 份" in pane.count_label.text()
    _shot(pane, "attachments_pane.png")
    # 另存为: the checked content
    pane.list.setCurrentRow(0)
    out = pane.save_to(tmp_path / "另存.png")
    assert out.read_bytes() == png.read_bytes()


def test_pane_refuses_a_wrong_file_in_one_message(ctx, qtbot, tmp_path, monkeypatch):
    from views.attachments.attachments_pane import AttachmentsPane
    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: said.append((title, text)))
    cid = ctx.store.scalar("SELECT MIN(id) FROM case_record WHERE deleted_at IS NULL")
    pane = AttachmentsPane(ctx)
    qtbot.addWidget(pane)
    pane.set_record("case_record", cid)
    bad = tmp_path / "回单.pdf"
    bad.write_bytes(receipt_png("1", "2026-01-01"))
    assert pane.add_file(bad, "付款凭证") is None
    assert said and said[0][0] == "不能添加附件" and "与其内容（PNG 图片）不符" in said[0][1]
    assert pane.list.count() == 0


def test_a_missing_or_altered_file_is_shown_as_such(ctx, qtbot, tmp_path):
    from views.attachments.attachments_pane import AttachmentsPane
    png, pdf = _files(tmp_path)
    cid = ctx.store.scalar("SELECT MIN(id) FROM case_record WHERE deleted_at IS NULL")
    a = att.attach(ctx.store, png, "case_record", cid, evidence="付款凭证", today=TODAY)
    b = att.attach(ctx.store, pdf, "case_record", cid, evidence="还款计划", today=TODAY)
    folder = att.files_dir(ctx.store.path)
    att.blob_path(folder, att.get(ctx.store, a)["sha256"]).write_bytes(b"\x89PNG\r\n\x1a\nchanged")
    att.blob_path(folder, att.get(ctx.store, b)["sha256"]).unlink()
    pane = AttachmentsPane(ctx)
    qtbot.addWidget(pane)
    pane.resize(900, 520)
    pane.show()
    pane.set_record("case_record", cid)
    assert "〔文件已被改动〕" in pane.list.item(0).text() and "〔文件缺失〕" in pane.list.item(1).text()
    assert "2 份文件缺失或已被改动" in pane.count_label.text()
    assert "文件已被改动" in pane.preview.text() and pane.preview_pixmap().isNull()
    pane.list.setCurrentRow(1)
    assert "文件缺失" in pane.preview.text()
    _shot(pane, "attachments_pane_damaged.png")


def test_remove_takes_it_off_the_list(ctx, qtbot, tmp_path):
    from views.attachments.attachments_pane import AttachmentsPane
    png, _pdf = _files(tmp_path)
    cid = ctx.store.scalar("SELECT MIN(id) FROM case_record WHERE deleted_at IS NULL")
    att.attach(ctx.store, png, "case_record", cid, evidence="付款凭证", today=TODAY)
    pane = AttachmentsPane(ctx)
    qtbot.addWidget(pane)
    pane.set_record("case_record", cid)
    pane.remove_selected(confirm=False)
    assert pane.list.count() == 0 and att.for_record(ctx.store, "case_record", cid) == []


def test_case_detail_shows_the_case_files_and_the_selected_repayment_proof(ctx, qtbot, tmp_path):
    from views.case_detail import CaseDetail
    png, pdf = _files(tmp_path)
    r = ctx.store.one("SELECT id, case_id FROM repayment WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    att.attach(ctx.store, pdf, "case_record", r["case_id"], evidence="还款计划", today=TODAY)
    att.attach(ctx.store, png, "repayment", r["id"], evidence="付款凭证", today=TODAY)
    detail = CaseDetail(ctx)
    qtbot.addWidget(detail)
    detail.resize(1366, 520)
    detail.show()
    detail.show_case(r["case_id"])
    assert detail.tabText(detail.files_tab) == "证据材料（1）"
    assert detail.files.list.count() == 1 and detail.files.page_count() == 1
    detail.setCurrentIndex(detail.files_tab)
    _shot(detail, "case_detail_files.png")
    row = next(i for i in range(detail.pay_model.rowCount()) if detail.pay_model.id_at(i) == r["id"])
    detail.pay_table.setCurrentIndex(detail.pay_model.index(row, 0))
    assert detail.pay_files.record_id == r["id"] and detail.pay_files.list.count() == 1
    assert "付款凭证" in detail.pay_files.list.item(0).text()
    assert detail.pay_files.default_evidence == "付款凭证"
    detail.setCurrentIndex(2)
    _shot(detail, "case_detail_repayment_proof.png")
    detail.show_case(None)
    assert detail.files.list.count() == 0 and not detail.files.add_button.isEnabled()


def test_a_pdf_of_several_pages_is_read_page_by_page(ctx, qtbot, tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    from views.attachments.attachments_pane import AttachmentsPane
    path = tmp_path / "签领表.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for i in range(3):
        c.setFillGray(0.2 * i)
        c.rect(50, 50, 400, 600, fill=1)
        c.showPage()
    c.save()
    cid = ctx.store.scalar("SELECT MIN(id) FROM case_record WHERE deleted_at IS NULL")
    att.attach(ctx.store, path, "case_record", cid, evidence="付款凭证", today=TODAY)
    pane = AttachmentsPane(ctx)
    qtbot.addWidget(pane)
    pane.resize(900, 520)
    pane.show()
    pane.set_record("case_record", cid)
    assert pane.page_count() == 3 and pane.page_label.text() == "第 1 / 3 页"
    assert not pane.prev_button.isEnabled() and pane.next_button.isEnabled()
    first = pane.preview_pixmap().toImage()
    pane.next_button.click()
    pane.next_button.click()
    assert pane.page_label.text() == "第 3 / 3 页" and not pane.next_button.isEnabled()
    assert pane.preview_pixmap().toImage() != first          # another page drawn
