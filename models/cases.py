"""The life of a case: registration, deadline in working days, status flow,
major / sensitive flags and warnings."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from models.db import Store, now_text
from models.ledger import registry
from models.ledger.repo import LedgerRepo, Query, ValidationError
from models.ledgers.cases import CLOSED_STATUSES, STATUSES
from models.rules.workdays import WorkCalendar, parse_schedule_text, schedule_to_text

# status → the statuses it may move to
FLOW: dict[str, tuple[str, ...]] = {
    "待核实": ("化解中", "不存在欠薪", "已移送"),
    "化解中": ("已化解", "已移送", "不存在欠薪"),
    "已化解": ("化解中",),
    "已移送": ("化解中",),
    "不存在欠薪": ("待核实",),
}

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
    if values.get("flags_manual"):
        return values
    workers = values.get("workers_count") or 0
    amount = values.get("amount_fen") or 0
    if workers >= setting(store, "major.workers") or amount >= setting(store, "major.amount_fen"):
        values["is_major"] = 1
    return values


def compute_deadline(cal: WorkCalendar, registered_on: str, days: int | None) -> str | None:
    if not registered_on or not days:
        return None
    return cal.add_workdays(_dt.date.fromisoformat(registered_on), int(days)).isoformat()


def register_case(store: Store, values: dict, cal: WorkCalendar | None = None) -> int:
    """A new case: number, deadline in working days, flags, first status entry."""
    cal = cal or load_calendar(store)
    values = dict(values)
    values.setdefault("registered_on", _dt.date.today().isoformat())
    values.setdefault("status", "待核实")
    if not values.get("case_no"):
        values["case_no"] = next_case_no(store, _dt.date.fromisoformat(values["registered_on"]))
    if not values.get("deadline_days"):
        values["deadline_days"] = setting(store, "case.deadline_days")
    if not values.get("deadline"):
        values["deadline"] = compute_deadline(cal, values["registered_on"], values["deadline_days"])
    apply_flags(store, values)
    r = repo(store)
    with store.tx():
        if store.scalar("SELECT 1 FROM case_record WHERE case_no = ?", (values["case_no"],)):
            raise ValidationError([("case_no", f"编号 {values['case_no']} 已存在")], r.ledger)
        case_id = r.insert(values)
        store.execute("INSERT INTO case_status_log(case_id, from_status, to_status, changed_on, user, note) "
                      "VALUES (?, NULL, ?, ?, ?, '登记')",
                      (case_id, values["status"], values["registered_on"], store.user))
    return case_id


def edit_case(store: Store, case_id: int, values: dict, reason: str = "",
              cal: WorkCalendar | None = None) -> None:
    """Edit fields (not the status: use ``change_status``). The deadline follows
    a changed registration date or number of working days."""
    values = dict(values)
    values.pop("status", None)
    current = store.one("SELECT registered_on, deadline_days, deadline FROM case_record WHERE id = ?", (case_id,))
    if current is None:
        raise ValidationError([("case_no", "该问题不存在")])
    reg = values.get("registered_on", current["registered_on"])
    days = values.get("deadline_days", current["deadline_days"])
    if ("registered_on" in values or "deadline_days" in values) and "deadline" not in values:
        values["deadline"] = compute_deadline(cal or load_calendar(store), reg, days)
    if "workers_count" in values or "amount_fen" in values:
        merged = {**dict(store.one("SELECT workers_count, amount_fen, flags_manual FROM case_record WHERE id=?",
                                   (case_id,))), **values}
        apply_flags(store, merged)
        values["is_major"] = merged.get("is_major", 0)
    repo(store).update(case_id, values, reason)


@dataclass
class StatusChange:
    to_status: str
    on: str                       # ISO date
    note: str = ""
    verdict: str | None = None
    resolution_path: str | None = None


def change_status(store: Store, case_id: int, change: StatusChange) -> None:
    row = store.one("SELECT * FROM case_record WHERE id = ?", (case_id,))
    if row is None:
        raise ValidationError([("status", "该问题不存在")])
    old = row["status"]
    new = change.to_status
    if new not in STATUSES:
        raise ValidationError([("status", f"状态“{new}”无效")])
    if new not in FLOW.get(old, ()):
        allowed = "、".join(FLOW.get(old, ())) or "无"
        raise ValidationError([("status", f"状态不能从“{old}”直接改为“{new}”（可改为：{allowed}）")])
    if change.on < row["registered_on"]:
        raise ValidationError([("status", f"状态变更日期 {change.on} 早于登记日期 {row['registered_on']}")])
    values: dict = {"status": new, "status_changed_at": now_text()}
    verdict = change.verdict if change.verdict is not None else row["verdict"]
    if new in CLOSED_STATUSES:
        if not verdict:
            raise ValidationError([("verdict", "办结须填写核处结论")])
        outstanding = row["total_owed_fen"] - row["total_paid_fen"]
        if new == "已化解" and outstanding > 0:
            from models.values import fen_to_yuan_text
            raise ValidationError([("status", f"尚有 {fen_to_yuan_text(outstanding)} 元未支付，不能标为已化解")])
        values["closed_on"] = change.on
        if new == "已化解":
            values["resolved_count"] = row["total_workers"]
            values["resolved_fen"] = row["total_paid_fen"]
    else:
        values["closed_on"] = None
    values["verdict"] = verdict
    if change.resolution_path is not None:
        values["resolution_path"] = change.resolution_path
    with store.tx(change.note):
        store.update("case_record", case_id, values)
        store.execute("INSERT INTO case_status_log(case_id, from_status, to_status, changed_on, user, note) "
                      "VALUES (?, ?, ?, ?, ?, ?)", (case_id, old, new, change.on, store.user, change.note))


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
OPEN_SQL = "t.status NOT IN ('已化解', '已移送', '不存在欠薪')"


def warning_conditions(store: Store, today: _dt.date, cal: WorkCalendar | None = None) -> dict[str, tuple[str, list]]:
    """SQL condition per warning kind, over ``case_record t``."""
    cal = cal or load_calendar(store)
    soon = cal.add_workdays(today, setting(store, "warn.due_soon_days")).isoformat()
    stalled_before = (today - _dt.timedelta(days=setting(store, "warn.stalled_days"))).isoformat()
    t = today.isoformat()
    return {
        "逾期": (f"{OPEN_SQL} AND t.deadline IS NOT NULL AND t.deadline < ?", [t]),
        "即将到期": (f"{OPEN_SQL} AND t.deadline >= ? AND t.deadline <= ?", [t, soon]),
        "久拖未动": (f"{OPEN_SQL} AND t.updated_at < ?", [stalled_before]),
        "重大": ("t.is_major = 1", []),
        "敏感": ("t.is_sensitive = 1", []),
    }


def warning_query(store: Store, kind: str, today: _dt.date) -> Query:
    sql, params = warning_conditions(store, today)[kind]
    return Query(extra=[(sql, params)], notes=[f"预警：{kind}"])


class Warner:
    """Decides a row's warnings in Python (for colouring table rows)."""

    def __init__(self, store: Store, today: _dt.date | None = None) -> None:
        self.today = today or _dt.date.today()
        cal = load_calendar(store)
        self.t = self.today.isoformat()
        self.soon = cal.add_workdays(self.today, setting(store, "warn.due_soon_days")).isoformat()
        self.stalled_before = (self.today - _dt.timedelta(days=setting(store, "warn.stalled_days"))).isoformat()
        self._updated: dict[int, str] = {}
        self.store = store

    def kinds(self, row: dict) -> list[str]:
        out = []
        is_open = row.get("status") not in CLOSED_STATUSES
        deadline = row.get("deadline")
        if is_open and deadline and deadline < self.t:
            out.append("逾期")
        elif is_open and deadline and self.t <= deadline <= self.soon:
            out.append("即将到期")
        if is_open and row.get("updated_at") and row["updated_at"] < self.stalled_before:
            out.append("久拖未动")
        if row.get("is_major"):
            out.append("重大")
        if row.get("is_sensitive"):
            out.append("敏感")
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
