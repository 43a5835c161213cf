"""Body stage: the readability-style scorer that picks the article element, and line filters."""

from __future__ import annotations

import html
import re
from typing import Any

import lxml.html
from lxml import etree

from archive import text
from archive.extract.page import (
    Block,
    Meta,
    classes,
    drop_tree,
    hint_kind,
    linearize,
    text_of,
)
from archive.extract.patterns import (
    BOILERPLATE_ANYWHERE,
    BOILERPLATE_LINE,
    BYLINE_START,
    HONORIFIC,
    NAME_SPLIT,
    ROLE_WORDS,
    WS,
    is_date_line,
)

ANCESTOR_LEVELS = 3  # how far up a paragraph's score is shared


_PARAGRAPH_TAGS = ("p", "pre", "td", "blockquote")


_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def _class_weight(element: Any) -> float:
    hint = classes(element)
    if not hint:
        return 0.0
    weight = 0.0
    _, negative, positive = hint_kind(hint)
    if negative:
        weight -= 25
    if positive:
        weight += 25
    return weight


_TAG_WEIGHT = {
    "div": 5,
    "article": 10,
    "main": 5,
    "section": 3,
    "pre": 3,
    "td": 3,
    "blockquote": 3,
    "address": -3,
    "ol": -3,
    "ul": -3,
    "dl": -3,
    "dd": -3,
    "dt": -3,
    "li": -3,
    "form": -3,
    "h1": -5,
    "h2": -5,
    "h3": -5,
    "h4": -5,
    "h5": -5,
    "h6": -5,
    "th": -5,
}


