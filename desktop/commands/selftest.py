"""selftest: open the window off-screen, visit every page, report timings as JSON."""
from __future__ import annotations

import json
import os
import time

from desktop.commands._common import add_db, fail


def register(sub) -> None:
    p = sub.add_parser("selftest", help="离屏打开窗口、逐页检查并报告耗时")
    add_db(p)
    p.add_argument("--screenshots", help="每页截图保存到此文件夹")
    p.add_argument("--today", help="以此日期为“今天”（YYYY-MM-DD），便于复现")
    p.set_defaults(func=cmd_selftest)


def cmd_selftest(args) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop.cli import START
    from pathlib import Path
    if not Path(args.db).exists():
        return fail(f"找不到数据库文件：{args.db}")
    from desktop.app import build_window, make_app, start_prefetch
    import datetime as _dt
    today = _dt.date.fromisoformat(args.today) if args.today else None
    prefetch = start_prefetch(args.db, today)      # as the window starts: figures read meanwhile
    from PySide6.QtCore import QEvent, QObject

    app = make_app()
    stages = {"app": _ms(START)}
    from models import paths
    from models.db import Store, StoreError
    from models.prefs import Prefs
    from desktop.startup import LIGHT_CHECK_ABOVE
    # opened as the window opens it: a large file gets the light check now, the full one later
    light = Path(args.db).stat().st_size > LIGHT_CHECK_ABOVE
    try:
        store = Store(args.db, getattr(args, "user", None), check="light" if light else True)
    except StoreError as exc:
        return fail(str(exc))
    stages["store"] = _ms(START)
    shots = Path(args.screenshots) if args.screenshots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    prefs = Prefs(Path(os.environ.get("QINGQIAN_SELFTEST_PREFS", "")) if os.environ.get("QINGQIAN_SELFTEST_PREFS")
                  else paths.data_dir() / "selftest-settings.json")

    from models import campaign
    if campaign.current(store) is None:
        from views.first_run import FirstRunDialog
        dlg = FirstRunDialog(None, store)
        dlg.show()
        app.processEvents()
        if shots:
            dlg.grab().save(str(shots / "00-first-run.png"))
        dlg.close()
        print(json.dumps({"first_run": True, "pages": [], "ok": False,
                          "message": "数据库中还没有专项行动：已显示首次使用向导"}, ensure_ascii=False))
        return 1

    painted: list[float] = []

    class PaintWatch(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt name
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.perf_counter())
            return False

    window = build_window(store, prefs, today=today, interactive=False, prefetch=prefetch)
    stages["window"] = _ms(START)
    watch = PaintWatch()
    window.installEventFilter(watch)
    window.show()
    deadline = time.perf_counter() + 10
    while not painted and time.perf_counter() < deadline:
        app.processEvents()
    first_paint_ms = (painted[0] - START) * 1000 if painted else None
    first_paint_epoch = time.time() - (time.perf_counter() - painted[0]) if painted else None

    results, ok = [], True
    for i, spec in enumerate(window.specs):
        t0 = time.perf_counter()
        try:
            page = window.show_page(spec.key)
            app.processEvents()
            page.repaint()
            app.processEvents()
            ms = (time.perf_counter() - t0) * 1000
            entry = {"name": spec.title, "key": spec.key, "ms": round(ms, 1), "ok": True}
            if shots:
                window.grab().save(str(shots / f"{i + 1:02d}-{spec.key}.png"))
        except Exception as exc:  # noqa: BLE001 - a self-test reports every failure and goes on
            ok = False
            entry = {"name": spec.title, "key": spec.key, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
        results.append(entry)
    window.close()
    from views.jobs import shutdown
    shutdown()
    store.close()
    print(json.dumps({"first_paint_ms": round(first_paint_ms, 1) if first_paint_ms else None,
                      "first_paint_epoch": first_paint_epoch,
                      "stages_ms": stages,       # from the program's first line: Qt up, file open, window built
                      "pages": results, "ok": ok}, ensure_ascii=False))
    return 0 if ok else 1


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
