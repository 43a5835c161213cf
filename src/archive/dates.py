"""Gregorian and Solar Hijri date text -> datetime.date, and date bounds for queries.

Pure Python plus jdatetime; no heavy imports (the query path uses it).

Rules shared by every function here:
- Persian (۰-۹), Arabic-Indic (٠-٩) and ASCII digits are equivalent.
- Arabic ي/ك/ى, alef variants, ZWNJ, tatweel and diacritics inside month names are ignored.
- A numeric year below 1700 is Solar Hijri (Jalali); 1700 and above is Gregorian.
- Impossible dates (month 13, day 32, Esfand 30 in a common year) are rejected, never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Iterator
from functools import cache
from typing import NamedTuple

import jdatetime  # ~15 ms to import (measured with -X importtime), fine for the query path

from archive.errors import DateFormatError

__all__ = [
    "find_date",
    "format_jalali",
    "gregorian_to_jalali",
    "iter_dates",
    "jalali_to_gregorian",
    "parse_date_bound",
    "parse_date_value",
    "to_jalali",
]

JALALI_LIMIT = 1700  # a year below this is Solar Hijri

# One-to-one character folding, so that offsets in the folded text map straight back.
_FOLD = str.maketrans(
    {
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
        "\u064a": "\u06cc",  # Arabic yeh -> Persian yeh
        "\u0649": "\u06cc",  # alef maksura -> Persian yeh
        "\u0643": "\u06a9",  # Arabic kaf -> Persian keheh
        "\u0622": "\u0627",  # alef with madda -> alef (آبان / ابان)
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0626": "\u06cc",  # yeh with hamza (ژوئن / ژوین)
        "\u06c0": "\u0647",  # heh with yeh above
        "\u0629": "\u0647",  # teh marbuta
        "\u060c": ",",  # Arabic comma
        "\u066b": ".",  # Arabic decimal separator
        "\u00a0": " ",
        "\u202f": " ",
    }
)
# Characters dropped before matching: ZWNJ/ZWJ, tatweel, harakat, superscript alef, marks.
_DROP_RE = re.compile("[\u200c\u200d\u200e\u200f\u0640\u064b-\u065f\u0670\u0654\u0655]")

_MONTHS_EN = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
# Solar Hijri months in Latin script, as English-language Iranian media write them.
_MONTHS_LATIN_JALALI = {
    "farvardin": 1, "ordibehesht": 2, "khordad": 3, "tir": 4, "mordad": 5, "amordad": 5,
    "shahrivar": 6, "mehr": 7, "aban": 8, "azar": 9, "dey": 10, "dei": 10, "bahman": 11,
    "esfand": 12, "isfand": 12,
}  # fmt: skip
_MONTHS_LATIN = {**_MONTHS_EN, **_MONTHS_LATIN_JALALI}
# Gregorian month names in Persian script, as BBC Persian and Iranian press write them.
# Spelled here in folded form (no hamza seat, plain alef, Persian yeh/kaf).
_MONTHS_FA_GREG = {
    "ژانویه": 1, "فوریه": 2, "فبریه": 2, "مارس": 3, "اوریل": 4, "اپریل": 4,
    "مه": 5, "می": 5, "ژوین": 6, "جون": 6, "ژوییه": 7, "جولای": 7, "ژولای": 7,
    "اوت": 8, "اگوست": 8, "اگست": 8, "سپتامبر": 9, "اکتبر": 10, "نوامبر": 11,
    "دسامبر": 12,
}  # fmt: skip
# Gregorian month names in Arabic: the Egyptian/Gulf forms (youm7, Al Jazeera) and the
# Levantine (Syriac) ones (Al-Alam, Lebanese and Syrian press); folded below like the text.
_MONTHS_AR_GREG = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "إبريل": 4, "مايو": 5, "يونيو": 6,
    "يونيه": 6, "يوليو": 7, "يوليه": 7, "أغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "نوفمبر": 11,
    "ديسمبر": 12, "كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5,
    "حزيران": 6, "تموز": 7, "آب": 8, "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11,
    "كانون الأول": 12,
}  # fmt: skip
_MONTHS_FA_GREG.update({name.translate(_FOLD): month for name, month in _MONTHS_AR_GREG.items()})
_MONTHS_FA_JALALI = {
    "فروردین": 1, "اردیبهشت": 2, "خرداد": 3, "تیر": 4, "مرداد": 5, "امرداد": 5,
    "شهریور": 6, "مهر": 7, "ابان": 8, "اذر": 9, "دی": 10, "بهمن": 11, "اسفند": 12,
    # Afghan (Dari) zodiac months of the same solar calendar: Hamal = Farvardin ...
    "حمل": 1, "ثور": 2, "جوزا": 3, "جوزاء": 3, "سرطان": 4, "اسد": 5, "سنبله": 6,
    "میزان": 7, "عقرب": 8, "قوس": 9, "جدی": 10, "دلو": 11, "حوت": 12,
}  # fmt: skip

_JALALI_NAMES = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
                 "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")  # fmt: skip
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _alternation(names: object) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))  # type: ignore[call-overload]


_EN = _alternation(_MONTHS_LATIN)
_EN_INITIALS = "".join(sorted({name[0] for name in _MONTHS_LATIN}))
_FA_ALL = _alternation({**_MONTHS_FA_JALALI, **_MONTHS_FA_GREG})
_FA_JALALI = _alternation(_MONTHS_FA_JALALI)
_FA_INITIALS = "".join(sorted({name[0] for name in _MONTHS_FA_JALALI}))
_DAY = r"(?<![0-9])(?P<{}>[0-3]?[0-9])"
_YEAR = r"(?P<{}>[0-9]{{4}})(?![0-9])"
_ORD = r"(?:st|nd|rd|th)?"
_LETTER = r"[^\W\d_]"
# "بهمن", "بهمن ماه", "بهمن‌ماه" (ZWNJ already dropped), then no further letter
_MAH = rf"(?:\s*ماه)?(?!{_LETTER})"

# Order matters only for which alternative wins at the same start position. Compiled when
# first used (`_date_re`): ~10 ms, which extraction needs and a query (the Solar Hijri date of
# a hit, --from/--to) does not.
_DATE_PATTERN = (
    "|".join(
        [
            # 1 February 2025, 1st of Feb. 2025, 1-Feb-2025, 7. Jun 2017 (day-first dot)
            _DAY.format("d1") + r"(?:st|nd|rd|th|\.)?(?:\s+of)?(?:\s+|\s*-\s*)"
            rf"(?P<m1>{_EN})(?![a-z])\.?(?:\s*,\s*|\s+|\s*-\s*)" + _YEAR.format("y1"),
            # February 1, 2025 / Feb. 1 2025
            rf"(?=[{_EN_INITIALS}])(?<![a-z])(?P<m2>{_EN})\.?\s+"
            + _DAY.format("d2")
            + _ORD
            + r"(?:\s*,\s*|\s+)"
            + _YEAR.format("y2"),
            # ۱۲ بهمن ۱۴۰۳, ۱ فوریه ۲۰۲۵, ۱۲ بهمن ماه ۱۴۰۳, 28 آب/أغسطس 2013 (Levantine name
            # with the Egyptian one beside it: the first is read)
            _DAY.format("d3")
            + rf"\s*(?P<m3>{_FA_ALL}){_MAH}(?:\s*[/(]\s*(?:{_FA_ALL})\s*\)?)?\s*,?\s*"
            + _YEAR.format("y3"),
            # دلو ۰۱, ۱۴۰۳ (VOA Dari), بهمن ۱۲، ۱۴۰۳; only solar month names in this order,
            # because "می ۱۲" is far more often a verb prefix than the month May.
            rf"(?=[{_FA_INITIALS}])(?<!{_LETTER})(?P<m4>{_FA_JALALI}){_MAH}\s*"
            + _DAY.format("d4")
            + r"(?:\s*,\s*|\s+)"
            + _YEAR.format("y4"),
            # 2025-02-01, 2025/02/01, ۱۴۰۲/۰۸/۰۵
            r"(?<![0-9])(?P<y5>[0-9]{4})(?P<s5>[-/.])(?P<m5>[0-9]{1,2})(?P=s5)"
            r"(?P<d5>[0-9]{1,2})(?![0-9])",
            # ۰۵/۰۸/۱۴۰۲: day-first numeric only with a Solar Hijri year (unambiguous there)
            r"(?<![0-9])(?P<d6>[0-9]{1,2})(?P<s6>[-/.])(?P<m6>[0-9]{1,2})(?P=s6)"
            r"(?P<y6>1[2-6][0-9]{2})(?![0-9.])",
        ]
    )
)


@cache
def _date_re() -> re.Pattern[str]:
    return re.compile(_DATE_PATTERN, re.IGNORECASE)


def _fold(text: str) -> tuple[str, list[int]]:
    """Fold digits and letter variants; return the text and the adjusted removal positions."""
    removed = [m.start() for m in _DROP_RE.finditer(text)]
    if removed:
        text = _DROP_RE.sub("", text)
    # adjust[k]: where the k-th removed character would sit in the folded text
    return text.translate(_FOLD), [pos - k for k, pos in enumerate(removed)]


def _original_offset(adjust: list[int], index: int) -> int:
    return index + bisect_right(adjust, index) if adjust else index


def jalali_to_gregorian(year: int, month: int, day: int) -> dt.date:
    """Convert a Solar Hijri date to Gregorian.

    Raises:
        ValueError: the Solar Hijri date does not exist (e.g. Esfand 30 in a common year).
    """
    return jdatetime.date(year, month, day).togregorian()  # type: ignore[no-any-return]


def gregorian_to_jalali(date: dt.date) -> tuple[int, int, int]:
    """Return the Solar Hijri (year, month, day) of a Gregorian date.

    Raises:
        ValueError: the date is before 622 CE (Solar Hijri year 1) or after year 9377 AP.
    """
    j = jdatetime.date.fromgregorian(date=date)
    return j.year, j.month, j.day


def _make_date(year: int, month: int, day: int, calendar: str | None = None) -> dt.date | None:
    """Return the date, choosing the calendar by year unless given; None if impossible."""
    if calendar is None:
        calendar = "jalali" if year < JALALI_LIMIT else "gregorian"
    try:
        if calendar == "jalali":
            if not 1200 <= year < JALALI_LIMIT:
                return None
            return jalali_to_gregorian(year, month, day)
        if not JALALI_LIMIT <= year <= 2999:
            return None
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date_from_match(m: re.Match[str]) -> dt.date | None:
    groups = m.groupdict()
    if groups["m1"] or groups["m2"]:
        i = "1" if groups["m1"] else "2"
        name = groups["m" + i].lower()
        calendar = "jalali" if name in _MONTHS_LATIN_JALALI else "gregorian"
        return _make_date(int(groups["y" + i]), _MONTHS_LATIN[name], int(groups["d" + i]), calendar)
    if groups["m3"] or groups["m4"]:
        i = "3" if groups["m3"] else "4"
        name = groups["m" + i]
        if name in _MONTHS_FA_JALALI:
            calendar, month = "jalali", _MONTHS_FA_JALALI[name]
        else:
            calendar, month = "gregorian", _MONTHS_FA_GREG[name]
        return _make_date(int(groups["y" + i]), month, int(groups["d" + i]), calendar)
    i = "5" if groups["y5"] else "6"
    return _make_date(int(groups["y" + i]), int(groups["m" + i]), int(groups["d" + i]))


def iter_dates(text: str) -> Iterator[tuple[dt.date, int, int]]:
    """Yield each date written in `text` as (Gregorian date, start, end), in order.

    Offsets index the original `text` (text[start:end] is the date as written). Matches that
    name an impossible date are skipped.
    """
    for window_start, window_end in _year_windows(text):
        # one character of left context for the lookbehinds at the window start
        left = max(0, window_start - 1)
        folded, adjust = _fold(text[left:window_end])
        begin = window_start - left
        for m in _date_re().finditer(folded, begin):
            date = _date_from_match(m)
            if date is not None:
                start = left + _original_offset(adjust, m.start())
                end = left + _original_offset(adjust, m.end() - 1) + 1
                yield date, start, end


# Every date form has a four-digit year; the regex runs only near one. A match may start at
# most this many characters before its year ("1st of September, 2025" is 22; ZWNJ and
# diacritics count here) ...
_BEFORE_YEAR = 64
# ... and end at most this many after it ("2025-02-01" is 6, plus lookahead room).
_AFTER_YEAR = 10


def _year_windows(text: str) -> Iterator[tuple[int, int]]:
    """Yield disjoint (start, end) spans of `text` around four-digit numbers, in order."""
    current: list[int] | None = None
    for m in _value_patterns().digits.finditer(text):
        if m.end() - m.start() != 4:
            continue
        start = max(0, m.start() - _BEFORE_YEAR)
        end = min(len(text), m.end() + _AFTER_YEAR)
        if current is not None and start <= current[1]:
            current[1] = end
            continue
        if current is not None:
            yield current[0], current[1]
        current = [start, end]
    if current is not None:
        yield current[0], current[1]


def find_date(text: str) -> dt.date | None:
    """Return the first date written in `text`, in either calendar, any digits; None if none."""
    for date, _start, _end in iter_dates(text):
        return date
    return None


_TIME = (
    r"(?:[T ]+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?"
    r"\s*(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?|UTC|GMT)?"
    # ISO 8601 basic format: 20180619T055000+0900
    r"|T[0-9]{4}(?:[0-9]{2}(?:[.,][0-9]+)?)?(?:Z|[+-][0-9]{2}(?:[0-9]{2})?)?)?"
)


class _ValuePatterns(NamedTuple):
    """The patterns only extraction uses (a query reads dates only with --from/--to, and a
    hit's Solar Hijri date needs none): ~2.3 ms of compiling, done when first used."""

    iso: re.Pattern[str]
    rfc: re.Pattern[str]
    ctime: re.Pattern[str]  # Unix `date` and C ctime(): "Tue Nov 19 21:57:01 UTC 2019"
    time_noise: re.Pattern[str]
    digits: re.Pattern[str]


@cache
def _value_patterns() -> _ValuePatterns:
    return _ValuePatterns(
        iso=re.compile(
            r"(?P<y>[0-9]{4})(?P<s>[-/]?)(?P<m>[0-9]{2})(?P=s)(?P<d>[0-9]{2})" + _TIME,
            re.IGNORECASE,
        ),
        rfc=re.compile(
            r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s*)?(?P<d>[0-9]{1,2})\s+(?P<m>[a-z]{3,9})"
            r"\.?\s+(?P<y>[0-9]{4})(?:\s+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?"
            r"(?:\s*(?:[+-][0-9]{4}|[a-z]{1,5}))?)?",
            re.IGNORECASE,
        ),
        ctime=re.compile(
            r"(?:[a-z]{3},?\s+)?(?P<m>[a-z]{3})\s+(?P<d>[0-9]{1,2})\s+[0-9]{1,2}:[0-9]{2}"
            r"(?::[0-9]{2})?\s+(?:[a-z]{2,5}\s+)?(?P<y>[0-9]{4})",
            re.IGNORECASE,
        ),
        time_noise=re.compile(
            r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?|[+-][0-9]{2}:?[0-9]{2}(?![0-9])"
        ),
        digits=re.compile("[0-9\u06f0-\u06f9\u0660-\u0669]+"),
    )


