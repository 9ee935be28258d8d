"""The campaign's headline figures (主要数字), one definition each, with its 口径 in words a clerk
understands, and able to answer "as it stood at the end of day D".

Every screen, report, export and command that prints one of these numbers takes it from here:
``figures(store, today, as_of)`` returns a ``Figures`` with one attribute per figure, and
``DEFINITIONS`` says what each one counts. ``today`` is always passed in.

Two ways of looking at the case ledger, with the same column names (``case_source``):

- **now** (``as_of`` is ``today`` or not given): the ledger as it is, every case not in the
  recycle bin.
- **as of a past day D**: rebuilt from dated facts only. A case counts from its 登记日期; its
  status on D is the last entry of its status log (状态变更记录) dated D or earlier (a case with
  no status log: open until its 办结日期); its 已付 on D is the repayments (兑付记录) dated D or
  earlier, plus any paid amount that has no repayment record, counted on the case's 办结日期 (or
  its 登记日期 while it is open), the same rule as the 累计兑付 chart. 应付 and 人数 are the case's
  figures as now registered (a later correction counts from the start). The 最近一次办理 date
  that decides 久拖未动 is the latest of 登记日期, status change and repayment dated D or
  earlier. A day after today, or a day for which some case's status cannot be known, is
  refused with ``NotKnown`` (one Chinese line).

The warnings (逾期, 即将到期, 久拖未动) use the one SQL definition in
``models.cases.warning_conditions``; the status lists come from ``models.ledgers.cases``.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

from models.db import Store
from models.ledgers.cases import CLOSED_STATUSES, STATUSES

EXCLUDED = "不存在欠薪"          # a claim found groundless: a case, but no money and no workers
RESOLVED = "已化解"
OPEN_STATUSES = tuple(s for s in STATUSES if s not in CLOSED_STATUSES)
ITEM_DONE = "已办结"


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


OPEN_IN, CLOSED_IN = _in(OPEN_STATUSES), _in(CLOSED_STATUSES)


class NotKnown(ValueError):
    """A figure cannot be known for the day asked (the message is one Chinese line)."""


# -- the definitions ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Definition:
    key: str
    name: str          # as printed
    unit: str          # 件 / 人 / 分 / % / 项
    basis: str         # 口径, in plain Chinese


DEFINITIONS: dict[str, Definition] = {}
_FUNCS: dict[str, Callable[["Basis"], Any]] = {}


def figure(key: str, name: str, unit: str, basis: str):
    """Register one headline figure: ``fn(basis) -> number`` and its 口径."""
    def deco(fn):
        DEFINITIONS[key] = Definition(key, name, unit, basis)
        _FUNCS[key] = fn
        return fn
    return deco


def definitions() -> dict[str, str]:
    """key → 口径 (for ``figures --json``, tooltips and report notes)."""
    return {k: d.basis for k, d in DEFINITIONS.items()}


# -- the case ledger as it stood ---------------------------------------------------------------
COLUMNS = ("id, uuid, case_no, workstream_id, employer_name, project_name, owner_person, registered_on, deadline, "
           "is_major, is_sensitive, gov_invested, source, verdict, deleted_at, total_workers, total_owed_fen")


def case_source(as_of: _dt.date | None) -> tuple[str, list]:
    """What to put in ``FROM {sql} t`` (with ``WHERE t.deleted_at IS NULL``): the case ledger with
    the columns the figures read (``status``, ``closed_on``, ``total_paid_fen`` and the date of the
    latest dated fact, ``last_activity_on`` / ``updated_at``, as they stood), and its parameters.
    ``as_of`` None: the ledger as it is now."""
    if as_of is None:
        return "case_record", []          # as it is: the table itself, so its indexes serve every figure
    nxt = (as_of + _dt.timedelta(days=1)).isoformat()   # dates may carry a time: compare below the next day
    # status then: the last status-log entry dated d or earlier; with no log at all, the case was
    # open until its 办结日期 (a closed case with neither log nor 办结日期: NULL, cannot be known)
    status = (f"COALESCE(s.to_status, CASE WHEN c.status NOT IN {CLOSED_IN} THEN c.status "
              f"WHEN c.closed_on IS NULL THEN NULL WHEN c.closed_on < ? THEN c.status ELSE '待核实' END)")
    closed_on = "substr(COALESCE(s.changed_on, c.closed_on), 1, 10)"
    paid = ("COALESCE(r.by_fen, 0) + CASE WHEN COALESCE(c.closed_on, c.registered_on) < ? "
            "THEN c.total_paid_fen - COALESCE(r.all_fen, 0) ELSE 0 END")
    touched = ("substr(MAX(c.registered_on, COALESCE(s.changed_on, c.registered_on), "
               "COALESCE(r.last_on, c.registered_on)), 1, 10)")
    inner = (
        f"SELECT {', '.join('c.' + x.strip() for x in COLUMNS.split(','))}, {status} AS status, "
        f"{closed_on} AS closed_then, {paid} AS total_paid_fen, {touched} AS updated_at "
        "FROM case_record c "
        "LEFT JOIN (SELECT case_id, to_status, changed_on FROM (SELECT case_id, to_status, changed_on, "
        "ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY changed_on DESC, id DESC) AS rn "
        "FROM case_status_log WHERE changed_on < ?) WHERE rn = 1) s ON s.case_id = c.id "
        "LEFT JOIN (SELECT case_id, SUM(amount_fen) AS all_fen, "
        "SUM(CASE WHEN paid_on < ? THEN amount_fen ELSE 0 END) AS by_fen, "
        "MAX(CASE WHEN paid_on < ? THEN paid_on END) AS last_on "
        "FROM repayment WHERE deleted_at IS NULL GROUP BY case_id) r ON r.case_id = c.id "
        "WHERE c.deleted_at IS NULL AND c.registered_on < ?")
    sql = (f"(SELECT {COLUMNS}, status, CASE WHEN status IN {CLOSED_IN} THEN closed_then END AS closed_on, "
           f"total_paid_fen, updated_at, updated_at AS last_activity_on FROM ({inner}))")
    return sql, [nxt] * 6


def check_day(today: _dt.date, as_of: _dt.date | None) -> _dt.date | None:
    """The day to rebuild (None: now). A day after today is refused."""
    if as_of is None or as_of == today:
        return None
    if as_of > today:
        raise NotKnown(f"统计日期 {as_of.isoformat()} 晚于今天（{today.isoformat()}），无法统计尚未发生的情况")
    return as_of


# -- the basis every figure is computed from ---------------------------------------------------
@dataclass
class Group:
    cases: int = 0
    workers: int = 0
    owed_fen: int = 0
    paid_fen: int = 0


class Basis:
    """One look at the case ledger (now, or as of a past day) that the figures are drawn from.
    Each query runs once, when a figure first needs it."""

    def __init__(self, store: Store, today: _dt.date, as_of: _dt.date | None = None) -> None:
        self.store = store
        self.today = today
        self.past = check_day(today, as_of)
        self.day = self.past or today                  # the day the figures describe
        self.src, self.src_params = case_source(self.past)
        if self.past is not None:
            self._materialise()
            self._refuse_unknown()

    def _materialise(self) -> None:
        """Rebuild the day's case ledger once, into a temporary table of this connection (it
        changes nothing in the file and goes with the connection): every figure then reads it
        instead of rebuilding it again (a county's day takes a second or two to rebuild)."""
        name = f"qq_cases_asof_{self.past.strftime('%Y%m%d')}"
        try:
            self.store.conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
            self.store.conn.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {self.src}", self.src_params)
        except Exception:  # noqa: BLE001 - a connection that may not write even its temp space: rebuild per query
            return
        self.src, self.src_params = f"temp.{name}", []

    def _refuse_unknown(self) -> None:
        r = self.query("COUNT(*), MIN(t.case_no)", "t.status IS NULL")[0]
        if r and r[0]:
            raise NotKnown(f"有 {r[0]} 件已办结的问题（如 {r[1]}）既无状态变更记录也无办结日期，"
                           f"无法确定其在 {self.day.isoformat()} 的状态，不能统计该日的数字")

    def query(self, select: str, where: str = "1", params: list | tuple = (), tail: str = ""):
        return self.store.query(f"SELECT {select} FROM {self.src} t WHERE t.deleted_at IS NULL AND ({where}) {tail}",
                                [*self.src_params, *params])

    def count(self, where: str, params: list | tuple = ()) -> int:
        return int(self.query("COUNT(*)", where, params)[0][0] or 0)

    @cached_property
    def groups(self) -> list[tuple]:
        """(workstream_id, status, cases, workers, owed, paid) over every case, one pass."""
        return [tuple(r) for r in self.query(
            "t.workstream_id, t.status, COUNT(*), COALESCE(SUM(t.total_workers), 0), "
            "COALESCE(SUM(t.total_owed_fen), 0), COALESCE(SUM(t.total_paid_fen), 0)", "1", (),
            "GROUP BY t.workstream_id, t.status")]

    @cached_property
    def by_status(self) -> dict[str, Group]:
        out = {s: Group() for s in STATUSES}
        for _ws, status, n, w, o, p in self.groups:
            g = out.setdefault(status, Group())
            g.cases += n
            g.workers += w
            g.owed_fen += o
            g.paid_fen += p
        return out

    def total(self, attr: str, statuses=None) -> int:
        return sum(getattr(g, attr) for s, g in self.by_status.items() if statuses is None or s in statuses)

    @property
    def counted_statuses(self) -> tuple[str, ...]:
        return tuple(s for s in self.by_status if s != EXCLUDED)

    @cached_property
    def warning_sql(self) -> dict[str, tuple[str, list]]:
        from models.cases import warning_conditions
        return warning_conditions(self.store, self.day)

    @cached_property
    def warning_counts(self) -> dict[str, int]:
        """Every warning kind counted over the open cases in one pass."""
        kinds = list(self.warning_sql)
        sums = ", ".join(f"COALESCE(SUM(({self.warning_sql[k][0]})), 0)" for k in kinds)
        params = [p for k in kinds for p in self.warning_sql[k][1]]
        row = self.store.query(f"SELECT {sums} FROM {self.src} t WHERE t.deleted_at IS NULL AND t.status IN {OPEN_IN}",
                               [*self.src_params, *params])[0]
        return {k: int(v) for k, v in zip(kinds, row)}

    def warning(self, kind: str, open_only: bool = False) -> int:
        """Cases under warning ``kind`` (the warnings are about open cases; ``open_only`` says so
        for the flags 重大 / 敏感 whatever the warning definition)."""
        return self.warning_counts[kind]

    @cached_property
    def soon_until(self) -> str:
        return self.warning_sql["即将到期"][1][-1]

    @cached_property
    def on_time(self) -> tuple[int, int, int]:
        """(closed in time, closed with a deadline, closed without one)."""
        r = self.query(f"COALESCE(SUM(t.deadline IS NOT NULL AND t.closed_on <= t.deadline), 0), "
                       f"COALESCE(SUM(t.deadline IS NOT NULL), 0), COALESCE(SUM(t.deadline IS NULL), 0)",
                       f"t.status IN {CLOSED_IN}")[0]
        return int(r[0]), int(r[1]), int(r[2])

    def warning_by(self, kind: str, group: str) -> list[tuple]:
        """(group value, count) of the cases under warning ``kind``."""
        sql, params = self.warning_sql[kind]
        # every warning is about open cases: saying so lets the open-case index serve the count
        return [tuple(r) for r in self.query(f"{group}, COUNT(*)", f"t.status IN {OPEN_IN} AND ({sql})", params,
                                             f"GROUP BY +{group}")]

    def item_open_sql(self) -> tuple[str, list]:
        """The 交办事项 still open at the end of the day, over ``action_item a LEFT JOIN meeting m``:
        now, every item not 办结销号; for a past day, items decided by then (their meeting held, or
        entered, that day or earlier) and not yet 办结销号 that day."""
        live = "a.deleted_at IS NULL"
        if self.past is None:
            return f"{live} AND a.status != '{ITEM_DONE}'", []
        d = self.day.isoformat()
        return (f"{live} AND substr(COALESCE(m.date, a.created_at), 1, 10) <= ? AND NOT (a.status = '{ITEM_DONE}' "
                "AND substr(COALESCE(a.closed_on, ''), 1, 10) <= ?)", [d, d])

    @cached_property
    def items(self) -> tuple[int, int]:
        """交办事项 (open, overdue) at the end of the day."""
        if not self.store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'action_item'"):
            return 0, 0
        where, params = self.item_open_sql()
        r = self.store.one(
            "SELECT COUNT(*), COALESCE(SUM(a.due_date IS NOT NULL AND a.due_date < ?), 0) FROM action_item a "
            f"LEFT JOIN meeting m ON m.id = a.meeting_id WHERE {where}", [self.day.isoformat(), *params])
        return int(r[0]), int(r[1])


    @cached_property
    def daily_missing(self) -> int:
        """Workstreams of the current campaign with no 日报告 for the day (``models.daily.missing_on``),
        on a workday; 0 on a day off."""
        if not self.store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'daily_report'"):
            return 0
        from models import daily
        if not daily.is_workday(self.store, self.day):
            return 0
        return len(daily.missing_on(self.store, self.day))


# -- the figures -------------------------------------------------------------------------------
_WHOLE = "欠薪问题台账在册的问题（截至统计日已登记、未删除）"
_MONEY = "不含经核实不存在欠薪的问题；有农民工实名名册的按名册合计，没有名册的按问题登记数"


@figure("cases", "欠薪问题数", "件", f"{_WHOLE}，各种状态都算，含经核实不存在欠薪的问题。")
def cases(b: Basis) -> int:
    return b.total("cases")


@figure("open_cases", "在办问题数", "件", "状态为“待核实”或“化解中”的问题。")
def open_cases(b: Basis) -> int:
    return b.total("cases", OPEN_STATUSES)


@figure("closed_cases", "已办结问题数", "件", "状态为“已化解”“已移送”“不存在欠薪”的问题（含经核实不存在欠薪的）。")
def closed_cases(b: Basis) -> int:
    return b.total("cases", CLOSED_STATUSES)


@figure("resolved_cases", "已化解问题数", "件", "状态为“已化解”的问题（欠薪已全部支付）。")
def resolved_cases(b: Basis) -> int:
    return b.by_status[RESOLVED].cases


@figure("referred_cases", "移送公安机关数", "件", "状态为“已移送”的问题。")
def referred_cases(b: Basis) -> int:
    return b.by_status["已移送"].cases


@figure("no_arrears_cases", "经核实不存在欠薪数", "件", "状态为“不存在欠薪”的问题：计入问题数和办结数，不计人数和金额。")
def no_arrears_cases(b: Basis) -> int:
    return b.by_status[EXCLUDED].cases


@figure("workers", "涉及农民工人数", "人", f"各问题涉及的农民工人数合计，{_MONEY}。")
def workers(b: Basis) -> int:
    return b.total("workers", b.counted_statuses)


@figure("owed_fen", "欠薪总额（应付）", "分", f"各问题的应付工资合计，{_MONEY}。")
def owed_fen(b: Basis) -> int:
    return b.total("owed_fen", b.counted_statuses)


@figure("paid_fen", "已兑付（已付）", "分",
        f"各问题已付给农民工的工资合计，{_MONEY}（名册的实发随每笔兑付记录增加）。"
        "统计以前某日时，按兑付日期在当日及以前的兑付记录计；没有兑付记录的已付金额按办结日期（在办的按登记日期）计。")
def paid_fen(b: Basis) -> int:
    return b.total("paid_fen", b.counted_statuses)


@figure("unpaid_fen", "未兑付（未付）", "分", "欠薪总额减已兑付。")
def unpaid_fen(b: Basis) -> int:
    return owed_fen(b) - paid_fen(b)


def _pct(part: int, whole: int, digits: int) -> float:
    """part ÷ whole × 100, rounded as the figure's 口径 says; 0 when there is no whole."""
    return round(100.0 * part / whole, digits) if whole else 0.0


@figure("cleared_pct", "清偿率", "%", "已兑付 ÷ 欠薪总额 × 100%，保留一位小数。")
def cleared_pct(b: Basis) -> float:
    return _pct(paid_fen(b), owed_fen(b), 1)


@figure("resolved_fen", "解决金额", "分", "状态为“已化解”的问题的已付金额合计（按兑付记录计算，不取台账手填的“解决金额”栏）。")
def resolved_fen(b: Basis) -> int:
    return b.by_status[RESOLVED].paid_fen


@figure("resolved_pct", "解决率", "%", "解决金额 ÷ 欠薪总额 × 100%：已全部化解的问题所占的金额比例，保留两位小数。")
def resolved_pct(b: Basis) -> float:
    return _pct(resolved_fen(b), owed_fen(b), 2)


@figure("closed_pct", "办结率", "%", "已办结问题数 ÷ 欠薪问题数 × 100%，保留两位小数。")
def closed_pct(b: Basis) -> float:
    return _pct(closed_cases(b), cases(b), 2)


@figure("on_time_cases", "按期办结问题数", "件", "已办结、设有办结时限、办结日期不晚于办结时限的问题。")
def on_time_cases(b: Basis) -> int:
    return b.on_time[0]


@figure("on_time_pct", "按期化解率", "%",
        "按期办结问题数 ÷ 设有办结时限的已办结问题数 × 100%，保留两位小数；没有办结时限的问题不计入分子分母。")
def on_time_pct(b: Basis) -> float:
    done, base, _none = b.on_time
    return _pct(done, base, 2)


@figure("closed_without_deadline", "无办结时限的已办结问题", "件", "已办结但台账未填办结时限的问题（不计入按期化解率）。")
def closed_without_deadline(b: Basis) -> int:
    return b.on_time[2]


@figure("overdue", "逾期问题数", "件", "在办问题中，办结时限早于统计日的（预警“逾期”）。")
def overdue(b: Basis) -> int:
    return b.warning("逾期")


@figure("due_soon", "即将到期问题数", "件", "在办问题中，办结时限在统计日至其后若干个工作日内的（预警“即将到期”，天数见预警设置）。")
def due_soon(b: Basis) -> int:
    return b.warning("即将到期")


@figure("stalled", "久拖未动问题数", "件",
        "在办问题中，最近一次办理（登记、状态变更、兑付或修改）距统计日超过规定天数的（预警“久拖未动”，"
        "天数见预警设置）；统计以前某日时，按当日及以前最近一次登记、状态变更或兑付的日期判断。")
def stalled(b: Basis) -> int:
    return b.warning("久拖未动")


@figure("major_open", "在办重大问题数", "件", "在办问题中标为重大的（人数或金额达到重大标准，或人工标注）；已办结的不计。")
def major_open(b: Basis) -> int:
    return b.warning("重大", open_only=True)


@figure("sensitive_open", "在办敏感问题数", "件", "在办问题中标为敏感的；已办结的不计。")
def sensitive_open(b: Basis) -> int:
    return b.warning("敏感", open_only=True)


@figure("items_open", "未办结交办事项", "项", "周调度会交办事项中尚未办结销号的（统计以前某日时：当日已交办、当日以前未销号的）。")
def items_open(b: Basis) -> int:
    return b.items[0]


@figure("items_overdue", "逾期交办事项", "项", "未办结交办事项中完成时限早于统计日的（督办）。")
def items_overdue(b: Basis) -> int:
    return b.items[1]


@figure("daily_missing", "日报告未报专班数", "个",
        "统计日为工作日时，本专项行动各工作专班中没有统计日日报告（零报告也算已报）的专班个数，"
        "即日报告页列为“未报”的专班；统计日为休息日（按节假日安排）时计 0。")
def daily_missing(b: Basis) -> int:
    return b.daily_missing


# -- all of them at once ---------------------------------------------------------------------
@dataclass
class Figures:
    today: _dt.date
    as_of: _dt.date                     # the day described (== today when "now")
    values: dict[str, Any]
    by_status: dict[str, Group] = field(default_factory=dict)
    soon_until: str = ""

    @property
    def now(self) -> bool:
        return self.as_of == self.today

    def __getattr__(self, key: str):
        values = self.__dict__.get("values", {})
        if key in values:
            return values[key]
        raise AttributeError(key)

    def to_json(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "today": self.today.isoformat(), **self.values,
                "soon_until": self.soon_until, "definitions": definitions()}


def figures(store: Store, today: _dt.date, as_of: _dt.date | None = None, *, basis: Basis | None = None,
            keys=None) -> Figures:
    """Every headline figure (or those in ``keys``), now (``as_of`` None or today) or as at the end
    of day ``as_of``."""
    b = basis or Basis(store, today, as_of)
    values = {k: fn(b) for k, fn in _FUNCS.items() if keys is None or k in keys}
    return Figures(today, b.day, values, b.by_status, b.soon_until)


def one(store: Store, key: str, today: _dt.date, as_of: _dt.date | None = None):
    """A single figure."""
    return _FUNCS[key](Basis(store, today, as_of))


def lines(f: Figures) -> list[str]:
    """The figures as Chinese lines (``qingqian figures``); those ``f`` lacks are left out."""
    return [line(k, f.values[k]) for k in DEFINITIONS if k in f.values]


def line(key: str, v) -> str:
    """One figure as a Chinese line, in its unit: 欠薪总额（应付）：3,864,633.00 元, 清偿率：78.4%."""
    from models.values import fen_to_yuan_text
    d = DEFINITIONS[key]
    if d.unit == "分":
        text = f"{fen_to_yuan_text(v)} 元"
    elif d.unit == "%":
        text = f"{v}%"
    else:
        text = f"{v:,} {d.unit}"
    return f"{d.name}：{text}"
