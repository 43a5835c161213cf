"""Search the index: query text + filters -> the exact total and one page of Hits.

The front of the package; one module per job below it:
  parse.py     query text and filters -> whoosh queries (rewrite.py: Persian compounds first)
  rank.py      SearchPlan -> ranked docnums: BM25F, coordination, the fast route over postings
  postings.py  postings, field lengths and dates read in bulk per segment
  snippets.py  passages around the matched words
  stats.py     the index overview

No bs4 or hazm on this path: `archive query` must start fast.
"""

from __future__ import annotations

# first: whoosh is imported through the fence, lean (whoosh_fence.import_whoosh)
from archive import whoosh_fence  # isort: skip

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from archive.engines import engine_of, is_engine_searcher
from archive.errors import ArchiveError, UsageError
from archive.models import SORTS, Article, Hit, SearchFilters, Version
from archive.search.parse import (
    DEFAULT_FIELDS,
    FIELD_ALIASES,
    SNIPPET_FIELDS,
    build_filter,
    describe_query,
    normalize_site,
    parse_query,
    source_query,
)
from archive.search.rank import COORD_EXPONENT, SearchPlan, plan_search, run_plan
from archive.search.rewrite import expand_query_compounds, join_detached_affixes
from archive.search.snippets import make_snippet, make_snippet_for, snippet_terms
from archive.search.stats import collect_stats
from archive.search.versions import find_versions, new_matcher, version_records
from archive.stored import fields_to_article, hit_from_stored

# Whoosh reads compound segments in place from here on (see archive.whoosh_fence).
whoosh_fence.install()

__all__ = [
    "COORD_EXPONENT",
    "DEFAULT_FIELDS",
    "FIELD_ALIASES",
    "SNIPPET_FIELDS",
    "SORTS",
    "SearchPlan",
    "SearchFilters",
    "SearchResult",
    "build_filter",
    "collect_stats",
    "describe_index",
    "describe_query",
    "expand_query_compounds",
    "find_document",
    "find_versions",
    "get_article",
    "iter_hits",
    "iter_matches",
    "join_detached_affixes",
    "make_snippet",
    "make_snippet_for",
    "matching_articles",
    "normalize_site",
    "open_searcher",
    "parse_query",
    "plan_search",
    "run_plan",
    "search",
    "snippet_terms",
    "source_query",
]


MIN_ID_PREFIX = 4  # shorter starts of an id match too many articles to be meant


@dataclass
class SearchResult:
    """What one search found: the exact total, one page of hits and how the query was read."""

    total: int
    hits: list[Hit]
    elapsed: float  # seconds: parse, match, rank and build the hits (snippets included)
    parsed: str  # the query after analysis, as whoosh reads it ("" when there is no query text)
    filters: str = ""  # the filters after analysis
    page: int = 1
    limit: int = 10
    coordinated: bool = False  # scores carry the coordination factor (several clauses)
    sort: str = "relevance"  # the order used ("relevance" becomes "-date" without a query)
    has_no_words: bool = False  # QUERY was given but analysed to nothing (only stopwords)
    expansion: list[tuple[str, float]] = field(default_factory=list)  # feedback terms, weights
    feedback: bool = False  # feedback was on (asked for, or the default for the query's script)
    feedback_reason: str = ""  # why feedback was on or off ("" without query text)
    feedback_added: int = 0  # matches (in `total`) that only feedback terms brought in


