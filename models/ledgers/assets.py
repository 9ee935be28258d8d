"""资产 / 地块 / 产业设施 / 项目库: what the four fund-raising workstreams work on (篇五 四至七).

One ledger for all four: a category, the stage it has reached in its category's order, and
the money it brought in, linked to the 清欠资金台账 row it produced.
"""
from __future__ import annotations

import datetime as _dt

from models.checks import Finding, rule
from models.db import Store
from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register
from models.values import fen_to_yuan_text as _y

CATEGORIES = ("国有资产", "宅基地", "产业设施", "项目库")
STAGES: dict[str, tuple[str, ...]] = {
    "国有资产": ("摸底登记", "资产评估", "审批报备", "公开处置", "处置成交", "收入到账"),
    "宅基地": ("摸底登记", "土地调规", "用地手续办理", "公开出让", "收入到账"),
    "产业设施": ("摸底登记", "盘活方案", "经营运行", "收益到账"),
    "项目库": ("项目储备", "申报", "审批", "资金到位"),
}
ALL_STAGES = tuple(dict.fromkeys(s for stages in STAGES.values() for s in stages))
FINAL_STAGE = {c: s[-1] for c, s in STAGES.items()}
CATEGORY_CHANNEL = {"国有资产": "国有资产处置", "宅基地": "宅基地处置", "产业设施": "产业收益",
                    "项目库": "项目资金争取"}
CATEGORY_WORKSTREAM = {"国有资产": "国有资产处置专班", "宅基地": "宅基地处置专班", "产业设施": "产业发展专班",
                       "项目库": "项目资金及经费争取专班"}
METHODS = ("公开拍卖", "挂牌出让", "协议转让", "租赁经营", "承包经营", "上级补助", "其他")


def _stage_fits_category(row: dict) -> list[tuple[str, str]]:
    cat, stage = row.get("category"), row.get("stage")
    if cat in STAGES and stage and stage not in STAGES[cat]:
        return [("stage", f"{cat}的进度只能是：{'→'.join(STAGES[cat])}")]
    return []


def _income_needs_final_stage(row: dict) -> list[tuple[str, str]]:
    cat = row.get("category")
    if row.get("fund_id") and cat in FINAL_STAGE and row.get("stage") != FINAL_STAGE[cat]:
        return [("stage", f"已形成清欠资金的事项，进度应为“{FINAL_STAGE[cat]}”")]
    return []


def _received_le_applied(row: dict) -> list[tuple[str, str]]:
    if row.get("category") == "项目库" and (row.get("applied_fen") or 0) and \
            (row.get("income_fen") or 0) > row["applied_fen"]:
        return [("income_fen", "到位金额超过申请金额")]
    return []


# the columns a clerk works by, shown first and, on a small screen (1366×768 at 125 % or 150 %),
# fitted to the window before the others (views/ledger_table.py):
# 编号 类别 名称 责任专班 责任人 进度 收入/到位金额
KEY_COLUMNS = ("item_no", "category", "name", "workstream_id", "owner_person", "stage", "income_fen")

