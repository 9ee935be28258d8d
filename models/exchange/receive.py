"""A county receives a township's 报送包.

The county database keeps each township's latest package side by side, never mixed: the
township's database from the package is kept whole in ``<county>.townships/`` beside the
county database, named by township code and sequence (``511234101-000003.sqlite``), and the
county's ``exchange_township`` table (one row per township) says which file is current, with
the package's manifest facts and its own figures. A newer package replaces the township's
previous one: the new file is put in place under its own name, the register row is changed in
one transaction (after an automatic backup of the county database), and only then is the old
file removed; a failure at any point leaves the register naming a whole file.

Before anything is written the package is checked: whole archive, sealed manifest, format and
kind known, content matching its SHA-256, schema not newer than this program's, the county it
is for, the campaign, the township's name and code as registered, a sequence number newer than
the one held, and the figures in the manifest equal to the figures computed again from the
data it carries (as of the package's date), and so is its progress on the county's 督办事项
(the manifest's ``directives``, recorded in ``directive_progress``). Any failure raises
``PackageRefused`` with one Chinese line and changes nothing. The same package received again
changes nothing either.

The attachment files a package carries (``attachments/<sha256>`` members, listed in the
manifest's ``attachments``) are checked against their hashes and kept beside the township's
kept file, in ``<file>.files/``, where the township's database finds them.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

from models import migrations
from models.db import Store, _uuid
from models.exchange import PackageRefused, identity, package
from models.exchange.dispatch import record_progress
from models.exchange.export import ledger_tables


# the figures every 报送包 has carried since the first format: a package without one is refused
CARRIED_SINCE_FORMAT_1 = ("cases", "workers", "owed_fen", "paid_fen", "cleared_pct", "overdue", "stalled",
                          "major_open")


def _files_of(kept: Path) -> Path:
    from models.attachments import files_dir
    return files_dir(kept)


def _take_attachments(pkg: package.Package, final: Path) -> int:
    """The package's attachment files, kept beside the township's kept file (``<file>.files/``,
    the folder a database's attachments are in), each checked against its hash."""
    if not pkg.attachments():
        return 0
    return pkg.extract_attachments(_files_of(final))


def townships_dir(db_path: str | os.PathLike) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".townships")


def valid_code(code: str) -> bool:
    """A 行政区划代码 as a township's code: 6 to 12 ASCII digits (it names files and folders)."""
    return code.isascii() and code.isdigit() and 6 <= len(code) <= 12


MAX_SEQUENCE = 10 ** 9              # a township sends one package a day or so: beyond this, made by hand
MAX_SEQUENCE_STEP = 10_000          # and never thousands between two it sends (a forged one would lock it out)


