"""--date on the command line is read as the program reads dates everywhere else
(models.values.parse_date): 2026-12-7, 2026/12/7, 2026年12月7日 … are one day; 2026-02-30 is a
day that does not exist, said so; a day before 2000 is refused, not answered with zeros. The
statistics workbook shows 清偿率 with one decimal, as its 口径, the PDF and ``figures`` do; and the
written period report's --json says its targets' money is in 分."""
from __future__ import annotations

import datetime as _dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main

TODAY = _dt.date(2026, 11, 26)
ROOT = Path(__file__).resolve().parent.parent


def cli(argv, capsys) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of one command line, as the shell sees them
    (a command may end the line with SystemExit, as argparse does)."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    got = capsys.readouterr()
    return code, got.out, got.err


def one_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err.strip()


# -- 1. every form of a date the program reads, and a day that does not exist ------------------
@pytest.mark.parametrize("written", ["2026-11-1", "2026/11/1", "2026.11.1", "2026年11月1日", "20261101",
                                     "２０２６－１１－０１"])
def test_figures_date_in_every_form_the_program_reads(town, capsys, written):
    code, out, err = cli(["figures", "--db", town, "--json", "--today", TODAY, "--date", "2026-11-01"], capsys)
    assert code == 0, err
    iso = json.loads(out)
    code, out, err = cli(["figures", "--db", town, "--json", "--today", TODAY, "--date", written], capsys)
    assert code == 0 and err == "", err
    got = json.loads(out)
    assert got["as_of"] == "2026-11-01" and got == iso


@pytest.mark.parametrize("written", ["2026-02-30", "2026-2-30", "20260230", "2026年2月30日", "2026-04-31"])
def test_figures_impossible_day_is_said_not_to_exist(town, capsys, written):
    code, out, err = cli(["figures", "--db", town, "--today", TODAY, "--date", written], capsys)
    line = one_line(err)
    assert code == 2 and out == ""
    assert f"日期“{written}”不存在" in line and "格式不对" not in line and "Traceback" not in line


def test_figures_text_that_is_no_date_is_a_format_error(town, capsys):
    for written in ("abc", "2026-11-01x", "46000"):          # 46000: an Excel serial, not a typed day
        code, out, err = cli(["figures", "--db", town, "--today", TODAY, "--date", written], capsys)
        line = one_line(err)
        assert code == 2 and out == "" and "日期格式不对" in line and "2026年12月7日" in line


# -- 2. a day before any record the program keeps ------------------------------------------------
@pytest.mark.parametrize("written", ["1900-01-01", "19991231", "1999年12月31日"])
def test_figures_before_2000_is_refused_not_zeros(town, capsys, written):
    code, out, err = cli(["figures", "--db", town, "--json", "--today", TODAY, "--date", written], capsys)
    line = one_line(err)
    assert code == 2 and out == ""                 # no figures at all, least of all zeros
    assert f"日期“{written}”早于 2000年1月1日" in line


def test_report_date_forms_and_refusals(town, tmp_path, capsys):
    """report weekly / stats share the helper: the same forms, the same two refusals, and no file
    is written for a refused day."""
    out = tmp_path / "s.pdf"
    code, got, err = cli(["report", "stats", "--db", town, "--out", out, "--today", TODAY, "--date", "2026年11月1日",
                          "--json"], capsys)
    assert code == 0, err
    assert json.loads(got)["path"] == str(out) and out.exists()
    import openpyxl
    wb = openpyxl.load_workbook(out.with_suffix(".xlsx"))
    assert "统计截至：2026-11-01" in wb["统计指标"].cell(2, 1).value
    for which, written, words in (("weekly", "2026-02-30", "日期“2026-02-30”不存在"),
                                  ("stats", "2026-2-29", "日期“2026-2-29”不存在"),
                                  ("weekly", "1900-01-01", "早于 2000年1月1日"),
                                  ("stats", "19000101", "早于 2000年1月1日")):
        refused = tmp_path / f"{which}-{written}.pdf"
        code, got, err = cli(["report", which, "--db", town, "--out", refused, "--today", TODAY, "--date", written],
                             capsys)
        line = one_line(err)
        assert code == 2 and got == "" and words in line and "格式不对" not in line
        assert not refused.exists() and not refused.with_suffix(".xlsx").exists()


