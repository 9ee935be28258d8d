"""Pieces every subcommand shares: --db / --user, opening the store, Chinese errors,
and who is acting (``authenticated_actor``)."""
from __future__ import annotations

import argparse
import os
import sys

from models.errors import StoreError

PASSWORD_ENV = "QINGQIAN_PASSWORD"        # the acting account's password, for scripts


class Refused(Exception):
    """The acting account could not be established or may not do this; the message is one
    Chinese line for standard error."""


def add_db(p: argparse.ArgumentParser, required: bool = True) -> None:
    """--db and --user, accepted before or after the command word (``desktop.cli`` moves them to
    the front). SUPPRESS keeps a --db given before the command word; a required --db is checked
    once the whole line is read (``db_required`` names the command for its --help)."""
    p.add_argument("--db", default=argparse.SUPPRESS,
                   help="数据库文件" + ("（必须给出；可写在命令之前或之后）" if required else ""))
    p.add_argument("--user", default=argparse.SUPPRESS, help="操作人（写入审计日志）")
    if required:
        p.set_defaults(db_required=p.prog)


EARLIEST_YEAR = 2000        # no --date before 1 January of this year (``day_of``)
DATE_FORMS = "2026-12-07、2026-12-7、2026/12/7、2026.12.7、2026年12月7日 或 20261207"


class DayProblem(StoreError):
    """A --date (--today) that is no day, or one before ``EARLIEST_YEAR``: one Chinese line.

    A ``StoreError`` (a problem the user is told about in Chinese), not a ValueError: a command
    that prints its own fixed line for a ValueError (report: 日期格式不对 … 应为 YYYY-MM-DD) lets
    it pass to ``desktop.cli.main``, which prints these words as they are and exits 2."""


def day_of(text: str, *, earliest: bool = True):
    """A day as a clerk writes it on the command line → ``datetime.date``, by the program's own
    date reader (``models.values.parse_date``): 2026-12-07, 2026-12-7, 2026/12/7, 2026.12.7,
    2026年12月7日, 20261207. ``DayProblem`` (one Chinese line) for text that is no date, for a
    day that does not exist (2026-02-30), and, with ``earliest``, for a day before 1 January
    ``EARLIEST_YEAR``: the ledgers are of the wage-arrears work of this century, so figures of
    an earlier day would be zeros that look like an answer, where the year was mistyped."""
    import calendar
    import datetime as _dt
    import re

    from models.values import _DATE_PATTERNS, ValueProblem, halfwidth, parse_date
    shown = str(text).strip()
    plain = halfwidth(shown)
    bad = DayProblem(f"日期格式不对：{shown}（可写 {DATE_FORMS}）")
    if not plain or re.fullmatch(r"\d{5}(\.0+)?", plain):      # an Excel serial is a cell's, not a typed day
        raise bad
    early = DayProblem(f"日期“{shown}”早于 {EARLIEST_YEAR}年1月1日，不予统计：本程序的台账记的是 {EARLIEST_YEAR} 年以后的"
                       "欠薪问题，这样早的日期多是年份写错，请检查")
    try:
        iso = parse_date(plain)
    except ValueProblem as exc:
        # written as a date, but no such day: 2026-02-30 does not exist; 2026-13-01 or 2026-01-32
        # is a date written wrongly (month 1–12, day 1–31); a real day in a year no ledger has
        # (0206, 2206) is said as the reader says it
        m = next((m for m in (p.match(plain) for p in _DATE_PATTERNS) if m), None)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            if 1 <= mo <= 12 and 1 <= d <= 31:
                try:
                    _dt.date(y, mo, d)
                except ValueError:
                    raise DayProblem(f"日期“{shown}”不存在（{y}年{mo}月只有 {calendar.monthrange(y, mo)[1]} 天）") \
                        from None
                if earliest and y < EARLIEST_YEAR:
                    raise early from None
                raise DayProblem(str(exc)) from None
            if not 1 <= mo <= 12:
                raise DayProblem(f"日期格式不对：{shown}（月份应为 1～12；可写 {DATE_FORMS}）") from None
        raise bad from None
    if not iso:
        raise bad
    day = _dt.date.fromisoformat(iso)
    if earliest and day < _dt.date(EARLIEST_YEAR, 1, 1):
        raise early
    return day


def days(args) -> tuple:
    """(today, the day asked for with --date or None) from a command's --today / --date, each
    read by ``day_of`` (--today, hidden and for scripts and tests, without the earliest day);
    ``DayProblem`` with one Chinese line for either that cannot be used."""
    import datetime as _dt
    today = day_of(args.today, earliest=False) if getattr(args, "today", None) else _dt.date.today()
    date = getattr(args, "date", None)
    return today, (day_of(date) if date is not None and str(date).strip() else None)


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="以 JSON 输出（默认输出中文说明）")