def _refuse_foreign(store: Store, pkg: package.Package, row, retake: bool = False,
                    now: _dt.datetime | None = None) -> None:
    """``retake``: the package last received again, its kept file having been lost."""
    m = pkg.manifest
    me = identity.unit(store)
    name = pkg.name
    town = m["township"] or {}
    t_name, t_code = str(town.get("name") or ""), str(town.get("code") or "")
    county = m["county"] or {}
    if m["kind"] != "report":
        raise PackageRefused(f"这是{package.KIND_NAMES.get(m['kind'], m['kind'])}，县级数据库只接收乡镇报送包，未接收：{name}")
    if not t_name or not t_code:
        raise PackageRefused(f"报送包未写明乡镇名称和代码，未接收：{name}")
    if not valid_code(t_code):
        raise PackageRefused(f"报送包的乡镇代码“{t_code[:20]}”不是6至12位数字（行政区划代码），未接收：{name}")
    if len(t_name) > 60:
        raise PackageRefused(f"报送包的乡镇名称过长（{len(t_name)} 个字），未接收：{name}")
    if county.get("name") != me.name:
        raise PackageRefused(f"这是报给{str(county.get('name') or '（未写明）')[:30]}的报送包，不是报给{me.name}的，未接收：{name}")
    if me.code and county.get("code") and county.get("code") != me.code:
        raise PackageRefused(f"这是报给县代码 {str(county.get('code'))[:20]} 的报送包，本县代码是 {me.code}，未接收：{name}")
    if me.code and not t_code.startswith(me.code[:6]):
        raise PackageRefused(f"乡镇代码 {t_code} 不属于{me.name}（县代码 {me.code}），未接收：{name}")
    camp = (m["campaign"] or {}).get("name", "")
    if me.campaign and camp != me.campaign:
        raise PackageRefused(f"报送包属于专项行动“{camp}”，本县汇总的是“{me.campaign}”，未接收：{name}")
    if row is not None and row["campaign"] != camp:
        raise PackageRefused(f"{t_name}此前报送的是专项行动“{row['campaign']}”，这个报送包属于“{camp}”，未接收：{name}")
    if row is not None and row["name"] != t_name:
        raise PackageRefused(f"乡镇代码 {t_code} 已登记为{row['name']}，报送包却写的是{t_name}，未接收：{name}")
    other = store.one("SELECT code FROM exchange_township WHERE name = ? AND code != ?", (t_name, t_code))
    if other is not None:
        raise PackageRefused(f"{t_name}已以乡镇代码 {other['code']} 登记，报送包写的是 {t_code}，未接收：{name}")
    schema = m["schema_version"]
    if not isinstance(schema, int) or schema > migrations.LATEST:
        raise PackageRefused(f"报送包由更新版本的清欠工作台制作（数据结构第 {schema} 版，本程序只认识到第 "
                             f"{migrations.LATEST} 版），未接收：{name}。请先升级本程序")
    if not isinstance(m["sequence"], int) or m["sequence"] < 1:
        raise PackageRefused(f"报送包的序号“{m['sequence']}”无效，未接收：{name}")
    if row is not None and m["sequence"] <= row["sequence"] and not (retake and m["sequence"] == row["sequence"]):
        if str(m["as_of"]) > str(row["as_of"]):     # newer data under an old number: a restored database
            raise PackageRefused(
                f"{t_name}第 {m['sequence']} 号报送包的数据（截至 {str(m['as_of']).replace('T', ' ')}）比已接收的第 "
                f"{row['sequence']} 号新，序号却没有往后排：乡镇用的可能是旧的数据库文件或备份。请乡镇再制作"
                f"报送包，序号须大于第 {row['sequence']} 号（每制作一次加 1；用本程序“从备份恢复”的数据库"
                f"会接着原来的序号编号），未接收：{name}")
        raise PackageRefused(f"{t_name}第 {m['sequence']} 号报送包不新于已接收的第 {row['sequence']} 号"
                             f"（{row['as_of'].replace('T', ' ')}），未接收：{name}")
    try:
        as_of = _dt.datetime.fromisoformat(m["as_of"])
    except (TypeError, ValueError):
        raise PackageRefused(f"报送包的数据截至时间“{str(m['as_of'])[:30]}”无效，未接收：{name}") from None
    if as_of.date() > (now or _dt.datetime.now()).date() + _dt.timedelta(days=1):
        raise PackageRefused(f"报送包的数据截至 {as_of.date().isoformat()}，晚于今天（乡镇电脑的日期可能不对），未接收：{name}")
    if row is not None and not retake and as_of < _dt.datetime.fromisoformat(row["as_of"]):
        raise PackageRefused(f"{t_name}第 {m['sequence']} 号报送包的数据截至 {as_of.isoformat(sep=' ')}，早于已接收的第 "
                             f"{row['sequence']} 号（{row['as_of'].replace('T', ' ')}），未接收：{name}")
    if m["sequence"] > MAX_SEQUENCE or (row is not None and m["sequence"] > row["sequence"] + MAX_SEQUENCE_STEP):
        raise PackageRefused(f"报送包的序号 {m['sequence']} 不合常理（上一次是第 {row['sequence'] if row else 0} 号），"
                             f"可能已被改动，未接收：{name}")


