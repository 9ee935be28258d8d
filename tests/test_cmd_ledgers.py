"""The other ledgers' own actions from the command line, as their pages do them: a 资产 item moved
on and its money in (a new 清欠资金 the fund command then allocates), an instalment of 拖欠工程款
paid, a hazard 销号, the leading group and a new workstream; a closed meeting corrected with a
reason and a decision removed from an open one. Each write audited; each refusal one line."""
from __future__ import annotations

import json

from desktop.cli import main
from models.db import Store

TODAY = "2026-11-26"


def q(capsys, db, *argv, ok=True):
    try:
        code = main([str(a) for a in argv] + ["--db", str(db), "--today", TODAY, "--json"])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    if ok:
        assert code == 0, f"{argv}: {err}"
        got = json.loads(out)
        assert isinstance(got, dict), "--json gives one object"
        return got["rows"] if set(got) == {"rows", "count"} else got
    assert code == 2 and out == "" and err.count("\n") == 1, (argv, out, err)
    return err


def _one(db, sql, params=()):
    s = Store(db, "测试")
    try:
        return s.one(sql, params)
    finally:
        s.close()


def test_asset_to_fund_to_case(demo_db, capsys):
    got = q(capsys, demo_db, "asset", "advance", "GZ-004", "--to", "处置成交", "--date", "2026-11-24", "--note", "公开拍卖成交")
    assert (got["stage"], got["stage_on"]) == ("处置成交", "2026-11-24")
    err = q(capsys, demo_db, "asset", "advance", "GZ-004", "--to", "审批报备", ok=False)
    assert "退回" in err                                # back a step needs a reason
    err = q(capsys, demo_db, "asset", "advance", "GZ-004", "--to", "收入到账", ok=False)
    assert "收入到账" in err
    sql = "SELECT COUNT(*) FROM audit_log WHERE table_name = 'fund' AND action = 'insert' AND reason = '收入到账，形成清欠资金'"
    before = _one(demo_db, sql)[0]
    got = q(capsys, demo_db, "asset", "income", "GZ-004", "--amount", "42万", "--date", "2026-11-25")
    assert got["stage"] == "收入到账" and got["income_fen"] == 42_000_000 and got["fund_no"]
    funds = {f["fund_no"]: f for f in q(capsys, demo_db, "fund", "list")}
    assert funds[got["fund_no"]]["received_fen"] == 42_000_000 and funds[got["fund_no"]]["channel"] == "国有资产处置"
    err = q(capsys, demo_db, "asset", "income", "GZ-004", "--amount", "1万", ok=False)
    assert "已形成清欠资金" in err
    assert "没有编号" in q(capsys, demo_db, "asset", "income", "GZ-999", "--amount", "1万", ok=False)
    assert _one(demo_db, sql)[0] == before + 1


def test_instalment_paid_and_hazard_closed(demo_db, capsys):
    plan = {c["arrear_no"]: c for c in q(capsys, demo_db, "contract", "list")}
    no, inst = next((no, i) for no, c in plan.items() for i in c["instalments"] if i["paid_amount_fen"] < i["amount_fen"])
    paid = q(capsys, demo_db, "contract", "pay", no, "--seq", inst["seq"], "--amount", "10000", "--date", TODAY)
    assert paid["paid_amount_fen"] == inst["paid_amount_fen"] + 1_000_000
    assert "没有第99期" in q(capsys, demo_db, "contract", "pay", no, "--seq", 99, "--amount", "1", ok=False)
    open_ = q(capsys, demo_db, "inspection", "list")
    first = open_[0]["insp_no"]
    done = q(capsys, demo_db, "inspection", "close", first, "--note", "已开设工资专户", "--date", TODAY)
    assert (done["status"], done["closed_on"]) == ("已销号", TODAY)
    assert first not in [r["insp_no"] for r in q(capsys, demo_db, "inspection", "list")]
    assert "无需销号" in q(capsys, demo_db, "inspection", "close", first, ok=False)


