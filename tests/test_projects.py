"""一项目一档: the deposit rates (2 %, offenders 3 %, both settings), the 40-day settlement rule,
三册相符 month by month, attendance and payroll imported from sheets headed the usual ways, the
command line, the export kinds, the printout and the demo township's projects."""
from __future__ import annotations

import datetime as _dt
import json
import random

import pytest

from models import projects as P
from models.checks import RULES
from models.ledger import registry
from models.ledger.service import service_for

TODAY = _dt.date(2026, 11, 26)
GC = "青山县恒力建设工程有限公司"
IDS = ("110101199003077774", "110101199003071233", "110101198001010010", "110101198505050016")


def _rule(store, code, today=TODAY):
    """A rule's findings, or a work warning's (the 40-day settlement is late work: a warning)."""
    from models.checks import WARNINGS
    registry.all_ledgers()
    fn = RULES[code][1] if code in RULES else WARNINGS[code][1]
    return list(fn(store, today))


def _project(store, **values) -> int:
    base = {"name": "青山镇幸福里安置小区", "owner_unit": "青山县城乡建设投资有限公司", "general_contractor": GC,
            "contract_fen": 10_000_000_00, "started_on": "2026-03-01"}
    return service_for(store, "projects", TODAY).insert({**base, **values})


def _case(store, no: str, employer: str, status: str = "化解中") -> int:
    return service_for(store, "cases", TODAY).insert(
        {"case_no": no, "registered_on": "2026-10-12", "employer_name": employer, "status": status,
         "verdict": "经核实存在欠薪" if status in ("已化解", "已移送", "不存在欠薪") else ""})


# -- 工资保证金 ------------------------------------------------------------------------------
def test_deposit_is_two_per_cent_and_short_deposits_are_found(campaign_store):
    s = campaign_store
    pid = _project(s, deposit_fen=150_000_00)
    d = P.deposit(s, pid)
    assert (d["rate_pct"], d["due_fen"], d["short_fen"], d["offender"]) == (2, 200_000_00, 50_000_00, False)
    [f] = _rule(s, "project_deposit")
    assert f.record == pid and "应存工资保证金 200,000.00 元（合同价款的 2%）" in f.message and "差 50,000.00 元" in f.message
    service_for(s, "projects", TODAY).update(pid, {"deposit_fen": 200_000_00})
    assert _rule(s, "project_deposit") == []
    # a project not yet started keeps no deposit yet; 依规免缴 keeps none
    service_for(s, "projects", TODAY).update(pid, {"deposit_fen": 0, "deposit_form": "依规免缴"})
    assert _rule(s, "project_deposit") == [] and P.deposit(s, pid)["due_fen"] == 0


def test_offenders_keep_the_higher_rate(campaign_store):
    s = campaign_store
    pid = _project(s, deposit_fen=200_000_00)
    other = _project(s, name="青山镇文化站", general_contractor="四川守信建设有限公司", deposit_fen=200_000_00)
    # a blacklisted general contractor
    bl = service_for(s, "blacklist", TODAY).insert({"employer_name": GC, "reason": "拒不支付劳动报酬",
                                                    "reported_on": "2026-06-01", "listed_on": "2026-06-20"})
    d = P.deposit(s, pid)
    assert (d["rate_pct"], d["due_fen"], d["offender"]) == (3, 300_000_00, True)
    assert d["reasons"] == ["总包单位在失信联合惩戒名单中"]
    [f] = _rule(s, "project_deposit")
    assert f.record == pid and "合同价款的 3%" in f.message and "失信或多次拖欠" in f.message
    assert P.deposit(s, other)["rate_pct"] == 2          # another contractor: the default rate
    # removed from the list: back to 2 %
    service_for(s, "blacklist", TODAY).update(bl, {"removed_on": "2026-11-20", "removal_reason": "经复核撤销列入"})
    assert P.deposit(s, pid)["rate_pct"] == 2 and _rule(s, "project_deposit") == []
    # repeated arrears: five live cases against the contractor (a case found to be no arrears does not count)
    for i in range(4):
        _case(s, f"QQ2026-{i:04d}", GC)
    _case(s, "QQ2026-0099", GC, status="不存在欠薪")
    assert P.deposit(s, pid)["offender"] is False
    _case(s, "QQ2026-0005", GC)
    d = P.deposit(s, pid)
    assert d["rate_pct"] == 3 and d["reasons"] == ["总包单位涉及欠薪问题 5 件"]
    # the rates and the number of cases are settings
    P.set_setting(s, P.REPEAT_KEY, 6)
    assert P.deposit(s, pid)["rate_pct"] == 2
    service_for(s, "projects", TODAY).update(pid, {"contractor_arrears": 1})
    P.set_setting(s, P.OFFENDER_RATE_KEY, 4.5)
    d = P.deposit(s, pid)
    assert (d["rate_pct"], d["due_fen"]) == (4.5, 450_000_00) and "总包单位经认定有拖欠工资行为" in d["reasons"]
    P.set_setting(s, P.RATE_KEY, 1.5)
    assert P.deposit(s, other)["due_fen"] == 150_000_00
    # the ledger's own columns say the same
    rows = {r["id"]: r for r in P.projects(s)}
    assert (rows[pid]["deposit_rate"], rows[pid]["deposit_due_fen"]) == ("4.5%", 450_000_00)
    assert (rows[other]["deposit_rate"], rows[other]["deposit_due_fen"]) == ("1.5%", 150_000_00)
    with pytest.raises(ValueError, match="0 至 30"):
        P.set_setting(s, P.RATE_KEY, 45)