def test_report_refusal_exit_code_from_the_shell(town, tmp_path):
    """As a clerk's script sees it: exit status 2 and one line on standard error."""
    r = subprocess.run([sys.executable, "-m", "desktop", "report", "weekly", "--db", str(town), "--out",
                        str(tmp_path / "w.pdf"), "--date", "2026-02-30"],
                       cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert one_line(r.stderr).startswith("日期“2026-02-30”不存在")


# -- 3. 清偿率 in the statistics workbook: one decimal ------------------------------------------
def test_stats_workbook_cleared_rate_has_one_decimal(town, tmp_path, capsys):
    import openpyxl

    from models import stats
    from models.db import Store
    out = tmp_path / "stats.pdf"
    code, _out, err = cli(["report", "stats", "--db", town, "--out", out, "--today", TODAY], capsys)
    assert code == 0, err
    code, got, err = cli(["figures", "--db", town, "--json", "--today", TODAY], capsys)
    fig = json.loads(got)
    s = Store(town)
    try:
        tot = stats.totals(s, TODAY)
    finally:
        s.close()
    ws = openpyxl.load_workbook(out.with_suffix(".xlsx"))["分专班"]
    assert ws.cell(3, 10).value == "清偿率"
    rates = {ws.cell(r, 1).value: ws.cell(r, 10) for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value}
    expected = {w.name: w.counted for w in tot.workstreams}
    expected["合计"] = tot.counted
    assert set(rates) == set(expected)
    shown_somewhere = False
    for name, c in rates.items():
        bucket = expected[name]
        if not bucket.owed_fen:
            assert c.value == stats.NO_RATE
            continue
        assert c.number_format == "0.0%", (name, c.number_format)
        # the cell holds the rate as its 口径 rounds it: shown as the PDF's table shows it
        assert f"{c.value * 100:.1f}%" == bucket.cleared_text
        assert round(c.value * 100, 6) == round(c.value * 100, 1)
        shown_somewhere |= round(100 * bucket.paid_fen / bucket.owed_fen, 2) != round(c.value * 100, 2)
    total = rates["合计"].value
    assert round(total * 100, 1) == fig["cleared_pct"]
    assert shown_somewhere           # the demo has a rate whose second decimal the old 0.00% showed
    # the other rates keep their own 口径 (two decimals), as the PDF shows them
    ws1 = openpyxl.load_workbook(out.with_suffix(".xlsx"))["统计指标"]
    row = next(r for r in range(4, ws1.max_row + 1) if ws1.cell(r, 2).value == "办结率")
    assert ws1.cell(row, 4).number_format == "0.00%"


# -- 4. the period report's --json: its targets' unit -------------------------------------------
def test_period_json_targets_say_fen(town_targets, tmp_path, capsys):
    from pdftext import flat_of

    from models.values import fen_to_wan_text
    out = tmp_path / "p.pdf"
    code, got, err = cli(["report", "period", "--from", "2026-10-01", "--to", "2026-10-31", "--db", town_targets[0],
                          "--out", out, "--today", TODAY, "--json"], capsys)
    assert code == 0, err
    targets = json.loads(got)["figures"]["targets"]
    money = [t for t in targets if t["unit"] == "分"]
    cases = [t for t in targets if t["unit"] == "件"]
    assert money and cases and len(money) + len(cases) == len(targets)
    for t in money:
        assert "万元" not in t["measure"] and t["measure"].endswith("（分）")
        assert all(isinstance(t[k], int) for k in ("sure", "strive", "actual", "gap_sure", "gap_strive"))
    assert all(t["measure"] == "化解问题（件）" for t in cases)
    # the printed report is as it was: its table in 万元
    text = flat_of(out)
    assert "兑付金额（万元）" in text and "兑付金额（分）" not in text
    assert fen_to_wan_text(money[0]["sure"], 2) in text
