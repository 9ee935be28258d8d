"""Exporting ledgers (township .xlsx layout, CSV), the round trip export → import, formula
injection, and the ``qingqian import`` / ``qingqian export`` command line contract."""
from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from models.io.exporter import export_ledger
from models.io.importer import commit_import, plan_import
from models.jobs import Cancelled, JobContext
from models.ledger import registry
from models.ledger.repo import LedgerRepo, Query

DATA = Path(__file__).parent / "data"
CLUES, ROSTER = "欠薪线索台账-平台导出.xlsx", "工资花名册-安置房二期.xlsx"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
# the platform export's columns the case ledger has no place for and that an import will not drop unasked
CLUES_IGNORE = ("反映人身份证号码", "欠薪发生时间")


@pytest.fixture
def loaded(campaign_store):
    """Cases from the platform sample, and the roster imported into the first case."""
    commit_import(campaign_store, plan_import(campaign_store, DATA / CLUES, "cases", ignores=CLUES_IGNORE))
    commit_import(campaign_store, plan_import(campaign_store, DATA / ROSTER, "workers", case_no="XS20261100001"))
    return campaign_store


def records(store, kind, drop=("id", "uuid")):
    ledger = registry.get(kind)
    rows = LedgerRepo(store, ledger).rows()
    names = [f.name for f in ledger.stored_fields]
    out = []
    for r in rows:
        rec = {n: r.get(f"{n}__label", r[n]) if ledger.field(n).kind == "ref" else r[n] for n in names}
        out.append(tuple(sorted((k, v) for k, v in rec.items() if k not in drop)))
    return sorted(out)


# -- round trip ----------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("wan", [False, True])
def test_round_trip_gives_the_same_records(loaded, tmp_path, suffix, wan):
    from models import campaign
    from models.db import Store
    fresh = Store(tmp_path / "fresh.sqlite", "测试员")
    import datetime as dt
    campaign.create_campaign(fresh, "行动", "青山镇", dt.date(2026, 9, 14))
    cases = export_ledger(loaded, "cases", tmp_path / f"cases{suffix}", masked=False, wan=wan)
    r = commit_import(fresh, plan_import(fresh, cases, "cases"))
    assert r["imported"] and r["inserted"] == 120 and r["rows_rejected"] == 0
    assert records(fresh, "cases") == records(loaded, "cases")
    workers = export_ledger(loaded, "workers", tmp_path / f"workers{suffix}", masked=False, wan=wan,
                            query=Query(equals={"case_id": loaded.scalar(
                                "SELECT id FROM case_record WHERE case_no='XS20261100001'")}))
    r = commit_import(fresh, plan_import(fresh, workers, "workers", case_no="XS20261100001"))
    assert r["inserted"] == 86 and r["rows_rejected"] == 0
    assert records(fresh, "workers", drop=("id", "uuid", "case_id")) == \
        records(loaded, "workers", drop=("id", "uuid", "case_id"))
    # and back into the database it came from: all matched, nothing changed
    again = commit_import(loaded, plan_import(loaded, cases, "cases"))
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 120)
    fresh.close()


# -- the township layout -----------------------------------------------------------------------
def test_xlsx_layout(loaded, tmp_path):
    import openpyxl
    out = export_ledger(loaded, "workers", tmp_path / "w.xlsx", unit_name="青山镇人民政府")
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws["A1"].value == "青山镇人民政府农民工工资支付台账" and "A1" in str(ws.merged_cells)
    assert ws["A2"].value.startswith("填报单位") and "青山镇人民政府" in ws["A2"].value
    header = [c.value for c in ws[3]]
    assert header[:6] == ["序号", "所属问题编号", "用人单位", "项目名称", "姓名", "身份证号码"]    # whose case
    assert "应发工资（元）" in header
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows.replace("$", "") == "3:3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    id_col = header.index("身份证号码") + 1
    money_col = header.index("应发工资（元）") + 1
    assert ws.cell(4, id_col).number_format == "@" and isinstance(ws.cell(4, id_col).value, str)
    assert ws.cell(4, money_col).number_format == "#,##0.00"
    assert "****" in ws.cell(4, id_col).value or "*" in ws.cell(4, id_col).value     # masked by default
    assert {ws.cell(r, 2).value for r in range(4, 4 + 86)} == {"XS20261100001"}
    total_row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    assert total_row == 4 + 86 + 1 and ws.cell(total_row - 1, 1).value == "小计（86 人）"     # one case, one 小计
    assert round(ws.cell(total_row, money_col).value * 100) == EXPECTED[ROSTER]["owed_fen"]
    assert round(ws.cell(total_row - 1, money_col).value * 100) == EXPECTED[ROSTER]["owed_fen"]
    # the 小计 label spans 序号 and 所属问题编号 (centred in the narrow 序号 alone it was cut off in print)
    assert f"A{total_row - 1}:B{total_row - 1}" in {str(m) for m in ws.merged_cells.ranges}
    # ID columns are text for cells typed in later too, without borders drawn under the table
    col_format = ws.column_dimensions[openpyxl.utils.get_column_letter(id_col)]
    assert col_format.number_format == "@" and col_format.border.left.style is None
    texts = [str(c.value) for row in ws.iter_rows(min_row=total_row + 1) for c in row if c.value]
    assert any(t.startswith("填报人") for t in texts) and any(t.startswith("审核人") for t in texts)
    assert any("已部分遮蔽" in t for t in texts)


