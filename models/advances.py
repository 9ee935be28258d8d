"""垫付追偿: recording an advance pays the workers it is for (from an emergency fund through the
fund's allocation, from a wage deposit through repayments of channel 工资保证金), and its recovery
from the employer is followed instalment by instalment until 已追回, or written off (核销).
Each operation is one transaction; the ledgers are models.ledgers.advances."""
from __future__ import annotations

import datetime as _dt
from typing import Sequence

from models.case_workers import restore_payments, unpaid_shares
from models.db import Store, now_text
from models.ledger import effects
from models.ledger.repo import ValidationError, next_number
from models.ledger.service import LedgerService, service, service_for
from models.money_ties import refuse_reopening
from models.values import fen_to_yuan_text as _y

# what an advance pays with, fixed once the workers are paid
PAID_FIELDS = ("source", "fund_id", "deposit_ref", "case_id", "amount_fen", "advanced_on")


def recovered_sql(t: str = "t") -> str:
    return (f"(SELECT COALESCE(SUM(r.amount_fen), 0) FROM advance_recovery r "
            f"WHERE r.advance_id = {t}.id AND r.deleted_at IS NULL)")


def outstanding_sql(t: str = "t") -> str:
    """尚未追回: nothing once written off."""
    return (f"CASE WHEN {t}.written_off_on IS NOT NULL AND {t}.written_off_on != '' THEN 0 "
            f"ELSE {t}.amount_fen - {recovered_sql(t)} END")


def status_sql(t: str = "t") -> str:
    return (f"CASE WHEN {t}.written_off_on IS NOT NULL AND {t}.written_off_on != '' THEN '核销' "
            f"WHEN {recovered_sql(t)} >= {t}.amount_fen THEN '已追回' ELSE '追偿中' END")


def last_recovered_sql(t: str = "t") -> str:
    return (f"(SELECT MAX(r.recovered_on) FROM advance_recovery r WHERE r.advance_id = {t}.id "
            "AND r.deleted_at IS NULL)")


def next_advance_no(store: Store, day: _dt.date) -> str:
    return next_number(store, "advance", "advance_no", f"DF{day.year}-")


def _ids(text: str | None) -> list[int]:
    return [int(p) for p in (text or "").split(",") if p.strip().isdigit()]


def linked_paid(store: Store, row: dict) -> int:
    """What the workers were paid for an advance: its live fund allocations, or (from a deposit)
    its live repayments."""
    if row.get("source") == "应急周转金":
        return int(store.scalar("SELECT COALESCE(SUM(amount_fen), 0) FROM fund_allocation "
                                "WHERE advance_id = ? AND deleted_at IS NULL", (row["id"],), 0))
    ids = _ids(row.get("repayment_ids"))
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    return int(store.scalar(f"SELECT COALESCE(SUM(amount_fen), 0) FROM repayment WHERE id IN ({marks}) "
                            "AND deleted_at IS NULL", ids, 0))


def _worker_shares(store: Store, case_id: int, amount_fen: int) -> list[tuple[int | None, int]]:
    """The case's workers with wages unpaid, each paid up to what they are owed; the case itself
    when none is."""
    return unpaid_shares(store, case_id, amount_fen) or [(None, amount_fen)]


def employer_of_case(store: Store, case_id: int) -> int | None:
    row = store.one("SELECT c.employer_id, (SELECT e.id FROM employer e WHERE e.name = c.employer_name) AS by_name "
                    "FROM case_record c WHERE c.id = ?", (case_id,))
    return None if row is None else (row["employer_id"] or row["by_name"])


def _not_ahead(today: _dt.date, day, field: str, what: str) -> list[tuple[str, str]]:
    """An advance, a recovery and a write-off are entered after the day they happened: a date
    after today is a slip of the keyboard and would count in figures of days still to come."""
    if isinstance(day, str) and day[:10] > today.isoformat():
        return [(field, f"{what} {day[:10]} 在今天（{today.isoformat()}）之后")]
    return []


