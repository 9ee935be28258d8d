"""法定工作日计算测试。2026年数据以 chinese_calendar 1.11.0 内置数据为准（已核对）。"""
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given, strategies as st

from models.rules.workdays import (
    WorkCalendar, YearSchedule, before_spring_festival, parse_schedule_text,
    schedule_to_text, spring_festival,
)

D = date
CAL = WorkCalendar()

TEXT_2027 = """
# 2027年春节（示例，模拟国务院通知）
2027-01-01 至 2027-01-03 放假 元旦
春节：2027年2月5日至2月13日放假
2027-02-14 上班
"""


def test_package_raises_for_2027():
    # 依赖包对无数据年份抛 NotImplementedError，日历据此判定“未知年份”
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 3, 1))


def test_national_day_2026():
    # 2026：中秋 9/25-27，国庆 10/1-7 放假；9/20（周日）、10/10（周六）上班
    for d in range(1, 8):
        assert CAL.is_holiday(D(2026, 10, d))
        assert CAL.holiday_name(D(2026, 10, d)) == "国庆节"
    assert CAL.is_workday(D(2026, 10, 8))
    assert CAL.holiday_name(D(2026, 9, 25)) == "中秋节"
    assert D(2026, 9, 20).weekday() == 6 and CAL.is_workday(D(2026, 9, 20))
    assert D(2026, 10, 10).weekday() == 5 and CAL.is_workday(D(2026, 10, 10))
    assert CAL.holiday_name(D(2026, 10, 10)) is None
    assert CAL.is_holiday(D(2026, 10, 11))
    assert CAL.holiday_name(D(2026, 10, 11)) is None  # 普通周日
    assert CAL.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert CAL.workdays_between(D(2026, 9, 30), D(2026, 10, 8)) == 1


def test_deadline_across_makeup_saturday():
    # 10/8 受理，第2个工作日是调休上班的周六 10/10
    assert CAL.add_workdays(D(2026, 10, 8), 2) == D(2026, 10, 10)
    assert CAL.add_workdays(D(2026, 10, 8), 3) == D(2026, 10, 12)
    assert CAL.workdays_between(D(2026, 10, 8), D(2026, 10, 12)) == 3
    # 9/18（周五）之后的第1个工作日是补班的周日 9/20
    assert CAL.add_workdays(D(2026, 9, 18), 1) == D(2026, 9, 20)
    # 跨中秋和国庆：9/24 之后第10个工作日——9/28、29、30，10/8、9、10（周六补班）、12、13、14、15
    assert CAL.add_workdays(D(2026, 9, 24), 10) == D(2026, 10, 15)


def test_spring_festival_2026():
    # 2026：2/15-23 放假，2/14（周六）、2/28（周六）上班
    for d in range(15, 24):
        assert CAL.is_holiday(D(2026, 2, d))
        assert CAL.holiday_name(D(2026, 2, d)) == "春节"
    assert CAL.is_workday(D(2026, 2, 14)) and CAL.is_workday(D(2026, 2, 28))
    assert CAL.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert CAL.add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert CAL.holiday_name(D(2026, 1, 1)) == "元旦"
    assert CAL.holiday_name(D(2015, 9, 3)) == "抗战胜利70周年纪念日"


