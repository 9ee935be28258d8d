"""Who is acting, proven: passwords on the command line, no write without an actor, campaign-wide
settings for 办公室 only, "stay logged in" bound to this computer, and an audit log that keeps no
secret in the clear (issue 14, breaks 4-6; issue 20, no actor no write)."""
from __future__ import annotations

import datetime as _dt
import io
import json
import sqlite3
import sys

import pytest

from desktop import cli
from models import access, audit, case_workers, cases
from models.db import PermissionDenied, Store
from models.rules.idcard import make_valid_id

NOW = _dt.datetime(2026, 11, 26, 9, 0)
ID_NO = make_valid_id("511322", _dt.date(1985, 3, 4), 17)
CARD = "6222021234567890123"
PHONE = "13812345678"


@pytest.fixture
def accounts_db(demo_db):
    """The township demo with an 办公室, a 专班填报员 (of the first case's workstream) and a 领导."""
    s = Store(demo_db, "测试")
    ws = s.scalar("SELECT workstream_id FROM case_record WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    access.create_account(s, "office", "secret1", "办公室")
    s.actor = access.login(s, "office", "secret1")
    access.create_account(s, "clerk", "secret2", "专班填报员", workstream_id=ws)
    access.create_account(s, "leader", "secret3", "领导")
    s.close()
    return demo_db


def _run(monkeypatch, capsys, *argv, password=None, new_password=None):
    """The command line in this process, as a script runs it (no terminal to ask on)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    for name, value in (("QINGQIAN_PASSWORD", password), ("QINGQIAN_NEW_PASSWORD", new_password)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _account(db, name):
    c = sqlite3.connect(db)
    c.row_factory = sqlite3.Row
    try:
        return c.execute("SELECT * FROM account WHERE username = ?", (name,)).fetchone()
    finally:
        c.close()


def _failed_logins(db, name):
    c = sqlite3.connect(db)
    try:
        return c.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed' AND user = ?",
                         (name,)).fetchone()[0]
    finally:
        c.close()


def _cases_csv(tmp_path, db):
    c = sqlite3.connect(db)
    ws = c.execute("SELECT w.name FROM case_record r JOIN workstream w ON w.id = r.workstream_id "
                   "WHERE r.deleted_at IS NULL ORDER BY r.id LIMIT 1").fetchone()[0]
    c.close()
    f = tmp_path / "问题.csv"
    f.write_text("编号,登记日期,用人单位,欠薪金额（元）,责任专班\n"
                 f"X-1,2026-11-20,丙公司,1000,{ws}\n", encoding="utf-8-sig")
    return f


# -- break 4: --user NAME was believed without a password ------------------------------------
def test_a_guessed_password_resets_nothing(accounts_db, monkeypatch, capsys):
    # the break: QINGQIAN_PASSWORD=new qingqian user passwd admin --user admin
    code, out, err = _run(monkeypatch, capsys, "user", "passwd", "office", "--user", "office",
                          "--db", accounts_db, password="newpass1")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "用户名或密码不正确" in err
    row = _account(accounts_db, "office")
    assert access.verify_password("secret1", row["pw_hash"]) and not access.verify_password("newpass1", row["pw_hash"])
    assert row["failed_count"] == 1 and _failed_logins(accounts_db, "office") == 1


def test_passwd_takes_the_current_password_and_the_new_one_separately(accounts_db, monkeypatch, capsys):
    code, out, err = _run(monkeypatch, capsys, "user", "passwd", "office", "--user", "office", "--json",
                          "--db", accounts_db, password="secret1", new_password="newpass1")
    assert code == 0, err
    assert json.loads(out) == {"ok": True, "user": "office", "by": "office"}
    assert access.verify_password("newpass1", _account(accounts_db, "office")["pw_hash"])
    # without a new password (no variable, no terminal): one line, nothing changed
    code, out, err = _run(monkeypatch, capsys, "user", "passwd", "office", "--user", "office",
                          "--db", accounts_db, password="newpass1")
    assert code == 2 and "QINGQIAN_NEW_PASSWORD" in err and err.count("\n") == 1
    assert access.verify_password("newpass1", _account(accounts_db, "office")["pw_hash"])


def test_a_clerk_changes_its_own_password_only(accounts_db, monkeypatch, capsys):
    code, _, err = _run(monkeypatch, capsys, "user", "passwd", "office", "--user", "clerk",
                        "--db", accounts_db, password="secret2", new_password="taken99")
    assert code == 2 and "须由办公室账号执行" in err
    assert access.verify_password("secret1", _account(accounts_db, "office")["pw_hash"])
    code, _, err = _run(monkeypatch, capsys, "user", "passwd", "clerk", "--user", "clerk",
                        "--db", accounts_db, password="secret2", new_password="mine999")
    assert code == 0, err
    assert access.verify_password("mine999", _account(accounts_db, "clerk")["pw_hash"])


def test_a_leader_changes_its_own_password_and_nothing_else(accounts_db, monkeypatch, capsys):
    """Read-only means the ledgers; a leader keeps its own password like any account."""
    code, _, err = _run(monkeypatch, capsys, "user", "passwd", "leader", "--user", "leader",
                        "--db", accounts_db, password="secret3", new_password="boss9999")
    assert code == 0, err
    assert access.verify_password("boss9999", _account(accounts_db, "leader")["pw_hash"])
    code, _, err = _run(monkeypatch, capsys, "user", "passwd", "clerk", "--user", "leader",
                        "--db", accounts_db, password="boss9999", new_password="taken99")
    assert code == 2 and access.verify_password("secret2", _account(accounts_db, "clerk")["pw_hash"])
    s = Store(accounts_db)
    try:
        s.actor = access.login(s, "leader", "boss9999")
        with pytest.raises(PermissionDenied, match="领导账号只能查看和打印"):
            cases.edit_case(s, s.scalar("SELECT id FROM case_record WHERE deleted_at IS NULL LIMIT 1"),
                            {"summary": "领导改的"})
    finally:
        s.close()


def test_accounts_are_listed_and_added_by_a_logged_in_office_only(accounts_db, monkeypatch, capsys):
    code, out, err = _run(monkeypatch, capsys, "user", "list", "--db", accounts_db)
    assert code == 2 and out == "" and "--user" in err
    code, out, err = _run(monkeypatch, capsys, "user", "list", "--user", "leader", "--db", accounts_db,
                          password="secret3")
    assert code == 2 and "领导" in err and out == ""
    code, out, err = _run(monkeypatch, capsys, "user", "add", "leader2", "--role", "领导", "--user", "office",
                          "--db", accounts_db, password="secret1", new_password="lead123")
    assert code == 0, err
    code, out, _ = _run(monkeypatch, capsys, "user", "list", "--user", "office", "--db", accounts_db, "--json",
                        password="secret1")
    assert code == 0 and [u["username"] for u in json.loads(out)["rows"]] == ["office", "clerk", "leader", "leader2"]
    assert "pw_hash" not in out


def test_a_write_without_a_password_is_refused_audited_and_counted(accounts_db, tmp_path, monkeypatch, capsys):
    f = _cases_csv(tmp_path, accounts_db)
    code, out, err = _run(monkeypatch, capsys, "import", f, "--db", accounts_db, "--kind", "cases",
                          "--user", "office")
    assert code == 2 and err.count("\n") == 1 and "须输入账号“office”的密码" in err
    assert _account(accounts_db, "office")["failed_count"] == 1 and _failed_logins(accounts_db, "office") == 1
    # four more wrong tries lock the account, whatever the command
    for i in range(4):
        code, _, err = _run(monkeypatch, capsys, "export", "workers", "--unmasked", "--db", accounts_db,
                            "--out", tmp_path / f"w{i}.xlsx", "--user", "office", password="wrong!")
        assert code == 2 and not (tmp_path / f"w{i}.xlsx").exists()
    assert "已锁定" in err
    code, _, err = _run(monkeypatch, capsys, "import", f, "--db", accounts_db, "--kind", "cases",
                        "--user", "office", password="secret1")
    assert code == 2 and "已锁定" in err
    c = sqlite3.connect(accounts_db)
    assert c.execute("SELECT COUNT(*) FROM case_record WHERE case_no = 'X-1'").fetchone()[0] == 0
    c.close()
    assert _failed_logins(accounts_db, "office") == 6


def test_no_user_at_all_is_refused_and_audited(accounts_db, tmp_path, monkeypatch, capsys):
    f = _cases_csv(tmp_path, accounts_db)
    code, _, err = _run(monkeypatch, capsys, "import", f, "--db", accounts_db, "--kind", "cases",
                        password="secret1")
    assert code == 2 and "--user" in err and err.count("\n") == 1
    assert _failed_logins(accounts_db, "（未指明）") == 1


def test_the_right_password_imports_under_the_accounts_name(accounts_db, tmp_path, monkeypatch, capsys):
    f = _cases_csv(tmp_path, accounts_db)
    code, _, err = _run(monkeypatch, capsys, "import", f, "--db", accounts_db, "--kind", "cases",
                        "--user", "clerk", password="secret2")
    assert code == 0, err
    c = sqlite3.connect(accounts_db)
    assert c.execute("SELECT user FROM audit_log WHERE table_name = 'case_record' AND action = 'insert' "
                     "ORDER BY id DESC LIMIT 1").fetchone()[0] == "clerk"
    c.close()


# -- issue 20: no actor, no write ----------------------------------------------------------------
def test_a_leader_is_refused_import_on_the_command_line(accounts_db, tmp_path, monkeypatch, capsys):
    f = _cases_csv(tmp_path, accounts_db)
    code, _, err = _run(monkeypatch, capsys, "import", f, "--db", accounts_db, "--kind", "cases",
                        "--user", "leader", password="secret3")
    assert code == 2 and "领导账号只能查看和打印" in err and err.count("\n") == 1
    c = sqlite3.connect(accounts_db)
    assert c.execute("SELECT COUNT(*) FROM case_record WHERE case_no = 'X-1'").fetchone()[0] == 0
    c.close()


def test_nobody_logged_in_writes_nothing_once_accounts_exist(accounts_db):
    s = Store(accounts_db)
    case_id = s.scalar("SELECT id FROM case_record WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    with pytest.raises(PermissionDenied, match="须先登录"):
        cases.edit_case(s, case_id, {"summary": "无人登录时修改"})
    with pytest.raises(PermissionDenied):
        with s.tx():
            s.execute("DELETE FROM worker WHERE case_id = ?", (case_id,))
    with pytest.raises(PermissionDenied):
        access.create_account(s, "intruder", "secret9", "办公室")
    assert s.scalar("SELECT COUNT(*) FROM account WHERE username = 'intruder'") == 0
    # the program itself, set explicitly where it must act (log-in bookkeeping, upgrades)
    s.actor = access.Actor.system()
    cases.edit_case(s, case_id, {"summary": "系统写入"})
    assert cases.repo(s).get(case_id)["summary"] == "系统写入"
    assert not access.Actor.system().may_reveal and access.find_actor(s.conn, access.SYSTEM_ROLE) is None
    s.close()


def test_before_the_first_account_the_database_is_open(campaign_store):
    case_id = cases.register_case(campaign_store, {"registered_on": "2026-11-02", "employer_name": "甲"})
    assert campaign_store.actor is None and cases.repo(campaign_store).get(case_id)["employer_name"] == "甲"


# -- break 5: settings, and "stay logged in" ----------------------------------------------------
def test_campaign_wide_settings_are_the_offices(accounts_db):
    s = Store(accounts_db)
    s.actor = access.login(s, "office", "secret1", NOW)
    s.set_setting("major.amount_fen", 2_000_000)
    s.actor = access.login(s, "clerk", "secret2", NOW)
    with pytest.raises(PermissionDenied, match="全局设置只有办公室账号可以修改"):
        s.set_setting("major.amount_fen", 1)
    with pytest.raises(PermissionDenied):
        s.set_setting("warn.new_key", 1)
    with pytest.raises(PermissionDenied):
        with s.tx():
            s.execute("DELETE FROM setting WHERE key = 'major.amount_fen'")
    s.set_setting("import_mapping:测试表头", {"姓名": "name"})       # what an import learns is anyone's
    s.actor = access.login(s, "leader", "secret3", NOW)
    with pytest.raises(PermissionDenied):
        s.set_setting("major.amount_fen", 99)
    assert s.get_setting("major.amount_fen") == 2_000_000
    assert s.get_setting("import_mapping:测试表头") == {"姓名": "name"}
    s.close()


def test_a_name_written_into_the_settings_file_logs_no_one_in(accounts_db, tmp_path, monkeypatch, qapp):
    from desktop import app
    from models.prefs import Prefs
    from views import login
    shown = []
    monkeypatch.setattr(login.LoginDialog, "exec", lambda self: shown.append(self) or 0)
    s = Store(accounts_db)
    prefs = Prefs(tmp_path / "settings.json")
    key = f"login.{s.path}"
    forged = [{"user": "office", "stay": True}, {"user": "office", "token": "0" * 64},
              lambda: {"user": "office", "token": access.stay_token(s, "office", "another-pc|someone")}]
    for entry in forged:
        prefs.set(key, entry() if callable(entry) else entry)
        assert app.log_in(s, prefs) is False
        assert s.actor is None
    assert len(shown) == 3 and shown[0].user.text() == "office"
    s.close()


def test_stay_logged_in_is_a_token_for_this_computer_user_database_and_password(accounts_db, tmp_path, qapp,
                                                                                 monkeypatch):
    from desktop import app
    from models.prefs import Prefs
    from views import login

    def log_in_with_stay(self):
        self.actor = access.login(self.store, "office", "secret1")
        self.stay.setChecked(True)
        return 1
    monkeypatch.setattr(login.LoginDialog, "exec", log_in_with_stay)
    s = Store(accounts_db)
    prefs = Prefs(tmp_path / "settings.json")
    assert app.log_in(s, prefs) is True
    entry = prefs.get(f"login.{s.path}")
    assert entry["user"] == "office" and len(entry["token"]) == 64 and "secret1" not in json.dumps(entry)
    s.actor = None
    monkeypatch.setattr(login.LoginDialog, "exec", lambda self: pytest.fail("should stay logged in"))
    assert app.log_in(s, prefs) is True and s.actor.username == "office"
    # the same entry on another computer or for another OS user, or after a new password: no
    here = access.machine_identity()
    assert access.remembered_actor(s, entry, machine=here).username == "office"
    assert access.remembered_actor(s, entry, machine=here + "x") is None
    access.set_password(s, "office", "newpass1")
    assert access.remembered_actor(s, entry) is None
    s.close()


# -- break 6: the audit log kept every number and the password hashes -------------------------
def _audit_text(db) -> str:
    c = sqlite3.connect(db)
    try:
        return "\n".join(f"{b or ''} {a or ''}" for b, a in c.execute("SELECT before, after FROM audit_log"))
    finally:
        c.close()


def test_the_audit_log_keeps_numbers_masked_and_no_password_hash(accounts_db):
    s = Store(accounts_db)
    s.actor = access.login(s, "office", "secret1", NOW)
    case_id = s.scalar("SELECT id FROM case_record WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    wid = case_workers.add_worker(s, case_id, {"name": "王五", "id_number": ID_NO, "phone": PHONE,
                                               "bank_card": CARD, "owed_fen": 100000})
    case_workers.workers_repo(s).update(wid, {"phone": "13900001111"})
    access.set_password(s, "clerk", "another1")
    pw_hashes = [r[0] for r in s.query("SELECT pw_hash FROM account")]
    rows = s.query("SELECT action, before, after FROM audit_log WHERE table_name = 'worker' AND record_id = ? "
                   "ORDER BY id", (wid,))
    s.close()
    assert [r["action"] for r in rows] == ["insert", "update"]
    ins, upd = json.loads(rows[0]["after"]), json.loads(rows[1]["after"])
    assert (ins["id_number"], ins["phone"], ins["bank_card"]) == (ID_NO[:6] + "********" + ID_NO[-4:],
                                                                  "138****5678", "622202*********0123")
    assert ins["name"] == "王五" and ins["owed_fen"] == 100000
    assert upd["phone"] == "139****1111" and json.loads(rows[1]["before"])["phone"] == "138****5678"
    text = _audit_text(accounts_db)
    for secret in (ID_NO, PHONE, CARD, "13900001111", *pw_hashes):
        assert secret not in text
    assert "scrypt$" not in text
    # the password change is still on record: who, when, and that the password changed
    c = sqlite3.connect(accounts_db)
    who, after = c.execute("SELECT user, after FROM audit_log WHERE table_name = 'account' AND action = 'update' "
                           "ORDER BY id DESC LIMIT 1").fetchone()
    c.close()
    assert who == "office" and json.loads(after)["pw_hash"] == audit.SECRET_TEXT


def test_mask_sql_and_mask_value_agree():
    c = sqlite3.connect(":memory:")
    c.execute("CREATE TABLE t (v TEXT)")
    values = ["", None, "1", "12", "1234567", "12345678", "12345678901", PHONE, ID_NO, CARD, "0827-1234567",
              "张三丰", "51132219850304001X", "9" * 200, 13812345678]
    for v in values:
        c.execute("DELETE FROM t")
        c.execute("INSERT INTO t VALUES (?)", (v,))
        for kind in audit.MASK_KEEP:
            assert c.execute(f"SELECT {audit.mask_sql('v', kind)} FROM t").fetchone()[0] == audit.mask_value(v, kind)
    assert audit.mask_value(ID_NO, "id") == ID_NO[:6] + "*" * 8 + ID_NO[-4:]
    assert audit.mask_value("1234567", "phone") == "*******" and "9" * 9 not in audit.mask_value("9" * 200, "card")


def test_what_an_older_version_logged_is_masked_on_upgrade(accounts_db):
    c = sqlite3.connect(accounts_db)
    pw_hash = c.execute("SELECT pw_hash FROM account WHERE username = 'office'").fetchone()[0]
    old = json.dumps({"id": 5, "name": "李四", "id_number": ID_NO, "phone": PHONE, "bank_card": CARD})
    c.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, before, after) "
              "VALUES ('2001-01-01T10:00:00', 'office', 'worker', 5, 'update', ?, ?)", (old, old))
    c.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, before, after) "
              "VALUES ('2001-01-01T10:00:00', 'office', 'account', 1, 'insert', NULL, ?)",
              (json.dumps({"username": "office", "pw_hash": pw_hash}),))
    c.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, before, after) "
              "VALUES ('2001-01-01T10:00:00', 'office', 'petition', 3, 'insert', NULL, ?)",
              (json.dumps({"petitioner": "赵六", "phone": "0827-1234567"}),))
    c.commit()
    assert audit.mask_logged(c) == 4
    c.commit()
    w, a, p = (json.loads(c.execute("SELECT after FROM audit_log WHERE table_name = ? AND at = '2001-01-01T10:00:00'",
                                    (t,)).fetchone()[0]) for t in ("worker", "account", "petition"))
    assert w == {"id": 5, "name": "李四", "id_number": audit.mask_value(ID_NO, "id"), "phone": "138****5678",
                 "bank_card": "622202*********0123"}
    assert a == {"username": "office", "pw_hash": audit.SECRET_TEXT} and p["phone"] == "082*****4567"
    assert audit.mask_logged(c) == 0            # a second pass finds nothing left to mask
    c.close()


def test_export_audit_needs_an_account_and_its_footer_tells_the_truth(accounts_db, tmp_path, monkeypatch, capsys):
    s = Store(accounts_db)
    s.actor = access.login(s, "office", "secret1", NOW)
    case_id = s.scalar("SELECT id FROM case_record WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    case_workers.add_worker(s, case_id, {"name": "王五", "id_number": ID_NO, "phone": PHONE, "bank_card": CARD,
                                         "owed_fen": 100000})
    s.close()
    out = tmp_path / "审计.csv"
    code, _, err = _run(monkeypatch, capsys, "export", "audit", "--db", accounts_db, "--out", out)
    assert code == 2 and "--user" in err and not out.exists()
    code, _, err = _run(monkeypatch, capsys, "export", "audit", "--db", accounts_db, "--out", out,
                        "--user", "leader", "--unmasked", password="secret3")
    assert code == 2 and not out.exists()
    code, _, err = _run(monkeypatch, capsys, "export", "audit", "--db", accounts_db, "--out", out,
                        "--user", "leader", password="secret3")
    assert code == 0, err
    text = out.read_text(encoding="utf-8-sig")
    assert "王五" in text and audit.mask_value(ID_NO, "id") in text
    for secret in (ID_NO, PHONE, CARD, "scrypt$"):
        assert secret not in text
    import openpyxl
    book = tmp_path / "审计.xlsx"
    code, _, err = _run(monkeypatch, capsys, "export", "audit", "--db", accounts_db, "--out", book,
                        "--user", "office", password="secret1")
    assert code == 0, err
    cells = [str(c) for row in openpyxl.load_workbook(book).active.iter_rows(values_only=True) for c in row if c]
    assert not any(secret in c for c in cells for secret in (ID_NO, PHONE, CARD, "scrypt$"))
    footer = [c for c in cells if c.startswith("说明：")]
    assert footer and "均已部分遮蔽" in footer[0] and "不含完整号码" in footer[0]


def test_demo_data_goes_into_a_database_with_accounts_only_by_its_office(store, monkeypatch, capsys):
    access.create_account(store, "office", "secret1", "办公室")
    path = store.path
    store.close()
    code, out, err = _run(monkeypatch, capsys, "demo", "--db", path)
    assert code == 2 and "--user" in err and out == ""
    s = Store(path)
    assert s.scalar("SELECT COUNT(*) FROM case_record") == 0 and s.scalar("SELECT COUNT(*) FROM campaign") == 0
    s.close()


def test_an_older_database_is_masked_when_it_is_opened(accounts_db, monkeypatch):
    """Migration 8 on a database whose log and triggers are as older versions left them."""
    from models import migrations
    c = sqlite3.connect(accounts_db)
    c.execute("PRAGMA user_version = 7")
    with monkeypatch.context() as m:           # the triggers as they were: every number copied as it is
        m.setattr(audit, "masked_columns", lambda table: {})
        m.setattr(audit, "SECRET_COLUMNS", set())
        for table in ("worker", "account", "petition"):
            audit.install_triggers(c, table)
    (clerk_hash,) = c.execute("SELECT pw_hash FROM account WHERE username = 'clerk'").fetchone()
    c.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, before, after) "
              "VALUES ('2001-01-01T10:00:00', 'office', 'account', 2, 'update', ?, ?)",
              (json.dumps({"pw_hash": "scrypt$old"}), json.dumps({"pw_hash": clerk_hash})))
    c.execute("INSERT INTO audit_log(at, user, table_name, record_id, action, before, after) "
              "VALUES ('2001-01-01T10:00:00', 'office', 'worker', 1, 'update', NULL, ?)",
              (json.dumps({"name": "李四", "id_number": ID_NO, "phone": PHONE}),))
    c.commit()
    c.close()
    s = Store(accounts_db)                       # nobody logged in: the upgrade is the program's own
    assert s.schema_version() == migrations.LATEST >= 8
    s.actor = access.login(s, "office", "secret1", NOW)
    case_id = s.scalar("SELECT id FROM case_record WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    case_workers.add_worker(s, case_id, {"name": "王五", "id_number": make_valid_id("511322", _dt.date(1990, 1, 2), 5),
                                         "phone": "13700001111", "owed_fen": 100})
    pw_hashes = [h for (h,) in s.query("SELECT pw_hash FROM account")]
    s.close()
    text = _audit_text(accounts_db)
    for secret in (ID_NO, PHONE, "13700001111", "scrypt$", *pw_hashes):
        assert secret not in text
    assert audit.mask_value(ID_NO, "id") in text and "137****1111" in text
