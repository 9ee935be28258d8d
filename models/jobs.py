"""Long work as plain functions: ``run(ctx) -> result``.

A job reports progress through ``ctx.progress(done, total, text)`` and stops with
``Cancelled`` when asked to; it can be run and tested with no Qt. ``views.jobs``
runs the same functions on a worker thread behind a progress dialog.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator


class Cancelled(Exception):
    """The user cancelled; whatever the job wrote has been rolled back."""


_gc_lock = threading.Lock()
_gc_holds = [0, False]          # jobs holding the collector off; whether it was on before the first


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold off Python's cycle collector while a job makes millions of small objects (a
    100,000-row import: cells, values, rows). Without this the collector walks them all
    again and again, about half a second of a large import. Reference counting still frees
    everything as usual; the collector is back on when the last such job ends."""
    with _gc_lock:
        if _gc_holds[0] == 0:
            _gc_holds[1] = gc.isenabled()
            gc.disable()
        _gc_holds[0] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holds[0] -= 1
            if _gc_holds[0] == 0 and _gc_holds[1]:
                gc.enable()


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
