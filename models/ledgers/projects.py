"""一项目一档: the project table as a ledger (builder, general contractor, 劳资专管员, the wage
special account, the wage deposit and payment guarantee, start / completion / settlement), and
the project's 农民工花名册 (roster).

The deposit a project must keep (应存工资保证金) is never typed: it is the contract price times
the rate in force for its general contractor, 2 % by default and more for an offender (listed on
the 失信联合惩戒名单, with repeated arrears cases, or marked as having arrears); the rates are
settings (``models.projects.DEFAULT_SETTINGS``). The settlement due date is the completion date
plus the settlement days (工程竣工验收后 40 日内完成结算), also a setting.

The attendance (考勤表) and monthly payroll (工资发放表) are ledgers of their own
(``models.ledgers.attendance``, ``models.ledgers.payroll``); ``models.projects`` compares the
three registers month by month (三册相符).
"""
from __future__ import annotations

import datetime as _dt

from models.checks import Finding, rule, warning
from models.db import Store
from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register
from models.values import fen_to_yuan_text as _y

DEPOSIT_FORMS = ("现金存储", "银行保函", "工程担保公司保函", "工程保证保险", "依规免缴")
GUARANTEE_FORMS = ("银行保函", "工程担保公司保函", "工程保证保险", "未提供")
SETTLE_STATES = ("已结算", "未竣工", "结算期内", "逾期未结算")

from models.projects import (DEFAULTS, SETTLE_DAYS_KEY, deposit_due_sql, offender_sql, rate_sql,  # noqa: F401
                             settle_due_sql, settle_state_sql)


def _dates(row: dict) -> list[tuple[str, str]]:
    out = []
    s, c, d = row.get("started_on"), row.get("completed_on"), row.get("settled_on")
    if s and c and c < s:
        out.append(("completed_on", f"竣工验收日期 {c} 早于开工日期 {s}"))
    if d and not c:
        out.append(("settled_on", "尚未填写竣工验收日期，不能填写结算日期"))
    elif d and c and d < c:
        out.append(("settled_on", f"结算日期 {d} 早于竣工验收日期 {c}"))
    if (row.get("settlement_fen") or 0) > 0 and not d:
        out.append(("settled_on", "已填写结算金额，须填写结算日期"))
    return out


def _account_digits(value, row) -> str | None:
    text = str(value or "").replace(" ", "").replace("-", "")
    if text and not text.isdigit():
        return "专户账号只能由数字组成"
    if text and not 8 <= len(text) <= 32:
        return f"专户账号应为 8 至 32 位数字（现为 {len(text)} 位）"
    return None


PROJECTS = register(Ledger(
    kind="projects", title="工程项目台账（一项目一档）", table="project", managed=False,
    key=("name",), order_by="id DESC", label_field="name",
    extra={"page": False, "blank_zero": ("settlement_fen", "guarantee_fen"),
           "table_columns": ("name", "owner_unit", "general_contractor", "labor_manager", "contract_fen",
                             "deposit_rate", "deposit_due_fen", "deposit_fen", "completed_on", "settle_due",
                             "settled_on", "settle_state")},
    fields=(
        F("name", "项目名称", required=True, width=20, search=True,
          synonyms=("工程名称", "工程项目名称", "项目（工程）名称", "项目全称", "在建项目名称", "建设项目名称")),
        F("owner_unit", "建设单位", width=16, search=True,
          synonyms=("业主单位", "项目建设单位", "发包单位", "建设单位名称", "业主")),
        F("general_contractor", "施工总承包单位", width=16, search=True,
          synonyms=("总承包单位", "总包单位", "施工单位", "总包企业", "总承包企业", "施工总包单位", "中标单位")),
        F("subcontractor", "分包单位", width=14, in_table=False,
          synonyms=("劳务分包单位", "专业分包单位", "劳务公司", "分包企业")),
        F("gov_invested", "政府投资项目", "bool", width=5, filter=True, in_table=False,
          synonyms=("是否政府投资", "政府投资", "国有资金投资")),
        F("address", "项目地址", width=16, in_table=False, synonyms=("建设地点", "项目地点", "地址")),
        F("labor_manager", "劳资专管员", width=7, search=True,
          synonyms=("劳资专管人员", "劳资管理员", "劳资员", "工资专管员")),
        F("labor_manager_phone", "专管员电话", "phone", width=9, in_table=False,
          synonyms=("劳资专管员电话", "劳资专管员联系电话", "专管员联系电话")),
        F("wage_bank", "专户开户银行", width=12, in_table=False,
          synonyms=("农民工工资专用账户开户银行", "专户开户行", "工资专户开户行", "开户银行", "开户行")),
        F("wage_account", "专户账号", width=15, in_table=False, validators=(_account_digits,),
          synonyms=("农民工工资专用账户", "农民工工资专用账户账号", "工资专户账号", "专用账户账号", "工资专户")),
        F("contract_fen", "合同价款", "money", width=11, sum=True,
          synonyms=("合同金额", "合同价", "中标价", "中标金额", "工程合同价款", "合同造价", "施工合同价款")),
        F("contractor_arrears", "总包单位有拖欠记录", "bool", width=5, in_table=False,
          synonyms=("有拖欠工资行为", "存在拖欠行为"),
          help="经认定存在拖欠农民工工资行为的总承包单位，按较高比例存储工资保证金"),
        F("deposit_rate", "保证金比例", stored=False, editable=False, width=5,
          expr=lambda t: f"printf('%g%%', {rate_sql(t)})", export=True),
        F("deposit_due_fen", "应存保证金", "money", stored=False, editable=False, width=10, sum=True,
          expr=deposit_due_sql),
        F("deposit_fen", "已存保证金", "money", width=10, sum=True,
          synonyms=("工资保证金", "保证金金额", "已缴工资保证金", "工资保证金金额", "实存保证金")),
        F("deposit_form", "保证金存储方式", "choice", choices=DEPOSIT_FORMS, width=8, in_table=False,
          synonyms=("存储方式", "保证金形式")),
        F("deposit_on", "保证金存储日期", "date", width=9, in_table=False,
          synonyms=("存储日期", "保证金缴存日期", "缴存日期")),
        F("guarantee_form", "工程款支付担保", "choice", choices=GUARANTEE_FORMS, width=8, in_table=False,
          synonyms=("支付担保", "工程款支付担保形式", "支付担保方式")),
        F("guarantee_fen", "担保金额", "money", width=10, in_table=False, synonyms=("支付担保金额",)),
        F("started_on", "开工日期", "date", width=9, in_table=False, synonyms=("开工时间", "实际开工日期")),
        F("completed_on", "竣工验收日期", "date", width=9,
          synonyms=("竣工日期", "竣工验收时间", "竣工时间", "完工日期")),
        F("settle_due", "结算期限", "date", stored=False, editable=False, width=9, expr=settle_due_sql),
        F("settled_on", "结算日期", "date", width=9, synonyms=("完成结算日期", "竣工结算日期", "结算时间")),
        F("settlement_fen", "结算金额", "money", width=10, in_table=False, synonyms=("竣工结算金额", "结算价款")),
        F("settle_state", "结算情况", "choice", choices=SETTLE_STATES, stored=False, editable=False, width=7,
          filter=True, expr=settle_state_sql),
        F("notes", "备注", "longtext", width=14, in_table=False, synonyms=("说明",)),
    ),
    row_rules=(_dates,),
))


