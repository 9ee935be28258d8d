"""The PDF reports: every figure printed equals the ledger's own query, the Chinese text is real
text in an embedded font (pypdfium2 reads it), no markup leaks into any report, page numbers,
header rows, signature lines, the Excel statistics, the command line, progress and cancel. Pages
are also saved as PNG in /tmp/shots for a person to look at."""
from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path

import pytest
from pdftext import flat, flat_of, fonts, markup_in, page_count, text_of

from models import stats
from models.db import Store
from models.reports import ReportUnavailable, count_pages, make_report
from models.values import fen_to_wan_text, fen_to_yuan_text

TODAY = _dt.date(2026, 11, 26)
SHOTS = Path("/tmp/shots")
COUNTED = "deleted_at IS NULL AND status != '不存在欠薪'"


@pytest.fixture(scope="module")
def made(town, tmp_path_factory):
    """Every report made once for the module."""
    from models.ledger.repo import Query
    out = tmp_path_factory.mktemp("pdf")
    s = Store(town)
    ws = s.scalar("SELECT id FROM workstream WHERE name = '欠薪化解专班'")
    first_case = s.scalar("SELECT id FROM case_record WHERE w_count > 0 ORDER BY id LIMIT 1")
    day = _dt.date.fromisoformat(daily_day(s))
    res = {
        "weekly": make_report("weekly", town, out / "weekly.pdf", TODAY),
        "stats": make_report("stats", town, out / "stats.pdf", TODAY),
        "daily": make_report("daily", town, out / "daily.pdf", day),
        "zero": make_report("daily", town, out / "zero.pdf", _dt.date(2026, 11, 29)),
        "ledger": make_report("ledger", town, out / "ledger.pdf", TODAY, kind="cases",
                              query=Query(equals={"workstream_id": ws, "status": "化解中"})),
        "workers": make_report("ledger", town, out / "workers.pdf", TODAY, kind="workers",
                               query=Query(equals={"case_id": first_case})),
        "all_cases": make_report("ledger", town, out / "all_cases.pdf", TODAY, kind="cases"),
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    import pypdfium2 as pdfium
    for name, r in res.items():
        pdf = pdfium.PdfDocument(str(r.path))
        for i in range(min(len(pdf), 3)):
            pdf[i].render(scale=60 / 72).to_pil().save(SHOTS / f"report_{name}-{i + 1}.png")
        pdf.close()
    return res


def daily_day(s) -> str:
    """The latest day with both new cases and repayments."""
    return s.scalar("SELECT MAX(r.paid_on) FROM repayment r WHERE r.deleted_at IS NULL AND r.paid_on <= ? AND "
                    "r.paid_on IN (SELECT registered_on FROM case_record)", (TODAY.isoformat(),))


def q1(s, sql, params=()):
    return s.conn.execute(sql, params).fetchone()[0]


def test_every_report_is_a_pdf_with_pages(made):
    for name, r in made.items():
        assert r.path.read_bytes()[:5] == b"%PDF-", name
        assert r.pages == count_pages(r.path) == page_count(r.path) >= 1, name
        assert "审核" in r.check_text


def test_fonts_are_embedded_no_boxes(made):
    for name, r in made.items():
        found = fonts(r.path)
        assert found, name
        for font, embedded in found:
            assert embedded, (name, font)
            # the clean layout's one face; the briefing's official faces (tests/test_official.py)
            assert "WenQuanYi" in font or (name == "weekly" and "+QQ" in font), (name, font)
        assert "\ufffd" not in text_of(r.path), name       # no character the font could not map


def test_no_markup_in_any_report(made, town, tmp_path):
    """No report shows markup as text: the header block, the notes, the tables, every page of the
    briefing, statistics, daily and zero reports, ledger and worker printouts, the minutes, and the
    statistics workbook's title rows."""
    import openpyxl
    minutes = make_report("minutes", town, tmp_path / "minutes.pdf", TODAY)
    for name, r in [*made.items(), ("minutes", minutes)]:
        text = text_of(r.path)
        assert "数据审核" in text or name == "minutes", name
        assert markup_in(text) == [], (name, markup_in(text))
    wb = openpyxl.load_workbook(made["stats"].extra[0])
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=1, max_row=3, values_only=True):
            for v in row:
                assert not (isinstance(v, str) and markup_in(v)), (ws.title, v)


def test_every_page_numbered_and_stamped(made):
    for name, r in made.items():
        text = flat_of(r.path)
        for n in range(1, r.pages + 1):
            assert f"—{n}—" in text, (name, n)
        # a running header on every page, except the briefing (a 公文: the stamp once, under the title)
        assert text.count("数据提取时间") >= (1 if name == "weekly" else r.pages), name
        assert "数据审核" in text


