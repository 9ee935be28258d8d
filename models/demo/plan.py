"""Planning the demo's cases before any is written: when each comes in, how big it is, how
far it has got by today, and a calibration so the township lands near 60 % cleared."""
from __future__ import annotations

from models.demo.base import _Ctx, _Pick
from models.demo.words import _SOURCE_WEIGHTS

# Relative number of new cases per week (11 weeks: ten full weeks and the current one):
# a rise in weeks 3–6 as the campaign gets going, then a decline.
_WEEK_SHAPE = [0.45, 0.6, 0.85, 1.3, 1.65, 1.75, 1.5, 1.05, 0.85, 0.7, 0.75]
_DOW_WEIGHT = [1.3, 1.15, 1.1, 1.05, 1.0, 0.22, 0.12]


def _registration_days(ctx: _Ctx, n: int) -> list[int]:
    rng, start, today = ctx.rng, ctx.start.toordinal(), ctx.today.toordinal()
    n_weeks = (today - start) // 7 + 1
    shape = (_WEEK_SHAPE + [_WEEK_SHAPE[-1]] * n_weeks)[:n_weeks]
    days_left = today - (start + 7 * (n_weeks - 1)) + 1
    shape[-1] *= sum(_DOW_WEIGHT[:days_left]) / sum(_DOW_WEIGHT)
    # whole numbers per week by largest remainder, so the story survives small samples
    quota = [n * w / sum(shape) for w in shape]
    per = [int(q) for q in quota]
    for i in sorted(range(n_weeks), key=lambda i: quota[i] - per[i], reverse=True)[:n - sum(per)]:
        per[i] += 1
    out = []
    for w in range(n_weeks):
        weights = []
        for k in range(7):
            o = start + 7 * w + k
            wt = _DOW_WEIGHT[k] if o <= today else 0.0
            if k < 5 and not ctx.is_workday(o):
                wt *= 0.2   # statutory holiday
            elif k >= 5 and ctx.is_workday(o):
                wt = 0.9 if o <= today else 0.0   # 调休 make-up working day
            weights.append((k, wt))
        pick = _Pick(weights)
        r = rng.random
        out.extend(start + 7 * w + pick(r()) for _ in range(per[w]))
    out.sort()
    return out


def _worker_counts(ctx: _Ctx, listed: int) -> list[int]:
    """Workers per listed case: many small groups, a share of 30+ (major) ones, summing to the target."""
    rng, sc = ctx.rng, ctx.scale
    if listed == 0:
        return []
    big = [rng.random() < sc.big_share for _ in range(listed)]
    counts = [0] * listed
    lo, hi = sc.big_range
    for i in range(listed):
        if big[i]:
            counts[i] = min(hi, lo + int(rng.expovariate(1 / ((hi - lo) / 3))))
    rest = sc.workers - sum(counts)
    small = [i for i in range(listed) if not big[i]]
    if not small or rest < len(small):   # a tiny custom scale: plain proportional shares
        raw = [rng.lognormvariate(0, 0.8) for _ in range(listed)]
        f = sc.workers / sum(raw)
        return [max(1, round(r * f)) for r in raw]
    raw = [rng.lognormvariate(0, 0.7) for _ in small]
    f = rest / sum(raw)
    for i, r in zip(small, raw):
        counts[i] = min(29, max(1, round(r * f)))
    diff = sc.workers - sum(counts)
    guard = 0
    while diff and guard < 100 * listed:
        guard += 1
        i = small[rng.randrange(len(small))]
        if diff > 0 and counts[i] < 29:
            counts[i] += 1
            diff -= 1
        elif diff < 0 and counts[i] > 1:
            counts[i] -= 1
            diff += 1
    return counts


_PICK_SOURCE = _Pick(_SOURCE_WEIGHTS)


