"""One year's 放假 and 调休 days as the State Council publishes them, read from a small file a
clerk types (text, CSV or a spreadsheet), stored as the office's entry for that year, and the
working-day deadlines of open cases recomputed through the case write service (each change
audited with its reason).

Accepted, one item a line (or a row), in any mix:

    元旦：1月1日（周五）至3日（周日）放假调休，共3天。           the notice's own sentences
    春节：2月6日至14日放假调休，共9天。2月20日（周六）上班。
    2027-10-01 至 2027-10-07 放假 国庆节                        one span or day and its kind
    2027/2/20 上班                                              (补班 / 调休上班 mean 上班 too)
    日期,类型,名称  /  开始日期,结束日期,类型,名称                 CSV or spreadsheet columns

Dates may be written 2027-01-01, 2027/1/1, 2027.1.1, 2027年1月1日, 20270101, 1月1日 (the
year of the notice), a spreadsheet date cell, and after 至 just 3日 (same month). Remarks in
brackets (周五, 农历除夕) and "共3天" are skipped; empty lines and lines starting with # too.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:                      # the holiday library loads when a schedule is read, not before
    from models.rules.workdays import YearSchedule

FORMAT_HELP = (
    "文件每行（或表格每行）一项，照国务院办公厅放假通知录入：如“元旦：1月1日至3日放假调休，共3天。”、"
    "“2月20日（周六）上班”、“2027-10-01 至 2027-10-07 放假 国庆节”；表格可用“日期、类型、名称”或"
    "“开始日期、结束日期、类型、名称”几列。日期可写 2027-01-01、2027/1/1、2027年1月1日、20270101 或 1月1日，"
    "“至”后可只写日；补班、调休上班都算上班；括号里的星期、农历说明和“共N天”不必删去；# 开头的行不读")

_KIND_WORDS = (("调休上班", "上班"), ("放假调休", "放假"), ("补班", "上班"), ("上班", "上班"),
               ("放假", "放假"), ("休息", "放假"), ("休假", "放假"))
_MAX_SPAN = 31
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20

# a date: 2027-01-01 / 2027/1/1 / 2027.1.1 / 2027年1月1日 / 20270101 / 1月1日 / 1-1 ; 3日 after 至
_DATE = (r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
         r"|(?P<c>(?:19|20)\d{2}[01]\d[0-3]\d)"
         r"|(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日?"
         r"|(?P<d3>\d{1,2})\s*日")
_TOKEN = re.compile(rf"(?P<date>{_DATE})|(?P<sep>至|到|~|—|--)|(?P<kind>"
                    + "|".join(w for w, _ in _KIND_WORDS) + r")")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")
_TITLE_YEAR = re.compile(r"(\d{4})\s*年[^\d]*(?:节假日|放假)")
_LEAD = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.]|\d{1,2}\s*[、.](?!\d))?\s*(?:(?P<name>[^\d:：,，]{1,12}?)\s*[:：])?")

_HEADERS = {"start": ("开始日期", "起始日期", "日期", "放假日期", "上班日期", "起"),
            "end": ("结束日期", "截止日期", "终止日期", "止", "至"),
            "kind": ("类型", "安排", "放假或上班", "性质", "类别"),
            "name": ("名称", "节日", "节日名称", "节假日", "说明")}


class HolidayFileError(ValueError):
    """One Chinese line naming the file and the line or row that cannot be used."""


@dataclass
class Parsed:
    year: int
    schedule: YearSchedule
    items: int                         # spans and days read
    where: dict[_dt.date, str] = field(default_factory=dict)      # a day → the line it came from
    skipped: list[str] = field(default_factory=list)              # lines with no date (the notice's prose)


def _norm(text: str) -> str:
    return str(text).translate(_FULLWIDTH).replace("\u00a0", " ").strip()


def read_rows(path: str | Path) -> list[list]:
    """The file's rows of cells: a spreadsheet's first sheet that holds anything, or a text /
    CSV file's lines split at commas and tabs."""
    from models.io.reading import OLE_MAGIC, ZIP_MAGIC, UnusableFile, decode_text, open_book
    path = Path(path)
    if not path.is_file():
        raise HolidayFileError(f"找不到节假日安排文件：{path}")
    data = path.read_bytes()
    if not data.strip():
        raise HolidayFileError(f"节假日安排文件“{path.name}”是空的")
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        try:
            book = open_book(path)
            for name in book.sheet_names:
                rows = book.load(name).rows
                if any(any(c not in (None, "") for c in r) for r in rows):
                    return rows
        except UnusableFile as exc:
            raise HolidayFileError(str(exc).rstrip("。")) from None
        raise HolidayFileError(f"节假日安排文件“{path.name}”中没有内容")
    try:
        text, _enc = decode_text(data)
    except (UnicodeDecodeError, ValueError):
        raise HolidayFileError(f"节假日安排文件“{path.name}”的文字编码无法识别，请另存为 UTF-8 文本后再导入") from None
    return [re.split(r"[,\t]", line) for line in text.splitlines()]


