"""project: 一项目一档 — the projects with their deposits and settlement, one project's file,
the three checks (工资保证金、40 日结算、三册相符), the printed file, and the rates and days.

qingqian project list --db PATH
qingqian project show 项目名称 --db PATH
qingqian project check [项目名称] --db PATH
qingqian project print 项目名称 --out FILE.pdf|.docx --db PATH
qingqian project settings [--rate 2] [--offender-rate 3] [--repeat 5] [--settle-days 40] --db PATH

The projects, their 花名册, 考勤表 and 工资发放表 are imported and exported as ledgers
(``qingqian import FILE --kind projects|roster|attendance|payroll``, ``qingqian export projects``).
"""
from __future__ import annotations

from desktop.commands._acting import NotFound, OFFICE, action, actions, run, today_of, yuan
from desktop.commands._common import emit

CHECK_RULES = ("project_deposit", "project_settlement", "project_three_registers")


def register(sub) -> None:
    subs = actions(sub, "project", "一项目一档：工程项目的保证金、结算、三册相符（花名册、考勤表、工资发放表）和档案打印")
    action(subs, "list", "列出工程项目及其保证金、结算情况和三册核对结果", cmd_list)
    p = action(subs, "show", "显示一个项目的档案：各方单位、工资专户、保证金、结算、逐月三册核对", cmd_show)
    p.add_argument("project", help="项目名称")
    p = action(subs, "check", "核查工资保证金、竣工后 40 日内结算和三册相符，有问题时退出码为 1", cmd_check)
    p.add_argument("project", nargs="?", help="项目名称（不写则核查全部项目）")
    p = action(subs, "print", "打印一个项目的档案（PDF 或 Word）", cmd_print)
    p.add_argument("project", help="项目名称")
    p.add_argument("--out", required=True, help="输出文件，以 .pdf 或 .docx 结尾")
    p = action(subs, "settings", "查看或修改保证金比例和结算天数（修改须办公室账号）", cmd_settings)
    p.add_argument("--rate", type=float, help="工资保证金存储比例（%%），默认 2")
    p.add_argument("--offender-rate", type=float, help="失信或多次拖欠的总包单位的保证金比例（%%），默认 3")
    p.add_argument("--repeat", type=int, help="总包单位涉及欠薪问题达到多少件即按较高比例，默认 5")
    p.add_argument("--settle-days", type=int, help="竣工验收后须在多少日内完成结算，默认 40")


def _pid(store, name: str) -> int:
    from models import projects as P
    try:
        return P.project_id(store, name)
    except LookupError as exc:
        raise NotFound(str(exc)) from None


def cmd_list(args) -> int:
    from models import projects as P

    def work(store) -> int:
        rows = []
        for r in P.projects(store):
            months = P.compare(store, r["id"])
            rows.append({"id": r["id"], "name": r["name"], "owner_unit": r["owner_unit"],
                         "general_contractor": r["general_contractor"], "labor_manager": r["labor_manager"],
                         "contract_fen": r["contract_fen"], "deposit_rate": r["deposit_rate"],
                         "deposit_due_fen": r["deposit_due_fen"], "deposit_fen": r["deposit_fen"],
                         "completed_on": r["completed_on"], "settle_due": r["settle_due"],
                         "settled_on": r["settled_on"], "settle_state": r["settle_state"],
                         "months": len(months), "months_disagreeing": [m.month for m in months if not m.agrees]})
        lines = []
        for r in rows:
            three = ("未导入三册" if not r["months"] else
                     (f"三册不符：{'、'.join(r['months_disagreeing'])}" if r["months_disagreeing"]
                      else f"三册相符（{r['months']} 个月）"))
            lines.append(f"{r['name']}　总包：{r['general_contractor'] or '—'}　合同价款 {yuan(r['contract_fen'])} 元　"
                         f"保证金 {r['deposit_rate']} 应存 {yuan(r['deposit_due_fen'])} / 已存 {yuan(r['deposit_fen'])} 元　"
                         f"{r['settle_state']}　{three}")
        emit(args, rows, lines or ["还没有工程项目"])
    return run(args, work, roles=None, write=False)


