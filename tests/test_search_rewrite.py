"""search.rewrite: the query string before whoosh splits it (compounds, detached affixes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search.rewrite import expand_query_compounds, join_detached_affixes

ZWNJ = "\u200c"
PERSIAN_LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"


def test_join_detached_affixes_for_query_strings() -> None:
    assert join_detached_affixes("کتاب ها را می خوانم") == f"کتاب{ZWNJ}ها را می{ZWNJ}خوانم"
    assert join_detached_affixes("Iran US") == "Iran US"


def test_expand_query_compounds_offers_glued_and_split_forms() -> None:
    assert expand_query_compounds("احمدی نژاد") == f"احمدی نژاد احمدی{ZWNJ}نژاد"
    assert expand_query_compounds(f"احمدی{ZWNJ}نژاد") == f"احمدی{ZWNJ}نژاد احمدی نژاد"
    nested = expand_query_compounds("آتش سوزی جنگل ها", require_all=True)
    assert nested == f"((آتش سوزی) OR آتش{ZWNJ}سوزی) جنگل{ZWNJ}ها"


@pytest.mark.parametrize(
    "query",
    ['"آتش سوزی" جنگل', "title:ایران", "Iran talks", "NOT ایران تهران", "کتاب"],
)
def test_expand_query_compounds_leaves_syntax_alone(query: str) -> None:
    assert expand_query_compounds(query) == query
    assert expand_query_compounds(query, require_all=True) == query


@pytest.mark.parametrize("require_all", [False, True])
@pytest.mark.parametrize("query", ["احمدی نژاد", f"احمدی{ZWNJ}نژاد", "احمدي نژاد"])
def test_compound_query_finds_every_spelling(tmp_path: Path, query: str, require_all: bool) -> None:
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import AndGroup, OrGroup, QueryParser

    from archive.index import ArchiveTokenizer

    schema = Schema(id=ID(stored=True), body=TEXT(analyzer=ArchiveTokenizer(), phrase=True))
    ix = whoosh_index.create_in(str(tmp_path), schema)
    with ix.writer() as writer:
        writer.add_document(id="zwnj", body=f"دولت احمدی{ZWNJ}نژاد")
        writer.add_document(id="apart", body="دولت احمدی نژاد")
        writer.add_document(id="other", body="دولت روحانی")
    group = AndGroup if require_all else OrGroup
    parser = QueryParser("body", schema, group=group)
    parsed = parser.parse(expand_query_compounds(query, require_all=require_all))
    with ix.searcher() as searcher:
        assert {hit["id"] for hit in searcher.search(parsed)} == {"zwnj", "apart"}


@given(st.text(alphabet=PERSIAN_LETTERS[:8] + ZWNJ + ' "():ab-', max_size=40), st.booleans())
@settings(max_examples=200, deadline=None)
def test_expand_query_compounds_keeps_brackets_and_quotes_balanced(
    query: str, require_all: bool
) -> None:
    expanded = expand_query_compounds(query, require_all=require_all)
    for opening, closing in (("(", ")"), ('"', '"')):
        before = query.count(opening) - (query.count(closing) if opening != closing else 0)
        after = expanded.count(opening) - (expanded.count(closing) if opening != closing else 0)
        assert before == after
