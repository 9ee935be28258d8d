"""``qingqian``: the window, or a subcommand (DESIGN.md §7).

Exit status: 0 done, 1 findings or rejected rows, 2 unusable input, with one
Chinese line on standard error. Heavy libraries load inside the handlers.
"""
from __future__ import annotations

import time

START = time.perf_counter()

import sys  # noqa: E402 - START is the program's first moment; the rest load as needed


# argparse's own words, as the rest of the command line speaks: its help headings and the -h
# line, and every error message it can give (looked up by argparse through ``argparse._``)
_ARGPARSE_WORDS = {
    "usage: ": "用法：", "positional arguments": "位置参数", "options": "选项",
    "optional arguments": "选项", "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少参数：%s",
    "one of the arguments %s is required": "须给出这几个参数之一：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "not allowed with argument %s": "不能与 %s 同时使用",
    "expected one argument": "后面须跟一个值",
    "expected at most one argument": "后面至多跟一个值",
    "expected at least one argument": "后面须跟至少一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "ignored explicit argument %r": "此选项不带值，却写了 %r",
    "unexpected option string: %s": "不该出现的选项：%s",
    "invalid %(type)s value: %(value)r": "值 %(value)r 不是有效的 %(type)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的值 %(value)r（可选 %(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有命令 %(parser_name)r（可选 %(choices)s）",
    "%(prog)s: error: %(message)s\n": "%(prog)s：%(message)s\n",
    "cannot have multiple subparser arguments": "不能有多个子命令参数",
}
# what stands for an argument's value in --help and in messages, when its help sentence does not
# start with a short name (an option in a message is named as typed: --kind)
_VALUE_NAMES = {"db": "数据库文件", "user": "操作人", "out": "输出文件", "file": "文件", "date": "日期",
                "today": "日期", "as_of": "日期", "due": "日期", "start": "日期", "end": "日期",
                "kind": "台账类型", "meeting": "会议期数", "scale": "缩放比例", "year": "年份", "code": "代码",
                "county_code": "县代码", "seed": "种子", "case_no": "问题编号", "case": "问题编号",
                "worker": "农民工", "workstream": "专班", "command": "命令", "action": "操作",
                "which": "材料种类", "name": "名称"}
_TYPE_NAMES = {"int": "整数", "float": "数字"}


def _value_name(action) -> str:
    """A short Chinese name for an argument's value: 数据库文件, 会议期数, 要导入的文件 …"""
    import re
    lead = re.split(r"[（(：:，,；;｜“” ]", action.help or "", maxsplit=1)[0]
    if not (lead and len(lead) <= 8 and re.fullmatch(r"[\u4e00-\u9fff]+", lead)):
        lead = ""                        # the help sentence's first words: 要导入的文件, 资金编号
    if action.option_strings:            # an option's own words first (--date 日期, not 以此日期为)
        return _VALUE_NAMES.get(action.dest) or lead or "值"
    return lead or _VALUE_NAMES.get(action.dest) or "值"


def _display_width(text: str) -> int:
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _argument_name(action) -> str | None:
    """How an error message names an argument: the option as typed, else a Chinese name."""
    import argparse
    if action is None:
        return None
    if action.option_strings:
        return "/".join(action.option_strings)
    if isinstance(action, argparse._SubParsersAction):
        return action.metavar if action.metavar not in (None, argparse.SUPPRESS) else "命令"
    if action.metavar not in (None, argparse.SUPPRESS):
        return str(action.metavar)
    return _value_name(action)


def _parser_class():
    import argparse
    argparse._ = lambda text: _ARGPARSE_WORDS.get(text, text)     # argparse looks its words up here
    argparse.ngettext = lambda one, many, n: "后面须跟 %s 个值"
    argparse._get_action_name = _argument_name

    class ChineseHelpFormatter(argparse.HelpFormatter):
        """Values named in Chinese in --help (--db 数据库文件, not --db DB), and the help column
        lined up by display width (a Chinese character takes two columns on a terminal)."""
        def _get_default_metavar_for_optional(self, action):
            return _value_name(action)

        def _get_default_metavar_for_positional(self, action):
            return _value_name(action)

        def add_argument(self, action):
            super().add_argument(action)
            if action.help is not argparse.SUPPRESS:
                shown = [self._format_action_invocation(action)]
                shown += [self._format_action_invocation(s) for s in self._iter_indented_subactions(action)]
                self._action_max_length = max(self._action_max_length,
                                              max(map(_display_width, shown)) + self._current_indent)

        def _format_action(self, action):
            help_position = min(self._action_max_length + 2, self._max_help_position)
            action_width = help_position - self._current_indent - 2
            header = self._format_action_invocation(action)
            if not action.help or _display_width(header) > action_width:
                return super()._format_action(action)        # on a line of its own, as argparse does
            padded = " " * self._current_indent + header + " " * (action_width - _display_width(header) + 2)
            text = super()._format_action(action)
            first = " " * self._current_indent + header
            return padded + text[len(first):].lstrip(" ")

    class ChineseArgumentParser(argparse.ArgumentParser):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("formatter_class", ChineseHelpFormatter)
            super().__init__(*args, **kwargs)

        def error(self, message: str) -> None:  # argparse exits 2 on bad arguments, as the contract wants
            # one Chinese line, no usage dump (qingqian 命令 --help shows the usage)
            if message.startswith("缺少参数："):
                message = message.replace(", ", "、")
            if message.startswith("选项 ") and "可能是" in message:
                message = message.replace(", ", "、")
            _argument_error(self.prog, " ".join(message.split()))

        def format_help(self) -> str:       # section headings end in a Chinese colon: 选项：
            import re
            return re.sub(r"(?m)^(\S[^\n]*?):$", r"\1：", super().format_help())

        def _check_value(self, action, value):
            if action.choices is not None and value not in action.choices:
                choices = "、".join(map(str, action.choices))
                if isinstance(action, argparse._SubParsersAction):     # a command word, or a word's action
                    what = action.metavar if action.metavar in ("命令", "操作") else "命令"
                    raise argparse.ArgumentError(None, f"没有“{value}”这个{what}（可用的{what}：{choices}）")
                raise argparse.ArgumentError(action, f"不能是“{value}”，只能是 {choices} 之一")

        def _get_value(self, action, arg_string):
            kind = _TYPE_NAMES.get(getattr(action.type, "__name__", ""))
            if kind:
                try:
                    return action.type(arg_string)
                except (TypeError, ValueError):
                    raise argparse.ArgumentError(action, f"应为{kind}，而不是“{arg_string}”") from None
            return super()._get_value(action, arg_string)
    return ChineseArgumentParser


