"""清欠资金台账: money raised to clear arrears, by channel, and its allocation to cases.

The balance is never stored: 已分配 is the sum of the live allocations and 余额 is 到位 + 追回回流 − 已分配,
computed in SQL each time, so it always reconciles. Each allocation is one repayment written
through ``models.case_workers.record_repayment`` (see ``models.funds``); the allocation keeps
that repayment's id.
"""
from __future__ import annotations

import datetime as _dt

from models.checks import CASE_NOS, Finding, rule
from models.db import Store
from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register
from models.values import fen_to_yuan_text as _y

FUND_CHANNELS = ("国有资产处置", "宅基地处置", "产业收益", "项目资金争取", "财政", "应急周转金", "其他")
# the repayment channel (models.ledgers.cases.CHANNELS) money of each fund channel is paid through
REPAYMENT_CHANNEL = {"国有资产处置": "资产处置资金", "宅基地处置": "资产处置资金", "产业收益": "产业收益资金",
                     "项目资金争取": "项目资金", "财政": "财政资金", "应急周转金": "应急周转金", "其他": "其他"}
# the workstream that raises each channel's money (篇五)
CHANNEL_WORKSTREAM = {"国有资产处置": "国有资产处置专班", "宅基地处置": "宅基地处置专班",
                      "产业收益": "产业发展专班", "项目资金争取": "项目资金及经费争取专班",
                      "财政": "项目资金及经费争取专班", "应急周转金": "欠薪化解专班", "其他": "欠薪化解专班"}

def recovered_sql(t: str = "t") -> str:
    """追回回流 of a fund row called ``t``: money recovered from employers for the live advances
    this fund paid (models.ledgers.advances), which returns to the fund."""
    return (f"(SELECT COALESCE(SUM(r.amount_fen), 0) FROM advance_recovery r JOIN advance v "
            f"ON v.id = r.advance_id WHERE v.fund_id = {t}.id AND v.deleted_at IS NULL AND r.deleted_at IS NULL)")


def allocated_sql(t: str = "t") -> str:
    """已分配金额 of a fund row called ``t``: its live allocations."""
    return (f"(SELECT COALESCE(SUM(a.amount_fen), 0) FROM fund_allocation a "
            f"WHERE a.fund_id = {t}.id AND a.deleted_at IS NULL)")


def _received_has_date(row: dict) -> list[tuple[str, str]]:
    if (row.get("received_fen") or 0) > 0 and not row.get("received_on"):
        return [("received_on", "已有到位金额，须填写到位日期")]
    return []


# the columns a clerk works by, shown first and, on a small screen (1366×768 at 125 % or 150 %),
# fitted to the window before the others (views/ledger_table.py):
# 资金编号 筹措渠道 资金来源 责任专班 计划筹措金额 到位金额 … 余额
KEY_COLUMNS = ("fund_no", "channel", "source", "workstream_id", "planned_fen", "received_fen", "balance_fen")

FUNDS = register(Ledger(
    kind="funds", title="清欠资金台账", table="fund", key=("fund_no",),
    order_by="received_on DESC, id DESC", workstream_field="workstream_id", label_field="fund_no",
    fields=(
        F("fund_no", "资金编号", required=True, width=9, search=True, synonyms=("编号", "序号编号")),
        F("channel", "筹措渠道", "choice", required=True, choices=FUND_CHANNELS, width=8, filter=True,
          synonyms=("资金渠道", "资金来源渠道", "筹资渠道", "渠道")),
        F("source", "资金来源", width=20, search=True, synonyms=("来源说明", "资金来源说明", "项目名称", "摘要")),
        F("workstream_id", "责任专班", "ref", ref_table="workstream", width=11, filter=True,
          synonyms=("筹措专班", "专班")),
        F("planned_fen", "计划筹措金额", "money", width=10, sum=True,
          synonyms=("计划金额", "计划筹措", "拟筹措金额")),
        F("received_fen", "到位金额", "money", width=10, sum=True,
          synonyms=("实际到位金额", "已到位金额", "到账金额", "筹措到位金额")),
        F("received_on", "到位日期", "date", width=9, filter=True, synonyms=("到账日期", "到位时间")),
        F("allocated_fen", "已分配金额", "money", stored=False, editable=False, width=10, sum=True,
          expr=allocated_sql, export=True),
        F("recovered_fen", "追回回流", "money", stored=False, editable=False, width=10, sum=True,
          expr=recovered_sql, synonyms=("垫付追回金额",)),   # shown: 到位 + 回流 − 已分配 = 余额 reads right
        F("balance_fen", "余额", "money", stored=False, editable=False, width=10, sum=True,
          expr=lambda t: f"{t}.received_fen + {recovered_sql(t)} - {allocated_sql(t)}", min_value=None),
        F("account", "存放账户", width=14, in_table=False, synonyms=("账户", "专户")),
        F("notes", "备注", "longtext", width=16, in_table=False, synonyms=("说明",)),
    ),
    row_rules=(_received_has_date,),
    extra={"key_columns": KEY_COLUMNS, "page": True, "page_order": 30, "page_title": "清欠资金台账"},
))


