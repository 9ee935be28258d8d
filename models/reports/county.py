"""The county's reports, made on a county database from its townships' latest 报送包:
周调度材料 (weekly), 通报 (bulletin) with the townships ranked, and 统计汇总表 (stats, PDF and an
Excel workbook beside it).

Every number is a township's line as its package carried it (``models.exchange.county``) or the
county total, the sum of those lines (rates computed again from the summed amounts). Nothing is
recomputed from the townships' ledgers, so each line equals that township's own ``figures`` on
its 数据截至 day, and the total equals the sum of the lines printed above it. A figure some
township's package does not carry (a package of an older program) shows "—" on its line and
in the total.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from models.reports.result import ReportResult, ReportUnavailable

REPORTS = {"weekly": "县级周调度材料", "bulletin": "通报", "stats": "统计汇总表"}
DASH = "—"
# the stats table's two halves (figures not named here go to the end of the second)
FIRST_HALF = ("cases", "open_cases", "closed_cases", "resolved_cases", "referred_cases", "no_arrears_cases",
              "workers", "owed_fen", "paid_fen", "unpaid_fen", "cleared_pct", "resolved_fen", "resolved_pct",
              "closed_pct")


def cn_date(d: _dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def cell(key: str, value: Any) -> str:
    """A figure as printed in a table: 元 with two decimals for 分, % for rates, "—" when the
    township's package does not carry it."""
    from models.figures import DEFINITIONS
    from models.values import fen_to_yuan_text
    if value is None:
        return DASH
    unit = DEFINITIONS[key].unit if key in DEFINITIONS else ""
    if unit == "分":
        return fen_to_yuan_text(value)
    if unit == "%":
        return f"{value}%"
    return f"{int(value):,}"


SHORT = {"cases": "问题数", "workers": "涉及人数", "cleared_pct": "清偿率", "overdue": "逾期", "stalled": "久拖未动",
         "major_open": "在办重大", "daily_missing": "日报未报", "open_cases": "在办", "closed_cases": "已办结",
         "resolved_cases": "已化解", "referred_cases": "移送公安", "no_arrears_cases": "不存在欠薪"}


def header(key: str, short: bool = False) -> str:
    from models.figures import DEFINITIONS
    d = DEFINITIONS[key]
    if short and key in SHORT:
        return SHORT[key]
    name = d.name.replace("（应付）", "").replace("（已付）", "").replace("（未付）", "")
    return f"{name}（元）" if d.unit == "分" else name


