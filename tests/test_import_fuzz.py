"""Whatever bytes a user drags in, planning an import either refuses the file with
``UnusableFile`` (one Chinese sentence) or returns a plan whose problems name real rows
and columns; it never crashes otherwise and never writes."""
from __future__ import annotations

import datetime as dt
import io
import math
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from models.io.importer import commit_import, plan_import
from models.io.reading import UnusableFile

DATA = Path(__file__).parent / "data"
SEEDS = {name: (DATA / name).read_bytes() for name in
         ("信访台账.csv", "工资花名册-安置房二期.xlsx", "排查台账-冬季专项行动.xlsx", "欠薪线索台账-平台导出.xlsx",
          "旧版台账-97格式.xls")}
FUZZ = settings(max_examples=30, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
_STATE: dict = {}


def shared_store():
    """One database for all examples (planning never writes, which is what is checked)."""
    if "store" not in _STATE:
        from models import campaign
        from models.db import Store
        from models.ledger import registry
        from models.ledger.repo import LedgerRepo
        d = Path(tempfile.mkdtemp(prefix="qq-fuzz-"))
        s = Store(d / "fuzz.sqlite", "测试员")
        campaign.create_campaign(s, "行动", "青山镇", dt.date(2026, 9, 14))
        LedgerRepo(s, registry.get("cases")).insert({"case_no": "F-1", "registered_on": "2026-11-01"})
        _STATE["store"] = s
        _STATE["dir"] = d
    return _STATE["store"]


def snapshot(s):
    return tuple(s.scalar(f"SELECT COUNT(*) FROM {t}") for t in ("case_record", "worker", "audit_log", "setting"))


def check_plan(path: Path, kind: str, case_no: str | None = None):
    s = shared_store()
    before = snapshot(s)
    try:
        plan = plan_import(s, path, kind, case_no=case_no)
    except UnusableFile as exc:
        text = str(exc)
        assert text and "\n" not in text and any("\u4e00" <= ch <= "\u9fff" for ch in text)
        plan = None
    assert snapshot(s) == before
    if plan is not None:
        labels = {c.label or c.parent for c in plan.header.columns} | \
            {f.label for f in plan.ledger.fields} | {"、".join(f.label for f in plan.ledger.fields)}
        for p in plan.problems:
            assert p.row > max(plan.header.row + plan.header.height, 0)
            assert p.message and p.rule
            # a header of the file or a field's label (a duplicate names its key's labels joined by 、)
            assert p.column in labels or (p.column and all(x in labels for x in p.column.split("、"))), p.column
        plan.to_json()
    return plan


def mutate(data: bytes, ops: list[tuple[str, int, bytes]]) -> bytes:
    b = bytearray(data)
    for op, pos, chunk in ops:
        if not b:
            b = bytearray(chunk)
            continue
        pos %= len(b)
        if op == "flip":
            b[pos] ^= chunk[0] or 0xFF
        elif op == "cut":
            del b[pos:]
        elif op == "insert":
            b[pos:pos] = chunk
        elif op == "delete":
            del b[pos:pos + len(chunk)]
    return bytes(b)


OPS = st.lists(st.tuples(st.sampled_from(["flip", "cut", "insert", "delete"]), st.integers(0, 1 << 20),
                         st.binary(min_size=1, max_size=12)), min_size=1, max_size=6)


@FUZZ
@given(seed=st.sampled_from(sorted(SEEDS)), ops=OPS, kind=st.sampled_from(["cases", "workers"]))
def test_mutated_file_bytes(tmp_path_factory, seed, ops, kind):
    path = tmp_path_factory.mktemp("m") / ("in" + Path(seed).suffix)
    path.write_bytes(mutate(SEEDS[seed], ops))
    check_plan(path, kind, "F-1" if kind == "workers" else None)


@FUZZ
@given(seed=st.sampled_from([n for n in SEEDS if n.endswith(".xlsx")]), ops=OPS,
       part=st.sampled_from(["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml"]))
def test_mutated_xml_inside_a_valid_zip(tmp_path_factory, seed, ops, part):
    src = zipfile.ZipFile(io.BytesIO(SEEDS[seed]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            z.writestr(info.filename, mutate(data, ops) if info.filename == part else data)
    path = tmp_path_factory.mktemp("x") / "in.xlsx"
    path.write_bytes(out.getvalue())
    check_plan(path, "cases")


CELL = st.one_of(
    st.none(), st.text(max_size=12),
    st.sampled_from(["1,200.50元", "1.2万", "１２３", "2026年11月5日", "2026/13/40", "合计", "填报人：张三",
                     "=1+1", "-5", "1e999", "NaN", "5.11322199001011E+17", "110105199003070017", "x", "是", "否",
                     "欠薪化解专班", "  ", "\u3000", "䶮", "\x00", "9" * 40]),
    st.integers(min_value=-(10 ** 20), max_value=10 ** 20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)))
HEADERS = ["序号", "姓名", "身份证号码", "联系电话", "银行卡号", "进场时间", "应发工资（元）", "实发工资（万元）", "签字领取"]


@FUZZ
@example(rows=[[None] * 6 + ["9" * 40]], as_csv=False)       # once crashed parse_money (Decimal overflow)
@example(rows=[["1", "张三", 1.10105199003070017e17, "", "", "", 100]], as_csv=False)
@given(rows=st.lists(st.lists(CELL, min_size=0, max_size=len(HEADERS)), min_size=0, max_size=25),
       as_csv=st.booleans())
def test_random_cells_under_a_real_header(tmp_path_factory, rows, as_csv):
    d = tmp_path_factory.mktemp("g")
    if as_csv:
        import csv
        path = d / "g.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(HEADERS)
            for r in rows:
                w.writerow(["" if v is None else str(v).replace("\x00", "") for v in r])
    else:
        import xlsxwriter
        path = d / "g.xlsx"
        wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
        ws = wb.add_worksheet()
        ws.write_row(0, 0, HEADERS)
        for i, r in enumerate(rows, 1):
            for j, v in enumerate(r):
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(i, j, v)
                elif isinstance(v, dt.date):
                    ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), wb.add_format({"num_format": "yyyy-mm-dd"}))
                elif isinstance(v, float) and not math.isfinite(v):
                    ws.write_number(i, j, v)
                else:
                    ws.write_number(i, j, float(v) if abs(v) < 1e300 else 0.0)
        wb.close()
    plan = check_plan(path, "workers", "F-1")
    if plan is None:
        return
    s = shared_store()
    before = snapshot(s)
    result = commit_import(s, plan)              # all or nothing: rejected rows mean nothing written
    if plan.to_json()["rows_rejected"]:
        assert not result["imported"] and snapshot(s) == before
    if result["imported"]:
        with s.tx():
            s.execute("DELETE FROM worker")      # keep the shared database small between examples
            s.execute("UPDATE case_record SET w_count = 0, w_owed_fen = 0, w_paid_fen = 0")


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    s = _STATE.pop("store", None)
    if s is not None:
        s.close()


