"""统一社会信用代码（GB 32100-2015）校验与演示数据生成。

结构：第1位登记管理部门码，第2位机构类别码，第3-8位登记管理机关行政区划码，
第9-17位主体标识码（组织机构代码，GB 11714，自带校验位），第18位校验码。
"""
from __future__ import annotations

import random

__all__ = [
    "ALPHABET",
    "normalize_credit_code",
    "credit_check_char",
    "validate_credit_code",
    "org_code_check_char",
    "make_credit_code",
]

# 不使用 I、O、Z、S、V，避免与 1、0、2、5、U 混淆。
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def normalize_credit_code(raw: str) -> str:
    """去空白与“-”、全角转半角、转大写。"""
    if raw is None:
        return ""
    s = "".join(str(raw).translate(_FULLWIDTH).split())
    return s.replace("-", "").lstrip("'‘’`").upper()


def credit_check_char(first17: str) -> str:
    """计算前17位对应的第18位校验码：31 - (加权和 mod 31)，结果31记为0。"""
    s = first17.upper()
    if len(s) != 17 or any(c not in _VALUE for c in s):
        raise ValueError(f"统一社会信用代码前17位不合规：{first17!r}")
    total = sum(_VALUE[c] * w for c, w in zip(s, _WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(raw: str) -> tuple[bool, str]:
    """校验统一社会信用代码，返回 (是否通过, 提示信息)；通过时提示为空字符串。

    只核对长度、字符集、第3-8位为数字和第18位校验码；
    第1、2位的部门码、类别码不逐一核对，以免新增类别时误报。
    """
    s = normalize_credit_code(raw)
    if not s:
        return False, "统一社会信用代码为空"
    if len(s) != 18:
        if len(s) == 15 and s.isdigit():
            return False, ("统一社会信用代码应为18位，现为15位"
                           "（可能是旧的工商注册号，请向企业索取18位统一社会信用代码）")
        return False, f"统一社会信用代码应为18位，现为{len(s)}位"
    for i, c in enumerate(s, start=1):
        if c not in _VALUE:
            hint = "（代码中不使用I、O、Z、S、V，请核对是否应为1、0、2、5、U）" if c in "IOZSV" else ""
            return False, f"统一社会信用代码第{i}位“{c}”不是有效字符{hint}"
    if not s[2:8].isdigit():
        return False, "统一社会信用代码第3至8位应为行政区划代码（6位数字）"
    expected = credit_check_char(s[:17])
    if s[17] != expected:
        return False, f"统一社会信用代码校验位错误：应为 {expected}，实为 {s[17]}"
    return True, ""


def org_code_check_char(body8: str) -> str:
    """组织机构代码（GB 11714）第9位校验码：11 - (加权和 mod 11)，10记X，11记0。"""
    s = body8.upper()
    if len(s) != 8 or not s.isascii() or not s.isalnum():
        raise ValueError(f"组织机构代码本体应为8位数字或字母：{body8!r}")
    # 字母 A..Z 取值 10..35
    total = sum(int(c, 36) * w for c, w in zip(s, _ORG_WEIGHTS))
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def make_credit_code(seed: int, area: str = "511322", dept_kind: str = "91") -> str:
    """由种子确定性地生成一个合规的统一社会信用代码（演示数据用）。

    dept_kind 为前两位，默认“91”（工商登记的企业）；area 为6位行政区划码。
    第9-17位按组织机构代码规则生成，含其自身校验位，外观与真实代码一致。
    """
    dept_kind = dept_kind.upper()
    if len(dept_kind) != 2 or any(c not in _VALUE for c in dept_kind):
        raise ValueError(f"登记管理部门码与机构类别码应为2位有效字符：{dept_kind!r}")
    if len(area) != 6 or not area.isdigit():
        raise ValueError(f"行政区划码应为6位数字：{area!r}")
    rng = random.Random(seed)
    # 真实主体标识码以数字为主，偶有字母（如 MA 开头的新赋码）。
    if rng.random() < 0.4:
        body = "MA" + "".join(rng.choice(ALPHABET) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = dept_kind + area + body + org_code_check_char(body)
    return first17 + credit_check_char(first17)
