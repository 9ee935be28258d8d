"""会议纪要 as PDF, after the 纪要 layout of GB/T 9704-2012 (党政机关公文格式 §10.3):
the layout of ``models.reports.official``: the red 纪要标志 (版头) with 期数, 编印单位 and date
above the red line; 时间 / 地点 / 主持 / 记录; the body in the 仿宋-style face, 三号, with a
two-character first-line indent; numbered 议定事项 with owner and deadline; 出席 / 请假 / 列席
after the body (label in 黑体, continuation lines aligned after the colon); page numbers
"— N —" at the outer side; 抄送 / 印发 at the foot of the last page (抄送 from the setting
``reports.minutes_cc``). The faces are embedded (subset), so the file reads the same anywhere.
Like every report the minutes say whether the data passed the consistency checks (数据审核): one
line above the 抄送 / 印发 block, and in the ``ReportResult`` (``build_minutes``).

Also the default wording of a meeting's body (``default_body``): the frozen figures (every frozen
row, the office's included, so the 合计 is the agenda's and the headline figures'), what each 专班
reported and the problems raised. The unit's own word is used throughout (全乡 / 乡政府 for a 乡).
The 议定事项 carry their own numbers (第13期第3项 is "三、" whatever was removed before it).
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
    from models.reports.pdf_base import org_name
    c = campaign.current(store)
    return org_name(c.unit if c else "")


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
    """The frozen 合计 (the office's row included), else the agenda's."""
    frozen = M.frozen_total(store, meeting_id)
    if frozen:
        return frozen
    a = M.agenda_for(store, meeting_id, today)
    return {**{k: getattr(a.total, k) for k in M.FIGURE_KEYS}, "since": a.since, "until": a.until}


def report_paragraphs(store: Store, meeting_id: int) -> list[str]:
    """What each 专班 reported at the meeting and the problems it raised, one paragraph each."""
    out = []
    for r in M.meeting_reports(store, meeting_id):
        text, problems = (r["report_text"] or "").strip(), (r["problems"] or "").strip()
        if not (text or problems):
            continue
        line = f"{r['workstream']}汇报：{_sentence(text)}" if text else f"{r['workstream']}："
        if problems:
            line += f"存在的问题：{_sentence(problems)}"
        out.append(line)
    if not out:
        return []
    return ["会上，各工作专班汇报了本周工作情况、存在问题和下步打算。", *out]


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text[-1:] in "。！？；;!?" else text + "。"


def default_body(store: Store, meeting_id: int, today: _dt.date | None = None) -> str:
    """The usual wording of a dispatch meeting's minutes, from its frozen figures."""
    m = M.get_meeting(store, meeting_id)
    d = _dt.date.fromisoformat(m["date"])
    when = f"{d.month}月{d.day}日" + ("上午" if "上午" in (m["time_text"] or "上午") else "下午")
    org = f"{town_name(store)}根治欠薪工作领导小组"
    word = M.scope(store)
    host = f"{_host_title(store, m['host'])}{m['host']}" if (m["host"] or "").strip() else ""
    if m["kind"] == "例会":
        what = f"{org}第{m['meeting_no']}期周调度会议"
        heard = "听取了各工作专班工作情况汇报，通报了前期交办事项办理情况，研究部署了下一步工作。"
    else:
        what = m["title"] or "专题会议"
        heard = "专题研究相关问题，明确了责任单位和完成时限。"
    place = m["place"] or f"{M.government(store)}会议室"
    paras = [f"{when}，{host}在{place}主持召开{what}，{heard}" if host else f"{when}，在{place}召开{what}，{heard}"]
    if m["kind"] == "例会":
        t = _totals(store, meeting_id, today)
        s, u = (_dt.date.fromisoformat(t["since"]), _dt.date.fromisoformat(t["until"]))
        span = f"{s.month}月{s.day}日至{u.month}月{u.day}日" if u >= s else "本周"
        paras.append(
            f"会议指出，{span}，全{word}新增欠薪问题{t['new_cases']}件，办结{t['closed_cases']}件，兑付农民工工资"
            f"{fen_to_wan_text(t['repaid_fen'])}万元；截至会议召开时，在办{t['open_cases']}件，尚欠"
            f"{fen_to_wan_text(t['outstanding_fen'])}万元，逾期未办结{t['overdue_cases']}件；前期交办事项未办结"
            f"{t['open_items']}项，其中逾期{t['overdue_items']}项。")
    paras += report_paragraphs(store, meeting_id)
    if m["kind"] == "例会":
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


# the line breaking and the official layout live in models.reports.official (names kept here)
def __getattr__(name: str):
    if name in ("NO_START", "NO_END", "break_lines"):
        import models.reports.official as official
        return getattr(official, name)
    raise AttributeError(name)


CC_SETTING = "reports.minutes_cc"
DEFAULT_CC = "县根治欠薪工作领导小组办公室，镇根治欠薪工作领导小组各成员，各工作专班"


def default_cc(store: Store) -> str:
    """The 抄送 line when the setting is empty, in the unit's own word (乡根治欠薪工作领导小组各成员)."""
    return DEFAULT_CC.replace("镇根治", f"{M.scope(store)}根治")


def minutes_story(store: Store, meeting_id: int, stamp=None) -> tuple[list, dict]:
    """The minutes as flowables in the GB/T 9704 纪要 layout, and the document's metadata
    (title, author). The Word version is written from the same story. ``stamp``: the data
    check's result (``pdf_base.data_stamp``), printed as one line after 出席 / 请假 / 列席."""
    import models.reports.official as O
    O.register_faces()
    m = M.get_meeting(store, meeting_id)
    items = M.decisions(store, meeting_id)
    org, kind_line = minutes_title(store, m)
    d = _dt.date.fromisoformat(m["date"])
    story: list = [O.RedHeader(O.Masthead([org, kind_line], f"第{m['meeting_no']}期", f"{org}办公室",
                                          M.cn_date(d))), O.Blank(O.LEAD * 0.5)]
    for label, value in (("时间", f"{M.cn_date(d, True)}{m['time_text'] or ''}"), ("地点", m["place"]),
                         ("主持", m["host"]), ("记录", m["recorder"])):
        story.append(O.body(f"{label}：{value or ''}"))
    story.append(O.Blank(O.LEAD / 2))
    body = m["body"] or default_body(store, meeting_id)
    paras = [x.strip().lstrip("\u3000") for x in body.splitlines() if x.strip()]
    reported = report_paragraphs(store, meeting_id)
    if reported and not any(_said(p, body) for p in reported[1:]):
        # a body written by hand (or before the reports): the 专班's reports still reach the 纪要,
        # before the meeting's requirements (会议要求…) when the body has them
        at = next((i for i, p in enumerate(paras) if p.startswith("会议要求")), len(paras))
        paras[at:at] = reported
    for text in paras:
        story.append(O.body(text))
    if items:
        story.append(O.body("现将会议议定事项纪要如下："))
        for n, it in enumerate(items, 1):
            i = it["decision_no"] or n
            unit = it["workstream"] or "领导小组办公室"
            due = f"{M.cn_date(it['due_date'])}前" if it["due_date"] else "长期坚持"
            story.append(O.body(f"{cn_number(i)}、{it['content'].rstrip('。；;')}（责任单位：{unit}；"
                                f"责任人：{it['owner_person'] or '—'}；完成时限：{due}）"))
    else:
        story.append(O.body("本次会议无议定事项。"))
    story.append(O.Blank(O.LEAD))
    # 出席 / 请假 / 列席: 黑体 label two characters in, names aligned after the colon
    for label, field in (("出席", "attendees_present"), ("请假", "absent_with_reason"), ("列席", "attending_nonvoting")):
        story.append(O.attendance(label, _people(m[field])))
    if stamp is not None:       # an annotation, not the 纪要's text: 五号, one line; red when not passed
        from reportlab.lib import colors
        story += [O.Blank(O.LEAD / 2),
                  O.Text(stamp.check_text, O.KAI if stamp.passed else O.HEI, 10.5, 16, first_indent=0, role="note",
                         colour=colors.black if stamp.passed else colors.HexColor("#b00020"))]
    cc = store.get_setting(CC_SETTING) or default_cc(store)
    story.append(O.ImprintBlock(O.Imprint(cc, f"{org}办公室", _print_day(m))))
    meta = {"title": f"{org}{kind_line}（第{m['meeting_no']}期）", "author": f"{org}办公室"}
    return story, meta


def _said(paragraph: str, body: str) -> bool:
    """Whether a 专班's report paragraph is already in ``body`` (its report, or its problems)."""
    flat = "".join(body.split())
    _head, _, rest = paragraph.partition("：")
    parts = [x for x in re.split(r"存在的问题：", rest) if x.strip()]
    return any("".join(x.split()).rstrip("。") in flat for x in parts)


def build_minutes(store: Store, meeting_id: int, out_path: str | Path, today: _dt.date | None = None):
    """Write the minutes of one meeting to ``out_path`` (PDF, or Word when it ends in .docx),
    with the data check's result as of ``today``; a ``ReportResult``."""
    from models.reports.pdf_base import data_stamp
    from models.reports.result import ReportResult
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    stamp = data_stamp(store, today or _dt.date.today())
    story, meta = minutes_story(store, meeting_id, stamp)
    if out.suffix.lower() == ".docx":
        from models.reports.word import write_docx
        write_docx(story, out, meta["title"], meta["author"], official=True)
        return ReportResult(out, "会议纪要", 0, stamp.passed, stamp.check_text)
    from models.reports.official import OfficialDoc
    doc = OfficialDoc(out, meta["title"], meta["author"], subject=stamp.line)
    doc.build(story)
    return ReportResult(out, "会议纪要", doc.page, stamp.passed, stamp.check_text)


def build_minutes_pdf(store: Store, meeting_id: int, out_path: str | Path, today: _dt.date | None = None) -> Path:
    """``build_minutes``, the path written."""
    return build_minutes(store, meeting_id, out_path, today).path


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
