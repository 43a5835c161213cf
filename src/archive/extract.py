"""RawPage -> Article: title, authors, date, lang, body, url (lxml for the heavy lifting).

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

import datetime as dt
import functools
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from archive import dates, text
from archive.charset import decode_html
from archive.errors import EmptyInputError, NoArticleError, NotHTMLError
from archive.models import Article, RawPage

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 120
MAX_JSONLD = 20
MAX_JSONLD_CHARS = 500_000
ANCESTOR_LEVELS = 3  # how far up a paragraph's score is shared
MIN_BODY_CHARS = 80  # below this a page "has no article"

_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%!PS", "a PostScript document"),
    (b"\x7fELF", "an executable"),
    (b"{\\rtf", "an RTF document"),
)
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_HTML_SIGN = re.compile(
    r"<(?:!doctype\s+html|html|head|body|title|meta|p|div|article|h[1-6]|span|table|br)\b", re.I
)
# Opening tags of elements whose content never holds article text; cut out before parsing.
_SKIPPED_OPEN = re.compile(
    r"<(script|style|svg|noscript|template|iframe|object|canvas|math|select)\b[^>]{0,4096}>"
    r"|<!--|<\?xml[^>]{0,4096}>",
    re.I,
)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_WS = re.compile(r"\s+")


def _fa(pattern: str) -> str:
    """Let the Persian letters of a pattern also match their Arabic forms (ي ى for ی, ك for ک).

    Older Iranian pages (windows-1256 above all) write bylines, comment boxes and disclaimers
    with the Arabic letters. The page itself is not folded: its URLs must stay as written.
    """
    return pattern.replace("\u06cc", "[\u06cc\u064a\u0649]").replace("\u06a9", "[\u06a9\u0643]")
# bidi controls, BOM, soft hyphen and C0/C1 controls never belong in stored text
_DIRECTION_MARKS = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]"  # ANSI escape sequences
    "|[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)

_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "scholarlyarticle",
    "techarticle",
    "report",
    "liveblogposting",
    "socialmediaposting",
    "webpage",
}

# --- class/id hints ------------------------------------------------------------------------
_NEGATIVE = re.compile(
    _fa(
    r"comment|combx|disqus|foot|masthead|menu|\bnav|related|remark|rss|share|sharing|shoutbox"
    r"|sidebar|skyscraper|sponsor|ad-?break|agegate|pagination|pager|popup|promo|newsletter"
    r"|subscri|cookie|consent|gdpr|banner|social|breadcrumb|widget|most-?(?:read|popular|viewed)"
    r"|popular|trending|recommend|outbrain|taboola|signup|login|modal|toolbar|author-?bio"
    r"|caption|credit|print|e-?mail|tools|copyright|\bads?\b|advert|\bad-|-ad\b|dfp|tag-?list"
    r"|tags\b|keywords|byline|dateline|meta-?data|post-?meta|article-?meta|read-?more|more-?news"
    r"|see-?also|next|prev|\bhide|hidden|survey|donate|overlay|inline-?link|video-?player"
    r"|افزودن|نظر|دیدگاه|اشتراک"
    ),
    re.I,
)
_STRONG_NEGATIVE = re.compile(
    _fa(
    r"comment|disqus|related|share|sharing|social|cookie|consent|newsletter|subscri|outbrain"
    r"|taboola|recommend|most-?(?:read|popular|viewed)|breadcrumb|advert|promo|popup|modal"
    r"|sidebar|see-?also|more-?news|author-?bio|tag-?list"
    ),
    re.I,
)
_POSITIVE = re.compile(
    _fa(
    r"article|body|content|entry|hentry|h-entry|\bmain|\bpage|post|\btext|blog|story|paragraph"
    r"|prose|rich-?text|field-?item|news-?detail|matn|detail|متن"
    ),
    re.I,
)
_REMOVE_TAGS = (
    "nav",
    "aside",
    "footer",
    "header",
    "button",
    "input",
    "textarea",
    "form",
    "label",
    "figcaption",
    "dialog",
    "menu",
)
_BLOCK_TAGS = frozenset(
    "p div section article main li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre table tr td th "
    "tbody thead tfoot figure br hr address header footer nav aside center form fieldset "
    "details summary".split()
)
_PARAGRAPH_TAGS = ("p", "pre", "td", "blockquote")
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))

# --- lines that are never body text ----------------------------------------------------------
_DIGITS = "0-9\u06f0-\u06f9\u0660-\u0669"
_BOILERPLATE_LINE = re.compile(
    _fa(
    r"^(?:"
    rf"(?:views?|visits?|hits|reads|بازدید|تعداد\s*بازدید|مشاهده|دفعات\s*مشاهده)\s*[:：]?\s*[{_DIGITS},٬]+"
    rf"|[{_DIGITS},٬]+\s*(?:views?|reads|بازدید)"
    r"|(?:share|share this|share on \w+|print|email|e-mail|tweet|facebook|twitter|whatsapp|telegram"
    r"|linkedin|pinterest|reddit|copy link|save|comments?|reply|read more|more|related"
    r"|related articles|related posts|related news|advertisement|sponsored|loading\.*"
    r"|follow us|subscribe|sign up|log ?in|register|back to top|top|home|next|previous"
    r"|اشتراک\s*گذاری|اشتراک‌گذاری|چاپ|ارسال|ارسال نظر|ارسال به دوستان|نظرات|نظرات کاربران"
    r"|متن دیدگاه|دیدگاه|دیدگاه‌ها|مطالب مرتبط|اخبار مرتبط|پربازدیدترین|پربازدیدترین‌ها"
    r"|برچسب‌ها|برچسب ها|کلیدواژه‌ها|تبلیغات|بیشتر بخوانید|بازگشت|لینک کوتاه|کپی شد)"
    r")\s*[:：|]?\s*$"
    ),
    re.I,
)
_BOILERPLATE_ANYWHERE = re.compile(
    _fa(
    r"opinions? expressed .{0,200}(?:do not|don't|does not) necessarily reflect"
    r"|views expressed .{0,200}(?:do not|don't|does not) necessarily reflect"
    r"|(?:do not|don't) necessarily reflect the (?:views|opinions|position)"
    r"|^(?:reporting|writing|editing|additional reporting) by .{0,160}$"
    r"|نظر نویسنده (?:است|بوده|می‌باشد)|لزوما(?:ً)? (?:بازتاب|منعکس|بیانگر|دیدگاه)"
    r"|مطالب مرتبط|موضوعات مرتبط|اخبار مرتبط|منبع تصویر|انتهای پیام"
    r"|تاکنون نظری ثبت نشده است|نظری ثبت نشده|نظر خود را بنویسید|نظرات حاوی توهین"
    r"|دیدگاه‌های ارسال شده توسط شما|منتشر نخواهد شد|مسئولیت (?:این )?(?:مطلب|مقاله|نوشته)"
    r"|all rights reserved|©\s*(?:19|20)\d\d|copyright\s*(?:©|\(c\))?\s*(?:19|20)\d\d"
    r"|تمامی حقوق|کلیه حقوق|we use cookies|this (?:site|website) uses cookies"
    r"|accept (?:all )?cookies|sign up for (?:our|the) newsletter|subscribe to (?:our|the)"
    r"|newsletter|you may also like|recommended for you|click here to"
    r"|enable javascript|javascript is disabled|your browser does not support"
    ),
    re.I,
)
_BYLINE_START = re.compile(
    _fa(
    r"^\s*(?:by|written by|words by|reporting by|author[s]?\s*[:：]|reporter\s*[:：]"
    r"|نویسند(?:ه|گان)\s*[:：]?|نوشته(?:\s*ی)?\s*[:：]|به\s*قلم\s*[:：]?|گزارش\s*[:：]"
    r"|نگارش\s*[:：]|تهیه\s*و\s*تنظیم\s*[:：]|گردآوری\s*[:：]|خبرنگار\s*[:：]"
    r"|گزارش\s*از\s*[:：]?|گزارشگر\s*[:：])\s*"
    ),
    re.I,
)
_UPDATE_WORDS = re.compile(
    _fa(
    r"(?:updated?|modified|last\s+edit|revised|به[\s\u200c]*روز[\s\u200c]*رسانی|ویرایش|اصلاح)"
    r"[^\n]{0,25}$"
    ),
    re.I,
)
_PUBLISHED_WORDS = re.compile(_fa(r"publish|posted|released|انتشار|منتشر"), re.I)

# --- author cleaning -----------------------------------------------------------------------------
_ROLE_WORDS = re.compile(
    _fa(
    r"\b(?:senior|junior|chief|principal|researcher|research|fellow|analyst|editor|editorial"
    r"|correspondent|reporter|journalist|writer|contributor|columnist|professor|prof\.?"
    r"|lecturer|director|head|manager|president|chairman|member|expert|scholar|staff|desk|team"
    r"|department|dept|university|college|institute|center|centre|school|faculty|ministry"
    r"|agency|news|times|press|media|online|service|bureau|associate|assistant|visiting"
    r"|ph\.?d|phd|dr\.?\s*$|student|candidate|specialist|consultant|advisor|adviser|officer"
    r"|international|studies|affairs|political|policy|program|programme|office)\b"
    r"|پژوهشگر|پژوهشکده|پژوهش|کارشناس|استاد|استادیار|دانشیار|دانشجو|دانشگاه|عضو|هیئت|سردبیر"
    r"|دبیر|خبرنگار|تحلیلگر|مدیر|رئیس|معاون|مرکز|موسسه|مؤسسه|گروه|سرویس|خبرگزاری|روزنامه"
    r"|مترجم|ترجمه|دکتر(?:ای)?\s*$|مطالعات|سیاسی|بین[\s\u200c]*المللی|کارشناسی|تحریریه"
    ),
    re.I,
)
_HONORIFIC = re.compile(
    _fa(
    r"^\s*(?:(?:dr|prof|mr|mrs|ms|sir)\.?|professor|doctor|دکتر|مهندس|پروفسور|آقای|خانم)\s+"
    ),
    re.I,
)
_NAME_SPLIT = re.compile(r"\s*(?:,|،|;|؛|\band\b|&|\s+و\s+|\||/|\n)\s*", re.I)
_NOT_NAME = re.compile(r"https?:|www\.|@|\.(?:com|org|ir|net)\b|[0-9\u06f0-\u06f9\u0660-\u0669]")
_NAME_STOP = {
    "admin",
    "administrator",
    "staff",
    "editor",
    "editors",
    "unknown",
    "anonymous",
    "guest",
    "the",
    "reuters",
    "ap",
    "afp",
    "associated press",
    "irna",
    "isna",
    "mehr",
    "tasnim",
    "fars",
    "ipis",
    "tehran times",
    "bbc",
    "bbc persian",
    "voa",
    "news",
    "desk",
    "نویسنده",
    "ادمین",
    "مدیر سایت",
    "تحریریه",
}


@dataclass
class _Block:
    text: str
    link_chars: int
    tag: str
    element: Any
    in_list: bool = False
    hint: str = ""  # class/id of the nearest ancestor that has one
    chrome: bool = False  # inside nav/aside/footer or a related/comments/share box

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))


@dataclass
class _Meta:
    values: dict[str, list[str]] = field(default_factory=dict)
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    canonical: str | None = None

    def first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.values.get(key, []):
                if value.strip():
                    return value.strip()
        return None

    def all(self, *keys: str) -> list[str]:
        return [v.strip() for key in keys for v in self.values.get(key, []) if v.strip()]

    def ld(self, key: str) -> Any:
        for obj in self.jsonld:
            if obj.get(key):
                return obj[key]
        return None


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
    _check_binary(data)
    markup, encoding, charset_warnings = decode_html(
        data, declared=page.declared_charset
    )
    warnings.extend(charset_warnings)
    if not _HTML_SIGN.search(markup[:65536]):
        raise NotHTMLError("no HTML markup found (plain text or another format)")
    if not re.search(r"</html\s*>\s*$", markup[-2000:], re.I):
        if not re.search(r"</(?:body|html)\s*>", markup[-5000:], re.I):
            warnings.append("page looks truncated (no closing </html>)")

    cleaned, jsonld_blobs = _prestrip(markup)
    meta = _Meta(jsonld=_parse_jsonld(jsonld_blobs))
    root = _parse(cleaned)
    _collect_meta(root, meta)
    ld_url = meta.ld("url")
    url = (
        _absolute_url(meta.canonical, page.url)
        or _absolute_url(meta.first("og:url"), page.url)
        or _absolute_url(ld_url if isinstance(ld_url, str) else None, page.url)
        or page.url
    )
    site = _site_name(url, meta)
    title = _find_title(root, meta, site)
    # metadata blocks come from the whole page (headers hold dates and bylines)
    blocks = [b for b in _linearize(root) if not b.chrome]
    marked_authors = _marked_authors(root)
    lead = _find_lead(root)
    _remove_chrome(root)
    body_blocks = _find_body(root, meta)
    body_lines = _filter_body(body_blocks, title)
    body = "\n\n".join(body_lines)
    ld_body = meta.ld("articleBody")
    if isinstance(ld_body, str) and _is_better_ld_body(ld_body, body):
        body = "\n\n".join(_filter_body(_ld_blocks(ld_body), title))
    if len(body) < MIN_BODY_CHARS:
        if not body and require_body:
            raise NoArticleError("no article text found on the page")
        warnings.append("no article text" if not body else "very short article text")
    if not title:
        title = _first_words(body)
        warnings.append("no title found; first words of the body used")

    authors = _find_authors(meta, marked_authors, blocks, title, site)
    date, date_warnings = _find_date(meta, root, blocks, title)
    warnings.extend(date_warnings)
    if date is None:
        warnings.append("no date found")

    lang = text.detect_lang(body or title)
    title = text.clean_display(title)
    summary = lead or _find_summary(meta)
    body = _drop_signature(body, authors)
    return Article(
        id=_make_id(url, title, body),
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
        tags=_find_tags(meta),
        warnings=warnings,
        encoding=encoding,
    )


# --- input checks and parsing --------------------------------------------------------------


def _check_binary(data: bytes) -> None:
    head = data[:8192]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise NotHTMLError(f"{what}, not HTML")
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return  # UTF-16/32 with a BOM: NUL bytes are expected
    controls = len(_CONTROL_BYTES.findall(head))
    if b"\x00" in head and head.count(b"\x00") > len(head) // 100 or controls > len(head) // 20:
        raise NotHTMLError("binary data, not HTML")


def _prestrip(markup: str) -> tuple[str, list[str]]:
    """Cut scripts, styles, SVG, comments etc. out of the markup; return it and JSON-LD texts.

    One left-to-right pass with `str.find` (linear time: a regex with a lazy `.*?` goes
    quadratic on thousands of unclosed `<script>` tags). An unclosed script/style swallows the
    rest of the page, as in a browser; an unclosed comment opener is dropped alone.
    """
    lower = markup.lower()
    if len(lower) != len(markup):  # a few letters (İ) grow when lowered: keep offsets equal
        lower = markup.translate(_ASCII_LOWER)
    out: list[str] = []
    blobs: list[str] = []
    pos = 0
    comments_close = True
    while True:
        match = _SKIPPED_OPEN.search(markup, pos)
        if match is None:
            break
        out.append(markup[pos : match.start()])
        out.append(" ")
        tag = match.group(1)
        if tag is None:
            if match.group().startswith("<!--"):
                close = lower.find("-->", match.end()) if comments_close else -1
                comments_close = close >= 0  # no "-->" after here: stop searching for one
                pos = close + 3 if close >= 0 else match.end()
            else:
                pos = match.end()
            continue
        tag = tag.lower()
        close = lower.find("</" + tag, match.end())
        if close < 0:
            pos = len(markup)
            break
        if tag == "script" and "ld+json" in lower[match.start() : match.end()]:
            if len(blobs) < MAX_JSONLD:
                blobs.append(markup[match.end() : close])
        end = lower.find(">", close)
        pos = end + 1 if end >= 0 else len(markup)
    out.append(markup[pos:])
    return "".join(out), blobs


def _parse(cleaned: str) -> Any:
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        root = lxml.html.document_fromstring(cleaned, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise NoArticleError(f"unparsable HTML ({exc})") from None
    if root is None:
        raise NoArticleError("no HTML content")
    return root


def _parse_jsonld(blobs: list[str]) -> list[dict[str, Any]]:
    """Return the article-like JSON-LD objects of the page, best first."""
    found: list[dict[str, Any]] = []
    for raw in blobs[:MAX_JSONLD]:
        raw = raw.strip()
        if not raw or len(raw) > MAX_JSONLD_CHARS:
            continue
        raw = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|\]\]>\s*$", "", raw)
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        stack: list[Any] = [data]
        seen = 0
        while stack and seen < 2000:
            item = stack.pop()
            seen += 1
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                types = item.get("@type")
                names = types if isinstance(types, list) else [types]
                if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in names):
                    found.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(reversed(graph))
                main = item.get("mainEntity")
                if isinstance(main, (dict, list)):
                    stack.append(main)
    # real article types before WebPage
    found.sort(key=lambda obj: _is_webpage(obj))
    return found


def _is_webpage(obj: dict[str, Any]) -> bool:
    types = obj.get("@type")
    names = types if isinstance(types, list) else [types]
    return all(not isinstance(t, str) or t.lower() == "webpage" for t in names)


def _collect_meta(root: Any, meta: _Meta) -> None:
    for element in root.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or ""
        content = element.get("content")
        if key and content is not None:
            meta.values.setdefault(key.strip().lower(), []).append(html.unescape(content))
    for element in root.iter("link"):
        rel = (element.get("rel") or "").lower().split()
        if "canonical" in rel and element.get("href") and not meta.canonical:
            meta.canonical = element.get("href").strip()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        prop = element.get("itemprop")
        if prop and element.tag != "meta":
            value = element.get("datetime") or element.get("content")
            if value is None and prop.lower() in ("datepublished", "author", "name", "headline"):
                value = _text_of(element)[:300]
            if value:
                meta.values.setdefault("itemprop:" + prop.lower(), []).append(value)


def _text_of(element: Any) -> str:
    return _WS.sub(" ", _DIRECTION_MARKS.sub("", element.text_content())).strip()


def _classes(element: Any) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}".strip()


# --- chrome removal and linearisation -------------------------------------------------------


def _remove_chrome(root: Any) -> None:
    """Drop elements that never hold article text (navigation, forms, hidden or hinted chrome)."""
    body = root.find("body")
    total = len(_text_of(body)) if body is not None else 0
    doomed = []
    for element in root.iter(*_REMOVE_TAGS):
        if element.tag in ("header", "form") and total and len(_text_of(element)) > 0.5 * total:
            continue  # a page wrapped in one form (ASP.NET) or one header
        doomed.append(element)
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("html", "body", "article", "main"):
            continue
        if element.get("hidden") is not None or element.get("aria-hidden") == "true":
            doomed.append(element)
            continue
        style = (element.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or "visibility:hidden" in style:
            doomed.append(element)
            continue
        hint = _classes(element)
        if not hint or element.tag in ("h1",):
            continue
        strong, negative, positive = _hint_kind(hint)
        if (strong or negative) and (strong or not positive):
            if _holds_article(element, total):
                continue
            if strong and positive and total and len(_text_of(element)) > 0.2 * total:
                continue  # `content-with-sidebar-wrp`: a wrapper, not the sidebar itself
            doomed.append(element)
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            element.drop_tree()


def _holds_article(element: Any, total: int) -> bool:
    """Tell whether a chrome-hinted element is really a page wrapper (`one-sidebar`, `__next`)."""
    if element.find(".//h1") is not None:
        return True
    return bool(total) and len(_text_of(element)) > 0.5 * total


@functools.lru_cache(maxsize=4096)
def _hint_kind(hint: str) -> tuple[bool, bool, bool]:
    """Return (strongly negative, negative, positive) for a class/id string (pages repeat them)."""
    return (
        bool(_STRONG_NEGATIVE.search(hint)),
        bool(_NEGATIVE.search(hint)),
        bool(_POSITIVE.search(hint)),
    )


def _is_chrome(element: Any) -> bool:
    if element.tag in ("nav", "aside", "footer", "form", "menu"):
        return True
    if element.tag in ("html", "body", "article", "main"):
        return False
    hint = _classes(element)
    return bool(hint) and _hint_kind(hint)[0]


def _linearize(root: Any) -> list[_Block]:
    """Cut a subtree into text blocks at block-level tags, iteratively (no recursion limit)."""
    blocks: list[_Block] = []
    parts: list[str] = []
    link_chars = 0
    owner: list[Any] = [root]
    in_list_depth = 0
    chrome_depth = 0
    chrome_elements: set[Any] = set()
    hints: list[str] = [_classes(root)]

    def flush() -> None:
        nonlocal parts, link_chars
        raw = "".join(parts)
        joined = _WS.sub(" ", _DIRECTION_MARKS.sub("", raw)).strip() if raw.strip() else ""
        if joined:
            element = owner[-1]
            blocks.append(
                _Block(
                    joined,
                    min(link_chars, len(joined)),
                    element.tag,
                    element,
                    in_list_depth > 0,
                    next((h for h in reversed(hints) if h), ""),
                    chrome_depth > 0,
                )
            )
        parts = []
        link_chars = 0

    link_depth = 0
    # stack of (element, entering?) pairs
    stack: list[tuple[Any, bool, int]] = [(root, True, 0)]
    while stack:
        element, entering, depth = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else ""
        is_block = tag in _BLOCK_TAGS
        if entering:
            if depth > MAX_DEPTH:
                continue
            if is_block:
                flush()
                owner.append(element)
                hints.append(_classes(element))
                if tag == "li":
                    in_list_depth += 1
                if _is_chrome(element):
                    chrome_depth += 1
                    chrome_elements.add(element)
            if tag == "a":
                link_depth += 1
            if tag and element.text:
                parts.append(element.text)
                if link_depth:
                    link_chars += len(element.text.strip())
            stack.append((element, False, depth))
            for child in reversed(element):
                stack.append((child, True, depth + 1))
        else:
            if tag == "a":
                link_depth -= 1
            if is_block:
                flush()
                owner.pop()
                hints.pop()
                if tag == "li":
                    in_list_depth -= 1
                if element in chrome_elements:
                    chrome_depth -= 1
            elif tag in ("img",):
                parts.append(" ")
            if element.tail:
                parts.append(element.tail)
                if link_depth:
                    link_chars += len(element.tail.strip())
    flush()
    return blocks


# --- body -----------------------------------------------------------------------------------


def _class_weight(element: Any) -> float:
    hint = _classes(element)
    if not hint:
        return 0.0
    weight = 0.0
    _, negative, positive = _hint_kind(hint)
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


def _find_body(root: Any, meta: _Meta) -> list[_Block]:
    """Pick the element holding the article text (and its good siblings); return its blocks."""
    body = root.find("body")
    if body is None:
        body = root
    scores: dict[Any, float] = {}
    text_cache: dict[Any, str] = {}

    def text_len(element: Any) -> str:
        if element not in text_cache:
            text_cache[element] = _text_of(element)
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
        return [b for b in _linearize(body) if len(b.text) >= 25 and b.link_density < 0.5]

    def final(element: Any) -> float:
        content = text_len(element)
        links = sum(len(_text_of(a)) for a in element.iter("a"))
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
        if _classes(sibling) and _classes(sibling) == _classes(top):
            bonus = top_score * 0.2
        if sibling in scores and final(sibling) + bonus >= threshold:
            chosen.append(sibling)
        elif sibling.tag == "p":
            content = text_len(sibling)
            links = sum(len(_text_of(a)) for a in sibling.iter("a"))
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
    blocks: list[_Block] = []
    for element in chosen:
        blocks.extend(_prune_container(_linearize(element)))
    return blocks


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


def _prune_container(blocks: list[_Block]) -> list[_Block]:
    """Drop link lists and tiny fragments inside the chosen container."""
    kept = []
    for block in blocks:
        if block.link_density > 0.5 and len(block.text) < 400:
            continue
        if block.in_list and block.link_density > 0.3 and len(block.text) < 150:
            continue
        kept.append(block)
    return kept


def _filter_body(blocks: list[_Block], title: str) -> list[str]:
    lines: list[str] = []
    tags: list[str] = []
    seen: set[str] = set()
    title_key = _WS.sub(" ", title).strip().casefold()
    for block in blocks:
        line = block.text
        key = line.casefold()
        if key == title_key or key in seen:
            continue
        if _BOILERPLATE_LINE.match(line):
            continue
        if len(line) < 300 and _BOILERPLATE_ANYWHERE.search(line):
            continue
        if _BYLINE_START.match(line) and len(line) < 120 and not re.search(r"[.!?؟]\s*$", line):
            continue
        if len(line) < 60 and _is_date_line(line):
            continue
        seen.add(key)
        lines.append(line)
        tags.append(block.tag)
    # a heading with nothing after it introduces a list that was removed (related topics)
    while lines and (tags[-1] in _HEADINGS or (len(lines[-1]) < 60 and lines[-1].endswith(":"))):
        lines.pop()
        tags.pop()
    return lines


def _is_date_line(line: str) -> bool:
    spans = [(start, end) for _, start, end in dates.iter_dates(line)]
    if not spans:
        return False
    covered = sum(end - start for start, end in spans)
    rest = len(re.sub(r"[\s\-–—|:,/.()\d۰-۹٠-٩]", "", line)) - covered
    return rest <= 12


def _ld_blocks(ld_body: str) -> list[_Block]:
    cleaned = html.unescape(ld_body)
    if "<" in cleaned and re.search(r"</?(?:p|br|div)\b", cleaned, re.I):
        try:
            fragment = lxml.html.fragment_fromstring(cleaned, create_parent="div")
            return _linearize(fragment)
        except (etree.ParserError, ValueError):
            cleaned = re.sub(r"<[^>]+>", " ", cleaned)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\r\n|\n", cleaned) if p.strip()]
    return [_Block(_WS.sub(" ", p), 0, "p", None) for p in paragraphs]


def _is_better_ld_body(ld_body: str, body: str) -> bool:
    """Use JSON-LD articleBody when the page's own text looks like it missed most of the article."""
    ld_len = len(ld_body.strip())
    if ld_len < 500:
        return False
    return len(body) < 0.5 * ld_len