def _case_problems(case, amount: int, day: str | None) -> list[tuple[str, str]]:
    """The case an advance pays (a row of case_record or None): there, owing wages (not verified
    不存在欠薪, whose money no wage figure counts), at least ``amount`` still unpaid, and
    registered on or before the advance's day (when ``day`` is given)."""
    if case is None:
        return [("case_id", "该欠薪问题不存在或已移入回收站")]
    out = []
    if case["status"] == "不存在欠薪":
        out.append(("case_id", f"欠薪问题 {case['case_no']} 已核实为不存在欠薪，不能垫付"))
    elif amount > case["outstanding"]:
        out.append(("amount_fen", f"垫付金额 {_y(amount)} 元超过问题 {case['case_no']} 尚未支付的 "
                                  f"{_y(case['outstanding'])} 元"))
    if day and case["registered_on"] and str(day)[:10] < case["registered_on"]:
        out.append(("advanced_on", f"垫付日期 {str(day)[:10]} 早于问题 {case['case_no']} 的登记日期 "
                                   f"{case['registered_on']}"))
    return out


def workers_paid(store: Store, repayment_ids: Sequence[int | None]) -> int:
    """垫付人数: the listed workers the advance's repayments paid, counted as every 兑付人数 is
    (distinct workers; a payment to a case that lists no workers names no one), whether the
    money came from a fund or a deposit."""
    ids = [int(i) for i in repayment_ids if i]
    if not ids:
        return 0
    return int(store.scalar(f"SELECT COUNT(DISTINCT worker_id) FROM repayment WHERE id IN ({','.join('?' * len(ids))})",
                            ids, 0))


