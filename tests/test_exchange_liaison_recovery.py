"""A 专班回报包 judged in the order the liaison worked, a refused return made again, and a
clashing case number renumbered to the next free one of its series.

- What a return itself recycles, deletes or changes counts before its new records are judged:
  a repayment recycled and a corrected one recorded, a repayment lowered and the rest paid
  anew, a wage raised and the difference paid, a worker recycled and listed again are applied;
  paying more than the return makes room for is still refused, nothing written.
- A return the office refuses is made again under its number (``--again N``), carrying
  everything since the return the office applied before it, and replaces it and any return
  sent after it; the office says so in its refusal. A return the office applied is never
  replaced: made again by mistake, it is refused with the code of the one applied, and the
  liaison exports what follows that one (``--after``). Old packages stay refused and nothing is
  applied twice or lost.
- A case number the office has used meanwhile becomes the next free number of its series
  (QS20261126901 → QS20261126902), not a number with a tail.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import TODAY
from models import access
from models.db import Store
from models.exchange import PackageRefused, liaison, liaison_apply
from models.ledger.service import service_for
from tests.test_exchange_liaison import NOW, WS, office, office_template  # noqa: F401
from tests.test_exchange_liaison_rules import liaison_db, open_liaison, owed_worker, state

DAY = TODAY.isoformat()


def pay(s: Store, w: dict, amount: int, payer: str = "企业") -> int:
    return service_for(s, "repayments").insert({"case_id": w["case_id"], "worker_id": w["id"], "paid_on": DAY,
                                                "amount_fen": amount, "payer": payer})


def worker(s: Store, wid: int) -> tuple[int, int]:
    r = s.one("SELECT owed_fen, paid_fen FROM worker WHERE id = ?", (wid,))
    return r[0], r[1]


def export(db: Path, path: Path, work=None, **how) -> dict:
    """The liaison does ``work(li)`` and makes a return to ``path``."""
    li = open_liaison(db)
    try:
        if work is not None:
            work(li)
        return liaison.make_return(li, path, now=NOW, **how)
    finally:
        li.close()


def apply(office: Store, path: Path) -> dict:
    return liaison_apply.apply_return(office, path, now=NOW, backup=False)


def refused(office: Store, path: Path, *needles: str) -> str:
    """The return at ``path`` is refused, its message says each of ``needles``, nothing changes."""
    before = state(office)
    with pytest.raises(PackageRefused) as exc:
        apply(office, path)
    message = str(exc.value)
    assert "\n" not in message and path.name in message
    for needle in needles:
        assert needle in message, message
    assert state(office) == before
    return message


def paid_in_full(office: Store, db: Path, tmp_path: Path) -> tuple[dict, int]:
    """Return #1: the liaison pays a worker all they are owed; the office applies it."""
    li = open_liaison(db)
    try:
        w = owed_worker(li)
        rid = pay(li, w, w["left"])
        liaison.make_return(li, tmp_path / "回报1.qqpkg", now=NOW)
    finally:
        li.close()
    apply(office, tmp_path / "回报1.qqpkg")
    owed, paid = worker(office, w["id"])
    assert owed == paid
    return w, rid


# -- F2: the return's own recycles and changes count first -------------------------------------------
def test_a_repayment_recycled_and_a_corrected_one_recorded_in_the_next_return(office, tmp_path):
    db = liaison_db(office, tmp_path)
    w, rid = paid_in_full(office, db, tmp_path)
    owed, paid = worker(office, w["id"])
    corrected = w["left"] - 5000

    def correct(li):
        service_for(li, "repayments").recycle([rid], "与办公室重复")
        pay(li, w, corrected)
    export(db, tmp_path / "回报2.qqpkg", correct)
    got = apply(office, tmp_path / "回报2.qqpkg")
    assert (got["sequence"], got["added"], got["changed"], got["conflicts"]) == (2, 1, 1, [])
    assert worker(office, w["id"]) == (owed, paid - w["left"] + corrected)
    assert office.scalar("SELECT deleted_at IS NOT NULL FROM repayment WHERE id = ?", (rid,)) == 1


