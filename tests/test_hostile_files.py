"""Hostile files: a corpus built here by hand (zip parts written one by one, so dimensions,
shared strings and compression are ours to set) that would cost the reader far more than
the file's size. Each is refused with one Chinese sentence naming the file (and the sheet,
row and column where that applies), on the row path and the bulk path, by the command line
with exit 2, in bounded time and memory, with nothing written. Control characters are not
refused: they are removed, with a note."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from models import campaign
from models.db import Store
from models.io import importer
from models.io.importer import commit_import, plan_import
from models.io.reading import UnusableFile
from models.ledger import registry
from models.ledger.repo import LedgerRepo, Query
from models.rules.idcard import make_valid_id

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["姓名", "身份证号码", "应发工资（元）"]
IDS = [make_valid_id("511921", dt.date(1980, 1, 1) + dt.timedelta(days=i), i + 1) for i in range(8)]

# -- building .xlsx by hand ----------------------------------------------------------------------
_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '<Override PartName="/xl/sharedStrings.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
       '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>')


def header_row(r: int = 1) -> str:
    return f'<row r="{r}">' + "".join(f'<c r="{"ABC"[i]}{r}" t="s"><v>{i}</v></c>' for i in range(3)) + "</row>"


def worker_row(r: int, k: int, name_index: int | None = None, name: str = "") -> str:
    """A valid worker row: name (a shared string or inline text), ID (inline), amount."""
    if name_index is not None:
        a = f'<c r="A{r}" t="s"><v>{name_index}</v></c>'
    else:
        a = f'<c r="A{r}" t="inlineStr"><is><t>{name}</t></is></c>'
    return (f'<row r="{r}">{a}<c r="B{r}" t="inlineStr"><is><t>{IDS[k]}</t></is></c>'
            f'<c r="C{r}"><v>{1000 + k}</v></c></row>')


def write_xlsx(path: Path, rows_xml: str, strings: list[str] | None = None, *, dim: str = "",
               sheet_tail: str = "", prolog: str = "") -> Path:
    strings = HEADER + list(strings or [])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/workbook.xml", _WB)
        d = f'<dimension ref="{dim}"/>' if dim else ""
        z.writestr("xl/worksheets/sheet1.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   f"{d}<sheetData>{rows_xml}</sheetData>{sheet_tail}</worksheet>")
        z.writestr("xl/sharedStrings.xml",
                   f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
                   '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
    return path


def declare_size(path: Path, part: str, size: int) -> None:
    """Rewrite a part's declared uncompressed size (local header and directory) to ``size``."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(part)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + n]) == part.encode():
            struct.pack_into("<I", data, pos + 24, size)
        pos += 4
    path.write_bytes(bytes(data))


def write_ods(path: Path, body: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                   'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                   '<manifest:file-entry manifest:full-path="/" '
                   'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                   '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                   '</manifest:manifest>')
        z.writestr("content.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                   'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                   'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
                   'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
                   f'<office:body><office:spreadsheet><table:table table:name="花名册">{body}'
                   '</table:table></office:spreadsheet></office:body></office:document-content>')
    return path


