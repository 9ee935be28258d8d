"""证据材料: files attached to records — limits and types checked by content, the hash checked on
every read, backups and restores that carry the files (plain and packed), the 报送包 that carries
them to the county, the office's 已化解-needs-付款凭证 rule on and off, the commands and the demo."""
from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import TODAY, damaged_copies
from models import attachments as att
from models import backup, backup_pages, cases, restore
from models.db import Store
from models.demo.attachments import commitment_pdf, receipt_png
from models.ledger.repo import ValidationError
from models.ledger.service import service_for


def png(tmp_path: Path, name: str = "回单.png", seed: int = 0) -> Path:
    p = tmp_path / name
    p.write_bytes(receipt_png("1234.50", "2026-11-20", seed=seed))
    return p


def first_case(store: Store, status: str | None = None) -> dict:
    where = " AND status = ?" if status else ""
    return dict(store.one(f"SELECT id, case_no, uuid FROM case_record WHERE deleted_at IS NULL{where} ORDER BY id LIMIT 1",
                          (status,) if status else ()))


@pytest.fixture
def s(demo_db):
    store = Store(demo_db, "测试")
    yield store
    store.close()


# -- types and limits -----------------------------------------------------------------------
def test_a_receipt_is_stored_by_its_hash_beside_the_database(s, tmp_path):
    c = first_case(s)
    f = png(tmp_path)
    aid = att.attach(s, f, "case_record", c["id"], evidence="付款凭证", note="回单", today=TODAY)
    row = att.get(s, aid)
    assert row["mime"] == "image/png" and row["size_bytes"] == f.stat().st_size
    assert row["record_uuid"] == c["uuid"] and row["record_label"] == f"欠薪问题台账 {c['case_no']}"
    assert row["added_on"] == TODAY.isoformat() and row["evidence"] == "付款凭证"
    stored = att.blob_path(att.files_dir(s.path), row["sha256"])
    assert stored.read_bytes() == f.read_bytes() and stored.parent.parent.name == s.path.name + ".files"
    assert att.read_bytes(s, row) == f.read_bytes()
    assert [r["id"] for r in att.for_record(s, "case_record", c["id"])] == [aid]
    # the audit log has it, as any ledger's write
    assert s.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'attachment' AND action = 'insert'") == 1


def test_the_same_file_is_kept_once_and_not_attached_twice_to_one_record(s, tmp_path):
    ids = [r[0] for r in s.query("SELECT id FROM case_record WHERE deleted_at IS NULL ORDER BY id LIMIT 2")]
    f = png(tmp_path)
    att.attach(s, f, "case_record", ids[0], today=TODAY)
    att.attach(s, f, "case_record", ids[1], today=TODAY)
    assert len(list(att.files_dir(s.path).rglob("*"))) == 2          # one folder, one file
    with pytest.raises(ValidationError, match="已附加在"):
        att.attach(s, f, "case_record", ids[0], today=TODAY)


@pytest.mark.parametrize("name, content, message", [
    ("回单.pdf", "png", "扩展名“.pdf”与其内容（PNG 图片）不符"),
    ("说明.txt", b"just some text\n" * 10, "内容不是可以归档的类型"),
    ("伪装.jpg", b"MZ\x90\x00" + b"\x00" * 200, "内容不是可以归档的类型"),
    ("空.png", b"", "空文件"),
])
def test_only_common_types_checked_by_content(s, tmp_path, name, content, message):
    c = first_case(s)
    p = tmp_path / name
    p.write_bytes(receipt_png("1", "2026-01-01") if content == "png" else content)
    with pytest.raises(att.AttachmentError, match=message):
        att.attach(s, p, "case_record", c["id"], today=TODAY)
    assert s.scalar("SELECT COUNT(*) FROM attachment") == 0


