"""Backups of a large database kept small: a compressed full copy (a *base*) and, after it,
compressed *deltas* holding only the pages that differ from that base.

A county-sized database (800 MB) copied whole at every close filled 11.5 GB with the fourteen
backups kept. Above ``LARGE`` bytes an automatic backup is therefore stored as one ``.qqbak``
file: the snapshot is first taken with SQLite's backup API and checked (``quick_check``) as every
backup is, then packed:

- a base holds the whole file, compressed (zstandard, level 1: about 250 MB/s and 3.7 : 1 on
  these databases), and a short hash of every page;
- a delta holds the pages whose hash differs from its base's, and the file's new length.

Each backup stands on its own base only (never on a chain of deltas), so any one of them is
restored by unpacking its base and writing its pages over it; the result must have the SHA-256
written in its header, and then goes through the same checks as a plain backup. A base is
written when there is none, when its deltas reach ``DELTAS_PER_BASE`` or when a delta would
be larger than ``DELTA_SHARE`` of the file; rotation keeps a base as long as a kept delta needs
it. Fourteen backups thus take about two or three compressed copies plus the changes: well
under three times the database's size.

File layout (all integers little-endian): the 8 bytes ``QQBAK1\\n\\0``; a 4-byte length and that
many bytes of UTF-8 JSON (the header: ``kind`` base|delta, ``base`` the base's file name for a
delta, ``page_size``, ``page_count``, ``sha256`` of the whole database file, ``holds_data``,
``made_at``, ``hashes`` the compressed length of the page-hash block in a base); for a base the
page-hash block (zstandard frame of 8-byte BLAKE2b digests, one per page) then one zstandard
frame of the file; for a delta one zstandard frame of records, each a 4-byte page number
(1-based) and the page.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"QQBAK1\n\0"
SUFFIX = ".qqbak"
LARGE = 64 * 1024 * 1024        # databases at least this large get packed backups
DELTAS_PER_BASE = 6
DELTA_SHARE = 0.25
_DIGEST = 8
_CHUNK = 1 << 20


class PackError(Exception):
    """A packed backup that cannot be read or does not rebuild its database; one Chinese line."""


@dataclass(frozen=True)
class Header:
    path: Path
    kind: str
    base: str | None
    page_size: int
    page_count: int
    sha256: str
    holds_data: bool
    made_at: str
    hashes: int
    body_at: int            # file offset where the compressed body starts

    @property
    def size(self) -> int:
        return self.page_size * self.page_count


def is_packed(path: str | os.PathLike) -> bool:
    return str(path).endswith(SUFFIX)


def wants_packing(db_path: str | os.PathLike) -> bool:
    try:
        return os.path.getsize(db_path) >= LARGE
    except OSError:
        return False


def read_header(path: str | os.PathLike) -> Header:
    path = Path(path)
    try:
        with open(path, "rb") as f:
            if f.read(len(MAGIC)) != MAGIC:
                raise PackError(f"不是清欠工作台的备份文件：{path}")
            raw_len = f.read(4)
            if len(raw_len) != 4:
                raise PackError(f"备份文件不完整：{path}")
            (n,) = struct.unpack("<I", raw_len)
            raw = f.read(n)
            if len(raw) != n or n > 1 << 20:
                raise PackError(f"备份文件不完整：{path}")
            body_at = f.tell()
    except OSError as exc:
        from models.paths import os_error_text
        raise PackError(f"备份文件无法读取：{path}（{os_error_text(exc)}）") from exc
    try:
        h = json.loads(raw.decode("utf-8"))
        return Header(path, h["kind"], h.get("base"), int(h["page_size"]), int(h["page_count"]), h["sha256"],
                      bool(h["holds_data"]), h.get("made_at", ""), int(h.get("hashes", 0)), body_at)
    except (ValueError, KeyError, TypeError) as exc:
        raise PackError(f"备份文件的说明部分无法读取：{path}") from exc


def _write_header(f, header: dict) -> None:
    raw = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    f.write(MAGIC + struct.pack("<I", len(raw)) + raw)


def _page_hashes(path: Path, page_size: int) -> tuple[bytes, str]:
    """Every page's short BLAKE2b digest, concatenated, and the whole file's SHA-256."""
    digests = bytearray()
    whole = hashlib.sha256()
    b2 = hashlib.blake2b
    with open(path, "rb") as f:
        while True:
            block = f.read(_CHUNK - _CHUNK % page_size)
            if not block:
                break
            whole.update(block)
            for i in range(0, len(block), page_size):
                digests += b2(block[i:i + page_size], digest_size=_DIGEST).digest()
    return bytes(digests), whole.hexdigest()


def _base_hashes(base: Header) -> bytes:
    import zstandard
    with open(base.path, "rb") as f:
        f.seek(base.body_at)
        block = f.read(base.hashes)
    try:
        return zstandard.ZstdDecompressor().decompress(block)
    except zstandard.ZstdError as exc:
        raise PackError(f"备份文件已损坏：{base.path}") from exc


def _geometry(plain: Path) -> tuple[int, int]:
    with open(plain, "rb") as f:
        head = f.read(100)
    if len(head) < 100 or not head.startswith(b"SQLite format 3\0"):
        raise PackError(f"不是 SQLite 数据库文件：{plain}")
    page_size = struct.unpack(">H", head[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    size = plain.stat().st_size
    return page_size, size // page_size


def pack(plain: str | os.PathLike, target: str | os.PathLike, *, holds_data: bool,
         base: Header | None = None) -> Path:
    """Write ``plain`` (a checked SQLite snapshot) as a packed backup at ``target``: a delta
    against ``base`` when one is given and worth it, else a base. Written under a temporary
    name and renamed. Returns ``target``."""
    import zstandard
    plain, target = Path(plain), Path(target)
    page_size, count = _geometry(plain)
    digests, sha = _page_hashes(plain, page_size)
    changed: list[int] = []
    if base is not None and base.page_size == page_size:
        old = _base_hashes(base)
        n_old = len(old) // _DIGEST
        for i in range(count):
            if i >= n_old or digests[i * _DIGEST:(i + 1) * _DIGEST] != old[i * _DIGEST:(i + 1) * _DIGEST]:
                changed.append(i)
        if len(changed) > DELTA_SHARE * count:
            base = None
    else:
        base = None
    header = {"format": "qingqian-backup", "version": 1, "kind": "delta" if base else "base",
              "base": base.path.name if base else None, "page_size": page_size, "page_count": count,
              "sha256": sha, "holds_data": holds_data,
              "made_at": _dt.datetime.now().isoformat(timespec="seconds")}
    part = target.with_name(target.name + ".part")
    cctx = zstandard.ZstdCompressor(level=1)
    try:
        with open(part, "wb") as out, open(plain, "rb") as src:
            if base is None:
                hashes = cctx.compress(digests)
                header["hashes"] = len(hashes)
                _write_header(out, header)
                out.write(hashes)
                with cctx.stream_writer(out, closefd=False) as w:
                    for block in iter(lambda: src.read(_CHUNK), b""):
                        w.write(block)
            else:
                header["hashes"] = 0
                _write_header(out, header)
                with cctx.stream_writer(out, closefd=False) as w:
                    for i in changed:
                        src.seek(i * page_size)
                        w.write(struct.pack("<I", i + 1) + src.read(page_size))
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, target)
    finally:
        if part.exists():
            part.unlink()
    return target


def unpack(path: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Rebuild the database a packed backup holds at ``target`` (its base first, for a delta)
    and check it has the SHA-256 recorded when it was made. Raises PackError (one line)."""
    import zstandard
    h = read_header(path)
    target = Path(target)
    dctx = zstandard.ZstdDecompressor()
    try:
        if h.kind == "delta":
            base_path = h.path.with_name(h.base or "")
            if not h.base or not base_path.is_file():
                raise PackError(f"备份文件所依据的完整备份已不存在（{h.base}），无法恢复：{h.path.name}")
            base = read_header(base_path)
            if base.kind != "base":
                raise PackError(f"备份文件所依据的不是完整备份：{h.path.name}")
            _unpack_base(base, target, dctx)
            with open(h.path, "rb") as src, open(target, "r+b") as out:
                src.seek(h.body_at)
                reader = dctx.stream_reader(src)
                rec = 4 + h.page_size
                while True:
                    data = reader.read(rec)
                    if not data:
                        break
                    while len(data) < rec:
                        more = reader.read(rec - len(data))
                        if not more:
                            raise PackError(f"备份文件不完整：{h.path}")
                        data += more
                    (page_no,) = struct.unpack("<I", data[:4])
                    out.seek((page_no - 1) * h.page_size)
                    out.write(data[4:])
                out.truncate(h.size)
        elif h.kind == "base":
            _unpack_base(h, target, dctx)
        else:
            raise PackError(f"不认识的备份文件种类“{h.kind}”：{h.path}")
    except zstandard.ZstdError as exc:
        target.unlink(missing_ok=True)
        raise PackError(f"备份文件已损坏，无法解压：{h.path}") from exc
    except PackError:
        target.unlink(missing_ok=True)
        raise
    whole = hashlib.sha256()
    with open(target, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            whole.update(block)
    if whole.hexdigest() != h.sha256 or target.stat().st_size != h.size:
        target.unlink(missing_ok=True)
        raise PackError(f"备份文件还原后与其校验值（SHA-256）不符，文件已损坏：{h.path}")
    return target


def _unpack_base(h: Header, target: Path, dctx) -> None:
    with open(h.path, "rb") as src, open(target, "wb") as out:
        src.seek(h.body_at + h.hashes)
        dctx.copy_stream(src, out, read_size=_CHUNK, write_size=_CHUNK)
        if out.tell() != h.size:
            raise PackError(f"备份文件不完整：{h.path}")


def choose_base(folder: Path) -> Header | None:
    """The newest base in ``folder`` to write the next delta against, or None when a new base
    is due (none yet, or the newest has ``DELTAS_PER_BASE`` deltas already)."""
    packed = sorted(folder.glob("*" + SUFFIX), key=lambda p: p.name, reverse=True)
    deltas = 0
    for p in packed:
        try:
            h = read_header(p)
        except PackError:
            continue
        if h.kind == "base":
            return h if deltas < DELTAS_PER_BASE else None
        deltas += 1
    return None


def needed_bases(kept: list[Path]) -> set[str]:
    """The file names of the bases that the packed backups in ``kept`` rest on."""
    out = set()
    for p in kept:
        if is_packed(p):
            try:
                h = read_header(p)
            except PackError:
                continue
            if h.kind == "delta" and h.base:
                out.add(h.base)
    return out
