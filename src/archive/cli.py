"""Command-line interface: parse options, call the library, map errors, render.

This is the only module that imports click and the only place where exceptions become exit
codes. Heavy modules (whoosh, bs4, hazm) are imported inside the commands so that
`archive --help` stays fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Iterator
from enum import IntEnum
from typing import Any

import click

from archive import __version__
from archive.engines import ENGINES
from archive.errors import ArchiveError, UsageError
from archive.models import EXPORT_FORMATS, LANGUAGES, SORTS, SearchFilters

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


_INDEX_KEY = "archive.index_dir"


def _remember_index(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    # The error boundary names the index in its "damaged" message.
    ctx.find_root().meta[_INDEX_KEY] = value
    return value


def _index_option(func: Any) -> Any:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False),
        default=lambda: os.environ.get("ARCHIVE_INDEX", DEFAULT_INDEX),
        show_default="index/ or $ARCHIVE_INDEX",
        help="Index folder.",
        callback=_remember_index,
    )(func)


class _Failure(Exception):
    """An exception that is not an ArchiveError, caught inside click with the index it was on.

    Caught here because click itself turns EOFError (whoosh reading a truncated segment) into
    an "Aborted" Ctrl-C, after printing a blank line.
    """

    def __init__(self, original: BaseException, index_dir: str | None) -> None:
        super().__init__(str(original))
        self.original = original
        self.index_dir = index_dir


class _ArchiveGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ArchiveError, click.exceptions.ClickException, click.exceptions.Exit):
            raise
        except (click.exceptions.Abort, KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as exc:
            raise _Failure(exc, ctx.meta.get(_INDEX_KEY)) from exc


@click.group(cls=_ArchiveGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archive")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def cli(debug: bool) -> None:
    """Bilingual (English + Persian) article archive and search engine.

    \b
    Examples:
      archive ingest raw/
      archive query "nuclear talks" --from 2024 --lang en
      archive query "همکاری‌های اقتصادی" --from 1403-11 --to 1403-12
    """
    # --debug is read by run() from the arguments, before click parses them.


# Commands are filled in by their modules' owners; each keeps to its own section.

# === extract (owner: extraction) ===


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="PATH...")
@click.option("--json", "as_json", is_flag=True, help="Write JSON Lines, one article per line.")
@click.option(
    "--max-size",
    type=lambda value: _ByteSize().convert(value, None, None),
    metavar="SIZE",
    default="20MB",
    show_default=True,
    help="Skip (as failed) any file or dump member larger than this, as ingest does.",
)
def extract(paths: tuple[str, ...], as_json: bool, max_size: int) -> int:
    """Show what ingest would store for each page, without touching the index.

    PATH may be a page, a folder (searched recursively) or a zip/tar/WARC dump, read exactly as
    `archive ingest` reads them. Each page failing is reported as one `path: reason` line on
    stderr; the others are still shown.

    \b
    Examples:
      archive extract raw/ipis-en-sanctions.html
      archive extract raw/ --json | jq .title
    """
    from archive import render
    from archive.ingest import iter_extracted

    failed = 0
    for item in iter_extracted(paths, max_size=max_size):
        if item.article is not None:
            click.echo(
                render.article_to_json(item.article)
                if as_json
                else render.format_extracted(item.article)
            )
            continue
        failed += 1
        if failed <= render.MAX_LISTED_FAILURES:
            click.echo(render.format_failure(item.location, item.reason), err=True)
    if failed > render.MAX_LISTED_FAILURES:
        click.echo(render.format_more_failed(failed - render.MAX_LISTED_FAILURES), err=True)
    return ExitCode.PARTIAL if failed else ExitCode.OK


# === ingest (owner: ingest) ===


class _PositiveInt(click.ParamType):
    """A count of at least 1 (bad values are one `archive: ...` line, exit 2)."""

    name = "N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number < 1:
            raise UsageError(f"--jobs: {value!r} is not a whole number of at least 1")
        return number


class _ByteSize(click.ParamType):
    """A size in bytes: 20MB, 500KB, 1.5GB or a plain number of bytes."""

    name = "SIZE"
    _UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import re

        if isinstance(value, int):
            return value
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*", str(value), re.I)
        size = int(float(match.group(1)) * self._UNITS[match.group(2).lower()]) if match else 0
        if size < 1:
            raise UsageError(f"--max-size: {value!r} is not a size like 20MB, 500KB or 1000000")
        return size


@cli.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@_index_option
@click.option(
    "--jobs",
    "-j",
    type=_PositiveInt(),
    default=None,
    help="Worker processes for parsing and analysis.  [default: the machine's cores]",
)
@click.option(
    "--rebuild",
    is_flag=True,
    help="Build a fresh index; the old one keeps serving queries until the new one is complete.",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --rebuild: switch to the new index even if some inputs could not be read or "
    "it has no articles (without it, the old index then stays).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write one JSON line per input: location, status (added, updated, unchanged, "
    "duplicate, failed), id, reason.",
)
@click.option(
    "--max-size",
    type=_ByteSize(),
    default="20MB",
    show_default=True,
    help="Skip (as failed) any file or dump member larger than this.",
)
@click.option(
    "--wait",
    "lock_wait",
    type=float,
    default=0.0,
    metavar="SECONDS",
    help="If another ingest is writing the index, wait up to this long for it.",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Also remove articles whose file or dump member under the PATHs given no longer "
    "exists (articles of other inputs are never touched).",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default=None,
    help="The engine of a new index (whoosh, or tantivy: the tantivy extra). An index keeps "
    "its engine; --rebuild --engine converts it.  [default: the index's, else whoosh]",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress, summary or failure lines.")
def ingest(
    paths: tuple[str, ...],
    index_dir: str,
    jobs: int | None,
    rebuild: bool,
    force: bool,
    report_path: str | None,
    max_size: int,
    lock_wait: float,
    prune: bool,
    engine: str | None,
    quiet: bool,
) -> ExitCode:
    """Add pages (HTML files, folders, zip/tar/WARC dumps) to the index.

    PATH is a file, a folder (searched recursively), a .zip, .tar, .tar.gz, .tgz or .tar.xz
    dump, or a .warc/.warc.gz crawl; the default is raw/. Unchanged inputs are skipped without
    being parsed, changed ones are updated in place, and an article reached through several
    inputs is stored once (reported as a duplicate). Ingest can be interrupted at any moment:
    the index keeps its last committed state and the next run completes the job.

    \b
    Examples:
      archive ingest
      archive ingest raw/ raw/dumps/ipis-khabar-2025-03.zip --index index/
      archive ingest --rebuild --report ingest.jsonl
      archive ingest raw/ --prune
      archive ingest raw/ --index big/ --engine tantivy

    \b
    Exit codes:
      0  every input was ingested (or was unchanged or a duplicate)
      1  the run could not proceed (index unreadable or locked, disk full)
      2  usage error (bad option value)
      3  finished, but some inputs failed (listed on stderr and in --report)
      130  interrupted (Ctrl-C, SIGTERM); what was committed stays, run again to finish
    """
    import signal

    from archive import render
    from archive.ingest import ingest as run_ingest

    if force and not rebuild:
        raise UsageError("--force goes with --rebuild (it lets a rebuild replace the old index)")
    inputs = list(paths) or [DEFAULT_INPUT]
    if not paths and not os.path.exists(DEFAULT_INPUT):
        raise UsageError(f"nothing to ingest: no PATH given and no {DEFAULT_INPUT}/ folder here")
    report_file = None
    if report_path:
        try:
            report_file = (
                sys.stdout if report_path == "-" else open(report_path, "w", encoding="utf-8")
            )
        except OSError as exc:
            raise UsageError(f"--report: cannot write {report_path}: {exc.strerror}") from None
    progress = render.IngestProgress(
        sys.stderr, enabled=not quiet and _terminal(stream=sys.stderr).is_tty
    )

    def on_outcome(outcome: Any) -> None:
        progress.update(outcome.status)
        if report_file is not None:
            try:
                report_file.write(render.json_line(outcome.as_dict()) + "\n")
            except OSError as exc:
                message = f"cannot write the report {report_path}: {exc.strerror}"
                raise ArchiveError(message) from None

    def on_notice(message: str) -> None:
        if not quiet:
            progress.clear()
            click.echo(render.format_notice(message), err=True)

    def on_sigterm(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = None
    try:
        previous = signal.signal(signal.SIGTERM, on_sigterm)
    except ValueError:  # not the main thread (tests): SIGTERM keeps its default
        pass
    try:
        result = run_ingest(
            inputs,
            index_dir,
            jobs=jobs,
            rebuild=rebuild,
            force=force,
            on_outcome=on_outcome,
            on_notice=on_notice,
            max_size=max_size,
            lock_wait=lock_wait,
            prune=prune,
            engine=engine,
        )
    finally:
        progress.clear()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if report_file is not None and report_file is not sys.stdout:
            report_file.close()
    if not quiet:
        for line in render.format_ingest_summary(result, report_path=report_path):
            click.echo(line, err=True)
    if result.held_back:
        click.echo(f"archive: {result.held_back}", err=True)
        return ExitCode.PARTIAL
    return ExitCode.PARTIAL if result.counts["failed"] else ExitCode.OK


# === query, show, stats, export (owner: query) ===

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
            type=DateBound(end=False),
            metavar="DATE",
            help="On or after DATE: 2025, 2025-02, 2025-02-01, or Solar Hijri 1403, 1403-11-12.",
        ),
        click.option(
            "--to",
            "date_to",
            type=DateBound(end=True),
            metavar="DATE",
            help="On or before DATE (a year or month includes all of it).",
        ),
        click.option("--lang", type=click.Choice(LANGUAGES), help="Only this language."),
        click.option(
            "--site",
            "sites",
            multiple=True,
            metavar="HOST",
            help="Only this site and its subdomains, e.g. tehrantimes.com (repeatable).",
        ),
        click.option(
            "--source",
            "sources",
            multiple=True,
            metavar="PATH",
            help="Only articles from this input: a file, a folder (all below it), a dump, or "
            "dump.zip!member (repeatable: any of them).",
        ),
        click.option(
            "--sort",
            type=click.Choice(SORTS),
            help="relevance (default with a QUERY), date (oldest first), -date (newest first;"
            " the default without QUERY). By date, every match is listed: add --all to keep"
            " only articles with every word.",
        ),
        click.option(
            "--all", "require_all", is_flag=True, help="Only articles matching every word."
        ),
        click.option(
            "--exact",
            is_flag=True,
            help="The words as typed: no glued Persian compound forms, no feedback terms.",
        ),
        click.option(
            "--feedback/--no-feedback",
            default=None,
            help="Rank with pseudo-relevance feedback (RM3 terms from the best hits). Default: on"
            " for a query in Persian/Arabic script, off for Latin-script and mixed queries.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _filters(options: dict[str, Any]) -> SearchFilters:
    """The SearchFilters of the options `_search_options` adds (their names are its fields)."""
    return SearchFilters(**options)


def _terminal(color: bool | None = None, stream: Any = None) -> Any:
    """The Terminal that human output goes to (stdout unless `stream`): width, tty, colour.

    Tests set one for every command with `run(args, terminal=Terminal(...))`; `--color` /
    `--no-color` still decide the colour.
    """
    import dataclasses

    from archive.render import Terminal

    ctx = click.get_current_context(silent=True)
    preset = (ctx.find_root().obj or {}).get("terminal") if ctx is not None else None
    if preset is None:
        return Terminal.detect(stream, color=color)
    return preset if color is None else dataclasses.replace(preset, color=color)


@cli.command("query")
@_search_options
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Hits per page.",
)
@click.option(
    "--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page number."
)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one object per hit.")
@click.option(
    "--color/--no-color",
    default=None,
    help="Bold matched words (default: only on a terminal; else [brackets]).",
)
@click.option("--explain", is_flag=True, help="Show how the query was read (on stderr).")
@click.option(
    "--both",
    is_flag=True,
    help="After each hit, its version in the other language (marked, not counted).",
)
@_index_option
def query_command(
    query_words: tuple[str, ...],
    limit: int,
    page: int,
    as_json: bool,
    color: bool | None,
    explain: bool,
    both: bool,
    index_dir: str,
    **filters: Any,
) -> int:
    """Search the archive: ranked hits with snippets.

    QUERY uses the whoosh query language. Words are looked up in title, summary, body and
    author, after the same analysis as at ingest (ي/ی, ك/ک, ZWNJ, diacritics, Persian
    digits, stems), so Persian and English may be mixed freely. With several words,
    articles with any of them match, ranked by BM25 over the whole article; --all keeps
    only articles with every word. Persian words written apart also match glued
    (احمدی نژاد, احمدی‌نژاد), and a detached prefix is one word with its word (کم آبی =
    کم‌آبی, in pages too). Feedback adds terms from the best hits (RM3) to rank them: on by
    default for a query in Persian/Arabic script, off for Latin-script and mixed queries
    (--feedback, --no-feedback decide; --explain says which and why); --exact takes the words
    as typed, without feedback. Without QUERY, the matching articles are listed newest first.

    \b
    Query syntax:
      nuclear talks             either word, both ranked higher
      "nuclear talks"           the phrase (also «...» and “...”)
      iran AND (oil OR gas)     boolean, grouped
      sanctions NOT russia      leave out articles with russia
      title:برجام               in the title only (title: summary: body: author:)
      author:khakpoor           by author name in the query
      source:raw/dumps/a.zip    from an input (file, folder, dump, dump.zip!member)
      negot*                    prefix: negotiate, negotiations...
      tehran~                   fuzzy: one edit away, same first letter (~2: two, the most)

    \b
    Examples:
      archive query "nuclear talks" --from 2024 --lang en
      archive query "همکاری‌های اقتصادی" --from 1403-11 --to 1403-12
      archive query --author khakpoor --sort -date
      archive query برجام --site ipis.example --json | jq .title
      archive query تحریم‌ها --explain
      archive query "water crisis" --feedback --explain
      archive query "red sea" --both    # each hit, then its version in the other language

    \b
    Dates: 2025, 2025-02, 2025-02-01, or Solar Hijri (a year below 1700) 1403,
    1403-11, 1403-11-12, 1403/11/12, in ASCII or Persian digits; --from/--to are
    inclusive and a month or year covers all of its days.
    Output: a header with the count and time, then per hit its rank, title, authors,
    date (with the Solar Hijri date for Persian articles), site, id and a snippet with
    the matched words in bold on a terminal and [in brackets] otherwise, and a line
    "also in Persian: TITLE (id)" per version of the article in the other language
    (linked by the pages' hreflang links, or same site, author, dates and figures).
    --both lists those versions after their hit, marked ↳. --json prints one object
    per hit: id, title, authors, date, date_jalali, lang, site, url, source, score,
    snippet, rank, versions [{id, lang, title, url}] (and version_of with --both).
    """
    from archive import render
    from archive.search import search

    terminal = _terminal(color)
    with _time_budget(QUERY_SECONDS):
        result = search(
            index_dir, " ".join(query_words), _filters(filters), limit=limit, page=page, both=both
        )
    if explain:
        for line in render.format_explain(result):
            click.echo(line, err=True)
    if not result.hits:
        click.echo(render.format_no_matches(result, page=page), err=True)
        return ExitCode.OK
    try:
        if as_json:
            for hit in result.hits:
                click.echo(render.hit_to_json(hit))
            return ExitCode.OK
        click.echo(
            render.format_header(
                result.total, result.elapsed, page=page, limit=limit,
                feedback_added=result.feedback_added,
            )  # fmt: skip
        )
        for hit in result.hits:
            click.echo("")
            click.echo(render.format_hit(hit, terminal=terminal), color=terminal.color)
    except BrokenPipeError:
        _reader_went_away()
    return ExitCode.OK


# A query that runs longer than this is stopped (exit 1). Fuzzy terms are bounded to 2 edits
# and 200 words per field, so none of the demo's or the bench's queries come near it.
QUERY_SECONDS = 10.0


@contextlib.contextmanager
def _time_budget(seconds: float) -> Iterator[None]:
    """Stop the work inside after `seconds` (CPU-bound whoosh loops have no deadline of their
    own): SIGALRM raises QueryTimeoutError, again every 0.5 s should anything swallow it."""
    import signal

    from archive.errors import QueryTimeoutError

    def expire(signum: int, frame: Any) -> None:
        raise QueryTimeoutError(
            f"the query was stopped after {seconds:g} s; it reaches too many words "
            "(use fewer wildcard or fuzzy terms, or add filters)"
        )

    try:
        previous = signal.signal(signal.SIGALRM, expire)
    except ValueError:  # not the main thread: no budget
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _reader_went_away() -> None:
    """`archive query ... | head`: the reader left; stop quietly with exit 0 (as `main` does)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout without a file descriptor
        pass


@cli.command("show")
@click.argument("doc_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="The record as one JSON object.")
@click.option("--color/--no-color", default=None, help="Bold title (default: only on a terminal).")
@click.option(
    "--pager/--no-pager",
    "use_pager",
    default=True,
    help="On a terminal, show the article through $PAGER (default `less -R`).",
)
@_index_option
def show_command(
    doc_id: str, as_json: bool, color: bool | None, use_pager: bool, index_dir: str
) -> int:
    """Print the whole record and text of one article.

    ID is the id shown by `archive query` (a unique start of it is enough). The record
    lists the article's versions in the other language (`also in Persian: TITLE (id)`;
    JSON: versions [{id, lang, title, url}]). On a terminal
    the text is wrapped to its width and shown through your pager ($PAGER; `less -R` when
    it is unset, nothing when it is empty; --no-pager prints it straight).

    \b
    Examples:
      archive show 5177f27cc1de9f82
      archive show 5177f27c --no-pager
      archive show 5177f27c --json | jq .body
    """
    from archive import render
    from archive.search import get_article

    article, versions = get_article(index_dir, doc_id)
    if as_json:
        click.echo(render.article_to_json(article, versions=versions))
        return ExitCode.OK
    terminal = _terminal(color)
    text = render.format_article(article, terminal=terminal, versions=versions)
    if not (use_pager and terminal.is_tty and render.show_in_pager(text)):
        click.echo(text, color=terminal.color)
    return ExitCode.OK


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="One JSON object (with --runs: one per run).")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many authors to list.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="PATH",
    help="Only articles from this input: a file, a folder, a dump or dump.zip!member.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="Only articles in this language (en, fa for Persian and Dari, ar for Arabic).",
)
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    is_flag=False,
    flag_value=10,
    default=None,
    metavar="[N]",
    help="Instead, the last N ingest and forget runs (default 10) from the index's log.",
)
@_index_option
def stats_command(
    as_json: bool,
    top: int,
    sources: tuple[str, ...],
    lang: str | None,
    runs: int | None,
    index_dir: str,
) -> int:
    """Describe the index: articles per language, year (both calendars) and site, top authors.

    \b
    Examples:
      archive stats
      archive stats --json | jq .years_jalali
      archive stats --source raw/dumps/ipis-khabar-2025-03.zip
      archive stats --lang ar
      archive stats --runs 5
    """
    from archive import render

    if runs is not None:
        from archive.runlog import read_runs

        if sources or lang:
            raise UsageError(
                "--runs lists the runs of the whole index; leave out --source and --lang"
            )
        from archive.index import read_meta

        read_meta(index_dir)  # a missing or foreign folder says so, as without --runs
        entries = read_runs(index_dir, last=runs)
        if as_json:
            for entry in entries:
                click.echo(render.record_to_json(entry))
        elif not entries:
            click.echo("archive: no runs logged in this index yet", err=True)
        else:
            click.echo(render.format_runs(entries, terminal=_terminal()))
        return ExitCode.OK
    from archive.search import describe_index

    stats = describe_index(index_dir, top_authors=top, sources=sources, lang=lang)
    click.echo(render.json_line(stats) if as_json else render.format_stats(stats))
    return ExitCode.OK


