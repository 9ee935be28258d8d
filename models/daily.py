"""日报告 / 零报告: submitting a workstream's return, the returns missing on a day, a return
suggested from the ledgers, and the day's consolidated table in Excel."""
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
    return d.isoformat() if isinstance(d, _dt.date) else str(d)


def _workstreams(store: Store) -> list[dict]:
    from models import campaign
    return campaign.workstreams(store)


def new_defaults(store: Store, today: _dt.date) -> dict:
    return {"report_on": today.isoformat()}


def _zero(v: dict) -> bool:
    return all(not (v.get(n) or 0) for n in NUMBERS) and not (v.get("notes") or "").strip()


@service("daily_reports")
class DailyReportService(LedgerService):
    """One return per workstream per day; nothing new and no notes makes it a 零报告."""

    def defaults(self) -> dict:
        return new_defaults(self.store, self.today)

    def prepare_new(self, rows: list[dict]) -> None:
        for v in rows:
            v["is_zero"] = 1 if (v.get("is_zero") or _zero(v)) else 0

    def prepare_change(self, record_id: int, current: dict, changes: dict) -> None:
        merged = {**current, **changes}
        if not merged.get("is_zero") and _zero(merged):
            changes["is_zero"] = 1

    def _one_a_day(self, v: dict, record_id: int | None) -> list[tuple[str, str]]:
        if v.get("report_on") and v.get("workstream_id"):
            other = self.store.scalar("SELECT id FROM daily_report WHERE report_on = ? AND workstream_id = ? "
                                      "AND deleted_at IS NULL AND id IS NOT ?",
                                      (v["report_on"], v["workstream_id"], record_id))
            if other:
                name = self.store.scalar("SELECT name FROM workstream WHERE id = ?", (v["workstream_id"],), "")
                return [("workstream_id", f"{name}已报送 {v['report_on']} 的日报告，请打开原报告修改")]
        return []

    def check_new(self, row: dict) -> list[tuple[str, str]]:
        return self._one_a_day(row, None)

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        return self._one_a_day({**current, **changes}, record_id)


def submit_return(store: Store, values: dict, record_id: int | None = None) -> int:
    """One return per workstream per day; nothing new and no notes makes it a 零报告."""
    return DailyReportService(store).save(values, record_id)


def missing_on(store: Store, day: str | _dt.date) -> list[dict]:
    """Workstreams of the current campaign without a return for ``day``."""
    d = _day(day)
    have = {r[0] for r in store.query("SELECT workstream_id FROM daily_report WHERE report_on = ? "
                                      "AND deleted_at IS NULL", (d,))}
    return [w for w in _workstreams(store) if w["id"] not in have]


def missing_today(store: Store, today: _dt.date | None = None) -> list[dict]:
    return missing_on(store, today or _dt.date.today())


def is_workday(store: Store, day: _dt.date) -> bool:
    from models.cases import load_calendar
    return load_calendar(store).is_workday(day)


def banner(store: Store, today: _dt.date) -> str:
    missing = missing_on(store, today)
    when = f"今日（{today.month}月{today.day}日）"
    if not is_workday(store, today):
        return f"{when}为休息日。" + (f"已报送 {len(_workstreams(store)) - len(missing)} 个专班。" if missing else "")
    if not missing:
        return f"{when}各专班均已报送。"
    return f"{when}未报：{'、'.join(w['name'] for w in missing)}"


def suggest(store: Store, workstream_id: int, day: str | _dt.date) -> dict:
    """A return drawn from the ledgers: cases registered, petitions received, cases resolved and
    money repaid that day for the workstream's cases."""
    d = _day(day)
    q = store.scalar
    new_cases = q("SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND registered_on = ? "
                  "AND workstream_id = ?", (d, workstream_id), 0)
    new_pet = q("SELECT COUNT(*) FROM petition WHERE deleted_at IS NULL AND visited_on = ? AND workstream_id = ?",
                (d, workstream_id), 0)
    resolved = q("SELECT COUNT(*) FROM case_record WHERE deleted_at IS NULL AND status = '已化解' "
                 "AND closed_on = ? AND workstream_id = ?", (d, workstream_id), 0)
    repaid = q("SELECT COALESCE(SUM(p.amount_fen), 0) FROM repayment p JOIN case_record c ON c.id = p.case_id "
               "WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL AND p.paid_on = ? AND c.workstream_id = ?",
               (d, workstream_id), 0)
    out = {"report_on": d, "workstream_id": workstream_id, "new_cases": int(new_cases),
           "new_petitions": int(new_pet), "new_resolved": int(resolved), "repaid_fen": int(repaid)}
    out["is_zero"] = 0 if any(out[n] for n in NUMBERS) else 1
    return out


def consolidated(store: Store, day: str | _dt.date) -> dict:
    """The day's returns of every workstream (未报 where missing), totals and the campaign to date."""
    d = _day(day)
    got = {r["workstream_id"]: dict(r) for r in store.query(
        "SELECT * FROM daily_report WHERE report_on = ? AND deleted_at IS NULL", (d,))}
    rows = []
    for w in _workstreams(store):
        r = got.get(w["id"])
        state = "未报" if r is None else "零报告" if r["is_zero"] else "已报"
        rows.append({"workstream": w["name"], "state": state, **{n: (r or {}).get(n, 0) for n in NUMBERS},
                     "notes": (r or {}).get("notes", ""), "reporter": (r or {}).get("reporter", "")})
    totals = {n: sum(r[n] or 0 for r in rows) for n in NUMBERS}
    c = store.one("SELECT COUNT(*) AS n, COALESCE(SUM(status = '已化解'), 0) AS done, "
                  "COALESCE(SUM(total_owed_fen), 0) AS owed, COALESCE(SUM(total_paid_fen), 0) AS paid "
                  "FROM case_record WHERE deleted_at IS NULL AND registered_on <= ?", (d,))
    return {"day": d, "rows": rows, "totals": totals, "missing": [r["workstream"] for r in rows if r["state"] == "未报"],
            "to_date": dict(c)}


def export_day_xlsx(store: Store, day: str | _dt.date, out: str | Path, unit_name: str = "") -> Path:
    """The day's consolidated report (日报告汇总表) as .xlsx, written under a temporary name first."""
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
                       f"填报单位（盖章）：{unit}        报告日期：{d.year}年{d.month}月{d.day}日", plain)
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
        td = data["to_date"]
        pct = f"{100 * td['paid'] / td['owed']:.1f}%" if td["owed"] else "—"
        lines = [f"截至{d.month}月{d.day}日，累计登记欠薪问题 {td['n']} 件，已化解 {td['done']} 件；"
                 f"涉及欠薪 {fen_to_wan_text(td['owed'])} 万元，已兑付 {fen_to_wan_text(td['paid'])} 万元（{pct}）。",
                 "未报送专班：" + ("、".join(data["missing"]) if data["missing"] else "无"),
                 "填报人：                    审核人：                    "
                 f"日期：{d.year}年{d.month}月{d.day}日"]
        for line in lines:
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
