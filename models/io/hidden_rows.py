"""Rows hidden in the spreadsheet (hidden by hand, filtered out by an AutoFilter, folded in an
outline): the reader gives them like any other row, and they are data, so they are imported;
but the person who looks at the file in Excel does not see them, and its totals on screen leave
them out. So they are named, with what they add up to.

The rows are found where the file's bytes are already at hand, by the checks made before a
file is read (``models.io.limits_xlsx``, ``limits_xls``, ``limits_ods``), as 0-based
[start, stop) ranges per sheet (``Book.hidden_rows``): an .xlsx with no hidden row costs one
bytes search of each sheet's XML, never a Python step per row. The note is made by
``models.io.sheet_notes.note_hidden``."""
from __future__ import annotations

import re

_ROW_TAG = re.compile(rb"<(?:\w+:)?row\s")
_HIDDEN_ATTR = re.compile(rb"""\shidden\s*=\s*["'](?:1|true)["']""")
_XLSX_ROW_START = re.compile(rb"<(?:\w+:)?row[\s>/]")
_R_ATTR = re.compile(rb"""\sr\s*=\s*["']\s*([0-9]{1,7})\s*["']""")
ODS_HIDDEN = re.compile(rb"""table:visibility\s*=\s*["'](?:collapse|filter)["']""")


def xlsx_hidden_rows(xml: bytes) -> list[tuple[int, int]]:
    """The hidden rows of a worksheet's XML (``<row r="3" hidden="1">``) as [start, stop) ranges.
    Each occurrence of "hidden" is looked at (a hidden column's ``<col … hidden="1">`` too), never
    every row."""
    find, rfind = xml.find, xml.rfind
    pos = find(b"hidden")
    if pos < 0:
        return []
    out: list[tuple[int, int]] = []
    last_row, last_at = -1, 0
    while pos >= 0:
        lt = rfind(b"<", 0, pos)
        gt = find(b">", pos)
        tag = xml[lt:gt + 1] if lt >= 0 and gt >= 0 else b""
        pos = find(b"hidden", max(gt, pos + 6))
        if not _ROW_TAG.match(tag) or b">" in tag[:-1] or not _HIDDEN_ATTR.search(tag):
            continue
        r = _R_ATTR.search(tag)
        if r is not None:
            row = int(r.group(1)) - 1
        else:                                   # no address (rare): counted from the rows before it
            row = last_row + 1 + len(_XLSX_ROW_START.findall(xml, last_at, lt))
        last_row, last_at = row, gt
        add_range(out, row, row + 1)
    return out


def add_range(out: list[tuple[int, int]], start: int, stop: int) -> None:
    """Append [start, stop) to ranges in row order, joining it to the last one when they touch."""
    if out and out[-1][1] == start:
        out[-1] = (out[-1][0], stop)
    else:
        out.append((start, stop))
