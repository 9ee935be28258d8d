"""证据材料（收集资料并归档）: files attached to any record — payment receipts, signed
commitments, repayment plans, photos, PDFs.

The files live in a managed folder beside the database, ``<db>.files/``, content-addressed:
a file whose SHA-256 is ``ab12…`` is ``<db>.files/ab/ab12…``, written once however many records
it is attached to. The 证据材料 ledger (kind ``attachments``, table ``attachment``) says which
record each file belongs to (table + uuid, and a readable label), its name, type, size, hash,
kind of evidence, who added it and when. Every read checks the hash: a file that is gone or
whose content no longer matches is reported as such (``state``), never shown as if whole.

Limits: a size limit (setting ``attachments.max_mb``, 20 MB by default) and only common types,
recognised by their content (``sniff``), the extension having to agree.

An office setting ``cases.require_payment_proof`` (off by default) makes 已化解 need a
付款凭证 on the case or on one of its repayments (``models.cases.CaseService``).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from models.db import Store
from models.ledger.repo import ValidationError
from models.ledger.service import LedgerService, service

KIND = "attachments"
TABLE = "attachment"
EVIDENCE_KINDS = ("付款凭证", "承诺书", "还款计划", "照片", "其他")
PROOF = "付款凭证"
MAX_SETTING = "attachments.max_mb"
MAX_DEFAULT_MB = 20
PROOF_SETTING = "cases.require_payment_proof"

# type → (extensions it may carry, MIME, what a person calls it)
TYPES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "jpg": ((".jpg", ".jpeg", ".jpe", ".jfif"), "image/jpeg", "JPEG 图片"),
    "png": ((".png",), "image/png", "PNG 图片"),
    "gif": ((".gif",), "image/gif", "GIF 图片"),
    "bmp": ((".bmp",), "image/bmp", "BMP 图片"),
    "tif": ((".tif", ".tiff"), "image/tiff", "TIFF 图片"),
    "webp": ((".webp",), "image/webp", "WebP 图片"),
    "pdf": ((".pdf",), "application/pdf", "PDF 文件"),
    "docx": ((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word 文档"),
    "xlsx": ((".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 表格"),
    "doc": ((".doc", ".wps"), "application/msword", "Word 文档（旧版）"),
    "xls": ((".xls", ".et"), "application/vnd.ms-excel", "Excel 表格（旧版）"),
}
IMAGE_TYPES = ("jpg", "png", "gif", "bmp", "tif", "webp")
ALLOWED_TEXT = "JPG、PNG、GIF、BMP、TIFF、WebP 图片，PDF，Word（.docx/.doc）和 Excel（.xlsx/.xls）"


class AttachmentError(ValueError):
    """A file that cannot be attached, or an attachment that cannot be read: one Chinese line."""


# -- where the files are -------------------------------------------------------------------
def files_dir(db_path: str | os.PathLike) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".files")


def blob_path(folder: Path, sha256: str) -> Path:
    return folder / sha256[:2] / sha256


def store_dir(store: Store) -> Path:
    return files_dir(store.path)


def sha256_of(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# -- what a file is ----------------------------------------------------------------------------
def sniff(head: bytes, names: Sequence[str] = ()) -> str | None:
    """The type of a file from its first bytes (``names``: the members of a zip, for Office
    files), or None when it is none of the types taken."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"BM") and len(head) > 14:
        return "bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return None
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"            # .doc or .xls: told apart by the extension
    return None


def file_type(path: Path) -> str:
    """The file's type (a key of TYPES), checked by content and agreeing with its extension;
    AttachmentError otherwise."""
    with open(path, "rb") as f:
        head = f.read(2048)
    names: list[str] = []
    if head.startswith(b"PK\x03\x04"):
        import zipfile
        from models.zips import DAMAGED_ZIP
        try:
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
        except DAMAGED_ZIP:
            names = []          # a damaged archive: not told apart as a Word or Excel file below
    found = sniff(head, names)
    ext = path.suffix.lower()
    if found == "ole":
        found = "xls" if ext in TYPES["xls"][0] else "doc" if ext in TYPES["doc"][0] else None
        if found is None:
            raise AttachmentError(f"文件“{path.name}”是旧版 Office 文件，但扩展名“{ext or '（无）'}”不是 .doc / .xls")
    if found is None:
        raise AttachmentError(f"文件“{path.name}”的内容不是可以归档的类型（只收 {ALLOWED_TEXT}）")
    if ext not in TYPES[found][0]:
        raise AttachmentError(f"文件“{path.name}”的扩展名“{ext or '（无）'}”与其内容（{TYPES[found][2]}）不符，"
                              f"请确认文件无误后改为 {TYPES[found][0][0]}")
    return found


