"""figures: every headline figure of the campaign, one definition each (口径), now or as of a day.

qingqian figures --db PATH [--date D] [--json]

Read-only: the database is opened so that nothing in it can change, and a file that does
not exist is not created. Exit 0 with the figures, 2 with one Chinese line on standard error.
"""
from __future__ import annotations

import argparse

from desktop.commands._common import DATE_FORMS, EARLIEST_YEAR, DayProblem, add_db, days, emit, fail


def register(sub) -> None:
    p = sub.add_parser("figures", help="主要数字：问题数、在办、已付、未付、清偿率、预警等，每项附口径")
    add_db(p)
    p.add_argument("--date", help=f"统计截至该日日终，默认今天；可写 {DATE_FORMS}，不早于 {EARLIEST_YEAR}年1月1日")
    p.add_argument("--today", help=argparse.SUPPRESS)     # the day taken as today (scripts and tests)
    p.add_argument("--json", action="store_true", help="以 JSON 输出（金额单位：分；definitions 为各项口径）")
    p.set_defaults(func=cmd_figures)


def cmd_figures(args) -> int:
    from pathlib import Path

    from models import figures, migrations
    from models.db import Store, StoreError
    try:
        today, as_of = days(args)
    except DayProblem as exc:            # no such day (2026-02-30), not a date, or before 2000
        return fail(str(exc))
    path = Path(args.db)
    if path.is_dir():
        return fail(f"数据库路径是一个文件夹，不是清欠工作台数据库：{path}")
    if not path.is_file():
        return fail(f"找不到数据库文件：{path}")
    from models.db import refuse_foreign_file, refuse_foreign_schema
    try:
        refuse_foreign_file(path)               # a text file, a workbook: said so, never "cannot be read"
        store = Store(path, read_only=True)
    except StoreError as exc:
        return fail(str(exc))
    try:
        try:
            refuse_foreign_schema(store.conn, path)     # another program's SQLite file, or a newer one
        except StoreError as exc:
            return fail(str(exc))
        version = store.scalar("PRAGMA user_version")
        if version != migrations.LATEST:
            return fail(f"数据库格式为第 {version} 版，需先用本程序打开一次完成升级后再统计：{path}")
        from models.exchange import identity
        if identity.is_county(store):          # a county: its townships' latest 报送 and their sum
            from desktop.commands._county_figures import print_county
            return print_county(store, today, as_of, args)
        try:
            f = figures.figures(store, today, as_of)
        except figures.NotKnown as exc:
            return fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign file: one line, not a traceback
        import sqlite3
        if isinstance(exc, sqlite3.DatabaseError):
            return fail(f"数据库文件无法读取：{path}（{exc}）")
        raise
    finally:
        store.conn.close()
    text = [f"统计截至：{f.as_of.year}年{f.as_of.month}月{f.as_of.day}日日终" + ("（今天）" if f.now else ""),
            *figures.lines(f), "口径：", *[f"　　{d.name}：{d.basis}" for d in figures.DEFINITIONS.values()]]
    emit(args, f.to_json(), text)
    return 0
