"""Contract payments (登记还款 against an instalment of a repayment plan) are dated records of their
own (``contract_payment``): period and weekly reports count each payment on its own date, an
instalment's 实还日期 is its latest payment's, a payment dated in the future or before the
contract was on the ledger is refused, and an import of instalments is held to the same rules
as ``contract pay`` (实还金额 never lowered, no 实还日期 without 实还金额), what it adds recorded as
a payment on its date."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import contracts
from models.db import Store
from models.io.importer import commit_import, plan_import
from models.ledger.repo import ValidationError
from models.reports import week
from models.reports.period import period_figures

TODAY = _dt.date(2026, 11, 26)          # the demo's day (tests/conftest.py), a Thursday


@pytest.fixture
def s(demo_db):
    st = Store(demo_db, "测试")
    yield st
    st.close()


def _open_instalment(s: Store) -> dict:
    return dict(s.one("SELECT i.id, i.seq, i.amount_fen, i.paid_amount_fen, i.paid_on, c.arrear_no, c.id AS cid "
                      "FROM contract_instalment i JOIN contract_arrear c ON c.id = i.contract_id "
                      "WHERE i.deleted_at IS NULL AND c.deleted_at IS NULL AND i.amount_fen - i.paid_amount_fen >= 300000 "
                      "ORDER BY c.arrear_no, i.seq LIMIT 1"))


def _state(s: Store, i: dict) -> tuple:
    return (s.scalar("SELECT paid_amount_fen FROM contract_instalment WHERE id = ?", (i["id"],)),
            s.scalar("SELECT paid_on FROM contract_instalment WHERE id = ?", (i["id"],)),
            s.scalar("SELECT paid_fen FROM contract_arrear WHERE id = ?", (i["cid"],)),
            s.scalar("SELECT COUNT(*) FROM contract_payment"))


def test_each_payment_counts_in_its_own_period(s):
    i = _open_instalment(s)
    nov = period_figures(s, _dt.date(2026, 11, 1), _dt.date(2026, 11, 19)).contract_repaid_fen
    late = period_figures(s, _dt.date(2026, 11, 20), TODAY).contract_repaid_fen
    wk = week.contracts(s, TODAY).figures["repaid_week_fen"]
    contracts.pay_instalment(s, i["id"], 100_000, "2026-11-10", today=TODAY)     # before this week
    contracts.pay_instalment(s, i["id"], 50_000, "2026-11-24", today=TODAY)      # this week (Monday 11-23)
    contracts.pay_instalment(s, i["id"], 20_000, "2026-11-05", today=TODAY)      # entered late, earlier date
    assert period_figures(s, _dt.date(2026, 11, 1), _dt.date(2026, 11, 19)).contract_repaid_fen == nov + 120_000
    assert period_figures(s, _dt.date(2026, 11, 20), TODAY).contract_repaid_fen == late + 50_000
    assert week.contracts(s, TODAY).figures["repaid_week_fen"] == wk + 50_000
    # the instalment keeps the sum and its latest payment's date; the payments say each one
    assert s.scalar("SELECT paid_amount_fen FROM contract_instalment WHERE id = ?", (i["id"],)) == \
        i["paid_amount_fen"] + 170_000
    assert s.scalar("SELECT paid_on FROM contract_instalment WHERE id = ?", (i["id"],)) == "2026-11-24"
    got = s.query("SELECT paid_on, amount_fen FROM contract_payment WHERE instalment_id = ? ORDER BY id DESC LIMIT 3",
                  (i["id"],))
    assert [tuple(r) for r in got] == [("2026-11-05", 20_000), ("2026-11-24", 50_000), ("2026-11-10", 100_000)]
    # audited like the other ledgers
    assert s.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'contract_payment' AND action = 'insert' "
                    "AND reason = '登记工程款还款'") >= 3


@pytest.mark.parametrize("on, message", [("2026-11-27", "在今天（2026-11-26）之后"),
                                         ("2001-03-01", "早于拖欠工程款")])
def test_a_payment_dated_in_the_future_or_before_the_contract_is_refused(s, on, message):
    i = _open_instalment(s)
    before = _state(s, i)
    with pytest.raises(ValidationError, match=message):
        contracts.pay_instalment(s, i["id"], 100_000, on, today=TODAY)
    assert _state(s, i) == before


def _import(s: Store, tmp_path, i: dict, paid_on: str, paid: str):
    path = tmp_path / "计划.csv"
    amount = f"{i['amount_fen'] / 100:.2f}"
    due = s.scalar("SELECT due_on FROM contract_instalment WHERE id = ?", (i["id"],))
    path.write_text("所属欠款,期次,计划还款日期,计划还款金额（元）,实还日期,实还金额（元）\n"
                    f"{i['arrear_no']},{i['seq']},{due},{amount},{paid_on},{paid}\n", encoding="utf-8")
    return commit_import(s, plan_import(s, path, "contract_instalments"), today=TODAY)


def test_an_import_may_not_lower_what_was_repaid(s, tmp_path):
    i = _open_instalment(s)
    contracts.pay_instalment(s, i["id"], 100_000, "2026-11-10", today=TODAY)
    before = _state(s, i)
    for paid_on, paid in (("", "0"), ("2026-11-10", "500.00")):
        result = _import(s, tmp_path, i, paid_on, paid)
        assert result["imported"] is False
        assert "低于已登记" in result["problems"][0]["message"]
        assert _state(s, i) == before


def test_an_import_with_a_date_but_no_amount_is_refused(s, tmp_path):
    i = _open_instalment(s)
    assert not i["paid_amount_fen"]
    before = _state(s, i)
    result = _import(s, tmp_path, i, "2026-11-10", "")
    assert result["imported"] is False
    assert "须填写实还金额" in result["problems"][0]["message"]
    assert _state(s, i) == before


def test_an_imported_repayment_is_a_payment_on_its_date(s, tmp_path):
    i = _open_instalment(s)
    nov = period_figures(s, _dt.date(2026, 11, 1), _dt.date(2026, 11, 19)).contract_repaid_fen
    result = _import(s, tmp_path, i, "2026-11-12", f"{(i['paid_amount_fen'] + 30_000) / 100:.2f}")
    assert result["imported"], result["problems"]
    assert period_figures(s, _dt.date(2026, 11, 1), _dt.date(2026, 11, 19)).contract_repaid_fen == nov + 30_000
    assert s.scalar("SELECT amount_fen FROM contract_payment WHERE instalment_id = ? ORDER BY id DESC LIMIT 1",
                    (i["id"],)) == 30_000
    # and a later `contract pay` does not count it twice
    paid = s.scalar("SELECT paid_fen FROM contract_arrear WHERE id = ?", (i["cid"],))
    contracts.pay_instalment(s, i["id"], 10_000, "2026-11-20", today=TODAY)
    assert s.scalar("SELECT paid_fen FROM contract_arrear WHERE id = ?", (i["cid"],)) == paid + 10_000
    result = _import(s, tmp_path, i, "2026-12-01", f"{(i['paid_amount_fen'] + 50_000) / 100:.2f}")
    assert result["imported"] is False and "之后" in result["problems"][0]["message"]
