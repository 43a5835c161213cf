"""Versions of one article in two languages: the rules, without the index (stdlib only).

Two stored articles are versions of one work when

1. **hreflang**: one of them declares the other's URL in `<link rel="alternate" hreflang=…>`
   (one side is enough: many sites link only from the translation to the original), or, when
   neither declares an alternate in the other language,
2. **matched**: same site, other language, dates at most `MAX_DAYS` apart, the same authors
   (`names.names_match`, one to one), and the same shape (`shapes_match`), and each is the only
   such candidate of the other (a second candidate on either side means no link).

Links are not stored: `archive.search.versions` resolves them from the index each time, so
they hold whichever page came first or in which run, and a forgotten or pruned version
simply stops being found (the other stays as it was).

Precision first: a wrong link is worse than none. The shape test needs figures the texts
share, because a translation keeps its numbers (years, percentages, amounts, counts) while two
articles by one author on one day rarely share several; paragraph counts and the length
ratio rule out a brief against a long analysis.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from archive import names

MAX_DAYS = 2  # a translation is published the same day or within two days

# Shape thresholds (see shapes_match).
MIN_SHARED_NUMBERS = 3
MIN_NUMBER_DICE = 0.5
MIN_PARAGRAPH_RATIO = 0.75
MIN_LENGTH_RATIO = 0.6  # shorter / longer text; a Persian version has 0.8-1.1 of the English

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# 1,250 · 1٬250 · 3.5 · ۳٫۵ · 12%: separators folded before numbers are read
_NUMBER = re.compile(r"\d+(?:[.,٫٬]\d+)*")


def url_key(url: str | None) -> str:
    """Return the form two pages' URLs are compared in: host without www, path, query.

    Scheme, port, fragment, case of the host and a trailing slash do not matter (hreflang
    links are often written http:// on an https:// site, or without the slash).
    """
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
    except ValueError:
        return ""
    if not host:
        return ""
    path = parts.path.rstrip("/") or ""
    key = f"{host}{path}" + (f"?{parts.query}" if parts.query else "")
    return key.replace(",", "%2C").replace(" ", "%20")  # the index field splits on commas


_LANGUAGE_SEGMENT = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,4})?$", re.I)


def is_front_page(url: str) -> bool:
    """Whether `url` is a site's or a language's front page (`/`, `/fa`, `/en-us/`)."""
    try:
        segments = [s for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return True
    return not segments or (len(segments) == 1 and bool(_LANGUAGE_SEGMENT.match(segments[0])))


def hreflang_lang(value: str) -> str:
    """Return the language of an hreflang value: `fa-IR` -> `fa`, `x-default` -> ``."""
    primary = value.strip().lower().replace("_", "-").split("-", 1)[0]
    return "" if primary in ("x", "") else primary


@dataclass(frozen=True)
class Shape:
    """What a text and its translation keep: paragraphs, figures, length."""

    paragraphs: int
    numbers: frozenset[str]
    chars: int


def text_shape(body: str) -> Shape:
    """Return the shape of an article body (paragraphs separated by blank lines)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body or "") if p.strip()]
    numbers = set()
    for match in _NUMBER.finditer((body or "").translate(_DIGITS)):
        value = re.sub(r"[,٬]", "", match.group()).replace("٫", ".")
        # one digit alone is everywhere (lists, "2 sides"): only figures of 2+ digits count
        if len(value.replace(".", "")) >= 2:
            numbers.add(value)
    return Shape(len(paragraphs), frozenset(numbers), len(" ".join((body or "").split())))


def shapes_match(a: Shape, b: Shape) -> bool:
    """Whether two bodies can be one text in two languages (precision first).

    - at least MIN_SHARED_NUMBERS figures in common and a Dice overlap of MIN_NUMBER_DICE:
      the decisive test (a Persian version may give years in the Solar Hijri calendar, so
      not every figure carries over, but amounts, percentages and counts do);
    - paragraph counts within MIN_PARAGRAPH_RATIO of each other (or one apart);
    - the shorter text at least MIN_LENGTH_RATIO of the longer (in characters).
    """
    shared = len(a.numbers & b.numbers)
    if shared < MIN_SHARED_NUMBERS:
        return False
    if 2 * shared / (len(a.numbers) + len(b.numbers)) < MIN_NUMBER_DICE:
        return False
    low, high = sorted((a.paragraphs, b.paragraphs))
    if high - low > 1 and low / high < MIN_PARAGRAPH_RATIO:
        return False
    if not a.chars or not b.chars:
        return False
    ratio = min(a.chars, b.chars) / max(a.chars, b.chars)
    return ratio >= MIN_LENGTH_RATIO


def author_page_terms(pages: Iterable[tuple[str, str]]) -> list[str]:
    """Return the index terms of an article's author pages: `URL key|name as written`."""
    terms: list[str] = []
    for name, url in pages:
        key = url_key(url)
        written = " ".join(name.replace(",", " ").replace("|", " ").split())
        term = f"{key}|{written}"
        if key and written and term not in terms:
            terms.append(term)
    return terms


def split_author_page_term(term: str) -> tuple[str, str]:
    """Inverse of `author_page_terms` for one term: (URL key, name)."""
    key, _, name = term.rpartition("|")
    return key, name


_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


def is_one_person(written: Sequence[str]) -> bool:
    """Whether the names one author page is given can all be one person's.

    At most one person per script: the Latin-script names must all match each other
    (`names.names_match`), and so must the Persian-script ones; and across scripts they must
    share a name key (`names.name_keys`: the surname agrees, Kay Soltani and کیخسرو سلطانی).
    A page given to two people (a staff page, the site's about page) is no author's page.
    """
    if not written:
        return False
    keys = set(names.name_keys(written[0]))
    if any(not keys & set(names.name_keys(other)) for other in written[1:]):
        return False
    for in_script in (
        [n for n in written if _ARABIC_SCRIPT.search(n)],
        [n for n in written if not _ARABIC_SCRIPT.search(n)],
    ):
        if in_script and any(not names.names_match(in_script[0], o) for o in in_script[1:]):
            return False
    return True


def authors_match(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two author lists name the same people, one to one, across scripts."""
    if not a or len(a) != len(b):
        return False
    left = list(b)
    for name in a:
        for k, other in enumerate(left):
            if names.names_match(name, other):
                del left[k]
                break
        else:
            return False
    return True


def paired_authors(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, str]]:
    """Pair the authors of two versions of one article: the same people, as each wrote them.

    Names that `names_match` pair first; what is left pairs only when exactly one name is left
    on each side (one author each, or all others accounted for): otherwise nobody is paired
    (which of two unmatched names is which person is a guess).
    """
    left_a, left_b = list(a), list(b)
    pairs: list[tuple[str, str]] = []
    for name in list(left_a):
        for other in left_b:
            if names.names_match(name, other):
                pairs.append((name, other))
                left_a.remove(name)
                left_b.remove(other)
                break
    if len(left_a) == 1 and len(left_b) == 1:
        pairs.append((left_a[0], left_b[0]))
    return pairs
