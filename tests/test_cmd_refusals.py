"""What the window's commands refuse: each refusal one Chinese line on standard error, exit 2,
nothing written (the audit log does not grow); every action's --help in Chinese with a sentence
for every option; roles: 领导 changes nothing, a 专班填报员 only its own workstream's things."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re

import pytest

from desktop import cli
from desktop.cli import main
from models.db import Store

WORDS = ("phase", "workstream", "group", "holidays", "meeting", "item", "signoff", "fund", "case", "asset", "contract",
         "inspection", "daily", "recycle", "settings", "campaign")
TODAY = "2026-11-26"
PW = {"办公室乙": "pw-office", "填报乙": "pw-filler", "领导乙": "pw-leader"}


def run(capsys, monkeypatch, *argv, user=None):
    if user:
        monkeypatch.setenv("QINGQIAN_PASSWORD", PW[user])
        argv = (*argv, "--user", user)
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _actions():
    parser = cli.build_parser()
    top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for word in WORDS:
        sub = next(a for a in top.choices[word]._actions if isinstance(a, argparse._SubParsersAction))
        for name, p in sub.choices.items():
            yield word, name, p


def test_every_action_has_a_chinese_sentence_for_every_option():
    missing = []
    for word, name, p in _actions():
        for a in p._actions:
            if a.help != argparse.SUPPRESS and not re.search(r"[\u4e00-\u9fff]", a.help or ""):
                missing.append(f"{word} {name} {'/'.join(a.option_strings) or a.dest}")
        assert re.search(r"[\u4e00-\u9fff]", p.description or ""), (word, name)
    assert missing == []


@pytest.mark.parametrize("word, name", [(w, n) for w, n, _p in _actions()])
def test_help_and_a_bad_argument_for_every_action(word, name, capsys, monkeypatch, tmp_path):
    code, out, _err = run(capsys, monkeypatch, word, name, "--help")
    assert code == 0 and out.startswith(f"用法：qingqian {word} {name}") and "显示本帮助并退出" in out
    code, out, err = run(capsys, monkeypatch, word, name, "--db", tmp_path / "x.sqlite", "--no-such-option")
    assert code == 2 and out == "" and err.count("\n") == 1 and re.search(r"[\u4e00-\u9fff]", err), err


@pytest.fixture(scope="module")
def accounts(town):
    """The module's demo copy with an office account, a 欠薪化解专班 filler and a leader."""
    from models import access
    s = Store(town, "测试")
    access.create_account(s, "办公室乙", PW["办公室乙"], "办公室", "", None)
    s.actor = access.login(s, "办公室乙", PW["办公室乙"])
    ws = s.scalar("SELECT id FROM workstream WHERE name = '欠薪化解专班'")
    access.create_account(s, "填报乙", PW["填报乙"], "专班填报员", "", ws)
    access.create_account(s, "领导乙", PW["领导乙"], "领导", "", None)
    s.close()
    return town


def _audit_rows(db) -> int:
    s = Store(db, "测试")
    try:
        return s.scalar("SELECT COUNT(*) FROM audit_log WHERE action != 'login_failed'")
    finally:
        s.close()


