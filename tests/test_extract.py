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


@pytest.mark.parametrize("depth", [300, 1000, 5000])
def test_text_nested_deeper_than_libxml2_goes_is_kept_with_a_warning(depth):
    words = "Deeply nested article text, with commas, and enough words to count as a paragraph."
    html = (
        "<html><body><h1>A page of nested wrappers</h1>"
        + '<div class="wrap"><span>' * depth
        + f"<p>{words}</p><p>{words.replace('Deeply', 'Second')}</p>"
        + "</span></div>" * depth
        + "</body></html>"
    )
    article = extract_article(RawPage("deep.html", html.encode()))
    assert words in article.body
    assert words.replace("Deeply", "Second") in article.body
    assert any("nested deeper than 256 elements" in w for w in article.warnings)


def test_unclosed_font_in_every_paragraph_keeps_every_paragraph():
    # old CMS pages: `<p><font>` never closed, each paragraph one level deeper than the last
    paragraphs = "".join(
        f"<p><font face=arial size=2>Paragraph {i} of the council minutes, with commas, "
        "and enough words to count."
        for i in range(400)
    )
    html = f"<html><body><h1>Council minutes of the old town</h1>{paragraphs}</body></html>"
    body = extract_article(RawPage("font.html", html.encode())).body
    kept = [i for i in range(400) if f"Paragraph {i} of the council" in body]
    assert len(kept) == 400


_ARTICLE = "".join(
    f"<p>Paragraph {i}: the council approved the new water plan on Monday, and farmers said"
    " they would watch how the quotas work in the dry months.</p>"
    for i in range(5)
)


@pytest.mark.parametrize(
    "wrapped",
    [
        # an unclosed <aside>: lxml nests the article inside the sidebar
        '<aside class="sidebar"><ul><li><a href="/">Home</a></li></ul>'
        f'<div class="entry">{_ARTICLE}</div></body></html>',
        # the article hidden until a script shows it
        f'<div class="story" style="display: none">{_ARTICLE}</div>',
        # a <main> of short lines (a poem, a list of results): nothing for the scorer
        "<main>"
        + "".join(f"<p>Paragraph {i}: the council</p><p>met again.</p>" for i in range(5))
        + "</main>",
    ],
    ids=["unclosed-aside", "hidden-until-script", "short-lines-in-main"],
)
def test_article_lost_with_the_chrome_is_found_by_a_fallback(wrapped):
    html = f"<html><head><title>Water plan approved</title></head><body>{wrapped}"
    article = extract_article(RawPage("lost.html", html.encode()))
    assert all(f"Paragraph {i}: the council" in article.body for i in range(5))
    assert any("found by a fallback" in w for w in article.warnings)


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
        # Arabic page: a Levantine month name with the Egyptian one beside it, not the
        # copyright year htmldate falls back to
        ("ar_levantine_month.html", None, dt.date(2013, 8, 28)),
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
        # a site name the page does not name stays (find_title guesses only for a lone <title>)
        (
            "Gulf talks resume amid tension - Gulf Monitor",
            set(),
            "Gulf talks resume amid tension - Gulf Monitor",
        ),
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
    from archive.extract.title import strip_site_name

    assert strip_site_name(title, sites) == clean


_BODY = (
    "<div class='content'>" + "<p>Officials met on Monday, and talks went on, they said.</p>" * 4
)
_BODY += "</div>"


def _titled_page(head: str, body: str = "") -> bytes:
    return f"<html><head>{head}</head><body>{body}{_BODY}</body></html>".encode()


@pytest.mark.parametrize(
    ("head", "body", "url", "title"),
    [
        # <title> and the page's heading disagree, nothing else: the <title> is right
        (
            "<title>Daring Fireball: Colophon</title>",
            "<h1>About This Site</h1>",
            None,
            "Daring Fireball: Colophon",
        ),
        # og:title names the site, og:site_name says so: cut; the <h1> agrees
        (
            '<meta property="og:title" content="How to Build a Terrarium | eHow">'
            '<meta property="og:site_name" content="eHow"><title>How to Build a Terrarium (with'
            " Pictures) | eHow</title>",
            "<h1>How to Build a Terrarium</h1>",
            None,
            "How to Build a Terrarium",
        ),
        # the host names the site
        (
            "<title>Mozilla - Wikipedia</title>",
            "",
            "https://en.wikipedia.org/wiki/Mozilla",
            "Mozilla",
        ),
        # og:title is the site's own name, not the article's
        (
            '<meta property="og:title" content="Yahoo News">'
            '<meta property="og:site_name" content="Yahoo News">'
            "<title>Space ship breaks up over Siberia</title>",
            "<h1>Space ship breaks up over Siberia</h1>",
            None,
            "Space ship breaks up over Siberia",
        ),
        # JSON-LD headline is a description; its name, <title> and <h1> agree
        (
            '<script type="application/ld+json">{"@type": "Article", "name": "New Zealand",'
            ' "headline": "constitutional monarchy in Oceania"}</script>'
            "<title>New Zealand - Wikipedia</title>",
            "<h1>New Zealand</h1>",
            "https://en.wikipedia.org/wiki/New_Zealand",
            "New Zealand",
        ),
        # og:title = <title> with an unnamed blog name; the <h1> is the logo
        (
            '<meta property="og:title" content="Maple leaves in the hills :: Steven\'s blog ::">'
            "<title>Maple leaves in the hills :: Steven's blog ::</title>",
            "<h1>Steven's blog</h1>",
            None,
            "Maple leaves in the hills :: Steven's blog",
        ),
        # the metadata headline and the <h1> agree over <title>
        (
            '<meta property="og:title" content="Talks resume in Vienna">'
            "<title>Vienna diplomacy: a new round - World</title>",
            "<h1>Talks resume in Vienna</h1>",
            None,
            "Talks resume in Vienna",
        ),
    ],
)
def test_title_is_what_the_sources_agree_on(head, body, url, title):
    page = RawPage("t.html", _titled_page(head, body), url=url)
    assert extract_article(page).title == title


