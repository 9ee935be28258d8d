"""The command line speaks Chinese, for every command alike:

* argparse's own messages: a missing argument, an invalid choice, a wrong type, an unknown option,
  conflicting options, an option without its value, an unknown command word — each one Chinese
  line on standard error, exit 2, no usage dump, no traceback, nothing on standard output;
* ``--help`` and one bad argument for every command (each action of ``meeting``, ``fund`` … too);
* ``--db`` (and ``--user``) before the command word, after it, or between a word and its action;
* a file that is not a database is called that;
* every command word: without ``--json`` Chinese lines, with ``--json`` one JSON document.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import cli
from desktop.commands import COMMAND_MODULES

DATA = Path(__file__).parent / "data"
HAN = re.compile(r"[\u4e00-\u9fff]")
TODAY = "2026-11-26"


def _leaf_paths() -> list[tuple[str, ...]]:
    """Every command that runs, as the words that name it: ("check",), ("meeting", "create") …"""
    parser = cli.build_parser()
    out = []

    def walk(p, path):
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            out.append(tuple(path))
        for action in subs:
            for name, child in action.choices.items():
                walk(child, [*path, name])
    walk(parser, [])
    return [p for p in out if p]


LEAVES = _leaf_paths()


def _leaf(path):
    p = cli.build_parser()
    for word in path:
        sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
        p = sub.choices[word]
    return p


def _filled(path) -> list[str]:
    """The command's words and a value for each argument it requires (not --db), so that the line
    parses: a choice's first choice, 1 for a number, x for anything else."""
    argv = list(path)
    for a in _leaf(path)._actions:
        if a.dest in ("help", "db", "user") or (a.option_strings and not a.required):
            continue
        if not a.option_strings and a.nargs == "?":
            continue
        value = str(next(iter(a.choices))) if a.choices else ("1" if a.type in (int, float) else "x")
        argv += [*a.option_strings[:1], value]
    return argv


def _run(argv, capsys) -> tuple[int, str, str]:
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _one_chinese_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert HAN.search(line), line
    for english in ("usage", "error:", "Traceback", "argument", "invalid", "expected", "required"):
        assert english not in line, line
    return line


def test_every_command_is_found():
    # the walk reaches the nested actions too (so the tests below cover them)
    assert ("check",) in LEAVES and ("meeting", "create") in LEAVES and ("user",) in LEAVES
    assert {p[0] for p in LEAVES} == set(COMMAND_MODULES)


# -- argparse's own messages -------------------------------------------------------------------
@pytest.mark.parametrize("argv, expected", [
    (["import", "--db", "x.sqlite"],
     "参数有误：缺少参数：要导入的文件、--kind（用 qingqian import --help 查看用法）"),
    (["export", "--db", "x.sqlite"], "参数有误：缺少参数：台账类型、--out（用 qingqian export --help 查看用法）"),
    (["check"], "参数有误：缺少参数：--db（数据库文件）（用 qingqian check --help 查看用法）"),
    (["user", "frob", "--db", "x.sqlite"],
     "参数有误：操作：不能是“frob”，只能是 add、passwd、list 之一（用 qingqian user --help 查看用法）"),
    (["init", "--db", "x.sqlite", "--name", "a", "--level", "province"],
     "参数有误：--level：不能是“province”，只能是 township、county 之一（用 qingqian init --help 查看用法）"),
    (["demo", "--db", "x.sqlite", "--seed", "abc"],
     "参数有误：--seed：应为整数，而不是“abc”（用 qingqian demo --help 查看用法）"),
    (["check", "--db", "x.sqlite", "--bogus"],
     "参数有误：无法识别的参数：--bogus（用 qingqian check --help 查看用法）"),
    (["meeting", "list", "--db", "x.sqlite", "extra"],
     "参数有误：无法识别的参数：extra（用 qingqian meeting list --help 查看用法）"),
    (["check", "--db"], "参数有误：--db：后面须跟一个值（用 qingqian check --help 查看用法）"),
    (["check", "--d", "x.sqlite"],
     "参数有误：选项 --d 不明确，可能是 --db、--date（用 qingqian check --help 查看用法）"),
    (["meeting"], "参数有误：缺少参数：操作（用 qingqian meeting --help 查看用法）"),
])
def test_argparse_messages_are_one_chinese_line(argv, expected, capsys):
    code, out, err = _run(argv, capsys)
    assert (code, out) == (2, "")
    assert _one_chinese_line(err) == expected


