"""Whole columns at once: the common case of a big file (every cell well formed) decided
in a few array operations instead of a Python call per cell.

A fast path only ever accepts what the cell parser (``models.io.cells``) would return
unchanged; every cell it is not sure of is marked ``SLOW`` and goes through the cell
parser, which gives the value or the Chinese message. So a file is read the same way
whichever path a cell takes; the tests run both on the same files.
"""
from __future__ import annotations

import importlib
import operator
import re
import sys
import threading
from itertools import compress, repeat
from typing import Any, Callable

from models import values as V
from models.io import cells as C
from models.ledger.fields import Field

SLOW = object()         # not decided here: the cell parser decides
FAILED = object()       # the cell parser raised: the row has a problem for this column
CELL_ERRORS = (V.ValueProblem, ArithmeticError, ValueError, TypeError)
NUMPY_FROM = 2000       # below this many cells numpy's import and set-up cost more than they save


def warm_up(path) -> None:
    """For a big file, import numpy on another thread while the file is read (the reading
    does not hold the interpreter lock), so the column checks need not wait for it."""
    try:
        big = path.stat().st_size >= 256 * 1024
    except OSError:
        return
    if big and "numpy" not in sys.modules:
        threading.Thread(target=importlib.import_module, args=("numpy",), name="warm-up", daemon=True).start()


def parse_column(parse: Callable[[Any], Any], raws: list, fast: Callable[[list], list] | None = None,
                 ) -> tuple[list, dict[int, BaseException]]:
    """Values for ``raws`` (``FAILED`` where a cell could not be read) and the exception
    for each failed position."""
    if fast is not None:
        vals = fast(raws)
        marks = list(map(operator.is_, vals, repeat(SLOW)))      # a C loop: mostly all False
        if not any(marks):
            return vals, {}
        slow = list(compress(range(len(vals)), marks))
    else:
        try:
            return list(map(parse, raws)), {}
        except CELL_ERRORS:
            vals, slow = [SLOW] * len(raws), range(len(raws))
    errors: dict[int, BaseException] = {}
    for i in slow:
        try:
            vals[i] = parse(raws[i])
        except CELL_ERRORS as exc:
            vals[i] = FAILED
            errors[i] = exc
    return vals, errors


def fast_path(f: Field, unit: str | None, parse: Callable[[Any], Any]) -> Callable[[list], list] | None:
    """The whole-column fast path for a field, or None when cells go one by one."""
    k = f.kind
    if k in ("date", "choice", "bool"):         # few distinct values: each parsed once
        return lambda raws: _distinct(raws, parse)
    if k in ("text", "longtext"):
        return _text
    if k == "money":
        factor = 1_000_000 if (unit or f.unit) == "万元" else 100
        return lambda raws: _money(raws, factor)
    if k == "id_number":
        return id_number_column
    if k == "phone":
        return _phones
    if k == "bank_card":
        return _cards
    return None


def _all_texts(raws: list) -> bool:
    return all(map(operator.is_, map(type, raws), repeat(str)))


def _phones(raws: list) -> list:
    """Mobile numbers: the whole column at once when every cell is 11 ASCII digits starting 13-19
    (``cells._phone_fast_ok`` of each), else cell by cell."""
    if raws and _all_texts(raws) and set(map(len, raws)) == {11}:
        joined = "".join(raws)
        if joined.isascii() and joined.isdigit() and set(joined[0::11]) == {"1"} \
                and set(joined[1::11]) <= set("3456789"):
            return list(raws)
    return [v if type(v) is str and C._phone_fast_ok(v) else SLOW for v in raws]


def _cards(raws: list) -> list:
    """Bank-card numbers: the whole column at once when every cell is 12 to 19 ASCII digits
    (``cells._card_fast_ok`` of each), else cell by cell."""
    if raws and _all_texts(raws):
        lengths = set(map(len, raws))
        if min(lengths) >= 12 and max(lengths) <= 19:
            joined = "".join(raws)
            if joined.isascii() and joined.isdigit():
                return list(raws)
    return [v if type(v) is str and C._card_fast_ok(v) else SLOW for v in raws]


def _distinct(raws: list, parse: Callable[[Any], Any]) -> list:
    """A column of texts (and blanks) with few distinct values: each distinct text parsed once."""
    kinds = set(map(type, raws))
    if not kinds <= {str, type(None)}:
        return [SLOW] * len(raws)
    seen = {}
    for v in set(raws):
        try:
            seen[v] = parse(v)
        except CELL_ERRORS:
            seen[v] = SLOW                      # the cell parser says why, row by row
    return list(map(seen.__getitem__, raws))