REFUSALS = [
    # (argv, user, words in the line)
    (("phase", "set", "第四阶段", "--target", "80"), "办公室乙", "须同时给出"),
    (("phase", "set", "第二阶段", "--target", "120"), "办公室乙", "0 到 100"),
    (("phase", "set", "第二阶段", "--due", "2027-03-01"), "办公室乙", "不在专项行动期间"),
    (("phase", "set", "第二阶段", "--target", "20"), "办公室乙", "递增"),
    (("phase", "set", "第二阶段", "--due", "2026-13-40"), "办公室乙", "日期格式不对"),
    (("phase", "set", "第二阶段"), "办公室乙", "说明要改什么"),
    (("phase", "set", "第二阶段", "--rename", "第一阶段"), "办公室乙", "已有名为"),
    (("phase", "remove", "第九阶段"), "办公室乙", "没有名为"),
    (("phase", "set", "第二阶段", "--target", "65"), "领导乙", "无权"),
    (("phase", "set", "第二阶段", "--target", "65"), "填报乙", "无权"),
    (("phase", "set", "第二阶段", "--target", "65"), None, "--user"),
    (("workstream", "members", "不存在专班"), None, "不存在"),
    (("workstream", "members", "化解"), None, "不唯一"),
    (("workstream", "lead", "欠薪化解", "--person", "卢成发"), "办公室乙", "已是本专班组长"),
    (("workstream", "remove-member", "欠薪化解", "--person", "卢成发"), "办公室乙", "是组长"),
    (("workstream", "remove-member", "欠薪化解", "--person", "查无此人"), "办公室乙", "没有名为"),
    (("workstream", "add-member", "欠薪化解", "--person", "新组长", "--role", "组长"), "办公室乙", "已有组长"),
    (("workstream", "add-member", "欠薪化解", "--person", "王五"), "填报乙", "无权"),
    (("meeting", "create", "--date", "2026-11-23"), "办公室乙", "已有一次例会"),
    (("meeting", "create"), "领导乙", "无权"),
    (("meeting", "create"), "填报乙", "无权"),
    (("meeting", "show", "99"), None, "没有第99期"),
    (("meeting", "show", "下周"), None, "应写期数"),
    (("meeting", "report", "12", "--workstream", "欠薪化解", "--text", "补记"), "办公室乙", "已关闭"),
    (("meeting", "report", "12", "--workstream", "欠薪化解"), "办公室乙", "--text"),
    (("meeting", "decide", "12", "--content", "补一项"), "办公室乙", "已关闭"),
    (("meeting", "close", "12"), "办公室乙", "已关闭"),
    (("meeting", "freeze", "12"), "办公室乙", "已关闭"),
    (("item", "close", "1-1"), "办公室乙", "已于"),
    (("item", "close", "99-9"), "办公室乙", "没有第99期第9项"),
    (("item", "progress", "第十期", "--note", "x"), "办公室乙", "期数-序号"),
    (("item", "progress", "12-1", "--note", "  "), "办公室乙", "不能为空"),
    (("item", "progress", "12-1", "--note", "越权登记"), "填报乙", "专班填报员只能修改本专班"),
    (("item", "close", "12-1"), "填报乙", "无权"),
    (("item", "close", "12-1", "--date", "2026-11-20"), "办公室乙", "早于交办的会议日期"),
    (("item", "close", "12-1", "--date", "2026-12-20"), "办公室乙", "之后"),
    (("item", "start", "12-1"), "办公室乙", "已在办理中"),
    (("item", "done", "12-1", "--note", "越权"), "填报乙", "专班填报员只能修改本专班"),
    (("item", "done", "12-1", "--note", " "), "办公室乙", "--note"),
    (("item", "done", "1-1", "--note", "再报"), "办公室乙", "已于"),
    (("item", "list", "--workstream", "不存在"), None, "不存在"),
    (("signoff", "sign", "--workstream", "欠薪化解", "--reason", "无等号"), "办公室乙", "代码=理由"),
    (("signoff", "sign", "--workstream", "欠薪化解", "--reason", "x:y:1=理由"), "办公室乙", "没有代码"),
    (("signoff", "sign", "--workstream", "拖欠工程款"), "填报乙", "本专班"),
    (("signoff", "sign", "--workstream", "欠薪化解"), "领导乙", "无权"),
    (("signoff", "sign", "--workstream", "欠薪化解", "--as-of", "2026-12-31"), "办公室乙", "之后"),
    (("fund", "allocate", "ZJ2099-001", "--case", "QQ2026-0001", "--amount", "1"), "办公室乙", "没有编号"),
    (("fund", "allocate", "ZJ2026-001", "--case", "QQ2099-0001", "--amount", "1"), "办公室乙", "没有编号"),
    (("fund", "allocate", "ZJ2026-001", "--case", "@OPEN", "--amount", "100万"), "办公室乙", "余额"),
    (("fund", "allocate", "ZJ2026-008", "--case", "@OPEN", "--amount", "@TOO_MUCH"), "办公室乙", "尚未支付"),
    (("fund", "allocate", "ZJ2026-008", "--case", "@OPEN", "--amount", "许多"), "办公室乙", "看不懂"),
    (("fund", "allocate", "ZJ2026-008", "--case", "@OPEN", "--amount", "0"), "办公室乙", "大于零"),
    (("fund", "allocate", "ZJ2026-008", "--case", "@OPEN", "--amount", "100", "--worker", "查无此人"), "办公室乙",
     "名册中没有"),
    (("fund", "allocate", "ZJ2026-008", "--case", "@OPEN", "--amount", "100", "--date", "2026-12-31"), "办公室乙", "之后"),
    (("fund", "allocate", "ZJ2026-008", "--case", "@OPEN", "--amount", "100", "--date", "2026-11-01"), "办公室乙",
     "早于资金到位日期"),
    (("fund", "allocate", "ZJ2026-008", "--case", "@OPEN", "--amount", "100"), "领导乙", "无权"),
    (("fund", "add", "--channel", "捐款", "--amount", "1万"), "办公室乙", "筹措渠道"),
    (("fund", "add", "--channel", "财政", "--amount", "-5"), "办公室乙", "大于零"),
    (("fund", "cancel", "999999"), "办公室乙", "没有编号为 999999"),
    (("fund", "cancel", "1", "--reason", " "), "办公室乙", "须说明理由"),
    (("case", "show", "QQ2099-0001"), None, "没有编号"),
    (("daily", "submit", "--workstream", "欠薪化解"), "办公室乙", "已报送"),
    (("daily", "submit", "--workstream", "宅基地"), "填报乙", "专班填报员只能修改本专班"),
    (("daily", "submit", "--workstream", "宅基地", "--date", "2026-12-01"), "办公室乙", "之后"),
    (("daily", "export", "--out", "日报.pdf"), None, ".xlsx"),
    (("settings", "set", "重大金额", "50"), "填报乙", "无权"),
    (("settings", "verdicts", "--add", "新结论"), "领导乙", "无权"),
    (("recycle", "move", "cases", "@OPEN", "--reason", "误登"), "领导乙", "无权"),
    (("recycle", "move", "cases", "@OPEN", "--reason", " "), "办公室乙", "须说明理由"),
    (("case", "status", "@OPEN", "--to", "已化解", "--verdict", "已支付"), "办公室乙", "未支付"),
    (("case", "status", "@OPEN", "--to", "不存在欠薪"), "办公室乙", "核处结论"),
    (("case", "status", "@OPEN", "--to", "待核实"), "办公室乙", "不能从"),
    (("case", "status", "@OPEN", "--to", "已移送", "--verdict", "移送", "--date", "2026-12-31"), "办公室乙", "之后"),
    (("case", "status", "@OPEN", "--to", "已移送", "--verdict", "移送"), "领导乙", "无权"),
    (("case", "pay", "@OPEN", "--amount", "100"), "办公室乙", "--worker"),
    (("case", "pay", "@OPEN", "--amount", "100", "--worker", "查无此人"), "办公室乙", "名册中没有"),
    (("case", "pay", "@OPEN", "--amount", "@TOO_MUCH", "--worker", "@WORKER"), "办公室乙", "超过"),
    (("case", "pay", "@OPEN", "--amount", "100", "--worker", "@WORKER", "--date", "2026-12-31"), "办公室乙", "之后"),
]


