"""The stored formats: how an Article is written into the index's fields and read back.

The one home of what `archive.index` writes and `archive.search` reads (no whoosh here):
- a date is stored as the int yyyymmdd (`date_to_int`); 0 means "no date" and lies in no
  date range (a --from/--to range starts at 1);
- `article_to_fields` maps an Article to the fields of `index.build_schema()`, deriving `site`
  (`site_of` the URL when extraction found none) and `text_hash` (duplicate detection);
- `fields_to_article` and `hit_from_stored` map a stored document back to an Article (`show`,
  `export`) or a search Hit.
Adding a field: the schema in index.py, the Article in models.py, and the three mappings here.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from archive import names, text, versions
from archive.models import Article, Hit


def now_iso() -> str:
    """Return the time now as stored in the index and its metadata (UTC, whole seconds)."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def date_to_int(date: dt.date | None) -> int:
    """Return the index form of a date: yyyymmdd as an int (0 for no date)."""
    return date.year * 10_000 + date.month * 100 + date.day if date else 0


def int_to_date(value: Any) -> dt.date | None:
    """Inverse of `date_to_int`; 0, None or an impossible value give None."""
    try:
        number = int(value or 0)
        if number <= 0:
            return None
        return dt.date(number // 10_000, number // 100 % 100, number % 100)
    except (TypeError, ValueError):
        return None


def site_of(url: str | None) -> str | None:
    """Return the lowercased host of `url` without "www.", or None."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    host = host.lower().removeprefix("www.")
    return host or None


def text_hash(title: str, body: str) -> str:
    """Return the duplicate-detection hash of an article: its normalised words, title and body."""
    import hashlib  # here: it loads OpenSSL (~4 ms), which a query never needs

    words = " ".join(text.normalize(f"{title}\n{body}").lower().split())
    return hashlib.blake2b(words.encode("utf-8"), digest_size=16).hexdigest()


# The `words` field: the terms of title (twice: search/bm25.py's FIELD_WEIGHTS), summary and
# body as one field, counts without positions; the postings the ranking's BM25 reads for a word
# of these fields, and feedback its df (index.preanalyze_fields writes it).
WORDS_FIELD = "words"
WORDS_OF = ("title", "summary", "body")

# The words RM3 feedback reads of an article (search/feedback.py): the terms of its title, its
# summary and the first FEEDBACK_CHARS characters of its body (the terms that end within them),
# each with its count, stored as "term count term count ...". Written at ingest from the terms
# the analysis already gave, so a feedback query reads ten articles' counts instead of
# analysing their text again. An article indexed before this field has none: feedback then
# analyses its stored text (`feedback_counts`), with the same result.
FEEDBACK_FIELD = "feedback_terms"
FEEDBACK_CHARS = 2000
# The body is analysed a little past the cut, so that the words ending before it get the terms
# they get in the whole body (a detached suffix after the cut still joins its word).
_FEEDBACK_SLACK = 200


def feedback_counts(
    title: str, summary: str, body: str, *, chars: int = FEEDBACK_CHARS
) -> Counter[str]:
    """Return the feedback term counts of an article's text (analysed here), the body's
    terms those ending within its first `chars` characters."""
    return count_feedback_terms(
        text.iter_terms(title),
        text.iter_terms(summary),
        text.iter_terms(body[: chars + _FEEDBACK_SLACK]),
        chars=chars,
    )


def count_feedback_terms(
    title: Iterable[text.Term],
    summary: Iterable[text.Term],
    body: Iterable[text.Term],
    *,
    chars: int = FEEDBACK_CHARS,
) -> Counter[str]:
    """Return the feedback term counts from the terms of the title, summary and body."""
    counts: Counter[str] = Counter(t.text for t in title)
    counts.update(t.text for t in summary)
    counts.update(t.text for t in body if t.end <= chars)
    return counts


def encode_feedback_terms(counts: Counter[str]) -> str:
    """Return the stored form of feedback term counts: "term count" pairs, space-separated."""
    return " ".join(f"{term} {n}" for term, n in counts.items() if len(term.split()) == 1)


def decode_feedback_terms(value: Any) -> Counter[str] | None:
    """Return the counts of a stored feedback_terms value; None when it is not one."""
    if not isinstance(value, str):
        return None
    parts = value.split()
    if len(parts) % 2:
        return None
    try:
        return Counter(dict(zip(parts[::2], map(int, parts[1::2]), strict=True)))
    except ValueError:
        return None


def stored_feedback_counts(
    stored: dict[str, Any], *, chars: int = FEEDBACK_CHARS
) -> Counter[str]:
    """Return the feedback term counts of a stored article: its field (the counts of the
    first FEEDBACK_CHARS characters of the body), else, or for another `chars`, its text."""
    if chars == FEEDBACK_CHARS:
        found = decode_feedback_terms(stored.get(FEEDBACK_FIELD))
        if found is not None:
            return found
    title, summary, body = (stored.get(name) or "" for name in WORDS_OF)
    return feedback_counts(title, summary, body, chars=chars)


def location_key(location: str) -> str:
    """Return the absolute form of an input location: /abs/file or /abs/dump.zip!member.

    The manifest's key and the indexed `source_path` of an article; relative paths are read
    from the current folder, as ingest reads its inputs.
    """
    path, bang, member = location.partition("!")
    if bang and member:
        return f"{os.path.abspath(path)}!{member}"
    return os.path.abspath(location) if location else ""


def article_to_fields(article: Any) -> dict[str, Any]:
    """Map an Article to the schema's fields (the one place that knows the mapping)."""
    return {
        "id": article.id,
        "url": article.url or None,
        "source": article.source,
        "source_path": location_key(article.source),
        "site": article.site or site_of(article.url),
        "lang": article.lang,
        "title": article.title or "",
        "summary": article.summary or "",
        "body": article.body or "",
        "author": "\n".join(article.authors),
        "authors": list(article.authors),
        "author_key": ",".join(names.author_terms(article.authors)) or None,
        "date": date_to_int(article.date),
        "date_jalali": article.date_jalali,
        "tags": ",".join(t.replace(",", " ") for t in article.tags) or None,
        "text_hash": text_hash(article.title or "", article.body or ""),
        "warnings": list(article.warnings),
        "encoding": article.encoding,
        "indexed_at": now_iso(),
        "url_key": versions.url_key(article.url) or None,
        "alternates": ",".join(
            k for k in (versions.url_key(u) for u in getattr(article, "alternates", ())) if k
        )
        or None,
        "alternate_urls": list(getattr(article, "alternates", ())),
        "author_ids": ",".join(versions.author_page_terms(getattr(article, "author_pages", ())))
        or None,
        "author_pages": [list(pair) for pair in getattr(article, "author_pages", ())],
    }


def fields_to_article(stored: dict[str, Any]) -> Article:
    """Map a stored whoosh document back to an Article (inverse of article_to_fields)."""
    tags = stored.get("tags") or ""
    return Article(
        id=stored["id"],
        title=stored.get("title") or "",
        body=stored.get("body") or "",
        lang=stored.get("lang") or "",
        source=stored.get("source") or "",
        url=stored.get("url") or None,
        site=stored.get("site") or None,
        summary=stored.get("summary") or None,
        authors=_authors(stored),
        date=int_to_date(stored.get("date")),
        date_jalali=stored.get("date_jalali") or None,
        tags=[t for t in tags.split(",") if t],
        warnings=list(stored.get("warnings") or []),
        encoding=stored.get("encoding") or None,
        alternates=list(stored.get("alternate_urls") or []),
        author_pages=[
            (str(pair[0]), str(pair[1]))
            for pair in stored.get("author_pages") or ()
            if isinstance(pair, (list, tuple)) and len(pair) == 2
        ],
    )


def hit_from_stored(stored: dict[str, Any], *, rank: int, score: float | None) -> Hit:
    """Map a stored whoosh document to a Hit (no snippet)."""
    return Hit(
        rank=rank,
        id=str(stored.get("id", "")),
        title=stored.get("title") or "",
        score=None if score is None else round(float(score), 4),
        lang=stored.get("lang") or "",
        source=stored.get("source") or "",
        url=stored.get("url") or None,
        site=stored.get("site") or None,
        authors=_authors(stored),
        date=int_to_date(stored.get("date")),
        date_jalali=stored.get("date_jalali") or None,
    )


def _authors(stored: dict[str, Any]) -> list[str]:
    authors = stored.get("authors") or []
    if isinstance(authors, str):  # one name a line, as the `author` text field holds them
        return [a for a in authors.splitlines() if a.strip()]
    return list(authors)
