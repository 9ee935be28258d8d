"""专班目标: each workstream's binding (确保) and stretch (力争) targets and how far it has come.

``progress(store, today, as_of)`` gives, for every workstream with a target, the target in force
on the day (the first whose 目标时限 is that day or later, else the last) and 确保 / 力争 / 实际 /
差距 for cases and for money. 实际 is read from the case ledger as it stood (``models.figures.Basis``:
已化解 cases, 已兑付 without 不存在欠薪) and from the funds (到位金额, by 到位日期 for a past day), so
the sums over the workstreams are the headline figures.

The write service fills a new target's numbers from its percentages when they are left blank.
"""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

from models.db import Store
from models.ledger.service import LedgerService, service

CASES, PAID, RAISED = "化解问题（件）", "兑付金额", "筹措到位金额"
SURE_PCT, STRIVE_PCT = 60, 80          # 确保 60 %, 力争 80 % unless a target says otherwise


def base_of(store: Store, workstream_id: int, amount_basis: str) -> tuple[int, int]:
    """(cases, amount in 分) a target's percentages are taken of: the workstream's cases (without
    不存在欠薪) and their 欠薪金额, or for 筹措到位金额 its funds' 计划筹措."""
    n, owed = store.one("SELECT COUNT(*), COALESCE(SUM(total_owed_fen), 0) FROM case_record WHERE deleted_at IS NULL "
                        "AND workstream_id = ? AND status != '不存在欠薪'", (workstream_id,))
    if amount_basis == RAISED:
        owed = store.scalar("SELECT COALESCE(SUM(planned_fen), 0) FROM fund WHERE deleted_at IS NULL "
                            "AND workstream_id = ?", (workstream_id,), 0)
    return int(n), int(owed)


@service("targets")
class TargetService(LedgerService):
    def defaults(self) -> dict:
        return {"sure_pct": SURE_PCT, "strive_pct": STRIVE_PCT, "amount_basis": PAID}

    def prepare_new(self, rows: list[dict]) -> None:
        for v in rows:
            if v.get("sure_pct") is None:
                v["sure_pct"] = SURE_PCT
            if v.get("strive_pct") is None:
                v["strive_pct"] = STRIVE_PCT
            if not v.get("amount_basis"):
                v["amount_basis"] = PAID
            if not v.get("workstream_id"):
                continue
            blank = [k for k in ("sure_cases", "strive_cases", "sure_fen", "strive_fen") if v.get(k) in (None, "")]
            if not blank:
                continue
            n, owed = base_of(self.store, v["workstream_id"], v["amount_basis"])
            for k in blank:
                pct = v["sure_pct"] if k.startswith("sure") else v["strive_pct"]
                whole = n if k.endswith("cases") else owed
                v[k] = math.ceil(whole * pct / 100)


# -- progress ------------------------------------------------------------------------------------
@dataclass
class Line:
    workstream_id: int
    workstream: str
    due_on: str
    measure: str                  # 化解问题（件） / 兑付金额 / 筹措到位金额
    money: bool
    sure: int
    strive: int
    actual: int
    sure_pct: int
    strive_pct: int

    @property
    def gap_sure(self) -> int:
        """How far 实际 is below 确保 (0 when reached)."""
        return max(0, self.sure - self.actual)

    @property
    def gap_strive(self) -> int:
        return max(0, self.strive - self.actual)

    @property
    def reached(self) -> str:
        if self.actual >= self.strive:
            return "已达力争"
        if self.actual >= self.sure:
            return "已达确保"
        return "未达确保"

    def to_json(self) -> dict:
        """For --json and packages: sure / strive / actual / gaps are whole 分 for money (件 for
        cases), so the measure says 分, not the printed table's 万元, and ``unit`` names it."""
        measure = self.measure.replace("（万元）", "（分）") if self.money else self.measure
        return {"workstream": self.workstream, "due_on": self.due_on, "measure": measure, "sure": self.sure,
                "strive": self.strive, "actual": self.actual, "gap_sure": self.gap_sure,
                "gap_strive": self.gap_strive, "state": self.reached, "unit": "分" if self.money else "件"}


@dataclass
class Progress:
    day: _dt.date
    lines: list[Line]
    resolved_cases: int           # sums over every workstream (== models.figures on the day)
    paid_fen: int

    @property
    def available(self) -> bool:
        return bool(self.lines)


def _has(store: Store, table: str) -> bool:
    return bool(store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)))


def progress(store: Store, today: _dt.date, as_of: _dt.date | None = None, *, basis=None) -> Progress:
    from models import campaign as campaigns, figures
    b = basis or figures.Basis(store, today, as_of)
    day = b.day
    resolved: dict = {}
    paid: dict = {}
    for wid, status, n, _w, _o, p in b.groups:
        if status == figures.RESOLVED:
            resolved[wid] = resolved.get(wid, 0) + n
        if status != figures.EXCLUDED:
            paid[wid] = paid.get(wid, 0) + p
    prog = Progress(day, [], sum(resolved.values()), sum(paid.values()))
    if not _has(store, "workstream_target"):
        return prog
    raised: dict = {}
    if _has(store, "fund"):
        # money received by the day described, today included: a fund dated after it is not yet in
        for wid, fen in store.query("SELECT workstream_id, COALESCE(SUM(received_fen), 0) FROM fund "
                                    "WHERE deleted_at IS NULL AND (received_on IS NULL OR received_on <= ?) "
                                    "GROUP BY workstream_id", (day.isoformat(),)):
            raised[wid] = int(fen)
    rows = [dict(r) for r in store.query("SELECT * FROM workstream_target WHERE deleted_at IS NULL "
                                         "ORDER BY workstream_id, due_on")]
    chosen: dict = {}
    d = day.isoformat()
    for r in rows:
        cur = chosen.get(r["workstream_id"])
        if cur is None or (cur["due_on"] < d and (r["due_on"] >= d or r["due_on"] > cur["due_on"])):
            chosen[r["workstream_id"]] = r
    for w in campaigns.workstreams(store):
        t = chosen.get(w["id"])
        if t is None:
            continue
        args = (w["id"], w["name"], t["due_on"])
        pcts = (t["sure_pct"] or 0, t["strive_pct"] or 0)
        if t["sure_cases"] or t["strive_cases"]:
            prog.lines.append(Line(*args, CASES, False, t["sure_cases"] or 0, t["strive_cases"] or 0,
                                   resolved.get(w["id"], 0), *pcts))
        if t["sure_fen"] or t["strive_fen"]:
            basis_name = t["amount_basis"] or PAID
            actual = raised.get(w["id"], 0) if basis_name == RAISED else paid.get(w["id"], 0)
            prog.lines.append(Line(*args, f"{basis_name}（万元）", True, t["sure_fen"] or 0, t["strive_fen"] or 0,
                                   actual, *pcts))
    return prog


def cell(line: Line, value: int) -> str:
    """A value of a line as printed: 万元 with two decimals for money, a count otherwise."""
    if line.money:
        from models.values import fen_to_wan_text
        return fen_to_wan_text(value, 2)
    return f"{value:,}"


def table_rows(prog: Progress) -> list[list[str]]:
    """专班 | 指标 | 确保 | 力争 | 实际 | 差距（距确保） | 情况 — the one table the dashboard and the briefing show."""
    return [[ln.workstream, ln.measure, cell(ln, ln.sure), cell(ln, ln.strive), cell(ln, ln.actual),
             cell(ln, ln.gap_sure) if ln.gap_sure else "—", ln.reached] for ln in prog.lines]


HEADER = ("专班", "指标", "确保", "力争", "实际", "差距", "情况")
