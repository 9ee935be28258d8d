"""Shapes of real rosters that used to import a wrong amount without a word: a money cell merged
over several workers, error values and formulas never calculated, totals rows labelled in the
name column, a blank column with a default that made a second import count a payment twice,
commas in the wrong place, dates with something after them."""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from models import values as V
from models.io import blank_cells
from models.io import cells as C
from models.io.importer import commit_import, plan_import
from models.rules.idcard import make_valid_id

from tests.test_import import add_case, counts, xlsx

HEAD = ["序号", "姓名", "身份证号码", "应发工资", "实发工资"]


def ids(n: int) -> list[str]:
    return [make_valid_id("511921", dt.date(1980, 1, 1) + dt.timedelta(days=i), i + 1) for i in range(n)]


def owed(store) -> tuple[int, int]:
    return store.scalar("SELECT COUNT(*) FROM worker"), store.scalar("SELECT COALESCE(SUM(owed_fen), 0) FROM worker")


# -- merged cells ------------------------------------------------------------------------
def test_an_amount_merged_over_two_workers_refuses_both_rows(campaign_store, tmp_path):
    add_case(campaign_store, "C-1")
    i = ids(3)
    path = xlsx(tmp_path / "m.xlsx", [HEAD] + [[k + 1, f"工人{k}", i[k], None, 0] for k in range(3)],
                merges=[(1, 3, 2, 3, 5000)], text_cols={2})
    from openpyxl import load_workbook          # (xlsxwriter leaves the third row's amount blank)
    wb = load_workbook(path)
    wb.active["D4"] = 200
    wb.save(path)
    plan = plan_import(campaign_store, path, "workers", case_no="C-1")
    refused = {p.row: p for p in plan.problems}
    assert set(refused) == {2, 3}
    assert refused[2].column == "应发工资" and refused[2].rule == "合并单元格" and "第 2–3 行" in refused[2].message
    before = counts(campaign_store)
    assert commit_import(campaign_store, plan)["imported"] is False and counts(campaign_store) == before
    done = commit_import(campaign_store, plan_import(campaign_store, path, "workers", case_no="C-1"),
                         accept_partial=True)
    assert done["inserted"] == 1 and owed(campaign_store) == (1, 20000)


def test_text_merged_down_still_fills_every_row_and_one_record_keeps_its_amount(campaign_store, tmp_path):
    add_case(campaign_store, "C-1")
    i = ids(2)
    rows = [HEAD + ["工种"], [1, "甲", i[0], 100, 0, None], [2, "乙", i[1], None, 0, None], [None] * 6]
    # the trade merged over both workers; the second worker's amount merged with a blank row below
    path = xlsx(tmp_path / "t.xlsx", rows, merges=[(1, 5, 2, 5, "钢筋工"), (2, 3, 3, 3, 300)], text_cols={2})
    plan = plan_import(campaign_store, path, "workers", case_no="C-1")
    assert not plan.problems
    assert [r.values["trade"] for r in plan.rows] == ["钢筋工", "钢筋工"]
    assert [r.values["owed_fen"] for r in plan.rows] == [10000, 30000]


# -- cells the reader gives as blank ------------------------------------------------------
def _sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_error_values_and_uncalculated_formulas_refuse_their_rows(campaign_store, tmp_path):
    import openpyxl
    import xlsxwriter
    add_case(campaign_store, "C-1")
    i = ids(4)
    a = tmp_path / "errors.xlsx"
    wb = xlsxwriter.Workbook(str(a))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, HEAD)
    ws.write_row(1, 0, [1, "甲"]); ws.write_string(1, 2, i[0]); ws.write_formula(1, 3, "=#REF!*2", None, "#REF!")
    ws.write_row(2, 0, [2, "乙"]); ws.write_formula(2, 2, "=#N/A", None, "#N/A"); ws.write(2, 3, 100)
    ws.write_row(3, 0, [3, "丙"]); ws.write_string(3, 2, i[2]); ws.write_formula(3, 3, "=10*10", None, 100)
    ws.write_row(4, 0, [4, "丁"]); ws.write_string(4, 2, i[3]); ws.write(4, 3, 50)
    wb.close()
    plan = plan_import(campaign_store, a, "workers", case_no="C-1")
    got = {(p.row, p.column): p.message for p in plan.problems}
    assert got == {(2, "应发工资"): "应发工资单元格是错误值“#REF!”，请在表格中改正后再导入",
                   (3, "身份证号码"): "身份证号码单元格是错误值“#N/A”，请在表格中改正后再导入"}
    assert [r.values.get("owed_fen") for r in plan.rows if not r.problems] == [10000, 5000]

    b = tmp_path / "uncalculated.xlsx"          # openpyxl saves formulas without their results
    wb2 = openpyxl.Workbook()
    wb2.active.append(HEAD + ["天数"])
    wb2.active.append([1, "戊", i[0], "=F2*300", 0, 20])
    wb2.save(b)
    plan = plan_import(campaign_store, b, "workers", case_no="C-1", ignores=("天数",))
    [p] = plan.problems
    assert (p.row, p.column, p.rule) == (2, "应发工资", "无法读取") and "未保存计算结果的公式" in p.message
    before = counts(campaign_store)
    assert commit_import(campaign_store, plan)["imported"] is False and counts(campaign_store) == before


