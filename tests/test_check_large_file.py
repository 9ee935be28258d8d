"""A file over ``LIGHT_CHECK_ABOVE`` is opened by the commands as by the window, with the light
check; ``qingqian check`` then runs the file's integrity check with every whole run of the rules
(the first, and at least weekly), so a damaged large file is still reported as damaged."""
from __future__ import annotations

import os

from models import db as dbmod
from models.db import Store


def _damage(path) -> None:
    n = os.path.getsize(path)
    with open(path, "r+b") as fh:
        for off in range(n // 3, n - 4096, 4096 * 3):
            fh.seek(off + 200)
            fh.write(b"\xff" * 600)


def _check(capsys, path) -> tuple[int, str, str]:
    from desktop.cli import main
    code = main(["check", "--db", str(path), "--json", "--date", "2026-12-07"])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_damaged_large_file_is_reported_by_check(demo_db, capsys, monkeypatch):
    monkeypatch.setattr(dbmod, "LIGHT_CHECK_ABOVE", 0)          # the demo counts as large
    s = Store(demo_db)
    s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s.close()
    _damage(demo_db)
    code, out, err = _check(capsys, demo_db)
    assert code == 2 and out == "", (code, out, err)
    assert "数据库完整性检查未通过" in err, err


def test_a_large_file_checked_again_skips_the_integrity_check(demo_db, capsys, monkeypatch):
    monkeypatch.setattr(dbmod, "LIGHT_CHECK_ABOVE", 0)
    runs = []
    real = Store.quick_check
    monkeypatch.setattr(Store, "quick_check", lambda self: (runs.append(1), real(self))[1])
    code, _out, err = _check(capsys, demo_db)
    assert code in (0, 1) and runs == [1], err                # the first check: whole, integrity included
    code, _out, err = _check(capsys, demo_db)
    assert code in (0, 1) and runs == [1], err                # the kept result brought up to date only


def test_check_full_runs_every_rule_and_the_integrity_check(demo_db, capsys, monkeypatch):
    from desktop.cli import main
    monkeypatch.setattr(dbmod, "LIGHT_CHECK_ABOVE", 0)
    code, _out, err = _check(capsys, demo_db)                 # kept from here on
    assert code in (0, 1), err
    runs = []
    real = Store.quick_check
    monkeypatch.setattr(Store, "quick_check", lambda self: (runs.append(1), real(self))[1])
    from models import checks_incremental
    modes = []
    real_check = checks_incremental.check
    monkeypatch.setattr(checks_incremental, "check",
                        lambda *a, **k: (lambda r: (modes.append(r[1]["mode"]), r)[1])(real_check(*a, **k)))
    code = main(["check", "--db", str(demo_db), "--json", "--date", "2026-12-07", "--full"])
    capsys.readouterr()
    assert code in (0, 1) and runs == [1] and modes == ["full"], (runs, modes)