def _check_content(pkg: package.Package, path: Path) -> dict:
    """The township database extracted to ``path``: a whole database of this program, of the
    schema, campaign and township the manifest says, whose figures are the manifest's. Brought
    up to this program's schema when older. Returns the figures computed."""
    from models import figures as _figures
    m = pkg.manifest
    name = pkg.name
    found = migrations.version_of(path)
    if found is None:
        raise PackageRefused(f"报送包中的数据不是清欠工作台的数据库，未接收：{name}")
    if found != m["schema_version"]:
        raise PackageRefused(f"报送包中的数据库与清单不符（数据结构第 {found} 版，清单写第 {m['schema_version']} 版），未接收：{name}")
    _check_counts(path, m["counts"], name)
    if found < migrations.LATEST:
        try:
            Store(path, "报送包接收", check=True).close()     # an older township's schema: upgraded in the copy
            conn = sqlite3.connect(str(path))
            try:
                conn.execute("PRAGMA journal_mode = DELETE")    # one file again, as it came
            finally:
                conn.close()
        except Exception as exc:  # noqa: BLE001
            raise PackageRefused(f"报送包中的数据库无法升级到本程序的数据结构（{exc}），未接收：{name}") from exc
        finally:
            shutil.rmtree(path.with_name(path.name + ".backups"), ignore_errors=True)
    try:
        store = Store(path, read_only=True)
    except Exception as exc:  # noqa: BLE001
        raise PackageRefused(f"报送包中的数据库无法打开（{exc}），未接收：{name}") from exc
    try:
        try:
            ok = store.scalar("PRAGMA quick_check")
        except sqlite3.DatabaseError as exc:
            ok = str(exc)
        if ok != "ok":
            raise PackageRefused(f"报送包中的数据库已损坏（{str(ok)[:80]}），未接收：{name}")
        camp = store.one("SELECT name FROM campaign WHERE is_current = 1 ORDER BY id DESC LIMIT 1")
        if camp is None or camp["name"] != (m["campaign"] or {}).get("name"):
            raise PackageRefused(f"报送包中的数据与清单写明的专项行动不符，未接收：{name}")
        code = store.get_setting(identity.UNIT_CODE)
        if code and code != m["township"].get("code"):
            raise PackageRefused(f"报送包中的数据属于乡镇代码 {code}，清单却写 {m['township'].get('code')}，未接收：{name}")
        if not m["full_ids"]:
            _refuse_full_numbers(store, name)
        day = _dt.datetime.fromisoformat(m["as_of"]).date()
        values = _figures.figures(store, day).values
    finally:
        store.conn.close()
    sent = m["figures"] if isinstance(m["figures"], dict) else {}
    # a package of an earlier program lacks the figures added since (shown as "—"); the county's
    # line figures it must carry, and every figure it carries must be the data's
    lacking = [k for k in CARRIED_SINCE_FORMAT_1 if k not in sent]
    if lacking:
        d = _figures.DEFINITIONS[lacking[0]]
        raise PackageRefused(f"报送包清单中缺少{d.name}等数字，未接收：{name}")
    differ = [k for k in values if k in sent and sent[k] != values[k]]
    if differ:
        d = _figures.DEFINITIONS[differ[0]]
        raise PackageRefused(f"报送包清单中的数字与其数据不符（如{d.name}：清单 {sent.get(differ[0])}，数据 "
                             f"{values[differ[0]]}），未接收：{name}")
    return values


def _check_counts(path: Path, counts: dict, name: str) -> None:
    """The manifest's record counts are the data's, table by table, as the township counted them
    (``export.record_counts``, before any upgrade here): a manifest edited and sealed again is
    refused like one whose figures differ."""
    from models.exchange.export import record_counts
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = record_counts(conn)
    except sqlite3.DatabaseError as exc:
        raise PackageRefused(f"报送包中的数据库已损坏（{str(exc)[:80]}），未接收：{name}") from None
    finally:
        conn.close()
    for table, n in counts.items():
        if found.get(table) != n:
            have = found.get(table, "无此表")
            raise PackageRefused(f"报送包清单中的记录数与其数据不符（{table}：清单 {n}，数据 {have}），未接收：{name}")


