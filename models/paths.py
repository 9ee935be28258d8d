"""Where the program keeps its data on each kind of PC."""
from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "Qingqian"


def data_dir() -> Path:
    """%LOCALAPPDATA%\\Qingqian on Windows, ~/.local/share/qingqian elsewhere
    (QINGQIAN_HOME overrides both, for portable installs and tests)."""
    override = os.environ.get("QINGQIAN_HOME")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP_DIR_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_DIR_NAME
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "qingqian"


def default_db_path() -> Path:
    return data_dir() / "清欠工作台.sqlite"


def settings_path() -> Path:
    return data_dir() / "settings.json"
