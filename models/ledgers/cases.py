"""欠薪问题台账: cases, the workers in them (实名) and the repayments made to them."""
from __future__ import annotations

from models.ledger.fields import Field as F, Ledger, column_rule
from models.ledger.registry import register

SOURCES = ("全国根治欠薪线索反映平台", "12345", "12333", "信访来访", "信访来信", "来电",
           "网络舆情", "排查发现", "上级交办", "其他")
INDUSTRY_TYPES = ("工程建设", "非工程建设")
REASONS = ("三无工程", "拖欠工程款", "结算纠纷", "非法转包", "使用零散工", "无故拖欠", "其他")
STATUSES = ("待核实", "化解中", "已化解", "已移送", "不存在欠薪")
# what other ledgers write for a status, where it can mean one only (已办结 may be 已化解, 已移送 or
# 不存在欠薪: it stays refused, with the choices named)
STATUS_SYNONYMS = tuple((w, s) for s, words in (
    ("待核实", ("待查", "待核查", "核实中", "核查中", "未核实", "待调查")),
    ("化解中", ("办理中", "处理中", "正在办理", "正在处理", "调解中", "协调中", "在办", "未办结", "未化解", "推进中")),
    ("已化解", ("已解决", "已兑付", "已支付", "已清偿", "已结清", "已付清", "已发放", "已全部兑付")),
    ("已移送", ("已移交", "移交司法", "已移送公安", "已移送法院", "移送司法机关")),
    ("不存在欠薪", ("不存在", "无欠薪", "不属实", "查无欠薪", "经核实不存在欠薪")),
) for w in words)
CLOSED_STATUSES = ("已化解", "已移送", "不存在欠薪")
OPEN_STATUSES = tuple(s for s in STATUSES if s not in CLOSED_STATUSES)


def closed_sql(alias: str = "t", closed: bool = True) -> str:
    """``alias.status IN (…closed…)`` (or NOT IN), written from CLOSED_STATUSES: the one list."""
    texts = ", ".join("'" + t.replace("'", "''") + "'" for t in CLOSED_STATUSES)
    return f"{alias}.status {'IN' if closed else 'NOT IN'} ({texts})"


CHANNELS = ("企业自行支付", "总包先行清偿", "建设单位垫付", "应急周转金", "资产处置资金",
            "产业收益资金", "项目资金", "财政资金", "工资保证金", "法院执行", "其他")
RESOLUTION_PATHS = ("企业自行支付", "总包先行清偿", "建设单位垫付", "应急周转金垫付",
                    "资产处置化解", "宅基地处置化解", "产业收益化解", "项目资金化解",
                    "司法途径", "劳动仲裁", "其他")


def _dates_in_order(a: str, b: str, label: str):
    def rule(row: dict) -> list[tuple[str, str]]:
        x, y = row.get(a), row.get(b)
        if x and y and x > y:
            return [(b, f"{label}：结束日期 {y} 早于开始日期 {x}")]
        return []

    def may_fire(xs: list, ys: list) -> list[int]:
        return [i for i, (x, y) in enumerate(zip(xs, ys)) if x and y and x > y]
    return column_rule(rule, (a, b), may_fire)


def _paid_not_above_owed(owed: str, paid: str, what: str):
    # a row without the owed amount (an update file of 编号 and 已支付金额 only) is judged with the
    # stored record, by the ledger's service (models.cases, models.case_workers), not as owing 0
    def rule(row: dict) -> list[tuple[str, str]]:
        o, p = row.get(owed), row.get(paid) or 0
        if o is not None and p > o:
            from models.paid_rule import above_owed
            return [(paid, above_owed(what, p, o))]
        return []

    def may_fire(os_: list, ps: list) -> list[int]:
        return [i for i, (o, p) in enumerate(zip(os_, ps)) if o is not None and (p or 0) > o]
    return column_rule(rule, (owed, paid), may_fire)


def _closed_has_verdict(row: dict) -> list[tuple[str, str]]:
    if row.get("status") in CLOSED_STATUSES and not row.get("verdict"):
        return [("verdict", f"状态为“{row.get('status')}”的问题须填写核处结论")]
    return []


_closed_has_verdict.completion = "verdict"     # an old ledger's closed case without one: 待补录, not refused
# the rows it can speak of, in SQL: models.completion reads only these (a county's open cases are
# most of its 100,000; reading and judging them all took about a second)
_closed_has_verdict.completion_sql = closed_sql("t")