# --- title ----------------------------------------------------------------------------------

_TITLE_SEPARATORS = re.compile(r"(\s+[|\-–—:»«•·~/]\s+|\s*\|\s*|\s+::\s+)")


def _find_title(root: Any, meta: _Meta, site: str | None) -> str:
    headline = meta.ld("headline") or meta.ld("name")
    h1 = next((t for t in (_text_of(e) for e in root.iter("h1")) if t), "")
    title_tag = root.find(".//title")
    candidates = [
        headline if isinstance(headline, str) else None,
        meta.first("og:title", "twitter:title"),
        h1,
        _text_of(title_tag) if title_tag is not None else None,
        meta.first("itemprop:headline", "title", "dc.title"),
    ]
    site_names = {
        _key(s)
        for s in (
            site,
            meta.first("og:site_name"),
            _publisher_name(meta),
            meta.first("application-name"),
        )
        if s
    }
    headings = {_text_of(e) for _, e in zip(range(60), root.iter("h1", "h2", "h3"), strict=False)}
    headings.discard("")
    for position, candidate in enumerate(candidates):
        if candidate and position == 3:
            # `<title>` = "site - headline": the part that is also a heading on the page
            whole = _WS.sub(" ", html.unescape(candidate)).strip()
            for match in _TITLE_SEPARATORS.finditer(whole):
                for part in (whole[: match.start()].strip(), whole[match.end() :].strip()):
                    if len(part) >= 10 and part in headings:
                        return part[:500]
        if candidate:
            cleaned = _strip_site_suffix(
                _WS.sub(" ", html.unescape(candidate)).strip(),
                site_names,
                h1,
                guess=position >= 3,  # headline, og:title and h1 carry real suffixes (– گزارش)
            )
            if cleaned:
                return cleaned[:500]
    return ""


