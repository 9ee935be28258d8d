"""What an imported file may cost, checked before the file is parsed.

A spreadsheet is small on disk and large in memory: one cell at XFD1048576 makes the
reader allocate 17 thousand million cells; a 200 KB zip can hold a 200 MB cell; a rowspan
of 65,534 in an HTML table repeats a cell that many times. So before a file is handed to
the reader, the cheap facts are checked against the limits below, and a file over any of
them is refused (``UnusableFile``, one Chinese sentence naming the file and, where it
applies, the sheet, row and column). Nothing has been read into the database by then.

For .xlsx (``check_xlsx``) the facts come from the zip's directory (declared sizes,
compression ratio) and from the XML itself, inflated here once with a bound and verified:
each sheet's cell references (the area the reader will allocate, whatever ``<dimension>``
claims; the reader ignores ``<dimension>`` too), the length of every text, and the text
that shared strings add up to when every cell referring to one gets its own copy. The
common case (a sheet of ordinary cells) is decided with a few whole-buffer array
operations: ~0.3 s of processor time for 100,000 rows × 10–12 columns (47 MB of XML, half
of it inflating), most of it on a second thread while the reader opens the file; only
files near a limit get the exact, slower look. .xls (``check_xls``: the BIFF records),
.ods (``check_ods``: the repeat counts) and text files (in ``reading``) have theirs.
"""
from __future__ import annotations

import html
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

# -- the limits -----------------------------------------------------------------------
MAX_FILE_BYTES = 256 << 20        # the file itself (read whole into memory)
MAX_ROWS = 1_048_576              # Excel's sheet: rows
MAX_COLS = 16_384                 # Excel's sheet: columns (XFD)
MAX_SHEET_CELLS = 5_000_000       # the area one sheet fills (rows × columns, as the reader allocates it)
MAX_BOOK_CELLS = 10_000_000       # all sheets of a file together (they are all looked at for the header)
MAX_CELL_CHARS = 32_767           # Excel's limit for the text of one cell
MAX_TEXT_BYTES = 256 << 20        # all cells' text together, each cell counted with its own copy
MAX_UNZIPPED = 1 << 30            # a zip's parts together, uncompressed
MAX_RATIO = 100                   # uncompressed : compressed, for parts over RATIO_FROM (XML reaches 5–20)
RATIO_FROM = 1 << 20
MAX_ZIP_ENTRIES = 10_000
MAX_SPAN_CELLS = 500_000          # HTML: cells that rowspans carry down to the rows below, together
MAX_COLSPAN = 1_000               # HTML's own limits (browsers clamp to these)
MAX_ROWSPAN = 65_534


class TooBig(Exception):
    """Raised by the checks; ``reading`` turns it into ``UnusableFile`` with the file's name."""


