"""selftest: open the window off-screen at a given screen size and scaling, visit every page,
report timings (Chinese lines, or JSON with --json) and save a picture of each page."""
from __future__ import annotations

import json
import os
import re
import time

from desktop.commands._common import add_db, add_json, emit, fail

# Windows' taskbar and the window's title bar, in logical pixels: a maximised window on a
# 1366×768 screen at 125 % has 1093 × (614 − 72) pixels for the program
SCREEN_CHROME = 72
_RESERVED = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_WINDOWS_NAMES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
READY_TIMEOUT_MS = 60_000        # a page still drawing (the charts) is waited for, at most this long


def register(sub) -> None:
    p = sub.add_parser("selftest", help="离屏打开窗口、逐页检查并报告耗时，可按指定屏幕和缩放截图")
    add_db(p)
    p.add_argument("--screenshots", metavar="文件夹", help="每页截图保存到此文件夹（文件名在 Windows 上也可用）")
    p.add_argument("--size", default="1366x768", metavar="宽x高",
                   help="模拟的屏幕分辨率，写成 宽x高（默认 1366x768）；窗口按最大化计，扣除任务栏和标题栏")
    p.add_argument("--scale", type=float, default=1.0,
                   help="模拟的 Windows 显示缩放比例，如 1.25 表示 125%%（默认 1，即 100%%）")
    p.add_argument("--today", help="以此日期为“今天”（YYYY-MM-DD），便于复现")
    p.add_argument("--first-paint", action="store_true",
                   help="只量启动：窗口首次绘制后即停，不逐页检查（用于测启动耗时）")
    add_json(p)
    p.set_defaults(func=cmd_selftest)


def safe_file_name(text: str) -> str:
    """``text`` as a file name Windows accepts too: no ``<>:"/\\|?*`` or control characters, no
    trailing dot or space, not a reserved device name."""
    name = _RESERVED.sub("-", text).rstrip(" .") or "页面"
    return f"{name}-页面" if name.split(".")[0].upper() in _WINDOWS_NAMES else name


def parse_size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{3,5})\s*[xX×*]\s*(\d{3,5})\s*", text or "")
    if not m:
        raise ValueError(f"屏幕分辨率须写成 宽x高，例如 1366x768，而不是“{text}”")
    return int(m.group(1)), int(m.group(2))


def window_size(size: tuple[int, int], scale: float) -> tuple[int, int]:
    """The logical size of a maximised window on a ``size`` screen at ``scale``."""
    return round(size[0] / scale), round(size[1] / scale) - SCREEN_CHROME


def _configure_screen(size: tuple[int, int], scale: float, folder) -> None:
    """Before Qt starts: the scaling, and (off-screen) a screen of the given size."""
    from PySide6.QtWidgets import QApplication
    if QApplication.instance() is not None:
        return                              # Qt is up already (tests): only the window is sized
    os.environ["QT_SCALE_FACTOR"] = f"{scale:g}"
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
        config = folder / "screen.json"
        config.write_text(json.dumps({"screens": [{"name": "selftest", "x": 0, "y": 0, "width": size[0],
                                                   "height": size[1], "logicalDpi": 96, "dpr": 1}]}),
                          encoding="utf-8")
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def _wait_until_ready(app, page) -> bool:
    """A page still drawing (图表: its charts come from a worker thread) is waited for by its
    ``settled`` signal, not by a sleep. False when it did not settle in time."""
    if not getattr(page, "busy", False) or not hasattr(page, "settled"):
        return True
    from PySide6.QtCore import QEventLoop, QTimer
    loop = QEventLoop()
    outcome: list[bool] = []
    page.settled.connect(lambda ok: (outcome.append(bool(ok)), loop.quit()))
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(READY_TIMEOUT_MS)
    if getattr(page, "busy", False):
        loop.exec()
    timer.stop()
    app.processEvents()
    return bool(outcome and outcome[-1]) or not getattr(page, "busy", False)


def cmd_selftest(args) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pathlib import Path
    if not Path(args.db).exists():
        return fail(f"找不到数据库文件：{args.db}")
    try:
        size = parse_size(args.size)
    except ValueError as exc:
        return fail(str(exc))
    if not 1.0 <= args.scale <= 3.0:
        return fail(f"缩放比例须在 1 到 3 之间（1.25 即 125%），而不是 {args.scale:g}")
    import datetime as _dt
    try:
        today = _dt.date.fromisoformat(args.today) if args.today else None
    except ValueError:
        return fail(f"--today 须写成 YYYY-MM-DD，而不是“{args.today}”")
    shots = Path(args.screenshots) if args.screenshots else None
    if shots:
        try:
            shots.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return fail(f"无法建立截图文件夹 {shots}：{exc.strerror or exc}")
    import gc
    collecting = gc.isenabled()
    gc.disable()                                   # as the window starts: no collection before its first frame
    try:
        return _selftest(args, size, today, shots, collecting)
    finally:
        if collecting:
            gc.enable()


