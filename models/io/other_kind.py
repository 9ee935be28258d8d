"""A file of another ledger than the one asked for (a worker roster given as cases): told by its
header, so the import says which ledger the file is instead of refusing it column by column."""
from __future__ import annotations

from pathlib import Path

from models.io.header import Header, find_header
from models.io.plan import importable
from models.io.reading import Book
from models.ledger import registry
from models.ledger.fields import Ledger


def _kind_score(header: Header | None) -> float:
    return header.score if header is not None else 0.0


def looks_like_kind(book: Book, sheet: str, ledger: Ledger, header: Header | None) -> Ledger | None:
    """Another ledger whose header this sheet plainly is (a worker roster given as cases): its
    header names at least three of that ledger's fields, and twice as many as of this one, or
    three more and half as many again (a petition ledger shares 人数, 涉及单位, 交办专班 and
    办理结果 with a case ledger, and names four more of its own)."""
    own = _kind_score(header)
    part = book.load(sheet, nrows=40) if book.fmt not in ("csv", "html") else book.load(sheet)
    # where this ledger found its header, the others look too (and a row below, for a two-row one)
    rows = part.rows[:header.data_start + 1] if header is not None else part.rows[:40]
    best, best_score = None, 0.0
    for other in registry.all_ledgers():
        if other.kind == ledger.kind or not importable(other):
            continue
        h = find_header(rows, part.merged, other)
        score = _kind_score(h)
        if score > best_score:
            best, best_score = other, score
    if best is None or best_score < 3 or best_score - own < 2:
        return None
    if best_score >= 2 * max(own, 1.0) or (best_score >= own + 3 and best_score >= 1.5 * own):
        return best
    return None


def other_kind_message(path: Path, other: Ledger) -> str:
    return f"文件“{path.name}”看起来是{other.title}，请用 --kind {other.kind} 导入（窗口中在“台账类型”里选“{other.title}”）。"
