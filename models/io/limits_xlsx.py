"""What an .xlsx file may cost, checked before it is parsed (see models.io.limits): the area each
sheet's cell references fill, the length of every text and what shared strings add up to, read
from the XML itself with a few whole-buffer array operations."""
from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field

from models.io.limits import (MAX_BOOK_CELLS, MAX_CELL_CHARS, MAX_COLS, MAX_ROWS, MAX_SHEET_CELLS, MAX_TEXT_BYTES,
                              SMALL, TooBig, _has_pair, _may_hold_controls, _np, _reader_reads, check_zip_directory,
                              col_letters, inflate, too_long, too_many, where)
from models.io.hidden_rows import xlsx_hidden_rows

# -- .xlsx -------------------------------------------------------------------------------------------
@dataclass
class SheetFacts:
    name: str
    part: str
    rows: int = 0                 # the area the reader allocates
    cols: int = 0
    text_bytes: int = 0           # all its cells' text, each cell its own copy (an upper bound)
    hidden_rows: list = field(default_factory=list)     # [start, stop) ranges of hidden rows, 0-based


@dataclass
class XlsxFacts:
    sheets: list[SheetFacts] = field(default_factory=list)
    controls: bool = False        # some text may hold control characters: clean the cells after reading


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")


def _attrs(s: bytes) -> dict[bytes, bytes]:
    return {k.split(b":")[-1]: v for k, v in _ATTR.findall(s)}