def test_title_candidates_are_named_by_source():
    from archive.extract.page import Meta, collect_meta, parse_html
    from archive.extract.title import title_candidates

    root = parse_html(
        '<html><head><meta property="og:title" content="A | B"><title>T</title></head>'
        "<body><h1>H</h1></body></html>"
    )
    meta = Meta()
    collect_meta(root, meta)
    assert [(c.source, c.text) for c in title_candidates(root, meta)] == [
        ("og", "A | B"),
        ("title", "T"),
        ("h1", "H"),
    ]


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


_PLAIN_BODY = (
    "<p>The ministry said on Monday that exports would rise, and officials agreed, citing new"
    " data from the ports.</p>" * 3
)


@pytest.mark.parametrize(
    "opening",
    [
        "<p>12 March 2024</p><p>Record Month for Ports</p>",  # a subheading under the date
        "<p>Monday 12 March 2024</p><p>Tehran Grand Bazaar reopened</p>",
        "<p>۱۲ اسفند ۱۴۰۲</p><p>گزارش ویژه اقتصادی</p>",
        "<p>By most accounts, the talks failed.</p>",  # "By" opening a sentence
        "<p>By Monday, officials had agreed on the quotas</p>",
    ],
)
def test_first_line_of_a_plain_page_is_not_its_author(opening):
    html = f"<html><body><h1>Oil exports rise again</h1>{opening}{_PLAIN_BODY}</body></html>"
    assert extract_article(RawPage("plain.html", html.encode())).authors == []


@pytest.mark.parametrize(
    ("opening", "authors"),
    [
        ("<p>By Jane Doe and Ali al-Hashemi</p>", ["Jane Doe", "Ali al-Hashemi"]),
        ("<p>By Ludwig van Beethoven</p>", ["Ludwig van Beethoven"]),
    ],
)
def test_plain_by_line_still_gives_the_authors(opening, authors):
    html = f"<html><body><h1>Oil exports rise again</h1>{opening}{_PLAIN_BODY}</body></html>"
    assert extract_article(RawPage("plain.html", html.encode())).authors == authors


BODY_PAGES = Path(__file__).parent / "fixtures" / "body"


def _body_of(name: str) -> list[str]:
    path = BODY_PAGES / name
    return extract_article(RawPage(str(path), path.read_bytes())).body.split("\n\n")


def test_short_lines_that_repeat_are_text_and_long_repeats_are_dropped():
    lines = _body_of("repeated_short_lines.html")
    assert lines.count("Eat every 2-3 hours") == 3
    assert lines.count("0") == 3  # table cells: every row keeps its figures
    assert sum(line.startswith("The plan works just as well") for line in lines) == 1
    # a long line again, in the same kind of element further down: the text repeats it
    assert sum(line.startswith("Asparagus and eggs") for line in lines) == 2
    # a box quoting a paragraph of the text (a "highlights" box) is a copy
    assert sum(line.startswith("Every day has three meals") for line in lines) == 1
    assert "Advert" not in lines
    assert lines.count("9") == 1  # a gallery's photo count under each photo: a widget label


def test_list_items_are_judged_with_their_list():
    lines = _body_of("summary_list.html")
    # a linked headline followed by its sentence, in a list of such items: text, though
    # the headline is two thirds of this item
    assert any(line.startswith("Teens love Apple's AirPods") for line in lines)
    # ... but a line that is all link is a link, whatever its list
    assert any(line.startswith("Cvach M. Monitor alarm fatigue") for line in lines)
    assert "Google Scholar" not in lines
    # a list of plain items with one link in it keeps its items
    assert "peas" in lines
    # a list of links stays out
    assert not any("best phones you can buy" in line for line in lines)


def test_box_titled_by_a_related_heading_is_not_the_article():
    # five teaser cards add up to more score than the article's two paragraphs
    body = "\n\n".join(_body_of("related_box_of_cards.html"))
    assert body.startswith("Viver uma verdadeira experiência amorosa")
    assert "só quem se ama pode encontrar" in body
    assert "otimismo e coragem" not in body and "Gratidão pela vida" not in body


def test_post_embedded_in_the_article_is_kept_and_share_buttons_are_not():
    body = "\n\n".join(_body_of("social_embed.html"))
    assert "Yes this is real and yes the state spent" in body
    assert "Share this story" not in body


def test_link_line_inside_a_paragraph_is_judged_with_the_paragraph():
    lines = _body_of("links_in_br_lines.html")
    assert "http://amzn.to/2hZfWFJ" in lines
    assert "http://amzn.to/2hWEIX7" in lines
    # a paragraph that is only links is still a link list
    assert not any("Giochi e giocattoli" in line for line in lines)


def test_sentence_carrying_a_long_link_is_text_and_link_lines_are_not():
    lines = _body_of("sentence_with_long_link.html")
    assert "The suspect, Michael Webb, was convicted and sentenced to life" in "\n".join(lines)
    assert not any(line.startswith("Read more") for line in lines)
    assert not any(line.startswith("See also") for line in lines)  # five links: a farm
