"""The GB/T 9704-2012 layout of the minutes and the weekly briefing, read back from the PDFs:
A4, the 版心 (天头 37 mm, 订口 28 mm, 156 × 225 mm), the red 版头 and separator line, the faces
embedded (小标宋-, 仿宋-style, 楷体, 黑体), "— N —" at the outer side (odd right, even left), the
版记 (抄送 / 印发) at the foot of the last page, 出席 / 请假 / 列席. Pages are saved as PNG in
/tmp/shots for a person to look at."""
from __future__ import annotations

import datetime as _dt
import re
import zlib
from pathlib import Path

import pytest
from pdftext import flat, fonts, page_texts

from models import meetings as M
from models.db import Store
from models.reports import make_report

TODAY = _dt.date(2026, 11, 26)
SHOTS = Path("/tmp/shots")
MM = 72 / 25.4


@pytest.fixture(scope="module")
def docs(town, tmp_path_factory):
    out = tmp_path_factory.mktemp("official")
    s = Store(town)
    mid = next(m["id"] for m in M.list_meetings(s) if m["kind"] == "例会" and m["status"] == "已关闭")
    no = M.get_meeting(s, mid)["meeting_no"]
    s.close()
    res = {"minutes": make_report("minutes", town, out / "minutes.pdf", TODAY, meeting=no).path,
           "weekly": make_report("weekly", town, out / "weekly.pdf", TODAY).path}
    SHOTS.mkdir(parents=True, exist_ok=True)
    import pypdfium2 as pdfium
    for name, path in res.items():
        pdf = pdfium.PdfDocument(str(path))
        for i in range(len(pdf)):
            pdf[i].render(scale=80 / 72).to_pil().save(SHOTS / f"official_{name}-{i + 1}.png")
        pdf.close()
    return res


def chars(path: Path) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    """Every page's characters with their boxes (left, bottom, right, top) in points."""
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(path))
    out = []
    for i in range(len(pdf)):
        tp = pdf[i].get_textpage()
        page = []
        for k in range(tp.count_chars()):
            ch = tp.get_text_range(k, 1)
            if ch.strip():
                page.append((ch, tp.get_charbox(k)))
        out.append(page)
        tp.close()
    pdf.close()
    return out


def streams(path: Path) -> list[bytes]:
    """The decoded streams of the file (reportlab writes page contents ASCII85 + Flate)."""
    import base64
    data = path.read_bytes()
    out = []
    for m in re.finditer(rb"/Filter\s*\[([^\]]*)\][^>]*>>\s*stream\r?\n", data):
        end = data.find(b"endstream", m.end())
        raw = data[m.end():end].strip()
        try:
            if b"ASCII85Decode" in m.group(1):
                raw = base64.a85decode(raw, adobe=True)
            out.append(zlib.decompressobj().decompress(raw))
        except (ValueError, zlib.error):
            pass
    return out


def test_a4_and_the_type_area(docs):
    """Everything but the page number lies inside the 版心: 28 mm from the left, 37 mm from the
    top, 156 mm wide and 225 mm high."""
    import pypdfium2 as pdfium
    for name, path in docs.items():
        pdf = pdfium.PdfDocument(str(path))
        w, h = pdf[0].get_size()
        pdf.close()
        assert (round(w), round(h)) == (595, 842), name
        left, right = 28 * MM, (28 + 156) * MM
        top, bottom = h - 37 * MM, h - (37 + 225) * MM
        for n, page in enumerate(chars(path), 1):
            inside = [b for _c, b in page if b[1] >= bottom - 1]
            if not inside:                     # a page of charts (images) has only its number
                assert n > 1, name
                continue
            assert min(b[0] for b in inside) >= left - 1.5, (name, n)
            assert max(b[2] for b in inside) <= right + 1.5, (name, n)
            assert max(b[3] for b in inside) <= top + 1.5, (name, n)


def test_body_is_28_characters_on_22_lines(docs):
    """三号 on the grid: the body face's size is 156 mm / 28 and its lines 225 mm / 22 apart."""
    from models.reports import official as O
    assert O.SIZE * 28 == pytest.approx(156 * MM) and 15.5 < O.SIZE <= 16
    assert O.LEAD * 22 == pytest.approx(225 * MM)
    page = chars(docs["minutes"])[0]
    body_lines = sorted({round(b[1], 1) for c, b in page if b[1] > 40 * MM and b[3] - b[1] < 17 and b[3] - b[1] > 9})
    gaps = [round(b - a, 1) for a, b in zip(body_lines, body_lines[1:])]
    assert any(abs(g - O.LEAD) < 0.6 for g in gaps), gaps


def test_red_masthead_and_separator(docs):
    """The 版头 is drawn in red (1 0 0 rg) and the separator line stroked in red (1 0 0 RG) on the
    first page; the rest of the text is black."""
    for name, path in docs.items():
        first = streams(path)
        page1 = next(s for s in first if b"BT" in s and b"1 0 0 rg" in s)
        assert b"1 0 0 RG" in page1, name
        red_text = page1.split(b"1 0 0 rg", 1)[1].split(b"0 0 0 rg", 1)[0]
        assert b"Tj" in red_text, name
    texts = page_texts(docs["minutes"])
    assert "青山镇根治欠薪工作领导小组" in texts[0] and "周调度会议纪要" in texts[0]
    # the mark's upper edge 35 mm below the 版心's (37 mm from the top of the page)
    for path in docs.values():
        top = max(b[3] for _c, b in chars(path)[0])
        assert abs((842 - top) / MM - (37 + 35)) < 4, (842 - top) / MM
    assert "周调度材料" in page_texts(docs["weekly"])[0]


