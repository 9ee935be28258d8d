"""Import a ledger from a file: plan (read, map, check; nothing written), then commit.

    plan = plan_import(store, "台账.xlsx", "cases")
    plan.to_json()                           # what DESIGN.md §7 prints for --json
    result = commit_import(store, plan)      # one transaction; matches and updates on re-import

A row is matched to an existing record by the ledger's ``key`` (for cases 编号; for
workers 所属问题 + 身份证号码); rows without a key (repayments) are matched on the content of
the imported columns, one stored record for one row, so importing the same file twice never
duplicates records and two identical genuine payments in one file stay two.

Nothing in a file is dropped without a word: a column that holds data and that no field
takes is listed (``unmapped``); when it holds money, dates or ID / card numbers the plan is
stopped (``fatal``) until the user maps the column or leaves it out. Rows that today's rules
call incomplete but not wrong (a resolved case of an old ledger without 核处结论) are imported
and listed for completion (``incomplete``, see ``models.completion``).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import weakref
import operator
from itertools import compress, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from models import values as V
from models.db import Store
from models.io import bulk_commit
from models.io import cells as C
from models.io import columns as CL
from models.io.row_checks import row_validator
from models import completion
from models.io.header import (ChoiceProblem, Header, apply_mapping, choose_sheet, remember,
                              remembered, user_choices)
from models.io.plan import (ImportPlan, RowResult, date_notes, importable,  # noqa: F401 - importable: for callers
                            kept_blank_note, row_problem)
from models.io.problems import Problem, field_label as _label
from models.io.reading import UnusableFile, open_book
from models.io.unplaced import (_check_computed, _columns_beyond_header, _scan_unmapped,  # noqa: F401
                                blocking_message, looks_like, unmapped_text)     # looks_like: for callers
from models.io.unplaced import computed_column
from models.io.case_column import CASE_CHECK, case_check_column, case_id, check_case_column, only_case
from models.io.other_kind import looks_like_kind, other_kind_message
from models.io.paid_twice import note_paid_twice
from models.io.records import first_text, id_columns, kept_note, valid_id_in
from models.io.sheet_notes import note_hidden, other_sheets, other_sheets_note
from models.io.writing import match_existing, write_rows
from models.jobs import NULL, JobContext, gc_paused
from models.ledger.service import ImportWrite, service_for
from models.ledger import registry
from models.ledger.fields import Ledger

PREVIEW_ROWS = 200
# Above this many rows to write, a commit is done set-based (models.io.bulk_commit) with the
# per-row triggers off and their work done once for all rows; below it, row by row as ever.
BULK_THRESHOLD = 500
_NUMBERS = (int, float)     # not bool: TRUE in a 序号 column is no number to row_kind either


# -- planning ---------------------------------------------------------------------
def plan_import(store: Store, path: str | Path, kind: str, *, case_no: str | None = None,
                sheet: str | None = None, mapping: dict[str, str] | None = None,
                maps: list[str] | tuple = (), ignores: list[str] | tuple = (),
                ctx: JobContext = NULL) -> ImportPlan:
    """Read, map and check a file. Writes nothing. Raises ``UnusableFile`` when the file
    cannot be used at all. ``mapping`` is the preview's {column key: field, or ``IGNORE``};
    ``maps`` ("表头=字段") and ``ignores`` ("表头") are the command line's choices."""
    with gc_paused():
        return _plan(store, Path(path), kind, case_no, sheet, mapping, ctx, maps, ignores)


