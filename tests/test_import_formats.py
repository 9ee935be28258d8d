"""Files in the many shapes people have: .xls (97-2003), .ods, HTML tables saved as .xls by
web platforms, UTF-16 "Unicode text", UTF-8 with or without BOM, GB18030 with names outside
GBK, and workbooks whose first sheet is an instruction sheet (填表说明)."""
from __future__ import annotations

from pathlib import Path

import pytest

from models.io.importer import plan_import
from models.io.reading import UnusableFile
from models.ledger import registry
from models.ledger.repo import LedgerRepo

DATA = Path(__file__).parent / "data"


def add_case(store, case_no="C-001"):
    return LedgerRepo(store, registry.get("cases")).insert({"case_no": case_no, "registered_on": "2026-11-01"})


def test_utf8_bom_and_gb18030_names_outside_gbk(campaign_store, tmp_path):
    add_case(campaign_store, "C-9")
    text = "姓名,身份证号码,应发工资\n王䶮,110105199003070017,100\n李四,11010519900307005xx,1\n"
    for enc in ("utf-8-sig", "utf-8", "gb18030"):
        p = tmp_path / f"w-{enc}.csv"
        p.write_bytes(text.encode(enc))
        plan = plan_import(campaign_store, p, "workers", case_no="C-9")
        assert plan.rows[0].values["name"] == "王䶮"
        assert plan.book.encoding == enc
        assert [x.row for x in plan.problems] == [3]       # the 19-character ID on row 3


def test_instruction_sheet_is_skipped(campaign_store, tmp_path):
    import xlsxwriter
    path = tmp_path / "two.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    a = wb.add_worksheet("填表说明")
    a.write_row(0, 0, ["编号：填写线索编号", "用人单位：全称"])
    b = wb.add_worksheet("台账")
    b.write_row(0, 0, ["编号", "登记日期", "用人单位"])
    b.write_row(1, 0, ["S1", "2026-11-01", "甲"])
    wb.close()
    plan = plan_import(campaign_store, path, "cases")
    assert plan.sheet == "台账" and len(plan.rows) == 1
    assert plan_import(campaign_store, path, "cases", sheet="台账").sheet == "台账"
    with pytest.raises(UnusableFile, match="没有名为"):
        plan_import(campaign_store, path, "cases", sheet="不存在")


def test_ods_html_xls_and_utf16_text(campaign_store, tmp_path):
    import zipfile
    cells = [["编号", "登记日期", "用人单位", "欠薪金额（万元）"], ["O1", "2026-11-01", "甲", "1.5"],
             ["O2", "2026-11-02", "乙", "0.5"]]
    ods = tmp_path / "a.ods"
    body = "".join("<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>' for c in r)
        + "</table:table-row>" for r in cells)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="台账">{body}</table:table>'
               '</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    html = tmp_path / "platform-export.xls"      # what web platforms call .xls
    html.write_text('<html><meta charset="gb2312"><table><tr><td colspan="4">线索台账</td></tr>'
                    + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in cells)
                    + "</table></html>", encoding="gb18030")
    tsv = tmp_path / "unicode.txt"               # Excel "Unicode text": UTF-16, tab-separated
    tsv.write_bytes("\r\n".join("\t".join(r) for r in cells).encode("utf-16"))
    for path, fmt in ((ods, "ods"), (html, "html"), (tsv, "csv")):
        plan = plan_import(campaign_store, path, "cases")
        assert plan.book.fmt == fmt and plan.problems == []
        assert plan.totals()["amount_fen"] == 2_000_000 and len(plan.rows) == 2


def test_old_xls_with_instruction_sheet_and_merged_cells(campaign_store):
    """A real Excel 97-2003 file (made once with xlwt; kept in tests/data)."""
    plan = plan_import(campaign_store, DATA / "旧版台账-97格式.xls", "cases")
    j = plan.to_json()
    assert (j["format"], j["sheet"], j["header_rows"]) == ("xls", "欠薪问题台账", [3])
    assert j["problems"] == [] and j["rows_read"] == 3
    assert (j["totals"]["amount_fen"], j["totals"]["workers"]) == (5_000_000, 22)
    assert [r.values["employer_name"] for r in plan.rows] == ["甲建筑公司", "甲建筑公司", "乙劳务公司"]
    assert {r.values["registered_on"] for r in plan.rows} == {"2026-11-20"}


def test_a_zip_with_a_damaged_compressed_member_is_refused_in_one_line(campaign_store, tmp_path):
    """A spreadsheet whose zip index is whole but whose first compressed member is not (a copy
    cut off by a USB stick, a mail gateway): zlib's own error becomes the one Chinese sentence."""
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet" * 3)
        z.writestr("content.xml", "<x/>")
    raw = bytearray(buf.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo("mimetype")
    raw[info.header_offset + 30 + len("mimetype")] = 0x07       # a deflate block of the reserved type
    path = tmp_path / "损坏.ods"
    path.write_bytes(bytes(raw))
    before = campaign_store.scalar("SELECT COUNT(*) FROM audit_log")
    with pytest.raises(UnusableFile) as info_:
        plan_import(campaign_store, path, "workers")
    text = str(info_.value)
    assert text.startswith("文件“损坏.ods”") and "已损坏" in text and "\n" not in text
    assert campaign_store.scalar("SELECT COUNT(*) FROM audit_log") == before