def _cell_text(v) -> str:
    if isinstance(v, _dt.datetime):
        return v.date().isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else _norm(str(v))


def _header(cells: list[str]) -> dict[str, int] | None:
    found = {}
    for i, c in enumerate(cells):
        for key, words in _HEADERS.items():
            if key not in found and c in words:
                found[key] = i
    return found if "start" in found and "kind" in found else None


def guess_year(rows: list[list]) -> int | None:
    """The notice's year: its title (关于2027年部分节假日安排的通知), else the year most of
    the dates written with a year carry."""
    years: dict[int, int] = {}
    for r in rows:
        line = " ".join(_cell_text(c) for c in r)
        t = _TITLE_YEAR.search(line)
        if t:
            return int(t.group(1))
        for m in _TOKEN.finditer(_BRACKETS.sub(" ", line)):
            y = m.group("y") or (m.group("c") or "")[:4]
            if y:
                years[int(y)] = years.get(int(y), 0) + 1
        for v in r:
            if isinstance(v, _dt.date):
                years[v.year] = years.get(v.year, 0) + 1
    return max(years, key=years.get) if years else None


def parse_rows(rows: list[list], year: int, file_name: str = "文件") -> Parsed:
    """The rows → one year's schedule. Every problem is a HolidayFileError naming the line."""
    holidays: set[_dt.date] = set()
    workdays: set[_dt.date] = set()
    names: dict[_dt.date, str] = {}
    where: dict[_dt.date, str] = {}
    kinds: dict[_dt.date, tuple[str, int]] = {}
    items = 0
    skipped: list[str] = []
    cols: dict[str, int] | None = None
    for n, raw in enumerate(rows, 1):
        cells = [_cell_text(c) for c in raw]
        line = " ".join(c for c in cells if c).strip()
        if not line or line.startswith("#"):
            continue
        if cols is None and _header(cells):
            cols = _header(cells)
            continue
        here = f"{file_name}第{n}行"
        if cols is not None:
            get = (lambda k: cells[cols[k]] if k in cols and cols[k] < len(cells) else "")
            start, end, kind_text, name = get("start"), get("end"), get("kind"), get("name")
            if not start and not kind_text:
                continue
            kind = next((k for w, k in _KIND_WORDS if w in kind_text), None)
            if kind is None:
                raise HolidayFileError(f"{here}“类型”应写放假或上班（补班），而不是“{kind_text}”")
            d1 = _one_date(start, year, here)
            d2 = _one_date(end, year, here, d1) if end else d1
            spans = [(d1, d2, kind, name or None)]
        else:
            full = [c for c in cells if c]
            if len(full) >= 3 and all(re.fullmatch(rf"\s*(?:{_DATE})\s*", c) for c in full[:2]):
                line = f"{full[0]} 至 {full[1]} {' '.join(full[2:])}"     # 开始日期, 结束日期, 类型 without a header
            spans = _spans(line, year, here)
            if not spans:
                skipped.append(here)
                continue
        for d1, d2, kind, name in spans:
            if d2 < d1:
                raise HolidayFileError(f"{here}结束日期 {d2} 早于开始日期 {d1}：{line}")
            if (d2 - d1).days + 1 > _MAX_SPAN:
                raise HolidayFileError(f"{here}一段放假超过{_MAX_SPAN}天，请核对：{line}")
            if abs(d1.year - year) > 1 or abs(d2.year - year) > 1:
                raise HolidayFileError(f"{here}日期 {d1} 不属于{year}年的安排：{line}")
            items += 1
            d = d1
            while d <= d2:
                if d in kinds and kinds[d][0] != kind:
                    raise HolidayFileError(f"{here}与第{kinds[d][1]}行矛盾：{d} 已写为{kinds[d][0]}")
                if kind == "上班" and d.weekday() < 5:
                    raise HolidayFileError(f"{here}：{d} 是星期{'一二三四五六日'[d.weekday()]}，本来就上班，"
                                           "调休上班日应为周六或周日，请核对")
                kinds.setdefault(d, (kind, n))
                (holidays if kind == "放假" else workdays).add(d)
                where.setdefault(d, here)
                if name:
                    names[d] = name
                d += _dt.timedelta(days=1)
    if not items:
        raise HolidayFileError(f"{file_name}中没有读到任何放假或上班日期。{FORMAT_HELP}")
    if not holidays:
        raise HolidayFileError(f"{file_name}中只有上班日、没有放假日，请核对是否整份通知都已录入")
    from models.rules.workdays import SOURCE_USER, WorkCalendar, YearSchedule
    schedule = YearSchedule(year, holidays, workdays, SOURCE_USER, names)
    try:
        WorkCalendar({year: schedule})
    except ValueError as exc:
        raise HolidayFileError(f"{file_name}：{exc}") from None
    return Parsed(year, schedule, items, where, skipped)


