"""The case ledger's rules: status flow, totals from workers, deadlines, warnings, bad input."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import campaign, case_workers, cases
from models.ledger import registry
from models.ledger.repo import LedgerRepo, Query, ValidationError
from models.rules.idcard import make_valid_id

ID1 = make_valid_id("511322", _dt.date(1985, 3, 4), 12)
ID2 = make_valid_id("511902", _dt.date(1990, 7, 8), 34)


def _case(store, **kw):
    values = {"registered_on": "2026-11-02", "employer_name": "青山县宏达建筑劳务有限公司", **kw}
    return cases.register_case(store, values)


def test_case_numbers_and_deadline_in_working_days(campaign_store):
    cid = _case(campaign_store, registered_on="2026-09-28", deadline_days=5)
    row = cases.repo(campaign_store).get(cid)
    assert row["case_no"] == "QQ2026-0001"
    # 09-29, 09-30 work; 10-01..07 National Day; 10-08, 10-09 work, 10-10 make-up Saturday
    assert row["deadline"] == "2026-10-10"
    assert cases.next_case_no(campaign_store, _dt.date(2026, 10, 1)) == "QQ2026-0002"


def test_deadline_across_spring_festival_2026(campaign_store):
    cid = _case(campaign_store, registered_on="2026-02-12", deadline_days=3)
    # 02-13 Fri work, 02-14 Sat make-up work, 02-15..23 off, 02-24 work
    assert cases.repo(campaign_store).get(cid)["deadline"] == "2026-02-24"


def test_user_entered_calendar_for_2027_changes_deadlines(campaign_store):
    s = campaign_store
    cid = _case(s, registered_on="2027-02-04", deadline_days=2)
    assert cases.repo(s).get(cid)["deadline"] == "2027-02-08"     # weekends only: Fri 5th, Mon 8th
    cal = cases.load_calendar(s)
    assert "2027年法定节假日安排尚未录入" in cases.calendar_notice(cal, _dt.date(2026, 11, 1), _dt.date(2027, 2, 5))
    cases.save_calendar_year(s, 2027, "2027-02-05 至 2027-02-13 放假\n2027-02-14 上班\n2027-02-20 上班")
    cid2 = _case(s, registered_on="2027-02-04", deadline_days=2)
    assert cases.repo(s).get(cid2)["deadline"] == "2027-02-15"    # 14th (make-up Sunday), 15th
    assert cases.calendar_notice(cases.load_calendar(s), _dt.date(2026, 11, 1), _dt.date(2027, 2, 5)) == ""


def test_status_flow(campaign_store):
    s = campaign_store
    cid = _case(s, amount_fen=500000)
    with pytest.raises(ValidationError, match="不能从“待核实”直接改为“已化解”"):
        cases.change_status(s, cid, cases.StatusChange("已化解", "2026-11-05", verdict="经核实存在欠薪，已支付完毕"))
    cases.change_status(s, cid, cases.StatusChange("化解中", "2026-11-03"))
    with pytest.raises(ValidationError, match="须填写核处结论"):
        cases.change_status(s, cid, cases.StatusChange("已化解", "2026-11-05", verdict=""))
    with pytest.raises(ValidationError, match="未支付"):
        cases.change_status(s, cid, cases.StatusChange("已化解", "2026-11-05", verdict="经核实存在欠薪，已支付完毕"))
    case_workers.record_repayment(s, cid, {"paid_on": "2026-11-04", "amount_fen": 500000, "channel": "企业自行支付"})
    cases.change_status(s, cid, cases.StatusChange("已化解", "2026-11-05", verdict="经核实存在欠薪，已支付完毕"))
    row = cases.repo(s).get(cid)
    assert row["status"] == "已化解" and row["resolved_fen"] == 500000
    log = cases.status_log(s, cid)
    assert [(e["from_status"], e["to_status"], e["changed_on"]) for e in log] == [
        (None, "待核实", "2026-11-02"), ("待核实", "化解中", "2026-11-03"), ("化解中", "已化解", "2026-11-05")]


def test_totals_come_from_listed_workers(campaign_store):
    s = campaign_store
    cid = _case(s, amount_fen=9_999_900, workers_count=40)
    r = cases.repo(s)
    assert r.get(cid)["total_owed_fen"] == 9_999_900 and r.get(cid)["total_workers"] == 40
    w1 = case_workers.add_worker(s, cid, {"name": "张三", "id_number": ID1, "owed_fen": 300000})
    case_workers.add_worker(s, cid, {"name": "李四", "id_number": ID2, "owed_fen": 200000, "paid_fen": 50000})
    row = r.get(cid)
    assert (row["total_workers"], row["total_owed_fen"], row["total_paid_fen"]) == (2, 500000, 50000)
    case_workers.record_repayment(s, cid, {"worker_id": w1, "paid_on": "2026-11-10", "amount_fen": 100000})
    assert r.get(cid)["total_paid_fen"] == 150000
    case_workers.workers_repo(s).recycle([w1])
    row = r.get(cid)
    assert (row["total_workers"], row["total_owed_fen"], row["total_paid_fen"]) == (1, 200000, 50000)
    case_workers.workers_repo(s).restore([w1])
    assert r.get(cid)["total_paid_fen"] == 150000


def test_repayment_rules(campaign_store):
    s = campaign_store
    cid = _case(s)
    w = case_workers.add_worker(s, cid, {"name": "张三", "owed_fen": 100000})
    with pytest.raises(ValidationError, match="须落到具体农民工"):
        case_workers.record_repayment(s, cid, {"paid_on": "2026-11-10", "amount_fen": 100})
    with pytest.raises(ValidationError, match="超过张三未付工资"):
        case_workers.record_repayment(s, cid, {"worker_id": w, "paid_on": "2026-11-10", "amount_fen": 100001})


@pytest.mark.parametrize("values, message", [
    ({"name": "王五", "id_number": "51132219850304123X"}, "校验位"),
    ({"name": "王五", "owed_fen": 100, "paid_fen": 200}, "超过应付"),
    ({"name": "王五", "entered_on": "2026-10-01", "left_on": "2026-09-01"}, "早于开始日期"),
    ({"name": "王五", "owed_fen": -5}, "不能为负数"),
    ({"name": ""}, "姓名不能为空"),
])
def test_bad_worker_input_is_refused_with_a_clear_message(campaign_store, values, message):
    s = campaign_store
    cid = _case(s)
    repo = case_workers.workers_repo(s)
    parsed, problems = repo.parse(values)
    if not problems:
        with pytest.raises(ValidationError) as err:
            case_workers.add_worker(s, cid, parsed)
        problems = err.value.problems
    assert message in " ".join(m for _, m in problems)
    assert s.scalar("SELECT COUNT(*) FROM worker") == 0


def test_id_number_parsing_names_the_problem(campaign_store):
    f = registry.get("workers").field("id_number")
    from models.values import ValueProblem
    with pytest.raises(ValueProblem, match="E\\+17"):
        f.parse("5.11322198503E+17")
    assert f.parse(ID1.lower()) == ID1.upper()


def test_duplicate_worker_in_one_case_refused(campaign_store):
    s = campaign_store
    cid = _case(s)
    case_workers.add_worker(s, cid, {"name": "张三", "id_number": ID1})
    with pytest.raises(ValidationError, match="已登记"):
        case_workers.add_worker(s, cid, {"name": "张三", "id_number": ID1})


def test_major_flag_from_thresholds(campaign_store):
    s = campaign_store
    assert cases.repo(s).get(_case(s, workers_count=30))["is_major"] == 1
    assert cases.repo(s).get(_case(s, workers_count=29))["is_major"] == 0
    s.set_setting("major.workers", 20)
    assert cases.repo(s).get(_case(s, workers_count=25))["is_major"] == 1


def test_warnings(campaign_store):
    s = campaign_store
    today = _dt.date(2026, 11, 26)
    overdue = _case(s, registered_on="2026-10-12", deadline_days=5)
    soon = _case(s, registered_on="2026-11-20", deadline_days=5)
    closed = _case(s, registered_on="2026-10-12", deadline_days=5)
    cases.change_status(s, closed, cases.StatusChange("不存在欠薪", "2026-10-13", verdict="经核实不存在欠薪情况"))
    counts = cases.warnings_summary(s, today)
    assert counts["逾期"] == 1 and counts["即将到期"] == 1
    repo = cases.repo(s)
    assert repo.ids(cases.warning_query(s, "逾期", today)) == [overdue]
    assert repo.ids(cases.warning_query(s, "即将到期", today)) == [soon]
    w = cases.Warner(s, today)
    assert "逾期" in w.kinds(repo.get(overdue)) and w.kinds(repo.get(closed)) == []


def test_search_fts_and_short_queries(campaign_store):
    s = campaign_store
    a = _case(s, employer_name="青山县宏达建筑劳务有限公司")
    b = _case(s, employer_name="巴中市华厦建工集团有限公司", summary="反映拖欠工资")
    repo = cases.repo(s)
    assert repo.ids(Query(search="宏达建筑")) == [a]
    assert repo.ids(Query(search="华厦")) == [b]      # two characters: LIKE fallback
    assert set(repo.ids(Query(search="有限公司"))) == {a, b}


def test_recycle_bin(campaign_store):
    s = campaign_store
    cid = _case(s)
    repo = cases.repo(s)
    repo.recycle([cid])
    assert repo.ids() == [] and repo.ids(Query(deleted=True)) == [cid]
    repo.restore([cid])
    assert repo.ids() == [cid]


def test_campaign_setup_editable(campaign_store):
    s = campaign_store
    c = campaign.current(s)
    assert [w["name"] for w in campaign.workstreams(s)][:2] == ["欠薪化解专班", "拖欠工程款化解专班"]
    assert len(campaign.workstreams(s)) == 7
    assert c.end_date == "2027-02-05" and [p.target_pct for p in c.phases] == [30, 60, 100]
    with pytest.raises(ValueError):
        campaign.update_campaign(s, c.id, name="x", unit="y", start_date="2026-12-01", end_date="2026-11-01",
                                 office_location="", phases=c.phases)
    ws = campaign.workstreams(s)[0]["id"]
    campaign.set_members(s, ws, [{"role": "组长", "name": "王强"}, {"role": "成员", "name": "李娜"}])
    assert [m["name"] for m in campaign.members(s, ws)] == ["王强", "李娜"]


def test_worker_search_reads_the_index_in_id_order(campaign_store):
    s = campaign_store
    cid = _case(s)
    for i in range(30):
        case_workers.add_worker(s, cid, {"name": ["王秀英", "李建国"][i % 2], "trade": "钢筋工" if i % 3 else "木工"})
    repo = case_workers.workers_repo(s)
    sql, _ = repo.id_query(Query(search="王秀英"))
    assert "JOIN" in sql                                  # streamed from the search index
    wang = repo.ids(Query(search="王秀英"))
    assert wang == sorted(wang) and len(wang) == 15
    assert repo.ids(Query(search="王秀英"), limit=5) == wang[:5]
    both = repo.ids(Query(search="钢筋工", extra=[("t.name = ?", ["李建国"])]))
    assert len(both) == sum(1 for i in range(30) if i % 2 and i % 3)
    repo.recycle(wang[:3])
    assert repo.ids(Query(search="王秀英")) == wang[3:]
