"""A whole week of the demo township's story played from the command line alone, on a fresh copy
of the demo: accounts, new cases, the 2027 holidays (deadlines move, each move audited), Monday's
meeting with every workstream's report and its decisions, action items followed to 办结销号, a
repayment imported, a fund received and allocated, a workstream's ledger signed, and at the end
the headline figures and the weekly briefing agree with what the window computes."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from conftest import DATA
from desktop.cli import main
from models.db import Store

OFFICE, OFFICE_PW = "李主任", "qq-office-2026"
FILLER, FILLER_PW = "欠薪专班", "qq-filler-2026"
MONDAY = dt.date(2026, 11, 30)
REASON = "按2027年节假日安排重算办结时限"


class Cli:
    """``qingqian …`` in-process, as the acting account (password from the environment)."""

    def __init__(self, db, capsys, monkeypatch):
        self.db, self.capsys, self.mp = db, capsys, monkeypatch

    def __call__(self, *argv, user=OFFICE, pw=OFFICE_PW, day=None, ok=True):
        self.mp.setenv("QINGQIAN_PASSWORD", pw)
        args = [str(a) for a in argv] + ["--db", str(self.db)]
        if user:
            args += ["--user", user]
        if day:
            args += ["--today", str(day)]
        code = main(args)
        out, err = self.capsys.readouterr()
        if ok:
            assert code == 0, f"{argv}: {err}"
        return code, out, err

    def json(self, *argv, **kw):
        _code, out, _err = self(*argv, "--json", **kw)
        return json.loads(out)


def _one_line_refusal(code, err):
    assert code == 2 and err.count("\n") == 1 and re.search(r"[\u4e00-\u9fff]", err), err
    assert "Traceback" not in err


@pytest.fixture
def cli(demo_db, capsys, monkeypatch):
    return Cli(demo_db, capsys, monkeypatch)


def _day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


def _pick(db, sql):
    s = Store(db, "测试")
    try:
        return s.one(sql)
    finally:
        s.close()


def test_a_week_from_the_command_line(cli, demo_db, tmp_path, qtbot, app_font):
    from models import campaign
    from models import figures as F
    s = Store(demo_db, "测试")
    before = F.figures(s, _day(4))             # the headline figures before the week, counted as the window counts
    s.close()
    friday0 = _day(-3)

    # -- Friday before: accounts, the new cases of the day, the year's holidays -------------------
    cli("user", "add", OFFICE, "--role", "办公室", user=None)
    cli.mp.setenv("QINGQIAN_NEW_PASSWORD", FILLER_PW)
    cli("user", "add", FILLER, "--role", "专班填报员", "--workstream", "欠薪化解专班")
    cases = tmp_path / "新登记问题.csv"
    cases.write_text("编号,登记日期,用人单位,欠薪人数,欠薪金额,办结时限（工作日）,责任专班,基本情况摘要\n"
                     "QQ2026-0901,2026-11-27,青山县鑫达建筑劳务有限公司,12,120000,30,欠薪化解专班,拖欠木工班组工资\n"
                     "QQ2026-0902,2026-11-27,青山县恒通物流有限公司,4,36000,30,欠薪化解专班,拖欠装卸工工资\n"
                     "QQ2026-0903,2026-11-27,青山镇兴旺餐饮店,2,8000,15,欠薪化解专班,拖欠厨工工资\n", encoding="utf-8")
    cli("import", cases, "--kind", "cases")
    weekend_only = _pick(demo_db, "SELECT deadline FROM case_record WHERE case_no = 'QQ2026-0901'")[0]
    assert weekend_only == "2027-01-08"          # 2027 not known yet: 元旦 counted as a working day

    notice = DATA / "holidays-2027-notice.txt"
    dry = cli.json("holidays", "import", notice, "--dry-run", day=friday0)
    assert dry["dry_run"] and dry["deadlines_changed"] == 2
    assert _pick(demo_db, "SELECT COUNT(*) FROM calendar_year WHERE year = 2027")[0] == 0   # nothing written
    _code, out, _err = cli("holidays", "import", notice, day=friday0)
    assert "2027年节假日安排已导入" in out and "办结时限已改动2件" in out
    got = cli.json("holidays", "list", "--year", "2027")["rows"]
    assert got[0]["source"] == "用户录入" and {"date": "2027-02-20", "kind": "上班", "name": "春节"} in got[0]["days"]
    moved = {r[0]: r[1] for r in Store(demo_db, "测试").query(
        "SELECT case_no, deadline FROM case_record WHERE case_no LIKE 'QQ2026-09%'")}
    assert moved == {"QQ2026-0901": "2027-01-11", "QQ2026-0902": "2027-01-11", "QQ2026-0903": "2026-12-18"}
    audited = Store(demo_db, "测试").query(
        "SELECT a.user, a.reason, json_extract(a.before, '$.deadline') AS old, json_extract(a.after, '$.deadline') AS new "
        "FROM audit_log a WHERE a.table_name = 'case_record' AND a.action = 'update' AND a.reason = ?", (REASON,))
    assert sorted((r["user"], r["old"], r["new"]) for r in audited) == [(OFFICE, "2027-01-08", "2027-01-11")] * 2
    again = cli.json("holidays", "import", notice, day=friday0)
    assert again["replaced"] and again["deadlines_changed"] == 0        # the same notice twice changes nothing

    cli("phase", "set", "第二阶段", "--target", "65")
    cli("workstream", "add-member", "欠薪化解", "--person", "王晓梅", "--unit", "青山镇劳动保障所", "--title", "工作人员")
    old_lead = cli.json("workstream", "list")["rows"][2]["lead"]
    cli("workstream", "lead", "信访维稳", "--person", "陈国强", "--title", "镇党委副书记", "--old-role", "副组长")

    # -- Monday: the 13th meeting -------------------------------------------------------------
    made = cli.json("meeting", "create", day=friday0)
    assert (made["meeting_no"], made["date"], made["status"]) == (13, MONDAY.isoformat(), "筹备")
    _code, agenda, _err = cli("meeting", "agenda", "13", day=MONDAY)
    assert "一、各工作专班汇报本周工作情况" in agenda and "欠薪化解专班" in agenda
    wss = [w["name"] for w in cli.json("workstream", "list")["rows"]]
    for name in wss:
        as_filler = name == "欠薪化解专班"            # a workstream's own account records its report
        cli("meeting", "report", "13", "--workstream", name, "--text", f"{name}本周工作情况（命令行记录）",
            "--problems", "资金缺口较大" if as_filler else "", day=MONDAY,
            **({"user": FILLER, "pw": FILLER_PW} if as_filler else {}))
    frozen = cli.json("meeting", "freeze", "13", day=MONDAY)
    assert frozen["status"] == "已召开" and len(frozen["reports"]) == 7
    d1 = cli.json("meeting", "decide", "13", "--content", "对新登记的鑫达建筑劳务欠薪问题逐人核实工资数额",
                  "--workstream", "欠薪化解", "--owner", "卢成发", "--due", "2026-12-03", day=MONDAY)
    d2 = cli.json("meeting", "decide", "13", "--content", "应急周转金第三批30万元本周内到位并分配",
                  "--workstream", "领导小组办公室", "--owner", "邓志", "--due", "2026/12/4", day=MONDAY)
    d3 = cli.json("meeting", "decide", "13", "--content", "督促恒丰商贸城综合体项目总包单位本周兑付第二批工资",
                  "--workstream", "拖欠工程款", "--owner", "龙祥", "--due", "2026年12月11日", day=MONDAY)
    assert [d["ref"] for d in (d1, d2, d3)] == ["13-1", "13-2", "13-3"] and d2["workstream"] == "领导小组办公室"
    closed = cli.json("meeting", "close", "13", day=MONDAY)
    assert closed["status"] == "已关闭" and closed["decisions"] == 3
    shown = cli.json("meeting", "show", "13", day=MONDAY)
    assert [r["report_text"] for r in shown["reports"]] == [f"{n}本周工作情况（命令行记录）" for n in wss]
    assert all(r["frozen"] for r in shown["reports"]) and shown["reports"][0]["problems"] == "资金缺口较大"

    # -- Tuesday: items under way, a repayment comes in --------------------------------------------
    tue = _day(1)
    cli("item", "start", "13-1", day=tue, user=FILLER, pw=FILLER_PW)
    cli("item", "progress", "13-1", "--note", "已约谈鑫达建筑劳务负责人，核对考勤表", day=tue, user=FILLER, pw=FILLER_PW)
    pay = tmp_path / "兑付.csv"
    pay.write_text("问题编号,兑付日期,兑付金额,支付主体\nQQ2026-0903,2026-12-01,8000,用人单位\n", encoding="utf-8")
    cli("import", pay, "--kind", "repayments")
    ret = cli.json("daily", "submit", "--workstream", "欠薪化解", "--notes", "兑付兴旺餐饮店厨工工资", day=tue,
                   user=FILLER, pw=FILLER_PW)
    assert (ret["repaid_fen"], ret["is_zero"], ret["reporter"]) == (800_000, 0, FILLER)
    assert "欠薪化解专班" not in cli.json("daily", "missing", day=tue)["missing"]

    # -- Wednesday: a fund arrives and is allocated -------------------------------------------------
    wed = _day(2)
    target = _pick(demo_db, "SELECT case_no, total_owed_fen - total_paid_fen AS left FROM case_record "
                            "WHERE deleted_at IS NULL AND status = '化解中' AND w_count > 0 "
                            "AND total_owed_fen - total_paid_fen >= 5000000 ORDER BY case_no LIMIT 1")
    had = {f["fund_no"] for f in cli.json("fund", "list")["rows"]}
    fund = cli.json("fund", "add", "--channel", "应急周转金", "--amount", "30万", "--source", "镇财政应急周转金（第三批）",
                    "--date", "2026-12-02", day=wed)
    assert fund["fund_no"].startswith("ZJ2026-") and fund["fund_no"] not in had
    assert fund["received_fen"] == 30_000_000 and fund["workstream"] == "欠薪化解专班"
    alloc = cli.json("fund", "allocate", fund["fund_no"], "--case", target["case_no"], "--amount", "5万",
                     "--date", "2026-12-02", day=wed)
    assert alloc["balance_fen"] == 25_000_000 and alloc["case_outstanding_fen"] == target["left"] - 5_000_000
    assert alloc["repayments"] >= 1

    # -- Thursday: items closed -----------------------------------------------------------------
    thu = _day(3)
    cli("item", "close", "13-2", "--note", "第三批周转金已到位并分配", day=thu)
    earlier = next(i["ref"] for i in cli.json("item", "list", day=thu)["rows"] if not i["ref"].startswith("13-"))
    cli("item", "close", earlier, "--note", "经核实已办结", day=thu)          # one carried from an earlier meeting
    reported = cli.json("item", "done", "13-1", "--note", "12名木工工资数额已逐人核实", day=thu, user=FILLER, pw=FILLER_PW)
    assert reported["reported_done"] and reported["state"] == "办理中"           # 办结 reported, not yet 销号
    code, _out, err = cli("item", "close", "13-1", day=thu, user=FILLER, pw=FILLER_PW, ok=False)
    _one_line_refusal(code, err)                 # 销号 is the office's
    cli("item", "close", "13-1", "--note", "经核实已办结", day=thu)
    cli("case", "status", "QQ2026-0903", "--to", "化解中", "--note", "经核实欠薪属实", day=thu, user=FILLER, pw=FILLER_PW)
    code, _out, err = cli("case", "status", "QQ2026-0903", "--to", "已化解", day=thu, ok=False)
    _one_line_refusal(code, err)                 # 办结 needs its 核处结论
    shut = cli.json("case", "status", "QQ2026-0903", "--to", "已化解", "--verdict", "经调解，用人单位已全额支付",
                    "--path", "企业自行支付", day=thu, user=FILLER, pw=FILLER_PW)
    assert (shut["status"], shut["closed_on"], shut["outstanding_fen"]) == ("已化解", thu.isoformat(), 0)
    left = {i["ref"]: i for i in cli.json("item", "list", day=thu)["rows"]}
    assert "13-1" not in left and "13-2" not in left and earlier not in left and left["13-3"]["state"] == "待办"
    done = {i["ref"]: i for i in cli.json("item", "list", "--all", day=thu)["rows"]}
    assert done["13-1"]["closed_on"] == thu.isoformat() and "核对考勤表" in done["13-1"]["progress"]
    assert f"{tue} {FILLER}：已约谈鑫达建筑劳务负责人" in done["13-1"]["progress"]

    # -- Friday: the workstream signs its ledger, and the week's figures ---------------------------
    fri = _day(4)
    findings = cli.json("signoff", "findings", "--workstream", "欠薪化解", day=fri)["rows"]
    signed = cli.json("signoff", "sign", "--workstream", "欠薪化解", "--as-of", fri,
                      "--reason-all", "已核实，下周补正", day=fri, user=FILLER, pw=FILLER_PW)
    assert signed["signed_by"] == FILLER and signed["findings"] == len(findings)
    assert signed["passed"] == (1 if not findings else 0)
    status = {s["workstream"]: s for s in cli.json("signoff", "status")["rows"]}
    assert status["欠薪化解专班"]["as_of"] == fri.isoformat() and status["拖欠工程款化解专班"]["signed_at"] is None

    figs = cli.json("figures", day=fri, user=None)
    s = Store(demo_db, "测试")
    try:
        window = F.figures(s, fri).to_json()       # what the dashboard shows, counted by the same module
        who = {r[0] for r in s.query("SELECT DISTINCT user FROM audit_log WHERE id > ? AND table_name IN "
                                     "('meeting', 'meeting_report', 'action_item', 'fund', 'fund_allocation', 'signoff', 'case_record')",
                                     (s.scalar("SELECT MIN(id) FROM audit_log WHERE table_name = 'account'"),))}
        new_lead = [m["name"] for m in campaign.members(
            s, s.scalar("SELECT id FROM workstream WHERE name = '信访维稳工作专班'")) if m["role"] == "组长"]
        phase = s.scalar("SELECT target_pct FROM campaign_phase WHERE name = '第二阶段'")
    finally:
        s.close()
    assert figs == window
    assert figs["cases"] == before.cases + 3
    assert figs["owed_fen"] == before.owed_fen + 16_400_000
    assert figs["paid_fen"] == before.paid_fen + 800_000 + 5_000_000
    assert figs["closed_cases"] == before.closed_cases + 1 and figs["open_cases"] == before.open_cases + 2      # the import and the allocation
    assert who == {OFFICE, FILLER}                                          # every write by an acting account
    assert new_lead == ["陈国强"] and phase == 65 and old_lead != "陈国强"

    _the_dashboard_shows_them(demo_db, tmp_path, qtbot, fri, figs)

    out = tmp_path / "周调度材料.pdf"
    rep = cli.json("report", "weekly", "--out", out, day=fri, user=None)
    assert rep["pages"] >= 1 and out.exists()
    from pdftext import page_texts
    from models.values import fen_to_wan_text
    text = "".join(page_texts(out)).replace(" ", "").replace("\n", "")
    assert fen_to_wan_text(figs["paid_fen"]) in text and str(figs["cases"]) in text


def _the_dashboard_shows_them(db, tmp_path, qtbot, day, figs) -> None:
    """The window's 首页 on the week's database shows the figures the command line printed."""
    from models.prefs import Prefs
    from models.values import fen_to_wan_text
    from views.context import AppContext, DataBus
    from views.dashboard_page import DashboardPage
    store = Store(db, "测试")
    try:
        ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
        ctx.today = lambda: day
        page = DashboardPage(ctx)
        qtbot.addWidget(page)
        page.resize(1280, 1700)
        page.show()
        qtbot.waitExposed(page)
        t = page.tiles
        qtbot.waitUntil(lambda: t["cases"].value.text() == f"{figs['cases']:,}")
        assert t["owed"].value.text() == fen_to_wan_text(figs["owed_fen"])
        assert t["paid"].value.text() == fen_to_wan_text(figs["paid_fen"])
        assert t["left"].value.text() == fen_to_wan_text(figs["unpaid_fen"])
        assert t["pct"].value.text() == f"{figs['cleared_pct']:.1f}%"
        assert t["overdue"].value.text() == f"{figs['overdue']:,}"
        page.close()
    finally:
        store.close()
