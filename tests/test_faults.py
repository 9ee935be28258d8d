"""A program that survives: killed mid-write, damaged files, full disks, a second copy,
a damaged settings file."""
from __future__ import annotations

import errno
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from models import backup, restore
from models.db import DamagedDatabase, Store

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("QINGQIAN_KILL_RUNS", "25"))      # QINGQIAN_KILL_RUNS=500 for a longer hunt

# A child that imports small worker rosters and edits cases until it is killed. It prints a
# line after each commit, so the parent knows exactly what must survive.
CHILD = r"""
import sys, random, datetime
sys.path.insert(0, sys.argv[3])
from models.db import Store
from models import cases
from models.io.importer import plan_import, commit_import
s = Store(sys.argv[1], "压力测试", check=False)
rng = random.Random(int(sys.argv[2]))
n = 0
print("ready", flush=True)
while True:
    n += 1
    if rng.random() < 0.5:
        tag = f"R{sys.argv[2]}-{n}"
        case_id = cases.register_case(s, {"case_no": tag, "registered_on": "2026-11-02", "employer_name": "压测单位"})
        print("case", tag, flush=True)
        plan = plan_import(s, sys.argv[4], "workers", case_no=tag)
        commit_import(s, plan)
        print("import", tag, flush=True)
    else:
        ids = [r[0] for r in s.query("SELECT id FROM case_record WHERE case_no LIKE 'R%' ORDER BY RANDOM() LIMIT 1")]
        if ids:
            text = f"编辑{sys.argv[2]}-{n}"
            cases.edit_case(s, ids[0], {"summary": text})
            print("edit", ids[0], text, flush=True)
"""


@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    """A 60-row worker roster in the township layout."""
    import xlsxwriter
    from models.rules.idcard import make_valid_id
    import datetime as _dt
    path = tmp_path_factory.mktemp("roster") / "花名册.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("工资表")
    ws.write_row(0, 0, ["序号", "姓名", "身份证号码", "应发工资", "实发工资"])
    for i in range(60):
        ws.write_row(i + 1, 0, [i + 1, f"工人{i}", make_valid_id("511322", _dt.date(1980, 1, 1) + _dt.timedelta(days=i), i),
                                3000 + i, 1000])
    wb.close()
    return path


def _read_reports(proc, n: int) -> str:
    """Wait for the child's "ready" line and then for ``n`` more of its reports (events, not a
    clock); what was read is returned so that no report is lost."""
    lines = []
    while True:
        line = proc.stdout.readline()
        if not line:
            break                       # the child ended (its error is checked by the caller)
        lines.append(line)
        if len(lines) > n:
            break
    return "".join(line for line in lines if not line.startswith("ready"))