def _text(raws: list) -> list:
    if _all_texts(raws):
        return list(map(str.strip, raws))
    tv = C.text_value
    return [v.strip() if type(v) is str else tv(v) for v in raws]


def _money(raws: list, factor: int) -> list:
    """Numbers as the spreadsheet stored them (the usual case): yuan × 100 (or 万元 × 10⁶),
    when that is a whole number of fen within range."""
    if len(raws) < NUMPY_FROM or not all(map(operator.is_, map(type, raws), repeat(float))):
        return [SLOW] * len(raws)
    import numpy as np
    x = np.asarray(raws, dtype=np.float64) * factor
    r = np.rint(x)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(x) & (np.abs(x - r) < 1e-6) & (np.abs(r) <= C.MAX_ABS)
    if ok.all():
        return r.astype(np.int64).tolist()
    ints = np.where(ok, r, 0).astype(np.int64).tolist()
    return [v if good else SLOW for v, good in zip(ints, ok.tolist())]


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number_column(raws: list) -> list:
    """18-character ID numbers checked in one pass: digits, region, date of birth, check digit.
    Each is returned unchanged where it is certainly valid, ``SLOW`` where the full rules
    (models.rules.idcard) must decide."""
    pos = [i for i, v in enumerate(raws) if type(v) is str and len(v) == 18]
    out = [SLOW] * len(raws)
    if len(pos) < NUMPY_FROM:
        for i in pos:
            if C._id_fast_ok(raws[i]):
                out[i] = raws[i]
        return out
    joined = "".join([raws[i] for i in pos])
    if not joined.isascii():
        for i in pos:
            if C._id_fast_ok(raws[i]):
                out[i] = raws[i]
        return out
    import numpy as np
    from models.rules.idcard import _PROVINCES
    a = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    d = a[:, :17].astype(np.int64) - 48
    ok = ((d >= 0) & (d <= 9)).all(axis=1)
    last = a[:, 17]
    ok &= ((last >= 48) & (last <= 57)) | (last == 88)            # 0-9 or X
    d = np.clip(d, 0, 9)
    regions = np.zeros(100, dtype=bool)
    regions[[int(p) for p in _PROVINCES]] = True
    ok &= regions[d[:, 0] * 10 + d[:, 1]]
    check = np.frombuffer(b"10X98765432", dtype=np.uint8)[(d * np.array(_ID_WEIGHTS)).sum(axis=1) % 11]
    ok &= check == last
    born = d[:, 6:14] @ (10 ** np.arange(7, -1, -1))
    good_days = [b for b in np.unique(born[ok]).tolist() if C._birth_valid(f"{b:08d}")]
    ok &= np.isin(born, good_days)
    if ok.all():
        if len(pos) == len(raws):
            return list(raws)
        for i in pos:
            out[i] = raws[i]
        return out
    for i, good in zip(pos, ok.tolist()):
        if good:
            out[i] = raws[i]
    return out


_DECIMALS = re.compile(r"\.(\d+)")


def below_fen(raws: list, factor: int) -> list[int]:
    """Positions of the amounts finer than a fen (1234.567 元; 1.2345678 万元), which the
    parser rounds half up: numbers by their value, texts by their written decimals."""
    places = 2 if factor == 100 else 6
    out = []
    types = set(map(type, raws))
    if types == {float} and len(raws) >= NUMPY_FROM:       # the usual column: one pass over all
        import numpy as np
        x = np.asarray(raws, dtype=np.float64) * factor
        with np.errstate(invalid="ignore"):
            return [int(k) for k in np.flatnonzero(np.isfinite(x) & (np.abs(x - np.rint(x)) >= 1e-6))]
    nums = [i for i, v in enumerate(raws) if type(v) is float] if float in types else []
    if len(nums) >= NUMPY_FROM:
        import numpy as np
        x = np.asarray([raws[i] for i in nums], dtype=np.float64) * factor
        with np.errstate(invalid="ignore"):
            off = np.isfinite(x) & (np.abs(x - np.rint(x)) >= 1e-6)
        out = [nums[int(k)] for k in np.flatnonzero(off)]
    else:
        import math
        out = [i for i in nums if math.isfinite(raws[i]) and abs(raws[i] * factor - round(raws[i] * factor)) >= 1e-6]
    for i, v in enumerate(raws) if str in types else ():
        if type(v) is str and "." in v:
            m = _DECIMALS.search(V.halfwidth(v))
            if m and len(m.group(1).rstrip("0")) > places:
                out.append(i)
    return sorted(out)
