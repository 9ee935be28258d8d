"""A file → sheets of cell rows.

The format is told by the file's bytes, not its name: people rename files, and
web platforms save HTML tables as ".xls". .xlsx / .xls / .ods go through calamine
(fast, and it keeps merged-cell ranges); .csv / .txt are decoded as UTF-8 (with or
without BOM), UTF-16 or GB18030 (GBK is a subset; names may hold characters GBK
lacks). Anything that cannot be used raises ``UnusableFile`` with one Chinese
sentence naming the file.
"""
from __future__ import annotations

import csv
import io
import threading
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from models.io import limits as L
from models.io.limits_ods import check_ods
from models.io.limits_xls import check_xls
from models.io.blank_cells import XlsxSource
from models.io.limits_xlsx import XlsxCheck
from models.zips import DAMAGED_ZIP

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
CSV_GUARD = ("=", "+", "-", "@", "\t", "\r")


def reader_failed(exc: BaseException) -> bool:
    """Whether ``exc`` is the reader failing on the file, not the program being stopped: a Rust
    reader that panics on damaged bytes raises pyo3's ``PanicException``, a ``BaseException``
    that ``except Exception`` lets through."""
    return not isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit))


class UnusableFile(Exception):
    """The file cannot be used at all (damaged, password-protected, empty, not a table).
    The message is one Chinese sentence naming the file."""


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]
    # merged ranges as (first row, first col, last row, last col), 0-based, inclusive
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    complete: bool = True           # False when only the first rows were read
    notes: list[str] = field(default_factory=list)      # what reading changed (control characters removed)

    @staticmethod
    def excel_row(index: int) -> int:
        """The row number Excel shows for ``rows[index]``."""
        return index + 1


@dataclass
class Book:
    path: Path
    fmt: str                        # xlsx, xls, ods, csv, html
    sheet_names: list[str]
    encoding: str = ""              # for csv: utf-8-sig, utf-8, gbk, gb18030, utf-16
    hidden: set[str] = field(default_factory=set)
    controls: bool = False          # cells may hold control characters: clean them when a sheet is read
    _wb: Any = None
    _sheets: dict[str, Sheet] = field(default_factory=dict)
    _raw: dict[str, Any] = field(default_factory=dict)      # calamine sheets, parsed once
    source: Any = None              # .xlsx: its bytes, for the cells read as blank (models.io.blank_cells)
    hidden_rows: dict = field(default_factory=dict)     # {sheet: [(start, stop)]} rows hidden in Excel (0-based)

    def load(self, name: str, nrows: int | None = None) -> Sheet:
        """One sheet's cells; ``nrows`` reads only the first rows (for finding the header)."""
        if name in self._sheets:
            return self._sheets[name]
        if name not in self.sheet_names:
            raise UnusableFile(f"文件“{self.path.name}”中没有名为“{name}”的工作表"
                               f"（有：{'、'.join(self.sheet_names)}）。")
        try:
            sh = self._raw.get(name)
            if sh is None:
                sh = self._raw[name] = self._wb.get_sheet_by_name(name)
            rows = sh.to_python(skip_empty_area=False, nrows=nrows) if nrows else \
                sh.to_python(skip_empty_area=False)
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sh.merged_cell_ranges or [])]
        except BaseException as exc:  # noqa: BLE001 - calamine raises many kinds for broken files, and panics
            if not reader_failed(exc):
                raise
            raise _unusable(self.path, exc) from exc
        # the reader makes new lists on each call: they are ours to change (merged cells filled down,
        # control characters removed) without a copy
        sheet = Sheet(name, rows if type(rows) is list and all(type(r) is list for r in rows)
                      else [list(r) for r in rows], merged, complete=nrows is None)
        if self.controls:
            _clean(self.path, sheet, len(self.sheet_names) > 1)
        if nrows is None:
            self._sheets[name] = sheet
            self._raw.pop(name, None)
        return sheet


def _clean(path: Path, sheet: Sheet, name_sheet: bool) -> None:
    changed, first = L.clean_controls(sheet.rows)
    if changed:
        sheet.notes.append(L.control_note(path.name, sheet.name if name_sheet else None, changed, first))


