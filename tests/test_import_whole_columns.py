"""The shortcuts a big, clean file takes read it exactly as the cell-by-cell paths do: whole
columns of phones and cards told good at once, the plain checks skipped for a column that
cannot fail them, and the usual record row (a 序号 first, a filled-in column) taken without
``cells.row_kind``."""
from __future__ import annotations

import random

from models.io import cells as C
from models.io import columns as CL
from models.io import row_checks as RC
from models.ledger import registry

N = 3000


def _same_either_way(name: str, raws: list) -> list:
    f = registry.get("workers").field(name)
    parse = C.column_parser(f, None)
    fast = CL.fast_path(f, None, parse)
    slow_vals, slow_err = CL.parse_column(parse, raws, None)
    fast_vals, fast_err = CL.parse_column(parse, raws, fast)
    assert fast_vals == slow_vals
    assert {i: str(e) for i, e in fast_err.items()} == {i: str(e) for i, e in slow_err.items()}
    return fast_vals


def test_a_column_of_good_phones_is_taken_whole_and_one_bad_cell_is_still_found():
    rnd = random.Random(3)
    good = ["1" + rnd.choice("3456789") + str(rnd.randrange(10 ** 9)).zfill(9) for _ in range(N)]
    assert CL._phones(good) == good
    assert _same_either_way("phone", good) == good
    for bad in ("12345678901", "1391234567８", "139123456789"[:11].replace("9", "a", 1), " 13912345678"[:11]):
        col = list(good)
        col[1234] = bad
        marks = CL._phones(col)
        assert marks[1234] is CL.SLOW and marks[:1234] == good[:1234]
        vals = _same_either_way("phone", col)
        assert vals[:1234] == good[:1234]


def test_a_column_of_good_cards_is_taken_whole_and_one_bad_cell_is_still_found():
    rnd = random.Random(4)
    good = ["62" + str(rnd.randrange(10 ** (k - 2))).zfill(k - 2) for k in (rnd.randrange(12, 20) for _ in range(N))]
    assert {len(v) for v in good} >= {12, 19}
    assert CL._cards(good) == good
    assert _same_either_way("bank_card", good) == good
    for bad in ("62" + "1" * 9, "62" + "1" * 18, "6222 0000 1111 2222", "６２２２０２０２０２０２０２", 6222020202020202.0):
        col = list(good)
        col[77] = bad
        assert CL._cards(col)[77] is CL.SLOW
        _same_either_way("bank_card", col)


def test_plain_checks_skipped_only_where_a_column_cannot_fail_them():
    ledger = registry.get("workers")
    n = 40
    columns = {"name": ["张三"] * n, "owed_fen": list(range(n)), "paid_fen": [0] * n, "case_id": [7] * n}
    validate, rules = RC.row_validator(ledger, columns, imports=True)
    check = validate or rules
    row = {k: v[0] for k, v in columns.items()}
    assert check(row, 0) == []
    # each kind of failure in an otherwise clean column is still said, in the same words
    for name, bad, message in (("name", "", "姓名不能为空"), ("owed_fen", -5, "不能为负数"), ("case_id", 0, "不能为空")):
        cols = {k: list(v) for k, v in columns.items()}
        cols[name][9] = bad
        validate, rules = RC.row_validator(ledger, cols, imports=True)
        check = validate or rules
        found = check({k: v[9] for k, v in cols.items()}, 9)
        assert any(n_ == name and message in m for n_, m, _ in found), found
        assert check({k: v[8] for k, v in cols.items()}, 8) == []
    assert RC._nothing_to_say(["a", "b"], True, False, False, 0)
    assert not RC._nothing_to_say(["a", ""], True, False, False, 0)
    assert not RC._nothing_to_say(["1"], False, False, True, 0)          # a text in a number column: looked at
    assert RC._nothing_to_say([3, 4], True, True, True, 0)
    assert not RC._nothing_to_say([3, 0], True, True, False, 0)          # 0 is "not set" for a reference
    assert not RC._nothing_to_say([3, -1], False, False, True, 0)
    assert not RC._nothing_to_say([3, None], True, False, True, 0)
    assert not RC._nothing_to_say([True, 2], True, False, True, 0)