def _selftest(args, size, today, shots, collecting: bool) -> int:
    import gc
    import tempfile
    from desktop.cli import START
    from pathlib import Path
    work = Path(tempfile.mkdtemp(prefix="qingqian-selftest-"))
    from desktop.app import build_window, load_before_qt, make_app, start_prefetch
    prefetch = start_prefetch(args.db, today)      # as the window starts: figures read meanwhile
    load_before_qt()                               # as the window: before Qt
    _configure_screen(size, args.scale, work)
    from PySide6.QtCore import QEvent, QObject

    app = make_app()
    stages = {"app": _ms(START)}
    import shutil
    shutil.rmtree(work, ignore_errors=True)        # the screen's description is read once, at start
    from models import paths
    from models.db import Store, StoreError
    from models.prefs import Prefs
    from models.db import LIGHT_CHECK_ABOVE
    # opened as the window opens it: a large file gets the light check now, the full one later
    light = Path(args.db).stat().st_size > LIGHT_CHECK_ABOVE
    try:
        store = Store(args.db, getattr(args, "user", None), check="light" if light else True)
    except StoreError as exc:
        return fail(str(exc))
    stages["store"] = _ms(START)
    prefs = Prefs(Path(os.environ.get("QINGQIAN_SELFTEST_PREFS", "")) if os.environ.get("QINGQIAN_SELFTEST_PREFS")
                  else paths.data_dir() / "selftest-settings.json")
    screen = {"size": f"{size[0]}x{size[1]}", "scale": args.scale}

    from models import campaign
    if campaign.current(store) is None:
        from views.first_run import FirstRunDialog
        dlg = FirstRunDialog(None, store)
        dlg.show()
        app.processEvents()
        files = []
        if shots:
            dlg.grab().save(str(shots / "00-首次使用向导.png"))
            files.append("00-首次使用向导.png")
        dlg.close()
        store.close()
        message = "数据库中还没有专项行动：已显示首次使用向导"
        emit(args, {"first_run": True, "pages": [], "ok": False, "message": message, "screen": screen,
                    "screenshots": files}, [f"自检未通过：{message}"])
        return 1

    painted: list[float] = []

    class PaintWatch(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt name
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.perf_counter())
                painted.append(time.process_time())
            return False

    window = build_window(store, prefs, today=today, interactive=False, prefetch=prefetch,
                          first_page_later=True)
    stages["window"] = _ms(START)
    first_page: list[float] = []
    window.firstPageShown.connect(lambda _key: first_page.append(time.perf_counter()))
    width, height = window_size(size, args.scale)
    window.resize(width, height)
    watch = PaintWatch()
    window.installEventFilter(watch)
    window.show()
    deadline = time.perf_counter() + 10
    while not painted and time.perf_counter() < deadline:
        app.processEvents()
    first_paint_ms = (painted[0] - START) * 1000 if painted else None
    first_paint_epoch = time.time() - (time.perf_counter() - painted[0]) if painted else None
    while not first_page and time.perf_counter() < deadline:   # the home page, built after that frame
        app.processEvents()
    if collecting:
        gc.enable()
    first_page_epoch = None
    if first_page:
        window.repaint()        # … and drawn
        stages["first_page"] = _ms(START)
        first_page_epoch = time.time()

    results, files, ok = [], [], True
    for i, spec in enumerate([] if getattr(args, "first_paint", False) else window.specs):
        t0 = time.perf_counter()
        try:
            page = window.show_page(spec.key)
            app.processEvents()
            ready = _wait_until_ready(app, page)
            page.repaint()
            app.processEvents()
            ms = (time.perf_counter() - t0) * 1000
            if i == 0 and first_page and painted:       # built after the first frame: that is its time
                ms += (first_page[0] - painted[0]) * 1000
            entry = {"name": spec.title, "key": spec.key, "ms": round(ms, 1), "ok": ready}
            if not ready:
                ok = False
                entry["error"] = "页面内容未能在限定时间内准备好"
            if shots:
                name = safe_file_name(f"{i + 1:02d}-{spec.key}") + ".png"
                window.grab().save(str(shots / name))
                entry["screenshot"] = name
                files.append(name)
        except Exception as exc:  # noqa: BLE001 - a self-test reports every failure and goes on
            ok = False
            entry = {"name": spec.title, "key": spec.key, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
        results.append(entry)
    shown = window.size()
    window.close()
    from views.jobs import shutdown
    shutdown()
    store.close()
    screen["window"] = f"{shown.width()}x{shown.height()}"
    data = {"first_paint_ms": round(first_paint_ms, 1) if first_paint_ms else None,
            "first_paint_epoch": first_paint_epoch,
            "first_page_epoch": first_page_epoch,     # the first page (首页) built and drawn
            "first_paint_cpu_ms": round(painted[1] * 1000, 1) if painted else None,   # the process's CPU time
            "stages_ms": stages,       # from the program's first line: Qt up, file open, window built
            "screen": screen, "pages": results, "ok": ok, "first_paint_only": bool(getattr(args, "first_paint", False)),
            "screenshots_dir": str(shots) if shots else None, "screenshots": files}
    emit(args, data, _lines(data))
    return 0 if ok else 1


def _lines(data: dict) -> list[str]:
    pages = data["pages"]
    failed = [p for p in pages if not p["ok"]]
    paint = f"，首次绘制 {data['first_paint_ms']:.0f} 毫秒" if data["first_paint_ms"] else ""
    s = data["screen"]
    if data.get("first_paint_only"):
        head = (f"启动正常{paint}（只量启动，未逐页检查）" if data["first_paint_ms"] else
                "自检未通过：窗口十秒内未能绘制")
        return [head, f"屏幕 {s['size'].replace('x', '×')}，缩放 {s['scale'] * 100:g}%，窗口 {s['window'].replace('x', '×')}"]
    head = (f"自检通过：{len(pages)} 页全部正常打开{paint}" if not failed else
            f"自检未通过：{len(failed)} 页出错（共 {len(pages)} 页）{paint}")
    lines = [head, f"屏幕 {s['size'].replace('x', '×')}，缩放 {s['scale'] * 100:g}%，窗口 {s['window'].replace('x', '×')}"]
    for p in pages:
        state = f"{p['ms']:.0f} 毫秒" if p["ok"] else f"出错：{p.get('error', '')}"
        lines.append(f"　{p['name']}：{state}")
    if data["screenshots"]:
        lines.append(f"截图 {len(data['screenshots'])} 张，已保存到 {data['screenshots_dir']}")
    return lines


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