def _plan(store: Store, path: Path, kind: str, case_no: str | None, sheet: str | None,
          mapping: dict[str, str] | None, ctx: JobContext, maps=(), ignores=()) -> ImportPlan:
    try:
        ledger = registry.get(kind)
    except KeyError as exc:
        raise UnusableFile(str(exc.args[0])) from None
    if not importable(ledger):
        raise UnusableFile(f"{ledger.title}由程序自动记录，不能从文件导入。")
    ctx.progress(0, 0, "正在读取文件…")
    CL.warm_up(path)
    book = open_book(path)
    name, header = choose_sheet(book, ledger, sheet)
    chosen = bool(mapping) or bool(maps) or bool(ignores)
    if header is None:
        other = None if chosen else looks_like_kind(book, name, ledger, None)
        if other is not None:
            raise UnusableFile(other_kind_message(path, other))
        names = "”“".join([f.label for f in ledger.stored_fields if f.in_form and f.kind != "ref"][:4])
        where = f"工作表“{name}”" if len(book.sheet_names) > 1 else f"文件“{path.name}”"
        raise UnusableFile(f"{where}中找不到{ledger.title}的表头（应有“{names}”等列），"
                           "请确认台账类型和工作表是否选对。")
    if not chosen and remembered(store, header, kind) is None:     # not a layout once imported as this kind
        other = looks_like_kind(book, name, ledger, header)
        if other is not None:
            raise UnusableFile(other_kind_message(path, other))
    ctx.check()
    others = other_sheets(book, name, header, ledger)
    data = book.load(name)
    _columns_beyond_header(header, data.rows)
    apply_mapping(header, ledger, remembered(store, header, kind), "remembered")
    apply_mapping(header, ledger, mapping, "user")
    if maps or ignores:
        try:
            apply_mapping(header, ledger, user_choices(header, ledger, maps, ignores), "user")
        except ChoiceProblem as exc:
            raise UnusableFile(str(exc)) from None
    plan = ImportPlan(path, kind, ledger, book, name, header, case_no=case_no)
    plan.notes.extend(data.notes)               # what reading changed (control characters removed)
    plan.other_sheets = others
    if others:
        plan.notes.append(other_sheets_note(plan))
    plan.merged_numbers = _fill_merged_down(data.rows, data.merged, header.data_start, _number_columns(header, ledger))
    dated = _set_defaults(store, plan)
    if not plan.fatal:
        _parse_rows(store, plan, data.rows, ctx)
        if not plan.rows and not plan.blocking:
            rows = "、".join(str(header.row + 1 + i) for i in range(header.height))
            plan.fatal = f"文件“{path.name}”的工作表“{name}”在表头（第 {rows} 行）下面没有数据行，没有可导入的内容。"
        elif plan.blocking:
            plan.fatal = blocking_message(plan)
        else:
            # a blank cell of a column with a default (兑付渠道, 线索来源) is that default, as when the
            # row is inserted: a file imported again then matches what its first import stored
            service_for(store, plan.kind).fill_defaults([r.values for r in plan.rows if not r.problems],
                                                        only={c.field for c in header.columns if c.field})
            if not plan.check_only:
                _match(store, plan)
                date_notes(plan, dated)
                kept_blank_note(plan)
                note_paid_twice(store, plan)
    return plan


def _match(store: Store, plan: ImportPlan) -> None:
    """``match_existing``, skipped when it has already run on this connection and nothing has
    been written since: by this connection (``total_changes``, which counts rolled-back and
    trigger changes too) or by any other (``PRAGMA data_version``)."""
    state = (store.conn.total_changes, store.scalar("PRAGMA data_version"))
    if plan.matched is not None and plan.matched[0]() is store and plan.matched[1:] == state:
        return
    match_existing(store, plan)
    plan.matched = (weakref.ref(store), *state)


def _number_columns(header: Header, ledger) -> set[int]:
    """The columns imported as amounts, counts or areas."""
    return {c.index for c in header.columns if c.field and ledger.field(c.field).numeric}


def _fill_merged_down(rows: list[list], merged: list, start: int, numbers: set[int] = frozenset()) -> dict:
    """A text in vertically merged cells (the case, the unit, the trade of a group) belongs to
    every row the merge covers. A number does not: 5,000 merged over two workers is not 5,000
    each, and the file does not say how it divides. Such merges are returned,
    {row index: [(column index, first row, last row)]}, for their rows to be refused."""
    out: dict[int, list] = {}
    for r0, c0, r1, c1 in merged:
        if r1 <= r0 or r0 < start:
            continue
        for c in range(c0, c1 + 1):
            if r0 >= len(rows) or c >= len(rows[r0]):
                continue
            if c in numbers:
                if not C.is_empty(rows[r0][c]):
                    for r in range(r0, min(r1 + 1, len(rows))):
                        out.setdefault(r, []).append((c, r0, r1))
                continue
            v = rows[r0][c]
            for r in range(r0 + 1, min(r1 + 1, len(rows))):
                row = rows[r]
                if c < len(row) and C.is_empty(row[c]):
                    row[c] = v
    return out