# -- 40 日内结算 ------------------------------------------------------------------------------
def test_settlement_within_forty_days_of_completion(campaign_store):
    s = campaign_store
    pid = _project(s, deposit_fen=200_000_00, completed_on="2026-10-01")
    day40 = _dt.date(2026, 11, 10)
    assert _rule(s, "project_settlement", day40) == []             # the 40th day: still in time
    assert P.settlement(s, pid, day40)["state"] == "结算期内"
    [f] = _rule(s, "project_settlement", day40 + _dt.timedelta(days=1))
    assert f.record == pid and "应于 2026-11-10 前完成结算（40 日内），已逾期 1 天仍未结算" in f.message
    st = P.settlement(s, pid, TODAY)
    assert (st["state"], st["due"], st["overdue_days"]) == ("逾期未结算", "2026-11-10", 16)
    s.today = TODAY
    assert P.projects(s)[0]["settle_state"] == "逾期未结算"     # the ledger column, against the program's today
    P.set_setting(s, P.SETTLE_DAYS_KEY, 60)
    assert _rule(s, "project_settlement") == [] and P.settlement(s, pid, TODAY)["due"] == "2026-11-30"
    P.set_setting(s, P.SETTLE_DAYS_KEY, 40)
    service_for(s, "projects", TODAY).update(pid, {"settled_on": "2026-11-20", "settlement_fen": 10_300_000_00})
    assert _rule(s, "project_settlement") == []
    st = P.settlement(s, pid, TODAY)
    assert st["state"] == "已结算" and st["late_days"] == 10 and "超过期限 10 天" in P.settlement_text(st)
    # a settlement before completion, or without a completion, is refused
    from models.ledger.repo import ValidationError
    with pytest.raises(ValidationError, match="结算日期 2026-09-01 早于竣工验收日期"):
        service_for(s, "projects", TODAY).update(pid, {"settled_on": "2026-09-01"})
    with pytest.raises(ValidationError, match="尚未填写竣工验收日期"):
        _project(s, name="另一个项目", settled_on="2026-11-01")