def _open_case(db):
    s = Store(db, "测试")
    try:
        return s.one("SELECT c.case_no, c.total_owed_fen - c.total_paid_fen AS left, (SELECT w.name FROM worker w "
                     "WHERE w.case_id = c.id AND w.deleted_at IS NULL AND w.paid_fen < w.owed_fen AND (SELECT COUNT(*) "
                     "FROM worker x WHERE x.case_id = c.id AND x.name = w.name) = 1 ORDER BY w.id LIMIT 1) AS worker "
                     "FROM case_record c WHERE c.deleted_at IS NULL "
                     "AND c.status = '化解中' AND c.w_count > 0 AND c.total_owed_fen - c.total_paid_fen BETWEEN 100000 AND 40000000 "
                     "ORDER BY c.case_no LIMIT 1")
        return s.one("SELECT case_no, total_owed_fen - total_paid_fen AS left FROM case_record WHERE deleted_at IS NULL "
                     "AND status = '化解中' AND w_count > 0 AND total_owed_fen - total_paid_fen BETWEEN 100000 AND 40000000 "
                     "ORDER BY case_no LIMIT 1")
    finally:
        s.close()


@pytest.mark.parametrize("argv, user, words", REFUSALS, ids=[" ".join(r[0][:3]) + f"-{r[1]}" for r in REFUSALS])
def test_refused_in_one_chinese_line_and_nothing_written(accounts, capsys, monkeypatch, argv, user, words):
    case = _open_case(accounts)
    swap = {"@OPEN": case["case_no"], "@TOO_MUCH": f"{(case['left'] + 100) / 100:.2f}", "@WORKER": case["worker"]}
    argv = tuple(swap.get(a, a) for a in argv)
    before = _audit_rows(accounts)
    code, out, err = run(capsys, monkeypatch, *argv, "--db", accounts, "--today", TODAY, user=user)
    assert code == 2 and out == "" and err.count("\n") == 1, (argv, out, err)
    assert words in err and "Traceback" not in err, (argv, err)
    assert _audit_rows(accounts) == before, (argv, err)


