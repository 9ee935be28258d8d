"""月度 / 季度书面报告: the period's figures equal the ledgers' dated rows in the period, read back
from the PDF; the report says when it is due (the 10th of the next month)."""
from __future__ import annotations

import datetime as _dt

import pytest
from pdftext import flat_of

from desktop.cli import main
from models.db import Store
from models.reports import period
from models.values import fen_to_wan_text

TODAY = _dt.date(2026, 11, 26)


def test_due_dates_and_labels():
    assert period.due_date(_dt.date(2026, 10, 31)) == _dt.date(2026, 11, 10)
    assert period.due_date(_dt.date(2026, 12, 31)) == _dt.date(2027, 1, 10)
    assert period.kind_of(_dt.date(2026, 7, 1), _dt.date(2026, 9, 30)) == "季度"
    assert period.kind_of(_dt.date(2026, 10, 1), _dt.date(2026, 10, 31)) == "月度"
    assert period.period_label(_dt.date(2026, 10, 1), _dt.date(2026, 12, 31)) == "2026年第四季度"
    assert "2026-12-10" in period.next_due_text(_dt.date(2026, 11, 26))
    assert "2026-11-10" in period.next_due_text(_dt.date(2026, 11, 3))


@pytest.mark.parametrize("since,until", [("2026-10-01", "2026-10-31"), ("2026-07-01", "2026-09-30")])
def test_period_figures_equal_the_ledgers(town, tmp_path, capsys, since, until):
    out = tmp_path / "p.pdf"
    assert main(["report", "period", "--from", since, "--to", until, "--db", str(town), "--out", str(out),
                 "--today", TODAY.isoformat(), "--json"]) == 0
    import json
    data = json.loads(capsys.readouterr().out)
    pf = data["figures"]["period"]
    s = Store(town)
    try:
        nxt = (_dt.date.fromisoformat(until) + _dt.timedelta(days=1)).isoformat()
        assert pf["new_cases"] == s.scalar("SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND "
                                           "registered_on >= ? AND registered_on < ?", (since, nxt))
        assert pf["repaid_fen"] == s.scalar(
            "SELECT COALESCE(SUM(p.amount_fen), 0) FROM repayment p JOIN case_record c ON c.id = p.case_id WHERE "
            "p.deleted_at IS NULL AND c.deleted_at IS NULL AND p.paid_on BETWEEN ? AND ?", (since, until))
        assert pf["petitions"] == s.scalar("SELECT COUNT(*) FROM petition WHERE deleted_at IS NULL AND visited_on "
                                           "BETWEEN ? AND ?", (since, until))
        assert pf["funds_received_fen"] == s.scalar("SELECT COALESCE(SUM(received_fen), 0) FROM fund WHERE "
                                                    "deleted_at IS NULL AND received_on BETWEEN ? AND ?", (since, until))
        assert pf["meetings"] == s.scalar("SELECT COUNT(*) FROM meeting WHERE deleted_at IS NULL AND date BETWEEN "
                                          "? AND ?", (since, until))
        from models import figures
        f = figures.figures(s, TODAY, _dt.date.fromisoformat(until))
    finally:
        s.close()
    assert pf["repaid_fen"] > 0 and pf["new_cases"] > 0          # the demo's period is not empty
    text = flat_of(out)
    assert f"本期新登记欠薪问题{pf['new_cases']:,}件" in text
    assert f"兑付农民工工资{fen_to_wan_text(pf['repaid_fen'], 2)}万元" in text
    assert f"登记信访{pf['petitions']:,}件" in text
    assert f"累计登记欠薪问题{f.cases:,}件" in text and f"已兑付{fen_to_wan_text(f.paid_fen, 2)}万元" in text
    due = period.due_date(_dt.date.fromisoformat(until))
    assert f"本报告应于{due.year}年{due.month}月{due.day}日前报送" in text
    assert data["figures"]["due"] == due.isoformat()