def test_recycling_makes_room_for_no_more_than_it_frees(office, tmp_path):
    """#1 pays all but 50 元, the office pays those 50 元 meanwhile; #2 recycles #1's payment
    and pays 1 fen more than it freed (all the liaison's copy sees owed): refused whole."""
    db = liaison_db(office, tmp_path)
    li = open_liaison(db)
    w = owed_worker(li)
    rid = pay(li, w, w["left"] - 5000)
    liaison.make_return(li, tmp_path / "回报1.qqpkg", now=NOW)
    li.close()
    apply(office, tmp_path / "回报1.qqpkg")
    pay(office, w, 5000, payer="办公室")

    def too_much(li):
        service_for(li, "repayments").recycle([rid], "改正")
        pay(li, w, w["left"] - 4999)
    export(db, tmp_path / "回报2.qqpkg", too_much)
    refused(office, tmp_path / "回报2.qqpkg", f"农民工 {w['name']}", "超过应付", "--again 2")


def test_a_repayment_lowered_and_the_rest_paid_anew(office, tmp_path):
    db = liaison_db(office, tmp_path)
    w, rid = paid_in_full(office, db, tmp_path)
    owed, paid = worker(office, w["id"])

    def split(li):
        service_for(li, "repayments").update(rid, {"amount_fen": w["left"] - 3000})
        pay(li, w, 3000, payer="总承包单位")
    export(db, tmp_path / "回报2.qqpkg", split)
    got = apply(office, tmp_path / "回报2.qqpkg")
    assert (got["added"], got["changed"]) == (1, 1)
    assert worker(office, w["id"]) == (owed, paid)
    assert office.scalar("SELECT COUNT(*) FROM repayment WHERE worker_id = ? AND deleted_at IS NULL "
                         "AND payer = '总承包单位'", (w["id"],)) == 1


def test_a_wage_raised_and_the_difference_paid_in_one_return(office, tmp_path):
    db = liaison_db(office, tmp_path)
    w, _rid = paid_in_full(office, db, tmp_path)
    owed, paid = worker(office, w["id"])

    def raise_and_pay(li):
        service_for(li, "workers").update(w["id"], {"owed_fen": owed + 80000})
        pay(li, w, 80000)
    export(db, tmp_path / "回报2.qqpkg", raise_and_pay)
    apply(office, tmp_path / "回报2.qqpkg")
    assert worker(office, w["id"]) == (owed + 80000, paid + 80000)


def test_a_repayment_recycled_and_the_wage_lowered_in_one_return(office, tmp_path):
    """As the office stands the lowered wage is below what is paid; once the return's own
    recycle is counted it is not."""
    db = liaison_db(office, tmp_path)
    w, rid = paid_in_full(office, db, tmp_path)
    owed, paid = worker(office, w["id"])

    def lower(li):
        service_for(li, "repayments").recycle([rid], "重复登记")
        service_for(li, "workers").update(w["id"], {"owed_fen": owed - 1000})
    export(db, tmp_path / "回报2.qqpkg", lower)
    apply(office, tmp_path / "回报2.qqpkg")
    assert worker(office, w["id"]) == (owed - 1000, paid - w["left"])


def test_a_payment_recorded_recycled_and_corrected_before_one_return(office, tmp_path):
    """The liaison pays, recycles that payment and pays the right amount, then makes one return:
    the recycled payment arrives in the recycle bin and takes no room from the corrected one."""
    db = liaison_db(office, tmp_path)
    li = open_liaison(db)
    w = owed_worker(li)
    li.close()
    owed, paid = worker(office, w["id"])

    def work(li):
        wrong = pay(li, w, w["left"])
        service_for(li, "repayments").recycle([wrong], "金额有误")
        pay(li, w, w["left"] - 2000)
    sent = export(db, tmp_path / "回报1.qqpkg", work)
    assert sent["changes"] == {"repayment": 2}
    apply(office, tmp_path / "回报1.qqpkg")
    assert worker(office, w["id"]) == (owed, paid + w["left"] - 2000)
    assert office.scalar("SELECT COUNT(*) FROM repayment WHERE worker_id = ? AND deleted_at IS NOT NULL",
                         (w["id"],)) == 1


