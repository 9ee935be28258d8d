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

Returns refused, and made again. Each return names the return it follows (``after``: the
SHA-256 of that package; empty after the copy), and the office applies a return only after the
one it names: the returns it applies are one unbroken line, each the difference from the state
the office already holds, so nothing is applied twice or left out. A refused return #N is made
again (``make_return(again=N)``; ``--again N``): a new #N, computed against the state after #N-1
and carrying everything since, replacing the #N refused and any sent after it (``replaces``).
Should the office have applied a different return than the liaison thinks (it applied the
first #N after all), it says which (its code, ``N-xxxxxxxx``), and the liaison exports what
follows that one (``make_return(after=code)``; ``--after``). For that, every return made is
logged (``liaison.returns``: number, SHA-256, the return it follows, the file) with the
changeset of the liaison's records it moved the base by (``<db>.liaison/history/``, a few KB):
any earlier state is rebuilt from the base by undoing and redoing those changesets.
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
RETURN_SEQUENCE = "liaison.return_sequence"   # liaison: the number of the return the base is the state of
RETURNS_LOG = "liaison.returns"          # liaison: every return made (see ``_log``)
HEAD = "liaison.head"                    # liaison: SHA-256 of the return the base is the state of ("" the copy)
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
        with store.tx(label="制作专班副本"):
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
        with access.as_system(store), store.tx(label="导入专班副本"):
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
def return_code(sequence: int, sha256: str) -> str:
    """How people name one return: its number and the start of its SHA-256 (1-3f9a2c1b)."""
    return f"{sequence}-{sha256[:8]}"


def again_command(sequence: int) -> str:
    return f"package export --for office --again {sequence}"


def after_command(code: str) -> str:
    return f"package export --for office --after {code}"


def since(done: int) -> str:
    """What a return made after the office applied #``done`` carries: everything since then."""
    return "领取专班副本以来" if done == 0 else f"办公室已应用的第 {done} 号之后"


def redo_hint(seq: int, fix: str = "改正") -> str:
    """What the liaison does with their return #``seq`` the office refused for what it holds
    (a sentence after "请")."""
    return (f"联络员在程序中{fix}后用“{again_command(seq)}”（窗口：数据交换 → 重新导出被拒收的回报包）"
            f"重新导出第 {seq} 号：它包含{since(seq - 1)}的全部改动，替换被拒收的第 {seq} 号"
            f"（此后另导出的各号随之作废，不必再交）")


def _log(store: Store) -> list[dict]:
    """The returns made from this copy: [{sha256, sequence, after, file, made_at, changes,
    changes_sha256, replaces}], oldest first. ``after`` is the SHA-256 of the return it follows
    ("" the copy; None unknown: the first return after returns made by an earlier version)."""
    log = store.get_setting(RETURNS_LOG, [])
    return log if isinstance(log, list) else []


def _chain(by_sha: dict, sha: str | None) -> list[dict]:
    """The returns from ``sha`` back to the copy, newest first; stops where the line is not
    known (a return an earlier version made)."""
    out = []
    while sha:
        e = by_sha.get(sha)
        if e is None:
            break
        out.append(e)
        sha = e.get("after")
    return out


EARLIER = ("此前的回报包由较早版本的清欠工作台制作，没有重新导出所需的记录，不能这样重新导出；"
           "请向办公室说明，重新领取专班副本")


def _find(log: list[dict], code: str) -> dict:
    text = (code or "").strip().lower()
    number, _sep, prefix = text.rpartition("-")
    if not prefix or any(ch not in "0123456789abcdef" for ch in prefix) or len(prefix) < 6 \
            or number and not number.isdigit():
        raise PackageRefused(f"回报包代码“{code}”的格式不对：应为办公室提示中的样子，如 1-3f9a2c1b")
    found = [e for e in log if e["sha256"].startswith(prefix) and (not number or e["sequence"] == int(number))]
    if not found:
        raise PackageRefused(f"本专班副本没有制作过代码为 {code} 的回报包（请核对办公室的提示）")
    if len(found) > 1:
        raise PackageRefused(f"代码 {code} 对应多个回报包，请写出办公室提示中的完整代码")
    return found[0]


def _plan(store: Store, again: int | None, after: str | None) -> dict:
    """Which return this one follows, its number, and which returns it replaces."""
    log = _log(store)
    by_sha = {e["sha256"]: e for e in log}
    last = int(store.get_setting(RETURN_SEQUENCE, 0) or 0)
    head = store.get_setting(HEAD)
    if head is None and last == 0:
        head = ""                       # nothing returned yet: the base is the copy
    if again is None and after is None:
        return {"after": head, "sequence": last + 1, "replaces": []}
    if head is None:
        raise PackageRefused(EARLIER)
    if after is not None:
        parent = _find(log, after)
        sequence, follows = parent["sequence"] + 1, parent["sha256"]
        if again is not None and again != sequence:
            raise PackageRefused(f"回报包 {after} 之后的是第 {sequence} 号，不是第 {again} 号：--again 与 --after "
                                 "只需给出一个（按办公室的提示）")
    else:
        if not isinstance(again, int) or again < 1:
            raise PackageRefused(f"要重新导出的回报包序号“{again}”无效：应为 1、2、3……")
        if again > last:
            raise PackageRefused(f"第 {again} 号回报包还没有导出过（已导出到第 {last} 号），无需重新导出："
                                 "不用 --again 即可导出下一号")
        sequence = again
        if sequence == 1:
            follows = ""
        else:
            prev = [e for e in _chain(by_sha, head) if e["sequence"] == sequence - 1]
            if not prev:
                raise PackageRefused(EARLIER)
            follows = prev[0]["sha256"]
    replaces = [e["sha256"] for e in _chain(by_sha, head) if e["sequence"] >= sequence]
    return {"after": follows, "sequence": sequence, "replaces": replaces}


def _history(store: Store, e: dict) -> bytes:
    path = liaison_dir(store.path) / "history" / str(e.get("changes") or "")
    if not e.get("changes") or not path.is_file() or package.file_sha256(path) != e.get("changes_sha256"):
        raise PackageRefused(f"第 {e['sequence']} 号回报包的改动记录缺失或已被改动（{path}），不能重新导出；"
                             "请向办公室说明，重新领取专班副本")
    return path.read_bytes()


def state_of(store: Store, target: str, out: Path) -> None:
    """Write to ``out`` the liaison's records as they were when the return ``target`` (its
    SHA-256; "" the copy) was made: the base (the state of the newest return) with the
    changesets of the returns made since their common ancestor undone, and those of the
    returns leading to ``target`` redone."""
    from models.exchange import liaison_changes as lc
    by_sha = {e["sha256"]: e for e in _log(store)}
    up = _chain(by_sha, store.get_setting(HEAD) or "")
    down = _chain(by_sha, target)
    ours = {e["sha256"] for e in up}
    theirs = {e["sha256"] for e in down}
    back_to_copy = (not up or up[-1].get("after") == "") and (not down or down[-1].get("after") == "")
    if not (ours & theirs or target in ours or back_to_copy):
        raise PackageRefused(EARLIER)       # the two lines meet only in returns an earlier version made
    undo, redo = [], []
    for e in up:
        if e["sha256"] in theirs:
            break
        undo.append(lc.invert(_history(store, e)))
    for e in down:
        if e["sha256"] in ours:
            break
        redo.append(_history(store, e))
    shutil.copyfile(base_path(store.path), out)
    try:
        lc.replay(str(out), undo + redo[::-1])
    except ValueError as exc:
        out.unlink(missing_ok=True)
        raise PackageRefused("按改动记录还原此前回报包时的数据失败，不能重新导出；请向办公室说明，重新领取专班副本") from exc


def make_return(store: Store, out: str | os.PathLike, *, now: _dt.datetime | None = None,
                again: int | None = None, after: str | None = None) -> dict:
    """Write the 专班回报包 (the liaison's changes since the copy or the last return) to ``out``.

    ``again=N``: the return #N made again, after the office refused it: computed against the
    state after #N-1 (the copy for #1), so it carries everything since, and replaces the #N
    made before and any return made after it. ``after=code``: the return that follows the
    return ``code`` (as the office names the one it applied: 2-3f9a2c1b), numbered after it."""
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
    plan = _plan(store, again, after)
    sequence, follows = plan["sequence"], plan["after"]
    redo = again is not None or after is not None
    folder = liaison_dir(store.path)
    snapshot = folder / "next-base.sqlite"
    earlier = folder / "earlier-base.sqlite"
    head = store.get_setting(HEAD)
    against = base
    try:
        if redo and follows != (head if head is not None else ""):
            state_of(store, follows, earlier)           # the state the office holds
            against = earlier
        backup_to(store.conn, snapshot, files=False)    # one consistent picture: diffed now, the base after
        conn = apsw.Connection(str(snapshot), flags=apsw.SQLITE_OPEN_READONLY)
        try:
            conn.execute("ATTACH DATABASE ? AS base", (str(against),))
            raw = lc.diff(str(snapshot), str(against), str(folder / "scratch.sqlite"))
            changeset, keys, counts, stamps = lc.facts(conn, raw)
        finally:
            conn.close()
        if not counts:
            if redo:
                since = "领取专班副本" if sequence == 1 else f"第 {sequence - 1} 号回报包"
                raise PackageRefused(f"自{since}以来没有改动，第 {sequence} 号回报包无内容可交；以后有改动时再用 "
                                     f"--again {sequence} 导出")
            raise PackageRefused("自领取专班副本（或上次交回）以来没有改动，无需制作回报包")
        liaison = {"copy_id": info["copy_id"], "office": info.get("office") or {}, "workstream": info["workstream"],
                   "user": actor.username, "name": actor.display_name or actor.username,
                   "base_sha256": store.get_setting(BASE_SHA) if against == base else package.file_sha256(against)}
        if follows is not None:
            liaison["after"] = follows      # the office applies it only after that return
        if plan["replaces"]:
            liaison["replaces"] = plan["replaces"]
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
            sha = package.file_sha256(staged)
            sent = folder / "sent"
            sent.mkdir(exist_ok=True)
            kept = sent / f"{sequence:04d}-{out.name}"
            if kept.exists():           # a return made again: the one it replaces stays
                kept = sent / f"{sequence:04d}-{sha[:8]}-{out.name}"
            shutil.copyfile(staged, kept)
            history = folder / "history"
            history.mkdir(exist_ok=True)
            moved = history / f"{sequence:04d}-{sha[:8]}.changeset"
            moved.write_bytes(raw)      # how this return moved the liaison's records: to rebuild states
            entry = {"sha256": sha, "sequence": sequence, "after": follows, "file": out.name,
                     "made_at": now.isoformat(), "changes": moved.name, "changes_sha256": package.file_sha256(moved),
                     "replaces": plan["replaces"]}
            note = {"专班回报包": out.name, "序号": sequence, "代码": return_code(sequence, sha),
                    "改动": sum(counts.values())}
            if redo:
                note["重新导出"] = True
            with access.as_system(store), store.tx(label="制作专班回报包"):
                store.set_setting(RETURN_SEQUENCE, sequence)
                store.set_setting(BASE_SHA, package.file_sha256(snapshot))
                store.set_setting(HEAD, sha)
                store.set_setting(RETURNS_LOG, [*_log(store), entry])
                store.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, after, reason) "
                              "VALUES (qq_now(), ?, 'exchange', NULL, 'export', ?, '专班回报包')",
                              (actor.username, json.dumps(note, ensure_ascii=False)))
                os.replace(staged, out)
                os.replace(snapshot, base)
    finally:
        snapshot.unlink(missing_ok=True)
        earlier.unlink(missing_ok=True)
        (folder / "scratch.sqlite").unlink(missing_ok=True)
    return {"kind": "liaison_return", "workstream": info["workstream"]["name"], "sequence": sequence,
            "code": return_code(sequence, sha), "again": redo,
            "replaced": [return_code(e["sequence"], e["sha256"]) for e in _log(store)
                         if e["sha256"] in plan["replaces"]],
            "liaison": liaison["name"], "changes": counts, "out": str(out), "bytes": out.stat().st_size,
            "seconds": round(time.perf_counter() - t0, 3)}


