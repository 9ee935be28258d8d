"""A township writes its 报送包 (kind ``report``).

The package carries the township's whole database as it stands, copied with SQLite's backup
interface (a consistent picture even while the window is open) and then, in the copy only:

- ID numbers, bank cards and phones masked exactly as the screen masks them
  (``models.rules.idcard``), unless the sender chose full numbers for 实名 checks
  (``full_ids``); every column the audit log masks is masked (by name, and every field a
  ledger declares sensitive), and the full-text indexes are rebuilt from the masked rows;
- the accounts' password hashes replaced (a county has no use for them);
- the audit log left out (the township's own record of who changed what stays with it);
- rebuilt with ``VACUUM INTO``, so no old value survives in the file's free pages.

The manifest also carries ``directives``: the township's state of each county 督办事项 it has
received (``models.exchange.dispatch.township_progress``), which the county records on receipt.

The township's own database changes only by its package counter (``exchange.sequence``) and an
audit row naming the package, its number and whether it carries full numbers.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from models import campaign as _campaign
from models.db import Store
from models.exchange import PackageRefused, identity, package

NO_PASSWORD = "（不随报送包发送）"


def _maskers():
    from models.rules.idcard import mask_bank_card, mask_id, mask_phone
    return {"id": mask_id, "card": mask_bank_card, "phone": mask_phone}


_STARS = "*" * 40


def mask_sql(kind: str, col: str) -> str:
    """SQL masking ``col`` as ``models.rules.idcard`` masks it (``qq_mask_<kind>``): a number
    already clean (ASCII letters and digits; a phone's digits only) by slicing in SQL, anything
    else through the Python function. ``tests/test_exchange_masking.py`` holds the two equal."""
    c = f'"{col}"'
    if kind == "phone":
        return (f"CASE WHEN length({c}) BETWEEN 8 AND 40 AND {c} NOT GLOB '*[^0-9]*' "
                f"THEN substr({c}, 1, 3) || substr('{_STARS}', 1, length({c}) - 7) || substr({c}, -4) "
                f"ELSE qq_mask_phone({c}) END")
    up = "upper" if kind == "id" else ""
    return (f"CASE WHEN length({c}) BETWEEN 11 AND 40 AND {c} NOT GLOB '*[^0-9A-Za-z]*' "
            f"THEN {up}(substr({c}, 1, 6)) || substr('{_STARS}', 1, length({c}) - 10) || {up}(substr({c}, -4)) "
            f"ELSE qq_mask_{kind}({c}) END")


def ledger_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables that hold records (every table with a ``uuid`` column), in name order."""
    out = []
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                "AND name NOT LIKE 'sqlite_%' ORDER BY name"):
        cols = {r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')}
        if "uuid" in cols and name != "exchange_township":
            out.append(name)
    return out


def record_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Records per table, not counting those in the recycle bin."""
    out = {}
    for t in ledger_tables(conn):
        cols = {r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')}
        where = " WHERE deleted_at IS NULL" if "deleted_at" in cols else ""
        out[t] = int(conn.execute(f'SELECT COUNT(*) FROM "{t}"{where}').fetchone()[0])
    return out


def sanitise_copy(path: Path, *, full_ids: bool) -> dict[str, int]:
    """Mask the copy at ``path`` in place (see the module's docstring). Returns the number of
    values masked per table. The triggers are set aside meanwhile (the copy is nobody's
    working database: masking is not an edit to audit or to date) and put back unchanged."""
    from models import audit
    conn = sqlite3.connect(str(path), isolation_level=None)
    # a throw-away copy (the package is made from it, then it is deleted): its changes are not
    # synced to disk, and their undo log is kept in memory (commit 0.5 s -> 0.1 s, 5,000 cases)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_mode = MEMORY")
    masked: dict[str, int] = {}
    try:
        conn.execute("BEGIN IMMEDIATE")
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for name, _sql in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        if not full_ids:
            maskers = _maskers()
            for kind, fn in maskers.items():
                conn.create_function(f"qq_mask_{kind}", 1, lambda v, fn=fn: fn(v) if v else v, deterministic=True)
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                                 "name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'")]
            for t in tables:
                if t == "audit_log":
                    continue                # masked where it stands since migration 8
                cols = {r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')}
                todo = {c: k for c, k in audit.masked_columns(t).items() if c in cols and k in maskers}
                if not todo:
                    continue
                sets = ", ".join(f'"{c}" = {mask_sql(k, c)}' for c, k in todo.items())
                cur = conn.execute(f'UPDATE "{t}" SET {sets} WHERE ' +
                                   " OR ".join(f"COALESCE(\"{c}\", '') != ''" for c in todo))
                masked[t] = cur.rowcount
            for (fts,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%' "
                                       "AND name NOT LIKE '%\\_chars' ESCAPE '\\'").fetchall():
                # the trigram indexes hold the numbers; the short-search index holds only names and text
                conn.execute(f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')')
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'account'").fetchone():
            conn.execute("UPDATE account SET pw_hash = ?", (NO_PASSWORD,))
        # the township's own history of who changed what stays with the township: the county
        # receives the ledgers (two thirds of a township's file is this log, and its time to send)
        conn.execute("DELETE FROM audit_log")
        for _name, sql in triggers:
            conn.execute(sql)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
    return masked


def attachment_members(store: Store, content: sqlite3.Connection) -> tuple[list[dict], list[tuple[str, Path]]]:
    """The attachment files the package's database names that are whole in the township's
    folder: the manifest's ``attachments`` list and the (member, path) pairs to write. A file
    missing or altered at the township is not carried (the county sees it as 文件缺失)."""
    from models import attachments
    folder = attachments.store_dir(store)
    listed, files = [], []
    for sha, size in sorted(attachments.referenced(content)):
        p = attachments.blob_path(folder, sha)
        if not p.is_file() or p.stat().st_size != size or attachments.sha256_of(p) != sha:
            continue
        member = package.attachment_member(sha)
        listed.append({"member": member, "sha256": sha, "bytes": size})
        files.append((member, p))
    return listed, files


def export_package(store: Store, out: str | os.PathLike, *, now: _dt.datetime | None = None,
                   full_ids: bool = False, sender: str | None = None) -> dict:
    """Write the township's 报送包 to ``out``. ``now``: the moment the data is taken as of (its
    date is the figures' today); the clock when not given. Returns a summary
    {kind, township, code, sequence, as_of, out, bytes, counts, full_ids, seconds}.
    Raises ``PackageRefused`` (nothing written, nothing changed) when the database cannot send."""
    from models import figures as _figures
    from models.backup import backup_to
    from models.version import VERSION
    t0 = time.perf_counter()
    out = Path(out)
    now = (now or _dt.datetime.now()).replace(microsecond=0)
    unit = identity.unit(store)
    if unit.level == identity.COUNTY:
        raise PackageRefused("这是县级汇总数据库，不制作乡镇报送包")
    if not unit.name or not unit.code or not unit.county_name:
        raise PackageRefused("本数据库尚未设定乡镇名称、乡镇代码和所属县：请在 package export 中用 "
                             "--township、--code、--county 给出（只需一次）")
    camp = _campaign.current(store)
    if camp is None:
        raise PackageRefused("本数据库中还没有专项行动，无可报送的数据")
    if not out.parent.is_dir():
        raise PackageRefused(f"保存报送包的文件夹不存在：{out.parent}")
    sequence = int(store.get_setting(identity.SEQUENCE, 0) or 0) + 1
    actor = store.actor
    sender = sender or (actor.display_name or actor.username if actor is not None else store.user)
    fig = _figures.figures(store, now.date())
    from models.exchange.dispatch import township_progress
    directives = township_progress(store, now.date())        # the 督办事项 received, and their progress
    with tempfile.TemporaryDirectory(prefix="qq-package-", dir=out.parent) as tmp:
        raw = Path(tmp) / "raw.sqlite"
        content = Path(tmp) / package.CONTENT
        backup_to(store.conn, raw, files=False)
        sanitise_copy(raw, full_ids=full_ids)
        conn = sqlite3.connect(str(raw), isolation_level=None)
        try:
            conn.execute("VACUUM INTO ?", (str(content),))
        finally:
            conn.close()
        conn = sqlite3.connect(str(content))
        try:
            counts = record_counts(conn)
            schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
            carried, files = attachment_members(store, conn)
        finally:
            conn.close()
        manifest = {
            "format": package.FORMAT, "format_version": package.FORMAT_VERSION, "kind": "report",
            "program_version": VERSION, "schema_version": schema,
            "township": {"name": unit.name, "code": unit.code},
            "county": {"name": unit.county_name, "code": unit.county_code},
            "campaign": {"name": camp.name, "unit": camp.unit, "start_date": camp.start_date,
                         "end_date": camp.end_date},
            "as_of": now.isoformat(), "sequence": sequence, "sender": sender,
            "created_at": _dt.datetime.now().isoformat(timespec="seconds"),
            "counts": counts, "figures": dict(fig.values), "full_ids": bool(full_ids),
            "content": {"name": package.CONTENT, "bytes": content.stat().st_size,
                        "sha256": package.file_sha256(content)},
            "directives": directives,
            "attachments": carried,
        }
        staged = Path(tmp) / "package.part"
        package.write(staged, manifest, content, files)
        note = {"报送包": out.name, "序号": sequence, "数据截至": now.isoformat(), "完整号码": bool(full_ids),
                "记录数": sum(counts.values())}
        with store.tx(label="制作报送包"):
            store.set_setting(identity.SEQUENCE, sequence)
            store.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, after, reason) "
                          "VALUES (qq_now(), qq_user(), 'exchange', NULL, 'export', ?, '报送')",
                          (json.dumps(note, ensure_ascii=False),))
            if full_ids:
                store.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, after, reason) "
                              "VALUES (qq_now(), qq_user(), 'worker', NULL, 'reveal', ?, '报送包含完整号码（实名核对）')",
                              (json.dumps({"显示": f"报送包 {out.name} 含完整身份证号码、银行卡号和电话"},
                                          ensure_ascii=False),))
            os.replace(staged, out)
    return {"kind": "report", "township": unit.name, "code": unit.code, "sequence": sequence,
            "as_of": now.isoformat(), "out": str(out), "bytes": out.stat().st_size, "counts": counts,
            "full_ids": bool(full_ids), "directives": len(directives["items"]), "attachments": len(carried),
            "seconds": round(time.perf_counter() - t0, 3)}
