"""The office applies a 专班回报包, and decides the clashes it leaves.

Checks first (``PackageRefused``, nothing changed): the archive, the manifest's seal and the
content's SHA-256 (``package``); the kind; the office it was made for (``liaison.office_id``);
the copy it comes from (registered in ``exchange_liaison_copy``); its place in the line
(``_in_line``: the next number for that copy, made after the return the office applied last;
the same package twice, one skipped, a return replacing one the office applied, or one made
after a return the office did not apply is refused, saying what the liaison does next: make
#N again with ``--again N``, or export what follows the return applied with ``--after code``);
the schema.

Then, after an automatic backup, in one transaction on an APSW connection to the office's
database: the changeset is rewritten from the liaison's row ids to the office's (by ``uuid``:
rows both sides have keep the office's id; a row the liaison added keeps its id where the
office has no such id, else gets the next free one; foreign keys follow) and applied by
SQLite's ``sqlite3changeset_apply``. The office's triggers run as in any edit: the guard
triggers judge every change as the liaison's account would be judged (a change outside the
liaison's workstream refuses the whole package), the audit triggers write every change under
the liaison's name; ``models.ledger.effects`` then keeps the cases' totals, the repayments'
effect on workers and cases, and the search indexes, as for every write. SQLite calls the conflict
handler for each clash:

- ``DATA``: the office changed a field the liaison also changed (or changed a record the liaison
  deleted). Where the office already holds the liaison's values the change is counted
  unchanged; otherwise it is kept in ``exchange_liaison_clash`` (field, the copy's value, the
  office's value, the liaison's value) for the office to decide, and the office's values stay;
- ``NOTFOUND``: the office deleted the record outright: a deletion is already done; an edit is
  kept as a clash that only the office's side can win;
- ``CONFLICT``: an added record the office already has (the same values: unchanged; else a
  clash); ``CONSTRAINT`` (e.g. both added a case with the same 编号): a clash;
- ``FOREIGN_KEY``: refused (the liaison's records point at something the office no longer has).

Before any of it, every row the return adds or changes in a declared ledger is judged by that
ledger's rules as a typed record is (``models.exchange.liaison_checks``: the field kinds, the
declaration's checks, the ledger's write service; a repayment not dated after today; nobody
paid more than owed once applied; what the return itself recycles or lowers counted before
what it adds): one bad row refuses the whole return, naming the 专班, the ledger, the record
and the field, and nothing is written.

Afterwards the stamps (``updated_at``, ``last_activity_on``) of the records changed take the
later of the office's and the liaison's.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from models.db import Store, now_text
from models.exchange import PackageRefused, package
from models.exchange.liaison import LIAISON_ROLE, OFFICE_ID, redo_hint, return_code
from models.exchange.liaison_checks import ReturnCheck
from models.exchange.liaison_ids import office_changeset
from models.ledger import effects

KIND_LABELS = {"update": "双方都改过", "delete": "办公室改过、联络员删除", "missing": "办公室已删除",
               "insert": "新增记录与办公室的记录冲突"}


def _conn(store: Store, actor, reason: str):
    """An APSW connection to the office database, with the functions the triggers call: who
    acts (the liaison), the time, the reason, and the write rule judged for ``actor``."""
    import apsw
    from models.access import may_write
    from models.db import _uuid
    conn = apsw.Connection(str(store.path))
    conn.set_busy_timeout(10000)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA recursive_triggers = ON")
    denial = {"why": ""}

    def may(table, ws, rid):
        ok, why = may_write(actor, table, ws, rid)
        if not ok:
            denial["why"] = why
        return 1 if ok else 0
    today = (store.today or _dt.date.today()).isoformat()
    for name, fn, n in (("qq_user", lambda: actor.username, 0), ("qq_bulk", lambda: 0, 0),
                        ("qq_now", now_text, 0), ("qq_reason", lambda: reason, 0), ("qq_uuid", _uuid, 0),
                        ("qq_may_write", may, 3), ("qq_signed_ok", lambda *a: 1, 3), ("qq_today", lambda: today, 0)):
        conn.create_scalar_function(name, fn, n)
    return conn, denial


def _liaison_actor(store: Store, info: dict, workstream_id: int | None):
    """The liaison as the office's triggers see them: the write rule of a 专班填报员 of their
    workstream, and their name in the audit log, marked as a name a package gave: the liaison
    chose it in their copy, so it may be anybody's (an office account's among them). No account
    of the office has this actor."""
    from models.access import Actor
    ws = store.query("SELECT name FROM workstream WHERE id = ?", (workstream_id,))
    name = " ".join(str(info.get("name") or info.get("user") or "联络员").split())[:40] or "联络员"
    # username: as the audit log keeps it (qq_user, Store.user); display_name: the name as the
    # liaison gave it (messages, the clash list)
    return Actor(-1, f"{name}（回报包）", name, LIAISON_ROLE, workstream_id, ws[0]["name"] if ws else "")


def _reopen(store: Store) -> None:
    """The store's own connection again, after the apply (see ``apply_return``)."""
    store.conn = sqlite3.connect(str(store.path), timeout=10, isolation_level=None, check_same_thread=False)
    store.conn.row_factory = sqlite3.Row
    store._configure()
    store._sudb = None


