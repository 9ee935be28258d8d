"""Step 16: the roll-up, repayment and search-index triggers are dropped. Frozen: see
``models.migration_steps``.

What a write to the worker, repayment or case ledger does to other records (a worker's figures
into their case, a repayment into its worker or case, a new repayment's date into the case's
latest activity, the trigram search indexes) is done by ``models.ledger.effects`` on every path,
set-based, once: the form and the services, the row and the bulk import, the liaison's returns,
the recycle bin. Until this step the per-row triggers below did it on some paths while the bulk
import and the demo did it again in their own SQL. The stored figures and indexes are not
touched: they are right, and from now on the effects keep them so. The triggers that remain are
the ones that must hold even for a raw write: audit, guards and ``case_touch``.
"""
from __future__ import annotations

import sqlite3

from models.migration_steps import split_sql

M016 = r"""
DROP TRIGGER IF EXISTS worker_roll_insert;
DROP TRIGGER IF EXISTS worker_roll_update;
DROP TRIGGER IF EXISTS worker_roll_delete;
DROP TRIGGER IF EXISTS repayment_apply_insert;
DROP TRIGGER IF EXISTS repayment_apply_update;
DROP TRIGGER IF EXISTS repayment_apply_delete;
DROP TRIGGER IF EXISTS repayment_activity;
DROP TRIGGER IF EXISTS worker_fts_ai;
DROP TRIGGER IF EXISTS worker_fts_au;
DROP TRIGGER IF EXISTS worker_fts_ad;
DROP TRIGGER IF EXISTS case_fts_ai;
DROP TRIGGER IF EXISTS case_fts_au;
DROP TRIGGER IF EXISTS case_fts_ad;
"""


def m016(conn: sqlite3.Connection) -> None:
    for stmt in split_sql(M016):
        conn.execute(stmt)
