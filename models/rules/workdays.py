"""按国家法定节假日（含调休）计算工作日与期限。

数据来源优先级：用户录入的年度安排 > chinese_calendar 包内置数据 > 仅按周末。
chinese_calendar 对没有数据的年份（本版为2004年以前和2026年以后）抛出
NotImplementedError，此时只能按周六、周日休息推算，界面应提示用户录入
当年国务院办公厅的放假通知（见 parse_schedule_text）。
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import chinese_calendar
from lunardate import LunarDate

__all__ = [
    "YearSchedule",
    "WorkCalendar",
    "HOLIDAY_NAMES_ZH",
    "spring_festival",
    "before_spring_festival",
    "parse_schedule_text",
    "schedule_to_text",
]

SOURCE_BUILTIN = "内置"
SOURCE_USER = "用户录入"

HOLIDAY_NAMES_ZH: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

_ONE_DAY = timedelta(days=1)


@dataclass
class YearSchedule:
    """一年的放假调休安排。

    holidays：放假日（可以只列本应上班的日子，也可以列出全部节日日期，含周末）；
    workdays：调休上班日（落在周六、周日的补班日）；
    source：“内置”或“用户录入”；names：可选，日期对应的节日名称。
    """

    year: int
    holidays: set[date] = field(default_factory=set)
    workdays: set[date] = field(default_factory=set)
    source: str = SOURCE_USER
    names: dict[date, str] = field(default_factory=dict)


def _as_date(d: date) -> date:
    # datetime 是 date 的子类，混用会导致集合查找失败，统一截成 date。
    return d.date() if isinstance(d, datetime) else d


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """法定工作日历。

    “工作日”指法定上班日（含调休补班的周末）；“休息日”指周末和法定节假日
    （调休补班日除外）。
    """

    def __init__(self, overrides: dict[int, YearSchedule] | None = None) -> None:
        self._overrides: dict[int, YearSchedule] = dict(overrides or {})
        # 用户录入的具体日期优先于一切，且不限于本年：元旦补班可能落在上年12月。
        self._user_off: dict[date, str | None] = {}
        self._user_on: set[date] = set()
        for year, sch in self._overrides.items():
            if sch.year != year:
                raise ValueError(f"{year}年的放假安排中年份写成了{sch.year}")
            both = sch.holidays & sch.workdays
            if both:
                d = min(both)
                raise ValueError(f"{year}年的放假安排中 {d:%Y-%m-%d} 既是放假日又是上班日")
            for d in sch.holidays:
                self._user_off[d] = sch.names.get(d)
            self._user_on.update(sch.workdays)
        clash = set(self._user_off) & self._user_on
        if clash:
            d = min(clash)
            raise ValueError(f"不同年份的放假安排对 {d:%Y-%m-%d} 的规定相互矛盾")
        self._known_cache: dict[int, bool] = {}

    # ---- 数据来源 -------------------------------------------------------
    def is_known(self, year: int) -> bool:
        """该年份是否有放假安排（用户录入或内置），否则只能按周末推算。"""
        if year in self._overrides:
            return True
        if year not in self._known_cache:
            self._known_cache[year] = _package_knows(year)
        return self._known_cache[year]

    def source_of(self, year: int) -> str | None:
        """该年份数据来源：“用户录入”“内置”，或 None（仅按周末）。"""
        if year in self._overrides:
            return self._overrides[year].source
        return SOURCE_BUILTIN if self.is_known(year) else None

    def unknown_years_in(self, start: date, end: date) -> list[int]:
        """start 与 end 之间（含两端，顺序不限）缺少放假安排的年份。"""
        a, b = sorted((_as_date(start).year, _as_date(end).year))
        return [y for y in range(a, b + 1) if not self.is_known(y)]

    def schedule_for(self, year: int) -> YearSchedule | None:
        """取某年的放假安排，供界面显示或复制后修改；无数据时返回 None。"""
        if year in self._overrides:
            return self._overrides[year]
        if not self.is_known(year):
            return None
        hol = {d: HOLIDAY_NAMES_ZH.get(n, n) for d, n in chinese_calendar.holidays.items() if d.year == year}
        work = {d: HOLIDAY_NAMES_ZH.get(n, n) for d, n in chinese_calendar.workdays.items()
                if d.year == year and d.weekday() >= 5}
        return YearSchedule(year, set(hol), set(work), SOURCE_BUILTIN, {**hol, **work})

    # ---- 单日判断 -------------------------------------------------------
    def is_workday(self, d: date) -> bool:
        """是否法定工作日。"""
        d = _as_date(d)
        if d in self._user_on:
            return True
        if d in self._user_off:
            return False
        if d.year not in self._overrides and self.is_known(d.year):
            # chinese_calendar.is_workday(d), without its per-call range check (min/max over every
            # holiday, ~50 µs): the year is known, so the answer is in its two tables
            return d in chinese_calendar.workdays or (d.weekday() < 5 and d not in chinese_calendar.holidays)
        return d.weekday() < 5

    def is_holiday(self, d: date) -> bool:
        """是否休息日（周末或法定节假日），即 not is_workday(d)。"""
        return not self.is_workday(d)

    def holiday_name(self, d: date) -> str | None:
        """放假日所属节日的中文名称；普通周末、工作日（含补班日）或名称未知时为 None。"""
        d = _as_date(d)
        if d in self._user_off:
            return self._user_off[d]
        if d in self._user_on or d.year in self._overrides or not self.is_known(d.year):
            return None
        on_holiday, name = chinese_calendar.get_holiday_detail(d)
        if not on_holiday or name is None:
            return None
        return HOLIDAY_NAMES_ZH.get(name, name)

    # ---- 推算 -----------------------------------------------------------
    def next_workday(self, d: date, include_self: bool = True) -> date:
        """d 当天或之后（include_self=False 时严格之后）的第一个工作日。"""
        d = _as_date(d)
        if not include_self:
            d += _ONE_DAY
        while not self.is_workday(d):
            d += _ONE_DAY
        return d

    def previous_workday(self, d: date, include_self: bool = True) -> date:
        """d 当天或之前（include_self=False 时严格之前）的最后一个工作日。"""
        d = _as_date(d)
        if not include_self:
            d -= _ONE_DAY
        while not self.is_workday(d):
            d -= _ONE_DAY
        return d

    def add_workdays(self, start: date, n: int) -> date:
        """期限：start 之后的第 n 个工作日（start 当天不计）。

        例如周五受理、n=1，期限为下周一（遇节假日顺延）。
        n=0 时返回 start 当天或之后的第一个工作日（start 本身是工作日则原样返回）。
        n<0 时向前数：start 之前的第 |n| 个工作日。
        满足：n>=1 时 workdays_between(start, add_workdays(start, n)) == n。
        """
        d = _as_date(start)
        if n == 0:
            return self.next_workday(d)
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        left = abs(n)
        while left:
            d += step
            if self.is_workday(d):
                left -= 1
        return d

    def workdays_between(self, start: date, end: date) -> int:
        """区间 (start, end] 内的工作日数；end 早于 start 时为 -(区间 (end, start] 的工作日数)。"""
        a, b = _as_date(start), _as_date(end)
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count = 0
        d = a + _ONE_DAY
        while d <= b:
            if self.is_workday(d):
                count += 1
            d += _ONE_DAY
        return sign * count


# ---- 春节 -----------------------------------------------------------------
def spring_festival(year: int) -> date:
    """该年春节（农历正月初一）的公历日期，支持1900-2099年。"""
    return LunarDate(year, 1, 1).to_solar_date()


def before_spring_festival(year: int) -> date:
    """“春节前”期限：春节前一天（即除夕，农历腊月最后一天）。

    按日历日计算，不顺延、不提前；该日常为法定假日，
    需要最后一个工作日时用 WorkCalendar.previous_workday(before_spring_festival(y))。
    """
    return spring_festival(year) - _ONE_DAY


# ---- 放假通知文本 ------------------------------------------------------------
_DATE = r"(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{1,2}\s*月\s*\d{1,2}\s*日?)"
# 通知原文常在日期后注明星期，如“2月14日（星期日）上班”，解析时略去。
_WEEKDAY_NOTE = r"(?:\s*\((?:星期|周)[一二三四五六日天]\))?"
_LINE_RE = re.compile(
    rf"^(?:(?P<lead>[^\d:：\s][^:：]*?)\s*[:：]\s*)?"
    rf"(?P<d1>{_DATE}){_WEEKDAY_NOTE}"
    rf"(?:\s*(?:至|到|~|—|-{{1,2}})\s*(?P<d2>{_DATE}){_WEEKDAY_NOTE})?"
    rf"\s*,?\s*(?P<kind>调休上班|补班|上班|放假调休|放假|休息)"
    rf"(?:\s+(?P<name>\S.*?))?\s*$"
)
_FULL_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MD_RE = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_MAX_SPAN_DAYS = 31  # 单段放假最长天数，防止把月份敲错后整段标成假日

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def _parse_date(text: str, year: int, lineno: int, line: str) -> date:
    m = _FULL_DATE_RE.match(text)
    try:
        if m:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        else:
            m = _MD_RE.match(text)
            assert m is not None
            d = date(year, int(m.group(1)), int(m.group(2)))
    except ValueError:
        raise ValueError(f"第{lineno}行日期“{text.strip()}”不存在：{line}") from None
    # 元旦的补班可能落在上一年12月，春节、元旦前后也可能跨年，允许相邻年份。
    if abs(d.year - year) > 1:
        raise ValueError(f"第{lineno}行日期 {d:%Y-%m-%d} 不属于{year}年的放假安排：{line}")
    return d


def parse_schedule_text(year: int, text: str) -> YearSchedule:
    """把国务院放假通知整理成的简单文本解析为 YearSchedule（来源“用户录入”）。

    每行一项：
        2027-01-01 至 2027-01-03 放假
        2027-02-14 上班            （也可写“补班”“调休上班”）
        春节：2月5日至2月13日放假    （可带“名称：”前缀或名称后缀）
    日期可写 2027-01-01、2027/1/1、2027年1月1日，或省略年份写 1月1日。
    空行和以 # 开头的行忽略；其他无法识别的行抛出 ValueError，提示行号。
    """
    holidays: set[date] = set()
    workdays: set[date] = set()
    names: dict[date, str] = {}
    first_seen: dict[date, tuple[int, str]] = {}

    for lineno, raw_line in enumerate(text.splitlines(), start=1):
        # 全角括号、冒号、波浪线等先转半角，正则只需写半角形式。
        line = raw_line.translate(_FULLWIDTH).strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE_RE.match(line)
        if not m:
            raise ValueError(f"第{lineno}行无法识别：{raw_line.strip()}")
        d1 = _parse_date(m.group("d1"), year, lineno, raw_line.strip())
        d2 = _parse_date(m.group("d2"), year, lineno, raw_line.strip()) if m.group("d2") else d1
        if d2 < d1:
            raise ValueError(f"第{lineno}行结束日期早于开始日期：{raw_line.strip()}")
        if (d2 - d1).days + 1 > _MAX_SPAN_DAYS:
            raise ValueError(f"第{lineno}行放假时间超过{_MAX_SPAN_DAYS}天，请核对：{raw_line.strip()}")
        kind = "上班" if m.group("kind") in ("上班", "补班", "调休上班") else "放假"
        name = (m.group("lead") or m.group("name") or "").strip() or None

        d = d1
        while d <= d2:
            if d in first_seen and first_seen[d][1] != kind:
                prev_line, prev_kind = first_seen[d]
                raise ValueError(
                    f"第{lineno}行与第{prev_line}行矛盾：{d:%Y-%m-%d} 已标为{prev_kind}")
            first_seen.setdefault(d, (lineno, kind))
            (holidays if kind == "放假" else workdays).add(d)
            if name:
                names[d] = name
            d += _ONE_DAY

    return YearSchedule(year, holidays, workdays, SOURCE_USER, names)


def schedule_to_text(schedule: YearSchedule) -> str:
    """把 YearSchedule 写回 parse_schedule_text 能读的文本（连续放假日合并为一段）。"""
    items: list[tuple[date, date, str, str | None]] = []
    for kind, days in (("放假", schedule.holidays), ("上班", schedule.workdays)):
        for d in sorted(days):
            name = schedule.names.get(d)
            if items and items[-1][2] == kind and kind == "放假" \
                    and items[-1][1] + _ONE_DAY == d and items[-1][3] == name:
                items[-1] = (items[-1][0], d, kind, name)
            else:
                items.append((d, d, kind, name))
    items.sort(key=lambda it: (it[0], it[2]))

    lines = [f"# {schedule.year}年放假调休安排（{schedule.source}）"]
    for a, b, kind, name in items:
        span = f"{a:%Y-%m-%d}" if a == b else f"{a:%Y-%m-%d} 至 {b:%Y-%m-%d}"
        lines.append(f"{span} {kind}" + (f" {name}" if name else ""))
    return "\n".join(lines) + "\n"
