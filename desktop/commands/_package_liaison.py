"""package export / import / decide for 专班副本 and 专班回报包 (office ↔ liaison). Routed here by
``package``."""
from __future__ import annotations

from desktop.commands._common import add_db, fail


def register_decide(words) -> None:
    d = words.add_parser("decide", help="办公室裁定专班回报包中双方都改过的记录")
    add_db(d)
    d.set_defaults(func=cmd_decide)


def cmd_export(args) -> int:
    return fail("专班副本尚未实现")


def cmd_import(args) -> int:
    return fail("专班回报包尚未实现")


def cmd_decide(args) -> int:
    return fail("专班回报包尚未实现")
