"""The county's reports (周调度材料, 通报, 统计汇总表) made on a county database from three
townships' packages: read back from the PDF's text and the Excel workbook, each township's line
is the figures its package carried and the county total is the sum of the townships; the
townships are ranked by the rule the reports state; the command line makes them."""
from __future__ import annotations

import datetime as _dt

import datetime as dt
import json
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from conftest import TODAY
from models.exchange import county
from models.figures import DEFINITIONS
from pdftext import flat, text_of
from test_exchange import SENT, TOWNS, export, make_county, make_town, receive

DAY = TODAY + dt.timedelta(days=1)
NOW = dt.datetime.combine(DAY, dt.time(9, 30))


@pytest.fixture(scope="module")
def sent(tmp_path_factory) -> dict:
    """A county that received three townships' packages (河口乡 ten days before the others)."""
    root = tmp_path_factory.mktemp("county-reports")
    c = make_county(root / "county.sqlite")
    packages = {}
    for seed, name, code in TOWNS:
        t = make_town(root / f"{code}.sqlite", seed + 20, name, code)
        when = SENT - dt.timedelta(days=10) if code == "511234103" else SENT
        export(t, root / f"{code}.qqpkg", now=when)
        receive(c, root / f"{code}.qqpkg")
        packages[code] = root / f"{code}.qqpkg"
    return {"county": c, "packages": packages, "root": root}


def manifest(pkg: Path) -> dict:
    with zipfile.ZipFile(pkg) as z:
        return json.loads(z.read("manifest.json"))


def own(sent) -> dict[str, dict]:
    """code → {name, figures} as each package carried them."""
    out = {}
    for code, pkg in sent["packages"].items():
        m = manifest(pkg)
        out[code] = {"name": m["township"]["name"], "as_of": m["as_of"], "sequence": m["sequence"], **m["figures"]}
    return out


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def summed(lines: list[dict]) -> dict:
    out = {k: sum(x[k] for x in lines) for k, d in DEFINITIONS.items() if d.unit != "%"}
    # the rates from the summed amounts, as each rate's 口径 says (never an average of the townships')
    out["cleared_pct"] = round(100.0 * out["paid_fen"] / out["owed_fen"], 1)
    out["resolved_pct"] = round(100.0 * out["resolved_fen"] / out["owed_fen"], 2)
    out["closed_pct"] = round(100.0 * out["closed_cases"] / out["cases"], 2)
    out["on_time_pct"] = round(100.0 * out["on_time_cases"] / (out["closed_cases"] - out["closed_without_deadline"]), 2)
    return out


def shown(key: str, v) -> str:
    unit = DEFINITIONS[key].unit
    return yuan(v) if unit == "分" else f"{v}%" if unit == "%" else f"{v:,}"


def row_tokens(text: str, first: str) -> list[str]:
    """The cells of the table row of ``text`` whose first cells are ``first`` (one row a line)."""
    for line in text.splitlines():
        tokens = line.split()
        n = len(first.split())
        if tokens[:n] == first.split():
            return tokens
    raise AssertionError(f"no row {first!r}")


def make(sent, which: str, out: Path):
    from models.reports.county import make_county_report
    return make_county_report(which, sent["county"], out, DAY, now=NOW)


MAIN = ("cases", "workers", "owed_fen", "paid_fen", "cleared_pct", "overdue", "stalled", "major_open", "daily_missing")


def test_weekly_lines_are_the_packages_figures_and_the_total_their_sum(sent, tmp_path):
    got = make(sent, "weekly", tmp_path / "weekly.pdf")
    assert got.pages >= 1 and got.title == "县级周调度材料"
    text = text_of(got.path)
    lines = own(sent)
    ranking = sorted(lines.values(), key=lambda x: (-x["cleared_pct"], x["overdue"], x["stalled"]))
    for place, x in enumerate(ranking, 1):
        days = (DAY - dt.date.fromisoformat(x["as_of"][:10])).days
        want = [str(place), x["name"], *[shown(k, x[k]) for k in MAIN], x["as_of"][:10], x["as_of"][11:16], str(days)]
        assert row_tokens(text, f"{place} {x['name']}") == want
    total = summed(list(lines.values()))
    assert row_tokens(text, "全县合计") == ["全县合计", *[shown(k, total[k]) for k in MAIN]]
    assert "排名规则：按清偿率从高到低排列" in flat(text)
    assert "河口乡（11天）" in flat(text)                                   # stale by the county's 7 days
    assert "数据提取时间：2026-11-2709:30" in flat(text)


