"""居民身份证号码（GB 11643）校验，以及手机号、银行卡号的校验与脱敏显示。

所有函数都是纯函数，不依赖 Qt 与数据库，便于导入 Excel 时逐行调用。
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "IdResult",
    "normalize_id",
    "check_digit",
    "upgrade_15",
    "validate_id",
    "looks_like_excel_number",
    "make_valid_id",
    "mask_id",
    "mask_bank_card",
    "mask_phone",
    "validate_phone",
    "validate_bank_card",
]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# 全角 ！..～ (U+FF01..U+FF5E) 与 ASCII ! .. ~ 一一对应；表格里从网页、
# 微信复制来的号码常混有全角数字和全角空格。
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20

# 省级行政区划代码（含港澳台居民居住证 81/82/83、外国人永久居留身份证 9x）。
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83 91 92 93".split()
)

_SCI_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE]\+?(\d+)$")
_DOT_ZERO_RE = re.compile(r"^(\d+)\.0+$")


def _to_ascii(raw: str) -> str:
    """全角转半角，并去掉所有空白字符。"""
    return "".join(raw.translate(_FULLWIDTH).split())


def normalize_id(raw: str) -> str:
    """去空格、全角转半角、小写 x 转大写 X。

    Excel 中为防止变成数字而加的前导单引号也一并去掉。
    """
    if raw is None:
        return ""
    s = _to_ascii(str(raw))
    s = s.lstrip("'‘’`")
    return s.upper()


def check_digit(first17: str) -> str:
    """按 GB 11643 计算前17位数字对应的校验码（0-9 或 X）。"""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"身份证号码本体码应为17位数字：{first17!r}")
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def upgrade_15(id15: str) -> str:
    """旧版15位号码升位为18位：第6位后插入“19”，末尾补校验码。"""
    s = normalize_id(id15)
    if len(s) != 15 or not s.isdigit():
        raise ValueError(f"旧版身份证号码应为15位数字：{id15!r}")
    body = s[:6] + "19" + s[6:]
    return body + check_digit(body)


@dataclass(frozen=True)
class IdResult:
    """validate_id 的结果。value 为规范化（15位已升为18位）后的号码。"""

    value: str
    ok: bool
    message: str = ""
    birth: date | None = None
    sex: str | None = None


def looks_like_excel_number(raw: object) -> bool:
    """判断号码是否被 Excel 存成了数字。

    识别三种形态：浮点数值本身、科学计数法文本（如 "5.11322199001011E+17"）、
    以 ".0" 结尾的整数文本（如 "511322199001011000.0"）。
    """
    if isinstance(raw, bool):
        return False
    if isinstance(raw, float):
        return True
    if raw is None:
        return False
    s = _to_ascii(str(raw))
    return bool(_SCI_RE.match(s) or _DOT_ZERO_RE.match(s))


def _parse_birth(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def validate_id(raw: object, today: date | None = None) -> IdResult:
    """校验居民身份证号码。

    依次检查：是否为空、是否被 Excel 存成数字、长度与字符、出生日期、
    校验位、省级地区码。15位旧号码先升为18位再校验。
    today 仅供测试指定“今天”，用于判断出生日期是否在将来。
    """
    today = today or date.today()
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return IdResult("", False, "身份证号码为空")

    if looks_like_excel_number(raw):
        text = _to_ascii(repr(raw) if isinstance(raw, float) else str(raw))
        m = _SCI_RE.match(text)
        if isinstance(raw, float) and not m and raw.is_integer() and abs(raw) < 1e15:
            # 15位以内的整数 Excel 能完整保存，旧版15位号码还可以救回来。
            text = f"{int(raw)}.0"
        if m:
            return IdResult(
                text,
                False,
                f"身份证号码已被Excel存成数字，后几位已丢失（E+{int(m.group(1))}），"
                "请把该列设为文本后重新录入",
            )
        digits = _DOT_ZERO_RE.match(text)
        if digits and len(digits.group(1)) <= 15:
            raw = digits.group(1)  # 数字完整，按普通号码继续校验
        else:
            return IdResult(
                text,
                False,
                "身份证号码已被Excel存成数字，后几位已丢失，请把该列设为文本后重新录入",
            )

    s = normalize_id(str(raw))
    if not s:
        return IdResult("", False, "身份证号码为空")

    if len(s) == 15:
        if not s.isdigit():
            return IdResult(s, False, "旧版15位身份证号码应全部为数字")
        s = upgrade_15(s)
    elif len(s) != 18:
        return IdResult(s, False, f"身份证号码应为18位（或旧版15位），现为{len(s)}位")

    if not (s[:17].isdigit() and s.isascii() and (s[17].isdigit() or s[17] == "X")):
        return IdResult(s, False, "身份证号码前17位应为数字，末位应为数字或X")

    birth = _parse_birth(s[6:14])
    if birth is None or birth.year < 1900 or birth > today:
        return IdResult(s, False, f"身份证号码中的出生日期 {s[6:14]} 不存在")

    expected = check_digit(s[:17])
    if s[17] != expected:
        return IdResult(s, False, f"身份证号码校验位错误：应为 {expected}，实为 {s[17]}")

    if s[:2] not in _PROVINCES:
        return IdResult(s, False, f"身份证号码前两位地区码 {s[:2]} 不存在")

    sex = "男" if int(s[16]) % 2 == 1 else "女"
    return IdResult(s, True, "", birth, sex)


def make_valid_id(area: str, birth: date, seq: int) -> str:
    """生成校验位正确的18位号码（演示数据用）。

    area 为6位行政区划码，seq 为0..999的顺序码（奇数为男、偶数为女）。
    """
    if len(area) != 6 or not area.isdigit():
        raise ValueError(f"地区码应为6位数字：{area!r}")
    if not 0 <= seq <= 999:
        raise ValueError(f"顺序码应在0至999之间：{seq}")
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


def _mask(s: str, head: int, tail: int) -> str:
    """保留前 head 位、后 tail 位，中间用 * 代替；过短时按比例少留，保证总有遮挡。"""
    n = len(s)
    if n == 0:
        return ""
    if n <= head + tail:
        # 号码不完整时也不能原样显示，两端各最多留三分之一。
        head = tail = n // 3
    return s[:head] + "*" * (n - head - tail) + s[n - tail:] if tail else s[:head] + "*" * (n - head)


def mask_id(value: str) -> str:
    """身份证号码脱敏：显示前6位与后4位，如 511322********1234。"""
    return _mask(normalize_id(value or ""), 6, 4)


def mask_bank_card(value: str) -> str:
    """银行卡号脱敏：显示前6位与后4位。"""
    return _mask(_to_ascii(value or ""), 6, 4)


def mask_phone(value: str) -> str:
    """电话号码脱敏：11位手机号显示为 138****1234，其他号码保留前3位与后4位。

    区号与号码之间的“-”保留，只遮挡数字。
    """
    s = _to_ascii(value or "")
    digit_pos = [i for i, c in enumerate(s) if c.isdigit()]
    n = len(digit_pos)
    if n == 0:
        return s
    head, tail = 3, 4
    if n <= head + tail:
        # 7、8位本地号码：只留后4位（不足时留一半），免得整号外露。
        head, tail = 0, (4 if n >= 6 else n // 2)
    hidden = set(digit_pos[head:n - tail])
    return "".join("*" if i in hidden else c for i, c in enumerate(s))


_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_LOCAL_RE = re.compile(r"^[2-9]\d{6,7}$")


def _mobile_compact(s: str) -> str:
    s = s.lstrip("'")
    compact = s.replace("-", "").replace("(", "").replace(")", "")
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("0086") and len(compact) == 15:
        compact = compact[4:]
    elif compact.startswith("86") and len(compact) == 13:
        compact = compact[2:]
    return compact


def normalize_phone(raw: str) -> str:
    """通过校验的联系电话的统一写法：手机号一律存11位数字（去掉+86、0086、空格和“-”），
    固定电话去掉空白、保留区号后的“-”。查重、检索都按这一写法。"""
    s = _to_ascii(raw or "").lstrip("'")
    compact = _mobile_compact(s)
    if _MOBILE_RE.match(compact):
        return compact
    return s.replace("(", "").replace(")", "-").replace("--", "-")


def normalize_bank_card(raw: str) -> str:
    """通过校验的银行卡号的统一写法：只留数字（去掉空格、“-”和开头的单引号）。"""
    s = _to_ascii(str(raw)).lstrip("'").replace("-", "")
    m = _DOT_ZERO_RE.match(s)
    return m.group(1) if m else s


def validate_phone(raw: str) -> tuple[bool, str]:
    """校验联系电话：11位手机号，或固定电话（0827-1234567、08271234567、7至8位本地号）。

    返回 (是否通过, 提示信息)；通过时提示为空字符串。
    """
    s = _to_ascii(raw or "").lstrip("'")
    if not s:
        return False, "联系电话为空"
    # “+86 138 1234 5678”“138-1234-5678”这类写法先去掉国家码与分隔符再判断手机号。
    compact = _mobile_compact(s)
    if _MOBILE_RE.match(compact):
        return True, ""
    landline = s.replace("(", "").replace(")", "-").replace("--", "-")
    if _LANDLINE_RE.match(landline) or _LOCAL_RE.match(landline):
        return True, ""
    if not compact.isdigit():
        return False, "联系电话只能包含数字和“-”"
    if compact.startswith("1"):
        if len(compact) != 11:
            return False, f"手机号码应为11位，现为{len(compact)}位"
        return False, "手机号码第二位应为3至9，请核对"
    return False, "联系电话格式不正确，应为11位手机号码或带区号的固定电话（如0827-1234567）"


def validate_bank_card(raw: str) -> tuple[bool, str]:
    """校验银行卡号：去掉空格和“-”后为12至19位数字。

    不做 Luhn 校验，因为不少农信社、村镇银行的卡号本身就不满足 Luhn。
    """
    if raw is None or not str(raw).strip():
        return False, "银行卡号为空"
    if looks_like_excel_number(raw) and _SCI_RE.match(_to_ascii(repr(raw) if isinstance(raw, float) else str(raw))):
        return False, "银行卡号已被Excel存成数字，后几位已丢失，请把该列设为文本后重新录入"
    s = _to_ascii(str(raw)).lstrip("'").replace("-", "")
    m = _DOT_ZERO_RE.match(s)
    if m and len(m.group(1)) > 15:
        return False, "银行卡号已被Excel存成数字，后几位已丢失，请把该列设为文本后重新录入"
    if m:
        s = m.group(1)
    if not (s.isascii() and s.isdigit()):
        return False, "银行卡号只能包含数字"
    if not 12 <= len(s) <= 19:
        return False, f"银行卡号应为12至19位数字，现为{len(s)}位"
    return True, ""
