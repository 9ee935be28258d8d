"""Benchmarks: each figure measured beside a naive baseline in the same run."""


def print_figures(figures: list) -> None:
    """One line a figure: within its budget or OVER, the value, the budget and the baseline."""
    for f in figures:
        ok = "ok " if f["value"] <= f["budget"] else "OVER"
        print(f"{ok} {f['name']:28s} {f['value']:>10} {f['unit']:4s} budget {f['budget']:>6}  baseline {f['baseline']}")