def build_parser(only: str | None = None):
    """The whole command line; with ``only``, just that subcommand (a command starts
    without loading every other command's module)."""
    import importlib
    import pkgutil
    parser_class = _parser_class()
    parser = parser_class(prog="qingqian", description="清欠工作台：根治欠薪专项行动台账与调度")
    parser.add_argument("--db", help="数据库文件（打开窗口时默认在用户数据文件夹；可写在命令之前或之后）")
    parser.add_argument("--user", help="操作人（写入审计日志；可写在命令之前或之后）")
    parser.add_argument("--version", action="store_true", help="显示版本")
    sub = parser.add_subparsers(dest="command", parser_class=parser_class, title="命令", metavar="命令",
                                help="qingqian 命令 --help 查看各命令的用法")
    import desktop.commands as pkg
    names = sorted(i.name for i in pkgutil.iter_modules(pkg.__path__) if not i.name.startswith("_"))
    for name in names:
        if only is None or name == only:
            importlib.import_module(f"desktop.commands.{name}").register(sub)
    for leaf in _leaves(parser):            # for a message about the line: its command's --help
        leaf.set_defaults(command_prog=leaf.prog)
    return parser


def _leaves(parser):
    """The parsers of the commands that run (``check``, ``meeting create``), depth first."""
    import argparse
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield parser
    for action in subs:
        for child in dict.fromkeys(action.choices.values()):     # an alias maps to the same parser
            yield from _leaves(child)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--read-ahead-figures"]:      # the bundle started as the window's read-ahead
        from models.warm_start import child_main
        return child_main(argv[1:])
    # The window is the common case: start it without building every subcommand's parser.
    if not argv or (argv[0].startswith("--db") or argv[0] == "--user") and not _has_command(argv) \
            and _opt(argv, argv[0].split("=")[0]) is not None:      # `--db` without its file: argparse says so
        import gc
        # the window's start makes about a million objects that all live on (Qt's enums, the
        # modules): no cycle collection until its first frame (~60 collections, ~8 ms), then
        # those are set aside for good (desktop.app.collect_again)
        gc.disable()
        from desktop.app import run_window
        return run_window(_opt(argv, "--db"), _opt(argv, "--user"), started=START)
    args = parse(argv)
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


def parse(argv: list[str]):
    """The namespace of a command line (without the program's name). A line that cannot be
    used raises SystemExit(2) after one Chinese line on standard error; --help, SystemExit(0)."""
    argv = _globals_first(argv)
    parser = build_parser(_command_module(argv))
    args, extra = parser.parse_known_args(argv)
    prog = getattr(args, "command_prog", parser.prog)
    if extra:
        _argument_error(prog, f"无法识别的参数：{' '.join(extra)}")
    if getattr(args, "db_required", False) and not args.db:
        _argument_error(prog, "缺少参数：--db（数据库文件）")
    return args


def _argument_error(prog: str, message: str):
    sys.stderr.write(f"参数有误：{message}（用 {prog} --help 查看用法）\n")
    raise SystemExit(2)


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
        if "not a database" in text:        # SQLite's words for a file that is no database at all
            return f"不是数据库文件：{db}（请确认 --db 所指的是清欠工作台的数据库）"
        if "malformed" in text or "corrupt" in text:
            return f"数据库文件已损坏：{db}。请用 qingqian check --full 检查，或从备份恢复"
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


def _opt(argv: list[str], name: str) -> str | None:
    for i, a in enumerate(argv):
        if a == name and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None




GLOBAL_OPTIONS = ("--db", "--user")


def _globals_first(argv: list[str]) -> list[str]:
    """--db and --user moved to the front, wherever they were written (before the command word,
    after it, or between a command word and its action), so every command takes them in any
    place. A --db without its value stays where it is, for argparse to say so."""
    front, rest, i = [], [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            rest.extend(argv[i:])
            break
        if a in GLOBAL_OPTIONS and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
            front += argv[i:i + 2]
            i += 2
            continue
        if a.split("=", 1)[0] in GLOBAL_OPTIONS and "=" in a:
            front.append(a)
        else:
            rest.append(a)
        i += 1
    return front + rest


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