def test_an_unknown_command_word_lists_the_words(capsys):
    code, out, err = _run(["nosuch", "--db", "x.sqlite"], capsys)
    line = _one_chinese_line(err)
    assert (code, out) == (2, "") and line.startswith("参数有误：没有“nosuch”这个命令（可用的命令：")
    assert all(word in line for word in COMMAND_MODULES)


def test_conflicting_options_are_one_chinese_line(capsys):
    # no command has options that exclude each other yet; the parser every command is built with
    # says it in Chinese when one does
    parser = cli._parser_class()(prog="qingqian 示例")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--xlsx", action="store_true", help="输出 Excel")
    group.add_argument("--csv", action="store_true", help="输出 CSV")
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["--xlsx", "--csv"])
    assert info.value.code == 2
    assert _one_chinese_line(capsys.readouterr().err) == \
        "参数有误：--csv：不能与 --xlsx 同时使用（用 qingqian 示例 --help 查看用法）"


def test_a_real_run_has_no_usage_dump_and_no_traceback(tmp_path):
    run = subprocess.run([sys.executable, "-m", "desktop", "user", "frob", "--db", str(tmp_path / "x.sqlite")],
                         capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout) == (2, "")
    _one_chinese_line(run.stderr)
    assert not (tmp_path / "x.sqlite").exists()


# -- every command: --help, and one bad argument --------------------------------------------------
@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_help_of_every_command_is_chinese(path, capsys):
    code, out, err = _run([*path, "--help"], capsys)
    assert (code, err) == (0, "")
    assert out.startswith("用法：qingqian " + " ".join(path))
    for english in ("usage:", "positional arguments", "options:", "show this help message"):
        assert english not in out
    assert "显示本帮助并退出" in out and "选项：" in out
    # a value is named in Chinese: --db 数据库文件, not --db DB
    english = set(re.findall(r"--[a-z][a-z-]* [A-Z][A-Za-z_]+\b", out)) - ENGLISH_VALUE_NAMES_LEFT.get(path, set())
    assert english == set()


# values still named in English by their command's own metavar (to be renamed by its owner)
ENGLISH_VALUE_NAMES_LEFT: dict = {}


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_one_bad_argument_of_every_command(path, tmp_path, capsys):
    db = tmp_path / "never.sqlite"
    code, out, err = _run([*_filled(path), "--db", db, "--no-such-option"], capsys)
    assert (code, out) == (2, "")
    assert _one_chinese_line(err) == \
        f"参数有误：无法识别的参数：--no-such-option（用 qingqian {' '.join(path)} --help 查看用法）"
    code, out, err = _run(path, capsys)         # nothing given: what is missing, in Chinese
    assert (code, out) == (2, "") and "缺少参数" in _one_chinese_line(err)
    assert not db.exists()


# -- --db before or after the command word -------------------------------------------------------
@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_db_and_user_anywhere(path, tmp_path):
    db = str(tmp_path / "a.sqlite")
    words, rest = list(path), _filled(path)[len(path):]
    places = [["--db", db, "--user", "张三", *words, *rest],          # before the command word
              [*words, *rest, "--db", db, "--user", "张三"],          # after it
              [*words[:1], f"--db={db}", *words[1:], "--user=张三", *rest]]    # between word and action
    for argv in places:
        args = cli.parse(argv)
        assert (args.db, args.user) == (db, "张三"), argv
        assert callable(args.func)


def test_db_before_the_command_word_runs_it(demo_db, capsys):
    code, out, err = _run(["--db", demo_db, "check", "--date", TODAY], capsys)
    assert code in (0, 1) and err == "" and out.startswith("数据审核")
    code, out, err = _run(["meeting", "--db", demo_db, "list", "--json"], capsys)
    assert code == 0 and json.loads(out)["rows"][0]["meeting_no"] >= 1


