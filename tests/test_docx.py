"""Word versions of every report: ``make_report`` writes .docx when the out path says so; each file
is reopened with python-docx and read: named styles (Title, Heading 1–3, Normal and the program's
Chinese-named ones), headings, tables whose header rows repeat, cells equal to the ledger,
page-number fields in the footer (odd right / even left for the official layout), the red 版头
and the 版记 of the minutes and the briefing."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest
from docx.oxml.ns import qn

from models import meetings as M
from models.db import Store
from models.ledger.repo import Query
from models.reports import make_report
from models.values import fen_to_wan_text, fen_to_yuan_text

TODAY = _dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def made(town, tmp_path_factory):
    out = tmp_path_factory.mktemp("docx")
    s = Store(town)
    first_case = s.scalar("SELECT id FROM case_record WHERE w_count > 0 ORDER BY id LIMIT 1")
    s.close()
    return {
        "weekly": make_report("weekly", town, out / "weekly.docx", TODAY),
        "minutes": make_report("minutes", town, out / "minutes.docx", TODAY),
        "stats": make_report("stats", town, out / "stats.docx", TODAY),
        "daily": make_report("daily", town, out / "daily.docx", _dt.date(2026, 11, 25)),
        "ledger": make_report("ledger", town, out / "ledger.docx", TODAY, kind="cases"),
        "workers": make_report("ledger", town, out / "workers.docx", TODAY, kind="workers",
                               query=Query(equals={"case_id": first_case})),
    }


def opened(r):
    from docx import Document
    assert r.path.suffix == ".docx" and r.path.exists()
    return Document(str(r.path))


def paragraphs(doc, style: str | None = None) -> list[str]:
    return [p.text for p in doc.paragraphs if style is None or p.style.name == style]


def table_cells(t) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in t.rows]


def header_repeats(t) -> bool:
    tr_pr = t.rows[0]._tr.trPr
    return tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None


def page_field(footer) -> bool:
    xml = footer._element.xml
    return "PAGE" in xml and ("fldSimple" in xml or "instrText" in xml)


def test_every_report_is_a_word_file_with_named_styles(made):
    for name, r in made.items():
        doc = opened(r)
        assert r.pages == 0 and r.title, name
        names = {s.name for s in doc.styles}
        assert {"Normal", "Title", "Heading 1", "Heading 2", "注释", "表格文字", "表头"} <= names, name
        assert page_field(doc.sections[0].footer), name
        for t in doc.tables:
            if len(t.rows) > 2 and t.style is not None and t.style.name != "Table Grid":
                assert header_repeats(t), name


def test_every_table_repeats_its_header_row(made):
    for name, r in made.items():
        tables = [t for t in opened(r).tables if header_repeats(t)]
        assert tables or name == "minutes", name


def test_weekly_briefing_in_word(made, town):
    doc = opened(made["weekly"])
    h1 = paragraphs(doc, "Heading 1")
    assert h1 == ["一、总体进展", "二、各专班本周工作", "三、逾期及重大问题", "四、交办事项"]
    h2 = paragraphs(doc, "Heading 2")
    for want in ("（一）欠薪问题化解", "（二）资产处置及资金筹措", "（三）拖欠工程款", "（四）信访维稳",
                 "（五）欠薪隐患排查", "（六）日报告报送", "（七）清欠资金"):
        assert want in h2, want
    assert paragraphs(doc, "Title")[:2] == ["青山镇根治欠薪专项行动", "第11周工作进展情况"]
    # the red 版头 and the separator under it
    head = doc.paragraphs[0]
    assert head.text == "周调度材料" and head.runs[0].font.color.rgb is not None and \
        str(head.runs[0].font.color.rgb) == "FF0000"
    assert any('w:color="FF0000"' in p._p.xml and "w:bottom" in p._p.xml for p in doc.paragraphs[:5])
    # odd pages right, even pages left
    sec = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    assert page_field(sec.footer) and page_field(sec.even_page_footer)
    assert sec.footer.paragraphs[0].alignment == 2 and sec.even_page_footer.paragraphs[0].alignment == 0
    assert round(sec.top_margin.mm) == 37 and round(sec.left_margin.mm) == 28 and round(sec.right_margin.mm) == 26
    # the funds table: its 合计 row equals the ledger's sums, in 万元
    s = Store(town)
    got = s.one("SELECT SUM(planned_fen), SUM(received_fen) FROM fund WHERE deleted_at IS NULL")
    funds = next(t for t in doc.tables if table_cells(t)[0][0] == "筹措渠道")
    total = table_cells(funds)[-1]
    assert total[0] == "合计" and total[2] == fen_to_wan_text(got[0], 2) and total[3] == fen_to_wan_text(got[1], 2)
    # the 版记: the last table, floating at the foot of the text area, its rules thick, thin, thick
    imprint = doc.tables[-1]
    rows = table_cells(imprint)
    assert rows[0][0].startswith("抄送：") and rows[-1][0] == "青山镇根治欠薪工作领导小组办公室"
    assert rows[-1][-1] == f"{TODAY.year}年{TODAY.month}月{TODAY.day}日印发"
    pr = imprint._tbl.tblPr
    assert pr.find(qn("w:tblpPr")).get(qn("w:tblpYSpec")) == "bottom"
    b = pr.find(qn("w:tblBorders"))
    assert [b.find(qn(f"w:{x}")).get(qn("w:sz")) for x in ("top", "insideH", "bottom")] == ["8", "6", "8"]
    # the masthead's 编印单位 and date
    assert table_cells(doc.tables[0])[0] == ["青山镇根治欠薪工作领导小组办公室", "2026年11月26日"]
    s.close()


def test_minutes_in_word(made, town):
    doc = opened(made["minutes"])
    s = Store(town)
    m = M.get_meeting(s, M.list_meetings(s)[0]["id"])
    texts = paragraphs(doc)
    assert texts[0] == "青山镇根治欠薪工作领导小组" and texts[1] == "周调度会议纪要"
    assert f"第{m['meeting_no']}期" in texts
    assert any(t.startswith("出席：") for t in paragraphs(doc, "出席名单"))
    assert [t[:3] for t in paragraphs(doc, "出席名单")] == ["出席：", "请假：", "列席："]
    for it in M.decisions(s, m["id"]):
        assert any(it["owner_person"] in t for t in texts)
    s.close()


def test_ledger_and_statistics_in_word(made, town):
    s = Store(town)
    doc = opened(made["ledger"])
    t = next(t for t in doc.tables if header_repeats(t))
    cells = table_cells(t)
    n, owed = s.one("SELECT COUNT(*), SUM(total_owed_fen) FROM case_record WHERE deleted_at IS NULL")
    assert cells[0][0] == "编号" and len(cells) == n + 2          # header, the rows, 合计
    assert cells[-1][0] == f"合计（{n:,} 条）" and fen_to_yuan_text(owed) in cells[-1]
    nos = {r[0] for r in cells[1:-1]}
    assert nos == {r[0] for r in s.query("SELECT case_no FROM case_record WHERE deleted_at IS NULL")}
    st = opened(made["stats"])
    assert "根治欠薪专项行动统计报表" in paragraphs(st, "Title")
    ind = next(t for t in st.tables if table_cells(t)[0][:2] == ["序号", "指标"])
    rows = {r[1]: r[3] for r in table_cells(ind)[1:]}
    assert rows["处理欠薪问题数"] == f"{n:,}"
    wk = opened(made["workers"])
    assert any("小计" in r[0] for r in table_cells(next(t for t in wk.tables if header_repeats(t))))
    s.close()


def test_daily_report_in_word(made):
    doc = opened(made["daily"])
    assert paragraphs(doc, "Title")[0] in ("欠薪问题日报告", "欠薪问题零报告")
    assert any(t.startswith("一、当日新增欠薪问题") for t in paragraphs(doc, "Heading 2"))
    assert any("填报人" in t for t in paragraphs(doc, "签字栏"))


def test_word_writer_is_fast_enough_for_a_long_printout(tmp_path):
    """10,000 rows in well under a minute: the rows are written as XML at once."""
    import time
    from models.reports.pdf_base import LongTable, ReportDoc, Stamp
    stamp = Stamp("2026-11-26T09:00:00", True, "数据审核通过", "青山镇", "行动")
    doc = ReportDoc(tmp_path / "long.docx", "测试", stamp, wide=True)
    rows = [[str(i), "内容" * (1 + i % 5), f"{i:,}"] for i in range(10_000)]
    from models.reports.pdf_base import finish
    t0 = time.perf_counter()
    assert finish(doc, [LongTable(["序号", "内容", "数"], rows, [80, 400, 80], "LLR")]) == 0
    assert time.perf_counter() - t0 < 30
    from docx import Document
    d = Document(str(tmp_path / "long.docx"))
    assert len(d.tables[0].rows) == 10_001 and d.tables[0].rows[-1].cells[2].text == "9,999"


def test_report_names_the_docx_path(made):
    for r in made.values():
        assert Path(r.path).suffix == ".docx"


def test_the_command_line_writes_word_by_the_extension(town, tmp_path, capsys):
    from docx import Document

    from desktop.cli import main
    out = tmp_path / "minutes.docx"
    assert main(["report", "minutes", "--db", str(town), "--out", str(out), "--today", TODAY.isoformat()]) == 0
    capsys.readouterr()
    doc = Document(str(out))
    assert [p.text for p in doc.paragraphs][:2] == ["青山镇根治欠薪工作领导小组", "周调度会议纪要"]