class CountyData:
    """What every county report reads: the townships' lines in rank order, the county line, the
    thresholds and the marks."""

    def __init__(self, store, today: _dt.date) -> None:
        from models import campaign
        from models.exchange import county, identity
        from models.figures import DEFINITIONS
        if not identity.is_county(store):
            raise ReportUnavailable("这不是县级汇总数据库，不能生成县级报表")
        self.today = today
        self.cf = county.county_figures(store, today)
        if not self.cf.townships:
            raise ReportUnavailable(f"{self.cf.county or '本县'}尚未接收任何乡镇的报送包，无法生成县级报表")
        self.keys = list(DEFINITIONS)
        self.lines = county.ranked(self.cf.townships)
        self.total = county.total_row(self.cf.townships, self.keys)
        self.limits = identity.thresholds(store)
        self.county = self.cf.county or "本县"
        camp = campaign.current(store)
        self.campaign = camp.name if camp else ""
        self.unit = (camp.unit if camp and camp.unit else "") or self.county

    @property
    def red(self) -> float:
        from models.exchange import identity
        return float(self.limits[identity.CLEARED_RED])

    @property
    def yellow(self) -> int:
        from models.exchange import identity
        return int(self.limits[identity.OVERDUE_YELLOW])

    @property
    def stale(self) -> int:
        from models.exchange import identity
        return int(self.limits[identity.STALE_DAYS])

    def low(self) -> list[dict]:
        return [x for x in self.lines if x.get("owed_fen") and x["cleared_pct"] < self.red]

    def many_overdue(self) -> list[dict]:
        return [x for x in self.lines if x.get("overdue", 0) > self.yellow]

    def stale_lines(self) -> list[dict]:
        return [x for x in self.lines if x["days_since_report"] > self.stale]

    def daily_missing(self) -> list[dict]:
        return [x for x in self.lines if x.get("daily_missing")]

    def without(self, key: str) -> list[dict]:
        return [x for x in self.lines if key not in x]

    def overall(self) -> str:
        t, n = self.total, len(self.lines)
        text = (f"全县 {n} 个乡镇已报送。按各乡镇最近一次报送的数字，全县登记欠薪问题 {cell('cases', t['cases'])} 件"
                f"（在办 {cell('open_cases', t['open_cases'])} 件、已办结 {cell('closed_cases', t['closed_cases'])} 件），"
                f"涉及农民工 {cell('workers', t['workers'])} 人，欠薪总额 {cell('owed_fen', t['owed_fen'])} 元，"
                f"已兑付 {cell('paid_fen', t['paid_fen'])} 元，清偿率 {cell('cleared_pct', t['cleared_pct'])}；"
                f"逾期问题 {cell('overdue', t['overdue'])} 件，久拖未动 {cell('stalled', t['stalled'])} 件，"
                f"在办重大问题 {cell('major_open', t['major_open'])} 件")
        if t.get("daily_missing") is not None:
            text += f"；各乡镇数据截至日日报告未报专班共 {t['daily_missing']} 个"
        return text + "。"

    def concerns(self) -> list[str]:
        """The marks of the dashboard, in words (red and yellow by the county's thresholds)."""
        def names(lines, key=None, unit=""):
            if not lines:
                return "无"
            return "、".join(f"{x['name']}（{cell(key, x[key]) if key == 'cleared_pct' else x[key]}{unit}）"
                            if key else x["name"] for x in lines)
        out = [f"清偿率低于 {self.red:g}% 的乡镇：{names(self.low(), 'cleared_pct')}。",
               f"逾期问题多于 {self.yellow} 件的乡镇：{names(self.many_overdue(), 'overdue', ' 件')}。",
               f"超过 {self.stale} 天未报送的乡镇：{names(self.stale_lines(), 'days_since_report', ' 天')}。",
               f"数据截至日有专班未报日报告的乡镇：{names(self.daily_missing(), 'daily_missing', ' 个')}。"]
        old = self.without("daily_missing")
        if old:
            out.append(f"{names(old)}的报送包由旧版本程序制作，未含“日报告未报专班数”，表中以“{DASH}”表示，"
                       "全县合计也不计此项。")
        return out

    def stamp(self, now: _dt.datetime | None):
        from models.reports.pdf_base import Stamp
        taken = (now or _dt.datetime.now()).replace(microsecond=0).isoformat()
        check = (f"各乡镇数字取自其最近一次报送包（{len(self.lines)} 个乡镇），接收时已核对与所附数据一致；"
                 "全县合计为各乡镇之和，比率按合计数计算")
        return Stamp(taken, True, check, self.unit, self.campaign)


def _as_of(line: dict) -> str:
    return str(line["as_of"]).replace("T", " ")[:16]


def _rank(v) -> str:
    return DASH if v is None else str(v)


MAIN_KEYS = ("cases", "workers", "owed_fen", "paid_fen", "cleared_pct", "overdue", "stalled", "major_open",
             "daily_missing")


