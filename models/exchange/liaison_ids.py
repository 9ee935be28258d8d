"""A 专班回报包's changeset in the office's row ids.

Row ids differ between the office's database and the liaison's once either side adds records.
The package carries the ``uuid`` of every row its changes name or refer to; here each liaison
id becomes the office's id of the same ``uuid`` (foreign keys follow), and a row the liaison
added keeps its id where the office has no row of that id, else takes the next free one.
Records both sides added are reconciled first (``office_changeset``): a case number the office
has given meanwhile becomes the next free number of its series (``_next_number``).
"""
from __future__ import annotations


class Mapper:
    """Liaison row ids → office row ids, by ``uuid``."""

    def __init__(self, conn, keys: dict):
        self.conn, self.keys, self.map = conn, keys, {}
        self.taken: dict[str, set] = {}
        self.next: dict[str, int] = {}

    def office_id(self, table: str, lid, *, new_row: bool = False):
        if lid is None or not isinstance(lid, int):
            return lid
        k = (table, lid)
        if k in self.map:
            return self.map[k]
        u = self.keys.get(k)
        found = None
        if u is not None:
            r = list(self.conn.execute(f'SELECT id FROM "{table}" WHERE uuid = ?', (u,)))
            found = r[0][0] if r else None
        elif not new_row:
            found = lid                      # a table without uuid: ids are the same on both sides
        if found is None:
            if not new_row:
                found = -lid - 1 if lid >= 0 else lid     # no such record at the office: NOTFOUND
            else:
                free = not list(self.conn.execute(f'SELECT 1 FROM "{table}" WHERE id = ?', (lid,)))
                taken = self.taken.setdefault(table, set())
                if free and lid not in taken:
                    found = lid
                else:
                    if table not in self.next:
                        top = list(self.conn.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"'))
                        self.next[table] = int(top[0][0])
                    self.next[table] = max(self.next[table], max(taken, default=0)) + 1
                    found = self.next[table]
                taken.add(found)
        self.map[k] = found
        return found


# shared reference data named uniquely: a record the liaison added that the office has added too
# (the same name) is the same record
SAME_BY_NAME = {"employer": "name", "project": "name", "person": "name"}


def _series(value: str) -> tuple[str, str]:
    """A case number as its series and its serial: the run of digits it ends with
    (QQ2026-0007 → "QQ2026-", "0007"; QS20261207901 → "QS", "20261207901"); a number that
    does not end in digits has none ("临时" → "临时-", "")."""
    i = len(value)
    while i > 0 and value[i - 1].isdigit():
        i -= 1
    if i == len(value):
        return value + "-", ""
    return value[:i], value[i:]


def _next_number(conn, value: str, taken: set) -> str:
    """The next free number after ``value`` in its series (下一个空号): its serial counted on,
    same width, past every number the office has given (its recycle bin's included) and every
    number ``taken`` by this return: QS20261207901 → QS20261207902, QQ2026-0007 → QQ2026-0012
    when the office has used 0007 to 0011. A number that does not end in digits takes a serial
    (临时 → 临时-0001)."""
    prefix, digits = _series(value)
    width = max(len(digits), 4) if not digits else len(digits)
    n = int(digits) if digits else 0
    # the office's numbers of the series, read once
    used = {v for (v,) in conn.execute(
        "SELECT case_no FROM case_record WHERE substr(case_no, 1, ?) = ?", (len(prefix), prefix))}
    while True:
        n += 1
        fresh = f"{prefix}{n:0{width}d}"
        if fresh not in used and fresh not in taken:
            return fresh


def office_changeset(conn, raw: bytes, keys: dict) -> tuple[bytes, Mapper, dict]:
    """The changeset in the office's row ids. Before that, two kinds of record both sides added
    are reconciled: a shared record of the same name (``SAME_BY_NAME``) is the office's, and a
    case whose 编号 the office has given meanwhile to another case gets the next free 编号.
    Returns (changeset, mapper, {"renumbered": [(old, new)], "same": n})."""
    import apsw
    from models.exchange.liaison_changes import foreign_keys
    nc = apsw.no_change
    mapper = Mapper(conn, keys)
    fk_cache: dict[str, dict[int, str]] = {}
    b = apsw.ChangesetBuilder()
    b.schema(conn, "main")
    changes = [(ch.name, ch.op, ch.old, list(ch.new) if ch.new is not None else None)
               for ch in apsw.Changeset.iter(raw)]
    notes: dict = {"renumbered": [], "same": 0}
    dropped: set[int] = set()
    numbers: set[str] = set()           # the numbers this return's new cases have been given so far
    case_cols = [r[1] for r in conn.execute('PRAGMA table_info("case_record")')]
    # the numbers of the return's own new cases: a renumbered case does not take one of them
    # (which would renumber that case too)
    ours = [new[case_cols.index("case_no")] for table, op, _old, new in changes
            if op == "INSERT" and table == "case_record"]
    for k, (table, op, _old, new) in enumerate(changes):
        if op != "INSERT" or table not in SAME_BY_NAME and table != "case_record":
            continue
        cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
        if table in SAME_BY_NAME:
            i = cols.index(SAME_BY_NAME[table])
            found = list(conn.execute(f'SELECT id FROM "{table}" WHERE "{SAME_BY_NAME[table]}" = ? AND uuid != ?',
                                      (new[i], new[cols.index("uuid")])))
            if found:
                mapper.map[(table, new[0])] = found[0][0]
                dropped.add(k)
                notes["same"] += 1
            continue
        i = cols.index("case_no")
        clash = new[i] in numbers or list(conn.execute(
            "SELECT 1 FROM case_record WHERE case_no = ? AND uuid != ?", (new[i], new[cols.index("uuid")])))
        if clash:
            fresh = _next_number(conn, new[i], numbers | set(ours))
            notes["renumbered"].append((new[i], fresh))
            new[i] = fresh
        numbers.add(new[i])
    for k, (table, op, _old, new) in enumerate(changes):   # new rows' ids, before anyone refers to them
        if op == "INSERT" and k not in dropped:
            mapper.office_id(table, new[0], new_row=True)
    for k, (table, op, old, new) in enumerate(changes):
        if k in dropped:
            continue
        if table not in fk_cache:
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            fk_cache[table] = {cols.index(c): p for c, p in foreign_keys(conn, table).items() if c in cols}
        fks = fk_cache[table]

        def fix(row, table=table, fks=fks):
            row = list(row)
            if row[0] is not nc:
                row[0] = mapper.office_id(table, row[0])
            for i, parent in fks.items():
                if row[i] is not nc:
                    row[i] = mapper.office_id(parent, row[i])
            return row
        if op == "INSERT":
            b.add_insert(table, False, fix(new))
        elif op == "DELETE":
            b.add_delete(table, False, fix(old))
        else:
            b.add_update(table, False, fix(old), fix(new))
    out = b.output()
    b.close()
    return out, mapper, notes