def test_a_case_paid_off_and_made_resolved_in_one_return(office, tmp_path):
    """The return pays every worker still owed and marks the case 已化解: judged once the
    payments are in, not against the office's unpaid sums before them."""
    db = liaison_db(office, tmp_path)
    case = office.one("SELECT c.id, c.case_no FROM case_record c JOIN workstream s ON s.id = c.workstream_id "
                      "WHERE s.name = ? AND c.status = '化解中' AND c.deleted_at IS NULL AND c.w_count > 0 "
                      "AND c.total_owed_fen > c.total_paid_fen ORDER BY c.id LIMIT 1", (WS,))

    def pay_off(li):
        for w in li.query("SELECT id, case_id, owed_fen - paid_fen AS left FROM worker WHERE case_id = ? "
                          "AND deleted_at IS NULL AND owed_fen > paid_fen", (case["id"],)):
            pay(li, dict(w), w["left"])
        service_for(li, "cases").update(case["id"], {"status": "已化解", "verdict": "经核实存在欠薪，已支付完毕",
                                                     "closed_on": DAY})
    export(db, tmp_path / "回报1.qqpkg", pay_off)
    apply(office, tmp_path / "回报1.qqpkg")
    r = office.one("SELECT status, total_owed_fen - total_paid_fen FROM case_record WHERE id = ?", (case["id"],))
    assert tuple(r) == ("已化解", 0)


def test_a_worker_recycled_and_listed_again_with_the_same_id_number(office, tmp_path):
    db = liaison_db(office, tmp_path)
    ws = office.scalar("SELECT id FROM workstream WHERE name = ?", (WS,))
    old = dict(office.one(
        "SELECT w.id, w.case_id, w.name, w.id_number, w.owed_fen FROM worker w JOIN case_record c ON c.id = w.case_id "
        "WHERE c.workstream_id = ? AND w.deleted_at IS NULL AND w.id_number != '' AND NOT EXISTS (SELECT 1 FROM "
        "repayment p WHERE p.worker_id = w.id) AND NOT EXISTS (SELECT 1 FROM fund_allocation a WHERE a.worker_id = "
        "w.id) ORDER BY w.id LIMIT 1", (ws,)))

    def relist(li):
        service_for(li, "workers").recycle([old["id"]], "信息有误，重新登记")
        service_for(li, "workers").insert({"case_id": old["case_id"], "name": old["name"],
                                           "id_number": old["id_number"], "owed_fen": old["owed_fen"] + 10000})
    export(db, tmp_path / "回报1.qqpkg", relist)
    apply(office, tmp_path / "回报1.qqpkg")
    rows = office.query("SELECT id, owed_fen FROM worker WHERE case_id = ? AND id_number = ? AND deleted_at IS NULL",
                        (old["case_id"], old["id_number"]))
    assert [tuple(r) for r in rows] != [] and len(rows) == 1 and rows[0][1] == old["owed_fen"] + 10000


def test_two_workers_of_one_case_with_one_id_number_are_refused(office, tmp_path):
    """Two new workers the return lists with one ID number (a hand-edited file): the service
    could not see it before the rows exist; after the apply it is seen, and nothing written."""
    db = liaison_db(office, tmp_path)
    li = open_liaison(db)
    w = owed_worker(li)
    li.close()

    def twice(li):
        a = service_for(li, "workers").insert({"case_id": w["case_id"], "name": "新工人甲",
                                               "id_number": "110101199003077774", "owed_fen": 10000})
        b = service_for(li, "workers").insert({"case_id": w["case_id"], "name": "新工人乙",
                                               "id_number": "11010119900307803X", "owed_fen": 10000})
        assert a != b
        with access.as_system(li), li.tx():
            li.execute("UPDATE worker SET id_number = '110101199003077774' WHERE id = ?", (b,))
    export(db, tmp_path / "回报1.qqpkg", twice)
    refused(office, tmp_path / "回报1.qqpkg", f"问题 {w['case_no']} 中有 2 名农民工", "同一个身份证号码")


