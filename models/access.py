"""Accounts, roles and who may change what.

Roles: 办公室 (everything), 专班填报员 (reads everything, changes only its own
workstream's rows), 领导 (reads and prints). The rule is enforced by triggers
that call ``qq_may_write`` on every insert, update and delete, so the window,
imports and the command line all obey it; ``Store`` turns a refusal into
``PermissionDenied`` with a Chinese message.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import hmac
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROLES = ("办公室", "专班填报员", "领导")
SYSTEM_ROLE = "系统"        # the program itself: migrations, log-in bookkeeping; never an account
MAX_TRIES = 5
LOCK_MINUTES = 15
# Tables a 专班填报员 may write whatever the workstream (shared reference data).
SHARED_TABLES = {"employer", "project", "person"}
# The setting table holds campaign-wide settings (warning thresholds, the 重大 amount …): only
# 办公室 changes them. Keys under these prefixes are not settings but what the program learns
# while anyone works (a spreadsheet's header mapping, the reports' check cache).
FREE_SETTING_PREFIXES = ("import_mapping:", "reports.check_cache")
CAMPAIGN_SETTINGS = "预警阈值、节假日安排、核处结论等全局设置只有办公室账号可以修改"
# Tables no trigger guards: written by triggers themselves or by the login flow.
UNGUARDED = {"audit_log", "case_fts", "worker_fts"}
# Tables the signed-ledger lock does not cover: they hold no ledger records but bookkeeping
# (an account's log-in counts and password, the sign-offs themselves). Who may write them is
# still guarded; only "signed, so a reason is needed" does not apply.
NOT_SIGNED = {"account", "signoff"}
# Records without a workstream or case of their own belong to their parent's workstream:
# column -> SQL giving that workstream from the column's value (``{v}``).
PARENT_WORKSTREAM = {
    "advance_id": "(SELECT workstream_id FROM advance WHERE id = {v})",
    "contract_id": "(SELECT workstream_id FROM contract_arrear WHERE id = {v})",
    "instalment_id": ("(SELECT c.workstream_id FROM contract_instalment i JOIN contract_arrear c "
                      "ON c.id = i.contract_id WHERE i.id = {v})"),
}


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    display_name: str
    role: str
    workstream_id: int | None
    workstream_name: str = ""

    @classmethod
    def system(cls) -> "Actor":
        """The program acting on its own behalf (set explicitly by the code that needs it,
        e.g. the log-in bookkeeping); no account has this role, so no one can log in as it."""
        return cls(0, SYSTEM_ROLE, SYSTEM_ROLE, SYSTEM_ROLE, None, "")

    @property
    def is_system(self) -> bool:
        return self.role == SYSTEM_ROLE and self.id == 0

    @property
    def may_reveal(self) -> bool:
        return self.role in ("办公室", "专班填报员")

    @property
    def is_office(self) -> bool:
        return self.role == "办公室"

    @property
    def may_change_campaign_settings(self) -> bool:
        """Warning thresholds, the calendar, the verdict list: 办公室 only (``may_write``)."""
        return self.role in ("办公室", SYSTEM_ROLE)

    @property
    def read_only(self) -> bool:
        return self.role == "领导"


class AuthError(Exception):
    pass


# -- passwords ----------------------------------------------------------------------
def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2 ** 14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _alg, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    test = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                          dklen=len(digest) // 2)
    return hmac.compare_digest(test.hex(), digest)


# -- the write rule (called from triggers) ------------------------------------------
NO_ACTOR = "本数据库已启用账号：须先登录（命令行用 --user 和密码）才能修改数据"


def may_write(actor: Actor | None, table: str, workstream_id: int | None, record_id: int | None) -> tuple[bool, str]:
    """The rule for an acting account. ``None`` (nobody logged in) may write nothing: a
    database without accounts is let through by ``check_write`` before this is asked."""
    if actor is None:
        return False, NO_ACTOR
    if actor.role in ("办公室", SYSTEM_ROLE):
        return True, ""
    if table == "account":              # one's own account (a new password), whatever the role
        return (record_id == actor.id), "只有办公室账号可以管理账号"
    if actor.role == "领导":
        return False, "领导账号只能查看和打印，不能修改数据"
    if table == "setting":         # the guard passes the setting's key where other tables pass an id
        return (isinstance(record_id, str) and record_id.startswith(FREE_SETTING_PREFIXES)), CAMPAIGN_SETTINGS
    if table in SHARED_TABLES:
        return True, ""
    if workstream_id is None:
        return False, "专班填报员不能修改未分配专班的记录或全局设置，请联系办公室"
    if workstream_id != actor.workstream_id:
        return False, f"专班填报员只能修改本专班（{actor.workstream_name or '本专班'}）的记录"
    return True, ""


def accounts_exist(conn: sqlite3.Connection) -> bool:
    """``has_accounts``, safe to ask from inside a trigger at any schema version: from the
    first account on, every write needs an actor. No account table yet means no."""
    try:
        return has_accounts(conn)
    except sqlite3.OperationalError:
        return False


def check_write(conn: sqlite3.Connection, actor: Actor | None, table: str, workstream_id: int | None,
                record_id: int | None) -> tuple[bool, str]:
    """``may_write`` as every write path asks it (the guard triggers through ``Store``, the
    bulk import's guard): with no actor, only a database that has no account yet is open."""
    if actor is None and not accounts_exist(conn):
        return True, ""
    return may_write(actor, table, workstream_id, record_id)


def workstream_expr(conn: sqlite3.Connection, table: str, alias: str) -> str:
    """SQL for the workstream a row of ``table`` belongs to: its own, its case's, or its parent
    record's (an advance's recovery, a contract's instalment, an instalment's payment)."""
    cols = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
    if "workstream_id" in cols:
        return f"{alias}.workstream_id"
    if "case_id" in cols:
        return f"(SELECT workstream_id FROM case_record WHERE id = {alias}.case_id)"
    for col, sql in PARENT_WORKSTREAM.items():
        if col in cols:
            return sql.format(v=f"{alias}.{col}")
    return "NULL"


def install_guard_triggers(conn: sqlite3.Connection, table: str) -> None:
    if table in UNGUARDED:
        return
    for action in ("insert", "update", "delete"):
        conn.execute(f'DROP TRIGGER IF EXISTS "guard_{table}_{action}"')
    msg = "'无权修改：当前账号不允许修改这条记录'"
    new_ws, old_ws = workstream_expr(conn, table, "NEW"), workstream_expr(conn, table, "OLD")
    cols = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
    new_id, old_id = ("NEW.key", "OLD.key") if table == "setting" else ("NEW.id", "OLD.id")
    signed_old = (f"qq_signed_ok('{table}', {old_ws}, OLD.created_at)"
                  if "created_at" in cols and table not in NOT_SIGNED else "1")
    conn.execute(f"""CREATE TRIGGER "guard_{table}_insert" BEFORE INSERT ON "{table}" WHEN qq_bulk() = 0
        BEGIN SELECT RAISE(ABORT, {msg}) WHERE qq_may_write('{table}', {new_ws}, {new_id}) = 0; END""")
    conn.execute(f"""CREATE TRIGGER "guard_{table}_update" BEFORE UPDATE ON "{table}" WHEN qq_bulk() = 0
        BEGIN
            SELECT RAISE(ABORT, {msg}) WHERE qq_may_write('{table}', {old_ws}, {old_id}) = 0
                OR qq_may_write('{table}', {new_ws}, {new_id}) = 0;
            SELECT RAISE(ABORT, '已签字：该记录所属台账已审核签字，修改须填写理由') WHERE {signed_old} = 0;
        END""")
    conn.execute(f"""CREATE TRIGGER "guard_{table}_delete" BEFORE DELETE ON "{table}" WHEN qq_bulk() = 0
        BEGIN
            SELECT RAISE(ABORT, {msg}) WHERE qq_may_write('{table}', {old_ws}, {old_id}) = 0;
            SELECT RAISE(ABORT, '已签字：该记录所属台账已审核签字，修改须填写理由') WHERE {signed_old} = 0;
        END""")


# -- accounts -------------------------------------------------------------------------
def has_accounts(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM account WHERE active = 1 LIMIT 1").fetchone() is not None


def _actor(conn: sqlite3.Connection, row) -> Actor:
    ws_name = ""
    if row["workstream_id"]:
        r = conn.execute("SELECT name FROM workstream WHERE id = ?", (row["workstream_id"],)).fetchone()
        ws_name = r[0] if r else ""
    return Actor(row["id"], row["username"], row["display_name"] or row["username"], row["role"],
                 row["workstream_id"], ws_name)


def find_actor(conn: sqlite3.Connection, username: str) -> Actor | None:
    row = conn.execute("SELECT * FROM account WHERE username = ? AND active = 1", (username,)).fetchone()
    return _actor(conn, row) if row else None


def create_account(store, username: str, password: str, role: str, display_name: str = "",
                   workstream_id: int | None = None) -> int:
    username = username.strip()
    if not username:
        raise AuthError("用户名不能为空")
    if role not in ROLES:
        raise AuthError(f"角色应为：{'、'.join(ROLES)}")
    if role == "专班填报员" and not workstream_id:
        raise AuthError("专班填报员须指定所属专班")
    if len(password) < 6:
        raise AuthError("密码至少 6 位")
    if store.scalar("SELECT 1 FROM account WHERE username = ?", (username,)):
        raise AuthError(f"用户名“{username}”已存在")
    with store.tx():
        return store.insert("account", {"username": username, "display_name": display_name or username,
                                        "role": role, "workstream_id": workstream_id,
                                        "pw_hash": hash_password(password)})


def set_password(store, username: str, new_password: str) -> None:
    if len(new_password) < 6:
        raise AuthError("密码至少 6 位")
    with store.tx(label="重设密码"):
        store.execute("UPDATE account SET pw_hash = ?, failed_count = 0, locked_until = NULL WHERE username = ?",
                      (hash_password(new_password), username))


@contextlib.contextmanager
def as_system(store) -> Iterator[None]:
    """Write as the program itself for the length of the block (log-in bookkeeping: the
    person is not logged in yet), then act as before."""
    saved = store.actor
    store.actor = Actor.system()
    try:
        yield
    finally:
        store.actor = saved


def _record_login_failure(store, username: str, record_id: int | None, why: str) -> None:
    store.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, after, reason) "
                  "VALUES (qq_now(), ?, 'account', ?, 'login_failed', ?, '')",
                  (username or "（未指明）", record_id, json.dumps({"结果": why}, ensure_ascii=False)))


