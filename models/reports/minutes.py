"""会议纪要 as PDF, after the 纪要 layout of GB/T 9704-2012 (党政机关公文格式 §10.3):
A4, 版心 156 × 225 mm (上 37, 下 35, 左 28, 右 26 mm); the 纪要标识 centred in a large
font (black here, not red); 期数 and date; 时间 / 地点 / 主持 / 记录; body in 3号
(16 pt) with a two-character first-line indent; numbered 议定事项 with owner and
deadline; 出席 / 请假 / 列席 lines after the body, continuation lines aligned after the
colon; page numbers "— 1 —" centred 7 mm below the 版心. The bundled TrueType font is
embedded (subset), so the file reads the same on any machine.

Also the default wording of a meeting's body (``default_body``), from its frozen figures.
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from models import campaign, meetings as M
from models.db import Store
from models.values import fen_to_wan_text

FONT = "WQY"
_CN_NUM = "一二三四五六七八九十"


def register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from resources import FONT_PATH
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH), subfontIndex=0))
    return FONT


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (议定事项 numbering)."""
    if n <= 10:
        return _CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return (_CN_NUM[tens - 1] if tens > 1 else "") + "十" + (_CN_NUM[ones - 1] if ones else "")


def town_name(store: Store) -> str:
    """青山县青山镇人民政府 → 青山镇 (a county-level unit keeps its own name)."""
    c = campaign.current(store)
    unit = (c.unit if c else "").replace("人民政府", "").strip()
    m = re.search(r"([^县市区省州旗]+(?:镇|乡|街道))$", unit)
    return m.group(1) if m else unit


def minutes_title(store: Store, meeting: dict) -> tuple[str, str]:
    """(organisation line, 纪要 line): 青山镇根治欠薪工作领导小组 / 周调度会议纪要."""
    org = f"{town_name(store)}根治欠薪工作领导小组"
    return org, "周调度会议纪要" if meeting["kind"] == "例会" else "专题会议纪要"


def _host_title(store: Store, name: str) -> str:
    c = campaign.current(store)
    for p in campaign.leading_group(store, c.id) if c else []:
        if p["name"] == name and p["title"]:
            return p["title"]
    return ""


def _totals(store: Store, meeting_id: int, today: _dt.date | None) -> dict:
    frozen = [r["figures"] for r in M.meeting_reports(store, meeting_id) if r["figures"]]
    if frozen:
        out = {k: sum(f.get(k, 0) for f in frozen) for k in M.FIGURE_KEYS}
        return {**out, "since": frozen[0]["since"], "until": frozen[0]["until"]}
    a = M.agenda_for(store, meeting_id, today)
    return {**{k: getattr(a.total, k) for k in M.FIGURE_KEYS}, "since": a.since, "until": a.until}


def default_body(store: Store, meeting_id: int, today: _dt.date | None = None) -> str:
    """The usual wording of a dispatch meeting's minutes, from its frozen figures."""
    m = M.get_meeting(store, meeting_id)
    d = _dt.date.fromisoformat(m["date"])
    when = f"{d.month}月{d.day}日" + ("上午" if "上午" in (m["time_text"] or "上午") else "下午")
    org = f"{town_name(store)}根治欠薪工作领导小组"
    host = f"{_host_title(store, m['host'])}{m['host']}"
    if m["kind"] == "例会":
        what = f"{org}第{m['meeting_no']}期周调度会议"
        heard = "听取了各工作专班工作情况汇报，通报了前期交办事项办理情况，研究部署了下一步工作。"
    else:
        what = m["title"] or "专题会议"
        heard = "专题研究相关问题，明确了责任单位和完成时限。"
    paras = [f"{when}，{host}在{m['place'] or '镇政府会议室'}主持召开{what}，{heard}"]
    if m["kind"] == "例会":
        t = _totals(store, meeting_id, today)
        s, u = (_dt.date.fromisoformat(t["since"]), _dt.date.fromisoformat(t["until"]))
        span = f"{s.month}月{s.day}日至{u.month}月{u.day}日" if u >= s else "本周"
        paras.append(
            f"会议指出，{span}，全镇新增欠薪问题{t['new_cases']}件，办结{t['closed_cases']}件，兑付农民工工资"
            f"{fen_to_wan_text(t['repaid_fen'])}万元；截至会议召开时，在办{t['open_cases']}件，尚欠"
            f"{fen_to_wan_text(t['outstanding_fen'])}万元，逾期未办结{t['overdue_cases']}件；前期交办事项未办结"
            f"{t['open_items']}项，其中逾期{t['overdue_items']}项。")
        paras.append("会议要求，各工作专班要坚持“一周一调度”工作机制，对照时间节点倒排工期，压实包案责任，确保春节前"
                     "欠薪问题动态清零。对逾期未办结的问题和交办事项，责任专班要说明原因、明确时限，领导小组办公室要跟踪督办，"
                     "办结一件、销号一件。")
    return "\n".join(paras)


