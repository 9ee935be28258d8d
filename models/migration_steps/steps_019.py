"""Step 19: contract payments get a dated record of their own, and every audited table's triggers
are brought to generator version 2. Frozen: see ``models.migration_steps``.

An instalment of a contract's repayment plan (``contract_instalment``) kept only its latest
payment date and the cumulative amount, so a report for a period put every earlier payment of
the instalment on the latest date. ``contract_payment`` holds each payment (登记还款) with its own
date and amount; the instalment's 实还日期 / 实还金额 stay as the latest date and the sum. An
instalment already paid is carried over as one payment of what it records, on its 实还日期 (its
计划还款日期 when it has none).

Generator version 2 (``triggers_v2``): the signed-ledger lock leaves the ``account`` table
alone (log-in bookkeeping), and an advance's recovery, a contract's instalment and an
instalment's payment belong to their parent's workstream.
"""
from __future__ import annotations

import sqlite3

from models.migration_steps import reinstall_all, split_sql, triggers_v2
from models.migration_steps.steps_014_015 import LEDGERS_V1

M019 = r"""
CREATE TABLE IF NOT EXISTS contract_payment (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    instalment_id INTEGER NOT NULL REFERENCES contract_instalment(id),
    paid_on TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT (qq_now()),
    updated_at TEXT NOT NULL DEFAULT (qq_now()),
    deleted_at TEXT
);
CREATE INDEX IF NOT EXISTS contract_payment_instalment ON contract_payment(instalment_id);
CREATE INDEX IF NOT EXISTS contract_payment_date ON contract_payment(paid_on, deleted_at, amount_fen);
DROP TRIGGER IF EXISTS guard_contract_payment_insert;
DROP TRIGGER IF EXISTS audit_contract_payment_insert;
"""

# each instalment already paid: one payment of what it records (a second run adds nothing)
CARRY_OVER = r"""
INSERT INTO contract_payment(uuid, instalment_id, paid_on, amount_fen, notes, created_at, updated_at, deleted_at)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
             || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-'
             || hex(randomblob(6))),
       i.id, COALESCE(NULLIF(i.paid_on, ''), i.due_on), i.paid_amount_fen, '升级时按实还金额转入',
       i.created_at, i.updated_at, i.deleted_at
FROM contract_instalment i
WHERE i.paid_amount_fen > 0 AND COALESCE(NULLIF(i.paid_on, ''), i.due_on) IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM contract_payment p WHERE p.instalment_id = i.id)
ORDER BY i.id
"""


def m019(conn: sqlite3.Connection) -> None:
    for stmt in split_sql(M019):
        conn.execute(stmt)
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'contract_instalment'").fetchone():
        conn.execute(CARRY_OVER)
    reinstall_all(conn, triggers_v2, (*LEDGERS_V1, "contract_payment"))
