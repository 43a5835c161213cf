"""Title stage: the headline the page's own title sources agree on, site names stripped.

The candidates are named by their source: JSON-LD `headline` (and `name`), `og:title`,
`twitter:title`, other meta titles (`dc.title`, `itemprop=headline`, `<meta name=title>`),
`<title>` and the first `<h1>`s. Each is cleaned, and a part beyond a separator is cut off only
when the page names it as the site: `og:site_name`, the JSON-LD publisher, `application-name`,
or the host of the page's URL ("Mozilla - Wikipedia" on en.wikipedia.org). The title is the
text most sources agree on; a tie goes to the source that is most often the headline (metadata
first, then `<title>`, then `<h1>`). Only when `<title>` is the page's one source is a short
last part after a dash or a bar taken for an unnamed site name ("Talks resume - Gulf Monitor").
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from archive.extract.metadata import publisher_name
from archive.extract.page import Meta, text_of
from archive.extract.patterns import WS, site_key

_TITLE_SEPARATORS = re.compile(r"(\s+(?:--|[|\-–—:»«•·~/])\s+|\s*\|\s*|\s+::\s+)")


# where a title may be cut into a part another source confirms: also "Section: Headline"
_RUN_SEPARATORS = re.compile(r"(\s+(?:--|[|\-–—:»«•·~/])\s+|\s*\|\s*|\s+::\s+|:\s+)")


# tie-break between candidates that as many sources support: the usual reliability of each
SOURCE_ORDER = ("jsonld", "meta", "og", "twitter", "jsonld-name", "title", "h1")


_METADATA = frozenset(("jsonld", "meta", "og", "twitter", "jsonld-name"))


_H1_SOURCES = 3  # the first few <h1>s: a site logo is often the first


_HEADERLINK = re.compile(r"\s*[¶#§]\s*$")  # Sphinx/MkDocs anchors glued to headings


@dataclass(frozen=True)
class TitleCandidate:
    source: str  # one of SOURCE_ORDER
    text: str


def title_candidates(root: Any, meta: Meta) -> list[TitleCandidate]:
    """Return the page's title candidates, each named by its source, cleaned of whitespace."""
    found: list[TitleCandidate] = []

    def add(source: str, value: Any) -> None:
        if isinstance(value, str):
            cleaned = _clean(value)
            if cleaned:
                found.append(TitleCandidate(source, cleaned))

    add("jsonld", meta.ld("headline"))
    add("jsonld-name", meta.ld("name"))
    add("og", meta.first("og:title"))
    add("twitter", meta.first("twitter:title"))
    add("meta", meta.first("itemprop:headline", "dc.title", "dc:title", "title", "parsely-title"))
    title_tag = root.find(".//title")
    if title_tag is not None:
        add("title", text_of(title_tag))
    h1s = [t for t in (text_of(e) for e in root.iter("h1")) if t]
    for h1 in h1s[:_H1_SOURCES]:
        add("h1", h1)
    return found


def find_title(root: Any, meta: Meta, site: str | None) -> str:
    """Return the page's title: the candidate most sources agree on, named site parts cut."""
    candidates = title_candidates(root, meta)
    names = _site_names(meta)
    hosts = _host_keys(site)
    cleaned: list[tuple[TitleCandidate, str]] = []
    for candidate in candidates:
        if _is_site(candidate.text, names, hosts):
            continue  # og:title = "Yahoo News": the site's name, not the article's
        cleaned.append((candidate, strip_site_name(candidate.text, names, hosts)))
    if not cleaned:  # every source names the site (a home page): that is the title
        cleaned = [(candidate, candidate.text) for candidate in candidates]
    keys = {_key(text) for _, text in cleaned}
    # a heading on the page confirms a part of <title> too ("Site - Headline", <h2>Headline)
    keys |= {
        _key(t)
        for _, e in zip(range(60), root.iter("h1", "h2", "h3"), strict=False)
        if (t := text_of(e))
    }
    # Three voters: the page's metadata (its most reliable title field: a site that fills
    # og:title and twitter:title from one field does not get two votes), <title>, the <h1>s.
    metadata = [pair for pair in cleaned if pair[0].source in _METADATA]
    metadata.sort(key=lambda pair: SOURCE_ORDER.index(pair[0].source))
    voters = metadata[:1] + [pair for pair in cleaned if pair[0].source not in _METADATA]
    support: dict[str, set[str]] = {}
    first_text: dict[str, str] = {}
    rank: dict[str, int] = {}
    whole = Counter(_key(text) for _, text in voters)
    meta_keys = {_key(text) for _, text in metadata}
    for candidate, text in voters:
        # "Headline - Blog name" agrees with an <h1> "Headline": it supports the headline.
        # A heading alone does not outvote two voters giving the whole text (og:title =
        # <title> = "Post :: Blog", the <h1> the blog's logo); the metadata's headline does.
        shared = whole[_key(text)] >= 2
        text = next(
            (run for run in _end_runs(text) if _key(run) in (meta_keys if shared else keys)),
            text,
        )
        key = _key(text)
        if not key:
            continue
        support.setdefault(key, set()).add(candidate.source)
        first_text.setdefault(key, text)
        order = SOURCE_ORDER.index(candidate.source)
        rank[key] = min(rank.get(key, order), order)
    if not support:
        return ""
    best = max(support, key=lambda k: (len(support[k]), -rank[k]))
    title = first_text[best]
    if {c.source for c in candidates} == {"title"}:
        title = _strip_unnamed_suffix(title)
    return title[:500]


