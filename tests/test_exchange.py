"""报送包, township → county: three demo townships send their packages to a county; the county's
figures and each township's line are checked against the townships' own figures, in two rounds
(the second after a repayment in one township); every refused package changes nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from conftest import TODAY
from models import campaign, demo, migrations
from models.db import Store
from models.exchange import PackageRefused, county, identity, package
from models.exchange.export import export_package
from models.exchange.receive import receive_package, townships_dir
from models.figures import DEFINITIONS, figures
from models.ledger.service import service_for
from models.ledger.repo import trigram_match

TOWNS = [(1, "青山镇", "511234101"), (2, "白石镇", "511234102"), (3, "河口乡", "511234103")]
SENT = dt.datetime.combine(TODAY, dt.time(17, 0))
COUNTY_DAY = TODAY + dt.timedelta(days=2)


def make_town(path: Path, seed: int, name: str, code: str) -> Path:
    demo.build_demo(path, "township", seed=seed, today=TODAY, _cases=30, _workers=300)
    s = Store(path, "测试")
    try:
        identity.set_township(s, name=name, code=code, county_name="青山县", county_code="511234")
    finally:
        s.close()
    return path


def make_county(path: Path, name: str = "青山县", code: str = "511234", only: str = "") -> Path:
    s = Store(path, "县办公室")
    try:
        campaign.create_campaign(s, f"{name}根治欠薪专项行动汇总", f"{name}根治欠薪办", dt.date(2026, 9, 1))
        identity.set_county(s, name=name, code=code, campaign=only)
    finally:
        s.close()
    return path


@pytest.fixture(scope="module")
def towns(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("towns")
    return {code: make_town(root / f"{code}.sqlite", seed, name, code) for seed, name, code in TOWNS}


def own_figures(path: Path, day: dt.date = TODAY) -> dict:
    s = Store(path, read_only=True)
    try:
        return dict(figures(s, day).values)
    finally:
        s.conn.close()


def export(path: Path, out: Path, *, now: dt.datetime = SENT, full_ids: bool = False) -> dict:
    s = Store(path, "镇办公室")
    try:
        return export_package(s, out, now=now, full_ids=full_ids)
    finally:
        s.close()


def receive(county_db: Path, pkg: Path, now: dt.datetime | None = None) -> dict:
    s = Store(county_db, "县办公室")
    try:
        return receive_package(s, pkg, now=now or SENT + dt.timedelta(hours=1))
    finally:
        s.close()


def county_now(county_db: Path, day: dt.date = COUNTY_DAY) -> county.CountyFigures:
    s = Store(county_db, "县办公室")
    try:
        return county.county_figures(s, day)
    finally:
        s.close()


def check_roll_up(cf: county.CountyFigures, own: dict[str, dict]) -> None:
    """Each township's line is its own figures; the county total is their sum (rates from the sums)."""
    assert [t["code"] for t in cf.townships] == sorted(own)
    for line in cf.townships:
        mine = own[line["code"]]
        assert {k: line[k] for k in DEFINITIONS} == mine
    for k, d in DEFINITIONS.items():
        if d.unit == "%":
            continue
        assert cf.totals[k] == sum(o[k] for o in own.values()), k
    paid, owed = sum(o["paid_fen"] for o in own.values()), sum(o["owed_fen"] for o in own.values())
    assert cf.totals["cleared_pct"] == round(100.0 * paid / owed, 1)
    cases = sum(o["cases"] for o in own.values())
    assert cf.totals["closed_pct"] == round(100.0 * sum(o["closed_cases"] for o in own.values()) / cases, 2)


