"""Query text and filters -> whoosh queries.

The query language is whoosh's: words, "phrases", AND / OR / NOT, (grouping), field:word,
word* prefixes and word~ fuzzy terms. Query words pass through the index's own analyzers (the
schema's ArchiveTokenizer), so the query text gets exactly the analysis used at ingest; before
whoosh splits the text on spaces, `rewrite.expand_query_compounds` joins Persian compounds and
detached affixes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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

from archive import names, text
from archive.errors import QuerySyntaxError, UsageError
from archive.index import location_key
from archive.models import LANGUAGES, SearchFilters
from archive.search.postings import live_term_docs
from archive.search.rewrite import expand_query_compounds, join_detached_affixes
from archive.stored import date_to_int, int_to_date

DEFAULT_FIELDS = ("title", "summary", "body", "author")
SNIPPET_FIELDS = ("title", "summary", "body")
FIELD_ALIASES = {
    "author": ["authors", "by"],
    "body": ["text", "content"],
    "source_path": ["source", "from"],  # source:raw/ is read by source_query
}  # also accepted


def describe_query(q: Any) -> str:
    """Return a whoosh query as text, one word's fields joined: `title|summary|body:کتاب`."""
    kind = type(q)
    if kind is wq.Term and q.fieldname == "author_key":
        # another spelling or script of the queried author (archive.names), as written
        return f'author="{term_text(q.text).partition(names.TERM_SEPARATOR)[2]}"'
    if kind is wq.Term:
        return f"{q.fieldname}:{term_text(q.text)}"
    if kind is wq.Phrase:
        return f'{q.fieldname}:"{" ".join(term_text(w) for w in q.words)}"'
    if kind is wq.Or:
        grouped: dict[Any, list[str]] = {}
        for child in q.subqueries:
            if type(child) is wq.Term and child.fieldname != "author_key":
                key: Any = term_text(child.text)
            elif type(child) is wq.Phrase:
                key = '"' + " ".join(term_text(w) for w in child.words) + '"'
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


def parse_query(schema: Any, query: str, *, require_all: bool = False, expand: bool = True) -> Any:
    """Parse whoosh query language into a normalised whoosh query over the default fields.

    Raises:
        QuerySyntaxError: unbalanced quotes or parentheses, a dangling operator, a bad range.
    """
    # whoosh reads the Arabic question mark as the "?" wildcard: a Persian question such as
    # «برجام چیست؟» would turn its last word into a pattern. Here it is punctuation, and
    # «...» or “...” quote a phrase as "..." does.
    query = query.translate(_NOT_WILDCARDS)
    _check_syntax(query)
    _check_fields(query, schema)
    # Persian compounds are written apart, with ZWNJ or glued (احمدی نژاد, احمدی‌نژاد); the
    # query offers each form, and a detached affix (می روند, کتاب ها) is joined to its word
    # before whoosh splits on the space (MAP on the Persian judged set 0.792 -> 0.834).
    # expand=False (--exact): only the detached affixes are joined.
    query = (
        expand_query_compounds(query, require_all=require_all)
        if expand
        else join_detached_affixes(query)
    )
    fields = [name for name in DEFAULT_FIELDS if name in schema]
    group = AndGroup if require_all else OrGroup
    parser = _ArchiveParser(None, schema, group=group)
    parser.add_plugin(MultifieldPlugin(fields))
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    try:
        parsed = _drop_stopped_words(parser.parse(query, normalize=False), schema).normalize()
    except Exception as exc:  # whoosh raises assorted errors on odd input
        raise QuerySyntaxError(
            f"cannot parse the query {query!r}; check its operators (AND, OR, NOT), "
            "field names and brackets"
        ) from exc
    error = _find_error(parsed)
    if error:
        raise QuerySyntaxError(f"cannot parse the query {query!r}: {error}")
    _check_fuzzy(parsed)
    return _resolve_sources(_stem_prefixes(_lift_negations(parsed))).normalize()


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


