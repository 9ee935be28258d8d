"""models.ledger.effects: whatever the sequence of writes (typed, imported in a batch, moved,
recycled, restored, changed), each case's worker totals equal the sum of its live workers, each
worker's 实发 its own base plus its live repayments, each case's 已付 its base plus its live
repayments without a worker, and the search index holds exactly the live text."""
from __future__ import annotations

import random

import pytest

from models.ledger import effects, registry
from models.ledger.repo import LedgerRepo, trigram_match


def _repos(store):
    return (LedgerRepo(store, registry.get("cases")), LedgerRepo(store, registry.get("workers")),
            LedgerRepo(store, registry.get("repayments")))


def _expected_paid(store, bases_w, bases_c):
    w = {r[0]: bases_w.get(r[0], 0) + r[1] for r in store.query(
        "SELECT w.id, COALESCE((SELECT SUM(amount_fen) FROM repayment r WHERE r.worker_id = w.id "
        "AND r.deleted_at IS NULL), 0) FROM worker w")}
    c = {r[0]: bases_c.get(r[0], 0) + r[1] for r in store.query(
        "SELECT c.id, COALESCE((SELECT SUM(amount_fen) FROM repayment r WHERE r.case_id = c.id "
        "AND r.worker_id IS NULL AND r.deleted_at IS NULL), 0) FROM case_record c")}
    return w, c


def _assert_consistent(store, bases_w, bases_c):
    bad = store.query(
        "SELECT c.case_no FROM case_record c LEFT JOIN (SELECT case_id, COUNT(*) n, SUM(owed_fen) o, "
        "SUM(paid_fen) p FROM worker WHERE deleted_at IS NULL GROUP BY case_id) w ON w.case_id = c.id "
        "WHERE c.w_count != COALESCE(w.n, 0) OR c.w_owed_fen != COALESCE(w.o, 0) OR c.w_paid_fen != COALESCE(w.p, 0)")
    assert [r[0] for r in bad] == []
    want_w, want_c = _expected_paid(store, bases_w, bases_c)
    assert dict(store.query("SELECT id, paid_fen FROM worker")) == want_w
    assert dict(store.query("SELECT id, paid_fen FROM case_record")) == want_c
    store.execute("INSERT INTO worker_fts(worker_fts) VALUES ('integrity-check')")
    store.execute("INSERT INTO case_fts(case_fts) VALUES ('integrity-check')")
    for name, in store.query("SELECT DISTINCT name FROM worker"):
        found = {r[0] for r in store.query("SELECT rowid FROM worker_fts WHERE worker_fts MATCH ?",
                                           (trigram_match(name),))}
        assert found == {r[0] for r in store.query("SELECT id FROM worker WHERE name LIKE ?", (f"%{name}%",))}


