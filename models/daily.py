"""日报告 / 零报告: submitting a workstream's return, the returns missing on a day, a return
drawn from the ledgers (and the returns the ledgers have since contradicted), and the day's
consolidated table in Excel.

Which workstreams owe a return on a day (``workstreams_on``): those of the current campaign,
from the campaign's first day, or, for a workstream added once returns were already being
filed (or on a later day than the campaign was set up), from the day it was added (its 新增 in
the 操作记录). A 专班 added today is not 未报 on the days before it existed.

A return is a 零报告 when it has nothing new and no 工作动态 (``is_zero`` follows the numbers
and the notes, for every path: the window, the command line, an import)."""
from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

from models.db import Store
from models.ledger import registry
from models.ledger.repo import LedgerRepo
from models.ledger.service import LedgerService, service
from models.ledgers.daily_reports import NUMBERS


def repo(store: Store) -> LedgerRepo:
    return LedgerRepo(store, registry.get("daily_reports"))


def _day(d: str | _dt.date) -> str:
    return d.isoformat() if isinstance(d, _dt.date) else str(d)[:10]


def _workstreams(store: Store) -> list[dict]:
    from models import campaign
    return campaign.workstreams(store)


def campaign_start(store: Store) -> str | None:
    """The current campaign's first day (ISO), or None without a campaign."""
    from models import campaign
    c = campaign.current(store)
    return c.start_date if c is not None else None


def refuse_before_start(store: Store, day: str | _dt.date, what: str = "报告日期") -> None:
    """A day before the campaign began has no 日报告 (nor 零报告): ValueError, one Chinese line."""
    start, d = campaign_start(store), _day(day)
    if start and d < start:
        raise ValueError(f"{what} {d} 早于专项行动开始日期（{start}），专项行动开始前没有日报告或零报告")


def expected_from(store: Store) -> dict[int, str]:
    """Workstream id → the first day (ISO) it owes a return: the campaign's first day, or the day
    it was added when that was after the campaign was set up (see the module's docstring)."""
    from models import campaign
    c = campaign.current(store)
    if c is None:
        return {}
    rows = store.query(
        "SELECT w.id, (SELECT MIN(a.id) FROM audit_log a WHERE a.table_name = 'workstream' "
        "AND a.action = 'insert' AND a.record_uuid = w.uuid) AS added_id, "
        "(SELECT MIN(a.at) FROM audit_log a WHERE a.table_name = 'workstream' "
        "AND a.action = 'insert' AND a.record_uuid = w.uuid) AS added_at FROM workstream w WHERE w.campaign_id = ?",
        (c.id,))
    set_up = store.scalar("SELECT MIN(at) FROM audit_log WHERE table_name = 'campaign' AND action = 'insert' "
                          "AND record_id = ?", (c.id,))
    # MIN(id + 0): by the (table_name, record_id) index; MIN(id) walked a county's whole audit log
    # in id order (1.2 s of 2.4 million rows) looking for the first daily_report row
    first_return = store.scalar("SELECT MIN(id + 0) FROM audit_log WHERE table_name = 'daily_report' "
                                "AND action = 'insert'")
    out = {}
    for r in rows:
        start = c.start_date
        if r["added_at"]:
            added = str(r["added_at"])[:10]
            later = (set_up is not None and added > str(set_up)[:10]) or \
                    (first_return is not None and r["added_id"] > first_return)
            if later and added > start:
                start = added
        out[int(r["id"])] = start
    return out


def workstreams_on(store: Store, day: str | _dt.date) -> list[dict]:
    """Workstreams of the current campaign that owe a return on ``day`` (a rest day included:
    whether a day off is asked of them is the caller's, ``is_workday``)."""
    d = _day(day)
    since = expected_from(store)
    return [w for w in _workstreams(store) if since.get(w["id"], d) <= d]


def new_defaults(store: Store, today: _dt.date) -> dict:
    return {"report_on": today.isoformat()}


def _numbers_zero(v: dict) -> bool:
    return all(not (v.get(n) or 0) for n in NUMBERS)


def _zero(v: dict) -> bool:
    return _numbers_zero(v) and not (v.get("notes") or "").strip()


