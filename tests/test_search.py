"""search: parsing, one-field BM25, feedback, filters, snippets, the fast route, on real indexes."""

from __future__ import annotations

import datetime as dt

import pytest

from archive.errors import QuerySyntaxError, UsageError
from archive.index import open_index, upsert_articles
from archive.models import Article, SearchFilters
from archive.search import (
    make_snippet,
    normalize_site,
    parse_query,
    search,
    snippet_terms,
)

FILLER = "Several unrelated sentences about the weather and the harvest follow here. " * 30


def article(doc_id: str, title: str, body: str, **extra) -> Article:
    return Article(id=doc_id, title=title, body=body, lang=extra.pop("lang", "en"),
                   source=f"raw/{doc_id}.html", **extra)  # fmt: skip


@pytest.fixture(scope="module")
def ranking_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = str(tmp_path_factory.mktemp("ranking") / "index")
    upsert_articles(
        folder,
        [
            # Both words, once each, deep in a long body: a low BM25F score.
            article(
                "both",
                "Harvest notes",
                FILLER + " alpha " + FILLER + " beta " + FILLER,
                date=dt.date(2024, 1, 1),
            ),  # fmt: skip
            # One word, many times, in a short title and body: a high BM25F score.
            article(
                "alpha-only", "Alpha alpha", "alpha alpha alpha alpha", date=dt.date(2024, 2, 1)
            ),
            article("beta-only", "Beta", "beta", date=dt.date(2024, 3, 1)),
            article("neither", "Gamma", "gamma delta", date=dt.date(2024, 4, 1)),
            article(
                "fa",
                "کتاب‌ها",
                "كتابهای تازه در کتابخانه",
                lang="fa",
                date=dt.date(2025, 1, 20),
                authors=["علی رضایی"],
            ),  # fmt: skip
        ],
    )
    return folder


def test_several_words_rank_by_one_field_bm25_without_coordination(ranking_index) -> None:
    ix = open_index(ranking_index)
    with ix.searcher() as searcher:
        from archive.search.rank import _bag_of_terms, plan_search

        bag = _bag_of_terms(plan_search(searcher.schema, "alpha beta"))
        reference = _reference_bm25(searcher, bag.clauses)
        expected = {searcher.stored_fields(d)["id"]: score for d, score in reference.items()}
        result = search(searcher, "alpha beta")
    assert {hit.id: hit.score for hit in result.hits} == pytest.approx(expected, abs=1e-3)
    assert [hit.id for hit in result.hits] == sorted(expected, key=lambda d: -expected[d])
    assert result.total == 3
    assert not result.coordinated
    assert "rank:" not in result.parsed


def test_a_word_in_summary_and_body_counts_once_as_the_article_s_tf(tmp_path) -> None:
    # Whoosh's BM25F scores each field apart and sums them: "split" would score higher than
    # "body", whose two occurrences saturate together. One BM25 over the article gives the
    # two the same tf and length, so the same score.
    folder = str(tmp_path / "index")
    upsert_articles(
        folder,
        [
            article("split", "Daily news", "zebra crossing report", summary="zebra"),
            article("body", "Daily news", "zebra zebra crossing report"),
            article("other", "Daily news", "crossing report today"),
        ],
    )
    scores = {hit.id: hit.score for hit in search(folder, "zebra").hits}
    assert scores["split"] == pytest.approx(scores["body"], rel=1e-9)


def test_title_words_count_twice(tmp_path) -> None:
    folder = str(tmp_path / "index")
    upsert_articles(
        folder,
        [
            article("title", "Zebra", "crossing report today"),
            article("body", "Zebra", "zebra crossing report"),
            article("other", "Daily", "crossing report today"),
        ],
    )
    assert [hit.id for hit in search(folder, "zebra").hits] == ["body", "title"]


def test_single_clause_is_plain_bm25f(ranking_index) -> None:
    result = search(ranking_index, "alpha")
    assert not result.coordinated
    assert "rank:" not in result.parsed


def test_paging_is_a_slice_of_the_ranking(ranking_index) -> None:
    ranking = [h.id for h in search(ranking_index, "alpha beta gamma", limit=10).hits]
    assert len(ranking) == 4
    pages = [search(ranking_index, "alpha beta gamma", limit=1, page=n) for n in (1, 2, 3, 4, 5)]
    assert [[h.id for h in p.hits] for p in pages] == [[doc] for doc in ranking] + [[]]
    assert {p.total for p in pages} == {4}
    assert [p.hits[0].rank for p in pages[:4]] == [1, 2, 3, 4]


def test_require_all(ranking_index) -> None:
    result = search(ranking_index, "alpha beta", SearchFilters(require_all=True))
    assert [hit.id for hit in result.hits] == ["both"]
    assert result.total == 1


def test_search_accepts_folder_index_or_searcher(ranking_index) -> None:
    ix = open_index(ranking_index)
    with ix.searcher() as searcher:
        from_searcher = search(searcher, "gamma")
        again = search(searcher, "delta")  # the searcher stays usable: the caller owns it
    assert [h.id for h in from_searcher.hits] == [h.id for h in search(ix, "gamma").hits]
    assert [h.id for h in search(ranking_index, "gamma").hits] == ["neither"]
    assert [h.id for h in again.hits] == ["neither"]


def test_not_excludes_instead_of_matching_everything_else(ranking_index) -> None:
    result = search(ranking_index, "alpha NOT beta")
    assert [hit.id for hit in result.hits] == ["alpha-only"]
    either = search(ranking_index, "alpha gamma NOT beta")
    assert {h.id for h in either.hits} == {"alpha-only", "neither"}


