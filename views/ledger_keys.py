"""Which columns of each declared ledger's page a clerk works by: its number or name, the party,
the money that matters, its state, who handles it and by when. The ledger table shows them first,
in this order, and on a small screen (1366×768 at 125 % or 150 %) fits them to the window before
anything else (headers and names on two lines, then names narrowed); the other columns follow to
the right. A ledger declaring its own ``extra["key_columns"]`` (欠薪问题台账) is not listed here.

Long texts (反映问题, 列入事由, 化解措施, 工作动态) are not key columns: they cannot show whole in
a row of two lines, and a key column never shows "…"; the whole text is in the record's form."""
from __future__ import annotations

KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    # 清欠资金台账: 资金编号 筹措渠道 资金来源 责任专班 计划筹措金额 到位金额 … 余额
    "funds": ("fund_no", "channel", "source", "workstream_id", "planned_fen", "received_fen", "balance_fen"),
    # 垫付追偿台账: 垫付编号 垫付资金来源 追偿对象 垫付金额 尚未追回 追偿状态 追偿责任人
    "advances": ("advance_no", "source", "employer_id", "amount_fen", "outstanding_fen", "status",
                 "responsible"),
    # 资产处置及资金筹措: 编号 类别 名称 责任专班 责任人 进度 收入/到位金额
    "assets": ("item_no", "category", "name", "workstream_id", "owner_person", "stage", "income_fen"),
    # 拖欠工程款台账: 编号 项目名称 建设单位 施工单位 拖欠工程款 下期还款日 化解情况
    "contract_arrears": ("arrear_no", "project_name", "owner_unit", "contractor", "owed_fen", "next_due",
                         "status"),
    # 排查台账: 编号 排查日期 对象类型 排查对象 整改状态 整改时限 排查人员
    "inspections": ("insp_no", "inspected_on", "target_type", "target_name", "status", "rectify_by",
                    "inspectors"),
    # 信访台账: 来访日期 来访人 人数 信访形式 涉及单位 交办专班 办理结果
    "petitions": ("visited_on", "petitioner", "people_count", "channel", "employer_name", "workstream_id",
                  "result"),
    # 失信联合惩戒名单: 单位名称 统一社会信用代码 法定代表人 列入日期 期满日期 名单状态
    "blacklist": ("employer_name", "credit_code", "legal_person", "listed_on", "removal_due", "status"),
    # 一企一策措施台账: 用人单位 责任人 完成时限 完成进度% 状态
    "employer_plans": ("employer_id", "responsible", "due_on", "progress_pct", "status"),
    # 专班目标: 专班 目标时限 确保化解件数 力争化解件数 已化解件数 确保金额 实际金额
    "targets": ("workstream_id", "due_on", "sure_cases", "strive_cases", "actual_cases", "sure_fen",
                "actual_fen"),
    # 清欠证明登记簿: 证明编号 证明种类 用人单位 项目名称 出具日期 已兑付工资 经办人
    "certificates": ("cert_no", "cert_kind", "employer_name", "project_name", "issued_on", "cleared_fen",
                     "issued_by"),
    # 日报告 / 零报告: 报告日期 专班 零报告 新增欠薪线索 新增信访 当日化解 当日兑付金额 报告人
    "daily_reports": ("report_on", "workstream_id", "is_zero", "new_cases", "new_petitions", "new_resolved",
                      "repaid_fen", "reporter"),
}


FALLBACK_KEYS = 6      # a ledger not named here: its first this many declared columns (long texts left out)


def key_columns_for(ledger) -> tuple[str, ...]:
    """The ledger's key columns: its own declaration's, else those named here, else (a ledger
    added later) its first FALLBACK_KEYS declared columns that are not long texts."""
    own = ledger.extra.get("key_columns")
    if own:
        return tuple(own)
    if ledger.kind in KEY_COLUMNS:
        return KEY_COLUMNS[ledger.kind]
    return tuple(f.name for f in ledger.table_fields if f.kind != "longtext")[:FALLBACK_KEYS]