def _refused(path: Path, exc: L.TooBig) -> UnusableFile:
    """A file over a limit: 文件“…”＋the reason."""
    reason = str(exc)
    if reason == "encrypted":
        return _unusable(path, exc)
    glue = "" if reason.startswith(("的", "中", "解压", "是", "不", "有")) else "中"
    return UnusableFile(f"文件“{path.name}”{glue}{reason}。")


def _check_failed(path: Path, exc: BaseException) -> UnusableFile:
    """Over a limit: the reason; anything else the checks met (bytes too damaged to follow):
    a damaged file, as the reader would have said."""
    return _refused(path, exc) if isinstance(exc, L.TooBig) else _unusable(path, exc)


def _unusable(path: Path, exc: BaseException | None = None, what: str = "") -> UnusableFile:
    text = str(exc or "").lower()
    if "password" in text or "encrypt" in text:
        return UnusableFile(f"文件“{path.name}”设有打开密码，请在 Excel / WPS 中取消密码、另存后再导入。")
    detail = what or "已损坏或不完整，无法读取"
    return UnusableFile(f"文件“{path.name}”{detail}，请在 Excel / WPS 中打开确认后另存为 .xlsx 再导入。")


def open_book(path: str | Path) -> Book:
    path = Path(path)
    if not path.exists():
        raise UnusableFile(f"找不到文件“{path}”。")
    if path.is_dir():
        raise UnusableFile(f"“{path}”是文件夹，不是表格文件。")
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size > L.MAX_FILE_BYTES:
        raise UnusableFile(f"文件“{path.name}”有 {size >> 20:,} MB，超过可导入的 {L.MAX_FILE_BYTES >> 20} MB，"
                           "请把表格分成几个文件后再导入。")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnusableFile(f"文件“{path.name}”无法打开（{exc.strerror or exc}），可能正被其他程序占用。") from exc
    if not data.strip():
        raise UnusableFile(f"文件“{path.name}”是空的。")
    if data.startswith(ZIP_MAGIC):
        return _open_zip(path, data)
    if data.startswith(OLE_MAGIC):
        return _open_ole(path, data)
    head = data[:4096].lstrip(b"\xef\xbb\xbf \r\n\t").lower()
    if head.startswith(b"<") and b"<table" in data[:1 << 20].lower():
        return _open_html(path, data)
    if head.startswith(b"<?xml") or head.startswith(b"%pdf") or head.startswith(b"{\\rtf"):
        raise UnusableFile(f"文件“{path.name}”不是可导入的表格格式，请另存为 .xlsx 或 .csv 后再导入。")
    what = next((w for magic, w in _NOT_TABLES if data.startswith(magic)), None)
    if what and ((what.endswith("（BMP）") and data[6:10] != b"\0\0\0\0")
                 or (what == "程序文件" and b"program" not in data[:512])):
        what = None                         # a text that merely starts with "BM" or "MZ"
    if what:
        raise UnusableFile(f"文件“{path.name}”是{what}，不是表格，请选择 Excel / WPS 表格或 CSV 文件。")
    return _open_csv(path, data)


# files people pick by mistake (a photo of the roster, a compressed folder): named, not "an unknown encoding"
_NOT_TABLES = ((b"\x89PNG", "图片（PNG）"), (b"\xff\xd8\xff", "图片（JPG）"), (b"GIF8", "图片（GIF）"),
               (b"BM", "图片（BMP）"), (b"II*\x00", "图片（TIFF）"), (b"MM\x00*", "图片（TIFF）"),
               (b"RIFF", "图片或音视频文件"), (b"Rar!", "压缩包（RAR）"), (b"7z\xbc\xaf", "压缩包（7z）"),
               (b"\x1f\x8b", "压缩包（gz）"), (b"MZ", "程序文件"), (b"\x00\x00\x00", "图片或视频文件"))


