"""RawPage -> Article: title, authors, date, lang, body, url (lxml for the heavy lifting).

One module per stage: `page` (decode, checks, pre-strip, parse, metadata tags, chrome removal,
text blocks), `body` (the article text), `title`, `authors`, `pubdate`, `metadata` (url,
site, id, lead, summary, tags); `patterns` holds the regexes they share. This module runs
the stages in order.

The page is decoded (`charset.decode_html`), scripts/styles/SVG/comments are cut out with a
regex before parsing (they never hold article text, and skipping them roughly halves parse time),
and the tree is built by lxml's HTML parser. Metadata comes from JSON-LD, OpenGraph/meta tags
and visible text; the body from a readability-style scorer (paragraph length, commas, link
density, class/id hints, sibling merging) followed by line-level boilerplate filters.

Limits, so that no page can hang a batch: only the first `MAX_BYTES` of a page are read (with a
warning), elements nested deeper than `MAX_DEPTH` are ignored, at most `MAX_JSONLD` JSON-LD
blocks of at most `MAX_JSONLD_CHARS` each are parsed, and every tree walk is iterative.

Safe to call in worker processes; never prints.
"""

from __future__ import annotations

import re

from archive import dates, text, versions
from archive.charset import decode_html
from archive.errors import EmptyInputError, NoArticleError, NotHTMLError
from archive.extract.authorpages import collect_links, find_author_pages
from archive.extract.authors import find_authors, marked_authors
from archive.extract.body import (
    drop_signature,
    fallback_body,
    filter_body,
    find_body,
    first_words,
    is_better_ld_body,
    ld_blocks,
)
from archive.extract.metadata import (
    absolute_url,
    find_lead,
    find_summary,
    find_tags,
    make_id,
    normalize_url,
    site_name,
)
from archive.extract.page import (
    _HTML_SIGN,
    MAX_BYTES,
    Meta,
    check_binary,
    collect_meta,
    linearize,
    parse_html,
    parse_jsonld,
    prestrip,
    remove_chrome,
)
from archive.extract.pubdate import find_date
from archive.extract.title import find_title
from archive.models import Article, RawPage

__all__ = ["extract_article", "normalize_url"]

MIN_BODY_CHARS = 80  # below this a page "has no article"


def extract_article(page: RawPage, *, require_body: bool = True) -> Article:
    """Extract the article of one page.

    Never hangs and never raises anything but ExtractionError on any bytes (see module
    docstring for the size and nesting limits).

    Args:
        page: the raw page.
        require_body: when False, a page without article text still gives a record (empty
            body, with a warning) instead of NoArticleError; benchmarks of metadata use it.

    Raises:
        ExtractionError (EmptyInputError, NotHTMLError, NoArticleError): one-line reason.
    """
    data = page.data
    if not data or not data.strip():
        raise EmptyInputError("empty file")
    warnings: list[str] = []
    if len(data) > MAX_BYTES:
        data = data[:MAX_BYTES]
        warnings.append(
            f"page larger than {MAX_BYTES // (1024 * 1024)} MB; only its start was read"
        )
    check_binary(data)
    markup, encoding, charset_warnings = decode_html(
        data, declared=page.declared_charset
    )
    warnings.extend(charset_warnings)
    if not _HTML_SIGN.search(markup[:65536]):
        raise NotHTMLError("no HTML markup found (plain text or another format)")
    if not re.search(r"</html\s*>\s*$", markup[-2000:], re.I):
        if not re.search(r"</(?:body|html)\s*>", markup[-5000:], re.I):
            warnings.append("page looks truncated (no closing </html>)")

    cleaned, jsonld_blobs = prestrip(markup)
    meta = Meta(jsonld=parse_jsonld(jsonld_blobs))
    root = parse_html(cleaned, warnings)
    collect_meta(root, meta)
    ld_url = meta.ld("url")
    url = (
        absolute_url(meta.canonical, page.url)
        or absolute_url(meta.first("og:url"), page.url)
        or absolute_url(ld_url if isinstance(ld_url, str) else None, page.url)
        or page.url
    )
    site = site_name(url, meta)
    title = find_title(root, meta, site)
    # metadata blocks come from the whole page (headers hold dates and bylines)
    blocks = [b for b in linearize(root) if not b.chrome]
    marked = marked_authors(root)
    links = collect_links(root)
    lead = find_lead(root)
    # before chrome removal: page headers and footers carry dates
    date, date_warnings = find_date(meta, root, blocks, title, url, jsonld_blobs, markup)
    remove_chrome(root)
    body_blocks = find_body(root, meta)
    body_lines = filter_body(body_blocks, title)
    body = "\n\n".join(body_lines)
    ld_body = meta.ld("articleBody")
    if isinstance(ld_body, str) and is_better_ld_body(ld_body, body):
        body = "\n\n".join(filter_body(ld_blocks(ld_body), title))
    if not body:
        # chrome removal or the scorer lost the article: look again at the page as parsed
        if isinstance(ld_body, str) and ld_body.strip():
            body, found_by = "\n\n".join(filter_body(ld_blocks(ld_body), title)), "JSON-LD"
        else:
            lines, found_by = fallback_body(parse_html(cleaned), title)
            body = "\n\n".join(lines)
        if body:
            warnings.append(f"article text found by a fallback ({found_by})")
    if len(body) < MIN_BODY_CHARS:
        if not body and require_body:
            raise NoArticleError("no article text found on the page")
        warnings.append("no article text" if not body else "very short article text")
    if not title:
        title = first_words(body)
        warnings.append("no title found; first words of the body used")

    authors = find_authors(meta, marked, blocks, title, site, body.split("\n\n"))
    warnings.extend(date_warnings)
    if date is None:
        warnings.append("no date found")

    lang = text.detect_lang(body or title)
    title = text.clean_display(title)
    summary = lead or find_summary(meta)
    body = drop_signature(body, authors)
    return Article(
        id=make_id(url, title, body),
        title=title,
        body="\n\n".join(text.clean_display(line) for line in body.split("\n\n")),
        lang=lang,
        source=page.location,
        url=url,
        site=site,
        summary=text.clean_display(summary) if summary else None,
        authors=authors,
        date=date,
        date_jalali=dates.to_jalali(date) if date else None,
        tags=find_tags(meta),
        warnings=warnings,
        encoding=encoding,
        alternates=_alternates(meta, url, lang),
        author_pages=find_author_pages(meta, links, authors, url),
    )


MAX_ALTERNATES = 20


def _alternates(meta: Meta, url: str | None, lang: str) -> list[str]:
    """The page's versions in other languages: absolute URLs of its hreflang links.

    A link to a site's or a language's front page (`/fa`, `/en/`, `/`) is the language
    switcher of the template, not a version of this article: it is left out.
    """
    own = versions.url_key(url)
    found: list[str] = []
    for hreflang, href in meta.alternates:
        other = versions.hreflang_lang(hreflang)
        target = absolute_url(href, url)
        if not other or other == lang or not target or versions.is_front_page(target):
            continue
        key = versions.url_key(target)
        if key and key != own and target not in found:
            found.append(target)
    return found[:MAX_ALTERNATES]

