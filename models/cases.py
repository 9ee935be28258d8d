"""The life of a case: registration, deadline in working days, status flow,
major / sensitive flags and warnings."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Sequence

from models.db import Store, now_text
from models.ledger import effects, registry
from models.ledger.repo import LedgerRepo, Query, ValidationError
from models.ledger.service import LedgerService, service
from models.ledgers.cases import CLOSED_STATUSES, STATUSES, closed_sql
from models.money_ties import case_ties
from models.paid_rule import unpaid_resolved
from models.rules.workdays import WorkCalendar, parse_schedule_text, schedule_to_text

# status → the statuses it may move to
FLOW: dict[str, tuple[str, ...]] = {
    "待核实": ("化解中", "不存在欠薪", "已移送"),
    "化解中": ("已化解", "已移送", "不存在欠薪"),
    "已化解": ("化解中",),
    "已移送": ("化解中",),
    "不存在欠薪": ("待核实",),
}

def import_flow(status: str | None) -> tuple[str, ...]:
    """The statuses a change of a whole record (an import of a newer ledger) may set: the flow's
    next steps, and from 待核实 also those after 化解中 (the office's sheet may have moved a case
    on twice between two imports), never a step back the flow does not allow."""
    nxt = FLOW.get(status or "", ())
    if status == "待核实":
        nxt = nxt + tuple(s for s in FLOW["化解中"] if s not in nxt)
    return nxt


DEFAULT_SETTINGS = {
    "warn.due_soon_days": 3,          # 即将到期: due within N working days
    "warn.stalled_days": 10,          # 久拖未动: no change for N days
    "major.workers": 30,              # 重大: 30 workers or more
    "major.amount_fen": 100_000_000,  # 重大: 100 万元 or more
    "case.deadline_days": 15,         # default 办结时限 in working days
}

WARNING_KINDS = ("逾期", "即将到期", "久拖未动", "重大", "敏感")
WARNING_COLOURS = {"逾期": "#f8d7da", "即将到期": "#fff3cd", "久拖未动": "#e2e3e5",
                   "重大": "#fde2cf", "敏感": "#e7dcf5"}


def setting(store: Store, key: str) -> int:
    return int(store.get_setting(key, DEFAULT_SETTINGS[key]))


# -- calendar ----------------------------------------------------------------------
def load_calendar(store: Store) -> WorkCalendar:
    overrides = {}
    for r in store.query("SELECT year, schedule_text FROM calendar_year"):
        overrides[r["year"]] = parse_schedule_text(r["year"], r["schedule_text"])
    return WorkCalendar(overrides)


def save_calendar_year(store: Store, year: int, text: str) -> None:
    """Store the office's entry of a year's holiday schedule (checked first)."""
    schedule = parse_schedule_text(year, text)
    WorkCalendar({year: schedule})           # rejects contradictions
    canonical = schedule_to_text(schedule)
    with store.tx():
        store.execute("INSERT INTO calendar_year(uuid, year, schedule_text, updated_at) "
                      "VALUES (qq_uuid(), ?, ?, qq_now()) ON CONFLICT(year) DO UPDATE SET "
                      "schedule_text = excluded.schedule_text, updated_at = excluded.updated_at",
                      (year, canonical))


def calendar_notice(cal: WorkCalendar, start: _dt.date, end: _dt.date) -> str:
    """What to say on screen and in reports when a year's holidays are not known."""
    years = cal.unknown_years_in(start, end)
    if not years:
        return ""
    ys = "、".join(str(y) for y in years)
    return (f"{ys}年法定节假日安排尚未录入，期限暂按周末计算（未计节假日和调休）。"
            "请在“专项行动设置 → 节假日安排”中录入国务院公布的安排。")


# -- cases ---------------------------------------------------------------------------
def repo(store: Store) -> LedgerRepo:
    return LedgerRepo(store, registry.get("cases"))


def next_case_no(store: Store, on: _dt.date) -> str:
    prefix = f"QQ{on.year}-"
    last = store.scalar("SELECT case_no FROM case_record WHERE case_no LIKE ? ORDER BY case_no DESC LIMIT 1",
                        (prefix + "%",))
    n = int(last.rsplit("-", 1)[1]) + 1 if last and last.rsplit("-", 1)[1].isdigit() else 1
    return f"{prefix}{n:04d}"