def test_group_workstreams_and_meeting_corrections(demo_db, capsys):
    got = q(capsys, demo_db, "group", "add-member", "王强", "--role", "副组长", "--title", "镇人大主席")
    assert {"role": "副组长", "name": "王强", "unit": "", "title": "镇人大主席"} in got
    assert "已有组长" in q(capsys, demo_db, "group", "add-member", "王强", "--role", "组长", ok=False)
    got = q(capsys, demo_db, "group", "remove-member", "王强")
    assert "王强" not in [m["name"] for m in got]
    q(capsys, demo_db, "workstream", "add", "根治欠薪宣传专班", "--duties", "负责政策宣传")
    assert "已有名为" in q(capsys, demo_db, "workstream", "add", "根治欠薪宣传专班", ok=False)
    q(capsys, demo_db, "workstream", "edit", "宣传", "--rename", "政策宣传专班")
    assert "政策宣传专班" in [w["name"] for w in q(capsys, demo_db, "workstream", "list")]

    err = q(capsys, demo_db, "meeting", "edit", "12", "--place", "镇政府二楼会议室", ok=False)
    assert "--reason" in err                                       # a closed meeting: only with a reason
    q(capsys, demo_db, "meeting", "edit", "12", "--workstream", "欠薪化解", "--text", "更正后的汇报", "--reason", "汇报漏记一句")
    row = _one(demo_db, "SELECT r.report_text FROM meeting_report r JOIN meeting m ON m.id = r.meeting_id "
                        "WHERE m.meeting_no = 12 AND r.workstream_id = (SELECT id FROM workstream WHERE name = '欠薪化解专班')")
    assert row[0] == "更正后的汇报"
    assert _one(demo_db, "SELECT COUNT(*) FROM audit_log WHERE table_name = 'meeting_report' AND reason = '汇报漏记一句'")[0] == 1

    made = q(capsys, demo_db, "meeting", "create")
    assert made["date"] == "2026-11-30"
    q(capsys, demo_db, "meeting", "edit", str(made["meeting_no"]), "--present-from-group", "--absent", "杜永：参加县会议",
      "--nonvoting", "范昌发（欠薪化解专班联络员）")
    m = _one(demo_db, "SELECT attendees_present, absent_with_reason, attending_nonvoting FROM meeting WHERE id = ?",
             (made["id"],))
    assert "黄亮祥" in m[0] and m[1] == "杜永：参加县会议" and m[2] == "范昌发（欠薪化解专班联络员）"
    d = q(capsys, demo_db, "meeting", "decide", str(made["meeting_no"]), "--content", "误记的一项", "--due", "2026-12-04")
    q(capsys, demo_db, "meeting", "remove-decision", d["ref"])
    assert q(capsys, demo_db, "meeting", "show", str(made["meeting_no"]))["decisions"] == []
    assert "已关闭" in q(capsys, demo_db, "meeting", "remove-decision", "12-1", ok=False)


