"""The import dialog on a file with problems: it lists them (row as Excel shows it, the
header as written, a Chinese message), highlights them in the preview, imports only on
request, and reports what it did. Saves a screenshot of the preview."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("QQ_SHOTS", "/tmp/shots"))


@pytest.fixture
def cjk_app(qapp):
    from PySide6.QtGui import QFont, QFontDatabase
    fid = QFontDatabase.addApplicationFont(str(ROOT / "resources" / "fonts" / "wqy-microhei.ttc"))
    assert fid >= 0
    family = QFontDatabase.applicationFontFamilies(fid)[0]
    qapp.setFont(QFont(family, 10))
    return qapp


@pytest.fixture
def db_with_case(tmp_path):
    from models import campaign
    from models.db import Store
    from models.ledger import registry
    from models.ledger.repo import LedgerRepo
    path = tmp_path / "d.sqlite"
    s = Store(path, "测试员")
    campaign.create_campaign(s, "2026年根治欠薪冬季专项行动", "青山镇人民政府", dt.date(2026, 9, 14))
    LedgerRepo(s, registry.get("cases")).insert({"case_no": "XS20261100001", "registered_on": "2026-11-01"})
    s.close()
    return path


def bad_roster(path: Path) -> Path:
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("工资花名册")
    title = wb.add_format({"bold": True, "font_size": 14})
    ws.merge_range(0, 0, 0, 8, "青山镇安置房二期工程农民工工资花名册", title)
    ws.write_row(1, 0, ["序号", "姓名", "身份证号码", "联系电话", "工种", "进场时间", "应发工资（元）",
                        "实发工资（元）", "银行卡号"])
    rows = [
        [1, "蒋红福", "511921197807114353", "15138724322", "泥瓦工", "2026-06-20", 20930, 20930, "6230527918523363105"],
        [2, "邓静红", 511923196705052620, "17778972420", "木工", "2026/5/16", 5900, 5900, "6222025253902672242"],
        [3, "秦霞贵", "511902197310115918", "15077719328", "钢筋工", "2026年5月25日", 10490, 5245, "6230526883"],
        [4, "严兰平", "110105199211100065", "1999923572", "泥瓦工", "2026-02-30", 4360, 4360, "6222020148353003881"],
        [5, "段凯", "511921197310050913", "13969540809", "水电工", "2026.06.26", "1.2万", "3万", "6217998288418527393"],
        [6, "", "", "", "", "", "", "", ""],
        [7, "武林国", "３７０８３１１９６６０３１８８２４１", "18732107035", "分拣员", 46126, "1,200.50元", 0, ""],
    ]
    for i, r in enumerate(rows, 2):
        for j, v in enumerate(r):
            if isinstance(v, str):
                ws.write_string(i, j, v)
            else:
                ws.write_number(i, j, v)
    ws.write_row(10, 0, ["合计", "", "", "", "", "", 60000, 40000])
    ws.write_row(12, 0, ["填报人：李红梅", "", "", "审核人：张建国"])
    ws.set_column(0, 8, 14)
    wb.close()
    return path


def test_dialog_lists_problems_and_imports_on_request(cjk_app, qtbot, tmp_path, db_with_case):
    from views.import_dialog import ImportDialog
    file = bad_roster(tmp_path / "花名册（有错）.xlsx")
    dlg = ImportDialog(None, str(db_with_case), "workers", "测试员")
    qtbot.addWidget(dlg)
    dlg.case_edit.setText("XS20261100001")
    dlg.set_file(str(file))
    qtbot.waitUntil(lambda: dlg.plan is not None, timeout=15000)
    dlg.show()
    qtbot.waitExposed(dlg)
    plan = dlg.plan
    got = {(p.row, p.column) for p in plan.problems}
    assert (4, "身份证号码") in got                         # stored as a number: damaged, named
    assert (5, "身份证号码") in got                         # wrong check digit
    assert (5, "银行卡号") in got and (6, "联系电话") in got and (6, "进场时间") in got
    assert (7, "实发工资（元）") in got                     # paid 3万 above owed 1.2万
    t = dlg.problem_table
    assert t.rowCount() == len(plan.problems) >= 6
    rows_listed = {t.item(i, 0).text() for i in range(t.rowCount())}
    assert {"4", "5", "6", "7"} <= rows_listed
    assert any("Excel" in t.item(i, 2).text() for i in range(t.rowCount()))
    assert "问题" in dlg.problem_title.text()
    assert "读取 6 行，可导入 2 行，拒绝 4 行" in dlg.totals_label.text()
    bad_cells = [(i, j) for i in range(dlg.preview.rowCount()) for j in range(dlg.preview.columnCount())
                 if dlg.preview.item(i, j) and dlg.preview.item(i, j).toolTip()]
    assert bad_cells
    dlg.tabs.setCurrentWidget(dlg.preview)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dlg.grab().save(str(SHOTS / "import_preview.png"))

    # nothing is written until asked, and then only the rows that passed
    dlg.import_button.click()
    assert "有被拒绝的行" in dlg.status_label.text()
    dlg.partial_box.setChecked(True)
    dlg.import_button.click()
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=15000)
    assert dlg.result["imported"] and dlg.result["inserted"] == 2
    assert "新增 2 条，更新 0 条，未变 0 条，拒绝 4 条" in dlg.status_label.text()
    from models.db import Store
    s = Store(db_with_case, "测试员")
    assert s.scalar("SELECT COUNT(*) FROM worker") == 2
    s.close()


def test_dialog_mapping_correction_and_unusable_file(cjk_app, qtbot, tmp_path, db_with_case):
    from views.import_dialog import ImportDialog
    f = tmp_path / "m.csv"
    f.write_text("编号,登记日期,企业,钱\nK1,2026-11-01,甲公司,100\n", encoding="gb18030")
    dlg = ImportDialog(None, str(db_with_case), "cases", "测试员", path=str(f))
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.plan is not None, timeout=15000)
    assert dlg.plan.rows[0].values.get("employer_name") is None
    combo = dlg.mapping_choice("企业")
    old = dlg.plan
    combo.setCurrentIndex(combo.findData("employer_name"))
    qtbot.waitUntil(lambda: dlg.plan is not old, timeout=15000)
    assert dlg.plan.rows[0].values["employer_name"] == "甲公司"
    dlg.plan = None
    dlg.set_file(str(f))                                    # the same header again: remembered
    qtbot.waitUntil(lambda: dlg.plan is not None, timeout=15000)
    assert {c.label: c.how for c in dlg.plan.header.columns}["企业"] == "remembered"
    dlg.tabs.setCurrentWidget(dlg.mapping_table)
    dlg.show()
    qtbot.waitExposed(dlg)
    SHOTS.mkdir(parents=True, exist_ok=True)
    dlg.grab().save(str(SHOTS / "import_mapping.png"))

    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a workbook")
    dlg.plan = None
    dlg.set_file(str(junk))
    qtbot.waitUntil(lambda: "junk.xlsx" in dlg.status_label.text(), timeout=15000)
    assert not dlg.import_button.isEnabled()


def test_export_dialog_writes_file(cjk_app, qtbot, tmp_path, db_with_case):
    from views.export_dialog import ExportDialog
    dlg = ExportDialog(None, str(db_with_case), "cases")
    qtbot.addWidget(dlg)
    dlg.csv_radio.setChecked(True)
    dlg.out_edit.setText(str(tmp_path / "out.csv"))
    dlg.export_button.click()
    qtbot.waitUntil(lambda: dlg.path is not None, timeout=15000)
    assert Path(dlg.path).read_bytes().startswith(b"\xef\xbb\xbf")
    assert "已导出" in dlg.status_label.text()


def case_file_with_unmapped_money(path: Path) -> Path:
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("问题台账")
    ws.merge_range(0, 0, 0, 6, "青山镇欠薪问题台账")
    ws.write_row(1, 0, ["编号", "登记日期", "用人单位", "项目名称", "欠薪金额（元）", "本周补发（元）", "联络员"])
    rows = [["QS-01", "2026-11-02", "青山建工有限公司", "安置房二期", 120000, 30000, "王五"],
            ["QS-02", "2026.11.3", "青山劳务公司", "幼儿园改造", 56000.5, "1,200.50元", "赵六"],
            ["QS-03", "2026年11月4日", "红岩装饰公司", "卫生院装修", "1.2万", "0.3万", ""]]
    for i, r in enumerate(rows, 2):
        for j, v in enumerate(r):
            (ws.write_string if isinstance(v, str) else ws.write_number)(i, j, v)
    ws.set_column(0, 6, 14)
    wb.close()
    return path


def test_dialog_stops_on_an_unmapped_money_column_until_decided(cjk_app, qtbot, tmp_path, db_with_case):
    from views.import_dialog import ImportDialog
    f = case_file_with_unmapped_money(tmp_path / "问题台账.xlsx")
    dlg = ImportDialog(None, str(db_with_case), "cases", "测试员", path=str(f))
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.plan is not None, timeout=15000)
    dlg.show()
    qtbot.waitExposed(dlg)
    plan = dlg.plan
    assert [(u["letter"], u["looks_like"]) for u in plan.blocking] == [("F", "金额")]
    assert not dlg.import_button.isEnabled()
    assert dlg.unmapped_label.isVisible() and dlg.decide_button.isVisible()
    assert "F 列“本周补发（元）”（3 个金额）" in dlg.unmapped_label.text()
    assert "G 列“联络员”（2 个有内容的单元格）" in dlg.left_label.text()
    assert "请先在“列对应”中为标红的列选择栏目" in dlg.status_label.text()
    headers = [dlg.preview.horizontalHeaderItem(j).text() for j in range(dlg.preview.columnCount())]
    assert "本周补发（元）（须选择）" in headers and "联络员（未导入）" in headers
    dlg.tabs.setCurrentWidget(dlg.preview)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dlg.grab().save(str(SHOTS / "import_unmapped_money.png"))

    dlg.decide_button.click()
    assert dlg.tabs.currentWidget() is dlg.mapping_table
    notes = {dlg.mapping_table.item(i, 0).text(): dlg.mapping_table.item(i, 3).text()
             for i in range(dlg.mapping_table.rowCount())}
    assert notes["F 列：本周补发（元）"] == "3 个金额，须选择"
    assert dlg.grab().save(str(SHOTS / "import_unmapped_mapping.png"))
    combo = dlg.mapping_choice("本周补发（元）")
    old = dlg.plan
    combo.setCurrentIndex(combo.findData("-"))                  # （不导入）
    qtbot.waitUntil(lambda: dlg.plan is not old, timeout=15000)
    assert not dlg.plan.fatal and dlg.import_button.isEnabled()
    assert [u["header"] for u in dlg.plan.ignored] == ["本周补发（元）"]
    dlg.import_button.click()
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=15000)
    assert dlg.result["imported"] and dlg.result["inserted"] == 3
    status = dlg.status_label.text()
    assert "按选择不导入的列：F 列“本周补发（元）”（3 个）" in status and "G 列“联络员”" in status

    # mapped instead: the column's figures become 已支付金额
    f2 = case_file_with_unmapped_money(tmp_path / "问题台账2.xlsx")
    dlg2 = ImportDialog(None, str(db_with_case), "cases", "测试员", path=str(f2))
    qtbot.addWidget(dlg2)
    qtbot.waitUntil(lambda: dlg2.plan is not None, timeout=15000)
    assert not dlg2.plan.blocking               # the choice is remembered for this header
    combo = dlg2.mapping_choice("本周补发（元）")
    old = dlg2.plan
    combo.setCurrentIndex(combo.findData("paid_fen"))
    qtbot.waitUntil(lambda: dlg2.plan is not old, timeout=15000)
    assert [r.values["paid_fen"] for r in dlg2.plan.rows] == [3000000, 120050, 300000]


def test_dialog_lists_rows_to_complete_and_imports_them(cjk_app, qtbot, tmp_path, db_with_case):
    """An old ledger's closed cases without 核处结论: listed as 待补录 under the preview, not
    refused; the import goes ahead and says how many wait for completion."""
    from views.import_dialog import ImportDialog
    f = tmp_path / "旧台账.csv"
    f.write_text("编号,登记日期,用人单位,欠薪金额,已支付金额,办理状态,核处结论\n"
                 "O-1,2025-01-06,甲公司,3000,3000,已化解,\n"
                 "O-2,2025-02-06,乙公司,2000,2000,已化解,经核实存在欠薪，已支付完毕\n"
                 "O-3,2025-03-06,丙公司,1000,0,化解中,\n", encoding="gb18030")
    dlg = ImportDialog(None, str(db_with_case), "cases", "测试员", path=str(f))
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.plan is not None, timeout=15000)
    t = dlg.problem_table
    assert t.rowCount() == 1 and t.item(0, 0).text() == "2" and t.item(0, 1).text() == "核处结论"
    assert t.item(0, 2).text().startswith("待补录（照常导入）")
    assert "1 行待补录" in dlg.problem_title.text() and dlg.import_button.isEnabled()
    dlg.import_button.click()
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=15000)
    assert dlg.result["imported"] and dlg.result["inserted"] == 3
    assert "待补录 核处结论 1 条" in dlg.status_label.text()
