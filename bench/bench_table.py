"""The 1,000,000-row worker table: first paint, jump, sort, filter, memory, search.
Baselines: QSqlQueryModel (first paint and reaching the last row) and LIKE search."""
from __future__ import annotations

import gc
import os
import resource
import statistics
import subprocess
import sys
import time

from bench.county import county_db

CHILD = r"""
import os, sys, time, json, resource
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[2])
from PySide6.QtWidgets import QApplication
app = QApplication([])
mode = sys.argv[3]
def peak_mb():
    # VmHWM: this process's own peak (ru_maxrss can carry the parent's peak over fork and exec)
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rss0 = peak_mb()
out = {}
if mode == "ours":
    from models.db import Store
    from models import case_workers
    from models.ledger.repo import Query
    from views.ledger_model import LedgerTableModel
    from views.ledger_table import LedgerTableView
    store = Store(sys.argv[1], check=False)
    repo = case_workers.workers_repo(store)
    t = time.perf_counter()
    model = LedgerTableModel(repo)
    view = LedgerTableView(model)
    model.reload()
    view.resize(1200, 700); view.show(); view.grab()
    out["first_paint_ms"] = (time.perf_counter() - t) * 1000
    model.finish_loading()
    t = time.perf_counter()
    view.scrollTo(model.index(model.rowCount() - 1, 0)); view.grab()
    out["jump_ms"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    view.scrollTo(model.index(523_211, 0)); view.grab()
    out["jump_mid_ms"] = (time.perf_counter() - t) * 1000
    col = [f.name for f in model.fields].index("owed_fen")
    t = time.perf_counter()
    model.sort(col); view.grab()
    out["sort_ms"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    model.set_query(Query(extra=[("t.paid_fen < t.owed_fen", [])])); view.grab()
    out["filter_ms"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    model.set_query(Query(search="张伟")); view.grab()
    out["search2_ms"] = (time.perf_counter() - t) * 1000
    # three-character search: FTS5 trigram, first page
    ts = []
    for q in ("王秀英", "511322", "钢筋工"):
        t = time.perf_counter()
        ids = repo.ids(Query(search=q), limit=100)
        ts.append((time.perf_counter() - t) * 1000)
    out["search_ms"] = max(ts)
    t = time.perf_counter()
    store.query("SELECT id FROM worker t WHERE t.deleted_at IS NULL AND (t.name LIKE '%王秀英%' OR t.id_number LIKE '%王秀英%' OR t.trade LIKE '%王秀英%') LIMIT 100")
    out["search_like_ms"] = (time.perf_counter() - t) * 1000
else:
    from PySide6.QtSql import QSqlDatabase, QSqlQueryModel
    from PySide6.QtWidgets import QTableView
    db = QSqlDatabase.addDatabase("QSQLITE"); db.setDatabaseName(sys.argv[1]); db.open()
    t = time.perf_counter()
    model = QSqlQueryModel(); model.setQuery("SELECT * FROM worker WHERE deleted_at IS NULL ORDER BY id")
    view = QTableView(); view.setModel(model); view.resize(1200, 700); view.show(); view.grab()
    out["first_paint_ms"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    while model.canFetchMore(): model.fetchMore()
    view.scrollTo(model.index(model.rowCount() - 1, 0)); view.grab()
    out["jump_ms"] = (time.perf_counter() - t) * 1000
out["rss_mb"] = peak_mb() - rss0
print(json.dumps(out))
"""


def _child(db, mode: str) -> dict:
    import json
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    res = subprocess.run([sys.executable, "-c", CHILD, str(db), root, mode], capture_output=True, text=True,
                         timeout=600)
    if res.returncode != 0:
        raise RuntimeError(res.stderr[-2000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def run(figures: list) -> None:
    db = county_db()
    ours = [_child(db, "ours") for _ in range(3)]
    base = _child(db, "baseline")
    med = {k: round(statistics.median(o[k] for o in ours), 1) for k in ours[0]}
    figures += [
        {"name": "table_first_paint_ms", "value": med["first_paint_ms"], "unit": "ms", "budget": 300,
         "baseline": f"QSqlQueryModel {base['first_paint_ms']:.0f} ms (knows 256 rows)"},
        {"name": "table_jump_ms", "value": max(med["jump_ms"], med["jump_mid_ms"]), "unit": "ms", "budget": 50,
         "baseline": f"QSqlQueryModel to last row {base['jump_ms']:.0f} ms"},
        {"name": "table_sort_ms", "value": med["sort_ms"], "unit": "ms", "budget": 300,
         "baseline": "QSqlQueryModel cannot sort in SQL without reloading every row"},
        {"name": "table_filter_ms", "value": med["filter_ms"], "unit": "ms", "budget": 300,
         "baseline": f"(2-character LIKE search through the same model: {med['search2_ms']:.0f} ms)"},
        {"name": "table_memory_mb", "value": med["rss_mb"], "unit": "MB", "budget": 200,
         "baseline": f"QSqlQueryModel after reaching the last row {base['rss_mb']:.0f} MB"},
        {"name": "search_first_page_ms", "value": med["search_ms"], "unit": "ms", "budget": 30,
         "baseline": f"LIKE '%…%' {med['search_like_ms']:.0f} ms"},
    ]
