"""垫付追偿台账: wages the township advanced to workers — from the emergency fund (应急周转金, a
fund of the 清欠资金台账) or from a wage deposit (工资保证金) — and the recovery of that money
from the employer, followed to the end (追偿中 → 已追回, or 核销 with its reason).

Recording an advance pays the workers: from a fund, through the fund's allocation (one
repayment per worker, each allocation keeping the advance's id); from a deposit, through
repayments of channel 工资保证金 (their ids are kept on the advance). Money recovered into an
emergency fund returns to that fund's balance (models.ledgers.funds: 余额 = 到位 + 追回 − 已分配).
追回金额, 尚未追回 and 追偿状态 are computed from the recoveries, never typed."""
from __future__ import annotations

import datetime as _dt

from models.checks import Finding, rule
from models.db import Store
from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register
from models.values import fen_to_yuan_text as _y
# the write service and the computed columns live in models.advances (which never imports this module)
from models.advances import last_recovered_sql, linked_paid, outstanding_sql, recovered_sql, status_sql

SOURCES = ("应急周转金", "工资保证金")
STATUSES = ("追偿中", "已追回", "核销")


def _advance_rules(row: dict) -> list[tuple[str, str]]:
    out = []
    source = row.get("source")
    if source == "应急周转金" and not row.get("fund_id"):
        out.append(("fund_id", "应急周转金垫付须选择垫付资金（清欠资金台账中的应急周转金）"))
    if source == "工资保证金" and row.get("fund_id"):
        out.append(("fund_id", "工资保证金垫付不从清欠资金中支出，垫付资金应留空"))
    if source == "工资保证金" and not (row.get("deposit_ref") or "").strip():
        out.append(("deposit_ref", "工资保证金垫付须写明动用的保证金（项目或账户）"))
    if row.get("written_off_on") and not (row.get("writeoff_reason") or "").strip():
        out.append(("writeoff_reason", "核销须写明核销原因"))
    if row.get("writeoff_reason") and not row.get("written_off_on"):
        out.append(("written_off_on", "填写了核销原因，须填写核销日期"))
    day, off = row.get("advanced_on"), row.get("written_off_on")
    if day and off and off < day:
        out.append(("written_off_on", f"核销日期 {off} 早于垫付日期 {day}"))
    return out


# the columns a clerk works by, shown first and, on a small screen (1366×768 at 125 % or 150 %),
# fitted to the window before the others (views/ledger_table.py):
# 垫付编号 垫付资金来源 追偿对象 垫付金额 尚未追回 追偿状态 追偿责任人
KEY_COLUMNS = ("advance_no", "source", "employer_id", "amount_fen", "outstanding_fen", "status",
               "responsible")

ADVANCES = register(Ledger(
    kind="advances", title="垫付追偿台账", table="advance", key=("advance_no",),
    order_by="advanced_on DESC, id DESC", workstream_field="workstream_id", label_field="advance_no",
    fields=(
        F("advance_no", "垫付编号", required=True, width=9, search=True, synonyms=("编号", "序号编号")),
        F("source", "垫付资金来源", "choice", choices=SOURCES, required=True, width=8, filter=True,
          synonyms=("资金来源", "垫付来源", "垫付渠道")),
        F("fund_id", "垫付资金", "ref", ref_table="fund", ref_label="fund_no", width=9,
          synonyms=("资金编号", "应急周转金编号")),
        F("deposit_ref", "动用保证金", width=14, search=True, in_table=False,
          synonyms=("保证金账户", "保证金项目", "工资保证金")),
        F("case_id", "欠薪问题", "ref", ref_table="case_record", ref_label="case_no", required=True, width=12,
          synonyms=("问题编号", "关联问题")),
        F("employer_id", "追偿对象", "ref", ref_table="employer", ref_label="name", width=16, search=True,
          synonyms=("用人单位", "欠薪单位", "被追偿单位")),
        F("amount_fen", "垫付金额", "money", required=True, min_value=1, width=10, sum=True,
          synonyms=("金额", "垫付资金金额")),
        F("advanced_on", "垫付日期", "date", required=True, width=8, filter=True, synonyms=("日期", "支付日期")),
        F("workers_paid", "垫付人数", "int", editable=False, in_form=False, width=5, sum=True,
          help="按兑付记录计算"),
        F("recovered_fen", "已追回", "money", stored=False, editable=False, width=10, sum=True, expr=recovered_sql),
        F("outstanding_fen", "尚未追回", "money", stored=False, editable=False, width=10, sum=True,
          expr=outstanding_sql, min_value=None),
        F("status", "追偿状态", "choice", choices=STATUSES, stored=False, editable=False, width=6, filter=True,
          expr=status_sql),
        F("last_recovered_on", "最近追回日期", "date", stored=False, editable=False, width=8,
          expr=last_recovered_sql, in_table=False),
        F("responsible", "追偿责任人", width=7, synonyms=("责任人", "包案责任人")),
        F("workstream_id", "责任专班", "ref", ref_table="workstream", width=11, in_table=False, synonyms=("专班",)),
        F("written_off_on", "核销日期", "date", width=8, in_table=False),
        F("writeoff_reason", "核销原因", "longtext", width=16, in_table=False, synonyms=("核销说明",)),
        F("repayment_ids", "兑付记录", editable=False, in_table=False, in_form=False, export=False, printed=False),
        F("notes", "备注", "longtext", width=12, in_table=False),
    ),
    row_rules=(_advance_rules,),
    # an advance pays workers when it is recorded (models.advances), so a file of past advances
    # would pay them twice: advances are entered one by one, never imported
    extra={"key_columns": KEY_COLUMNS, "page": True, "page_order": 31, "page_title": "垫付追偿台账", "import": False,
           # said before the person confirms (views.generic_ledger_page.recycle): the money goes too
           "recycle_note": "垫付所作的兑付和清欠资金分配一并移入回收站，农民工已付、已兑付相应减少，资金余额相应增加。"},
))


