"""Import, export and print buttons shared by every ledger page."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from models.ledger.repo import Query
from views.context import AppContext


def open_import(parent: QWidget, ctx: AppContext, kind: str, case_no: str | None = None) -> None:
    from views.import_dialog import ImportDialog
    dlg = ImportDialog(parent, ctx.store_path, kind, ctx.user, actor=ctx.store.actor)
    if case_no and hasattr(dlg, "case_edit"):
        dlg.case_edit.setText(case_no)
    dlg.imported.connect(lambda _result: ctx.changed(""))
    dlg.exec()


def open_export(parent: QWidget, ctx: AppContext, kind: str, query: Query | None = None) -> None:
    from views.export_dialog import ExportDialog
    actor = ctx.store.actor
    dlg = ExportDialog(parent, ctx.store_path, kind, query, ctx.user,
                       may_unmask=actor is None or actor.may_reveal, actor=actor)
    dlg.exec()


def open_print(parent: QWidget, ctx: AppContext, kind: str, query: Query | None = None) -> None:
    try:
        from views.reports_page import print_ledger_dialog
    except ImportError:
        QMessageBox.information(parent, "打印", "报表模块未安装。")
        return
    print_ledger_dialog(parent, ctx, kind, query)
