"""A 专班回报包's rows judged by the ledgers' own rules before the office applies them.

A liaison's database is a file on their PC: any SQLite tool can write into it, and whatever it
holds travels in the return. So every row a return adds or changes in a declared ledger must
pass what a typed record passes (DESIGN §6, one door per ledger), else the whole return is
refused and nothing is written:

- the field kinds (``models.ledger.kinds``): amounts and counts stored as integers, dates as
  real ISO dates, a choice among the field's choices, ID / phone / card / credit-code numbers
  as their kind's parse leaves them (check digits included);
- the declaration (``Ledger.validate``): required fields, no negative amounts, the row rules
  (a worker or a case paid more than owed, dates in order, a closed case's 核处结论); for a
  changed record only the problems the change brings (an old record's gap that the office has
  not completed yet does not stop a liaison's note on it);
- the ledger's write service (``models.ledger.service.service_for``): ``check_new_batch`` for
  the records added (a worker listed twice, a case number taken, a repayment above what the
  worker or the case is still owed, counting the return's other repayments), ``check_change``
  for the records changed;
- a repayment is recorded after it is made: 兑付日期 not after today;

and, once the changes are in (same transaction), no worker and no case without a roster is
paid more than owed where it was not before (a repayment changed, or one paying a worker the
same return adds, which the service cannot see before the rows exist), a repayment to a case
or worker the return adds follows the service's other rules, and a case the return makes
已化解 has nothing left unpaid (as the form's 变更状态 asks).

The checks read the office's database through the APSW connection the apply holds (the
store's own ``sqlite3`` connection is closed meanwhile): ``ConnStore`` gives the services the
few reading methods of ``models.db.Store`` they use.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Iterable

from models.db import Store
from models.exchange import PackageRefused
from models.ledger import registry
from models.ledger.fields import Field, Ledger
from models.ledger.kinds import shown as _shown
from models.values import fen_to_yuan_text

SHOWN = 8           # problems named in the message; the rest counted
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Row(tuple):
    """A row read by name or by position, as ``sqlite3.Row``."""
    names: tuple = ()

    def __new__(cls, names, values):
        r = super().__new__(cls, values)
        r.names = names
        return r

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names.index(key))
        return tuple.__getitem__(self, key)

    def keys(self):
        return list(self.names)


class ConnStore:
    """The reading part of ``models.db.Store`` over an APSW connection: what the ledgers'
    services ask when they check a record (query, one, scalar, get_setting, user, today)."""

    def __init__(self, conn, user: str, today: _dt.date) -> None:
        self.conn, self.user, self.today = conn, user, today
        self.actor = None

    def query(self, sql: str, params: Any = ()) -> list:
        cur = self.conn.cursor()
        cur.row_trace = lambda c, row: _Row(tuple(d[0] for d in c.get_description()), row)
        return list(cur.execute(sql, params))

    def one(self, sql: str, params: Any = ()):
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Any = (), default: Any = None) -> Any:
        row = self.one(sql, params)
        return default if row is None or row[0] is None else row[0]

    get_setting = Store.get_setting         # the store's own reading of a setting, through ``one`` above


# -- a field's stored value ----------------------------------------------------------------------
def kind_problem(f: Field, value: Any, nullable: bool = True) -> str | None:
    """What is wrong with ``value`` stored in field ``f``, as its kind would never store it;
    None when a typed record could hold it. ``nullable``: the column may hold NULL. The rule is
    the kind's own (``models.ledger.kinds``), the one every write is held to."""
    if value is None:
        return None if nullable or f.kind in ("date", "ref") else "不能为空值"
    return f.kind_of.stored_problem(f, value)


# -- the return's rows ---------------------------------------------------------------------------
class _Change:
    __slots__ = ("table", "ledger", "op", "rid", "row", "current", "changes", "exists")

    def __init__(self, table, ledger, op, rid, row, current, changes, exists):
        self.table, self.ledger, self.op, self.rid = table, ledger, op, rid
        self.row, self.current, self.changes, self.exists = row, current, changes, exists


