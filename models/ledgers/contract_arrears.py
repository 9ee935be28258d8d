"""拖欠工程款台账: money a project owner (建设单位) owes a contractor, the upstream cause of many
wage cases; its repayment plan (分期还款计划) and the wage cases it caused."""
from __future__ import annotations

import datetime as _dt
import re

from models.checks import CASE_NOS, Finding, rule
from models.db import Store
from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register
from models.ledger.repo import missing_case_nos
from models.values import fen_to_yuan_text as _y

CASE_NO_SPLIT = re.compile(r"[\s,，、;；/]+")
# computed columns, as SQL over a contract_arrear row called ``t`` (LedgerRepo.column_sql)
def owed_sql(t: str = "t") -> str:
    return f"(CASE WHEN {t}.settled_fen > 0 THEN {t}.settled_fen ELSE {t}.contract_fen END) - {t}.paid_fen"


def plan_left_sql(t: str = "t") -> str:
    return ("(SELECT COALESCE(SUM(i.amount_fen - i.paid_amount_fen), 0) FROM contract_instalment i "
            f"WHERE i.contract_id = {t}.id AND i.deleted_at IS NULL)")


def next_due_sql(t: str = "t") -> str:
    return (f"(SELECT MIN(i.due_on) FROM contract_instalment i WHERE i.contract_id = {t}.id "
            "AND i.deleted_at IS NULL AND i.paid_amount_fen < i.amount_fen)")


def status_sql(t: str = "t") -> str:
    """逾期未还 against the program's today (qq_today(), the day the store is told), not the clock."""
    return (f"CASE WHEN {owed_sql(t)} <= 0 THEN '已结清' WHEN (SELECT COUNT(*) FROM contract_instalment i "
            f"WHERE i.contract_id = {t}.id AND i.deleted_at IS NULL) = 0 THEN '未定计划' "
            f"WHEN {next_due_sql(t)} < qq_today() THEN '逾期未还' ELSE '按计划化解' END")
STATUSES = ("未定计划", "按计划化解", "逾期未还", "已结清")


# Each payment against an instalment (登记还款) is a dated record of its own (``contract_payment``,
# migration step 19): the instalment keeps only its latest 实还日期 and the sum. A report for a
# period sums the payments by their own dates (two parameters: first and last day).
REPAID_BETWEEN_SQL = (
    "SELECT COALESCE(SUM(p.amount_fen), 0) FROM contract_payment p "
    "JOIN contract_instalment i ON i.id = p.instalment_id JOIN contract_arrear c ON c.id = i.contract_id "
    "WHERE p.deleted_at IS NULL AND i.deleted_at IS NULL AND c.deleted_at IS NULL AND p.paid_on BETWEEN ? AND ?")


def split_case_nos(text: str | None) -> list[str]:
    return [p for p in CASE_NO_SPLIT.split(text or "") if p]


def _amounts(row: dict) -> list[tuple[str, str]]:
    out = []
    basis = row.get("settled_fen") or row.get("contract_fen") or 0
    if (row.get("settled_fen") or 0) > (row.get("contract_fen") or 0) * 13 // 10 and row.get("contract_fen"):
        out.append(("settled_fen", "结算金额超过合同金额的 130%，请核实"))
    if (row.get("paid_fen") or 0) > basis:
        out.append(("paid_fen", f"已付工程款 {_y(row.get('paid_fen'))} 元超过{'结算' if row.get('settled_fen') else '合同'}金额"))
    elif (row.get("labour_fen") or 0) > basis - (row.get("paid_fen") or 0):
        out.append(("labour_fen", "其中人工费超过拖欠工程款"))
    return out


# the columns a clerk works by, shown first and, on a small screen (1366×768 at 125 % or 150 %),
# fitted to the window before the others (views/ledger_table.py):
# 编号 项目名称 建设单位 施工单位 拖欠工程款 下期还款日 化解情况
KEY_COLUMNS = ("arrear_no", "project_name", "owner_unit", "contractor", "owed_fen", "next_due", "status")

