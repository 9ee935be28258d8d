"""Demo townships that differ by name and seed, a small demo county made of their 报送包, and the
demo / backup / restore command lines. No Qt."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from conftest import TODAY
from models import demo
from models.db import Store
from models.exchange import county as county_mod, identity
from models.exchange.export import export_package
from models.exchange.receive import township_store, townships_dir
from models.figures import figures
from test_demo import check_people_and_numbers, consistency_problems

TOWNS = [("白鹤镇", 11), ("龙凤镇", 12), ("河口乡", 13)]


def _rows(path: Path, sql: str) -> list[tuple]:
    c = sqlite3.connect(str(path))
    try:
        return [tuple(r) for r in c.execute(sql)]
    finally:
        c.close()


@pytest.fixture(scope="module")
def towns(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    root = tmp_path_factory.mktemp("towns")
    out = {}
    for name, seed in TOWNS:
        path = root / f"{name}.sqlite"
        out[name] = (path, demo.build_demo(path, "township", township=name, seed=seed, today=TODAY,
                                           _cases=30, _workers=240))
    return out


def test_three_townships_from_seeds_differ(towns):
    codes = {s["code"] for _, s in towns.values()}
    assert codes == {"511234102", "511234103", demo.township_place("河口乡").code}
    assert all(len(c) == 9 and c.startswith("511234") for c in codes)
    seen: dict[str, set] = {}
    for name, (path, s) in towns.items():
        assert s["township"] == name and s["county"] == "青山县" and s["cases"] == 30
        st = Store(path, read_only=True)
        try:
            unit = identity.unit(st)
            assert (unit.level, unit.name, unit.code, unit.county_name, unit.county_code) == \
                ("township", name, s["code"], "青山县", "511234")
        finally:
            st.conn.close()
        unit_of_campaign = _rows(path, "SELECT unit FROM campaign")[0][0]
        assert unit_of_campaign == f"青山县{name}人民政府"
        # nothing of 青山镇 is left in the township's own records (the county is still 青山县)
        for table, col in (("employer", "name"), ("employer", "address"), ("project", "name"),
                           ("project", "address"), ("person", "unit"), ("case_record", "summary"),
                           ("repayment", "payer"), ("asset_item", "location"), ("fund", "account")):
            left = _rows(path, f"SELECT COUNT(*) FROM {table} WHERE replace({col}, '青山县', '') LIKE '%青山%'")
            assert left == [(0,)], (name, table, col)
        for key, sql in (("employers", "SELECT name FROM employer"), ("people", "SELECT name FROM person"),
                         ("amounts", "SELECT amount_fen FROM case_record"),
                         ("ids", "SELECT id_number FROM worker")):
            values = {r[0] for r in _rows(path, sql)}
            for other in seen.get(key, []):
                assert values != other, (name, key)
            seen.setdefault(key, []).append(values)
    # firms differ from township to township, projects too
    emps = [set(r[0] for r in _rows(p, "SELECT name FROM employer")) for p, _ in towns.values()]
    assert len(emps[0] & emps[1]) < len(emps[0]) // 2 and len(emps[1] & emps[2]) < len(emps[1]) // 2
    titles = {r[0] for r in _rows(towns["河口乡"][0], "SELECT title FROM person")}
    assert "乡党委副书记、乡长" in titles and not any("镇" in t for t in titles)


def test_named_townships_pass_the_ledger_rules(towns):
    for path, _ in towns.values():
        c = sqlite3.connect(str(path))
        c.row_factory = sqlite3.Row
        assert consistency_problems(c, TODAY, strict=False) == []
        assert check_people_and_numbers(c, TODAY) == []
        c.close()


def test_a_named_township_sends_its_package_at_once(towns, tmp_path):
    path, s = towns["白鹤镇"]
    copy = tmp_path / "copy.sqlite"
    from models.backup import backup_to
    src = Store(path, "测试")
    try:
        backup_to(src.conn, copy)
    finally:
        src.close()
    st = Store(copy, "报送员")
    try:
        got = export_package(st, tmp_path / "p.qqpkg", now=dt.datetime.combine(TODAY, dt.time(17)))
    finally:
        st.close()
    assert got["township"] == "白鹤镇" and got["code"] == s["code"] and got["sequence"] == 1


def test_same_name_and_seed_same_township(towns, tmp_path):
    path, _ = towns["龙凤镇"]
    again = tmp_path / "again.sqlite"
    demo.build_demo(again, "township", township="龙凤镇", seed=12, today=TODAY, _cases=30, _workers=240)
    cols = "case_no, employer_name, project_name, amount_fen, status, owner_person, summary"
    assert _rows(again, f"SELECT {cols} FROM case_record ORDER BY id") == \
        _rows(path, f"SELECT {cols} FROM case_record ORDER BY id")


def test_default_demo_names_no_township(tmp_path):
    """Without --township the demo is the one it always was: 青山镇, no 报送 identity set."""
    path = tmp_path / "d.sqlite"
    demo.build_demo(path, "township", today=TODAY, _cases=20, _workers=100, _extras=False)
    assert _rows(path, "SELECT unit FROM campaign") == [("青山县青山镇人民政府",)]
    assert _rows(path, "SELECT COUNT(*) FROM setting WHERE key LIKE 'exchange.%'") == [(0,)]


def test_a_big_township_is_written_as_an_import_is(tmp_path):
    """Above IMPORT_FROM cases a township goes through the write services and the bulk commit:
    audit rows, search index and roll-ups are there, and the ledger rules hold."""
    path = tmp_path / "big-town.sqlite"
    s = demo.build_demo(path, "township", township="石桥镇", seed=4, today=TODAY, _cases=1200, _workers=6000,
                        _extras=False)
    assert s["cases"] == 1200 and s["workers"] == 6000
    c = sqlite3.connect(str(path))
    c.row_factory = sqlite3.Row
    assert consistency_problems(c, TODAY) == []
    one = lambda sql: c.execute(sql).fetchone()[0]   # noqa: E731
    assert one("SELECT COUNT(*) FROM audit_log WHERE table_name = 'worker' AND action = 'insert'") == 6000
    assert one("SELECT COUNT(*) FROM audit_log WHERE table_name = 'case_record' AND action = 'insert'") == 1200
    assert one("SELECT COUNT(*) FROM worker_fts") == 6000
    assert one("SELECT COUNT(*) FROM audit_log WHERE action = 'bulk'") == 0
    c.close()


# -- a small county ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_county(tmp_path_factory):
    path = tmp_path_factory.mktemp("county") / "县.sqlite"
    return path, demo.build_demo(path, "county", today=TODAY, townships=3, _cases=90, _workers=600, seed=5)


def test_small_county_receives_its_townships(small_county):
    path, s = small_county
    assert s["scale"] == "county" and s["county"] == "青山县" and len(s["townships"]) == 3
    assert s["cases"] == 90
    st = Store(path, "县办公室")
    try:
        unit = identity.unit(st)
        assert unit.level == "county" and unit.name == "青山县" and unit.code == "511234"
        cf = county_mod.county_figures(st, TODAY)
        rows = st.query("SELECT name, code, file, as_of FROM exchange_township ORDER BY code")
    finally:
        st.close()
    assert [r["code"] for r in rows] == ["511234101", "511234102", "511234103"]
    assert [r["name"] for r in rows] == [t["name"] for t in s["townships"]]
    assert len({t["cases"] for t in s["townships"]}) > 1          # townships differ in size
    # the county total is the sum of the townships; each line is its township's own figures
    for key in ("cases", "workers", "owed_fen", "paid_fen", "overdue", "stalled"):
        assert cf.totals[key] == sum(t[key] for t in cf.townships), key
    for r, line in zip(rows, cf.townships):
        assert (townships_dir(path) / r["file"]).is_file()
        ts = township_store(path, r["file"])
        try:
            own = figures(ts, dt.datetime.fromisoformat(r["as_of"]).date()).values
        finally:
            ts.conn.close()
        assert {k: line[k] for k in own} == dict(own)
    # the working files are gone: only the county, its townships' folder (and nothing else)
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([path.name, townships_dir(path).name])


def test_county_refuses_a_database_with_data(small_county):
    path, _ = small_county
    with pytest.raises(ValueError, match="已有数据|不为空"):
        demo.build_demo(path, "county", today=TODAY, townships=2, _cases=10, _workers=40)


def test_county_cancel_leaves_nothing(tmp_path):
    class Stop(Exception):
        pass

    def progress(done, total, text):
        if "第 2/" in text:
            raise Stop

    path = tmp_path / "c.sqlite"
    with pytest.raises(Stop):
        demo.build_demo(path, "county", today=TODAY, townships=2, _cases=20, _workers=80, progress=progress,
                        _extras=False)
    assert list(tmp_path.iterdir()) == []


def test_county_shares_sum_to_the_totals():
    import random
    from models.demo.county import shares, workers_for
    rng = random.Random(1)
    parts = shares(rng, 100_000, 30)
    assert sum(parts) == 100_000 and len(parts) == 30 and min(parts) >= 1 and max(parts) > 2 * min(parts)
    workers = workers_for(rng, parts, 1_000_000)
    assert sum(workers) == 1_000_000
    per_case = [w / c for w, c in zip(workers, parts)]
    assert 4 <= min(per_case) and max(per_case) <= 25        # each township near the county's 10 a case
    assert workers_for(rng, [5, 5], 3) == [5, 5]              # never fewer workers than cases


# -- the command line ---------------------------------------------------------------------------------
def _run(monkeypatch, capsys, *argv):
    import io
    import sys
    from desktop import cli
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.delenv("QINGQIAN_PASSWORD", raising=False)
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_demo_township_chinese_and_json(tmp_path, monkeypatch, capsys):
    db = tmp_path / "t.sqlite"
    code, out, err = _run(monkeypatch, capsys, "demo", "--db", db, "--township", "凤鸣镇", "--seed", "8",
                          "--cases", "20", "--workers", "120", "--today", TODAY.isoformat())
    assert code == 0, err
    assert out.startswith("已生成青山县凤鸣镇（代码 511234109）的演示数据：欠薪问题 20 件，涉及农民工 ")
    assert "package export" in out and "{" not in out
    db2 = tmp_path / "t2.sqlite"
    code, out, err = _run(monkeypatch, capsys, "demo", "--db", db2, "--township", "凤鸣镇", "--seed", "9",
                          "--cases", "20", "--workers", "120", "--today", TODAY.isoformat(), "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["township"] == "凤鸣镇" and got["code"] == "511234109" and got["cases"] == 20
    # the same township drawn with another seed: other cases
    assert _rows(db, "SELECT amount_fen FROM case_record") != _rows(db2, "SELECT amount_fen FROM case_record")
    code, out, err = _run(monkeypatch, capsys, "package", "export", "--db", db2, "--out", tmp_path / "p.qqpkg",
                          "--json")
    assert code == 0, err


def test_cli_demo_county(tmp_path, monkeypatch, capsys):
    db = tmp_path / "c.sqlite"
    code, out, err = _run(monkeypatch, capsys, "demo", "--db", db, "--scale", "county", "--townships", "2",
                          "--cases", "16", "--workers", "60", "--today", TODAY.isoformat())
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("已生成县级演示数据：青山县（代码 511234），已接收 2 个乡镇的报送包；全县欠薪问题 16 件")
    assert lines[3].startswith("　　青山镇（511234101）：问题") and lines[4].startswith("　　白鹤镇（511234102）：问题")
    code, out, err = _run(monkeypatch, capsys, "figures", "--db", db, "--json", "--today", TODAY.isoformat())
    assert code == 0, err
    assert [t["name"] for t in json.loads(out)["townships"]] == ["青山镇", "白鹤镇"]


@pytest.mark.parametrize("argv, message", [
    (("--scale", "county", "--township", "白鹤镇"), "--township"),
    (("--townships", "3"), "--scale county"),
    (("--code", "511234101"), "--township"),
    (("--today", "2026/11/26"), "YYYY-MM-DD"),
])
def test_cli_demo_refusals(tmp_path, monkeypatch, capsys, argv, message):
    db = tmp_path / "x.sqlite"
    code, out, err = _run(monkeypatch, capsys, "demo", "--db", db, *argv)
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1
    assert not db.exists()


def test_cli_demo_refuses_a_database_with_cases(demo_db, monkeypatch, capsys):
    code, out, err = _run(monkeypatch, capsys, "demo", "--db", demo_db, "--cases", "5")
    assert code == 2 and "已有欠薪问题记录" in err and out == ""


def test_cli_backup_and_restore_chinese_and_json(demo_db, tmp_path, monkeypatch, capsys):
    to = tmp_path / "备份.sqlite"
    code, out, err = _run(monkeypatch, capsys, "backup", "--db", demo_db, "--to", to)
    assert code == 0, err
    assert out.strip() == f"已备份到：{to}"
    code, out, err = _run(monkeypatch, capsys, "backup", "--db", demo_db, "--json")
    assert code == 0, err
    assert Path(json.loads(out)["backup"]).is_file()
    code, out, err = _run(monkeypatch, capsys, "restore", to, "--db", demo_db)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0] == f"已从备份 {to} 恢复数据库：{demo_db}" and lines[1].startswith("恢复前的数据库另存为：")
    code, out, err = _run(monkeypatch, capsys, "restore", to, "--db", demo_db, "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["restored"] == str(demo_db) and Path(got["previous_kept_as"]).is_file()
