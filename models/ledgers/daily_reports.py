"""日报告 / 零报告: each workstream's daily return (篇五 信访维稳专班: 坚持零报告和日报告制度).
One return per workstream per day; a day with nothing new is a 零报告."""
from __future__ import annotations

import datetime as _dt

from models.checks import Finding, rule
from models.db import Store
from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register

NUMBERS = ("new_cases", "new_petitions", "new_resolved", "repaid_fen")


def _zero_means_nothing(row: dict) -> list[tuple[str, str]]:
    if row.get("is_zero") and any((row.get(n) or 0) for n in NUMBERS):
        return [("is_zero", "零报告不应有新增线索、信访、化解或兑付数，请取消“零报告”或把数字改为 0")]
    return []


# the columns a clerk works by, shown first and, on a small screen (1366×768 at 125 % or 150 %),
# fitted to the window before the others (views/ledger_table.py):
# 报告日期 专班 零报告 新增欠薪线索 新增信访 当日化解 当日兑付金额 报告人
KEY_COLUMNS = ("report_on", "workstream_id", "is_zero", "new_cases", "new_petitions", "new_resolved",
               "repaid_fen", "reporter")

DAILY = register(Ledger(
    kind="daily_reports", title="日报告（零报告）台账", table="daily_report", key=("report_on", "workstream_id"),
    order_by="report_on DESC, workstream_id", workstream_field="workstream_id", label_field="report_on",
    fields=(
        F("report_on", "报告日期", "date", required=True, width=10, filter=True, synonyms=("日期", "填报日期")),
        F("workstream_id", "专班", "ref", ref_table="workstream", required=True, width=14, filter=True,
          synonyms=("报告专班", "工作专班", "填报专班", "责任专班")),
        F("is_zero", "零报告", "bool", width=5, filter=True, synonyms=("是否零报告",)),
        F("new_cases", "新增欠薪线索", "int", width=7, sum=True, synonyms=("新增线索", "新增问题", "新增欠薪问题")),
        F("new_petitions", "新增信访", "int", width=6, sum=True, synonyms=("新增信访件", "信访件数")),
        F("new_resolved", "当日化解", "int", width=6, sum=True, synonyms=("化解件数", "当日化解件数", "办结件数")),
        F("repaid_fen", "当日兑付金额", "money", width=12, sum=True, synonyms=("兑付金额", "当日清偿金额", "清偿金额")),
        F("notes", "工作动态", "longtext", width=34, search=True, synonyms=("主要工作", "工作情况", "备注", "情况说明")),
        F("reporter", "报告人", width=7, synonyms=("填报人", "联络员")),
    ),
    row_rules=(_zero_means_nothing,),
    extra={"key_columns": KEY_COLUMNS, "page": True, "page_order": 35, "page_title": "日报告 / 零报告",
           "banner": "models.daily:banner"},
))


@rule("daily_reports_unique", "每个专班每天只报一次，零报告无新增数", reads=("daily_report", "workstream"))
def _daily(store: Store, today: _dt.date):
    for r in store.query("SELECT MIN(d.id) AS id, d.report_on, w.name, COUNT(*) AS n FROM daily_report d "
                         "LEFT JOIN workstream w ON w.id = d.workstream_id WHERE d.deleted_at IS NULL "
                         "GROUP BY d.report_on, d.workstream_id HAVING n > 1"):
        yield Finding("daily_reports_unique", "daily_report", r["id"], f"{r['report_on']} {r['name']}",
                      f"同一天报送了 {r['n']} 份日报告")
    for r in store.query("SELECT d.*, w.name FROM daily_report d LEFT JOIN workstream w ON w.id = d.workstream_id "
                         "WHERE d.deleted_at IS NULL AND d.is_zero = 1 AND (d.new_cases > 0 OR d.new_petitions > 0 "
                         "OR d.new_resolved > 0 OR d.repaid_fen > 0)"):
        yield Finding("daily_reports_unique", "daily_report", r["id"], f"{r['report_on']} {r['name']}",
                      _zero_means_nothing(dict(r))[0][1])
