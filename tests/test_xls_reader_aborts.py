"""Old .xls files damaged so that the reader (calamine, Rust) would ask for terabytes and abort
the whole program, not raise: a DIMENSIONS record naming a range no .xls can hold, and a
directory entry whose type was damaged so that the checks found no workbook stream while the
reader still read it. Both found by mutating the sample 旧版台账-97格式.xls; each is refused in
one sentence before the reader sees it. Run in a child process: an abort would end the suite."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DAMAGED = ROOT / "tests" / "data" / "damaged"


@pytest.mark.parametrize("name, words", [("尺寸记录损坏.xls", "尺寸记录损坏"), ("目录项类型损坏.xls", "尺寸记录损坏")])
def test_a_damaged_xls_is_refused_before_the_reader_can_abort(name, words):
    code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
            "from models.io.reading import open_book, UnusableFile\n"
            "try:\n    b = open_book(sys.argv[2]); [b.load(s) for s in b.sheet_names]; print('READ')\n"
            "except UnusableFile as e:\n    print('REFUSED', e)\n")
    r = subprocess.run([sys.executable, "-c", code, str(ROOT), str(DAMAGED / name)], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr[-500:]
    assert r.stdout.startswith("REFUSED") and words in r.stdout and name in r.stdout


def test_an_xls_whose_workbook_stream_cannot_be_found_is_refused(tmp_path):
    from models.io.limits import TooBig
    from models.io.limits_xls import check_xls
    data = bytearray((ROOT / "tests" / "data" / "旧版台账-97格式.xls").read_bytes())
    at = data.find("Workbook".encode("utf-16-le"))
    data[at:at + 16] = "Wxrkbook".encode("utf-16-le")           # the stream no longer has its name
    with pytest.raises(TooBig, match="找不到工作簿数据"):
        check_xls(bytes(data))
