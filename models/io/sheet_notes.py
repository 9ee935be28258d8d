"""What a sheet holds that a person might not expect an import to take or leave, said in a note:
other sheets of the workbook holding the same ledger (one roster sheet per team: 钢筋班, 木工班,
水电班; an import reads one sheet, so the others are named with their rows and how to import
them), and record rows hidden in Excel (imported, as they are data, but named with what they
add up to, since the file's totals on screen leave them out; found by ``models.io.hidden_rows``).
Used by ``models.io.importer`` while planning; nothing here writes."""
from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

from models.io import cells as C
from models.io.header import SCAN_ROWS, Header, find_header
from models.io.plan import compute_totals, totals_text
from models.ledger.fields import Ledger

if TYPE_CHECKING:
    from models.io.plan import ImportPlan
    from models.io.reading import Book


def _fields(header: Header) -> set[str]:
    return {c.field for c in header.columns if c.field}


def other_sheets(book: "Book", chosen: str, header: Header, ledger: Ledger) -> list[dict]:
    """[{"sheet", "rows", "hidden"}] for each other sheet whose header names mostly the same
    fields as the chosen sheet's (as found, before any mapping) and that has record rows below
    it. A workbook of one sheet (every CSV) costs nothing."""
    if len(book.sheet_names) < 2:
        return []
    own = _fields(header)
    out = []
    for name in book.sheet_names:
        if name == chosen:
            continue
        part = book.load(name, nrows=SCAN_ROWS + 5) if book.fmt not in ("csv", "html") else book.load(name)
        h = find_header(part.rows, part.merged, ledger)
        if h is None:
            continue
        theirs = _fields(h)
        if len(own & theirs) < max(2, (len(own) * 6 + 9) // 10):      # most of the chosen sheet's columns
            continue
        rows = book.load(name).rows
        mapped = [c.index for c in h.columns if c.field]
        labels = {c.label for c in h.columns if c.label}
        n = sum(1 for cells in rows[h.data_start:] if C.row_kind(cells, mapped, labels) is None)
        if n:
            out.append({"sheet": name, "rows": n, "hidden": name in book.hidden})
    return out


def other_sheets_note(plan: "ImportPlan") -> str:
    others = plan.other_sheets
    shown = "、".join(f"“{o['sheet']}”（{'隐藏的工作表，' if o['hidden'] else ''}{o['rows']} 行）" for o in others)
    total = sum(o["rows"] for o in others)
    return (f"文件中另有 {len(others)} 个工作表也是{plan.ledger.title}（表头相同）：{shown}"
            + (f"，共 {total} 行" if len(others) > 1 else "") + "，"
            f"本次只导入工作表“{plan.sheet}”，这些工作表中的行没有导入。要导入它们，请逐个选择工作表再导入"
            f"（命令行加 --sheet 工作表名称，窗口中在“工作表”框中选择）。")


def note_hidden(plan: "ImportPlan") -> None:
    """A note naming the record rows hidden in the sheet, with their total, and
    ``plan.hidden_rows`` (as the spreadsheet numbers them)."""
    ranges = (getattr(plan.book, "hidden_rows", None) or {}).get(plan.sheet)
    if not ranges or not plan.rows:
        return
    rows = plan.rows
    numbers = [r.row - 1 for r in rows]        # 0-based, in order
    hit = []
    for start, stop in ranges:
        i = bisect_left(numbers, start)
        while i < len(numbers) and numbers[i] < stop:
            hit.append(rows[i])
            i += 1
    if not hit:
        return
    plan.hidden_rows = [r.row for r in hit]
    shown = "、".join(str(r.row) for r in hit[:10]) + ("等" if len(hit) > 10 else "")
    kept = [r.values for r in hit if not r.problems]
    what = f"（{totals_text(compute_totals(plan.ledger, kept))}）" if kept else ""
    count = f"（共 {len(hit)} 行）" if len(hit) > 1 else ""
    plan.notes.append(f"第 {shown} 行{count}在 Excel 中被隐藏（或被筛选掉），打开文件时看不到，"
                      f"已照常检查、导入{what}，Excel 中看到的合计不含这些行；如这些行不应导入，"
                      "请在文件中删除后再导入。")
