"""数据审核 again after a change, checking only what the change touched.

A full run of every rule (``models.checks.run_checks``) takes seconds on a county's million
workers, and any edit used to make the next report run it all again. Here the whole result of
the last run is kept in the database (setting ``STATE_KEY``: every finding of every rule, the
day, the schema version, the rules and the audit log's last id), and the next check reads the
audit log after that id to learn which records changed:

- a rule whose ``reads`` meet no changed table keeps its findings;
- a case-scoped rule (``scope="case"``) is run again for the changed cases only (a worker's or
  repayment's case, before and after the change), its findings for those cases replaced;
- any other rule that reads a changed table, or reads anything, is run again whole;
- a rule that ``uses_today`` runs whole when the day differs; the work warnings always run
  (they are cheap and depend on the day).

Every write of a record is in the audit log (the triggers, and the bulk import writing its own),
and a case whose totals move gets a new ``updated_at``, so the result stays exact:
``tests/test_checks_incremental.py`` plants every fault of every rule after a full check and
compares. Anything unknown (no state yet, another schema or rule set, a state that does not
read) means a full run, and so does a week without one (``FULL_EVERY_DAYS``). Changes of
settings count only for the rules that declare they read them (``"setting"`` in ``reads``, or a
rule that reads anything); the program's own bookkeeping settings never count.
"""
from __future__ import annotations

import datetime as _dt
import json

from models import checks
from models.db import Store

STATE_KEY = "reports.check_cache.state"     # under the prefix any account may write (models.access)
_CASE_TABLES = {"case_record", "worker", "repayment"}
FULL_EVERY_DAYS = 7     # a whole run at least this often: a raw write that neither the audit log nor
                        # updated_at shows (a case's worker count alone) is found by the next one
_BOOKKEEPING = ("reports.", "import_mapping:", "exchange.", "search.")
_GONE = -1                                  # the case of a finding whose worker no longer exists


def _code_digest(code, h) -> None:
    """Feed a function's compiled code into ``h``: the same in every process (no addresses, sets
    sorted), different when the rule's code changes."""
    h.update(code.co_code)
    for c in code.co_consts:
        if hasattr(c, "co_code"):
            _code_digest(c, h)
        elif isinstance(c, frozenset):
            h.update(repr(sorted(map(repr, c))).encode())
        else:
            h.update(repr(c).encode())
    h.update(repr(code.co_names).encode())


def _rules_signature() -> list[str]:
    """The rules' codes and a digest of their code and declarations: a kept result made by other
    rules (a program update that changed what a rule finds) is not used."""
    import hashlib
    h = hashlib.sha256()
    for code in sorted(checks.RULES):
        fn = checks.RULES[code][1]
        meta = checks.META.get(code)
        if meta is not None:
            code += repr((sorted(meta.reads) if meta.reads is not None else None, meta.scope, meta.uses_today))
        h.update(code.encode())
        if hasattr(fn, "__code__"):
            _code_digest(fn.__code__, h)
    return sorted(checks.RULES) + sorted(checks.WARNINGS) + ["code:" + h.hexdigest()[:16]]


def _load(store: Store, today: _dt.date) -> dict | None:
    state = store.get_setting(STATE_KEY)
    if not isinstance(state, dict) or state.get("version") != 1:
        return None
    if state.get("schema") != store.schema_version() or state.get("rules") != _rules_signature():
        return None
    try:
        last_full = _dt.date.fromisoformat(state["full_on"])
    except (KeyError, TypeError, ValueError):
        return None
    if not 0 <= (today - last_full).days < FULL_EVERY_DAYS or not isinstance(state.get("since"), str):
        return None
    return state


def full_due(store: Store, today: _dt.date | None = None) -> bool:
    """Whether the next ``check`` runs every rule (nothing kept that it can use, or a week since
    the last whole run). The ledgers' declarations are loaded first, as ``check`` loads them: their
    rules are part of what the kept result was made with (opening a file no longer loads them,
    and the rules of the core alone never matched: every ``qingqian check`` of a large file ran
    PRAGMA quick_check, 1.3 s on the county database, as if a whole run were due)."""
    from models.ledger import registry
    registry.all_ledgers()
    return _load(store, today or _dt.date.today()) is None


