"""The ranking route: a SearchPlan -> the exact total and the (score, docnum) pairs of one page.

Ranking: one BM25 over the article's words (title, summary, body and author as one bag, the
length the words field's alone; Lucene's idf; bm25.py), optionally with RM3 pseudo-relevance
feedback (feedback.py). No coordination factor (COORDINATION). `require_all` keeps only
articles matching every clause.

Plain words (with NOT), phrases and listings by date take the fast route over the postings
(`_rank_bag`, `_list_by_date`), which is where that ranking is computed: whoosh's scoring API
scores each field on its own. Every other query shape (prefixes, wildcards, sloppy phrases,
boosts) runs through whoosh's collectors (`_collect`) with whoosh's BM25F.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from whoosh import query as wq

from archive import text
from archive.engines import is_engine_searcher
from archive.errors import UsageError
from archive.models import SORTS, SearchFilters
from archive.search import bm25
from archive.search import feedback as rm3
from archive.search.parse import (
    DEFAULT_FIELDS,
    build_filter,
    describe_query,
    fuzzy_prefix,
    parse_query,
    term_text,
)
from archive.search.postings import (
    NO_DATE_LAST,
    NotFast,
    deleted_docs,
    doc_dates,
    docset,
)
from archive.stored import WORDS_FIELD

FUZZY_EXPANSIONS = 200  # index terms one fuzzy query term may match (per field)


@dataclass
class SearchPlan:
    """A parsed search, ready to run on a searcher (kept so the CLI can explain and stream it)."""

    text_query: Any | None  # whoosh query for the QUERY text; None lists by date
    all_query: Any | None  # the every-clause version: its clauses drive coordination
    filter_query: Any | None
    sort: str
    require_all: bool
    feedback: bool = False  # add RM3 feedback terms (plain-word queries ranked by relevance)
    feedback_reason: str = ""  # why feedback is on or off (--explain); "" without query text
    # Filled by run_plan: the feedback terms added and their weights (for --explain), and how
    # many of the matches only feedback terms brought in (counted in the total).
    expansion: list[tuple[str, float]] = field(default_factory=list)
    feedback_added: int = 0

    @property
    def parsed(self) -> str:
        if self.text_query is None:
            return ""
        text = describe_query(self.text_query)
        if self.coordinated:
            clauses = len(_clauses_of(self.all_query))
            text += f"\nrank: BM25 x (clauses matched / {clauses}) ^ {COORD_EXPONENT}"
        return text

    @property
    def has_no_words(self) -> bool:
        """True when QUERY was given but analysed to nothing (only stopwords or punctuation)."""
        return self.text_query is wq.NullQuery

    @property
    def coordinated(self) -> bool:
        """Whether relevance scores get the coordination factor (several clauses, not --all)."""
        return (
            COORDINATION
            and self.all_query is not None
            and not self.require_all
            and self.sort == "relevance"
        )

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
        expand = not filters.exact
        any_query = parse_query(schema, query, require_all=False, expand=expand)
        every_query = parse_query(schema, query, require_all=True, expand=expand)
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
        **_feedback_choice(filters, text_query),
    )


def query_script(q: Any) -> str:
    """The script of a parsed query's words: "persian" (Persian/Arabic letters only), "latin"
    (other letters only), "mixed", or "" (no letters: digits, or no words)."""
    scripts: set[str] = set()
    for leaf in q.leaves() if q is not None and q is not wq.NullQuery else ():
        if getattr(leaf, "fieldname", None) not in DEFAULT_FIELDS:
            continue  # author_key and the like: not words the user typed for the text
        words = leaf.words if type(leaf) is wq.Phrase else [getattr(leaf, "text", "")]
        for word in words:
            word = term_text(word)
            if text.is_persian_word(word):
                scripts.add("persian")
            elif any(ch.isalpha() for ch in word):
                scripts.add("latin")
    if len(scripts) > 1:
        return "mixed"
    return scripts.pop() if scripts else ""


_SCRIPT_NAMES = {
    "persian": "in Persian/Arabic script",
    "latin": "in Latin script",
    "mixed": "mixing Persian and Latin script",
    "": "without letters",
}


def _feedback_choice(filters: SearchFilters, text_query: Any) -> dict[str, Any]:
    """SearchPlan's feedback and feedback_reason: the flags first, then FEEDBACK_BY_SCRIPT."""
    if text_query is None:
        return {"feedback": False, "feedback_reason": ""}
    if text_query is wq.NullQuery:
        return {"feedback": False, "feedback_reason": "off (no searchable words)"}
    if filters.exact:
        return {"feedback": False, "feedback_reason": "off (--exact)"}
    if filters.feedback is not None:
        on, flag = filters.feedback, "--feedback" if filters.feedback else "--no-feedback"
        return {"feedback": on, "feedback_reason": f"{'on' if on else 'off'} ({flag})"}
    script = query_script(text_query)
    on = FEEDBACK_BY_SCRIPT.get(script, False)
    other = "--no-feedback turns it off" if on else "--feedback turns it on"
    reason = f"{'on' if on else 'off'} (the default for a query {_SCRIPT_NAMES[script]}; {other})"
    return {"feedback": on, "feedback_reason": reason}


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
    if is_engine_searcher(searcher):
        return _run_on_engine(searcher, plan, limit, page)
    if not searcher.doc_count():
        return 0, [], False  # an empty index (whoosh's idf would divide by zero documents)
    allowed = docset(searcher, plan.filter_query)
    if allowed is not None and not allowed:
        return 0, [], False  # nothing passes the filters (whoosh reads an empty filter as none)
    main = plan.text_query if plan.text_query is not None else wq.Every()
    if main is wq.NullQuery:  # the query text analysed to nothing (only stopwords)
        return 0, [], False

    original = plan
    original.expansion = []
    original.feedback_added = 0
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
                total, ranked, coordinated, expansion, added = _rank_bag(
                    searcher, bag, wanted, allowed, plan.sort, feedback=plan.feedback
                )
                original.expansion = expansion
                original.feedback_added = added
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