def test_bulletin_ranks_the_townships_by_the_rule_it_states(sent, tmp_path):
    got = make(sent, "bulletin", tmp_path / "bulletin.pdf")
    text = text_of(got.path)
    f = flat(text)
    assert "关于全县各乡镇根治欠薪工作进展情况的通报" in f and flat(county.RANK_RULE) in f
    lines = own(sent)
    ranking = sorted(lines.values(), key=lambda x: (-x["cleared_pct"], x["overdue"], x["stalled"]))
    for key, _name, better in county.RANK_KEYS:
        values = sorted((x[key] for x in lines.values()), reverse=better == "high")
        for x in lines.values():
            x[f"rank_{key}"] = values.index(x[key]) + 1
    for place, x in enumerate(ranking, 1):
        want = [str(place), x["name"]]
        for key, _n, _b in county.RANK_KEYS:
            want += [shown(key, x[key]), str(x[f"rank_{key}"])]
        assert row_tokens(text, f"{place} {x['name']}") == want
    total = summed(list(lines.values()))
    assert row_tokens(text, "全县合计") == ["全县合计", *[shown(k, total[k]) for k, _n, _b in county.RANK_KEYS]]
    top = ranking[0]
    assert f"靠前的乡镇是：{top['name']}（{top['cleared_pct']}%）" in f
    assert f"靠后的乡镇是：{ranking[-1]['name']}（{ranking[-1]['cleared_pct']}%）" in f


def test_stats_pdf_and_workbook_hold_every_figure_of_every_township(sent, tmp_path):
    import openpyxl
    got = make(sent, "stats", tmp_path / "统计汇总表.pdf")
    assert [p.name for p in got.extra] == ["统计汇总表.xlsx"]
    text = text_of(got.path)
    lines = own(sent)
    total = summed(list(lines.values()))
    from models.reports.county import stats_halves
    first, second = stats_halves(list(DEFINITIONS))
    assert sorted(first + second) == sorted(DEFINITIONS)                   # every figure is printed
    page = text.split("二、预警")
    for x in lines.values():
        assert row_tokens(page[0], x["name"]) == [x["name"], *[shown(k, x[k]) for k in first]]
        assert row_tokens(page[1], x["name"]) == [x["name"], *[shown(k, x[k]) for k in second],
                                                  x["as_of"][:10], x["as_of"][11:16], str(x["sequence"])]
    assert row_tokens(page[0], "全县合计") == ["全县合计", *[shown(k, total[k]) for k in first]]
    assert row_tokens(page[1], "全县合计") == ["全县合计", *[shown(k, total[k]) for k in second]]

    ws = openpyxl.load_workbook(got.extra[0], read_only=True)["统计汇总"]
    rows = [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]
    head, body = rows[0], rows[1:]
    col = {k: head.index(f"{d.name}（{'元' if d.unit == '分' else d.unit}）") for k, d in DEFINITIONS.items()}

    def as_figure(k, v):
        unit = DEFINITIONS[k].unit
        return round(v * 100) if unit == "分" else v if unit == "%" else int(v)
    by_name = {r[1]: r for r in body if r[1]}
    for code, x in lines.items():
        r = by_name[x["name"]]
        assert r[2] == code
        assert {k: as_figure(k, r[col[k]]) for k in DEFINITIONS} == {k: x[k] for k in DEFINITIONS}
    r = by_name["全县合计"]
    assert {k: as_figure(k, r[col[k]]) for k in total} == total


def test_a_package_without_a_figure_shows_a_dash_and_the_total_leaves_it_out(sent, tmp_path):
    """A township whose package came from an older program (no 日报告未报): "—" on its line and
    in the total, in the report and the workbook; the other figures still add up."""
    c = tmp_path / "county.sqlite"
    shutil.copy(sent["county"], c)
    shutil.copytree(sent["county"].with_name("county.sqlite.townships"), tmp_path / "county.sqlite.townships")
    conn = sqlite3.connect(c)
    figs = json.loads(conn.execute("SELECT figures FROM exchange_township WHERE code = '511234102'").fetchone()[0])
    del figs["daily_missing"]
    conn.execute("UPDATE exchange_township SET figures = ? WHERE code = '511234102'", (json.dumps(figs),))
    conn.commit()
    conn.close()
    from models.reports.county import make_county_report
    got = make_county_report("weekly", c, tmp_path / "w.pdf", DAY, now=NOW)
    text = text_of(got.path)
    assert row_tokens(text, "全县合计")[-1] == "—"
    line = next(ln for ln in text.splitlines() if "白石镇" in ln and ln.split()[1:2] == ["白石镇"])
    assert line.split()[10] == "—"
    assert "白石镇的报送包由旧版本程序制作" in flat(text)
    stats = make_county_report("stats", c, tmp_path / "s.pdf", DAY, now=NOW)
    import openpyxl
    rows = list(openpyxl.load_workbook(stats.extra[0], read_only=True)["统计汇总"].iter_rows(min_row=3, values_only=True))
    j = rows[0].index("日报告未报专班数（个）")
    assert [r[j] for r in rows[1:] if r[1] in ("白石镇", "全县合计")] == ["—", "—"]


