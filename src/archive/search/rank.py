"""The ranking route: a SearchPlan -> the exact total and the (score, docnum) pairs of one page.

Ranking: BM25F over title, summary, body and author (field boosts all 1.0: a title boost of
2.0 lowered MAP on a held-back Persian set), times a coordination factor when the query has
several clauses: articles matching more of the words rank higher, as in Lucene (see
_coord_factors for the measurements). `require_all` keeps only articles matching every clause.

Plain words (with NOT), phrases and listings by date take a fast route over the postings
(`_rank_bag`, `_PhraseScorer`, `_list_by_date`) with the same scores and order as whoosh's
matchers; every other query runs through whoosh's collectors (`_collect`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq

from archive import whoosh_fence
from archive.errors import UsageError
from archive.models import SORTS, SearchFilters
from archive.search.parse import (
    build_filter,
    describe_query,
    fuzzy_prefix,
    parse_query,
    term_text,
)
from archive.search.postings import (
    NO_DATE_LAST,
    NotFast,
    byte_to_length_table,
    deleted_docs,
    doc_dates,
    docset,
    field_lengths,
    iter_blocks,
)

FUZZY_EXPANSIONS = 200  # index terms one fuzzy query term may match (per field)


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


def plan_search(
    schema: Any, query: str | None, filters: SearchFilters | None = None, reader: Any | None = None
) -> SearchPlan:
    """Parse the query text and build the filter; raise QuerySyntaxError/UsageError on bad input.

    `reader` (the searcher's) lets `--author` reach every spelling of the name (build_filter).
    """
    filters = filters or SearchFilters()
    sort, require_all = filters.sort, filters.require_all
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
        filter_query=build_filter(filters, reader),
        sort=sort,
        require_all=require_all,
    )


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
    allowed = docset(searcher, plan.filter_query)
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
        except NotFast:
            pass  # whoosh's matchers below give the same answer, slower

    if not plan.coordinated:
        total, ranked = _collect(searcher, main, wanted, plan.sort, allowed=allowed)
        return total, ranked[(page - 1) * limit : wanted], False

    # Score every match of the any-clause query, then apply the coordination factor from the
    # clauses each document matches.
    total, everything = _collect(searcher, main, None, "relevance", allowed=allowed)
    clause_sets = [docset(searcher, clause) or set() for clause in _clauses_of(plan.all_query)]
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

    `rewrite.expand_query_compounds` offers the glued form of Persian words written apart; read
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


def _rank_bag(
    searcher: Any, bag: _Bag, wanted: int, allowed: set[int] | None, sort: str
) -> tuple[int, list[tuple[float | None, int]], bool]:
    from collections import defaultdict

    from whoosh import scoring

    weighting = searcher.weighting
    if type(weighting) is not scoring.BM25F:
        raise NotFast
    k1 = weighting.K1
    lengths_table = byte_to_length_table()
    scores: defaultdict[int, float] = defaultdict(float)
    seen: defaultdict[int, int] = defaultdict(int)
    several = len(bag.clauses) > 1
    leaves = searcher.reader().leaf_readers()
    k1_plus_1 = k1 + 1
    for bit, clause in enumerate(bag.clauses):
        flag = 1 << bit
        for fieldname, term in clause:
            if fieldname not in searcher.schema or not searcher.schema[fieldname].scorable:
                raise NotFast
            b = whoosh_fence.field_b(weighting, fieldname)
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
                lengths = field_lengths(reader, fieldname)
                deleted = reader.deleted_docs_set if reader.has_deletions() else ()
                for ids, weights in iter_blocks(reader, fieldname, term):
                    for docnum, tf in zip(ids, weights, strict=False):
                        if deleted and docnum in deleted:
                            continue
                        key = base + docnum
                        scores[key] += idf * ((tf * k1_plus_1) / (tf + norms[lengths[docnum]]))
                        if several:
                            seen[key] |= flag
    docs: Any = scores.keys() if allowed is None else scores.keys() & allowed
    for query in bag.excluded:
        docs = set(docs) - docset(searcher, query)  # type: ignore[operator]
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
            raise NotFast

    def matches(self, leaves: Any) -> Iterator[tuple[int, float]]:
        for reader, base in leaves:
            if any((self.fieldname, word) not in reader for word in self.words):
                continue
            postings: list[dict[int, tuple[float, Any]]] = []
            for word in self.words:
                entries: dict[int, tuple[float, Any]] = {}
                for ids, weights, values in iter_blocks(reader, self.fieldname, word, values=True):
                    entries.update(zip(ids, zip(weights, values, strict=False), strict=False))
                postings.append(entries)
            smallest = sorted(postings, key=lambda found: len(found))[0]
            common: set[int] = set(smallest)
            for entries in postings:
                common &= entries.keys()
            deleted = reader.deleted_docs_set if reader.has_deletions() else ()
            lengths = field_lengths(reader, self.fieldname)
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
        deleted = deleted_docs(searcher)
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
    dates = doc_dates(searcher)
    n_dates = len(dates)
    if sort == "-date":
        return lambda d: (-(dates[d] if d < n_dates else 0), d)
    return lambda d: ((dates[d] if d < n_dates else 0) or NO_DATE_LAST, d)


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
                            q.fieldname, q.text, q.maxdist, prefix=fuzzy_prefix(q)
                        ),
                        FUZZY_EXPANSIONS,
                    )
                )
            except Exception:  # noqa: BLE001 - leave it to whoosh
                return q
            if not words:
                return wq.NullQuery
            terms = [wq.Term(q.fieldname, term_text(w), boost=q.boost) for w in words]
            return terms[0] if len(terms) == 1 else wq.Or(terms)
        return q if q.is_leaf() else q.apply(expand)

    if plan.text_query is None or not any(
        isinstance(leaf, wq.FuzzyTerm) for leaf in plan.text_query.leaves()
    ):
        return plan
    text_query = expand(plan.text_query).normalize()
    all_query = expand(plan.all_query).normalize() if plan.all_query is not None else None
    return SearchPlan(text_query, all_query, plan.filter_query, plan.sort, plan.require_all)


def _collect(
    searcher: Any,
    q: Any,
    limit: int | None,
    sort: str,
    *,
    allowed: set[int] | None = None,
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
    if allowed is not None:
        collector = collectors.FilterCollector(inner, allowed)
    searcher.search_with_collector(q, collector)
    results = collector.results()
    scored = sort == "relevance"
    ranked = [(score if scored else None, docnum) for score, docnum in results.top_n]
    return (len(ranked) if limit is None else collector.count()), ranked


def _date_facet(sort: str) -> Any:
    from whoosh import sorting

    if sort == "-date":
        return sorting.FieldFacet("date")
    # Oldest first, but undated articles (stored as 0) last rather than first.
    return sorting.TranslateFacet(lambda value: value or NO_DATE_LAST, sorting.FieldFacet("date"))
