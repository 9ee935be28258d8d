"""The import dialog: choose (or drop) a file, see how its columns map and what is wrong
with which row, then import in one transaction.

Reading and checking (``models.io.importer.plan_import``) and committing
(``commit_import``) run on a worker thread through ``views.jobs.run_job``; each job
opens its own ``Store`` on the database path (a SQLite connection belongs to its
thread). Nothing is written until 导入 is pressed, and a cancelled or failed import
leaves the database as it was.
"""
from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QSplitter,
                               QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from models.io.header import IGNORE
from models.io.plan import skipped_text, totals_text
from models.io.case_column import CASE_CHECK
from models.ledger import registry
from views.jobs import run_job

FILE_FILTER = "表格文件 (*.xlsx *.xls *.ods *.csv *.txt *.et);;所有文件 (*)"
BAD = QColor("#fdecea")
BAD_CELL = QColor("#f5b7b1")
UNDECIDED = QColor("#fdebd0")        # a column with money, dates or ID numbers that no field takes
TO_COMPLETE = QColor("#fef9e7")      # a row imported as it is, to be completed (待补录)
MAX_PROBLEMS_SHOWN = 2000


class ImportDialog(QDialog):
    imported = Signal(dict)          # the result of a finished import, for pages to refresh

    def __init__(self, parent: QWidget | None, store_path: str, kind: str | None, user: str,
                 path: str | None = None, actor=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("导入台账")
        self.setAcceptDrops(True)
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        self.resize(min(1100, screen.width() - 40), min(720, screen.height() - 60))    # never past the screen
        self.store_path = store_path
        self.user = user
        self.actor = actor          # the logged-in account: its role limits what the import may change
        self.plan = None
        self.result: dict | None = None
        self.job = None
        self._mapping: dict[str, str] | None = None
        self._building = False

        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("选择文件，或把文件拖到此窗口")
        browse = QPushButton("选择文件…")
        browse.clicked.connect(self.choose_file)
        from models.io.importer import importable
        self.kind_combo = QComboBox()
        for ledger in registry.all_ledgers():
            if importable(ledger):
                self.kind_combo.addItem(ledger.title, ledger.kind)      # the internal name stays in the data
        if kind:
            i = self.kind_combo.findData(kind)
            if i >= 0:
                self.kind_combo.setCurrentIndex(i)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.sheet_combo = QComboBox()
        self.sheet_combo.setMinimumWidth(140)
        self.sheet_combo.activated.connect(lambda _i: self.check())
        self.case_edit = QLineEdit()
        self.case_edit.setPlaceholderText("所属问题编号，如 XS20261100001")
        self.case_edit.editingFinished.connect(self._case_changed)
        self.partial_box = QCheckBox("有问题的行跳过，只导入通过检查的行")
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("import_reason")
        self.reason_edit.setPlaceholderText("修改理由（改动已审核签字台账的记录时必填）")
        self.reason_edit.setToolTip("导入要改动已审核签字的台账记录时须填写理由：记入审计日志，报表注明“签字后修改”。")

        top = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        top.addRow("文件：", row)
        row2 = QHBoxLayout()
        row2.addWidget(self.kind_combo, 1)
        row2.addWidget(QLabel("工作表："))
        row2.addWidget(self.sheet_combo)
        self.case_label = QLabel("所属问题：")
        row2.addWidget(self.case_label)
        row2.addWidget(self.case_edit)
        top.addRow("台账类型：", row2)

        self.mapping_table = QTableWidget(0, 4)
        self.mapping_table.setHorizontalHeaderLabels(["文件中的列", "对应台账字段", "单位", "未导入的内容"])
        self.mapping_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.mapping_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.mapping_table.verticalHeader().setVisible(False)
        self.preview = QTableWidget(0, 0)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problem_table = QTableWidget(0, 3)
        self.problem_table.setHorizontalHeaderLabels(["行", "列", "问题"])
        self.problem_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.problem_table.verticalHeader().setVisible(False)
        self.problem_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problem_table.cellDoubleClicked.connect(self._goto_problem)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.preview, "预览")
        self.tabs.addTab(self.mapping_table, "列对应")
        self.unmapped_label = QLabel("")        # columns with data that stop the import until decided
        self.left_label = QLabel("")            # columns with data that are left out
        for label, style in ((self.unmapped_label, "color: #c0392b; font-weight: bold;"),
                             (self.left_label, "color: #7f6000;")):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setStyleSheet(style)
            label.setVisible(False)
        unmapped_text = QVBoxLayout()
        unmapped_text.addWidget(self.unmapped_label)
        unmapped_text.addWidget(self.left_label)
        self.decide_button = QPushButton("到“列对应”中选择…")
        self.decide_button.clicked.connect(lambda: self.tabs.setCurrentWidget(self.mapping_table))
        self.decide_button.setVisible(False)
        unmapped_row = QHBoxLayout()
        unmapped_row.addLayout(unmapped_text, 1)
        unmapped_row.addWidget(self.decide_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tabs)
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        self.problem_title = QLabel("问题")
        lay.addWidget(self.problem_title)
        lay.addWidget(self.problem_table)
        split.addWidget(box)
        split.setSizes([380, 270])

        self.totals_label = QLabel("")
        self.totals_label.setWordWrap(True)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.check_button = QPushButton("检查")
        self.check_button.clicked.connect(self.check)
        self.import_button = QPushButton("导入")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.commit)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.partial_box)
        buttons.addWidget(self.reason_edit, 1)
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)

        main = QVBoxLayout(self)
        main.addLayout(top)
        main.addLayout(unmapped_row)
        main.addWidget(split, 1)
        main.addWidget(self.totals_label)
        main.addWidget(self.status_label)
        main.addLayout(buttons)
        self._kind_changed()
        if path:
            self.set_file(path)

    # -- choosing --------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.kind_combo.currentData()

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择要导入的表格", "", FILE_FILTER)
        if path:
            self.set_file(path)

    def set_file(self, path: str) -> None:
        self.file_edit.setText(str(path))
        self.sheet_combo.clear()
        self._mapping = None
        self.check()

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt name
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt name
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.set_file(urls[0])

    def _kind_changed(self, *_a) -> None:
        ledger = registry.get(self.kind)
        has_parent = bool(ledger.parent)
        self.case_label.setVisible(has_parent)
        self.case_edit.setVisible(has_parent)
        self._mapping = None
        if self.file_edit.text():
            self.check()

    def _case_changed(self) -> None:
        if self.file_edit.text() and self.plan is not None:
            self.check()

    # -- checking ----------------------------------------------------------------------------
    def check(self) -> None:
        path = self.file_edit.text()
        if not path or (self.job is not None and self.job.thread.isRunning()):
            return
        kind, store_path, user, actor = self.kind, self.store_path, self.user, self.actor
        case_no = (self.case_edit.text().strip() or None) if registry.get(kind).parent else None
        sheet = self.sheet_combo.currentText() or None
        mapping = dict(self._mapping) if self._mapping else None

        def job(ctx):
            from models.db import Store
            from models.io.header import remember
            from models.io.importer import plan_import
            store = Store(store_path, user, check=False)
            store.actor = actor
            try:
                plan = plan_import(store, path, kind, case_no=case_no, sheet=sheet, mapping=mapping, ctx=ctx)
                if not plan.blocking:           # the rows the ledger's rules would refuse at commit, refused now
                    from models.io.rehearsal import rehearse
                    ctx.check()
                    # a signed ledger's rows wait for the 修改理由 asked when importing (as before)
                    refusal = rehearse(store, plan, reason="（检查）", write=False)
                    if refusal:
                        plan.notes.append(refusal)
                if mapping:
                    remember(store, plan.header, kind)     # the user's correction, for the next such file
                return plan
            finally:
                store.close()

        self._busy("正在读取和检查…")
        self.job = run_job(self, "正在检查文件", job, on_done=self._planned, on_error=self._failed,
                           on_cancel=lambda: self._idle("已取消检查。"))

    def _planned(self, plan) -> None:
        self.plan = plan
        if plan.blocking:
            after = "请先在“列对应”中为标红的列选择栏目或“不导入”。"
        elif plan.fatal or plan.check_only:
            after = ""
        else:
            after = "请按“导入”写入数据库。"
        self._idle("检查完毕，尚未写入。" + after)
        self._show_sheets(plan)
        self._show_unmapped(plan)
        self._show_mapping(plan)
        self._show_preview(plan)
        self._show_problems(plan)
        self._show_totals(plan)
        can = not plan.fatal and not plan.check_only and any(not r.problems for r in plan.rows)
        self.import_button.setEnabled(can)

    def _failed(self, exc: Exception) -> None:
        self.plan = None
        self.import_button.setEnabled(False)
        self._idle("")
        self.status_label.setStyleSheet("color: #c0392b;")
        self.status_label.setText(str(exc))

    def _busy(self, text: str) -> None:
        self.status_label.setStyleSheet("")
        self.status_label.setText(text)
        self.check_button.setEnabled(False)
        self.import_button.setEnabled(False)

    def _idle(self, text: str) -> None:
        self.check_button.setEnabled(True)
        if text:
            self.status_label.setStyleSheet("")
            self.status_label.setText(text)

    # -- showing -----------------------------------------------------------------------------------
    def _show_sheets(self, plan) -> None:
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(plan.book.sheet_names)
        self.sheet_combo.setCurrentText(plan.sheet)
        self.sheet_combo.blockSignals(False)

    def _show_unmapped(self, plan) -> None:
        """The columns with data that are not imported, above the preview: those that stop the
        import (money, dates, ID numbers) in red, with a button to the mapping."""
        blocking = plan.blocking
        stop = ""
        if blocking:
            stop = "以下列有数据但没有对应的台账栏目，为免丢失数据，须先在“列对应”中选择栏目或“不导入”：" + "、".join(
                f"{u['letter']} 列“{u['header']}”（{u['cells']} 个{u['looks_like']}）" for u in blocking)
        lines = []
        others = [u for u in plan.unmapped if not u["blocks"]]
        if others:
            lines.append("以下列有数据，不会导入：" + "、".join(
                f"{u['letter']} 列“{u['header']}”（{u['cells']} 个{u['looks_like'] or '有内容的单元格'}）"
                for u in others))
        if plan.ignored:
            lines.append("已选择不导入：" + "、".join(f"{u['letter']} 列“{u['header']}”" for u in plan.ignored))
        self.unmapped_label.setText(stop)
        self.unmapped_label.setVisible(bool(stop))
        self.left_label.setText("\n".join(lines))
        self.left_label.setVisible(bool(lines))
        self.decide_button.setVisible(bool(blocking))

    def _show_mapping(self, plan) -> None:
        ledger = plan.ledger
        unmapped = {u["letter"]: u for u in plan.unmapped}
        ignored = {u["letter"]: u for u in plan.ignored}
        cols = [c for c in plan.header.columns if c.label or c.parent or c.letter in unmapped]
        self._building = True
        t = self.mapping_table
        t.setRowCount(len(cols))
        fields = [(f.name, f.label) for f in ledger.stored_fields if f.editable or f.name == ledger.parent]
        for i, col in enumerate(cols):
            u = unmapped.get(col.letter)
            item = QTableWidgetItem(f"{col.letter} 列：{col.title or '（无表头）'}")
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            t.setItem(i, 0, item)
            combo = QComboBox()
            blocks = bool(u and u["blocks"])
            combo.addItem("（请选择栏目或“不导入”）" if blocks else "（未导入）", "")
            combo.addItem("（不导入）", IGNORE)
            for name, label in fields:
                combo.addItem(label, name)
            current = col.field or (IGNORE if col.how == "ignored" else "")
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.setProperty("column_key", col.key if (col.label or col.parent) else "@" + col.letter)
            combo.currentIndexChanged.connect(self._mapping_edited)
            t.setCellWidget(i, 1, combo)
            t.removeCellWidget(i, 2)
            if col.field and ledger.field(col.field).kind == "money":
                units = QComboBox()
                units.addItems(["元", "万元"])
                units.setCurrentText(col.unit or ledger.field(col.field).unit)
                units.setToolTip("表中未写单位的数字按此单位理解；单元格里写明“元”“万”的以单元格为准")
                units.currentIndexChanged.connect(self._mapping_edited)
                t.setCellWidget(i, 2, units)
                t.setItem(i, 2, QTableWidgetItem(""))
            else:
                unit = QTableWidgetItem("")
                unit.setFlags(unit.flags() & ~Qt.ItemFlag.ItemIsEditable)
                t.setItem(i, 2, unit)
            what = ""
            if u:
                what = f"{u['cells']} 个{u['looks_like'] or '有内容的单元格'}" + (f"（{u['why']}）" if u.get("why") else "")
                what += "，须选择" if blocks else ""
            elif col.letter in ignored:
                what = f"{ignored[col.letter]['cells']} 个有内容的单元格，已选择不导入"
            elif col.how == "计算列":
                derived = [ledger.field(k).label for k, letter in plan.derived.items() if letter == col.letter]
                what = f"用于推算“{derived[0]}”，本身不导入" if derived else "程序计算的列，不导入"
            elif col.how == CASE_CHECK:
                what = "逐行核对是否为所填的所属问题，不单独导入"
            elif col.how == "核对列":
                what = "用于核对同名的人，不单独导入"
            note = QTableWidgetItem(what)
            note.setFlags(note.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if blocks:
                for j in (0, 3):
                    (note if j == 3 else item).setBackground(QBrush(BAD_CELL))
            t.setItem(i, 3, note)
        t.resizeColumnToContents(3)
        self._building = False

    def _mapping_edited(self, *_a) -> None:
        if self._building:
            return
        mapping = {}
        for i in range(self.mapping_table.rowCount()):
            combo = self.mapping_table.cellWidget(i, 1)
            units = self.mapping_table.cellWidget(i, 2)
            name = combo.currentData() or ""
            if name and name != IGNORE and isinstance(units, QComboBox):
                name += "|" + units.currentText()
            mapping[combo.property("column_key")] = name
        self._mapping = mapping
        self.check()

    def _show_preview(self, plan) -> None:
        from models.io.cells import text_value
        left = {u["letter"] for u in plan.unmapped}
        cols = [c for c in plan.header.columns if c.label or c.parent or c.letter in left]
        rows = [r for r in plan.rows if r.cells is not None]
        bad_first = sorted(rows, key=lambda r: (not r.problems, r.row))[:300]
        shown = sorted(bad_first, key=lambda r: r.row)
        t = self.preview
        t.clear()
        t.setColumnCount(len(cols))
        blocking = {u["letter"] for u in plan.blocking}
        t.setHorizontalHeaderLabels([(c.label or c.parent or c.letter) + ("（须选择）" if c.letter in blocking else
                                                              "（未导入）" if c.letter in left else "")
                                     for c in cols])
        t.setRowCount(len(shown))
        fields = {c.index: c.field for c in cols}
        for i, r in enumerate(shown):
            t.setVerticalHeaderItem(i, QTableWidgetItem(str(r.row)))
            bad = {p.column: p.message for p in r.problems}
            for j, col in enumerate(cols):
                raw = r.cells[col.index] if col.index < len(r.cells) else None
                item = QTableWidgetItem(_shown(raw, text_value))
                label = col.label or col.parent
                if label in bad:
                    item.setBackground(QBrush(BAD_CELL))
                    item.setToolTip(bad[label])
                elif r.problems:
                    item.setBackground(QBrush(BAD))
                elif col.letter in blocking:
                    item.setBackground(QBrush(UNDECIDED))
                    item.setToolTip("此列没有对应的台账栏目：请在“列对应”中选择栏目或“不导入”")
                if not fields.get(col.index):
                    item.setForeground(QBrush(QColor("#999999") if col.letter not in blocking else QColor("#7b241c")))
                t.setItem(i, j, item)
        t.resizeColumnsToContents()
        for j in range(t.columnCount()):
            t.setColumnWidth(j, min(t.columnWidth(j), 220))

    def _show_problems(self, plan) -> None:
        problems = plan.problems
        t = self.problem_table
        shown = problems[:MAX_PROBLEMS_SHOWN]
        gaps = plan.still_incomplete()[:max(0, MAX_PROBLEMS_SHOWN - len(shown))]
        t.setRowCount(len(shown) + len(gaps))
        for i, p in enumerate(shown):
            t.setItem(i, 0, QTableWidgetItem(str(p.row)))
            t.setItem(i, 1, QTableWidgetItem(p.column))
            t.setItem(i, 2, QTableWidgetItem(p.message))
        for k, g in enumerate(gaps, len(shown)):         # imported as they are, listed for completion
            for j, text in enumerate((str(g["row"]), g["column"], f"待补录（照常导入）：{g['message']}")):
                item = QTableWidgetItem(text)
                item.setBackground(QBrush(TO_COMPLETE))
                t.setItem(k, j, item)
        t.resizeColumnToContents(0)
        t.resizeColumnToContents(1)
        more = f"（只列出前 {MAX_PROBLEMS_SHOWN} 个）" if len(problems) > len(shown) else ""
        if plan.fatal:
            self.problem_title.setText(f"<b style='color:#c0392b'>{html.escape(plan.fatal)}</b>")   # headers are the file's
        elif problems:
            rows = len({p.row for p in problems})
            self.problem_title.setText(f"<b style='color:#c0392b'>问题 {len(problems)} 个，涉及 {rows} 行</b>"
                                       f"{more}（双击定位到该行）")
        elif gaps:
            self.problem_title.setText(f"<b style='color:#1e8449'>没有发现错误</b>；{len(plan.still_incomplete())} 行"
                                       "待补录，照常导入，导入后可在“数据审核”中补录")
        else:
            self.problem_title.setText("<b style='color:#1e8449'>没有发现问题</b>")
        if problems and not plan.fatal:
            self.tabs.setCurrentWidget(self.preview)

    def _show_totals(self, plan) -> None:
        j = plan.to_json()
        t = j["totals"]
        header_rows = "、".join(str(x) for x in j["header_rows"])
        text = (f"工作表“{plan.sheet}”，表头在第 {header_rows} 行；读取 {j['rows_read']} 行，"
                f"可导入 {j['rows_imported']} 行，拒绝 {j['rows_rejected']} 行。"
                f"合计（仅计可导入的行）：{totals_text(t)}。"
                f"将新增 {j['inserted']} 条，更新 {j['updated']} 条，未变 {j['unchanged']} 条。")
        skipped = skipped_text(j["skipped"], limit=6)
        if skipped:
            text += skipped + "。"
        notes = list(plan.notes)
        self.totals_label.setText(text + ("\n" + "\n".join(notes) if notes else ""))

    def _goto_problem(self, row: int, _col: int) -> None:
        item = self.problem_table.item(row, 0)
        if item is None:
            return
        for i in range(self.preview.rowCount()):
            head = self.preview.verticalHeaderItem(i)
            if head is not None and head.text() == item.text():
                self.tabs.setCurrentWidget(self.preview)
                self.preview.selectRow(i)
                self.preview.scrollToItem(self.preview.item(i, 0))
                return

    # -- committing ------------------------------------------------------------------------------------
    def commit(self) -> None:
        plan = self.plan
        if plan is None:
            return
        store_path, user, partial = self.store_path, self.user, self.partial_box.isChecked()
        reason = self.reason_edit.text().strip()
        actor = self.actor
        if any(r.problems for r in plan.rows) and not partial:
            self.status_label.setStyleSheet("color: #c0392b;")
            self.status_label.setText("有被拒绝的行。请修改文件后重新检查，或勾选“只导入通过检查的行”。")
            return

        def job(ctx):
            from models.db import Store
            from models.io.importer import commit_import
            store = Store(store_path, user, check=False)
            store.actor = actor
            try:
                return commit_import(store, plan, accept_partial=partial, ctx=ctx, reason=reason)
            finally:
                # a large import's log is copied into the file on its own thread meanwhile: the
                # window, which holds the database, shows the result without waiting for it
                store.close(wait_for_copy=False)

        self._busy("正在导入…")
        self.job = run_job(self, "正在导入", job, on_done=self._committed, on_error=self._commit_failed,
                           on_cancel=lambda: self._idle("已取消导入，数据库未作任何改动。"))

    def _committed(self, result: dict) -> None:
        from models.io.importer import summary_text
        self.result = result
        self._idle("")
        if result.get("imported"):
            self.status_label.setStyleSheet("color: #1e8449; font-weight: bold;")
            self.status_label.setText("导入完成：" + summary_text(result) + "。")
            self.import_button.setEnabled(False)
            self.cancel_button.setText("关闭")
            self.imported.emit(result)
        elif any(p.get("rule") == "签字" for p in result.get("problems", ())):
            self.status_label.setStyleSheet("color: #c0392b;")
            self.status_label.setText("未导入：文件要改动已审核签字台账的记录，请在“修改理由”中写明理由，再点“检查”后导入。")
            self.reason_edit.setFocus()
        else:
            self.status_label.setText("未导入：" + summary_text(result) + "。")

    def _commit_failed(self, exc: Exception) -> None:
        self._idle("")
        self.import_button.setEnabled(True)
        self.status_label.setStyleSheet("color: #c0392b;")
        self.status_label.setText(f"导入失败，数据库未作任何改动：{exc}")

    def reject(self) -> None:
        if self.job is not None and self.job.thread.isRunning():
            self.job.cancel()
            self.job.wait(10000)
        super().reject()

    def mapping_choice(self, column_key: str) -> Any:
        """The field chosen for a column (for tests and scripts)."""
        for i in range(self.mapping_table.rowCount()):
            combo = self.mapping_table.cellWidget(i, 1)
            if combo.property("column_key") == column_key:
                return combo
        return None


def _shown(raw: Any, text_value) -> str:
    """A cell as Excel shows it: a long number in a number cell appears as 5.11923E+17."""
    if isinstance(raw, float) and abs(raw) >= 1e15:
        return f"{raw:.5E}"
    return text_value(raw)