# -- a file that is not a database ---------------------------------------------------------------
def _not_databases(tmp_path) -> dict[str, Path]:
    import sqlite3
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE contacts(name TEXT)")
    conn.commit()
    conn.close()
    return {"empty": empty, "other": other}


@pytest.mark.parametrize("argv", [["check"], ["user", "list"], ["backup", "--to", "{tmp}/b.sqlite"],
                                  ["export", "cases", "--out", "{tmp}/c.xlsx"],
                                  ["import", str(DATA / "信访台账.csv"), "--kind", "petitions", "--dry-run"],
                                  ["init", "--name", "行动", "--unit", "镇政府", "--start", "2026-09-14"]],
                         ids=lambda a: a[0])
def test_a_file_that_is_not_a_database_is_called_that(argv, tmp_path, capsys):
    for kind, path in _not_databases(tmp_path).items():
        before = path.read_bytes()
        code, out, err = _run([a.replace("{tmp}", str(tmp_path)) for a in argv] + ["--db", path], capsys)
        line = _one_chinese_line(err)
        assert code == 2 and "不是" in line and "已损坏" not in line and str(path) in line, (kind, line)
        assert path.read_bytes() == before         # nothing written into it


def test_sqlite_saying_not_a_database_is_not_called_damaged():
    import sqlite3
    line = cli.failure_line(sqlite3.DatabaseError("file is not a database"), "x.sqlite")
    assert line.startswith("不是数据库文件：x.sqlite") and "损坏" not in line
    damaged = cli.failure_line(sqlite3.DatabaseError("database disk image is malformed"), "x.sqlite")
    assert damaged.startswith("数据库文件已损坏：x.sqlite")


# -- every command word: Chinese lines, or JSON with --json --------------------------------------
def _restore_source(ctx) -> str:
    from models.backup import backup_to
    from models.db import Store
    src = Store(ctx["db"], "测试")
    backup_to(src.conn, ctx["tmp"] / "source-backup.sqlite")
    src.close()
    return str(ctx["tmp"] / "source-backup.sqlite")


def _county(ctx) -> str:
    path = ctx["tmp"] / f"county-{ctx['mode']}.sqlite"
    assert cli.main(["init", "--db", str(path), "--level", "county", "--name", "青山县", "--json"]) == 0
    return str(path)


