"""Import, export and print buttons shared by every ledger page.

Every page opens its import and export dialogs here, so the logged-in account always goes
with them (from ``ctx.store.actor``): its role limits what an import may change and whether
full numbers may be exported. A read-only account (领导) is told so before any file is read;
the database would refuse its writes anyway (models.access: no actor, no write)."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

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


def open_print(parent: QWidget, ctx: AppContext, kind: str, query: Query | None = None) -> None:
    try:
        from views.reports_page import print_ledger_dialog
    except ImportError:
        QMessageBox.information(parent, "打印", "报表模块未安装。")
        return
    print_ledger_dialog(parent, ctx, kind, query)
