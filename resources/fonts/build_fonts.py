"""Build the typefaces of the official-document layout (GB/T 9704-2012) from free fonts.

Run at resource-build time, not by the program:

    apt-get install fonts-noto-cjk fonts-noto-cjk-extra fonts-lxgw-wenkai
    .venv/bin/python resources/fonts/build_fonts.py

Each face is subset to the characters township documents use and written as TrueType
(quadratic) outlines, which reportlab can embed; the Noto faces come as CFF (PostScript)
outlines and are converted with fontTools' cu2qu.

    qq-song-bold.ttf  小标宋-style titles   Noto Serif CJK SC Bold      (SIL OFL 1.1)
    qq-fangsong.ttf   仿宋-style body text  Noto Serif CJK SC Light     (SIL OFL 1.1)
                      (no free FangSong with simplified characters of good quality exists in
                      Debian or PyPI; cwTeX 仿宋 lacks a third of GB 2312. A light Song is the
                      closest in colour: thin, even strokes.) Falls back to the Regular weight
                      when fonts-noto-cjk-extra is not installed.
    qq-kai.ttf        楷体 headings         LXGW WenKai Regular         (SIL OFL 1.1)
    黑体 headings use the bundled wqy-microhei.ttc (WenQuanYi Micro Hei), as the window does.

The subset: all 7,445 characters of GB 2312 (6,763 hanzi, punctuation, full-width forms,
Greek, Cyrillic, kana, box drawing), printable ASCII, Latin-1, general punctuation
(— – … ‘’ “” ‰ ※), CJK symbols (〇 〔〕 【】 《》 「」), full-width forms (U+FF01–FF5E),
circled and parenthesised numbers (① ⑴ ⒈), Roman numerals, and every non-ASCII character
that appears in the program's own source files (so any fixed wording is covered). Characters
outside the subset (rare names such as 䶮) are drawn by the report in the bundled
WenQuanYi Micro Hei instead.

The OFL forbids a modified font (a subset is one) to carry a Reserved Font Name ("LXGW",
"霞鹜"; "Source" for Noto CJK): the subsets are renamed QQSong-Bold, QQFangSong and QQKai.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
NOTO = Path("/usr/share/fonts/opentype/noto")
SOURCES = {
    "qq-song-bold.ttf": ([NOTO / "NotoSerifCJK-Bold.ttc"], "Noto Serif CJK SC", "QQ Song", "Bold", "QQSong-Bold"),
    "qq-fangsong.ttf": ([NOTO / "NotoSerifCJK-Light.ttc", NOTO / "NotoSerifCJK-Regular.ttc"], "Noto Serif CJK SC",
                        "QQ FangSong", "Regular", "QQFangSong"),
    "qq-kai.ttf": ([Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")], None, "QQ Kai", "Regular",
                   "QQKai"),
}
LICENCES = {"qq-song-bold.ttf": "LICENSE-noto-cjk.txt", "qq-fangsong.ttf": "LICENSE-noto-cjk.txt",
            "qq-kai.ttf": "LICENSE-lxgw-wenkai.txt"}
RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x2030), (0x2160, 0x217F), (0x2460, 0x24FF), (0x3000, 0x303F),
          (0xFF01, 0xFF5E), (0xFFE0, 0xFFE5), (0x2190, 0x2193), (0x25A0, 0x25CF), (0x2605, 0x2606)]


def gb2312() -> set[str]:
    out = set()
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                out.add(bytes([b1, b2]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def program_characters() -> set[str]:
    out: set[str] = set()
    for pkg in ("models", "views", "desktop", "resources"):
        for f in (ROOT / pkg).rglob("*.py"):
            out |= {ch for ch in f.read_text(encoding="utf-8") if ord(ch) > 0x7F}
    return out


def wanted() -> set[int]:
    chars = gb2312() | program_characters()
    codes = {ord(c) for c in chars}
    for lo, hi in RANGES:
        codes |= set(range(lo, hi + 1))
    return codes


def _open(paths: list[Path], family: str | None):
    from fontTools.ttLib import TTCollection, TTFont
    for p in paths:
        if not p.exists():
            continue
        if p.suffix == ".ttc":
            for f in TTCollection(str(p)).fonts:
                if f["name"].getDebugName(1).startswith(family):
                    return f, p
        else:
            return TTFont(str(p)), p
    raise SystemExit(f"没有找到字体源文件：{', '.join(map(str, paths))}")


def cff_to_glyf(font) -> None:
    """Replace the CFF table by TrueType outlines (cubic → quadratic with cu2qu)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable
    glyph_set = font.getGlyphSet()
    order = font.getGlyphOrder()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        rec = DecomposingRecordingPen(glyph_set)
        glyph_set[name].draw(rec)
        pen = TTGlyphPen(None)
        rec.replay(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxPoints", "maxContours",
                 "maxCompositePoints", "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 2.0          # glyph names kept: reportlab reads them
    font["post"].extraNames = []
    font["post"].mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font, family: str, style: str, ps: str, source: str) -> None:
    name = font["name"]
    keep = [r for r in name.names if r.nameID in (0, 7, 8, 9, 11, 12, 13, 14)]
    name.names = keep
    full = f"{family} {style}" if style != "Regular" else family
    for nid, value in ((1, family), (2, style), (3, f"{ps};subset"), (4, full), (5, "Version 1.0"), (6, ps),
                       (10, f"Subset of {source} for official documents (GB 2312 and the program's text)")):
        name.setName(value, nid, 3, 1, 0x409)
        name.setName(value, nid, 1, 0, 0)
    if "CFF " in font:
        font["CFF "].cff.fontNames = [ps]


def build(target: str) -> Path:
    from fontTools import subset
    paths, family, new_family, style, ps = SOURCES[target]
    font, src = _open(paths, family)
    source = font["name"].getDebugName(4)
    opts = subset.Options()
    opts.layout_features = ["vert", "vrt2", "kern", "palt"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.glyph_names = True
    opts.hinting = False
    opts.drop_tables += ["DSIG", "VORG", "BASE", "JSTF", "MATH", "GDEF", "GPOS", "GSUB", "meta"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=wanted())
    sub.subset(font)
    if "CFF " in font:
        cff_to_glyf(font)
    rename(font, new_family, style, ps, source)
    out = HERE / target
    font.save(str(out))
    print(f"{target}: {source} ({src.name}) → {out.stat().st_size / 1e6:.1f} MB, "
          f"{len(font.getBestCmap())} characters")
    return out


def main(argv: list[str]) -> int:
    for target in argv or SOURCES:
        build(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
