"""报送包 made by hand, as an outside tester made them: nothing a package says becomes a path,
a member that inflates past its declared size is stopped before it costs disk, extra
"figures" rewrite nothing, a manifest nested too deep or a format version of the wrong type
is refused in Chinese, a file name that is not UTF-8 is received, and a lost kept file is
taken again from the same package."""
from __future__ import annotations

import json
import os
import struct
import zipfile
from pathlib import Path

import pytest

from models.exchange import PackageRefused, county, package
from models.exchange.receive import townships_dir
from tests.test_exchange import (county_now, make_county, receive, rewrite, sent, snapshot,  # noqa: F401
                                 towns, _set)


def _with_members(src: Path, out: Path, manifest, extra: dict[str, bytes]) -> Path:
    z = zipfile.ZipFile(src)
    m = json.loads(z.read(package.MANIFEST))
    manifest(m)
    with zipfile.ZipFile(out, "w") as w:
        w.writestr(package.MANIFEST, json.dumps(package.seal(m), ensure_ascii=False))
        w.writestr(package.CONTENT, z.read(package.CONTENT))
        for name, data in extra.items():
            w.writestr(name, data)
    return out


@pytest.mark.parametrize("code", ["511234999/../../escaped", "511234..", "/tmp/qq-escape", "５１１２３４１０９"])
def test_a_township_code_never_becomes_a_path(sent, tmp_path, code):
    c = sent["county"]
    before = snapshot(c)
    bad = rewrite(sent["p3"], tmp_path / "code.qqpkg", manifest=_set("township.code", code))
    with pytest.raises(PackageRefused, match="不是6至12位数字"):
        receive(c, bad)
    assert snapshot(c) == before
    assert not list(sent["root"].glob("escaped*")) and not Path("/tmp/qq-escape").exists()
    assert sorted(p.name for p in townships_dir(c).iterdir()) == before[2]


def test_an_attachment_hash_never_becomes_a_path(sent, tmp_path):
    sha = "../../" + "a" * 58
    bad = _with_members(sent["p3"], tmp_path / "att.qqpkg",
                        lambda m: m.__setitem__("attachments", [{"member": f"attachments/{sha}", "sha256": sha,
                                                                 "bytes": 3}]),
                        {f"attachments/{sha}": b"abc"})
    c = sent["county"]
    before = snapshot(c)
    with pytest.raises(PackageRefused, match="附件清单有误"):
        receive(c, bad)
    assert snapshot(c) == before and not list(sent["root"].rglob("aaaaaaaa*"))


def test_a_member_the_manifest_does_not_list_is_refused(sent, tmp_path):
    bad = _with_members(sent["p3"], tmp_path / "stray.qqpkg", lambda m: None, {"../../x": b"x"})
    with pytest.raises(PackageRefused, match="清单未列出的文件"):
        package.read(bad)