def test_blank_causes_read_any_cell_form():
    xml = (b'<worksheet><sheetData><row r="2"><c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
           b"<c r='B2' t='e'><v>#N/A</v></c><c r=\"C2\"><f t=\"shared\" si=\"0\"/></c>"
           b'<c r="D2" t="str"><f>""</f><v></v></c><c r="E2"><f>1+1</f><v>2</v></c>'
           b'<x:c r="AA10"><x:f>A1</x:f></x:c><c t="e"><v>#REF!</v></c></row></sheetData></worksheet>')
    causes, unplaced = blank_cells.causes_in(xml)
    assert causes == {(1, 0): "错误值“#DIV/0!”", (1, 1): "错误值“#N/A”", (1, 2): "未保存计算结果的公式",
                      (9, 26): "未保存计算结果的公式"}
    assert unplaced == 1
    assert blank_cells.causes_in(b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
                                 b"</worksheet>") == ({}, 0)


def test_a_clean_roster_never_reads_its_sheet_again(campaign_store, tmp_path, monkeypatch):
    add_case(campaign_store, "C-1")
    i = ids(2)
    path = xlsx(tmp_path / "ok.xlsx", [HEAD, [1, "甲", i[0], 100, 0], [2, "乙", i[1], 200, 0]], text_cols={2})
    monkeypatch.setattr(blank_cells, "causes_in", lambda xml: pytest.fail("read again"))
    assert not plan_import(campaign_store, path, "workers", case_no="C-1").problems


# -- rows that are not workers -------------------------------------------------------------
@pytest.mark.parametrize("label", ["本页合计", "总合计", "以上合计", "第1页合计", "钢筋班小计", "全部合计", "本表合计",
                                   "汇总", "共 3 人", "合计：", "合计 12 名"])
def test_totals_rows_labelled_in_the_name_column_are_skipped(label):
    assert C.row_kind([None, label, None, 200.0, 0.0], [1, 2, 3, 4], set()) == "合计行"


@pytest.mark.parametrize("label", ["二、钢筋班", "（三）木工班", "(3)水电班", "十一、杂工"])
def test_section_headings_are_skipped(label):
    assert C.row_kind([None, label, None, None], [1, 2, 3], set()) == "分组标题"


@pytest.mark.parametrize("name", ["王小计", "张总计", "李合计名", "三七", "欧阳娜娜"])
def test_names_are_not_taken_for_labels(name):
    assert C.row_kind([None, name, None, 200.0], [1, 2, 3], set()) is None


def test_a_page_total_in_the_name_column_is_not_imported(campaign_store, tmp_path):
    add_case(campaign_store, "C-1")
    i = ids(2)
    path = xlsx(tmp_path / "p.xlsx", [HEAD, ["一、钢筋班", None, None, None, None], [1, "甲", i[0], 100, 0],
                                      [2, "乙", i[1], 100, 0], [None, "本页合计", None, 200, 0]], text_cols={2})
    result = commit_import(campaign_store, plan_import(campaign_store, path, "workers", case_no="C-1"))
    assert result["imported"] and owed(campaign_store) == (2, 20000)
    assert [(s["row"], s["reason"]) for s in result["skipped"]] == [(2, "分组标题"), (5, "合计行")]


