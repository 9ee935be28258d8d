"""工作方案及通报: each workstream's 工作方案 and the campaign's 通报, every version kept.

The list shows every version (the latest of each document first); the right side shows the chosen
version's text and the document's version history. 登记新文件 registers a document (版本 1);
登记新版本 registers the next version of the chosen one, starting from its text. A registered
version is never changed (``models.documents``)."""
from __future__ import annotations


from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QSplitter,
                               QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget)

from models import campaign, documents
from views.context import AppContext

COLUMNS = ("文件种类", "专班", "标题", "版本", "成文日期", "文号")


class DocumentDialog(QDialog):
    """A new document, or the next version of ``base`` (a row of ``documents.listing``)."""

    def __init__(self, ctx: AppContext, parent=None, base: dict | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.base, self.new_id = ctx, base, None
        self.setWindowTitle("登记新版本" if base else "登记新文件")
        self.kind = QComboBox()
        self.kind.addItems(documents.KINDS)
        self.workstream = QComboBox()
        self.workstream.addItem("（不属于某一专班）", None)
        for w in campaign.workstreams(ctx.store):
            self.workstream.addItem(w["name"], w["id"])
        self.title = QLineEdit()
        self.dated = QDateEdit(QDate(ctx.today()))
        self.dated.setCalendarPopup(True)
        self.dated.setDisplayFormat("yyyy-MM-dd")
        self.doc_no = QLineEdit()
        self.doc_no.setPlaceholderText("可选：文号或期号")
        self.text = QPlainTextEdit()
        self.text.setMinimumHeight(220)
        self.file = ""
        pick = QPushButton("从文件读取正文…")
        pick.setToolTip("读取 .txt、.md、.docx 或 .pdf 文件的正文，并记下原文件名")
        pick.clicked.connect(self._pick)
        self.notes = QLineEdit()
        self.notes.setPlaceholderText("修订说明，如：根据第一阶段进展提高目标")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        if base:
            self.kind.setCurrentText(base["doc_kind"])
            i = self.workstream.findData(base["workstream_id"])
            self.workstream.setCurrentIndex(max(i, 0))
            self.title.setText(base["title"])
            for w in (self.kind, self.workstream, self.title):
                w.setEnabled(False)
            self.text.setPlainText(base["content"] or "")
        form = QFormLayout()
        form.addRow("文件种类", self.kind)
        form.addRow("专班", self.workstream)
        form.addRow("标题", self.title)
        form.addRow("成文日期", self.dated)
        form.addRow("文号", self.doc_no)
        row = QHBoxLayout()
        row.addWidget(pick)
        self.file_label = QLabel()
        row.addWidget(self.file_label, 1)
        form.addRow("正文", row)
        form.addRow(self.text)
        form.addRow("修订说明", self.notes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("登记")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.resize(640, 560)

    def _pick(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, "选择文件", "", "文件 (*.txt *.md *.docx *.pdf)")
        if path:
            self.load_file(path)

    def load_file(self, path: str) -> None:
        from pathlib import Path
        try:
            self.text.setPlainText(documents.read_text(Path(path)))
        except documents.DocumentProblem as exc:
            self.error.setText(str(exc))
            return
        self.file = path
        self.file_label.setText(Path(path).name)

    def save(self) -> None:
        from pathlib import Path

        from models.ledger.repo import ValidationError
        if not self.title.text().strip():
            self.error.setText("标题不能为空")
            return
        try:
            self.new_id = documents.add_version(
                self.ctx.store, self.ctx.today(), kind=self.kind.currentText(), title=self.title.text(),
                dated=self.dated.date().toPython().isoformat(), workstream_id=self.workstream.currentData(),
                text=self.text.toPlainText(), doc_no=self.doc_no.text().strip(), notes=self.notes.text().strip(),
                file_name=Path(self.file).name if self.file else "")
        except (documents.DocumentProblem, ValidationError, PermissionError) as exc:
            self.error.setText(str(exc))
            return
        self.ctx.changed("work_document")
        self.accept()


class DocumentsPage(QWidget):
    title = "工作方案及通报"

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[dict] = []
        self.kind = QComboBox()
        self.kind.addItem("全部", None)
        for k in documents.KINDS:
            self.kind.addItem(k, k)
        self.kind.currentIndexChanged.connect(self.refresh)
        self.new_btn, self.version_btn = QPushButton("登记新文件…"), QPushButton("登记新版本…")
        self.new_btn.clicked.connect(lambda: self.open_dialog(None))
        self.version_btn.clicked.connect(lambda: self.open_dialog(self.current()))
        top = QHBoxLayout()
        top.addWidget(QLabel("文件种类"))
        top.addWidget(self.kind)
        top.addStretch(1)
        top.addWidget(self.new_btn)
        top.addWidget(self.version_btn)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show)
        self.view = QTextBrowser()
        self.history = QLabel()
        self.history.setWordWrap(True)
        self.history.setStyleSheet("color: #555;")
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.history)
        rl.addWidget(self.view, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setSizes([620, 560])
        self.empty = QLabel("还没有登记工作方案或通报。点“登记新文件…”登记，修订后点“登记新版本…”，原版本保留。")
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.empty)
        lay.addWidget(split, 1)
        ctx.bus.changed.connect(lambda table="": self.refresh() if table in ("", "work_document") else None)
        self.refresh()

    def refresh(self) -> None:
        kind = self.kind.currentData()
        self.rows = [r for r in documents.listing(self.ctx.store) if kind is None or r["doc_kind"] == kind]
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            latest = r["version"] == r["latest"]
            cells = (r["doc_kind"], r["workstream"] or "—", r["title"],
                     f"第{r['version']}版" + ("（现行）" if latest else ""), r["dated"], r["doc_no"] or "")
            for j, v in enumerate(cells):
                item = QTableWidgetItem(v)
                if not latest:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(i, j, item)
        self.empty.setVisible(not self.rows)
        self.version_btn.setEnabled(bool(self.rows))
        if self.rows:
            self.table.selectRow(0)
            self._show()                  # the same row may stay selected: no signal then
        else:
            self.view.clear()
            self.history.clear()

    def current(self) -> dict | None:
        chosen = self.table.selectionModel().selectedRows()
        i = chosen[0].row() if chosen else self.table.currentRow()
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def _show(self) -> None:
        r = self.current()
        if r is None:
            return
        vs = documents.versions(self.ctx.store, r["doc_kind"], r["title"], r["workstream_id"])
        self.history.setText("历次版本：" + "；".join(
            f"第{v['version']}版 {v['dated']}" + (f"（{v['notes']}）" if v["notes"] else "") for v in vs))
        from html import escape
        head = (f"<h3>{escape(r['title'])}</h3><p style='color:#555'>{escape(r['doc_kind'])}　第{r['version']}版　"
                f"成文日期 {r['dated']}" + (f"　{escape(r['doc_no'])}" if r["doc_no"] else "")
                + (f"　原文件：{escape(r['file_name'])}" if r["file_name"] else "") + "</p>")
        body = "".join(f"<p>{escape(line)}</p>" for line in (r["content"] or "").splitlines() if line.strip())
        self.view.setHtml(head + body)

    def open_dialog(self, base: dict | None) -> DocumentDialog:
        dlg = DocumentDialog(self.ctx, self, base)
        if not getattr(self, "_no_exec", False):       # tests fill the dialog without running it
            dlg.exec()
        return dlg