CASES = register(Ledger(
    kind="cases", title="欠薪问题台账", table="case_record", managed=False,
    key=("case_no",), order_by="registered_on DESC, id DESC", workstream_field="workstream_id",
    label_field="case_no",
    extra={"table_columns": ("case_no", "registered_on", "employer_name", "project_name", "total_workers",
                             "total_owed_fen", "total_paid_fen", "outstanding_fen", "status", "workstream_id",
                             "owner_person", "deadline", "source", "is_major", "is_sensitive", "industry_type"),
           # the columns a clerk works by: shown first, and kept in view on a small screen
           "key_columns": ("case_no", "employer_name", "total_workers", "outstanding_fen", "status",
                           "workstream_id", "owner_person", "deadline"),
           },
    fields=(
        F("case_no", "编号", required=True, width=14, search=True,
          synonyms=("问题编号", "线索编号", "序号编号", "案件编号", "登记编号")),
        F("source", "线索来源", "choice", choices=SOURCES, width=12, filter=True,
          synonyms=("来源", "问题来源", "反映渠道", "线索渠道")),
        F("registered_on", "登记日期", "date", required=True, width=10, filter=True,
          synonyms=("受理日期", "反映日期", "登记时间", "受理时间", "反映时间")),
        F("industry_type", "行业领域", "choice", choices=INDUSTRY_TYPES, width=8,
          synonyms=("是否工程建设领域", "领域")),
        F("industry", "所属行业", width=8, synonyms=("行业",)),
        F("employer_name", "用人单位", width=20, search=True,
          synonyms=("欠薪单位", "拖欠工资单位", "被反映单位", "涉及单位", "企业名称", "单位名称", "欠薪主体")),
        F("project_name", "项目名称", width=20, search=True,
          synonyms=("工程项目", "项目", "工程名称", "涉及项目")),
        F("owner_unit", "建设单位", width=14, in_table=False, synonyms=("项目建设单位", "业主单位")),
        F("general_contractor", "总承包单位", width=14, in_table=False, synonyms=("施工总承包单位", "总包单位")),
        F("subcontractor", "分包单位", width=14, in_table=False, synonyms=("劳务分包单位", "专业分包单位")),
        F("gov_invested", "是否政府投资项目", "bool", width=6, in_table=False,
          synonyms=("政府投资项目", "是否政府投资")),
        F("workers_count", "欠薪人数", "int", width=6, sum=True, in_table=False,
          synonyms=("涉及人数", "涉及农民工人数", "人数", "欠薪农民工人数", "拖欠人数")),
        F("amount_fen", "欠薪金额", "money", width=12, sum=True, in_table=False,
          synonyms=("拖欠金额", "拖欠工资金额", "涉及金额", "欠薪总额", "拖欠农民工工资金额")),
        F("paid_fen", "已支付金额", "money", width=12, sum=True, in_table=False,
          synonyms=("已兑付金额", "已清偿金额", "已支付", "兑付金额")),
        F("total_workers", "人数", "int", stored=False, editable=False, width=6, sum=True,
          export=False, printed=True),
        F("total_owed_fen", "应付金额", "money", stored=False, editable=False, width=12, sum=True,
          export=False),
        F("total_paid_fen", "已付金额", "money", stored=False, editable=False, width=12, sum=True,
          export=False),
        F("outstanding_fen", "未付金额", "money", stored=False, editable=False, width=12, sum=True,
          expr=lambda t: f"{t}.total_owed_fen - {t}.total_paid_fen", export=False, min_value=None),
        F("period_from", "欠薪起始日期", "date", width=10, in_table=False,
          synonyms=("欠薪开始时间", "拖欠起始时间", "欠薪时间起")),
        F("period_to", "欠薪截止日期", "date", width=10, in_table=False,
          synonyms=("欠薪结束时间", "拖欠截止时间", "欠薪时间止")),
        F("reason", "欠薪原因", "choice", choices=REASONS, width=10, in_table=False,
          synonyms=("拖欠原因", "原因")),
        F("summary", "基本情况摘要", "longtext", width=30, search=True, in_table=False,
          synonyms=("基本情况", "问题描述", "反映问题", "主要诉求", "情况摘要", "问题摘要")),
        F("workstream_id", "责任专班", "ref", ref_table="workstream", width=12, filter=True,
          synonyms=("交办专班", "承办专班", "责任单位", "专班")),
        F("owner_person", "包案责任人", width=8, search=True, synonyms=("责任人", "包案领导", "承办人")),
        F("deadline_days", "办结时限（工作日）", "int", width=6, in_table=False,
          synonyms=("时限工作日", "办理时限")),
        F("deadline", "办结时限", "date", width=10, synonyms=("办结期限", "截止日期", "限办日期")),
        F("status", "状态", "choice", choices=STATUSES, width=8, filter=True, choice_synonyms=STATUS_SYNONYMS,
          synonyms=("办理状态", "处理状态", "办理情况", "化解情况")),
        F("verdict", "核处结论", width=20, in_table=False, synonyms=("核查结论", "处理结果", "办理结果")),
        F("resolved_count", "解决人数", "int", width=6, in_table=False, sum=True,
          synonyms=("已解决人数",)),
        F("resolved_fen", "解决金额", "money", width=12, in_table=False, sum=True,
          synonyms=("已解决金额", "追发金额")),
        F("resolution_path", "化解途径", width=10, in_table=False, synonyms=("化解方式", "解决途径")),
        F("closed_on", "办结日期", "date", width=10, in_table=False, in_form=False,
          synonyms=("办结时间", "化解日期", "化解时间", "结案日期", "结案时间", "销号日期"),
          help="变更状态时由程序记下；导入旧台账时可随文件带入"),
        F("last_activity_on", "最近进展日期", "date", width=10, in_table=False, in_form=False, editable=False,
          export=False,
          help="登记、状态变更、兑付、修改中最晚的日期，久拖未动据此计算"),
        F("is_major", "是否重大", "bool", width=4, synonyms=("重大",)),
        F("is_sensitive", "是否敏感", "bool", width=4, synonyms=("敏感",)),
        F("notes", "备注", "longtext", width=16, in_table=False, synonyms=("说明",)),
    ),
    row_rules=(_dates_in_order("period_from", "period_to", "欠薪时间"),
               _paid_not_above_owed("amount_fen", "paid_fen", "该问题"),
               _closed_has_verdict),
))


