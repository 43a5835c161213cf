"""Extraction against pages written for this project (tests/fixtures/pages, expected.json)."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import errors
from archive.extract import extract_article, normalize_url
from archive.models import RawPage

PAGES = Path(__file__).parent / "fixtures" / "pages"
EXPECTED: dict[str, dict] = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
GOOD = sorted(name for name, exp in EXPECTED.items() if "error" not in exp)
BAD = sorted(name for name, exp in EXPECTED.items() if "error" in exp)


def _extract(name: str):
    path = PAGES / name
    return extract_article(RawPage(str(path), path.read_bytes()))


def test_fixture_table_is_large_enough():
    assert len(EXPECTED) >= 30
    assert all((PAGES / name).exists() for name in EXPECTED)


@pytest.mark.parametrize("name", GOOD)
def test_fields(name):
    expected = EXPECTED[name]
    article = _extract(name)
    record = article.as_dict()
    for field, value in expected["fields"].items():
        assert record[field] == value, f"{name}: {field} = {record[field]!r}, expected {value!r}"
    for snippet in expected.get("must_contain", []):
        assert snippet in article.body, f"{name}: body lacks {snippet!r}"
    for snippet in expected.get("must_not_contain", []):
        assert snippet not in article.body, f"{name}: body has {snippet!r}"
    warnings = " | ".join(article.warnings)
    for snippet in expected.get("warnings_contain", []):
        assert snippet in warnings, f"{name}: warnings {warnings!r} lack {snippet!r}"
    for snippet in expected.get("warnings_absent", []):
        assert snippet not in warnings, f"{name}: warnings {warnings!r} have {snippet!r}"
    assert article.source == str(PAGES / name)
    assert article.lang in ("en", "fa", "ar")
    assert "\n\n\n" not in article.body
    assert len(article.id) == 16 and int(article.id, 16) >= 0


@pytest.mark.parametrize("name", BAD)
def test_bad_input_raises_typed_error(name):
    error_class = getattr(errors, EXPECTED[name]["error"])
    with pytest.raises(error_class) as info:
        _extract(name)
    message = str(info.value)
    assert message and "\n" not in message and len(message) < 200


def test_no_mojibake_in_any_good_page():
    for name in GOOD:
        article = _extract(name)
        for value in (article.title, article.body, *article.authors):
            assert "\ufffd" not in value and "Ø" not in value and "Ã" not in value, name


def test_stored_text_keeps_the_letters_the_page_wrote():
    # a Persian page whose byline and signature use Arabic ي (as old CMSs do): stored as written
    article = _extract("fa_thinktank_hijri.html")
    assert article.lang == "fa"
    assert article.authors == ["علي رضايي"]
    assert "کتاب‌ها" in article.body and "ي" not in article.body  # signature line dropped
    old_cms = _extract("cp1256_arabic_letter_byline.html")
    assert old_cms.lang == "fa" and old_cms.title == "بحران آب در دشت‌هاي مرکزي"


def test_jalali_conversion_is_exact():
    article = _extract("fa_thinktank_hijri.html")
    assert article.date == dt.date(2025, 1, 31)
    assert article.date_jalali == "1403-11-12"


def test_id_is_stable_across_tracking_params_and_fragment():
    html = (PAGES / "jsonld_news_heavy.html").read_bytes()
    first = extract_article(RawPage("a.html", html))
    variant = html.replace(
        b'insurers-premiums/"', b'insurers-premiums?utm_medium=x&utm_source=y#comments"'
    ).replace(b"https://gulfmonitor", b"HTTPS://GulfMonitor")
    second = extract_article(RawPage("b.html", variant))
    assert first.id == second.id
    other = html.replace(b"insurers-premiums/", b"other-story/")
    assert extract_article(RawPage("c.html", other)).id != first.id


def test_id_without_url_comes_from_content():
    html = (PAGES / "fa_thinktank_hijri.html").read_bytes()
    first = extract_article(RawPage("x/one.html", html))
    same = extract_article(RawPage("y/two.html", html.replace(b"<main>", b"<main>\n\n  ")))
    assert first.url is None and first.id == same.id
    changed = html.replace("کتاب‌ها".encode(), "مقاله‌ها".encode())
    assert extract_article(RawPage("z.html", changed)).id != first.id


def test_warc_url_used_when_page_has_no_canonical():
    html = (PAGES / "fa_thinktank_hijri.html").read_bytes()
    article = extract_article(
        RawPage("dump.warc", html, member="rec-1", url="https://www.ipis.ir/fa/x/1")
    )
    assert article.url == "https://www.ipis.ir/fa/x/1"
    assert article.site == "ipis.ir"
    assert article.source == "dump.warc!rec-1"


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("HTTPS://WWW.Example.com/a/b/?utm_source=x&id=3#frag", "https://www.example.com/a/b?id=3"),
        ("http://example.com/", "http://example.com"),
        ("https://example.com/Path/?utm_campaign=1", "https://example.com/Path"),
    ],
)
def test_normalize_url(url, normal):
    assert normalize_url(url) == normal


def test_deep_nesting_does_not_hang_or_crash():
    paragraph = (
        "<p>" + " ".join(["Deeply nested article text, with commas, and words."] * 8) + "</p>"
    )
    html = "<html><body>" + "<div>" * 5000 + paragraph + "</div>" * 5000 + "</body></html>"
    started = time.monotonic()
    try:
        extract_article(RawPage("deep.html", html.encode()))
    except errors.ExtractionError:
        pass
    assert time.monotonic() - started < 10


def test_huge_page_is_cut_with_a_warning(monkeypatch):
    import archive.extract as extract_module

    monkeypatch.setattr(extract_module, "MAX_BYTES", 4000)
    html = (PAGES / "bom_utf8.html").read_bytes() + b"<p>" + b"padding text " * 2000 + b"</p>"
    article = extract_article(RawPage("big.html", html))
    assert any("only its start was read" in w for w in article.warnings)


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body><p>hello</p>" + b"<script>" * 20000,
        b"<html><body>" + b"<!-- x" * 20000,
        b"<html><body>" + b"<script type=application/ld+json>" * 20000,
        b"<html><body>" + b"<div>" * 100000 + b"<p>" + b"text, more text. " * 50,
        b"<html><body><div " + b"a=1 " * 200000 + b">x</div>",
        b"<html><body>" + b'<div class="' * 50000,
        b"<html><body>" + b"<b>" * 300000,
    ],
    ids=["scripts", "comments", "jsonld", "deep", "attributes", "half-tags", "inline"],
)
def test_pathological_pages_end_quickly_with_a_record_or_typed_error(data):
    started = time.monotonic()
    try:
        extract_article(RawPage("bad.html", data))
    except errors.ExtractionError as exc:
        assert "\n" not in str(exc)
    assert time.monotonic() - started < 5


def test_unclosed_comment_keeps_the_article():
    html = (PAGES / "bom_utf8.html").read_bytes().replace(b"<h1>", b"<!-- never closed <h1>", 1)
    assert "Strait of Hormuz" in extract_article(RawPage("c.html", html)).body


def test_no_date_gives_a_warning():
    html = (
        b"<html><body><h1>Undated note</h1><div class='content'>"
        + (
            b"<p>A paragraph of plain article text, long enough to count as an article body.</p>"
            * 3
        )
        + b"</div></body></html>"
    )
    article = extract_article(RawPage("n.html", html))
    assert article.date is None and article.date_jalali is None
    assert "no date found" in article.warnings


DATE_PAGES = Path(__file__).parent / "fixtures" / "dates"


def _date_of(name: str, url: str | None = None) -> dt.date | None:
    path = DATE_PAGES / name
    return extract_article(RawPage(str(path), path.read_bytes(), url=url)).date


@pytest.mark.parametrize(
    ("name", "url", "day"),
    [
        # hAtom markup, a dotted day-first date; the comment's later one is not taken
        ("abbr_published.html", None, dt.date(2012, 12, 16)),
        # no metadata: htmldate reads German text dates
        ("german_weekday_date.html", None, dt.date(2014, 7, 19)),
        # json.loads refuses the block (unescaped quotes, trailing comma)
        ("jsonld_not_json.html", None, dt.date(2019, 3, 4)),
        # a UTC stamp after midnight: the page's own day is in its URL
        ("utc_stamp_url_day.html", "https://news.example.com/2023/11/08/council-votes/",
         dt.date(2023, 11, 8)),
        # an update time next day (another instant) does not move a UTC publication stamp
        ("utc_stamp_later_update.html", None, dt.date(2015, 8, 11)),
        # the stamp's own day: 01:00 at +04:30 is 10 February, though 9 February in UTC
        ("offset_stamp_local_day.html", None, dt.date(2025, 2, 10)),
        # a meta name htmldate knows goes before a date in the text under the headline
        ("metadata_over_text.html", None, dt.date(2020, 3, 5)),
        # Persian page: 12 Bahman 1403 under the headline, not the photo's Gregorian stamp
        ("fa_solar_hijri_beside_gregorian.html", None, dt.date(2025, 1, 31)),
    ],
)  # fmt: skip
def test_publication_date_of_page(name, url, day):
    assert _date_of(name, url) == day


def test_broken_jsonld_fixture_is_really_not_json():
    blob = (DATE_PAGES / "jsonld_not_json.html").read_text(encoding="utf-8")
    start = blob.index("<script type=\"application/ld+json\">") + len(
        "<script type=\"application/ld+json\">"
    )
    with pytest.raises(ValueError):
        json.loads(blob[start : blob.index("</script>")])


def test_htmldate_extensive_search_only_on_pages_below_the_cap():
    # "19. Juli 2014" needs htmldate's extensive search, which costs ~0.3 s per MB of page
    from archive.extract.pubdate import HTMLDATE_FULL_CHARS

    page = (DATE_PAGES / "german_weekday_date.html").read_text(encoding="utf-8")
    # a bare paragraph: htmldate's fast mode does not read it, only extensive search
    page = page.replace('<div class="meta">', "<p>").replace("2014</div>", "2014</p>")
    filler = "<p>Weitere Meldungen aus der Region, ohne Datum, zum Weiterlesen.</p>\n"

    def padded(chars: int) -> bytes:
        body = filler * (chars // len(filler) + 1)
        return page.replace("</body>", body + "</body>").encode("utf-8")

    small = extract_article(RawPage("s.html", padded(HTMLDATE_FULL_CHARS // 2)))
    large = extract_article(RawPage("l.html", padded(HTMLDATE_FULL_CHARS)))
    assert small.date == dt.date(2014, 7, 19)
    assert large.date is None and "no date found" in large.warnings


def test_solar_hijri_is_read_before_htmldate_on_persian_pages():
    # htmldate alone takes the Gregorian photo stamp: the order of the stages decides
    import htmldate  # a runtime dependency

    data = (DATE_PAGES / "fa_solar_hijri_beside_gregorian.html").read_bytes()
    alone = htmldate.find_date(data, extensive_search=True, original_date=True)
    assert alone != "2025-01-31"
    article = extract_article(RawPage("fa.html", data))
    assert (article.date, article.date_jalali) == (dt.date(2025, 1, 31), "1403-11-12")


_FRAGMENTS = [
    "<html>",
    "<body>",
    "<p>",
    "</p>",
    "<div class='content'>",
    "</div>",
    "<h1>",
    "</h1>",
    "<script>",
    "</script>",
    "<!--",
    "-->",
    "<a href='/author/x'>",
    "</a>",
    "<li>",
    "<time ",
    "datetime='2024-13-45'>",
    "<meta charset='x-bogus'>",
    "<title>",
    "</title>",
    "۱۲ بهمن ۱۴۰۳",
    "By John",
    "نویسنده: علی",
    "text, with, commas. ",
    "\x00",
    "\ufeff",
    "<![CDATA[",
    "&#xD800;",
    '<script type=\'application/ld+json\'>{"@type":"NewsArticle","author":[{}, 3, null]',
    "}</script>",
    "<svg>",
    "<br/>",
    "<table><tr><td>",
    "\u202e",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=60), st.sampled_from(["utf-8", "cp1256"]))
def test_any_markup_gives_a_record_or_a_typed_error(parts, encoding):
    data = "".join(parts).encode(encoding, "ignore")
    try:
        article = extract_article(RawPage("fuzz.html", data))
    except errors.ExtractionError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert article.body and article.lang in ("en", "fa", "ar")


RAW = Path(__file__).parent.parent / "raw"
_RAW_ROW = re.compile(
    r"^\| `([^`]+)` \| \w+ \| (en|fa|ar) \| (.+?) \| (.+?) \| (\S+) / (\S+) \|", re.MULTILINE
)


# raw/README.md "Must not end up in an article body"
_RAW_CHROME = [
    "نظرات کاربران",
    "تاکنون نظری ثبت نشده است",
    "متن دیدگاه",
    "Most viewed",
    "پربازدیدترین",
    "Board of Directors",
    "Share:",
    "We use cookies",
    "Get the Tehran Daily briefing",
    "Advertisement",
    "googletag",
    "Related news",
    "Comments are moderated",
    "Editor's picks",
    "صفحه اصلی",
    "اخبار مرتبط",
    "پربیننده‌ترین",
    "منبع تصویر",
    "موضوعات مرتبط",
    "مطالب مرتبط",
    "انتهای پیام",
    "__PRELOADED_STATE__",
    "analyticsData",
    "gtm.js",
    "view 280",
    "بازدید ۱۵۴",
]


def _fold_arabic(value: str) -> str:
    # chrome strings are listed in Persian letters; layouts E and F write them with ي/ك
    return value.replace("ي", "ی").replace("ك", "ک")


def _raw_pages() -> dict[str, RawPage]:
    pages = {p.name: RawPage(str(p), p.read_bytes()) for p in RAW.glob("*.html")}
    for dump in RAW.glob("dumps/*.zip"):
        with zipfile.ZipFile(dump) as archive:
            for member in archive.namelist():
                pages[f"dumps/…zip!{member}"] = RawPage(str(dump), archive.read(member), member)
    return pages


@pytest.mark.skipif(not (RAW / "README.md").exists(), reason="no raw/ sample corpus")
def test_raw_sample_corpus_matches_its_readme():
    rows = _RAW_ROW.findall((RAW / "README.md").read_text(encoding="utf-8"))
    assert len(rows) >= 20
    pages = _raw_pages()
    wrong = []
    for name, lang, title, authors, date, jalali in rows:
        article = extract_article(pages[name])
        want_authors = [] if authors.strip() == "—" else [a.strip() for a in authors.split(";")]
        # raw/README.md writes titles and names as the page does (علي), and so are they stored
        got = (article.lang, article.title, article.authors, str(article.date))
        want = (lang, title, want_authors, date)
        if got != want or article.date_jalali != jalali:
            wrong.append((name, got, want))
        body = _fold_arabic(article.body)
        wrong += [(name, "chrome in body", s) for s in _RAW_CHROME if _fold_arabic(s) in body]
    assert not wrong


@pytest.mark.parametrize(
    ("title", "sites", "clean"),
    [
        ("IPIS | Oman and Iran - a new era", {"ipis"}, "Oman and Iran - a new era"),
        ("Gulf talks resume amid tension - Gulf Monitor", set(), "Gulf talks resume amid tension"),
        ("Iran - EU talks resume", set(), "Iran - EU talks resume"),
        (
            "Sanctions: what comes next for oil exports",
            set(),
            "Sanctions: what comes next for oil exports",
        ),
        (
            "اخبار روز - همکاری‌های اقتصادی در سال جدید",
            {"اخبارروز"},
            "همکاری‌های اقتصادی در سال جدید",
        ),
    ],
)
def test_site_names_are_stripped_from_titles(title, sites, clean):
    from archive.extract.title import strip_site_suffix as _strip_site_suffix

    assert _strip_site_suffix(title, sites, "") == clean


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_pages_with_a_wide_bom_are_html_not_binary(codec):
    html = (PAGES / "bom_utf8.html").read_bytes().decode("utf-8-sig")
    article = extract_article(RawPage("w.html", ("\ufeff" + html).encode(codec)))
    assert article.title == "Water crisis deepens in Isfahan"
    assert article.encoding == codec[:6]


@pytest.mark.parametrize(
    ("name", "strip", "authors"),
    [
        ("en_seed_ipis.html", [b' class="writer-line"', b' class="info"'], ["Behzad khakpoor"]),
        (
            "fa_thinktank_hijri.html",
            ["نویسنده: ".encode(), b' class="author"'],
            ["علي رضايي"],
        ),
    ],
)
def test_author_line_under_the_date_needs_no_markup(name, strip, authors):
    data = (PAGES / name).read_bytes()
    for chunk in strip:
        assert chunk in data
        data = data.replace(chunk, b"")
    assert extract_article(RawPage(name, data)).authors == authors


def test_one_byline_in_two_letter_forms_is_one_author_and_its_signature_is_dropped():
    # JSON-LD names the author with Persian ی, the page's byline and signature with Arabic ي
    paragraph = (
        "<p>کارشناسان می‌گویند همکاری‌های اقتصادی دو کشور در سال جدید گسترش می‌یابد و حجم"
        " مبادلات تجاری به بیش از ده میلیارد دلار می‌رسد، هرچند تحریم‌ها مانع اصلی است.</p>"
    )
    html = (
        "<!doctype html><html lang='fa'><head><meta charset='utf-8'><title>همکاری اقتصادی</title>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "همکاری اقتصادی",'
        ' "author": {"@type": "Person", "name": "علی رضایی"}}</script></head><body><article>'
        "<h1>همکاری اقتصادی</h1><div class='author'>نویسنده: علي رضايي</div>"
        + paragraph * 3
        + "<p>علي رضايي</p></article></body></html>"
    )
    article = extract_article(RawPage("byline.html", html.encode("utf-8")))
    assert article.authors == ["علی رضایی"]
    assert not article.body.endswith("رضايي")
