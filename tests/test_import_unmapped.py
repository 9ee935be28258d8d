"""Imports lose nothing and invent nothing: a column that holds data and that no field takes
is named (preview, summary, JSON); money, dates and ID numbers stop the import until the user
maps the column or leaves it out; the wordings that ledgers and rosters commonly use are
understood; rows that are incomplete but not wrong come in and are listed for completion
(待补录); rows without a key are never merged because they look alike; a file of another kind
is refused, naming the kind it looks like."""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from desktop.cli import main as cli
from models import completion
from models.io.importer import commit_import, looks_like, plan_import, summary_text
from models.io.reading import UnusableFile
from models.ledger import registry
from models.ledger.repo import LedgerRepo
from models.rules.idcard import make_valid_id

DATA = Path(__file__).parent / "data"


def _csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _ids(n: int) -> list[str]:
    return [make_valid_id("511921", dt.date(1980, 1, 1) + dt.timedelta(days=i), i % 900 + 1) for i in range(n)]


def _count(store, table: str) -> int:
    return store.scalar(f"SELECT COUNT(*) FROM {table}")


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli([*args])
    out = capsys.readouterr()
    return code, out.out, out.err


# -- columns no field takes --------------------------------------------------------------------
def test_a_text_column_left_out_is_named_and_the_rest_imports(campaign_store, tmp_path):
    f = _csv(tmp_path / "问题.csv", [["编号", "登记日期", "用人单位", "欠薪金额", "联络员", "空列"],
                                   ["A1", "2026-11-01", "甲公司", "1000", "王五", ""],
                                   ["A2", "2026-11-02", "乙公司", "2000", "", ""],
                                   ["A3", "2026-11-03", "丙公司", "3000", "赵六", ""]])
    plan = plan_import(campaign_store, f, "cases")
    j = plan.to_json()
    assert not j["fatal"]
    assert j["unmapped"] == [{"header": "联络员", "letter": "E", "cells": 2, "looks_like": "", "blocks": False,
                              "why": ""}]                      # the empty column is not data
    result = commit_import(campaign_store, plan)
    assert result["imported"] and result["inserted"] == 3
    assert "未导入的列：E 列“联络员”（2 个有内容的单元格）" in summary_text(result)


@pytest.mark.parametrize("header,cells,kind", [
    ("补发工资（元）", ["1,200.50元", "3000", "800"], "金额"),
    ("协调日期", ["2026.3.5", "2026年3月6日", "20260307"], "日期"),
    ("反映人身份证号码", _ids(3), "身份证号码"),
    ("收款账户", ["6222020148353003881", "6217998288418527393", "6230527918523363105"], "银行卡号"),
])
def test_money_dates_and_numbers_stop_the_import_until_decided(campaign_store, tmp_path, header, cells, kind):
    rows = [["编号", "登记日期", "用人单位", "欠薪金额", header]]
    rows += [[f"B{i}", "2026-11-01", f"公司{i}", "5000", c] for i, c in enumerate(cells)]
    f = _csv(tmp_path / "问题.csv", rows)
    plan = plan_import(campaign_store, f, "cases")
    assert [(u["header"], u["letter"], u["cells"], u["looks_like"]) for u in plan.blocking] == [(header, "E", 3, kind)]
    assert f"E 列“{header}”（3 个{kind}）" in plan.fatal and "--ignore" in plan.fatal
    assert commit_import(campaign_store, plan)["imported"] is False
    assert _count(campaign_store, "case_record") == 0
    left = plan_import(campaign_store, f, "cases", ignores=[header])
    assert not left.fatal and left.to_json()["ignored"] == [{"header": header, "letter": "E", "cells": 3}]
    assert commit_import(campaign_store, left)["inserted"] == 3


def test_a_money_column_mapped_by_its_chinese_label(campaign_store, tmp_path):
    f = _csv(tmp_path / "问题.csv", [["编号", "登记日期", "用人单位", "欠薪金额（万元）", "本周兑现（万元）"],
                                   ["C1", "2026-11-01", "甲公司", "1.2", "0.5"],
                                   ["C2", "2026-11-01", "乙公司", "2", "1.2万"]])
    assert plan_import(campaign_store, f, "cases").blocking[0]["looks_like"] == "金额"
    plan = plan_import(campaign_store, f, "cases", maps=["本周兑现（万元）=已支付金额"])
    j = plan.to_json()
    assert not j["fatal"] and j["unmapped"] == []
    assert [r.values["paid_fen"] for r in plan.rows] == [500000, 1200000]     # the column's 万元 understood
    assert j["totals"]["amount_fen"] == 3200000 and j["totals"]["paid_fen"] == 1700000
    by_name = plan_import(campaign_store, f, "cases", maps=["本周兑现=paid_fen"])
    assert [r.values["paid_fen"] for r in by_name.rows] == [500000, 1200000]


