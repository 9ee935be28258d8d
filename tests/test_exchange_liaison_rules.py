"""A 专班回报包 is applied only if every row it adds or changes passes the ledgers' rules, as a
typed record must (models.exchange.liaison_checks): a liaison's file edited with any SQLite tool
(an amount stored as text, a payment above what the worker is owed, a payment dated in the
future or not a date, a status that is no choice, a worker's wage as text) is refused as a
whole, naming the 专班, the ledger, the record and the field, with nothing written. A genuine
return still applies and its figures reconcile."""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path

import pytest

from conftest import TODAY
from models import access
from models.db import Store
from models.exchange import PackageRefused, liaison, liaison_apply
from models.ledger.service import service_for

# the office database of the round-trip tests (one demo township built once per module)
from tests.test_exchange_liaison import NOW, WS, office, office_template  # noqa: E402,F401


def liaison_db(office: Store, tmp_path: Path) -> Path:
    liaison.make_copy(office, tmp_path / "副本.qqpkg", WS, now=NOW)
    db = tmp_path / "联络员.sqlite"
    liaison.import_copy(tmp_path / "副本.qqpkg", db, username="zhang", password="secret9", display_name="张联络")
    return db


def open_liaison(db: Path) -> Store:
    s = Store(db)
    s.actor = access.login(s, "zhang", "secret9")
    s.today = TODAY
    return s


def owed_worker(s: Store) -> dict:
    """A worker of the workstream still owed more than 100 元, with its case."""
    ws = s.scalar("SELECT id FROM workstream WHERE name = ?", (WS,))
    r = s.one("SELECT w.id, w.name, w.case_id, w.owed_fen - w.paid_fen AS left, c.case_no FROM worker w "
              "JOIN case_record c ON c.id = w.case_id WHERE c.workstream_id = ? AND c.deleted_at IS NULL "
              "AND w.deleted_at IS NULL AND w.owed_fen > w.paid_fen + 10000 ORDER BY w.id LIMIT 1", (ws,))
    return dict(r)


def state(s: Store) -> tuple:
    """What the office holds: every record table's rows, the audit log, the copy's returns, and
    the money totals."""
    h = hashlib.sha256()
    for t in ("case_record", "worker", "repayment", "case_status_log", "audit_log", "exchange_liaison_copy"):
        for row in s.query(f'SELECT * FROM "{t}" ORDER BY rowid'):
            h.update(repr(tuple(row)).encode())
    totals = s.one("SELECT (SELECT COUNT(*) FROM repayment), (SELECT TOTAL(amount_fen) FROM repayment), "
                   "(SELECT TOTAL(paid_fen) FROM worker), (SELECT TOTAL(total_paid_fen) FROM case_record), "
                   "(SELECT TOTAL(total_owed_fen) FROM case_record)")
    return h.hexdigest(), tuple(totals)


def raw_repayment(li: Store, w: dict, paid_on, amount) -> None:
    li.execute("INSERT INTO repayment(uuid, case_id, worker_id, paid_on, amount_fen, payer, created_at, updated_at) "
               "VALUES (?, ?, ?, ?, ?, '用人单位', '2026-11-25T10:00:00', '2026-11-25T10:00:00')",
               (str(uuid.uuid4()), w["case_id"], w["id"], paid_on, amount))


def edited_return(office: Store, tmp_path: Path, edit) -> tuple[Path, dict]:
    """A return made from a liaison's file edited by hand (``edit(li, worker)``, as any SQLite
    tool could), exported the ordinary way."""
    db = liaison_db(office, tmp_path)
    li = open_liaison(db)
    try:
        w = owed_worker(li)
        with access.as_system(li), li.tx():
            edit(li, w)
        out = tmp_path / "回报.qqpkg"
        liaison.make_return(li, out, now=NOW)
    finally:
        li.close()
    return out, w


