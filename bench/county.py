"""The county-sized database the benchmarks share, built once."""
from __future__ import annotations

import os
from pathlib import Path

PATH = Path(os.environ.get("QINGQIAN_BENCH_DB", Path(__file__).resolve().parent / "county.sqlite"))


def county_db() -> Path:
    if not PATH.exists():
        from models import demo
        demo.build_demo(PATH, "county")
    return PATH