def _refuse_full_numbers(store: Store, name: str) -> None:
    """A package that says its numbers are partly hidden holds none in full: the county keeps
    what the manifest says (完整号码 否) and must not be holding whole ID numbers meanwhile."""
    from models import audit
    conn = store.conn
    for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                             "AND sql NOT LIKE 'CREATE VIRTUAL%' AND name != 'audit_log'").fetchall():
        cols = {r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')}
        for c in audit.masked_columns(t):
            # a masked number always shows stars; seven digits in a row without one is a whole number
            if c in cols and conn.execute(
                    f'SELECT 1 FROM "{t}" WHERE "{c}" NOT LIKE \'%*%\' '
                    f'AND "{c}" GLOB \'*[0-9][0-9][0-9][0-9][0-9][0-9][0-9]*\' LIMIT 1').fetchone():
                raise PackageRefused(f"报送包写明号码部分隐藏，其数据中却有完整号码（{t}.{c}），"
                                     f"可能已被改动，未接收：{name}")


def _check_directives(pkg: package.Package, path: Path) -> dict:
    """The township's progress on its county's 督办事项, read from the data the package carries
    (as of its date), and equal to the manifest's ``directives`` where the manifest has them
    (a package of a program before 下发 has none: then what the data says)."""
    from models.exchange.dispatch import township_progress
    store = Store(path, read_only=True)
    try:
        found = township_progress(store, _dt.datetime.fromisoformat(pkg.manifest["as_of"]).date())
    finally:
        store.conn.close()
    sent = pkg.manifest.get("directives")
    if sent is not None and sent != found:
        raise PackageRefused(f"报送包清单中的督办事项进展与其数据不符，未接收：{pkg.name}")
    return found


def compare(old: Path | None, new: Path) -> dict[str, dict[str, int]]:
    """Per table: records added, changed, unchanged and removed from ``old`` to ``new`` (two
    township databases), matched by ``uuid`` and compared column by column. A record in the
    recycle bin is not one of the township's records: moved there it counts as removed (not as
    changed), brought back as added, and one that stayed there is not counted."""
    from models.paths import sqlite_uri
    conn = sqlite3.connect(sqlite_uri(new.resolve()), uri=True)
    try:
        if old is not None:
            conn.execute("ATTACH DATABASE ? AS old", (sqlite_uri(old.resolve()),))
        old_tables = set(r[0] for r in conn.execute("SELECT name FROM old.sqlite_master WHERE type = 'table'")) \
            if old is not None else set()
        out = {}
        for t in ledger_tables(conn):
            new_cols = [r[1] for r in conn.execute(f'PRAGMA main.table_info("{t}")')]
            live_new = f'(SELECT * FROM main."{t}"{_LIVE if "deleted_at" in new_cols else ""})'
            n = int(conn.execute(f"SELECT COUNT(*) FROM {live_new}").fetchone()[0])
            if t not in old_tables:
                out[t] = {"added": n, "changed": 0, "unchanged": 0, "removed": 0}
                continue
            old_cols = {r[1] for r in conn.execute(f'PRAGMA old.table_info("{t}")')}
            live_old = f'(SELECT * FROM old."{t}"{_LIVE if "deleted_at" in old_cols else ""})'
            cols = ", ".join(f'"{c}"' for c in new_cols if c in old_cols)
            added = conn.execute(f"SELECT COUNT(*) FROM {live_new} WHERE uuid NOT IN (SELECT uuid FROM {live_old})").fetchone()[0]
            removed = conn.execute(f"SELECT COUNT(*) FROM {live_old} WHERE uuid NOT IN (SELECT uuid FROM {live_new})").fetchone()[0]
            changed = conn.execute(f"SELECT COUNT(*) FROM (SELECT {cols} FROM {live_new} WHERE uuid IN "
                                   f"(SELECT uuid FROM {live_old}) EXCEPT SELECT {cols} FROM {live_old})").fetchone()[0]
            out[t] = {"added": int(added), "changed": int(changed), "unchanged": n - int(added) - int(changed),
                      "removed": int(removed)}
        return out
    finally:
        conn.close()


_LIVE = " WHERE deleted_at IS NULL"


def _totals(diff: dict[str, dict[str, int]]) -> dict[str, int]:
    keys = ("added", "changed", "unchanged", "removed")
    return {k: sum(d[k] for d in diff.values()) for k in keys}


def receive_package(store: Store, path: str | os.PathLike, *, now: _dt.datetime | None = None,
                    backup: bool = True) -> dict:
    """Check the package at ``path`` and apply it to the county database ``store`` (its lock
    held and its acting account set by the caller). Returns a summary {kind, township, code,
    sequence, as_of, already_received, added, changed, unchanged, removed, tables, backup,
    seconds}. Raises ``PackageRefused`` with nothing changed."""
    from models.backup import auto_backup
    t0 = time.perf_counter()
    pkg = package.read(path)            # a damaged file is named as such, whichever database it was meant for
    if not identity.is_county(store):
        raise PackageRefused("这不是县级汇总数据库，不能接收乡镇报送包（县级数据库用 qingqian init --level county 建立）")
    m = pkg.manifest
    town = m["township"] if isinstance(m["township"], dict) else {}
    code = str(town.get("code") or "")
    row = store.one("SELECT * FROM exchange_township WHERE code = ?", (code,)) if code else None
    summary = {"kind": m["kind"], "township": town.get("name"), "code": code, "sequence": m["sequence"],
               "as_of": m["as_of"], "full_ids": bool(m["full_ids"])}
    same = row is not None and m["sequence"] == row["sequence"] and pkg.sha256 == row["package_sha256"]
    retake = same and not (townships_dir(store.path) / row["file"]).is_file()     # its kept file was lost
    if same and not retake:
        counts = json.loads(row["counts"] or "{}")
        n = sum(counts.values())
        return {**summary, "already_received": True, "added": 0, "changed": 0, "unchanged": n, "removed": 0,
                "tables": {}, "backup": None, "seconds": round(time.perf_counter() - t0, 3)}
    _refuse_foreign(store, pkg, row, retake, now)
    folder = townships_dir(store.path)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{code}-{int(m['sequence']):06d}.sqlite"
    incoming = folder / f".incoming-{code}-{int(m['sequence']):06d}-{os.getpid()}.part"
    try:
        pkg.extract_content(incoming)
        computed = _check_content(pkg, incoming)
        progress = _check_directives(pkg, incoming)
        n_files = _take_attachments(pkg, final)
        old = folder / row["file"] if row is not None else None
        diff = compare(old if old is not None and old.is_file() else None, incoming)
        kept = auto_backup(store.conn, store.path, f"package-{code}-{int(m['sequence'])}") if backup else None
        os.replace(incoming, final)
        received = (now or _dt.datetime.now()).replace(microsecond=0).isoformat()
        values = {"name": town["name"], "code": code, "campaign": (m["campaign"] or {}).get("name", ""),
                  "sequence": m["sequence"], "as_of": m["as_of"], "received_at": received,
                  "sender": str(m["sender"] or ""), "package_sha256": pkg.sha256,
                  "content_sha256": m["content"]["sha256"], "file": final.name, "full_ids": 1 if m["full_ids"] else 0,
                  "schema_version": m["schema_version"], "program_version": str(m["program_version"] or ""),
                  # the figures the program knows (each checked equal to the data's), nothing else
                  "figures": json.dumps({k: v for k, v in m["figures"].items() if k in computed},
                                        ensure_ascii=False, sort_keys=True),
                  "counts": json.dumps(m["counts"], ensure_ascii=False, sort_keys=True)}
        totals = _totals(diff)
        note = {"乡镇": town["name"], "乡镇代码": code, "序号": m["sequence"], "数据截至": m["as_of"],
                "报送人": values["sender"], "完整号码": bool(m["full_ids"]), "文件": pkg.name,
                "新增": totals["added"], "修改": totals["changed"], "未变": totals["unchanged"], "删除": totals["removed"],
                "督办事项进展": len(progress["items"])}
        try:
            with store.tx(label="接收报送包"):
                if row is None:
                    rid = store.insert("exchange_township", {"uuid": _uuid(), **values})
                else:
                    rid = row["id"]
                    store.update("exchange_township", rid, values)
                record_progress(store, code, progress, as_of=m["as_of"], sequence=m["sequence"])
                store.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, after, reason) "
                              "VALUES (qq_now(), qq_user(), 'exchange_township', ?, 'receive', ?, '接收报送包')",
                              (rid, json.dumps(note, ensure_ascii=False)))
        except BaseException:
            final.unlink(missing_ok=True)
            shutil.rmtree(_files_of(final), ignore_errors=True)
            raise
    except BaseException:
        if not final.is_file():
            shutil.rmtree(_files_of(final), ignore_errors=True)
        raise
    finally:
        for suffix in ("", "-wal", "-shm"):
            incoming.with_name(incoming.name + suffix).unlink(missing_ok=True)
    if row is not None and row["file"] != final.name:
        for suffix in ("", "-wal", "-shm"):
            (folder / (row["file"] + suffix)).unlink(missing_ok=True)
        shutil.rmtree(_files_of(folder / row["file"]), ignore_errors=True)
    return {**summary, "already_received": False, **totals, "attachments": n_files, "tables": {t: d for t, d in diff.items() if any(d.values())},
            "backup": str(kept) if kept else None, "seconds": round(time.perf_counter() - t0, 3)}


def township_store(county_db: str | os.PathLike, file: str) -> Store:
    """A township's copy, opened read-only (drill-down, reports)."""
    return Store(townships_dir(county_db) / file, read_only=True)
