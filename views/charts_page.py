"""图表: the five charts of ``models.charts`` embedded with matplotlib's Qt canvas, one tab each,
each savable as PNG or SVG. The figures are read on a worker thread (its own Store); the
drawing happens here. matplotlib is imported when the page is first built, not at start-up."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QTabWidget, QVBoxLayout,
                               QWidget)

from models import charts
from views.context import AppContext
from views.jobs import run_job


def gather(store_path: str, today, job=None) -> dict:
    """The figures every chart needs, read with a connection of this thread's own."""
    from models import campaign as campaigns, stats
    from models.db import Store
    import datetime as _dt
    store = Store(store_path, check=False)
    try:
        camp = campaigns.current(store)
        data = {"campaign": camp, "totals": stats.totals(store, today)}
        if job:
            job.progress(1, 4, "正在汇总累计兑付…")
        data["series"] = stats.repaid_series(store, data["totals"].counted.paid_fen)
        if job:
            job.progress(2, 4, "正在汇总每周新增与办结…")
        data["flows"] = stats.weekly_flow(store, today, _dt.date.fromisoformat(camp.start_date) if camp else None)
        data["funds"] = stats.funds_by_channel(store)
        return data
    finally:
        store.close()


class ChartTab(QWidget):
    def __init__(self, key: str, title: str, page: "ChartsPage") -> None:
        super().__init__()
        self.key, self.title, self.page = key, title, page
        self.figure = None
        self.canvas = None
        self.lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addStretch(1)
        for label, suffix in (("保存为 PNG…", "png"), ("保存为 SVG…", "svg")):
            b = QPushButton(label)
            b.clicked.connect(lambda _=False, s=suffix: self.ask_save(s))
            bar.addWidget(b)
        self.placeholder = QLabel("正在准备图表…")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lay.addLayout(bar)
        self.lay.addWidget(self.placeholder, 1)

    def show_figure(self, fig) -> None:
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        if self.canvas is not None:
            self.lay.removeWidget(self.canvas)
            self.canvas.setParent(None)
            self.canvas.deleteLater()
        self.placeholder.hide()
        self.figure = fig
        self.canvas = FigureCanvasQTAgg(fig)
        self.canvas.setMinimumHeight(320)
        self.lay.addWidget(self.canvas, 1)
        self.canvas.draw_idle()

    def ask_save(self, suffix: str) -> None:
        if self.figure is None:
            return
        name = f"{self.title}.{suffix}"
        start = str(self.page.last_dir / name) if self.page.last_dir else name
        path, _f = QFileDialog.getSaveFileName(self, f"保存图表“{self.title}”", start,
                                               "PNG 图片 (*.png)" if suffix == "png" else "SVG 矢量图 (*.svg)")
        if not path:
            return
        if not path.lower().endswith("." + suffix):
            path += "." + suffix
        try:
            saved = self.save(path)
        except OSError as exc:
            QMessageBox.warning(self, "保存失败", f"无法保存到 {path}：{exc.strerror or exc}")
            return
        self.page.last_dir = saved.parent
        self.page.ctx.bus.status.emit(f"图表已保存：{saved}")

    def save(self, path):
        return charts.save(self.figure, path)


class ChartsPage(QWidget):
    title = "图表"
    settled = Signal(bool)          # the charts are drawn (True), or reading them failed / was cancelled

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.last_dir = None
        self.job = None
        self._dirty = True
        self.tabs = QTabWidget()
        self.chart_tabs: dict[str, ChartTab] = {}
        for key, title in charts.CHARTS:
            tab = ChartTab(key, title, self)
            self.chart_tabs[key] = tab
            self.tabs.addTab(tab, title)
        self.info = QLabel()
        self.info.setStyleSheet("color: #666;")
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.info, 1)
        top.addWidget(refresh)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.tabs, 1)
        ctx.bus.changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, _table: str = "") -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._dirty and self.job is None:
            self.refresh()

    @property
    def busy(self) -> bool:
        return self.job is not None

    def refresh(self) -> None:
        if self.job is not None:
            self._dirty = True
            return
        self._dirty = False
        today = self.ctx.today()
        path = self.ctx.store_path
        self.info.setText("正在汇总图表数据…")
        self.job = run_job(self, "正在准备图表", lambda job: gather(path, today, job),
                           on_done=lambda data: self._draw(data, today), on_error=self._failed,
                           on_cancel=self._cancelled)

    def _draw(self, data: dict, today) -> None:
        self.job = None
        figs = charts.all_charts(None, today, data=data)
        for key, fig in figs.items():
            self.chart_tabs[key].show_figure(fig)
        s = data["series"]
        self.info.setText(f"截至 {today.isoformat()}：累计兑付 {s.total_fen / 1_000_000:,.2f} 万元"
                          + (f"（其中 {s.residual_fen / 1_000_000:,.2f} 万元无兑付记录，按办结或登记日期计入）"
                             if s.residual_fen else "") + "。图表中的数字与首页、报表一致。")
        shown = self.tabs.currentWidget()
        if shown is not None and shown.canvas is not None:
            shown.canvas.draw()         # the chart in view drawn now: whoever waits on ``settled`` sees it
        if self._dirty:
            self.refresh()
        else:
            self.settled.emit(True)

    def _failed(self, exc: Exception) -> None:
        self.job = None
        self.info.setText(f"图表数据读取失败：{exc}")
        self.settled.emit(False)

    def _cancelled(self) -> None:
        self.job = None
        self.info.setText("已取消。")
        self.settled.emit(False)
