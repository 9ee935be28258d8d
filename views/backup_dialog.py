"""Back up now, from the File menu, on a worker thread."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QFileDialog, QMessageBox

from models import backup
from views.context import AppContext
from views.jobs import run_job


def backup_now(parent, ctx: AppContext, then: Callable[[Path], None] | None = None) -> None:
    """Ask where, then back up on a worker thread; ``then`` (the file written) once it is done.
    A backup made removes the note of an automatic backup that did not finish. Outside the
    program's own backup folder the copy is a full, unmasked one: once accounts exist only the
    办公室 (in a liaison's copy, its liaison) makes it, and it is audited (``models.restore_guard``)."""
    default = backup.backup_dir(ctx.store_path) / f"手动备份-{_dt.datetime.now():%Y%m%d-%H%M}.sqlite"
    path, _ = QFileDialog.getSaveFileName(parent, "备份到", str(default), "数据库备份 (*.sqlite)")
    if not path:
        return
    db_path = ctx.store_path
    from models.paths import out_problem
    problem = out_problem(path, db_path, force=True)     # the dialog has asked about replacing
    if problem:
        QMessageBox.critical(parent, "备份失败", problem)
        return
    from models import restore_guard
    refused = restore_guard.may_back_up_to(ctx.store, path)     # a full copy where the user chooses
    if refused:
        QMessageBox.critical(parent, "不能备份到这里", refused)
        return
    restore_guard.record_backup(ctx.store, path)                # audited, as an unmasked export is

    def work(jc):
        made = backup.backup_file(db_path, path, progress=lambda d, t: jc.progress(d, t, "正在备份…"))
        backup.clear_unfinished_note(db_path)
        return made

    def done(made) -> None:
        if then is not None:
            then(made)
        QMessageBox.information(parent, "备份完成", f"已备份到：\n{made}")

    run_job(parent, "正在备份", work, on_done=done,
            on_error=lambda exc: QMessageBox.critical(parent, "备份失败", str(exc)))
