"""Putting a backup back in place of the database, guarded.

A restore is refused while a window or a command holds the database (its lock file), and the
file to restore must be a 清欠工作台 database of a schema version this program knows, pass
``PRAGMA integrity_check`` and carry the program's audit and guard triggers; a packed backup
(``models.backup_pages``) is rebuilt first and goes through the same checks. The replaced file
is kept beside the database and the restore is recorded in the audit log of the restored
database. Who may restore (办公室, with password) is the caller's to prove: the command passes
``authorize`` to check it against the backup's own accounts when the database being replaced
cannot be opened.

A backup of another unit (another township's database, a county's in place of a township's), or
one that lacks accounts the database being replaced has (a backup made before accounts were set
up: restoring it would switch log-ins off), is refused (``RestoreDiffers``, saying what differs)
unless the caller passes ``confirmed`` once the user has seen what differs (``differences``).
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from models import lockfile
from models.backup import attachments_dir_of_backup
from models.backup_check import BackupError, check_file, identify, why
from models.paths import sqlite_uri


def restore_attachments(src: Path, db: Path) -> dict | None:
    """After a restore: the files the restored database names, brought back into ``<db>.files/``
    from the backup's folder (checked); files already there are left, and none is deleted."""
    from models import attachments
    conn = sqlite3.connect(sqlite_uri(db), uri=True)
    try:
        wanted = attachments.referenced(conn)
    finally:
        conn.close()
    if not wanted:
        return None
    return attachments.copy_files(attachments_dir_of_backup(src), attachments.files_dir(db), wanted)


_fresh_triggers: dict[str, tuple[str, str]] | None = None


