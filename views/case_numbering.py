"""The number a new case is offered: the next one in the scheme the ledger already uses.

A township numbers its cases its own way: by day (QS20261207001 → QS20261207002, the demo's and
many platforms' way), by year (QQ2026-0001 → QQ2026-0002) or by a plain counter (欠薪-17 →
欠薪-18). The scheme is read from the most recently registered numbers; a ledger with none yet
gets ``models.cases.next_case_no``. Pure Python (no Qt, no database): the page hands it the
recent numbers it read through the case repository."""
from __future__ import annotations

import datetime as _dt
import re
from typing import Iterable, Sequence

from models.ledger.repo import Query

RECENT = 300            # numbers read to learn the scheme and the last sequence of the day / year

_DATED = re.compile(r"^(?P<prefix>.*?)(?P<date>(?:19|20)\d{6})(?P<sep>[-_]?)(?P<seq>\d{1,6})$")
_YEARLY = re.compile(r"^(?P<prefix>.*?)(?P<year>(?:19|20)\d{2})(?P<sep>[-_/]?)(?P<seq>\d{1,6})$")
_COUNTED = re.compile(r"^(?P<prefix>.*?)(?P<seq>\d+)$")


def _is_date(text: str) -> bool:
    try:
        _dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return True


def _next(stem: str, width: int, numbers: Iterable[str]) -> str:
    used = set(numbers)
    seqs = [int(n[len(stem):]) for n in used if n.startswith(stem) and n[len(stem):].isdigit()]
    n = max(seqs, default=0) + 1
    while f"{stem}{n:0{width}d}" in used:
        n += 1
    return f"{stem}{n:0{width}d}"


def propose(recent: Sequence[str], on: _dt.date) -> str | None:
    """The next number after ``recent`` (newest first) for a case registered ``on``; None when no
    recent number shows a scheme (then the program's own scheme applies)."""
    for no in recent:
        no = (no or "").strip()
        m = _DATED.match(no)
        if m and _is_date(m["date"]):
            return _next(f"{m['prefix']}{on:%Y%m%d}{m['sep']}", len(m["seq"]), recent)
        m = _YEARLY.match(no)
        if m:
            return _next(f"{m['prefix']}{on.year}{m['sep']}", len(m["seq"]), recent)
        m = _COUNTED.match(no)
        if m:
            return _next(m["prefix"], len(m["seq"]), recent)
    return None


def proposed_case_no(repo, on: _dt.date) -> str:
    """The number the new-case form offers: ``propose`` over the newest numbers in the ledger
    (recycled ones too: a number is never used twice), else ``models.cases.next_case_no``."""
    from models import cases
    live = [r["case_no"] for r in repo.rows(Query(), limit=RECENT)]
    binned = [r["case_no"] for r in repo.rows(Query(deleted=True), limit=RECENT)]
    return propose(live + binned, on) or cases.next_case_no(repo.store, on)
