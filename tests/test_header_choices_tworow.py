"""A roster's two-row header: 序号 / 姓名 / 身份证号码 merged down over both rows, 应发工资 merged
across 基本工资 / 加班工资 / 小计. The second row is header, not data; the group's total (小计,
合计, 金额) is the 应发工资 and its parts are named as columns left out; without a total no part
is taken for the whole: the import stops and says so."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from models.io.importer import commit_import, plan_import, summary_text
from models.ledger.service import service_for
from models.rules.idcard import make_valid_id

NAMES = ["张三", "李四", "王五"]


def _ids(n: int) -> list[str]:
    return [make_valid_id("511921", dt.date(1980, 1, 1) + dt.timedelta(days=i), i % 900 + 1) for i in range(n)]


def _roster(path: Path, parts: list[str], values: list[int]) -> Path:
    """序号 | 姓名 | 身份证号码 | 应发工资 (over ``parts``) | 实发工资, two header rows."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for c, t in enumerate(["序号", "姓名", "身份证号码"]):
        ws.merge_range(0, c, 1, c, t)
    last = 3 + len(parts) - 1
    ws.merge_range(0, 3, 0, last, "应发工资")
    ws.write_row(1, 3, parts)
    ws.merge_range(0, last + 1, 1, last + 1, "实发工资")
    for i, (name, id_) in enumerate(zip(NAMES, _ids(len(NAMES)))):
        ws.write_row(2 + i, 0, [i + 1, name, id_, *values, 1000])
    wb.close()
    return path


@pytest.fixture
def case(campaign_store):
    service_for(campaign_store, "cases").insert({"case_no": "C-1", "registered_on": "2026-11-01"})
    return campaign_store


@pytest.mark.parametrize("total", ["小计", "合计", "金额", "应发合计"])
def test_the_groups_total_is_the_amount_owed_and_its_parts_are_noted(case, tmp_path, total):
    f = _roster(tmp_path / "花名册.xlsx", ["基本工资", "加班工资", total], [3000, 500, 3500])
    plan = plan_import(case, f, "workers", case_no="C-1")
    j = plan.to_json()
    assert j["header_rows"] == [1, 2] and not j["fatal"] and j["problems"] == []
    assert {c.letter: c.field for c in plan.header.columns if c.field} == {
        "B": "name", "C": "id_number", "F": "owed_fen", "G": "paid_fen"}
    assert [(u["letter"], u["header"], u["blocks"]) for u in j["unmapped"]] == [
        ("D", "应发工资/基本工资", False), ("E", "应发工资/加班工资", False)]
    assert all("F 列" in u["why"] and "分项" in u["why"] for u in j["unmapped"])
    result = commit_import(case, plan)
    assert result["imported"] and result["inserted"] == 3
    assert [r[0] for r in case.query("SELECT owed_fen FROM worker ORDER BY id")] == [350000] * 3
    assert "未导入的列：D 列“应发工资/基本工资”" in summary_text(result)


def test_without_a_total_no_part_is_taken_for_the_whole(case, tmp_path):
    f = _roster(tmp_path / "花名册.xlsx", ["基本工资", "加班工资"], [3000, 3500])
    plan = plan_import(case, f, "workers", case_no="C-1")
    assert plan.header.height == 2 and plan.header.data_start == 2
    assert not any(c.field == "owed_fen" for c in plan.header.columns)
    assert [(u["letter"], u["blocks"]) for u in plan.blocking] == [("D", True), ("E", True)]
    assert "D 列“基本工资”、E 列“加班工资”" in plan.fatal and "没有它的小计或合计列" in plan.fatal
    assert all(p["row"] > 2 for p in plan.to_json()["problems"])    # the second header row is no data row
    assert commit_import(case, plan)["imported"] is False
    # the user says which column is the whole and leaves the other out
    plan = plan_import(case, f, "workers", case_no="C-1", maps=["E=应发工资"], ignores=["D"])
    assert not plan.fatal
    commit_import(case, plan)
    assert [r[0] for r in case.query("SELECT owed_fen FROM worker ORDER BY id")] == [350000] * 3


def test_a_two_row_header_without_merge_information(case, tmp_path):
    """The same layout as a csv: the blank upper cells continue 应发工资 over its parts."""
    f = tmp_path / "花名册.csv"
    with open(f, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["序号", "姓名", "身份证号码", "应发工资", "", "", "实发工资"],
                                  ["", "", "", "基本工资", "加班工资", "小计", ""]]
                                 + [[i + 1, n, id_, 3000, 500, 3500, 1000]
                                    for i, (n, id_) in enumerate(zip(NAMES, _ids(3)))])
    plan = plan_import(case, f, "workers", case_no="C-1")
    assert plan.header.height == 2 and not plan.fatal, plan.fatal
    assert {c.letter: c.field for c in plan.header.columns}["F"] == "owed_fen"
    assert plan.blocking == []