def test_a_column_without_a_header_is_named_by_its_letter(campaign_store, tmp_path):
    f = _csv(tmp_path / "问题.csv", [["编号", "登记日期", "用人单位", "欠薪金额"],
                                   ["D1", "2026-11-01", "甲公司", "1000", "", "350.00元"],
                                   ["D2", "2026-11-01", "乙公司", "2000", "", "420.00元"]])
    plan = plan_import(campaign_store, f, "cases")
    assert [(u["header"], u["letter"], u["looks_like"]) for u in plan.blocking] == [("（无表头）", "F", "金额")]
    assert "--ignore 'F'" in plan.fatal
    left = plan_import(campaign_store, f, "cases", ignores=["F"])
    assert not left.fatal and commit_import(campaign_store, left)["inserted"] == 2
    again = plan_import(campaign_store, f, "cases")         # the choice is remembered with the header
    assert not again.fatal and again.to_json()["ignored"] == [{"header": "（无表头）", "letter": "F", "cells": 2}]


def test_the_second_of_two_columns_for_one_field_is_not_dropped_silently(campaign_store, tmp_path):
    f = _csv(tmp_path / "问题.csv", [["编号", "登记日期", "用人单位", "欠薪金额", "拖欠金额"],
                                   ["E1", "2026-11-01", "甲公司", "1000", "1200"]])
    plan = plan_import(campaign_store, f, "cases")
    (u,) = plan.blocking
    assert (u["header"], u["looks_like"], u["why"]) == ("拖欠金额", "金额", "与 D 列同为“欠薪金额”")


def test_looks_like_reads_the_cells_not_only_the_header():
    assert looks_like("人数", [3.0, 5.0, 8.0]) == ""                    # counts are not money
    assert looks_like("备注", ["已协调", "待核实"]) == ""
    assert looks_like("情况", ["2026年5月", "2026年6月至7月"]) == "日期"  # months and periods are dates
    assert looks_like("号码", [511921198001011234.0]) == "身份证号码"     # an ID Excel stored as a number
    assert looks_like("电话", ["13812345678", "0831-2345678"]) == "电话号码"
    assert looks_like("结余", ["1,200.50元", "3万"]) == "金额"


def test_a_computed_column_is_compared_with_the_computation(campaign_store, tmp_path):
    f = _csv(tmp_path / "问题.csv", [["编号", "登记日期", "用人单位", "欠薪金额", "已支付金额", "未支付金额"],
                                   ["F1", "2026-11-01", "甲公司", "1000", "400", "600"],
                                   ["F2", "2026-11-01", "乙公司", "2000", "500", "1400"]])
    plan = plan_import(campaign_store, f, "cases")
    assert plan.to_json()["unmapped"] == [] and not plan.fatal
    assert any("1 行与文件所填不符（第 3 行）" in n for n in plan.notes), plan.notes


def test_a_rosters_case_columns_and_a_repeated_column_lose_nothing(campaign_store, tmp_path):
    """A roster exported with its case's 编号, 用人单位 and 项目名称 beside each worker: those
    describe the case and stay with it; a second column with the same text is not data lost."""
    LedgerRepo(campaign_store, registry.get("cases")).insert({"case_no": "K-1", "registered_on": "2026-11-01"})
    ids = _ids(2)
    f = _csv(tmp_path / "花名册.csv", [["所属问题编号", "用人单位", "项目名称", "姓名", "身份证号码", "身份证号", "应发工资"],
                                    ["K-1", "甲公司", "安置房", "张三", ids[0], ids[0], "3000"],
                                    ["K-1", "甲公司", "安置房", "李四", ids[1], ids[1], "4000"]])
    plan = plan_import(campaign_store, f, "workers", case_no="K-1")
    j = plan.to_json()
    assert j["unmapped"] == [] and not j["fatal"] and j["problems"] == []
    assert "F 列“身份证号”与 E 列“身份证号码”逐行相同，按 E 列导入。" in j["notes"]
    assert any(n.startswith("“用人单位”、“项目名称”列是所属问题本身的信息") for n in j["notes"])
    differs = _csv(tmp_path / "花名册2.csv", [["姓名", "身份证号码", "身份证号", "应发工资"],
                                          ["张三", ids[0], ids[1], "3000"]])
    (u,) = plan_import(campaign_store, differs, "workers", case_no="K-1").blocking
    assert (u["letter"], u["looks_like"], u["why"]) == ("C", "身份证号码", "与 B 列同为“身份证号码”")