def test_the_usual_record_row_is_decided_as_row_kind_decides_it(tmp_path):
    from models.io.importer import _record_rows

    class _Header:
        data_start = 0

    class _Plan:
        header = _Header()
        skipped: list = []

    rows = [
        [1.0, "张三", "13912345678"],
        [2, "李四", None],
        [3.0, "   ", "13912345678"],          # the first imported column blank: row_kind decides
        [4.0, None, None],                     # blank in the imported columns
        [True, "王五", "x"],                   # TRUE is no number
        ["合计", None, "100"],
        [5.0, 0, None],
        [6.0],                                 # short row
        [],
        [None, "赵六", "1"],
    ]
    labels = {"姓名", "电话"}
    mapped = [1, 2]
    plan = _Plan()
    plan.skipped = []
    records, data_only = _record_rows(plan, rows, mapped, labels)
    expect = [(i, r) for i, r in enumerate(rows) if C.row_kind(r, mapped, labels) is None]
    assert records == expect
    assert [s["reason"] for s in plan.skipped] == [C.row_kind(r, mapped, labels) for r in rows
                                                    if C.row_kind(r, mapped, labels) not in (None, "空行")]


def test_rules_asked_of_whole_columns_name_every_row_the_row_rules_would():
    """``only_at``: the rows left out are exactly rows every rule passes, whatever the columns
    hold (dates in and out of order, blanks, unreadable cells, paid above owed, missing columns)."""
    rnd = random.Random(11)
    for kind in ("workers", "cases"):
        ledger = registry.get(kind)
        rules = tuple(r for r in ledger.row_rules if hasattr(r, "may_fire"))
        reads = sorted({name for r in rules for name in r.reads})
        assert reads, kind
        for trial in range(30):
            n = 300
            columns: dict[str, list] = {}
            for name in reads:
                if trial % 5 == 4 and name == reads[-1]:
                    continue                        # a column the file does not have
                f = ledger.field(name)
                pick = (lambda: rnd.choice([None, "", CL.FAILED, f"2026-0{rnd.randrange(1, 10)}-1{rnd.randrange(10)}"])) \
                    if f.kind == "date" else (lambda: rnd.choice([None, 0, CL.FAILED, rnd.randrange(-5, 50)]))
                columns[name] = [pick() for _ in range(n)]
            only = RC._only_at(rules, columns, frozenset(), {})
            assert only is not None
            rows = [{k: v[i] for k, v in columns.items() if v[i] is not CL.FAILED} for i in range(n)]
            said = [i for i in range(n) if any(rule(rows[i]) for rule in rules)]
            assert said, (kind, trial)              # the trial did plant faults
            assert set(said) <= set(only), (kind, trial)
            if kind == "workers" and trial % 5 != 4:    # the import's own path: the validator
                columns["case_id"] = [1] * n
                columns["name"] = ["张三"] * n
                validate, check = RC.row_validator(ledger, columns, imports=True)
                assert validate is None and check.only_at is not None
                flagged = [i for i in range(n) if check(rows[i], i)]     # rules and plain checks
                assert set(said) <= set(flagged) <= set(check.only_at)
                # a field put in the rows later (a name looked up in its case): every row is asked
                _, check = RC.row_validator(ledger, columns, imports=True, late={reads[0]})
                assert check.only_at is None


def test_a_rule_without_a_column_form_is_asked_of_every_row():
    from models.ledger.fields import column_rule
    ledger = registry.get("workers")
    columns = {"name": ["张三"] * 5, "owed_fen": [1] * 5, "paid_fen": [0] * 5, "case_id": [7] * 5}
    _, rules = RC.row_validator(ledger, columns, imports=True)
    assert rules.only_at == []
    plain = lambda row: []                          # noqa: E731 - a rule as a ledger might declare one
    assert RC._only_at((plain,), columns, frozenset(), {}) is None
    odd = column_rule(lambda row: [], ("owed_fen",), lambda col: [c for c in col if c > "x"])
    assert RC._only_at((odd,), columns, frozenset(), {}) is None      # cannot compare: every row
