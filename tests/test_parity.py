"""One door per ledger: the same records entered through a form (the ledger's write service, as
the window's forms call it), the row import, the bulk import and the command line end the same —
the ledger's rows with their derived fields, the other tables their effects reach (status logs,
roll-ups), the audit rows and the search index. Every importable ledger of the program's own
ledgers is tried; only what differs by nature between the paths (UUIDs, clock stamps, the
audit reason that names the imported file) is left out of the comparison."""
from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from models import campaign
from models.db import Store
from models.io import importer
from models.ledger import registry
from models.ledger.repo import LedgerRepo, trigram_match
from models.ledger.service import service_for
from models.rules.credit_code import make_credit_code
from models.rules.idcard import make_valid_id

from conftest import TODAY

USER = "测试员"
WS = "欠薪化解专班"


def _card(prefix: str) -> str:
    """A bank card number with a valid Luhn check digit."""
    digits = [int(c) for c in prefix]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    return prefix + str((10 - total % 10) % 10)


# per ledger: (parent number for --case, header -> cell text rows). Labels as the ledger declares them.
SAMPLES: dict[str, tuple[str | None, list[dict[str, str]]]] = {
    "cases": (None, [
        {"编号": "PAR-001", "登记日期": "2026-09-01", "用人单位": "青山县宏达劳务有限公司", "项目名称": "安置房三期",
         "欠薪人数": "35", "欠薪金额": "86000", "责任专班": WS, "包案责任人": "张明", "基本情况摘要": "拖欠35名农民工工资"},
        {"编号": "PAR-002", "登记日期": "2026-11-20", "用人单位": "青山县顺达物流有限公司", "欠薪人数": "3",
         "欠薪金额": "12000.50", "状态": "化解中", "责任专班": WS, "是否敏感": "是"},
        {"编号": "PAR-003", "登记日期": "2026-11-24", "用人单位": "青山县青禾农业合作社", "欠薪人数": "2",
         "欠薪金额": "3000", "办结时限（工作日）": "5"},
    ]),
    "workers": ("BASE-W", [
        {"姓名": "王建国", "身份证号码": make_valid_id("511921", dt.date(1978, 3, 5), 11), "联系方式": "13800138001",
         "银行卡号": _card("622202123456789012"), "工种": "钢筋工", "进场时间": "2026-03-01", "应发工资": "18000",
         "实发工资": "6000"},
        {"姓名": "李秀英", "身份证号码": make_valid_id("511921", dt.date(1982, 7, 9), 22), "工种": "杂工",
         "应发工资": "9000.5", "实发工资": "0"},
    ]),
    "repayments": ("BASE-W", [
        {"农民工": "赵大山", "兑付日期": "2026-10-12", "兑付金额": "2000", "支付主体": "总包", "兑付渠道": "总包先行清偿"},
        {"农民工": "赵大山", "兑付日期": "2026-10-12", "兑付金额": "2000", "支付主体": "总包", "兑付渠道": "总包先行清偿"},
        {"农民工": "钱小红", "兑付日期": "2026-11-02", "兑付金额": "1500.25", "支付主体": "建设单位"},
    ]),
    "funds": (None, [
        {"资金编号": "ZJ2026-901", "筹措渠道": "国有资产处置", "资金来源": "镇属门面拍卖", "计划筹措金额": "500000",
         "到位金额": "300000", "到位日期": "2026-10-20"},
        {"资金编号": "ZJ2026-902", "筹措渠道": "财政", "到位金额": "0"},
    ]),
    "assets": (None, [
        {"编号": "GZ-901", "类别": "国有资产", "名称": "原粮站仓库", "坐落位置": "青山镇老街", "评估价值": "800000"},
        {"编号": "ZJD-901", "类别": "宅基地", "名称": "闲置宅基地一处", "面积": "210"},
    ]),
    "contract_arrears": (None, [
        {"编号": "GCK2026-901", "项目名称": "青山大道改造", "建设单位": "青山镇人民政府", "施工单位": "青山建工",
         "合同金额": "2000000", "已付工程款": "500000", "其中人工费": "300000", "责任专班": "拖欠工程款化解专班"},
    ]),
    "contract_instalments": ("BASE-K", [
        {"期次": "1", "计划还款日期": "2026-12-15", "计划还款金额": "200000"},
        {"期次": "2", "计划还款日期": "2027-01-15", "计划还款金额": "300000"},
    ]),
    "petitions": (None, [
        {"来访日期": "2026-11-03", "来访人": "孙志强", "人数": "6", "联系电话": "13900139000", "反映问题": "讨要工资",
         "涉及单位": "青山县宏达劳务有限公司"},
        {"来访日期": "2026-11-10", "来访人": "孙志强", "人数": "1", "联系电话": "13900139000", "反映问题": "再次讨要"},
    ]),
    "inspections": (None, [
        {"编号": "PC2026-901", "排查日期": "2026-11-05", "排查对象": "青山大道改造工地", "整改状态": "待整改",
         "发现隐患": "未设维权告示牌", "整改时限": "2026-11-20"},
    ]),
    "blacklist": (None, [
        {"单位名称": "青山县黑石劳务有限公司", "统一社会信用代码": make_credit_code(7, "511921"),
         "列入事由": "拒不支付劳动报酬", "上报日期": "2026-05-01", "列入日期": "2026-06-01"},
    ]),
    "daily_reports": (None, [
        {"报告日期": "2026-11-24", "专班": WS, "新增欠薪线索": "2", "报告人": "刘洋"},
        {"报告日期": "2026-11-24", "专班": "信访维稳工作专班"},
    ]),
}
STRIP = {"uuid", "created_at", "updated_at", "status_changed_at", "at", "record_uuid"}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A campaign with one case that lists two workers (for workers and repayments) and one
    contract arrear (for its instalments)."""
    path = tmp_path_factory.mktemp("parity") / "base.sqlite"
    s = Store(path, USER)
    s.today = TODAY
    campaign.create_campaign(s, "2026年根治欠薪冬季专项行动", "青山县青山镇人民政府", dt.date(2026, 9, 14))
    ws = {w["name"]: w["id"] for w in campaign.workstreams(s)}
    cid = service_for(s, "cases", today=TODAY).insert({"case_no": "BASE-W", "registered_on": "2026-09-20",
                                                       "employer_name": "青山建工", "workstream_id": ws[WS]})
    for name, owed in (("赵大山", 800000), ("钱小红", 500000)):
        service_for(s, "workers", today=TODAY).insert({"case_id": cid, "name": name, "owed_fen": owed})
    service_for(s, "contract_arrears", today=TODAY).insert({
        "arrear_no": "BASE-K", "project_name": "老街改造", "owner_unit": "青山镇人民政府", "contractor": "青山建工",
        "contract_fen": 100_000_000, "paid_fen": 0})
    s.close()
    return path


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    heads = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(heads)
        for r in rows:
            w.writerow([r.get(h, "") for h in heads])
    return path


# Every path runs on the clock's today (the command line has no other): what a rule fills in from
# "today" (an asset's 进度日期) is then the same on each, and nothing below compares it with a date.
def _by_form(db: Path, kind: str, parent_no: str | None, rows: list[dict[str, str]]) -> None:
    """What a clerk's form does: the text of each field parsed by the declaration, references
    chosen from a list (ids), saved through the ledger's service."""
    s = Store(db, USER)
    ledger = registry.get(kind)
    repo = LedgerRepo(s, ledger)
    labels = {f.label: f for f in ledger.fields}
    try:
        for raw in rows:
            texts = {labels[h].name: v for h, v in raw.items() if v != ""}
            values, problems = repo.parse({n: v for n, v in texts.items() if ledger.field(n).kind != "ref"})
            assert not problems, problems
            parent_id = None
            if ledger.parent:
                pf = ledger.field(ledger.parent)
                parent_id = s.scalar(f'SELECT id FROM "{pf.ref_table}" WHERE "{pf.ref_label}" = ?', (parent_no,))
                values[ledger.parent] = parent_id
            for n, v in texts.items():
                f = ledger.field(n)
                if f.kind == "ref":
                    extra = f' AND case_id = {int(parent_id)}' if f.ref_table == "worker" else ""
                    values[n] = s.scalar(f'SELECT id FROM "{f.ref_table}" WHERE "{f.ref_label}" = ?{extra}', (v,))
            service_for(s, kind).insert(values)
    finally:
        s.close()


