"""The window's background backup, as the installed program runs it: ``qingqian backup --db X
--auto close`` (the bundle has no ``python -m models.backup``)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from models import backup
from models.db import Store

ROOT = Path(__file__).resolve().parents[1]


def test_backup_auto_close_makes_the_close_backup(tmp_path):
    db = tmp_path / "乡镇 数据.sqlite"
    store = Store(db, "测试")
    with store.tx():
        store.insert("employer", {"name": "后台备份公司"})
    store.close()
    done = subprocess.run([sys.executable, "-m", "desktop", "backup", "--db", str(db), "--auto", "close"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    made = [p.name for p in backup.list_backups(db)]
    assert any("-close" in name for name in made), made


def test_backup_auto_refuses_an_unknown_reason(tmp_path):
    done = subprocess.run([sys.executable, "-m", "desktop", "backup", "--db", str(tmp_path / "x.sqlite"),
                           "--auto", "weekly"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.sqlite").exists()