def parse_date_value(value: str) -> dt.date | None:
    """Parse a machine date (ISO 8601 with or without time/zone, as in JSON-LD or meta tags).

    Also takes RFC 2822 (`Sat, 01 Feb 2025 10:00:00 GMT`), `20250201`, `2025/02/01`, and
    falls back to a written date filling the whole value (`1 February 2025`). The date is
    the one written: `2025-02-01T01:00:00+03:30` is 2025-02-01, not shifted to UTC. A year
    below 1700 is Solar Hijri (some Iranian sites put Jalali dates in their metadata).

    Returns:
        The Gregorian date, or None when the value is not a date.
    """
    if not isinstance(value, str):
        return None
    folded, _ = _fold(value.strip())
    if not folded or len(folded) > 80:
        return None
    patterns = _value_patterns()
    m = patterns.iso.fullmatch(folded)
    if m:
        return _make_date(int(m["y"]), int(m["m"]), int(m["d"]))
    m = patterns.rfc.fullmatch(folded)
    if m:
        month = _MONTHS_EN.get(m["m"].lower())
        return _make_date(int(m["y"]), month, int(m["d"]), "gregorian") if month else None
    m = patterns.ctime.fullmatch(folded)
    if m:
        month = _MONTHS_EN.get(m["m"].lower())
        return _make_date(int(m["y"]), month, int(m["d"]), "gregorian") if month else None
    value = value.strip()
    found = list(iter_dates(value))
    if len(found) == 1:
        date, start, end = found[0]
        if _is_date_noise(value[:start] + " " + value[end:]):
            return date
    return None


