"""Charts as matplotlib ``Figure`` objects (no pyplot, no GUI backend): the window embeds them
with its Qt canvas, the reports draw them to PNG. Chinese text throughout, in the bundled font.

matplotlib is imported inside the functions: it costs ~0.5 s and start-up must not pay it.
Every figure is drawn from ``models.stats``, so a chart shows the same numbers as the tables.
"""
from __future__ import annotations

import datetime as _dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from models.db import Store

_READY = False
BLUE, ORANGE, GREEN, GREY, RED = "#1f5fa8", "#e07b28", "#2e8b57", "#9aa0a6", "#c0392b"
STATUS_COLOURS = {"待核实": "#f0ad4e", "化解中": "#1f77b4", "已化解": "#2e8b57", "已移送": "#8e44ad",
                  "不存在欠薪": "#9aa0a6"}
CHARTS = (("repaid", "累计兑付与目标"), ("workstreams", "各专班化解进度"), ("status", "问题状态分布"),
          ("weekly", "每周新增与办结"), ("funds", "清欠资金筹措渠道"))


def setup() -> None:
    """Register the bundled CJK font with matplotlib once."""
    global _READY
    if _READY:
        return
    import os
    from models import paths
    # matplotlib's settings and font cache in the program's own folder: built once, kept
    # between sessions (the bundle no longer gets a new temporary folder at every start)
    os.environ.setdefault("MPLCONFIGDIR", str(paths.data_dir() / "matplotlib"))
    import matplotlib
    from matplotlib import font_manager
    from resources import FONT_FAMILY, FONT_PATH
    font_manager.fontManager.addfont(str(FONT_PATH))
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [FONT_FAMILY, *matplotlib.rcParams["font.sans-serif"]]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.fonttype"] = "path"      # SVG readable without the font installed
    _READY = True


def _figure(w: float = 7.2, h: float = 3.6, left: float = 0.95) -> "Figure":
    setup()
    from matplotlib.figure import Figure
    fig = Figure(figsize=(w, h), dpi=100)     # fixed margins: constrained layout costs ~0.15 s a chart
    fig.subplots_adjust(left=left / w, right=1 - 0.25 / w, top=1 - 0.55 / h, bottom=0.55 / h)
    return fig


def tick_text(x: float, step: float) -> str:
    """A value axis's tick: 1,200,000 rather than "1.2 1e6" (county totals run to a million 万元),
    as many decimals as the ticks' step needs (0.5, 0.25 万元 on a small town's chart: never
    0, 0, 1, 1), and 0 for zero, never "-0"."""
    decimals = next((d for d in range(5) if abs(step * 10 ** d - round(step * 10 ** d)) < 1e-6), 4)
    if round(x, decimals) == 0:
        return "0"
    return f"{x:,.{decimals}f}"


def _formatter():
    from matplotlib.ticker import Formatter

    class PlainTicks(Formatter):
        step = 1.0

        def set_locs(self, locs) -> None:     # the axis's ticks, given before they are labelled
            super().set_locs(locs)
            locs = sorted(locs)
            self.step = min((b - a for a, b in zip(locs, locs[1:]) if b > a), default=1.0)

        def __call__(self, x, pos=None) -> str:
            return tick_text(x, self.step)
    return PlainTicks()


def _style(ax, axis: str = "y", counts: bool = False) -> None:
    """``counts``: the axis counts cases, in whole numbers only."""
    from matplotlib.ticker import MaxNLocator
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    value_axis = ax.yaxis if axis == "y" else ax.xaxis
    value_axis.set_major_formatter(_formatter())
    if counts:
        value_axis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)


def _all_zero(ax, note: str, axis: str = "y") -> None:
    """Every value drawn is zero: the axis from 0 to 1 in whole numbers (not 0, 0, 0, -0, -0 around
    a line on the floor) and what is missing in the middle, as an empty chart says it."""
    from matplotlib.ticker import MaxNLocator
    (ax.set_ylim if axis == "y" else ax.set_xlim)(0, 1)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(MaxNLocator(integer=True))
    ax.text(0.5, 0.5, note, ha="center", va="center", fontsize=12, color="#666666", transform=ax.transAxes,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 4})


def _wan(fen: float) -> float:
    return fen / 1_000_000


def _empty(fig: "Figure", title: str, message: str) -> "Figure":
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title, fontsize=13, loc="left")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#666666", transform=ax.transAxes)
    return fig


