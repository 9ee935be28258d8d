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
LINE_KEYS = ("cases", "workers", "owed_fen", "paid_fen", "cleared_pct", "overdue", "stalled", "major_open",
             "daily_missing")


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
    name, code, sequence, 数据截至, received time and days since that 报送. Only the figures'
    names are taken from the package: nothing it holds overrides a township's name, code,
    sequence or file, which come from the register."""
    from models.figures import DEFINITIONS
    out = []
    for r in store.query("SELECT * FROM exchange_township ORDER BY code"):
        figs = json.loads(r["figures"])
        as_of = _dt.datetime.fromisoformat(r["as_of"])
        out.append({"name": r["name"], "code": r["code"], "sequence": r["sequence"], "as_of": r["as_of"],
                    "received_at": r["received_at"], "sender": r["sender"], "full_ids": bool(r["full_ids"]),
                    "file": r["file"], **{k: v for k, v in figs.items() if k in DEFINITIONS},
                    "days_since_report": (today - as_of.date()).days})
    return out


def total_row(lines: list[dict], keys) -> dict:
    """The county's line for a table of townships: each key the sum of the townships' (rates from
    the sums), or None for a key some township's package does not carry (a package from an older
    version of the program): a sum over part of the townships would not be the county's."""
    def parts(k):
        return [c for part in RATES[k][:3] for c in part] if k in RATES else [k]
    need = dict.fromkeys([k for key in keys for k in (*parts(key), key)])
    # a rate is known when its parts are (it is computed again from their sums)
    have = [k for k in need if all(c in line for line in lines for c in parts(k))]
    out = total(lines, have) if lines else {k: (0.0 if k in RATES else 0) for k in have}
    return {k: out.get(k) for k in keys}


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
    known = {k: v for k, v in cf.totals.items() if k in DEFINITIONS and v is not None}
    out += lines(Figures(cf.today, cf.today, known))     # each in its unit, those some package lacks left out
    out.append("各乡镇：")
    out.append("　　乡镇（代码）｜问题数｜人数｜应付（元）｜已付（元）｜清偿率｜逾期｜久拖未动｜在办重大｜日报告未报｜"
               "数据截至｜距今天数")
    for t in cf.townships:
        missing = t.get("daily_missing")
        out.append(f"　　{t['name']}（{t['code']}）｜{t['cases']}｜{t['workers']}｜{fen_to_yuan_text(t['owed_fen'])}｜"
                   f"{fen_to_yuan_text(t['paid_fen'])}｜{t['cleared_pct']}%｜{t['overdue']}｜{t['stalled']}｜"
                   f"{t['major_open']}｜{'—' if missing is None else missing}｜"
                   f"{t['as_of'].replace('T', ' ')}（第 {t['sequence']} 号）｜{t['days_since_report']}")
    if not cf.townships:
        out.append("　　（尚未接收任何乡镇的报送包）")
    return out


# -- a township's own data, read-only (drill-down) ------------------------------------------------
class TownshipMissing(LookupError):
    """The township has no package received, or its kept file is gone (one Chinese line)."""


def township_row(store: Store, code: str) -> dict:
    r = store.one("SELECT * FROM exchange_township WHERE code = ?", (code,))
    if r is None:
        raise TownshipMissing(f"本县尚未接收乡镇代码 {code} 的报送包")
    return dict(r)


def township_file(store: Store, code: str):
    """The path of the township's latest database kept by the county."""
    from models.exchange.receive import townships_dir
    row = township_row(store, code)
    path = townships_dir(store.path) / row["file"]
    if not path.is_file():
        raise TownshipMissing(f"{row['name']}的报送数据文件不见了：{path}（请重新接收其最近一次报送包）")
    return path


def open_township(store: Store, code: str) -> Store:
    """The township's latest database as received, opened so that nothing can change it: a
    read-only connection (``mode=ro``) that also refuses every write statement
    (``PRAGMA query_only``). The caller closes it (``.conn.close()``)."""
    from models.exchange.receive import township_store
    path = township_file(store, code)
    t = township_store(store.path, path.name)
    t.conn.execute("PRAGMA query_only = ON")
    t.user = store.user
    return t


