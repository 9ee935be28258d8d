"""attach: a file (a scanned receipt, a signed commitment, a repayment plan, a photo, a PDF)
attached to a record of any ledger, as the detail pane's 添加附件 does.

qingqian attach FILE --db PATH --kind KIND --record NO [--evidence 付款凭证] [--note 说明] [--name 文件名]

KIND is a ledger kind (cases, repayments, petitions …); NO the record's number (编号, 凭证号 …)
or its record id. The file is checked (size limit, a common type recognised by its content),
copied into the folder beside the database (``<db>.files/``) and registered in the 证据材料台账.
"""
from __future__ import annotations

from desktop.commands._acting import one_line, run, today_of
from desktop.commands._common import add_db, add_json, emit


def register(sub) -> None:
    from models.attachments import ALLOWED_TEXT, EVIDENCE_KINDS
    p = sub.add_parser("attach", help="给台账中的一条记录附加证据材料（付款凭证、承诺书、还款计划、照片、PDF）",
                       description=f"附加证据材料：文件经检查（大小上限、类型：{ALLOWED_TEXT}）后存入数据库旁的"
                                   "附件文件夹，并登记在证据材料台账中。")
    p.add_argument("file", help="要附加的文件（扫描件、照片、PDF 等）")
    add_db(p)
    p.add_argument("--kind", required=True, help="记录所属台账：cases（欠薪问题）、repayments（兑付记录）、petitions …")
    p.add_argument("--record", required=True, help="记录的编号（问题编号、凭证号等）或记录号")
    p.add_argument("--evidence", default="其他", choices=EVIDENCE_KINDS, help="材料类别（默认“其他”）")
    p.add_argument("--note", default="", help="备注（说明材料内容）")
    p.add_argument("--name", default=None, help="登记的文件名（默认用原文件名）")
    p.add_argument("--today", help=__import__("argparse").SUPPRESS)
    add_json(p)
    p.set_defaults(func=cmd_attach)


def cmd_attach(args) -> int:
    from models import attachments

    def work(store) -> int:
        try:
            table, rid, _uuid = attachments.find_record(store, args.kind, args.record)
            aid = attachments.attach(store, args.file, table, rid, evidence=args.evidence, note=args.note,
                                     name=args.name, today=today_of(args))
        except attachments.AttachmentError as exc:
            raise ValueError(one_line(exc)) from None
        row = attachments.get(store, aid)
        emit(args, {"attached": True, "id": aid, "record": row["record_label"], "file_name": row["file_name"],
                    "evidence": row["evidence"], "mime": row["mime"], "bytes": row["size_bytes"],
                    "sha256": row["sha256"]},
             f"已附加：{row['file_name']}（{row['evidence']}，{attachments.size_text(row['size_bytes'])}）"
             f"→ {row['record_label']}")
        return 0
    return run(args, work, roles=None)