# Words that may surround a date in a metadata value without making it something else.
_NOISE_WORDS = frozenset(
    "mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday "
    "saturday sunday am pm a m p gmt utc z at on of published updated posted modified date "
    "last first time "
    "شنبه یکشنبه دوشنبه سه سهشنبه چهارشنبه پنجشنبه جمعه تاریخ انتشار ساعت منتشر شده "
    "بهروزرسانی روز".split()
)


def _is_date_noise(rest: str) -> bool:
    """Tell whether the text around a date holds only weekdays, times, zones and labels."""
    folded = _value_patterns().time_noise.sub(" ", _fold(rest)[0])
    for token in re.findall(r"[^\W_]+", folded):
        if token.lower() in _NOISE_WORDS:
            continue
        if token.isascii() and token.isalpha() and token.isupper() and 2 <= len(token) <= 5:
            continue  # a zone abbreviation: EST, IRST, CEST
        return False
    return True


def to_jalali(date: dt.date) -> str:
    """Return the Solar Hijri form "YYYY-MM-DD" (ASCII digits) of a Gregorian date.

    Raises:
        ValueError: outside the Solar Hijri range (see `gregorian_to_jalali`); dates found by
        this module always lie within it (Gregorian 1700-2999, Solar Hijri 1200-1699).
    """
    y, m, d = gregorian_to_jalali(date)
    return f"{y:04d}-{m:02d}-{d:02d}"