# -- the command line --------------------------------------------------------------------------
def test_command_line_map_and_ignore(campaign_store, tmp_path, capsys):
    db = str(campaign_store.path)
    campaign_store.close()
    f = _csv(tmp_path / "问题.csv", [["编号", "登记日期", "用人单位", "欠薪金额", "实付", "协调日期"],
                                   ["G1", "2026-11-01", "甲公司", "1000", "300", "2026.11.3"],
                                   ["G2", "2026-11-02", "乙公司", "2000", "1,000.00元", "2026年11月4日"]])
    code, out, err = _run(capsys, "import", str(f), "--db", db, "--kind", "cases", "--json")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "F 列“协调日期”（2 个日期）" in err
    j = json.loads(out)
    assert j["imported"] is False and [u["header"] for u in j["unmapped"] if u["blocks"]] == ["协调日期"]
    assert j["columns"][4]["field"] == "paid_fen"                  # 实付 is a common wording for 已付
    code, out, err = _run(capsys, "import", str(f), "--db", db, "--kind", "cases", "--map", "协调日期=欠薪起始",
                          "--json")
    assert code == 2 and "没有名为“欠薪起始”的栏目" in err
    code, out, err = _run(capsys, "import", str(f), "--db", db, "--kind", "cases", "--ignore", "协调时间")
    assert code == 2 and "没有表头为“协调时间”的列" in err
    code, out, err = _run(capsys, "import", str(f), "--db", db, "--kind", "cases", "--map", "协调日期=欠薪起始日期")
    assert code == 0, err
    assert "已导入：新增 2 条" in out
    from models.db import Store
    s = Store(db, "测试员")
    assert [tuple(r) for r in s.query("SELECT period_from, paid_fen FROM case_record ORDER BY case_no")] == [
        ("2026-11-03", 30000), ("2026-11-04", 100000)]
    s.close()


def test_platform_sample_on_the_command_line(campaign_store, capsys):
    db = str(campaign_store.path)
    campaign_store.close()
    exp = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))["欠薪线索台账-平台导出.xlsx"]
    code, out, err = _run(capsys, "import", str(DATA / "欠薪线索台账-平台导出.xlsx"), "--db", db, "--kind", "cases",
                          "--ignore", "反映人身份证号码", "--ignore", "欠薪发生时间", "--json")
    assert code == 0, err
    j = json.loads(out)
    assert j["imported"] and j["rows_imported"] == exp["records"] and j["totals"]["amount_fen"] == exp["amount_fen"]
    assert {u["header"]: u["cells"] for u in j["unmapped"]} == {"反映人姓名": 120, "反映人电话": 120, "承办单位": 120}
    assert [i["header"] for i in j["ignored"]] == ["反映人身份证号码", "欠薪发生时间"]


# -- wordings of published templates ------------------------------------------------------------
ROSTER_WORDINGS = [
    ("序号", "劳动者姓名", "公民身份号码", "手机号码", "从事工种", "入场日期", "退场日期", "应发金额", "已发金额",
     "未付金额", "开户行", "工资卡号"),
    ("序号", "姓名", "身份证号", "联系电话", "工种", "进场日期", "离场日期", "应付工资", "实付工资", "尚欠工资",
     "开户银行", "银行账号"),
    ("序号", "务工人员姓名", "证件号码", "电话号码", "岗位", "进场时间", "退场时间", "应结工资", "已支付金额",
     "剩余欠款", "银行名称", "银行卡号"),
]


@pytest.mark.parametrize("head", ROSTER_WORDINGS)
def test_roster_wordings_are_understood(campaign_store, tmp_path, head):
    LedgerRepo(campaign_store, registry.get("cases")).insert({"case_no": "C-1", "registered_on": "2026-11-01"})
    ids = _ids(2)
    f = _csv(tmp_path / "花名册.csv", [list(head),
                                    [1, "张三", ids[0], "13812345678", "木工", "2026.3.5", "2026年10月5日", "12000",
                                     "5000", "7000", "农业银行青山支行", "6228480018523363105"],
                                    [2, "李四", ids[1], "13912345678", "钢筋工", "20260306", "2026-10-06", "1.2万",
                                     "0", "12000", "建设银行", "6217998288418527393"]])
    plan = plan_import(campaign_store, f, "workers", case_no="C-1")
    j = plan.to_json()
    fields = {c["column"]: c["field"] for c in j["columns"]}
    assert list(fields.values()) == ["", "name", "id_number", "phone", "trade", "entered_on", "left_on", "owed_fen",
                                     "paid_fen", "", "bank_name", "bank_card"], fields
    assert j["unmapped"] == [] and not j["fatal"] and j["problems"] == []
    assert [(r.values["entered_on"], r.values["left_on"]) for r in plan.rows] == [
        ("2026-03-05", "2026-10-05"), ("2026-03-06", "2026-10-06")]
    assert j["totals"]["amount_fen"] == 2400000 and j["totals"]["paid_fen"] == 500000
    assert any("计算" in n and "一致" in n for n in j["notes"])      # 未付 checked against 应发 − 实发


