"""Cells of an .xlsx that the reader gives as blank though the file holds something there: an
error value (#REF!, #DIV/0!, #N/A…) or a formula whose result was never saved (files written
by programs that do not calculate: openpyxl, Java's POI, some reporting systems). Imported as
they read, an amount would become 0 and an ID number blank, without a word.

    causes = XlsxSource(data, parts, infos).blank_causes("Sheet1")
    causes[(row, col)]      # "错误值“#REF!”" or "未保存计算结果的公式"; 0-based as the rows are

Looked for only when an imported column has blank cells (``importer``): the part is inflated
again and walked from each error or formula mark to its cell."""
from __future__ import annotations

import re
import zipfile

from models.io.limits import inflate

_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ERROR_ATTR = re.compile(rb"""\st\s*=\s*["']e["']""")
_CELL_START = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>([^<]*)</(?:\w+:)?v>")
_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})$")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_MARKS = (b"<f", b":f", b"=\"e\"", b"='e'", b"= \"e\"")      # none there: nothing to look for

ERROR_TEXTS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
               "#CALC!")


def _cell_ref(head: bytes) -> tuple[int, int] | None:
    """The 0-based (row, column) of a cell's start tag, from its r attribute."""
    for m in _ATTR.finditer(head):
        if m.group(1).split(b":")[-1] == b"r":
            ref = _REF.match((m.group(2) if m.group(2) is not None else m.group(3)).strip())
            if not ref:
                return None
            col = 0
            for ch in ref.group(1).upper():
                col = col * 26 + ch - 64
            return int(ref.group(2)) - 1, col - 1
    return None


def _cell_type(head: bytes) -> bytes:
    for m in _ATTR.finditer(head):
        if m.group(1).split(b":")[-1] == b"t":
            return (m.group(2) if m.group(2) is not None else m.group(3)).strip()
    return b"n"


def causes_in(xml: bytes) -> tuple[dict[tuple[int, int], str], int]:
    """{(row, col): why it reads blank} for the cells holding an error value or a formula
    without a saved result; and how many such cells have no address to name."""
    if not any(m in xml for m in _MARKS):
        return {}, 0
    out: dict[tuple[int, int], str] = {}
    unplaced = 0
    seen: set[int] = set()
    for pat in (_ERROR_ATTR, _FORMULA):
        for m in pat.finditer(xml):
            start = -1
            for s in _CELL_START.finditer(xml, max(0, m.start() - 400), m.start() + 1):
                start = s.start()               # the last cell start before the mark
            if start < 0 or start in seen:
                continue
            head_end = xml.find(b">", start)
            if head_end < 0 or head_end < m.start() and pat is _ERROR_ATTR:
                continue
            head = xml[start:head_end + 1]
            if pat is _FORMULA and m.start() <= head_end:
                continue                        # an attribute named f…, not a formula element
            seen.add(start)
            if head.endswith(b"/>"):
                continue
            close = _CELL_END.search(xml, head_end)
            body = xml[head_end + 1:close.start() if close else len(xml)]
            kind = _cell_type(head)
            value = _VALUE.search(body)
            text = value.group(1).strip() if value else b""
            if kind == b"e":
                why = f"错误值“{text.decode('utf-8', 'replace') or '#错误'}”"
            elif pat is _FORMULA and not text and kind not in (b"str", b"inlineStr"):
                why = "未保存计算结果的公式"
            else:
                continue
            ref = _cell_ref(head)
            if ref is None:
                unplaced += 1
            else:
                out[ref] = why
    return out, unplaced


class XlsxSource:
    """The bytes of an .xlsx and where its sheets are, kept by the book for ``blank_causes``."""

    def __init__(self, data: bytes, parts: dict[str, str], infos: dict[str, zipfile.ZipInfo]) -> None:
        self.data, self.parts, self.infos = data, parts, infos
        self._causes: dict[str, tuple[dict, int]] = {}

    def blank_causes(self, sheet: str) -> tuple[dict[tuple[int, int], str], int]:
        if sheet not in self._causes:
            part = self.parts.get(sheet)
            info = self.infos.get(part) if part else None
            self._causes[sheet] = causes_in(inflate(self.data, info)) if info is not None else ({}, 0)
        return self._causes[sheet]
