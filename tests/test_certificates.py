"""清欠审查证明: refused, with one Chinese line and nothing written, while the employer has arrears
(an open case, unpaid wages, or 拖欠工程款); issued with the next number and registered when none."""
from __future__ import annotations

import datetime as _dt
import json

import pytest
from pdftext import flat_of

from desktop.cli import main
from models import campaign, certificates
from models.db import Store
from models.ledger.service import service_for

TODAY = _dt.date(2026, 11, 26)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "c.sqlite"
    s = Store(path, "测试")
    campaign.create_campaign(s, "2026年根治欠薪冬季专项行动", "青山县青山镇人民政府", _dt.date(2026, 9, 14))
    ws = campaign.workstreams(s)[0]["id"]
    cases = service_for(s, "cases", TODAY)
    cases.insert({"case_no": "QS1", "registered_on": "2026-10-01", "employer_name": "甲建筑公司",
                  "project_name": "一号楼", "workstream_id": ws, "workers_count": 3, "amount_fen": 900_000,
                  "paid_fen": 900_000, "status": "已化解", "closed_on": "2026-10-20", "verdict": "已足额支付"})
    cases.insert({"case_no": "QS2", "registered_on": "2026-10-05", "employer_name": "甲建筑公司",
                  "project_name": "二号楼", "workstream_id": ws, "workers_count": 2, "amount_fen": 500_000,
                  "status": "化解中"})
    s.close()
    return path


def run(*argv):
    return main(["report", "certificate", *argv, "--today", TODAY.isoformat()])


def test_refused_while_arrears_remain(db, tmp_path, capsys):
    out = tmp_path / "c.pdf"
    assert run("--employer", "甲建筑公司", "--db", str(db), "--out", str(out)) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "尚有未化解的欠薪问题 1 件（QS2）" in err and "不能出具清欠证明" in err
    assert not out.exists()
    s = Store(db)
    assert s.scalar("SELECT COUNT(*) FROM certificate") == 0
    with pytest.raises(Exception, match="不能出具清欠证明"):      # the register's own service refuses too
        service_for(s, "certificates", TODAY).insert({"employer_name": "甲建筑公司", "as_of": TODAY.isoformat()})
    s.close()


def test_issued_numbered_and_registered_when_clear(db, tmp_path, capsys):
    # the project already cleared may have its own certificate while the other still owes
    out = tmp_path / "c.pdf"
    assert run("--employer", "甲建筑公司", "--project", "一号楼", "--db", str(db), "--out", str(out), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["figures"]["cert_no"] == "清欠证〔2026〕1号"
    text = flat_of(out)
    assert "清欠审查证明" in text and "清欠证〔2026〕1号" in text and "QS1" in text and "QS2" not in text
    assert "9,000.00" in text and "特此证明" in text
    # the other case paid and closed: the whole employer now, the next number, both registered
    s = Store(db, "测试")
    cid = s.scalar("SELECT id FROM case_record WHERE case_no = 'QS2'")
    service_for(s, "cases", TODAY).update(cid, {"paid_fen": 500_000, "status": "已化解", "closed_on": "2026-11-20", "verdict": "已足额支付"})
    s.close()
    assert run("--employer", "甲建筑公司", "--db", str(db), "--out", str(tmp_path / "d.docx"),
               "--cert-kind", "兑付证明") == 0
    assert "清欠证〔2026〕2号" in capsys.readouterr().out
    s = Store(db)
    rows = [dict(r) for r in s.query("SELECT cert_no, cert_kind, project_name, cases_count, workers, cleared_fen "
                                     "FROM certificate ORDER BY id")]
    s.close()
    assert rows == [
        {"cert_no": "清欠证〔2026〕1号", "cert_kind": "清欠审查证明", "project_name": "一号楼", "cases_count": 1,
         "workers": 3, "cleared_fen": 900_000},
        {"cert_no": "清欠证〔2026〕2号", "cert_kind": "兑付证明", "project_name": "", "cases_count": 2,
         "workers": 5, "cleared_fen": 1_400_000}]


def test_contract_arrears_also_refuse(db):
    s = Store(db, "测试")
    service_for(s, "contract_arrears", TODAY).insert(
        {"arrear_no": "G1", "project_name": "三号楼", "owner_unit": "甲建筑公司", "contractor": "乙公司",
         "contract_fen": 1_000_000, "settled_fen": 1_000_000, "paid_fen": 400_000})
    r = certificates.review(s, TODAY, "甲建筑公司", "一号楼")
    assert r.clear                                   # another project's debt is not this project's
    r = certificates.review(s, TODAY, "甲建筑公司")
    assert not r.clear and "尚欠工程款 1 笔（三号楼）" in r.refusal()
    s.close()


def test_register_is_a_ledger_with_export(db, tmp_path, capsys):
    assert run("--employer", "甲建筑公司", "--project", "一号楼", "--db", str(db), "--out", str(tmp_path / "c.pdf")) == 0
    capsys.readouterr()
    out = tmp_path / "reg.xlsx"
    assert main(["export", "certificates", "--db", str(db), "--out", str(out)]) == 0
    import openpyxl
    cells = [c.value for row in openpyxl.load_workbook(out).active.iter_rows() for c in row]
    assert "清欠证〔2026〕1号" in cells


def test_rule_finds_arrears_dated_before_a_certificate(db, tmp_path, capsys):
    from models import checks
    assert run("--employer", "甲建筑公司", "--project", "一号楼", "--db", str(db), "--out", str(tmp_path / "c.pdf")) == 0
    s = Store(db, "测试")
    assert not [f for f in checks.run_checks(s, TODAY).findings if f.rule == "certificates_clear"]
    ws = campaign.workstreams(s)[0]["id"]
    # registered after the certificate's day, but owed since before it: the certificate was wrong
    service_for(s, "cases", _dt.date(2026, 11, 30)).insert(
        {"case_no": "QS3", "registered_on": "2026-11-30", "employer_name": "甲建筑公司", "project_name": "一号楼",
         "workstream_id": ws, "workers_count": 1, "amount_fen": 100_000, "status": "待核实",
         "period_from": "2026-09-01", "period_to": "2026-10-31"})
    found = [f for f in checks.run_checks(s, _dt.date(2026, 11, 30)).findings if f.rule == "certificates_clear"]
    s.close()
    assert len(found) == 1 and "QS3" in found[0].message and found[0].label == "清欠证〔2026〕1号"
