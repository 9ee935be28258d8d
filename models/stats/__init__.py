"""Every figure the dashboard, the charts and the reports show, defined once.

Plain functions over a ``Store`` returning dataclasses. Money is integer 分.

口径 (the bases the figures share):
- 在册问题 (live cases): ``case_record.deleted_at IS NULL``, every status.
- 计入金额的问题 (counted cases): live cases except status 不存在欠薪 (a claim found groundless
  owes nothing). 欠薪总额、已兑付、未兑付、清偿率 and 涉及农民工人数 are over these, from the
  case ledger's own ``total_owed_fen`` / ``total_paid_fen`` / ``total_workers`` (the worker
  roll-up where workers are listed, the case's registered figures otherwise).
- 在办 (open): status 待核实 or 化解中; 已办结 (closed): ``CLOSED_STATUSES``.

Figures that depend on ledgers other engineers declare (funds, inspections, blacklist,
action_items, daily_reports) are computed here and only here: ``OTHER_LEDGERS`` names the
fields each computation reads, so a renamed field is one line to change. Where a ledger is
not declared yet, the figure is 0 with ``available=False`` and a note.

The figures live in three modules, all reached as ``models.stats.<name>``: ``core`` (totals,
targets, warnings, action items, the dashboard), ``series`` (the charts' series) and
``county`` (the county's indicators, the daily report).
"""
from __future__ import annotations

from models.stats.core import *  # noqa: F401,F403
from models.stats.county import *  # noqa: F401,F403
from models.stats.series import *  # noqa: F401,F403