def test_types_recognised_from_their_first_bytes(tmp_path):
    pdf = commitment_pdf(tmp_path / "承诺书.pdf", "还款承诺书", "某建筑公司", ["一行"], "2026-11-20")
    assert att.file_type(pdf) == "pdf"
    assert att.sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "jpg"
    assert att.sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert att.sniff(b"PK\x03\x04", ["[Content_Types].xml", "word/document.xml"]) == "docx"
    assert att.sniff(b"PK\x03\x04", ["a.txt"]) is None
    from openpyxl import Workbook
    wb = Workbook()
    wb.save(tmp_path / "还款计划.xlsx")
    assert att.file_type(tmp_path / "还款计划.xlsx") == "xlsx"


def test_the_size_limit_is_a_setting_and_its_refusal_is_clear(s, tmp_path):
    c = first_case(s)
    big = tmp_path / "扫描件.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024))
    with pytest.raises(att.AttachmentError) as e:
        att.attach(s, big, "case_record", c["id"], today=TODAY)
    assert "超过附件大小上限 20.0 MB" in str(e.value) and "扫描件.pdf" in str(e.value)
    s.set_setting(att.MAX_SETTING, 0.001)                      # about 1 KB
    f = png(tmp_path)                                          # under 1 KB: taken
    att.attach(s, f, "case_record", c["id"], today=TODAY)
    p = tmp_path / "承诺书.pdf"
    commitment_pdf(p, "还款承诺书", "某公司", ["一行"], "2026-11-20")
    with pytest.raises(att.AttachmentError, match="超过附件大小上限 1 KB"):
        att.attach(s, p, "case_record", c["id"], today=TODAY)


# -- the hash, checked on every read ------------------------------------------------------------
def test_a_missing_or_altered_file_is_reported_never_read_as_whole(s, tmp_path):
    c = first_case(s)
    aid = att.attach(s, png(tmp_path), "case_record", c["id"], today=TODAY)
    row = att.get(s, aid)
    blob = att.blob_path(att.files_dir(s.path), row["sha256"])
    assert att.state(s, row) == att.OK
    data = bytearray(blob.read_bytes())
    data[-20] ^= 0xFF                                             # one byte changed, same size
    blob.write_bytes(bytes(data))
    assert att.state(s, row) == att.ALTERED
    with pytest.raises(att.AttachmentError, match="与登记的校验值（SHA-256）不符"):
        att.read_bytes(s, row)
    with pytest.raises(att.AttachmentError):
        att.save_as(s, row, tmp_path / "out.png")
    assert not (tmp_path / "out.png").exists()
    blob.unlink()
    assert att.state(s, row) == att.MISSING
    with pytest.raises(att.AttachmentError, match="文件缺失"):
        att.read_bytes(s, row)


def test_the_ledger_refuses_a_row_without_its_file_and_a_change_of_file(s):
    c = first_case(s)
    svc = service_for(s, "attachments", today=TODAY)
    svc.file_facts = {"record_table": "case_record", "record_uuid": c["uuid"], "record_label": "x", "mime": "image/png",
                      "size_bytes": 10, "sha256": "0" * 64, "added_by": "测试", "added_on": TODAY.isoformat()}
    with pytest.raises(ValidationError, match="附件文件不在数据库旁的附件文件夹中"):
        svc.insert({"file_name": "a.png", "evidence": "照片"})


def test_remove_goes_to_the_recycle_bin_and_keeps_the_file(s, tmp_path):
    c = first_case(s)
    aid = att.attach(s, png(tmp_path), "case_record", c["id"], today=TODAY)
    row = att.get(s, aid)
    att.remove(s, [aid])
    assert att.for_record(s, "case_record", c["id"]) == []
    assert att.blob_path(att.files_dir(s.path), row["sha256"]).is_file()
    service_for(s, "attachments").restore([aid])
    assert [r["id"] for r in att.for_record(s, "case_record", c["id"])] == [aid]


# -- 已化解 needs a 付款凭证 when the office says so -------------------------------------------------
def _case_ready_to_close(s) -> int:
    cid = cases.register_case(s, {"employer_name": "某劳务公司", "registered_on": "2026-11-02"},
                              today=dt.date(2026, 11, 2))
    cases.CaseService(s, today=TODAY).change_status(cid, cases.StatusChange("化解中", "2026-11-03"))
    return cid


