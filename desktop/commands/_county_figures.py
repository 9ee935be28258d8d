"""``qingqian figures`` on a county database: the county total and one line per township."""
from __future__ import annotations

from desktop.commands._common import emit, fail


def print_county(store, today, as_of, args) -> int:
    from models.exchange import county
    if as_of is not None and as_of != today:
        return fail("县级汇总数据库按各乡镇最近一次报送的数字统计，不能按以前某日统计（不用 --date）")
    cf = county.county_figures(store, today)
    emit(args, cf.to_json(), county.text_lines(cf))
    return 0