def _set_defaults(store: Store, plan: ImportPlan) -> list[tuple]:
    """The values a file does not give (the case of --case, a date, a generated key); returns
    the dates so filled, for ``date_notes``."""
    ledger, header = plan.ledger, plan.header
    mapped = {c.field for c in header.columns if c.field}
    dated: list[tuple] = []
    if ledger.parent and ledger.parent in mapped and plan.case_no:
        # the file names each row's case and --case names one: the rows of another case are
        # refused (``only_case``), never moved silently to either
        plan.parent_id = case_id(store, ledger, plan.case_no)
    if ledger.parent and ledger.parent not in mapped:
        pf = ledger.field(ledger.parent)
        if plan.case_no:
            rid = case_id(store, ledger, plan.case_no)
            plan.parent_id = rid
            plan.defaults[ledger.parent] = rid
            col = case_check_column(plan)           # 问题编号 beside the workers: checked against --case
            if col is not None:
                col.how = CASE_CHECK
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
            dated.append((f.label, src, day, len(plan.notes)))
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
            return dated
    plan.columns_used = [c.field for c in header.columns if c.field]
    return dated


def _tie_index(header: Header, field: str) -> int:
    """The column read to tell apart the records ``field`` refers to (a repayment's 身份证号码
    for its 农民工), or -1 when the file has none."""
    return next((c.index for c in header.columns if c.how == "核对列" and c.checks == field and not c.field), -1)


