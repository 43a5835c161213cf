"""Candidate rankings over archive's own analysis chain (archive.text), for bench/relevance.py.

One in-memory inverted index (terms of archive.text.iter_terms, per field, with positions) and
ranking functions written from their papers, so each choice can be measured alone:

  BM25      one field (title + summary + body), Lucene's idf log(1 + (N - df + 0.5)/(df + 0.5)),
            k1 1.2, b 0.75 (Robertson & Zaragoza 2009; Lucene's BM25Similarity).
  BM25F     shared statistics (Robertson, Zaragoza & Taylor 2004): per-field length-normalised
            tf, weighted and summed, then one saturation and one idf over the whole article.
  coord     optional (matched/clauses) ** 0.5 factor, the old shipped choice, for comparison.
  compounds Persian words written apart also match the glued form (احمدی نژاد ~ احمدی‌نژاد):
            "content" pairs only (both words survive analysis, i.e. no stopword such as در);
            "all" pairs reproduces the old expansion. The glued term is a synonym of each part
            (Lucene's SynonymQuery: tf summed, df the max), or ("extra") an extra query word.
  RM3       relevance model feedback (Lavrenko & Croft 2001; Abdul-Jaleel et al. 2004, as
            Anserini's Rm3Reranker: 10 docs, 10 terms, original weight 0.5, feedback terms of
            2-20 characters in at most 10% of the documents; no [a-z0-9] filter).
  proximity BM25 + Büttcher, Clarke & Lushman 2006: accumulated idf/d^2 of neighbouring query
            term occurrences, saturated like tf.
  SDM       sequential dependence model (Metzler & Croft 2005) with BM25 features, as Anserini's
            -sdm: 0.85 x BM25 of the words + 0.1 x BM25 of each adjacent pair as an ordered
            window (#1: next to each other) + 0.05 x BM25 of it as an unordered window of 8.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

K1, B = 1.2, 0.75
TITLE_GAP = 50  # positions between title and body, so no proximity pair spans them
SDM_WEIGHTS = (0.85, 0.1, 0.05)  # words, ordered windows, unordered windows (Anserini's)


@dataclass(frozen=True)
class Ranking:
    """One candidate ranking's switches."""

    name: str
    model: str = "bm25"  # "bm25" (one field), "bm25f", or "sum" (a BM25 per field, summed)
    idf: str = "lucene"  # "lucene" or "whoosh" (log(N / (df + 1)) + 1... see _idf)
    title_weight: float = 1.0  # bm25: title words counted this many times; bm25f: field weight
    coord: bool = False
    compounds: str = "content"  # "content", "all", "none", "prefix" (content + prefix pairs)
    compound_mode: str = "synonym"  # "synonym" or "extra"
    prefix_mode: str = "extra"  # compounds="prefix": the prefix pair as "extra" word or "synonym"
    rm3: bool = False
    proximity: bool = False
    sdm: bool = False  # sequential dependence (Metzler & Croft 2005), as Anserini's -sdm
    fb_docs: int = 10
    fb_terms: int = 10
    fb_window: int = 0  # feedback vectors from the title + this many body terms (0: all)
    fb_restrict: bool = False  # feedback reorders the documents matching the query, adds none
    orig_weight: float = 0.5


@dataclass
class TermIndex:
    """Terms of every document, per field, with positions (title first, then the body)."""

    ids: list[str]
    title_tf: list[Counter[str]]
    body_tf: list[Counter[str]]
    positions: list[dict[str, list[int]]]
    title_len: list[int]
    body_len: list[int]
    postings: dict[str, list[int]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.ids)

    def df(self, term: str) -> int:
        return len(self.postings.get(term, ()))