FIRST_LEDGERS = ("cases", "workers", "repayments")     # the drill-down lists these first, the audit log last


def township_ledgers(tstore: Store) -> list[dict]:
    """Every declared ledger the township's file holds: kind, title, table and its live rows."""
    from models.ledger import registry
    tables = {r[0] for r in tstore.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    out = []
    for ledger in registry.all_ledgers():
        if ledger.table not in tables:
            continue
        cols = {r[1] for r in tstore.query(f'PRAGMA table_info("{ledger.table}")')}
        where = " WHERE deleted_at IS NULL" if "deleted_at" in cols else ""
        n = int(tstore.scalar(f'SELECT COUNT(*) FROM "{ledger.table}"{where}', default=0) or 0)
        # a column this program declares that the file lacks (a file of another program version): the
        # ledger is listed, with its rows, but cannot be shown column by column
        missing = [f.label for f in ledger.fields if f.stored and f.name not in cols] or _unreadable(tstore, ledger)
        out.append({"kind": ledger.kind, "title": ledger.title, "table": ledger.table, "rows": n,
                    "missing": missing})
    first = {k: i for i, k in enumerate(FIRST_LEDGERS)}
    return sorted(out, key=lambda x: (first.get(x["kind"], len(first)), x["kind"] == "audit"))


def _unreadable(tstore: Store, ledger) -> list[str]:
    """[] when the ledger's rows can be read as the ledger pages read them; else a one-item list
    saying why (the first row is read: what a table would ask first)."""
    import sqlite3
    from models.ledger.repo import LedgerRepo
    repo = LedgerRepo(tstore, ledger)
    try:
        repo.rows_by_ids(repo.ids(limit=1))
    except sqlite3.Error as exc:
        return [str(exc)]
    return []


# -- ranking (周调度 / 通报) -----------------------------------------------------------------------
# (key, name, better): the figures townships are ranked by, "high" or "low" being better
RANK_KEYS = (("cleared_pct", "清偿率", "high"), ("overdue", "逾期问题数", "low"), ("stalled", "久拖未动问题数", "low"),
             ("major_open", "在办重大问题数", "low"), ("daily_missing", "日报告未报专班数", "low"))
RANK_RULE = ("排名规则：按清偿率从高到低排列；清偿率相同的，逾期问题少的在前；再相同的，久拖未动问题少的在前；"
             "三项都相同的并列同一名次。没有欠薪金额（欠薪总额为 0）的乡镇不计清偿率，列在最后，不排名次。"
             "各单项名次：清偿率高者在前，其余各项少者在前，数值相同的并列。")


def ranked(lines: list[dict]) -> list[dict]:
    """The townships in the order of ``RANK_RULE``, each with ``rank`` (None: not ranked, no
    money owed) and ``rank_<key>`` for every key of ``RANK_KEYS`` the line carries."""
    def order(line):
        return (-float(line.get("cleared_pct") or 0), int(line.get("overdue") or 0), int(line.get("stalled") or 0))
    money = sorted((line for line in lines if line.get("owed_fen")), key=lambda x: (order(x), x["code"]))
    none = sorted((line for line in lines if not line.get("owed_fen")), key=lambda x: x["code"])
    out, prev, rank = [], None, 0
    for i, line in enumerate(money, 1):
        if order(line) != prev:
            rank, prev = i, order(line)
        out.append({**line, "rank": rank})
    out += [{**line, "rank": None} for line in none]
    for key, _name, better in RANK_KEYS:
        have = [x for x in out if key in x and (key != "cleared_pct" or x.get("owed_fen"))]
        values = sorted((x[key] for x in have), reverse=better == "high")
        for x in out:
            x[f"rank_{key}"] = (values.index(x[key]) + 1) if x in have else None
    return out