def test_the_official_faces_are_embedded(docs):
    """The title in the 小标宋-style face, the body in the 仿宋-style face, 黑体 and 楷体 headings:
    every one embedded (a subset), so the file prints the same anywhere."""
    for name, path in docs.items():
        found = fonts(path)
        names = {n.split("+", 1)[-1] for n, _e in found}
        assert all(e for _n, e in found), name
        assert {"QQSong-Bold", "QQFangSong"} <= names, (name, names)
        assert any("WenQuanYi" in n for n in names), name          # 黑体 (出席： / 一、)
    assert "QQKai" in {n.split("+", 1)[-1] for n, _e in fonts(docs["weekly"])}     # （一） headings, notes


def test_page_numbers_at_the_outer_side(docs):
    """"— N —" in 四号 7 mm below the 版心: odd pages one character in from the right edge of
    the 版心, even pages one character in from the left."""
    for name, path in docs.items():
        pages = chars(path)
        assert len(pages) >= 2, name
        for n, page in enumerate(pages, 1):
            foot = [(c, b) for c, b in page if b[3] < 35 * MM]
            text = "".join(c for c, _b in foot)
            assert flat(text) == f"—{n}—", (name, n, text)
            x0, x1 = min(b[0] for _c, b in foot), max(b[2] for _c, b in foot)
            if n % 2:
                assert abs(x1 - ((28 + 156) * MM - 14)) < 3, (name, n, x1)
            else:
                assert abs(x0 - (28 * MM + 14)) < 3, (name, n, x0)
            top = max(b[3] for _c, b in foot)
            assert 35 * MM - 7 * MM - 12 < top < 35 * MM - 7 * MM + 6, (name, n, top / MM)
        assert "— 1 —" in page_texts(path)[0]


def test_imprint_at_the_foot_of_the_last_page(docs):
    """抄送 and 印发 only on the last page, at its foot (the 印发 line just above the 版心's bottom)."""
    for name, path in docs.items():
        texts = page_texts(path)
        assert "抄送：" in texts[-1] and "印发" in texts[-1], name
        assert not any("抄送：" in t for t in texts[:-1]), name
        last = chars(path)[-1]
        line = "".join(c for c, _b in last)
        k = line.index("印发")
        y = last[k][1][1]
        assert 35 * MM - 2 < y < 35 * MM + 14 * 2, (name, y / MM)


def test_minutes_attendance_and_its_labels(docs, town):
    s = Store(town)
    texts = page_texts(docs["minutes"])
    whole = "".join(texts)
    for label in ("出席：", "请假：", "列席："):
        assert label in whole
    # the labels are in 黑体, the names after them in the body face, aligned after the colon
    from models.reports import official as O
    t = O.attendance("出席", ["甲乙（单位）"] * 12)
    t.wrap(O.WIDTH, 1000)
    xs = [x for x, _line, _j in t.lines]
    assert xs[0] == xs[1] == pytest.approx(5 * O.SIZE)         # two characters in, then 出席：
    assert t.label_font == O.HEI and t.font == O.FANG
    s.close()


def test_a_character_outside_the_subset_falls_back_to_the_full_face(tmp_path):
    """The subsets hold GB 2312 and the program's own text; a rarer character of a name (堃, 喆)
    is drawn in WenQuanYi Micro Hei, so it prints instead of a box."""
    from pdftext import text_of

    from models.reports import official as O
    O.register_faces()
    assert ord("欠") in O._glyphs[O.FANG] and ord("堃") not in O._glyphs[O.FANG]
    assert O.runs("王堃同志", O.FANG) == [(O.FANG, "王"), (O.HEI, "堃"), (O.FANG, "同志")]
    out = tmp_path / "rare.pdf"
    O.OfficialDoc(out, "测试", "测试").build([O.body("出席人员王堃、李喆同志。")])
    assert "王堃、李喆" in text_of(out)
    assert {"QQFangSong", "WenQuanYiMicroHei-0"} <= {n.split("+", 1)[-1] for n, _e in fonts(out)}


def test_the_bundle_and_the_package_ship_the_faces_and_their_licences():
    root = Path(__file__).resolve().parent.parent
    from models.reports import official as O
    spec = (root / "build.spec").read_text(encoding="utf-8")
    assert 'glob("*")' in spec and '".ttf"' in spec and '".txt"' in spec
    for file in O.FACE_FILES.values():
        path = root / "resources" / "fonts" / file
        assert path.exists() and 1_000_000 < path.stat().st_size < 6_000_000, file
    for lic in ("LICENSE-noto-cjk.txt", "LICENSE-lxgw-wenkai.txt", "LICENSE-wqy-microhei.txt"):
        assert (root / "resources" / "fonts" / lic).exists(), lic
    assert 'fonts/*' in (root / "pyproject.toml").read_text(encoding="utf-8")
