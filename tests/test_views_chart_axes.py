"""The charts' value axes (models.charts, shown on the 图表 page and the home page): a chart whose
values are all zero reads 0 to 1 with a note in the middle, never 0, 0, 0, -0, -0; small amounts
get the decimals their ticks need."""
from __future__ import annotations

import datetime as _dt
from types import SimpleNamespace

import pytest

TODAY = _dt.date(2026, 12, 7)


def _labels(fig, axis: str = "y") -> list[str]:
    from models.charts import png_bytes
    png_bytes(fig, dpi=50)                       # drawn, so the tick labels are set
    ax = fig.axes[0]
    ticks = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in ticks if t.get_text()]


def _notes(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


@pytest.mark.parametrize("step,value,text", [(1, -0.0, "0"), (0.02, -0.0001, "0"), (0.02, -0.04, "-0.04"),
                                             (200_000, 1_200_000, "1,200,000"), (0.25, 0.75, "0.75"),
                                             (0.5, 2.0, "2.0"), (5, 10.0, "10")])
def test_tick_text(step, value, text):
    from models.charts import tick_text
    assert tick_text(value, step) == text


def test_repaid_chart_with_nothing_owed_yet():
    """A campaign with its phases but no case owing anything: the target line lies at 0."""
    from models.charts import repaid_vs_target
    points = [(_dt.date(2026, 10, 25), 0), (_dt.date(2026, 12, 5), 0), (_dt.date(2027, 2, 10), 0)]
    phases = [SimpleNamespace(name="第一阶段", target_pct=30), SimpleNamespace(name="春节前全部办结", target_pct=100)]
    fig = repaid_vs_target(SimpleNamespace(points=[], total_fen=0), points, TODAY, _dt.date(2027, 2, 10), phases)
    labels = _labels(fig)
    assert labels == ["0", "1"], labels
    assert fig.axes[0].get_ylim() == (0, 1)
    assert "暂无兑付记录" in _notes(fig)


def test_funds_and_workstreams_all_zero():
    from models.charts import funds_by_channel, workstream_progress
    funds = SimpleNamespace(available=True, note="", rows=[("财政资金", 0), ("企业自筹", 0)], total_fen=0)
    fig = funds_by_channel(funds)
    assert _labels(fig) == ["0", "1"] and "暂无资金到位记录" in _notes(fig)
    ws = SimpleNamespace(name="欠薪化解专班", counted=SimpleNamespace(paid_fen=0, outstanding_fen=0, cleared_pct=0.0,
                                                                   owed_fen=0), all=SimpleNamespace(cases=2))
    fig = workstream_progress(SimpleNamespace(workstreams=[ws]))
    assert _labels(fig, "x") == ["0", "1"] and "暂无欠薪金额" in _notes(fig)


def test_small_amounts_keep_their_decimals_and_counts_are_whole():
    from models.charts import funds_by_channel, weekly_new_closed
    funds = SimpleNamespace(available=True, note="", rows=[("财政资金", 3_000), ("企业自筹", 1_500)], total_fen=4_500)
    labels = _labels(funds_by_channel(funds))           # 0.003 万元 at most
    assert len(set(labels)) == len(labels) and "-0" not in labels, labels
    flows = [SimpleNamespace(week_start=_dt.date(2026, 11, 2), new=1, closed=0),
             SimpleNamespace(week_start=_dt.date(2026, 11, 9), new=2, closed=1)]
    labels = _labels(weekly_new_closed(flows))
    assert labels and all(t.isdigit() for t in labels), labels