@cli.command("forget")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="PATH",
    help="Forget every article from this input: a file, a folder (all below it), a dump, or "
    "dump.zip!member (repeatable).",
)
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation on a terminal.")
@click.option(
    "--block",
    is_flag=True,
    help="Also put the articles on the index's deny list: later ingests leave them out.",
)
@click.option("--list", "list_blocked", is_flag=True, help="List the deny list and stop.")
@click.option(
    "--unblock", is_flag=True, help="Take the IDs off the deny list (the next ingest adds them)."
)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one object per article.")
@click.option(
    "--wait",
    "lock_wait",
    type=float,
    default=0.0,
    metavar="SECONDS",
    help="If an ingest is writing the index, wait up to this long for it.",
)
@_index_option
def forget_command(
    ids: tuple[str, ...],
    sources: tuple[str, ...],
    dry_run: bool,
    yes: bool,
    block: bool,
    list_blocked: bool,
    unblock: bool,
    as_json: bool,
    lock_wait: float,
    index_dir: str,
) -> int:
    """Remove articles from the index, by ID or by the input they came from.

    Prints what it removes and, on a terminal, asks first (--yes does not ask; nothing is
    asked when stdin is not a terminal). An article that another input also gave is kept
    when only some of its inputs are forgotten. A forgotten article comes back if a later
    ingest reads it again, unless it was forgotten with --block: the deny list (in the
    index folder, by article id and content hash) keeps it out until --unblock.

    \b
    Examples:
      archive forget 04c8113ead08d922
      archive forget --source raw/dumps/ipis-khabar-2025-03.zip --dry-run
      archive forget --source raw/junk/ --yes
      archive forget 04c8113ead08d922 --block
      archive forget --list
      archive forget --unblock 04c8113ead08d922

    \b
    Exit codes: 0 done (or nothing confirmed to do with --dry-run), 1 an ID or PATH not in
    the index, the index locked by an ingest, or the confirmation declined; 2 usage error.
    """
    import json

    from archive import curate
    from archive.render import format_forget_item, format_forget_plan, record_to_json

    terminal = _terminal()
    if list_blocked or unblock:
        if sources or dry_run or block or (list_blocked and (ids or unblock)):
            raise UsageError("--list and --unblock go alone (with IDs for --unblock)")
        if list_blocked:
            for entry in curate.list_blocked(index_dir):
                if as_json:
                    click.echo(record_to_json(entry.__dict__))
                else:
                    click.echo(format_forget_item("blocked", entry, terminal=terminal))
            return ExitCode.OK
        if not ids:
            raise UsageError("--unblock needs the IDs to take off the deny list")
        for entry in curate.unblock(index_dir, ids, lock_wait=lock_wait):
            if as_json:
                click.echo(json.dumps({"action": "unblocked", "id": entry.id}))
            else:
                click.echo(format_forget_item("unblocked", entry, terminal=terminal))
        return ExitCode.OK

    def show(plan: curate.ForgetPlan, removed: str, kept: str) -> None:
        for line in format_forget_plan(plan, removed, kept, as_json=as_json, terminal=terminal):
            click.echo(line)

    def count(n: int) -> str:
        return f"{n:,} article{'s' if n != 1 else ''}"

    plan = curate.plan_forget(index_dir, ids, sources, block=block)
    for note in plan.notes:
        click.echo(f"archive: {note}", err=True)
    if dry_run:
        show(plan, "would remove", "would keep")
        click.echo(f"archive: would remove {count(len(plan.removed))} (dry run)", err=True)
        return ExitCode.OK
    if not yes and sys.stdin.isatty():
        show(plan, "will remove", "will keep")
        what = f"Remove {count(len(plan.removed))} from {index_dir}"
        if block:
            what += " and block them"
        if not click.confirm(what + "?", default=False, err=True):
            click.echo("archive: nothing removed", err=True)
            return ExitCode.ERROR
    done = curate.forget(index_dir, ids, sources, block=block, lock_wait=lock_wait)
    show(done, "blocked" if block else "removed", "kept")
    summary = f"archive: removed {count(len(done.removed))} from {index_dir}"
    if done.kept:
        summary += f"; kept {count(len(done.kept))} that other inputs also give"
    if done.blocked:
        summary += f"; {len(done.blocked):,} on the deny list"
    click.echo(summary, err=True)
    return ExitCode.OK


