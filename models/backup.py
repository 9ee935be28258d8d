"""Backups with SQLite's online backup API, checked before they are trusted.

Automatic backups live in a folder beside the database (``<name>.backups/``),
one per day plus one at every close. Rotation keeps the newest ``KEEP`` backups
that hold data, however many empty or failed ones come after them. A large database's
backups are packed (``models.backup_pages``: a compressed full copy and, after it, only the
pages that changed); every function here takes either kind of file. Closing the window never
waits for a large database's backup: it is taken by a process of its own (``close_backup``;
the window's daily one too, ``auto_backup_path``), which copies the file in one step so that a
window opened meanwhile cannot make it start over. An automatic backup that fails leaves a note
in that folder (``record_unfinished``), shown at the next start until a backup succeeds.

Putting a backup back in place of the database is ``models.restore``. Both use the checks of
``models.backup_check`` (``identify``, ``check_file``, ``inspect``).
"""
from __future__ import annotations

import datetime as _dt
import os
import sqlite3
from pathlib import Path
from typing import Callable

# the checks, used here and by other modules as models.backup.<name> as before
from models.backup_check import BackupError, _one_line, check_file, identify, inspect, why
from models.errors import DamagedDatabase
from models.backup_target import check_final, clear_leftovers, refuse_if_held, sides
from models.paths import sqlite_uri

KEEP = 14



def backup_dir(db_path: str | os.PathLike) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".backups")


def attachments_dir_of_backup(backup: str | os.PathLike) -> Path:
    """Where the attachment files (证据材料, ``models.attachments``) of a backup are: the
    automatic backups in ``<db>.backups/`` share one content-addressed folder,
    ``<db>.backups/attachments.files/`` (a file is copied once, however many backups name it);
    a backup written anywhere else has its own, ``<backup>.files/``."""
    p = Path(backup)
    if p.parent.name.endswith(".backups"):
        return p.parent / "attachments.files"
    return p.with_name(p.name + ".files")


def _database_file(conn: sqlite3.Connection) -> Path | None:
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main" and row[2]:
            return Path(row[2])
    return None


def copy_attachments(conn: sqlite3.Connection, copy: Path, target: Path) -> dict | None:
    """The attachment files the backup copy ``copy`` names, copied from the live database's
    folder into the backup's (``attachments_dir_of_backup(target)``), each checked against its
    SHA-256 before and after. A file already missing or altered in the database's folder is
    counted, not copied (the detail pane shows it as such); the backup goes on. None: no files."""
    from models import attachments
    check = sqlite3.connect(sqlite_uri(copy), uri=True)
    try:
        wanted = attachments.referenced(check)
    finally:
        check.close()
    db = _database_file(conn)
    if not wanted or db is None:
        return None
    return attachments.copy_files(attachments.files_dir(db), attachments_dir_of_backup(target), wanted)


