"""用人单位名录: the employers the cases name (the ``employer`` table, shared by every ledger that
names an employer), declared here so it can be exported (``qingqian export employers``), imported
and searched like any ledger, with each employer's summary computed in SQL: its cases, the wages
owed, paid and still outstanding, its 一企一策 measures and its blacklist status.

A case belongs to an employer by its ``employer_id``, or, for a case typed or imported without
one, by the same ``employer_name`` (case_match_sql). As in the program's figures, the amounts
leave out the cases found 不存在欠薪."""
from __future__ import annotations

from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register


def case_match_sql(t: str = "t", c: str = "c") -> str:
    """The live cases ``c`` of the employer row ``t``."""
    return (f"{c}.deleted_at IS NULL AND ({c}.employer_id = {t}.id "
            f"OR ({c}.employer_id IS NULL AND {c}.employer_name = {t}.name))")


# a claim found groundless (不存在欠薪) is a case, but no money and no workers (models.figures)
EXCLUDED = "不存在欠薪"


def _case_sum(expr: str, counted: bool = True):
    def sql(t: str = "t") -> str:
        cond = f" AND c.status != '{EXCLUDED}'" if counted else ""
        return f"(SELECT COALESCE({expr}, 0) FROM case_record c WHERE {case_match_sql(t, 'c')}{cond})"
    return sql


def plans_open_sql(t: str = "t") -> str:
    return (f"(SELECT COUNT(*) FROM employer_plan p WHERE p.employer_id = {t}.id AND p.deleted_at IS NULL "
            "AND p.status NOT IN ('已完成', '已中止'))")


def blacklist_sql(t: str = "t") -> str:
    """惩戒中 / 期满待移出 / 已上报待列入 for the employer's live blacklist entry not yet removed,
    已移出 when every entry is removed, blank when never reported."""
    from models.ledgers.blacklist import status_sql
    return (f"COALESCE((SELECT {status_sql('b')} FROM blacklist_entry b WHERE b.deleted_at IS NULL "
            f"AND b.employer_name = {t}.name ORDER BY (b.removed_on IS NULL OR b.removed_on = '') DESC, "
            "b.listed_on DESC LIMIT 1), '')")


EMPLOYERS = register(Ledger(
    kind="employers", title="用人单位名录（一企一策）", table="employer", key=("name",), managed=False,
    soft_delete=False, order_by="name", label_field="name",
    fields=(
        F("name", "单位名称", required=True, width=20, search=True,
          synonyms=("用人单位", "企业名称", "用人单位名称", "单位")),
        F("credit_code", "统一社会信用代码", "credit_code", width=13, search=True,
          synonyms=("信用代码", "社会信用代码")),
        F("legal_person", "法定代表人", width=6, synonyms=("法人", "负责人")),
        F("phone", "联系电话", "phone", width=9, synonyms=("电话", "联系方式")),
        F("address", "地址", width=16, in_table=False, synonyms=("住所", "单位地址")),
        F("case_count", "欠薪问题数", "int", stored=False, editable=False, width=6, sum=True,
          expr=_case_sum("COUNT(*)", counted=False)),
        F("owed_fen", "拖欠金额", "money", stored=False, editable=False, width=10, sum=True,
          expr=_case_sum("SUM(c.total_owed_fen)")),
        F("paid_fen", "已支付", "money", stored=False, editable=False, width=10, sum=True,
          expr=_case_sum("SUM(c.total_paid_fen)")),
        F("outstanding_fen", "尚未支付", "money", stored=False, editable=False, width=10, sum=True,
          expr=_case_sum("SUM(c.total_owed_fen - c.total_paid_fen)"), min_value=None),
        F("plans_open", "在办措施", "int", stored=False, editable=False, width=5, expr=plans_open_sql),
        F("blacklist_status", "失信名单", stored=False, editable=False, width=7, expr=blacklist_sql),
        F("notes", "备注", "longtext", width=12, in_table=False),
    ),
    extra={"page": False},
))
