"""Metadata stage: canonical url, site, record id, lead, summary and tags."""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from archive import text
from archive.extract.page import Meta, classes, hint_kind, is_chrome, text_of
from archive.extract.patterns import WS


def absolute_url(value: str | None, base: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if base:
        value = urljoin(base, value)
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return value


def normalize_url(url: str) -> str:
    """Return `url` with scheme/host lowercased; fragment, utm_* and trailing slash dropped."""
    parts = urlsplit(url.strip())
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in ("fbclid", "gclid")
    ]
    path = parts.path.rstrip("/")
    host = parts.netloc.lower()
    host = re.sub(r":(80|443)$", "", host)
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(query), ""))


def make_id(url: str | None, title: str, body: str) -> str:
    if url:
        basis = "url:" + normalize_url(url)
    else:
        basis = "text:" + text.normalize(title + "\n" + body)
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def publisher_name(meta: Meta) -> str | None:
    publisher = meta.ld("publisher")
    if isinstance(publisher, list) and publisher:
        publisher = publisher[0]
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        return str(publisher["name"])
    return None


def site_name(url: str | None, meta: Meta) -> str | None:
    if url:
        host = urlsplit(url).hostname
        if host:
            return host.lower().removeprefix("www.")
    return meta.first("og:site_name") or publisher_name(meta)


_LEAD_CLASS = re.compile(
    r"(?:^|[\s_-])(?:lead|lede|standfirst|summary|excerpt|dek|intro|subtitle|sub-?title|rutitr"
    r"|chapeau|teaser|abstract|description)(?:$|[\s_-])",
    re.I,
)


def find_lead(root: Any) -> str | None:
    """Return the visible lead/standfirst of the article (a class-marked short block), if any."""
    for element in root.iter("div", "p", "h2", "span", "section"):
        hint = classes(element)
        if not hint or not _LEAD_CLASS.search(hint) or hint_kind(hint)[0]:
            continue
        value = text_of(element)
        if not 30 <= len(value) <= 800:
            continue
        links = sum(len(text_of(a)) for a in element.iter("a"))
        if links > 0.3 * len(value) or any(is_chrome(a) for a in element.iterancestors()):
            continue
        return value
    return None


def find_summary(meta: Meta) -> str | None:
    ld = meta.ld("description")
    for value in (
        ld if isinstance(ld, str) else None,
        meta.first("og:description", "description", "twitter:description"),
    ):
        if value:
            cleaned = WS.sub(" ", html.unescape(value)).strip()
            if len(cleaned) >= 20:
                return cleaned[:1000]
    return None


def find_tags(meta: Meta) -> list[str]:
    raw: list[str] = meta.all("article:tag")
    keywords = meta.ld("keywords")
    if isinstance(keywords, list):
        raw.extend(k for k in keywords if isinstance(k, str))
    elif isinstance(keywords, str):
        raw.append(keywords)
    if not raw:
        raw = meta.all("keywords", "news_keywords")
    tags: list[str] = []
    for value in raw:
        for part in re.split(r"\s*[,،;؛]\s*", html.unescape(value)):
            tag = text.clean_display(part.strip())
            key = text.same_letters_key(tag)
            if tag and len(tag) <= 60 and key not in (text.same_letters_key(t) for t in tags):
                tags.append(tag)
    return tags[:30]