def _check(store: Store, pkg: package.Package) -> tuple[dict, sqlite3.Row]:
    from models import migrations
    m, name = pkg.manifest, pkg.path.name
    if pkg.kind != "liaison_return":
        raise PackageRefused(f"这是{package.KIND_NAMES.get(pkg.kind, pkg.kind)}，办公室在这里只接收专班回报包，未接收：{name}")
    info = m.get("liaison") if isinstance(m.get("liaison"), dict) else {}
    office = info.get("office") if isinstance(info.get("office"), dict) else {}
    mine = store.get_setting(OFFICE_ID)
    if not mine or office.get("id") != mine:
        raise PackageRefused(f"这个回报包来自另一个办公室（{office.get('name') or '未写明'}）发出的专班副本，"
                             f"不是本数据库发出的，未接收：{name}")
    rows = store.query("SELECT * FROM exchange_liaison_copy WHERE copy_id = ?", (str(info.get("copy_id")),))
    row = rows[0] if rows else None
    if row is None:
        raise PackageRefused(f"这个回报包所依据的专班副本不是本数据库发出的（或已作废），未接收：{name}")
    seq = m["sequence"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise PackageRefused(f"回报包的序号“{seq}”无效，未接收：{name}")
    _in_line(pkg, info, row, seq)
    if m["schema_version"] != migrations.LATEST:
        raise PackageRefused(f"回报包的数据结构（第 {m['schema_version']} 版）与本程序（第 {migrations.LATEST} 版）不同，"
                             f"未接收：{name}")
    return info, row


def _in_line(pkg: package.Package, info: dict, row, seq: int) -> None:
    """A return is applied once, in its place in the line: the next number, made after the
    return the office applied last (``after``, the SHA-256 of that package; "" the copy). A
    return made again replaces a refused one under its number; a return the office has applied
    is never replaced. Each refusal says what the liaison does next."""
    from models.exchange.liaison import after_command, again_command, return_code, since
    name, ws, done = pkg.path.name, row["workstream"], row["returns"]
    last_sha = row["last_return_sha256"] or ""
    when = str(row["last_return_at"] or "")[:16].replace("T", " ")
    applied = return_code(done, last_sha) if done and last_sha else ""
    replaces = info.get("replaces") if isinstance(info.get("replaces"), list) else []
    if seq <= done:
        if pkg.sha256 == last_sha or seq < done and last_sha not in replaces:
            raise PackageRefused(f"{ws}第 {seq} 号回报包此前已应用（办公室已依次应用到第 {done} 号，{when}），"
                                 f"再次导入不作改动：{name}")
        if last_sha and last_sha in replaces:
            # the liaison made it again, to replace a return they thought refused: the office applied it
            raise PackageRefused(
                f"这是联络员重新导出的{ws}第 {seq} 号回报包，它要替换的第 {done} 号办公室已于 {when} 应用"
                f"（代码 {applied}），已应用的回报包不能替换，未接收，不作改动。请联络员用“{after_command(applied)}”"
                f"导出办公室已应用的第 {done} 号之后的全部改动（作为第 {done + 1} 号）交来：{name}")
        hint = (f"联络员如还有未交回的改动，请用“{after_command(applied)}”导出已应用的第 {done} 号之后的全部改动"
                if applied else "联络员此后的回报包须接在已应用的那一份之后")
        raise PackageRefused(f"{ws}第 {seq} 号回报包办公室已应用过另一份（代码 {applied or '未记录'}，{when}），"
                             f"同一号只应用一份，这一份未接收，不作改动。{hint}：{name}")
    if seq != done + 1:
        raise PackageRefused(
            f"{ws}的回报包应依次应用：尚缺第 {done + 1} 号，这是第 {seq} 号，未接收，不作改动。请先应用第 {done + 1} 号；"
            f"若第 {done + 1} 号已被拒收或遗失，请联络员用“{again_command(done + 1)}”（窗口：数据交换 → 重新导出"
            f"被拒收的回报包）重新导出第 {done + 1} 号：它包含{since(done)}的全部改动，这个第 {seq} 号随之作废，"
            f"不必再交：{name}")
    follows = info.get("after")
    if follows is None:
        return                          # made by an earlier version: it does not say
    if follows != (last_sha if done else ""):
        if done and last_sha:
            hint = (f"办公室应用的第 {done} 号是代码 {applied} 的那一份（{when}）。请联络员用“{after_command(applied)}”"
                    f"重新导出：它包含该号之后的全部改动")
        else:
            hint = f"请联络员用“{again_command(seq)}”重新导出"
        raise PackageRefused(f"{ws}第 {seq} 号回报包接在办公室没有应用的另一份回报包之后，未接收，不作改动；"
                             f"{hint}：{name}")


def _read_content(pkg: package.Package, tmp: Path) -> tuple[bytes, dict, list]:
    path = pkg.extract_content(tmp / "content.sqlite")
    name = pkg.path.name
    try:
        c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            cs = c.execute("SELECT data FROM liaison_changeset WHERE id = 1").fetchone()
            keys = {(t, i): u for t, i, u in c.execute("SELECT tbl, id, uuid FROM liaison_key")}
            stamps = c.execute("SELECT tbl, id, col, value FROM liaison_stamp").fetchall()
            meta = {k: json.loads(v) for k, v in c.execute("SELECT key, value FROM liaison_return")}
        finally:
            c.close()
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise PackageRefused(f"回报包的内容无法读取，未接收：{name}") from exc
    if cs is None:
        raise PackageRefused(f"回报包中没有改动集，未接收：{name}")
    if meta.get("copy_id") != pkg.manifest["liaison"].get("copy_id"):
        raise PackageRefused(f"回报包的内容与清单不符，未接收：{name}")
    return bytes(cs[0]), keys, stamps


def _label(table: str) -> str:
    from models.ledgers.audit import TABLE_LABELS
    return dict(TABLE_LABELS).get(table, table)


def ledger_fields(table: str) -> dict:
    from models.ledger import registry
    ledger = registry.by_table(table)
    return {f.name: f for f in (ledger.fields if ledger else ())}


def _text(field, value) -> str:
    if value is None or value == "":
        return "（空）"
    if field is not None:
        try:
            return field.format(value) or "（空）"
        except Exception:  # noqa: BLE001 - a value of an unexpected type shows as it is
            pass
    return str(value)


def _plain(v: Any) -> Any:
    import apsw
    if v is apsw.no_change:
        return None
    if isinstance(v, bytes):
        return v.hex()
    return v


def apply_return(store: Store, path: str | os.PathLike, *, now: _dt.datetime | None = None,
                 backup: bool = True) -> dict:
    """Check and apply the 专班回报包 at ``path`` to the office database ``store`` (its lock held,
    its acting account set by the caller, no transaction open). Returns {kind, township,
    workstream, liaison, sequence, added, changed, unchanged, conflicts, backup, seconds}.

    The changeset is applied through APSW, whose SQLite is not the one Python's ``sqlite3``
    module uses. Two SQLite libraries must never hold the same file open in one process (their
    POSIX locks do not see each other: one would reset the other's write-ahead log), so the
    store's own connection is closed for the length of the apply and opened again afterwards;
    no other connection of this process may have the file open meanwhile (the command line
    has none; a window would run this in a process of its own)."""
    from models.backup import auto_backup
    t0 = time.perf_counter()
    pkg = package.read(path)
    info, copy = _check(store, pkg)
    with tempfile.TemporaryDirectory(prefix="qq-liaison-") as tmp:
        raw, keys, stamps = _read_content(pkg, Path(tmp))
    actor = _liaison_actor(store, info, copy["workstream_id"])
    seq = pkg.manifest["sequence"]
    reason = (f"专班回报包：{copy['workstream']}第 {seq} 号（联络员 {actor.display_name}，"
              f"{store.user} 接收）")
    kept = auto_backup(store.conn, store.path, f"liaison-{copy['sequence']}-{seq}") if backup else None
    if store.conn.in_transaction:
        raise RuntimeError("apply_return needs the store without an open transaction")
    store.conn.close()
    try:
        return _apply(store, pkg, info, copy, actor, reason, raw, keys, stamps, kept, now, t0)
    finally:
        _reopen(store)


def _apply(store, pkg, info, copy, actor, reason, raw, keys, stamps, kept, now, t0) -> dict:
    import apsw
    name = pkg.path.name
    seq = pkg.manifest["sequence"]
    conn, denial = _conn(store, actor, reason)
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    clashes: list[dict] = []
    omitted = {"INSERT": 0, "UPDATE": 0, "DELETE": 0}
    cols_cache: dict[str, list[str]] = {}

    def cols(table):
        if table not in cols_cache:
            cols_cache[table] = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
        return cols_cache[table]

    def clash(kind: str, ch, current) -> None:
        c = cols(ch.name)
        fields = []
        src = ch.new if ch.op != "DELETE" else ch.old
        for i, col in enumerate(c):
            if i == 0 or col == "uuid" and ch.op == "UPDATE":
                continue
            liaison_v = ch.new[i] if ch.new is not None else None
            base_v = ch.old[i] if ch.old is not None else None
            if ch.op == "UPDATE" and liaison_v is apsw.no_change:
                continue
            if ch.op == "DELETE":
                liaison_v = None
            if ch.op == "INSERT" and src[i] is apsw.no_change:
                continue
            office_v = current[i] if current is not None else None
            fields.append({"field": col, "base": _plain(base_v), "office": _plain(office_v),
                           "liaison": _plain(liaison_v)})
        pk = (ch.old if ch.op != "INSERT" else ch.new)[0]
        uuid = None
        if "uuid" in c:
            ui = c.index("uuid")
            uuid = next((r[ui] for r in (current, ch.new, ch.old)
                         if r is not None and r[ui] is not apsw.no_change), None)
        clashes.append({"table": ch.name, "record_id": pk if pk is not None and pk >= 0 else None,
                        "record_uuid": uuid, "op": ch.op.lower(), "kind": kind, "fields": fields})

    def on_conflict(why: int, ch) -> int:
        answer = _resolve(why, ch)
        if answer == apsw.SQLITE_CHANGESET_OMIT:
            omitted[ch.op] += 1
        return answer

    def _resolve(why: int, ch) -> int:
        cur = ch.conflict
        if why == apsw.SQLITE_CHANGESET_FOREIGN_KEY or denial["why"]:
            return apsw.SQLITE_CHANGESET_ABORT          # a guard trigger refused: the liaison may not
        if why == apsw.SQLITE_CHANGESET_NOTFOUND:
            if ch.op == "DELETE":
                counts["unchanged"] += 1
            else:
                clash("missing", ch, None)
            return apsw.SQLITE_CHANGESET_OMIT
        if why == apsw.SQLITE_CHANGESET_DATA and ch.op == "UPDATE":
            if all(v is apsw.no_change or v == cur[i] for i, v in enumerate(ch.new)):
                counts["unchanged"] += 1
            else:
                clash("update", ch, cur)
            return apsw.SQLITE_CHANGESET_OMIT
        if why == apsw.SQLITE_CHANGESET_DATA:
            clash("delete", ch, cur)
            return apsw.SQLITE_CHANGESET_OMIT
        if why == apsw.SQLITE_CHANGESET_CONFLICT and cur is not None and tuple(cur) == tuple(ch.new):
            counts["unchanged"] += 1
            return apsw.SQLITE_CHANGESET_OMIT
        clash("insert", ch, cur)
        return apsw.SQLITE_CHANGESET_OMIT

    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            office_cs, mapper, notes = office_changeset(conn, raw, keys)
            counts["unchanged"] += notes["same"]
            # the ledgers' rules, as for a typed record: a bad row refuses the whole return
            rules = ReturnCheck(conn, office_cs, workstream=copy["workstream"], liaison=actor.display_name,
                                sequence=seq, name=name, today=store.today or _dt.date.today())
            rules.before()
            total = {"INSERT": 0, "UPDATE": 0, "DELETE": 0}
            touched: dict[str, list] = {}
            for ch in apsw.Changeset.iter(office_cs):
                total[ch.op] += 1
                if effects.tracks(ch.name):
                    touched.setdefault(ch.name, []).append((ch.new if ch.op == "INSERT" else ch.old)[0])
            tracker = effects.Tracker(conn)     # roll-ups, repayments applied, search index
            for table, ids in touched.items():
                tracker.before(table, ids)
            try:
                try:
                    apsw.Changeset.apply(office_cs, conn, conflict=on_conflict)
                    tracker.after()
                finally:
                    tracker.close()
            except (apsw.ConstraintError, apsw.AbortError) as exc:
                if denial["why"]:
                    raise PackageRefused(f"回报包中有超出联络员权限的改动（{denial['why']}），整个回报包未接收，"
                                         f"办公室数据未作任何改动。请{redo_hint(seq, '撤回这些改动')}：{name}") from exc
                raise PackageRefused(f"回报包中的记录指向办公室已不存在的记录（如已删除的问题），整个回报包未接收，"
                                     f"办公室数据未作任何改动。请与联络员核对，由{redo_hint(seq, '删去或改正这些记录')}"
                                     f"：{name}") from exc
            rules.after()
            counts["added"] = total["INSERT"] - omitted["INSERT"]
            counts["changed"] = total["UPDATE"] + total["DELETE"] - omitted["UPDATE"] - omitted["DELETE"]
            for table, lid, col, value in stamps:
                oid = mapper.map.get((table, lid))
                if oid is not None and oid >= 0:
                    conn.execute(f'UPDATE "{table}" SET "{col}" = ? WHERE id = ? AND ("{col}" IS NULL OR "{col}" < ?)',
                                 (value, oid, value))
            at = now_text()
            for c in clashes:
                conn.execute("INSERT INTO exchange_liaison_clash(copy_id, return_seq, liaison, table_name, record_id, "
                             "record_uuid, op, kind, fields, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (copy["copy_id"], seq, actor.display_name, c["table"], c["record_id"], c["record_uuid"],
                              c["op"], c["kind"], json.dumps(c["fields"], ensure_ascii=False), at))
                c["id"] = conn.last_insert_rowid()
            received = (now or _dt.datetime.now()).replace(microsecond=0).isoformat()
            conn.execute("UPDATE exchange_liaison_copy SET returns = ?, last_return_at = ?, last_return_sha256 = ? "
                         "WHERE copy_id = ?", (seq, received, pkg.sha256, copy["copy_id"]))
            note = {"专班回报包": name, "专班": copy["workstream"], "序号": seq,
                    "代码": return_code(seq, pkg.sha256), "联络员": actor.display_name,
                    "接收人": store.user,
                    "新增": counts["added"], "修改": counts["changed"], "未变": counts["unchanged"],
                    "待裁定": len(clashes), "改编号": [f"{a}→{b}" for a, b in notes["renumbered"]]}
            conn.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, after, reason) "
                         "VALUES (qq_now(), ?, 'exchange', NULL, 'receive', ?, ?)",
                         (store.user, json.dumps(note, ensure_ascii=False), reason))
            conn.execute("COMMIT")
        except BaseException:
            if not conn.get_autocommit():
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    office = info.get("office") if isinstance(info.get("office"), dict) else {}
    return {"kind": "liaison_return", "township": pkg.township.get("name") or office.get("name") or "",
            "workstream": copy["workstream"],
            "liaison": actor.display_name, "sequence": seq, "code": return_code(seq, pkg.sha256), **counts,
            "conflicts": [describe(c) for c in clashes],
            "renumbered": [{"from": a, "to": b} for a, b in notes["renumbered"]], "backup": str(kept) if kept else None,
            "seconds": round(time.perf_counter() - t0, 3)}


def describe(c: dict) -> dict:
    """A clash as the command line and the window show it: per field the copy's value (base),
    the office's and the liaison's, as stored and as a person reads them; ``conflict`` marks a
    field both sides changed to different values, ``differs`` any field whose two values differ."""
    table = c.get("table") or c["table_name"]
    known = ledger_fields(table)
    fields = c["fields"] if isinstance(c["fields"], list) else json.loads(c["fields"])
    out = []
    for f in fields:
        fd = known.get(f["field"])
        office_changed = c["op"] != "insert" and f["office"] != f["base"]
        out.append({**f, "label": fd.label if fd is not None else f["field"],
                    "base_text": _text(fd, f["base"]), "office_text": _text(fd, f["office"]),
                    "liaison_text": _text(fd, f["liaison"]), "differs": f["office"] != f["liaison"],
                    "conflict": office_changed and f["office"] != f["liaison"]})
    return {"id": c.get("id"), "table": table, "table_label": _label(table), "record_id": c["record_id"],
            "record_uuid": c["record_uuid"], "op": c["op"], "kind": c["kind"],
            "kind_label": KIND_LABELS.get(c["kind"], c["kind"]),
            "liaison": c.get("liaison"), "decision": c.get("decision"), "fields": out}