def _is_zero(v: dict, given) -> int:
    """零报告 follows the return: nothing new and no notes is one; notes make it a return with
    news (工作动态), whatever was ticked; numbers with 零报告 ticked stay ticked, for the
    declaration's rule to refuse with its message."""
    if _zero(v):
        return 1
    if _numbers_zero(v):
        return 0
    return 1 if given else 0


def _liaison(store: Store):
    """The acting account when it is a 专班填报员 (who files only under their own name), else None."""
    a = store.actor
    return a if a is not None and not a.is_system and a.role == "专班填报员" else None


def _not_self(store: Store, reporter) -> list[tuple[str, str]]:
    """报告人: a 专班填报员 files a return under their own name only (an office account may record
    a return a liaison phoned in, naming them: the audit shows who typed it)."""
    a = _liaison(store)
    given = (reporter or "").strip()
    if a is None or not given or given in (a.display_name, a.username):
        return []
    return [("reporter", f"报告人应为本人（{a.display_name or a.username}）：专班填报员不能以“{given}”的名义报送日报告")]


@service("daily_reports")
class DailyReportService(LedgerService):
    """One return per workstream per day, from the campaign's first day; nothing new and no
    notes makes it a 零报告, notes make it none. A 专班填报员's return is filed under their own name."""

    def defaults(self) -> dict:
        return new_defaults(self.store, self.today)

    def prepare_new(self, rows: list[dict]) -> None:
        a = self.store.actor
        me = (a.display_name or a.username) if a is not None and not a.is_system else ""
        for v in rows:
            v["is_zero"] = _is_zero(v, v.get("is_zero"))
            if me and not (v.get("reporter") or "").strip():
                v["reporter"] = me                 # 报告人 left blank: the person filing it

    def prepare_change(self, record_id: int, current: dict, changes: dict) -> None:
        merged = {**current, **changes}
        zero = _is_zero(merged, changes.get("is_zero"))
        if zero != (current.get("is_zero") or 0) or "is_zero" in changes:
            changes["is_zero"] = zero

    def _one_a_day(self, v: dict, record_id: int | None) -> list[tuple[str, str]]:
        if v.get("report_on") and v.get("workstream_id"):
            other = self.store.scalar("SELECT id FROM daily_report WHERE report_on = ? AND workstream_id = ? "
                                      "AND deleted_at IS NULL AND id IS NOT ?",
                                      (v["report_on"], v["workstream_id"], record_id))
            if other:
                name = self.store.scalar("SELECT name FROM workstream WHERE id = ?", (v["workstream_id"],), "")
                return [("workstream_id", f"{name}已报送 {v['report_on']} 的日报告，请打开原报告修改")]
        return []

    def _in_campaign(self, v: dict) -> list[tuple[str, str]]:
        try:
            if v.get("report_on"):
                refuse_before_start(self.store, v["report_on"])
        except ValueError as exc:
            return [("report_on", str(exc))]
        return []

    def check_new(self, row: dict) -> list[tuple[str, str]]:
        return self._in_campaign(row) + self._one_a_day(row, None) + _not_self(self.store, row.get("reporter"))

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        merged = {**current, **changes}
        return ((self._in_campaign(merged) if "report_on" in changes else []) + self._one_a_day(merged, record_id)
                + (_not_self(self.store, changes["reporter"]) if "reporter" in changes else []))


def submit_return(store: Store, values: dict, record_id: int | None = None, reason: str = "") -> int:
    """One return per workstream per day; nothing new and no notes makes it a 零报告.
    ``reason``: the person's 修改理由 when an earlier return is changed."""
    return DailyReportService(store).save(values, record_id, reason)


def return_of(store: Store, workstream_id: int, day: str | _dt.date) -> dict | None:
    """The workstream's return for ``day`` (not in the recycle bin), or None."""
    r = store.one("SELECT * FROM daily_report WHERE report_on = ? AND workstream_id = ? AND deleted_at IS NULL",
                  (_day(day), workstream_id))
    return dict(r) if r else None


