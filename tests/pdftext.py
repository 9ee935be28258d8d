"""Reading the PDFs the program writes, with pypdfium2 (a dependency of the program): the text of
each page, the page count, and whether every font is embedded. No system tool is needed, so no
test that reads a PDF can be skipped for want of one."""
from __future__ import annotations

import re
from pathlib import Path

MARKUP = ("<br", "&lt;", "&gt;", "&amp;", "&nbsp;", "<b>", "</b>", "<font", "<para")


def page_texts(path: str | Path) -> list[str]:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(path))
    try:
        out = []
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            out.append(tp.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
            tp.close()
            page.close()
        return out
    finally:
        pdf.close()


def text_of(path: str | Path) -> str:
    """Every page's text, pages separated by a form feed (table rows come out one per line)."""
    return "\f".join(page_texts(path))


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def flat_of(path: str | Path) -> str:
    return flat(text_of(path))


def page_count(path: str | Path) -> int:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def fonts(path: str | Path) -> list[tuple[str, bool]]:
    """(base font name, embedded) for each font of the file. A font is embedded when its font
    descriptor carries the font program (/FontFile, /FontFile2 or /FontFile3); the standard 14
    fonts have no descriptor and are never embedded."""
    data = Path(path).read_bytes()
    out = []
    for m in re.finditer(rb"/Type\s*/Font\b(?!Descriptor)", data):
        obj = data[data.rfind(b" obj", 0, m.start()):data.find(b"endobj", m.start())]
        name = re.search(rb"/BaseFont\s*/([^\s/<>\[\]]+)", obj)
        desc = re.search(rb"/FontDescriptor\s+(\d+)\s+0\s+R", obj)
        embedded = False
        if desc:
            d = re.search(rb"\n" + desc.group(1) + rb"\s+0\s+obj(.*?)endobj", data, re.S)
            embedded = bool(d and re.search(rb"/FontFile[23]?\s", d.group(1)))
        out.append(((name.group(1) if name else b"?").decode("latin-1"), embedded))
    return out


def markup_in(text: str) -> list[str]:
    """The markup that leaked into a report's text (a literal "<br/>", an escaped "&lt;" …)."""
    return [m for m in MARKUP if m in text]
