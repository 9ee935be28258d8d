"""清欠审查证明 refused, with one Chinese line, nothing numbered, nothing registered and no file:
for a name no ledger knows (a near miss of a registered employer names the registered one), on
the command line, at the register's own door and in the window; and for a day that a case
registered later contradicts, by the very rule 数据审核 applies (certificates_clear)."""
from __future__ import annotations

import datetime as _dt
import json

import pytest
from pdftext import flat_of

from desktop.cli import main
from models import campaign, certificates, checks
from models.db import Store
from models.ledger.service import service_for

TODAY = _dt.date(2026, 11, 26)
JIALING = "南充市嘉陵建筑工程有限公司"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "c.sqlite"
    s = Store(path, "测试")
    campaign.create_campaign(s, "2026年根治欠薪冬季专项行动", "青山县青山镇人民政府", _dt.date(2026, 9, 14))
    ws = campaign.workstreams(s)[0]["id"]
    cases = service_for(s, "cases", TODAY)
    # registered on 10-06, wages owed since 05-27, paid and closed on 10-20
    cases.insert({"case_no": "QS1", "registered_on": "2026-10-06", "employer_name": JIALING,
                  "project_name": "一号楼", "workstream_id": ws, "workers_count": 3, "amount_fen": 900_000,
                  "paid_fen": 900_000, "status": "已化解", "closed_on": "2026-10-20", "verdict": "已足额支付",
                  "period_from": "2026-05-27", "period_to": "2026-08-31"})
    # another employer's case, with a general contractor that has no case of its own
    cases.insert({"case_no": "QS2", "registered_on": "2026-10-08", "employer_name": "青山县宏达建筑劳务有限公司",
                  "general_contractor": "四川川东建设工程有限公司", "project_name": "二号楼", "workstream_id": ws,
                  "workers_count": 2, "amount_fen": 500_000, "paid_fen": 500_000, "status": "已化解",
                  "closed_on": "2026-10-30", "verdict": "已足额支付"})
    s.close()
    return path


def run(*argv):
    return main(["report", "certificate", *argv, "--today", TODAY.isoformat()])


def registered(db) -> list[str]:
    s = Store(db)
    try:
        return [r[0] for r in s.query("SELECT cert_no FROM certificate ORDER BY id")]
    finally:
        s.close()


@pytest.mark.parametrize("name", ["南充市嘉陵建筑工程公司", "南充市嘉陵建筑工程有限责任公司", "南充市嘉陵建筑工程股份有限公司",
                                  "南充市 嘉陵建筑工程有限公司", "南充市嘉陵建筑工程（有限）公司", "嘉陵建筑工程有限公司"])
def test_a_near_miss_is_refused_and_the_registered_name_given(db, tmp_path, capsys, name):
    out = tmp_path / "c.pdf"
    assert run("--employer", name, "--db", str(db), "--out", str(out), "--json") == 2
    got = capsys.readouterr()
    err = got.err.strip()
    assert got.out == "" and "\n" not in err
    assert f"“{name}”" in err and "不能出具清欠证明" in err and f"名称相近的有：“{JIALING}”" in err
    assert not out.exists() and registered(db) == []


def test_an_unknown_name_is_refused(db, tmp_path, capsys):
    out = tmp_path / "c.pdf"
    assert run("--employer", "不存在的公司", "--db", str(db), "--out", str(out)) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "没有名为“不存在的公司”的单位" in err and "不能出具清欠证明" in err
    assert "名称相近" not in err
    assert not out.exists() and registered(db) == []
    # a project no ledger knows, for a known employer, is refused the same way
    assert run("--employer", JIALING, "--project", "三号楼", "--db", str(db), "--out", str(out)) == 2
    assert "没有名为“三号楼”的项目" in capsys.readouterr().err
    assert registered(db) == []
    # the refusals took no number: the first certificate issued is still 1号
    assert run("--employer", JIALING, "--db", str(db), "--out", str(out)) == 0
    assert registered(db) == ["清欠证〔2026〕1号"]


def test_a_name_any_ledger_knows_is_certified(db, tmp_path, capsys):
    # a general contractor with no case of its own is a registered unit: "无欠薪问题登记" is true of it
    out = tmp_path / "c.pdf"
    assert run("--employer", "四川川东建设工程有限公司", "--db", str(db), "--out", str(out)) == 0
    assert "无欠薪问题登记" in flat_of(out)
    assert registered(db) == ["清欠证〔2026〕1号"]