def col_letters(i: int) -> str:
    """0-based column index → A, B, …, XFD."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def where(sheet: str | None, row: int | None = None, col: int | None = None) -> str:
    """工作表“Sheet1”第 12 行 C 列 (row 1-based, column 0-based)."""
    out = f"工作表“{sheet}”" if sheet else ""
    if row is not None:
        out += f"第 {row} 行"
    if col is not None:
        out += f" {col_letters(col)} 列" if row is not None else f"{col_letters(col)} 列"
    return out


def too_long(sheet: str | None, row: int | None, col: int | None, n: int) -> TooBig:
    return TooBig(f"{where(sheet, row, col)}的单元格有 {n:,} 个字符，超过 Excel 单元格的上限 "
                  f"{MAX_CELL_CHARS:,} 个字符，请删减该单元格的内容后再导入")


def too_many(sheet: str | None, rows: int, cols: int, far: str = "") -> TooBig:
    at = f"（最远的单元格在 {far}）" if far else ""
    return TooBig(f"{where(sheet)}的数据区域有 {rows:,} 行 × {cols:,} 列{at}，超过一次可导入的 "
                  f"{MAX_SHEET_CELLS:,} 个单元格，请删除多余的行列或把表格分成几个文件后再导入")


# -- control characters -----------------------------------------------------------------
# Removed from every cell, with a note: C0 controls other than tab / line feed / carriage
# return (NUL, ESC, …), DEL and the C1 controls are never typed on purpose, cannot be kept in
# an .xlsx, and break searching and printing; zero-width and direction marks (U+200B–U+200F,
# U+202A–U+202E, U+2060–U+2064, U+2066–U+2069, U+FEFF) come with text copied from web pages
# and make an ID number that looks right fail its check or a name match nobody. Tab, line
# feed and carriage return stay: they are the line breaks people put in 备注 cells.
CONTROL_CHARS = "".join(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), *range(0x7F, 0xA0),
                                          *range(0x200B, 0x2010), *range(0x202A, 0x202F),
                                          *range(0x2060, 0x2065), *range(0x2066, 0x206A), 0xFEFF))
CONTROL_RE = re.compile("[" + re.escape(CONTROL_CHARS) + "]")
_DROP = {ord(c): None for c in CONTROL_CHARS}
# the same, as they can appear in an .xlsx part's bytes: as OOXML _xHHHH_ escapes, UTF-8 encoded,
# as character references (any: they are rare) or raw (not allowed in XML, but read)
_CONTROL_SEQS = [re.compile(p) for p in (
    rb"_x00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF]|[89][0-9a-fA-F])_",
    rb"_x(?:200[b-fB-F]|202[a-eA-E]|206[0-46-9]|[fF][eE][fF][fF])_",
    rb"\xc2[\x80-\x9f]", rb"\xe2\x80[\x8b-\x8f\xaa-\xae]", rb"\xe2\x81[\xa0-\xa4\xa6-\xa9]", rb"\xef\xbb\xbf")]


_RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _may_hold_controls(xml: bytes) -> bool:
    if len(xml) < SMALL:
        if _RAW_CONTROL.search(xml) or b"&#" in xml:
            return True
    else:
        np = _np()
        a = np.frombuffer(xml, np.uint8)
        low = np.flatnonzero(a < 32)
        if len(low) and not np.isin(a[low], (9, 10, 13)).all():
            return True
        if _has_pair(a, b"&#") or b"\x7f" in xml:
            return True
    start = 3 if xml.startswith(b"\xef\xbb\xbf") else 0
    return any(p.search(xml, start) for p in _CONTROL_SEQS)


def clean_controls(rows: list[list]) -> tuple[int, tuple[int, int] | None]:
    """Remove ``CONTROL_CHARS`` from every text cell, in place. Returns how many cells
    changed and the (row index, column index) of the first."""
    changed, first = 0, None
    search, drop = CONTROL_RE.search, _DROP
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if type(v) is str and search(v):
                row[c] = v.translate(drop)
                changed += 1
                if first is None:
                    first = (r, c)
    return changed, first


def control_note(file_name: str, sheet: str | None, changed: int, first: tuple[int, int] | None) -> str:
    at = f"（第一处在{where(sheet if sheet else None, first[0] + 1, first[1])}）" if first else ""
    return (f"文件“{file_name}”中有 {changed:,} 个单元格含有看不见的控制字符（如空字符、转义符、零宽空格），"
            f"已删除这些字符后导入{at}。")


# -- zip files (.xlsx, .ods) --------------------------------------------------------------------
def _reader_reads(name: str) -> bool:
    """The parts of an .xlsx the reader opens besides the sheets (it never opens pictures,
    drawings, printer settings or document properties)."""
    low = name.lower()
    return low in ("[content_types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                   "xl/styles.xml") or low.endswith("sharedstrings.xml") \
        or low.startswith(("xl/tables/", "xl/worksheets/_rels/"))


def check_zip_directory(z: zipfile.ZipFile, read: set[str] | None = None) -> None:
    """The zip's directory alone: entry count, declared sizes, compression ratio, methods.
    Sizes and ratios count for the parts that will be read (``read``, else all)."""
    infos = z.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise TooBig(f"压缩包里有 {len(infos):,} 个部件，不是正常的表格文件")
    seen, total = set(), 0
    for info in infos:
        if info.filename in seen:
            raise TooBig(f"压缩包里有两个同名部件“{info.filename}”，文件已被改动或损坏")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise TooBig("encrypted")
        size, packed = info.file_size, info.compress_size
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) and size:
            raise TooBig(f"部件“{info.filename}”使用了表格软件不会使用的压缩方式，文件可能已被改动")
        if info.compress_type == zipfile.ZIP_STORED and size != packed:
            raise TooBig(f"部件“{info.filename}”的大小记录不一致，文件已损坏")
        # deflate never grows data by more than 5 bytes per 16 KB block: more means the
        # declared size is false (and the real content far larger)
        if packed > size + size // 1000 + 1024:
            raise TooBig(f"部件“{info.filename}”的大小记录不一致，文件已损坏")
        if read is not None and info.filename not in read:
            continue
        total += size
        if size > RATIO_FROM and size > MAX_RATIO * max(packed, 1):
            raise TooBig(f"部件“{info.filename}”压缩比异常（{max(packed, 1):,} 字节解压后为 {size:,} 字节），"
                         "疑似“压缩炸弹”，不是正常保存的表格文件")
    if total > MAX_UNZIPPED:
        raise TooBig(f"解压后共 {total:,} 字节，超过可导入的 {MAX_UNZIPPED:,} 字节")


def inflate(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """One part, inflated from the raw bytes with its declared size as a hard bound, and
    checked: the stream must end exactly there (a part that says it is small and inflates to
    more is refused, never read on; the reader stops at the declared size too)."""
    off = info.header_offset
    if data[off:off + 4] != b"PK\x03\x04":
        raise TooBig(f"部件“{info.filename}”的位置记录不对，文件已损坏")
    name_len, extra_len = struct.unpack("<HH", data[off + 26:off + 30])
    start = off + 30 + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) != info.compress_size:
        raise TooBig(f"部件“{info.filename}”不完整，文件已损坏")
    if info.compress_type == zipfile.ZIP_STORED:
        out = bytes(raw)
    else:
        d = zlib.decompressobj(-15)
        try:
            out = d.decompress(raw, info.file_size + 1)
        except zlib.error as exc:
            raise TooBig(f"部件“{info.filename}”无法解压（{exc}），文件已损坏") from None
        if len(out) > info.file_size or not d.eof:
            raise TooBig(f"部件“{info.filename}”解压后的大小与记录不符，文件已被改动或损坏")
    if len(out) != info.file_size:         # (the reader checks the CRC itself)
        raise TooBig(f"部件“{info.filename}”解压后的大小与记录不符，文件已被改动或损坏")
    return out


# -- .xlsx -------------------------------------------------------------------------------------------
@dataclass
class SheetFacts:
    name: str
    part: str
    rows: int = 0                 # the area the reader allocates
    cols: int = 0
    text_bytes: int = 0           # all its cells' text, each cell its own copy (an upper bound)


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
def _np():
    import numpy
    return numpy


def _has_pair(a, pair: bytes, start: int = 0) -> bool:
    """Whether the two bytes ``pair`` occur in ``a`` at or after ``start`` (16-bit words at even
    and odd offsets: faster than a byte search for a pair whose first byte is frequent)."""
    word = pair[0] | (pair[1] << 8)
    b = a[start:]
    n = len(b)
    return bool((b[:n - n % 2].view("<u2") == word).any() or (b[1:n - (n - 1) % 2].view("<u2") == word).any())


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


SMALL = 1 << 20     # parts below this are looked at with re alone (numpy costs ~0.15 s to import)


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


_CELL_OR_ROW = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s>/])([^>]*)>")


def _max_refs_slow(xml: bytes, sheet: str) -> tuple[int, int, str]:
    """Cell by cell, as the reader places cells: a cell without a reference goes to the right
    of the one before it, a row without a number below the one before it."""
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
        max_row, max_col = max(max_row, r), max(max_col, col)
        if r * col > best:
            best, far = r * col, f"{col_letters(col - 1)}{r}"
    return max_row, max_col, far


# -- .ods --------------------------------------------------------------------------------------------------
_ODS_TOKEN = re.compile(
    rb"<table:table(?=[\s>])([^>]*)>|<table:table-row\b([^>]*?)(/?)>|</table:table-row>"
    rb"|<table:(?:covered-)?table-cell\b([^>]*?)(/?)>|</table:(?:covered-)?table-cell>")
_REPEAT = re.compile(rb'number-(?:rows|columns)-repeated\s*=\s*"([0-9]{1,12})"')
_ODS_NAME = re.compile(rb'table:name\s*=\s*"([^"]*)"')


def check_ods(data: bytes) -> bool:
    """An OpenDocument sheet repeats rows and cells by count (number-rows-repeated,
    number-columns-repeated): a few bytes can stand for millions of cells. The area each
    table fills, counting the repeats up to its last cell that holds something, and the
    text the repeats copy, are checked before the reader expands them. Returns whether
    the cells may hold control characters."""
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


# -- .xls (BIFF8 in an OLE compound file) -----------------------------------------------------------------------
_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE


class _Cfb:
    """Just enough of the OLE compound file to read one stream, every chain walked with a
    bound (a chain that loops or leaves the file is a damaged file)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        if len(data) < 512:
            raise TooBig("不完整，文件已损坏")
        self.ss = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mss = 1 << struct.unpack_from("<H", data, 0x20)[0]
        if self.ss not in (512, 4096) or self.mss != 64:
            raise TooBig("的文件结构不对，文件已损坏")
        n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
        self.cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)
        self.nsec = (len(data) - self.ss) // self.ss + 1
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        sec, per = first_difat, self.ss // 4 - 1
        for _ in range(min(n_difat, self.nsec)):
            if sec >= self.nsec:
                break
            entries = struct.unpack_from(f"<{per + 1}I", data, self._off(sec))
            difat += entries[:per]
            sec = entries[per]
        fat_secs = [s for s in difat if s < self.nsec][:n_fat]
        self.fat = []
        for s in fat_secs:
            self.fat += struct.unpack_from(f"<{self.ss // 4}I", data, self._off(s))
        self.dir = self.read_chain(first_dir, None)
        root_start, root_size = self._entry(0)[2:]
        self.mini = self.read_chain(root_start, root_size) if root_size else b""
        self.minifat = []
        if n_minifat:
            mf = self.read_chain(first_minifat, None)
            self.minifat = list(struct.unpack_from(f"<{len(mf) // 4}I", mf))

    def _off(self, sec: int) -> int:
        return (sec + 1) * self.ss

    def _entry(self, i: int) -> tuple[str, int, int, int]:
        e = self.dir[i * 128:(i + 1) * 128]
        if len(e) < 128:
            raise TooBig("的目录不完整，文件已损坏")
        n = min(struct.unpack_from("<H", e, 64)[0], 64)
        name = e[:max(n - 2, 0)].decode("utf-16-le", "replace")
        start, size = struct.unpack_from("<IQ", e, 116)
        if self.ss == 512:
            size &= 0xFFFFFFFF
        return name, e[66], start, size

    def read_chain(self, start: int, size: int | None, mini: bool = False) -> bytes:
        table, unit = (self.minifat, self.mss) if mini else (self.fat, self.ss)
        limit = len(table)
        out, sec, n = [], start, 0
        while sec not in (_END, _FREE):
            if sec >= limit or n > limit:
                raise TooBig("的扇区链损坏，文件已损坏")
            if mini:
                out.append(self.mini[sec * unit:(sec + 1) * unit])
            else:
                out.append(self.data[self._off(sec):self._off(sec) + unit])
            n += 1
            if size is not None and n * unit >= size:
                break
            sec = table[sec]
        b = b"".join(out)
        return b[:size] if size is not None else b

    def stream(self, names: tuple[str, ...]) -> bytes | None:
        for i in range(len(self.dir) // 128):
            name, kind, start, size = self._entry(i)
            if kind == 2 and name in names:
                if size > MAX_FILE_BYTES:
                    raise TooBig("的工作簿流大小记录不对，文件已损坏")
                return self.read_chain(start, size, mini=size < self.cutoff)
        return None


_CELL_RECORDS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6}     # BLANK / MULBLANK are not read


