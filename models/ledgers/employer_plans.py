"""一企一策: for each employer with arrears, the measures agreed to clear them, each with its
responsible person, start and due dates, progress and status."""
from __future__ import annotations

import datetime as _dt

from models.checks import Finding, rule, warning
from models.db import Store
from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register

STATUSES = ("未启动", "推进中", "已完成", "已中止")
OPEN_STATUSES = ("未启动", "推进中")


def _plan_rules(row: dict) -> list[tuple[str, str]]:
    out = []
    start, due = row.get("start_on"), row.get("due_on")
    if start and due and due < start:
        out.append(("due_on", f"完成时限 {due} 早于开始日期 {start}"))
    pct = row.get("progress_pct")
    if pct is not None and pct != "" and not 0 <= int(pct) <= 100:
        out.append(("progress_pct", "完成进度应在 0 到 100 之间"))
    if row.get("status") == "已完成" and pct not in (None, "") and int(pct) < 100:
        out.append(("progress_pct", "状态为“已完成”，完成进度应为 100%"))
    if row.get("status") == "已完成" and not row.get("done_on"):
        out.append(("done_on", "已完成的措施须填写完成日期"))
    if row.get("done_on") and row.get("status") != "已完成":
        out.append(("status", "填写了完成日期，状态应为“已完成”"))
    return out


# the columns a clerk works by, shown first and, on a small screen (1366×768 at 125 % or 150 %),
# fitted to the window before the others (views/ledger_table.py):
# 用人单位 责任人 完成时限 完成进度% 状态
KEY_COLUMNS = ("employer_id", "responsible", "due_on", "progress_pct", "status")

PLANS = register(Ledger(
    kind="employer_plans", title="一企一策措施台账", table="employer_plan", key=("employer_id", "measure"),
    order_by="employer_id, due_on, id", workstream_field="workstream_id", label_field="measure",
    fields=(
        F("employer_id", "用人单位", "ref", ref_table="employer", ref_label="name", required=True, width=18,
          search=True, synonyms=("单位名称", "企业名称", "用人单位名称")),
        F("measure", "化解措施", "longtext", required=True, width=30, search=True,
          synonyms=("措施", "一企一策措施", "工作措施", "具体措施")),
        F("responsible", "责任人", required=True, width=7, search=True, synonyms=("包案责任人", "责任领导", "包案领导")),
        F("workstream_id", "责任专班", "ref", ref_table="workstream", width=11, filter=True, in_table=False,
          synonyms=("专班",)),
        F("start_on", "开始日期", "date", width=8, synonyms=("启动日期",)),
        F("due_on", "完成时限", "date", required=True, width=8, filter=True, synonyms=("时限", "办结时限", "完成期限")),
        F("progress_pct", "完成进度%", "int", width=6, synonyms=("进度", "完成比例")),
        F("progress", "进展情况", "longtext", width=24, synonyms=("推进情况", "进展")),
        F("status", "状态", "choice", choices=STATUSES, required=True, width=6, filter=True,
          synonyms=("措施状态", "办理状态")),
        F("done_on", "完成日期", "date", width=8, in_table=False, synonyms=("办结日期",)),
        F("notes", "备注", "longtext", width=12, in_table=False),
    ),
    row_rules=(_plan_rules,),
    extra={"key_columns": KEY_COLUMNS, "page": True, "page_order": 37, "page_title": "一企一策措施台账"},
))


@rule("employer_plans_consistent", "一企一策措施日期、进度与状态相符", reads=("employer_plan", "employer"))
def _plans(store: Store, today: _dt.date):
    for r in store.query("SELECT p.*, e.name AS employer FROM employer_plan p LEFT JOIN employer e "
                         "ON e.id = p.employer_id WHERE p.deleted_at IS NULL"):
        for _name, message in _plan_rules(dict(r)):
            yield Finding("employer_plans_consistent", "employer_plan", r["id"], _label(r), message)


def _label(r) -> str:
    return f"{r['employer'] or ''}：{(r['measure'] or '')[:20]}"


@warning("employer_plans_overdue", "逾期一企一策措施", "项")
def _overdue_plans(store: Store, today: _dt.date):
    for r in store.query("SELECT p.id, p.measure, p.due_on, p.status, e.name AS employer FROM employer_plan p "
                         "LEFT JOIN employer e ON e.id = p.employer_id WHERE p.deleted_at IS NULL "
                         "AND p.status IN ('未启动', '推进中') AND p.due_on < ? ORDER BY p.due_on, p.id",
                         (today.isoformat(),)):
        yield Finding("employer_plans_overdue", "employer_plan", r["id"], _label(r),
                      f"完成时限 {r['due_on']} 已过，措施仍为“{r['status']}”")
