"""专班目标台账: each workstream's target by a date, binding (确保) and stretch (力争), in cases
resolved and in money (paid to workers, or raised for the fund-raising workstreams).

A target may be written as numbers, or left to its percentages: a new target with no 确保 / 力争
numbers takes 确保比例 (60 % unless given) and 力争比例 (80 %) of the workstream's cases and
欠薪金额 (or, for 筹措到位金额, its funds' 计划筹措) as they stand when it is entered
(``models.targets``). 实际 is computed each time from the ledgers, by the same definitions as the
headline figures (``models.figures``: 已化解 cases; 已兑付 without 不存在欠薪).
"""
from __future__ import annotations

from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register

from models.targets import PAID, RAISED  # the ledger's write service lives there

AMOUNT_BASES = (PAID, RAISED)


def actual_cases_sql(t: str = "t") -> str:
    """已化解 cases of the target's workstream (``models.figures`` resolved_cases, per workstream)."""
    return (f"(SELECT COUNT(*) FROM case_record c WHERE c.deleted_at IS NULL AND c.workstream_id = {t}.workstream_id "
            f"AND c.status = '已化解')")


def actual_fen_sql(t: str = "t") -> str:
    """兑付金额: the workstream's cases' 已付 without 不存在欠薪 (``models.figures`` paid_fen); 筹措到位金额:
    its funds' 到位金额 received by the program's today (a fund dated after it is not yet in)."""
    return (f"(CASE WHEN {t}.amount_basis = '筹措到位金额' THEN (SELECT COALESCE(SUM(f.received_fen), 0) FROM fund f "
            f"WHERE f.deleted_at IS NULL AND f.workstream_id = {t}.workstream_id "
            f"AND (f.received_on IS NULL OR f.received_on <= qq_today())) "
            f"ELSE (SELECT COALESCE(SUM(c.total_paid_fen), 0) FROM case_record c WHERE c.deleted_at IS NULL "
            f"AND c.workstream_id = {t}.workstream_id AND c.status != '不存在欠薪') END)")


def _order(row: dict) -> list[tuple[str, str]]:
    out = []
    for sure, strive, what in (("sure_cases", "strive_cases", "件数"), ("sure_fen", "strive_fen", "金额"),
                               ("sure_pct", "strive_pct", "比例")):
        a, b = row.get(sure), row.get(strive)
        if a is not None and b is not None and b < a:
            out.append((strive, f"力争{what}不能低于确保{what}"))
    for name in ("sure_pct", "strive_pct"):
        v = row.get(name)
        if v is not None and v > 100:
            out.append((name, "比例应在 0 到 100 之间"))
    return out


# the columns a clerk works by, shown first and, on a small screen (1366×768 at 125 % or 150 %),
# fitted to the window before the others (views/ledger_table.py):
# 专班 目标时限 确保化解件数 力争化解件数 已化解件数 确保金额 实际金额
KEY_COLUMNS = ("workstream_id", "due_on", "sure_cases", "strive_cases", "actual_cases", "sure_fen",
               "actual_fen")

TARGETS = register(Ledger(
    kind="targets", title="专班目标台账", table="workstream_target", key=("workstream_id", "due_on"),
    order_by="due_on, workstream_id", workstream_field="workstream_id", label_field="due_on",
    fields=(
        F("workstream_id", "专班", "ref", ref_table="workstream", required=True, width=14, filter=True,
          synonyms=("责任专班", "工作专班")),
        F("due_on", "目标时限", "date", required=True, width=9, filter=True, synonyms=("完成时限", "截止日期", "时限")),
        F("sure_pct", "确保比例（%）", "int", width=6, synonyms=("确保比例", "确保", "确保目标比例")),
        F("strive_pct", "力争比例（%）", "int", width=6, synonyms=("力争比例", "力争", "力争目标比例")),
        F("sure_cases", "确保化解件数", "int", width=7, sum=True, synonyms=("确保件数", "确保化解问题数")),
        F("strive_cases", "力争化解件数", "int", width=7, sum=True, synonyms=("力争件数", "力争化解问题数")),
        F("actual_cases", "已化解件数", "int", stored=False, editable=False, width=7, sum=True,
          expr=actual_cases_sql, export=True),
        F("amount_basis", "金额口径", "choice", choices=AMOUNT_BASES, width=8, filter=True,
          synonyms=("金额类别", "金额指标")),
        F("sure_fen", "确保金额", "money", width=11, sum=True, synonyms=("确保兑付金额", "确保筹措金额")),
        F("strive_fen", "力争金额", "money", width=11, sum=True, synonyms=("力争兑付金额", "力争筹措金额")),
        F("actual_fen", "实际金额", "money", stored=False, editable=False, width=11, sum=True,
          expr=actual_fen_sql, export=True),
        F("notes", "备注", "longtext", width=16, in_table=False, synonyms=("说明",)),
    ),
    row_rules=(_order,),
    extra={"key_columns": KEY_COLUMNS, "page": True, "page_order": 38, "page_title": "专班目标"},
))