def test_parsed_query_is_after_analysis(ranking_index) -> None:
    result = search(ranking_index, "كتابها")
    assert "body:کتاب" in result.parsed
    assert [hit.id for hit in result.hits] == ["fa"]


def test_no_query_lists_newest_first(ranking_index) -> None:
    result = search(ranking_index, None)
    assert [hit.id for hit in result.hits][:2] == ["fa", "neither"]
    assert result.total == 5
    assert all(hit.score is None for hit in result.hits)


def test_filters(ranking_index) -> None:
    by_author = search(ranking_index, None, SearchFilters(authors=("رضايي",)))
    assert [h.id for h in by_author.hits] == ["fa"]
    assert [h.id for h in search(ranking_index, None, SearchFilters(lang="fa")).hits] == ["fa"]
    window = search(
        ranking_index,
        None,
        SearchFilters(date_from=dt.date(2024, 2, 1), date_to=dt.date(2024, 3, 1)),
    )
    assert [h.id for h in window.hits] == ["beta-only", "alpha-only"]
    assert search(ranking_index, None, SearchFilters(authors=("nobody",))).total == 0


def test_search_filters_take_one_name_or_host_as_one() -> None:
    one = SearchFilters(authors="Ali Rezaei", sites="irna.ir")
    assert one.authors == ("Ali Rezaei",) and one.sites == ("irna.ir",)
    listed = SearchFilters(authors=["a", "b"], sites=["x.ir"])
    assert listed.authors == ("a", "b") and listed.sites == ("x.ir",)
    assert SearchFilters(authors=["a"]) == SearchFilters(authors=("a",))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"authors": (" ",)},
        {"lang": "de"},
        {"sort": "size"},
        {"limit": 0},
        {"page": 0},
        {"date_from": dt.date(2025, 1, 2), "date_to": dt.date(2025, 1, 1)},
    ],
)
def test_bad_arguments_raise_usage_error(ranking_index, kwargs) -> None:
    with pytest.raises(UsageError):
        paging = {key: kwargs.pop(key) for key in ("limit", "page") if key in kwargs}
        search(ranking_index, "alpha", SearchFilters(**kwargs), **paging)


@pytest.mark.parametrize("bad", ['"open', "(a", "a)", "OR a", "a AND", "title:[a TO"])
def test_bad_syntax_raises(ranking_index, bad) -> None:
    with pytest.raises(QuerySyntaxError):
        search(ranking_index, bad)


def test_snippet_terms_leave_out_negated_words(ranking_index) -> None:
    ix = open_index(ranking_index)
    with ix.searcher() as searcher:
        terms = snippet_terms(searcher, parse_query(searcher.schema, "alpha NOT beta"))
        prefixed = snippet_terms(searcher, parse_query(searcher.schema, "alph*"))
    assert terms == {"alpha"}
    assert prefixed == {"alph*"}  # matched word by word when the snippet is made


# --- snippets ---------------------------------------------------------------------------------


def test_snippet_highlights_point_at_the_matched_words() -> None:
    body = "First paragraph.\n\nThe nuclear talks resumed.   Nuclear issues remain."
    snippet, spans = make_snippet(body, {"nuclear", "talk"})
    assert "\n" not in snippet and "  " not in snippet
    assert [snippet[a:b] for a, b in spans] == ["nuclear", "talks", "Nuclear"]


def test_snippet_highlights_a_plural_in_at_for_its_singular() -> None:
    # مسابقه's term is the term of مسابقات too: the page's plural is marked
    body = "نتایج مسابقات فوتبال و یک مسابقه دیگر اعلام شد."
    snippet, spans = make_snippet(body, {"مسابقه"})
    assert [snippet[a:b] for a, b in spans] == ["مسابقات", "مسابقه"]
    snippet, spans = make_snippet("حملات هوایی و یک حمله دیگر", {"حمله"})
    assert [snippet[a:b] for a, b in spans] == ["حملات", "حمله"]


def test_snippet_of_a_short_word_in_heh_is_not_crowded_out() -> None:
    # خانه is looked for as خانه or خانات, so the words that start with خان are no
    # candidates of it
    body = " ".join(["خانواده خانم"] * 25) + " و یک خانه"
    snippet, spans = make_snippet(body, {"خانه"})
    assert [snippet[a:b] for a, b in spans] == ["خانه"]


def test_snippet_of_a_long_body_has_at_most_three_short_fragments() -> None:
    body = (
        " ".join(f"word{n}" for n in range(3000))
        + " target "
        + " ".join(f"more{n}" for n in range(3000))
    )
    body = body.replace("word100 ", "word100 target ").replace("more900 ", "more900 target ")
    body = body.replace("word2000 ", "word2000 target ")
    snippet, spans = make_snippet(body, {"target"})
    assert len(spans) >= 3
    assert snippet.count("…") >= 3
    assert len(snippet) < 3 * 200
    assert all(snippet[a:b] == "target" for a, b in spans)


def test_snippet_prefix_terms() -> None:
    snippet, spans = make_snippet("They negotiated; negotiations went on. Negative.", {"negot*"})
    assert [snippet[a:b] for a, b in spans] == ["negotiated", "negotiations"]


def test_snippet_persian_keeps_zwnj() -> None:
    body = "مردم به کتابخانه می\u200cروند و کتاب\u200cها را امانت می\u200cگیرند."
    snippet, spans = make_snippet(body, {"کتاب"})
    assert [snippet[a:b] for a, b in spans] == ["کتاب\u200cها"]
    assert "می\u200cروند" in snippet