def test_closing_without_proof_is_allowed_while_the_setting_is_off(s):
    cid = _case_ready_to_close(s)
    assert att.proof_required(s) is False
    cases.CaseService(s, today=TODAY).change_status(cid, cases.StatusChange("已化解", "2026-11-20", verdict="已足额支付"))
    assert s.scalar("SELECT status FROM case_record WHERE id = ?", (cid,)) == "已化解"


def test_closing_needs_a_payment_proof_when_the_setting_is_on(s, tmp_path):
    cid = _case_ready_to_close(s)
    s.set_setting(att.PROOF_SETTING, True)
    svc = cases.CaseService(s, today=TODAY)
    close = cases.StatusChange("已化解", "2026-11-20", verdict="已足额支付")
    with pytest.raises(ValidationError, match="化解须有付款凭证") as e:
        svc.change_status(cid, close)
    assert "付款凭证" in str(e.value)
    assert s.scalar("SELECT status FROM case_record WHERE id = ?", (cid,)) == "化解中"
    # a photo is not a payment proof
    att.attach(s, png(tmp_path, "现场.png"), "case_record", cid, evidence="照片", today=TODAY)
    with pytest.raises(ValidationError):
        svc.change_status(cid, close)
    att.attach(s, png(tmp_path, "回单.png", seed=3), "case_record", cid, evidence="付款凭证", today=TODAY)
    svc.change_status(cid, close)
    assert s.scalar("SELECT status FROM case_record WHERE id = ?", (cid,)) == "已化解"


def test_a_proof_on_one_of_its_repayments_counts_and_a_recycled_one_does_not(s, tmp_path):
    s.set_setting(att.PROOF_SETTING, True)
    r = s.one("SELECT r.id, r.case_id FROM repayment r WHERE r.deleted_at IS NULL ORDER BY r.id LIMIT 1")
    assert att.cases_without_proof(s, [r["case_id"]]) == {r["case_id"]}
    aid = att.attach(s, png(tmp_path), "repayment", r["id"], evidence="付款凭证", today=TODAY)
    assert att.cases_without_proof(s, [r["case_id"]]) == set()
    att.remove(s, [aid])
    assert att.cases_without_proof(s, [r["case_id"]]) == {r["case_id"]}


def test_the_rule_holds_for_an_import_through_the_case_service(s, tmp_path):
    cid = _case_ready_to_close(s)
    s.set_setting(att.PROOF_SETTING, True)
    svc = cases.CaseService(s, today=TODAY)
    svc.source = "导入"
    with pytest.raises(ValidationError, match="化解须有付款凭证"):
        svc.update(cid, {"status": "已化解", "verdict": "已足额支付"})
    # a new row arriving already 已化解 has no attachment yet
    problems = svc.check_new_batch([{"case_no": "QQ2026-9999", "status": "已化解"}])
    assert "可先以“化解中”导入" in problems[0][0][1]
    s.set_setting(att.PROOF_SETTING, False)
    assert svc.check_new_batch([{"case_no": "QQ2026-9999", "status": "已化解"}]) == [[]]
    svc.update(cid, {"status": "已化解", "verdict": "已足额支付"})
    assert s.scalar("SELECT status FROM case_record WHERE id = ?", (cid,)) == "已化解"


