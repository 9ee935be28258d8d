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
- in the order the liaison made them: what the return itself recycles, deletes or changes
  counts before its new records are judged (``_own_room``). A repayment moved to the recycle
  bin (or deleted, lowered, or moved to another worker) and a corrected one recorded, a wage
  (应发) raised and a repayment of the difference, a worker recycled and listed again: the
  office's records as they stand would refuse these, the office's records as the return
  leaves them do not. Such a rule is judged after the changes are in (below), on the records
  as they then are; a record added already in the recycle bin pays nothing and lists nobody;
- a repayment is recorded after it is made: 兑付日期 not after today;

and, once the changes are in (same transaction), no worker and no case without a roster is
paid more than owed where it was not before (a repayment changed, or one paying a worker the
same return adds, which the service cannot see before the rows exist, or one the return's own
changes make room for), no case lists one ID number twice where it did not before, a
repayment to a case or worker the return adds follows the service's other rules, and a case
the return makes 已化解 has nothing left unpaid (as the form's 变更状态 asks).

The checks read the office's database through the APSW connection the apply holds (the
store's own ``sqlite3`` connection is closed meanwhile): ``ConnStore`` gives the services the
few reading methods of ``models.db.Store`` they use.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any, Iterable

from models.db import Store
from models.exchange import PackageRefused
from models.ledger import registry
from models.ledger.fields import Field, Ledger
from models.ledger.kinds import shown as _shown
from models.paid_rule import ABOVE_OWED, UNPAID_RESOLVED, above_owed, unpaid_resolved

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
        self._deleted: list[tuple[str, int]] = []     # (table, office id) the return deletes
        self._room: dict[tuple[str, int], int] = {}   # ("w"|"c", id) -> money the return's own changes free
        self._repaid_less: set[tuple[str, int]] = set()   # those of them the return's repayments pay less
        self._unlisted: set[tuple] = set()            # (case id, ID number) the return's own changes free
        self._ids_before: dict[tuple, int] = {}       # (case id, ID number) -> live workers holding it

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
            if ledger is not None and ch.op == "DELETE" and isinstance(ch.old[0], int) and ch.old[0] >= 0:
                self._deleted.append((ch.name, ch.old[0]))
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
        self._own_room()
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
                if name != "paid_fen" or not self._judged_after(ch, name, message):
                    self._add(ch, name, message)
                    bad = True
            if not bad:
                sound.append(ch)
        self._services(sound)
        self._note_paid()
        self._note_ids()
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
            # return adds is judged after the apply (the service reads them from the database).
            # Records added already in the recycle bin are a batch of their own: they pay
            # nothing and list nobody, so they take no room from the live ones
            new = [c for c in chs if c.op == "INSERT" and not c.exists and not self._pays_new(c)]
            for batch in ([c for c in new if not _recycled(c.row)], [c for c in new if _recycled(c.row)]):
                rows = [self._fields(c.ledger, c.row) for c in batch]
                for c, problems in zip(batch, svc.check_new_batch(rows) if rows else []):
                    for name, message in problems:
                        if not self._judged_after(c, name, message):
                            self._add(c, name, message)
            for c in chs:
                if c.op == "UPDATE":
                    changes = self._fields(c.ledger, c.changes)
                    if changes:
                        for name, message in svc.check_change(c.rid, c.current, changes):
                            if not self._judged_after(c, name, message):
                                self._add(c, name, message)

    # -- the return's own order: what it frees before its new records count ------------------
    def _own_room(self) -> None:
        """What the return's own recycles, deletions and changes free, as the office's records
        stand: per worker (``("w", id)``), or case paid without a roster (``("c", id)``), the
        money they no longer hold (a repayment recycled, deleted, lowered or moved to another
        worker or case; a wage or a case's amount raised; 实发 lowered by hand); and the ID
        numbers a case no longer lists (a worker recycled, deleted, moved, or given another
        number). Only ever room: whatever the changes take is judged after the apply."""
        room: dict[tuple[str, int], int] = {}

        def free(key, amount, repaid: bool = False) -> None:
            if key[1] is not None and isinstance(amount, int) and amount > 0:
                room[key] = room.get(key, 0) + amount
                if repaid:
                    self._repaid_less.add(key)
        for ch in self.changes:
            if ch.op != "UPDATE":
                continue
            was, now = ch.current or {}, ch.row
            if _recycled(was):
                continue                    # in the office's recycle bin: it holds nothing now
            if ch.table == "repayment":
                if _recycled(now) or _pay_key(now) != _pay_key(was):
                    free(_pay_key(was), was.get("amount_fen"), True)
                elif _int(now.get("amount_fen")) < _int(was.get("amount_fen")):
                    free(_pay_key(was), _int(was.get("amount_fen")) - _int(now.get("amount_fen")), True)
            elif ch.table == "worker":
                if _recycled(now) or now.get("case_id") != was.get("case_id") \
                        or now.get("id_number") != was.get("id_number"):
                    self._unlisted.add((was.get("case_id"), was.get("id_number")))
                if not _recycled(now):
                    free(("w", ch.rid), _int(now.get("owed_fen")) - _int(was.get("owed_fen")))
                    free(("w", ch.rid), _int(was.get("paid_fen")) - _int(now.get("paid_fen")))
            elif ch.table == "case_record" and not _recycled(now):
                free(("c", ch.rid), _int(now.get("amount_fen")) - _int(was.get("amount_fen")))
                free(("c", ch.rid), _int(was.get("paid_fen")) - _int(now.get("paid_fen")))
        for table, rid in self._deleted:
            if table not in ("repayment", "worker"):
                continue
            r = self.store.one(f'SELECT * FROM "{table}" WHERE id = ? AND deleted_at IS NULL', (rid,))
            if r is None:
                continue
            r = dict(r)
            if table == "repayment":
                free(_pay_key(r), r.get("amount_fen"), True)
            else:
                self._unlisted.add((r.get("case_id"), r.get("id_number")))
        self._room = room

    def _judged_after(self, ch: _Change, field: str, message: str) -> bool:
        """Whether a finding (the declaration's or the service's) on ``field`` of this record
        waits for the apply, because it depends on sums the return itself changes: ``after()``
        judges the same rule on the records as they then are.

        - a new repayment above what is owed, where the return's own changes make room for
          it (``_own_room``), or added in the recycle bin (it pays nothing);
        - a new worker's ID number listed in the case, where the return itself recycles,
          deletes, moves or renumbers a worker of it, or added in the recycle bin;
        - 已付 above 应付 of a worker or case the return changes, where the return itself pays
          them less (a repayment recycled, deleted, lowered or moved);
        - 已化解 with money unpaid: the return's own repayments may pay it (``_resolved_paid``)."""
        if ch.table == "repayment" and field == "amount_fen" and ch.op == "INSERT":
            return _recycled(ch.row) or self._room.get(_pay_key(ch.row), 0) > 0
        if ch.table == "worker" and field == "id_number" and ch.op == "INSERT":
            return _recycled(ch.row) or (ch.row.get("case_id"), ch.row.get("id_number")) in self._unlisted
        if ch.table == "worker" and field == "id_number":
            return (ch.row.get("case_id"), ch.row.get("id_number")) in self._unlisted
        if ch.op == "UPDATE" and field == "paid_fen" and ch.table in ("worker", "case_record") \
                and ABOVE_OWED in message:
            return ("w" if ch.table == "worker" else "c", ch.rid) in self._repaid_less
        if ch.op == "UPDATE" and ch.table == "case_record" and field == "status" \
                and ch.changes.get("status") == "已化解" and UNPAID_RESOLVED in message:
            return True
        return False

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
                self.problems.append("应用后" + above_owed(who, paid, owed))
        self._listed_twice()
        self._paying_new()
        self._resolved_paid()
        self._refuse()

    def _id_keys(self) -> list[tuple]:
        """(case id, ID number) of the workers this return adds or changes (not in the bin)."""
        keys = {(ch.row.get("case_id"), ch.row.get("id_number")) for ch in self.changes
                if ch.table == "worker" and not _recycled(ch.row)}
        return sorted(k for k in keys if type(k[0]) is int and isinstance(k[1], str) and k[1])

    def _id_counts(self) -> dict[tuple, tuple]:
        """For ``_id_keys``: how many live workers of the case hold the number, and their names."""
        out: dict[tuple, tuple] = {}
        for part in _chunks(self._id_keys()):
            for r in self.store.query(
                    "SELECT w.case_id, w.id_number, COUNT(*), group_concat(w.name, '、'), c.case_no "
                    "FROM worker w JOIN case_record c ON c.id = w.case_id "
                    "WHERE w.deleted_at IS NULL AND (w.case_id, w.id_number) IN "
                    "(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)) GROUP BY w.case_id, w.id_number",
                    (json.dumps([list(k) for k in part], ensure_ascii=False),)):
                out[(r[0], r[1])] = (r[2], r[3], r[4])
        return out

    def _note_ids(self) -> None:
        self._ids_before = {k: v[0] for k, v in self._id_counts().items()}

    def _listed_twice(self) -> None:
        """No case lists one ID number twice where it did not before (the service's rule for a
        new or renumbered worker, judged on the records as the return leaves them)."""
        for key, (n, names, case_no) in sorted(self._id_counts().items()):
            if n > 1 and n > self._ids_before.get(key, 0):
                self.problems.append(f"应用后问题 {case_no} 中有 {n} 名农民工（{names}）登记了同一个身份证号码")

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
                self._add(ch, "status", unpaid_resolved(r[0], "应用后"))

    def _refuse(self) -> None:
        if not self.problems:
            return
        shown = "；".join(self.problems[:SHOWN])
        more = f"；另有 {len(self.problems) - SHOWN} 处" if len(self.problems) > SHOWN else ""
        from models.exchange.liaison import redo_hint
        raise PackageRefused(
            f"{self.workstream}第 {self.sequence} 号专班回报包（联络员 {self.liaison}）有 {len(self.problems)} 处"
            f"不符合台账规则：{shown}{more}。整个回报包未接收，办公室数据未作任何改动。请{redo_hint(self.sequence)}"
            f"：{self.name}")


def _recycled(row: dict) -> bool:
    return row.get("deleted_at") is not None


def _int(value) -> int:
    return value if type(value) is int else 0


def _pay_key(row: dict) -> tuple[str, Any]:
    """Whom a repayment pays: its worker, or its case when it names none."""
    return ("w", row.get("worker_id")) if row.get("worker_id") else ("c", row.get("case_id"))


def _chunks(ids: Iterable, size: int = 500):
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
