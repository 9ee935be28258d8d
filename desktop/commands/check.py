"""check: the consistency checks (审核). Exit 1 when the data contradict themselves or their rules;
work warnings (逾期问题, 逾期交办事项) are listed after the findings and never change the exit status."""
from __future__ import annotations

import datetime as _dt

from desktop.commands._common import add_db, add_json, emit, fail, open_store


def register(sub) -> None:
    p = sub.add_parser("check", help="数据审核：运行一致性检查")
    add_db(p)
    add_json(p)
    p.add_argument("--date", help="以此日期为“今天”（YYYY-MM-DD）")
    p.add_argument("--full", action="store_true",
                   help="逐条重新运行全部规则，并检查数据库文件是否完好（大文件平时只在每周一次的完整审核时检查）")
    p.set_defaults(func=cmd_check)


def cmd_check(args) -> int:
    from models.checks_incremental import check, full_due
    from models.db import StoreError
    from desktop.commands._common import DayProblem, day_of
    try:
        today = day_of(args.date) if args.date else None
    except DayProblem as exc:
        return fail(str(exc))
    store, code = open_store(args)
    if store is None:
        return code
    full = bool(getattr(args, "full", False))
    if store.needs_full_check and (full or full_due(store, today or _dt.date.today())):
        # a large file was opened with the light check: the file's own integrity check (PRAGMA
        # quick_check, seconds on a county's file) goes with every whole run of the rules, at least
        # weekly; the window runs it at every open, and a damaged page read meanwhile is reported
        try:
            store.quick_check()
        except StoreError as exc:
            store.close()
            return fail(str(exc))
    report, _done = check(store, today, full=full)      # else the kept result brought up to date: equal to a full run
    from models import completion
    gaps = completion.list_incomplete(store)        # 待补录: incomplete, not wrong; never the exit status
    store.close()
    data = {"passed": report.passed, "at": report.at, "rules": report.rules_run,
            "findings": [f.to_json() for f in report.findings],
            "warnings": [f.to_json() for f in report.warnings],
            "warning_counts": report.warning_counts,
            "incomplete": [g.to_json() for g in gaps]}
    emit(args, data, _lines(report, gaps) if not getattr(args, "json", False) else [])
    return 0 if report.passed else 1


def _lines(report, gaps) -> list[str]:
    from models import checks, completion
    from models.ledger import registry
    titles = checks.rule_titles()

    def ledger(table: str) -> str:              # the ledger's Chinese name, as the window shows it
        found = registry.by_table(table) if table else None
        return found.title if found is not None else (table or "")
    out = [report.summary()]
    out += [f"[{titles.get(f.rule, f.rule)}] {ledger(f.table)} #{f.record} {f.label}：{f.message}"
            for f in report.findings]
    out += [f"[预警·{titles.get(f.rule, f.rule)}] {f.label}：{f.message}" for f in report.warnings]
    if gaps:
        out.append(completion.summary(gaps) + "（照常计入台账，请补录）")
        out += [f"[待补录·{g.field_label}] {g.label}：{g.message}" for g in gaps[:200]]
    return out
