"""Process start → first painted main window, on the county database.

- startup_first_paint_ms: from a virtual environment (as ``make run`` starts it), median of 7.
  Baseline: the same start with pandas, matplotlib, reportlab and sqlite_utils imported up front.
- bundle_startup_first_paint_ms: the PyInstaller bundle (``make dist``), when it has been built,
  median of 7. Baseline: a bare PyInstaller bundle of a one-line program, the floor any
  bundle pays before its first line (built once into build/bench-floor).
- Each figure names where the time went (medians, ms from the program's first line as selftest
  reports them): Qt up (``app``), the database open (``store``), the window's shell built
  (``window``), its first frame painted (``paint``), the first page (首页) built and drawn after
  that frame (``first_page``).
- startup_home_page_ms / bundle_startup_home_page_ms: spawn → the home page built and drawn
  (the window paints its sidebar, menu and status bar first, then builds the page).

Python writes its compiled modules (__pycache__) as on any office PC: a start after the first
does not compile the program again, whatever PYTHONDONTWRITEBYTECODE says in this shell."""
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


def _start(db: Path, eager: bool, stages: list | None = None) -> float:
    code = (EAGER if eager else "") + (
        "import sys; sys.argv = ['qingqian', 'selftest', '--first-paint', '--json', '--db', sys.argv[1]]\n"
        "from desktop.cli import main\nraise SystemExit(main())\n")
    return _first_paint([sys.executable, "-c", code, str(db)], stages)


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(QT_QPA_PLATFORM="offscreen", QINGQIAN_HOME=tempfile.mkdtemp())
    return env


def _first_paint(cmd: list[str], stages: list | None = None) -> float:
    t0 = time.time()
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=300)
    out = json.loads(res.stdout.strip().splitlines()[-1])
    if stages is not None:
        stages.append({**out.get("stages_ms", {}), "paint": out.get("first_paint_ms"),
                       "home": (out["first_page_epoch"] - t0) * 1000 if out.get("first_page_epoch") else None})
    return (out["first_paint_epoch"] - t0) * 1000


def _stages_text(stages: list) -> str:
    """app 160 / store 220 / window 420 / paint 470 ms: medians of the runs' own stage marks."""
    keys = [k for k in ("app", "store", "window", "paint", "first_page")
            if all(s.get(k) is not None for s in stages)]
    if not stages or not keys:
        return ""
    return "; stages (median ms from the first line): " + " / ".join(
        f"{k} {statistics.median(s[k] for s in stages):.0f}" for k in keys)


BUNDLE = ROOT / "dist" / "清欠工作台" / ("qingqian.exe" if sys.platform == "win32" else "qingqian")


def _floor_ms() -> float | None:
    """Spawn → first line of a bare PyInstaller bundle (built once; None without PyInstaller)."""
    work = ROOT / "build" / "bench-floor"
    exe = work / "dist" / "floor" / ("floor.exe" if sys.platform == "win32" else "floor")
    if not exe.exists():
        work.mkdir(parents=True, exist_ok=True)
        (work / "floor.py").write_text("import time\nprint(time.time())\n", encoding="utf-8")
        built = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
                                "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
                                "--specpath", str(work), str(work / "floor.py")], capture_output=True)
        if built.returncode != 0 or not exe.exists():
            return None
    runs = []
    for _ in range(7):
        t0 = time.time()
        out = subprocess.run([str(exe)], capture_output=True, text=True).stdout.split()
        runs.append((float(out[-1]) - t0) * 1000)
    return statistics.median(runs)


def _home(name: str, stages: list) -> dict | None:
    """Spawn → the first page (首页, a county's figures) built and drawn, after the first frame."""
    homes = [s["home"] for s in stages if s.get("home") is not None]
    if len(homes) != len(stages) or not homes:
        return None
    return {"name": name, "value": round(statistics.median(homes), 1), "unit": "ms", "budget": 1000,
            "baseline": "the window's first frame shows the sidebar, menu and status bar with 正在打开首页; "
                        f"the home page follows: runs {', '.join(f'{x:.0f}' for x in sorted(homes))}"}


def run(figures: list) -> None:
    db = county_db()
    _start(db, False)             # warm the file cache once
    stages: list = []
    ours = [_start(db, False, stages) for _ in range(7)]
    base = [_start(db, True) for _ in range(3)]
    figures.append({"name": "startup_first_paint_ms", "value": round(statistics.median(ours), 1), "unit": "ms",
                    "budget": 300, "baseline": f"eager imports {statistics.median(base):.0f} ms; "
                                               f"runs {', '.join(f'{x:.0f}' for x in sorted(ours))}"
                                               + _stages_text(stages)})
    if home := _home("startup_home_page_ms", stages):
        figures.append(home)
    if not BUNDLE.exists():
        print("bundle not built (make dist): bundle_startup_first_paint_ms skipped", file=sys.stderr)
        return
    cmd = [str(BUNDLE), "selftest", "--first-paint", "--json", "--db", str(db)]
    _first_paint(cmd)
    stages = []
    runs = [_first_paint(cmd, stages) for _ in range(7)]
    floor = _floor_ms()
    figures.append({"name": "bundle_startup_first_paint_ms", "value": round(statistics.median(runs), 1),
                    "unit": "ms", "budget": 300,
                    "baseline": (f"bare PyInstaller bundle to its first line {floor:.0f} ms; " if floor else "")
                    + f"runs {', '.join(f'{x:.0f}' for x in sorted(runs))}" + _stages_text(stages)})
    if home := _home("bundle_startup_home_page_ms", stages):
        figures.append(home)