def _parse_rows(store: Store, plan: ImportPlan, rows: list[list], ctx: JobContext) -> None:
    """Each record row → values and problems. Cells are parsed a column at a time
    (``models.io.columns``), then each row is put together and checked with the ledger's rules."""
    ledger, header = plan.ledger, plan.header
    cols = [c for c in header.columns if c.field]
    parsers, deferred = [], []
    nullable = {r[1] for r in store.query(f'PRAGMA table_info("{ledger.table}")') if not r[3]}
    for col in cols:
        f = ledger.field(col.field)
        label = col.label or col.parent
        if f.kind == "ref" and f.ref_table:
            tie_field = next((g for g in ledger.fields if g.identifies == col.field), None)
            resolver = C.RefResolver(store, f, ledger.parent if f.name != ledger.parent else "",
                                     tie=tie_field.ref_label if tie_field else "")
            if resolver.scoped:         # 农民工 by name within the row's case (and its 身份证号码)
                deferred.append((col.index, col.field, label, resolver, _tie_index(header, col.field)))
                continue
            parse = C.column_parser(f, col.unit, resolver)
            if col.field == ledger.parent and plan.parent_id is not None:
                parse = only_case(parse, plan.parent_id, plan.case_no or "", label, True)
            parsers.append((col.index, col.field, label, parse, None))
        else:
            parse = C.column_parser(f, col.unit)
            fast = None if getattr(f, "value_labels", ()) else CL.fast_path(f, col.unit, parse)
            if f.numeric and f.name in nullable:        # a blank 办结时限（工作日） stays "not set", not 0
                parse, fast = _blank_is_none(parse), None
            elif f.numeric:     # blank until matched: a new record's is 0 (ImportWrite), a stored one stays
                parse = _blank_is_none(parse)
            parsers.append((col.index, col.field, label, parse, fast))
    records, data_only = _record_rows(plan, rows, [c.index for c in cols], {c.label for c in header.columns if c.label},
                                      id_columns(ledger, header))
    _scan_unmapped(plan, rows, sorted([i for i, _ in records] + data_only))
    n = len(records)
    ctx.progress(0, n, f"正在检查 {n} 行…")
    # 1. the cells, a column at a time
    names, columns = [], []
    problems_at: dict[int, list[Problem]] = {}
    table = _columns_of([cells for _, cells in records], [p[0] for p in parsers])
    for idx, name, label, parse, fast in parsers:
        ctx.check()
        raws = table[idx]
        vals, errors = CL.parse_column(parse, raws, fast)
        for pos, exc in errors.items():
            raw = raws[pos]
            if isinstance(exc, V.ValueProblem):
                p = Problem(records[pos][0] + 1, label, exc.rule, str(exc), name)
            else:                                # e.g. a 40-digit "amount"
                p = Problem(records[pos][0] + 1, label, "格式",
                            f"“{str(raw)[:30]}”无法识别（{type(exc).__name__}）", name)
            problems_at.setdefault(pos, []).append(p)
        names.append(name)
        columns.append(vals)
        if ledger.field(name).kind == "money":
            _note_rounded(plan, records, raws, label, ledger.field(name), header)
    check_case_column(store, plan, records, problems_at)
    computed_column(plan, records, names, columns, problems_at)
    if plan.merged_numbers:
        _refuse_merged_numbers(plan, records, parsers, problems_at)
    _refuse_unread_cells(plan, records, parsers, table, problems_at)
    # 2. each row: defaults, names looked up within the row's case, the ledger's rules, duplicates
    for name, v in plan.defaults.items():       # values not from the file: the same in every row
        if v is not None:
            names.append(name)
            columns.append([v] * n)
    late = {d[1] for d in deferred}.union(k for k, v in plan.defaults.items() if v is None)
    validate, _rules = row_validator(ledger, dict(zip(names, columns)), imports=True, late=late)
    to_complete = completion.completion_rules(ledger)
    field_col = {c.field: (c.label or c.parent) for c in cols}
    gen_key = [k for k, v in plan.defaults.items() if v is None]
    key_fields = [k for k in ledger.key if k != "uuid"]
    keys = list(zip(*(columns[names.index(k)] for k in key_fields))) \
        if key_fields and not gen_key and all(k in names for k in key_fields) else None
    base = len(plan.rows)
    # the rows' values, then what each row adds (names within its case, generated keys), then the
    # ledger's rules over all rows, then each row's verdict: each pass a tight loop
    row_values = list(map(dict, map(zip, repeat(names), zip(*columns)))) if columns else [{} for _ in range(n)]
    for pos, problems in problems_at.items():
        values = row_values[pos]
        for p in problems:
            values.pop(p.field, None)
    if deferred or gen_key:
        parent = ledger.parent
        for pos, (i, cells) in enumerate(records):
            values = row_values[pos]
            width = len(cells)
            for idx, name, label, resolver, tie_idx in deferred:
                raw = cells[idx] if idx < width else None
                tie = cells[tie_idx] if 0 <= tie_idx < width else None
                try:
                    values[name] = None if C.is_empty(raw) else resolver(C.text_value(raw), values.get(parent), tie)
                except V.ValueProblem as exc:
                    problems_at.setdefault(pos, []).append(Problem(i + 1, label, exc.rule, str(exc), name))
            for name in gen_key:
                values[name] = _generated_key(values)
    only_at = None if validate else _rules.only_at
    if only_at is None:
        found_all = list(map(validate or _rules, row_values, range(n)))
    else:                                       # the other rows are known to pass every rule
        found_all = [()] * n
        for pos in only_at:
            found_all[pos] = _rules(row_values[pos], pos)
    if keys is not None and not gen_key and not to_complete \
            and not any(col.count(None) or col.count("") for col in map(columns.__getitem__,
                                                                         map(names.index, key_fields))):
        _verdicts_fast(plan, records, row_values, found_all, problems_at, keys, key_fields, field_col, base, ctx)
    else:
        _verdicts(plan, records, row_values, found_all, problems_at, keys, key_fields, field_col, base, ctx,
                  gen_key, to_complete, len(rows))
    if "paid_fen" not in plan.derived:
        _check_computed(plan, rows, store)
    note_hidden(plan)
    ctx.progress(n, n, "检查完毕")


def _note_rounded(plan: ImportPlan, records: list, raws: list, label: str, f, header: Header) -> None:
    """A note when amounts finer than a fen were rounded to it: the file's own sum may then
    differ from the imported one by a few fen."""
    unit = next((c.unit for c in header.columns if c.field == f.name), None) or f.unit
    rounded = CL.below_fen(raws, 1_000_000 if unit == "万元" else 100)
    if rounded:
        first = rounded[0]
        plan.notes.append(f"“{label}”有 {len(rounded)} 个金额的小数多于两位（到分以下，如第 {records[first][0] + 1} 行"
                          f"“{C.text_value(raws[first])}”），已四舍五入到分，合计可能与表中相差几分。")