def _key(value: str) -> str:
    return re.sub(r"[\W_]+", "", value.casefold().removeprefix("www."))


def _strip_site_suffix(title: str, site_names: set[str], h1: str, guess: bool = True) -> str:
    if h1 and len(h1) >= 10 and h1 != title and h1 in title:
        rest = _key(title.replace(h1, ""))
        if not rest or any(rest == s or s in rest for s in site_names if s):
            return h1
    pieces = _TITLE_SEPARATORS.split(title)  # part, separator, part, separator, part ...
    parts, separators = pieces[0::2], pieces[1::2]
    if len(parts) < 2:
        return title

    def is_site(part: str) -> bool:
        part_key = _key(part)
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


# --- authors --------------------------------------------------------------------------------


_NAME_CLASS = re.compile(
    r"(?:author|byline|writer)[-_]{0,2}(?:name|link|title)|author__name|\bauthor\b", re.I
)
_AUTHOR_HREF = re.compile(r"/(?:author|authors|writer|writers|nevisande|journalist)s?/", re.I)


def _marked_authors(root: Any) -> list[list[str]]:
    """Return author names marked up in the page: rel=author, name classes, /author/ links."""
    rel = [_text_of(a) for a in root.iter("a") if "author" in (a.get("rel") or "").lower()]
    named: list[str] = []
    linked: list[str] = []
    first_parent = None
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("meta", "link", "html", "body"):
            continue
        hint = _classes(element)
        is_named = bool(hint and _NAME_CLASS.search(hint)) and len(named) < 10
        is_link = element.tag == "a" and _AUTHOR_HREF.search(element.get("href") or "")
        if not (is_named or is_link) or any(_is_chrome(a) for a in element.iterancestors()):
            continue
        if is_named:
            text_value = _text_of(element)
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
                linked.append(_text_of(element))
    # the innermost name element wins over a whole byline box holding name + role
    named = [n for n in named if not any(o != n and o in n for o in named)]
    return [rel, named, linked]


