"""Pseudo-relevance feedback: RM3 terms from the best-ranked articles of a first pass.

RM3 (Lavrenko & Croft 2001; Abdul-Jaleel et al. 2004), with Anserini's parameters: the top
FEEDBACK_DOCS articles, each weighted by its first-pass score, give p(t|D) = tf / |D|; the
FEEDBACK_TERMS heaviest terms of 2-20 characters held by at most MAX_DF_SHARE of the
articles are added to the query with weight (1 - ORIGINAL_WEIGHT), the user's words keep
ORIGINAL_WEIGHT. Anserini by default keeps only [a-z0-9] feedback terms; here every script
counts (Persian terms are the point).

The articles' words are those of their title, summary and the first FEEDBACK_CHARS characters
of their body, as the index's own analysis chain gives them: counted at ingest and stored with
the article (stored.FEEDBACK_FIELD), or, for an article indexed before that field, counted here
from its stored text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from archive import stored as stored_format
from archive.stored import WORDS_FIELD

FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 10
ORIGINAL_WEIGHT = 0.5
MAX_DF_SHARE = 0.1
# How much of the body feedback reads. The index stores the counts of the first
# stored.FEEDBACK_CHARS characters; another value (bench/relevance.py's variants) analyses the
# stored text at query time.
FEEDBACK_CHARS = stored_format.FEEDBACK_CHARS
FEEDBACK_FIELDS = ("title", "summary", "body")
# Anserini's Rm3Reranker (0.21) also keeps only each article's DOC_TERMS heaviest terms (after the
# length and df filters) and divides by the tf of the terms kept, not by the article's length;
# None keeps Lavrenko & Croft's p(t|D) = tf / |D| over every term (measured both ways in
# bench/relevance/RESULTS.md).
DOC_TERMS: int | None = None


def select_terms(
    searcher: Any,
    ranked: Iterable[tuple[float, int]],
    *,
    n_terms: int = FEEDBACK_TERMS,
) -> list[tuple[str, float]]:
    """Return the RM3 feedback terms of the (score, docnum) pairs given, weights summing to 1."""
    limit = MAX_DF_SHARE * searcher.doc_count_all()  # df counts deleted documents too
    # df: the articles holding the term in any of the fields, from the words field (title,
    # summary and body as one, on either engine) where the index has it
    if WORDS_FIELD in searcher.schema:
        fields = [WORDS_FIELD]
    else:
        fields = [f for f in FEEDBACK_FIELDS if f in searcher.schema]
    dfs: dict[str, int] = {}

    def df_of(term: str) -> int:
        if term not in dfs:
            dfs[term] = max((searcher.doc_frequency(f, term) for f in fields), default=0)
        return dfs[term]

    def usable(term: str) -> bool:
        return 2 <= len(term) <= 20 and 0 < df_of(term) <= limit

    relevance: defaultdict[str, float] = defaultdict(float)
    for score, docnum in ranked:
        counts = stored_format.stored_feedback_counts(
            searcher.stored_fields(docnum), chars=FEEDBACK_CHARS
        )
        if DOC_TERMS is not None:  # Anserini: the article's heaviest usable terms, their tf sum
            kept = [(t, tf) for t, tf in counts.items() if usable(t)]
            kept.sort(key=lambda pair: (-pair[1], pair[0]))
            counts = Counter(dict(kept[:DOC_TERMS]))
        length = sum(counts.values())
        if not length or score <= 0:
            continue
        for term, tf in counts.items():
            relevance[term] += score * tf / length
    chosen: list[str] = []
    for term in sorted(relevance, key=lambda t: (-relevance[t], t)):
        if not usable(term):
            continue
        chosen.append(term)
        if len(chosen) == n_terms:
            break
    total = sum(relevance[t] for t in chosen)
    if not total:
        return []
    return [(t, relevance[t] / total) for t in chosen]
