"""一企一策 page: the employers on the left (searchable, most outstanding first), the chosen
employer's one page on the right (models.employers.employer_page), with 新增措施 for its
一企一策 plan and 打印 (PDF or Word, models.reports.employer)."""
from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QMessageBox, QPushButton, QSplitter, QTextBrowser, QVBoxLayout, QWidget)

from models.values import fen_to_yuan_text as _y
from views.context import AppContext
from views.empty_note import STYLE as EMPTY_STYLE

CHOOSE = "请在左侧选择用人单位"
HEADING_STYLE = "font-size: 15px; font-weight: bold;"
WATCHED = {"", "employer", "employer_plan", "case_record", "worker", "repayment", "contract_arrear",
           "contract_instalment", "blacklist_entry", "inspection", "petition", "advance", "advance_recovery"}


def _t(v) -> str:
    return "—" if v in (None, "") else escape(str(v))


def _table(header: list[str], rows: list[list], right: set[int] = frozenset(), total: list | None = None) -> str:
    if not rows:
        return "<p style='color:#777'>无。</p>"
    h = "".join(f"<th>{escape(x)}</th>" for x in header)
    body = []
    for r in rows + ([total] if total else []):
        cells = "".join(f"<td align='{'right' if i in right else 'left'}'>{c}</td>" for i, c in enumerate(r))
        body.append(f"<tr{' style=background:#eef2f7' if total and r is total else ''}>{cells}</tr>")
    return ("<table width='100%' border='1' cellspacing='0' cellpadding='3' style='border-collapse:collapse;"
            f"border-color:#c8ccd2'><tr style='background:#e8ecf1'>{h}</tr>{''.join(body)}</table>")


def page_html(p: dict) -> str:
    """The one page as HTML (what the right side shows)."""
    e, t = p["employer"], p["totals"]
    bl = p["blacklist_status"]
    bl_color = "#c0392b" if bl in ("惩戒中", "期满待移出", "已上报待列入") else "#333"
    out = [f"<h2 style='margin:0'>{escape(e['name'])}</h2>",
           f"<p>统一社会信用代码：{_t(e['credit_code'])}　法定代表人：{_t(e['legal_person'])}　"
           f"联系电话：{_t(e['phone'])}<br>地址：{_t(e['address'])}　"
           f"失信名单：<b style='color:{bl_color}'>{escape(bl)}</b></p>",
           "<table cellpadding='6' style='background:#f6f8fa'><tr>"
           + "".join(f"<td><span style='color:#666'>{k}</span><br><b style='font-size:15px'>{v}</b></td>" for k, v in (
               ("欠薪问题", f"{t['cases']} 件（在办 {t['open_cases']}）"), ("涉及农民工", f"{t['workers']} 人"),
               ("拖欠工资", f"{_y(t['owed_fen'])} 元"), ("已支付", f"{_y(t['paid_fen'])} 元"),
               ("尚未支付", f"{_y(t['outstanding_fen'])} 元"), ("涉及拖欠工程款", f"{_y(p['contract_owed_fen'])} 元"),
               ("垫付待追回", f"{_y(p['advance_outstanding_fen'])} 元"), ("未销号隐患", f"{p['open_hazards']} 条")))
           + "</tr></table>"]
    plans = p["plans"]
    out.append(f"<h3>一企一策措施（{len(plans)} 项）</h3>")
    out.append(_table(["化解措施", "责任人", "开始", "完成时限", "进度", "进展情况", "状态", ""], [
        [escape(x["measure"]), _t(x["responsible"]), _t(x["start_on"]), _t(x["due_on"]), f"{x['progress_pct'] or 0}%",
         _t(x["progress"]), escape(x["status"]) + ("<b style='color:#c0392b'>（逾期）</b>" if x["overdue"] else ""),
         f"<a href='plan:{x['id']}'>更新进展</a>"]
        for x in plans], {4}))
    out.append(f"<h3>欠薪问题（{t['cases']} 件）</h3>")
    out.append(_table(["编号", "登记日期", "项目", "人数", "拖欠（元）", "已支付（元）", "尚未支付（元）", "状态", "包案责任人"], [
        [escape(c["case_no"]), _t(c["registered_on"]), _t(c["project_name"]), str(c["total_workers"] or 0),
         _y(c["owed_fen"]), _y(c["paid_fen"]), _y(c["outstanding_fen"]), _t(c["status"]), _t(c["owner_person"])]
        for c in p["cases"]], {3, 4, 5, 6},
        ["合计" + ("（不含经核实不存在欠薪的）" if t["counted_cases"] < t["cases"] else ""), "", "", str(t["workers"]), _y(t["owed_fen"]), _y(t["paid_fen"]), _y(t["outstanding_fen"]), "", ""]))
    out.append(f"<h3>拖欠工程款及还款计划（{len(p['contracts'])} 笔）</h3>")
    out.append(_table(["编号", "项目", "身份", "合同金额（元）", "拖欠（元）", "化解情况", "分期还款计划"], [
        [escape(c["arrear_no"]), _t(c["project_name"]), c["role"], _y(c["contract_fen"]), _y(c["owed_fen"]),
         _t(c["status"]), "<br>".join(f"第{i['seq']}期 {i['due_on']} {_y(i['amount_fen'])} 元"
                                      + (f"（已还 {_y(i['paid_amount_fen'])}）" if i["paid_amount_fen"] else "")
                                      for i in c["instalments"]) or "未定计划"]
        for c in p["contracts"]], {3, 4}))
    out.append(f"<h3>垫付及追偿（{len(p['advances'])} 笔）</h3>")
    out.append(_table(["垫付编号", "资金来源", "问题编号", "垫付日期", "垫付（元）", "已追回（元）", "尚未追回（元）", "状态"], [
        [escape(a["advance_no"]), escape(a["source"] + (f" {a['fund_no']}" if a["fund_no"] else "")), _t(a["case_no"]),
         _t(a["advanced_on"]), _y(a["amount_fen"]), _y(a["recovered_fen"]), _y(a["outstanding_fen"]), escape(a["status"])]
        for a in p["advances"]], {4, 5, 6}))
    out.append(f"<h3>失信联合惩戒名单</h3>")
    out.append(_table(["上报日期", "列入日期", "期满日期", "移出日期", "状态", "列入事由"], [
        [_t(b["reported_on"]), _t(b["listed_on"]), _t(b["removal_due"]), _t(b["removed_on"]), escape(b["status"]),
         _t(b["reason"])] for b in p["blacklist"]]))
    out.append(f"<h3>隐患排查（{len(p['inspections'])} 次）</h3>")
    out.append(_table(["编号", "排查日期", "整改状态", "发现隐患", "整改时限", "销号日期"], [
        [escape(i["insp_no"]), _t(i["inspected_on"]), escape(i["status"]), _t(i["hazard"]), _t(i["rectify_by"]),
         _t(i["closed_on"])] for i in p["inspections"]]))
    out.append(f"<h3>信访（{len(p['petitions'])} 件）</h3>")
    out.append(_table(["来访日期", "来访人", "人数", "反映问题", "关联问题", "办理结果"], [
        [_t(x["visited_on"]), _t(x["petitioner"]), str(x["people_count"] or ""), _t(x["demand"]), _t(x["case_no"]),
         _t(x["result"])] for x in p["petitions"]], {2}))
    return "".join(out)


