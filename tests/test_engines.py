"""The engine seam: choosing, keeping and converting an index's engine, and the two engines
agreeing (same matches for the same query) on the fixture corpus."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from archive.index import read_meta, upsert_articles
from archive.models import Article, SearchFilters

pytest.importorskip("tantivy")

FIXTURES = Path(__file__).parent / "fixtures"
QUERY_ARTICLES = FIXTURES / "query" / "articles.json"
PAGES = FIXTURES / "query" / "pages"


def load_articles() -> list[Article]:
    data = json.loads(QUERY_ARTICLES.read_text(encoding="utf-8"))
    return [Article.from_dict(item) for item in data]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("engines")
    folders = {}
    for name in ("whoosh", "tantivy"):
        folders[name] = str(base / name)
        upsert_articles(folders[name], load_articles(), engine=name)
    return folders


# Query text and filters: words, phrases, operators, fields, prefixes, fuzzy terms, Persian
# compounds and letter variants, and every filter.
CASES = [
    ("vienna", {}),
    ("nuclear talks", {}),
    ("nuclear talks", {"require_all": True}),
    ("nuclear NOT talks", {}),
    ("(reactor OR ankara) AND expand", {}),
    ("reactor OR ankara", {}),
    ("title:vienna", {}),
    ("title:talks", {"lang": "en"}),
    ("author:khakpoor", {}),
    ("text:bushehr", {}),
    ("negot*", {}),
    ("busher~", {}),
    ("viena~", {}),
    ("كتابخان*", {}),
    ("negotiation", {}),
    ("1403", {}),
    ("«مذاکرات هسته‌ای»", {}),
    ('"nuclear talks"', {}),
    ('"talks nuclear"', {}),
    ("وین", {}),
    ("vienna وین", {}),
    ("نفت", {}),
    ("نفت", {"date_to": "2030"}),
    ("کتاب‌ها", {}),
    ("کتاب‌ها", {"exact": True}),
    ("مذاكرات هسته‌اي", {}),
    ("report", {}),
    ("report", {"sort": "-date"}),
    ("report", {"sort": "date"}),
    ("talks", {"authors": ("khakpoor",)}),
    (None, {"authors": ("خاکپور",)}),
    (None, {"authors": ("Sara Khakpoor",)}),
    (None, {"authors": ("john smith", "rezaei")}),
    (None, {"date_from": "1403-11", "date_to": "1403-11"}),
    (None, {"date_from": "2024-01-01", "date_to": "2024-12-31"}),
    (None, {"lang": "fa"}),
    (None, {"sites": ("irna.ir",)}),
    (None, {"sort": "date"}),
    ("nuclear", {"feedback": True}),
    ("oil", {"feedback": True, "lang": "en"}),
    ("quokka", {}),
]


def _filters(options: dict) -> SearchFilters:
    from archive.dates import parse_date_bound

    options = dict(options)
    for key, end in (("date_from", 0), ("date_to", 1)):
        if key in options:
            options[key] = parse_date_bound(options[key])[end]
    return SearchFilters(**options)


@pytest.mark.parametrize(("text", "options"), CASES, ids=[f"{t}|{o}" for t, o in CASES])
def test_engines_find_the_same_articles(both, text, options) -> None:
    from archive.search import search

    found = {}
    for name, folder in both.items():
        result = search(folder, text, _filters(options), limit=100, snippets=False)
        found[name] = (result.total, {hit.id for hit in result.hits})
    assert found["whoosh"] == found["tantivy"]


def test_engines_list_by_date_in_the_same_order(both) -> None:
    from archive.search import search

    for sort in ("date", "-date"):
        orders = [
            [hit.id for hit in search(f, None, SearchFilters(sort=sort), limit=100).hits]
            for f in both.values()
        ]
        assert orders[0] == orders[1], sort


def test_engines_agree_on_the_best_hit(both) -> None:
    from archive.search import search

    for text in ("vienna", "nuclear talks", "وین", "reactor inspections", "نفت"):
        tops = [search(f, text, limit=1).hits[0].id for f in both.values()]
        assert tops[0] == tops[1], text


def _scores_on_both(tmp_path, articles: list[Article], texts: list[str]) -> dict[str, dict]:
    """{text: {engine: {id: score}}} of `articles` indexed on each engine, feedback off."""
    from archive.search import search

    scores: dict[str, dict[str, dict[str, float]]] = {}
    for name in ("whoosh", "tantivy"):
        folder = str(tmp_path / name)
        upsert_articles(folder, articles, engine=name)
        for text in texts:
            hits = search(folder, text, SearchFilters(feedback=False), limit=50).hits
            scores.setdefault(text, {})[name] = {hit.id: hit.score for hit in hits}
    return scores


def test_engines_score_phrases_and_bylines_alike(tmp_path) -> None:
    # Short articles, whose lengths both engines' length bytes keep exactly: a phrase is one
    # term of its own frequency and its words' summed idf on both (Lucene's PhraseQuery: a
    # phrase word found outside the phrase, nuclear in "twice", adds nothing to it), and an
    # author's words count in neither length, so each article scores the same on both.
    articles = [
        Article(id="twice", title="nuclear talks", body="nuclear talks on nuclear sites",
                lang="en", source="t", authors=["Sara Khakpoor", "John Smith"]),
        Article(id="once", title="vienna report", body="nuclear talks resumed", lang="en",
                source="o"),
        Article(id="apart", title="talks nuclear", body="talks on nuclear", lang="en",
                source="a", authors=["Ali Rezaei Tehrani Nejad"]),
        Article(id="other", title="oil prices", body="oil prices rose", lang="en", source="x"),
    ]  # fmt: skip
    scores = _scores_on_both(tmp_path, articles, ['"nuclear talks"', "nuclear talks", "oil"])
    assert set(scores['"nuclear talks"']["whoosh"]) == {"twice", "once"}
    assert set(scores["nuclear talks"]["whoosh"]) == {"twice", "once", "apart"}
    for text, found in scores.items():
        assert found["tantivy"] == pytest.approx(found["whoosh"], rel=1e-5), text


def test_engines_score_a_compound_alike(tmp_path) -> None:
    # احمدی | احمدی‌نژاد, نژاد | احمدی‌نژاد: whoosh's route scores each clause as one synonym
    # (the larger df's idf); tantivy, which has no synonym query, gets each word boosted to that
    # idf (rank._synonym_boosts). Short articles, whose lengths both engines keep exactly, each
    # holding one form of the name: the same scores.
    zwnj = "\u200c"
    articles = [
        Article(id="glued", title=f"سفر احمدی{zwnj}نژاد", body="گزارش سفر", lang="fa", source="g"),
        Article(id="apart", title="سفر احمدی نژاد", body="گزارش سفر", lang="fa", source="a"),
        Article(id="first", title="خانواده احمدی", body="گزارش", lang="fa", source="f"),
        Article(id="second", title="نژاد اسب", body="گزارش", lang="fa", source="s"),
    ] + [
        Article(id=f"f{i}", title=f"خبر {i}", body=f"متن شماره {i} احمدی", lang="fa",
                source=f"f{i}")
        for i in range(6)
    ]  # fmt: skip
    scores = _scores_on_both(tmp_path, articles, ["احمدی نژاد"])["احمدی نژاد"]
    assert set(scores["whoosh"]) == set(scores["tantivy"]) >= {"glued", "apart", "first"}
    assert scores["tantivy"] == pytest.approx(scores["whoosh"], rel=1e-3)


def test_stats_and_show_agree(both) -> None:
    from archive.search import describe_index, get_article

    stats = [describe_index(f) for f in both.values()]
    for key in ("articles", "languages", "years", "years_jalali", "sites", "authors"):
        assert stats[0][key] == stats[1][key], key
    shown = [get_article(f, "fa-talks") for f in both.values()]
    assert shown[0][0] == shown[1][0]
    assert shown[0][1] == shown[1][1]


# --- choosing, keeping and converting the engine -------------------------------------------


def test_engine_recorded_and_kept(cli_run, tmp_path) -> None:
    index = str(tmp_path / "index")
    first = cli_run("ingest", PAGES, "--index", index, "--engine", "tantivy", "--jobs", "1", "-q")
    assert first.exit_code == 0, first.stderr
    assert read_meta(index)["engine"] == "tantivy"
    again = cli_run("ingest", PAGES, "--index", index, "--jobs", "1", "-q")
    assert again.exit_code == 0, again.stderr
    assert read_meta(index)["engine"] == "tantivy"
    assert read_meta(index)["documents"] == first_count(index)


def first_count(index: str) -> int:
    from archive.search import describe_index

    return int(describe_index(index)["articles"])


def test_other_engine_without_rebuild_is_a_usage_error(cli_run, tmp_path) -> None:
    index = str(tmp_path / "index")
    assert cli_run("ingest", PAGES, "--index", index, "--jobs", "1", "-q").exit_code == 0
    result = cli_run("ingest", PAGES, "--index", index, "--engine", "tantivy", "-q")
    assert result.exit_code == 2
    assert not result.has_traceback
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "whoosh engine" in lines[0] and "--rebuild" in lines[0]
    assert read_meta(index)["engine"] == "whoosh"


def test_rebuild_converts_and_keeps_the_answers(cli_run, tmp_path) -> None:
    from archive.search import search

    index = str(tmp_path / "index")
    assert cli_run("ingest", PAGES, "--index", index, "--jobs", "1", "-q").exit_code == 0
    before = {h.id for h in search(index, "nuclear talks", limit=100).hits}
    old_generation = read_meta(index)["generation"]
    result = cli_run(
        "ingest", PAGES, "--index", index, "--rebuild", "--engine", "tantivy", "--jobs", "1", "-q"
    )
    assert result.exit_code == 0, result.stderr
    meta = read_meta(index)
    assert meta["engine"] == "tantivy" and meta["generation"] != old_generation
    assert not os.path.exists(os.path.join(index, old_generation))
    assert {h.id for h in search(index, "nuclear talks", limit=100).hits} == before
    back = cli_run("ingest", PAGES, "--index", index, "--rebuild", "--engine", "whoosh", "-q")
    assert back.exit_code == 0, back.stderr
    assert read_meta(index)["engine"] == "whoosh"


def test_rebuild_into_empty_tantivy_keeps_the_populated_index(cli_run, tmp_path) -> None:
    index = str(tmp_path / "index")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli_run("ingest", PAGES, "--index", index, "--jobs", "1", "-q").exit_code == 0
    count = first_count(index)
    result = cli_run("ingest", empty, "--index", index, "--rebuild", "--engine", "tantivy", "-q")
    assert result.exit_code != 0 or "kept" in result.stderr or "held" in result.stderr
    assert read_meta(index)["engine"] == "whoosh"
    assert first_count(index) == count


def test_damaged_tantivy_index_says_rebuild(cli_run, tmp_path) -> None:
    index = str(tmp_path / "index")
    upsert_articles(index, load_articles()[:3], engine="tantivy")
    gen = os.path.join(index, read_meta(index)["generation"])
    with open(os.path.join(gen, "meta.json"), "w") as f:
        f.write("{ not json")
    result = cli_run("query", "vienna", "--index", index)
    assert result.exit_code == 1 and not result.has_traceback
    assert "rebuild" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_symlink_in_tantivy_generation_is_refused(cli_run, tmp_path) -> None:
    index = str(tmp_path / "index")
    upsert_articles(index, load_articles()[:3], engine="tantivy")
    gen = os.path.join(index, read_meta(index)["generation"])
    (tmp_path / "elsewhere").write_text("x")
    os.symlink(tmp_path / "elsewhere", os.path.join(gen, "planted.idx"))
    result = cli_run("query", "vienna", "--index", index)
    assert result.exit_code != 0 and not result.has_traceback
    assert "link" in result.stderr


def test_missing_tantivy_is_one_line_naming_pip(cli_run, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "tantivy", None)  # as if not installed
    result = cli_run("ingest", PAGES, "--index", str(tmp_path / "i"), "--engine", "tantivy")
    assert result.exit_code == 2 and not result.has_traceback
    (line,) = result.stderr.strip().splitlines()
    assert "pip install" in line and "tantivy" in line


def test_stats_names_the_engine(cli_run, both) -> None:
    for name, folder in both.items():
        result = cli_run("stats", "--json", "--index", folder)
        assert json.loads(result.stdout)["engine"] == name
    human = cli_run("stats", "--index", both["tantivy"])
    assert "engine: tantivy" in human.stdout


def test_parallel_ingest_into_tantivy_forks_no_threaded_process(tmp_path: Path) -> None:
    # tantivy runs a thread of its own once an index is open; workers forked from that process
    # could inherit a lock held by it. Python 3.12+ warns on such a fork (shown here whatever
    # the filters say); on 3.11 this checks only that the parallel ingest works.
    import subprocess

    index = tmp_path / "idx"
    done = subprocess.run(
        [
            sys.executable,
            "-W",
            "always::DeprecationWarning",
            "-m",
            "archive",
            "ingest",
            str(FIXTURES / "pages"),
            "--index",
            str(index),
            "--engine",
            "tantivy",
            "--jobs",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr  # 3: some fixture pages fail, on purpose
    assert "multi-threaded" not in done.stderr
    assert "added 33" in done.stderr + done.stdout


def test_has_other_threads_sees_a_running_thread() -> None:
    import threading

    from archive.ingest import _has_other_threads

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert _has_other_threads()
    finally:
        stop.set()
        thread.join()


@pytest.mark.parametrize("threaded", [False, True], ids=["fork", "forkserver"])
def test_worker_pool_workers_outlive_their_first_second(threaded: bool) -> None:
    # Workers watch their parent and exit when it is gone; from a fork server their parent is
    # the server, not this process (a task of 2.5 s broke the pool when they watched the wrong
    # pid). Both routes: this process without other threads, and with one.
    import threading
    import time

    from archive.ingest import _has_other_threads, worker_pool

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    if threaded:
        thread.start()
    try:
        if not threaded and _has_other_threads():
            pytest.skip("this test process already runs other threads")
        with worker_pool(2, None) as pool:
            assert pool.submit(time.sleep, 2.5).result(timeout=60) is None
    finally:
        stop.set()
        if threaded:
            thread.join()