# one harmless invocation for each command word: {db} a copy of the township demo, {tmp} a folder
# of the test's own, {mode} "json" or "lines" (output files differ between the two runs)
HARMLESS = {
    "check": lambda c: ["check", "--db", c["db"], "--date", TODAY],
    "user": lambda c: ["user", "list", "--db", c["db"]],
    "import": lambda c: ["import", str(DATA / "信访台账.csv"), "--db", c["db"], "--kind", "petitions", "--dry-run"],
    "export": lambda c: ["export", "cases", "--db", c["db"], "--out", f"{c['tmp']}/cases-{c['mode']}.xlsx"],
    "init": lambda c: ["init", "--db", f"{c['tmp']}/new-{c['mode']}.sqlite", "--name", "2026年冬季专项行动",
                       "--unit", "青山县白石镇人民政府", "--start", "2026-09-14"],
    "demo": lambda c: ["demo", "--db", f"{c['tmp']}/demo-{c['mode']}.sqlite"],
    "backup": lambda c: ["backup", "--db", c["db"], "--to", f"{c['tmp']}/backup-{c['mode']}.sqlite"],
    "restore": lambda c: ["restore", _restore_source(c), "--db", c["db"]],
    "selftest": lambda c: ["selftest", "--db", c["db"], "--today", TODAY],
    "report": lambda c: ["report", "weekly", "--db", c["db"], "--out", f"{c['tmp']}/weekly-{c['mode']}.pdf",
                         "--today", TODAY],
    "figures": lambda c: ["figures", "--db", c["db"], "--today", TODAY],
    "package": lambda c: ["package", "export", "--db", c["db"], "--out", f"{c['tmp']}/p-{c['mode']}.qqpkg",
                          "--township", "青山镇", "--code", "511234001", "--county", "青山县"],
    "directive": lambda c: ["directive", "list", "--db", _county(c)],
    "fund": lambda c: ["fund", "list", "--db", c["db"]],
    "holidays": lambda c: ["holidays", "list", "--db", c["db"]],
    "meeting": lambda c: ["meeting", "list", "--db", c["db"]],
    "item": lambda c: ["item", "list", "--db", c["db"], "--today", TODAY],
    "phase": lambda c: ["phase", "list", "--db", c["db"]],
    "workstream": lambda c: ["workstream", "list", "--db", c["db"]],
    "signoff": lambda c: ["signoff", "status", "--db", c["db"]],
    "case": lambda c: ["case", "show", "QS20261102001", "--db", c["db"]],
    "group": lambda c: ["group", "list", "--db", c["db"]],
    "asset": lambda c: ["asset", "list", "--db", c["db"]],
    "contract": lambda c: ["contract", "list", "--db", c["db"]],
    "inspection": lambda c: ["inspection", "list", "--db", c["db"]],
    "daily": lambda c: ["daily", "missing", "--db", c["db"], "--date", TODAY],
    "campaign": lambda c: ["campaign", "show", "--db", c["db"]],
    "settings": lambda c: ["settings", "list", "--db", c["db"]],
    "recycle": lambda c: ["recycle", "list", "--db", c["db"]],
    "attach": lambda c: ["attach", str(DATA / "工资花名册-安置房二期.xlsx"), "--db", c["db"], "--kind", "cases",
                         "--record", "QS20261102001" if c["mode"] == "lines" else "QS20261102002"],
    "employer": lambda c: ["employer", "list", "--db", c["db"]],
    "advance": lambda c: ["advance", "list", "--db", c["db"]],
    "project": lambda c: ["project", "list", "--db", c["db"]],
}
# command words whose human output is still JSON (being converted by their owners): left out of the
# test below until they print Chinese lines without --json
NOT_YET_CHINESE_LINES: set[str] = set()


def test_every_command_word_has_a_harmless_invocation():
    missing = set(COMMAND_MODULES) - set(HARMLESS)
    assert missing == set(), f"a new command word needs a harmless invocation in HARMLESS: {sorted(missing)}"
    assert set(HARMLESS) <= set(COMMAND_MODULES)


@pytest.mark.parametrize("word", sorted(set(HARMLESS) - NOT_YET_CHINESE_LINES))
def test_lines_by_default_json_with_json(word, demo_db, tmp_path, capsys):
    codes = {}
    for mode in ("lines", "json"):
        ctx = {"db": str(demo_db), "tmp": tmp_path, "mode": mode}
        argv = HARMLESS[word](ctx) + (["--json"] if mode == "json" else [])
        capsys.readouterr()
        code, out, err = _run(argv, capsys)
        assert code in (0, 1), (argv, err)
        codes[mode] = code
        assert out.strip(), argv
        if mode == "json":
            json.loads(out)
        else:
            assert HAN.search(out) and not out.lstrip().startswith(("{", "[")), out[:300]
            with pytest.raises(ValueError):
                json.loads(out)
    assert codes["lines"] == codes["json"]


def test_a_console_that_cannot_show_a_character_still_gets_the_output():
    # Chinese Windows consoles are GBK: 䶮 is not in it; the line and the JSON still come out whole
    code = ("import argparse; from desktop.commands._common import emit; "
            "emit(argparse.Namespace(json=False), {}, ['姓名：王䶮']); "
            "emit(argparse.Namespace(json=True), {'姓名': '王䶮'}, [])")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60,
                         env={**os.environ, "PYTHONIOENCODING": "gbk"}, cwd=Path(__file__).parent.parent)
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    line, data = run.stdout.decode("gbk").splitlines()
    assert line == "姓名：王?" and json.loads(data) == {"姓名": "王䶮"}
