"""审核签字: a workstream's ledger signed as of a date once the checks pass, or with a
written reason for each finding left open. Later changes need a reason (enforced by
the guard triggers) and are listed as "changed after sign-off"."""
from __future__ import annotations

import datetime as _dt
import json

from models.checks import CheckReport, Finding
from models.db import PermissionDenied, Store


def finding_key(f: Finding) -> str:
    return f"{f.rule}:{f.table}:{f.record}"


def workstream_of(store: Store, table: str, record: int | None) -> int | None:
    if record is None:
        return None
    cols = {r[1] for r in store.query(f'PRAGMA table_info("{table}")')}
    if "workstream_id" in cols:
        return store.scalar(f'SELECT workstream_id FROM "{table}" WHERE id = ?', (record,))
    if "case_id" in cols:
        return store.scalar(f'SELECT c.workstream_id FROM "{table}" t JOIN case_record c ON c.id = t.case_id '
                            f'WHERE t.id = ?', (record,))
    return None


def findings_for(store: Store, report: CheckReport, workstream_id: int) -> list[Finding]:
    return [f for f in report.findings if workstream_of(store, f.table, f.record) == workstream_id]


def sign_off(store: Store, workstream_id: int, as_of: str, reasons: dict[str, str] | None = None,
             today: _dt.date | None = None) -> int:
    actor = store.actor
    if actor is not None and not (actor.role == "办公室" or
                                  (actor.role == "专班填报员" and actor.workstream_id == workstream_id)):
        raise PermissionDenied("只有办公室或本专班的账号可以为本专班台账签字")
    from models.checks_incremental import check
    report, _done = check(store, today)         # exact as a full run, checking again only what changed
    open_findings = findings_for(store, report, workstream_id)
    reasons = {k: v.strip() for k, v in (reasons or {}).items() if v and v.strip()}
    missing = [f for f in open_findings if finding_key(f) not in reasons]
    if missing:
        raise ValueError(f"还有 {len(missing)} 处审核问题未说明理由，不能签字（例如：{missing[0].label} {missing[0].message}）")
    detail = [{**f.to_json(), "reason": reasons[finding_key(f)]} for f in open_findings]
    with store.tx(label="审核签字"):
        return store.insert("signoff", {"workstream_id": workstream_id, "as_of": as_of, "signed_by": store.user,
                                        "passed": 0 if open_findings else 1,
                                        "findings_json": json.dumps(detail, ensure_ascii=False)})


def signoffs(store: Store) -> list[dict]:
    """The latest sign-off of each workstream (for reports: who signed and when). ``signed_by``
    is the account's username as stored; ``signer`` the person's name as reports print it (the
    account's display name, else the username)."""
    rows = [dict(r) for r in store.query(
        "SELECT w.id AS workstream_id, w.name AS workstream, s.id AS signoff_id, s.as_of, s.signed_by, s.signed_at, s.passed, "
        "s.findings_json FROM workstream w LEFT JOIN signoff s ON s.id = (SELECT id FROM signoff x WHERE "
        "x.workstream_id = w.id AND x.revoked_at IS NULL ORDER BY x.signed_at DESC, x.id DESC LIMIT 1) "
        "ORDER BY w.sort, w.id")]
    names = display_names(store)
    for r in rows:
        r["signer"] = names.get(r["signed_by"]) or r["signed_by"]
    return rows


def display_names(store: Store) -> dict[str, str]:
    """username → the person's display name, for every account (a turned-off one too: it may
    have signed); empty on a database without accounts."""
    if not store.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'account'"):
        return {}
    return {r[0]: r[1] for r in store.query("SELECT username, display_name FROM account "
                                            "WHERE COALESCE(display_name, '') != '' ORDER BY active, id")}


def changed_after_signoff(store: Store) -> list[dict]:
    """Audited changes to signed records made after the signature (with their reasons)."""
    out = []
    for s in signoffs(store):
        if not s["signoff_id"]:
            continue
        # the audit row of the signature itself marks the boundary (finer than a timestamp)
        boundary = store.scalar("SELECT MAX(id) FROM audit_log WHERE table_name = 'signoff' AND record_id = ?",
                                (s["signoff_id"],), 0)
        for r in store.query("SELECT a.at, a.user, a.table_name, a.record_id, a.action, a.reason FROM audit_log a "
                             "WHERE a.id > ? AND a.table_name IN ('case_record', 'worker', 'repayment') "
                             "AND a.action IN ('update', 'delete', 'recycle', 'restore') ORDER BY a.id",
                             (boundary,)):
            if workstream_of(store, r["table_name"], r["record_id"]) == s["workstream_id"]:
                out.append({**dict(r), "workstream": s["workstream"]})
    return out