def _plan(ctx: _Ctx) -> list[dict]:
    rng = ctx.rng
    plans = []
    for o in _registration_days(ctx, ctx.scale.cases):
        p = {"reg": o, "build": rng.random() < 0.70, "source": _PICK_SOURCE(rng.random())}
        r = rng.random()
        p["outcome"] = "已化解" if r < 0.84 else ("不存在欠薪" if r < 0.92 else "已移送")
        # unlisted: small non-construction cases and claims found groundless carry totals only
        p["listed"] = not (p["outcome"] == "不存在欠薪" or (not p["build"] and rng.random() < 0.35))
        p["n"] = 0
        plans.append(p)
    listed_idx = [i for i, p in enumerate(plans) if p["listed"]]
    counts = _worker_counts(ctx, len(listed_idx))
    # big group claims tend to surface once the campaign is under way (year-end settlements)
    counts.sort(key=lambda c: rng.uniform(0.45, 1.0) if c >= 30 else rng.random())
    for i, c in zip(listed_idx, counts):
        plans[i]["n"] = c
    for p in plans:
        if p["n"] >= 30 and p["outcome"] == "已化解" and rng.random() < 0.08:
            p["outcome"] = "已移送"   # big group claims: the boss more often refuses or disappears
        p["unlisted_n"] = 0 if p["listed"] else (rng.randint(2, 12) if p["build"] else rng.randint(1, 6))
        _plan_timeline(ctx, p)
    _calibrate(ctx, plans)
    return plans


def _plan_timeline(ctx: _Ctx, p: dict) -> None:
    """When the case is verified and closed, hence its status today, and how much is paid if open."""
    rng, today = ctx.rng, ctx.today.toordinal()
    reg = p["reg"]
    verify = ctx.next_workday(reg + rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6)))
    x = rng.random()
    lag = rng.randint(5, 18) if x < 0.84 else (rng.randint(18, 32) if x < 0.97 else rng.randint(32, 70))
    if p["n"] >= 30:
        lag += rng.randint(2, 10)     # the big ones take longer
    if p["outcome"] == "不存在欠薪":
        close = verify + rng.randint(2, 10)
    else:
        close = max(verify + 2, reg + lag)
    close = ctx.next_workday(close)
    if verify > today:
        status = "待核实"
    elif close > today:
        status = "化解中" if p["outcome"] != "不存在欠薪" else "待核实"
    else:
        status = p["outcome"]
    p.update(verify=verify, close=close, status=status,
             paid_share=rng.uniform(0.1, 0.6) if status == "化解中" and rng.random() < 0.65 else 0.0)


# Rough money weight of one worker in a listed / unlisted case, for the calibration below.
_W_LISTED, _W_UNLISTED = 1.0, 1.3


def _expected_share(p: dict) -> float:
    if p["status"] == "已化解":
        return 1.0
    if p["status"] == "化解中" and p["paid_share"]:
        ps = p["paid_share"]
        return ps + (1 - ps) * 0.1 if p["listed"] else ps
    return 0.0


def _calibrate(ctx: _Ctx, plans: list[dict]) -> None:
    """Nudge the timelines so that about 60 % of the money is repaid today.

    With 150 cases a few big ones decide the ratio, so rather than trust the dice the biggest
    recently closed cases are kept open a little longer (or old open ones closed) until the
    expected share is near the target. Cases still within their deadline are taken first, so the
    overdue list stays short."""
    rng, today = ctx.rng, ctx.today.toordinal()
    target = rng.uniform(*ctx.scale.cleared)
    weight = [p["n"] * _W_LISTED + p["unlisted_n"] * _W_UNLISTED for p in plans]
    total = sum(weight) or 1.0
    paid = sum(w * _expected_share(p) for w, p in zip(weight, plans))
    if paid / total > target + 0.02:
        cands = [i for i, p in enumerate(plans) if p["status"] == "已化解" and p["verify"] < today]
        cands.sort(key=lambda i: (ctx.deadline(plans[i]["reg"]) < today, -weight[i]))
        for i in cands:
            if paid / total <= target:
                break
            p = plans[i]
            before = _expected_share(p)
            p["status"] = "化解中"
            p["close"] = today + rng.randint(3, 30)   # will close later
            p["paid_share"] = rng.uniform(0.1, 0.45) if rng.random() < 0.7 else 0.0
            paid += weight[i] * (_expected_share(p) - before)
    elif paid / total < target - 0.02:
        cands = [i for i, p in enumerate(plans) if p["status"] == "化解中" and p["outcome"] == "已化解"
                 and p["verify"] + 3 <= today]
        cands.sort(key=lambda i: plans[i]["reg"])
        for i in cands:
            if paid / total >= target:
                break
            p = plans[i]
            before = _expected_share(p)
            p["status"] = "已化解"
            p["close"] = min(ctx.next_workday(rng.randint(p["verify"] + 2, today - 1)),
                             ctx.previous_workday(today))
            paid += weight[i] * (_expected_share(p) - before)
