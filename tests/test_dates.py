"""Dates in both calendars: written text, machine values, query bounds.

Reference pairs are published calendar facts (Nowruz days, the 22 Bahman anniversary,
Yalda), checked independently of jdatetime, plus a month-length walk from a Nowruz table.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.dates import (
    find_date,
    format_jalali,
    gregorian_to_jalali,
    iter_dates,
    jalali_to_gregorian,
    parse_date_bound,
    parse_date_value,
    to_jalali,
)
from archive.errors import DateFormatError, UsageError

D = dt.date
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

# (Solar Hijri y, m, d) -> Gregorian, from published calendars.
REFERENCE_PAIRS = [
    ((1357, 11, 22), D(1979, 2, 11)),  # Revolution anniversary, 22 Bahman 1357
    ((1398, 1, 1), D(2019, 3, 21)),  # Nowruz 1398
    ((1399, 1, 1), D(2020, 3, 20)),  # Nowruz 1399
    ((1399, 12, 30), D(2021, 3, 20)),  # 1399 is leap
    ((1402, 1, 1), D(2023, 3, 21)),  # Nowruz 1402
    ((1402, 12, 29), D(2024, 3, 19)),  # last day of common year 1402
    ((1403, 1, 1), D(2024, 3, 20)),  # Nowruz 1403
    ((1403, 3, 26), D(2024, 6, 15)),  # Saturday 26 Khordad 1403
    ((1403, 7, 1), D(2024, 9, 22)),  # first day of autumn
    ((1403, 9, 30), D(2024, 12, 20)),  # Yalda night
    ((1403, 10, 1), D(2024, 12, 21)),
    ((1403, 10, 30), D(2025, 1, 19)),  # month boundary
    ((1403, 11, 1), D(2025, 1, 20)),
    ((1403, 11, 12), D(2025, 1, 31)),
    ((1403, 12, 30), D(2025, 3, 20)),  # 1403 is leap: Esfand has 30 days
    ((1404, 1, 1), D(2025, 3, 21)),  # Nowruz 1404
]

# Gregorian date of 1 Farvardin, from published Nowruz tables.
NOWRUZ = {
    1398: D(2019, 3, 21),
    1399: D(2020, 3, 20),
    1400: D(2021, 3, 21),
    1401: D(2022, 3, 21),
    1402: D(2023, 3, 21),
    1403: D(2024, 3, 20),
    1404: D(2025, 3, 21),
    1405: D(2026, 3, 21),
}


def _reference_jalali(year: int, month: int, day: int) -> D:
    """Walk month lengths from Nowruz (first six months 31 days, next five 30)."""
    days_before = sum(31 if m <= 6 else 30 for m in range(1, month))
    return NOWRUZ[year] + dt.timedelta(days=days_before + day - 1)


@pytest.mark.parametrize(("jalali", "gregorian"), REFERENCE_PAIRS)
def test_reference_pairs_convert_both_ways(jalali, gregorian):
    assert jalali_to_gregorian(*jalali) == gregorian
    assert gregorian_to_jalali(gregorian) == jalali
    assert to_jalali(gregorian) == "{:04d}-{:02d}-{:02d}".format(*jalali)


@pytest.mark.parametrize("year", sorted(set(NOWRUZ) - {max(NOWRUZ)}))
def test_every_day_of_a_year_matches_month_length_walk(year):
    for month in range(1, 13):
        for day in (1, 15, 29, 30, 31):
            if day == 31 and month > 6 or day == 30 and month == 12:
                continue
            assert jalali_to_gregorian(year, month, day) == _reference_jalali(year, month, day)
    last = NOWRUZ[year + 1] - dt.timedelta(days=1)
    assert gregorian_to_jalali(last)[:2] == (year, 12)


@pytest.mark.parametrize(
    ("year", "has_esfand_30"),
    [(1399, True), (1400, False), (1401, False), (1402, False), (1403, True), (1404, False)],
)
def test_esfand_30_only_in_leap_years(year, has_esfand_30):
    if has_esfand_30:
        assert jalali_to_gregorian(year, 12, 30) == NOWRUZ[year + 1] - dt.timedelta(days=1)
    else:
        with pytest.raises(ValueError):
            jalali_to_gregorian(year, 12, 30)


WRITTEN = [
    # English, Gregorian
    ("1 February 2025", D(2025, 2, 1)),
    ("February 1, 2025", D(2025, 2, 1)),
    ("Feb. 1, 2025", D(2025, 2, 1)),
    ("1 Feb 2025", D(2025, 2, 1)),
    ("1-Feb-2025", D(2025, 2, 1)),
    ("1st of March 2020", D(2020, 3, 1)),
    ("Sept 30, 2019", D(2019, 9, 30)),
    ("May 5th, 2024", D(2024, 5, 5)),
    ("29 February 2024", D(2024, 2, 29)),
    ("DECEMBER 31, 2024", D(2024, 12, 31)),
    ("2025-02-01", D(2025, 2, 1)),
    ("2025/02/01", D(2025, 2, 1)),
    ("2025.2.1", D(2025, 2, 1)),
    # Persian, Solar Hijri
    ("۱۲ بهمن ۱۴۰۳", D(2025, 1, 31)),
    ("١٢ بهمن ١٤٠٣", D(2025, 1, 31)),
    ("12 بهمن 1403", D(2025, 1, 31)),
    ("۱۲ بهمن‌ماه ۱۴۰۳", D(2025, 1, 31)),
    ("۱۲ بهمن ماه ۱۴۰۳", D(2025, 1, 31)),
    ("۱۲بهمن۱۴۰۳", D(2025, 1, 31)),
    ("بهمن ۱۲، ۱۴۰۳", D(2025, 1, 31)),
    ("۱۴۰۲/۰۸/۰۵", D(2023, 10, 27)),
    ("1402/8/5", D(2023, 10, 27)),
    ("۰۵/۰۸/۱۴۰۲", D(2023, 10, 27)),
    ("شنبه ۲۶ خرداد ۱۴۰۳ - ۰۹:۱۰", D(2024, 6, 15)),
    ("۵ اردیبهشت ۱۴۰۲", D(2023, 4, 25)),
    ("۵ ارديبهشت ۱۴۰۲", D(2023, 4, 25)),  # Arabic yeh
    ("۱۰ آبان ۱۴۰۲", D(2023, 11, 1)),
    ("۱۰ ابان ۱۴۰۲", D(2023, 11, 1)),
    ("۳ آذر ۱۴۰۰", D(2021, 11, 24)),
    ("۱۱ دی ۱۴۰۳", D(2024, 12, 31)),
    ("۱۲ مِهر ۱۴۰۳", D(2024, 10, 3)),  # kasra inside the month name
    ("۳۰ دی ۱۴۰۳", D(2025, 1, 19)),
    ("۱ بهمن ۱۴۰۳", D(2025, 1, 20)),
    ("۳۰ اسفند ۱۴۰۳", D(2025, 3, 20)),
    ("۱ امرداد ۱۴۰۳", D(2024, 7, 22)),
    # Dari (Afghan) solar month names, VOA Dari style "Month DD, YYYY"
    ("دلو ۰۱, ۱۴۰۳", D(2025, 1, 20)),
    ("جدی ۳۰, ۱۴۰۳", D(2025, 1, 19)),
    ("۱ حمل ۱۴۰۳", D(2024, 3, 20)),
    ("سرطان ۱۳, ۱۴۰۱", D(2022, 7, 4)),
    ("۲۰ جوزا ۱۴۰۲", D(2023, 6, 10)),
    ("حوت ۳۰, ۱۴۰۳", D(2025, 3, 20)),
    # Solar Hijri months in Latin script (English-language Iranian media)
    ("12 Bahman 1403", D(2025, 1, 31)),
    ("Dey 30, 1403", D(2025, 1, 19)),
    ("1 Farvardin 1404", D(2025, 3, 21)),
    ("30 Esfand 1403", D(2025, 3, 20)),
    ("26 Khordad 1403", D(2024, 6, 15)),
    # Gregorian months in Persian script (BBC Persian)
    ("۱ فوریه ۲۰۲۵", D(2025, 2, 1)),
    ("۱۵ ژانویه ۲۰۲۵", D(2025, 1, 15)),
    ("۱۰ ژوئن ۲۰۲۴", D(2024, 6, 10)),
    ("۴ ژوئیه ۲۰۲۳", D(2023, 7, 4)),
    ("۴ جولای ۲۰۲۳", D(2023, 7, 4)),
    ("۲۰ آگوست ۲۰۲۲", D(2022, 8, 20)),
    ("۲۰ اوت ۲۰۲۲", D(2022, 8, 20)),
    ("۱ مه ۲۰۲۱", D(2021, 5, 1)),
    ("۱ می ۲۰۲۱", D(2021, 5, 1)),
    ("۹ دسامبر ۲۰۱۹", D(2019, 12, 9)),
    ("۱ آوریل ۲۰۲۰", D(2020, 4, 1)),
    # Gregorian months in Arabic: Egyptian/Gulf and Levantine names, Arabic-Indic digits
    ("الأربعاء، 12 فبراير 2025 10:00 ص", D(2025, 2, 12)),
    ("٥ مايو ٢٠٢٤", D(2024, 5, 5)),
    ("9 يونيه 2019", D(2019, 6, 9)),
    ("12 تشرين الثاني 2023", D(2023, 11, 12)),
    ("15 كانون الأول 2020", D(2020, 12, 15)),
    ("1 آذار 2021", D(2021, 3, 1)),  # Levantine March, not the Persian month Azar
    ("3 آب 2022", D(2022, 8, 3)),
    ("الأربعاء، 28 آب/اغسطس 2013، آخر تحديث 14:00", D(2013, 8, 28)),  # CNN Arabic
    ("1 آذار (مارس) 2021", D(2021, 3, 1)),
    # the day-first ordinal dot of German, Nordic and Slavic usage
    ("7. Jun 2017, 11:19", D(2017, 6, 7)),
    ("19. July 2014", D(2014, 7, 19)),
]


@pytest.mark.parametrize(("text", "expected"), WRITTEN)
def test_find_date_in_written_forms(text, expected):
    assert find_date(text) == expected


@pytest.mark.parametrize(("text", "expected"), WRITTEN)
def test_find_date_inside_a_sentence_with_offsets(text, expected):
    sentence = f"Published: {text} | بازدید ۱۵۴"
    found = list(iter_dates(sentence))
    assert [d for d, _, _ in found] == [expected]
    _, start, end = found[0]
    assert find_date(sentence[start:end]) == expected
    assert start >= len("Published: ")


NO_DATE = [
    "",
    "nothing here",
    "view 280",
    "2025-13-01",  # month 13
    "2025-02-30",
    "32 January 2025",
    "30 اسفند 1402",  # 1402 is not leap
    "۳۱ مهر ۱۴۰۳",  # Mehr has 30 days
    "29 February 2025",
    "می‌روند ۱۲ ۱۴۰۳",  # verb prefix می, not the month May
    "۱۲ مهری ۱۴۰۳",
    "میزان ۱۲ درصد",  # Dari month name used as a word
    "1 February 25",  # two-digit year
    "12/02/2025",  # day-first or month-first? ambiguous, not guessed
    "version 1.2.3",
    "۱۲ بهمن ۲۰۲۵",  # Solar Hijri month with a Gregorian year
    "1 فوریه 1403",  # Gregorian month with a Solar Hijri year
    "12 Bahman 2025",  # Solar Hijri month with a Gregorian year
    "1 February 1403",  # Gregorian month with a Solar Hijri year
    "30 Esfand 1402",
    "Mehr 12 people in 1999",
]


@pytest.mark.parametrize("text", NO_DATE)
def test_no_date_found(text):
    assert find_date(text) is None


def test_iter_dates_yields_all_in_order_with_original_offsets():
    # ZWNJ and a diacritic before the dates shift offsets in the folded text
    text = "کتاب‌ها و مَقاله‌ها: از ۳۰ دی ۱۴۰۳ تا February 1, 2025 و 2025-02-10."
    found = list(iter_dates(text))
    assert [d for d, _, _ in found] == [D(2025, 1, 19), D(2025, 2, 1), D(2025, 2, 10)]
    assert [text[s:e] for _, s, e in found] == ["۳۰ دی ۱۴۰۳", "February 1, 2025", "2025-02-10"]


def test_iter_dates_offsets_cover_zwnj_inside_the_date():
    text = "تاریخ: ۱۲ بهمن‌ماه ۱۴۰۳ ساعت ۹"
    [(date, start, end)] = list(iter_dates(text))
    assert date == D(2025, 1, 31)
    assert text[start:end] == "۱۲ بهمن‌ماه ۱۴۰۳"


def test_find_date_returns_the_first_date():
    text = "Updated 3 March 2025. First published 1 February 2025."
    assert find_date(text) == D(2025, 3, 3)


MACHINE = [
    ("2025-02-01T10:00:00+03:30", D(2025, 2, 1)),
    ("2025-02-01T01:00:00+03:30", D(2025, 2, 1)),  # as written, not shifted to UTC
    ("20180619T055000+0900", D(2018, 6, 19)),  # ISO 8601 basic format (nikkei.com JSON-LD)
    ("20250201T2330Z", D(2025, 2, 1)),
    ("2025-02-01T23:30:00-05:00", D(2025, 2, 1)),
    ("2025-02-01T10:00:00Z", D(2025, 2, 1)),
    ("2025-02-01T10:00:00.000Z", D(2025, 2, 1)),
    ("2025-02-01 10:00", D(2025, 2, 1)),
    ("2025-02-01", D(2025, 2, 1)),
    ("  2025-02-01\n", D(2025, 2, 1)),
    ("20250201", D(2025, 2, 1)),
    ("2025/02/01", D(2025, 2, 1)),
    ("Sat, 01 Feb 2025 10:00:00 GMT", D(2025, 2, 1)),
    ("Sat, 1 Feb 2025 10:00:00 +0330", D(2025, 2, 1)),
    ("01 Feb 2025", D(2025, 2, 1)),
    ("۲۰۲۵-۰۲-۰۱T۱۰:۰۰:۰۰+۰۳:۳۰", D(2025, 2, 1)),
    ("1403-11-12T10:00:00+03:30", D(2025, 1, 31)),  # Jalali in metadata
    ("1 February 2025", D(2025, 2, 1)),
    ("Saturday, February 1, 2025", D(2025, 2, 1)),
    ("۱۲ بهمن ۱۴۰۳", D(2025, 1, 31)),
    # forms seen in real pages' meta tags (scrapinghub benchmark)
    ("November 20, 2019 13:42", D(2019, 11, 20)),
    ("Wednesday, November 20, 2019, 12:01 AM", D(2019, 11, 20)),
    ("November 19, 2019, 07:47 PM EST", D(2019, 11, 19)),
    ("Wed Nov 20 2019 09:28:00 GMT+0000 (UTC)", D(2019, 11, 20)),
    ("Tue Nov 19 21:57:01 UTC 2019", D(2019, 11, 19)),
    ("01:38:07 PM IST Nov 20, 2019", D(2019, 11, 20)),
    ("2019-11-18 17:26:05 GMT", D(2019, 11, 18)),
    ("تاریخ انتشار: ۱۲ بهمن ۱۴۰۳ - ساعت ۱۰:۳۰", D(2025, 1, 31)),
    ("سه‌شنبه ۱۲ بهمن ۱۴۰۳", D(2025, 1, 31)),
]


@pytest.mark.parametrize(("value", "expected"), MACHINE)
def test_parse_date_value(value, expected):
    assert parse_date_value(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "garbage",
        "2025-02-30",
        "2025-13-01T00:00:00Z",
        "2025-02-01Tnonsense",
        "Sat, 01 Foo 2025 10:00:00 GMT",
        "1 February 2025 and 3 March 2025",
        "price 1 February 2025 is 12 dollars",
        "\x00\x01\x02",
        "9" * 500,
        "2019",
        "0001-01-01T00:00:00Z",
        "{{post_date}}",
        "9451CA04ABC9D1D5C6419C73B4C4F7B7",
        "1 February 2025 12",
    ],
)
def test_parse_date_value_returns_none_for_garbage(value):
    assert parse_date_value(value) is None


@pytest.mark.parametrize(
    ("date", "jalali", "persian"),
    [
        (D(2025, 1, 31), "1403-11-12", "۱۲ بهمن ۱۴۰۳"),
        (D(2024, 3, 20), "1403-01-01", "۱ فروردین ۱۴۰۳"),
        (D(2025, 3, 20), "1403-12-30", "۳۰ اسفند ۱۴۰۳"),
        (D(2019, 3, 21), "1398-01-01", "۱ فروردین ۱۳۹۸"),
        (D(2023, 10, 27), "1402-08-05", "۵ آبان ۱۴۰۲"),
        (D(2024, 12, 31), "1403-10-11", "۱۱ دی ۱۴۰۳"),
    ],
)
def test_to_jalali_and_format_jalali(date, jalali, persian):
    assert to_jalali(date) == jalali
    assert format_jalali(date) == persian
    assert find_date(format_jalali(date)) == date


BOUNDS = [
    ("2025", D(2025, 1, 1), D(2025, 12, 31)),
    ("2025-02", D(2025, 2, 1), D(2025, 2, 28)),
    ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
    ("2024-12", D(2024, 12, 1), D(2024, 12, 31)),
    ("2025-02-01", D(2025, 2, 1), D(2025, 2, 1)),
    ("2025/2/1", D(2025, 2, 1), D(2025, 2, 1)),
    ("1403", D(2024, 3, 20), D(2025, 3, 20)),
    ("1402", D(2023, 3, 21), D(2024, 3, 19)),
    ("1403-11", D(2025, 1, 20), D(2025, 2, 18)),
    ("1403-10", D(2024, 12, 21), D(2025, 1, 19)),
    ("1403-12", D(2025, 2, 19), D(2025, 3, 20)),  # leap Esfand, 30 days
    ("1402-12", D(2024, 2, 20), D(2024, 3, 19)),  # common Esfand, 29 days
    ("1403-01", D(2024, 3, 20), D(2024, 4, 19)),
    ("1403-11-12", D(2025, 1, 31), D(2025, 1, 31)),
    ("1403/11/12", D(2025, 1, 31), D(2025, 1, 31)),
    ("۱۴۰۳/۱۱/۱۲", D(2025, 1, 31), D(2025, 1, 31)),
    ("٢٠٢٥-٠٢", D(2025, 2, 1), D(2025, 2, 28)),
    ("۱۴۰۳", D(2024, 3, 20), D(2025, 3, 20)),
    (" 1403-12-30 ", D(2025, 3, 20), D(2025, 3, 20)),
    ("۱۲ بهمن ۱۴۰۳", D(2025, 1, 31), D(2025, 1, 31)),
    ("1 Feb 2025", D(2025, 2, 1), D(2025, 2, 1)),
]


@pytest.mark.parametrize(("text", "start", "end"), BOUNDS)
def test_parse_date_bound(text, start, end):
    assert parse_date_bound(text) == (start, end)


@pytest.mark.parametrize(
    "text",
    [
        "2025-13-45",
        "notadate",
        "1403-12-31",
        "1402-12-30",
        "2025-02-29",
        "2025-00",
        "1403-13",
        "",
        "   ",
        "25",
        "2025-02-01-07",
        "2025-02-01T10:00",
        "1 February 2025 to 2 February 2025",
    ],
)
def test_parse_date_bound_rejects_with_one_line_message(text):
    with pytest.raises(DateFormatError) as info:
        parse_date_bound(text)
    message = str(info.value)
    assert "\n" not in message
    assert "YYYY-MM-DD" in message and "1700" in message
    assert isinstance(info.value, UsageError)


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)))
def test_jalali_round_trip_through_text(date):
    assert parse_date_bound(to_jalali(date)) == (date, date)
    assert find_date("تاریخ انتشار " + format_jalali(date)) == date
    y, m, d = gregorian_to_jalali(date)
    assert jalali_to_gregorian(y, m, d) == date


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)))
def test_gregorian_written_forms_round_trip(date):
    for form in ("%d %B %Y", "%B %d, %Y", "%b %d %Y", "%Y-%m-%d", "%Y/%m/%d"):
        assert find_date(date.strftime(form)) == date
    assert find_date(date.isoformat().translate(PERSIAN)) == date
    assert find_date(date.isoformat().translate(ARABIC)) == date


@given(st.text(max_size=200))
def test_iter_dates_never_raises_and_offsets_are_in_range(text):
    for date, start, end in iter_dates(text):
        assert 0 <= start < end <= len(text)
        assert isinstance(date, D)
    parse_date_value(text)


def _scan_whole_text(text):
    """The plain definition: run the date regex over the whole folded text."""
    from archive import dates

    folded, adjust = dates._fold(text)
    found = []
    for m in dates._date_re().finditer(folded):
        date = dates._date_from_match(m)
        if date is not None:
            start = dates._original_offset(adjust, m.start())
            found.append((date, start, dates._original_offset(adjust, m.end() - 1) + 1))
    return found


FRAGMENTS = st.sampled_from(
    [
        "1",
        "12",
        "2025",
        "1403",
        "۱۴۰۳",
        "٢٠٢٥",
        "-",
        "/",
        ".",
        ",",
        " ",
        "  ",
        "\n",
        "\u200c",
        "\u064e",
        "February",
        "Feb.",
        "بهمن",
        "دلو",
        "ماه",
        "فوریه",
        "می",
        "of",
        "x",
        "ي",
        "1st",
    ]
)


@given(st.lists(FRAGMENTS, max_size=40).map("".join))
def test_year_windows_find_what_a_whole_text_scan_finds(text):
    # iter_dates only runs the regex near four-digit numbers; that must not change results
    assert list(iter_dates(text)) == _scan_whole_text(text)


def test_date_far_into_a_long_page_is_found_with_its_offsets():
    page = ("<p>menu 123 4567 view 280</p>\n" * 2000) + "منتشر شده: ۱۲ بهمن‌ماه ۱۴۰۳" + "x" * 500
    found = list(iter_dates(page))
    assert [d for d, _, _ in found][-1] == D(2025, 1, 31)
    _, start, end = found[-1]
    assert page[start:end] == "۱۲ بهمن‌ماه ۱۴۰۳"
