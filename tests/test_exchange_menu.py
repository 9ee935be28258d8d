"""The window's 数据交换 menu: a township makes its 报送包 and imports the county's 下发包, a
county receives several 报送包 at once and makes its 下发包, the office opens the clash dialog;
each on a worker thread, its result told in one message."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QMainWindow, QMessageBox

from models.db import Store
from models.exchange import dispatch
from test_exchange import TOWNS, make_county, make_town


@pytest.fixture
def said(monkeypatch):
    out = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text: out.append(("ok", title, text)))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text: out.append(("refused", title, text)))
    return out


def _menu(db, qtbot, tmp_path, user):
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    from views.exchange.exchange_menu import ExchangeMenu
    store = Store(db, user)
    ctx = AppContext(store=store, prefs=Prefs(tmp_path / f"{db.stem}.json"), bus=DataBus())
    win = QMainWindow()
    qtbot.addWidget(win)
    return ExchangeMenu(win, ctx), store


def test_township_and_county_exchange_from_the_window(qtbot, tmp_path, said):
    c = make_county(tmp_path / "county.sqlite")
    towns = [make_town(tmp_path / f"{code}.sqlite", seed, name, code) for seed, name, code in TOWNS[:2]]
    pkgs = []
    for t in towns:
        menu, store = _menu(t, qtbot, tmp_path, "镇办公室")
        assert [a.text() for a in menu.menu.actions() if a.text()] == [
            "制作报送包（报县级）…", "导入县级下发包…", "为专班联络员制作专班副本…", "专班回报包冲突裁定…"]
        out = tmp_path / f"{t.stem}.qqpkg"
        job = menu.make_report_package(out)
        qtbot.waitUntil(lambda: len(said) == len(pkgs) + 1, timeout=60000)
        assert job is not None and said[-1][0] == "ok" and "第 1 号报送包" in said[-1][2] and out.exists()
        pkgs.append(out)
        store.close()
    menu, store = _menu(c, qtbot, tmp_path, "县办公室")
    assert [a.text() for a in menu.menu.actions()] == ["接收乡镇报送包…", "制作下发包（督办事项、节假日、失信名单、阈值）…"]
    said.clear()
    bad = tmp_path / "bad.qqpkg"
    bad.write_bytes(b"not a package")
    menu.receive_reports([*pkgs, bad])
    qtbot.waitUntil(lambda: len(said) == 1, timeout=60000)
    lines = said[0][2].splitlines()
    assert [line[0] for line in lines] == ["✓", "✓", "✗"] and "已接收" in lines[0] and "bad.qqpkg" in lines[2]
    assert store.scalar("SELECT COUNT(*) FROM exchange_township") == 2
    dispatch.add_directive(store, content="督促兑付农民工工资", townships=[TOWNS[0][2]],
                           due=dt.date(2026, 12, 20), today=dt.date.today())
    down = tmp_path / "down.qqpkg"
    said.clear()
    menu.make_dispatch(down)
    qtbot.waitUntil(lambda: len(said) == 1, timeout=60000)
    assert said[0][0] == "ok" and down.exists()
    store.close()
    # the township imports it: the 督办事项 is among its action items
    menu, store = _menu(towns[0], qtbot, tmp_path, "镇办公室")
    said.clear()
    menu.apply_dispatch(down)
    qtbot.waitUntil(lambda: len(said) == 1, timeout=60000)
    assert said[0][0] == "ok", said
    assert store.scalar("SELECT COUNT(*) FROM action_item WHERE content LIKE '%督促兑付农民工工资%'") == 1
    # the same package again: nothing changed
    said.clear()
    menu.apply_dispatch(down)
    qtbot.waitUntil(lambda: len(said) == 1, timeout=60000)
    assert "此前已导入" in said[0][2]
    store.close()


def test_the_clash_dialog_opens_from_the_menu(qtbot, tmp_path, said, monkeypatch):
    from views.exchange import clash_dialog
    t = make_town(tmp_path / "t.sqlite", 1, *TOWNS[0][1:])
    opened = []
    monkeypatch.setattr(clash_dialog.ClashDialog, "exec", lambda self: opened.append(self) or 0)
    menu, store = _menu(t, qtbot, tmp_path, "镇办公室")
    try:
        menu.decide_clashes()
        assert len(opened) == 1 and menu.actions["clashes"].text() == "专班回报包冲突裁定…"
    finally:
        store.close()