def test_briefing_figures_equal_the_ledger(made, town):
    s = Store(town)
    text = text_of(made["weekly"].path)
    t = flat_of(made["weekly"].path)
    owed = q1(s, f"SELECT SUM(total_owed_fen) FROM case_record WHERE {COUNTED}")
    paid = q1(s, f"SELECT SUM(total_paid_fen) FROM case_record WHERE {COUNTED}")
    workers = q1(s, f"SELECT SUM(total_workers) FROM case_record WHERE {COUNTED}")
    for needle in ("周调度材料", "一、总体进展", "二、各专班本周工作", "三、逾期及重大问题", "四、交办事项", "附件1", "图表",
                   "附件2", "各专班在办问题清单", fen_to_wan_text(owed), fen_to_wan_text(paid),
                   fen_to_wan_text(owed - paid), f"{100 * paid / owed:.1f}%", f"{workers:,}", "距春节前（2027年2月5日）"):
        assert flat(needle) in t, needle
    # each workstream's row: its 已兑付 in 万元 with two decimals (a table for leaders)
    for name, p in s.conn.execute(f"SELECT w.name, COALESCE(SUM(c.total_paid_fen), 0) FROM workstream w LEFT JOIN "
                                  f"case_record c ON c.workstream_id = w.id AND c.deleted_at IS NULL AND "
                                  f"c.status != '不存在欠薪' GROUP BY w.id"):
        assert re.search(re.escape(name) + r".{0,80}" + re.escape(fen_to_wan_text(p, 2)), t), name
    # by status
    for status, n in s.conn.execute("SELECT status, COUNT(*) FROM case_record WHERE deleted_at IS NULL GROUP BY status"):
        assert re.search(status + r"[ \t]+" + f"{n:,}" + r"\b", text), status
    # every overdue case is listed with its days overdue
    for case_no, deadline in s.conn.execute("SELECT case_no, deadline FROM case_record WHERE deleted_at IS NULL AND "
                                            "status IN ('待核实', '化解中') AND deadline < ?", (TODAY.isoformat(),)):
        days = (TODAY - _dt.date.fromisoformat(deadline)).days
        assert case_no in t and f"逾期{days}天" in t
    # phase targets
    for name, pct in s.conn.execute("SELECT name, target_pct FROM campaign_phase"):
        assert flat(name) in t and fen_to_wan_text(round(owed * pct / 100), 2) in t


def test_statistics_report_and_excel_equal_the_ledger(made, town):
    s = Store(town)
    items = stats.indicators(s, TODAY)
    text = text_of(made["stats"].path)
    t = flat_of(made["stats"].path)
    total = q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL")
    closed = q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND status IN ('已化解','已移送','不存在欠薪')")
    paid = q1(s, f"SELECT SUM(total_paid_fen) FROM case_record WHERE {COUNTED}")
    expect = {"检查用人单位户数": None, "涉及农民工人数": f"{q1(s, f'SELECT SUM(total_workers) FROM case_record WHERE {COUNTED}'):,}",
              "处理欠薪问题数": f"{total:,}", "追发工资及赔偿金额": fen_to_wan_text(paid),
              "移送公安机关数": str(q1(s, "SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND status = '已移送'")),
              "办结率": f"{100 * closed / total:.2f}"}
    for it in items:
        assert flat(it.name) in t, it.name
        want = expect.get(it.name) or it.text
        assert flat(f"{it.name}{it.unit}{want}") in t, (it.name, want)
    for needle in ("根治欠薪专项行动统计报表", "单位负责人", "审核人", "填报人", "报出日期", "分专班情况"):
        assert needle in t
    xlsx = made["stats"].extra[0]
    assert xlsx.suffix == ".xlsx" and xlsx.exists()
    import openpyxl
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["统计指标"]
    rows = {ws.cell(r, 2).value: ws.cell(r, 4).value for r in range(4, 4 + len(items))}
    assert rows["处理欠薪问题数"] == total
    assert rows["追发工资及赔偿金额"] == pytest.approx(paid / 1_000_000)
    assert rows["办结率"] == pytest.approx(closed / total)
    assert ws.freeze_panes == "A4"
    ws2 = wb["分专班"]
    assert ws2.cell(3 + 8, 1).value == "合计" and ws2.cell(3 + 8, 8).value == pytest.approx(paid / 100)


