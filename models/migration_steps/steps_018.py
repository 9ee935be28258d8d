"""Step 18: the trigram search indexes keep no column sizes. Frozen: see ``models.migration_steps``.

FTS5 stores, for every indexed record, the number of terms in each of its columns (the
``*_docsize`` table), for its ``bm25`` ranking. The program never ranks a search (results come
in ledger order), so the sizes were written for nothing: one extra row written for every
record added, a quarter of the time a 100,000-row import spends on the worker index. The two
indexes are made again with ``columnsize=0`` and filled from their tables; what a search finds
does not change.
"""
from __future__ import annotations

import sqlite3

from models.migration_steps import split_sql

M018 = r"""
DROP TABLE IF EXISTS case_fts;
CREATE VIRTUAL TABLE case_fts USING fts5(
    case_no, employer_name, project_name, summary, owner_person,
    content='case_record', content_rowid='id', tokenize='trigram', columnsize=0);
DROP TABLE IF EXISTS worker_fts;
CREATE VIRTUAL TABLE worker_fts USING fts5(
    name, id_number, trade, content='worker', content_rowid='id', tokenize='trigram', columnsize=0);
"""
HASHSIZE = 16 * 1024 * 1024     # as step 5 set it


def m018(conn: sqlite3.Connection) -> None:
    for stmt in split_sql(M018):
        conn.execute(stmt)
    for table in ("case_fts", "worker_fts"):
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', ?)", (HASHSIZE,))
        conn.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