# -- 三册相符 --------------------------------------------------------------------------------
def _registers(s, pid):
    roster = service_for(s, "roster", TODAY)
    att = service_for(s, "attendance", TODAY)
    pay = service_for(s, "payroll", TODAY)
    roster.insert({"project_id": pid, "name": "王强", "id_number": IDS[0], "entered_on": "2026-08-20"})
    roster.insert({"project_id": pid, "name": "李芳", "id_number": IDS[1], "entered_on": "2026-09-01"})
    roster.insert({"project_id": pid, "name": "赵军", "id_number": IDS[2], "entered_on": "2026-09-01",
                   "left_on": "2026-09-30"})
    for month in ("2026年9月", "2026-10"):
        att.insert({"project_id": pid, "month": month, "name": "王强", "days": 22})
        pay.insert({"project_id": pid, "month": month, "name": "王强", "id_number": IDS[0], "days": 22,
                    "payable_fen": 8_800_00, "paid_fen": 8_800_00})
        att.insert({"project_id": pid, "month": month, "name": "李芳", "id_number": IDS[1], "days": 20})
    pay.insert({"project_id": pid, "month": "2026/09", "name": "李芳", "id_number": IDS[1], "days": 20,
                "paid_fen": 7_000_00})
    att.insert({"project_id": pid, "month": "2026-09", "name": "赵军", "id_number": IDS[2], "days": 18})
    pay.insert({"project_id": pid, "month": "2026-09", "name": "赵军", "id_number": IDS[2], "days": 18,
                "paid_fen": 6_300_00})
    # October: 李芳 paid for 23 days after 20 worked; 赵军 paid after he left; 孙伟 paid but nowhere else
    pay.insert({"project_id": pid, "month": "2026-10", "name": "李芳", "id_number": IDS[1], "days": 23,
                "paid_fen": 8_050_00})
    pay.insert({"project_id": pid, "month": "2026-10", "name": "赵军", "id_number": IDS[2], "days": 5,
                "paid_fen": 1_750_00})
    att.insert({"project_id": pid, "month": "2026-10", "name": "赵军", "id_number": IDS[2], "days": 5})
    pay.insert({"project_id": pid, "month": "2026-10", "name": "孙伟", "id_number": IDS[3], "days": 10,
                "paid_fen": 3_500_00})
    att.insert({"project_id": pid, "month": "2026-10", "name": "周梅", "days": 6})     # worked, not paid


def test_three_registers_agree_month_by_month(campaign_store):
    s = campaign_store
    pid = _project(s, deposit_fen=200_000_00)
    _registers(s, pid)
    assert s.scalar("SELECT COUNT(DISTINCT month) FROM project_attendance") == 2      # months written as 2026-09
    sep, octo = P.compare(s, pid)
    assert sep.month == "2026-09" and sep.agrees and sep.totals()["workers"] == 3
    assert octo.month == "2026-10" and not octo.agrees
    by = {x.name: x for x in octo.lines}
    assert by["王强"].agrees                     # attendance without 身份证号码: matched by 姓名
    assert by["李芳"].problems == {"days_paid": "出勤 20 天、计薪 23 天"}
    assert by["赵军"].problems == {"roster": "该月不在花名册进退场期间"}
    assert by["孙伟"].problems == {"roster": "未列入花名册", "days_worked": "有工资发放、无考勤"}
    assert by["周梅"].problems == {"days_paid": "考勤 6 天、未列入工资发放表"}
    [f] = _rule(s, P.RULE_3)
    assert (f.table, f.record, f.label) == ("project", pid, "青山镇幸福里安置小区 2026-10")
    assert f.message.startswith("2026-10 三册不符：李芳出勤 20 天、计薪 23 天") and "孙伟未列入花名册" in f.message
    # mended: the payroll corrected, 孙伟 on the roster with his attendance, 周梅 paid, 赵军's exit date put right
    pay_id = s.scalar("SELECT id FROM project_payroll WHERE name = '李芳' AND month = '2026-10'")
    service_for(s, "payroll", TODAY).update(pay_id, {"days": 20})
    service_for(s, "roster", TODAY).insert({"project_id": pid, "name": "孙伟", "id_number": IDS[3]})
    service_for(s, "attendance", TODAY).insert({"project_id": pid, "month": "2026年10月", "name": "孙伟", "days": 10})
    service_for(s, "payroll", TODAY).insert({"project_id": pid, "month": "2026-10", "name": "周梅", "days": 6,
                                             "paid_fen": 2_100_00})
    service_for(s, "roster", TODAY).insert({"project_id": pid, "name": "周梅"})
    zid = s.scalar("SELECT id FROM project_roster WHERE name = '赵军'")
    service_for(s, "roster", TODAY).update(zid, {"left_on": "2026-10-08"})
    assert _rule(s, P.RULE_3) == [] and all(m.agrees for m in P.compare(s, pid))
    # what a file may not say: a month that is not one, more days than a month has, paid above due
    from models.ledger.repo import ValidationError
    with pytest.raises(ValidationError, match="月份“十月”无法识别"):
        service_for(s, "attendance", TODAY).insert({"project_id": pid, "month": "十月", "name": "王强", "days": 1})
    with pytest.raises(ValidationError, match="不能超过 31 天"):
        service_for(s, "attendance", TODAY).insert({"project_id": pid, "month": "2026-11", "name": "王强", "days": 40})
    with pytest.raises(ValidationError, match="超过应发工资"):
        service_for(s, "payroll", TODAY).insert({"project_id": pid, "month": "2026-11", "name": "王强",
                                                 "payable_fen": 100_00, "paid_fen": 200_00})