def source_query(spec: str) -> Any:
    """Return the query for articles from an input: a file, a folder (all below it), a dump
    (all its members) or one member, `dump.zip!member` (or a folder of members, `dump.zip!2025/`).

    Paths are read from the current folder, as ingest read them; they match the absolute
    location each article was filed under (`index.location_key`).

    Raises:
        UsageError: an empty spec.
    """
    value = spec.strip()
    if not value:
        raise UsageError("--source needs a file, folder or dump path")
    key = location_key(value)
    if "!" in key and key.split("!", 1)[1]:
        member_folder = key.rstrip("/") + "/"
        exact = wq.Term("source_path", key.rstrip("/"))
        return wq.Or([exact, wq.Prefix("source_path", member_folder)])
    if key == "/":
        return wq.Prefix("source_path", "/")
    return wq.Or(
        [
            wq.Term("source_path", key),
            wq.Prefix("source_path", key + "/"),
            wq.Prefix("source_path", key + "!"),
        ]
    )


def _resolve_sources(q: Any) -> Any:
    """Turn `source:PATH` words of the query text into `source_query(PATH)`."""
    if getattr(q, "fieldname", None) == "source_path":
        if type(q) is wq.Term:
            return source_query(term_text(q.text))
        if type(q) is wq.Prefix:
            text_ = term_text(q.text)
            prefix = location_key(text_) if text_ else ""
            return wq.Prefix("source_path", prefix + ("/" if text_.endswith("/") else ""))
        raise QuerySyntaxError(
            "source: takes a path (quoted if it has spaces), e.g. source:raw/ or "
            'source:"dumps/a b.zip"'
        )
    if q.is_leaf():
        return q
    return q.apply(_resolve_sources)