def amend_return(store: Store, workstream_id: int, day: str | _dt.date, reason: str, *,
                 notes: str | None = None, reporter: str | None = None) -> int:
    """Correct a return already filed: its numbers drawn again from the ledgers (``suggest``),
    its notes and 报告人 replaced when given; ``reason`` (the person's 修改理由) is required."""
    reason = (reason or "").strip()
    name = store.scalar("SELECT name FROM workstream WHERE id = ?", (workstream_id,), "")
    current = return_of(store, workstream_id, day)
    if current is None:
        raise ValueError(f"{name}尚未报送 {_day(day)} 的日报告，无从修改（请直接报送）")
    if not reason:
        raise ValueError(f"修改{name} {_day(day)} 已报送的日报告须写明理由")
    values = {n: v for n, v in suggest(store, workstream_id, day).items() if n in NUMBERS}
    if notes is not None:
        values["notes"] = notes.strip()
    if reporter:
        values["reporter"] = reporter.strip()
    return submit_return(store, values, int(current["id"]), reason)


def missing_on(store: Store, day: str | _dt.date) -> list[dict]:
    """Workstreams that owe a return for ``day`` (``workstreams_on``) and have none."""
    d = _day(day)
    have = {r[0] for r in store.query("SELECT workstream_id FROM daily_report WHERE report_on = ? "
                                      "AND deleted_at IS NULL", (d,))}
    return [w for w in workstreams_on(store, d) if w["id"] not in have]


def missing_today(store: Store, today: _dt.date | None = None) -> list[dict]:
    return missing_on(store, today or _dt.date.today())


def is_workday(store: Store, day: _dt.date | str) -> bool:
    from models.cases import load_calendar
    return load_calendar(store).is_workday(day if isinstance(day, _dt.date) else _dt.date.fromisoformat(_day(day)))


def banner(store: Store, today: _dt.date) -> str:
    missing = missing_on(store, today)
    when = f"今日（{today.month}月{today.day}日）"
    if not is_workday(store, today):
        return f"{when}为休息日。" + (f"已报送 {len(workstreams_on(store, today)) - len(missing)} 个专班。"
                                      if missing else "")
    if not missing:
        return f"{when}各专班均已报送。"
    return f"{when}未报：{'、'.join(w['name'] for w in missing)}"


# what the ledgers say a workstream did on a day: {d} the day, {w} the workstream (SQL expressions)
_FROM_LEDGERS = {
    "new_cases": "SELECT COUNT(*) FROM case_record c WHERE c.deleted_at IS NULL AND c.registered_on = {d} "
                 "AND c.workstream_id = {w}",
    "new_petitions": "SELECT COUNT(*) FROM petition p WHERE p.deleted_at IS NULL AND p.visited_on = {d} "
                     "AND p.workstream_id = {w}",
    "new_resolved": "SELECT COUNT(*) FROM case_record c WHERE c.deleted_at IS NULL AND c.status = '已化解' "
                    "AND c.closed_on = {d} AND c.workstream_id = {w}",
    "repaid_fen": "SELECT COALESCE(SUM(p.amount_fen), 0) FROM repayment p JOIN case_record c ON c.id = p.case_id "
                  "WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL AND c.status != '不存在欠薪' "
                  "AND p.paid_on = {d} AND c.workstream_id = {w}",
}
LEDGER_LABELS = {"new_cases": "新增线索", "new_petitions": "新增信访", "new_resolved": "化解", "repaid_fen": "兑付"}


def suggest(store: Store, workstream_id: int, day: str | _dt.date) -> dict:
    """A return drawn from the ledgers: cases registered, petitions received, cases resolved and
    money repaid that day for the workstream's cases. ``is_zero``: the ledgers show nothing new
    (the return's own 零报告 also depends on its notes, ``DailyReportService``)."""
    d = _day(day)
    sql = ", ".join(f"({q.format(d=':d', w=':w')}) AS {n}" for n, q in _FROM_LEDGERS.items())
    row = store.one(f"SELECT {sql}", {"d": d, "w": workstream_id})
    out = {"report_on": d, "workstream_id": workstream_id, **{n: int(row[n] or 0) for n in NUMBERS}}
    out["is_zero"] = 0 if any(out[n] for n in NUMBERS) else 1
    return out