def _sheet_parts(parts: dict[str, bytes], names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, part name) for each sheet the workbook lists, then every other
    worksheet part (the reader may read those too)."""
    rels = {}
    for tag in _REL_TAG.findall(parts.get("xl/_rels/workbook.xml.rels", b"")):
        a = _attrs(tag)
        target = a.get(b"Target", b"").decode("utf-8", "replace")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        while "/../" in target:
            target = re.sub(r"[^/]+/\.\./", "", target, count=1)
        rels[a.get(b"Id", b"")] = target
    out, named = [], set()
    for tag in _SHEET_TAG.findall(parts.get("xl/workbook.xml", b"")):
        a = _attrs(tag)
        target = rels.get(a.get(b"id", b""))
        if target and target in names and target not in named:
            name = html.unescape(a.get(b"name", b"").decode("utf-8", "replace"))
            out.append((name, target))
            named.add(target)
    for n in sorted(names):
        low = n.lower()
        if n not in named and low.startswith("xl/") and "sheet" in low and low.endswith(".xml") \
                and not low.endswith(("sharedstrings.xml", "workbook.xml")) and "/_rels/" not in low:
            out.append((n.rsplit("/", 1)[-1][:-4], n))
    return out


_OWN_TEXT = re.compile(rb"""t\s*=\s*["'](?:inlineStr|str|d)["']""")    # cells that hold their own text


class XlsxCheck:
    """The checks of one .xlsx, in two steps: ``first`` (the zip's directory, every XML part
    inflated and verified, the shared strings) must pass before the reader opens the file
    (opening reads the shared strings); ``sheets`` before it reads any sheet. ``sheets`` may
    run on another thread while the reader opens the file. Each raises ``TooBig``."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.parts: dict[str, bytes] = {}
        self.si_len: list | object = []
        self.si_long: dict[int, int] = {}
        self.shared = b""
        self.done = False
        self.facts = XlsxFacts()

    def first(self) -> None:
        import io
        data = self.data
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.infos = {i.filename: i for i in z.infolist() if not i.is_dir()}
            first = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels"} & set(self.infos)
            check_zip_directory(z, first)
            for name in first:
                self._inflate(name)
            # the sheets are whatever the workbook's relationships name (any file name) and any
            # other worksheet part; the reader reads those and a few parts besides (pictures,
            # printer settings, document properties it never opens)
            self.sheet_parts = _sheet_parts(self.parts, set(self.infos))
            later = {part for _, part in self.sheet_parts}
            read = {n for n in self.infos if _reader_reads(n)} | later
            check_zip_directory(z, read)
        for name in sorted(read - later - set(self.parts)):
            self._inflate(name)
        shared = next((self.parts[n] for n in self.parts if n.lower().endswith("sharedstrings.xml")), b"")
        self.si_len, self.si_long = _shared_string_lengths(shared)
        self.shared = shared
        if self.si_long:                    # name the cell before the reader holds the string
            self.sheets()

    def _inflate(self, name: str) -> bytes:
        part = inflate(self.data, self.infos[name])
        head = part[:200].lstrip(b"\xef\xbb\xbf \r\n\t")
        start = max(part.find(b"?>"), 0) if head.startswith(b"<?xml") else 0
        if (part.find(b"<!", start) >= 0 if len(part) < SMALL
                else _has_pair(_np().frombuffer(part, _np().uint8), b"<!", start)):
            raise TooBig(f"部件“{name}”含有表格软件不会写入的内容（DOCTYPE、CDATA 或注释），文件已被改动")
        self.parts[name] = part
        return part

    def sheets(self) -> XlsxFacts:
        if self.done:
            return self.facts
        facts = self.facts
        facts.sheets = []
        facts.controls = bool(self.shared) and _may_hold_controls(self.shared)
        book_cells = 0
        for sheet, part in self.sheet_parts:
            xml = self.parts.pop(part, None) or self._inflate(part)
            self.parts.pop(part, None)
            own = bool(_OWN_TEXT.search(xml))
            sf = _check_sheet(sheet, part, xml, self.si_len, self.si_long, own)
            sf.hidden_rows = xlsx_hidden_rows(xml)          # one bytes search when none is hidden
            facts.sheets.append(sf)
            book_cells += sf.rows * sf.cols
            if book_cells > MAX_BOOK_CELLS:
                raise TooBig(f"各工作表的数据区域合计超过 {MAX_BOOK_CELLS:,} 个单元格，"
                             "请只保留要导入的工作表，或把表格分成几个文件后再导入")
            if not facts.controls and own and _may_hold_controls(xml):
                facts.controls = True
            del xml
        total_text = sum(s.text_bytes for s in facts.sheets)
        if total_text > MAX_TEXT_BYTES:
            raise TooBig(f"各单元格的文字合计约 {total_text >> 20:,} MB，超过可导入的 {MAX_TEXT_BYTES >> 20} MB"
                         "（可能有很长的文字被大量单元格重复引用），请删减后再导入")
        self.parts, self.shared, self.done = {}, b"", True
        return facts


def check_xlsx(data: bytes) -> XlsxFacts:
    """Both steps of ``XlsxCheck`` in one go."""
    c = XlsxCheck(data)
    c.first()
    return c.sheets()


# -- the XML, fast -------------------------------------------------------------------------------------
def _prefixed(xml: bytes) -> bool:
    """Whether the part's elements carry a namespace prefix (<x:c …>), which only some
    libraries write; such parts are walked the exact, slower way."""
    m = re.search(rb"<(\w+:)?(?:worksheet|sst|chartsheet|dialogsheet)\b", xml[:8192])
    return bool(m and m.group(1))


def _tag_starts(a, local: bytes):
    """Positions (of the ``<``) of the start tags ``<local …>``, ``<local>``, ``<local/>`` in the
    byte array ``a``. The two first bytes are found as 16-bit words at even and odd offsets
    (two passes over half as many items as bytes), the rest checked at those few places."""
    np = _np()
    n = len(local)
    size = len(a) - n - 2
    if size <= 2:
        return np.zeros(0, np.int64)
    word = 60 | (local[0] << 8)
    even = np.flatnonzero(a[:size - size % 2].view("<u2") == word) * 2
    odd = np.flatnonzero(a[1:1 + (size - 1) - (size - 1) % 2].view("<u2") == word) * 2 + 1
    sel = np.sort(np.concatenate((even, odd)))
    for k in range(1, n):
        sel = sel[a[sel + 1 + k] == local[k]]
    nxt = a[sel + 1 + n]
    return sel[(nxt == 32) | (nxt == 62) | (nxt == 47) | (nxt == 9) | (nxt == 10) | (nxt == 13)]


def _starts(xml: bytes, a, local: bytes):
    np = _np()
    if _prefixed(xml):
        pat = re.compile(rb"<(?:\w+:)?" + local + rb"[\s>/]")
        return np.array([m.start() for m in pat.finditer(xml)], np.int64)
    return _tag_starts(a, local)




def _positions(xml: bytes, local: bytes):
    """Where the start tags ``<local …>`` are: a list for a small part, an array for a big one."""
    if len(xml) < SMALL:
        return [m.start() for m in re.finditer(rb"<(?:\w+:)?" + local + rb"[\s>/]", xml)]
    np = _np()
    return _starts(xml, np.frombuffer(xml, np.uint8), local)


def _spans(starts, end: int):
    """The bytes from each start to the next (the last to ``end``)."""
    if isinstance(starts, list):
        return [b - a for a, b in zip(starts, starts[1:] + [end])]
    np = _np()
    if not len(starts):
        return np.zeros(0, np.int64)
    return np.diff(np.append(starts, end))


def _over(spans, limit: int):
    if isinstance(spans, list):
        return [i for i, n in enumerate(spans) if n > limit]
    return [int(i) for i in _np().flatnonzero(spans > limit)]


def _total(spans) -> int:
    return sum(spans) if isinstance(spans, list) else int(spans.sum())


def _biggest(spans) -> int:
    return (max(spans) if spans else 0) if isinstance(spans, list) else (int(spans.max()) if len(spans) else 0)


_T_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)</(?:\w+:)?t>")
_RPH = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_V_TEXT = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>([^<]*)</(?:\w+:)?v>")


def _text_len(chunk: bytes, rich: bool = True) -> int:
    """Characters of the text an element holds, as the reader will give it (XML entities and
    _xHHHH_ escapes count as one character)."""
    if rich:
        chunk = _RPH.sub(b"", chunk)
        texts = _T_TEXT.findall(chunk) or _V_TEXT.findall(chunk)
    else:
        texts = _V_TEXT.findall(chunk) or _T_TEXT.findall(chunk)
    n = 0
    for t in texts:
        s = html.unescape(t.decode("utf-8", "replace"))
        n += len(s) - 5 * s.count("_x") if "_x" in s else len(s)
    return n


def _shared_string_lengths(xml: bytes) -> tuple[list | object, dict[int, int]]:
    """For each shared string, an upper bound of its UTF-8 bytes; and the strings over the
    cell limit ({index: characters})."""
    if not xml:
        return [], {}
    starts = _positions(xml, b"si")
    if not len(starts):
        return [], {}
    end = xml.rfind(b"</")
    spans = _spans(starts, max(end, int(starts[-1]) + 1))
    long = {}
    # a span is the element's bytes; the text inside is no longer (UTF-8 bytes ≥ characters)
    for i in _over(spans, MAX_CELL_CHARS):
        s = int(starts[i])
        n = _text_len(xml[s:s + int(spans[i])])
        if n > MAX_CELL_CHARS:
            long[i] = n
    return spans, long


_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{0,4})([0-9]{0,8})["']""")