def test_unmasked_and_wan(loaded, tmp_path):
    import openpyxl
    out = export_ledger(loaded, "cases", tmp_path / "c.xlsx", wan=True)
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[3]]
    col = header.index("欠薪金额（万元）") + 1
    total_row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    assert round(ws.cell(total_row, col).value * 1_000_000) == EXPECTED[CLUES]["amount_fen"]
    out = export_ledger(loaded, "workers", tmp_path / "w.xlsx", masked=False)
    ws = openpyxl.load_workbook(out).active
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert any("含未遮蔽的个人敏感信息" in t for t in texts)
    assert not any("*" in t for t in texts if t.isascii())


def test_formula_injection_is_written_as_text(campaign_store, tmp_path):
    import openpyxl
    repo = LedgerRepo(campaign_store, registry.get("cases"))
    evil = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "=1+1"]
    for i, text in enumerate(evil):
        repo.insert({"case_no": f"E{i}", "registered_on": "2026-11-01", "employer_name": text, "summary": text})
    out = export_ledger(campaign_store, "cases", tmp_path / "e.xlsx")
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet
    ws = openpyxl.load_workbook(out).active
    values = {c.value for row in ws.iter_rows(min_row=4) for c in row if c.data_type == "s"}
    assert set(evil) <= values
    csv_out = export_ledger(campaign_store, "cases", tmp_path / "e.csv")
    text = csv_out.read_text(encoding="utf-8-sig")
    for e in evil:
        assert f"'{e}" in text or f"\"'{e}" in text.replace('""', '"')
    back = plan_import(campaign_store, csv_out, "cases")     # the guard comes off on the way back in
    assert {r.values["employer_name"] for r in back.rows} == set(evil)


def test_csv_encodings(loaded, tmp_path):
    a = export_ledger(loaded, "workers", tmp_path / "a.csv")
    assert a.read_bytes().startswith(b"\xef\xbb\xbf")
    b = export_ledger(loaded, "workers", tmp_path / "b.csv", encoding="gb18030", masked=False)
    text = b.read_bytes().decode("gb18030")
    assert text.splitlines()[0].startswith("所属问题编号,用人单位,项目名称,姓名,身份证号码")
    assert len(text.splitlines()) == 87
    with pytest.raises(ValueError):
        export_ledger(loaded, "workers", tmp_path / "c.csv", encoding="latin-1")


def test_cancelled_export_leaves_no_file(loaded, tmp_path):
    ctx = JobContext()
    ctx.cancel()
    with pytest.raises(Cancelled):
        export_ledger(loaded, "cases", tmp_path / "x.xlsx", ctx=ctx)
    assert list(tmp_path.glob("x*")) == [] and list(tmp_path.glob(".x*")) == []


def test_every_declared_ledger_round_trips(demo_db, tmp_path):
    """Each declared ledger, generically: export (unmasked), import back, nothing changes."""
    from models.db import Store
    from models.io.importer import importable
    from models.io.reading import UnusableFile
    store = Store(demo_db, "测试员")
    try:
        for ledger in registry.all_ledgers():
            repo = LedgerRepo(store, ledger)
            q, parent_no = Query(), None
            if ledger.parent:
                pf = ledger.field(ledger.parent)
                pid = store.scalar(f'SELECT "{ledger.parent}" FROM "{ledger.table}" LIMIT 1')
                if pid is not None:
                    q = Query(equals={ledger.parent: pid})
                    parent_no = store.scalar(f'SELECT "{pf.ref_label}" FROM "{pf.ref_table}" WHERE id = ?', (pid,))
            n = repo.count(q)
            for suffix in (".xlsx", ".csv"):
                out = export_ledger(store, ledger.kind, tmp_path / f"{ledger.kind}{suffix}", query=q, masked=False)
                if not importable(ledger):
                    with pytest.raises(UnusableFile):
                        plan_import(store, out, ledger.kind)
                    continue
                plan = plan_import(store, out, ledger.kind, case_no=parent_no)
                j = plan.to_json()
                if n == 0:                      # an empty ledger exports a header alone: nothing to import
                    assert "没有数据行" in plan.fatal
                    continue
                assert not plan.fatal, (ledger.kind, plan.fatal)
                assert j["problems"] == [] and j["rows_read"] == n, (ledger.kind, suffix, j["problems"][:3])
                if not plan.check_only:
                    assert (j["inserted"], j["updated"], j["unchanged"]) == (0, 0, n), (ledger.kind, suffix)
    finally:
        store.close()


