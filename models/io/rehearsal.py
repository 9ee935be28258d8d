"""An import rehearsed: the ledger's write rules run over a copy of a plan's rows in a
transaction that is rolled back, so a check (``import --dry-run``, the import window's 检查)
refuses the rows the real import would refuse — a repayment above what is still owed, two
payments that together exceed it, a status the flow does not allow — and nothing is written.

    refusal = rehearse(store, plan)             # '' or why the whole import would be refused
    plan.rows[i].problems                       # now also the rules' problems

``write=False`` runs the rules only (``ImportWrite.prepare``: fast, for the window's check of a
large file); with ``write=True`` the rows are written too, as the real commit writes them, so the
database's own guards (permission, signed ledgers) answer as well."""
from __future__ import annotations

import copy
import dataclasses
import sqlite3

from models.db import PermissionDenied, Store
from models.io.importer import commit_import
from models.io.plan import ImportPlan, row_problem
from models.ledger.service import ImportWrite, service_for


def rehearse(store: Store, plan: ImportPlan, reason: str = "", *, write: bool = True) -> str:
    """Run the plan's rows through the ledger's rules (and with ``write`` the commit) and roll
    back. Problems found are added to ``plan``'s rows (their action then ``reject``). Returns
    one Chinese line when the import as a whole would be refused, else ''. ``reason``: the
    user's 修改理由, as the import will be given it (with none, a signed ledger's rows are
    refused as the import would refuse them)."""
    if plan.fatal or plan.check_only or not plan.rows:
        return ""
    trial = copy.copy(plan)
    trial.rows = [dataclasses.replace(r, values=dict(r.values), problems=list(r.problems),
                                      changes=dict(r.changes) if r.changes is not None else None)
                  for r in plan.rows]
    trial.matched = None
    conn = store.conn
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN IMMEDIATE")
    else:
        conn.execute("SAVEPOINT qq_rehearsal")
    refusal = ""
    try:
        if write:
            commit_import(store, trial, accept_partial=True, reason=reason)
        else:
            ImportWrite(service_for(store, plan.kind), trial.rows, users_reason=reason,
                        problem=row_problem(plan)).prepare()
    except PermissionDenied as exc:
        refusal = f"实际导入会被拒绝：{exc}"
    except sqlite3.IntegrityError as exc:
        text = str(exc)
        refusal = f"实际导入会被拒绝：{store.last_denial or text}" if text.startswith(("无权", "已签字")) \
            else f"实际导入会失败：{text}"
    finally:
        if began:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        else:
            conn.execute("ROLLBACK TO SAVEPOINT qq_rehearsal")
            conn.execute("RELEASE SAVEPOINT qq_rehearsal")
    for row, tried in zip(plan.rows, trial.rows):
        found = tried.problems[len(row.problems):]
        if found:
            row.problems.extend(found)
            row.action = "reject"
    plan.matched = None                 # the rehearsal's writes (rolled back) count as changes
    return refusal
