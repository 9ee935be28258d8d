"""下发, county → townships: the county's 督办事项 and reference data go down in a 下发包; each
township takes what is addressed to it (its action items, written through the write service and
audited), progresses them as the window does (``models.meetings``), and its next 报送包 carries
the progress back up, where the county sees it per item and township. Every refused 下发包
changes nothing; the same one twice changes nothing; applying is one transaction after a backup."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from conftest import TODAY
from desktop.cli import main
from models import campaign, demo, meetings as M, migrations
from models.cases import save_calendar_year
from models.db import Store
from models.exchange import PackageRefused, identity, package
from models.exchange import dispatch as D
from models.exchange.apply_dispatch import apply_dispatch
from models.exchange.export import export_package
from models.exchange.receive import receive_package
from models.ledger.service import service_for

TOWNS = {"511234101": (1, "青山镇"), "511234102": (2, "白石镇")}
SENT = dt.datetime.combine(TODAY, dt.time(17, 0))
CAL_2027 = "# 2027年放假调休安排\n2027-01-01 至 2027-01-03 放假 元旦\n2027-02-05 至 2027-02-13 放假 春节\n2027-02-20 上班\n"


def make_town(path: Path, seed: int, name: str, code: str) -> Path:
    demo.build_demo(path, "township", seed=seed, today=TODAY, _cases=12, _workers=60)
    s = Store(path, "测试")
    try:
        identity.set_township(s, name=name, code=code, county_name="青山县", county_code="511234")
    finally:
        s.close()
    return path


def make_county(path: Path, name: str = "青山县", code: str = "511234") -> Path:
    s = Store(path, "县办公室")
    try:
        campaign.create_campaign(s, f"{name}根治欠薪专项行动汇总", f"{name}根治欠薪办", dt.date(2026, 9, 1))
        identity.set_county(s, name=name, code=code)
    finally:
        s.close()
    return path


def opened(path: Path, user: str):
    """A store for one step (closed by the caller's ``with``)."""
    class _Ctx:
        def __enter__(self):
            self.s = Store(path, user)
            return self.s

        def __exit__(self, *exc):
            self.s.close()
    return _Ctx()


def report(town: Path, out: Path, now: dt.datetime) -> dict:
    with opened(town, "镇办公室") as s:
        return export_package(s, out, now=now)


def receive(county: Path, pkg: Path, now: dt.datetime) -> dict:
    with opened(county, "县办公室") as s:
        return receive_package(s, pkg, now=now)


def apply(town: Path, pkg: Path, now: dt.datetime = SENT) -> dict:
    with opened(town, "镇办公室") as s:
        return apply_dispatch(s, pkg, now=now)


def send_down(county: Path, out: Path, now: dt.datetime) -> dict:
    with opened(county, "县办公室") as s:
        return D.export_dispatch(s, out, now=now)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> dict[str, Path]:
    """Two townships that have each sent one 报送包 to a county (built once, copied per test)."""
    root = tmp_path_factory.mktemp("dispatch-base")
    out = {code: make_town(root / f"{code}.sqlite", seed, name, code) for code, (seed, name) in TOWNS.items()}
    c = make_county(root / "county.sqlite")
    for code, path in out.items():
        pkg = root / f"{code}-r1.qqpkg"
        report(path, pkg, SENT - dt.timedelta(days=1))
        receive(c, pkg, SENT - dt.timedelta(hours=20))
    out["county"] = c
    return out


@pytest.fixture
def world(base, tmp_path) -> dict[str, Path]:
    out = {}
    for key, path in base.items():
        shutil.copy(path, tmp_path / path.name)
        out[key] = tmp_path / path.name
    shutil.copytree(base["county"].with_name("county.sqlite.townships"), tmp_path / "county.sqlite.townships")
    return out


def county_reference(county: Path) -> None:
    """The reference data a county sends down: a new year's holidays, a blacklist entry, thresholds."""
    with opened(county, "县办公室") as s:
        save_calendar_year(s, 2027, CAL_2027)
        service_for(s, "blacklist", today=TODAY).insert(
            {"employer_name": "青山县某建筑劳务有限公司", "credit_code": "", "legal_person": "王某",
             "reason": "拖欠农民工工资经责令限期支付仍拒不支付", "reported_on": "2026-10-10", "listed_on": "2026-11-01"})
        s.set_setting(identity.CLEARED_RED, 75.0)


def items_of(town: Path) -> list[dict]:
    s = Store(town, read_only=True)
    try:
        return [dict(r) for r in s.query("SELECT * FROM action_item WHERE uuid IN (SELECT uuid FROM directive_received) "
                                         "ORDER BY id")]
    finally:
        s.conn.close()


def test_round_trip_down_progressed_and_back_up(world, tmp_path):
    c, qs, bs = world["county"], world["511234101"], world["511234102"]
    county_reference(c)
    with opened(c, "县办公室") as s:
        a = D.add_directive(s, "督促城东安置房项目总包单位兑付农民工工资", ["青山镇"], TODAY + dt.timedelta(days=5), TODAY)
        b = D.add_directive(s, "全面排查在建工程项目工资专用账户", [D.ALL], TODAY + dt.timedelta(days=10), TODAY)
        uuids = {d["id"]: d["uuid"] for d in D.list_directives(s)}
        assert D.directive_progress(s, TODAY)[0]["townships"][0]["state"] == D.NOT_SENT
        county_2027 = s.scalar("SELECT schedule_text FROM calendar_year WHERE year = 2027")
        assert "2027-02-05 至 2027-02-13 放假 春节" in county_2027
    d1 = send_down(c, tmp_path / "d1.qqpkg", SENT)
    assert (d1["kind"], d1["sequence"], d1["counts"]["directive"], d1["counts"]["calendar_year"]) == ("dispatch", 1, 2, 1)
    assert {t["code"]: t["directives"] for t in d1["townships"]} == {"511234101": 2, "511234102": 1}

    got = apply(qs, tmp_path / "d1.qqpkg")
    assert (got["kind"], got["township"], got["sequence"], got["conflicts"]) == ("dispatch", "青山镇", 1, [])
    assert got["tables"]["action_item"] == {"added": 2, "changed": 0, "unchanged": 0}
    assert got["tables"]["blacklist_entry"]["added"] == 1 and got["backup"]
    assert apply(bs, tmp_path / "d1.qqpkg")["tables"]["action_item"] == {"added": 1, "changed": 0, "unchanged": 0}

    # 青山镇: both items among its action items, marked 县督办, with the county's ids; the reference data applied
    with opened(qs, "镇办公室") as s:
        mine = {it["uuid"]: it for it in M.open_items(s, TODAY) if it["source"] == "县督办"}
        assert set(mine) == {uuids[a], uuids[b]}
        assert mine[uuids[a]]["content"] == D.MARK + "督促城东安置房项目总包单位兑付农民工工资"
        assert mine[uuids[a]]["due_date"] == (TODAY + dt.timedelta(days=5)).isoformat()
        assert mine[uuids[a]]["meeting_id"] is None and mine[uuids[a]]["state"] == "待办"
        audit = s.one("SELECT user, reason FROM audit_log WHERE table_name = 'action_item' AND action = 'insert' "
                      "AND record_uuid = ?", (uuids[a],))
        assert (audit["user"], audit["reason"]) == ("镇办公室", "接收县级督办事项")
        assert s.scalar("SELECT schedule_text FROM calendar_year WHERE year = 2027") == county_2027
        assert s.scalar("SELECT COUNT(*) FROM blacklist_entry WHERE employer_name = '青山县某建筑劳务有限公司' "
                        "AND deleted_at IS NULL") == 1
        assert s.get_setting(identity.CLEARED_RED) == 75.0
        agenda = M.agenda_text(M.prepare_agenda(s, TODAY + dt.timedelta(days=1), TODAY - dt.timedelta(days=6),
                                                today=TODAY))
        assert f"　　{D.MARK}督促城东安置房项目总包单位兑付农民工工资（领导小组办公室" in agenda   # on the next agenda
        # progressed as the meeting page does it
        ida, idb = mine[uuids[a]]["id"], mine[uuids[b]]["id"]
        M.set_item_status(s, ida, "办理中", TODAY)
        M.add_progress(s, ida, "已约谈总包单位，约定12月1日前兑付", TODAY, "李四")
        M.close_item(s, idb, TODAY + dt.timedelta(days=1), "已排查12个项目，均已开设专户")

    # up again in the next 报送包, and visible at the county
    later = SENT + dt.timedelta(days=1)
    sent = report(qs, tmp_path / "qs-r2.qqpkg", later)
    assert sent["directives"] == 2
    manifest = json.loads(zipfile.ZipFile(tmp_path / "qs-r2.qqpkg").read(package.MANIFEST))
    assert manifest["directives"]["dispatch_sequence"] == 1
    receive(c, tmp_path / "qs-r2.qqpkg", later + dt.timedelta(hours=1))
    with opened(c, "县办公室") as s:
        prog = {d["id"]: {t["name"]: t for t in d["townships"]} for d in D.directive_progress(s, TODAY + dt.timedelta(days=1))}
        late = {d["id"]: d for d in D.directive_progress(s, TODAY + dt.timedelta(days=6))}
    assert prog[a]["青山镇"]["state"] == "办理中" and "约定12月1日前兑付" in prog[a]["青山镇"]["progress"]
    assert prog[a]["青山镇"]["sequence"] == 2 and prog[a]["青山镇"]["overdue"] is False
    assert prog[b]["青山镇"]["state"] == "已办结"
    assert prog[b]["青山镇"]["closed_on"] == (TODAY + dt.timedelta(days=1)).isoformat()
    assert prog[b]["白石镇"]["state"] == D.NOT_REPORTED          # 白石镇 has not sent since
    assert late[a]["townships"][0]["state"] == "逾期" and late[a]["overdue"] == 1      # past its deadline
    assert late[b]["overdue"] == 0

    # a second 下发: the county 销号 one, 撤销 the other, adds a third; updates, no duplicates
    with opened(c, "县办公室") as s:
        D.close_directive(s, a, TODAY + dt.timedelta(days=2), "经核实已兑付")
        D.close_directive(s, b, TODAY + dt.timedelta(days=2), cancel=True)
        c3 = D.add_directive(s, "报送12月份欠薪线索排查情况", ["511234101"], None, TODAY + dt.timedelta(days=2))
    send_down(c, tmp_path / "d2.qqpkg", later + dt.timedelta(days=1))
    got = apply(qs, tmp_path / "d2.qqpkg", later + dt.timedelta(days=1))
    assert got["sequence"] == 2 and got["tables"]["action_item"] == {"added": 1, "changed": 2, "unchanged": 0}
    assert got["tables"]["calendar_year"] == {"added": 0, "changed": 0, "unchanged": 1}
    rows = {r["uuid"]: r for r in items_of(qs)}
    assert len(rows) == 3
    with opened(c, "县办公室") as s:
        uuids = {d["id"]: d["uuid"] for d in D.list_directives(s)}
    assert rows[uuids[a]]["status"] == "已办结" and "县级已销号：经核实已兑付" in rows[uuids[a]]["progress"]
    assert rows[uuids[b]]["deleted_at"] is not None                  # withdrawn: in the recycle bin
    assert rows[uuids[c3]]["deleted_at"] is None and rows[uuids[c3]]["status"] == "待办"


def test_round_trip_on_the_command_line(world, tmp_path, capsys):
    def run(*argv):
        code = main([str(x) for x in argv])
        out, err = capsys.readouterr()
        return code, out, err

    c, qs = world["county"], world["511234101"]
    code, out, err = run("directive", "add", "--db", c, "--content", "约谈欠薪企业负责人", "--township", "青山镇",
                         "--due", (TODAY + dt.timedelta(days=3)).isoformat(), "--today", TODAY, "--json")
    assert code == 0, err
    did = json.loads(out)["id"]
    code, out, err = run("directive", "add", "--db", c, "--content", "x", "--township", "无此镇", "--today", TODAY)
    assert code == 2 and "无此镇" in err and err.count("\n") == 1
    d1 = tmp_path / "d1.qqpkg"
    code, out, err = run("package", "export", "--db", c, "--out", d1, "--json", "--now", SENT.isoformat())
    assert code == 0, err
    assert (json.loads(out)["kind"], json.loads(out)["sequence"]) == ("dispatch", 1)
    code, out, err = run("package", "import", d1, "--db", qs, "--json", "--now", SENT.isoformat())
    assert code == 0, err
    got = json.loads(out)
    assert (got["kind"], got["township"], got["sequence"], got["conflicts"]) == ("dispatch", "青山镇", 1, [])
    assert got["added"] >= 1 and {"added", "changed", "unchanged"} <= set(got)
    code, out, err = run("package", "import", d1, "--db", qs, "--json")
    again = json.loads(out)
    assert code == 0 and again["already_applied"] is True and again["added"] == again["changed"] == 0

    with opened(qs, "镇办公室") as s:
        item = next(it for it in M.open_items(s, TODAY) if it["source"] == "县督办")
        M.add_progress(s, item["id"], "已约谈，企业承诺本周兑付", TODAY, "王五")
    r2 = tmp_path / "qs-r2.qqpkg"
    assert run("package", "export", "--db", qs, "--out", r2, "--now", (SENT + dt.timedelta(hours=1)).isoformat())[0] == 0
    assert run("package", "import", r2, "--db", c)[0] == 0
    code, out, err = run("directive", "list", "--db", c, "--json", "--today", TODAY)
    assert code == 0, err
    listed = next(d for d in json.loads(out)["directives"] if d["id"] == did)
    assert listed["townships"][0]["name"] == "青山镇" and "企业承诺本周兑付" in listed["townships"][0]["progress"]
    code, out, err = run("directive", "list", "--db", c, "--today", TODAY)
    assert code == 0 and "青山镇（511234101）：待办" in out and "企业承诺本周兑付" in out
    code, out, err = run("directive", "close", str(did), "--db", c, "--note", "已兑付", "--today", TODAY)
    assert code == 0 and "已销号" in out
    code, out, err = run("directive", "close", str(did), "--db", c, "--today", TODAY)
    assert code == 2 and "不能再销号" in err
    code, out, err = run("directive", "list", "--db", qs)
    assert code == 2 and "不是县级汇总数据库" in err


# -- refusals ---------------------------------------------------------------------------------------
def snapshot(town: Path) -> tuple:
    conn = sqlite3.connect(town)
    try:
        tables = tuple(conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
                       for t in ("action_item", "directive_received", "calendar_year", "blacklist_entry", "setting"))
        audit = conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    finally:
        conn.close()
    backups = town.with_name(town.name + ".backups")
    return tables, audit, sorted(p.name for p in backups.glob("*")) if backups.exists() else []


def rewrite(src: Path, out: Path, *, manifest=None, content=None, reseal: bool = True) -> Path:
    z = zipfile.ZipFile(src)
    m = json.loads(z.read(package.MANIFEST))
    data = z.read(package.CONTENT)
    if manifest:
        manifest(m)
    if content:
        data = content(data, m)
    if reseal:
        m = package.seal(m)
    with zipfile.ZipFile(out, "w") as w:
        w.writestr(package.MANIFEST, json.dumps(m, ensure_ascii=False))
        w.writestr(package.CONTENT, data)
    return out


def _set(path: str, value):
    def change(m):
        node = m
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[int(k)] if isinstance(node, list) else node[k]
        node[keys[-1]] = value
    return change


def _flip(data: bytes, _m) -> bytes:
    i = len(data) // 2
    return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]


