"""The exchange on the command line: init (township and county), package export / import, and
figures on a county database, end to end through ``desktop.cli.main``."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import TODAY
from desktop.cli import main
from models import demo
from models.db import Store
from models.figures import DEFINITIONS, figures

NOW = f"{TODAY.isoformat()}T16:30:00"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def town(tmp_path):
    path = tmp_path / "town.sqlite"
    demo.build_demo(path, "township", seed=4, today=TODAY, _cases=25, _workers=200)
    return path


def test_init_export_import_and_county_figures(town, tmp_path, capsys, monkeypatch):
    c = tmp_path / "县级.sqlite"
    code, out, err = run(capsys, "init", "--db", c, "--level", "county", "--name", "青山县", "--code", "511234", "--json")
    assert code == 0 and json.loads(out)["level"] == "county", err
    code, _out, err = run(capsys, "init", "--db", c, "--level", "county", "--name", "青山县")
    assert code == 2 and "已有专项行动" in err and err.count("\n") == 1

    t2 = tmp_path / "新乡镇.sqlite"
    code, out, err = run(capsys, "init", "--db", t2, "--name", "2026年根治欠薪冬季专项行动", "--unit", "青山县白石镇人民政府",
                         "--start", "2026-10-01", "--township", "白石镇", "--code", "511234102", "--county", "青山县", "--json")
    assert code == 0 and json.loads(out) == {"db": str(t2), "level": "township", "name": "白石镇",
                                              "code": "511234102", "county": "青山县"}, err

    pkg = tmp_path / "青山镇-1.qqpkg"
    code, out, err = run(capsys, "package", "export", "--db", town, "--out", pkg, "--township", "青山镇", "--code",
                         "511234101", "--county", "青山县", "--county-code", "511234", "--json", "--now", NOW)
    assert code == 0, err
    sent = json.loads(out)
    assert (sent["kind"], sent["township"], sent["sequence"], sent["full_ids"]) == ("report", "青山镇", 1, False)

    code, out, err = run(capsys, "package", "import", pkg, "--db", c, "--json")
    assert code == 0, err
    got = json.loads(out)
    assert (got["kind"], got["township"], got["sequence"], got["changed"], got["unchanged"], got["conflicts"]) == \
           ("report", "青山镇", 1, 0, 0, [])
    assert got["added"] == sum(sent["counts"].values())
    code, out, err = run(capsys, "package", "import", pkg, "--db", c, "--json")
    again = json.loads(out)
    assert code == 0 and again["already_received"] is True and again["added"] == again["changed"] == 0

    # a second township, then the county's figures
    pkg2 = tmp_path / "白石镇-1.qqpkg"
    assert run(capsys, "package", "export", "--db", t2, "--out", pkg2, "--now", NOW)[0] == 0
    code, out, err = run(capsys, "package", "import", pkg2, "--db", c)
    assert code == 0 and "已接收白石镇第 1 号报送包" in out, err

    day = TODAY + dt.timedelta(days=1)
    code, out, err = run(capsys, "figures", "--db", c, "--json", "--today", day.isoformat())
    assert code == 0, err
    cj = json.loads(out)
    own = []
    for path in (town, t2):
        s = Store(path, read_only=True)
        own.append(dict(figures(s, TODAY).values))
        s.conn.close()
    assert [t["name"] for t in cj["townships"]] == ["青山镇", "白石镇"]
    for line, mine in zip(cj["townships"], own):
        assert {k: line[k] for k in DEFINITIONS} == mine and line["days_since_report"] == 1
    for k, d in DEFINITIONS.items():
        if d.unit != "%":
            assert cj[k] == own[0][k] + own[1][k]
    assert set(DEFINITIONS) <= set(cj) and cj["county"] == "青山县"
    code, out, err = run(capsys, "figures", "--db", c, "--today", day.isoformat())
    assert code == 0 and "青山县汇总（2 个乡镇" in out and "青山镇（511234101）" in out

    # refused: one line, exit 2
    code, out, err = run(capsys, "package", "import", pkg, "--db", t2)
    assert code == 2 and "不是县级汇总数据库" in err and err.count("\n") == 1 and out == ""
    cut = tmp_path / "cut.qqpkg"
    cut.write_bytes(pkg.read_bytes()[:5000])
    code, out, err = run(capsys, "package", "import", cut, "--db", c, "--json")
    assert code == 2 and "不完整或已损坏" in err and err.count("\n") == 1 and out == ""
    # export on a county database makes its 下发包 (county → townships), not a 报送包
    code, out, err = run(capsys, "package", "export", "--db", c, "--out", tmp_path / "x.qqpkg", "--json")
    assert code == 0, err
    down = json.loads(out)
    assert (down["kind"], down["county"], down["sequence"]) == ("dispatch", "青山县", 1)
    assert [t["name"] for t in down["townships"]] == ["青山镇", "白石镇"]
    code, _o, err = run(capsys, "package", "export", "--db", c, "--out", tmp_path / "y.qqpkg", "--full-ids")
    assert code == 2 and "下发包" in err and "--full-ids" in err


def test_an_account_is_needed_once_the_county_has_accounts(town, tmp_path, capsys, monkeypatch):
    c = tmp_path / "c.sqlite"
    assert run(capsys, "init", "--db", c, "--level", "county", "--name", "青山县")[0] == 0
    monkeypatch.setenv("QINGQIAN_PASSWORD", "县办公室的密码1")
    assert run(capsys, "user", "add", "县办", "--role", "办公室", "--db", c)[0] == 0
    pkg = tmp_path / "p.qqpkg"
    assert run(capsys, "package", "export", "--db", town, "--out", pkg, "--township", "青山镇", "--code",
               "511234101", "--county", "青山县", "--now", NOW)[0] == 0
    monkeypatch.delenv("QINGQIAN_PASSWORD")
    code, _o, err = run(capsys, "package", "import", pkg, "--db", c)
    assert code == 2 and "--user" in err
    monkeypatch.setenv("QINGQIAN_PASSWORD", "不对的密码")
    code, _o, err = run(capsys, "package", "import", pkg, "--db", c, "--user", "县办")
    assert code == 2 and "登录失败" in err
    monkeypatch.setenv("QINGQIAN_PASSWORD", "县办公室的密码1")
    code, out, err = run(capsys, "package", "import", pkg, "--db", c, "--user", "县办", "--json")
    assert code == 0 and json.loads(out)["sequence"] == 1, err
    s = Store(c, read_only=True)
    row = s.one("SELECT user, after FROM audit_log WHERE action = 'receive'")
    s.conn.close()
    assert row["user"] == "县办" and json.loads(row["after"])["乡镇"] == "青山镇"