def _changes(store: Store, mark: int, since: str, last_now: str, now: str) -> tuple[set[str], set[int]]:
    """(tables changed after audit id ``mark``, ids of the cases those changes touch). Cases
    whose totals moved without an audited change of their own (``updated_at``, set by the
    ``case_touch`` trigger: later than ``since``, the newest one the last check saw, or after
    the last check's clock and up to now — a row dated ahead of the clock is not taken again and
    again) count as touched too.

    Each read of the audit log takes the rows after ``mark`` by id and uses no index (``NOT
    INDEXED``): with the statistics of a county file (ANALYZE: 2.4 million rows, 220,000 a
    table) SQLite otherwise chose to walk the (table, record) index through every row of the
    log, 0.2 s per query, where the rows after the mark are a handful."""
    tables = {r[0] for r in store.query(
        "SELECT DISTINCT table_name FROM audit_log NOT INDEXED WHERE id > ? AND table_name != 'setting'", (mark,))}
    # a setting a rule reads (a rate, a number of days) counts as a change of table "setting"; the
    # program's own bookkeeping (this state, report caches, import mappings, the exchange) does not
    for (key,) in store.query(
            "SELECT DISTINCT COALESCE(json_extract(a.after, '$.key'), json_extract(a.before, '$.key'), s.key) "
            "FROM audit_log AS a NOT INDEXED LEFT JOIN setting s ON s.id = a.record_id WHERE a.id > ? AND a.table_name = 'setting'",
            (mark,)):
        if key is None or not str(key).startswith(_BOOKKEEPING):
            tables.add("setting")
            break
    # a case added, purged, recycled or restored, or given another 编号: the rules that look cases
    # up by number or link (checks.CASE_NOS) read it; a change of a case's figures does not
    if "case_record" in tables and store.scalar(
            "SELECT 1 FROM audit_log NOT INDEXED WHERE id > ? AND table_name = 'case_record' AND (action != 'update' "
            "OR json_extract(before, '$.case_no') IS NOT json_extract(after, '$.case_no')) LIMIT 1", (mark,)):
        tables.add(checks.CASE_NOS)
    cases: set[int] = {r[0] for r in store.query(
        "SELECT id FROM case_record WHERE updated_at > ? OR (updated_at > ? AND updated_at <= ?)",
        (since, last_now, now))}
    if cases:
        tables.add("case_record")
    if tables & _CASE_TABLES:
        for r in store.query(
                "SELECT CASE table_name WHEN 'case_record' THEN record_id END, "
                "json_extract(before, '$.case_id'), json_extract(after, '$.case_id'), table_name, record_id "
                "FROM audit_log NOT INDEXED WHERE id > ? AND table_name IN ('case_record', 'worker', 'repayment')", (mark,)):
            for v in r[:3]:
                if v is not None:
                    cases.add(int(v))
            if r[3] != "case_record" and r[1] is None and r[2] is None and r[4] is not None:
                # a row whose image lacks its case (never expected): find it as it is now
                cid = store.scalar(f'SELECT case_id FROM "{r[3]}" WHERE id = ?', (r[4],))
                if cid is not None:
                    cases.add(int(cid))
    return tables, cases


def _run(code: str, store: Store, today: _dt.date) -> list[checks.Finding]:
    return list(checks.RULES[code][1](store, today))


def _run_scoped(code: str, store: Store, today: _dt.date) -> list[checks.Finding]:
    token = checks._scoped.set(True)
    try:
        return _run(code, store, today)
    finally:
        checks._scoped.reset(token)


def _case_of_findings(store: Store, found: list[dict]) -> list[int | None]:
    """The case of each stored finding (a worker's or a repayment's current case, a case itself;
    ``_GONE`` for a worker or repayment deleted since)."""
    case_of: dict[str, dict[int, int]] = {}
    for table in ("worker", "repayment"):
        ids = [f["record"] for f in found if f["table"] == table and f["record"] is not None]
        got = case_of[table] = {}
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            marks = ",".join("?" * len(part))
            got.update({r[0]: r[1] for r in store.query(
                f'SELECT id, case_id FROM "{table}" WHERE id IN ({marks})', part)})
    out = []
    for f in found:
        if f["table"] == "case_record":
            out.append(f["record"])
        elif f["table"] in case_of:
            out.append(case_of[f["table"]].get(f["record"], _GONE))
        else:
            out.append(None)
    return out