def _by_import(db: Path, kind: str, parent_no: str | None, file: Path, threshold: int, monkeypatch) -> dict:
    monkeypatch.setattr(importer, "BULK_THRESHOLD", threshold)
    s = Store(db, USER)
    try:
        result = importer.commit_import(s, importer.plan_import(s, file, kind, case_no=parent_no))
    finally:
        s.close()
    assert result["imported"] and result["rows_rejected"] == 0, result["problems"][:3]
    return result


def _by_command_line(db: Path, kind: str, parent_no: str | None, file: Path, monkeypatch, capsys) -> None:
    from desktop import cli
    monkeypatch.setenv("LOGNAME", USER)         # the operator's name, as the other paths have it
    args = ["import", str(file), "--db", str(db), "--kind", kind, "--json"] + (["--case", parent_no] if parent_no else [])
    code = cli.main(args)
    out = capsys.readouterr().out
    assert code == 0, out
    assert json.loads(out)["imported"]


def _state(db: Path, kind: str) -> dict:
    """Everything a write of this ledger can reach, with what differs by nature left out."""
    import sqlite3
    c = sqlite3.connect(db)
    c.row_factory = sqlite3.Row
    out = {}
    tables = [registry.get(kind).table, "case_record", "worker", "case_status_log", "contract_arrear", "fund"]
    for t in dict.fromkeys(tables):
        out[t] = [{k: r[k] for k in r.keys() if k not in STRIP} for r in c.execute(f'SELECT * FROM "{t}" ORDER BY id')]
    audit = []
    # an import also remembers how the file's headers were placed (a setting): not a record
    for r in c.execute("SELECT table_name, record_id, action, before, after FROM audit_log "
                       "WHERE NOT (table_name = 'setting' AND COALESCE(after, before) LIKE '%import_mapping:%') "
                       "ORDER BY id"):
        before, after = (None if x is None else {k: v for k, v in json.loads(x).items() if k not in STRIP}
                         for x in (r["before"], r["after"]))
        audit.append((r["table_name"], r["record_id"], r["action"], before, after))
    out["audit_log"] = sorted(audit, key=repr)
    out["case_fts"] = [r[0] for r in c.execute("SELECT rowid FROM case_fts WHERE case_fts MATCH ? ORDER BY rowid", (trigram_match("劳务有限"),))]
    out["worker_fts"] = [r[0] for r in c.execute("SELECT rowid FROM worker_fts WHERE worker_fts MATCH ? ORDER BY rowid", (trigram_match("钢筋工"),))]
    c.close()
    return out


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_form_row_import_bulk_import_and_command_line_end_the_same(base, tmp_path, kind, monkeypatch, capsys):
    parent_no, rows = SAMPLES[kind]
    file = _csv(tmp_path / f"{kind}.csv", rows)
    dbs = {p: shutil.copy(base, tmp_path / f"{p}.sqlite") for p in ("form", "rows", "bulk", "cli")}
    _by_form(Path(dbs["form"]), kind, parent_no, rows)
    _by_import(Path(dbs["rows"]), kind, parent_no, file, 10 ** 9, monkeypatch)
    _by_import(Path(dbs["bulk"]), kind, parent_no, file, 0, monkeypatch)
    monkeypatch.setattr(importer, "BULK_THRESHOLD", 500)
    _by_command_line(Path(dbs["cli"]), kind, parent_no, file, monkeypatch, capsys)
    states = {p: _state(Path(d), kind) for p, d in dbs.items()}
    table = registry.get(kind).table
    assert len(states["form"][table]) == len(_state(base, kind)[table]) + len(rows)
    for path in ("rows", "bulk", "cli"):
        for name, value in states["form"].items():
            assert states[path][name] == value, (kind, path, name)


