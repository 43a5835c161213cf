"""Publication date stage: metadata first, then our Solar Hijri parsing, then htmldate.

Order, first answer wins:

1. the page's machine metadata (JSON-LD `datePublished`, also from a JSON-LD block that is
   not valid JSON; OpenGraph/Dublin Core/CMS meta names, ours and htmldate's table;
   `itemprop=datePublished`). The day is the one written in the stamp
   (`2025-02-10T01:00+04:30` is Feb 10); a UTC stamp takes the local day of another stamp
   for the same instant or of the URL (a page published late in the evening in New York
   carries tomorrow's UTC date); stamps naming different days: the one shown near the
   headline;
2. on Persian/Arabic-script pages, our `<time>` and text parsing (`archive.dates`: Solar
   Hijri, Afghan month names, Persian and Arabic-Indic digits), which htmldate does not read;
3. an element marked `published` (hAtom, microformats), then the dateline (short lines
   around the headline): what readers see as the date, before any scan of the whole page;
4. htmldate (`original_date=True`: the publication date, not the last change) on the tree we
   already parsed: URL, `<abbr>`/`<time>` markup, then text patterns in many languages
   ("Samstag, 19. Juli 2014"). Its fast mode first; its extensive search (every date
   expression in the page, disambiguated) only when fast mode finds nothing: on htmldate's
   800 evaluation pages that is as accurate as extensive alone (0.9075 vs 0.906) and runs
   extensive on 48 pages of 800. A 1 January answer is doubted (often a copyright year);
5. our `<time>` and text parsing on other pages, then a modified date as the last resort.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import json
import logging
import re
from typing import Any

from archive import dates
from archive.extract.page import Block, Meta, is_chrome, text_of, title_index
from archive.extract.patterns import PUBLISHED_WORDS, UPDATE_WORDS

_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "itemprop:datepublished",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "cxenseparse:recs:publishtime",
    "originalpublicationdate",
    "rnews:datepublished",
    "article_date_original",
)
# `"datePublished": "..."` read from a JSON-LD block json.loads refused (a stray quote, a
# trailing comma, two objects back to back): the key/value pair itself is usually intact.
_LD_PUBLISHED_RE = re.compile(r'"date(?:Published|Created)"\s*:\s*"([^"\\]{6,40})"')
# a day in the URL: /2023/11/08/, -2023-11-08-, _20231108_ is too ambiguous to take
_URL_DAY_RE = re.compile(
    r"(?<![0-9])((?:19|20)[0-9]{2})([/_.-])(0?[1-9]|1[0-2])\2(0?[1-9]|[12][0-9]|3[01])(?![0-9])"
)
_ARABIC_LETTER_RE = re.compile("[\u0620-\u064a\u0671-\u06d3\u06fa-\u06ff]")
_LATIN_LETTER_RE = re.compile("[A-Za-z\u00c0-\u024f]")


def find_date(
    meta: Meta,
    root: Any,
    blocks: list[Block],
    title: str,
    url: str | None = None,
    jsonld_blobs: list[str] | None = None,
    markup: str | None = None,
) -> tuple[dt.date | None, list[str]]:
    """Return the publication date of the page and warnings about how it was found.

    Call it before chrome removal: htmldate reads headers and footers too (it works on its
    own copy of the tree once it needs to prune it, so `root` is left as it is).
    """
    found = _metadata_date(meta, root, blocks, title, url, jsonld_blobs or [])
    if found:
        return found, []
    arabic_script = _arabic_script_page(title, blocks)
    if arabic_script:
        found = _time_element_date(root)
        if found:
            return found, []
        found = _text_date(blocks, title)
        if found:
            return found, ["date taken from the page text"]
    found = _marked_date(root)
    if found:
        return found, []
    found = _dateline_date(blocks, title)
    if found:
        return found, ["date taken from the page text"]
    guess = _htmldate(root, url, markup)
    if guess and (guess.month, guess.day) != (1, 1):
        return guess, []
    if not arabic_script:
        found = _time_element_date(root)
        if found:
            return found, []
        found = _text_date(blocks, title)
        if found:
            return found, ["date taken from the page text"]
    if guess:
        return guess, []
    modified = meta.ld("dateModified") or meta.first("article:modified_time", "og:updated_time")
    if isinstance(modified, str):
        found = dates.parse_date_value(modified)
        if found and _plausible(found):
            return found, ["only a modified date found; used as the date"]
    return None, []


def _metadata_date(
    meta: Meta, root: Any, blocks: list[Block], title: str, url: str | None, blobs: list[str]
) -> dt.date | None:
    """Return the publication day the metadata gives, or None.

    The first stamp wins (JSON-LD, then the meta tags in `_META_KEYS` order), with two
    corrections: a UTC stamp takes the local day of another stamp for the same instant (or
    of the URL), and when the stamps name different days, the first one the page also shows
    near its headline is taken (the day readers see).
    """
    values = _machine_values(meta, blobs)
    candidates: list[tuple[dt.date, str]] = []
    for value in values:
        found = _machine_date(value)
        if found and _plausible(found):
            candidates.append((found, value))
    if not candidates:
        return None
    zoned = [v for v in values if _has_offset(v)]
    days = []
    for found, value in candidates:
        if _is_utc(value):
            found = _local_day(found, value, zoned, root, url) or found
        if found not in days:
            days.append(found)
    if len(days) > 1:
        shown = _visible_text(root, blocks, title)
        for day in days:
            if _shows_day(shown, day):
                return day
    return days[0]


def _machine_values(meta: Meta, blobs: list[str]) -> list[str]:
    machine: list[Any] = [meta.ld("datePublished"), meta.ld("dateCreated")]
    if machine == [None, None]:
        for blob in blobs:
            machine += _LD_PUBLISHED_RE.findall(blob[:200_000])
    machine += meta.all(*_META_KEYS)
    machine += meta.all(*_htmldate_meta_names())
    for blob in meta.all("parsely-page"):
        try:
            parsely = json.loads(blob)
        except ValueError:
            continue
        if isinstance(parsely, dict) and isinstance(parsely.get("pub_date"), str):
            machine.append(parsely["pub_date"])
    values = []
    for value in machine:
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            seconds = value / 1000 if value > 1e11 else value  # Unix milliseconds or seconds
            try:
                value = dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat()
            except (OverflowError, OSError, ValueError):
                continue
        if isinstance(value, str) and value.strip():
            values.append(value.strip())
    return values


# Pages up to this many characters get htmldate's extensive search (6 of htmldate's 800
# evaluation pages are larger; a 5 MB page without a date cost 3 s more without the cap).
HTMLDATE_FULL_CHARS = 1_000_000

_NOT_PUBLISHED = frozenset({"gentime", "timestamp", "meta"})


@functools.lru_cache(maxsize=1)
def _htmldate_meta_names() -> tuple[str, ...]:
    """The publication-date meta names htmldate knows beyond `_META_KEYS` (CMS idioms).

    `htmldate.core.DATE_ATTRIBUTES` is not documented API: if a later htmldate moves it,
    this gives nothing, and htmldate's own `find_date` still reads those tags later on.
    """
    try:
        from htmldate.core import DATE_ATTRIBUTES
    except ImportError:
        return ()
    # not publication times: when the page was generated or cached, "meta" itself
    names = {str(name).lower() for name in DATE_ATTRIBUTES} - set(_META_KEYS) - _NOT_PUBLISHED
    return tuple(sorted(names))


def _local_day(
    utc_day: dt.date, utc_value: str, zoned: list[str], root: Any, url: str | None
) -> dt.date | None:
    """Return the page's local day next to a UTC stamp's day, when the page shows one.

    Local evidence is a stamp with a non-zero offset for the same instant (within an hour,
    so comment times and later edits do not count), or a day in the URL.
    """
    moment = _instant(utc_value)
    stamps = [e.get("datetime") or "" for e in root.iter("time")] + zoned
    for other in stamps:
        if not _has_offset(other):
            continue
        local = _machine_date(other)
        when = _instant(other)
        if local is None or abs((local - utc_day).days) != 1:
            continue
        if moment is None or when is None or abs((when - moment).total_seconds()) <= 3600:
            return local
    url_day = _url_day(url)
    if url_day and abs((url_day - utc_day).days) == 1:
        return url_day
    return None


def _visible_text(root: Any, blocks: list[Block], title: str) -> str:
    """The text around the headline and of the `<time>` elements: where pages show the day."""
    parts = [text_of(e) + " " + (e.get("datetime") or "") for e in root.iter("time")]
    start = title_index(blocks, title)
    if start is not None:
        parts += [b.text for b in blocks[max(0, start - 6) : start + 25] if len(b.text) <= 300]
    return " ".join(parts)


def _shows_day(text: str, day: dt.date) -> bool:
    """Tell whether `text` writes `day` (numeric forms in any order, or a written date)."""
    y, m, d = day.year, day.month, day.day
    forms = {
        f"{y}-{m:02d}-{d:02d}", f"{d}.{m}.{y}", f"{d:02d}.{m:02d}.{y}", f"{d:02d}/{m:02d}/{y}",
        f"{y}/{m:02d}/{d:02d}", f"{d}.{m:02d}.{y}", f"{d:02d}.{m}.{y}",
    }  # fmt: skip
    folded = re.sub(r"\s*([./-])\s*", r"\1", text)
    if any(re.search(rf"(?<![0-9]){re.escape(f)}(?![0-9])", folded) for f in forms):
        return True
    return any(found == day for found, _s, _e in dates.iter_dates(text))


def _url_day(url: str | None) -> dt.date | None:
    if not url:
        return None
    for match in _URL_DAY_RE.finditer(url):
        try:
            return dt.date(int(match[1]), int(match[3]), int(match[4]))
        except ValueError:
            continue
    return None


_STAMP_RE = re.compile(
    r"\s*([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}(?::[0-9]{2})?)(?:[.,][0-9]+)?"
    r"\s*(Z|[+-][0-9]{2}:?[0-9]{2})\s*$",
    re.I,
)


def _instant(value: str) -> dt.datetime | None:
    """Return the aware datetime of an ISO stamp with a zone (Python 3.10's fromisoformat)."""
    match = _STAMP_RE.fullmatch(value)
    if not match:
        try:
            moment = email.utils.parsedate_to_datetime(value)  # RFC 2822
        except (TypeError, ValueError, IndexError):
            return None
        return moment if moment.tzinfo else None
    zone = match[3].upper()
    zone = "+00:00" if zone == "Z" else zone if ":" in zone else zone[:3] + ":" + zone[3:]
    try:
        return dt.datetime.fromisoformat(f"{match[1]}T{match[2]}{zone}")
    except ValueError:
        return None


def _arabic_script_page(title: str, blocks: list[Block]) -> bool:
    """Tell whether the page is written in Arabic script (Persian, Dari, Arabic)."""
    sample = title + " " + " ".join(b.text for b in blocks[:40])[:4000]
    arabic = len(_ARABIC_LETTER_RE.findall(sample))
    return arabic > 20 and arabic > len(_LATIN_LETTER_RE.findall(sample))


def _time_element_date(root: Any) -> dt.date | None:
    for element in root.iter("time"):
        if _in_link_list(element) or any(is_chrome(a) for a in element.iterancestors()):
            continue
        value = element.get("datetime")
        found = _machine_date(value) if value else None
        if found is None:
            found = dates.find_date(text_of(element))
        if found and _plausible(found):
            return found
    return None


def _text_date(blocks: list[Block], title: str) -> dt.date | None:
    start = title_index(blocks, title)
    windows = []
    if start is not None:
        windows.append(blocks[max(0, start - 6) : start + 25])
    windows.append([b for b in blocks if re.search(r"date|time|publish|تاریخ|زمان", b.hint, re.I)])
    windows.append(blocks[:80])
    for window in windows:
        for block in window:
            if block.in_list or block.link_density > 0.5 or len(block.text) > 300:
                continue
            for found, s, _e in dates.iter_dates(block.text):
                if UPDATE_WORDS.search(block.text[:s]) and not PUBLISHED_WORDS.search(
                    block.text[:s]
                ):
                    continue
                if _plausible(found):
                    return found
    return None


_PUBLISHED_CLASSES = frozenset(
    "published dt-published date-published published-date publish-date post-published "
    "entry-published".split()
)
_DOTTED_DAY_RE = re.compile(
    r"(?<![0-9.])([0-3]?[0-9])\.\s?([01]?[0-9])\.\s?((?:19|20)[0-9]{2})(?![0-9])"
)


def _marked_date(root: Any) -> dt.date | None:
    """Return the date of the element marked as the publication date (hAtom, microformats 2).

    `<abbr class="published" title="2012-12-16T10:00">`, `<span class="dt-published">`:
    the attribute if it holds a date, else the text, where a dotted day-first date
    (16.12.2012) is read too: dots are the day-first convention wherever they are used.
    """
    elements = root.xpath("//*[contains(@class, 'publish')]")
    for element in elements[:50]:
        tokens = set((element.get("class") or "").lower().split())
        if not tokens & _PUBLISHED_CLASSES or _in_list_item(element):
            continue
        if any(is_chrome(a) for a in element.iterancestors()):
            continue
        found = None
        for attribute in ("datetime", "title", "content"):
            value = element.get(attribute)
            found = _machine_date(value) if value else None
            if found:
                break
        if found is None:
            text = text_of(element)[:200]
            found = dates.find_date(text) or _dotted_day(text)
        # the first marked element decides: a later one is a teaser or a comment
        return found if found and _plausible(found) else None
    return None


def _dotted_day(text: str) -> dt.date | None:
    match = _DOTTED_DAY_RE.search(text)
    if not match:
        return None
    try:
        return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None


def _in_list_item(element: Any) -> bool:
    for depth, ancestor in enumerate(element.iterancestors()):
        if ancestor.tag == "li":
            return True
        if depth > 12:
            break
    return False


def _dateline_date(blocks: list[Block], title: str) -> dt.date | None:
    """Return a date written in the dateline: the short lines right around the headline."""
    start = _headline_index(blocks, title)
    if start is None:
        return None
    for block in blocks[max(0, start - 2) : start + 6]:
        if block.in_list or block.link_density > 0.5 or len(block.text) > 120:
            continue
        for found, s in _written_dates(block.text):
            if UPDATE_WORDS.search(block.text[:s]) and not PUBLISHED_WORDS.search(block.text[:s]):
                continue
            if _plausible(found):
                return found
    return None


def _written_dates(text: str) -> list[tuple[dt.date, int]]:
    """The dates written in a line with their offsets: `archive.dates` forms and 16.12.2012."""
    found = [(date, start) for date, start, _end in dates.iter_dates(text)]
    for match in _DOTTED_DAY_RE.finditer(text):
        try:
            found.append((dt.date(int(match[3]), int(match[2]), int(match[1])), match.start()))
        except ValueError:
            continue
    return sorted(found, key=lambda pair: pair[1])


def _headline_index(blocks: list[Block], title: str) -> int | None:
    """The block of the headline: the `<h1>` that says the title, else `title_index`'s."""
    key = re.sub(r"\W+", " ", title.casefold()).strip()[:40]
    if key:
        for index, block in enumerate(blocks):
            if block.tag == "h1" and re.sub(r"\W+", " ", block.text.casefold()).strip()[:40] == key:
                return index
    return title_index(blocks, title)


def _htmldate(root: Any, url: str | None, markup: str | None) -> dt.date | None:
    """Ask htmldate: fast mode, then extensive search only if fast mode found nothing.

    A 1 January answer is often a year alone (a copyright line), and the tree we parsed has
    no scripts (pages keep dates in their JSON state): then htmldate also reads the page's
    own markup, and our `<time>`/text parsing may give the full date. Extensive search and
    the second reading cost ~0.3 s per MB of page: pages above `HTMLDATE_FULL_CHARS` get
    fast mode only.
    """
    small = markup is None or len(markup) <= HTMLDATE_FULL_CHARS
    found = _ask_htmldate(root, url, small)
    if found and (found.month, found.day) != (1, 1):
        return found
    if markup and small:
        again = _ask_htmldate(markup, url, True)
        if again and (again.month, again.day) != (1, 1):
            return again
        found = found or again
    return found


def _ask_htmldate(document: Any, url: str | None, extensive: bool) -> dt.date | None:
    import htmldate  # ~0.1 s to import (dateparser): only ingest workers pay it, once

    logging.getLogger("htmldate").setLevel(logging.CRITICAL)  # it logs each miss as an error
    for mode in (False, True) if extensive else (False,):
        try:
            value = htmldate.find_date(document, extensive_search=mode, original_date=True, url=url)
        except Exception:  # noqa: BLE001 - a peer library's failure is a miss, not a crash
            return None
        found = dates.parse_date_value(value) if value else None
        if found and _plausible(found):
            return found
    return None


_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])")


def _machine_date(value: str) -> dt.date | None:
    """Return the calendar date written in a machine value (the page's own local day)."""
    match = _ISO_DAY.match(value)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    return dates.parse_date_value(value) or dates.find_date(value) or _dotted_day(value)


def _is_utc(value: str) -> bool:
    return bool(re.search(r"(?:Z|[+-]00:?00)\s*$", value.strip()))


def _has_offset(value: str) -> bool:
    """Tell whether a stamp has a time and a non-zero zone offset (ISO 8601 or RFC 2822)."""
    return bool(_OFFSET_RE.search(value))


_OFFSET_RE = re.compile(
    r"[0-9]:[0-9]{2}(?::[0-9]{2})?(?:[.,][0-9]+)?\s*[+-](?!00:?00)[0-9]{2}:?[0-9]{2}\s*$"
)


def _plausible(date: dt.date) -> bool:
    return dt.date(1990, 1, 1) <= date <= dt.date.today() + dt.timedelta(days=2)


def _in_link_list(element: Any) -> bool:
    for depth, ancestor in enumerate(element.iterancestors()):
        if ancestor.tag in ("a", "li") or depth > 12:
            return ancestor.tag in ("a", "li")
    return False
