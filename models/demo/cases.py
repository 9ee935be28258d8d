"""One demo case at a time: its workers, repayments and status history, written so the
ledger tells a believable ten-week story. Used by ``models.demo``."""
from __future__ import annotations

import datetime as _dt
import random
from datetime import date

from models.ledgers.cases import CLOSED_STATUSES
from models.demo.base import _Ctx, _IdMaker, _Pick
from models.demo.words import (
    GOV, V_AGREED, V_COURT, V_NONE, V_PAID, V_POLICE, _AREAS, _BANKS, _CH_GOV, _CH_OTHER, _CH_PRIVATE,
    _CLOSED_NOTES, _CONSTRUCTION_TRADES, _GIVEN_F, _GIVEN_M, _MOBILE_PREFIXES, _OPEN_NOTES, _OTHER_TRADES,
    _PATH_OF_CHANNEL, _REASON_BUILD, _REASON_OTHER, _SMALL_WORKS, _SURNAMES, _TRADE_RATE_YUAN, _VILLAGES,
    _WS_BUILD, _WS_OTHER, _WS_PETITION)

_PAYER = {"企业自行支付": "emp", "总包先行清偿": "gc", "建设单位垫付": "owner", "应急周转金": GOV,
          "资产处置资金": GOV, "工资保证金": "青山县人力资源和社会保障局", "法院执行": "青山县人民法院", "其他": "emp"}
# a case number's day part takes four digits where a day can bring a thousand cases
_WIDE_NUMBERS_FROM = 20_000
_TAILS = {"拖欠工程款": "，施工方称建设单位未按进度拨付工程款", "结算纠纷": "，双方对工程量结算存在争议",
          "非法转包": "，工程被层层转包给无资质个人", "三无工程": "，项目手续不全",
          "使用零散工": "，系零散用工未签书面劳动合同", "无故拖欠": "，企业以资金紧张为由拖欠", "其他": ""}