@cli.command("export")
@_search_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="jsonl",
    show_default=True,
    help="jsonl (whole records), csv, bibtex or ris.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to FILE instead of stdout.",
)
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(min=1),
    default=None,
    help="At most N records (default: every match).",
)
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
    from archive.search import matching_articles

    query = " ".join(query_words)
    with matching_articles(index_dir, query, _filters(filters), limit=limit) as records:
        if output is None:
            try:
                count = render.export_records(records, fmt, sys.stdout)
                sys.stdout.flush()
            except BrokenPipeError:
                _reader_went_away()
                return ExitCode.OK
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


def run(args: list[str] | None = None, *, terminal: Any = None) -> int:
    """Run the CLI on `args` and return the exit code; every error becomes one line on stderr.

    Commands return an ExitCode (or None for OK); this is the one place exceptions are mapped.
    `terminal`: a `render.Terminal` that human output is drawn for instead of the one detected
    from stdout (tests use it to see what a 40-column terminal shows).
    """
    argv = sys.argv[1:] if args is None else list(args)
    debug = "--debug" in argv
    try:
        return _run(argv, debug, terminal)
    except _Failure as exc:
        if debug:
            raise exc.original from None
        _error_line(_describe_failure(exc.original, exc.index_dir))
        return ExitCode.ERROR
    except Exception as exc:  # the last net: whatever escaped, one line
        if debug:
            raise
        _error_line(_describe_failure(exc, None))
        return ExitCode.ERROR


