"""A rate over nothing is "—", not 0.00%: in the statistics table (both sheets), its PDF, and
the written period report, as on the home page and in the weekly briefing
(tests/test_stage_targets_empty.py). 0.0% would read as "nothing paid" where nothing is owed."""
from __future__ import annotations

import datetime as dt

import pypdfium2 as pdfium
from python_calamine import CalamineWorkbook

from models.reports import make_report

TODAY = dt.date(2026, 11, 26)


def _text(path) -> str:
    doc = pdfium.PdfDocument(str(path))
    try:
        return "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def test_the_statistics_table_of_an_empty_township_shows_no_rate(campaign_store, tmp_path):
    result = make_report("stats", campaign_store, tmp_path / "统计报表.pdf", today=TODAY)
    [xlsx] = [p for p in result.extra if p.suffix == ".xlsx"]
    book = CalamineWorkbook.from_path(str(xlsx))
    indicators = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    rates = {r[1]: r[3] for r in indicators[3:] if len(r) > 3 and r[2] == "%"}
    assert rates and set(rates.values()) == {"—"}, rates
    by_ws = book.get_sheet_by_name(book.sheet_names[1]).to_python()
    assert {r[9] for r in by_ws[3:] if r and r[0]} == {"—"}
    text = _text(result.path)
    for name in ("办结率", "解决率", "按期化解率"):
        assert f"{name} % —" in text, name


def test_the_period_report_of_an_empty_township_says_there_is_no_rate(campaign_store, tmp_path):
    result = make_report("period", campaign_store, tmp_path / "月报.pdf", today=TODAY,
                         since=dt.date(2026, 11, 1), until=dt.date(2026, 11, 25))
    text = _text(result.path).replace("\r", "").replace("\n", "")
    assert "清偿率无从计算" in text and "清偿率 0.0%" not in text and "清偿率0.0%" not in text