def type_of_mime(mime: str) -> str | None:
    for key, (_exts, m, _name) in TYPES.items():
        if m == mime:
            return key
    return None


def max_bytes(store: Store) -> int:
    mb = store.get_setting(MAX_SETTING, MAX_DEFAULT_MB)
    try:
        mb = float(mb)
    except (TypeError, ValueError):
        mb = MAX_DEFAULT_MB
    return int(mb * 1024 * 1024)


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} 字节"


# -- the record an attachment belongs to -------------------------------------------------------
def _ledger(kind: str):
    from models.ledger import registry
    try:
        return registry.get(kind)
    except KeyError as exc:
        raise AttachmentError(str(exc.args[0])) from None


def record_label(store: Store, table: str, record_id: int) -> str:
    """How a person names the record: 欠薪问题台账 QQ2026-0003; a repayment by its case, date and amount."""
    from models.ledger import registry
    ledger = registry.by_table(table)
    title = ledger.title if ledger else table
    if table == "repayment":
        r = store.one("SELECT r.paid_on, r.amount_fen, r.voucher_no, c.case_no FROM repayment r "
                      "LEFT JOIN case_record c ON c.id = r.case_id WHERE r.id = ?", (record_id,))
        if r is not None:
            from models.values import fen_to_yuan_text
            voucher = f" 凭证号 {r['voucher_no']}" if r["voucher_no"] else ""
            return f"兑付记录 {r['case_no']} {r['paid_on']} {fen_to_yuan_text(r['amount_fen'])} 元{voucher}"
    if ledger is not None and ledger.label_field:
        f = ledger.field(ledger.label_field)
        if f.kind == "ref":
            value = store.scalar(f'SELECT r."{f.ref_label}" FROM "{table}" t JOIN "{f.ref_table}" r '
                                 f'ON r.id = t."{f.name}" WHERE t.id = ?', (record_id,))
        else:
            value = store.scalar(f'SELECT "{f.name}" FROM "{table}" WHERE id = ?', (record_id,))
        if value not in (None, ""):
            return f"{title} {value}"
    return f"{title} 第 {record_id} 号"


def find_record(store: Store, kind: str, no: str) -> tuple[str, int, str]:
    """(table, id, uuid) of the live record of ledger ``kind`` named by ``no``: its number (the
    ledger's label or key field) or its id."""
    ledger = _ledger(kind)
    no = str(no).strip()
    names = [n for n in (ledger.label_field, *ledger.key) if n and n != "uuid" and ledger.has(n)
             and ledger.field(n).kind != "ref"]
    for name in dict.fromkeys(names):
        rows = store.query(f'SELECT id, uuid FROM "{ledger.table}" WHERE "{name}" = ? AND deleted_at IS NULL', (no,))
        if len(rows) == 1:
            return ledger.table, rows[0]["id"], rows[0]["uuid"]
        if len(rows) > 1:
            raise AttachmentError(f"{ledger.title}中有 {len(rows)} 条记录的{ledger.field(name).label}为“{no}”，请改用记录号")
    row = store.one(f'SELECT id, uuid FROM "{ledger.table}" WHERE uuid = ? AND deleted_at IS NULL', (no,))
    if row is None and no.isdigit():
        row = store.one(f'SELECT id, uuid FROM "{ledger.table}" WHERE id = ? AND deleted_at IS NULL', (int(no),))
    if row is None:
        raise AttachmentError(f"{ledger.title}中没有编号或记录号为“{no}”的记录（或已移入回收站）")
    return ledger.table, row["id"], row["uuid"]


def record_workstream(store: Store, table: str, record_id: int) -> int | None:
    """The 责任专班 of a record (its own, or its case's): who besides the office may attach to it."""
    cols = {r[1] for r in store.query(f'PRAGMA table_info("{table}")')}
    if "workstream_id" in cols:
        return store.scalar(f'SELECT workstream_id FROM "{table}" WHERE id = ?', (record_id,))
    if "case_id" in cols:
        return store.scalar(f'SELECT c.workstream_id FROM "{table}" t JOIN case_record c ON c.id = t.case_id '
                            f'WHERE t.id = ?', (record_id,))
    return None


def record_ref(store: Store, table: str, record_id: int) -> tuple[str, str]:
    """(uuid, label) of a record."""
    row = store.one(f'SELECT uuid FROM "{table}" WHERE id = ?', (record_id,))
    if row is None:
        raise AttachmentError("要附加材料的记录不存在")
    return row["uuid"], record_label(store, table, record_id)


