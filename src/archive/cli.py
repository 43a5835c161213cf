"""Command-line interface: parse options, call the library, map errors, render.

This is the only module that imports click and the only place where exceptions become exit
codes. Heavy modules (whoosh, bs4, hazm) are imported inside the commands so that
`archive --help` stays fast.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from enum import IntEnum
from typing import Any

import click

from archive import __version__
from archive.errors import ArchiveError, UsageError

DEFAULT_INDEX = "index"
DEFAULT_INPUT = "raw"


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    PARTIAL = 3  # finished, but some inputs were skipped
    INTERRUPTED = 130


class DateBound(click.ParamType):
    """A --from/--to value: Gregorian or Solar Hijri year, month or day (see `dates`)."""

    name = "DATE"

    def __init__(self, end: bool) -> None:
        self.end = end

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        from archive.dates import parse_date_bound

        try:
            start, end = parse_date_bound(str(value))
        except UsageError as exc:
            self.fail(str(exc), param, ctx)
        return end if self.end else start


def _index_option(func: Any) -> Any:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False),
        default=lambda: os.environ.get("ARCHIVE_INDEX", DEFAULT_INDEX),
        show_default="index/ or $ARCHIVE_INDEX",
        help="Index folder.",
    )(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archive")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Bilingual (English + Persian) article archive and search engine.

    \b
    Examples:
      archive ingest raw/
      archive query "nuclear talks" --from 2024 --lang en
      archive query "همکاری‌های اقتصادی" --from 1403-11 --to 1403-12
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


# Commands are filled in by their modules' owners; each keeps to its own section.

# === extract (owner: extraction) ===

# === ingest (owner: ingest) ===

# === query, show, stats, export (owner: query) ===

QUERY_SORTS = ("relevance", "date", "-date")  # = search.SORTS; repeated so --help skips whoosh
EXPORT_FORMATS = ("jsonl", "csv", "bibtex", "ris")  # = render.EXPORT_FORMATS


class _OneLine:
    """Mixin: a bad value is one `archive: ...` line and exit 2, not click's usage block."""

    def fail(self, message: str, param: Any = None, ctx: Any = None) -> Any:
        from archive.errors import DateFormatError

        where = f"{param.opts[0]}: " if param is not None and getattr(param, "opts", None) else ""
        error = DateFormatError if isinstance(self, DateBound) else UsageError
        raise error(f"{where}{message}")


class _QueryDate(_OneLine, DateBound):
    pass


class _QueryChoice(_OneLine, click.Choice):
    pass


class _QueryInt(_OneLine, click.IntRange):
    pass


