"""Import a ledger from a file: plan (read, map, check; nothing written), then commit.

    plan = plan_import(store, "台账.xlsx", "cases")
    plan.to_json()                           # what DESIGN.md §7 prints for --json
    result = commit_import(store, plan)      # one transaction; matches and updates on re-import

A row is matched to an existing record by the ledger's ``key`` (for cases 编号; for
workers 所属问题 + 身份证号码); ledgers without a key are matched on the content of the
imported columns, so importing the same file twice never duplicates records.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Any

from models import values as V
from models.db import Store
from models.io import cells as C
from models.io.header import Header, apply_mapping, choose_sheet, remember, remembered
from models.io.reading import Book, UnusableFile, open_book
from models.jobs import NULL, JobContext
from models.ledger import registry
from models.ledger.fields import Ledger

PREVIEW_ROWS = 200


@dataclass
class Problem:
    row: int                        # as the spreadsheet shows it
    column: str                     # as its header says
    rule: str
    message: str
    field: str = ""

    def to_json(self) -> dict:
        return {"row": self.row, "column": self.column, "rule": self.rule, "message": self.message}


@dataclass(slots=True)
class RowResult:
    row: int
    values: dict
    problems: list
    action: str                     # insert, update, unchanged, reject
    record_id: int | None
    cells: list | None              # the raw cells, kept for the preview and for rows with problems
    changes: dict | None


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

    # -- figures ------------------------------------------------------------
    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.rows for p in r.problems]

    @property
    def valid(self) -> list[RowResult]:
        return [r for r in self.rows if not r.problems]

    def counts(self) -> dict[str, int]:
        out = {"insert": 0, "update": 0, "unchanged": 0, "reject": 0}
        for r in self.rows:
            out[r.action] = out.get(r.action, 0) + 1
        return out

    def totals(self) -> dict:
        return compute_totals(self.ledger, [r.values for r in self.rows if not r.problems])

    def to_json(self, imported: bool = False) -> dict:
        c = self.counts()
        rejected = sum(1 for r in self.rows if r.problems)
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
                         "unit": col.unit or ""} for col in self.header.columns if col.label or col.parent],
        }


def compute_totals(ledger: Ledger, rows: list[dict]) -> dict:
    """amount_fen, paid_fen, workers over the rows that would be imported, plus every summed field."""
    sums = {f.name: 0 for f in ledger.stored_fields if f.sum and f.numeric}
    for values in rows:
        for name in sums:
            v = values.get(name)
            if v:
                sums[name] += v
    money = [f.name for f in ledger.stored_fields if f.sum and f.kind == "money"]
    amount = next((n for n in ("amount_fen", "owed_fen") if n in sums), money[0] if money else None)
    ints = [f.name for f in ledger.stored_fields if f.sum and f.kind == "int"]
    headcount = "workers_count" if "workers_count" in sums else (ints[0] if ints else None)
    if headcount:
        workers = sums[headcount]
    elif any(f.kind == "id_number" for f in ledger.fields):
        workers = len(rows)
    else:
        workers = 0
    return {"records": len(rows), "amount_fen": sums.get(amount, 0) if amount else 0,
            "paid_fen": sums.get("paid_fen", 0), "workers": workers, "fields": sums}


# -- planning ---------------------------------------------------------------------
def plan_import(store: Store, path: str | Path, kind: str, *, case_no: str | None = None,
                sheet: str | None = None, mapping: dict[str, str] | None = None,
                ctx: JobContext = NULL) -> ImportPlan:
    """Read, map and check a file. Writes nothing. Raises ``UnusableFile`` when the file
    cannot be used at all."""
    path = Path(path)
    try:
        ledger = registry.get(kind)
    except KeyError as exc:
        raise UnusableFile(str(exc.args[0])) from None
    ctx.progress(0, 0, "正在读取文件…")
    book = open_book(path)
    name, header = choose_sheet(book, ledger, sheet)
    if header is None:
        names = "”“".join([f.label for f in ledger.stored_fields if f.in_form and f.kind != "ref"][:4])
        where = f"工作表“{name}”" if len(book.sheet_names) > 1 else f"文件“{path.name}”"
        raise UnusableFile(f"{where}中找不到{ledger.title}的表头（应有“{names}”等列），"
                           "请确认台账类型和工作表是否选对。")
    apply_mapping(header, ledger, remembered(store, header, kind), "remembered")
    apply_mapping(header, ledger, mapping, "user")
    ctx.check()
    data = book.load(name)
    plan = ImportPlan(path, kind, ledger, book, name, header, case_no=case_no)
    _fill_merged_down(data.rows, data.merged, header.data_start)
    _set_defaults(store, plan)
    if not plan.fatal:
        _parse_rows(store, plan, data.rows, ctx)
        if not plan.check_only:
            match_existing(store, plan)
    return plan


def _fill_merged_down(rows: list[list], merged: list, start: int) -> None:
    """A value in vertically merged cells belongs to every row the merge covers."""
    for r0, c0, r1, c1 in merged:
        if r1 <= r0 or r0 < start:
            continue
        for c in range(c0, c1 + 1):
            if r0 >= len(rows) or c >= len(rows[r0]):
                continue
            v = rows[r0][c]
            for r in range(r0 + 1, min(r1 + 1, len(rows))):
                row = rows[r]
                if c < len(row) and C.is_empty(row[c]):
                    row[c] = v


def _set_defaults(store: Store, plan: ImportPlan) -> None:
    ledger, header = plan.ledger, plan.header
    mapped = {c.field for c in header.columns if c.field}
    if ledger.parent and ledger.parent not in mapped:
        pf = ledger.field(ledger.parent)
        if plan.case_no:
            rid = store.scalar(f'SELECT id FROM "{pf.ref_table}" WHERE "{pf.ref_label}" = ? AND deleted_at IS NULL',
                               (plan.case_no.strip(),))
            if rid is None:
                raise UnusableFile(f"找不到编号为“{plan.case_no}”的{pf.label}，请先登记该问题或核对编号。")
            plan.parent_id = rid
            plan.defaults[ledger.parent] = rid
        else:
            plan.check_only = True
            plan.notes.append(f"未指定{pf.label}（--case 编号），本次只检查，不导入。")
    for f in ledger.stored_fields:
        if f.name in mapped or f.name in plan.defaults or not f.required:
            continue
        if f.kind == "date":
            day = header.meta.get("date") or store.scalar("SELECT date('now', 'localtime')")
            plan.defaults[f.name] = day
            src = "表头上方的日期" if header.meta.get("date") else "今天的日期"
            plan.notes.append(f"文件中没有“{f.label}”列，已按{src} {day} 填写。")
        elif f.name in ledger.key and f.kind == "text":
            plan.defaults[f.name] = None            # generated per row from the row's content
            plan.notes.append(f"文件中没有“{f.label}”列，已按单位、项目、人数和金额生成编号（IMP-…），"
                              "再次导入同一文件时据此识别。")
        elif f.name != ledger.parent:
            missing = [g.label for g in ledger.stored_fields
                       if g.required and g.name not in mapped and g.name != ledger.parent
                       and g.kind != "date" and not (g.name in ledger.key and g.kind == "text")]
            plan.fatal = (f"文件“{plan.path.name}”中找不到必填列“{'”“'.join(missing)}”，"
                          f"无法作为{ledger.title}导入，请在列对应中指定或检查台账类型。")
            return
    plan.columns_used = [c.field for c in header.columns if c.field]


def _parse_rows(store: Store, plan: ImportPlan, rows: list[list], ctx: JobContext) -> None:
    ledger, header = plan.ledger, plan.header
    cols = [c for c in header.columns if c.field]
    parsers = []
    for col in cols:
        f = ledger.field(col.field)
        resolve = None
        if f.kind == "ref" and f.ref_table:
            scope = (ledger.parent, plan.parent_id) if plan.parent_id and f.name != ledger.parent else None
            resolve = C.RefResolver(store, f, scope)
        parsers.append((col.index, col.field, col.label or col.parent, C.column_parser(f, col.unit, resolve)))
    mapped_idx = [c.index for c in cols]
    labels = [c.label for c in header.columns]
    field_col = {c.field: (c.label or c.parent) for c in cols}
    gen_key = [n for n, v in plan.defaults.items() if v is None]
    seen_keys: dict[tuple, int] = {}
    key_fields = [k for k in ledger.key if k != "uuid"]
    n = len(rows)
    for i in range(header.data_start, n):
        if (i & 1023) == 0:
            ctx.progress(i, n, f"正在检查第 {i + 1} 行，共 {n} 行")
        cells = rows[i]
        why = C.row_kind(cells, mapped_idx, labels)
        excel_row = i + 1
        if why:
            if why != "空行":
                plan.skipped.append({"row": excel_row, "reason": why})
            continue
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        width = len(cells)
        for idx, name, label, parse in parsers:
            raw = cells[idx] if idx < width else None
            try:
                values[name] = parse(raw)
            except V.ValueProblem as exc:
                problems.append(Problem(excel_row, label, exc.rule, str(exc), name))
        for name, v in plan.defaults.items():
            if v is not None:
                values[name] = v
        for name in gen_key:
            values[name] = _generated_key(values)
        failed = {p.field for p in problems}
        for name, message in ledger.validate(values):
            if name in failed or (plan.check_only and name == ledger.parent):
                continue
            rule = "必填" if message.endswith("不能为空") else "非负" if message.endswith("不能为负数") else "校验"
            problems.append(Problem(excel_row, field_col.get(name) or _label(ledger, name), rule, message, name))
        if not problems and key_fields:
            key = tuple(values.get(k) for k in key_fields)
            if all(v not in (None, "") for v in key):
                if gen_key and key in seen_keys:
                    values[gen_key[0]] = key = _dedupe_generated(values, gen_key[0], key_fields, seen_keys)
                first = seen_keys.get(key)
                if first is not None:
                    shown = "、".join(_label(ledger, k) for k in key_fields if k != ledger.parent)
                    problems.append(Problem(excel_row, field_col.get(key_fields[-1]) or shown, "重复",
                                            f"{shown}与第 {first} 行重复", key_fields[-1]))
                else:
                    seen_keys[key] = excel_row
        keep = problems or len(plan.rows) < PREVIEW_ROWS
        plan.rows.append(RowResult(excel_row, values, problems, "reject" if problems else "insert",
                                   None, list(cells) if keep else None, None))
    ctx.progress(n, n, "检查完毕")


def _label(ledger: Ledger, name: str) -> str:
    return ledger.field(name).label if ledger.has(name) else name


def _generated_key(values: dict) -> str:
    parts = [str(values.get(k, "")) for k in ("employer_name", "project_name", "workers_count", "amount_fen")]
    if not any(parts):
        parts = [f"{k}={v}" for k, v in sorted(values.items()) if v not in (None, "")]
    return "IMP-" + hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:10].upper()


def _dedupe_generated(values: dict, name: str, key_fields: list[str], seen: dict) -> tuple:
    base, n = values[name], 2
    while True:
        values[name] = f"{base}-{n}"
        key = tuple(values.get(k) for k in key_fields)
        if key not in seen:
            return key
        n += 1


# -- matching against the database -----------------------------------------------------
def match_existing(store: Store, plan: ImportPlan) -> None:
    """Decide insert / update / unchanged for every valid row (run again inside the commit)."""
    ledger, t = plan.ledger, plan.ledger.table
    valid = [r for r in plan.rows if not r.problems]
    if not valid:
        return
    key_fields = [k for k in ledger.key if k != "uuid"]
    compare = [n for n in valid[0].values if n not in plan.defaults or n == ledger.parent]
    cols = list(dict.fromkeys(key_fields + compare))
    where = f' WHERE "{ledger.parent}" = ?' if plan.parent_id and ledger.parent else ""
    params = [plan.parent_id] if where else []
    sel = ", ".join(f'"{c}"' for c in cols)
    by_key: dict[tuple, tuple] = {}
    by_content: dict[tuple, int] = {}
    deleted: set[tuple] = set()
    kpos = [cols.index(k) for k in key_fields]
    cpos = [cols.index(c) for c in compare]
    cur = store.conn.cursor()
    cur.row_factory = None
    for rec in cur.execute(f'SELECT id, deleted_at, {sel} FROM "{t}"{where}', params):
        rid, gone, vals = rec[0], rec[1], rec[2:]
        key = tuple(vals[p] for p in kpos)
        if gone is not None:
            deleted.add(key)
            continue
        if key_fields:
            by_key.setdefault(key, (rid, vals))
        by_content.setdefault(tuple(vals[p] for p in cpos), rid)
    for r in valid:
        v = r.values
        key = tuple(v.get(k) for k in key_fields)
        hit = None
        if key_fields and all(x not in (None, "") for x in key):
            hit = by_key.get(key)
            if hit is None and key in deleted:
                r.action = "reject"
                r.problems.append(Problem(r.row, _label(ledger, key_fields[-1]), "重复",
                                          "回收站中已有相同的记录，请先在回收站中恢复或彻底删除后再导入",
                                          key_fields[-1]))
                continue
        if hit is not None:
            rid, vals = hit
            changes = {c: v.get(c) for c, p in zip(compare, cpos) if vals[p] != v.get(c)}
            r.record_id, r.action, r.changes = rid, ("update" if changes else "unchanged"), changes or None
            continue
        rid = by_content.get(tuple(v.get(c) for c in compare))
        if rid is not None:
            r.record_id, r.action, r.changes = rid, "unchanged", None
        else:
            r.record_id, r.action, r.changes = None, "insert", None


# -- committing -------------------------------------------------------------------------
def commit_import(store: Store, plan: ImportPlan, *, accept_partial: bool = False,
                  ctx: JobContext = NULL) -> dict:
    """Write the plan in one transaction. Nothing is written when the plan is only a check,
    when rows were rejected and ``accept_partial`` is False, on cancel or on any error."""
    result = plan.to_json(imported=False)
    rejected = result["rows_rejected"]
    if plan.fatal or plan.check_only or (rejected and not accept_partial):
        return result
    from models.io.writing import write_rows
    with store.tx(reason=f"导入文件 {plan.path.name}"):
        match_existing(store, plan)
        counts = write_rows(store, plan, ctx)
        remember(store, plan.header, plan.kind)
    result = plan.to_json(imported=True)
    result.update({"inserted": counts["insert"], "updated": counts["update"], "unchanged": counts["unchanged"]})
    return result


def summary_text(result: dict) -> str:
    """新增 N 条，更新 N 条，未变 N 条，拒绝 N 条."""
    return (f"新增 {result.get('inserted', 0)} 条，更新 {result.get('updated', 0)} 条，"
            f"未变 {result.get('unchanged', 0)} 条，拒绝 {result.get('rows_rejected', 0)} 条")
