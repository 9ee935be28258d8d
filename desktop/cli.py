"""``qingqian``: the window, or a subcommand (DESIGN.md §7).

Exit status: 0 done, 1 findings or rejected rows, 2 unusable input, with one
Chinese line on standard error. Heavy libraries load inside the handlers.
"""
from __future__ import annotations

import time

START = time.perf_counter()

import sys  # noqa: E402 - START is the program's first moment; the rest load as needed


# argparse's own words (its help headings and the -h line), as the rest of the command line speaks
_ARGPARSE_HEADINGS = {"usage: ": "用法：", "positional arguments": "位置参数", "options": "选项",
                      "optional arguments": "选项", "show this help message and exit": "显示本帮助并退出"}


def _parser_class():
    import argparse
    argparse._ = lambda text: _ARGPARSE_HEADINGS.get(text, text)     # argparse looks its words up here

    class ChineseArgumentParser(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # argparse exits 2 on bad arguments, as the contract wants
            # one Chinese line, no usage dump (qingqian 命令 --help shows the usage)
            sys.stderr.write(f"参数有误：{_argparse_chinese(message)}（用 --help 查看用法）\n")
            raise SystemExit(2)
    return ChineseArgumentParser


def build_parser(only: str | None = None):
    """The whole command line; with ``only``, just that subcommand (a command starts
    without loading every other command's module)."""
    import importlib
    import pkgutil
    parser_class = _parser_class()
    parser = parser_class(prog="qingqian", description="清欠工作台：根治欠薪专项行动台账与调度")
    parser.add_argument("--db", help="数据库文件（默认在用户数据文件夹）")
    parser.add_argument("--user", help="操作人（写入审计日志）")
    parser.add_argument("--version", action="store_true", help="显示版本")
    sub = parser.add_subparsers(dest="command", parser_class=parser_class)
    import desktop.commands as pkg
    names = sorted(i.name for i in pkgutil.iter_modules(pkg.__path__) if not i.name.startswith("_"))
    for name in names:
        if only is None or name == only:
            importlib.import_module(f"desktop.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The window is the common case: start it without building every subcommand's parser.
    if not argv or (argv[0].startswith("--db") or argv[0] == "--user") and not _has_command(argv):
        from desktop.app import run_window
        return run_window(_opt(argv, "--db"), _opt(argv, "--user"), started=START)
    parser = build_parser(_command_module(argv))
    args = parser.parse_args(argv)
    if args.version:
        from desktop import __version__
        print(f"清欠工作台 {__version__}")
        return 0
    if not args.command:
        from desktop.app import run_window
        return run_window(args.db, args.user, started=START)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        sys.stderr.write("已中断。\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - every failure is one Chinese line and exit 2
        import os
        if os.environ.get("QINGQIAN_DEBUG"):
            raise
        sys.stderr.write(failure_line(exc, getattr(args, "db", None)) + "\n")
        return 2


def failure_line(exc: BaseException, db: str | None) -> str:
    """One Chinese line for an error a command did not turn into a message itself."""
    import sqlite3
    from models import lockfile
    from models.db import StoreError
    from models.backup import BackupError
    if isinstance(exc, (StoreError, BackupError, lockfile.DatabaseBusy)):
        return " ".join(str(exc).split("\n"))
    if isinstance(exc, sqlite3.OperationalError) and any(
            w in str(exc).lower() for w in ("locked", "busy")):
        return lockfile.busy_message(db) if db else lockfile.BUSY
    if isinstance(exc, sqlite3.DatabaseError):
        text = str(exc).lower()
        if "full" in text:
            return f"磁盘空间不足，操作未完成，数据库未作改动：{db}"
        if "malformed" in text or "not a database" in text or "corrupt" in text:
            return f"数据库文件已损坏：{db}。请用 qingqian check 检查，或从备份恢复"
        if "readonly" in text or "read-only" in text:
            return f"数据库文件只读，无法写入：{db}"
        if "disk i/o" in text:
            return f"读写数据库文件时出错（磁盘或网络盘故障）：{db}"
        return f"数据库操作未能完成，数据库未作改动：{db}（SQLite 错误代码 {getattr(exc, 'sqlite_errorname', '未知')}）"
    if isinstance(exc, OSError):
        from models.paths import os_error_text
        return f"无法读写文件：{exc.filename or db or ''}（{os_error_text(exc)}）"
    if isinstance(exc, MemoryError):
        return "内存不足，操作未完成。请关闭其他程序后重试"
    return f"命令未能完成（程序内部错误：{type(exc).__name__}），数据库未作改动。请把这一行告诉维护人员"


_ARGPARSE_WORDS = (
    ("the following arguments are required: ", "缺少参数 "),
    ("unrecognized arguments: ", "无法识别的参数 "),
    ("invalid choice: ", "无效的选项 "),
    ("(choose from ", "（可选 "),
    ("expected one argument", "后面须跟一个值"),
    ("invalid int value: ", "应为整数，而不是 "),
    ("argument ", "参数 "),
    ("not allowed with argument ", "不能与此参数同用 "),
    ("ambiguous option: ", "含义不明的选项 "),
    (" could match ", " 可能是 "),
)


def _argparse_chinese(message: str) -> str:
    for en, zh in _ARGPARSE_WORDS:
        message = message.replace(en, zh)
    return message.replace("')", "'）") if "（可选" in message else message


def _opt(argv: list[str], name: str) -> str | None:
    for i, a in enumerate(argv):
        if a == name and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None




def _first_word(argv: list[str]) -> tuple[str | None, bool]:
    """The first word that is neither an option nor the value of --db / --user, and whether
    some other option came before it."""
    skip = other = False
    for a in argv:
        if skip:
            skip = False
        elif a in ("--db", "--user"):
            skip = True
        elif a.startswith("-"):
            other = True
        else:
            return a, other
    return None, other


def _command_module(argv: list[str]) -> str | None:
    """The module of the subcommand asked for; None for --help, --version or anything
    unclear (then every command is registered, and argparse explains)."""
    word, other = _first_word(argv)
    from desktop.commands import COMMAND_MODULES
    return None if other or word is None else COMMAND_MODULES.get(word)


def _has_command(argv: list[str]) -> bool:
    return _first_word(argv)[0] is not None


if __name__ == "__main__":
    raise SystemExit(main())