def repaid_vs_target(series, points: list[tuple[_dt.date, int]], today: _dt.date,
                     deadline: _dt.date | None = None, phases=()) -> "Figure":
    """累计兑付金额（万元）against the phased target line."""
    return _repaid_chart(series, points, today, deadline, phases).figure()


def _repaid_chart(series, points, today, deadline=None, phases=()) -> "Chart":
    return Chart("repaid", {"series": [[d.isoformat(), v] for d, v in series.points], "total_fen": series.total_fen,
                            "points": [[d.isoformat(), v] for d, v in points],
                            "phases": [[p.name, p.target_pct] for p in phases], "today": today.isoformat(),
                            "deadline": deadline.isoformat() if deadline else None}, (7.2, 3.6))


def _draw_repaid(size, series, total_fen, points, phases, today, deadline) -> "Figure":
    import matplotlib.dates as mdates
    day = _dt.date.fromisoformat
    series = [(day(d), v) for d, v in series]
    points = [(day(d), v) for d, v in points]
    today = day(today)
    deadline = day(deadline) if deadline else None
    fig = _figure(*size)
    title = "累计兑付金额与阶段目标"
    if not series and not points:
        return _empty(fig, title, "暂无兑付记录")
    ax = fig.add_subplot()
    _style(ax)
    if points:
        ax.plot([d for d, _v in points], [_wan(v) for _d, v in points], color=ORANGE, linestyle="--",
                linewidth=1.6, marker="o", markersize=4, label="目标进度线")
        for (name, pct), (d, v) in zip(phases, points[1:]):
            ax.annotate(f"{name}\n{pct}%", (d, _wan(v)), textcoords="offset points", xytext=(-4, 6),
                        ha="right", fontsize=8, color=ORANGE)
    if series:
        first = series[0][0]
        xs = [first - _dt.timedelta(days=1)] + [d for d, _v in series] + [today]
        ys = [0.0] + [_wan(v) for _d, v in series] + [_wan(series[-1][1])]
        ax.step(xs, ys, where="post", color=BLUE, linewidth=2, label="累计兑付")
        ax.annotate(f"{_wan(total_fen):,.2f} 万元", (today, ys[-1]), textcoords="offset points",
                    xytext=(4, -12), fontsize=9, color=BLUE)
    if not any(v for _d, v in points) and not any(v for _d, v in series):
        _all_zero(ax, "暂无兑付记录")          # no case owes anything yet: the target is 0 too
    ax.axvline(today, color=GREY, linewidth=1, linestyle=":")
    ax.text(today, ax.get_ylim()[1], f" 今天 {today:%m-%d}", fontsize=8, color="#555555", va="top")
    if deadline:
        ax.axvline(deadline, color=RED, linewidth=1, linestyle=":")
        ax.text(deadline, ax.get_ylim()[1] * 0.5, " 春节前", fontsize=8, color=RED, va="top")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    ax.set_ylabel("万元")
    ax.set_title(title, fontsize=13, loc="left")
    ax.legend(loc="upper left", fontsize=9, frameon=False)
    return fig


def workstream_progress(tot) -> "Figure":
    """Each workstream's 已兑付 and 未兑付 (万元), with its cleared percentage."""
    return _workstreams_chart(tot).figure()


def _workstreams_chart(tot) -> "Chart":
    rows = [[w.name, w.counted.paid_fen, w.counted.outstanding_fen, w.counted.cleared_pct]
            for w in tot.workstreams if w.counted.owed_fen or w.all.cases]
    return Chart("workstreams", {"rows": rows}, (7.2, max(2.6, 0.45 * len(rows) + 1.2)))


def _draw_workstreams(size, rows) -> "Figure":
    fig = _figure(*size, left=1.75)
    title = "各专班化解进度（万元）"
    if not rows:
        return _empty(fig, title, "暂无欠薪问题")
    ax = fig.add_subplot()
    _style(ax, "x")
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.8)
    rows = rows[::-1]
    names = [r[0] for r in rows]
    paid = [_wan(r[1]) for r in rows]
    left = [_wan(r[2]) for r in rows]
    ax.barh(names, paid, color=GREEN, label="已兑付")
    ax.barh(names, left, left=paid, color="#d9d9d9", label="未兑付")
    top = max((p + q for p, q in zip(paid, left)), default=0)
    if top:
        for i, r in enumerate(rows):
            ax.text(paid[i] + left[i] + top * 0.01, i, f"{r[3]:.1f}%", va="center", fontsize=9)
        ax.set_xlim(0, top * 1.12)
    else:
        _all_zero(ax, "暂无欠薪金额", axis="x")
    ax.tick_params(axis="y", labelsize=9)
    ax.set_title(title, fontsize=13, loc="left")
    ax.legend(loc="lower right", fontsize=9, frameon=False)
    return fig


