"""Which rows of a sheet are records, beyond what ``cells.row_kind`` tells from a row's first
cell: a row holding a valid ID number is a person's record whatever its first cell looks like
(a worker named 欧阳小计 is no 小计 row; "（一）张三" is no section heading), and a skipped row is
shown with its first text so that a person can see what was left out. Used by
``models.io.importer._record_rows``."""
from __future__ import annotations

from models.io import cells as C
from models.io.header import Header
from models.ledger.fields import Ledger


def id_columns(ledger: Ledger, header: Header) -> list[int]:
    """The columns holding ID numbers: a field's, or one read to tell records apart (核对列)."""
    out = []
    for c in header.columns:
        if c.field and ledger.field(c.field).kind == "id_number":
            out.append(c.index)
        elif c.how == "核对列" and any(g.identifies == c.checks and g.kind == "id_number" for g in ledger.fields):
            out.append(c.index)
    return out


def valid_id_in(cells: list, ids: list[int]) -> bool:
    """Whether one of the ``ids`` cells holds a valid ID number (check digit, birth date, area)."""
    from models.rules.idcard import validate_id
    width = len(cells)
    return any(i < width and not C.is_empty(cells[i]) and validate_id(C.text_value(cells[i])).ok for i in ids)


def first_text(cells: list) -> str:
    """The first filled cell of a skipped row, as a person reads it (at most 20 characters)."""
    v = next((v for v in cells if not C.is_empty(v)), None)
    text = C.text_value(v)
    return text[:20] + ("…" if len(text) > 20 else "")


def kept_note(kept: list[tuple[int, str]]) -> str:
    """The rows taken for records though their first cell looked like a label: (row, what it looked like)."""
    shown = "、".join(f"第 {r} 行（像{why}）" for r, why in kept[:10]) + ("等" if len(kept) > 10 else "")
    return f"{shown}有有效的身份证号码，按记录导入，请核对姓名等各栏。"