def test_shipped_snippet_variants_are_the_folding_of_this_python() -> None:
    # the letter variants snippets look for are read from a file written for one Unicode
    # version (computing them is ~2 ms of a fresh query): the same table the folding gives;
    # another version computes its own
    import unicodedata
    from pathlib import Path

    from archive.search import snippets

    shipped = Path(snippets.__file__).parent.parent / "data" / snippets.VARIANTS_FILE
    computed = snippets.compute_variants()
    assert "K" in computed["k"] and "\uff4b" in computed["k"]  # full-width k
    assert "\u0643" in computed["\u06a9"] and "\u200c" in computed[""]  # Arabic kaf, ZWNJ
    snippets._VARIANTS.clear()
    assert snippets._variants() == computed
    if f"unicode {unicodedata.unidata_version}\n" in shipped.read_text("utf-8"):
        assert shipped.read_text("utf-8") == snippets.format_variants(computed), (
            "regenerate data/snippet_variants.txt with snippets.format_variants(compute_variants())"
        )
        assert snippets._read_variants() == computed
    else:
        assert snippets._read_variants() is None


def test_snippet_without_match_is_the_opening() -> None:
    body = "Opening words here. " * 100
    snippet, spans = make_snippet(body, {"absent"})
    assert spans == []
    assert snippet.startswith("Opening words here.")
    assert snippet.endswith("…") and len(snippet) < 300


def test_snippet_scan_is_capped() -> None:
    body = "filler " * 10_000 + "needle"
    snippet, spans = make_snippet(body, {"needl"}, scan_chars=5_000)
    assert spans == [] and snippet.startswith("filler")
    _, found = make_snippet(body, {"needl"}, scan_chars=len(body))
    assert len(found) == 1


# --- helpers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "host"),
    [
        ("irna.ir", "irna.ir"),
        ("https://www.IRNA.ir/news/1", "irna.ir"),
        ("en.irna.ir:443", "en.irna.ir"),
    ],
)
def test_normalize_site(given: str, host: str) -> None:
    assert normalize_site(given) == host


# --- the fast route agrees with whoosh's matchers ---------------------------------------------

QUERY_FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures" / "query"


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    import json

    data = json.loads((QUERY_FIXTURES / "articles.json").read_text(encoding="utf-8"))
    articles = [Article.from_dict(item) for item in data]
    folder = str(tmp_path_factory.mktemp("corpus") / "index")
    upsert_articles(folder, articles[:10])
    upsert_articles(folder, articles[10:])
    upsert_articles(folder, articles[3:6])  # replaced documents leave deletions behind
    return folder


@pytest.mark.parametrize(
    ("query", "kwargs"),
    [
        ("nuclear talks", {}),
        ("talks nuclear", {"limit": 1}),
        ("nuclear talks", {"require_all": True}),
        ('nuclear "talks resume"', {}),
        ('"nuclear talks" vienna', {"limit": 2, "page": 2}),
        ('"nuclear talks"', {}),
        ('"talks nuclear"', {}),
        ('"مذاکرات هسته‌ای"', {}),
        ('"weekly report" markets', {"sort": "-date"}),
        ("vienna", {}),
        ("report", {"limit": 3, "page": 2}),
        ("نفت", {}),
        ("نفت گاز", {"lang": "fa"}),
        ("nuclear NOT talks", {}),
        ("oil gas NOT چین", {}),
        ("reactor AND (talks OR ankara)", {}),
        ("report weekly", {"sort": "-date"}),
        ("report", {"sort": "date", "limit": 50}),
        ("talks", {"authors": ["khakpoor"]}),
        ("نفت", {"date_from": dt.date(2023, 1, 1), "date_to": dt.date(2025, 1, 31)}),
        (None, {}),
        (None, {"limit": 50, "sort": "date"}),
        (None, {"lang": "fa"}),
        (None, {"sites": ("irna.ir",), "date_to": dt.date(2024, 12, 31)}),
        ("xylophone", {}),
    ],
)
def test_fast_route_matches_whoosh(corpus_index, query, kwargs) -> None:
    """Listings and date sorts: the fast route gives whoosh's order. Plain words ranked by
    relevance: the same matches as whoosh's route, scored by one-field BM25 (a reference
    written here from whoosh's public postings API)."""
    from archive.search import plan_search, run_plan
    from archive.search.rank import _bag_of_terms

    limit = kwargs.pop("limit", 10)
    page = kwargs.pop("page", 1)
    kwargs.setdefault("feedback", False)  # whoosh's route has no feedback (the Persian default)
    ix = open_index(corpus_index)
    with ix.searcher() as searcher:
        plan = plan_search(searcher.schema, query, SearchFilters(**kwargs))
        fast = run_plan(searcher, plan, limit=limit, page=page, fast=True)
        slow = run_plan(searcher, plan, limit=limit, page=page, fast=False)
        everything = run_plan(searcher, plan, limit=10_000, fast=False)[1]
        assert searcher.doc_count() < searcher.doc_count_all()  # deletions are present
        bag = _bag_of_terms(plan) if plan.sort == "relevance" else None
        expected = None
        if bag is not None and not any(isinstance(t, tuple) for c in bag.clauses for _, t in c):
            reference = _reference_bm25(searcher, bag.clauses)
            ranked = sorted((d for _, d in everything), key=lambda d: (-reference[d], d))
            expected = [(reference[d], d) for d in ranked][(page - 1) * limit : page * limit]
    assert fast[0] == slow[0]
    if bag is not None:
        assert {d for _, d in run_plan_all(corpus_index, plan)} == {d for _, d in everything}
    if expected is not None:
        assert [d for _, d in fast[1]] == [d for _, d in expected]
        for (fast_score, _), (want, _) in zip(fast[1], expected, strict=True):
            assert fast_score == pytest.approx(want, rel=1e-6)
    elif bag is None:
        assert [d for _, d in fast[1]] == [d for _, d in slow[1]]
        for (fast_score, _), (slow_score, _) in zip(fast[1], slow[1], strict=True):
            if slow_score:
                assert fast_score == pytest.approx(slow_score, rel=1e-5)
            else:
                assert not fast_score


