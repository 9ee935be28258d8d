"""A roster's column naming each worker's case, beside the case the import is told (--case, the
window's 所属问题). One file goes into one case: a row naming another case, or one that does not
exist, is refused, naming its row and column; it is never moved silently into --case, nor
--case silently overridden by the column. Without --case a column the workers' ledger takes
(所属问题编号) places each row in its own case, as before. Used by ``models.io.importer``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from models import values as V
from models.io import cells as C
from models.io.header import Column, Matcher, norm
from models.io.problems import Problem
from models.ledger import registry
from models.ledger.fields import Ledger

if TYPE_CHECKING:
    from models.io.plan import ImportPlan

CASE_CHECK = "核对所属问题"     # Column.how: a roster's 问题编号, checked against --case, not imported


def case_id(store, ledger: Ledger, case_no: str) -> int:
    """The id of the case --case names; ``UnusableFile`` when there is none."""
    from models.io.reading import UnusableFile
    pf = ledger.field(ledger.parent)
    live = " AND deleted_at IS NULL" if any(
        r[1] == "deleted_at" for r in store.query(f'PRAGMA table_info("{pf.ref_table}")')) else ""
    rid = store.scalar(f'SELECT id FROM "{pf.ref_table}" WHERE "{pf.ref_label}" = ?{live}', (str(case_no).strip(),))
    if rid is None:
        raise UnusableFile(f"找不到编号为“{case_no}”的{pf.label}，请先登记或核对编号。")
    return rid


def only_case(parse, rid: int, case_no: str, label: str, own_column: bool):
    """A cell parser for a column naming each row's case when --case names one: a blank cell is
    that case; a cell naming it passes; any other (another case, one that does not exist) is
    refused, naming the column and both numbers. ``own_column``: the column is the ledger's own
    case field (所属问题编号), which without --case places each row in its case."""
    how = ("不指定所属问题（不加 --case，窗口中“所属问题”留空）即按此列分别导入各问题" if own_column
           else "其他问题的人员请分开导入")

    def p(raw: Any) -> Any:
        if C.is_empty(raw):
            return rid
        try:
            v = parse(raw)
        except V.ValueProblem:
            v = None
        if v != rid:
            raise V.ValueProblem(f"{label}为“{C.text_value(raw)}”，不是指定的所属问题“{str(case_no).strip()}”"
                                 f"（--case，窗口中的“所属问题”），该行未导入；{how}", "所属问题不符")
        return v
    return p


def _parent_ledger(ledger: Ledger) -> Ledger | None:
    table = ledger.field(ledger.parent).ref_table
    return next((lg for lg in registry.all_ledgers() if lg.table == table), None)


def case_check_column(plan: "ImportPlan") -> Column | None:
    """The column no field takes that names each row's case the way the case ledger does
    (问题编号 in a roster), or None. A column headed 编号 alone is not taken for it: in a
    roster that may as well be the worker's own number."""
    ledger = plan.ledger
    parent = _parent_ledger(ledger) if ledger.parent else None
    if parent is None:
        return None
    key = ledger.field(ledger.parent).ref_label
    matcher = Matcher(parent)
    for col in plan.header.columns:
        if col.field or col.how or not (col.label or col.parent) or norm(col.label or col.parent) == "编号":
            continue
        name, score = matcher.match(col.label, col.parent)
        if name == key and score >= 1.0:
            return col
    return None


def check_case_column(store, plan: "ImportPlan", records: list, problems_at: dict) -> None:
    """With --case, the column marked ``CASE_CHECK`` must name that case in every filled cell;
    a row naming another is refused (each distinct text looked up once)."""
    col = next((c for c in plan.header.columns if c.how == CASE_CHECK), None)
    if col is None or plan.parent_id is None:
        return
    ledger = plan.ledger
    pf = ledger.field(ledger.parent)
    label = col.title
    parse = only_case(C.column_parser(pf, None, C.RefResolver(store, pf)), plan.parent_id, plan.case_no or "",
                      label, False)
    verdict: dict[str, str] = {}
    idx = col.index
    for pos, (i, cells) in enumerate(records):
        raw = cells[idx] if idx < len(cells) else None
        if C.is_empty(raw):
            continue
        key = C.text_value(raw)
        if key not in verdict:
            try:
                parse(raw)
                verdict[key] = ""
            except V.ValueProblem as exc:
                verdict[key] = str(exc)
        if verdict[key]:
            problems_at.setdefault(pos, []).append(Problem(i + 1, label, "所属问题不符", verdict[key], ledger.parent))
    plan.notes.append(f"{col.letter} 列“{label}”逐行核对是否为指定的所属问题“{str(plan.case_no or '').strip()}”，"
                      "不单独导入。")
