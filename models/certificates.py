"""清欠审查证明 / 兑付证明: what the office may certify for an employer (or one of its projects) as
of a day — that no wage arrears remain in the case ledger and no 拖欠工程款 remains owed by it —
and what was cleared. ``review`` looks; ``issue`` registers a numbered certificate through the
register's write service, which refuses, with one Chinese line, while arrears remain, for a name
no ledger knows (``known_or_refuse``: a near miss of an employer that owes would otherwise be
certified as owing nothing), and for a day the data check's own rule ``certificates_clear``
(``models.ledgers.certificates``) would at once find contradicted by a case registered later.

The cases are read as they stood at the end of the day (``models.figures.Basis``), so a
certificate as of a past day says what the ledger said then; 拖欠工程款 is as now registered.
"""
from __future__ import annotations

import datetime as _dt
import re
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


# where a name the certificate speaks for may stand: the ledgers it consults (cases, 拖欠工程款)
# and the registers of employers and projects. Table → columns; a table or column a database
# does not have is skipped.
EMPLOYER_COLUMNS = {"case_record": ("employer_name", "owner_unit", "general_contractor", "subcontractor"),
                    "employer": ("name",),
                    "project": ("owner_unit", "general_contractor", "subcontractor"),
                    "contract_arrear": ("owner_unit", "contractor")}
PROJECT_COLUMNS = {"case_record": ("project_name",), "project": ("name",), "contract_arrear": ("project_name",)}
# what two spellings of one unit's name differ by (有限责任 before 有限: the longer first)
_NOISE = ("有限责任", "有限", "股份", " ", "\u3000", "(", ")", "（", "）", "[", "]", "【", "】", "〔", "〕", "<", ">", "《", "》")
NEAR_SHOWN = 5


def _columns(store: Store, table: str, wanted: tuple[str, ...]) -> tuple[list[str], bool]:
    """The ``wanted`` columns ``table`` has, and whether it keeps deleted rows."""
    have = {r[1] for r in store.query(f'PRAGMA table_info("{table}")')}
    return [c for c in wanted if c in have], "deleted_at" in have


def _columns_of(store: Store, where: dict[str, tuple[str, ...]]):
    """(table, column, the live-rows condition) for each of ``where``'s columns a database has."""
    for table, wanted in where.items():
        cols, soft = _columns(store, table, wanted)
        for col in cols:
            yield table, col, ("deleted_at IS NULL AND " if soft else "")


def _registered(store: Store, where: dict[str, tuple[str, ...]], name: str) -> bool:
    return any(store.scalar(f'SELECT 1 FROM "{t}" WHERE {live}"{c}" = ? LIMIT 1', (name,))
               for t, c, live in _columns_of(store, where))


def _all_names(store: Store, where: dict[str, tuple[str, ...]]) -> set[str]:
    out: set[str] = set()
    for t, c, live in _columns_of(store, where):
        out.update(r[0] for r in store.query(f'SELECT DISTINCT "{c}" FROM "{t}" WHERE {live}"{c}" != \'\''))
    return out


def _plain(name: str) -> str:
    for part in _NOISE:
        name = name.replace(part, "")
    return name


def near_names(name: str, names) -> list[str]:
    """The registered names close to ``name``: the same once 有限 / 有限责任 / 股份, spaces and
    brackets are left out, or one containing the other (at least four characters of it), closest
    first."""
    key = _plain(name)
    if not key:
        return []
    scored = []
    for other in names:
        k = _plain(other)
        if not k or other == name:
            continue
        if k == key:
            scored.append((0, abs(len(other) - len(name)), other))
        elif min(len(k), len(key)) >= 4 and (key in k or k in key):
            scored.append((1, abs(len(k) - len(key)), other))
    return [n for *_r, n in sorted(scored)]