# -- structure: whatever the cells' addresses, lengths and spans, a file is refused before the
# reader runs or the reader's result is within the limits (so it cannot cost more than they allow)
from test_hostile_files import HEADER as _H, header_row, write_ods, write_xls, write_xlsx  # noqa: E402

from models.io import limits as L  # noqa: E402
from models.io.reading import open_book  # noqa: E402

_ROW = st.one_of(st.integers(1, 300), st.integers(1, 1_100_000), st.sampled_from([1_048_576, 1_048_577, 10 ** 7]))
_COL = st.one_of(st.integers(1, 30), st.integers(1, 17_000), st.sampled_from([16_384, 16_385, 18_278]))
_KIND = st.sampled_from(["number", "shared", "inline", "no_ref"])
_LEN = st.one_of(st.integers(0, 50), st.sampled_from([32_767, 32_768, 40_000]))


def _letters(c: int) -> str:
    return L.col_letters(c - 1) if c <= 18_278 else "AAAA"


def _within_limits(path: Path) -> None:
    """Open and read every sheet: refused, or what the reader made is within the limits."""
    try:
        book = open_book(path)
        sheets = [book.load(n) for n in book.sheet_names]
    except UnusableFile as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for sh in sheets:
        width = max((len(r) for r in sh.rows), default=0)
        assert len(sh.rows) * width <= L.MAX_SHEET_CELLS
        assert all(len(v) <= L.MAX_CELL_CHARS for r in sh.rows for v in r if isinstance(v, str))


