"""清欠证明登记簿: every 清欠审查证明 / 兑付证明 the office has issued for an employer or a project,
with its number. A certificate is issued only through ``models.certificates.issue`` (the command
``qingqian report certificate`` and the 报表 page), which refuses while arrears remain; the
register itself is read-only (a certificate issued in error is moved to the recycle bin, its
number never reused)."""
from __future__ import annotations

import datetime as _dt

from models.checks import Finding, rule
from models.certificates import KINDS
from models.db import Store
from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register

# the columns a clerk works by, shown first and, on a small screen (1366×768 at 125 % or 150 %),
# fitted to the window before the others (views/ledger_table.py):
# 证明编号 证明种类 用人单位 项目名称 出具日期 已兑付工资 经办人
KEY_COLUMNS = ("cert_no", "cert_kind", "employer_name", "project_name", "issued_on", "cleared_fen",
               "issued_by")

CERTIFICATES = register(Ledger(
    kind="certificates", title="清欠证明登记簿", table="certificate", key=("cert_no",),
    order_by="issued_on DESC, id DESC", label_field="cert_no",
    fields=(
        F("cert_no", "证明编号", required=True, width=16, search=True, editable=False, synonyms=("编号",)),
        F("cert_kind", "证明种类", "choice", choices=KINDS, required=True, width=10, filter=True,
          synonyms=("种类", "证明类别")),
        F("employer_name", "用人单位", width=20, search=True, synonyms=("单位名称", "企业名称")),
        F("project_name", "项目名称", width=18, search=True, synonyms=("工程项目", "项目")),
        F("as_of", "审查截至日期", "date", required=True, width=9, filter=True, synonyms=("截至日期",)),
        F("issued_on", "出具日期", "date", required=True, width=9, filter=True, synonyms=("开具日期", "日期")),
        F("cases_count", "已化解问题（件）", "int", width=6, sum=True, synonyms=("问题数", "件数")),
        F("workers", "涉及农民工（人）", "int", width=6, sum=True, synonyms=("人数",)),
        F("cleared_fen", "已兑付工资", "money", width=11, sum=True, synonyms=("已兑付金额", "兑付金额")),
        F("purpose", "用途", width=12, synonyms=("证明用途", "事由")),
        F("issued_by", "经办人", width=6, synonyms=("出具人", "办理人")),
        F("notes", "备注", "longtext", width=16, in_table=False, synonyms=("说明",)),
    ),
    extra={"key_columns": KEY_COLUMNS, "page": True, "page_order": 62, "page_title": "清欠证明登记簿", "generic_edit": False, "import": False},
))


@rule("certificates_clear", "已出具清欠证明的单位其后不再登记截至证明日期已发生的欠薪",
      reads=("certificate", "case_record"))
def _certificates_clear(store: Store, today: _dt.date):
    """A certificate says nothing was owed as of its date: a case registered later whose wages fell
    due on or before that date (欠薪起始日期) contradicts it."""
    for r in store.query(
            "SELECT c.id, c.cert_no, c.as_of, k.case_no FROM certificate c CROSS JOIN case_record k ON "
            "k.deleted_at IS NULL AND k.employer_name = c.employer_name AND c.employer_name != '' "
            "AND (COALESCE(c.project_name, '') = '' OR k.project_name = c.project_name) "
            "AND k.registered_on > c.as_of AND k.period_from IS NOT NULL AND k.period_from <= c.as_of "
            "AND k.status != '不存在欠薪' WHERE c.deleted_at IS NULL"):
        yield Finding("certificates_clear", "certificate", r["id"], r["cert_no"],
                      f"证明截至 {r['as_of']} 无欠薪，但其后登记的问题 {r['case_no']} 的欠薪起始日期在此之前，请核实")
