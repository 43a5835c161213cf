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


def test_a_plural_suffix_may_end_a_compound_pair() -> None:
    # کتاب خانه های: the plural of the compound کتاب‌خانه, written apart
    assert expand_query_compounds("کتاب خانه های") == (
        f"کتاب خانه{ZWNJ}های کتاب{ZWNJ}خانه{ZWNJ}های"
    )
    assert expand_query_compounds("کتاب خانه های عمومی", require_all=True) == (
        f"((کتاب خانه{ZWNJ}های) OR کتاب{ZWNJ}خانه{ZWNJ}های) عمومی"
    )
    # and the ZWNJ-joined plural offers its parts, the suffix kept on the last one
    assert expand_query_compounds(f"کتاب{ZWNJ}خانه{ZWNJ}ها") == (
        f"کتاب{ZWNJ}خانه{ZWNJ}ها کتاب خانه{ZWNJ}ها"
    )
    # no other affix: هسته‌ای is an adjective, not a plural (no انرژی‌هسته‌ای)
    assert expand_query_compounds(f"انرژی هسته{ZWNJ}ای") == f"انرژی هسته{ZWNJ}ای"
    # a plural alone has no parts to offer
    assert expand_query_compounds(f"کتاب{ZWNJ}ها") == f"کتاب{ZWNJ}ها"


def test_a_plural_compound_is_found_however_either_side_wrote_it(tmp_path: Path) -> None:
    from archive.index import upsert_articles
    from archive.models import Article, SearchFilters
    from archive.search import search

    def fa(doc_id: str, title: str) -> Article:
        return Article(id=doc_id, title=title, body="گزارش", lang="fa", source=doc_id)

    folder = str(tmp_path / "index")
    docs = [
        fa("zwnj", f"کتاب{ZWNJ}خانه{ZWNJ}های عمومی"),
        fa("glued", "کتابخانه های عمومی"),
        fa("apart", "کتاب خانه های عمومی"),
        fa("singular", "کتاب خانه عمومی"),
        fa("house", "خانه های عمومی"),
    ] + [fa(f"f{i}", f"خبر شماره {i}") for i in range(8)]
    upsert_articles(folder, docs)
    compound = {"zwnj", "glued", "apart", "singular"}
    for query in ("کتاب خانه های عمومی", f"کتاب{ZWNJ}خانه{ZWNJ}های عمومی"):
        for require_all in (False, True):
            filters = SearchFilters(require_all=require_all, feedback=False)
            found = {h.id for h in search(folder, query, filters).hits}
            assert found - {"house"} == compound, (query, require_all)
    # written glued with no ZWNJ, nothing splits the word: its own spellings only
    glued = search(folder, "کتابخانه های عمومی", SearchFilters(require_all=True, feedback=False))
    assert {h.id for h in glued.hits} == {"zwnj", "glued"}


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
