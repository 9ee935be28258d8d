"""报表: choose a report, a date (and for ledger printouts the ledger and its filter) and a format
(PDF, or Word for offices that edit before 印发), make the file on a worker thread with progress,
then look at it, print-preview it, print it or open its folder. A Word file is opened in the
system's word processor (Word or WPS), which paginates it.

Showing a PDF needs a renderer: QtPdf when the PySide6_Pdf add-on is installed, else poppler's
``pdftoppm`` when present. Pages are drawn as images onto the QPrinter, so print preview and
printing show exactly the file that was saved. With neither renderer, the file is opened in the
system's PDF reader and the page says so.
"""
from __future__ import annotations

import datetime as _dt
import importlib.util
from pathlib import Path

from PySide6.QtCore import QDate, QRect, QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QIcon, QImage, QPageLayout, QPageSize, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QPushButton, QVBoxLayout,
                               QWidget)

from models.reports import REPORTS, ReportUnavailable, make_report
from views.context import AppContext
from views.flow_layout import FlowLayout
from views.jobs import Job

NO_RENDERER = ("本机没有可用的 PDF 显示组件（PySide6_Pdf 或 poppler 的 pdftoppm），无法在程序内预览和打印。"
               "已用系统默认的 PDF 阅读器打开文件，请在阅读器中打印。")


def renderer_name() -> str:
    """"pdfium" (pypdfium2, shipped with the program on every system), "qtpdf" (PySide6_Pdf add-on),
    "pdftoppm" (poppler) or "" when none is available."""
    if importlib.util.find_spec("pypdfium2") is not None:
        return "pdfium"
    if importlib.util.find_spec("PySide6.QtPdf") is not None:
        return "qtpdf"
    import shutil
    return "pdftoppm" if shutil.which("pdftoppm") else ""


