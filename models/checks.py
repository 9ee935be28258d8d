"""Consistency checks (审核相关逻辑、数据): every rule a ledger must satisfy before
it is signed off. Each finding names its rule, table and record.

数据审核 is about the data: a finding is a record that contradicts another record or the rules
of the data, and any finding means the check did not pass. Work that is late (an overdue case,
an overdue 交办事项) is not a fault in the data: it is a work warning (预警 / 督办), registered
with ``@warning``, listed beside the findings and in reports as such, and never makes a check
or a report say 未通过.

Rules are registered with ``@rule``; a ledger module adds its own the same way. A rule says
what it reads (``reads``: tables, ``CASE_NOS`` for the cases' 编号 alone; None for "anything") and whether it can be run for some cases
only (``scope="case"``: its SQL adds ``in_scope(alias)``, which is empty on a full run), and
whether it depends on the day (``uses_today``): ``models.checks_incremental`` uses these to
check again only what a change touched.
Counts and amounts are never negative because the schema's CHECK constraints refuse them,
so no rule looks for that.
"""
from __future__ import annotations

import contextvars
import datetime as _dt
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import Callable, Iterable

from models.db import Store


@dataclass(frozen=True)
class Finding:
    rule: str          # short code, e.g. paid_le_owed
    table: str
    record: int | None
    label: str         # how the record is named to a person (编号, 姓名…)
    message: str       # Chinese

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class CheckReport:
    at: str
    findings: list[Finding] = field(default_factory=list)      # data that contradict: not passed
    rules_run: list[str] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)      # work warnings (预警 / 督办)
    warning_counts: dict[str, int] = field(default_factory=dict)   # every warning, beyond the listed ones

    @property
    def passed(self) -> bool:
        return not self.findings

    def warning_text(self) -> str:
        """e.g. "预警：逾期问题 6 件，逾期交办事项 2 项" ("" when there are none)."""
        parts = [f"{WARNINGS[code][0]} {n} {WARNINGS[code][2]}" for code, n in self.warning_counts.items() if n]
        return ("预警：" + "，".join(parts)) if parts else ""

    def summary(self) -> str:
        warn = self.warning_text()
        warn = f"；{warn}（工作预警，不属于数据问题）" if warn else ""
        at = self.at.replace("T", " ")
        if self.passed:
            return f"数据审核通过（{at}，{len(self.rules_run)} 项规则）{warn}"
        return f"数据审核发现 {len(self.findings)} 处问题（{at}）{warn}"

    def by_rule(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.rule] = out.get(f.rule, 0) + 1
        return out


RuleFn = Callable[[Store, _dt.date], Iterable[Finding]]
CountFn = Callable[[Store, _dt.date], int]
RULES: dict[str, tuple[str, RuleFn]] = {}
WARNINGS: dict[str, tuple[str, RuleFn, str]] = {}     # code → (title, fn, unit)
WARNING_COUNTS: dict[str, CountFn] = {}               # code → how many, counted in SQL (optional)


@dataclass(frozen=True)
class RuleMeta:
    reads: frozenset[str] | None        # tables the rule reads; None: any
    scope: str | None                   # "case": can run for some cases only (in_scope)
    uses_today: bool                    # its findings depend on the day


META: dict[str, RuleMeta] = {}
# a read of the case ledger limited to which 编号 exist and are live (not in the recycle bin), for a
# rule that only looks cases up (a petition's or a blacklist entry's linked case, a case number in
# a label): a repayment or any other change of a case's figures does not touch it. Changed when a
# case is added, purged, recycled or restored, or its 编号 changes (models.checks_incremental).
CASE_NOS = "case_record:case_no"
SCOPE_TABLE = "temp.qq_check_scope"     # the case ids of a scoped run (id INTEGER PRIMARY KEY)
_scoped: contextvars.ContextVar[bool] = contextvars.ContextVar("qq_check_scoped", default=False)


def in_scope(case_id_sql: str) -> str:
    """SQL to add to a case-scoped rule's WHERE: on a scoped run, only the cases in
    ``SCOPE_TABLE``; on a full run nothing."""
    return f" AND {case_id_sql} IN (SELECT id FROM {SCOPE_TABLE})" if _scoped.get() else ""


