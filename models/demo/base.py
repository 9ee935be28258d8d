"""What the demo generator's parts share: the scales, the context of one build, fast valid
ID numbers, weighted choices, names and phone numbers."""
from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

from models.db import Store
from models.rules.idcard import make_valid_id
from models.rules.workdays import WorkCalendar, before_spring_festival
from models.demo.words import _AREAS, _GIVEN_F, _GIVEN_M, _MOBILE_PREFIXES, _SURNAMES, Place


Progress = Callable[[int, int, str], None]


DEMO_USER = "演示数据"
_BULK_CACHE = -262144   # KiB of page cache during a bulk build


@dataclass(frozen=True)
class _Scale:
    cases: int
    workers: int
    via_import: bool            # written as an import is (models.demo.bulk), not row by row
    big_share: float            # share of listed cases with 30+ workers (重大)
    big_range: tuple[int, int]
    split_repayments: bool      # a worker may be paid in two instalments
    employers: int = 0          # 0: the township's hand-written list
    projects: int = 0
    chunk: int = 2000           # cases generated and written per step
    cleared: tuple[float, float] = (0.58, 0.62)    # the share of the money repaid by today, drawn from


SCALES: dict[str, _Scale] = {
    "township": _Scale(cases=150, workers=3000, via_import=False, big_share=0.13, big_range=(30, 150),
                       split_repayments=True, chunk=1000),
    # one database holding a whole county's records (the table, search and import benchmarks):
    # not offered on the command line's help, where "county" is a real county of townships
    "big": _Scale(cases=100_000, workers=1_000_000, via_import=True, big_share=0.05, big_range=(30, 90),
                  split_repayments=False, employers=1800, projects=700, chunk=10_000),
}
# a township bigger than this many cases is written as an import is (models.demo.bulk)
IMPORT_FROM = 1000


@dataclass(frozen=True)
class CountyPlan:
    """A real county (``build_demo(path, "county")``): this many townships, each built as a
    township of its share of the cases and workers, sending its 报送包 to the county."""
    townships: int = 30
    cases: int = 100_000
    workers: int = 1_000_000


COUNTY_PLAN = CountyPlan()

# ---------------------------------------------------------------------------------------------
# Small fast helpers
# ---------------------------------------------------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _digit_sum(text: str, offset: int) -> int:
    return sum(int(c) * _ID_WEIGHTS[offset + i] for i, c in enumerate(text))


class _IdMaker:
    """Valid GB 11643 numbers quickly: the weighted sum is precomputed per part.

    ``make(area, i, seq)`` equals ``make_valid_id(area, births[i], seq)`` (the tests check it);
    the small township build calls ``make_valid_id`` itself, the bigger builds this."""

    def __init__(self, first_birth: date, last_birth: date, exact: bool) -> None:
        self.area_sum = {a: _digit_sum(a, 0) for a in dict.fromkeys(_AREAS)}
        self.dates: list[date] = []
        self.births: list[tuple[str, int]] = []
        d = first_birth
        while d <= last_birth:
            s = f"{d:%Y%m%d}"
            self.dates.append(d)
            self.births.append((s, _digit_sum(s, 6)))
            d += timedelta(days=1)
        self.seqs = [(f"{i:03d}", _digit_sum(f"{i:03d}", 14)) for i in range(1000)]
        self.exact = exact

    def make(self, area: str, birth_index: int, seq: int) -> str:
        if self.exact:
            return make_valid_id(area, self.dates[birth_index], seq)
        b, bs = self.births[birth_index]
        s, ss = self.seqs[seq]
        return area + b + s + _ID_CHECK[(self.area_sum[area] + bs + ss) % 11]


class _Pick:
    """A weighted choice from one uniform number (faster than random.choices in a loop)."""
    __slots__ = ("items", "cum", "total")

    def __init__(self, table: dict | list) -> None:
        pairs = list(table.items()) if isinstance(table, dict) else list(table)
        self.items = [k for k, w in pairs if w > 0]
        acc, self.cum = 0.0, []
        for _, w in pairs:
            if w > 0:
                acc += w
                self.cum.append(acc)
        self.total = acc

    def __call__(self, u: float):
        return self.items[min(len(self.items) - 1, bisect.bisect_right(self.cum, u * self.total))]


def _uuid_sql(id_param: str, rand_param: str, base_ms: int) -> str:
    """SQL for a version-7 layout UUID: time = base_ms + id (increasing, so the UNIQUE index only
    appends), the rest from a 62-bit random number drawn in Python; formatted by SQLite."""
    t = f"({base_ms} + {id_param})"
    r = rand_param
    return (f"printf('%08x-%04x-7%03x-%04x-%09x%03x', {t} >> 16, {t} & 65535, ({r} >> 50) & 4095, "
            f"32768 | (({r} >> 36) & 16383), {r} & 68719476735, {id_param} & 4095)")


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _campaign_dates(today: date) -> tuple[date, date, int]:
    """Start: the Monday ten weeks before today; end: the eve of the next Spring Festival
    (the winter action's 春节前 deadline); and the year the action is named after."""
    start = _monday(today - timedelta(weeks=10))
    year = start.year + (1 if start.month >= 6 else 0)
    end = before_spring_festival(year)
    while end <= today:
        year += 1
        end = before_spring_festival(year)
    return start, end, year - 1


# ---------------------------------------------------------------------------------------------
# Context
# ---------------------------------------------------------------------------------------------
@dataclass
class _Ctx:
    store: Store
    rng: random.Random
    today: date
    scale: _Scale
    start: date
    uuid_base: int                                         # ms; each table gets its own range
    place: Place = field(default_factory=Place)
    cal: WorkCalendar = field(default_factory=WorkCalendar)
    ws: list[dict] = field(default_factory=list)          # id, name, owners [(name, weight)], liaison
    employers: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    _workday: dict[int, bool] = field(default_factory=dict)
    _deadline: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # ISO text of every day the demo can mention, indexed by ordinal - o0
        self.o0 = (self.today - timedelta(days=800)).toordinal()
        self.DS = [date.fromordinal(o).isoformat() for o in range(self.o0, self.today.toordinal() + 120)]

    def ds(self, o: int) -> str:
        return self.DS[o - self.o0]

    def is_workday(self, o: int) -> bool:
        w = self._workday.get(o)
        if w is None:
            w = self._workday[o] = self.cal.is_workday(date.fromordinal(o))
        return w

    def deadline(self, o: int) -> int:
        d = self._deadline.get(o)
        if d is None:
            d = self._deadline[o] = self.cal.add_workdays(date.fromordinal(o), 15).toordinal()
        return d

    def next_workday(self, o: int) -> int:
        while not self.is_workday(o):
            o += 1
        return o

    def previous_workday(self, o: int) -> int:
        while not self.is_workday(o):
            o -= 1
        return o

    def uuid_sql(self, table_no: int, id_param: str = "?1", rand_param: str = "?2") -> str:
        return _uuid_sql(id_param, rand_param, self.uuid_base + table_no * 100_000_000)


def _person_name(rng: random.Random, used: set[str], female: bool | None = None) -> str:
    while True:
        fem = rng.random() < 0.3 if female is None else female
        chars = _GIVEN_F if fem else _GIVEN_M
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.75 else "")
        name = rng.choice(_SURNAMES) + given
        if name not in used:
            used.add(name)
            return name


def _mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"
