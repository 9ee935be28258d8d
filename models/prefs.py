"""Per-user preferences (window layout, chosen columns, last database) in a JSON file.

A damaged file never stops the program: it is set aside and defaults are used,
with a warning the window shows.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path
from typing import Any


class Prefs:
    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.warning = ""
        self.data: dict[str, Any] = {}
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
            self.data = data
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
            try:
                os.replace(self.path, aside)
                where = f"，原文件已另存为 {aside.name}"
            except OSError:
                where = ""
            self.warning = f"设置文件已损坏（{type(exc).__name__}），已改用默认设置{where}。"
            self.data = {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(self.data, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass   # preferences are a convenience; never fail a user's work over them
