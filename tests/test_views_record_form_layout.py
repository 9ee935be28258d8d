"""A record form is as tall as its fields: a multi-line 备注 box sits beside its label (it sat
60 px below it, the spare height put between them), and a short form has no empty half."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFormLayout

from models.ledger import registry
from views.record_form import RecordForm


def _row_tops(form: RecordForm, name: str) -> tuple[int, int]:
    layout = form.findChild(QFormLayout)
    editor = form.editors[name].widget
    for row in range(layout.rowCount()):
        label = layout.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field = layout.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if field is not None and editor in field.widget().findChildren(type(editor)):
            top = editor.mapTo(form, editor.rect().topLeft()).y()
            return label.widget().mapTo(form, label.widget().rect().topLeft()).y(), top
    raise AssertionError(name)


@pytest.mark.parametrize("kind", ["funds", "workers", "cases"])
def test_each_box_is_beside_its_label_and_the_form_has_no_empty_half(qtbot, app_font, kind):
    form = RecordForm(None, registry.get(kind), "编辑", {"notes": "按“先垫付、后追偿”使用"})
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    label_top, box_top = _row_tops(form, "notes")
    assert abs(box_top - label_top) <= 8, (label_top, box_top)
    fields = max(form.editors[n].widget.mapTo(form, form.editors[n].widget.rect().bottomLeft()).y()
                 for n in form.editors)
    if len(form.editors) <= 14:                         # all in view: little below the last field
        assert form.height() - fields < 110, (form.height(), fields)