_worker_dates = _dates_in_order("entered_on", "left_on", "进离场时间")


WORKERS = register(Ledger(
    kind="workers", title="农民工工资支付台账", table="worker", managed=False,
    key=("case_id", "id_number"), key_when_blank=("case_id", "name"), order_by="id", parent="case_id",
    label_field="name",
    # shown first, and kept in view on a small screen (所属问题 where the table lists it)
    extra={"key_columns": ("name", "case_id", "owed_fen", "paid_fen", "outstanding_fen")},
    fields=(
        F("case_id", "所属问题", "ref", ref_table="case_record", ref_label="case_no", width=14,
          required=True, in_form=False, export=False, printed=False),
        F("name", "姓名", required=True, width=8, search=True, synonyms=("农民工姓名", "工人姓名", "职工姓名")),
        F("id_number", "身份证号码", "id_number", width=20, search=True,
          synonyms=("身份证号", "公民身份号码", "身份证", "证件号码")),
        F("phone", "联系方式", "phone", width=13, synonyms=("联系电话", "手机号码", "电话", "手机号")),
        F("bank_card", "银行卡号", "bank_card", width=22, synonyms=("工资卡号", "银行账号", "工资卡银行账号", "卡号")),
        F("bank_name", "开户银行", width=12, in_table=False, synonyms=("开户行", "银行")),
        F("trade", "工种", width=8, search=True, synonyms=("岗位", "工种岗位")),
        F("entered_on", "进场时间", "date", width=10, synonyms=("进场日期",)),
        F("left_on", "离场时间", "date", width=10, synonyms=("离场日期", "退场时间")),
        F("owed_fen", "应发工资", "money", width=11, sum=True,
          synonyms=("应发", "应发金额", "应付工资", "应发工资总额", "欠薪金额", "拖欠工资")),
        F("paid_fen", "实发工资", "money", width=11, sum=True,
          synonyms=("实发", "实发金额", "已发工资", "已付工资", "已支付")),
        F("outstanding_fen", "欠发工资", "money", stored=False, editable=False, width=11, sum=True,
          synonyms=("欠发", "欠发金额", "未发工资"), min_value=None),
        F("signed", "签字领取", "bool", width=6, synonyms=("本人签字", "签字", "是否签字领取")),
        F("notes", "备注", width=12, in_table=False),
    ),
    row_rules=(_worker_dates, _paid_not_above_owed("owed_fen", "paid_fen", "该农民工")),
))

REPAYMENTS = register(Ledger(
    kind="repayments", title="工资清偿兑付台账", table="repayment", managed=False,
    key=("uuid",), order_by="paid_on DESC, id DESC", parent="case_id", label_field="voucher_no",
    fields=(
        F("case_id", "所属问题", "ref", ref_table="case_record", ref_label="case_no", width=14,
          required=True, synonyms=("问题编号", "编号", "线索编号")),
        F("worker_id", "农民工", "ref", ref_table="worker", ref_label="name", width=8,
          synonyms=("姓名", "农民工姓名")),
        # the worker's ID number beside the name, masked in an export as everywhere: a file
        # exported and imported again tells two workers of the same name in a case apart by it
        F("worker_id_number", "身份证号码", "id_number", stored=False, editable=False, in_table=False,
          in_form=False, printed=False, width=20, identifies="worker_id", ref_label="id_number",
          expr=lambda a: f"(SELECT w.id_number FROM worker w WHERE w.id = {a}.worker_id)",
          synonyms=("农民工身份证号码", "身份证号", "公民身份号码", "身份证", "证件号码", "身份证件号码")),
        F("paid_on", "兑付日期", "date", required=True, width=10, filter=True,
          synonyms=("支付日期", "清偿日期", "发放日期")),
        F("amount_fen", "兑付金额", "money", required=True, width=12, sum=True, min_value=1,
          synonyms=("支付金额", "清偿金额", "发放金额", "金额")),
        F("payer", "支付主体", width=14, synonyms=("付款单位", "支付单位", "付款人")),
        F("channel", "兑付渠道", "choice", choices=CHANNELS, width=10, filter=True,
          synonyms=("支付方式", "清偿方式", "资金来源")),
        F("voucher_no", "凭证号", width=12, synonyms=("凭证编号", "单据号")),
        F("notes", "备注", width=12),
    ),
))