# -- the command line -------------------------------------------------------------------------------
def cli(argv):
    from desktop.commands import io as io_cmd
    parser = argparse.ArgumentParser(prog="qingqian")
    io_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_import_json_and_exit_codes(campaign_store, tmp_path, capsys):
    db = str(campaign_store.path)
    leave = [a for h in CLUES_IGNORE for a in ("--ignore", h)]
    code = cli(["import", str(DATA / CLUES), "--db", db, "--kind", "cases", "--dry-run", "--json", *leave])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["imported"] is False and out["rows_read"] == 120
    assert set(out) >= {"rows_read", "rows_imported", "rows_rejected", "problems", "totals", "imported"}
    assert set(out["totals"]) >= {"amount_fen", "paid_fen", "workers"}
    assert campaign_store.scalar("SELECT COUNT(*) FROM case_record") == 0
    assert cli(["import", str(DATA / CLUES), "--db", db, "--kind", "cases", "--json", *leave]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["imported"] and out["inserted"] == 120
    bad = tmp_path / "bad.csv"
    bad.write_text("编号,登记日期,用人单位,欠薪金额\nZ1,2026-11-01,甲,abc\nZ2,2026-11-01,乙,5\n", encoding="utf-8")
    assert cli(["import", str(bad), "--db", db, "--kind", "cases", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["imported"] is False and out["rows_rejected"] == 1
    assert out["problems"] == [{"row": 2, "column": "欠薪金额", "rule": "金额", "message": "“abc”不是金额"}]
    assert out["totals"]["amount_fen"] == 500                 # only the rows that would be imported
    assert cli(["import", str(bad), "--db", db, "--kind", "cases", "--accept-partial"]) == 1
    assert "新增 1 条" in capsys.readouterr().out
    assert campaign_store.scalar("SELECT COUNT(*) FROM case_record WHERE case_no LIKE 'Z%'") == 1


@pytest.mark.parametrize("argv_tail, content", [
    (["--kind", "cases"], b"\x00\x01garbage\x00"),
    (["--kind", "cases"], "甲,乙\n1,2\n".encode("utf-8")),
    (["--kind", "no_such_kind"], "编号\nA\n".encode("utf-8")),
    (["--kind", "workers", "--case", "NOPE"], (DATA / ROSTER).read_bytes()),
    (["--kind", "cases"], "编号,登记日期,用人单位\n\n合计,,\n".encode("utf-8")),
])
def test_cli_unusable_input_exit_2(campaign_store, tmp_path, capsys, argv_tail, content):
    f = tmp_path / "in.xlsx"
    f.write_bytes(content)
    before = campaign_store.scalar("SELECT COUNT(*) FROM audit_log")
    assert cli(["import", str(f), "--db", str(campaign_store.path), *argv_tail]) == 2
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err and any("\u4e00" <= ch <= "\u9fff" for ch in err)
    assert campaign_store.scalar("SELECT COUNT(*) FROM audit_log") == before


def test_cli_export(loaded, tmp_path, capsys):
    db = str(loaded.path)
    assert cli(["export", "workers", "--db", db, "--out", str(tmp_path / "w.xlsx"), "--unmasked", "--wan"]) == 0
    assert (tmp_path / "w.xlsx").exists()
    assert cli(["export", "cases", "--db", db, "--out", str(tmp_path / "c.csv"), "--encoding", "gb18030"]) == 0
    assert (tmp_path / "c.csv").read_bytes().decode("gb18030").startswith("编号")
    assert cli(["export", "cases", "--db", db, "--out", str(tmp_path / "c.pdf")]) == 2
    assert cli(["export", "cases", "--db", str(tmp_path / "none.sqlite"), "--out", str(tmp_path / "n.xlsx")]) == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("找不到数据库文件") and last.endswith("none.sqlite")


# -- the masking done by slicing equals the canonical one -------------------------------------------
_NUMBER_TEXT = st.text(alphabet="0123456789xX -*'０１２３９ｘＸ　\t一", max_size=24)


@pytest.mark.parametrize("kind", ["id_number", "phone", "bank_card"])
@settings(max_examples=400, deadline=None)
@given(value=st.one_of(_NUMBER_TEXT, st.from_regex(r"\A[0-9]{6,20}[xX]?\Z"), st.integers(0, 10 ** 20), st.none()))
def test_fast_masks_equal_the_canonical_masks(kind, value):
    from models.io.exporter import _converter
    f = next(f for f in registry.get("workers").fields if f.kind == kind)
    canonical = f.format(value, masked=True) if value else ""
    assert _converter(f, True, False)(value) == canonical


def test_fast_masks_on_typical_numbers():
    from models.io.exporter import _converter
    fields = {f.kind: f for f in registry.get("workers").fields}
    cases = {"id_number": {"51192119600101001x": "511921********001X", "511921196001010016": "511921********0016",
                           "５１１９２１１９６００１０１００１６": "511921********0016", "1234567": "12***67"},
             "phone": {"13918890385": "139****0385", "0838-2345678": "083*-***5678", "12345678": "123*5678", "2345678": "***5678"},
             "bank_card": {"6246802405904715818": "624680*********5818", "6246 8024 0590 4715": "624680******4715"}}
    for kind, expected in cases.items():
        mask = _converter(fields[kind], True, False)
        for raw, shown in expected.items():
            assert mask(raw) == shown == fields[kind].format(raw, masked=True), (kind, raw)