# -- F3: a refused return made again -------------------------------------------------------------
def test_a_refused_return_made_again_replaces_it_and_everything_since(office, tmp_path):
    db = liaison_db(office, tmp_path)
    li = open_liaison(db)
    w = owed_worker(li)
    other = li.scalar("SELECT id FROM case_record WHERE workstream_id = ? AND deleted_at IS NULL AND id != ? "
                      "ORDER BY id LIMIT 1", (li.actor.workstream_id, w["case_id"]))
    rid = pay(li, w, w["left"])
    first = liaison.make_return(li, tmp_path / "回报1.qqpkg", now=NOW)
    li.close()
    # the office pays the same worker meanwhile: #1 would pay more than owed
    pay(office, w, 1000, payer="办公室垫付")
    owed, paid = worker(office, w["id"])
    message = refused(office, tmp_path / "回报1.qqpkg", "第 1 号", "兑付金额超过",
                      "package export --for office --again 1", "领取专班副本以来的全部改动", "替换被拒收的第 1 号")

    # the liaison works on and sends #2 before the refusal reaches them: it waits for #1
    second = export(db, tmp_path / "回报2.qqpkg",
                    lambda li: service_for(li, "cases").update(other, {"notes": "第二次交回的备注"}))
    assert second["sequence"] == 2
    refused(office, tmp_path / "回报2.qqpkg", "尚缺第 1 号，这是第 2 号", "--again 1", "这个第 2 号随之作废")

    # as the refusal says: corrected, and #1 made again, with everything since the copy
    def correct(li):
        service_for(li, "repayments").recycle([rid], "与办公室的兑付重复")
        pay(li, w, w["left"] - 1000)
    again = export(db, tmp_path / "回报1-重新导出.qqpkg", correct, again=1)
    assert (again["sequence"], again["again"]) == (1, True)
    assert again["replaced"] == [first["code"], second["code"]] and again["code"] not in message
    got = apply(office, tmp_path / "回报1-重新导出.qqpkg")
    assert (got["sequence"], got["code"], got["conflicts"]) == (1, again["code"], [])
    assert worker(office, w["id"]) == (owed, owed) == (owed, paid + w["left"] - 1000)
    assert office.scalar("SELECT notes FROM case_record WHERE id = ?", (other,)) == "第二次交回的备注"
    assert office.scalar("SELECT COUNT(*) FROM repayment WHERE worker_id = ? AND deleted_at IS NOT NULL",
                         (w["id"],)) == 1

    # the packages it replaced, and itself, stay refused: nothing applied twice
    refused(office, tmp_path / "回报1.qqpkg", "已应用过另一份", again["code"])
    refused(office, tmp_path / "回报2.qqpkg", "接在办公室没有应用的另一份回报包之后",
            f"--after {again['code']}")
    refused(office, tmp_path / "回报1-重新导出.qqpkg", "此前已应用")
    # and the line goes on from the return applied
    third = export(db, tmp_path / "回报3.qqpkg",
                   lambda li: service_for(li, "cases").update(other, {"notes": "第三次交回的备注"}))
    assert third["sequence"] == 2 and third["changes"] == {"case_record": 1}
    apply(office, tmp_path / "回报3.qqpkg")
    assert office.scalar("SELECT notes FROM case_record WHERE id = ?", (other,)) == "第三次交回的备注"
    assert worker(office, w["id"]) == (owed, owed)


def test_a_return_the_office_applied_is_never_replaced_and_nothing_is_lost(office, tmp_path):
    """The liaison makes #1 again although the office applied it: refused, with the code of
    the #1 applied; what the liaison exports after that one carries only what is new."""
    db = liaison_db(office, tmp_path)
    li = open_liaison(db)
    w = owed_worker(li)
    pay(li, w, 1000)
    first = liaison.make_return(li, tmp_path / "回报1.qqpkg", now=NOW)
    li.close()
    apply(office, tmp_path / "回报1.qqpkg")
    owed, paid = worker(office, w["id"])

    again = export(db, tmp_path / "回报1-重新导出.qqpkg",
                   lambda li: service_for(li, "cases").update(w["case_id"], {"notes": "后来的备注"}), again=1)
    assert again["replaced"] == [first["code"]]
    refused(office, tmp_path / "回报1-重新导出.qqpkg", "不能替换", first["code"],
            f"package export --for office --after {first['code']}")

    after = export(db, tmp_path / "回报2.qqpkg", after=first["code"])
    assert (after["sequence"], after["changes"]) == (2, {"case_record": 1})
    apply(office, tmp_path / "回报2.qqpkg")
    assert office.scalar("SELECT notes FROM case_record WHERE id = ?", (w["case_id"],)) == "后来的备注"
    assert worker(office, w["id"]) == (owed, paid)       # the payment of #1 counted once
    assert office.scalar("SELECT COUNT(*) FROM repayment WHERE worker_id = ? AND amount_fen = 1000 "
                         "AND payer = '企业'", (w["id"],)) == 1
    refused(office, tmp_path / "回报1-重新导出.qqpkg", "此前已应用")
    refused(office, tmp_path / "回报1.qqpkg", "此前已应用")


