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

import re
import struct
import zipfile
import zlib

from models.io.xlsxfast import col_letter

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


col_letters = col_letter          # 0-based column index → A, B, …, XFD (one function for reading and writing)


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


SMALL = 1 << 20     # parts below this are looked at with re alone (numpy costs ~0.15 s to import)


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
