"""一项目一档: what a project's file says, and 三册相符.

The three registers of a project — 农民工花名册 (roster), 考勤表 (attendance) and 工资发放表
(monthly payroll) — must agree month by month: every worker paid in a month is on the roster
(and on site that month) and has attendance that month, the days paid are the days worked, and
every worker with attendance is paid. ``compare`` lays the three side by side for a project,
month by month, one line a worker, each disagreement named on its cell; the rule
``project_three_registers`` reports each month that does not agree.

A worker is the same person in two registers when the 身份证号码 is the same, or, where either
register leaves it out, when the 姓名 is.

The deposit and settlement figures are the SQL of ``models.ledgers.projects`` (one source for
the ledger's columns, its rules and this file); their rates and days are settings.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from models.checks import Finding, rule
from models.db import Store
from models.ledger.service import LedgerService, service
from models.values import fen_to_yuan_text as _y, halfwidth

# settings (the office may change them) and their defaults
RATE_KEY = "project.deposit_rate_pct"
OFFENDER_RATE_KEY = "project.deposit_rate_offender_pct"
REPEAT_KEY = "project.repeat_arrears_cases"
SETTLE_DAYS_KEY = "project.settle_days"
DEFAULTS = {RATE_KEY: 2, OFFENDER_RATE_KEY: 3, REPEAT_KEY: 5, SETTLE_DAYS_KEY: 40}


def _setting_sql(key: str, cast: str = "REAL") -> str:
    return (f"COALESCE((SELECT CAST(s.value AS {cast}) FROM setting s WHERE s.key = '{key}'), "
            f"{DEFAULTS[key]})")


def blacklisted_sql(t: str = "t") -> str:
    """The general contractor of project ``t`` is on the 失信联合惩戒名单 (listed, not removed)."""
    return (f"EXISTS (SELECT 1 FROM blacklist_entry b WHERE b.deleted_at IS NULL "
            f"AND {t}.general_contractor != '' AND b.employer_name = {t}.general_contractor "
            f"AND COALESCE(b.listed_on, '') != '' AND COALESCE(b.removed_on, '') = '')")


def arrears_cases_sql(t: str = "t") -> str:
    """How many live cases name the general contractor of project ``t`` as the employer (those
    found to be no arrears at all left out)."""
    return (f"(SELECT COUNT(*) FROM case_record c WHERE c.deleted_at IS NULL AND c.status != '不存在欠薪' "
            f"AND {t}.general_contractor != '' AND c.employer_name = {t}.general_contractor)")


def offender_sql(t: str = "t") -> str:
    return (f"({t}.contractor_arrears = 1 OR {blacklisted_sql(t)} "
            f"OR {arrears_cases_sql(t)} >= {_setting_sql(REPEAT_KEY, 'INTEGER')})")


def rate_sql(t: str = "t") -> str:
    """The deposit rate in per cent for project ``t``."""
    return f"(CASE WHEN {offender_sql(t)} THEN {_setting_sql(OFFENDER_RATE_KEY)} ELSE {_setting_sql(RATE_KEY)} END)"


def deposit_due_sql(t: str = "t") -> str:
    """应存工资保证金 in fen: contract price × rate, rounded to the fen; none when exempt."""
    return (f"(CASE WHEN {t}.deposit_form = '依规免缴' THEN 0 "
            f"ELSE CAST(ROUND({t}.contract_fen * {rate_sql(t)} / 100.0) AS INTEGER) END)")


def settle_due_sql(t: str = "t") -> str:
    days = _setting_sql(SETTLE_DAYS_KEY, "INTEGER")
    return (f"(CASE WHEN COALESCE({t}.completed_on, '') = '' THEN NULL "
            f"ELSE date({t}.completed_on, '+' || {days} || ' days') END)")


def settle_state_sql(t: str = "t") -> str:
    """已结算 / 未竣工 / 结算期内 / 逾期未结算, against the program's today (qq_today())."""
    return (f"(CASE WHEN COALESCE({t}.settled_on, '') != '' THEN '已结算' "
            f"WHEN COALESCE({t}.completed_on, '') = '' THEN '未竣工' "
            f"WHEN {settle_due_sql(t)} < qq_today() THEN '逾期未结算' ELSE '结算期内' END)")


