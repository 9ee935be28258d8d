"""Searches of three characters or more come from the trigram index, which keeps only which
records hold each run of three characters (step 18, ``detail=none``): they find exactly the
records holding the text itself in a searched field, as a plain scan finds them, whatever
the text holds (runs that repeat, runs found in different fields, quotes, LIKE's own
wildcards, an ID's X in either case), in id order and in any other order."""
from __future__ import annotations

import datetime as _dt
import random

import pytest

from models.db import Store
from models.ledger import registry
from models.ledger.repo import LedgerRepo, Query
from models.rules.idcard import make_valid_id

NAMES = ["欧阳建国", "张三", "李四光", "王五", "欧阳娜娜", "张三丰", "司马相如", "阿卜杜拉·买买提"]
TRADES = ["钢筋工", "木工", "瓦工", "杂工", "水电工", "钢筋工班长", "100%木工", "a_b工", 'say "hi"', "back\\slash"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store(tmp_path_factory.mktemp("search") / "s.sqlite", "测试员")
    rnd = random.Random(5)
    cases = LedgerRepo(s, registry.get("cases"))
    employers = ["白鹤建筑劳务公司", "青山建筑公司", "白鹤镇建筑劳务队", "100%劳务", "红星_建设"]
    case_ids = [cases.insert({"case_no": f"QQ-2026-{i:03d}", "registered_on": "2026-11-01",
                              "employer_name": employers[i % len(employers)],
                              "project_name": f"第{i}期安置房项目"}) for i in range(12)]
    workers = LedgerRepo(s, registry.get("workers"))
    for i in range(300):
        number = make_valid_id("511921", _dt.date(1990, rnd.randrange(1, 13), rnd.randrange(1, 29)),
                               rnd.randrange(1000)) if i % 3 else ""
        workers.insert({"case_id": rnd.choice(case_ids), "name": rnd.choice(NAMES), "id_number": number,
                        "trade": rnd.choice(TRADES)})
    yield s
    s.close()


def test_the_fixture_holds_what_the_searches_need(store):
    assert store.scalar("SELECT COUNT(*) FROM worker WHERE id_number LIKE '%X'") > 10
    assert store.scalar("SELECT COUNT(*) FROM worker WHERE id_number = ''") > 50


def _plain(s, kind, text):
    """The records holding ``text`` in a searched field, found by reading every one (ASCII
    letters in either case, as SQLite's LIKE and the index both take them)."""
    ledger = registry.get(kind)
    names = [f.name for f in ledger.search_fields]
    want = text.lower()
    return sorted(r[0] for r in s.query(f'SELECT id, {", ".join(names)} FROM "{ledger.table}" '
                                         "WHERE deleted_at IS NULL")
                  if any(want in (v or "").lower() for v in r[1:]))


def _texts(s, kind, rnd, n=60):
    ledger = registry.get(kind)
    values = [v for f in ledger.search_fields
              for (v,) in s.query(f'SELECT "{f.name}" FROM "{ledger.table}" WHERE "{f.name}" != \'\'')]
    out = {"1990", "19900", "x", "99X", "工工", "钢筋工", "欧阳", "欧阳娜", "三丰", "%木", "_b", "a_b", '"hi"',
           "\\sl", "QQ-2026-0", "劳务公", "建筑劳务", "安置房", "筋工班", "不存在的名字"}
    while len(out) < n:
        v = rnd.choice(values)
        k = rnd.randrange(3, min(len(v), 9) + 1) if len(v) >= 3 else len(v)
        start = rnd.randrange(0, len(v) - k + 1)
        piece = v[start:start + k]
        out.add(piece.lower() if rnd.random() < 0.3 else piece)
    return sorted(t for t in out if len(t) >= 3)


@pytest.mark.parametrize("kind", ["workers", "cases"])
def test_a_search_finds_what_a_scan_finds(store, kind):
    repo = LedgerRepo(store, registry.get(kind))
    sort = "name" if kind == "workers" else "employer_name"
    rnd = random.Random(9)
    texts = _texts(store, kind, rnd)
    found_any = 0
    for text in texts:
        want = _plain(store, kind, text)
        assert sorted(repo.ids(Query(search=text))) == want, text            # the index, in id order
        assert sorted(repo.ids(Query(search=text, sort=sort))) == want, text  # as a condition
        assert repo.count(Query(search=text)) == len(want), text
        found_any += bool(want)
    assert found_any > len(texts) // 2


def test_runs_of_a_text_found_apart_are_no_match(store):
    """A record holding every run of the text but not the text (here 欧阳 in the name and 阳娜娜
    in no field, or runs split between two fields) is not found."""
    repo = LedgerRepo(store, registry.get("workers"))
    w = repo.insert({"case_id": 1, "name": "欧阳娜", "trade": "阳娜娜班组", "id_number": ""})
    try:
        assert w not in repo.ids(Query(search="欧阳娜娜"))
        assert w in repo.ids(Query(search="欧阳娜"))
        assert w in repo.ids(Query(search="阳娜娜"))
    finally:
        repo.recycle([w])
