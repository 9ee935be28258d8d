"""One- and two-character searches come from the short-search index and find exactly the rows
LIKE '%…%' finds, after every kind of change."""
from __future__ import annotations

import random

from models.db import Store
from models.ledger import chars_index, registry
from models.ledger.repo import LedgerRepo, Query


KINDS = {"case_record": "cases", "worker": "workers"}
SEARCH_FIELDS = {t: tuple(f.name for f in registry.get(k).search_fields) for t, k in KINDS.items()}


def test_the_index_holds_every_search_field_that_can_hold_chinese():
    for table, fields in SEARCH_FIELDS.items():
        assert set(fields) - set(chars_index.INDEXES[table][1]) <= {"id_number"}


def _like_ids(s, table, text):
    fields = SEARCH_FIELDS[table]
    like = f"%{text}%"
    ors = " OR ".join(f'"{f}" LIKE ?' for f in fields)
    return sorted(r[0] for r in s.query(f'SELECT id FROM "{table}" WHERE {ors}', [like] * len(fields)))


def _index_ids(s, table, text):
    chars, _fields = chars_index.INDEXES[table]
    assert chars_index.catch_up(s, table)
    return sorted(r[0] for r in s.query(f"SELECT rowid FROM {chars} WHERE {chars} MATCH ?",
                                        (chars_index.phrase(text),)))


def _samples(s, table, n=40, seed=7):
    _chars, fields = chars_index.INDEXES[table]
    rng = random.Random(seed)
    texts = [v for f in fields for (v,) in s.query(f'SELECT "{f}" FROM "{table}" WHERE "{f}" != \'\' LIMIT 300')]
    out = set()
    while len(out) < n and texts:
        t = rng.choice(texts)
        k = rng.choice((1, 2))
        if len(t) >= k:
            i = rng.randrange(len(t) - k + 1)
            piece = t[i:i + k]
            if chars_index.phrase(piece):
                out.add(piece)
    return sorted(out) + ["欧阳", "Ⅱ"]


def test_short_searches_equal_like(demo_db):
    s = Store(demo_db)
    try:
        for table in chars_index.INDEXES:
            for text in _samples(s, table):
                assert _index_ids(s, table, text) == _like_ids(s, table, text), (table, text)
    finally:
        s.close()


def test_the_index_follows_every_change(demo_db):
    from models.ledger.service import service_for
    s = Store(demo_db)
    try:
        _index_ids(s, "worker", "伟")                       # indexed as it stands
        case_id = s.scalar("SELECT MIN(id) FROM case_record WHERE deleted_at IS NULL")
        workers = service_for(s, "workers", today=None)
        new_id = workers.insert({"case_id": case_id, "name": "欧阳娜", "owed_fen": 100})
        assert new_id in _index_ids(s, "worker", "欧阳")
        workers.update(new_id, {"name": "司马娜"})
        assert new_id not in _index_ids(s, "worker", "欧阳") and new_id in _index_ids(s, "worker", "司马")
        with s.tx("直接改动"):                                   # a raw write, audited by the triggers
            s.execute("UPDATE worker SET name = '上官娜' WHERE id = ?", (new_id,))
        assert _index_ids(s, "worker", "上官") == [new_id]
        with s.tx("删除"):
            s.execute("DELETE FROM worker WHERE id = ?", (new_id,))
        assert _index_ids(s, "worker", "上官") == []
        for text in ("娜", "司马", "伟"):
            assert _index_ids(s, "worker", text) == _like_ids(s, "worker", text)
    finally:
        s.close()


def test_the_ledger_search_uses_it_and_keeps_its_answer(demo_db):
    s = Store(demo_db)
    try:
        for kind, table in (("workers", "worker"), ("cases", "case_record")):
            repo = LedgerRepo(s, registry.get(kind))
            text = _samples(s, table, n=3)[0]
            sql, _params = repo.id_query(Query(search=text))
            assert chars_index.INDEXES[table][0] in sql
            assert sorted(repo.ids(Query(search=text))) == _like_ids(s, table, text)
            # punctuation, digits and Latin letters are not in the index: LIKE finds those
            for other in ("（", "12", "Q"):
                sql, _params = repo.id_query(Query(search=other))
                assert chars_index.INDEXES[table][0] not in sql
                assert sorted(repo.ids(Query(search=other))) == _like_ids(s, table, other)
    finally:
        s.close()


def test_a_database_that_cannot_be_written_searches_without_it(demo_db):
    s = Store(demo_db)
    try:
        _index_ids(s, "worker", "伟")
        case_id = s.scalar("SELECT MIN(id) FROM case_record")
        with s.tx("直接改动"):                                   # the index is now behind by one row
            s.execute("INSERT INTO worker(uuid, case_id, name) VALUES ('u-test-1', ?, '欧阳娜')", (case_id,))
        s.conn.execute("PRAGMA query_only = 1")                  # as a backup opened read-only
        assert chars_index.catch_up(s, "worker") is False
        repo = LedgerRepo(s, registry.get("workers"))
        sql, _params = repo.id_query(Query(search="欧阳"))
        assert "worker_chars" not in sql
        assert sorted(repo.ids(Query(search="欧阳"))) == _like_ids(s, "worker", "欧阳") != []
    finally:
        s.close()