def program_triggers() -> dict[str, tuple[str, str]]:
    """The triggers a new database of this version has: name -> (table, SQL)."""
    global _fresh_triggers
    if _fresh_triggers is None:
        from models.db import Store
        s = Store(":memory:", "系统", check=False)
        try:
            _fresh_triggers = {r[0]: (r[1], r[2]) for r in s.conn.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")}
        finally:
            s.close()
    return _fresh_triggers


def missing_triggers(conn: sqlite3.Connection) -> list[str]:
    """The program's audit and guard triggers that a database (at the current schema version)
    lacks or carries emptied: each of them on every table of the program it has."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    have = {r[0]: (r[1], r[2] or "") for r in conn.execute(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")}
    missing = []
    for name, (table, _sql) in sorted(program_triggers().items()):
        if not name.startswith(("audit_", "guard_")) or table not in tables:
            continue
        found = have.get(name)
        marker = "audit_log" if name.startswith("audit_") else "RAISE(ABORT"
        if found is None or found[0] != table or marker not in found[1]:
            missing.append(name)
    return missing


# -- is the backup the same unit's, with the accounts the database has? -----------------------------
class RestoreDiffers(BackupError):
    """The backup is not of the same unit as the database it would replace, or lacks accounts that
    database has. ``differences``: each in one Chinese sentence. Nothing was changed."""

    def __init__(self, src: Path, differences: list[str]) -> None:
        self.src = src
        self.differences = list(differences)
        super().__init__(f"备份与当前数据库不同，恢复未进行（数据库未作任何改动）：{'；'.join(differences)}")


LEVELS = {"township": "乡镇数据库", "county": "县级汇总数据库"}


@dataclass(frozen=True)
class Identity:
    """Whose a database is: its level, its unit as the exchange knows it (``models.exchange.identity``:
    name and 区划代码), the current campaign's 填报单位, and its active accounts."""
    level: str = "township"
    name: str = ""
    code: str = ""
    county: str = ""
    unit: str = ""
    campaign: str = ""
    accounts: tuple[str, ...] = ()
    copy_id: str = ""               # a liaison's copy (专班副本): the copy it was set up from

    def label(self) -> str:
        """「青山县白鹤镇（代码 511234102），填报单位 青山县白鹤镇人民政府」"""
        place = self.name
        if place and self.county and self.level != "county" and not place.startswith(self.county):
            place = self.county + place
        parts = []
        if place:
            parts.append(place + (f"（代码 {self.code}）" if self.code else ""))
        elif self.code:
            parts.append(f"代码 {self.code}")
        if self.unit:
            parts.append(f"填报单位 {self.unit}")
        return "，".join(parts) or "未设定单位"


def _setting_text(conn: sqlite3.Connection, key: str) -> str:
    try:
        row = conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    except sqlite3.Error:
        return ""
    if row is None or row[0] is None:
        return ""
    try:
        value = json.loads(row[0])
    except (TypeError, ValueError):
        value = row[0]
    return str(value).strip() if isinstance(value, (str, int)) else ""


def identity_of(conn: sqlite3.Connection) -> Identity:
    """A database's ``Identity``, read only; what an older or damaged file lacks is left empty."""
    from models.exchange import identity as ex
    unit = campaign = ""
    try:
        row = conn.execute("SELECT name, unit FROM campaign WHERE is_current = 1 ORDER BY id DESC LIMIT 1").fetchone()
        if row is not None:
            campaign, unit = (row[0] or "").strip(), (row[1] or "").strip()
    except sqlite3.Error:
        pass
    try:
        accounts = tuple(r[0] for r in conn.execute(
            "SELECT username FROM account WHERE active = 1 ORDER BY id"))
    except sqlite3.Error:
        accounts = ()
    copy_id = ""
    try:
        row = conn.execute("SELECT value FROM setting WHERE key = ?", (ex.COPY,)).fetchone()
        info = json.loads(row[0]) if row is not None and row[0] else None
        copy_id = str(info.get("copy_id") or "") if isinstance(info, dict) else ""
    except (sqlite3.Error, ValueError, TypeError):
        pass
    return Identity(_setting_text(conn, ex.LEVEL) or "township", _setting_text(conn, ex.UNIT_NAME),
                    _setting_text(conn, ex.UNIT_CODE), _setting_text(conn, ex.COUNTY_NAME), unit, campaign,
                    accounts, copy_id)


def identity_of_file(db_path: str | os.PathLike) -> Identity | None:
    """``identity_of`` a database file, opened read-only; None when it cannot be read at all
    (damaged past reading, not a database, missing)."""
    path = Path(db_path)
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(sqlite_uri(path), uri=True, timeout=10)
    except sqlite3.Error:
        return None
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return identity_of(conn)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _names(names: list[str], most: int = 5) -> str:
    shown = "、".join(names[:most])
    return shown + (f" 等 {len(names)} 个" if len(names) > most else "")


def differences(current: Identity | None, backup: Identity) -> list[str]:
    """What a restore of ``backup`` in place of ``current`` would change beyond the records: the
    unit (level, name, code, 填报单位) and accounts that would be gone. Each one Chinese sentence;
    empty when it is the same unit with (at least) the same accounts, or nothing is known of the
    database being replaced (none there, or damaged past reading)."""
    if current is None:
        return []
    out = []
    if current.level != backup.level:
        out.append(f"备份是{LEVELS.get(backup.level, backup.level)}，当前数据库是"
                   f"{LEVELS.get(current.level, current.level)}")

    def norm(text: str) -> str:
        return "".join(text.split())
    pairs = [(current.code, backup.code), (norm(current.name), norm(backup.name)),
             (norm(current.unit), norm(backup.unit))]
    both = [(a, b) for a, b in pairs if a and b]
    if any(a != b for a, b in both) or (any(a for a, _ in pairs) and not both):
        if any(b for _, b in pairs):
            out.append(f"单位不同：备份为“{backup.label()}”，当前数据库为“{current.label()}”")
        else:
            out.append(f"备份中没有单位信息（填报单位、报送身份），当前数据库为“{current.label()}”")
    if current.copy_id != backup.copy_id:
        if current.copy_id and backup.copy_id:
            out.append("备份是另一份专班副本（联络员的数据库），不是当前这一份")
        elif current.copy_id:
            out.append("当前数据库是专班副本（联络员的数据库），备份不是这份副本")
        else:
            out.append("备份是专班副本（联络员的数据库），当前数据库不是")
    lost = [a for a in current.accounts if a not in set(backup.accounts)]
    if lost and not backup.accounts:
        out.append(f"当前数据库有 {len(current.accounts)} 个账号（{_names(list(current.accounts))}），备份中没有账号："
                   "恢复后不再需要登录，任何人不用密码即可查看和修改")
    elif lost:
        out.append(f"当前数据库的账号 {_names(lost)} 在备份中没有：恢复后这些账号不能再登录")
    return out


def _kept_name(db: Path) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = db.with_name(f"{db.name}.before-restore-{stamp}")
    n = 1
    while kept.exists():
        n += 1
        kept = db.with_name(f"{db.name}.before-restore-{stamp}-{n}")
    return kept


def check_candidate(src: str | os.PathLike) -> None:
    """Raise BackupError (one line) unless ``src`` is a 清欠工作台 database of a known
    version that passes ``PRAGMA integrity_check``. Changes nothing."""
    src = Path(src)
    if not src.is_file():
        raise BackupError(f"找不到备份文件：{src}")
    from models import backup_pages
    if backup_pages.is_packed(src):
        check_file(src, "integrity_check")          # rebuilt, identified and checked
        return
    identify(src)
    check_file(src, "integrity_check")


def has_accounts(db_path: str | os.PathLike) -> bool | None:
    """Whether a database has active accounts, read without changing it (None: it cannot be read)."""
    try:
        conn = sqlite3.connect(sqlite_uri(db_path), uri=True, timeout=10)
        try:
            return conn.execute("SELECT 1 FROM account WHERE active = 1 LIMIT 1").fetchone() is not None
        finally:
            conn.close()
    except sqlite3.Error:
        return None


# the numbers of the packages a database has sent: the receiver takes only a number above the last
# it received, so a restored database keeps counting from the highest, never from its backup's
from models.restore_guard import SENT_COUNTERS  # noqa: E402 - kept with what a restore compares


def sent_counters(db: Path) -> dict[str, int]:
    """The package counters of the database about to be replaced ({} when it cannot be read)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            marks = ",".join("?" * len(SENT_COUNTERS))
            rows = conn.execute(f"SELECT key, value FROM setting WHERE key IN ({marks})", SENT_COUNTERS).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return {}
    out = {}
    for key, value in rows:
        try:
            out[key] = int(value)
        except (TypeError, ValueError):
            pass
    return out


@dataclass
class Restored:
    """What a restore did: the replaced file kept as ``kept``; what differed and was confirmed
    (``differences``); what the replaced database held that the backup does not (``since``,
    ``models.restore_guard.Since``); what could not be checked (``notes``)."""
    kept: Path | None = None
    differences: list = field(default_factory=list)
    since: object = None
    notes: list = field(default_factory=list)

    def lines(self) -> list[str]:
        """What the user is told beyond 「已恢复」: what the restore undid, what was not checked."""
        return (self.since.after_lines(self.kept) if self.since else []) + list(self.notes)


def _prepare(src: Path, tmp: Path, user: str, kept_hint: str, authorize=None,
             current: Identity | None = None, confirmed: bool = False, sent: dict | None = None,
             db: Path | None = None, damaged: bool = False) -> Restored:
    """Copy ``src`` to ``tmp``, bring it to the current schema, check it is one of the program's
    databases with its triggers, compare it with the database it replaces (``current``; ``db``,
    ``damaged`` when it cannot be read: refused with ``RestoreDiffers`` when they differ or the
    database holds changes made after the backup, unless ``confirmed``), and record the restore in
    its audit log. Raises BackupError (or whatever ``authorize(store)``, called on the copy, raises
    to refuse). Returns what differs (confirmed), what was undone and what was not checked."""
    from models import backup_pages, restore_guard
    if backup_pages.is_packed(src):         # rebuilt straight into the copy, then checked
        try:
            backup_pages.unpack(src, tmp)
        except backup_pages.PackError as exc:
            raise BackupError(str(exc)) from exc
        identify(tmp)
        check_file(tmp, "integrity_check")
    else:
        check_candidate(src)
        _copy(src, tmp)
    mark = restore_guard.audit_mark(tmp)        # the backup's last audit row, before any upgrade
    from models.db import Store, StoreError
    try:
        store = Store(tmp, user, check=False)
    except (StoreError, sqlite3.Error) as exc:
        text = str(exc).replace(str(tmp), str(src)) if isinstance(exc, StoreError) else why(exc)
        raise BackupError(f"备份文件无法使用：{src}（{text}）") from exc
    try:
        missing = missing_triggers(store.conn)
        if missing:
            raise BackupError(f"备份文件缺少本程序的审计或权限触发器（{'、'.join(missing[:3])}"
                              f"{'等 ' + str(len(missing)) + ' 个' if len(missing) > 3 else ''}），"
                              f"可能被其他程序改动过，不能恢复：{src}")
        if authorize is not None:
            authorize(store)
        backup_identity = identity_of(store.conn)
        differ = differences(current, backup_identity)
        since, notes = None, []
        if damaged and db is not None:          # whose it was, from what it left
            more, notes = restore_guard.damaged_differences(db, src, backup_identity, identity_of_file, differences)
            differ += more
        elif current is not None and db is not None:
            since = restore_guard.changes_since(db, mark, store.conn)
            differ += since.sentences() if since else []
        if differ and not confirmed:
            raise RestoreDiffers(src, differ)
        after = {"恢复自": str(src)}
        if differ:
            after["确认恢复时与原数据库的不同"] = differ
        with store.tx("从备份恢复数据库"):
            raised = {k: n for k, n in (sent or {}).items() if n > int(store.get_setting(k, 0) or 0)}
            if raised:                          # packages sent since the backup keep their numbers
                from models.access import Actor
                acting, store.actor = store.actor, Actor.system()      # the program's own bookkeeping
                try:
                    for key, n in raised.items():
                        store.set_setting(key, n)
                finally:
                    store.actor = acting
            store.execute(
                "INSERT INTO audit_log(at, user, table_name, record_id, record_uuid, action, before, after, reason)"
                " VALUES (qq_now(), qq_user(), '数据库', NULL, NULL, 'restore_db', ?, ?, '从备份恢复数据库')",
                (json.dumps({"原数据库另存为": kept_hint}, ensure_ascii=False),
                 json.dumps(after, ensure_ascii=False)))
    except sqlite3.Error as exc:
        raise BackupError(f"备份文件无法使用：{src}（{why(exc)}）") from exc
    finally:
        store.close()
    return Restored(None, differ, since, notes)


def _copy(src: Path, tmp: Path) -> None:
    try:
        source = sqlite3.connect(sqlite_uri(src), uri=True, timeout=30)
        try:
            dest = sqlite3.connect(str(tmp))
            try:
                source.backup(dest)
            finally:
                dest.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"备份文件无法读取：{src}（{why(exc)}）") from exc


def restore(backup_file: str | os.PathLike, db_path: str | os.PathLike, *, user: str = "",
            holding_lock: bool = False, authorize=None, confirmed: bool = False) -> Path | None:
    """``restore_checked``; returns the path the replaced file was kept as (None: there was none)."""
    return restore_checked(backup_file, db_path, user=user, holding_lock=holding_lock, authorize=authorize,
                           confirmed=confirmed).kept


def restore_checked(backup_file: str | os.PathLike, db_path: str | os.PathLike, *, user: str = "",
                    holding_lock: bool = False, authorize=None, confirmed: bool = False) -> Restored:
    """Put a checked backup in place of the database. The file it replaces is kept
    beside it (``.before-restore-<time>``), never overwritten silently. Returns ``Restored``.

    Refused (``BackupError``, one line, nothing changed) while a window or a command holds
    the database, or when the file is not a whole 清欠工作台 database of a known version with
    the program's triggers. ``holding_lock``: the caller (the window, offering a backup for
    a damaged file) holds the database's lock itself. ``user``: who restores, as the caller has
    proven it, for the audit (none: 未登录, never the computer's log-in name). ``authorize(store)``:
    proves who restores against the backup's own accounts (when the database being replaced
    cannot be opened; whom it proves is the audit's); it raises to refuse.

    A backup of another unit, or one lacking accounts the database has; one that would undo
    changes made since it was taken (a repayment, a password reset: ``restore_guard.Since``); or,
    in place of a file that cannot be read, one with no accounts or of another unit than what the
    file left tells (``restore_guard.damaged_differences``), is refused (``RestoreDiffers``,
    saying what; nothing changed) unless ``confirmed``: the user has been told and wants it all
    the same."""
    src = Path(backup_file)
    db = Path(db_path)
    if not src.is_file():
        raise BackupError(f"找不到备份文件：{src}")
    lock = None
    if not holding_lock:
        try:
            lock = lockfile.DatabaseLock(db).acquire()
        except lockfile.DatabaseBusy as exc:
            raise BackupError(f"{exc}（恢复未进行，数据库未作任何改动）") from None
    tmp = db.with_name(db.name + ".restoring")
    from models.db import wait_for_checkpoints
    wait_for_checkpoints(db)            # a large import's log still being copied into the file
    try:
        if db.exists() and os.path.samefile(src, db):
            raise BackupError(f"要恢复的文件就是数据库本身：{src}")
        for f in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            if f.exists():
                f.unlink()
        kept = _kept_name(db) if db.exists() else None
        current = identity_of_file(db) if db.exists() else None
        sent = sent_counters(db) if db.exists() else {}
        from models.restore_guard import UNPROVEN
        done = _prepare(src, tmp, user or "未登录" + UNPROVEN, str(kept) if kept else "", authorize, current,
                        confirmed, sent, db, damaged=db.exists() and current is None)
        done.kept = kept
        if kept is not None:
            _checkpoint(db)
            shutil.copy2(db, kept)
            for suffix in ("-wal", "-shm"):
                side = db.with_name(db.name + suffix)
                if side.exists():
                    shutil.copy2(side, kept.with_name(kept.name + suffix))
        for suffix in ("-wal", "-shm"):         # the old log must not be applied to the new file
            side = db.with_name(db.name + suffix)
            if side.exists():
                side.unlink()
        os.replace(tmp, db)
        try:
            restore_attachments(src, db)
        except (OSError, sqlite3.Error):
            pass        # the database is restored; a file not brought back shows as 文件缺失
        return done
    except OSError as exc:
        raise BackupError(f"恢复失败：{exc.filename or db}（{why(exc)}）。数据库未被替换。") from exc
    finally:
        for f in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            try:
                f.unlink()
            except OSError:
                pass
        if lock is not None:
            lock.release()


def _checkpoint(db: Path) -> None:
    """Fold the write-ahead log into the file, so the kept copy is one whole file.
    A damaged file is kept as it is, with its log beside it."""
    from models.db import checkpoint_file
    checkpoint_file(db, "TRUNCATE")