def emit(args, data, lines) -> None:
    """A command's result: JSON with --json, else Chinese lines (``lines``: a string or a list
    of strings). The one way every command prints what it did."""
    if getattr(args, "json", False):
        import json
        if isinstance(data, (list, tuple)):     # the contract: one JSON object (a list: its rows, counted)
            data = {"rows": list(data), "count": len(data)}
        text = json.dumps(data, ensure_ascii=False, default=str)
        fallback = lambda: json.dumps(data, ensure_ascii=True, default=str)     # noqa: E731
    else:
        text = lines if isinstance(lines, str) else "\n".join(lines)
        fallback = lambda: text.encode(sys.stdout.encoding or "utf-8", "replace").decode(  # noqa: E731
            sys.stdout.encoding or "utf-8")
    try:
        sys.stdout.write(text + "\n")
    except UnicodeEncodeError:          # a console that cannot show every character (e.g. 䶮 in GBK)
        sys.stdout.write(fallback() + "\n")


def fail(message: str, code: int = 2) -> int:
    sys.stderr.write(message.rstrip() + "\n")
    return code


def open_store(args, *, must_exist: bool = True, write: bool = False, roles: tuple[str, ...] | None = None):
    """The store, or (None, exit code) with the message already printed.

    ``write``: the command writes, reveals or manages accounts, so once accounts exist it
    needs its acting account proven by password (``authenticated_actor``); the account's
    role then limits what it may change."""
    from pathlib import Path
    from models.db import LIGHT_CHECK_ABOVE, Store, StoreError
    path = Path(args.db)
    if must_exist and not path.exists():
        return None, fail(f"找不到数据库文件：{path}")
    try:
        # as the window opens it: a large file gets the cheap check (header, size, schema), not
        # PRAGMA quick_check (seconds on a county's file); a damaged page read later is reported
        # as a damaged file all the same (desktop.cli.failure_line)
        big = path.exists() and path.stat().st_size > LIGHT_CHECK_ABOVE
        store = Store(path, getattr(args, "user", None), check="light" if big else True)
        store.needs_full_check = big
    except StoreError as exc:
        return None, fail(str(exc))
    if write:
        try:
            store.hold_lock()           # the window's lock: refused while a window or command holds it
            authenticated_actor(store, args, roles=roles)
        except (Refused, StoreError) as exc:
            store.close()
            return None, fail(str(exc))
    # a command that only reads keeps --user as a name for the record: without a password it
    # grants nothing (``may_write`` refuses any write with no logged-in actor)
    return store, 0


def on_terminal() -> bool:
    """Whether a person can be asked for a password here (standard input is a terminal)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _ask_password(username: str) -> str | None:
    """The acting account's password: ``QINGQIAN_PASSWORD`` if set, else asked on the terminal
    (not echoed); None when there is neither (a script without the variable)."""
    pw = os.environ.get(PASSWORD_ENV)
    if pw is not None:
        return pw
    if not on_terminal():
        return None
    import getpass
    try:
        return getpass.getpass(f"账号“{username}”的密码：")
    except (EOFError, KeyboardInterrupt):
        return None


def authenticated_actor(store, args, *, roles: tuple[str, ...] | None = None):
    """Who is acting, proven by password, set on ``store.actor`` and returned.

    Returns None only when the database has no account yet (then nobody can log in and the
    first account is being made, or accounts are not in use). Otherwise ``--user`` names the
    account and its password comes from ``QINGQIAN_PASSWORD`` or the terminal; a missing name,
    a missing or wrong password, a locked account, or a role outside ``roles`` raises
    ``Refused``. Every failed log-in is written to the audit log and counts toward the
    account's lock, as in the window."""
    from models import access
    if not access.has_accounts(store.conn):
        return None
    username = (getattr(args, "user", None) or "").strip()
    if not username:
        access.record_login_refused(store, "", "命令行未指明操作人")
        raise Refused("本数据库已启用账号：请用 --user 指定操作人，并输入该账号的密码"
                      f"（脚本可用 {PASSWORD_ENV} 环境变量）")
    password = _ask_password(username)
    if password is None:
        access.record_login_refused(store, username, "未输入密码")
        raise Refused(f"须输入账号“{username}”的密码：请在终端中运行，或用 {PASSWORD_ENV} 环境变量给出")
    try:
        actor = access.login(store, username, password)
    except access.AuthError as exc:
        raise Refused(f"登录失败：{exc}") from None
    if roles and actor.role not in roles:
        raise Refused(f"账号“{username}”（{actor.role}）无权执行此操作，须由{'或'.join(roles)}账号执行")
    store.actor = actor
    return actor