CONTRACTS = register(Ledger(
    kind="contract_arrears", title="拖欠工程款台账", table="contract_arrear", key=("arrear_no",),
    order_by="arrear_no", workstream_field="workstream_id", label_field="project_name",
    fields=(
        F("arrear_no", "编号", required=True, width=8, search=True, synonyms=("序号编号", "台账编号")),
        F("project_name", "项目名称", required=True, width=13, search=True, synonyms=("工程名称", "工程项目", "项目")),
        F("owner_unit", "建设单位", required=True, width=10, search=True, synonyms=("业主单位", "发包单位", "欠款单位")),
        F("contractor", "施工单位", required=True, width=10, search=True,
          synonyms=("承包单位", "总承包单位", "施工总承包单位", "被欠款单位")),
        F("gov_invested", "政府投资", "bool", width=5, filter=True, in_table=False, synonyms=("是否政府投资项目", "政府投资项目")),
        F("contract_fen", "合同金额", "money", width=9, sum=True, synonyms=("合同价款", "合同价", "中标金额")),
        F("settled_fen", "结算金额", "money", width=9, sum=True, synonyms=("审计结算金额", "结算价款", "决算金额")),
        F("paid_fen", "已付工程款", "money", width=9, sum=True, synonyms=("已支付工程款", "已付金额", "累计支付")),
        F("owed_fen", "拖欠工程款", "money", stored=False, editable=False, width=9, sum=True, expr=owed_sql,
          min_value=None, synonyms=("欠款金额", "拖欠金额")),
        F("labour_fen", "其中人工费", "money", width=8, sum=True, synonyms=("人工费", "其中农民工工资", "人工费用")),
        F("plan_left_fen", "计划待还", "money", stored=False, editable=False, width=11, sum=True,
          expr=plan_left_sql, export=False, in_table=False),
        F("next_due", "下期还款日", "date", stored=False, editable=False, width=8, expr=next_due_sql, export=False),
        F("status", "化解情况", "choice", choices=STATUSES, stored=False, editable=False, width=7, filter=True,
          expr=status_sql, export=False),
        F("workstream_id", "责任专班", "ref", ref_table="workstream", width=12, in_table=False, synonyms=("专班",)),
        F("owner_person", "包案责任人", width=7, in_table=False, synonyms=("责任人", "包案领导")),
        F("case_nos", "关联欠薪问题", width=18, search=True, in_table=False, synonyms=("关联问题编号", "涉及欠薪问题", "问题编号"),
          help="欠薪问题台账中的编号，多个用顿号或逗号分隔"),
        F("notes", "备注", "longtext", width=16, in_table=False),
    ),
    row_rules=(_amounts,),
    extra={"key_columns": KEY_COLUMNS, "page": True, "page_order": 32, "page_title": "拖欠工程款台账", "blank_zero": ("settled_fen",)},
))


def _instalment(row: dict) -> list[tuple[str, str]]:
    out = []
    if (row.get("paid_amount_fen") or 0) > (row.get("amount_fen") or 0):
        out.append(("paid_amount_fen", "实还金额超过本期计划金额"))
    if (row.get("paid_amount_fen") or 0) > 0 and not row.get("paid_on"):
        out.append(("paid_on", "已还款的期次须填写还款日期"))
    if row.get("paid_on") and not (row.get("paid_amount_fen") or 0):
        out.append(("paid_amount_fen", "填写了还款日期，须填写实还金额"))
    return out