def _refuse_merged_numbers(plan: ImportPlan, records: list, parsers: list, problems_at: dict) -> None:
    """A problem for each record row an amount (count, area) is merged over, when the merge
    covers two records or more (one record and blank rows: the amount is that record's)."""
    fields = {idx: (name, label) for idx, name, label, _, _ in parsers}
    is_record = {i for i, _ in records}
    for pos, (i, _cells) in enumerate(records):
        for c, r0, r1 in plan.merged_numbers.get(i, ()):
            if c not in fields or sum(r in is_record for r in range(r0, r1 + 1)) < 2:
                continue
            name, label = fields[c]
            problems_at.setdefault(pos, []).append(Problem(
                i + 1, label, "合并单元格",
                f"{label}在第 {r0 + 1}–{r1 + 1} 行合并为一个单元格，无法确定每行各是多少，"
                "请取消合并并逐行填写后再导入", name))


def _refuse_unread_cells(plan: ImportPlan, records: list, parsers: list, table: dict, problems_at: dict) -> None:
    """An error value (#REF!) or a formula without a saved result reads as a blank cell: an
    amount would be imported as 0, an ID number as missing. Looked for when an imported
    column has blank cells; each such cell of an imported column refuses its row."""
    source = getattr(plan.book, "source", None)
    if source is None or not any("" in table[idx] for idx, *_ in parsers):
        return
    causes, unplaced = source.blank_causes(plan.sheet)
    if unplaced:
        plan.notes.append(f"文件中有 {unplaced} 个没有单元格地址的错误值或未计算的公式，读作空白，"
                          "请在 Excel / WPS 中打开核对、保存后再导入。")
    if not causes:
        return
    fields = {idx: (name, label) for idx, name, label, _, _ in parsers}
    for pos, (i, _cells) in enumerate(records):
        for c, (name, label) in fields.items():
            why = causes.get((i, c))
            if why is None:
                continue
            hint = ("文件可能由其他软件生成，请用 Excel / WPS 打开、保存后再导入" if why.startswith("未保存")
                    else "请在表格中改正后再导入")
            problems_at.setdefault(pos, []).append(Problem(i + 1, label, "无法读取", f"{label}单元格是{why}，{hint}", name))


def _verdicts(plan: ImportPlan, records: list, row_values: list, found_all: list, problems_at: dict, keys,
              key_fields: list, field_col: dict, base: int, ctx: JobContext, gen_key: list, to_complete,
              total_rows: int) -> None:
    """Each row's verdict: its problems (cells, the ledger's rules, a key seen in an earlier row),
    the rows to be completed, and its ``RowResult``."""
    ledger, out = plan.ledger, plan.rows
    n = len(records)
    seen_keys: dict[tuple, int] = {}
    for pos, (i, cells), values, found in zip(range(n), records, row_values, found_all):
        if (pos & 4095) == 0:
            ctx.progress(pos, n, f"正在检查第 {i + 1} 行，共 {total_rows} 行")
        excel_row = i + 1
        problems = problems_at.get(pos)
        if problems is None:
            problems = []
        if found:
            failed = {p.field for p in problems}
            for name, message, rule in found:
                if name in failed or (plan.check_only and name == ledger.parent):
                    continue
                problems.append(Problem(excel_row, field_col.get(name) or _label(ledger, name), rule, message, name))
        if not problems and key_fields:
            key = keys[pos] if keys else tuple(map(values.get, key_fields))
            if None not in key and "" not in key:
                if gen_key and key in seen_keys:        # sets the row's generated key, gives the new key tuple
                    key = _dedupe_generated(values, gen_key[0], key_fields, seen_keys)
                first = seen_keys.setdefault(key, excel_row)
                if first != excel_row:
                    shown = "、".join(_label(ledger, k) for k in key_fields if k != ledger.parent)
                    problems.append(Problem(excel_row, field_col.get(key_fields[-1]) or shown, "重复",
                                            f"{shown}与第 {first} 行重复", key_fields[-1]))
        if to_complete and not problems:
            for name, message in completion.row_gaps(to_complete, values):
                plan.incomplete.append({"row": excel_row, "column": field_col.get(name) or _label(ledger, name),
                                        "field": name, "message": message})
        out.append(RowResult(excel_row, values, problems, "reject" if problems else "insert",
                             None, list(cells) if problems or pos + base < PREVIEW_ROWS else None, None))


