"""Word (.docx) versions of the reports, written from the same story (list of flowables) the PDF
is built from, so both hold the same title, headings, paragraphs and tables.

- Named styles Word and WPS keep: the built-in Title, Heading 1–4 and Normal (shown there as
  标题 / 标题 1 … / 正文), and 副标题, 注释, 出席名单, 附件标识, 版头, 版记, 表格文字, 表头,
  签字栏 for the rest.
- Tables: the header row repeats on every page (w:tblHeader), a 合计 row is shaded; the rows are
  written as XML in one go (python-docx adds a cell in about a millisecond, too slow for a
  printout of 10,000 rows).
- Page numbers are PAGE fields in the footer: "— N —" centred (clean layout), or at the outer
  side, odd pages right and even pages left (official layout, ``official=True``).
- Official layout: A4, margins 37 / 35 / 28 / 26 mm, 三号 body on 28.95 pt lines, the red 版头
  and separator line, and the 版记 in a frame at the foot of the last page's text area.
  The faces named are those offices have (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体);
  Word or WPS substitutes any one a machine lacks.

python-docx is imported inside the functions (start-up speed).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape

OFFICIAL_FACES = {"title": "方正小标宋简体", "body": "仿宋_GB2312", "kai": "楷体_GB2312", "hei": "黑体"}
CLEAN_FACE = "微软雅黑"
RED = "FF0000"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def write_docx(story: Iterable, out: str | Path, title: str, author: str, *, official: bool = False,
               wide: bool = False, header_left: str = "", header_right: str = "") -> Path:
    """Write ``story`` (flowables of ``models.reports.official`` / ``pdf_base``) as a Word file."""
    from docx import Document
    out = Path(out)
    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.author = author
    doc.core_properties.comments = "清欠工作台"
    w = _Writer(doc, official, wide)
    w.setup(header_left, header_right)
    for f in story:
        w.add(f)
    w.finish()
    doc.save(str(out))
    return out


def _font(run_or_style, face: str) -> None:
    from docx.oxml.ns import qn
    run_or_style.font.name = face
    rpr = run_or_style.element.get_or_add_rPr() if hasattr(run_or_style.element, "get_or_add_rPr") \
        else run_or_style._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), face)


class _Writer:
    def __init__(self, doc, official: bool, wide: bool) -> None:
        self.doc, self.official, self.wide = doc, official, wide
        self.imprint = None

    # -- page, styles, footers ---------------------------------------------------------------
    def setup(self, header_left: str, header_right: str) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.enum.style import WD_STYLE_TYPE
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
        from docx.shared import Mm, Pt
        sec = self.doc.sections[0]
        sec.page_width, sec.page_height = (Mm(297), Mm(210)) if self.wide else (Mm(210), Mm(297))
        if self.wide:
            sec.orientation = WD_ORIENT.LANDSCAPE
        st = self.doc.styles
        if self.official:
            sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
            sec.footer_distance, sec.header_distance = Mm(21), Mm(15)
            body, hei, kai, song = (OFFICIAL_FACES[k] for k in ("body", "hei", "kai", "title"))
            line = Pt(225 / 22 * 72 / 25.4)              # 22 lines on the 225 mm 版心
            size = Pt(16)
        else:
            m = Mm(18)
            sec.top_margin = sec.bottom_margin = sec.left_margin = sec.right_margin = m
            body = hei = kai = song = CLEAN_FACE
            line, size = None, Pt(10.5)
        normal = st["Normal"]
        _font(normal, body)
        normal.font.size = size
        pf = normal.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        if line is not None:
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = line
        pf.widow_control = True
        self.size = size
        title = st["Title"]
        _font(title, song)
        title.font.size = Pt(22) if self.official else Pt(18)
        title.font.bold = not self.official
        title.font.color.rgb = None
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.space_after = Pt(12)
        title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.ONE_POINT_FIVE
        self._title_border_off(title)
        for level, face in ((1, hei), (2, kai), (3, body), (4, body)):
            h = st[f"Heading {level}"]
            _font(h, face)
            h.font.size = size if self.official else Pt({1: 14, 2: 12, 3: 11, 4: 10.5}[level])
            h.font.bold = (not self.official) or level == 3
            h.font.italic = False
            h.font.color.rgb = None
            hp = h.paragraph_format
            hp.space_before = hp.space_after = Pt(0) if self.official else Pt(6)
            if self.official:
                hp.first_line_indent = Pt(32)
                hp.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                hp.line_spacing = line
            hp.keep_with_next = True

        def para_style(name: str, face: str, pt: float, **kw):
            s = st[name] if name in [x.name for x in st] else st.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            s.base_style = normal
            _font(s, face)
            s.font.size = Pt(pt)
            p = s.paragraph_format
            p.line_spacing_rule = WD_LINE_SPACING.SINGLE if not kw.get("exact") else WD_LINE_SPACING.EXACTLY
            if kw.get("exact"):
                p.line_spacing = line
            if kw.get("centre"):
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            return s
        para_style("副标题", body, 14 if self.official else 12, centre=True)
        para_style("注释", kai, 12 if self.official else 9)
        para_style("出席名单", body, 16 if self.official else 10.5, exact=self.official)
        para_style("版记", body, 14)
        para_style("附件标识", hei, 16 if self.official else 12)
        para_style("版头", song, 36)
        para_style("表格文字", body if self.official else CLEAN_FACE, 10.5 if self.official else 9)
        para_style("表头", hei, 10.5 if self.official else 9, centre=True)
        para_style("签字栏", body, 12 if self.official else 10.5)
        self._footers(header_left, header_right)

    def _title_border_off(self, style) -> None:
        from docx.oxml.ns import qn
        ppr = style.element.get_or_add_pPr()
        for b in ppr.findall(qn("w:pBdr")):
            ppr.remove(b)

    def _footers(self, header_left: str, header_right: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt
        sec = self.doc.sections[0]
        if self.official:
            self.doc.settings.odd_and_even_pages_header_footer = True
            for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sec.even_page_footer,
                                                                            WD_ALIGN_PARAGRAPH.LEFT)):
                p = footer.paragraphs[0]
                p.alignment = align
                if align == WD_ALIGN_PARAGRAPH.RIGHT:
                    p.paragraph_format.right_indent = Pt(14)
                else:
                    p.paragraph_format.left_indent = Pt(14)
                self._page_field(p, OFFICIAL_FACES["body"], 14)
        else:
            p = sec.footer.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._page_field(p, CLEAN_FACE, 10.5)
            if header_left or header_right:
                h = sec.header.paragraphs[0]
                r = h.add_run(f"{header_left}\t\t{header_right}".strip("\t") if not header_left else
                              f"{header_left}\t\t{header_right}")
                _font(r, CLEAN_FACE)
                r.font.size = Pt(8)

    def _page_field(self, p, face: str, pt: float) -> None:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls
        from docx.shared import Pt
        r = p.add_run("— ")
        _font(r, face)
        r.font.size = Pt(pt)
        fld = parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:rPr><w:rFonts w:ascii="{face}" w:hAnsi="{face}" '
            f'w:eastAsia="{face}"/><w:sz w:val="{int(pt * 2)}"/></w:rPr><w:t>1</w:t></w:r></w:fldSimple>')
        p._p.append(fld)
        r2 = p.add_run(" —")
        _font(r2, face)
        r2.font.size = Pt(pt)

    # -- the story -------------------------------------------------------------------------
    def add(self, f) -> None:
        """One flowable. Told apart by what it carries (``role``, ``raw``, ``qq_*``), so this module
        imports neither ``official`` nor ``pdf_base`` (which import it)."""
        from reportlab.platypus import KeepTogether, PageBreak
        role = getattr(f, "role", None)
        if isinstance(f, KeepTogether):
            for g in f._content:
                self.add(g)
        elif isinstance(f, PageBreak):
            self.doc.add_page_break()
        elif role == "masthead":
            self._masthead(f.head)
        elif role == "imprint":
            self.imprint = f.imprint
        elif role == "blank":
            pass
        elif role is not None and hasattr(f, "text") and hasattr(f, "label"):
            self._text(f)
        elif hasattr(f, "raw") and hasattr(f, "widths"):
            self._table(f)
        elif hasattr(f, "qq_text"):
            self._paragraph(f.qq_text, f.style.name)
        elif hasattr(f, "qq_signature"):
            p = self.doc.add_paragraph(style="签字栏")
            p.paragraph_format.space_before = self._pt(14)
            p.add_run("　　　　".join(f"{label}：＿＿＿＿＿＿" for label in f.qq_signature))
        elif hasattr(f, "qq_pairs"):
            self._pairs(f.qq_pairs)
        elif hasattr(f, "qq_png"):
            import io
            from docx.enum.text import WD_ALIGN_PARAGRAPH
            from docx.shared import Pt
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.line_spacing = None
            p.paragraph_format.first_line_indent = Pt(0)
            p.add_run().add_picture(io.BytesIO(f.qq_png), width=Pt(f.drawWidth))
        # spacers, blanks, conditional page breaks and rules have no Word counterpart

    def _pt(self, v: float):
        from docx.shared import Pt
        return Pt(v)

    def _text(self, f) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt, RGBColor
        role = f.role.split(":")[0]
        style = {"title": "Title", "h1": "Heading 1", "h2": "Heading 2", "h3": "Heading 3", "h4": "Heading 4",
                 "note": "注释", "attend": "出席名单", "annex": "附件标识"}.get(role, "Normal")
        p = self.doc.add_paragraph(style=style)
        pf = p.paragraph_format
        if role == "attend":
            pf.left_indent = Pt(f.left_indent + f.first_indent + 3 * 16)
            pf.first_line_indent = Pt(-3 * 16)
            r = p.add_run(f.label)
            _font(r, OFFICIAL_FACES["hei"] if self.official else CLEAN_FACE)
        elif role in ("body", "plain") and f.first_indent:
            pf.first_line_indent = Pt(32 if self.official else 21)
        if f.align == "centre":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif f.align == "right":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif role not in ("title",):
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        r = p.add_run(f.text)
        if f.colour is not None and getattr(f.colour, "hexval", lambda: "0x000000")()[2:].lower() not in ("000000",):
            r.font.color.rgb = RGBColor.from_string(f.colour.hexval()[2:].upper())

    def _paragraph(self, text: str, style_name: str) -> None:
        from docx.shared import Pt, RGBColor
        style = {"title": "Title", "subtitle": "副标题", "h1": "Heading 1", "h2": "Heading 2", "note": "注释",
                 "small": "注释", "alert": "注释"}.get(style_name, "Normal")
        for i, line in enumerate(text.split("\n")):
            p = self.doc.add_paragraph(style=style)
            if style_name == "body" and i == 0:
                p.paragraph_format.first_line_indent = Pt(21)
            r = p.add_run(line)
            if style_name == "alert":
                r.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)

    def _masthead(self, head) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt, RGBColor
        longest = max(len(x) for x in head.org_lines)
        size = min(36, int(440 / max(longest, 1)))
        for k, line in enumerate(head.org_lines):
            p = self.doc.add_paragraph(style="版头")
            if k == 0:
                p.paragraph_format.space_before = Pt(head.top)      # 35 mm below the 版心's upper edge
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.line_spacing = Pt(size * 1.25)
            r = p.add_run(line)
            r.font.size = Pt(size)
            r.font.color.rgb = RGBColor.from_string(RED)
        if head.number:
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_before = Pt(12)
            p.add_run(head.number)
        if head.left or head.right:
            # 编印单位 one character in from the left, the date one in from the right: a borderless
            # two-cell row (a right tab at the margin is placed differently by Word and WPS)
            self._body_insert(self._row_xml([head.left, head.right], OFFICIAL_FACES["body"], 32, {}, 0, half=6000))
        p = self.doc.add_paragraph()
        p.paragraph_format.line_spacing = Pt(4)
        r = p.add_run("")
        r.font.size = Pt(2)
        self._border(p, "bottom", RED, 8)                 # the red separator line, as wide as the 版心
        self.doc.add_paragraph()

    def _body_insert(self, element) -> None:
        body = self.doc.element.body
        body.insert(len(body) - 1, element)              # before the section properties

    def _row_xml(self, cells: list[str], face: str, half_points: int, borders: dict, top: int,
                 floating: str = "", rows: list[list[str]] | None = None, half: int = 5200) -> object:
        """A table of one or more rows of two cells (a row of one text spans both), 156 mm wide:
        the first cell's text one character in from the left, the second's one in from the right.
        ``borders``: {"top": eighths, "insideH": eighths, "bottom": eighths}."""
        from docx.oxml import parse_xml
        width = 8845
        rows = rows or [cells]

        def para(text: str, jc: str) -> str:
            ind = '<w:ind w:left="280" w:right="0" w:firstLine="0"/>' if jc == "left" else \
                '<w:ind w:left="0" w:right="280" w:firstLine="0"/>'
            if text.startswith("抄送："):        # continuation lines aligned after the colon
                ind = f'<w:ind w:left="{280 + half_points * 30}" w:right="280" w:hanging="{half_points * 30}"/>'
            return (f'<w:p><w:pPr><w:jc w:val="{jc}"/>{ind}<w:spacing w:before="40" w:after="40" w:line="240" '
                    f'w:lineRule="auto"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="{face}" w:hAnsi="{face}" '
                    f'w:eastAsia="{face}"/><w:sz w:val="{half_points}"/></w:rPr><w:t xml:space="preserve">'
                    f'{escape(text)}</w:t></w:r></w:p>')
        bdr = "".join(f'<w:{side} w:val="{"single" if v else "nil"}" w:sz="{v or 0}" w:space="0" w:color="000000"/>'
                      for side, v in (("top", borders.get("top", 0)), ("left", 0),
                                      ("bottom", borders.get("bottom", 0)), ("right", 0),
                                      ("insideH", borders.get("insideH", 0)), ("insideV", 0)))
        trs = []
        for r in rows:
            if len(r) == 1:
                tcs = f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:gridSpan w:val="2"/></w:tcPr>' \
                      f'{para(r[0], "left")}</w:tc>'
            else:
                tcs = (f'<w:tc><w:tcPr><w:tcW w:w="{half}" w:type="dxa"/></w:tcPr>{para(r[0], "left")}</w:tc>'
                       f'<w:tc><w:tcPr><w:tcW w:w="{width - half}" w:type="dxa"/></w:tcPr>{para(r[1], "right")}</w:tc>')
            trs.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{tcs}</w:tr>")
        return parse_xml(
            f'<w:tbl xmlns:w="{W_NS}"><w:tblPr>{floating}<w:tblW w:w="{width}" w:type="dxa"/><w:jc w:val="center"/>'
            f'<w:tblLayout w:type="fixed"/><w:tblBorders>{bdr}</w:tblBorders><w:tblCellMar><w:left w:w="0" '
            f'w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>'
            f'<w:gridCol w:w="{half}"/><w:gridCol w:w="{width - half}"/></w:tblGrid>{"".join(trs)}</w:tbl>')

    def _border(self, p, side: str, colour: str, eighths: int) -> None:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls, qn
        ppr = p._p.get_or_add_pPr()
        bdr = ppr.find(qn("w:pBdr"))
        if bdr is None:
            bdr = parse_xml(f"<w:pBdr {nsdecls('w')}/>")
            ppr.append(bdr)
        bdr.append(parse_xml(f'<w:{side} {nsdecls("w")} w:val="single" w:sz="{eighths}" w:space="4" '
                             f'w:color="{colour}"/>'))

    def _pairs(self, items) -> None:
        cols = 4
        rows = [items[i:i + cols] for i in range(0, len(items), cols)]
        t = self.doc.add_table(rows=len(rows) * 2, cols=cols)
        t.style = self.doc.styles["Table Grid"]
        for r, chunk in enumerate(rows):
            for j, (label, value) in enumerate(chunk):
                t.cell(2 * r, j).paragraphs[0].add_run(label).font.size = self._pt(9)
                t.cell(2 * r, j).paragraphs[0].style = self.doc.styles["表格文字"]
                t.cell(2 * r + 1, j).paragraphs[0].add_run(value).font.size = self._pt(14)
                t.cell(2 * r + 1, j).paragraphs[0].style = self.doc.styles["表格文字"]
        self.doc.add_paragraph()

    def _table(self, f) -> None:
        """A LongTable as a Word table: header row repeated, right-aligned numbers, 合计 shaded."""
        from docx.oxml import parse_xml
        header, rows, total, shade, band = f.raw
        total_w = sum(f.widths)
        avail = ((297 - 36) if self.wide else (156 if self.official else 210 - 36)) * 72 / 25.4
        twips = [int(w / total_w * avail * 20) for w in f.widths]
        style_id = self.doc.styles["表格文字"].style_id
        head_id = self.doc.styles["表头"].style_id
        aligns = {"R": "right", "C": "center"}

        def cell(text, j, head=False, fill=None, red=False) -> str:
            jc = "center" if head else aligns.get(f.aligns[j], "left")
            shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
            colour = '<w:color w:val="B00020"/>' if red else ""
            lines = str(text if text is not None else "").split("\n")
            runs = "".join(f"<w:r><w:rPr>{colour}</w:rPr><w:t xml:space=\"preserve\">{escape(line)}</w:t></w:r>"
                           + ("<w:r><w:br/></w:r>" if k < len(lines) - 1 else "")
                           for k, line in enumerate(lines))
            return (f'<w:tc><w:tcPr><w:tcW w:w="{twips[j]}" w:type="dxa"/>{shd}<w:vAlign w:val="center"/></w:tcPr>'
                    f'<w:p><w:pPr><w:pStyle w:val="{head_id if head else style_id}"/><w:jc w:val="{jc}"/>'
                    f'<w:spacing w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/></w:pPr>{runs}</w:p></w:tc>')
        parts = [f'<w:tbl xmlns:w="{W_NS}"><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{sum(twips)}" '
                 'w:type="dxa"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/><w:tblBorders>'
                 + "".join(f'<w:{s} w:val="single" w:sz="4" w:space="0" w:color="7F7F7F"/>'
                           for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
                 + '</w:tblBorders><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>'
                 '</w:tblCellMar></w:tblPr><w:tblGrid>' + "".join(f'<w:gridCol w:w="{t}"/>' for t in twips)
                 + '</w:tblGrid>']
        parts.append('<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>'
                     + "".join(cell(h, j, head=True, fill="E8EDF3") for j, h in enumerate(header)) + "</w:tr>")
        for i, r in enumerate(rows):
            fill = "F4F4F4" if i in band else None
            parts.append('<w:tr><w:trPr><w:cantSplit/></w:trPr>'
                         + "".join(cell(v, j, fill=fill, red=i in shade) for j, v in enumerate(r)) + "</w:tr>")
        if total:
            parts.append('<w:tr><w:trPr><w:cantSplit/></w:trPr>'
                         + "".join(cell(v, j, fill="F4F4F4") for j, v in enumerate(total)) + "</w:tr>")
        parts.append("</w:tbl>")
        tbl = parse_xml("".join(parts))
        body = self.doc.element.body
        body.insert(len(body) - 1, tbl)          # before the section properties
        self.doc.add_paragraph()

    def finish(self) -> None:
        """The 版记 as a table of its rules (thick above and below, thin between 抄送 and 印发),
        floating at the foot of the last page's text area (tblpYSpec="bottom")."""
        if self.imprint is None:
            return
        im = self.imprint
        d = im.printed_on
        printed = [im.printer, f"{d.year}年{d.month}月{d.day}日印发"]
        rows = ([[f"抄送：{im.cc}"]] if im.cc else []) + [printed]
        floating = ('<w:tblpPr w:leftFromText="0" w:rightFromText="0" w:vertAnchor="margin" w:horzAnchor="margin" '
                    'w:tblpXSpec="center" w:tblpYSpec="bottom"/><w:tblOverlap w:val="never"/>')
        self._body_insert(self._row_xml([], OFFICIAL_FACES["body"], 28, {"top": 8, "insideH": 6, "bottom": 8}, 0,
                                        floating, rows))
        self.doc.add_paragraph()
