"""The areas of the window, in navigation order. Each page is built on first visit,
so start-up pays only for the first one."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from PySide6.QtWidgets import QWidget

from views.context import AppContext


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    factory: str          # "module:Class", imported when the page is first shown

    def build(self, ctx: AppContext) -> QWidget:
        module, cls = self.factory.split(":")
        return getattr(importlib.import_module(module), cls)(ctx)


PAGES: list[PageSpec] = [
    PageSpec("cases", "欠薪问题台账", "views.case_page:CasePage"),
    PageSpec("workers", "农民工名册", "views.worker_page:WorkerPage"),
    PageSpec("warnings", "预警", "views.warnings_page:WarningsPage"),
    PageSpec("recycle", "回收站", "views.recycle_page:RecyclePage"),
    PageSpec("setup", "专项行动设置", "views.setup_page:SetupPage"),
]


def page(key: str) -> PageSpec:
    for p in PAGES:
        if p.key == key:
            return p
    raise KeyError(key)
