"""Faults an outside review of file import found, each now said or refused rather than passed
over: a roster's case column beside --case; 欠发 without 实发 (and 欠发 disagreeing with 应发 −
实发); other sheets of the same ledger; rows hidden in Excel; real workers taken for 合计 rows or
section headings, and the skipped rows missing from the plain output; a problem naming a
column the file does not have; a default date claimed for records that keep their own."""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import struct
from pathlib import Path

import pytest

from models.io.importer import commit_import, plan_import
from models.ledger.service import service_for
from models.rules.idcard import make_valid_id
from tests.test_hostile_files import write_ods

DATA = Path(__file__).parent / "data"


def _csv(path: Path, rows: list[list]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _ids(n: int) -> list[str]:
    return [make_valid_id("511921", dt.date(1990, 1, 1) + dt.timedelta(days=i), i % 900 + 1) for i in range(n)]


def _cases(store, *nos: str) -> None:
    for no in nos:
        service_for(store, "cases").insert({"case_no": no, "registered_on": "2026-11-01", "employer_name": "甲公司"})


def _workers(store) -> list[tuple]:
    return [tuple(r) for r in store.query("SELECT c.case_no, w.name, w.owed_fen, w.paid_fen FROM worker w "
                                          "JOIN case_record c ON c.id = w.case_id ORDER BY w.id")]


# -- 6. a roster's case column beside --case ---------------------------------------------------
def test_a_rosters_case_number_column_that_names_another_case_refuses_the_row(campaign_store, tmp_path):
    _cases(campaign_store, "Q-1", "Q-2")
    i = _ids(3)
    f = _csv(tmp_path / "花名册.csv", [["问题编号", "姓名", "身份证号码", "应发工资", "实发工资"],
                                    ["Q-1", "张三", i[0], "1000", "0"],
                                    ["Q-2", "李四", i[1], "1000", "0"],
                                    ["Q-099", "王五", i[2], "1000", "0"]])
    plan = plan_import(campaign_store, f, "workers", case_no="Q-1")
    j = plan.to_json()
    assert (j["rows_imported"], j["rows_rejected"]) == (1, 2)
    assert [(p["row"], p["column"]) for p in j["problems"]] == [(3, "问题编号"), (4, "问题编号")]
    assert "“Q-2”" in j["problems"][0]["message"] and "“Q-1”" in j["problems"][0]["message"]
    assert "“Q-099”" in j["problems"][1]["message"]
    assert not any("不随本表导入" in n for n in j["notes"])        # it is read, not set aside
    result = commit_import(campaign_store, plan, accept_partial=True)
    assert result["inserted"] == 1 and _workers(campaign_store) == [("Q-1", "张三", 100000, 0)]


def test_a_column_headed_only_bianhao_may_be_the_workers_own_number(campaign_store, tmp_path):
    _cases(campaign_store, "Q-1")
    i = _ids(2)
    f = _csv(tmp_path / "花名册.csv", [["编号", "姓名", "身份证号码", "应发工资"],
                                    ["1", "张三", i[0], "1000"], ["2", "李四", i[1], "1000"]])
    plan = plan_import(campaign_store, f, "workers", case_no="Q-1")
    assert plan.problems == [] and len(plan.valid) == 2


def test_a_rosters_own_case_column_no_longer_overrides_case_silently(campaign_store, tmp_path):
    _cases(campaign_store, "Q-1", "Q-2", "Q-3")
    i = _ids(3)
    f = _csv(tmp_path / "花名册.csv", [["所属问题编号", "姓名", "身份证号码", "应发工资", "实发工资"],
                                    ["Q-2", "张三", i[0], "1000", "0"],
                                    ["", "李四", i[1], "1000", "0"],          # blank: the case of --case
                                    ["Q-1", "王五", i[2], "1000", "0"]])
    plan = plan_import(campaign_store, f, "workers", case_no="Q-1")
    assert [(p.row, p.column, p.rule) for p in plan.problems] == [(2, "所属问题编号", "所属问题不符")]
    assert "不指定所属问题" in plan.problems[0].message
    assert commit_import(campaign_store, plan)["imported"] is False          # refused rows: nothing written
    commit_import(campaign_store, plan, accept_partial=True)
    assert sorted(_workers(campaign_store)) == [("Q-1", "李四", 100000, 0), ("Q-1", "王五", 100000, 0)]
    # without --case the column places each row in its own case, as before
    g = _csv(tmp_path / "花名册2.csv", [["所属问题编号", "姓名", "身份证号码", "应发工资"],
                                     ["Q-2", "赵六", _ids(4)[3], "500"], ["Q-3", "钱七", _ids(5)[4], "700"]])
    again = plan_import(campaign_store, g, "workers")
    assert not again.problems and commit_import(campaign_store, again)["inserted"] == 2
    assert ("Q-2", "赵六", 50000, 0) in _workers(campaign_store) and ("Q-3", "钱七", 70000, 0) in _workers(campaign_store)


# -- 7. 欠发 without 实发; 欠发 against 应发 − 实发 -----------------------------------------------
def test_paid_is_derived_from_owed_and_outstanding(campaign_store, tmp_path):
    _cases(campaign_store, "Q-1")
    i = _ids(6)
    f = _csv(tmp_path / "欠发.csv", [["姓名", "身份证号码", "应发工资", "欠发工资"],
                                   ["张三", i[0], "5000", "2000"],
                                   ["李四", i[1], "4000", "4000"],
                                   ["王五", i[2], "3000", "3500"],          # 欠发 above 应发
                                   ["赵六", i[3], "3000", "很多"],          # not a number
                                   ["钱七", i[4], "3000", ""]])             # blank: nothing to derive from
    plan = plan_import(campaign_store, f, "workers", case_no="Q-1")
    assert [(p.row, p.column) for p in plan.problems] == [(4, "欠发工资"), (5, "欠发工资"), (6, "欠发工资")]
    assert "大于" in plan.problems[0].message and "不是金额" in plan.problems[1].message
    assert "为空" in plan.problems[2].message
    assert any("推算实发工资" in n and "2 行" in n for n in plan.notes), plan.notes
    assert plan.derived == {"paid_fen": "D"}
    commit_import(campaign_store, plan, accept_partial=True)
    assert _workers(campaign_store) == [("Q-1", "张三", 500000, 300000), ("Q-1", "李四", 400000, 0)]
    # imported again: the same rows, unchanged
    again = plan_import(campaign_store, f, "workers", case_no="Q-1")
    assert again.counts()["unchanged"] == 2


def test_outstanding_that_disagrees_with_owed_minus_paid_refuses_the_row(campaign_store, tmp_path):
    _cases(campaign_store, "Q-1")
    i = _ids(2)
    f = _csv(tmp_path / "三列.csv", [["姓名", "身份证号码", "应发工资", "实发工资", "欠发工资"],
                                   ["王五", i[0], "5000", "1000", "2000"],
                                   ["赵六", i[1], "5000", "1000", "4000"]])
    plan = plan_import(campaign_store, f, "workers", case_no="Q-1")
    (p,) = plan.problems
    assert (p.row, p.column) == (2, "欠发工资")
    assert "应发工资" in p.message and "实发工资" in p.message and "4,000.00" in p.message
    assert plan.counts()["insert"] == 1


# -- 8. other sheets of the same ledger ----------------------------------------------------------
def _teams(path: Path) -> Path:
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("说明").write(0, 0, "本表分班组填报")
    n = 0
    for k, team in enumerate(["钢筋班", "木工班", "水电班"]):
        ws = wb.add_worksheet(team)
        ws.write_row(0, 0, ["姓名", "身份证号码", "应发工资", "实发工资"])
        for r in range(1, 4 + k):
            n += 1
            ws.write_row(r, 0, [f"{team}{r}", _ids(20)[n], 1000, 0])
    wb.close()
    return path


def test_other_sheets_with_the_same_header_are_named(campaign_store, tmp_path, capsys):
    _cases(campaign_store, "Q-1")
    f = _teams(tmp_path / "班组.xlsx")
    plan = plan_import(campaign_store, f, "workers", case_no="Q-1")
    assert plan.sheet == "钢筋班" and len(plan.rows) == 3
    assert plan.to_json()["other_sheets"] == [{"sheet": "木工班", "rows": 4, "hidden": False},
                                              {"sheet": "水电班", "rows": 5, "hidden": False}]
    (note,) = [n for n in plan.notes if "另有" in n]
    assert "“木工班”（4 行）" in note and "“水电班”（5 行）" in note and "--sheet" in note and "“工作表”框" in note
    one = plan_import(campaign_store, f, "workers", case_no="Q-1", sheet="水电班")
    assert [o["sheet"] for o in one.other_sheets] == ["钢筋班", "木工班"]
    single = _csv(tmp_path / "一张.csv", [["姓名", "身份证号码", "应发工资"], ["张三", _ids(1)[0], "1"]])
    assert plan_import(campaign_store, single, "workers", case_no="Q-1").other_sheets == []


# -- 9. rows hidden in Excel ---------------------------------------------------------------------------
def _hidden_xlsx(path: Path) -> Path:
    import xlsxwriter
    i = _ids(3)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("花名册")
    ws.write_row(0, 0, ["姓名", "身份证号码", "应发工资", "实发工资", "内部核算"])
    ws.write_row(1, 0, ["张三", i[0], 1000, 0, "x"])
    ws.write_row(2, 0, ["李四", i[1], 5000, 0])
    ws.set_row(2, None, None, {"hidden": True})
    ws.write_row(3, 0, ["王五", i[2], 2000, 0])
    ws.set_column(4, 4, None, None, {"hidden": True})           # a hidden column: no row is hidden by it
    wb.close()
    return path


def test_hidden_rows_are_named_with_what_they_add_up_to(campaign_store, tmp_path):
    _cases(campaign_store, "Q-1")
    plan = plan_import(campaign_store, _hidden_xlsx(tmp_path / "隐藏.xlsx"), "workers", case_no="Q-1")
    assert plan.to_json()["hidden_rows"] == [3] and len(plan.valid) == 3       # data: imported, and said
    (note,) = [n for n in plan.notes if "隐藏" in n and "第 3 行" in n]
    assert "5,000.00" in note and "筛选" in note


def test_a_sheet_with_nothing_hidden_is_never_walked_row_by_row(campaign_store, tmp_path, monkeypatch):
    from models.io import hidden_rows
    _cases(campaign_store, "Q-1")
    import xlsxwriter
    path = tmp_path / "平常.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("花名册")
    ws.write_row(0, 0, ["姓名", "身份证号码", "应发工资"])
    for r, i in enumerate(_ids(50), 1):
        ws.write_row(r, 0, [f"工人{r}", i, 100])
    wb.close()
    assert hidden_rows.xlsx_hidden_rows(b'<row r="2"><c><v>1</v></c></row>' * 1000) == []

    class Never:
        def match(self, *a):
            raise AssertionError("looked at a row")
    monkeypatch.setattr(hidden_rows, "_ROW_TAG", Never())
    plan = plan_import(campaign_store, path, "workers", case_no="Q-1")
    assert plan.hidden_rows == [] and len(plan.rows) == 50


def test_hidden_rows_of_xls_and_ods_files(campaign_store, tmp_path):
    # .xls: the 97-2003 ledger in tests/data, its row 5 (L2) hidden by the ROW record's fDyZero bit
    data = bytearray((DATA / "旧版台账-97格式.xls").read_bytes())
    at = data.find(b"\x08\x02\x10\x00\x04\x00")
    assert at > 0 and data.find(b"\x08\x02\x10\x00\x04\x00", at + 1) < 0
    struct.pack_into("<H", data, at + 16, struct.unpack_from("<H", data, at + 16)[0] | 0x20)
    xls = tmp_path / "旧版.xls"
    xls.write_bytes(bytes(data))
    plan = plan_import(campaign_store, xls, "cases")
    assert plan.hidden_rows == [5] and any("第 5 行在 Excel 中被隐藏" in n for n in plan.notes)
    # .ods: a row with table:visibility="collapse" (hidden) and one "filter" (filtered out)
    i = _ids(3)

    def row(cells, attrs=""):
        return f"<table:table-row{attrs}>" + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>' for c in cells) \
            + "</table:table-row>"
    body = (row(["姓名", "身份证号码", "应发工资"]) + row(["张三", i[0], "100"])
            + row(["李四", i[1], "200"], ' table:visibility="collapse"')
            + row(["王五", i[2], "300"], ' table:visibility="filter"'))
    ods = write_ods(tmp_path / "花名册.ods", body)
    _cases(campaign_store, "Q-1")
    plan = plan_import(campaign_store, ods, "workers", case_no="Q-1")
    assert len(plan.rows) == 3 and plan.hidden_rows == [3, 4]


# -- 11. real workers taken for labels; the skipped rows in the plain output ---------------------------
def test_a_row_with_a_valid_id_number_is_a_record(campaign_store, tmp_path, capsys):
    from desktop import cli
    _cases(campaign_store, "Q-1")
    i = _ids(3)
    f = _csv(tmp_path / "行.csv", [["姓名", "身份证号码", "应发工资", "实发工资"],
                                  ["欧阳小计", i[0], "1000", "0"],
                                  ["钢筋班小计", "", "1000", "0"],
                                  ["二、木工班", "", "", ""],
                                  ["（一）张三", i[1], "2000", "0"],
                                  ["共计", "", "3000", ""],
                                  ["日向", i[2], "500", "0"],
                                  ["合计", "", "99999", "0"]])
    plan = plan_import(campaign_store, f, "workers", case_no="Q-1")
    assert [r.row for r in plan.rows] == [2, 5, 7]
    assert [(s["row"], s["reason"]) for s in plan.skipped] == [(3, "合计行"), (4, "分组标题"), (6, "合计行"), (8, "合计行")]
    assert any("第 2 行（像合计行）、第 5 行（像分组标题）" in n for n in plan.notes)
    db = campaign_store.path
    campaign_store.close()
    assert cli.main(["import", str(f), "--db", str(db), "--kind", "workers", "--case", "Q-1", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "读取 3 行" in out
    assert "已跳过 4 行" in out and "第 3 行“钢筋班小计”（合计行）" in out and "第 8 行“合计”（合计行）" in out


# -- 13. messages naming the right thing ------------------------------------------------------------------
def test_a_signed_repayment_is_refused_naming_a_column_of_the_file(tmp_path):
    from models import campaign, signoff
    from models.db import Store
    s = Store(tmp_path / "镇.sqlite", "办公室")
    campaign.create_campaign(s, "2026年根治欠薪冬季专项行动", "青山县青山镇人民政府", dt.date(2026, 9, 14))
    ws = campaign.workstreams(s)[0]
    service_for(s, "cases").insert({"case_no": "S-1", "registered_on": "2026-10-08", "employer_name": "甲公司",
                                    "workstream_id": ws["id"], "amount_fen": 500_000})
    signoff.sign_off(s, ws["id"], dt.date.today().isoformat())
    f = _csv(tmp_path / "兑付.csv", [["问题编号", "兑付日期", "兑付金额"], ["S-1", "2026-11-01", "1.00"]])
    result = commit_import(s, plan_import(s, f, "repayments"))
    (p,) = result["problems"]
    assert p["rule"] == "签字" and p["column"] == "问题编号"           # not 凭证号, which the file lacks
    s.close()


def test_the_default_date_is_claimed_only_for_new_records(campaign_store, tmp_path):
    _cases(campaign_store, "Q-1", "Q-2")
    only_old = _csv(tmp_path / "状态.csv", [["编号", "用人单位"], ["Q-1", "乙公司"], ["Q-2", "乙公司"]])
    plan = plan_import(campaign_store, only_old, "cases")
    assert plan.counts()["update"] == 2
    (note,) = [n for n in plan.notes if "登记日期" in n]
    assert "今天" not in note and "保留原来的登记日期" in note
    mixed = _csv(tmp_path / "混合.csv", [["编号", "用人单位"], ["Q-1", "丙公司"], ["Q-3", "丙公司"]])
    plan = plan_import(campaign_store, mixed, "cases")
    (note,) = [n for n in plan.notes if "登记日期" in n]
    assert "新增的 1 条已按今天的日期" in note and "已有的 1 条保留原来的登记日期" in note
    commit_import(campaign_store, plan)
    assert campaign_store.scalar("SELECT registered_on FROM case_record WHERE case_no = 'Q-1'") == "2026-11-01"


# -- the window -----------------------------------------------------------------------------------------
def test_the_window_names_other_sheets_hidden_rows_and_skipped_rows(qtbot, app_font, tmp_path):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import xlsxwriter
    from models import campaign
    from models.db import Store
    from views.import_dialog import ImportDialog
    db = tmp_path / "d.sqlite"
    s = Store(db, "测试员")
    campaign.create_campaign(s, "2026年根治欠薪冬季专项行动", "青山镇人民政府", dt.date(2026, 9, 14))
    _cases(s, "Q-1")
    s.close()
    i = _ids(4)
    path = tmp_path / "班组.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("钢筋班")
    ws.write_row(0, 0, ["姓名", "身份证号码", "应发工资", "欠发工资"])
    ws.write_row(1, 0, ["张三", i[0], 5000, 2000])
    ws.write_row(2, 0, ["李四", i[1], 4000, 0])
    ws.set_row(2, None, None, {"hidden": True})
    ws.write_row(3, 0, ["合计", "", 9000, 2000])
    other = wb.add_worksheet("木工班")
    other.write_row(0, 0, ["姓名", "身份证号码", "应发工资", "欠发工资"])
    other.write_row(1, 0, ["王五", i[2], 1000, 0])
    wb.close()
    dlg = ImportDialog(None, str(db), "workers", "测试员")
    qtbot.addWidget(dlg)
    dlg.case_edit.setText("Q-1")
    dlg.set_file(str(path))
    qtbot.waitUntil(lambda: dlg.plan is not None, timeout=15000)
    text = dlg.totals_label.text()
    assert "“木工班”（1 行）" in text and "“工作表”框" in text
    assert "第 3 行在 Excel 中被隐藏" in text
    assert "第 4 行“合计”（合计行）" in text
    assert "推算实发工资" in text
    assert dlg.plan.rows[0].values["paid_fen"] == 300000
    derived = [dlg.mapping_table.item(r, 3).text() for r in range(dlg.mapping_table.rowCount())
               if dlg.mapping_table.item(r, 0).text().startswith("D 列")]
    assert derived == ["用于推算“实发工资”，本身不导入"]
    json.dumps(dlg.plan.to_json())                      # the plan, with what was added, is still JSON