def check(store: Store, today: _dt.date | None = None, limit_per_rule: int = 500,
          *, keep: bool = True, full: bool = False) -> tuple[checks.CheckReport, dict]:
    """The check report, as a full run would give it, and what was done: ``{"mode": "full" |
    "incremental" | "unchanged", "rules_rerun": [...], "cases": n}``. ``keep``: store the result
    for the next check (skipped quietly when the database cannot be written). ``full``: run every
    rule whatever is kept."""
    from models.ledger import registry
    registry.all_ledgers()          # ledger modules register their rules when loaded
    today = today or _dt.date.today()
    mark = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM audit_log", default=0))
    since = store.scalar("SELECT COALESCE(MAX(updated_at), '') FROM case_record")    # the newest touch seen
    now = store.scalar("SELECT qq_now()")
    state = None if full else _load(store, today)
    found: dict[str, list[dict]] = {}
    done = {"mode": "full", "rules_rerun": [], "cases": 0}
    if state is None:
        for code in checks.RULES:
            if code not in checks.WARNINGS:
                found[code] = [f.to_json() for f in _run(code, store, today)]
        done["rules_rerun"] = list(found)
    else:
        tables, cases = _changes(store, int(state["mark"]), state["since"], state.get("at", ""), now)
        new_day = state.get("today") != today.isoformat()
        found = {code: list(v) for code, v in state["findings"].items()}
        scope_ready = False
        for code in checks.RULES:
            if code in checks.WARNINGS:
                continue
            meta = checks.META.get(code) or checks.RuleMeta(None, None, False)
            if meta.scope == "case":     # the case's totals follow its workers and repayments (roll-ups)
                touched = bool(tables & _CASE_TABLES)
            else:
                touched = bool(tables) if meta.reads is None else bool(meta.reads & tables)
            # a rule that does not say what it reads may read anything, the day included
            if (meta.uses_today or meta.reads is None) and new_day or code not in found:
                found[code] = [f.to_json() for f in _run(code, store, today)]
            elif not touched:
                continue
            elif meta.scope == "case":
                if not cases:
                    continue
                if not scope_ready:
                    store.execute(f"CREATE TEMP TABLE IF NOT EXISTS {checks.SCOPE_TABLE.split('.')[1]} "
                                  "(id INTEGER PRIMARY KEY)")
                    store.execute(f"DELETE FROM {checks.SCOPE_TABLE}")
                    store.conn.executemany(f"INSERT INTO {checks.SCOPE_TABLE}(id) VALUES (?)",
                                           [(c,) for c in sorted(cases)])
                    scope_ready = True
                old = found.get(code, [])
                owners = _case_of_findings(store, old)
                kept = [f for f, c in zip(old, owners) if c is not _GONE and (c is None or c not in cases)]
                found[code] = kept + [f.to_json() for f in _run_scoped(code, store, today)]
            else:
                found[code] = [f.to_json() for f in _run(code, store, today)]
            done["rules_rerun"].append(code)
        if scope_ready:
            store.execute(f"DROP TABLE IF EXISTS {checks.SCOPE_TABLE}")
        done["mode"] = "incremental" if done["rules_rerun"] else "unchanged"
        done["cases"] = len(cases)
    report = checks.CheckReport(at=_dt.datetime.now().isoformat(timespec="seconds"))
    for code in checks.RULES:
        if code in checks.WARNINGS:
            continue
        items = sorted(found.get(code, []), key=_order)
        report.findings += [checks.Finding(**f) for f in items[:limit_per_rule]]
        report.rules_run.append(code)
    checks.add_warnings(report, store, today, limit_per_rule)
    if keep:
        try:
            full_on = today.isoformat() if done["mode"] == "full" else state["full_on"]
            store.set_setting(STATE_KEY, {"version": 1, "mark": mark, "since": since, "at": now, "full_on": full_on,
                                          "today": today.isoformat(),
                                          "schema": store.schema_version(), "rules": _rules_signature(),
                                          "findings": found})
        except Exception:  # noqa: BLE001 - a read-only or busy file: the result is still exact, just not kept
            pass
    return report, done


def _order(f: dict) -> tuple:
    return (f["table"], f["record"] if f["record"] is not None else -1, f["label"], f["message"])


def same_findings(a: checks.CheckReport, b: checks.CheckReport) -> bool:
    """Whether two reports hold the same findings (in any order) and warning counts."""
    def key(r):
        return sorted(json.dumps(f.to_json(), ensure_ascii=False, sort_keys=True) for f in r.findings)
    return key(a) == key(b) and a.warning_counts == b.warning_counts