def run_plan_all(index: str, plan) -> list:
    from archive.search import run_plan

    ix = open_index(index)
    with ix.searcher() as searcher:
        return run_plan(searcher, plan, limit=10_000, fast=True)[1]


def test_bm25_over_several_segments_and_a_deletion_matches_the_formula(tmp_path) -> None:
    # The length norms are a table by global docnum, built once per reader from each
    # segment's length column: with several segments (docnum offsets) and a replaced article
    # (a deleted document), every score must still be the formula's.
    folder = str(tmp_path / "index")
    for batch in range(3):
        upsert_articles(
            folder,
            [
                article(f"b{batch}-{i}", f"Report {i} zebra" if i % 2 else f"Note {i}",
                        "zebra " * (1 + i) + FILLER[: 40 * (batch + 1)] + f" crossing{i}")
                for i in range(4)
            ],
        )  # fmt: skip
    upsert_articles(folder, [article("b0-1", "Replaced", "zebra crossing, short")])
    ix = open_index(folder)
    with ix.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) > 1
        assert searcher.doc_count_all() > searcher.doc_count() == 12  # one deleted
        from archive.search.rank import _bag_of_terms, plan_search

        bag = _bag_of_terms(plan_search(searcher.schema, "zebra crossing1"))
        reference = _reference_bm25(searcher, bag.clauses)
        expected = {searcher.stored_fields(d)["id"]: score for d, score in reference.items()}
        result = search(searcher, "zebra crossing1", limit=50)
    assert {hit.id: hit.score for hit in result.hits} == pytest.approx(expected, abs=1e-4)
    assert len(result.hits) == result.total == 12
    assert next(hit for hit in result.hits if hit.id == "b0-1").title == "Replaced"


def test_compound_alternatives_scored_as_terms_of_their_own(tmp_path, monkeypatch) -> None:
    # rank.COMPOUND_SCORING "term" (the bench's Lucene multi-word-synonym row): احمدی | احمدی‌نژاد
    # and نژاد | احمدی‌نژاد score as the three distinct words, the glued one counted once with
    # its own df; which articles match (--all too) is the synonym mode's.
    from archive.search import rank

    zwnj = "\u200c"
    folder = str(tmp_path / "index")
    docs = [
        article("glued", f"سفر احمدی{zwnj}نژاد", "گزارش سفر", lang="fa"),
        article("apart", "سفر احمدی نژاد", "گزارش سفر", lang="fa"),
        article("first", "خانواده احمدی", "گزارش", lang="fa"),
        article("second", "نژاد اسب", "گزارش", lang="fa"),
    ] + [article(f"f{i}", f"خبر {i}", f"متن شماره {i} احمدی", lang="fa") for i in range(6)]
    upsert_articles(folder, docs)
    query = "احمدی نژاد"
    ix = open_index(folder)
    with ix.searcher() as searcher:
        plan = rank.plan_search(searcher.schema, query, SearchFilters(feedback=False))
        clauses = rank._bag_of_terms(plan).clauses
        assert len(clauses) == 2 and all(len({t for _, t in c}) == 2 for c in clauses)
        units: dict[str, list] = {}
        for clause in clauses:
            for fieldname, term in clause:
                if (fieldname, term) not in units.setdefault(term, []):
                    units[term].append((fieldname, term))
        reference = _reference_bm25(searcher, list(units.values()))
        expected = {searcher.stored_fields(d)["id"]: v for d, v in reference.items()}
        synonym = {h.id: h.score for h in search(searcher, query, SearchFilters(feedback=False),
                                                  limit=50).hits}  # fmt: skip
        every = {h.id for h in search(searcher, query, SearchFilters(require_all=True)).hits}
        monkeypatch.setattr(rank, "COMPOUND_SCORING", "term")
        result = search(searcher, query, SearchFilters(feedback=False), limit=50)
        every_term = {h.id for h in search(searcher, query, SearchFilters(require_all=True)).hits}
    assert {hit.id: hit.score for hit in result.hits} == pytest.approx(expected, abs=1e-4)
    assert set(synonym) == set(expected)
    assert synonym["glued"] != pytest.approx(expected["glued"])  # the modes differ
    assert every == every_term == {"glued", "apart"}


def _three_segments_and_a_replacement(tmp_path) -> str:
    """An index of three batches of six articles (authors, lengths that differ), one of them
    replaced later (a deleted document)."""
    folder = str(tmp_path / "index")
    for batch in range(3):
        upsert_articles(
            folder,
            [article(f"b{batch}-{i}", f"Zebra {i}" if i % 2 else f"Note {i}",
                     "zebra " * (1 + i) + FILLER[: 30 * (batch + i + 1)], authors=[f"A {i}"])
             for i in range(6)],
        )  # fmt: skip
    upsert_articles(folder, [article("b1-1", "Replaced", "zebra, once more")])
    return folder


