"""recycle and settings: the 回收站 (move a record there with a reason, list, restore) and the
campaign-wide settings the window keeps (预警阈值, the 重大 thresholds, the default 办结时限, the
核处结论 options). 办公室 changes settings; the recycle bin follows the account's workstream.

qingqian recycle list [--kind cases] --db PATH
qingqian recycle move KIND 编号 --reason 理由 --db PATH
qingqian recycle restore KIND 编号 [--reason 修改理由] --db PATH
qingqian settings list --db PATH
qingqian settings set 名称 值 --db PATH
qingqian settings verdicts [--add 结论 …] [--remove 结论 …] --db PATH
"""
from __future__ import annotations

from desktop.commands._acting import (OFFICE, OFFICE_OR_FILLER, NotFound, action, actions, run)
from desktop.commands._common import emit

# the settings the window shows (预警 page): key → (label, unit shown, fen per unit)
SETTINGS = {"warn.due_soon_days": ("到期前提醒（工作日）", "个工作日", 1),
            "warn.stalled_days": ("久拖未动（天无变化）", "天", 1),
            "major.workers": ("重大：涉及人数达到", "人", 1),
            "major.amount_fen": ("重大：欠薪金额达到", "万元", 1_000_000),
            "case.deadline_days": ("新登记问题的办结时限", "个工作日", 1),
            "attachments.max_mb": ("附件大小上限", "MB", 1),
            "cases.require_payment_proof": ("化解须有付款凭证（1 是，0 否）", "", 1)}
NAMES = {"到期提醒": "warn.due_soon_days", "久拖未动": "warn.stalled_days", "重大人数": "major.workers",
         "重大金额": "major.amount_fen", "办结时限": "case.deadline_days", "附件上限": "attachments.max_mb",
         "化解须有付款凭证": "cases.require_payment_proof"}
SWITCHES = {"cases.require_payment_proof"}      # 0 or 1


def _current(store, key: str) -> int:
    from models import attachments
    from models.cases import setting
    if key == attachments.MAX_SETTING:
        return attachments.max_bytes(store) // (1024 * 1024)
    if key == attachments.PROOF_SETTING:
        return int(attachments.proof_required(store))
    return setting(store, key)


def register(sub) -> None:
    subs = actions(sub, "recycle", "回收站：把一条记录移入回收站（须说明理由）、列出、恢复")
    p = action(subs, "list", "列出回收站中的记录", cmd_list)
    p.add_argument("--kind", default="cases", help="台账类型：cases、workers、repayments、funds …（默认 cases）")
    p = action(subs, "move", "把一条记录移入回收站（办公室或本专班账号）", cmd_move)
    _key_args(p)
    p.add_argument("--reason", required=True, help="理由（记入审计日志）")
    p = action(subs, "restore", "从回收站恢复一条记录（办公室或本专班账号）", cmd_restore)
    _key_args(p)
    p.add_argument("--reason", default="", help="修改理由：改动已审核签字台账的记录时必填（记入审计日志）")

    subs = actions(sub, "settings", "全局设置：预警阈值、重大问题标准、默认办结时限、核处结论选项（修改须办公室账号）")
    action(subs, "list", "列出各项设置的当前值", cmd_settings_list)
    p = action(subs, "set", "修改一项设置（须办公室账号）", cmd_settings_set)
    p.add_argument("name", help="设置名称：" + "、".join(NAMES) + "（或其代码，如 warn.due_soon_days）")
    p.add_argument("value", type=int, help="新值（正整数；重大金额以万元计）")
    p = action(subs, "verdicts", "列出核处结论选项；用 --add / --remove 增删（须办公室账号）", cmd_verdicts)
    p.add_argument("--add", action="append", default=[], metavar="结论", help="增加一条核处结论，可重复")
    p.add_argument("--remove", action="append", default=[], metavar="结论", help="删除一条核处结论，可重复")


def _key_args(p) -> None:
    p.add_argument("kind", help="台账类型：cases、workers、repayments、funds、petitions …")
    p.add_argument("key", help="记录的编号（如问题编号 QQ2026-0012、资金编号），或 #记录号")


def _ledger(kind: str):
    from models.ledger import registry
    if kind not in registry.kinds():
        raise NotFound(f"没有名为 {kind} 的台账（可用：{'、'.join(registry.kinds())}）")
    return registry.get(kind)