ATTACKS = {
    "amount as text": (lambda li, w: raw_repayment(li, w, "2026-11-25", "1,000元"),
                       ("工资清偿兑付台账", "兑付金额", "“1,000元”不是金额")),
    "more than owed": (lambda li, w: raw_repayment(li, w, "2026-11-25", 900_000_000_000),
                       ("工资清偿兑付台账", "兑付金额超过")),
    "paid in 2099": (lambda li, w: raw_repayment(li, w, "2099-01-01", 10000),
                     ("工资清偿兑付台账", "兑付日期 2099-01-01 晚于今天")),
    "paid tomorrow": (lambda li, w: raw_repayment(li, w, (TODAY + dt.timedelta(days=1)).isoformat(), 10000),
                      ("工资清偿兑付台账", "晚于今天")),
    "paid 明天": (lambda li, w: raw_repayment(li, w, "明天", 10000),
                ("工资清偿兑付台账", "兑付日期", "“明天”不是日期")),
    "no such day": (lambda li, w: raw_repayment(li, w, "2026-02-30", 10000),
                    ("工资清偿兑付台账", "兑付日期", "不存在")),
    "status no choice": (lambda li, w: li.execute("UPDATE case_record SET status = '随便写的' WHERE id = ?",
                                                  (w["case_id"],)),
                         ("欠薪问题台账", "状态", "“随便写的”不在可选项中")),
    "wage as text": (lambda li, w: li.execute("UPDATE worker SET owed_fen = '5,000元' WHERE id = ?", (w["id"],)),
                     ("农民工工资支付台账", "应发工资", "“5,000元”不是金额")),
    "wage below paid": (lambda li, w: li.execute("UPDATE worker SET owed_fen = 0, paid_fen = 10000 WHERE id = ?",
                                                 (w["id"],)),
                        ("农民工工资支付台账", "超过应付")),
    "bad ID number": (lambda li, w: li.execute("UPDATE worker SET id_number = '11010119900307777X' WHERE id = ?",
                                               (w["id"],)),
                      ("农民工工资支付台账", "身份证号码", "校验位")),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_hand_edited_return_is_refused_whole_with_nothing_written(office, tmp_path, attack):
    edit, words = ATTACKS[attack]
    # a genuine change beside the bad one: refused with it
    def both(li, w):
        li.execute("UPDATE case_record SET notes = '联络员已约谈企业负责人' WHERE id = ?", (w["case_id"],))
        edit(li, w)
    pkg, w = edited_return(office, tmp_path, both)
    before = state(office)
    with pytest.raises(PackageRefused) as exc:
        liaison_apply.apply_return(office, pkg, now=NOW, backup=False)
    message = str(exc.value)
    for word in (WS, "张联络", w["case_no"], *words, "未接收", pkg.name):
        assert word in message, (word, message)
    if attack not in ("status no choice",):
        assert w["name"] in message
    assert "\n" not in message
    assert state(office) == before
    assert office.scalar("SELECT notes FROM case_record WHERE id = ?", (w["case_id"],)) != "联络员已约谈企业负责人"


def test_a_changed_repayment_may_not_pay_more_than_owed(office, tmp_path):
    """A repayment the office already has, raised by hand in the liaison's file above what the
    worker is owed: the service judges new payments; the totals after the apply catch this one."""
    w = owed_worker(office)
    rid = service_for(office, "repayments").insert({"case_id": w["case_id"], "worker_id": w["id"],
                                                     "paid_on": "2026-11-20", "amount_fen": 5000, "payer": "企业"})
    pkg, _w = edited_return(office, tmp_path, lambda li, _w: li.execute(
        "UPDATE repayment SET amount_fen = 900000000000 WHERE id = ?", (rid,)))
    before = state(office)
    with pytest.raises(PackageRefused, match=f"{WS}.*{w['case_no']} 的农民工 {w['name']}已付 .*超过应付"):
        liaison_apply.apply_return(office, pkg, now=NOW, backup=False)
    assert state(office) == before


def test_several_bad_rows_are_all_named(office, tmp_path):
    def edit(li, w):
        raw_repayment(li, w, "2026-11-25", "1,000元")
        raw_repayment(li, w, "2099-01-01", 900_000_000_000)
        li.execute("UPDATE case_record SET status = '随便写的' WHERE id = ?", (w["case_id"],))
    pkg, _w = edited_return(office, tmp_path, edit)
    before = state(office)
    with pytest.raises(PackageRefused) as exc:
        liaison_apply.apply_return(office, pkg, now=NOW, backup=False)
    message = str(exc.value)
    assert "有 3 处不符合台账规则" in message
    assert "“1,000元”不是金额" in message and "2099-01-01 晚于今天" in message and "“随便写的”" in message
    assert state(office) == before


def test_a_genuine_return_still_applies_and_its_figures_reconcile(office, tmp_path):
    db = liaison_db(office, tmp_path)
    li = open_liaison(db)
    try:
        w = owed_worker(li)
        pay = min(w["left"], 12345)
        service_for(li, "repayments").insert({"case_id": w["case_id"], "worker_id": w["id"], "paid_on": "2026-11-25",
                                              "amount_fen": pay, "payer": "企业", "channel": "企业自行支付"})
        service_for(li, "workers").insert({"case_id": w["case_id"], "name": "新登记工人",
                                           "id_number": "110101199003077774", "owed_fen": 50000})
        service_for(li, "cases").update(w["case_id"], {"notes": "联络员已约谈企业负责人"})
        liaison.make_return(li, tmp_path / "回报.qqpkg", now=NOW)
    finally:
        li.close()
    paid = office.one("SELECT (SELECT TOTAL(amount_fen) FROM repayment WHERE deleted_at IS NULL), "
                      "(SELECT paid_fen FROM worker WHERE id = ?), (SELECT total_paid_fen FROM case_record WHERE id = ?), "
                      "(SELECT total_owed_fen FROM case_record WHERE id = ?)", (w["id"], w["case_id"], w["case_id"]))
    got = liaison_apply.apply_return(office, tmp_path / "回报.qqpkg", now=NOW, backup=False)
    assert (got["added"], got["changed"], got["conflicts"]) == (2, 1, [])
    after = office.one("SELECT (SELECT TOTAL(amount_fen) FROM repayment WHERE deleted_at IS NULL), "
                       "(SELECT paid_fen FROM worker WHERE id = ?), (SELECT total_paid_fen FROM case_record WHERE id = ?), "
                       "(SELECT total_owed_fen FROM case_record WHERE id = ?)", (w["id"], w["case_id"], w["case_id"]))
    assert after[0] == paid[0] + pay
    assert after[1] == paid[1] + pay
    assert after[2] == paid[2] + pay
    assert after[3] == paid[3] + 50000
    assert office.scalar("SELECT notes FROM case_record WHERE id = ?", (w["case_id"],)) == "联络员已约谈企业负责人"
    assert office.scalar("SELECT typeof(amount_fen) FROM repayment ORDER BY id DESC LIMIT 1") == "integer"


def _new_case_with_worker(li: Store, pay: int) -> None:
    ws = li.scalar("SELECT id FROM workstream WHERE name = ?", (WS,))
    case = service_for(li, "cases").insert({"registered_on": "2026-11-25", "employer_name": "青山县新来建筑有限公司",
                                            "workstream_id": ws, "amount_fen": 80000, "workers_count": 1,
                                            "source": "信访来信"})
    worker = service_for(li, "workers").insert({"case_id": case, "name": "新来工人甲", "owed_fen": 80000})
    with access.as_system(li), li.tx():     # raw, so that a hand-made amount gets past the liaison's own rules
        li.execute("INSERT INTO repayment(uuid, case_id, worker_id, paid_on, amount_fen, payer, created_at, "
                   "updated_at) VALUES (?, ?, ?, '2026-11-25', ?, '企业', '2026-11-25T10:00:00', "
                   "'2026-11-25T10:00:00')", (str(uuid.uuid4()), case, worker, pay))
        li.execute("UPDATE worker SET paid_fen = ? WHERE id = ?", (pay, worker))    # as its repayments say


def test_a_new_case_its_worker_and_a_payment_to_them(office, tmp_path):
    """Payments to a case and worker the same return adds are judged once they exist: within what
    is owed they apply; above it the return is refused with nothing written."""
    for pay, ok in ((30000, True), (90000, False)):
        sub = tmp_path / str(pay)
        sub.mkdir()
        db = liaison_db(office, sub)
        li = open_liaison(db)
        try:
            _new_case_with_worker(li, pay)
            liaison.make_return(li, sub / "回报.qqpkg", now=NOW)
        finally:
            li.close()
        if ok:
            liaison_apply.apply_return(office, sub / "回报.qqpkg", now=NOW, backup=False)
            r = office.one("SELECT w.owed_fen, w.paid_fen, c.total_paid_fen FROM worker w JOIN case_record c "
                           "ON c.id = w.case_id WHERE w.name = '新来工人甲'")
            assert tuple(r) == (80000, 30000, 30000)
        else:
            before = state(office)
            with pytest.raises(PackageRefused, match="新来工人甲已付 900.00 元，超过应付 800.00 元"):
                liaison_apply.apply_return(office, sub / "回报.qqpkg", now=NOW, backup=False)
            assert state(office) == before


def test_a_case_made_resolved_with_money_unpaid(office, tmp_path):
    # a case 化解中 (the status flow lets it be 已化解), with money unpaid
    case = office.one("SELECT c.id, c.case_no FROM case_record c JOIN workstream s ON s.id = c.workstream_id "
                      "WHERE s.name = ? AND c.status = '化解中' AND c.deleted_at IS NULL "
                      "AND c.total_owed_fen > c.total_paid_fen ORDER BY c.id LIMIT 1", (WS,))
    pkg, _w = edited_return(office, tmp_path, lambda li, w: li.execute(
        "UPDATE case_record SET status = '已化解', verdict = '已全部兑付', closed_on = '2026-11-25' WHERE id = ?",
        (case["id"],)))
    before = state(office)
    with pytest.raises(PackageRefused, match=f"问题 {case['case_no']}，状态：应用后尚有 .* 元未支付，不能标为已化解"):
        liaison_apply.apply_return(office, pkg, now=NOW, backup=False)
    assert state(office) == before