def cases_by_status(tot) -> "Figure":
    return _status_chart(tot).figure()


def _status_chart(tot) -> "Chart":
    return Chart("status", {"items": [[s, b.cases] for s, b in tot.by_status.items()]}, (7.2, 3.2))


def _draw_status(size, items) -> "Figure":
    fig = _figure(*size)
    title = "欠薪问题状态分布（件）"
    if not any(n for _s, n in items):
        return _empty(fig, title, "暂无欠薪问题")
    ax = fig.add_subplot()
    _style(ax, counts=True)
    bars = ax.bar([s for s, _n in items], [n for _s, n in items],
                  color=[STATUS_COLOURS.get(s, GREY) for s, _n in items])
    for b, (_s, n) in zip(bars, items):
        ax.text(b.get_x() + b.get_width() / 2, b.get_height(), f"{n:,}", ha="center", va="bottom", fontsize=9)
    ax.set_ylim(0, max(n for _s, n in items) * 1.15)
    ax.set_title(title, fontsize=13, loc="left")
    return fig


def weekly_new_closed(flows) -> "Figure":
    return _weekly_chart(flows).figure()


def _weekly_chart(flows) -> "Chart":
    return Chart("weekly", {"flows": [[f.week_start.isoformat(), f.new, f.closed] for f in flows or ()]}, (7.2, 3.2))


def _draw_weekly(size, flows) -> "Figure":
    fig = _figure(*size)
    title = "每周新增与办结问题数（件）"
    if not flows or not any(new or closed for _w, new, closed in flows):
        return _empty(fig, title, "暂无欠薪问题")
    ax = fig.add_subplot()
    _style(ax, counts=True)
    xs = range(len(flows))
    ax.bar([x - 0.2 for x in xs], [f[1] for f in flows], width=0.4, color=BLUE, label="新增")
    ax.bar([x + 0.2 for x in xs], [f[2] for f in flows], width=0.4, color=GREEN, label="办结")
    ax.set_xticks(list(xs), [f"{_dt.date.fromisoformat(f[0]):%m-%d}" for f in flows], fontsize=8,
                  rotation=45 if len(flows) > 12 else 0)
    ax.set_xlabel("周（周一日期）", fontsize=9)
    ax.set_title(title, fontsize=13, loc="left")
    ax.legend(loc="upper right", fontsize=9, frameon=False)
    return fig


def funds_by_channel(funds) -> "Figure":
    return _funds_chart(funds).figure()


def _funds_chart(funds) -> "Chart":
    return Chart("funds", {"available": funds.available, "note": funds.note, "rows": [[k, v] for k, v in funds.rows],
                           "total_fen": funds.total_fen}, (7.2, 3.2))


def _draw_funds(size, available, note, rows, total_fen) -> "Figure":
    fig = _figure(*size)
    title = "清欠资金筹措到位情况（万元）"
    if not available:
        return _empty(fig, title, note or "清欠资金台账尚未建立")
    if not rows:
        return _empty(fig, title, "暂无资金到位记录")
    ax = fig.add_subplot()
    _style(ax)
    names = [k for k, _v in rows]
    vals = [_wan(v) for _k, v in rows]
    bars = ax.bar(names, vals, color=BLUE)
    if any(vals):
        for b, v in zip(bars, vals):
            ax.text(b.get_x() + b.get_width() / 2, b.get_height(), f"{v:,.2f}", ha="center", va="bottom", fontsize=9)
        ax.set_ylim(0, max(vals) * 1.15)
    else:
        _all_zero(ax, "暂无资金到位记录")
    ax.set_title(f"{title}　合计 {_wan(total_fen):,.2f} 万元", fontsize=13, loc="left")
    return fig


_DRAW = {"repaid": _draw_repaid, "workstreams": _draw_workstreams, "status": _draw_status,
         "weekly": _draw_weekly, "funds": _draw_funds}


@dataclass(frozen=True)
class Chart:
    """A chart before it is drawn: its kind, the plain values the drawing reads (numbers, text,
    ISO dates) and its size in inches. Equal values give an equal picture, so a report keeps
    the PNG it drew (``png_cached``) and draws, and imports matplotlib, only when they change."""
    key: str
    data: dict
    size: tuple[float, float]

    def figure(self) -> "Figure":
        return _DRAW[self.key](self.size, **self.data)


