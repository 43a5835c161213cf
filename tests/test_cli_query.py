"""`archive query`, `show`, `stats`, `export` over a real index built from our fixture articles."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from archive.index import upsert_articles
from archive.models import Article

FIXTURES = Path(__file__).parent / "fixtures" / "query"
pytestmark = pytest.mark.usefixtures("engine")  # every test on both engines (conftest.py)
HIT_KEYS = {
    "rank", "id", "title", "authors", "date", "date_jalali", "lang", "site", "url", "source",
    "score", "snippet", "versions",
}  # fmt: skip
ESC = "\x1b"
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def load_articles() -> list[Article]:
    data = json.loads((FIXTURES / "articles.json").read_text(encoding="utf-8"))
    return [Article.from_dict(item) for item in data]


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory, engine: str) -> str:
    folder = str(tmp_path_factory.mktemp("query") / "index")
    upsert_articles(folder, load_articles(), engine=engine)
    return folder


@pytest.fixture
def query(cli_run, index_dir):
    """Run `archive query ARGS --index ... --json`, check it is clean, return the hit dicts."""

    def _query(*args: str) -> list[dict]:
        result = cli_run("query", *args, "--index", index_dir, "--json")
        assert result.exit_code == 0, result.stderr
        assert not result.has_traceback
        return [json.loads(line) for line in result.stdout.splitlines()]

    return _query


def ids(hits: list[dict]) -> list[str]:
    return [hit["id"] for hit in hits]


# --- words, phrases, operators ----------------------------------------------------------------


def test_json_lines_shape(query) -> None:
    hits = query("vienna")
    assert ids(hits) == ["en-vienna"]
    hit = hits[0]
    assert set(hit) == HIT_KEYS
    assert hit["rank"] == 1
    assert hit["date"] == "2025-02-01"
    assert hit["authors"] == ["Sara Khakpoor"]
    assert hit["site"] == "tehrantimes.com"
    assert hit["source"] == "raw/tehrantimes/vienna.html"
    assert hit["url"].startswith("https://www.tehrantimes.com/")
    assert isinstance(hit["score"], float) and hit["score"] > 0
    assert "Vienna" in hit["snippet"]


def test_persian_hit_has_jalali_date(query) -> None:
    (hit,) = query("وین", "--lang", "fa")
    assert hit["id"] == "fa-talks"
    assert (hit["date"], hit["date_jalali"]) == ("2025-01-20", "1403-11-01")


def test_all_words_rank_before_some_words(query) -> None:
    hits = query("nuclear talks")
    assert ids(hits)[0] == "en-vienna"
    assert set(ids(hits)) == {"en-vienna", "en-reactor", "en-trade"}


def test_all_words_ranked_first_even_against_higher_partial_scores(query) -> None:
    # en-trade says "talks" three times in a short body: a plain OR would rank it high.
    hits = query("talks nuclear", "--limit", "1")
    assert ids(hits) == ["en-vienna"]


def test_require_all(query) -> None:
    assert ids(query("nuclear talks", "--all")) == ["en-vienna"]


def test_phrase(query) -> None:
    assert ids(query('"nuclear talks"')) == ["en-vienna"]
    assert ids(query('"talks nuclear"')) == []


def test_boolean_and_grouping(query) -> None:
    assert ids(query("nuclear NOT talks")) == ["en-reactor"]
    assert set(ids(query("(reactor OR ankara) AND talks"))) == {"en-trade"}
    assert set(ids(query("reactor OR ankara"))) == {"en-reactor", "en-trade"}


def test_field_queries(query) -> None:
    assert ids(query("title:vienna")) == ["en-vienna"]
    assert ids(query("title:talks", "--lang", "en")) == ["en-vienna"]  # en-trade: body only
    assert set(ids(query("author:khakpoor"))) == {"en-vienna", "en-trade"}
    assert set(ids(query("authors:khakpoor"))) == {"en-vienna", "en-trade"}  # alias
    assert ids(query("text:bushehr")) == ["en-reactor"]  # alias of body:


def test_prefix_and_fuzzy(query) -> None:
    assert ids(query("negot*")) == ["en-vienna"]
    assert ids(query("busher~")) == ["en-reactor"]
    assert ids(query("viena~")) == ["en-vienna"]


def test_prefix_is_normalised_like_the_index(query) -> None:
    # Arabic kaf and yeh in a prefix still reach the Persian spelling in the index.
    assert "fa-books" in ids(query("كتابخان*"))


def test_stemmed_english(query) -> None:
    assert ids(query("negotiation")) == ["en-vienna"]


@pytest.mark.parametrize("spelling", ["کتاب‌ها", "کتابها", "كتابها", "کتاب", "کتاب‌هاي"])
def test_persian_spelling_variants_find_the_same_article(query, spelling: str) -> None:
    assert "fa-books" in ids(query(spelling))


def test_persian_digits_match_ascii(query) -> None:
    assert ids(query("1403")) == ["fa-books"]
    assert ids(query("۱۴۰۳")) == ["fa-books"]


def test_persian_and_typographic_quotes_make_phrases(query) -> None:
    assert ids(query("«مذاکرات هسته‌ای»")) == ids(query('"مذاکرات هسته‌ای"')) == ["fa-talks"]
    assert ids(query("«هسته‌ای مذاکرات»")) == []
    assert ids(query("“nuclear talks”")) == ["en-vienna"]


def test_persian_question_mark_is_punctuation_not_a_wildcard(query) -> None:
    assert ids(query("وین؟")) == ids(query("وین")) == ["fa-talks"]
    assert ids(query("وی؟")) == []  # whoosh alone would read this as the pattern وی?


def test_mixed_script_query(query) -> None:
    assert set(ids(query("vienna وین"))) == {"en-vienna", "fa-talks"}


def test_all_stopwords_query_is_no_match(cli_run, index_dir) -> None:
    result = cli_run("query", "the of", "--index", index_dir)
    assert result.exit_code == 0
    assert result.stdout == ""
    # only stopwords: no clause is left for the author field either (it keeps "the", "of")
    assert result.stderr.strip() == "archive: no matches (the query has no searchable words)"
    nothing = cli_run("query", "! : …", "--index", index_dir)
    assert nothing.exit_code == 0 and nothing.stdout == ""
    assert nothing.stderr.strip() == "archive: no matches (the query has no searchable words)"


def test_explain_shows_analysed_terms(cli_run, index_dir) -> None:
    result = cli_run("query", "کتاب‌ها", "--explain", "--index", index_dir, "--json")
    assert result.exit_code == 0, result.stderr
    assert "body:کتاب" in result.stderr
    assert "کتاب‌ها" not in result.stderr.split("query:")[1].splitlines()[0]
    # stdout stays pure JSON Lines
    assert all(json.loads(line) for line in result.stdout.splitlines())


# --- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["khakpoor", "KHAKPOOR", "Sara Khakpoor", "sara   khakpoor"],
)
def test_author_latin(query, name: str) -> None:
    assert "en-vienna" in ids(query("--author", name))


@pytest.mark.parametrize("name", ["مریم خاکپور", "مريم خاكپور", "Maryam Khakpour"])
def test_author_persian_finds_both_scripts(query, name: str) -> None:
    # مریم خاکپور (fa-talks) and Maryam Khakpoor (en-trade) are one person; Sara is not.
    assert set(ids(query("--author", name))) == {"fa-talks", "en-trade"}


def test_author_surname_alone_finds_every_script(query) -> None:
    assert set(ids(query("--author", "خاکپور"))) == {"fa-talks", "en-trade", "en-vienna"}


def test_author_arabic_letters_and_second_author(query) -> None:
    # newest first; en-oil is Ali Rezaei, the same name in Latin letters
    assert ids(query("--author", "علي رضايي")) == ["fa-econ", "fa-books", "en-oil"]


def test_author_json_keeps_each_articles_name_as_written(cli_run, index_dir) -> None:
    result = cli_run("query", "--author", "Ali Rezaei", "--index", index_dir, "--json")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    authors = {row["id"]: row["authors"] for row in rows}
    assert authors == {
        "fa-econ": ["رضا احمدی", "علی رضایی"],
        "fa-books": ["علی رضایی"],
        "en-oil": ["Ali Rezaei"],
    }


def test_author_full_name_is_a_phrase(query) -> None:
    assert ids(query("--author", "Sara Khakpoor")) == ["en-vienna"]
    assert ids(query("--author", "Khakpoor Sara")) == []


def test_author_repeated_means_any(query) -> None:
    assert set(ids(query("--author", "john smith", "--author", "rezaei"))) == {
        "en-reactor",
        "en-oil",
        "fa-econ",  # علی رضایی: the surname in the other script
        "fa-books",
    }


def test_author_with_query(query) -> None:
    assert set(ids(query("talks", "--author", "khakpoor"))) == {"en-trade", "en-vienna"}


def test_solar_hijri_month_boundary(query) -> None:
    # fa-books is 1403-10-30 (2025-01-19); fa-talks is 1403-11-01 (2025-01-20).
    in_bahman = ids(query("--from", "1403-11", "--to", "1403-11"))
    assert "fa-talks" in in_bahman and "fa-books" not in in_bahman
    assert "en-vienna" in in_bahman  # 2025-02-01 is 1403-11-13
    in_dey = ids(query("--from", "1403-10", "--to", "1403-10"))
    assert "fa-books" in in_dey and "fa-talks" not in in_dey


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        (("--from", "1403-10-30", "--to", "1403-10-30"), ["fa-books"]),
        (("--from", "۱۴۰۳/۱۱/۰۱", "--to", "۱۴۰۳/۱۱/۰۱"), ["fa-talks"]),
        (("--from", "2025-01-19", "--to", "2025-01-20"), ["fa-talks", "fa-books"]),
        (("--from", "2025-03"), ["fa-econ"]),
        (("--from", "1403-12"), ["fa-econ"]),
        (("--to", "2020"), ["en-long"]),
        (("--from", "1402", "--to", "1402"), ["en-trade", "fa-old", "en-oil"]),
        (
            ("--from", "1403", "--to", "1403"),
            ["fa-econ", "en-vienna", "fa-talks", "fa-books", "en-reactor"],
        ),
    ],
)
def test_date_filters_both_calendars(query, bounds: tuple[str, ...], expected: list[str]) -> None:
    assert ids(query(*bounds, "--limit", "50")) == expected


def test_undated_articles_never_match_a_date_filter(query) -> None:
    assert "fa-nodate" in ids(query("نفت"))
    assert "fa-nodate" not in ids(query("نفت", "--to", "2030"))


def test_lang_filter(query) -> None:
    assert {hit["lang"] for hit in query("--lang", "fa", "--limit", "50")} == {"fa"}
    assert len(query("--lang", "fa", "--limit", "50")) == 5


def test_site_filter_includes_subdomains(query) -> None:
    assert set(ids(query("--site", "irna.ir"))) == {"fa-talks", "fa-old", "en-oil"}
    assert set(ids(query("--site", "https://www.IRNA.ir/"))) == {"fa-talks", "fa-old", "en-oil"}
    assert ids(query("--site", "en.irna.ir")) == ["en-oil"]


# --- listing, sorting, paging -----------------------------------------------------------------


def test_no_query_lists_newest_first(query) -> None:
    hits = query()
    assert len(hits) == 10
    dates = [hit["date"] for hit in hits]
    assert dates == sorted(dates, reverse=True)
    assert ids(hits)[0] == "fa-econ"


def test_sort_by_date(query) -> None:
    oldest = query("--sort", "date", "--limit", "50")
    dated = [hit["date"] for hit in oldest if hit["date"]]
    assert dated == sorted(dated)
    assert oldest[-1]["id"] == "fa-nodate"  # undated last, not first
    assert ids(query("nuclear", "--sort", "-date")) == ["en-vienna", "en-reactor"]
    assert ids(query("nuclear", "--sort", "date")) == ["en-reactor", "en-vienna"]


def test_paging(query, cli_run, index_dir) -> None:
    everything = ids(query("report", "--limit", "50"))
    assert len(everything) == 9  # eight weekly reports and the reactor report
    page2 = query("report", "--limit", "3", "--page", "2")
    assert ids(page2) == everything[3:6]
    assert [hit["rank"] for hit in page2] == [4, 5, 6]
    human = cli_run("query", "report", "--limit", "3", "--page", "2", "--index", index_dir)
    assert human.stdout.splitlines()[0].startswith("9 matches, page 2 of 3 in ")


def test_page_past_the_end(cli_run, index_dir) -> None:
    result = cli_run("query", "report", "--page", "9", "--index", index_dir)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no matches on page 9" in result.stderr


def test_empty_result(cli_run, index_dir) -> None:
    result = cli_run("query", "xylophone", "--index", index_dir)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.strip() == "archive: no matches"


# --- human output -----------------------------------------------------------------------------


def test_human_output(cli_run, index_dir) -> None:
    result = cli_run("query", "وین", "--index", index_dir, "--no-color")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"1 match in \d+\.\d{3} s", lines[0])
    block = result.stdout.split("\n\n")[1]
    assert block.startswith(" 1. ")
    assert "2025-01-20 (1403-11-01)" in block and "irna.ir" in block and "id fa-talks" in block
    assert "مریم خاکپور" in block
    assert "[وین]" in block  # matched word marked when not on a terminal
    assert "هسته\u200cای" in block  # ZWNJ printed as is
    assert ESC not in result.stdout


def test_color_makes_matches_bold(cli_run, index_dir) -> None:
    result = cli_run("query", "vienna", "--index", index_dir, "--color")
    assert result.exit_code == 0
    assert "\x1b[1mVienna\x1b[0m" in result.stdout


def test_english_hit_shows_no_jalali_date(cli_run, index_dir) -> None:
    result = cli_run("query", "vienna", "--index", index_dir)
    assert "2025-02-01 ·" in result.stdout
    assert "(1403" not in result.stdout


def test_long_body_is_found_and_snippet_stays_short(query) -> None:
    (hit,) = query("quokka")
    assert hit["id"] == "en-long"
    assert len(hit["snippet"]) < 600


# --- untrusted text ---------------------------------------------------------------------------


@pytest.mark.parametrize("color", ["--color", "--no-color"])
def test_escape_sequences_from_pages_never_reach_the_terminal(cli_run, index_dir, color) -> None:
    result = cli_run("query", "zebra", "--index", index_dir, color)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Red alert evil headline" in out
    assert "pwned" not in out and "\x07" not in out and "\x9b" not in out
    assert not BIDI.search(out)
    data_escapes = out.replace("\x1b[1m", "").replace("\x1b[0m", "").replace("\x1b[2m", "")
    assert ESC not in data_escapes
    assert "Mallory" in out


def test_escape_sequences_removed_from_json_show_and_export(cli_run, index_dir) -> None:
    for args in (
        ("query", "zebra", "--json"),
        ("show", "en-evil"),
        ("show", "en-evil", "--json"),
        ("export", "zebra", "--format", "csv"),
        ("export", "zebra", "--format", "ris"),
    ):
        result = cli_run(*args, "--index", index_dir)
        assert result.exit_code == 0, (args, result.stderr)
        assert ESC not in result.stdout and "\\u001b" not in result.stdout, args
        assert not BIDI.search(result.stdout), args
        assert "\x07" not in result.stdout and "\\u0007" not in result.stdout, args


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2025-13-45", "notadate", "1403-13", "2025-02-30"])
@pytest.mark.parametrize("option", ["--from", "--to"])
def test_bad_date_exits_2_with_one_line(cli_run, index_dir, option, value) -> None:
    result = cli_run("query", option, value, "--index", index_dir)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert option in lines[0] and "YYYY-MM-DD" in lines[0]
    assert not result.has_traceback


def test_from_after_to(cli_run, index_dir) -> None:
    result = cli_run("query", "--from", "2025", "--to", "2024", "--index", index_dir)
    assert result.exit_code == 2
    assert "after" in result.stderr


@pytest.mark.parametrize(
    "bad", ['"unclosed phrase', "(iran AND oil", "iran)", "AND iran", "iran OR", "NOT"]
)
def test_bad_query_syntax_exits_2(cli_run, index_dir, bad) -> None:
    result = cli_run("query", bad, "--index", index_dir)
    assert result.exit_code == 2, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("archive: ")
    assert not result.has_traceback


@pytest.mark.parametrize(
    "args",
    [
        ("--lang", "de"),
        ("--sort", "size"),
        ("--limit", "0"),
        ("--page", "-1"),
        ("--author", "  "),
    ],
)
def test_bad_option_values_exit_2(cli_run, index_dir, args) -> None:
    result = cli_run("query", *args, "--index", index_dir)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not result.has_traceback


def test_missing_index_exits_1(cli_run, tmp_path) -> None:
    for command in ("query", "show", "stats", "export"):
        args = [command, "x"] if command in ("query", "show") else [command]
        result = cli_run(*args, "--index", str(tmp_path / "nothing"))
        assert result.exit_code == 1, command
        assert "no index" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert not result.has_traceback


def test_incompatible_index_exits_1(cli_run, tmp_path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "_MAIN_1.toc").write_bytes(b"\x00junk")
    result = cli_run("query", "x", "--index", str(folder))
    assert result.exit_code == 1
    assert "rebuild" in result.stderr
    assert not result.has_traceback


def test_help_documents_the_syntax(cli_run) -> None:
    result = cli_run("query", "--help")
    assert result.exit_code == 0
    for example in ('"nuclear talks"', "AND", "NOT", "title:", "negot*", "tehran~", "1403-11"):
        assert example in result.stdout


# --- show -------------------------------------------------------------------------------------


def test_show_human(cli_run, index_dir) -> None:
    result = cli_run("show", "fa-econ", "--index", index_dir)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.splitlines()[0] == "همکاری‌های اقتصادی ایران و چین"
    assert "رضا احمدی, علی رضایی" in out
    assert "2025-03-05 (1403-12-15)" in out
    assert "url: https://www.bbc.com/persian/iran-700" in out
    assert "صادرات نفت به چین افزایش یافت." in out


def test_show_json_is_the_whole_record(cli_run, index_dir) -> None:
    result = cli_run("show", "en-vienna", "--json", "--index", index_dir)
    data = json.loads(result.stdout)
    assert data["id"] == "en-vienna"
    assert data["body"].count("\n\n") == 2
    assert data["summary"] == "Diplomats return to Vienna for nuclear talks."


def test_show_unique_prefix(cli_run, index_dir) -> None:
    assert cli_run("show", "fa-ec", "--index", index_dir).exit_code == 0


def test_show_unknown_id(cli_run, index_dir) -> None:
    result = cli_run("show", "nope-404", "--index", index_dir)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"archive: no article with id 'nope-404' in {index_dir}"
    ambiguous = cli_run("show", "en-f", "--index", index_dir)
    assert ambiguous.exit_code in (1, 2) and not ambiguous.has_traceback


# --- stats ------------------------------------------------------------------------------------


def test_stats_json(cli_run, index_dir) -> None:
    result = cli_run("stats", "--json", "--index", index_dir)
    assert result.exit_code == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["articles"] == 19
    assert stats["languages"] == {"en": 14, "fa": 5}
    assert stats["years"]["2025"] == 4 and stats["years"]["no date"] == 1
    assert stats["years_jalali"]["1403"] == 5  # 2024-06-10 .. 2025-03-05
    assert stats["sites"]["tehrantimes.com"] == 10
    assert next(iter(stats["authors"])) == "Desk Editor"
    assert stats["authors"]["علی رضایی"] == 3  # with Ali Rezaei: one person, two scripts
    assert stats["author_spellings"]["علی رضایی"] == ["Ali Rezaei"]
    assert stats["last_ingest"]
    assert isinstance(stats["size_bytes"], int)


def test_stats_human(cli_run, index_dir) -> None:
    result = cli_run("stats", "--index", index_dir)
    assert result.exit_code == 0
    assert "articles: 19" in result.stdout
    assert "years (Solar Hijri):" in result.stdout
    assert re.search(r"1403\s+5", result.stdout)


# --- export -----------------------------------------------------------------------------------


def test_export_jsonl_to_file(cli_run, index_dir, tmp_path) -> None:
    out = tmp_path / "oil.jsonl"
    result = cli_run("export", "نفت", "--lang", "fa", "-o", str(out), "--index", index_dir)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "exported 3 articles" in result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["id"] for r in records} == {"fa-econ", "fa-old", "fa-nodate"}
    assert all(r["body"] for r in records)


def test_export_uses_the_same_filters(cli_run, index_dir) -> None:
    result = cli_run("export", "--author", "khakpoor", "--from", "1403-11", "--index", index_dir)
    # fa-talks (1403-11-01) is by مریم خاکپور: the surname in the other script
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [
        "en-vienna",
        "fa-talks",
    ]


def test_export_csv(cli_run, index_dir) -> None:
    result = cli_run("export", "--site", "irna.ir", "--format", "csv", "--index", index_dir)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["id"] for row in rows] == ["fa-talks", "fa-old", "en-oil"]
    assert rows[0]["title"] == "مذاکرات هسته‌ای در وین"
    assert rows[0]["date_jalali"] == "1403-11-01"


def test_export_bibtex(cli_run, index_dir) -> None:
    result = cli_run("export", "--lang", "en", "--format", "bibtex", "--index", index_dir)
    assert result.exit_code == 0
    keys = re.findall(r"^@article\{([^,]+),", result.stdout, flags=re.M)
    assert len(keys) == 14 and len(set(keys)) == 14
    assert "khakpoor2025nuclear" in keys
    assert _balanced(result.stdout)


def _balanced(text: str) -> bool:
    depth = 0
    for match in re.finditer(r"\\[{}]|[{}]", text):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        if depth < 0:
            return False
    return depth == 0


def test_export_ris(cli_run, index_dir) -> None:
    result = cli_run("export", "--author", "مریم خاکپور", "--format", "ris", "--index", index_dir)
    lines = result.stdout.splitlines()
    assert lines[0] == "TY  - NEWS"
    for line in (
        "TI  - مذاکرات هسته‌ای در وین",
        "AU  - مریم خاکپور",
        "PY  - 2025",
        "DA  - 2025/01/20/",
        "UR  - https://www.irna.ir/news/85001",
        "LA  - Persian",
        "ER  - ",
    ):
        assert line in lines
    assert any(line.startswith("AB  - دور تازه") for line in lines)


def test_export_bad_format_and_unwritable_output(cli_run, index_dir, tmp_path) -> None:
    bad = cli_run("export", "--format", "xml", "--index", index_dir)
    assert bad.exit_code == 2 and not bad.has_traceback
    target = tmp_path / "missing-folder" / "out.ris"
    unwritable = cli_run("export", "--format", "ris", "-o", str(target), "--index", index_dir)
    assert unwritable.exit_code == 1
    assert "cannot write" in unwritable.stderr and not unwritable.has_traceback


# --- end to end: real pages through `archive ingest` ------------------------------------------

PAGES = FIXTURES / "pages"


@pytest.fixture(scope="session")
def ingested_index(tmp_path_factory: pytest.TempPathFactory, engine: str) -> str:
    from click.testing import CliRunner

    from archive.cli import run

    folder = str(tmp_path_factory.mktemp("ingested") / "index")
    with CliRunner().isolation() as (_out, err, _):
        code = run(["ingest", str(PAGES), "--index", folder, "--jobs", "1", "--engine", engine])
        assert code == 0, err.getvalue().decode("utf-8", "replace")
    return folder


def test_ingested_pages_both_calendars_month_boundary(cli_run, ingested_index) -> None:
    def titles(*args: str) -> list[str]:
        result = cli_run("query", *args, "--index", ingested_index, "--json")
        assert result.exit_code == 0, result.stderr
        return [json.loads(line)["title"] for line in result.stdout.splitlines()]

    # The windows-1256 page is dated 30 Dey 1403 (2025-01-19), the other 1 Bahman 1403.
    assert titles("--from", "1403-11", "--to", "1403-11", "--lang", "fa") == [
        "دور تازه مذاکرات هسته‌ای در وین"
    ]
    # the windows-1256 page writes Arabic ي and ك, and so is its title stored
    assert titles("--to", "۱۴۰۳/۱۰/۳۰", "--from", "1403-10-30") == ["كتابخانه‌هاي تهران در زمستان"]
    assert titles("--from", "2025-01-19", "--to", "2025-01-20") == [
        "دور تازه مذاکرات هسته‌ای در وین",
        "كتابخانه‌هاي تهران در زمستان",
    ]


def test_ingested_pages_letter_variants_and_authors(cli_run, ingested_index) -> None:
    def ids_of(*args: str) -> list[str]:
        result = cli_run("query", *args, "--index", ingested_index, "--json")
        assert result.exit_code == 0, result.stderr
        return [json.loads(line)["id"] for line in result.stdout.splitlines()]

    # The cp1256 page spells کتاب with Arabic kaf and yeh; every spelling finds it.
    found = ids_of("کتاب‌ها")
    assert len(found) == 1
    assert ids_of("كتابها") == found == ids_of("کتابها")
    assert ids_of("--author", "رضایی") == found
    # Behzad Khakpoor (en.html) and بهزاد خاکپور (fa-utf8.html): one person, both scripts
    assert len(ids_of("--author", "khakpoor")) == 2
    assert ids_of("--author", "خاکپور") == ids_of("--author", "khakpoor")
    assert len(ids_of("nuclear talks", "--all")) == 1


def test_ingested_hostile_page_prints_clean(cli_run, ingested_index) -> None:
    for args in (("zebra",), ("zebra", "--color"), ("zebra", "--json")):
        result = cli_run("query", *args, "--index", ingested_index)
        assert result.exit_code == 0, result.stderr
        out = result.stdout.replace("\x1b[1m", "").replace("\x1b[0m", "").replace("\x1b[2m", "")
        assert "zebra" in out.lower()
        assert ESC not in out and "\\u001b" not in out
        assert not BIDI.search(out)
        assert "\x07" not in out


# What a fresh `archive query` must not import: extraction and hazm (seconds), and what whoosh
# or our writers import for what a query never calls (bench/README.md "Cold query").
_NOT_ON_QUERY_PATH = (
    "hazm", "bs4", "sklearn", "nltk", "lxml", "htmldate", "dateparser", "dateutil",
    "archive.extract", "archive.ingest", "asyncio", "urllib.request", "http", "email", "ssl",
    "whoosh.lang.morph_en", "cached_property", "sqlite3", "pathlib", "zipfile",
    "importlib.resources", "socket", "queue", "tempfile", "shutil", "bz2", "lzma", "calendar",
    "html", "random", "csv",
)  # fmt: skip


def test_query_path_imports_neither_hazm_nor_bs4(index_dir) -> None:
    import subprocess
    import sys

    code = (
        "import sys, io, contextlib\n"
        "from archive.cli import run\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    code = run(['query', 'vienna', '--author', 'khakpoor', '--index', {index_dir!r}])\n"
        f"    run(['query', 'همکاری اقتصادی', '--from', '1403', '--both', '--index',"
        f" {index_dir!r}])\n"
        f"not_here = {_NOT_ON_QUERY_PATH!r}\n"
        "heavy = sorted(m for m in sys.modules if m in not_here"
        " or m.split('.')[0] in not_here)\n"
        "from archive import dates\n"  # --from was read, and no date was looked for in text
        "heavy += ['dates._date_re'] * dates._date_re.cache_info().currsize\n"
        "heavy += ['dates._value_patterns'] * dates._value_patterns.cache_info().currsize\n"
        "from archive import text\n"  # no language was detected
        "heavy += ['text._detect_patterns'] * text._detect_patterns.cache_info().currsize\n"
        "print(code, 'Vienna' in out.getvalue(), heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "0 True []", result.stderr


def test_persian_query_imports_no_english_stemmer(index_dir) -> None:
    # the Persian query's analysis, its hits' snippets and versions and their rendering need no
    # English stemmer; an English query imports the English one alone (the snowballstemmer
    # package imports every language's: ~17 ms of a fresh query)
    import subprocess
    import sys

    code = (
        "import sys, io, contextlib\n"
        "from archive.cli import run\n"
        "def loaded(): return sorted(m for m in sys.modules if m.startswith('snowballstemmer'))\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    fa = run(['query', 'همکاری اقتصادی', '--index', {index_dir!r}])\n"
        "    after_fa = loaded()\n"
        f"    en = run(['query', 'talks', '--index', {index_dir!r}])\n"
        "print(fa, en, 'همکاری' in out.getvalue(), after_fa, loaded())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    english = ["snowballstemmer.among", "snowballstemmer.basestemmer",
               "snowballstemmer.english_stemmer"]  # fmt: skip
    assert result.stdout.strip() == f"0 0 True [] {english}", result.stderr


def test_empty_index_and_undated_articles(cli_run, tmp_path) -> None:
    empty = str(tmp_path / "empty")
    upsert_articles(empty, [])
    for args in (("query", "x"), ("query",), ("export",)):
        result = cli_run(*args, "--index", empty)
        assert result.exit_code == 0 and not result.has_traceback, (args, result.stderr)
        assert "no matches" in result.stderr or "exported 0" in result.stderr
    stats = cli_run("stats", "--json", "--index", empty)
    assert json.loads(stats.stdout)["articles"] == 0

    undated = str(tmp_path / "undated")
    upsert_articles(
        undated, [Article(id=f"u{n}", title=f"Note {n}", body="plain", lang="en", source="s")
                  for n in range(3)]
    )  # fmt: skip
    result = cli_run("query", "--sort", "date", "--index", undated, "--json")
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["u0", "u1", "u2"]
    assert cli_run("query", "--from", "2020", "--index", undated).stderr.strip() == (
        "archive: no matches"
    )
    assert json.loads(cli_run("stats", "--json", "--index", undated).stdout)["years"] == {
        "no date": 3
    }


def test_explain_lists_feedback_terms_and_exact_drops_them(cli_run, index_dir) -> None:
    fed = cli_run("query", "nuclear", "--feedback", "--explain", "--index", index_dir, "--json")
    assert fed.exit_code == 0, fed.stderr
    assert "feedback: on (--feedback)" in fed.stderr.splitlines()
    lines = [line for line in fed.stderr.splitlines() if line.startswith("feedback terms: ")]
    assert len(lines) == 1
    pairs = [item.rsplit(" ", 1) for item in lines[0].removeprefix("feedback terms: ").split(", ")]
    assert pairs and all(float(weight) > 0 for _, weight in pairs)
    exact = cli_run("query", "nuclear", "--feedback", "--exact", "--explain", "--index", index_dir)
    assert exact.exit_code == 0, exact.stderr
    assert "feedback: off (--exact)" in exact.stderr.splitlines()
    assert "feedback terms:" not in exact.stderr


def test_explain_says_why_feedback_is_on_or_off_by_default(cli_run, index_dir) -> None:
    def explained(*args: str) -> list[str]:
        result = cli_run("query", *args, "--explain", "--index", index_dir, "--json")
        assert result.exit_code == 0, result.stderr
        return [line for line in result.stderr.splitlines() if line.startswith("feedback")]

    persian = explained("نفت")
    assert persian[0] == (
        "feedback: on (the default for a query in Persian/Arabic script; "
        "--no-feedback turns it off)"
    )
    assert persian[1].startswith("feedback terms: ")
    assert explained("oil") == [
        "feedback: off (the default for a query in Latin script; --feedback turns it on)"
    ]
    assert explained("نفت", "--no-feedback") == ["feedback: off (--no-feedback)"]
    assert explained("نفت", "--exact") == ["feedback: off (--exact)"]
    assert explained("نفت oil")[0].startswith("feedback: off (the default for a query mixing")


def test_feedback_says_how_many_matches_only_its_terms_brought(cli_run, tmp_path) -> None:
    from archive.index import upsert_articles
    from archive.models import Article, SearchFilters
    from archive.search import search

    def article(n: int, title: str, body: str) -> Article:
        return Article(id=f"{n:016x}", title=title, body=body, lang="en", source=f"raw/{n}.html")

    topic = "reactor inspections at the enrichment plant, centrifuges and uranium stockpiles"
    docs = [
        article(0, "Nuclear talks and reactor inspections", f"nuclear {topic}. " * 3),
        article(1, "Nuclear deal: inspectors return", f"nuclear {topic}. " * 2),
        article(2, "Inspectors at the enrichment plant", f"{topic}. " * 3),  # no "nuclear"
    ]
    docs += [
        article(n, f"Harvest report {n}", f"wheat harvest number {n} in the northern provinces")
        for n in range(3, 40)
    ]
    folder = str(tmp_path / "index")
    upsert_articles(folder, docs)
    plain = search(folder, "nuclear", SearchFilters())
    fed = search(folder, "nuclear", SearchFilters(feedback=True))
    assert plain.feedback_added == 0 and plain.total == 2
    assert fed.feedback_added == fed.total - plain.total == 1
    header = cli_run("query", "nuclear", "--feedback", "--index", folder).stdout.splitlines()[0]
    assert header.startswith("3 matches (1 only through feedback terms)")
    assert "feedback" not in cli_run("query", "nuclear", "--index", folder).stdout.splitlines()[0]


@pytest.mark.parametrize("query", ["nucl*", "nuclear --sort -date"])
def test_explain_says_when_feedback_added_nothing(cli_run, index_dir, query) -> None:
    words, *options = query.split(" ", 1)
    args = ["query", words, *(options[0].split() if options else [])]
    fed = cli_run(*args, "--feedback", "--explain", "--index", index_dir)
    assert fed.exit_code == 0, fed.stderr
    (line,) = [line for line in fed.stderr.splitlines() if line.startswith("feedback terms: ")]
    assert line.startswith("feedback terms: none added")
    plain = cli_run(*args, "--explain", "--index", index_dir).stderr
    assert "feedback: off (the default" in plain and "feedback terms:" not in plain


# --- languages: Arabic pages are ar, every page keeps its letters, spellings find each other ---

LANGUAGE_PAGES = {
    "ar_jazeera_news.html": FIXTURES.parent / "pages",
    "ar_alalam_persian_letters.html": FIXTURES.parent / "pages",
    "ar_youm7_cp1256.html": FIXTURES.parent / "pages",
    "fa_quotes_arabic.html": FIXTURES.parent / "pages",
    "fa_1403-10-30_cp1256.html": PAGES,  # Persian written with Arabic ي and ك
    "fa_1403-11-01.html": PAGES,  # Persian letters
    "en_vienna.html": PAGES,
}


@pytest.fixture(scope="session")
def languages_index(tmp_path_factory: pytest.TempPathFactory, engine: str) -> str:
    from click.testing import CliRunner

    from archive.cli import run

    base = tmp_path_factory.mktemp("languages")
    pages = base / "pages"
    pages.mkdir()
    for name, folder in LANGUAGE_PAGES.items():
        (pages / name).write_bytes((folder / name).read_bytes())
    folder = str(base / "index")
    with CliRunner().isolation() as (_out, err, _):
        code = run(["ingest", str(pages), "--index", folder, "--jobs", "1", "--engine", engine])
        assert code == 0, err.getvalue().decode("utf-8", "replace")
    return folder


@pytest.fixture
def lang_query(cli_run, languages_index):
    def _query(*args: str) -> list[dict]:
        result = cli_run("query", *args, "--index", languages_index, "--json")
        assert result.exit_code == 0 and not result.has_traceback, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    return _query


def _sources(hits: list[dict]) -> set[str]:
    return {Path(hit["source"]).name for hit in hits}


def _highlighted(cli_run, index: str, *args: str) -> list[str]:
    result = cli_run("query", *args, "--no-color", "--index", index)
    assert result.exit_code == 0, result.stderr
    return re.findall(r"\[([^\]\s]+)\]", result.stdout)


def test_lang_ar_filters_query_and_json_says_ar(lang_query) -> None:
    hits = lang_query("--lang", "ar", "--limit", "50")
    assert _sources(hits) == {n for n in LANGUAGE_PAGES if n.startswith("ar_")}
    assert {hit["lang"] for hit in hits} == {"ar"}
    titles = {hit["title"] for hit in hits}
    assert "قطر تستضيف جولة جديدة من المفاوضات بشأن وقف إطلاق النار في غزة" in titles
    fa = lang_query("--lang", "fa", "--limit", "50")
    assert _sources(fa) == {"fa_quotes_arabic.html", "fa_1403-10-30_cp1256.html",
                            "fa_1403-11-01.html"}  # fmt: skip
    # the Persian page quoting Arabic matches an Arabic word, but is no Arabic page
    assert "fa_quotes_arabic.html" not in _sources(lang_query("التعاون", "--lang", "ar"))
    assert "fa_quotes_arabic.html" in _sources(lang_query("التعاون", "--lang", "fa"))


def test_stats_counts_and_filters_arabic(cli_run, languages_index) -> None:
    result = cli_run("stats", "--json", "--index", languages_index)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["languages"] == {"ar": 3, "fa": 3, "en": 1}
    only = json.loads(cli_run("stats", "--lang", "ar", "--json", "--index", languages_index).stdout)
    assert (only["articles"], only["languages"], only["lang"]) == (3, {"ar": 3}, "ar")
    human = cli_run("stats", "--lang", "ar", "--index", languages_index)
    assert human.exit_code == 0 and "language: Arabic (ar)" in human.stdout
    bad = cli_run("stats", "--lang", "ur", "--index", languages_index)
    assert bad.exit_code == 2 and not bad.has_traceback


def test_export_lang_ar(cli_run, languages_index) -> None:
    result = cli_run("export", "--lang", "ar", "--format", "csv", "--index", languages_index)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 3 and {row["lang"] for row in rows} == {"ar"}
    assert any("ي" in row["title"] and "ة" in row["title"] for row in rows)
    bib = cli_run("export", "--lang", "ar", "--format", "bibtex", "--index", languages_index)
    assert bib.stdout.count("language = {arabic}") == 3
    jsonl = cli_run("export", "--lang", "ar", "--index", languages_index)
    assert {json.loads(line)["lang"] for line in jsonl.stdout.splitlines()} == {"ar"}


def test_persian_page_with_arabic_letters_is_stored_as_written(
    cli_run, lang_query, languages_index
) -> None:
    # typed with Persian ک and ی, found in a page that writes كتاب‌ها and كتابخانه‌هاي
    (hit,) = lang_query("کتاب‌ها")
    assert (hit["lang"], hit["title"]) == ("fa", "كتابخانه‌هاي تهران در زمستان")
    assert "كتاب‌ها" in hit["snippet"] and "ی" not in hit["snippet"]
    assert _highlighted(cli_run, languages_index, "کتاب‌ها") == ["كتاب‌ها"]
    assert lang_query("کتاب‌ها", "--exact") == lang_query("کتاب‌ها", "--no-feedback") == [
        {**hit, "score": lang_query("کتاب‌ها", "--no-feedback")[0]["score"]}
    ]  # feedback (on by default for Persian) reweighs the score, not the hit
    assert [h["id"] for h in lang_query('"کتابخانه‌های تهران"')] == [hit["id"]]
    shown = json.loads(cli_run("show", hit["id"], "--json", "--index", languages_index).stdout)
    assert shown["authors"] == ["علي رضايي"] and "مي‌گويند" in shown["body"]
    assert _sources(lang_query("--author", "علی رضایی")) == {"fa_1403-10-30_cp1256.html"}


def test_arabic_letter_query_finds_persian_letters(cli_run, lang_query, languages_index) -> None:
    # typed with Arabic ك and ي, found in a page written with Persian letters
    assert _sources(lang_query("مذاكرات هسته‌اي")) == {"fa_1403-11-01.html"}
    assert _highlighted(cli_run, languages_index, "مذاكرات") == ["مذاکرات", "مذاکرات"]


def test_arabic_page_found_by_persian_spellings(cli_run, lang_query, languages_index) -> None:
    jazeera = {"ar_jazeera_news.html"}
    # ة typed as ه, ي as ی, no hamza, no tatweel; Arabic-Indic digits as ASCII
    assert _sources(lang_query("الخارجیه القطریه", "--all")) == jazeera
    assert _sources(lang_query('"وقف اطلاق النار"')) == jazeera
    assert _sources(lang_query("الاتفاق الشامل", "--all")) == jazeera
    marked = _highlighted(cli_run, languages_index, "الاتفاق", "--all", "--lang", "ar")
    assert "الاتفـــاق" in marked
    assert _sources(lang_query("14 بندا")) == jazeera
    # an Arabic page typed with Persian letters keeps them (Al-Alam) and is found in Arabic
    assert _sources(lang_query("الإيراني مسعود", "--all")) == {"ar_alalam_persian_letters.html"}