def _find_authors(
    meta: _Meta, marked: list[list[str]], blocks: list[_Block], title: str, site: str | None
) -> list[str]:
    site_keys = {_key(s) for s in (site, meta.first("og:site_name"), _publisher_name(meta)) if s}
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
    return _clean_authors(_visible_bylines(blocks, title), site_keys)


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


def _visible_bylines(blocks: list[_Block], title: str) -> list[str]:
    start = _title_index(blocks, title)
    window = blocks[start : start + 25] if start is not None else blocks[:60]
    for block in window:
        if len(block.text) > 200 or block.link_density > 0.9 and not block.text:
            continue
        match = _BYLINE_START.match(block.text)
        if match and (match.end() > 0):
            rest = block.text[match.end() :]
            if rest and not re.match(r"^(?:the|a|an)\b", rest, re.I):
                return [rest]
    for block in window:
        if re.search(r"author|byline|writer|نویسنده", block.hint, re.I) and len(block.text) < 150:
            return [_BYLINE_START.sub("", block.text)]
    # an author line right under the date line (think-tank layouts)
    for previous, block in zip(window, window[1:], strict=False):
        if (
            _is_date_line(previous.text)
            and len(previous.text) < 80
            and _looks_like_names(block.text)
        ):
            return [block.text]
    return []