def _check_sheet(sheet: str, part: str, xml: bytes, si_len, si_long: dict[int, int],
                 own_text: bool = True) -> SheetFacts:
    sf = SheetFacts(sheet, part)
    cells = _positions(xml, b"c")
    ncells = len(cells)
    if not ncells:
        return sf
    # 1. the area: every cell's reference (a cell without one follows the one before it)
    if isinstance(cells, list):
        max_row, max_col, far = _max_refs_slow(xml, sheet)
    else:
        max_row, max_col, far = _max_refs(_np().frombuffer(xml, _np().uint8), xml, cells, sheet)
    sf.rows, sf.cols = max_row, max_col
    if max_row > MAX_ROWS or max_col > MAX_COLS:
        raise TooBig(f"{where(sheet)}的单元格地址 {far} 超出 Excel 的范围（{MAX_ROWS:,} 行 × "
                     f"{col_letters(MAX_COLS - 1)} 列），文件已被改动或损坏")
    if max_row * max_col > MAX_SHEET_CELLS:
        # a format carried to the sheet's far corner leaves empty cells (<c r="XFD1048576" s="1"/>)
        # that hold nothing the reader keeps: the area is that of the cells with content
        max_row, max_col, far = _filled_area(xml, cells, sheet)
        sf.rows, sf.cols = max_row, max_col
        if max_row * max_col > MAX_SHEET_CELLS:
            raise too_many(sheet, max_row, max_col, far)
    # 2. each cell's own text (inline strings, formula results, ISO dates): a cell's bytes bound
    # its text. Other cells hold numbers, booleans and error codes (a long one is no number, and
    # the reader refuses it) or refer to a shared string (below).
    text = 0
    spans = cells[:0]
    if own_text:
        end = xml.rfind(b"</")
        spans = _spans(cells, max(end, int(cells[-1]) + 1))
        text = _total(spans)
    for i in _over(spans, MAX_CELL_CHARS):
        s = int(cells[i])
        chunk = xml[s:s + int(spans[i])]
        tag_end = chunk.find(b">")
        if tag_end < 0 or chunk[tag_end - 1:tag_end] == b"/":
            continue                            # <c …/>: no text
        close = re.search(rb"</(?:\w+:)?c>", chunk)
        if close:
            chunk = chunk[:close.end()]
        if _SHARED.search(chunk[:tag_end + 1]):
            continue                            # its text is in the shared strings (below)
        n = _text_len(chunk, rich=True)
        if n > MAX_CELL_CHARS:
            m = _REF.search(chunk)
            row, col = _ref_value(m.group(1), m.group(2)) if m else (None, None)
            raise too_long(sheet, row, None if col is None else col - 1, n)
    # 3. shared strings: each cell that refers to one holds a copy of it. At most every cell
    # refers to the longest; only when that could be too much (or a string is over the cell
    # limit) are the references looked at.
    if len(si_len):
        biggest = _biggest(si_len)
        if ncells * biggest <= MAX_TEXT_BYTES and not si_long:
            text += ncells * biggest
        else:
            text += _shared_text(sheet, xml, si_len, si_long)
    sf.text_bytes = text
    if text > MAX_TEXT_BYTES:
        raise TooBig(f"{where(sheet)}各单元格的文字合计约 {text >> 20:,} MB，超过可导入的 {MAX_TEXT_BYTES >> 20} MB"
                     "（可能有很长的文字被大量单元格重复引用），请删减后再导入")
    return sf


