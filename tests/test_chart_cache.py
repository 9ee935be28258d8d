"""A report's chart is drawn once for the values it shows: the PNG kept from the same values is
the very picture drawing gives, and other values are drawn afresh."""
from __future__ import annotations

import datetime as _dt

import pytest

from models import charts
from models.db import Store

TODAY = _dt.date(2026, 12, 7)


def test_a_kept_chart_is_the_picture_drawing_gives(demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("QINGQIAN_HOME", str(tmp_path / "home"))
    s = Store(demo_db)
    try:
        specs = charts.chart_specs(s, TODAY)
        figs = charts.all_charts(s, TODAY)
    finally:
        s.close()
    assert set(specs) == {k for k, _t in charts.CHARTS}
    drawn = {k: charts.png_cached(c, 130) for k, c in specs.items()}
    for k, fig in figs.items():
        assert drawn[k] == charts.png_bytes(fig, 130), k
        assert tuple(fig.get_size_inches()) == pytest.approx(specs[k].size), k

    def no_drawing(self):
        raise AssertionError(f"{self.key} drawn again")
    monkeypatch.setattr(charts.Chart, "figure", no_drawing)
    assert {k: charts.png_cached(c, 130) for k, c in specs.items()} == drawn

    status = specs["status"]
    other = charts.Chart("status", {"items": [[s, n + 1] for s, n in status.data["items"]]}, status.size)
    with pytest.raises(AssertionError, match="status drawn again"):
        charts.png_cached(other, 130)