def known_or_refuse(store: Store, employer: str = "", project: str = "") -> None:
    """``Refused`` for a name no ledger the certificate consults knows: such a certificate would
    say "no cases" of a name nobody is registered under, which proves nothing (and certifies a
    misspelt employer that owes). The names close to it are named."""
    for name, where, what in ((employer, EMPLOYER_COLUMNS, "单位"), (project, PROJECT_COLUMNS, "项目")):
        if not name or _registered(store, where, name):
            continue
        near = near_names(name, _all_names(store, where))
        if near:
            shown = "、".join(f"“{n}”" for n in near[:NEAR_SHOWN]) + ("等" if len(near) > NEAR_SHOWN else "")
            raise Refused(f"台账中没有名为“{name}”的{what}，不能出具清欠证明；名称相近的有：{shown}，"
                          f"请按台账登记的全称办理")
        raise Refused(f"欠薪问题台账、拖欠工程款台账、用人单位和项目台账中都没有名为“{name}”的{what}，不能出具清欠证明"
                      f"（证明只为台账登记的{what}出具，请核对名称）")


def review(store: Store, today: _dt.date, employer: str = "", project: str = "",
           as_of: _dt.date | None = None) -> Review:
    """What may be certified for ``employer`` / ``project`` as of a day; ``Refused`` for a name
    no ledger knows (``known_or_refuse``) or a day that cannot be known."""
    from models import figures
    employer, project = (employer or "").strip(), (project or "").strip()
    if not employer and not project:
        raise Refused("请写明要出具证明的用人单位或项目名称")
    known_or_refuse(store, employer, project)
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

    def after_insert(self, ids) -> None:
        """The data check's own rule, asked of the new certificate before it is kept: a case
        registered after the certificate's day whose wages were owed by then (欠薪起始日期)
        contradicts it, so it is refused (the transaction rolls back: no number, no entry)."""
        from models.ledger.repo import ValidationError
        problem = contradicted(self.store, self.today, ids)
        if problem:
            raise ValidationError([("as_of", problem)], self.ledger)

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        fixed = set(changes) - {"notes", "purpose"}
        return [(k, "已出具的证明不能修改（出具有误的移入回收站后重新出具）") for k in sorted(fixed)]


CLEAR_RULE = "certificates_clear"
CASE_IN_FINDING = re.compile(r"问题 (\S+?) 的欠薪起始日期")


def contradicted(store: Store, today: _dt.date, ids) -> str:
    """Why the certificates ``ids`` (just written, in the open transaction) contradict the ledger
    by the check rule ``certificates_clear``, one line ("" when they do not). The rule itself is
    run, so issuing and 数据审核 can never disagree about a certificate."""
    from models import checks
    from models.ledger import registry
    registry.all_ledgers()                  # the rule is registered with the register's ledger
    title, fn = checks.RULES[CLEAR_RULE]
    wanted = set(ids)
    found = [f for f in fn(store, today) if f.record in wanted]
    if not found:
        return ""
    row = store.one("SELECT employer_name, project_name, as_of FROM certificate WHERE id = ?", (found[0].record,))
    who = f"{row['employer_name']}（{row['project_name']}）" if row["project_name"] else row["employer_name"]
    nos = [m.group(1) for f in found for m in [CASE_IN_FINDING.search(f.message)] if m]
    if len(nos) == len(found):
        listed = "、".join(nos[:3]) + ("等" if len(nos) > 3 else "")
        what = f"其后登记的欠薪问题 {len(nos)} 件（{listed}）的欠薪起始日期在 {row['as_of']} 以前"
    else:                                    # the rule worded otherwise: its own words
        what = found[0].message.removesuffix("，请核实")
    return (f"不能出具{who}截至 {row['as_of']} 的清欠证明：{what}，该日并非无欠薪"
            f"（与数据审核规则“{title}”相抵触）")


def issue(store: Store, today: _dt.date, employer: str = "", project: str = "", *, as_of: _dt.date | None = None,
          kind: str = KINDS[0], purpose: str = "", issued_by: str = "") -> tuple[int, dict, Review]:
    """Register a certificate; (its id, its row, the review). ``Refused`` while arrears remain, for
    a name no ledger knows, and for a day a case registered later contradicts (nothing numbered,
    nothing registered)."""
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
        raise Refused("；".join(m for _f, m in exc.problems) or str(exc)) from exc
    row = dict(store.one("SELECT * FROM certificate WHERE id = ?", (cid,)))
    return cid, row, r


def register_rows(store: Store) -> list[dict]:
    return [dict(r) for r in store.query("SELECT * FROM certificate WHERE deleted_at IS NULL "
                                         "ORDER BY issued_on DESC, id DESC")]
