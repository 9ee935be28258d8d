"""``qingqian``: the window, or a subcommand (DESIGN.md §7).

Exit status: 0 done, 1 findings or rejected rows, 2 unusable input, with one
Chinese line on standard error. Heavy libraries load inside the handlers.
"""
from __future__ import annotations

import time

START = time.perf_counter()

import sys  # noqa: E402 - START is the program's first moment; the rest load as needed


def _parser_class():
    import argparse

    class ChineseArgumentParser(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # argparse exits 2 on bad arguments, as the contract wants
            self.print_usage(sys.stderr)
            sys.stderr.write(f"参数有误：{message}\n")
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


def _opt(argv: list[str], name: str) -> str | None:
    for i, a in enumerate(argv):
        if a == name and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None


# which module of desktop.commands registers each command (checked by a test)
COMMAND_MODULES = {"demo": "core", "backup": "core", "restore": "core", "selftest": "selftest",
                   "check": "check", "user": "users", "import": "io", "export": "io", "report": "report",
                   "figures": "figures"}


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
    return None if other or word is None else COMMAND_MODULES.get(word)


def _has_command(argv: list[str]) -> bool:
    return _first_word(argv)[0] is not None


if __name__ == "__main__":
    raise SystemExit(main())
