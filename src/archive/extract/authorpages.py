"""Author pages: the URLs a page itself gives for each of its authors.

A byline that links to the author's page (`<a rel="author">`, a link whose text is the
author's name, JSON-LD `author.url` / `sameAs` / `@id`) says who the author is beyond the
spelling: two articles whose authors link to the same page are by one person, in whatever
script each writes the name (`archive.search.versions.page_aliases`). Links to a front page,
to the article itself or outside http(s) are not author pages.
"""

from __future__ import annotations

import re
from typing import Any

from archive import names, versions
from archive.extract.metadata import absolute_url
from archive.extract.page import Meta, text_of

MAX_AUTHOR_PAGES = 10
_AUTHOR_PATH = re.compile(r"/(?:authors?|writers?|nevisande|profile|people)/", re.I)


def collect_links(root: Any) -> list[tuple[str, str, bool]]:
    """Return (text, href, rel=author) of the page's links (before chrome is removed).

    Only a link's own text is read (`element.text`, no descendants): reading the whole text of
    every link of a 130 KB page with link farms cost more than the rest of extraction.
    """
    found = []
    for element in root.iter("a", "link"):
        href = element.get("href")
        if not href:
            continue
        rel = "author" in (element.get("rel") or "").lower().split()
        label = " ".join((element.text or "").split()) if element.tag == "a" else ""
        if not label and element.tag == "a" and (rel or _AUTHOR_PATH.search(href)):
            label = text_of(element)  # <a href="/author/12"><span>Name</span></a>
        if rel or 2 <= len(label) <= 80:
            found.append((label, href.strip(), rel))
        if len(found) >= 5000:
            break
    return found


def _same_name(a: str, b: str) -> bool:
    tokens = names.tokenize_name(a)
    return bool(tokens) and tokens == names.tokenize_name(b)


def _ld_persons(value: Any) -> list[dict[str, Any]]:
    persons: list[dict[str, Any]] = []
    stack = [value]
    while stack and len(persons) < 20:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            kind = item.get("@type")
            if not (isinstance(kind, str) and kind.lower() == "organization"):
                persons.append(item)
    return persons


def find_author_pages(
    meta: Meta, links: list[tuple[str, str, bool]], authors: list[str], url: str | None
) -> list[tuple[str, str]]:
    """Return (author as extracted, absolute author-page URL) pairs, at most MAX_AUTHOR_PAGES."""
    candidates: list[tuple[str, str]] = []
    for obj in meta.jsonld:
        for person in _ld_persons(obj.get("author")):
            owner = next((a for a in authors if _same_name(a, person["name"])), None)
            if owner is None:
                continue
            same_as = person.get("sameAs")
            for value in [
                person.get("url"),
                person.get("@id"),
                *(same_as if isinstance(same_as, list) else [same_as]),
            ]:
                if isinstance(value, str):
                    candidates.append((owner, value))
    words = {w.casefold() for a in authors for w in a.split()}
    for label, href, rel in links:
        owner = None
        if label and any(w.casefold() in words for w in label.split()):
            owner = next((a for a in authors if _same_name(a, label)), None)
        if owner is None and rel and len(authors) == 1:
            owner = authors[0]
        if owner is not None:
            candidates.append((owner, href))
    own = versions.url_key(url)
    found: list[tuple[str, str]] = []
    for owner, value in candidates:
        target = absolute_url(value, url)
        if not target or versions.is_front_page(target) or versions.url_key(target) == own:
            continue
        if (owner, target) not in found:
            found.append((owner, target))
    return found[:MAX_AUTHOR_PAGES]
