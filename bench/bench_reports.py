"""Reports on the county database.

briefing_pdf_county_s: the Monday briefing pack (周调度材料, 16 pages, five charts) made in a fresh
process, so the figure includes importing matplotlib and reportlab; median of 3. Baseline in
the same run: the same pack with every table laid out as one plain reportlab Table of the same
rows. The consistency checks (~30 s on this file) run once beforehand; the packs reuse that
result because the data has not changed since (``models.reports.pdf_base.data_stamp``).

ledger_print_10k_s: a 10,000-row ledger printout (landscape, header on every page, 合计 row)
against one reportlab Table holding the same 10,000 rows.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import statistics
import subprocess
import sys

from bench.bench_dashboard import INDEXES
from bench.county import county_db

CHILD = r"""
import json, sys, time, datetime, pathlib
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[2])
from models.db import Store
store = Store(sys.argv[1], check=False)
mode, today = sys.argv[3], datetime.date.fromisoformat(sys.argv[4])
indexes = json.loads(sys.argv[5])
have = {r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
store.execute("BEGIN IMMEDIATE")
for name, sql in indexes.items():
    if name not in have:
        store.execute(sql)
out = pathlib.Path(sys.argv[6])
res = {}
if mode in ("ours", "naive"):
    from models.reports import briefing
    t = time.perf_counter()
    r = briefing.build(store, out, today, naive=(mode == "naive"))
    res["cold_s"] = time.perf_counter() - t
    res["pages"] = r.pages
    res["passed"] = r.passed
    t = time.perf_counter()
    briefing.build(store, out, today, naive=(mode == "naive"))
    res["warm_s"] = time.perf_counter() - t
else:
    from models.reports import ledger_print
    from models.reports.pdf_base import LongTable
    from models.ledger.repo import Query
    lo, hi = sys.argv[7], sys.argv[8]
    q = Query(ranges={"registered_on": (lo, hi)})
    if mode == "ledger_naive":
        LongTable.split = lambda self, w, h: self.plain_table().split(w, h)   # one Table of every row
    t = time.perf_counter()
    r = ledger_print.build(store, out, today, kind="cases", query=q)
    res["cold_s"] = time.perf_counter() - t
    res["pages"] = r.pages
store.execute("ROLLBACK")
print(json.dumps(res))
"""


def _child(db, mode: str, today: _dt.date, out: str, *extra: str) -> dict:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    res = subprocess.run([sys.executable, "-c", CHILD, str(db), root, mode, today.isoformat(), json.dumps(INDEXES),
                          out, *extra], capture_output=True, text=True, timeout=900)
    if res.returncode != 0:
        raise RuntimeError(res.stderr[-3000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def _ten_thousand(store) -> tuple[str, str, int]:
    """A registration-date range holding about 10,000 live cases."""
    days = store.query("SELECT registered_on, COUNT(*) FROM case_record WHERE deleted_at IS NULL "
                       "GROUP BY registered_on ORDER BY registered_on")
    total, lo = 0, days[0][0]
    for d, n in days:
        total += n
        if total >= 10_000:
            return lo, d, total
    return lo, days[-1][0], total


def run(figures: list) -> None:
    import tempfile
    import time
    from models.db import Store
    from models.reports.pdf_base import data_stamp
    db = county_db()
    today = _dt.date.today()
    store = Store(db, check=False)
    t = time.perf_counter()
    stamp = data_stamp(store, today)          # runs the checks unless their result is still current
    check_s = time.perf_counter() - t
    lo, hi, n = _ten_thousand(store)
    store.close()
    tmp = tempfile.mkdtemp(prefix="qingqian-bench-")
    ours = [_child(db, "ours", today, f"{tmp}/weekly.pdf") for _ in range(3)]
    naive = _child(db, "naive", today, f"{tmp}/weekly_naive.pdf")
    cold = round(statistics.median(o["cold_s"] for o in ours), 2)
    warm = round(statistics.median(o["warm_s"] for o in ours), 2)
    figures.append({"name": "briefing_pdf_county_s", "value": cold, "unit": "s", "budget": 3,
                    "baseline": f"same {ours[0]['pages']}-page pack with each table as one plain reportlab Table: "
                                f"{naive['cold_s']:.2f} s (warm {naive['warm_s']:.2f} s); ours warm {warm:.2f} s; "
                                + (f"consistency checks run once beforehand: {check_s:.0f} s ({stamp.short})" if check_s >= 1
                                   else f"consistency-check result of an earlier run reused, data unchanged ({stamp.short})")})
    led = _child(db, "ledger", today, f"{tmp}/ledger.pdf", lo, hi)
    led_naive = _child(db, "ledger_naive", today, f"{tmp}/ledger_naive.pdf", lo, hi)
    figures.append({"name": "ledger_print_10k_s", "value": round(led["cold_s"], 2), "unit": "s", "budget": 3.2,
                    "baseline": f"{n:,} cases, {led['pages']} landscape pages; one reportlab Table of the same "
                                f"rows: {led_naive['cold_s']:.2f} s"})
