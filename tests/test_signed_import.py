"""An import that changes rows of a signed ledger needs the user's own reason — on the command
line (--reason) and in the import window (修改理由) alike — and then shows as a change made
after sign-off, like an edit. The file's name is no reason."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from models import campaign, signoff
from models.db import Store
from models.ledger.service import service_for


@pytest.fixture
def signed(tmp_path) -> tuple[Path, Path]:
    db = tmp_path / "镇.sqlite"
    s = Store(db, "办公室")
    campaign.create_campaign(s, "2026年根治欠薪冬季专项行动", "青山县青山镇人民政府", dt.date(2026, 9, 14))
    ws = campaign.workstreams(s)[0]
    for no in ("S-1", "S-2"):
        service_for(s, "cases").insert({"case_no": no, "registered_on": "2026-10-08", "employer_name": "甲公司",
                                        "workstream_id": ws["id"], "amount_fen": 500_000})
    signoff.sign_off(s, ws["id"], dt.date.today().isoformat())
    s.close()
    file = tmp_path / "更正.csv"
    file.write_text("编号,登记日期,欠薪金额,基本情况摘要\nS-1,2026-10-08,6000,核实后更正金额\n", encoding="utf-8")
    return db, file


def _amount(db: Path) -> int:
    s = Store(db)
    try:
        return s.scalar("SELECT amount_fen FROM case_record WHERE case_no = 'S-1'")
    finally:
        s.close()


def test_command_line_import_of_signed_rows_needs_a_reason(signed, capsys):
    from desktop import cli
    db, file = signed
    code = cli.main(["import", str(file), "--db", str(db), "--kind", "cases", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and not out["imported"]
    assert [p["rule"] for p in out["problems"]] == ["签字"] and "须填写理由" in out["problems"][0]["message"]
    assert _amount(db) == 500_000
    code = cli.main(["import", str(file), "--db", str(db), "--kind", "cases", "--json", "--reason", "县里核实后更正"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["imported"] and out["updated"] == 1
    assert _amount(db) == 600_000
    s = Store(db)
    try:
        changed = signoff.changed_after_signoff(s)
        assert [c["reason"] for c in changed] == ["县里核实后更正（导入文件 更正.csv）"]
    finally:
        s.close()


def test_import_window_asks_for_the_reason(signed, qtbot, app_font):
    from views.import_dialog import ImportDialog
    db, file = signed
    dlg = ImportDialog(None, str(db), "cases", "办公室", path=str(file))
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.plan is not None, timeout=15000)
    dlg.commit()
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=15000)
    assert not dlg.result["imported"] and _amount(db) == 500_000
    assert "修改理由" in dlg.status_label.text()           # says what to do
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.grab().save(str(Path(db).with_name("signed-import.png")))
    dlg.reason_edit.setText("县里核实后更正")
    dlg.result = None
    dlg.plan = None
    dlg.set_file(str(file))
    qtbot.waitUntil(lambda: dlg.plan is not None, timeout=15000)
    dlg.commit()
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=15000)
    assert dlg.result["imported"] and _amount(db) == 600_000