def _looks_like_names(line: str) -> bool:
    if len(line) > 100 or re.search(r"[.!?؟:]\s*$", line) or _NOT_NAME.search(line):
        return False
    first = _NAME_SPLIT.split(line)[0]
    words = first.split()
    if not 2 <= len(words) <= 5:
        return False
    if re.search(r"[A-Za-z]", first):
        return first[0].isupper() and not _ROLE_WORDS.search(first)
    return not _ROLE_WORDS.search(first)


def _clean_authors(raw_names: list[str], site_keys: set[str]) -> list[str]:
    result: list[str] = []
    for raw in raw_names:
        if not isinstance(raw, str) or re.search(r"https?:|www\.", raw):
            continue  # a profile URL, not a name
        raw = html.unescape(raw)
        raw = _DIRECTION_MARKS.sub("", raw)
        raw = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", raw)
        raw = _BYLINE_START.sub("", raw)
        raw = re.sub(r"^(?:by|از)\s+", "", raw.strip(), flags=re.I)
        raw = _HONORIFIC.sub("", raw)
        for part in _NAME_SPLIT.split(raw):
            name = _WS.sub(" ", part).strip(" -–—:|'\"")
            name = re.sub(r"^(?:by|and|و)\s+", "", name, flags=re.I)
            name = _HONORIFIC.sub("", name)
            if not _is_name(name, site_keys):
                continue
            name = text.clean_display(name)
            if name.casefold() not in (r.casefold() for r in result):
                result.append(name)
    return result[:10]