def apply_flags(store: Store, values: dict) -> dict:
    """Major when workers or amount reach the thresholds (unless set by hand)."""
    _flag(values, (setting(store, "major.workers"), setting(store, "major.amount_fen")))
    return values


def compute_deadline(cal: WorkCalendar, registered_on: str, days: int | None) -> str | None:
    if not registered_on or not days:
        return None
    return cal.add_workdays(_dt.date.fromisoformat(registered_on), int(days)).isoformat()


@service("cases")
class CaseService(LedgerService):
    """The case ledger's rules, for every path: a new case gets its number, its deadline in
    working days, its 重大 flag, its first status-log entry and its latest-activity date; a
    change keeps the deadline, the flag, the status log and 办结日期 in step. A form's save is
    a batch of one; an import is one batch."""

    def __init__(self, store: Store, ledger=None, *, today: _dt.date | None = None,
                 cal: WorkCalendar | None = None) -> None:
        super().__init__(store, ledger, today=today)
        self._cal = cal
        self._logs: list[tuple] = []           # status changes noted by prepare_change

    @property
    def cal(self) -> WorkCalendar:
        if self._cal is None:
            self._cal = load_calendar(self.store)
        return self._cal

    def defaults(self) -> dict:
        return {"registered_on": self.today.isoformat(), "status": "待核实",
                "deadline_days": setting(self.store, "case.deadline_days"),
                "case_no": next_case_no(self.store, self.today)}

    # -- new cases ----------------------------------------------------------------------
    def prepare_new(self, rows: list[dict]) -> None:
        if not rows:
            return
        today = self.today.isoformat()
        days = setting(self.store, "case.deadline_days")
        limits = (setting(self.store, "major.workers"), setting(self.store, "major.amount_fen"))
        numbers: dict[str, int] = {}
        for v in rows:
            if not v.get("registered_on"):
                v["registered_on"] = today
            if not v.get("status"):
                v["status"] = "待核实"
            if not v.get("case_no"):
                v["case_no"] = self._next_no(v["registered_on"], numbers)
            if not v.get("deadline_days"):
                v["deadline_days"] = days
            if not v.get("deadline"):
                v["deadline"] = compute_deadline(self.cal, v["registered_on"], v["deadline_days"])
            _flag(v, limits)
            v.setdefault("is_sensitive", 0)
            if v["status"] not in CLOSED_STATUSES:
                v["closed_on"] = None
            else:
                v.setdefault("closed_on", None)
            v["last_activity_on"] = max(d for d in (v["registered_on"], v.get("closed_on"),
                                                    v.get("last_activity_on")) if d)

    def _next_no(self, registered_on: str, numbers: dict[str, int]) -> str:
        prefix = f"QQ{registered_on[:4]}-"
        if prefix not in numbers:
            last = next_case_no(self.store, _dt.date.fromisoformat(registered_on))
            numbers[prefix] = int(last.rsplit("-", 1)[1]) - 1
        numbers[prefix] += 1
        return f"{prefix}{numbers[prefix]:04d}"

    def check_new(self, row: dict) -> list[tuple[str, str]]:
        return self.check_new_batch([row])[0]

    def check_new_batch(self, rows: list[dict]) -> list[list[tuple[str, str]]]:
        """A case number is used once (recycled cases included): one query for all rows."""
        nos = sorted({v["case_no"] for v in rows})
        taken = set()
        for start in range(0, len(nos), 500):
            part = nos[start:start + 500]
            taken |= {r[0] for r in self.store.query(
                f"SELECT case_no FROM case_record WHERE case_no IN ({','.join('?' * len(part))})", part)}
        out = [[("case_no", f"编号 {v['case_no']} 已存在")] if v["case_no"] in taken else [] for v in rows]
        for i, v in enumerate(rows):                # 已付 above 欠薪金额 (a file without 欠薪金额 owes 0)
            p = v.get("paid_fen")
            if p and p > (v.get("amount_fen") or 0):
                from models.paid_rule import paid_problems
                out[i] = out[i] + paid_problems(self.store, v, "该问题")
        if any(v.get("status") == "已化解" for v in rows):
            from models import attachments
            if attachments.proof_required(self.store):
                for v, problems in zip(rows, out):
                    if v.get("status") == "已化解":
                        problems.append(("status", "新登记的问题还没有附件，" + attachments.PROOF_MESSAGE
                                         + "（可先以“化解中”导入）"))
        return out

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        """A status changed by an import (or any write through the service) keeps the rules of
        the form's 变更状态 (``change_status``): along the flow (a newer ledger may have taken a
        case from 待核实 past 化解中 in one step, never back), a 核处结论 to close it, nothing
        left unpaid for 已化解 (the row's own amounts counted), no repayment for 不存在欠薪, and
        its 付款凭证 when the office requires one (``cases.require_payment_proof``)."""
        if {"paid_fen", "amount_fen"} & set(changes) and not current.get("w_count"):
            from models.paid_rule import paid_problems      # a case without a roster: its own 已付
            found = paid_problems(self.store, {**current, **changes}, "该问题",
                                  case_id=record_id if "paid_fen" in changes else None)
            if found:
                return found
        old, new = current.get("status"), changes.get("status", current.get("status"))
        if new == old:
            return []
        allowed = import_flow(old)
        if new not in allowed:
            return [("status", f"状态不能从“{old}”直接改为“{new}”（可改为：{'、'.join(allowed) or '无'}）")]
        verdict = changes.get("verdict", current.get("verdict"))
        return self.closing_problems(record_id, {**current, **changes}, new, verdict)

    def closing_problems(self, case_id: int, merged: dict, new: str, verdict) -> list[tuple[str, str]]:
        """What closes a case (``new``), for the form's 变更状态 and a whole-record change alike: a
        核处结论; for 已化解 nothing left unpaid (the record's amounts as the change leaves them,
        its workers' where it lists them) and its 付款凭证 when the office requires one; for
        不存在欠薪 no repayment."""
        from models.values import fen_to_yuan_text
        if new not in CLOSED_STATUSES:
            return []
        if not str(verdict or "").strip():
            return [("verdict", "办结须填写核处结论")]
        roster = bool(merged.get("w_count"))
        owed = int((merged.get("w_owed_fen") if roster else merged.get("amount_fen")) or 0)
        paid = int((merged.get("w_paid_fen") if roster else merged.get("paid_fen")) or 0)
        if new == "已化解":
            if owed > paid:
                return [("status", unpaid_resolved(owed - paid))]
            from models import attachments
            if attachments.proof_required(self.store) and attachments.cases_without_proof(self.store, [case_id]):
                return [("status", attachments.PROOF_MESSAGE)]
        if new == "不存在欠薪":
            booked = int(self.store.scalar("SELECT COALESCE(SUM(amount_fen), 0) FROM repayment WHERE case_id = ? "
                                           "AND deleted_at IS NULL", (case_id,), 0)) or paid
            if booked > 0:
                return [("status", f"本问题已登记兑付 {fen_to_yuan_text(booked)} 元，不能标为不存在欠薪"
                                   "（如兑付确属误登，请先把兑付记录移入回收站）")]
        return []

    def after_insert(self, ids: Sequence[int]) -> None:
        """The first status-log entries: 登记 on the registration date; a case that arrives
        already closed (an old ledger) also gets its 办结 entry, on its 办结日期 when the file
        gives one; without it the entry says the date is not known."""
        user = self.store.user
        closed = _in(CLOSED_STATUSES)
        for part in _chunks(ids):
            marks = ",".join("?" * len(part))
            self.store.execute(
                "INSERT INTO case_status_log(case_id, from_status, to_status, changed_on, user, note) "
                f"SELECT id, NULL, CASE WHEN status IN {closed} AND closed_on IS NOT NULL THEN '待核实' "
                f"ELSE status END, registered_on, ?, '登记' FROM case_record WHERE id IN ({marks}) ORDER BY id",
                [user, *part])
            self.store.execute(
                "INSERT INTO case_status_log(case_id, from_status, to_status, changed_on, user, note) "
                f"SELECT id, '待核实', status, closed_on, ?, '办结' FROM case_record "
                f"WHERE id IN ({marks}) AND status IN {closed} AND closed_on IS NOT NULL ORDER BY id",
                [user, *part])

    # -- changes ------------------------------------------------------------------------
    def prepare_change(self, record_id: int, current: dict, changes: dict) -> None:
        """A changed registration date or number of working days moves the deadline; a changed
        headcount or amount re-applies the 重大 thresholds; a status that changes (an import of a
        newer ledger) is logged and sets or clears 办结日期."""
        if not changes:
            return
        if ("registered_on" in changes or "deadline_days" in changes) and "deadline" not in changes:
            changes["deadline"] = compute_deadline(
                self.cal, changes.get("registered_on", current["registered_on"]),
                changes.get("deadline_days", current["deadline_days"]))
        if {"workers_count", "amount_fen", "is_major"} & set(changes):
            merged = {**current, **changes}
            if not merged.get("flags_manual"):
                _flag(merged, (setting(self.store, "major.workers"), setting(self.store, "major.amount_fen")))
                if merged["is_major"] != current["is_major"] or "is_major" in changes:
                    changes["is_major"] = merged["is_major"]
        old, new = current["status"], changes.get("status", current["status"])
        if new != old:
            closed_on = changes.get("closed_on") or current.get("closed_on")
            if new in CLOSED_STATUSES:
                on = closed_on if (closed_on and old not in CLOSED_STATUSES and "closed_on" in changes) \
                    else self.today.isoformat()
                changes["closed_on"] = changes.get("closed_on") or on       # closed on the day the log says
            else:
                on = self.today.isoformat()
                changes["closed_on"] = None
            changes["status_changed_at"] = now_text()
            self._logs.append((record_id, old, new, on, self.store.user, self.source or "修改"))
        activity = max(d for d in (current.get("last_activity_on"), self.today.isoformat(),
                                   changes.get("closed_on")) if d)
        if activity != current.get("last_activity_on"):
            changes["last_activity_on"] = activity

    def after_update(self, ids: Sequence[int]) -> None:
        if self._logs:
            self.store.executemany(
                "INSERT INTO case_status_log(case_id, from_status, to_status, changed_on, user, note) "
                "VALUES (?, ?, ?, ?, ?, ?)", self._logs)
            self._logs = []

    def recycle(self, record_ids: Sequence[int], reason: str = "") -> None:
        """Refused for a case paid from funds or by an advance (``models.money_ties.case_ties``):
        the fund would keep counting money paid to a case no figure holds any more."""
        with self.store.tx(reason):
            for cid in record_ids:
                problems = case_ties(self.store, cid)
                if problems:
                    raise ValidationError(problems, self.ledger)
            self.repo.recycle(record_ids, reason)

    # -- the status flow (the form's 变更状态) ---------------------------------------------
    def change_status(self, case_id: int, change: "StatusChange") -> None:
        row = self.current(case_id)
        old, new = row["status"], change.to_status
        if new not in STATUSES:
            raise ValidationError([("status", f"状态“{new}”无效")])
        if new not in FLOW.get(old, ()):
            allowed = "、".join(FLOW.get(old, ())) or "无"
            raise ValidationError([("status", f"状态不能从“{old}”直接改为“{new}”（可改为：{allowed}）")])
        if change.on < row["registered_on"]:
            raise ValidationError([("status", f"状态变更日期 {change.on} 早于登记日期 {row['registered_on']}")])
        values: dict = {"status": new, "status_changed_at": now_text()}
        verdict = change.verdict if change.verdict is not None else row["verdict"]
        problems = self.closing_problems(case_id, row, new, verdict)
        if problems:
            raise ValidationError(problems)
        if new in CLOSED_STATUSES:
            values["closed_on"] = change.on
            if new == "已化解":
                values["resolved_count"] = row["total_workers"]
                values["resolved_fen"] = row["total_paid_fen"]
        else:
            values["closed_on"] = None
        values["verdict"] = verdict
        if change.resolution_path is not None:
            values["resolution_path"] = change.resolution_path
        values["last_activity_on"] = max(d for d in (row.get("last_activity_on"), change.on) if d)
        with self.store.tx(change.note), effects.tracking(self.store.conn, "case_record", [case_id]):
            self.store.update("case_record", case_id, values)
            self.store.execute("INSERT INTO case_status_log(case_id, from_status, to_status, changed_on, user, note) "
                               "VALUES (?, ?, ?, ?, ?, ?)", (case_id, old, new, change.on, self.store.user,
                                                             change.note))


