"""The one place that owns the SQLite connection.

Every connection gets WAL, foreign keys and a busy timeout; the schema is
brought up to date by numbered migrations; writes go through ``Store.tx()``
so a multi-step change lands whole or not at all. Audit rows are written by
triggers (see ``models.audit``) inside the same transaction as the change.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import getpass
import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterator, Sequence

from models import migrations
from models.errors import (DamagedDatabase, DatabaseLocked, NewerDatabase, NotOurDatabase,  # noqa: F401
                           PermissionDenied, ReadOnlyDatabase, StoreError, chinese_reason)
from models.db_identity import OWN_TABLES, refuse_foreign_file, refuse_foreign_schema  # noqa: F401
from models.paths import read_only_message, read_only_place


# a file larger than this is opened with ``check="light"`` (header, size, schema) by the window and
# the commands: PRAGMA quick_check of a county's file takes seconds (the window runs it afterwards
# on a worker thread; a damaged page read later is still reported as a damaged file)
LIGHT_CHECK_ABOVE = 64 * 1024 * 1024


def now_text() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


def default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - getuser raises several kinds on odd systems
        return "未知用户"


class Store:
    """A database file opened for use by one thread.

    Background jobs open their own ``Store`` on the same path: a SQLite
    connection belongs to the thread that made it.
    """

    def __init__(self, path: str | os.PathLike, user: str | None = None, *,
                 check: bool | str = True, migrate: bool = True, read_only: bool = False,
                 create: bool = True) -> None:
        """``check``: True runs ``PRAGMA quick_check`` now; "light" checks only what is
        cheap (header, size, schema) and leaves the full check to the caller, for a
        large database whose full check would hold up the window. ``read_only``: a
        connection that cannot change the file in any way (not even its journal mode),
        with no check and no migration; it fails on a file that does not exist. ``create``:
        False refuses a file that does not exist instead of making a new database there.
        A file that exists is always checked to be a 清欠工作台 database first
        (``NotOurDatabase`` if it is not: 0 bytes, another program's SQLite, text)."""
        self.path = Path(path)
        self.user = user or default_user()
        self.bulk = False          # set by bulk loaders: triggers skip per-row work
        self.today: _dt.date | None = None   # the program's today (qq_today() in SQL); None: the clock
        self.audit_reason = ""     # a reason attached to the audit rows of the next writes
        self.given_reason = ""     # the part of it a person gave (a label the program adds is not one)
        self.actor = None          # models.access.Actor once someone has logged in
        self.last_denial = ""
        self._sudb = None
        self.closed = False
        self.needs_full_check = False   # set when only the light check ran at open
        self._thread = threading.get_ident()
        if read_only:
            self.conn = self._open_read_only()
            self.conn.row_factory = sqlite3.Row
            self._configure(read_only=True)
            return
        memory = str(self.path) == ":memory:"
        new_file = memory or not self.path.exists()
        if new_file and not create:
            raise StoreError(f"找不到数据库文件：{self.path}")
        if not new_file:
            refuse_foreign_file(self.path)      # before anything is written to it
            why = read_only_place(self.path)
            if why:
                raise ReadOnlyDatabase(read_only_message(self.path, why))
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(str(self.path), timeout=10, isolation_level=None,
                                        check_same_thread=False)
        except sqlite3.DatabaseError as exc:
            raise DamagedDatabase(f"数据库文件无法打开：{self.path}（{chinese_reason(exc)}）") from exc
        self.conn.row_factory = sqlite3.Row
        try:
            if not new_file:
                self.conn.execute("PRAGMA busy_timeout = 10000")
                refuse_foreign_schema(self.conn, self.path)
            self._configure()
            if check == "light" and not new_file:
                self.light_check()
            elif check and not new_file:
                self.quick_check()
            if migrate:
                from models.access import Actor
                self.actor = Actor.system()     # an upgrade is the program's own write, before anyone logs in
                try:
                    migrations.upgrade(self.conn)
                finally:
                    self.actor = None
        except sqlite3.OperationalError as exc:
            self.conn.close()
            if is_busy(exc):            # waited the busy timeout: someone else is writing
                from models.lockfile import busy_message
                raise DatabaseLocked(busy_message(self.path)) from exc
            why = read_only_place(self.path)
            if why or "readonly" in str(exc).lower():
                raise ReadOnlyDatabase(read_only_message(self.path, why or "文件只读，不能写入")) from exc
            raise DamagedDatabase(f"数据库文件已损坏：{self.path}（{chinese_reason(exc)}）") from exc
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise DamagedDatabase(f"数据库文件已损坏：{self.path}（{chinese_reason(exc)}）") from exc
        except StoreError:
            self.conn.close()
            raise

    # -- connection set-up -------------------------------------------------
    def _open_read_only(self) -> sqlite3.Connection:
        """A connection that cannot change the file. On a read-only place (a write-protected USB
        stick) SQLite may not even read a WAL-mode file, needing to write its index beside it:
        then, when no write-ahead log is left beside the file (the program empties it on close),
        the file is read as immutable; with a log left, it is said plainly."""
        from models.paths import sqlite_uri
        uri = sqlite_uri(self.path.resolve())
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=2, isolation_level=None, check_same_thread=False)
            _probe(conn)
            return conn
        except sqlite3.DatabaseError as exc:
            why = read_only_place(self.path)
            if not why:
                raise DamagedDatabase(f"数据库文件无法打开：{self.path}（{chinese_reason(exc)}）") from exc
            wal = self.path.with_name(self.path.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise ReadOnlyDatabase(read_only_message(self.path, why + "，且上次未正常关闭")) from exc
            try:
                conn = sqlite3.connect(uri + "&immutable=1", uri=True, timeout=2, isolation_level=None,
                                       check_same_thread=False)
                _probe(conn)
                return conn
            except sqlite3.DatabaseError as exc2:
                raise DamagedDatabase(f"数据库文件无法打开：{self.path}（{chinese_reason(exc2)}）") from exc2

    def _configure(self, read_only: bool = False) -> None:
        c = self.conn
        c.execute("PRAGMA busy_timeout = 2000" if read_only else "PRAGMA busy_timeout = 10000")
        c.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            mode = c.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal" and str(self.path) != ":memory:":
                raise DamagedDatabase(f"无法启用预写日志（journal_mode={mode}）")
            c.execute("PRAGMA synchronous = NORMAL")
        c.execute("PRAGMA recursive_triggers = ON")
        # Functions the triggers call: who is acting, and whether a bulk load is running.
        c.create_function("qq_user", 0, lambda: self.user, deterministic=False)
        c.create_function("qq_bulk", 0, lambda: 1 if self.bulk else 0, deterministic=False)
        c.create_function("qq_now", 0, now_text, deterministic=False)
        c.create_function("qq_reason", 0, lambda: self.audit_reason, deterministic=False)
        c.create_function("qq_uuid", 0, _uuid, deterministic=False)
        c.create_function("qq_may_write", 3, self._may_write, deterministic=False)
        c.create_function("qq_signed_ok", 3, self._signed_ok, deterministic=False)
        # computed columns that depend on the day (逾期未还, 期满待移出) ask this, never the clock
        c.create_function("qq_today", 0, lambda: (self.today or _dt.date.today()).isoformat(), deterministic=False)

    def _may_write(self, table: str, workstream_id, record_id) -> int:
        from models.access import check_write      # no actor: allowed only before any account exists
        ok, why = check_write(self.conn, self.actor, table, workstream_id, record_id)
        if not ok:
            self.last_denial = why
        return 1 if ok else 0

    def _signed_ok(self, table: str, workstream_id, created_at) -> int:
        """A record of a signed-off ledger changes only with a reason (which the audit keeps)."""
        if self.given_reason or workstream_id is None or not created_at:
            return 1
        try:
            row = self.conn.execute("SELECT MAX(as_of) FROM signoff WHERE workstream_id = ? AND revoked_at IS NULL",
                                    (workstream_id,)).fetchone()
        except sqlite3.OperationalError:     # during migration, before the table exists
            return 1
        if row and row[0] and created_at[:10] <= row[0]:
            self.last_denial = "该记录所属台账已审核签字，修改须填写理由"
            return 0
        return 1

    @property
    def user(self) -> str:
        return self.actor.username if self.actor is not None else self._user

    @user.setter
    def user(self, value: str) -> None:
        self._user = value

    def light_check(self) -> None:
        """Header, size and schema: catches truncated and overwritten files in milliseconds."""
        with open(self.path, "rb") as fh:
            header = fh.read(100)
        if not header.startswith(b"SQLite format 3\x00"):
            raise DamagedDatabase(f"数据库文件已损坏：{self.path}（文件头不是 SQLite 数据库）")
        try:
            page_size = self.conn.execute("PRAGMA page_size").fetchone()[0]
            pages = int.from_bytes(header[28:32], "big")
            self.conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise DamagedDatabase(f"数据库文件已损坏：{self.path}（{chinese_reason(exc)}）") from exc
        if pages and self.path.stat().st_size < pages * page_size:
            raise DamagedDatabase(f"数据库文件不完整：{self.path}（应有 {pages * page_size:,} 字节，"
                                  f"实有 {self.path.stat().st_size:,} 字节）")

    def quick_check(self) -> None:
        try:
            rows = self.conn.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError as exc:
            raise DamagedDatabase(f"数据库文件已损坏：{self.path}（{chinese_reason(exc)}）") from exc
        result = _one_line("; ".join(r[0] for r in rows))
        if result != "ok":
            raise DamagedDatabase(f"数据库完整性检查未通过：{self.path}（{result[:200]}）")

    # -- transactions --------------------------------------------------------
    @contextlib.contextmanager
    def tx(self, reason: str = "", *, label: str = "") -> Iterator["Store"]:
        """One transaction (a savepoint when nested). Rolls back on any error.

        ``reason`` is a person's reason for the change (修改理由: it lets a record of a signed
        ledger change); ``label`` is the program's name for what it does (清欠资金分配), kept
        in the audit beside the reason but never taken for one."""
        old_reason, old_given = self.audit_reason, self.given_reason
        if reason:
            self.audit_reason = self.given_reason = reason
        if label:
            self.audit_reason = f"{label}：{self.given_reason}" if self.given_reason else label
        c = self.conn
        try:
            if c.in_transaction:
                name = f"sp_{_uuid()[:8]}"
                c.execute(f"SAVEPOINT {name}")
                try:
                    yield self
                except BaseException:
                    if c.in_transaction:
                        c.execute(f"ROLLBACK TO SAVEPOINT {name}")
                        c.execute(f"RELEASE SAVEPOINT {name}")
                    raise
                else:
                    c.execute(f"RELEASE SAVEPOINT {name}")
            else:
                c.execute("BEGIN IMMEDIATE")
                try:
                    yield self
                except sqlite3.IntegrityError as exc:
                    if c.in_transaction:
                        c.execute("ROLLBACK")
                    text = str(exc)
                    if text.startswith("无权") or text.startswith("已签字"):
                        raise PermissionDenied(self.last_denial or text) from exc
                    raise
                except BaseException:
                    if c.in_transaction:
                        c.execute("ROLLBACK")
                    raise
                else:
                    c.execute("COMMIT")
        finally:
            self.audit_reason, self.given_reason = old_reason, old_given

    @contextlib.contextmanager
    def checkpoint_afterwards(self) -> Iterator[None]:
        """Around a large write (an import of thousands of rows): its commit writes the pages to
        the write-ahead log only, and copying them into the database file (SQLite's checkpoint,
        otherwise run inside the COMMIT once the log passes 1,000 pages) follows on a thread
        of its own with its own connection, so the caller's wait ends at the commit. Readers see
        the committed rows either way. ``close`` waits for the copy unless told not to (the
        window's import job, whose window holds the database meanwhile); a restore in this
        process waits for it too (``wait_for_checkpoints``). Outside any transaction."""
        c = self.conn
        if c.in_transaction or str(self.path) == ":memory:":
            yield
            return
        old = int(c.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        c.execute("PRAGMA wal_autocheckpoint = 0")
        # the COMMIT itself syncs the log to disk (the checkpoint it no longer runs did that):
        # an import reported done survives a power cut that follows
        c.execute("PRAGMA synchronous = FULL")
        try:
            yield
        finally:
            try:
                c.execute("PRAGMA synchronous = NORMAL")
                c.execute(f"PRAGMA wal_autocheckpoint = {old}")
            except sqlite3.Error:
                pass                # the connection is going away: the next one starts at 1,000 again
            self._checkpoint_in_background()

    def _checkpoint_in_background(self) -> None:
        path = os.path.realpath(self.path)
        wait_for_checkpoints(path)              # one copy of a file at a time

        # not a daemon: a command that ends meanwhile exits once the copy is done (a copy that
        # fails is made by the next automatic checkpoint, or the last close)
        t = threading.Thread(target=checkpoint_file, args=(path, "PASSIVE", 10), name="wal-checkpoint",
                             daemon=False)
        with _COPIES_LOCK:
            _COPIES[path] = t
        t.start()

    def wait_for_checkpoint(self) -> None:
        """Until a background checkpoint started by ``checkpoint_afterwards`` has finished."""
        wait_for_checkpoints(self.path)

    @contextlib.contextmanager
    def triggers_set_aside(self, table: str) -> Iterator[None]:
        """Inside an open transaction, while ``bulk`` is on: drop ``table``'s triggers and
        create them again from their stored SQL afterwards. In bulk mode they do nothing, but
        SQLite still enters each one for every row; a bulk loader skips that cost. Other
        connections never see the difference (WAL: they read the committed schema)."""
        if not (self.conn.in_transaction and self.bulk):
            raise RuntimeError("triggers_set_aside needs an open transaction in bulk mode")
        saved = self.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,))
        if any("qq_bulk() = 0" not in (r["sql"] or "") for r in saved):
            yield                       # a trigger that works in bulk mode too: keep them all
            return
        for r in saved:
            self.conn.execute(f'DROP TRIGGER "{r["name"]}"')
        try:
            yield
        finally:
            if self.conn.in_transaction:
                for r in saved:
                    self.conn.execute(r["sql"])

    # -- queries -------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence[Any] | dict = (), default: Any = None) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return default if row is None or row[0] is None else row[0]

    def execute(self, sql: str, params: Sequence[Any] | dict = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def insert(self, table: str, values: dict[str, Any]) -> int:
        values = dict(values)
        values.setdefault("uuid", _uuid())
        cols = ", ".join(f'"{k}"' for k in values)
        marks = ", ".join("?" for _ in values)
        cur = self.conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(values.values()))
        return int(cur.lastrowid)

    def update(self, table: str, record_id: int, values: dict[str, Any]) -> None:
        if not values:
            return
        sets = ", ".join(f'"{k}" = ?' for k in values)
        self.conn.execute(f'UPDATE "{table}" SET {sets} WHERE id = ?', [*values.values(), record_id])

    @property
    def db(self):
        """sqlite-utils over the same connection, imported only when needed (it pulls in pandas)."""
        if self._sudb is None:
            import sqlite_utils
            self._sudb = sqlite_utils.Database(self.conn)
        return self._sudb

    # -- settings ------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self.one("SELECT value FROM setting WHERE key = ?", (key,))
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except ValueError:
            return default

    def set_setting(self, key: str, value: Any) -> None:
        with self.tx():
            self.execute("INSERT INTO setting(key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         (key, json.dumps(value, ensure_ascii=False)))

    def schema_version(self) -> int:
        return int(self.scalar("PRAGMA user_version", default=0))

    def hold_lock(self, wait: float | None = None) -> None:
        """Take the database's lock file (the one the window takes) until ``close()``: a
        command that writes waits for another to finish (``lockfile.WAIT_SECONDS``), then
        refuses while a window or another command holds the database; no window or restore
        can take it meanwhile. Raises ``DatabaseLocked``."""
        from models import lockfile
        if getattr(self, "_lock", None) is not None:
            return
        try:
            self._lock = lockfile.DatabaseLock(self.path).acquire(
                lockfile.WAIT_SECONDS if wait is None else wait)
        except lockfile.DatabaseBusy as exc:
            raise DatabaseLocked(str(exc)) from None

    def close(self, wait_for_copy: bool = True) -> None:
        """``wait_for_copy``: first let a background checkpoint of this file finish (the default:
        whoever closes may then copy, move or hand over the file, even to another process)."""
        if wait_for_copy:
            self.wait_for_checkpoint()
        try:
            if not self.conn.in_transaction:
                self.conn.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass
        self.conn.close()
        self.closed = True
        lock = getattr(self, "_lock", None)
        if lock is not None:
            lock.release()
            self._lock = None


def _one_line(text) -> str:
    """SQLite's words (an error, a check's report over several lines) for a one-line message."""
    return " ".join(str(text).split())


def _probe(conn: sqlite3.Connection) -> None:
    """Read the schema once: SQLite opens lazily, so this is where an unreadable file says so."""
    conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()


def checkpoint_file(path: str | os.PathLike, mode: str = "TRUNCATE", timeout: float = 5) -> None:
    """Copy the write-ahead log of the database at ``path`` into the file (SQLite's checkpoint,
    ``mode`` PASSIVE, FULL, RESTART or TRUNCATE) on a connection of its own. Opened read-write
    without creating: a file moved or removed meanwhile is not made again, empty. A file that
    cannot be opened or is damaged is left as it is."""
    from models.paths import sqlite_uri
    try:
        conn = sqlite3.connect(sqlite_uri(path, "rw"), uri=True, timeout=timeout)
        try:
            conn.execute(f"PRAGMA wal_checkpoint({mode})")
        finally:
            conn.close()
    except sqlite3.Error:
        pass


_COPIES: dict[str, threading.Thread] = {}      # database path -> its background checkpoint
_COPIES_LOCK = threading.Lock()


def wait_for_checkpoints(path: str | os.PathLike | None = None) -> None:
    """Until the background checkpoints (``Store.checkpoint_afterwards``) of the database at
    ``path``, or of every database, have finished: before a file is replaced or moved (restore),
    and in ``Store.close`` unless the caller says the file stays in use (the window's import job)."""
    key = None if path is None else os.path.realpath(path)
    with _COPIES_LOCK:
        threads = [t for p, t in _COPIES.items() if key is None or p == key]
    for t in threads:
        t.join()
    with _COPIES_LOCK:
        for p, t in list(_COPIES.items()):
            if not t.is_alive():
                del _COPIES[p]


def is_busy(exc: BaseException) -> bool:
    """A SQLite error saying another connection holds the database past the busy timeout."""
    return isinstance(exc, sqlite3.OperationalError) and any(
        w in str(exc).lower() for w in ("database is locked", "database is busy", "database table is locked"))


def _uuid() -> str:
    return new_uuids(1)[0]


_uuid_lock = threading.Lock()
_COUNTER_HI = bytes(0x70 | (i >> 8) for i in range(4096))
_COUNTER_LO = bytes(range(256))
_VARIANT = bytes((b & 0x3F) | 0x80 for b in range(256))
_uuid_last = [0, -1]            # (milliseconds, counter) of the last UUID handed out
# where each of a UUID's 32 hex digits goes in its 36-character text form
_HEX_PLACES = tuple((i, i + (i >= 8) + (i >= 12) + (i >= 16) + (i >= 20)) for i in range(32))


def new_uuids(n: int) -> list[str]:
    """n version-7 UUIDs (RFC 9562): the time in milliseconds, a 12-bit counter, 62 random
    bits. Each is greater than the one before, so the UNIQUE index on ``uuid`` only grows at
    its end: a 100,000-row import writes it in about half the time of random (version 4)
    ones, the more so the larger the table already is."""
    import time
    with _uuid_lock:
        ms, seq = _uuid_last
        now = time.time_ns() // 1_000_000
        if now > ms:
            ms, seq = now, -1
        first = seq + 1                     # counter positions first .. first + n - 1, from ms
        end = first + n - 1
        _uuid_last[0], _uuid_last[1] = ms + (end >> 12), end & 0xFFF
    raw = bytearray(os.urandom(16 * n))
    k = 0
    while k < n:                            # bytes 0-5: the time, the same for a run of counters
        x = first + k
        run = min(n - k, 4096 - (x & 0xFFF))
        stamp = (ms + (x >> 12)).to_bytes(6, "big")
        for j in range(6):
            raw[16 * k + j:16 * (k + run):16] = stamp[j:j + 1] * run
        k += run
    lead = (first & 0xFFF)                  # bytes 6-7: version 7 and the 12-bit counter
    raw[6::16] = (_COUNTER_HI * (n // 4096 + 2))[lead:lead + n]
    raw[7::16] = (_COUNTER_LO * (n // 256 + 2))[lead & 0xFF:(lead & 0xFF) + n]
    raw[8::16] = bytes(raw[8::16]).translate(_VARIANT)                   # the RFC variant
    # the text form, a column of characters at a time: 8-4-4-4-12 hex digits, then a line end
    # to split on (a slice and an f-string per UUID took 1 µs each)
    h = raw.hex().encode("ascii")
    text = bytearray(37 * n)
    for src, dst in _HEX_PLACES:
        text[dst::37] = h[src::32]
    for dst in (8, 13, 18, 23):
        text[dst::37] = b"-" * n
    text[36::37] = b"\n" * n
    return text[:-1].decode("ascii").split("\n") if n else []