def backup_to(conn: sqlite3.Connection, target: str | os.PathLike,
              progress: Callable[[int, int], None] | None = None, *, files: bool = True) -> Path:
    """Copy a live database to ``target`` (written beside it first, then renamed, so a
    full disk or a crash never leaves a half file under the real name). With ``files`` (the
    default: every backup a person keeps) the attachment files it names are copied too, checked
    (``copy_attachments``); a working copy (a package's content) passes ``files=False``.

    A file already at ``target`` is replaced only when nobody is using it (``models.backup_target.clear_leftovers``):
    the log files SQLite left beside it (``-wal``, ``-shm``, ``-journal``) go first, else SQLite
    would apply them to the copy when it is opened. The copy is checked before the rename and
    again under its final name, as it will be opened, before it is reported done. What a backup
    to the same name cut off earlier left (``<target>.part`` and its logs) is removed first.

    Without ``progress`` the copy is one step, one read of the file as it stands: SQLite restarts
    a copy taken in steps whenever another connection writes, so a backup taken in steps by a
    process of its own could start over at every edit of a window opened meanwhile (a 140 MB
    file, written every 0.3 s, was still copying after five minutes; in one step 1.2 s)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    refuse_if_held(target)
    try:
        for f in (tmp, *sides(tmp)):   # what a backup to this name, cut off earlier, left
            f.unlink(missing_ok=True)
        dest = sqlite3.connect(str(tmp))
        try:
            conn.backup(dest, pages=256 if progress else -1,
                        progress=(lambda status, remaining, total: progress(total - remaining, total))
                        if progress else None)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        check_file(tmp)
        if files:
            copy_attachments(conn, tmp, target)
        clear_leftovers(target)
        os.replace(tmp, target)
    except (OSError, sqlite3.Error, BackupError) as exc:
        for f in (tmp, *sides(tmp)):
            try:
                f.unlink()
            except OSError:
                pass
        if isinstance(exc, OSError) and exc.errno == 28 or "full" in str(exc).lower():
            raise BackupError(f"磁盘空间不足，备份未完成：{target}。原有文件未受影响。") from exc
        raise BackupError(f"备份失败：{target}（{why(exc) if not isinstance(exc, BackupError) else exc}）。"
                          "原有文件未受影响。") from exc
    check_final(target)
    return target


def full_check(db_path: str | os.PathLike) -> str:
    """``PRAGMA quick_check`` on a connection of its own: 'ok' or what is wrong (one line)."""
    try:
        conn = sqlite3.connect(sqlite_uri(db_path), uri=True, timeout=30)
    except sqlite3.Error as exc:
        return why(exc)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
        return "ok" if rows == ["ok"] else _one_line(rows)
    except sqlite3.DatabaseError as exc:
        return why(exc)
    finally:
        conn.close()


def list_backups(db_path: str | os.PathLike) -> list[Path]:
    """Automatic backups, newest first."""
    d = backup_dir(db_path)
    if not d.exists():
        return []
    from models.backup_pages import SUFFIX
    return sorted((p for p in (*d.glob("*.sqlite"), *d.glob("*" + SUFFIX)) if p.is_file()),
                  key=lambda p: p.name, reverse=True)


def latest_good(db_path: str | os.PathLike) -> Path | None:
    """The newest automatic backup that holds data and passes the check; failing any, the
    newest good one of an empty database."""
    files = [(p, inspect(p)) for p in list_backups(db_path)]
    for wanted in (True, False):
        for p, info in files:
            if not info.usable or info.holds_data != wanted:
                continue
            try:
                check_file(p)
                return p
            except BackupError:
                continue
    return None


# what a backup writes before its file is whole (``.part`` and SQLite's journal beside it, a packed
# backup's plain snapshot, a packed backup rebuilt to be checked); a process killed meanwhile (the
# computer shut down just after the window closed) leaves them, a large database's each its size
_UNFINISHED = (".part", ".snapshot", ".checking")
UNFINISHED_STALE_AFTER = 3600       # seconds: no backup still running leaves a file untouched so long


def clear_unfinished(db_path: str | os.PathLike) -> list[Path]:
    """Delete what cut-off backups left in the backup folder (untouched for an hour: a backup still
    running, even in another process, keeps writing or is done long before). Returns what went."""
    import time
    d = backup_dir(db_path)
    if not d.is_dir():
        return []
    removed = []
    now = time.time()
    for p in d.iterdir():
        name = p.name
        if not any(name.endswith(e) or e + "-" in name for e in _UNFINISHED):
            continue
        try:
            if not p.is_file() or now - p.stat().st_mtime < UNFINISHED_STALE_AFTER:
                continue
            p.unlink()
            removed.append(p)
        except OSError:
            pass
    return removed


def rotate(db_path: str | os.PathLike, keep: int = KEEP, spare: Path | None = None) -> list[Path]:
    """Delete old automatic backups: the newest ``keep`` that hold data stay, and so do empty
    or failed ones among the newest ``keep`` files (they never count toward the ``keep``, so no
    run of them can push out a backup with data). ``spare`` is never deleted. What cut-off
    backups left goes too (``clear_unfinished``). Returns what went."""
    from models.backup_pages import needed_bases
    clear_unfinished(db_path)
    files = list_backups(db_path)
    with_data = 0
    going, staying = [], []
    for i, p in enumerate(files):
        info = inspect(p)
        if info.holds_data and with_data < keep:
            with_data += 1
            staying.append(p)
            continue
        if p == spare or (not info.holds_data and i < keep):
            staying.append(p)
            continue
        going.append(p)
    bases = needed_bases(staying)           # a packed base stays while a kept delta rests on it
    removed = []
    for p in going:
        if p.name in bases:
            continue
        try:
            _unlink_withsides(p)
            removed.append(p)
        except OSError:
            pass
    return removed


def _unlink_withsides(p: Path) -> None:
    """Delete a backup and the empty log files a look at it may leave (a plain copy made by
    SQLite's backup API keeps the database's WAL mode in its header)."""
    p.unlink()
    for side in ("-wal", "-shm"):
        p.with_name(p.name + side).unlink(missing_ok=True)


def auto_backup(conn: sqlite3.Connection, db_path: str | os.PathLike, reason: str = "close",
                keep: int = KEEP) -> Path | None:
    """A backup named by time; 'daily' is skipped when today's exists already."""
    d = backup_dir(db_path)
    today = _dt.date.today().strftime("%Y%m%d")
    if reason == "daily" and any(p.name.startswith(today) for p in list_backups(db_path)):
        return None
    from models import backup_pages
    stamp = _free_stamp(d, reason)
    if backup_pages.wants_packing(db_path):
        path = _packed_backup(conn, d, f"{stamp}-{reason}")
    else:
        path = backup_to(conn, d / f"{stamp}-{reason}.sqlite", files=True)
    rotate(db_path, keep, spare=path)
    clear_unfinished_note(db_path)          # a backup is there again: an earlier failure is no longer news
    return path