# -- adding and reading ------------------------------------------------------------------------
def check_file(store: Store, path: str | os.PathLike) -> tuple[str, int]:
    """(type, size) of a file that may be attached; AttachmentError (one Chinese line) if not."""
    path = Path(path)
    if not path.is_file():
        raise AttachmentError(f"找不到要附加的文件：{path}")
    size = path.stat().st_size
    limit = max_bytes(store)
    if size > limit:
        raise AttachmentError(f"文件“{path.name}”有 {size_text(size)}，超过附件大小上限 {size_text(limit)}"
                              f"（可压缩或分页扫描后再附加，上限可在设置 {MAX_SETTING} 中调整）")
    if size == 0:
        raise AttachmentError(f"文件“{path.name}”是空文件")
    return file_type(path), size


def put_file(folder: Path, path: Path) -> str:
    """Copy a file into the content-addressed folder (written beside and renamed, hash checked
    after the copy). Returns its SHA-256."""
    sha = sha256_of(path)
    target = blob_path(folder, sha)
    if target.is_file() and sha256_of(target) == sha:
        return sha
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    shutil.copyfile(path, part)
    if sha256_of(part) != sha:
        part.unlink(missing_ok=True)
        raise AttachmentError(f"文件“{path.name}”复制后校验不符（磁盘或网络盘故障？），未附加")
    os.replace(part, target)
    return sha


def attach(store: Store, path: str | os.PathLike, table: str, record_id: int, *, evidence: str = "其他",
           note: str = "", name: str | None = None, today: _dt.date | None = None) -> int:
    """Attach the file at ``path`` to record ``record_id`` of ``table``: checked, copied into the
    folder, and registered in the 证据材料 ledger through its write service. Returns the row id."""
    path = Path(path)
    ftype, size = check_file(store, path)
    if evidence not in EVIDENCE_KINDS:
        raise AttachmentError(f"材料类别“{evidence}”无效（可选：{'、'.join(EVIDENCE_KINDS)}）")
    uuid, label = record_ref(store, table, record_id)
    sha = put_file(store_dir(store), path)
    actor = store.actor
    who = (actor.display_name or actor.username) if actor is not None else store.user
    facts = {"record_table": table, "record_uuid": uuid, "record_label": label, "mime": TYPES[ftype][1],
             "size_bytes": size, "sha256": sha, "added_by": who or "",
             "workstream_id": record_workstream(store, table, record_id),
             "added_on": (today or _dt.date.today()).isoformat()}
    values = {"file_name": name or path.name, "evidence": evidence, "notes": note}
    from models.ledger.service import service_for
    svc = service_for(store, KIND, today=today)
    svc.file_facts = facts
    with store.tx(label=f"附加材料：{values['file_name']}"):
        return svc.insert(values)


def remove(store: Store, attachment_ids: Sequence[int], reason: str = "") -> None:
    """移除: into the recycle bin (the file stays in the folder: it may be restored). ``reason``:
    the person's 修改理由, needed for an attachment of a ledger signed off since it was added."""
    from models.ledger.service import service_for
    with store.tx((reason or "").strip(), label="移除附件"):
        service_for(store, KIND).recycle(list(attachment_ids))


def for_record(store: Store, table: str, record_id: int | None = None, *, uuid: str | None = None) -> list[dict]:
    """The live attachments of a record, oldest first."""
    if uuid is None:
        if record_id is None:
            return []
        uuid = store.scalar(f'SELECT uuid FROM "{table}" WHERE id = ?', (record_id,))
        if uuid is None:
            return []
    return [dict(r) for r in store.query(
        "SELECT * FROM attachment WHERE record_table = ? AND record_uuid = ? AND deleted_at IS NULL ORDER BY id",
        (table, uuid))]


def get(store: Store, attachment_id: int) -> dict | None:
    row = store.one("SELECT * FROM attachment WHERE id = ?", (attachment_id,))
    return dict(row) if row is not None else None


OK, MISSING, ALTERED = "正常", "文件缺失", "文件已被改动"


def state(store: Store, row: dict, folder: Path | None = None) -> str:
    """正常, 文件缺失 or 文件已被改动 (its content no longer has the registered SHA-256)."""
    p = blob_path(folder or store_dir(store), row["sha256"])
    if not p.is_file():
        return MISSING
    if p.stat().st_size != row["size_bytes"] or sha256_of(p) != row["sha256"]:
        return ALTERED
    return OK


