"""Numbered schema migrations.

``PRAGMA user_version`` holds the schema version. Each step runs inside
``BEGIN EXCLUSIVE`` and either lands whole or not at all. A database written by
a newer program (user_version above what we know) is refused, never changed.
"""
from __future__ import annotations

import datetime as _dt
import os
import sqlite3
from pathlib import Path
from typing import Callable

AUDITED_TABLES = [
    "campaign", "campaign_phase", "person", "leading_group_member", "workstream",
    "workstream_member", "employer", "project", "verdict_option", "case_record",
    "worker", "repayment", "calendar_year", "setting", "account", "signoff",
    "directive", "directive_target",
]

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


def _m001(conn: sqlite3.Connection) -> None:
    for stmt in _split_sql(M001):
        conn.execute(stmt)
    for i, (text, closes) in enumerate(VERDICTS):
        conn.execute("INSERT INTO verdict_option(uuid, text, closes, sort) VALUES (qq_uuid(), ?, ?, ?)",
                     (text, closes, i))


def _split_sql(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies whole."""
    out, buf = [], []
    for line in script.splitlines():
        buf.append(line)
        text = "\n".join(buf).strip()
        if text and sqlite3.complete_statement(text):
            out.append(text)
            buf = []
    rest = "\n".join(buf).strip()
    if rest and not all(l.strip().startswith("--") or not l.strip() for l in buf):
        out.append(rest)
    return out


M002 = r"""
CREATE TABLE account (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('办公室', '专班填报员', '领导')),
    workstream_id INTEGER REFERENCES workstream(id),
    pw_hash TEXT NOT NULL,
    failed_count INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    last_login TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL DEFAULT (qq_now())
);
-- 审核签字: a workstream's ledger signed as of a date, with a reason for each finding left open
CREATE TABLE signoff (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    workstream_id INTEGER NOT NULL REFERENCES workstream(id),
    as_of TEXT NOT NULL,
    signed_by TEXT NOT NULL,
    signed_at TEXT NOT NULL DEFAULT (qq_now()),
    passed INTEGER NOT NULL,
    findings_json TEXT NOT NULL DEFAULT '[]',
    revoked_at TEXT
);
CREATE INDEX signoff_ws ON signoff(workstream_id, as_of);
"""


def _m002(conn: sqlite3.Connection) -> None:
    for stmt in _split_sql(M002):
        conn.execute(stmt)


M003 = r"""
-- covering indexes for the dashboard and warnings over a county-sized ledger
CREATE INDEX case_totals ON case_record(deleted_at, workstream_id, status, total_workers, total_owed_fen, total_paid_fen);
CREATE INDEX case_open ON case_record(deleted_at, status, deadline, workstream_id, updated_at, is_major, is_sensitive);
"""


def _m003(conn: sqlite3.Connection) -> None:
    for stmt in _split_sql(M003):
        conn.execute(stmt)


def _m004(conn: sqlite3.Connection) -> None:
    """Case search-index triggers skip bulk loads too (bulk loaders index set-based)."""
    for name in ("case_fts_ai", "case_fts_ad", "case_fts_au"):
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE type='trigger' AND name=?", (name,)).fetchone()[0]
        conn.execute(f"DROP TRIGGER {name}")
        head, body = sql.split(" BEGIN", 1)
        conn.execute(f"{head} WHEN qq_bulk() = 0 BEGIN{body}")


FTS_HASHSIZE = 16 * 1024 * 1024


def _m005(conn: sqlite3.Connection) -> None:
    """Search indexes gather up to 16 MB of new terms in memory before writing a segment
    (FTS5's default is 1 MB): a 100,000-row import writes fewer, larger segments and
    merges less (0.46 s → 0.32 s for the worker index), and searches are no slower."""
    for table in ("case_fts", "worker_fts"):
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', ?)", (FTS_HASHSIZE,))


M006 = r"""
-- the worker search index holds what the ledger declares searchable (姓名, 身份证号码, 工种), as
-- the case index does; phone numbers were indexed too, for a third more index to write
DROP TRIGGER worker_fts_ai;
DROP TRIGGER worker_fts_ad;
DROP TRIGGER worker_fts_au;
DROP TABLE worker_fts;
CREATE VIRTUAL TABLE worker_fts USING fts5(
    name, id_number, trade, content='worker', content_rowid='id', tokenize='trigram');
CREATE TRIGGER worker_fts_ai AFTER INSERT ON worker WHEN qq_bulk() = 0 BEGIN
    INSERT INTO worker_fts(rowid, name, id_number, trade) VALUES (NEW.id, NEW.name, NEW.id_number, NEW.trade);
END;
CREATE TRIGGER worker_fts_ad AFTER DELETE ON worker WHEN qq_bulk() = 0 BEGIN
    INSERT INTO worker_fts(worker_fts, rowid, name, id_number, trade)
    VALUES ('delete', OLD.id, OLD.name, OLD.id_number, OLD.trade);
END;
CREATE TRIGGER worker_fts_au AFTER UPDATE OF name, id_number, trade ON worker WHEN qq_bulk() = 0 BEGIN
    INSERT INTO worker_fts(worker_fts, rowid, name, id_number, trade)
    VALUES ('delete', OLD.id, OLD.name, OLD.id_number, OLD.trade);
    INSERT INTO worker_fts(rowid, name, id_number, trade) VALUES (NEW.id, NEW.name, NEW.id_number, NEW.trade);
END;
"""


def _m006(conn: sqlite3.Connection) -> None:
    for stmt in _split_sql(M006):
        conn.execute(stmt)
    conn.execute("INSERT INTO worker_fts(worker_fts, rank) VALUES ('hashsize', ?)", (FTS_HASHSIZE,))
    conn.execute("INSERT INTO worker_fts(worker_fts) VALUES ('rebuild')")


M007 = r"""
-- 久拖未动 is counted from the date of a case's latest dated fact (its registration, a status
-- change, the date of a repayment, a clerk's edit), not from when its row was last written: a
-- repayment dated last month, or a backlog imported today, does not make a case look touched today
ALTER TABLE case_record ADD COLUMN last_activity_on TEXT;
UPDATE case_record SET last_activity_on = MAX(substr(registered_on, 1, 10),
    COALESCE((SELECT substr(MAX(l.changed_on), 1, 10) FROM case_status_log l WHERE l.case_id = case_record.id), ''),
    COALESCE((SELECT substr(MAX(r.paid_on), 1, 10) FROM repayment r WHERE r.case_id = case_record.id
                                                                   AND r.deleted_at IS NULL), ''));
DROP INDEX case_open;
CREATE INDEX case_open ON case_record(deleted_at, status, deadline, workstream_id, last_activity_on, is_major,
    is_sensitive);
CREATE TRIGGER repayment_activity AFTER INSERT ON repayment
WHEN qq_bulk() = 0 AND NEW.deleted_at IS NULL
BEGIN
    UPDATE case_record SET last_activity_on = NEW.paid_on
    WHERE id = NEW.case_id AND (last_activity_on IS NULL OR last_activity_on < NEW.paid_on);
END;
"""


def _m007(conn: sqlite3.Connection) -> None:
    for stmt in _split_sql(M007):
        conn.execute(stmt)


def _m008(conn: sqlite3.Connection) -> None:
    """The audit log keeps no secret in the clear: what it holds is masked (ID, bank card and
    phone numbers; password hashes replaced) and every audited table's triggers are made again
    to mask from now on. The setting table's guard passes the setting's key (campaign-wide
    settings are 办公室's); guards are reinstalled after every step."""
    from models import audit
    audit.upgrade_to_masked(conn)


M009 = r"""
CREATE TABLE IF NOT EXISTS exchange_township (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL UNIQUE,               -- 乡镇代码 (区划代码)
    name TEXT NOT NULL,                      -- 乡镇名称
    campaign TEXT NOT NULL DEFAULT '',       -- the township's campaign, as its packages name it
    sequence INTEGER NOT NULL,               -- the sequence number of the package held now
    as_of TEXT NOT NULL,                     -- 数据截至 (date and time) of that package
    received_at TEXT NOT NULL,
    sender TEXT NOT NULL DEFAULT '',
    package_sha256 TEXT NOT NULL,            -- of the whole package file
    content_sha256 TEXT NOT NULL,            -- of the township database inside it
    file TEXT NOT NULL,                      -- the township's copy, in <county>.townships/
    full_ids INTEGER NOT NULL DEFAULT 0,
    schema_version INTEGER NOT NULL,
    program_version TEXT NOT NULL DEFAULT '',
    figures TEXT NOT NULL,                   -- the package's own figures (JSON, as models.figures gives them)
    counts TEXT NOT NULL DEFAULT '{}'        -- records per ledger (JSON)
);
"""


def _m009(conn: sqlite3.Connection) -> None:
    """The county's register of townships (报送包 received): one row per township, its latest
    package. Empty in a township's database."""
    for stmt in _split_sql(M009):
        conn.execute(stmt)


M010 = r"""
-- 督办事项 (a county's): content, deadline, who issued it and when; the county may 销号 or 撤销 it
CREATE TABLE IF NOT EXISTS directive (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,               -- kept by every township's copy (its action item's uuid)
    content TEXT NOT NULL,
    due_date TEXT,                           -- 完成时限
    issued_on TEXT NOT NULL,                 -- 交办日期
    issued_by TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '督办中' CHECK (status IN ('督办中', '已销号', '已撤销')),
    closed_on TEXT,                          -- 销号 or 撤销 date
    close_note TEXT NOT NULL DEFAULT '',
    sent_in INTEGER,                         -- the 下发包 that first carried it
    created_at TEXT NOT NULL DEFAULT (qq_now()),
    updated_at TEXT NOT NULL DEFAULT (qq_now())
);
-- the townships a 督办事项 is addressed to
CREATE TABLE IF NOT EXISTS directive_target (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    directive_id INTEGER NOT NULL REFERENCES directive(id) ON DELETE CASCADE,
    township_code TEXT NOT NULL,
    township_name TEXT NOT NULL,
    UNIQUE (directive_id, township_code)
);
CREATE INDEX IF NOT EXISTS directive_target_code ON directive_target(township_code);
-- a county: each township's state of each 督办事项, as its latest 报送包 carried it
CREATE TABLE IF NOT EXISTS directive_progress (
    id INTEGER PRIMARY KEY,
    directive_uuid TEXT NOT NULL,
    township_code TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT '',         -- 待办 / 办理中 / 已办结, as the township stores it
    progress TEXT NOT NULL DEFAULT '',       -- 办理进展
    closed_on TEXT,                          -- 办结（销号）日期
    removed INTEGER NOT NULL DEFAULT 0,      -- the township put its copy in the recycle bin
    updated_at TEXT,                         -- the township's last change to it
    as_of TEXT NOT NULL,                     -- 数据截至 of the 报送包 that carried it
    sequence INTEGER NOT NULL,               -- that 报送包's number
    UNIQUE (directive_uuid, township_code)
);
-- a township: the 督办事项 received from its county, as last sent (the action item is the
-- township's own copy, with the same uuid)
CREATE TABLE IF NOT EXISTS directive_received (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    action_item_id INTEGER,
    county TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL,
    due_date TEXT,
    county_status TEXT NOT NULL DEFAULT '督办中',
    closed_on TEXT,
    dispatch_sequence INTEGER NOT NULL,
    received_at TEXT NOT NULL
);
"""


def _m010(conn: sqlite3.Connection) -> None:
    """下发 (county → townships): the county's 督办事项 and their addressees, each township's
    progress on them as its 报送包 carry it, and on a township the items received. Runs again
    over a file that has them (a package's copy whose version number was set back)."""
    for stmt in _split_sql(M010):
        conn.execute(stmt)
    if _table_exists(conn, "exchange_township") and not _has_column(conn, "exchange_township", "dispatch_sequence"):
        # the last 下发包 the township had applied when it sent its latest 报送包
        conn.execute("ALTER TABLE exchange_township ADD COLUMN dispatch_sequence INTEGER NOT NULL DEFAULT 0")


M011 = r"""
-- the short-search index (models.ledger.chars_index): the search fields with a space between
-- characters, so one- and two-character searches come from an index
CREATE VIRTUAL TABLE IF NOT EXISTS case_chars USING fts5(
    case_no, employer_name, project_name, summary, owner_person, tokenize='unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS worker_chars USING fts5(
    name, trade, tokenize='unicode61 remove_diacritics 0');
-- how far each index is: the audit log's last id read and the table's last id indexed
CREATE TABLE IF NOT EXISTS search_chars_state (
    tbl TEXT PRIMARY KEY,
    mark INTEGER NOT NULL,
    max_id INTEGER NOT NULL
);
"""


def _m011(conn: sqlite3.Connection) -> None:
    """One- and two-character searches from an index (see models.ledger.chars_index); an
    existing database's rows are indexed here, once."""
    from models.ledger import chars_index
    for stmt in _split_sql(M011):
        conn.execute(stmt)
    for table in chars_index.INDEXES:
        chars_index.rebuild(conn, table)


# 一项目一档 (models.ledgers.projects): the project table becomes a declared ledger with a recycle
# bin, and gains the parties, the wage special account (专户), the deposit and guarantee, and the
# dates the 40-day settlement rule reads. (ALTER TABLE cannot give a column a computed default:
# created_at / updated_at are written by the ledger's repository.)
M012_COLUMNS = (
    ("created_at", "TEXT"), ("updated_at", "TEXT"), ("deleted_at", "TEXT"),
    ("labor_manager", "TEXT NOT NULL DEFAULT ''"),          # 劳资专管员
    ("labor_manager_phone", "TEXT NOT NULL DEFAULT ''"),
    ("wage_bank", "TEXT NOT NULL DEFAULT ''"),              # 农民工工资专用账户 开户银行
    ("wage_account", "TEXT NOT NULL DEFAULT ''"),           # 专户账号 (text: long digit strings)
    ("contractor_arrears", "INTEGER NOT NULL DEFAULT 0"),   # 总包单位经认定有拖欠工资行为
    ("deposit_form", "TEXT NOT NULL DEFAULT ''"),           # 工资保证金 存储方式
    ("deposit_on", "TEXT"),
    ("guarantee_form", "TEXT NOT NULL DEFAULT ''"),         # 工程款支付担保
    ("guarantee_fen", "INTEGER NOT NULL DEFAULT 0"),
    ("started_on", "TEXT"), ("completed_on", "TEXT"), ("settled_on", "TEXT"),
    ("settlement_fen", "INTEGER NOT NULL DEFAULT 0"),
)


def _m012(conn: sqlite3.Connection) -> None:
    for name, sql_type in M012_COLUMNS:
        if not _has_column(conn, "project", name):
            conn.execute(f'ALTER TABLE project ADD COLUMN "{name}" {sql_type}')
    conn.execute("UPDATE project SET created_at = COALESCE(created_at, qq_now()), "
                 "updated_at = COALESCE(updated_at, qq_now())")
    for name in ("deposit_on", "started_on", "completed_on", "settled_on"):
        conn.execute(f'CREATE INDEX IF NOT EXISTS "project_{name}" ON project("{name}")')


M013 = r"""
-- an office's 专班副本 sent to workstream liaisons, and the clashes their returns left to decide
-- (models.exchange.liaison*); the tables that version of the exchange made on first use, now here
CREATE TABLE IF NOT EXISTS exchange_liaison_copy (
    copy_id TEXT PRIMARY KEY, sequence INTEGER NOT NULL, workstream_id INTEGER NOT NULL,
    workstream TEXT NOT NULL, made_at TEXT NOT NULL, made_by TEXT NOT NULL, file TEXT NOT NULL,
    returns INTEGER NOT NULL DEFAULT 0, last_return_at TEXT, last_return_sha256 TEXT);
CREATE TABLE IF NOT EXISTS exchange_liaison_clash (
    id INTEGER PRIMARY KEY, copy_id TEXT NOT NULL, return_seq INTEGER NOT NULL, liaison TEXT NOT NULL,
    table_name TEXT NOT NULL, record_id INTEGER, record_uuid TEXT, op TEXT NOT NULL, kind TEXT NOT NULL,
    fields TEXT NOT NULL, created_at TEXT NOT NULL,
    decision TEXT, decided_by TEXT, decided_at TEXT);
"""


def _m013(conn: sqlite3.Connection) -> None:
    """The liaison exchange's office tables (copies sent, clashes to decide)."""
    for stmt in _split_sql(M013):
        conn.execute(stmt)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m001, _m002, _m003, _m004, _m005, _m006, _m007, _m008,
                                                          _m009, _m010, _m011, _m012, _m013]
LATEST = len(MIGRATIONS)


def version_of(path) -> int | None:
    """The schema version of a database file, read without changing it; None for a missing,
    empty or unreadable file."""
    from pathlib import Path
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        from models.paths import sqlite_uri
        conn = sqlite3.connect(sqlite_uri(path.resolve()), uri=True, timeout=5)
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except (sqlite3.Error, OSError, ValueError):
        return None


def upgrade(conn: sqlite3.Connection) -> int:
    """Bring the schema to LATEST. Returns the version found before."""
    from models import access, audit
    from models.errors import NewerDatabase

    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > LATEST:
        raise NewerDatabase(
            f"此数据库由更新版本的清欠工作台创建（数据结构第 {found} 版，本程序只认识到第 {LATEST} 版），"
            "为免损坏数据，本程序不打开它。请安装新版本后再打开。")
    if 0 < found < LATEST:
        backup_before_upgrade(conn, found)
    for version in range(found + 1, LATEST + 1):
        conn.execute("BEGIN EXCLUSIVE")
        try:
            MIGRATIONS[version - 1](conn)
            for table in AUDITED_TABLES:
                if _table_exists(conn, table):
                    audit.install_triggers(conn, table)
                    access.install_guard_triggers(conn, table)
            if version == 2:       # tables of declared ledgers made before guards existed
                for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                             "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'").fetchall():
                    if table not in AUDITED_TABLES and table != "audit_log" and _has_column(conn, table, "uuid"):
                        access.install_guard_triggers(conn, table)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    _sync_declared_ledgers(conn)
    return found