def _one_date(text: str, year: int, here: str, after: _dt.date | None = None) -> _dt.date:
    m = re.fullmatch(rf"\s*(?:{_DATE})\s*", _BRACKETS.sub("", text))
    if not m:
        raise HolidayFileError(f"{here}日期“{text}”看不懂（可写 2027-01-01、2027/1/1、2027年1月1日 或 1月1日）")
    return _to_date(m, year, here, after)


def _to_date(m: re.Match, year: int, here: str, after: _dt.date | None) -> _dt.date:
    g = m.groupdict()
    try:
        if g["y"]:
            return _dt.date(int(g["y"]), int(g["m"]), int(g["d"]))
        if g["c"]:
            c = g["c"]
            return _dt.date(int(c[:4]), int(c[4:6]), int(c[6:]))
        if g["m2"]:
            d = _dt.date(year, int(g["m2"]), int(g["d2"]))
            if after is not None and d < after:          # 12月31日至1月2日: into the next year
                d = _dt.date(year + 1, d.month, d.day)
            return d
        if after is None:
            raise HolidayFileError(f"{here}“{m.group(0).strip()}”缺少月份")
        d = _dt.date(after.year, after.month, int(g["d3"]))
        return d if d >= after else _dt.date(after.year + (after.month == 12), after.month % 12 + 1, d.day)
    except ValueError:
        raise HolidayFileError(f"{here}日期“{m.group(0).strip()}”不存在") from None


def _spans(line: str, year: int, here: str) -> list[tuple]:
    """A line in words → (first day, last day, 放假 / 上班, name) for each date or span it names."""
    text = _norm(line)
    lead = _LEAD.match(text)
    name = (lead.group("name") or "").strip() if lead else ""
    body = _BRACKETS.sub(" ", text[lead.end():] if lead else text)
    out: list[tuple] = []
    pending: list[list] = []           # [first, last] spans waiting for their kind
    joined = seen_date = False
    tail_from = 0
    for m in _TOKEN.finditer(body):
        if m.group("sep"):
            joined = bool(pending)
            continue
        if m.group("kind"):
            if not pending:
                continue                   # "放假调休，共3天" after its dates were taken
            kind = next(k for w, k in _KIND_WORDS if w == m.group("kind"))
            out.extend([a, b, kind] for a, b in pending)
            pending, joined, tail_from = [], False, m.end()
            continue
        prev = pending[-1][1] if joined and pending else None
        if m.group("d3") and prev is None:
            continue                       # "3日" that is no date of a span (never alone)
        seen_date = True
        d = _to_date(m, year, here, prev)
        if joined and pending:
            pending[-1][1] = d
        else:
            pending.append([d, d])
        joined = False
    if not seen_date:
        return []                          # the notice's prose (its title, its closing words): no day in it
    if pending:
        raise HolidayFileError(f"{here}没有写明是放假还是上班：{line.strip()}")
    tail = body[tail_from:].strip(" ,，。;；、")
    if not name and tail and not re.search(r"\d", tail) and len(tail) <= 12:
        name = tail                        # 2027-10-01 至 2027-10-07 放假 国庆节
    return [(a, b, kind, name or None) for a, b, kind in out]


def read_schedule(path: str | Path, year: int | None = None) -> Parsed:
    path = Path(path)
    rows = read_rows(path)
    year = year or guess_year(rows)
    if year is None:
        raise HolidayFileError(f"从“{path.name}”看不出是哪一年的安排：请用 --year 指明年份，或把日期写全（如 2027-01-01）")
    return parse_rows(rows, year, f"“{path.name}”")


# -- storing it and what follows ------------------------------------------------------------
@dataclass
class DeadlineChange:
    case_id: int
    case_no: str
    old: str
    new: str