def test_word_version_and_refusals(town, tmp_path, capsys):
    out = tmp_path / "p.docx"
    assert main(["report", "period", "--from", "2026-10-01", "--to", "2026-10-31", "--db", str(town), "--out",
                 str(out), "--today", TODAY.isoformat()]) == 0
    assert out.read_bytes()[:4] == b"PK\x03\x04"
    import docx
    assert "本期新登记欠薪问题" in "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    capsys.readouterr()
    assert main(["report", "period", "--from", "2026-11-01", "--to", "2026-11-30", "--db", str(town), "--out",
                 str(tmp_path / "x.pdf"), "--today", TODAY.isoformat()]) == 2
    assert "晚于今天" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
    assert main(["report", "period", "--db", str(town), "--out", str(tmp_path / "y.pdf")]) == 2
    assert "--from" in capsys.readouterr().err


@pytest.fixture
def page(town, tmp_path, qtbot, app_font):
    from models.backup import backup_to
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    from views.reports_page import ReportsPage
    src = Store(town)
    backup_to(src.conn, tmp_path / "t.sqlite")
    src.close()
    store = Store(tmp_path / "t.sqlite", "测试")
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus(), today=lambda: TODAY)
    p = ReportsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1366, 768)
    p.show()
    p.progress_after_ms = 60_000
    yield p
    store.close()


def test_reports_page_makes_a_quarterly_report_and_a_certificate(page, qtbot, tmp_path):
    page.which.setCurrentIndex(page.which.findData("period"))
    assert page.period.isVisible() and not page.cert.isVisible() and not page.day.isVisible()
    assert page.period.span() == (_dt.date(2026, 10, 1), _dt.date(2026, 10, 31))      # 上月 by default
    assert "2026-11-10" in page.period.due.text()
    page.period.set_span(_dt.date(2026, 7, 1), _dt.date(2026, 9, 30))
    assert "第三季度" in page.out_path("period", TODAY).name
    page.generate(tmp_path / "q.pdf")
    qtbot.waitUntil(lambda: page.job is None, timeout=60000)
    assert page.result is not None and page.result.title == "季度书面报告", page.status.text()
    assert "季度工作情况的报告" in flat_of(page.result.path)
    page.grab().save(str(tmp_path / "reports_period.png"))
    # a certificate: refused for an employer with open cases, issued for one with none
    s = page.ctx.store
    owing = s.scalar("SELECT employer_name FROM case_record WHERE deleted_at IS NULL AND status = '化解中' LIMIT 1")
    page.which.setCurrentIndex(page.which.findData("certificate"))
    assert page.cert.isVisible() and not page.period.isVisible()
    page.cert.employer.setCurrentText(owing)
    page.generate(tmp_path / "c1.pdf")
    assert "不能出具清欠证明" in page.status.text() and not (tmp_path / "c1.pdf").exists()
    from models import certificates
    clear = next(r[0] for r in s.query("SELECT DISTINCT employer_name FROM case_record WHERE deleted_at IS NULL AND "
                                       "employer_name != '' ORDER BY employer_name")
                 if certificates.review(s, TODAY, r[0]).clear)
    page.cert.employer.setCurrentText(clear)
    page.generate(tmp_path / "c2.pdf")
    assert page.result.path == tmp_path / "c2.pdf", page.status.text()
    assert "清欠证〔2026〕1号" in page.status.text()
    assert s.scalar("SELECT employer_name FROM certificate WHERE cert_no = '清欠证〔2026〕1号'") == clear


def test_a_period_that_is_no_month_or_quarter_names_its_span_once(town, tmp_path):
    import datetime as _dt
    from pdftext import flat_of
    from models.reports import make_report
    r = make_report("period", town, tmp_path / "阶段.pdf", _dt.date(2026, 11, 26),
                    since=_dt.date(2026, 10, 1), until=_dt.date(2026, 11, 15))
    text = flat_of(r.path)
    assert "2026年10月1日至2026年11月15日根治欠薪工作情况报告如下" in text
    assert "2026年10月1日至2026年11月15日（" not in text