def test_killed_at_random_points_loses_nothing_committed(campaign_store, roster, tmp_path):
    path = campaign_store.path
    campaign_store.close()
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    rng = random.Random(11)
    committed_imports, edits, kills = set(), {}, 0
    edit_reports = 0
    started_cases = set()
    for run in range(RUNS):
        proc = subprocess.Popen([sys.executable, str(script), str(path), str(run), str(ROOT), str(roster)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # the kill comes after a chosen number of the child's reports (0 to 12), so it lands
        # somewhere in the write after that one, however fast or slow this machine is today
        seen = _read_reports(proc, rng.randint(0, 12))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        out = seen + out
        kills += 1
        assert "Traceback" not in err, err
        # only whole lines count: the kill may land in the middle of a print
        for line in out.split("\n")[:-1]:
            kind, *rest = line.split(" ")
            if kind == "import":
                committed_imports.add(rest[0])
            elif kind == "case":
                started_cases.add(rest[0])
            elif kind == "edit":
                edits[int(rest[0])] = rest[1]
                edit_reports += 1
    s = Store(path)
    assert s.scalar("PRAGMA integrity_check") == "ok"
    counts = dict(s.query("SELECT c.case_no, COUNT(w.id) FROM case_record c LEFT JOIN worker w ON w.case_id = c.id "
                          "WHERE c.case_no LIKE 'R%' GROUP BY c.id"))
    for tag in committed_imports:
        assert counts[tag] == 60                       # every committed import is there, whole
    assert all(n in (0, 60) for n in counts.values())  # no import is half there
    summaries = dict(s.query("SELECT id, summary FROM case_record WHERE case_no LIKE 'R%'"))
    for case_id, text in edits.items():    # the last printed edit, or a later one committed before the kill
        assert summaries[case_id].startswith("编辑")
    from models.checks import run_checks
    assert run_checks(s).passed, run_checks(s).findings[:3]
    s.close()
    print(json.dumps({"runs": RUNS, "kills": kills, "imports_committed": len(committed_imports),
                      "edits_committed": edit_reports, "records_lost": 0}))
    # about three committed imports and three edits a run (the kill comes after 0-12 reports): the
    # runs really wrote, whatever the machine's speed
    assert len(committed_imports) > RUNS and edit_reports > RUNS


def test_damaged_file_offers_latest_backup_and_keeps_it(campaign_store, tmp_path):
    path = campaign_store.path
    good = backup.auto_backup(campaign_store.conn, path, "close")
    campaign_store.close()
    path.write_bytes(b"\x00garbage" * 5000)
    with pytest.raises(DamagedDatabase):
        Store(path)
    assert backup.latest_good(path) == good
    damaged = path.read_bytes()
    kept = restore.restore(good, path)
    assert kept.read_bytes() == damaged                # the damaged file is kept, not overwritten
    Store(path).close()


def test_startup_offers_backup_for_a_damaged_file(campaign_store, qtbot, monkeypatch):
    from desktop import startup
    path = campaign_store.path
    backup.auto_backup(campaign_store.conn, path, "close")
    campaign_store.close()
    path.write_bytes(b"not a database" * 1000)
    offered = []
    monkeypatch.setattr(startup, "_offer_restore", lambda p, msg: offered.append(msg) or False)
    assert startup.open_database(path, "测试", None) is None
    assert offered and "损坏" in offered[0]
    assert path.read_bytes() == b"not a database" * 1000   # nothing overwritten silently


def test_an_older_file_is_backed_up_before_its_format_is_upgraded(tmp_path, qtbot, monkeypatch):
    import datetime as _dt
    from desktop import startup
    from models import campaign, migrations
    path = tmp_path / "上一版.sqlite"
    with monkeypatch.context() as m:            # a database as the previous version made it
        m.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:-1])
        m.setattr(migrations, "LATEST", migrations.LATEST - 1)
        old = Store(path, "测试")
        campaign.create_campaign(old, "2026年根治欠薪冬季专项行动", "青山县青山镇人民政府", _dt.date(2026, 9, 14))
        cases = old.scalar("SELECT COUNT(*) FROM campaign")
        old.close()
    assert migrations.version_of(path) == migrations.LATEST - 1
    # a file the upgrade cannot open must fail this test, not wait for a click on a message box
    monkeypatch.setattr(startup, "_offer_restore", lambda p, message: pytest.fail(message))
    opened = startup.open_database(path, "测试", None)
    assert opened is not None
    store, lock = opened
    try:
        assert store.schema_version() == migrations.LATEST
        kept = [p for p in backup.list_backups(path) if p.name.endswith(f"-upgrade-v{migrations.LATEST - 1}.sqlite")]
        assert len(kept) == 1 and migrations.version_of(kept[0]) == migrations.LATEST - 1
        assert store.scalar("SELECT COUNT(*) FROM campaign") == cases == 1
    finally:
        store.close()
        lock.unlock()
    # the current version opens without a backup or a notice
    assert startup._before_upgrade(path) is None
    assert migrations.version_of(path.with_name("none.sqlite")) is None


