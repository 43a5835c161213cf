"""Query string + filters -> whoosh query -> Hits.

CONTRACT (owner: query).

The query language is whoosh's: words, "phrases", AND / OR / NOT, (grouping), field:word,
word* prefixes and word~ fuzzy terms. Query words pass through the index's own analyzers (the
schema's ArchiveTokenizer), so the query text gets exactly the analysis used at ingest.

Ranking: BM25F over title, summary, body and author (field boosts all 1.0: a title boost of
2.0 lowered MAP on a held-back Persian set), times a coordination factor when the query has
several clauses: articles matching more of the words rank higher, as in Lucene (see
_coord_factors for the measurements). `require_all` keeps only articles matching every clause.

No bs4 or hazm on this path: `archive query` must start fast.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import pickle
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    FuzzyTermPlugin,
    MultifieldPlugin,
    OrGroup,
    QueryParser,
)

from archive import text
from archive.errors import QuerySyntaxError, UsageError
from archive.models import Hit

DEFAULT_FIELDS = ("title", "summary", "body", "author")
SNIPPET_FIELDS = ("title", "summary", "body")
SORTS = ("relevance", "date", "-date")
FIELD_ALIASES = {"author": ["authors", "by"], "body": ["text", "content"]}  # also accepted

# Snippets: look at most this many characters into a stored body; the analysis chain runs only
# on the few words a cheap regex picks out (see _find_matches).
SNIPPET_SCAN_CHARS = 200_000
SNIPPET_MATCHES_PER_TERM = 6  # confirmed occurrences of one term are enough for 3 passages
SNIPPET_CANDIDATES_PER_TERM = 40  # regex candidates tried per term before giving up
SNIPPET_EXPANSIONS = 30  # index terms a fuzzy or wildcard query term is expanded to
FUZZY_EXPANSIONS = 200  # index terms one fuzzy query term may match (per field)
SNIPPET_FRAGMENTS = 3
SNIPPET_FRAGMENT_CHARS = 150
SNIPPET_FALLBACK_CHARS = 240
ELLIPSIS = "…"

_NO_DATE_LAST = 99_999_999  # sort key for unknown dates in an oldest-first sort


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
    notes: list[str] = field(default_factory=list)


@dataclass
class SearchPlan:
    """A parsed search, ready to run on a searcher (kept so the CLI can explain and stream it)."""

    text_query: Any | None  # whoosh query for the QUERY text; None lists by date
    all_query: Any | None  # the every-clause version: its clauses drive coordination
    filter_query: Any | None
    sort: str
    require_all: bool

    @property
    def parsed(self) -> str:
        if self.text_query is None:
            return ""
        text = describe_query(self.text_query)
        if self.coordinated:
            clauses = len(_clauses_of(self.all_query))
            text += f"\nrank: BM25F x (clauses matched / {clauses}) ^ {COORD_EXPONENT}"
        return text

    @property
    def has_no_words(self) -> bool:
        """True when QUERY was given but analysed to nothing (only stopwords or punctuation)."""
        return self.text_query is wq.NullQuery

    @property
    def coordinated(self) -> bool:
        """Whether relevance scores get the coordination factor (several clauses, not --all)."""
        return self.all_query is not None and not self.require_all and self.sort == "relevance"

    @property
    def filters(self) -> str:
        return "" if self.filter_query is None else describe_query(self.filter_query)


def describe_query(q: Any) -> str:
    """Return a whoosh query as text, one word's fields joined: `title|summary|body:کتاب`."""
    kind = type(q)
    if kind is wq.Term:
        return f"{q.fieldname}:{_text(q.text)}"
    if kind is wq.Phrase:
        return f'{q.fieldname}:"{" ".join(_text(w) for w in q.words)}"'
    if kind is wq.Or:
        grouped: dict[Any, list[str]] = {}
        for child in q.subqueries:
            if type(child) is wq.Term:
                key: Any = _text(child.text)
            elif type(child) is wq.Phrase:
                key = '"' + " ".join(_text(w) for w in child.words) + '"'
            else:
                key = (describe_query(child),)
            grouped.setdefault(key, []).append(getattr(child, "fieldname", ""))
        parts = [
            key[0] if isinstance(key, tuple) else f"{'|'.join(names)}:{key}"
            for key, names in grouped.items()
        ]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    if kind is wq.NumericRange and q.fieldname == "date":
        low, high = int_to_date(q.start), int_to_date(q.end)
        return f"date {low or '…'} to {high or '…'}"
    if kind is wq.And:
        return "(" + " AND ".join(describe_query(child) for child in q.subqueries) + ")"
    if kind is wq.AndNot:
        return f"({describe_query(q.a)} NOT {describe_query(q.b)})"
    if kind is wq.Not:
        return f"NOT {describe_query(q.query)}"
    return str(q)


# --- public API -------------------------------------------------------------------------------


def search(
    index: Any,
    query: str | None = None,
    *,
    authors: Iterable[str] = (),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    lang: str | None = None,
    site: str | Iterable[str] | None = None,
    sort: str | None = None,
    limit: int = 10,
    page: int = 1,
    require_all: bool = False,
    snippets: bool = True,
) -> SearchResult:
    """Run one search and return the exact total and the hits of one page.

    Args:
        index: an index folder (str), an open whoosh Index, or a whoosh Searcher (fastest: reuse
            one searcher across calls for warm queries).
        query: whoosh query language text; None or blank lists the filtered articles by date.
        authors: names, any script; an article matches if any of them is one of its authors.
        date_from, date_to: inclusive Gregorian bounds; an undated article never matches them.
        lang: "en" or "fa". site: host (its subdomains match too), or several hosts.
        sort: "relevance", "date" (oldest first) or "-date" (newest first); default relevance
            with a query, "-date" without.
        limit, page: page size and 1-based page number.
        require_all: only articles matching every clause of the query.

    Raises:
        QuerySyntaxError: the query cannot be parsed.
        UsageError: a bad filter value (empty author, unknown sort or language, page < 1).
        IndexMissingError, SchemaVersionError: from `index.open_index` when given a folder.
    """
    start = time.perf_counter()
    with _searcher_for(index) as searcher:
        plan = plan_search(
            searcher.schema,
            query,
            authors=authors,
            date_from=date_from,
            date_to=date_to,
            lang=lang,
            site=site,
            sort=sort,
            require_all=require_all,
        )
        total, ranked, coordinated = run_plan(searcher, plan, limit=limit, page=page)
        hits = list(
            iter_hits(searcher, plan, ranked, first_rank=(page - 1) * limit + 1, snippets=snippets)
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
    )