DEFAULT_SETTINGS = DEFAULTS
SETTING_TITLES = {"project.deposit_rate_pct": "工资保证金存储比例（%）",
                  "project.deposit_rate_offender_pct": "失信或多次拖欠的总包单位保证金比例（%）",
                  "project.repeat_arrears_cases": "认定为多次拖欠的欠薪问题件数",
                  "project.settle_days": "竣工验收后完成结算的天数"}
RULE_3 = "project_three_registers"


def setting(store: Store, key: str) -> float:
    value = store.get_setting(key, DEFAULT_SETTINGS[key])
    try:
        return float(value)
    except (TypeError, ValueError):
        return float(DEFAULT_SETTINGS[key])


def set_setting(store: Store, key: str, value: float) -> None:
    """Change a rate or a number of days; refused (ValueError, Chinese) when out of range."""
    if key not in DEFAULT_SETTINGS:
        raise ValueError(f"没有名为 {key} 的项目设置（可选：{'、'.join(DEFAULT_SETTINGS)}）")
    v = float(value)
    if key.endswith("_pct") and not 0 <= v <= 30:
        raise ValueError(f"{SETTING_TITLES[key]}应在 0 至 30 之间")
    if not key.endswith("_pct") and (v < 1 or v != int(v)):
        raise ValueError(f"{SETTING_TITLES[key]}应为正整数")
    store.set_setting(key, int(v) if v == int(v) else v)


# -- months -------------------------------------------------------------------------------
_MONTH_PATTERNS = (re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月(?:份)?)?(?:[-/.]?\s*\d{1,2}\s*日?)?"
                              r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"),
                   re.compile(r"^(\d{4})(\d{2})$"))


