"""The package file (报送包, 下发包, …): one zip archive with two members.

- ``manifest.json``: UTF-8 JSON, one object (the keys are listed in ``MANIFEST_KEYS`` and in
  the README), with ``manifest_sha256``: the SHA-256 of the manifest's own canonical text
  (sorted keys, no spaces, UTF-8) without that key.
- ``content.sqlite``: a SQLite 3 file; its SHA-256 and size are in the manifest's ``content``.
  In a 报送包 (kind ``report``) it is the sending township's database, of this program's schema
  (``schema_version``), made by SQLite's backup and ``VACUUM INTO`` (so nothing deleted or masked
  survives in free pages); the manifest adds ``directives`` (the township's progress on its
  county's 督办事项). In a 下发包 (kind ``dispatch``, county → townships) it holds only what
  goes down (``models.exchange.dispatch.CONTENT_SQL``: 督办事项 and their addressees, holiday
  calendar, blacklist, thresholds); ``township`` is empty, the manifest adds ``townships`` (the
  addressees: name, code, campaign, number of items) and ``counts`` gives its rows per table.

A package may also carry files: the attachments (证据材料, ``models.attachments``) its database
names, one zip member each, ``attachments/<sha256>`` (the file's SHA-256 in lower-case hex, no
extension: the 证据材料 ledger in ``content.sqlite`` gives its name and type), listed in the
manifest's ``attachments``: [{"member", "sha256", "bytes"}, …]. A reader checks each against its
hash when it takes it out (``Package.extract_attachments``).

A reader checks, in order: the zip is whole (every member's CRC), the manifest's hash, the
format and kind it knows, the content's size and hash. Nothing in the file is trusted before
that. The archive is written under a temporary name and renamed, so a failed write never
leaves a half package under the real name.
"""
from __future__ import annotations

import datetime as _dt

import errno
import hashlib
import json
import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from models.exchange import PackageRefused
from models.zips import DAMAGED_ZIP

FORMAT = "qingqian-package"
FORMAT_VERSION = 1
KINDS = ("report", "dispatch", "liaison_copy", "liaison_return")
KIND_NAMES = {"report": "报送包", "dispatch": "下发包", "liaison_copy": "专班副本", "liaison_return": "专班回报包"}
MANIFEST, CONTENT = "manifest.json", "content.sqlite"
ATTACHMENT_PREFIX = "attachments/"
SUFFIX = ".qqpkg"

MANIFEST_KEYS = (
    "format", "format_version", "kind", "program_version", "schema_version",
    "township", "county", "campaign", "as_of", "sequence", "sender", "created_at",
    "counts", "figures", "full_ids", "content", "manifest_sha256",
)


def canonical(manifest: dict) -> bytes:
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def seal(manifest: dict) -> dict:
    out = dict(manifest)
    out["manifest_sha256"] = hashlib.sha256(canonical(out)).hexdigest()
    return out


def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def attachment_member(sha256: str) -> str:
    return f"{ATTACHMENT_PREFIX}{sha256}"


def write(out: str | os.PathLike, manifest: dict, content: str | os.PathLike,
          files: list[tuple[str, str | os.PathLike]] = ()) -> Path:
    """Write the package: ``manifest`` (sealed here), the database file ``content`` and the
    extra members ``files`` ((member name, path) pairs: the attachments, already compressed
    images and PDFs, stored as they are). Written beside ``out`` first and renamed (returns ``out``)."""
    out = Path(out)
    part = out.with_name(out.name + ".part")
    try:
        # deflate level 1: a 40 MB township database in 0.5 s (level 6: 1.5 s for a file 13% smaller)
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            z.writestr(MANIFEST, json.dumps(seal(manifest), ensure_ascii=False, indent=1))
            z.write(content, CONTENT)
            for member, path in files:
                z.write(path, member, compress_type=zipfile.ZIP_STORED)
        os.replace(part, out)
    finally:
        if part.exists():
            part.unlink()
    return out


MAX_CONTENT = 8 << 30           # a database in a package: a county's is ~3 GB; beyond this it is refused
_HEX64 = re.compile(r"[0-9a-f]{64}")


