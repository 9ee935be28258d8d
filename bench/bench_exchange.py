"""The exchange: a township's 报送包, its receipt at the county, the county's dashboard; each beside
a naive way of doing the same, measured in the same run on the same files.

- package_export_5000_s: ``export_package`` of a township of 5,000 cases and 50,000 workers
  (``bench.county.township_db``), on a fresh copy each run (the package counter moves), best of
  3. Baseline: the naive package — a plain copy of the database file plus a JSON dump of every
  table, zipped (no masking, no checks, no consistent snapshot of a database in use).
- package_receive_5000_s: ``receive_package`` of that package into a fresh county database,
  best of 3 (checks, figures recomputed and compared, the county's register, without the
  automatic backup of the county database, which is a copy of a small file). Baseline: the
  package's database copied into a county database row by row (one INSERT per row, one
  transaction), tables created as the township has them.
- county_dashboard_ms: what the county page loads on refresh — ``county_figures`` (one line per
  township and the total) and the thresholds — on the demo county of 30 townships
  (``bench.county.real_county_db``), warm, median of 7. Baseline: the county's figures
  recomputed from every township's file (``models.figures.figures`` on each, as of its 数据截至).
- county_dashboard_page_ms: the page's refresh with its table (Qt), median of 5.
- demo_county_build_s: ``qingqian demo --scale county`` (30 townships built, packaged and
  received), when this run built the shared county; else the time recorded when it was built.

Standalone: ``python -m bench.bench_exchange`` prints the figures as JSON.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bench.bench_dashboard import _median_ms, _page_refresh_ms

RUNS = 3
TOWN_CASES = 5000


def _copy_db(src: Path, dst: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        p = dst.with_name(dst.name + suffix)
        if p.exists():
            p.unlink()
    shutil.copyfile(src, dst)
    return dst


def _new_county(path: Path, name: str = "青山县", code: str = "511234"):
    from models import campaign
    from models.db import Store
    from models.exchange import identity
    s = Store(path, "县办公室")
    with s.tx():
        campaign.create_campaign(s, f"{name}根治欠薪专项行动汇总", f"{name}根治欠薪办", dt.date(2026, 9, 1))
        identity.set_county(s, name=name, code=code)
    return s


def naive_export(db: Path, out: Path) -> None:
    """A plain copy of the file and every table as JSON, zipped."""
    tmp = out.with_suffix(".copy.sqlite")
    shutil.copyfile(db, tmp)
    conn = sqlite3.connect(str(tmp))
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            z.write(tmp, "content.sqlite")
            virtual = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")]
            for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                     "AND sql NOT LIKE 'CREATE VIRTUAL%'").fetchall():
                if any(t.startswith(v + "_") for v in virtual):
                    continue
                cur = conn.execute(f'SELECT * FROM "{t}"')
                cols = [d[0] for d in cur.description]
                z.writestr(f"{t}.json", json.dumps([dict(zip(cols, r)) for r in cur], ensure_ascii=False,
                                                   default=lambda v: v.hex()))
    finally:
        conn.close()
        tmp.unlink()


def naive_receive(content: Path, county: Path) -> int:
    """Every row of the township's database copied into the county's, one INSERT at a time."""
    src = sqlite3.connect(str(content))
    dst = sqlite3.connect(str(county))
    n = 0
    try:
        dst.execute("BEGIN")
        virtual = [r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")]
        for (t,) in src.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                "AND sql NOT LIKE 'CREATE VIRTUAL%'").fetchall():
            if any(t.startswith(v + "_") for v in virtual):
                continue                    # a search index's own storage
            cols = [r[1] for r in src.execute(f'PRAGMA table_xinfo("{t}")') if r[6] == 0]
            dst.execute(f'CREATE TABLE "t_{t}" ({", ".join(chr(34) + c + chr(34) for c in cols)})')
            marks = ", ".join("?" * len(cols))
            names = ", ".join(f'"{c}"' for c in cols)
            for row in src.execute(f'SELECT {names} FROM "{t}"'):
                dst.execute(f'INSERT INTO "t_{t}" ({names}) VALUES ({marks})', row)
                n += 1
        dst.execute("COMMIT")
    finally:
        src.close()
        dst.close()
    return n


def measure_package(tmp: Path) -> dict:
    from bench.county import BUILT_ON, township_db
    from models.db import Store
    from models.exchange import package
    from models.exchange.export import export_package
    from models.exchange.receive import receive_package
    out: dict = {}
    town = township_db(TOWN_CASES)
    sent = dt.datetime.combine(BUILT_ON, dt.time(17, 0))
    runs, pkg, cpu = [], tmp / "town.qqpkg", {}
    out["cpu"] = cpu
    for k in range(RUNS):
        copy = _copy_db(town, tmp / "town.sqlite")
        s = Store(copy, "报送员")
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            got = export_package(s, pkg, now=sent)
            runs.append(time.perf_counter() - t0)
            cpu.setdefault("export", []).append(time.process_time() - c0)
        finally:
            s.close()
    out["export_runs"] = runs
    out["package_bytes"], out["records"] = got["bytes"], sum(got["counts"].values())
    base = []
    for k in range(RUNS):
        t0, c0 = time.perf_counter(), time.process_time()
        naive_export(copy, tmp / "naive.zip")
        base.append(time.perf_counter() - t0)
        cpu.setdefault("naive_export", []).append(time.process_time() - c0)
    out["naive_export_runs"] = base
    out["naive_bytes"] = (tmp / "naive.zip").stat().st_size

    runs = []
    for k in range(RUNS):
        county = tmp / f"county{k}.sqlite"
        s = _new_county(county)
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            got = receive_package(s, pkg, now=sent + dt.timedelta(hours=1), backup=False)
            runs.append(time.perf_counter() - t0)
            cpu.setdefault("receive", []).append(time.process_time() - c0)
            assert got["added"] > 0 and not got["already_received"]
        finally:
            s.close()
    out["receive_runs"] = runs
    content = tmp / "content.sqlite"
    package.read(pkg).extract_content(content)
    base = []
    for k in range(RUNS):
        naive = tmp / f"naive{k}.sqlite"
        t0, c0 = time.perf_counter(), time.process_time()
        out["naive_rows"] = naive_receive(content, naive)
        base.append(time.perf_counter() - t0)
        cpu.setdefault("naive_receive", []).append(time.process_time() - c0)
    out["naive_receive_runs"] = base
    return out


def _page_ms(store, today) -> float | None:
    from views.exchange.county_page import CountyPage
    return _page_refresh_ms(store, today, CountyPage)


def measure_dashboard() -> dict:
    from bench.county import REAL_COUNTY, real_county_db
    from models.db import Store
    from models.exchange import county, identity
    from models.exchange.receive import township_store
    from models.figures import figures
    built_now = not REAL_COUNTY.exists()
    t0 = time.perf_counter()
    db = real_county_db()
    build_s = time.perf_counter() - t0 if built_now else None
    recorded = REAL_COUNTY.with_name(REAL_COUNTY.name + ".build.json")
    build = json.loads(recorded.read_text(encoding="utf-8")) if recorded.exists() else {}
    store = Store(db, "县办公室", check=False)
    today = dt.date.fromisoformat(build.get("today") or "2026-11-26") + dt.timedelta(days=1)
    try:
        def ours():
            cf = county.county_figures(store, today)
            identity.thresholds(store)
            return cf
        cf = ours()
        ms = _median_ms(ours)
        page = _page_ms(store, today)
        rows = store.query("SELECT file, as_of FROM exchange_township ORDER BY code")

        def naive():
            lines = []
            for r in rows:
                ts = township_store(db, r["file"])
                try:
                    lines.append(figures(ts, dt.datetime.fromisoformat(r["as_of"]).date()).values)
                finally:
                    ts.conn.close()
            return county.total(lines, list(lines[0]))
        t0 = time.perf_counter()
        totals = naive()
        naive_ms = (time.perf_counter() - t0) * 1000
        assert totals["cases"] == cf.totals["cases"] and totals["owed_fen"] == cf.totals["owed_fen"]
    finally:
        store.close()
    return {"ms": ms, "page_ms": page, "naive_ms": naive_ms, "townships": len(cf.townships),
            "cases": cf.totals["cases"], "workers": cf.totals["workers"], "build": build,
            "build_s": build_s}


def run(figures: list) -> None:
    with tempfile.TemporaryDirectory(prefix="qq-bench-exchange-") as d:
        m = measure_package(Path(d))
    ex, rc = sorted(m["export_runs"]), sorted(m["receive_runs"])
    cpu = {k: min(v) for k, v in m["cpu"].items()}      # CPU seconds: what a busy machine does not inflate
    nex, nrc = min(m["naive_export_runs"]), min(m["naive_receive_runs"])
    figures += [
        {"name": "package_export_5000_s", "value": round(ex[0], 2), "unit": "s", "budget": 3,
         "baseline": f"naive package (file copy + JSON dump of every table, zipped, nothing masked) {nex:.2f} s, "
                     f"{m['naive_bytes'] / 1e6:.0f} MB; ours {m['package_bytes'] / 1e6:.0f} MB, "
                     f"{m['records']:,} records; runs {' / '.join(f'{r:.2f}' for r in m['export_runs'])} s; "
                     f"CPU ours {cpu['export']:.2f} s, naive {cpu['naive_export']:.2f} s"},
        {"name": "package_receive_5000_s", "value": round(rc[0], 2), "unit": "s", "budget": 3,
         "baseline": f"row-by-row copy of the package's {m['naive_rows']:,} rows into a county database "
                     f"{nrc:.2f} s (no checks); runs {' / '.join(f'{r:.2f}' for r in m['receive_runs'])} s; "
                     f"CPU ours {cpu['receive']:.2f} s, naive {cpu['naive_receive']:.2f} s"},
    ]
    d = measure_dashboard()
    figures.append({"name": "county_dashboard_ms", "value": d["ms"], "unit": "ms", "budget": 300,
                    "baseline": f"figures recomputed from every township's file: {d['naive_ms']:.0f} ms "
                                f"({d['townships']} townships, {d['cases']:,} cases, {d['workers']:,} workers)"})
    if d["page_ms"] is not None:
        figures.append({"name": "county_dashboard_page_ms", "value": d["page_ms"], "unit": "ms", "budget": 300,
                        "baseline": f"the figures alone {d['ms']:.0f} ms; recomputed from the files "
                                    f"{d['naive_ms']:.0f} ms"})
    b = d["build"]
    seconds = d["build_s"] if d["build_s"] is not None else b.get("seconds")
    if seconds is not None:
        figures.append({"name": "demo_county_build_s", "value": round(seconds, 1), "unit": "s", "budget": 900,
                        "baseline": f"30 townships built {b.get('build_s')} s, packaged {b.get('export_s')} s, "
                                    f"received {b.get('receive_s')} s; CPU {b.get('cpu_s', '?')} s (one database "
                                    f"of the same size written as an import: see demo_big_build_s)"})


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    figs: list = []
    run(figs)
    print(json.dumps(figs, ensure_ascii=False, indent=1))
