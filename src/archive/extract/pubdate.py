"""Publication date stage: machine dates in metadata, <time> elements, then dates in the text."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from archive import dates
from archive.extract.page import Block, Meta, is_chrome, text_of, title_index
from archive.extract.patterns import PUBLISHED_WORDS, UPDATE_WORDS


def find_date(
    meta: Meta, root: Any, blocks: list[Block], title: str
) -> tuple[dt.date | None, list[str]]:
    machine = [meta.ld("datePublished"), meta.ld("dateCreated")]
    machine += meta.all(
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
    )
    machine += meta.all("originalpublicationdate", "rnews:datepublished", "article_date_original")
    for blob in meta.all("parsely-page"):
        try:
            parsely = json.loads(blob)
        except ValueError:
            continue
        if isinstance(parsely, dict) and isinstance(parsely.get("pub_date"), str):
            machine.append(parsely["pub_date"])
    local_times = [e.get("datetime") or "" for e in root.iter("time")]
    for value in machine:
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            seconds = value / 1000 if value > 1e11 else value  # Unix milliseconds or seconds
            try:
                value = dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat()
            except (OverflowError, OSError, ValueError):
                continue
        if isinstance(value, str):
            found = _machine_date(value)
            if found and _plausible(found):
                if _is_utc(value):
                    # a UTC stamp may fall on the day before the local date the page shows
                    for other in local_times + meta.all("article:published_time"):
                        local = _machine_date(other) if _has_offset(other) else None
                        if local and abs((local - found).days) <= 1:
                            return local, []
                return found, []
    for element in root.iter("time"):
        if _in_link_list(element) or any(is_chrome(a) for a in element.iterancestors()):
            continue
        value = element.get("datetime")
        found = _machine_date(value) if value else None
        if found is None:
            found = dates.find_date(text_of(element))
        if found and _plausible(found):
            return found, []
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
                    return found, ["date taken from the page text"]
    modified = meta.ld("dateModified") or meta.first("article:modified_time", "og:updated_time")
    if isinstance(modified, str):
        found = dates.parse_date_value(modified)
        if found and _plausible(found):
            return found, ["only a modified date found; used as the date"]
    return None, []


_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])")


def _machine_date(value: str) -> dt.date | None:
    """Return the calendar date written in a machine value (the page's own local day)."""
    match = _ISO_DAY.match(value)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    return dates.parse_date_value(value) or dates.find_date(value)


def _is_utc(value: str) -> bool:
    return bool(re.search(r"(?:Z|[+-]00:?00)\s*$", value.strip()))


def _has_offset(value: str) -> bool:
    return bool(re.search(r"T.*[+-](?!00:?00)\d\d:?\d\d\s*$", value.strip()))


def _plausible(date: dt.date) -> bool:
    return dt.date(1990, 1, 1) <= date <= dt.date.today() + dt.timedelta(days=2)


def _in_link_list(element: Any) -> bool:
    for depth, ancestor in enumerate(element.iterancestors()):
        if ancestor.tag in ("a", "li") or depth > 12:
            return ancestor.tag in ("a", "li")
    return False

