"""工作方案 and 通报 kept as dated, versioned documents (ledger ``documents``).

``add_version`` registers a document: the first of its kind, workstream and title is 版本 1, each
later one the next number; the text is given, or read from a file (.txt, .md, .docx; a .pdf's
text layer). A registered version is never overwritten: the write service refuses a change to
anything but its 修订说明.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from models.db import Store
from models.ledger.service import LedgerService, service

KINDS = ("工作方案", "通报")
TEXT_SUFFIXES = (".txt", ".md", ".docx", ".pdf")
MAX_TEXT = 200_000


class DocumentProblem(ValueError):
    """One Chinese line."""


def _next_version(store: Store, kind: str, workstream_id, title: str) -> int:
    return int(store.scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM work_document WHERE doc_kind = ? AND "
                            "title = ? AND COALESCE(workstream_id, 0) = COALESCE(?, 0)",
                            (kind, title, workstream_id), 1))


@service("documents")
class DocumentService(LedgerService):
    def prepare_new(self, rows: list[dict]) -> None:
        seen: dict = {}
        for v in rows:
            k = (v.get("doc_kind"), v.get("workstream_id"), (v.get("title") or "").strip())
            if k not in seen:
                seen[k] = _next_version(self.store, *k)
            v["version"] = seen[k]
            seen[k] += 1

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        return [(k, "已登记的版本不能修改，修订后请登记新版本") for k in sorted(set(changes) - {"notes"})]


def read_text(path: Path) -> str:
    """The text of a document file; ``DocumentProblem`` for a kind that cannot be read."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise DocumentProblem(f"找不到文件：{path}")
    if suffix not in TEXT_SUFFIXES:
        raise DocumentProblem(f"只能读取 {'、'.join(TEXT_SUFFIXES)} 文件的正文：{path.name}")
    try:
        if suffix == ".docx":
            import docx
            text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        elif suffix == ".pdf":
            import pypdfium2 as pdfium
            pdf = pdfium.PdfDocument(str(path))
            text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        else:
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("gb18030")
    except DocumentProblem:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file: one line, nothing written
        raise DocumentProblem(f"无法读取文件 {path.name}：{exc}") from exc
    if len(text) > MAX_TEXT:
        raise DocumentProblem(f"文件 {path.name} 正文超过 {MAX_TEXT:,} 字，请分开登记")
    return text.strip()


def add_version(store: Store, today: _dt.date, *, kind: str, title: str, dated: _dt.date | str,
                workstream_id: int | None = None, text: str = "", file: str | Path | None = None,
                doc_no: str = "", notes: str = "", file_name: str = "") -> int:
    """Register a document (a new version when one of the same kind, workstream and title exists).
    ``file``: read the text from it; ``file_name``: the name of the file a text (edited) came from."""
    from models.ledger.service import service_for
    if kind not in KINDS:
        raise DocumentProblem(f"文件种类应为：{'、'.join(KINDS)}")
    if file:
        p = Path(file)
        text = read_text(p)
        file_name = p.name
    if not (text or "").strip():
        raise DocumentProblem("正文不能为空：请填写正文或选择文件")
    return service_for(store, "documents", today).insert(
        {"doc_kind": kind, "title": title.strip(), "dated": str(dated), "workstream_id": workstream_id,
         "content": text.strip(), "doc_no": doc_no, "file_name": file_name, "notes": notes})


def versions(store: Store, kind: str, title: str, workstream_id: int | None = None) -> list[dict]:
    return [dict(r) for r in store.query(
        "SELECT * FROM work_document WHERE deleted_at IS NULL AND doc_kind = ? AND title = ? "
        "AND COALESCE(workstream_id, 0) = COALESCE(?, 0) ORDER BY version", (kind, title, workstream_id))]


def listing(store: Store) -> list[dict]:
    """Every live document, newest version first within each, with its workstream's name and the
    number of versions of its title."""
    return [dict(r) for r in store.query(
        "SELECT d.*, w.name AS workstream, (SELECT MAX(x.version) FROM work_document x WHERE x.deleted_at IS NULL "
        "AND x.doc_kind = d.doc_kind AND x.title = d.title AND COALESCE(x.workstream_id, 0) = "
        "COALESCE(d.workstream_id, 0)) AS latest FROM work_document d LEFT JOIN workstream w ON w.id = d.workstream_id "
        "WHERE d.deleted_at IS NULL ORDER BY d.doc_kind, w.sort, d.title, d.version DESC")]