def display_name(path: Path) -> str:
    """The file's name as messages and the audit log give it: a name that is not UTF-8 (a GBK
    name from a USB stick, on Linux) read as GB18030, never a string SQLite or a console
    cannot take."""
    raw = os.fsencode(path.name)
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def _read_bounded(z: zipfile.ZipFile, info: zipfile.ZipInfo, sink=None) -> int:
    """Read a member through (its CRC checked by zipfile at the end), never past the size its
    entry declares: a member that inflates to more is damage, refused before it costs a
    gigabyte of disk or time."""
    size = 0
    with z.open(info) as src:
        while True:
            block = src.read(min(1 << 20, info.file_size - size + 1))
            if not block:
                break
            size += len(block)
            if size > info.file_size:
                raise zipfile.BadZipFile(f"{info.filename} inflates beyond its declared size")
            if sink is not None:
                sink(block)
    if size != info.file_size:
        raise zipfile.BadZipFile(f"{info.filename} is shorter than declared")
    return size


@dataclass
class Package:
    path: Path
    manifest: dict
    sha256: str             # of the whole file

    @property
    def name(self) -> str:
        return display_name(self.path)

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def noun(self) -> str:
        """报送包, 下发包, …: what the messages call this package."""
        return KIND_NAMES.get(self.kind, "数据包")

    @property
    def township(self) -> dict:
        return self.manifest.get("township") or {}

    @property
    def sequence(self) -> int:
        return int(self.manifest["sequence"])

    def extract_content(self, target: str | os.PathLike) -> Path:
        """The township database, written to ``target`` and checked against the manifest's
        size and SHA-256 (refused, and ``target`` removed, when they differ)."""
        target = Path(target)
        want = self.manifest["content"]
        h = hashlib.sha256()
        size = 0
        try:
            with zipfile.ZipFile(self.path) as z, open(target, "wb") as dst:
                info = z.getinfo(CONTENT)
                if info.file_size != want.get("bytes"):
                    raise PackageRefused(f"{self.noun}的数据与其校验值（SHA-256）不符，可能已被改动，未接收：{self.name}")
                free = shutil.disk_usage(target.parent).free
                if info.file_size + (256 << 20) > free:
                    raise PackageRefused(f"磁盘空间不足：{self.noun}中的数据库有 {info.file_size >> 20:,} MB，"
                                         f"所在磁盘只剩 {free >> 20:,} MB，未接收：{self.name}")

                first = [True]

                def sink(block: bytes) -> None:
                    if first[0] and self.kind in ("report", "liaison_copy", "liaison_return", "dispatch"):
                        first[0] = False
                        if not block.startswith(b"SQLite format 3\x00"):      # not a database: no need to read on
                            raise PackageRefused(f"{self.noun}中的数据不是数据库文件，未接收：{self.name}")
                    h.update(block)
                    dst.write(block)
                size = _read_bounded(z, info, sink)
        except PackageRefused:
            target.unlink(missing_ok=True)
            raise
        except DAMAGED_ZIP as exc:
            target.unlink(missing_ok=True)
            if isinstance(exc, OSError) and getattr(exc, "errno", None) not in (None, errno.EINVAL):
                raise               # writing the copy failed (the disk full): said as such by the caller
            raise PackageRefused(f"{self.noun}不完整或已损坏，未接收：{self.name}") from exc
        if size != want.get("bytes") or h.hexdigest() != want.get("sha256"):
            target.unlink(missing_ok=True)
            raise PackageRefused(f"{self.noun}的数据与其校验值（SHA-256）不符，可能已被改动，未接收：{self.name}")
        return target


    def attachments(self) -> list[dict]:
        """The attachment files the package carries (the manifest's ``attachments``)."""
        listed = self.manifest.get("attachments") or []
        return [a for a in listed if isinstance(a, dict)]

    def extract_attachments(self, folder: str | os.PathLike) -> int:
        """The attachment files, each written into the content-addressed ``folder``
        (``<folder>/ab/ab12…``) and checked against its SHA-256 and size (refused when one
        differs: nothing of it is left). Returns how many were written (a file already whole
        there is not written again)."""
        from models.attachments import blob_path, sha256_of
        folder = Path(folder)
        n = 0
        try:
            with zipfile.ZipFile(self.path) as z:
                for a in self.attachments():
                    sha, member = str(a.get("sha256") or ""), str(a.get("member") or "")
                    if not _HEX64.fullmatch(sha) or member != attachment_member(sha):
                        raise PackageRefused(f"{self.noun}的附件清单有误，未接收：{self.name}")
                    target = blob_path(folder, sha)
                    if target.is_file() and sha256_of(target) == sha:
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    part = target.with_name(target.name + ".part")
                    h = hashlib.sha256()
                    info = z.getinfo(member)
                    if info.file_size != a.get("bytes"):
                        raise PackageRefused(f"{self.noun}中的附件 {member} 与其校验值（SHA-256）不符，"
                                             f"可能已被改动，未接收：{self.name}")
                    with open(part, "wb") as dst:
                        def sink(block: bytes) -> None:
                            h.update(block)
                            dst.write(block)
                        try:
                            size = _read_bounded(z, info, sink)
                        except BaseException:
                            dst.close()
                            part.unlink(missing_ok=True)
                            raise
                    if h.hexdigest() != sha or size != a.get("bytes"):
                        part.unlink(missing_ok=True)
                        raise PackageRefused(f"{self.noun}中的附件 {member} 与其校验值（SHA-256）不符，"
                                             f"可能已被改动，未接收：{self.name}")
                    os.replace(part, target)
                    n += 1
        except DAMAGED_ZIP as exc:
            if isinstance(exc, OSError) and getattr(exc, "errno", None) not in (None, errno.EINVAL):
                raise               # writing a file failed (the disk full)
            raise PackageRefused(f"{self.noun}中的附件不完整或已损坏，未接收：{self.name}") from exc
        return n


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _number(v) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)) or v is None


