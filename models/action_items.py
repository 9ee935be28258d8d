"""交办事项: the decisions of a 周调度会 (议定事项, numbered within their meeting as 期数-序号) and
the county's 督办事项 received in its 下发包 (no meeting; ``source`` 县督办), followed until 办结销号.
``models.meetings`` re-exports these names; the meeting's own rules live there.

Dates are checked once, here, for every path (window, command line):
- a progress line (办理进展, also 报办结) is dated neither after today nor before the item was
  given: its meeting's date, or for a 县督办 item the county's 交办日期 (when the 下发包 brought it);
  the lines are kept in date order, so the last is the latest;
- 办结销号 likewise: not after today, not before the meeting / the county's 交办日期.

A decision's number is never reused: the next number counts the items in the recycle bin too, and
an item coming back from the recycle bin is refused if its number has been given again.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Sequence

from models.db import Store
from models.ledger import registry
from models.ledger.repo import LedgerRepo, ValidationError
from models.ledger.service import LedgerService, service
from models.ledgers.meetings import OPEN_ITEM_SQL

# an action item sent down by the county (a 督办事项 received in its 下发包): source = '县督办'
SOURCE_SQL = "(SELECT '县督办' FROM directive_received r WHERE r.uuid = t.uuid) AS source"
_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})\b")


class MeetingClosed(ValidationError):
    def __init__(self, message: str = "会议已关闭，内容只读；如需更正请说明理由") -> None:
        super().__init__([("status", message)])


def source_sql(store: Store, alias: str = "t") -> str:
    """``SOURCE_SQL`` (over the items as ``alias``), or NULL on a database read as it is from
    before the 下发 (a backup, read-only)."""
    known = store.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'directive_received'")
    return SOURCE_SQL.replace("t.uuid", f"{alias}.uuid") if known else "NULL AS source"


def repo(store: Store) -> LedgerRepo:
    return LedgerRepo(store, registry.get("action_items"))


def check_meeting_open(store: Store, meeting_id: int) -> dict:
    row = store.one("SELECT * FROM meeting WHERE id = ? AND deleted_at IS NULL", (meeting_id,))
    if row is None:
        raise ValidationError([("meeting_no", f"没有 id 为 {meeting_id} 的会议")])
    if row["status"] == "已关闭":
        raise MeetingClosed()
    return dict(row)


# -- decisions ----------------------------------------------------------------------------
def _ws_id(store: Store, workstream: int | str | None) -> int | None:
    if workstream is None or isinstance(workstream, int):
        return workstream
    wid = store.scalar("SELECT id FROM workstream WHERE name = ? ORDER BY id DESC LIMIT 1", (workstream,))
    if wid is None:
        raise ValidationError([("workstream_id", f"没有名为“{workstream}”的专班")])
    return int(wid)


def add_decision(store: Store, meeting_id: int, content: str, workstream: int | str | None,
                 owner: str, due: _dt.date | str | None) -> int:
    """议定事项 → 交办事项 (待办), numbered within the meeting. A number once given is not given
    again, even when its item is in the recycle bin (it may come back)."""
    check_meeting_open(store, meeting_id)
    with store.tx():
        no = int(store.scalar("SELECT COALESCE(MAX(decision_no), 0) + 1 FROM action_item WHERE meeting_id = ?",
                              (meeting_id,), 1))
        return repo(store).insert({
            "meeting_id": meeting_id, "decision_no": no, "content": (content or "").strip(),
            "workstream_id": _ws_id(store, workstream), "owner_person": (owner or "").strip(),
            "due_date": str(due) if due else None, "status": "待办"})


def remove_decision(store: Store, item_id: int, reason: str = "") -> None:
    """A decision moved to the recycle bin. ``reason``: the person's 修改理由, needed when the
    item belongs to a ledger signed off since it was made (删除议定事项 is only the program's label)."""
    row = store.one("SELECT meeting_id FROM action_item WHERE id = ?", (item_id,))
    if row and row["meeting_id"]:
        check_meeting_open(store, row["meeting_id"])
    with store.tx((reason or "").strip(), label="删除议定事项"):
        _items_service(store).recycle([item_id])


def number_taken(store: Store, item_id: int) -> str:
    """Why ``item_id`` cannot come back from the recycle bin under its number, or ''."""
    row = store.one("SELECT t.meeting_id, t.decision_no, t.content, m.meeting_no FROM action_item t "
                    "LEFT JOIN meeting m ON m.id = t.meeting_id WHERE t.id = ?", (item_id,))
    if row is None or not row["meeting_id"] or not row["decision_no"]:
        return ""
    other = store.one("SELECT content FROM action_item WHERE meeting_id = ? AND decision_no = ? AND id != ? "
                      "AND deleted_at IS NULL", (row["meeting_id"], row["decision_no"], item_id))
    if other is None:
        return ""
    ref = f"{row['meeting_no']}-{row['decision_no']}"
    return (f"第{row['meeting_no']}期第{row['decision_no']}项（{ref}）已是“{other['content']}”，恢复“{row['content']}”"
            f"会使两项交办事项同为 {ref}，未恢复")


@service("action_items")
class ActionItemService(LedgerService):
    """交办事项: the plain rules, and a restore that keeps 期数-序号 unique."""

    def restore(self, record_ids: Sequence[int], reason: str = "") -> None:
        problems = [("decision_no", why) for why in (number_taken(self.store, rid) for rid in record_ids) if why]
        if problems:
            raise ValidationError(problems, self.ledger)
        super().restore(record_ids, reason)


def decisions(store: Store, meeting_id: int, today: _dt.date | None = None) -> list[dict]:
    ref = (today or _dt.date.today()).isoformat()
    return [{**dict(r), "state": effective_status(dict(r), ref)} for r in store.query(
        f"SELECT t.*, w.name AS workstream, {source_sql(store)} FROM action_item t "
        "LEFT JOIN workstream w ON w.id = t.workstream_id "
        "WHERE t.meeting_id = ? AND t.deleted_at IS NULL ORDER BY t.decision_no, t.id", (meeting_id,))]


def effective_status(row: dict, on: str) -> str:
    """逾期 is computed: not 已办结 and 完成时限 before ``on``. An imported 逾期 reads as 办理中."""
    if row.get("status") == "已办结":
        return "已办结"
    if row.get("due_date") and row["due_date"] < on:
        return "逾期"
    return "办理中" if row.get("status") == "逾期" else (row.get("status") or "待办")


def open_items(store: Store, today: _dt.date, include_closed: bool = False) -> list[dict]:
    where = "t.deleted_at IS NULL" + ("" if include_closed else f" AND {OPEN_ITEM_SQL}")
    ref = today.isoformat()
    return [{**dict(r), "state": effective_status(dict(r), ref)} for r in store.query(
        f"SELECT t.*, m.meeting_no, m.date AS meeting_date, w.name AS workstream, {source_sql(store)} FROM action_item t "
        "LEFT JOIN meeting m ON m.id = t.meeting_id LEFT JOIN workstream w ON w.id = t.workstream_id "
        f"WHERE {where} ORDER BY t.status = '已办结', t.due_date IS NULL, t.due_date, m.meeting_no, t.decision_no")]


def overdue_items(store: Store, today: _dt.date) -> list[dict]:
    return [r for r in open_items(store, today) if r["state"] == "逾期"]


# -- following an item up -------------------------------------------------------------------
def _live_item(store: Store, item_id: int) -> dict:
    row = store.one(f"SELECT t.*, m.date AS meeting_date, m.meeting_no, {source_sql(store)} FROM action_item t "
                    "LEFT JOIN meeting m ON m.id = t.meeting_id WHERE t.id = ?", (item_id,))
    if row is None:
        raise ValidationError([("id", f"没有编号为 {item_id} 的交办事项")])
    if row["deleted_at"]:
        raise ValidationError([("id", "该交办事项已移入回收站，不能再登记进展或办结")])
    return {**dict(row), "issued_on": None if row["meeting_id"] else _issued_on(store, row["uuid"])}


def _items_service(store: Store):
    from models.ledger.service import service_for
    return service_for(store, "action_items")


def check_item_day(item: dict, on: _dt.date | str, what: str, today: _dt.date | None = None) -> str:
    """``on`` as ISO text, when it is a possible date for ``what`` (进展日期, 办结日期) on ``item``:
    not after today, not before its meeting (a 县督办 item: the county's 交办日期, ``issued_on``).
    Else a ValidationError naming both dates."""
    day = str(on)[:10]
    try:
        _dt.date.fromisoformat(day)
    except ValueError:
        raise ValidationError([("closed_on", f"{what}“{on}”不是日期（应为 YYYY-MM-DD）")]) from None
    today = today or _dt.date.today()
    if day > today.isoformat():
        raise ValidationError([("closed_on", f"{what} {day} 在今天（{today.isoformat()}）之后")])
    if item.get("meeting_date"):
        if day < item["meeting_date"]:
            raise ValidationError([("closed_on", f"{what} {day} 早于交办的会议日期 {item['meeting_date']}")])
    elif item.get("issued_on") and day < item["issued_on"]:
        raise ValidationError([("closed_on", f"{what} {day} 早于县级交办该督办事项的日期 {item['issued_on']}")])
    return day


def _issued_on(store: Store, uuid: str) -> str | None:
    """The county's 交办日期 of a 县督办 item, when the 下发包 brought it (``directive_received.issued_on``);
    None for other items, or on a database that does not keep it."""
    cols = {r[1] for r in store.query("PRAGMA table_info(directive_received)")}
    if "issued_on" not in cols:
        return None
    return store.scalar("SELECT issued_on FROM directive_received WHERE uuid = ?", (uuid,))


def _in_date_order(old: str, line: str, day: str) -> str:
    """``line`` put among the dated lines of ``old`` after every line dated ``day`` or earlier."""
    lines = [x for x in (old or "").splitlines() if x.strip()]
    at = len(lines)
    while at > 0:
        m = _DATED.match(lines[at - 1].strip())
        if m and m.group(1) > day:
            at -= 1
            continue
        break
    return "\n".join(lines[:at] + [line] + lines[at:])


def add_progress(store: Store, item_id: int, note: str, on: _dt.date | str, who: str = "",
                 today: _dt.date | None = None, reason: str = "") -> None:
    """One dated line added to the item's 办理进展 (through the ledger's write service), in date order.
    The note is what was done, never a 修改理由: ``reason`` is the person's own, needed when the
    item belongs to a ledger signed off since it was made."""
    note = (note or "").strip()
    if not note:
        raise ValidationError([("progress", "进展内容不能为空")])
    with store.tx((reason or "").strip()):
        item = _live_item(store, item_id)
        day = check_item_day(item, on, "进展日期", today)
        line = f"{day} {who + '：' if who else ''}{note}"
        _items_service(store).update(item_id, {"progress": _in_date_order(item["progress"] or "", line, day)})


_STATUS_LABEL = {"待办": "交办事项改为待办", "办理中": "交办事项开始办理", "已办结": "办结销号"}


def set_item_status(store: Store, item_id: int, status: str, on: _dt.date | str, note: str = "",
                    today: _dt.date | None = None, reason: str = "") -> None:
    """待办 / 办理中 / 已办结 (办结销号, dated). 逾期 is never stored: it follows from the date.
    ``note`` becomes a progress line; ``reason`` is the person's 修改理由 (a signed ledger's item),
    kept apart: a note never opens the sign-off lock."""
    if status not in ("待办", "办理中", "已办结"):
        raise ValidationError([("status", f"状态“{status}”不能直接设置（逾期由完成时限自动判断）")])
    with store.tx((reason or "").strip(), label=_STATUS_LABEL[status]):
        item = _live_item(store, item_id)
        day = check_item_day(item, on, "办结日期" if status == "已办结" else "日期", today)
        _items_service(store).update(item_id, {"status": status,
                                               "closed_on": day if status == "已办结" else None})
        if note:
            add_progress(store, item_id, note, day, today=today)


def close_item(store: Store, item_id: int, on: _dt.date | str, note: str = "", today: _dt.date | None = None,
               reason: str = "") -> None:
    """办结销号. Without a note the progress line reads 办结销号; that is no 修改理由."""
    set_item_status(store, item_id, "已办结", on, note or "办结销号", today, reason=reason)