def test_no_trigger_does_the_effects_work(campaign_store):
    names = {r[0] for r in campaign_store.query("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert not names & set(effects.REPLACED_TRIGGERS)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_keep_every_total(campaign_store, seed):
    rng = random.Random(seed)
    s = campaign_store
    cases, workers, repays = _repos(s)
    case_ids = [cases.insert({"case_no": f"E{seed}-{i}", "registered_on": "2026-11-02"}) for i in range(4)]
    bases_w: dict[int, int] = {}
    bases_c: dict[int, int] = {}
    worker_ids: list[int] = []
    pay_ids: list[int] = []
    for step in range(120):
        op = rng.choice(["add_worker", "add_worker", "pay", "pay", "pay_case", "move", "edit", "recycle_w",
                         "restore_w", "recycle_p", "restore_p", "edit_pay", "rename"])
        if op == "add_worker" or not worker_ids:
            base = rng.choice([0, 0, 5000])
            wid = workers.insert({"case_id": rng.choice(case_ids), "name": rng.choice(["张伟民", "李娜娜", "王强强"]),
                                  "owed_fen": 100000, "paid_fen": base})
            bases_w[wid] = base
            worker_ids.append(wid)
        elif op == "pay":
            wid = rng.choice(worker_ids)
            cid = s.scalar("SELECT case_id FROM worker WHERE id = ?", (wid,))
            pay_ids.append(repays.insert({"case_id": cid, "worker_id": wid, "paid_on": "2026-11-20",
                                          "amount_fen": rng.choice([100, 2500])}))
        elif op == "pay_case":
            pay_ids.append(repays.insert({"case_id": rng.choice(case_ids), "paid_on": "2026-11-21",
                                          "amount_fen": 700}))
        elif op == "move":
            wid = rng.choice(worker_ids)
            with s.tx(), effects.tracking(s.conn, "worker", [wid]):      # a raw move, handed to the effects
                s.execute("UPDATE worker SET case_id = ? WHERE id = ?", (rng.choice(case_ids), wid))
                s.execute("UPDATE repayment SET case_id = (SELECT case_id FROM worker WHERE id = ?) "
                          "WHERE worker_id = ?", (wid, wid))
        elif op == "edit":
            workers.update(rng.choice(worker_ids), {"owed_fen": rng.choice([90000, 100000, 120000])})
        elif op == "recycle_w":
            workers.recycle([rng.choice(worker_ids)])
        elif op == "restore_w":
            workers.restore([rng.choice(worker_ids)])
        elif op == "recycle_p" and pay_ids:
            repays.recycle([rng.choice(pay_ids)])
        elif op == "restore_p" and pay_ids:
            repays.restore([rng.choice(pay_ids)])
        elif op == "edit_pay" and pay_ids:
            repays.update(rng.choice(pay_ids), {"amount_fen": rng.choice([100, 300, 2500])})
        elif op == "rename":
            workers.update(rng.choice(worker_ids), {"name": rng.choice(["赵敏敏", "张伟民", "钱多多"])})
        if step % 20 == 19:
            _assert_consistent(s, bases_w, bases_c)
    _assert_consistent(s, bases_w, bases_c)


def test_a_batch_and_one_by_one_end_the_same(campaign_store, tmp_path):
    """The same writes handed over one record at a time or all at once: the same figures."""
    s = campaign_store
    cases, workers, repays = _repos(s)
    cid = cases.insert({"case_no": "B-1", "registered_on": "2026-11-02"})
    tracker = effects.Tracker(s.conn)
    with s.tx():
        for t in effects.TRACKED:
            tracker.before(t, new_above=True)
        for i in range(50):
            s.execute("INSERT INTO worker(uuid, case_id, name, owed_fen) VALUES (qq_uuid(), ?, ?, 1000)",
                      (cid, f"批量{i}"))
        s.execute("INSERT INTO repayment(uuid, case_id, worker_id, paid_on, amount_fen) "
                  "SELECT qq_uuid(), case_id, id, '2026-11-25', 400 FROM worker")
        s.execute("INSERT INTO repayment(uuid, case_id, worker_id, paid_on, amount_fen) "
                  "SELECT qq_uuid(), case_id, id, '2026-11-26', 100 FROM worker WHERE id % 2 = 0")
        tracker.after()
    row = s.one("SELECT w_count, w_owed_fen, w_paid_fen, last_activity_on FROM case_record WHERE id = ?", (cid,))
    assert tuple(row) == (50, 50_000, 50 * 400 + 25 * 100, "2026-11-26")
    # one audited change of the worker per repayment, in order, as when typed
    rows = s.query("SELECT json_extract(before, '$.paid_fen'), json_extract(after, '$.paid_fen') FROM audit_log "
                   "WHERE table_name = 'worker' AND action = 'update' AND record_id = "
                   "(SELECT MIN(id) FROM worker WHERE id % 2 = 0)")
    assert [tuple(r) for r in rows] == [(0, 400), (400, 500)]
    _assert_consistent(s, {}, {})


def test_a_write_while_a_long_list_is_still_being_read(campaign_store):
    """The window reads a long list in pieces on its own connection; a save meanwhile must not
    fail (SQLite refuses to drop a table while a read on the connection is unfinished)."""
    s = campaign_store
    cases, workers, _repays = _repos(s)
    cid = cases.insert({"case_no": "R-1", "registered_on": "2026-11-02"})
    ids = [workers.insert({"case_id": cid, "name": f"读取中{i}", "owed_fen": 100}) for i in range(30)]
    cur = s.conn.cursor()
    cur.execute("SELECT id FROM worker ORDER BY id")
    assert len(cur.fetchmany(5)) == 5                  # a read left open
    workers.update(ids[0], {"owed_fen": 900})
    workers.insert({"case_id": cid, "name": "读取中新增", "owed_fen": 50})
    assert len(cur.fetchall()) >= 25                  # (it may see the row added meanwhile)
    assert tuple(s.one("SELECT w_count, w_owed_fen FROM case_record WHERE id = ?", (cid,))) == (31, 29 * 100 + 900 + 50)
    workers.update(ids[1], {"owed_fen": 200})          # and the next write tidies up after the first
    assert s.query("SELECT name FROM temp.sqlite_master WHERE name LIKE 'qq_fx%'") == []
    _assert_consistent(s, {}, {})


def test_a_tracked_write_inside_a_tracked_batch_counts_once(campaign_store):
    s = campaign_store
    cases, workers, repays = _repos(s)
    cid = cases.insert({"case_no": "N-1", "registered_on": "2026-11-02"})
    w1 = workers.insert({"case_id": cid, "name": "嵌套一", "owed_fen": 10_000, "paid_fen": 5000})
    w2 = workers.insert({"case_id": cid, "name": "嵌套二", "owed_fen": 10_000})
    with s.tx(), effects.tracking(s.conn, "worker", [w1, w2]):
        s.execute("UPDATE worker SET owed_fen = 12000 WHERE id = ?", (w1,))
        repays.insert({"case_id": cid, "worker_id": w2, "paid_on": "2026-11-20", "amount_fen": 1000})
    assert tuple(s.one("SELECT w_owed_fen, w_paid_fen FROM case_record WHERE id = ?", (cid,))) == (22_000, 6000)
    _assert_consistent(s, {w1: 5000}, {})