# -- backups ------------------------------------------------------------------------------------
def _attach_two(path: Path, tmp_path: Path) -> list[dict]:
    s = Store(path, "测试")
    try:
        c = first_case(s)
        r = s.one("SELECT id FROM repayment WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
        a = att.attach(s, png(tmp_path), "case_record", c["id"], evidence="付款凭证", today=TODAY)
        pdf = commitment_pdf(tmp_path / "承诺书.pdf", "还款承诺书", "某公司", ["承诺一月内付清"], "2026-11-20")
        b = att.attach(s, pdf, "repayment", r["id"], evidence="承诺书", today=TODAY)
        return [att.get(s, a), att.get(s, b)]
    finally:
        s.close()


def _states(path: Path) -> list[str]:
    s = Store(path, "测试")
    try:
        return [att.state(s, dict(r)) for r in s.query("SELECT * FROM attachment ORDER BY id")]
    finally:
        s.close()


@pytest.mark.parametrize("packed", [False, True])
def test_a_backup_carries_the_files_and_a_restore_brings_them_back(demo_db, tmp_path, monkeypatch, packed):
    if packed:
        monkeypatch.setattr(backup_pages, "LARGE", 0)
    rows = _attach_two(demo_db, tmp_path)
    s = Store(demo_db, "测试")
    made = backup.auto_backup(s.conn, s.path, "close")
    s.close()
    assert backup_pages.is_packed(made) is packed
    pool = backup.attachments_dir_of_backup(made)
    assert pool == backup.backup_dir(demo_db) / "attachments.files"
    for r in rows:
        assert att.sha256_of(att.blob_path(pool, r["sha256"])) == r["sha256"]
    assert backup.list_backups(demo_db) == [made]                 # the folder is not taken for a backup
    assert backup.inspect(made).usable
    shutil.rmtree(att.files_dir(demo_db))                          # the files are lost …
    assert _states(demo_db) == [att.MISSING, att.MISSING]
    restore.restore(made, demo_db, user="测试")                     # … and come back with the restore
    assert _states(demo_db) == [att.OK, att.OK]


def test_a_backup_elsewhere_has_its_own_files_folder_and_a_second_backup_copies_nothing_again(demo_db, tmp_path):
    rows = _attach_two(demo_db, tmp_path)
    target = tmp_path / "U盘" / "备份.sqlite"
    backup.backup_file(demo_db, target)
    own = target.with_name("备份.sqlite.files")
    assert sorted(p.name for p in own.rglob("*") if p.is_file()) == sorted(r["sha256"] for r in rows)
    s = Store(demo_db, "测试")
    try:
        first = backup.auto_backup(s.conn, s.path, "daily")
        blob = att.blob_path(backup.attachments_dir_of_backup(first), rows[0]["sha256"])
        stamp = blob.stat().st_mtime_ns
        assert backup.copy_attachments(s.conn, first, first)["present"] == 2
        assert blob.stat().st_mtime_ns == stamp
    finally:
        s.close()


def test_an_altered_file_is_not_copied_into_a_backup(demo_db, tmp_path):
    rows = _attach_two(demo_db, tmp_path)
    blob = att.blob_path(att.files_dir(demo_db), rows[0]["sha256"])
    blob.write_bytes(b"\x89PNG\r\n\x1a\n altered")
    s = Store(demo_db, "测试")
    try:
        made = backup.auto_backup(s.conn, s.path, "close")
    finally:
        s.close()
    pool = backup.attachments_dir_of_backup(made)
    assert not att.blob_path(pool, rows[0]["sha256"]).exists()
    assert att.blob_path(pool, rows[1]["sha256"]).is_file()


# -- the 报送包 ------------------------------------------------------------------------------------
def test_a_package_carries_the_files_and_the_county_keeps_them_beside_the_township(tmp_path):
    from tests.test_exchange import make_county, make_town
    from models.exchange import PackageRefused, package
    from models.exchange.export import export_package
    from models.exchange.receive import receive_package, township_store, townships_dir
    town = make_town(tmp_path / "town.sqlite", 5, "青山镇", "511234101")
    rows = _attach_two(town, tmp_path)
    county_db = make_county(tmp_path / "county.sqlite")
    sent = dt.datetime.combine(TODAY, dt.time(17, 0))
    s = Store(town, "镇办公室")
    try:
        done = export_package(s, tmp_path / "报送.qqpkg", now=sent)
    finally:
        s.close()
    assert done["attachments"] == 2
    with zipfile.ZipFile(done["out"]) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
    members = {f"attachments/{r['sha256']}" for r in rows}
    assert members <= names
    assert {a["member"] for a in manifest["attachments"]} == members
    assert {a["sha256"]: a["bytes"] for a in manifest["attachments"]} == {r["sha256"]: r["size_bytes"] for r in rows}

    # an attachment altered in the archive is refused, and nothing is kept
    bad = tmp_path / "改动.qqpkg"
    with zipfile.ZipFile(done["out"]) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == f"attachments/{rows[0]['sha256']}":
                data = data[:-1] + bytes([data[-1] ^ 1])
            dst.writestr(info, data)
    c = Store(county_db, "县办公室")
    try:
        with pytest.raises(PackageRefused, match="附件 .* 与其校验值（SHA-256）不符"):
            receive_package(c, bad, now=sent + dt.timedelta(hours=1))
        assert c.scalar("SELECT COUNT(*) FROM exchange_township") == 0
        assert not any(p.name.endswith(".files") for p in townships_dir(county_db).iterdir())
        got = receive_package(c, done["out"], now=sent + dt.timedelta(hours=1))
        kept = c.scalar("SELECT file FROM exchange_township")
    finally:
        c.close()
    assert got["attachments"] == 2
    t = township_store(county_db, kept)
    try:
        assert [att.state(t, dict(r)) for r in t.query("SELECT * FROM attachment ORDER BY id")] == [att.OK, att.OK]
        assert att.files_dir(t.path) == townships_dir(county_db) / f"{kept}.files"
    finally:
        t.conn.close()
    assert package.read(done["out"]).attachments()


# -- the commands -------------------------------------------------------------------------------
def run(capsys, *argv) -> tuple[int, str, str]:
    from desktop.cli import main
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_attach_command_by_case_number_and_repayment_id(demo_db, tmp_path, capsys):
    s = Store(demo_db, "测试")
    c = first_case(s)
    r = s.one("SELECT id FROM repayment WHERE deleted_at IS NULL ORDER BY id LIMIT 1")["id"]
    s.close()
    f = png(tmp_path)
    code, out, err = run(capsys, "attach", f, "--db", demo_db, "--kind", "cases", "--record", c["case_no"],
                         "--evidence", "付款凭证", "--note", "银行回单", "--today", "2026-11-26", "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["record"] == f"欠薪问题台账 {c['case_no']}" and got["evidence"] == "付款凭证" and got["mime"] == "image/png"
    code, out, err = run(capsys, "attach", f, "--db", demo_db, "--kind", "repayments", "--record", r)
    assert code == 0, err
    assert out.startswith("已附加：回单.png（其他") and "兑付记录" in out
    code, out, err = run(capsys, "attach", f, "--db", demo_db, "--kind", "cases", "--record", "QQ1999-0001")
    assert code == 2 and "没有编号或记录号为“QQ1999-0001”的记录" in err and out == ""
    t = tmp_path / "a.txt"
    t.write_text("hello")
    code, out, err = run(capsys, "attach", t, "--db", demo_db, "--kind", "cases", "--record", c["case_no"])
    assert code == 2 and "内容不是可以归档的类型" in err and len(err.strip().splitlines()) == 1


def test_export_attachments_to_a_folder_and_a_zip_with_an_index(demo_db, tmp_path, capsys):
    rows = _attach_two(demo_db, tmp_path)
    code, out, err = run(capsys, "export", "attachments", "--db", demo_db, "--out", tmp_path / "材料", "--json")
    assert code == 0, err
    assert json.loads(out)["files"] == 2
    files = sorted(p.name for p in (tmp_path / "材料").iterdir())
    assert "附件清单.xlsx" in files and len(files) == 3
    from openpyxl import load_workbook
    ws = load_workbook(tmp_path / "材料" / "附件清单.xlsx").active
    table = list(ws.values)
    assert table[0][:5] == ("序号", "所属台账", "所属记录", "材料类别", "文件名")
    assert {row[8] for row in table[1:]} == {r["sha256"] for r in rows}
    code, out, err = run(capsys, "export", "attachments", "--db", demo_db, "--out", tmp_path / "材料.zip")
    assert code == 0, err
    assert "已导出证据材料 2 个文件" in out
    with zipfile.ZipFile(tmp_path / "材料.zip") as z:
        assert len(z.namelist()) == 3 and "附件清单.xlsx" in z.namelist()
    # the ledger itself still exports as a sheet
    code, out, err = run(capsys, "export", "attachments", "--db", demo_db, "--out", tmp_path / "台账.xlsx")
    assert code == 0, err
    assert (tmp_path / "台账.xlsx").is_file()
    # a folder that holds something already is not written into without --force
    code, out, err = run(capsys, "export", "attachments", "--db", demo_db, "--out", tmp_path / "材料")
    assert code == 2 and "不是空文件夹" in err


# -- the demo -----------------------------------------------------------------------------------
def test_demo_populate_puts_receipts_and_commitments_on_cases_and_repayments(s):
    from models.demo import attachments as demo_att
    got = demo_att.populate(s, random.Random(7), TODAY)
    assert got["repayments"] >= 4 and got["cases"] >= 4 and got["attachments"] >= 12
    kinds = {r[0] for r in s.query("SELECT DISTINCT evidence FROM attachment")}
    assert {"付款凭证", "承诺书", "还款计划"} <= kinds
    tables = {r[0] for r in s.query("SELECT DISTINCT record_table FROM attachment")}
    assert tables == {"case_record", "repayment"}
    assert all(att.state(s, dict(r)) == att.OK for r in s.query("SELECT * FROM attachment"))
    # every 已化解 case given a receipt passes the rule when the office turns it on
    s.set_setting(att.PROOF_SETTING, True)
    proved = [r[0] for r in s.query("SELECT c.id FROM case_record c JOIN attachment a ON a.record_uuid = c.uuid "
                                    "WHERE a.evidence = '付款凭证'")]
    assert proved and att.cases_without_proof(s, proved) == set()


def test_a_workstream_filler_attaches_to_its_own_records_only(s, tmp_path):
    from models import access
    from models.db import PermissionDenied
    mine = dict(s.one("SELECT id, workstream_id FROM case_record WHERE workstream_id IS NOT NULL AND deleted_at IS NULL "
                      "ORDER BY id LIMIT 1"))
    other = s.scalar("SELECT id FROM case_record WHERE workstream_id IS NOT NULL AND workstream_id != ? "
                     "AND deleted_at IS NULL ORDER BY id LIMIT 1", (mine["workstream_id"],))
    access.create_account(s, "办公室", "pw-office-1", "办公室")
    s.actor = access.login(s, "办公室", "pw-office-1")
    access.create_account(s, "填报员", "pw-filler-1", "专班填报员", workstream_id=mine["workstream_id"])
    s.actor = access.login(s, "填报员", "pw-filler-1")
    aid = att.attach(s, png(tmp_path), "case_record", mine["id"], evidence="付款凭证", today=TODAY)
    assert att.get(s, aid)["workstream_id"] == mine["workstream_id"]
    with pytest.raises(PermissionDenied):
        att.attach(s, png(tmp_path, "b.png", seed=2), "case_record", other, evidence="付款凭证", today=TODAY)
    assert s.scalar("SELECT COUNT(*) FROM attachment") == 1


def test_a_damaged_office_file_is_told_apart_or_refused_never_a_crash(tmp_path):
    """A .docx damaged anywhere (a byte changed in its zip index, a member flagged encrypted, a
    compression method Python does not know): its type is found or refused in one sentence."""
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<x/>")
        z.writestr("word/document.xml", "<w/>" * 100)
    path = tmp_path / "材料.docx"
    outcomes = set()
    for data in damaged_copies(buf.getvalue(), 20261207, 600, most=4, keep_head=4, cut=0):
        path.write_bytes(data)
        try:
            outcomes.add(att.file_type(path))
        except att.AttachmentError as exc:
            assert "\n" not in str(exc)
            outcomes.add("refused")
    assert {"docx", "refused"} <= outcomes
