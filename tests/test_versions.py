"""Issue 12: versions of one article in two languages, and one author through them.

Every test builds a real index in tmp_path from real HTML pages through `archive ingest`
(the pages are written by the tests: small think-tank pages with OpenGraph metadata).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive import versions
from archive.extract import extract_article
from archive.models import RawPage

SITE = "https://www.think.example"

EN_SWAPS = dict(
    path="en/101/gas-swaps",
    lang="en",
    title="Caspian gas swaps for the northern provinces",
    author="Kay Soltani",
    date="2025-02-09",
    paras=[
        "Every winter the northern provinces run short of gas while the fields of the south "
        "are far away, and the network cannot move enough of it in time.",
        "The swap deal offers a shorter route: Turkmen gas enters the northern network and "
        "the same volume leaves the southern fields for Iraq and Turkey.",
        "The harder question is payment, because banks in the region fear secondary "
        "sanctions and a swap only works if every party settles its account.",
    ],
)
FA_SWAPS = dict(
    path="fa/201/gas-swaps",
    lang="fa",
    title="سوآپ گاز خزر برای استان‌های شمالی",
    author="کیخسرو سلطانی",
    date="2025-02-10",
    paras=[
        "هر زمستان استان‌های شمالی با کمبود گاز روبه‌رو می‌شوند، در حالی که میدان‌های جنوب "
        "دور از آنها هستند و شبکه نمی‌تواند به موقع گاز کافی جابه‌جا کند.",
        "قرارداد سوآپ مسیری کوتاه‌تر پیشنهاد می‌کند: گاز ترکمنستان وارد شبکه شمال می‌شود و "
        "همان حجم از میدان‌های جنوب به عراق و ترکیه می‌رود.",
        "پرسش دشوارتر پرداخت است، چون بانک‌های منطقه از تحریم‌های ثانویه می‌ترسند و سوآپ "
        "تنها زمانی کار می‌کند که هر طرف حساب خود را تسویه کند.",
    ],
)
EN_SHIPPING = dict(
    path="en/102/red-sea-shipping",
    lang="en",
    title="Red Sea shipping and the trade routes of Iran",
    author="Maryam Hosseini",
    date="2025-02-17",
    paras=[
        "Traffic through the Bab el-Mandeb has fallen by about 40 percent, and container "
        "lines now sail a detour of some 3,500 nautical miles that adds 12 days.",
        "Bandar Abbas handled 18 more calls by large ships in the last quarter, while "
        "insurance premiums rose to 0.7 percent of a vessel's value.",
        "Rail freight on the corridor grew by 65 percent, and the missing 162 kilometre "
        "railway between Rasht and Astara decides whether the gain lasts.",
    ],
)
FA_SHIPPING = dict(
    path="fa/202/red-sea-shipping",
    lang="fa",
    title="کشتیرانی دریای سرخ و مسیرهای تجاری ایران",
    author="مریم حسینی",
    date="2025-02-18",
    paras=[
        "تردد از باب‌المندب حدود ۴۰ درصد کاهش یافته و خطوط کانتینری اکنون مسیری انحرافی به "
        "طول نزدیک ۳٬۵۰۰ مایل دریایی را می‌پیمایند که ۱۲ روز به سفر می‌افزاید.",
        "بندرعباس در سه ماه گذشته ۱۸ پهلوگیری بیشتر از کشتی‌های بزرگ داشته، در حالی که حق "
        "بیمه به ۰٫۷ درصد ارزش کشتی رسیده است.",
        "بار ریلی کریدور ۶۵ درصد رشد کرده و راه‌آهن ۱۶۲ کیلومتری رشت-آستارا تعیین می‌کند "
        "که این دستاورد ماندگار است یا نه.",
    ],
)
# Same site, author and day as FA_SHIPPING, another article: nobody's version.
FA_DROUGHT = dict(
    path="fa/203/sistan-drought",
    lang="fa",
    title="خشکسالی سیستان و آینده کشاورزی",
    author="مریم حسینی",
    date="2025-02-18",
    paras=[
        "آورد رود هیرمند به دشت سیستان در سال آبی گذشته به کمتر از ۲۵ درصد میانگین بلندمدت "
        "رسید و چاه‌نیمه‌ها در پایین‌ترین سطح خود قرار دارند.",
        "بیش از ۳۰۰ روستا در سال‌های اخیر خالی از سکنه شده‌اند و کشاورزان به حاشیه شهرها "
        "کوچ کرده‌اند؛ کشت گندم در دشت تقریباً متوقف شده است.",
        "راه‌حل پایدار بدون اجرای معاهده ۱۳۵۱ و سرمایه‌گذاری در آبیاری کم‌مصرف به دست "
        "نمی‌آید و هر دو به دیپلماسی آب نیاز دارند.",
    ],
)


def page_html(spec: dict, *, alternates: tuple[tuple[str, str], ...] = (), title=None) -> str:
    url = f"{SITE}/{spec['path']}"
    links = "".join(f'<link rel="alternate" hreflang="{h}" href="{u}">' for h, u in alternates)
    body = "".join(f"<p>{p}</p>" for p in spec["paras"])
    shown = title or spec["title"]
    return (
        f"<!doctype html><html lang='{spec['lang']}'><head><meta charset='utf-8'>"
        f"<title>{shown}</title><link rel='canonical' href='{url}'>{links}"
        f"<meta property='og:title' content='{shown}'>"
        f"<meta property='article:author' content='{spec['author']}'>"
        f"<meta property='article:published_time' content='{spec['date']}T09:00:00Z'>"
        f"</head><body><article><h1>{shown}</h1>{body}</article></body></html>"
    )


def url_of(spec: dict) -> str:
    return f"{SITE}/{spec['path']}"


def write(folder: Path, name: str, html: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture
def arc(cli_run, tmp_index):
    """Run `archive ARGS --index tmp_index`, assert a clean exit (0 unless told), return it."""

    def _arc(*args, code: int = 0):
        result = cli_run(*args, "--index", tmp_index)
        assert result.exit_code == code, result.stderr
        assert not result.has_traceback, result.stderr
        return result

    return _arc


def json_hits(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def versions_by_title(arc, query: str = "", *extra: str) -> dict[str, list[tuple[str, str]]]:
    args = ["query", query] if query else ["query"]
    hits = json_hits(arc(*args, "--json", "-n", "50", *extra))
    return {h["title"]: [(v["lang"], v["title"]) for v in h["versions"]] for h in hits}


# --- the rules, without an index ------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.think.example/en/a/", "http://think.example/en/a"),
        ("https://THINK.example:443/en/a#top", "https://think.example/en/a"),
    ],
)
def test_url_key_ignores_scheme_www_slash_fragment(a, b):
    assert versions.url_key(a) == versions.url_key(b) != ""


def test_url_key_keeps_path_and_query_apart():
    assert versions.url_key("https://x.example/a?id=1") != versions.url_key("https://x.example/a")
    assert "," not in versions.url_key("https://x.example/a,b")  # the index field splits on ,


def test_shape_reads_persian_digits_and_separators():
    shape = versions.text_shape("۴۰ درصد و ۳٬۵۰۰ مایل و ۰٫۷ درصد و ۷ روز\n\nدوم")
    assert shape.numbers == {"40", "3500", "0.7"}  # one digit alone does not count
    assert shape.paragraphs == 2


def test_shapes_match_a_translation_not_a_neighbour():
    en = versions.text_shape("\n\n".join(EN_SHIPPING["paras"]))
    fa = versions.text_shape("\n\n".join(FA_SHIPPING["paras"]))
    other = versions.text_shape("\n\n".join(FA_DROUGHT["paras"]))
    assert versions.shapes_match(en, fa)
    assert not versions.shapes_match(en, other)
    assert not versions.shapes_match(versions.text_shape(""), versions.text_shape(""))


def test_paired_authors_pairs_only_what_is_certain():
    assert versions.paired_authors(["Kay Soltani"], ["کیخسرو سلطانی"]) == [
        ("Kay Soltani", "کیخسرو سلطانی")
    ]
    both = versions.paired_authors(["Sara Ahmadi", "Kay Soltani"], ["کیخسرو سلطانی", "سارا احمدی"])
    assert sorted(both) == [("Kay Soltani", "کیخسرو سلطانی"), ("Sara Ahmadi", "سارا احمدی")]
    # two unmatched names on each side: which is which would be a guess
    assert versions.paired_authors(["Kay Soltani", "Dan Brook"], ["کیخسرو سلطانی", "دانیال"]) == []


def test_extract_keeps_hreflang_versions_not_the_language_switcher():
    html = page_html(
        FA_SWAPS,
        alternates=(
            ("en", f"{SITE}/en"),  # the template's switcher to the English front page
            ("x-default", f"{SITE}/"),
            ("fa", url_of(FA_SWAPS)),  # itself
            ("en-US", "/en/101/gas-swaps"),  # relative: resolved against the page's URL
        ),
    )
    article = extract_article(RawPage("p.html", html.encode()))
    assert article.alternates == [url_of(EN_SWAPS)]


# --- hreflang ---------------------------------------------------------------------------------


@pytest.mark.parametrize("linked_side", ["fa", "en"])
@pytest.mark.parametrize("first", ["fa", "en"])
def test_hreflang_one_side_either_order_in_two_runs(arc, tmp_path, linked_side, first):
    pages = {
        "en": page_html(
            EN_SWAPS, alternates=(("fa", url_of(FA_SWAPS)),) if linked_side == "en" else ()
        ),
        "fa": page_html(
            FA_SWAPS, alternates=(("en", url_of(EN_SWAPS)),) if linked_side == "fa" else ()
        ),
    }
    second = "en" if first == "fa" else "fa"
    arc("ingest", write(tmp_path / "run1", f"{first}.html", pages[first]))
    assert versions_by_title(arc) == {(EN_SWAPS if first == "en" else FA_SWAPS)["title"]: []}
    arc("ingest", write(tmp_path / "run2", f"{second}.html", pages[second]))
    assert versions_by_title(arc) == {
        EN_SWAPS["title"]: [("fa", FA_SWAPS["title"])],
        FA_SWAPS["title"]: [("en", EN_SWAPS["title"])],
    }


def test_hreflang_pair_shows_in_query_show_and_json(arc, tmp_path):
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SWAPS))
    write(folder, "fa.html", page_html(FA_SWAPS, alternates=(("en", url_of(EN_SWAPS)),)))
    arc("ingest", folder)
    hits = {h["lang"]: h for h in json_hits(arc("query", "--json"))}
    en, fa = hits["en"], hits["fa"]
    assert en["versions"] == [
        {"id": fa["id"], "lang": "fa", "title": FA_SWAPS["title"], "url": url_of(FA_SWAPS)}
    ]
    assert fa["versions"][0]["id"] == en["id"]
    human = arc("query", "swaps").stdout
    assert f"also in Persian: {FA_SWAPS['title']} ({fa['id']})" in human
    shown = arc("show", en["id"]).stdout
    assert f"also in Persian: {FA_SWAPS['title']} ({fa['id']})" in shown
    record = json.loads(arc("show", fa["id"], "--json").stdout)
    assert [v["id"] for v in record["versions"]] == [en["id"]]
    assert record["alternates"] == [url_of(EN_SWAPS)]


def test_version_titles_are_sanitised(arc, tmp_path):
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SWAPS))
    evil = "Gas \u202eswaps\u202c \x1b]8;;http://x\x07 title"
    fa = page_html(FA_SWAPS, alternates=(("en", url_of(EN_SWAPS)),)).replace(
        FA_SWAPS["title"], evil
    )
    write(folder, "fa.html", fa)
    arc("ingest", folder)
    out = arc("query", "northern").stdout
    assert "also in Persian: Gas swaps" in out
    assert "\u202e" not in out and "\x1b" not in out and "\x07" not in out


# --- the matched rule -------------------------------------------------------------------------


def test_pair_without_hreflang_is_matched(arc, tmp_path):
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SHIPPING))
    write(folder, "fa.html", page_html(FA_SHIPPING))
    arc("ingest", folder)
    assert versions_by_title(arc) == {
        EN_SHIPPING["title"]: [("fa", FA_SHIPPING["title"])],
        FA_SHIPPING["title"]: [("en", EN_SHIPPING["title"])],
    }


def test_near_miss_same_site_author_and_day_is_not_linked(arc, tmp_path):
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SHIPPING))
    write(folder, "drought.html", page_html(FA_DROUGHT))
    arc("ingest", folder)
    assert versions_by_title(arc) == {EN_SHIPPING["title"]: [], FA_DROUGHT["title"]: []}
    # with the true version beside it, only the true version is linked
    write(folder, "fa.html", page_html(FA_SHIPPING))
    arc("ingest", folder)
    found = versions_by_title(arc)
    assert found[EN_SHIPPING["title"]] == [("fa", FA_SHIPPING["title"])]
    assert found[FA_DROUGHT["title"]] == []


@pytest.mark.parametrize("lang_table", [0, 10**9])
@pytest.mark.parametrize("direct", [100, 0])
def test_matched_rule_on_each_engine_by_query_and_by_pool(
    arc, tmp_path, engine, monkeypatch, direct, lang_table
):
    # tantivy's first lookups run as range queries (search/versions.py, _direct), later ones
    # from the cached pool (direct=0: the pool from the start): both link the same pages;
    # on whoosh, with candidates read one by one (lang_table=0: never the table) or turned
    # away by the reader's language table (built at the first candidate) alike
    from archive.search import versions as search_versions

    monkeypatch.setattr(search_versions, "DIRECT_LOOKUPS", direct)
    monkeypatch.setattr(search_versions, "LANG_TABLE_READS", lang_table)
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SHIPPING))
    write(folder, "fa.html", page_html(FA_SHIPPING))
    write(folder, "drought.html", page_html(FA_DROUGHT))
    arc("ingest", folder)
    assert versions_by_title(arc) == {
        EN_SHIPPING["title"]: [("fa", FA_SHIPPING["title"])],
        FA_SHIPPING["title"]: [("en", EN_SHIPPING["title"])],
        FA_DROUGHT["title"]: [],
    }


@pytest.mark.parametrize("lang_table", [0, 10**9])
@pytest.mark.parametrize("direct", [100, 0])
def test_a_same_language_twin_is_no_version(
    arc, tmp_path, engine, monkeypatch, direct, lang_table
):
    # a site's pool holds every language: an article in the hit's own language, same site,
    # author, day and figures, is still no version of it (read, or turned away by the table)
    from archive.search import versions as search_versions

    monkeypatch.setattr(search_versions, "DIRECT_LOOKUPS", direct)
    monkeypatch.setattr(search_versions, "LANG_TABLE_READS", lang_table)
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SHIPPING))
    twin = dict(EN_SHIPPING, path="en/103/red-sea-shipping-again")
    write(folder, "en2.html", page_html(twin, title="Red Sea shipping, again"))
    arc("ingest", folder)
    found = versions_by_title(arc)
    assert found[EN_SHIPPING["title"]] == found["Red Sea shipping, again"] == []


def test_two_candidates_mean_no_link(arc, tmp_path):
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SHIPPING))
    write(folder, "fa.html", page_html(FA_SHIPPING))
    twin = dict(FA_SHIPPING, path="fa/299/red-sea-shipping-copy")
    write(folder, "fa2.html", page_html(twin, title="گزارشی دیگر از کشتیرانی دریای سرخ"))
    arc("ingest", folder)
    assert versions_by_title(arc)[EN_SHIPPING["title"]] == []


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("date", "2025-02-21"),  # four days later
        ("author", "سارا احمدی"),  # someone else
        ("path", "other.example"),  # another site (replaced in the URL below)
    ],
)
def test_matched_rule_needs_site_author_and_close_dates(arc, tmp_path, change, value):
    fa = dict(FA_SHIPPING)
    html = page_html(fa if change != "path" else FA_SHIPPING)
    if change == "path":
        html = html.replace("www.think.example", value)
    else:
        fa[change] = value
        html = page_html(fa)
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SHIPPING))
    write(folder, "fa.html", html)
    arc("ingest", folder)
    assert versions_by_title(arc)[EN_SHIPPING["title"]] == []


# --- forget, prune, re-ingest -----------------------------------------------------------------


def test_forget_one_version_keeps_the_other_and_drops_the_link(arc, tmp_path):
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SWAPS))
    write(folder, "fa.html", page_html(FA_SWAPS, alternates=(("en", url_of(EN_SWAPS)),)))
    write(folder, "en2.html", page_html(EN_SHIPPING))
    write(folder, "fa2.html", page_html(FA_SHIPPING))
    arc("ingest", folder)
    ids = {h["title"]: h["id"] for h in json_hits(arc("query", "--json"))}
    arc("forget", ids[FA_SWAPS["title"]], "--yes")
    arc("forget", ids[EN_SHIPPING["title"]], "--yes")
    found = versions_by_title(arc)
    assert found == {EN_SWAPS["title"]: [], FA_SHIPPING["title"]: []}
    assert "also in" not in arc("show", ids[EN_SWAPS["title"]]).stdout


def test_prune_drops_the_link(arc, tmp_path):
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SWAPS))
    fa = write(folder, "fa.html", page_html(FA_SWAPS, alternates=(("en", url_of(EN_SWAPS)),)))
    arc("ingest", folder)
    fa.unlink()
    arc("ingest", folder, "--prune")
    assert versions_by_title(arc) == {EN_SWAPS["title"]: []}


def test_links_stay_across_reingest_and_an_updated_page(arc, tmp_path):
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SWAPS))
    write(folder, "fa.html", page_html(FA_SWAPS, alternates=(("en", url_of(EN_SWAPS)),)))
    arc("ingest", folder)
    before = versions_by_title(arc)
    arc("ingest", folder)
    assert versions_by_title(arc) == before
    edited = dict(EN_SWAPS, paras=[*EN_SWAPS["paras"], "A paragraph added in an update."])
    write(folder, "en.html", page_html(edited))
    arc("ingest", folder)
    assert versions_by_title(arc) == before
    ids = {h["lang"]: h["id"] for h in json_hits(arc("query", "--json"))}
    (english,) = json_hits(arc("query", "--json", "--lang", "en"))
    assert [v["id"] for v in english["versions"]] == [ids["fa"]]


# --- query --both ----------------------------------------------------------------------------


def test_both_adds_each_hits_version_after_it_once(arc, tmp_path):
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SWAPS))
    write(folder, "fa.html", page_html(FA_SWAPS, alternates=(("en", url_of(EN_SWAPS)),)))
    write(folder, "en2.html", page_html(EN_SHIPPING))
    write(folder, "fa2.html", page_html(FA_SHIPPING))
    arc("ingest", folder)
    # an English query reaches the Persian version through the link
    plain = json_hits(arc("query", "payment", "--json"))
    assert [h["title"] for h in plain] == [EN_SWAPS["title"]]
    both = json_hits(arc("query", "payment", "--json", "--both"))
    assert [(h["title"], h.get("version_of")) for h in both] == [
        (EN_SWAPS["title"], None),
        (FA_SWAPS["title"], plain[0]["id"]),
    ]
    assert both[1]["score"] is None
    # both versions are hits: nothing is added twice
    hits = json_hits(arc("query", "payment OR پرداخت", "--json", "--both"))
    assert sorted(h["title"] for h in hits) == sorted([EN_SWAPS["title"], FA_SWAPS["title"]])
    assert all("version_of" not in h for h in hits)
    human = arc("query", "payment", "--both").stdout
    assert "  ↳ " + FA_SWAPS["title"] in human
    assert f"Persian version of {plain[0]['id']}" in human
    assert "1 match" in human


# --- one author through a version link -------------------------------------------------------


def test_author_in_either_script_finds_both_versions_only_through_the_link(arc, tmp_path):
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SWAPS))
    write(folder, "fa.html", page_html(FA_SWAPS))  # no link yet: two people for all we know
    arc("ingest", folder)
    assert [h["lang"] for h in json_hits(arc("query", "--author", "Kay Soltani", "--json"))] == [
        "en"
    ]
    stats = json.loads(arc("stats", "--json").stdout)
    assert set(stats["authors"]) == {"Kay Soltani", "کیخسرو سلطانی"}
    write(folder, "fa.html", page_html(FA_SWAPS, alternates=(("en", url_of(EN_SWAPS)),)))
    arc("ingest", folder)
    for name in ("Kay Soltani", "کیخسرو سلطانی", "كيخسرو سلطاني"):
        found = json_hits(arc("query", "--author", name, "--json"))
        assert sorted(h["lang"] for h in found) == ["en", "fa"], name
    stats = json.loads(arc("stats", "--json").stdout)
    assert len(stats["authors"]) == 1
    ((person, count),) = stats["authors"].items()
    assert count == 2
    assert sorted([person, *stats["author_spellings"][person]]) == sorted(
        ["Kay Soltani", "کیخسرو سلطانی"]
    )
    # each article keeps its author as written
    assert {h["lang"]: h["authors"] for h in json_hits(arc("query", "--json"))} == {
        "en": ["Kay Soltani"],
        "fa": ["کیخسرو سلطانی"],
    }


# --- raw/ ------------------------------------------------------------------------------------

RAW = Path(__file__).parent.parent / "raw"


@pytest.mark.skipif(not (RAW / "README.md").exists(), reason="no raw/ sample corpus")
def test_raw_sample_versions(arc, tmp_path):
    arc("ingest", RAW, code=3)  # raw/ holds deliberate junk
    found = versions_by_title(arc, "", "-n", "100")
    assert found["Caspian Energy Swaps: Turkmen Gas for Iran's Northern Provinces"] == [
        ("fa", "سوآپ انرژی در خزر: گاز ترکمنستان برای استان‌های شمالی ایران")
    ]
    assert found["Red Sea Shipping Disruptions and Iran's Trade Routes"] == [
        ("fa", "اختلال در کشتیرانی دریای سرخ و مسیرهای تجاری ایران")
    ]
    linked = {title for title, vs in found.items() if vs}
    assert len(linked) == 4  # the two pairs and nothing else
    kay = json_hits(arc("query", "--author", "Kay Soltani", "--json"))
    assert sorted(h["lang"] for h in kay) == ["en", "fa"]
    nasri = json_hits(arc("query", "--author", "رضا نصری", "--json"))
    assert "گفت‌وگوی امنیتی خلیج فارس؛ فرصتی برای همسایگان" in {h["title"] for h in nasri}


# --- rendering and old indexes ---------------------------------------------------------------


def test_version_lines_wrap_and_stay_balanced_on_a_terminal():
    from archive import render
    from archive.models import Hit, Version

    hit = Hit(
        rank=1, id="4c5505e472dc63ad", title=EN_SWAPS["title"], score=1.0, lang="en",
        source="en.html", site="think.example", authors=["Kay Soltani"],
        versions=[Version("9cd807463f468767", "fa", FA_SWAPS["title"], url_of(FA_SWAPS))],
    )  # fmt: skip
    plain = render.format_hit(hit)
    assert f"    also in Persian: {FA_SWAPS['title']} (9cd807463f468767)" in plain.splitlines()
    tty = render.format_hit(hit, terminal=render.Terminal(width=40, is_tty=True))
    for line in tty.splitlines():
        assert render.display_width(line) <= 40, line
        assert line.count(render.FSI) == line.count(render.PDI), line
    strip = str.maketrans("", "", render.FSI + render.PDI)
    line = f"also in Persian: {FA_SWAPS['title']} (9cd807463f468767)".split()
    tty_words = tty.translate(strip).split()
    start = tty_words.index("also")
    assert tty_words[start : start + len(line)] == line  # wrapped, no word lost


def test_index_before_versions_says_rebuild_and_rebuild_links(arc, tmp_path, tmp_index):
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SWAPS))
    write(folder, "fa.html", page_html(FA_SWAPS, alternates=(("en", url_of(EN_SWAPS)),)))
    arc("ingest", folder)
    meta_path = Path(tmp_index) / "archive-meta.json"
    meta = json.loads(meta_path.read_text())
    meta["schema_version"] = 4  # as an index built before url_key and alternates
    meta_path.write_text(json.dumps(meta))
    for args in (("query", "gas"), ("ingest", str(folder))):
        result = arc(*args, code=1)
        assert "run `archive ingest --rebuild`" in result.stderr
        assert result.stderr.count("\n") == 1
    arc("ingest", folder, "--rebuild")
    assert versions_by_title(arc)[EN_SWAPS["title"]] == [("fa", FA_SWAPS["title"])]


def test_hreflang_must_be_one_to_one(arc, tmp_path):
    # two English pages both name one Persian page as their version: neither is
    folder = tmp_path / "pages"
    write(folder, "en.html", page_html(EN_SWAPS, alternates=(("fa", url_of(FA_SWAPS)),)))
    other = dict(EN_SHIPPING, author="Kay Soltani")
    write(folder, "en2.html", page_html(other, alternates=(("fa", url_of(FA_SWAPS)),)))
    write(folder, "fa.html", page_html(FA_SWAPS))
    arc("ingest", folder)
    assert all(vs == [] for vs in versions_by_title(arc).values())
    # and --author does not take the Persian name as Kay Soltani's through such a link
    found = json_hits(arc("query", "--author", "Kay Soltani", "--json"))
    assert sorted(h["lang"] for h in found) == ["en", "en"]


# --- one author through an author page -------------------------------------------------------


def with_author_page(html: str, author: str, href: str, *, how: str = "link") -> str:
    """Add a byline link (or JSON-LD Person) to an author page to a page_html page."""
    if how == "jsonld":
        block = json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "author": {"@type": "Person", "name": author, "sameAs": [href]},
            },
            ensure_ascii=False,
        )
        script = f'<script type="application/ld+json">{block}</script>'
        return html.replace("</head>", script + "</head>")
    byline = f'<p class="byline"><a href="{href}">{author}</a></p>'
    return html.replace("<article>", "<article>" + byline)


@pytest.mark.parametrize("how", ["link", "jsonld"])
def test_extract_binds_author_pages_to_authors(how):
    html = with_author_page(page_html(EN_SWAPS), "Kay Soltani", "/author/12", how=how)
    article = extract_article(RawPage("p.html", html.encode()))
    assert article.authors == ["Kay Soltani"]
    assert article.author_pages == [("Kay Soltani", f"{SITE}/author/12")]


def test_extract_ignores_links_that_are_no_author_page():
    html = with_author_page(page_html(EN_SWAPS), "Kay Soltani", f"{SITE}/en")  # a front page
    html = html.replace("<article>", f'<article><a rel="author" href="{url_of(EN_SWAPS)}">x</a>')
    assert extract_article(RawPage("p.html", html.encode())).author_pages == []


def test_author_page_shared_across_scripts_merges_the_author(arc, tmp_path):
    folder = tmp_path / "pages"
    page = f"{SITE}/author/12"
    write(folder, "en.html", with_author_page(page_html(EN_SWAPS), "Kay Soltani", page))
    # another article (not a version): the same author page under the Persian name
    fa = dict(FA_DROUGHT, author="کیخسرو سلطانی", path="fa/301/drought")
    write(folder, "fa.html", with_author_page(page_html(fa), "کیخسرو سلطانی", page))
    write(folder, "other.html", page_html(EN_SHIPPING))
    arc("ingest", folder)
    for name in ("Kay Soltani", "کیخسرو سلطانی"):
        found = json_hits(arc("query", "--author", name, "--json"))
        assert sorted(h["lang"] for h in found) == ["en", "fa"], name
        assert all(h["versions"] == [] for h in found)  # one person, two articles
    stats = json.loads(arc("stats", "--json").stdout)
    person = next(p for p in stats["authors"] if p in ("Kay Soltani", "کیخسرو سلطانی"))
    assert stats["authors"][person] == 2 and len(stats["authors"]) == 2
    # forgetting one article drops the alias with it
    ids = {h["lang"]: h["id"] for h in json_hits(arc("query", "--author", "Kay Soltani", "--json"))}
    arc("forget", ids["fa"], "--yes")
    assert [h["lang"] for h in json_hits(arc("query", "--author", "Kay Soltani", "--json"))] == [
        "en"
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Kay Soltani", "Maryam Hosseini"),  # two people in one script: a staff page
        ("Kay Soltani", "مریم حسینی"),  # across scripts, and the surnames differ
    ],
)
def test_a_page_given_to_two_people_merges_nobody(arc, tmp_path, first, second):
    folder = tmp_path / "pages"
    page = f"{SITE}/en/about"
    write(folder, "a.html", with_author_page(page_html(EN_SWAPS), first, page))
    other = dict(FA_DROUGHT if second.startswith("م") else EN_SHIPPING, author=second)
    write(folder, "b.html", with_author_page(page_html(other), second, page))
    arc("ingest", folder)
    assert len(json_hits(arc("query", "--author", first, "--json"))) == 1
    assert len(json_hits(arc("query", "--author", second, "--json"))) == 1
    assert len(json.loads(arc("stats", "--json").stdout)["authors"]) == 2
