"""清欠审查证明 / 兑付证明: what the office may certify for an employer (or one of its projects) as
of a day — that no wage arrears remain in the case ledger and no 拖欠工程款 remains owed by it —
and what was cleared. ``review`` looks; ``issue`` registers a numbered certificate through the
register's write service, which refuses, with one Chinese line, while arrears remain.

The cases are read as they stood at the end of the day (``models.figures.Basis``), so a
certificate as of a past day says what the ledger said then; 拖欠工程款 is as now registered.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from models.db import Store
from models.ledger.service import LedgerService, service

KINDS = ("清欠审查证明", "兑付证明")
OPEN = ("待核实", "化解中")
EXCLUDED = "不存在欠薪"


class Refused(ValueError):
    """A certificate cannot be issued (one Chinese line)."""


@dataclass
class Review:
    employer: str
    project: str
    as_of: _dt.date
    cases: list[dict] = field(default_factory=list)        # every case of the employer / project
    owing: list[dict] = field(default_factory=list)        # cases with arrears left
    contracts: list[dict] = field(default_factory=list)    # 拖欠工程款 it still owes

    @property
    def who(self) -> str:
        if self.employer and self.project:
            return f"{self.employer}（{self.project}）"
        return self.employer or self.project

    @property
    def counted(self) -> list[dict]:
        return [c for c in self.cases if c["status"] != EXCLUDED]

    @property
    def workers(self) -> int:
        return sum(c["workers"] or 0 for c in self.counted)

    @property
    def paid_fen(self) -> int:
        return sum(c["paid_fen"] or 0 for c in self.counted)

    @property
    def owed_fen(self) -> int:
        return sum(c["owed_fen"] or 0 for c in self.counted)

    @property
    def clear(self) -> bool:
        return not self.owing and not self.contracts

    def refusal(self) -> str:
        """Why no certificate can be issued, one line ("" when it can)."""
        parts = []
        if self.owing:
            left = sum(c["owed_fen"] - c["paid_fen"] for c in self.owing)
            from models.values import fen_to_yuan_text
            parts.append(f"尚有未化解的欠薪问题 {len(self.owing)} 件（{'、'.join(c['case_no'] for c in self.owing[:3])}"
                         f"{'等' if len(self.owing) > 3 else ''}），未兑付 {fen_to_yuan_text(max(left, 0))} 元")
        if self.contracts:
            from models.values import fen_to_yuan_text
            parts.append(f"尚欠工程款 {len(self.contracts)} 笔（{'、'.join(c['project_name'] for c in self.contracts[:3])}），"
                         f"共 {fen_to_yuan_text(sum(c['owed_fen'] for c in self.contracts))} 元")
        if not parts:
            return ""
        return (f"截至 {self.as_of.isoformat()}，{self.who}" + "；".join(parts) + "，不能出具清欠证明，请化解后再办理")


def review(store: Store, today: _dt.date, employer: str = "", project: str = "",
           as_of: _dt.date | None = None) -> Review:
    from models import figures
    employer, project = (employer or "").strip(), (project or "").strip()
    if not employer and not project:
        raise Refused("请写明要出具证明的用人单位或项目名称")
    try:
        b = figures.Basis(store, today, as_of)
    except figures.NotKnown as exc:
        raise Refused(str(exc)) from exc
    where, params = [], []
    if employer:
        where.append("t.employer_name = ?")
        params.append(employer)
    if project:
        where.append("t.project_name = ?")
        params.append(project)
    rows = [dict(r) for r in b.query(
        "t.id, t.case_no, t.employer_name, t.project_name, t.status, t.total_workers AS workers, "
        "t.total_owed_fen AS owed_fen, t.total_paid_fen AS paid_fen, t.closed_on, t.registered_on",
        " AND ".join(where), params, "ORDER BY t.registered_on, t.case_no")]
    out = Review(employer, project, b.day, rows)
    out.owing = [c for c in rows if c["status"] in OPEN or
                 (c["status"] != EXCLUDED and (c["owed_fen"] or 0) > (c["paid_fen"] or 0))]
    if store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'contract_arrear'"):
        from models.ledgers.contract_arrears import owed_sql
        cw, cp = ["t.deleted_at IS NULL"], []
        if employer:
            cw.append("t.owner_unit = ?")
            cp.append(employer)
        if project:
            cw.append("t.project_name = ?")
            cp.append(project)
        out.contracts = [dict(r) for r in store.query(
            f"SELECT t.arrear_no, t.project_name, {owed_sql()} AS owed_fen FROM contract_arrear t "
            f"WHERE {' AND '.join(cw)} AND {owed_sql()} > 0 ORDER BY t.arrear_no", cp)]
    return out


def next_number(store: Store, year: int) -> str:
    """清欠证〔2026〕N号: one more than every certificate of the year, in the recycle bin too (a
    number is never given twice)."""
    n = store.scalar("SELECT COUNT(*) FROM certificate WHERE cert_no LIKE ?", (f"清欠证〔{year}〕%",), 0)
    return f"清欠证〔{year}〕{int(n) + 1}号"


@service("certificates")
class CertificateService(LedgerService):
    """A certificate's number comes from the register; its figures from the review, and none is
    written while arrears remain."""

    def prepare_new(self, rows: list[dict]) -> None:
        for v in rows:
            v.setdefault("cert_kind", KINDS[0])
            v.setdefault("issued_on", self.today.isoformat())
            if not v.get("cert_no"):
                v["cert_no"] = next_number(self.store, _dt.date.fromisoformat(v["issued_on"]).year)

    def check_new(self, row: dict) -> list[tuple[str, str]]:
        try:
            r = review(self.store, self.today, row.get("employer_name") or "", row.get("project_name") or "",
                       _dt.date.fromisoformat(row["as_of"]) if row.get("as_of") else None)
        except Refused as exc:
            return [("employer_name", str(exc))]
        if not r.clear:
            return [("employer_name", r.refusal())]
        row["cases_count"], row["workers"], row["cleared_fen"] = len(r.counted), r.workers, r.paid_fen
        return []

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        fixed = set(changes) - {"notes", "purpose"}
        return [(k, "已出具的证明不能修改（出具有误的移入回收站后重新出具）") for k in sorted(fixed)]


def issue(store: Store, today: _dt.date, employer: str = "", project: str = "", *, as_of: _dt.date | None = None,
          kind: str = KINDS[0], purpose: str = "", issued_by: str = "") -> tuple[int, dict, Review]:
    """Register a certificate; (its id, its row, the review). ``Refused`` while arrears remain."""
    from models.ledger.repo import ValidationError
    from models.ledger.service import service_for
    if kind not in KINDS:
        raise Refused(f"证明种类应为：{'、'.join(KINDS)}")
    day = as_of or today
    r = review(store, today, employer, project, as_of)
    if not r.clear:
        raise Refused(r.refusal())
    svc = service_for(store, "certificates", today)
    try:
        cid = svc.insert({"cert_kind": kind, "employer_name": r.employer, "project_name": r.project,
                          "as_of": day.isoformat(), "issued_on": today.isoformat(), "purpose": purpose,
                          "issued_by": issued_by or getattr(store.actor, "display_name", "") or ""})
    except ValidationError as exc:
        raise Refused(str(exc)) from exc
    row = dict(store.one("SELECT * FROM certificate WHERE id = ?", (cid,)))
    return cid, row, r


def register_rows(store: Store) -> list[dict]:
    return [dict(r) for r in store.query("SELECT * FROM certificate WHERE deleted_at IS NULL "
                                         "ORDER BY issued_on DESC, id DESC")]