def _calamine_book(path: Path, data: bytes, fmt: str) -> Book:
    import python_calamine as pc
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metas = wb.sheets_metadata
    except BaseException as exc:  # noqa: BLE001 - a panic on damaged bytes too
        if not reader_failed(exc):
            raise
        raise _unusable(path, exc) from exc
    names, hidden = [], set()
    for m in metas:
        if "WorkSheet" not in str(m.typ):
            continue                            # chart sheets, macro sheets
        names.append(m.name)
        if "Visible" != str(m.visible).rsplit(".", 1)[-1]:
            hidden.add(m.name)
    if not names:
        raise UnusableFile(f"文件“{path.name}”中没有工作表。")
    return Book(path, fmt, names, hidden=hidden, _wb=wb)


def _open_zip(path: Path, data: bytes) -> Book:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            mimetype = z.read("mimetype")[:100] if "mimetype" in names else b""
    except DAMAGED_ZIP as exc:
        raise _unusable(path, exc) from exc
    if b"opendocument.spreadsheet" in mimetype:
        hidden: dict = {}
        try:
            controls = check_ods(data, hidden)
        except Exception as exc:  # noqa: BLE001 - the check reads damaged bytes too
            raise _check_failed(path, exc) from None
        book = _calamine_book(path, data, "ods")
        book.controls = controls
        book.hidden_rows = hidden
        return book
    if any(n.startswith("xl/") for n in names):
        return _open_xlsx(path, data)
    if any(n.startswith("word/") for n in names) or b"opendocument.text" in mimetype:
        raise UnusableFile(f"文件“{path.name}”是文字文档（Word），不是表格，请把表格复制到 Excel 中另存后再导入。")
    raise _unusable(path, what="不是 Excel / WPS 表格文件")


def _open_xlsx(path: Path, data: bytes) -> Book:
    """The limits first (``limits.XlsxCheck``): the zip and the shared strings before the reader
    opens the file, the sheets on another thread while it does (the reader lets go of the
    interpreter while it works), both before any sheet is read."""
    check = XlsxCheck(data)
    try:
        check.first()
    except Exception as exc:  # noqa: BLE001 - the check reads damaged bytes too
        raise _check_failed(path, exc) from None
    outcome: dict[str, Any] = {}

    def sheets() -> None:
        try:
            outcome["facts"] = check.sheets()
        except Exception as exc:  # noqa: BLE001 - handed to the reading thread
            outcome["error"] = exc

    t = threading.Thread(target=sheets, name="xlsx-limits", daemon=True)
    t.start()
    try:
        book = _calamine_book(path, data, "xlsx")
    except UnusableFile:
        t.join()
        if isinstance(outcome.get("error"), L.TooBig):
            raise _refused(path, outcome["error"]) from None
        raise
    t.join()
    if "error" in outcome:
        raise _check_failed(path, outcome["error"]) from None
    book.controls = outcome["facts"].controls
    book.source = XlsxSource(data, dict(check.sheet_parts), check.infos)
    book.hidden_rows = {s.name: s.hidden_rows for s in outcome["facts"].sheets if s.hidden_rows}
    return book


def _open_ole(path: Path, data: bytes) -> Book:
    # An OOXML file with an open password is an OLE container holding "EncryptedPackage".
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise _unusable(path, Exception("encrypted"))
    if "WordDocument".encode("utf-16-le") in data[:1 << 16] and b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" not in data:
        raise UnusableFile(f"文件“{path.name}”是文字文档（Word），不是表格，请把表格复制到 Excel 中另存后再导入。")
    hidden: dict = {}
    try:
        check_xls(data, hidden)
    except Exception as exc:  # noqa: BLE001 - the check reads damaged bytes too
        raise _check_failed(path, exc) from None
    book = _calamine_book(path, data, "xls")
    book.hidden_rows = hidden
    book.controls = True            # BIFF text is not scanned for them: every sheet read is cleaned
    return book


# -- text files -------------------------------------------------------------------
class MixedEncoding(UnusableFile):
    """Some lines are UTF-8 and others GBK: whichever is chosen, part of the file becomes mojibake."""