def rule(code: str, title: str, *, reads: Iterable[str] | None = None, scope: str | None = None,
         uses_today: bool = False) -> Callable[[RuleFn], RuleFn]:
    """A data rule: each record it yields contradicts another record or the rules of the data."""
    def deco(fn: RuleFn) -> RuleFn:
        RULES[code] = (title, fn)
        META[code] = RuleMeta(frozenset(reads) if reads is not None else None, scope, uses_today)
        return fn
    return deco


def warning(code: str, title: str, unit: str = "件", *, count: CountFn | None = None) -> Callable[[RuleFn], RuleFn]:
    """A work warning (预警 / 督办): late work, listed but never a reason the data fail the check.
    ``count``: the number of warnings counted in SQL, so that only the listed ones (the first
    ``limit_per_rule`` the function yields, lazily) are read and worded."""
    def deco(fn: RuleFn) -> RuleFn:
        WARNINGS[code] = (title, fn, unit)
        RULES.pop(code, None)
        if count is not None:
            WARNING_COUNTS[code] = count
        else:
            WARNING_COUNTS.pop(code, None)
        return fn
    return deco


def add_warnings(report: "CheckReport", store: Store, today: _dt.date, limit_per_rule: int) -> None:
    """Every work warning's count, and the first ``limit_per_rule`` of each, into ``report``."""
    for code, (_title, fn, _unit) in WARNINGS.items():
        counter = WARNING_COUNTS.get(code)
        if counter is not None:
            n = int(counter(store, today))
            if n:
                report.warnings += list(islice(fn(store, today), min(n, limit_per_rule)))
            report.warning_counts[code] = n
            continue
        n = 0
        for f in fn(store, today):
            n += 1
            if n <= limit_per_rule:
                report.warnings.append(f)
        report.warning_counts[code] = n


def run_checks(store: Store, today: _dt.date | None = None, limit_per_rule: int = 500) -> CheckReport:
    from models.ledger import registry
    registry.all_ledgers()          # ledger modules register their own rules when loaded
    today = today or _dt.date.today()
    report = CheckReport(at=_dt.datetime.now().isoformat(timespec="seconds"))
    for code, (_title, fn) in RULES.items():
        if code in WARNINGS:
            continue
        found = []
        for f in fn(store, today):
            found.append(f)
            if len(found) >= limit_per_rule:
                break
        report.findings += found
        report.rules_run.append(code)
    add_warnings(report, store, today, limit_per_rule)
    return report


def _yuan(fen: int) -> str:
    from models.values import fen_to_yuan_text
    return fen_to_yuan_text(fen)


LIVE_CASE = "c.deleted_at IS NULL"


@rule("worker_paid_le_owed", "农民工实发不超过应发", reads=("worker", "case_record"), scope="case")
def _worker_paid(store: Store, today: _dt.date):
    for r in store.query("SELECT w.id, w.name, c.case_no, w.owed_fen, w.paid_fen FROM worker w "
                         "JOIN case_record c ON c.id = w.case_id WHERE w.deleted_at IS NULL AND " + LIVE_CASE +
                         " AND w.paid_fen > w.owed_fen" + in_scope("c.id")):
        yield Finding("worker_paid_le_owed", "worker", r["id"], f"{r['case_no']} {r['name']}",
                      f"实发 {_yuan(r['paid_fen'])} 元超过应发 {_yuan(r['owed_fen'])} 元")


@rule("case_paid_le_owed", "问题已付不超过应付", reads=("case_record",), scope="case")
def _case_paid(store: Store, today: _dt.date):
    for r in store.query("SELECT id, case_no, total_owed_fen, total_paid_fen FROM case_record c WHERE "
                         + LIVE_CASE + " AND total_paid_fen > total_owed_fen" + in_scope("c.id")):
        yield Finding("case_paid_le_owed", "case_record", r["id"], r["case_no"],
                      f"已付 {_yuan(r['total_paid_fen'])} 元超过应付 {_yuan(r['total_owed_fen'])} 元")


