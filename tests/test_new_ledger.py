"""A brand-new ledger declared in a few lines, with no change anywhere else, gets its table,
validation, export, import and a page in the window."""
from __future__ import annotations

import datetime as _dt

import pytest

from models.db import Store
from models.ledger import registry
from models.ledger.fields import Field as F, Ledger
from models.ledger.repo import LedgerRepo, Query, ValidationError

TODAY = _dt.date(2026, 11, 26)


def _no_future(value, row):
    return "购置日期不能晚于今天" if value and value > TODAY.isoformat() else None


VEHICLES = Ledger(
    kind="test_vehicles", title="专班公务用车登记台账", table="test_vehicle", key=("plate",),
    order_by="plate", label_field="plate", workstream_field="workstream_id",
    fields=(
        F("plate", "车牌号", required=True, width=9, search=True, synonyms=("号牌", "车牌")),
        F("model", "品牌型号", width=14, search=True),
        F("workstream_id", "使用专班", "ref", ref_table="workstream", width=12, filter=True),
        F("bought_on", "购置日期", "date", width=10, filter=True, validators=(_no_future,)),
        F("price_fen", "购置价", "money", width=10, sum=True, synonyms=("价格",)),
        F("seats", "座位数", "int", width=5, sum=True),
        F("in_use", "在用", "bool", width=4, filter=True),
        F("kind", "车辆类型", "choice", choices=("轿车", "越野车", "客车"), width=6, filter=True),
    ),
    extra={"page": True, "page_order": 99},
)


@pytest.fixture
def vehicles():
    registry.all_ledgers()
    registry.register(VEHICLES)
    yield VEHICLES
    registry.unregister(VEHICLES.kind)


def _fill(store: Store) -> LedgerRepo:
    from models import campaign
    ws = campaign.workstreams(store)
    repo = LedgerRepo(store, VEHICLES)
    for i, (plate, model, kind) in enumerate((("川Y·A1234", "长安CS75", "越野车"), ("川Y·B5678", "大众帕萨特", "轿车"),
                                              ("川Y·C9012", "宇通ZK6729", "客车"))):
        repo.insert({"plate": plate, "model": model, "workstream_id": ws[i]["id"], "bought_on": f"2024-0{i + 3}-15",
                     "price_fen": (15 + 10 * i) * 1_000_000, "seats": (5, 5, 19)[i], "in_use": int(i != 1), "kind": kind})
    return repo


def test_declared_ledger_gets_table_rules_and_sums(campaign_store, vehicles, tmp_path):
    s = campaign_store
    assert s.one("SELECT 1 FROM sqlite_master WHERE name = 'test_vehicle'") is None    # opened before declaring
    path = s.path
    s2 = Store(path, "测试员")                      # opening the file again creates the declared table
    try:
        cols = {r[1] for r in s2.query("PRAGMA table_info(test_vehicle)")}
        assert {"plate", "price_fen", "workstream_id", "uuid", "deleted_at"} <= cols
        assert s2.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'audit_test_vehicle_%'") == 3
        repo = _fill(s2)
        assert repo.count() == 3 and repo.totals() == {"price_fen": 75_000_000, "seats": 29}
        assert repo.count(Query(equals={"kind": "客车"})) == 1
        assert repo.rows()[0]["workstream_id__label"]
        with pytest.raises(ValidationError, match="购置日期不能晚于今天"):
            repo.insert({"plate": "川Y·D0000", "bought_on": "2030-01-01"})
        with pytest.raises(ValidationError, match="车牌号不能为空"):
            repo.insert({"model": "无牌"})
        values, problems = repo.parse({"price_fen": "12.5万", "bought_on": "2024年5月1日", "kind": "卡车"})
        assert values["price_fen"] == 12_500_000 and values["bought_on"] == "2024-05-01"
        assert problems and "不在可选项中" in problems[0][1]
    finally:
        s2.close()


def test_declared_ledger_round_trips_through_excel(vehicles, campaign_store, tmp_path):
    from models.io import exporter
    from models.io import importer
    s = Store(campaign_store.path, "测试员")
    try:
        _fill(s)
        out = exporter.export_ledger(s, "test_vehicles", tmp_path / "用车.xlsx", today=TODAY)
        assert out.exists()
    finally:
        s.close()
    from models import campaign
    fresh = Store(tmp_path / "fresh.sqlite", "测试员")
    try:
        campaign.create_campaign(fresh, "2026年根治欠薪冬季专项行动", "青山县青山镇人民政府", _dt.date(2026, 9, 14))
        plan = importer.plan_import(fresh, out, "test_vehicles")
        assert not plan.problems and len(plan.rows) == 3, plan.problems
        result = importer.commit_import(fresh, plan)
        assert result["imported"] and result["inserted"] == 3
        rows = {r["plate"]: r for r in LedgerRepo(fresh, VEHICLES).rows()}
        assert rows["川Y·C9012"]["price_fen"] == 35_000_000 and rows["川Y·C9012"]["seats"] == 19
        assert rows["川Y·B5678"]["in_use"] == 0 and rows["川Y·A1234"]["workstream_id__label"] == "欠薪化解专班"
        again = importer.plan_import(fresh, out, "test_vehicles")         # the same file again changes nothing
        assert again.counts()["unchanged"] == 3
    finally:
        fresh.close()


def test_declared_ledger_gets_a_page(vehicles, campaign_store, qtbot, tmp_path):
    from desktop import pages
    from models.prefs import Prefs
    from views.context import AppContext, DataBus
    s = Store(campaign_store.path, "测试员")
    try:
        _fill(s)
        spec = pages.page("ledger:test_vehicles")
        assert spec.title == "专班公务用车登记台账"
        ctx = AppContext(store=s, prefs=Prefs(tmp_path / "prefs.json"), bus=DataBus())
        ctx.today = lambda: TODAY
        page = spec.build(ctx)
        qtbot.addWidget(page)
        assert page.model.rowCount() == 3
        assert "共 3 条" in page.totals.text() and "购置价 750,000.00元" in page.totals.text()
        page.filters.boxes["kind"].setCurrentIndex(page.filters.boxes["kind"].findData("轿车"))
        assert page.model.rowCount() == 1
        page.filters.search.setText("宇通")
        qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=2000)
        page.filters.boxes["kind"].setCurrentIndex(0)
        qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
        assert page.print_to(tmp_path / "用车.pdf").stat().st_size > 3000
        page.close()
    finally:
        s.close()