def plan_search(
    schema: Any,
    query: str | None,
    *,
    authors: Iterable[str] = (),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    lang: str | None = None,
    site: str | Iterable[str] | None = None,
    sort: str | None = None,
    require_all: bool = False,
) -> SearchPlan:
    """Parse the query text and build the filter; raise QuerySyntaxError/UsageError on bad input."""
    has_text = bool(query and query.strip())
    if sort is None:
        sort = "relevance" if has_text else "-date"
    if sort not in SORTS:
        raise UsageError(f"unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
    text_query = all_query = None
    if has_text:
        assert query is not None
        any_query = parse_query(schema, query, require_all=False)
        every_query = parse_query(schema, query, require_all=True)
        if require_all:
            text_query = every_query
        else:
            text_query = any_query
            if every_query != any_query:
                all_query = every_query
    if not has_text and sort == "relevance":
        sort = "-date"  # nothing to rank by
    return SearchPlan(
        text_query=text_query,
        all_query=all_query,
        filter_query=build_filter(
            authors=authors, date_from=date_from, date_to=date_to, lang=lang, site=site
        ),
        sort=sort,
        require_all=require_all,
    )


def parse_query(schema: Any, query: str, *, require_all: bool = False) -> Any:
    """Parse whoosh query language into a normalised whoosh query over the default fields.

    Raises:
        QuerySyntaxError: unbalanced quotes or parentheses, a dangling operator, a bad range.
    """
    # whoosh reads the Arabic question mark as the "?" wildcard: a Persian question such as
    # «برجام چیست؟» would turn its last word into a pattern. Here it is punctuation, and
    # «...» or “...” quote a phrase as "..." does.
    query = query.translate(_NOT_WILDCARDS)
    _check_syntax(query)
    # Persian compounds are written apart, with ZWNJ or glued (احمدی نژاد, احمدی‌نژاد); the
    # query offers each form, and a detached affix (می روند, کتاب ها) is joined to its word
    # before whoosh splits on the space (MAP on the Persian judged set 0.792 -> 0.834).
    query = text.expand_query_compounds(query, require_all=require_all)
    fields = [name for name in DEFAULT_FIELDS if name in schema]
    group = AndGroup if require_all else OrGroup
    parser = _ArchiveParser(None, schema, group=group)
    parser.add_plugin(MultifieldPlugin(fields))
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    try:
        parsed = parser.parse(query)
    except Exception as exc:  # whoosh raises assorted errors on odd input
        raise QuerySyntaxError(
            f"cannot parse the query {query!r}; check its operators (AND, OR, NOT), "
            "field names and brackets"
        ) from exc
    error = _find_error(parsed)
    if error:
        raise QuerySyntaxError(f"cannot parse the query {query!r}: {error}")
    return _stem_prefixes(_lift_negations(parsed)).normalize()


# Endings that English words continue a prefix with: the Snowball stem of "negotiat" + "ions"
# is "negoti", shorter than the prefix, so a plain prefix walk over stemmed terms misses it.
_PREFIX_ENDINGS = (
    "", "e", "s", "es", "ed", "ing", "ion", "ions", "ation", "ations", "al", "ally", "ly",
    "y", "ies", "ive", "ives", "ity", "ities", "ment", "ments", "ness", "er", "ers", "or",
    "ors", "ism", "ist", "ists", "ic", "ical", "ize", "ized", "izing", "ise", "ised", "ance",
    "ence", "ant", "ent", "able", "ible",
)  # fmt: skip


def _stem_prefixes(q: Any) -> Any:
    """Let `word*` also match the stems of the words it starts (English, stemmed fields)."""
    if type(q) is wq.Prefix:
        if q.fieldname not in SNIPPET_FIELDS or not q.text.isascii() or len(q.text) < 3:
            return q
        stems: set[str] = set()
        for ending in _PREFIX_ENDINGS:
            terms = [term.text for term in text.iter_terms(q.text + ending)]
            if len(terms) == 1 and not terms[0].startswith(q.text) and len(terms[0]) >= 3:
                stems.add(terms[0])
        if not stems:
            return q
        return wq.Or([q, *(wq.Term(q.fieldname, stem) for stem in sorted(stems))])
    return q.apply(_stem_prefixes)


def build_filter(
    *,
    authors: Iterable[str] = (),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    lang: str | None = None,
    site: str | Iterable[str] | None = None,
) -> Any | None:
    """Return the whoosh query every hit must match (None when there are no filters)."""
    parts: list[Any] = []
    names = [a for a in authors]
    if names:
        parts.append(_or([_author_query(name) for name in names]))
    if date_from is not None or date_to is not None:
        if date_from and date_to and date_from > date_to:
            raise UsageError(f"--from {date_from} is after --to {date_to}")
        low = date_to_int(date_from) if date_from else 1  # 0 means "no date": never in a range
        high = date_to_int(date_to) if date_to else None
        parts.append(wq.NumericRange("date", low, high))
    if lang:
        if lang not in ("en", "fa"):
            raise UsageError(f"unknown language {lang!r}; use en or fa")
        parts.append(wq.Term("lang", lang))
    hosts = [site] if isinstance(site, str) else list(site or ())
    if hosts:
        parts.append(_or([_site_query(host) for host in hosts]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def run_plan(
    searcher: Any, plan: SearchPlan, *, limit: int = 10, page: int = 1, fast: bool = True
) -> tuple[int, list[tuple[float | None, int]], bool]:
    """Match and rank: return (exact total, [(score, docnum)] of the page, coordinated).

    Only `page * limit` documents are kept while matching; nothing is loaded from stored fields.
    Plain words (with NOT) and listings take a faster route (`_rank_bag`, `_list_by_date`)
    giving the same scores and order as whoosh's matchers; `fast=False` forces whoosh's route
    (tests compare the two).
    """
    if limit < 1 or page < 1:
        raise UsageError("--limit and --page must be at least 1")
    wanted = page * limit
    if not searcher.doc_count():
        return 0, [], False  # an empty index (whoosh's idf would divide by zero documents)
    allowed = _docset(searcher, plan.filter_query)
    if allowed is not None and not allowed:
        return 0, [], False  # nothing passes the filters (whoosh reads an empty filter as none)
    main = plan.text_query if plan.text_query is not None else wq.Every()
    if main is wq.NullQuery:  # the query text analysed to nothing (only stopwords)
        return 0, [], False

    if fast and plan.text_query is not None:
        plan = _expand_fuzzy(searcher, plan)
        main = plan.text_query
    if fast:
        try:
            if plan.text_query is None:
                total, ranked = _list_by_date(searcher, wanted, allowed, plan.sort)
                return total, ranked[(page - 1) * limit : wanted], False
            bag = _bag_of_terms(plan)
            if bag is not None:
                total, ranked, coordinated = _rank_bag(searcher, bag, wanted, allowed, plan.sort)
                return total, ranked[(page - 1) * limit : wanted], coordinated
        except _NotFast:
            pass  # whoosh's matchers below give the same answer, slower

    if not plan.coordinated:
        total, ranked = _collect(searcher, main, wanted, plan.sort, allowed=allowed)
        return total, ranked[(page - 1) * limit : wanted], False

    # Score every match of the any-clause query, then apply the coordination factor from the
    # clauses each document matches.
    total, everything = _collect(searcher, main, None, "relevance", allowed=allowed)
    clause_sets = [_docset(searcher, clause) or set() for clause in _clauses_of(plan.all_query)]
    factors = _coord_factors(len(clause_sets))
    rescored = [
        (score * factors[sum(docnum in docs for docs in clause_sets)], docnum)
        for score, docnum in everything
        if score is not None
    ]
    rescored.sort(key=lambda pair: (-pair[0], pair[1]))
    page_hits: list[tuple[float | None, int]] = list(rescored[(page - 1) * limit : wanted])
    return total, page_hits, True


COORD_EXPONENT = 0.5


def _coord_factors(clauses: int) -> list[float]:
    """Score factor by number of clauses matched: (matched / clauses) ** COORD_EXPONENT.

    Lucene's classic coordination factor is matched / clauses. On the judged sets of
    bench/relevance (71 queries, fa and en, MAP with unjudged documents dropped) the square
    root did best: fa 0.803 vs 0.799 for plain BM25F, 0.793 for the linear factor, 0.794 for
    strict tiers (every-word articles first, then the rest); en 0.844 vs 0.843, 0.845, 0.829.
    """
    return [(matched / clauses) ** COORD_EXPONENT for matched in range(clauses + 1)]


def _clauses_of(q: Any) -> list[Any]:
    """Return the positive clauses of an every-clause query (its NOT part left out)."""
    if q is None:
        return []
    if type(q) is wq.AndNot:
        q = q.a
    parts = list(q.subqueries) if type(q) is wq.And else [q]
    return [clause for part in parts for clause in _split_compound(part)]


def _split_compound(part: Any) -> list[Any]:
    """Split a compound alternative `(A AND B) OR AB` into the clauses `A OR AB`, `B OR AB`.

    `text.expand_query_compounds` offers the glued form of Persian words written apart; read
    as one clause, every article holding only some of the words would get coordination 0.
    (A and B) or AB is the same set as (A or AB) and (B or AB), so the split changes no match.
    """
    if type(part) is not wq.Or:
        return [part]
    ands = [sub for sub in part.subqueries if type(sub) is wq.And]
    if len(ands) != 1:
        return [part]
    glued = [sub for sub in part.subqueries if sub is not ands[0]]
    return [wq.Or([word, *glued]).normalize() for word in ands[0].subqueries]


# --- the fast route for plain words ----------------------------------------------------------
#
# Whoosh scores through a tree of matcher objects, a few microseconds per posting; a common
# word in a 20,000-article index has ~10,000 postings per field. For the commonest query shape,
# plain words ranked by relevance, the postings are read block by block and BM25F is summed
# in one loop (the formula and parameters of whoosh's BM25F, so scores and ranks agree).


@dataclass
class _Bag:
    """A query of plain words and phrases: clauses of alternatives, minus a NOT part.

    An alternative is (field, term) or (field, (word, word, ...)) for a phrase.
    """

    clauses: list[list[tuple[str, Any]]]
    need_all: bool  # only documents with every clause
    excluded: list[Any]  # queries whose documents are left out


def _bag_of_terms(plan: SearchPlan) -> _Bag | None:
    """Return the query as a _Bag when it is plain words (and NOT words), else None."""
    if plan.text_query is None:
        return None
    every = plan.all_query if plan.all_query is not None else plan.text_query
    excluded = []
    if type(every) is wq.AndNot:
        every, excluded = every.a, [every.b]
    parts = _clauses_of(every)
    clauses = []
    for part in parts:
        if type(part) is wq.Not:
            excluded.append(part.query)
            continue
        terms = part.subqueries if type(part) is wq.Or else [part]
        clause = []
        for term in terms:
            if term.boost != 1.0:
                return None
            if type(term) is wq.Term:
                clause.append((term.fieldname, term.text))
            elif type(term) is wq.Phrase and term.slop == 1 and term.words:
                clause.append((term.fieldname, tuple(term.words)))
            else:
                return None
        clauses.append(clause)
    if not clauses:
        return None
    # Without a separate all-clause query, several clauses were joined by an explicit AND.
    need_all = plan.require_all or (plan.all_query is None and len(clauses) > 1)
    return _Bag(clauses, need_all, excluded)


_B2L: list[int] | None = None


def _byte_to_length_table() -> list[int]:
    global _B2L
    if _B2L is None:
        from whoosh.util.numeric import byte_to_length

        _B2L = [byte_to_length(b) for b in range(256)]
    return _B2L


_LENGTH_CACHE: Any = None


def _field_lengths(reader: Any, fieldname: str) -> bytes:
    """Return the length bytes of `fieldname` for every document of a segment (cached)."""
    cache = _reader_cache(reader)
    key = "length:" + fieldname
    if key not in cache:
        from whoosh.codec import whoosh3

        try:
            column = reader._perdoc._cached_reader(
                whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN
            )
            if column is None:
                raise _NotFast
            raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
        except AttributeError as exc:  # not whoosh3's segment layout
            raise _NotFast from exc
        count = reader.doc_count_all()
        cache[key] = (bytes(raw) + bytes(count))[:count]  # short columns: the rest are 0
    value: bytes = cache[key]
    return value


def _blocks(
    reader: Any, fieldname: str, term: str, *, values: bool = False
) -> Iterator[tuple[Any, ...]]:
    """Yield (docnums, weights) of a term's postings in one segment, a block at a time.

    With `values`, (docnums, weights, encoded values): the values hold the positions.
    """
    from whoosh.matching.wrappers import FilterMatcher

    matcher = reader.postings(fieldname, term)
    if isinstance(matcher, FilterMatcher):  # deletions: the caller drops deleted documents
        matcher = matcher.child
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            if values:
                if matcher._values is None:
                    matcher._read_values()
                yield matcher._ids, matcher._weights, matcher._values
            else:
                yield matcher._ids, matcher._weights
            matcher._next_block()
        return
    ids, weights, encoded = [], [], []
    while matcher.is_active():  # another codec: the generic, slower walk
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if values:
            encoded.append(matcher.value())
        matcher.next()
    yield (ids, weights, encoded) if values else (ids, weights)


def _rank_bag(
    searcher: Any, bag: _Bag, wanted: int, allowed: set[int] | None, sort: str
) -> tuple[int, list[tuple[float | None, int]], bool]:
    from collections import defaultdict

    from whoosh import scoring

    weighting = searcher.weighting
    if type(weighting) is not scoring.BM25F:
        raise _NotFast
    k1 = weighting.K1
    lengths_table = _byte_to_length_table()
    scores: defaultdict[int, float] = defaultdict(float)
    seen: defaultdict[int, int] = defaultdict(int)
    several = len(bag.clauses) > 1
    leaves = searcher.reader().leaf_readers()
    k1_plus_1 = k1 + 1
    for bit, clause in enumerate(bag.clauses):
        flag = 1 << bit
        for fieldname, term in clause:
            if fieldname not in searcher.schema or not searcher.schema[fieldname].scorable:
                raise _NotFast
            b = weighting._field_B.get(fieldname, weighting.B)
            avgfl = searcher.avg_field_length(fieldname) or 1
            # whoosh's bm25(): idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
            # with the length part precomputed for each of the 256 length bytes.
            norms = [k1 * ((1 - b) + b * length / avgfl) for length in lengths_table]
            if isinstance(term, tuple):
                phrase = _PhraseScorer(searcher, fieldname, term, norms, k1_plus_1)
                for key, score in phrase.matches(leaves):
                    scores[key] += score
                    if several:
                        seen[key] |= flag
                continue
            idf = searcher.idf(fieldname, term)
            for reader, base in leaves:
                if (fieldname, term) not in reader:
                    continue
                lengths = _field_lengths(reader, fieldname)
                deleted = reader.deleted_docs_set if reader.has_deletions() else ()
                for ids, weights in _blocks(reader, fieldname, term):
                    for docnum, tf in zip(ids, weights, strict=False):
                        if deleted and docnum in deleted:
                            continue
                        key = base + docnum
                        scores[key] += idf * ((tf * k1_plus_1) / (tf + norms[lengths[docnum]]))
                        if several:
                            seen[key] |= flag
    docs: Any = scores.keys() if allowed is None else scores.keys() & allowed
    for query in bag.excluded:
        docs = set(docs) - _docset(searcher, query)  # type: ignore[operator]
    scored = sort == "relevance"
    date_order = None if scored else _date_order(searcher, sort)

    def best(candidates: Any, n: int) -> list[tuple[float | None, int]]:
        if n <= 0:
            return []
        if date_order is not None:
            import heapq

            return [(None, d) for d in heapq.nsmallest(n, candidates, key=date_order)]
        pool = candidates if isinstance(candidates, list) else list(candidates)
        if len(pool) > n:
            # The n-th best score (C speed), then order the few at or above it exactly:
            # higher score first, lower docnum first among equals (whoosh's order).
            import heapq

            cut = heapq.nlargest(n, map(scores.__getitem__, pool))[-1]
            pool = [d for d in pool if scores[d] >= cut]
        pool.sort(key=lambda d: (-scores[d], d))
        return [(scores[d], d) for d in pool[:n]]

    full = (1 << len(bag.clauses)) - 1
    if several and bag.need_all:
        first = [d for d in docs if seen[d] == full]
        return len(first), best(first, wanted), False
    coordinated = several and scored
    if coordinated:
        factors = _coord_factors(len(bag.clauses))
        for d in docs:
            scores[d] *= factors[seen[d].bit_count()]
    return len(docs), best(docs, wanted), coordinated


class _PhraseScorer:
    """Documents where the words follow each other in one field, scored as whoosh scores a
    Phrase (the sum of each word's BM25F in that field)."""

    def __init__(
        self, searcher: Any, fieldname: str, words: tuple[str, ...], norms: list[float], k1p1: float
    ) -> None:
        self.searcher = searcher
        self.fieldname = fieldname
        self.words = words
        self.norms = norms
        self.k1p1 = k1p1
        self.idfs = [searcher.idf(fieldname, word) for word in words]
        self.format = searcher.schema[fieldname].format
        if not self.format.supports("positions"):
            raise _NotFast

    def matches(self, leaves: Any) -> Iterator[tuple[int, float]]:
        for reader, base in leaves:
            if any((self.fieldname, word) not in reader for word in self.words):
                continue
            postings: list[dict[int, tuple[float, Any]]] = []
            for word in self.words:
                entries: dict[int, tuple[float, Any]] = {}
                for ids, weights, values in _blocks(reader, self.fieldname, word, values=True):
                    entries.update(zip(ids, zip(weights, values, strict=False), strict=False))
                postings.append(entries)
            smallest = sorted(postings, key=lambda found: len(found))[0]
            common: set[int] = set(smallest)
            for entries in postings:
                common &= entries.keys()
            deleted = reader.deleted_docs_set if reader.has_deletions() else ()
            lengths = _field_lengths(reader, self.fieldname)
            for docnum in sorted(common):
                if deleted and docnum in deleted:
                    continue
                if not self._adjacent([entries[docnum][1] for entries in postings]):
                    continue
                norm = self.norms[lengths[docnum]]
                score = 0.0
                for idf, entries in zip(self.idfs, postings, strict=True):
                    tf = entries[docnum][0]
                    score += idf * ((tf * self.k1p1) / (tf + norm))
                yield base + docnum, score

    def _adjacent(self, encoded: list[Any]) -> bool:
        decode = self.format.decode_positions
        later = [set(decode(value)) for value in encoded[1:]]
        return any(
            all(start + offset in positions for offset, positions in enumerate(later, 1))
            for start in decode(encoded[0])
        )


def _list_by_date(
    searcher: Any, wanted: int, allowed: set[int] | None, sort: str
) -> tuple[int, list[tuple[float | None, int]]]:
    """List documents (all, or those `allowed`) by date without a query."""
    import heapq

    if allowed is None:
        deleted = _deleted(searcher)
        total_docs = searcher.doc_count_all()
        candidates: Any = range(total_docs)
        if deleted:
            candidates = [d for d in candidates if d not in deleted]
        total = total_docs - len(deleted)
    else:
        candidates, total = allowed, len(allowed)
    top = heapq.nsmallest(wanted, candidates, key=_date_order(searcher, sort))
    return total, [(None, d) for d in top]


def _date_order(searcher: Any, sort: str) -> Any:
    """Return a sort key for docnums: newest first ("-date") or oldest first, undated last."""
    dates = _dates(searcher)
    n_dates = len(dates)
    if sort == "-date":
        return lambda d: (-(dates[d] if d < n_dates else 0), d)
    return lambda d: ((dates[d] if d < n_dates else 0) or _NO_DATE_LAST, d)


def _dates(searcher: Any) -> list[int]:
    """Return the yyyymmdd date of every document, by global docnum (columns read in bulk)."""
    values: list[int] = []
    for reader, base in searcher.reader().leaf_readers():
        cache = _reader_cache(reader)
        if "date" not in cache:
            cache["date"] = _segment_dates(reader)
        if len(values) < base:
            values.extend([0] * (base - len(values)))
        values.extend(cache["date"])
    return values


def _segment_dates(reader: Any) -> list[int]:
    from array import array

    count = reader.doc_count_all()
    if not count:
        return []
    try:
        column = reader.column_reader("date", translate=False)
        if type(column).__name__ == "EmptyColumnReader":  # no dated article in this segment
            return [0] * count
        raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
        numbers = array(column._typecode)
        numbers.frombytes(bytes(raw))
    except (AttributeError, TypeError, ValueError, NotImplementedError) as exc:
        raise _NotFast from exc  # another codec or column layout: whoosh's own sorting
    if numbers.itemsize > 1 and array("H", [1]).tobytes()[0] == 1:
        numbers.byteswap()  # whoosh writes columns big-endian
    found: list[int] = numbers.tolist()
    return (found + [0] * count)[:count]


def _deleted(searcher: Any) -> set[int]:
    found: set[int] = set()
    for reader, base in searcher.reader().leaf_readers():
        if reader.has_deletions():
            found.update(base + d for d in reader.deleted_docs_set)
    return found


def _reader_cache(reader: Any) -> dict[str, Any]:
    global _LENGTH_CACHE
    if _LENGTH_CACHE is None:
        import weakref

        _LENGTH_CACHE = weakref.WeakKeyDictionary()
    cache: dict[str, Any] = _LENGTH_CACHE.setdefault(reader, {})
    return cache


class _NotFast(Exception):
    """The fast route does not apply (another weighting, an unscorable field)."""


def _expand_fuzzy(searcher: Any, plan: SearchPlan) -> SearchPlan:
    """Replace fuzzy terms by the index terms they reach, once per field over the whole index.

    Whoosh expands a FuzzyTerm in every segment with a pure-Python edit distance, over a second
    on 20,000 articles; one walk of the merged lexicon per field is several times faster, and
    the plain terms it gives can take the fast route.
    """
    reader = searcher.reader()

    def expand(q: Any) -> Any:
        if isinstance(q, wq.FuzzyTerm):
            try:
                words = list(
                    itertools.islice(
                        reader.terms_within(
                            q.fieldname, q.text, q.maxdist, prefix=_fuzzy_prefix(q)
                        ),
                        FUZZY_EXPANSIONS,
                    )
                )
            except Exception:  # noqa: BLE001 - leave it to whoosh
                return q
            if not words:
                return wq.NullQuery
            terms = [wq.Term(q.fieldname, _text(w), boost=q.boost) for w in words]
            return terms[0] if len(terms) == 1 else wq.Or(terms)
        return q if q.is_leaf() else q.apply(expand)

    if plan.text_query is None or not any(
        isinstance(leaf, wq.FuzzyTerm) for leaf in plan.text_query.leaves()
    ):
        return plan
    text_query = expand(plan.text_query).normalize()
    all_query = expand(plan.all_query).normalize() if plan.all_query is not None else None
    return SearchPlan(text_query, all_query, plan.filter_query, plan.sort, plan.require_all)


def _fuzzy_prefix(q: Any) -> int:
    """Letters a fuzzy term's matches must share at the start: at least the first one.

    With none, whoosh computes an edit distance against every word of the lexicon (155,000
    words in 20,000 articles: seconds); sharing the first letter costs milliseconds and loses
    only typos in the first letter.
    """
    return max(1, int(getattr(q, "prefixlength", 0) or 0))


def _collect(
    searcher: Any,
    q: Any,
    limit: int | None,
    sort: str,
    *,
    allowed: set[int] | None = None,
    mask: set[int] | None = None,
) -> tuple[int, list[tuple[float | None, int]]]:
    """Run `q` once: the exact number of matches and the best `limit` (score, docnum) pairs.

    Whoosh's block-quality skipping is off: on this corpus it saved little, and with it the
    exact count needs a second pass over the postings (its matcher replacement also makes the
    collector's own count wrong). One exhaustive pass scores and counts together.
    """
    from whoosh import collectors

    inner: Any
    if sort == "relevance" and limit is None:
        inner = collectors.UnlimitedCollector()
    elif sort == "relevance":
        inner = collectors.TopCollector(limit, usequality=False, replace=0)
    else:
        inner = collectors.SortingCollector(_date_facet(sort), limit=limit, reverse=sort == "-date")
    collector = inner
    if allowed is not None or mask:
        collector = collectors.FilterCollector(inner, allowed, mask or None)
    searcher.search_with_collector(q, collector)
    results = collector.results()
    scored = sort == "relevance"
    ranked = [(score if scored else None, docnum) for score, docnum in results.top_n]
    return (len(ranked) if limit is None else collector.count()), ranked


def iter_hits(
    searcher: Any,
    plan: SearchPlan,
    ranked: list[tuple[float | None, int]],
    *,
    first_rank: int = 1,
    snippets: bool = True,
) -> Iterator[Hit]:
    """Yield a Hit per ranked document, loading stored fields and building snippets lazily."""
    terms = snippet_terms(searcher, plan.text_query) if snippets else set()
    for offset, (score, docnum) in enumerate(ranked):
        stored = searcher.stored_fields(docnum)
        hit = hit_from_stored(stored, rank=first_rank + offset, score=score)
        if snippets:
            hit.snippet, hit.highlights = make_snippet_for(stored, terms)
        yield hit


def iter_matches(
    searcher: Any, plan: SearchPlan, *, limit: int | None = None
) -> Iterator[tuple[float | None, dict[str, Any]]]:
    """Yield (score, stored fields) of every match (or the first `limit`) in ranking order."""
    wanted = limit or max(1, searcher.doc_count_all())
    _, ranked, _ = run_plan(searcher, plan, limit=wanted, page=1)
    for score, docnum in ranked:
        yield score, searcher.stored_fields(docnum)


def snippet_terms(searcher: Any, q: Any | None) -> set[str]:
    """Return the index terms (text fields only) a hit's snippet should highlight.

    Terms under NOT are left out. A prefix query gives "prefix*" (matched word by word while
    making the snippet, no lexicon walk); fuzzy and wildcard terms are expanded on the body
    field only, at most SNIPPET_EXPANSIONS of them (expanding over every field and segment
    took seconds on a 20,000-article index).
    """
    if q is None:
        return set()
    reader = searcher.reader()
    found: set[str] = set()
    for leaf in _positive_leaves(q):
        if leaf.field() not in SNIPPET_FIELDS:
            continue
        if type(leaf) is wq.Prefix:
            found.add(leaf.text + "*")
            continue
        if isinstance(leaf, wq.FuzzyTerm | wq.Wildcard | wq.Regex):
            if leaf.field() != "body":
                continue
            try:
                if isinstance(leaf, wq.FuzzyTerm):
                    within = reader.terms_within(
                        "body", leaf.text, leaf.maxdist, prefix=_fuzzy_prefix(leaf)
                    )
                else:
                    within = leaf._btexts(reader)
                expanded = itertools.islice(within, SNIPPET_EXPANSIONS)
                found.update(_text(term) for term in expanded)
            except Exception:  # noqa: BLE001 - highlighting is best effort
                pass
            continue
        try:
            pairs = leaf.existing_terms(reader, phrases=True, expand=False)
        except Exception:  # noqa: BLE001 - an exotic leaf (range, every): nothing to highlight
            continue
        found.update(_text(term) for fieldname, term in pairs if fieldname in SNIPPET_FIELDS)
    return found


def _text(term: Any) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else str(term)


def make_snippet(
    body: str,
    terms: set[str],
    *,
    fragments: int = SNIPPET_FRAGMENTS,
    fragment_chars: int = SNIPPET_FRAGMENT_CHARS,
    scan_chars: int = SNIPPET_SCAN_CHARS,
) -> tuple[str, list[tuple[int, int]]]:
    """Return (snippet, highlight spans): up to `fragments` passages of `body` around matches.

    Passages are chosen for the most distinct matched terms; whitespace is collapsed and "…"
    marks cuts. With no match in the first `scan_chars` characters, the opening of the body.
    """
    if not body:
        return "", []
    matches = _find_matches(body, terms, scan_chars=scan_chars) if terms else []
    if not matches:
        return _opening(body), []
    snippet = ""
    spans: list[tuple[int, int]] = []
    windows = _choose_windows(body, matches, fragments, fragment_chars)
    for number, (start, end) in enumerate(windows):
        if start > 0:
            snippet += ELLIPSIS + " " if number == 0 else " " + ELLIPSIS + " "
        elif number:
            snippet += " "
        cursor = start
        for m_start, m_end, _ in matches:
            if m_start < cursor or m_end > end:
                continue
            snippet += (
                _collapse(body[cursor:m_start]).lstrip()
                if cursor == start
                else _collapse(body[cursor:m_start])
            )
            word = _collapse(body[m_start:m_end])
            spans.append((len(snippet), len(snippet) + len(word)))
            snippet += word
            cursor = m_end
        tail = _collapse(body[cursor:end])
        snippet += tail.lstrip() if cursor == start else tail
        snippet = snippet.rstrip()
    if windows[-1][1] < len(body.rstrip()):
        snippet += " " + ELLIPSIS
    return snippet, spans


def make_snippet_for(stored: dict[str, Any], terms: set[str]) -> tuple[str, list[tuple[int, int]]]:
    """Build a hit's snippet from its stored body (falling back to summary, then title)."""
    body = stored.get("body") or ""
    if body:
        snippet = make_snippet(body, terms)
        if snippet[1] or not stored.get("summary"):
            return snippet
        summary_snippet = make_snippet(stored["summary"], terms)
        return summary_snippet if summary_snippet[1] else snippet
    return make_snippet(stored.get("summary") or "", terms)


def hit_from_stored(stored: dict[str, Any], *, rank: int, score: float | None) -> Hit:
    """Map a stored whoosh document to a Hit (no snippet)."""
    authors = stored.get("authors") or []
    if isinstance(authors, str):
        authors = [a for a in authors.splitlines() if a.strip()]
    return Hit(
        rank=rank,
        id=str(stored.get("id", "")),
        title=stored.get("title") or "",
        score=None if score is None else round(float(score), 4),
        lang=stored.get("lang") or "",
        source=stored.get("source") or "",
        url=stored.get("url") or None,
        site=stored.get("site") or None,
        authors=list(authors),
        date=int_to_date(stored.get("date")),
        date_jalali=stored.get("date_jalali") or None,
    )


def date_to_int(date: dt.date) -> int:
    """Return the index form of a date: yyyymmdd as an int."""
    return date.year * 10_000 + date.month * 100 + date.day


def int_to_date(value: Any) -> dt.date | None:
    """Inverse of `date_to_int`; 0, None or an impossible value give None."""
    try:
        number = int(value or 0)
        if number <= 0:
            return None
        return dt.date(number // 10_000, number // 100 % 100, number % 100)
    except (TypeError, ValueError):
        return None


@contextmanager
def open_searcher(index: Any) -> Iterator[Any]:
    """Yield a whoosh Searcher for an index folder, an open Index, or a Searcher (kept open)."""
    with _searcher_for(index) as searcher:
        yield searcher


# --- parsing ----------------------------------------------------------------------------------


_NOT_WILDCARDS = str.maketrans(
    {
        "\u061f": " ",  # Arabic question mark: whoosh's "?" wildcard otherwise
        "\u055e": " ",
        "\u1367": " ",
        "«": '"',  # Persian (and French) quotes, and typographic ones, make phrases too
        "»": '"',
        "\u201c": '"',
        "\u201d": '"',
    }
)


class _ArchiveParser(QueryParser):
    """A QueryParser whose words that analyse into several tokens need all of them."""

    def multitoken_query(
        self, spec: Any, texts: Any, fieldname: Any, termclass: Any, boost: Any
    ) -> Any:
        return wq.And([termclass(fieldname, t, boost=boost) for t in texts])


def _check_syntax(query: str) -> None:
    """Catch what whoosh would silently misread: unbalanced quotes and parentheses."""
    if query.count('"') % 2:
        raise QuerySyntaxError(f'unbalanced quote in the query {query!r}; close the "phrase"')
    depth = {"(": 0, "[": 0}
    closing = {")": "(", "]": "["}
    in_phrase = False
    for char in query:
        if char == '"':
            in_phrase = not in_phrase
        elif in_phrase:
            continue
        elif char in depth:
            depth[char] += 1
        elif char in closing:
            depth[closing[char]] -= 1
            if depth[closing[char]] < 0:
                raise QuerySyntaxError(f"unbalanced {char!r} in the query {query!r}")
    for char, count in depth.items():
        if count:
            raise QuerySyntaxError(f"unbalanced {char!r} in the query {query!r}")
    words = query.split()
    if words and (
        words[-1] in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")
        or words[0] in ("AND", "OR", "ANDNOT", "ANDMAYBE")
    ):
        raise QuerySyntaxError(
            f"the query {query!r} starts or ends with an operator; put words on both sides"
        )


def _lift_negations(q: Any) -> Any:
    """Read `a b NOT c` as Lucene does: (a OR b) excluding c, not (a OR b OR everything-but-c).

    The same for AND groups, so that the all-words and some-words forms agree on exclusions.
    """
    if type(q) in (wq.Or, wq.And):
        subs = [_lift_negations(child) for child in q.subqueries]
        negated = [child.query for child in subs if isinstance(child, wq.Not)]
        positive = [child for child in subs if not isinstance(child, wq.Not)]
        if type(q) is wq.Or:
            joined = wq.Or(positive, boost=q.boost, scale=q.scale)
        else:
            # `a b NOT c` with --all: (a AND b) excluding c; whoosh's And would add a constant
            # score for the NOT clause and read differently from the OR form.
            joined = wq.And(positive, boost=q.boost)
        if negated and positive:
            return wq.AndNot(joined if len(positive) > 1 else positive[0], _or(negated))
        return joined if not negated else type(q)(subs, boost=q.boost)
    if q.is_leaf():
        return q
    return q.apply(_lift_negations)


def _find_error(q: Any) -> str | None:
    if isinstance(q, wq.Query) and getattr(q, "error", None):
        return str(q.error)
    for child in q.children() if hasattr(q, "children") else ():
        found = _find_error(child)
        if found:
            return found
    return None


def _positive_leaves(q: Any) -> Iterator[Any]:
    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        yield from _positive_leaves(q.a)
        return
    if q.is_leaf():
        yield q
        return
    for child in q.children():
        yield from _positive_leaves(child)


# --- filters ----------------------------------------------------------------------------------


def _or(queries: list[Any]) -> Any:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _author_query(name: str) -> Any:
    terms = [term.text for term in text.iter_name_terms(name)]
    if not terms:
        raise UsageError(f"the author name {name!r} has no letters to match")
    if len(terms) == 1:
        return wq.Term("author", terms[0])
    return wq.Phrase("author", terms)


def normalize_site(site: str) -> str:
    """Return the stored form of a site: lowercase host without scheme, port, path or "www."."""
    host = site.strip().lower()
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", host)
    host = host.split("/", 1)[0].split(":", 1)[0]
    if host.startswith("www."):
        host = host[4:]
    return host


def _site_query(site: str) -> Any:
    host = normalize_site(site)
    if not host:
        raise UsageError(f"the site {site!r} is not a host name")
    return wq.Or([wq.Term("site", host), wq.Wildcard("site", "*." + host)])


def _docset(searcher: Any, q: Any | None) -> set[int] | None:
    """Return the docnums matching `q` (None for no query), reading postings in bulk."""
    if q is None:
        return None
    kind = type(q)
    if kind is wq.And:
        sets = sorted((_docset(searcher, child) or set() for child in q.subqueries), key=len)
        return set.intersection(*sets) if sets else set()
    if kind is wq.Or:
        return set().union(*(_docset(searcher, child) or set() for child in q.subqueries))
    try:
        if kind is wq.Term:
            return _term_docs(searcher, q.fieldname, q.text)
        if kind is wq.NumericRange and q.fieldname == "date":
            return _date_docs(searcher, q)
    except _NotFast:
        pass
    return set(searcher.docs_for_query(q))


def _term_docs(searcher: Any, fieldname: str, term: Any) -> set[int]:
    found: set[int] = set()
    for reader, base in searcher.reader().leaf_readers():
        if (fieldname, term) not in reader:
            continue
        for ids, _ in _blocks(reader, fieldname, term):
            found.update(ids if not base else (base + d for d in ids))
    return found - _deleted(searcher)


def _date_docs(searcher: Any, q: Any) -> set[int]:
    low = q.start if q.start is not None else 0
    high = q.end if q.end is not None else _NO_DATE_LAST
    if q.startexcl:
        low += 1
    if q.endexcl:
        high -= 1
    dates = _dates(searcher)
    found = {d for d, value in enumerate(dates) if low <= value <= high}
    return found - _deleted(searcher)


def _date_facet(sort: str) -> Any:
    from whoosh import sorting

    if sort == "-date":
        return sorting.FieldFacet("date")
    # Oldest first, but undated articles (stored as 0) last rather than first.
    return sorting.TranslateFacet(lambda value: value or _NO_DATE_LAST, sorting.FieldFacet("date"))


class _MemoryFile(io.RawIOBase):
    """A read-only file over a memoryview (an mmap'ed segment), without copying it."""

    def __init__(self, buf: Any) -> None:
        super().__init__()
        self._buf = buf if isinstance(buf, memoryview) else memoryview(buf)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        size = min(len(target), len(self._buf) - self._pos)
        if size <= 0:
            return 0
        target[:size] = self._buf[self._pos : self._pos + size]
        self._pos += size
        return size

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        data = bytes(self._buf[self._pos : end]) if end > self._pos else b""
        self._pos = max(self._pos, end)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        total = len(self._buf)
        limit = total if size is None or size < 0 else min(total, self._pos + size)
        end = self._pos
        while end < limit:
            chunk = bytes(self._buf[end : min(limit, end + 4096)])
            found = chunk.find(b"\n")
            if found >= 0:
                end += found + 1
                break
            end += len(chunk)
        data = bytes(self._buf[self._pos : end])
        self._pos = end
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: len(self._buf)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos


_ZERO_COPY = False


def _read_segments_without_copies() -> None:
    """Make whoosh read mmap'ed compound segments in place.

    whoosh's BufferFile wraps every file of a compound segment in `BytesIO(memoryview)`, which
    copies it: opening a 21,500-article index copied ~100 MB (postings, stored fields) and cost
    0.45 s of a cold `archive query`. A file object over the memoryview reads the same bytes.
    """
    global _ZERO_COPY
    if _ZERO_COPY:
        return
    from whoosh.filedb import structfile

    def init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = _MemoryFile(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def read_pickle(self: Any) -> Any:
        # pickle.load() on a Python-level file makes a call per opcode; the block headers
        # read for every posting block are small, so unpickle a short copied window instead.
        start = self.file.tell()
        for size in (512, len(self._buf) - start):
            window = io.BytesIO(bytes(self._buf[start : start + size]))
            try:
                value = pickle.load(window)
            except (EOFError, pickle.UnpicklingError):
                continue
            self.file.seek(start + window.tell())
            return value
        raise EOFError("truncated pickle in an index file")

    structfile.BufferFile.__init__ = init
    structfile.BufferFile.read_pickle = read_pickle
    _ZERO_COPY = True


@contextmanager
def _searcher_for(index: Any) -> Iterator[Any]:
    if hasattr(index, "search") and hasattr(index, "stored_fields"):
        yield index  # a Searcher: the caller owns it
        return
    if isinstance(index, str) or hasattr(index, "__fspath__"):
        from archive.index import open_index

        _read_segments_without_copies()
        index = open_index(str(index))
    searcher = index.searcher()
    try:
        yield searcher
    finally:
        searcher.close()


# --- snippets ---------------------------------------------------------------------------------


def _find_matches(body: str, terms: set[str], *, scan_chars: int) -> list[tuple[int, int, str]]:
    """Find where `terms` occur in `body`, analysing only a few words around likely places.

    Running the analysis chain over a whole stored body costs milliseconds per hit. Instead a
    regular expression per term finds word starts that may fold to it (letter variants, case,
    ZWNJ and diacritics allowed between letters), and the chain confirms each candidate on the
    word alone, giving exact offsets. A surface form that does not begin with its stem is missed
    (the snippet then shows the opening); that costs a highlight, never a hit.
    """
    limit = min(len(body), scan_chars)
    matches: list[tuple[int, int, str]] = []
    for term in terms:
        prefix = term[:-1] if term.endswith("*") else None
        pattern = _candidate_pattern(prefix if prefix is not None else term, exact=prefix is None)
        if pattern is None:
            continue
        found = 0
        for tries, candidate in enumerate(pattern.finditer(body, 0, limit)):
            if found >= SNIPPET_MATCHES_PER_TERM or tries >= SNIPPET_CANDIDATES_PER_TERM:
                break
            start = candidate.start()
            end = _word_end(body, candidate.end(), limit)
            for analysed in text.iter_terms(body[start:end]):
                if analysed.start > candidate.end() - start:
                    break
                if analysed.text == term or (prefix and analysed.text.startswith(prefix)):
                    matches.append((start + analysed.start, start + analysed.end, term))
                    found += 1
                    break
    matches.sort()
    return matches


def _word_end(body: str, pos: int, limit: int) -> int:
    match = _WORD_END.search(body, pos, min(limit, pos + 40))
    return match.start() if match else min(limit, pos + 40)


_WORD_END = re.compile(r"[\s.,;:!?()\[\]{}\"'«»،؛؟]")


def _candidate_pattern(term: str, *, exact: bool = True) -> re.Pattern[str] | None:
    """Return a regex for word starts in raw text that may analyse to `term` (cached)."""
    cached = _PATTERNS.get(term)
    if cached is not None or term in _PATTERNS:
        return cached
    stem = term
    if exact and len(term) > 3 and term.endswith("i"):
        stem = term[:-1]  # Porter: happy -> happi
    variants = _variants()
    ignorable = variants.get("", "")
    gap = f"[{re.escape(ignorable)}]*" if ignorable else ""
    parts = []
    for char in stem:
        chars = variants.get(char, "") + char
        parts.append("[" + re.escape("".join(sorted(set(chars)))) + "]")
    pattern = None
    if parts:
        pattern = re.compile(r"(?<!\w)" + gap.join(parts), re.IGNORECASE)
    if len(_PATTERNS) > 5000:
        _PATTERNS.clear()
    _PATTERNS[term] = pattern
    return pattern


_PATTERNS: dict[str, re.Pattern[str] | None] = {}
_VARIANTS: dict[str, str] = {}


def _variants() -> dict[str, str]:
    """Map each folded character to the raw characters that fold to it ("" -> ignorable ones)."""
    if _VARIANTS:
        return _VARIANTS
    ranges = [(0x30, 0x7A), (0xC0, 0x24F), (0x600, 0x6FF), (0x750, 0x77F), (0x8A0, 0x8FF),
              (0x200B, 0x200F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF), (0xFF10, 0xFF5A)]  # fmt: skip
    table: dict[str, set[str]] = {}
    for low, high in ranges:
        for code in range(low, high + 1):
            char = chr(code)
            try:
                folded = text.normalize(char)
            except Exception:  # noqa: BLE001 - an odd code point: leave it out
                continue
            if len(folded) <= 1 and folded != char:
                table.setdefault(folded, set()).add(char)
    _VARIANTS.update({k: "".join(sorted(v)) for k, v in table.items()})
    _VARIANTS.setdefault("", "")
    return _VARIANTS


def _choose_windows(
    body: str, matches: list[tuple[int, int, str]], fragments: int, fragment_chars: int
) -> list[tuple[int, int]]:
    candidates = []
    lead = fragment_chars // 3
    for m_start, _, _ in matches:
        start = max(0, m_start - lead)
        end = min(len(body), start + fragment_chars)
        inside = [m for m in matches if m[0] >= start and m[1] <= end]
        distinct = len({m[2] for m in inside})
        candidates.append((distinct, len(inside), -m_start, start, end))
    candidates.sort(reverse=True)
    chosen: list[tuple[int, int]] = []
    for _distinct, _count_inside, _neg, start, end in candidates:
        if len(chosen) >= fragments:
            break
        if any(start < c_end and end > c_start for c_start, c_end in chosen):
            continue
        chosen.append((start, end))
    snapped = [_snap(body, start, end, matches) for start, end in sorted(chosen)]
    return snapped


def _snap(body: str, start: int, end: int, matches: list[tuple[int, int, str]]) -> tuple[int, int]:
    """Move window edges to word boundaries without cutting a match."""
    for m_start, m_end, _ in matches:
        if m_start < end < m_end:
            end = m_end
        if m_start < start < m_end:
            start = m_start
    if start > 0 and not body[start - 1].isspace():
        space = _next_space(body, start, limit=start + 25)
        if space is not None and not any(start <= m[0] < space + 1 for m in matches):
            start = space + 1
    if end < len(body) and not body[end].isspace():
        back = _prev_space(body, end, limit=end - 25)
        if back is not None and not any(back < m[1] <= end for m in matches):
            end = back
    return start, end


def _next_space(body: str, pos: int, *, limit: int) -> int | None:
    for index in range(pos, min(limit, len(body))):
        if body[index].isspace():
            return index
    return None


def _prev_space(body: str, pos: int, *, limit: int) -> int | None:
    for index in range(pos - 1, max(limit, 0), -1):
        if body[index].isspace():
            return index
    return None


_WS = re.compile(r"\s+")


def _collapse(value: str) -> str:
    return _WS.sub(" ", value)


def _opening(body: str) -> str:
    head = _collapse(body[: SNIPPET_FALLBACK_CHARS * 2]).strip()
    if len(head) <= SNIPPET_FALLBACK_CHARS:
        return head if len(body) <= SNIPPET_FALLBACK_CHARS * 2 else head + " " + ELLIPSIS
    cut = head.rfind(" ", 0, SNIPPET_FALLBACK_CHARS)
    return (
        head[: cut if cut > SNIPPET_FALLBACK_CHARS // 2 else SNIPPET_FALLBACK_CHARS]
        + " "
        + ELLIPSIS
    )


# --- one article and the index overview -------------------------------------------------------


def find_document(searcher: Any, doc_id: str) -> dict[str, Any] | None:
    """Return the stored fields of the article `doc_id` (or of the one id it uniquely starts)."""
    doc_id = doc_id.strip()
    if not doc_id:
        return None
    docnums = list(searcher.docs_for_query(wq.Term("id", doc_id)))
    if not docnums and len(doc_id) >= 4:
        docnums = list(searcher.docs_for_query(wq.Prefix("id", doc_id)))
        if len(docnums) > 1:
            raise UsageError(f"the id {doc_id!r} is the start of several articles; give more of it")
    return searcher.stored_fields(docnums[0]) if docnums else None


STATS_AUTHOR_SAMPLE = 1500  # documents whose stored authors propose the candidates


def collect_stats(searcher: Any, *, top_authors: int = 10) -> dict[str, Any]:
    """Count articles per language, year (both calendars), site, and the most frequent authors.

    Languages, sites and years come from postings and the date column (no stored fields read).
    Authors: the names stored on up to STATS_AUTHOR_SAMPLE evenly spread articles are the
    candidates, and each candidate is then counted exactly over the whole index with a phrase
    query on the author field (reading every stored body took seconds at 20,000 articles). An
    author absent from the sample is missing from the list, never miscounted.
    """
    from collections import Counter

    reader = searcher.reader()
    live = _live_docs(searcher)
    languages = _term_counts(searcher, reader, "lang")
    sites = _term_counts(searcher, reader, "site")
    per_date: Counter[int] = Counter()
    try:
        dates = _dates(searcher)
        per_date.update(dates[d] if d < len(dates) else 0 for d in live)
    except _NotFast:
        per_date.update(int(stored.get("date") or 0) for _, stored in reader.iter_docs())
    years: Counter[str] = Counter()
    years_jalali: Counter[str] = Counter()
    for value, count in per_date.items():
        date = int_to_date(value)
        years[str(date.year) if date else "no date"] += count
        years_jalali[_jalali_year(date)] += count
    return {
        "articles": searcher.doc_count(),
        "languages": dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))),
        "years": dict(sorted(years.items())),
        "years_jalali": dict(sorted(years_jalali.items())),
        "sites": dict(sorted(sites.items(), key=lambda kv: (-kv[1], kv[0]))),
        "authors": _top_authors(searcher, live, top_authors),
    }


def _live_docs(searcher: Any) -> list[int]:
    deleted = _deleted(searcher)
    return [d for d in range(searcher.doc_count_all()) if d not in deleted]


def _top_authors(searcher: Any, live: list[int], top: int) -> dict[str, int]:
    from collections import Counter

    step = max(1, len(live) // STATS_AUTHOR_SAMPLE)
    shown: dict[tuple[str, ...], str] = {}
    seen: Counter[tuple[str, ...]] = Counter()
    for docnum in live[::step]:
        for name in searcher.stored_fields(docnum).get("authors") or ():
            key = tuple(t.text for t in text.iter_name_terms(name))
            if key:
                shown.setdefault(key, name)
                seen[key] += 1
    counts: dict[tuple[str, ...], int] = {}
    for key, _ in seen.most_common(max(top * 2, 20)):
        query = wq.Term("author", key[0]) if len(key) == 1 else wq.Phrase("author", list(key))
        counts[key] = sum(1 for _ in searcher.docs_for_query(query))
    best = sorted(counts.items(), key=lambda kv: (-kv[1], shown[kv[0]]))[:top]
    return {shown[key]: count for key, count in best}


def _term_counts(searcher: Any, reader: Any, fieldname: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    if fieldname not in searcher.schema:
        return counts
    for term in reader.lexicon(fieldname):
        value = _text(term)
        try:
            count = len(_term_docs(searcher, fieldname, value))
        except _NotFast:
            count = sum(1 for _ in searcher.docs_for_query(wq.Term(fieldname, value)))
        if count:
            counts[value] = count
    return counts


def _jalali_year(date: dt.date | None) -> str:
    if date is None:
        return "no date"
    try:
        from archive.dates import to_jalali

        return to_jalali(date)[:4]
    except Exception:  # noqa: BLE001 - a date jdatetime cannot convert is counted apart
        return "unknown"