def _verdicts_fast(plan: ImportPlan, records: list, row_values: list, found_all: list, problems_at: dict, keys,
                   key_fields: list, field_col: dict, base: int, ctx: JobContext) -> None:
    """``_verdicts`` for the usual import (every key cell filled in, keys not generated, no rule of
    completion): the same problems in the same order, found with C-level passes over all rows,
    and a Python loop over the rows that have something to say only."""
    ledger, out = plan.ledger, plan.rows
    n = len(records)
    plists = [[] for _ in range(n)]
    excel_rows = [i + 1 for i, _ in records]
    for pos in sorted(set(problems_at).union(compress(range(n), found_all))):
        problems = plists[pos] = problems_at.get(pos) or plists[pos]
        found = found_all[pos]
        if found:
            excel_row = excel_rows[pos]
            failed = {p.field for p in problems}
            for name, message, rule in found:
                if name in failed or (plan.check_only and name == ledger.parent):
                    continue
                problems.append(Problem(excel_row, field_col.get(name) or _label(ledger, name), rule, message, name))
    # a key met before, in a row without problems: the first such row is the one it repeats
    clean = list(map(operator.not_, plists))
    ok_keys = list(compress(keys, clean))
    ok_rows = list(compress(excel_rows, clean))
    first_row = dict(zip(reversed(ok_keys), reversed(ok_rows)))
    firsts = list(map(first_row.__getitem__, ok_keys))
    if any(map(operator.ne, firsts, ok_rows)):
        shown = "、".join(_label(ledger, k) for k in key_fields if k != ledger.parent)
        column = field_col.get(key_fields[-1]) or shown
        where = dict(zip(ok_rows, compress(range(n), clean)))
        for row, first in zip(ok_rows, firsts):
            if first != row:
                plists[where[row]].append(Problem(row, column, "重复", f"{shown}与第 {first} 行重复", key_fields[-1]))
    preview = max(PREVIEW_ROWS - base, 0)
    cells = [list(c) if pos < preview or plists[pos] else None for pos, (_, c) in enumerate(records)] \
        if any(plists[preview:]) else [list(c) for _, c in records[:preview]] + [None] * max(n - preview, 0)
    actions = ["reject" if p else "insert" for p in plists]
    out.extend(map(RowResult, excel_rows, row_values, plists, actions, repeat(None), cells, repeat(None)))


def _columns_of(rows: list[list], indexes: list[int]) -> dict[int, list]:
    """Rows of cells → {column index: that column's cells}, for the columns asked for only;
    short rows give None."""
    if not indexes:
        return {}
    width = max(indexes) + 1
    if rows and min(map(len, rows)) < width:
        rows = [r if len(r) >= width else list(r) + [None] * (width - len(r)) for r in rows]
    return {i: list(map(itemgetter(i), rows)) for i in indexes}


