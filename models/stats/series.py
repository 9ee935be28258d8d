"""Series for the charts: weekly flow, repaid against the target, funds by channel."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from models.db import Store
from models.stats.core import (COUNTED, LIVE, NOT_DECLARED, _CLOSED_IN, _table_ready, other_ledger)


# -- series for the charts ---------------------------------------------------------------------
@dataclass
class WeekFlow:
    week_start: _dt.date
    new: int
    closed: int


def monday(d: _dt.date) -> _dt.date:
    return d - _dt.timedelta(days=d.weekday())


def weekly_flow(store: Store, today: _dt.date, start: _dt.date | None = None) -> list[WeekFlow]:
    """新增 = live cases by the week of 登记日期; 办结 = live cases now in a closed status by the
    week of 办结日期. Weeks run Monday to Sunday, from ``start`` (or the first case) to today."""
    t = today.isoformat()
    new, closed = [], []
    for reg, shut, is_closed, n in store.query(
            f"SELECT c.registered_on, c.closed_on, c.status IN {_CLOSED_IN}, COUNT(*) FROM case_record c NOT INDEXED "
            f"WHERE {LIVE} GROUP BY 1, 2, 3"):       # one scan: cheaper than a date index plus row lookups
        if reg <= t:
            new.append((reg, n))
        if is_closed and shut and shut <= t:
            closed.append((shut, n))
    days = [_dt.date.fromisoformat(r[0]) for r in (*new, *closed)]
    first = min([*days, start] if start else days or [today])
    weeks: dict[_dt.date, WeekFlow] = {}
    w = monday(first)
    while w <= today:
        weeks[w] = WeekFlow(w, 0, 0)
        w += _dt.timedelta(days=7)
    for (d, n), attr in [(r, "new") for r in new] + [(r, "closed") for r in closed]:
        row = weeks.get(monday(_dt.date.fromisoformat(d)))
        if row is not None:
            setattr(row, attr, getattr(row, attr) + n)
    return list(weeks.values())


@dataclass
class RepaidSeries:
    points: list[tuple[_dt.date, int]]   # cumulative 已兑付 after each day with a change
    from_repayments_fen: int            # dated repayment records of counted cases
    residual_fen: int                   # paid amounts with no repayment record (see below)
    total_fen: int                      # == figures' 已兑付 (paid_fen) for the day, to the fen


def repaid_series(store: Store, counted_paid: int | None = None, until: _dt.date | None = None, *,
                  today: _dt.date | None = None, basis=None) -> RepaidSeries:
    """Cumulative amount repaid over time, ending at the headline 已兑付 (``models.figures``
    ``paid_fen``) of the day it describes, to the fen.

    The cases and amounts are those of the figures' own basis (``models.figures.Basis``): now
    (``until`` None, or today or later), or as it stood at the end of day ``until``, where a
    case counts from its 登记日期, with the status it had that day, and only the repayments
    dated that day or earlier. ``basis`` may be given (the caller's, for the same day);
    ``today`` is the real day (default: the clock), which tells a past ``until`` from now.

    Each live repayment record of a counted case counts on its 兑付日期. A case's 已付 may differ
    from its repayment records (paid amounts imported or typed without a record, or a record on a
    case whose workers are listed): that difference counts on the case's 办结日期, or its 登记日期
    while open, as the figures count it. So the last point equals the figures' 已兑付.
    ``counted_paid``: that total when the caller has it for now (with a past ``until`` the
    basis's own is used). When the records add up to it, the case-by-case comparison is
    skipped (it costs ~0.4 s on a county database and could only move offsetting errors in time)."""
    from models import figures
    if basis is None:
        ref = today or _dt.date.today()
        basis = figures.Basis(store, max(ref, until) if until else ref, until)
    past = basis.past
    counted = f"t.deleted_at IS NULL AND t.status != '{figures.EXCLUDED}'"
    cur = store.conn.cursor()
    cur.row_factory = None
    if past is None:
        flow: dict[str, int] = dict(cur.execute(
            "SELECT paid_on, SUM(amount_fen) FROM repayment WHERE deleted_at IS NULL GROUP BY paid_on"))
        for d, a in cur.execute(f"SELECT r.paid_on, SUM(r.amount_fen) FROM case_record c CROSS JOIN repayment r "
                                f"ON r.case_id = c.id WHERE r.deleted_at IS NULL AND NOT ({COUNTED}) GROUP BY r.paid_on"):
            flow[d] -= a
        cut, cut_params = "", []
        if counted_paid is None:
            counted_paid = figures.paid_fen(basis)
    else:
        cut, cut_params = " AND paid_on < ?", [(past + _dt.timedelta(days=1)).isoformat()]
        flow = dict(cur.execute(
            f"SELECT r.paid_on, SUM(r.amount_fen) FROM {basis.src} t CROSS JOIN repayment r ON r.case_id = t.id "
            f"WHERE {counted} AND r.deleted_at IS NULL AND r.paid_on < ? GROUP BY r.paid_on",
            [*basis.src_params, *cut_params]))
        counted_paid = figures.paid_fen(basis)
    from_records = sum(flow.values())
    residual = 0
    if counted_paid != from_records:
        # some case's 已付 differs from its records: find which, case by case (slower, so only then)
        for paid_diff, day in cur.execute(
                f"SELECT t.total_paid_fen - COALESCE(r.s, 0), MAX(COALESCE(c.closed_on, c.registered_on), "
                f"c.registered_on) FROM {basis.src} t JOIN case_record c ON c.id = t.id "
                f"LEFT JOIN (SELECT case_id, SUM(amount_fen) AS s FROM repayment WHERE deleted_at IS NULL{cut} "
                f"GROUP BY case_id) r ON r.case_id = t.id "
                f"WHERE {counted} AND t.total_paid_fen != COALESCE(r.s, 0)", [*basis.src_params, *cut_params]):
            flow[day] = flow.get(day, 0) + paid_diff
            residual += paid_diff
    last = until.isoformat() if until else None
    by_day: dict[str, int] = {}
    for d, a in flow.items():
        day = d[:10]
        if last and day > last:          # dated after the day described (now, with future dates): on it
            day = last
        by_day[day] = by_day.get(day, 0) + a
    points, run = [], 0
    for d in sorted(by_day):
        if by_day[d]:
            run += by_day[d]
            points.append((_dt.date.fromisoformat(d), run))
    return RepaidSeries(points, from_records, residual, run)


@dataclass
class FundsByChannel:
    available: bool
    rows: list[tuple[str, int]] = field(default_factory=list)   # (channel, 到位金额 fen)
    total_fen: int = 0
    note: str = ""


def funds_by_channel(store: Store, until: _dt.date | None = None) -> FundsByChannel:
    """清欠资金 raised by channel: live fund rows' 到位金额 summed by 筹措渠道 (with ``until``: those
    dated that day or earlier)."""
    ledger, f = other_ledger("funds")
    if ledger is None or not _table_ready(store, ledger.table) or not (f.get("channel") and f.get("amount")):
        return FundsByChannel(False, note="清欠资金台账" + NOT_DECLARED)
    dated, params = "", []
    if until is not None and f.get("date"):
        dated, params = f' AND substr("{f["date"]}", 1, 10) <= ?', [until.isoformat()]
    got = dict(store.query(f'SELECT "{f["channel"]}", COALESCE(SUM("{f["amount"]}"), 0) FROM "{ledger.table}" '
                           f'WHERE deleted_at IS NULL{dated} GROUP BY "{f["channel"]}"', params))
    order = list(ledger.field(f["channel"]).choices) + sorted(k for k in got if k not in ledger.field(f["channel"]).choices)
    rows = [(k, int(got[k])) for k in order if got.get(k)]
    return FundsByChannel(True, rows, sum(v for _k, v in rows))