def _when(v) -> bool:
    if not isinstance(v, str):
        return False
    try:
        _dt.datetime.fromisoformat(v)
    except ValueError:
        return False
    return True


def _named(v) -> bool:
    return isinstance(v, dict) and all(isinstance(v.get(k, ""), str) for k in ("name", "code", "unit"))


# each manifest key the program reads, and what its value must be (a sealed manifest says only
# that nobody changed it by accident: anyone can seal one, so every value is checked before use)
_SHAPES: dict[str, tuple] = {
    "program_version": (lambda v: isinstance(v, str), "文字"),
    "schema_version": (lambda v: _int(v) and v >= 1, "正整数"),
    "township": (_named, "含名称和代码的对象"),
    "county": (_named, "含名称和代码的对象"),
    "campaign": (lambda v: v is None or _named(v), "含名称的对象"),
    "as_of": (_when, "日期时间"),
    "created_at": (_when, "日期时间"),
    "sequence": (lambda v: _int(v) and v >= 1, "正整数"),
    "sender": (lambda v: isinstance(v, str), "文字"),
    "counts": (lambda v: isinstance(v, dict) and all(isinstance(k, str) and _int(n) and n >= 0
                                                     for k, n in v.items()), "各表的记录数（非负整数）"),
    "figures": (lambda v: isinstance(v, dict) and all(_number(x) for x in v.values()), "各项数字"),
    "full_ids": (lambda v: isinstance(v, bool), "是或否"),
    "content": (lambda v: isinstance(v, dict) and isinstance(v.get("name"), str) and _int(v.get("bytes"))
                and isinstance(v.get("sha256"), str), "数据库文件的名称、大小和校验值"),
    "attachments": (lambda v: isinstance(v, list) and all(isinstance(a, dict) for a in v), "附件清单"),
    "directives": (lambda v: isinstance(v, dict), "督办事项进展"),
    "liaison": (lambda v: isinstance(v, dict), "联络员副本信息"),
}


def manifest_problem(manifest: dict) -> str:
    """The first manifest value not of the shape this program reads, as “键”应为…; '' when all are."""
    for key, (ok, shape) in _SHAPES.items():
        if key not in manifest or (manifest[key] is None and key not in MANIFEST_KEYS):
            continue
        if not ok(manifest[key]):
            return f"“{key}”应为{shape}"
    return ""