class ReturnCheck:
    """The rows of one return (its changeset in the office's ids) judged before and after the
    apply. ``before()`` raises ``PackageRefused`` for a row no typed record could be; ``after()``
    (the changes applied, same transaction) for a worker or case now paid more than owed."""

    def __init__(self, conn, office_cs: bytes, *, workstream: str, liaison: str, sequence: int,
                 name: str, today: _dt.date) -> None:
        self.conn, self.cs = conn, office_cs
        self.workstream, self.liaison, self.sequence, self.name = workstream, liaison, sequence, name
        self.today = today
        self.store = ConnStore(conn, liaison, today)
        self.problems: list[str] = []
        self.changes: list[_Change] = []
        self._cols: dict[str, list[str]] = {}
        self._notnull: dict[str, set] = {}
        self._new_cases: dict[int, str] = {}          # office id -> 编号, of cases this return adds
        self._new_workers: dict[int, tuple] = {}      # office id -> (name, case id)
        self._paid_before: dict[tuple[str, int], int] = {}

    # -- reading ----------------------------------------------------------------------------
    def cols(self, table: str) -> list[str]:
        if table not in self._cols:
            info = list(self.conn.execute(f'PRAGMA table_info("{table}")'))
            self._cols[table] = [r[1] for r in info]
            self._notnull[table] = {r[1] for r in info if r[3]}
        return self._cols[table]

    def _read(self) -> None:
        import apsw
        nc = apsw.no_change
        for ch in apsw.Changeset.iter(self.cs):
            ledger = registry.by_table(ch.name)
            if ledger is None or ch.op == "DELETE":
                continue
            cols = self.cols(ch.name)
            if ch.op == "INSERT":
                row = {c: v for c, v in zip(cols, ch.new)}
                rid = row.get("id")
                cur = self.store.one(f'SELECT * FROM "{ch.name}" WHERE id = ?', (rid,))
                self.changes.append(_Change(ch.name, ledger, "INSERT", rid, row, dict(cur) if cur else None,
                                            row, cur is not None))
                if ch.name == "case_record" and cur is None:
                    self._new_cases[rid] = row.get("case_no")
                if ch.name == "worker" and cur is None:
                    self._new_workers[rid] = (row.get("name"), row.get("case_id"))
                continue
            rid = ch.old[0]
            cur = self.store.one(f'SELECT * FROM "{ch.name}" WHERE id = ?', (rid,))
            if cur is None:
                continue                    # the office deleted it: kept as a clash, never applied
            current = dict(cur)
            changes = {c: v for c, v in zip(cols, ch.new) if v is not nc and c != "id" and current.get(c) != v}
            if changes:
                self.changes.append(_Change(ch.name, ledger, "UPDATE", rid, {**current, **changes}, current,
                                            changes, True))

    def _case_no(self, case_id) -> str:
        if case_id in self._new_cases:
            return str(self._new_cases[case_id])
        return str(self.store.scalar("SELECT case_no FROM case_record WHERE id = ?", (case_id,), default="") or "")

    def _worker(self, worker_id) -> tuple[str, Any]:
        if worker_id in self._new_workers:
            return self._new_workers[worker_id]
        r = self.store.one("SELECT name, case_id FROM worker WHERE id = ?", (worker_id,))
        return (r[0], r[1]) if r else ("", None)

    def record(self, ch: _Change) -> str:
        """The record as the office knows it: 问题 编号, 农民工 姓名, 兑付 日期 金额 …"""
        row = ch.row
        if ch.table == "case_record":
            return f"问题 {row.get('case_no') or ch.rid}"
        if ch.table == "worker":
            return f"问题 {self._case_no(row.get('case_id'))} 的农民工 {row.get('name') or ''}".rstrip()
        if ch.table == "repayment":
            who = self._worker(row.get("worker_id"))[0] if row.get("worker_id") else ""
            text = f"问题 {self._case_no(row.get('case_id'))}"
            text += f" 付给 {who} 的兑付" if who else " 的兑付"
            if isinstance(row.get("paid_on"), str) and _ISO.fullmatch(row["paid_on"]):
                text += f"（{row['paid_on']}）"
            return text
        label = ch.ledger.label_field
        if label and row.get(label):
            return f"“{_shown(row[label])}”"
        if ch.ledger.parent and row.get(ch.ledger.parent):
            return f"问题 {self._case_no(row.get(ch.ledger.parent))} 的记录"
        return f"第 {ch.rid} 条记录"

    def _add(self, ch: _Change, field: str, message: str) -> None:
        label = ch.ledger.field(field).label if ch.ledger.has(field) else ""
        what = "新增" if ch.op == "INSERT" else "修改"
        text = message if not label or message.startswith(label) else f"{label}：{message}"
        entry = f"{ch.ledger.title}{what}的{self.record(ch)}，{text}"
        if entry not in self.problems:
            self.problems.append(entry)

    # -- before the apply ---------------------------------------------------------------------
    def before(self) -> None:
        self._read()
        sound: list[_Change] = []
        for ch in self.changes:
            bad = False
            for name, value in ch.changes.items():
                if not ch.ledger.has(name) or not ch.ledger.field(name).stored:
                    continue
                message = kind_problem(ch.ledger.field(name), value, name not in self._notnull[ch.table])
                if message:
                    self._add(ch, name, message)
                    bad = True
            if bad:
                continue
            paid_on = ch.changes.get("paid_on")
            if ch.table == "repayment" and paid_on and paid_on > self.today.isoformat():
                self._add(ch, "paid_on", f"兑付日期 {paid_on} 晚于今天（{self.today.isoformat()}）："
                                         "兑付须在支付之后登记")
                continue
            for name, message in self._declared(ch):
                self._add(ch, name, message)
                bad = True
            if not bad:
                sound.append(ch)
        self._services(sound)
        self._note_paid()
        self._refuse()

    def _declared(self, ch: _Change) -> list[tuple[str, str]]:
        """The declaration's checks of the row; for a change, those the change brings."""
        problems = ch.ledger.validate(ch.row)
        if ch.op == "UPDATE" and problems:
            try:
                had = set(ch.ledger.validate(ch.current))
            except TypeError:       # the office's own row holds a value of another type
                had = set()
            problems = [p for p in problems if p not in had]
        return problems

    def _services(self, sound: list[_Change]) -> None:
        from models.ledger.service import service_for
        by_kind: dict[str, list[_Change]] = {}
        for ch in sound:
            by_kind.setdefault(ch.ledger.kind, []).append(ch)
        for kind, chs in by_kind.items():
            svc = service_for(self.store, kind, today=self.today)
            svc.source = "专班回报包"
            # new records the office does not have yet; a repayment to a case or worker this
            # return adds is judged after the apply (the service reads them from the database)
            new = [c for c in chs if c.op == "INSERT" and not c.exists and not self._pays_new(c)]
            rows = [self._fields(c.ledger, c.row) for c in new]
            for c, problems in zip(new, svc.check_new_batch(rows) if rows else []):
                for name, message in problems:
                    self._add(c, name, message)
            for c in chs:
                if c.op == "UPDATE":
                    changes = self._fields(c.ledger, c.changes)
                    if changes:
                        for name, message in svc.check_change(c.rid, c.current, changes):
                            self._add(c, name, message)

    def _pays_new(self, ch: _Change) -> bool:
        return ch.table == "repayment" and (ch.row.get("case_id") in self._new_cases
                                            or ch.row.get("worker_id") in self._new_workers)

    @staticmethod
    def _fields(ledger: Ledger, values: dict) -> dict:
        return {k: v for k, v in values.items() if ledger.has(k) and ledger.field(k).stored}

    # -- after the apply ----------------------------------------------------------------------
    def _paid_ids(self) -> tuple[set, set]:
        workers, cases = set(), set()
        for ch in self.changes:
            for row in (ch.row, ch.current or {}):
                if ch.table == "worker":
                    workers.add(ch.rid)
                    cases.add(row.get("case_id"))
                elif ch.table == "repayment":
                    workers.add(row.get("worker_id"))
                    cases.add(row.get("case_id"))
                elif ch.table == "case_record":
                    cases.add(ch.rid)
        return {w for w in workers if type(w) is int}, {c for c in cases if type(c) is int}

    def _over(self) -> dict[tuple[str, int], tuple]:
        """Workers, and cases without a roster, of this return paid more than owed:
        {("w"|"c", id): (excess, text)}."""
        workers, cases = self._paid_ids()
        out: dict[tuple[str, int], tuple] = {}
        for part in _chunks(sorted(workers)):
            marks = ",".join("?" * len(part))
            for r in self.store.query(
                    "SELECT w.id, w.name, c.case_no, w.owed_fen, w.paid_fen FROM worker w JOIN case_record c "
                    f"ON c.id = w.case_id WHERE w.id IN ({marks}) AND w.deleted_at IS NULL "
                    "AND w.paid_fen > w.owed_fen", part):
                out[("w", r[0])] = (r[4] - r[3], f"问题 {r[2]} 的农民工 {r[1]}", r[3], r[4])
        for part in _chunks(sorted(cases)):
            marks = ",".join("?" * len(part))
            for r in self.store.query(
                    "SELECT id, case_no, total_owed_fen, total_paid_fen FROM case_record "
                    f"WHERE id IN ({marks}) AND deleted_at IS NULL AND w_count = 0 "
                    "AND total_paid_fen > total_owed_fen", part):
                out[("c", r[0])] = (r[3] - r[2], f"问题 {r[1]}", r[2], r[3])
        return out

    def _note_paid(self) -> None:
        self._paid_before = {k: v[0] for k, v in self._over().items()}

    def after(self) -> None:
        for key, (excess, who, owed, paid) in sorted(self._over().items()):
            if excess > self._paid_before.get(key, 0):
                self.problems.append(f"应用后{who}已付 {fen_to_yuan_text(paid)} 元，超过应付 "
                                     f"{fen_to_yuan_text(owed)} 元")
        self._paying_new()
        self._resolved_paid()
        self._refuse()

    def _paying_new(self) -> None:
        """The service's other rules for a repayment to a case or worker this return adds, now
        that they exist: the worker is of the case; a case with a roster is paid to a worker."""
        for ch in self.changes:
            if ch.op != "INSERT" or ch.exists or not self._pays_new(ch):
                continue
            wid, cid = ch.row.get("worker_id"), ch.row.get("case_id")
            if wid:
                if self.store.scalar("SELECT case_id FROM worker WHERE id = ?", (wid,)) != cid:
                    self._add(ch, "worker_id", "该农民工不属于本问题")
            elif self.store.scalar("SELECT w_count FROM case_record WHERE id = ?", (cid,), default=0) > 0:
                self._add(ch, "worker_id", "本问题已列出农民工名单，兑付须落到具体农民工")

    def _resolved_paid(self) -> None:
        """A case this return makes 已化解 has nothing left unpaid (as the form's 变更状态 asks)."""
        for ch in self.changes:
            if ch.table != "case_record" or ch.changes.get("status") != "已化解" \
                    or (ch.current or {}).get("status") == "已化解":
                continue
            r = self.store.one("SELECT total_owed_fen - total_paid_fen FROM case_record WHERE id = ? "
                               "AND deleted_at IS NULL", (ch.rid,))
            if r is not None and r[0] > 0:
                self._add(ch, "status", f"应用后尚有 {fen_to_yuan_text(r[0])} 元未支付，不能标为已化解")

    def _refuse(self) -> None:
        if not self.problems:
            return
        shown = "；".join(self.problems[:SHOWN])
        more = f"；另有 {len(self.problems) - SHOWN} 处" if len(self.problems) > SHOWN else ""
        raise PackageRefused(
            f"{self.workstream}第 {self.sequence} 号专班回报包（联络员 {self.liaison}）有 {len(self.problems)} 处"
            f"不符合台账规则：{shown}{more}。整个回报包未接收，办公室数据未作任何改动，请联络员在程序中改正后"
            f"重新导出：{self.name}")


def _chunks(ids: Iterable, size: int = 500):
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
