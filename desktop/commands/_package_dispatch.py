"""package export / import for 下发包 (county → townships). Routed here by ``package``."""
from __future__ import annotations

from desktop.commands._common import fail


def cmd_export(args) -> int:
    return fail("县级汇总数据库的下发包尚未实现")


def cmd_import(args) -> int:
    return fail("下发包尚未实现")
