"""The 报送包's masking in SQL (clean numbers by slicing) gives exactly what the screen's
masking gives (models.rules.idcard), for typical and odd values alike."""
from __future__ import annotations

import random
import sqlite3

import pytest

from models.exchange.export import _maskers, mask_sql


def _values(kind: str) -> list:
    rng = random.Random(9)
    digits = "0123456789"
    out = ["", None, "x", "12", "1234567", "12345678", "  13800138000 ", "138-0013-8000", "０２８－１２３４５６７８",
           "51132219900307123x", "51132219900307123X", "511322199003071", "6222 0212 3456 7890 123",
           "６２２２０２１２３４５６７８９０", "abcdefghijkLMNOP", "身份证号码未知", "1" * 45, "1" * 40, "1" * 11]
    for _ in range(400):
        n = rng.randint(5, 22)
        s = "".join(rng.choice(digits) for _ in range(n))
        if kind == "id" and rng.random() < 0.3:
            s = s[:-1] + rng.choice("xX")
        if rng.random() < 0.1:
            s = s[:3] + rng.choice(" -/") + s[3:]
        out.append(s)
    return out


@pytest.mark.parametrize("kind", ["id", "card", "phone"])
def test_sql_masking_equals_the_screens(kind):
    fn = _maskers()[kind]
    conn = sqlite3.connect(":memory:")
    for k, f in _maskers().items():
        conn.create_function(f"qq_mask_{k}", 1, lambda v, f=f: f(v) if v else v, deterministic=True)
    conn.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, "v" TEXT)')
    values = _values(kind)
    conn.executemany("INSERT INTO t(v) VALUES (?)", [(v,) for v in values])
    got = [r[0] for r in conn.execute(f"SELECT {mask_sql(kind, 'v')} FROM t ORDER BY id")]
    want = [fn(v) if v else v for v in values]
    assert got == want