def build_term_index(docs: Sequence[Any]) -> TermIndex:
    """Analyse every document's title and body (abstract + text) with archive.text.iter_terms."""
    from archive import text

    index = TermIndex([], [], [], [], [], [])
    postings: defaultdict[str, list[int]] = defaultdict(list)
    for i, doc in enumerate(docs):
        title = [t.text for t in text.iter_terms(doc.title)]
        body = [t.text for t in text.iter_terms(doc.body)]
        positions: defaultdict[str, list[int]] = defaultdict(list)
        for pos, term in enumerate(title):
            positions[term].append(pos)
        offset = len(title) + TITLE_GAP
        for pos, term in enumerate(body):
            positions[term].append(offset + pos)
        index.ids.append(doc.id)
        index.title_tf.append(Counter(title))
        index.body_tf.append(Counter(body))
        index.positions.append(dict(positions))
        index.title_len.append(len(title))
        index.body_len.append(len(body))
        for term in positions:
            postings[term].append(i)
    index.postings = dict(postings)
    return index


# --------------------------------------------------------------------------- queries

# Persian derivational prefixes the stoplist drops when written apart: کم آبی is کم‌آبی (water
# shortage), not آبی (blue); بی کاری, غیر نفتی, پر جمعیت likewise. compounds="prefix" also
# offers such a pair glued, as a query word of its own (prefix_mode "extra"), or as a synonym
# of the content word (prefix_mode "synonym": what archive.search.rewrite ships; its list).
COMPOUND_PREFIXES = frozenset({"کم", "بی", "غیر", "پر"})


@dataclass
class Clause:
    """One query word: its term, synonyms (glued compounds) and weight."""

    terms: list[str]
    weight: float = 1.0


def analyse_query(
    query: str, compounds: str = "content", mode: str = "synonym", prefix_mode: str = "extra"
) -> list[Clause]:
    """Return the clauses of a plain-words query under our analysis chain.

    Words joined with ZWNJ are split into their parts (when none is a bare affix) and the glued
    form joins each part's clause; adjacent Persian words get the glued form likewise, for
    "content" pairs only when both words are content words (not stopped), for "all" pairs always.
    """
    from archive import text
    from archive.search import rewrite

    prefixes = getattr(rewrite, "COMPOUND_PREFIXES", COMPOUND_PREFIXES)
    words: list[str] = []
    glued_pairs: set[int] = set()  # index i: words[i] and words[i+1] came from one ZWNJ word
    for chunk in rewrite.join_detached_affixes(query).split():
        parts = rewrite._compound_parts(chunk)
        if parts:
            glued_pairs.update(range(len(words), len(words) + len(parts) - 1))
            words.extend(parts)
        else:
            words.append(chunk)
    per_word = [[t.text for t in text.iter_terms(w)] for w in words]
    clauses: list[Clause | None] = []
    for terms in per_word:
        clauses.append(Clause([terms[0]]) if len(terms) == 1 else None)
    extra: list[Clause] = []
    for i in range(len(words) - 1):
        a, b = words[i], words[i + 1]
        if not (text.is_persian_word(a) and text.is_persian_word(b)):
            continue
        if "\u200c" in a + b:
            continue  # a word with an attached affix (هسته‌ای, جنگل‌ها) is already whole
        content = bool(per_word[i]) and bool(per_word[i + 1])
        prefixed = (
            compounds == "prefix"
            and text.normalize(a) in (prefixes if prefix_mode == "synonym" else COMPOUND_PREFIXES)
            and bool(per_word[i + 1])
        )
        if compounds == "none" or (compounds in ("content", "prefix") and not content):
            if i not in glued_pairs and not prefixed:
                continue
        glued = [t.text for t in text.iter_terms(a + "\u200c" + b)]
        if len(glued) != 1:
            continue
        if mode == "extra" or (prefixed and prefix_mode == "extra"):
            extra.append(Clause(glued))
            continue
        # synonym: the glued form is an occurrence of each content word of the pair
        for j in (i, i + 1):
            clause = clauses[j]
            if clause is not None and glued[0] not in clause.terms:
                clause.terms.append(glued[0])
    out = [c for c in clauses if c is not None]
    for terms in per_word:  # words with several terms (U.S.-Iran): each term a clause
        if len(terms) > 1:
            out.extend(Clause([t]) for t in terms)
    return out + extra


