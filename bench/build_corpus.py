"""Build a deterministic benchmark corpus of realistic HTML pages from the shared text sets.

English articles come from the Tehran Times set (plain text, title in the file name); Persian
ones from the Fars News items (title, abstract, paragraphs, tags, link). Each article is wrapped
in one of four site layouts that mirror the sample corpus in raw/:

1. ipis-en  English think-tank page: lead, "1 February 2025", "view 280", "Name, Senior
            Researcher, IPIS", signature, opinions disclaimer, a Persian comment box as chrome.
2. ipis-fa  the same site in Persian: "۱۲ بهمن ۱۴۰۳", "نویسنده: ...", "بازدید ۱۵۴".
3. news-ld  a news page with JSON-LD NewsArticle (several authors, ISO datePublished) and heavy
            boilerplate (cookie banner, share bar, newsletter box, related links).
4. og       an OpenGraph-only page (og:title, article:published_time, no JSON-LD).

Pages are 100-170 KB, like real news pages (menus, inline styles and scripts, SVG icons, footer
link farms, related lists). English and Persian are mixed about half and half; Persian items are
reused with variation (title suffix, rotated and trimmed paragraphs, new URL, date and author)
when the corpus needs more than the 1,500 Fars items. A known fraction of files (1% by default)
are exact byte copies of another page under another file name. A tenth of the Persian think-tank
pages are encoded in windows-1256 (Arabic yeh, ASCII digits, declared in a meta tag), as old
Iranian sites were.

Everything depends only on the seed and the input data: two builds are byte-identical.

Usage:
    .venv/bin/python bench/build_corpus.py --pages 2000 [--out bench/corpus/pages-2000]

Importable: build_corpus(out_dir, pages, ...) -> manifest dict; iter_pages(pages, ...) -> Page
records with their bytes; load_queries(path).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import shutil
import sys
import tarfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BUILDER_VERSION = 6
DEFAULT_SEED = 20250201
DEFAULT_DUP_FRACTION = 0.01
CP1256_FRACTION = 0.10  # of ipis-fa pages
BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DEFAULT_DATA_DIR = Path(os.environ.get("ARCHIVE_BENCH_DATA", REPO_DIR.parent / "shared" / "data"))
TEHRAN_TIMES = Path("tehran-times-en/tehran-times-data.tar.gz")
FARS_DIR = Path("language-ml-persian-news/exploring-datasets/news")

MIN_PAGE_BYTES = 100_000
MAX_PAGE_BYTES = 170_000
MAX_BODY_CHARS = 22_000  # Persian is 2 bytes a letter in UTF-8; the chrome is about 100 KB

DATE_FIRST = dt.date(2005, 3, 21)
DATE_LAST = dt.date(2025, 10, 31)

EN_MONTHS = (
    "January February March April May June July August September October November December"
).split()
FA_MONTHS = [
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
]  # fmt: skip
FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

# Author pools: Iranian researchers and reporters, Latin script for English pages, Persian
# script for Persian pages. Names are combinations, not real people.
EN_GIVEN = (
    "Mohammad Ali Reza Hossein Mahdi Saeed Hamid Majid Kaveh Babak Arash Dariush Farhad Nima "
    "Maryam Zahra Fatemeh Narges Leila Shirin Parisa Nasrin Mina Sara Elham Roya Azadeh Mehdi "
    "Kamran Behrouz Ehsan Amir Hadi Javad Omid Pouya Sina Yasaman Golnar"
).split()
EN_FAMILY = (
    "Ahmadi Hosseini Karimi Moradi Rezaei Jafari Mousavi Sadeghi Rahimi Heidari Ghasemi "
    "Tavakoli Kazemi Ebrahimi Nazari Hashemi Zarei Salehi Farahani Shirazi Tehrani Isfahani "
    "Bagheri Najafi Mohammadi Alavi Asadi Rostami Soltani Yazdani Khorasani Mirzaei Akbari "
    "Golestani Navabi Safavi Zand Motamedi Sharifi Rafiei"
).split()
FA_GIVEN = (
    "محمد علی رضا حسین مهدی سعید حمید مجید کاوه بابک آرش داریوش فرهاد نیما مریم زهرا فاطمه "
    "نرگس لیلا شیرین پریسا نسرین مینا سارا الهام رویا آزاده کامران بهروز احسان امیر هادی "
    "جواد امید پویا سینا یاسمن گلنار"
).split()
FA_FAMILY = (
    "احمدی حسینی کریمی مرادی رضایی جعفری موسوی صادقی رحیمی حیدری قاسمی توکلی کاظمی ابراهیمی "
    "نظری هاشمی زارعی صالحی فراهانی شیرازی تهرانی اصفهانی باقری نجفی محمدی علوی اسدی رستمی "
    "سلطانی یزدانی خراسانی میرزایی اکبری گلستانی نوابی صفوی زند معتمدی شریفی رفیعی"
).split()
EN_ROLES = ["Senior Researcher", "Research Fellow", "Researcher", "Director of Studies"]
FA_ROLES = ["پژوهشگر ارشد", "پژوهشگر", "عضو هیئت علمی"]

EN_STOP = set(
    "about above after again against also among been before being between both could during "
    "each from further have having here into more most other over said says same should some "
    "such than that their them then there these they this those through under until very were "
    "what when where which while with would will your year years last first told added news "
    "agency mehr tehran times according week since many made make does just only well back "
    "including country countries".split()
)
FA_STOP = set(
    "این آن که از به با در برای را تا یا هم نیز اما اگر هر بر شد شده است بود کرد کرده کند "
    "می‌شود می‌کند خود وی ما ایشان آنها همه پس چون گفت افزود گزارش فارس خبرگزاری سال کشور "
    "باید دارد داشت بین پیش روی درباره ادامه همچنین عنوان اینکه چه دیگر".split()
)


def _load_stopwords() -> None:
    """Add hazm's Persian stopword list to FA_STOP: archive's copy of it, which a test pins to
    hazm's own file, so the corpus is the same whether or not hazm is installed."""
    path = Path(__file__).resolve().parent.parent / "src" / "archive" / "data"
    path = path / "persian_stopwords.txt"
    if path.exists():
        FA_STOP.update(w.strip() for w in path.read_text(encoding="utf-8").splitlines())
    try:
        from whoosh.analysis import STOP_WORDS

        EN_STOP.update(STOP_WORDS)
    except ImportError:
        pass


