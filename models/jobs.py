"""Long work as plain functions: ``run(ctx) -> result``.

A job reports progress through ``ctx.progress(done, total, text)`` and stops with
``Cancelled`` when asked to; it can be run and tested with no Qt. ``views.jobs``
runs the same functions on a worker thread behind a progress dialog.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable


class Cancelled(Exception):
    """The user cancelled; whatever the job wrote has been rolled back."""


@dataclass
class JobContext:
    on_progress: Callable[[int, int, str], None] | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def progress(self, done: int, total: int, text: str = "") -> None:
        """Report progress; raises ``Cancelled`` when a cancel was asked for."""
        if self.cancel_event.is_set():
            raise Cancelled("已取消")
        if self.on_progress is not None:
            self.on_progress(done, total, text)

    def check(self) -> None:
        if self.cancel_event.is_set():
            raise Cancelled("已取消")

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()


NULL = JobContext()