def search(
    index: Any,
    query: str | None = None,
    filters: SearchFilters | None = None,
    *,
    limit: int = 10,
    page: int = 1,
    snippets: bool = True,
    both: bool = False,
    versions: bool = True,
) -> SearchResult:
    """Run one search and return the exact total and the hits of one page.

    The one entry point of `archive query`, bench/ and the tests.

    Args:
        index: an index folder (str), an open whoosh Index, or a whoosh Searcher (fastest: reuse
            one searcher across calls for warm queries).
        query: whoosh query language text; None or blank lists the filtered articles by date.
        filters: authors, dates, language, sites, sort and require_all (see SearchFilters).
        limit, page: page size and 1-based page number.
        snippets: build each hit's snippet (off for ranking-only runs).
        both: after each hit, add its other-language versions that are not hits of the page
            already (`Hit.version_of` names the hit; `total` counts only the matches).
        versions: fill each hit's `versions` (its other-language versions).

    Raises:
        QuerySyntaxError: the query cannot be parsed.
        UsageError: a bad filter value (empty author, unknown sort or language, page < 1).
        IndexMissingError, SchemaVersionError: from `index.open_index` when given a folder.
    """
    start = time.perf_counter()
    with _searcher_for(index) as searcher:
        plan = plan_search(searcher.schema, query, filters, searcher.reader())
        total, ranked, coordinated = run_plan(searcher, plan, limit=limit, page=page)
        hits = list(
            iter_hits(
                searcher,
                plan,
                ranked,
                first_rank=(page - 1) * limit + 1,
                snippets=snippets,
                versions=versions or both,
                both=both,
            )
        )
    return SearchResult(
        total=total,
        hits=hits,
        elapsed=time.perf_counter() - start,
        parsed=plan.parsed,
        filters=plan.filters,
        page=page,
        limit=limit,
        coordinated=coordinated,
        sort=plan.sort,
        has_no_words=plan.has_no_words,
        expansion=list(plan.expansion),
        feedback=plan.feedback,
        feedback_reason=plan.feedback_reason,
        feedback_added=plan.feedback_added,
    )


@contextmanager
def open_searcher(index: Any) -> Iterator[Any]:
    """Yield a whoosh Searcher for an index folder, an open Index, or a Searcher (kept open)."""
    with _searcher_for(index) as searcher:
        yield searcher


@contextmanager
def _searcher_for(index: Any) -> Iterator[Any]:
    if is_engine_searcher(index) or (
        hasattr(index, "search") and hasattr(index, "stored_fields")
    ):
        yield index  # a Searcher: the caller owns it
        return
    if isinstance(index, str) or hasattr(index, "__fspath__"):
        from archive.index import open_index

        index = open_index(str(index))
    searcher = index.searcher()
    try:
        yield searcher
    finally:
        searcher.close()


def find_document(searcher: Any, doc_id: str) -> dict[str, Any] | None:
    """Return the stored fields of the article `doc_id` (or of the one id it uniquely starts)."""
    docnum = _find_docnum(searcher, doc_id)
    return searcher.stored_fields(docnum) if docnum is not None else None


def _find_docnum(searcher: Any, doc_id: str) -> int | None:
    doc_id = doc_id.strip()
    if not doc_id:
        return None
    docnums = list(searcher.docs_for_query(wq.Term("id", doc_id)))
    if not docnums and len(doc_id) >= MIN_ID_PREFIX:
        docnums = list(searcher.docs_for_query(wq.Prefix("id", doc_id)))
        if len(docnums) > 1:
            raise UsageError(f"the id {doc_id!r} is the start of several articles; give more of it")
    return docnums[0] if docnums else None


def get_article(index: Any, doc_id: str) -> tuple[Article, list[Version]]:
    """Return the article `doc_id` (or the one whose id it uniquely starts) and its
    other-language versions, from one lookup: `archive show`.

    Raises:
        UsageError: the id is shorter than MIN_ID_PREFIX, or starts several articles' ids.
        ArchiveError: no article has that id.
    """
    with open_searcher(index) as searcher:
        if len(doc_id.strip()) < MIN_ID_PREFIX:
            raise UsageError(
                f"an id needs at least {MIN_ID_PREFIX} characters (ids look like "
                "5177f27cc1de9f82; `archive query` shows them)"
            )
        docnum = _find_docnum(searcher, doc_id)
        if docnum is None:
            raise ArchiveError(f"no article with id {doc_id!r} in {index}")
        stored = searcher.stored_fields(docnum)
        versions = version_records(find_versions(searcher, docnum, stored))
    return fields_to_article(stored), versions


