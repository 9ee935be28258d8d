"""证据材料 in the demo township: payment receipts (small PNG 付款回单, drawn here without Qt),
a signed 还款承诺书 and a 还款计划 as one-page PDFs (reportlab), on several cases and repayments.

``populate(store, rng, today)`` adds them to a built township demo through
``models.attachments.attach`` (the ledger's write service); the files go to ``<db>.files/``.
"""
from __future__ import annotations

import datetime as _dt
import random
import struct
import tempfile
import zlib
from pathlib import Path

from models.db import Store

# a 5×7 dot font for the digits and a few marks the receipts show
_GLYPHS = {
    "0": "01110100011001110101110011000101110", "1": "00100011000010000100001000010001110",
    "2": "01110100010000100010001000100011111", "3": "11111000100010000010000011000101110",
    "4": "00010001100101010010111110001000010", "5": "11111100001111000001000011000101110",
    "6": "00110010001000011110100011000101110", "7": "11111000010001000100010000100001000",
    "8": "01110100011000101110100011000101110", "9": "01110100011000101111000010001001100",
    "-": "00000000000000011111000000000000000", ".": "00000000000000000000000000110001100",
    " ": "0" * 35,
}


def tiny_png(width: int, height: int, rows: list[bytes]) -> bytes:
    """A PNG (8-bit RGB, no interlace) of ``rows`` (each ``width * 3`` bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def receipt_png(amount_text: str, date_text: str, seed: int = 0) -> bytes:
    """A small scanned-looking 付款回单: a paper-white slip with a red stamp, a header band and
    the amount and date written in dots."""
    w, h, scale = 240, 150, 3
    paper = (250, 248, 240)
    px = [[paper] * w for _ in range(h)]
    for x in range(w):                          # the bank's header band
        for y in range(8, 26):
            px[y][x] = (30, 90, 160)
    for x in range(10, w - 10):                 # ruled lines
        for y in (60, 100):
            px[y][x] = (180, 180, 180)

    def write(text: str, x0: int, y0: int, colour) -> None:
        x = x0
        for ch in text:
            g = _GLYPHS.get(ch, _GLYPHS[" "])
            for i, bit in enumerate(g):
                if bit == "1":
                    cx, cy = x + (i % 5) * scale, y0 + (i // 5) * scale
                    for dx in range(scale - 1):
                        for dy in range(scale - 1):
                            if 0 <= cy + dy < h and 0 <= cx + dx < w:
                                px[cy + dy][cx + dx] = colour
            x += 6 * scale
    write(date_text, 14, 36, (40, 40, 40))
    write(amount_text, 14, 72, (20, 20, 20))
    cx, cy, r = 190 + seed % 15, 115, 24         # the red seal
    for y in range(h):
        for x in range(w):
            d = ((x - cx) ** 2 + (y - cy) ** 2) ** 0.5
            if r - 3 <= d <= r or (d < 6):
                px[y][x] = (205, 40, 40)
    rows = [bytes(v for p in row for v in p) for row in px]
    return tiny_png(w, h, rows)


def commitment_pdf(path: Path, title: str, employer: str, lines: list[str], signed_on: str) -> Path:
    """A one-page PDF: a 还款承诺书 or 还款计划 as the employer signs it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    from models.reports import pdf_base
    font = pdf_base.register_font()
    c = canvas.Canvas(str(path), pagesize=A4)
    w, h = A4
    c.setFont(font, 20)
    c.drawCentredString(w / 2, h - 90, title)
    c.setFont(font, 12)
    y = h - 140
    c.drawString(72, y, f"承诺单位：{employer}")
    for line in lines:
        y -= 26
        c.drawString(72, y, line)
    y -= 60
    c.drawString(w - 260, y, f"承诺单位（盖章）：{employer[:10]}")
    c.drawString(w - 260, y - 26, "法定代表人（签字）：")
    c.drawString(w - 260, y - 52, signed_on)
    c.setStrokeColorRGB(0.8, 0.15, 0.15)
    c.setLineWidth(2)
    c.circle(w - 150, y - 10, 40)
    c.showPage()
    c.save()
    return path


