"""The ledger-specific actions of the ledger pages, by ledger kind (``ACTIONS``) and, for a child
ledger shown under its parent, by (parent kind, child kind) (``CHILD_ACTIONS``): each is
``fn(page, record_id)`` and runs its dialog; the work itself is done by models/. The ledger
declarations in models/ name no view."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel, QLineEdit,
                               QMessageBox, QVBoxLayout, QWidget)

from models import assets, case_workers, contracts, daily, funds, inspections
from models.errors import PermissionDenied
from models.ledger.repo import ValidationError
from models.values import ValueProblem, fen_to_yuan_text, parse_date, parse_money


class ActionDialog(QDialog):
    """A small form whose OK runs ``work``; a ValidationError or ValueProblem keeps it open
    with the message shown, and nothing is written."""

    def __init__(self, parent: QWidget, title: str, intro: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            lay.addWidget(label)
        lay.addLayout(self.form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.work: Callable[[], Any] | None = None
        self.fields: dict[str, QWidget] = {}
        self.resize(520, 200)

    def line(self, label: str, text: str = "", placeholder: str = "") -> QLineEdit:
        w = QLineEdit(text)
        w.setPlaceholderText(placeholder)
        self.form.addRow(label, w)
        self.fields[label] = w
        return w

    def reason(self) -> QLineEdit:
        """The 修改理由 line: needed only when the change reaches a record of a signed ledger."""
        return self.line("修改理由", placeholder="改动已审核签字台账的记录时必填")

    def combo(self, label: str, items: list[tuple[Any, str]]) -> QComboBox:
        w = QComboBox()
        for value, text in items:
            w.addItem(text, value)
        self.form.addRow(label, w)
        self.fields[label] = w
        return w

    def _ok(self) -> None:
        try:
            if self.work is not None:
                self.work()
        except (ValidationError, ValueProblem, ValueError, PermissionDenied) as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()


def _need(page, record_id, what: str = "记录") -> bool:
    if record_id is None:
        QMessageBox.information(page, page.title, f"请先在台账中选中一条{what}。")
        return False
    return True


def _date(w: QLineEdit) -> str:
    d = parse_date(w.text())
    if not d:
        raise ValueProblem("请填写日期")
    return d


# -- 清欠资金 ---------------------------------------------------------------------------
def allocate_fund(page, fund_id: int | None) -> None:
    if not _need(page, fund_id, "清欠资金"):
        return
    store = page.ctx.store
    row = page.repo.get(fund_id)
    left = funds.balance(store, fund_id)
    dlg = ActionDialog(page, "分配清欠资金",
                       f"资金 {row['fund_no']}（{row['channel']}，{row['source']}）：到位 {fen_to_yuan_text(row['received_fen'])} 元，"
                       f"余额 {fen_to_yuan_text(left)} 元。分配后按农民工逐人登记兑付记录。")
    cases = funds.open_cases(store)
    case_box = dlg.combo("欠薪问题", [(c["id"], f"{c['case_no']}　{c['employer_name'] or c['project_name']}　"
                                              f"未付 {fen_to_yuan_text(c['outstanding'])} 元") for c in cases])
    case_box.setEditable(True)
    case_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    worker_box = dlg.combo("农民工", [])
    amount = dlg.line("分配金额（元）", placeholder="如 50000 或 5万")
    day = dlg.line("分配日期", page.ctx.today().isoformat())
    notes = dlg.line("备注")
    reason = dlg.reason()

    def fill_workers() -> None:
        worker_box.clear()
        worker_box.addItem("按名单顺序分给尚有欠发的农民工", None)
        cid = case_box.currentData()
        for w in case_workers.case_workers(store, cid) if cid else []:
            if w["outstanding_fen"] > 0:
                worker_box.addItem(f"{w['name']}（欠发 {fen_to_yuan_text(w['outstanding_fen'])} 元）", w["id"])
    case_box.currentIndexChanged.connect(fill_workers)
    fill_workers()

    def work() -> None:
        if case_box.currentData() is None:
            raise ValueProblem("请选择欠薪问题")
        funds.allocate(store, fund_id, case_box.currentData(), parse_money(amount.text()), _date(day),
                       worker_id=worker_box.currentData(), notes=notes.text().strip(), reason=reason.text().strip())
    dlg.work = work
    if dlg.exec():
        page.ctx.changed("repayment")


def cancel_allocation(page, allocation_id: int | None) -> None:
    if not _need(page, allocation_id, "分配明细"):
        return
    if QMessageBox.question(page, "撤销分配", "撤销这笔资金分配？对应的兑付记录将一并移入回收站，农民工实发工资和资金余额随之恢复。") \
            != QMessageBox.StandardButton.Yes:
        return
    from views.reason_prompt import with_reason
    if not with_reason(page, "撤销分配", lambda why: funds.cancel_allocation(page.ctx.store, allocation_id, why)):
        return
    page.ctx.changed("repayment")


# -- 资产 ----------------------------------------------------------------------------------
def advance_asset(page, item_id: int | None) -> None:
    if not _need(page, item_id, "事项"):
        return
    row = page.repo.get(item_id)
    order = assets.STAGES[row["category"]]
    here = order.index(row["stage"]) if row["stage"] in order else -1
    choices = [(s, s) for s in assets.next_stages(row["category"], row["stage"])[:-1] or []]
    if row["stage"] == order[-1]:
        QMessageBox.information(page, "推进进度", f"“{row['name']}”已{row['stage']}。")
        return
    if here > 0 and not row["fund_id"]:
        choices.append((order[here - 1], f"退回至“{order[here - 1]}”（须写明原因）"))
    dlg = ActionDialog(page, "推进进度", f"{row['item_no']} {row['name']}：当前进度“{row['stage'] or '未填'}”。"
                                        f"“{order[-1]}”请用“收入到账”登记。")
    to = dlg.combo("推进至", choices)
    day = dlg.line("日期", page.ctx.today().isoformat())
    note = dlg.line("进展情况 / 退回原因")
    dlg.work = lambda: assets.advance_stage(page.ctx.store, item_id, to.currentData(), _date(day), note.text().strip(),
                                            reason=note.text().strip() if order.index(to.currentData()) < here else "")
    if not choices:
        QMessageBox.information(page, "推进进度", f"已到“{row['stage']}”，下一步请用“收入到账”登记到账金额。")
        return
    if dlg.exec():
        page.ctx.changed("asset_item")


def asset_income(page, item_id: int | None) -> None:
    if not _need(page, item_id, "事项"):
        return
    row = page.repo.get(item_id)
    dlg = ActionDialog(page, "收入到账", f"{row['item_no']} {row['name']}：登记到账金额，同时在清欠资金台账生成一笔"
                                        f"“{assets.CATEGORY_CHANNEL[row['category']]}”资金。")
    amount = dlg.line("到账金额（元）")
    day = dlg.line("到账日期", page.ctx.today().isoformat())
    reason = dlg.reason()
    dlg.work = lambda: assets.record_income(page.ctx.store, item_id, parse_money(amount.text()), _date(day),
                                            reason=reason.text().strip())
    if dlg.exec():
        page.ctx.changed("fund")


# -- 拖欠工程款 ------------------------------------------------------------------------------
def pay_instalment(page, instalment_id: int | None) -> None:
    if not _need(page, instalment_id, "还款计划（在下方明细中选中）"):
        return
    row = contracts.instalments_repo(page.ctx.store).get(instalment_id)
    left = row["amount_fen"] - row["paid_amount_fen"]
    dlg = ActionDialog(page, "登记还款", f"第{row['seq']}期，计划 {row['due_on']} 还款 {fen_to_yuan_text(row['amount_fen'])} 元，"
                                        f"尚余 {fen_to_yuan_text(left)} 元。登记后计入已付工程款。")
    amount = dlg.line("还款金额（元）", fen_to_yuan_text(left, thousands=False))
    day = dlg.line("还款日期", page.ctx.today().isoformat())
    reason = dlg.reason()
    dlg.work = lambda: contracts.pay_instalment(page.ctx.store, instalment_id, parse_money(amount.text()), _date(day),
                                                reason.text().strip())
    if dlg.exec():
        page.ctx.changed("contract_arrear")


def show_linked_cases(page, record_id: int | None) -> None:
    if not _need(page, record_id):
        return
    row = page.repo.get(record_id)
    found = contracts.cases_by_nos(page.ctx.store, row.get("case_nos"))
    if not found:
        QMessageBox.information(page, "关联欠薪问题", "本条记录没有填写关联的欠薪问题编号。")
        return
    lines = []
    for c in found:
        if c["id"] is None:
            lines.append(f"{c['case_no']}：欠薪问题台账中没有这个编号")
        else:
            lines.append(f"{c['case_no']}　{c['employer_name']}　{c['status']}　{c['total_workers']} 人　"
                         f"应付 {fen_to_yuan_text(c['total_owed_fen'])} 元，已付 {fen_to_yuan_text(c['total_paid_fen'])} 元")
    QMessageBox.information(page, "关联欠薪问题", "\n".join(lines))


# -- 排查 ------------------------------------------------------------------------------------
def close_hazard(page, inspection_id: int | None) -> None:
    if not _need(page, inspection_id, "排查记录"):
        return
    row = page.repo.get(inspection_id)
    dlg = ActionDialog(page, "整改销号", f"{row['target_name']}：{row['hazard'] or '（未登记隐患）'}")
    day = dlg.line("销号日期", page.ctx.today().isoformat())
    note = dlg.line("整改情况")
    reason = dlg.reason()
    dlg.work = lambda: inspections.close_hazard(page.ctx.store, inspection_id, _date(day), note.text().strip(),
                                                reason=reason.text().strip())
    if dlg.exec():
        page.ctx.changed("inspection")


# -- 日报告 ----------------------------------------------------------------------------------
def daily_from_ledgers(page, _record_id=None) -> None:
    from models import campaign
    from views.record_form import RecordForm
    store = page.ctx.store
    missing = daily.missing_on(store, page.ctx.today())
    dlg = ActionDialog(page, "按台账生成日报告", "从欠薪问题、信访和兑付台账统计所选专班当日的新增数，生成日报告后可修改再保存。")
    ws = dlg.combo("专班", [(w["id"], w["name"]) for w in (missing or campaign.workstreams(store))])
    day = dlg.line("报告日期", page.ctx.today().isoformat())
    picked: dict = {}
    dlg.work = lambda: picked.update(daily.suggest(store, ws.currentData(), _date(day)))
    if not dlg.exec():
        return
    form = RecordForm(page, page.ledger, "日报告", picked,
                      ref_options={"workstream_id": [(w["id"], w["name"]) for w in campaign.workstreams(store)]},
                      on_save=lambda v: daily.submit_return(store, v))
    if form.exec():
        page.ctx.changed("daily_report")


def daily_export_day(page, _record_id=None) -> None:
    day = page.ctx.today()
    default = str(Path.home() / f"日报告汇总-{day:%Y%m%d}.xlsx")
    path, _ = QFileDialog.getSaveFileName(page, "导出当日汇总表", default, "Excel 表格 (*.xlsx)")
    if path:
        from models.reports.daily import export_xlsx      # with the campaign to that day (models.figures)
        out = export_xlsx(page.ctx.store, day, path, day)
        page.ctx.bus.status.emit(f"已导出 {out}")


# -- which page offers which action ---------------------------------------------------------------
ACTIONS: dict[str, list[tuple[str, Callable]]] = {
    "funds": [("分配资金…", allocate_fund)],
    "assets": [("推进进度…", advance_asset), ("收入到账…", asset_income)],
    "contract_arrears": [("关联欠薪问题", show_linked_cases)],
    "blacklist": [("关联欠薪问题", show_linked_cases)],
    "inspections": [("整改销号…", close_hazard)],
    "daily_reports": [("按台账生成今日报告…", daily_from_ledgers), ("导出当日汇总表…", daily_export_day)],
}
CHILD_ACTIONS: dict[tuple[str, str], list[tuple[str, Callable]]] = {
    ("funds", "fund_allocations"): [("撤销分配", cancel_allocation)],
    ("contract_arrears", "contract_instalments"): [("登记还款…", pay_instalment)],
}
