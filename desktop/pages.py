"""The areas of the window, in navigation order. Each page is built on first visit,
so start-up pays only for the first one.

Declared ledgers with ``extra={"page": True}`` get a page of their own here without
any change to this file (``CUSTOM_PAGES`` names the ledgers with a page of their own;
the generic ledger page is the default)."""
from __future__ import annotations

import importlib
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


def all_pages(store=None) -> list[PageSpec]:
    """Every page; a county database (``store`` given) opens on its townships (县级汇总)."""
    from models.ledger import registry
    from models.exchange.identity import is_county
    first = [COUNTY_PAGE] if store is not None and is_county(store) else []
    ledger_pages = []
    for ledger in registry.all_ledgers():
        if ledger.extra.get("page"):
            ledger_pages.append((ledger.extra.get("page_order", 50), PageSpec(
                f"ledger:{ledger.kind}", ledger.extra.get("page_title", ledger.title),
                CUSTOM_PAGES.get(ledger.kind, GENERIC_LEDGER_PAGE), ledger.kind,
                group=ledger.extra.get("page_group") or LEDGER_GROUPS.get(ledger.kind, "台账"))))
    ledger_pages.sort(key=lambda p: p[0])
    pages = first + BEFORE + [p for _o, p in ledger_pages] + AFTER
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
