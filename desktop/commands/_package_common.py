"""What every ``package`` step shares: the moment taken as now (``--now``, for scripts and
tests), the acting account proven, the step run on the store, one Chinese line for a refused
package, and the store closed whatever happens."""
from __future__ import annotations

import datetime as _dt
from typing import Any, Callable

from desktop.commands._common import fail, open_store

OFFICE = ("办公室",)


def now_of(args) -> _dt.datetime | None:
    """``--now`` as a moment (ValueError when not written as one), or None for the clock."""
    return _dt.datetime.fromisoformat(args.now) if getattr(args, "now", None) else None


def run_step(args, step: Callable[[Any, _dt.datetime | None], dict], *,
             roles: tuple[str, ...] | None = OFFICE) -> dict | int:
    """``step(store, now)`` on the database of ``args`` opened for writing by the acting
    account; its summary, or the exit code with the one line already printed."""
    from models.exchange import PackageRefused
    try:
        now = now_of(args)
    except ValueError:
        return fail(f"时间格式不对：{args.now}")
    store, code = open_store(args, write=True, roles=roles)
    if store is None:
        return code
    try:
        return step(store, now)
    except PackageRefused as exc:
        return fail(str(exc))
    finally:
        store.close()
