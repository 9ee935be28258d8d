"""下发, county → townships: the county's 督办事项 and the reference data it sends down.

A county keeps 督办事项 (``directive``: content, 完成时限, who issued it and when; the county may
销号 or 撤销 one) addressed to one or more of its townships (``directive_target``, by 乡镇代码).
``export_dispatch`` writes one 下发包 (kind ``dispatch``) for all its townships, numbered per
county (``exchange.dispatch_sequence``): every 督办事项 with its addressees, and the reference
data: the county's holiday calendar (every year it holds), its 失信联合惩戒名单 (the
``blacklist_entry`` ledger, recycled entries marked so a township recycles its copy) and its
thresholds (``identity.thresholds``). Each township takes what is addressed to it
(``models.exchange.apply_dispatch``).

A township's progress on each item (status, 办理进展, 办结（销号）日期) travels up in its next
报送包 (the manifest's ``directives``, checked against the data it carries) and is recorded on
receipt in ``directive_progress``; ``directive_progress(store)`` gives, per item, each
township's state.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from models.db import Store, now_text
from models.exchange import PackageRefused, identity, package
from models.ledger.repo import ValidationError

DISPATCH_SEQUENCE = "exchange.dispatch_sequence"        # a county: the number of its last 下发包
APPLIED_SEQUENCE = "exchange.dispatch_applied"          # a township: the last 下发包 applied
APPLIED_SHA = "exchange.dispatch_applied_sha256"        # ... and the SHA-256 of that file
STATUSES = ("督办中", "已销号", "已撤销")
ALL = "全部"
MARK = "【县督办】"          # a township's copy of a 督办事项 reads so among its action items
BLACKLIST_FIELDS = ("employer_name", "credit_code", "legal_person", "reason", "reported_on", "listed_on",
                    "removed_on", "removal_reason", "notes")
NOT_REPORTED, NOT_SENT = "未报送进展", "未下发"

# what a 下发包's content.sqlite holds (its user_version is the schema version of the program that wrote it)
CONTENT_SQL = """
CREATE TABLE directive (uuid TEXT PRIMARY KEY, content TEXT NOT NULL, due_date TEXT, issued_on TEXT NOT NULL,
    issued_by TEXT NOT NULL, status TEXT NOT NULL, closed_on TEXT, close_note TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE directive_target (directive_uuid TEXT NOT NULL, township_code TEXT NOT NULL,
    township_name TEXT NOT NULL, PRIMARY KEY (directive_uuid, township_code));
CREATE TABLE township (code TEXT PRIMARY KEY, name TEXT NOT NULL, campaign TEXT NOT NULL);
CREATE TABLE calendar_year (year INTEGER PRIMARY KEY, schedule_text TEXT NOT NULL);
CREATE TABLE blacklist_entry (uuid TEXT PRIMARY KEY, employer_name TEXT NOT NULL, credit_code TEXT,
    legal_person TEXT, reason TEXT, reported_on TEXT, listed_on TEXT, removed_on TEXT, removal_reason TEXT,
    notes TEXT, deleted INTEGER NOT NULL DEFAULT 0);
CREATE TABLE threshold (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
CONTENT_TABLES = ("directive", "directive_target", "township", "calendar_year", "blacklist_entry", "threshold")


def _need_county(store: Store) -> None:
    if not identity.is_county(store):
        raise PackageRefused("这不是县级汇总数据库：督办事项和下发包由县级数据库制作"
                             "（县级数据库用 qingqian init --level county 建立）")


def who(store: Store) -> str:
    a = store.actor
    return (a.display_name or a.username) if a is not None and not a.is_system else store.user


# -- the county's 督办事项 ---------------------------------------------------------------------
def registered(store: Store) -> list[dict]:
    """The townships the county has received a 报送包 from (code order)."""
    return [dict(r) for r in store.query("SELECT code, name, campaign FROM exchange_township ORDER BY code")]


def resolve_townships(store: Store, names) -> list[tuple[str, str]]:
    """乡镇名称 or 代码 (or 全部) → [(code, name)] of registered townships, in the order given."""
    reg = {t["code"]: t["name"] for t in registered(store)}
    out: list[tuple[str, str]] = []
    for n in names:
        n = (n or "").strip()
        if not n:
            continue
        if n == ALL:
            picked = sorted(reg.items())
            if not picked:
                raise ValidationError([("township", "本县尚未接收任何乡镇的报送包，无乡镇可交办")])
        elif n in reg:
            picked = [(n, reg[n])]
        else:
            code = next((c for c, m in reg.items() if m == n), None)
            if code is None:
                raise ValidationError([("township", f"本县尚未接收过“{n}”的报送包：督办事项只能交办已报送过的乡镇"
                                                    f"（写乡镇名称或代码）")])
            picked = [(code, n)]
        out += [p for p in picked if p not in out]
    if not out:
        raise ValidationError([("township", "须写明责任乡镇（名称或代码，或“全部”）")])
    return out


def _date(text, what: str) -> str | None:
    """A date as the program reads every date (``models.values.parse_date``): 2026-12-31,
    2026/12/31, 2026.12.31, 2026年12月31日, 20261231; empty → None."""
    from models.values import ValueProblem, parse_date
    if text is None or not str(text).strip():
        return None
    try:
        return parse_date(text)
    except ValueProblem as exc:
        raise ValidationError([("due_date", f"{what}：{exc}")]) from None


def add_directive(store: Store, content: str, townships, due, today: _dt.date, by: str | None = None) -> int:
    """A new 督办事项 (督办中), addressed to ``townships`` (names or codes, or 全部). Returns its id."""
    _need_county(store)
    content = (content or "").strip()
    if not content:
        raise ValidationError([("content", "督办事项内容不能为空")])
    due = _date(due, "完成时限")
    if due is not None and due < today.isoformat():
        raise ValidationError([("due_date", f"完成时限 {due} 早于今天（{today.isoformat()}）")])
    targets = resolve_townships(store, townships)
    with store.tx(label="登记督办事项"):
        did = store.insert("directive", {"content": content, "due_date": due, "issued_on": today.isoformat(),
                                         "issued_by": (by or who(store) or "").strip()})
        for code, name in targets:
            store.insert("directive_target", {"directive_id": did, "township_code": code, "township_name": name})
    return did


def get_directive(store: Store, directive_id: int) -> dict:
    row = store.one("SELECT * FROM directive WHERE id = ?", (directive_id,))
    if row is None:
        raise ValidationError([("id", f"没有编号为 {directive_id} 的督办事项")])
    return dict(row)


def close_directive(store: Store, directive_id: int, today: _dt.date, note: str = "", *, cancel: bool = False) -> None:
    """县级销号 (or 撤销 with ``cancel``): the next 下发包 tells the townships."""
    _need_county(store)
    d = get_directive(store, directive_id)
    if d["status"] != "督办中":
        raise ValidationError([("status", f"督办事项 {directive_id} 已{d['status'][1:]}（{d['closed_on']}），不能再"
                                          f"{'撤销' if cancel else '销号'}")])
    status = "已撤销" if cancel else "已销号"
    with store.tx(label="撤销督办事项" if cancel else "督办事项销号"):
        store.update("directive", directive_id, {"status": status, "closed_on": today.isoformat(),
                                                 "close_note": (note or "").strip(), "updated_at": now_text()})


def list_directives(store: Store) -> list[dict]:
    targets: dict[int, list[dict]] = {}
    for r in store.query("SELECT directive_id, township_code, township_name FROM directive_target ORDER BY id"):
        targets.setdefault(r[0], []).append({"code": r[1], "name": r[2]})
    return [{**dict(r), "townships": targets.get(r["id"], [])}
            for r in store.query("SELECT * FROM directive ORDER BY id")]


def directive_progress(store: Store, today: _dt.date | None = None) -> list[dict]:
    """Per 督办事项 (id order): its own fields, ``townships`` (one entry per addressee: code, name,
    state, status, progress, closed_on, removed, as_of, sequence, overdue) and ``overdue`` (how
    many addressees are late). A township's state is what its latest 报送包 said (its stored
    status, read as 逾期 once the 完成时限 has passed by ``today``), 未报送进展 when no 报送包
    since the item went down has carried it, 未下发 before a 下发包 has carried it."""
    from models.meetings import effective_status
    today = today or _dt.date.today()
    got = {(r["directive_uuid"], r["township_code"]): dict(r) for r in store.query("SELECT * FROM directive_progress")}
    out = []
    for d in list_directives(store):
        lines = []
        for t in d["townships"]:
            p = got.get((d["uuid"], t["code"]))
            line = {"code": t["code"], "name": t["name"], "status": "", "progress": "", "closed_on": None,
                    "removed": False, "as_of": None, "sequence": None}
            if p is not None:
                line.update(status=p["status"], progress=p["progress"], closed_on=p["closed_on"],
                            removed=bool(p["removed"]), as_of=p["as_of"], sequence=p["sequence"])
                state = "已删除" if p["removed"] else effective_status(
                    {"status": p["status"], "due_date": d["due_date"]}, today.isoformat())
            else:
                state = NOT_SENT if d["sent_in"] is None else NOT_REPORTED
            line["state"] = state
            line["overdue"] = (d["status"] == "督办中" and bool(d["due_date"]) and d["due_date"] < today.isoformat()
                               and state not in ("已办结", "已删除"))
            lines.append(line)
        out.append({**d, "townships": lines, "overdue": sum(1 for x in lines if x["overdue"])})
    return out


def progress_lines(items: list[dict]) -> list[str]:
    """``directive list`` as Chinese lines."""
    out = []
    for d in items:
        out.append(f"{d['id']}. {d['content']}（完成时限 {d['due_date'] or '未定'}；{d['issued_by'] or '—'} "
                   f"{d['issued_on']} 交办；{d['status']}{'，' + d['closed_on'] if d['closed_on'] else ''}"
                   f"{'；第 ' + str(d['sent_in']) + ' 号下发包下发' if d['sent_in'] else '；尚未下发'}）")
        for t in d["townships"]:
            last = (t["progress"] or "").strip().splitlines()
            bits = [f"　　{t['name']}（{t['code']}）：{t['state']}{'（逾期）' if t['overdue'] and t['state'] != '逾期' else ''}"]
            if t["closed_on"]:
                bits.append(f"办结 {t['closed_on']}")
            if last:
                bits.append(f"最近进展：{last[-1]}")
            if t["as_of"]:
                bits.append(f"据第 {t['sequence']} 号报送包（{t['as_of'].replace('T', ' ')}）")
            out.append("，".join(bits))
    if not items:
        out.append("（尚无督办事项）")
    return out


# -- the 下发包 --------------------------------------------------------------------------------
def _content(store: Store, path: Path) -> dict[str, int]:
    """The 下发包's content.sqlite at ``path``; returns the rows per table."""
    from models import migrations
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("BEGIN")
        for stmt in CONTENT_SQL.split(";"):
            if stmt.strip():
                conn.execute(stmt)
        for d in store.query("SELECT * FROM directive ORDER BY id"):
            conn.execute("INSERT INTO directive VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (d["uuid"], d["content"], d["due_date"], d["issued_on"], d["issued_by"], d["status"],
                          d["closed_on"], d["close_note"], d["updated_at"]))
        conn.executemany("INSERT INTO directive_target VALUES (?, ?, ?)", [tuple(r) for r in store.query(
            "SELECT d.uuid, t.township_code, t.township_name FROM directive_target t "
            "JOIN directive d ON d.id = t.directive_id ORDER BY t.id")])
        conn.executemany("INSERT INTO township VALUES (?, ?, ?)",
                         [(t["code"], t["name"], t["campaign"]) for t in registered(store)])
        conn.executemany("INSERT INTO calendar_year VALUES (?, ?)", [tuple(r) for r in store.query(
            "SELECT year, schedule_text FROM calendar_year ORDER BY year")])
        if store.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'blacklist_entry'"):
            cols = ", ".join(BLACKLIST_FIELDS)
            conn.executemany(f"INSERT INTO blacklist_entry(uuid, {cols}, deleted) VALUES ({', '.join('?' * (len(BLACKLIST_FIELDS) + 2))})",
                             [tuple(r) for r in store.query(
                                 f"SELECT uuid, {cols}, deleted_at IS NOT NULL FROM blacklist_entry ORDER BY id")])
        conn.executemany("INSERT INTO threshold VALUES (?, ?)",
                         [(k, json.dumps(v)) for k, v in sorted(identity.thresholds(store).items())])
        conn.execute(f"PRAGMA user_version = {migrations.LATEST}")
        conn.execute("COMMIT")
        return {t: int(conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in CONTENT_TABLES}
    finally:
        conn.close()


def export_dispatch(store: Store, out: str | os.PathLike, *, now: _dt.datetime | None = None,
                    sender: str | None = None) -> dict:
    """Write the county's 下发包 to ``out``. Returns {kind, county, code, sequence, as_of, out, bytes,
    counts, townships, seconds}. Raises ``PackageRefused`` (nothing written, nothing changed)."""
    from models import migrations
    from models.version import VERSION
    t0 = time.perf_counter()
    _need_county(store)
    out = Path(out)
    now = (now or _dt.datetime.now()).replace(microsecond=0)
    unit = identity.unit(store)
    if not out.parent.is_dir():
        raise PackageRefused(f"保存下发包的文件夹不存在：{out.parent}")
    sequence = int(store.get_setting(DISPATCH_SEQUENCE, 0) or 0) + 1
    sender = sender or who(store)
    towns = registered(store)
    per_town = {r[0]: r[1] for r in store.query(
        "SELECT township_code, COUNT(*) FROM directive_target GROUP BY township_code")}
    with tempfile.TemporaryDirectory(prefix="qq-dispatch-", dir=out.parent) as tmp:
        content = Path(tmp) / package.CONTENT
        counts = _content(store, content)
        manifest = {
            "format": package.FORMAT, "format_version": package.FORMAT_VERSION, "kind": "dispatch",
            "program_version": VERSION, "schema_version": migrations.LATEST,
            "township": {"name": "", "code": ""},
            "county": {"name": unit.name, "code": unit.code},
            "campaign": {"name": unit.campaign},
            "as_of": now.isoformat(), "sequence": sequence, "sender": sender,
            "created_at": _dt.datetime.now().isoformat(timespec="seconds"),
            "counts": counts, "figures": {}, "full_ids": False,
            "content": {"name": package.CONTENT, "bytes": content.stat().st_size,
                        "sha256": package.file_sha256(content)},
            "townships": [{"name": t["name"], "code": t["code"], "campaign": t["campaign"],
                           "directives": int(per_town.get(t["code"], 0))} for t in towns],
        }
        staged = Path(tmp) / "package.part"
        package.write(staged, manifest, content)
        note = {"下发包": out.name, "序号": sequence, "数据截至": now.isoformat(), "督办事项": counts["directive"],
                "节假日安排": counts["calendar_year"], "失信名单": counts["blacklist_entry"]}
        with store.tx(label="制作下发包"):
            store.set_setting(DISPATCH_SEQUENCE, sequence)
            store.execute("UPDATE directive SET sent_in = ? WHERE sent_in IS NULL", (sequence,))
            store.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, after, reason) "
                          "VALUES (qq_now(), qq_user(), 'exchange', NULL, 'dispatch', ?, '下发')",
                          (json.dumps(note, ensure_ascii=False),))
            os.replace(staged, out)
    return {"kind": "dispatch", "county": unit.name, "code": unit.code, "sequence": sequence,
            "as_of": now.isoformat(), "out": str(out), "bytes": out.stat().st_size, "counts": counts,
            "townships": manifest["townships"], "seconds": round(time.perf_counter() - t0, 3)}


