"""重大欠薪问题和敏感项目台账: a view over the cases flagged major (重大) or sensitive (敏感) and
the projects they concern, with its own printout."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from models.db import Store
from models.figures import CLOSED_IN, OPEN_STATUSES
from models.ledger.repo import Query
from models.values import fen_to_yuan_text as _y

FLAGGED_SQL = "(t.is_major = 1 OR t.is_sensitive = 1)"
FLAGS = ("重大", "敏感")


def query(flag: str | None = None) -> Query:
    """The case-ledger query of the view: every flagged case, or only 重大 / 敏感 ones."""
    q = Query()
    if flag == "重大":
        q.equals["is_major"] = 1
    elif flag == "敏感":
        q.equals["is_sensitive"] = 1
    else:
        q.extra.append((FLAGGED_SQL, []))
        q.notes.append("重大或敏感")
    return q


def flagged_cases(store: Store) -> list[dict]:
    return [dict(r) for r in store.query(
        "SELECT t.id, t.case_no, t.registered_on, t.employer_name, t.project_name, t.total_workers, "
        "t.total_owed_fen, t.total_paid_fen, t.total_owed_fen - t.total_paid_fen AS outstanding, t.status, "
        "t.deadline, t.owner_person, t.is_major, t.is_sensitive, t.source, w.name AS workstream "
        f"FROM case_record t LEFT JOIN workstream w ON w.id = t.workstream_id WHERE t.deleted_at IS NULL AND {FLAGGED_SQL} "
        f"ORDER BY (t.status IN {CLOSED_IN}), t.total_owed_fen - t.total_paid_fen DESC, t.id")]


def _where(flag: str | None, open_only: bool) -> str:
    cond = {"重大": "t.is_major = 1", "敏感": "t.is_sensitive = 1"}.get(flag or "", FLAGGED_SQL)
    if open_only:
        cond += f" AND t.status NOT IN {CLOSED_IN}"
    return cond


def flagged_projects(store: Store, flag: str | None = None, open_only: bool = False) -> list[dict]:
    """Projects with a flagged case: how many, how many workers, what is still unpaid, and the
    contract arrears registered against them."""
    rows = store.query(
        "SELECT t.project_name AS name, COUNT(*) AS cases, SUM(t.total_workers) AS workers, "
        "SUM(t.total_owed_fen) AS owed, SUM(t.total_owed_fen - t.total_paid_fen) AS outstanding, "
        "SUM(t.is_major) AS major, SUM(t.is_sensitive) AS sensitive, "
        f"SUM(t.status NOT IN {CLOSED_IN}) AS open, "
        "p.owner_unit, p.general_contractor, p.gov_invested, "
        "(SELECT COALESCE(SUM((CASE WHEN a.settled_fen > 0 THEN a.settled_fen ELSE a.contract_fen END) - a.paid_fen), 0) "
        " FROM contract_arrear a WHERE a.project_name = t.project_name AND a.deleted_at IS NULL) AS contract_owed "
        "FROM case_record t LEFT JOIN project p ON p.name = t.project_name WHERE t.deleted_at IS NULL "
        f"AND {_where(flag, open_only)} AND t.project_name != '' GROUP BY t.project_name ORDER BY outstanding DESC, cases DESC")
    return [dict(r) for r in rows]


def _flags(r: dict) -> str:
    return "、".join(f for f, on in zip(FLAGS, (r["is_major"], r["is_sensitive"])) if on)


def print_major(store: Store, out: str | Path, today: _dt.date | None = None) -> Path:
    from models.ledger_pdf_fallback import table_pdf, town, unit_name
    today = today or _dt.date.today()
    cases = flagged_cases(store)
    headers = ["序号", "编号", "登记日期", "用人单位 / 项目", "人数", "欠薪金额（元）", "未付金额（元）",
               "责任专班", "包案责任人", "办结时限", "状态", "标记"]
    widths = [3, 12, 8, 26, 4, 10, 10, 11, 7, 8, 6, 6]
    rows = [[str(i), c["case_no"], c["registered_on"] or "", c["employer_name"] or c["project_name"] or "",
             str(c["total_workers"]), _y(c["total_owed_fen"]), _y(c["outstanding"]), c["workstream"] or "",
             c["owner_person"] or "", c["deadline"] or "", c["status"], _flags(c)] for i, c in enumerate(cases, 1)]
    totals = ["合计", f"{len(cases)} 件", "", "", str(sum(c["total_workers"] for c in cases)),
              _y(sum(c["total_owed_fen"] for c in cases)), _y(sum(c["outstanding"] for c in cases)),
              "", "", "", f"未办结 {sum(1 for c in cases if c['status'] in OPEN_STATUSES)} 件", ""]
    projects = flagged_projects(store)
    p_head = ["序号", "项目名称", "建设单位", "总承包单位", "政府投资", "问题件数", "涉及人数", "未付工资（元）", "拖欠工程款（元）"]
    p_rows = [[str(i), p["name"], p["owner_unit"] or "", p["general_contractor"] or "", "是" if p["gov_invested"] else "否",
               f"{p['cases']}（未办结 {p['open']}）", str(p["workers"]), _y(p["outstanding"]), _y(p["contract_owed"])]
              for i, p in enumerate(projects, 1)]
    unit = unit_name(store)
    from models import figures
    f = figures.figures(store, today)
    return table_pdf(out, f"{town(unit)}重大欠薪问题和敏感项目台账", headers, widths, rows, unit=unit,
                     numeric={4, 5, 6}, totals=totals, today=today,
                     subtitle=f"重大：涉及人数或金额超过预警阈值；敏感：网络舆情、上级交办等。共 {len(cases)} 件"
                              f"（含已办结的；其中在办重大 {f.major_open} 件、在办敏感 {f.sensitive_open} 件，"
                              "与首页和周调度材料的预警数一致）",
                     sections=[("涉及的工程项目", p_head, [3, 22, 18, 18, 5, 9, 6, 11, 11], p_rows)])
