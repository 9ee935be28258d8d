"""What an old .xls file may cost, checked before it is parsed (see models.io.limits): every value
cell's row and column, each text's length and what shared strings add up to, read from the BIFF
records of its OLE compound file."""
from __future__ import annotations

import struct

from models.io.limits import (MAX_BOOK_CELLS, MAX_CELL_CHARS, MAX_FILE_BYTES, MAX_SHEET_CELLS, MAX_TEXT_BYTES, TooBig,
                              col_letters, too_long, too_many)

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
            if name in names:          # by name whatever its entry's type says, as the reader finds it
                if size > MAX_FILE_BYTES:
                    raise TooBig("的工作簿流大小记录不对，文件已损坏")
                return self.read_chain(start, size, mini=size < self.cutoff)
        return None


_CELL_RECORDS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6}     # BLANK / MULBLANK are not read


def check_xls(data: bytes, hidden: dict | None = None) -> None:
    """A BIFF8 workbook: every value cell's row and column (a 5 KB file can name IV65536), the
    length of every text (the shared string table and inline labels), and the text that
    shared strings add up to when each cell gets its own copy, all read from the record
    headers before the reader allocates anything. ``hidden`` is given each worksheet's hidden
    rows ({name: [(start, stop)]}, 0-based; ROW records with fDyZero set)."""
    try:
        cfb = _Cfb(data)
        wb = cfb.stream(("Workbook", "Book"))
    except struct.error:
        raise TooBig("的文件结构不完整，文件已损坏") from None
    if wb is None:          # nothing the checks can read: nothing the reader may read either
        raise TooBig("中找不到工作簿数据（Workbook），文件已损坏或不是 Excel 表格")
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
        rows_hidden: list = []
        text_sheet, rows, cols, far = _scan_sheet(wb, off, name, sst, rows_hidden)
        if rows_hidden and hidden is not None:
            hidden[name] = _ranges(rows_hidden)
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


def _ranges(rows: list[int]) -> list[tuple[int, int]]:
    from models.io.hidden_rows import add_range
    out: list[tuple[int, int]] = []
    for r in sorted(set(rows)):
        add_range(out, r, r + 1)
    return out


def _scan_sheet(wb: bytes, off: int, name: str, sst: list[int], hidden: list | None = None,
                ) -> tuple[int, int, int, str]:
    """(text in UTF-8 bytes at most, rows, columns, farthest cell) of one worksheet substream;
    the hidden rows' indexes are added to ``hidden``."""
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
        elif rt == 0x0200:                                            # DIMENSIONS: the reader sizes its range by it
            if ln >= 14:
                r0, r1, c0, c1 = unpack("<IIHH", wb, body)
            elif ln >= 10:
                r0, r1, c0, c1 = unpack("<HHHH", wb, body)
            else:
                raise TooBig(f"的工作表“{name}”的尺寸记录不完整，文件已损坏")
            if r1 > 65536 or c1 > 256:
                raise TooBig(f"的工作表“{name}”的尺寸记录损坏（{r1:,} 行 × {c1:,} 列，.xls 最多 65,536 行 × 256 列），文件已损坏")
            if r0 > r1 or c0 > c1:
                raise TooBig(f"的工作表“{name}”的尺寸记录损坏（起止行列颠倒），文件已损坏")
            continue
        elif rt == 0x0208:                                            # ROW: fDyZero, the row is hidden
            if hidden is not None and ln >= 16 and unpack("<H", wb, body + 12)[0] & 0x20:
                hidden.append(unpack("<H", wb, body)[0])
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