def test_ranking_rule_ties_and_townships_owed_nothing():
    lines = [{"code": "1", "name": "甲", "owed_fen": 100, "cleared_pct": 50.0, "overdue": 2, "stalled": 0},
             {"code": "2", "name": "乙", "owed_fen": 100, "cleared_pct": 80.0, "overdue": 5, "stalled": 1},
             {"code": "3", "name": "丙", "owed_fen": 100, "cleared_pct": 50.0, "overdue": 1, "stalled": 3},
             {"code": "4", "name": "丁", "owed_fen": 100, "cleared_pct": 50.0, "overdue": 1, "stalled": 3},
             {"code": "5", "name": "戊", "owed_fen": 0, "cleared_pct": 0.0, "overdue": 0, "stalled": 0}]
    got = county.ranked(lines)
    assert [(x["name"], x["rank"]) for x in got] == [("乙", 1), ("丙", 2), ("丁", 2), ("甲", 4), ("戊", None)]
    by = {x["name"]: x for x in got}
    assert [by[n]["rank_cleared_pct"] for n in "甲乙丙丁戊"] == [2, 1, 2, 2, None]
    assert [by[n]["rank_overdue"] for n in "甲乙丙丁戊"] == [4, 5, 2, 2, 1]
    assert "rank_daily_missing" in by["甲"] and by["甲"]["rank_daily_missing"] is None    # not carried: no place


def test_a_township_database_makes_no_county_report(sent, tmp_path):
    from models.reports.county import make_county_report
    from models.reports.result import ReportUnavailable
    town = sent["root"] / "511234101.sqlite"
    with pytest.raises(ReportUnavailable, match="不是县级汇总数据库"):
        make_county_report("weekly", town, tmp_path / "x.pdf", DAY)
    empty = make_county(tmp_path / "empty.sqlite")
    with pytest.raises(ReportUnavailable, match="尚未接收任何乡镇的报送包"):
        make_county_report("bulletin", empty, tmp_path / "y.pdf", DAY)
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "y.pdf").exists()


# -- the command line ----------------------------------------------------------------------------
def cli(argv, capsys) -> tuple[int, str, str]:
    from desktop.cli import main
    code = main([str(a) for a in argv])
    got = capsys.readouterr()
    return code, got.out, got.err


def test_report_command_on_a_county_database(sent, tmp_path, capsys):
    c, today = sent["county"], DAY.isoformat()
    code, out, err = cli(["report", "bulletin", "--db", c, "--out", tmp_path / "通报.pdf", "--today", today], capsys)
    assert code == 0, err
    assert out.startswith("通报已生成：") and "页" in out and "{" not in out          # Chinese lines by default
    assert "关于全县各乡镇根治欠薪工作进展情况的通报" in flat(text_of(tmp_path / "通报.pdf"))
    code, out, err = cli(["report", "stats", "--db", c, "--out", tmp_path / "s.pdf", "--today", today, "--json"], capsys)
    assert code == 0, err
    j = json.loads(out)
    assert j["title"] == "统计汇总表" and j["extra"] == [str(tmp_path / "s.xlsx")] and j["pages"] >= 1
    code, out, err = cli(["report", "weekly", "--db", c, "--out", tmp_path / "w.pdf", "--today", today, "--json"], capsys)
    assert code == 0 and json.loads(out)["title"] == "县级周调度材料"
    total = summed(list(own(sent).values()))
    assert row_tokens(text_of(tmp_path / "w.pdf"), "全县合计")[1] == f"{total['cases']:,}"
    # on a Monday a township's weekly defaults to the week just ended; the county's is of today
    monday = DAY + _dt.timedelta(days=-DAY.weekday())
    code, out, err = cli(["report", "weekly", "--db", c, "--out", tmp_path / "mon.pdf", "--today", monday.isoformat()],
                         capsys)
    assert code == 0 and out.startswith("县级周调度材料已生成"), err
    # refused, one Chinese line, nothing written
    for argv, words in (
            (["report", "weekly", "--db", c, "--out", tmp_path / "old.pdf", "--today", today, "--date", "2026-11-20"],
             "不能按以前某日统计"),
            (["report", "bulletin", "--db", sent["root"] / "511234101.sqlite", "--out", tmp_path / "t.pdf"],
             "乡镇数据库不生成通报"),
            (["report", "weekly", "--db", c, "--out", tmp_path / "w.txt"], "应为 .pdf 或 .docx")):
        code, out, err = cli(argv, capsys)
        assert code == 2 and words in err and len(err.strip().splitlines()) == 1, err
        assert not Path(argv[4]).exists()


