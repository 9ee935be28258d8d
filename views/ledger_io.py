"""Import, export and print buttons shared by every ledger page.

Every page opens its import and export dialogs here, so the logged-in account always goes
with them (from ``ctx.store.actor``): its role limits what an import may change and whether
full numbers may be exported. A read-only account (领导) is told so before any file is read;
the database would refuse its writes anyway (models.access: no actor, no write)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from models.ledger.repo import Query
from views.context import AppContext

READ_ONLY_IMPORT = "领导账号只能查看和打印，不能导入数据。"


def may_import(ctx: AppContext) -> bool:
    actor = ctx.actor
    return actor is None or not actor.read_only


def open_import(parent: QWidget, ctx: AppContext, kind: str, case_no: str | None = None,
                on_imported=None) -> None:
    if not may_import(ctx):
        QMessageBox.information(parent, "导入", READ_ONLY_IMPORT)
        return
    from views.import_dialog import ImportDialog
    dlg = ImportDialog(parent, ctx.store_path, kind, ctx.user, actor=ctx.actor)
    if case_no and hasattr(dlg, "case_edit"):
        dlg.case_edit.setText(case_no)
    dlg.imported.connect(lambda _result: (on_imported or ctx.changed)(""))
    dlg.exec()


def open_export(parent: QWidget, ctx: AppContext, kind: str, query: Query | None = None) -> None:
    from views.export_dialog import ExportDialog
    actor = ctx.actor
    # the audit log holds numbers masked only: there is nothing to unmask in it
    may_unmask = kind != "audit" and (actor is None or actor.may_reveal)
    dlg = ExportDialog(parent, ctx.store_path, kind, query, ctx.user, may_unmask=may_unmask, actor=actor)
    dlg.exec()


def open_print(parent: QWidget, ctx: AppContext, kind: str, query: Query | None = None) -> Path | None:
    """打印: the ledger's printout (models.ledger_pdf_fallback.print_ledger_pdf) of the rows the page
    shows, its filter printed at the top, saved where the user says and opened in the PDF reader.
    Every ledger page prints through here. Returns the PDF written, or None."""
    from models.ledger import registry
    from models.ledger_pdf_fallback import print_ledger_pdf
    from models.reports.result import ReportUnavailable
    title = registry.get(kind).title
    default = str(Path.home() / f"{title}-{ctx.today():%Y%m%d}.pdf")
    path, _ = QFileDialog.getSaveFileName(parent, "打印（生成 PDF）", default, "PDF 文件 (*.pdf)")
    if not path:
        return None
    try:
        out = print_ledger_pdf(ctx.store, kind, path, query=query, today=ctx.today())
    except ReportUnavailable as exc:             # too many rows for paper: the message says to filter
        QMessageBox.information(parent, "打印", str(exc))
        return None
    except OSError as exc:
        QMessageBox.warning(parent, "打印", f"无法写入 {path}：{exc.strerror or exc}")
        return None
    ctx.bus.status.emit(f"已生成 {out}")
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(out)))
    return out
