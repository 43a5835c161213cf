"""Authors stage: bylines from JSON-LD, meta tags, marked-up names and visible byline lines."""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from typing import Any

from archive import text
from archive.extract.metadata import publisher_name
from archive.extract.page import Block, Meta, classes, is_chrome, text_of, title_index
from archive.extract.patterns import (
    BYLINE_START,
    DIRECTION_MARKS,
    HONORIFIC,
    NAME_SPLIT,
    NAME_STOP,
    NOT_NAME,
    ROLE_WORDS,
    WS,
    is_date_line,
    site_key,
)

# matched against the lowered class/id of every element: without IGNORECASE, three times faster
_NAME_CLASS = re.compile(
    r"(?:author|byline|writer)[-_]{0,2}(?:name|link|title)|author__name|\bauthor\b"
)


_AUTHOR_HREF = re.compile(r"/(?:author|authors|writer|writers|nevisande|journalist)s?/", re.I)


def marked_authors(root: Any) -> list[list[str]]:
    """Return author names marked up in the page: rel=author, name classes, /author/ links."""
    rel = [text_of(a) for a in root.iter("a") if "author" in (a.get("rel") or "").lower()]
    named: list[str] = []
    linked: list[str] = []
    first_parent = None
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("meta", "link", "html", "body"):
            continue
        hint = classes(element)
        is_named = bool(hint and _NAME_CLASS.search(hint.lower())) and len(named) < 10
        is_link = element.tag == "a" and _AUTHOR_HREF.search(element.get("href") or "")
        if not (is_named or is_link) or any(is_chrome(a) for a in element.iterancestors()):
            continue
        if is_named:
            text_value = text_of(element)
            if 2 <= len(text_value) <= 80 and not len(element.findall(".//a")) > 4:
                named.append(text_value)
        if is_link:
            scope = next(
                (a for a in element.iterancestors() if a.tag in ("div", "p", "ul", "section")),
                None,
            )
            if first_parent is None:
                first_parent = scope
            if scope is first_parent:
                linked.append(text_of(element))
    # the innermost name element wins over a whole byline box holding name + role
    named = [n for n in named if not any(o != n and o in n for o in named)]
    return [rel, named, linked]


def find_authors(
    meta: Meta,
    marked: list[list[str]],
    blocks: list[Block],
    title: str,
    site: str | None,
    body_lines: Collection[str] = (),
) -> list[str]:
    """Return the page's authors: JSON-LD, meta tags, marked-up names, then visible bylines.

    `body_lines` are the article's own lines: a line of the article text (but its closing
    signature) is not taken for an unmarked byline (a plain page's first line under its date
    is a subheading or the lead, not a name).
    """
    site_keys = {site_key(s) for s in (site, meta.first("og:site_name"), publisher_name(meta)) if s}
    sources: list[list[str]] = []
    for obj in meta.jsonld:
        if obj.get("author"):
            sources.append(_ld_author_names(obj["author"]))
    sources.append(
        meta.all(
            "author",
            "article:author",
            "dc.creator",
            "byl",
            "sailthru.author",
            "parsely-author",
            "itemprop:author",
        )
    )
    sources.extend(marked)
    for names in sources:
        cleaned = _clean_authors(names, site_keys)
        if cleaned:
            return cleaned
    # a closing signature repeats the byline ("Name, Senior Researcher"): not article text
    lines = list(body_lines)
    article_text = set(lines[:-1]) - set(lines[-1:])
    return _clean_authors(_visible_bylines(blocks, title, article_text), site_keys)


def _ld_author_names(value: Any) -> list[str]:
    names: list[str] = []
    stack = [value]
    while stack and len(names) < 20:
        item = stack.pop(0)
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            kind = item.get("@type")
            if isinstance(kind, str) and kind.lower() == "organization":
                continue
            name = item.get("name")
            if isinstance(name, str):
                names.append(name)
            elif isinstance(name, list):
                stack.extend(name)
    return names