def refresh_activity(store: Store, after_id: int = 0, with_edits: bool = False) -> None:
    """Set-based: each case's latest dated fact (registration, status log, live repayments; with
    ``with_edits`` also the day its row was last edited), for cases with id above ``after_id``.
    Used by loaders that write history directly (the demo)."""
    edits = ", substr(updated_at, 1, 10)" if with_edits else ""
    store.execute(
        "UPDATE case_record SET last_activity_on = MAX(COALESCE(last_activity_on, ''), substr(registered_on, 1, 10), "
        "COALESCE((SELECT substr(MAX(l.changed_on), 1, 10) FROM case_status_log l WHERE l.case_id = case_record.id), ''), "
        "COALESCE((SELECT substr(MAX(r.paid_on), 1, 10) FROM repayment r WHERE r.case_id = case_record.id "
        f"AND r.deleted_at IS NULL), ''){edits}) WHERE id > ?", (after_id,))


def _flag(values: dict, limits: tuple[int, int]) -> None:
    """重大 when the headcount or the amount reaches a threshold (unless set by hand)."""
    values.setdefault("is_major", 0)
    if values.get("flags_manual"):
        return
    workers, amount = values.get("workers_count") or 0, values.get("amount_fen") or 0
    if workers >= limits[0] or amount >= limits[1]:
        values["is_major"] = 1


