"""Every module that declares a ledger's write service (``@service``) is named in
``SERVICE_MODULES``: a service found only when some other screen happened to import its module
first would let the recycle bin or an import write through the plain service, skipping the
ledger's rules (the action items' restore once did)."""
from __future__ import annotations

import re
from pathlib import Path

from models.ledger.service import SERVICE_MODULES

ROOT = Path(__file__).resolve().parent.parent


def test_every_service_module_is_listed():
    declared = set()
    for path in (ROOT / "models").rglob("*.py"):
        if path.name == "service.py" and path.parent.name == "ledger":
            continue
        if re.search(r"^@service\(", path.read_text(encoding="utf-8"), re.M):
            declared.add(".".join(path.relative_to(ROOT).with_suffix("").parts))
    assert declared and declared <= set(SERVICE_MODULES), sorted(declared - set(SERVICE_MODULES))