def test_three_townships_two_rounds(towns, tmp_path):
    c = make_county(tmp_path / "county.sqlite")
    own = {code: own_figures(p) for code, p in towns.items()}
    assert len({o["paid_fen"] for o in own.values()}) == 3          # three different townships
    for code, path in towns.items():
        r = export(path, tmp_path / f"{code}-1.qqpkg")
        assert r["sequence"] == 1
        got = receive(c, tmp_path / f"{code}-1.qqpkg")
        assert (got["township"], got["sequence"], got["changed"], got["unchanged"]) == \
               (dict((x[2], x[1]) for x in TOWNS)[code], 1, 0, 0)
        assert got["added"] == sum(json.load(zipfile.ZipFile(tmp_path / f"{code}-1.qqpkg").open("manifest.json"))
                                   ["counts"].values())
    cf = county_now(c)
    check_roll_up(cf, own)
    assert [t["days_since_report"] for t in cf.townships] == [2, 2, 2]
    assert len(list(townships_dir(c).glob("*.sqlite"))) == 3

    # round two: a repayment in 白石镇, through the ledger's write service
    town = towns["511234102"]
    s = Store(town, "镇办公室")
    try:
        w = s.one("SELECT w.id, w.case_id, w.owed_fen - w.paid_fen AS left FROM worker w JOIN case_record c "
                  "ON c.id = w.case_id WHERE c.status = '化解中' AND c.deleted_at IS NULL AND w.deleted_at IS NULL "
                  "AND w.owed_fen > w.paid_fen ORDER BY w.id LIMIT 1")
        service_for(s, "repayments", today=TODAY).insert(
            {"case_id": w["case_id"], "worker_id": w["id"], "paid_on": TODAY.isoformat(),
             "amount_fen": w["left"], "payer": "总包单位", "channel": "总包先行清偿"})
    finally:
        s.close()
    before = own["511234102"]
    own["511234102"] = own_figures(town)
    assert own["511234102"]["paid_fen"] == before["paid_fen"] + w["left"]
    later = SENT + dt.timedelta(days=1)
    assert export(town, tmp_path / "bs-2.qqpkg", now=later)["sequence"] == 2
    own["511234102"] = own_figures(town, later.date())
    got = receive(c, tmp_path / "bs-2.qqpkg", now=later)
    assert got["sequence"] == 2 and got["added"] >= 1 and got["changed"] >= 2 and got["unchanged"] > 0
    assert got["tables"]["repayment"]["added"] == 1 and got["tables"]["worker"]["changed"] == 1
    cf = county_now(c)
    check_roll_up(cf, own)
    line = next(t for t in cf.townships if t["code"] == "511234102")
    assert (line["sequence"], line["days_since_report"]) == (2, 1)
    assert len(list(townships_dir(c).glob("511234102-*.sqlite"))) == 1      # the older copy replaced


def test_rates_of_the_county_are_those_of_models_figures(towns):
    """The county recomputes every rate from summed amounts; applied to one township's own
    amounts it gives that township's rate, so the two definitions cannot drift apart."""
    assert set(county.RATES) == {k for k, d in DEFINITIONS.items() if d.unit == "%"}
    for path in towns.values():
        mine = own_figures(path)
        for k in county.RATES:
            assert county.rate(mine, k) == mine[k], k


def _content(pkg: Path, tmp: Path) -> Path:
    out = tmp / f"{pkg.stem}-content.sqlite"
    out.write_bytes(zipfile.ZipFile(pkg).read(package.CONTENT))
    return out