def populate(store: Store, rng: random.Random, today: _dt.date) -> dict:
    """付款凭证 on repayments (and on a few cases), 承诺书 and 还款计划 PDFs on open cases.
    Returns {attachments, cases, repayments, files}."""
    from models import attachments
    from models.values import fen_to_yuan_text
    closed = [dict(r) for r in store.query(
        "SELECT id, case_no, employer_name FROM case_record WHERE deleted_at IS NULL AND status = '已化解' "
        "ORDER BY id LIMIT 4")]
    open_ = [dict(r) for r in store.query(
        "SELECT id, case_no, employer_name, total_owed_fen - total_paid_fen AS left_fen FROM case_record "
        "WHERE deleted_at IS NULL AND status = '化解中' ORDER BY id LIMIT 4")]
    pays = [dict(r) for r in store.query(
        "SELECT r.id, r.amount_fen, r.paid_on, c.case_no FROM repayment r JOIN case_record c ON c.id = r.case_id "
        "WHERE r.id IN (SELECT MAX(id) FROM repayment WHERE deleted_at IS NULL GROUP BY case_id) "
        "ORDER BY r.paid_on DESC, r.id DESC LIMIT 6")]
    n = 0
    touched_cases, touched_pays = set(), set()
    with tempfile.TemporaryDirectory(prefix="qq-demo-att-") as tmp:
        tmp = Path(tmp)
        for i, p in enumerate(pays):
            f = tmp / f"付款回单-{p['case_no']}-{i + 1}.png"
            f.write_bytes(receipt_png(fen_to_yuan_text(p["amount_fen"]).replace(",", ""), p["paid_on"], seed=i))
            attachments.attach(store, f, "repayment", p["id"], evidence="付款凭证",
                               note="银行代发工资回单（扫描件）", today=today)
            touched_pays.add(p["id"])
            n += 1
        for i, c in enumerate(closed):
            f = tmp / f"工资签领表-{c['case_no']}.png"
            f.write_bytes(receipt_png(f"{rng.randint(10, 60)}", today.isoformat(), seed=7 + i))
            attachments.attach(store, f, "case_record", c["id"], evidence="付款凭证",
                               note="农民工工资签领表（照片）", today=today)
            touched_cases.add(c["id"])
            n += 1
        for i, c in enumerate(open_):
            signed = (today - _dt.timedelta(days=rng.randint(3, 20))).isoformat()
            left = fen_to_yuan_text(max(int(c["left_fen"] or 0), 0))
            pdf = commitment_pdf(tmp / f"还款承诺书-{c['case_no']}.pdf", "还 款 承 诺 书", c["employer_name"] or "某公司",
                                 [f"关于欠薪问题 {c['case_no']}，本单位尚欠农民工工资 {left} 元。",
                                  "本单位承诺于承诺日起三十日内足额支付，逾期愿承担相应法律责任。",
                                  "支付后将付款凭证报送清欠工作专班备案。"], signed)
            attachments.attach(store, pdf, "case_record", c["id"], evidence="承诺书", note="用人单位签字盖章", today=today)
            n += 1
            if i % 2 == 0:
                plan = commitment_pdf(tmp / f"还款计划-{c['case_no']}.pdf", "分 期 还 款 计 划", c["employer_name"] or "某公司",
                                      [f"欠薪问题 {c['case_no']}，未付 {left} 元，分三期支付：",
                                       "第一期：承诺日起十日内支付 40%；",
                                       "第二期：承诺日起二十日内支付 30%；",
                                       "第三期：承诺日起三十日内付清余款。"], signed)
                attachments.attach(store, plan, "case_record", c["id"], evidence="还款计划", today=today)
                n += 1
            touched_cases.add(c["id"])
    files = len({r[0] for r in store.query("SELECT sha256 FROM attachment WHERE deleted_at IS NULL")})
    return {"attachments": n, "cases": len(touched_cases), "repayments": len(touched_pays), "files": files}