CASE_WORDINGS = [
    ("案件编号", "受理日期", "欠薪单位名称", "工程名称", "涉及劳动者人数", "涉及欠薪金额", "已清偿金额", "剩余欠款",
     "包案领导", "办理状态"),
    ("线索编号", "交办日期", "被投诉单位", "项目名称", "欠薪人数", "拖欠金额", "已兑付", "未兑付金额", "责任人",
     "处理状态"),
    ("问题编号", "登记日期", "施工单位", "所在项目", "拖欠人数", "欠薪总额", "实付金额", "尚欠金额", "包案人",
     "办结情况"),
]


@pytest.mark.parametrize("head", CASE_WORDINGS)
def test_case_ledger_wordings_are_understood(campaign_store, tmp_path, head):
    f = _csv(tmp_path / "台账.csv", [list(head),
                                   ["H1", "2026-11-01", "甲公司", "安置房", "3", "1,200.50元", "200.50", "1000",
                                    "王某", "化解中"]])
    j = plan_import(campaign_store, f, "cases").to_json()
    assert [c["field"] for c in j["columns"]] == ["case_no", "registered_on", "employer_name", "project_name",
                                                  "workers_count", "amount_fen", "paid_fen", "", "owner_person",
                                                  "status"]
    assert j["columns"][7]["how"] == "计算列" and j["unmapped"] == [] and j["problems"] == []
    assert j["totals"]["amount_fen"] == 120050 and j["totals"]["paid_fen"] == 20050


# -- 待补录 -------------------------------------------------------------------------------------------
def _old_ledger(path: Path) -> Path:
    """An older township ledger: cases closed before 核处结论 was asked for, 万元, a title line."""
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("2025年台账")
    ws.write_row(0, 0, ["青山镇2025年欠薪问题台账"])
    ws.write_row(1, 0, ["填报单位：青山镇人民政府", "", "", "单位：万元"])
    ws.write_row(2, 0, ["编号", "登记日期", "用人单位", "涉及人数", "拖欠金额", "已支付金额", "办理状态", "核处结论"])
    rows = [["L2025-01", "2025-01-06", "甲建筑公司", 12, 3.5, 3.5, "已化解", ""],
            ["L2025-02", "2025-02-10", "乙劳务公司", 3, 0.25, 0.25, "已化解", "经核实存在欠薪，已支付完毕"],
            ["L2025-03", "2025-03-15", "丙装饰公司", 7, 1.25, 0, "不存在欠薪", ""],
            ["L2025-04", "2025-04-01", "丁物业公司", 2, 0.4, 0.1, "化解中", ""],
            ["L2025-05", "2025-05-20", "戊建工公司", 5, 0.8, 0.9, "已化解", ""]]     # paid above owed: wrong
    for i, r in enumerate(rows, 3):
        for j, v in enumerate(r):
            (ws.write_string if isinstance(v, str) else ws.write_number)(i, j, v)
    wb.close()
    return path


def test_old_ledger_closed_cases_without_verdict_come_in_as_to_be_completed(campaign_store, tmp_path, capsys):
    f = _old_ledger(tmp_path / "旧台账.xlsx")
    plan = plan_import(campaign_store, f, "cases")
    j = plan.to_json()
    assert [(p["row"], p["column"]) for p in j["problems"]] == [(8, "已支付金额")]       # wrong data is refused
    assert [(g["row"], g["field"]) for g in j["incomplete"]] == [(4, "verdict"), (6, "verdict")]
    assert "核处结论" in j["incomplete"][0]["message"]
    result = commit_import(campaign_store, plan, accept_partial=True)
    assert result["imported"] and result["inserted"] == 4
    assert "待补录 核处结论 2 条" in summary_text(result)
    gaps = completion.list_incomplete(campaign_store)
    assert [(g.label, g.field_label) for g in gaps] == [("L2025-01", "核处结论"), ("L2025-03", "核处结论")]
    assert completion.summary(gaps) == "待补录 2 条（核处结论 2 条）"
    # a clerk who closes a case in the form is still asked for the verdict
    assert ("verdict", "状态为“已化解”的问题须填写核处结论") in registry.get("cases").validate(
        {"case_no": "X", "registered_on": "2026-11-01", "status": "已化解", "verdict": ""})
    # once completed, the record leaves the list
    campaign_store.execute("UPDATE case_record SET verdict = '经核实存在欠薪，已支付完毕' WHERE case_no = 'L2025-01'")
    assert [g.label for g in completion.list_incomplete(campaign_store)] == ["L2025-03"]