# -- imported twice ----------------------------------------------------------------------
def test_a_blank_channel_column_does_not_count_a_payment_twice(campaign_store, tmp_path):
    add_case(campaign_store, "R-1")
    path = tmp_path / "pay.csv"
    path.write_text("问题编号,兑付日期,兑付金额,兑付渠道\nR-1,2026-11-10,1000,\n", encoding="utf-8")
    assert commit_import(campaign_store, plan_import(campaign_store, path, "repayments"))["inserted"] == 1
    again = commit_import(campaign_store, plan_import(campaign_store, path, "repayments"))
    assert (again["inserted"], again["unchanged"]) == (0, 1)
    assert campaign_store.scalar("SELECT COUNT(*) FROM repayment") == 1
    assert campaign_store.scalar("SELECT channel FROM repayment") == "企业自行支付"
    assert campaign_store.scalar("SELECT paid_fen FROM case_record WHERE case_no = 'R-1'") == 100000


def test_a_blank_source_column_leaves_the_case_unchanged_on_a_second_import(campaign_store, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("编号,登记日期,线索来源,欠薪单位,拖欠金额\nQ-1,2026-10-01,,某公司,1000\n", encoding="utf-8")
    commit_import(campaign_store, plan_import(campaign_store, path, "cases"))
    again = commit_import(campaign_store, plan_import(campaign_store, path, "cases"))
    assert (again["updated"], again["unchanged"]) == (0, 1)
    assert campaign_store.scalar("SELECT source FROM case_record WHERE case_no = 'Q-1'") == "其他"


def test_a_file_without_the_column_leaves_a_typed_value_alone(campaign_store, tmp_path):
    add_case(campaign_store, "R-1")
    path = tmp_path / "pay.csv"
    path.write_text("问题编号,兑付日期,兑付金额,兑付渠道\nR-1,2026-11-10,1000,工资保证金\n", encoding="utf-8")
    commit_import(campaign_store, plan_import(campaign_store, path, "repayments"))
    bare = tmp_path / "bare.csv"
    bare.write_text("问题编号,兑付日期,兑付金额\nR-1,2026-11-10,1000\n", encoding="utf-8")
    plan = plan_import(campaign_store, bare, "repayments")
    assert "channel" not in plan.rows[0].values
    commit_import(campaign_store, plan)
    assert campaign_store.scalar("SELECT GROUP_CONCAT(channel) FROM repayment") == "工资保证金"


# -- values ------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [20260301, 20260301.0, "20260301", "2026-3-1号", "2026-03-01 08:30", "2026-03-01T08:30:00",
                                 "2026 年 3 月 1 日", "2026-3-1（周日）", "2026.3.1"])
def test_dates_in_their_usual_forms(raw):
    assert V.parse_date(raw) == "2026-03-01"


@pytest.mark.parametrize("raw", ["2026-03-011", "2026/3/1-2026/4/1", "2026年3月1日前", "2026-3-1至3-5", 12345678,
                                 20261301])
def test_a_date_with_more_after_it_is_refused(raw):
    with pytest.raises(V.ValueProblem):
        V.parse_date(raw)


@pytest.mark.parametrize("raw, fen", [("1,234.56", 123456), ("12,345,678", 1234567800), ("￥1,234.5元", 123450),
                                      ("1,234万", 1234000000), ("-1,000", -100000), ("100元整", 10000),
                                      ("1.2E+4", 1200000), ("3,000元整", 300000)])
def test_amounts_with_thousands_separators(raw, fen):
    assert V.parse_money(raw) == fen


@pytest.mark.parametrize("raw", ["12,34", "1.234,56", "1,234,5", ",123", "1,,234", "12345,678"])
def test_a_comma_out_of_place_is_refused_not_dropped(raw):
    with pytest.raises(V.ValueProblem, match="逗号"):
        V.parse_money(raw)


def test_a_huge_amount_is_named_as_the_cell_shows_it(campaign_store):
    from models.ledger import registry
    parse = C.column_parser(registry.get("workers").field("owed_fen"), "元")
    with pytest.raises(V.ValueProblem) as err:
        parse(1e20)
    assert "100000000000000000000" in str(err.value) and "10000000000000000000000" not in str(err.value)


