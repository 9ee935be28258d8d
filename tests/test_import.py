"""Importing ledgers: the sample files reproduce their expected totals; bad files of our own
making are refused or reported row by row; re-import matches instead of duplicating;
a cancelled or failed import leaves the database as it was."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from models.io.importer import commit_import, plan_import
from models.io.reading import UnusableFile
from models.jobs import Cancelled, JobContext
from models.ledger import registry
from models.ledger.repo import LedgerRepo

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
CLUES, SURVEY, ROSTER, PETITIONS = ("欠薪线索台账-平台导出.xlsx", "排查台账-冬季专项行动.xlsx",
                                    "工资花名册-安置房二期.xlsx", "信访台账.csv")


def add_case(store, case_no="C-001", amount_fen=200_000):
    from models.ledger.service import service_for
    return service_for(store, "cases").insert({"case_no": case_no, "registered_on": "2026-11-01",
                                               "amount_fen": amount_fen})


def counts(store):
    return {t: store.scalar(f"SELECT COUNT(*) FROM {t}") for t in ("case_record", "worker", "repayment", "audit_log")}


def xlsx(path: Path, rows: list[list], merges: list[tuple] = (), text_cols: set[int] = frozenset()) -> Path:
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("台账")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str) or c in text_cols:
                ws.write_string(r, c, str(v))
            else:
                ws.write_number(r, c, v)
    for (r0, c0, r1, c1, v) in merges:
        ws.merge_range(r0, c0, r1, c1, v)
    wb.close()
    return path


# -- the sample files ---------------------------------------------------------------------
# columns of the samples that hold ID numbers and dates the case ledger has no field for: the
# import stops until they are left out (or mapped), and then says it left them out
LEFT_OUT = {CLUES: ("反映人身份证号码", "欠薪发生时间"), SURVEY: ("拖欠时段",)}


@pytest.mark.parametrize("name", [CLUES, SURVEY])
def test_case_samples_reproduce_expected(campaign_store, name):
    exp = EXPECTED[name]
    stopped = plan_import(campaign_store, DATA / name, "cases")
    assert "导入已停止" in stopped.fatal and [u["header"].split("/")[-1] for u in stopped.blocking] == \
        list(LEFT_OUT[name])
    assert commit_import(campaign_store, stopped)["imported"] is False
    plan = plan_import(campaign_store, DATA / name, "cases", ignores=LEFT_OUT[name])
    j = plan.to_json()
    assert not j["fatal"] and [i["header"].split("/")[-1] for i in j["ignored"]] == list(LEFT_OUT[name])
    assert j["problems"] == exp["problems"]
    assert j["rows_read"] == j["rows_imported"] == exp["records"]
    assert j["totals"]["amount_fen"] == exp["amount_fen"]
    assert j["totals"]["workers"] == exp["workers"]
    if "paid_fen" in exp:
        assert j["totals"]["paid_fen"] == exp["paid_fen"]
    before = counts(campaign_store)
    result = commit_import(campaign_store, plan)
    assert result["imported"] and result["inserted"] == exp["records"]
    repo = LedgerRepo(campaign_store, registry.get("cases"))
    totals = repo.totals()
    assert totals["amount_fen"] == exp["amount_fen"] and totals["workers_count"] == exp["workers"]
    assert counts(campaign_store)["case_record"] == before["case_record"] + exp["records"]
    # the same file again: matched, nothing duplicated, and said so
    # the same file again: the choice to leave those columns out was remembered with the header
    again = commit_import(campaign_store, plan_import(campaign_store, DATA / name, "cases"))
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, exp["records"])
    assert repo.count() == exp["records"]


def test_survey_ledger_layout_is_understood(campaign_store):
    plan = plan_import(campaign_store, DATA / SURVEY, "cases")
    j = plan.to_json()
    assert j["header_rows"] == [3, 4]                       # two-row merged header under title and 填报 line
    assert {s["reason"] for s in j["skipped"]} == {"合计行", "签字栏"}
    units = {c["column"]: c["unit"] for c in j["columns"] if c["field"] in ("amount_fen", "paid_fen")}
    assert set(units.values()) == {"万元"}
    assert all(r.values["registered_on"] == "2026-11-24" for r in plan.rows)   # from the 填报日期 line
    assert all(r.values["case_no"].startswith("IMP-") for r in plan.rows)
    assert len({r.values["case_no"] for r in plan.rows}) == 48
    ws = {r.values["workstream_id"] for r in plan.rows}
    names = {x[0] for x in campaign_store.query(
        f"SELECT name FROM workstream WHERE id IN ({','.join(map(str, ws))})")}
    assert names <= {"欠薪化解专班", "拖欠工程款化解专班", "信访维稳工作专班"}


def test_roster_sample_into_a_case(campaign_store):
    exp = EXPECTED[ROSTER]
    add_case(campaign_store, "C-001")
    plan = plan_import(campaign_store, DATA / ROSTER, "workers", case_no="C-001")
    j = plan.to_json()
    assert j["problems"] == [] and j["rows_imported"] == exp["records"]
    assert (j["totals"]["amount_fen"], j["totals"]["paid_fen"]) == (exp["owed_fen"], exp["paid_fen"])
    ids = [r.values["id_number"] for r in plan.rows]
    assert all(len(i) == 18 and i.isascii() and i == i.upper() for i in ids)   # full-width digits, lowercase x
    result = commit_import(campaign_store, plan)
    assert result["imported"] and result["inserted"] == 86
    case = campaign_store.one("SELECT w_count, w_owed_fen, w_paid_fen FROM case_record WHERE case_no='C-001'")
    assert tuple(case) == (86, exp["owed_fen"], exp["paid_fen"])     # roll-up triggers ran
    assert campaign_store.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name='worker'") == 86
    again = commit_import(campaign_store, plan_import(campaign_store, DATA / ROSTER, "workers", case_no="C-001"))
    assert again["unchanged"] == 86 and campaign_store.scalar("SELECT COUNT(*) FROM worker") == 86


def test_workers_without_case_are_only_checked(campaign_store):
    before = counts(campaign_store)
    plan = plan_import(campaign_store, DATA / ROSTER, "workers")
    assert plan.check_only and plan.to_json()["rows_rejected"] == 0
    assert commit_import(campaign_store, plan)["imported"] is False
    assert counts(campaign_store) == before


def test_unknown_case_number_is_unusable(campaign_store):
    with pytest.raises(UnusableFile, match="NO-SUCH"):
        plan_import(campaign_store, DATA / ROSTER, "workers", case_no="NO-SUCH")


# -- petitions: GBK csv through a ledger declared here, or the real one when it exists ----------------
def _temp_petitions():
    from models.ledger.fields import Field as F, Ledger
    return Ledger(kind="petitions_test", title="信访台账（测试）", table="test_petition", key=(),
                  fields=(F("visited_on", "来访日期", "date", required=True),
                          F("petitioner", "来访人", required=True),
                          F("people", "人数", "int", sum=True),
                          F("phone", "联系电话", "phone"),
                          F("summary", "反映问题", "longtext"),
                          F("employer_name", "涉及单位"),
                          F("workstream_id", "交办专班", "ref", ref_table="workstream"),
                          F("result", "办理结果"),
                          F("collective", "是否集体访", "bool")))


def test_gbk_petition_csv_with_a_declared_ledger(tmp_path):
    from models import campaign
    from models.db import Store
    import datetime as dt
    ledger = registry.register(_temp_petitions())
    try:
        store = Store(tmp_path / "p.sqlite", "测试员")
        campaign.create_campaign(store, "行动", "青山镇", dt.date(2026, 9, 14))
        plan = plan_import(store, DATA / PETITIONS, ledger.kind)
        j = plan.to_json()
        assert j["encoding"] == "gbk" and j["header_rows"] == [1]
        assert j["problems"] == [] and j["rows_read"] == EXPECTED[PETITIONS]["records"]
        assert j["totals"]["fields"]["people"] == EXPECTED[PETITIONS]["people"] == j["totals"]["workers"]
        assert commit_import(store, plan)["inserted"] == 60
        again = commit_import(store, plan_import(store, DATA / PETITIONS, ledger.kind))
        assert again["unchanged"] == 60 and store.scalar("SELECT COUNT(*) FROM test_petition") == 60
        store.close()
    finally:
        registry.unregister(ledger.kind)


def test_petition_sample_with_the_real_ledger(campaign_store):
    plan = plan_import(campaign_store, DATA / PETITIONS, "petitions")
    j = plan.to_json()
    assert j["encoding"] == "gbk" and j["problems"] == []
    assert j["rows_read"] == j["rows_imported"] == EXPECTED[PETITIONS]["records"]
    assert j["totals"]["workers"] == EXPECTED[PETITIONS]["people"]         # the ledger's summed 人数
    assert commit_import(campaign_store, plan)["inserted"] == 60
    assert campaign_store.scalar("SELECT SUM(people_count) FROM petition") == EXPECTED[PETITIONS]["people"]
    again = commit_import(campaign_store, plan_import(campaign_store, DATA / PETITIONS, "petitions"))
    assert (again["inserted"], again["unchanged"]) == (0, 60)


# -- how people type ---------------------------------------------------------------------------------
def test_money_dates_and_fullwidth_in_text_cells(campaign_store, tmp_path):
    rows = [["编号", "登记日期", "用人单位", "涉及人数", "拖欠金额", "已支付金额（万元）"],
            ["A1", "2026-11-05", "甲公司", "１２", "1,200.50元", "0.1"],
            ["A2", "2026/11/5", "乙公司", "3人", "1.2万", ""],
            ["A3", "2026.11.05", "丙公司", "4", "１２００", "0"],
            ["A4", "2026年11月5日", "丁公司", "5", "￥300", "0"],
            ["A5", "46331", "戊公司", "6", "8000", "0"],
            ["A6", "2026-11-05 09:54", "己公司", "—", "／", "无"]]
    path = tmp_path / "typed.csv"
    path.write_text("\n".join(",".join(f'"{c}"' for c in r) for r in rows), encoding="utf-8")
    plan = plan_import(campaign_store, path, "cases")
    assert plan.problems == []
    got = {r.values["case_no"]: r.values for r in plan.rows}
    assert got["A1"]["amount_fen"] == 120050 and got["A1"]["paid_fen"] == 100000 and got["A1"]["workers_count"] == 12
    assert got["A2"]["amount_fen"] == 1200000 and got["A2"]["workers_count"] == 3
    assert got["A3"]["amount_fen"] == 120000 and got["A4"]["amount_fen"] == 30000
    assert {v["registered_on"] for v in got.values()} == {"2026-11-05"}
    # "—", "／", "无": nothing, read as blank; a new record stores 0 for them
    assert (got["A6"]["amount_fen"], got["A6"]["paid_fen"], got["A6"]["workers_count"]) == (None, None, None)
    assert commit_import(campaign_store, plan)["imported"]
    assert campaign_store.one("SELECT amount_fen, paid_fen, workers_count FROM case_record "
                              "WHERE case_no = 'A6'")[:] == (0, 0, 0)


def test_id_number_stored_as_number_is_named_damaged(campaign_store, tmp_path):
    add_case(campaign_store, "C-2")
    path = xlsx(tmp_path / "num-id.xlsx", [["农民工工资发放表"], ["姓名", "身份证号码", "应发工资（元）"],
                                            ["张三", 110105199003070017, 100], ["李四", "110105199003070017", 100]])
    plan = plan_import(campaign_store, path, "workers", case_no="C-2")
    [p] = plan.problems
    assert (p.row, p.column, p.rule) == (3, "身份证号码", "身份证号码")
    assert "Excel" in p.message and "丢失" in p.message
    assert plan.rows[1].values["id_number"] == "110105199003070017"
    before = counts(campaign_store)
    assert commit_import(campaign_store, plan)["imported"] is False          # nothing written without consent
    assert counts(campaign_store) == before
    partial = commit_import(campaign_store, plan, accept_partial=True)
    assert partial["imported"] and partial["inserted"] == 1 and partial["rows_rejected"] == 1


def test_merged_cells_fill_down_and_totals_rows_skipped(campaign_store, tmp_path):
    rows = [["青山镇欠薪问题台账"], ["填报单位：青山镇", None, None, "日期：2026年11月20日"],
            ["编号", "用人单位", "涉及人数", "拖欠金额（万元）"],
            ["M1", None, 3, 1.5], ["M2", None, 4, 2], ["M3", "乙公司", 5, 0.25], [None], [None],
            ["小计", None, 12, 3.75], ["合  计", None, 12, 3.75], ["填报人：张三", None, "审核人：李四"]]
    path = xlsx(tmp_path / "merged.xlsx", rows, merges=[(3, 1, 4, 1, "甲公司")])
    plan = plan_import(campaign_store, path, "cases")
    assert plan.problems == []
    assert [r.values["employer_name"] for r in plan.rows] == ["甲公司", "甲公司", "乙公司"]
    assert plan.totals()["amount_fen"] == 3750000 and plan.totals()["workers"] == 12
    assert [s["row"] for s in plan.skipped] == [9, 10, 11]


def test_problems_name_excel_row_and_header_as_written(campaign_store, tmp_path):
    rows = [["标题"], ["线索编号", "线索登记时间", "拖欠工资单位", "欠薪人数（人）", "欠薪金额（元）", "责任专班"],
            ["B1", "2026-11-31", "甲", "x", "100", "欠薪化解专班"],
            [None], ["B2", "2026-11-01", "乙", "2", "-5", "不存在的专班"],
            ["B1", "2026-11-02", "丙", "2", "5", "欠薪化解"]]
    path = xlsx(tmp_path / "bad.xlsx", rows)
    plan = plan_import(campaign_store, path, "cases")
    found = {(p.row, p.column, p.rule) for p in plan.problems}
    assert (3, "线索登记时间", "日期") in found
    assert (3, "欠薪人数（人）", "整数") in found
    assert (5, "欠薪金额（元）", "非负") in found
    assert (5, "责任专班", "引用") in found
    assert (6, "线索编号", "重复") not in found      # row 3 was rejected, so row 6 is the first B1 that counts
    assert plan.rows[-1].values["workstream_id"]    # 欠薪化解 → 欠薪化解专班
    assert all(any(ch >= "\u4e00" for ch in p.message) for p in plan.problems)


def test_duplicate_key_within_file(campaign_store, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("编号,登记日期,用人单位\nD1,2026-11-01,甲\nD1,2026-11-02,乙\n", encoding="utf-8")
    [p] = plan_import(campaign_store, path, "cases").problems
    assert (p.row, p.rule) == (3, "重复") and "第 2 行" in p.message


def test_changed_row_is_updated_not_duplicated(campaign_store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("编号,登记日期,用人单位,欠薪金额\nU1,2026-11-01,甲,100\nU2,2026-11-01,乙,200\n", encoding="utf-8")
    commit_import(campaign_store, plan_import(campaign_store, path, "cases"))
    path.write_text("编号,登记日期,用人单位,欠薪金额\nU1,2026-11-01,甲,150\nU2,2026-11-01,乙,200\n"
                    "U3,2026-11-03,丙,1\n", encoding="utf-8")
    r = commit_import(campaign_store, plan_import(campaign_store, path, "cases"))
    assert (r["inserted"], r["updated"], r["unchanged"]) == (1, 1, 1)
    assert campaign_store.scalar("SELECT amount_fen FROM case_record WHERE case_no='U1'") == 15000
    assert campaign_store.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name='case_record' "
                                 "AND action='update'") >= 1


def test_key_of_a_recycled_record_is_a_problem(campaign_store, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("编号,登记日期,用人单位\nX1,2026-11-01,甲\nX2,2026-11-01,乙\n", encoding="utf-8")
    commit_import(campaign_store, plan_import(campaign_store, path, "cases"))
    repo = LedgerRepo(campaign_store, registry.get("cases"))
    repo.recycle([repo.find_by_key({"case_no": "X1"})])
    plan = plan_import(campaign_store, path, "cases")
    [p] = plan.problems
    assert (p.row, p.rule) == (2, "重复") and "回收站" in p.message
    before = counts(campaign_store)
    assert commit_import(campaign_store, plan)["imported"] is False and counts(campaign_store) == before


def test_repayments_without_key_match_on_content(campaign_store, tmp_path):
    add_case(campaign_store, "R-1")
    path = tmp_path / "pay.csv"
    path.write_text("问题编号,兑付日期,兑付金额,支付主体\nR-1,2026-11-10,1000,总包\nR-1,2026-11-11,500,总包\n",
                    encoding="utf-8")
    assert commit_import(campaign_store, plan_import(campaign_store, path, "repayments"))["inserted"] == 2
    again = commit_import(campaign_store, plan_import(campaign_store, path, "repayments"))
    assert again["unchanged"] == 2 and campaign_store.scalar("SELECT COUNT(*) FROM repayment") == 2
    assert campaign_store.scalar("SELECT paid_fen FROM case_record WHERE case_no='R-1'") == 150000


def test_mapping_correction_is_remembered(campaign_store, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("编号,登记日期,企业,金额说明\nK1,2026-11-01,甲公司,100\n", encoding="utf-8")
    plan = plan_import(campaign_store, path, "cases")
    assert {c.label: c.field for c in plan.header.columns}["企业"] is None
    fixed = plan_import(campaign_store, path, "cases", mapping={"企业": "employer_name", "金额说明": "amount_fen"})
    assert fixed.rows[0].values["employer_name"] == "甲公司" and fixed.rows[0].values["amount_fen"] == 10000
    commit_import(campaign_store, fixed)
    other = tmp_path / "m2.csv"
    other.write_text("编号,登记日期,企业,金额说明\nK2,2026-11-02,乙公司,7\n", encoding="utf-8")
    later = plan_import(campaign_store, other, "cases")
    cols = {c.label: (c.field, c.how) for c in later.header.columns}
    assert cols["企业"] == ("employer_name", "remembered") and cols["金额说明"][0] == "amount_fen"
    wan = plan_import(campaign_store, other, "cases", mapping={"金额说明": "amount_fen|万元"})
    assert wan.rows[0].values["amount_fen"] == 7_000_000        # the user said the bare numbers are 万元


# -- files that cannot be used ----------------------------------------------------------------------
@pytest.mark.parametrize("maker, words", [
    (lambda p: p.write_bytes((DATA / CLUES).read_bytes()[:3000]), "损坏"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
                             + "EncryptedPackage".encode("utf-16-le") + b"\0" * 600), "密码"),
    (lambda p: p.write_bytes(b""), "空"),
    (lambda p: p.write_bytes(b"a,b\n\x80\x80\xff,\x81\n"), "编码"),
    (lambda p: p.write_text("甲,乙,丙\n1,2,3\n", encoding="utf-8"), "表头"),
    (lambda p: p.write_bytes(b"\x00\x01\x02binary\x00" * 50), "二进制"),
])
def test_unusable_files(campaign_store, tmp_path, maker, words):
    path = tmp_path / "bad.xlsx"
    maker(path)
    before = counts(campaign_store)
    with pytest.raises(UnusableFile) as info:
        plan_import(campaign_store, path, "cases")
    assert words in str(info.value) and "\n" not in str(info.value)
    assert counts(campaign_store) == before


# -- atomicity ----------------------------------------------------------------------------------------
def _big_csv(path: Path, n: int) -> Path:
    lines = ["编号,登记日期,用人单位,欠薪金额"] + [f"N{i},2026-11-01,单位{i},{i}" for i in range(n)]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_cancelled_import_leaves_database_as_it_was(campaign_store, tmp_path):
    plan = plan_import(campaign_store, _big_csv(tmp_path / "big.csv", 6000), "cases")
    before = counts(campaign_store)
    ctx = JobContext()
    seen = []

    def progress(done, total, text):
        seen.append(done)
        if done >= 2000:
            ctx.cancel()
    ctx.on_progress = progress
    with pytest.raises(Cancelled):
        commit_import(campaign_store, plan, ctx=ctx)
    assert counts(campaign_store) == before and max(seen) >= 2000


def test_failed_import_rolls_back(campaign_store, tmp_path, monkeypatch):
    plan = plan_import(campaign_store, _big_csv(tmp_path / "big.csv", 3000), "cases")
    before = counts(campaign_store)
    import models.io.header as header

    def boom(*a, **k):
        raise OSError("磁盘已满")
    monkeypatch.setattr(header, "remember", boom)
    import models.io.importer as importer
    monkeypatch.setattr(importer, "remember", boom)
    with pytest.raises(OSError):
        commit_import(campaign_store, plan)
    assert counts(campaign_store) == before


def test_plan_and_commit_off_the_main_thread(campaign_store, tmp_path):
    """The dialog's way: each job opens its own Store on the same file."""
    from models.db import Store
    path = _big_csv(tmp_path / "t.csv", 50)
    out = {}

    def job():
        s = Store(campaign_store.path, "后台")
        try:
            out["r"] = commit_import(s, plan_import(s, path, "cases"))
        finally:
            s.close()
    t = threading.Thread(target=job)
    t.start()
    t.join()
    assert out["r"]["inserted"] == 50 and campaign_store.scalar("SELECT COUNT(*) FROM case_record") == 50