def test_add_workdays_edge_cases():
    assert CAL.add_workdays(D(2026, 10, 8), 0) == D(2026, 10, 8)
    assert CAL.add_workdays(D(2026, 10, 3), 0) == D(2026, 10, 8)
    assert CAL.add_workdays(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert CAL.workdays_between(D(2026, 10, 8), D(2026, 9, 30)) == -1
    assert CAL.workdays_between(D(2026, 10, 8), D(2026, 10, 8)) == 0
    assert CAL.next_workday(D(2026, 10, 1)) == D(2026, 10, 8)
    assert CAL.next_workday(D(2026, 10, 8), include_self=False) == D(2026, 10, 9)
    assert CAL.previous_workday(D(2026, 10, 7)) == D(2026, 9, 30)
    assert CAL.is_workday(datetime(2026, 10, 10, 9, 30))
    assert CAL.add_workdays(datetime(2026, 10, 8, 17, 0), 2) == D(2026, 10, 10)


def test_2027_unknown_weekends_only():
    assert not CAL.is_known(2027)
    assert CAL.is_known(2026) and CAL.source_of(2026) == "内置"
    assert CAL.source_of(2027) is None and CAL.schedule_for(2027) is None
    assert CAL.unknown_years_in(D(2026, 12, 1), D(2028, 1, 5)) == [2027, 2028]
    assert CAL.unknown_years_in(D(2026, 1, 1), D(2026, 12, 31)) == []
    assert CAL.unknown_years_in(D(2027, 1, 1), D(2003, 1, 1))[0] == 2003
    assert CAL.is_workday(D(2027, 1, 1))  # 无数据：元旦也按周五上班推算
    assert CAL.holiday_name(D(2027, 1, 1)) is None
    assert CAL.is_holiday(D(2027, 2, 6))  # 周六
    assert CAL.add_workdays(D(2027, 2, 4), 1) == D(2027, 2, 5)
    assert CAL.add_workdays(D(2027, 2, 5), 1) == D(2027, 2, 8)


def test_user_override_2027():
    sch = parse_schedule_text(2027, TEXT_2027)
    cal = WorkCalendar({2027: sch})
    assert cal.is_known(2027) and cal.source_of(2027) == "用户录入"
    assert cal.unknown_years_in(D(2026, 12, 1), D(2027, 12, 31)) == []
    for d in range(5, 14):
        assert cal.is_holiday(D(2027, 2, d))
    assert cal.holiday_name(D(2027, 2, 8)) == "春节"
    assert cal.holiday_name(D(2027, 1, 1)) == "元旦"
    assert D(2027, 2, 14).weekday() == 6 and cal.is_workday(D(2027, 2, 14))
    assert cal.add_workdays(D(2027, 2, 4), 1) == D(2027, 2, 14)
    assert cal.add_workdays(D(2027, 2, 4), 2) == D(2027, 2, 15)
    assert cal.is_workday(D(2027, 3, 1)) and cal.is_holiday(D(2027, 3, 6))
    # 2026 仍用内置数据
    assert cal.is_holiday(D(2026, 10, 1))


def test_override_beats_package():
    # 用户改了2026年：国庆只放10/1，其余照常（含周末规则）
    sch = parse_schedule_text(2026, "2026-10-01 放假 国庆节")
    cal = WorkCalendar({2026: sch})
    assert cal.is_holiday(D(2026, 10, 1)) and cal.is_workday(D(2026, 10, 2))
    assert cal.is_holiday(D(2026, 10, 3))  # 周六
    assert not cal.is_workday(D(2026, 10, 10))  # 内置的补班不再生效
    assert cal.holiday_name(D(2026, 10, 2)) is None


def test_override_cross_year_makeup_day():
    # 元旦补班落在上年12月的周六（如2012年安排中的2011-12-31）
    sch = parse_schedule_text(2028, "2027-12-25 上班\n2028-01-01 至 2028-01-03 放假")
    cal = WorkCalendar({2028: sch})
    assert D(2027, 12, 25).weekday() == 5 and cal.is_workday(D(2027, 12, 25))


def test_override_validation():
    with pytest.raises(ValueError, match="年份"):
        WorkCalendar({2027: YearSchedule(2028)})
    with pytest.raises(ValueError, match="既是放假日又是上班日"):
        WorkCalendar({2027: YearSchedule(2027, {D(2027, 2, 14)}, {D(2027, 2, 14)})})


def test_builtin_schedule_roundtrip_matches_package():
    sch = CAL.schedule_for(2026)
    assert sch is not None and sch.source == "内置"
    text = schedule_to_text(sch)
    assert "2026-10-01 至 2026-10-07 放假 国庆节" in text
    assert "2026-10-10 上班" in text
    again = parse_schedule_text(2026, text)
    assert (again.holidays, again.workdays) == (sch.holidays, sch.workdays)
    cal = WorkCalendar({2026: again})
    d = D(2026, 1, 1)
    while d.year == 2026:
        assert cal.is_workday(d) == chinese_calendar.is_workday(d), d
        assert cal.holiday_name(d) == CAL.holiday_name(d), d
        d += timedelta(days=1)


def test_spring_festival_dates():
    assert spring_festival(2026) == D(2026, 2, 17)
    assert spring_festival(2027) == D(2027, 2, 6)
    assert spring_festival(2028) == D(2028, 1, 26)
    assert before_spring_festival(2027) == D(2027, 2, 5)
    assert before_spring_festival(2028) == D(2028, 1, 25)
    # 春节前的最后一个工作日（2026：2/14 补班）
    assert CAL.previous_workday(before_spring_festival(2026)) == D(2026, 2, 14)


def test_parse_formats():
    text = """
    2027/1/1 放假
    1月2日 至 1月3日 休息
    2027年2月14日（星期日）调休上班
    2027-02-20 补班
    ２０２７－１０－０１～２０２７－１０－０７ 放假 国庆节
    2027-09-26(周日) 上班
    # 注释
    """
    sch = parse_schedule_text(2027, text)
    assert sch.source == "用户录入" and sch.year == 2027
    assert sch.holidays == {D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)} | {
        D(2027, 10, d) for d in range(1, 8)}
    assert sch.workdays == {D(2027, 2, 14), D(2027, 2, 20), D(2027, 9, 26)}
    assert sch.names[D(2027, 10, 3)] == "国庆节"
    assert parse_schedule_text(2027, "") == YearSchedule(2027, set(), set(), "用户录入")


def test_schedule_text_roundtrip():
    sch = parse_schedule_text(2027, TEXT_2027 + "2027-10-01 至 2027-10-07 放假\n2027-10-09 补班\n")
    text = schedule_to_text(sch)
    assert "2027-02-05 至 2027-02-13 放假 春节" in text
    assert "2027-02-14 上班" in text
    assert parse_schedule_text(2027, text) == sch


@pytest.mark.parametrize("text,msg", [
    ("2027-01-01 放假\n\n春节放假九天", "第3行无法识别：春节放假九天"),
    ("2027-01-01", "第1行无法识别：2027-01-01"),
    ("# x\n2027-02-30 放假", "第2行日期“2027-02-30”不存在"),
    ("2027-02-13 至 2027-02-05 放假", "第1行结束日期早于开始日期"),
    ("2027-02-05 至 2027-12-13 放假", "第1行放假时间超过31天"),
    ("2020-02-05 放假", "第1行日期 2020-02-05 不属于2027年"),
    ("2027-02-05 至 2027-02-13 放假\n2027-02-07 上班", "第2行与第1行矛盾：2027-02-07 已标为放假"),
])
def test_parse_errors(text, msg):
    with pytest.raises(ValueError) as exc:
        parse_schedule_text(2027, text)
    assert msg in str(exc.value)


@given(st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 6, 30)), st.integers(1, 60))
def test_add_and_count_are_consistent(start, n):
    end = CAL.add_workdays(start, n)
    assert CAL.is_workday(end)
    assert CAL.workdays_between(start, end) == n
    assert CAL.workdays_between(end, start) == -n
    # 倒推 n 个工作日回到 start（start 为休息日时回到它之前的最后一个工作日）
    assert CAL.add_workdays(end, -n) == CAL.previous_workday(start)
