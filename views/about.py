"""About: version, database path, font licence."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from views.context import AppContext


class AboutDialog(QDialog):
    def __init__(self, parent, ctx: AppContext) -> None:
        super().__init__(parent)
        from models.version import VERSION
        self.setWindowTitle("关于清欠工作台")
        text = QLabel(
            f"<h2>清欠工作台</h2><p>版本 {VERSION}</p>"
            "<p>乡镇根治欠薪专项行动工作台：问题台账、农民工实名工资、兑付、预警、周调度与报表。<br>"
            "离线运行，数据只保存在本机。</p>"
            f"<p>数据库：{ctx.store_path}<br>数据结构版本：{ctx.store.schema_version()}<br>操作人：{ctx.user}</p>"
            "<p style='color:#666'>界面与报表字体：文泉驿微米黑（Apache-2.0 / GPL-3 含字体例外），许可证随程序附带。</p>")
        text.setWordWrap(True)
        text.setTextInteractionFlags(text.textInteractionFlags() | text.textInteractionFlags().TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(text)
        lay.addWidget(buttons)
        self.resize(520, 320)
