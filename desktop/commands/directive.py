"""directive: 县级督办事项 (kept by a county database, sent down in its 下发包)."""
from __future__ import annotations

from desktop.commands._common import add_db, fail


def register(sub) -> None:
    p = sub.add_parser("directive", help="县级督办事项：登记、查看（随下发包发往乡镇）")
    add_db(p)
    p.set_defaults(func=lambda args: fail("督办事项尚未实现"))