def test_norms_computed_one_by_one_give_the_table_s_scores(tmp_path, monkeypatch) -> None:
    # A fresh searcher computes the norms of the matched articles alone (bm25._norms_of);
    # scores must be the very floats the whole table gives, over segments and a deletion.
    from archive.search import bm25
    from archive.search.postings import reader_cache

    folder = _three_segments_and_a_replacement(tmp_path)

    def scores(partial: int) -> tuple[list, set[str]]:
        from archive.search import plan_search, run_plan

        monkeypatch.setattr(bm25, "PARTIAL_NORMS", partial)
        with open_index(folder).searcher() as searcher:
            plan = plan_search(searcher.schema, "zebra note")
            ranked = run_plan(searcher, plan, limit=50)[1]
            kinds = {k[0] for k in reader_cache(searcher.reader()) if isinstance(k, tuple)}
        return ranked, kinds

    one_by_one, kinds = scores(1)
    assert "some" in kinds and "norms" not in kinds  # the table was not built
    table, kinds = scores(10**9)
    assert "norms" in kinds
    assert one_by_one == table and len(table) == 18


def _reference_bm25(searcher, clauses) -> dict[int, float]:
    """One-field BM25 with Lucene's idf, from searcher.postings and doc_field_length."""
    import math

    fields = [f for f in ("title", "summary", "body", "author") if f in searcher.schema]
    weight = {"title": 2.0}  # the title's words count twice
    n = searcher.doc_count()
    # The length: the words field's (title twice, summary and body as one field, its length
    # one byte as whoosh stores it, as Lucene stores one field's); not the author's, whose
    # words are scored all the same.
    avg = searcher.avg_field_length("words")
    for docnum in range(searcher.doc_count_all()):
        summed = sum(
            weight.get(f, 1) * (searcher.doc_field_length(docnum, f, 0) or 0) for f in fields[:3]
        )
        words = searcher.doc_field_length(docnum, "words", 0) or 0
        assert words == pytest.approx(summed, rel=0.1)
    scores: dict[int, float] = {}
    for clause in clauses:
        per_term: dict[str, dict[int, float]] = {}
        for fieldname, term in clause:
            found = per_term.setdefault(term, {})
            if (fieldname, term) not in searcher.reader():
                continue
            for docnum, tf in searcher.postings(fieldname, term).items_as("weight"):
                found[docnum] = found.get(docnum, 0.0) + weight.get(fieldname, 1) * tf
        df = max(len(found) for found in per_term.values())
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        merged: dict[int, float] = {}
        for found in per_term.values():
            for docnum, tf in found.items():
                merged[docnum] = merged.get(docnum, 0.0) + tf
        for docnum, tf in merged.items():
            length = searcher.doc_field_length(docnum, "words", 0) or 0
            norm = 1.2 * (1 - 0.75 + 0.75 * length / avg)
            scores[docnum] = scores.get(docnum, 0.0) + idf * tf * 2.2 / (tf + norm)
    return scores


def test_explain_groups_fields_per_word(ranking_index) -> None:
    result = search(ranking_index, "كتابها NOT gamma", SearchFilters(authors=("رضایی",)))
    assert result.parsed == (
        "((title|summary|body:کتاب OR author:کتابها) NOT title|summary|body|author:gamma)"
    )
    # the surname as written, or any of the index's names it can be (here علی رضایی)
    assert result.filters == '(author:رضایی OR author="علی رضایی")'


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = st.sampled_from(
    ["alpha", "beta", "کتاب‌ها", "كتابها", "AND", "OR", "NOT", "(", ")", '"', "*", "~", "?",
     ":", "title:", "author:", "^2", "[", "]", "{", "}", "TO", "-", "+", "\\", "'", "۱۴۰۳",
     "\u200c", "\x1b[31m", " "]
)  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(st.lists(_PIECES, max_size=8).map(" ".join))
def test_any_query_text_gives_hits_or_a_usage_error(ranking_index, query) -> None:
    try:
        result = search(ranking_index, query, limit=3)
    except UsageError:
        return
    assert result.total >= len(result.hits)
    assert all(hit.id for hit in result.hits)


@pytest.fixture(scope="module")
def forms_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = str(tmp_path_factory.mktemp("forms") / "index")
    upsert_articles(
        folder,
        [
            article("talks", "Negotiations resume", "The negotiations resumed in Oman."),
            article("other", "Harvest", "Farmers negotiate little with the weather.", lang="en"),
            article("unrelated", "Gamma", "gamma delta"),
            article("fa-glued", "دانشجویان", "آنها فردا به دانشگاه می‌روند.", lang="fa"),
            article("fa-compound", "احمدی‌نژاد", "سفر احمدی‌نژاد به نیویورک", lang="fa"),
        ],
    )
    return folder


def _ids(result) -> set[str]:
    return {hit.id for hit in result.hits}


def test_prefix_reaches_stems_shorter_than_the_prefix(forms_index) -> None:
    # "negotiations" is indexed as the stem "negoti", which does not start with "negotiat".
    assert _ids(search(forms_index, "negotiat*")) == {"talks", "other"}
    # A prefix never finds less than the whole word it is written as.
    assert _ids(search(forms_index, "negotiation")) <= _ids(search(forms_index, "negotiation*"))
    assert _ids(search(forms_index, "gam*")) == {"unrelated"}


def test_detached_persian_affix_in_the_query_is_joined(forms_index) -> None:
    # whoosh splits "می روند" on the space; alone, "می" is no term and "روند" a stopword.
    assert _ids(search(forms_index, "می روند")) == {"fa-glued"}
    assert _ids(search(forms_index, "میروند")) == {"fa-glued"}