def main_table(data: CountyData, width: float):
    """名次 | 乡镇 | the dashboard's figures | 数据截至 | 距今: one row per township in rank order,
    the county total last; townships below the red line printed in red."""
    from models.reports.pdf_base import LongTable, scale_widths
    heads = ["名次", "乡镇", *[header(k, short=True) for k in MAIN_KEYS], "数据截至", "距今天数"]
    rows, shade = [], []
    low = {x["code"] for x in data.low()}
    for i, x in enumerate(data.lines):
        rows.append([_rank(x["rank"]), x["name"], *[cell(k, x.get(k)) for k in MAIN_KEYS], _as_of(x),
                     str(x["days_since_report"])])
        if x["code"] in low:
            shade.append(i)
    total = ["", "全县合计", *[cell(k, data.total[k]) for k in MAIN_KEYS], "", ""]
    widths = scale_widths([4, 9, 6, 7, 12, 12, 7, 5, 6, 6, 6, 11, 5], width)
    return LongTable(heads, rows, widths, "CL" + "R" * len(MAIN_KEYS) + "CR", size=8, total=total, shade=shade)


def _title_block(data: CountyData, title: str, sub: str):
    from models.reports.pdf_base import gap, para
    return [para(title, "title"), para(sub, "subtitle"), gap(2)]


def _weekly(data: CountyData, out: Path, job=None, now=None) -> ReportResult:
    from reportlab.platypus import KeepTogether
    from models.reports.pdf_base import ReportDoc, close_with_signature, finish, gap, key_figures, para
    title = REPORTS["weekly"]
    stamp = data.stamp(now)
    doc = ReportDoc(out, title, stamp, wide=True)
    W = doc.width
    t = data.total
    story = _title_block(data, f"{data.county}根治欠薪工作周调度材料",
                         f"统计日：{cn_date(data.today)}　　各乡镇数据截至其最近一次报送")
    story += [para(stamp.full, "note"), gap(2), para("一、全县总体情况", "h2"), para(data.overall(), "body"), gap(2),
              key_figures([("欠薪问题", f"{cell('cases', t['cases'])} 件"),
                           ("涉及农民工", f"{cell('workers', t['workers'])} 人"),
                           ("欠薪总额", f"{cell('owed_fen', t['owed_fen'])} 元"),
                           ("已兑付", f"{cell('paid_fen', t['paid_fen'])} 元"),
                           ("清偿率", cell("cleared_pct", t["cleared_pct"])),
                           ("逾期问题", f"{cell('overdue', t['overdue'])} 件"),
                           ("久拖未动", f"{cell('stalled', t['stalled'])} 件"),
                           ("在办重大", f"{cell('major_open', t['major_open'])} 件")], W),
              gap(3), para("二、各乡镇情况（按排名）", "h2"), main_table(data, W),
              para(f"注：{_rule()}红色字为清偿率低于 {data.red:g}% 的乡镇。", "note"),
              gap(3)]
    story.append(KeepTogether([para("三、需重点调度的乡镇", "h2"),
                               *[para(f"{i}. {line}", "plain") for i, line in enumerate(data.concerns(), 1)]]))
    close_with_signature(story, W)
    if job:
        job.progress(1, 2, "正在生成 PDF…")
    pages = finish(doc, story)          # Word when the path ends in .docx
    return ReportResult(out, title, pages, True, stamp.check_text)


def _rule() -> str:
    from models.exchange.county import RANK_RULE
    return RANK_RULE


def rank_table(data: CountyData, width: float):
    """综合名次 and, for each figure of ``RANK_KEYS``, its value and the township's place."""
    from models.exchange.county import RANK_KEYS
    from models.reports.pdf_base import LongTable, scale_widths
    heads = ["综合名次", "乡镇"]
    for key, name, _better in RANK_KEYS:
        heads += [header(key, short=True), "名次"]
    rows = []
    for x in data.lines:
        row = [_rank(x["rank"]), x["name"]]
        for key, _n, _b in RANK_KEYS:
            row += [cell(key, x.get(key)), _rank(x.get(f"rank_{key}"))]
        rows.append(row)
    total = ["", "全县合计"]
    for key, _n, _b in RANK_KEYS:
        total += [cell(key, data.total[key]), ""]
    widths = scale_widths([5, 10] + [7, 4] * len(RANK_KEYS), width)
    return LongTable(heads, rows, widths, "CL" + "RC" * len(RANK_KEYS), size=8.5, total=total)


