"""The county's figures: one line per township, taken from its latest 报送包, and the county
total, their sum.

A township's line is the ``figures`` its package carries (checked on receipt to be the figures
of the data it carries, as of its date): what the township itself reported, never recomputed
on another day. The county total adds the amounts and counts; the rates are computed again from
the summed amounts (``RATES``), never averaged. ``days_since_report`` counts from the package's
数据截至 date to the county's today.
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field

from models.db import Store
from models.exchange import identity

# rate → (numerator, denominator, digits): as models.figures defines each (tested equal)
RATES = {
    "cleared_pct": (("paid_fen",), ("owed_fen",), (), 1),
    "resolved_pct": (("resolved_fen",), ("owed_fen",), (), 2),
    "closed_pct": (("closed_cases",), ("cases",), (), 2),
    "on_time_pct": (("on_time_cases",), ("closed_cases",), ("closed_without_deadline",), 2),
}
LINE_KEYS = ("cases", "workers", "owed_fen", "paid_fen", "cleared_pct", "overdue", "stalled", "major_open")


def rate(values: dict, key: str) -> float:
    num, den, less, digits = RATES[key]
    n = sum(values.get(k, 0) for k in num)
    d = sum(values.get(k, 0) for k in den) - sum(values.get(k, 0) for k in less)
    return round(100.0 * n / d, digits) if d else 0.0


def total(lines: list[dict], keys) -> dict:
    out = {}
    for k in keys:
        if k in RATES:
            continue
        out[k] = sum(int(line.get(k) or 0) for line in lines)
    for k in RATES:
        if k in keys:
            out[k] = rate(out, k)
    return {k: out[k] for k in keys}


@dataclass
class CountyFigures:
    county: str
    code: str
    today: _dt.date
    totals: dict
    townships: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        from models.figures import definitions
        latest = [t["days_since_report"] for t in self.townships]
        return {"level": "county", "county": self.county, "code": self.code, "as_of": self.today.isoformat(),
                "today": self.today.isoformat(), **self.totals,
                "days_since_report": max(latest) if latest else None,
                "townships": self.townships, "definitions": definitions()}


def township_lines(store: Store, today: _dt.date) -> list[dict]:
    """One dict per township received, in code order: its package's figures (every key), its
    name, code, sequence, 数据截至, received time and days since that 报送."""
    out = []
    for r in store.query("SELECT * FROM exchange_township ORDER BY code"):
        figs = json.loads(r["figures"])
        as_of = _dt.datetime.fromisoformat(r["as_of"])
        out.append({"name": r["name"], "code": r["code"], "sequence": r["sequence"], "as_of": r["as_of"],
                    "received_at": r["received_at"], "sender": r["sender"], "full_ids": bool(r["full_ids"]),
                    "file": r["file"], **figs, "days_since_report": (today - as_of.date()).days})
    return out


def county_figures(store: Store, today: _dt.date) -> CountyFigures:
    from models.figures import DEFINITIONS
    unit = identity.unit(store)
    lines = township_lines(store, today)
    keys = [k for k in DEFINITIONS if all(k in line for line in lines)]
    return CountyFigures(unit.name, unit.code, today, total(lines, keys), lines)


def text_lines(cf: CountyFigures) -> list[str]:
    """The county's figures as Chinese lines (``qingqian figures`` on a county database)."""
    from models.figures import DEFINITIONS, Figures, lines
    from models.values import fen_to_yuan_text
    out = [f"{cf.county}汇总（{len(cf.townships)} 个乡镇，各乡镇按其最近一次报送的数字），"
           f"统计日：{cf.today.year}年{cf.today.month}月{cf.today.day}日"]
    known = {k: v for k, v in cf.totals.items() if k in DEFINITIONS}
    if len(known) == len(DEFINITIONS):
        out += lines(Figures(cf.today, cf.today, known))
    else:
        out += [f"{DEFINITIONS[k].name}：{v}" for k, v in known.items()]
    out.append("各乡镇：")
    out.append("　　乡镇（代码）｜问题数｜人数｜应付（元）｜已付（元）｜清偿率｜逾期｜久拖未动｜在办重大｜数据截至｜距今天数")
    for t in cf.townships:
        out.append(f"　　{t['name']}（{t['code']}）｜{t['cases']}｜{t['workers']}｜{fen_to_yuan_text(t['owed_fen'])}｜"
                   f"{fen_to_yuan_text(t['paid_fen'])}｜{t['cleared_pct']}%｜{t['overdue']}｜{t['stalled']}｜"
                   f"{t['major_open']}｜{t['as_of'].replace('T', ' ')}（第 {t['sequence']} 号）｜{t['days_since_report']}")
    if not cf.townships:
        out.append("　　（尚未接收任何乡镇的报送包）")
    return out