def test_compound_written_apart_finds_the_zwnj_form(forms_index) -> None:
    assert "fa-compound" in _ids(search(forms_index, "احمدی نژاد"))
    assert "fa-compound" in _ids(search(forms_index, "احمدی نژاد", SearchFilters(require_all=True)))


def test_compound_expansion_keeps_partial_matches_ranked(tmp_path) -> None:
    folder = str(tmp_path / "index")
    upsert_articles(
        folder,
        [
            article("both", "یارانه نقدی", "پرداخت یارانه نقدی در ماه آینده", lang="fa"),
            article("one", "یارانه", "یارانه یارانه یارانه کالاهای اساسی", lang="fa"),
            article("glued", "خبر", "یارانه‌نقدی خانوارها", lang="fa"),
            article("none", "ورزش", "مسابقات فوتبال", lang="fa"),
        ],
    )
    for fast in (True, False):
        from archive.search import open_searcher, plan_search, run_plan

        with open_searcher(folder) as searcher:
            plan = plan_search(searcher.schema, "یارانه نقدی")
            total, ranked, coordinated = run_plan(searcher, plan, limit=10, fast=fast)
            by_doc = {searcher.stored_fields(docnum)["id"]: score for score, docnum in ranked}
        assert total == 3 and not coordinated
        # An article with only one of the two words is ranked, not scored 0.
        assert by_doc["one"] > 0
        assert by_doc["both"] > by_doc["one"]
        assert by_doc["glued"] > 0
    every = search(folder, "یارانه نقدی", SearchFilters(require_all=True))
    assert {h.id for h in every.hits} == {"both", "glued"}


# --- compound pairs, pseudo-relevance feedback, --exact ---------------------------------------


def test_compound_pairs_only_glue_two_content_words() -> None:
    from archive.search import expand_query_compounds

    zwnj = "\u200c"
    assert expand_query_compounds("احمدی نژاد") == f"احمدی نژاد احمدی{zwnj}نژاد"
    # در is a stopword: no درایران / زلزله‌در with an inflated idf
    assert expand_query_compounds("زلزله در بم") == "زلزله در بم"
    assert expand_query_compounds("سفر در ایران", require_all=True) == "سفر در ایران"
    # هسته‌ای already carries its affix: no هسته‌ای‌ایران
    assert expand_query_compounds("هسته ای ایران") == f"هسته{zwnj}ای ایران"


def test_a_detached_prefix_is_joined_to_its_word_in_queries() -> None:
    from archive.search import expand_query_compounds

    zwnj = "\u200c"
    # کم alone is a stopword: کم آبی (water shortage) is one word, not آبی (blue)
    assert expand_query_compounds("کم آبی") == f"کم{zwnj}آبی"
    assert expand_query_compounds("کم آبی", require_all=True) == f"کم{zwnj}آبی"
    assert expand_query_compounds(f"کم{zwnj}آبی") == f"کم{zwnj}آبی"  # no parts offered
    assert expand_query_compounds("صادرات غیر نفتی") == f"صادرات غیر{zwnj}نفتی"
    # غیر از (except): a stopword after the prefix, nothing joined
    assert expand_query_compounds("غیر از ایران") == "غیر از ایران"
    # با, در are no such prefixes: nothing glued
    assert expand_query_compounds("مبارزه با مواد") == "مبارزه با مواد"


def test_a_prefix_compound_is_found_however_either_side_wrote_it(tmp_path) -> None:
    folder = str(tmp_path / "index")
    zwnj = "\u200c"
    docs = [
        article("zwnj", f"بحران کم{zwnj}آبی", "گزارش", lang="fa"),
        article("apart", "بحران کم آبی", "گزارش کم آبی استان", lang="fa"),
        article("glued", "بحران کمآبی", "گزارش", lang="fa"),
        article("blue", "دریای آبی", "گزارش", lang="fa"),
        article("oil", "صادرات نفتی", "گزارش", lang="fa"),
        article("non-oil", "صادرات غیر نفتی", "گزارش", lang="fa"),
    ] + [article(f"f{i}", f"خبر {i}", f"متن شماره {i}", lang="fa") for i in range(8)]
    upsert_articles(folder, docs)
    for query in ("کم آبی", f"کم{zwnj}آبی", "کمآبی"):
        for filters in (SearchFilters(feedback=False), SearchFilters(exact=True)):
            hits = search(folder, query, filters).hits
            assert {h.id for h in hits} == {"zwnj", "apart", "glued"}, (query, filters)
    # blue is آبی alone, and oil is not non-oil
    assert {h.id for h in search(folder, "آبی", SearchFilters(feedback=False)).hits} == {"blue"}
    assert {h.id for h in search(folder, "غیرنفتی", SearchFilters(feedback=False)).hits} == {
        "non-oil"
    }
    assert {h.id for h in search(folder, "نفتی", SearchFilters(feedback=False)).hits} == {"oil"}
    every = search(folder, "بحران کم آبی", SearchFilters(require_all=True, feedback=False))
    assert every.total == 3
    # the snippet marks the compound as the page wrote it, both words
    found = search(folder, "کم آبی", SearchFilters(feedback=False)).hits
    hit = next(h for h in found if h.id == "apart")
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["کم آبی"]


