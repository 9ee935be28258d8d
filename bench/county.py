"""The demo databases the benchmarks share, each built once and kept beside this file
(generated files, never committed: ``bench/*.sqlite*``).

- ``county_db()``: one database of county size (100,000 cases, 1,000,000 workers; the demo's
  ``"big"`` scale) for the table, search, import, report and start-up benchmarks.
- ``real_county_db()``: a county database that has received 30 townships' 报送包 (the demo's
  ``"county"`` scale, 100,000 cases and 1,000,000 workers in all) for the county dashboard.
- ``township_db(cases)``: one township of that many cases (10 workers a case), named and
  coded, ready to send its 报送包.
"""
from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
PATH = Path(os.environ.get("QINGQIAN_BENCH_DB", HERE / "county.sqlite"))
REAL_COUNTY = HERE / "county30.sqlite"
# the day the shared demo databases are built as of (their data end then)
BUILT_ON = _dt.date(2026, 11, 26)


def _record(path: Path, summary: dict) -> None:
    """The build's summary beside the file (its time is a figure of bench_exchange)."""
    import json
    path.with_name(path.name + ".build.json").write_text(
        json.dumps(summary, ensure_ascii=False), encoding="utf-8")


def county_db() -> Path:
    if not PATH.exists():
        from models import demo
        _record(PATH, demo.build_demo(PATH, "big", today=BUILT_ON))
    return PATH


def real_county_db() -> Path:
    if not REAL_COUNTY.exists():
        from models import demo
        _record(REAL_COUNTY, demo.build_demo(REAL_COUNTY, "county", today=BUILT_ON))
    return REAL_COUNTY


def township_db(cases: int = 5000) -> Path:
    path = HERE / f"township{cases}.sqlite"
    if not path.exists():
        from models import demo
        demo.build_demo(path, "township", township="白鹤镇", seed=cases, today=BUILT_ON,
                        _cases=cases, _workers=cases * 10)
    return path