def cmd_show(args) -> int:
    from models import projects as P

    def work(store) -> int:
        today = today_of(args)
        store.today = today
        f = P.project_file(store, _pid(store, args.project), today)
        rec = f["record"]
        lines = [f"【{rec['name']}】",
                 f"建设单位：{rec['owner_unit'] or '—'}　施工总承包单位：{rec['general_contractor'] or '—'}"
                 f"　分包单位：{rec['subcontractor'] or '—'}",
                 f"劳资专管员：{rec['labor_manager'] or '—'} {rec['labor_manager_phone'] or ''}".rstrip(),
                 f"工资专户：{rec['wage_bank'] or '—'} {rec['wage_account'] or ''}".rstrip(),
                 f"合同价款：{yuan(rec['contract_fen'])} 元",
                 f"工资保证金：{P.deposit_text(f['deposit'])}",
                 f"工程款支付担保：{rec['guarantee_form'] or '—'}"
                 + (f" {yuan(rec['guarantee_fen'])} 元" if rec["guarantee_fen"] else ""),
                 f"开工日期：{rec['started_on'] or '—'}　结算：{P.settlement_text(f['settlement'])}",
                 f"花名册：{len(f['roster'])} 人"]
        for m in f["months"]:
            lines.append("  " + m.summary())
        if not f["months"]:
            lines.append("  尚未导入考勤表和工资发放表")
        if f["cases"]:
            lines.append(f"欠薪问题：{'、'.join(c['case_no'] for c in f['cases'])}")
        emit(args, P.file_json(f), lines)
    return run(args, work, roles=None, write=False)


def cmd_check(args) -> int:
    from models import checks
    from models.ledger import registry

    def work(store) -> int:
        today = today_of(args)
        store.today = today
        registry.all_ledgers()
        pid = _pid(store, args.project) if args.project else None
        found = []
        for code in CHECK_RULES:
            fn = checks.RULES[code][1] if code in checks.RULES else checks.WARNINGS[code][1]
            found += [x for x in fn(store, today) if pid is None or x.record == pid]
        titles = checks.rule_titles()
        emit(args, {"passed": not found, "rules": list(CHECK_RULES), "findings": [x.to_json() for x in found]},
             [f"{titles[x.rule]}：{x.label}：{x.message}" for x in found]
             or [f"工资保证金、竣工结算和三册相符核查通过（{'、'.join(titles[c] for c in CHECK_RULES)}）"])
        return 1 if found else 0
    return run(args, work, roles=None, write=False)


def cmd_print(args) -> int:
    from pathlib import Path

    def work(store) -> int:
        from models.reports.project import build
        today = today_of(args)
        store.today = today
        out = Path(args.out)
        if out.suffix.lower() not in (".pdf", ".docx"):
            raise ValueError(f"输出文件“{out.name}”应以 .pdf 或 .docx 结尾")
        out.parent.mkdir(parents=True, exist_ok=True)
        res = build(store, _pid(store, args.project), out, today)
        pages = f"，{res.pages} 页" if res.pages else ""
        emit(args, {"ok": True, "path": str(out), "title": res.title, "pages": res.pages, "passed": res.passed},
             f"已生成{res.title}：{out}{pages}")
    return run(args, work, roles=None, write=False)


def cmd_settings(args) -> int:
    from models import projects as P
    wanted = {P.RATE_KEY: args.rate, P.OFFENDER_RATE_KEY: args.offender_rate, P.REPEAT_KEY: args.repeat,
              P.SETTLE_DAYS_KEY: args.settle_days}
    changes = {k: v for k, v in wanted.items() if v is not None}

    def work(store) -> int:
        for key, value in changes.items():
            P.set_setting(store, key, value)
        rows = [{"key": k, "title": P.SETTING_TITLES[k], "value": P.setting(store, k), "default": P.DEFAULTS[k]}
                for k in P.DEFAULTS]
        head = ["已修改。"] if changes else []
        emit(args, {"changed": list(changes), "settings": rows},
             head + [f"{r['title']}：{r['value']:g}（默认 {r['default']}）" for r in rows])
    return run(args, work, roles=OFFICE if changes else None, write=bool(changes))