def test_a_finding_needs_its_reason_before_the_ledger_is_signed(demo_db, capsys, monkeypatch):
    """A workstream with an open finding: refused without a reason (nothing signed), signed with
    the reason for that finding's code, which the sign-off keeps."""
    s = Store(demo_db, "测试")
    cid = s.scalar("SELECT id FROM case_record WHERE workstream_id = (SELECT id FROM workstream WHERE name = '欠薪化解专班') "
                   "AND w_count = 0 AND deleted_at IS NULL ORDER BY id LIMIT 1")
    if cid is None:        # every case of the workstream lists workers: a new one without a list
        from models.cases import CaseService
        cid = CaseService(s, today=dt.date(2026, 11, 26)).insert(
            {"case_no": "QQ2026-0888", "registered_on": "2026-11-26", "employer_name": "丙公司",
             "workstream_id": s.scalar("SELECT id FROM workstream WHERE name = '欠薪化解专班'"), "amount_fen": 100000})
    with s.tx():
        s.execute("UPDATE case_record SET paid_fen = amount_fen + 100 WHERE id = ?", (cid,))   # paid more than owed
    s.close()
    code, out, err = run(capsys, monkeypatch, "signoff", "findings", "--workstream", "欠薪化解", "--db", demo_db, "--json")
    found = json.loads(out)["rows"]
    assert code == 0 and found and all(f["code"].count(":") == 2 for f in found)
    code, _out, err = run(capsys, monkeypatch, "signoff", "sign", "--workstream", "欠薪化解", "--db", demo_db)
    assert code == 2 and "未说明理由" in err and err.count("\n") == 1
    reasons = [x for f in found for x in ("--reason", f"{f['code']}=已约谈企业，多付部分下周退回")]
    code, out, err = run(capsys, monkeypatch, "signoff", "sign", "--workstream", "欠薪化解", "--db", demo_db,
                         "--json", *reasons)
    assert code == 0, err
    got = json.loads(out)
    assert got["passed"] == 0 and got["findings"] == len(found)
    s = Store(demo_db, "测试")
    kept = json.loads(s.scalar("SELECT findings_json FROM signoff WHERE id = ?", (got["signoff_id"],)))
    s.close()
    assert {k["reason"] for k in kept} == {"已约谈企业，多付部分下周退回"}