def format_jalali(date: dt.date) -> str:
    """Return a Persian display form, e.g. "۱۲ بهمن ۱۴۰۳"."""
    y, m, d = gregorian_to_jalali(date)
    return f"{d} {_JALALI_NAMES[m - 1]} {y}".translate(_PERSIAN_DIGITS)


_BOUND_RE = re.compile(
    r"(?P<y>[0-9]{4})(?:(?P<s>[-/.])(?P<m>[0-9]{1,2})(?:(?P=s)(?P<d>[0-9]{1,2}))?)?"
)
_BOUND_HELP = (
    "use YYYY, YYYY-MM or YYYY-MM-DD, Gregorian (2025-02-01) or Solar Hijri when the year "
    "is below 1700 (1403-11-12, ۱۴۰۳/۱۱/۱۲)"
)


def _month_span(year: int, month: int, jalali: bool) -> tuple[dt.date, dt.date] | None:
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    if jalali:
        start = _make_date(year, month, 1, "jalali")
        after = _make_date(ny, nm, 1, "jalali")
    else:
        start = _make_date(year, month, 1, "gregorian")
        after = dt.date(ny, nm, 1) if start and ny <= 9999 else None
    if start is None or after is None:
        return None
    return start, after - dt.timedelta(days=1)


def parse_date_bound(text: str) -> tuple[dt.date, dt.date]:
    """Return the inclusive Gregorian span of a user date: 2025, 2025-02, 1403-11-12, ۱۴۰۳/۱۱ ...

    A Solar Hijri month or year covers its true Gregorian span (1403-11 is 2025-01-20 to
    2025-02-18). A full written date such as `12 بهمن 1403` or `1 Feb 2025` is one day.

    Raises:
        DateFormatError: impossible or unrecognised input; the message says what is accepted.
    """
    raw = str(text).strip()
    folded, _ = _fold(raw)
    m = _BOUND_RE.fullmatch(folded)
    span: tuple[dt.date, dt.date] | None = None
    if m:
        year = int(m["y"])
        jalali = year < JALALI_LIMIT
        if m["d"] is not None:
            day = _make_date(year, int(m["m"]), int(m["d"]))
            span = (day, day) if day else None
        elif m["m"] is not None:
            span = _month_span(year, int(m["m"]), jalali) if 1 <= int(m["m"]) <= 12 else None
        else:
            first = _month_span(year, 1, jalali)
            last = _month_span(year, 12, jalali)
            span = (first[0], last[1]) if first and last else None
    elif raw:
        found = list(iter_dates(raw))
        if len(found) == 1 and found[0][1] == 0 and found[0][2] == len(raw):
            span = (found[0][0], found[0][0])
    if span is None:
        shown = raw if len(raw) <= 40 else raw[:37] + "..."
        raise DateFormatError(f"not a valid date: {shown!r}; {_BOUND_HELP}")
    return span
