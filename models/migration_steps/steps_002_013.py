"""Steps 2 to 13. Frozen: see ``models.migration_steps``."""
from __future__ import annotations

import sqlite3

from models.migration_steps import AUDITED_TABLES, has_column, reinstall_all, run_script, table_exists, triggers_v1

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


def m002(conn: sqlite3.Connection) -> None:
    """Accounts and sign-offs, audited and guarded; and guards for the tables of declared ledgers
    an earlier program had made before guards existed."""
    run_script(conn, M002)
    for table in ("account", "signoff"):
        triggers_v1.install(conn, table)
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                 "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'").fetchall():
        if table not in AUDITED_TABLES and table != "audit_log" and has_column(conn, table, "uuid"):
            triggers_v1.install_guard(conn, table)


M003 = r"""
-- covering indexes for the dashboard and warnings over a county-sized ledger
CREATE INDEX case_totals ON case_record(deleted_at, workstream_id, status, total_workers, total_owed_fen, total_paid_fen);
CREATE INDEX case_open ON case_record(deleted_at, status, deadline, workstream_id, updated_at, is_major, is_sensitive);
"""


def m003(conn: sqlite3.Connection) -> None:
    run_script(conn, M003)


def m004(conn: sqlite3.Connection) -> None:
    """Case search-index triggers skip bulk loads too (bulk loaders index set-based)."""
    for name in ("case_fts_ai", "case_fts_ad", "case_fts_au"):
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE type='trigger' AND name=?", (name,)).fetchone()[0]
        conn.execute(f"DROP TRIGGER {name}")
        head, body = sql.split(" BEGIN", 1)
        conn.execute(f"{head} WHEN qq_bulk() = 0 BEGIN{body}")


FTS_HASHSIZE = 16 * 1024 * 1024


def m005(conn: sqlite3.Connection) -> None:
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


def m006(conn: sqlite3.Connection) -> None:
    run_script(conn, M006)
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


def m007(conn: sqlite3.Connection) -> None:
    run_script(conn, M007)
    triggers_v1.install(conn, "case_record")


def m008(conn: sqlite3.Connection) -> None:
    """The audit log keeps no secret in the clear: what it holds is masked (ID, bank card and
    phone numbers; password hashes replaced) and every audited table's triggers are made again
    to mask from now on. The setting table's guard passes the setting's key (campaign-wide
    settings are 办公室's)."""
    triggers_v1.mask_logged(conn)
    reinstall_all(conn, triggers_v1)


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


def m009(conn: sqlite3.Connection) -> None:
    """The county's register of townships (报送包 received): one row per township, its latest
    package. Empty in a township's database."""
    run_script(conn, M009)


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


def m010(conn: sqlite3.Connection) -> None:
    """下发 (county → townships): the county's 督办事项 and their addressees, each township's
    progress on them as its 报送包 carry it, and on a township the items received. Runs again
    over a file that has them (a package's copy whose version number was set back)."""
    run_script(conn, M010)
    if table_exists(conn, "exchange_township") and not has_column(conn, "exchange_township", "dispatch_sequence"):
        # the last 下发包 the township had applied when it sent its latest 报送包
        conn.execute("ALTER TABLE exchange_township ADD COLUMN dispatch_sequence INTEGER NOT NULL DEFAULT 0")
    for table in ("directive", "directive_target"):
        triggers_v1.install(conn, table)


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


# the short-search indexes step 11 fills: table -> (index table, its fields), as
# models.ledger.chars_index had them then
M011_INDEXES = {
    "case_record": ("case_chars", ("case_no", "employer_name", "project_name", "summary", "owner_person")),
    "worker": ("worker_chars", ("name", "trade")),
}


def m011(conn: sqlite3.Connection) -> None:
    """One- and two-character searches from an index (see models.ledger.chars_index); an
    existing database's rows are indexed here, once (each field with a space between its
    characters; the marks say how far the index is)."""
    run_script(conn, M011)
    for table, (chars, fields) in M011_INDEXES.items():
        mark = conn.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()[0]
        top = conn.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()[0]
        cols = ", ".join(f'"{f}"' for f in fields)
        conn.execute(f"DELETE FROM {chars}")
        cur = conn.execute(f'SELECT id, {cols} FROM "{table}"')
        marks = ", ".join("?" * (len(fields) + 1))
        while rows := cur.fetchmany(20_000):
            conn.executemany(f"INSERT INTO {chars}(rowid, {cols}) VALUES ({marks})",
                             [(r[0], *(" ".join(str(v)) if v else "" for v in r[1:])) for r in rows])
        conn.execute("INSERT INTO search_chars_state(tbl, mark, max_id) VALUES (?, ?, ?) ON CONFLICT(tbl) "
                     "DO UPDATE SET mark = excluded.mark, max_id = excluded.max_id", (table, mark, top))


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


def m012(conn: sqlite3.Connection) -> None:
    for name, sql_type in M012_COLUMNS:
        if not has_column(conn, "project", name):
            conn.execute(f'ALTER TABLE project ADD COLUMN "{name}" {sql_type}')
    conn.execute("UPDATE project SET created_at = COALESCE(created_at, qq_now()), "
                 "updated_at = COALESCE(updated_at, qq_now())")
    for name in ("deposit_on", "started_on", "completed_on", "settled_on"):
        conn.execute(f'CREATE INDEX IF NOT EXISTS "project_{name}" ON project("{name}")')
    triggers_v1.install(conn, "project")


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


def m013(conn: sqlite3.Connection) -> None:
    """The liaison exchange's office tables (copies sent, clashes to decide)."""
    run_script(conn, M013)
