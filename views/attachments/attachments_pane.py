"""证据材料 of one record: the list of its attachments, a preview (an image scaled to the pane,
a PDF's pages rendered with pypdfium2) and 添加 / 移除 / 另存为. Any detail pane can hold one:

    pane = AttachmentsPane(ctx, parent)
    pane.set_record("case_record", case_id)         # or ("repayment", repayment_id), None to clear

A file that is gone from the folder, or whose content no longer matches its SHA-256, is listed
in red as 文件缺失 / 文件已被改动 and its preview says so; it is never shown as if whole.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPixmap
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QPushButton,
                               QScrollArea, QSplitter, QVBoxLayout, QWidget)

from models import attachments as att
from views.context import AppContext

FILTER = "证据材料 (*.jpg *.jpeg *.png *.gif *.bmp *.tif *.tiff *.webp *.pdf *.docx *.doc *.xlsx *.xls *.wps *.et)"


class AddDialog(QDialog):
    """材料类别 and 备注 of a file being attached."""

    def __init__(self, parent, file_name: str, evidence: str = "其他") -> None:
        super().__init__(parent)
        self.setWindowTitle("添加证据材料")
        form = QFormLayout(self)
        form.addRow("文件", QLabel(file_name))
        self.kind = QComboBox()
        self.kind.addItems(att.EVIDENCE_KINDS)
        self.kind.setCurrentText(evidence)
        form.addRow("材料类别", self.kind)
        self.note = QLineEdit()
        self.note.setPlaceholderText("如：银行代发工资回单、用人单位签字盖章")
        form.addRow("备注", self.note)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText("添加")
        box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)


class AttachmentsPane(QWidget):
    """List + preview + 添加 / 移除 / 另存为 for the attachments of one record."""
    changed = Signal()

    def __init__(self, ctx: AppContext, parent=None, *, default_evidence: str = "其他") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.table: str | None = None
        self.record_id: int | None = None
        self.default_evidence = default_evidence
        self.rows: list[dict] = []
        self.states: dict[int, str] = {}
        self._pdf = None
        self._page = 0
        self._image: QImage | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.add_button = QPushButton("添加附件…")
        self.remove_button = QPushButton("移除")
        self.save_button = QPushButton("另存为…")
        self.add_button.clicked.connect(self.choose_and_add)
        self.remove_button.clicked.connect(self.remove_selected)
        self.save_button.clicked.connect(self.save_selected)
        for b in (self.add_button, self.remove_button, self.save_button):
            bar.addWidget(b)
        self.count_label = QLabel()
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        outer.addLayout(bar)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.list = QListWidget()
        self.list.setMinimumWidth(220)
        self.list.currentRowChanged.connect(self._show_current)
        split.addWidget(self.list)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        rl.addWidget(self.caption)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setWordWrap(True)
        self.scroll.setWidget(self.preview)
        self.scroll.viewport().installEventFilter(self)
        rl.addWidget(self.scroll, 1)
        nav = QHBoxLayout()
        self.prev_button = QPushButton("上一页")
        self.next_button = QPushButton("下一页")
        self.page_label = QLabel()
        self.prev_button.clicked.connect(lambda: self.show_page(self._page - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self._page + 1))
        nav.addStretch(1)
        for w in (self.prev_button, self.page_label, self.next_button):
            nav.addWidget(w)
        nav.addStretch(1)
        rl.addLayout(nav)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([260, 600])
        outer.addWidget(split, 1)
        self.set_record(None, None)

    # -- the record --------------------------------------------------------------------------
    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._close_pdf()
        super().closeEvent(event)

    def set_record(self, table: str | None, record_id: int | None) -> None:
        self.table, self.record_id = table, record_id
        self.reload()

    def reload(self) -> None:
        store = self.ctx.store
        self.rows = att.for_record(store, self.table, self.record_id) if self.table else []
        self.states = {r["id"]: att.state(store, r) for r in self.rows}
        self.list.blockSignals(True)
        self.list.clear()
        for r in self.rows:
            st = self.states[r["id"]]
            mark = "" if st == att.OK else f"　〔{st}〕"
            item = QListWidgetItem(f"{r['file_name']}{mark}\n{r['evidence']} · {att.size_text(r['size_bytes'])} · "
                                   f"{r['added_by']} {r['added_on'] or ''}")
            item.setData(Qt.ItemDataRole.UserRole, r["id"])
            item.setToolTip(f"{r['file_name']}\n{r['mime']}\nSHA-256：{r['sha256']}\n{r['notes'] or ''}".strip())
            if st != att.OK:
                item.setForeground(QBrush(QColor("#b00020")))
            self.list.addItem(item)
        self.list.blockSignals(False)
        has_record = self.record_id is not None
        self.add_button.setEnabled(has_record)
        self.remove_button.setEnabled(bool(self.rows))
        self.save_button.setEnabled(bool(self.rows))
        bad = sum(1 for s in self.states.values() if s != att.OK)
        self.count_label.setText(f"共 {len(self.rows)} 份" + (f"，{bad} 份文件缺失或已被改动" if bad else "")
                                 if has_record else "")
        if self.rows:
            self.list.setCurrentRow(0)
            self._show_current(0)
        else:
            self._clear_preview("选中一条记录后，可在这里添加付款凭证、承诺书、还款计划、照片等材料。"
                                if not has_record else "本记录还没有附件。点“添加附件…”选择扫描件、照片或 PDF。")

    def current(self) -> dict | None:
        i = self.list.currentRow()
        return self.rows[i] if 0 <= i < len(self.rows) else None

    # -- preview -----------------------------------------------------------------------------
    def _close_pdf(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None

    def _clear_preview(self, text: str, alert: bool = False) -> None:
        self._close_pdf()
        self._image = None
        self.caption.clear()
        self.preview.setPixmap(QPixmap())
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setText(text)
        self.preview.setStyleSheet("color:#b00020;font-weight:bold" if alert else "color:#666")
        for w in (self.prev_button, self.next_button, self.page_label):
            w.setVisible(False)

    def _show_current(self, index: int) -> None:
        row = self.current()
        if row is None:
            return
        self.caption.setText(f"<b>{row['file_name']}</b>　{row['evidence']}　{att.size_text(row['size_bytes'])}"
                             f"　{row['added_by']} {row['added_on'] or ''} 添加" + (f"　备注：{row['notes']}" if row["notes"] else ""))
        try:
            data = att.read_bytes(self.ctx.store, row)
        except att.AttachmentError as exc:
            caption = self.caption.text()
            self._clear_preview(str(exc).replace("：", "：\n", 1).replace("，", "，\n", 1), alert=True)
            self.caption.setText(caption)
            return
        kind = att.type_of_mime(row["mime"])
        if kind == "pdf":
            self._open_pdf(data)
        elif kind in att.IMAGE_TYPES:
            img = QImage.fromData(data)
            if img.isNull():
                self._clear_preview("图片无法显示（格式不受支持），可另存为后查看。")
                return
            self._close_pdf()
            self._image = img
            for w in (self.prev_button, self.next_button, self.page_label):
                w.setVisible(False)
            self._fit()
        else:
            caption = self.caption.text()
            self._clear_preview("此类文件不能在这里预览，可“另存为…”后用 WPS 或 Office 打开。")
            self.caption.setText(caption)

    def _open_pdf(self, data: bytes) -> None:
        import pypdfium2
        self._close_pdf()
        try:
            self._pdf = pypdfium2.PdfDocument(data)
        except Exception:  # noqa: BLE001 - pdfium's own error text is English
            self._clear_preview("PDF 文件无法打开（可能已损坏），可另存为后查看。", alert=True)
            return
        self._pdf_data = data           # pdfium reads from the bytes while the document is open
        self.show_page(0)

    def page_count(self) -> int:
        return len(self._pdf) if self._pdf is not None else 0

    def show_page(self, i: int) -> None:
        if self._pdf is None:
            return
        n = len(self._pdf)
        i = max(0, min(i, n - 1))
        self._page = i
        page = self._pdf[i]
        width_pt = page.get_width() or 595
        target = max(self.scroll.viewport().width() - 8, 400)
        bitmap = page.render(scale=min(target / width_pt, 3.0))
        import io
        buf = io.BytesIO()
        bitmap.to_pil().save(buf, format="PNG")
        self._image = QImage.fromData(buf.getvalue(), "PNG")
        self.page_label.setText(f"第 {i + 1} / {n} 页")
        for w in (self.prev_button, self.next_button, self.page_label):
            w.setVisible(n > 1)
        self.prev_button.setEnabled(i > 0)
        self.next_button.setEnabled(i < n - 1)
        self._fit()

    def _fit(self) -> None:
        if self._image is None or self._image.isNull():
            return
        self.preview.setStyleSheet("")
        size = self.scroll.viewport().size()
        pix = QPixmap.fromImage(self._image)
        w, h = max(size.width() - 8, 50), max(size.height() - 8, 50)
        if self._pdf is None:           # an image fits the pane (a small scan up to twice its size); a PDF
            factor = min(w / max(pix.width(), 1), h / max(pix.height(), 1), 2.0)   # page is rendered to width
            if abs(factor - 1) > 0.01:
                pix = pix.scaled(round(pix.width() * factor), round(pix.height() * factor),
                                 Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        self.preview.setText("")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignHCenter | (Qt.AlignmentFlag.AlignTop if self._pdf is not None
                                                                   else Qt.AlignmentFlag.AlignVCenter))
        self.preview.setPixmap(pix)
        if self._pdf is not None:
            self.scroll.verticalScrollBar().setValue(0)          # a page is read from its top

    def preview_pixmap(self) -> QPixmap:
        return self.preview.pixmap()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        # the preview follows the size of its viewport (laid out after the pane itself is resized)
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize and self._image is not None:
            if self._pdf is None:
                self._fit()
        return super().eventFilter(watched, event)

    # -- actions -----------------------------------------------------------------------------
    def choose_and_add(self) -> None:
        if self.record_id is None:
            return
        path, _ = QFileDialog.getOpenFileName(self, "选择证据材料", "", FILTER)
        if not path:
            return
        dlg = AddDialog(self, Path(path).name, self.default_evidence)
        if dlg.exec():
            self.add_file(path, dlg.kind.currentText(), dlg.note.text().strip())

    def add_file(self, path: str | Path, evidence: str, note: str = "") -> int | None:
        """Attach ``path``; a refusal (too large, not a type taken …) is said in a message box."""
        from models.db import PermissionDenied
        from models.ledger.repo import ValidationError
        try:
            aid = att.attach(self.ctx.store, path, self.table, self.record_id, evidence=evidence, note=note,
                             today=self.ctx.today())
        except (att.AttachmentError, ValidationError, PermissionDenied, OSError) as exc:
            QMessageBox.warning(self, "不能添加附件", str(exc))
            return None
        self.ctx.changed("attachment")
        self.reload()
        for i, r in enumerate(self.rows):
            if r["id"] == aid:
                self.list.setCurrentRow(i)
        self.changed.emit()
        return aid

    def remove_selected(self, *, confirm: bool = True) -> None:
        row = self.current()
        if row is None:
            return
        if confirm and QMessageBox.question(
                self, "移除附件", f"将附件“{row['file_name']}”移入回收站？（可在回收站恢复）") \
                != QMessageBox.StandardButton.Yes:
            return
        from views.reason_prompt import with_reason
        if not with_reason(self, "移除附件", lambda why: att.remove(self.ctx.store, [row["id"]], why)):
            return
        self.ctx.changed("attachment")
        self.reload()
        self.changed.emit()

    def save_selected(self) -> None:
        row = self.current()
        if row is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "附件另存为", row["file_name"])
        if path:
            self.save_to(path)

    def save_to(self, path: str | Path) -> Path | None:
        row = self.current()
        if row is None:
            return None
        try:
            return att.save_as(self.ctx.store, row, path)
        except (att.AttachmentError, OSError) as exc:
            QMessageBox.warning(self, "不能另存附件", str(exc))
            return None