def decode_text(data: bytes) -> tuple[str, str]:
    """Bytes → (text, encoding name). Strict: a file that is none of these is refused, and so
    is one whose lines are partly UTF-8 and partly GBK (``MixedEncoding``, no file name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    _check_mixed(data)
    try:
        return data.decode("gbk"), "gbk"
    except UnicodeDecodeError:
        pass
    return data.decode("gb18030"), "gb18030"


# UTF-8 lead bytes of U+4E00–U+9FFF → L, continuation bytes → C, others → x: three Chinese
# characters in UTF-8 read LCCLCCLCC (a translate and a find: ~10 ms for a 100,000-row file)
_BYTE_CLASS = bytes(76 if 0xE4 <= b <= 0xE9 else 67 if 0x80 <= b <= 0xBF else 120 for b in range(256))
_UTF8_HAN3 = b"LCC" * 3


def _check_mixed(data: bytes, sep: bytes = b"\n") -> None:
    """The file is not UTF-8 as a whole. If some of its lines are plainly UTF-8 (valid, with
    three or more Chinese characters: GBK text is that only by rare accident) while others
    are not UTF-8 at all, the file was put together from two sources."""
    if _UTF8_HAN3 not in data.translate(_BYTE_CLASS):    # no three UTF-8 Chinese characters in a row
        return
    first_utf8 = first_other = 0
    start = 1 if sep == b"\n" else 0          # HTML is split at its rows (<tr): the first piece is the head
    # (lower-casing leaves UTF-8 lines as they are and GBK lines still not UTF-8)
    for n, line in enumerate((data if sep == b"\n" else data.lower()).split(sep), start):
        n = max(n, 1)
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            first_other = first_other or n
        else:
            if not first_utf8 and sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") >= 3:
                first_utf8 = n
        if first_utf8 and first_other:
            raise MixedEncoding(
                f"的文字编码前后不一致：第 {first_other} 行是 GBK（ANSI）编码，第 {first_utf8} 行是 UTF-8 编码，"
                "无论按哪一种读取都会有一部分变成乱码。请在 Excel / WPS 中打开、确认文字显示正常后"
                "另存为“CSV UTF-8”再导入。")


def _open_csv(path: Path, data: bytes) -> Book:
    try:
        text, encoding = decode_text(data)
    except MixedEncoding as exc:
        raise UnusableFile(f"文件“{path.name}”{exc}") from None
    except UnicodeDecodeError as exc:
        raise UnusableFile(f"文件“{path.name}”的文字编码无法识别（不是 UTF-8，也不是 GBK / GB18030），"
                           "请在 Excel 中另存为“CSV UTF-8”后再导入。") from exc
    if "\x00" in text:
        # a NUL in a text file means a binary file or a wrong encoding, never a typed character
        raise UnusableFile(f"文件“{path.name}”不是表格文件（含有二进制内容），可能已损坏。")
    delimiter = _sniff_delimiter(text)
    rows = _csv_rows(path, text, delimiter)
    if not any(any(c.strip() for c in r) for r in rows):
        raise UnusableFile(f"文件“{path.name}”中没有内容。")
    name = path.stem or "Sheet1"
    book = Book(path, "csv", [name], encoding=encoding)
    sheet = book._sheets[name] = Sheet(name, rows)
    if L.CONTROL_RE.search(text):
        _clean(path, sheet, False)
    return book


def _csv_rows(path: Path, text: str, delimiter: str) -> list[list[str]]:
    """The rows, with Excel's limits: a cell over 32,767 characters is refused naming its row and
    column (the csv module stops at the limit itself, so the cost of a long cell is never paid)."""
    if text.count(delimiter) > 2 * L.MAX_SHEET_CELLS:      # more cells than that, even if some are quoted
        raise UnusableFile(f"文件“{path.name}”超过一次可导入的 {L.MAX_SHEET_CELLS:,} 个单元格，"
                           "请把表格分成几个文件后再导入。")
    old = csv.field_size_limit()
    rows: list[list[str]] = []
    cells = 0
    guarded = "'" in text                  # our export's '= guard: undone below when present
    try:
        csv.field_size_limit(L.MAX_CELL_CHARS)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        line = 0
        for r in reader:
            if len(r) > L.MAX_COLS:
                raise UnusableFile(f"文件“{path.name}”第 {len(rows) + 1} 行有 {len(r):,} 列，超过 Excel 的 "
                                   f"{L.MAX_COLS:,} 列上限，不是可导入的台账，请检查分隔符或另存后再导入。")
            if reader.line_num - line > 1:      # a row over several lines: a quoted cell holding line breaks
                _unclosed_quote(path, r, len(rows) + 1, delimiter, len(rows[0]) if rows else len(r))
            line = reader.line_num
            rows.append([_unguard(c) for c in r] if guarded and any(c[:1] == "'" for c in r) else r)
            cells += len(r)
            if cells > L.MAX_SHEET_CELLS or len(rows) > L.MAX_ROWS:
                raise UnusableFile(f"文件“{path.name}”超过一次可导入的 {L.MAX_SHEET_CELLS:,} 个单元格"
                                   f"（或 {L.MAX_ROWS:,} 行），请把表格分成几个文件后再导入。")
    except csv.Error as exc:
        if "field limit" not in str(exc):
            raise _unusable(path, exc) from exc
        row, col, n = _long_field(text, delimiter, len(rows))
        raise UnusableFile(f"文件“{path.name}”{L.where(None, row, col)}的单元格有 {n:,} 个字符，"
                           f"超过 Excel 单元格的上限 {L.MAX_CELL_CHARS:,} 个字符，请删减该单元格的内容后再导入。") from None
    finally:
        csv.field_size_limit(old)
    return rows


def _unclosed_quote(path: Path, row: list[str], number: int, delimiter: str, width: int) -> None:
    """A cell that opens with a quote and never closes it takes the lines after it into itself
    (a note may hold line breaks; it does not hold whole rows of the table). Refused when a line
    swallowed that way has as many separators as a row of the file."""
    need = max(2, width - 1)
    for j, cell in enumerate(row):
        if "\n" not in cell:
            continue
        inner = cell.replace("\r\n", "\n").split("\n")
        rows_inside = sum(1 for ln in inner if ln.count(delimiter) >= need)
        if rows_inside:
            raise UnusableFile(
                f"文件“{path.name}”{L.where(None, number, j)}的单元格以引号（\"）开头，却没有配对的结束引号，"
                f"其后 {sum(1 for ln in inner[1:] if ln.strip())} 行都被并进了这一个单元格。请用记事本或 Excel 检查这一行的引号后再导入。")


def _long_field(text: str, delimiter: str, skip: int) -> tuple[int, int, int]:
    """(row, column index, length) of the first field over the cell limit."""
    old = csv.field_size_limit()
    try:
        csv.field_size_limit(len(text) + 1)
        for i, r in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
            if i < skip:
                continue
            for j, c in enumerate(r):
                if len(c) > L.MAX_CELL_CHARS:
                    return i + 1, j, len(c)
    finally:
        csv.field_size_limit(old)
    return skip + 1, 0, L.MAX_CELL_CHARS + 1


def _unguard(cell: str) -> str:
    """Undo the apostrophe our CSV export puts before = + - @ (formula injection guard)."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in CSV_GUARD:
        return cell[1:]
    return cell


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    best, best_score = ",", 0
    for d in (",", "\t", ";", "|"):
        counts = [ln.count(d) for ln in lines]
        if not counts or max(counts) == 0:
            continue
        common = max(set(counts), key=counts.count)
        score = common * counts.count(common)
        if score > best_score:
            best, best_score = d, score
    return best