def _in(texts: Sequence[str]) -> str:
    return "(" + ", ".join("'" + t.replace("'", "''") + "'" for t in texts) + ")"


def _chunks(ids: Sequence[int], size: int = 500):
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def register_case(store: Store, values: dict, cal: WorkCalendar | None = None,
                  today: _dt.date | None = None) -> int:
    """A new case typed in a form: number, deadline in working days, flags, first status entry."""
    svc = CaseService(store, today=today, cal=cal)
    svc.source = "登记"
    return svc.insert(values)


def edit_case(store: Store, case_id: int, values: dict, reason: str = "",
              cal: WorkCalendar | None = None, today: _dt.date | None = None) -> None:
    """Edit fields (not the status: use ``change_status``). The deadline follows
    a changed registration date or number of working days."""
    values = dict(values)
    values.pop("status", None)
    svc = CaseService(store, today=today, cal=cal)
    svc.update(case_id, values, reason)


@dataclass
class StatusChange:
    to_status: str
    on: str                       # ISO date
    note: str = ""
    verdict: str | None = None
    resolution_path: str | None = None


def change_status(store: Store, case_id: int, change: StatusChange) -> None:
    CaseService(store).change_status(case_id, change)


def status_log(store: Store, case_id: int) -> list[dict]:
    return [dict(r) for r in store.query(
        "SELECT from_status, to_status, changed_on, user, note FROM case_status_log WHERE case_id = ? ORDER BY id",
        (case_id,))]


