"""工资发放表: what each worker was due and paid for a month, per project, as the monthly payroll
(代发工资明细) records it. One of the three registers of 三册相符 (``models.projects``)."""
from __future__ import annotations

from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register
from models.ledgers.attendance import MONTH_SYNONYMS, days_ok, month_ok
import models.projects  # noqa: F401  (the write services and the 三册相符 rule)
from models.ledgers.projects import ID_SYNONYMS, NAME_SYNONYMS, PROJECT_REF, TEAM_SYNONYMS


def _paid_not_above_due(row: dict) -> list[tuple[str, str]]:
    due, paid = row.get("payable_fen") or 0, row.get("paid_fen") or 0
    if due and paid > due:
        from models.values import fen_to_yuan_text as y
        return [("paid_fen", f"实发工资 {y(paid)} 元超过应发工资 {y(due)} 元")]
    return []


PAYROLL = register(Ledger(
    kind="payroll", title="农民工工资发放表", table="project_payroll",
    key=("project_id", "month", "name", "id_number"), order_by="project_id, month DESC, id",
    parent="project_id", label_field="name",
    fields=(
        PROJECT_REF,
        F("month", "月份", required=True, width=7, filter=True, validators=(month_ok,),
          synonyms=("发放月份", "工资月份", "计薪月份", "工资所属期", "所属期", "所属月份", "工资所属月份",
                    *MONTH_SYNONYMS)),
        F("name", "姓名", required=True, width=6, search=True, synonyms=NAME_SYNONYMS),
        F("id_number", "身份证号码", "id_number", width=15, search=True, synonyms=ID_SYNONYMS),
        F("team", "班组", width=8, in_table=False, synonyms=TEAM_SYNONYMS),
        F("days", "计薪天数", "int", width=6, sum=True, validators=(days_ok,),
          synonyms=("出勤天数", "工作天数", "出工天数", "考勤天数", "实际出勤天数", "计发天数", "工日", "出勤（天）",
                    "出勤", "天数", "计酬天数", "工资天数")),
        F("payable_fen", "应发工资", "money", width=10, sum=True,
          synonyms=("应发金额", "应发合计", "应付工资", "应发工资总额", "工资总额", "应发数", "应得工资", "应发",
                    "应发工资额", "本月应发")),
        F("paid_fen", "实发工资", "money", required=True, width=10, sum=True,
          synonyms=("实发金额", "实发数", "实领工资", "实发合计", "实付工资", "实付金额", "发放金额", "本月实发",
                    "实发", "实发工资额", "实领金额", "代发金额")),
        F("bank_card", "银行卡号", "bank_card", width=15, in_table=False),
        F("paid_on", "发放日期", "date", width=9, synonyms=("发放时间", "支付日期", "代发日期", "发薪日期")),
        F("notes", "备注", width=10, in_table=False, synonyms=("签名", "领款人签字")),
    ),
    row_rules=(_paid_not_above_due,),
))