def test_recycle_bin_and_settings(demo_db, capsys):
    no = _one(demo_db, "SELECT case_no FROM case_record WHERE deleted_at IS NULL ORDER BY id LIMIT 1")[0]
    q(capsys, demo_db, "recycle", "move", "cases", no, "--reason", "重复登记")
    assert [r["key"] for r in q(capsys, demo_db, "recycle", "list")] == [no]
    assert "没有" in q(capsys, demo_db, "case", "show", no, ok=False)
    assert "重复登记" == _one(demo_db, "SELECT reason FROM audit_log WHERE table_name = 'case_record' "
                                       "ORDER BY id DESC LIMIT 1")[0]
    q(capsys, demo_db, "recycle", "restore", "cases", no)
    assert q(capsys, demo_db, "case", "show", no)["case_no"] == no
    assert "回收站中没有" in q(capsys, demo_db, "recycle", "restore", "cases", no, ok=False)
    assert "#记录号" in q(capsys, demo_db, "recycle", "move", "workers", "张三", "--reason", "x", ok=False)
    assert "没有名为" in q(capsys, demo_db, "recycle", "list", "--kind", "nothing", ok=False)

    q(capsys, demo_db, "settings", "set", "重大金额", "50")
    q(capsys, demo_db, "settings", "set", "warn.stalled_days", "7")
    got = {r["name"]: r["value"] for r in q(capsys, demo_db, "settings", "list")["settings"]}
    assert got["重大金额"] == 50 and got["久拖未动"] == 7
    assert _one(demo_db, "SELECT value FROM setting WHERE key = 'major.amount_fen'")[0] == "50000000"
    assert "正整数" in q(capsys, demo_db, "settings", "set", "到期提醒", "0", ok=False)
    assert "没有名为" in q(capsys, demo_db, "settings", "set", "随便", "3", ok=False)
    texts = q(capsys, demo_db, "settings", "verdicts", "--add", "经调解达成分期支付协议")
    assert texts[-1] == "经调解达成分期支付协议"
    assert "经调解达成分期支付协议" not in q(capsys, demo_db, "settings", "verdicts", "--remove", "经调解达成分期支付协议")
    assert "没有" in q(capsys, demo_db, "settings", "verdicts", "--remove", "不存在的结论", ok=False)


def test_the_campaign_itself(demo_db, capsys):
    got = q(capsys, demo_db, "campaign", "edit", "--office", "镇政府三楼社会事务办", "--start", "2026/9/7")
    assert (got["office_location"], got["start_date"]) == ("镇政府三楼社会事务办", "2026-09-07")
    assert q(capsys, demo_db, "campaign", "show")["end_date"] == "2027-02-05"
    assert "阶段“第二阶段”" in q(capsys, demo_db, "campaign", "edit", "--end", "2026-12-01", ok=False)
    assert "要修改的内容" in q(capsys, demo_db, "campaign", "edit", ok=False)


def test_an_allocation_taken_back(demo_db, capsys):
    """Allocated to a named worker, listed, then cancelled: the fund's balance and the case's
    unpaid amount return to what they were, and the repayment goes to the recycle bin with it."""
    case = _one(demo_db, "SELECT c.case_no, c.total_owed_fen - c.total_paid_fen AS left, w.id_number FROM case_record c "
                         "JOIN worker w ON w.case_id = c.id AND w.deleted_at IS NULL AND w.paid_fen + 30000 <= w.owed_fen "
                         "WHERE c.deleted_at IS NULL AND c.status = '化解中' ORDER BY c.case_no, w.id LIMIT 1")
    fund = next(f for f in q(capsys, demo_db, "fund", "list") if f["balance_fen"] >= 30000)
    got = q(capsys, demo_db, "fund", "allocate", fund["fund_no"], "--case", case["case_no"], "--amount", "300",
            "--worker", case["id_number"], "--date", TODAY)
    assert got["repayments"] == 1 and got["balance_fen"] == fund["balance_fen"] - 30000
    [row] = [r for r in q(capsys, demo_db, "fund", "allocations", fund["fund_no"]) if r["id"] == got["allocations"][0]]
    back = q(capsys, demo_db, "fund", "cancel", row["id"], "--reason", "分错了问题")
    assert back["amount_fen"] == 30000
    after = {f["fund_no"]: f for f in q(capsys, demo_db, "fund", "list")}[fund["fund_no"]]
    assert after["balance_fen"] == fund["balance_fen"]
    assert q(capsys, demo_db, "case", "show", case["case_no"])["outstanding_fen"] == case["left"]
    assert _one(demo_db, "SELECT deleted_at IS NOT NULL FROM repayment WHERE id = ?", (row["repayment_id"],))[0] == 1
    assert "已撤销" in q(capsys, demo_db, "fund", "cancel", row["id"], ok=False)
