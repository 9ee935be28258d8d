"""The command line speaks Chinese: argparse's own headings are translated, and every option of
every command says in a sentence what it does."""
from __future__ import annotations

import argparse
import re

import pytest

from desktop import cli


def _commands():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return parser, sub.choices


def test_every_option_of_every_command_has_a_chinese_sentence():
    parser, commands = _commands()
    missing = []
    for name, p in [("qingqian", parser), *commands.items()]:
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            text = action.help or ""
            if action.help == argparse.SUPPRESS:
                continue
            if not re.search(r"[\u4e00-\u9fff]", text):
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


@pytest.mark.parametrize("args", [["--help"], ["import", "--help"], ["report", "--help"], ["restore", "--help"]])
def test_help_has_no_english_headings(args, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：qingqian")
    for english in ("usage:", "positional arguments", "options:", "show this help message"):
        assert english not in out
    assert "显示本帮助并退出" in out


def test_every_list_command_gives_one_json_object(demo_db, capsys):
    """The contract (--json: one JSON object on standard output): a list comes as its rows and
    their count, never as a bare array."""
    import json
    from desktop.cli import main
    for argv in (["fund", "list"], ["meeting", "list"], ["user", "list"], ["holidays", "list"],
                 ["recycle", "list"], ["employer", "list"], ["project", "list"], ["contract", "list"],
                 ["inspection", "list"], ["asset", "list"], ["advance", "list"], ["signoff", "status"]):
        code = main(argv + ["--db", str(demo_db), "--json"])
        out = capsys.readouterr().out
        got = json.loads(out)
        assert code == 0 and isinstance(got, dict) and got["count"] == len(got["rows"]), argv


def test_an_output_into_a_folder_that_does_not_exist_is_refused_not_made(demo_db, tmp_path, capsys):
    """--out / --to write the file named and nothing else: a mistyped folder is said, not made."""
    from desktop.cli import main
    missing = tmp_path / "没有这个文件夹" / "子目录"
    for argv in (["report", "weekly", "--out", str(missing / "w.pdf")],
                 ["export", "cases", "--out", str(missing / "c.xlsx")],
                 ["backup", "--to", str(missing / "b.sqlite")]):
        code = main(argv + ["--db", str(demo_db)])
        err = capsys.readouterr().err
        assert code == 2 and "文件夹不存在" in err and err.count("\n") == 1, (argv, err)
    assert not (tmp_path / "没有这个文件夹").exists()


def test_an_option_of_another_report_is_refused_not_ignored(demo_db, tmp_path, capsys):
    from desktop.cli import main
    for argv in (["report", "weekly", "--meeting", "3"], ["report", "daily", "--kind", "workers"],
                 ["report", "stats", "--from", "2026-10-01"]):
        code = main(argv + ["--db", str(demo_db), "--out", str(tmp_path / "x.pdf")])
        err = capsys.readouterr().err
        assert code == 2 and "不适用于" in err and err.count("\n") == 1, (argv, err)
    assert not (tmp_path / "x.pdf").exists()


def test_minutes_without_a_number_are_of_the_latest_meeting_held(demo_db, tmp_path, capsys):
    """A meeting still 筹备 has no minutes yet: the default is the latest one held."""
    import json
    from desktop.cli import main
    from models import meetings
    from models.db import Store
    s = Store(demo_db)
    try:
        latest = meetings.list_meetings(s)[0]
        with s.tx():            # the latest meeting still in preparation, whatever the demo left
            s.execute("UPDATE meeting SET status = '筹备' WHERE id = ?", (latest["id"],))
        want = next(r for r in meetings.list_meetings(s) if r["status"] != "筹备")
        assert want["id"] != latest["id"]
    finally:
        s.close()
    code = main(["report", "minutes", "--db", str(demo_db), "--out", str(tmp_path / "m.pdf"), "--json"])
    assert code == 0
    from pdftext import flat_of
    assert f"第{want['meeting_no']}期" in flat_of(tmp_path / "m.pdf") and json.loads(capsys.readouterr().out)


def test_a_folder_given_as_the_database_is_called_a_folder(tmp_path, capsys):
    from desktop.cli import main
    for command in ("figures", "check"):
        code = main([command, "--db", str(tmp_path)])
        err = capsys.readouterr().err
        assert code == 2 and "文件夹" in err and "找不到" not in err, (command, err)