ASSETS = register(Ledger(
    kind="assets", title="资产处置及资金筹措台账", table="asset_item", key=("item_no",),
    order_by="workstream_id, item_no", workstream_field="workstream_id", label_field="name",
    fields=(
        F("item_no", "编号", required=True, width=6, search=True, synonyms=("序号编号", "资产编号")),
        F("category", "类别", "choice", required=True, choices=CATEGORIES, width=6, filter=True,
          synonyms=("资产类别", "类型")),
        F("name", "名称", required=True, width=19, search=True,
          synonyms=("资产名称", "地块", "地块名称", "设施", "设施名称", "项目", "项目名称")),
        F("location", "坐落位置", width=14, search=True, in_table=False, synonyms=("位置", "坐落", "地址")),
        F("workstream_id", "责任专班", "ref", ref_table="workstream", width=11, filter=True, synonyms=("专班",)),
        F("owner_person", "责任人", width=5, synonyms=("包案责任人",)),
        F("stage", "进度", "choice", choices=ALL_STAGES, width=7, filter=True, editable=False,
          synonyms=("处置进度", "用地手续进度", "办理进度", "当前阶段")),
        F("stage_on", "进度日期", "date", width=8, editable=False, synonyms=("进度更新日期",)),
        F("area", "面积", "area", width=7, synonyms=("占地面积", "地块面积", "建筑面积")),
        F("appraised_fen", "评估价值", "money", width=9, sum=True, synonyms=("评估价", "评估金额", "资产价值")),
        F("method", "处置方式", "choice", choices=METHODS, width=6, synonyms=("处置方法", "运营方式")),
        F("applied_fen", "申请金额", "money", width=9, sum=True, synonyms=("争取金额", "申报金额")),
        F("income_fen", "收入/到位金额", "money", width=10, sum=True,
          synonyms=("处置收入", "收入", "收益", "产业收益", "到位金额", "出让收入")),
        F("fund_id", "形成清欠资金", "ref", ref_table="fund", ref_label="fund_no", width=9, editable=False,
          synonyms=("资金编号", "清欠资金编号")),
        F("progress_note", "进展情况", "longtext", width=24, in_table=False, search=True,
          synonyms=("工作进展", "进度说明", "备注说明")),
        F("notes", "备注", "longtext", width=12, in_table=False),
    ),
    row_rules=(_stage_fits_category, _income_needs_final_stage, _received_le_applied),
    extra={"key_columns": KEY_COLUMNS, "page": True, "page_order": 31, "page_title": "资产处置及资金筹措",
           "blank_zero": ("area", "appraised_fen", "applied_fen", "income_fen")},
))


@rule("assets_match_funds", "资产处置收入与清欠资金到位一致", reads=("asset_item", "fund"))
def _assets_match_funds(store: Store, today: _dt.date):
    for r in store.query(
            "SELECT a.id, a.name, a.category, a.income_fen, f.fund_no, f.channel, f.deleted_at FROM asset_item a "
            "JOIN fund f ON f.id = a.fund_id WHERE a.deleted_at IS NULL"):
        if r["deleted_at"] is not None:
            yield Finding("assets_match_funds", "asset_item", r["id"], r["name"],
                          f"关联的清欠资金 {r['fund_no']} 已移入回收站")
        elif CATEGORY_CHANNEL.get(r["category"]) != r["channel"]:
            yield Finding("assets_match_funds", "asset_item", r["id"], r["name"],
                          f"{r['category']}形成的资金应为“{CATEGORY_CHANNEL.get(r['category'])}”渠道，"
                          f"资金 {r['fund_no']} 登记为“{r['channel']}”")
    for r in store.query(
            "SELECT f.id, f.fund_no, f.received_fen, SUM(a.income_fen) AS income FROM fund f "
            "JOIN asset_item a ON a.fund_id = f.id AND a.deleted_at IS NULL WHERE f.deleted_at IS NULL "
            "GROUP BY f.id HAVING income != f.received_fen"):
        yield Finding("assets_match_funds", "fund", r["id"], r["fund_no"],
                      f"到位金额 {_y(r['received_fen'])} 元与所关联事项的收入合计 {_y(r['income'])} 元不一致")
    # a live fund whose every forming item is in the bin: the fund section counts money the asset
    # section no longer holds
    for r in store.query(
            "SELECT f.id, f.fund_no, GROUP_CONCAT(a.item_no, '、') AS items FROM fund f "
            "JOIN asset_item a ON a.fund_id = f.id AND a.deleted_at IS NOT NULL WHERE f.deleted_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM asset_item b WHERE b.fund_id = f.id AND b.deleted_at IS NULL) "
            "GROUP BY f.id"):
        yield Finding("assets_match_funds", "fund", r["id"], r["fund_no"],
                      f"形成本笔资金的资产事项 {r['items']} 已移入回收站，资金仍在清欠资金台账中")
    for r in store.query("SELECT id, name, category, stage FROM asset_item WHERE deleted_at IS NULL"):
        problems = _stage_fits_category(dict(r))
        if problems:
            yield Finding("assets_match_funds", "asset_item", r["id"], r["name"], problems[0][1])
