"""The import dialog's list of ledgers shows their Chinese titles only, never the internal
names (cases, workers …), which stay in the items' data."""
from __future__ import annotations

import re


def test_ledger_list_shows_titles_only(campaign_store, qtbot):
    from views.import_dialog import ImportDialog
    dlg = ImportDialog(None, str(campaign_store.path), "cases", "测试员")
    qtbot.addWidget(dlg)
    box = dlg.kind_combo
    assert box.currentText() == "欠薪问题台账" and box.currentData() == "cases"
    texts = [box.itemText(i) for i in range(box.count())]
    kinds = [box.itemData(i) for i in range(box.count())]
    assert "workers" in kinds and "农民工工资支付台账" in texts
    assert not [t for t in texts if re.search(r"[A-Za-z_]", t)], texts
