"""A township applies its county's 下发包 (kind ``dispatch``).

Checked before anything is written: whole archive, sealed manifest, format and kind known (the
``package`` reader), then the county (name, and code where both sides know it) is this
township's, the campaign is the township's own (as the county registered it from the township's
报送包), the schema is not newer than this program's, the sequence number is newer than the last
applied, and the content is whole, of the schema the manifest says, with the rows the manifest
counts. Any failure raises ``PackageRefused`` with one Chinese line and nothing changed; the
same package applied again changes nothing.

Applied in one transaction, after an automatic backup of the township's database:

- each 督办事项 addressed to this township (by 乡镇代码) becomes one of its action items
  (交办事项, ``MARK`` before its content, no meeting, the county's uuid as its own), written
  through the action items' write service and audited; a later 下发包 updates that item: the
  county's content and 完成时限 where the county changed them since the last 下发, 已办结 when
  the county 销号 it, the recycle bin when the county 撤销 it. Status, 办理进展 and 办结日期 are
  the township's: its progress goes back up in its next 报送包;
- the holiday calendar: each year the county holds replaces the township's entry of that year,
  as the 节假日安排 import does it (open cases' deadlines that followed the old calendar move);
- the 失信联合惩戒名单: each county entry is matched by uuid, else by 单位名称 and 列入日期, else
  by 单位名称 among entries reported but not yet listed; new ones are added, differing ones
  updated, ones the county recycled are recycled here (through the blacklist's write service);
- the county's thresholds are kept as this database's settings.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from models.db import PermissionDenied, Store, now_text
from models.exchange import PackageRefused, identity, package
from models.exchange.dispatch import APPLIED_SEQUENCE, APPLIED_SHA, BLACKLIST_FIELDS, CONTENT_TABLES, MARK
from models.ledger.repo import ValidationError


def _refuse_foreign(store: Store, pkg: package.Package) -> None:
    from models import campaign as _campaign, migrations
    m, name = pkg.manifest, pkg.name
    me = identity.unit(store)
    if m["kind"] != "dispatch":
        raise PackageRefused(f"这是{package.KIND_NAMES.get(m['kind'], m['kind'])}，不是县级下发包，未接收：{name}")
    county = m["county"] if isinstance(m["county"], dict) else {}
    c_name, c_code = str(county.get("name") or ""), str(county.get("code") or "")
    if c_name != me.county_name:
        raise PackageRefused(f"这是{c_name or '（未写明）'}的下发包，本乡镇属于{me.county_name}，未接收：{name}")
    if c_code and me.county_code and c_code != me.county_code:
        raise PackageRefused(f"下发包的县代码 {c_code} 与本乡镇所属县的代码 {me.county_code} 不符，未接收：{name}")
    if c_code and not me.code.startswith(c_code[:6]):
        raise PackageRefused(f"本乡镇代码 {me.code} 不在{c_name}（县代码 {c_code}）之下，未接收：{name}")
    camp = _campaign.current(store)
    mine = camp.name if camp else ""
    entry = next((t for t in m.get("townships") or [] if isinstance(t, dict) and t.get("code") == me.code), None)
    theirs = (entry or {}).get("campaign") or (m["campaign"] or {}).get("name") or ""
    if theirs and theirs != mine:
        raise PackageRefused(f"下发包针对的专项行动是“{theirs}”，本乡镇当前的是“{mine}”，未接收：{name}")
    if entry is not None and entry.get("name") and entry["name"] != me.name:
        raise PackageRefused(f"下发包中乡镇代码 {me.code} 登记为{entry['name']}，本乡镇是{me.name}，未接收：{name}")
    schema = m["schema_version"]
    if not isinstance(schema, int) or schema > migrations.LATEST:
        raise PackageRefused(f"下发包由更新版本的清欠工作台制作（数据结构第 {schema} 版，本程序只认识到第 "
                             f"{migrations.LATEST} 版），未接收：{name}。请先升级本程序")
    if not isinstance(m["sequence"], int) or m["sequence"] < 1:
        raise PackageRefused(f"下发包的序号“{m['sequence']}”无效，未接收：{name}")
    last = int(store.get_setting(APPLIED_SEQUENCE, 0) or 0)
    if m["sequence"] <= last:
        raise PackageRefused(f"{c_name}第 {m['sequence']} 号下发包不新于已接收的第 {last} 号，未接收：{name}")


def _read_content(pkg: package.Package, path: Path) -> dict[str, list[dict]]:
    """The content's rows per table, after checking it is the database the manifest describes."""
    from models.paths import sqlite_uri
    m, name = pkg.manifest, pkg.name
    try:
        conn = sqlite3.connect(sqlite_uri(path.resolve()), uri=True)
    except sqlite3.Error as exc:
        raise PackageRefused(f"下发包中的数据无法打开（{exc}），未接收：{name}") from exc
    conn.row_factory = sqlite3.Row
    try:
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            rows = {t: [dict(r) for r in conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid')] for t in CONTENT_TABLES}
        except sqlite3.Error as exc:
            raise PackageRefused(f"下发包中的数据不完整或不是本程序的格式（{exc}），未接收：{name}") from exc
    finally:
        conn.close()
    if ok != "ok":
        raise PackageRefused(f"下发包中的数据已损坏（{str(ok)[:80]}），未接收：{name}")
    if version != m["schema_version"]:
        raise PackageRefused(f"下发包中的数据与清单不符（数据结构第 {version} 版，清单写第 {m['schema_version']} 版），未接收：{name}")
    counts = m["counts"] if isinstance(m["counts"], dict) else {}
    differ = [t for t in CONTENT_TABLES if counts.get(t) != len(rows[t])]
    if differ:
        raise PackageRefused(f"下发包清单中的记录数与其数据不符（{differ[0]}：清单 {counts.get(differ[0])}，"
                             f"数据 {len(rows[differ[0]])}），未接收：{name}")
    return rows


def _precheck(store: Store, rows: dict[str, list[dict]], name: str) -> None:
    """What the write services would refuse, found before the backup and the transaction."""
    from models.ledger import registry
    from models.rules.workdays import WorkCalendar, parse_schedule_text
    for r in rows["calendar_year"]:
        try:
            WorkCalendar({r["year"]: parse_schedule_text(r["year"], r["schedule_text"])})
        except (ValueError, KeyError) as exc:
            raise PackageRefused(f"下发包中{r['year']}年节假日安排无法读取（{exc}），未接收：{name}") from None
    ledger = registry.get("blacklist")
    for r in rows["blacklist_entry"]:
        problems = ledger.validate({k: r[k] for k in BLACKLIST_FIELDS})
        if problems:
            raise PackageRefused(f"下发包中失信名单“{r['employer_name']}”不合规定（{problems[0][1]}），未接收：{name}")
    for d in rows["directive"]:
        if not (d["content"] or "").strip():
            raise PackageRefused(f"下发包中有内容为空的督办事项，未接收：{name}")


class _Tally:
    def __init__(self) -> None:
        self.tables: dict[str, dict[str, int]] = {}

    def add(self, table: str, what: str) -> None:
        t = self.tables.setdefault(table, {"added": 0, "changed": 0, "unchanged": 0})
        t[what] += 1

    def totals(self) -> dict[str, int]:
        return {k: sum(t[k] for t in self.tables.values()) for k in ("added", "changed", "unchanged")}


def _apply_items(store: Store, rows, code: str, county: str, sequence: int, today: _dt.date, tally: _Tally) -> None:
    from models.ledger.service import service_for
    svc = service_for(store, "action_items", today=today)
    mine = {t["directive_uuid"] for t in rows["directive_target"] if t["township_code"] == code}
    stamp = now_text()
    for d in rows["directive"]:
        if d["uuid"] not in mine:
            continue
        rec = store.one("SELECT * FROM directive_received WHERE uuid = ?", (d["uuid"],))
        item = store.one("SELECT * FROM action_item WHERE uuid = ?", (d["uuid"],))
        text = MARK + d["content"].strip()
        received = {"content": d["content"], "due_date": d["due_date"], "county_status": d["status"],
                    "closed_on": d["closed_on"], "county": county}
        if item is None:
            if d["status"] == "已撤销":
                continue                            # withdrawn before this township ever had it
            values = {"uuid": d["uuid"], "content": text, "due_date": d["due_date"], "status": "待办"}
            if d["status"] == "已销号":
                values.update(status="已办结", closed_on=d["closed_on"],
                              progress=f"{d['closed_on']} 县级已销号{('：' + d['close_note']) if d['close_note'] else ''}")
            aid = svc.insert(values, reason="接收县级督办事项")
            store.execute("DELETE FROM directive_received WHERE uuid = ?", (d["uuid"],))
            store.insert("directive_received", {"uuid": d["uuid"], "action_item_id": aid, **received,
                                                "dispatch_sequence": sequence, "received_at": stamp})
            tally.add("action_item", "added")
            continue
        base = dict(rec) if rec is not None else {}
        changes: dict = {}
        if item["deleted_at"] is None:
            if base.get("content") != d["content"] and item["content"] != text:
                changes["content"] = text
            if base.get("due_date") != d["due_date"] and item["due_date"] != d["due_date"]:
                changes["due_date"] = d["due_date"]
            if d["status"] == "已销号" and base.get("county_status") != "已销号" and item["status"] != "已办结":
                note = f"{d['closed_on']} 县级已销号{('：' + d['close_note']) if d['close_note'] else ''}"
                changes.update(status="已办结", closed_on=d["closed_on"],
                               progress=((item["progress"] or "") + "\n" + note).strip())
            if changes:
                svc.update(item["id"], changes, reason="县级下发包更新督办事项")
            if d["status"] == "已撤销" and base.get("county_status") != "已撤销":
                svc.recycle([item["id"]], reason="县级撤销督办事项")
                changes["deleted"] = True
        if rec is None:
            store.insert("directive_received", {"uuid": d["uuid"], "action_item_id": item["id"], **received,
                                                "dispatch_sequence": sequence, "received_at": stamp})
        elif any(base.get(k) != v for k, v in received.items()):
            store.update("directive_received", rec["id"], {**received, "dispatch_sequence": sequence,
                                                           "received_at": stamp})
        tally.add("action_item", "changed" if changes else "unchanged")


def _apply_calendar(store: Store, rows, today: _dt.date, tally: _Tally) -> int:
    """Each year as the 节假日安排 import stores it (``models.holiday_import``): the open cases'
    deadlines that followed the old calendar move with it, through the case service. Returns
    the deadlines moved."""
    from models.holiday_import import Parsed, import_schedule
    from models.rules.workdays import parse_schedule_text
    moved = 0
    for r in rows["calendar_year"]:
        have = store.scalar("SELECT schedule_text FROM calendar_year WHERE year = ?", (r["year"],))
        if have == r["schedule_text"]:
            tally.add("calendar_year", "unchanged")
            continue
        year = int(r["year"])
        schedule = parse_schedule_text(year, r["schedule_text"])
        done = import_schedule(store, Parsed(year, schedule, len(schedule.holidays) + len(schedule.workdays)), today)
        moved += len(done.changed)
        tally.add("calendar_year", "added" if have is None else "changed")
    return moved


def _match_blacklist(store: Store, e: dict):
    row = store.one("SELECT * FROM blacklist_entry WHERE uuid = ?", (e["uuid"],))
    if row is None and e["listed_on"]:
        row = store.one("SELECT * FROM blacklist_entry WHERE employer_name = ? AND listed_on = ? AND deleted_at IS NULL "
                        "ORDER BY id LIMIT 1", (e["employer_name"], e["listed_on"]))
    if row is None:
        row = store.one("SELECT * FROM blacklist_entry WHERE employer_name = ? AND COALESCE(listed_on, '') = '' "
                        "AND deleted_at IS NULL ORDER BY id LIMIT 1", (e["employer_name"],))
    return row


def _apply_blacklist(store: Store, rows, today: _dt.date, tally: _Tally) -> None:
    if not rows["blacklist_entry"]:
        return
    from models.ledger.service import service_for
    svc = service_for(store, "blacklist", today=today)
    for e in rows["blacklist_entry"]:
        row = _match_blacklist(store, e)
        values = {k: e[k] for k in BLACKLIST_FIELDS}
        if e["deleted"]:
            if row is not None and row["deleted_at"] is None:
                svc.recycle([row["id"]], reason="县级失信名单已删除该条")
                tally.add("blacklist_entry", "changed")
            else:
                tally.add("blacklist_entry", "unchanged")
            continue
        if row is None:
            svc.insert({"uuid": e["uuid"], **values}, reason="接收县级失信名单")
            tally.add("blacklist_entry", "added")
            continue
        changes = {k: v for k, v in values.items() if row[k] != v}
        if row["deleted_at"] is not None:
            svc.restore([row["id"]])
        if changes:
            svc.update(row["id"], changes, reason="县级失信名单更新")
        tally.add("blacklist_entry", "changed" if changes or row["deleted_at"] is not None else "unchanged")


def _apply_thresholds(store: Store, rows, tally: _Tally) -> None:
    for r in rows["threshold"]:
        value = json.loads(r["value"])
        have = store.get_setting(r["key"])
        if have == value:
            tally.add("threshold", "unchanged")
            continue
        store.set_setting(r["key"], value)
        tally.add("threshold", "added" if have is None else "changed")


def apply_dispatch(store: Store, path: str | os.PathLike, *, now: _dt.datetime | None = None,
                   backup: bool = True) -> dict:
    """Check the 下发包 at ``path`` and apply it to the township database ``store`` (its lock held
    and acting account set by the caller). Returns {kind, county, township, code, sequence, as_of,
    already_applied, added, changed, unchanged, conflicts, tables, directives, backup, seconds}.
    Raises ``PackageRefused`` with nothing changed."""
    from models.backup import auto_backup
    t0 = time.perf_counter()
    if identity.is_county(store):
        raise PackageRefused("这是县级汇总数据库：下发包由乡镇数据库接收")
    me = identity.unit(store)
    if not me.name or not me.code or not me.county_name:
        raise PackageRefused("本数据库尚未设定乡镇名称、乡镇代码和所属县，无法核对下发包是否发给本乡镇"
                             "（制作报送包时用 --township、--code、--county 设定）")
    pkg = package.read(path)
    m = pkg.manifest
    county = m["county"] if isinstance(m["county"], dict) else {}
    summary = {"kind": m["kind"], "county": county.get("name"), "township": me.name, "code": me.code,
               "sequence": m["sequence"], "as_of": m["as_of"], "conflicts": []}
    if m["kind"] == "dispatch" and m["sequence"] == store.get_setting(APPLIED_SEQUENCE) \
            and pkg.sha256 == store.get_setting(APPLIED_SHA):
        return {**summary, "already_applied": True, "added": 0, "changed": 0, "unchanged": 0, "tables": {},
                "directives": 0, "deadlines_moved": 0, "backup": None, "seconds": round(time.perf_counter() - t0, 3)}
    _refuse_foreign(store, pkg)
    now = (now or _dt.datetime.now()).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="qq-dispatch-in-") as tmp:
        content = Path(tmp) / package.CONTENT
        pkg.extract_content(content)
        rows = _read_content(pkg, content)
    _precheck(store, rows, pkg.name)
    kept = auto_backup(store.conn, store.path, f"dispatch-{int(m['sequence'])}") if backup else None
    tally = _Tally()
    seq = int(m["sequence"])
    try:
        moved = _apply(store, pkg, rows, me, county, seq, now, tally)
    except (ValidationError, PermissionDenied) as exc:         # rolled back: the database is as it was
        raise PackageRefused(f"下发包中的数据不能写入本乡镇数据库（{exc}），未接收：{pkg.name}") from exc
    totals = tally.totals()
    items = tally.tables.get("action_item", {})
    return {**summary, "already_applied": False, **totals, "tables": tally.tables,
            "directives": sum(items.values()), "deadlines_moved": moved, "backup": str(kept) if kept else None,
            "seconds": round(time.perf_counter() - t0, 3)}


def _apply(store: Store, pkg: package.Package, rows, me, county: dict, seq: int, now: _dt.datetime,
           tally: _Tally) -> int:
    """Everything the package brings, in one transaction. Returns the deadlines moved."""
    m = pkg.manifest
    with store.tx(label="接收下发包"):
        _apply_items(store, rows, me.code, str(county.get("name") or ""), seq, now.date(), tally)
        moved = _apply_calendar(store, rows, now.date(), tally)
        _apply_blacklist(store, rows, now.date(), tally)
        _apply_thresholds(store, rows, tally)
        store.set_setting(APPLIED_SEQUENCE, seq)
        store.set_setting(APPLIED_SHA, pkg.sha256)
        totals = tally.totals()
        note = {"下发包": pkg.name, "县": county.get("name"), "序号": seq, "数据截至": m["as_of"],
                "发送人": str(m["sender"] or ""), "新增": totals["added"], "修改": totals["changed"],
                "未变": totals["unchanged"], "重算办结时限": moved}
        store.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, after, reason) "
                      "VALUES (qq_now(), qq_user(), 'exchange', NULL, 'apply_dispatch', ?, '接收下发包')",
                      (json.dumps(note, ensure_ascii=False),))
    return moved