@FUZZ
@example(cells=[(1_048_576, 16_384, "number", 0)], dimension=False)
@example(cells=[(2, 1, "shared", 40_000)], dimension=True)
@example(cells=[(200_000, 30, "no_ref", 0)], dimension=False)
@given(cells=st.lists(st.tuples(_ROW, _COL, _KIND, _LEN), max_size=6), dimension=st.booleans())
def test_xlsx_cell_addresses_and_lengths(tmp_path_factory, cells, dimension):
    strings, rows = [], []
    for r, c, kind, n in cells:
        ref = f"{_letters(c)}{r}"
        if kind == "number":
            rows.append(f'<row r="{r}"><c r="{ref}"><v>{n}</v></c></row>')
        elif kind == "shared":
            strings.append("字" * n)
            rows.append(f'<row r="{r}"><c r="{ref}" t="s"><v>{len(_H) + len(strings) - 1}</v></c></row>')
        elif kind == "inline":
            rows.append(f'<row r="{r}"><c r="{ref}" t="inlineStr"><is><t>{"文" * n}</t></is></c></row>')
        else:                                   # no address: the cells follow one another along the row
            rows.append(f'<row r="{r}">' + "<c><v>1</v></c>" * min(c, 400) + "</row>")
    path = write_xlsx(tmp_path_factory.mktemp("s") / "s.xlsx", header_row() + "".join(rows), strings,
                      dim="A1:XFD1048576" if dimension else "")
    _within_limits(path)


@FUZZ
@example(cells=[(65_535, 255, 0)])
@given(cells=st.lists(st.tuples(st.one_of(st.integers(0, 200), st.integers(0, 65_535)),
                                st.one_of(st.integers(0, 20), st.integers(0, 255)), st.integers(0, 3)), max_size=8))
def test_xls_cell_addresses(tmp_path_factory, cells):
    path = write_xls(tmp_path_factory.mktemp("b") / "b.xls", list(_H) + ["甲"], [(0, 0, 0), (0, 1, 1), *cells])
    _within_limits(path)


@FUZZ
@example(spans=[(65_534, 1_000)] * 3)
@given(spans=st.lists(st.tuples(st.one_of(st.integers(1, 5), st.integers(1, 70_000)),
                                st.one_of(st.integers(1, 5), st.integers(1, 2_000))), max_size=10))
def test_html_spans(tmp_path_factory, spans):
    head = "".join(f"<td>{h}</td>" for h in _H)
    body = "".join(f'<tr><td rowspan="{rs}" colspan="{cs}">赵六</td><td>1</td></tr>' for rs, cs in spans)
    path = tmp_path_factory.mktemp("h") / "h.xls"
    path.write_text(f"<html><body><table><tr>{head}</tr>{body}</table></body></html>", encoding="utf-8")
    _within_limits(path)


@FUZZ
@example(repeats=[(1_000_000, 100, True)])
@given(repeats=st.lists(st.tuples(st.one_of(st.integers(1, 5), st.integers(1, 2_000_000)),
                                  st.one_of(st.integers(1, 5), st.integers(1, 20_000)), st.booleans()), max_size=5))
def test_ods_repeats(tmp_path_factory, repeats):
    from test_hostile_files import ods_cell
    rows = "<table:table-row>" + "".join(ods_cell(h) for h in _H) + "</table:table-row>"
    for rr, cr, filled in repeats:
        cell = (f'<table:table-cell table:number-columns-repeated="{cr}" office:value-type="float" office:value="1"/>'
                if filled else f'<table:table-cell table:number-columns-repeated="{cr}"/>')
        rows += f'<table:table-row table:number-rows-repeated="{rr}">{cell}</table:table-row>'
    _within_limits(write_ods(tmp_path_factory.mktemp("o") / "o.ods", rows))
