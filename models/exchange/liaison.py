"""Office ↔ workstream liaison: 专班副本 (office → liaison) and 专班回报包 (liaison → office).

1. The office makes a copy for one workstream (``make_copy``): its whole database (the liaison
   reads everything, as a 专班填报员 does in the office), with every account switched off and
   its password removed, and ``liaison.copy`` in the settings: the copy's id, the workstream,
   the office's identity (``liaison.office_id``, made once per office database) and who made it.
   The office registers the copy in ``exchange_liaison_copy`` (a table of this module).
2. The liaison sets up their database from it (``import_copy``): the copy becomes their
   database, with one account, theirs (专班填报员 of that workstream: the guard triggers let it
   change only the workstream's records, and shared reference data); a second, untouched
   file beside it (``<db>.liaison/base.sqlite``, its SHA-256 in the settings) is the base the
   return is computed against. They log in with that account in the window or on the
   command line and work as usual.
3. The liaison makes a return (``make_return``): a consistent snapshot of their database is
   diffed against the base by SQLite's session extension (``liaison_changes``); the package's
   ``content.sqlite`` holds that changeset (old and new values), the ``uuid`` keys of the rows
   it names and the liaison's name. The snapshot then becomes the new base, so the next return
   carries only what changed after this one; each package sent is kept in
   ``<db>.liaison/sent/``.
4. The office applies it (``liaison_apply``).
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from models import campaign as _campaign
from models.db import Store
from models.exchange import PackageRefused, identity, package
from models.exchange.identity import COPY, copy_info  # noqa: F401 - what a liaison's copy is, kept with the unit

OFFICE_ID = "liaison.office_id"          # office: this office database's identity for its copies
COPY_SEQUENCE = "liaison.copy_sequence"  # office: copies made so far
BASE_SHA = "liaison.base_sha256"         # liaison: the base the next return is computed against
RETURN_SEQUENCE = "liaison.return_sequence"   # liaison: returns made so far
NO_PASSWORD = "（副本中不可登录）"
LIAISON_ROLE = "专班填报员"

def liaison_dir(db_path: str | os.PathLike) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".liaison")


def base_path(db_path: str | os.PathLike) -> Path:
    return liaison_dir(db_path) / "base.sqlite"


def office_identity(store: Store) -> dict:
    """This office database's identity for its copies, made on first use."""
    oid = store.get_setting(OFFICE_ID)
    if not oid:
        import uuid
        oid = str(uuid.uuid4())
        store.set_setting(OFFICE_ID, oid)
    unit = identity.unit(store)
    camp = _campaign.current(store)
    return {"id": oid, "name": unit.name or (camp.unit if camp else "") or "办公室"}


def _manifest(store: Store, kind: str, *, sequence: int, sender: str, now: _dt.datetime, counts: dict,
              content: Path, liaison: dict) -> dict:
    from models.version import VERSION
    unit = identity.unit(store)
    camp = _campaign.current(store)
    return {
        "format": package.FORMAT, "format_version": package.FORMAT_VERSION, "kind": kind,
        "program_version": VERSION, "schema_version": store.schema_version(),
        "township": {"name": unit.name, "code": unit.code},
        "county": {"name": unit.county_name, "code": unit.county_code},
        "campaign": {"name": camp.name if camp else "", "unit": camp.unit if camp else ""},
        "as_of": now.isoformat(), "sequence": sequence, "sender": sender,
        "created_at": _dt.datetime.now().isoformat(timespec="seconds"),
        "counts": counts, "figures": {}, "full_ids": True,
        "content": {"name": package.CONTENT, "bytes": content.stat().st_size, "sha256": package.file_sha256(content)},
        "liaison": liaison,
    }


def _sender(store: Store) -> str:
    a = store.actor
    return (a.display_name or a.username) if a is not None and not a.is_system else store.user


