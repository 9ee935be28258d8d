"""What the commands that do the window's work share: a nested command word (``meeting create``),
the acting account's write, one Chinese line for every refusal, and the few look-ups by name
(a workstream, a case, a meeting, an action item) the window does by picking from a list."""
from __future__ import annotations

import argparse
import datetime as _dt

from desktop.commands._common import add_db, add_json, fail, open_store

OFFICE = ("办公室",)


class NotFound(LookupError):
    """What the command names (a workstream, a case, a meeting …) is not there: one Chinese line."""
OFFICE_OR_FILLER = ("办公室", "专班填报员")


def actions(sub, word: str, help_text: str, description: str = ""):
    """The command word's own sub-commands (``qingqian WORD ACTION …``)."""
    p = sub.add_parser(word, help=help_text, description=description or help_text)
    return p.add_subparsers(dest="action", required=True, metavar="操作", title="操作",
                            parser_class=type(p))


def action(subs, name: str, help_text: str, func, *, today: bool = True) -> argparse.ArgumentParser:
    """One action: --db / --user / --json, and the hidden --today scripts and tests set."""
    p = subs.add_parser(name, help=help_text, description=help_text)
    add_db(p)
    add_json(p)
    if today:
        p.add_argument("--today", help=argparse.SUPPRESS)     # the day taken as today (scripts and tests)
    p.set_defaults(func=func)
    return p


def today_of(args) -> _dt.date:
    text = getattr(args, "today", None)
    if not text:
        return _dt.date.today()
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"日期格式不对：{text}（应为 YYYY-MM-DD）") from None


def parse_day(text: str | None, what: str, default: _dt.date | None = None) -> str | None:
    """A date as a clerk writes it (2026-12-01, 2026/12/1, 2026年12月1日, 20261201) → ISO text."""
    from desktop.commands._common import DayProblem, day_of
    if text is None or not str(text).strip():
        return default.isoformat() if default else None
    try:
        return day_of(text).isoformat()
    except DayProblem as exc:
        raise ValueError(f"{what}：{exc}") from None


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split("\n")).strip() or type(exc).__name__


def run(args, work, *, roles: tuple[str, ...] | None, write: bool = True) -> int:
    """Open the store (with the acting account proven when it writes), do ``work(store)``, and
    turn what the models refuse into one Chinese line on standard error (exit 2)."""
    from models.db import PermissionDenied, StoreError
    try:
        today_of(args)
    except ValueError as exc:
        return fail(str(exc))
    store, code = open_store(args, write=write, roles=roles)
    if store is None:
        return code
    try:
        return int(work(store) or 0)
    except (ValueError, PermissionDenied, StoreError, NotFound) as exc:   # ValidationError, ValueProblem
        return fail(one_line(exc))
    finally:
        store.close()


def who(store) -> str:
    """The acting person, as progress notes name them."""
    a = store.actor
    return (a.display_name or a.username) if a is not None else (store.user or "")


# -- look-ups by name ---------------------------------------------------------------------
def workstream(store, name: str | None, *, office_ok: bool = False) -> int | None:
    """A workstream by its name or an unambiguous part of it (欠薪化解 → 欠薪化解专班); with
    ``office_ok``, 领导小组办公室 / 办公室 / nothing mean no workstream (an office item)."""
    from models import campaign
    text = (name or "").strip()
    if office_ok and text in ("", "领导小组办公室", "办公室", "无"):
        return None
    if not text:
        raise ValueError("请用 --workstream 指明专班")
    wss = campaign.workstreams(store)
    exact = [w for w in wss if w["name"] == text]
    if exact:
        return exact[0]["id"]
    near = [w for w in wss if text in w["name"]]
    if len(near) == 1:
        return near[0]["id"]
    names = "、".join(w["name"] for w in (near or wss))
    raise NotFound(f"专班“{text}”{'不唯一' if near else '不存在'}（{'可能是' if near else '现有'}：{names}）")


def workstream_name(store, ws_id: int | None) -> str:
    if ws_id is None:
        return "领导小组办公室"
    return store.scalar("SELECT name FROM workstream WHERE id = ?", (ws_id,), "")