@rule("case_totals_match_workers", "问题合计与农民工明细一致", reads=("case_record", "worker"), scope="case")
def _case_totals(store: Store, today: _dt.date):
    for r in store.query(
            "SELECT c.id, c.case_no, c.w_count, c.w_owed_fen, c.w_paid_fen, "
            "COUNT(w.id) AS n, COALESCE(SUM(w.owed_fen), 0) AS owed, COALESCE(SUM(w.paid_fen), 0) AS paid "
            "FROM case_record c LEFT JOIN worker w ON w.case_id = c.id AND w.deleted_at IS NULL "
            "WHERE " + LIVE_CASE + in_scope("c.id") + " GROUP BY c.id HAVING c.w_count != n OR c.w_owed_fen != owed OR c.w_paid_fen != paid"):
        yield Finding("case_totals_match_workers", "case_record", r["id"], r["case_no"],
                      f"问题合计（{r['w_count']} 人，应付 {_yuan(r['w_owed_fen'])}，已付 {_yuan(r['w_paid_fen'])}）"
                      f"与农民工明细（{r['n']} 人，应付 {_yuan(r['owed'])}，已付 {_yuan(r['paid'])}）不一致")
    for r in store.query("SELECT id, case_no, amount_fen, w_owed_fen FROM case_record c WHERE " + LIVE_CASE +
                         " AND w_count > 0 AND amount_fen > 0 AND amount_fen != w_owed_fen" + in_scope("c.id")):
        yield Finding("case_totals_match_workers", "case_record", r["id"], r["case_no"],
                      f"登记欠薪金额 {_yuan(r['amount_fen'])} 元与农民工应发合计 {_yuan(r['w_owed_fen'])} 元不一致")


@rule("resolved_means_paid", "已化解的问题无未付金额", reads=("case_record",), scope="case")
def _resolved(store: Store, today: _dt.date):
    for r in store.query("SELECT id, case_no, total_owed_fen - total_paid_fen AS left FROM case_record c WHERE "
                         + LIVE_CASE + " AND status = '已化解' AND total_paid_fen < total_owed_fen" + in_scope("c.id")):
        yield Finding("resolved_means_paid", "case_record", r["id"], r["case_no"],
                      f"状态为已化解，但仍有 {_yuan(r['left'])} 元未付")


# A closed case without its 核处结论 is not a contradiction but a record to complete: it is listed
# as 待补录 (models.completion), beside the findings, and never fails the check.


@rule("dates_in_order", "日期先后合理", reads=("case_record", "worker", "repayment"), scope="case", uses_today=True)
def _dates(store: Store, today: _dt.date):
    t = today.isoformat()
    for r in store.query("SELECT id, case_no, period_from, period_to, registered_on, closed_on, deadline "
                         "FROM case_record c WHERE " + LIVE_CASE + " AND ((period_from > period_to) OR "
                         "(closed_on IS NOT NULL AND closed_on < registered_on) OR (deadline < registered_on) "
                         "OR registered_on > ?)" + in_scope("c.id"), (t,)):
        if r["period_from"] and r["period_to"] and r["period_from"] > r["period_to"]:
            msg = f"欠薪起始 {r['period_from']} 晚于截止 {r['period_to']}"
        elif r["closed_on"] and r["closed_on"] < r["registered_on"]:
            msg = f"办结日期 {r['closed_on']} 早于登记日期 {r['registered_on']}"
        elif r["registered_on"] > t:
            msg = f"登记日期 {r['registered_on']} 在今天之后"
        else:
            msg = f"办结时限 {r['deadline']} 早于登记日期 {r['registered_on']}"
        yield Finding("dates_in_order", "case_record", r["id"], r["case_no"], msg)
    for r in store.query("SELECT w.id, w.name, c.case_no, w.entered_on, w.left_on FROM worker w JOIN case_record c "
                         "ON c.id = w.case_id WHERE w.deleted_at IS NULL AND " + LIVE_CASE +
                         " AND w.entered_on > w.left_on" + in_scope("c.id")):
        yield Finding("dates_in_order", "worker", r["id"], f"{r['case_no']} {r['name']}",
                      f"进场 {r['entered_on']} 晚于离场 {r['left_on']}")
    # money cannot be paid on a case before it was registered: the as-of figures count the case
    # (and so its repayments) only from its 登记日期
    for r in store.query("SELECT p.id, c.case_no, w.name, p.paid_on, p.amount_fen, c.registered_on FROM repayment p "
                         "JOIN case_record c ON c.id = p.case_id LEFT JOIN worker w ON w.id = p.worker_id "
                         "WHERE p.deleted_at IS NULL AND " + LIVE_CASE +
                         " AND substr(p.paid_on, 1, 10) < substr(c.registered_on, 1, 10)" + in_scope("c.id") +
                         " ORDER BY p.id"):
        yield Finding("dates_in_order", "repayment", r["id"], f"{r['case_no']} {r['name'] or ''}".strip(),
                      f"兑付日期 {r['paid_on']} 早于问题登记日期 {r['registered_on']}（兑付 {_yuan(r['amount_fen'])} 元）")


