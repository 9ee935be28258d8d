"""The write door holds values handed in by the program itself (a service call, the command line,
a package) to the same field rules a form or a file meets: an ID number with a wrong check digit,
a status not in the list, an amount that is not whole 分, a date that does not exist are refused
with the field named; text a form would have tidied (2026/11/5, a phone with dashes) is stored
tidied. Nothing is written when a value is refused."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import case_workers, cases
from models.ledger.repo import ValidationError
from models.ledger.service import service_for
from models.rules.idcard import make_valid_id

GOOD_ID = make_valid_id("511322", _dt.date(1985, 3, 4), 12)
BAD_ID = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")


def _case(store, **kw):
    return cases.register_case(store, {"registered_on": "2026-11-02", "employer_name": "青山县宏达建筑劳务有限公司",
                                       **kw})


def _count(store, table):
    return store.scalar(f"SELECT COUNT(*) FROM {table}")


def _problems(exc) -> str:
    return "；".join(m for _, m in exc.value.problems)


@pytest.mark.parametrize("values, field, words", [
    ({"id_number": BAD_ID}, "id_number", "校验"),
    ({"owed_fen": "5000"}, "owed_fen", "以分计的整数"),
    ({"owed_fen": 5000.5}, "owed_fen", "以分计的整数"),
    ({"owed_fen": True}, "owed_fen", "以分计的整数"),
    ({"entered_on": "2026-02-30"}, "entered_on", "不存在"),
    ({"entered_on": 46000}, "entered_on", "不是文字"),
    ({"phone": "12345"}, "phone", "11位"),
])
def test_a_worker_value_no_form_could_hold_is_refused_and_nothing_written(campaign_store, values, field, words):
    s = campaign_store
    cid = _case(s)
    before = (_count(s, "worker"), _count(s, "audit_log"))
    with pytest.raises(ValidationError) as exc:
        case_workers.add_worker(s, cid, {"name": "张三", "owed_fen": 500000, **values})
    assert field in {f for f, _ in exc.value.problems}
    assert words in _problems(exc)
    assert (_count(s, "worker"), _count(s, "audit_log")) == before


def test_a_status_not_in_the_list_is_refused_by_the_service(campaign_store):
    s = campaign_store
    cid = _case(s, amount_fen=500000)
    with pytest.raises(ValidationError) as exc:
        service_for(s, "cases").update(cid, {"status": "已办结"})
    assert "不在可选项中" in _problems(exc)
    assert s.scalar("SELECT status FROM case_record WHERE id = ?", (cid,)) == "待核实"
    with pytest.raises(ValidationError) as exc:
        _case(s, source="微信群")
    assert exc.value.problems[0][0] == "source" and "不在可选项中" in _problems(exc)
    assert s.scalar("SELECT COUNT(*) FROM case_record") == 1


def test_text_a_form_would_tidy_is_stored_tidied(campaign_store):
    s = campaign_store
    cid = _case(s, registered_on="2026/11/2")
    assert s.scalar("SELECT registered_on FROM case_record WHERE id = ?", (cid,)) == "2026-11-02"
    wid = case_workers.add_worker(s, cid, {"name": " 李四 ", "id_number": GOOD_ID.lower(), "phone": "138-0013-8000",
                                           "owed_fen": 300000, "entered_on": _dt.date(2026, 10, 1)})
    row = dict(s.one("SELECT name, id_number, phone, entered_on FROM worker WHERE id = ?", (wid,)))
    assert row == {"name": "李四", "id_number": GOOD_ID.upper(), "phone": "13800138000", "entered_on": "2026-10-01"}


def test_an_edit_is_held_to_the_rules_for_what_it_changes_only(campaign_store):
    """A value stored long ago under older rules does not block an unrelated edit; the changed
    value itself must pass."""
    s = campaign_store
    cid = _case(s)
    wid = case_workers.add_worker(s, cid, {"name": "王五", "owed_fen": 200000})
    s.execute("UPDATE worker SET phone = '12345' WHERE id = ?", (wid,))     # as an old ledger left it
    case_workers.edit_worker(s, wid, {"owed_fen": 250000})
    assert s.scalar("SELECT owed_fen FROM worker WHERE id = ?", (wid,)) == 250000
    with pytest.raises(ValidationError):
        case_workers.edit_worker(s, wid, {"id_number": BAD_ID})
    assert s.scalar("SELECT id_number FROM worker WHERE id = ?", (wid,)) == ""


def test_every_kind_says_what_it_refuses_and_keeps_its_own_values():
    """Each kind's door keeps what its own parse produces, so a value read from a form or a file
    passes the door unchanged."""
    from models.ledger import registry
    from models.ledger.kinds import KINDS
    seen = set()
    samples = {"text": "甲", "longtext": "甲乙", "int": 3, "money": 12345, "area": 80, "date": "2026-11-05",
               "bool": 1, "ref": 7, "id_number": GOOD_ID, "phone": "13800138000",
               "bank_card": "6222020200112233445", "credit_code": ""}
    for kind in registry.kinds():
        for f in registry.get(kind).stored_fields:
            if f.kind in seen or f.kind == "choice":
                continue
            seen.add(f.kind)
            value = samples[f.kind]
            assert KINDS[f.kind].at_door(f, value) == value, (kind, f.name)
            assert KINDS[f.kind].at_door(f, None) is None or f.kind in ("text", "longtext")
    assert {"text", "money", "date", "id_number", "bool", "ref"} <= seen


def test_free_text_keeps_its_chinese_punctuation_on_every_path(campaign_store):
    """A form, the service and an import store 基本情况摘要 as it was written: 张三，李四：… is
    not turned into 张三,李四:… (a form used to, while an import did not)."""
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo
    text = "  张三，李四：工资至今未付；（另有２人）  "
    repo = LedgerRepo(campaign_store, registry.get("cases"))
    parsed, problems = repo.parse({"summary": text})
    assert problems == [] and parsed["summary"] == text.strip()
    cid = _case(campaign_store, summary=text)
    assert campaign_store.scalar("SELECT summary FROM case_record WHERE id = ?", (cid,)) == text.strip()
    # a choice written with full-width punctuation still finds its choice
    f = registry.get("cases").field("status")
    assert f.parse(" 化解中 ") == "化解中"


def test_a_repayment_dated_after_today_is_refused_on_entry_and_on_edit(campaign_store):
    """Money is entered after it is paid: 2062-11-05 for 2026-11-05 is refused, as a liaison's
    return refuses it, and so is an edit that moves a payment into the days to come."""
    from models.case_workers import RepaymentService
    s = campaign_store
    cid = _case(s, amount_fen=500_000)
    svc = RepaymentService(s, today=_dt.date(2026, 11, 26))
    with pytest.raises(ValidationError) as exc:
        svc.insert({"case_id": cid, "paid_on": "2062-11-05", "amount_fen": 100_000})
    assert "晚于今天（2026-11-26）" in _problems(exc)
    assert _count(s, "repayment") == 0
    rid = svc.insert({"case_id": cid, "paid_on": "2026-11-26", "amount_fen": 100_000})      # today itself is fine
    with pytest.raises(ValidationError):
        svc.update(rid, {"paid_on": "2026-11-27"})
    assert s.scalar("SELECT paid_on FROM repayment WHERE id = ?", (rid,)) == "2026-11-26"
    assert s.scalar("SELECT total_paid_fen FROM case_record WHERE id = ?", (cid,)) == 100_000


@pytest.mark.parametrize("typed", ["0206-11-05", "2206-11-05", "1949-12-31"])
def test_a_year_no_ledger_date_can_have_is_refused_on_every_path(campaign_store, typed):
    """0206 or 2206 for 2026: a slip of the keyboard a form, a file and the service all refuse."""
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo
    from models.values import ValueProblem, parse_date
    with pytest.raises(ValueProblem, match="不合理"):
        parse_date(typed)
    _values, problems = LedgerRepo(campaign_store, registry.get("cases")).parse({"registered_on": typed})
    assert problems and "不合理" in problems[0][1]
    with pytest.raises(ValidationError):
        _case(campaign_store, registered_on=typed)
    assert _count(campaign_store, "case_record") == 0
