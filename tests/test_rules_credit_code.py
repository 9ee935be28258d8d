"""统一社会信用代码规则测试。"""
import pytest
from hypothesis import given, strategies as st

from models.rules.credit_code import (
    ALPHABET, credit_check_char, make_credit_code, normalize_credit_code,
    org_code_check_char, validate_credit_code,
)

# 公开的真实企业代码（营业执照上印制），用来核对算法
REAL = ["914403001922038216", "9144030071526726XG", "91350100M000100Y43"]


def test_alphabet():
    assert len(ALPHABET) == 31
    assert not set("IOZSV") & set(ALPHABET)


def test_check_char_computed_by_hand():
    first17 = "91511322MA6ABCDE0"
    values = [ALPHABET.index(c) for c in first17]
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(v * w for v, w in zip(values, weights))
    expected = ALPHABET[(31 - total % 31) % 31]
    assert credit_check_char(first17) == expected
    assert validate_credit_code(first17 + expected) == (True, "")


@pytest.mark.parametrize("code", REAL)
def test_real_codes(code):
    assert validate_credit_code(code) == (True, "")
    assert org_code_check_char(code[8:16]) == code[16]


def test_check_value_31_maps_to_zero():
    # 找一个加权和恰为31倍数的前17位，校验码应为“0”而不是越界
    for seed in range(10000):
        code = make_credit_code(seed)
        if code[-1] == "0":
            assert validate_credit_code(code)[0]
            break
    else:
        pytest.fail("未找到校验码为0的样例")


def test_normalize_and_messages():
    code = REAL[1]
    fw = code.lower().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789abcdefghjklmnpqrtuwxy"})
    assert normalize_credit_code(" " + fw + " ") == code
    assert validate_credit_code(code.lower()) == (True, "")
    assert validate_credit_code(fw) == (True, "")
    assert validate_credit_code("") == (False, "统一社会信用代码为空")
    assert validate_credit_code("9144030071526726X") == (False, "统一社会信用代码应为18位，现为17位")
    assert "工商注册号" in validate_credit_code("440301103012345")[1]
    ok, msg = validate_credit_code("91350100M000100Y4O".replace("Y4O", "Y4O"))
    assert not ok and "第18位“O”" in msg and "不使用I、O、Z、S、V" in msg
    assert validate_credit_code("9144030071526726XA") == (False, "统一社会信用代码校验位错误：应为 G，实为 A")
    assert "第3至8位" in validate_credit_code("91A4030071526726XG")[1]


def test_make_credit_code_deterministic():
    assert make_credit_code(7) == make_credit_code(7)
    assert make_credit_code(7) != make_credit_code(8)
    code = make_credit_code(7, area="510100", dept_kind="52")
    assert code.startswith("52510100")
    with pytest.raises(ValueError):
        make_credit_code(1, area="51")
    with pytest.raises(ValueError):
        make_credit_code(1, dept_kind="9")


@given(st.integers(min_value=0, max_value=10**9))
def test_generated_codes_validate(seed):
    code = make_credit_code(seed)
    assert validate_credit_code(code) == (True, "")
    assert org_code_check_char(code[8:16]) == code[16]


@given(st.integers(min_value=0, max_value=10**9), st.integers(0, 17), st.integers(1, 30))
def test_single_char_change_detected(seed, pos, shift):
    # 模31加权且权重与31互素：任意一位替换为字母表中其他字符都会被发现
    code = make_credit_code(seed)
    new = ALPHABET[(ALPHABET.index(code[pos]) + shift) % 31]
    changed = code[:pos] + new + code[pos + 1:]
    assert not validate_credit_code(changed)[0]