def test_what_the_liaison_is_told_when_a_return_cannot_be_made_again(office, tmp_path):
    db = liaison_db(office, tmp_path)
    li = open_liaison(db)
    try:
        case = owed_worker(li)["case_id"]
        with pytest.raises(PackageRefused, match="第 1 号回报包还没有导出过"):
            liaison.make_return(li, tmp_path / "x.qqpkg", now=NOW, again=1)
        notes = li.scalar("SELECT notes FROM case_record WHERE id = ?", (case,))
        service_for(li, "cases").update(case, {"notes": "改一下"})
        liaison.make_return(li, tmp_path / "回报1.qqpkg", now=NOW)
        with pytest.raises(PackageRefused, match="第 2 号回报包还没有导出过"):
            liaison.make_return(li, tmp_path / "x.qqpkg", now=NOW, again=2)
        with pytest.raises(PackageRefused, match="没有制作过代码为 1-deadbeef"):
            liaison.make_return(li, tmp_path / "x.qqpkg", now=NOW, after="1-deadbeef")
        with pytest.raises(PackageRefused, match="格式不对"):
            liaison.make_return(li, tmp_path / "x.qqpkg", now=NOW, after="上一个")
        service_for(li, "cases").update(case, {"notes": notes})      # back as the copy had it
        with pytest.raises(PackageRefused, match="自领取专班副本以来没有改动"):
            liaison.make_return(li, tmp_path / "x.qqpkg", now=NOW, again=1)
        assert not (tmp_path / "x.qqpkg").exists()
        assert liaison.again_request("第 2 号") == {"again": 2}
        assert liaison.again_request(" 1-3f9a2c1b ") == {"after": "1-3f9a2c1b"}
        with pytest.raises(PackageRefused, match="不是回报包的序号"):
            liaison.again_request("重新")
    finally:
        li.close()


def test_made_again_on_the_command_line(office, tmp_path, capsys, monkeypatch):
    from desktop.cli import main

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err
    db = liaison_db(office, tmp_path)
    li = open_liaison(db)
    w = owed_worker(li)
    pay(li, w, w["left"])
    li.close()
    monkeypatch.setenv("QINGQIAN_PASSWORD", "secret9")
    code, out, err = run("package", "export", "--db", db, "--out", tmp_path / "回报1.qqpkg", "--for", "office",
                         "--user", "zhang")
    assert code == 0 and "第 1 号专班回报包" in out and "代码 1-" in out, err
    pay(office, w, 1000, payer="办公室")
    path = office.path
    office.close()
    monkeypatch.setenv("QINGQIAN_PASSWORD", "secret1")
    code, out, err = run("package", "import", tmp_path / "回报1.qqpkg", "--db", path, "--user", "office")
    assert code == 2 and "package export --for office --again 1" in err and err.count("\n") == 1

    monkeypatch.setenv("QINGQIAN_PASSWORD", "secret9")
    code, _out, err = run("package", "export", "--db", db, "--out", tmp_path / "x.qqpkg", "--for", "county",
                          "--again", "1", "--user", "zhang")
    assert code == 2 and "--again" in err and "--for county" in err
    li = open_liaison(db)
    rid = li.scalar("SELECT MAX(id) FROM repayment")
    service_for(li, "repayments").recycle([rid], "重复")
    pay(li, w, w["left"] - 1000)
    li.close()
    code, out, err = run("package", "export", "--db", db, "--out", tmp_path / "回报1b.qqpkg", "--again", "1",
                         "--user", "zhang", "--json")
    assert code == 0, err
    made = json.loads(out)
    assert (made["sequence"], made["again"], len(made["replaced"])) == (1, True, 1)
    monkeypatch.setenv("QINGQIAN_PASSWORD", "secret1")
    code, out, err = run("package", "import", tmp_path / "回报1b.qqpkg", "--db", path, "--user", "office", "--json")
    assert code == 0, err
    assert json.loads(out)["code"] == made["code"]