def test_disk_full_during_backup_keeps_earlier_files(campaign_store, tmp_path, monkeypatch):
    target = tmp_path / "备份.sqlite"
    backup.backup_to(campaign_store.conn, target)
    before = target.read_bytes()

    class FullDisk:
        """A connection whose backup runs out of disk half way, as SQLite reports it."""
        def backup(self, dest, **kw):
            dest.execute("CREATE TABLE half (x)")
            raise sqlite3.OperationalError("database or disk is full")
    with pytest.raises(backup.BackupError, match="磁盘空间不足"):
        backup.backup_to(FullDisk(), target)
    assert target.read_bytes() == before
    assert not list(tmp_path.glob("*.part"))


def test_disk_full_during_export_keeps_earlier_file(demo_db, tmp_path, monkeypatch):
    from models.io import exporter
    s = Store(demo_db, "测试")
    out = tmp_path / "台账.xlsx"
    exporter.export_ledger(s, "cases", out)
    before = out.read_bytes()
    def failing_replace(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(exporter.os, "replace", failing_replace)
    with pytest.raises(OSError):
        exporter.export_ledger(s, "cases", out)
    assert out.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    s.close()


def test_a_second_copy_is_refused(campaign_store, tmp_path):
    path = campaign_store.path
    code = ("import sys, time; sys.path.insert(0, sys.argv[2])\n"
            "from PySide6.QtCore import QCoreApplication\napp = QCoreApplication([])\n"
            "from desktop.startup import acquire_lock\nfrom pathlib import Path\n"
            "lock = acquire_lock(Path(sys.argv[1])); print('locked' if lock else 'refused', flush=True)\n"
            "time.sleep(30)\n")
    first = subprocess.Popen([sys.executable, "-c", code, str(path), str(ROOT)], stdout=subprocess.PIPE, text=True)
    assert first.stdout.readline().strip() == "locked"
    try:
        second = subprocess.run([sys.executable, "-c", code.replace("time.sleep(30)", ""), str(path), str(ROOT)],
                                capture_output=True, text=True, timeout=60)
        assert second.stdout.strip() == "refused"
    finally:
        first.kill()
        first.wait()
    third = subprocess.run([sys.executable, "-c", code.replace("time.sleep(30)", ""), str(path), str(ROOT)],
                           capture_output=True, text=True, timeout=60)
    assert third.stdout.strip() == "locked"            # a lock left by a dead process does not block


def test_damaged_settings_file_gives_defaults_and_a_warning(tmp_path):
    from models.prefs import Prefs
    p = tmp_path / "settings.json"
    p.write_bytes(b"{\"table.cases\": \"AAA\", broken")
    prefs = Prefs(p)
    assert prefs.data == {} and "已损坏" in prefs.warning
    assert list(tmp_path.glob("settings.json.damaged-*"))
    prefs.set("x", 1)
    assert Prefs(p).get("x") == 1 and Prefs(p).warning == ""


def test_the_window_offers_a_backup_for_a_file_that_is_not_a_database(campaign_store, qtbot, monkeypatch):
    """A 0-byte file where the database was (a failed copy): not a new, empty database but a
    damaged one, and the latest backup with data is offered and restored under the window's lock."""
    from desktop import startup
    path = campaign_store.path
    good = backup.auto_backup(campaign_store.conn, path, "close")
    campaign_store.close()
    for side in ("-wal", "-shm"):
        path.with_name(path.name + side).unlink(missing_ok=True)
    path.write_bytes(b"")
    offered = []

    def offer(p, message):
        offered.append(message)
        return restore.restore(backup.latest_good(p), p, holding_lock=True) is not None
    monkeypatch.setattr(startup, "_offer_restore", offer)
    opened = startup.open_database(path, "测试", None)
    assert offered and "不是清欠工作台数据库" in offered[0] and "0 字节" in offered[0]
    assert opened is not None
    store, lock = opened
    try:
        assert store.scalar("SELECT COUNT(*) FROM campaign") == 1
        assert store.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'restore_db'") == 1
        # while this window holds it, nobody else restores over it
        with pytest.raises(backup.BackupError, match="数据库正被另一个窗口或命令使用"):
            restore.restore(good, path)
    finally:
        store.close()
        lock.unlock()
    kept = list(path.parent.glob(path.name + ".before-restore-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == b""
