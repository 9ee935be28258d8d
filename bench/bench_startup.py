"""Process start → first painted main window, on the county database.
Baseline: the same start with pandas, matplotlib, reportlab and sqlite_utils imported up front."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.county import county_db

ROOT = Path(__file__).resolve().parent.parent
EAGER = "import pandas, matplotlib.pyplot, reportlab.platypus, sqlite_utils\n"


def _start(db: Path, eager: bool) -> float:
    code = (EAGER if eager else "") + (
        "import sys; sys.argv = ['qingqian', 'selftest', '--db', sys.argv[1]]\n"
        "from desktop.cli import main\nraise SystemExit(main())\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QINGQIAN_HOME": tempfile.mkdtemp()}
    t0 = time.time()
    res = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, cwd=ROOT,
                         env=env, timeout=300)
    out = json.loads(res.stdout.strip().splitlines()[-1])
    return (out["first_paint_epoch"] - t0) * 1000


def run(figures: list) -> None:
    db = county_db()
    _start(db, False)             # warm the file cache once
    ours = [_start(db, False) for _ in range(5)]
    base = [_start(db, True) for _ in range(3)]
    figures.append({"name": "startup_first_paint_ms", "value": round(statistics.median(ours), 1), "unit": "ms",
                    "budget": 400, "baseline": f"eager imports {statistics.median(base):.0f} ms"})
