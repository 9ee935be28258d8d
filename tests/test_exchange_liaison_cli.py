"""The liaison round trip on the command line: package export --workstream (office), package
import of the copy (the liaison's database and account), package export --for office (the
liaison), package import of the return (exit 1 with a clash), package decide, and refusals."""
from __future__ import annotations

import json
import shutil

import pytest

from conftest import TODAY
from desktop.cli import main
from models import access, demo
from models.db import Store
from models.ledger.service import service_for

NOW = f"{TODAY.isoformat()}T16:30:00"
WS = "欠薪化解专班"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def office_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("office") / "office.sqlite"
    demo.build_demo(path, "township", seed=5, today=TODAY, _cases=25, _workers=200)
    s = Store(path, "测试")
    access.create_account(s, "office", "secret1", "办公室", "王主任")
    s.close()
    return path


def a_case(s: Store) -> int:
    return s.scalar("SELECT c.id FROM case_record c JOIN workstream w ON w.id = c.workstream_id "
                    "WHERE w.name = ? AND c.deleted_at IS NULL ORDER BY c.id LIMIT 1", (WS,))


def test_liaison_round_trip_on_the_command_line(office_template, tmp_path, capsys, monkeypatch):
    office = tmp_path / "办公室.sqlite"
    shutil.copyfile(office_template, office)
    copy, li, ret = tmp_path / "副本.qqpkg", tmp_path / "联络员.sqlite", tmp_path / "回报.qqpkg"

    monkeypatch.setenv("QINGQIAN_PASSWORD", "secret1")
    code, out, err = run(capsys, "package", "export", "--db", office, "--out", copy, "--workstream", WS,
                         "--user", "office", "--json", "--now", NOW)
    assert code == 0, err
    made = json.loads(out)
    assert (made["kind"], made["workstream"], made["sequence"]) == ("liaison_copy", WS, 1)
    code, _out, err = run(capsys, "package", "export", "--db", office, "--out", tmp_path / "x.qqpkg",
                          "--workstream", "没有这个专班", "--user", "office")
    assert code == 2 and "没有名为“没有这个专班”的专班" in err and err.count("\n") == 1

    monkeypatch.setenv("QINGQIAN_PASSWORD", "secret9")
    code, _out, err = run(capsys, "package", "import", copy, "--db", li)
    assert code == 2 and "--user" in err
    code, out, err = run(capsys, "package", "import", copy, "--db", li, "--user", "zhang", "--json")
    assert code == 0, err
    assert json.loads(out)["workstream"] == WS

    s = Store(li)
    s.actor = access.login(s, "zhang", "secret9")
    case = a_case(s)
    service_for(s, "cases").update(case, {"notes": "联络员的备注"})
    s.close()
    # the liaison cannot make a copy, and only the liaison's account makes the return
    code, _out, err = run(capsys, "package", "export", "--db", li, "--out", tmp_path / "y.qqpkg", "--workstream", WS,
                          "--user", "zhang")
    assert code == 2 and "须由办公室账号执行" in err
    code, out, err = run(capsys, "package", "export", "--db", li, "--out", ret, "--for", "office", "--user", "zhang",
                         "--json", "--now", NOW)
    assert code == 0, err
    assert json.loads(out)["changes"] == {"case_record": 1}

    s = Store(office)
    s.actor = access.login(s, "office", "secret1")
    service_for(s, "cases").update(case, {"notes": "办公室的备注"})
    s.close()

    monkeypatch.setenv("QINGQIAN_PASSWORD", "secret1")
    code, out, err = run(capsys, "package", "import", ret, "--db", office, "--user", "office", "--json", "--now", NOW)
    assert code == 1, err
    got = json.loads(out)
    assert (got["kind"], got["workstream"], got["sequence"], got["added"], got["changed"], got["unchanged"]) == \
           ("liaison_return", WS, 1, 0, 0, 0)
    [clash] = got["conflicts"]
    assert [(f["label"], f["office"], f["liaison"]) for f in clash["fields"]] == [("备注", "办公室的备注", "联络员的备注")]

    code, out, err = run(capsys, "package", "decide", "--db", office, "--list")
    assert code == 1, err
    assert "备注：办公室“办公室的备注” ｜ 联络员“联络员的备注”（双方改得不同）" in out and "待裁定冲突 1 条" in out
    code, _out, err = run(capsys, "package", "decide", "--db", office, "--clash", clash["id"])
    assert code == 2 and "--keep" in err
    code, out, err = run(capsys, "package", "decide", "--db", office, "--clash", clash["id"], "--keep", "liaison",
                         "--user", "office", "--json")
    assert code == 0, err
    assert json.loads(out)["decided"][0]["decision"] == "liaison" and json.loads(out)["open"] == []
    s = Store(office)
    try:
        assert s.scalar("SELECT notes FROM case_record WHERE id = ?", (case,)) == "联络员的备注"
        assert s.scalar("SELECT user FROM audit_log WHERE table_name = 'case_record' AND action = 'update' "
                        "AND record_id = ? ORDER BY id DESC LIMIT 1", (case,)) == "zhang（回报包）"
        audit_rows = s.scalar("SELECT COUNT(*) FROM audit_log")
    finally:
        s.close()

    # the same return again: refused in one line, nothing changed
    code, out, err = run(capsys, "package", "import", ret, "--db", office, "--user", "office", "--json")
    assert code == 2 and "此前已应用" in err and err.count("\n") == 1 and out == ""
    s = Store(office)
    try:
        assert s.scalar("SELECT COUNT(*) FROM audit_log") == audit_rows
    finally:
        s.close()
