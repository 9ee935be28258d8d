"""Run a ``models.jobs`` function on a worker thread, with progress and cancel.

The dialog appears only when the job runs longer than about half a second.
Results come back to the GUI thread by signal; no widget is touched from the
worker. Each job opens its own database connection inside ``fn``.
"""
from __future__ import annotations

import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, QTimer, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from models.jobs import Cancelled, JobContext


class _Worker(QObject):
    progressed = Signal(object, object, str)
    finished = Signal(object)
    failed = Signal(object, str)
    cancelled = Signal()

    def __init__(self, fn: Callable[[JobContext], Any], ctx: JobContext) -> None:
        super().__init__()
        self.fn = fn
        self.ctx = ctx
        ctx.on_progress = lambda d, t, text: self.progressed.emit(d, t, text)

    def run(self) -> None:
        try:
            result = self.fn(self.ctx)
        except Cancelled:
            self.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - every failure must reach the user as a message
            self.failed.emit(exc, traceback.format_exc())
        else:
            self.finished.emit(result)


class Job(QObject):
    """One running job. Keep a reference until ``done`` fires (the runner does)."""
    done = Signal(object)           # result
    error = Signal(object)          # exception
    cancelled = Signal()
    progressed = Signal(object, object, str)

    _running: set["Job"] = set()

    def __init__(self, parent: QWidget | None, title: str, fn: Callable[[JobContext], Any],
                 show_after_ms: int = 500) -> None:
        super().__init__(parent)
        self.title = title
        self.ctx = JobContext()
        self.thread = QThread()
        self.worker = _Worker(fn, self.ctx)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        self.dialog: QProgressDialog | None = None
        self._parent = parent
        self._last = (0, 0, "")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_dialog)
        self._show_after = show_after_ms
        self.result: Any = None

    def start(self) -> "Job":
        Job._running.add(self)
        self.thread.start()
        if self._parent is not None:
            self._timer.start(self._show_after)
        return self

    def cancel(self) -> None:
        self.ctx.cancel()

    def _show_dialog(self) -> None:
        if not self.thread.isRunning():
            return
        dlg = QProgressDialog(self.title, "取消", 0, 0, self._parent)
        dlg.setWindowTitle(self.title)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(0)
        dlg.canceled.connect(self.cancel)
        self.dialog = dlg
        self._on_progress(*self._last)
        dlg.show()

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self._last = (done, total, text)
        self.progressed.emit(done, total, text)
        dlg = self.dialog       # setValue() runs the event loop, which may finish the job under us
        if dlg is not None:
            if text:
                dlg.setLabelText(text)
            if total:
                dlg.setMaximum(int(total))
                dlg.setValue(int(min(done, total)))

    def _finish(self) -> None:
        self._timer.stop()
        self.thread.quit()
        self.thread.wait()
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        Job._running.discard(self)

    def _on_finished(self, result: Any) -> None:
        self._finish()
        self.result = result
        self.done.emit(result)

    def _on_failed(self, exc: Exception, _tb: str) -> None:
        self._finish()
        self.error.emit(exc)

    def _on_cancelled(self) -> None:
        self._finish()
        self.cancelled.emit()

    def wait(self, ms: int = 60000) -> bool:
        return self.thread.wait(ms)


def run_job(parent: QWidget | None, title: str, fn: Callable[[JobContext], Any],
            on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[Exception], None] | None = None,
            on_cancel: Callable[[], None] | None = None) -> Job:
    job = Job(parent, title, fn)
    if on_done:
        job.done.connect(on_done)
    if on_error:
        job.error.connect(on_error)
    if on_cancel:
        job.cancelled.connect(on_cancel)
    return job.start()


def shutdown(timeout_ms: int = 30000) -> int:
    """Cancel every running job and wait for its thread (before the window or the program
    closes: a QThread destroyed while running aborts the process). Returns how many there were."""
    running = list(Job._running)
    for job in running:
        job.cancel()
    for job in running:
        job.thread.quit()
        job.thread.wait(timeout_ms)
    return len(running)