def _declared_smaller(src: Path, out: Path, member: str, declared: int) -> Path:
    """A copy whose ``member`` says (in both zip headers) it inflates to ``declared`` bytes."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as z:
        info = z.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, declared)          # local header: uncompressed size
    cd = data.find(b"PK\x01\x02")
    while cd >= 0:
        n = struct.unpack_from("<H", data, cd + 28)[0]
        if data[cd + 46:cd + 46 + n].decode() == member:
            struct.pack_into("<I", data, cd + 24, declared)                    # central directory: the same
            break
        cd = data.find(b"PK\x01\x02", cd + 4)
    out.write_bytes(bytes(data))
    return out


def test_a_member_that_inflates_past_its_declared_size_is_stopped(sent, tmp_path):
    bomb = tmp_path / "bomb-src.qqpkg"
    _with_members(sent["p3"], bomb, lambda m: None, {})
    with zipfile.ZipFile(bomb) as z:
        m = json.loads(z.read(package.MANIFEST))
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as w:
        w.writestr(package.MANIFEST, json.dumps(m, ensure_ascii=False))
        w.writestr(package.CONTENT, b"\0" * (32 << 20))                      # 32 MB of zeros: 32 KB deflated
    bad = _declared_smaller(bomb, tmp_path / "bomb.qqpkg", package.CONTENT, 4096)
    with pytest.raises(PackageRefused, match="不完整或已损坏"):
        package.read(bad)
    assert not [p for p in tmp_path.iterdir() if p.stat().st_size > (1 << 20)]


def test_extra_figures_rewrite_nothing_of_the_township(sent, tmp_path):
    def shadow(m):
        m["figures"].update({"code": 511234199, "sequence": 999, "as_of": 20990101})
    pkg = rewrite(sent["p3"], tmp_path / "shadow.qqpkg", manifest=shadow)
    c = make_county(tmp_path / "c-shadow.sqlite")
    receive(c, pkg)
    line = county_now(c).townships[0]
    assert (line["name"], line["code"]) == ("青山镇", "511234101") and line["sequence"] != 999
    assert not line["as_of"].startswith("2099") and line["file"].startswith("511234101-")
    # a figure that is not a number is no figure: the manifest is refused before anything is read
    words = rewrite(sent["p3"], tmp_path / "words.qqpkg", manifest=lambda m: m["figures"].update(
        {"name": "青石镇", "file": "../x.sqlite"}))
    with pytest.raises(PackageRefused, match="“figures”应为各项数字"):
        receive(c, words)


@pytest.mark.parametrize("key, value, words", [
    ("county", "青山县", "“county”应为含名称和代码的对象"), ("campaign", "x", "“campaign”应为含名称的对象"),
    ("sequence", True, "“sequence”应为正整数"), ("counts", [], "“counts”应为各表的记录数"),
    ("as_of", "昨天", "“as_of”应为日期时间"), ("full_ids", "否", "“full_ids”应为是或否")])
def test_manifest_values_of_the_wrong_type_are_refused_in_one_chinese_line(sent, tmp_path, key, value, words):
    bad = rewrite(sent["p3"], tmp_path / "t.qqpkg", manifest=_set(key, value))
    with pytest.raises(PackageRefused, match=words):
        package.read(bad)


def test_record_counts_that_are_not_the_datas_are_refused(sent, tmp_path):
    def more(m):
        m["counts"]["worker"] += 1
    bad = rewrite(sent["p3"], tmp_path / "n.qqpkg", manifest=more)
    c = make_county(tmp_path / "c-n.sqlite")
    with pytest.raises(PackageRefused, match="记录数与其数据不符（worker：清单"):
        receive(c, bad)
    assert county_now(c).townships == []


@pytest.mark.parametrize("fv, words", [("1", "包格式版本“1”无效"), (0, "无效"), (True, "无效")])
def test_a_format_version_of_the_wrong_type_is_named(sent, tmp_path, fv, words):
    bad = rewrite(sent["p3"], tmp_path / "fv.qqpkg", manifest=_set("format_version", fv))
    with pytest.raises(PackageRefused, match=words):
        package.read(bad)


def test_a_manifest_nested_too_deep_is_refused_in_chinese(tmp_path):
    out = tmp_path / "deep.qqpkg"
    with zipfile.ZipFile(out, "w") as w:
        w.writestr(package.MANIFEST, "[" * 200_000 + "]" * 200_000)
        w.writestr(package.CONTENT, b"x")
    with pytest.raises(PackageRefused, match="清单无法读取"):
        package.read(out)


def test_a_package_whose_file_name_is_not_utf8_is_received(sent, tmp_path):
    name = os.fsdecode("白鹤镇".encode("gbk") + b".qqpkg")
    pkg = tmp_path / name
    pkg.write_bytes(sent["p3"].read_bytes())
    c = make_county(tmp_path / "c-gbk.sqlite")
    got = receive(c, pkg)
    assert got["already_received"] is False
    assert package.read(pkg).name == "白鹤镇.qqpkg"


def test_a_lost_kept_file_is_taken_again_from_the_same_package(sent, tmp_path):
    c = make_county(tmp_path / "c-lost.sqlite")
    receive(c, sent["p2"])
    [kept] = [p for p in townships_dir(c).iterdir() if p.suffix == ".sqlite"]
    kept.unlink()
    got = receive(c, sent["p2"])
    assert got["already_received"] is False and kept.is_file()
    assert receive(c, sent["p2"])["already_received"] is True


def test_county_lines_keep_their_units_when_a_package_lacks_a_figure(sent, tmp_path):
    pkg = rewrite(sent["p3"], tmp_path / "earlier.qqpkg", manifest=lambda m: m["figures"].pop("daily_missing"))
    c = make_county(tmp_path / "c-units.sqlite")
    receive(c, pkg)
    text = "\n".join(county.text_lines(county_now(c)))
    owed = next(line for line in text.splitlines() if line.startswith("欠薪总额"))
    rate = next(line for line in text.splitlines() if line.startswith("清偿率"))
    assert owed.endswith(" 元") and "," in owed and rate.endswith("%")
    assert not any(line.startswith("日报告未报") for line in text.splitlines()[:30])


def test_a_package_saying_masked_but_holding_full_numbers_is_refused(towns, sent, tmp_path):
    from tests.test_exchange import export
    full = tmp_path / "full.qqpkg"
    export(towns["511234101"], full, full_ids=True)
    bad = rewrite(full, tmp_path / "flipped.qqpkg", manifest=_set("full_ids", False))
    c = make_county(tmp_path / "c-flip.sqlite")
    before = snapshot(c)
    with pytest.raises(PackageRefused, match="其数据中却有完整号码"):
        receive(c, bad)
    assert snapshot(c) == before
    assert receive(c, full)["full_ids"] is True                  # said as it is, it is received


@pytest.mark.parametrize("change, words", [
    (_set("as_of", "2099-01-01T08:00:00"), "晚于今天"),
    (_set("sequence", 10 ** 15), "序号"),
])
def test_a_date_in_the_future_or_an_absurd_number_is_refused(sent, tmp_path, change, words):
    c = sent["county"]
    before = snapshot(c)
    with pytest.raises(PackageRefused, match=words):
        receive(c, rewrite(sent["p3"], tmp_path / "odd.qqpkg", manifest=change))
    assert snapshot(c) == before


def test_a_newer_number_with_older_data_is_refused(sent, tmp_path):
    c = sent["county"]
    before = snapshot(c)
    older = rewrite(sent["p1"], tmp_path / "older-data.qqpkg", manifest=_set("sequence", 7))
    with pytest.raises(PackageRefused, match="早于已接收的第"):
        receive(c, older)
    assert snapshot(c) == before