def strip_site_name(
    title: str, site_names: set[str], hosts: set[str] | frozenset[str] = frozenset()
) -> str:
    """Cut parts beyond a separator at either end that the page names as its site."""
    pieces = _TITLE_SEPARATORS.split(title)  # part, separator, part, separator, part ...
    parts, separators = pieces[0::2], pieces[1::2]
    while len(parts) > 1 and _is_site(parts[-1], site_names, hosts):
        parts.pop()
        separators.pop()
    while len(parts) > 1 and _is_site(parts[0], site_names, hosts):
        parts.pop(0)
        separators.pop(0)
    return "".join(p + s for p, s in zip(parts, [*separators, ""], strict=True)).strip()


def _end_runs(text: str) -> list[str]:
    """Return the shorter texts left when separator-delimited parts are cut from either end."""
    pieces = _RUN_SEPARATORS.split(text)
    parts, separators = pieces[0::2], pieces[1::2]
    runs = []
    for cut in range(1, len(parts)):
        kept = parts[:-cut], separators[: len(parts) - cut - 1]
        runs.append("".join(p + s for p, s in zip(kept[0], [*kept[1], ""], strict=True)))
        kept = parts[cut:], separators[cut:]
        runs.append("".join(p + s for p, s in zip(kept[0], [*kept[1], ""], strict=True)))
    return [run.strip() for run in runs if len(run.strip()) >= 10]


def _strip_unnamed_suffix(title: str) -> str:
    # "Long headline - Short Name": with no other source to say otherwise, a short last part
    # after a dash or a bar is the site's name (not after ":" "/" "~", which join headlines)
    pieces = _TITLE_SEPARATORS.split(title)
    parts, separators = pieces[0::2], pieces[1::2]
    if len(parts) > 1 and separators[-1].strip() not in (":", "/", "~"):
        last_words = len(parts[-1].split())
        rest_words = sum(len(p.split()) for p in parts[:-1])
        if last_words <= 3 and rest_words >= 4 and rest_words >= 2 * last_words:
            parts.pop()
            separators.pop()
    return "".join(p + s for p, s in zip(parts, [*separators, ""], strict=True)).strip()


def _clean(value: str) -> str:
    text = WS.sub(" ", html.unescape(value)).strip()
    text = _HEADERLINK.sub("", text)
    return re.sub(r"(?:\s+(?:::|[|\-–—»«•·~/]))+$", "", text).strip()  # a dangling separator


def _key(text: str) -> str:
    return WS.sub(" ", re.sub(r"[^\w\s]+", " ", text.casefold())).strip()


def _site_names(meta: Meta) -> set[str]:
    named = (
        meta.first("og:site_name"),
        publisher_name(meta),
    )
    return {key for key in (site_key(s) for s in named if s) if key}


def _host_keys(site: str | None) -> frozenset[str]:
    """The names a host gives a site: en.wikipedia.org -> wikipedia, wikipediaorg, ..."""
    if not site or "." not in site:
        return frozenset()
    labels = site.lower().removeprefix("www.").split(".")
    keys = {site_key(".".join(labels[i:])) for i in range(len(labels) - 1)}
    keys |= {site_key(label) for label in labels[:-1] if len(label) >= 3}
    return frozenset(k for k in keys if len(k) >= 3)


def _is_site(part: str, site_names: set[str], hosts: set[str] | frozenset[str]) -> bool:
    part_key = site_key(part)
    if not part_key:
        return True
    if any(
        part_key == s or (len(s) >= 3 and (part_key.startswith(s) or s.startswith(part_key)))
        for s in site_names
    ):
        return True
    # "Breitbart News" on breitbart.com, "Factorio.com" on factorio.com
    return any(part_key == h or (len(h) >= 4 and part_key.startswith(h)) for h in hosts)
