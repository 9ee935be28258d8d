"""A real demo county: a county database (``models.exchange.identity.set_county``) that has
received the 报送包 of its townships, as a county office ends up after a round of 报送.

Each township is a demo township of its own (``build_demo(..., township=NAME, seed=…)``: its
name and code, firms, people, cases and amounts), of its share of the county's cases and
workers (townships differ in size, as they do), built in a working folder, then it writes its
package (``models.exchange.export.export_package``) and the county receives it
(``models.exchange.receive.receive_package``) — the program's own exchange, nothing emulated.
A few townships reported some days ago (their data end that day), so the dashboard has stale
lines to mark. The working township files and packages are removed as it goes.

All or nothing: the county database and its townships' folder are made in a working folder
beside the target and moved into place only when every township has been received; an error
or a cancel (raised from ``progress``) leaves the target as it was.
"""
from __future__ import annotations

import datetime as _dt
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from models.demo.base import COUNTY_PLAN, DEMO_USER, Progress, _campaign_dates
from models.demo.words import COUNTY, COUNTY_TOWNSHIPS, DEFAULT_COUNTY_CODE

SEND_AT = _dt.time(17, 0)               # townships send their 报送 at the end of the working day


def shares(rng: random.Random, total: int, n: int, spread: float = 0.45, least: int = 1) -> list[int]:
    """``total`` split into ``n`` whole parts of uneven size (none below ``least``), summing to ``total``."""
    raw = [rng.lognormvariate(0, spread) for _ in range(n)]
    s = sum(raw)
    parts = [max(least, int(total * r / s)) for r in raw]
    i = 0
    while sum(parts) != total and i < 100 * n:
        k = i % n
        if sum(parts) < total:
            parts[k] += 1
        elif parts[k] > least:
            parts[k] -= 1
        i += 1
    return parts


def workers_for(rng: random.Random, cases: list[int], total: int) -> list[int]:
    """Workers per township: its cases times a workers-per-case of its own (about the county's
    average, a third more or less), scaled to ``total``; at least one worker a case."""
    raw = [c * rng.lognormvariate(0, 0.3) for c in cases]
    s = sum(raw) or 1.0
    parts = [max(c, int(total * r / s)) for c, r in zip(cases, raw)]
    k = max(range(len(parts)), key=parts.__getitem__)
    parts[k] = max(cases[k], parts[k] + total - sum(parts))
    return parts


def township_names(n: int) -> list[str]:
    names = [s + k for s, k in COUNTY_TOWNSHIPS]
    return [names[i] if i < len(names) else f"{names[i % len(names)][:-1]}{i // len(names) + 1}{names[i % len(names)][-1]}"
            for i in range(n)]


