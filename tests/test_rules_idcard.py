"""身份证号码、手机号、银行卡号规则测试。"""
from datetime import date

import pytest
from hypothesis import given, strategies as st

from models.rules.idcard import (
    IdResult, check_digit, looks_like_excel_number, make_valid_id, mask_bank_card,
    mask_id, mask_phone, normalize_id, upgrade_15, validate_bank_card, validate_id,
    validate_phone,
)

TODAY = date(2026, 6, 1)


def test_check_digit_standard_examples():
    # GB 11643-1999 附录中的示例号码
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"
    assert validate_id("11010519491231002X", today=TODAY).ok


def test_check_digit_rejects_bad_input():
    with pytest.raises(ValueError):
        check_digit("1234")
    with pytest.raises(ValueError):
        check_digit("1101051949123100X")


@pytest.mark.parametrize("area,birth,seq,sex", [
    ("511322", date(1990, 1, 1), 123, "男"),
    ("510104", date(1975, 12, 31), 8, "女"),
    ("110105", date(2000, 2, 29), 999, "男"),
    ("650102", date(1962, 7, 15), 0, "女"),
])
def test_made_ids_validate(area, birth, seq, sex):
    value = make_valid_id(area, birth, seq)
    r = validate_id(value, today=TODAY)
    assert r == IdResult(value, True, "", birth, sex)


def test_wrong_check_digit_message():
    good = make_valid_id("511322", date(1990, 1, 1), 123)
    wrong = "0" if good[-1] != "0" else "1"
    r = validate_id(good[:17] + wrong, today=TODAY)
    assert not r.ok
    assert r.message == f"身份证号码校验位错误：应为 {good[-1]}，实为 {wrong}"


def _id_with_x() -> str:
    for seq in range(1000):
        v = make_valid_id("511322", date(1988, 8, 8), seq)
        if v.endswith("X"):
            return v
    raise AssertionError


def test_lowercase_x_and_fullwidth():
    v = _id_with_x()
    assert validate_id(v[:17] + "x", today=TODAY).value == v
    assert validate_id(v[:17] + "x", today=TODAY).ok
    full = v.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    spaced = f" {full[:6]}\u3000{full[6:14]} {full[14:]} "
    assert normalize_id(spaced) == v
    r = validate_id(spaced, today=TODAY)
    assert r.ok and r.value == v
    assert normalize_id("'" + v[:17] + "ｘ") == v


def test_upgrade_15():
    assert upgrade_15("110105491231002") == "11010519491231002X"
    r = validate_id("110105491231002", today=TODAY)
    assert r.ok and r.value == "11010519491231002X"
    assert r.birth == date(1949, 12, 31) and r.sex == "女"
    with pytest.raises(ValueError):
        upgrade_15("11010549123100")


def test_impossible_birth_dates():
    body = "511322" + "19900231" + "123"
    r = validate_id(body + check_digit(body), today=TODAY)
    assert not r.ok and r.message == "身份证号码中的出生日期 19900231 不存在"
    future = "511322" + "20300101" + "123"
    assert "20300101 不存在" in validate_id(future + check_digit(future), today=TODAY).message
    old = "511322" + "18991231" + "123"
    assert "18991231 不存在" in validate_id(old + check_digit(old), today=TODAY).message
    # 15位号码月份非法
    assert "19901301 不存在" in validate_id("511322901301123", today=TODAY).message


@pytest.mark.parametrize("raw,n", [("5113221990", 10), ("51132219900101123X1", 19)])
def test_wrong_length(raw, n):
    assert validate_id(raw).message == f"身份证号码应为18位（或旧版15位），现为{n}位"


def test_empty_and_bad_chars():
    assert validate_id("").message == "身份证号码为空"
    assert validate_id("  ").message == "身份证号码为空"
    assert validate_id(None).message == "身份证号码为空"
    assert not validate_id("51132219900101A234").ok
    assert "地区码 00" in validate_id(make_valid_id("001322", date(1990, 1, 1), 1), today=TODAY).message


