"""Step 1: the first schema (the ledger of cases, workers and repayments, the campaign and its
organisation, the audit log, the search indexes) and the verdict list. Frozen: see
``models.migration_steps``."""
from __future__ import annotations

import sqlite3

from models.migration_steps import run_script, triggers_v1

M001 = r"""
CREATE TABLE setting (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    value TEXT
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    table_name TEXT NOT NULL,
    record_id INTEGER,
    record_uuid TEXT,
    action TEXT NOT NULL,
    before TEXT,
    after TEXT,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_record ON audit_log(table_name, record_id);
CREATE INDEX audit_log_at ON audit_log(at);

CREATE TABLE campaign (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',            -- 填报单位, e.g. 青山镇人民政府
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    deadline_label TEXT NOT NULL DEFAULT '春节前',
    office_location TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    is_current INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL DEFAULT (qq_now()),
    updated_at TEXT NOT NULL DEFAULT (qq_now()),
    CHECK (end_date >= start_date)
);
CREATE TABLE campaign_phase (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    due_date TEXT NOT NULL,
    target_pct INTEGER NOT NULL CHECK (target_pct BETWEEN 0 AND 100),
    notes TEXT NOT NULL DEFAULT ''
);
CREATE TABLE person (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT ''
);
CREATE TABLE leading_group_member (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES person(id),
    role TEXT NOT NULL CHECK (role IN ('组长', '常务副组长', '副组长', '成员', '办公室主任')),
    sort INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE workstream (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    duties TEXT NOT NULL DEFAULT '',
    sort INTEGER NOT NULL DEFAULT 0,
    UNIQUE (campaign_id, name)
);
CREATE TABLE workstream_member (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    workstream_id INTEGER NOT NULL REFERENCES workstream(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES person(id),
    role TEXT NOT NULL CHECK (role IN ('组长', '副组长', '成员', '联络员')),
    sort INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE employer (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    credit_code TEXT NOT NULL DEFAULT '',
    legal_person TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT ''
);
CREATE TABLE project (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    owner_unit TEXT NOT NULL DEFAULT '',          -- 建设单位
    general_contractor TEXT NOT NULL DEFAULT '',  -- 总承包单位
    subcontractor TEXT NOT NULL DEFAULT '',       -- 分包单位
    gov_invested INTEGER NOT NULL DEFAULT 0 CHECK (gov_invested IN (0, 1)),
    contract_fen INTEGER NOT NULL DEFAULT 0 CHECK (contract_fen >= 0),
    deposit_fen INTEGER NOT NULL DEFAULT 0 CHECK (deposit_fen >= 0),  -- 工资保证金
    address TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT ''
);
CREATE TABLE verdict_option (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL UNIQUE,
    closes INTEGER NOT NULL DEFAULT 1,
    sort INTEGER NOT NULL DEFAULT 0
);

-- 欠薪问题 / 欠薪线索. "case" is an SQL keyword, hence case_record.
CREATE TABLE case_record (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    case_no TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL DEFAULT '其他',
    registered_on TEXT NOT NULL,
    industry_type TEXT NOT NULL DEFAULT '工程建设',
    industry TEXT NOT NULL DEFAULT '',
    employer_name TEXT NOT NULL DEFAULT '',
    employer_id INTEGER REFERENCES employer(id),
    project_name TEXT NOT NULL DEFAULT '',
    project_id INTEGER REFERENCES project(id),
    owner_unit TEXT NOT NULL DEFAULT '',
    general_contractor TEXT NOT NULL DEFAULT '',
    subcontractor TEXT NOT NULL DEFAULT '',
    gov_invested INTEGER NOT NULL DEFAULT 0,
    workers_count INTEGER NOT NULL DEFAULT 0 CHECK (workers_count >= 0),
    amount_fen INTEGER NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
    paid_fen INTEGER NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
    period_from TEXT,
    period_to TEXT,
    reason TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    workstream_id INTEGER REFERENCES workstream(id),
    owner_person TEXT NOT NULL DEFAULT '',
    deadline_days INTEGER,
    deadline TEXT,
    status TEXT NOT NULL DEFAULT '待核实',
    verdict TEXT NOT NULL DEFAULT '',
    resolved_count INTEGER NOT NULL DEFAULT 0 CHECK (resolved_count >= 0),
    resolved_fen INTEGER NOT NULL DEFAULT 0 CHECK (resolved_fen >= 0),
    resolution_path TEXT NOT NULL DEFAULT '',
    is_major INTEGER NOT NULL DEFAULT 0,
    is_sensitive INTEGER NOT NULL DEFAULT 0,
    flags_manual INTEGER NOT NULL DEFAULT 0,
    closed_on TEXT,
    notes TEXT NOT NULL DEFAULT '',
    -- kept by triggers on worker: what the listed workers add up to
    w_count INTEGER NOT NULL DEFAULT 0,
    w_owed_fen INTEGER NOT NULL DEFAULT 0,
    w_paid_fen INTEGER NOT NULL DEFAULT 0,
    status_changed_at TEXT NOT NULL DEFAULT (qq_now()),
    created_at TEXT NOT NULL DEFAULT (qq_now()),
    updated_at TEXT NOT NULL DEFAULT (qq_now()),
    deleted_at TEXT,
    -- where workers are listed, the case's totals come from them
    total_workers INTEGER GENERATED ALWAYS AS (CASE WHEN w_count > 0 THEN w_count ELSE workers_count END) VIRTUAL,
    total_owed_fen INTEGER GENERATED ALWAYS AS (CASE WHEN w_count > 0 THEN w_owed_fen ELSE amount_fen END) VIRTUAL,
    total_paid_fen INTEGER GENERATED ALWAYS AS (CASE WHEN w_count > 0 THEN w_paid_fen ELSE paid_fen END) VIRTUAL
);
CREATE INDEX case_status ON case_record(deleted_at, status, workstream_id);
CREATE INDEX case_ws ON case_record(workstream_id, status);
CREATE INDEX case_registered ON case_record(registered_on);
CREATE INDEX case_deadline ON case_record(deadline);
CREATE INDEX case_source ON case_record(source);
CREATE INDEX case_employer ON case_record(employer_name);

CREATE TABLE case_status_log (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES case_record(id) ON DELETE CASCADE,
    from_status TEXT,
    to_status TEXT NOT NULL,
    changed_on TEXT NOT NULL,
    user TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_status_log_case ON case_status_log(case_id);

CREATE TABLE worker (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    case_id INTEGER NOT NULL REFERENCES case_record(id),
    name TEXT NOT NULL,
    id_number TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    bank_card TEXT NOT NULL DEFAULT '',
    bank_name TEXT NOT NULL DEFAULT '',
    trade TEXT NOT NULL DEFAULT '',
    entered_on TEXT,
    left_on TEXT,
    owed_fen INTEGER NOT NULL DEFAULT 0 CHECK (owed_fen >= 0),
    paid_fen INTEGER NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
    signed INTEGER NOT NULL DEFAULT 0,
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT (qq_now()),
    updated_at TEXT NOT NULL DEFAULT (qq_now()),
    deleted_at TEXT,
    outstanding_fen INTEGER GENERATED ALWAYS AS (owed_fen - paid_fen) VIRTUAL
);
CREATE INDEX worker_case ON worker(case_id, deleted_at);
CREATE INDEX worker_id_number ON worker(id_number);
CREATE INDEX worker_name ON worker(name);
CREATE INDEX worker_owed ON worker(owed_fen);

CREATE TABLE repayment (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    case_id INTEGER NOT NULL REFERENCES case_record(id),
    worker_id INTEGER REFERENCES worker(id),
    paid_on TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    payer TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL DEFAULT '企业自行支付',
    voucher_no TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT (qq_now()),
    updated_at TEXT NOT NULL DEFAULT (qq_now()),
    deleted_at TEXT
);
CREATE INDEX repayment_case ON repayment(case_id);
CREATE INDEX repayment_worker ON repayment(worker_id);
CREATE INDEX repayment_date ON repayment(paid_on, deleted_at, amount_fen);

CREATE TABLE calendar_year (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL UNIQUE,
    schedule_text TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (qq_now())
);

-- Worker rows roll up into their case (skipped during bulk loads, which set the sums themselves).
CREATE TRIGGER worker_roll_insert AFTER INSERT ON worker WHEN qq_bulk() = 0 AND NEW.deleted_at IS NULL
BEGIN
    UPDATE case_record SET w_count = w_count + 1, w_owed_fen = w_owed_fen + NEW.owed_fen,
        w_paid_fen = w_paid_fen + NEW.paid_fen WHERE id = NEW.case_id;
END;
CREATE TRIGGER worker_roll_delete AFTER DELETE ON worker WHEN qq_bulk() = 0 AND OLD.deleted_at IS NULL
BEGIN
    UPDATE case_record SET w_count = w_count - 1, w_owed_fen = w_owed_fen - OLD.owed_fen,
        w_paid_fen = w_paid_fen - OLD.paid_fen WHERE id = OLD.case_id;
END;
CREATE TRIGGER worker_roll_update AFTER UPDATE OF owed_fen, paid_fen, deleted_at, case_id ON worker
WHEN qq_bulk() = 0
BEGIN
    UPDATE case_record SET w_count = w_count - 1, w_owed_fen = w_owed_fen - OLD.owed_fen,
        w_paid_fen = w_paid_fen - OLD.paid_fen WHERE id = OLD.case_id AND OLD.deleted_at IS NULL;
    UPDATE case_record SET w_count = w_count + 1, w_owed_fen = w_owed_fen + NEW.owed_fen,
        w_paid_fen = w_paid_fen + NEW.paid_fen WHERE id = NEW.case_id AND NEW.deleted_at IS NULL;
END;
-- A repayment to a worker raises that worker's paid amount; one to a case without listed
-- workers raises the case's paid amount.
CREATE TRIGGER repayment_apply_insert AFTER INSERT ON repayment WHEN qq_bulk() = 0 AND NEW.deleted_at IS NULL
BEGIN
    UPDATE worker SET paid_fen = paid_fen + NEW.amount_fen WHERE id = NEW.worker_id;
    UPDATE case_record SET paid_fen = paid_fen + NEW.amount_fen WHERE id = NEW.case_id AND NEW.worker_id IS NULL;
END;
CREATE TRIGGER repayment_apply_update AFTER UPDATE OF amount_fen, deleted_at, worker_id, case_id ON repayment
WHEN qq_bulk() = 0
BEGIN
    UPDATE worker SET paid_fen = paid_fen - OLD.amount_fen WHERE id = OLD.worker_id AND OLD.deleted_at IS NULL;
    UPDATE case_record SET paid_fen = paid_fen - OLD.amount_fen
        WHERE id = OLD.case_id AND OLD.worker_id IS NULL AND OLD.deleted_at IS NULL;
    UPDATE worker SET paid_fen = paid_fen + NEW.amount_fen WHERE id = NEW.worker_id AND NEW.deleted_at IS NULL;
    UPDATE case_record SET paid_fen = paid_fen + NEW.amount_fen
        WHERE id = NEW.case_id AND NEW.worker_id IS NULL AND NEW.deleted_at IS NULL;
END;
CREATE TRIGGER repayment_apply_delete AFTER DELETE ON repayment WHEN qq_bulk() = 0 AND OLD.deleted_at IS NULL
BEGIN
    UPDATE worker SET paid_fen = paid_fen - OLD.amount_fen WHERE id = OLD.worker_id;
    UPDATE case_record SET paid_fen = paid_fen - OLD.amount_fen WHERE id = OLD.case_id AND OLD.worker_id IS NULL;
END;
CREATE TRIGGER case_touch AFTER UPDATE ON case_record
WHEN qq_bulk() = 0 AND NEW.updated_at IS OLD.updated_at AND (
    OLD.status IS NOT NEW.status OR OLD.amount_fen IS NOT NEW.amount_fen OR OLD.paid_fen IS NOT NEW.paid_fen
    OR OLD.verdict IS NOT NEW.verdict OR OLD.workstream_id IS NOT NEW.workstream_id
    OR OLD.owner_person IS NOT NEW.owner_person OR OLD.summary IS NOT NEW.summary
    OR OLD.w_owed_fen IS NOT NEW.w_owed_fen OR OLD.w_paid_fen IS NOT NEW.w_paid_fen
    OR OLD.deleted_at IS NOT NEW.deleted_at OR OLD.notes IS NOT NEW.notes)
BEGIN
    UPDATE case_record SET updated_at = qq_now() WHERE id = NEW.id;
END;

-- Chinese text search: trigram tokens find any 3+ character substring.
CREATE VIRTUAL TABLE case_fts USING fts5(
    case_no, employer_name, project_name, summary, owner_person,
    content='case_record', content_rowid='id', tokenize='trigram');
CREATE TRIGGER case_fts_ai AFTER INSERT ON case_record BEGIN
    INSERT INTO case_fts(rowid, case_no, employer_name, project_name, summary, owner_person)
    VALUES (NEW.id, NEW.case_no, NEW.employer_name, NEW.project_name, NEW.summary, NEW.owner_person);
END;
CREATE TRIGGER case_fts_ad AFTER DELETE ON case_record BEGIN
    INSERT INTO case_fts(case_fts, rowid, case_no, employer_name, project_name, summary, owner_person)
    VALUES ('delete', OLD.id, OLD.case_no, OLD.employer_name, OLD.project_name, OLD.summary, OLD.owner_person);
END;
CREATE TRIGGER case_fts_au AFTER UPDATE OF case_no, employer_name, project_name, summary, owner_person
ON case_record BEGIN
    INSERT INTO case_fts(case_fts, rowid, case_no, employer_name, project_name, summary, owner_person)
    VALUES ('delete', OLD.id, OLD.case_no, OLD.employer_name, OLD.project_name, OLD.summary, OLD.owner_person);
    INSERT INTO case_fts(rowid, case_no, employer_name, project_name, summary, owner_person)
    VALUES (NEW.id, NEW.case_no, NEW.employer_name, NEW.project_name, NEW.summary, NEW.owner_person);
END;
CREATE VIRTUAL TABLE worker_fts USING fts5(
    name, id_number, phone, trade, content='worker', content_rowid='id', tokenize='trigram');
CREATE TRIGGER worker_fts_ai AFTER INSERT ON worker WHEN qq_bulk() = 0 BEGIN
    INSERT INTO worker_fts(rowid, name, id_number, phone, trade)
    VALUES (NEW.id, NEW.name, NEW.id_number, NEW.phone, NEW.trade);
END;
CREATE TRIGGER worker_fts_ad AFTER DELETE ON worker WHEN qq_bulk() = 0 BEGIN
    INSERT INTO worker_fts(worker_fts, rowid, name, id_number, phone, trade)
    VALUES ('delete', OLD.id, OLD.name, OLD.id_number, OLD.phone, OLD.trade);
END;
CREATE TRIGGER worker_fts_au AFTER UPDATE OF name, id_number, phone, trade ON worker WHEN qq_bulk() = 0 BEGIN
    INSERT INTO worker_fts(worker_fts, rowid, name, id_number, phone, trade)
    VALUES ('delete', OLD.id, OLD.name, OLD.id_number, OLD.phone, OLD.trade);
    INSERT INTO worker_fts(rowid, name, id_number, phone, trade)
    VALUES (NEW.id, NEW.name, NEW.id_number, NEW.phone, NEW.trade);
END;
"""

VERDICTS = [
    ("经核实存在欠薪，已支付完毕", 1),
    ("尚未支付，准备或已申请法院强制执行", 0),
    ("尚未支付，涉嫌犯罪，已移送公安机关", 1),
    ("已支付欠款或达成还款协议", 1),
    ("应当或者已经通过劳动争议仲裁解决，已告知反映人", 1),
    ("经核实不存在欠薪情况", 1),
]

# the audited tables step 1 creates
M001_AUDITED = ("setting", "campaign", "campaign_phase", "person", "leading_group_member", "workstream",
                "workstream_member", "employer", "project", "verdict_option", "case_record", "worker",
                "repayment", "calendar_year")


def m001(conn: sqlite3.Connection) -> None:
    run_script(conn, M001)
    for i, (text, closes) in enumerate(VERDICTS):
        conn.execute("INSERT INTO verdict_option(uuid, text, closes, sort) VALUES (qq_uuid(), ?, ?, ?)",
                     (text, closes, i))
    for table in M001_AUDITED:
        triggers_v1.install(conn, table)