def return_text(summary: dict) -> str:
    """What the liaison is told of a return made (``make_return``'s summary), on the command
    line and in the window."""
    n = sum(summary["changes"].values())
    line = (f"已制作{summary['workstream']}第 {summary['sequence']} 号专班回报包：{summary['out']}"
            f"（代码 {summary['code']}，{n} 处改动，联络员 {summary['liaison']}）")
    if summary.get("again"):
        line += (f"。这是重新导出的第 {summary['sequence']} 号，包含办公室已应用的回报包之后的全部改动"
                 + (f"，替换此前导出的 {'、'.join(summary['replaced'])}（不必再交）" if summary["replaced"] else ""))
    return line


def again_request(text: str) -> dict:
    """What a liaison types after the office's refusal, as ``make_return``'s arguments: the
    number to make again ("1", "第 1 号" → again=1) or the code of the return the office
    applied ("1-3f9a2c1b" → after=…)."""
    t = (text or "").strip().replace(" ", "").removeprefix("第").removesuffix("号")
    if t.isdigit() and int(t) >= 1:
        return {"again": int(t)}
    if "-" in t:
        return {"after": t}
    raise PackageRefused(f"“{text}”不是回报包的序号（如 1）或代码（如 1-3f9a2c1b）：请按办公室拒收提示中的填写")
