"""Every workstream ledger page on the demo township, with screenshots to look at
(/tmp/shots/ledger-<kind>.png), the empty state and the page's own actions."""
from __future__ import annotations

import datetime as _dt
import random
from pathlib import Path

import pytest

from models.db import Store
from models.prefs import Prefs
from views.context import AppContext, DataBus

TODAY = _dt.date(2026, 11, 26)
SHOTS = Path("/tmp/shots")
KINDS = ("funds", "assets", "contract_arrears", "inspections", "petitions", "daily_reports", "blacklist")


@pytest.fixture
def ledger_store(demo_db):
    from models.demo.ledgers import add_demo_ledgers
    s = Store(demo_db, "测试")
    add_demo_ledgers(s, random.Random(7), TODAY)
    yield s
    s.close()


def _ctx(store, tmp_path) -> AppContext:
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
    ctx.today = lambda: TODAY
    return ctx


def _shot(page, name: str) -> Path:
    from desktop.app import register_font
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication
    register_font()
    QApplication.instance().setFont(QFont("WenQuanYi Micro Hei", 10))
    page.setFont(QFont("WenQuanYi Micro Hei", 10))
    page.resize(1500, 820)
    page.show()
    QApplication.processEvents()
    SHOTS.mkdir(parents=True, exist_ok=True)
    out = SHOTS / f"ledger-{name}.png"
    assert page.grab().save(str(out))
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_page_shows_demo_rows(ledger_store, qtbot, tmp_path, kind):
    from desktop import pages
    spec = pages.page(f"ledger:{kind}")
    page = spec.build(_ctx(ledger_store, tmp_path))
    qtbot.addWidget(page)
    assert page.model.rowCount() > 0 and not page.empty.isVisible()
    assert page.totals.text().startswith(f"共 {page.model.rowCount()} 条")
    assert page.model.data(page.model.index(0, 0))                 # first cell has text
    if page.child is not None:                                      # a row with details
        for row in range(page.model.rowCount()):
            page.table.selectRow(row)
            if page.child.model.rowCount():
                break
        assert page.child.model.rowCount() > 0
    out = _shot(page, kind)
    assert out.stat().st_size > 20_000
    assert page.print_to(tmp_path / f"{kind}.pdf").stat().st_size > 5000
    page.close()


def test_every_ledger_is_in_the_window(ledger_store):
    from desktop import pages
    keys = [p.key for p in pages.all_pages()]
    for kind in KINDS:
        assert f"ledger:{kind}" in keys
    titles = [p.title for p in pages.all_pages() if p.key.startswith("ledger:") and p.arg in KINDS]
    # in sidebar order: the ledgers under 台账, then 日报告 under 会议与督办
    assert titles == ["清欠资金台账", "资产处置及资金筹措", "拖欠工程款台账", "排查台账", "信访台账",
                      "失信联合惩戒名单", "日报告 / 零报告"]


def test_the_first_frame_lists_the_pages_the_declarations_have():
    from desktop import ledger_pages, pages
    assert list(ledger_pages.LEDGER_PAGES) == pages.declared_ledger_pages(), \
        "desktop/ledger_pages.py 与台账声明不符：请运行 python -m desktop.pages 重写它"
    assert pages.main(["--check"]) == 0     # what make dist asks before it builds the bundle


def test_once_the_declarations_are_loaded_the_sidebar_follows_them(monkeypatch):
    """A page changed in a declaration shows as soon as the declarations are loaded, and a ledger
    registered while the program runs gets its page, whatever desktop/ledger_pages.py says."""
    from desktop import pages
    from models.ledger import registry
    from models.ledger.fields import Field, Ledger
    registry.all_ledgers()
    monkeypatch.setitem(registry.get("funds").extra, "page_title", "清欠资金台账（改）")
    monkeypatch.setitem(registry.get("targets").extra, "page_order", 29)
    titles = [p.title for p in pages.all_pages() if p.key.startswith("ledger:")]
    assert "清欠资金台账（改）" in titles and "清欠资金台账" not in titles
    assert titles.index("专班目标") < titles.index("清欠资金台账（改）")
    registry.register(Ledger(kind="test_sheds", title="测试工棚台账", table="test_shed",
                             fields=(Field("name", "名称"),), extra={"page": True, "page_order": 39}))
    try:
        titles = [p.title for p in pages.all_pages() if p.key.startswith("ledger:")]
        assert titles.index("测试工棚台账") == titles.index("一企一策措施台账") + 1
    finally:
        registry.unregister("test_sheds")
    assert "测试工棚台账" not in [p.title for p in pages.all_pages()]