def _search_options(func: Any) -> Any:
    """The QUERY argument and the filters shared by `query` and `export`."""
    options = [
        click.argument("query_words", nargs=-1, metavar="[QUERY]"),
        click.option(
            "--author",
            "authors",
            multiple=True,
            metavar="NAME",
            help="Written by NAME, either script, surname alone is enough (repeat: any of them).",
        ),
        click.option(
            "--from",
            "date_from",
            type=_QueryDate(end=False),
            metavar="DATE",
            help="On or after DATE: 2025, 2025-02, 2025-02-01, or Solar Hijri 1403, 1403-11-12.",
        ),
        click.option(
            "--to",
            "date_to",
            type=_QueryDate(end=True),
            metavar="DATE",
            help="On or before DATE (a year or month includes all of it).",
        ),
        click.option("--lang", type=_QueryChoice(["en", "fa"]), help="Only this language."),
        click.option(
            "--site",
            "sites",
            multiple=True,
            metavar="HOST",
            help="Only this site and its subdomains, e.g. tehrantimes.com (repeatable).",
        ),
        click.option(
            "--sort",
            type=_QueryChoice(QUERY_SORTS),
            help="relevance (default with a QUERY), date (oldest first), -date (newest first).",
        ),
        click.option(
            "--all", "require_all", is_flag=True, help="Only articles matching every word."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _plan(searcher: Any, query_words: tuple[str, ...], filters: dict[str, Any]) -> Any:
    from archive.search import plan_search

    return plan_search(
        searcher.schema,
        " ".join(query_words),
        authors=filters["authors"],
        date_from=filters["date_from"],
        date_to=filters["date_to"],
        lang=filters["lang"],
        site=filters["sites"],
        sort=filters["sort"],
        require_all=filters["require_all"],
    )


def _use_color(color: bool | None) -> bool:
    if color is not None:
        return color
    if os.environ.get("NO_COLOR"):
        return False
    return click.get_text_stream("stdout").isatty()


@cli.command("query")
@_search_options
@click.option("--limit", "-n", type=_QueryInt(min=1), default=10, show_default=True,
              help="Hits per page.")
@click.option("--page", type=_QueryInt(min=1), default=1, show_default=True, help="Page number.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one object per hit.")
@click.option("--color/--no-color", default=None,
              help="Bold matched words (default: only on a terminal; else [brackets]).")
@click.option("--explain", is_flag=True, help="Show how the query was read (on stderr).")
@_index_option
def query_command(
    query_words: tuple[str, ...],
    limit: int,
    page: int,
    as_json: bool,
    color: bool | None,
    explain: bool,
    index_dir: str,
    **filters: Any,
) -> int:
    """Search the archive: ranked hits with snippets.

    QUERY uses the whoosh query language. Words are looked up in title, summary, body and
    author, after the same analysis as at ingest (ي/ی, ك/ک, ZWNJ, diacritics, Persian
    digits, stems), so Persian and English may be mixed freely. With several words,
    articles containing all of them come first, then those with only some (--all: only
    the first kind). Without QUERY, the matching articles are listed newest first.

    \b
    Query syntax:
      nuclear talks             both words first, then either
      "nuclear talks"           the phrase
      iran AND (oil OR gas)     boolean, grouped
      sanctions NOT russia      leave out articles with russia
      title:برجام               in the title only (title: summary: body: author:)
      author:khakpoor           by author name in the query
      negot*                    prefix: negotiate, negotiations...
      tehran~                   fuzzy: one edit away (tehran~2: two)

    \b
    Examples:
      archive query "nuclear talks" --from 2024 --lang en
      archive query "همکاری‌های اقتصادی" --from 1403-11 --to 1403-12
      archive query --author khakpoor --sort -date
      archive query برجام --site irna.ir --json | jq .title
      archive query کتاب‌ها --explain

    \b
    Dates: 2025, 2025-02, 2025-02-01, or Solar Hijri (a year below 1700) 1403,
    1403-11, 1403-11-12, 1403/11/12, in ASCII or Persian digits; --from/--to are
    inclusive and a month or year covers all of its days.
    Output: a header with the count and time, then per hit its rank, title, authors,
    date (with the Solar Hijri date for Persian articles), site, id and a snippet with
    the matched words in bold on a terminal and [in brackets] otherwise. --json prints
    one object per hit: id, title, authors, date, date_jalali, lang, site, url, source,
    score, snippet, rank.
    """
    import time

    from archive import render
    from archive.search import iter_hits, open_searcher, run_plan

    started = time.perf_counter()
    use_color = _use_color(color)
    with open_searcher(index_dir) as searcher:
        plan = _plan(searcher, query_words, filters)
        if explain:
            click.echo(f"query: {plan.parsed or '(none: list by date)'}", err=True)
            click.echo(f"filter: {plan.filters or '(none)'}", err=True)
            click.echo(f"sort: {plan.sort}", err=True)
        total, ranked, _ = run_plan(searcher, plan, limit=limit, page=page)
        if not ranked:
            if total:
                click.echo(f"archive: no matches on page {page} ({total} in all)", err=True)
            elif plan.text_query is not None and plan.parsed == "<_NullQuery>":
                click.echo("archive: no matches (the query has no searchable words)", err=True)
            else:
                click.echo("archive: no matches", err=True)
            return ExitCode.OK
        hits = iter_hits(searcher, plan, ranked, first_rank=(page - 1) * limit + 1)
        if as_json:
            for hit in hits:
                click.echo(render.hit_to_json(hit))
            return ExitCode.OK
        shown = list(hits)
        elapsed = time.perf_counter() - started
        click.echo(render.format_header(total, elapsed, page=page, limit=limit))
        for hit in shown:
            click.echo("")
            click.echo(render.format_hit(hit, color=use_color), color=use_color)
    return ExitCode.OK


@cli.command("show")
@click.argument("doc_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="The record as one JSON object.")
@click.option("--color/--no-color", default=None, help="Bold title (default: only on a terminal).")
@_index_option
def show_command(doc_id: str, as_json: bool, color: bool | None, index_dir: str) -> int:
    """Print the whole record and text of one article.

    ID is the id shown by `archive query` (a unique start of it is enough).

    \b
    Examples:
      archive show 3f9a2c41d0e8
      archive show 3f9a2c41d0e8 --json | jq .body
    """
    from archive import render
    from archive.index import fields_to_article
    from archive.search import find_document, open_searcher

    with open_searcher(index_dir) as searcher:
        stored = find_document(searcher, doc_id)
    if stored is None:
        raise ArchiveError(f"no article with id {doc_id!r} in {index_dir}")
    article = fields_to_article(stored)
    if as_json:
        click.echo(render.article_to_json(article))
    else:
        use_color = _use_color(color)
        click.echo(render.format_article(article, color=use_color), color=use_color)
    return ExitCode.OK


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.option("--top", type=_QueryInt(min=1), default=10, show_default=True,
              help="How many authors to list.")
@_index_option
def stats_command(as_json: bool, top: int, index_dir: str) -> int:
    """Describe the index: articles per language, year (both calendars) and site, top authors.

    \b
    Examples:
      archive stats
      archive stats --json | jq .years_jalali
    """
    import json

    from archive import render
    from archive.index import read_meta
    from archive.search import collect_stats, open_searcher

    meta = read_meta(index_dir)
    with open_searcher(index_dir) as searcher:
        stats = collect_stats(searcher, top_authors=top)
    stats["size_bytes"] = meta.get("size_bytes")
    stats["last_ingest"] = meta.get("last_ingest")
    stats["schema_version"] = meta.get("schema_version")
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False))
    else:
        click.echo(render.format_stats(stats))
    return ExitCode.OK


@cli.command("export")
@_search_options
@click.option("--format", "fmt", type=_QueryChoice(EXPORT_FORMATS), default="jsonl",
              show_default=True, help="jsonl (whole records), csv, bibtex or ris.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE instead of stdout.")
@click.option("--limit", "-n", type=_QueryInt(min=1), default=None,
              help="At most N records (default: every match).")
@_index_option
def export_command(
    query_words: tuple[str, ...],
    fmt: str,
    output: str | None,
    limit: int | None,
    index_dir: str,
    **filters: Any,
) -> int:
    """Export matching records for spreadsheets and reference managers.

    Takes the same QUERY and filters as `archive query`; without them, every article.
    BibTeX and RIS import into Zotero, JabRef and EndNote; Persian stays UTF-8.

    \b
    Examples:
      archive export --author khakpoor --format bibtex -o khakpoor.bib
      archive export "نفت" --from 1403 --format ris -o oil-1403.ris
      archive export --lang en --format csv > english.csv
    """
    from archive import render
    from archive.index import fields_to_article
    from archive.search import iter_matches, open_searcher

    with open_searcher(index_dir) as searcher:
        plan = _plan(searcher, query_words, filters)
        records = (
            (fields_to_article(stored), score)
            for score, stored in iter_matches(searcher, plan, limit=limit)
        )
        if output is None:
            count = render.export_records(records, fmt, click.get_text_stream("stdout"))
        else:
            try:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    count = render.export_records(records, fmt, out)
            except OSError as exc:
                raise ArchiveError(f"cannot write {output}: {exc.strerror}") from None
    where = f" to {output}" if output else ""
    click.echo(f"archive: exported {count} article{'s' if count != 1 else ''}{where}", err=True)
    return ExitCode.OK

# === end of commands ===


def run(args: list[str] | None = None) -> int:
    """Run the CLI on `args` and return the exit code; every error becomes one line on stderr.

    Commands return an ExitCode (or None for OK); this is the one place exceptions are mapped.
    """
    argv = sys.argv[1:] if args is None else list(args)
    debug = "--debug" in argv
    try:
        code = cli.main(args=argv, prog_name="archive", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("archive: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return ExitCode.USAGE if exc.exit_code == 2 else exc.exit_code
    except UsageError as exc:
        if debug:
            raise
        click.echo(f"archive: {exc}", err=True)
        return ExitCode.USAGE
    except ArchiveError as exc:
        if debug:
            raise
        click.echo(f"archive: {exc}", err=True)
        return ExitCode.ERROR
    return int(code) if isinstance(code, int) else ExitCode.OK


def main() -> None:
    """Console-script entry point."""
    try:
        code = run()
        sys.stdout.flush()
    except BrokenPipeError:
        # `archive query ... | head`: the reader went away; stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = ExitCode.OK
    sys.exit(code)