def read(path: str | os.PathLike) -> Package:
    """Open a package and check everything that can be checked without its content: the
    archive is whole, the manifest is sealed and of a format and kind this program knows."""
    path = Path(path)
    if not path.is_file():
        raise PackageRefused(f"找不到数据包文件：{display_name(path.parent / path.name)}")
    name = display_name(path)
    try:
        with zipfile.ZipFile(path) as z:
            members = set(z.namelist())
            if MANIFEST not in members or CONTENT not in members:
                raise PackageRefused(f"不是清欠工作台的数据包（缺少 {MANIFEST if MANIFEST not in members else CONTENT}）：{name}")
            info = z.getinfo(MANIFEST)
            if info.file_size > (4 << 20):
                raise PackageRefused(f"数据包的清单过大（{info.file_size >> 20:,} MB），不是清欠工作台的数据包：{name}")
            chunks: list[bytes] = []
            _read_bounded(z, info, chunks.append)
            raw = b"".join(chunks)
            if z.getinfo(CONTENT).file_size > MAX_CONTENT:
                raise PackageRefused(f"数据包中的数据库有 {z.getinfo(CONTENT).file_size >> 30:,} GB，超过可接收的 "
                                     f"{MAX_CONTENT >> 30} GB，未接收：{name}")
    except zipfile.BadZipFile as exc:
        raise PackageRefused(f"数据包不完整或已损坏（不是完整的数据包文件），未接收：{name}") from exc
    except PermissionError as exc:
        raise PackageRefused(f"无法读取数据包文件（没有读取权限），未接收：{name}") from exc
    except DAMAGED_ZIP as exc:
        raise PackageRefused(f"数据包不完整或已损坏，未接收：{name}") from exc
    try:
        manifest = json.loads(raw.decode("utf-8"))
        assert isinstance(manifest, dict)
    except (ValueError, AssertionError, RecursionError):
        raise PackageRefused(f"数据包的清单无法读取，未接收：{name}") from None
    if manifest.get("format") != FORMAT:
        raise PackageRefused(f"不是清欠工作台的数据包：{name}")
    noun = KIND_NAMES.get(manifest.get("kind"), "数据包")
    if manifest.get("manifest_sha256") != hashlib.sha256(canonical(manifest)).hexdigest():
        raise PackageRefused(f"{noun}的清单与其校验值（SHA-256）不符，可能已被改动，未接收：{name}")
    fv = manifest.get("format_version")
    if not isinstance(fv, int) or isinstance(fv, bool) or fv < 1:
        raise PackageRefused(f"{noun}清单中的包格式版本“{str(fv)[:20]}”无效，未接收：{name}")
    if fv > FORMAT_VERSION:
        raise PackageRefused(f"{noun}由更新版本的清欠工作台制作（包格式第 {fv} 版，本程序只认识到第 {FORMAT_VERSION} 版），"
                             f"未接收：{name}。请先升级本程序")
    if manifest.get("kind") not in KINDS:
        raise PackageRefused(f"数据包的类型“{manifest.get('kind')}”本程序不认识，未接收：{name}")
    missing = [k for k in MANIFEST_KEYS if k not in manifest]
    if missing:
        raise PackageRefused(f"{noun}的清单缺少 {'、'.join(missing)}，未接收：{name}")
    problem = manifest_problem(manifest)
    if problem:
        raise PackageRefused(f"{noun}的清单无效：{problem}，可能已被改动，未接收：{name}")
    listed = manifest.get("attachments") or []
    known = {MANIFEST, CONTENT} | {str(a.get("member")) for a in listed if isinstance(a, dict)}
    stray = sorted(members - known)
    if stray:
        raise PackageRefused(f"{noun}中有清单未列出的文件（{stray[0][:40]}），可能已被改动，未接收：{name}")
    # every member read through once, none past its declared size: a truncated, damaged or
    # inflating archive fails here, before anything is written (after the manifest's checks: a
    # member nobody listed is refused by name without being inflated)
    try:
        with zipfile.ZipFile(path) as z:
            for member in z.infolist():
                if member.filename != MANIFEST:
                    _read_bounded(z, member)
    except zipfile.BadZipFile as exc:
        raise PackageRefused(f"数据包不完整或已损坏（不是完整的数据包文件），未接收：{name}") from exc
    except DAMAGED_ZIP as exc:
        raise PackageRefused(f"数据包不完整或已损坏，未接收：{name}") from exc
    return Package(path, manifest, file_sha256(path))