def _error_line(message: str) -> None:
    """Print `archive: message` on stderr as one line, sanitised (it may quote a page or a lock)."""
    from archive.render import sanitize_terminal

    click.echo(f"archive: {sanitize_terminal(message, keep_newlines=False).strip()}", err=True)


def _describe_failure(exc: BaseException, index_dir: str | None) -> str:
    """One sentence for an exception that is not an ArchiveError."""
    import errno
    import sqlite3

    what = type(exc).__name__
    if what == "error":  # struct.error, zlib.error
        what = f"{type(exc).__module__}.error"
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    what_detail = f"{what}: {detail}" if detail else what
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "disk full; free some space and run the command again"
    if index_dir is not None and (_raised_in_whoosh(exc) or isinstance(exc, sqlite3.DatabaseError)):
        return (
            f"the index at {index_dir} is damaged ({what_detail}); "
            "run `archive ingest --rebuild`"
        )
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot use{where}: {exc.strerror or what_detail}"
    if isinstance(exc, MemoryError):
        return "out of memory"
    return f"internal error ({what_detail}); run with --debug for the traceback"


def _raised_in_whoosh(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename.replace(os.sep, "/")
        if "/whoosh/" in filename:
            return True
        tb = tb.tb_next
    return False


def _run(argv: list[str], debug: bool, terminal: Any = None) -> int:
    try:
        code = cli.main(
            args=argv, prog_name="archive", standalone_mode=False, obj={"terminal": terminal}
        )
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("archive: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.MissingParameter as exc:
        command = next((arg for arg in argv if arg in cli.commands), None)
        where = f"archive {command}" if command else "archive"
        name = (exc.param.human_readable_name if exc.param else "").rstrip(".") or "an argument"
        _error_line(f"missing {name} (see '{where} --help' for examples)")
        return ExitCode.USAGE
    except click.BadParameter as exc:
        # A bad option value, said as `archive: --from: not a valid date ...`.
        opts = getattr(exc.param, "opts", None)
        where = f"{opts[0]}: " if opts else ""
        _error_line(f"{where}{exc.message}")
        return ExitCode.USAGE
    except click.UsageError as exc:
        command = next((arg for arg in argv if arg in cli.commands), None)
        where = f"archive {command}" if command else "archive"
        _error_line(f"{exc.format_message()} (see '{where} --help')")
        return ExitCode.USAGE
    except click.ClickException as exc:
        _error_line(exc.format_message())
        return ExitCode.USAGE if exc.exit_code == 2 else exc.exit_code
    except UsageError as exc:
        if debug:
            raise
        _error_line(str(exc))
        return ExitCode.USAGE
    except ArchiveError as exc:
        if debug:
            raise
        _error_line(str(exc))
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