# -- 1. the office makes a copy ---------------------------------------------------------------
def make_copy(store: Store, out: str | os.PathLike, workstream: str, *, now: _dt.datetime | None = None) -> dict:
    """Write the 专班副本 of ``workstream`` to ``out``. Returns a summary."""
    from models.backup import backup_to
    t0 = time.perf_counter()
    out = Path(out)
    now = (now or _dt.datetime.now()).replace(microsecond=0)
    if identity.is_county(store):
        raise PackageRefused("这是县级汇总数据库，不制作专班副本")
    if copy_info(store) is not None:
        raise PackageRefused("这是联络员的专班副本数据库，不能再制作专班副本")
    ws = store.one("SELECT id, uuid, name FROM workstream WHERE name = ?", ((workstream or "").strip(),))
    if ws is None:
        names = "、".join(r["name"] for r in store.query("SELECT name FROM workstream ORDER BY sort, id"))
        raise PackageRefused(f"没有名为“{workstream}”的专班（现有：{names or '无'}）")
    if _campaign.current(store) is None:
        raise PackageRefused("本数据库中还没有专项行动，无可交给联络员的数据")
    if not out.parent.is_dir():
        raise PackageRefused(f"保存专班副本的文件夹不存在：{out.parent}")
    office = office_identity(store)
    sequence = int(store.get_setting(COPY_SEQUENCE, 0) or 0) + 1
    import uuid
    copy_id = str(uuid.uuid4())
    sender = _sender(store)
    info = {"copy_id": copy_id, "sequence": sequence, "office": office,
            "workstream": {"id": ws["id"], "uuid": ws["uuid"], "name": ws["name"]},
            "made_at": now.isoformat(), "made_by": sender}
    with tempfile.TemporaryDirectory(prefix="qq-liaison-", dir=out.parent) as tmp:
        raw, content = Path(tmp) / "raw.sqlite", Path(tmp) / package.CONTENT
        backup_to(store.conn, raw, files=False)     # the copy travels without the evidence files
        conn = sqlite3.connect(str(raw), isolation_level=None)
        try:
            _quiet_functions(conn)          # the copy's own set-up: the triggers do nothing
            conn.execute("BEGIN")
            conn.execute("UPDATE account SET active = 0, pw_hash = ?, failed_count = 0, locked_until = NULL",
                         (NO_PASSWORD,))
            conn.execute("INSERT INTO setting(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                         "excluded.value", (COPY, json.dumps(info, ensure_ascii=False)))
            conn.execute("DELETE FROM exchange_liaison_clash") if _has(conn, "exchange_liaison_clash") else None
            conn.execute("COMMIT")
            conn.execute("VACUUM INTO ?", (str(content),))
        finally:
            conn.close()
        from models.exchange.export import record_counts
        c = sqlite3.connect(str(content))
        try:
            counts = record_counts(c)
        finally:
            c.close()
        manifest = _manifest(store, "liaison_copy", sequence=sequence, sender=sender, now=now, counts=counts,
                             content=content, liaison=info)
        staged = Path(tmp) / "package.part"
        package.write(staged, manifest, content)
        note = {"专班副本": out.name, "专班": ws["name"], "序号": sequence, "副本编号": copy_id,
                "完整号码": True}     # the liaison works on the records: the copy is the office's data as it is
        with store.tx(reason="制作专班副本"):
            store.set_setting(COPY_SEQUENCE, sequence)
            store.execute("INSERT INTO exchange_liaison_copy(copy_id, sequence, workstream_id, workstream, made_at, "
                          "made_by, file) VALUES (?, ?, ?, ?, ?, ?, ?)",
                          (copy_id, sequence, ws["id"], ws["name"], now.isoformat(), sender, out.name))
            store.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, after, reason) "
                          "VALUES (qq_now(), qq_user(), 'exchange', NULL, 'export', ?, '专班副本')",
                          (json.dumps(note, ensure_ascii=False),))
            os.replace(staged, out)
    return {"kind": "liaison_copy", "workstream": ws["name"], "copy_id": copy_id, "sequence": sequence,
            "office": office["name"], "out": str(out), "bytes": out.stat().st_size,
            "seconds": round(time.perf_counter() - t0, 3)}


def _quiet_functions(conn: sqlite3.Connection) -> None:
    """The functions the triggers name, with bulk mode on: every trigger skips itself."""
    conn.create_function("qq_bulk", 0, lambda: 1)
    for name, n in (("qq_user", 0), ("qq_now", 0), ("qq_reason", 0), ("qq_uuid", 0), ("qq_today", 0),
                    ("qq_may_write", 3), ("qq_signed_ok", 3)):
        conn.create_function(name, n, lambda *a: 1)


