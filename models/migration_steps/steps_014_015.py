"""Step 14: the declared ledgers' tables, from a frozen description of their declarations; step
15: every audited table's triggers brought to generator version 1. Frozen: see
``models.migration_steps``.

Before step 14, the tables of declared ledgers (funds, petitions, meetings …) were made on
every open from the declarations as they were that day, outside the schema version; a file
may hold any of them, with any earlier set of columns. Step 14 makes the missing tables and
adds the missing columns (with the references and indexes a new table has), so every
database at version 14 holds what ``LEDGERS_V1`` describes.
"""
from __future__ import annotations

import sqlite3

from models.migration_steps import has_column, reinstall_all, table_exists, triggers_v1

# table -> its declared columns in order: (name, SQL type with its reference, indexed). Every
# table also has id, uuid, created_at, updated_at and deleted_at (``_create``).
LEDGERS_V1 = {
    'advance': (
        ('advance_no', "TEXT NOT NULL DEFAULT ''", True),
        ('source', "TEXT NOT NULL DEFAULT ''", True),
        ('fund_id', 'INTEGER REFERENCES "fund"(id)', True),
        ('deposit_ref', "TEXT NOT NULL DEFAULT ''", False),
        ('case_id', 'INTEGER REFERENCES "case_record"(id)', True),
        ('employer_id', 'INTEGER REFERENCES "employer"(id)', True),
        ('amount_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('advanced_on', 'TEXT', True),
        ('workers_paid', 'INTEGER NOT NULL DEFAULT 0', False),
        ('responsible', "TEXT NOT NULL DEFAULT ''", False),
        ('workstream_id', 'INTEGER REFERENCES "workstream"(id)', True),
        ('written_off_on', 'TEXT', True),
        ('writeoff_reason', "TEXT NOT NULL DEFAULT ''", False),
        ('repayment_ids', "TEXT NOT NULL DEFAULT ''", False),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'advance_recovery': (
        ('advance_id', 'INTEGER REFERENCES "advance"(id)', True),
        ('recovered_on', 'TEXT', True),
        ('amount_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('payer', "TEXT NOT NULL DEFAULT ''", False),
        ('voucher_no', "TEXT NOT NULL DEFAULT ''", False),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'asset_item': (
        ('item_no', "TEXT NOT NULL DEFAULT ''", True),
        ('category', "TEXT NOT NULL DEFAULT ''", True),
        ('name', "TEXT NOT NULL DEFAULT ''", False),
        ('location', "TEXT NOT NULL DEFAULT ''", False),
        ('workstream_id', 'INTEGER REFERENCES "workstream"(id)', True),
        ('owner_person', "TEXT NOT NULL DEFAULT ''", False),
        ('stage', "TEXT NOT NULL DEFAULT ''", True),
        ('stage_on', 'TEXT', True),
        ('area', 'INTEGER NOT NULL DEFAULT 0', False),
        ('appraised_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('method', "TEXT NOT NULL DEFAULT ''", False),
        ('applied_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('income_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('fund_id', 'INTEGER REFERENCES "fund"(id)', True),
        ('progress_note', "TEXT NOT NULL DEFAULT ''", False),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'attachment': (
        ('record_label', "TEXT NOT NULL DEFAULT ''", False),
        ('evidence', "TEXT NOT NULL DEFAULT ''", True),
        ('file_name', "TEXT NOT NULL DEFAULT ''", False),
        ('mime', "TEXT NOT NULL DEFAULT ''", False),
        ('size_bytes', 'INTEGER NOT NULL DEFAULT 0', False),
        ('sha256', "TEXT NOT NULL DEFAULT ''", True),
        ('record_table', "TEXT NOT NULL DEFAULT ''", False),
        ('record_uuid', "TEXT NOT NULL DEFAULT ''", True),
        ('workstream_id', 'INTEGER REFERENCES "workstream"(id)', True),
        ('added_by', "TEXT NOT NULL DEFAULT ''", False),
        ('added_on', 'TEXT', True),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'project_roster': (
        ('project_id', 'INTEGER REFERENCES "project"(id)', True),
        ('name', "TEXT NOT NULL DEFAULT ''", True),
        ('id_number', "TEXT NOT NULL DEFAULT ''", True),
        ('team', "TEXT NOT NULL DEFAULT ''", False),
        ('trade', "TEXT NOT NULL DEFAULT ''", False),
        ('phone', "TEXT NOT NULL DEFAULT ''", False),
        ('bank_card', "TEXT NOT NULL DEFAULT ''", False),
        ('entered_on', 'TEXT', True),
        ('left_on', 'TEXT', True),
        ('contract_signed', 'INTEGER NOT NULL DEFAULT 0', False),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'project_attendance': (
        ('project_id', 'INTEGER REFERENCES "project"(id)', True),
        ('month', "TEXT NOT NULL DEFAULT ''", True),
        ('name', "TEXT NOT NULL DEFAULT ''", True),
        ('id_number', "TEXT NOT NULL DEFAULT ''", True),
        ('team', "TEXT NOT NULL DEFAULT ''", False),
        ('days', 'INTEGER NOT NULL DEFAULT 0', False),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'blacklist_entry': (
        ('employer_name', "TEXT NOT NULL DEFAULT ''", True),
        ('credit_code', "TEXT NOT NULL DEFAULT ''", False),
        ('legal_person', "TEXT NOT NULL DEFAULT ''", False),
        ('reason', "TEXT NOT NULL DEFAULT ''", False),
        ('reported_on', 'TEXT', True),
        ('listed_on', 'TEXT', True),
        ('removed_on', 'TEXT', True),
        ('removal_reason', "TEXT NOT NULL DEFAULT ''", False),
        ('case_nos', "TEXT NOT NULL DEFAULT ''", False),
        ('workstream_id', 'INTEGER REFERENCES "workstream"(id)', True),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'certificate': (
        ('cert_no', "TEXT NOT NULL DEFAULT ''", True),
        ('cert_kind', "TEXT NOT NULL DEFAULT ''", True),
        ('employer_name', "TEXT NOT NULL DEFAULT ''", False),
        ('project_name', "TEXT NOT NULL DEFAULT ''", False),
        ('as_of', 'TEXT', True),
        ('issued_on', 'TEXT', True),
        ('cases_count', 'INTEGER NOT NULL DEFAULT 0', False),
        ('workers', 'INTEGER NOT NULL DEFAULT 0', False),
        ('cleared_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('purpose', "TEXT NOT NULL DEFAULT ''", False),
        ('issued_by', "TEXT NOT NULL DEFAULT ''", False),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'contract_arrear': (
        ('arrear_no', "TEXT NOT NULL DEFAULT ''", True),
        ('project_name', "TEXT NOT NULL DEFAULT ''", False),
        ('owner_unit', "TEXT NOT NULL DEFAULT ''", False),
        ('contractor', "TEXT NOT NULL DEFAULT ''", False),
        ('gov_invested', 'INTEGER NOT NULL DEFAULT 0', True),
        ('contract_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('settled_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('paid_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('labour_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('workstream_id', 'INTEGER REFERENCES "workstream"(id)', True),
        ('owner_person', "TEXT NOT NULL DEFAULT ''", False),
        ('case_nos', "TEXT NOT NULL DEFAULT ''", False),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'contract_instalment': (
        ('contract_id', 'INTEGER REFERENCES "contract_arrear"(id)', True),
        ('seq', 'INTEGER NOT NULL DEFAULT 0', True),
        ('due_on', 'TEXT', True),
        ('amount_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('paid_on', 'TEXT', True),
        ('paid_amount_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'daily_report': (
        ('report_on', 'TEXT', True),
        ('workstream_id', 'INTEGER REFERENCES "workstream"(id)', True),
        ('is_zero', 'INTEGER NOT NULL DEFAULT 0', True),
        ('new_cases', 'INTEGER NOT NULL DEFAULT 0', False),
        ('new_petitions', 'INTEGER NOT NULL DEFAULT 0', False),
        ('new_resolved', 'INTEGER NOT NULL DEFAULT 0', False),
        ('repaid_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
        ('reporter', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'work_document': (
        ('doc_kind', "TEXT NOT NULL DEFAULT ''", True),
        ('workstream_id', 'INTEGER REFERENCES "workstream"(id)', True),
        ('title', "TEXT NOT NULL DEFAULT ''", True),
        ('version', 'INTEGER NOT NULL DEFAULT 0', True),
        ('dated', 'TEXT', True),
        ('doc_no', "TEXT NOT NULL DEFAULT ''", False),
        ('file_name', "TEXT NOT NULL DEFAULT ''", False),
        ('content', "TEXT NOT NULL DEFAULT ''", False),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'employer_plan': (
        ('employer_id', 'INTEGER REFERENCES "employer"(id)', True),
        ('measure', "TEXT NOT NULL DEFAULT ''", True),
        ('responsible', "TEXT NOT NULL DEFAULT ''", False),
        ('workstream_id', 'INTEGER REFERENCES "workstream"(id)', True),
        ('start_on', 'TEXT', True),
        ('due_on', 'TEXT', True),
        ('progress_pct', 'INTEGER NOT NULL DEFAULT 0', False),
        ('progress', "TEXT NOT NULL DEFAULT ''", False),
        ('status', "TEXT NOT NULL DEFAULT ''", True),
        ('done_on', 'TEXT', True),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'fund': (
        ('fund_no', "TEXT NOT NULL DEFAULT ''", True),
        ('channel', "TEXT NOT NULL DEFAULT ''", True),
        ('source', "TEXT NOT NULL DEFAULT ''", False),
        ('workstream_id', 'INTEGER REFERENCES "workstream"(id)', True),
        ('planned_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('received_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('received_on', 'TEXT', True),
        ('account', "TEXT NOT NULL DEFAULT ''", False),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'fund_allocation': (
        ('fund_id', 'INTEGER REFERENCES "fund"(id)', True),
        ('case_id', 'INTEGER REFERENCES "case_record"(id)', True),
        ('worker_id', 'INTEGER REFERENCES "worker"(id)', True),
        ('amount_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('allocated_on', 'TEXT', True),
        ('repayment_id', 'INTEGER REFERENCES "repayment"(id)', True),
        ('advance_id', 'INTEGER REFERENCES "advance"(id)', True),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'inspection': (
        ('insp_no', "TEXT NOT NULL DEFAULT ''", True),
        ('inspected_on', 'TEXT', True),
        ('target_type', "TEXT NOT NULL DEFAULT ''", True),
        ('target_name', "TEXT NOT NULL DEFAULT ''", False),
        ('status', "TEXT NOT NULL DEFAULT ''", True),
        ('real_name', 'INTEGER NOT NULL DEFAULT 0', False),
        ('wage_account', 'INTEGER NOT NULL DEFAULT 0', False),
        ('gc_pays', 'INTEGER NOT NULL DEFAULT 0', False),
        ('deposit', 'INTEGER NOT NULL DEFAULT 0', False),
        ('notice_board', 'INTEGER NOT NULL DEFAULT 0', False),
        ('paid_in_full', 'INTEGER NOT NULL DEFAULT 0', False),
        ('hazard', "TEXT NOT NULL DEFAULT ''", False),
        ('measures', "TEXT NOT NULL DEFAULT ''", False),
        ('rectify_by', 'TEXT', True),
        ('closed_on', 'TEXT', True),
        ('inspectors', "TEXT NOT NULL DEFAULT ''", False),
        ('workstream_id', 'INTEGER REFERENCES "workstream"(id)', True),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'meeting': (
        ('meeting_no', 'INTEGER NOT NULL DEFAULT 0', True),
        ('date', 'TEXT', True),
        ('time_text', "TEXT NOT NULL DEFAULT ''", False),
        ('kind', "TEXT NOT NULL DEFAULT ''", True),
        ('title', "TEXT NOT NULL DEFAULT ''", False),
        ('place', "TEXT NOT NULL DEFAULT ''", False),
        ('host', "TEXT NOT NULL DEFAULT ''", False),
        ('recorder', "TEXT NOT NULL DEFAULT ''", False),
        ('attendees_present', "TEXT NOT NULL DEFAULT ''", False),
        ('absent_with_reason', "TEXT NOT NULL DEFAULT ''", False),
        ('attending_nonvoting', "TEXT NOT NULL DEFAULT ''", False),
        ('since_date', 'TEXT', True),
        ('agenda', "TEXT NOT NULL DEFAULT ''", False),
        ('body', "TEXT NOT NULL DEFAULT ''", False),
        ('status', "TEXT NOT NULL DEFAULT ''", True),
        ('closed_at', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'action_item': (
        ('meeting_id', 'INTEGER REFERENCES "meeting"(id)', True),
        ('decision_no', 'INTEGER NOT NULL DEFAULT 0', False),
        ('content', "TEXT NOT NULL DEFAULT ''", False),
        ('workstream_id', 'INTEGER REFERENCES "workstream"(id)', True),
        ('owner_person', "TEXT NOT NULL DEFAULT ''", False),
        ('due_date', 'TEXT', True),
        ('status', "TEXT NOT NULL DEFAULT ''", True),
        ('closed_on', 'TEXT', True),
        ('progress', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'meeting_report': (
        ('meeting_id', 'INTEGER REFERENCES "meeting"(id)', True),
        ('workstream_id', 'INTEGER REFERENCES "workstream"(id)', True),
        ('figures_json', "TEXT NOT NULL DEFAULT ''", False),
        ('frozen_at', "TEXT NOT NULL DEFAULT ''", False),
        ('report_text', "TEXT NOT NULL DEFAULT ''", False),
        ('problems', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'project_payroll': (
        ('project_id', 'INTEGER REFERENCES "project"(id)', True),
        ('month', "TEXT NOT NULL DEFAULT ''", True),
        ('name', "TEXT NOT NULL DEFAULT ''", True),
        ('id_number', "TEXT NOT NULL DEFAULT ''", True),
        ('team', "TEXT NOT NULL DEFAULT ''", False),
        ('days', 'INTEGER NOT NULL DEFAULT 0', False),
        ('payable_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('paid_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('bank_card', "TEXT NOT NULL DEFAULT ''", False),
        ('paid_on', 'TEXT', True),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'petition': (
        ('visited_on', 'TEXT', True),
        ('petitioner', "TEXT NOT NULL DEFAULT ''", True),
        ('people_count', 'INTEGER NOT NULL DEFAULT 0', False),
        ('phone', "TEXT NOT NULL DEFAULT ''", True),
        ('channel', "TEXT NOT NULL DEFAULT ''", True),
        ('demand', "TEXT NOT NULL DEFAULT ''", False),
        ('employer_name', "TEXT NOT NULL DEFAULT ''", False),
        ('case_id', 'INTEGER REFERENCES "case_record"(id)', True),
        ('workstream_id', 'INTEGER REFERENCES "workstream"(id)', True),
        ('reply', "TEXT NOT NULL DEFAULT ''", False),
        ('result', "TEXT NOT NULL DEFAULT ''", True),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
    'workstream_target': (
        ('workstream_id', 'INTEGER REFERENCES "workstream"(id)', True),
        ('due_on', 'TEXT', True),
        ('sure_pct', 'INTEGER NOT NULL DEFAULT 0', False),
        ('strive_pct', 'INTEGER NOT NULL DEFAULT 0', False),
        ('sure_cases', 'INTEGER NOT NULL DEFAULT 0', False),
        ('strive_cases', 'INTEGER NOT NULL DEFAULT 0', False),
        ('amount_basis', "TEXT NOT NULL DEFAULT ''", True),
        ('sure_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('strive_fen', 'INTEGER NOT NULL DEFAULT 0', False),
        ('notes', "TEXT NOT NULL DEFAULT ''", False),
    ),
}


def _index(table: str, name: str) -> str:
    return f'CREATE INDEX IF NOT EXISTS "{table}_{name}" ON "{table}"("{name}")'


def _create(table: str, columns: tuple) -> str:
    cols = ["id INTEGER PRIMARY KEY", "uuid TEXT NOT NULL UNIQUE"]
    cols += [f'"{name}" {sql_type}' for name, sql_type, _indexed in columns]
    cols += ["created_at TEXT NOT NULL DEFAULT (qq_now())",
             "updated_at TEXT NOT NULL DEFAULT (qq_now())", "deleted_at TEXT"]
    return f'CREATE TABLE "{table}" (\n    ' + ",\n    ".join(cols) + "\n)"


def m014(conn: sqlite3.Connection) -> None:
    """Every table ``LEDGERS_V1`` describes, with all its columns and indexes, audited and
    guarded: a missing table is made, a missing column added (a column a file has that the
    description lacks is left as it is)."""
    for table, columns in LEDGERS_V1.items():
        if not table_exists(conn, table):
            conn.execute(_create(table, columns))
        else:
            for name, sql_type, _indexed in columns:
                if not has_column(conn, table, name):
                    conn.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {sql_type}')
        for name, _sql_type, indexed in columns:
            if indexed:
                conn.execute(_index(table, name))
        triggers_v1.install(conn, table)


def m015(conn: sqlite3.Connection) -> None:
    """Every audited table's audit and guard triggers made by generator version 1, whatever
    version of the program made them before (until step 14 they were made again on every
    upgrade by the generator of the day)."""
    reinstall_all(conn, triggers_v1, tuple(LEDGERS_V1))