def _roster_dates(row: dict) -> list[tuple[str, str]]:
    a, b = row.get("entered_on"), row.get("left_on")
    if a and b and b < a:
        return [("left_on", f"退场日期 {b} 早于进场日期 {a}")]
    return []


PROJECT_REF = F("project_id", "项目名称", "ref", ref_table="project", ref_label="name", required=True, width=16,
                synonyms=("工程名称", "项目", "工程项目名称", "所属项目", "项目（工程）名称"))
NAME_SYNONYMS = ("农民工姓名", "工人姓名", "职工姓名", "人员姓名", "员工姓名", "劳务人员姓名", "务工人员姓名",
                 "劳动者姓名", "名字")
ID_SYNONYMS = ("身份证号码", "身份证号", "身份证", "公民身份号码", "身份证件号码", "证件号码", "身份证号码（18位）")
TEAM_SYNONYMS = ("所属班组", "班组名称", "班组长", "劳务班组")

ROSTER = register(Ledger(
    kind="roster", title="农民工花名册", table="project_roster", key=("project_id", "name", "id_number"),
    order_by="project_id, id", parent="project_id", label_field="name",
    fields=(
        PROJECT_REF,
        F("name", "姓名", required=True, width=6, search=True, synonyms=NAME_SYNONYMS),
        F("id_number", "身份证号码", "id_number", width=15, search=True, synonyms=ID_SYNONYMS),
        F("team", "班组", width=8, synonyms=TEAM_SYNONYMS),
        F("trade", "工种", width=6),
        F("phone", "联系电话", "phone", width=9, in_table=False),
        F("bank_card", "工资卡号", "bank_card", width=15, in_table=False),
        F("entered_on", "进场日期", "date", width=9),
        F("left_on", "退场日期", "date", width=9),
        F("contract_signed", "签订劳动合同", "bool", width=5, synonyms=("是否签订劳动合同", "劳动合同", "已签合同")),
        F("notes", "备注", width=10, in_table=False),
    ),
    row_rules=(_roster_dates,),
))


@rule("project_deposit", "工资保证金按合同价款足额存储（失信、多次拖欠的总包单位比例提高）",
      reads=("project", "blacklist_entry", "case_record", "setting"))
def _deposit(store: Store, today: _dt.date):
    for r in store.query(
            f"SELECT t.id, t.name, t.deposit_fen, {deposit_due_sql('t')} AS due, {rate_sql('t')} AS rate, "
            f"{offender_sql('t')} AS offender FROM project t WHERE t.deleted_at IS NULL AND t.contract_fen > 0 "
            "AND COALESCE(t.started_on, '') != '' ORDER BY t.id"):
        if r["deposit_fen"] < r["due"]:
            why = "（总包单位属失信或多次拖欠，按较高比例）" if r["offender"] else ""
            yield Finding("project_deposit", "project", r["id"], r["name"],
                          f"应存工资保证金 {_y(r['due'])} 元（合同价款的 {r['rate']:g}%）{why}，"
                          f"已存 {_y(r['deposit_fen'])} 元，差 {_y(r['due'] - r['deposit_fen'])} 元")


# late work, not a contradiction in the data: a work warning (预警), as 逾期问题 is
@warning("project_settlement", "竣工验收后逾期未结算的项目", "个")
def _settlement(store: Store, today: _dt.date):
    days = int(store.get_setting(SETTLE_DAYS_KEY, DEFAULTS[SETTLE_DAYS_KEY]))
    for r in store.query("SELECT id, name, completed_on FROM project WHERE deleted_at IS NULL "
                         "AND COALESCE(completed_on, '') != '' AND COALESCE(settled_on, '') = '' "
                         "ORDER BY completed_on, id"):
        due = _dt.date.fromisoformat(r["completed_on"][:10]) + _dt.timedelta(days=days)
        if today > due:
            yield Finding("project_settlement", "project", r["id"], r["name"],
                          f"{r['completed_on']} 竣工验收，应于 {due.isoformat()} 前完成结算（{days} 日内），"
                          f"已逾期 {(today - due).days} 天仍未结算")