class _Gen:
    """Generates one case at a time, with its workers, repayments and status history."""

    def __init__(self, ctx: _Ctx) -> None:
        self.ctx, self.rng = ctx, ctx.rng
        self.today = ctx.today.toordinal()
        self.build_emps = [e for e in ctx.employers if e["kind"] in ("gc", "lab")]
        self.other_emps = [e for e in ctx.employers if e["kind"] == "biz"]
        self.emp_by_name = {e["name"]: e for e in ctx.employers}
        self.idm = _IdMaker(date(ctx.today.year - 63, 1, 1), date(ctx.today.year - 20, 12, 31),
                            exact=not ctx.scale.via_import)
        self.next_case = self.next_worker = self.next_repay = 1
        self.voucher = 0
        self.day_seq: dict[int, int] = {}
        self.touch: list[tuple] = []
        self.wide = ctx.scale.cases > _WIDE_NUMBERS_FROM
        self.payer = {k: ctx.place.local(v) for k, v in _PAYER.items()}
        self.split = ctx.scale.split_repayments
        self.small_works = [w.format(v=v) for w in _SMALL_WORKS for v in _VILLAGES]
        self.projects = ctx.projects
        self.pick_project = _Pick([(i, max(1.0, p["contract_wan"] ** 0.5)) for i, p in enumerate(ctx.projects)])
        self.pick_ws = {k: _Pick(list(enumerate(w))) for k, w in
                        (("build", _WS_BUILD), ("other", _WS_OTHER), ("petition", _WS_PETITION))}
        self.pick_reason_build = _Pick(_REASON_BUILD)
        self.pick_reason_other = _Pick(_REASON_OTHER)
        self.pick_ch = {"gov": _Pick(_CH_GOV), "private": _Pick(_CH_PRIVATE), "other": _Pick(_CH_OTHER)}
        # office-hours clock times; a timestamp is a day's text plus one of these
        trng = random.Random(self.rng.getrandbits(32))
        self.times = sorted(f"T{trng.randint(8, 17):02d}:{trng.randint(0, 59):02d}:{trng.randint(0, 59):02d}"
                            for _ in range(512))
        now = _dt.datetime.now()
        self.now_time = now.strftime("T%H:%M:%S") if now.date() == ctx.today else "T23:59:59"
        # worker names come from pools (as in life, many people share a name)
        nrng = random.Random(self.rng.getrandbits(32))

        def names(chars: str, k: int) -> list[str]:
            return [nrng.choice(_SURNAMES) + nrng.choice(chars) + (nrng.choice(chars) if nrng.random() < 0.7 else "")
                    for _ in range(k)]
        self.names_m, self.names_f = names(_GIVEN_M, 40_000), names(_GIVEN_F, 15_000)
        self.trades_build = [(t, *_TRADE_RATE_YUAN[t]) for t in _CONSTRUCTION_TRADES]
        self.trades_other = {k: [(t, 130, 260) for t in v] for k, v in _OTHER_TRADES.items()}

    def ts(self, o: int) -> str:
        t = self.times[int(self.rng.random() * 512)]
        if o >= self.today and t > self.now_time:   # nothing later than the clock says
            t = self.now_time
        return self.ctx.DS[o - self.ctx.o0] + t

    def office_day(self, o: int) -> int:
        """o, or the next working day (few things happen on rest days), never after today."""
        return min(self.ctx.next_workday(o) if self.rng.random() < 0.9 else o, self.today)

    # -- one case ----------------------------------------------------------------------------
    def case(self, p: dict, cases: list, workers: list, repays: list, logs: list) -> None:
        ctx, rng, today = self.ctx, self.rng, self.today
        r = rng.random
        cid = self.next_case
        self.next_case += 1
        reg = p["reg"]
        seq = self.day_seq[reg] = self.day_seq.get(reg, 0) + 1
        build = p["build"]
        n = p["n"]
        source = p["source"]

        # who and what
        proj = None
        if build:
            if r() < 0.88 and self.projects:
                proj = self.projects[self.pick_project(r())]
                emp_name = proj["sub"] if r() < 0.6 else proj["gc"]
                project_name, project_id = proj["name"], proj["id"]
                owner_unit, gc, sub, gov = proj["owner"], proj["gc"], proj["sub"], proj["gov"]
                reason = self.pick_reason_build(r())
            else:
                emp_name = self.build_emps[int(r() * len(self.build_emps))]["name"]
                project_name, project_id = self.small_works[int(r() * len(self.small_works))], None
                owner_unit, gc, sub, gov = "", emp_name, "", 0
                reason = ("三无工程", "使用零散工", "无故拖欠")[int(r() * 3)]
            emp = self.emp_by_name.get(emp_name)
            industry = "建筑业"
            ws_pick = self.pick_ws["build"]
            ch_pick = self.pick_ch["gov" if gov else "private"]
        else:
            emp = self.other_emps[int(r() * len(self.other_emps))]
            emp_name, industry = emp["name"], emp["industry"]
            project_name, project_id, owner_unit, gc, sub, gov = "", None, "", "", "", 0
            reason = self.pick_reason_other(r())
            ws_pick = self.pick_ws["other"]
            ch_pick = self.pick_ch["other"]
        if source in ("信访来访", "信访来信") and r() < 0.6:
            ws_pick = self.pick_ws["petition"]
        ws = ctx.ws[ws_pick(r())]
        owner = ws["owners"](r())
        liaison = ws["liaison"]
        payers = {"emp": emp_name, "gc": gc or emp_name, "owner": owner_unit or emp_name}
        pay = self.payer

        # when: the arrears period, then the case's own timeline (planned in _plan_timeline)
        span = 30 + int(r() * 211)
        period_to = reg - 3 - int(r() * 43)
        period_from = period_to - span
        deadline = ctx.deadline(reg)
        verify, close, status, outcome = p["verify"], p["close"], p["status"], p["outcome"]
        closed = status in CLOSED_STATUSES

        # payments: batches (date, channel, payer)
        main_ch = ch_pick(r())
        batches: list[tuple[int, str, str]] = []
        paid_share = 0.0
        if status == "已化解":
            k = 1 if (n < 10 or r() < 0.45) else (2 if r() < 0.7 else 3)
            days = sorted(verify + int(r() * (close - verify + 1)) for _ in range(k - 1)) + [close]
            for j, d in enumerate(days):
                ch = main_ch if j == k - 1 or r() < 0.6 else ch_pick(r())
                batches.append((self.office_day(d), ch, payers.get(pay[ch], pay[ch])))
        elif status == "化解中" and p["paid_share"] > 0:
            k = 1 if r() < 0.6 else 2
            for d in sorted(verify + int(r() * (today - verify + 1)) for _ in range(k)):
                ch = main_ch if r() < 0.7 else ch_pick(r())
                batches.append((self.office_day(d), ch, payers.get(pay[ch], pay[ch])))
            paid_share = p["paid_share"]

        # workers (or, for unlisted cases, the totals as reported)
        paid_total = paid_count = last_pay = 0
        if p["listed"]:
            amount, paid_total, paid_count, last_pay = self.workers(
                cid, n, build, industry, period_from, period_to, reg, verify, status, batches, paid_share,
                workers, repays)
            w_count = n
        else:
            w_count = p["unlisted_n"]
            amount = sum(3000 + int(r() * 27001) for _ in range(w_count)) * 100
            if batches:
                target = amount if status == "已化解" else int(amount * paid_share) // 100 * 100
                left = target
                for j, (d, ch, payer) in enumerate(batches):
                    a = left if j == len(batches) - 1 else left * rng.randint(30, 70) // 100
                    if a > 0:
                        left -= a
                        self.repay(cid, None, d, a, ch, payer, repays)
                        last_pay = max(last_pay, d)
                paid_total = target
                paid_count = w_count if status == "已化解" else 0

        # status history
        lg = [[cid, None, "待核实", self.ts(reg), liaison, f"登记受理，交{ws['name']}办理，包案责任人{owner}"]]
        changed = reg
        if status != "待核实" and outcome != "不存在欠薪":
            lg.append([cid, "待核实", "化解中", self.ts(verify), liaison, f"经核实存在欠薪{w_count}人，进入化解程序"])
            changed = verify
        verdict = resolution = notes = ""
        closed_on = None
        if closed:
            closed_on = ctx.ds(close)
            if status == "已化解":
                verdict = V_PAID if r() < 0.82 else V_AGREED
                resolution = _PATH_OF_CHANNEL[main_ch]
                if resolution == "资产处置化解":
                    resolution = ("资产处置化解", "宅基地处置化解", "产业收益化解", "项目资金化解")[int(r() * 4)]
                note = "工资已全部兑付，办结销号"
                notes = _CLOSED_NOTES[int(r() * len(_CLOSED_NOTES))]
            elif status == "已移送":
                verdict, resolution, note = V_POLICE, "司法途径", "涉嫌拒不支付劳动报酬罪，已移送公安机关"
                notes = "企业负责人拒不支付，已固定证据"
            else:
                verdict, note = V_NONE, "经核实不存在欠薪，已告知反映人"
                notes = "经调取考勤及工资发放记录，工资已按时足额发放"
            lg.append([cid, lg[-1][2], status, self.ts(close), liaison, note])
            changed = close
        elif status == "化解中":
            if r() < 0.12:
                verdict = V_COURT
            notes = _OPEN_NOTES[int(r() * len(_OPEN_NOTES))]
        for j in range(1, len(lg)):   # same-day steps: the clock never runs backwards
            if lg[j][3] < lg[j - 1][3]:
                lg[j][3] = lg[j - 1][3]
        status_at = lg[-1][3]
        logs.extend(map(tuple, lg))
        # last activity: a status change, a repayment, or (some open cases) a recent edit
        upd = max(changed, last_pay)
        if not closed and r() < 0.45:
            upd = max(upd, today - int(r() * 7))
        upd_ts = status_at if upd == changed else max(status_at, self.ts(upd))

        is_major = 1 if w_count >= 30 else 0
        sens = 1 if (source == "网络舆情" or (source == "上级交办" and r() < 0.3)
                     or (source == "信访来访" and w_count >= 20 and r() < 0.2)
                     or r() < 0.006) else 0
        case_no = ("QS%s%04d" if self.wide else "QS%s%03d") % (ctx.ds(reg).replace("-", ""), seq)
        cases.append((cid, rng.getrandbits(62), case_no, source, ctx.ds(reg), "工程建设" if build else "非工程建设",
                      industry, emp_name, emp["id"] if emp else None, project_name, project_id, owner_unit, gc, sub,
                      gov, w_count, amount, 0, ctx.ds(period_from), ctx.ds(period_to), reason,
                      self.summary(w_count, amount, emp_name, project_name, max(1, round(span / 30)), reason, source),
                      ws["id"], owner, 15, ctx.ds(deadline), status, verdict,
                      paid_count if status in ("已化解", "化解中") else 0,
                      paid_total if status in ("已化解", "化解中") else 0,
                      resolution, is_major, sens, 0, closed_on, notes, status_at, lg[0][3], upd_ts))
        self.touch.append((upd_ts, status_at, cid))

    def summary(self, n, amount, emp, project, months, reason, source) -> str:
        yuan = f"{amount / 100:.2f}元" if amount < 1_000_000 else f"{amount / 1_000_000:.2f}万元"
        who = f"{n}名农民工" if n > 1 else "农民工1人"
        if source == "排查发现":
            where = f"在{project}" if project else ""
            return f"专项行动排查发现{emp}{where}拖欠{who}{months}个月工资共计{yuan}（{reason}）"
        where = f"在{project}务工期间" if project else f"在{emp}务工期间"
        verb = "来访反映" if source == "信访来访" else "反映"
        return f"{who}{verb}{where}被{emp}拖欠{months}个月工资共计{yuan}{_TAILS[reason]}"

    def repay(self, cid, wid, day, amount, channel, payer, out) -> str:
        self.voucher += 1
        t = self.ts(day)
        out.append((self.next_repay, self.rng.getrandbits(62), cid, wid, self.ctx.ds(day), amount, payer, channel,
                    "QCPZ%s%07d" % (self.ctx.ds(day)[:4], self.voucher), "", t, t))
        self.next_repay += 1
        return t

    def workers(self, cid, n, build, industry, period_from, period_to, reg, verify, status, batches,
                paid_share, out, repays) -> tuple[int, int, int, int]:
        """n workers of one case; returns (owed, paid, workers paid in full, last payment day)."""
        ctx, rng, idm = self.ctx, self.rng, self.idm
        r = rng.random
        bits = rng.getrandbits
        DS, o0 = ctx.DS, ctx.o0
        trades = self.trades_build if build else self.trades_other.get(industry, [("普工", 130, 260)])
        n_trades = len(trades)
        female_p = 0.12 if build else 0.45
        n_births = len(idm.births)
        make_id = idm.make
        # workers come from a few home areas (a 包工头 brings people from his own villages)
        home = [_AREAS[int(r() * len(_AREAS))] for _ in range(1 + min(3, n // 8))]
        n_home = len(home)
        ids_seen: set[str] = set()
        created_ts = self.ts(min(verify, self.today))   # the roster is entered when the case is verified
        all_paid = status == "已化解"
        nb = len(batches)
        split = self.split and nb >= 2
        owed_sum = paid_sum = paid_count = last_pay = 0
        names_m, names_f = self.names_m, self.names_f
        nm, nf = len(names_m), len(names_f)
        prefixes, npref = _MOBILE_PREFIXES, len(_MOBILE_PREFIXES)
        banks = _BANKS
        areas, n_areas = _AREAS, len(_AREAS)
        append = out.append
        repay = self.repay
        for _ in range(n):
            wid = self.next_worker
            self.next_worker += 1
            if r() < female_p:
                name, parity = names_f[int(r() * nf)], 0
            else:
                name, parity = names_m[int(r() * nm)], 1
            area = home[int(r() * n_home)] if r() < 0.85 else areas[int(r() * n_areas)]
            idn = make_id(area, int(r() * n_births), int(r() * 500) * 2 + parity)
            while idn in ids_seen:   # no person twice in one case
                idn = make_id(area, int(r() * n_births), int(r() * 500) * 2 + parity)
            ids_seen.add(idn)
            phone = prefixes[int(r() * npref)] + "%08d" % int(r() * 100_000_000)
            bank = banks[int(r() * 6)]
            card = bank[0] + "%015d" % int(r() * 1e15)
            trade, lo, hi = trades[int(r() * n_trades)]
            entered = period_from - int(r() * 60)
            left = period_to + int(r() * 21) - 10
            if left > reg:
                left = reg
            if left <= entered:
                left = entered + 20
            unpaid_days = 8 + int(r() * r() * 150)
            if unpaid_days > left - entered:
                unpaid_days = left - entered
            owed_yuan = (lo + int(r() * (hi - lo) / 10) * 10) * unpaid_days
            if owed_yuan < 3000:
                owed_yuan = 3000 + int(r() * 40) * 50
            elif owed_yuan > 60000:
                owed_yuan = 60000 - int(r() * 200) * 50
            owed = owed_yuan * 100
            paid = 0
            upd = created_ts
            if nb and (all_paid or r() < paid_share):
                # paid in full: in one batch, or (township) in two instalments
                if split and r() < 0.3:
                    j = int(r() * (nb - 1))
                    first = owed * (30 + int(r() * 41)) // 100
                    d, ch, payer = batches[j]
                    repay(cid, wid, d, first, ch, payer, repays)
                    d, ch, payer = batches[-1]
                    upd = repay(cid, wid, d, owed - first, ch, payer, repays)
                else:
                    d, ch, payer = batches[nb - 1 if all_paid and r() < 0.5 else int(r() * nb)]
                    upd = repay(cid, wid, d, owed, ch, payer, repays)
                if d > last_pay:
                    last_pay = d
                paid = owed
                paid_count += 1
            elif nb and not all_paid and r() < 0.25:
                # part paid so far
                paid = owed * (20 + int(r() * 40)) // 100
                d, ch, payer = batches[int(r() * nb)]
                upd = repay(cid, wid, d, paid, ch, payer, repays)
                if d > last_pay:
                    last_pay = d
            owed_sum += owed
            paid_sum += paid
            append((wid, bits(62), cid, name, idn, phone, card, bank[1], trade, DS[entered - o0],
                    DS[left - o0] if all_paid or r() > 0.06 else None, owed,
                    0, 1 if paid == owed else 0, "", created_ts, max(upd, created_ts)))
        return owed_sum, paid_sum, paid_count, last_pay