def _people(text: str) -> list[str]:
    """One person a line: "姓名（单位职务）" stays; "姓名：事由" becomes "姓名（事由）"."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip().strip("，,、;；")
        if not line:
            continue
        if re.search(r"[:：]", line):
            name, why = re.split(r"[:：]", line, maxsplit=1)
            line = f"{name.strip()}（{why.strip()}）" if why.strip() else name.strip()
        out.append(line)
    return out


# 禁则: what may not start or end a line of Chinese text
NO_START = set("，。、；：！？）》〉」』”’】〕…—%·")
NO_END = set("（《〈「『“‘【〔")
_ALNUM = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,:%-")


def break_lines(text: str, width: float, font: str, size: float, first_indent: float = 0,
                left_indent: float = 0) -> list[tuple[float, str, bool]]:
    """Chinese line breaking: (x offset, text, justify) per line. A character that may not
    start a line pulls the one before it down (推出) rather than hanging in the margin;
    numbers and Latin words are not split."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    widths: dict[str, float] = {}
    lines, pos, first = [], 0, True
    while pos < len(text):
        x = left_indent + (first_indent if first else 0)
        room, used, j = width - x, 0.0, pos
        while j < len(text):
            w = widths.get(text[j]) or widths.setdefault(text[j], stringWidth(text[j], font, size))
            if used + w > room + 0.01:
                break
            used += w
            j += 1
        if j < len(text):
            k = j
            while k > pos + 1 and (text[k] in NO_START or text[k - 1] in NO_END
                                   or (text[k] in _ALNUM and text[k - 1] in _ALNUM)):
                k -= 1
            j = k if k > pos + 1 else j
        lines.append((x, text[pos:j], j < len(text)))
        pos, first = j, False
    return lines


