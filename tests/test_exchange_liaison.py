"""Office ↔ liaison: the 专班副本, the liaison's database limited to their workstream, the
专班回报包 computed by SQLite's session extension, applied at the office (merges, clashes kept,
derived columns neither clashing nor applied twice, everything audited under the liaison's
name), clashes decided in the window, and the refused packages with nothing changed."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import TODAY
from models import access, demo
from models.db import PermissionDenied, Store
from models.exchange import PackageRefused, liaison, liaison_apply, liaison_decide
from models.ledger.service import service_for

NOW = dt.datetime(2026, 11, 26, 16, 30)
WS = "欠薪化解专班"


@pytest.fixture(scope="module")
def office_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("office") / "office.sqlite"
    demo.build_demo(path, "township", seed=7, today=TODAY, _cases=30, _workers=300)
    s = Store(path, "测试")
    access.create_account(s, "office", "secret1", "办公室", "王主任")
    s.close()
    return path


@pytest.fixture
def office(office_template, tmp_path) -> Store:
    shutil.copyfile(office_template, tmp_path / "office.sqlite")
    s = Store(tmp_path / "office.sqlite")
    s.actor = access.login(s, "office", "secret1")
    s.today = TODAY
    yield s
    s.close()


def liaison_store(path: Path) -> Store:
    s = Store(path)
    s.actor = access.login(s, "zhang", "secret9")
    s.today = TODAY
    return s


def set_up_liaison(office: Store, tmp_path: Path) -> Path:
    copy = liaison.make_copy(office, tmp_path / "副本.qqpkg", WS, now=NOW)
    assert copy["workstream"] == WS
    db = tmp_path / "联络员.sqlite"
    liaison.import_copy(tmp_path / "副本.qqpkg", db, username="zhang", password="secret9", display_name="张联络")
    return db


def two_cases(s: Store) -> tuple[int, int, int, int]:
    """Two cases of the workstream, each with a worker who is still owed; and a second owed
    worker of the first case."""
    ws = s.scalar("SELECT id FROM workstream WHERE name = ?", (WS,))
    rows = s.query("SELECT c.id FROM case_record c WHERE c.workstream_id = ? AND c.deleted_at IS NULL AND "
                   "(SELECT COUNT(*) FROM worker w WHERE w.case_id = c.id AND w.deleted_at IS NULL "
                   "AND w.owed_fen > w.paid_fen + 10000) >= 2 ORDER BY c.id LIMIT 2", (ws,))
    c1, c2 = rows[0][0], rows[1][0]
    w1, w2 = [r[0] for r in s.query("SELECT id FROM worker WHERE case_id = ? AND deleted_at IS NULL AND "
                                      "owed_fen > paid_fen + 10000 ORDER BY id LIMIT 2", (c1,))]
    return c1, c2, w1, w2


def snapshot(s: Store) -> str:
    """What the office holds: every record table's rows and the audit log's size."""
    h = hashlib.sha256()
    for t in ("case_record", "worker", "repayment", "case_status_log", "audit_log"):
        for row in s.query(f'SELECT * FROM "{t}" ORDER BY id'):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def liaison_work(db: Path, tmp_path: Path, name: str = "回报1.qqpkg") -> tuple[dict, Path]:
    li = liaison_store(db)
    try:
        c1, c2, w1, _w2 = two_cases(li)
        service_for(li, "cases").update(c1, {"notes": "联络员已约谈企业负责人"})
        service_for(li, "cases").update(c2, {"summary": "联络员核实后的情况"})
        service_for(li, "repayments").insert({"case_id": c1, "worker_id": w1, "paid_on": "2026-11-25",
                                              "amount_fen": 10000, "payer": "企业"})
        service_for(li, "workers").insert({"case_id": c1, "name": "新登记工人", "id_number": "110101199003077774",
                                           "owed_fen": 50000})
        out = tmp_path / name
        summary = liaison.make_return(li, out, now=NOW)
    finally:
        li.close()
    return summary, out


def test_liaison_account_changes_only_its_workstream(office, tmp_path):
    db = set_up_liaison(office, tmp_path)
    li = liaison_store(db)
    try:
        assert li.actor.role == "专班填报员" and li.actor.workstream_name == WS
        other = li.scalar("SELECT id FROM case_record WHERE workstream_id != ? AND deleted_at IS NULL LIMIT 1",
                          (li.actor.workstream_id,))
        with pytest.raises(PermissionDenied, match="只能修改本专班"):
            service_for(li, "cases").update(other, {"notes": "越权"})
        # only the liaison can log in there: the office's accounts came without passwords and switched off
        with pytest.raises(access.AuthError):
            access.login(li, "office", "secret1")
        assert [a["username"] for a in access.accounts(li) if a["active"]] == ["zhang"]
    finally:
        li.close()


def test_round_trip_merges_keeps_the_clash_and_rolls_up_once(office, tmp_path):
    db = set_up_liaison(office, tmp_path)
    sent, pkg = liaison_work(db, tmp_path)
    assert sent["changes"] == {"case_record": 2, "worker": 1, "repayment": 1}     # facts only: no roll-up rows
    c1, c2, w1, w2 = two_cases(office)
    # the office works meanwhile: the same field of c2, and a repayment to another worker of c1
    service_for(office, "cases").update(c2, {"summary": "办公室改写的情况"})
    service_for(office, "repayments").insert({"case_id": c1, "worker_id": w2, "paid_on": "2026-11-24",
                                              "amount_fen": 20000, "payer": "企业"})
    before = dict(office.one("SELECT w_count, w_owed_fen, w_paid_fen FROM case_record WHERE id = ?", (c1,)))
    paid_w1 = office.scalar("SELECT paid_fen FROM worker WHERE id = ?", (w1,))

    got = liaison_apply.apply_return(office, pkg, now=NOW)
    assert (got["kind"], got["workstream"], got["liaison"], got["sequence"]) == ("liaison_return", WS, "张联络", 1)
    assert (got["added"], got["changed"], got["unchanged"]) == (2, 1, 0)
    assert got["backup"] and Path(got["backup"]).is_file()
    [clash] = got["conflicts"]
    assert (clash["table"], clash["record_id"], clash["kind"]) == ("case_record", c2, "update")
    assert [(f["field"], f["office"], f["liaison"], f["differs"]) for f in clash["fields"]] == \
           [("summary", "办公室改写的情况", "联络员核实后的情况", True)]

    # merged: the untouched record took the liaison's value; the clash kept the office's
    assert office.scalar("SELECT notes FROM case_record WHERE id = ?", (c1,)) == "联络员已约谈企业负责人"
    assert office.scalar("SELECT summary FROM case_record WHERE id = ?", (c2,)) == "办公室改写的情况"
    # derived columns: each side's repayment and the new worker counted once
    after = dict(office.one("SELECT w_count, w_owed_fen, w_paid_fen FROM case_record WHERE id = ?", (c1,)))
    assert after == {"w_count": before["w_count"] + 1, "w_owed_fen": before["w_owed_fen"] + 50000,
                     "w_paid_fen": before["w_paid_fen"] + 10000}
    assert office.scalar("SELECT paid_fen FROM worker WHERE id = ?", (w1,)) == paid_w1 + 10000
    live = office.one("SELECT COUNT(*), SUM(owed_fen), SUM(paid_fen) FROM worker WHERE case_id = ? "
                      "AND deleted_at IS NULL", (c1,))
    assert tuple(live) == (after["w_count"], after["w_owed_fen"], after["w_paid_fen"])
    # audited under the liaison's name
    users = {r["table_name"]: r["user"] for r in office.query(
        "SELECT table_name, user FROM audit_log WHERE reason LIKE '专班回报包%' AND action IN ('insert', 'update')")}
    assert users.get("repayment") == users.get("worker") == users.get("case_record") == "张联络（回报包）"
    # the office account that applied the return is named too: in the reasons and the receive row
    assert office.scalar("SELECT user FROM audit_log WHERE action = 'receive' AND table_name = 'exchange' "
                         "ORDER BY id DESC LIMIT 1") == office.user
    assert f"{office.user} 接收" in office.scalar("SELECT reason FROM audit_log WHERE table_name = 'worker' "
                                                "AND reason LIKE '专班回报包%' LIMIT 1")
    assert office.scalar("SELECT COUNT(*) FROM worker WHERE name = '新登记工人'") == 1

    # decided: the liaison's value, written and audited as the liaison's change
    liaison_decide.decide(office, clash["id"], "liaison")
    assert office.scalar("SELECT summary FROM case_record WHERE id = ?", (c2,)) == "联络员核实后的情况"
    assert liaison_decide.clashes(office) == []
    row = office.one("SELECT user, reason FROM audit_log WHERE table_name = 'case_record' AND record_id = ? "
                     "AND action = 'update' ORDER BY id DESC LIMIT 1", (c2,))
    assert row["user"] == "张联络（回报包）" and "王主任" in row["reason"]
    assert office.scalar("SELECT user FROM audit_log WHERE action = 'decide'") == "王主任"
    with pytest.raises(liaison_decide.DecideError, match="已裁定"):
        liaison_decide.decide(office, clash["id"], "office")


def test_a_second_return_carries_only_what_changed_after_the_first(office, tmp_path):
    db = set_up_liaison(office, tmp_path)
    _sent, pkg = liaison_work(db, tmp_path)
    liaison_apply.apply_return(office, pkg, now=NOW)
    li = liaison_store(db)
    try:
        new_worker = li.scalar("SELECT id FROM worker WHERE name = '新登记工人'")
        service_for(li, "workers").update(new_worker, {"phone": "13800001111"})
        second = liaison.make_return(li, tmp_path / "回报2.qqpkg", now=NOW)
        with pytest.raises(PackageRefused, match="没有改动"):
            liaison.make_return(li, tmp_path / "回报3.qqpkg", now=NOW)
    finally:
        li.close()
    assert second["sequence"] == 2 and second["changes"] == {"worker": 1}
    got = liaison_apply.apply_return(office, tmp_path / "回报2.qqpkg", now=NOW)
    assert (got["added"], got["changed"], got["conflicts"]) == (0, 1, [])
    assert office.scalar("SELECT phone FROM worker WHERE name = '新登记工人'") == "13800001111"


def test_a_change_outside_the_workstream_refuses_the_whole_return(office, tmp_path):
    db = set_up_liaison(office, tmp_path)
    li = liaison_store(db)
    try:
        c1 = two_cases(li)[0]
        service_for(li, "cases").update(c1, {"notes": "本专班的改动"})
        other = li.scalar("SELECT id FROM case_record WHERE workstream_id != ? LIMIT 1", (li.actor.workstream_id,))
        with access.as_system(li), li.tx():             # as if the liaison's file had been edited by hand
            li.execute("UPDATE case_record SET notes = '越权改动' WHERE id = ?", (other,))
        liaison.make_return(li, tmp_path / "越权.qqpkg", now=NOW)
    finally:
        li.close()
    before = snapshot(office)
    with pytest.raises(PackageRefused, match="超出联络员权限"):
        liaison_apply.apply_return(office, tmp_path / "越权.qqpkg", now=NOW, backup=False)
    assert snapshot(office) == before


def test_refused_returns_change_nothing(office, tmp_path):
    db = set_up_liaison(office, tmp_path)
    _sent, pkg = liaison_work(db, tmp_path)

    # the office as it was before that copy was made (a copy it does not know)
    earlier = tmp_path / "earlier.sqlite"
    liaison.make_copy(office, tmp_path / "另一副本.qqpkg", "信访维稳工作专班", now=NOW)
    from models.backup import backup_to
    backup_to(office.conn, earlier)
    e = Store(earlier)
    e.actor = access.login(e, "office", "secret1")
    e.execute("DELETE FROM exchange_liaison_copy WHERE workstream = ?", (WS,))
    try:
        before = snapshot(e)
        with pytest.raises(PackageRefused, match="不是本数据库发出的"):
            liaison_apply.apply_return(e, pkg, now=NOW, backup=False)
        assert snapshot(e) == before
    finally:
        e.close()

    # another office
    other_path = tmp_path / "other-office.sqlite"
    demo.build_demo(other_path, "township", seed=8, today=TODAY, _cases=10, _workers=50)
    other = Store(other_path)
    try:
        liaison.make_copy(other, tmp_path / "别处副本.qqpkg", WS, now=NOW)
        before = snapshot(other)
        with pytest.raises(PackageRefused, match="另一个办公室"):
            liaison_apply.apply_return(other, pkg, now=NOW, backup=False)
        assert snapshot(other) == before
    finally:
        other.close()

    # altered and truncated
    raw = pkg.read_bytes()
    altered = tmp_path / "altered.qqpkg"
    with zipfile.ZipFile(pkg) as z:
        info = z.getinfo("content.sqlite")
    i = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    altered.write_bytes(raw[:i] + bytes([raw[i] ^ 0xFF]) + raw[i + 1:])
    truncated = tmp_path / "truncated.qqpkg"
    truncated.write_bytes(raw[: len(raw) // 2])
    before = snapshot(office)
    for bad in (altered, truncated):
        with pytest.raises(PackageRefused) as exc:
            liaison_apply.apply_return(office, bad, now=NOW, backup=False)
        assert "\n" not in str(exc.value) and bad.name in str(exc.value)
        assert snapshot(office) == before

    # a copy is no return; applied once, the same return is refused the second time
    with pytest.raises(PackageRefused, match="不是专班回报包|只接收专班回报包"):
        liaison_apply.apply_return(office, tmp_path / "副本.qqpkg", now=NOW, backup=False)
    liaison_apply.apply_return(office, pkg, now=NOW, backup=False)
    before = snapshot(office)
    with pytest.raises(PackageRefused, match="此前已应用"):
        liaison_apply.apply_return(office, pkg, now=NOW, backup=False)
    assert snapshot(office) == before


def test_clash_decided_in_the_window(office, tmp_path, qtbot, app_font):
    from views.exchange.clash_dialog import ClashDialog
    db = set_up_liaison(office, tmp_path)
    _sent, pkg = liaison_work(db, tmp_path)
    c1, c2, _w1, _w2 = two_cases(office)
    service_for(office, "cases").update(c2, {"summary": "办公室改写的情况"})
    service_for(office, "cases").update(c1, {"notes": "办公室的备注"})
    got = liaison_apply.apply_return(office, pkg, now=NOW, backup=False)
    assert len(got["conflicts"]) == 2

    dialog = ClashDialog(office)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.list.count() == 2 and dialog.table.rowCount() == 1
    assert [dialog.table.item(0, c).text() for c in (0, 2, 3)] == ["备注", "办公室的备注", "联络员已约谈企业负责人"]
    assert dialog.table.item(0, 2).background().color().name() == "#fff4c2"
    shot = tmp_path / "clash_dialog.png"
    dialog.grab().save(str(shot))
    assert shot.stat().st_size > 10_000
    with qtbot.waitSignal(dialog.decided):
        dialog.keep_liaison.click()
    assert office.scalar("SELECT notes FROM case_record WHERE id = ?", (c1,)) == "联络员已约谈企业负责人"
    assert dialog.list.count() == 1
    with qtbot.waitSignal(dialog.decided):
        dialog.keep_office.click()
    assert office.scalar("SELECT summary FROM case_record WHERE id = ?", (c2,)) == "办公室改写的情况"
    assert dialog.list.count() == 0 and dialog.status.text() == "没有待裁定的冲突"
    decisions = [json.loads(r["after"])["保留"] for r in office.query(
        "SELECT after FROM audit_log WHERE action = 'decide' ORDER BY id")]
    assert decisions == ["联络员的值", "办公室的值"]


def test_records_both_sides_added(office, tmp_path):
    """A case both sides registered under the same next 编号: the liaison's gets the next free
    one, its workers follow it; an employer both added under the same name is one employer."""
    db = set_up_liaison(office, tmp_path)
    ws = office.scalar("SELECT id FROM workstream WHERE name = ?", (WS,))
    new_case = {"registered_on": "2026-11-25", "employer_name": "青山县新来建筑有限公司", "workstream_id": ws,
                "amount_fen": 300000, "workers_count": 3, "source": "信访来信"}
    li = liaison_store(db)
    try:
        mine = service_for(li, "cases").insert(dict(new_case, summary="联络员登记"))
        service_for(li, "workers").insert({"case_id": mine, "name": "甲", "owed_fen": 70000})
        with li.tx():
            li.insert("employer", {"name": "青山县新来建筑有限公司"})
        number = li.scalar("SELECT case_no FROM case_record WHERE id = ?", (mine,))
        liaison.make_return(li, tmp_path / "新增.qqpkg", now=NOW)
    finally:
        li.close()
    theirs = service_for(office, "cases").insert(dict(new_case, summary="办公室登记"))
    with office.tx():
        office.insert("employer", {"name": "青山县新来建筑有限公司"})
    assert office.scalar("SELECT case_no FROM case_record WHERE id = ?", (theirs,)) == number

    got = liaison_apply.apply_return(office, tmp_path / "新增.qqpkg", now=NOW, backup=False)
    assert got["conflicts"] == []
    [renumbered] = got["renumbered"]
    assert renumbered["from"] == number and renumbered["to"] > number
    case = office.one("SELECT id, summary, w_count, w_owed_fen FROM case_record WHERE case_no = ?", (renumbered["to"],))
    assert (case["summary"], case["w_count"], case["w_owed_fen"]) == ("联络员登记", 1, 70000)
    assert office.scalar("SELECT summary FROM case_record WHERE case_no = ?", (number,)) == "办公室登记"
    assert office.scalar("SELECT COUNT(*) FROM employer WHERE name = '青山县新来建筑有限公司'") == 1


def test_deleted_on_one_side_changed_on_the_other(office, tmp_path):
    """The liaison deleted a worker the office changed (a clash: keeping the liaison's side
    deletes it, the case's totals follow); the office deleted a worker the liaison changed
    (kept as a clash only the office's side can win)."""
    db = set_up_liaison(office, tmp_path)
    free = office.query("SELECT w.id FROM worker w JOIN case_record c ON c.id = w.case_id JOIN workstream s "
                        "ON s.id = c.workstream_id WHERE s.name = ? AND w.deleted_at IS NULL AND NOT EXISTS "
                        "(SELECT 1 FROM repayment p WHERE p.worker_id = w.id) AND NOT EXISTS (SELECT 1 FROM "
                        "fund_allocation a WHERE a.worker_id = w.id) ORDER BY w.id LIMIT 2", (WS,))
    gone_there, gone_here = free[0][0], free[1][0]
    li = liaison_store(db)
    try:
        with li.tx():
            li.execute("DELETE FROM worker WHERE id = ?", (gone_there,))
        service_for(li, "workers").update(gone_here, {"trade": "钢筋工（联络员）"})
        liaison.make_return(li, tmp_path / "删除.qqpkg", now=NOW)
    finally:
        li.close()
    service_for(office, "workers").update(gone_there, {"trade": "木工（办公室）"})
    with office.tx():
        office.execute("DELETE FROM worker WHERE id = ?", (gone_here,))
    case = office.scalar("SELECT case_id FROM worker WHERE id = ?", (gone_there,))
    w_count = office.scalar("SELECT w_count FROM case_record WHERE id = ?", (case,))

    got = liaison_apply.apply_return(office, tmp_path / "删除.qqpkg", now=NOW, backup=False)
    kinds = {c["kind"]: c for c in got["conflicts"]}
    assert set(kinds) == {"delete", "missing"}
    assert kinds["delete"]["record_id"] == gone_there and kinds["missing"]["record_id"] is None
    with pytest.raises(liaison_decide.DecideError, match="只能保留办公室"):
        liaison_decide.decide(office, kinds["missing"]["id"], "liaison")
    liaison_decide.decide(office, kinds["missing"]["id"], "office")
    liaison_decide.decide(office, kinds["delete"]["id"], "liaison")
    assert office.scalar("SELECT COUNT(*) FROM worker WHERE id = ?", (gone_there,)) == 0
    assert office.scalar("SELECT w_count FROM case_record WHERE id = ?", (case,)) == w_count - 1
    assert liaison_decide.clashes(office) == []