def test_feedback_is_on_by_default_for_persian_script_queries_only(tmp_path) -> None:
    from test_cli_query import load_articles

    folder = str(tmp_path / "index")
    upsert_articles(folder, load_articles())  # the real query fixture, both languages
    persian = search(folder, "نفت")
    assert persian.feedback and persian.expansion
    assert persian.feedback_reason.startswith("on (the default for a query in Persian")
    english = search(folder, "oil")
    assert not english.feedback and english.expansion == []
    assert english.feedback_reason.startswith("off (the default for a query in Latin")
    mixed = search(folder, "نفت oil")
    assert not mixed.feedback and mixed.feedback_reason.startswith("off (the default")
    off = search(folder, "نفت", SearchFilters(feedback=False))
    assert not off.feedback and off.expansion == [] and off.feedback_reason == "off (--no-feedback)"
    exact = search(folder, "نفت", SearchFilters(exact=True))
    assert not exact.feedback and exact.expansion == [] and exact.feedback_reason == "off (--exact)"
    assert search(folder, "در").feedback_reason == "off (no searchable words)"
    forced = search(folder, "oil", SearchFilters(feedback=True))
    assert forced.feedback and forced.feedback_reason == "on (--feedback)"
    assert [h.id for h in off.hits] != [] and {h.id for h in off.hits} <= {
        h.id for h in persian.hits
    }


@pytest.fixture(scope="module")
def feedback_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = str(tmp_path_factory.mktemp("feedback") / "index")
    topical = [
        article(f"enrich-{i}", f"Enrichment report {i}",
                f"Uranium enrichment at Natanz: inspectors counted centrifuges, day {i}.")
        for i in range(3)
    ]  # fmt: skip
    only_feedback = [article("natanz", "Site visit", "Natanz centrifuges were shown to visitors.")]
    filler = [
        article(f"filler-{i}", f"Harvest {i}", f"Farmers in valley{i} expect rain{i} soon.")
        for i in range(40)
    ]
    upsert_articles(folder, topical + only_feedback + filler)
    return folder


def test_feedback_adds_weighted_terms_from_the_best_hits(feedback_index) -> None:
    plain = search(feedback_index, "enrichment", SearchFilters(feedback=False))
    fed = search(feedback_index, "enrichment", SearchFilters(feedback=True))
    assert plain.expansion == []
    terms = dict(fed.expansion)
    assert "natanz" in terms and "centrifug" in terms
    assert sum(terms.values()) == pytest.approx(1.0)
    assert all(0 < weight <= 1 for weight in terms.values())
    # Feedback also brings in the article that only feedback terms match, ranked below.
    assert plain.total == 3 and fed.total == 4
    assert [hit.id for hit in fed.hits][-1] == "natanz"
    every = search(feedback_index, "enrichment", SearchFilters(feedback=True, require_all=True))
    assert every.total == 3  # --all: every hit has every word


def test_feedback_counts_are_stored_at_ingest_as_the_text_gives_them(tmp_path) -> None:
    from archive import stored
    from archive.index import preanalyze_fields

    zwnj = "\u200c"
    body = ("کتاب ها را در کتابخانه خواندند و می روند. " * 60) + f"پایان کتاب{zwnj}ها"
    articles = [
        article("fa-long", "کتاب ها و کتابخانه", body, lang="fa", summary="خلاصه ای از کتاب"),
        article("en-short", "Enrichment", "Uranium enrichment at Natanz.", lang="en"),
    ]
    folder = str(tmp_path / "index")
    upsert_articles(folder, articles)
    with open_index(folder).searcher() as searcher:
        docs = {d["id"]: d for d in searcher.all_stored_fields()}
    for item in articles:
        doc = docs[item.id]
        kept = stored.decode_feedback_terms(doc[stored.FEEDBACK_FIELD])
        text_only = {k: v for k, v in doc.items() if k != stored.FEEDBACK_FIELD}
        assert kept and kept == stored.stored_feedback_counts(text_only)
        # ingest's workers count them from the terms they already have: the same counts
        ingested = preanalyze_fields(stored.article_to_fields(item))[stored.FEEDBACK_FIELD]
        assert stored.decode_feedback_terms(ingested) == kept
    assert sum(kept.values()) < sum(  # the long body is read up to the cut only
        stored.feedback_counts(body, "", body, chars=10**9).values()
    )


def test_a_fuzzy_word_keeps_feedback(feedback_index) -> None:
    # The fast route expands a fuzzy word into the index terms it reaches; feedback stayed
    # off on whoosh after that expansion, whatever the flag or the default said.
    fed = search(feedback_index, "enrych~1", SearchFilters(feedback=True))
    assert fed.feedback and dict(fed.expansion).get("natanz")
    assert [hit.id for hit in fed.hits][-1] == "natanz"
    assert search(feedback_index, "enrych~1", SearchFilters(feedback=False)).expansion == []


def test_snippets_highlight_only_the_words_typed(feedback_index) -> None:
    fed = search(feedback_index, "enrichment", SearchFilters(feedback=True))
    assert fed.expansion
    for hit in fed.hits:
        marked = {hit.snippet[start:end].lower() for start, end in hit.highlights}
        assert marked <= {"enrichment"}, marked
        assert bool(marked) == (hit.id != "natanz")


def test_exact_turns_feedback_and_compound_forms_off(feedback_index) -> None:
    exact = search(feedback_index, "enrichment", SearchFilters(feedback=True, exact=True))
    assert exact.expansion == []
    zwnj = "\u200c"
    plan_text = search(feedback_index, "احمدی نژاد", SearchFilters(exact=True)).parsed
    assert f"احمدی{zwnj}نژاد" not in plan_text and "احمدینژاد" not in plan_text
    assert "احمدینژاد" in search(feedback_index, "احمدی نژاد").parsed