@pytest.mark.parametrize("text,month", [("2026-10", "2026-10"), ("2026年10月", "2026-10"), ("2026/9", "2026-09"),
                                        ("2026.09", "2026-09"), ("202609", "2026-09"), ("2026年9月份", "2026-09"),
                                        ("2026-10-01 00:00:00", "2026-10"), (_dt.date(2026, 3, 5), "2026-03"),
                                        ("十月", None), ("2026-13", None), ("", None)])
def test_months_written_any_usual_way(text, month):
    assert P.normalize_month(text) == month


# -- import from the usual sheets ---------------------------------------------------------
def _sheet(path, title, header, rows):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(["填报单位：青山县恒力建设工程有限公司项目部"])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


ATTENDANCE_SHEETS = [
    (["序号", "姓名", "身份证号码", "班组", "考勤月份", *[str(d) for d in range(1, 32)], "出勤天数"],
     lambda i, name, idn, days: [i, name, idn, "钢筋班组", "2026年10月", *(["√"] * days + [""] * (31 - days)), days]),
    (["序号", "工人姓名", "公民身份号码", "所属月份", "实际出勤天数", "备注"],
     lambda i, name, idn, days: [i, name, idn, "2026-10", days, ""]),
    (["No.", "职工姓名", "身份证号", "年月", "出勤（天）"],
     lambda i, name, idn, days: [i, name, idn, "2026/10", f"{days}"]),
]
PAYROLL_SHEETS = [
    (["序号", "姓名", "身份证号码", "发放月份", "出勤天数", "应发工资（元）", "实发工资（元）", "银行卡号", "签名"],
     lambda i, name, idn, days: [i, name, idn, "2026年10月", days, days * 350, days * 350, "", ""]),
    (["序号", "农民工姓名", "证件号码", "工资月份", "工作天数", "应发金额", "实发金额", "发放日期"],
     lambda i, name, idn, days: [i, name, idn, "2026.10", days, days * 350, days * 350, "2026-11-10"]),
    (["序号", "人员姓名", "身份证件号码", "工资所属期", "计薪天数", "应发合计", "实发合计"],
     lambda i, name, idn, days: [i, name, idn, "202610", days, f"{days * 350}.00", f"{days * 350}.00"]),
]
PEOPLE = (("王强", IDS[0], 22), ("李芳", IDS[1], 20), ("赵军", IDS[2], 18))


@pytest.mark.parametrize("n", range(3))
def test_attendance_and_payroll_import_from_sheets_headed_the_usual_ways(campaign_store, tmp_path, n):
    from models.io.importer import commit_import, plan_import
    s = campaign_store
    pid = _project(s, deposit_fen=200_000_00)
    for name, idn, _days in PEOPLE:
        service_for(s, "roster", TODAY).insert({"project_id": pid, "name": name, "id_number": idn})
    header, row = ATTENDANCE_SHEETS[n]
    a = _sheet(tmp_path / "考勤表.xlsx", "青山镇幸福里安置小区2026年10月农民工考勤表", header,
               [row(i + 1, *p) for i, p in enumerate(PEOPLE)])
    header, row = PAYROLL_SHEETS[n]
    p = _sheet(tmp_path / "工资发放表.xlsx", "青山镇幸福里安置小区2026年10月农民工工资发放表", header,
               [row(i + 1, *p) for i, p in enumerate(PEOPLE)])
    for kind, path in (("attendance", a), ("payroll", p)):
        plan = plan_import(s, path, kind, case_no="青山镇幸福里安置小区")
        assert not plan.fatal, plan.fatal
        assert not plan.problems, [str(x) for x in plan.problems]
        result = commit_import(s, plan, today=TODAY)
        assert result["imported"] is True, result
    rows = [dict(r) for r in s.query("SELECT name, id_number, month, days FROM project_attendance ORDER BY id")]
    assert rows == [{"name": n_, "id_number": i_, "month": "2026-10", "days": d_} for n_, i_, d_ in PEOPLE]
    rows = [dict(r) for r in s.query("SELECT name, month, days, payable_fen, paid_fen FROM project_payroll ORDER BY id")]
    assert rows == [{"name": n_, "month": "2026-10", "days": d_, "payable_fen": d_ * 35_000, "paid_fen": d_ * 35_000}
                    for n_, _i, d_ in PEOPLE]
    [m] = P.compare(s, pid)
    assert m.agrees and m.totals() == {"workers": 3, "days_worked": 60, "days_paid": 60, "paid_fen": 60 * 35_000}


