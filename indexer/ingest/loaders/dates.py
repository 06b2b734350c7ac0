"""Dates as written in Chinese news: ``2025年3月6日 下午2:15``, ``2025-03-06 14:15``, ISO 8601, unix time.

:func:`parse_date` reads a whole value (a JSON field, a metadata line's value); :func:`find_date` and
:func:`search_date` find the first full date (year, month and day) inside a longer line; :func:`parse_dateline`
reads a news agency's dateline (``新华社北京4月12日电``, ``中央社記者陳怡君台北2024年10月1日電``). None of them raises.
Naive times are China time (``CHINA_TZ``); a value without a time of day stays a :class:`~datetime.date`.
Traditional characters are read like simplified ones (``下午2時15分``, ``週四``): text is folded with
:func:`indexer.normalize.t2s`, which keeps every character at its offset.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone

from indexer.articles import CHINA_TZ
from indexer.normalize import t2s

#: Years outside this range are taken as junk (and would overflow UTC conversion near year 1 or 9999).
MIN_YEAR, MAX_YEAR = 1000, 2999

_WIDE = str.maketrans("０１２３４５６７８９：－／．＋　", "0123456789:-/.+ ")
_CN_DIGIT = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_RUN = re.compile("[〇○零一二三四五六七八九十]+")

_PM = {"下午", "午后", "晚上", "晚间", "傍晚", "夜间", "pm", "p.m."}
_AM = {"上午", "凌晨", "早上", "早晨", "清晨", "am", "a.m."}  # 中午 is handled on its own

_TIME = r"""
    (?:[\sT,，]*
       (?P<ampm>上午|下午|中午|午后|晚上|晚间|傍晚|夜间|凌晨|早上|早晨|清晨)?\s*
       (?P<H>\d{1,2})\s*(?::|时|点)\s*(?:(?P<M>\d{1,2})\s*分?)?
       (?:\s*[:]\s*(?P<S>\d{1,2})(?:[.,]\d+)?|\s*(?P<S2>\d{1,2})\s*秒)?
       (?:\s*(?P<ampm2>[ap]\.?m\.?))?
       \s*(?P<tz>Z|[+-]\d{1,2}(?::?\d{2})?|(?:UTC|GMT)\s*[+-]\d{1,2}(?::?\d{2})?|UTC|GMT|[(（]?北京时间[)）]?)?
    )?
"""
_DAY = r"""
    (?P<y>\d{4})\s*
    (?:年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*[日号]?
      |(?P<sep>[-/.])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2}))