def _bulletin(data: CountyData, out: Path, job=None, now=None) -> ReportResult:
    from models.reports.pdf_base import ReportDoc, close_with_signature, finish, gap, para
    title = REPORTS["bulletin"]
    stamp = data.stamp(now)
    doc = ReportDoc(out, title, stamp)
    W = doc.width
    ranked = [x for x in data.lines if x["rank"] is not None]
    n = min(3, len(ranked) // 2)            # the leading and the trailing names never overlap
    top, bottom = ranked[:n], ranked[len(ranked) - n:] if n else []

    def who(lines):
        return "、".join(f"{x['name']}（{cell('cleared_pct', x['cleared_pct'])}）" for x in lines) or "无"
    story = _title_block(data, "关于全县各乡镇根治欠薪工作进展情况的通报",
                         f"{data.unit}　{cn_date(data.today)}")
    story += [para(stamp.full, "note"), gap(2), para("各乡镇：", "plain"), gap(1),
              para(f"根据各乡镇最近一次报送的数据（截至{cn_date(data.today)}已接收 {len(data.lines)} 个乡镇的报送包），"
                   "现将全县根治欠薪工作进展情况通报如下。", "body"),
              para("一、总体情况", "h2"), para(data.overall(), "body"),
              para("二、各乡镇排名情况", "h2"),
              para(f"按清偿率排名，靠前的乡镇是：{who(top)}；靠后的乡镇是：{who(bottom)}。" if n else
                   "参与排名的乡镇不足两个，不列前后名单。", "body"),
              para(_rule(), "note"),
              para("三、存在的问题", "h2")]
    found = [line for line in data.concerns() if not line.endswith("：无。")]
    story += [para(f"（{'一二三四五六'[i]}）{line}", "body") for i, line in enumerate(found)] or \
        [para("各乡镇均未触及本县设定的红、黄线。", "body")]
    story += [para("四、工作要求", "h2"),
              para(f"（一）清偿率低于 {data.red:g}% 的乡镇要逐件分析未兑付原因，落实清偿资金和时限，"
                   "下周调度时专题说明进展。", "body"),
              para("（二）逾期和久拖未动的问题要逐件明确包案责任人和办结时限，办结一件、销号一件。", "body"),
              para(f"（三）坚持日报告和零报告制度，各乡镇按时报送数据，超过 {data.stale} 天未报送的乡镇要说明原因。", "body"),
              gap(3), para("附表：各乡镇根治欠薪工作进展排名表", "h2"), rank_table(data, W)]
    close_with_signature(story, W, ("签发", "审核", "日期"))
    if job:
        job.progress(1, 2, "正在生成 PDF…")
    pages = finish(doc, story)          # Word when the path ends in .docx
    return ReportResult(out, title, pages, True, stamp.check_text)


def stats_halves(keys: list[str]) -> tuple[list[str], list[str]]:
    first = [k for k in FIRST_HALF if k in keys]
    return first, [k for k in keys if k not in first]


def _stats(data: CountyData, out: Path, job=None, now=None, excel: bool = True) -> ReportResult:
    from models.figures import DEFINITIONS
    from models.reports.pdf_base import LongTable, ReportDoc, close_with_signature, finish, gap, para, scale_widths
    title = REPORTS["stats"]
    stamp = data.stamp(now)
    doc = ReportDoc(out, title, stamp, wide=True)
    W = doc.width
    story = _title_block(data, f"{data.county}根治欠薪专项行动统计汇总表",
                         f"填报单位：{data.unit}　　统计日：{cn_date(data.today)}　　各乡镇数据截至其最近一次报送")
    story += [para(stamp.full, "note"), gap(2)]
    for part, keys in zip(("一", "二"), stats_halves(data.keys)):
        heads = ["乡镇", *[header(k) for k in keys]]
        extra = part == "二"
        if extra:
            heads += ["数据截至", "报送序号"]
        rows = []
        for x in data.lines:
            row = [x["name"], *[cell(k, x.get(k)) for k in keys]]
            if extra:
                row += [_as_of(x), str(x["sequence"])]
            rows.append(row)
        total = ["全县合计", *[cell(k, data.total[k]) for k in keys]] + (["", ""] if extra else [])
        chars = [8] + [11 if DEFINITIONS[k].unit == "分" else 6 for k in keys] + ([10, 5] if extra else [])
        story += [para(f"{part}、{'问题、人数和金额' if part == '一' else '预警、交办事项和报送'}", "h2"),
                  LongTable(heads, rows, scale_widths(chars, W), "L" + "R" * (len(heads) - 1), size=7.5,
                            total=total), gap(3)]
    story.append(para("三、口径说明", "h2"))
    story.append(LongTable(["指标", "口径"], [[d.name, d.basis] for d in DEFINITIONS.values()],
                           scale_widths([14, 86], W), "LL", size=7.5, max_lines=4))
    story.append(para("全县合计为各乡镇之和；清偿率、解决率、办结率、按期化解率按合计数重新计算，不是各乡镇比率的平均。", "note"))
    close_with_signature(story, W, ("单位负责人", "审核人", "填报人", "报出日期"))
    if job:
        job.progress(1, 3, "正在生成 PDF…")
    pages = finish(doc, story)          # Word when the path ends in .docx
    extra_files = []
    if excel:
        if job:
            job.progress(2, 3, "正在导出 Excel…")
        extra_files.append(write_excel(out.with_suffix(".xlsx"), data))
    return ReportResult(out, title, pages, True, stamp.check_text, extra_files)


def write_excel(path: Path, data: CountyData) -> Path:
    """Sheet 统计汇总 (one row per township, the county total last; amounts in 元 and rates in % as
    numbers, "—" as text where a package does not carry the figure) and sheet 口径. Written under
    a temporary name and renamed."""
    import os

    import xlsxwriter
    from models.figures import DEFINITIONS
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.part{path.suffix}")
    try:
        wb = xlsxwriter.Workbook(str(tmp))
        base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
        f_title = wb.add_format({"font_name": "黑体", "font_size": 16, "align": "center", "valign": "vcenter"})
        f_sub = wb.add_format({"font_name": "宋体", "font_size": 10})
        f_head = wb.add_format({**base, "bold": True, "align": "center", "bg_color": "#E8EDF3", "text_wrap": True})
        f_text = wb.add_format({**base, "text_wrap": True})
        f_int = wb.add_format({**base, "num_format": "#,##0"})
        f_yuan = wb.add_format({**base, "num_format": "#,##0.00"})
        f_pct = wb.add_format({**base, "num_format": "0.00"})
        f_dash = wb.add_format({**base, "align": "center"})
        bold = {"bold": True, "bg_color": "#F4F4F4"}
        t_text = wb.add_format({**base, **bold})
        t_int = wb.add_format({**base, **bold, "num_format": "#,##0"})
        t_yuan = wb.add_format({**base, **bold, "num_format": "#,##0.00"})
        t_pct = wb.add_format({**base, **bold, "num_format": "0.00"})
        ws = wb.add_worksheet("统计汇总")
        keys = data.keys
        heads = ["名次", "乡镇", "乡镇代码", *[f"{DEFINITIONS[k].name}（{'元' if DEFINITIONS[k].unit == '分' else DEFINITIONS[k].unit}）"
                                          for k in keys], "数据截至", "报送序号"]
        ws.merge_range(0, 0, 0, len(heads) - 1, f"{data.county}根治欠薪专项行动统计汇总表", f_title)
        ws.write_string(1, 0, f"填报单位：{data.unit}　　统计日：{data.today.isoformat()}　　"
                              "各乡镇数据截至其最近一次报送；全县合计为各乡镇之和", f_sub)
        for j, h in enumerate(heads):
            ws.write_string(2, j, h, f_head)

        def put(r, j, key, v, total=False):
            unit = DEFINITIONS[key].unit
            if v is None:
                ws.write_string(r, j, DASH, t_text if total else f_dash)
            elif unit == "分":
                ws.write_number(r, j, v / 100, t_yuan if total else f_yuan)
            elif unit == "%":
                ws.write_number(r, j, v, t_pct if total else f_pct)
            else:
                ws.write_number(r, j, int(v), t_int if total else f_int)
        r = 3
        for x in data.lines:
            if x["rank"] is None:
                ws.write_string(r, 0, DASH, f_dash)
            else:
                ws.write_number(r, 0, x["rank"], f_int)
            ws.write_string(r, 1, x["name"], f_text)
            ws.write_string(r, 2, x["code"], f_text)
            for j, k in enumerate(keys, 3):
                put(r, j, k, x.get(k))
            ws.write_string(r, 3 + len(keys), _as_of(x), f_text)
            ws.write_number(r, 4 + len(keys), int(x["sequence"]), f_int)
            r += 1
        ws.write_string(r, 0, "", t_text)
        ws.write_string(r, 1, "全县合计", t_text)
        ws.write_string(r, 2, "", t_text)
        for j, k in enumerate(keys, 3):
            put(r, j, k, data.total[k], True)
        ws.write_string(r, 3 + len(keys), "", t_text)
        ws.write_string(r, 4 + len(keys), "", t_text)
        ws.set_column(0, 0, 5)
        ws.set_column(1, 1, 12)
        ws.set_column(2, 2, 11)
        ws.set_column(3, 2 + len(keys), 11)
        ws.set_column(3 + len(keys), 3 + len(keys), 16)
        ws.freeze_panes(3, 3)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(2)
        ws.write_string(r + 2, 0, "单位负责人：　　　　审核人：　　　　填报人：　　　　报出日期：", f_sub)
        ws2 = wb.add_worksheet("口径")
        for j, h in enumerate(("指标", "单位", "口径")):
            ws2.write_string(0, j, h, f_head)
        for i, d in enumerate(DEFINITIONS.values(), 1):
            ws2.write_string(i, 0, d.name, f_text)
            ws2.write_string(i, 1, "元" if d.unit == "分" else d.unit, f_text)
            ws2.write_string(i, 2, d.basis, f_text)
        ws2.write_string(len(DEFINITIONS) + 2, 0, _rule(), f_sub)
        ws2.set_column(0, 0, 24)
        ws2.set_column(1, 1, 6)
        ws2.set_column(2, 2, 90)
        wb.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


BUILDERS = {"weekly": _weekly, "bulletin": _bulletin, "stats": _stats}


def build(which: str, store, out: str | Path, today: _dt.date, *, job=None,
          now: _dt.datetime | None = None) -> ReportResult:
    """Write the county report ``which`` (weekly / bulletin / stats) of the county database
    ``store`` to ``out``; refused with ``ReportUnavailable`` (one Chinese line) on a township's
    database or a county that has received nothing."""
    import time
    if which not in BUILDERS:
        raise ReportUnavailable(f"县级汇总数据库没有“{which}”这种报表（可选：{'、'.join(BUILDERS)}）")
    t0 = time.perf_counter()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if job:
        job.progress(0, 2, "正在汇总各乡镇数字…")
    data = CountyData(store, today)
    try:
        result = BUILDERS[which](data, out, job=job, now=now)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    if job:
        job.progress(2, 2, f"{result.title}已生成")
    result.seconds = time.perf_counter() - t0
    return result


def make_county_report(which: str, db: Any, out: str | Path, today: _dt.date, *, job=None,
                       now: _dt.datetime | None = None) -> ReportResult:
    """``build`` for a ``Store`` or a database path (opened read-only here: a worker thread's
    own connection, and a county report never writes)."""
    from models.db import Store
    if isinstance(db, Store):
        return build(which, db, out, today, job=job, now=now)
    store = Store(db, read_only=True)
    try:
        return build(which, store, out, today, job=job, now=now)
    finally:
        store.conn.close()
