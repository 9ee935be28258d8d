"""A form for any declared ledger: one widget per field, derived from the declaration.

Problems are shown in red beside the field they concern, and nothing is saved
until every one is fixed.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QInputDialog, QLabel,
                               QLineEdit, QMessageBox, QPlainTextEdit, QScrollArea, QVBoxLayout, QWidget)

from models.errors import PermissionDenied
from models.ledger.fields import Field, Ledger
from models.ledger.repo import ValidationError
from models.values import ValueProblem

ERROR_STYLE = "border: 1px solid #c0392b; background: #fdecea;"


class FieldEditor:
    """One field's widget, with text in and stored value out."""

    def __init__(self, f: Field, options: Sequence[tuple[Any, str]] | None = None) -> None:
        self.f = f
        self.options = list(options or [])
        kind = f.kind_of                    # models.ledger.kinds: which editor, what hint, which side
        k = self.k = kind.editor
        if k == "multiline":
            w = QPlainTextEdit()
            w.setFixedHeight(64)
        elif k == "check":
            w = QCheckBox()
        elif k == "combo":
            w = QComboBox()
            w.setEditable(False)
            w.addItem("")
            w.addItems(list(f.choices))
        elif k == "reference":
            w = QComboBox()
            w.addItem("", None)
            for value, label in self.options:
                w.addItem(label, value)
        else:
            w = QLineEdit()
            if kind.hint:
                w.setPlaceholderText(kind.hint)
            if kind.align == "R":
                w.setAlignment(Qt.AlignmentFlag.AlignRight)
        w.setObjectName(f"field_{f.name}")
        if not f.editable:
            w.setEnabled(False)
        if f.help:
            w.setToolTip(f.help)
        self.widget = w
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()

    def set_value(self, value: Any) -> None:
        w, k = self.widget, self.k
        if k == "check":
            w.setChecked(bool(value))
        elif k == "combo":
            i = w.findText(str(value or ""))
            if i < 0 and value:
                w.addItem(str(value))
                i = w.count() - 1
            w.setCurrentIndex(max(i, 0))
        elif k == "reference":
            i = w.findData(value)
            w.setCurrentIndex(max(i, 0))
        elif k == "multiline":
            w.setPlainText(str(value or ""))
        else:
            w.setText(self.f.kind_of.edit_text(self.f, value))

    def raw(self) -> Any:
        w, k = self.widget, self.k
        if k == "check":
            return 1 if w.isChecked() else 0
        if k == "combo":
            return w.currentText()
        if k == "reference":
            return w.currentData()
        if k == "multiline":
            return w.toPlainText()
        return w.text()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.widget.setStyleSheet(ERROR_STYLE if message else "")


class RecordForm(QDialog):
    """Edit one record. ``on_save(values)`` writes it and raises ``ValidationError``."""

    def __init__(self, parent: QWidget | None, ledger: Ledger, title: str,
                 values: dict | None = None, *, fields: Sequence[Field] | None = None,
                 ref_options: dict[str, Sequence[tuple[Any, str]]] | None = None,
                 on_save: Callable[[dict], Any] | None = None, read_only: bool = False,
                 fixed: dict | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.ledger = ledger
        self.on_save = on_save
        self.fixed = dict(fixed or {})
        self.result_value: Any = None
        self.editors: dict[str, FieldEditor] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for f in fields or ledger.form_fields:
            ed = FieldEditor(f, (ref_options or {}).get(f.name))
            self.editors[f.name] = ed
            label = f.label + ("＊" if f.required else "")
            box = QWidget()
            lay = QVBoxLayout(box)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.setSpacing(2)
            lay.addWidget(ed.widget)
            lay.addWidget(ed.error)
            form.addRow(label, box)
            if read_only:
                ed.widget.setEnabled(False)
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.addLayout(form)
        column.addStretch(1)                # spare height below the last field, not between a label and its box
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.summary = QLabel()
        self.summary.setStyleSheet("color: #c0392b;")
        self.summary.setWordWrap(True)
        self.summary.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close if read_only else
                                   QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        if not read_only:
            buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
            buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        else:
            buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(scroll)
        lay.addWidget(self.summary)
        lay.addWidget(buttons)
        # never taller than the screen (1366×768 at 125 % leaves about 580 pixels): the fields scroll
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        wanted = inner.sizeHint().height() + buttons.sizeHint().height() + 2 * scroll.frameWidth() + 40
        self.resize(min(560, screen.width() - 40), min(760, screen.height() - 60, wanted))
        for name, value in (values or {}).items():
            if name in self.editors:
                self.editors[name].set_value(value)

    def values(self) -> tuple[dict, dict[str, str]]:
        out, problems = {}, {}
        for name, ed in self.editors.items():
            if not ed.f.editable or not ed.widget.isEnabled():
                continue
            try:
                out[name] = ed.f.parse(ed.raw())
            except ValueProblem as exc:
                problems[name] = str(exc)
        return out, problems

    def show_problems(self, problems: dict[str, str]) -> None:
        for name, ed in self.editors.items():
            ed.show_error(problems.get(name, ""))
        other = [m for n, m in problems.items() if n not in self.editors]
        self.summary.setText("；".join(other) if other else ("请先改正标红的内容，改正前不会保存。" if problems else ""))
        self.summary.setVisible(bool(problems))

    def _write(self, values: dict) -> Any:
        """``on_save(values)``; when a signed ledger refuses it for want of a 修改理由 and ``on_save``
        takes one (``reason=``), the person is asked for it and the save is tried once more."""
        try:
            return self.on_save(values)
        except PermissionDenied as exc:
            from views.reason_prompt import SIGNED
            if SIGNED not in str(exc) or "reason" not in inspect.signature(self.on_save).parameters:
                raise
            text, ok = QInputDialog.getText(self, self.windowTitle(),
                                            "该记录所属台账已审核签字，请填写修改理由（记入审计日志）：")
            if not ok or not text.strip():
                raise _Cancelled from None
            return self.on_save(values, reason=text.strip())

    def save(self) -> None:
        values, problems = self.values()
        values = {**self.fixed, **values}
        if not problems:
            for name, message in self.ledger.validate({**values}):
                if name in self.editors or name not in values:
                    problems.setdefault(name, message)
        if not problems and self.on_save is not None:
            try:
                self.result_value = self._write(values)
            except ValidationError as exc:
                problems = {n: m for n, m in exc.problems}
            except PermissionDenied as exc:
                QMessageBox.warning(self, self.windowTitle(), str(exc))
                return
            except _Cancelled:
                return
        self.show_problems(problems)
        if not problems:
            self.accept()


class _Cancelled(Exception):
    """The person did not give the 修改理由 a signed ledger asks for: nothing was saved."""