def describe_index(
    index_dir: str,
    *,
    top_authors: int = 10,
    sources: tuple[str, ...] = (),
    lang: str | None = None,
) -> dict[str, Any]:
    """Return the overview of `archive stats`: `collect_stats` plus size, last ingest, schema.

    With `sources` and/or `lang`, only the articles from those inputs / in that language are
    counted (and no size is given: it is the whole index's).
    """
    from archive.index import index_size, open_index, read_meta

    meta = read_meta(index_dir)
    only = build_filter(SearchFilters(sources=sources, lang=lang)) if sources or lang else None
    # without mmap: the pages it reads (postings, dates) do not stay mapped (flat memory in N)
    with open_searcher(open_index(index_dir, mmap=False)) as searcher:
        stats = collect_stats(searcher, top_authors=top_authors, only=only)
    if lang:
        stats["lang"] = lang
    if sources:
        stats["sources"] = list(sources)
    elif not lang:
        stats["size_bytes"] = index_size(index_dir)
    stats["last_ingest"] = meta.get("last_ingest")
    stats["schema_version"] = meta.get("schema_version")
    stats["engine"] = engine_of(meta)
    return stats


@contextmanager
def matching_articles(
    index: Any,
    query: str | None = None,
    filters: SearchFilters | None = None,
    *,
    limit: int | None = None,
) -> Iterator[Iterator[tuple[Article, float | None]]]:
    """Yield an iterator over (article, score) of every match, in ranking order: `export`.

    The query is parsed on entry (a syntax error raises before anything is read or written);
    the articles are read lazily while the searcher stays open. An index folder is read
    without mmap: a pass over every stored article would map the whole index into memory.
    """
    if isinstance(index, str) or hasattr(index, "__fspath__"):
        from archive.index import open_index

        index = open_index(str(index), mmap=False)
    with open_searcher(index) as searcher:
        plan = plan_search(searcher.schema, query, filters, searcher.reader())
        yield (
            (fields_to_article(stored), score)
            for score, stored in iter_matches(searcher, plan, limit=limit)
        )


def iter_hits(
    searcher: Any,
    plan: SearchPlan,
    ranked: list[tuple[float | None, int]],
    *,
    first_rank: int = 1,
    snippets: bool = True,
    versions: bool = False,
    both: bool = False,
) -> Iterator[Hit]:
    """Yield a Hit per ranked document, loading stored fields and building snippets lazily.

    versions: fill `Hit.versions`. both: after each hit, yield its versions not yet yielded
    or ranked on this page, as Hits with `version_of` set (and no score).
    """
    terms = snippet_terms(searcher, plan.text_query) if snippets else set()
    matcher = new_matcher(searcher) if versions or both else None
    ranked_docs = {docnum for _, docnum in ranked}
    added: set[int] = set()
    for offset, (score, docnum) in enumerate(ranked):
        stored = searcher.stored_fields(docnum)
        hit = hit_from_stored(stored, rank=first_rank + offset, score=score)
        if snippets:
            hit.snippet, hit.highlights = make_snippet_for(stored, terms)
        found = find_versions(searcher, docnum, stored, matcher=matcher) if matcher else []
        hit.versions = version_records(found)
        yield hit
        if not both:
            continue
        for other, fields, _ in found:
            if other in ranked_docs or other in added:
                continue
            added.add(other)
            extra = hit_from_stored(fields, rank=hit.rank, score=None)
            extra.version_of = hit.id
            if snippets:
                extra.snippet, extra.highlights = make_snippet_for(fields, terms)
            extra.versions = version_records(
                find_versions(searcher, other, fields, matcher=matcher)
            )
            yield extra


def iter_matches(
    searcher: Any, plan: SearchPlan, *, limit: int | None = None
) -> Iterator[tuple[float | None, dict[str, Any]]]:
    """Yield (score, stored fields) of every match (or the first `limit`) in ranking order."""
    wanted = limit or max(1, searcher.doc_count_all())
    _, ranked, _ = run_plan(searcher, plan, limit=wanted, page=1)
    for score, docnum in ranked:
        yield score, searcher.stored_fields(docnum)