def read_bytes(store: Store, row: dict) -> bytes:
    """The file's content, hash checked; AttachmentError when it is gone or altered."""
    p = blob_path(store_dir(store), row["sha256"])
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise AttachmentError(f"附件“{row['file_name']}”文件缺失：已不在数据库旁的 {store_dir(store).name} 文件夹中，"
                              "请从备份恢复或重新附加原件") from None
    if hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise AttachmentError(f"附件“{row['file_name']}”的文件已被改动：内容与登记的校验值（SHA-256）不符，"
                              "不能作为证据使用，请从备份恢复或重新附加原件")
    return data


def save_as(store: Store, row: dict, target: str | os.PathLike) -> Path:
    """另存为: the checked content written to ``target``."""
    data = read_bytes(store, row)
    target = Path(target)
    part = target.with_name(target.name + ".part")
    part.write_bytes(data)
    os.replace(part, target)
    return target


# -- the 已化解 rule -----------------------------------------------------------------------------
def proof_required(store: Store) -> bool:
    value = store.get_setting(PROOF_SETTING, False)
    return str(value).strip().lower() in ("1", "true", "yes", "on", "是")


def cases_without_proof(store: Store, case_ids: Iterable[int]) -> set[int]:
    """Of ``case_ids``, those with no live 付款凭证 on the case or on one of its live repayments."""
    ids = sorted(set(case_ids))
    have: set[int] = set()
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        marks = ",".join("?" * len(part))
        have |= {r[0] for r in store.query(
            f"SELECT c.id FROM case_record c JOIN attachment a ON a.record_table = 'case_record' "
            f"AND a.record_uuid = c.uuid AND a.deleted_at IS NULL AND a.evidence = ? WHERE c.id IN ({marks}) "
            f"UNION SELECT r.case_id FROM repayment r JOIN attachment a ON a.record_table = 'repayment' "
            f"AND a.record_uuid = r.uuid AND a.deleted_at IS NULL AND a.evidence = ? "
            f"WHERE r.deleted_at IS NULL AND r.case_id IN ({marks})", [PROOF, *part, PROOF, *part])}
    return set(ids) - have


PROOF_MESSAGE = ("办公室已设定“化解须有付款凭证”：请先在本问题或其兑付记录上附加“付款凭证”"
                 "（付款回单、银行流水或签领表的扫描件或照片），再标为已化解")


# -- copying the folder (backups, packages) ----------------------------------------------------
def referenced(conn) -> list[tuple[str, int]]:
    """(sha256, size) of every file the database's 证据材料 ledger names (recycled rows too:
    a restore from the recycle bin needs its file)."""
    try:
        return [(r[0], r[1]) for r in conn.execute("SELECT DISTINCT sha256, size_bytes FROM attachment "
                                                   "WHERE sha256 IS NOT NULL AND sha256 != ''")]
    except Exception:  # noqa: BLE001 - a database of a version before attachments
        return []


def copy_files(src: Path, dst: Path, wanted: Iterable[tuple[str, int]]) -> dict:
    """Copy the named files from folder ``src`` to folder ``dst``, each checked against its hash
    (in the source before the copy, in the target after it); a file already whole in ``dst`` is
    left. Returns {"copied": n, "present": n, "missing": [sha…], "altered": [sha…]}."""
    out = {"copied": 0, "present": 0, "missing": [], "altered": []}
    for sha, size in wanted:
        target = blob_path(dst, sha)
        if target.is_file() and target.stat().st_size == size and sha256_of(target) == sha:
            out["present"] += 1
            continue
        source = blob_path(src, sha)
        if not source.is_file():
            out["missing"].append(sha)
            continue
        if sha256_of(source) != sha:
            out["altered"].append(sha)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        shutil.copyfile(source, part)
        if sha256_of(part) != sha:
            part.unlink(missing_ok=True)
            raise OSError(f"附件文件复制后校验不符：{sha}")
        os.replace(part, target)
        out["copied"] += 1
    return out


@dataclass
class Exported:
    out: Path
    files: int
    missing: int