RACE = """
import importlib, json, threading, time
from models.ledger import registry
from desktop import pages
slow = importlib.import_module
registry.importlib = type("Slow", (), {"import_module": staticmethod(
    lambda name: (time.sleep(0.02), slow(name))[1])})
loader = threading.Thread(target=registry.kinds)
loader.start()
while not registry._loaded:
    time.sleep(0.001)
mid = [registry.declarations_loaded(), len(pages.all_pages()), len(registry.all_ledgers())]
loader.join()
print(json.dumps(mid + [len(pages.all_pages()), len(registry.all_ledgers())]))
"""


def test_a_thread_loading_the_declarations_leaves_no_gap_in_the_sidebar():
    """The home page's read-ahead may load the declarations on a thread of the window's process
    while the window lists its pages: the list is the whole one from desktop/ledger_pages.py, and
    another thread asking the registry meanwhile waits for every declaration."""
    import json
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", RACE], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.returncode == 0, out.stderr
    loaded, pages_mid, ledgers_mid, pages_after, ledgers_after = json.loads(out.stdout.strip().splitlines()[-1])
    assert not loaded and pages_mid == pages_after and ledgers_mid == ledgers_after


def test_page_filters_banner_and_colours(ledger_store, qtbot, tmp_path):
    from views.generic_ledger_page import GenericLedgerPage
    ctx = _ctx(ledger_store, tmp_path)
    daily = GenericLedgerPage(ctx, "daily_reports")
    qtbot.addWidget(daily)
    assert daily.banner.text().startswith("今日（11月26日）未报：") and "宅基地处置专班" in daily.banner.text()
    box = daily.filters.boxes["is_zero"]
    total = daily.model.rowCount()
    box.setCurrentIndex(box.findData(1))
    assert 0 < daily.model.rowCount() < total and "零报告：是" in daily.totals.text()
    daily.filters.ranges["report_on"][0].setText("2026-11-26")
    daily.filters.ranges["report_on"][0].editingFinished.emit()
    assert daily.model.rowCount() <= 7
    pet = GenericLedgerPage(ctx, "petitions")
    qtbot.addWidget(pet)
    assert "集体访" in pet.banner.text()
    rep = pet.filters.boxes["is_repeat"]
    rep.setCurrentIndex(rep.findData(1))
    n = pet.model.rowCount()
    assert n > 0 and all(pet.model.record(r)["is_repeat"] for r in range(n))
    from PySide6.QtCore import Qt
    colours = {pet.model.data(pet.model.index(r, 0), Qt.ItemDataRole.BackgroundRole) is not None for r in range(n)}
    assert colours == {True}
    insp = GenericLedgerPage(ctx, "inspections")
    qtbot.addWidget(insp)
    assert insp.banner.text().startswith("未销号隐患")
    for p in (daily, pet, insp):
        p.close()


def test_fund_allocation_from_the_page(ledger_store, qtbot, tmp_path, monkeypatch):
    from models import funds
    from views import ledger_actions
    from views.generic_ledger_page import GenericLedgerPage
    ctx = _ctx(ledger_store, tmp_path)
    page = GenericLedgerPage(ctx, "funds")
    qtbot.addWidget(page)
    fid = next(f["id"] for f in funds.fund_options(ledger_store) if f["balance"] > 1_000_000)
    page.table.select_record(fid)
    before = funds.balance(ledger_store, fid)
    seen = {}

    def fake_exec(dlg):
        amount = dlg.fields["分配金额（元）"]
        amount.setText("50000000")                           # far beyond the balance: refused, kept open
        dlg._ok()
        seen["error"] = dlg.error.text()
        amount.setText("2000")
        dlg._ok()
        return dlg.result()
    monkeypatch.setattr(ledger_actions.ActionDialog, "exec", fake_exec)
    page.run_action(ledger_actions.allocate_fund)
    assert "不能超额分配" in seen["error"]
    assert funds.balance(ledger_store, fid) == before - 200_000
    page.table.select_record(fid)
    assert page.child.model.rowCount() >= 1
    page.close()