def verdicts(store: Store) -> list[str]:
    return [r[0] for r in store.query("SELECT text FROM verdict_option ORDER BY sort, id")]


def set_verdicts(store: Store, texts: list[str]) -> None:
    texts = [t.strip() for t in texts if t.strip()]
    with store.tx():
        existing = {r["text"]: r["id"] for r in store.query("SELECT id, text FROM verdict_option")}
        for t, vid in existing.items():
            if t not in texts:
                store.execute("DELETE FROM verdict_option WHERE id = ?", (vid,))
        for i, t in enumerate(texts):
            if t in existing:
                store.execute("UPDATE verdict_option SET sort = ? WHERE id = ?", (i, existing[t]))
            else:
                store.insert("verdict_option", {"text": t, "sort": i})


# -- warnings -----------------------------------------------------------------------
# Each warning is written once, as conditions on a case's stored columns; the SQL that counts and
# lists them and the Python that colours a table row are both made from these (tested equal).
# (column, operator, what it is compared with); every warning is about open cases only.
WARNING_RULES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "逾期": (("deadline", "<", "today"),),
    "即将到期": (("deadline", ">=", "today"), ("deadline", "<=", "soon")),
    "久拖未动": (("last_activity_on", "<", "stalled_before"),),
    "重大": (("is_major", "=", "one"),),
    "敏感": (("is_sensitive", "=", "one"),),
}
OPEN_SQL = closed_sql("t", closed=False)
_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b, "=": lambda a, b: a == b}


