"""One BM25 over the article's words, computed from the postings (the fast route's scorer).

An article is one bag of words: a query word's tf is the sum of its tf in title (counted twice,
FIELD_WEIGHTS), summary, body and author; the length is that of the article's words (title
twice, summary and body: the words field, as Lucene's title + body as one field and tantivy's
words field; the author's words are scored but not counted in it), in whoosh's length byte;
the idf is Lucene's, log(1 + (N - df + 0.5) / (df + 0.5)), with df the number of articles
holding the word in any field. A clause with alternatives (a Persian compound also offered
glued: احمدی | احمدی‌نژاد) is scored as Lucene's SynonymQuery scores: tf summed over the
alternatives, df the largest of theirs. A phrase is scored as Lucene's and tantivy's
PhraseQuery: its own frequency as tf, the sum of its words' idfs. k1 1.2, b 0.75 (Lucene's and
Anserini's defaults).

Why whoosh's length byte and not Lucene's (the exact length kept in one byte with three
mantissa bits, SmallFloat.intToByte4, as tantivy keeps it too): measured with exact lengths in
a column, Lucene's coarser steps ranked worse on both judged sets (fa 0.8108 -> 0.8077, 3 wins
and 10 losses, p 0.006; en 0.7905 -> 0.7868, p 0.07), the exact length no better than whoosh's
byte; it would have given both engines the same scores (bench/relevance/RESULTS.md).

Why not whoosh's BM25F: it scores each field as its own BM25, with its own idf and saturation,
and sums them, which counts a word found in the title and the body twice. On the held-back
Persian collection of issue 9 that cost 3.6 MAP points against one-field BM25 (bench/relevance
measures the same on the judged sets).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, KeysView
from typing import Any

from archive import whoosh_fence
from archive.search.postings import (
    NotFast,
    byte_to_length_table,
    field_lengths,
    iter_blocks,
    reader_cache,
)
from archive.stored import WORDS_FIELD, WORDS_OF

K1 = 1.2
B = 0.75
# The title's words count twice, in tf and in length: Robertson, Zaragoza & Taylor (2004)'s
# weighted fields, one saturation (Persian re-pooled set: MAP 0.784 -> 0.794; English old set
# 0.779 -> 0.787, 17 wins / 3 losses). Summing separate per-field BM25s instead cost 3.6 points
# on the held-back collection.
FIELD_WEIGHTS = {"title": 2.0}
# stored.WORDS_FIELD holds the WORDS_OF fields' terms, the title's twice (FIELD_WEIGHTS), with
# no positions: a word's tf over them and their summed length, in one postings list and one length
_WORDS_SET = frozenset(WORDS_OF)
# Norms are computed one by one (a fresh process) until they would be this fraction of the
# index; then the whole table once (a searcher kept open: bench, tests, a server).
PARTIAL_NORMS = 8

Alternative = tuple[str, Any]  # (field, term) or (field, (word, word, ...)) for a phrase


def lucene_idf(n: int, df: int) -> float:
    """Lucene's BM25 idf: log(1 + (N - df + 0.5) / (df + 0.5)), never negative."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class ArticleScorer:
    """BM25 of query clauses over whole articles, for one searcher (one query's lifetime)."""

    def __init__(self, searcher: Any, fields: Iterable[str]) -> None:
        schema = searcher.schema
        self.searcher = searcher
        self.fields = [f for f in fields if f in schema and schema[f].scorable]
        self.n = searcher.doc_count()
        self.leaves = searcher.reader().leaf_readers()
        # The words field holds title (twice), summary and body: where the scored fields
        # include all three, it stands for them, in the lengths and in the postings read.
        self.words = WORDS_FIELD in schema and _WORDS_SET <= set(self.fields)
        if self.words:
            self.fields = [WORDS_FIELD] + [f for f in self.fields if f not in WORDS_OF]
        self.weights = [
            1.0 if f == WORDS_FIELD else FIELD_WEIGHTS.get(f, 1.0) for f in self.fields
        ]
        # The length is the article's words alone (Lucene's title + body as one field, and
        # tantivy's words field): an author's words are scored, not counted in the length.
        kept = [i for i, f in enumerate(self.fields) if f != "author"]
        self.length_fields = [self.fields[i] for i in kept]
        self.length_weights = [self.weights[i] for i in kept]
        self.avg_length = (
            sum(
                w * (searcher.avg_field_length(f) or 0)
                for f, w in zip(self.length_fields, self.length_weights, strict=True)
            )
            or 1.0
        )
        self._norm_table: list[float] | None = None

    def _norms_key(self) -> tuple[Any, ...]:
        return ("norms", tuple(self.length_fields), tuple(self.length_weights), self.avg_length)

    def norm(self, key: int) -> float:
        """k1 * (1 - b + b * length / average length) of the article with global docnum `key`."""
        return self.norms()[key]

    def norms(self) -> list[float]:
        """The length normalisation of every article by global docnum (cached per reader)."""
        if self._norm_table is None:
            reader = self.searcher.reader()
            cache = reader_cache(reader)
            key = self._norms_key()
            table = cache.get(key)
            if table is None:
                table = _norm_table(
                    self.leaves, self.length_fields, self.length_weights, self.avg_length
                )
                cache[key] = table
            self._norm_table = table
        return self._norm_table

    def term_tfs(self, alternatives: list[tuple[str, str]]) -> dict[int, float]:
        """Return {docnum: tf summed over the (field, term) alternatives} (live documents)."""
        tfs: defaultdict[int, float] = defaultdict(float)
        for fieldname, term in self._through_words(alternatives):
            if fieldname not in self.searcher.schema:
                continue
            if not self.searcher.schema[fieldname].scorable:
                raise NotFast
            weight = 1.0 if fieldname == WORDS_FIELD else FIELD_WEIGHTS.get(fieldname, 1.0)
            # The first alternative read fills an empty dict: a block's postings go in at C
            # speed (each document once per term, the segments' docnums disjoint); the same
            # floats as adding them to 0.0.
            # (A block's weights are floats already: an array('f') or a tuple of them.)
            first = not tfs
            for reader, base in self.leaves:
                deleted = reader.deleted_docs_set if reader.has_deletions() else ()
                for ids, weights in iter_blocks(reader, fieldname, term):
                    if first and not deleted:
                        keys = map(base.__add__, ids) if base else ids
                        if weight == 1.0:
                            tfs.update(zip(keys, weights, strict=False))
                        else:
                            tfs.update(zip(keys, map(weight.__mul__, weights), strict=False))
                        continue
                    for docnum, tf in zip(ids, weights, strict=False):
                        if deleted and docnum in deleted:
                            continue
                        tfs[base + docnum] += weight * tf
        return tfs

    def live_df(self, alternatives: list[tuple[str, str]]) -> int:
        """Return `len(self.term_tfs(alternatives))`: the live articles holding one of them.

        When they are read as one postings list (a word's title, summary and body: the words
        field), a segment without deletions gives its count from the term table (whoosh's
        doc frequency: its number of postings); a phrase's words at 100,000 articles are in
        up to half of them, whose postings were decoded only to be counted.
        """
        schema = self.searcher.schema
        through = [(f, t) for f, t in self._through_words(alternatives) if f in schema]
        if len(through) != 1 or not schema[through[0][0]].scorable:
            return len(self.term_tfs(alternatives))
        ((fieldname, term),) = through
        count = 0
        for reader, _ in self.leaves:
            if not reader.has_deletions():
                count += reader.doc_frequency(fieldname, term)
                continue
            deleted = reader.deleted_docs_set
            for ids, _ in iter_blocks(reader, fieldname, term):
                count += len(ids) - len(deleted.intersection(ids))
        return count

    def _through_words(self, alternatives: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The alternatives, a term's title, summary and body ones read as one words term."""
        if not self.words:
            return alternatives
        by_term: dict[str, set[str]] = {}
        for fieldname, term in alternatives:
            by_term.setdefault(term, set()).add(fieldname)
        out: list[tuple[str, str]] = []
        for fieldname, term in alternatives:
            if fieldname in WORDS_OF and _WORDS_SET <= by_term[term]:
                if fieldname == WORDS_OF[0]:
                    out.append((WORDS_FIELD, term))
            else:
                out.append((fieldname, term))
        return out

    def clause_scores(self, clause: list[Alternative]) -> dict[int, float]:
        """Return {docnum: BM25 of the clause} for every article matching one alternative."""
        by_term: dict[Any, list[tuple[str, str]]] = {}
        phrases: dict[tuple[str, ...], list[str]] = {}
        for fieldname, term in clause:
            if isinstance(term, tuple):
                phrases.setdefault(term, []).append(fieldname)
            else:
                by_term.setdefault(term, []).append((fieldname, term))
        scores: dict[int, float] = {}
        if by_term:
            # The first word's tfs are the sum's start (0.0 + tf is tf): a clause of one word,
            # every feedback term's, is not copied.
            first, *others = by_term.values()
            merged = self.term_tfs(first)
            df = len(merged)
            for alternatives in others:
                tfs = self.term_tfs(alternatives)
                df = max(df, len(tfs))  # SynonymQuery: the largest df of the alternatives
                get = merged.get
                for key, tf in tfs.items():
                    merged[key] = get(key, 0.0) + tf
            scores = self._saturate(merged, lucene_idf(self.n, df))
        for words, fieldnames in phrases.items():
            for key, value in self._phrase_scores(words, fieldnames).items():
                if value > scores.get(key, 0.0):
                    scores[key] = value
        return scores

    def add_clause_scores(
        self, total: dict[int, float], clause: list[Alternative], weight: float
    ) -> KeysView[int]:
        """`total[key] += weight * score` for every article matching the clause, with the
        scores `clause_scores` gives; return the articles matched.

        RM3's feedback terms: a clause of one word, its postings up to a tenth of the index,
        saturated and added in one loop (the same float operations as `clause_scores` and
        an addition, without the dict between them).
        """
        groups: dict[Any, list[tuple[str, str]]] = {}
        for fieldname, term in clause:
            if isinstance(term, tuple):
                groups = {}
                break
            groups.setdefault(term, []).append((fieldname, term))
        if len(groups) != 1:  # phrases or several words: the general route
            found = self.clause_scores(clause)
            get = total.get
            for key, value in found.items():
                total[key] = get(key, 0.0) + weight * value
            return found.keys()
        (alternatives,) = groups.values()
        tfs = self.term_tfs(alternatives)
        scale = lucene_idf(self.n, len(tfs)) * (K1 + 1)
        norms = self._norms_of(tfs)
        get = total.get
        for key, tf in tfs.items():
            total[key] = get(key, 0.0) + weight * (scale * tf / (tf + norms[key]))
        return tfs.keys()

    def add_term_scores(
        self, total: dict[int, float], clause: list[Alternative], weight: float
    ) -> bool:
        """`add_clause_scores` for a clause of one word read as one postings list, straight
        from its blocks: no tfs dict (half the cost of a feedback term at 100,000 articles),
        df from the term tables (`live_df`). The same floats in the same order. Only once the
        reader's norm table is built (the norms of keys not yet known); returns False, adding
        nothing, where it does not apply.
        """
        schema = self.searcher.schema
        if any(isinstance(term, tuple) for _, term in clause):
            return False
        through = [(f, t) for f, t in self._through_words(clause) if f in schema]
        if len({t for _, t in clause}) != 1 or len(through) != 1:
            return False
        ((fieldname, term),) = through
        norms = self._built_norms()
        if norms is None or not schema[fieldname].scorable:
            return False
        field_weight = 1.0 if fieldname == WORDS_FIELD else FIELD_WEIGHTS.get(fieldname, 1.0)
        scale = lucene_idf(self.n, self.live_df(clause)) * (K1 + 1)
        get = total.get
        for reader, base in self.leaves:
            deleted = reader.deleted_docs_set if reader.has_deletions() else ()
            for ids, weights in iter_blocks(reader, fieldname, term):
                # term_tfs' tf: the block's weight, times the field's (0.0 + x is x)
                tfs: Any = weights if field_weight == 1.0 else map(field_weight.__mul__, weights)
                pairs: Any = zip(map(base.__add__, ids) if base else ids, tfs, strict=False)
                if deleted:
                    pairs = [(key, tf) for key, tf in pairs if key - base not in deleted]
                for key, tf in pairs:
                    total[key] = get(key, 0.0) + weight * (scale * tf / (tf + norms[key]))
        return True

    def _built_norms(self) -> list[float] | None:
        """The reader's norm table if it is built already, else None (see `_norms_of`)."""
        if self._norm_table is None:
            cache = reader_cache(self.searcher.reader())
            if self._norms_key() in cache:
                self.norms()
        return self._norm_table

    def _saturate(self, tfs: dict[int, float], idf: float) -> dict[int, float]:
        scale = idf * (K1 + 1)
        norms = self._norms_of(tfs)
        return {key: scale * tf / (tf + norms[key]) for key, tf in tfs.items()}

    def _norms_of(self, keys: Iterable[int]) -> Any:
        """The norms of `keys`, indexable by them: the reader's table (`norms`) once it is
        built; before that, each of these computed alone and kept with the reader, until they
        would be more than 1/PARTIAL_NORMS of the index (then the table). A fresh `archive
        query` ranks one query: the table, O(N), cost it more than the ranking did."""
        if self._norm_table is not None:
            return self._norm_table
        cache = reader_cache(self.searcher.reader())
        key = self._norms_key()
        if key in cache:
            return self.norms()
        some: dict[int, float] = cache.setdefault(("some", *key), {})
        missing = [k for k in keys if k not in some]
        if (len(some) + len(missing)) * PARTIAL_NORMS > self.searcher.doc_count_all():
            return self.norms()
        some.update(
            _some_norms(
                self.leaves, self.length_fields, self.length_weights, self.avg_length, missing
            )
        )
        return some

    def _phrase_scores(self, words: tuple[str, ...], fieldnames: list[str]) -> dict[int, float]:
        """Articles with the words adjacent in one of the fields, scored as Lucene's and
        tantivy's PhraseQuery: one BM25 term whose tf is the phrase's own frequency (over the
        fields, the title's twice) and whose idf is the sum of its words' idfs."""
        tfs: defaultdict[int, float] = defaultdict(float)
        for fieldname in fieldnames:
            if fieldname not in self.searcher.schema:
                continue
            fmt = self.searcher.schema[fieldname].format
            if not fmt.supports("positions"):
                raise NotFast
            weight = FIELD_WEIGHTS.get(fieldname, 1.0)
            for key, count in _phrase_matches(self.leaves, fieldname, words, fmt):
                tfs[key] += weight * count
        # df over live articles, as for plain words (term_tfs): whoosh's doc_frequency still
        # counts deleted documents until a merge, which gave a word in every article df > N,
        # a negative idf, and no phrase hit at all after any `forget` or update.
        fields = [f for f in fieldnames if f in self.searcher.schema]
        idf = sum(lucene_idf(self.n, self.live_df([(f, word) for f in fields])) for word in words)
        return self._saturate(tfs, idf)


def _norm_table(
    leaves: Any, fields: list[str], weights: list[float], avg_length: float
) -> list[float]:
    """k1 * (1 - b + b * weighted length / average) for every document of the leaves, in order."""
    b2l = byte_to_length_table()
    lengths: list[float] = []
    for reader, base in leaves:
        if len(lengths) < base:
            lengths.extend([0.0] * (base - len(lengths)))
        count = reader.doc_count_all()
        total = [0.0] * count
        for fieldname, weight in zip(fields, weights, strict=True):
            column = map(b2l.__getitem__, _lengths_of(reader, fieldname))
            if weight == 1.0:
                total = [t + c for t, c in zip(total, column, strict=False)]
            else:
                total = [t + weight * c for t, c in zip(total, column, strict=False)]
        lengths.extend(total)
    constant, slope = K1 * (1 - B), K1 * B / avg_length
    return [constant + slope * length for length in lengths]


def _some_norms(
    leaves: Any, fields: list[str], weights: list[float], avg_length: float, keys: list[int]
) -> dict[int, float]:
    """`_norm_table`'s values for `keys` alone (global docnums), the same float operations."""
    b2l = byte_to_length_table()
    bases = [base for _, base in leaves]
    columns: dict[int, list[bytes]] = {}  # per leaf, each field's length bytes
    constant, slope = K1 * (1 - B), K1 * B / avg_length
    found = {}
    for key in keys:
        length = 0.0
        leaf = bisect.bisect_right(bases, key) - 1
        if leaf >= 0:
            reader, base = leaves[leaf]
            if leaf not in columns:
                columns[leaf] = [_lengths_of(reader, fieldname) for fieldname in fields]
            local = key - base
            if local < reader.doc_count_all():
                for column, weight in zip(columns[leaf], weights, strict=True):
                    value = b2l[column[local]]
                    length = length + value if weight == 1.0 else length + weight * value
        found[key] = constant + slope * length
    return found


def _lengths_of(reader: Any, fieldname: str) -> bytes:
    """The length bytes of a field in one segment; zeros when no document of it has the field."""
    if not reader.field_length(fieldname):
        return bytes(reader.doc_count_all())
    return field_lengths(reader, fieldname)


def _phrase_matches(
    leaves: Any, fieldname: str, words: tuple[str, ...], fmt: Any
) -> Iterable[tuple[int, int]]:
    """Yield (docnum, how many times the words follow each other) in `fieldname`."""
    decode = whoosh_fence.positions_decoder(fmt)
    for reader, base in leaves:
        if any((fieldname, word) not in reader for word in words):
            continue
        postings: list[dict[int, Any]] = []  # per word: docnum -> its encoded positions
        for word in words:
            entries: dict[int, Any] = {}
            for ids, _weights, values in iter_blocks(reader, fieldname, word, values=True):
                entries.update(zip(ids, values, strict=False))
            postings.append(entries)
        common: set[int] = set(sorted(postings, key=lambda entries: len(entries))[0])
        for entries in postings:
            common &= entries.keys()
        deleted = reader.deleted_docs_set if reader.has_deletions() else ()
        for docnum in sorted(common):
            if deleted and docnum in deleted:
                continue
            # the starts where every later word sits `offset` places on: set intersections
            starts = set(decode(postings[0][docnum]))
            for offset, entries in enumerate(postings[1:], 1):
                starts.intersection_update([p - offset for p in decode(entries[docnum])])
                if not starts:
                    break
            if starts:
                yield base + docnum, len(starts)