def _is_name(name: str, site_keys: set[str]) -> bool:
    if not 2 <= len(name) <= 60 or _NOT_NAME.search(name) or _ROLE_WORDS.search(name):
        return False
    if name.casefold() in _NAME_STOP or _key(name) in site_keys:
        return False
    if re.fullmatch(r"[A-Z]{2,6}", name):  # an acronym: IPIS, IRNA
        return False
    if len(name.split()) > 5:
        return False
    return bool(re.search(r"\w", name))


# --- dates ----------------------------------------------------------------------------------


def _find_date(
    meta: _Meta, root: Any, blocks: list[_Block], title: str
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
        if _in_link_list(element) or any(_is_chrome(a) for a in element.iterancestors()):
            continue
        value = element.get("datetime")
        found = _machine_date(value) if value else None
        if found is None:
            found = dates.find_date(_text_of(element))
        if found and _plausible(found):
            return found, []
    start = _title_index(blocks, title)
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
                if _UPDATE_WORDS.search(block.text[:s]) and not _PUBLISHED_WORDS.search(
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


def _title_index(blocks: list[_Block], title: str) -> int | None:
    for index, block in enumerate(blocks):
        if block.tag == "h1":
            return index
    key = title.casefold()[:40]
    if key:
        for index, block in enumerate(blocks):
            if block.text.casefold().startswith(key):
                return index
    return None


# --- url, site, id, summary, tags -------------------------------------------------------------


def _absolute_url(value: str | None, base: str | None) -> str | None:
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


def _make_id(url: str | None, title: str, body: str) -> str:
    if url:
        basis = "url:" + normalize_url(url)
    else:
        basis = "text:" + text.normalize(title + "\n" + body)
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def _publisher_name(meta: _Meta) -> str | None:
    publisher = meta.ld("publisher")
    if isinstance(publisher, list) and publisher:
        publisher = publisher[0]
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        return str(publisher["name"])
    return None


def _site_name(url: str | None, meta: _Meta) -> str | None:
    if url:
        host = urlsplit(url).hostname
        if host:
            return host.lower().removeprefix("www.")
    return meta.first("og:site_name") or _publisher_name(meta)


_LEAD_CLASS = re.compile(
    r"(?:^|[\s_-])(?:lead|lede|standfirst|summary|excerpt|dek|intro|subtitle|sub-?title|rutitr"
    r"|chapeau|teaser|abstract|description)(?:$|[\s_-])",
    re.I,
)


def _find_lead(root: Any) -> str | None:
    """Return the visible lead/standfirst of the article (a class-marked short block), if any."""
    for element in root.iter("div", "p", "h2", "span", "section"):
        hint = _classes(element)
        if not hint or not _LEAD_CLASS.search(hint) or _hint_kind(hint)[0]:
            continue
        value = _text_of(element)
        if not 30 <= len(value) <= 800:
            continue
        links = sum(len(_text_of(a)) for a in element.iter("a"))
        if links > 0.3 * len(value) or any(_is_chrome(a) for a in element.iterancestors()):
            continue
        return value
    return None


def _drop_signature(body: str, authors: list[str]) -> str:
    """Drop a closing paragraph that only repeats an author's name (a signature line)."""
    paragraphs = body.split("\n\n")
    names = {text.clean_display(a).casefold() for a in authors}

    def is_signature(paragraph: str) -> bool:
        if len(paragraph) > 150:
            return False
        parts = [p for p in _NAME_SPLIT.split(text.clean_display(paragraph).casefold()) if p]
        named = [p for p in parts if _HONORIFIC.sub("", p).strip() in names]
        # "Name, Senior Researcher": the rest of a signature line is roles and affiliations
        return bool(named) and all(p in named or _ROLE_WORDS.search(p) for p in parts)

    while len(paragraphs) > 1 and names and is_signature(paragraphs[-1]):
        paragraphs.pop()
    return "\n\n".join(paragraphs)


def _find_summary(meta: _Meta) -> str | None:
    ld = meta.ld("description")
    for value in (
        ld if isinstance(ld, str) else None,
        meta.first("og:description", "description", "twitter:description"),
    ):
        if value:
            cleaned = _WS.sub(" ", html.unescape(value)).strip()
            if len(cleaned) >= 20:
                return cleaned[:1000]
    return None


def _find_tags(meta: _Meta) -> list[str]:
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
            if tag and len(tag) <= 60 and tag.casefold() not in (t.casefold() for t in tags):
                tags.append(tag)
    return tags[:30]


def _first_words(body: str) -> str:
    words = body.split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")