def normalize_month(value) -> str | None:
    """2026-10, 2026年10月, 2026/10, 2026.10, 202610, 2026-10-01 (a date cell) → "2026-10";
    None when it is not a month."""
    if value is None:
        return None
    if isinstance(value, (_dt.date, _dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = halfwidth(str(value)).strip()
    for p in _MONTH_PATTERNS:
        m = p.match(text)
        if m:
            y, mo = int(m.group(1)), int(m.group(2))
            if 2000 <= y <= 2100 and 1 <= mo <= 12:
                return f"{y:04d}-{mo:02d}"
    return None


def month_bounds(month: str) -> tuple[str, str]:
    y, m = int(month[:4]), int(month[5:7])
    first = _dt.date(y, m, 1)
    last = (_dt.date(y + (m == 12), m % 12 + 1, 1) - _dt.timedelta(days=1))
    return first.isoformat(), last.isoformat()


class _MonthService(LedgerService):
    """Attendance and payroll: the month is kept as 2026-10, whichever way the sheet wrote it."""

    def _fix(self, values: dict) -> None:
        if values.get("month"):
            values["month"] = normalize_month(values["month"]) or values["month"]

    def prepare_new(self, rows: list[dict]) -> None:
        for v in rows:
            self._fix(v)

    def prepare_change(self, record_id: int, current: dict, changes: dict) -> None:
        self._fix(changes)


@service("attendance")
class AttendanceService(_MonthService):
    pass


@service("payroll")
class PayrollService(_MonthService):
    pass


@service("projects")
class ProjectService(LedgerService):
    """A project: its wage special account is kept as digits only (a sheet or a clerk writes it
    in groups: 2230 0101 0400 1234 5)."""

    @staticmethod
    def _fix(values: dict) -> None:
        if values.get("wage_account"):
            values["wage_account"] = re.sub(r"[\s\-]", "", halfwidth(str(values["wage_account"])))

    def prepare_new(self, rows: list[dict]) -> None:
        for v in rows:
            self._fix(v)

    def prepare_change(self, record_id: int, current: dict, changes: dict) -> None:
        self._fix(changes)


# -- 三册相符 -------------------------------------------------------------------------------
@dataclass
class Line:
    """One worker in one month, as the three registers have him."""
    name: str
    id_number: str = ""
    on_roster: bool = False
    on_site: bool = True                 # the roster's 进场 / 退场 cover the month
    days_worked: int | None = None       # 考勤表
    days_paid: int | None = None         # 工资发放表
    payable_fen: int | None = None
    paid_fen: int | None = None
    problems: dict[str, str] = field(default_factory=dict)   # cell → what is wrong there

    @property
    def agrees(self) -> bool:
        return not self.problems


@dataclass
class Month:
    month: str
    lines: list[Line]

    @property
    def agrees(self) -> bool:
        return all(x.agrees for x in self.lines)

    @property
    def disagreeing(self) -> list[Line]:
        return [x for x in self.lines if not x.agrees]

    def totals(self) -> dict:
        return {"workers": len(self.lines),
                "days_worked": sum(x.days_worked or 0 for x in self.lines),
                "days_paid": sum(x.days_paid or 0 for x in self.lines),
                "paid_fen": sum(x.paid_fen or 0 for x in self.lines)}

    def summary(self) -> str:
        if self.agrees:
            return f"{self.month} 三册相符（{len(self.lines)} 人）"
        return f"{self.month} 三册不符：" + "；".join(
            f"{x.name}{'、'.join(x.problems.values())}" for x in self.disagreeing)


class _People:
    """Records of people, found by dictionary (a register of thousands of workers a month is
    matched in one pass, not by scanning): the same 身份证号码, or, where either record leaves
    it out, the same 姓名."""

    def __init__(self, items, key) -> None:
        self.key = key
        self.by_id: dict[str, list] = {}
        self.by_name: dict[str, list] = {}
        for it in items:
            id_number, name = key(it)
            if id_number:
                self.by_id.setdefault(id_number, []).append(it)
            self.by_name.setdefault(name, []).append(it)

    def find(self, id_number: str, name: str, ok=lambda it: True):
        if id_number:
            for it in self.by_id.get(id_number, ()):
                if ok(it):
                    return it
            return next((it for it in self.by_name.get(name, ()) if not self.key(it)[0] and ok(it)), None)
        return next((it for it in self.by_name.get(name, ()) if ok(it)), None)


def compare(store: Store, project_id: int) -> list[Month]:
    """The three registers of a project side by side, month by month (oldest first)."""
    roster = [dict(r) for r in store.query(
        "SELECT name, id_number, entered_on, left_on FROM project_roster WHERE project_id = ? "
        "AND deleted_at IS NULL ORDER BY id", (project_id,))]
    att: dict[str, list[dict]] = {}
    for r in store.query("SELECT month, name, id_number, SUM(days) AS days FROM project_attendance "
                         "WHERE project_id = ? AND deleted_at IS NULL GROUP BY month, name, id_number "
                         "ORDER BY month, MIN(id)", (project_id,)):
        att.setdefault(r["month"], []).append(dict(r))
    pay: dict[str, list[dict]] = {}
    for r in store.query("SELECT month, name, id_number, SUM(days) AS days, SUM(payable_fen) AS payable, "
                         "SUM(paid_fen) AS paid FROM project_payroll WHERE project_id = ? AND deleted_at IS NULL "
                         "GROUP BY month, name, id_number ORDER BY month, MIN(id)", (project_id,)):
        pay.setdefault(r["month"], []).append(dict(r))
    on_roster = _People(roster, lambda r: (r["id_number"], r["name"]))
    out = []
    for month in sorted(set(att) | set(pay)):
        first, last = month_bounds(month)
        lines: list[Line] = []
        for p in pay.get(month, []):
            line = Line(p["name"], p["id_number"], days_paid=p["days"], payable_fen=p["payable"], paid_fen=p["paid"])
            lines.append(line)
        paid = _People(list(lines), lambda x: (x.id_number, x.name))
        for a in att.get(month, []):
            line = paid.find(a["id_number"], a["name"], lambda x: x.days_worked is None)
            if line is None:
                line = Line(a["name"], a["id_number"])
                lines.append(line)
            line.days_worked = a["days"]
            line.id_number = line.id_number or a["id_number"]
        for line in lines:
            r = on_roster.find(line.id_number, line.name)
            line.on_roster = r is not None
            if r is not None:
                line.on_site = not ((r["entered_on"] or "") > last or (r["left_on"] and r["left_on"] < first))
            was_paid = line.paid_fen is not None
            if was_paid and not line.on_roster:
                line.problems["roster"] = "未列入花名册"
            elif was_paid and not line.on_site:
                line.problems["roster"] = "该月不在花名册进退场期间"
            if was_paid and line.days_worked is None:
                line.problems["days_worked"] = "有工资发放、无考勤"
            if line.days_worked is not None and not was_paid:
                line.problems["days_paid"] = f"考勤 {line.days_worked} 天、未列入工资发放表"
            if (line.days_worked is not None and line.days_paid is not None and line.days_paid != line.days_worked
                    and line.days_paid):
                line.problems["days_paid"] = f"出勤 {line.days_worked} 天、计薪 {line.days_paid} 天"
        out.append(Month(month, lines))
    return out


@rule(RULE_3, "三册相符：花名册、考勤表、工资发放表逐月一致",
      reads=("project", "project_roster", "project_attendance", "project_payroll"))
def _three_registers(store: Store, today: _dt.date):
    for p in store.query("SELECT id, name FROM project WHERE deleted_at IS NULL AND id IN ("
                         "SELECT project_id FROM project_payroll WHERE deleted_at IS NULL UNION "
                         "SELECT project_id FROM project_attendance WHERE deleted_at IS NULL) ORDER BY id"):
        for m in compare(store, p["id"]):
            if not m.agrees:
                bad = m.disagreeing
                shown = "；".join(f"{x.name}{'、'.join(x.problems.values())}" for x in bad[:5])
                more = f"等 {len(bad)} 人" if len(bad) > 5 else ""
                yield Finding(RULE_3, "project", p["id"], f"{p['name']} {m.month}",
                              f"{m.month} 三册不符：{shown}{more}")


# -- the file -----------------------------------------------------------------------------
def projects(store: Store) -> list[dict]:
    """Every live project with its ledger columns (deposit due, settlement state …)."""
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo, Query
    repo = LedgerRepo(store, registry.get("projects"))
    return repo.rows(Query())


def project_id(store: Store, name: str) -> int:
    """The id of the live project named ``name``; ``LookupError`` (Chinese) when there is none."""
    rid = store.scalar("SELECT id FROM project WHERE name = ? AND deleted_at IS NULL", (name.strip(),))
    if rid is None:
        like = [r[0] for r in store.query("SELECT name FROM project WHERE deleted_at IS NULL AND name LIKE ? "
                                          "ORDER BY id LIMIT 5", (f"%{name.strip()}%",))]
        hint = f"（是否指：{'、'.join(like)}）" if like else ""
        raise LookupError(f"没有名为“{name.strip()}”的工程项目{hint}")
    return rid


def deposit(store: Store, pid: int) -> dict:
    """The deposit a project must keep and why: rate, due, kept, short, the offender reasons."""
    r = store.one(f"SELECT t.contract_fen, t.deposit_fen, t.deposit_form, t.contractor_arrears, "
                  f"t.general_contractor, {rate_sql('t')} AS rate, {deposit_due_sql('t')} AS due, "
                  f"{blacklisted_sql('t')} AS listed, {arrears_cases_sql('t')} AS cases "
                  "FROM project t WHERE t.id = ?", (pid,))
    reasons = []
    if r["listed"]:
        reasons.append("总包单位在失信联合惩戒名单中")
    if r["cases"] >= setting(store, "project.repeat_arrears_cases"):
        reasons.append(f"总包单位涉及欠薪问题 {r['cases']} 件")
    if r["contractor_arrears"]:
        reasons.append("总包单位经认定有拖欠工资行为")
    return {"rate_pct": r["rate"], "due_fen": r["due"], "kept_fen": r["deposit_fen"],
            "short_fen": max(0, r["due"] - r["deposit_fen"]), "offender": bool(reasons), "reasons": reasons,
            "exempt": r["deposit_form"] == "依规免缴", "arrears_cases": r["cases"]}


def settlement(store: Store, pid: int, today: _dt.date) -> dict:
    """Completion, due date (completion + the settlement days), settled, and how late."""
    r = store.one("SELECT completed_on, settled_on, settlement_fen FROM project WHERE id = ?", (pid,))
    days = int(setting(store, "project.settle_days"))
    out = {"completed_on": r["completed_on"], "settled_on": r["settled_on"], "settlement_fen": r["settlement_fen"],
           "days": days, "due": None, "overdue_days": 0}
    if not r["completed_on"]:
        out["state"] = "未竣工"
    else:
        due = _dt.date.fromisoformat(r["completed_on"][:10]) + _dt.timedelta(days=days)
        out["due"] = due.isoformat()
        if r["settled_on"]:
            out["state"] = "已结算"
            late = (_dt.date.fromisoformat(r["settled_on"][:10]) - due).days
            out["late_days"] = max(0, late)
        elif today > due:
            out["state"] = "逾期未结算"
            out["overdue_days"] = (today - due).days
        else:
            out["state"] = "结算期内"
    return out


def settlement_text(s: dict) -> str:
    if s["state"] == "未竣工":
        return "尚未竣工验收"
    if s["state"] == "已结算":
        late = f"（超过期限 {s['late_days']} 天）" if s.get("late_days") else "（按期）"
        return f"{s['completed_on']} 竣工验收，{s['settled_on']} 完成结算{late}"
    if s["state"] == "逾期未结算":
        return (f"{s['completed_on']} 竣工验收，应于 {s['due']} 前完成结算（{s['days']} 日内），"
                f"已逾期 {s['overdue_days']} 天未结算")
    return f"{s['completed_on']} 竣工验收，应于 {s['due']} 前完成结算（{s['days']} 日内）"


def deposit_text(d: dict) -> str:
    if d["exempt"]:
        return "依规免缴工资保证金"
    why = f"（{'；'.join(d['reasons'])}，按较高比例）" if d["offender"] else ""
    short = f"，差 {_y(d['short_fen'])} 元" if d["short_fen"] else "，已足额存储"
    return f"应存 {_y(d['due_fen'])} 元（合同价款的 {d['rate_pct']:g}%）{why}，已存 {_y(d['kept_fen'])} 元{short}"


def project_file(store: Store, pid: int, today: _dt.date) -> dict:
    """Everything the project's file shows: the record, deposit, settlement, roster, the three
    registers month by month and the project's cases."""
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo
    repo = LedgerRepo(store, registry.get("projects"))
    rec = repo.get(pid)
    if rec is None or store.scalar("SELECT deleted_at FROM project WHERE id = ?", (pid,)):
        raise LookupError("该工程项目不存在或已移入回收站")
    roster = [dict(r) for r in store.query(
        "SELECT id, name, id_number, team, trade, entered_on, left_on, contract_signed FROM project_roster "
        "WHERE project_id = ? AND deleted_at IS NULL ORDER BY id", (pid,))]
    cases = [dict(r) for r in store.query(
        "SELECT id, case_no, employer_name, status, total_owed_fen - total_paid_fen AS outstanding_fen "
        "FROM case_record WHERE deleted_at IS NULL AND (project_id = ? OR (project_name != '' AND project_name = ?)) "
        "ORDER BY registered_on DESC, id DESC", (pid, rec["name"]))]
    months = compare(store, pid)
    return {"record": rec, "deposit": deposit(store, pid), "settlement": settlement(store, pid, today),
            "roster": roster, "months": months, "cases": cases,
            "three_registers_ok": all(m.agrees for m in months)}


def file_json(f: dict) -> dict:
    """A project's file as plain data (the command line's --json)."""
    rec = f["record"]
    return {"project": {k: rec.get(k) for k in (
                "id", "name", "owner_unit", "general_contractor", "subcontractor", "labor_manager",
                "labor_manager_phone", "wage_bank", "wage_account", "contract_fen", "deposit_fen", "deposit_form",
                "deposit_on", "guarantee_form", "guarantee_fen", "started_on", "completed_on", "settled_on",
                "settlement_fen")},
            "deposit": f["deposit"], "settlement": f["settlement"], "roster": len(f["roster"]),
            "cases": [c["case_no"] for c in f["cases"]],
            "three_registers_ok": f["three_registers_ok"],
            "months": [{"month": m.month, "agrees": m.agrees, **m.totals(),
                        "problems": [{"name": x.name, "problems": list(x.problems.values())} for x in m.disagreeing]}
                       for m in f["months"]]}