def test_a_payroll_sheet_naming_its_project_in_a_column(campaign_store, tmp_path):
    from models.io.importer import commit_import, plan_import
    s = campaign_store
    pid = _project(s)
    other = _project(s, name="青山镇文化站")
    path = _sheet(tmp_path / "p.xlsx", "工资发放表", ["工程名称", "姓名", "月份", "实发工资"],
                  [["青山镇幸福里安置小区", "王强", "2026-10", 7000], ["青山镇文化站", "李芳", "2026-10", 6000]])
    plan = plan_import(s, path, "payroll")
    assert not plan.fatal and not plan.check_only
    assert commit_import(s, plan, today=TODAY)["imported"] is True
    assert [tuple(r) for r in s.query("SELECT project_id, name FROM project_payroll ORDER BY id")] == \
        [(pid, "王强"), (other, "李芳")]


# -- command line, export, printout -------------------------------------------------------
def _cli(capsys, *argv):
    from desktop.cli import main
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_command_line_and_exports(campaign_store, tmp_path, capsys):
    s = campaign_store
    pid = _project(s, deposit_fen=100_000_00, completed_on="2026-09-01", labor_manager="陈静",
                   wage_bank="中国农业银行青山支行", wage_account="2230 0101 0400 1234 5")
    _registers(s, pid)
    db = str(s.path)
    s.close()
    code, out, _ = _cli(capsys, "project", "list", "--db", db, "--today", TODAY.isoformat(), "--json")
    [row] = json.loads(out)["rows"]
    assert code == 0 and row["deposit_due_fen"] == 200_000_00 and row["months_disagreeing"] == ["2026-10"]
    assert row["settle_state"] == "逾期未结算"
    code, out, _ = _cli(capsys, "project", "show", "青山镇幸福里安置小区", "--db", db, "--today", TODAY.isoformat())
    assert code == 0 and "劳资专管员：陈静" in out and "2026-10 三册不符：李芳出勤 20 天、计薪 23 天" in out
    assert "工资专户：中国农业银行青山支行 22300101040012345" in out
    code, out, _ = _cli(capsys, "project", "check", "--db", db, "--today", TODAY.isoformat(), "--json")
    got = json.loads(out)
    assert code == 1 and sorted(f["rule"] for f in got["findings"]) == [
        "project_deposit", "project_settlement", "project_three_registers"]
    code, _out, err = _cli(capsys, "project", "show", "幸福", "--db", db)
    assert code == 2 and err.strip() == "没有名为“幸福”的工程项目（是否指：青山镇幸福里安置小区）"
    for suffix in (".pdf", ".docx"):
        code, out, _ = _cli(capsys, "project", "print", "青山镇幸福里安置小区", "--out", str(tmp_path / f"档案{suffix}"),
                            "--db", db, "--today", TODAY.isoformat())
        assert code == 0 and (tmp_path / f"档案{suffix}").stat().st_size > 5_000, out
    code, out, _ = _cli(capsys, "project", "settings", "--db", db, "--json")
    assert code == 0 and {r["key"]: r["value"] for r in json.loads(out)["settings"]}[P.SETTLE_DAYS_KEY] == 40
    from openpyxl import load_workbook
    for kind, word in (("projects", "青山镇幸福里安置小区"), ("attendance", "周梅"), ("payroll", "孙伟"),
                       ("roster", "赵军")):
        code, out, err = _cli(capsys, "export", kind, "--db", db, "--out", str(tmp_path / f"{kind}.xlsx"))
        assert code == 0, err
        cells = [str(c.value) for row in load_workbook(tmp_path / f"{kind}.xlsx").active.iter_rows() for c in row
                 if c.value is not None]
        assert word in cells, kind
    cells = [str(c.value) for row in load_workbook(tmp_path / "projects.xlsx").active.iter_rows() for c in row]
    assert "应存保证金（元）" in cells and "逾期未结算" in cells and "2%" in cells