def _run_on_engine(
    searcher: Any, plan: SearchPlan, limit: int, page: int
) -> tuple[int, list[tuple[float | None, int]], bool]:
    """Hand the plan to another engine (archive.engines), which ranks with its own BM25."""
    wanted = page * limit
    original = plan
    original.expansion = []
    original.feedback_added = 0
    if plan.text_query is wq.NullQuery:
        return 0, [], False
    if plan.text_query is not None:
        plan = _expand_fuzzy(searcher, plan)  # the index terms a fuzzy word reaches
    every = plan.all_query if plan.all_query is not None else plan.text_query
    if every is not None and type(every) is wq.AndNot:
        every = every.a
    parts = _clauses_of(every)
    clauses = max(1, len(parts))
    need_all = plan.require_all or (plan.all_query is None and clauses > 1)
    boosts = _synonym_boosts(searcher, parts) if COMPOUND_SCORING == "synonym" else {}
    # feedback where whoosh's route gives it: plain words and phrases ranked by relevance
    feedback = plan.feedback and plan.sort == "relevance" and _bag_of_terms(plan) is not None
    total, ranked, expansion, added = searcher.rank(
        plan.text_query,
        plan.filter_query,
        plan.sort,
        wanted,
        clauses=clauses,
        need_all=need_all,
        feedback=(lambda top: rm3.select_terms(searcher, top)) if feedback else None,
        feedback_docs=rm3.FEEDBACK_DOCS,
        original_weight=rm3.ORIGINAL_WEIGHT,
        adds=FEEDBACK_ADDS_ARTICLES,
        term_boosts=boosts,
    )
    original.expansion = expansion
    original.feedback_added = added
    return total, ranked[(page - 1) * limit : wanted], False


def _synonym_boosts(searcher: Any, clauses: list[Any]) -> dict[str, float]:
    """Boosts that make an engine without a synonym query score compounds as bm25.py does.

    A clause of alternatives (احمدی | احمدی‌نژاد) is one pseudo-term on whoosh's route: tf
    summed, the idf of the largest df (bm25.ArticleScorer.clause_scores); the glued form of a
    two-word compound sits in both words' clauses. Tantivy scores each distinct word of the
    query once with its own idf. Boosting each alternative t by idf(clause) / idf(t), summed
    over the clauses holding it, gives an article holding one form of the compound exactly
    whoosh's score; one holding both forms scores a little more (two saturations, not one).
    `clauses`: `_clauses_of` the every-clause query. Returns {word: boost} for the words whose
    boost is not 1.
    """
    n = searcher.doc_count()
    weights: defaultdict[str, float] = defaultdict(float)
    for clause in clauses:
        leaves = clause.subqueries if type(clause) is wq.Or else [clause]
        words = {
            term_text(leaf.text)
            for leaf in leaves
            if type(leaf) is wq.Term and leaf.fieldname in _SYNONYM_FIELDS
        }
        if len(words) < 2 or not n:
            for word in words:
                weights[word] += 1.0
            continue
        dfs = {word: searcher.doc_frequency(WORDS_FIELD, word) for word in words}
        shared = bm25.lucene_idf(n, max(dfs.values()))
        for word, df in dfs.items():
            if df:
                weights[word] += shared / bm25.lucene_idf(n, df)
    return {word: w for word, w in weights.items() if abs(w - 1.0) > 1e-12}