def _extra_row(tmp: Path):
    """Content with one more 督办事项 than the manifest counts, re-hashed so only the count differs."""
    def change(data: bytes, m: dict) -> bytes:
        import hashlib
        p = tmp / "extra.sqlite"
        p.write_bytes(data)
        conn = sqlite3.connect(p)
        conn.execute("INSERT INTO directive VALUES ('x', '多出的事项', NULL, '2026-11-26', '', '督办中', NULL, '', '')")
        conn.commit()
        conn.close()
        raw = p.read_bytes()
        m["content"] = {"name": package.CONTENT, "bytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
        return raw
    return change


def _write(out: Path, data: bytes) -> Path:
    out.write_bytes(data)
    return out


REFUSALS = {
    "truncated": (lambda p, o, t: _write(o, p.read_bytes()[: p.stat().st_size // 2]), "不完整或已损坏"),
    "altered content": (lambda p, o, t: rewrite(p, o, content=_flip), "校验值"),
    "altered manifest": (lambda p, o, t: rewrite(p, o, manifest=_set("sequence", 9), reseal=False), "校验值"),
    "rows not as counted": (lambda p, o, t: rewrite(p, o, content=_extra_row(t)), "记录数与其数据不符"),
    "another county": (lambda p, o, t: rewrite(p, o, manifest=_set("county.name", "白云县")), "这是白云县的下发包"),
    "another county's code": (lambda p, o, t: rewrite(p, o, manifest=_set("county.code", "511299")),
                              "县代码 511299"),
    "another campaign": (lambda p, o, t: rewrite(p, o, manifest=_set("townships.0.campaign", "2025年根治欠薪专项行动")),
                         "专项行动"),
    "newer schema": (lambda p, o, t: rewrite(p, o, manifest=_set("schema_version", migrations.LATEST + 1)), "数据结构"),
    "newer format": (lambda p, o, t: rewrite(p, o, manifest=_set("format_version", package.FORMAT_VERSION + 1)), "包格式"),
    "a report package": (lambda p, o, t: rewrite(p, o, manifest=_set("kind", "report")), "不是县级下发包"),
}


@pytest.fixture
def dispatched(world, tmp_path) -> dict[str, Path]:
    """青山镇 has applied the county's first 下发包; the second and third are made."""
    c = world["county"]
    county_reference(c)
    with opened(c, "县办公室") as s:
        D.add_directive(s, "督促城东安置房项目兑付", ["青山镇"], TODAY + dt.timedelta(days=5), TODAY)
    send_down(c, tmp_path / "d1.qqpkg", SENT)
    with opened(c, "县办公室") as s:
        D.add_directive(s, "排查工资专户", [D.ALL], TODAY + dt.timedelta(days=9), TODAY)
    send_down(c, tmp_path / "d2.qqpkg", SENT + dt.timedelta(hours=1))
    send_down(c, tmp_path / "d3.qqpkg", SENT + dt.timedelta(hours=2))
    apply(world["511234101"], tmp_path / "d2.qqpkg")
    return {**world, "d1": tmp_path / "d1.qqpkg", "d2": tmp_path / "d2.qqpkg", "d3": tmp_path / "d3.qqpkg"}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_dispatch_packages_change_nothing(dispatched, case, tmp_path):
    make, words = REFUSALS[case]
    bad = make(dispatched["d3"], tmp_path / f"{case}.qqpkg", tmp_path)
    town = dispatched["511234101"]
    before = snapshot(town)
    with pytest.raises(PackageRefused) as exc:
        apply(town, bad)
    msg = str(exc.value)
    assert words in msg and "\n" not in msg, msg
    assert snapshot(town) == before


def test_older_or_equal_sequence_is_refused_and_the_same_package_twice_changes_nothing(dispatched, tmp_path):
    town = dispatched["511234101"]
    before = snapshot(town)
    with pytest.raises(PackageRefused, match="第 1 号下发包不新于已接收的第 2 号"):
        apply(town, dispatched["d1"])
    assert snapshot(town) == before
    other = rewrite(dispatched["d3"], tmp_path / "d2-other.qqpkg", manifest=_set("sequence", 2))
    with pytest.raises(PackageRefused, match="第 2 号下发包不新于"):
        apply(town, other)
    assert snapshot(town) == before
    again = apply(town, dispatched["d2"])
    assert again["already_applied"] is True and again["added"] == again["changed"] == 0 and again["backup"] is None
    assert snapshot(town) == before


def test_refused_on_the_command_line_with_one_line(dispatched, tmp_path, capsys):
    town = dispatched["511234101"]
    before = snapshot(town)
    bad = REFUSALS["another county"][0](dispatched["d3"], tmp_path / "foreign.qqpkg", tmp_path)
    code = main(["package", "import", str(bad), "--db", str(town), "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and "白云县" in err
    assert snapshot(town) == before


def test_a_county_database_does_not_apply_a_dispatch(dispatched):
    c = dispatched["county"]
    with opened(c, "县办公室") as s, pytest.raises(PackageRefused, match="县级汇总数据库"):
        apply_dispatch(s, dispatched["d3"])


def test_a_township_that_has_not_named_itself_is_refused(dispatched, tmp_path):
    """Without its name, code and county a township cannot tell whether a 下发包 is for it."""
    town = tmp_path / "unnamed.sqlite"
    demo.build_demo(town, "township", seed=7, today=TODAY, _cases=5, _workers=20)
    before = snapshot(town)
    with pytest.raises(PackageRefused, match="尚未设定乡镇名称"):
        apply(town, dispatched["d3"])
    assert snapshot(town) == before


def test_applying_is_one_transaction_after_a_backup(dispatched, monkeypatch):
    """A failure half-way (after the items are written) leaves the township as it was; the backup
    made first holds the database as it stood before the package."""
    from models.exchange import apply_dispatch as A
    town = dispatched["511234101"]
    tables, audit, kept = snapshot(town)

    def boom(*_a, **_k):
        raise RuntimeError("写入中断")
    monkeypatch.setattr(A, "_apply_thresholds", boom)
    with pytest.raises(RuntimeError):
        apply(town, dispatched["d3"])
    after = snapshot(town)
    assert after[0] == tables and after[1] == audit
    monkeypatch.undo()
    got = apply(town, dispatched["d3"])
    conn = sqlite3.connect(got["backup"])
    assert conn.execute("SELECT value FROM setting WHERE key = ?", (D.APPLIED_SEQUENCE,)).fetchone()[0] == "2"
    conn.close()
    assert got["sequence"] == 3 and got["tables"]["action_item"]["unchanged"] == 2


def test_a_report_whose_progress_differs_from_its_data_is_refused(dispatched, tmp_path):
    town, c = dispatched["511234101"], dispatched["county"]
    report(town, tmp_path / "r.qqpkg", SENT + dt.timedelta(hours=3))

    def claim_done(m):
        m["directives"]["items"][0]["status"] = "已办结"
    bad = rewrite(tmp_path / "r.qqpkg", tmp_path / "r-bad.qqpkg", manifest=claim_done)
    with pytest.raises(PackageRefused, match="督办事项进展与其数据不符"):
        receive(c, bad, SENT + dt.timedelta(hours=4))
    got = receive(c, tmp_path / "r.qqpkg", SENT + dt.timedelta(hours=4))
    assert got["sequence"] == 2
    with opened(c, "县办公室") as s:
        states = [t["state"] for d in D.directive_progress(s, TODAY) for t in d["townships"] if t["name"] == "青山镇"]
    assert states == ["待办", "待办"]


# -- the county's window ----------------------------------------------------------------------------
def test_directives_view_shows_progress_marks_late_ones_and_adds(world, tmp_path, qtbot):
    from desktop.app import register_font
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    from views.exchange.directives_view import ID_ROLE, RED_BG, DirectivesView
    register_font()
    c, qs = world["county"], world["511234101"]
    with opened(c, "县办公室") as s:
        late = D.add_directive(s, "督促城东安置房项目总包单位兑付农民工工资", [D.ALL], TODAY + dt.timedelta(days=2), TODAY)
        D.add_directive(s, "报送在建项目工资专户开设情况", ["青山镇"], TODAY + dt.timedelta(days=20), TODAY)
    send_down(c, tmp_path / "d1.qqpkg", SENT)
    apply(qs, tmp_path / "d1.qqpkg")
    with opened(qs, "镇办公室") as s:
        for it in M.open_items(s, TODAY):
            if it["source"] == "县督办":
                M.add_progress(s, it["id"], "已约谈总包单位，承诺月底前兑付", TODAY, "李四")
                if "工资专户" in it["content"]:
                    M.close_item(s, it["id"], TODAY + dt.timedelta(days=1), "已报送")
    report(qs, tmp_path / "r2.qqpkg", SENT + dt.timedelta(days=1))
    receive(c, tmp_path / "r2.qqpkg", SENT + dt.timedelta(days=1, hours=1))

    store = Store(c, "县办公室")
    try:
        ctx = AppContext(store=store, prefs=Prefs(tmp_path / "p.json"), bus=DataBus())
        ctx.today = lambda: TODAY + dt.timedelta(days=4)           # past the first item's deadline
        view = DirectivesView(ctx)
        qtbot.addWidget(view)
        view.resize(1100, 560)
        tree = view.tree
        assert tree.topLevelItemCount() == 2
        first = tree.topLevelItem(0)
        assert first.data(0, ID_ROLE) == late and first.childCount() == 2
        rows = {first.child(i).text(0): first.child(i) for i in range(2)}
        qs_row, bs_row = rows["青山镇（511234101）"], rows["白石镇（511234102）"]
        assert qs_row.text(2) == "逾期" and "承诺月底前兑付" in qs_row.text(3)
        assert bs_row.text(2).startswith(D.NOT_REPORTED)
        for row in (qs_row, bs_row):                                      # both late: red
            assert row.background(0).color() == RED_BG
        second = tree.topLevelItem(1).child(0)
        assert second.text(2) == "已办结" and second.background(0).color() != RED_BG
        assert "督办中 2 项，其中有乡镇逾期的 1 项" in view.note.text()
        view.show()
        view.grab().save(str(tmp_path / "directives_view.png"))

        # the form: a township must be chosen; then the item is added and listed
        view.content.setText("12月10日前报送欠薪线索排查台账")
        view.check_towns([])
        assert view.add() is None and "责任乡镇" in view.message.text()
        view.check_towns(["511234102"])
        view.set_due(TODAY + dt.timedelta(days=14))
        did = view.add()
        assert did is not None and tree.topLevelItemCount() == 3
        added = next(d for d in D.list_directives(store) if d["id"] == did)
        assert [t["name"] for t in added["townships"]] == ["白石镇"]
        assert added["due_date"] == (TODAY + dt.timedelta(days=14)).isoformat()
        # 销号 of the selected item
        tree.setCurrentItem(tree.topLevelItem(0))
        assert view.close_btn.isEnabled()
        assert view.close_selected(note="经核实已兑付")
        assert D.get_directive(store, late)["status"] == "已销号" and not view.close_btn.isEnabled()
    finally:
        store.close()


def test_a_new_calendar_from_the_county_moves_the_open_cases_deadlines(world, tmp_path):
    """The county's holiday calendar is applied as the 节假日安排 import applies it: open cases
    whose 办结时限 followed the old calendar move with the new one, through the case service."""
    c, qs = world["county"], world["511234101"]
    with opened(qs, "镇办公室") as s:
        before = {r["case_no"]: r["deadline"] for r in s.query(
            "SELECT case_no, deadline FROM case_record WHERE deleted_at IS NULL AND deadline_days > 0")}
    assert any(d > "2026-12-03" for d in before.values())
    with opened(c, "县办公室") as s:        # three more days off at the start of December
        save_calendar_year(s, 2026, "2026-10-01 至 2026-10-08 放假 国庆节\n2026-12-01 至 2026-12-03 放假\n")
    send_down(c, tmp_path / "d1.qqpkg", SENT)
    got = apply(qs, tmp_path / "d1.qqpkg")
    assert got["deadlines_moved"] > 0 and got["tables"]["calendar_year"]["changed"] + \
        got["tables"]["calendar_year"]["added"] == 1
    with opened(qs, "镇办公室") as s:
        after = {r["case_no"]: r["deadline"] for r in s.query(
            f"SELECT case_no, deadline FROM case_record WHERE case_no IN ({','.join('?' * len(before))})", list(before))}
        reasons = {r[0] for r in s.query("SELECT reason FROM audit_log WHERE table_name = 'case_record' "
                                         "AND action = 'update' AND after LIKE '%deadline%'")}
    moved = [n for n in before if after[n] != before[n]]
    assert len(moved) == got["deadlines_moved"] and all(after[n] > before[n] for n in moved)
    assert "按2026年节假日安排重算办结时限" in reasons


def test_a_damaged_package_is_named_as_such_on_either_database(dispatched, tmp_path, capsys):
    """The router cannot read the kind of a truncated file: whichever database it is imported into,
    the one line says the file is damaged, and nothing changes."""
    cut = tmp_path / "cut.qqpkg"
    cut.write_bytes(dispatched["d3"].read_bytes()[:600])
    town = dispatched["511234101"]
    before = snapshot(town)
    for db in (town, dispatched["county"]):
        code = main(["package", "import", str(cut), "--db", str(db)])
        out, err = capsys.readouterr()
        assert code == 2 and "数据包不完整或已损坏" in err and err.count("\n") == 1, err
    assert snapshot(town) == before
