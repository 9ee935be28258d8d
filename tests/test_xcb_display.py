"""A real display: under Xvfb, with Qt's xcb platform (the one a desktop Debian or Ubuntu uses),
the program starts and its window reaches the X screen.

Two runs, each in an X server of its own (``xvfb-run -a``):

* ``qingqian selftest`` with ``QT_QPA_PLATFORM=xcb`` opens the main window, visits every page and
  saves a picture of each; it must exit 0 and its pictures must not be blank.
* the program started as ``make run`` starts it (``qingqian --db FILE``), while a second process,
  this file run as a script, grabs the X server's whole screen until the program's window is on
  it, saves that picture and ends; then the program is stopped. This proves the pixels reached
  the X server, not only a picture drawn in the program's memory.

``make xcb-check`` runs this file with ``XCB_SHOTS`` set, so CI keeps the pictures.

Needs ``xvfb-run`` and the xcb libraries (``make test`` and ``make xcb-check`` install them).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCREEN = "1366x768x24"
TODAY = "2026-11-26"


def _shots_dir(tmp_path: Path, name: str) -> Path:
    keep = os.environ.get("XCB_SHOTS")
    d = Path(keep) / name if keep else tmp_path / name
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    return d


def _xvfb_run() -> str:
    exe = shutil.which("xvfb-run")
    assert exe, "找不到 xvfb-run：请用 make test 运行测试（它会安装 xvfb 和 xauth），或 apt-get install xvfb xauth"
    return exe


def _env(tmp_path: Path) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", QINGQIAN_HOME=str(tmp_path / "home"),
               PYTHONPATH=str(ROOT))
    env.pop("DISPLAY", None)            # only the X server xvfb-run starts
    env.pop("WAYLAND_DISPLAY", None)
    return env


def picture_colours(image) -> tuple[int, float]:
    """(distinct colours on a sampling grid, share of the grid that is not the first pixel's
    colour): a blank or all-black screen gives (1, 0.0)."""
    w, h = image.width(), image.height()
    step = max(1, min(w, h) // 200)
    seen, differ, total = set(), 0, 0
    first = image.pixel(0, 0)
    for y in range(0, h, step):
        for x in range(0, w, step):
            p = image.pixel(x, y)
            seen.add(p)
            differ += p != first
            total += 1
    return len(seen), differ / max(total, 1)


def _not_blank(path: Path) -> tuple[int, float]:
    from PySide6.QtGui import QImage
    image = QImage(str(path))
    assert not image.isNull(), f"截图无法读取：{path}"
    colours, covered = picture_colours(image)
    assert colours >= 16 and covered >= 0.05, f"截图是空白的：{path}（{colours} 种颜色）"
    return colours, covered


def test_selftest_paints_every_page_under_xcb(demo_db, tmp_path):
    shots = _shots_dir(tmp_path, "selftest")
    run = subprocess.run(
        [_xvfb_run(), "-a", "-s", f"-screen 0 {SCREEN}", sys.executable, "-m", "desktop", "selftest",
         "--db", str(demo_db), "--screenshots", str(shots), "--today", TODAY, "--json"],
        env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    assert result["ok"] and result["first_paint_ms"], result
    pages = sorted(shots.glob("*.png"))
    assert len(pages) == len(result["pages"]) >= 10
    for page in pages:
        _not_blank(page)
    print(f"xcb 自检：{len(pages)} 页截图，首次绘制 {result['first_paint_ms']} 毫秒，截图在 {shots}")


def test_the_window_reaches_the_x_screen(demo_db, tmp_path):
    shots = _shots_dir(tmp_path, "screen")
    out = shots / "x-screen.png"
    # the program as `make run` starts it; this file, as a script, watches the X screen
    script = ('"$0" -m desktop --db "$1" & prog=$!; '
              '"$0" "$2" "$3"; code=$?; '
              'kill $prog 2>/dev/null; wait $prog 2>/dev/null; exit $code')
    run = subprocess.run(
        [_xvfb_run(), "-a", "-s", f"-screen 0 {SCREEN}", "sh", "-c", script,
         sys.executable, str(demo_db), str(Path(__file__).resolve()), str(out)],
        env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, (run.stdout + run.stderr)[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["platform"] == "xcb" and seen["size"] == [1366, 768]
    colours, covered = _not_blank(out)
    print(f"X 屏幕截图：{out}（{colours} 种颜色，{covered:.0%} 有内容）")


def _watch_screen(out: str, seconds: float = 60) -> int:
    """Grab the X screen until a window is painted on it (the bare server is one colour), save
    it to ``out``; 0 when seen, 1 when the screen stayed blank for ``seconds``."""
    from PySide6.QtCore import QDeadlineTimer, QThread
    from PySide6.QtGui import QGuiApplication
    app = QGuiApplication(["xcb-watch"])
    screen = app.primaryScreen()
    deadline = QDeadlineTimer(int(seconds * 1000))
    while True:
        image = screen.grabWindow(0).toImage()
        colours, covered = picture_colours(image)
        if colours >= 16 and covered >= 0.05:
            image.save(out)
            print(json.dumps({"platform": app.platformName(), "colours": colours,
                              "size": [image.width(), image.height()]}))
            return 0
        if deadline.hasExpired():
            image.save(out)
            sys.stderr.write(f"{seconds:.0f} 秒内 X 屏幕上没有出现程序窗口（截图：{out}）\n")
            return 1
        QThread.msleep(200)     # polling the X server's pixels: the other process cannot tell us


if __name__ == "__main__":
    raise SystemExit(_watch_screen(sys.argv[1]))