def test_fast_validator_agrees_with_the_ledger():
    from models.io.row_checks import row_validator as _validator
    for ledger in registry.all_ledgers():
        fast, _ = _validator(ledger)
        samples = [{f.name: None for f in ledger.stored_fields},
                   {f.name: (-1 if f.numeric else "" if f.kind != "ref" else 0) for f in ledger.stored_fields},
                   {f.name: (5 if f.numeric else "x" if f.kind not in ("ref", "date") else 1 if f.kind == "ref"
                             else "2026-11-01") for f in ledger.stored_fields},
                   # an Excel TRUE / FALSE read into a number column (期次 of an instalment)
                   {f.name: (False if f.numeric else "x" if f.kind not in ("ref", "date") else 1 if f.kind == "ref"
                             else "2026-11-01") for f in ledger.stored_fields}]
        for row in [{}, *samples]:
            try:
                want = sorted(ledger.validate(row))
            except Exception:  # noqa: BLE001 - a row rule that cannot take this made-up row
                continue
            assert sorted((n, m) for n, m, _ in fast(row)) == want, (ledger.kind, row)
        # the same answers, in the same order, when the plain checks are made a column at a time
        names = [f.name for f in ledger.stored_fields]
        for cut in (len(names), len(names) // 2):
            columns = {n: [row[n] for row in samples] for n in names[:cut]}
            by_column, rules_only = _validator(ledger, columns)
            for pos, row in enumerate(samples):
                try:
                    want = fast(row)
                except Exception:  # noqa: BLE001 - as above
                    continue
                got = by_column(row, pos) if by_column else rules_only(row, pos)
                assert got == want, (ledger.kind, cut, row)