def backup_before_upgrade(conn: sqlite3.Connection, found: int) -> Path | None:
    """A copy of the database as it is, before the first step changes it, beside its automatic
    backups (``<db>.backups/<time>-upgrade-v<N>.sqlite``): whoever opens an older file (the
    window, a command, a report) keeps it. Written under a temporary name, then renamed."""
    row = conn.execute("PRAGMA database_list").fetchone()
    if row is None or not row[2]:
        return None                     # in memory: nothing to keep
    db = Path(row[2])
    folder = db.with_name(db.name + ".backups")
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{stamp}-upgrade-v{found}.sqlite"
    part = target.with_name(target.name + ".part")
    dest = sqlite3.connect(str(part))
    try:
        conn.backup(dest)
    finally:
        dest.close()
    os.replace(part, target)
    return target


def _has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    return any(r[1] == column for r in conn.execute(f'PRAGMA table_info("{table}")'))


def _table_exists(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone() is not None


def _sync_declared_ledgers(conn: sqlite3.Connection) -> None:
    """Tables for simple declared ledgers come from their declaration: a new ledger or a new
    column is created here, in one transaction, with its audit triggers."""
    from models.ledger import registry

    todo = registry.schema_changes(conn)
    if not todo:
        return
    from models import access, audit
    conn.execute("BEGIN EXCLUSIVE")
    try:
        for table, statements in todo:
            for stmt in statements:
                conn.execute(stmt)
            audit.install_triggers(conn, table)
            access.install_guard_triggers(conn, table)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
