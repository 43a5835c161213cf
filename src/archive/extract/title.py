"""Title stage: the headline among JSON-LD, og:title, <h1> and <title>, site names stripped."""

from __future__ import annotations

import html
import re
from typing import Any

from archive.extract.metadata import publisher_name
from archive.extract.page import Meta, text_of
from archive.extract.patterns import WS, site_key

_TITLE_SEPARATORS = re.compile(r"(\s+[|\-–—:»«•·~/]\s+|\s*\|\s*|\s+::\s+)")


def find_title(root: Any, meta: Meta, site: str | None) -> str:
    headline = meta.ld("headline") or meta.ld("name")
    h1 = next((t for t in (text_of(e) for e in root.iter("h1")) if t), "")
    title_tag = root.find(".//title")
    candidates = [
        headline if isinstance(headline, str) else None,
        meta.first("og:title", "twitter:title"),
        h1,
        text_of(title_tag) if title_tag is not None else None,
        meta.first("itemprop:headline", "title", "dc.title"),
    ]
    site_names = {
        site_key(s)
        for s in (
            site,
            meta.first("og:site_name"),
            publisher_name(meta),
            meta.first("application-name"),
        )
        if s
    }
    headings = {text_of(e) for _, e in zip(range(60), root.iter("h1", "h2", "h3"), strict=False)}
    headings.discard("")
    for position, candidate in enumerate(candidates):
        if candidate and position == 3:
            # `<title>` = "site - headline": the part that is also a heading on the page
            whole = WS.sub(" ", html.unescape(candidate)).strip()
            for match in _TITLE_SEPARATORS.finditer(whole):
                for part in (whole[: match.start()].strip(), whole[match.end() :].strip()):
                    if len(part) >= 10 and part in headings:
                        return part[:500]
        if candidate:
            cleaned = strip_site_suffix(
                WS.sub(" ", html.unescape(candidate)).strip(),
                site_names,
                h1,
                guess=position >= 3,  # headline, og:title and h1 carry real suffixes (– گزارش)
            )
            if cleaned:
                return cleaned[:500]
    return ""


def strip_site_suffix(title: str, site_names: set[str], h1: str, guess: bool = True) -> str:
    if h1 and len(h1) >= 10 and h1 != title and h1 in title:
        rest = site_key(title.replace(h1, ""))
        if not rest or any(rest == s or s in rest for s in site_names if s):
            return h1
    pieces = _TITLE_SEPARATORS.split(title)  # part, separator, part, separator, part ...
    parts, separators = pieces[0::2], pieces[1::2]
    if len(parts) < 2:
        return title

    def is_site(part: str) -> bool:
        part_key = site_key(part)
        if not part_key:
            return True
        return any(
            part_key == s or (len(s) >= 3 and (part_key.startswith(s) or s.startswith(part_key)))
            for s in site_names
        )

    while len(parts) > 1 and is_site(parts[-1]):
        parts.pop()
        separators.pop()
    while len(parts) > 1 and is_site(parts[0]):
        parts.pop(0)
        separators.pop(0)
    if len(parts) > 1 and guess and separators[-1].strip() not in (":", "/", "~"):
        # "Long headline - Short Name": a short last part after a dash or bar is a site name
        last_words = len(parts[-1].split())
        rest_words = sum(len(p.split()) for p in parts[:-1])
        if last_words <= 3 and rest_words >= 4 and rest_words >= 2 * last_words:
            parts.pop()
            separators.pop()
    return "".join(p + s for p, s in zip(parts, [*separators, ""], strict=True)).strip()

