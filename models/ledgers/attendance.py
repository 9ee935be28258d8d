"""考勤表: each worker's days on site in a month, per project, as the project's attendance sheet
records them (one row a worker and month; the daily ticks of the sheet are not kept, only the
month's total). One of the three registers of 三册相符 (``models.projects``)."""
from __future__ import annotations

from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register
from models.projects import normalize_month  # also registers the write services and 三册相符
from models.ledgers.projects import ID_SYNONYMS, NAME_SYNONYMS, PROJECT_REF, TEAM_SYNONYMS

MONTH_SYNONYMS = ("考勤月份", "所属月份", "年月", "考勤年月", "统计月份", "月度", "考勤期间", "考勤时间",
                  "工资月份", "发放月份", "计薪月份", "工资所属期", "所属期")


def month_ok(value, row) -> str | None:
    """A month written any common way (2026-10, 2026年10月, 2026/10, 202610, a date in it)."""
    if value and normalize_month(value) is None:
        return f"月份“{value}”无法识别（可写作 2026-10 或 2026年10月）"
    return None


def days_ok(value, row) -> str | None:
    if value is not None and value > 31:
        return f"一个月的出勤天数不能超过 31 天（现为 {value} 天）"
    return None


ATTENDANCE = register(Ledger(
    kind="attendance", title="农民工考勤表", table="project_attendance",
    key=("project_id", "month", "name", "id_number"), order_by="project_id, month DESC, id",
    parent="project_id", label_field="name",
    fields=(
        PROJECT_REF,
        F("month", "月份", required=True, width=7, filter=True, validators=(month_ok,), synonyms=MONTH_SYNONYMS),
        F("name", "姓名", required=True, width=6, search=True, synonyms=NAME_SYNONYMS),
        F("id_number", "身份证号码", "id_number", width=15, search=True, synonyms=ID_SYNONYMS),
        F("team", "班组", width=8, synonyms=TEAM_SYNONYMS),
        F("days", "出勤天数", "int", required=True, width=6, sum=True, validators=(days_ok,),
          synonyms=("出勤（天）", "出勤天数（天）", "实际出勤天数", "实出勤天数", "出勤合计", "合计出勤", "考勤天数",
                    "工作天数", "实际工作天数", "出工天数", "出勤日数", "出勤", "合计天数", "本月出勤天数",
                    "出勤天数合计", "实出勤")),
        F("notes", "备注", width=10, in_table=False),
    ),
))
