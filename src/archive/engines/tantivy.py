"""The tantivy engine: our terms in a tantivy index, ranked by tantivy's BM25.

The only module that imports tantivy (the `tantivy` extra). Analysis stays ours: every text
field arrives as the terms of `text.iter_terms` (`index.preanalyze_fields`), joined by spaces
and indexed through a whitespace tokenizer with positions, so a query word meets the same term
on either engine and phrases work.

Ranking is the shipped one (search/bm25.py): one BM25 over the article's words, title counted
twice, Lucene's idf, k1 1.2, b 0.75. Tantivy's BM25 is that formula, so the article's words are
one indexed field, `words`, with the title's terms twice, the summary's and the body's as its
values (tantivy leaves a position gap between values, so a phrase cannot run from one into the
next, and the length is the words alone). Title, summary and author are also indexed on their
own (`title:`, `author:` queries and phrases), and the body's documents alone (`body:` words
and the document frequencies feedback reads; `body:` phrases search `words`). An author match
is scored in `author` (whoosh's route adds the author's words to the one bag: the judged sets
have no authors, so MAP does not see it).

What differs from whoosh's route (bench/README.md "Engines"): each length is kept in one byte
with tantivy's (Lucene's) encoding, coarser than whoosh's, so near-equal scores can swap (the
same encoding on whoosh's route would give equal scores, and ranks worse there: search/bm25.py);
alternatives of one clause (a Persian compound also offered glued) are summed as separate
terms, not as one synonym, each boosted to the synonym's idf (`translate`'s boosts,
rank._synonym_boosts), so an article holding one of them scores as on whoosh. A phrase is one
term of its own frequency and its words' summed idf on both engines (their PhraseQuery), and
neither counts the author's words in an article's length.

Queries arrive as the whoosh query objects `search/parse.py` builds (the plan's language) and
are translated here. Document keys are `segment << 32 | doc`, stable while a searcher is open.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import tantivy
from whoosh import query as wq

from archive import text
from archive.errors import IndexMissingError, SchemaVersionError, UsageError
from archive.safefs import check_no_link

ENGINE = "tantivy"
WORDS = "words"
TEXT_FIELDS = ("title", "summary", "author")  # indexed on their own too
RAW_FIELDS = ("id", "url", "site", "lang", "text_hash", "source_path", "url_key")
KEYWORD_FIELDS = ("content_hash", "author_key", "alternates", "author_ids", "tags")
STORED = "_stored"
_INDEXED = (*RAW_FIELDS, *KEYWORD_FIELDS, *TEXT_FIELDS, "body", WORDS)
NO_DATE_LAST = 99_999_999
WRITER_HEAP = 64_000_000
FUZZY_EXPANSIONS = 200
_KEY_BITS = 32
_LOW = (1 << _KEY_BITS) - 1


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    for name in (*RAW_FIELDS, *KEYWORD_FIELDS):
        builder.add_text_field(name, tokenizer_name="raw", index_option="freq")
    for name in (*TEXT_FIELDS, WORDS):
        builder.add_text_field(name, tokenizer_name="pre", index_option="position")
    # the body alone, documents only: `body:` words and the df feedback reads (phrases: words)
    builder.add_text_field("body", tokenizer_name="pre", index_option="basic")
    builder.add_unsigned_field("date", indexed=True, fast=True)
    builder.add_unsigned_field("date_asc", fast=True)  # undated last in an oldest-first sort
    builder.add_bytes_field(STORED, stored=True)
    return builder.build()


_SCHEMA: Any = None
_WHOOSH_SCHEMA: Any = None


def schema() -> Any:
    """The tantivy schema (built once)."""
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = _schema()
    return _SCHEMA


def _whoosh_schema() -> Any:
    global _WHOOSH_SCHEMA
    if _WHOOSH_SCHEMA is None:
        from archive.index import build_schema

        _WHOOSH_SCHEMA = build_schema()
    return _WHOOSH_SCHEMA


def _register(index: Any) -> None:
    index.register_tokenizer(
        "pre", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    )


def _check_links(gen_dir: str) -> None:
    """Tantivy opens its files itself: refuse a generation holding a symbolic link."""
    check_no_link(gen_dir, folder=True)
    try:
        entries = list(os.scandir(gen_dir))
    except OSError:
        return
    for entry in entries:
        if entry.is_symlink():
            check_no_link(entry.path)


def create_generation(gen_dir: str) -> None:
    """Create an empty tantivy index in the generation folder `gen_dir`."""
    check_no_link(gen_dir, folder=True)
    os.makedirs(gen_dir, exist_ok=True)
    index = tantivy.Index(schema(), path=gen_dir, reuse=False)
    _register(index)
    writer = index.writer(WRITER_HEAP)
    writer.commit()
    writer.wait_merging_threads()


def open_generation(index_dir: str, gen_dir: str) -> TantivyIndex:
    """Open the tantivy index of a generation; a damaged one says to rebuild."""
    _check_links(gen_dir)
    if not os.path.isdir(gen_dir):
        raise IndexMissingError(
            f"the index at {index_dir} is incomplete (missing {os.path.basename(gen_dir)}); "
            "run `archive ingest --rebuild`"
        )
    try:
        exists = tantivy.Index.exists(gen_dir)
    except OSError:
        exists = False
    if not exists:
        raise IndexMissingError(
            f"the index at {index_dir} is empty or incomplete; run `archive ingest --rebuild`"
        )
    try:
        index = tantivy.Index.open(gen_dir)
        _register(index)
        index.reload()
    except (ValueError, OSError) as exc:
        raise SchemaVersionError(
            f"the index at {index_dir} is damaged ({type(exc).__name__}); "
            "run `archive ingest --rebuild`"
        ) from None
    return TantivyIndex(index_dir, gen_dir, index)


# --- writing -------------------------------------------------------------------------------


def _terms(fields: dict[str, Any], name: str) -> list[str]:
    value = fields.get(name)
    if not value:
        return []
    if isinstance(value, list):
        return [str(t) for t in value]
    terms_of = text.iter_name_terms if name == "author" else text.iter_terms
    return [term.text for term in terms_of(str(value))]


def to_document(fields: dict[str, Any]) -> Any:
    """Return the tantivy Document of one field dict (article_to_fields, pre-analysed)."""
    doc = tantivy.Document()
    stored: dict[str, Any] = {}
    for name in _whoosh_schema().stored_names():
        value = fields.get(f"_stored_{name}", fields.get(name))
        if value is not None:
            stored[name] = value
    for name in RAW_FIELDS:
        value = fields.get(name)
        if value:
            doc.add_text(name, str(value))
    for name in KEYWORD_FIELDS:
        value = fields.get(name)
        if value:
            for part in str(value).split(","):
                part = part.strip()
                if part:
                    doc.add_text(name, part.lower() if name == "tags" else part)
    parts = []
    for name in ("title", "summary", "body", "author"):
        terms = _terms(fields, name)
        if not terms:
            continue
        joined = " ".join(terms)
        if name in TEXT_FIELDS or name == "body":
            doc.add_text(name, joined)
        if name == "title":
            parts += [joined, joined]
        elif name != "author":
            parts.append(joined)
    for part in parts:  # values of one field: a phrase never runs from one into the next
        doc.add_text(WORDS, part)
    date = int(fields.get("date") or 0)
    doc.add_unsigned("date", date)
    doc.add_unsigned("date_asc", date or NO_DATE_LAST)
    doc.add_bytes(STORED, json.dumps(stored, ensure_ascii=False).encode("utf-8"))
    return doc


class TantivyIndex:
    """One open tantivy generation: searchers, and the writer of an ingest."""

    engine = ENGINE

    def __init__(self, index_dir: str, gen_dir: str, index: Any) -> None:
        self.index_dir = index_dir
        self.gen_dir = gen_dir
        self.index = index
        self._writer: Any = None

    def searcher(self) -> TantivySearcher:
        return TantivySearcher(self.index.searcher())

    def doc_count(self) -> int:
        """Live documents (whoosh's Index.doc_count)."""
        return int(self.index.searcher().num_docs)

    def write(self, deletes: list[str], docs: list[tuple[dict[str, Any], bool]]) -> None:
        """Delete the ids, add the documents (replacing their ids when flagged), commit."""
        if self._writer is None:
            # one thread: documents keep the order they were given in (ties list in it)
            self._writer = self.index.writer(WRITER_HEAP, num_threads=1)
        writer = self._writer
        try:
            for doc_id in deletes:
                writer.delete_documents_by_term("id", doc_id)
            for fields, replace in docs:
                if replace:
                    writer.delete_documents_by_term("id", fields["id"])
                writer.add_document(to_document(fields))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        self.index.reload()

    def close(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.wait_merging_threads()


# --- reading -------------------------------------------------------------------------------


class DocColumn(dict):  # type: ignore[type-arg]
    """A value per document key (sparse keys): `d < len(column)` holds for every key."""

    def __len__(self) -> int:
        return 1 << 62


def _key(address: Any) -> int:
    return int(address.segment_ord) << _KEY_BITS | int(address.doc)


def _address(key: int) -> Any:
    return tantivy.DocAddress(key >> _KEY_BITS, key & _LOW)


def _within(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance of a and b at most `limit` (no transpositions: whoosh's automaton)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def _field(name: str, *, phrase: bool = False) -> str:
    return WORDS if name == "body" and phrase else name


def _regex_escape(value: str) -> str:
    return "".join(c if c.isalnum() else f"\\x{{{ord(c):x}}}" for c in value)


class TantivySearcher:
    """The reads of `archive.search` over a tantivy searcher (see engines/base.py)."""

    engine = ENGINE
    is_engine_searcher = True

    def __init__(self, searcher: Any) -> None:
        self._s = searcher
        self._boosts: dict[str, float] = {}  # translate()'s boosts while it runs
        self._live: list[int] | None = None
        self._dates: DocColumn | None = None

    # -- whoosh Searcher / IndexReader surface

    @property
    def schema(self) -> Any:
        return _whoosh_schema()

    def reader(self) -> TantivySearcher:
        return self

    def close(self) -> None:
        self._s = None

    def __enter__(self) -> TantivySearcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def doc_count(self) -> int:
        return int(self._s.num_docs)

    doc_count_all = doc_count

    def is_deleted(self, key: int) -> bool:
        return False

    def has_deletions(self) -> bool:
        return False

    def stored_fields(self, key: int) -> dict[str, Any]:
        raw = self._s.doc(_address(key)).get_first(STORED)
        value: dict[str, Any] = json.loads(bytes(raw).decode("utf-8")) if raw else {}
        return value

    def document(self, **term: Any) -> dict[str, Any] | None:
        ((name, value),) = term.items()
        found = self._keys(tantivy.Query.term_query(schema(), name, value), 1)
        return self.stored_fields(found[0]) if found else None

    def iter_docs(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for key in self.live_docs():
            yield key, self.stored_fields(key)

    def all_stored_fields(self) -> Iterator[dict[str, Any]]:
        for _, stored in self.iter_docs():
            yield stored

    def doc_frequency(self, fieldname: str, term: Any) -> int:
        name = _field(fieldname)
        if name not in _INDEXED:
            return 0
        value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
        return int(self._s.doc_freq(name, value))

    def __contains__(self, pair: Any) -> bool:
        fieldname, term = pair
        return self.doc_frequency(fieldname, term) > 0

    def _terms_with_prefix(self, fieldname: str, prefix: str) -> list[str]:
        name = _field(fieldname)
        if name not in _INDEXED:
            return []
        return sorted(term for term, _ in self._s.terms_with_prefix(name, prefix))

    def expand_prefix(self, fieldname: str, prefix: str) -> list[bytes]:
        """The index terms starting with `prefix`, as bytes (as whoosh gives them)."""
        return [t.encode("utf-8") for t in self._terms_with_prefix(fieldname, prefix)]

    def lexicon(self, fieldname: str) -> list[bytes]:
        return self.expand_prefix(fieldname, "")

    def terms_within(
        self, fieldname: str, word: str, maxdist: int, prefix: int = 0
    ) -> Iterator[str]:
        for term in self._terms_with_prefix(fieldname, word[:prefix]):
            if _within(term, word, maxdist):
                yield term

    def docs_for_query(self, q: Any) -> list[int]:
        return self._keys(self.translate(q))

    # -- the postings helpers of search/postings.py

    def live_docs(self) -> list[int]:
        if self._live is None:
            self._live = sorted(self._keys(tantivy.Query.all_query()))
        return self._live

    def deleted_docs(self) -> set[int]:
        return set()

    def live_term_docs(self, fieldname: str, term: str) -> list[int]:
        if not term:
            return []
        return sorted(self.docs_for_query(wq.Term(fieldname, term)))

    def term_docs(self, fieldname: str, term: Any) -> set[int]:
        return set(self.docs_for_query(wq.Term(fieldname, term)))

    def docset(self, q: Any) -> set[int] | None:
        return None if q is None else set(self.docs_for_query(q))

    def doc_dates(self) -> DocColumn:
        if self._dates is None:
            keys = self.live_docs()
            values = self._s.fast_field_values("date", [_address(k) for k in keys]) if keys else []
            self._dates = DocColumn(zip(keys, (v or 0 for v in values), strict=True))
        return self._dates

    def _keys(self, q: Any, limit: int | None = None) -> list[int]:
        n = limit or max(1, self.doc_count())
        return [_key(address) for _, address in self._s.search(q, n, count=False).hits]

    # -- queries

    def translate(self, q: Any, boosts: dict[str, float] | None = None) -> Any:
        """Return the tantivy query of a whoosh query object (as search/parse.py builds).

        `boosts`: a weight for some words over the article's words, for this translation
        (rank._synonym_boosts: compounds scored as the whoosh route scores them).
        """
        if boosts:
            saved, self._boosts = self._boosts, boosts
            try:
                return self.translate(q)
            finally:
                self._boosts = saved
        found = self._translate(q)
        if q.boost != 1.0 and not isinstance(q, wq.Or | wq.And):
            found = tantivy.Query.boost_query(found, float(q.boost))
        return found

    def _translate(self, q: Any) -> Any:
        query = tantivy.Query
        if q is wq.NullQuery:
            return query.empty_query()
        kind = type(q)
        if kind is wq.Every:
            return query.all_query()
        if kind is wq.Term:
            value = q.text.decode("utf-8") if isinstance(q.text, bytes) else q.text
            if q.fieldname == "date":
                return query.range_query(
                    schema(), "date", tantivy.FieldType.Unsigned, int(value), int(value)
                )
            return query.term_query(schema(), _field(q.fieldname), str(value))
        if kind is wq.Phrase:
            words = list(q.words)
            if len(words) == 1:
                return query.term_query(schema(), _field(q.fieldname), words[0])
            return query.phrase_query(
                schema(), _field(q.fieldname, phrase=True), words, slop=max(0, int(q.slop) - 1)
            )
        if kind is wq.Or or kind is wq.DisjunctionMax:
            return self._union(q.subqueries)
        if kind is wq.And:
            return query.boolean_query(
                [(tantivy.Occur.Must, self.translate(s)) for s in q.subqueries]
            )
        if kind is wq.AndNot:
            return query.boolean_query(
                [
                    (tantivy.Occur.Must, self.translate(q.a)),
                    (tantivy.Occur.MustNot, self.translate(q.b)),
                ]
            )
        if kind is wq.AndMaybe:
            return query.boolean_query(
                [
                    (tantivy.Occur.Must, self.translate(q.a)),
                    (tantivy.Occur.Should, self.translate(q.b)),
                ]
            )
        if kind is wq.Not:
            return query.boolean_query(
                [
                    (tantivy.Occur.Must, query.all_query()),
                    (tantivy.Occur.MustNot, self.translate(q.query)),
                ]
            )
        if kind is wq.Prefix:
            return query.regex_query(schema(), _field(q.fieldname), _regex_escape(q.text) + ".*")
        if kind is wq.Wildcard:
            pattern = "".join(
                ".*" if c == "*" else "." if c == "?" else _regex_escape(c) for c in q.text
            )
            return query.regex_query(schema(), _field(q.fieldname), pattern)
        if isinstance(q, wq.FuzzyTerm):
            prefix = max(1, int(getattr(q, "prefixlength", 0) or 0))
            words = list(self.terms_within(q.fieldname, q.text, q.maxdist, prefix))
            words = words[:FUZZY_EXPANSIONS]
            if not words:
                return query.empty_query()
            return self._union([wq.Term(q.fieldname, w) for w in words])
        if kind is wq.NumericRange and q.fieldname == "date":
            low = q.start if q.start is not None else None
            high = q.end if q.end is not None else None
            if low is None and high is None:
                return query.all_query()
            return query.range_query(
                schema(),
                "date",
                tantivy.FieldType.Unsigned,
                low,
                high,
                include_lower=low is None or not q.startexcl,
                include_upper=high is None or not q.endexcl,
            )
        raise UsageError(f"this query ({kind.__name__}) is not supported on the tantivy engine")

    def _union(self, subqueries: Any) -> Any:
        """Alternatives: the same word (or phrase) over title, summary and body becomes one
        query on `words` (one BM25 over the article's words)."""
        seen: set[Any] = set()
        parts = []
        subqueries = list(subqueries)
        for sub in subqueries:
            key: Any = None
            if type(sub) in (wq.Term, wq.Phrase) and sub.fieldname in ("title", "summary", "body"):
                if sub.boost == 1.0:
                    if type(sub) is wq.Term:
                        key = ("t", sub.text)
                    else:
                        key = ("p", tuple(sub.words), sub.slop)
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
                parts.append(self._words_query(sub))
                continue
            parts.append(self.translate(sub))
        if len(parts) == 1:
            return parts[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, p) for p in parts])

    def _words_query(self, sub: Any) -> Any:
        """A word or phrase over the article's words (`words`: the one BM25)."""
        value = sub.text if type(sub) is wq.Term else None
        if value is not None or len(sub.words) == 1:
            word = str(value if value is not None else sub.words[0])
            found = tantivy.Query.term_query(schema(), WORDS, word)
            boost = self._boosts.get(word)
            return found if boost is None else tantivy.Query.boost_query(found, boost)
        slop = max(0, int(sub.slop) - 1)
        return tantivy.Query.phrase_query(schema(), WORDS, list(sub.words), slop=slop)

    # -- ranking

    def rank(
        self,
        text_query: Any | None,
        filter_query: Any | None,
        sort: str,
        wanted: int,
        *,
        clauses: int = 1,
        need_all: bool = False,
        feedback: Callable[[list[tuple[float, int]]], list[tuple[str, float]]] | None = None,
        feedback_docs: int = 10,
        original_weight: float = 0.5,
        adds: bool = True,
        term_boosts: dict[str, float] | None = None,
    ) -> tuple[int, list[tuple[float | None, int]], list[tuple[str, float]], int]:
        """Match and rank: (exact total, best `wanted` (score, key), feedback terms, how many
        of the total only feedback terms brought in). `term_boosts`: translate()'s boosts for
        the user's query."""
        occur = tantivy.Occur
        query = tantivy.Query
        if not self.doc_count():
            return 0, [], [], 0
        main = query.all_query() if text_query is None else self.translate(text_query, term_boosts)
        musts = []
        if filter_query is not None:
            musts.append((occur.Must, query.const_score_query(self.translate(filter_query), 0.0)))

        def build(core: Any) -> Any:
            return query.boolean_query([(occur.Must, core), *musts]) if musts else core

        if sort != "relevance" or text_query is None:
            field, order = (
                ("date", tantivy.Order.Desc) if sort == "-date" else ("date_asc", tantivy.Order.Asc)
            )
            result = self._s.search(
                build(main), wanted, count=True, order_by_field=field, order=order
            )
            sign = -1 if sort == "-date" else 1
            # equal dates in document order, as whoosh lists them
            hits = sorted((sign * int(v), _key(a)) for v, a in result.hits)
            return int(result.count), [(None, k) for _, k in hits], [], 0
        result = self._s.search(
            build(main), max(wanted, feedback_docs if feedback else 0), count=True
        )
        total = int(result.count)
        ranked: list[tuple[float | None, int]] = [(float(s), _key(a)) for s, a in result.hits]
        if feedback is None or not ranked:
            return total, ranked[:wanted], [], 0
        top = [(float(s), k) for s, k in ranked[:feedback_docs] if s is not None]
        terms = feedback(top)
        if not terms:
            return total, ranked[:wanted], [], 0
        positive, negative = text_query, None
        if type(text_query) is wq.AndNot:
            positive, negative = text_query.a, text_query.b
        extras = [
            (
                occur.Should,
                query.boost_query(
                    query.term_query(schema(), WORDS, term), (1 - original_weight) * weight
                ),
            )
            for term, weight in terms
        ]
        user = query.boost_query(
            self.translate(positive, term_boosts), original_weight / max(1, clauses)
        )
        if adds and not need_all:
            core = query.boolean_query([(occur.Should, user), *extras])
        else:
            core = query.boolean_query([(occur.Must, user), *extras])
        if negative is not None:
            core = query.boolean_query(
                [(occur.Must, core), (occur.MustNot, self.translate(negative))]
            )
        result = self._s.search(build(core), wanted, count=True)
        total2 = int(result.count)
        ranked = [(float(s), _key(a)) for s, a in result.hits]
        return total2, ranked, terms, total2 - total