def test_a_word_in_every_article_still_matches_after_a_deletion(tmp_path) -> None:
    # Whoosh keeps a deleted document in df until a merge; with N counting live documents
    # only, a word in every article got df > N, a negative idf, and no hit at all.
    from archive.curate import forget

    folder = str(tmp_path / "index")
    ids = [f"{i:016x}" for i in range(4)]
    for batch in (ids[:2], ids[2:]):
        upsert_articles(
            folder, [article(i, f"Report {i}", f"report number {i} on the talks") for i in batch]
        )
    forget(folder, [ids[2]], ())
    with open_index(folder).searcher() as searcher:
        assert len(list(searcher.reader().leaf_readers())) > 1  # else nothing is tested
        assert searcher.doc_frequency("body", "report") > searcher.doc_count()

    words = search(folder, "report")
    assert sorted(hit.id for hit in words.hits) == sorted([ids[0], ids[1], ids[3]])
    assert all(hit.score is not None and hit.score > 0 for hit in words.hits)
    phrase = search(folder, '"report number"')  # a phrase of words in every article
    assert sorted(hit.id for hit in phrase.hits) == sorted([ids[0], ids[1], ids[3]])
    assert all(hit.score is not None and hit.score > 0 for hit in phrase.hits)


def _words_terms(searcher) -> list[str]:
    return [t.decode("utf-8") for t in searcher.reader().lexicon("words")]


def _segments_with_deletions(folder: str) -> tuple[int, int]:
    with open_index(folder).searcher() as searcher:
        leaves = [reader for reader, _ in searcher.reader().leaf_readers()]
        return len(leaves), sum(reader.has_deletions() for reader in leaves)


def test_a_phrase_word_s_df_is_its_live_articles_over_deletions_and_a_merge(
    tmp_path, monkeypatch
) -> None:
    # A phrase's df comes from the segments' term tables where a segment has no deletions
    # (bm25.ArticleScorer.live_df); over segments with and without deletions, and after a
    # merge (which drops the deleted documents and writes the terms' statistics anew), it
    # must be the number of live articles the postings hold.
    from archive import index as ix
    from archive import whoosh_fence
    from archive.search import bm25
    from archive.search.parse import DEFAULT_FIELDS
    from archive.stored import article_to_fields

    monkeypatch.setattr(ix, "_choose_merges", lambda segments, new_docs: set())  # no merges
    folder = str(tmp_path / "index")
    with ix.IndexWriter(folder) as writer:
        for n in range(30):
            body = f"report number {n} on the talks" + (" zebra crossing" if n % 3 else "")
            doc = article(f"doc{n:04d}", f"Report {n}", body)
            writer.put(article_to_fields(doc), replace=False)
            if n % 6 == 5:
                writer.commit()
        for doc_id in ("doc0002", "doc0013", "doc0014"):
            writer.delete(doc_id)
        writer.commit()
        writer.finish()

    def check() -> int:
        with open_index(folder).searcher() as searcher:
            scorer = bm25.ArticleScorer(searcher, DEFAULT_FIELDS)
            over = 0
            for word in _words_terms(searcher):
                alternatives = [(f, word) for f in ("title", "summary", "body")]
                live = len(scorer.term_tfs(alternatives))
                assert scorer.live_df(alternatives) == live, word
                over += searcher.doc_frequency("words", word) > live
            return over

    segments, deleted_in = _segments_with_deletions(folder)
    assert segments > 2 and 0 < deleted_in < segments  # both kinds of segment
    assert check() > 0  # whoosh's df counts the deleted documents: the shortcut must not
    with ix.IndexWriter(folder) as writer:
        whoosh_fence.merging_writer(writer.ix, 48, ix._choose_merges).commit(optimize=True)
    assert _segments_with_deletions(folder) == (1, 0)
    assert check() == 0


def test_feedback_terms_added_in_one_loop_give_the_clause_scores_floats(tmp_path) -> None:
    # RM3's feedback terms are saturated and added to the scores in one loop
    # (ArticleScorer.add_clause_scores), or straight from their postings blocks once the norm
    # table is built (add_term_scores, over a segment with a deletion): the very floats of
    # clause_scores, weighted and added
    from archive.search import bm25
    from archive.search.parse import DEFAULT_FIELDS

    folder = _three_segments_and_a_replacement(tmp_path)
    with open_index(folder).searcher() as searcher:
        assert searcher.doc_count_all() > searcher.doc_count()  # a deletion
        scorer = bm25.ArticleScorer(searcher, DEFAULT_FIELDS)
        start = {d: 0.25 * d for d in range(0, searcher.doc_count_all(), 2)}
        clauses = [[(f, word) for f in ("title", "summary", "body")] for word in ("zebra", "note")]
        clauses.append([("title", "zebra"), ("body", "note")])  # two words: the general route
        # straight from the blocks (add_term_scores) only once the norm table is built
        assert not scorer.add_term_scores(dict(start), clauses[0], 0.3)
        expected_of = []
        for clause in clauses:
            expected = dict(start)
            found = scorer.clause_scores(clause)
            for key, value in found.items():
                expected[key] = expected.get(key, 0.0) + 0.3 * value
            expected_of.append({k: repr(v) for k, v in expected.items()})
            total = dict(start)
            matched = scorer.add_clause_scores(total, clause, 0.3)
            assert found and set(matched) == set(found)
            assert {k: repr(v) for k, v in total.items()} == expected_of[-1]
        scorer.norms()
        for clause, expected in zip(clauses[:2], expected_of, strict=False):
            total = dict(start)
            assert scorer.add_term_scores(total, clause, 0.3)
            assert {k: repr(v) for k, v in total.items()} == expected
        assert not scorer.add_term_scores(dict(start), clauses[2], 0.3)