@pytest.mark.parametrize("writes", ["word", "pdf"])
def test_report_docx_is_passed_on_and_refused_unless_word_comes_back(sent, tmp_path, capsys, monkeypatch, writes):
    """A .docx path goes to make_report as it is. What comes back is checked to be a Word file
    (a zip package): a PDF written under that name is removed, one Chinese line says so, and a
    file the user had there (replaced with --force) is put back as it was."""
    import models.reports as reports
    from models.reports.result import ReportResult
    seen = []

    def fake(which, db, out, *a, **k):
        seen.append(Path(out))
        Path(out).write_bytes(b"PK\x03\x04 a Word package" if writes == "word" else b"%PDF-1.4 ...")
        return ReportResult(Path(out), "日报告", 0)
    monkeypatch.setattr(reports, "make_report", fake)
    town = sent["root"] / "511234101.sqlite"
    out = tmp_path / "日报.docx"
    out.write_bytes(b"last week's")
    code, got, err = cli(["report", "daily", "--db", town, "--out", out, "--force", "--today", TODAY.isoformat()],
                         capsys)
    assert seen == [out]
    if writes == "word":
        assert code == 0 and out.read_bytes().startswith(b"PK") and "日报告已生成" in got and "0 页" not in got
    else:
        assert code == 2 and "尚不能生成 Word" in err and out.read_bytes() == b"last week's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["日报.docx"]          # nothing set aside is left


def test_report_command_on_a_township_prints_chinese_lines_or_json(sent, tmp_path, capsys):
    town = sent["root"] / "511234102.sqlite"
    args = ["report", "daily", "--db", town, "--today", TODAY.isoformat()]
    code, out, err = cli([*args, "--out", tmp_path / "a.pdf"], capsys)
    assert code == 0, err
    assert re.match(r"^.+已生成：.+a\.pdf（\d+ 页，用时 [\d.]+ 秒）", out)
    code, out, err = cli([*args, "--out", tmp_path / "b.pdf", "--json"], capsys)
    assert code == 0 and json.loads(out)["path"] == str(tmp_path / "b.pdf")


def test_the_county_line_of_a_few_columns_computes_its_rates_from_the_summed_amounts():
    lines = [{"owed_fen": 1000, "paid_fen": 250, "cases": 2}, {"owed_fen": 3000, "paid_fen": 2750, "cases": 1}]
    assert county.total_row(lines, ["cleared_pct"]) == {"cleared_pct": 75.0}          # 3000 / 4000, not (25 + 91.7) / 2
    assert county.total_row(lines, ["cases", "daily_missing"]) == {"cases": 3, "daily_missing": None}
    assert county.total_row([], ["cases", "cleared_pct"]) == {"cases": 0, "cleared_pct": 0.0}


def test_county_reports_in_word(sent, tmp_path, capsys):
    """The county's 通报 and 周调度材料 as .docx: the same title, the townships' lines and the
    county's total as the PDF has them."""
    import docx
    c, today = sent["county"], DAY.isoformat()
    for which, title in (("bulletin", "关于全县各乡镇根治欠薪工作进展情况的通报"), ("weekly", "根治欠薪工作周调度材料")):
        out = tmp_path / f"{which}.docx"
        code, _out, err = cli(["report", which, "--db", c, "--out", out, "--today", today], capsys)
        assert code == 0, err
        d = docx.Document(str(out))
        text = "\n".join(p.text for p in d.paragraphs) + "\n".join(
            cell.text for t in d.tables for row in t.rows for cell in row.cells)
        assert title in text.replace("\n", "")
        for line in own(sent).values():
            assert line["name"] in text
        assert "全县合计" in text or which == "bulletin"
