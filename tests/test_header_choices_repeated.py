"""Two columns with the same header text (D and F both 应发工资): a choice made for one of them
by its letter is that column's only, the program's advice is one it accepts, and a layout
remembered from such a choice never leaves the other column's money out."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from desktop.cli import main as cli
from models.io.header import find_header, user_choices, ChoiceProblem
from models.io.importer import commit_import, plan_import
from models.io.reading import UnusableFile
from models.ledger import registry
from models.ledger.service import service_for
from models.rules.idcard import make_valid_id

HEAD = ["序号", "姓名", "身份证号码", "应发工资", "实发工资", "应发工资"]


def _ids(n: int) -> list[str]:
    return [make_valid_id("511921", dt.date(1980, 1, 1) + dt.timedelta(days=i), i % 900 + 1) for i in range(n)]


def _roster(path: Path, names: list[str], owed=3000, other=1) -> Path:
    ids = _ids(len(names))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEAD] + [[i + 1, n, ids[i], owed, 0, other] for i, n in enumerate(names)])
    return path


@pytest.fixture
def case(campaign_store):
    service_for(campaign_store, "cases").insert({"case_no": "C-1", "registered_on": "2026-11-01"})
    return campaign_store


def _owed(store) -> list[tuple]:
    return [tuple(r) for r in store.query("SELECT name, owed_fen FROM worker WHERE deleted_at IS NULL ORDER BY id")]


def test_a_column_chosen_by_letter_is_that_column_only(case, tmp_path):
    f = _roster(tmp_path / "花名册.csv", ["张三", "李四", "王五"])
    plan = plan_import(case, f, "workers", case_no="C-1")
    assert [u["letter"] for u in plan.blocking] == ["F"]
    # the advice names the column by its letter, and the program takes that advice
    assert "--ignore 'F'" in plan.fatal and "--ignore '应发工资'" not in plan.fatal
    with pytest.raises(UnusableFile, match="D、F 列.*请用列字母"):
        plan_import(case, f, "workers", case_no="C-1", ignores=["应发工资"])
    for choice in ({"ignores": ["F"]}, {"maps": ["F=不导入"]}, {"ignores": ["F列"]}):
        plan = plan_import(case, f, "workers", case_no="C-1", **choice)
        cols = {c.letter: (c.field, c.how) for c in plan.header.columns}
        assert cols["D"] == ("owed_fen", "auto") and cols["F"] == (None, "ignored"), choice
        assert not plan.fatal and plan.unmapped == []
        assert [(u["letter"], u["header"]) for u in plan.ignored] == [("F", "应发工资")]
    result = commit_import(case, plan)
    assert result["imported"] and result["totals"]["fields"]["owed_fen"] == 900000
    assert _owed(case) == [("张三", 300000), ("李四", 300000), ("王五", 300000)]


def test_the_remembered_layout_keeps_the_other_column(case, tmp_path):
    f = _roster(tmp_path / "一.csv", ["张三", "李四", "王五"])
    commit_import(case, plan_import(case, f, "workers", case_no="C-1", ignores=["F"]))
    # a later file of the same layout, no choices: D is 应发工资 again, F left out as chosen (and said)
    g = _roster(tmp_path / "二.csv", ["张三", "李四", "王五", "赵六", "钱七"], owed=5000)
    plan = plan_import(case, g, "workers", case_no="C-1")
    cols = {c.letter: (c.field, c.how) for c in plan.header.columns}
    assert cols["D"][0] == "owed_fen" and cols["F"] == (None, "ignored")
    assert [u["letter"] for u in plan.ignored] == ["F"] and not plan.fatal
    commit_import(case, plan)
    assert [o for _, o in _owed(case)] == [500000] * 5


def test_a_mapping_remembered_by_header_text_alone_is_not_applied_to_repeated_columns(case, tmp_path):
    """What an earlier version remembered after `--ignore F`: {"应发工资": 不导入} for the layout.
    It no longer reaches either column; the import stops again to ask about F."""
    f = _roster(tmp_path / "花名册.csv", ["张三", "李四"])
    old_signature = hashlib.sha1("\x1f".join(HEAD).encode("utf-8")).hexdigest()
    case.set_setting("import_mapping:" + old_signature,
                     {"workers": {"序号": "", "姓名": "name", "身份证号码": "id_number", "应发工资": "-",
                                  "实发工资": "paid_fen"}})
    plan = plan_import(case, f, "workers", case_no="C-1")
    assert {c.letter: c.field for c in plan.header.columns}["D"] == "owed_fen"
    assert [u["letter"] for u in plan.blocking] == ["F"]


def test_repeated_columns_have_keys_of_their_own(case):
    ledger = registry.get("workers")
    h = find_header([HEAD], [], ledger)
    keys = [c.key for c in h.columns]
    assert keys == ["序号", "姓名", "身份证号码", "应发工资（D列）", "实发工资", "应发工资（F列）"]
    assert [c.title for c in h.columns] == HEAD
    assert user_choices(h, ledger, ignores=["F"]) == {"应发工资（F列）": "-"}
    assert user_choices(h, ledger, maps=["应发工资（D列）=实发工资"]) == {"应发工资（D列）": "paid_fen"}
    assert len(h.mapping()) == 6                        # one entry a column: none overwrites another
    with pytest.raises(ChoiceProblem, match="请用列字母"):
        user_choices(h, ledger, maps=["应发工资=应发工资"])


def test_the_command_lines_advice_is_taken(case, tmp_path, capsys):
    f = _roster(tmp_path / "花名册.csv", ["张三", "李四", "王五"])
    db = str(case.path)
    case.close()
    code = cli(["import", str(f), "--db", db, "--kind", "workers", "--case", "C-1"])
    err = capsys.readouterr().err
    assert code == 2 and "--ignore 'F'" in err
    code = cli(["import", str(f), "--db", db, "--kind", "workers", "--case", "C-1", "--ignore", "应发工资"])
    err = capsys.readouterr().err
    assert code == 2 and "D、F 列" in err
    code = cli(["import", str(f), "--db", db, "--kind", "workers", "--case", "C-1", "--ignore", "F", "--json"])
    j = json.loads(capsys.readouterr().out)
    assert code == 0 and j["totals"]["fields"]["owed_fen"] == 900000
    assert [u["letter"] for u in j["ignored"]] == ["F"] and j["unmapped"] == []