def _free_stamp(folder: Path, reason: str) -> str:
    """Now as the name's time, or a second after the newest backup's when that is not earlier
    (two backups in one second must neither overwrite each other nor sort out of order)."""
    at = _dt.datetime.now().replace(microsecond=0)
    if folder.exists():
        from models.backup_pages import SUFFIX
        for p in (*folder.glob("*.sqlite"), *folder.glob("*" + SUFFIX)):
            try:
                made = _dt.datetime.strptime(p.name[:15], "%Y%m%d-%H%M%S")
            except ValueError:
                continue
            if made >= at:
                at = made + _dt.timedelta(seconds=1)
    return at.strftime("%Y%m%d-%H%M%S")


def _packed_backup(conn: sqlite3.Connection, folder: Path, name: str) -> Path:
    """A checked snapshot (``backup_to``), packed as a delta against the current base or as a
    new base (``models.backup_pages``); the plain snapshot is removed."""
    from models import backup_pages
    snap = folder / f"{name}.snapshot"
    backup_to(conn, snap, files=True)
    try:
        holds = inspect(snap).holds_data
        target = folder / f"{name}{backup_pages.SUFFIX}"
        try:
            return backup_pages.pack(snap, target, holds_data=holds, base=backup_pages.choose_base(folder))
        except (backup_pages.PackError, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno == 28:
                raise BackupError(f"磁盘空间不足，备份未完成：{target}。原有文件未受影响。") from exc
            raise BackupError(f"备份失败：{target}（{exc if isinstance(exc, backup_pages.PackError) else why(exc)}）。"
                              "原有文件未受影响。") from exc
    finally:
        snap.unlink(missing_ok=True)


def close_backup(conn: sqlite3.Connection, db_path: str | os.PathLike) -> Path | None:
    """The backup taken when the window closes. A database under ``backup_pages.LARGE`` is
    backed up here (well under a second); a larger one by a process of its own started here,
    so closing never waits for it (it reads a snapshot, holds no lock, and a check failure
    there leaves the earlier backups as they were). Returns the file written here, or None."""
    from models import backup_pages
    try:
        if not backup_pages.wants_packing(db_path):
            return auto_backup(conn, db_path, "close")
        spawn_background(db_path, "close")
    except Exception as exc:        # noqa: BLE001 - said at the next start (``record_unfinished``), then raised
        record_unfinished(db_path, "close", exc)
        raise
    return None


def background_command(db_path: str | os.PathLike, reason: str) -> list[str]:
    """The command that takes an automatic backup in a process of its own."""
    import sys
    if getattr(sys, "frozen", False):           # the bundle: its program is the command line
        return [sys.executable, "backup", "--db", str(db_path), "--auto", reason]
    return [sys.executable, "-m", "models.backup", str(db_path), reason]


def spawn_background(db_path: str | os.PathLike, reason: str) -> None:
    import subprocess
    import sys
    kw: dict = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL,
                "close_fds": True}
    if sys.platform.startswith("win"):
        kw["creationflags"] = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        kw["start_new_session"] = True
    subprocess.Popen(background_command(db_path, reason), **kw)


