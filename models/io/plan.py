"""An import's plan: what was read from the file, row by row (``RowResult``), and what planning
found (``ImportPlan``: the rows' verdicts, the columns, the totals, ``to_json`` for --json and the
preview). Made by ``models.io.importer.plan_import``; nothing here reads a file or writes."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field as dc_field
from itertools import repeat
from operator import attrgetter
from pathlib import Path

from models.io.header import Header
from models.io.problems import Problem, field_label
from models.io.reading import Book
from models.ledger.fields import Ledger


@dataclass(slots=True)
class RowResult:
    row: int
    values: dict
    problems: list
    action: str                     # insert, update, unchanged, reject
    record_id: int | None
    cells: list | None              # the raw cells, kept for the preview and for rows with problems
    changes: dict | None


_action, _problems = attrgetter("action"), attrgetter("problems")


@dataclass
class ImportPlan:
    path: Path
    kind: str
    ledger: Ledger
    book: Book
    sheet: str
    header: Header
    rows: list[RowResult] = dc_field(default_factory=list)
    skipped: list[dict] = dc_field(default_factory=list)
    notes: list[str] = dc_field(default_factory=list)
    fatal: str = ""                 # the file cannot be imported as this ledger (a required column is missing)
    case_no: str | None = None
    parent_id: int | None = None
    check_only: bool = False        # workers without --case: checked, never written
    defaults: dict = dc_field(default_factory=dict)      # values not from the file (case, dates, numbers)
    columns_used: list[str] = dc_field(default_factory=list)
    matched: tuple | None = dc_field(default=None, repr=False, compare=False)    # see _match
    unmapped: list[dict] = dc_field(default_factory=list)    # columns with data that no field takes
    ignored: list[dict] = dc_field(default_factory=list)     # columns the user chose to leave out
    incomplete: list[dict] = dc_field(default_factory=list)  # rows imported, to be completed (待补录)
    # numbers merged down over several rows: {row index: [(column index, first row, last row)]}
    merged_numbers: dict = dc_field(default_factory=dict, repr=False, compare=False)
    other_sheets: list[dict] = dc_field(default_factory=list)  # other sheets of the same ledger, not imported
    hidden_rows: list[int] = dc_field(default_factory=list)    # record rows hidden (or filtered out) in Excel
    derived: dict = dc_field(default_factory=dict)   # {field: letter of the column it was derived from}
    # blank cells of existing records, whose stored values stay: {field: [Excel rows]} (see writing._changes)
    kept_blank: dict = dc_field(default_factory=dict, repr=False, compare=False)

    # -- figures ------------------------------------------------------------
    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.rows for p in r.problems]

    @property
    def valid(self) -> list[RowResult]:
        return [r for r in self.rows if not r.problems]

    def counts(self) -> dict[str, int]:
        out = {"insert": 0, "update": 0, "unchanged": 0, "reject": 0}
        out.update(Counter(map(_action, self.rows)))
        return out

    def totals(self) -> dict:
        return compute_totals(self.ledger, [r.values for r in self.rows if not r.problems])

    def to_json(self, imported: bool = False) -> dict:
        c = self.counts()
        rejected = sum(map(bool, map(_problems, self.rows)))
        return {
            "file": self.path.name, "kind": self.kind, "sheet": self.sheet, "format": self.book.fmt,
            "encoding": self.book.encoding,
            "header_rows": [self.header.row + 1 + i for i in range(self.header.height)],
            "rows_read": len(self.rows), "rows_imported": len(self.rows) - rejected, "rows_rejected": rejected,
            "problems": [p.to_json() for p in self.problems],
            "totals": self.totals(),
            "imported": imported,
            "inserted": c["insert"], "updated": c["update"], "unchanged": c["unchanged"],
            "skipped": self.skipped, "notes": self.notes, "fatal": self.fatal,
            "columns": [{"column": col.key, "letter": col.letter, "field": col.field or "",
                         "label": self.ledger.field(col.field).label if col.field else "",
                         "unit": col.unit or "", "how": col.how} for col in self.header.columns
                        if col.label or col.parent],
            "unmapped": self.unmapped, "ignored": self.ignored,
            "incomplete": self.still_incomplete(),
            "other_sheets": self.other_sheets, "hidden_rows": self.hidden_rows,
        }

    def still_incomplete(self) -> list[dict]:
        """待补录 rows among those that would be imported (a row rejected meanwhile is not)."""
        if not self.incomplete:
            return []
        rejected = {r.row for r in self.rows if r.problems}
        kept = {(row, name) for name, rows in self.kept_blank.items() for row in rows}
        return [g for g in self.incomplete if g["row"] not in rejected and (g["row"], g.get("field")) not in kept]

    @property
    def blocking(self) -> list[dict]:
        """The unmapped columns that stop the import until the user decides."""
        return [u for u in self.unmapped if u["blocks"]]


def importable(ledger: Ledger) -> bool:
    return ledger.extra.get("import", True) is not False and not ledger.extra.get("read_only")


def compute_totals(ledger: Ledger, rows: list[dict]) -> dict:
    """amount_fen, paid_fen, workers over the rows that would be imported, plus every summed field."""
    sums = {f.name: 0 for f in ledger.stored_fields if f.sum and f.numeric}
    for name in sums:                   # the values that are set (None and 0 add nothing), at C level
        sums[name] = sum(filter(None, map(dict.get, rows, repeat(name))), 0)
    money = [f.name for f in ledger.stored_fields if f.sum and f.kind == "money"]
    amount = next((n for n in ("amount_fen", "owed_fen") if n in sums), money[0] if money else None)
    ints = [f.name for f in ledger.stored_fields if f.sum and f.kind == "int"]
    headcount = "workers_count" if "workers_count" in sums else (ints[0] if ints else None)
    if headcount:
        workers = sums[headcount]
    elif any(f.kind == "id_number" for f in ledger.stored_fields):
        workers = len(rows)
    else:
        workers = 0
    return {"records": len(rows), "amount_fen": sums.get(amount, 0) if amount else 0,
            "paid_fen": sums.get("paid_fen", 0), "workers": workers, "fields": sums}


def skipped_text(skipped: list[dict], limit: int = 20) -> str:
    """The rows not taken for records, for a person: 已跳过 3 行（不是记录）：第 9 行“合计”（合计行）、…"""
    if not skipped:
        return ""
    shown = "、".join(f"第 {s['row']} 行" + (f"“{s['text']}”" if s.get("text") else "") + f"（{s['reason']}）"
                     for s in skipped[:limit])
    return f"已跳过 {len(skipped)} 行（不是记录，未导入）：{shown}" + ("等" if len(skipped) > limit else "")


def totals_text(t: dict) -> str:
    """The figures of ``compute_totals`` a person reads, only those the ledger has (a repayment
    ledger has no 已付 and no 人数): 12 条，金额 3,400.00 元，已付 1,200.00 元，人数 5."""
    from models.values import fen_to_yuan_text
    fields = t.get("fields", {})
    parts = [f"{t['records']} 条"]
    if t["amount_fen"] or any(k.endswith("_fen") for k in fields):
        parts.append(f"金额 {fen_to_yuan_text(t['amount_fen'])} 元")
    if "paid_fen" in fields:
        parts.append(f"已付 {fen_to_yuan_text(t['paid_fen'])} 元")
    if t["workers"]:
        parts.append(f"人数 {t['workers']}")
    return "，".join(parts)


def row_problem(plan: ImportPlan):
    """(row, field, rule, message) → the ``Problem`` of a rule asked at commit (or in a rehearsal),
    naming the column as the file's header says: the field's own column, or, when the file has
    none (a signed ledger's repayment is refused by its 凭证号, which the file may not have), the
    column the row's record is known by (its key, its case), else the field's label."""
    ledger = plan.ledger
    cols = {c.field: c.title for c in plan.header.columns if c.field}
    known = [k for k in (*ledger.key, ledger.parent, ledger.label_field) if k and k != "uuid"]
    fallback = next((cols[k] for k in known if k in cols), "")

    def make(r, name: str, rule: str, message: str) -> Problem:
        column = cols.get(name) or fallback or (field_label(ledger, name) if name else "")
        return Problem(r.row, column, rule, message, name)
    return make


def date_notes(plan: ImportPlan, dated: list[tuple]) -> None:
    """A date filled in for want of its column (登记日期: today, or the date above the header) is
    written to new records only, an update comparing and writing the file's own columns: the
    note says which, once the rows are matched. ``dated``: (label, where the date came from, the
    date, the index of its note)."""
    if not dated:
        return
    new = sum(1 for r in plan.rows if r.action == "insert")
    kept = sum(1 for r in plan.rows if r.action in ("update", "unchanged"))
    if not kept:
        return
    for label, src, day, at in dated:
        if new:
            plan.notes[at] = (f"文件中没有“{label}”列：新增的 {new} 条已按{src} {day} 填写，"
                              f"已有的 {kept} 条保留原来的{label}。")
        else:
            plan.notes[at] = f"文件中没有“{label}”列；各行都是已有的记录，保留原来的{label}，不作改动。"


def kept_blank_note(plan: ImportPlan) -> None:
    """The blank cells of existing records, whose stored values stay (``writing._changes``):
    one note per column, with the first rows."""
    for name, rows in plan.kept_blank.items():
        col = next((c for c in plan.header.columns if c.field == name), None)
        label = f"{col.title}（{col.letter}列）" if col is not None else field_label(plan.ledger, name)
        shown = "、".join(map(str, rows[:10])) + ("等" if len(rows) > 10 else "")
        plan.notes.append(f"“{label}”有 {len(rows)} 个空白单元格是已有记录的（第 {shown} 行）：空白不清除台账中"
                          f"原有的{field_label(plan.ledger, name)}，保留原值。如需清空，请在该记录的表单中修改。")