@service("advances")
class AdvanceService(LedgerService):
    """A new advance is numbered, takes its case's employer and workstream, and pays the workers
    in the same transaction; what it paid is never edited afterwards (recycle it and record it
    again); recycling it takes back its allocations and repayments too."""

    def defaults(self) -> dict:
        return {"advance_no": next_advance_no(self.store, self.today), "source": "应急周转金",
                "advanced_on": self.today.isoformat()}

    def prepare_new(self, rows: list[dict]) -> None:
        for v in rows:
            if not v.get("advance_no"):
                v["advance_no"] = next_advance_no(self.store, self.today)
            if v.get("case_id"):
                c = self.store.one("SELECT workstream_id FROM case_record WHERE id = ?", (v["case_id"],))
                if not v.get("employer_id"):
                    v["employer_id"] = employer_of_case(self.store, v["case_id"])
                if not v.get("workstream_id") and c is not None:
                    v["workstream_id"] = c["workstream_id"]

    def check_new(self, row: dict) -> list[tuple[str, str]]:
        amount = int(row.get("amount_fen") or 0)
        day = row.get("advanced_on")
        out = _not_ahead(self.today, day, "advanced_on", "垫付日期")
        case = self.store.one("SELECT case_no, status, registered_on, total_owed_fen - total_paid_fen AS outstanding "
                              "FROM case_record WHERE id = ? AND deleted_at IS NULL", (row.get("case_id"),))
        out += _case_problems(case, amount, day)
        if row.get("source") == "应急周转金" and row.get("fund_id"):
            from models import funds
            f = self.store.one("SELECT fund_no, channel FROM fund WHERE id = ? AND deleted_at IS NULL",
                               (row["fund_id"],))
            if f is None:
                out.append(("fund_id", "该笔清欠资金不存在或已移入回收站"))
            elif f["channel"] != "应急周转金":
                out.append(("fund_id", f"资金 {f['fund_no']} 的筹措渠道为“{f['channel']}”，垫付须动用应急周转金"))
            elif amount > (left := funds.balance(self.store, row["fund_id"])):
                out.append(("amount_fen", f"垫付金额 {_y(amount)} 元超过应急周转金 {f['fund_no']} 的余额 {_y(left)} 元"))
        return out

    def after_insert(self, ids: Sequence[int]) -> None:
        from models import funds
        from models.case_workers import record_repayment
        for aid in ids:
            a = self.store.one("SELECT * FROM advance WHERE id = ?", (aid,))
            note = f"垫付 {a['advance_no']}（{a['source']}），向用人单位追偿"
            if a["source"] == "应急周转金":
                alloc = funds.allocate(self.store, a["fund_id"], a["case_id"], a["amount_fen"], a["advanced_on"],
                                       notes=note, advance_id=aid)
                paid = [r["repayment_id"] for r in self.store.query(
                    f"SELECT repayment_id FROM fund_allocation WHERE id IN ({','.join('?' * len(alloc))})", alloc)]
                self.store.execute("UPDATE advance SET workers_paid = ? WHERE id = ?",
                                   (workers_paid(self.store, paid), aid))
            else:
                rids = []
                for wid, part in _worker_shares(self.store, a["case_id"], a["amount_fen"]):
                    rids.append(record_repayment(self.store, a["case_id"], {
                        "worker_id": wid, "amount_fen": part, "paid_on": a["advanced_on"], "channel": "工资保证金",
                        "payer": a["deposit_ref"] or "工资保证金", "voucher_no": a["advance_no"], "notes": note}))
                self.store.execute("UPDATE advance SET workers_paid = ?, repayment_ids = ? WHERE id = ?",
                                   (workers_paid(self.store, rids), ",".join(map(str, rids)), aid))

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        out = [(name, "垫付已兑付给农民工，垫付资金、问题、金额和日期不能修改；如登记有误，请移入回收站后重新登记")
               for name in changes if name in PAID_FIELDS]
        if changes.get("written_off_on"):
            out += self._write_off_problems(record_id, {**current, **changes})
        return out

    def _write_off_problems(self, record_id: int, row: dict) -> list[tuple[str, str]]:
        """核销 gives up what is still to recover on a day already come, after the last recovery
        (a recovery after it would be money taken on an advance written off)."""
        day = str(row["written_off_on"])[:10]
        out = _not_ahead(self.today, day, "written_off_on", "核销日期")
        got = self.store.one("SELECT MAX(recovered_on) AS last, COALESCE(SUM(amount_fen), 0) AS back "
                             "FROM advance_recovery WHERE advance_id = ? AND deleted_at IS NULL", (record_id,))
        if got["last"] and day < got["last"]:
            out.append(("written_off_on", f"核销日期 {day} 早于垫付 {row['advance_no']} 最近一次追回日期 {got['last']}"))
        if got["back"] >= int(row["amount_fen"]):
            out.append(("written_off_on", f"垫付 {row['advance_no']} 已全部追回，无需核销"))
        return out

    def recycle(self, record_ids: Sequence[int], reason: str = "") -> None:
        """The advance, its fund allocations and the repayments they made go to the recycle bin
        together (the fund's balance and the workers' paid amounts return to what they were)."""
        with self.store.tx(reason, label="垫付移入回收站"):
            stamp = now_text()
            for aid in record_ids:
                a = self.store.one("SELECT repayment_ids FROM advance WHERE id = ? AND deleted_at IS NULL", (aid,))
                if a is None:
                    continue
                rids = _ids(a["repayment_ids"]) + [r["repayment_id"] for r in self.store.query(
                    "SELECT repayment_id FROM fund_allocation WHERE advance_id = ? AND deleted_at IS NULL", (aid,))
                    if r["repayment_id"]]
                pays = [dict(r) for r in self.store.query(
                    f"SELECT case_id, amount_fen FROM repayment WHERE deleted_at IS NULL "
                    f"AND id IN ({','.join('?' * len(rids)) or 'NULL'})", rids)]
                refuse_reopening(self.store, pays)      # an 已化解 case would have wages unpaid
                self.store.execute("UPDATE fund_allocation SET deleted_at = ? WHERE advance_id = ? "
                                   "AND deleted_at IS NULL", (stamp, aid))
                with effects.tracking(self.store.conn, "repayment", rids):
                    for rid in rids:
                        self.store.execute("UPDATE repayment SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                                           (stamp, rid))
                self.store.execute("UPDATE advance SET deleted_at = ? WHERE id = ?", (stamp, aid))

    def restore(self, record_ids: Sequence[int], reason: str = "") -> None:
        """Back from the recycle bin with the allocations and repayments that went with it, held
        to the rules of a new advance and of the payments it makes — or nothing: refused when its
        case or fund is in the bin, when the case has since been verified 不存在欠薪 or paid (a
        worker paid since would be overpaid), or when the fund has since spent the money
        elsewhere (``models.case_workers.restore_payments`` re-checks each allocation and
        repayment; the advance comes back first, so that what was recovered for it counts in
        its fund's balance again)."""
        with self.store.tx(reason, label="垫付从回收站恢复"):
            for aid in record_ids:
                a = self.store.one("SELECT a.*, f.fund_no, f.deleted_at AS fund_gone FROM advance a "
                                   "LEFT JOIN fund f ON f.id = a.fund_id WHERE a.id = ? AND a.deleted_at IS NOT NULL",
                                   (aid,))
                if a is None:
                    continue
                no, stamp = a["advance_no"], a["deleted_at"]
                case = self.store.one("SELECT case_no, status, registered_on, deleted_at, "
                                      "total_owed_fen - total_paid_fen AS outstanding FROM case_record WHERE id = ?",
                                      (a["case_id"],))
                if case is not None and case["deleted_at"]:
                    raise ValidationError([("case_id", f"垫付 {no} 的问题 {case['case_no']} 已移入回收站，"
                                                       "请先恢复该问题")], self.ledger)
                if a["source"] == "应急周转金" and a["fund_gone"]:
                    raise ValidationError([("fund_id", f"垫付 {no} 动用的清欠资金 {a['fund_no']} 已移入回收站，"
                                                       "请先恢复该笔资金")], self.ledger)
                problems = _case_problems(case, a["amount_fen"], None)
                if problems:
                    raise ValidationError([(f, f"垫付 {no} 不能恢复：{m}") for f, m in problems])
                aids = [r["id"] for r in self.store.query(
                    "SELECT id FROM fund_allocation WHERE advance_id = ? AND deleted_at = ?", (aid, stamp))]
                made = _ids(a["repayment_ids"])
                rids = [r["id"] for r in self.store.query(
                    f"SELECT id FROM repayment WHERE deleted_at = ? AND id IN ({','.join('?' * len(made)) or 'NULL'})",
                    (stamp, *made))]
                self.store.execute("UPDATE advance SET deleted_at = NULL WHERE id = ?", (aid,))
                try:
                    restore_payments(self.store, repayment_ids=rids, allocation_ids=aids, reason=reason,
                                     today=self.today)
                except ValidationError as exc:
                    raise ValidationError([(f, f"垫付 {no} 不能恢复：{m}") for f, m in exc.problems]) from exc


@service("advance_recoveries")
class RecoveryService(LedgerService):
    """A recovery never exceeds what is still to recover, never precedes the advance and is not
    taken on an advance written off; the payer defaults to the employer pursued."""

    def prepare_new(self, rows: list[dict]) -> None:
        for v in rows:
            if not v.get("payer") and v.get("advance_id"):
                v["payer"] = self.store.scalar("SELECT e.name FROM advance a JOIN employer e ON e.id = a.employer_id "
                                               "WHERE a.id = ?", (v["advance_id"],), "") or ""

    def check_new(self, row: dict) -> list[tuple[str, str]]:
        a = self.store.one(f"SELECT advance_no, advanced_on, written_off_on, {outstanding_sql('a')} AS left "
                           "FROM advance a WHERE a.id = ? AND a.deleted_at IS NULL", (row.get("advance_id"),))
        if a is None:
            return [("advance_id", "该笔垫付不存在或已移入回收站")]
        if a["written_off_on"]:
            return [("advance_id", f"垫付 {a['advance_no']} 已于 {a['written_off_on']} 核销，不能再登记追回")]
        out = _not_ahead(self.today, row.get("recovered_on"), "recovered_on", "追回日期")
        amount = int(row.get("amount_fen") or 0)
        if amount > a["left"]:
            out.append(("amount_fen", f"追回金额 {_y(amount)} 元超过垫付 {a['advance_no']} 尚未追回的 {_y(a['left'])} 元"))
        if row.get("recovered_on") and row["recovered_on"] < a["advanced_on"]:
            out.append(("recovered_on", f"追回日期 {row['recovered_on']} 早于垫付日期 {a['advanced_on']}"))
        return out

    def check_change(self, record_id: int, current: dict, changes: dict) -> list[tuple[str, str]]:
        if not {"amount_fen", "recovered_on", "advance_id"} & set(changes):
            return []
        merged = {**current, **changes}
        moved = merged["advance_id"] != current["advance_id"]
        extra = int(merged["amount_fen"]) - (0 if moved else int(current["amount_fen"]))
        if extra > 0:                   # what it adds is held to the rules of a new recovery
            problems = self.check_new({**merged, "amount_fen": extra})
        else:
            problems = _not_ahead(self.today, merged.get("recovered_on"), "recovered_on", "追回日期")
            day = self.store.scalar("SELECT advanced_on FROM advance WHERE id = ?", (merged["advance_id"],))
            if merged.get("recovered_on") and day and merged["recovered_on"] < day:
                problems.append(("recovered_on", f"追回日期 {merged['recovered_on']} 早于垫付日期 {day}"))
        taken = int(current["amount_fen"]) if moved else max(-extra, 0)
        if taken:                       # what it takes back from the fund the money went to
            problems += self._fund_keeps([(current["advance_id"], taken)], "改小本笔追回")
        return problems

    def _fund_keeps(self, taken: list[tuple[int, int]], what: str) -> list[tuple[str, str]]:
        """Money recovered for an advance from an emergency fund went back to that fund's balance
        and may since have been allocated again: taking the recovery away (to the bin, or made
        smaller) is refused when the fund's balance would go below zero."""
        from models import funds
        need: dict[int, int] = {}
        for advance_id, amount in taken:
            fid = self.store.scalar("SELECT fund_id FROM advance WHERE id = ? AND deleted_at IS NULL "
                                    "AND source = '应急周转金'", (advance_id,))
            if fid:
                need[fid] = need.get(fid, 0) + amount
        out = []
        for fid, amount in need.items():
            left = funds.balance(self.store, fid)
            if amount > left:
                no = self.store.scalar("SELECT fund_no FROM fund WHERE id = ?", (fid,))
                out.append(("amount_fen", f"追回的 {_y(amount)} 元已回到资金 {no}，该笔资金余额仅 {_y(left)} 元"
                                          f"（追回后已另行分配），{what}将使其余额为负，不能办理"))
        return out

    def recycle(self, record_ids: Sequence[int], reason: str = "") -> None:
        """To the recycle bin — refused, nothing written, when the fund it went back to has
        since spent the money (``_fund_keeps``)."""
        with self.store.tx(reason, label="追回移入回收站"):
            ids = [int(i) for i in record_ids]
            rows = self.store.query(f"SELECT advance_id, amount_fen FROM advance_recovery WHERE deleted_at IS NULL "
                                    f"AND id IN ({','.join('?' * len(ids)) or 'NULL'})", ids)
            problems = self._fund_keeps([(r["advance_id"], r["amount_fen"]) for r in rows], "移入回收站")
            if problems:
                raise ValidationError(problems, self.ledger)
            self.repo.recycle(ids)          # the reason given above, with the label

    def restore(self, record_ids: Sequence[int], reason: str = "") -> None:
        """Back from the recycle bin held to the rules of a new recovery, one after another —
        or nothing: never above what is still to recover (counting a recovery entered since),
        never on an advance written off or in the bin, never before the advance."""
        with self.store.tx(reason, label="追回从回收站恢复"):
            for rid in record_ids:
                row = self.store.one("SELECT * FROM advance_recovery WHERE id = ? AND deleted_at IS NOT NULL", (rid,))
                if row is None:
                    continue
                row = dict(row)
                problems = self.check_new(row)
                if problems:
                    raise ValidationError([(f, f"追回记录（{row['recovered_on']}，{_y(row['amount_fen'])} 元）不能恢复：{m}")
                                           for f, m in problems])
                self.repo.restore([rid])        # the reason given above, with the label


def record_advance(store: Store, values: dict, today: _dt.date | None = None, reason: str = "") -> int:
    """Record an advance and pay its workers (one transaction); refused, nothing written, beyond
    the fund's balance or the wages still owed. ``reason``: a person's 修改理由, needed when the
    case's ledger has been signed off (登记垫付 is the program's label, never one)."""
    with store.tx(reason, label="登记垫付"):
        return service_for(store, "advances", today).insert(values)


def record_recovery(store: Store, advance_id: int, amount_fen: int, on: str | _dt.date, *, payer: str = "",
                    voucher_no: str = "", notes: str = "", today: _dt.date | None = None, reason: str = "") -> int:
    """``reason``: a person's 修改理由 (a signed ledger)."""
    on = on.isoformat() if isinstance(on, _dt.date) else str(on)
    if int(amount_fen) <= 0:
        raise ValidationError([("amount_fen", "追回金额应大于零")])
    with store.tx(reason, label="登记垫付追回"):
        return service_for(store, "advance_recoveries", today).insert(
            {"advance_id": advance_id, "amount_fen": int(amount_fen), "recovered_on": on, "payer": payer,
             "voucher_no": voucher_no, "notes": notes})


def write_off(store: Store, advance_id: int, on: str | _dt.date, reason: str, today: _dt.date | None = None) -> None:
    """核销: what is still to recover is given up, with the reason (经批准核销). The 核销原因 is the
    person's own words for the change, so it is also the 修改理由 a signed ledger asks for."""
    on = on.isoformat() if isinstance(on, _dt.date) else str(on)
    if not reason.strip():
        raise ValidationError([("writeoff_reason", "核销须写明核销原因")])
    with store.tx(reason.strip(), label="垫付核销"):
        service_for(store, "advances", today).update(advance_id, {"written_off_on": on,
                                                                 "writeoff_reason": reason.strip()})


def advance_rows(store: Store, where: str = "", params: Sequence = ()) -> list[dict]:
    return [dict(r) for r in store.query(
        f"SELECT a.id, a.advance_no, a.source, a.amount_fen, a.advanced_on, a.workers_paid, a.deposit_ref, "
        f"a.written_off_on, a.writeoff_reason, a.responsible, f.fund_no, c.case_no, e.name AS employer, "
        f"{recovered_sql('a')} AS recovered_fen, {outstanding_sql('a')} AS outstanding_fen, "
        f"{status_sql('a')} AS status FROM advance a LEFT JOIN fund f ON f.id = a.fund_id "
        f"LEFT JOIN case_record c ON c.id = a.case_id LEFT JOIN employer e ON e.id = a.employer_id "
        f"WHERE a.deleted_at IS NULL {where} ORDER BY a.advanced_on, a.id", tuple(params))]


def recoveries(store: Store, advance_id: int) -> list[dict]:
    return [dict(r) for r in store.query(
        "SELECT id, recovered_on, amount_fen, payer, voucher_no, notes FROM advance_recovery "
        "WHERE advance_id = ? AND deleted_at IS NULL ORDER BY recovered_on, id", (advance_id,))]
