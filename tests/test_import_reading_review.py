"""Files an outside review made: date cells of years no ledger has, a CSV quote never closed, a
CSV row of a million columns. Each refused naming file, row and column, nothing written; the
ordinary shapes beside them (a note over two lines) still import."""
from __future__ import annotations

import datetime as _dt

import pytest

from models.io.importer import commit_import, plan_import
from models.io.reading import UnusableFile, open_book


def test_date_cells_of_impossible_years_are_refused_like_typed_ones(campaign_store, tmp_path):
    import xlsxwriter
    path = tmp_path / "年份.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("台账")
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["编号", "登记日期", "用人单位", "欠薪金额"])
    cells = [("Y-1", _dt.datetime(2206, 3, 5)), ("Y-2", _dt.datetime(1926, 3, 5)), ("Y-3", 5),
             ("Y-4", _dt.datetime(2026, 3, 5))]
    for r, (no, v) in enumerate(cells, 1):
        ws.write_string(r, 0, no)
        if isinstance(v, _dt.datetime):
            ws.write_datetime(r, 1, v, day)
        else:
            ws.write_number(r, 1, v, day)          # 5 in a date-formatted cell shows 1900-01-05
        ws.write_row(r, 2, ["某公司", 1000])
    wb.close()
    plan = plan_import(campaign_store, path, "cases")
    got = {p.row: p.message for p in plan.problems}
    assert set(got) == {2, 3, 4}
    assert "年份 2206 不合理" in got[2] and "年份 1926 不合理" in got[3]
    assert "年份 1900" in got[4] and "数字" in got[4]
    assert [r.values["registered_on"] for r in plan.rows if not r.problems] == ["2026-03-05"]
    assert commit_import(campaign_store, plan)["imported"] is False
    assert campaign_store.scalar("SELECT COUNT(*) FROM case_record") == 0


def test_a_csv_quote_never_closed_is_refused_naming_its_row(tmp_path):
    path = tmp_path / "引号.csv"
    path.write_text('姓名,身份证号码,应发工资,实发工资\r\n张三,1,2,3\r\n"李四,511,1000,0\r\n王五,x,1,0\r\n'
                    '赵六,y,1,0\r\n', encoding="utf-8")
    with pytest.raises(UnusableFile) as e:
        open_book(path)
    assert "第 3 行 A 列" in str(e.value) and "引号" in str(e.value) and "其后 2 行" in str(e.value)
    # closed further down, the lines between still swallowed: refused too
    path.write_text('姓名,身份证号码,应发工资,实发工资\r\n"李四,511,1000,0\r\n王五",x,1,0\r\n', encoding="utf-8")
    with pytest.raises(UnusableFile, match="第 2 行 A 列"):
        open_book(path)


def test_a_note_over_two_lines_is_still_one_cell(tmp_path):
    path = tmp_path / "备注.csv"
    path.write_text('姓名,身份证号码,应发工资,备注\r\n张三,1,2,"第一行，含逗号,\r\n第二行"\r\n李四,2,3,\r\n',
                    encoding="utf-8")
    rows = open_book(path).load("备注").rows
    assert rows[1][3] == "第一行，含逗号,\r\n第二行" and rows[2][0] == "李四"


def test_a_csv_row_wider_than_excel_is_refused_at_once(tmp_path):
    path = tmp_path / "宽.csv"
    path.write_text("姓名,应发工资\r\n张三,1\r\n" + "," * 20_000 + "\r\n", encoding="utf-8")
    with pytest.raises(UnusableFile, match="第 3 行有 20,001 列，超过 Excel 的 16,384 列上限"):
        open_book(path)