def test_members_and_phases_change_as_asked(demo_db, capsys, monkeypatch):
    def q(*argv):
        code, out, err = run(capsys, monkeypatch, *argv, "--db", demo_db, "--json")
        assert code == 0, err
        return json.loads(out)
    got = q("workstream", "add-member", "宅基地", "--person", "赵六", "--role", "联络员", "--phone", "13800001111")
    assert {"role": "联络员", "name": "赵六", "unit": "", "title": "", "phone": "13800001111"} in got["members"]
    got = q("workstream", "add-member", "宅基地", "--person", "赵六", "--role", "副组长")
    assert [m["role"] for m in got["members"] if m["name"] == "赵六"] == ["副组长"]
    old = got["members"][0]["name"]
    got = q("workstream", "lead", "宅基地", "--person", "赵六", "--old-role", "不再任职")
    assert got["members"][0]["name"] == "赵六" and got["members"][0]["role"] == "组长"
    assert old not in [m["name"] for m in got["members"]] and len([m for m in got["members"] if m["name"] == "赵六"]) == 1
    n, gone = len(got["members"]), got["members"][1]["name"]
    got = q("workstream", "remove-member", "宅基地", "--person", gone)
    assert len(got["members"]) == n - 1 and gone not in [m["name"] for m in got["members"]]
    got = q("phase", "set", "第三阶段", "--due", "2027-01-15", "--target", "80")
    assert [p["name"] for p in got["phases"]] == ["第一阶段", "第二阶段", "第三阶段", "春节前全部办结"]
    got = q("phase", "set", "第三阶段", "--rename", "元旦前阶段")
    assert got["phases"][2] == {"name": "元旦前阶段", "due_date": "2027-01-15", "target_pct": 80}
    got = q("phase", "remove", "元旦前阶段")
    assert [p["target_pct"] for p in got["phases"]] == [30, 60, 100]


READS = [("phase", "list"), ("campaign", "show"), ("group", "list"), ("workstream", "list"),
         ("workstream", "members", "欠薪化解"), ("holidays", "list"), ("holidays", "list", "--year", "2026"),
         ("meeting", "list"), ("meeting", "show", "12"), ("item", "list"), ("item", "list", "--all"),
         ("signoff", "status"), ("signoff", "findings", "--workstream", "欠薪化解"), ("fund", "list"),
         ("fund", "allocations", "ZJ2026-001"), ("case", "show", "@OPEN"), ("asset", "list"), ("contract", "list"),
         ("inspection", "list"), ("daily", "missing"), ("recycle", "list"), ("settings", "list"),
         ("settings", "verdicts")]


@pytest.mark.parametrize("argv", READS, ids=[" ".join(r) for r in READS])
def test_chinese_lines_by_default_and_json_with_the_option(accounts, capsys, monkeypatch, argv):
    """Reading needs no password, prints Chinese lines (not JSON), and the same with --json parses."""
    argv = tuple(_open_case(accounts)["case_no"] if a == "@OPEN" else a for a in argv)
    before = _audit_rows(accounts)
    code, out, err = run(capsys, monkeypatch, *argv, "--db", accounts, "--today", TODAY)
    assert code == 0 and err == "" and re.search(r"[\u4e00-\u9fff]", out), (argv, err)
    with pytest.raises(ValueError):
        json.loads(out)
    code, out, err = run(capsys, monkeypatch, *argv, "--db", accounts, "--today", TODAY, "--json")
    assert code == 0 and isinstance(json.loads(out), (dict, list)), (argv, err)
    assert _audit_rows(accounts) == before