"""
_WEEKDAY = r"(?:\s*[(（]?(?:星期|周|礼拜)[一二三四五六日天1-7][)）]?)?"
_FULL = re.compile(_DAY + _WEEKDAY + _TIME + _WEEKDAY, re.VERBOSE | re.IGNORECASE)
_SEARCH = re.compile(r"(?<!\d)" + _DAY + r"(?!\d)" + _WEEKDAY + _TIME, re.VERBOSE | re.IGNORECASE)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:[T\s]?(\d{2})(\d{2})(\d{2})?)?")


def parse_date(text: object) -> datetime | date | None:
    """Read a date or date-time value; ``None`` when it is not one (never raises).

    Accepts ISO 8601 (with or without offset/``Z``), ``2025-03-06 14:15``, ``2025/3/6``, ``2025.03.06``,
    ``2025年3月6日 下午2:15`` (also with 星期/周 and Chinese numerals), ``20250306``, and unix timestamps in
    seconds or milliseconds (ints, floats, or 10/13-digit strings).
    """
    try:
        return _parse(text)
    except (ValueError, OverflowError, TypeError, OSError):
        return None


def find_date(text: str) -> datetime | date | None:
    """The first full date (with year, month and day, and its time if given) inside ``text``, or ``None``."""
    found = search_date(text)
    return found[0] if found else None


def search_date(text: str) -> tuple[datetime | date, int, int] | None:
    """Like :func:`find_date`, with the start and end of the date in ``text`` (Arabic digits only)."""
    for match in _SEARCH.finditer(t2s(text).translate(_WIDE)):
        try:
            value = _from_match(match)
        except (ValueError, OverflowError):
            continue
        if value is not None:
            return value, match.start(), match.end()
    return None


#: News agencies whose datelines are read (folded to simplified); other names ending in 网/社/报 are read too.
_AGENCIES = (
    "新华社", "新华网", "中新社", "中新网", "中国新闻网", "中央社", "中央通讯社", "人民网", "人民日报", "央视网",
    "央视新闻", "央广网", "中国日报网", "光明网", "环球网", "澎湃新闻", "中通社", "法新社", "路透社", "美联社",
    "共同社", "韩联社", "本报", "本网", "本台", "本刊",
)  # fmt: skip
_DATELINE = re.compile(
    r"""[（(【\[]?\s*
    (?:[（(]\s*(?:特派|实习|本报|本网)?记者[^）)\d]{0,20}[）)]\s*)?   # （记者 张三）人民网北京3月5日电
    (?:据\s*)?
    (?:"""
    + "|".join(_AGENCIES)
    + r"""|[\u4e00-\u9fff]{1,8}[网社报])
    [^\d。，,；;：:！!？?“”"]{0,30}?                                 # reporters and place: 记者陈怡君台北
    (?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]
    \s*(?:专电|电(?![话视影脑子力器商动信网池站])|讯(?!息)|消息|报道|报导)""",
    re.VERBOSE,
)
_DATELINE_MAX = 80
#: A dateline without a year takes the year of a date the page gives elsewhere when it falls this close to it.
_NEAR_DAYS = 62
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/_]?(\d{2})[-/_]?(\d{2})(?!\d)")


def parse_dateline(text: str, near: date | datetime | None = None) -> date | None:
    """The date of the news agency dateline ``text`` starts with, else ``None``: an agency (新华社, 中新社, 中央社,
    人民网, 央视网, 本报, ...), reporters' names and a place, the date, then 电/讯/消息/报道. ``新华社北京2025年4月12日电``,
    ``（中央社記者陳怡君台北2024年10月1日電）``, ``（记者 张三）人民网北京3月5日电``. A dateline without a year takes
    it from ``near`` (another date the page gives) when the day falls within two months of it; without ``near``,
    ``None``. A dateline without month and day (``本報訊``) gives ``None``."""
    match = _DATELINE.match(t2s(text[:_DATELINE_MAX]).translate(_WIDE))
    if match is None:
        return None
    month, day = int(match["m"]), int(match["d"])
    if match["y"]:
        return _day_or_none(int(match["y"]), month, day)
    if near is None:
        return None
    reference = near.date() if isinstance(near, datetime) else near
    for year in (reference.year, reference.year - 1, reference.year + 1):
        candidate = _day_or_none(year, month, day)
        if candidate is not None and abs((candidate - reference).days) <= _NEAR_DAYS:
            return candidate
    return None


def date_in_url(url: str) -> date | None:
    """The day an article url is filed under (``/n1/2025/0305/c1001-1.html``, ``/20250305/``, ``/2025-03/05/``)."""
    for match in _URL_DATE.finditer(url):
        found = _day_or_none(*(int(part) for part in match.groups()))
        if found is not None:
            return found
    return None


def _day_or_none(year: int, month: int, day: int) -> date | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if MIN_YEAR <= year <= MAX_YEAR else None


def _parse(value: object) -> datetime | date | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_timestamp(value)
    if not isinstance(value, str):
        return None
    s = value.strip()
    n = len(s)
    if n < 6:
        return None
    # Fast paths for the common machine-written forms (the xwlb corpus is "2012-07-01 19:00:00").
    if s[4:5] == "-" and s[7:8] == "-":
        if n == 10:
            return _checked(date.fromisoformat(s))
        if n >= 13 and s[10] in " T":
            try:
                return _checked(_aware(datetime.fromisoformat(s)))
            except ValueError:
                pass  # e.g. "+8" offsets or trailing words: the general parser below
    if s.isdigit():
        if n in (10, 13):
            return _from_timestamp(int(s))
        match = _COMPACT.fullmatch(s)
        return _from_compact(match) if match else None
    s = _normalise(s)
    match = _FULL.fullmatch(s)
    if match:
        return _from_match(match)
    match = _COMPACT.fullmatch(s)
    return _from_compact(match) if match else None


def _normalise(text: str) -> str:
    text = t2s(text).translate(_WIDE)
    if "年" in text and _CN_RUN.search(text):
        text = _CN_RUN.sub(_cn_number, text)
    return text


def _cn_number(match: re.Match[str]) -> str:
    run = match.group()
    if "十" not in run:
        return "".join(str(_CN_DIGIT[ch]) for ch in run)
    tens, _, ones = run.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return run
    return str((_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0))


def _from_match(match: re.Match[str]) -> datetime | date | None:
    g = match.groupdict()
    year = int(g["y"])
    month = int(g["m1"] or g["m2"])
    day = int(g["d1"] or g["d2"])
    if g["H"] is None:
        return _checked(date(year, month, day))
    hour, minute = int(g["H"]), int(g["M"] or 0)
    second = int(g["S"] or g["S2"] or 0)
    marker = (g["ampm"] or g["ampm2"] or "").lower()
    if marker in _PM and hour < 12:
        hour += 12
    elif marker == "中午" and hour < 11:  # 中午12:30 is 12:30, 中午1:00 is 13:00
        hour += 12
    elif marker in _AM and hour == 12:
        hour = 0
    return _checked(datetime(year, month, day, hour, minute, second, tzinfo=_tz(g["tz"])))


def _tz(text: str | None) -> timezone:
    if not text or "北京时间" in text:
        return CHINA_TZ
    text = text.upper().replace("UTC", "").replace("GMT", "").replace(":", "").strip()
    if text in ("", "Z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:]
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 14 or minutes > 59:
        raise ValueError(f"bad offset {text}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _from_compact(match: re.Match[str]) -> datetime | date | None:
    year, month, day, hour, minute, second = (int(x) if x else None for x in match.groups())
    if hour is None:
        return _checked(date(year, month, day))
    return _checked(datetime(year, month, day, hour, minute or 0, second or 0, tzinfo=CHINA_TZ))


def _from_timestamp(value: float) -> datetime | None:
    if not math.isfinite(value) or value < 0:
        return None
    if value >= 1e11:  # milliseconds (1e11 seconds would be the year 5138)
        value /= 1000
    return _checked(datetime.fromtimestamp(value, tz=CHINA_TZ))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=CHINA_TZ)


def _checked(value: datetime | date | None) -> datetime | date | None:
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    return value
