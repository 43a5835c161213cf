"""Whoosh schema, analyzers, open/create, idempotent upsert.

Whoosh pickles the schema, analyzers included, into the index: the analyzer classes below live
at module level and must keep their import path (`archive.index.ArchiveTokenizer`), or old
indexes stop opening. Any change to the analysis chain that changes index terms bumps
SCHEMA_VERSION.

CONTRACT (owner: ingest; the field names are shared with search.py: add fields, never rename).
"""

from __future__ import annotations

from typing import Any

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from archive import text

SCHEMA_VERSION = 1


class ArchiveTokenizer(Tokenizer):
    """Whoosh tokenizer over `archive.text.iter_terms` (the whole bilingual chain)."""

    names = False

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def _terms(self, value: str) -> Any:
        return text.iter_name_terms(value) if self.names else text.iter_terms(value)

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Any:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            # Prefix/wildcard/fuzzy query text: fold it like a term but keep it whole.
            token.original = value
            token.text = text.normalize(value).lower()
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        for term in self._terms(value):
            token.text = term.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[term.start : term.end]
            if positions:
                token.pos = start_pos + term.pos
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token


class NameTokenizer(ArchiveTokenizer):
    """Tokenizer for author names: letter folding and lowercase only (no stopwords or stems)."""

    names = True


def build_schema() -> Schema:
    """Return the index schema (field names are shared with search.py)."""
    text_analyzer = ArchiveTokenizer()
    name_analyzer = NameTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        url=ID(stored=True),
        source=STORED(),  # RawPage.location of the first input that gave this article
        site=ID(stored=True),  # lowercased host without "www.", or publisher name
        lang=ID(stored=True),
        title=TEXT(analyzer=text_analyzer, stored=True, phrase=True),
        summary=TEXT(analyzer=text_analyzer, stored=True, phrase=True),
        body=TEXT(analyzer=text_analyzer, stored=True, phrase=True),
        author=TEXT(analyzer=name_analyzer, phrase=True),  # all authors, one per line
        authors=STORED(),  # list[str] as displayed
        date=NUMERIC(int, bits=32, stored=True, sortable=True, signed=False),  # yyyymmdd, 0 = none
        date_jalali=STORED(),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        content_hash=KEYWORD(stored=True, commas=True),  # hashes of raw inputs giving this doc
        text_hash=ID(stored=True),  # hash of normalised title+body, for duplicates
        warnings=STORED(),
        encoding=STORED(),
        indexed_at=STORED(),
    )


# --- CONTRACT stubs (owner: ingest); search.py and the CLI rely on these names. ---


def open_index(index_dir: str) -> Any:
    """Open the index at `index_dir` for reading (a whoosh Index).

    Raises:
        IndexMissingError: no index there ("no index at DIR; run `archive ingest` first").
        SchemaVersionError: built by an incompatible version ("... run `archive ingest --rebuild`").
    """
    raise NotImplementedError


def read_meta(index_dir: str) -> dict[str, Any]:
    """Return the index's metadata: schema_version, created, last_ingest (ISO), counts."""
    raise NotImplementedError


def article_to_fields(article: Any) -> dict[str, Any]:
    """Map an Article to the schema's fields (the one place that knows the mapping)."""
    raise NotImplementedError


def fields_to_article(stored: dict[str, Any]) -> Any:
    """Map a stored whoosh document back to an Article (inverse of article_to_fields)."""
    raise NotImplementedError
