"""Step 18: the trigram search indexes keep which records hold each run of three characters,
and nothing more. Frozen: see ``models.migration_steps``.

FTS5 stored, besides the records holding each three-character run, where in each record the
run stands (for phrase queries) and the number of runs in each column (the ``*_docsize``
table, for ``bm25`` ranking). The program never ranks a search (results come in ledger
order), and a search now finds the records holding every run of its text and keeps those
holding the text itself (``models.ledger.repo``: ``detail=none``, ``columnsize=0``): the
positions and sizes were most of what an insert wrote into the index (a 100,000-row import:
0.30-0.40 s -> 0.18-0.19 s for the worker index; the index is a quarter of its size). The two
indexes are made again and filled from their tables.
"""
from __future__ import annotations

import sqlite3

from models.migration_steps import split_sql

M018 = r"""
DROP TABLE IF EXISTS case_fts;
CREATE VIRTUAL TABLE case_fts USING fts5(
    case_no, employer_name, project_name, summary, owner_person,
    content='case_record', content_rowid='id', tokenize='trigram', columnsize=0, detail=none);
DROP TABLE IF EXISTS worker_fts;
CREATE VIRTUAL TABLE worker_fts USING fts5(
    name, id_number, trade, content='worker', content_rowid='id', tokenize='trigram', columnsize=0, detail=none);
"""
HASHSIZE = 16 * 1024 * 1024     # as step 5 set it


def m018(conn: sqlite3.Connection) -> None:
    for stmt in split_sql(M018):
        conn.execute(stmt)
    for table in ("case_fts", "worker_fts"):
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', ?)", (HASHSIZE,))
        conn.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