def chart_specs(store: "Store", today: _dt.date, which=None, data: dict | None = None) -> dict[str, Chart]:
    """Every chart by key (see ``CHARTS``), undrawn, from one read of the figures. ``data`` may hold
    figures already computed (``totals``, ``series``, ``flows``, ``funds``) to avoid re-reading."""
    from models import campaign as campaigns, stats
    data = dict(data or {})
    which = set(which or [k for k, _t in CHARTS])
    tot = data.get("totals") or stats.totals(store, today)
    camp = data["campaign"] if "campaign" in data else campaigns.current(store)
    out: dict[str, Chart] = {}
    if "repaid" in which:
        series = data.get("series") or stats.repaid_series(store, tot.counted.paid_fen)
        pts = stats.target_points(camp, tot.counted.owed_fen) if camp else []
        out["repaid"] = _repaid_chart(series, pts, today,
                                      _dt.date.fromisoformat(camp.end_date) if camp else None,
                                      sorted(camp.phases, key=lambda p: p.due_date) if camp else ())
    if "workstreams" in which:
        out["workstreams"] = _workstreams_chart(tot)
    if "status" in which:
        out["status"] = _status_chart(tot)
    if "weekly" in which:
        start = _dt.date.fromisoformat(camp.start_date) if camp else None
        out["weekly"] = _weekly_chart(data.get("flows") or stats.weekly_flow(store, today, start))
    if "funds" in which:
        out["funds"] = _funds_chart(data.get("funds") or stats.funds_by_channel(store))
    return out


def all_charts(store: "Store", today: _dt.date, which=None, data: dict | None = None) -> dict[str, "Figure"]:
    """Every chart by key (see ``CHARTS``) as a matplotlib figure (``chart_specs``, drawn)."""
    return {k: c.figure() for k, c in chart_specs(store, today, which, data).items()}


def save(fig: "Figure", path: str | Path) -> Path:
    """Save as PNG or SVG, chosen by the file's suffix (PNG when it has none)."""
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        path = path.with_suffix(".png")
    fig.savefig(path, format=path.suffix[1:].lower(), dpi=150 if path.suffix.lower() == ".png" else None)
    return path


def png_bytes(fig: "Figure", dpi: int = 150) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


CACHE_DIR = "chart-cache"       # under the program's folder (models.paths.data_dir)
CACHE_KEEP = 64                 # PNGs kept; the oldest go first


_STAMP: list[str] = []


def _stamp() -> str:
    """What else a picture depends on: this module's drawing code, matplotlib's version and the font."""
    if not _STAMP:
        _STAMP.append(_read_stamp())
    return _STAMP[0]


def _read_stamp() -> str:
    """Read without importing matplotlib; where a file cannot be read (a bundle keeps no
    sources), the program's own executable, which every upgrade replaces, stands for it."""
    import hashlib
    import importlib.util
    import os
    import sys

    def program() -> str:
        try:
            st = os.stat(sys.executable)
            return f"{sys.executable}:{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            return "?"
    try:
        code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    except OSError:
        code = program()
    try:
        spec = importlib.util.find_spec("matplotlib")
        mpl = (Path(spec.origin).parent / "_version.py").read_text(encoding="utf-8")
    except (OSError, TypeError, AttributeError, ImportError, ValueError):
        mpl = program()
    try:                                # the bundled face the charts are drawn in
        from resources import FONT_PATH
        st = os.stat(FONT_PATH)
        font = f"{st.st_size}:{st.st_mtime_ns}"
    except (OSError, ImportError):
        font = "?"
    return f"{code}:{mpl}:{font}"


def png_cached(chart: Chart, dpi: int = 150) -> bytes:
    """The chart as PNG: the one drawn before from the same values if it is kept, else drawn now
    (matplotlib, ~0.6 s to import and ~0.1 s a chart) and kept. A picture that cannot be read or
    kept is simply drawn."""
    import hashlib
    import json
    import os
    import threading

    from models import paths
    key = hashlib.sha256(json.dumps([_stamp(), chart.key, chart.size, dpi, chart.data], ensure_ascii=False,
                                    sort_keys=True).encode("utf-8")).hexdigest()
    folder = paths.data_dir() / CACHE_DIR
    path = folder / f"{key}.png"
    try:
        data = path.read_bytes()
        if data.startswith(b"\x89PNG"):
            os.utime(path)          # recently used: kept longest
            return data
    except OSError:
        pass
    data = png_bytes(chart.figure(), dpi)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"     # two reports at once: each its own
        tmp.write_bytes(data)
        os.replace(tmp, path)
        kept = sorted(folder.glob("*.png"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[CACHE_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
    return data
