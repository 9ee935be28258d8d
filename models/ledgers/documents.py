"""工作方案及通报: each workstream's 工作方案 and the campaign's 通报 as dated, versioned documents.
A new version is a new record (版本 1, 2, … per kind, workstream and title, given by the write
service in ``models.documents``); a registered version is never changed, so the earlier wording
stays as it was issued."""
from __future__ import annotations

from models.documents import KINDS
from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register

DOCUMENTS = register(Ledger(
    kind="documents", title="工作方案及通报", table="work_document", key=("doc_kind", "title", "version"),
    order_by="dated DESC, id DESC", workstream_field="workstream_id", label_field="title",
    fields=(
        F("doc_kind", "文件种类", "choice", choices=KINDS, required=True, width=7, filter=True,
          synonyms=("种类", "类别", "文种")),
        F("workstream_id", "专班", "ref", ref_table="workstream", width=13, filter=True,
          synonyms=("责任专班", "制定专班", "牵头专班")),
        F("title", "标题", required=True, width=28, search=True, synonyms=("文件标题", "名称", "文件名称")),
        F("version", "版本", "int", editable=False, width=4, synonyms=("版本号", "版次")),
        F("dated", "成文日期", "date", required=True, width=9, filter=True, synonyms=("日期", "印发日期", "发文日期")),
        F("doc_no", "文号", width=12, search=True, synonyms=("发文字号", "期号")),
        F("file_name", "原文件", width=16, in_form=False, synonyms=("文件",)),
        F("content", "正文", "longtext", width=30, in_table=False, search=True, synonyms=("内容", "文件内容")),
        F("notes", "修订说明", "longtext", width=16, in_table=False, synonyms=("备注", "说明", "修改说明")),
    ),
    extra={"page": False, "page_order": 64, "page_title": "工作方案及通报"},
))