def test_numbers_travel_masked_unless_full_ids_chosen(towns, tmp_path):
    path = towns["511234103"]
    s = Store(path, read_only=True)
    full = [tuple(r) for r in s.query("SELECT id_number, phone, bank_card FROM worker WHERE id_number != '' "
                                      "ORDER BY id LIMIT 5")]
    s.conn.close()
    from models.rules.idcard import mask_bank_card, mask_id, mask_phone
    export(path, tmp_path / "masked.qqpkg")
    data = _content(tmp_path / "masked.qqpkg", tmp_path)
    raw = data.read_bytes()
    assert not any(n.encode() in raw for n in full[0])       # not even in free pages or the search index
    conn = sqlite3.connect(data)
    sent = conn.execute("SELECT id_number, phone, bank_card FROM worker WHERE id_number != '' ORDER BY id LIMIT 5").fetchall()
    assert sent == [(mask_id(i), mask_phone(p), mask_bank_card(b)) for i, p, b in full]
    assert conn.execute("SELECT COUNT(*) FROM worker_fts WHERE worker_fts MATCH ?", (trigram_match(full[0][0][-8:]),)).fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM account WHERE pw_hash NOT LIKE '（%'").fetchone()[0] == 0
    conn.close()
    manifest = json.loads(zipfile.ZipFile(tmp_path / "masked.qqpkg").read("manifest.json"))
    assert manifest["full_ids"] is False

    export(path, tmp_path / "full.qqpkg", full_ids=True, now=SENT + dt.timedelta(minutes=5))
    conn = sqlite3.connect(_content(tmp_path / "full.qqpkg", tmp_path))
    assert [tuple(r) for r in conn.execute("SELECT id_number, phone, bank_card FROM worker WHERE id_number != '' "
                                           "ORDER BY id LIMIT 5")] == full
    conn.close()
    assert json.loads(zipfile.ZipFile(tmp_path / "full.qqpkg").read("manifest.json"))["full_ids"] is True
    s = Store(path, read_only=True)
    rows = [dict(r) for r in s.query("SELECT action, table_name, after, reason FROM audit_log "
                                     "WHERE action IN ('export', 'reveal') ORDER BY id DESC LIMIT 2")]
    s.conn.close()
    assert rows[0]["action"] == "reveal" and "full.qqpkg" in rows[0]["after"]
    assert json.loads(rows[1]["after"])["完整号码"] is True and rows[1]["action"] == "export"


# -- refusals --------------------------------------------------------------------------------------
def snapshot(county_db: Path) -> tuple:
    conn = sqlite3.connect(county_db)
    try:
        reg = conn.execute("SELECT * FROM exchange_township ORDER BY code").fetchall()
        audit = conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    finally:
        conn.close()
    files = sorted(p.name for p in townships_dir(county_db).glob("*")) if townships_dir(county_db).exists() else []
    backups = county_db.with_name(county_db.name + ".backups")
    kept = sorted(p.name for p in backups.glob("*")) if backups.exists() else []
    return reg, audit, files, kept


def rewrite(src: Path, out: Path, *, manifest=None, content=None, reseal: bool = True) -> Path:
    z = zipfile.ZipFile(src)
    m = json.loads(z.read(package.MANIFEST))
    data = z.read(package.CONTENT)
    if manifest:
        manifest(m)
    if content:
        data = content(data)
    if reseal:
        m = package.seal(m)
    with zipfile.ZipFile(out, "w") as w:
        w.writestr(package.MANIFEST, json.dumps(m, ensure_ascii=False))
        w.writestr(package.CONTENT, data)
    return out


@pytest.fixture(scope="module")
def sent(towns, tmp_path_factory) -> dict[str, Path]:
    """A county that holds 青山镇's second package, and packages to try on it."""
    root = tmp_path_factory.mktemp("sent")
    qs = towns["511234101"]
    p1 = root / "qs-1.qqpkg"
    export(qs, p1, now=SENT - dt.timedelta(days=3))
    p2 = root / "qs-2.qqpkg"
    export(qs, p2, now=SENT - dt.timedelta(days=2))
    p3 = root / "qs-3.qqpkg"
    export(qs, p3, now=SENT - dt.timedelta(days=1))
    c = make_county(root / "county.sqlite")
    receive(c, p2)
    other = root / "hk.qqpkg"
    export(towns["511234103"], other, now=SENT - dt.timedelta(days=2))
    return {"county": c, "p1": p1, "p2": p2, "p3": p3, "other": other, "root": root}


def seq(pkg: Path) -> int:
    return json.loads(zipfile.ZipFile(pkg).read(package.MANIFEST))["sequence"]


def _set(path: str, value):
    def change(m):
        node = m
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value(node[keys[-1]]) if callable(value) else value
    return change


def _write(out: Path, data: bytes) -> Path:
    out.write_bytes(data)
    return out