def contradicted(store: Store, day: str | _dt.date | None = None) -> list[dict]:
    """Returns (of ``day``, or of every day) whose numbers the ledgers now contradict: something
    registered, resolved or repaid for that day after the return was filed, or a number typed
    that the ledgers do not bear out. Each: id, report_on, workstream_id, workstream, and
    ``diff`` {field: (reported, ledgers)}."""
    cols = ", ".join(f"({q.format(d='d.report_on', w='d.workstream_id')}) AS l_{n}" for n, q in _FROM_LEDGERS.items())
    where, params = ("AND d.report_on = ?", (_day(day),)) if day is not None else ("", ())
    out = []
    for r in store.query(f"SELECT d.*, w.name AS workstream, {cols} FROM daily_report d "
                         "LEFT JOIN workstream w ON w.id = d.workstream_id "
                         f"WHERE d.deleted_at IS NULL {where} ORDER BY d.report_on, w.sort, w.id", params):
        diff = {n: (int(r[n] or 0), int(r[f"l_{n}"] or 0)) for n in NUMBERS if int(r[n] or 0) != int(r[f"l_{n}"] or 0)}
        if diff:
            out.append({"id": r["id"], "report_on": r["report_on"], "workstream_id": r["workstream_id"],
                        "workstream": r["workstream"] or "", "diff": diff})
    return out


def contradicted_findings(store: Store, today: _dt.date):
    """``contradicted`` as work warnings for ``check`` (models.checks.Finding, one per return):
    a return to correct with ``daily submit --amend``, not a reason the data fail the check."""
    from models.checks import Finding
    for c in contradicted(store):
        yield Finding("daily_reports_contradicted", "daily_report", c["id"], f"{c['report_on']} {c['workstream']}",
                      f"日报告与当日台账不符：{contradiction_text(c)}，请核对后修改日报告")


def contradiction_text(c: dict) -> str:
    """报兑付 0.00 元，台账 3,000.00 元；报新增线索 0 件，台账 1 件"""
    from models.values import fen_to_yuan_text
    parts = []
    for n, (said, ledgers) in c["diff"].items():
        if n == "repaid_fen":
            parts.append(f"报{LEDGER_LABELS[n]} {fen_to_yuan_text(said)} 元，台账 {fen_to_yuan_text(ledgers)} 元")
        else:
            parts.append(f"报{LEDGER_LABELS[n]} {said} 件，台账 {ledgers} 件")
    return "；".join(parts)


def consolidated(store: Store, day: str | _dt.date) -> dict:
    """The day's returns of every workstream that owed one (未报 where missing on a workday,
    休息日 on a day off) and their totals. A day before the campaign began is refused. The
    campaign to date (``to_date`` of the Excel sheet) is ``models.figures``', which the caller
    passes in: ``models.reports.daily.export_xlsx`` (figures reads this module)."""
    d = _day(day)
    refuse_before_start(store, d)
    rest = not is_workday(store, d)
    got = {r["workstream_id"]: dict(r) for r in store.query(
        "SELECT * FROM daily_report WHERE report_on = ? AND deleted_at IS NULL", (d,))}
    owing = {w["id"] for w in workstreams_on(store, d)}
    rows = []
    for w in _workstreams(store):
        r = got.get(w["id"])
        if r is None and w["id"] not in owing:
            continue                       # not yet set up that day
        state = ("休息日" if rest else "未报") if r is None else "零报告" if r["is_zero"] else "已报"
        rows.append({"workstream": w["name"], "state": state, **{n: (r or {}).get(n, 0) for n in NUMBERS},
                     "notes": (r or {}).get("notes", ""), "reporter": (r or {}).get("reporter", "")})
    totals = {n: sum(r[n] or 0 for r in rows) for n in NUMBERS}
    return {"day": d, "rest_day": rest, "rows": rows, "totals": totals,
            "missing": [r["workstream"] for r in rows if r["state"] == "未报"]}


