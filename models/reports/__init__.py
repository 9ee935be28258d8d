"""PDF and Word reports: 周调度材料 (weekly), 台账打印 (ledger), 统计报表 (stats), 日报告 / 零报告 (daily)
and 会议纪要 (minutes, in ``models.reports.minutes``).

``make_report`` is the one entry point for the window (on a worker thread) and the command
line. It opens its own ``Store`` when given a path: a connection belongs to its thread.

The parts (briefing, stats_report, ledger_print, daily, minutes) take what they share from
``models.reports.result`` and never import this package's ``__init__``, which imports them
only when a report is made: no import circle.
"""
from __future__ import annotations

import datetime as _dt
import time
from pathlib import Path
from typing import Any

from models.reports.result import ReportResult, ReportUnavailable   # re-exported

REPORTS: dict[str, str] = {"weekly": "周调度材料", "ledger": "台账打印", "stats": "统计报表",
                           "daily": "日报告 / 零报告", "minutes": "会议纪要", "period": "月度 / 季度书面报告",
                           "certificate": "清欠审查证明"}

__all__ = ["REPORTS", "ReportResult", "ReportUnavailable", "count_pages", "make_report"]


def make_report(which: str, db: Any, out: str | Path, today: _dt.date | None = None, *,
                kind: str = "cases", query=None, meeting: int | None = None, job=None,
                labels: dict | None = None, as_of: _dt.date | None = None, since: _dt.date | None = None,
                until: _dt.date | None = None, employer: str = "", project: str = "",
                cert_kind: str = "清欠审查证明", purpose: str = "") -> ReportResult:
    """Write report ``which`` to ``out``. ``db`` is a ``Store`` or a database path; ``job`` a
    ``models.jobs.JobContext`` (progress, cancel); ``query`` a ``LedgerRepo`` Query for ledger
    printouts; ``meeting`` the 期数 (or id) for minutes. ``as_of``: the weekly briefing and the
    statistics as they stood at the end of that day (rebuilt from dated facts; refused with
    ``ReportUnavailable`` when it cannot be known); the daily report of that day (of ``today``
    without it), checked as the data stand ``today``; a day after ``today`` is refused.
    An ``out`` ending in .docx is written as Word (``models.reports.word``) from the same content;
    ``pages`` is then 0 (Word paginates when the file is opened). ``period``: the written report
    for [``since``, ``until``]; ``certificate``: a 清欠证明 for ``employer`` / ``project`` as of
    ``as_of`` (registered with its number on ``db``'s acting account; refused while arrears remain)."""
    from models.db import Store
    if which not in REPORTS:
        raise ReportUnavailable(f"没有“{which}”这种报表（可选：{'、'.join(REPORTS)}）")
    today = today or _dt.date.today()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    own = not isinstance(db, Store)
    store = Store(db, check=False) if own else db
    t0 = time.perf_counter()
    from models.figures import NotKnown
    try:
        if which == "weekly":
            from models.reports.briefing import build
            result = build(store, out, today, job=job, as_of=as_of)
        elif which == "ledger":
            from models.reports.ledger_print import build
            result = build(store, out, today, kind=kind, query=query, job=job, labels=labels)
        elif which == "stats":
            from models.reports.stats_report import build
            result = build(store, out, today, job=job, as_of=as_of)
        elif which == "daily":
            from models.reports.daily import build
            result = build(store, out, today, job=job, as_of=as_of)
        elif which == "period":
            from models.reports.period import build
            if since is None or until is None:
                raise ReportUnavailable("书面报告须给出报告期（开始和结束日期）")
            result = build(store, out, today, since, until)
        elif which == "certificate":
            from models.reports.certificate import build
            result = build(store, out, today, employer, project, as_of=as_of if as_of != today else None,
                           kind=cert_kind, purpose=purpose)
        else:
            result = _minutes(store, out, meeting, today)
    except NotKnown as exc:
        out.unlink(missing_ok=True)
        raise ReportUnavailable(str(exc)) from exc
    finally:
        if own:
            store.close()
    result.seconds = time.perf_counter() - t0
    return result


def _minutes(store, out: Path, meeting: int | None, today: _dt.date) -> ReportResult:
    try:
        from models.reports import minutes
        from models import meetings
    except ImportError as exc:
        raise ReportUnavailable(f"会议纪要功能尚未安装（{exc.name}）") from exc
    if meeting is None:
        rows = meetings.list_meetings(store)
        if not rows:
            raise ReportUnavailable("还没有会议记录，无法生成会议纪要")
        held = [r for r in rows if r["status"] != "筹备"]      # the latest meeting held: a 筹备 one has no minutes yet
        if not held:
            raise ReportUnavailable(f"还没有已召开的会议（第{rows[0]['meeting_no']}期尚在筹备），"
                                    "会议召开后再生成纪要；要先看草稿请用 --meeting 指明期数")
        mid = held[0]["id"]
    else:
        try:
            mid = meetings.resolve_meeting(store, int(meeting))
        except ValueError as exc:
            raise ReportUnavailable(str(exc)) from exc
    return minutes.build_minutes(store, mid, out, today)      # with the data check's result


def count_pages(path: Path) -> int:
    """Pages of a PDF we wrote (reportlab writes one /Type /Page object per page)."""
    data = Path(path).read_bytes()
    return data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(b"/Type /Page/")