def _find(store, ledger, key: str, deleted: bool) -> int:
    text = key.strip()
    cond = "deleted_at IS NOT NULL" if deleted else "deleted_at IS NULL"
    where = "回收站中" if deleted else f"{ledger.title}中"
    if text.startswith("#") and text[1:].isdigit():
        rid = store.scalar(f'SELECT id FROM "{ledger.table}" WHERE id = ? AND {cond}', (int(text[1:]),))
    else:
        keys = [k for k in ledger.key if k != "uuid"]
        if len(keys) != 1:
            raise ValueError(f"{ledger.title}的记录请用 #记录号 指明")
        rows = store.query(f'SELECT id FROM "{ledger.table}" WHERE "{keys[0]}" = ? AND {cond} ORDER BY id DESC', (text,))
        rid = rows[0][0] if rows else None
    if rid is None:
        raise NotFound(f"{where}没有“{text}”")
    return int(rid)


def cmd_list(args) -> int:
    def work(store) -> int:
        ledger = _ledger(args.kind)
        label = ledger.label_field or "id"
        keys = [k for k in ledger.key if k != "uuid"]
        show = keys[0] if len(keys) == 1 else label
        rows = [dict(r) for r in store.query(
            f'SELECT id, "{show}" AS key, deleted_at FROM "{ledger.table}" WHERE deleted_at IS NOT NULL '
            "ORDER BY deleted_at DESC, id DESC")]
        emit(args, rows, [f"{ledger.title}回收站中有 {len(rows)} 条："] +
             [f"　　#{r['id']}　{r['key']}　移入于 {(r['deleted_at'] or '')[:16].replace('T', ' ')}" for r in rows])
    return run(args, work, roles=None, write=False)


def cmd_move(args) -> int:
    from models.ledger.service import service_for

    def work(store) -> int:
        ledger = _ledger(args.kind)
        if not args.reason.strip():
            raise ValueError("移入回收站须说明理由")
        rid = _find(store, ledger, args.key, deleted=False)
        service_for(store, args.kind).recycle([rid], args.reason.strip())
        emit(args, {"ok": True, "kind": args.kind, "id": rid}, f"已把{ledger.title}的“{args.key}”移入回收站。")
    return run(args, work, roles=OFFICE_OR_FILLER)


def cmd_restore(args) -> int:
    from models.ledger.service import service_for

    def work(store) -> int:
        ledger = _ledger(args.kind)
        rid = _find(store, ledger, args.key, deleted=True)
        service_for(store, args.kind).restore([rid], args.reason.strip())
        emit(args, {"ok": True, "kind": args.kind, "id": rid}, f"已从回收站恢复{ledger.title}的“{args.key}”。")
    return run(args, work, roles=OFFICE_OR_FILLER)


def _settings(store) -> list[dict]:
    return [{"key": k, "name": next(n for n, c in NAMES.items() if c == k), "label": label,
             "value": _current(store, k) // per, "unit": unit} for k, (label, unit, per) in SETTINGS.items()]


def cmd_settings_list(args) -> int:
    from models.cases import verdicts

    def work(store) -> int:
        rows = _settings(store)
        v = verdicts(store)
        emit(args, {"settings": rows, "verdicts": v},
             [f"{r['label']}：{r['value']} {r['unit']}（{r['name']}）" for r in rows] + [f"核处结论选项{len(v)}条"])
    return run(args, work, roles=None, write=False)


def cmd_settings_set(args) -> int:
    def work(store) -> int:
        key = NAMES.get(args.name.strip(), args.name.strip())
        if key not in SETTINGS:
            raise NotFound(f"没有名为“{args.name}”的设置（可设：{'、'.join(NAMES)}）")
        label, unit, per = SETTINGS[key]
        if key in SWITCHES and args.value not in (0, 1):
            raise ValueError(f"{label}应为 1 或 0，而不是 {args.value}")
        if key not in SWITCHES and args.value < 1:
            raise ValueError(f"{label}应为正整数，而不是 {args.value}")
        store.set_setting(key, args.value * per)
        emit(args, {"ok": True, "key": key, "value": args.value, "unit": unit}, f"已设置{label}：{args.value} {unit}。")
    return run(args, work, roles=OFFICE)


def cmd_verdicts(args) -> int:
    from models import cases

    def work(store) -> int:
        texts = cases.verdicts(store)
        if args.add or args.remove:
            gone = [t for t in args.remove if t.strip() not in texts]
            if gone:
                raise NotFound(f"核处结论选项中没有“{gone[0]}”")
            texts = [t for t in texts if t not in {x.strip() for x in args.remove}]
            texts += [t.strip() for t in args.add if t.strip() and t.strip() not in texts]
            if store.actor is not None and not store.actor.may_change_campaign_settings:
                from models.access import CAMPAIGN_SETTINGS
                raise ValueError(CAMPAIGN_SETTINGS)
            cases.set_verdicts(store, texts)
            texts = cases.verdicts(store)
        emit(args, texts, [f"核处结论选项（{len(texts)}条）："] + [f"　　{t}" for t in texts])
    writes = bool(args.add or args.remove)
    return run(args, work, roles=OFFICE if writes else None, write=writes)
