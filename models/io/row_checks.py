"""The ledger's own rules, as an import checks each row with them.

``row_validator`` gives ``ledger.validate``'s answers, in the same order, with the fields
that can never complain left out and the plain checks (required, not negative) inlined;
given the parsed columns it makes those plain checks a column at a time.
"""
from __future__ import annotations

from models.io.columns import FAILED
from models.ledger.fields import Ledger


def row_validator(ledger: Ledger, columns: dict[str, list] | None = None, *, imports: bool = False,
                  late: set[str] | frozenset = frozenset()):
    """``ledger.validate`` with the fields that can never complain left out and the plain
    checks (required, not negative) inlined: the same answers, in the same order.

    With ``columns`` (field name → parsed values, ``FAILED`` where a cell could not be
    read), the plain checks of those fields are made a column at a time first; the
    returned function then takes the row's position as well and merges them in.

    With ``imports``, the rules that only say a record is to be completed (``models.completion``:
    a closed case of an old ledger without 核处结论) are left out: an import lists such rows as
    待补录 instead of refusing them.

    When the second function is returned and its ``only_at`` is not None, it has something to
    say about those positions only (sorted): every other row is known to pass, from the plain
    checks made by column and the rules asked of whole columns (``fields.column_rule``). ``late``
    names the fields whose values are put in the rows after ``columns`` was taken: a rule that
    reads one is asked of every row."""
    plain, custom = [], []
    for f in ledger.stored_fields:
        if f.validators:
            custom.append(f)
        elif f.required or (f.numeric and f.min_value is not None):
            plain.append((f.name, f.required, f.kind == "ref", f.numeric and f.min_value is not None,
                          f.min_value, f"{f.label}不能为空", f.below_min))
    rules = ledger.row_rules
    if imports:
        from models.completion import is_completion_rule
        rules = tuple(r for r in rules if not is_completion_rule(r))
    early: dict[int, list] = {}                 # position → [(order, name, message, rule)]
    if columns:
        rest = []
        for order, (name, required, is_ref, numeric, low, empty_msg, neg_msg) in enumerate(plain):
            col = columns.get(name)
            if col is None:
                rest.append((order, name, required, is_ref, numeric, low, empty_msg, neg_msg))
                continue
            if _nothing_to_say(col, required, is_ref, numeric, low):
                continue
            failed = FAILED                 # an unreadable cell: its problem is already said
            for pos, v in enumerate(col):   # exactly the per-row checks below, a column at a time
                if v is failed:
                    continue
                if required and (v is None or v == "" or (is_ref and not v)):
                    early.setdefault(pos, []).append((order, name, empty_msg, "必填"))
                elif numeric and v is not None and v < low:     # an Excel FALSE is 0 here too
                    early.setdefault(pos, []).append((order, name, neg_msg, "非负"))
        plain_rows = rest
    else:
        plain_rows = [(order, *p) for order, p in enumerate(plain)]

    def validate(row: dict, pos: int = -1) -> list[tuple[str, str, str]]:
        out = early[pos] if pos in early else []
        for order, name, required, is_ref, numeric, low, empty_msg, neg_msg in plain_rows:
            if name not in row:
                if is_ref or not required:
                    continue
                out.append((order, name, empty_msg, "必填"))
                continue
            v = row[name]
            if required and (v is None or v == "" or (is_ref and not v)):
                out.append((order, name, empty_msg, "必填"))
            elif numeric and v is not None and v < low:
                out.append((order, name, neg_msg, "非负"))
        if out:
            out.sort(key=lambda t: t[0])
            out = [t[1:] for t in out]
        for f in custom:
            if f.name not in row and (f.kind == "ref" or not f.required):
                continue
            message = f.check(row.get(f.name), row)
            if message:
                rule = "必填" if message.endswith("不能为空") else "非负" if message.endswith(("不能为负数", "应大于 0")) or "不能小于" in message else "校验"
                out.append((f.name, message, rule))
        for rule in rules:
            found = rule(row)
            if found:
                out.extend((name, message, "逻辑") for name, message in found)
        return out

    def rules_only(row: dict, pos: int) -> list[tuple[str, str, str]]:
        """``validate`` when the plain checks were all made by column and no field has its own."""
        out = [t[1:] for t in sorted(early[pos], key=lambda t: t[0])] if pos in early else []
        for rule in rules:
            found = rule(row)
            if found:
                out.extend((name, message, "逻辑") for name, message in found)
        return out
    if columns and not plain_rows and not custom:
        rules_only.only_at = _only_at(rules, columns, late, early)     # type: ignore[attr-defined]
        return None, rules_only
    return validate, None


def _only_at(rules, columns: dict[str, list], late, early: dict) -> list[int] | None:
    """The positions where ``rules_only`` may have something to say, or None when a rule cannot
    be asked of whole columns."""
    if not all(hasattr(r, "may_fire") and not late.intersection(r.reads) for r in rules):
        return None
    n = len(next(iter(columns.values())))
    blank = [None] * n
    at = set(early)
    try:
        for rule in rules:
            cols = []
            for name in rule.reads:
                col = columns.get(name, blank)
                if FAILED in col:               # unreadable: the row has no value there
                    col = [None if v is FAILED else v for v in col]
                cols.append(col)
            at.update(rule.may_fire(*cols))
    except (TypeError, ValueError):             # a value the column form cannot compare: ask each row
        return None
    return sorted(at)


def _nothing_to_say(col: list, required: bool, is_ref: bool, numeric: bool, low) -> bool:
    """Whether the plain checks certainly find nothing in a whole column, told with a few C-level
    passes (the usual column: all texts, or all whole numbers), so the per-cell loop is skipped."""
    kinds = set(map(type, col))
    if kinds == {str}:
        return not numeric and not (required and "" in col)      # a text is never None
    if kinds == {int}:
        if required and is_ref and 0 in col:
            return False
        return not (numeric and low is not None and min(col) < low)
    return False
