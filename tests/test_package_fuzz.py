"""A package that reaches the office damaged in any way (a byte changed anywhere, cut off, a
flag that says "encrypted", a name that is not text) is refused in one sentence, never with a
traceback: ``package.read`` and the members' extraction turn every fault of the zip and of its
compressed data into ``PackageRefused``."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile

from conftest import damaged_copies
from models.exchange import PackageRefused, package

CONTENT_BYTES = b"SQLite format 3\x00" + bytes(range(256)) * 64


def _package() -> bytes:
    manifest = {"format": package.FORMAT, "kind": "report",
                "content": {"bytes": len(CONTENT_BYTES), "sha256": hashlib.sha256(CONTENT_BYTES).hexdigest()}}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(package.MANIFEST, json.dumps(manifest))
        z.writestr(package.CONTENT, CONTENT_BYTES)
    return buf.getvalue()


def test_every_damaged_copy_is_refused_in_one_sentence(tmp_path):
    kinds: dict[str, int] = {}
    for k, data in enumerate(damaged_copies(_package(), 20261207, 1500, most=4)):
        path = tmp_path / f"p{k % 7}.qqpkg"
        path.write_bytes(data)
        try:
            pkg = package.read(path)
        except PackageRefused as exc:
            text = str(exc)
            assert "\n" not in text and "未接收" in text or "不是清欠工作台的数据包" in text, text
            kinds["read"] = kinds.get("read", 0) + 1
            continue
        target = tmp_path / "content.sqlite"
        try:
            pkg.extract_content(target)
            kinds["whole"] = kinds.get("whole", 0) + 1
        except PackageRefused as exc:
            assert "\n" not in str(exc) and not target.exists()
            kinds["content"] = kinds.get("content", 0) + 1
    assert kinds.get("read", 0) > 1000            # most damage is found before any content is read


def test_a_package_marked_encrypted_is_refused(tmp_path):
    raw = bytearray(_package())
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as z:
        infos = z.infolist()
    for info in infos:                  # the "encrypted" bit, in the local header and the central directory
        raw[info.header_offset + 6] |= 1
    cd = raw.find(b"PK\x01\x02")
    while cd != -1:
        raw[cd + 8] |= 1
        cd = raw.find(b"PK\x01\x02", cd + 4)
    path = tmp_path / "encrypted.qqpkg"
    path.write_bytes(bytes(raw))
    try:
        package.read(path)
    except PackageRefused as exc:
        assert "未接收" in str(exc)
    else:
        raise AssertionError("an encrypted package was read")
