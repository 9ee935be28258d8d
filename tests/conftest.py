"""Test set-up: Qt off-screen, the bundled font, a township database built once
per session and copied per test."""
from __future__ import annotations

import datetime as _dt
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QINGQIAN_HOME", str(Path(__file__).parent / ".home-unused"))
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

TODAY = _dt.date(2026, 11, 26)
DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("QINGQIAN_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    from models import demo
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    demo.build_demo(path, "township", today=TODAY)     # without the plans' parts (tests/test_demo_plans.py)
    return path


@pytest.fixture(scope="module")
def town(demo_template, tmp_path_factory) -> Path:
    """The township demo, a copy of its own for each test module (built once per session)."""
    from models.backup import backup_to
    from models.db import Store
    src = Store(demo_template, "测试")
    target = tmp_path_factory.mktemp("town") / "town.sqlite"
    backup_to(src.conn, target)
    src.close()
    return target


@pytest.fixture(scope="module")
def town_targets(demo_template, tmp_path_factory):
    """The township demo with its 专班目标, certificate and documents (the demo's plans part):
    (its path, what the plans part made)."""
    import random

    from models.backup import backup_to
    from models.db import Store
    from models.demo import targets as demo_targets
    src = Store(demo_template, "测试")
    path = tmp_path_factory.mktemp("targets") / "t.sqlite"
    backup_to(src.conn, path)
    src.close()
    s = Store(path, "测试")
    try:
        out = demo_targets.populate(s, random.Random(7), TODAY)
    finally:
        s.close()
    return path, out


@pytest.fixture
def demo_db(demo_template, tmp_path) -> Path:
    """A fresh copy of the township demo for one test."""
    from models.db import Store
    src = Store(demo_template, "测试")
    target = tmp_path / "demo.sqlite"
    from models.backup import backup_to
    backup_to(src.conn, target)
    src.close()
    return target


@pytest.fixture
def store(tmp_path):
    from models.db import Store
    s = Store(tmp_path / "t.sqlite", "测试员")
    yield s
    s.close()


@pytest.fixture
def campaign_store(store):
    from models import campaign
    campaign.create_campaign(store, "2026年根治欠薪冬季专项行动", "青山县青山镇人民政府", _dt.date(2026, 9, 14))
    return store


@pytest.fixture(scope="session")
def qapp_args():
    return ["qingqian-tests"]


@pytest.fixture(scope="session", autouse=True)
def _font(request):
    """Register the bundled CJK font once, when a Qt application exists."""
    yield


@pytest.fixture
def app_font(qapp):
    from desktop.app import register_font
    from PySide6.QtGui import QFont
    register_font()
    qapp.setFont(QFont("WenQuanYi Micro Hei", 10))
    return qapp


@pytest.fixture
def filled(campaign_store):
    """60 cases in three workstreams from two employers and two sources, a worker on every fifth."""
    from models import campaign, case_workers, cases
    from models.rules.idcard import make_valid_id
    s = campaign_store
    ws = campaign.workstreams(s)
    for i in range(60):
        cid = cases.register_case(s, {"registered_on": f"2026-10-{1 + i % 28:02d}",
                                      "employer_name": ["青山县宏达建筑劳务有限公司", "巴中市华厦建工集团有限公司"][i % 2],
                                      "amount_fen": 10000 * (i + 1), "workstream_id": ws[i % 3]["id"],
                                      "source": ["12345", "信访来访"][i % 2]})
        if i % 5 == 0:
            case_workers.add_worker(s, cid, {"name": f"工人{i}", "id_number": make_valid_id("511322", _dt.date(1980, 1, 1), i),
                                             "owed_fen": 50000, "phone": "13812345678", "bank_card": "6217001234567890123"})
    return s


def damaged_copies(base: bytes, seed: int, n: int, *, most: int = 6, keep_head: int = 0, cut: float = 0.2):
    """``n`` copies of ``base`` as a failing disk, a USB stick or a mail gateway hands them over:
    1 to ``most`` bytes changed (never the first ``keep_head``), and a share ``cut`` of them cut off."""
    import random
    rnd = random.Random(seed)
    for _ in range(n):
        b = bytearray(base)
        for _ in range(rnd.randint(1, most)):
            b[rnd.randrange(keep_head, len(b))] = rnd.randrange(256)
        yield bytes(b[:rnd.randrange(len(b))] if rnd.random() < cut else b)
