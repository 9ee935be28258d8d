"""`python -m bench [names…]`: run the benchmarks and write bench/results.json.

A name picks one module: ``python -m bench after_edit`` (or ``bench_after_edit``) runs
bench/bench_after_edit.py only; the figures it writes replace theirs in results.json and the
others are kept as they were."""
from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
from pathlib import Path

from bench import print_figures

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in argv}
    known = {i.name for i in pkgutil.iter_modules([str(HERE)]) if i.name.startswith("bench_")}
    if wanted - known:
        print(f"no such benchmark: {', '.join(sorted(wanted - known))} (known: "
              f"{', '.join(sorted(n[6:] for n in known))})", file=sys.stderr)
        return 2
    figures: list[dict] = []
    results = HERE / "results.json"
    for info in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda i: i.name):
        if not info.name.startswith("bench_") or (wanted and info.name not in wanted):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        print(f"== {info.name}", file=sys.stderr)
        module.run(figures)
    # read now, not at the start: another module run meanwhile keeps its figures
    old = json.loads(results.read_text(encoding="utf-8")).get("figures", []) if results.exists() else []
    new = {f["name"]: f for f in figures}
    merged = [new.pop(f["name"], f) for f in old] + list(new.values())    # each figure keeps its place
    results.write_text(json.dumps({"figures": merged}, ensure_ascii=False, indent=1), encoding="utf-8")
    print_figures(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