def test_the_printed_file(campaign_store, tmp_path):
    import pypdfium2
    s = campaign_store
    pid = _project(s, deposit_fen=100_000_00, completed_on="2026-09-01", labor_manager="陈静")
    _registers(s, pid)
    from models.reports.project import build
    res = build(s, pid, tmp_path / "file.pdf", TODAY)
    pdf = pypdfium2.PdfDocument(str(res.path))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    for words in ("工程项目档案（一项目一档）", "青山镇幸福里安置小区", "施工总承包单位", GC, "劳资专管员",
                  "应存 200,000.00 元（合同价款的 2%）", "已逾期", "2026-10：不符", "出勤 20 天、计薪 23 天",
                  "未列入花名册", "农民工花名册（3 人）"):
        assert words in text.replace("\r\n", "").replace("\n", ""), words
    page = pdf[0].render(scale=1.3).to_pil()
    page.save(tmp_path / "page1.png")
    docx = build(s, pid, tmp_path / "file.docx", TODAY)
    from docx import Document
    body = "\n".join(p.text for p in Document(str(docx.path)).paragraphs)
    cells = [c.text for t in Document(str(docx.path)).tables for r in t.rows for c in r.cells]
    assert "工程项目档案（一项目一档）" in body and "出勤 20 天、计薪 23 天" in cells


# -- the demo township -------------------------------------------------------------------
def test_demo_projects(demo_db):
    from models.db import Store
    s = Store(demo_db, "测试")
    try:
        s.today = TODAY
        got = populate_demo(s)
        assert got["projects"] == 3 and got["workers"] >= 27 and got["attendance"] >= 81
        name, month = got["bad_month"]
        found = _rule(s, P.RULE_3)
        assert [f.label for f in found] == [f"{name} {month}"]
        assert [f.label for f in _rule(s, "project_settlement")] == [got["overdue"]]
        rates = {r["name"]: r["deposit_rate"] for r in P.projects(s) if r["name"] in got["names"]}
        assert set(rates.values()) == {"2%", "3%"}           # an offender's project and an ordinary one
        for n in got["names"]:
            pid = P.project_id(s, n)
            f = P.project_file(s, pid, TODAY)
            assert len(f["months"]) == 3 and f["record"]["labor_manager"] and f["record"]["wage_account"]
            assert f["deposit"]["short_fen"] == 0
    finally:
        s.close()


def populate_demo(store):
    from models.demo import projects as demo_projects
    return demo_projects.populate(store, random.Random(19), TODAY)


# raw damage of each project rule, as tests/test_checks_incremental.py plants every rule's
PLANTS = {
    "project_deposit": lambda s: s.execute(
        "UPDATE project SET started_on = '2026-01-05', deposit_fen = 0, deposit_form = '' "
        "WHERE id = (SELECT MIN(id) FROM project WHERE contract_fen > 0 AND deleted_at IS NULL)"),
    "project_three_registers": lambda s: s.execute(
        "INSERT INTO project_payroll(uuid, project_id, month, name, days, paid_fen) "
        "VALUES (lower(hex(randomblob(16))), (SELECT MIN(id) FROM project WHERE deleted_at IS NULL), "
        "'2026-10', '无考勤工人', 10, 350000)"),
}


def test_the_incremental_check_follows_the_project_rules(demo_db):
    """Each rule says what it reads: a change to those tables makes the incremental check run it
    again, and its result is a full run's."""
    from models import checks
    from models.checks_incremental import check, same_findings
    from models.db import Store
    s = Store(demo_db)
    try:
        s.today = TODAY
        first, done = check(s, TODAY)
        assert done["mode"] == "full"
        for code, plant in PLANTS.items():
            before = {(f.record, f.message) for f in checks.run_checks(s, TODAY).findings if f.rule == code}
            with s.tx(f"植入{code}"):
                plant(s)
            inc, done = check(s, TODAY)
            full = checks.run_checks(s, TODAY)
            assert {(f.record, f.message) for f in full.findings if f.rule == code} - before, code
            assert done["mode"] == "incremental" and same_findings(inc, full), code
    finally:
        s.close()


def test_a_project_goes_to_the_recycle_bin_and_back(campaign_store):
    s = campaign_store
    pid = _project(s, completed_on="2026-09-01")
    svc = service_for(s, "projects", TODAY)
    svc.recycle([pid], "登记重复")
    assert P.projects(s) == [] and _rule(s, "project_settlement") == []
    with pytest.raises(LookupError):
        P.project_id(s, "青山镇幸福里安置小区")
    actions = [r[0] for r in s.query("SELECT action FROM audit_log WHERE table_name = 'project' ORDER BY id")]
    assert actions == ["insert", "recycle"]
    svc.restore([pid])
    assert [r["id"] for r in P.projects(s)] == [pid] and len(_rule(s, "project_settlement")) == 1