_CELL_TAG = re.compile(rb"<(?:\w+:)?c(?=[\s>/])([^>]*?)(/?)>")
_SHARED = re.compile(rb"""\st\s*=\s*["']s["']""")
_V_AFTER = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>\s*([0-9]{1,12})\s*<|</(?:\w+:)?c>")


def _shared_text(sheet: str, xml: bytes, si_len, si_long: dict[int, int]) -> int:
    """The bytes the shared-string cells of a sheet add up to, each its own copy; refused at
    the first cell whose string is over the cell limit."""
    total = 0
    n = len(si_len)
    for m in _CELL_TAG.finditer(xml):
        if m.group(2) or not _SHARED.search(m.group(1)):
            continue
        v = _V_AFTER.search(xml, m.end())
        if not (v and v.group(1)):
            continue
        i = int(v.group(1))
        if i < n:
            total += int(si_len[i])
            if i in si_long:
                ref = _REF.search(b" " + m.group(1))
                row, col = _ref_value(ref.group(1), ref.group(2)) if ref else (None, None)
                raise too_long(sheet, row, None if col is None else col - 1, si_long[i])
    return total


def _ref_value(letters: bytes, digits: bytes) -> tuple[int, int]:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return int(digits or b"0"), col


def _max_refs(a, xml: bytes, cells, sheet: str) -> tuple[int, int, str]:
    """(rows, columns, farthest references) of the area the cells fill. Vectorized over the
    ``r="…"`` attributes when every cell starts ``<c r="`` (what Excel, WPS, LibreOffice and
    the common libraries write); any other sheet is walked cell by cell, as the reader places
    cells. A reference of k digits is below 10**k: only the references with the most digits
    (and with the most letters) are read as numbers, and checked to be well formed."""
    np = _np()
    if int(cells[-1]) + 24 >= len(a):
        return _max_refs_slow(xml, sheet)
    if _prefixed(xml) or not ((a[cells + 2] == 32) & (a[cells + 3] == 114) & (a[cells + 4] == 61)
                              & (a[cells + 5] == 34)).all():
        return _max_refs_slow(xml, sheet)
    off = cells + 6
    w = np.lib.stride_tricks.sliding_window_view(a, 12)[off].T.copy()   # 12 × n: byte k of each reference
    end = np.full(len(off), 99, np.int8)                  # the closing quote (99: none: malformed)
    for k in range(11, -1, -1):
        end[w[k] == 34] = k
    nlet = np.zeros(len(off), np.int8)
    run = np.ones(len(off), bool)
    for k in range(4):
        up = w[k] & 0xDF
        run &= (up >= 65) & (up <= 90)
        nlet += run
    ndig = end - nlet

    def value(i: int) -> tuple[int, int]:
        o = int(off[i])
        ref = xml[o:xml.find(b'"', o, o + 40)]
        m = re.fullmatch(rb"([A-Za-z]{1,3})([1-9][0-9]{0,6})", ref)
        if not m:
            raise TooBig(f"{where(sheet)}有无效的单元格地址“{ref.decode('latin-1')[:20]}”，文件已被改动或损坏")
        return _ref_value(m.group(1), m.group(2))

    lead = w[np.minimum(nlet, 11), np.arange(len(off))]             # a row number's first digit
    bad = (nlet < 1) | (ndig < 1) | (lead < 49) | (lead > 57)
    if bad.any():
        value(int(np.flatnonzero(bad)[0]))                            # raises, naming the reference
    long_r = np.flatnonzero(ndig == ndig.max())
    long_c = np.flatnonzero(nlet == nlet.max())
    if len(long_r) <= 20_000:
        rows = {int(i): value(int(i))[0] for i in long_r}
        i_row = max(rows, key=rows.get)
    else:                                   # a big sheet: compare the digit strings as numbers
        key = np.zeros(len(long_r), np.int64)
        for j in range(int(ndig.max())):
            key = key * 10 + (w[nlet[long_r] + j, long_r].astype(np.int64) - 48)
        i_row = int(long_r[int(key.argmax())])
    if len(long_c) <= 20_000:
        cols = {int(i): value(int(i))[1] for i in long_c}
        i_col = max(cols, key=cols.get)
    else:
        key = np.zeros(len(long_c), np.int64)
        for j in range(int(nlet.max())):
            key = key * 26 + ((w[j, long_c] & 0xDF).astype(np.int64) - 64)
        i_col = int(long_c[int(key.argmax())])
    r_row, c_row = value(i_row)
    r_col, c_col = value(i_col)
    far = f"{col_letters(c_row - 1)}{r_row}"
    if (r_col, c_col) != (r_row, c_row):
        far = f"{far}、{col_letters(c_col - 1)}{r_col}"
    return r_row, c_col, far


