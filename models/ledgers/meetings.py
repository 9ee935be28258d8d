"""周调度会: meetings, their workstream reports (frozen figures) and the action items
(交办事项) they decide, followed until 办结销号.

逾期 is not stored: an item is overdue when it is not 已办结 and its 完成时限 has
passed, which changes with the calendar, not with an edit. The stored status is
待办 / 办理中 / 已办结; "逾期" is accepted from imported spreadsheets (township
交办事项 tables carry it) and read as still open. The effective status is computed
(``models.meetings.effective_status``, and the 办理状态 column below).
"""
from __future__ import annotations

import datetime as _dt

from models.checks import Finding, warning
from models.db import Store
from models.ledger.fields import Field as F, Ledger
from models.ledger.registry import register

KINDS = ("例会", "专题会议")
STATUSES = ("筹备", "已召开", "已关闭")
ITEM_STATUSES = ("待办", "办理中", "已办结", "逾期")
STORED_ITEM_STATUSES = ("待办", "办理中", "已办结")
OPEN_ITEM_SQL = "t.status != '已办结'"

MEETINGS = register(Ledger(
    kind="meetings", title="周调度会议", table="meeting", key=("meeting_no",),
    order_by="date DESC, id DESC", label_field="title",
    extra={"page": True, "page_order": 20,
           "page_title": "周调度会"},
    fields=(
        F("meeting_no", "期数", "int", required=True, width=5, synonyms=("第几期", "期号", "会议期数")),
        F("date", "会议日期", "date", required=True, width=10, filter=True,
          synonyms=("日期", "开会日期", "会议时间")),
        F("time_text", "开会时间", width=8, in_table=False, synonyms=("时间",),
          help="如“上午8:30”，印在纪要的“时间”一行"),
        F("kind", "会议类别", "choice", choices=KINDS, width=8, filter=True, synonyms=("类别", "会议类型")),
        F("title", "会议名称", width=24, search=True, synonyms=("名称", "会议主题", "议题")),
        F("place", "地点", width=14, synonyms=("会议地点", "开会地点")),
        F("host", "主持", width=8, synonyms=("主持人", "会议主持")),
        F("recorder", "记录", width=8, synonyms=("记录人", "会议记录")),
        F("attendees_present", "出席", "longtext", width=30, in_table=False,
          synonyms=("出席人员", "参会人员", "出席人"), help="一行一人：姓名（单位职务）"),
        F("absent_with_reason", "请假", "longtext", width=20, in_table=False,
          synonyms=("缺席", "请假人员", "缺席人员"), help="一行一人：姓名：事由"),
        F("attending_nonvoting", "列席", "longtext", width=20, in_table=False,
          synonyms=("列席人员",), help="一行一人：姓名（单位职务）"),
        F("since_date", "统计起始日期", "date", width=10, in_table=False,
          help="议程数据统计自此日（含）至会议日期前一日；默认上次会议日期"),
        F("agenda", "会议议程", "longtext", width=40, in_table=False, synonyms=("议程",)),
        F("body", "会议纪要正文", "longtext", width=40, in_table=False, printed=False,
          synonyms=("纪要正文", "会议内容", "正文")),
        F("status", "状态", "choice", choices=STATUSES, width=6, filter=True, synonyms=("会议状态",)),
        F("closed_at", "关闭时间", width=16, editable=False, in_form=False),
    ),
))

ACTION_ITEMS = register(Ledger(
    kind="action_items", title="交办事项台账", table="action_item", order_by="due_date, id",
    workstream_field="workstream_id", label_field="content",
    fields=(
        F("meeting_id", "会议期数", "ref", ref_table="meeting", ref_label="meeting_no", width=6,
          synonyms=("期数", "会议", "交办会议", "第几期")),
        F("decision_no", "序号", "int", width=4, synonyms=("议定事项序号", "事项序号", "编号")),
        F("content", "交办事项", "longtext", required=True, width=40, search=True,
          synonyms=("事项内容", "议定事项", "工作任务", "任务内容", "交办内容", "事项")),
        F("workstream_id", "责任专班", "ref", ref_table="workstream", width=12, filter=True,
          synonyms=("责任单位", "牵头单位", "承办专班", "专班")),
        F("owner_person", "责任人", width=8, search=True, synonyms=("具体责任人", "承办人", "负责人", "牵头领导")),
        F("due_date", "完成时限", "date", width=10, filter=True,
          synonyms=("办理时限", "完成时间", "截止日期", "时限要求", "办结时限")),
        F("status", "状态", "choice", choices=ITEM_STATUSES, width=6, filter=True,
          synonyms=("办理状态", "办理情况", "完成情况", "进度")),
        F("closed_on", "办结日期", "date", width=10, synonyms=("销号日期", "完成日期", "办结时间")),
        F("progress", "办理进展", "longtext", width=30, in_table=False,
          synonyms=("进展情况", "办理进度", "落实情况", "备注")),
    ),
))

REPORTS = register(Ledger(
    kind="meeting_reports", title="专班汇报", table="meeting_report", order_by="meeting_id, id",
    parent="meeting_id", workstream_field="workstream_id", soft_delete=False,
    fields=(
        F("meeting_id", "会议期数", "ref", ref_table="meeting", ref_label="meeting_no", required=True,
          width=6, in_form=False),
        # blank on the office's row (办公室及未分配: its items, cases with no 专班), frozen with the others
        F("workstream_id", "专班", "ref", ref_table="workstream", width=12),
        F("figures_json", "冻结数据", "longtext", editable=False, in_form=False, in_table=False,
          export=False, printed=False),
        F("frozen_at", "冻结时间", width=16, editable=False, in_form=False),
        F("report_text", "汇报内容", "longtext", width=40),
        F("problems", "存在问题", "longtext", width=30),
    ),
))


@warning("action_items_overdue", "逾期交办事项", "项")
def _overdue_items(store: Store, today: _dt.date):
    for r in store.query(
            "SELECT t.id, t.content, t.due_date, t.owner_person, t.decision_no, m.meeting_no, "
            "(SELECT name FROM workstream w WHERE w.id = t.workstream_id) AS ws "
            "FROM action_item t LEFT JOIN meeting m ON m.id = t.meeting_id "
            f"WHERE t.deleted_at IS NULL AND {OPEN_ITEM_SQL} AND t.due_date IS NOT NULL AND t.due_date < ? "
            "ORDER BY t.due_date, t.id", (today.isoformat(),)):
        label = f"第{r['meeting_no']}期议定事项{r['decision_no']}" if r["meeting_no"] else f"交办事项{r['id']}"
        content = r["content"] if len(r["content"]) <= 30 else r["content"][:30] + "…"
        yield Finding("action_items_overdue", "action_item", r["id"], label,
                      f"“{content}”完成时限 {r['due_date']} 已过，尚未办结（责任单位：{r['ws'] or '未定'}；"
                      f"责任人：{r['owner_person'] or '未定'}）")