# -- progress back up (in the 报送包) -----------------------------------------------------------
def township_progress(store: Store, on: _dt.date) -> dict:
    """A township's state of each 督办事项 it received: {dispatch_sequence, items: [{directive,
    status, state, progress, closed_on, removed, updated_at}]} (items in uuid order); ``state``
    is the effective status on ``on``. Goes up in the 报送包's manifest as ``directives``."""
    from models.meetings import effective_status
    seq = int(store.get_setting(APPLIED_SEQUENCE, 0) or 0)
    if not store.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'directive_received'") or \
            not store.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'action_item'"):
        return {"dispatch_sequence": seq, "items": []}
    items = []
    for r in store.query("SELECT d.uuid, a.status, a.due_date, a.progress, a.closed_on, a.deleted_at, a.updated_at "
                         "FROM directive_received d JOIN action_item a ON a.uuid = d.uuid ORDER BY d.uuid"):
        items.append({"directive": r["uuid"], "status": r["status"] or "",
                      "state": effective_status(dict(r), on.isoformat()), "progress": r["progress"] or "",
                      "closed_on": r["closed_on"], "removed": r["deleted_at"] is not None,
                      "updated_at": r["updated_at"]})
    return {"dispatch_sequence": seq, "items": items}


def record_progress(store: Store, code: str, sent: dict, *, as_of: str, sequence: int) -> int:
    """In the county's open transaction (receiving a 报送包): the township's state of each 督办事项,
    replacing what its previous package said. Returns the items recorded."""
    store.execute("DELETE FROM directive_progress WHERE township_code = ?", (code,))
    for it in sent.get("items", []):
        store.execute("INSERT INTO directive_progress(directive_uuid, township_code, status, progress, closed_on, "
                      "removed, updated_at, as_of, sequence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (it["directive"], code, it["status"], it["progress"], it["closed_on"],
                       1 if it["removed"] else 0, it["updated_at"], as_of, sequence))
    store.execute("UPDATE exchange_township SET dispatch_sequence = ? WHERE code = ?",
                  (int(sent.get("dispatch_sequence") or 0), code))
    return len(sent.get("items", []))