RECOVERIES = register(Ledger(
    kind="advance_recoveries", title="垫付资金追回明细", table="advance_recovery",
    key=("uuid",), order_by="recovered_on DESC, id DESC", parent="advance_id", label_field="recovered_on",
    fields=(
        F("advance_id", "垫付编号", "ref", ref_table="advance", ref_label="advance_no", required=True, width=10,
          in_form=False, synonyms=("编号",)),
        F("recovered_on", "追回日期", "date", required=True, width=9, synonyms=("日期", "到账日期")),
        F("amount_fen", "追回金额", "money", required=True, min_value=1, width=11, sum=True,
          synonyms=("金额", "收回金额")),
        F("payer", "缴回单位", width=14, synonyms=("付款单位", "追偿对象")),
        F("voucher_no", "凭证号", width=10, synonyms=("收款凭证号", "票据号")),
        F("notes", "备注", width=16),
    ),
    extra={"import": False},
))


@rule("advances_reconcile", "垫付与资金分配、兑付记录、追回金额相符",
      reads=("advance", "advance_recovery", "fund", "fund_allocation", "repayment"))
def _advances_reconcile(store: Store, today: _dt.date):
    for r in store.query(
            "SELECT a.*, f.channel, f.fund_no, f.deleted_at AS fund_gone, "
            "(SELECT COALESCE(SUM(x.amount_fen), 0) FROM advance_recovery x WHERE x.advance_id = a.id "
            " AND x.deleted_at IS NULL) AS recovered, "
            "(SELECT MIN(x.recovered_on) FROM advance_recovery x WHERE x.advance_id = a.id "
            " AND x.deleted_at IS NULL) AS first_back "
            "FROM advance a LEFT JOIN fund f ON f.id = a.fund_id WHERE a.deleted_at IS NULL"):
        label = r["advance_no"]
        for _name, message in _advance_rules(dict(r)):
            yield Finding("advances_reconcile", "advance", r["id"], label, message)
        paid = linked_paid(store, dict(r))
        if paid != r["amount_fen"]:
            what = (f"资金 {r['fund_no']} 为本笔垫付的分配合计" if r["source"] == "应急周转金"
                    else "本笔垫付登记的工资保证金兑付合计")
            yield Finding("advances_reconcile", "advance", r["id"], label,
                          f"{what} {_y(paid)} 元，与垫付金额 {_y(r['amount_fen'])} 元不符")
        if r["source"] == "应急周转金" and r["fund_id"] and r["fund_gone"] is None and r["channel"] != "应急周转金":
            yield Finding("advances_reconcile", "advance", r["id"], label,
                          f"垫付资金 {r['fund_no']} 的筹措渠道为“{r['channel']}”，不是应急周转金")
        if r["recovered"] > r["amount_fen"]:
            yield Finding("advances_reconcile", "advance", r["id"], label,
                          f"已追回 {_y(r['recovered'])} 元，超过垫付金额 {_y(r['amount_fen'])} 元")
        if r["first_back"] and r["first_back"] < r["advanced_on"]:
            yield Finding("advances_reconcile", "advance", r["id"], label,
                          f"追回日期 {r['first_back']} 早于垫付日期 {r['advanced_on']}")
    # a fund allocation made for an advance that is no longer there pays on paper only
    for r in store.query(
            "SELECT al.id, f.fund_no, a.advance_no FROM fund_allocation al JOIN fund f ON f.id = al.fund_id "
            "JOIN advance a ON a.id = al.advance_id WHERE al.deleted_at IS NULL AND a.deleted_at IS NOT NULL"):
        yield Finding("advances_reconcile", "fund_allocation", r["id"], f"{r['fund_no']} → {r['advance_no']}",
                      f"垫付 {r['advance_no']} 已移入回收站，但资金分配仍在，资金余额与垫付不符")
    for r in store.query("SELECT id, advance_no, repayment_ids FROM advance WHERE deleted_at IS NOT NULL "
                         "AND source = '工资保证金' AND repayment_ids != ''"):
        if linked_paid(store, {"id": r["id"], "source": "工资保证金", "repayment_ids": r["repayment_ids"]}):
            yield Finding("advances_reconcile", "advance", r["id"], r["advance_no"],
                          f"垫付 {r['advance_no']} 已移入回收站，但它登记的工资保证金兑付记录仍在")

