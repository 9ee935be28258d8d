"""``qingqian holidays``: the file a clerk types from the State Council notice, in the ways it is
written (the notice's sentences, one span a line, CSV / spreadsheet columns, dates written
several ways), what it refuses (one Chinese line naming the line), and the deadlines it moves."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import DATA
from desktop.cli import main
from models import holiday_import as H
from models.db import Store

D = dt.date


def run(capsys, *argv):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:                  # argparse's own refusals
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _days(p: H.Parsed):
    return sorted(p.schedule.holidays), sorted(p.schedule.workdays)


def test_the_notice_as_published_is_read_with_its_remarks_and_prose():
    p = H.read_schedule(DATA / "holidays-2027-notice.txt")
    hol, work = _days(p)
    assert p.year == 2027                          # from the notice's title
    assert work == [D(2027, 2, 20), D(2027, 4, 25), D(2027, 9, 26), D(2027, 10, 9)]
    assert D(2027, 1, 1) in hol and D(2027, 1, 3) in hol and D(2027, 2, 13) in hol and D(2027, 6, 9) in hol
    assert len(hol) == 3 + 9 + 3 + 5 + 1 + 7
    assert p.schedule.names[D(2027, 2, 5)] == "春节" and p.schedule.names[D(2027, 10, 9)] == "国庆节、中秋节"
    assert len(p.skipped) == 3                     # title, preamble, closing words


@pytest.mark.parametrize("text", [
    "2027-01-01 至 2027-01-03 放假 元旦\n2027-02-20 上班\n",
    "2027/1/1~2027/1/3 放假\n2027/2/20 补班\n",
    "2027年1月1日至2027年1月3日放假\n2027年2月20日调休上班\n",
    "20270101 至 20270103 放假\n20270220 上班\n",
    "元旦：1月1日至3日放假调休，共3天。\n2月20日（星期六）上班\n",
    "日期,结束日期,类型,名称\n2027-01-01,2027-01-03,放假,元旦\n2027-02-20,,上班,春节\n",
    "开始日期\t结束日期\t类型\n2027.1.1\t2027.1.3\t放假\n2027.2.20\t\t上班\n",
    "2027-01-01,2027-01-03,放假,元旦\n2027-02-20,上班\n",
])
def test_common_ways_of_writing_the_same_days(tmp_path, text):
    f = tmp_path / "安排.csv"
    f.write_text(text, encoding="utf-8")
    p = H.read_schedule(f, 2027)
    assert _days(p) == ([D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)], [D(2027, 2, 20)])


def test_a_spreadsheet_with_date_cells(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["开始日期", "结束日期", "类型", "名称"])
    ws.append([dt.datetime(2027, 10, 1), dt.datetime(2027, 10, 7), "放假", "国庆节"])
    ws.append([dt.datetime(2027, 10, 9), None, "上班", "国庆节"])
    f = tmp_path / "安排.xlsx"
    wb.save(f)
    p = H.read_schedule(f)
    assert p.year == 2027 and _days(p) == ([D(2027, 10, d) for d in range(1, 8)], [D(2027, 10, 9)])


@pytest.mark.parametrize("text, words", [
    ("2027-02-17 上班\n2027-01-01 放假\n", ("第1行", "星期三", "本来就上班")),
    ("1月1日至3日放假\n1月2日上班\n", ("第2行", "第1行", "矛盾")),
    ("2027-02-30 放假\n", ("第1行", "不存在")),
    ("1月1日至3月5日放假\n", ("第1行", "超过31天")),
    ("1月1日至3日\n", ("第1行", "放假还是上班")),
    ("2027-01-01,2027-01-03,休整\n", ("没有写明",)),
    ("开始日期,类型\n2027-01-01,值班\n", ("第2行", "类型", "值班")),
    ("国务院办公厅通知\n", ("没有读到",)),
    ("2020-01-01 放假\n", ("不属于2027年",)),
])
def test_what_cannot_be_used_is_named_by_its_line(tmp_path, text, words):
    f = tmp_path / "安排.txt"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(H.HolidayFileError) as info:
        H.read_schedule(f, 2027)
    message = str(info.value)
    assert "\n" not in message and all(w in message for w in words), message


def test_refusals_on_the_command_line(demo_db, tmp_path, capsys):
    bad = tmp_path / "错.txt"
    bad.write_text("1月1日至3日放假\n1月2日上班\n", encoding="utf-8")
    for argv, words in [
        (("holidays", "import", tmp_path / "无此文件.txt"), "找不到"),
        (("holidays", "import", bad, "--year", "2027"), "矛盾"),
        (("holidays", "import", DATA / "holidays-2027-notice.txt", "--today", "2026-13-01"), "日期格式不对"),
        (("holidays", "frobnicate"), "参数有误"),
        (("holidays", "import"), "参数有误"),
    ]:
        code, out, err = run(capsys, *argv, "--db", demo_db)
        assert code == 2 and err.count("\n") == 1 and words in err, (argv, err)
    nodate = tmp_path / "无年份.txt"
    nodate.write_text("1月1日至3日放假\n", encoding="utf-8")
    code, _out, err = run(capsys, "holidays", "import", nodate, "--db", demo_db)
    assert code == 2 and "--year" in err
    s = Store(demo_db, "测试")
    assert s.scalar("SELECT COUNT(*) FROM calendar_year") == 0      # nothing half-written
    s.close()


def test_only_the_office_enters_the_calendar(demo_db, capsys, monkeypatch):
    monkeypatch.setenv("QINGQIAN_PASSWORD", "pw-office")
    assert run(capsys, "user", "add", "办公室甲", "--role", "办公室", "--db", demo_db)[0] == 0
    monkeypatch.setenv("QINGQIAN_NEW_PASSWORD", "pw-leader")
    assert run(capsys, "user", "add", "领导甲", "--role", "领导", "--db", demo_db, "--user", "办公室甲")[0] == 0
    monkeypatch.setenv("QINGQIAN_PASSWORD", "pw-leader")
    code, _out, err = run(capsys, "holidays", "import", DATA / "holidays-2027-notice.txt", "--db", demo_db,
                          "--user", "领导甲")
    assert code == 2 and "无权" in err and err.count("\n") == 1
    code, _out, err = run(capsys, "holidays", "import", DATA / "holidays-2027-notice.txt", "--db", demo_db)
    assert code == 2 and "--user" in err
    monkeypatch.setenv("QINGQIAN_PASSWORD", "pw-office")
    code, out, err = run(capsys, "holidays", "import", DATA / "holidays-2027-notice.txt", "--db", demo_db,
                         "--user", "办公室甲", "--json", "--today", "2026-11-26")
    assert code == 0, err
    got = json.loads(out)
    assert (got["year"], got["holidays"], got["workdays"], got["replaced"]) == (2027, 28, 4, False)


def test_a_deadline_set_by_hand_is_left_alone(demo_db, capsys):
    """Open cases whose deadline follows the rule move with the calendar; one a clerk typed over
    does not (it is counted as such)."""
    from models.cases import CaseService
    s = Store(demo_db, "测试")
    svc = CaseService(s, today=D(2026, 11, 26))
    a = svc.insert({"case_no": "QQ2026-0801", "registered_on": "2026-12-01", "deadline_days": 30,
                    "employer_name": "甲公司", "workstream_id": 1})
    b = svc.insert({"case_no": "QQ2026-0802", "registered_on": "2026-12-01", "deadline_days": 30,
                    "employer_name": "乙公司", "workstream_id": 1})
    svc.update(b, {"deadline": "2027-01-20"}, "领导批示延期")
    before = s.scalar("SELECT deadline FROM case_record WHERE id = ?", (a,))
    s.close()
    code, out, err = run(capsys, "holidays", "import", DATA / "holidays-2027-notice.txt", "--db", demo_db, "--json")
    got = json.loads(out)
    assert code == 0 and got["kept_by_hand"] >= 1, err
    assert {c["case_no"]: (c["old"], c["new"]) for c in got["changes"]}["QQ2026-0801"] == (before, "2027-01-13")
    s = Store(demo_db, "测试")
    assert s.scalar("SELECT deadline FROM case_record WHERE id = ?", (b,)) == "2027-01-20"
    s.close()
    code, out, _err = run(capsys, "holidays", "list", "--db", demo_db)
    assert code == 0 and "2027年：用户录入" in out and "2026年：内置" in out


def test_deadlines_of_a_signed_ledger_move_with_the_reason_and_are_listed(demo_db, capsys):
    """A workstream signed its ledger; the holidays then move one of its deadlines: the change
    goes through (the guard asks for a reason, the import gives one) and is listed among the
    changes made after the signature, with that reason."""
    from models import signoff
    from models.cases import CaseService
    s = Store(demo_db, "测试")
    ws = s.scalar("SELECT id FROM workstream WHERE name = '欠薪化解专班'")
    CaseService(s, today=D(2026, 11, 26)).insert({"case_no": "QQ2026-0811", "registered_on": "2026-11-26",
                                                  "deadline_days": 30, "employer_name": "丁公司", "workstream_id": ws})
    signoff.sign_off(s, ws, "2026-11-26", {}, D(2026, 11, 26))
    s.close()
    code, out, err = run(capsys, "holidays", "import", DATA / "holidays-2027-notice.txt", "--db", demo_db, "--json")
    assert code == 0, err
    assert "QQ2026-0811" in [c["case_no"] for c in json.loads(out)["changes"]]
    s = Store(demo_db, "测试")
    after = [c for c in signoff.changed_after_signoff(s) if c["table_name"] == "case_record"]
    s.close()
    assert after and {c["reason"] for c in after} == {H.reason_for(2027)}


def test_the_settings_tab_text_recomputes_the_same_way(demo_db):
    """``import_text`` (for the window's 节假日安排 tab) takes the tab's own text and moves the
    same deadlines as the command line."""
    from models.cases import CaseService, load_calendar
    from models.rules.workdays import schedule_to_text
    s = Store(demo_db, "测试")
    CaseService(s, today=D(2026, 11, 26)).insert({"case_no": "QQ2026-0821", "registered_on": "2026-12-01",
                                                  "deadline_days": 30, "employer_name": "戊公司", "workstream_id": 1})
    text = schedule_to_text(H.read_schedule(DATA / "holidays-2027-notice.txt").schedule)
    r = H.import_text(s, 2027, text, D(2026, 11, 26))
    assert [c.new for c in r.changed if c.case_no == "QQ2026-0821"] == ["2027-01-13"]
    assert load_calendar(s).source_of(2027) == "用户录入"
    s.close()