def case_id(store, case_no: str) -> int:
    cid = store.scalar("SELECT id FROM case_record WHERE case_no = ? AND deleted_at IS NULL", (case_no.strip(),))
    if cid is None:
        raise NotFound(f"没有编号为“{case_no}”的欠薪问题（或已移入回收站）")
    return int(cid)


def worker_id(store, case: int, text: str) -> int:
    """A worker of the case by name or ID number (as the window's list shows them)."""
    rows = store.query("SELECT id FROM worker WHERE case_id = ? AND deleted_at IS NULL AND (name = ? OR id_number = ?)",
                       (case, text.strip(), text.strip().upper()))
    if not rows:
        raise NotFound(f"该问题的农民工名册中没有“{text}”")
    if len(rows) > 1:
        raise NotFound(f"该问题的农民工名册中有{len(rows)}人叫“{text}”，请改用身份证号码")
    return int(rows[0][0])


def meeting_id(store, ref: str) -> int:
    """``第12期`` / ``12`` (the meeting's number, else its record id)."""
    from models import meetings as M
    text = str(ref).strip().removeprefix("第").removesuffix("期")
    if not text.isdigit():
        raise ValueError(f"会议“{ref}”应写期数，如 13 或 第13期")
    return M.resolve_meeting(store, int(text))


def item_id(store, ref: str) -> int:
    """An action item: ``12-3`` (第12期第3项) or its record id."""
    text = str(ref).strip()
    if "-" in text:
        no, _, seq = text.partition("-")
        no = no.removeprefix("第").removesuffix("期")
        if not (no.isdigit() and seq.removesuffix("项").removeprefix("第").isdigit()):
            raise ValueError(f"交办事项“{ref}”应写成 期数-序号（如 12-3）或编号")
        row = store.one("SELECT t.id FROM action_item t JOIN meeting m ON m.id = t.meeting_id "
                        "WHERE m.meeting_no = ? AND t.decision_no = ? AND t.deleted_at IS NULL "
                        "AND m.deleted_at IS NULL",
                        (int(no), int(seq.removesuffix("项").removeprefix("第"))))
        if row is None:
            raise NotFound(f"没有第{no}期第{seq.removesuffix('项')}项交办事项")
        return int(row[0])
    if not text.isdigit():
        raise ValueError(f"交办事项“{ref}”应写成 期数-序号（如 12-3）或编号")
    if store.scalar("SELECT id FROM action_item WHERE id = ? AND deleted_at IS NULL", (int(text),)) is None:
        raise NotFound(f"没有编号为 {text} 的交办事项")
    return int(text)


SUB_FEN = "金额最多两位小数（分）"


def money(text: str, what: str = "金额") -> int:
    """An amount typed on the command line, in 分. One finer than a 分 (1.005, 0.004, 1.2345678万)
    is refused, not rounded: the person typed it and should say what was meant. (A file's cell is
    rounded with a note by the import, ``models.values.parse_money``.)"""
    from models.values import ValueProblem, parse_money
    try:
        fen = parse_money(text)
    except ValueProblem as exc:
        raise ValueError(f"{what}“{text}”看不懂：{exc}") from None
    if _finer_than_fen(text):
        raise ValueError(f"{what}“{text}”：{SUB_FEN}")
    return fen


def _finer_than_fen(text: str) -> bool:
    """Whether an amount ``parse_money`` read holds a part of a 分 (its exact value, unrounded)."""
    from decimal import Decimal, InvalidOperation
    from models.values import halfwidth
    t = halfwidth(str(text)).strip().replace(" ", "")
    for mark in ("￥", "¥", "RMB", "人民币", ","):
        t = t.replace(mark, "")
    if t.endswith("元整"):
        t = t[:-1]
    factor = 100
    if t.endswith("万元") or t.endswith("万"):
        t, factor = t[:-2] if t.endswith("万元") else t[:-1], 1_000_000
    elif t.endswith("元"):
        t = t[:-1]
    try:
        exact = Decimal(t) * factor
        return exact != exact.to_integral_value()
    except (InvalidOperation, ValueError):
        return False


def yuan(fen: int) -> str:
    from models.values import fen_to_yuan_text
    return fen_to_yuan_text(fen)


__all__ = ["actions", "action", "run", "fail", "today_of", "parse_day", "OFFICE", "OFFICE_OR_FILLER"]