class EmployerPage(QWidget):
    """一企一策: one employer, one page."""

    title = "一企一策"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.employer_id: int | None = None
        self.page: dict | None = None
        self._listed = 0                    # employers in the list (the search's)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索单位名称、信用代码或法定代表人")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.count = QLabel()
        self.count.setStyleSheet("color: #666;")
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.search)
        ll.addWidget(self.list, 1)
        ll.addWidget(self.count)
        self.heading = QLabel(CHOOSE)
        self.heading.setStyleSheet(HEADING_STYLE)
        self.heading.setWordWrap(True)
        self.add_plan_btn = QPushButton("新增措施")
        self.print_btn = QPushButton("打印（PDF）")
        self.word_btn = QPushButton("导出 Word")
        for b in (self.add_plan_btn, self.print_btn, self.word_btn):
            b.setEnabled(False)
        bar = QHBoxLayout()
        bar.addWidget(self.heading, 1)
        bar.addWidget(self.add_plan_btn)
        bar.addWidget(self.print_btn)
        bar.addWidget(self.word_btn)
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.anchorClicked.connect(self._link)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addLayout(bar)
        rl.addWidget(self.view, 1)
        rl.addStretch(0)            # the heading stays at the top while the page is hidden
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 900])
        lay = QVBoxLayout(self)
        lay.addWidget(split)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self.reload_list)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.list.currentItemChanged.connect(self._picked)
        self.add_plan_btn.clicked.connect(self.add_plan)
        self.print_btn.clicked.connect(lambda: self.print_dialog("pdf"))
        self.word_btn.clicked.connect(lambda: self.print_dialog("docx"))
        ctx.bus.changed.connect(self._on_changed)
        self.reload_list()

    # -- the list ---------------------------------------------------------------------------
    def reload_list(self) -> None:
        from models.employers import list_employers
        keep = self.employer_id
        rows = list_employers(self.ctx.store, self.search.text())
        self.list.blockSignals(True)
        self.list.clear()
        for r in rows:
            extra = f"尚欠 {_y(r['outstanding_fen'])} 元" if r["outstanding_fen"] else "无欠薪"
            flag = "　【失信】" if r["blacklist_status"] in ("惩戒中", "期满待移出") else ""
            item = QListWidgetItem(f"{r['name']}{flag}\n　{r['case_count']} 件　{extra}　措施 {r['plans']} 项")
            item.setData(Qt.ItemDataRole.UserRole, r["id"])
            self.list.addItem(item)
            if r["id"] == keep:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.count.setText(f"共 {len(rows)} 家用人单位")
        self._listed = len(rows)
        if self.list.currentItem() is None:
            self.show_employer(None)

    def _picked(self, item: QListWidgetItem | None, _prev=None) -> None:
        self.show_employer(item.data(Qt.ItemDataRole.UserRole) if item else None)

    def select_name(self, name: str) -> bool:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.text().split("\n")[0].split("　")[0] == name:
                self.list.setCurrentItem(item)
                return True
        return False

    # -- the page ---------------------------------------------------------------------------
    def show_employer(self, employer_id: int | None) -> None:
        from models.employers import employer_page
        self.employer_id = employer_id
        for b in (self.add_plan_btn, self.print_btn, self.word_btn):
            b.setEnabled(employer_id is not None)
        if employer_id is None:
            self.page = None
            listed = self._listed
            self.heading.setStyleSheet(HEADING_STYLE if listed else EMPTY_STYLE)
            self.heading.setText(CHOOSE if listed else self.empty_text())
            self.view.setHtml("")
            self.view.setVisible(bool(listed))
            return
        self.page = employer_page(self.ctx.store, employer_id, self.ctx.today())
        self.heading.setStyleSheet(HEADING_STYLE)
        self.view.setVisible(True)
        self.heading.setText(f"一企一策：{self.page['employer']['name']}")
        self.view.setHtml(page_html(self.page))

    def empty_text(self) -> str:
        """The list is empty: nothing matches the search, or there is no employer yet."""
        text = self.search.text().strip()
        if text:
            return f"没有名称、信用代码或法定代表人含「{text}」的用人单位。"
        return "还没有用人单位。"

    def _on_changed(self, table: str) -> None:
        if table in WATCHED:
            self.reload_list()
            if self.employer_id is not None:
                self.show_employer(self.employer_id)

    def add_plan(self) -> None:
        if self.employer_id is None:
            return
        from models import ledger_refs
        from models.ledger import registry
        from models.ledger.service import service_for
        from views.record_form import RecordForm
        ledger = registry.get("employer_plans")
        eid = self.employer_id
        initial = {"start_on": self.ctx.today().isoformat(), "status": "推进中", "progress_pct": 0}
        fields = [f for f in ledger.form_fields if f.name != "employer_id"]
        form = RecordForm(self, ledger, f"新增一企一策措施：{self.page['employer']['name']}", initial, fields=fields,
                          ref_options=ledger_refs.form_options(self.ctx.store, ledger, initial),
                          fixed={"employer_id": eid},
                          on_save=lambda v: service_for(self.ctx.store, "employer_plans", self.ctx.today()).insert(
                              {**v, "employer_id": eid}))
        if form.exec():
            self.ctx.changed("employer_plan")

    def _link(self, url) -> None:
        text = url.toString()
        if text.startswith("plan:"):
            self.edit_plan(int(text.split(":", 1)[1]))

    def edit_plan(self, plan_id: int) -> None:
        """更新进展: the measure's progress, status and dates, through its write service."""
        from models import ledger_refs
        from models.ledger import registry
        from models.ledger.repo import LedgerRepo
        from models.ledger.service import service_for
        from views.record_form import RecordForm
        ledger = registry.get("employer_plans")
        row = LedgerRepo(self.ctx.store, ledger).get(plan_id)
        if row is None:
            return
        fields = [f for f in ledger.form_fields if f.name != "employer_id"]
        form = RecordForm(self, ledger, f"更新一企一策措施进展：{self.page['employer']['name']}", row, fields=fields,
                          ref_options=ledger_refs.form_options(self.ctx.store, ledger, row),
                          fixed={"employer_id": row["employer_id"]},
                          on_save=lambda v, reason="": service_for(self.ctx.store, "employer_plans", self.ctx.today()).update(
                              plan_id, {k: v[k] for k in v if k != "employer_id"}, reason))
        if form.exec():
            self.ctx.changed("employer_plan")

    def print_to(self, path: str | Path) -> Path:
        from models.reports.employer import build
        return build(self.ctx.store, Path(path), self.employer_id, self.ctx.today()).path

    def print_dialog(self, kind: str) -> None:
        if self.employer_id is None:
            return
        name = self.page["employer"]["name"]
        default = str(Path.home() / f"一企一策-{name}-{self.ctx.today():%Y%m%d}.{kind}")
        flt = "PDF 文件 (*.pdf)" if kind == "pdf" else "Word 文档 (*.docx)"
        path, _ = QFileDialog.getSaveFileName(self, "打印一企一策台账", default, flt)
        if not path:
            return
        try:
            out = self.print_to(path)
        except OSError as exc:
            QMessageBox.warning(self, "无法保存", f"无法写入 {path}：{exc.strerror or exc}")
            return
        self.ctx.bus.status.emit(f"已生成 {out}")
        if kind == "pdf":
            from PySide6.QtCore import QUrl
            from PySide6.QtGui import QDesktopServices
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(out)))
