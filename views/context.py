"""What every page is given: the store, who is working, preferences, and a bus
that says when data changed. Built once in desktop/ and passed down."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from models.db import Store
from models.prefs import Prefs


class DataBus(QObject):
    changed = Signal(str)          # table name, or "" for everything
    status = Signal(str)           # a message for the status bar


@dataclass
class AppContext:
    store: Store
    prefs: Prefs
    bus: DataBus
    today: Callable[[], _dt.date] = field(default=_dt.date.today)
    navigate: Callable[[str], None] = field(default=lambda key: None)
    prefetch: Any = None            # models.warm_start.DashboardPrefetch started before the window

    @property
    def store_path(self) -> str:
        return str(self.store.path)

    @property
    def user(self) -> str:
        return self.store.user

    @property
    def actor(self):
        """The logged-in account (models.access.Actor), kept on the store: every write and every
        dialog that opens its own store takes it from here. None only before any account exists."""
        return self.store.actor

    def changed(self, table: str = "") -> None:
        self.bus.changed.emit(table)
