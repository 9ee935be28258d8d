"""The quick paths of a large import give exactly what the general ones give.

- the rows' verdicts (``importer._verdicts_fast``, taken when every key cell is filled in): the
  same problems in the same order (cells, the ledger's rules, keys repeated), the same actions
  and kept cells as the row-by-row loop (``importer._verdicts``), on a roster that has each kind
  of problem, and on one that has none;
- the plan's figures (problems, counts, totals, to_json) as the plain loops count them;
- the bulk insert's parameters (values, stamps, uuid joined as tuples): the rows stored as before.
"""
from __future__ import annotations

import datetime as dt
import random

import pytest

import models.io.importer as importer
from models.io.importer import commit_import, plan_import
from models.io.plan import compute_totals
from models.ledger import registry
from models.ledger.repo import LedgerRepo
from models.rules.idcard import make_valid_id

HEADER = ["序号", "姓名", "身份证号码", "联系电话", "银行卡号", "工种", "进场时间", "离场时间",
          "应发工资（元）", "实发工资（元）"]


def _roster(path, n: int, troubles: bool):
    import xlsxwriter
    rnd = random.Random(7)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("花名册")
    ws.write_string(0, 0, "某项目农民工工资花名册")
    ws.write_row(1, 0, HEADER)
    for i in range(n):
        r = i + 2
        ident = make_valid_id("511921", dt.date(1970, 1, 1) + dt.timedelta(days=i), i % 999 + 1)
        owed = rnd.randrange(100_000, 900_000) / 100
        paid = owed / 2
        name = "王" + "伟芳娜秀英"[i % 5] + "明"
        start, end = "2026-03-01", "2026-05-01"
        if troubles:
            if i % 97 == 5:
                ident = ident[:-1] + ("0" if ident[-1] != "0" else "1")       # a wrong check digit
            if i % 89 == 7:
                paid = owed + 1                                              # paid above owed
            if i % 83 == 3 and i > 10:
                ident = make_valid_id("511921", dt.date(1970, 1, 1) + dt.timedelta(days=i - 7), (i - 7) % 999 + 1)
            if i % 71 == 9:
                start, end = "2026-06-01", "2026-05-01"                      # dates out of order
            if i % 61 == 4:
                owed = "一百元"                                                # no amount at all
        ws.write_number(r, 0, i + 1)
        ws.write_string(r, 1, name)
        ws.write_string(r, 2, ident)
        ws.write_string(r, 3, "13" + str(rnd.randrange(10 ** 9)).zfill(9))
        ws.write_string(r, 4, "62" + str(rnd.randrange(10 ** 17)).zfill(17))
        ws.write_string(r, 5, "木工")
        ws.write_string(r, 6, start)
        ws.write_string(r, 7, end)
        if isinstance(owed, str):
            ws.write_string(r, 8, owed)
        else:
            ws.write_number(r, 8, owed)
        ws.write_number(r, 9, round(paid, 2))
    wb.close()
    return path


def _case(store):
    LedgerRepo(store, registry.get("cases")).insert({"case_no": "SPEED-1", "registered_on": "2026-11-01"})


def _rows(plan):
    return [(r.row, r.action, [(p.row, p.column, p.rule, p.message, p.field) for p in r.problems],
             r.cells, r.values) for r in plan.rows]


@pytest.mark.parametrize("troubles", [True, False])
def test_fast_verdicts_are_the_loops(store, tmp_path, monkeypatch, troubles):
    _case(store)
    path = _roster(tmp_path / "r.xlsx", 700, troubles)
    taken = []
    fast = importer._verdicts_fast

    def counted(*args):
        taken.append(1)
        return fast(*args)
    monkeypatch.setattr(importer, "_verdicts_fast", counted)
    quick = plan_import(store, path, "workers", case_no="SPEED-1")
    assert taken, "the quick path was not taken"

    def loop(plan, records, row_values, found_all, problems_at, keys, key_fields, field_col, base, ctx):
        importer._verdicts(plan, records, row_values, found_all, problems_at, keys, key_fields, field_col, base,
                           ctx, [], [], len(records))
    monkeypatch.setattr(importer, "_verdicts_fast", loop)
    slow = plan_import(store, path, "workers", case_no="SPEED-1")
    assert _rows(quick) == _rows(slow)
    assert quick.to_json() == slow.to_json()
    if troubles:
        rules = {p.rule for p in quick.problems}
        assert {"重复", "逻辑"} <= rules and len(rules) >= 4, rules
        assert any(r.action == "reject" for r in quick.rows)
    else:
        assert not quick.problems


def test_figures_as_plain_loops(store, tmp_path):
    _case(store)
    plan = plan_import(store, _roster(tmp_path / "r.xlsx", 300, True), "workers", case_no="SPEED-1")
    assert plan.problems == [p for r in plan.rows for p in r.problems]
    assert plan.valid == [r for r in plan.rows if not r.problems]
    counts = {"insert": 0, "update": 0, "unchanged": 0, "reject": 0}
    for r in plan.rows:
        counts[r.action] += 1
    assert plan.counts() == counts
    rows = [r.values for r in plan.rows if not r.problems]
    sums = {f.name: 0 for f in plan.ledger.stored_fields if f.sum and f.numeric}
    for values in rows:
        for name in sums:
            if values.get(name):
                sums[name] += values[name]
    assert compute_totals(plan.ledger, rows)["fields"] == sums and any(sums.values())
    js = plan.to_json()
    assert js["rows_rejected"] == counts["reject"] and js["rows_imported"] == len(rows)


def test_bulk_insert_stores_the_rows(store, tmp_path):
    _case(store)
    plan = plan_import(store, _roster(tmp_path / "r.xlsx", 800, False), "workers", case_no="SPEED-1")
    result = commit_import(store, plan)
    assert result["imported"] and result["inserted"] == 800
    got = store.query("SELECT name, id_number, phone, bank_card, owed_fen, paid_fen, entered_on, created_at, uuid "
                      "FROM worker ORDER BY id")
    assert [(g[0], g[1], g[4], g[5], g[6]) for g in got] == [
        (r.values["name"], r.values["id_number"], r.values["owed_fen"], r.values["paid_fen"], r.values["entered_on"])
        for r in plan.rows]
    assert len({g[8] for g in got}) == 800 and [g[8] for g in got] == sorted(g[8] for g in got)
    assert len({g[7] for g in got}) == 1 and got[0][7]