def build_filter(filters: SearchFilters, reader: Any | None = None) -> Any | None:
    """Return the whoosh query every hit must match (None when there are no filters).

    With the index `reader`, an author also matches the other spellings and the other
    script of the same name (archive.names); without it, only the name as written.
    """
    parts: list[Any] = []
    if filters.authors:
        parts.append(_or([author_query(name, reader) for name in filters.authors]))
    date_from, date_to = filters.date_from, filters.date_to
    if date_from is not None or date_to is not None:
        if date_from and date_to and date_from > date_to:
            raise UsageError(f"--from {date_from} is after --to {date_to}")
        low = date_to_int(date_from) if date_from else 1  # 0 means "no date": never in a range
        high = date_to_int(date_to) if date_to else None
        parts.append(wq.NumericRange("date", low, high))
    if filters.lang:
        if filters.lang not in LANGUAGES:
            raise UsageError(f"unknown language {filters.lang!r}; use {', '.join(LANGUAGES)}")
        parts.append(wq.Term("lang", filters.lang))
    if filters.sites:
        parts.append(_or([_site_query(host) for host in filters.sites]))
    if filters.sources:
        parts.append(_or([source_query(spec) for spec in filters.sources]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def fuzzy_prefix(q: Any) -> int:
    """Letters a fuzzy term's matches must share at the start: at least the first one.

    With none, whoosh computes an edit distance against every word of the lexicon (155,000
    words in 20,000 articles: seconds); sharing the first letter costs milliseconds and loses
    only typos in the first letter.
    """
    return max(1, int(getattr(q, "prefixlength", 0) or 0))


def term_text(term: Any) -> str:
    """Return an index term as str (whoosh hands out bytes from the lexicon)."""
    return term.decode("utf-8") if isinstance(term, bytes) else str(term)


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


def _drop_stopped_words(q: Any, schema: Any, *, root: bool = True) -> Any:
    """Drop the query words that only the author field kept: stopwords of the text fields.

    Whoosh analyses a word once per default field; the title and body chains drop a stopword
    (در, in) but the author field keeps it, so the word stayed as a clause `author:در` that
    almost no article matches: with --all nothing matched, and as an RM3 clause it took a share
    of the original query's weight. Such a word is a one-term Or inside the query's group; the
    group itself (`author:in` alone) is what the user typed and stays.
    """
    if not root and type(q) is wq.Or and len(q.subqueries) == 1 and "body" in schema:
        (only,) = q.subqueries
        if type(only) is wq.Term and only.fieldname == "author":
            if not list(schema["body"].process_text(term_text(only.text), mode="query")):
                return wq.NullQuery
    if q.is_leaf():
        return q
    return q.apply(lambda sub: _drop_stopped_words(sub, schema, root=False))


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


# Fuzzy terms: Lucene's bound. Each edit multiplies the words an automaton reaches; `~9` ran
# 95 s on the 26-article demo index, `~2` runs in milliseconds.
MAX_FUZZY_EDITS = 2
# `name:` followed by a word: a field query, unless `//` follows (a URL). Only ASCII names:
# a Persian word before a colon is text.
_FIELD_PREFIX = re.compile(r"(?<![\w.:])([A-Za-z_][A-Za-z0-9_]*):(?=[^\s/:]|$)")
_PUBLIC_FIELDS = ("title", "summary", "body", "author", "tags", "site", "lang", "url", "id")


def _check_fields(query: str, schema: Any) -> None:
    """Refuse `nosuchfield:word`: whoosh would search for the text "nosuchfield word"."""
    outside_phrases = re.sub(r'"[^"]*"', " ", query)
    known = set(schema.names()) | {a for aliases in FIELD_ALIASES.values() for a in aliases}
    for match in _FIELD_PREFIX.finditer(outside_phrases):
        name = match.group(1)
        if name not in known:
            fields = ", ".join(f"{field}:" for field in _PUBLIC_FIELDS if field in schema)
            raise QuerySyntaxError(f"unknown field {name + ':'!r} in the query; fields: {fields}")


def _check_fuzzy(q: Any) -> None:
    for leaf in q.leaves() if not q.is_leaf() else [q]:
        if not isinstance(leaf, wq.FuzzyTerm):
            continue
        # `r~1/2`: a prefix longer than the word (whoosh's IndexError)
        leaf.prefixlength = min(leaf.prefixlength, len(leaf.text))
        if leaf.maxdist > MAX_FUZZY_EDITS:
            word = term_text(leaf.text)
            raise QuerySyntaxError(
                f"a fuzzy term allows at most {MAX_FUZZY_EDITS} edits: write {word}~1 or "
                f"{word}~{MAX_FUZZY_EDITS}, not ~{leaf.maxdist}"
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


def positive_leaves(q: Any) -> Iterator[Any]:
    """Yield the leaves of `q` that a match must or may hold (those under NOT left out)."""
    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        yield from positive_leaves(q.a)
        return
    if q.is_leaf():
        yield q
        return
    for child in q.children():
        yield from positive_leaves(child)


def _or(queries: list[Any]) -> Any:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def author_query(name: str, reader: Any | None = None, *, aliases: bool = True) -> Any:
    """Return the query for articles by `name` (with `reader`: in any spelling or script).

    With `reader` and `aliases`, also the names that the hreflang versions of those articles
    give the same person (`search.versions.author_aliases`) and the names the same author page
    is given (`page_aliases`): only through the pages' own links, never by guess.
    """
    terms = [term.text for term in text.iter_name_terms(name)]
    if not terms:
        raise UsageError(f"the author name {name!r} has no letters to match")
    written = wq.Term("author", terms[0]) if len(terms) == 1 else wq.Phrase("author", terms)
    same_person = author_key_terms(name, reader) if reader is not None else []
    parts = [written, *(wq.Term("author_key", term) for term in same_person)]
    if reader is not None and aliases:
        from archive.search.versions import author_aliases, page_aliases

        docs = {d for q in parts for d in _term_docs(reader, q)}
        found = author_aliases(reader, name, docs)
        found += [a for a in page_aliases(reader, name) if a not in found]
        for alias in found:
            if any(True for _ in text.iter_name_terms(alias)):
                parts.append(author_query(alias, reader, aliases=False))
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def _term_docs(reader: Any, q: Any) -> list[int]:
    """Live documents of a Term or Phrase query over one reader (phrases: all their words)."""
    words = [q.text] if isinstance(q, wq.Term) else list(getattr(q, "words", []))
    found = [set(live_term_docs(reader, q.fieldname, word)) for word in words]
    return sorted(set.intersection(*found)) if found else []


def author_key_terms(name: str, reader: Any) -> list[str]:
    """Return the `author_key` terms of the index whose names are `name` in any spelling."""
    if "author_key" not in reader.schema:
        return []
    candidates: list[str] = []
    for key in names.query_keys(name):
        prefix = key + names.TERM_SEPARATOR
        for raw in reader.expand_prefix("author_key", prefix):
            candidates.append(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    return names.matching_author_terms(name, candidates)


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