_SYNONYM_FIELDS = frozenset({"title", "summary", "body"})


# Coordination (score x (clauses matched / clauses) ** 0.5) is off: on the re-pooled judged sets
# and on the held-back Persian collection it ranks worse than plain BM25 (bench/relevance).
COORDINATION = False
COORD_EXPONENT = 0.5
# RM3 feedback when the caller does not say (SearchFilters.feedback None), by the script of the
# query's words (query_script); see feedback.py. On only where every measurement says it helps:
# Persian (re-pooled set +0.016 MAP, Lucene's RM3 +0.009, the held-back Persian collection +1.5
# points for this chain and +1.9 for Lucene's); off for English (re-pooled set -0.006, Lucene's
# -0.007), and off for mixed queries and queries without letters (nothing measured them).
# bench/relevance/RESULTS.md, "Feedback".
FEEDBACK_BY_SCRIPT = {"persian": True, "latin": False, "mixed": False, "": False}
# Feedback also brings in articles that only feedback terms match (as RM3 does in Anserini):
# Persian re-pooled MAP 0.811 with them, 0.802 when feedback only reorders the matches. Not
# under --all (every hit has every word), and snippets still show only the words typed.
FEEDBACK_ADDS_ARTICLES = True


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


# How a clause with alternatives (a Persian compound also offered glued, `_split_compound`) is
# scored. "synonym": the clause is one pseudo-term, as Lucene's SynonymQuery scores synonyms (tf
# summed over the alternatives, df the largest of theirs), so the glued form counts as an
# occurrence of each of its words. "term": every distinct alternative is a term of its own, with
# its own statistics, counted once however many clauses offer it: how Lucene's QueryBuilder
# scores a multi-word synonym (the glued form one SHOULD clause beside its parts) and how the
# tantivy engine scores the same query. Which clauses an article matches (for --all) is the
# same either way. "synonym" ships: "term" loses احمدی نژاد رئیس جمهور (AP 0.83 -> 0.72) on the
# Persian judged set, its only compound query (bench/relevance/RESULTS.md, "Compounds").
COMPOUND_SCORING = "synonym"


def _scoring_units(
    clauses: list[list[tuple[str, Any]]],
) -> tuple[list[list[tuple[str, Any]]], list[list[int]] | None]:
    """The units a bag is scored by, and which units each clause holds (None: one per clause).

    A unit is a list of (field, term) or (field, phrase) alternatives scored as one BM25 term
    (bm25.ArticleScorer.clause_scores). A clause scored as a synonym is one unit; a clause
    split (COMPOUND_SCORING) gives a unit per distinct word or phrase, shared with any other
    clause split that offers the same one.
    """

    def split(clause: list[tuple[str, Any]]) -> bool:
        return len({term for _, term in clause}) > 1

    if COMPOUND_SCORING == "synonym" or not any(split(clause) for clause in clauses):
        return clauses, None
    units: list[list[tuple[str, Any]]] = []
    shared: dict[Any, int] = {}
    members: list[list[int]] = []
    for clause in clauses:
        if not split(clause):
            members.append([len(units)])
            units.append(clause)
            continue
        held: list[int] = []
        for fieldname, term in clause:
            index = shared.get(term)
            if index is None:
                index = shared[term] = len(units)
                units.append([])
            if (fieldname, term) not in units[index]:
                units[index].append((fieldname, term))
            if index not in held:
                held.append(index)
        members.append(held)
    return units, members


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
    searcher: Any,
    bag: _Bag,
    wanted: int,
    allowed: set[int] | None,
    sort: str,
    *,
    feedback: bool = False,
) -> tuple[int, list[tuple[float | None, int]], bool, list[tuple[str, float]], int]:
    """Score a bag of words with one-field BM25 (bm25.py), RM3 feedback when asked.

    Returns (total, best `wanted` (score, docnum) pairs, coordinated, feedback terms added,
    how many of the total only feedback terms match).
    """
    from whoosh import scoring

    if type(searcher.weighting) is not scoring.BM25F:
        raise NotFast  # a caller's own weighting: whoosh's route honours it
    scorer = bm25.ArticleScorer(searcher, DEFAULT_FIELDS)
    units, members = _scoring_units(bag.clauses)
    per_unit = [scorer.clause_scores(unit) for unit in units]
    scores: defaultdict[int, float] = defaultdict(float)
    seen: defaultdict[int, int] = defaultdict(int)
    several = len(bag.clauses) > 1
    for found in per_unit:
        _add_scores(scores, found)
    if several and (bag.need_all or COORDINATION):  # the clauses each article matched
        if members is None:  # a unit per clause
            for bit, found in enumerate(per_unit):
                flag = 1 << bit
                for key in found:
                    seen[key] |= flag
        else:
            for bit, held in enumerate(members):
                flag = 1 << bit
                for unit in held:
                    for key in per_unit[unit]:
                        seen[key] |= flag
    docs: Any = scores.keys() if allowed is None else scores.keys() & allowed
    for query in bag.excluded:
        docs = set(docs) - docset(searcher, query)  # type: ignore[operator]
    full = (1 << len(bag.clauses)) - 1
    if several and bag.need_all:
        docs = [d for d in docs if seen[d] == full]
    scored = sort == "relevance"
    expansion: list[tuple[str, float]] = []
    brought = 0
    if feedback and scored and docs:
        scores, expansion, added = _add_feedback(
            searcher, scorer, units, per_unit, len(bag.clauses), scores, docs
        )
        if added and FEEDBACK_ADDS_ARTICLES and not bag.need_all:
            more = added if allowed is None else added & allowed
            for query in bag.excluded:
                more -= docset(searcher, query) or set()
            before = len(docs)
            docs = set(docs) | more
            brought = len(docs) - before
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

    if several and bag.need_all:
        return len(docs), best(docs, wanted), False, expansion, brought
    coordinated = several and scored and COORDINATION
    if coordinated:
        factors = _coord_factors(len(bag.clauses))
        for d in docs:
            scores[d] *= factors[seen[d].bit_count()]
    return len(docs), best(docs, wanted), coordinated, expansion, brought