def _visible_bylines(blocks: list[Block], title: str, body_lines: set[str]) -> list[str]:
    start = title_index(blocks, title)
    window = blocks[start : start + 25] if start is not None else blocks[:60]
    for block in window:
        if len(block.text) > 200 or block.link_density > 0.9 and not block.text:
            continue
        match = BYLINE_START.match(block.text)
        if match and (match.end() > 0):
            rest = block.text[match.end() :]
            if rest and _is_by_names(rest):
                return [rest]
    for block in window:
        if re.search(r"author|byline|writer|نویسنده", block.hint, re.I) and len(block.text) < 150:
            return [BYLINE_START.sub("", block.text)]
    # an author line right under the date line (think-tank layouts)
    for previous, block in zip(window, window[1:], strict=False):
        if (
            is_date_line(previous.text)
            and len(previous.text) < 80
            and _looks_like_names(block.text)
            and block.text not in body_lines
        ):
            return [block.text]
    return []


# lower-case words a Latin-script name may hold (al-, van, de ...); any other is a sentence
_NAME_PARTICLES = frozenset(
    "al el bin ibn bint abu de da das del della der di do dos du la le van von y zu".split()
)


def _is_by_names(rest: str) -> bool:
    """Tell whether what follows "By" is names ("By Jane Doe and John Smith"), not a sentence.

    "By most accounts, the talks failed" and "By Monday, officials had agreed" start with
    "By" too: in Latin script every word of a name is capitalised or a name particle.
    """
    if re.match(r"^(?:the|a|an)\b", rest, re.I) or re.search(r"[.!?؟]\s*$", rest):
        return False
    for part in NAME_SPLIT.split(rest):
        words = HONORIFIC.sub("", part).split()
        if len(words) > 5:
            return False
        for word in words:
            if word[:1].isalpha() and word[:1].islower() and word not in _NAME_PARTICLES:
                if not re.match(r"(?:al|el)-", word):
                    return False
    return True


def _looks_like_names(line: str) -> bool:
    if len(line) > 100 or re.search(r"[.!?؟:]\s*$", line) or NOT_NAME.search(line):
        return False
    first = NAME_SPLIT.split(line)[0]
    words = first.split()
    if not 2 <= len(words) <= 5:
        return False
    # a name holds no function words: "Record Month for Ports", "گزارش ویژه اقتصادی" are headings
    if any(_is_function_word(word) for word in words):
        return False
    if re.search(r"[A-Za-z]", first):
        return first[0].isupper() and not ROLE_WORDS.search(first)
    return not ROLE_WORDS.search(first)


def _is_function_word(word: str) -> bool:
    folded = word.casefold().replace("ي", "ی").replace("ك", "ک")
    return folded in text.ENGLISH_STOPWORDS or folded in text.PERSIAN_STOPWORDS


def _clean_authors(raw_names: list[str], site_keys: set[str]) -> list[str]:
    result: list[str] = []
    for raw in raw_names:
        if not isinstance(raw, str) or re.search(r"https?:|www\.", raw):
            continue  # a profile URL, not a name
        raw = html.unescape(raw)
        raw = DIRECTION_MARKS.sub("", raw)
        raw = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", raw)
        raw = BYLINE_START.sub("", raw)
        raw = re.sub(r"^(?:by|از)\s+", "", raw.strip(), flags=re.I)
        raw = HONORIFIC.sub("", raw)
        for part in NAME_SPLIT.split(raw):
            name = WS.sub(" ", part).strip(" -–—:|'\"")
            name = re.sub(r"^(?:by|and|و)\s+", "", name, flags=re.I)
            name = HONORIFIC.sub("", name)
            if not _is_name(name, site_keys):
                continue
            name = text.clean_display(name)
            key = text.same_letters_key(name)
            if key not in (text.same_letters_key(r) for r in result):
                result.append(name)
    return result[:10]


def _is_name(name: str, site_keys: set[str]) -> bool:
    if not 2 <= len(name) <= 60 or NOT_NAME.search(name) or ROLE_WORDS.search(name):
        return False
    if name.casefold() in NAME_STOP or site_key(name) in site_keys:
        return False
    if re.fullmatch(r"[A-Z]{2,6}", name):  # an acronym: IPIS, IRNA
        return False
    if len(name.split()) > 5:
        return False
    return bool(re.search(r"\w", name))