def _cjk_para_class():
    from reportlab.platypus import Flowable

    class CJKPara(Flowable):
        """A paragraph laid out by ``break_lines``, justified on the character grid, split
        across pages line by line."""

        def __init__(self, text, font, size, leading, first_indent=0.0, left_indent=0.0, lines=None):
            super().__init__()
            self.text, self.font, self.size, self.leading = text, font, size, leading
            self.first_indent, self.left_indent, self.lines = first_indent, left_indent, lines

        def wrap(self, aw, ah):
            self.aw = aw
            if self.lines is None:
                self.lines = break_lines(self.text, aw, self.font, self.size, self.first_indent, self.left_indent)
            return aw, len(self.lines) * self.leading

        def split(self, aw, ah):
            self.wrap(aw, ah)
            n = int(ah // self.leading)
            if n <= 0 or n >= len(self.lines):
                return [] if n <= 0 else [self]
            make = lambda part: CJKPara(self.text, self.font, self.size, self.leading, lines=part)  # noqa: E731
            return [make(self.lines[:n]), make(self.lines[n:])]

        def draw(self):
            from reportlab.pdfbase.pdfmetrics import stringWidth
            c = self.canv
            for i, (x, line, justify) in enumerate(self.lines):
                t = c.beginText(x, (len(self.lines) - i) * self.leading - self.leading / 2 - self.size * 0.36)
                t.setFont(self.font, self.size)
                if justify and len(line) > 1:
                    t.setCharSpace((self.aw - x - stringWidth(line, self.font, self.size)) / (len(line) - 1))
                t.textOut(line)
                c.drawText(t)

    return CJKPara


def build_minutes_pdf(store: Store, meeting_id: int, out_path: str | Path) -> Path:
    """Write the minutes of one meeting to ``out_path`` and return it."""
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import BaseDocTemplate, Frame, HRFlowable, PageTemplate, Paragraph, Spacer, Table
    from xml.sax.saxutils import escape

    font = register_font()
    CJKPara = _cjk_para_class()
    m = M.get_meeting(store, meeting_id)
    items = M.decisions(store, meeting_id)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    width = A4[0] - 54 * mm
    size, lead = width / 28, 225 * mm / 22       # 3号 (≈16 pt): 28 characters a line, 22 lines a page
    title = ParagraphStyle("title", fontName=font, fontSize=22, leading=34, alignment=TA_CENTER, wordWrap="CJK")
    centre = ParagraphStyle("centre", fontName=font, fontSize=size, leading=lead, alignment=TA_CENTER)
    small = ParagraphStyle("small", fontName=font, fontSize=14, leading=22)
    small_r = ParagraphStyle("small_r", parent=small, alignment=TA_RIGHT)
    para = lambda text, first=2 * size, left=0.0: CJKPara(text, font, size, lead, first, left)  # noqa: E731
    org, kind_line = minutes_title(store, m)
    d = _dt.date.fromisoformat(m["date"])
    flat = [("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("FONTNAME", (0, 0), (-1, -1), font)]

    def byline(left: str, right: str):
        return Table([[Paragraph(escape(left), small), Paragraph(escape(right), small_r)]],
                     colWidths=[width - 60 * mm, 60 * mm], style=flat)

    story = [Paragraph(escape(org), title), Paragraph(escape(kind_line), title), Spacer(1, 6),
             Paragraph(f"第{m['meeting_no']}期", centre), Spacer(1, 4), byline(f"{org}办公室", M.cn_date(d)),
             HRFlowable(width="100%", thickness=1.2, color="black", spaceBefore=2, spaceAfter=14)]
    for label, value in (("时间", f"{M.cn_date(d, True)}{m['time_text'] or ''}"), ("地点", m["place"]),
                         ("主持", m["host"]), ("记录", m["recorder"])):
        story.append(para(f"{label}：{value or ''}"))
    story.append(Spacer(1, lead / 2))
    for text in (m["body"] or default_body(store, meeting_id)).splitlines():
        if text.strip():
            story.append(para(text.strip().lstrip("　")))
    if items:
        story.append(para("现将会议议定事项纪要如下："))
        for i, it in enumerate(items, 1):
            unit = it["workstream"] or "领导小组办公室"
            due = f"{M.cn_date(it['due_date'])}前" if it["due_date"] else "长期坚持"
            story.append(para(f"{cn_number(i)}、{it['content'].rstrip('。；;')}（责任单位：{unit}；"
                              f"责任人：{it['owner_person'] or '—'}；完成时限：{due}）"))
    else:
        story.append(para("本次会议无议定事项。"))
    story.append(Spacer(1, lead / 2))
    # 出席：回行时与冒号后的首字对齐 (two characters in, the label, then the colon)
    for label, field in (("出席", "attendees_present"), ("请假", "absent_with_reason"), ("列席", "attending_nonvoting")):
        people = _people(m[field])
        story.append(para(f"{label}：{'，'.join(people) if people else '无'}", -3 * size, 5 * size))
    story += [Spacer(1, lead / 2), HRFlowable(width="100%", thickness=0.8, color="black", spaceAfter=4),
              byline(f"{org}办公室", f"{M.cn_date(_print_day(m))}印发"),
              HRFlowable(width="100%", thickness=0.8, color="black", spaceBefore=4)]

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 14)                 # 4号; 一字线 either side, 7 mm below the 版心
        num, y = str(doc.page), 35 * mm - 7 * mm - 14
        gap = stringWidth(num, font, 14) / 2 + 7
        canvas.drawCentredString(A4[0] / 2, y, num)
        canvas.drawRightString(A4[0] / 2 - gap, y, "—")
        canvas.drawString(A4[0] / 2 + gap, y, "—")
        canvas.restoreState()

    doc = BaseDocTemplate(str(out), pagesize=A4, initialFontName=font, initialFontSize=size,
                          title=f"{org}{kind_line}（第{m['meeting_no']}期）", author=f"{org}办公室",
                          creator="清欠工作台")
    frame = Frame(28 * mm, 35 * mm, width, 225 * mm, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate("page", [frame], onPage=footer)])
    doc.build(story)
    return out


def minutes_job(db_path: str | Path, meeting_id: int, out_path: str | Path):
    """The minutes as a job (``models.jobs``): it opens its own connection, so it can run on a
    worker thread while the window keeps the main one."""
    def run(ctx) -> Path:
        store = Store(db_path, check=False)
        try:
            ctx.progress(0, 1, "正在生成会议纪要…")
            return build_minutes_pdf(store, meeting_id, out_path)
        finally:
            store.close()
    return run


def _print_day(m: dict) -> _dt.date:
    """印发日期: the day the meeting was closed, else its own date."""
    if m.get("closed_at"):
        return _dt.date.fromisoformat(m["closed_at"][:10])
    return _dt.date.fromisoformat(m["date"])
