"""What a restore would undo, what it cannot check, and who may restore or take a full copy.

``models.restore`` puts a backup in place of the database; before it does, this module says

* what the database being replaced holds that the backup does not (``changes_since``): its audit
  rows written after the backup's last one (the repayments, edits and password resets made since,
  each one audit row), and the accounts whose password, role or standing changed since: a
  password reset to shut someone out is undone by a restore, the old password works again;
* what can be told of a database that cannot be read at all (``damaged_differences``): its unit
  from what it left (the automatic backups in ``<db>.backups/``, a file kept by an earlier restore,
  a liaison's base copy) or from the bytes still in the file (its 报送身份 settings, the backup's
  unit text); a backup with no accounts would switch log-ins off, which nobody may do unasked;
* who may restore, or back up to a file of their choosing (``roles``): the 办公室, or in a
  liaison's copy (``is_liaison_copy``: a 专班副本, whose office accounts are switched off) its
  liaison account, the only one it has; proven by password (``prove``).
"""
from __future__ import annotations

import mmap
import os
import re
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from models.backup_check import BackupError
from models.paths import sqlite_uri

OFFICE = "办公室"
LIAISON = "专班填报员"
UNPROVEN = "（未经密码验证）"       # the restore's audit row when nobody proved who they are
# audit rows that record no change of data: a number shown, a failed log-in, a restore, a package sent
NOT_CHANGES = ("reveal", "login_failed", "restore_db", "export")
# the numbers of the packages a database has sent: a restore keeps the highest (``models.restore``),
# so counting them up is no change a restore undoes
SENT_COUNTERS = ("exchange.sequence", "exchange.dispatch_sequence")


# -- who may restore, or take a full copy -----------------------------------------------------------
def is_liaison_copy(conn: sqlite3.Connection) -> bool:
    """A liaison's database (``models.exchange.liaison.import_copy``): it names the copy it was set
    up from and has no active 办公室 account (every office account is switched off there)."""
    import json
    from models.exchange.identity import COPY
    try:
        row = conn.execute("SELECT value FROM setting WHERE key = ?", (COPY,)).fetchone()
        if row is None:
            return False
        info = json.loads(row[0])
        if not (isinstance(info, dict) and info.get("copy_id")):
            return False
        return conn.execute("SELECT 1 FROM account WHERE active = 1 AND role = ? LIMIT 1",
                            (OFFICE,)).fetchone() is None
    except (sqlite3.Error, ValueError, TypeError):
        return False


def roles(conn: sqlite3.Connection) -> tuple[str, ...]:
    """Who may restore this database, or back it up to a file of their choosing: its 办公室, or,
    in a liaison's copy, its liaison account."""
    return (OFFICE, LIAISON) if is_liaison_copy(conn) else (OFFICE,)


def who_may(conn: sqlite3.Connection) -> str:
    """「办公室账号」 or 「办公室账号或本专班副本的联络员账号」, for messages."""
    return "办公室账号或本专班副本的联络员账号" if is_liaison_copy(conn) else "办公室账号"


def prove(store, username: str, password: str):
    """Log in with ``username`` and ``password`` on ``store`` (the window's restore: the backup's
    own accounts) and check the role (``roles``). Sets ``store.actor`` and returns it; BackupError
    (one Chinese line) otherwise."""
    from models import access
    try:
        actor = access.login(store, (username or "").strip(), password or "")
    except access.AuthError as exc:
        raise BackupError(f"登录失败：{exc}（恢复未进行）") from None
    if actor.role not in roles(store.conn):
        raise BackupError(f"账号“{actor.username}”（{actor.role}）无权恢复数据库，须由{who_may(store.conn)}执行"
                          "（恢复未进行）")
    store.actor = actor
    return actor


def own_folder(db_path: str | os.PathLike, target: str | os.PathLike) -> bool:
    """Whether ``target`` is in the program's own backup folder of the database (``<db>.backups/``),
    where the automatic backups go; anywhere else is a file of the user's choosing."""
    from models.backup import backup_dir
    folder = Path(os.path.abspath(backup_dir(db_path)))
    return Path(os.path.abspath(target)).parent == folder


def may_back_up_to(store, target: str | os.PathLike) -> str:
    """Why the acting account (``store.actor``) may not back the database up to ``target``, or ""
    when it may: a file of the user's choosing is a full copy, every ID and card number unmasked,
    so once accounts exist only the 办公室 (in a liaison's copy, its liaison) takes one."""
    from models import access
    if own_folder(store.path, target) or not access.has_accounts(store.conn):
        return ""
    actor = store.actor
    if actor is None:
        return "本数据库已启用账号：备份到自选位置须先登录（命令行用 --user 和密码）"
    if actor.role not in roles(store.conn):
        return (f"账号“{actor.username}”（{actor.role}）不能备份到自选位置（备份含未遮蔽的身份证号码、银行卡号和电话），"
                f"须由{who_may(store.conn)}执行；可备份到程序的自动备份文件夹")
    return ""