def _record_rows(plan: ImportPlan, rows: list[list], mapped_idx: list[int], labels: set[str],
                 ids: list[int] | tuple = ()) -> tuple[list[tuple], list[int]]:
    """(index, cells) of the rows that are records; the others (合计, 签字栏, a repeated
    header) go to ``plan.skipped`` with the reason, blank rows silently. Also the indexes of
    rows blank in every imported column but not in others (their cells are counted as data
    of the columns left out). A row holding a valid ID number in an ID column (``ids``) is a
    person's record whatever its first cell looks like (欧阳小计, （一）张三): noted, not skipped."""
    records, data_only = [], []
    kept: list[tuple[int, str]] = []
    row_kind, skipped = C.row_kind, plan.skipped
    m0 = min(mapped_idx) if mapped_idx else -1
    for i in range(plan.header.data_start, len(rows)):
        cells = rows[i]
        # the common record row, decided as row_kind decides it: its first cell a number (序号)
        # and its first imported column filled in
        if m0 >= 0 and len(cells) > m0 and type(cells[0]) in _NUMBERS:
            v = cells[m0]
            if v is not None and (type(v) is not str or v.strip()):
                records.append((i, cells))
                continue
        why = row_kind(cells, mapped_idx, labels)
        if why is None:
            records.append((i, cells))
        elif why != "空行":
            if ids and why != "重复表头" and valid_id_in(cells, ids):
                records.append((i, cells))
                kept.append((i + 1, why))
                continue
            skipped.append({"row": i + 1, "reason": why, "text": first_text(cells)})
        elif any(not C.is_empty(v) for v in cells):
            data_only.append(i)
    if kept:
        plan.notes.append(kept_note(kept))
    return records, data_only


def _blank_is_none(parse):
    def p(raw: Any) -> Any:
        return None if C.nothing(raw) else parse(raw)
    return p


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


# -- committing -------------------------------------------------------------------------
def commit_import(store: Store, plan: ImportPlan, *, accept_partial: bool = False,
                  ctx: JobContext = NULL, reason: str = "", today: _dt.date | None = None) -> dict:
    """Write the plan in one transaction. Nothing is written when the plan is only a check,
    when rows were rejected and ``accept_partial`` is False, on cancel or on any error.
    The rows go through the ledger's write service (models.ledger.service), as a typed record
    does: an imported case gets its deadline, flags and status log. ``reason`` is the user's
    own: rows of a signed ledger change only with one (models.ledger.service.ImportWrite)."""
    rejected = any(r.problems for r in plan.rows)
    if plan.fatal or plan.check_only or (rejected and not accept_partial):
        return plan.to_json(imported=False)
    reason = reason.strip()
    audit_reason = f"{reason}（导入文件 {plan.path.name}）" if reason else f"导入文件 {plan.path.name}"
    try:
        with gc_paused(), store.checkpoint_afterwards(), store.tx(reason=audit_reason):
            _match(store, plan)                 # the database may have changed since the plan was made
            write = ImportWrite(service_for(store, plan.kind, today=today), plan.rows, users_reason=reason,
                                problem=row_problem(plan))
            write.prepare()                     # may add problems (a signed row, a field a file may not set)
            if any(r.problems for r in plan.rows) and not accept_partial:
                raise _NewProblems
            writes = sum(1 for r in plan.rows if r.action in ("insert", "update"))
            if writes > BULK_THRESHOLD and bulk_commit.supported(store, plan):
                counts = bulk_commit.write_rows_bulk(store, plan, ctx)
            else:
                counts = write_rows(store, plan, ctx)
            write.finish()
            remember(store, plan.header, plan.kind)
    except _NewProblems:
        return plan.to_json(imported=False)
    except BaseException:
        plan.matched = None
        raise
    plan.matched = None                         # the rows' actions describe this commit now
    result = plan.to_json(imported=True)
    result.update({"inserted": counts["insert"], "updated": counts["update"], "unchanged": counts["unchanged"]})
    return result


class _NewProblems(Exception):
    """Rows found rejected at commit time (e.g. a record moved to the recycle bin meanwhile)."""


def summary_text(result: dict) -> str:
    """新增 N 条，更新 N 条，未变 N 条，拒绝 N 条; then the rows to be completed and the columns
    left out, when there are any."""
    text = (f"新增 {result.get('inserted', 0)} 条，更新 {result.get('updated', 0)} 条，"
            f"未变 {result.get('unchanged', 0)} 条，拒绝 {result.get('rows_rejected', 0)} 条")
    gaps = result.get("incomplete") or []
    if gaps:
        fields: dict[str, int] = {}
        for g in gaps:
            fields[g["column"]] = fields.get(g["column"], 0) + 1
        text += "；待补录 " + "，".join(f"{k} {v} 条" for k, v in fields.items()) + "（已导入，请在“数据审核”中补录）"
    left = unmapped_text(result)
    return text + ("；" + left if left else "")