def test_ledger_printout_filter_totals_masking_signatures(made, town):
    s = Store(town)
    t = flat_of(made["ledger"].path)
    assert "欠薪问题台账" in t and "筛选条件：责任专班：欠薪化解专班；状态：化解中" in t
    n, owed, paid = s.conn.execute(
        "SELECT COUNT(*), SUM(total_owed_fen), SUM(total_paid_fen) FROM case_record c JOIN workstream w ON "
        "w.id = c.workstream_id WHERE c.deleted_at IS NULL AND c.status = '化解中' AND w.name = '欠薪化解专班'").fetchone()
    assert f"合计（{n}条）" in t and fen_to_yuan_text(owed) in t and fen_to_yuan_text(paid) in t
    assert f"共{n}条" in t
    for label in ("填报人", "审核人", "日期"):
        assert label + "：" in t
    # workers: ID, card and phone masked, never printed whole
    wt = flat_of(made["workers"].path)
    cid = s.scalar("SELECT id FROM case_record WHERE w_count > 0 ORDER BY id LIMIT 1")
    for idn, card, phone, name in s.conn.execute("SELECT id_number, bank_card, phone, name FROM worker WHERE case_id = ?",
                                                 (cid,)):
        assert name in wt
        assert idn not in wt and card not in wt and phone not in wt
        assert idn[:6] in wt and idn[-4:] in wt
    assert "已部分隐藏" in wt


def test_long_ledger_repeats_the_header_on_every_page(made):
    r = made["all_cases"]
    assert r.pages > 1
    pages = text_of(r.path).split("\f")
    for page in pages[: r.pages]:
        assert "编号" in page and "线索来源" in page and "登记日期" in page


def test_daily_report_and_zero_report(made, town):
    s = Store(town)
    day = daily_day(s)
    t = flat_of(made["daily"].path)
    assert "欠薪问题日报告" in t
    for case_no, in s.conn.execute("SELECT case_no FROM case_record WHERE registered_on = ?", (day,)):
        assert case_no in t
    paid = q1(s, "SELECT SUM(r.amount_fen) FROM repayment r JOIN case_record c ON c.id = r.case_id WHERE "
                 "r.deleted_at IS NULL AND c.deleted_at IS NULL AND c.status != '不存在欠薪' AND r.paid_on = ?", (day,))
    assert f"兑付工资{fen_to_yuan_text(paid)}元" in t
    z = flat_of(made["zero"].path)
    assert "欠薪问题零报告" in z and "特此零报告" in z