def test_the_registers_door_refuses_an_unknown_name_too(db):
    s = Store(db, "测试")
    try:
        with pytest.raises(Exception, match="名称相近的有：“南充市嘉陵建筑工程有限公司”"):
            service_for(s, "certificates", TODAY).insert({"employer_name": "南充市嘉陵建筑工程公司",
                                                         "as_of": TODAY.isoformat()})
        with pytest.raises(certificates.Refused, match="不存在的公司"):
            certificates.issue(s, TODAY, "不存在的公司")
        assert s.scalar("SELECT COUNT(*) FROM certificate") == 0
    finally:
        s.close()


def test_near_names():
    names = [JIALING, "南充市嘉陵建设有限公司", "青山县宏达建筑劳务有限公司", "公司"]
    assert certificates.near_names("南充市嘉陵建筑工程公司", names) == [JIALING]
    assert certificates.near_names("嘉陵建筑", names) == [JIALING]         # one contains the other
    assert certificates.near_names("公司", names) == []                     # too short to say anything
    assert certificates.near_names("不存在的公司", names) == []


def test_a_backdated_certificate_the_check_would_contradict_is_refused(db, tmp_path, capsys):
    # as of 10-01 QS1 was not yet registered, but its wages were owed since 05-27
    out = tmp_path / "c.pdf"
    assert run("--employer", JIALING, "--date", "2026-10-01", "--db", str(db), "--out", str(out), "--json") == 2
    got = capsys.readouterr()
    err = got.err.strip()
    assert got.out == "" and "\n" not in err
    assert "截至 2026-10-01" in err and "QS1" in err and "不能出具" in err
    assert not out.exists() and registered(db) == []
    s = Store(db, "测试")
    try:                                  # nothing left for the check to find
        assert not [f for f in checks.run_checks(s, TODAY).findings if f.rule == "certificates_clear"]
    finally:
        s.close()
    assert main(["check", "--db", str(db), "--date", TODAY.isoformat()]) == 0
    capsys.readouterr()
    # a day after the case was registered and closed contradicts nothing: issued, as 1号
    assert run("--employer", JIALING, "--date", "2026-10-25", "--db", str(db), "--out", str(out)) == 0
    assert registered(db) == ["清欠证〔2026〕1号"]
    assert main(["check", "--db", str(db), "--date", TODAY.isoformat()]) == 0


def test_issuing_asks_the_check_rule_itself(db, monkeypatch):
    """One rule, not a second copy: with the check's rule silenced, the backdated certificate the
    check would not find is issued (and with the rule as it is, refused)."""
    s = Store(db, "测试")
    try:
        with pytest.raises(certificates.Refused, match="QS1"):
            certificates.issue(s, TODAY, JIALING, as_of=_dt.date(2026, 10, 1))
        assert s.scalar("SELECT COUNT(*) FROM certificate") == 0
        title, _fn = checks.RULES["certificates_clear"]
        monkeypatch.setitem(checks.RULES, "certificates_clear", (title, lambda store, today: iter(())))
        _cid, row, _r = certificates.issue(s, TODAY, JIALING, as_of=_dt.date(2026, 10, 1))
        assert row["cert_no"] == "清欠证〔2026〕1号"
    finally:
        s.close()


# -- the window -----------------------------------------------------------------------------------
@pytest.fixture
def page(db, tmp_path, qtbot, app_font):
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    from views.reports_page import ReportsPage
    store = Store(db, "测试")
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus(), today=lambda: TODAY)
    p = ReportsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1366, 768)
    p.show()
    yield p
    store.close()


def test_the_window_shows_the_refusals(page, tmp_path):
    from PySide6.QtCore import QDate
    page.which.setCurrentIndex(page.which.findData("certificate"))
    page.cert.employer.setCurrentText("南充市嘉陵建筑工程公司")
    page.generate(tmp_path / "c1.pdf")
    text = page.status.text()
    assert "不能出具清欠证明" in text and f"名称相近的有：“{JIALING}”" in text
    assert not (tmp_path / "c1.pdf").exists()
    page.cert.employer.setCurrentText(JIALING)
    page.day.setDate(QDate(2026, 10, 1))
    page.generate(tmp_path / "c2.pdf")
    assert "截至 2026-10-01" in page.status.text() and "QS1" in page.status.text()
    assert not (tmp_path / "c2.pdf").exists()
    assert page.ctx.store.scalar("SELECT COUNT(*) FROM certificate") == 0