def find_body(root: Any, meta: Meta) -> list[Block]:
    """Pick the element holding the article text (and its good siblings); return its blocks."""
    body = root.find("body")
    if body is None:
        body = root
    scores: dict[Any, float] = {}
    text_cache: dict[Any, str] = {}

    def text_len(element: Any) -> str:
        if element not in text_cache:
            text_cache[element] = text_of(element)
        return text_cache[element]

    def add(element: Any, points: float) -> None:
        if element is None or not isinstance(element.tag, str):
            return
        if element not in scores:
            scores[element] = _TAG_WEIGHT.get(element.tag, 0) + _class_weight(element)
        scores[element] += points

    candidates = list(body.iter(*_PARAGRAPH_TAGS))
    # divs carrying text directly (no <p>) count as paragraphs too, as in readability
    for div in body.iter("div", "section", "article"):
        direct = (div.text or "") + "".join(child.tail or "" for child in div)
        if len(direct.strip()) >= 25:
            candidates.append(div)
    for para in candidates:
        content = text_len(para)
        if len(content) < 25:
            continue
        points = 1 + content.count(",") + content.count("،") + min(len(content) // 100, 3)
        parent = para.getparent()
        if parent is None:
            continue
        # as Readability.js: parent full, grandparent half, further ancestors level * 3
        ancestor, level = parent, 0
        while ancestor is not None and level < ANCESTOR_LEVELS and ancestor.tag != "body":
            add(ancestor, points / (1 if level == 0 else 2 if level == 1 else level * 3))
            ancestor, level = ancestor.getparent(), level + 1
        if para.tag in ("div", "section", "article"):
            add(para, points)
    if not scores:
        return [b for b in linearize(body) if len(b.text) >= 25 and b.link_density < 0.5]

    def final(element: Any) -> float:
        content = text_len(element)
        links = sum(len(text_of(a)) for a in element.iter("a"))
        return scores[element] * (1 - links / max(1, len(content)))

    finals = {element: final(element) for element in scores}
    ranked = sorted(finals, key=finals.__getitem__, reverse=True)
    top = ranked[0]
    top_score = finals[top]
    # as Readability.js: when several strong candidates (one card per paragraph) share an
    # ancestor, the ancestor is the article
    rivals = [c for c in ranked[1:5] if finals[c] >= 0.75 * top_score]
    if len(rivals) >= 2:
        for ancestor in top.iterancestors():
            if ancestor.tag in ("body", "html"):
                break
            inside = sum(1 for c in rivals if any(a is ancestor for a in c.iterancestors()))
            if inside >= 2:
                top = ancestor
                top_score = max(finals.get(ancestor, 0.0), top_score)
                break
    # climb while the parent holds about as much score (article text split over wrappers)
    parent = top.getparent()
    while parent is not None and parent.tag != "body" and parent in scores:
        if final(parent) >= top_score * 0.9 and len(text_len(parent)) < 3 * len(text_len(top)):
            top, top_score = parent, final(parent)
            parent = top.getparent()
        else:
            break
    chosen: list[Any] = []
    parent = top.getparent()
    threshold = max(10.0, top_score * 0.2)
    siblings = list(parent) if parent is not None else [top]
    for sibling in siblings:
        if not isinstance(sibling.tag, str):
            continue
        if sibling is top:
            chosen.append(sibling)
            continue
        bonus = 0.0
        if classes(sibling) and classes(sibling) == classes(top):
            bonus = top_score * 0.2
        if sibling in scores and final(sibling) + bonus >= threshold:
            chosen.append(sibling)
        elif sibling.tag == "p":
            content = text_len(sibling)
            links = sum(len(text_of(a)) for a in sibling.iter("a"))
            density = links / max(1, len(content))
            if len(content) > 80 and density < 0.25:
                chosen.append(sibling)
            elif 0 < len(content) <= 80 and density == 0 and re.search(r"[.!?؟]\s*$", content):
                chosen.append(sibling)
    cousins = _continuation_chunks(body, top, chosen, finals, threshold)
    if cousins:
        chosen += cousins
        order = {element: index for index, element in enumerate(body.iter())}
        chosen.sort(key=lambda element: order.get(element, 0))
    blocks: list[Block] = []
    for element in chosen:
        blocks.extend(_prune_container(linearize(element)))
    return blocks


_MAIN_ELEMENTS = "//main | //article | //*[@role='main'] | //*[@itemprop='articleBody']"


_NEVER_ARTICLE = ("nav", "footer", "button", "input", "textarea", "select", "label", "dialog")


def fallback_body(root: Any, title: str) -> tuple[list[str], str]:
    """Find article text on a page where the scorer, after chrome removal, found none.

    `root` is the page as parsed, before `remove_chrome` (whose class hints sometimes cut the
    wrapper that holds the whole article: `one-sidebar`, a hidden-until-scripted `main`). Tried
    in order: the largest main/article element, the scorer on the page without hint-based
    removal, the largest text block. Returns the body lines and the name of the fallback that
    gave them, or ([], "") on a page with no article text at all.
    """
    for element in list(root.iter(*_NEVER_ARTICLE)):
        drop_tree(element)
    mains = [e for e in root.xpath(_MAIN_ELEMENTS) if isinstance(e.tag, str)]
    if mains:
        largest = max(mains, key=lambda e: len(text_of(e)))
        lines = filter_body(_prune_container(linearize(largest)), title)
        if len("\n\n".join(lines)) >= FALLBACK_MIN_CHARS:
            return lines, f"the <{largest.tag}> element"
    lines = filter_body(find_body(root, Meta()), title)
    if len("\n\n".join(lines)) >= FALLBACK_MIN_CHARS:
        return lines, "the scorer without class-hinted chrome removal"
    body = root.find("body")
    blocks = [
        b
        for b in linearize(body if body is not None else root)
        if not b.chrome and b.link_density < 0.5 and len(b.text) >= 25
    ]
    for block in sorted(blocks, key=lambda b: -len(b.text)):
        lines = filter_body([block], title)
        if lines:
            return lines, "the largest text block"
    return [], ""


FALLBACK_MIN_CHARS = 80  # what a fallback must find to be taken over the next one


def _continuation_chunks(
    body: Any, top: Any, chosen: list[Any], finals: dict[Any, float], threshold: float
) -> list[Any]:
    """Return elements elsewhere in the page that continue the article (same tag and class).

    Long articles are often cut into chunks between ad rails (`article__chunks` > grid > body);
    the chunks are cousins of the top candidate, not siblings.
    """
    hint = top.get("class")
    if not hint:
        return []
    taken = set(chosen)
    found = []
    for element in body.iter(top.tag):
        if element in taken or element.get("class") != hint:
            continue
        if any(a in taken for a in element.iterancestors()):
            continue
        if any(d in taken for d in element.iterdescendants()):
            continue
        if finals.get(element, 0.0) >= threshold:
            found.append(element)
    return found


def _prune_container(blocks: list[Block]) -> list[Block]:
    """Drop link lists and tiny fragments inside the chosen container."""
    kept = []
    lists: dict[Any, float] = {}
    # a <p> cut into lines at <br>: a line that is a link (a product's URL under its name)
    # is judged with its paragraph, as trafilatura judges the whole <p>
    paragraphs: dict[Any, list[int]] = {}
    for block in blocks:
        if block.tag == "p":
            sums = paragraphs.setdefault(block.element, [0, 0])
            sums[0] += block.link_chars
            sums[1] += len(block.text)
    for block in blocks:
        density = block.link_density
        if block.tag == "p":
            links, length = paragraphs[block.element]
            density = min(density, links / max(1, length))
        if block.in_list and block.link_chars < len(block.text):
            # an item is a link only in a list of links: a summary list (a linked headline,
            # then its sentence) is text, as trafilatura and Readability judge whole lists;
            # a line that is all link ("Google Scholar" under a reference) stays a link
            density = min(density, _list_density(block.element, lists, density))
        if density > 0.5 and len(block.text) < 400 and not _sentence_with_links(block):
            continue
        if block.in_list and density > 0.3 and len(block.text) < 150:
            continue
        kept.append(block)
    return kept


SENTENCE_OWN_CHARS = 40  # text outside links that makes a link-dense line a sentence
LINK_FARM = 4  # more links than this in a line: a link farm (trafilatura's test too)


def _sentence_with_links(block: Block) -> bool:
    """Tell a sentence carrying a long link from a link line ("Read more: <a>headline</a>").

    As trafilatura: a handful of sentence links is editorial, many links are a farm.
    """
    own = len(block.text) - block.link_chars
    return own >= SENTENCE_OWN_CHARS and block.links <= LINK_FARM


def _list_density(element: Any, cache: dict[Any, float], default: float) -> float:
    """Link density of the list holding `element` (`default` when it is in none)."""
    holder = next((a for a in element.iterancestors("ul", "ol")), None)
    if holder is None:
        return default
    if holder not in cache:
        content = len(text_of(holder))
        links = sum(len(text_of(a)) for a in holder.iter("a"))
        cache[holder] = links / max(1, content)
    return cache[holder]


# A line already in the body is dropped only when it is a copy. Short lines (below
# trafilatura's MIN_DUPLCHECK_SIZE, 100) say the same again in table cells ("0"), list items,
# paragraphs and headings (a meal plan's "Eat every 2-3 hours"); a short <div> line that
# repeats is a widget label (a gallery's photo count, "Zum Vergrößern bitte anklicken").
# A long line is a copy right under itself (a page's two responsive versions), in another
# kind of element than the first (a "Highlights" box quoting the body), or past the second
# time (trafilatura's max_repetitions is 2); interviews repeat their questions, meal plans
# their meals, in the same kind of element.
DEDUP_MIN_CHARS = 100
DEDUP_MAX_REPEATS = 2
REPEATABLE_TAGS = frozenset(("td", "th", "li", "dd", "dt", "p", "h2", "h3", "h4", "h5", "h6"))


def _is_copy(block: Block, times: int, first: tuple[str, str], previous: str) -> bool:
    """Tell whether a line already in the body is a copy (not the text saying it again)."""
    if len(block.text) < DEDUP_MIN_CHARS:
        return block.tag not in REPEATABLE_TAGS
    if (block.tag, block.hint) != first:
        return True
    return times >= DEDUP_MAX_REPEATS or block.text.casefold() == previous


def filter_body(blocks: list[Block], title: str) -> list[str]:
    lines: list[str] = []
    tags: list[str] = []
    seen: dict[str, int] = {}
    first_seen: dict[str, tuple[str, str]] = {}  # (tag, hint) of a line's first copy
    title_key = WS.sub(" ", title).strip().casefold()
    for block in blocks:
        line = block.text
        key = line.casefold()
        if key == title_key:
            continue
        if key in seen and _is_copy(block, seen[key], first_seen[key], lines[-1].casefold()):
            continue
        if BOILERPLATE_LINE.match(line):
            continue
        if len(line) < 300 and BOILERPLATE_ANYWHERE.search(line):
            continue
        if BYLINE_START.match(line) and len(line) < 120 and not re.search(r"[.!?؟]\s*$", line):
            continue
        if len(line) < 60 and is_date_line(line):
            continue
        seen[key] = seen.get(key, 0) + 1
        first_seen.setdefault(key, (block.tag, block.hint))
        lines.append(line)
        tags.append(block.tag)
    # a heading with nothing after it introduces a list that was removed (related topics)
    while lines and (tags[-1] in _HEADINGS or (len(lines[-1]) < 60 and lines[-1].endswith(":"))):
        lines.pop()
        tags.pop()
    return lines


def ld_blocks(ld_body: str) -> list[Block]:
    cleaned = html.unescape(ld_body)
    if "<" in cleaned and re.search(r"</?(?:p|br|div)\b", cleaned, re.I):
        try:
            fragment = lxml.html.fragment_fromstring(cleaned, create_parent="div")
            return linearize(fragment)
        except (etree.ParserError, ValueError):
            cleaned = re.sub(r"<[^>]+>", " ", cleaned)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\r\n|\n", cleaned) if p.strip()]
    return [Block(WS.sub(" ", p), 0, "p", None) for p in paragraphs]


def is_better_ld_body(ld_body: str, body: str) -> bool:
    """Use JSON-LD articleBody when the page's own text looks like it missed most of the article."""
    ld_len = len(ld_body.strip())
    if ld_len < 500:
        return False
    return len(body) < 0.5 * ld_len


def drop_signature(body: str, authors: list[str]) -> str:
    """Drop a closing paragraph that only repeats an author's name (a signature line)."""
    paragraphs = body.split("\n\n")
    names = {text.same_letters_key(text.clean_display(a)) for a in authors}

    def is_signature(paragraph: str) -> bool:
        if len(paragraph) > 150:
            return False
        key = text.same_letters_key(text.clean_display(paragraph))
        parts = [p for p in NAME_SPLIT.split(key) if p]
        named = [p for p in parts if HONORIFIC.sub("", p).strip() in names]
        # "Name, Senior Researcher": the rest of a signature line is roles and affiliations
        return bool(named) and all(p in named or ROLE_WORDS.search(p) for p in parts)

    while len(paragraphs) > 1 and names and is_signature(paragraphs[-1]):
        paragraphs.pop()
    return "\n\n".join(paragraphs)


def first_words(body: str) -> str:
    words = body.split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")

