"""The areas of the window, in navigation order. Each page is built on first visit,
so start-up pays only for the first one.

Declared ledgers with ``extra={"page": True}`` get a page of their own here without
any change to this file (``CUSTOM_PAGES`` names the ledgers with a page of their own;
the generic ledger page is the default). The window's first frame lists them from
``desktop/ledger_pages.py``, written from the declarations by ``python -m desktop.pages``
(importing the two dozen declarations and the rules they bring took 20-30 ms of the start);
tests/test_ledger_pages.py fails, naming that command, when it no longer matches them."""
from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from views.context import AppContext

GENERIC_LEDGER_PAGE = "views.generic_ledger_page:GenericLedgerPage"
# ledger kind -> its own page, where the generic one does not serve
CUSTOM_PAGES = {"meetings": "views.meeting_page:MeetingPage"}


# the sidebar's groups, in order; a page with no group stands above them (首页, 县级汇总)
GROUPS = ("台账", "会议与督办", "报表", "管理")
# declared ledgers with a page go under 台账 unless they say otherwise (extra["page_group"]) or are here
LEDGER_GROUPS = {"meetings": "会议与督办", "daily_reports": "会议与督办", "action_items": "会议与督办"}


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    factory: str          # "module:Class", imported when the page is first shown
    arg: str | None = None
    group: str = ""       # one of GROUPS, or "" for the pages above the groups

    def build(self, ctx: AppContext) -> QWidget:
        module, cls = self.factory.split(":")
        klass = getattr(importlib.import_module(module), cls)
        return klass(ctx, self.arg) if self.arg is not None else klass(ctx)


BEFORE: list[PageSpec] = [
    PageSpec("dashboard", "首页", "views.dashboard_page:DashboardPage"),
    PageSpec("cases", "欠薪问题台账", "views.case_page:CasePage", group="台账"),
    PageSpec("workers", "农民工名册", "views.worker_page:WorkerPage", group="台账"),
    PageSpec("employers", "一企一策", "views.employers.employer_page:EmployerPage", group="台账"),
    PageSpec("projects", "一项目一档", "views.projects.project_page:ProjectPage", group="台账"),
    PageSpec("warnings", "预警", "views.warnings_page:WarningsPage", group="会议与督办"),
    PageSpec("major", "重大敏感问题", "views.major_page:MajorPage", group="会议与督办"),
    PageSpec("documents", "工作方案及通报", "views.documents.documents_page:DocumentsPage", group="会议与督办"),
]
AFTER: list[PageSpec] = [
    PageSpec("charts", "图表", "views.charts_page:ChartsPage", group="报表"),
    PageSpec("reports", "报表", "views.reports_page:ReportsPage", group="报表"),
    PageSpec("checks", "数据审核", "views.checks_page:ChecksPage", group="报表"),
    PageSpec("audit", "审计日志", "views.audit_page:AuditPage", group="管理"),
    PageSpec("recycle", "回收站", "views.recycle_page:RecyclePage", group="管理"),
    PageSpec("accounts", "账号管理", "views.accounts_page:AccountsPage", group="管理"),
    PageSpec("setup", "专项行动设置", "views.setup_page:SetupPage", group="管理"),
]


COUNTY_PAGE = PageSpec("county", "县级汇总", "views.exchange.county_page:CountyPage")


def declared_ledger_pages() -> list[tuple[int, str, str, str]]:
    """(order, kind, title, group) of each declared ledger with a page, in sidebar order (the
    kinds in alphabetical order where two share a place): what the declarations say."""
    from models.ledger import registry
    out = [(ledger.extra.get("page_order", 50), ledger.kind, ledger.extra.get("page_title", ledger.title),
            ledger.extra.get("page_group") or LEDGER_GROUPS.get(ledger.kind, "台账"))
           for ledger in registry.all_ledgers() if ledger.extra.get("page")]
    return sorted(out, key=lambda p: p[:2])


def _ledger_pages() -> list[tuple[int, str, str, str]]:
    """The declared ledgers' pages: as written into desktop/ledger_pages.py while no declaration
    has been imported yet (the window's start), else as the declarations say (a ledger
    registered while the program runs has its page too)."""
    registry = sys.modules.get("models.ledger.registry")
    if registry is None or not (registry.declarations_loaded() or registry.registered_at_run_time()):
        from desktop.ledger_pages import LEDGER_PAGES
        return list(LEDGER_PAGES)
    return declared_ledger_pages()


def all_pages(store=None) -> list[PageSpec]:
    """Every page; a county database (``store`` given) opens on its townships (县级汇总)."""
    from models.exchange.identity import is_county
    first = [COUNTY_PAGE] if store is not None and is_county(store) else []
    ledger_pages = [PageSpec(f"ledger:{kind}", title, CUSTOM_PAGES.get(kind, GENERIC_LEDGER_PAGE), kind, group=group)
                    for _order, kind, title, group in _ledger_pages()]
    pages = first + BEFORE + ledger_pages + AFTER
    return grouped(pages)


def grouped(pages: list[PageSpec]) -> list[PageSpec]:
    """The pages in sidebar order: those with no group first, then group by group (a page keeps
    its place within its group)."""
    rank = {g: i + 1 for i, g in enumerate(GROUPS)}
    return sorted(pages, key=lambda p: rank.get(p.group, 0 if not p.group else len(GROUPS) + 1))


def page(key: str) -> PageSpec:
    for p in all_pages():
        if p.key == key:
            return p
    raise KeyError(key)


def ledger_pages_text() -> str:
    """What desktop/ledger_pages.py should hold, from the declarations."""
    rows = "".join(f"    {row!r},\n" for row in declared_ledger_pages())
    return ('"""The declared ledgers\' pages in the sidebar: (order, kind, title, group), in order.\n\n'
            "Written by ``python -m desktop.pages`` from the declarations in models/ledgers (the window's\n"
            "first frame lists the pages without importing them); do not edit by hand.\n"
            '"""\n\nLEDGER_PAGES = (\n' + rows + ")\n")


def main(argv: list[str]) -> int:
    """``python -m desktop.pages``: write desktop/ledger_pages.py; with ``--check`` (``make dist``
    runs it), only say whether it matches the declarations (exit 1 when it does not)."""
    from pathlib import Path
    path = Path(__file__).with_name("ledger_pages.py")
    text = ledger_pages_text()
    if "--check" in argv:
        if path.read_text(encoding="utf-8") != text:
            print("desktop/ledger_pages.py 与台账声明不符：请运行 python -m desktop.pages 重写它", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print("已写入 desktop/ledger_pages.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
