"""The window's 数据交换 menu: the exchange's packages, as the database's level has them.

- a township office: 制作报送包 (to the county), 导入下发包 (from the county), 制作专班副本 (for a
  workstream's liaison), 专班回报包冲突裁定 (clashes a liaison's return left to decide);
- a liaison's copy: 交回改动 (the 专班回报包 for the office), and 重新导出被拒收的回报包 (a
  return the office refused, made again as its refusal says: the number, or the code of the
  return the office applied);
- a county: 接收乡镇报送包 (several files at once), 制作下发包.

Each package is made or applied on a worker thread with a connection of its own that carries the
acting account (the write services and guards judge it as the window's user); the result or the
one-line refusal is shown when it ends. A liaison's return is applied from the command line
(``qingqian package import``): its changeset is applied by a second SQLite library that must not
share the database with the window's open connection.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget   # the dialogs load when an action runs

from views.context import AppContext


def _worker_store(ctx: AppContext):
    from models.db import Store
    s = Store(ctx.store_path, ctx.store.user, check=False)
    s.actor = ctx.store.actor
    s.today = getattr(ctx.store, "today", None)
    return s


def _packages_dir(ctx: AppContext) -> Path:
    from models.paths import data_dir
    return Path(ctx.prefs.get("exchange.dir", "") or data_dir() / "数据包")


class ExchangeMenu:
    """Builds the menu on ``window`` and runs its actions."""

    def __init__(self, window: QWidget, ctx: AppContext) -> None:
        self.window, self.ctx = window, ctx
        self.menu: QMenu = window.menuBar().addMenu("数据交换(&X)")
        self.actions: dict[str, QAction] = {}
        from models.exchange import identity
        from models.exchange.identity import copy_info     # not the liaison's module: not before the first frame
        if identity.is_county(ctx.store):
            self._add("receive", "接收乡镇报送包…", self.receive_reports)
            self._add("dispatch", "制作下发包（督办事项、节假日、失信名单、阈值）…", self.make_dispatch)
        elif copy_info(ctx.store) is not None:
            self._add("return", "交回改动（制作专班回报包）…", self.make_return)
            self._add("return_again", "重新导出被拒收的回报包…", self.make_return_again)
        else:
            self._add("report", "制作报送包（报县级）…", self.make_report_package)
            self._add("apply_dispatch", "导入县级下发包…", self.apply_dispatch)
            self.menu.addSeparator()
            self._add("copy", "为专班联络员制作专班副本…", self.make_copy)
            self._add("clashes", "专班回报包冲突裁定…", self.decide_clashes)
            after = getattr(window, "after_first_frame", None)    # a query and an import: not before it
            (after or (lambda fn: QTimer.singleShot(0, fn)))(self.refresh_counts)
            ctx.bus.changed.connect(lambda _t: self.refresh_counts())

    def _add(self, key: str, title: str, slot) -> None:
        act = QAction(title, self.window)
        act.triggered.connect(lambda _=False: slot())
        self.menu.addAction(act)
        self.actions[key] = act

    def refresh_counts(self) -> None:
        from models.exchange.liaison_decide import open_count
        try:
            n = open_count(self.ctx.store)
        except Exception:  # noqa: BLE001 - a database before the exchange's tables: none to decide
            n = 0
        self.actions["clashes"].setText(f"专班回报包冲突裁定（待裁定 {n} 条）…" if n else "专班回报包冲突裁定…")

    # -- running ----------------------------------------------------------------------------
    def _run(self, title: str, work, done_text):
        from PySide6.QtWidgets import QMessageBox
        from views.jobs import run_job

        def job(jc):
            s = _worker_store(self.ctx)
            try:
                return work(s, jc)
            finally:
                s.close()

        def done(result) -> None:
            self.ctx.bus.changed.emit("")
            QMessageBox.information(self.window, title, done_text(result))

        def failed(exc: Exception) -> None:
            QMessageBox.warning(self.window, title, str(exc))
        return run_job(self.window, title, job, on_done=done, on_error=failed)

    def _save_to(self, title: str, name: str) -> Path | None:
        from PySide6.QtWidgets import QFileDialog
        folder = _packages_dir(self.ctx)
        folder.mkdir(parents=True, exist_ok=True)
        path, _ = QFileDialog.getSaveFileName(self.window, title, str(folder / name), "数据包 (*.qqpkg)")
        return Path(path) if path else None

    def _open(self, title: str, many: bool = False) -> list[Path]:
        from PySide6.QtWidgets import QFileDialog
        folder = str(_packages_dir(self.ctx))
        if many:
            paths, _ = QFileDialog.getOpenFileNames(self.window, title, folder, "数据包 (*.qqpkg);;所有文件 (*)")
            return [Path(p) for p in paths]
        path, _ = QFileDialog.getOpenFileName(self.window, title, folder, "数据包 (*.qqpkg);;所有文件 (*)")
        return [Path(path)] if path else []

    # -- a township office ------------------------------------------------------------------
    def make_report_package(self, out: Path | None = None) -> None:
        from PySide6.QtWidgets import QMessageBox
        from models.exchange import identity
        unit = identity.unit(self.ctx.store)
        if not unit.name or not unit.code or not unit.county_name:
            QMessageBox.information(
                self.window, "制作报送包",
                "第一次报送前须设定本乡镇的名称、代码和所属县，请在命令行运行一次：\n"
                "qingqian package export --db 数据库 --out 文件 --township 名称 --code 代码 --county 县名")
            return
        out = out or self._save_to("报送包保存为", f"{unit.name}-报送包-{self.ctx.today():%Y%m%d}.qqpkg")
        if out is None:
            return
        from models.exchange.export import export_package
        return self._run("制作报送包", lambda s, jc: export_package(s, out),
                  lambda r: f"已制作{r['township']}第 {r['sequence']} 号报送包：\n{r['out']}\n"
                            f"（{sum(r['counts'].values())} 条记录，{'含完整号码' if r['full_ids'] else '号码部分隐藏'}）")

    def apply_dispatch(self, path: Path | None = None) -> None:
        paths = [path] if path else self._open("选择县级下发包")
        if not paths:
            return
        from models.exchange.apply_dispatch import apply_dispatch
        return self._run("导入下发包", lambda s, jc: apply_dispatch(s, paths[0]),
                  lambda r: ("此下发包此前已导入，未作改动" if r.get("already_applied") else
                             f"已导入{r.get('county') or '县级'}第 {r['sequence']} 号下发包："
                             f"新增 {r['added']} 条，修改 {r['changed']} 条，未变 {r['unchanged']} 条"))

    def make_copy(self, workstream: str | None = None, out: Path | None = None) -> None:
        if workstream is None:
            from PySide6.QtWidgets import QInputDialog
            from models.campaign import workstreams
            names = [w["name"] for w in workstreams(self.ctx.store)]
            workstream, ok = QInputDialog.getItem(self.window, "制作专班副本", "为哪个专班的联络员制作副本：",
                                                  names, 0, False)
            if not ok:
                return
        out = out or self._save_to("专班副本保存为", f"{workstream}-专班副本-{self.ctx.today():%Y%m%d}.qqpkg")
        if out is None:
            return
        from models.exchange.liaison import make_copy
        return self._run("制作专班副本", lambda s, jc: make_copy(s, out, workstream),
                  lambda r: f"已为{workstream}制作专班副本：\n{out}\n联络员用 qingqian package import 导入后即可工作；"
                            "交回的回报包请用命令行 qingqian package import 应用（应用前请关闭本窗口）")

    def decide_clashes(self) -> None:
        from views.exchange.clash_dialog import ClashDialog
        dlg = ClashDialog(self.ctx.store, self.window)
        dlg.decided.connect(lambda _cid: self.ctx.bus.changed.emit(""))
        dlg.exec()
        self.refresh_counts()

    # -- a liaison's copy -------------------------------------------------------------------
    def make_return(self, out: Path | None = None) -> None:
        from models.exchange.liaison import make_return, return_text
        out = out or self._save_to("专班回报包保存为", f"专班回报包-{self.ctx.today():%Y%m%d}.qqpkg")
        if out is None:
            return
        return self._run("交回改动", lambda s, jc: make_return(s, out),
                  lambda r: f"{return_text(r)}\n请交给办公室应用")

    def make_return_again(self, asked: str | None = None, out: Path | None = None) -> None:
        """A return the office refused, made again: ``asked`` as the office's refusal names it,
        the number to make again (1) or the code of the return it applied (1-3f9a2c1b)."""
        from PySide6.QtWidgets import QMessageBox
        from models.exchange import PackageRefused
        from models.exchange.liaison import again_request, make_return, return_text
        title = "重新导出被拒收的回报包"
        if asked is None:
            from PySide6.QtWidgets import QInputDialog
            asked, ok = QInputDialog.getText(
                self.window, title, "按办公室拒收回报包时的提示填写：\n要重新导出的回报包序号（如 1），"
                                    "或办公室已应用的回报包代码（如 1-3f9a2c1b）。\n"
                                    "新的回报包包含办公室已应用的回报包之后的全部改动，替换被拒收的那一号。")
            if not ok or not asked.strip():
                return None
        try:
            request = again_request(asked)
        except PackageRefused as exc:
            QMessageBox.warning(self.window, title, str(exc))
            return None
        which = f"第{request['again']}号" if "again" in request else f"接{request['after']}"
        out = out or self._save_to("专班回报包保存为", f"专班回报包-{which}-{self.ctx.today():%Y%m%d}.qqpkg")
        if out is None:
            return None
        return self._run(title, lambda s, jc: make_return(s, out, **request),
                         lambda r: f"{return_text(r)}\n请交给办公室应用")

    # -- a county ---------------------------------------------------------------------------
    def receive_reports(self, paths: list[Path] | None = None) -> None:
        paths = paths or self._open("选择乡镇报送包（可多选）", many=True)
        if not paths:
            return
        from models.exchange import PackageRefused
        from models.exchange.receive import receive_package

        def work(s, jc):
            lines = []
            for i, p in enumerate(paths):
                jc.progress(i, len(paths), f"正在接收 {p.name}…")
                try:
                    r = receive_package(s, p)
                except PackageRefused as exc:
                    lines.append(f"✗ {exc}")
                    continue
                lines.append(f"✓ {r['township']}第 {r['sequence']} 号报送包" +
                             ("此前已接收，未作改动" if r["already_received"] else "已接收"))
            return lines
        return self._run("接收报送包", work, lambda lines: "\n".join(lines))

    def make_dispatch(self, out: Path | None = None) -> None:
        from models.exchange.dispatch import export_dispatch
        out = out or self._save_to("下发包保存为", f"下发包-{self.ctx.today():%Y%m%d}.qqpkg")
        if out is None:
            return
        return self._run("制作下发包", lambda s, jc: export_dispatch(s, out),
                  lambda r: f"已制作第 {r['sequence']} 号下发包：\n{out}")