class PdfPages:
    """The pages of a PDF as images, for thumbnails, print preview and printing."""

    def __init__(self, path: Path) -> None:
        import re
        import tempfile
        self.path = Path(path)
        self.kind = renderer_name()
        self._cache: dict[tuple[int, int], QImage] = {}
        self._tmp = tempfile.TemporaryDirectory(prefix="qingqian-pdf-")
        data = self.path.read_bytes()
        box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
        self.size_pt = (float(box.group(1)), float(box.group(2))) if box else (595.0, 842.0)
        self._doc = None
        self._pdfium = None
        if self.kind == "pdfium":
            import pypdfium2
            self._pdfium = pypdfium2.PdfDocument(str(self.path))
            self.count = len(self._pdfium)
        elif self.kind == "qtpdf":
            from PySide6.QtPdf import QPdfDocument
            self._doc = QPdfDocument(None)
            self._doc.load(str(self.path))
            self.count = self._doc.pageCount()
        else:
            from models.reports import count_pages
            self.count = count_pages(self.path)

    @property
    def landscape(self) -> bool:
        return self.size_pt[0] > self.size_pt[1]

    def image(self, i: int, dpi: int) -> QImage:
        key = (i, dpi)
        if key not in self._cache:
            if self._pdfium is not None:
                import io
                buf = io.BytesIO()
                self._pdfium[i].render(scale=dpi / 72).to_pil().save(buf, format="PNG")
                img = QImage.fromData(buf.getvalue(), "PNG")
            elif self._doc is not None:
                w, h = (round(v * dpi / 72) for v in self.size_pt)
                img = self._doc.render(i, QSize(w, h))
            else:
                import subprocess
                prefix = Path(self._tmp.name) / f"p{i}_{dpi}"
                subprocess.run(["pdftoppm", "-f", str(i + 1), "-l", str(i + 1), "-r", str(dpi), "-png",
                                "-singlefile", str(self.path), str(prefix)], check=True, capture_output=True,
                               timeout=120)
                img = QImage(str(prefix) + ".png")
            if len(self._cache) > 40:
                self._cache.clear()
            self._cache[key] = img
        return self._cache[key]

    def setup(self, printer: QPrinter) -> None:
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageOrientation(QPageLayout.Orientation.Landscape if self.landscape
                                   else QPageLayout.Orientation.Portrait)

    def paint(self, printer: QPrinter, dpi: int) -> int:
        """Draw every page onto the printer (or the preview), scaled to the paper; returns pages drawn."""
        painter = QPainter(printer)
        try:
            for i in range(self.count):
                if i:
                    printer.newPage()
                img = self.image(i, dpi)
                area = painter.viewport()
                scale = min(area.width() / max(img.width(), 1), area.height() / max(img.height(), 1))
                w, h = int(img.width() * scale), int(img.height() * scale)
                painter.drawImage(QRect(area.x() + (area.width() - w) // 2, area.y() + (area.height() - h) // 2, w, h),
                                  img)
        finally:
            painter.end()
        return self.count


def reports_dir(ctx: AppContext) -> Path:
    from models.paths import data_dir
    return Path(ctx.prefs.get("reports.dir", "") or data_dir() / "报表")


class LedgerOptions(QGroupBox):
    """Which ledger, and the filter in force (printed at the top of the printout)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__("台账与筛选条件")
        from models.ledger import registry
        self.ctx = ctx
        self.kind = QComboBox()
        for ledger in registry.all_ledgers():
            self.kind.addItem(ledger.title, ledger.kind)
        self.form = QFormLayout(self)
        self.form.addRow("台账", self.kind)
        self.widgets: list[tuple] = []
        self.kind.currentIndexChanged.connect(self._rebuild)
        self._rebuild()

    def _rebuild(self) -> None:
        from models.ledger import registry
        from models.reports.ledger_print import date_filter, filter_options
        while self.form.rowCount() > 1:
            self.form.removeRow(1)
        self.widgets = []
        ledger = registry.get(self.kind.currentData())
        for f, options in filter_options(self.ctx.store, ledger):
            box = QComboBox()
            box.addItem("全部", None)
            for value, label in options:
                box.addItem(label, value)
            self.form.addRow(f.label, box)
            self.widgets.append(("eq", f, box))
        d = date_filter(ledger)
        if d is not None:
            on, lo, hi = QCheckBox("按日期"), QDateEdit(), QDateEdit()
            for w in (lo, hi):
                w.setCalendarPopup(True)
                w.setDisplayFormat("yyyy-MM-dd")
                w.setDate(QDate(self.ctx.today()))
            lo.setDate(QDate(self.ctx.today()).addDays(-7))
            row = QHBoxLayout()
            for w in (on, lo, QLabel("至"), hi):
                row.addWidget(w)
            self.form.addRow(d.label, row)
            self.widgets.append(("range", d, (on, lo, hi)))
        self.search = QLineEdit()
        self.search.setPlaceholderText("可选：检索文字")
        self.form.addRow("检索", self.search)

    def query(self):
        from models.ledger.repo import Query
        q = Query(search=self.search.text().strip())
        for kind, f, w in self.widgets:
            if kind == "eq" and w.currentData() is not None:
                q.equals[f.name] = w.currentData()
            elif kind == "range" and w[0].isChecked():
                q.ranges[f.name] = (w[1].date().toString("yyyy-MM-dd"), w[2].date().toString("yyyy-MM-dd"))
        return q


class PeriodOptions(QGroupBox):
    """The period of a written report: a month or a quarter (due by the 10th of the next month)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__("报告期")
        from models.reports import period
        self.ctx = ctx
        self.since, self.until = QDateEdit(), QDateEdit()
        for w in (self.since, self.until):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            w.setMaximumDate(QDate(ctx.today()))
        month, quarter = QPushButton("上月"), QPushButton("上季度")
        month.clicked.connect(lambda: self.set_span(*period.month_span(self._last_month())))
        quarter.clicked.connect(lambda: self.set_span(*period.quarter_span(
            period.quarter_span(ctx.today())[0] - _dt.timedelta(days=1))))
        form = QFormLayout(self)
        row = QHBoxLayout()
        for w in (self.since, QLabel("至"), self.until):
            row.addWidget(w)
        form.addRow("起止", row)
        quick = QHBoxLayout()
        quick.addWidget(month)
        quick.addWidget(quarter)
        quick.addStretch(1)
        form.addRow("", quick)
        self.due = QLabel()
        self.due.setWordWrap(True)
        self.due.setStyleSheet("color: #555;")
        form.addRow(self.due)
        self.until.dateChanged.connect(self._due)
        self.set_span(*period.month_span(self._last_month()))

    def _last_month(self) -> _dt.date:
        return self.ctx.today().replace(day=1) - _dt.timedelta(days=1)

    def set_span(self, since: _dt.date, until: _dt.date) -> None:
        self.since.setDate(QDate(since))
        self.until.setDate(QDate(until))
        self._due()

    def span(self) -> tuple[_dt.date, _dt.date]:
        return self.since.date().toPython(), self.until.date().toPython()

    def _due(self) -> None:
        from models.reports import period
        since, until = self.span()
        self.due.setText(f"{period.period_label(since, until)}书面报告应于 {period.due_date(until).isoformat()} "
                         f"前报送。{period.next_due_text(self.ctx.today())}")


class CertificateOptions(QGroupBox):
    """For whom a 清欠证明 is issued: the employer (from the case ledger), optionally one project."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__("出具证明")
        self.ctx = ctx
        self.employer = QComboBox()
        self.employer.setEditable(True)
        self.employer.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for (name,) in ctx.store.query("SELECT DISTINCT employer_name FROM case_record WHERE deleted_at IS NULL "
                                       "AND employer_name != '' ORDER BY employer_name"):
            self.employer.addItem(name)
        self.employer.setCurrentIndex(-1)
        self.project = QLineEdit()
        self.project.setPlaceholderText("可选：只为该单位的一个项目出具")
        self.kind = QComboBox()
        self.kind.addItems(["清欠审查证明", "兑付证明"])
        self.purpose = QLineEdit()
        self.purpose.setPlaceholderText("如：参加工程招投标")
        form = QFormLayout(self)
        form.addRow("用人单位", self.employer)
        form.addRow("项目名称", self.project)
        form.addRow("证明种类", self.kind)
        form.addRow("用途", self.purpose)
        hint = QLabel("尚有未化解的欠薪问题或拖欠工程款的，不能出具；出具的证明自动编号并登记于清欠证明登记簿。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        form.addRow(hint)


class ReportsPage(QWidget):
    title = "报表"
    progress_after_ms = 500          # the progress dialog (with 取消) appears if a report takes longer

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.job = None
        self.result = None
        self.pages: PdfPages | None = None
        self.which = QComboBox()
        for key, title in REPORTS.items():
            self.which.addItem(title, key)
        self.day = QDateEdit(QDate(ctx.today()))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setMaximumDate(QDate(ctx.today()))      # a day not yet over cannot be reported
        self.day.setToolTip("周调度材料和统计报表按该日日终的情况统计（以前的日期按登记、状态变更、兑付等日期还原）；"
                            "台账打印按当前记录打印")
        self.meeting = QComboBox()
        self.period = PeriodOptions(ctx)
        self.cert = CertificateOptions(ctx)
        self.format = QComboBox()
        self.format.addItem("PDF（打印、报送）", ".pdf")
        self.format.addItem("Word（.docx，可编辑后印发）", ".docx")
        self.format.setToolTip("Word 版与 PDF 版内容、标题、表格相同，页码在页脚；可在 Word 或 WPS 中修改后印发")
        self.ledger = LedgerOptions(ctx)
        form = QFormLayout()
        form.addRow("报表", self.which)
        form.addRow("截至", self.day)
        self.day_label = form.labelForField(self.day)
        form.addRow("会议", self.meeting)
        self.meeting_label = form.labelForField(self.meeting)
        form.addRow("格式", self.format)
        self.make_btn = QPushButton("生成")
        self.make_btn.setDefault(True)
        self.make_btn.clicked.connect(self.generate)
        self.preview_btn, self.print_btn = QPushButton("打印预览…"), QPushButton("打印…")
        self.open_btn, self.folder_btn, self.save_btn = (QPushButton("用阅读器打开"), QPushButton("打开所在文件夹"),
                                                         QPushButton("另存为…"))
        self.preview_btn.clicked.connect(self.preview)
        self.print_btn.clicked.connect(self.print_)
        self.open_btn.clicked.connect(lambda: self._open_url(self.result.path))
        self.folder_btn.clicked.connect(lambda: self._open_url(self.result.path.parent))
        self.save_btn.clicked.connect(self.save_as)
        # the buttons wrap onto a second row in a narrow window (1366×768 at 150 %)
        self.buttons = QWidget()
        buttons = FlowLayout(self.buttons)
        for b in (self.make_btn, self.preview_btn, self.print_btn, self.open_btn, self.folder_btn, self.save_btn):
            buttons.add(b)
        self.status = QLabel("选择报表、日期和格式，然后点“生成”。")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.thumbs = QListWidget()
        self.thumbs.setViewMode(QListWidget.ViewMode.IconMode)
        self.thumbs.setIconSize(QSize(180, 250))
        self.thumbs.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.thumbs.setMovement(QListWidget.Movement.Static)
        self.thumbs.itemDoubleClicked.connect(lambda _i: self.preview())
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.ledger)
        left.addWidget(self.period)
        left.addWidget(self.cert)
        left.addStretch(1)
        side = QWidget()
        side.setLayout(left)
        side.setMaximumWidth(430)
        right = QVBoxLayout()
        right.addWidget(self.buttons)
        right.addWidget(self.status)
        right.addWidget(self.thumbs, 1)
        lay = QHBoxLayout(self)
        lay.addWidget(side)
        lay.addLayout(right, 1)
        self.which.currentIndexChanged.connect(self._which_changed)
        self._which_changed()
        self._set_ready(False)

    # -- choosing ------------------------------------------------------------------------------
    def _which_changed(self) -> None:
        key = self.which.currentData()
        self.day_label.setText({"weekly": "统计截至", "stats": "统计截至", "daily": "报告日期", "ledger": "打印日期",
                                "minutes": "日期", "certificate": "审查截至"}.get(key, "日期"))
        self.period.setVisible(key == "period")
        self.cert.setVisible(key == "certificate")
        self.day.setVisible(key != "period")
        self.day_label.setVisible(key != "period")
        if key == "weekly":                      # on a 例会's day: the meeting's week, just ended
            from models.reports.briefing import default_day
            self.day.setDate(QDate(default_day(self.ctx.today(), self.ctx.store)))
        elif key != "period":                    # every other report is of today unless the clerk picks a day
            self.day.setDate(QDate(self.ctx.today()))
        self.day.setEnabled(key != "ledger")
        self.ledger.setVisible(key == "ledger")
        self.meeting.setVisible(key == "minutes")
        self.meeting_label.setVisible(key == "minutes")
        if key == "minutes" and self.meeting.count() == 0:
            from models import meetings
            for m in meetings.list_meetings(self.ctx.store):
                self.meeting.addItem(f"第{m['meeting_no']}期　{m['date']}　{m['title'] or ''}", m["meeting_no"])

    def _set_ready(self, ready: bool) -> None:
        for b in (self.preview_btn, self.print_btn, self.open_btn, self.folder_btn, self.save_btn):
            b.setEnabled(ready)

    def out_path(self, key: str, day: _dt.date) -> Path:
        title = REPORTS[key].replace(" / ", "_").replace(" ", "")
        if key == "period":
            from models.reports import period
            title = f"{period.period_label(*self.period.span())}书面报告"
        if key == "ledger":
            title = self.ledger.kind.currentText()
        stamp = _dt.datetime.now().strftime("%H%M%S")
        return reports_dir(self.ctx) / f"{title}_{day.isoformat()}_{stamp}{self.format.currentData() or '.pdf'}"

    # -- making ------------------------------------------------------------------------------
    def generate(self, out: str | Path | None = None) -> None:
        if self.job is not None:
            return
        key = self.which.currentData()
        day = self.day.date().toPython()
        path = Path(out) if out else self.out_path(key, day)
        kind = self.ledger.kind.currentData() if key == "ledger" else "cases"
        query = self.ledger.query() if key == "ledger" else None
        meeting = self.meeting.currentData() if key == "minutes" else None
        db = self.ctx.store_path
        self.status.setText(f"正在生成{REPORTS[key]}…")
        self.make_btn.setEnabled(False)
        self._set_ready(False)
        today = self.ctx.today()
        if key == "certificate":                 # registered on the window's own account: made here, one page
            self._certificate(path, today, day)
            return
        if key == "period":
            since, until = self.period.span()

            def work(job):
                return make_report(key, db, path, today, since=since, until=until, job=job)
        elif key in ("weekly", "stats", "daily"):  # the chosen day's report, its data checked as of today
            def work(job):
                return make_report(key, db, path, today, meeting=meeting, job=job, as_of=day)
        else:                                       # a printout is of today; the minutes checked today
            def work(job):
                return make_report(key, db, path, today, kind=kind, query=query, meeting=meeting, job=job)
        job = Job(self, f"正在生成{REPORTS[key]}", work, show_after_ms=self.progress_after_ms)
        job.done.connect(self._done)
        job.error.connect(self._failed)
        job.cancelled.connect(self._cancelled)
        self.job = job.start()

    def _certificate(self, path: Path, today: _dt.date, day: _dt.date) -> None:
        """A certificate is numbered and registered by the logged-in account, so it is made on the
        window's own connection (one page: no worker thread needed)."""
        import time
        from models.reports.certificate import build
        t0 = time.perf_counter()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            result = build(self.ctx.store, path, today, self.cert.employer.currentText().strip(),
                           self.cert.project.text().strip(), as_of=day if day != today else None,
                           kind=self.cert.kind.currentText(), purpose=self.cert.purpose.text().strip())
        except (ReportUnavailable, ValueError, OSError) as exc:
            self._failed(exc)
            return
        result.seconds = time.perf_counter() - t0
        self.ctx.changed("certificate")
        self._done(result)
        self.status.setText(f"证明编号 {result.figures['cert_no']}，已登记于清欠证明登记簿。\n" + self.status.text())

    def _done(self, result) -> None:
        self.job = None
        self.make_btn.setEnabled(True)
        self.result = result
        self._set_ready(True)
        word = result.path.suffix.lower() == ".docx"
        self.pages = PdfPages(result.path) if renderer_name() and not word else None
        extra = "".join(f"；另存 Excel：{p}" for p in result.extra)
        if word:
            self.status.setText(f"已生成 Word 文件：{result.path}（用时 {result.seconds:.1f} 秒）{extra}\n"
                                f"{result.check_text}\n请点“用 Word / WPS 打开”查看、修改和打印；"
                                "需要按印发样式预览时，请生成 PDF。")
        else:
            self.status.setText(f"已生成：{result.path}（{result.pages} 页，用时 {result.seconds:.1f} 秒）{extra}\n"
                                f"{result.check_text}" + ("" if self.pages else f"\n{NO_RENDERER}"))
        self.preview_btn.setEnabled(not word)
        self.print_btn.setEnabled(not word)
        self.open_btn.setText("用 Word / WPS 打开" if word else "用阅读器打开")
        self.status.setStyleSheet("" if result.passed else "color: #b00020;")
        self.ctx.bus.status.emit(f"{result.title}已生成：{result.path}")
        self._thumbnails()

    def _failed(self, exc: Exception) -> None:
        self.job = None
        self.make_btn.setEnabled(True)
        text = str(exc) if isinstance(exc, (ReportUnavailable, ValueError, OSError)) else f"{type(exc).__name__}：{exc}"
        self.status.setText(f"生成失败：{text}")
        self.status.setStyleSheet("color: #b00020;")

    def _cancelled(self) -> None:
        self.job = None
        self.make_btn.setEnabled(True)
        self.status.setText("已取消，没有生成文件。")

    def _thumbnails(self, limit: int = 12) -> None:
        self.thumbs.clear()
        if self.pages is None:
            return
        for i in range(min(self.pages.count, limit)):
            img = self.pages.image(i, 40)
            item = QListWidgetItem(QIcon(QPixmap.fromImage(img)), f"第 {i + 1} 页")
            self.thumbs.addItem(item)
        if self.pages.count > limit:
            self.thumbs.addItem(QListWidgetItem(f"……共 {self.pages.count} 页"))

    # -- looking and printing -------------------------------------------------------------------
    def _printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setFullPage(True)           # the PDF page already carries its margins
        printer.setDocName(self.result.title)
        self.pages.setup(printer)
        return printer

    def preview(self) -> QPrintPreviewDialog | None:
        if self.result is None:
            return None
        if self.pages is None:
            self._open_url(self.result.path)
            if self.result.path.suffix.lower() != ".docx":
                QMessageBox.information(self, "打印预览", NO_RENDERER)
            return None
        self._preview_printer = printer = self._printer()     # the dialog does not own it: keep it alive
        dlg = QPrintPreviewDialog(printer, self)
        dlg.setWindowTitle(f"打印预览 — {self.result.title}")
        dlg.paintRequested.connect(lambda printer: self.pages.paint(printer, 150))
        self._preview = dlg
        if not getattr(self, "_no_exec", False):       # tests look at the dialog without running it
            dlg.exec()
        return dlg

    def print_(self) -> None:
        if self.result is None:
            return
        if self.pages is None:
            self._open_url(self.result.path)
            QMessageBox.information(self, "打印", NO_RENDERER)
            return
        printer = self._printer()
        dlg = QPrintDialog(printer, self)
        dlg.setWindowTitle("打印")
        if dlg.exec() == QPrintDialog.DialogCode.Accepted:
            self.pages.paint(printer, 200)
            self.ctx.bus.status.emit(f"已送打印：{self.result.title}")

    def save_as(self) -> None:
        if self.result is None:
            return
        word = self.result.path.suffix.lower() == ".docx"
        path, _f = QFileDialog.getSaveFileName(self, "另存为", str(Path.home() / self.result.path.name),
                                               "Word 文件 (*.docx)" if word else "PDF 文件 (*.pdf)")
        if path:
            import shutil
            shutil.copyfile(self.result.path, path)
            for extra in self.result.extra:
                shutil.copyfile(extra, Path(path).with_suffix(extra.suffix))
            self.ctx.bus.status.emit(f"已另存为：{path}")

    def _open_url(self, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

