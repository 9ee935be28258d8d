"""What an .ods file may cost, checked before it is parsed (see models.io.limits): repeated rows
and cells counted up to the last one that holds something."""
from __future__ import annotations

import html
import re
import zipfile

from models.io.limits import (MAX_BOOK_CELLS, MAX_CELL_CHARS, MAX_COLS, MAX_ROWS, MAX_SHEET_CELLS, MAX_TEXT_BYTES,
                              TooBig, _may_hold_controls, check_zip_directory, inflate, too_long, too_many, where)
from models.io.hidden_rows import ODS_HIDDEN, add_range
from models.io.limits_xlsx import _text_len

# -- .ods --------------------------------------------------------------------------------------------------
_ODS_TOKEN = re.compile(
    rb"<table:table(?=[\s>])([^>]*)>|<table:table-row\b([^>]*?)(/?)>|</table:table-row>"
    rb"|<table:(?:covered-)?table-cell\b([^>]*?)(/?)>|</table:(?:covered-)?table-cell>")
_REPEAT = re.compile(rb'number-(?:rows|columns)-repeated\s*=\s*"([0-9]{1,12})"')
_ODS_NAME = re.compile(rb'table:name\s*=\s*"([^"]*)"')


def check_ods(data: bytes, hidden: dict | None = None) -> bool:
    """An OpenDocument sheet repeats rows and cells by count (number-rows-repeated,
    number-columns-repeated): a few bytes can stand for millions of cells. The area each
    table fills, counting the repeats up to its last cell that holds something, and the
    text the repeats copy, are checked before the reader expands them. Returns whether
    the cells may hold control characters. ``hidden`` is given each table's hidden rows
    ({name: [(start, stop)]}, 0-based; table:visibility collapse or filter)."""
    import io
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        check_zip_directory(z, {"content.xml"})           # the one part the reader reads
        info = next((i for i in z.infolist() if i.filename == "content.xml"), None)
    if info is None:
        return False
    xml = inflate(data, info)
    start = max(xml.find(b"?>"), 0)
    if xml.find(b"<!", start) >= 0:
        raise TooBig("含有表格软件不会写入的内容（DOCTYPE、CDATA 或注释），文件已被改动")
    sheet, row, col = "", 0, 0
    row_rep, row_filled, width, max_row = 1, False, 0, 0
    cell_rep, cell_at, cell_attrs = 1, -1, b""
    text = 0
    book = 0

    def done_table() -> None:
        nonlocal book
        if max_row * width > MAX_SHEET_CELLS:
            raise too_many(sheet, max_row, width)
        book += max_row * width
        if book > MAX_BOOK_CELLS:
            raise TooBig(f"各工作表的数据区域合计超过 {MAX_BOOK_CELLS:,} 个单元格，"
                         "请只保留要导入的工作表，或把表格分成几个文件后再导入")

    def filled(attrs: bytes, inner: int) -> bool:
        return b"value-type" in attrs or inner > 0

    for m in _ODS_TOKEN.finditer(xml):
        tok = m.group(0)
        if m.group(1) is not None:                          # a new table
            if sheet:
                done_table()
            name = _ODS_NAME.search(m.group(1))
            sheet = html.unescape(name.group(1).decode("utf-8", "replace")) if name else "表"
            row, max_row, width = 0, 0, 0
        elif tok.startswith(b"<table:table-row"):
            r = _REPEAT.search(m.group(2))
            row_rep, row_filled, col = int(r.group(1)) if r else 1, False, 0
            if hidden is not None and b"visibility" in m.group(2) and ODS_HIDDEN.search(m.group(2)) \
                    and row < MAX_ROWS:
                add_range(hidden.setdefault(sheet, []), row, min(row + row_rep, MAX_ROWS))
            if m.group(3):                                   # <table:table-row/>
                row += row_rep
        elif tok == b"</table:table-row>":
            row += row_rep
            if row_filled:
                max_row = row
                if max_row > MAX_ROWS:
                    raise TooBig(f"{where(sheet)}的行数超过 Excel 的上限 {MAX_ROWS:,} 行，请删除多余的行后再导入")
        elif tok.startswith(b"<table:"):                     # a cell opens
            r = _REPEAT.search(m.group(4))
            cell_rep, cell_attrs = int(r.group(1)) if r else 1, m.group(4)
            if m.group(5):                                   # <…-cell/>: nothing inside
                if filled(cell_attrs, 0):
                    _ods_cell(sheet, row, col, cell_rep, row_rep, 0)
                    row_filled, width = True, max(width, col + cell_rep)
                col += cell_rep
            else:
                cell_at = m.end()
        else:                                                # a cell closes
            inner = m.start() - cell_at if cell_at >= 0 else 0
            if filled(cell_attrs, inner):
                n = _text_len(xml[cell_at:m.start()], rich=True) if inner > MAX_CELL_CHARS else inner
                text += _ods_cell(sheet, row, col, cell_rep, row_rep, n)
                row_filled, width = True, max(width, col + cell_rep)
                if text > MAX_TEXT_BYTES:
                    raise TooBig(f"{where(sheet)}各单元格的文字合计超过 {MAX_TEXT_BYTES >> 20} MB"
                                 "（可能有文字被大量重复），请删减后再导入")
            col += cell_rep
            cell_at = -1
        if col > MAX_COLS:
            raise TooBig(f"{where(sheet)}第 {row + 1} 行的列数超过 Excel 的上限 {MAX_COLS:,} 列，"
                         "请删除多余的列后再导入")
    if sheet:
        done_table()
    return _may_hold_controls(xml)          # whether cells may hold control characters


def _ods_cell(sheet: str, row: int, col: int, cell_rep: int, row_rep: int, n: int) -> int:
    """One cell element that holds something; returns the text its repeats copy."""
    if n > MAX_CELL_CHARS:
        raise too_long(sheet, row + 1, col, n)
    return n * cell_rep * row_rep