def test_an_imported_case_is_registered_as_a_typed_one(base, tmp_path, monkeypatch):
    """What the parity above holds for cases, said plainly: an imported case has its working-day
    deadline, its 重大 flag from the thresholds, its status log and its latest-activity date."""
    parent_no, rows = SAMPLES["cases"]
    db = Path(shutil.copy(base, tmp_path / "x.sqlite"))
    _by_import(db, "cases", parent_no, _csv(tmp_path / "c.csv", rows), 0, monkeypatch)
    s = Store(db, USER)
    try:
        r = s.one("SELECT * FROM case_record WHERE case_no = 'PAR-001'")
        # 15 working days from 1 September, Sunday 20 September being a 调休 working day
        assert r["deadline_days"] == 15 and r["deadline"] == "2026-09-21"
        assert r["is_major"] == 1                                          # 35 workers ≥ 30
        assert r["last_activity_on"] == "2026-09-01"
        log = s.query("SELECT from_status, to_status, changed_on, note FROM case_status_log WHERE case_id = ?", (r["id"],))
        assert [tuple(x) for x in log] == [(None, "待核实", "2026-09-01", "登记")]
        from models import cases
        assert "逾期" in cases.Warner(s, TODAY).kinds(dict(r))               # an imported backlog shows as overdue
        assert s.scalar("SELECT deadline FROM case_record WHERE case_no = 'PAR-003'") is not None
    finally:
        s.close()