def _allocation_is_written_by_allocate(row: dict) -> list[tuple[str, str]]:
    # An allocation without its repayment would move money on paper only: allocations are made
    # with 分配资金 (models.funds.allocate), which writes both.
    if not row.get("repayment_id"):
        return [("amount_fen", "资金分配须在清欠资金台账中用“分配资金”办理，系统同时登记兑付记录，不能直接录入或导入")]
    return []


ALLOCATIONS = register(Ledger(
    kind="fund_allocations", title="清欠资金分配明细", table="fund_allocation",
    key=("uuid",), order_by="allocated_on DESC, id DESC", parent="fund_id", label_field="fund_id",
    fields=(
        F("fund_id", "资金编号", "ref", ref_table="fund", ref_label="fund_no", required=True, width=11,
          synonyms=("清欠资金编号",)),
        F("case_id", "欠薪问题", "ref", ref_table="case_record", ref_label="case_no", required=True, width=14,
          synonyms=("问题编号", "编号")),
        F("worker_id", "农民工", "ref", ref_table="worker", ref_label="name", width=8, synonyms=("姓名",)),
        F("amount_fen", "分配金额", "money", required=True, min_value=1, width=12, sum=True,
          synonyms=("金额", "兑付金额")),
        F("allocated_on", "分配日期", "date", required=True, width=10, synonyms=("兑付日期", "日期")),
        F("repayment_id", "兑付记录", "ref", ref_table="repayment", ref_label="id", editable=False,
          in_table=False, in_form=False, export=False, printed=False),
        F("advance_id", "垫付编号", "ref", ref_table="advance", ref_label="advance_no", editable=False,
          in_table=False, in_form=False, synonyms=("垫付追偿编号",)),
        F("notes", "备注", width=16),
    ),
    row_rules=(_allocation_is_written_by_allocate,),
    extra={"generic_edit": False, "import": False},
))


@rule("funds_reconcile", "清欠资金到位、分配、余额相符",
      reads=("fund", "fund_allocation", "repayment", "advance", "advance_recovery", CASE_NOS))
def _funds_reconcile(store: Store, today: _dt.date):
    for r in store.query(
            "SELECT f.id, f.fund_no, f.received_fen, COALESCE(SUM(a.amount_fen), 0) AS allocated, "
            f"MIN(a.allocated_on) AS first_on, f.received_on, {recovered_sql('f')} AS recovered FROM fund f "
            "LEFT JOIN fund_allocation a ON a.fund_id = f.id AND a.deleted_at IS NULL "
            "WHERE f.deleted_at IS NULL GROUP BY f.id"):
        if r["allocated"] > r["received_fen"] + r["recovered"]:
            back = f"加追回回流 {_y(r['recovered'])} 元" if r["recovered"] else ""
            yield Finding("funds_reconcile", "fund", r["id"], r["fund_no"],
                          f"已分配 {_y(r['allocated'])} 元，超过到位金额 {_y(r['received_fen'])} 元{back}")
        elif r["first_on"] and (not r["received_on"] or r["first_on"] < r["received_on"]):
            yield Finding("funds_reconcile", "fund", r["id"], r["fund_no"],
                          f"分配日期 {r['first_on']} 早于资金到位日期 {r['received_on'] or '（未填）'}")
    for r in store.query(
            "SELECT a.id, f.fund_no, c.case_no, a.amount_fen, a.case_id, a.worker_id, p.id AS pid, "
            "p.amount_fen AS paid, p.case_id AS pcase, p.worker_id AS pworker, p.deleted_at AS gone, "
            "f.deleted_at AS fund_gone, c.deleted_at AS case_gone "
            "FROM fund_allocation a JOIN fund f ON f.id = a.fund_id "
            "LEFT JOIN case_record c ON c.id = a.case_id LEFT JOIN repayment p ON p.id = a.repayment_id "
            "WHERE a.deleted_at IS NULL"):
        label = f"{r['fund_no']} → {r['case_no']}"
        # a fund or case in the bin: the other ledgers still count the money, this one no longer
        if r["fund_gone"] is not None:
            yield Finding("funds_reconcile", "fund_allocation", r["id"], label,
                          f"清欠资金 {r['fund_no']} 已移入回收站，但其分配 {_y(r['amount_fen'])} 元及兑付仍在，"
                          "资金台账与兑付不再相符")
        elif r["case_gone"] is not None:
            yield Finding("funds_reconcile", "fund_allocation", r["id"], label,
                          f"欠薪问题 {r['case_no']} 已移入回收站，但资金分配 {_y(r['amount_fen'])} 元仍在，"
                          "资金余额仍扣除该笔")
        elif r["pid"] is None or r["gone"] is not None:
            yield Finding("funds_reconcile", "fund_allocation", r["id"], label,
                          "资金分配对应的兑付记录已删除或移入回收站，资金余额与兑付不再相符")
        elif r["paid"] != r["amount_fen"] or r["pcase"] != r["case_id"] or r["pworker"] != r["worker_id"]:
            yield Finding("funds_reconcile", "fund_allocation", r["id"], label,
                          f"分配金额 {_y(r['amount_fen'])} 元与对应兑付记录（{_y(r['paid'])} 元）不一致")