def test_old_ledger_on_the_command_line_lists_what_to_complete(campaign_store, tmp_path, capsys):
    db = str(campaign_store.path)
    campaign_store.close()
    f = _old_ledger(tmp_path / "旧台账.xlsx")
    code, out, err = _run(capsys, "import", str(f), "--db", db, "--kind", "cases", "--accept-partial")
    assert code == 1                                   # one row refused (paid above owed)
    assert "待补录 2 行" in out and "第 4 行〔核处结论〕" in out and "第 6 行〔核处结论〕" in out


# -- rows without a key ---------------------------------------------------------------------------
@pytest.mark.parametrize("threshold", [10 ** 9, 0], ids=["row-by-row", "set-based"])
def test_identical_genuine_repayments_stay_two_and_a_second_import_adds_nothing(campaign_store, tmp_path,
                                                                                 monkeypatch, threshold):
    from models.io import importer
    monkeypatch.setattr(importer, "BULK_THRESHOLD", threshold)
    LedgerRepo(campaign_store, registry.get("cases")).insert({"case_no": "R-1", "registered_on": "2026-11-01",
                                                             "amount_fen": 10_000_00})
    head = ["问题编号", "兑付日期", "兑付金额", "支付主体"]
    pay = ["R-1", "2026-11-20", "1500", "总包单位"]
    f = _csv(tmp_path / "兑付.csv", [head, pay, pay, ["R-1", "2026-11-21", "800", "建设单位"]])
    first = commit_import(campaign_store, plan_import(campaign_store, f, "repayments"))
    assert first["inserted"] == 3
    assert campaign_store.scalar("SELECT SUM(amount_fen) FROM repayment") == 380000
    again = commit_import(campaign_store, plan_import(campaign_store, f, "repayments"))
    assert (again["inserted"], again["unchanged"]) == (0, 3)
    # the running ledger a week later: the same rows and a third identical payment
    grown = _csv(tmp_path / "兑付2.csv", [head, pay, pay, ["R-1", "2026-11-21", "800", "建设单位"], pay])
    later = commit_import(campaign_store, plan_import(campaign_store, grown, "repayments"))
    assert (later["inserted"], later["unchanged"]) == (1, 3)
    assert campaign_store.scalar("SELECT COUNT(*) FROM repayment WHERE amount_fen = 150000") == 3
    assert campaign_store.scalar("SELECT paid_fen FROM case_record WHERE case_no = 'R-1'") == 530000


# -- a file of another kind --------------------------------------------------------------------------
@pytest.mark.parametrize("file,kind,looks", [
    ("工资花名册-安置房二期.xlsx", "cases", "workers"),
    ("信访台账.csv", "workers", "petitions"),
    ("欠薪线索台账-平台导出.xlsx", "repayments", "cases"),
    ("工资花名册-安置房二期.xlsx", "petitions", "workers"),
    ("信访台账.csv", "cases", "petitions"),
])
def test_a_file_of_another_kind_is_refused_naming_it(campaign_store, file, kind, looks):
    LedgerRepo(campaign_store, registry.get("cases")).insert({"case_no": "C-1", "registered_on": "2026-11-01"})
    with pytest.raises(UnusableFile) as info:
        plan_import(campaign_store, DATA / file, kind, case_no="C-1" if kind == "workers" else None)
    title = registry.get(looks).title
    assert f"看起来是{title}，请用 --kind {looks} 导入" in str(info.value)


def test_a_kind_refused_on_the_command_line_in_one_line(campaign_store, capsys):
    db = str(campaign_store.path)
    campaign_store.close()
    code, out, err = _run(capsys, "import", str(DATA / "工资花名册-安置房二期.xlsx"), "--db", db, "--kind", "cases")
    assert code == 2 and err.strip() == ("文件“工资花名册-安置房二期.xlsx”看起来是农民工工资支付台账，请用 --kind workers "
                                         "导入（窗口中在“台账类型”里选“农民工工资支付台账”）。")
