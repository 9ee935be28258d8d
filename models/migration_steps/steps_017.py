"""Step 17: an index on ``case_record.updated_at``. Frozen: see ``models.migration_steps``.

The check after an edit (``models.checks_incremental``) asks which cases were touched since the
last check (``updated_at`` later than the newest it saw, set by the ``case_touch`` trigger) and
what the newest touch is: without an index each was a scan of every case (two on a county's
100,000 cases, every time the check or a report ran after an edit).
"""
from __future__ import annotations

import sqlite3

from models.migration_steps import split_sql

M017 = r"""
CREATE INDEX IF NOT EXISTS case_updated ON case_record(updated_at);
"""


def m017(conn: sqlite3.Connection) -> None:
    for stmt in split_sql(M017):
        conn.execute(stmt)