INSTALMENTS = register(Ledger(
    kind="contract_instalments", title="工程款分期还款计划", table="contract_instalment",
    key=("contract_id", "seq"), order_by="contract_id, seq", parent="contract_id", label_field="seq",
    fields=(
        F("contract_id", "所属欠款", "ref", ref_table="contract_arrear", ref_label="arrear_no", required=True,
          width=10, in_form=False, synonyms=("编号", "台账编号")),
        F("seq", "期次", "int", required=True, width=5, min_value=1, synonyms=("期数", "第几期")),
        F("due_on", "计划还款日期", "date", required=True, width=11, synonyms=("还款期限", "计划日期")),
        F("amount_fen", "计划还款金额", "money", required=True, width=12, sum=True, min_value=1,
          synonyms=("计划金额", "本期金额")),
        F("paid_on", "实还日期", "date", width=10, editable=False, synonyms=("还款日期", "实际还款日期")),
        F("paid_amount_fen", "实还金额", "money", width=12, sum=True, editable=False,
          synonyms=("已还金额", "实际还款金额"), help="用“登记还款”办理，同时计入已付工程款"),
        F("notes", "备注", width=16),
    ),
    row_rules=(_instalment,),
    extra={"blank_zero": ("paid_amount_fen",)},
))


@rule("contract_arrears_consistent", "拖欠工程款金额、还款计划和关联问题相符",
      reads=("contract_arrear", "contract_instalment", "contract_payment", CASE_NOS))
def _contracts(store: Store, today: _dt.date):
    repaid_sql = ("(SELECT COALESCE(SUM(i.paid_amount_fen), 0) FROM contract_instalment i "
                  "WHERE i.contract_id = t.id AND i.deleted_at IS NULL)")
    for r in store.query(f"SELECT t.*, {owed_sql()} AS owed, {plan_left_sql()} AS plan_left, {repaid_sql} AS repaid "
                         "FROM contract_arrear t WHERE t.deleted_at IS NULL"):
        label = f"{r['arrear_no']} {r['project_name']}"
        for _name, message in _amounts(dict(r)):
            yield Finding("contract_arrears_consistent", "contract_arrear", r["id"], label, message)
        if r["plan_left"] > max(r["owed"], 0):
            yield Finding("contract_arrears_consistent", "contract_arrear", r["id"], label,
                          f"还款计划未还金额 {_y(r['plan_left'])} 元超过拖欠工程款 {_y(r['owed'])} 元")
        if r["repaid"] > r["paid_fen"]:
            yield Finding("contract_arrears_consistent", "contract_arrear", r["id"], label,
                          f"分期还款计划已记实还 {_y(r['repaid'])} 元，已付工程款只有 {_y(r['paid_fen'])} 元")
        nos = split_case_nos(r["case_nos"])
        missing = missing_case_nos(store, nos)
        if missing:
            yield Finding("contract_arrears_consistent", "contract_arrear", r["id"], label,
                          f"关联的欠薪问题 {'、'.join(missing)} 在欠薪问题台账中不存在")
    for r in store.query("SELECT i.*, c.arrear_no FROM contract_instalment i JOIN contract_arrear c "
                         "ON c.id = i.contract_id WHERE i.deleted_at IS NULL AND c.deleted_at IS NULL"):
        for _name, message in _instalment(dict(r)):
            yield Finding("contract_arrears_consistent", "contract_instalment", r["id"],
                          f"{r['arrear_no']} 第{r['seq']}期", message)
    # each payment is a dated record of its own: the instalment's 实还金额 is their sum (a file of a
    # program before step 19, read as it is, has no payments to compare)
    if not store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'contract_payment'"):
        return
    for r in store.query("SELECT i.id, i.seq, i.paid_amount_fen, c.arrear_no, COALESCE((SELECT SUM(p.amount_fen) "
                         "FROM contract_payment p WHERE p.instalment_id = i.id AND p.deleted_at IS NULL), 0) AS paid "
                         "FROM contract_instalment i JOIN contract_arrear c ON c.id = i.contract_id "
                         "WHERE i.deleted_at IS NULL AND c.deleted_at IS NULL"):
        if r["paid"] != r["paid_amount_fen"]:
            yield Finding("contract_arrears_consistent", "contract_instalment", r["id"], f"{r['arrear_no']} 第{r['seq']}期",
                          f"实还金额 {_y(r['paid_amount_fen'])} 元与逐笔还款登记合计 {_y(r['paid'])} 元不符")
