"""What money ties a record to others, asked before a record goes to the recycle bin, so that a
move never leaves money counted on one side and gone on the other.

- A fund allocation and the repayment it made are one payment: they go to the bin together
  (``take_back_payments``: 撤销分配, an allocation or a repayment moved to the bin), as they come
  back together (``models.case_workers.restore_payments``).
- The payments an advance made go only with the advance (垫付移入回收站), never one by one.
- Money taken back from a case marked 已化解 would leave it 已化解 with wages unpaid: refused
  until the case is reopened (状态改回“化解中”).
- A fund that has paid cases or was formed by an asset item, a case paid from funds, a worker
  paid from funds: the ``*_ties`` functions name what holds them, and what to do first.

The rules are asked by the ledgers' write services (``models.funds``, ``models.case_workers``,
``models.cases``, ``models.assets``), so the window, the command line and the recycle bin obey
them alike."""
from __future__ import annotations

from typing import Iterable, Sequence

from models.access import check_write
from models.db import PermissionDenied, Store, now_text
from models.ledger import effects
from models.ledger.repo import ValidationError
from models.values import fen_to_yuan_text as _y

CANCEL_HINT = "清欠资金台账“撤销分配”，命令行 qingqian fund cancel 分配号"
ADVANCE_HINT = "垫付的兑付请将垫付移入回收站（其分配与兑付随之移入）后重新登记"


def _marks(ids: Sequence) -> str:
    return ",".join("?" * len(ids)) or "NULL"


def _ids(text: str | None) -> list[int]:
    return [int(p) for p in (text or "").split(",") if p.strip().isdigit()]


def may_spend(store: Store, fund, what: str) -> None:
    """Allocating a fund's money (or taking it back) changes that fund's balance: only an account
    that may write the fund's own workstream may do it (each workstream keeps its own rows), as
    well as the case's, which the repayment's own guard asks. ``fund``: id, fund_no, workstream_id."""
    ok, why = check_write(store.conn, store.actor, "fund", fund["workstream_id"], fund["id"])
    if not ok:
        owner = store.scalar("SELECT name FROM workstream WHERE id = ?", (fund["workstream_id"],)) \
            if fund["workstream_id"] else None
        if store.actor is not None and store.actor.workstream_id and store.actor.role != "领导":
            why = (f"该笔资金属于{owner or '未分配专班'}，专班填报员只能动用本专班的资金，"
                   "跨专班分配请由办公室账号办理")
        store.last_denial = f"无权{what}资金 {fund['fund_no']}：{why}"
        raise PermissionDenied(store.last_denial)


def deposit_advances(store: Store, repayment_ids: Iterable[int], *, live: bool = True) -> dict[int, str]:
    """The repayments among ``repayment_ids`` that an advance paid from a wage deposit made:
    repayment id → the advance's number (``live``: advances not in the bin; else those in it)."""
    wanted = set(repayment_ids)
    if not wanted:
        return {}
    out: dict[int, str] = {}
    for a in store.query("SELECT advance_no, repayment_ids FROM advance WHERE repayment_ids IS NOT NULL "
                         f"AND repayment_ids != '' AND deleted_at IS {'' if live else 'NOT '}NULL"):
        for rid in _ids(a["repayment_ids"]):
            if rid in wanted:
                out[rid] = a["advance_no"]
    return out