def _add_feedback(
    searcher: Any,
    scorer: bm25.ArticleScorer,
    units: list[list[tuple[str, Any]]],
    per_unit: list[dict[int, float]],
    clauses: int,
    scores: dict[int, float],
    docs: Any,
) -> tuple[defaultdict[int, float], list[tuple[str, float]], set[int]]:
    """Rescore with RM3: the user's clauses weigh ORIGINAL_WEIGHT, the feedback terms the rest.

    Each scoring unit (`_scoring_units`) of the user's query weighs ORIGINAL_WEIGHT / clauses:
    the user's whole query scaled, as Anserini's RM3 (and the tantivy engine) weigh it.
    Returns the new scores, the feedback terms with their weights, and the articles that only
    feedback terms match (scored, but not in `docs`).
    """
    import heapq

    top = heapq.nlargest(rm3.FEEDBACK_DOCS, docs, key=lambda d: (scores[d], -d))
    terms = rm3.select_terms(searcher, [(scores[d], d) for d in top])
    alpha = rm3.ORIGINAL_WEIGHT
    weights = [alpha / clauses] * len(units)
    words = [
        {t for f, t in unit if f in rm3.FEEDBACK_FIELDS and not isinstance(t, tuple)}
        for unit in units
    ]
    extra: list[tuple[str, float]] = []
    for term, weight in terms:
        same = [i for i, found in enumerate(words) if found == {term}]
        if same:
            weights[same[0]] += (1 - alpha) * weight
        else:
            extra.append((term, (1 - alpha) * weight))
    rescored: defaultdict[int, float] = defaultdict(float)
    for weight, found in zip(weights, per_unit, strict=True):
        _add_scores(rescored, found, weight)
    matched = set(docs)
    added: set[int] = set()
    fields = [f for f in rm3.FEEDBACK_FIELDS if f in searcher.schema]
    # Without filters, NOT or --all, the matches are every article a clause scored (`docs`
    # is a subset of `scores`' keys: equal sizes, equal sets), and the articles only feedback
    # terms bring in are the rescored ones beyond them: no term's articles need be kept.
    whole = len(matched) == len(scores)
    for term, weight in extra:
        clause = [(f, term) for f in fields]
        if whole and scorer.add_term_scores(rescored, clause, weight):
            continue
        matching = scorer.add_clause_scores(rescored, clause, weight)
        added.update(matching - matched)
    if whole:
        added = rescored.keys() - matched
    return rescored, terms, added


def _add_scores(
    total: dict[int, float], found: dict[int, float], weight: float | None = None
) -> None:
    """`total[key] += weight * value` (or `+= value`) for each (key, value) of `found`.

    As a defaultdict(float)'s `+=` (0.0 + x for a new key), through `get`: a third faster;
    into an empty `total`, the values themselves (0.0 + x is x: no score is -0.0).
    """
    if not total:
        total.update(found if weight is None else {k: weight * v for k, v in found.items()})
        return
    get = total.get
    if weight is None:
        for key, value in found.items():
            total[key] = get(key, 0.0) + value
    else:
        for key, value in found.items():
            total[key] = get(key, 0.0) + weight * value


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
                        reader.terms_within(q.fieldname, q.text, q.maxdist, prefix=fuzzy_prefix(q)),
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
    return replace(plan, text_query=text_query, all_query=all_query)  # feedback kept


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
