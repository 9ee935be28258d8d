"""一企一策: everything the ledgers hold about one employer, on one page — its wage cases and
arrears (owed, paid, outstanding), the contract arrears where it is the owner or the contractor
and their repayment plans, its blacklist status, inspections and hazards, petitions, advances
and their recovery, and its 一企一策 measures (models.ledgers.employer_plans).

Cases belong to an employer by ``employer_id``, or by the same ``employer_name`` when a case
carries no id (models.ledgers.employers.case_match_sql); the other ledgers name the employer
by its name."""
from __future__ import annotations

import datetime as _dt

from models.db import Store
from models.ledgers.employers import EXCLUDED, blacklist_sql, case_match_sql


def list_employers(store: Store, search: str = "", limit: int = 2000) -> list[dict]:
    """Employers with their case count and outstanding wages, most outstanding first."""
    where, params = "", []
    if search.strip():
        where = "WHERE e.name LIKE ? OR e.credit_code LIKE ? OR e.legal_person LIKE ?"
        params = [f"%{search.strip()}%"] * 3
    return [dict(r) for r in store.query(
        f"SELECT e.id, e.name, e.credit_code, "
        f"(SELECT COUNT(*) FROM case_record c WHERE {case_match_sql('e')}) AS case_count, "
        f"(SELECT COALESCE(SUM(c.total_owed_fen - c.total_paid_fen), 0) FROM case_record c "
        f" WHERE {case_match_sql('e')} AND c.status != '{EXCLUDED}') AS outstanding_fen, "
        f"(SELECT COUNT(*) FROM employer_plan p WHERE p.employer_id = e.id AND p.deleted_at IS NULL) AS plans, "
        f"{blacklist_sql('e')} AS blacklist_status "
        f"FROM employer e {where} ORDER BY outstanding_fen DESC, e.name LIMIT ?", (*params, limit))]


def find_employer(store: Store, text: str) -> dict | None:
    """An employer by its exact name, its credit code, or the one name containing ``text``."""
    text = (text or "").strip()
    if not text:
        return None
    row = store.one("SELECT * FROM employer WHERE name = ? OR (credit_code != '' AND credit_code = ?)", (text, text))
    if row is None:
        rows = store.query("SELECT * FROM employer WHERE name LIKE ? LIMIT 2", (f"%{text}%",))
        row = rows[0] if len(rows) == 1 else None
    return dict(row) if row is not None else None