def _source(db_path: str | os.PathLike) -> sqlite3.Connection:
    """A connection to an existing 清欠工作台 database that creates nothing (for a worker thread)."""
    path = Path(db_path)
    if not path.exists():
        raise BackupError(f"找不到数据库文件：{path}")
    identify(path)
    try:
        return sqlite3.connect(sqlite_uri(path, "rw"), uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise BackupError(f"数据库文件无法打开：{path}（{why(exc)}）") from exc


def backup_file(db_path: str | os.PathLike, target: str | os.PathLike,
                progress: Callable[[int, int], None] | None = None) -> Path:
    """``backup_to`` on a connection of its own (for a worker thread)."""
    conn = _source(db_path)
    try:
        return backup_to(conn, target, progress, files=True)
    finally:
        conn.close()


def auto_backup_path(db_path: str | os.PathLike, reason: str = "daily", keep: int = KEEP) -> Path | None:
    """``auto_backup`` for the window's worker thread (the daily backup). A large database's is
    handed to a process of its own, as at close (None then): a window closing meanwhile would
    otherwise wait for it (its jobs are waited for), half a minute on a county's database."""
    from models import backup_pages
    if backup_pages.wants_packing(db_path):
        try:
            spawn_background(db_path, reason)
        except Exception as exc:    # noqa: BLE001 - recorded, then raised
            record_unfinished(db_path, reason, exc)
            raise
        return None
    return auto_backup_recorded(db_path, reason, keep)


def auto_backup_here(db_path: str | os.PathLike, reason: str = "daily", keep: int = KEEP) -> Path | None:
    """``auto_backup`` on a connection of its own, in this process (the background process's work);
    for a large database, then ``pack_plain``."""
    conn = _source(db_path)
    try:
        made = auto_backup(conn, db_path, reason, keep)
    finally:
        conn.close()
    from models import backup_pages
    if backup_pages.wants_packing(db_path):
        pack_plain(db_path)
    return made


def pack_plain(db_path: str | os.PathLike) -> list[Path]:
    """The plain automatic backups of a large database packed as the others are: the copy kept
    before an upgrade (``models.migrations``, made while the file is being opened, so plain) and
    any made before the file grew large would each hold its whole size until rotated out (a
    county's: 925 MiB, against 0.8 of that for all fourteen packed ones). Each is checked
    (``quick_check``) and packed against the current base, then the plain file goes; one that
    fails the check is left as it is. Returns the packed files."""
    from models import backup_pages
    folder = backup_dir(db_path)
    done = []
    for plain in sorted(folder.glob("*.sqlite")) if folder.is_dir() else ():
        target = plain.with_suffix(backup_pages.SUFFIX)
        try:
            wal = plain.with_name(plain.name + "-wal")
            if wal.exists() and wal.stat().st_size:
                continue                        # part of it is in its log: not one whole file
            if not target.exists():             # else packed already, its plain file not yet gone
                check_file(plain)
                info = inspect(plain)
                if not info.usable:
                    continue
                backup_pages.pack(plain, target, holds_data=info.holds_data,
                                  base=backup_pages.choose_base(folder))
                done.append(target)
            _unlink_withsides(plain)
        except (BackupError, backup_pages.PackError, OSError):
            continue
    return done


# -- an automatic backup that did not finish is said at the next start ----------------------------
# The background process's errors go nowhere (no console, its stderr discarded), and the window's
# daily one shows a status-bar line for a few seconds: either could fail unseen, the office
# believing it has a backup it has not. So the outcome is kept beside the backups, in a small note
# (``NOTE_NAME``) that the window shows at its next start (``views.backup_notice``) and that
# ``qingqian backup`` mentions; any later backup that succeeds removes it.

NOTE_NAME = "自动备份未完成.json"
RUNNING_NAME = "自动备份进行中.json"       # a background backup under way (a process cut off leaves it)
REASONS = {"close": "关闭窗口时", "daily": "每日自动备份"}


def _note_paths(db_path: str | os.PathLike) -> tuple[Path, Path]:
    """Where the note goes: in the backup folder, or beside the database when that folder cannot
    be written (the failure may be that folder's own)."""
    p = Path(db_path)
    return backup_dir(p) / NOTE_NAME, p.with_name(f"{p.name}.{NOTE_NAME}")


def failure_text(exc: BaseException) -> str:
    """A failed backup's reason in one Chinese line."""
    if isinstance(exc, BackupError):
        text = str(exc)
    elif isinstance(exc, DamagedDatabase):      # checked before copying: never kept over good backups
        text = f"数据库未通过完整性检查，没有备份（已有的备份保持原样）：{exc}"
    elif isinstance(exc, (OSError, sqlite3.Error)):
        text = f"备份未完成（{why(exc)}）"
    else:
        text = f"备份未完成：程序内部错误（{type(exc).__name__}：{exc}）"
    text = " ".join(text.split())
    return text if len(text) <= 400 else text[:399] + "…"


def _write_json(path: Path, data: dict, make_folder: bool = False) -> None:
    import json
    if make_folder:                         # the backup folder; never the database's own folder
        path.parent.mkdir(exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def record_unfinished(db_path: str | os.PathLike, reason: str, exc: BaseException | str) -> Path | None:
    """Keep a failed automatic backup's outcome (when, why, which program) for the next start.
    Written whole or not at all (a ``.part`` file, then renamed); in the backup folder, else beside
    the database. Returns the note, or None when neither place can be written (the disk full)."""
    from models.version import VERSION
    note = {"when": _dt.datetime.now().replace(microsecond=0).isoformat(), "reason": reason,
            "message": exc if isinstance(exc, str) else failure_text(exc), "version": VERSION,
            "database": str(db_path)}
    for i, path in enumerate(_note_paths(db_path)):
        try:
            _write_json(path, note, make_folder=i == 0)
            return path
        except OSError:
            continue
    return None


def unfinished_backup(db_path: str | os.PathLike) -> dict | None:
    """The last automatic backup that did not finish, if no backup has succeeded since: a dict with
    ``when`` (local time, ISO), ``reason`` (close/daily), ``message`` (one Chinese line) and
    ``version``; or a background backup cut off (its process killed, the computer shut down:
    ``interrupted`` true). None when there is none, or the note cannot be read."""
    import json
    import time
    found = []
    for path in _note_paths(db_path):
        try:
            note = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(note, dict) and isinstance(note.get("message"), str) and isinstance(note.get("when"), str):
            found.append(note)
    if found:
        return max(found, key=lambda n: n["when"])
    running = backup_dir(db_path) / RUNNING_NAME
    try:
        if time.time() - running.stat().st_mtime < UNFINISHED_STALE_AFTER:
            return None                     # under way, or was a moment ago
        note = json.loads(running.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(note, dict) or not isinstance(note.get("when"), str):
        return None
    return {**note, "interrupted": True,
            "message": "备份进行中被中断（程序被关闭，或电脑关机、断电），没有完成"}


def clear_unfinished_note(db_path: str | os.PathLike) -> None:
    """Remove the note of an unfinished automatic backup (a backup has succeeded since)."""
    for path in (*_note_paths(db_path), backup_dir(db_path) / RUNNING_NAME):
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def unfinished_text(note: dict) -> str:
    """「上次自动备份未完成（2026-12-07 18:02，关闭窗口时）：<message>。」"""
    when = str(note.get("when", "")).replace("T", " ")[:16]
    reason = REASONS.get(note.get("reason", ""), note.get("reason") or "")
    where = "，".join(x for x in (when, reason) if x)
    message = str(note.get("message", "")).rstrip("。. ")
    return f"上次自动备份未完成（{where}）：{message}。"


def auto_backup_recorded(db_path: str | os.PathLike, reason: str = "daily", keep: int = KEEP) -> Path | None:
    """``auto_backup_here``, its outcome kept: a failure of any kind leaves the note
    (``record_unfinished``) and is raised again; a backup made removes it (``auto_backup``). A
    large database's, taken in a process of its own that may be cut off, is marked as under way
    meanwhile. Both ways the background backup is started run this (``python -m models.backup``,
    ``qingqian backup --auto``), and so does the window's daily one."""
    from models import backup_pages
    running = backup_dir(db_path) / RUNNING_NAME
    marked = False
    try:
        if backup_pages.wants_packing(db_path):
            try:
                _write_json(running, {"when": _dt.datetime.now().replace(microsecond=0).isoformat(),
                                      "reason": reason, "pid": os.getpid()}, make_folder=True)
                marked = True
            except OSError:
                pass                        # the backup says what is wrong with the folder
        return auto_backup_here(db_path, reason, keep)
    except Exception as exc:        # noqa: BLE001 - every failure is kept, then raised as before
        record_unfinished(db_path, reason, exc)
        raise
    finally:
        if marked:
            running.unlink(missing_ok=True)


if __name__ == "__main__":          # python -m models.backup DB REASON: the background backup (close_backup)
    import sys as _sys
    if len(_sys.argv) < 2:
        _sys.stderr.write("用法：python -m models.backup 数据库文件 [close|daily]\n")
        raise SystemExit(2)
    try:
        auto_backup_recorded(_sys.argv[1], _sys.argv[2] if len(_sys.argv) > 2 else "close")
    except Exception as _exc:       # noqa: BLE001 - recorded beside the backups; its stderr is discarded
        _sys.stderr.write(f"{failure_text(_exc)}\n")
        raise SystemExit(2)
