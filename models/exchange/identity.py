"""Which unit a database belongs to, kept as settings of that database.

A township's database names its township (name and code, e.g. the 9-digit 乡镇 区划代码) and
its county, and counts the packages it has sent; a county's database names the county (and,
optionally, the one campaign whose packages it accepts) and holds the dashboard's thresholds.
A database without ``exchange.level`` is a township's (every database made before county mode).
"""
from __future__ import annotations

from dataclasses import dataclass

from models.db import Store

LEVEL = "exchange.level"                 # "township" | "county"
UNIT_NAME = "exchange.unit_name"         # 青山镇 / 青山县
UNIT_CODE = "exchange.unit_code"         # 乡镇或县的区划代码
COUNTY_NAME = "exchange.county_name"     # a township's county
COUNTY_CODE = "exchange.county_code"
CAMPAIGN = "exchange.campaign"           # a county: the campaign it accepts packages of ('' = any)
SEQUENCE = "exchange.sequence"           # a township: the number of its last package
CLEARED_RED = "exchange.cleared_pct_red"     # a county: 清偿率 below this is marked red
OVERDUE_YELLOW = "exchange.overdue_yellow"   # a county: more overdue cases than this is marked yellow
STALE_DAYS = "exchange.stale_days"           # a county: a 报送 older than this many days is marked yellow

COPY = "liaison.copy"                    # a liaison's copy: what the copy is (json)

DEFAULT_THRESHOLDS = {CLEARED_RED: 60.0, OVERDUE_YELLOW: 5, STALE_DAYS: 7}

TOWNSHIP, COUNTY = "township", "county"


@dataclass(frozen=True)
class Unit:
    level: str
    name: str
    code: str
    county_name: str = ""
    county_code: str = ""
    campaign: str = ""


def level(store: Store) -> str:
    try:
        return store.get_setting(LEVEL) or TOWNSHIP
    except Exception:  # noqa: BLE001 - a database too old to have settings is a township's
        return TOWNSHIP


def is_county(store: Store) -> bool:
    return level(store) == COUNTY


def copy_info(store: Store) -> dict | None:
    """The copy a liaison's database was set up from (models.exchange.liaison), or None for any
    other database. Here, with the unit, as the window's menu asks it before its first frame."""
    info = store.get_setting(COPY)
    return info if isinstance(info, dict) and info.get("copy_id") else None


def unit(store: Store) -> Unit:
    g = store.get_setting
    return Unit(level(store), g(UNIT_NAME) or "", g(UNIT_CODE) or "", g(COUNTY_NAME) or "",
                g(COUNTY_CODE) or "", g(CAMPAIGN) or "")


def check_code(code: str, what: str) -> str:
    code = (code or "").strip()
    if code and not (code.isascii() and code.isdigit() and 6 <= len(code) <= 12):
        raise ValueError(f"{what}“{code}”不对：应为6至12位数字（行政区划代码）")
    return code


def set_township(store: Store, *, name: str, code: str, county_name: str, county_code: str = "") -> None:
    """Name this database's township (and its county), in one transaction."""
    name, county_name = (name or "").strip(), (county_name or "").strip()
    code = check_code(code, "乡镇代码")
    county_code = check_code(county_code, "县代码")
    if not name or not code or not county_name:
        raise ValueError("须给出乡镇名称、乡镇代码和所属县名称")
    if county_code and not code.startswith(county_code[:6]):
        raise ValueError(f"乡镇代码 {code} 不在县代码 {county_code} 之下（前6位应相同）")
    if is_county(store):
        raise ValueError("这是县级汇总数据库，不能设为乡镇")
    with store.tx():
        for k, v in ((LEVEL, TOWNSHIP), (UNIT_NAME, name), (UNIT_CODE, code), (COUNTY_NAME, county_name),
                     (COUNTY_CODE, county_code)):
            store.set_setting(k, v)


def set_county(store: Store, *, name: str, code: str = "", campaign: str = "") -> None:
    name = (name or "").strip()
    code = check_code(code, "县代码")
    if not name:
        raise ValueError("须给出县名称")
    with store.tx():
        for k, v in ((LEVEL, COUNTY), (UNIT_NAME, name), (UNIT_CODE, code), (CAMPAIGN, (campaign or "").strip())):
            store.set_setting(k, v)
        for k, v in DEFAULT_THRESHOLDS.items():
            if store.get_setting(k) is None:
                store.set_setting(k, v)


def thresholds(store: Store) -> dict:
    return {k: store.get_setting(k, v) for k, v in DEFAULT_THRESHOLDS.items()}