def _has(conn, table: str) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    return found is not None


# -- 2. the liaison sets up their database ----------------------------------------------------
def import_copy(path: str | os.PathLike, db_path: str | os.PathLike, *, username: str, password: str,
                display_name: str = "") -> dict:
    """Make the liaison's database ``db_path`` (which must not exist) from the copy at ``path``,
    with one account (``username`` / ``password``, 专班填报员 of the copy's workstream)."""
    from models import access, migrations
    db_path = Path(db_path)
    pkg = package.read(path)
    name = pkg.name
    if pkg.kind != "liaison_copy":
        raise PackageRefused(f"这是{package.KIND_NAMES.get(pkg.kind, pkg.kind)}，不是专班副本，未导入：{name}")
    info = pkg.manifest.get("liaison") if isinstance(pkg.manifest.get("liaison"), dict) else {}
    if not info.get("copy_id") or not isinstance(info.get("workstream"), dict):
        raise PackageRefused(f"专班副本的清单未写明副本编号和专班，未导入：{name}")
    schema = pkg.manifest["schema_version"]
    if not isinstance(schema, int) or schema != migrations.LATEST:
        raise PackageRefused(f"专班副本的数据结构（第 {schema} 版）与本程序（第 {migrations.LATEST} 版）不同，"
                             f"未导入：{name}。请与办公室使用同一版本的清欠工作台")
    if db_path.exists():
        raise PackageRefused(f"数据库文件已存在：{db_path}（专班副本须导入为一个新的数据库文件）")
    username = (username or "").strip()
    if not username:
        raise PackageRefused("须用 --user 给出联络员账号的用户名（导入后用它登录）")
    if len(password or "") < 6:
        raise PackageRefused("联络员账号的密码至少 6 位")
    folder = liaison_dir(db_path)
    if folder.exists():
        raise PackageRefused(f"文件夹已存在：{folder}（它属于另一份专班副本，请换一个数据库文件名）")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    part = db_path.with_name(db_path.name + ".part")
    try:
        pkg.extract_content(part)
        conn = sqlite3.connect(str(part))
        try:
            inside = conn.execute("SELECT value FROM setting WHERE key = ?", (COPY,)).fetchone()
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError:
            inside, ok = None, "damaged"
        finally:
            conn.close()
        if ok != "ok" or inside is None or json.loads(inside[0]).get("copy_id") != info["copy_id"]:
            raise PackageRefused(f"专班副本中的数据库与清单不符，未导入：{name}")
        folder.mkdir(parents=True)
        shutil.copyfile(part, base_path(db_path))
        os.replace(part, db_path)
    except BaseException:
        part.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True) if folder.exists() and not db_path.exists() else None
        raise
    store = Store(db_path, username)
    try:
        ws = store.one("SELECT id, name FROM workstream WHERE uuid = ?", (info["workstream"].get("uuid"),))
        if ws is None:
            raise PackageRefused(f"专班副本中没有它所写的专班“{info['workstream'].get('name')}”，未导入：{name}")
        with access.as_system(store), store.tx(reason="导入专班副本"):
            store.execute("UPDATE account SET active = 0 WHERE active = 1")
            store.execute("DELETE FROM account WHERE username = ?", (username,))
            access.create_account(store, username, password, LIAISON_ROLE, display_name or username, ws["id"])
            store.set_setting(BASE_SHA, package.file_sha256(base_path(db_path)))
            store.set_setting(RETURN_SEQUENCE, 0)
    except BaseException:
        store.close()
        for f in (db_path, db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")):
            f.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    store.close()
    return {"kind": "liaison_copy", "db": str(db_path), "workstream": ws["name"], "copy_id": info["copy_id"],
            "office": (info.get("office") or {}).get("name", ""), "user": username}


# -- 3. the liaison makes a return ------------------------------------------------------------
def make_return(store: Store, out: str | os.PathLike, *, now: _dt.datetime | None = None) -> dict:
    """Write the 专班回报包 (the liaison's changes since the copy or the last return) to ``out``."""
    import apsw
    from models import access
    from models.backup import backup_to
    from models.exchange import liaison_changes as lc
    t0 = time.perf_counter()
    out = Path(out)
    now = (now or _dt.datetime.now()).replace(microsecond=0)
    info = copy_info(store)
    if info is None:
        raise PackageRefused("这不是专班副本数据库：专班回报包只能由联络员在导入专班副本后的数据库中制作")
    actor = store.actor
    if actor is None or actor.role != LIAISON_ROLE:
        raise PackageRefused("专班回报包须由联络员账号制作（用 --user 登录）")
    base = base_path(store.path)
    if not base.is_file() or package.file_sha256(base) != store.get_setting(BASE_SHA):
        raise PackageRefused(f"找不到专班副本的原始数据，或它已被改动：{base}。无法算出改动，请向办公室重新领取专班副本")
    if not out.parent.is_dir():
        raise PackageRefused(f"保存回报包的文件夹不存在：{out.parent}")
    sequence = int(store.get_setting(RETURN_SEQUENCE, 0) or 0) + 1
    folder = liaison_dir(store.path)
    snapshot = folder / "next-base.sqlite"
    backup_to(store.conn, snapshot, files=False)    # one consistent picture: diffed now, the base after
    try:
        conn = apsw.Connection(str(snapshot), flags=apsw.SQLITE_OPEN_READONLY)
        try:
            conn.execute("ATTACH DATABASE ? AS base", (str(base),))
            raw = lc.diff(str(snapshot), str(base), str(folder / "scratch.sqlite"))
            changeset, keys, counts, stamps = lc.facts(conn, raw)
        finally:
            conn.close()
        if not counts:
            raise PackageRefused("自领取专班副本（或上次交回）以来没有改动，无需制作回报包")
        liaison = {"copy_id": info["copy_id"], "office": info.get("office") or {}, "workstream": info["workstream"],
                   "user": actor.username, "name": actor.display_name or actor.username,
                   "base_sha256": store.get_setting(BASE_SHA)}
        with tempfile.TemporaryDirectory(prefix="qq-liaison-", dir=out.parent) as tmp:
            content = Path(tmp) / package.CONTENT
            c = sqlite3.connect(str(content))
            try:
                lc.content_schema(c)
                c.executemany("INSERT INTO liaison_return(key, value) VALUES (?, ?)",
                              [(k, json.dumps(v, ensure_ascii=False)) for k, v in liaison.items()])
                c.execute("INSERT INTO liaison_changeset(id, data) VALUES (1, ?)", (changeset,))
                c.executemany("INSERT INTO liaison_key(tbl, id, uuid) VALUES (?, ?, ?)", keys)
                c.executemany("INSERT INTO liaison_stamp(tbl, id, col, value) VALUES (?, ?, ?, ?)", stamps)
                c.commit()
            finally:
                c.close()
            manifest = _manifest(store, "liaison_return", sequence=sequence, sender=liaison["name"], now=now,
                                 counts=counts, content=content, liaison=liaison)
            staged = Path(tmp) / "package.part"
            package.write(staged, manifest, content)
            sent = folder / "sent"
            sent.mkdir(exist_ok=True)
            shutil.copyfile(staged, sent / f"{sequence:04d}-{out.name}")
            with access.as_system(store), store.tx(reason="制作专班回报包"):
                store.set_setting(RETURN_SEQUENCE, sequence)
                store.set_setting(BASE_SHA, package.file_sha256(snapshot))
                store.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, after, reason) "
                              "VALUES (qq_now(), ?, 'exchange', NULL, 'export', ?, '专班回报包')",
                              (actor.username, json.dumps({"专班回报包": out.name, "序号": sequence,
                                                           "改动": sum(counts.values())}, ensure_ascii=False)))
                os.replace(staged, out)
                os.replace(snapshot, base)
    finally:
        snapshot.unlink(missing_ok=True)
        (folder / "scratch.sqlite").unlink(missing_ok=True)
    return {"kind": "liaison_return", "workstream": info["workstream"]["name"], "sequence": sequence,
            "liaison": liaison["name"], "changes": counts, "out": str(out), "bytes": out.stat().st_size,
            "seconds": round(time.perf_counter() - t0, 3)}
