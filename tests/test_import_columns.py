"""The whole-column fast paths (models.io.columns) read every cell exactly as the cell
parsers do: same values, same problems, same messages, for well-formed and broken cells."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from models.io import cells as C
from models.io import columns as CL
from models.ledger import registry
from models.rules.idcard import make_valid_id

N = CL.NUMPY_FROM + 500          # big enough for the array paths


def _ids(rnd: random.Random) -> list:
    out = []
    for i in range(N):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rnd.randrange(25000))
        good = make_valid_id(rnd.choice(["511921", "110101", "440305"]), born, i % 999 + 1)
        pick = rnd.random()
        if pick < 0.80:
            out.append(good)
        elif pick < 0.82:
            out.append(good[:17] + ("0" if good[17] != "0" else "1"))        # wrong check digit
        elif pick < 0.84:
            out.append("99" + good[2:])                                      # no such region
        elif pick < 0.86:
            out.append(good[:10] + "1399" + good[14:])                       # 13th month
        elif pick < 0.87:
            out.append(good[:6] + "2099" + good[10:])                        # born in the future
        elif pick < 0.88:
            out.append(good.lower() if good.endswith("X") else good[:17] + "x")
        elif pick < 0.89:
            out.append(float(good[:15]))                                     # Excel stored it as a number
        elif pick < 0.90:
            out.append("５" + good[1:])                                       # full-width digit
        elif pick < 0.91:
            out.append(good[:14] + "****")                                   # masked on export
        elif pick < 0.92:
            out.append(" " + good)
        elif pick < 0.94:
            out.append(None)
        elif pick < 0.95:
            out.append("")
        elif pick < 0.97:
            out.append(good[:17])
        else:
            out.append(good[:16] + "A" + good[17])
    return out


def _money(rnd: random.Random) -> list:
    out = []
    for _ in range(N):
        pick = rnd.random()
        if pick < 0.85:
            out.append(rnd.randrange(0, 3_000_000) / 100)
        elif pick < 0.87:
            out.append(rnd.randrange(0, 3_000_000) / 1000)                   # a third decimal
        elif pick < 0.88:
            out.append(-rnd.randrange(1, 1000) / 100)
        elif pick < 0.89:
            out.append(float("nan"))
        elif pick < 0.90:
            out.append(1e300)
        elif pick < 0.91:
            out.append(123456789012.5)
        else:
            out.append(float(rnd.randrange(0, 10 ** 6)))
    return out


def _texts(rnd: random.Random, values: list) -> list:
    return [rnd.choice(values) for _ in range(N)]


def _compare(field_kind_ledger: str, name: str, raws: list, unit: str | None = None) -> None:
    f = registry.get(field_kind_ledger).field(name)
    parse = C.column_parser(f, unit)
    fast = CL.fast_path(f, unit, parse)
    assert fast is not None
    slow_vals, slow_err = CL.parse_column(parse, raws, None)
    fast_vals, fast_err = CL.parse_column(parse, raws, fast)
    assert fast_vals == slow_vals
    assert set(fast_err) == set(slow_err)
    for i, exc in slow_err.items():
        assert type(fast_err[i]) is type(exc) and str(fast_err[i]) == str(exc), i
        assert getattr(fast_err[i], "rule", None) == getattr(exc, "rule", None)
    assert CL.SLOW not in fast_vals


def test_id_numbers_read_the_same_either_way():
    raws = _ids(random.Random(1))
    _compare("workers", "id_number", raws)
    # and a column of only good numbers (the all-good shortcut)
    _compare("workers", "id_number", [v for v in raws if isinstance(v, str) and len(v) == 18 and C._id_fast_ok(v)] * 2)


def test_small_id_columns_take_the_plain_path_with_the_same_answers():
    _compare("workers", "id_number", _ids(random.Random(2))[:300])


@pytest.mark.parametrize("unit", [None, "元", "万元"])
def test_money_reads_the_same_either_way(unit):
    raws = _money(random.Random(3))
    _compare("workers", "owed_fen", raws, unit)
    _compare("workers", "owed_fen", [v for v in raws if v == v and abs(v) < 1e9], unit)   # all numbers, no NaN


def test_money_with_text_cells_reads_the_same_either_way():
    raws = _money(random.Random(4))
    raws[10], raws[20], raws[30] = "1,200.50元", "1.2万", None
    _compare("workers", "owed_fen", raws)


def test_phones_and_cards_read_the_same_either_way():
    rnd = random.Random(5)
    phones = ["1" + rnd.choice("3589") + str(rnd.randrange(10 ** 9)).zfill(9) for _ in range(N)]
    phones[::17] = ["12345678901"] * len(phones[::17])
    phones[::19] = [13912345678.0] * len(phones[::19])
    phones[::23] = ["139 1234 5678"] * len(phones[::23])
    phones[::29] = ["139****5678"] * len(phones[::29])
    _compare("workers", "phone", phones)
    cards = ["62" + str(rnd.randrange(10 ** 17)).zfill(17) for _ in range(N)]
    cards[::13] = [6222020200112233445.0] * len(cards[::13])
    cards[::31] = ["6222 0202 0011 2233"] * len(cards[::31])
    cards[::37] = ["62220202"] * len(cards[::37])
    _compare("workers", "bank_card", cards)


def test_dates_choices_and_texts_read_the_same_either_way():
    rnd = random.Random(6)
    days = ["2026-11-05", "2026/11/5", "2026.11.05", "2026年11月5日", "2026-02-30", "昨天", None, "",
            "2026-11-05 08:30", "—", " 2026-3-1 "]
    _compare("workers", "entered_on", _texts(rnd, days))
    _compare("cases", "status", _texts(rnd, ["待核实", "化解中", "已化解", "办结了", "化解中 ", None]))
    _compare("cases", "is_major", _texts(rnd, ["是", "否", "Y", "", None, "也许"]))
    _compare("workers", "trade", _texts(rnd, ["木工", " 钢筋工 ", "", None]) + [12.0, 3.5, dt.date(2026, 1, 2)])