@dataclass
class ImportResult:
    year: int
    holidays: int
    workdays: int
    replaced: bool                     # the year had an entry of the office's before
    changed: list[DeadlineChange]
    kept_by_hand: int                  # open cases whose deadline was set by hand: left alone
    open_cases: int
    dry_run: bool = False

    def to_json(self) -> dict:
        return {"year": self.year, "holidays": self.holidays, "workdays": self.workdays,
                "replaced": self.replaced, "deadlines_changed": len(self.changed),
                "kept_by_hand": self.kept_by_hand, "open_cases": self.open_cases, "dry_run": self.dry_run,
                "changes": [{"case_no": c.case_no, "old": c.old, "new": c.new} for c in self.changed]}


class _DryRun(Exception):
    pass


def reason_for(year: int) -> str:
    return f"按{year}年节假日安排重算办结时限"


def import_schedule(store, parsed: Parsed, today: _dt.date, dry_run: bool = False) -> ImportResult:
    """Store the year's schedule (the office's entry, as the 节假日安排 tab does) and move the
    deadline of every open case that followed the old calendar to what the new one gives, each
    through ``CaseService.update`` with the reason ``按YYYY年节假日安排重算办结时限``. A deadline
    that does not match the rule under the old calendar was set by hand and is left as it is.
    One transaction: all or nothing; with ``dry_run`` it is rolled back and only counted."""
    from models.cases import CaseService, compute_deadline, load_calendar
    from models.ledgers.cases import closed_sql
    from models.rules.workdays import schedule_to_text
    year = parsed.year
    canonical = schedule_to_text(parsed.schedule)
    replaced = bool(store.scalar("SELECT COUNT(*) FROM calendar_year WHERE year = ?", (year,), 0))
    result: ImportResult | None = None
    try:
        with store.tx(reason=reason_for(year)):
            old_cal = load_calendar(store)
            store.execute("INSERT INTO calendar_year(uuid, year, schedule_text, updated_at) "
                          "VALUES (qq_uuid(), ?, ?, qq_now()) ON CONFLICT(year) DO UPDATE SET "
                          "schedule_text = excluded.schedule_text, updated_at = excluded.updated_at",
                          (year, canonical))
            new_cal = load_calendar(store)
            rows = store.query(
                "SELECT t.id, t.case_no, t.registered_on, t.deadline_days, t.deadline FROM case_record t "
                f"WHERE t.deleted_at IS NULL AND {closed_sql('t', closed=False)} "
                "AND t.registered_on IS NOT NULL AND t.deadline_days > 0 ORDER BY t.case_no")
            svc = CaseService(store, today=today, cal=new_cal)
            svc.source = "节假日安排"
            changed, by_hand = [], 0
            for r in rows:
                before = compute_deadline(old_cal, r["registered_on"], r["deadline_days"])
                after = compute_deadline(new_cal, r["registered_on"], r["deadline_days"])
                if r["deadline"] and r["deadline"] != before:
                    by_hand += 1
                    continue
                if after != r["deadline"]:
                    svc.update(r["id"], {"deadline": after}, reason_for(year))
                    changed.append(DeadlineChange(r["id"], r["case_no"], r["deadline"] or "", after))
            result = ImportResult(year, len(parsed.schedule.holidays), len(parsed.schedule.workdays), replaced,
                                  changed, by_hand, len(rows), dry_run)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    assert result is not None
    return result


def years(store, around: tuple[int, int] | None = None) -> list[dict]:
    """Each year the office entered, and the years ``around`` (the campaign's), with the source of
    its holidays: 用户录入, 内置 (the library's), or None (only weekends known)."""
    from models.cases import load_calendar
    cal = load_calendar(store)
    entered = {r["year"]: r["updated_at"] for r in store.query("SELECT year, updated_at FROM calendar_year")}
    wanted = set(entered)
    if around:
        wanted |= set(range(around[0], around[1] + 1))
    out = []
    for y in sorted(wanted):
        sch = cal.schedule_for(y)
        out.append({"year": y, "source": cal.source_of(y), "updated_at": entered.get(y, ""),
                    "holidays": len(sch.holidays) if sch else 0, "workdays": len(sch.workdays) if sch else 0})
    return out


def import_text(store, year: int, text: str, today: _dt.date) -> ImportResult:
    """The 节假日安排 tab's text for ``year`` (``parse_schedule_text``'s format, or the notice's
    sentences this module reads), stored with the open cases' deadlines recomputed, as the
    command line does. For the window's 保存该年安排."""
    rows = [[line] for line in text.splitlines()]
    return import_schedule(store, parse_rows(rows, year, f"{year}年安排"), today)