# -- HTML tables saved as .xls by web platforms -------------------------------------
class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[list[str]], list[tuple[int, int, int, int]]]] = []
        self._stack: list[dict] = []
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self.spanned = 0                # cells repeated by rowspan / colspan, all tables together

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "table":
            self._stack.append({"rows": [], "merged": [], "taken": set(), "r": -1, "cells": 0})
        elif not self._stack:
            return
        elif tag == "tr":
            self._stack[-1]["r"] += 1
            self._stack[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = []
            self._span = (_span(a.get("rowspan"), L.MAX_ROWSPAN), _span(a.get("colspan"), L.MAX_COLSPAN))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        t = self._stack[-1]
        if tag in ("td", "th") and self._cell is not None:
            if t["r"] < 0:
                t["r"] = 0
                t["rows"].append([])
            r, row = t["r"], t["rows"][t["r"]]
            c = len(row)
            while (r, c) in t["taken"]:
                c += 1
            value = "".join(self._cell).strip()
            rs, cs = self._span
            name = f"表{len(self.tables) + 1}"
            if len(value) > L.MAX_CELL_CHARS:
                raise L.too_long(name, r + 1, c, len(value))
            t["cells"] += cs
            self.spanned += (rs - 1) * cs
            if self.spanned > L.MAX_SPAN_CELLS:
                raise L.TooBig(f"中的合并单元格（rowspan / colspan）合计重复了超过 {L.MAX_SPAN_CELLS:,} 个单元格"
                               f"（{L.where(name, r + 1, c)}的单元格跨 {rs:,} 行 {cs:,} 列），不是正常的表格")
            if c + cs > L.MAX_COLS or t["cells"] > L.MAX_SHEET_CELLS:
                raise L.too_many(name, r + 1, c + cs)
            while len(row) <= c:
                row.append("")
            row[c] = value
            if rs > 1 or cs > 1:
                t["merged"].append((r, c, r + rs - 1, c + cs - 1))
                for dr in range(1, rs):         # this row's own columns are appended below
                    for dc in range(cs):
                        t["taken"].add((r + dr, c + dc))
            for dc in range(1, cs):
                row.append("")
            self._cell = None
        elif tag == "table":
            self._stack.pop()
            rows = t["rows"]
            width = max((len(r) for r in rows), default=0)
            if len(rows) * width > L.MAX_SHEET_CELLS:
                raise L.too_many(f"表{len(self.tables) + 1}", len(rows), width)
            for r in rows:
                r.extend([""] * (width - len(r)))
            if width:
                self.tables.append((rows, t["merged"]))


def _span(value: Any, most: int) -> int:
    """rowspan / colspan as browsers take it: a number from 1 up to HTML's own limit."""
    try:
        return max(1, min(int(str(value).strip()[:9]), most))
    except (TypeError, ValueError):
        return 1


def _open_html(path: Path, data: bytes) -> Book:
    head = data[:4096].lower()
    encoding = "utf-8"
    for name in (b"gb2312", b"gbk", b"gb18030"):
        if b"charset=" + name in head or b'charset="' + name in head:
            encoding = "gb18030"
    try:
        if encoding != "utf-8":
            _check_mixed(data, b"<tr")          # declared GBK, yet rows pasted in as UTF-8
        text = data.decode(encoding)
    except MixedEncoding as exc:
        raise UnusableFile(f"文件“{path.name}”{exc}") from None
    except UnicodeDecodeError:
        try:
            _check_mixed(data, b"<tr")
            text, encoding = decode_text(data)
        except MixedEncoding as exc:
            raise UnusableFile(f"文件“{path.name}”{exc}") from None
        except UnicodeDecodeError as exc:
            raise _unusable(path, exc) from exc
    parser = _TableParser()
    try:
        parser.feed(text)
        parser.close()
    except L.TooBig as exc:
        raise _refused(path, exc) from None
    except Exception as exc:  # noqa: BLE001 - html.parser is lenient but not total
        raise _unusable(path, exc) from exc
    if not parser.tables:
        raise UnusableFile(f"文件“{path.name}”中没有表格。")
    book = Book(path, "html", [], encoding=encoding)
    controls = bool(L.CONTROL_RE.search(text))
    for i, (rows, merged) in enumerate(parser.tables, 1):
        name = f"表{i}"
        book.sheet_names.append(name)
        sheet = book._sheets[name] = Sheet(name, rows, merged)
        if controls:
            _clean(path, sheet, len(parser.tables) > 1)
    return book