def build_county(path: str | os.PathLike, build_township, *, seed: int = 20261126, today: _dt.date | None = None,
                 progress: Progress | None = None, county: str | None = None, county_code: str | None = None,
                 townships: int | None = None, cases: int | None = None, workers: int | None = None,
                 extras: bool = True, actor=None) -> dict:
    """Make the county at ``path`` (see the module's docstring); ``build_township`` is
    ``models.demo.build_demo`` (passed in, so the two modules do not import each other). ``townships`` / ``cases`` /
    ``workers``: how many townships and their cases and workers in all (30 / 100,000 /
    1,000,000 unless given; the tests build 3 small ones). Refuses (ValueError) a database that
    already holds a campaign or cases, or a townships' folder already beside it. Returns
    {scale, path, county, code, today, townships: [{name, code, cases, workers, as_of,
    build_s, export_s, receive_s, package_bytes}], cases, workers, owed_fen, paid_fen,
    cleared_pct, seconds, cpu_s (this process's CPU seconds), build_s, export_s, receive_s,
    file_bytes, folder_bytes}."""
    from models import campaign as _campaign
    from models.backup import backup_to
    from models.db import Store
    from models.exchange import county as _county, identity
    from models.exchange.export import export_package
    from models.exchange.receive import receive_package, townships_dir

    t0, c0 = time.perf_counter(), time.process_time()
    today = today or _dt.date.today()
    report = progress or (lambda done, total, text: None)
    n = townships or COUNTY_PLAN.townships
    total_cases = cases or COUNTY_PLAN.cases
    total_workers = workers or COUNTY_PLAN.workers
    name = (county or COUNTY).strip()
    code = identity.check_code(county_code or DEFAULT_COUNTY_CODE, "县代码")
    if n < 1 or total_cases < n or total_workers < 0:
        raise ValueError("县级演示数据的乡镇数应大于0，问题数不少于乡镇数")
    target = Path(path)
    folder = townships_dir(target)
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"“{folder.name}”文件夹已存在且不为空：请另选一个新的数据库文件")
    existed = target.exists()
    if existed:
        s = Store(target, user=DEMO_USER, check="light")
        try:
            if s.scalar("SELECT COUNT(*) FROM case_record", default=0) or _campaign.current(s) is not None:
                raise ValueError(f"数据库“{target.name}”中已有数据，不能再生成县级演示数据。请另选一个新的数据库文件。")
        finally:
            s.close()

    rng = random.Random(seed)
    names = township_names(n)
    case_parts = shares(rng, total_cases, n, least=1)
    worker_parts = workers_for(rng, case_parts, total_workers)
    # most townships reported today; a few (about one in eight) some days ago
    late = [0 if rng.random() > 0.13 else rng.randint(2, 12) for _ in range(n)]
    seeds = [rng.randrange(1, 2 ** 31) for _ in range(n)]
    # townships clear at their own pace: most near the county's 60 %, some well behind, some ahead
    pace = [min(0.85, max(0.35, rng.gauss(0.63, 0.09))) for _ in range(n)]
    _, _, name_year = _campaign_dates(today)
    campaign_name = f"{name_year}年根治欠薪冬季专项行动"

    work = Path(tempfile.mkdtemp(prefix=".qq-county-", dir=target.parent))
    db = work / target.name
    lines: list[dict] = []
    try:
        if existed:                       # its accounts (and the office acting) come along
            src = Store(target, user=DEMO_USER, check="light")
            try:
                backup_to(src.conn, db)
            finally:
                src.close()
        store = Store(db, user=DEMO_USER)
        store.actor = actor
        try:
            start, _end, _ = _campaign_dates(today)
            with store.tx(label="生成县级演示数据"):
                _campaign.create_campaign(store, campaign_name, f"{name}根治拖欠农民工工资工作领导小组办公室", start)
                identity.set_county(store, name=name, code=code, campaign=campaign_name)
            for i, town in enumerate(names):
                base = 1 + 98 * i // n
                report(base, 100, f"正在生成第 {i + 1}/{n} 个乡镇：{town}（{case_parts[i]} 件，"
                                  f"农民工 {worker_parts[i]} 人）…")
                day = today - _dt.timedelta(days=late[i])
                town_db = work / f"town-{i + 1:03d}.sqlite"
                pkg = work / f"town-{i + 1:03d}.qqpkg"
                t1 = time.perf_counter()
                built = build_township(town_db, "township", seed=seeds[i], today=day, township=town,
                                   code=f"{code[:6]}{101 + i:03d}", county=name, county_code=code,
                                   _cases=case_parts[i], _workers=worker_parts[i], _extras=extras,
                                   _cleared=(pace[i] - 0.02, pace[i] + 0.02))
                t2 = time.perf_counter()
                ts = Store(town_db, user="报送员")
                try:
                    sent = export_package(ts, pkg, now=_dt.datetime.combine(day, SEND_AT))
                finally:
                    ts.close()
                t3 = time.perf_counter()
                got = receive_package(store, pkg, now=_dt.datetime.combine(day, SEND_AT) + _dt.timedelta(hours=1),
                                      backup=False)
                t4 = time.perf_counter()
                lines.append({"name": town, "code": got["code"], "cases": built["cases"], "workers": built["workers"],
                              "as_of": sent["as_of"], "package_bytes": sent["bytes"], "build_s": round(t2 - t1, 2),
                              "export_s": round(t3 - t2, 2), "receive_s": round(t4 - t3, 2)})
                for p in (pkg, *[town_db.with_name(town_db.name + s) for s in ("", "-wal", "-shm")]):
                    p.unlink(missing_ok=True)
                shutil.rmtree(town_db.with_name(town_db.name + ".backups"), ignore_errors=True)
            report(99, 100, "正在汇总全县数字…")
            figs = _county.county_figures(store, today)
        finally:
            store.close()
        # into place: the county's townships first (the database names them), then the database
        work_folder = townships_dir(db)
        if folder.exists():
            folder.rmdir()                # empty (checked above)
        os.replace(work_folder, folder)
        for suffix in ("-wal", "-shm"):
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        os.replace(db, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    t = figs.totals
    summary = {
        "scale": "county", "path": str(target), "county": name, "code": code, "today": today.isoformat(),
        "townships": lines, "cases": t.get("cases", 0), "workers": t.get("workers", 0),
        "owed_fen": t.get("owed_fen", 0), "paid_fen": t.get("paid_fen", 0), "cleared_pct": t.get("cleared_pct", 0.0),
        "build_s": round(sum(x["build_s"] for x in lines), 2), "export_s": round(sum(x["export_s"] for x in lines), 2),
        "receive_s": round(sum(x["receive_s"] for x in lines), 2),
        "seconds": round(time.perf_counter() - t0, 2), "cpu_s": round(time.process_time() - c0, 1),
        "file_bytes": target.stat().st_size,
        "folder_bytes": sum(p.stat().st_size for p in folder.iterdir() if p.is_file()),
    }
    report(100, 100, "县级演示数据已生成")
    return summary