def record_backup(store, target: str | os.PathLike) -> None:
    """A backup to a file of the user's choosing is written to the audit log as a reveal."""
    if own_folder(store.path, target):
        return
    from models.access import record_reveal
    record_reveal(store, "数据库", None, f"备份整个数据库（含未遮蔽的身份证号码、银行卡号、电话）到：{target}")


# -- what the database being replaced holds that the backup does not --------------------------------
@dataclass(frozen=True)
class Mark:
    """A backup's last audit row, read from the file as it was (before any upgrade)."""
    id: int = 0
    at: str = ""
    table: str = ""
    action: str = ""
    record_id: int | None = None


def audit_mark(path: str | os.PathLike) -> Mark:
    """The last audit row of a database file (an empty ``Mark`` when it has none)."""
    conn = sqlite3.connect(sqlite_uri(path), uri=True)
    try:
        row = conn.execute("SELECT id, at, table_name, action, record_id FROM audit_log "
                           "ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        row = None
    finally:
        conn.close()
    return Mark(*row) if row else Mark()


def _shown(at: str) -> str:
    return (at or "").replace("T", " ")[:19]


def _names(names, most: int = 5) -> str:
    names = list(names)
    shown = "、".join(names[:most])
    return shown + (f" 等 {len(names)} 个" if len(names) > most else "")


@dataclass(frozen=True)
class Since:
    """What the database being replaced holds that the backup does not: ``count`` audit rows of
    changes (from ``first`` to ``last``), accounts whose password changed (``passwords``), that
    were switched off (``reopened``: they could log in again) or whose role changed (``roles``:
    (username, role now, role in the backup))."""
    count: int = 0
    first: str = ""
    last: str = ""
    passwords: tuple[str, ...] = ()
    reopened: tuple[str, ...] = ()
    roles: tuple[tuple[str, str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.count or self.passwords or self.reopened or self.roles)

    def span(self) -> str:
        if not self.count:
            return ""
        return _shown(self.first) if self.first == self.last else f"{_shown(self.first)} 至 {_shown(self.last)}"

    def sentences(self) -> list[str]:
        """What a restore would undo, each one Chinese sentence (the refusal, the window's question)."""
        out = []
        if self.count:
            out.append(f"当前数据库有 {self.count} 处改动（{self.span()}）是在这份备份之后做的，备份中没有："
                       "恢复后它们不在数据库中（只留在另存的原文件里）")
        if self.passwords:
            out.append(f"账号 {_names(self.passwords)} 的密码在备份之后改过：恢复后备份时的旧密码重新有效，"
                       "之后设的密码不再有效")
        if self.reopened:
            out.append(f"账号 {_names(self.reopened)} 在备份之后已停用：恢复后又能登录")
        for name, now, then in self.roles:
            out.append(f"账号 {name} 的角色在备份之后改过（现为{now}，备份中为{then}）：恢复后按备份中的角色")
        return out

    def after_lines(self, kept: Path | None) -> list[str]:
        """What the restore undid, once done (the result of a confirmed restore)."""
        out = []
        where = f"已随原文件另存为 {kept}" if kept else "原文件未能另存"
        if self.count:
            out.append(f"恢复前的 {self.count} 处改动（{self.span()}）不在备份中，{where}")
        if self.passwords:
            out.append(f"账号 {_names(self.passwords)} 的密码回到了备份时的密码（之后设的密码不再有效），请及时重设")
        if self.reopened:
            out.append(f"账号 {_names(self.reopened)} 恢复后又能登录（备份之后曾停用），如仍须停用请重设其密码")
        for name, now, then in self.roles:
            out.append(f"账号 {name} 的角色回到备份中的{then}（恢复前为{now}）")
        return out


def _accounts(conn: sqlite3.Connection) -> dict[str, tuple]:
    try:
        return {r[0]: (r[1], r[2], r[3]) for r in conn.execute(
            "SELECT username, pw_hash, active, role FROM account")}
    except sqlite3.Error:
        return {}


_ROW = "SELECT id, at, table_name, action, record_id FROM audit_log WHERE id > ? AND id <= ?"


def _last_shared(conn: sqlite3.Connection, backup: sqlite3.Connection, top: int, chunk: int = 2000,
                 most: int = 20) -> int:
    """The last audit row (at or below ``top``, the backup's last) the database and the backup
    hold alike: where their histories part (a database restored from an older backup since parts
    at that restore). 0 when none is found among the last ``most`` × ``chunk`` rows."""
    hi = min(top, conn.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()[0])
    for _ in range(most):
        if hi <= 0:
            break
        lo = max(0, hi - chunk)
        here = {r[0]: tuple(r[1:]) for r in conn.execute(_ROW, (lo, hi))}
        there = {r[0]: tuple(r[1:]) for r in backup.execute(_ROW, (lo, hi))}
        for i in range(hi, lo, -1):
            if i in here and here[i] == there.get(i):
                return i
        hi = lo
    return 0


def changes_since(db_path: str | os.PathLike, mark: Mark, backup: sqlite3.Connection) -> Since | None:
    """What the database at ``db_path`` holds that a backup (its last audit row ``mark``, its
    accounts read from ``backup``) does not. When the backup's last audit row is in the database
    as it is in the backup, they share their history up to it and every later row is a change
    since; otherwise (a database restored from another backup since, say) every row after the last
    one they hold alike is (``_last_shared``), and failing any, every row written after the
    backup's last one. Log-in failures, reveals, restores, packages sent and their numbers
    (kept by the restore) are not changes. None when the database cannot be read."""
    try:
        conn = sqlite3.connect(sqlite_uri(db_path), uri=True, timeout=10)
    except sqlite3.Error:
        return None
    try:
        skip = ",".join("?" * len(NOT_CHANGES))
        shared = 0
        if mark.id:
            row = conn.execute("SELECT at, table_name, action, record_id FROM audit_log WHERE id = ?",
                               (mark.id,)).fetchone()
            shared = mark.id if row is not None and tuple(row) == (mark.at, mark.table, mark.action,
                                                                   mark.record_id) else _last_shared(conn, backup,
                                                                                                     mark.id)
        if shared or not mark.id:
            where, arg = "id > ?", shared
        else:
            where, arg = "at > ?", mark.at
        counters = " OR ".join("instr(COALESCE(after, before, ''), ?) > 0" for _ in SENT_COUNTERS)
        count, first, last = conn.execute(
            f"SELECT COUNT(*), MIN(at), MAX(at) FROM audit_log WHERE {where} AND action NOT IN ({skip})"
            f" AND NOT (table_name = 'setting' AND ({counters}))",
            (arg, *NOT_CHANGES, *(f'"key":"{k}"' for k in SENT_COUNTERS))).fetchone()
        now = _accounts(conn)
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    then = _accounts(backup)
    passwords, reopened, changed_roles = [], [], []
    for name, (pw, active, role) in now.items():
        if name not in then:
            continue                    # an account the backup lacks: said by ``restore.differences``
        old_pw, old_active, old_role = then[name]
        if active and old_active and pw != old_pw:
            passwords.append(name)
        if old_active and not active:
            reopened.append(name)
        if active and old_active and role != old_role:
            changed_roles.append((name, role, old_role))
    return Since(count or 0, first or "", last or "", tuple(passwords), tuple(reopened), tuple(changed_roles))


# -- a database that cannot be read: what can still be told of it ------------------------------------
def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _leftover_files(db: Path, src: Path) -> list[tuple[Path, str]]:
    """Databases the damaged file left beside it (files kept by earlier restores, its automatic
    backups, a liaison's base copy), newest first, each with what it is; the backup being restored
    is among them only when it is one of the file's own automatic backups."""
    from models.backup import list_backups
    from models.backup_pages import is_packed
    out = []
    for p in db.parent.glob(db.name + ".before-restore-*"):
        if not p.name.endswith(("-wal", "-shm")):
            out.append((p, f"此前恢复时另存的原文件 {p.name}"))
    for p in list_backups(db):          # a packed one is a large file rebuilt: not worth it here
        if not is_packed(p) or _same(p, src):
            out.append((p, f"它的自动备份 {p.name}"))
    base = db.with_name(db.name + ".liaison") / "base.sqlite"
    if base.is_file():
        out.append((base, "它的专班副本底本"))

    def newest(item):
        try:
            return item[0].stat().st_mtime
        except OSError:
            return 0.0
    return sorted(out, key=newest, reverse=True)


_SETTING = {"code": re.compile(rb'exchange\.unit_code"(\d{6,12})"'),
            "copy": re.compile(rb'liaison\.copy\{[^}]{0,400}?"copy_id":\s*"([^"]{1,80})"')}
SCHEMA_MARKS = (b"CREATE TABLE", b"case_record", b"audit_log")
PASSWORD_MARK = b"scrypt$"          # how a password is kept (models.access.hash_password)


@dataclass
class _Raw:
    """What the bytes of a file SQLite cannot open still hold."""
    ours: bool = False                  # the text of the program's tables
    codes: frozenset = frozenset()      # 报送身份 codes (exchange.unit_code)
    copies: frozenset = frozenset()     # the liaison copy it was set up from
    passwords: bool = False             # an account's password
    backup_text: bool = False           # any of the backup's unit text


def _raw_clues(db: Path, backup) -> _Raw:
    try:
        with open(db, "rb") as fh:
            if os.fstat(fh.fileno()).st_size == 0:
                return _Raw()
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
                found = {k: frozenset(m.group(1).decode("utf-8", "replace") for m in p.finditer(data))
                         for k, p in _SETTING.items()}
                texts = [t for t in (backup.unit, backup.name, backup.code) if t]
                return _Raw(any(data.find(m) >= 0 for m in SCHEMA_MARKS), found["code"], found["copy"],
                            data.find(PASSWORD_MARK) >= 0, any(data.find(t.encode("utf-8")) >= 0 for t in texts))
    except (OSError, ValueError):
        return _Raw()


NO_LOGIN = "恢复后不再需要登录，任何人不用密码即可查看和修改"


def damaged_differences(db: str | os.PathLike, src: str | os.PathLike, backup, identity_of_file,
                        differences) -> tuple[list[str], list[str]]:
    """A backup (its ``restore.Identity``) to put in place of a database that cannot be read:
    (what must be confirmed, each one Chinese sentence; what is only said).

    Its unit and accounts are told by what the damaged file left (``_leftover_files``, the newest
    first, read by ``identity_of_file`` and compared by ``differences``, those of
    ``models.restore``): the backup is the file's own when it is one of its automatic backups;
    else by what its bytes still hold (its 报送身份 code, the backup's unit text, password hashes).
    A backup with no accounts is confirmed unless what was left shows the file had none either:
    restoring it switches log-ins off."""
    db, src = Path(db), Path(src)
    confirm: list[str] = []
    unit_told = ""
    accounts_told = None                        # (what told, the accounts it had)
    mine = own_folder(db, src)
    if mine:
        unit_told = f"它的自动备份 {src.name}"
    for path, what in _leftover_files(db, src):
        ident = backup if _same(path, src) else identity_of_file(path)
        if ident is None:
            continue
        if accounts_told is None:
            accounts_told = (what, ident.accounts)
        if not unit_told and (ident.code or ident.name or ident.unit):
            unit_told = what
            for d in differences(replace(ident, accounts=()), replace(backup, accounts=())):
                confirm.append(f"据损坏数据库{what}：{d}")
        if unit_told:
            break
    raw = _Raw()
    if not unit_told or not backup.accounts:
        raw = _raw_clues(db, backup)
    if not unit_told:
        if raw.codes:
            unit_told = "损坏文件中残留的报送身份"
            if backup.code not in raw.codes:
                confirm.append(f"单位不同：备份为“{backup.label()}”，损坏的数据库中残留的单位代码为 "
                               f"{'、'.join(sorted(raw.codes))}")
        elif raw.ours and (backup.unit or backup.name or backup.code):
            unit_told = "损坏文件中残留的内容"
            if not raw.backup_text:
                confirm.append(f"损坏的数据库中找不到备份的单位“{backup.label()}”：备份可能是另一个单位的")
        if raw.copies and backup.copy_id not in raw.copies:
            confirm.append("损坏的数据库是一份专班副本，备份不是这份副本" if not backup.copy_id
                           else "备份是另一份专班副本")
        elif not raw.copies and backup.copy_id and raw.ours:
            confirm.append("备份是专班副本（联络员的数据库），损坏的数据库看来不是")
    notes = [] if unit_told else ["当前数据库已损坏，从文件名和残留内容都无法判断它原属哪个单位，未能核对备份是否本单位的"]
    lost = [a for a in (accounts_told[1] if accounts_told else ()) if a not in set(backup.accounts)]
    if lost:
        what = accounts_told[0]
        confirm.insert(0, f"据损坏数据库{what}，它有账号 {_names(lost)}，备份中" +
                       (f"没有账号：{NO_LOGIN}" if not backup.accounts else "没有这些账号：恢复后它们不能再登录"))
    elif not backup.accounts and raw.passwords:
        confirm.insert(0, f"损坏的数据库中残留有账号的密码记录，备份中没有账号：{NO_LOGIN}")
    elif not backup.accounts and accounts_told is None:
        confirm.insert(0, f"当前数据库已损坏、无法读取，无从核对它的账号；备份中没有账号：{NO_LOGIN}"
                       + ("" if unit_told else "；也无法判断损坏的数据库原属哪个单位"))
    return confirm, notes