def test_major_page_and_its_printout(ledger_store, qtbot, tmp_path):
    from views.major_page import MajorPage
    page = MajorPage(_ctx(ledger_store, tmp_path))
    qtbot.addWidget(page)
    n_open = page.model.rowCount()
    assert n_open > 0 and page.projects.rowCount() > 0
    for r in range(n_open):
        rec = page.model.record(r)
        assert (rec["is_major"] or rec["is_sensitive"]) and rec["status"] in ("待核实", "化解中")
    page.open_box.setCurrentIndex(1)
    assert page.model.rowCount() >= n_open
    page.flag_box.setCurrentIndex(page.flag_box.findData("敏感"))
    assert all(page.model.record(r)["is_sensitive"] for r in range(page.model.rowCount()))
    page.flag_box.setCurrentIndex(0)
    page.open_box.setCurrentIndex(0)
    _shot(page, "major")
    from models.reports_major import print_major
    assert print_major(ledger_store, tmp_path / "major.pdf", TODAY).stat().st_size > 5000
    page.close()


def test_empty_ledger_page_says_what_to_do(campaign_store, qtbot, tmp_path):
    from views.generic_ledger_page import GenericLedgerPage
    page = GenericLedgerPage(_ctx(campaign_store, tmp_path), "contract_arrears")
    qtbot.addWidget(page)
    page.show()
    assert page.model.rowCount() == 0 and page.empty.isVisible()
    assert "还没有记录" in page.empty.text() and "导入" in page.empty.text()
    _shot(page, "empty")
    page.close()


def test_ledger_actions_run_their_models(ledger_store, qtbot, tmp_path, monkeypatch):
    """Each declared action opens its dialog and does the work through models/ (dialogs filled in here)."""
    from models import contracts, daily, inspections
    from views import ledger_actions
    from views.generic_ledger_page import GenericLedgerPage
    from views.record_form import RecordForm
    answers: dict[str, str] = {}

    def fake_exec(dlg):
        for label, text in answers.items():
            if label in dlg.fields:
                dlg.fields[label].setText(text)
        dlg._ok()
        assert not dlg.error.isVisible(), dlg.error.text()
        return dlg.result()
    monkeypatch.setattr(ledger_actions.ActionDialog, "exec", fake_exec)
    monkeypatch.setattr(RecordForm, "exec", lambda form: (form.save(), form.result())[1])
    ctx = _ctx(ledger_store, tmp_path)
    s = ledger_store

    insp = GenericLedgerPage(ctx, "inspections")
    qtbot.addWidget(insp)
    open_id = s.scalar("SELECT id FROM inspection WHERE status IN ('待整改', '整改中') ORDER BY id LIMIT 1")
    insp.table.select_record(open_id)
    answers.update({"销号日期": "2026-11-26", "整改情况": "已补设告示牌"})
    insp.run_action(ledger_actions.close_hazard)
    assert inspections.repo(s).get(open_id)["status"] == "已销号"

    ca = GenericLedgerPage(ctx, "contract_arrears")
    qtbot.addWidget(ca)
    inst = s.one("SELECT id, contract_id, amount_fen - paid_amount_fen AS left FROM contract_instalment "
                 "WHERE deleted_at IS NULL AND paid_amount_fen < amount_fen ORDER BY id LIMIT 1")
    owed = contracts.owed(s, inst["contract_id"])
    ca.table.select_record(inst["contract_id"])
    ca.child.table.select_record(inst["id"])
    answers.update({"还款日期": "2026-11-26"})
    from PySide6.QtGui import QAction
    pay = [a for a in ca.child.findChildren(QAction) if a.text() == "登记还款…"]
    assert len(pay) == 1                    # the child pane offers the action …
    pay[0].trigger()                        # … and it pays the selected instalment
    assert contracts.owed(s, inst["contract_id"]) == owed - inst["left"]

    assets_page = GenericLedgerPage(ctx, "assets")
    qtbot.addWidget(assets_page)
    item = s.one("SELECT id, stage FROM asset_item WHERE stage = '摸底登记' LIMIT 1")
    assets_page.table.select_record(item["id"])
    answers.update({"日期": "2026-11-26", "进展情况 / 退回原因": "已委托评估机构"})
    assets_page.run_action(ledger_actions.advance_asset)
    assert s.scalar("SELECT stage FROM asset_item WHERE id = ?", (item["id"],)) != "摸底登记"

    dr = GenericLedgerPage(ctx, "daily_reports")
    qtbot.addWidget(dr)
    before = len(daily.missing_on(s, TODAY))
    answers.update({"报告日期": "2026-11-26"})
    dr.run_action(ledger_actions.daily_from_ledgers)
    assert len(daily.missing_on(s, TODAY)) == before - 1
    assert "未报" in dr.banner.text()
    for p in (insp, ca, assets_page, dr):
        p.close()
