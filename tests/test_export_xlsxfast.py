"""The streaming .xlsx writer's fast paths give the bytes of its plain ones: a block of rows
written a column at a time (``rows_columnar``) equals the same rows written one by one, and the
shared strings escaped a batch at a time equal them escaped one by one."""
from __future__ import annotations

import re
import zipfile

from hypothesis import given, settings, strategies as st

from models.io.xlsxfast import SheetWriter, _shared_strings, xml_text

ODD = ["", " lead", "trail ", "a&b<c>d", "_x0041_", "x\x01y", "\x02 after a control", "\ue000", "合计",
       "=SUM(A1)", "\t", "line\nbreak", "—", "\ufffe"]


def _one_by_one(strings):
    out = []
    for s in strings:
        t = xml_text(s)
        sp = ' xml:space="preserve"' if t[:1].isspace() or t[-1:].isspace() else ""
        out.append(f"<si><t{sp}>{t}</t></si>")
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(ODD), st.text(max_size=8)), max_size=40), st.integers(1, 7))
def test_shared_strings_in_batches_equal_one_by_one(strings, batch):
    assert "".join(_shared_strings(strings, batch)) == _one_by_one(strings)


def _sheet(path):
    """The sheet's XML with each shared-string index replaced by its text (a block written a
    column at a time numbers its strings in another order), and the set of strings."""
    with zipfile.ZipFile(path) as z:
        sheet, sst = z.read("xl/worksheets/sheet1.xml"), z.read("xl/sharedStrings.xml")
    texts = re.findall(rb"<si><t[^>]*>(.*?)</t></si>", sst, re.S)
    resolved = re.sub(rb't="s"><v>(\d+)</v>', lambda m: b't="s"><v>' + texts[int(m.group(1))] + b"</v>", sheet)
    return resolved, sorted(texts)


def test_rows_a_column_at_a_time_equal_rows_one_by_one(tmp_path):
    styles = ["center", "text", "money", "date", "int", "text"]
    rows = [[1, "王伟", 12.5, 46110, 3, "a&b"], [2, "", None, None, 0, " x"], [3, None, 2 ** 60, "2026-13-01", True, "王伟"],
            [4, "_x0041_", 0.1, 46111, -7, ""]]
    plain = SheetWriter(tmp_path / "plain.xlsx", "表")
    plain.row([("标题", "title")], height=30)
    for r in rows:
        plain.row(list(zip(r, styles)))
    plain.row([("合计", "total_label")])
    plain.close()
    fast = SheetWriter(tmp_path / "fast.xlsx", "表")
    fast.row([("标题", "title")], height=30)
    assert fast.rows_columnar([list(c) for c in zip(*rows)], styles) == 1
    fast.row([("合计", "total_label")])
    fast.close()
    assert _sheet(tmp_path / "fast.xlsx") == _sheet(tmp_path / "plain.xlsx")


def test_a_write_failing_on_the_deflate_thread_is_raised_and_leaves_no_file(tmp_path):
    import errno

    import pytest

    w = SheetWriter(tmp_path / "full.xlsx", "表")
    w.row([("标题", "title")])

    class FullDisk:
        def __init__(self, inner):
            self.inner = inner

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self):
            self.inner.close()

    w._sheet = FullDisk(w._sheet)
    with pytest.raises(OSError):
        for start in range(0, 40_000, 2000):
            w.rows_columnar([list(range(start, start + 2000)), ["王伟"] * 2000], ["center", "text"])
        w.close()
    w.abort()
    assert not (tmp_path / "full.xlsx").exists()