_load_stopwords()

_WORD_EN = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")
_WORD_FA = re.compile(r"[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u200c]+")


class DataMissingError(Exception):
    """The shared data folder (or one of its text sets) is not there."""


@dataclass
class Item:
    """One source text, before layout."""

    key: str
    lang: str
    title: str
    lead: str
    paragraphs: list[str]
    tags: list[str] = field(default_factory=list)


@dataclass
class Page:
    """One generated page, with the facts the query set is drawn from."""

    number: int
    path: str
    layout: str
    lang: str
    site: str
    url: str
    title: str
    authors: list[str]
    date: dt.date
    encoding: str
    words: list[str]
    data: bytes = b""
    item: Item | None = None  # the text the page was rendered from (iter_pages(render=False))


# --------------------------------------------------------------------------- source texts


def _check_data(data_dir: Path) -> None:
    missing = [str(data_dir / p) for p in (TEHRAN_TIMES, FARS_DIR) if not (data_dir / p).exists()]
    if missing:
        raise DataMissingError(
            "benchmark data not found: "
            + ", ".join(missing)
            + " (the shared data folder ../shared/data is needed; set ARCHIVE_BENCH_DATA to "
            "point elsewhere)"
        )


def _title_from_name(name: str) -> str:
    stem = Path(name).stem
    stem = re.sub(r"^_?news_\d+_", "", stem)
    words = stem.split("-")
    out: list[str] = []
    for word in words:
        if word == "s" and out:
            out[-1] += "'s"
        elif word == "S" and out and out[-1] == "U":
            out[-1] = "U.S."
        else:
            out.append(word)
    return " ".join(w for w in out if w)


def _split_long(text: str, rng: random.Random) -> list[str]:
    """Split one long run of text into paragraphs of 2-5 sentences."""
    sentences = re.split(r"(?<=[.!?\"])\s+(?=[A-Z\"])", text.strip())
    paragraphs: list[str] = []
    while sentences:
        take = rng.randint(2, 5)
        paragraphs.append(" ".join(sentences[:take]).strip())
        sentences = sentences[take:]
    return [p for p in paragraphs if p]


def load_english(data_dir: Path, needed: int, seed: int) -> list[Item]:
    """Return `needed` English items (or all usable ones), chosen deterministically."""
    path = data_dir / TEHRAN_TIMES
    usable: list[tuple[str, int]] = []
    with tarfile.open(path, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".txt")]
    for m in members:
        if 1_200 <= m.size <= 12_000:
            usable.append((m.name, m.size))
    usable.sort()
    rng = random.Random(seed * 7 + 1)
    rng.shuffle(usable)
    chosen = {name for name, _ in usable[: max(needed, 1)]}
    texts: dict[str, str] = {}
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            if member.name in chosen:
                handle = tar.extractfile(member)
                if handle is not None:
                    texts[member.name] = handle.read().decode("utf-8", errors="replace")
    items: list[Item] = []
    seen: set[str] = set()
    for name in sorted(texts):
        body = " ".join(texts[name].split())
        if body in seen:  # the set repeats some articles under two ids
            continue
        seen.add(body)
        prng = random.Random(f"{seed}:{name}")
        lines = [ln.strip() for ln in re.split(r"\n|\s{3,}", texts[name]) if ln.strip()]
        paragraphs: list[str] = []
        for line in lines:
            paragraphs.extend(_split_long(line, prng) if len(line) > 700 else [line])
        title = _title_from_name(name)
        if len(paragraphs) < 2 or not title:
            continue
        # Same title or same body after the lead: ingest may rightly call these duplicates.
        if title.casefold() in seen or "\n".join(paragraphs[1:]) in seen:
            continue
        seen.update((title.casefold(), "\n".join(paragraphs[1:])))
        items.append(Item(name, "en", title, paragraphs[0], paragraphs[1:]))
    rng.shuffle(items)
    return items


def load_persian(data_dir: Path) -> list[Item]:
    """Return every usable Fars News item, in a fixed order."""
    items: list[Item] = []
    seen: set[str] = set()
    for path in sorted((data_dir / FARS_DIR).glob("fars-news-*.json")):
        for n, raw in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            title = (raw.get("title") or "").strip()
            paragraphs = [p.strip() for p in raw.get("paragraphs") or [] if p and p.strip()]
            if not title or len(paragraphs) < 2:
                continue
            # The Fars set repeats about ten items; a repeat would be an unplanned duplicate.
            key = title + "\n" + "\n".join(paragraphs)
            if key in seen:
                continue
            seen.add(key)
            lead = (raw.get("abstract") or "").strip() or paragraphs[0]
            tags = [t.strip() for t in raw.get("tags") or [] if t and t.strip()]
            items.append(Item(f"{path.name}#{n}", "fa", title, lead, paragraphs, tags))
    return items


def _trim(item: Item, max_chars: int = MAX_BODY_CHARS) -> Item:
    """Drop trailing paragraphs of very long items so that pages stay under MAX_PAGE_BYTES."""
    kept: list[str] = []
    total = len(item.lead)
    for para in item.paragraphs:
        if kept and total + len(para) > max_chars:
            break
        kept.append(para)
        total += len(para)
    if len(kept) == len(item.paragraphs):
        return item
    return Item(item.key, item.lang, item.title, item.lead, kept, item.tags)