@rule("no_duplicate_worker", "同一问题内农民工不重复", reads=("worker", "case_record"), scope="case")
def _dupes(store: Store, today: _dt.date):
    for r in store.query("SELECT MIN(w.id) AS id, c.case_no, w.id_number, COUNT(*) AS n FROM worker w "
                         "JOIN case_record c ON c.id = w.case_id WHERE w.deleted_at IS NULL AND " + LIVE_CASE +
                         " AND w.id_number != ''" + in_scope("c.id") + " GROUP BY w.case_id, w.id_number HAVING n > 1"):
        from models.rules.idcard import mask_id
        yield Finding("no_duplicate_worker", "worker", r["id"], r["case_no"],
                      f"身份证号码 {mask_id(r['id_number'])} 在本问题中登记了 {r['n']} 次")


_ONE_BY_ONE = 2_000      # fewer ID numbers than this are checked one by one (~16 µs each)


@rule("id_numbers_valid", "身份证号码校验位和出生日期正确", reads=("worker", "case_record"), scope="case")
def _ids(store: Store, today: _dt.date):
    """Checked 50,000 at a time in one array pass (models.io.columns); only numbers that pass
    are cleared that way, every other goes through the full rules, which give the message.
    (One by one, a county's million workers took 16 s.) A few rows (a check after an edit:
    the changed cases' workers) go through the full rules one by one, without loading the
    array module (0.15 s to import, more than the rows take)."""
    from models.rules.idcard import validate_id
    cur = store.conn.execute("SELECT w.id, w.id_number FROM worker w JOIN case_record c ON c.id = w.case_id "
                             "WHERE w.deleted_at IS NULL AND " + LIVE_CASE + " AND w.id_number != ''" + in_scope("c.id") +
                             " ORDER BY w.id")
    bad = []
    rows = cur.fetchmany(50_000)
    if len(rows) < _ONE_BY_ONE:
        for wid, number in rows:
            res = validate_id(number)
            if not res.ok:
                bad.append((wid, res.message))
        rows = []
    else:
        from models.io.columns import SLOW, id_number_column
    while rows:
        numbers = [r[1] for r in rows]
        for (wid, number), verdict in zip(rows, id_number_column(numbers)):
            if verdict is SLOW:
                res = validate_id(number)
                if not res.ok:
                    bad.append((wid, res.message))
        rows = cur.fetchmany(50_000)
    for wid, message in bad:
        r = store.one("SELECT w.name, c.case_no FROM worker w JOIN case_record c ON c.id = w.case_id WHERE w.id = ?",
                      (wid,))
        yield Finding("id_numbers_valid", "worker", wid, f"{r['case_no']} {r['name']}", message)