def _filled_area(xml: bytes, cells, sheet: str) -> tuple[int, int, str]:
    """``_max_refs`` of the cells that are not empty (``<c …/>`` or ``<c …></c>``)."""
    if isinstance(cells, list) or _prefixed(xml):
        return _max_refs_slow(xml, sheet, skip_empty=True)
    np = _np()
    a = np.frombuffer(xml, np.uint8)
    gt = np.flatnonzero(a == 62)                            # every '>'
    close = gt[np.minimum(np.searchsorted(gt, cells), len(gt) - 1)]
    nxt = np.minimum(close + 3, len(a) - 1)
    empty = (a[close - 1] == 47) | ((a[np.minimum(close + 1, len(a) - 1)] == 60)
                                   & (a[np.minimum(close + 2, len(a) - 1)] == 47) & (a[nxt] == 99))
    kept = cells[~empty]
    if not len(kept):
        return 0, 0, ""
    return _max_refs(a, xml, kept, sheet)


_CELL_OR_ROW = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s>/])([^>]*)>")


def _max_refs_slow(xml: bytes, sheet: str, skip_empty: bool = False) -> tuple[int, int, str]:
    """Cell by cell, as the reader places cells: a cell without a reference goes to the right
    of the one before it, a row without a number below the one before it. ``skip_empty``: the
    area of the cells with content only (an empty ``<c …/>`` still takes its place)."""
    row = 0
    col = 0
    max_row = max_col = 0
    far = ""
    best = 0
    for m in _CELL_OR_ROW.finditer(xml):
        kind, attrs = m.group(1), m.group(2)
        ref = _REF.search(b" " + attrs)
        if kind == b"row":
            row = int(ref.group(2)) if ref and ref.group(2) and not ref.group(1) else row + 1
            col = 0
            if row > MAX_ROWS or row < 1:
                raise TooBig(f"{where(sheet)}有无效的行号 {row}，文件已被改动或损坏")
            continue
        if ref:
            letters, digits = ref.group(1), ref.group(2)
            if not letters or not digits or len(letters) > 3 or len(digits) > 7:
                raise TooBig(f"{where(sheet)}有无效的单元格地址“{(letters + digits).decode('latin-1')}”，"
                             "文件已被改动或损坏")
            r, col = _ref_value(letters, digits)
            if r < 1:
                raise TooBig(f"{where(sheet)}有无效的单元格地址“{(letters + digits).decode('latin-1')}”，"
                             "文件已被改动或损坏")
        else:
            r, col = max(row, 1), col + 1
        if skip_empty and (attrs.rstrip().endswith(b"/") or xml.startswith(b"</", m.end())):
            continue
        max_row, max_col = max(max_row, r), max(max_col, col)
        if r * col > best:
            best, far = r * col, f"{col_letters(col - 1)}{r}"
    return max_row, max_col, far
