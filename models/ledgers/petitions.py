"""信访台账: visits, letters and calls about unpaid wages. 集体访 (five people or more) and
重复访 (the same petitioner, or the same matter, again within 90 days) are computed from the
rows themselves, so they are right for typed and imported rows alike."""
from __future__ import annotations

import datetime as _dt

from models.checks import CASE_NOS, Finding, rule
from models.db import Store
from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register

COLLECTIVE_MIN = 5
REPEAT_DAYS = 90
CHANNELS = ("来访", "来信", "来电", "网上信访", "12345转办", "上级交办")
RESULTS = ("已登记", "已交办", "正在处理", "已答复", "已化解", "已办结")

def collective_sql(t: str = "t") -> str:
    return f"CASE WHEN {t}.people_count >= {COLLECTIVE_MIN} THEN 1 ELSE 0 END"


def repeat_sql(t: str = "t") -> str:
    """重复访: an earlier live petition by the same person (name and phone) or on the same matter
    (the same linked case, or, for a petition not yet linked to a case, the same employer) within
    REPEAT_DAYS. The list of those petitions is ``models.petitions.earlier_petitions``, tested to
    agree with this."""
    return (f"EXISTS (SELECT 1 FROM petition p WHERE p.deleted_at IS NULL AND p.id != {t}.id "
            f"AND (p.visited_on < {t}.visited_on OR (p.visited_on = {t}.visited_on AND p.id < {t}.id)) "
            f"AND julianday({t}.visited_on) - julianday(p.visited_on) <= {REPEAT_DAYS} "
            f"AND ((p.petitioner = {t}.petitioner AND p.phone = {t}.phone) "
            f"OR ({t}.case_id IS NOT NULL AND p.case_id = {t}.case_id) "
            f"OR ({t}.case_id IS NULL AND {t}.employer_name != '' AND p.employer_name = {t}.employer_name)))")


def _people(row: dict) -> list[tuple[str, str]]:
    if "people_count" in row and (row.get("people_count") or 0) < 1:
        return [("people_count", "人数至少为 1")]
    return []


# the columns a clerk works by, shown first and, on a small screen (1366×768 at 125 % or 150 %),
# fitted to the window before the others (views/ledger_table.py):
# 来访日期 来访人 人数 信访形式 涉及单位 交办专班 办理结果
KEY_COLUMNS = ("visited_on", "petitioner", "people_count", "channel", "employer_name", "workstream_id",
               "result")

PETITIONS = register(Ledger(
    kind="petitions", title="信访台账", table="petition", key=("visited_on", "petitioner", "phone"),
    order_by="visited_on DESC, id DESC", workstream_field="workstream_id", label_field="petitioner",
    fields=(
        F("visited_on", "来访日期", "date", required=True, width=8, filter=True,
          synonyms=("信访日期", "登记日期", "来信来访日期", "反映日期", "日期")),
        F("petitioner", "来访人", required=True, width=6, search=True,
          synonyms=("信访人", "反映人", "姓名", "来访人姓名", "信访人姓名")),
        F("people_count", "人数", "int", width=4, sum=True, synonyms=("来访人数", "信访人数", "涉及人数")),
        F("phone", "联系电话", "phone", width=9, synonyms=("电话", "联系方式", "手机号码")),
        F("channel", "信访形式", "choice", choices=CHANNELS, width=6, filter=True, synonyms=("形式", "来源", "信访方式")),
        F("demand", "反映问题", "longtext", width=22, search=True, synonyms=("诉求", "主要诉求", "反映内容", "信访事项")),
        F("employer_name", "涉及单位", width=15, search=True, synonyms=("被反映单位", "欠薪单位", "涉及企业")),
        F("case_id", "关联问题", "ref", ref_table="case_record", ref_label="case_no", width=11,
          synonyms=("关联问题编号", "问题编号")),
        F("workstream_id", "交办专班", "ref", ref_table="workstream", width=11, filter=True,
          synonyms=("承办专班", "责任专班", "办理专班")),
        F("reply", "答复意见", "longtext", width=20, in_table=False, synonyms=("答复情况", "回复")),
        F("result", "办理结果", "choice", choices=RESULTS, width=6, filter=True, synonyms=("办理情况", "处理结果")),
        F("is_collective", "集体访", "bool", stored=False, editable=False, width=5, expr=collective_sql,
          filter=True, synonyms=("是否集体访",)),
        F("is_repeat", "重复访", "bool", stored=False, editable=False, width=5, expr=repeat_sql, filter=True,
          synonyms=("是否重复访",)),
        F("notes", "备注", "longtext", width=12, in_table=False),
    ),
    row_rules=(_people,),
    extra={"key_columns": KEY_COLUMNS, "page": True, "page_order": 34, "page_title": "信访台账",
           "decorate": "models.petitions:decorator", "banner": "models.petitions:banner",
           # what the row colours of models.petitions.decorator mean, shown above the table
           "legend": (("#f8d7da", "集体访"), ("#fff3cd", "重复访（90 日内）"))},
))


@rule("petitions_linked", "信访件关联的问题有效、已答复的有答复意见", reads=("petition", CASE_NOS), uses_today=True)
def _petitions(store: Store, today: _dt.date):
    for r in store.query("SELECT p.id, p.petitioner, p.visited_on, c.case_no FROM petition p "
                         "JOIN case_record c ON c.id = p.case_id WHERE p.deleted_at IS NULL AND c.deleted_at IS NOT NULL"):
        yield Finding("petitions_linked", "petition", r["id"], f"{r['visited_on']} {r['petitioner']}",
                      f"关联的欠薪问题 {r['case_no']} 已移入回收站")
    for r in store.query("SELECT id, petitioner, visited_on, result FROM petition WHERE deleted_at IS NULL "
                         "AND result IN ('已答复', '已办结') AND TRIM(reply) = ''"):
        yield Finding("petitions_linked", "petition", r["id"], f"{r['visited_on']} {r['petitioner']}",
                      f"办理结果为“{r['result']}”，但没有答复意见")
    for r in store.query("SELECT id, petitioner, visited_on FROM petition WHERE deleted_at IS NULL AND visited_on > ?",
                         (today.isoformat(),)):
        yield Finding("petitions_linked", "petition", r["id"], f"{r['visited_on']} {r['petitioner']}",
                      "来访日期在今天之后")