def warning_bounds(store: Store, today: _dt.date, cal: WorkCalendar | None = None) -> dict[str, object]:
    """The values the warning rules compare with, for ``today``: the thresholds are settings."""
    cal = cal or load_calendar(store)
    return {"today": today.isoformat(),
            "soon": cal.add_workdays(today, setting(store, "warn.due_soon_days")).isoformat(),
            "stalled_before": (today - _dt.timedelta(days=setting(store, "warn.stalled_days"))).isoformat(),
            "one": 1}


def warning_conditions(store: Store, today: _dt.date, cal: WorkCalendar | None = None,
                       alias: str = "t") -> dict[str, tuple[str, list]]:
    """SQL condition per warning kind, over ``case_record {alias}``."""
    bounds = warning_bounds(store, today, cal)
    open_sql = closed_sql(alias, closed=False)
    out = {}
    for kind, conds in WARNING_RULES.items():
        sql = " AND ".join([open_sql] + [f"{alias}.{col} IS NOT NULL AND {alias}.{col} {op} ?"
                                         for col, op, _ in conds])
        out[kind] = (sql, [bounds[b] for _, _, b in conds])
    return out


def warning_query(store: Store, kind: str, today: _dt.date) -> Query:
    sql, params = warning_conditions(store, today)[kind]
    return Query(extra=[(sql, params)], notes=[f"预警：{kind}"])


class Warner:
    """Decides a row's warnings in Python (for colouring table rows), from WARNING_RULES."""

    def __init__(self, store: Store, today: _dt.date | None = None) -> None:
        self.today = today or _dt.date.today()
        self.bounds = warning_bounds(store, self.today)

    def kinds(self, row: dict) -> list[str]:
        if row.get("status") in CLOSED_STATUSES:
            return []
        out = []
        for kind, conds in WARNING_RULES.items():
            if all(row.get(col) is not None and _OPS[op](row[col], self.bounds[b]) for col, op, b in conds):
                out.append(kind)
        return out

    def decorate(self, row: dict) -> tuple[str | None, str]:
        kinds = self.kinds(row)
        if not kinds:
            return None, ""
        return WARNING_COLOURS[kinds[0]], "预警：" + "、".join(kinds)


def warnings_summary(store: Store, today: _dt.date) -> dict[str, int]:
    out = {}
    for kind, (sql, params) in warning_conditions(store, today).items():
        out[kind] = int(store.scalar(f"SELECT COUNT(*) FROM case_record t WHERE t.deleted_at IS NULL AND {sql}",
                                     params, 0))
    return out


def warning_rows(store: Store, today: _dt.date, limit: int = 200) -> list[dict]:
    """Open warnings for the panel: (kind, case) pairs, most urgent first."""
    out = []
    for kind, (sql, params) in warning_conditions(store, today).items():
        for r in store.query(
                f"SELECT t.id, t.case_no, t.employer_name, t.project_name, t.deadline, t.status, t.owner_person, "
                f"(SELECT name FROM workstream w WHERE w.id = t.workstream_id) AS workstream, "
                f"t.total_owed_fen - t.total_paid_fen AS outstanding_fen, t.total_workers AS workers "
                f"FROM case_record t WHERE t.deleted_at IS NULL AND {sql} ORDER BY t.deadline LIMIT ?",
                [*params, limit]):
            out.append({"kind": kind, **dict(r)})
    return out
