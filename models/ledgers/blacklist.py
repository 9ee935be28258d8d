"""失信联合惩戒名单: employers reported for joint punishment over wage arrears.

Per 《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》 an employer stays listed for three years
(the 移出期限 is computed from the 列入日期, never typed); earlier removal needs the arrears
corrected and at least one year on the list without new arrears, and its reason recorded.
"""
from __future__ import annotations

import datetime as _dt

from models.checks import CASE_NOS, Finding, rule
from models.db import Store
from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register
from models.ledger.repo import missing_case_nos

LIST_YEARS = 3
EARLY_MIN_YEARS = 1
REMOVAL_REASONS = ("期满移出", "信用修复提前移出", "经复核撤销列入", "其他")
# three years on; a 29 February listing ends on 28 February (the month has no 29th)
def removal_due_sql(t: str = "t") -> str:
    """The SQL form of ``removal_due`` (tested equal to it)."""
    return (f"CASE WHEN {t}.listed_on IS NULL OR {t}.listed_on = '' THEN NULL "
            f"WHEN strftime('%m-%d', {t}.listed_on) = '02-29' THEN date({t}.listed_on, '-1 day', '+{LIST_YEARS} years') "
            f"ELSE date({t}.listed_on, '+{LIST_YEARS} years') END")


def status_sql(t: str = "t") -> str:
    """期满待移出 against the program's today (qq_today()), not the clock."""
    return (f"CASE WHEN {t}.removed_on IS NOT NULL AND {t}.removed_on != '' THEN '已移出' "
            f"WHEN {t}.listed_on IS NULL OR {t}.listed_on = '' THEN '已上报待列入' "
            f"WHEN ({removal_due_sql(t)}) <= qq_today() THEN '期满待移出' ELSE '惩戒中' END")
STATUSES = ("已上报待列入", "惩戒中", "期满待移出", "已移出")


def add_years(day: _dt.date, years: int) -> _dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:                      # 29 February
        return day.replace(year=day.year + years, day=28)


def removal_due(listed_on: str | _dt.date | None) -> str | None:
    if not listed_on:
        return None
    d = listed_on if isinstance(listed_on, _dt.date) else _dt.date.fromisoformat(str(listed_on))
    return add_years(d, LIST_YEARS).isoformat()


def _dates(row: dict) -> list[tuple[str, str]]:
    out = []
    rep, lis, rem = row.get("reported_on"), row.get("listed_on"), row.get("removed_on")
    if rep and lis and lis < rep:
        out.append(("listed_on", f"列入日期 {lis} 早于上报日期 {rep}"))
    if rem and not lis:
        out.append(("removed_on", "尚未列入名单，不能填写移出日期"))
    elif rem and lis:
        if rem < lis:
            out.append(("removed_on", f"移出日期 {rem} 早于列入日期 {lis}"))
        elif rem < removal_due(lis):
            reason = row.get("removal_reason") or ""
            if not reason or reason == "期满移出":
                out.append(("removal_reason", f"未满{LIST_YEARS}年（{removal_due(lis)} 期满）提前移出，须写明移出原因"))
            elif reason == "信用修复提前移出" and rem < add_years(_dt.date.fromisoformat(lis), EARLY_MIN_YEARS).isoformat():
                out.append(("removed_on", f"信用修复提前移出须自列入之日起满{EARLY_MIN_YEARS}年"))
    if row.get("removal_reason") and not rem:
        out.append(("removed_on", "填写了移出原因，须填写移出日期"))
    return out


# the columns a clerk works by, shown first and, on a small screen (1366×768 at 125 % or 150 %),
# fitted to the window before the others (views/ledger_table.py):
# 单位名称 统一社会信用代码 法定代表人 列入日期 期满日期 名单状态
KEY_COLUMNS = ("employer_name", "credit_code", "legal_person", "listed_on", "removal_due", "status")

BLACKLIST = register(Ledger(
    kind="blacklist", title="拖欠农民工工资失信联合惩戒对象名单", table="blacklist_entry",
    key=("employer_name", "listed_on"), order_by="reported_on DESC, id DESC", workstream_field="workstream_id",
    label_field="employer_name",
    fields=(
        F("employer_name", "单位名称", required=True, width=15, search=True,
          synonyms=("用人单位", "失信主体名称", "企业名称", "当事人名称")),
        F("credit_code", "统一社会信用代码", "credit_code", width=13, search=True, synonyms=("信用代码", "社会信用代码")),
        F("legal_person", "法定代表人", width=6, synonyms=("法人", "法定代表人（负责人）", "负责人")),
        F("reason", "列入事由", "longtext", required=True, width=17, synonyms=("失信行为", "列入原因", "主要失信事实")),
        F("reported_on", "上报日期", "date", width=8, filter=True, synonyms=("提请日期", "报送日期")),
        F("listed_on", "列入日期", "date", width=8, synonyms=("列入名单日期", "认定日期")),
        F("removal_due", "期满日期", "date", stored=False, editable=False, width=8, expr=removal_due_sql,
          synonyms=("移出期限", "惩戒期满日期")),
        F("removed_on", "移出日期", "date", width=8, synonyms=("移出名单日期",)),
        F("removal_reason", "移出原因", "choice", choices=REMOVAL_REASONS, width=9, synonyms=("移出事由",)),
        F("status", "名单状态", "choice", choices=STATUSES, stored=False, editable=False, width=7, filter=True,
          expr=status_sql),
        F("case_nos", "关联欠薪问题", width=16, search=True, in_table=False, synonyms=("关联问题编号", "问题编号")),
        F("workstream_id", "责任专班", "ref", ref_table="workstream", width=12, in_table=False, synonyms=("专班",)),
        F("notes", "备注", "longtext", width=12, in_table=False),
    ),
    row_rules=(_dates,),
    extra={"key_columns": KEY_COLUMNS, "page": True, "page_order": 36, "page_title": "失信联合惩戒名单"},
))


@rule("blacklist_dates", "失信名单上报、列入、移出日期合理，关联问题存在", reads=("blacklist_entry", CASE_NOS))
def _blacklist(store: Store, today: _dt.date):
    from models.ledgers.contract_arrears import split_case_nos
    for r in store.query("SELECT * FROM blacklist_entry WHERE deleted_at IS NULL"):
        for _name, message in _dates(dict(r)):
            yield Finding("blacklist_dates", "blacklist_entry", r["id"], r["employer_name"], message)
        nos = split_case_nos(r["case_nos"])
        missing = missing_case_nos(store, nos)
        if missing:
            yield Finding("blacklist_dates", "blacklist_entry", r["id"], r["employer_name"],
                          f"关联的欠薪问题 {'、'.join(missing)} 在欠薪问题台账中不存在")