def _vary(item: Item, round_no: int, rng: random.Random) -> Item:
    """Return a reuse of `item` whose title and body differ (so it is no duplicate)."""
    if round_no == 0:
        return item
    paras = list(item.paragraphs)
    shift = round_no % len(paras)
    paras = paras[shift:] + paras[:shift]
    if len(paras) > 3:
        paras.pop(rng.randrange(len(paras)))
    if item.lang == "fa":
        title = f"{item.title} ({_fa_digits(str(round_no + 1))})"
    else:
        title = f"{item.title} (part {round_no + 1})"
    return Item(f"{item.key}~{round_no}", item.lang, title, item.lead, paras, item.tags)


# --------------------------------------------------------------------------- dates and names


def _fa_digits(text: str) -> str:
    return text.translate(FA_DIGITS)


def _jalali_line(date: dt.date) -> str:
    """Persian date line "۱۲ بهمن ۱۴۰۳": archive.dates.format_jalali when it works."""
    try:
        from archive.dates import format_jalali

        return format_jalali(date)
    except (ImportError, NotImplementedError):
        import jdatetime

        j = jdatetime.date.fromgregorian(date=date)
        return _fa_digits(f"{j.day} {FA_MONTHS[j.month - 1]} {j.year}")


def _jalali_iso(date: dt.date) -> str:
    import jdatetime

    j = jdatetime.date.fromgregorian(date=date)
    return f"{j.year:04d}-{j.month:02d}-{j.day:02d}"


def _en_date_line(date: dt.date) -> str:
    return f"{date.day} {EN_MONTHS[date.month - 1]} {date.year}"


def _random_date(rng: random.Random) -> dt.date:
    return DATE_FIRST + dt.timedelta(days=rng.randrange((DATE_LAST - DATE_FIRST).days + 1))


def _author(rng: random.Random, lang: str) -> str:
    if lang == "fa":
        return f"{rng.choice(FA_GIVEN)} {rng.choice(FA_FAMILY)}"
    return f"{rng.choice(EN_GIVEN)} {rng.choice(EN_FAMILY)}"


# --------------------------------------------------------------------------- chrome


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _ident(rng: random.Random, n: int = 6) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))