@pytest.mark.parametrize("raw", ["5.11322199001011E+17", "1.10105E+17", "5.11322E17", 5.11322199001011e17])
def test_scientific_notation_rejected(raw):
    assert looks_like_excel_number(raw)
    r = validate_id(raw)
    assert not r.ok
    assert r.message == "身份证号码已被Excel存成数字，后几位已丢失（E+17），请把该列设为文本后重新录入"


def test_excel_dot_zero_forms():
    assert looks_like_excel_number("511322199001011000.0")
    r = validate_id("511322199001011000.0")
    assert not r.ok and "Excel" in r.message
    # 15位旧号码被存成数字时数字完整，仍可升位
    assert validate_id("110105491231002.0", today=TODAY).value == "11010519491231002X"
    assert validate_id(110105491231002.0, today=TODAY).ok
    assert not looks_like_excel_number("11010519491231002X")
    assert not looks_like_excel_number("511322199001011234")


def test_masks():
    assert mask_id("511322199001011234") == "511322********1234"
    assert mask_id("51132219900101123x") == "511322********123X"
    assert mask_id("") == ""
    assert "*" in mask_id("12345")
    assert mask_bank_card("6222 0212 3456 7890 123") == "622202*********0123"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("0827-1234567") == "082*-***4567"
    assert mask_phone("1234567") == "***4567"


def test_validate_phone():
    for ok in ["13812341234", "138 1234 1234", "+86 13812341234", "0827-1234567",
               "08271234567", "028-87654321", "5221234", "82345678", "１３８１２３４１２３４"]:
        assert validate_phone(ok) == (True, ""), ok
    assert validate_phone("") == (False, "联系电话为空")
    assert validate_phone("1381234123") == (False, "手机号码应为11位，现为10位")
    assert not validate_phone("12812341234")[0]
    assert not validate_phone("0827-123")[0]
    assert not validate_phone("电话13812341234")[0]


def test_validate_bank_card():
    assert validate_bank_card("6222 0212 3456 7890 123") == (True, "")
    assert validate_bank_card("621799123456") == (True, "")
    assert validate_bank_card("6217991234567890121") == (True, "")  # 不做 Luhn
    assert validate_bank_card("") == (False, "银行卡号为空")
    assert validate_bank_card("62179912345") == (False, "银行卡号应为12至19位数字，现为11位")
    assert validate_bank_card("62179912345678901234")[0] is False
    assert validate_bank_card("6217A91234567") == (False, "银行卡号只能包含数字")
    assert "Excel" in validate_bank_card("6.21799123456789E+18")[1]


@given(
    area=st.sampled_from(["511322", "110105", "440305", "510104"]),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    seq=st.integers(0, 999),
)
def test_property_made_ids_valid_and_single_digit_errors_caught(area, birth, seq):
    v = make_valid_id(area, birth, seq)
    r = validate_id(v, today=TODAY)
    assert r.ok and r.birth == birth and r.sex == ("男" if seq % 2 else "女")
    # 校验码能发现任何一位数字的抄写错误
    for i in range(17):
        for d in "0123456789":
            if d != v[i]:
                assert not validate_id(v[:i] + d + v[i + 1:], today=TODAY).ok


@pytest.mark.parametrize("raw, stored", [("138-0013-8000", "13800138000"), ("+86 138 0013 8000", "13800138000"),
                                         ("0086-13800138000", "13800138000"), ("'13800138000", "13800138000"),
                                         ("１３８００１３８０００", "13800138000"), ("0827-1234567", "0827-1234567"),
                                         ("(0827)1234567", "0827-1234567")])
def test_a_phone_is_stored_in_one_form_however_it_was_written(raw, stored):
    from models.ledger import registry
    assert registry.get("workers").field("phone").parse(raw) == stored


@pytest.mark.parametrize("raw", ["6222-0202-0000-1234-567", "'6222020200001234567", "6222 0202 0000 1234 567"])
def test_a_bank_card_is_stored_as_its_digits(raw):
    from models.ledger import registry
    assert registry.get("workers").field("bank_card").parse(raw) == "6222020200001234567"