# --------------------------------------------------------------------------- scoring


def _idf(kind: str, n: int, df: int) -> float:
    if kind == "whoosh":  # whoosh.scoring.BM25F: log(N / (df + 1)) + 1
        return math.log(n / (df + 1)) + 1
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class Scorer:
    """Scores clauses over a TermIndex with one Ranking's switches."""

    def __init__(self, index: TermIndex) -> None:
        self.index = index
        n = index.n or 1
        self.avg_title = sum(index.title_len) / n or 1.0
        self.avg_body = sum(index.body_len) / n or 1.0
        self.avg_len = self.avg_title + self.avg_body

    def clause_df(self, clause: Clause) -> int:
        return max(self.index.df(t) for t in clause.terms)  # SynonymQuery: the max df

    def score(self, clauses: list[Clause], ranking: Ranking) -> dict[int, float]:
        """Return {doc: score} for every document matching at least one clause."""
        ix = self.index
        scores: defaultdict[int, float] = defaultdict(float)
        matched: defaultdict[int, int] = defaultdict(int)
        for clause in clauses:
            idf = _idf(ranking.idf, ix.n, self.clause_df(clause))
            docs: set[int] = set()
            for term in clause.terms:
                docs.update(ix.postings.get(term, ()))
            if ranking.model == "sum":
                for d, value in self._sum_fields(clause, ranking).items():
                    scores[d] += clause.weight * value
                    matched[d] += 1
                continue
            for d in docs:
                if ranking.model == "bm25f":
                    t_tf = sum(ix.title_tf[d][t] for t in clause.terms)
                    b_tf = sum(ix.body_tf[d][t] for t in clause.terms)
                    tf = ranking.title_weight * t_tf / (
                        1 - B + B * ix.title_len[d] / self.avg_title
                    ) + b_tf / (1 - B + B * ix.body_len[d] / self.avg_body)
                    part = tf / (K1 + tf)
                else:
                    # title_weight w: the title counted w times (Robertson et al. 2004)
                    w = ranking.title_weight
                    tf = sum(w * ix.title_tf[d][t] + ix.body_tf[d][t] for t in clause.terms)
                    dl = w * ix.title_len[d] + ix.body_len[d]
                    avg = w * self.avg_title + self.avg_body
                    part = tf / (tf + K1 * (1 - B + B * dl / avg))
                scores[d] += clause.weight * idf * (K1 + 1) * part
                matched[d] += 1
        if ranking.proximity and len(clauses) > 1:
            for d, bonus in self._proximity(clauses, ranking).items():
                scores[d] += bonus
        if ranking.sdm and len(clauses) > 1:
            for d in scores:
                scores[d] *= SDM_WEIGHTS[0]
            for d, bonus in self._sdm(clauses, ranking).items():
                scores[d] += bonus
        if ranking.coord and len(clauses) > 1:
            for d in scores:
                scores[d] *= (min(matched[d], len(clauses)) / len(clauses)) ** 0.5
        return scores

    def _sum_fields(self, clause: Clause, ranking: Ranking) -> dict[int, float]:
        """whoosh's BM25F as shipped before: one BM25 per field, each with its own df, summed."""
        ix = self.index
        out: defaultdict[int, float] = defaultdict(float)
        docs: set[int] = set()
        for term in clause.terms:
            docs.update(ix.postings.get(term, ()))
        for tfs, lens, avg in (
            (ix.title_tf, ix.title_len, self.avg_title),
            (ix.body_tf, ix.body_len, self.avg_body),
        ):
            for term in clause.terms:
                in_field = [d for d in ix.postings.get(term, ()) if tfs[d][term]]
                if not in_field:
                    continue
                idf = _idf(ranking.idf, ix.n, len(in_field))
                for d in in_field:
                    tf = tfs[d][term]
                    out[d] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lens[d] / avg))
        return out

    def _proximity(self, clauses: list[Clause], ranking: Ranking) -> dict[int, float]:
        """Büttcher et al. 2006: acc(t) += idf(t') / d^2 for neighbouring occurrences t, t'."""
        ix = self.index
        idfs = [_idf(ranking.idf, ix.n, self.clause_df(c)) for c in clauses]
        candidates: Counter[int] = Counter()
        for clause in clauses:
            docs: set[int] = set()
            for term in clause.terms:
                docs.update(ix.postings.get(term, ()))
            candidates.update(docs)
        bonus: dict[int, float] = {}
        for d, count in candidates.items():
            if count < 2:
                continue
            occurrences: list[tuple[int, int]] = []
            for ci, clause in enumerate(clauses):
                for term in clause.terms:
                    occurrences.extend((p, ci) for p in ix.positions[d].get(term, ()))
            occurrences.sort()
            acc = [0.0] * len(clauses)
            for (p1, c1), (p2, c2) in zip(occurrences, occurrences[1:], strict=False):
                if c1 == c2 or p2 == p1:
                    continue
                dist2 = float((p2 - p1) ** 2)
                acc[c2] += idfs[c1] / dist2
                acc[c1] += idfs[c2] / dist2
            dl = ix.title_len[d] + ix.body_len[d]
            norm = K1 * (1 - B + B * dl / self.avg_len)
            total = 0.0
            for ci, value in enumerate(acc):
                if value:
                    total += (
                        clauses[ci].weight * min(1.0, idfs[ci]) * value * (K1 + 1) / (value + norm)
                    )
            if total:
                bonus[d] = total
        return bonus

    def _sdm(self, clauses: list[Clause], ranking: Ranking) -> dict[int, float]:
        """SDM's window features of adjacent clause pairs, each scored as a BM25 term."""
        ix = self.index
        singles = [c for c in clauses if c.weight == 1.0]
        out: defaultdict[int, float] = defaultdict(float)
        for a, b in zip(singles, singles[1:], strict=False):
            docs_a: set[int] = set()
            docs_b: set[int] = set()
            for t in a.terms:
                docs_a.update(ix.postings.get(t, ()))
            for t in b.terms:
                docs_b.update(ix.postings.get(t, ()))
            ordered: dict[int, int] = {}
            unordered: dict[int, int] = {}
            for d in docs_a & docs_b:
                pa = sorted(p for t in a.terms for p in ix.positions[d].get(t, ()))
                pb = set(p for t in b.terms for p in ix.positions[d].get(t, ()))
                n1 = sum(1 for p in pa if p + 1 in pb)
                nw = sum(1 for p in pa if any(p - 7 <= q <= p + 7 and q != p for q in pb))
                if n1:
                    ordered[d] = n1
                if nw:
                    unordered[d] = nw
            for weight, tfs in ((SDM_WEIGHTS[1], ordered), (SDM_WEIGHTS[2], unordered)):
                if not tfs:
                    continue
                idf = _idf(ranking.idf, ix.n, len(tfs))
                w = ranking.title_weight
                avg = w * self.avg_title + self.avg_body
                for d, tf in tfs.items():
                    dl = w * ix.title_len[d] + ix.body_len[d]
                    out[d] += weight * idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avg))
        return out

    def rm3_clauses(
        self, clauses: list[Clause], scores: dict[int, float], ranking: Ranking
    ) -> list[Clause]:
        """Return the RM3 query: original clauses (weight alpha/|q|) + feedback terms."""
        ix = self.index
        top = sorted(scores, key=lambda d: (-scores[d], d))[: ranking.fb_docs]
        relevance: defaultdict[str, float] = defaultdict(float)
        limit = 0.1 * ix.n
        for d in top:
            if ranking.fb_window:
                cut = ix.title_len[d] + TITLE_GAP + ranking.fb_window
                counts = {t: sum(1 for p in ps if p < cut) for t, ps in ix.positions[d].items()}
            else:
                counts = {t: ix.title_tf[d][t] + ix.body_tf[d][t] for t in ix.positions[d]}
            vector = {
                t: tf for t, tf in counts.items() if tf and 2 <= len(t) <= 20 and ix.df(t) <= limit
            }
            norm = sum(vector.values())
            if not norm:
                continue
            for t, tf in vector.items():
                relevance[t] += scores[d] * tf / norm
        chosen = sorted(relevance, key=lambda t: (-relevance[t], t))[: ranking.fb_terms]
        total = sum(relevance[t] for t in chosen) or 1.0
        alpha = ranking.orig_weight
        qsum = sum(c.weight for c in clauses) or 1.0
        out = [Clause(list(c.terms), alpha * c.weight / qsum) for c in clauses]
        by_term = {c.terms[0]: c for c in out if len(c.terms) == 1}
        for t in chosen:
            weight = (1 - alpha) * relevance[t] / total
            if t in by_term:
                by_term[t].weight += weight
            else:
                out.append(Clause([t], weight))
        return out

    def rank(self, query: str, ranking: Ranking, depth: int = 1000) -> list[str]:
        clauses = analyse_query(
            query, ranking.compounds, ranking.compound_mode, ranking.prefix_mode
        )
        if not clauses:
            return []
        scores = self.score(clauses, ranking)
        if ranking.rm3 and scores:
            first = replace(ranking, proximity=False, coord=False) if ranking.proximity else ranking
            base = scores if first == ranking else self.score(clauses, first)
            expanded = self.rm3_clauses(clauses, base, ranking)
            # proximity, SDM windows and coordination stay on the user's words only
            plain = replace(ranking, proximity=False, coord=False, sdm=False)
            scores = self.score(expanded, plain)
            if ranking.sdm and len(clauses) > 1:
                alpha = ranking.orig_weight / (sum(c.weight for c in clauses) or 1.0)
                for d, bonus in self._sdm(clauses, ranking).items():
                    scores[d] = scores.get(d, 0.0) + alpha * bonus / SDM_WEIGHTS[0]
            if ranking.fb_restrict:
                scores = {d: v for d, v in scores.items() if d in base}
            if ranking.proximity and len(clauses) > 1:
                alpha = ranking.orig_weight / (sum(c.weight for c in clauses) or 1.0)
                weighted = [Clause(c.terms, c.weight * alpha) for c in clauses]
                for d, bonus in self._proximity(weighted, ranking).items():
                    scores[d] += bonus
        ranked = sorted(scores, key=lambda d: (-scores[d], d))[:depth]
        return [self.index.ids[d] for d in ranked]


CANDIDATES = [
    Ranking("ours-bm25"),
    Ranking("ours-bm25f-t2", model="bm25f", title_weight=2.0),
    Ranking("ours-bm25-rm3", rm3=True),
    Ranking("ours-bm25-prox", proximity=True),
    Ranking("ours-bm25-rm3-prox", rm3=True, proximity=True),
    Ranking("ours-bm25-coord", coord=True),
    Ranking("ours-bm25f-t2-rm3-prox", model="bm25f", title_weight=2.0, rm3=True, proximity=True),
]


def run_candidates(
    docs: Sequence[Any],
    queries: list[dict[str, Any]],
    rankings: Sequence[Ranking] = tuple(CANDIDATES),
    depth: int = 1000,
    index: TermIndex | None = None,
) -> dict[str, dict[str, list[str]]]:
    """Return {ranking name: {query_id: ranked doc ids}}."""
    scorer = Scorer(index or build_term_index(docs))
    return {r.name: {q["id"]: scorer.rank(q["query"], r, depth) for q in queries} for r in rankings}