def check_xls(data: bytes) -> None:
    """A BIFF8 workbook: every value cell's row and column (a 5 KB file can name IV65536), the
    length of every text (the shared string table and inline labels), and the text that
    shared strings add up to when each cell gets its own copy, all read from the record
    headers before the reader allocates anything."""
    try:
        cfb = _Cfb(data)
        wb = cfb.stream(("Workbook", "Book"))
    except struct.error:
        raise TooBig("的文件结构不完整，文件已损坏") from None
    if wb is None:
        return
    pos, n = 0, len(wb)
    sst: list[int] = []
    sheets: list[tuple[int, str]] = []          # (offset of the sheet's BOF, name) for worksheets
    text = 0
    book_cells = 0
    # the globals: sheet names, the shared string table
    while pos + 4 <= n:
        rt, ln = struct.unpack_from("<HH", wb, pos)
        body = pos + 4
        if rt == 0x0085 and ln >= 8:                                  # BOUNDSHEET8
            off, _vis, kind, cch, flags = struct.unpack_from("<IBBBB", wb, body)
            raw = wb[body + 8:body + 8 + cch * (2 if flags & 1 else 1)]
            name = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
            if kind == 0:
                sheets.append((off, name))
        elif rt == 0x00FC:                                            # SST (+ CONTINUE)
            sst, pos = _read_sst(wb, pos)
            continue
        elif rt == 0x000A:                                            # EOF of the globals
            break
        pos = body + ln
    for off, name in sheets:
        text_sheet, rows, cols, far = _scan_sheet(wb, off, name, sst)
        if rows * cols > MAX_SHEET_CELLS:
            raise too_many(name, rows, cols, far)
        book_cells += rows * cols
        if book_cells > MAX_BOOK_CELLS:
            raise TooBig(f"各工作表的数据区域合计超过 {MAX_BOOK_CELLS:,} 个单元格，"
                         "请只保留要导入的工作表，或把表格分成几个文件后再导入")
        text += text_sheet
        if text > MAX_TEXT_BYTES:
            raise TooBig(f"各单元格的文字合计超过 {MAX_TEXT_BYTES >> 20} MB"
                         "（可能有很长的文字被大量单元格重复引用），请删减后再导入")


