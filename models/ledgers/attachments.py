"""证据材料台账 (收集资料并归档): one row per file attached to a record of any ledger. The files
themselves are in the folder beside the database (``models.attachments``), found by SHA-256."""
from __future__ import annotations

from models.attachments import EVIDENCE_KINDS, KIND, TABLE
from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register


def _size_text(t: str) -> str:
    return f"{t}.size_bytes"


ATTACHMENTS = register(Ledger(
    kind=KIND, title="证据材料台账", table=TABLE, key=("record_uuid", "sha256"), order_by="added_on DESC, id DESC",
    label_field="file_name", workstream_field="workstream_id",
    fields=(
        F("record_label", "所属记录", required=True, width=30, search=True, editable=False,
          synonyms=("记录", "所属问题")),
        F("evidence", "材料类别", "choice", choices=EVIDENCE_KINDS, required=True, width=8, filter=True,
          synonyms=("类别", "证据类别")),
        F("file_name", "文件名", required=True, width=24, search=True, synonyms=("文件名称", "附件")),
        F("mime", "文件类型", width=12, editable=False, in_table=False),
        F("size_bytes", "大小（字节）", "int", width=9, editable=False),
        F("sha256", "SHA-256", width=20, editable=False, in_table=False, printed=False),
        F("record_table", "所属数据表", width=10, editable=False, in_table=False, in_form=False, printed=False),
        F("record_uuid", "记录标识", width=12, editable=False, in_table=False, in_form=False, printed=False),
        F("workstream_id", "责任专班", "ref", ref_table="workstream", width=11, editable=False, in_table=False,
          in_form=False, help="所属记录的责任专班：专班填报员可为本专班的记录附加材料"),
        F("added_by", "添加人", width=8, editable=False),
        F("added_on", "添加日期", "date", width=10, editable=False, filter=True),
        F("notes", "备注", width=20),
    ),
    extra={"generic_edit": False, "import": False},
))