def export_day_xlsx(store: Store, day: str | _dt.date, out: str | Path, unit_name: str = "",
                    to_date: dict | None = None) -> Path:
    """The day's consolidated report (日报告汇总表) as .xlsx, written under a temporary name first.
    ``to_date``: the campaign to that day, from ``models.figures`` (n, done, owed, paid,
    cleared_pct), for the 截至…累计 line; without it the line is left out rather than counted
    here a second way (``models.reports.daily.export_xlsx`` passes it)."""
    import xlsxwriter
    from models.values import fen_to_wan_text
    data = consolidated(store, day)
    d = _dt.date.fromisoformat(data["day"])
    unit = unit_name or store.scalar("SELECT unit FROM campaign WHERE is_current = 1 ORDER BY id DESC LIMIT 1",
                                     default="") or ""
    out = Path(out)
    tmp = out.with_name(f".{out.stem}.part{out.suffix}")
    try:
        wb = xlsxwriter.Workbook(str(tmp))
        ws = wb.add_worksheet("日报告汇总")
        f = {k: wb.add_format({"font_name": "宋体", "font_size": 11, "border": 1, "valign": "vcenter", **extra})
             for k, extra in {"cell": {"text_wrap": True}, "center": {"align": "center"},
                              "int": {"align": "right"}, "money": {"num_format": "#,##0.00"},
                              "head": {"bold": True, "align": "center", "bg_color": "#D9E1F2", "text_wrap": True},
                              "total": {"bold": True, "align": "center"},
                              "total_int": {"bold": True}, "total_money": {"bold": True, "num_format": "#,##0.00"}}.items()}
        title = wb.add_format({"font_name": "方正小标宋简体", "font_size": 18, "align": "center", "valign": "vcenter"})
        plain = wb.add_format({"font_name": "宋体", "font_size": 11, "text_wrap": True, "valign": "top"})
        heads = ["序号", "专班", "报送情况", "新增欠薪线索（件）", "新增信访（件）", "当日化解（件）",
                 "当日兑付金额（元）", "工作动态", "报告人"]
        widths = [6, 22, 10, 11, 10, 10, 15, 48, 9]
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        ws.merge_range(0, 0, 0, len(heads) - 1, f"{unit}根治欠薪日报告汇总表", title)
        ws.set_row(0, 34)
        ws.merge_range(1, 0, 1, len(heads) - 1,
                       f"填报单位（盖章）：{unit}        报告日期：{d.year}年{d.month}月{d.day}日"
                       + ("（休息日）" if data["rest_day"] else ""), plain)
        ws.write_row(2, 0, heads, f["head"])
        ws.set_row(2, 32)
        r = 3
        for i, row in enumerate(data["rows"], 1):
            ws.write_number(r, 0, i, f["center"])
            ws.write_string(r, 1, row["workstream"], f["cell"])
            ws.write_string(r, 2, row["state"], f["center"])
            for c, n in ((3, "new_cases"), (4, "new_petitions"), (5, "new_resolved")):
                ws.write_number(r, c, row[n] or 0, f["int"])
            ws.write_number(r, 6, (row["repaid_fen"] or 0) / 100, f["money"])
            ws.write_string(r, 7, row["notes"] or ("（未报送）" if row["state"] == "未报" else ""), f["cell"])
            ws.write_string(r, 8, row["reporter"] or "", f["center"])
            r += 1
        t = data["totals"]
        ws.merge_range(r, 0, r, 2, "合计", f["total"])
        for c, n in ((3, "new_cases"), (4, "new_petitions"), (5, "new_resolved")):
            ws.write_number(r, c, t[n], f["total_int"])
        ws.write_number(r, 6, t["repaid_fen"] / 100, f["total_money"])
        ws.write_blank(r, 7, None, f["cell"])
        ws.write_blank(r, 8, None, f["cell"])
        td = to_date
        pct = f"{td['cleared_pct']:.1f}%" if td and td["owed"] else "—"
        lines = [f"截至{d.month}月{d.day}日，累计登记欠薪问题 {td['n']} 件，已化解 {td['done']} 件；"
                 f"涉及欠薪 {fen_to_wan_text(td['owed'])} 万元，已兑付 {fen_to_wan_text(td['paid'])} 万元（{pct}）。"
                 if td else None,
                 "未报送专班：" + ("、".join(data["missing"]) if data["missing"] else
                               "无（休息日，不要求报送）" if data["rest_day"] else "无"),
                 "填报人：                    审核人：                    "
                 f"日期：{d.year}年{d.month}月{d.day}日"]
        for line in filter(None, lines):
            r += 1
            ws.merge_range(r, 0, r, len(heads) - 1, line, plain)
            ws.set_row(r, 22)
        ws.freeze_panes(3, 0)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(2)
        wb.close()
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out