def test_command_line_reports(town, tmp_path, capsys):
    from desktop.cli import main
    out = tmp_path / "stats.pdf"
    assert main(["report", "stats", "--db", str(town), "--out", str(out), "--date", "2026-11-26", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["pages"] >= 1 and Path(got["extra"][0]).exists() and out.exists()
    out = tmp_path / "ledger.pdf"
    assert main(["report", "ledger", "--db", str(town), "--out", str(out), "--kind", "cases",
                 "--filter", "状态=已移送", "--date", "2026-11-26", "--today", "2026-11-26"]) == 0
    # a ledger printout lists the records as they are: it is never dated back
    assert main(["report", "ledger", "--db", str(town), "--out", str(out), "--kind", "cases",
                 "--date", "2026-11-01", "--today", "2026-11-26"]) == 2
    assert "report stats" in capsys.readouterr().err
    # a day after today cannot be known: one line, exit 2, no file
    later = tmp_path / "later.pdf"
    assert main(["report", "weekly", "--db", str(town), "--out", str(later), "--date", "2026-12-01",
                 "--today", "2026-11-26"]) == 2
    assert "晚于今天" in capsys.readouterr().err and not later.exists()
    assert main(["report", "ledger", "--db", str(town), "--out", str(out), "--kind", "nope"]) == 2
    assert "没有名为 nope 的台账" in capsys.readouterr().err
    assert main(["report", "ledger", "--db", str(town), "--out", str(out), "--filter", "状态=乱写"]) == 2
    assert main(["report", "weekly", "--db", str(tmp_path / "missing.sqlite"), "--out", str(out)]) == 2
    assert main(["report", "weekly", "--db", str(town), "--out", str(out), "--date", "26/11/2026"]) == 2


def test_minutes_without_its_module_exits_2(town, tmp_path, monkeypatch, capsys):
    import builtins
    from desktop.cli import main
    real = builtins.__import__

    def no_minutes(name, *a, **k):
        if name == "models.reports.minutes":
            raise ImportError(name)
        return real(name, *a, **k)
    monkeypatch.setattr(builtins, "__import__", no_minutes)
    assert main(["report", "minutes", "--db", str(town), "--out", str(tmp_path / "m.pdf")]) == 2
    assert "会议纪要" in capsys.readouterr().err


def test_progress_and_cancel(town, tmp_path):
    from models.jobs import Cancelled, JobContext
    seen = []
    job = JobContext(on_progress=lambda d, t, text: seen.append(text))
    make_report("daily", town, tmp_path / "d.pdf", TODAY, job=job)
    assert seen and any("生成" in x for x in seen)
    job = JobContext()
    job.cancel()
    with pytest.raises(Cancelled):
        make_report("weekly", town, tmp_path / "w.pdf", TODAY, job=job)
    assert not (tmp_path / "w.pdf").exists()
    with pytest.raises(ReportUnavailable):
        make_report("ledger", town, tmp_path / "x.pdf", TODAY, kind="no_such_ledger")


def test_reports_say_when_checks_fail(town, tmp_path):
    from models.backup import backup_to
    src = Store(town)
    backup_to(src.conn, tmp_path / "bad.sqlite")
    s = Store(tmp_path / "bad.sqlite")
    with s.tx():      # a case marked 已化解 with wages still unpaid: the checks must find it
        s.execute("UPDATE worker SET owed_fen = owed_fen + 10000 WHERE id = (SELECT w.id FROM worker w "
                  "JOIN case_record c ON c.id = w.case_id WHERE c.status = '已化解' AND w.deleted_at IS NULL LIMIT 1)")
    r = make_report("stats", s, tmp_path / "bad.pdf", TODAY)
    assert not r.passed and "发现" in r.check_text
    assert "数据审核：未通过" in flat_of(r.path)


def test_each_command_is_found_in_the_module_the_command_line_names():
    """A command starts with only its own module loaded (desktop.commands.COMMAND_MODULES);
    the map must name every command and the right module for each."""
    from desktop.cli import build_parser
    from desktop.commands import COMMAND_MODULES
    every = build_parser()._subparsers._group_actions[0].choices
    assert set(every) == set(COMMAND_MODULES)
    for command, module in COMMAND_MODULES.items():
        assert command in build_parser(module)._subparsers._group_actions[0].choices


def test_signature_block_never_stands_alone_on_a_page(tmp_path):
    """However many rows a printout has, the last page holds rows (and the 合计) above the
    填报人 / 审核人 / 日期 lines: tables of 1 to 70 rows cover every way a page can end."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    from models.reports.pdf_base import LongTable, ReportDoc, Stamp, signature_lines
    from pdftext import page_texts
    stamp = Stamp("2026-11-26T09:00:00", True, "数据审核通过", "青山镇", "行动")
    for n in range(1, 71):
        out = tmp_path / f"t{n}.pdf"
        doc = ReportDoc(out, "测试", stamp, wide=True)
        sign = signature_lines(doc.width * 0.8)
        rows = [[f"第{i}行", "内容" * (1 + i % 7), f"{i:,}"] for i in range(n)]
        story = [Spacer(1, (n % 9) * 10 * mm / 3),
                 LongTable(["序号", "内容", "数"], rows, [80, 400, 80], "LLR", size=9, total=["合计", "", f"{n}"],
                           keep_with_next=8 * mm + sign.wrap(doc.width, 1000)[1] + 2),
                 Spacer(1, 8 * mm), sign]
        doc.build(story)
        pages = page_texts(out)
        last = pages[-1]
        assert "填报人" in last and "合计" in last, (n, len(pages))
        assert re.search(r"第\d+行", last), (n, len(pages))
        assert sum("填报人" in p for p in pages) == 1


def test_worker_printout_names_the_case_with_subtotals(made, town):
    s = Store(town)
    t = flat_of(made["workers"].path)
    cid = s.scalar("SELECT id FROM case_record WHERE w_count > 0 ORDER BY id LIMIT 1")
    case_no, employer, n, owed = s.conn.execute(
        "SELECT c.case_no, c.employer_name, COUNT(*), SUM(w.owed_fen) FROM worker w JOIN case_record c "
        "ON c.id = w.case_id WHERE w.case_id = ? AND w.deleted_at IS NULL", (cid,)).fetchone()
    for needle in ("所属问题编号", "用人单位", "项目", case_no, flat(employer), f"小计（{n}人）",
                   fen_to_yuan_text(owed)):
        assert needle in t, needle
    assert t.count(case_no) >= n


def test_no_report_module_imports_its_package():
    """models.reports' modules take what they share from models.reports.result: the package
    imports them (when a report is made), never the other way round."""
    import ast
    root = Path(__file__).resolve().parent.parent / "models" / "reports"
    for path in root.glob("*.py"):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "models.reports", path.name
                assert not (node.module == "models" and any(a.name == "reports" for a in node.names)), path.name


def test_a_table_cell_never_opens_a_line_with_closing_punctuation():
    """Chinese line-breaking rule (禁则): （万元） breaks as （万 / 元）, never （万元 / ）; a
    warning list as 逾期13 / 天、重大, never 逾期13天 / 、重大."""
    from models.reports.pdf_base import fit_lines, register_font, text_width
    register_font()
    for text, first in (("目标金额（万元）", "目标金额（万元"), ("逾期13天、重大", "逾期13天"), ("清偿率100.0%", "清偿率100.0"),
                        ("问题数（件）", "问题数（")):
        got = fit_lines(text, text_width(first, 8) + 0.5, 8, 3)
        assert "".join(got.split("\n")) == text
        assert all(line[0] not in "）、%" and line[-1] != "（" for line in got.split("\n")), got