def ods_cell(text: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


# -- the corpus ---------------------------------------------------------------------------------------
def _far_cell(d: Path) -> Path:
    return write_xlsx(d / "远处单元格.xlsx", header_row() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')


def _far_cell_without_references(d: Path) -> Path:
    # cells without r= go to the right of the one before: 3,000 of them on the sheet's last row
    return write_xlsx(d / "无地址单元格.xlsx", header_row()
                      + '<row r="1048576">' + "<c><v>1</v></c>" * 3000 + "</row>")


def _wide_and_deep(d: Path) -> Path:
    return write_xlsx(d / "大区域.xlsx", header_row() + '<row r="100000"><c r="CV100000"><v>1</v></c></row>')


def _bad_reference(d: Path) -> Path:
    return write_xlsx(d / "坏地址.xlsx", header_row() + '<row r="2"><c r="A99999999"><v>1</v></c></row>')


def _huge_shared_cell(d: Path) -> Path:
    # 30 MB of one character: 30 KB in the zip
    return write_xlsx(d / "超大单元格.xlsx", header_row() + worker_row(2, 0, name_index=3), ["张" * (10 << 20)])


def _long_shared_cell(d: Path) -> Path:
    return write_xlsx(d / "长文字.xlsx", header_row() + worker_row(2, 0) + worker_row(3, 1, name_index=3),
                      ["王" * 40_000])


def _long_inline_cell(d: Path) -> Path:
    return write_xlsx(d / "长内联文字.xlsx", header_row() + worker_row(2, 0) + worker_row(3, 1, name="李" * 50_000))


def _shared_copies(d: Path) -> Path:
    # one 30,000-character string that 10,000 cells refer to: 30 KB on disk, 300 MB read
    rows = "".join(f'<row r="{r}"><c r="D{r}" t="s"><v>3</v></c></row>' for r in range(3, 10_003))
    return write_xlsx(d / "重复引用.xlsx", header_row() + worker_row(2, 0, name="赵六") + rows, ["x" * 30_000])


def _zip_bomb(d: Path) -> Path:
    # 40 MB of blanks between the rows, deflated ~1000 : 1
    return write_xlsx(d / "压缩炸弹.xlsx", header_row() + " " * (40 << 20) + worker_row(2, 0, name="赵六"))


def _lying_size(d: Path) -> Path:
    path = write_xlsx(d / "大小不符.xlsx", header_row() + worker_row(2, 0, name_index=3), ["甲" * 3_000_000])
    declare_size(path, "xl/sharedStrings.xml", 4096)
    return path


def _doctype(d: Path) -> Path:
    bomb = ('<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    return write_xlsx(d / "实体.xlsx", header_row() + worker_row(2, 0, name_index=3), ["&c;"], prolog=bomb)


def _span_bomb(d: Path) -> Path:
    head = "".join(f"<td>{h}</td>" for h in HEADER)
    body = f"<tr><td rowspan=\"65534\" colspan=\"1000\">{'赵六'}</td><td>{IDS[0]}</td><td>100</td></tr>" * 3
    path = d / "合并炸弹.xls"
    path.write_text(f"<html><body><table><tr>{head}</tr>{body}</table></body></html>", encoding="utf-8")
    return path


def _many_spans(d: Path) -> Path:
    # within HTML's own limits each, too many together
    head = "".join(f"<td>{h}</td>" for h in HEADER)
    body = "".join(f'<tr><td rowspan="1000" colspan="20">赵六</td><td>{IDS[0]}</td></tr>' for _ in range(80))
    path = d / "合并过多.xls"
    path.write_text(f"<html><body><table><tr>{head}</tr>{body}</table></body></html>", encoding="utf-8")
    return path


def _html_long_cell(d: Path) -> Path:
    head = "".join(f"<td>{h}</td>" for h in HEADER)
    path = d / "网页长文字.xls"
    path.write_text(f"<html><body><table><tr>{head}</tr><tr><td>赵六</td><td>{IDS[0]}</td><td>1</td></tr>"
                    f"<tr><td>{'钱' * 40_000}</td><td>{IDS[1]}</td><td>1</td></tr></table></body></html>",
                    encoding="utf-8")
    return path


def _mixed_encodings(d: Path) -> Path:
    path = d / "混合编码.csv"
    path.write_bytes(",".join(HEADER).encode("gbk") + b"\n"
                     + f"张三丰,{IDS[0]},1000\n李四光,{IDS[1]},2000\n".encode("utf-8"))
    return path


def _mixed_html(d: Path) -> Path:
    head = "".join(f"<td>{h}</td>" for h in HEADER)
    path = d / "网页混合编码.xls"
    path.write_bytes(f'<html><head><meta charset="gbk"></head><body><table><tr>{head}</tr>'.encode("gbk")
                     + f"<tr><td>张三丰</td><td>{IDS[0]}</td><td>1</td></tr></table></body></html>".encode("utf-8"))
    return path


def _long_csv_field(d: Path) -> Path:
    path = d / "长字段.csv"
    path.write_text(",".join(HEADER) + f"\n张三,{IDS[0]},1000\n李四,{IDS[1]},{'9' * (1 << 20)}\n", encoding="utf-8")
    return path


def _many_csv_cells(d: Path) -> Path:
    path = d / "单元格过多.csv"
    # rows within Excel's 16,384 columns (a wider row is refused for that first), over 5,000,000 cells
    path.write_text(",".join(HEADER) + "\n" + ("," * 10_000 + "\n") * 600, encoding="utf-8")
    return path


def _nul_csv(d: Path) -> Path:
    path = d / "空字符.csv"
    path.write_bytes(",".join(HEADER).encode("utf-8") + f"\n张\x00三,{IDS[0]},1000\n".encode("utf-8"))
    return path


def _ods_repeats(d: Path) -> Path:
    header = "<table:table-row>" + "".join(ods_cell(h) for h in HEADER) + "</table:table-row>"
    bomb = ('<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
            'table:number-columns-repeated="100" office:value-type="float" office:value="1"/></table:table-row>')
    return write_ods(d / "重复行.ods", header + bomb)


def _biff(rt: int, body: bytes) -> bytes:
    return struct.pack("<HH", rt, len(body)) + body


def write_xls(path: Path, strings: list[str], cells: list[tuple[int, int, int]]) -> Path:
    """A BIFF8 workbook in an OLE compound file, written record by record: one worksheet
    “花名册”, the shared strings, and LABELSST cells (row, column, string index), 0-based."""
    # SST, then CONTINUE records of at most 8,224 bytes; a string's characters that go on in the
    # next record are preceded there by their option byte again
    records, cur = [], bytearray(struct.pack("<II", len(cells), len(strings)))
    for t in strings:
        if len(cur) + 3 > 8224:
            records.append(bytes(cur))
            cur = bytearray()
        cur += struct.pack("<HB", len(t), 1)
        data = t.encode("utf-16-le")
        while data:
            room = (8224 - len(cur)) // 2 * 2
            if room <= 0:
                records.append(bytes(cur))
                cur = bytearray(b"\x01")
                continue
            cur += data[:room]
            data = data[room:]
    records.append(bytes(cur))
    sst = b"".join(_biff(0x00FC if i == 0 else 0x003C, r) for i, r in enumerate(records))
    bof_globals = _biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0))
    name = "花名册"
    boundsheet_len = 4 + 8 + 2 * len(name)
    globals_len = len(bof_globals) + boundsheet_len + len(sst) + 4
    boundsheet = _biff(0x0085, struct.pack("<IBBBB", globals_len, 0, 0, len(name), 1) + name.encode("utf-16-le"))
    sheet = _biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0, 0, 0, 0))
    sheet += b"".join(_biff(0x00FD, struct.pack("<HHHI", r, c, 0, i)) for r, c, i in cells)
    stream = bof_globals + boundsheet + sst + _biff(0x000A, b"") + sheet + _biff(0x000A, b"")
    stream += b"\0" * (max(4096, -(-len(stream) // 512) * 512) - len(stream))
    n_stream = len(stream) // 512
    n_fat = -(-(n_stream + 1 + 8) // 127)
    fat = [0xFFFFFFFD] * n_fat + [0xFFFFFFFE]                       # the FAT sectors, the directory
    start = n_fat + 1
    fat += [start + k + 1 for k in range(n_stream - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (n_fat * 128 - len(fat))
    assert n_fat <= 109

    def entry(nm: str, kind: int, child: int, first_sec: int, size: int) -> bytes:
        raw = nm.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, child) + b"\0" * 36
                + struct.pack("<IQ", first_sec, size))
    directory = (entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry("Workbook", 2, 0xFFFFFFFF, start, len(stream)))
    directory = directory.ljust(512, b"\0")
    difat = list(range(n_fat)) + [0xFFFFFFFF] * (109 - n_fat)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, n_fat, n_fat, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<109I", *difat))
    path.write_bytes(header + struct.pack(f"<{len(fat)}I", *fat) + directory + stream)
    return path


def _xls_far_cell(d: Path) -> Path:
    return write_xls(d / "远处单元格.xls", HEADER, [(0, 0, 0), (0, 1, 1), (0, 2, 2), (65535, 255, 0)])


def _xls_long_string(d: Path) -> Path:
    return write_xls(d / "长文字97.xls", HEADER + ["周" * 40_000], [(0, 0, 0), (0, 1, 1), (0, 2, 2), (4, 1, 3)])


def _xls_copies(d: Path) -> Path:
    cells = [(0, 0, 0), (0, 1, 1), (0, 2, 2)] + [(r, 3, 3) for r in range(1, 10_001)]
    return write_xls(d / "重复引用97.xls", HEADER + ["x" * 30_000], cells)


HOSTILE = {          # name → (builder, words the refusal must contain)
    "far_cell": (_far_cell, ["远处单元格.xlsx", "花名册", "XFD1048576"]),
    "far_cell_without_references": (_far_cell_without_references, ["无地址单元格.xlsx", "花名册", "1,048,576 行"]),
    "wide_and_deep": (_wide_and_deep, ["大区域.xlsx", "CV100000"]),
    "bad_reference": (_bad_reference, ["坏地址.xlsx", "A99999999"]),
    "huge_shared_cell": (_huge_shared_cell, ["超大单元格.xlsx", "压缩比异常"]),
    "long_shared_cell": (_long_shared_cell, ["长文字.xlsx", "花名册", "第 3 行 A 列", "40,000", "32,767"]),
    "long_inline_cell": (_long_inline_cell, ["长内联文字.xlsx", "花名册", "第 3 行 A 列", "50,000"]),
    "shared_copies": (_shared_copies, ["重复引用.xlsx", "花名册", "重复引用"]),
    "zip_bomb": (_zip_bomb, ["压缩炸弹.xlsx", "sheet1.xml", "压缩比异常"]),
    "lying_size": (_lying_size, ["大小不符.xlsx", "sharedStrings.xml"]),
    "doctype": (_doctype, ["实体.xlsx", "DOCTYPE"]),
    "span_bomb": (_span_bomb, ["合并炸弹.xls", "第 2 行 A 列", "65,534 行 1,000 列"]),
    "many_spans": (_many_spans, ["合并过多.xls", "合并单元格", "500,000"]),
    "html_long_cell": (_html_long_cell, ["网页长文字.xls", "第 3 行 A 列", "40,000"]),
    "mixed_encodings": (_mixed_encodings, ["混合编码.csv", "第 1 行是 GBK", "第 2 行是 UTF-8"]),
    "mixed_html": (_mixed_html, ["网页混合编码.xls", "第 1 行是 GBK", "UTF-8"]),
    "long_csv_field": (_long_csv_field, ["长字段.csv", "第 3 行 C 列", "1,048,576", "32,767"]),
    "many_csv_cells": (_many_csv_cells, ["单元格过多.csv", "5,000,000"]),
    "nul_csv": (_nul_csv, ["空字符.csv", "二进制"]),
    "ods_repeats": (_ods_repeats, ["重复行.ods", "花名册", "1,000,001 行 × 100 列"]),
    "xls_far_cell": (_xls_far_cell, ["远处单元格.xls", "花名册", "65,536 行 × 256 列", "IV65536"]),
    "xls_long_string": (_xls_long_string, ["长文字97.xls", "花名册", "第 5 行 B 列", "40,000"]),
    "xls_copies": (_xls_copies, ["重复引用97.xls", "重复引用"]),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("hostile")
    return {name: build(d) for name, (build, _) in HOSTILE.items()}


@pytest.fixture
def case_store(campaign_store):
    LedgerRepo(campaign_store, registry.get("cases")).insert({"case_no": "H-1", "registered_on": "2026-11-01"})
    return campaign_store


def snapshot(s: Store) -> tuple:
    return tuple(s.scalar(f"SELECT COUNT(*) FROM {t}") for t in ("case_record", "worker", "audit_log", "setting"))


def test_the_corpus_is_small_on_disk(corpus):
    """What makes these files hostile is what they stand for, not their size."""
    sizes = {name: p.stat().st_size for name, p in corpus.items()}
    assert sizes["far_cell"] < 4096 and sizes["shared_copies"] < 200_000
    assert sizes["huge_shared_cell"] < 100_000 and sizes["zip_bomb"] < 100_000
    assert max(sizes.values()) < 8 << 20


@pytest.mark.parametrize("path_kind", ["row", "bulk"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_refused_with_one_sentence_and_nothing_written(corpus, case_store, monkeypatch, name, path_kind):
    if path_kind == "bulk":
        monkeypatch.setattr(importer, "BULK_THRESHOLD", 0)
    before = snapshot(case_store)
    with pytest.raises(UnusableFile) as info:
        plan = plan_import(case_store, corpus[name], "workers", case_no="H-1")
        commit_import(case_store, plan, accept_partial=True)        # never reached
    text = str(info.value)
    assert "\n" not in text and text.startswith("文件“") and text.endswith("。")
    for word in HOSTILE[name][1]:
        assert word in text, (word, text)
    assert "已损坏或不完整" not in text            # each says what is wrong, not "damaged"
    assert snapshot(case_store) == before


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_command_line_exit_2_one_line_database_unchanged(corpus, case_store, capsys, name):
    from desktop.cli import main as cli
    db = str(case_store.path)
    before = snapshot(case_store)
    code = cli(["import", str(corpus[name]), "--db", db, "--kind", "workers", "--case", "H-1"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err and "\n" not in err and corpus[name].name in err
    assert snapshot(case_store) == before


_CHILD = r"""
import json, signal, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
import datetime as dt
from models import campaign
from models.db import Store
from models.io.importer import plan_import
from models.io.reading import UnusableFile
from models.ledger import registry
from models.ledger.repo import LedgerRepo

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024


def reset_peak():
    with open("/proc/self/clear_refs", "w") as f:      # 5: reset VmHWM to the present VmRSS
        f.write("5")

def overtime(signum, frame):
    raise TimeoutError("over the time bound")

signal.signal(signal.SIGALRM, overtime)
s = Store(Path(sys.argv[2]), "测试员")
campaign.create_campaign(s, "行动", "青山镇", dt.date(2026, 9, 14))
LedgerRepo(s, registry.get("cases")).insert({"case_no": "H-1", "registered_on": "2026-11-01"})
plan_import(s, sys.argv[3], "workers", case_no="H-1")        # the readers loaded before any file is measured
out = {"files": {}}
for path in sys.argv[4:]:
    reset_peak()
    base = status("VmRSS")
    signal.alarm(60)
    try:
        plan_import(s, path, "workers", case_no="H-1")
        verdict = "planned"
    except UnusableFile:
        verdict = "refused"
    finally:
        signal.alarm(0)
    out["files"][Path(path).name] = {"verdict": verdict, "grown": status("VmHWM") - base}
print(json.dumps(out))
"""


def test_bounded_memory_and_time_in_a_child_process(corpus, tmp_path):
    """Each file read in a child process that has read a small legitimate file first: for each,
    the peak memory (VmHWM, reset before each file) is less than 200 MB above what the process
    held before it, and no file outlasts a 60-second alarm (a safety net, not a measurement).
    A file that aborted the reader would fail this too."""
    legit = write_xlsx(tmp_path / "正常.xlsx", header_row() + worker_row(2, 0, name="赵六"))
    r = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), str(tmp_path / "m.sqlite"), str(legit),
                        *[str(corpus[n]) for n in sorted(HOSTILE)]],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert {v["verdict"] for v in out["files"].values()} == {"refused"}
    grown = {name: v["grown"] >> 20 for name, v in out["files"].items()}
    assert max(grown.values()) < 200, grown


# -- not refused: cleaned, with a note ---------------------------------------------------------------------
CONTROL_NAMES = ["张\x1b[31m三", "李\u200b四", "王\x07五\u202e", "赵\x7f六"]


def _controls_csv(d: Path) -> Path:
    path = d / "控制字符.csv"
    path.write_text(",".join(HEADER) + "\n" + "".join(f"{n},{IDS[i]},{100 + i}\n" for i, n in enumerate(CONTROL_NAMES))
                    + f"孙七,{IDS[5]},105\n", encoding="utf-8")
    return path


def _controls_xlsx(d: Path) -> Path:
    # as Excel writes them: _xHHHH_ escapes; a zero-width space as the character itself
    names = ["张_x001B_[31m三", "李\u200b四", "王_x0007_五_x0000_", "赵_x007F_六"]
    rows = "".join(worker_row(i + 2, i, name_index=3 + i) for i in range(4)) + worker_row(6, 5, name="孙七")
    return write_xlsx(d / "控制字符.xlsx", header_row() + rows, names)


def _controls_html(d: Path) -> Path:
    head = "".join(f"<td>{h}</td>" for h in HEADER)
    body = "".join(f"<tr><td>{n}</td><td>{IDS[i]}</td><td>{100 + i}</td></tr>" for i, n in enumerate(CONTROL_NAMES))
    path = d / "控制字符.xls"
    path.write_text(f"<html><body><table><tr>{head}</tr>{body}</table></body></html>", encoding="utf-8")
    return path


@pytest.mark.parametrize("path_kind", ["row", "bulk"])
@pytest.mark.parametrize("build", [_controls_csv, _controls_xlsx, _controls_html])
def test_control_characters_removed_with_a_note(case_store, tmp_path, monkeypatch, build, path_kind):
    if path_kind == "bulk":
        monkeypatch.setattr(importer, "BULK_THRESHOLD", 0)
    path = build(tmp_path)
    plan = plan_import(case_store, path, "workers", case_no="H-1")
    notes = [n for n in plan.notes if "控制字符" in n]
    assert len(notes) == 1 and path.name in notes[0] and "4 个单元格" in notes[0] and "第 2 行 A 列" in notes[0]
    result = commit_import(case_store, plan)
    assert result["imported"] and result["inserted"] == len(plan.rows)
    names = {r[0] for r in case_store.query("SELECT name FROM worker")}
    assert {"张[31m三", "李四", "王五", "赵六"} <= names
    assert not any(ch in n for n in names for ch in "\x00\x1b\x07\x7f\u200b\u202e")


def test_dimension_is_not_believed_either_way(case_store, tmp_path):
    """A <dimension> claiming the whole sheet costs the reader nothing (it reads the cells), so
    a file whose dimension says XFD1048576 but whose cells are few is imported."""
    path = write_xlsx(tmp_path / "大声明.xlsx", header_row() + worker_row(2, 0, name="赵六") + worker_row(3, 1, name="钱七"),
                      dim="A1:XFD1048576")
    plan = plan_import(case_store, path, "workers", case_no="H-1")
    assert [r.values["name"] for r in plan.rows] == ["赵六", "钱七"] and not plan.problems


@pytest.mark.parametrize("far", ['<c r="XFD1048576" s="1"/>', '<c r="XFD1048576" s="1"></c>',
                                 '<x:c r="XFD1048576" s="1"/>'])
def test_an_empty_cell_in_the_far_corner_is_no_reason_to_refuse(case_store, tmp_path, far):
    """A format carried to the sheet's corner leaves an empty cell there; the reader keeps
    nothing of it, so the area is that of the cells with content. One with a value still
    refuses the file (``far_cell`` above)."""
    rows = header_row() + worker_row(2, 0, name="赵六") + f'<row r="1048576">{far}</row>'
    if far.startswith("<x:"):
        rows = rows.replace('<row r="1048576">', '<row r="1048576" xmlns:x="http://schemas.openxmlformats.org/'
                                                 'spreadsheetml/2006/main">')
    plan = plan_import(case_store, write_xlsx(tmp_path / "角落.xlsx", rows), "workers", case_no="H-1")
    assert [r.values["name"] for r in plan.rows] == ["赵六"] and not plan.problems


def test_long_cells_up_to_the_limit_are_read(case_store, tmp_path):
    """32,767 characters is Excel's own limit: a cell that long is text like any other."""
    path = tmp_path / "上限.csv"
    path.write_text(",".join(HEADER) + f",备注\n赵六,{IDS[0]},100,{'注' * 32_767}\n", encoding="utf-8")
    plan = plan_import(case_store, path, "workers", case_no="H-1")
    assert plan.book.load(plan.sheet).rows[1][3] == "注" * 32_767
    xl = write_xlsx(tmp_path / "上限.xlsx", header_row() + worker_row(2, 0, name_index=3), ["赵" * 32_767])
    assert plan_import(case_store, xl, "workers", case_no="H-1").rows[0].cells[0] == "赵" * 32_767


def test_search_with_control_characters_is_no_sql_error(case_store):
    LedgerRepo(case_store, registry.get("workers")).insert(
        {"case_id": case_store.scalar("SELECT id FROM case_record"), "name": "张三丰", "id_number": IDS[0]})
    for kind in ("cases", "workers"):
        repo = LedgerRepo(case_store, registry.get(kind))
        for text in ("\x00", "张\x00三丰", "\x1b[31m", "张三\u200b丰", "建设\x00公司"):
            clean = text.translate({c: None for c in (0, 0x1b, 0x200b)})
            assert repo.ids(Query(search=text)) == repo.ids(Query(search=clean))
            assert repo.count(Query(search=text)) == repo.count(Query(search=clean))
    assert LedgerRepo(case_store, registry.get("workers")).count(Query(search="张\x00三丰")) == 1


def test_import_dialog_refuses_and_carries_on(qtbot, corpus, tmp_path):
    """In the window: each hostile file gives its one sentence in the dialog (it used to take
    the program down for the far cell), and the dialog then checks a good file as ever."""
    from views.import_dialog import ImportDialog
    path = tmp_path / "d.sqlite"
    s = Store(path, "测试员")
    campaign.create_campaign(s, "行动", "青山镇", dt.date(2026, 9, 14))
    LedgerRepo(s, registry.get("cases")).insert({"case_no": "H-1", "registered_on": "2026-11-01"})
    s.close()
    dlg = ImportDialog(None, str(path), "workers", "测试员")
    qtbot.addWidget(dlg)
    for name in ("far_cell", "xls_far_cell", "shared_copies", "span_bomb", "mixed_encodings", "ods_repeats"):
        dlg.plan = None
        dlg.set_file(str(corpus[name]))
        qtbot.waitUntil(lambda: corpus[name].name in dlg.status_label.text(), timeout=30000)
        assert HOSTILE[name][1][-1] in dlg.status_label.text()
        assert dlg.plan is None and not dlg.import_button.isEnabled()
    good = write_xlsx(tmp_path / "正常.xlsx", header_row() + worker_row(2, 0, name="赵六"))
    dlg.set_file(str(good))
    qtbot.waitUntil(lambda: dlg.plan is not None, timeout=30000)
    assert [r.values["name"] for r in dlg.plan.rows] == ["赵六"]


def test_a_sheet_under_any_part_name_is_checked(case_store, tmp_path):
    """The reader follows the workbook's relationships to a sheet of any file name: so does
    the check (a far cell hidden in a part not named .xml)."""
    path = write_xlsx(tmp_path / "别名.xlsx", header_row() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    src = zipfile.ZipFile(path)
    out = tmp_path / "别名2.xlsx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            name = info.filename
            if name == "xl/worksheets/sheet1.xml":
                name = "xl/worksheets/sheet1.png"
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"worksheets/sheet1.xml", b"worksheets/sheet1.png")
            z.writestr(name, data)
    with pytest.raises(UnusableFile, match="XFD1048576"):
        plan_import(case_store, out, "workers", case_no="H-1")


def test_pictures_are_not_counted(case_store, tmp_path):
    """A picture that compresses 1000 : 1 (a blank bitmap) is never opened by the reader, so
    it is no reason to refuse the file."""
    path = write_xlsx(tmp_path / "带图.xlsx", header_row() + worker_row(2, 0, name="赵六"))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/image1.bmp", b"BM" + b"\xff" * (8 << 20))
    plan = plan_import(case_store, path, "workers", case_no="H-1")
    assert [r.values["name"] for r in plan.rows] == ["赵六"]


# -- big sheets: the whole-buffer path (parts over 1 MB) -------------------------------------------------
def _big_rows(n: int, start: int = 2) -> str:
    return "".join(worker_row(r, r % 8, name="赵六") for r in range(start, start + n))


@pytest.mark.parametrize("hidden, words", [
    ('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', ["XFD1048576"]),
    ('<row r="7"><c r="A0"><v>1</v></c></row>', ["“A0”"]),
    ('<row r="7"><c r="AAAA7"><v>1</v></c></row>', ["“AAAA7”"]),
    (f'<row r="9"><c r="C9" t="inlineStr"><is><t>{"孙" * 33_000}</t></is></c></row>', ["第 9 行 C 列", "33,000"]),
    ('<row r="90000"><c r="ZZ90000"><v>1</v></c></row>', ["ZZ90000", "90,000 行 × 702 列"]),
    (f'<row r="11"><c r="B11" t="d"><v>{"2" * 40_000}</v></c></row>', ["第 11 行 B 列", "40,000"]),
])
def test_big_sheet_with_one_hostile_cell_in_the_middle(case_store, tmp_path, hidden, words):
    rows = _big_rows(8000)
    middle = rows.index('<row r="3000">')
    path = write_xlsx(tmp_path / "大表.xlsx", header_row() + rows[:middle] + hidden + rows[middle:])
    assert zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size > (1 << 20)
    with pytest.raises(UnusableFile) as info:
        plan_import(case_store, path, "workers", case_no="H-1")
    for w in words:
        assert w in str(info.value), str(info.value)


def test_big_sheet_area_agrees_with_the_cell_by_cell_walk(tmp_path):
    """The whole-buffer reading of the references gives what walking cell by cell gives."""
    import random

    import numpy as np

    from models.io import limits as L
    from models.io import limits_xlsx as X
    rnd = random.Random(7)
    for _ in range(5):
        cells = []
        for _ in range(30_000):
            r, c = rnd.choice([rnd.randint(1, 999), rnd.randint(1, 999_999)]), rnd.choice([rnd.randint(1, 26),
                                                                                          rnd.randint(1, 16_384)])
            cells.append(f'<row r="{r}"><c r="{L.col_letters(c - 1)}{r}" s="1"><v>{r}</v></c></row>')
        xml = ("<worksheet><sheetData>" + "".join(cells) + "</sheetData></worksheet>").encode()
        a = np.frombuffer(xml, np.uint8)
        fast = X._max_refs(a, xml, X._starts(xml, a, b"c"), "表")
        slow = X._max_refs_slow(xml, "表")
        assert fast[:2] == slow[:2]


def test_big_legitimate_sheet_is_read_whole(case_store, tmp_path):
    path = write_xlsx(tmp_path / "正常大表.xlsx", header_row() + _big_rows(8000), dim="A1:C8001")
    assert zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size > (1 << 20)
    plan = plan_import(case_store, path, "workers", case_no="H-1")
    assert len(plan.rows) == 8000 and plan.rows[-1].row == 8001


def test_prefixed_sheet_is_walked(case_store, tmp_path):
    """Some libraries write <x:c …>: such a sheet is walked cell by cell, far cells found all the same."""
    body = (header_row() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>').replace("<row", "<x:row") \
        .replace("</row>", "</x:row>").replace("<c ", "<x:c ").replace("</c>", "</x:c>") \
        .replace("<v>", "<x:v>").replace("</v>", "</x:v>")
    path = write_xlsx(tmp_path / "前缀.xlsx", body)
    data = path.read_bytes()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = tmp_path / "前缀2.xlsx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(
                    b"<sheetData>", b"<x:sheetData>").replace(b"</sheetData></worksheet>", b"</x:sheetData></x:worksheet>")
            z.writestr(info.filename, part)
    with pytest.raises(UnusableFile, match="XFD1048576"):
        plan_import(case_store, out, "workers", case_no="H-1")


@pytest.mark.parametrize("head, what", [(b"\x89PNG\r\n\x1a\n", "图片（PNG）"), (b"\xff\xd8\xff\xe0", "图片（JPG）"),
                                        (b"BM\x36\x00\x00\x00\x00\x00\x00\x00", "图片（BMP）"),
                                        (b"Rar!\x1a\x07", "压缩包（RAR）")])
def test_a_picture_or_archive_named_xlsx_is_called_what_it_is(tmp_path, head, what):
    from models.io.reading import UnusableFile, open_book
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(head + bytes(range(256)) * 4)
    with pytest.raises(UnusableFile, match=f"是{re.escape(what)}，不是表格"):
        open_book(path)


def test_a_csv_that_starts_with_bm_is_still_a_csv(tmp_path):
    from models.io.reading import open_book
    path = tmp_path / "t.csv"
    path.write_text("BM编号,姓名\n1,张三\n", encoding="utf-8")
    assert open_book(path).load(open_book(path).sheet_names[0]).rows[1] == ["1", "张三"]
