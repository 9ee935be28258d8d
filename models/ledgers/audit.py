"""审计日志 as a read-only ledger: the audit viewer's table and its export come from here."""
from __future__ import annotations

from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register

ACTIONS = ("insert", "update", "delete", "recycle", "restore", "reveal", "bulk", "login_failed", "restore_db")
ACTION_LABELS = (("insert", "新增"), ("update", "修改"), ("delete", "删除"), ("recycle", "移入回收站"),
                 ("restore", "恢复"), ("reveal", "查看完整号码"), ("bulk", "批量写入"),
                 ("login_failed", "登录失败"), ("restore_db", "从备份恢复数据库"))
TABLE_LABELS = (("case_record", "欠薪问题"), ("worker", "农民工"), ("repayment", "兑付"), ("campaign", "专项行动"),
                ("campaign_phase", "阶段目标"), ("workstream", "工作专班"), ("workstream_member", "专班成员"),
                ("leading_group_member", "领导小组成员"), ("person", "人员"), ("setting", "设置"),
                ("account", "账号"), ("signoff", "审核签字"), ("calendar_year", "节假日安排"),
                ("verdict_option", "核处结论选项"), ("employer", "用人单位"), ("project", "工程项目"),
                ("asset_item", "资产处置及资金筹措"), ("blacklist_entry", "失信联合惩戒名单"),
                ("contract_arrear", "拖欠工程款"), ("contract_instalment", "工程款分期还款计划"),
                ("contract_payment", "工程款还款记录"),
                ("daily_report", "日报告（零报告）"), ("fund", "清欠资金"), ("fund_allocation", "清欠资金分配"),
                ("inspection", "排查台账"), ("meeting", "周调度会议"), ("meeting_report", "专班汇报"),
                ("action_item", "交办事项"), ("petition", "信访"), ("case_status_log", "问题状态变更"),
                ("exchange_township", "县级汇总乡镇"), ("directive", "督办事项"),
                ("directive_target", "督办对象"), ("directive_progress", "督办进展"),
                ("directive_received", "收到的督办事项"), ("audit_log", "审计日志"))

AUDIT = register(Ledger(
    kind="audit", title="审计日志", table="audit_log", managed=False, soft_delete=False,
    order_by="id DESC", label_field="id",
    # models.audit keeps the numbers in 修改前 / 修改后 masked and never copies a password hash
    extra={"import": False, "read_only": True,
           "privacy_note": "说明：本表“修改前”“修改后”中的身份证号码、银行卡号、联系电话均已部分遮蔽（****），"
                           "不含完整号码，也不含密码。"},
    fields=(
        F("at", "时间", width=17, filter=True, editable=False),
        F("user", "操作人", width=8, filter=True, search=True, editable=False),
        F("table_name", "数据表", width=12, filter=True, search=True, editable=False, value_labels=TABLE_LABELS),
        F("record_id", "记录号", "int", width=7, editable=False, min_value=None),
        F("action", "操作", "choice", choices=ACTIONS, width=9, filter=True, editable=False,
          value_labels=ACTION_LABELS),
        F("reason", "理由", width=16, search=True, editable=False),
        F("before", "修改前", "longtext", width=40, editable=False),
        F("after", "修改后", "longtext", width=40, editable=False),
    ),
))
