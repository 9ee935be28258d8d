"""``qingqian selftest``: the window off-screen at a screen size and scaling, every page visited,
a picture of each under a file name Windows accepts, Chinese lines or JSON."""
from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.commands.selftest import parse_size, safe_file_name, window_size

ROOT = Path(__file__).resolve().parent.parent
WINDOWS_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f]|[ .]$')


def _run(args: list[str], home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QINGQIAN_HOME": str(home)}
    env.pop("QT_SCALE_FACTOR", None)
    return subprocess.run([sys.executable, "-m", "desktop", "selftest", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_file_names_are_valid_on_windows():
    assert safe_file_name("06-ledger:meetings") == "06-ledger-meetings"
    assert safe_file_name('a<b>c"d/e\\f|g?h*i') == "a-b-c-d-e-f-g-h-i"
    assert safe_file_name("页面. ") == "页面"
    assert safe_file_name("CON") == "CON-页面" and safe_file_name("aux.png") == "aux.png-页面"


def test_screen_sizes():
    assert parse_size("1366x768") == (1366, 768) and parse_size("1920×1080") == (1920, 1080)
    with pytest.raises(ValueError, match="宽x高"):
        parse_size("1366")
    # a maximised window: the screen in logical pixels less the taskbar and the title bar
    assert window_size((1366, 768), 1.25) == (1093, 542)
    assert window_size((1920, 1080), 1.0) == (1920, 1008)


def test_selftest_at_125_percent_takes_every_page(town, tmp_path):
    shots = tmp_path / "截图"
    res = _run(["--db", str(town), "--today", "2026-11-26", "--size", "1366x768", "--scale", "1.25",
                "--screenshots", str(shots), "--json"], tmp_path / "home")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout.strip().splitlines()[-1])
    assert data["ok"] and data["screen"] == {"size": "1366x768", "scale": 1.25, "window": "1093x542"}
    keys = [p["key"] for p in data["pages"]]
    assert "cases" in keys and "charts" in keys and any(":" in k for k in keys)
    files = sorted(p.name for p in shots.iterdir())
    assert files == sorted(data["screenshots"]) and len(files) == len(keys)
    assert not [f for f in files if WINDOWS_BAD.search(f)]
    # the pictures are what the screen shows: 1366 physical pixels wide at 125 %
    width, height = _png_size(shots / next(f for f in files if f.endswith("-cases.png")))
    assert width == 1366 and abs(height - 542 * 1.25) <= 1
    # the charts were drawn before their picture was taken (the page's own signal, not a wait)
    charts = next(p for p in data["pages"] if p["key"] == "charts")
    assert charts["ok"] and "error" not in charts


def test_selftest_speaks_chinese_and_refuses_bad_arguments(town, tmp_path):
    res = _run(["--db", str(town), "--today", "2026-11-26"], tmp_path / "home")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert lines[0].startswith("自检通过：") and lines[1].startswith("屏幕 1366×768，缩放 100%")
    assert any(line.strip().startswith("欠薪问题台账：") for line in lines)
    assert not res.stdout.lstrip().startswith("{")
    for bad, words in ((["--size", "big"], "宽x高"), (["--scale", "0.5"], "缩放比例")):
        res = _run(["--db", str(town), *bad], tmp_path / "home")
        assert res.returncode == 2 and words in res.stderr and len(res.stderr.strip().splitlines()) == 1