def _read_sst(wb: bytes, pos: int) -> tuple[list[int], int]:
    """The shared strings' lengths (characters); returns them and the position after the SST
    and its CONTINUE records. A string may break across records; each piece starts with a
    new option byte."""
    chunks = []
    rt, ln = struct.unpack_from("<HH", wb, pos)
    chunks.append(wb[pos + 4:pos + 4 + ln])
    pos += 4 + ln
    while pos + 4 <= len(wb):
        rt, ln = struct.unpack_from("<HH", wb, pos)
        if rt != 0x003C:
            break
        chunks.append(wb[pos + 4:pos + 4 + ln])
        pos += 4 + ln
    if not chunks or len(chunks[0]) < 8:
        return [], pos
    unique = struct.unpack_from("<I", chunks[0], 4)[0]
    lengths: list[int] = []
    ci, p = 0, 8
    cur = chunks[0]

    def need(k: int) -> None:
        nonlocal ci, p, cur
        while p + k > len(cur):
            if p < len(cur) or ci + 1 >= len(chunks):
                raise TooBig("的共享文字表不完整，文件已损坏")
            ci, p = ci + 1, 0
            cur = chunks[ci]

    try:
        for _ in range(min(unique, MAX_SHEET_CELLS)):
            need(3)
            cch, flags = struct.unpack_from("<HB", cur, p)
            p += 3
            runs = ext = 0
            if flags & 8:
                need(2)
                runs = struct.unpack_from("<H", cur, p)[0]
                p += 2
            if flags & 4:
                need(4)
                ext = struct.unpack_from("<I", cur, p)[0]
                p += 4
            left, wide = cch, flags & 1
            while left:
                if p >= len(cur):                   # the characters go on in the next record
                    ci += 1
                    if ci >= len(chunks):
                        raise TooBig("的共享文字表不完整，文件已损坏")
                    cur, p = chunks[ci], 1
                    wide = cur[0] & 1
                take = min(left, (len(cur) - p) // (2 if wide else 1))
                if take == 0:
                    raise TooBig("的共享文字表损坏，文件已损坏")
                p += take * (2 if wide else 1)
                left -= take
            skip = runs * 4 + ext
            while skip:
                if p >= len(cur):
                    ci += 1
                    if ci >= len(chunks):
                        raise TooBig("的共享文字表不完整，文件已损坏")
                    cur, p = chunks[ci], 0
                step = min(skip, len(cur) - p)
                p += step
                skip -= step
            lengths.append(cch)
    except struct.error:
        raise TooBig("的共享文字表损坏，文件已损坏") from None
    return lengths, pos


def _scan_sheet(wb: bytes, off: int, name: str, sst: list[int]) -> tuple[int, int, int, str]:
    """(text in UTF-8 bytes at most, rows, columns, farthest cell) of one worksheet substream."""
    pos, n = off, len(wb)
    rows = cols = text = 0
    far = ""
    best = 0
    unpack = struct.unpack_from
    while pos + 4 <= n:
        rt, ln = unpack("<HH", wb, pos)
        body = pos + 4
        pos = body + ln
        if rt == 0x000A:                                              # EOF
            break
        if rt in _CELL_RECORDS and ln >= 6:
            r, c = unpack("<HH", wb, body)
            chars = 0
            if rt == 0x00FD and ln >= 10:                             # LABELSST
                i = unpack("<I", wb, body + 6)[0]
                chars = sst[i] if i < len(sst) else 0
            elif rt in (0x0204, 0x00D6) and ln >= 8:                  # LABEL, RSTRING
                chars = unpack("<H", wb, body + 6)[0]
            if chars > MAX_CELL_CHARS:
                raise too_long(name, r + 1, c, chars)
            text += chars * 3
            r, c = r + 1, c + 1
        elif rt == 0x00BD and ln >= 6:                                # MULRK: row, first col, …, last col
            r = unpack("<H", wb, body)[0] + 1
            c = unpack("<H", wb, body + ln - 2)[0] + 1
        elif rt == 0x0207 and ln >= 2:                                # STRING (a formula's text result)
            chars = unpack("<H", wb, body)[0]
            if chars > MAX_CELL_CHARS:
                raise too_long(name, None, None, chars)
            text += chars * 3
            continue
        else:
            continue
        if r > rows:
            rows = r
        if c > cols:
            cols = c
        if r * c > best:
            best, far = r * c, f"{col_letters(c - 1)}{r}"
    return text, rows, cols, far