def export_all(store: Store, out: str | os.PathLike) -> Exported:
    """``qingqian export attachments --out FOLDER_OR_ZIP``: every live attachment as a file
    (named 序号-所属记录-文件名) and an index sheet 附件清单.xlsx (序号, 所属台账, 所属记录, 材料类别,
    文件名, 类型, 大小, SHA-256, 添加人, 添加日期, 备注, 文件状态). A .zip is written beside and renamed."""
    import re
    import tempfile
    import zipfile
    out = Path(out)
    rows = [dict(r) for r in store.query("SELECT * FROM attachment WHERE deleted_at IS NULL ORDER BY id")]
    from models.ledger import registry
    as_zip = out.suffix.lower() == ".zip"
    with tempfile.TemporaryDirectory(prefix="qq-attach-") as tmp:
        folder = Path(tmp) / "附件" if as_zip else out
        folder.mkdir(parents=True, exist_ok=True)
        index = [("序号", "所属台账", "所属记录", "材料类别", "文件名", "导出文件", "类型", "大小（字节）", "SHA-256",
                  "添加人", "添加日期", "备注", "文件状态")]
        missing = 0
        for i, r in enumerate(rows, 1):
            ledger = registry.by_table(r["record_table"])
            safe_label = re.sub(r'[\\/:*?"<>|\s]+', "_", r["record_label"] or "")[:60]
            safe_name = re.sub(r'[\\/:*?"<>|]+', "_", r["file_name"])
            name = f"{i:04d}-{safe_label}-{safe_name}"
            try:
                (folder / name).write_bytes(read_bytes(store, r))
                status = OK
            except AttachmentError:
                status = state(store, r)
                name = ""
                missing += 1
            index.append((i, ledger.title if ledger else r["record_table"], r["record_label"], r["evidence"],
                          r["file_name"], name, r["mime"], r["size_bytes"], r["sha256"], r["added_by"],
                          r["added_on"], r["notes"] or "", status))
        _write_index(folder / "附件清单.xlsx", index)
        if as_zip:
            part = out.with_name(out.name + ".part")
            with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as z:
                for p in sorted(folder.iterdir()):
                    z.write(p, p.name)
            os.replace(part, out)
    return Exported(out, len(rows) - missing, missing)


def _write_index(path: Path, rows: list[tuple]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    ws = wb.active
    ws.title = "附件清单"
    for r in rows:
        ws.append(list(r))
    for c in ws[1]:
        c.font = Font(bold=True)
    for col, width in zip("ABCDEFGHIJKLM", (6, 16, 36, 10, 28, 40, 14, 12, 66, 10, 12, 20, 12)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.save(path)


# -- the write service ---------------------------------------------------------------------------
@service(KIND)
class AttachmentService(LedgerService):
    """A row of the 证据材料 ledger names a file that is in the folder, whole, within the size
    limit, of a type taken, on a record that exists. What the program knows of the file and the
    record (``file_facts``: set by ``attach`` after it stored the file) is not typed by anyone."""
    file_facts: dict | None = None

    def prepare_new(self, rows: list[dict]) -> None:
        if self.file_facts:
            for v in rows:
                v.update(self.file_facts)

    def check_new(self, row: dict) -> list[tuple[str, str]]:
        problems = []
        sha = row.get("sha256") or ""
        p = blob_path(store_dir(self.store), sha) if sha else None
        if p is None or not p.is_file():
            problems.append(("sha256", "附件文件不在数据库旁的附件文件夹中：请用“添加附件”或 qingqian attach 附加文件"))
        elif (row.get("size_bytes") or 0) > max_bytes(self.store):
            problems.append(("size_bytes", f"文件超过附件大小上限 {size_text(max_bytes(self.store))}"))
        if row.get("evidence") and row["evidence"] not in EVIDENCE_KINDS:
            problems.append(("evidence", f"材料类别“{row['evidence']}”无效"))
        if sha and self.store.one("SELECT 1 FROM attachment WHERE record_uuid = ? AND sha256 = ? "
                                  "AND deleted_at IS NULL", (row.get("record_uuid"), sha)):
            problems.append(("file_name", f"这份文件已附加在“{row.get('record_label')}”上，不必重复附加"))
        table = row.get("record_table") or ""
        from models.ledger import registry
        if registry.by_table(table) is None:
            problems.append(("record_table", f"“{table}”不是本程序的台账"))
        elif not self.store.one(f'SELECT 1 FROM "{table}" WHERE uuid = ?', (row.get("record_uuid"),)):
            problems.append(("record_label", "要附加材料的记录不存在"))
        return problems

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        fixed = {"record_table", "record_uuid", "sha256", "size_bytes", "mime"} & set(changes)
        if fixed:
            return [(sorted(fixed)[0], "附件的所属记录和文件不能修改：请移除后重新附加")]
        return []


def refuse_unless_proof(store: Store, case_ids: Iterable[int]) -> None:
    """ValidationError when the office requires a payment proof and a case has none."""
    if not proof_required(store):
        return
    missing = cases_without_proof(store, case_ids)
    if missing:
        nos = [r[0] for r in store.query(
            f"SELECT case_no FROM case_record WHERE id IN ({','.join('?' * len(missing))}) ORDER BY case_no",
            sorted(missing))]
        raise ValidationError([("status", f"{'、'.join(nos[:5])}：{PROOF_MESSAGE}")])
