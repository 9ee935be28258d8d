"""A 专班回报包's changeset in the office's row ids.

Row ids differ between the office's database and the liaison's once either side adds records.
The package carries the ``uuid`` of every row its changes name or refer to; here each liaison
id becomes the office's id of the same ``uuid`` (foreign keys follow), and a row the liaison
added keeps its id where the office has no row of that id, else takes the next free one.
Records both sides added are reconciled first (``office_changeset``).
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


def _next_number(conn, value: str, taken: set) -> str:
    """The next free number in the series of ``value`` (QQ2026-0007 → QQ2026-0012 when the office
    is at 0011), as the program numbers new cases."""
    prefix, _sep, digits = value.rpartition("-")
    if not prefix or not digits.isdigit():
        prefix, digits = value + "-", "0"
    else:
        prefix += "-"
    n = 0
    for (v,) in conn.execute("SELECT case_no FROM case_record WHERE case_no LIKE ?", (prefix + "%",)):
        tail = v[len(prefix):]
        n = max(n, int(tail) if tail.isdigit() else 0)
    for v in taken:
        tail = v[len(prefix):] if v.startswith(prefix) else ""
        n = max(n, int(tail) if tail.isdigit() else 0)
    return f"{prefix}{n + 1:0{max(len(digits), 4)}d}"


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
    numbers: set[str] = set()
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
            fresh = _next_number(conn, new[i], numbers)
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
