"""One small case ledger written the ways offices write it: dates as Excel dates, serial
numbers, 2026.3.5, 2026年3月5日 and 20260305; amounts as numbers, "1,200.50元", "1.2万", in a
column headed （万元） or under a "单位：万元" line; saved as xlsx, as a GB18030 CSV from Chinese
Excel and as UTF-8 with BOM. Every form stores the same values and the same exact totals."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from models.io.importer import commit_import, plan_import

# (编号, 登记日期 as typed, the day it means, 欠薪金额 as typed in 元, in fen, 已付 as typed, in fen)
ROWS = [
    ("V-01", "2026.3.5", "2026-03-05", "1,200.50元", 120050, "200.50", 20050),
    ("V-02", "2026年3月6日", "2026-03-06", "1.2万", 1200000, "0.3万", 300000),
    ("V-03", "20260307", "2026-03-07", "3000", 300000, "3,000.00元", 300000),
    ("V-04", "2026/3/8", "2026-03-08", "￥4,500", 450000, "0", 0),
    ("V-05", "2026-03-09", "2026-03-09", "56000.5", 5600050, "1,000", 100000),
]
OWED = sum(r[4] for r in ROWS)
PAID = sum(r[6] for r in ROWS)
HEAD = ["编号", "登记日期", "用人单位", "欠薪金额", "已支付金额"]


def _write_csv(path: Path, encoding: str) -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEAD)
        for no, day, _, owed, _, paid, _ in ROWS:
            w.writerow([no, day, "青山建工有限公司䶮记", owed, paid])      # 䶮 is outside GBK
    return path


def _write_xlsx(path: Path, *, typed_dates: bool, wan: str) -> Path:
    """``wan``: "" amounts in 元; "header" the amount columns headed （万元）; "line" a 单位：万元
    line above the header. Numbers are written as numbers, the rest as text."""
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("台账")
    datef = wb.add_format({"num_format": "yyyy年m月d日"})
    r = 0
    if wan == "line":
        ws.write_string(0, 0, "青山镇欠薪问题台账")
        ws.write_string(1, 3, "单位：万元")
        r = 2
    head = list(HEAD)
    if wan == "header":
        head[3], head[4] = "欠薪金额（万元）", "已支付金额（万元）"
    ws.write_row(r, 0, head)
    for i, (no, day, iso, owed, owed_fen, paid, paid_fen) in enumerate(ROWS, r + 1):
        ws.write_string(i, 0, no)
        d = dt.date.fromisoformat(iso)
        if typed_dates and i % 2:
            ws.write_datetime(i, 1, dt.datetime(d.year, d.month, d.day), datef)     # a date cell
        elif typed_dates:
            ws.write_number(i, 1, (d - dt.date(1899, 12, 30)).days)                  # a serial number
        else:
            ws.write_string(i, 1, day)
        ws.write_string(i, 2, "青山建工有限公司䶮记")
        if wan:
            ws.write_number(i, 3, owed_fen / 1_000_000)
            ws.write_number(i, 4, paid_fen / 1_000_000)
        else:
            ws.write_string(i, 3, owed)
            ws.write_string(i, 4, paid)
    wb.close()
    return path


@pytest.mark.parametrize("make", [
    lambda p: _write_csv(p / "台账-gb18030.csv", "gb18030"),
    lambda p: _write_csv(p / "台账-utf8.csv", "utf-8-sig"),
    lambda p: _write_xlsx(p / "台账-文本.xlsx", typed_dates=False, wan=""),
    lambda p: _write_xlsx(p / "台账-日期单元格.xlsx", typed_dates=True, wan=""),
    lambda p: _write_xlsx(p / "台账-万元表头.xlsx", typed_dates=True, wan="header"),
    lambda p: _write_xlsx(p / "台账-单位行.xlsx", typed_dates=False, wan="line"),
], ids=["gb18030-csv", "utf8-bom-csv", "xlsx-text", "xlsx-date-cells", "xlsx-wan-header", "xlsx-wan-line"])
def test_every_form_stores_the_same(campaign_store, tmp_path, make):
    path = make(tmp_path)
    plan = plan_import(campaign_store, path, "cases")
    j = plan.to_json()
    assert j["problems"] == [] and j["unmapped"] == [] and not j["fatal"]
    assert (j["totals"]["amount_fen"], j["totals"]["paid_fen"]) == (OWED, PAID)
    assert commit_import(campaign_store, plan)["inserted"] == len(ROWS)
    stored = [tuple(r) for r in campaign_store.query(
        "SELECT case_no, registered_on, employer_name, amount_fen, paid_fen FROM case_record ORDER BY case_no")]
    assert stored == [(no, iso, "青山建工有限公司䶮记", owed, paid) for no, _, iso, _, owed, _, paid in ROWS]