def _flip(data: bytes) -> bytes:
    i = len(data) // 2
    return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]


def _bad_deflate(pkg: Path, out: Path) -> Path:
    """The content's compressed stream made invalid (its first block of a reserved type): the
    archive's index is whole, reading the member fails inside zlib, not at the checksum."""
    raw = bytearray(pkg.read_bytes())
    with zipfile.ZipFile(pkg) as z:
        info = z.getinfo(package.CONTENT)
    assert info.compress_type == zipfile.ZIP_DEFLATED
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start] = 0x07                   # BFINAL 1, BTYPE 11: "invalid block type"
    return _write(out, bytes(raw))


REFUSALS = {
    "damaged compressed data": (_bad_deflate, "不完整或已损坏"),
    "truncated": (lambda p, o: _write(o, p.read_bytes()[: p.stat().st_size // 2]), "不完整或已损坏"),
    "altered content": (lambda p, o: rewrite(p, o, content=_flip), "校验值"),
    "altered manifest": (lambda p, o: rewrite(p, o, manifest=_set("sequence", 9), reseal=False), "校验值"),
    "altered figures": (lambda p, o: rewrite(p, o, manifest=_set("figures.paid_fen", lambda v: v + 100)), "数字与其数据不符"),
    "another county": (lambda p, o: rewrite(p, o, manifest=_set("county.name", "白云县")), "不是报给青山县"),
    "code of another county": (lambda p, o: rewrite(p, o, manifest=_set("township.code", "511299101")), "不属于青山县"),
    "another campaign": (lambda p, o: rewrite(p, o, manifest=_set("campaign.name", "2025年根治欠薪专项行动")), "专项行动"),
    "another township's name": (lambda p, o: rewrite(p, o, manifest=_set("township.name", "白石镇")), "已登记为青山镇"),
    "a registered name under another code": (lambda p, o: rewrite(p, o, manifest=_set("township.name", "青山镇")),
                                             "青山镇已以乡镇代码 511234101 登记"),
    "newer schema": (lambda p, o: rewrite(p, o, manifest=_set("schema_version", migrations.LATEST + 1)), "数据结构"),
    "newer format": (lambda p, o: rewrite(p, o, manifest=_set("format_version", package.FORMAT_VERSION + 1)), "包格式"),
    "another kind": (lambda p, o: rewrite(p, o, manifest=_set("kind", "dispatch")), "下发包"),
    "not a package": (lambda p, o: _write(o, b"SQLite format 3\x00" + b"\x00" * 4000), "不完整或已损坏"),
    "a line figure missing": (lambda p, o: rewrite(p, o, manifest=lambda m: m["figures"].pop("owed_fen")), "缺少"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_packages_change_nothing(sent, case, tmp_path):
    make, words = REFUSALS[case]
    # a package the county would take (青山镇's next one, or a township it has not heard from) but for the fault
    src = sent["other"] if case == "a registered name under another code" else sent["p3"]
    bad = make(src, tmp_path / f"{case}.qqpkg")
    c = sent["county"]
    before = snapshot(c)
    with pytest.raises(PackageRefused) as exc:
        receive(c, bad)
    msg = str(exc.value)
    assert words in msg and "\n" not in msg
    assert snapshot(c) == before


def test_older_or_equal_sequence_is_refused(sent):
    c = sent["county"]
    before = snapshot(c)
    one, two = seq(sent["p1"]), seq(sent["p2"])
    assert two == one + 1
    with pytest.raises(PackageRefused, match=f"第 {one} 号报送包不新于已接收的第 {two} 号"):
        receive(c, sent["p1"])
    assert snapshot(c) == before
    # the same number with other content (a township database restored from a backup and sent again)
    again = rewrite(sent["p1"], sent["root"] / "qs-2-other.qqpkg", manifest=_set("sequence", two))
    with pytest.raises(PackageRefused, match=f"第 {two} 号报送包不新于"):
        receive(c, again)
    assert snapshot(c) == before


def test_the_same_package_twice_changes_nothing(sent):
    c = sent["county"]
    before = snapshot(c)
    got = receive(c, sent["p2"])
    assert got["already_received"] is True and got["added"] == got["changed"] == 0 and got["backup"] is None
    assert snapshot(c) == before


def test_a_county_that_collects_one_campaign_refuses_another(sent, tmp_path):
    c = make_county(tmp_path / "c2.sqlite", only="2025年根治欠薪冬季专项行动")
    before = snapshot(c)
    with pytest.raises(PackageRefused, match="本县汇总的是“2025年根治欠薪冬季专项行动”"):
        receive(c, sent["p2"])
    assert snapshot(c) == before


def test_a_township_database_receives_nothing(sent, towns):
    s = Store(towns["511234102"], "镇办公室")
    try:
        with pytest.raises(PackageRefused, match="不是县级汇总数据库"):
            receive_package(s, sent["p2"])
    finally:
        s.close()


def test_applying_makes_a_backup_first_and_replaces_the_older_copy(sent, tmp_path):
    c = make_county(tmp_path / "c3.sqlite")
    receive(c, sent["p1"])
    first = snapshot(c)
    got = receive(c, sent["p2"])
    kept = Path(got["backup"])
    conn = sqlite3.connect(kept)
    one, two = seq(sent["p1"]), seq(sent["p2"])
    assert conn.execute("SELECT sequence FROM exchange_township").fetchall() == [(one,)]   # as it was before
    conn.close()
    reg, audit, files, kept_all = snapshot(c)
    assert files == [f"511234101-{two:06d}.sqlite"] and first[2] == [f"511234101-{one:06d}.sqlite"]
    assert audit == first[1] + 1 and len(kept_all) == 2          # a backup before each package
    conn = sqlite3.connect(c)
    row = conn.execute("SELECT after FROM audit_log WHERE action = 'receive' ORDER BY id DESC").fetchone()
    conn.close()
    assert json.loads(row[0])["序号"] == two
    assert hashlib.sha256((townships_dir(c) / files[0]).read_bytes()).hexdigest() == \
        json.loads(zipfile.ZipFile(sent["p2"]).read("manifest.json"))["content"]["sha256"]


def test_a_package_of_an_older_schema_is_upgraded_in_the_copy_and_received(sent, tmp_path):
    """A township still on the previous version of the program: its database is brought up to
    this program's schema in the county's copy (never in the package), then received."""
    data = _content(sent["p3"], tmp_path)
    conn = sqlite3.connect(data)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST - 1}")
    conn.close()
    raw = data.read_bytes()

    def older(m):
        m["schema_version"] = migrations.LATEST - 1
        m["content"] = {"name": package.CONTENT, "bytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    pkg = rewrite(sent["p3"], tmp_path / "older.qqpkg", manifest=older, content=lambda _d: raw)
    c = make_county(tmp_path / "c4.sqlite")
    got = receive(c, pkg)
    assert got["sequence"] == seq(sent["p3"]) and got["already_received"] is False
    files = sorted(p.name for p in townships_dir(c).iterdir())
    assert files == [f"511234101-{seq(sent['p3']):06d}.sqlite"]            # no upgrade copy left behind
    assert migrations.version_of(townships_dir(c) / files[0]) == migrations.LATEST


def test_a_package_of_an_earlier_program_without_a_newer_figure_is_received(sent, tmp_path):
    """日报告未报 came with a later version: a package without it is received, and the county
    shows "—" for it rather than refusing the township's report."""
    pkg = rewrite(sent["p3"], tmp_path / "earlier.qqpkg", manifest=lambda m: m["figures"].pop("daily_missing"))
    c = make_county(tmp_path / "c5.sqlite")
    got = receive(c, pkg)
    assert got["already_received"] is False
    line = county_now(c).townships[0]
    assert "daily_missing" not in line and line["cases"] == json.loads(
        zipfile.ZipFile(sent["p3"]).read(package.MANIFEST))["figures"]["cases"]