def test_a_worker_without_id_number_who_was_paid_since_is_the_same_person(campaign_store, tmp_path):
    add_case(campaign_store, "C-1")

    def roster(name, rows):
        return xlsx(tmp_path / name, [HEAD] + rows)
    first = roster("a.xlsx", [[1, "刘洋", None, 100, 0], [2, "张伟", None, 100, 0], [3, "张伟", None, 200, 0]])
    assert commit_import(campaign_store, plan_import(campaign_store, first, "workers", case_no="C-1"))["inserted"] == 3
    paid = roster("b.xlsx", [[1, "刘洋", None, 100, 100], [2, "张伟", None, 100, 50], [3, "张伟", None, 200, 0]])
    result = commit_import(campaign_store, plan_import(campaign_store, paid, "workers", case_no="C-1"))
    # 刘洋 is the one stored 刘洋 without ID number: updated; of two 张伟 nobody can say which was
    # paid, so the changed row stays a new record, as before
    assert (result["updated"], result["unchanged"], result["inserted"]) == (1, 1, 1)
    got = campaign_store.query("SELECT name, owed_fen, paid_fen FROM worker WHERE name = '刘洋'")
    assert [tuple(r) for r in got] == [("刘洋", 10000, 10000)]


def test_a_worker_with_id_number_is_never_taken_by_name(campaign_store, tmp_path):
    add_case(campaign_store, "C-1")
    i = ids(1)
    commit_import(campaign_store, plan_import(campaign_store, xlsx(tmp_path / "a.xlsx", [HEAD, [1, "刘洋", i[0], 100, 0]],
                                                                   text_cols={2}), "workers", case_no="C-1"))
    again = commit_import(campaign_store, plan_import(campaign_store, xlsx(tmp_path / "b.xlsx", [HEAD, [1, "刘洋", None, 300, 0]]),
                                                      "workers", case_no="C-1"))
    assert again["inserted"] == 1
    assert campaign_store.scalar("SELECT id_number FROM worker WHERE owed_fen = 10000") == i[0]


def test_amounts_finer_than_a_fen_are_rounded_with_a_note(campaign_store, tmp_path):
    add_case(campaign_store, "C-1")
    i = ids(3)
    path = xlsx(tmp_path / "r.xlsx", [HEAD, [1, "甲", i[0], 1234.567, 0], [2, "乙", i[1], "3333.3333", 0],
                                      [3, "丙", i[2], 100.5, 0]], text_cols={2})
    plan = plan_import(campaign_store, path, "workers", case_no="C-1")
    assert [r.values["owed_fen"] for r in plan.rows] == [123457, 333333, 10050]
    [note] = [n for n in plan.notes if "四舍五入" in n]
    assert "“应发工资”有 2 个金额" in note and "第 2 行“1234.567”" in note


def test_below_fen_by_column():
    from models.io.columns import below_fen
    raws = [1.5, 1.005, "2.50", "2.501", "１.２３４", None, "", 3, float("nan")]
    assert below_fen(raws, 100) == [1, 3, 4]
    assert below_fen([1.234567, 1.2345678], 1_000_000) == [1]
    assert below_fen([0.1 + 0.2] * 3000 + [1.001], 100) == [3000]


@pytest.mark.parametrize("written, status", [("办理中", "化解中"), ("处理中", "化解中"), ("已解决", "已化解"),
                                             ("已兑付", "已化解"), ("已移交", "已移送"), ("不属实", "不存在欠薪"),
                                             ("待查", "待核实"), ("化解中", "化解中")])
def test_statuses_in_other_words(written, status):
    from models.ledger import registry
    assert C.column_parser(registry.get("cases").field("status"))(written) == status


def test_a_status_that_may_mean_several_is_refused():
    from models.ledger import registry
    with pytest.raises(V.ValueProblem, match="不在可选项中"):
        C.column_parser(registry.get("cases").field("status"))("已办结")


@pytest.mark.parametrize("raw, n", [("1,200", 1200), ("1,200人", 1200), ("35 人", 35), (12.0, 12)])
def test_counts(raw, n):
    assert V.parse_int(raw) == n


@pytest.mark.parametrize("raw", ["12,00", "1,2", "1,200.5"])
def test_a_count_with_a_comma_out_of_place_is_refused(raw):
    with pytest.raises(V.ValueProblem):
        V.parse_int(raw)


def test_an_area_reads_with_thousands_separators():
    from models.ledger import registry
    f = next(f for led in registry.all_ledgers() for f in led.fields if f.kind == "area")
    assert f.format(186000) == "186,000" and f.parse("186,000") == 186000