def _css(rng: random.Random, rules: int) -> str:
    props = [
        "margin:0 auto", "padding:0 12px", "display:flex", "display:none", "color:#1a1a1a",
        "font-size:14px", "line-height:1.6", "border-bottom:1px solid #e5e5e5", "gap:8px",
        "justify-content:space-between", "align-items:center", "background:#f7f7f7",
        "font-family:Vazirmatn,Tahoma,sans-serif", "position:relative", "z-index:20",
        "transition:opacity .2s ease-in-out", "grid-template-columns:repeat(4,1fr)",
        "max-width:1280px", "text-decoration:none", "overflow:hidden", "border-radius:4px",
    ]  # fmt: skip
    out = []
    for _ in range(rules):
        sel = f".{_ident(rng, 3)}-{_ident(rng, 5)}"
        if rng.random() < 0.3:
            sel += f" > .{_ident(rng, 4)}:hover"
        out.append(sel + "{" + ";".join(rng.sample(props, rng.randint(2, 6))) + "}")
    media = "@media (max-width:768px){" + "".join(out[: rules // 6]) + "}"
    return "".join(out) + media


def _js(rng: random.Random, functions: int) -> str:
    out = ["!function(){'use strict';var w=window,d=document;"]
    for _ in range(functions):
        a, b, c = _ident(rng, 2), _ident(rng, 3), _ident(rng, 4)
        out.append(
            f"function {c}{rng.randint(0, 99)}({a},{b}){{var r=[];for(var i=0;i<{a}.length;i++)"
            f"{{if({a}[i]&&{a}[i].{b}!==void 0)r.push({{k:{a}[i].{b},v:'{_ident(rng, 8)}',"
            f"t:{rng.randint(1000, 99999)}}});}}return r.length?r:null}}"
        )
    out.append("w.dataLayer=w.dataLayer||[];w.dataLayer.push({event:'pageview'});}();")
    return "".join(out)


SVG_ICONS = {
    "search": "M15.5 14h-.79l-.28-.27A6.47 6.47 0 0 0 16 9.5 6.5 6.5 0 1 0 9.5 16c1.61 0 "
    "3.09-.59 4.23-1.57l.27.28v.79l5 4.99L20.49 19l-4.99-5zm-6 0C7.01 14 5 11.99 5 9.5S7.01 5 "
    "9.5 5 14 7.01 14 9.5 11.99 14 9.5 14z",
    "menu": "M3 18h18v-2H3v2zm0-5h18v-2H3v2zm0-7v2h18V6H3z",
    "share": "M18 16.08c-.76 0-1.44.3-1.96.77L8.91 12.7c.05-.23.09-.46.09-.7s-.04-.47-.09-.7l7.05-"
    "4.11c.54.5 1.25.81 2.04.81 1.66 0 3-1.34 3-3s-1.34-3-3-3-3 1.34-3 3c0 .24.04.47.09.7L8.04 "
    "9.81C7.5 9.31 6.79 9 6 9c-1.66 0-3 1.34-3 3s1.34 3 3 3c.79 0 1.5-.31 2.04-.81l7.12 4.16c-.05"
    ".21-.08.43-.08.65 0 1.61 1.31 2.92 2.92 2.92s2.92-1.31 2.92-2.92-1.31-2.92-2.92-2.92z",
    "telegram": "M9.78 18.65l.28-4.23 7.68-6.92c.34-.31-.07-.46-.52-.19L7.74 13.3 3.64 12c-.88-"
    ".25-.89-.86.2-1.3l15.97-6.16c.73-.33 1.43.18 1.15 1.3l-2.72 12.81c-.19.91-.74 1.13-1.5.71L"
    "12.6 16.3l-1.99 1.93c-.23.23-.42.42-.83.42z",
    "x": "M18.244 2.25h3.308l-7.227 8.26 8.502 11.24H16.17l-5.214-6.817L4.99 21.75H1.68l7.73-8.835"
    "L1.254 2.25H8.08l4.713 6.231zm-1.161 17.52h1.833L7.084 4.126H5.117z",
    "mail": "M20 4H4c-1.1 0-1.99.9-1.99 2L2 18c0 1.1.9 2 2 2h16c1.1 0 2-.9 2-2V6c0-1.1-.9-2-2-2zm0 "
    "4l-8 5-8-5V6l8 5 8-5v2z",
}


def _svg(name: str) -> str:
    return (
        f'<svg class="icon icon-{name}" viewBox="0 0 24 24" width="20" height="20" '
        f'aria-hidden="true"><path d="{SVG_ICONS[name]}"/></svg>'
    )


NAV_EN = (
    "Politics Economy Nuclear Diplomacy Region Middle East Asia Europe Americas Africa Energy "
    "Oil Gas Culture Art Cinema Sports Football Science Technology Health Environment Tourism "
    "Opinion Analysis Interviews Multimedia Photos Videos Podcasts Archive"
).split()
NAV_FA = (
    "سیاسی اقتصادی بین‌الملل فرهنگی اجتماعی ورزشی علمی فناوری سلامت محیط‌زیست گردشگری "
    "استان‌ها یادداشت گفتگو تحلیل چندرسانه‌ای عکس فیلم پادکست آرشیو انرژی نفت پژوهش "
    "کتاب رویدادها همایش‌ها انتشارات فصلنامه خبرنامه"
).split()


@dataclass
class Site:
    """The fixed chrome of one site: the same on every page of that site, like a real template."""

    key: str
    host: str
    lang: str
    name: str
    head_assets: str
    header: str
    footer: str
    tail_script: str


def _make_site(key: str, host: str, lang: str, name: str, seed: int) -> Site:
    rng = random.Random(f"{seed}:site:{key}")
    nav_words = NAV_FA if lang == "fa" else NAV_EN
    base = f"https://{host}"
    css = _css(rng, 420)
    js = _js(rng, 110)
    head_assets = (
        f'<link rel="preconnect" href="https://cdn.{host}">'
        f'<link rel="icon" href="{base}/favicon.ico">'
        f'<link rel="stylesheet" href="https://cdn.{host}/assets/main.{_ident(rng, 10)}.css">'
        f"<style>{css}</style>"
        '<script async src="https://www.googletagmanager.com/gtag/js?id=G-'
        f'{_ident(rng, 8).upper()}"></script><script>{js}</script>'
    )
    menu_items = []
    for word in nav_words:
        subs = "".join(
            f'<li><a href="{base}/{_ident(rng, 5)}/{rng.randint(10, 999)}">{word} '
            f"{_esc(rng.choice(nav_words))}</a></li>"
            for _ in range(rng.randint(4, 9))
        )
        menu_items.append(
            f'<li class="menu-item has-sub"><a href="{base}/section/{_ident(rng, 6)}">{word}</a>'
            f'<ul class="sub-menu">{subs}</ul></li>'
        )
    header = (
        f'<header class="site-header"><div class="top-bar"><span class="today"></span>'
        f'<a class="lang-switch" href="{base}/{"en" if lang == "fa" else "fa"}">'
        f"{'English' if lang == 'fa' else 'فارسی'}</a>"
        f'<form class="search" action="{base}/search"><input name="q" type="search">'
        f'<button type="submit">{_svg("search")}</button></form></div>'
        f'<div class="brand"><a href="{base}/"><img src="{base}/img/logo.svg" alt="{_esc(name)}">'
        f'</a></div><button class="menu-toggle">{_svg("menu")}</button>'
        f'<nav class="main-nav" aria-label="main"><ul>{"".join(menu_items)}</ul></nav></header>'
    )
    cols = []
    for _ in range(8):
        links = "".join(
            f'<li><a href="{base}/{_ident(rng, 4)}/{_ident(rng, 7)}">'
            f"{_esc(rng.choice(nav_words))} {_esc(rng.choice(nav_words))}</a></li>"
            for _ in range(rng.randint(12, 22))
        )
        cols.append(
            f'<div class="footer-col"><h4>{_esc(rng.choice(nav_words))}</h4><ul>{links}</ul></div>'
        )
    social = "".join(
        f'<a class="social" href="https://{n}.example/{host}">{_svg(n)}</a>'
        for n in ("telegram", "x", "mail", "share")
    )
    rights = "تمامی حقوق محفوظ است" if lang == "fa" else "All rights reserved"
    footer = (
        f'<footer class="site-footer"><div class="footer-cols">{"".join(cols)}</div>'
        f'<div class="social-bar">{social}</div><p class="copyright">© {_esc(name)}. {rights}.</p>'
        f"</footer>"
    )
    tail_script = f"<script>{_js(rng, 40)}</script>"
    return Site(key, host, lang, name, head_assets, header, footer, tail_script)


# --------------------------------------------------------------------------- layouts

LAYOUT_SITES = {
    ("ipis-en", "en"): ("ipis", "www.ipis.ir", "Institute for Political and International Studies"),
    ("ipis-fa", "fa"): ("ipis-fa", "www.ipis.ir", "دفتر مطالعات سیاسی و بین‌المللی"),
    ("news-ld", "en"): ("tehrantimes", "www.tehrantimes.com", "Tehran Times"),
    ("news-ld", "fa"): ("irna", "www.irna.ir", "خبرگزاری جمهوری اسلامی"),
    ("og", "en"): ("bbc-en", "www.bbc.com", "BBC News"),
    ("og", "fa"): ("bbc-fa", "www.bbc.com", "BBC News فارسی"),
}


def _slug(title: str) -> str:
    s = re.sub(r"[^\w\u200c]+", "-", title.lower()).strip("-")
    return s[:80] or "article"


def _url(layout: str, lang: str, host: str, number: int, title: str) -> str:
    aid = 100_000 + number
    if layout == "ipis-en":
        return f"https://{host}/en/subjectview/{aid}/{_slug(title)}"
    if layout == "ipis-fa":
        return f"https://{host}/fa/subjectview/{aid}"
    if layout == "news-ld":
        return f"https://{host}/news/{aid}/{_slug(title)}"
    section = "persian/articles" if lang == "fa" else "news/articles"
    return f"https://{host}/{section}/c{aid:07d}o"


def _paragraphs_html(paras: list[str]) -> str:
    return "".join(f"<p>{_esc(p)}</p>" for p in paras)


def _related(rng: random.Random, pool: list[tuple[str, str]], site: Site, count: int) -> str:
    items = []
    for _ in range(count):
        title, url = pool[rng.randrange(len(pool))]
        items.append(
            f'<li class="related-item"><a href="{url}"><img loading="lazy" '
            f'src="https://cdn.{site.host}/thumb/{rng.randint(10**6, 10**7)}.jpg" alt="" '
            f'width="120" height="80"><span class="related-title">{_esc(title)}</span></a></li>'
        )
    return "".join(items)


def _fill_to(
    size: int,
    target: int,
    rng: random.Random,
    pool: list[tuple[str, str]],
    site: Site,
) -> str:
    """Related/most-read/latest blocks until the page reaches `target` bytes."""
    heads = (
        ["مطالب مرتبط", "پربازدیدترین‌ها", "آخرین اخبار", "پیشنهاد سردبیر", "سایر مطالب"]
        if site.lang == "fa"
        else ["Related", "Most read", "Latest news", "Editor's picks", "More stories"]
    )
    blocks = []
    n = 0
    while size < target:
        count = min(12, max(1, (target - size) // 330 + 1))
        block = (
            f'<section class="rail rail-{n}"><h3>{heads[n % len(heads)]}</h3>'
            f'<ul class="related-list">{_related(rng, pool, site, count)}</ul></section>'
        )
        blocks.append(block)
        size += len(block.encode("utf-8"))
        n += 1
    return "".join(blocks)


def _comment_box(rng: random.Random) -> str:
    return (
        '<div class="comments"><h3 class="comments-title">نظرات کاربران</h3>'
        '<form class="comment-form" method="post" action="/comment">'
        '<input type="text" name="name" placeholder="نام">'
        '<input type="email" name="email" placeholder="ایمیل">'
        '<textarea name="body" placeholder="متن دیدگاه"></textarea>'
        '<p class="hint">متن دیدگاه را وارد کنید. دیدگاه‌های حاوی توهین منتشر نمی‌شود.</p>'
        '<button type="submit">ارسال دیدگاه</button></form>'
        f'<p class="count">{_fa_digits(str(rng.randint(0, 40)))} دیدگاه</p></div>'
    )


def _cookie_banner(lang: str) -> str:
    if lang == "fa":
        text = "این وب‌سایت برای بهبود تجربه شما از کوکی استفاده می‌کند."
        ok = "می‌پذیرم"
    else:
        text = (
            "We use cookies to improve your experience, to analyse traffic and to show "
            "personalised content. By continuing you agree to our cookie policy."
        )
        ok = "Accept all"
    return (
        f'<div id="cookie-consent" class="cookie-banner" role="dialog"><p>{text}</p>'
        f'<button class="accept">{ok}</button><a href="/privacy">Privacy</a></div>'
    )


def _share_bar(url: str) -> str:
    return (
        '<div class="share-bar">'
        + "".join(
            f'<a class="share share-{n}" href="https://{n}.example/share?u={_esc(url)}">{_svg(n)}</a>'
            for n in ("telegram", "x", "mail", "share")
        )
        + "</div>"
    )


def _newsletter(lang: str) -> str:
    if lang == "fa":
        return (
            '<aside class="newsletter"><h4>عضویت در خبرنامه</h4><p>مهم‌ترین خبرهای روز را '
            'هر صبح در ایمیل خود بخوانید.</p><form><input type="email" placeholder="ایمیل">'
            "<button>عضویت</button></form></aside>"
        )
    return (
        '<aside class="newsletter"><h4>Sign up for our newsletter</h4><p>Get the day\'s top '
        'stories in your inbox every morning.</p><form><input type="email" placeholder="Email">'
        "<button>Subscribe</button></form></aside>"
    )


def _render(
    page: Page,
    item: Item,
    site: Site,
    rng: random.Random,
    pool: list[tuple[str, str]],
) -> str:
    lang = page.lang
    direction = "rtl" if lang == "fa" else "ltr"
    charset = page.encoding
    title = item.title
    head_meta = [
        f'<meta charset="{charset}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)} - {_esc(site.name)}</title>",
        f'<link rel="canonical" href="{page.url}">',
    ]
    authors = page.authors
    date = page.date
    if page.layout in ("ipis-en", "ipis-fa"):
        head_meta.append(f'<meta name="description" content="{_esc(item.lead[:200])}">')
    if page.layout == "news-ld":
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "description": item.lead[:300],
            "datePublished": f"{date.isoformat()}T{rng.randint(6, 22):02d}:"
            f"{rng.randint(0, 59):02d}:00+03:30",
            "dateModified": f"{date.isoformat()}T23:10:00+03:30",
            "author": [{"@type": "Person", "name": a} for a in authors],
            "publisher": {"@type": "Organization", "name": site.name,
                          "logo": {"@type": "ImageObject", "url": f"https://{site.host}/logo.png"}},
            "mainEntityOfPage": {"@type": "WebPage", "@id": page.url},
            "inLanguage": lang,
            "keywords": item.tags,
        }  # fmt: skip
        ld_text = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
        head_meta.append(f'<script type="application/ld+json">{ld_text}</script>')
    if page.layout == "og":
        head_meta += [
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{_esc(title)}">',
            f'<meta property="og:description" content="{_esc(item.lead[:200])}">',
            f'<meta property="og:url" content="{page.url}">',
            f'<meta property="og:site_name" content="{_esc(site.name)}">',
            f'<meta property="og:image" content="https://ichef.{site.host}/'
            f'{rng.randint(1, 10**6)}.jpg">',
            f'<meta property="article:published_time" content="{date.isoformat()}T'
            f'{rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}:00Z">',
            f'<meta name="author" content="{_esc(", ".join(authors))}">',
            '<meta name="twitter:card" content="summary_large_image">',
        ]
    if item.tags and page.layout != "news-ld":
        head_meta.append(f'<meta name="keywords" content="{_esc(", ".join(item.tags))}">')

    if page.layout == "ipis-en":
        name = authors[0]
        role = rng.choice(EN_ROLES)
        article = (
            '<div class="subject-view"><div class="breadcrumb"><a href="/en">Home</a> › '
            '<a href="/en/analysis">Analysis</a></div>'
            f'<h1 class="subject-title">{_esc(title)}</h1>'
            f'<div class="lead">{_esc(item.lead)}</div>'
            f'<div class="info"><span class="date">{_en_date_line(date)}</span> '
            f'<span class="view">view {rng.randint(40, 4000)}</span></div>'
            f'<div class="author">{_esc(name)}, {role}, IPIS</div>'
            f'<div class="subject-body">{_paragraphs_html(item.paragraphs)}</div>'
            f'<div class="signature"><strong>{_esc(name)}</strong><br>{role}, IPIS</div>'
            '<div class="disclaimer"><em>The opinions expressed in this article are the '
            "author's own and do not necessarily reflect the views of IPIS.</em></div>"
            f"{_comment_box(rng)}</div>"
        )
    elif page.layout == "ipis-fa":
        date_line = _jalali_line(date)
        views = str(rng.randint(40, 4000))
        if charset != "utf-8":
            date_line = re.sub(r"[۰-۹]+", lambda m: m.group().translate(_ASCII_DIGITS), date_line)
        else:
            views = _fa_digits(views)
        article = (
            '<div class="subject-view"><div class="breadcrumb"><a href="/fa">خانه</a> › '
            '<a href="/fa/analysis">تحلیل</a></div>'
            f'<h1 class="subject-title">{_esc(title)}</h1>'
            f'<div class="lead">{_esc(item.lead)}</div>'
            f'<div class="info"><span class="date">{date_line}</span> '
            f'<span class="view">بازدید {views}</span></div>'
            f'<div class="author">نویسنده: {_esc(authors[0])}</div>'
            f'<div class="subject-body">{_paragraphs_html(item.paragraphs)}</div>'
            '<div class="disclaimer">مطالب منتشر شده صرفاً دیدگاه نویسنده است و لزوماً '
            "بازتاب دیدگاه دفتر مطالعات سیاسی و بین‌المللی نیست.</div>"
            f"{_comment_box(rng)}</div>"
        )
    elif page.layout == "news-ld":
        byline = (" و ".join(authors)) if lang == "fa" else "By " + " and ".join(authors)
        shown_date = _jalali_line(date) if lang == "fa" else _en_date_line(date)
        article = (
            f'{_share_bar(page.url)}<article class="news-article">'
            f'<h1 class="headline">{_esc(title)}</h1>'
            f'<p class="summary">{_esc(item.lead)}</p>'
            f'<div class="meta"><span class="byline">{_esc(byline)}</span> '
            f'<time datetime="{date.isoformat()}">{shown_date}</time></div>'
            f'<figure><img src="https://cdn.{site.host}/photo/{rng.randint(1, 10**7)}.jpg" '
            f'alt=""><figcaption>{_esc(title[:60])}</figcaption></figure>'
            f'<div class="article-body">{_paragraphs_html(item.paragraphs)}</div>'
            + (
                '<ul class="tags">'
                + "".join(f'<li><a href="/tag/{_esc(t)}">{_esc(t)}</a></li>' for t in item.tags)
                + "</ul>"
                if item.tags
                else ""
            )
            + f"</article>{_share_bar(page.url)}{_newsletter(lang)}"
        )
    else:  # og
        article = (
            f'<article><header><h1 id="content">{_esc(title)}</h1></header>'
            f'<div class="byline">{_esc(("، " if lang == "fa" else ", ").join(authors))}'
            "</div>"
            f"<p><b>{_esc(item.lead)}</b></p>{_paragraphs_html(item.paragraphs)}</article>"
        )

    head = "".join(head_meta) + site.head_assets
    top = _cookie_banner(lang) if page.layout in ("news-ld", "og") else ""
    before = (
        f'<!DOCTYPE html><html lang="{lang}" dir="{direction}"><head>{head}</head>'
        f'<body class="{page.layout}">{top}{site.header}<main id="main"><div class="container">'
        f'<div class="col-main">{article}</div><aside class="col-side">'
    )
    after = f"</aside></div></main>{site.footer}{site.tail_script}</body></html>"
    size = len(before.encode("utf-8")) + len(after.encode("utf-8"))
    target = rng.randint(MIN_PAGE_BYTES + 2_000, MAX_PAGE_BYTES - 2_000)
    return before + _fill_to(size, target, rng, pool, site) + after


_ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")


def _encode(html: str, encoding: str) -> bytes:
    if encoding == "utf-8":
        return html.encode("utf-8")
    # Old windows-1256 sites wrote Arabic yeh; characters outside the code page become refs.
    html = html.replace("ی", "ي")
    return html.encode("cp1256", errors="xmlcharrefreplace")


# --------------------------------------------------------------------------- words for queries


def _content_words(text: str, lang: str) -> list[str]:
    if lang == "fa":
        words = [w.strip("\u200c") for w in _WORD_FA.findall(text)]
        return [
            w for w in words if len(w) >= 3 and w.replace("ي", "ی").replace("ك", "ک") not in FA_STOP
        ]
    return [w for w in _WORD_EN.findall(text) if len(w) >= 5 and w.lower() not in EN_STOP]


# --------------------------------------------------------------------------- build


def _plan_layout(rng: random.Random, lang: str) -> str:
    r = rng.random()
    if r < 0.40:
        return "ipis-en" if lang == "en" else "ipis-fa"
    return "news-ld" if r < 0.75 else "og"


def _plan(pages: int, seed: int, dup_fraction: float) -> tuple[list[str], list[int]]:
    """Return the language of each unique page and the numbers of the pages to copy."""
    if pages < 1:
        raise ValueError("pages must be at least 1")
    rng = random.Random(seed)
    dups = int(round(pages * dup_fraction))
    unique = pages - dups
    langs = ["en" if i % 2 == 0 else "fa" for i in range(unique)]
    rng.shuffle(langs)
    copies = sorted(rng.sample(range(unique), dups)) if dups <= unique else []
    return langs, copies


def iter_pages(
    pages: int,
    *,
    seed: int = DEFAULT_SEED,
    data_dir: Path = DEFAULT_DATA_DIR,
    dup_fraction: float = DEFAULT_DUP_FRACTION,
    render: bool = True,
) -> Iterator[Page]:
    """Yield the unique pages, bytes included, one at a time (a big corpus never sits in memory).

    With `render=False` no HTML is made (`data` stays empty) and `item` holds the page's text:
    the same facts and text as the rendered page, for benchmarks of the index alone.

    Raises:
        DataMissingError: the shared data is not there.
    """
    _check_data(Path(data_dir))
    langs, _copies = _plan(pages, seed, dup_fraction)
    need = Counter(langs)
    english = load_english(Path(data_dir), need["en"], seed)
    persian = load_persian(Path(data_dir))
    if not english or not persian:
        raise DataMissingError(f"no usable articles found under {data_dir}")
    sites = {
        key: _make_site(key, host, lang, name, seed)
        for (_, lang), (key, host, name) in LAYOUT_SITES.items()
    }
    # Related-article pools: real titles of the same language, with plausible URLs.
    pools: dict[str, list[tuple[str, str]]] = {}
    for lang, items in (("en", english), ("fa", persian)):
        pool = []
        for k, it in enumerate(items[:3000]):
            pool.append((it.title, f"https://www.example-{lang}.news/story/{900_000 + k}"))
        pools[lang] = pool
    used = {"en": 0, "fa": 0}
    sources = {"en": english, "fa": persian}
    for number, lang in enumerate(langs):
        prng = random.Random(f"{seed}:page:{number}")
        items = sources[lang]
        k = used[lang]
        used[lang] += 1
        item = _trim(_vary(items[k % len(items)], k // len(items), prng))
        layout = _plan_layout(prng, lang)
        site_key, host, _name = LAYOUT_SITES[(layout, lang)]
        site = sites[site_key]
        n_auth = (
            prng.choice((1, 2, 2, 3))
            if layout == "news-ld"
            else (1 if layout.startswith("ipis") else prng.choice((1, 1, 2)))
        )
        authors: list[str] = []
        while len(authors) < n_auth:
            name = _author(prng, lang)
            if name not in authors:
                authors.append(name)
        encoding = "utf-8"
        if layout == "ipis-fa" and prng.random() < CP1256_FRACTION:
            encoding = "windows-1256"
        url = _url(layout, lang, host, number, item.title)
        page = Page(
            number=number,
            path=f"{site_key}/{number:06d}.html",
            layout=layout,
            lang=lang,
            site=host,
            url=url,
            title=item.title,
            authors=authors,
            date=_random_date(prng),
            encoding=encoding,
            words=_content_words(item.title + " " + " ".join(item.paragraphs[:2]), lang),
        )
        if render:
            page.data = _encode(_render(page, item, site, prng, pools[lang]), encoding)
        else:
            page.item = item
        yield page


def build_corpus(
    out_dir: str | Path,
    pages: int,
    *,
    seed: int = DEFAULT_SEED,
    data_dir: str | Path = DEFAULT_DATA_DIR,
    dup_fraction: float = DEFAULT_DUP_FRACTION,
    queries_path: str | Path | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Write `pages` HTML files under `out_dir` and return the manifest.

    The manifest is also written next to the folder (`<out_dir>.manifest.json`, outside the
    corpus so that ingest does not see it). An existing corpus with a matching manifest is
    reused unless `force`. The query set goes to `queries_path` (default: bench/out/queries.json).

    Raises:
        DataMissingError: the shared data is not there.
    """
    out = Path(out_dir)
    manifest_path = out.with_name(out.name + ".manifest.json")
    queries_file = Path(queries_path) if queries_path else BENCH_DIR / "out" / "queries.json"
    key = {"builder_version": BUILDER_VERSION, "pages": pages, "seed": seed,
           "dup_fraction": dup_fraction}  # fmt: skip
    if not force and manifest_path.exists() and out.is_dir():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        if all(old.get(k) == v for k, v in key.items()) and old.get("truth"):
            queries_file.parent.mkdir(parents=True, exist_ok=True)
            queries_file.write_text(
                json.dumps(old["queries"], ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
            old["reused"] = True
            return old
    _check_data(Path(data_dir))
    _langs, copies = _plan(pages, seed, dup_fraction)
    if out.exists():
        shutil.rmtree(out)
    if manifest_path.exists():
        manifest_path.unlink()
    out.mkdir(parents=True)
    total = 0
    sizes = []
    digest = hashlib.sha256()
    page_list: list[Page] = []
    for page in iter_pages(pages, seed=seed, data_dir=Path(data_dir), dup_fraction=dup_fraction):
        target = out / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.data)
        total += len(page.data)
        sizes.append(len(page.data))
        digest.update(page.data)
        page.data = b""
        page_list.append(page)
    dup_plan = []
    for j, src in enumerate(copies):
        copy_path = f"{page_list[src].path.split('/')[0]}/mirror-{j:05d}.html"
        shutil.copyfile(out / page_list[src].path, out / copy_path)
        dup_plan.append((copy_path, src))
        total += sizes[src]
        sizes.append(sizes[src])
    sizes.sort()
    queries = make_queries(page_list, seed=seed)
    manifest: dict[str, Any] = {
        **key,
        "corpus": str(out),
        "files": len(page_list) + len(dup_plan),
        "unique_pages": len(page_list),
        "duplicates": len(dup_plan),
        "duplicate_fraction": round(len(dup_plan) / max(1, len(page_list) + len(dup_plan)), 4),
        "duplicate_files": [p for p, _ in dup_plan],
        "bytes": total,
        "page_bytes": {"min": sizes[0], "median": sizes[len(sizes) // 2], "max": sizes[-1]},
        "lang": dict(sorted(Counter(p.lang for p in page_list).items())),
        "layouts": dict(sorted(Counter(p.layout for p in page_list).items())),
        "encodings": dict(sorted(Counter(p.encoding for p in page_list).items())),
        "sha256": digest.hexdigest(),
        "queries": queries,
        # What each unique page says, for checking what ingest extracted at scale.
        "truth": [
            {
                "path": page.path,
                "url": page.url,
                "title": page.title,
                "authors": page.authors,
                "date": page.date.isoformat(),
                "lang": page.lang,
                "layout": page.layout,
            }
            for page in page_list
        ],
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                             encoding="utf-8")  # fmt: skip
    queries_file.parent.mkdir(parents=True, exist_ok=True)
    queries_file.write_text(json.dumps(queries, ensure_ascii=False, indent=1) + "\n",
                            encoding="utf-8")  # fmt: skip
    manifest["reused"] = False
    return manifest


# --------------------------------------------------------------------------- queries


def _persian_keyboard(text: str) -> str:
    return text.replace("ي", "ی").replace("ك", "ک")


def _query(kind: str, lang: str, q: str, **filters: str | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "lang": lang,
        "q": q,
        "author": filters.get("author"),
        "date_from": filters.get("date_from"),
        "date_to": filters.get("date_to"),
    }


def make_queries(pages: list[Page], *, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """Return a fixed mixed query set drawn from the pages (about 100 queries).

    Kinds: {en,fa}-word, {en,fa}-phrase (quoted, two consecutive title words), {en,fa}-multi
    (two or three words), {en,fa}-author (a word plus an author filter), date-greg (a word plus
    a Gregorian year or month span), date-jalali (a word plus a Solar Hijri span). Persian query
    text uses the Persian keyboard letters (ی ک) even where the source text has Arabic ones.
    """
    rng = random.Random(f"{seed}:queries")
    by_lang = {lang: [p for p in pages if p.lang == lang and p.words] for lang in ("en", "fa")}
    queries: list[dict[str, Any]] = []

    def pick(lang: str) -> Page:
        return by_lang[lang][rng.randrange(len(by_lang[lang]))]

    def norm(lang: str, text: str) -> str:
        return _persian_keyboard(text) if lang == "fa" else text

    for lang in ("en", "fa"):
        if not by_lang[lang]:
            continue
        for _ in range(15):
            page = pick(lang)
            queries.append(_query(f"{lang}-word", lang, norm(lang, rng.choice(page.words))))
        for _ in range(10):
            page = pick(lang)
            title_words = _content_words(page.title, lang)
            tokens = page.title.split()
            strip = ",.:؛،()«»\"'"
            both = [
                (a, b)
                for a, b in zip(tokens, tokens[1:], strict=False)
                if a.strip(strip) in title_words and b.strip(strip) in title_words
            ]
            pairs = both or [
                (a, b)
                for a, b in zip(tokens, tokens[1:], strict=False)
                if a.strip(strip) in title_words or b.strip(strip) in title_words
            ]
            if pairs:
                a, b = rng.choice(pairs)
                phrase = f"{a.strip(strip)} {b.strip(strip)}"
            else:
                phrase = " ".join(page.words[:2])
            queries.append(_query(f"{lang}-phrase", lang, norm(lang, f'"{phrase}"')))
        for _ in range(10):
            page = pick(lang)
            words = rng.sample(page.words, min(len(page.words), rng.choice((2, 3))))
            queries.append(_query(f"{lang}-multi", lang, norm(lang, " ".join(words))))
        for _ in range(6):
            page = pick(lang)
            queries.append(
                _query(
                    f"{lang}-author",
                    lang,
                    norm(lang, rng.choice(page.words)),
                    author=norm(lang, rng.choice(page.authors)),
                )  # fmt: skip
            )
    all_pages = by_lang["en"] + by_lang["fa"]
    for _ in range(8):
        page = all_pages[rng.randrange(len(all_pages))]
        year = page.date.year
        if rng.random() < 0.5:
            dfrom, dto = str(year - rng.randint(0, 2)), str(year + rng.randint(0, 2))
        else:
            dfrom = dto = f"{year}-{page.date.month:02d}"
        queries.append(_query("date-greg", page.lang, norm(page.lang, rng.choice(page.words)),
                              date_from=dfrom, date_to=dto))  # fmt: skip
    for _ in range(8):
        page = all_pages[rng.randrange(len(all_pages))]
        jy, jm, _jd = (int(x) for x in _jalali_iso(page.date).split("-"))
        if rng.random() < 0.5:
            dfrom, dto = str(jy - rng.randint(0, 2)), str(jy)
        else:
            dfrom, dto = f"{jy}-{jm:02d}", f"{jy}-{jm:02d}"
        queries.append(_query("date-jalali", page.lang, norm(page.lang, rng.choice(page.words)),
                              date_from=dfrom, date_to=dto))  # fmt: skip
    for n, q in enumerate(queries, 1):
        q["id"] = f"q{n:03d}"
    return queries


def load_queries(path: str | Path) -> list[dict[str, Any]]:
    """Read a query set written by build_corpus."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--out", help="corpus folder (default bench/corpus/pages-N)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="shared data folder")
    parser.add_argument("--dup-fraction", type=float, default=DEFAULT_DUP_FRACTION)
    parser.add_argument("--queries", help="query set file (default bench/out/queries.json)")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else BENCH_DIR / "corpus" / f"pages-{args.pages}"
    try:
        manifest = build_corpus(out, args.pages, seed=args.seed, data_dir=args.data,
                                dup_fraction=args.dup_fraction, queries_path=args.queries,
                                force=args.force)  # fmt: skip
    except DataMissingError as exc:
        print(f"build_corpus: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"build_corpus: {exc}", file=sys.stderr)
        return 2
    summary = {
        k: v for k, v in manifest.items() if k not in ("queries", "duplicate_files", "truth")
    }
    summary["queries"] = len(manifest["queries"])
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