def login(store, username: str, password: str, now: _dt.datetime | None = None) -> Actor:
    """Check a password; five wrong tries lock the account for a while. Every refusal is
    written to the audit log as a failed log-in (action ``login_failed``)."""
    now = now or _dt.datetime.now()
    username = (username or "").strip()
    row = store.one("SELECT * FROM account WHERE username = ? AND active = 1", (username,))
    if row is None:
        with as_system(store), store.tx():
            _record_login_failure(store, username, None, "没有这个账号")
        raise AuthError("用户名或密码不正确")
    if row["locked_until"] and row["locked_until"] > now.isoformat(timespec="seconds"):
        with as_system(store), store.tx():
            _record_login_failure(store, username, row["id"], "账号已锁定")
        raise AuthError(f"连续输错密码 {MAX_TRIES} 次，账号已锁定到 {row['locked_until'][11:16]}，请稍后再试或请办公室重设密码")
    if not password or not verify_password(password, row["pw_hash"]):
        failed = row["failed_count"] + 1
        locked = (now + _dt.timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds") if failed >= MAX_TRIES else None
        with as_system(store), store.tx():
            store.execute("UPDATE account SET failed_count = ?, locked_until = ? WHERE id = ?",
                          (0 if locked else failed, locked, row["id"]))
            _record_login_failure(store, username, row["id"],
                                  ("未输入密码" if not password else "密码不正确") + ("，账号锁定" if locked else ""))
        if locked:
            raise AuthError(f"连续输错密码 {MAX_TRIES} 次，账号已锁定 {LOCK_MINUTES} 分钟")
        raise AuthError(f"用户名或密码不正确（还可再试 {MAX_TRIES - failed} 次）")
    with as_system(store), store.tx():
        store.execute("UPDATE account SET failed_count = 0, locked_until = NULL, last_login = ? WHERE id = ?",
                      (now.isoformat(timespec="seconds"), row["id"]))
    return _actor(store.conn, row)


def record_login_refused(store, username: str, why: str) -> None:
    """A log-in that never reached a password check (no name given, no password to be had)
    is still a failed log-in in the audit log; a named account's tries count toward its lock."""
    if username and find_actor(store.conn, username) is not None:
        try:
            login(store, username, "")
        except AuthError:
            pass
        return
    with as_system(store), store.tx():
        _record_login_failure(store, username, None, why)


# -- "stay logged in" -----------------------------------------------------------------
def machine_identity() -> str:
    """This computer and the person logged in to it: the system's machine id (Windows
    MachineGuid, Linux /etc/machine-id) and the OS user name."""
    import getpass
    import platform
    import uuid
    machine = ""
    if os.name == "nt":
        try:
            import winreg
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Cryptography") as k:
                machine = str(winreg.QueryValueEx(k, "MachineGuid")[0])
        except OSError:
            machine = ""
    else:
        for f in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
            try:
                with open(f, encoding="ascii") as fh:
                    machine = fh.read().strip()
            except (OSError, UnicodeDecodeError):
                continue
            if machine:
                break
    if not machine:
        machine = f"{platform.node()}:{uuid.getnode():x}"
    try:
        who = getpass.getuser()
    except Exception:  # noqa: BLE001 - getuser raises several kinds on odd systems
        who = ""
    return f"{machine}|{who}"


def stay_token(store, username: str, machine: str | None = None) -> str | None:
    """The "stay logged in" token of an account on this computer, OS user and database file.

    A keyed hash whose key is the account's password hash: it lives in the database (never in
    the settings file, never in the audit log), so writing a name or a made-up token into the
    settings file logs no one in, a token copied to another computer or user does not work, and
    a new password ends every kept log-in. None for an account that does not exist."""
    row = store.one("SELECT id, username, pw_hash FROM account WHERE username = ? AND active = 1", (username,))
    if row is None:
        return None
    path = str(Path(store.path).resolve())
    message = "\x1f".join(("qingqian-stay-1", machine if machine is not None else machine_identity(), path,
                            str(row["id"]), row["username"]))
    return hmac.new(row["pw_hash"].encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def remembered_actor(store, remembered: dict | None, machine: str | None = None,
                     now: _dt.datetime | None = None) -> Actor | None:
    """The account a "stay logged in" entry of the settings file stands for, if its token is
    right for this computer, user and database and the account is not locked; else None."""
    if not isinstance(remembered, dict):
        return None
    username, token = remembered.get("user"), remembered.get("token")
    if not isinstance(username, str) or not isinstance(token, str) or not token:
        return None
    expected = stay_token(store, username, machine)
    if expected is None or not hmac.compare_digest(expected, token):
        return None
    row = store.one("SELECT * FROM account WHERE username = ? AND active = 1", (username,))
    now = now or _dt.datetime.now()
    if row["locked_until"] and row["locked_until"] > now.isoformat(timespec="seconds"):
        return None
    with as_system(store), store.tx():
        store.execute("UPDATE account SET last_login = ? WHERE id = ?", (now.isoformat(timespec="seconds"), row["id"]))
    return _actor(store.conn, row)


def accounts(store) -> list[dict]:
    return [dict(r) for r in store.query(
        "SELECT a.id, a.username, a.display_name, a.role, a.active, a.last_login, a.locked_until, "
        "w.name AS workstream FROM account a LEFT JOIN workstream w ON w.id = a.workstream_id ORDER BY a.id")]


def record_reveal(store, table: str, record_id: int | None, what: str) -> None:
    """Showing full ID / card / phone numbers is audited."""
    with store.tx():
        store.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, after, reason) "
                      "VALUES (qq_now(), qq_user(), ?, ?, 'reveal', ?, '')",
                      (table, record_id, f'{{"显示": "{what}"}}'))