def employer_page(store: Store, employer_id: int, today: _dt.date) -> dict:
    """The one page of an employer, as data (the page, the printout and ``employer show --json``)."""
    from models.advances import advance_rows
    from models.ledgers.contract_arrears import owed_sql, status_sql as contract_status_sql
    e = store.one("SELECT * FROM employer WHERE id = ?", (employer_id,))
    if e is None:
        raise LookupError("该用人单位不存在")
    e = dict(e)
    name = e["name"]
    cases = [dict(r) for r in store.query(
        f"SELECT c.id, c.case_no, c.registered_on, c.project_name, c.total_workers, c.total_owed_fen AS owed_fen, "
        f"c.total_paid_fen AS paid_fen, c.total_owed_fen - c.total_paid_fen AS outstanding_fen, c.status, "
        f"c.owner_person, c.deadline, (SELECT w.name FROM workstream w WHERE w.id = c.workstream_id) AS workstream "
        f"FROM case_record c JOIN employer e ON e.id = ? WHERE {case_match_sql('e')} "
        f"ORDER BY c.registered_on, c.id", (employer_id,))]
    # the amounts leave out the cases found 不存在欠薪 (no money, no workers), as the figures do
    counted = [c for c in cases if c["status"] != EXCLUDED]
    totals = {"cases": len(cases), "counted_cases": len(counted),
              "workers": sum(c["total_workers"] or 0 for c in counted),
              "owed_fen": sum(c["owed_fen"] for c in counted), "paid_fen": sum(c["paid_fen"] for c in counted),
              "outstanding_fen": sum(c["outstanding_fen"] for c in counted),
              "open_cases": sum(1 for c in counted if c["outstanding_fen"] > 0)}
    for c in cases:
        c["counted"] = c["status"] != EXCLUDED
    contracts = [dict(r) for r in store.query(
        f"SELECT t.id, t.arrear_no, t.project_name, t.owner_unit, t.contractor, t.contract_fen, t.settled_fen, "
        f"t.paid_fen, {owed_sql('t')} AS owed_fen, t.labour_fen, {contract_status_sql('t')} AS status, "
        f"CASE WHEN t.owner_unit = ? THEN '建设单位' ELSE '施工单位' END AS role "
        f"FROM contract_arrear t WHERE t.deleted_at IS NULL AND (t.owner_unit = ? OR t.contractor = ?) "
        f"ORDER BY t.arrear_no", (name, name, name))]
    for c in contracts:
        c["instalments"] = [dict(r) for r in store.query(
            "SELECT seq, due_on, amount_fen, paid_on, paid_amount_fen FROM contract_instalment "
            "WHERE contract_id = ? AND deleted_at IS NULL ORDER BY seq", (c["id"],))]
    from models.ledgers.blacklist import removal_due_sql, status_sql as bl_status_sql
    blacklist = [dict(r) for r in store.query(
        f"SELECT t.id, t.reason, t.reported_on, t.listed_on, {removal_due_sql('t')} AS removal_due, t.removed_on, "
        f"t.removal_reason, {bl_status_sql('t')} AS status FROM blacklist_entry t "
        f"WHERE t.deleted_at IS NULL AND t.employer_name = ? ORDER BY t.reported_on", (name,))]
    inspections = [dict(r) for r in store.query(
        "SELECT id, insp_no, inspected_on, target_type, status, hazard, measures, rectify_by, closed_on, inspectors "
        "FROM inspection WHERE deleted_at IS NULL AND target_name = ? ORDER BY inspected_on, id", (name,))]
    case_ids = [c["id"] for c in cases]
    marks = ",".join("?" * len(case_ids)) or "NULL"
    petitions = [dict(r) for r in store.query(
        f"SELECT p.id, p.visited_on, p.petitioner, p.people_count, p.channel, p.demand, p.result, "
        f"(SELECT case_no FROM case_record c WHERE c.id = p.case_id) AS case_no FROM petition p "
        f"WHERE p.deleted_at IS NULL AND (p.employer_name = ? OR p.case_id IN ({marks})) "
        f"ORDER BY p.visited_on, p.id", (name, *case_ids))]
    advances = advance_rows(store, "AND a.employer_id = ?", (employer_id,))
    plans = [dict(r) for r in store.query(
        "SELECT p.id, p.measure, p.responsible, p.start_on, p.due_on, p.progress_pct, p.progress, p.status, "
        "p.done_on, (SELECT w.name FROM workstream w WHERE w.id = p.workstream_id) AS workstream "
        "FROM employer_plan p WHERE p.employer_id = ? AND p.deleted_at IS NULL ORDER BY p.due_on, p.id",
        (employer_id,))]
    today_s = today.isoformat()
    for p in plans:
        p["overdue"] = p["status"] in ("未启动", "推进中") and bool(p["due_on"]) and p["due_on"] < today_s
    listed = [b for b in blacklist if b["status"] != "已移出"]
    return {
        "employer": e, "today": today_s, "cases": cases, "totals": totals, "contracts": contracts,
        "contract_owed_fen": sum(c["owed_fen"] for c in contracts),
        "blacklist": blacklist, "blacklist_status": listed[-1]["status"] if listed else
        ("已移出" if blacklist else "未列入"),
        "inspections": inspections,
        "open_hazards": sum(1 for i in inspections if i["status"] in ("待整改", "整改中")),
        "petitions": petitions, "advances": advances,
        "advance_fen": sum(a["amount_fen"] for a in advances),
        "advance_recovered_fen": sum(a["recovered_fen"] for a in advances),
        "advance_outstanding_fen": sum(a["outstanding_fen"] for a in advances),
        "plans": plans,
    }