def take_back_payments(store: Store, *, repayment_ids: Iterable[int] = (), allocation_ids: Iterable[int] = (),
                       reason: str = "", label: str = "") -> None:
    """Repayments and fund allocations to the recycle bin, each with its other half (an
    allocation's repayment, a repayment's allocation), or nothing: refused for a payment an
    advance made (the advance goes with its payments), for a fund the account may not spend,
    and when a case marked 已化解 would be left with wages unpaid. One transaction."""
    with store.tx(reason, label=label):
        rids, aids = paired(store, repayment_ids, allocation_ids, live=True)
        allocs = [dict(r) for r in store.query(
            "SELECT a.id, a.amount_fen, f.id AS fid, f.fund_no, f.workstream_id, c.case_no, "
            "v.advance_no FROM fund_allocation a LEFT JOIN fund f ON f.id = a.fund_id "
            "LEFT JOIN case_record c ON c.id = a.case_id "
            "LEFT JOIN advance v ON v.id = a.advance_id AND v.deleted_at IS NULL "
            f"WHERE a.deleted_at IS NULL AND a.id IN ({_marks(aids)}) ORDER BY a.id", sorted(aids))]
        pays = [dict(r) for r in store.query(
            f"SELECT id, case_id, amount_fen, paid_on FROM repayment WHERE deleted_at IS NULL "
            f"AND id IN ({_marks(rids)}) ORDER BY id", sorted(rids))]
        for a in allocs:
            if a["advance_no"]:
                raise ValidationError([("advance_id", f"资金分配 #{a['id']}（{a['fund_no']} → {a['case_no']}，"
                                                      f"{_y(a['amount_fen'])} 元）是垫付 {a['advance_no']} 的兑付，"
                                                      f"不能单独撤销：{ADVANCE_HINT}")])
        by_deposit = deposit_advances(store, [p["id"] for p in pays])
        for p in pays:
            if p["id"] in by_deposit:
                raise ValidationError([("advance_id", f"兑付记录（{p['paid_on']}，{_y(p['amount_fen'])} 元）是垫付 "
                                                      f"{by_deposit[p['id']]} 的兑付，不能单独撤销：{ADVANCE_HINT}")])
        seen: set[int] = set()
        for a in allocs:
            if a["fid"] is not None and a["fid"] not in seen:
                seen.add(a["fid"])
                may_spend(store, {"id": a["fid"], "fund_no": a["fund_no"], "workstream_id": a["workstream_id"]},
                          "撤销分配")
        refuse_reopening(store, pays)
        stamp = now_text()
        for a in allocs:
            store.execute("UPDATE fund_allocation SET deleted_at = ? WHERE id = ?", (stamp, a["id"]))
        if pays:
            ids = [p["id"] for p in pays]
            with effects.tracking(store.conn, "repayment", ids):
                for rid in ids:
                    store.execute("UPDATE repayment SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                                  (stamp, rid))


def paired(store: Store, repayment_ids: Iterable[int], allocation_ids: Iterable[int], *,
           live: bool) -> tuple[set[int], set[int]]:
    """The repayments and allocations given, each with its other half (an allocation's repayment,
    a repayment's allocations), among the live ones or (``live`` False) those in the bin."""
    rids, aids = {int(i) for i in repayment_ids}, {int(i) for i in allocation_ids}
    where = "deleted_at IS NULL" if live else "deleted_at IS NOT NULL"
    for _ in range(2):
        for r in store.query(f"SELECT id, repayment_id FROM fund_allocation WHERE {where} AND "
                             f"(repayment_id IN ({_marks(rids)}) OR id IN ({_marks(aids)}))", [*rids, *aids]):
            aids.add(r["id"])
            if r["repayment_id"]:
                rids.add(r["repayment_id"])
    return rids, aids


def refuse_reopening(store: Store, pays: list[dict]) -> None:
    """A case marked 已化解 has nothing unpaid: taking a payment back from it (``pays``: the live
    repayments taken, with case_id and amount_fen) is refused until the case is reopened, so its
    status and its amounts never disagree."""
    taken: dict[int, int] = {}
    for p in pays:
        taken[p["case_id"]] = taken.get(p["case_id"], 0) + int(p["amount_fen"])
    cases = [c for c in taken if c is not None]
    for c in store.query(f"SELECT id, case_no FROM case_record WHERE status = '已化解' AND deleted_at IS NULL "
                         f"AND id IN ({_marks(cases)}) ORDER BY id", cases):
        raise ValidationError([("status", f"问题 {c['case_no']} 已化解，撤销 {_y(taken[c['id']])} 元兑付后将有工资未付；"
                                          "如确需撤销，请先把该问题的状态改回“化解中”")])


# -- what holds a record in place ------------------------------------------------------------------

def _allocation_list(rows: list) -> str:
    shown = "、".join(f"#{r['id']}" for r in rows[:5])
    return shown + (f" 等 {len(rows)} 笔" if len(rows) > 5 else "")


def fund_ties(store: Store, fund_id: int, *, with_assets: bool = True,
              then: str = "再把资金移入回收站") -> list[tuple[str, str]]:
    """Why a fund may not go to the recycle bin: money it has paid to cases (allocations, advances)
    and, with ``with_assets``, an asset item not in the bin whose income formed it. ``then``: what
    the person does once the ties are undone."""
    f = store.one("SELECT fund_no FROM fund WHERE id = ?", (fund_id,))
    if f is None:
        return []
    no, out = f["fund_no"], []
    plain = store.query("SELECT id, amount_fen FROM fund_allocation WHERE fund_id = ? AND deleted_at IS NULL "
                        "AND (advance_id IS NULL OR advance_id NOT IN (SELECT id FROM advance WHERE deleted_at IS NULL)) "
                        "ORDER BY id", (fund_id,))
    if plain:
        out.append(("fund_id", f"资金 {no} 已分配兑付 {len(plain)} 笔共 {_y(sum(r['amount_fen'] for r in plain))} 元"
                               f"（分配 {_allocation_list(plain)}），请先撤销这些分配（{CANCEL_HINT}），{then}"))
    adv = [r["advance_no"] for r in store.query(
        "SELECT advance_no FROM advance WHERE fund_id = ? AND deleted_at IS NULL ORDER BY id", (fund_id,))]
    if adv:
        out.append(("fund_id", f"资金 {no} 为垫付 {'、'.join(adv)} 的资金来源，请先将垫付移入回收站，{then}"))
    if with_assets:
        items = [f"{r['item_no']}（{r['name']}）" for r in store.query(
            "SELECT item_no, name FROM asset_item WHERE fund_id = ? AND deleted_at IS NULL ORDER BY id", (fund_id,))]
        if items:
            out.append(("fund_id", f"资金 {no} 由资产事项 {'、'.join(items)} 的收入形成，请把该事项移入回收站"
                                   "（所形成的资金随之移入）"))
    return out


def case_ties(store: Store, case_id: int) -> list[tuple[str, str]]:
    """Why a case may not go to the recycle bin: money paid to it from funds or by advances."""
    c = store.one("SELECT case_no FROM case_record WHERE id = ?", (case_id,))
    if c is None:
        return []
    no, out = c["case_no"], []
    plain = store.query("SELECT a.id, a.amount_fen, f.fund_no FROM fund_allocation a LEFT JOIN fund f ON f.id = a.fund_id "
                        "WHERE a.case_id = ? AND a.deleted_at IS NULL AND (a.advance_id IS NULL OR a.advance_id NOT IN "
                        "(SELECT id FROM advance WHERE deleted_at IS NULL)) ORDER BY a.id", (case_id,))
    if plain:
        nos = "、".join(dict.fromkeys(r["fund_no"] or "?" for r in plain))
        out.append(("case_id", f"问题 {no} 已由清欠资金 {nos} 分配兑付 {len(plain)} 笔共 "
                               f"{_y(sum(r['amount_fen'] for r in plain))} 元（分配 {_allocation_list(plain)}），"
                               f"请先撤销这些分配（{CANCEL_HINT}），再把问题移入回收站"))
    adv = [r["advance_no"] for r in store.query(
        "SELECT advance_no FROM advance WHERE case_id = ? AND deleted_at IS NULL ORDER BY id", (case_id,))]
    if adv:
        out.append(("case_id", f"问题 {no} 有垫付 {'、'.join(adv)}，请先将垫付移入回收站，再把问题移入回收站"))
    return out


def worker_ties(store: Store, worker_id: int) -> list[tuple[str, str]]:
    """Why a worker may not go to the recycle bin: wages paid to them from a fund or by an advance
    (the fund would keep counting money no worker on the roster received), or any repayment of
    theirs (the case would keep money paid to nobody on its roster, and fail the data check)."""
    w = store.one("SELECT name FROM worker WHERE id = ?", (worker_id,))
    if w is None:
        return []
    out = []
    allocs = [dict(r) for r in store.query(
        "SELECT a.id, a.amount_fen, f.fund_no, v.advance_no FROM fund_allocation a "
        "JOIN repayment p ON p.id = a.repayment_id AND p.deleted_at IS NULL "
        "LEFT JOIN fund f ON f.id = a.fund_id LEFT JOIN advance v ON v.id = a.advance_id AND v.deleted_at IS NULL "
        "WHERE p.worker_id = ? AND a.deleted_at IS NULL ORDER BY a.id", (worker_id,))]
    plain = [a for a in allocs if not a["advance_no"]]
    if plain:
        nos = "、".join(dict.fromkeys(a["fund_no"] or "?" for a in plain))
        out.append(("worker_id", f"农民工 {w['name']} 的工资有 {_y(sum(a['amount_fen'] for a in plain))} 元由清欠资金 "
                                 f"{nos} 分配兑付（分配 {_allocation_list(plain)}），请先撤销这些分配（{CANCEL_HINT}），"
                                 "再把该农民工移入回收站"))
    rids = [r["id"] for r in store.query("SELECT id FROM repayment WHERE worker_id = ? AND deleted_at IS NULL",
                                         (worker_id,))]
    adv = list(dict.fromkeys([a["advance_no"] for a in allocs if a["advance_no"]]
                             + list(deposit_advances(store, rids).values())))
    if adv:
        out.append(("worker_id", f"农民工 {w['name']} 的工资有垫付 {'、'.join(adv)} 的兑付，请先将垫付移入回收站，"
                                 "再把该农民工移入回收站"))
    if rids and not out:    # paid by the employer: the payment would stay on the case with nobody to show for it
        n, paid = store.one(f"SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM repayment WHERE id IN ({_marks(rids)})",
                            rids)
        out.append(("worker_id", f"农民工 {w['name']} 已有 {n} 笔兑付记录（合计 {_y(paid)} 元），请先撤销这些兑付"
                                 "（问题详情“兑付记录”中撤销兑付），再把该农民工移入回收站；如是名册录错，请直接修改"))
    return out

