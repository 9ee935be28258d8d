"""Qt's own texts (standard buttons, a text box's context menu) in Chinese once the program's
application is set up (desktop.app.make_app installs Qt's qtbase_zh_CN catalogue)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLibraryInfo
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QMessageBox


def test_the_catalogue_ships_with_pyside6():
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    assert (folder / "qtbase_zh_CN.qm").is_file()


def test_standard_buttons_and_menus_are_chinese(qtbot):
    from desktop.app import make_app
    make_app()
    make_app()                                   # a second call installs nothing twice
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Ok).text() == "确定"
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    msg = QMessageBox(QMessageBox.Icon.Question, "移入回收站", "将选中的记录移入回收站？",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    qtbot.addWidget(msg)
    assert msg.button(QMessageBox.StandardButton.Yes).text().replace("&", "").startswith("是")
    assert msg.button(QMessageBox.StandardButton.No).text().replace("&", "").startswith("否")
    edit = QLineEdit("青山镇")
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert any(t.startswith(("撤销", "撤消")) for t in texts) and any(t.startswith("复制") for t in texts), texts
    assert not any(t.startswith(("Undo", "Copy", "Paste")) for t in texts), texts
    menu.deleteLater()


def test_build_spec_bundles_the_catalogue():
    spec = (Path(__file__).resolve().parent.parent / "build.spec").read_text(encoding="utf-8")
    assert "qtbase_zh_CN.qm" in spec