def test_made_again_from_the_window(office, tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMainWindow, QMessageBox
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    from views.exchange.exchange_menu import ExchangeMenu
    said = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text: said.append(("ok", title, text)))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text: said.append(("refused", title, text)))
    db = liaison_db(office, tmp_path)
    li = open_liaison(db)
    case = owed_worker(li)["case_id"]
    service_for(li, "cases").update(case, {"notes": "窗口里的备注"})
    first = liaison.make_return(li, tmp_path / "回报1.qqpkg", now=NOW)
    win = QMainWindow()
    qtbot.addWidget(win)
    menu = ExchangeMenu(win, AppContext(store=li, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus()))
    try:
        assert [a.text() for a in menu.menu.actions()] == ["交回改动（制作专班回报包）…", "重新导出被拒收的回报包…"]
        menu.make_return_again("第一号", tmp_path / "x.qqpkg")
        assert said == [("refused", "重新导出被拒收的回报包", said[0][2])] and "不是回报包的序号" in said[0][2]
        said.clear()
        menu.make_return_again("1", tmp_path / "回报1-重新导出.qqpkg")
        qtbot.waitUntil(lambda: len(said) == 1, timeout=60000)
        assert said[0][0] == "ok" and "重新导出的第 1 号" in said[0][2] and first["code"] in said[0][2], said
    finally:
        li.close()
    got = apply(office, tmp_path / "回报1-重新导出.qqpkg")
    assert got["sequence"] == 1
    assert office.scalar("SELECT notes FROM case_record WHERE id = ?", (case,)) == "窗口里的备注"


# -- F6: a clashing case number takes the next free number of its series --------------------------------
def _new_case(s: Store, **values) -> int:
    ws = s.scalar("SELECT id FROM workstream WHERE name = ?", (WS,))
    return service_for(s, "cases").insert({"registered_on": DAY, "employer_name": "青山县某某餐饮有限公司",
                                           "workstream_id": ws, "amount_fen": 1200000, "workers_count": 2,
                                           "source": "12345", **values})


def test_a_clashing_case_number_becomes_the_next_free_number_of_its_series(office, tmp_path):
    db = liaison_db(office, tmp_path)
    number = f"QS{TODAY:%Y%m%d}901"
    export(db, tmp_path / "回报1.qqpkg", lambda li: _new_case(li, case_no=number, summary="联络员登记"))
    _new_case(office, case_no=number, summary="办公室登记")
    _new_case(office, case_no=f"QS{TODAY:%Y%m%d}902", summary="办公室又登记")
    got = apply(office, tmp_path / "回报1.qqpkg")
    assert got["renumbered"] == [{"from": number, "to": f"QS{TODAY:%Y%m%d}903"}]
    assert office.scalar("SELECT summary FROM case_record WHERE case_no = ?", (f"QS{TODAY:%Y%m%d}903",)) == "联络员登记"


def test_a_renumbered_case_takes_the_first_free_number_after_its_own(office, tmp_path):
    """The liaison registered QQ2026-0001 and -0002; the office -0001 and, by hand, -0004: the
    liaison's -0001 becomes -0003, the first number after it that neither side has given
    (-0002 is the liaison's other new case, which keeps it)."""
    db = liaison_db(office, tmp_path)

    def two(li):
        _new_case(li, summary="联络员第一件")
        _new_case(li, summary="联络员第二件")
    export(db, tmp_path / "回报1.qqpkg", two)
    mine = _new_case(office, summary="办公室的一件")
    first = office.scalar("SELECT case_no FROM case_record WHERE id = ?", (mine,))
    prefix, n = first.rsplit("-", 1)
    no = [f"{prefix}-{int(n) + k:04d}" for k in range(4)]
    _new_case(office, case_no=no[3], summary="办公室手填编号的一件")
    got = apply(office, tmp_path / "回报1.qqpkg")
    assert got["renumbered"] == [{"from": no[0], "to": no[2]}]
    assert [office.scalar("SELECT summary FROM case_record WHERE case_no = ?", (x,)) for x in no] == \
           ["办公室的一件", "联络员第二件", "联络员第一件", "办公室手填编号的一件"]
