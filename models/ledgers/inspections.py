"""排查台账: each inspection of an employer or a project (篇四: 实名制管理、工资专用账户、总包代发、
工资保证金、维权信息告示牌, wages paid in full and on time), the hidden risks found (隐患) and
their rectification until 销号."""
from __future__ import annotations

import datetime as _dt

from models.checks import Finding, rule
from models.db import Store
from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register

TARGET_TYPES = ("工程项目", "用人单位")
STATUSES = ("无隐患", "待整改", "整改中", "已销号")
OPEN_STATUSES = ("待整改", "整改中")
# (field, label): the checklist; the first five are the wage-payment rules of construction projects
CHECKS = (("real_name", "实名制管理"), ("wage_account", "工资专用账户"), ("gc_pays", "总包代发"),
          ("deposit", "工资保证金"), ("notice_board", "维权信息告示牌"), ("paid_in_full", "工资足额按时发放"))
PROJECT_ONLY = {"real_name", "wage_account", "gc_pays", "deposit", "notice_board"}


def failed_checks(row: dict) -> list[str]:
    out = []
    for name, label in CHECKS:
        if name in PROJECT_ONLY and row.get("target_type") != "工程项目":
            continue
        if name in row and not row.get(name):
            out.append(label)
    return out


def _status_rules(row: dict) -> list[tuple[str, str]]:
    out = []
    status, hazard = row.get("status") or "", (row.get("hazard") or "").strip()
    if hazard and status == "无隐患":
        out.append(("status", "已填写发现的隐患，整改状态不能为“无隐患”"))
    if not hazard and status in OPEN_STATUSES + ("已销号",):
        out.append(("hazard", f"整改状态为“{status}”，须填写发现的隐患"))
    if status == "无隐患" and failed_checks(row):
        out.append(("hazard", f"{'、'.join(failed_checks(row))}未落实，应作为隐患登记并限期整改"))
    if status == "已销号" and not row.get("closed_on"):
        out.append(("closed_on", "已销号的隐患须填写销号日期"))
    if row.get("closed_on") and status != "已销号":
        out.append(("status", "填写了销号日期，整改状态应为“已销号”"))
    if hazard and status in OPEN_STATUSES and not row.get("rectify_by"):
        out.append(("rectify_by", "发现隐患须明确整改时限"))
    day = row.get("inspected_on")
    for name, label in (("rectify_by", "整改时限"), ("closed_on", "销号日期")):
        if day and row.get(name) and row[name] < day:
            out.append((name, f"{label} {row[name]} 早于排查日期 {day}"))
    return out


# the columns a clerk works by, shown first and, on a small screen (1366×768 at 125 % or 150 %),
# fitted to the window before the others (views/ledger_table.py):
# 编号 排查日期 对象类型 排查对象 整改状态 整改时限 排查人员
KEY_COLUMNS = ("insp_no", "inspected_on", "target_type", "target_name", "status", "rectify_by", "inspectors")

INSPECTIONS = register(Ledger(
    kind="inspections", title="欠薪隐患排查台账", table="inspection", key=("insp_no",),
    order_by="inspected_on DESC, id DESC", workstream_field="workstream_id", label_field="target_name",
    fields=(
        F("insp_no", "编号", required=True, width=8, search=True, synonyms=("排查编号", "序号编号")),
        F("inspected_on", "排查日期", "date", required=True, width=8, filter=True,
          synonyms=("检查日期", "排查时间", "检查时间")),
        F("target_type", "对象类型", "choice", choices=TARGET_TYPES, width=6, filter=True, synonyms=("排查对象类型",)),
        F("target_name", "排查对象", required=True, width=17, search=True,
          synonyms=("被检查单位", "单位名称", "项目名称", "用人单位", "排查单位（项目）")),
        F("status", "整改状态", "choice", choices=STATUSES, required=True, width=6, filter=True,
          synonyms=("整改情况", "状态")),
        F("real_name", "实名制", "bool", width=4, synonyms=("实名制管理", "落实实名制")),
        F("wage_account", "专用账户", "bool", width=4, synonyms=("工资专用账户", "农民工工资专用账户")),
        F("gc_pays", "总包代发", "bool", width=4, synonyms=("总包代发工资", "总承包单位代发")),
        F("deposit", "保证金", "bool", width=4, synonyms=("工资保证金", "缴存工资保证金")),
        F("notice_board", "告示牌", "bool", width=4, synonyms=("维权信息告示牌", "维权告示牌", "维权公示牌")),
        F("paid_in_full", "足额发放", "bool", width=4, synonyms=("工资足额按时发放", "按时足额支付", "足额按时发放")),
        F("hazard", "发现隐患", "longtext", width=26, search=True, synonyms=("存在问题", "隐患", "发现问题")),
        F("measures", "整改措施", "longtext", width=20, in_table=False, synonyms=("整改要求", "处理措施")),
        F("rectify_by", "整改时限", "date", width=8, synonyms=("整改期限", "限期")),
        F("closed_on", "销号日期", "date", width=8, synonyms=("整改完成日期", "销号时间")),
        F("inspectors", "排查人员", width=9, search=True, synonyms=("检查人员", "检查人")),
        F("workstream_id", "责任专班", "ref", ref_table="workstream", width=12, filter=True, in_table=False,
          synonyms=("专班",)),
        F("notes", "备注", "longtext", width=12, in_table=False),
    ),
    row_rules=(_status_rules,),
    extra={"key_columns": KEY_COLUMNS, "page": True, "page_order": 33, "page_title": "排查台账",
           # the construction-site rules are left blank for an employer that is not a project
           "blank_when": {name: ("target_type", "用人单位") for name in PROJECT_ONLY},
           "decorate": "models.inspections:decorator",
           # what the row colours of models.inspections.decorator mean, shown above the table
           "legend": (("#f8d7da", "超过整改时限未销号"), ("#fff3cd", "隐患整改中")),
           "banner": "models.inspections:banner"},
))


@rule("inspections_rectified", "排查隐患整改状态与日期相符", reads=("inspection",))
def _inspections(store: Store, today: _dt.date):
    for r in store.query("SELECT * FROM inspection WHERE deleted_at IS NULL"):
        for _name, message in _status_rules(dict(r)):
            yield Finding("inspections_rectified", "inspection", r["id"], f"{r['insp_no']} {r['target_name']}", message)