def test_history_keeps_its_own_dates(base, tmp_path, monkeypatch):
    """A repayment dated last month, recorded today, makes its case look worked on last month,
    not today: 久拖未动 counts from the latest dated fact."""
    from models import cases
    db = Path(shutil.copy(base, tmp_path / "h.sqlite"))
    s = Store(db, USER)
    try:
        case = s.one("SELECT id, last_activity_on FROM case_record WHERE case_no = 'BASE-W'")
        assert case["last_activity_on"] == "2026-09-20"
        day = dt.date(2026, 11, 26)
        assert "久拖未动" in cases.Warner(s, day).kinds(cases.repo(s).get(case["id"]))
        worker = s.scalar("SELECT id FROM worker WHERE case_id = ? AND name = '赵大山'", (case["id"],))
        service_for(s, "repayments").insert({"case_id": case["id"], "worker_id": worker, "paid_on": "2026-10-20",
                                             "amount_fen": 100_000, "payer": "总包"})
        row = cases.repo(s).get(case["id"])
        assert row["last_activity_on"] == "2026-10-20"              # the payment's date, not the clock's
        assert "久拖未动" in cases.Warner(s, day).kinds(row)          # still more than 10 days before
        assert "久拖未动" not in cases.Warner(s, dt.date(2026, 10, 25)).kinds(row)
    finally:
        s.close()
    # the same through an import of last month's repayments
    db2 = Path(shutil.copy(base, tmp_path / "h2.sqlite"))
    file = _csv(tmp_path / "pay.csv", [{"农民工": "钱小红", "兑付日期": "2026-10-21", "兑付金额": "500"}])
    _by_import(db2, "repayments", "BASE-W", file, 0, monkeypatch)
    s = Store(db2, USER)
    try:
        assert s.scalar("SELECT last_activity_on FROM case_record WHERE case_no = 'BASE-W'") == "2026-10-21"
    finally:
        s.close()