@rule("repayments_match_workers", "兑付记录与实发工资一致", reads=("worker", "case_record", "repayment"), scope="case")
def _repayments(store: Store, today: _dt.date):
    for r in store.query(
            "SELECT w.id, w.name, c.case_no, w.paid_fen, SUM(p.amount_fen) AS paid FROM worker w "
            "JOIN case_record c ON c.id = w.case_id JOIN repayment p ON p.worker_id = w.id AND p.deleted_at IS NULL "
            "WHERE w.deleted_at IS NULL AND " + LIVE_CASE + in_scope("c.id") + " GROUP BY w.id HAVING paid > w.paid_fen"):
        yield Finding("repayments_match_workers", "worker", r["id"], f"{r['case_no']} {r['name']}",
                      f"兑付记录合计 {_yuan(r['paid'])} 元超过实发 {_yuan(r['paid_fen'])} 元")
    # a case's repayment records that its 已付 no longer shows: records on no live worker of the
    # case (paid to the case before its workers were listed, or to a worker since moved to the
    # recycle bin or to another case) beyond what its workers were paid without a record. (A
    # worker's own excess is the finding above; a case without workers: its records against its 已付.)
    # only a case whose records add up to more than its 已付 can (one pass, by the case index)
    odd = [r[0] for r in store.query(
        "SELECT c.id FROM (SELECT case_id, SUM(amount_fen) AS x FROM repayment WHERE deleted_at IS NULL"
        + in_scope("case_id") + " GROUP BY case_id) r JOIN case_record c ON c.id = r.case_id WHERE "
        + LIVE_CASE + " AND r.x > c.total_paid_fen ORDER BY c.id")]
    for start in range(0, len(odd), 500):
        ids = odd[start:start + 500]
        marks = ",".join("?" * len(ids))
        for r in store.query(
                "SELECT c.id, c.case_no, c.w_count, c.total_paid_fen, r.x, COALESCE(ws.rw, 0) AS rw FROM case_record c "
                f"JOIN (SELECT case_id, SUM(amount_fen) AS x FROM repayment WHERE deleted_at IS NULL AND case_id IN ({marks}) "
                "GROUP BY case_id) r ON r.case_id = c.id "
                "LEFT JOIN (SELECT w.case_id, SUM(COALESCE(p.s, 0)) AS rw, SUM(MAX(0, w.paid_fen - COALESCE(p.s, 0))) AS slack "
                "FROM worker w LEFT JOIN (SELECT worker_id, case_id, SUM(amount_fen) AS s FROM repayment "
                f"WHERE deleted_at IS NULL AND worker_id IS NOT NULL AND case_id IN ({marks}) GROUP BY worker_id, case_id) p "
                f"ON p.worker_id = w.id AND p.case_id = w.case_id WHERE w.deleted_at IS NULL AND w.case_id IN ({marks}) "
                "GROUP BY w.case_id) ws ON ws.case_id = c.id "
                "WHERE r.x - COALESCE(ws.rw, 0) > CASE WHEN c.w_count > 0 THEN COALESCE(ws.slack, 0) "
                "ELSE c.total_paid_fen END ORDER BY c.id", ids * 3):
            if r["w_count"] > 0:
                msg = (f"兑付记录合计 {_yuan(r['x'])} 元，与农民工实发合计 {_yuan(r['total_paid_fen'])} 元不一致"
                       f"（其中 {_yuan(r['x'] - r['rw'])} 元的兑付记录不在本问题在册农民工名下，未计入已付）")
            else:
                msg = f"兑付记录合计 {_yuan(r['x'])} 元超过问题已付 {_yuan(r['total_paid_fen'])} 元"
            yield Finding("repayments_match_workers", "case_record", r["id"], r["case_no"], msg)


# -- work warnings (预警 / 督办) ------------------------------------------------------------------
def _overdue_where(store: Store, today: _dt.date) -> tuple[str, list]:
    """Open cases past their 办结时限: the 逾期 warning's own condition (``models.cases``)."""
    from models.cases import warning_conditions
    sql, params = warning_conditions(store, today)["逾期"]
    return f"FROM case_record t WHERE t.deleted_at IS NULL AND {sql}", params


def _count_overdue(store: Store, today: _dt.date) -> int:
    where, params = _overdue_where(store, today)
    return int(store.scalar("SELECT COUNT(*) " + where, params, 0))


@warning("case_overdue", "逾期问题", count=_count_overdue)
def _overdue_cases(store: Store, today: _dt.date):
    """Read lazily (a county has thousands; a report lists the first few hundred), oldest 办结时限
    first; the 专班 names are looked up once, not once a row."""
    where, params = _overdue_where(store, today)
    streams = {r[0]: r[1] for r in store.query("SELECT id, name FROM workstream")}
    cur = store.conn.execute("SELECT t.id, t.case_no, t.deadline, t.owner_person, t.workstream_id "
                             + where + " ORDER BY t.deadline, t.id", params)
    for r in cur:
        days = (today - _dt.date.fromisoformat(r[2][:10])).days
        yield Finding("case_overdue", "case_record", r[0], r[1],
                      f"办结时限 {r[2]} 已过 {days} 天，尚未办结（责任专班：{streams.get(r[4]) or '未分配'}；"
                      f"包案责任人：{r[3] or '未定'}）")


def rule_titles() -> dict[str, str]:
    return {**{code: title for code, (title, _fn) in RULES.items()},
            **{code: title for code, (title, _fn, _unit) in WARNINGS.items()}}
